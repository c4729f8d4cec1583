/*
 * child.c - start children with posix_spawn (vfork-like, cheap for a big
 * parent), close every descriptor above stderr in the child, reset signal
 * dispositions and mask, and wait with a deadline. A pidfd tells when the
 * child itself has exited, so a grandchild that keeps a pipe open (a daemon
 * such as the tmux server) cannot make us wait past the child's exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

extern char **environ;

int
child_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

void
child_env(struct strv *env, char *const *extra, char *const *unset)
{
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t klen = eq ? (size_t)(eq - *e) : strlen(*e);
		int skip = 0;
		for (char *const *x = extra; x && *x && !skip; x++)
			if (strncmp(*x, *e, klen) == 0 && (*x)[klen] == '=')
				skip = 1;
		for (char *const *u = unset; u && *u && !skip; u++)
			if (strlen(*u) == klen && strncmp(*u, *e, klen) == 0)
				skip = 1;
		if (!skip)
			strv_add(env, *e);
	}
	for (char *const *x = extra; x && *x; x++)
		strv_add(env, *x);
}

char *
child_status_str(int status, char *out, size_t n)
{
	if (WIFEXITED(status))
		snprintf(out, n, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, n, "signal %d", WTERMSIG(status));
	else
		snprintf(out, n, "status %d", status);
	return out;
}

/* spawn sets up attributes and file actions the same way for both callers. */
static pid_t
spawn(const struct child_opts *o, int in, int out, int errfd, char *err)
{
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	sigset_t none, all;
	pid_t pid = -1;

	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	if (o->own_pgrp) {
		flags |= POSIX_SPAWN_SETPGROUP;
		posix_spawnattr_setpgroup(&attr, 0);
	}
	posix_spawnattr_setflags(&attr, flags);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (o->dir)
		posix_spawn_file_actions_addchdir_np(&fa, o->dir);

	int rc = posix_spawnp(&pid, o->argv[0], &fa, &attr, o->argv,
	    o->env ? o->env : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		seterr(err, "cannot run '%s': %s", o->argv[0], strerror(rc));
		return -1;
	}
	return pid;
}

static int
devnull(int flags)
{
	return open("/dev/null", flags | O_CLOEXEC);
}

pid_t
child_start(const struct child_opts *o, int *infd, int *outfd, char *err)
{
	int inp[2] = {-1, -1}, outp[2] = {-1, -1};
	int in = -1, out = -1, nul = -1;
	pid_t pid = -1;

	if (infd) {
		if (pipe2(inp, O_CLOEXEC) == -1)
			goto sysfail;
		in = inp[0];
	}
	if (outfd) {
		if (pipe2(outp, O_CLOEXEC) == -1)
			goto sysfail;
		out = outp[1];
	}
	nul = devnull(O_RDWR);
	if (nul == -1)
		goto sysfail;
	pid = spawn(o, in >= 0 ? in : nul, out >= 0 ? out : nul, nul, err);
	if (pid == -1)
		goto fail;
	close(nul);
	if (infd) {
		close(inp[0]);
		*infd = inp[1];
	}
	if (outfd) {
		close(outp[1]);
		*outfd = outp[0];
	}
	return pid;
sysfail:
	seterr(err, "cannot start '%s': %s", o->argv[0], strerror(errno));
fail:
	for (int i = 0; i < 2; i++) {
		if (inp[i] >= 0)
			close(inp[i]);
		if (outp[i] >= 0)
			close(outp[i]);
	}
	if (nul >= 0)
		close(nul);
	return -1;
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* drain reads what fd has now; returns 0 at EOF, 1 while open. */
static int
drain(int fd, struct buf *b, size_t max, int *truncated)
{
	char tmp[16384];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r > 0) {
			size_t keep = (size_t)r;
			if (b->len + keep > max) {
				keep = max > b->len ? max - b->len : 0;
				*truncated = 1;
			}
			buf_add(b, tmp, keep);
			continue;
		}
		if (r == 0)
			return 0;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 1 : 0;
	}
}

