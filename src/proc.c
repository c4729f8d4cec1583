/*
 * proc.c - read /proc. Children come from /proc/PID/task/TID/children
 * (one read per process of the tree); where the kernel lacks that file the
 * whole of /proc is scanned once for parent links instead.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

static ssize_t
slurp(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return r;
}

/* stat_fields points past "pid (comm) " and copies comm; NULL if gone. */
static char *
read_stat(pid_t pid, char *buf, size_t n, char *comm, size_t commlen)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (slurp(path, buf, n) <= 0)
		return NULL;
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (open == NULL || close == NULL || close < open)
		return NULL;
	if (comm) {
		size_t len = (size_t)(close - open - 1);
		if (len >= commlen)
			len = commlen - 1;
		memcpy(comm, open + 1, len);
		comm[len] = '\0';
	}
	return close + 2;
}

int
proc_alive(pid_t pid)
{
	if (pid <= 0)
		return 0;
	char buf[512];
	char *f = read_stat(pid, buf, sizeof buf, NULL, 0);
	if (f == NULL)
		return 0;
	return *f != 'Z' && *f != 'X';
}

long long
proc_starttime(pid_t pid)
{
	char buf[1024];
	char *f = read_stat(pid, buf, sizeof buf, NULL, 0);
	if (f == NULL)
		return -1;
	/* f is field 3 (state); starttime is field 22. */
	for (int i = 3; i < 22 && f; i++) {
		f = strchr(f, ' ');
		if (f)
			f++;
	}
	return f ? atoll(f) : -1;
}

static const char *
base(const char *s)
{
	const char *b = strrchr(s, '/');
	return b ? b + 1 : s;
}

static int
matches(pid_t pid, const char *name)
{
	char buf[1024], comm[64];
	char *f = read_stat(pid, buf, sizeof buf, comm, sizeof comm);
	if (f == NULL || *f == 'Z' || *f == 'X')
		return 0;
	/* comm is cut at 15 bytes by the kernel. */
	if (strncmp(comm, name, 15) == 0 && (strlen(name) <= 15 ? comm[strlen(name)] == '\0' : 1))
		return 1;
	char path[64], cmd[4096];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	ssize_t n = slurp(path, cmd, sizeof cmd);
	if (n <= 0)
		return 0;
	const char *a0 = cmd;
	if (strcmp(base(a0), name) == 0)
		return 1;
	size_t l0 = strlen(a0);
	if ((ssize_t)l0 + 1 < n) {
		const char *a1 = cmd + l0 + 1;
		/* Skip interpreter flags such as `python3 -u script`. */
		while (*a1 == '-' && (a1 - cmd) + (ssize_t)strlen(a1) + 1 < n)
			a1 += strlen(a1) + 1;
		if (strcmp(base(a1), name) == 0)
			return 1;
	}
	return 0;
}

/* children appends pid's children to v; -1 when the kernel lacks the file. */
static int
children(pid_t pid, pid_t **v, size_t *n, size_t *cap)
{
	char path[80], buf[8192];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
	ssize_t r = slurp(path, buf, sizeof buf);
	if (r < 0)
		return errno == ENOENT && proc_alive(pid) ? -1 : 0;
	for (char *p = buf; *p;) {
		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		pid_t c = (pid_t)strtol(p, &p, 10);
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*v = xrealloc(*v, *cap * sizeof **v);
		}
		(*v)[(*n)++] = c;
	}
	return 0;
}

static pid_t
ppid_of(pid_t pid)
{
	char buf[1024];
	char *f = read_stat(pid, buf, sizeof buf, NULL, 0);
	if (f == NULL)
		return -1;
	char *sp = strchr(f, ' ');
	return sp ? (pid_t)atoi(sp + 1) : -1;
}

/* scan_children is the fallback: every process whose parent is in v. */
static void
scan_children(pid_t **v, size_t *n, size_t *cap)
{
	DIR *d = opendir("/proc");
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		pid_t pp = ppid_of(pid);
		for (size_t i = 0; i < *n; i++) {
			if ((*v)[i] == pp) {
				if (*n == *cap) {
					*cap *= 2;
					*v = xrealloc(*v, *cap * sizeof **v);
				}
				(*v)[(*n)++] = pid;
				break;
			}
		}
	}
	closedir(d);
}

pid_t
proc_find(pid_t root, const char *name)
{
	if (root <= 0 || name == NULL || *name == '\0')
		return 0;
	size_t cap = 16, n = 1;
	pid_t *v = xmalloc(cap * sizeof *v);
	v[0] = root;
	pid_t found = 0;
	int fallback = 0;
	for (size_t i = 0; i < n && n < 4096; i++) {
		if (matches(v[i], name)) {
			found = v[i];
			break;
		}
		if (!fallback && children(v[i], &v, &n, &cap) == -1) {
			fallback = 1;
			/* Grow the set to every descendant, then test them in order. */
			size_t before;
			do {
				before = n;
				size_t m = n;
				scan_children(&v, &n, &cap);
				/* drop duplicates the rescan added */
				for (size_t a = m; a < n; a++)
					for (size_t b = 0; b < m; b++)
						if (v[a] == v[b]) {
							v[a--] = v[--n];
							break;
						}
			} while (n != before);
		}
	}
	free(v);
	return found;
}

void
proc_boot_id(char *out, size_t n)
{
	char buf[128];
	if (slurp("/proc/sys/kernel/random/boot_id", buf, sizeof buf) <= 0) {
		snprintf(out, n, "%s", "");
		return;
	}
	str_trim_right(buf);
	snprintf(out, n, "%s", buf);
}

long
proc_rss_kb(pid_t pid)
{
	char path[64], buf[8192];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (slurp(path, buf, sizeof buf) <= 0)
		return -1;
	char *p = strstr(buf, "VmRSS:");
	return p ? atol(p + 6) : -1;
}
