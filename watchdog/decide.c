/*
 * decide.c - the watchdog's state machine, in the manner of s6-supervise:
 * states with deadlines, a death tally with a ceiling, and a reserved
 * answer ("no") that means do not restart. Everything here is pure; the
 * caller observes before and acts after.
 *
 * Restarts are never done directly: a crash schedules one (state
 * restarting, next_at), and a due restart launches. A watchdog killed
 * between deciding and acting finds the schedule in the store and goes
 * on; a launch that did happen shows as a new pane pid and is adopted, so
 * an agent is never started twice for one crash.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "agent.h"
#include "config.h"
#include "decide.h"
#include "duration.h"

static void
set_str(char **field, const char *v)
{
	if (*field && v && strcmp(*field, v) == 0)
		return;
	free(*field);
	*field = v ? xstrdup(v) : NULL;
}

static void
set_state(struct agent *a, const char *state, int64_t now)
{
	if (strcmp(a->state, state) == 0)
		return;
	set_str(&a->state, state);
	a->state_since = now;
}

static struct devent *
event(struct decision *d, const char *kind, int tier, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct devent *
event(struct decision *d, const char *kind, int tier, const char *fmt, ...)
{
	if (d->nevents >= DECIDE_MAX_EVENTS)
		return NULL;
	struct devent *e = &d->events[d->nevents++];
	e->kind = kind;
	e->tier = tier;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	return e;
}

static void
notify(struct decision *d)
{
	d->notify = 1;
	d->notify_event = d->nevents - 1;
}

int64_t
backoff_delay(int streak, int64_t base, double factor, int64_t max)
{
	if (streak <= 1)
		return 0;
	double v = (double)base * pow(factor, streak - 2);
	if (!isfinite(v) || v > (double)max)
		return max;
	return (int64_t)v;
}

/*
 * schedule decides what follows an end that the policy calls for a restart:
 * a crash-loop cooldown, a backoff, or failed. why says what ended it.
 */
static void
schedule(struct agent *a, const int64_t *crash_times, int ncrash, int crashed,
    const struct config *cfg, int64_t now, struct decision *d)
{
	char dur[32], win[32];
	if (a->restarts >= cfg->max_restarts) {
		set_state(a, ST_FAILED, now);
		a->next_at = 0;
		set_str(&a->note, "gave up: too many restarts");
		event(d, "failed", 0, "gave up after %d restart%s (max_restarts %d)",
		    a->restarts, a->restarts == 1 ? "" : "s", cfg->max_restarts);
		notify(d);
		return;
	}
	/* A run longer than the crash window ends the streak of crashes. */
	if (a->started && now - a->started >= cfg->crash_window)
		a->streak = 0;
	a->streak++;
	if (crashed) {
		int inwin = 1;
		for (int i = 0; i < ncrash; i++)
			if (crash_times[i] > now - cfg->crash_window)
				inwin++;
		if (inwin >= cfg->crash_max_in_window) {
			set_state(a, ST_COOLING, now);
			set_str(&a->cooldown_kind, "crashloop");
			set_str(&a->cooldown_line, NULL);
			a->cooldown_until = a->next_at = now + cfg->crash_cooldown;
			duration_format(cfg->crash_cooldown, dur, sizeof dur);
			duration_format(cfg->crash_window, win, sizeof win);
			event(d, "crashloop", 0, "%s cooldown after %d crashes in %s", dur, inwin, win);
			notify(d);
			d->wake = a->next_at;
			return;
		}
	}
	int64_t delay = backoff_delay(a->streak, cfg->backoff_base, cfg->backoff_factor,
	    cfg->backoff_max);
	set_state(a, ST_RESTARTING, now);
	a->next_at = now + delay;
	if (delay > 0) {
		duration_format(delay, dur, sizeof dur);
		event(d, "backoff", 0, "%s before restart %d (%d in a row)", dur,
		    a->restarts + 1, a->streak);
	}
	d->wake = a->next_at;
}

