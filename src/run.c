/*
 * run.c - the wrapper that sits between tmux and the agent (see run.h).
 *
 * The child gets a process group of its own and the terminal's foreground,
 * so keys typed in the pane (Ctrl-C) reach the agent once, not once from
 * the terminal and again forwarded by us. Only signals someone sent to the
 * wrapper with kill() are forwarded. The child dies with the wrapper
 * (PR_SET_PDEATHSIG), so killing the pane's process never leaves an agent
 * running unseen.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "run.h"
#include "util.h"

#define HANGUP_GRACE_MS 5000 /* after a hangup, the child's time to leave */

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
	SIGCONT, 0};

char *
run_exit_path(const char *home, const char *name)
{
	return xasprintf("%s/%s/%s.exit", home, RUN_DIR, name);
}

static void
write_exit(const char *path, pid_t self, int status, int hup)
{
	char *tmp = xasprintf("%s.%ld", path, (long)self);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		char line[64];
		int n = snprintf(line, sizeof line, "%ld %d %d\n", (long)self, status, hup);
		if (write(fd, line, (size_t)n) == n && close(fd) == 0)
			rename(tmp, path);
		else
			unlink(tmp);
	}
	free(tmp);
}

static void
start_child(char **argv, sigset_t *old)
{
	/* Our own group, in the foreground of the terminal, if there is one. */
	setpgid(0, 0);
	if (isatty(STDIN_FILENO)) {
		sigset_t ttou;
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, NULL);
		tcsetpgrp(STDIN_FILENO, getpid());
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "vigil: cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int
run_main(int argc, char **argv)
{
	/* argv: _run FILE -- CMD... */
	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		fprintf(stderr, "vigil: _run: usage: vigil _run FILE -- CMD [ARG...]\n");
		return 64;
	}
	const char *path = argv[1];
	char **cmd = argv + 3;

	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t child = fork();
	if (child == -1) {
		fprintf(stderr, "vigil: cannot start '%s': %s\n", cmd[0], strerror(errno));
		return 126;
	}
	if (child == 0)
		start_child(cmd, &old);
	setpgid(child, child);

	int status = 0;
	sigset_t wait_set;
	sigemptyset(&wait_set);
	sigaddset(&wait_set, SIGCHLD);
	for (size_t i = 0; forwarded[i]; i++)
		sigaddset(&wait_set, forwarded[i]);
	/*
	 * A hangup (the pane killed, the session gone) goes to the child's
	 * whole group; if the child shrugs it off, it is killed after a grace:
	 * an agent must not outlive its pane unseen.
	 */
	int64_t kill_at = 0;
	int hup = 0;
	for (;;) {
		siginfo_t si;
		int sig;
		if (kill_at) {
			int64_t left = kill_at - mono_ms();
			if (left <= 0) {
				kill(-child, SIGKILL);
				kill_at = 0;
				continue;
			}
			struct timespec ts = {left / 1000, (left % 1000) * 1000000L};
			sig = sigtimedwait(&wait_set, &si, &ts);
		} else {
			sig = sigwaitinfo(&wait_set, &si);
		}
		if (sig == -1)
			continue;
		if (sig == SIGCHLD) {
			pid_t w = waitpid(child, &status, WNOHANG);
			if (w == child)
				break;
			continue;
		}
		if (sig == SIGHUP) {
			hup = 1;
			kill(-child, SIGHUP);
			if (!kill_at)
				kill_at = mono_ms() + HANGUP_GRACE_MS;
			continue;
		}
		/* Forward only what someone sent us; the terminal's own signals
		 * (si_code SI_KERNEL) already reached the child's group. */
		if (si.si_code == SI_USER || si.si_code == SI_QUEUE)
			kill(child, sig);
	}
	write_exit(path, getpid(), status, hup);
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		signal(sig, SIG_DFL);
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
		return 128 + sig;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int
run_exit_read(const char *home, const char *name, pid_t pane_pid, int *status, int *hup)
{
	char *path = run_exit_path(home, name);
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd == -1)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	long pid;
	int st, h = 0;
	if (sscanf(buf, "%ld %d %d", &pid, &st, &h) < 2 || pid != (long)pane_pid)
		return 0;
	*status = st;
	if (hup)
		*hup = h;
	return 1;
}

pid_t
run_child(pid_t pane_pid)
{
	char path[80], buf[256];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pane_pid,
	    (int)pane_pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* A child that has ended but is not reaped yet is the wrapper ending. */
	pid_t pid = (pid_t)atoi(buf);
	return proc_alive(pid) ? pid : 0;
}
