/*
 * tick.c - one tick: observe the whole fleet (one tmux exec), decide for
 * every agent inside one IMMEDIATE transaction (records read under the
 * lock, so a concurrent `stop` is never overwritten), commit, then act.
 *
 * A launch is done in a transaction of its own that first checks the row
 * still asks for it: a `stop` that came between the decision and the
 * launch wins, and no agent is started behind a person's back.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "cmd.h"
#include "config.h"
#include "decide.h"
#include "duration.h"
#include "notify.h"
#include "observe.h"
#include "proc.h"
#include "recover.h"
#include "store.h"
#include "triage.h"
#include "tmux.h"
#include "view.h"
#include "watch.h"

/* What was decided in the transaction, done after it. */
struct todo {
	struct agent a;      /* the record as decided */
	struct agent prev;   /* ... and as it was: the incarnation that ends */
	char handoff[128];   /* hand off first, for this reason */
	char *screen;        /* ACT_TRIAGE: the pane's last lines */
	int checkpoint;      /* or only take a checkpoint first */
	enum act act;
	int session;         /* the session existed: respawn its pane */
	char *text;          /* ACT_TYPE: what to type */
	int pending;         /* ... the pending task, kept when typing fails */
	int notify;
	struct devent ev;    /* the event the notification tells of */
};

/* show_event adds an event, as people read it, to what goes to stderr. */
static void
show_event(struct buf *out, int64_t now, const char *agent, const struct devent *e)
{
	struct event ev = {.ts = now, .agent = (char *)agent, .kind = (char *)e->kind,
	    .tier = e->tier, .detail = (char *)e->detail};
	view_event_line(&ev, out);
}

static void
print_event(int64_t now, const char *agent, const struct devent *e)
{
	struct buf b = {0};
	show_event(&b, now, agent, e);
	fputs(b.data, stderr);
	buf_free(&b);
}

