/*
 * triage.c - the AI triage runner: the prompt, the budget, the job and the
 * verdict event's detail.
 *
 * Deliberate choices. The pane tail and the events (whose details quote
 * screen lines and the model's earlier answers) are untrusted: they are
 * fenced between boundary lines holding a token drawn per run that none of
 * the values contains, and the template must close the fence after them,
 * so that nothing they hold can be the last line of the prompt. A model
 * that merely echoes its input then ends on vigil's own text, never on a
 * verdict copied from the pane. The command runs in a process group of
 * its own and everything in that group is killed when it ends, at its
 * deadline, or when its output passes 64 KiB (at that point no answer can
 * be trusted, so there is nothing to wait for). The group is killed before
 * its leader is reaped, while the leader's pid still names the group and
 * no other process can have been given that number.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "config.h"
#include "duration.h"
#include "prompts.h"
#include "store.h"
#include "template.h"
#include "triage.h"

#define HOUR_MS (3600 * 1000)
#define TOKEN_TRIES 8   /* draws of a token before giving up (each collides
                           with probability ~ length / 2^64) */
#define RUN_WAKE_MS 250 /* triage_run looks at *stop this often */

#define EM_DASH "\xe2\x80\x94"

/* Prompt. */

/* random_hex fills out with n hex digits from the kernel's CSPRNG. */
static int
random_hex(char *out, size_t n, char *err)
{
	unsigned char raw[32];
	size_t need = (n + 1) / 2;
	if (need > sizeof raw)
		need = sizeof raw;
	ssize_t got = getrandom(raw, need, 0);
	if (got != (ssize_t)need) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		got = fd == -1 ? -1 : read(fd, raw, need);
		if (fd != -1)
			close(fd);
		if (got != (ssize_t)need) {
			seterr(err, "cannot read random bytes: %s", strerror(errno));
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		out[i] = "0123456789abcdef"[(raw[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	out[n] = '\0';
	return 0;
}

/*
 * add_clean appends s with invalid UTF-8 shown as U+FFFD and each control
 * character but tab (and newline, when lines is set) as '?': the model is
 * given text, never terminal controls.
 */
static void
add_clean(struct buf *out, const char *s, int lines)
{
	struct buf tmp = {0};
	utf8_sanitize(s, &tmp);
	for (char *p = tmp.data; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n' && !lines)
			*p = ' ';
		else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			*p = '?';
	}
	buf_puts(out, tmp.data);
	buf_free(&tmp);
}

/* add_events appends a's last events, one a line, oldest first. */
static int
add_events(struct store *s, const struct agent *a, int64_t now, struct buf *out,
    char *err)
{
	struct event *ev;
	size_t n;
	int rc = store_event_list(s, a->name, 0, TRIAGE_EVENTS, &ev, &n, err);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char ago[32];
		duration_format(now > ev[i].ts ? now - ev[i].ts : 0, ago, sizeof ago);
		buf_printf(out, "%s ago  %s  tier %d  ", ago, ev[i].kind, ev[i].tier);
		add_clean(out, ev[i].detail ? ev[i].detail : "", 0);
		buf_puts(out, "\n");
	}
	if (n == 0)
		buf_puts(out, "(no events)\n");
	event_array_free(ev, n);
	/* The template puts the closing boundary on a line of its own. */
	if (out->len > 0 && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
	return 0;
}

/* add_pane appends the pane tail, cleaned, without its trailing blank lines. */
static void
add_pane(const char *pane, struct buf *out)
{
	size_t start = out->len;
	add_clean(out, pane ? pane : "", 1);
	while (out->len > start && strchr(" \t\n", out->data[out->len - 1]))
		out->len--;
	out->data[out->len] = '\0';
	if (out->len == start)
		buf_puts(out, "(the pane is empty)");
}

/*
 * check_fence refuses a template in which untrusted text could end the
 * prompt: each {{pane}} and {{events}} needs a {{token}} after it.
 */
static int
check_fence(const char *tmpl, char *err)
{
	static const char *const fenced[] = {"{{pane}}", "{{events}}"};
	for (size_t i = 0; i < sizeof fenced / sizeof fenced[0]; i++) {
		const char *last = NULL;
		for (const char *p = tmpl; (p = strstr(p, fenced[i])) != NULL; p++)
			last = p;
		if (last && strstr(last, "{{token}}") == NULL) {
			seterr(err, "template '%s': %s must be followed by a boundary line with "
			    "{{token}}", TRIAGE_TEMPLATE, fenced[i]);
			return -1;
		}
	}
	return 0;
}

int
triage_prompt(const struct config *cfg, struct store *s, const struct agent *a,
    const char *pane, int64_t now, struct buf *out, char *token, char *err)
{
	struct buf tmpl = {0}, events = {0}, tail = {0};
	char tok[TRIAGE_TOKEN_LEN + 1], unchanged[32] = "unknown";
	int rc = 0;

	if (prompt_load(cfg, TRIAGE_TEMPLATE, &tmpl, err) == -1) {
		buf_free(&tmpl);
		return TRIAGE_ENOTEMPLATE;
	}
	if (check_fence(tmpl.data, err) == -1) {
		rc = TRIAGE_EBADTEMPLATE;
		goto done;
	}
	if (add_events(s, a, now, &events, err) != 0) {
		rc = TRIAGE_EFAIL;
		goto done;
	}
	add_pane(pane, &tail);
	if (a->last_change > 0)
		duration_format(now > a->last_change ? now - a->last_change : 0, unchanged,
		    sizeof unchanged);
	struct tvar vars[] = {
		{"name", a->name},
		{"preset", a->preset},
		{"state", a->state},
		{"dir", a->dir},
		{"task", a->task ? a->task : "(none given)"},
		{"unchanged", unchanged},
		{"events", events.data},
		{"pane", tail.data},
		{"token", tok},
	};
	size_t nvars = sizeof vars / sizeof vars[0];
	int clash = 1;
	for (int t = 0; t < TOKEN_TRIES && clash; t++) {
		if (random_hex(tok, TRIAGE_TOKEN_LEN, err) == -1) {
			rc = TRIAGE_EFAIL;
			goto done;
		}
		clash = 0;
		for (size_t i = 0; i + 1 < nvars && !clash; i++)
			clash = vars[i].value && strstr(vars[i].value, tok) != NULL;
	}
	if (clash) {
		seterr(err, "cannot draw a boundary token that the pane text lacks");
		rc = TRIAGE_EFAIL;
		goto done;
	}
	if (template_fill(tmpl.data, vars, nvars, out, err) == -1) {
		rc = TRIAGE_EBADTEMPLATE;
		goto done;
	}
	if (token)
		memcpy(token, tok, sizeof tok);
done:
	buf_free(&tmpl);
	buf_free(&events);
	buf_free(&tail);
	return rc;
}

void
triage_command_line(const struct config *cfg, struct buf *out)
{
	struct strv argv = {0};
	if (cfg->triage_command == NULL || split_words(cfg->triage_command, &argv, NULL) == -1) {
		buf_puts(out, "(no command)");
		return;
	}
	for (size_t i = 0; i < argv.n; i++) {
		if (i > 0)
			buf_puts(out, " ");
		quote_word(out, argv.v[i]);
	}
	strv_free(&argv);
}

/* Budget. */

int
triage_budget_ok(struct store *s, const struct config *cfg, int64_t now,
    int running, char *why)
{
	if (running >= cfg->triage_max_parallel) {
		seterr(why, "%d triage run%s going (max_parallel %d)", running,
		    running == 1 ? "" : "s", cfg->triage_max_parallel);
		return 0;
	}
	int64_t n = 0;
	int rc = store_event_count_since(s, "triage", now - HOUR_MS, &n, why);
	if (rc != 0)
		return rc;
	if (n >= cfg->triage_max_per_hour) {
		seterr(why, "%lld triage run%s in the last hour (max_per_hour %d)", (long long)n,
		    n == 1 ? "" : "s", cfg->triage_max_per_hour);
		return 0;
	}
	return 1;
}

/* Results. */

void
triage_result_none(struct triage_result *r, const char *none, const char *reason)
{
	memset(r, 0, sizeof *r);
	r->kind = VERDICT_NONE;
	snprintf(r->none, sizeof r->none, "%s", none);
	if (reason) {
		struct buf b = {0};
		add_clean(&b, reason, 0);
		snprintf(r->reason, sizeof r->reason, "%s", b.data);
		buf_free(&b);
	}
}

void
triage_verdict_line(const struct triage_result *r, struct buf *out)
{
	if (r->kind == VERDICT_NONE)
		buf_printf(out, "none: %s", r->none[0] ? r->none : "unparseable");
	else if (r->kind == VERDICT_NUDGE)
		buf_printf(out, "NUDGE %s", r->text);
	else
		buf_puts(out, verdict_name(r->kind));
}

void
triage_verdict_detail(const struct triage_result *r, struct buf *out)
{
	triage_verdict_line(r, out);
	if (r->reason[0])
		buf_printf(out, " " EM_DASH " %s", r->reason);
}

/* The job. */

struct triage_job {
	pid_t pid;      /* the command, the leader of its group; 0 once reaped */
	int in;         /* its stdin, while the prompt is being written */
	int out;        /* its stdout, until EOF */
	int pidfd;      /* readable once it has exited; -1 without pidfds */
	char *prompt;
	size_t len, off;
	struct buf got; /* its stdout so far */
	int64_t started;
	int64_t deadline;
	int done;
	struct triage_result res;
};

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
close_all(struct triage_job *j)
{
	close_fd(&j->in);
	close_fd(&j->out);
	close_fd(&j->pidfd);
}

static void
finish_none(struct triage_job *j, int64_t now, const char *none, const char *reason)
{
	triage_result_none(&j->res, none, reason);
	j->res.elapsed = now - j->started;
	j->done = 1;
}

static void
set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

struct triage_job *
triage_start(const struct config *cfg, const char *prompt, size_t len, int64_t now)
{
	struct triage_job *j = xcalloc(1, sizeof *j);
	struct strv argv = {0};
	char err[VIGIL_ERR_LEN];
	j->in = j->out = j->pidfd = -1;
	j->started = now;
	buf_add(&j->got, "", 0);
	if (cfg->triage_command == NULL) {
		finish_none(j, now, "no command", "[triage] command is not set");
		return j;
	}
	if (split_words(cfg->triage_command, &argv, err) == -1) {
		finish_none(j, now, "no command", err);
		return j;
	}
	char *path = find_in_path(argv.v[0]);
	if (path == NULL) {
		seterr(err, "program '%s' not found on PATH", argv.v[0]);
		finish_none(j, now, "no command", err);
		goto out;
	}
	free(path);
	struct child_opts o = {.argv = argv.v, .own_pgrp = 1};
	j->pid = child_start(&o, &j->in, &j->out, err);
	if (j->pid == -1) {
		j->pid = 0;
		finish_none(j, now, "cannot start", err);
		goto out;
	}
	set_nonblock(j->in);
	set_nonblock(j->out);
	j->pidfd = child_pidfd(j->pid);
	j->prompt = xmalloc(len + 1);
	memcpy(j->prompt, prompt, len);
	j->len = len;
	if (len == 0)
		close_fd(&j->in);
	j->deadline = now + cfg->triage_timeout;
out:
	strv_free(&argv);
	return j;
}

int
triage_pollfds(const struct triage_job *j, struct pollfd *p)
{
	int n = 0;
	if (j->done)
		return 0;
	if (j->in >= 0)
		p[n++] = (struct pollfd){.fd = j->in, .events = POLLOUT};
	if (j->out >= 0)
		p[n++] = (struct pollfd){.fd = j->out, .events = POLLIN};
	if (j->pidfd >= 0)
		p[n++] = (struct pollfd){.fd = j->pidfd, .events = POLLIN};
	return n;
}

int64_t
triage_deadline(const struct triage_job *j)
{
	return j->done ? 0 : j->deadline;
}

/* feed writes what the pipe takes of the prompt; a closed reader ends it. */
static void
feed(struct triage_job *j)
{
	while (j->in >= 0 && j->off < j->len) {
		ssize_t w = write(j->in, j->prompt + j->off, j->len - j->off);
		if (w > 0) {
			j->off += (size_t)w;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno == EAGAIN)
			return;
		break; /* EPIPE: it stopped reading, which is its own business */
	}
	close_fd(&j->in);
}

/* drain reads what the output has now; -1 once it passes TRIAGE_OUT_MAX. */
static int
drain(struct triage_job *j)
{
	char tmp[16384];
	while (j->out >= 0) {
		ssize_t r = read(j->out, tmp, sizeof tmp);
		if (r > 0) {
			buf_add(&j->got, tmp, (size_t)r);
			if (j->got.len > TRIAGE_OUT_MAX)
				return -1;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			break;
		close_fd(&j->out); /* EOF */
	}
	return 0;
}

/*
 * kill_reap kills the job's process group (its leader may have exited but
 * is not reaped yet, so the group's number is still its own) and reaps
 * the leader into *status.
 */
static void
kill_reap(struct triage_job *j, int *status)
{
	kill(-j->pid, SIGKILL);
	while (waitpid(j->pid, status, 0) == -1 && errno == EINTR)
		;
	j->pid = 0;
	close_all(j);
}

/* judge turns the exit status and the output into the result. */
static void
judge(struct triage_job *j, int status, int64_t now)
{
	struct verdict v;
	verdict_parse(j->got.data, j->got.len, &v);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char what[32];
		finish_none(j, now, child_status_str(status, what, sizeof what), v.reason);
		return;
	}
	memset(&j->res, 0, sizeof j->res);
	j->res.kind = v.kind;
	memcpy(j->res.text, v.text, sizeof j->res.text);
	memcpy(j->res.reason, v.reason, sizeof j->res.reason);
	if (v.kind == VERDICT_NONE)
		snprintf(j->res.none, sizeof j->res.none, "%s", v.none);
	j->res.elapsed = now - j->started;
	j->done = 1;
}

/* step moves a running job on; it sets j->done when it has finished. */
static void
step(struct triage_job *j, int64_t now)
{
	int status = 0;
	feed(j);
	if (drain(j) == -1) {
		kill_reap(j, &status);
		finish_none(j, now, "unparseable", "its output passed 64 KiB");
		return;
	}
	siginfo_t si;
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)j->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
		if (errno == EINTR)
			return;
		/* Someone reaped it behind our back: its number may be reused. */
		j->pid = 0;
		close_all(j);
		finish_none(j, now, "lost", "the triage command was reaped elsewhere");
		return;
	}
	if (si.si_pid == j->pid) {
		/* It has exited: what it wrote is in the pipe now. */
		int over = drain(j) == -1;
		kill_reap(j, &status);
		if (over)
			finish_none(j, now, "unparseable", "its output passed 64 KiB");
		else
			judge(j, status, now);
		return;
	}
	if (now >= j->deadline) {
		char took[32], why[64];
		kill_reap(j, &status);
		snprintf(why, sizeof why, "killed after %s",
		    duration_format(now - j->started, took, sizeof took));
		finish_none(j, now, "timeout", why);
	}
}

int
triage_poll(struct triage_job *j, int64_t now, struct triage_result *out)
{
	if (!j->done)
		step(j, now);
	if (!j->done)
		return 0;
	*out = j->res;
	return 1;
}

void
triage_free(struct triage_job *j)
{
	if (j == NULL)
		return;
	if (j->pid > 0) {
		int status;
		kill_reap(j, &status);
	}
	close_all(j);
	free(j->prompt);
	buf_free(&j->got);
	free(j);
}

int
triage_run(const struct config *cfg, const char *prompt, size_t len,
    const volatile sig_atomic_t *stop, struct triage_result *out)
{
	struct triage_job *j = triage_start(cfg, prompt, len, now_ms());
	while (!triage_poll(j, now_ms(), out)) {
		if (stop && *stop) {
			int64_t started = j->started;
			triage_free(j);
			triage_result_none(out, "interrupted", "the triage command was killed");
			out->elapsed = now_ms() - started;
			return -1;
		}
		struct pollfd p[TRIAGE_NFDS];
		int n = triage_pollfds(j, p);
		int64_t left = j->deadline - now_ms();
		/* Wake now and then: to see *stop, and the exit when there is no pidfd. */
		int wait = left <= 0 ? 0 : left < RUN_WAKE_MS ? (int)left : RUN_WAKE_MS;
		poll(p, (nfds_t)n, wait);
	}
	triage_free(j);
	return 0;
}
