/*
 * view.c - presentation for ls, status and log. Every JSON vigil prints is
 * built with jansson (never hand-escaped); text that is not valid UTF-8
 * (a pane prints anything) is made valid before it goes into JSON.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "agent.h"
#include "cmd.h"
#include "config.h"
#include "duration.h"
#include "lock.h"
#include "proc.h"
#include "run.h"
#include "store.h"
#include "tmux.h"
#include "view.h"

/*
 * observe fills v->seen[i]: the agent's pane, whether its wrapper recorded
 * an end, and the agent's own pid (the wrapper's child, or the preset's
 * process the watchdog found under it).
 */
static void
observe(struct vigil_ctx *ctx, struct view *v, size_t i)
{
	const struct agent *a = &v->agents[i];
	struct seen *s = &v->seen[i];
	if (v->tmux_rc != TMUX_OK && v->tmux_rc != TMUX_NOSERVER)
		return;
	s->pane = tmux_pane_for(v->panes, v->npanes, a->name, a->pane_id);
	if (s->pane == NULL || !agent_is_live(a->state))
		return;
	int hup = 0;
	s->exited = run_exit_read(ctx->home, a->name, s->pane->pid, &s->status, &hup);
	/* A clean exit on a hangup was not the agent's own: not done. */
	if (s->exited && hup && WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0)
		s->status = SIGHUP;
	if (s->exited || s->pane->dead)
		return;
	if (a->agent_pid && a->pid == s->pane->pid && proc_alive(a->agent_pid))
		s->pid = a->agent_pid;
	else
		s->pid = run_child(s->pane->pid);
	if (s->pid == 0)
		s->pid = s->pane->pid;
}

int
view_load(struct vigil_ctx *ctx, const char *name, struct view *v)
{
	memset(v, 0, sizeof *v);
	int rc;
	if (name) {
		struct agent a;
		rc = store_agent_get(ctx->store, name, &a, ctx->err);
		if (rc < 0)
			return cmd_store_code(rc);
		if (rc == 0) {
			v->agents = xmalloc(sizeof a);
			v->agents[0] = a;
			v->n = 1;
		}
	} else if ((rc = store_agent_list(ctx->store, &v->agents, &v->n, ctx->err)) != 0) {
		return cmd_store_code(rc);
	}
	if (v->n == 0)
		return 0;
	char why[VIGIL_ERR_LEN];
	v->tmux_rc = tmux_list_panes(ctx->tmux, &v->panes, &v->npanes, why);
	if (v->tmux_rc != TMUX_OK && v->tmux_rc != TMUX_NOSERVER)
		fprintf(stderr, "vigil: %s: warning: %s\n", ctx->cmd, why);
	v->seen = xcalloc(v->n, sizeof *v->seen);
	for (size_t i = 0; i < v->n; i++)
		observe(ctx, v, i);
	return 0;
}

void
view_free(struct view *v)
{
	agent_array_free(v->agents, v->n);
	free(v->seen);
	tmux_panes_free(v->panes, v->npanes);
	memset(v, 0, sizeof *v);
}

const char *
view_state(const struct view *v, size_t i)
{
	/* When tmux could not be asked, the record is all we know. */
	if (v->tmux_rc != TMUX_OK && v->tmux_rc != TMUX_NOSERVER)
		return v->agents[i].state;
	const struct seen *s = &v->seen[i];
	return agent_observed_state(&v->agents[i], s->pane, s->exited, s->status);
}

int
view_pid(const struct view *v, size_t i)
{
	return v->seen[i].pid;
}

/* json_text makes s a JSON string, replacing bytes that are not UTF-8. */
static json_t *
json_text(const char *s)
{
	if (s == NULL)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	struct buf b = {0};
	utf8_sanitize(s, &b);
	j = json_string(b.data ? b.data : "");
	buf_free(&b);
	return j ? j : json_string("");
}

/* exit_of tells how agent i last ended: what its wrapper wrote, or the record. */
static void
exit_of(const struct view *v, size_t i, int *code, int *sig)
{
	const struct seen *s = &v->seen[i];
	*code = v->agents[i].exit_code;
	*sig = v->agents[i].exit_signal;
	if (s->exited) {
		*code = WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1;
		*sig = WIFSIGNALED(s->status) ? WTERMSIG(s->status) : 0;
	}
}

static json_t *
secs_or_null(int64_t ms)
{
	return ms > 0 ? json_integer(ms / 1000) : json_null();
}

