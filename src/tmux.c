/*
 * tmux.c - run tmux by argv. Each call execs `tmux -L SOCKET ...` through
 * child_run with a timeout, so a wedged server costs one timeout, not a
 * hung caller. TMUX and TMUX_PANE are removed from the child's environment
 * so that running vigil inside someone's tmux never confuses the client.
 *
 * Launch does new-session, set-option -p remain-on-exit on and respawn-pane
 * in one invocation: the option is set before the agent can exit (setting it
 * after a plain `new-session CMD` races a fast exit and loses), and
 * respawn-pane gets ARGV as separate words, so no shell is involved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "tmux.h"

struct tmux {
	char *bin; /* tmux's path, looked up once */
	char *sock;
	int64_t timeout;
	unsigned execs;
	struct strv env;
};

/*
 * tmux splits its argv at a lone ";" and at any argument ending in ";"
 * (checked on 3.3a: "ab;" arrives as "ab" followed by a new command), but
 * takes "ab\\;" as the literal "ab;". add_arg escapes a value that way;
 * add_sep adds a real separator. Every value from a user goes in by add_arg.
 */
static void
add_arg(struct strv *a, const char *v)
{
	size_t n = strlen(v);
	if (n > 0 && v[n - 1] == ';') {
		char *e = xasprintf("%.*s\\;", (int)(n - 1), v);
		strv_add(a, e);
		free(e);
	} else {
		strv_add(a, v);
	}
}

static void
add_sep(struct strv *a)
{
	strv_add(a, ";");
}

struct tmux *
tmux_new(const char *sock, int64_t timeout_ms)
{
	struct tmux *t = xcalloc(1, sizeof *t);
	t->bin = find_in_path("tmux");
	if (t->bin == NULL)
		t->bin = xstrdup("tmux");
	t->sock = xstrdup(sock);
	t->timeout = timeout_ms > 0 ? timeout_ms : 5000;
	char *unset[] = {"TMUX", "TMUX_PANE", NULL};
	child_env(&t->env, NULL, unset);
	return t;
}

void
tmux_free(struct tmux *t)
{
	if (t == NULL)
		return;
	free(t->bin);
	free(t->sock);
	strv_free(&t->env);
	free(t);
}

unsigned
tmux_execs(const struct tmux *t)
{
	return t->execs;
}

const char *
tmux_socket(const struct tmux *t)
{
	return t->sock;
}