/* ended handles the agent's end: crash (restart per policy) or done. */
static void
ended(struct agent *a, const char *kind, const char *why, int known, int status,
    const int64_t *crash_times, int ncrash, const struct config *cfg, int64_t now,
    struct decision *d)
{
	int clean = known && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	a->exit_code = known && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	a->exit_signal = known && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	a->agent_pid = 0;
	if (clean) {
		event(d, "done", 0, "exit 0");
		if (strcmp(a->restart, "always") != 0) {
			set_state(a, ST_DONE, now);
			a->next_at = 0;
			return;
		}
		schedule(a, crash_times, ncrash, 0, cfg, now, d);
		return;
	}
	if (kind)
		event(d, kind, a->tier, "%s", why);
	event(d, "crash", a->tier, "%s", why);
	d->crashed = 1;
	if (strcmp(a->restart, "no") == 0) {
		set_state(a, kind ? kind : ST_DEAD, now);
		set_str(&a->note, "not restarted: restart policy no");
		a->next_at = 0;
		return;
	}
	/*
	 * The work it left is kept before anything starts over it: a
	 * checkpoint; when the whole server went (or the machine rebooted) a
	 * handoff too, so that the agent resumes where it stood.
	 */
	if (kind && strcmp(kind, ST_DEAD) == 0 && (strstr(why, "server") ||
	    strstr(why, "rebooted")))
		snprintf(d->handoff, sizeof d->handoff, "%s", why);
	else
		d->checkpoint = 1;
	schedule(a, crash_times, ncrash, 1, cfg, now, d);
}

static void
launch(struct agent *a, int64_t now, struct decision *d)
{
	d->act = ACT_LAUNCH;
	a->restarts++;
	if (a->exit_signal)
		event(d, "restart", 0, "restart %d after signal %d", a->restarts, a->exit_signal);
	else if (a->exit_code >= 0)
		event(d, "restart", 0, "restart %d after exit %d", a->restarts, a->exit_code);
	else
		event(d, "restart", 0, "restart %d", a->restarts);
	agent_new_episode(a);
	set_state(a, ST_BOOTING, now);
	set_str(&a->cooldown_kind, NULL);
	set_str(&a->note, NULL);
	a->cooldown_until = 0;
	a->next_at = 0;
	a->started = a->last_seen = now;
}

static void
status_text(int status, char *out, size_t n)
{
	if (WIFSIGNALED(status))
		snprintf(out, n, "signal %d", WTERMSIG(status));
	else if (WIFEXITED(status))
		snprintf(out, n, "exit %d", WEXITSTATUS(status));
	else
		snprintf(out, n, "status %d", status);
}

/* alive records a live incarnation: the pane's pid and the agent's. */
static void
alive(struct agent *a, const struct obs *o, int64_t now)
{
	if (a->pid != o->pane_pid) {
		a->pid = o->pane_pid;
		a->started = a->started ? a->started : now;
	}
	a->agent_pid = o->agent_pid;
	if (o->agent_found)
		a->seen_proc = 1;
	a->last_seen = now;
	if (strcmp(a->state, ST_BOOTING) == 0 || strcmp(a->state, ST_RESTARTING) == 0) {
		set_state(a, ST_WORKING, now);
		a->last_change = now;
	}
}


/* ago formats how long ms is, for event details ("unchanged for 12m"). */
static const char *
ago(int64_t ms, char *out, size_t n)
{
	return duration_format(ms, out, n);
}

/*
 * progress puts the agent back to tier 0: a new stall episode starts at
 * the next unchanged screen.
 */
static void
progress(struct agent *a, const struct obs *o, int64_t now)
{
	a->last_change = now;
	a->tier = 0;
	a->stall_since = 0;
	a->tier_clock = 0;
	a->nudges = 0;
	a->triages = 0;
	a->noticed = 0;
	a->typed_at = 0;
	set_state(a, o->idle ? ST_IDLE : ST_WORKING, now);
}