int
child_run(const struct child_opts *o, struct child_result *r, char *err)
{
	int inp[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
	int nul = -1, pfd = -1;
	size_t max = o->max_out ? o->max_out : (1u << 20);
	size_t written = 0;
	pid_t pid;

	memset(r, 0, sizeof *r);
	buf_add(&r->out, "", 0);
	buf_add(&r->err, "", 0);
	if (pipe2(outp, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1 ||
	    (o->input && pipe2(inp, O_CLOEXEC) == -1) ||
	    (nul = devnull(O_RDONLY)) == -1) {
		r->spawn_errno = errno;
		seterr(err, "cannot start '%s': %s", o->argv[0], strerror(errno));
		goto fail;
	}
	pid = spawn(o, o->input ? inp[0] : nul, outp[1], errp[1], err);
	if (pid == -1) {
		r->spawn_errno = errno ? errno : ENOENT;
		goto fail;
	}
	close(outp[1]), outp[1] = -1;
	close(errp[1]), errp[1] = -1;
	close(nul), nul = -1;
	if (o->input) {
		close(inp[0]), inp[0] = -1;
		set_nonblock(inp[1]);
		if (o->input_len == 0)
			close(inp[1]), inp[1] = -1;
	}
	set_nonblock(outp[0]);
	set_nonblock(errp[0]);
	pfd = child_pidfd(pid);

	int64_t deadline = o->timeout_ms > 0 ? mono_ms() + o->timeout_ms : 0;
	int exited = 0, status = 0;
	for (;;) {
		struct pollfd p[4];
		int np = 0, iout = -1, ierr = -1, iin = -1, ipid = -1;
		if (outp[0] >= 0)
			p[iout = np++] = (struct pollfd){outp[0], POLLIN, 0};
		if (errp[0] >= 0)
			p[ierr = np++] = (struct pollfd){errp[0], POLLIN, 0};
		if (inp[1] >= 0)
			p[iin = np++] = (struct pollfd){inp[1], POLLOUT, 0};
		if (pfd >= 0 && !exited)
			p[ipid = np++] = (struct pollfd){pfd, POLLIN, 0};
		if (np == 0 || (exited && iout < 0 && ierr < 0))
			break;
		int wait = -1;
		if (deadline) {
			int64_t left = deadline - mono_ms();
			wait = left > 0 ? (int)left : 0;
		}
		if (pfd < 0 && wait == -1)
			wait = 50; /* no pidfd: look at the child now and then */
		int n = poll(p, (nfds_t)np, wait);
		if (n == -1 && errno != EINTR)
			break;
		if (iout >= 0 && p[iout].revents && !drain(outp[0], &r->out, max, &r->truncated))
			close(outp[0]), outp[0] = -1;
		if (ierr >= 0 && p[ierr].revents &&
		    !drain(errp[0], &r->err, 65536, &(int){0}))
			close(errp[0]), errp[0] = -1;
		if (iin >= 0 && p[iin].revents) {
			if (p[iin].revents & (POLLERR | POLLHUP)) {
				close(inp[1]), inp[1] = -1;
			} else {
				ssize_t w = write(inp[1], o->input + written, o->input_len - written);
				if (w > 0)
					written += (size_t)w;
				if ((w == -1 && errno != EAGAIN && errno != EINTR) ||
				    written == o->input_len)
					close(inp[1]), inp[1] = -1;
			}
		}
		if (!exited && (ipid < 0 || p[ipid].revents)) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid) {
				exited = 1;
				/* Read what is left, but do not wait on grandchildren. */
				if (outp[0] >= 0) {
					drain(outp[0], &r->out, max, &r->truncated);
					close(outp[0]), outp[0] = -1;
				}
				if (errp[0] >= 0) {
					drain(errp[0], &r->err, 65536, &(int){0});
					close(errp[0]), errp[0] = -1;
				}
			}
		}
		if (!exited && deadline && mono_ms() >= deadline) {
			r->timed_out = 1;
			kill(o->own_pgrp ? -pid : pid, SIGKILL);
			waitpid(pid, &status, 0);
			exited = 1;
			break;
		}
	}
	if (!exited)
		waitpid(pid, &status, 0);
	r->status = status;
	for (int i = 0; i < 2; i++) {
		if (inp[i] >= 0)
			close(inp[i]);
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (pfd >= 0)
		close(pfd);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (inp[i] >= 0)
			close(inp[i]);
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (nul >= 0)
		close(nul);
	return -1;
}

void
child_result_free(struct child_result *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}