char *
tmux_socket_path(const struct tmux *t)
{
	const char *dir = getenv("TMUX_TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	return xasprintf("%s/tmux-%ld/%s", dir, (long)getuid(), t->sock);
}

static int
is_noserver(const char *msg)
{
	return strstr(msg, "no server running") != NULL ||
	    strstr(msg, "error connecting to") != NULL ||
	    strstr(msg, "server exited unexpectedly") != NULL;
}

/* run_with runs tmux with args and, when in is not NULL, that on its stdin. */
static int
run_with(struct tmux *t, char *const *args, const struct buf *in, struct buf *out,
    char *err)
{
	struct strv argv = {0};
	struct child_result r;
	strv_add(&argv, t->bin);
	strv_add(&argv, "-L");
	strv_add(&argv, t->sock);
	for (; *args; args++)
		strv_add(&argv, *args);
	struct child_opts o = {
		.argv = argv.v,
		.env = t->env.v,
		.timeout_ms = t->timeout,
		.max_out = 64u << 20,
		.input = in ? (in->data ? in->data : "") : NULL,
		.input_len = in ? in->len : 0,
	};
	t->execs++;
	int rc = child_run(&o, &r, err);
	strv_free(&argv);
	if (rc == -1) {
		child_result_free(&r);
		return TMUX_NOEXEC;
	}
	if (r.timed_out) {
		seterr(err, "tmux did not answer within %lldms", (long long)t->timeout);
		child_result_free(&r);
		return TMUX_TIMEOUT;
	}
	int result = TMUX_OK;
	if (r.status != 0) {
		str_trim_right(r.err.data);
		const char *msg = r.err.data;
		/* tmux's message is the first line of its stderr. */
		const char *nl = strchr(msg, '\n');
		seterr(err, "tmux: %.*s", nl ? (int)(nl - msg) : (int)strlen(msg),
		    *msg ? msg : "failed");
		result = is_noserver(msg) ? TMUX_NOSERVER : TMUX_FAILED;
	}
	if (out) {
		buf_reset(out);
		buf_add(out, r.out.data, r.out.len);
	}
	child_result_free(&r);
	return result;
}

int
tmux_run(struct tmux *t, char *const *args, struct buf *out, char *err)
{
	return run_with(t, args, NULL, out, err);
}

#define PANE_FORMAT \
	"#{session_id}\t#{pane_id}\t#{pane_pid}\t#{pane_dead}\t#{pane_dead_status}\t" \
	"#{pane_dead_signal}\t#{pane_dead_time}\t#{session_attached}\t" \
	"#{session_created}\t#{window_index}\t#{pane_index}\t#{session_name}\t" \
	"#{pane_current_command}"

static long long
num(const char *s, long long dflt)
{
	if (s == NULL || *s == '\0')
		return dflt;
	char *end;
	long long v = strtoll(s, &end, 10);
	return end == s ? dflt : v;
}

int
tmux_list_panes(struct tmux *t, struct pane **out, size_t *n, char *err)
{
	struct buf b = {0};
	char *args[] = {"list-panes", "-a", "-F", PANE_FORMAT, NULL};
	*out = NULL;
	*n = 0;
	int rc = tmux_run(t, args, &b, err);
	if (rc != TMUX_OK) {
		buf_free(&b);
		return rc;
	}
	size_t cap = 0;
	char *save = NULL;
	for (char *line = strtok_r(b.data, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[13];
		int nf = 0;
		char *p = line;
		/* Eleven numeric fields, then the name and the command. */
		while (nf < 11) {
			char *tab = strchr(p, '\t');
			if (tab == NULL)
				break;
			*tab = '\0';
			f[nf++] = p;
			p = tab + 1;
		}
		if (nf < 11)
			continue;
		/* The session name has no tab (names are checked); the command may. */
		char *tab = strchr(p, '\t');
		if (tab) {
			*tab = '\0';
			f[12] = tab + 1;
		} else {
			f[12] = "";
		}
		f[11] = p;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct pane *pn = &(*out)[(*n)++];
		memset(pn, 0, sizeof *pn);
		snprintf(pn->session_id, sizeof pn->session_id, "%s", f[0]);
		snprintf(pn->pane_id, sizeof pn->pane_id, "%s", f[1]);
		pn->pid = (int)num(f[2], 0);
		pn->dead = num(f[3], 0) != 0;
		pn->dead_status = (int)num(f[4], -1);
		pn->dead_signal = (int)num(f[5], 0);
		pn->dead_time = num(f[6], 0);
		pn->attached = (int)num(f[7], 0);
		pn->created = num(f[8], 0);
		pn->window = (int)num(f[9], 0);
		pn->index = (int)num(f[10], 0);
		pn->session = xstrdup(f[11]);
		pn->command = xstrdup(f[12]);
	}
	buf_free(&b);
	return TMUX_OK;
}

void
tmux_panes_free(struct pane *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].session);
		free(p[i].command);
	}
	free(p);
}

const struct pane *
tmux_pane_for(const struct pane *p, size_t n, const char *session,
    const char *pane_id)
{
	const struct pane *best = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(p[i].session, session) != 0)
			continue;
		if (pane_id && *pane_id && strcmp(p[i].pane_id, pane_id) == 0)
			return &p[i];
		/* Else the first pane of the first window: where vigil put it. */
		if (best == NULL || p[i].window < best->window ||
		    (p[i].window == best->window && p[i].index < best->index))
			best = &p[i];
	}
	return best;
}

static void
add_env(struct strv *a, char *const *env)
{
	for (; env && *env; env++) {
		strv_add(a, "-e");
		add_arg(a, *env);
	}
}

/* parse_ids reads "%N PID" as printed by display-message. */
static int
parse_ids(const char *s, char pane_id[16], int *pid)
{
	char id[16];
	int p;
	if (sscanf(s, "%15s %d", id, &p) != 2)
		return -1;
	if (pane_id)
		snprintf(pane_id, 16, "%s", id);
	if (pid)
		*pid = p;
	return 0;
}