/* nudge_due is when the k-th nudge of an episode is due, on the tier clock. */
static int64_t
nudge_due(const struct config *cfg, int64_t clock, int k)
{
	int64_t gap = cfg->max_nudges > 0 ?
	    (cfg->triage_after - cfg->nudge_after) / cfg->max_nudges : 0;
	if (gap < 0)
		gap = 0;
	return clock + cfg->nudge_after + (int64_t)k * gap;
}

/* terminate ends an episode that lasted terminate_after. */
static void
terminate(struct agent *a, const struct config *cfg, int64_t since, int64_t now,
    const int64_t *crash_times, int ncrash, struct decision *d)
{
	char dur[32];
	a->tier = 4;
	event(d, "terminate", 4, "unchanged for %s", ago(now - since, dur, sizeof dur));
	notify(d);
	snprintf(d->handoff, sizeof d->handoff, "terminated: unchanged for %s", dur);
	if (strcmp(a->restart, "no") == 0) {
		d->act = ACT_KILL;
		set_state(a, ST_STOPPED, now);
		set_str(&a->note, "terminated: unchanged too long; restart policy no");
		a->next_at = 0;
		return;
	}
	schedule(a, crash_times, ncrash, 0, cfg, now, d);
	if (strcmp(a->state, ST_RESTARTING) == 0 && a->next_at <= now)
		launch(a, now, d);
	else if (strcmp(a->state, ST_FAILED) == 0)
		d->act = ACT_KILL; /* no restart left: still, it does not hang on */
}


static int
is_cooling_limit(const struct agent *a)
{
	return strcmp(a->state, ST_COOLING) == 0 && a->cooldown_kind &&
	    strcmp(a->cooldown_kind, "ratelimit") == 0;
}

/* clock_text writes ms as the local time of day people read ("15:04"). */
static void
clock_text(int64_t ms, int64_t now, char *out, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, ms - now > 86400000 ? "%a %H:%M" : "%H:%M", &tm);
}

/*
 * limited starts a rate-limit cooldown: until the reset time the message
 * gives (plus a margin), else the default cooldown. The line is handled
 * once: while it stays on screen it never starts another.
 */
static void
limited(struct agent *a, const struct obs *o, const char *how, const struct config *cfg,
    int64_t now, struct decision *d)
{
	char dur[32], at[32];
	int64_t until = o->limit_until ? o->limit_until + cfg->rl_margin : now + cfg->rl_cooldown;
	set_state(a, ST_COOLING, now);
	set_str(&a->cooldown_kind, "ratelimit");
	set_str(&a->cooldown_line, o->limit);
	set_str(&a->limit_hash, o->limit_hash);
	if (o->captured)
		set_str(&a->hash, o->hash);
	a->cooldown_until = until;
	a->renewals = 0;
	a->noticed &= ~(NOTICED_TYPED | NOTICED_ENTER);
	clock_text(until, now, at, sizeof at);
	event(d, "ratelimit", a->tier, "%s%s until %s (%s): %s", how,
	    duration_format(until - now, dur, sizeof dur), at,
	    o->limit_until ? "reset read from the message" : "default cooldown", o->limit);
	notify(d);
	if (o->limit_until && cfg->rl_shared)
		d->share_until = until;
	d->wake = until;
}

/*
 * cooled handles a live agent in a rate-limit cooldown: nothing (no tiers,
 * no nudges) until it ends; then, if the limit is still what the screen
 * shows, a shorter cooldown (cooldown / renewals), a forced restart after
 * max_renewals; if the screen moved on, the preset's resume text.
 */
