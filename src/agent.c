/*
 * agent.c - starting agents and typing into them, shared by the commands
 * and the watchdog. The text an agent or a user supplies is only ever an
 * argv element of tmux (send-keys -l, set-buffer), never part of a command
 * string.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "proc.h"
#include "run.h"
#include "store.h"
#include "tmux.h"

int
agent_is_live(const char *state)
{
	static const char *const dead[] = {ST_FAILED, ST_STOPPED, ST_DONE, NULL};
	for (size_t i = 0; dead[i]; i++)
		if (strcmp(state, dead[i]) == 0)
			return 0;
	return 1;
}

static void
clear(char **field)
{
	free(*field);
	*field = NULL;
}

void
agent_new_episode(struct agent *a)
{
	a->tier = 0;
	a->stall_since = 0;
	a->tier_clock = 0;
	a->nudges = 0;
	a->triages = 0;
	a->seen_proc = 0;
	a->agent_pid = 0;
	a->typed_at = 0;
	a->noticed = 0;
	clear(&a->hash);
	clear(&a->limit_hash);
}

char *
argv_to_json(char *const *argv)
{
	json_t *a = json_array();
	for (; argv && *argv; argv++)
		json_array_append_new(a, json_string_nocheck(*argv));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s ? s : xstrdup("[]");
}

int
argv_from_json(const char *json, struct strv *out, char *err)
{
	json_error_t je;
	json_t *a = json_loads(json ? json : "", JSON_ALLOW_NUL, &je);
	if (a == NULL || !json_is_array(a) || json_array_size(a) == 0) {
		seterr(err, "stored command is not a JSON array of strings");
		json_decref(a);
		return -1;
	}
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			seterr(err, "stored command is not a JSON array of strings");
			json_decref(a);
			strv_free(out);
			return -1;
		}
		strv_add(out, json_string_value(v));
	}
	json_decref(a);
	return 0;
}

char *
agent_program(const char *dir, const char *prog)
{
	if (strchr(prog, '/') && prog[0] != '/') {
		char *p = xasprintf("%s/%s", dir, prog);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
		return NULL;
	}
	return find_in_path(prog);
}

void
agent_target(const struct agent *a, char *out, size_t n)
{
	if (a->pane_id && a->pane_id[0] == '%')
		snprintf(out, n, "%s", a->pane_id);
	else
		snprintf(out, n, "=%s:", a->name);
}

static void
env_for(const struct agent_env *env, const struct agent *a, struct strv *out)
{
	char *v = xasprintf("VIGIL_AGENT=%s", a->name);
	strv_add(out, v);
	free(v);
	v = xasprintf("VIGIL_HOME=%s", env->home);
	strv_add(out, v);
	free(v);
	v = xasprintf("VIGIL_SOCKET=%s", env->socket);
	strv_add(out, v);
	free(v);
	if (env->config) {
		v = xasprintf("VIGIL_CONFIG=%s", env->config);
		strv_add(out, v);
		free(v);
	}
}

/*
 * wrapped is argv behind the wrapper: `vigil _run EXITFILE -- argv...`,
 * with vigil named by /proc/self/exe so that a wrapper is always the
 * binary that started it.
 */
static void
wrapped(const struct agent_env *env, const struct agent *a, char *const *argv,
    struct strv *out)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		n = snprintf(self, sizeof self, "vigil");
	self[n] = '\0';
	char *dir = xasprintf("%s/%s", env->home, RUN_DIR);
	mkdir_p(dir, 0700, NULL);
	free(dir);
	char *exitf = run_exit_path(env->home, a->name);
	strv_add(out, self);
	strv_add(out, RUN_CMD);
	strv_add(out, exitf);
	strv_add(out, "--");
	strv_copy(out, argv);
	free(exitf);
}

static void
started(struct agent *a, int64_t now)
{
	char boot[64];
	proc_boot_id(boot, sizeof boot);
	free(a->boot_id);
	a->boot_id = xstrdup(boot);
	a->started = now;
	a->agent_pid = 0;
	a->seen_proc = 0;
	a->exit_code = -1;
	a->exit_signal = 0;
}

int
agent_launch(struct tmux *t, const struct agent_env *env, struct agent *a,
    char *const *argv, int64_t now, char *err)
{
	struct strv e = {0}, w = {0};
	char pane_id[16] = "";
	int pid = 0;
	env_for(env, a, &e);
	wrapped(env, a, argv, &w);
	struct tmux_launch l = {
		.name = a->name,
		.dir = a->dir,
		.argv = w.v,
		.env = e.v,
	};
	int rc = tmux_launch(t, &l, pane_id, &pid, err);
	strv_free(&e);
	strv_free(&w);
	if (rc != TMUX_OK)
		return rc;
	free(a->pane_id);
	a->pane_id = xstrdup(pane_id);
	a->pid = pid;
	started(a, now);
	return 0;
}

