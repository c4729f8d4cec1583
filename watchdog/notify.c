/*
 * notify.c - run the notify hook without waiting for it. Only the pids
 * started here are reaped here (waitpid on each), so the synchronous tmux
 * calls elsewhere keep their own children's statuses.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "child.h"
#include "config.h"
#include "notify.h"
#include "util.h"

#define NOTIFY_MAX 16 /* hooks running at once; more are dropped */

struct hook {
	pid_t pid;
	int64_t deadline;
};

struct notifier {
	struct hook h[NOTIFY_MAX];
	int n;
};

struct notifier *
notifier_new(void)
{
	return xcalloc(1, sizeof(struct notifier));
}

void
notifier_free(struct notifier *n)
{
	free(n);
}

int
notify_start(struct notifier *n, const struct config *cfg, const char *event,
    const char *agent, const char *detail, int64_t now, char *err)
{
	if (cfg->notify_command == NULL)
		return 0;
	if (n->n >= NOTIFY_MAX) {
		seterr(err, "notify: %d hooks still running; '%s' not sent", n->n, event);
		return -1;
	}
	struct strv argv = {0}, env = {0}, extra = {0};
	if (split_words(cfg->notify_command, &argv, err) == -1)
		return -1;
	char *kv = xasprintf("VIGIL_EVENT=%s", event);
	strv_add(&extra, kv);
	free(kv);
	kv = xasprintf("VIGIL_AGENT=%s", agent ? agent : "");
	strv_add(&extra, kv);
	free(kv);
	kv = xasprintf("VIGIL_DETAIL=%s", detail ? detail : "");
	strv_add(&extra, kv);
	free(kv);
	child_env(&env, extra.v, NULL);
	struct child_opts o = {.argv = argv.v, .env = env.v, .own_pgrp = 1};
	pid_t pid = child_start(&o, NULL, NULL, err);
	strv_free(&argv);
	strv_free(&env);
	strv_free(&extra);
	if (pid == -1)
		return -1;
	n->h[n->n].pid = pid;
	n->h[n->n].deadline = now + cfg->notify_timeout;
	n->n++;
	return 0;
}

void
notify_reap(struct notifier *n, int64_t now)
{
	for (int i = 0; i < n->n;) {
		int status;
		pid_t w = waitpid(n->h[i].pid, &status, WNOHANG);
		if (w == 0 && now >= n->h[i].deadline) {
			kill(-n->h[i].pid, SIGKILL);
			w = waitpid(n->h[i].pid, &status, 0);
		}
		if (w != 0) {
			n->h[i] = n->h[--n->n];
			continue;
		}
		i++;
	}
}

int64_t
notify_next(const struct notifier *n)
{
	int64_t next = 0;
	for (int i = 0; i < n->n; i++)
		if (next == 0 || n->h[i].deadline < next)
			next = n->h[i].deadline;
	return next;
}

int
notify_running(const struct notifier *n)
{
	return n->n;
}