static void
cooled(struct agent *a, const struct obs *o, const int64_t *crash_times, int ncrash,
    const struct config *cfg, int64_t now, struct decision *d)
{
	char dur[32];
	if (now < a->cooldown_until) {
		d->wake = a->cooldown_until;
		return;
	}
	int still = o->limit[0] && a->hash && strcmp(o->hash, a->hash) == 0;
	if (still) {
		a->renewals++;
		if (a->renewals > cfg->max_renewals) {
			event(d, "renew", a->tier, "the limit still shows after %d renewals: "
			    "forced restart", a->renewals - 1);
			snprintf(d->handoff, sizeof d->handoff, "forced restart: rate limit "
			    "still on screen after %d renewals", a->renewals - 1);
			set_str(&a->cooldown_kind, NULL);
			a->cooldown_until = 0;
			schedule(a, crash_times, ncrash, 0, cfg, now, d);
			if (strcmp(a->state, ST_RESTARTING) == 0 && a->next_at <= now)
				launch(a, now, d);
			else if (strcmp(a->state, ST_FAILED) == 0)
				d->act = ACT_KILL;
			return;
		}
		int64_t len = cfg->rl_cooldown / a->renewals;
		a->cooldown_until = now + len;
		event(d, "renew", a->tier, "%s (renewal %d of %d): the limit still shows",
		    duration_format(len, dur, sizeof dur), a->renewals, cfg->max_renewals);
		d->wake = a->cooldown_until;
		return;
	}
	const struct preset *ps = config_preset(cfg, a->preset);
	const char *text = ps && ps->resume && *ps->resume ? ps->resume : NULL;
	event(d, "cooldown-end", a->tier, "the limit is gone%s%s%s", text ? "; typing '" : "",
	    text ? text : "", text ? "'" : "");
	set_str(&a->cooldown_kind, NULL);
	a->cooldown_until = 0;
	a->renewals = 0;
	progress(a, o, now); /* a new episode starts now, at tier 0 */
	if (o->captured)
		set_str(&a->hash, o->hash);
	if (text) {
		d->act = ACT_TYPE;
		d->send_text = xstrdup(text);
		a->typed_at = now;
		a->noticed |= NOTICED_TYPED;
	}
}

/*
 * screen applies tiers 1-4 to a live agent whose screen was read: real
 * change is progress; an unchanged screen walks warn, nudge, triage and
 * terminate on the clock of its stall episode.
 */