int
agent_respawn(struct tmux *t, const struct agent_env *env, struct agent *a,
    char *const *argv, int64_t now, char *err)
{
	struct strv e = {0}, w = {0};
	char target[64];
	int pid = 0;
	env_for(env, a, &e);
	wrapped(env, a, argv, &w);
	agent_target(a, target, sizeof target);
	int rc = tmux_respawn(t, target, a->dir, w.v, e.v, &pid, err);
	strv_free(&e);
	strv_free(&w);
	if (rc != TMUX_OK)
		return rc;
	a->pid = pid;
	started(a, now);
	return 0;
}

/* settle polls target until its screen differs from before, or timeout. */
static int
changed_within(struct tmux *t, const char *target, const struct buf *before,
    int64_t timeout_ms, char *err)
{
	struct buf now = {0};
	int64_t end = mono_ms() + timeout_ms;
	int rc = 0;
	for (;;) {
		int r = tmux_capture(t, target, 0, &now, err);
		if (r != TMUX_OK) {
			rc = r;
			break;
		}
		if (before->len != now.len || memcmp(before->data, now.data, now.len) != 0) {
			rc = 1;
			break;
		}
		if (mono_ms() >= end)
			break;
		sleep_ms(25);
	}
	buf_free(&now);
	return rc;
}

int
agent_send(struct tmux *t, const char *target, const char *text,
    int64_t confirm_ms, int *submitted, char *err)
{
	struct buf typed = {0}, before = {0};
	int rc;
	*submitted = 0;
	if ((rc = tmux_capture(t, target, 0, &before, err)) != TMUX_OK)
		goto out;
	if (*text) {
		rc = strchr(text, '\n') ? tmux_paste(t, target, text, err) :
		    tmux_send_literal(t, target, text, err);
		if (rc != TMUX_OK)
			goto out;
		/* Let the CLI draw the text before we judge what Enter does. */
		int r = changed_within(t, target, &before, confirm_ms / 2, err);
		if (r < 0) {
			rc = r;
			goto out;
		}
	}
	if ((rc = tmux_capture(t, target, 0, &typed, err)) != TMUX_OK)
		goto out;
	if ((rc = tmux_send_key(t, target, "Enter", err)) != TMUX_OK)
		goto out;
	int r = changed_within(t, target, &typed, confirm_ms, err);
	if (r < 0) {
		rc = r;
		goto out;
	}
	if (r == 0 && confirm_ms > 0) {
		/* Nothing moved: the Enter was taken as part of the text. */
		if ((rc = tmux_send_key(t, target, "Enter", err)) != TMUX_OK)
			goto out;
		r = changed_within(t, target, &typed, confirm_ms, err);
		if (r < 0) {
			rc = r;
			goto out;
		}
	}
	*submitted = r == 1;
	rc = 0;
out:
	buf_free(&typed);
	buf_free(&before);
	return rc;
}

int
agent_wait_ready(struct tmux *t, const char *target, int64_t quiet_ms,
    int64_t timeout_ms, char *err)
{
	struct buf last = {0}, now = {0};
	int64_t end = mono_ms() + timeout_ms, since = mono_ms();
	int rc = 0;
	for (;;) {
		int r = tmux_capture(t, target, 0, &now, err);
		if (r != TMUX_OK) {
			rc = r;
			break;
		}
		str_trim_right(now.data);
		now.len = strlen(now.data);
		if (last.data == NULL || strcmp(last.data, now.data) != 0) {
			buf_reset(&last);
			buf_add(&last, now.data, now.len);
			since = mono_ms();
		} else if (now.len > 0 && mono_ms() - since >= quiet_ms) {
			rc = 1;
			break;
		}
		if (mono_ms() >= end)
			break;
		sleep_ms(50);
	}
	buf_free(&last);
	buf_free(&now);
	return rc;
}

const char *
agent_observed_state(const struct agent *a, const struct pane *p, int exited,
    int status)
{
	/* States in which the watchdog already knows the agent is not running. */
	static const char *const handled[] = {ST_RESTARTING, ST_DEAD, ST_ZOMBIE,
	    ST_COOLING, NULL};
	if (!agent_is_live(a->state))
		return a->state;
	for (size_t i = 0; handled[i]; i++)
		if (strcmp(a->state, handled[i]) == 0)
			return a->state;
	if (p == NULL) {
		/* A spawn in progress has its row before tmux shows the session. */
		if (strcmp(a->state, ST_BOOTING) == 0)
			return a->state;
		return ST_DEAD;
	}
	if (exited)
		return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ST_DONE : ST_DEAD;
	if (p->dead)
		return p->dead_status == 0 && p->dead_signal == 0 ? ST_DONE : ST_DEAD;
	return a->state;
}