int
tmux_launch(struct tmux *t, const struct tmux_launch *l, char pane_id[16],
    int *pid, char *err)
{
	struct strv a = {0};
	char target[VIGIL_NAME_MAX + 8];
	char sess[VIGIL_NAME_MAX + 8];
	char w[16], h[16];
	snprintf(target, sizeof target, "=%s:", l->name);
	snprintf(sess, sizeof sess, "=%s", l->name);
	snprintf(w, sizeof w, "%d", l->width > 0 ? l->width : 200);
	snprintf(h, sizeof h, "%d", l->height > 0 ? l->height : 50);

	strv_add(&a, "new-session");
	strv_add(&a, "-d");
	strv_add(&a, "-s");
	add_arg(&a, l->name);
	strv_add(&a, "-c");
	add_arg(&a, l->dir);
	strv_add(&a, "-x");
	strv_add(&a, w);
	strv_add(&a, "-y");
	strv_add(&a, h);
	add_env(&a, l->env);
	/* A placeholder that respawn-pane replaces; no shell is started. */
	strv_add(&a, "--");
	strv_add(&a, "sleep");
	strv_add(&a, "2147483647");
	add_sep(&a);
	strv_add(&a, "set-option");
	strv_add(&a, "-p");
	strv_add(&a, "-t");
	add_arg(&a, target);
	strv_add(&a, "remain-on-exit");
	strv_add(&a, "on");
	add_sep(&a);
	strv_add(&a, "respawn-pane");
	strv_add(&a, "-k");
	strv_add(&a, "-t");
	add_arg(&a, target);
	strv_add(&a, "-c");
	add_arg(&a, l->dir);
	add_env(&a, l->env);
	strv_add(&a, "--");
	for (char *const *v = l->argv; *v; v++)
		add_arg(&a, *v);
	add_sep(&a);
	strv_add(&a, "display-message");
	strv_add(&a, "-p");
	strv_add(&a, "-t");
	add_arg(&a, target);
	strv_add(&a, "#{pane_id} #{pane_pid}");

	struct buf out = {0};
	int rc = tmux_run(t, a.v, &out, err);
	strv_free(&a);
	if (rc == TMUX_OK && parse_ids(out.data ? out.data : "", pane_id, pid) == -1) {
		seterr(err, "tmux: unexpected answer '%s'", out.data ? out.data : "");
		rc = TMUX_FAILED;
	}
	buf_free(&out);
	(void)sess;
	return rc;
}

int
tmux_respawn(struct tmux *t, const char *target, const char *dir,
    char *const *argv, char *const *env, int *pid, char *err)
{
	struct strv a = {0};
	/*
	 * The new agent starts on a clean pane: what the last one left on
	 * screen (a rate-limit line, say) must not be read as its own.
	 */
	strv_add(&a, "send-keys");
	strv_add(&a, "-R");
	strv_add(&a, "-t");
	add_arg(&a, target);
	add_sep(&a);
	strv_add(&a, "clear-history");
	strv_add(&a, "-t");
	add_arg(&a, target);
	add_sep(&a);
	strv_add(&a, "respawn-pane");
	strv_add(&a, "-k");
	strv_add(&a, "-t");
	add_arg(&a, target);
	if (dir) {
		strv_add(&a, "-c");
		add_arg(&a, dir);
	}
	add_env(&a, env);
	strv_add(&a, "--");
	for (char *const *v = argv; *v; v++)
		add_arg(&a, *v);
	add_sep(&a);
	strv_add(&a, "display-message");
	strv_add(&a, "-p");
	strv_add(&a, "-t");
	add_arg(&a, target);
	strv_add(&a, "#{pane_id} #{pane_pid}");
	struct buf out = {0};
	int rc = tmux_run(t, a.v, &out, err);
	strv_free(&a);
	if (rc == TMUX_OK && parse_ids(out.data ? out.data : "", NULL, pid) == -1) {
		seterr(err, "tmux: unexpected answer '%s'", out.data ? out.data : "");
		rc = TMUX_FAILED;
	}
	buf_free(&out);
	return rc;
}

int
tmux_kill_session(struct tmux *t, const char *name, char *err)
{
	char target[VIGIL_NAME_MAX + 8];
	snprintf(target, sizeof target, "=%s", name);
	char *args[] = {"kill-session", "-t", target, NULL};
	return tmux_run(t, args, NULL, err);
}

int
tmux_has_session(struct tmux *t, const char *name, char *err)
{
	char target[VIGIL_NAME_MAX + 8];
	snprintf(target, sizeof target, "=%s", name);
	char *args[] = {"has-session", "-t", target, NULL};
	int rc = tmux_run(t, args, NULL, err);
	if (rc == TMUX_OK)
		return 1;
	if (rc == TMUX_FAILED || rc == TMUX_NOSERVER)
		return 0;
	return rc;
}

int
tmux_send_literal(struct tmux *t, const char *target, const char *text, char *err)
{
	struct strv a = {0};
	/* "--" so that text beginning with '-' is never read as a flag. */
	strv_add(&a, "send-keys");
	strv_add(&a, "-t");
	add_arg(&a, target);
	strv_add(&a, "-l");
	strv_add(&a, "--");
	add_arg(&a, text);
	int rc = tmux_run(t, a.v, NULL, err);
	strv_free(&a);
	return rc;
}

int
tmux_paste(struct tmux *t, const char *target, const char *text, char *err)
{
	char bufname[64];
	struct strv a = {0};
	snprintf(bufname, sizeof bufname, "vigil-%ld-%lld", (long)getpid(),
	    (long long)mono_ms());
	strv_add(&a, "set-buffer");
	strv_add(&a, "-b");
	strv_add(&a, bufname);
	strv_add(&a, "--");
	add_arg(&a, text);
	add_sep(&a);
	strv_add(&a, "paste-buffer");
	strv_add(&a, "-p");
	strv_add(&a, "-d");
	strv_add(&a, "-b");
	strv_add(&a, bufname);
	strv_add(&a, "-t");
	add_arg(&a, target);
	int rc = tmux_run(t, a.v, NULL, err);
	strv_free(&a);
	return rc;
}