static void
screen(struct agent *a, const struct obs *o, const int64_t *crash_times, int ncrash,
    const struct config *cfg, int64_t now, struct decision *d)
{
	char dur[32];
	if (!o->captured)
		return;
	if (is_cooling_limit(a)) {
		cooled(a, o, crash_times, ncrash, cfg, now, d);
		return;
	}
	if (o->limit[0] && (a->limit_hash == NULL || strcmp(a->limit_hash, o->limit_hash) != 0)) {
		limited(a, o, "", cfg, now, d);
		return;
	}
	/*
	 * Typing is spread over ticks so that no tick waits on a CLI: the
	 * text one tick, Enter the next, and the one after checks that Enter
	 * was taken (the screen moved), pressing it once more if not. What
	 * the screen does meanwhile is the echo of vigil's own typing: a new
	 * baseline, never progress; the stall clock keeps running.
	 */
	int changed = a->hash == NULL || strcmp(a->hash, o->hash) != 0;
	int first = a->hash == NULL;
	if (changed)
		set_str(&a->hash, o->hash);
	if (a->noticed & NOTICED_TYPED) {
		a->noticed &= ~NOTICED_TYPED;
		a->noticed |= NOTICED_ENTER;
		d->act = ACT_ENTER;
		return;
	}
	if (a->noticed & NOTICED_ENTER) {
		a->noticed &= ~NOTICED_ENTER;
		if (!changed)
			d->act = ACT_ENTER; /* swallowed: once more */
		return;
	}
	if (changed && !first && a->typed_at && now - a->typed_at <= 2 * cfg->interval +
	    cfg->confirm) {
		a->typed_at = 0; /* the last of the echo */
		changed = 0;
	}
	if (changed) {
		progress(a, o, now);
		return;
	}
	if (o->activity > a->last_change) {
		progress(a, o, now);
		return;
	}

	const struct preset *ps = config_preset(cfg, a->preset);
	int64_t since = a->last_change;
	int64_t clock = a->tier_clock ? a->tier_clock : since;
	if (a->stall_since == 0)
		a->stall_since = since;
	set_state(a, o->idle ? ST_IDLE : a->tier >= 1 ? ST_STALLED : ST_WORKING, now);

	/* A trust dialog waits for a person: say so once, never press a key. */
	if (o->trust[0] && !(a->noticed & NOTICED_TRUST)) {
		a->noticed |= NOTICED_TRUST;
		event(d, "warn", a->tier, "trust dialog on screen, a person must answer: %s",
		    o->trust);
		notify(d);
	}

	/* The task spawn could not type: now the screen is still, type it. */
	if (a->pending && !o->busy && !o->attached && !o->trust[0] &&
	    !(a->noticed & (NOTICED_TYPED | NOTICED_ENTER)) &&
	    now - since >= cfg->interval) {
		d->act = ACT_TYPE;
		d->send_text = a->pending;
		d->send_pending = 1;
		a->pending = NULL;
		a->typed_at = now;
		a->noticed |= NOTICED_TYPED;
		return;
	}

	/* Tier 1: warn (an agent idle at its prompt skips it: see nudge). */
	if (now - clock >= cfg->warn_after && !o->idle && !(a->noticed & NOTICED_WARN)) {
		a->noticed |= NOTICED_WARN;
		if (a->tier < 1)
			a->tier = 1;
		set_state(a, ST_STALLED, now);
		event(d, "warn", 1, "unchanged for %s%s%s", ago(now - since, dur, sizeof dur),
		    o->busy ? ", busy: " : "", o->busy ? o->busy : "");
	}

	/* Tier 2: nudge, at most max_nudges per episode, never interrupting. */
	if (a->nudges < cfg->max_nudges && now >= nudge_due(cfg, clock, a->nudges) &&
	    ps && ps->nudge && *ps->nudge) {
		const char *held = o->trust[0] ? "a trust dialog is on screen" :
		    o->attached ? "a person is attached" : o->busy ? "busy" : NULL;
		if (held) {
			if (!(a->noticed & NOTICED_HELD)) {
				a->noticed |= NOTICED_HELD;
				if (strcmp(held, "busy") == 0)
					event(d, "nudge", a->tier < 2 ? 2 : a->tier, "held: busy (%s)",
					    o->busy);
				else
					event(d, "nudge", a->tier < 2 ? 2 : a->tier, "held: %s", held);
			}
		} else if (d->act == ACT_NONE) {
			a->nudges++;
			a->noticed &= ~NOTICED_HELD;
			if (a->tier < 2)
				a->tier = 2;
			a->typed_at = now;
			a->noticed |= NOTICED_TYPED;
			d->act = ACT_TYPE;
			d->send_text = xstrdup(ps->nudge);
			event(d, "nudge", 2, "%s %s: %s", o->idle ? "idle at its prompt for" :
			    "unchanged for", ago(now - since, dur, sizeof dur), ps->nudge);
			if (!o->idle)
				set_state(a, ST_STALLED, now);
		}
	}

	/* Tier 3: AI triage, once per episode. */
	if (now - clock >= cfg->triage_after && a->tier < 3) {
		a->tier = 3;
		set_state(a, o->idle ? ST_IDLE : ST_STALLED, now);
		if (a->triages == 0 && d->act == ACT_NONE) {
			a->triages++;
			d->act = ACT_TRIAGE;
		}
	}

	/* Tier 4: terminate, bounded by the whole episode, reprieve or not. */
	if (now - since >= cfg->terminate_after) {
		d->act = ACT_NONE;
		free(d->send_text);
		d->send_text = NULL;
		a->noticed &= ~NOTICED_TYPED;
		terminate(a, cfg, since, now, crash_times, ncrash, d);
		return;
	}
	/* Wake for the next tier, so thresholds below the interval are honoured. */
	int64_t next = since + cfg->terminate_after;
	int64_t cands[] = {clock + cfg->warn_after, nudge_due(cfg, clock, a->nudges),
	    clock + cfg->triage_after};
	for (size_t i = 0; i < 3; i++)
		if (cands[i] > now && cands[i] < next)
			next = cands[i];
	if (d->wake == 0 || next < d->wake)
		d->wake = next;
}