json_t *
view_json(const struct view *v, size_t i, int64_t now)
{
	const struct agent *a = &v->agents[i];
	json_t *o = json_object();
	int pid = view_pid(v, i);
	json_object_set_new(o, "name", json_text(a->name));
	json_object_set_new(o, "state", json_string(view_state(v, i)));
	json_object_set_new(o, "tier", json_integer(a->tier));
	json_object_set_new(o, "pid", pid ? json_integer(pid) : json_null());
	json_object_set_new(o, "preset", json_text(a->preset));
	json_object_set_new(o, "dir", json_text(a->dir));
	json_object_set_new(o, "restarts", json_integer(a->restarts));
	json_object_set_new(o, "cooldown_until",
	    a->cooldown_until > now ? secs_or_null(a->cooldown_until) : json_null());
	json_object_set_new(o, "last_change", json_integer(a->last_change / 1000));
	json_object_set_new(o, "restart", json_text(a->restart));
	json_object_set_new(o, "task", json_text(a->task));
	json_object_set_new(o, "created", json_integer(a->created / 1000));
	json_object_set_new(o, "started", secs_or_null(a->started));
	json_object_set_new(o, "state_since", secs_or_null(a->state_since));
	json_object_set_new(o, "agent_pid", a->agent_pid && pid ? json_integer(a->agent_pid) :
	    json_null());
	int code, sig;
	exit_of(v, i, &code, &sig);
	json_object_set_new(o, "exit_code", code >= 0 ? json_integer(code) : json_null());
	json_object_set_new(o, "exit_signal", sig ? json_integer(sig) : json_null());
	json_object_set_new(o, "cooldown_kind", a->cooldown_until > now ?
	    json_text(a->cooldown_kind) : json_null());
	json_object_set_new(o, "stall_since", secs_or_null(a->stall_since));
	json_object_set_new(o, "nudges", json_integer(a->nudges));
	json_object_set_new(o, "note", json_text(a->note));
	json_t *cmd = json_loads(a->argv, 0, NULL);
	json_object_set_new(o, "command", cmd ? cmd : json_null());
	return o;
}

static void
fmt_age(int64_t ms, char *out, size_t n)
{
	duration_format(ms, out, n);
	/* "1h 5m" reads better without the space in a column. */
	for (char *p = out; *p; p++)
		if (*p == ' ')
			memmove(p, p + 1, strlen(p));
}

void
view_print_line(const struct view *v, size_t i, int64_t now)
{
	const struct agent *a = &v->agents[i];
	const char *state = view_state(v, i);
	int pid = view_pid(v, i);
	char pidbuf[16], up[32], extra[256] = "", tmp[32];
	if (pid)
		snprintf(pidbuf, sizeof pidbuf, "%d", pid);
	else
		snprintf(pidbuf, sizeof pidbuf, "-");
	if (pid && a->started)
		fmt_age(now - a->started, up, sizeof up);
	else
		snprintf(up, sizeof up, "-");
	size_t k = 0;
	if (strcmp(state, ST_COOLING) == 0 && a->cooldown_until > now) {
		fmt_age(a->cooldown_until - now, tmp, sizeof tmp);
		k += (size_t)snprintf(extra + k, sizeof extra - k, "  cooling %s", tmp);
	} else if (strcmp(state, ST_RESTARTING) == 0 && a->next_at > now) {
		fmt_age(a->next_at - now, tmp, sizeof tmp);
		k += (size_t)snprintf(extra + k, sizeof extra - k, "  restart in %s", tmp);
	}
	if (agent_is_live(state) && pid && a->stall_since > 0 && now - a->stall_since >= 1000) {
		fmt_age(now - a->stall_since, tmp, sizeof tmp);
		k += (size_t)snprintf(extra + k, sizeof extra - k, "  unchanged for %s", tmp);
	}
	if (a->restarts && k < sizeof extra)
		k += (size_t)snprintf(extra + k, sizeof extra - k, "  restarts %d", a->restarts);
	if (!agent_is_live(state) || strcmp(state, ST_DEAD) == 0) {
		int code, sig;
		exit_of(v, i, &code, &sig);
		if (sig && k < sizeof extra)
			k += (size_t)snprintf(extra + k, sizeof extra - k, "  signal %d", sig);
		else if (code >= 0 && k < sizeof extra)
			k += (size_t)snprintf(extra + k, sizeof extra - k, "  exit %d", code);
	}
	if (a->note && *a->note && k < sizeof extra)
		snprintf(extra + k, sizeof extra - k, "  (%s)", a->note);
	printf("%-10s %-16s pid %-7s up %-7s tier %d  %s%s\n", state, a->name, pidbuf, up,
	    a->tier, a->preset, extra);
}