int
tmux_send_key(struct tmux *t, const char *target, const char *key, char *err)
{
	char *args[] = {"send-keys", "-t", (char *)target, (char *)key, NULL};
	return tmux_run(t, args, NULL, err);
}

int
tmux_capture(struct tmux *t, const char *target, int lines, struct buf *out,
    char *err)
{
	char start[24];
	snprintf(start, sizeof start, "-%d", lines > 0 ? lines : 0);
	char *args[] = {"capture-pane", "-p", "-J", "-S", start, "-t", (char *)target,
	    NULL};
	return tmux_run(t, args, out, err);
}

/*
 * quotable tells whether a target can go between single quotes in a tmux
 * command file: no quote, no control character (names are [A-Za-z0-9_-]).
 */
static int
quotable(const char *s)
{
	for (; *s; s++)
		if (*s == '\'' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * tmux_capture_many gives tmux the captures as lines of a command file on
 * its stdin (source-file -): one exec however many panes (a command line is capped at
 * 16 KiB by tmux's client, about 190 panes), and a pane that vanished only
 * fails its own line, where in a chain (cmd ; cmd) it would stop the rest.
 * After each pane a separator that carries its index: the pane's text can
 * forge neither (a token made per call).
 */
int
tmux_capture_many(struct tmux *t, char *const *targets, size_t n, int lines,
    struct buf *outs, int *ok, char *err)
{
	char sep[64];
	snprintf(sep, sizeof sep, "vigil-sep-%08lx%08lx-", (unsigned long)random(),
	    (unsigned long)mono_ms());
	size_t seplen = strlen(sep);
	struct buf cmds = {0};
	for (size_t i = 0; i < n; i++) {
		ok[i] = 0;
		if (!quotable(targets[i]))
			continue;
		buf_printf(&cmds, "capture-pane -p -J -S -%d -t '%s' ; display-message -p %s%zu\n",
		    lines > 0 ? lines : 0, targets[i], sep, i);
	}
	char *args[] = {"source-file", "-", NULL};
	struct buf out = {0};
	int rc = run_with(t, args, &cmds, &out, err);
	buf_free(&cmds);
	if (rc == TMUX_TIMEOUT || rc == TMUX_NOEXEC || rc == TMUX_NOSERVER) {
		buf_free(&out);
		return rc;
	}
	/* Split at separator lines; each ends the capture of the pane it names. */
	const char *p = out.data ? out.data : "", *q = p;
	while ((q = strstr(q, sep)) != NULL) {
		const char *num = q + seplen, *e = num;
		while (*e >= '0' && *e <= '9')
			e++;
		if ((q != out.data && q[-1] != '\n') || e == num || (*e != '\n' && *e != '\0')) {
			q += seplen;
			continue;
		}
		size_t i = (size_t)strtoull(num, NULL, 10);
		if (i < n) {
			buf_reset(&outs[i]);
			buf_add(&outs[i], p, (size_t)(q - p));
			ok[i] = 1;
		}
		p = q = *e == '\n' ? e + 1 : e;
	}
	buf_free(&out);
	/* A pane that vanished fails its line and makes tmux exit 1: not ours. */
	return rc == TMUX_FAILED ? TMUX_OK : rc;
}

int
tmux_version(struct tmux *t, int *major, int *minor, char *text, size_t n,
    char *err)
{
	struct strv argv = {0};
	struct child_result r;
	strv_add(&argv, t->bin);
	strv_add(&argv, "-V");
	struct child_opts o = {.argv = argv.v, .env = t->env.v, .timeout_ms = t->timeout};
	t->execs++;
	int rc = child_run(&o, &r, err);
	strv_free(&argv);
	if (rc == -1) {
		child_result_free(&r);
		return TMUX_NOEXEC;
	}
	str_trim_right(r.out.data);
	snprintf(text, n, "%s", r.out.data);
	int ma = 0, mi = 0;
	const char *p = strchr(r.out.data, ' ');
	/* "tmux 3.3a", "tmux next-3.4", "tmux master": read the digits. */
	while (p && *p && !(*p >= '0' && *p <= '9'))
		p++;
	if (p == NULL || sscanf(p, "%d.%d", &ma, &mi) < 1) {
		seterr(err, "cannot read tmux version from '%s'", r.out.data);
		child_result_free(&r);
		return TMUX_FAILED;
	}
	child_result_free(&r);
	*major = ma;
	*minor = mi;
	return TMUX_OK;
}
