/*
 * recover.c - checkpoints, handoffs and resume (see recover.h).
 *
 * Deliberate choices:
 * - A checkpoint that vigil takes for a handoff (stop, the watchdog) carries
 *   no notes of its own; the resume prompt takes the agent's latest notes
 *   (summary, pending, questions) from the newest checkpoint that has any,
 *   and says when and by whom they were written. Nothing is copied, so
 *   every row says only what was said at its time.
 * - A snapshot that git_snapshot skips because the tree is the same as the
 *   agent's newest snapshot is named again: the newest checkpoint of the
 *   agent with a snapshot holds that ref. A checkpoint then always names the
 *   commit that holds its uncommitted work.
 * - Only the newest handoff of an agent can be open: once a newer one was
 *   resumed, an older unresumed one is history, not work to pick up.
 * - The pane is read only when tmux says it still belongs to the agent's
 *   session: pane ids are reused once a session is gone.
 * - The resume prompt is never typed into an interactive shell, where each
 *   of its lines would run as a command.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "agent.h"
#include "cmd.h"
#include "config.h"
#include "git.h"
#include "prompts.h"
#include "recover.h"
#include "run.h"
#include "store.h"
#include "template.h"
#include "tmux.h"

/* How much of a summary or reason an event's detail keeps. */
#define DETAIL_TEXT_MAX 200
/* Shown digits of a commit id. */
#define SHORT_ID 12

int
recover_exit_code(int rc)
{
	if (rc == STORE_BUSY || rc == TMUX_TIMEOUT)
		return EX_TEMPFAIL;
	return 1;
}

/* tx_begin opens a transaction unless the caller holds one; *own says which. */
static int
tx_begin(struct store *s, int *own, char *err)
{
	*own = !store_in_transaction(s);
	return *own ? store_begin(s, err) : 0;
}