void
view_print_watchdog(struct vigil_ctx *ctx, int64_t now)
{
	pid_t holder = lock_holder(ctx->home);
	struct heartbeat h;
	int have = store_heartbeat_get(ctx->store, &h, NULL) == 0;
	if (holder == 0) {
		printf("watchdog: not running (start it: vigil watch, or systemctl --user "
		    "start vigil)\n");
		return;
	}
	if (!have || h.pid != holder) {
		printf("watchdog: pid %d, starting\n", (int)holder);
		return;
	}
	char age[32];
	fmt_age(now - h.beat, age, sizeof age);
	int64_t stale_after = 3 * h.interval + 5000;
	if (now - h.beat > stale_after)
		printf("watchdog: pid %d, STALE: last heartbeat %s ago\n", (int)holder, age);
	else
		printf("watchdog: pid %d, last tick %s ago\n", (int)holder, age);
}

void
view_print_json(json_t *j)
{
	/* 13 digits: unix seconds with milliseconds, and no float noise. */
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(13));
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
}

json_t *
view_event_json(const struct event *e)
{
	json_t *o = json_object();
	json_object_set_new(o, "ts", json_real((double)e->ts / 1000.0));
	json_object_set_new(o, "agent", json_text(e->agent));
	json_object_set_new(o, "kind", json_text(e->kind));
	json_object_set_new(o, "tier", json_integer(e->tier));
	json_object_set_new(o, "detail", json_text(e->detail));
	return o;
}

void
view_event_line(const struct event *e, struct buf *out)
{
	char when[32];
	time_local(e->ts, 0, when, sizeof when);
	buf_printf(out, "%s.%03d  %-12s %-12s tier %d  ", when, (int)(e->ts % 1000),
	    e->agent ? e->agent : "-", e->kind, e->tier);
	/* The detail may hold a pane's text: keep it on one line. */
	for (const char *p = e->detail ? e->detail : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n')
			buf_puts(out, "\\n");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_add(out, p, 1);
	}
	buf_puts(out, "\n");
}

static void
print_events(struct vigil_ctx *ctx, const char *name, json_t *into)
{
	struct event *ev = NULL;
	size_t n = 0;
	if (store_event_list(ctx->store, name, 0, 10, &ev, &n, NULL) != 0)
		return;
	struct buf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (into) {
			json_array_append_new(into, view_event_json(&ev[i]));
		} else {
			buf_reset(&b);
			view_event_line(&ev[i], &b);
			printf("  %s", b.data);
		}
	}
	buf_free(&b);
	event_array_free(ev, n);
}

/* first_of returns s's first line, cut at 100 bytes, in b. */
static const char *
first_of(const char *s, struct buf *b)
{
	buf_reset(b);
	size_t n = strcspn(s, "\n");
	buf_add(b, s, n > 100 ? 100 : n);
	if (n > 100 || s[n])
		buf_puts(b, "...");
	return b->data;
}

/*
 * recovery reads a's last checkpoint and last handoff (since its spawn);
 * each is zeroed (id 0) when there is none.
 */
static void
recovery(struct vigil_ctx *ctx, const struct agent *a, struct checkpoint *c,
    struct handoff *h)
{
	if (store_checkpoint_latest(ctx->store, a->name, a->created, 0, CP_ANY, c, NULL) != 0)
		checkpoint_free(c);
	if (store_handoff_latest(ctx->store, a->name, a->created, h, NULL) != 0)
		handoff_free(h);
}

static void
print_recovery(struct vigil_ctx *ctx, const struct agent *a)
{
	struct checkpoint c;
	struct handoff h;
	struct buf b = {0};
	char when[32];
	recovery(ctx, a, &c, &h);
	if (c.id) {
		time_local(c.ts, 0, when, sizeof when);
		printf("  checkpoint %" PRId64 " at %s by %s", c.id, when, c.source);
		if (c.summary)
			printf(": %s", first_of(c.summary, &b));
		if (c.snapshot)
			printf("; snapshot %s", c.snapshot);
		printf("\n");
	}
	if (h.id) {
		time_local(h.ts, 0, when, sizeof when);
		printf("  handoff  %" PRId64 " at %s: %s", h.id, when, first_of(h.reason, &b));
		if (h.resumed) {
			time_local(h.resumed, 0, when, sizeof when);
			printf("; resumed at %s\n", when);
		} else {
			printf("; open (vigil resume %s)\n", a->name);
		}
	}
	buf_free(&b);
	checkpoint_free(&c);
	handoff_free(&h);
}

static json_t *
int_or_null(int64_t v, int64_t null_value)
{
	return v == null_value ? json_null() : json_integer(v);
}