void
decide(struct agent *a, const struct obs *o, const int64_t *crash_times,
    int ncrash, const struct config *cfg, int64_t now, struct decision *d)
{
	memset(d, 0, sizeof *d);
	/* Stopped, failed, done, and those the policy left dead: not ours. */
	if (!agent_is_live(a->state) || strcmp(a->state, ST_DEAD) == 0 ||
	    strcmp(a->state, ST_ZOMBIE) == 0)
		return;
	/* Signal priority: tmux first. Without tmux's word, do nothing. */
	if (!o->tmux_ok)
		return;

	/* A limit on the screen of a pane that ended: a quota exit, not a crash. */
	int gone = !o->session || o->exited || o->pane_dead;
	int quota = gone && o->limit[0] && !is_cooling_limit(a) &&
	    (a->limit_hash == NULL || strcmp(a->limit_hash, o->limit_hash) != 0);
	if (quota) {
		a->agent_pid = 0;
		limited(a, o, "exited on a quota; ", cfg, now, d);
		a->next_at = a->cooldown_until;
		return;
	}
	int waiting = strcmp(a->state, ST_RESTARTING) == 0 ||
	    (strcmp(a->state, ST_COOLING) == 0 && a->cooldown_kind &&
	    strcmp(a->cooldown_kind, "crashloop") == 0) ||
	    (is_cooling_limit(a) && gone);
	if (waiting && a->next_at == 0)
		a->next_at = a->cooldown_until;
	if (waiting) {
		/* A launch that happened before a watchdog died: adopt it. */
		if (o->session && !o->pane_dead && !o->exited && o->pane_pid &&
		    o->pane_pid != a->pid && o->agent_pid) {
			agent_new_episode(a);
			set_str(&a->cooldown_kind, NULL);
			a->cooldown_until = a->next_at = 0;
			alive(a, o, now);
			return;
		}
		if (now >= a->next_at) {
			launch(a, now, d);
			return;
		}
		d->wake = a->next_at;
		return;
	}

	char why[128];
	if (!o->session) {
		if (strcmp(a->state, ST_BOOTING) == 0 && now - a->state_since < cfg->boot_grace) {
			d->wake = a->state_since + cfg->boot_grace;
			return;
		}
		snprintf(why, sizeof why, "%s", o->rebooted ? "the machine rebooted" :
		    o->server_gone ? "the tmux server is gone" : "the session is gone");
		ended(a, ST_DEAD, why, 0, 0, crash_times, ncrash, cfg, now, d);
	} else if (o->exited && o->hup) {
		/* Its terminal hung up: killed with its session, whatever it said. */
		status_text(o->status, why, sizeof why);
		strcat(why, " after its terminal hung up");
		ended(a, ST_DEAD, why, 0, 0, crash_times, ncrash, cfg, now, d);
		a->exit_code = WIFEXITED(o->status) ? WEXITSTATUS(o->status) : -1;
		a->exit_signal = WIFSIGNALED(o->status) ? WTERMSIG(o->status) : 0;
	} else if (o->exited || o->pane_dead) {
		if (o->exited)
			status_text(o->status, why, sizeof why);
		else
			snprintf(why, sizeof why, "ended, status unknown");
		ended(a, NULL, why, o->exited, o->status, crash_times, ncrash, cfg, now, d);
	} else if (o->agent_pid == 0 || (o->named && !o->agent_found && a->seen_proc)) {
		if (o->named && a->seen_proc && o->agent_pid) {
			/*
			 * The pane lives on (a shell under the wrapper), the agent's
			 * process is gone. With nothing under the wrapper, it is
			 * ending instead, and its exit file tells how (below).
			 */
			snprintf(why, sizeof why, "process '%s' gone from a live pane",
			    o->named);
			ended(a, ST_ZOMBIE, why, 0, 0, crash_times, ncrash, cfg, now, d);
		} else if (now - a->last_seen >= cfg->boot_grace) {
			/*
			 * Nothing under the pane for longer than boot_grace: its
			 * wrapper is stuck before it started the agent (stopped,
			 * say), as no exit file came. The screen tiers end it by
			 * time, as any stall.
			 */
			if (strcmp(a->state, ST_BOOTING) == 0) {
				set_state(a, ST_WORKING, now);
				a->last_change = a->last_seen;
			}
			screen(a, o, crash_times, ncrash, cfg, now, d);
			return;
		} else {
			/* Else the wrapper is starting or ending: wait a while. */
			d->wake = a->last_seen + cfg->boot_grace;
		}
	} else {
		alive(a, o, now);
		screen(a, o, crash_times, ncrash, cfg, now, d);
		return;
	}
	/* The first crash of a streak restarts at once, in this very tick. */
	if (strcmp(a->state, ST_RESTARTING) == 0 && a->next_at <= now)
		launch(a, now, d);
}

