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

/* fresh clears what belongs to one incarnation of the agent. */
static void
fresh(struct agent *a)
{
	a->tier = 0;
	a->stall_since = 0;
	a->tier_clock = 0;
	a->nudges = 0;
	a->triages = 0;
	set_str(&a->hash, NULL);
	a->seen_proc = 0;
	a->agent_pid = 0;
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
	fresh(a);
	set_state(a, ST_BOOTING, now);
	set_str(&a->cooldown_kind, NULL);
	set_str(&a->note, NULL);
	a->cooldown_until = 0;
	a->next_at = 0;
	a->started = now;
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

	int waiting = strcmp(a->state, ST_RESTARTING) == 0 ||
	    (strcmp(a->state, ST_COOLING) == 0 && a->cooldown_kind &&
	    strcmp(a->cooldown_kind, "crashloop") == 0);
	if (waiting) {
		/* A launch that happened before a watchdog died: adopt it. */
		if (o->session && !o->pane_dead && !o->exited && o->pane_pid &&
		    o->pane_pid != a->pid && o->agent_pid) {
			fresh(a);
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
	} else if (o->exited || o->pane_dead) {
		if (o->exited)
			status_text(o->status, why, sizeof why);
		else
			snprintf(why, sizeof why, "ended, status unknown");
		ended(a, NULL, why, o->exited, o->status, crash_times, ncrash, cfg, now, d);
	} else if (o->agent_pid == 0 || (o->named && !o->agent_found && a->seen_proc)) {
		if (o->named && a->seen_proc) {
			/* The pane lives on (a shell), the agent's process is gone. */
			snprintf(why, sizeof why, "process '%s' gone from a live pane",
			    o->named);
			ended(a, ST_ZOMBIE, why, 0, 0, crash_times, ncrash, cfg, now, d);
		}
		/* Else the wrapper is ending: its exit file comes next tick. */
	} else {
		alive(a, o, now);
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