static int
record_events(struct store *s, int64_t now, const char *agent,
    const struct decision *d, char *err)
{
	for (int i = 0; i < d->nevents; i++) {
		int rc = store_event_add(s, now, agent, d->events[i].kind, d->events[i].tier,
		    d->events[i].detail, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
show_events(struct buf *out, int64_t now, const char *agent, const struct decision *d)
{
	for (int i = 0; i < d->nevents; i++)
		show_event(out, now, agent, &d->events[i]);
}

/* ends tells whether o may be the end of a (so its crash history matters). */
static int
may_end(const struct obs *o)
{
	return !o->session || o->exited || o->pane_dead || o->agent_pid == 0 ||
	    (o->named && !o->agent_found);
}

static void
want_pid(struct watch *w, pid_t pid)
{
	if (pid <= 0)
		return;
	if (w->nwant == w->capwant) {
		w->capwant = w->capwant ? w->capwant * 2 : 32;
		w->want = xrealloc(w->want, w->capwant * sizeof *w->want);
	}
	w->want[w->nwant++] = pid;
}

/* tmux_health records (once) that tmux stopped or started answering. */
static void
tmux_health(struct watch *w, const struct fleet *f, int64_t now)
{
	struct vigil_ctx *ctx = w->ctx;
	int bad = f->tmux_rc != TMUX_OK && f->tmux_rc != TMUX_NOSERVER;
	if (bad == w->tmux_trouble)
		return;
	w->tmux_trouble = bad;
	struct devent e = {.kind = "error", .tier = 0};
	if (bad)
		snprintf(e.detail, sizeof e.detail, "tmux does not answer: %.200s", f->err);
	else
		snprintf(e.detail, sizeof e.detail, "tmux answers again");
	store_event_add(ctx->store, now, NULL, e.kind, 0, e.detail, NULL);
	print_event(now, NULL, &e);
	if (bad)
		notify_start(w->notifier, ctx->cfg, "error", "", e.detail, now, NULL);
}

/*
 * before takes what must be kept before an agent is killed or started
 * over: a handoff (checkpoint, snapshot of uncommitted work, handoff row)
 * when it is terminated or force-restarted, a checkpoint after a crash.
 * Outside any transaction: git and tmux are not waited on under the lock.
 */
static void
before(struct watch *w, struct todo *t, int64_t now)
{
	struct vigil_ctx *ctx = w->ctx;
	char warn[VIGIL_ERR_LEN] = "";
	int rc = 0;
	if (t->handoff[0])
		rc = handoff_take(ctx, &t->prev, "watchdog", t->handoff, now, NULL, NULL, warn);
	else if (t->checkpoint)
		rc = checkpoint_take(ctx, &t->prev, "watchdog", "before a restart", NULL, NULL,
		    now, NULL, warn);
	if (rc != 0 || warn[0])
		fprintf(stderr, "vigil: watch: warning: %s: %s\n", t->a.name,
		    warn[0] ? warn : "cannot record a checkpoint");
}

static void
launch_one(struct watch *w, struct todo *t, int64_t now)
{
	struct vigil_ctx *ctx = w->ctx;
	char why[VIGIL_ERR_LEN];
	struct agent cur;
	if (store_begin(ctx->store, NULL) != 0)
		return; /* busy: the row still says restarting/booting; next tick */
	if (store_agent_get(ctx->store, t->a.name, &cur, NULL) != 0) {
		store_rollback(ctx->store);
		return;
	}
	/* Still what we decided? A stop or rm since then wins. */
	if (strcmp(cur.state, ST_BOOTING) != 0 || cur.started != t->a.started) {
		store_rollback(ctx->store);
		agent_free_fields(&cur);
		return;
	}
	struct strv argv = {0};
	struct agent_env env = {ctx->home, ctx->socket, ctx->cfg->path};
	struct devent noprompt = {.kind = NULL};
	int64_t hid;
	int rc = 0, fresh = 1;
	/*
	 * A restart goes through resume whenever a handoff waits. A resume
	 * prompt that cannot be filled (a broken template) must not keep the
	 * agent down all night: it starts afresh, the handoff left open.
	 */
	if (handoff_open(ctx->store, &cur, &hid, NULL) == 0) {
		rc = resume_launch(ctx, &cur, hid, now, why);
		if ((fresh = rc == RESUME_NOPROMPT)) {
			noprompt.kind = "error";
			snprintf(noprompt.detail, sizeof noprompt.detail,
			    "cannot resume from handoff %" PRId64 ", starting afresh: %.200s",
			    hid, why);
		}
	}
	if (fresh) {
		rc = argv_from_json(cur.argv, &argv, why);
		if (rc == 0)
			rc = t->session ? agent_respawn(ctx->tmux, &env, &cur, argv.v, now, why) :
			    agent_launch(ctx->tmux, &env, &cur, argv.v, now, why);
		/* A session that vanished since the observation: start a new one. */
		if (rc != 0 && t->session)
			rc = agent_launch(ctx->tmux, &env, &cur, argv.v, now, why);
	}
	strv_free(&argv);
	struct decision d = {0};
	if (noprompt.kind)
		store_event_add(ctx->store, now, cur.name, noprompt.kind, 0, noprompt.detail, NULL);
	if (rc != 0) {
		int64_t times[STORE_CRASHES_KEPT];
		int n = store_crash_times(ctx->store, cur.name, times, STORE_CRASHES_KEPT, NULL);
		decide_launch_failed(&cur, why, times, n < 0 ? 0 : n, ctx->cfg, now, &d);
		if (d.crashed)
			store_crash_add(ctx->store, cur.name, now, -1, 0, NULL);
		record_events(ctx->store, now, cur.name, &d, NULL);
	}
	if (store_agent_update(ctx->store, &cur, NULL) == 0 &&
	    store_commit(ctx->store, NULL) == 0) {
		if (noprompt.kind)
			print_event(now, cur.name, &noprompt);
		for (int i = 0; i < d.nevents; i++)
			print_event(now, cur.name, &d.events[i]);
		want_pid(w, cur.pid);
	} else {
		store_rollback(ctx->store);
	}
	agent_free_fields(&cur);
}

/*
 * send_one types the text of a nudge or the pending task (literally, or as
 * a bracketed paste when it has several lines), or presses Enter: one tmux
 * exec, no waiting. A pending task that could not be typed goes back into
 * the row.
 */
static void
send_one(struct watch *w, struct todo *t, int64_t now)
{
	struct vigil_ctx *ctx = w->ctx;
	char target[64], why[VIGIL_ERR_LEN];
	agent_target(&t->a, target, sizeof target);
	int rc;
	if (t->act == ACT_ENTER)
		rc = tmux_send_key(ctx->tmux, target, "Enter", why);
	else
		rc = strchr(t->text, '\n') ? tmux_paste(ctx->tmux, target, t->text, why) :
		    tmux_send_literal(ctx->tmux, target, t->text, why);
	if (rc == TMUX_OK)
		return;
	struct devent e = {.kind = "error", .tier = t->a.tier};
	snprintf(e.detail, sizeof e.detail, "could not type: %.200s", why);
	if (store_begin(ctx->store, NULL) != 0)
		return;
	struct agent cur;
	if (t->pending && store_agent_get(ctx->store, t->a.name, &cur, NULL) == 0) {
		if (cur.pending == NULL) {
			cur.pending = xstrdup(t->text);
			cur.typed_at = 0;
			cur.noticed &= ~(NOTICED_TYPED | NOTICED_ENTER);
			store_agent_update(ctx->store, &cur, NULL);
		}
		agent_free_fields(&cur);
	}
	store_event_add(ctx->store, now, t->a.name, e.kind, e.tier, e.detail, NULL);
	if (store_commit(ctx->store, NULL) == 0)
		print_event(now, t->a.name, &e);
}

static void
log_event(struct watch *w, const char *agent, const char *kind, int tier,
    const char *detail, int64_t now)
{
	struct devent e = {.kind = kind, .tier = tier};
	snprintf(e.detail, sizeof e.detail, "%s", detail);
	if (store_event_add(w->ctx->store, now, agent, kind, tier, e.detail, NULL) == 0)
		print_event(now, agent, &e);
}

/*
 * triage_one starts AI triage for the agent (its triage tier), within the
 * budget: at most max_parallel at once, max_per_hour for the fleet. Over
 * budget, or without a prompt, the verdict is none and escalation goes on
 * by time.
 */
static void
triage_one(struct watch *w, struct todo *t, int64_t now)
{
	struct vigil_ctx *ctx = w->ctx;
	char why[VIGIL_ERR_LEN];
	struct buf b = {0};
	struct triage_result r;
	int ok = triage_budget_ok(ctx->store, ctx->cfg, now, (int)w->nruns, why);
	if (ok <= 0) {
		triage_result_none(&r, "over budget", ok < 0 ? "the store did not answer" : why);
		triage_verdict_detail(&r, &b);
		log_event(w, t->a.name, "verdict", 3, b.data, now);
		buf_free(&b);
		return;
	}
	if (triage_prompt(ctx->cfg, ctx->store, &t->a, t->screen ? t->screen : "", now, &b,
	    NULL, why) != 0) {
		buf_reset(&b);
		buf_printf(&b, "none: no prompt \xe2\x80\x94 %s", why);
		log_event(w, t->a.name, "verdict", 3, b.data, now);
		buf_free(&b);
		return;
	}
	struct triage_job *job = triage_start(ctx->cfg, b.data, b.len, now);
	buf_reset(&b);
	triage_command_line(ctx->cfg, &b);
	log_event(w, t->a.name, "triage", 3, b.data, now);
	buf_free(&b);
	w->runs = xrealloc(w->runs, (w->nruns + 1) * sizeof *w->runs);
	w->runs[w->nruns].job = job;
	snprintf(w->runs[w->nruns].name, sizeof w->runs[w->nruns].name, "%s", t->a.name);
	w->nruns++;
}

/* screen_of copies agent name's captured lines, or NULL. */
static char *
screen_of(const struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->nscreens; i++)
		if (strcmp(f->names[i], name) == 0)
			return xstrdup(f->screens[i].data ? f->screens[i].data : "");
	return NULL;
}

/* account_of is the account whose rate limits preset name shares. */
static const char *
account_of(const struct config *cfg, const char *preset)
{
	const struct preset *p = config_preset(cfg, preset);
	if (p == NULL)
		return preset;
	return p->account && *p->account ? p->account : p->name;
}

/*
 * share cools every other live agent of the account whose limit one agent
 * saw, to the same reset time: they share one quota, and each would only
 * run into it in turn. Done inside the tick's transaction.
 */
static int
share(struct watch *w, struct agent *next, size_t n, size_t origin, int64_t until,
    int64_t now, struct buf *shown, char *err)
{
	struct vigil_ctx *ctx = w->ctx;
	const char *acct = account_of(ctx->cfg, next[origin].preset);
	struct account_cooldown c = {.account = (char *)acct, .until = until, .since = now,
	    .agent = next[origin].name, .line = next[origin].cooldown_line};
	int rc = store_account_set(ctx->store, &c, err);
	for (size_t j = 0; rc == 0 && j < n; j++) {
		struct agent *b = &next[j];
		if (j == origin || strcmp(account_of(ctx->cfg, b->preset), acct) != 0 ||
		    !agent_is_live(b->state) || strcmp(b->state, ST_RESTARTING) == 0 ||
		    (strcmp(b->state, ST_COOLING) == 0 && b->cooldown_until >= until))
			continue;
		char dur[32];
		struct devent e = {.kind = "ratelimit", .tier = b->tier};
		snprintf(e.detail, sizeof e.detail, "%s, shared with %s (account %s): %.150s",
		    duration_format(until - now, dur, sizeof dur), next[origin].name, acct,
		    next[origin].cooldown_line ? next[origin].cooldown_line : "");
		free(b->state);
		b->state = xstrdup(ST_COOLING);
		b->state_since = now;
		free(b->cooldown_kind);
		b->cooldown_kind = xstrdup("ratelimit");
		free(b->cooldown_line);
		b->cooldown_line = xasprintf("shared with %s: %s", next[origin].name,
		    next[origin].cooldown_line ? next[origin].cooldown_line : "");
		b->cooldown_until = until;
		b->renewals = 0;
		if ((rc = store_agent_update(ctx->store, b, err)) == 0)
			rc = store_event_add(ctx->store, now, b->name, e.kind, e.tier, e.detail, err);
		show_event(shown, now, b->name, &e);
	}
	return rc;
}

/* todo_free frees what a todo holds. */
static void
todo_free(struct todo *t)
{
	agent_free_fields(&t->a);
	agent_free_fields(&t->prev);
	free(t->text);
	free(t->screen);
}

/*
 * act does what the transaction decided: launches (after the checkpoint or
 * handoff the decision asked for), typing, kills, triage, notifications.
 */
static void
act(struct watch *w, struct todo *t, int64_t now)
{
	struct vigil_ctx *ctx = w->ctx;
	char err[VIGIL_ERR_LEN];
	if (t->act == ACT_LAUNCH || t->act == ACT_KILL)
		before(w, t, now);
	switch (t->act) {
	case ACT_LAUNCH:
		launch_one(w, t, now);
		break;
	case ACT_TYPE:
	case ACT_ENTER:
		send_one(w, t, now);
		break;
	case ACT_KILL:
		tmux_kill_session(ctx->tmux, t->a.name, NULL);
		break;
	case ACT_TRIAGE:
		triage_one(w, t, now);
		break;
	case ACT_NONE:
		break;
	}
	if (t->notify && notify_start(w->notifier, ctx->cfg, t->ev.kind, t->a.name,
	    t->ev.detail, now, err) == -1)
		fprintf(stderr, "vigil: watch: warning: %s\n", err);
}

int
watch_tick(struct watch *w, int64_t *wake)
{
	struct vigil_ctx *ctx = w->ctx;
	struct fleet f;
	char err[VIGIL_ERR_LEN];
	struct buf shown = {0};
	struct agent *agents = NULL, *next = NULL;
	struct todo *todo = NULL;
	int64_t *shares = NULL;
	size_t n = 0, ntodo = 0, decided = 0;
	int rc = 0;

	*wake = 0;
	w->nwant = 0;
	observe_fleet(ctx->tmux, &f);
	int64_t now = w->clock();
	tmux_health(w, &f, now);
	/*
	 * The screens are read before the transaction (tmux must not be
	 * waited on while the store is locked): the agents are read twice,
	 * here without the lock for what to capture, below under it.
	 */
	if (store_agent_list(ctx->store, &agents, &n, NULL) == 0) {
		observe_screens(ctx->tmux, &f, agents, n, ctx->cfg);
		now = w->clock();
	}
	agent_array_free(agents, n);
	agents = NULL;
	n = 0;

	if ((rc = store_begin(ctx->store, err)) != 0) {
		fprintf(stderr, "vigil: watch: warning: %s: retrying next tick\n", err);
		observe_fleet_free(&f);
		return -1;
	}
	if ((rc = store_agent_list(ctx->store, &agents, &n, err)) != 0)
		goto fail;
	next = xcalloc(n ? n : 1, sizeof *next);
	shares = xcalloc(n ? n : 1, sizeof *shares);
	todo = xcalloc(n ? n : 1, sizeof *todo);
	for (size_t i = 0; i < n; i++) {
		struct agent *a = &agents[i];
		struct obs o;
		struct decision d;
		int64_t times[STORE_CRASHES_KEPT];
		int nt = 0;
		observe_agent(&f, a, ctx->cfg, ctx->home, now, &o);
		if (o.tmux_ok && may_end(&o) && agent_is_live(a->state)) {
			nt = store_crash_times(ctx->store, a->name, times, STORE_CRASHES_KEPT, err);
			if (nt < 0) {
				rc = nt;
				goto fail;
			}
		}
		agent_copy(&next[i], a);
		decide(&next[i], &o, times, nt, ctx->cfg, now, &d);
		decided = i + 1;
		shares[i] = d.share_until;
		if (d.crashed &&
		    (rc = store_crash_add(ctx->store, a->name, now, next[i].exit_code,
		    next[i].exit_signal, err)) != 0)
			goto fail_decision;
		if ((rc = record_events(ctx->store, now, a->name, &d, err)) != 0)
			goto fail_decision;
		if (!agent_equal(a, &next[i]) &&
		    (rc = store_agent_update(ctx->store, &next[i], err)) != 0)
			goto fail_decision;
		if (d.wake && (*wake == 0 || d.wake < *wake))
			*wake = d.wake;
		if (d.act != ACT_NONE || d.notify) {
			struct todo *t = &todo[ntodo++];
			agent_copy(&t->a, &next[i]);
			agent_copy(&t->prev, a);
			t->act = d.act;
			t->session = o.session;
			t->text = d.act == ACT_TYPE ? d.send_text : NULL;
			t->pending = d.send_pending;
			t->checkpoint = d.checkpoint;
			if (d.act == ACT_TRIAGE)
				t->screen = screen_of(&f, a->name);
			snprintf(t->handoff, sizeof t->handoff, "%s", d.handoff);
			t->notify = d.notify;
			if (d.notify)
				t->ev = d.events[d.notify_event];
			if (d.act != ACT_TYPE)
				free(d.send_text);
		} else {
			free(d.send_text);
		}
		/*
		 * Keep an eye on the processes: their end wakes the loop. The
		 * wrapper (the pane's pid) ends right after its child and has
		 * written how by then; a named process under a shell is watched
		 * too, since its end leaves the pane alive (a zombie).
		 */
		if (agent_is_live(next[i].state)) {
			want_pid(w, next[i].pid);
			if (o.agent_found)
				want_pid(w, next[i].agent_pid);
		}
		show_events(&shown, now, a->name, &d);
		continue;
fail_decision:
		free(d.send_text);
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (shares[i] && (rc = share(w, next, n, i, shares[i], now, &shown, err)) != 0)
			goto fail;
	struct heartbeat h = {.pid = getpid(), .started = w->started, .beat = now,
	    .interval = w->interval, .ticks = ++w->ticks};
	snprintf(h.boot_id, sizeof h.boot_id, "%s", f.boot_id);
	if ((rc = store_heartbeat_set(ctx->store, &h, err)) != 0)
		goto fail;
	if ((rc = store_commit(ctx->store, err)) != 0)
		goto fail_committed;
	observe_fleet_free(&f);
	if (shown.len)
		fputs(shown.data, stderr);
	for (size_t i = 0; i < ntodo; i++)
		act(w, &todo[i], now);
	rc = 0;
	goto out;

fail:
	store_rollback(ctx->store);
fail_committed:
	fprintf(stderr, "vigil: watch: warning: %s: retrying next tick\n", err);
	observe_fleet_free(&f);
	rc = -1;
out:
	for (size_t i = 0; i < ntodo; i++)
		todo_free(&todo[i]);
	free(todo);
	for (size_t i = 0; i < decided; i++)
		agent_free_fields(&next[i]);
	free(next);
	free(shares);
	agent_array_free(agents, n);
	buf_free(&shown);
	return rc;
}

/*
 * verdict applies one finished triage run: the verdict event and what the
 * verdict asks for, decided on the agent as it is now (in a transaction),
 * done after it.
 */
static void
verdict(struct watch *w, const char *name, const struct triage_result *r, int64_t now)
{
	struct vigil_ctx *ctx = w->ctx;
	struct buf detail = {0};
	struct agent a, next;
	struct decision d;
	struct todo t = {0};
	int64_t times[STORE_CRASHES_KEPT];
	triage_verdict_detail(r, &detail);
	if (store_begin(ctx->store, NULL) != 0) {
		buf_free(&detail);
		return;
	}
	if (store_agent_get(ctx->store, name, &a, NULL) != 0) {
		store_rollback(ctx->store);
		log_event(w, name, "verdict", 3, detail.data, now);
		buf_free(&detail);
		return;
	}
	int nt = store_crash_times(ctx->store, name, times, STORE_CRASHES_KEPT, NULL);
	agent_copy(&next, &a);
	decide_verdict(&next, r->kind, r->text, detail.data, times, nt < 0 ? 0 : nt, ctx->cfg,
	    now, &d);
	int rc = record_events(ctx->store, now, name, &d, NULL);
	if (rc == 0 && !agent_equal(&a, &next))
		rc = store_agent_update(ctx->store, &next, NULL);
	if (rc == 0 && store_commit(ctx->store, NULL) == 0) {
		for (int i = 0; i < d.nevents; i++)
			print_event(now, name, &d.events[i]);
		if (d.act != ACT_NONE || d.notify) {
			agent_copy(&t.a, &next);
			agent_copy(&t.prev, &a);
			t.act = d.act;
			t.session = 1;
			snprintf(t.handoff, sizeof t.handoff, "%s", d.handoff);
			t.notify = d.notify;
			if (d.notify)
				t.ev = d.events[d.notify_event];
			act(w, &t, now);
			todo_free(&t);
		}
	} else {
		store_rollback(ctx->store);
	}
	free(d.send_text);
	agent_free_fields(&a);
	agent_free_fields(&next);
	buf_free(&detail);
}

int64_t
watch_triage(struct watch *w, int64_t now)
{
	int64_t next = 0;
	for (size_t i = 0; i < w->nruns;) {
		struct triage_result r;
		if (triage_poll(w->runs[i].job, now, &r) == 1) {
			char name[65];
			snprintf(name, sizeof name, "%s", w->runs[i].name);
			triage_free(w->runs[i].job);
			w->runs[i] = w->runs[--w->nruns];
			verdict(w, name, &r, now);
			continue;
		}
		int64_t dl = triage_deadline(w->runs[i].job);
		if (dl && (next == 0 || dl < next))
			next = dl;
		i++;
	}
	return next;
}

void
watch_triage_stop(struct watch *w)
{
	for (size_t i = 0; i < w->nruns; i++)
		triage_free(w->runs[i].job);
	free(w->runs);
	w->runs = NULL;
	w->nruns = 0;
}