/* recovery_json sets "checkpoint" and "handoff" in o: objects, or null. */
static void
recovery_json(struct vigil_ctx *ctx, const struct agent *a, json_t *o)
{
	struct checkpoint c;
	struct handoff h;
	json_t *jc = json_null(), *jh = json_null();
	recovery(ctx, a, &c, &h);
	if (c.id) {
		jc = json_object();
		json_object_set_new(jc, "id", json_integer(c.id));
		json_object_set_new(jc, "ts", json_integer(c.ts / 1000));
		json_object_set_new(jc, "source", json_text(c.source));
		json_object_set_new(jc, "summary", json_text(c.summary));
		json_object_set_new(jc, "pending", json_text(c.pending));
		json_object_set_new(jc, "questions", json_text(c.questions));
		json_object_set_new(jc, "branch", json_text(c.branch));
		json_object_set_new(jc, "head", json_text(c.head));
		json_object_set_new(jc, "ahead", int_or_null(c.ahead, -1));
		json_object_set_new(jc, "behind", int_or_null(c.behind, -1));
		json_t *files = c.files ? json_loads(c.files, 0, NULL) : NULL;
		json_object_set_new(jc, "files", files ? files : json_array());
		json_object_set_new(jc, "files_total", json_integer(c.files_total));
		json_object_set_new(jc, "snapshot", json_text(c.snapshot));
	}
	if (h.id) {
		jh = json_object();
		json_object_set_new(jh, "id", json_integer(h.id));
		json_object_set_new(jh, "ts", json_integer(h.ts / 1000));
		json_object_set_new(jh, "reason", json_text(h.reason));
		json_object_set_new(jh, "checkpoint", int_or_null(h.checkpoint, 0));
		json_object_set_new(jh, "from_session", json_text(h.from_session));
		json_object_set_new(jh, "from_pid", int_or_null(h.from_pid, 0));
		json_object_set_new(jh, "from_started", int_or_null(h.from_started / 1000, 0));
		json_object_set_new(jh, "to_session", json_text(h.to_session));
		json_object_set_new(jh, "resumed", int_or_null(h.resumed / 1000, 0));
	}
	json_object_set_new(o, "checkpoint", jc);
	json_object_set_new(o, "handoff", jh);
	checkpoint_free(&c);
	handoff_free(&h);
}

int
view_status_text(struct vigil_ctx *ctx, struct view *v, int64_t now)
{
	const struct agent *a = &v->agents[0];
	view_print_line(v, 0, now);
	printf("  dir      %s\n", a->dir);
	json_t *cmd = json_loads(a->argv, 0, NULL);
	if (cmd) {
		struct buf b = {0};
		size_t i;
		json_t *w;
		json_array_foreach(cmd, i, w) {
			if (i)
				buf_puts(&b, " ");
			quote_word(&b, json_string_value(w) ? json_string_value(w) : "");
		}
		printf("  command  %s\n", b.data ? b.data : "");
		buf_free(&b);
		json_decref(cmd);
	}
	printf("  restart  %s (restarts %d)\n", a->restart, a->restarts);
	if (a->task) {
		const char *nl = strchr(a->task, '\n');
		printf("  task     %.*s%s\n", nl ? (int)(nl - a->task) : (int)strlen(a->task),
		    a->task, nl ? " ..." : "");
	}
	if (a->cooldown_until > now) {
		char when[64];
		time_local(a->cooldown_until, 1, when, sizeof when);
		printf("  cooldown %s until %s (renewals %d)\n",
		    a->cooldown_kind ? a->cooldown_kind : "", when, a->renewals);
		if (a->cooldown_line && *a->cooldown_line)
			printf("  because  %s\n", a->cooldown_line);
	}
	print_recovery(ctx, a);
	printf("  events (last 10):\n");
	print_events(ctx, a->name, NULL);
	view_print_watchdog(ctx, now);
	return 0;
}

int
view_status_json(struct vigil_ctx *ctx, struct view *v, int64_t now)
{
	const struct agent *a = &v->agents[0];
	json_t *o = view_json(v, 0, now);
	json_t *cd = json_null();
	if (a->cooldown_until > now) {
		cd = json_object();
		json_object_set_new(cd, "until", json_integer(a->cooldown_until / 1000));
		json_object_set_new(cd, "kind", json_text(a->cooldown_kind));
		json_object_set_new(cd, "line", json_text(a->cooldown_line));
		json_object_set_new(cd, "renewals", json_integer(a->renewals));
	}
	json_object_set_new(o, "cooldown", cd);
	recovery_json(ctx, a, o);
	json_t *ev = json_array();
	print_events(ctx, a->name, ev);
	json_object_set_new(o, "events", ev);
	pid_t holder = lock_holder(ctx->home);
	json_object_set_new(o, "watchdog", holder ? json_integer(holder) : json_null());
	view_print_json(o);
	json_decref(o);
	return 0;
}
