/*
 * watch.h - the watchdog: the loop (lock, heartbeat, signals, pidfds,
 * deadlines) and the tick (observe the fleet, decide in one transaction,
 * act). `vigil watch` and `vigil watch --once` run it.
 */
#ifndef VIGIL_WATCH_H
#define VIGIL_WATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vigil_ctx;
struct notifier;

struct watched {
	pid_t pid;
	int fd; /* pidfd */
};

struct triage_job;

/* A triage run the loop tracks: the watchdog never waits on one. */
struct triaging {
	struct triage_job *job;
	char name[65];
};

/* The loop's state; the tick reads and updates it. */
struct watch {
	struct vigil_ctx *ctx;
	int64_t (*clock)(void);    /* wall ms; tests may put in their own */
	int once;
	int64_t interval;
	int64_t started;
	int64_t ticks;
	int tmux_trouble;          /* the last tick found tmux not answering */
	struct notifier *notifier;
	pid_t *want;               /* pids the last tick wants watched */
	size_t nwant, capwant;
	struct watched *pids;      /* pidfds held */
	size_t npids;
	struct triaging *runs;     /* triage runs going on */
	size_t nruns;
};

/*
 * watch_run runs the watchdog until SIGTERM or SIGINT (or one tick with
 * once). Returns an exit code; 75 with ctx->err naming the holder when
 * another watchdog holds the state dir's lock.
 */
int watch_run(struct vigil_ctx *ctx, int once, int64_t interval);

/*
 * watch_tick runs one tick. Its time is read from w->clock once tmux has
 * been observed, so nothing it records is dated before what it saw.
 * *wake receives the earliest deadline of any agent (0: none). Returns 0,
 * or -1 when the store was busy (the tick is skipped and retried).
 */
int watch_tick(struct watch *w, int64_t *wake);

/*
 * watch_triage advances the triage runs and applies the verdicts that came
 * back. Returns the earliest deadline of those still running, or 0.
 */
int64_t watch_triage(struct watch *w, int64_t now);

/* watch_triage_stop kills every triage run (the watchdog is stopping). */
void watch_triage_stop(struct watch *w);

#endif