/* tx_end commits (rc 0) or rolls back our own transaction; a joined one is the caller's. */
static int
tx_end(struct store *s, int own, int rc, char *err)
{
	if (!own)
		return rc;
	if (rc != 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

/* first_line appends s's first line to b, cut at max bytes. */
static void
first_line(struct buf *b, const char *s, size_t max)
{
	size_t n = strcspn(s, "\n");
	if (n > max)
		n = max;
	buf_add(b, s, n);
	if (n < strlen(s))
		buf_puts(b, "...");
}

/*
 * pane_session tells whether a's pane (its recorded pane id, else its
 * session) is there and belongs to a's session; sid receives the session's
 * id ($N). 1 yes, 0 no (or tmux could not say).
 */
static int
pane_session(struct vigil_ctx *ctx, const struct agent *a, char *sid, size_t n)
{
	char target[64];
	struct buf out = {0};
	sid[0] = '\0';
	if (ctx->tmux == NULL)
		return 0;
	agent_target(a, target, sizeof target);
	char *args[] = {"display-message", "-p", "-t", target, "#{session_id} #{session_name}",
	    NULL};
	int ok = 0;
	if (tmux_run(ctx->tmux, args, &out, NULL) == TMUX_OK && out.data) {
		str_trim_right(out.data);
		char *sp = strchr(out.data, ' ');
		if (sp && strcmp(sp + 1, a->name) == 0) {
			*sp = '\0';
			snprintf(sid, n, "%s", out.data);
			ok = 1;
		}
	}
	buf_free(&out);
	return ok;
}

/* pane_tail returns the last [watch] capture_lines lines of a's pane, or NULL. */
static char *
pane_tail(struct vigil_ctx *ctx, const struct agent *a)
{
	char target[64], sid[32];
	struct buf b = {0};
	if (!pane_session(ctx, a, sid, sizeof sid))
		return NULL;
	agent_target(a, target, sizeof target);
	int lines = ctx->cfg->capture_lines;
	if (tmux_capture(ctx->tmux, target, lines, &b, NULL) != TMUX_OK || b.data == NULL) {
		buf_free(&b);
		return NULL;
	}
	str_trim_right(b.data);
	const char *p = b.data + strlen(b.data);
	for (int n = 0; p > b.data; p--)
		if (p[-1] == '\n' && ++n == lines)
			break;
	char *tail = *p ? xstrdup(p) : NULL;
	buf_free(&b);
	return tail;
}

/* facts_fill copies git facts into c's git fields, paths made valid UTF-8. */
static void
facts_fill(const struct git_facts *f, struct checkpoint *c)
{
	c->ahead = c->behind = -1;
	if (!f->is_repo)
		return;
	c->branch = f->branch ? xstrdup(f->branch) : NULL;
	c->head = f->head[0] ? xstrdup(f->head) : NULL;
	c->head_summary = f->head_summary ? xstrdup(f->head_summary) : NULL;
	if (f->has_upstream) {
		c->ahead = f->ahead;
		c->behind = f->behind;
	}
	if (f->files.n > 0) {
		struct strv clean = {0};
		struct buf b = {0};
		for (size_t i = 0; i < f->files.n; i++) {
			buf_reset(&b);
			utf8_sanitize(f->files.v[i], &b);
			strv_add(&clean, b.data ? b.data : "");
		}
		c->files = argv_to_json(clean.v);
		buf_free(&b);
		strv_free(&clean);
	}
	c->files_total = (int64_t)f->files_total;
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/*
 * take is checkpoint_take with the event's note apart from the summary, so
 * that a checkpoint for a handoff can say why it was taken.
 */
static int
take(struct vigil_ctx *ctx, const struct agent *a, const char *source,
    const char *summary, const char *pending, const char *questions, const char *note,
    int64_t now, int64_t *id_out, char *err)
{
	struct checkpoint c = {0};
	struct git_facts f = {0};
	char warn[VIGIL_ERR_LEN] = "", why[VIGIL_ERR_LEN];
	int reuse = 0, own, rc;

	c.agent = xstrdup(a->name);
	c.ts = now;
	c.source = xstrdup(source);
	c.task = dup_or_null(a->task);
	c.summary = dup_or_null(summary);
	c.pending = dup_or_null(pending);
	c.questions = dup_or_null(questions);
	c.ahead = c.behind = -1;
	if (git_facts_read(a->dir, RECOVER_FILES_MAX, &f, why) == -1) {
		seterr(warn, "checkpoint without git facts: %s", why);
	} else if (f.is_repo) {
		facts_fill(&f, &c);
		char ref[VIGIL_SNAPSHOT_REF_LEN];
		int created = 0;
		if (git_snapshot(a->dir, a->name, now / 1000, ctx->cfg->snapshot_keep, ref,
		    sizeof ref, &created, why) == -1)
			seterr(warn, "checkpoint without a snapshot: %s", why);
		else if (created)
			c.snapshot = xstrdup(ref);
		else
			reuse = c.files_total > 0;
	}
	git_facts_free(&f);
	c.pane_tail = pane_tail(ctx, a);

	if ((rc = tx_begin(ctx->store, &own, err)) != 0)
		goto out;
	if (reuse) {
		struct checkpoint prev;
		rc = store_checkpoint_latest(ctx->store, a->name, 0, 0, CP_SNAPSHOT, &prev, err);
		if (rc == 0) {
			c.snapshot = prev.snapshot;
			prev.snapshot = NULL;
		}
		checkpoint_free(&prev);
		rc = rc < 0 ? rc : 0;
	}
	int64_t id = 0;
	if (rc == 0)
		rc = store_checkpoint_add(ctx->store, &c, &id, err);
	if (rc == 0) {
		struct buf d = {0};
		buf_printf(&d, "by %s", source);
		if (note && *note) {
			buf_puts(&d, ": ");
			first_line(&d, note, DETAIL_TEXT_MAX);
		}
		rc = store_event_add(ctx->store, now, a->name, "checkpoint", a->tier, d.data, err);
		buf_free(&d);
	}
	rc = tx_end(ctx->store, own, rc, err);
	if (rc == 0) {
		if (id_out)
			*id_out = id;
		seterr(err, "%s", warn);
	}
out:
	checkpoint_free(&c);
	return rc;
}

int
checkpoint_take(struct vigil_ctx *ctx, const struct agent *a, const char *source,
    const char *summary, const char *pending, const char *questions, int64_t now,
    int64_t *id_out, char *err)
{
	return take(ctx, a, source, summary, pending, questions, summary, now, id_out, err);
}

int
handoff_make(struct vigil_ctx *ctx, const struct agent *a, const char *reason,
    int64_t checkpoint_id, int64_t now, int64_t *id_out, char *err)
{
	char sid[32];
	int own, rc;
	struct handoff h = {
		.agent = a->name,
		.ts = now,
		.reason = (char *)(reason ? reason : ""),
		.from_started = a->started,
		.checkpoint = checkpoint_id,
	};
	h.from_session = pane_session(ctx, a, sid, sizeof sid) ? sid : a->session_id;
	/* The agent itself, not vigil's wrapper, when it can still be found. */
	h.from_pid = a->agent_pid;
	if (h.from_pid == 0 && a->pid)
		h.from_pid = run_child(a->pid);
	if (h.from_pid == 0)
		h.from_pid = a->pid;

	if ((rc = tx_begin(ctx->store, &own, err)) != 0)
		return rc;
	int64_t id = 0;
	rc = store_handoff_add(ctx->store, &h, &id, err);
	if (rc == 0) {
		struct buf d = {0};
		first_line(&d, h.reason, DETAIL_TEXT_MAX);
		if (checkpoint_id)
			buf_printf(&d, " (checkpoint %" PRId64 ")", checkpoint_id);
		rc = store_event_add(ctx->store, now, a->name, "handoff", a->tier, d.data, err);
		buf_free(&d);
	}
	rc = tx_end(ctx->store, own, rc, err);
	if (rc == 0 && id_out)
		*id_out = id;
	return rc;
}

int
handoff_take(struct vigil_ctx *ctx, const struct agent *a, const char *source,
    const char *reason, int64_t now, int64_t *checkpoint_id, int64_t *handoff_id,
    char *err)
{
	char warn[VIGIL_ERR_LEN];
	int64_t cp = 0;
	char *note = xasprintf("for a handoff: %s", reason ? reason : "");
	int rc = take(ctx, a, source, NULL, NULL, NULL, note, now, &cp, warn);
	free(note);
	if (rc != 0) {
		seterr(err, "%s", warn);
		return rc;
	}
	if ((rc = handoff_make(ctx, a, reason, cp, now, handoff_id, err)) != 0)
		return rc;
	if (checkpoint_id)
		*checkpoint_id = cp;
	seterr(err, "%s", warn);
	return 0;
}

int
handoff_open(struct store *s, const struct agent *a, int64_t *id, char *err)
{
	struct handoff h;
	/* Since its spawn: a name reused after rm starts with no handoffs. */
	int rc = store_handoff_latest(s, a->name, a->created, &h, err);
	if (rc == 0 && h.resumed != 0)
		rc = 1;
	if (rc == 0)
		*id = h.id;
	handoff_free(&h);
	return rc;
}

/* handoff_of reads handoff id, which must be a's: 0, or -1 / STORE_BUSY. */
static int
handoff_of(struct store *s, const struct agent *a, int64_t id, struct handoff *h, char *err)
{
	int rc = store_handoff_get(s, id, h, err);
	if (rc == 0 && strcmp(h->agent, a->name) != 0) {
		handoff_free(h);
		rc = 1;
	}
	if (rc == 1)
		seterr(err, "no handoff %" PRId64 " of '%s'", id, a->name);
	return rc == 1 ? -1 : rc;
}

int
resume_argv(const struct vigil_ctx *ctx, const struct agent *a, struct strv *out,
    int *fresh, char *err)
{
	struct strv own = {0}, preset = {0};
	if (argv_from_json(a->argv, &own, err) == -1)
		return -1;
	const struct preset *p = config_preset(ctx->cfg, a->preset);
	*fresh = 1;
	if (p && p->resume_command && p->command &&
	    split_words(p->command, &preset, NULL) == 0 && preset.n == own.n) {
		size_t i = 0;
		while (i < own.n && strcmp(own.v[i], preset.v[i]) == 0)
			i++;
		if (i == own.n && split_words(p->resume_command, out, err) == 0)
			*fresh = 0;
	}
	strv_free(&preset);
	if (*fresh) {
		strv_free(out);
		strv_copy(out, own.v);
	}
	strv_free(&own);
	return 0;
}

int
resume_types_prompt(char *const *argv)
{
	static const char *const shells[] = {"sh", "bash", "zsh", "fish", "dash", "ksh",
	    "mksh", "tcsh", "csh", "ash", NULL};
	if (argv == NULL || argv[0] == NULL)
		return 0;
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (*base == '-')
		base++;
	int shell = 0;
	for (size_t i = 0; shells[i]; i++)
		shell |= strcmp(base, shells[i]) == 0;
	if (!shell)
		return 1;
	/* A shell told what to run (-c, a script) is that program, not a prompt. */
	for (size_t i = 1; argv[i]; i++)
		if (strcmp(argv[i], "-c") == 0 || argv[i][0] != '-')
			return 1;
	return 0;
}

/* The resume prompt. */

static int
is_repo(const struct checkpoint *c)
{
	return c->branch || c->head;
}

/* branch_text describes where HEAD is: a branch, an unborn one, detached, no repo. */
static void
branch_text(const struct checkpoint *c, struct buf *b)
{
	if (!is_repo(c)) {
		buf_puts(b, "none (not a git repository)");
		return;
	}
	if (c->branch == NULL) {
		buf_printf(b, "none (detached HEAD at %.*s)", SHORT_ID, c->head);
		return;
	}
	buf_puts(b, c->branch);
	if (c->head == NULL)
		buf_puts(b, " (no commits yet)");
	else if (c->ahead >= 0)
		buf_printf(b, " (%d ahead, %d behind its upstream)", c->ahead, c->behind);
}

static void
head_text(const struct checkpoint *c, struct buf *b)
{
	if (c->head == NULL)
		buf_puts(b, is_repo(c) ? "none (no commits yet)" : "none");
	else
		buf_printf(b, "%.*s %s", SHORT_ID, c->head, c->head_summary ? c->head_summary : "");
}

static void
files_text(const struct checkpoint *c, struct buf *b)
{
	struct strv v = {0};
	if (!is_repo(c)) {
		buf_puts(b, "none");
		return;
	}
	if (c->files_total == 0) {
		buf_puts(b, "none (the working tree is clean)");
		return;
	}
	buf_printf(b, "%" PRId64, c->files_total);
	if (c->files && argv_from_json(c->files, &v, NULL) == 0)
		for (size_t i = 0; i < v.n; i++)
			buf_printf(b, "\n  - %s", v.v[i]);
	if ((int64_t)v.n < c->files_total)
		buf_printf(b, "\n  - and %" PRId64 " more", c->files_total - (int64_t)v.n);
	strv_free(&v);
}

static int
same_text(const char *x, const char *y)
{
	return (x == NULL && y == NULL) || (x && y && strcmp(x, y) == 0);
}

/* diff_add appends one difference to d, "; " between them. */
static void __attribute__((format(printf, 2, 3)))
diff_add(struct buf *d, const char *fmt, ...)
{
	char part[VIGIL_ERR_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(part, sizeof part, fmt, ap);
	va_end(ap);
	buf_printf(d, "%s%s", d->len ? "; " : "", part);
}

/* compare_text says plainly whether the git state now is the one of then. */
static void
compare_text(const struct checkpoint *then, const struct checkpoint *now,
    const char *now_err, struct buf *b)
{
	struct buf d = {0}, x = {0}, y = {0};
	if (now_err) {
		buf_printf(b, "The git state now could not be read (%s): check it yourself "
		    "before you go on.", now_err);
		return;
	}
	if (!is_repo(then) && !is_repo(now)) {
		buf_puts(b, "The directory is not a git repository, then as now.");
		return;
	}
	if (is_repo(then) != is_repo(now)) {
		diff_add(&d, "%s", is_repo(then) ? "the directory is no longer a git repository" :
		    "the directory has become a git repository");
	} else {
		branch_text(then, &x);
		branch_text(now, &y);
		if (!same_text(then->branch, now->branch) || (then->head == NULL) != (now->head == NULL))
			diff_add(&d, "the branch was %s and is now %s", x.data, y.data);
		if (then->head && now->head && strcmp(then->head, now->head) != 0)
			diff_add(&d, "the last commit was %.*s and is now %.*s", SHORT_ID, then->head,
			    SHORT_ID, now->head);
		if (!same_text(then->files, now->files) || then->files_total != now->files_total)
			diff_add(&d, "the changed files differ (%" PRId64 " then, %" PRId64 " now)",
			    then->files_total, now->files_total);
	}
	if (d.len)
		buf_printf(b, "The git state CHANGED since the checkpoint: %s. Find out what "
		    "changed, and why, before you go on.", d.data);
	else
		buf_puts(b, "The git state now is the same as at the checkpoint: same branch, "
		    "same last commit, same changed files.");
	buf_free(&d);
	buf_free(&x);
	buf_free(&y);
}

static void
restore_text(const struct handoff *h, const struct checkpoint *c, struct buf *b)
{
	if (h->checkpoint == 0) {
		buf_puts(b, "No checkpoint came with this handoff, so there is no snapshot.");
	} else if (c->snapshot) {
		buf_printf(b, "vigil saved the uncommitted work of the checkpoint (changed and "
		    "untracked files) as a commit, without touching the working tree, index or "
		    "branches: %s\n\nIf files are missing or wrong now:\n"
		    "- see how the working tree differs from it: `git diff %s --stat`\n"
		    "- take the files back exactly as they were: `git checkout %s -- .`\n"
		    "- or replay that work onto the current HEAD, as `git stash apply` would: "
		    "`git cherry-pick --no-commit %s`",
		    c->snapshot, c->snapshot, c->snapshot, c->snapshot);
	} else if (!is_repo(c)) {
		buf_puts(b, "No snapshot: the directory is not a git repository.");
	} else if (c->files_total == 0) {
		buf_puts(b, "Nothing was uncommitted at the checkpoint, so no snapshot was needed.");
	} else {
		buf_puts(b, "No snapshot of the uncommitted work could be taken.");
	}
}

static void
tail_text(const char *tail, struct buf *b)
{
	if (tail == NULL || *tail == '\0') {
		buf_puts(b, "    (not captured: the pane was gone)");
		return;
	}
	buf_puts(b, "    ");
	for (const char *p = tail; *p; p++) {
		buf_add(b, p, 1);
		if (*p == '\n')
			buf_puts(b, "    ");
	}
}

static const char *
or_none(const char *s)
{
	return s && *s ? s : "(none recorded)";
}

int
resume_prompt(struct vigil_ctx *ctx, const struct agent *a, int64_t handoff_id,
    struct buf *out, char *err)
{
	struct handoff h;
	struct checkpoint cp = {0}, notes = {0}, now = {0};
	struct git_facts f = {0};
	struct buf tmpl = {0}, bt = {0}, ht = {0}, ft = {0}, bn = {0}, hn = {0}, fn = {0},
	    cmp = {0}, restore = {0}, tail = {0}, from = {0};
	char why[VIGIL_ERR_LEN], ht_time[64], cp_time[64];
	int rc;

	if ((rc = handoff_of(ctx->store, a, handoff_id, &h, err)) != 0)
		return rc;
	cp.ahead = cp.behind = -1;
	if (h.checkpoint && (rc = store_checkpoint_get(ctx->store, h.checkpoint, &cp, err)) < 0)
		goto out;
	rc = store_checkpoint_latest(ctx->store, a->name, a->created, h.checkpoint, CP_NOTES,
	    &notes, err);
	if (rc < 0)
		goto out;
	if ((rc = prompt_load(ctx->cfg, "resume.md", &tmpl, err)) != 0)
		goto out;

	const char *now_err = NULL;
	if (git_facts_read(a->dir, RECOVER_FILES_MAX, &f, why) == -1)
		now_err = why;
	else
		facts_fill(&f, &now);
	branch_text(&cp, &bt);
	head_text(&cp, &ht);
	files_text(&cp, &ft);
	branch_text(&now, &bn);
	head_text(&now, &hn);
	files_text(&now, &fn);
	if (h.checkpoint)
		compare_text(&cp, &now, now_err, &cmp);
	else
		buf_puts(&cmp, "No checkpoint came with this handoff: nothing to compare with.");
	restore_text(&h, &cp, &restore);
	tail_text(cp.pane_tail, &tail);
	time_local(h.ts, 1, ht_time, sizeof ht_time);
	time_local(cp.ts ? cp.ts : h.ts, 1, cp_time, sizeof cp_time);
	if (notes.id) {
		char t[64];
		time_local(notes.ts, 1, t, sizeof t);
		buf_printf(&from, "written %s at %s", strcmp(notes.source, "agent") == 0 ?
		    "by you with `vigil checkpoint`" : "by vigil", t);
	} else {
		buf_puts(&from, "none; this agent never ran `vigil checkpoint`");
	}

	const struct tvar vars[] = {
		{"name", a->name},
		{"dir", a->dir},
		{"task", cp.task ? cp.task : a->task ? a->task : "(no task was given)"},
		{"summary", or_none(notes.summary)},
		{"pending", or_none(notes.pending)},
		{"questions", or_none(notes.questions)},
		{"notes_from", from.data},
		{"reason", h.reason && *h.reason ? h.reason : "(no reason given)"},
		{"handoff_time", ht_time},
		{"checkpoint_time", cp_time},
		{"branch_then", bt.data},
		{"head_then", ht.data},
		{"files_then", ft.data},
		{"branch_now", now_err ? "unknown" : bn.data},
		{"head_now", now_err ? "unknown" : hn.data},
		{"files_now", now_err ? "unknown" : fn.data},
		{"git_compare", cmp.data},
		{"snapshot", cp.snapshot ? cp.snapshot : "none"},
		{"restore", restore.data},
		{"pane_tail", tail.data},
	};
	rc = template_fill(tmpl.data ? tmpl.data : "", vars, sizeof vars / sizeof vars[0], out,
	    why);
	if (rc != 0)
		seterr(err, "prompt template resume.md: %s", why);
out:
	git_facts_free(&f);
	handoff_free(&h);
	checkpoint_free(&cp);
	checkpoint_free(&notes);
	checkpoint_free(&now);
	struct buf *bufs[] = {&tmpl, &bt, &ht, &ft, &bn, &hn, &fn, &cmp, &restore, &tail, &from};
	for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		buf_free(bufs[i]);
	return rc;
}

/* Starting the agent again. */

static void
set_text(char **field, const char *v)
{
	free(*field);
	*field = v ? xstrdup(v) : NULL;
}

/* incarnation resets what belongs to one run of the agent, for a new one. */
static void
incarnation(struct agent *a, int64_t now)
{
	set_text(&a->state, ST_BOOTING);
	a->state_since = now;
	a->last_change = now;
	agent_new_episode(a);
	a->next_at = 0;
	a->cooldown_until = 0;
	a->renewals = 0;
	set_text(&a->cooldown_kind, NULL);
	set_text(&a->cooldown_line, NULL);
}

int
resume_launch(struct vigil_ctx *ctx, struct agent *a, int64_t handoff_id, int64_t now,
    char *err)
{
	struct strv argv = {0};
	struct buf prompt = {0}, detail = {0};
	struct handoff h = {0};
	char why[VIGIL_ERR_LEN], sid[32];
	int fresh = 1, own, rc;

	if ((rc = handoff_of(ctx->store, a, handoff_id, &h, err)) != 0)
		goto out;
	if ((rc = resume_argv(ctx, a, &argv, &fresh, err)) != 0)
		goto out;
	int typed = resume_types_prompt(argv.v);
	if (typed && (rc = resume_prompt(ctx, a, handoff_id, &prompt, err)) != 0) {
		if (rc != STORE_BUSY)
			rc = RESUME_NOPROMPT;
		goto out;
	}

	struct agent_env env = {ctx->home, ctx->socket, ctx->cfg->path};
	int has = tmux_has_session(ctx->tmux, a->name, why);
	if (has < 0) {
		rc = has;
		seterr(err, "cannot resume '%s': %s", a->name, why);
		goto out;
	}
	/* A recorded pane id that is no longer the session's own: go by the name. */
	if (has && !pane_session(ctx, a, sid, sizeof sid))
		set_text(&a->pane_id, NULL);
	rc = has ? agent_respawn(ctx->tmux, &env, a, argv.v, now, why) :
	    agent_launch(ctx->tmux, &env, a, argv.v, now, why);
	if (rc != 0) {
		seterr(err, "cannot start '%s': %s", a->name, why);
		goto out;
	}
	incarnation(a, now);
	set_text(&a->pending, typed ? prompt.data : NULL);
	char *note = xasprintf("resumed from handoff %" PRId64, handoff_id);
	set_text(&a->note, note);
	free(note);
	if (pane_session(ctx, a, sid, sizeof sid))
		set_text(&a->session_id, sid);

	buf_printf(&detail, "from handoff %" PRId64 " (", handoff_id);
	first_line(&detail, h.reason ? h.reason : "", DETAIL_TEXT_MAX);
	buf_puts(&detail, fresh ? "), a fresh start: " : "): ");
	for (size_t i = 0; i < argv.n; i++) {
		if (i)
			buf_puts(&detail, " ");
		quote_word(&detail, argv.v[i]);
	}
	if ((rc = tx_begin(ctx->store, &own, err)) == 0) {
		rc = store_agent_update(ctx->store, a, err);
		if (rc == 0) {
			rc = store_handoff_resume(ctx->store, handoff_id, a->session_id, now, err);
			if (rc == 1) {
				seterr(err, "handoff %" PRId64 " was resumed already", handoff_id);
				rc = -1;
			}
		}
		if (rc == 0)
			rc = store_event_add(ctx->store, now, a->name, "resume", 0, detail.data, err);
		rc = tx_end(ctx->store, own, rc, err);
	}
	/* Not recorded: a session of our own making must not run unknown. */
	if (rc != 0 && !has)
		tmux_kill_session(ctx->tmux, a->name, NULL);
out:
	handoff_free(&h);
	strv_free(&argv);
	buf_free(&prompt);
	buf_free(&detail);
	return rc;
}

int
resume_type(struct vigil_ctx *ctx, struct agent *a, char *err)
{
	char target[64], why[VIGIL_ERR_LEN];
	int submitted = 0, rc;
	if (a->pending == NULL)
		return 1;
	agent_target(a, target, sizeof target);
	int ready = agent_wait_ready(ctx->tmux, target, 300, ctx->cfg->ready_timeout, why);
	if (ready < 0) {
		seterr(err, "cannot type the resume prompt into '%s': %s", a->name, why);
		return ready;
	}
	if (ready == 0) {
		seterr(err, "'%s' was not ready within %" PRId64 "ms; its resume prompt waits "
		    "for the watchdog to type it", a->name, ctx->cfg->ready_timeout);
		return 0;
	}
	/* Claim the text first: the watchdog types pending text too. */
	rc = store_pending_take(ctx->store, a->name, a->pending, err);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		set_text(&a->pending, NULL); /* typed (or being typed) by the watchdog */
		return 1;
	}
	if ((rc = agent_send(ctx->tmux, target, a->pending, ctx->cfg->confirm, &submitted,
	    why)) != 0) {
		store_pending_put(ctx->store, a->name, a->pending, NULL);
		seterr(err, "cannot type the resume prompt into '%s': %s", a->name, why);
		return rc;
	}
	set_text(&a->pending, NULL);
	return rc == 0 ? 1 : rc;
}

int
resume_start(struct vigil_ctx *ctx, struct agent *a, int64_t handoff_id, int64_t now,
    char *err)
{
	int rc = resume_launch(ctx, a, handoff_id, now, err);
	if (rc != 0)
		return rc;
	rc = resume_type(ctx, a, err);
	return rc == 1 ? 0 : rc == 0 ? RESUME_PENDING : rc;
}
