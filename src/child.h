/*
 * child.h - the one place that starts child processes: from an argv vector,
 * never through a shell, with every descriptor beyond stdio closed (so the
 * store's and libgit2's descriptors never leak into tmux or a triage run),
 * signals reset to default, optionally in a process group of its own.
 */
#ifndef VIGIL_CHILD_H
#define VIGIL_CHILD_H

#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct child_opts {
	char *const *argv;   /* argv[0] is looked up in PATH */
	char *const *env;    /* NULL: the caller's environment */
	const char *dir;     /* NULL: the caller's working directory */
	const char *input;   /* written to stdin; NULL: /dev/null */
	size_t input_len;
	size_t max_out;      /* stdout kept up to this; 0: 1 MiB */
	int64_t timeout_ms;  /* 0: none */
	int own_pgrp;        /* own process group; a timeout kills all of it */
	int quiet_stderr;    /* keep stderr in result.err, else the same */
};

struct child_result {
	int status;       /* as from waitpid */
	int timed_out;    /* killed at the deadline */
	int spawn_errno;  /* nonzero: it could not be started at all */
	int truncated;    /* stdout went over max_out */
	struct buf out;
	struct buf err;
};

/*
 * child_run runs argv to completion (or its timeout), collecting stdout and
 * stderr. Returns 0 when it ran (look at result.status), -1 when it could
 * not be started (result.spawn_errno, err set).
 */
int child_run(const struct child_opts *o, struct child_result *r, char *err);

void child_result_free(struct child_result *r);

/*
 * child_start starts argv without waiting. Its stdin is /dev/null or the
 * input given (written by a helper thread-free way: the caller gets a
 * pipe); *outfd (may be NULL) receives the read end of its stdout. Returns
 * the pid, or -1 with err set.
 */
pid_t child_start(const struct child_opts *o, int *infd, int *outfd, char *err);

/*
 * child_pidfd returns a descriptor that polls readable once pid has
 * exited (a pidfd), or -1 where the kernel has none.
 */
int child_pidfd(pid_t pid);

/* child_env returns environ plus the given NAME=VALUE strings (overriding). */
void child_env(struct strv *env, char *const *extra, char *const *unset);

/* child_status_str describes a waitpid status: "exit 2", "signal 9". */
char *child_status_str(int status, char *out, size_t n);

#endif