void
decide_launch_failed(struct agent *a, const char *why, const int64_t *crash_times,
    int ncrash, const struct config *cfg, int64_t now, struct decision *d)
{
	memset(d, 0, sizeof *d);
	event(d, "error", a->tier, "cannot start: %s", why);
	event(d, "crash", a->tier, "did not start");
	d->crashed = 1;
	schedule(a, crash_times, ncrash, 1, cfg, now, d);
}

void
decide_verdict(struct agent *a, enum verdict_kind kind, const char *text,
    const char *detail, const int64_t *crash_times, int ncrash,
    const struct config *cfg, int64_t now, struct decision *d)
{
	memset(d, 0, sizeof *d);
	event(d, "verdict", 3, "%s", detail);
	int stalled = agent_is_live(a->state) && a->tier >= 3 &&
	    strcmp(a->state, ST_RESTARTING) != 0 && strcmp(a->state, ST_COOLING) != 0 &&
	    strcmp(a->state, ST_DEAD) != 0 && strcmp(a->state, ST_ZOMBIE) != 0;
	if (!stalled)
		return;
	switch (kind) {
	case VERDICT_CONTINUE:
		a->tier_clock = now - cfg->triage_after;
		break;
	case VERDICT_NUDGE:
		if (a->pending == NULL && text && *text)
			a->pending = xstrdup(text);
		break;
	case VERDICT_RESTART:
		snprintf(d->handoff, sizeof d->handoff, "triage verdict: RESTART");
		schedule(a, crash_times, ncrash, 0, cfg, now, d);
		if (strcmp(a->state, ST_RESTARTING) == 0 && a->next_at <= now)
			launch(a, now, d);
		break;
	case VERDICT_TERMINATE:
		a->tier = 4;
		event(d, "terminate", 4, "triage verdict: TERMINATE");
		notify(d);
		snprintf(d->handoff, sizeof d->handoff, "triage verdict: TERMINATE");
		set_state(a, ST_STOPPED, now);
		set_str(&a->note, "terminated by the triage verdict");
		a->next_at = 0;
		d->act = ACT_KILL;
		break;
	case VERDICT_NONE:
		break;
	}
}
