/*
 * lock.c - the watchdog lock. POSIX (fcntl) locks die with their process,
 * so a watchdog killed with -9 leaves no stale lock behind; the pid written
 * into the file is only for people, F_GETLK gives the real holder.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"
#include "util.h"

int
lock_take(const char *dir, pid_t *holder, char *err)
{
	char *path = xasprintf("%s/%s", dir, LOCK_FILE_NAME);
	*holder = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		seterr(err, "cannot open '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_SETLK, &fl) == -1) {
		int e = errno;
		struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		if (fcntl(fd, F_GETLK, &q) == 0 && q.l_type != F_UNLCK)
			*holder = q.l_pid;
		if (*holder == 0)
			seterr(err, "cannot lock '%s': %s", path, strerror(e));
		close(fd);
		free(path);
		return -1;
	}
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) != n) {
		/* Only informative: the lock itself is what counts. */
	}
	free(path);
	return fd;
}

pid_t
lock_holder(const char *dir)
{
	char *path = xasprintf("%s/%s", dir, LOCK_FILE_NAME);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd == -1)
		return 0;
	struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	pid_t pid = 0;
	if (fcntl(fd, F_GETLK, &q) == 0 && q.l_type != F_UNLCK)
		pid = q.l_pid;
	close(fd);
	return pid;
}
