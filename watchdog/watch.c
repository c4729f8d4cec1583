/*
 * watch.c - the watchdog's loop: it "just loops around" a poll, as
 * s6-supervise loops around iopause: the poll waits for the next deadline
 * (the tick interval, a scheduled restart, a notify hook's timeout), for a
 * watched process to end (pidfds, so an exit is seen at once, not at the
 * next tick), or for SIGTERM/SIGINT, which end the loop between ticks.
 * There is no sleep(): one agent's backoff never delays another's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "child.h"
#include "cmd.h"
#include "config.h"
#include "duration.h"
#include "lock.h"
#include "notify.h"
#include "store.h"
#include "triage.h"
#include "watch.h"

/* The self-pipe the signal handler writes to; a handler can reach no other. */
static int sigpipe_w = -1;

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	if (write(sigpipe_w, &c, 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

/* sync_pidfds holds a pidfd for each pid the last tick wants watched. */
static void
sync_pidfds(struct watch *w)
{
	/* Drop what is no longer wanted. */
	for (size_t i = 0; i < w->npids;) {
		int keep = 0;
		for (size_t j = 0; j < w->nwant && !keep; j++)
			keep = w->want[j] == w->pids[i].pid;
		if (!keep) {
			close(w->pids[i].fd);
			w->pids[i] = w->pids[--w->npids];
			continue;
		}
		i++;
	}
	for (size_t j = 0; j < w->nwant; j++) {
		int have = 0;
		for (size_t i = 0; i < w->npids && !have; i++)
			have = w->pids[i].pid == w->want[j];
		if (have)
			continue;
		int fd = child_pidfd(w->want[j]);
		if (fd == -1)
			continue; /* gone already (the next tick sees it) or no pidfd */
		w->pids = xrealloc(w->pids, (w->npids + 1) * sizeof *w->pids);
		w->pids[w->npids].pid = w->want[j];
		w->pids[w->npids].fd = fd;
		w->npids++;
	}
}

static void
close_pidfds(struct watch *w)
{
	for (size_t i = 0; i < w->npids; i++)
		close(w->pids[i].fd);
	free(w->pids);
	free(w->want);
	w->pids = NULL;
	w->npids = 0;
}

/*
 * wait_for polls until the deadline, a watched exit, a signal, or output
 * from a triage run (which is then advanced). Returns 1 when a watched
 * process ended.
 */
static int
wait_for(struct watch *w, int sigfd, int64_t deadline, int *stop)
{
	size_t cap = w->npids + 1 + w->nruns * TRIAGE_NFDS;
	struct pollfd *p = xcalloc(cap, sizeof *p);
	p[0].fd = sigfd;
	p[0].events = POLLIN;
	for (size_t i = 0; i < w->npids; i++) {
		p[i + 1].fd = w->pids[i].fd;
		p[i + 1].events = POLLIN;
	}
	size_t np = w->npids + 1;
	for (size_t i = 0; i < w->nruns; i++)
		np += (size_t)triage_pollfds(w->runs[i].job, p + np);
	int64_t left = deadline - mono_ms();
	int r = poll(p, np, left > 0 ? (int)(left > 60000 ? 60000 : left) : 0);
	int triaged = 0;
	for (size_t i = w->npids + 1; r > 0 && i < np; i++)
		if (p[i].revents)
			triaged = 1;
	if (triaged)
		watch_triage(w, now_ms());
	int woke = 0;
	if (r > 0) {
		if (p[0].revents) {
			char buf[16];
			while (read(sigfd, buf, sizeof buf) > 0)
				;
			*stop = 1;
		}
		for (size_t i = 0; i < w->npids; i++)
			if (p[i + 1].revents)
				woke = 1;
	}
	free(p);
	return woke;
}

int
watch_run(struct vigil_ctx *ctx, int once, int64_t interval)
{
	pid_t holder = 0;
	int lockfd = lock_take(ctx->home, &holder, ctx->err);
	if (lockfd == -1) {
		if (holder)
			return cmd_fail(ctx, EX_TEMPFAIL, "another watchdog holds the lock of '%s' "
			    "(pid %d)", ctx->home, (int)holder);
		return 1;
	}
	int sp[2];
	if (pipe2(sp, O_CLOEXEC | O_NONBLOCK) == -1) {
		close(lockfd);
		return cmd_fail(ctx, 1, "cannot make a pipe: %s", strerror(errno));
	}
	sigpipe_w = sp[1];
	struct sigaction sa = {0}, old_int, old_term;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	struct watch w = {
		.ctx = ctx,
		.clock = now_ms,
		.once = once,
		.interval = interval,
		.started = now_ms(),
		.notifier = notifier_new(),
	};
	if (!once) {
		char iv[32];
		fprintf(stderr, "vigil: watch: pid %d, state dir %s, socket '%s', interval %s\n",
		    (int)getpid(), ctx->home, ctx->socket, duration_format(interval, iv, sizeof iv));
	}
	int stop = 0;
	int64_t next_tick = 0;
	while (!stop) {
		int64_t wake = 0;
		int64_t t0 = mono_ms();
		watch_tick(&w, &wake);
		int64_t trdl = watch_triage(&w, now_ms());
		notify_reap(w.notifier, now_ms());
		if (once)
			break;
		sync_pidfds(&w);
		/* The next deadline: the tick, an agent's own, a hook's timeout. */
		next_tick = t0 + interval;
		int64_t deadline = next_tick;
		int64_t wall = now_ms();
		if (wake && wake - wall + mono_ms() < deadline)
			deadline = wake - wall + mono_ms();
		int64_t hook = notify_next(w.notifier);
		if (hook && hook - wall + mono_ms() < deadline)
			deadline = hook - wall + mono_ms();
		if (trdl && trdl - wall + mono_ms() < deadline)
			deadline = trdl - wall + mono_ms();
		while (!stop && mono_ms() < deadline) {
			if (wait_for(&w, sp[0], deadline, &stop))
				break; /* a watched process ended: tick now */
		}
	}
	/* --once: a triage run it started finishes (within its timeout). */
	while (once && w.nruns > 0 && !stop) {
		watch_triage(&w, now_ms());
		if (w.nruns > 0)
			wait_for(&w, sp[0], mono_ms() + 50, &stop);
	}
	watch_triage_stop(&w);
	/* Let running hooks finish, within their own timeouts. */
	while (notify_running(w.notifier) > 0) {
		notify_reap(w.notifier, now_ms());
		if (notify_running(w.notifier) > 0)
			sleep_ms(20);
	}
	store_heartbeat_clear(ctx->store, NULL);
	close_pidfds(&w);
	notifier_free(w.notifier);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	close(sp[0]);
	close(sp[1]);
	sigpipe_w = -1;
	close(lockfd);
	if (!once)
		fprintf(stderr, "vigil: watch: stopped\n");
	return 0;
}
