/*
 * decide.h - the watchdog's decisions: a pure function of (the agent's
 * record, what was observed this tick, its crash history, the config, the
 * clock) to (the record after this tick, events, actions). No I/O, no
 * clock of its own: unit tests drive it with a fake clock.
 */
#ifndef VIGIL_DECIDE_H
#define VIGIL_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "verdict.h"

struct config;
struct preset;

/* What the watchdog saw of one agent this tick. */
struct obs {
	int tmux_ok;      /* tmux answered: without it nothing is known */
	int server_gone;  /* no tmux server at all (all sessions gone at once) */
	int rebooted;     /* the machine booted since the agent started */
	int session;      /* its session exists */
	int pane_pid;     /* the pane's process (vigil's wrapper) */
	int pane_dead;    /* tmux: the pane's process has ended */
	int exited;       /* the end is known: status below */
	int status;       /* wait status of the agent, when exited */
	int hup;          /* ... after its terminal hung up (session or server killed) */
	int agent_pid;    /* the agent's process, 0 when not found */
	const char *named; /* the preset's process name, NULL when it has none */
	int agent_found;  /* agent_pid was found by that name */
	int attached;     /* clients attached to the session */

	/* The screen (tiers 1-3): read when the pane lives. */
	int captured;     /* the last lines were read this tick */
	char hash[33];    /* MD5 of the normalised last lines */
	const char *busy; /* the busy pattern that matched, or NULL */
	const char *idle; /* the idle pattern that matched, or NULL */
	char trust[160];  /* the trust dialog's line, "" when none */
	int64_t activity; /* newest mtime under the preset's activity glob, 0: none */

	/* A rate limit on screen (also read from a dead pane: a quota exit). */
	char limit[256];  /* the newest rate-limit line, "" when none */
	char limit_hash[33]; /* MD5 of that line: handled once, never again */
	int64_t limit_until; /* when it resets, as read from the message; 0: unread */
	const char *account; /* the account whose limit it is */
};

/* An event decided this tick. */
struct devent {
	const char *kind;
	int tier;
	char detail[256];
};

/* What to do after the tick's transaction commits. */
enum act {
	ACT_NONE,
	ACT_LAUNCH,    /* start the agent again: respawn its pane, or a new session */
	ACT_KILL,      /* kill its session (terminated, not restarted) */
	ACT_TYPE,      /* type send_text (a nudge, the pending task), no Enter yet */
	ACT_ENTER,     /* press Enter after text typed on an earlier tick */
	ACT_TRIAGE,    /* run AI triage on its screen */
};

#define DECIDE_MAX_EVENTS 8

struct decision {
	enum act act;
	char *send_text; /* for ACT_TYPE: the text (malloc'd; the caller frees) */
	int send_pending; /* ... and it is the pending task (keep it if typing fails) */
	int notify;     /* run the notify hook for events[notify_event] */
	int notify_event;
	int crashed;    /* add now to the crash history */
	struct devent events[DECIDE_MAX_EVENTS];
	int nevents;
	int64_t wake;   /* the next deadline for this agent, 0 when none */
	char handoff[128]; /* before acting: checkpoint and hand off, for this reason */
	int checkpoint; /* before a restart: a checkpoint (a snapshot of the work) */
	int64_t share_until; /* a limit with a reset time: cool its account till then */
};

/*
 * decide updates a (the record, changed in place) from o at time now and
 * fills d. crash_times are the agent's recent crash times, newest first
 * (n of them). cfg supplies every threshold.
 */
void decide(struct agent *a, const struct obs *o, const int64_t *crash_times,
    int ncrash, const struct config *cfg, int64_t now, struct decision *d);

/*
 * decide_launch_failed records that a due launch could not be done (why)
 * and schedules the next try as a crash would.
 */
void decide_launch_failed(struct agent *a, const char *why, const int64_t *crash_times,
    int ncrash, const struct config *cfg, int64_t now, struct decision *d);

/*
 * decide_verdict applies a triage verdict that came back for a (its run
 * was started at the triage tier): the verdict event (detail as logged),
 * then CONTINUE a reprieve (the tier clock restarts at the triage tier;
 * terminate_after still bounds the whole stall), NUDGE its text typed as
 * any nudge is (pending text, with the same safety rules), RESTART a
 * handoff and a restart through resume, TERMINATE a handoff and a stop
 * without restart. An agent that made progress meanwhile keeps only the
 * event: the verdict was about a stall that ended.
 */
void decide_verdict(struct agent *a, enum verdict_kind kind, const char *text,
    const char *detail, const int64_t *crash_times, int ncrash,
    const struct config *cfg, int64_t now, struct decision *d);

/*
 * backoff_delay is the restart delay after the streak-th crash in a row:
 * 0 for the first, then base * factor^(streak-2), capped at max.
 */
int64_t backoff_delay(int streak, int64_t base, double factor, int64_t max);

#endif
