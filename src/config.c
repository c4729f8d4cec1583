/*
 * config.c - read the INI config with libinih. The reader callback counts
 * lines so that every error and warning names file, line and key (the
 * library's own line numbers are compiled out in Debian's build), and it
 * strips leading blanks so that an indented line is a line of its own, not
 * a silent continuation of the previous value.
 */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "config.h"
#include "duration.h"
#include "pattern.h"
#include "preset.h"
#include "util.h"

#define INI_LINE_MAX 199 /* libinih's buffer is 200 bytes with the NUL */

struct parse {
	struct config *c;
	FILE *fp;
	const char *path;
	int line;
	int toolong;
	int binary; /* a NUL byte: not a text file */
	int code; /* sysexits code of the first error, 0 when none */
	char *err;
};

struct config *
config_defaults(void)
{
	struct config *c = xcalloc(1, sizeof *c);
	c->interval = 2000;
	c->warn_after = 5 * 60000;
	c->nudge_after = 10 * 60000;
	c->triage_after = 20 * 60000;
	c->terminate_after = 60 * 60000;
	c->max_nudges = 2;
	c->capture_lines = 40;
	c->boot_grace = 10000;
	c->tmux_timeout = 5000;
	c->confirm = 1000;
	c->ready_timeout = 30000;

	c->rl_cooldown = 300000;
	c->max_renewals = 4;
	c->rl_shared = 1;
	c->rl_margin = 60000;

	c->crash_window = 120000;
	c->crash_max_in_window = 3;
	c->crash_cooldown = 120000;
	c->backoff_base = 1000;
	c->backoff_factor = 2.0;
	c->backoff_max = 300000;
	c->max_restarts = 10;

	c->triage_command = xstrdup("claude -p --max-turns 1");
	c->triage_timeout = 120000;
	c->triage_max_parallel = 2;
	c->triage_max_per_hour = 6;

	c->notify_command = NULL;
	c->notify_timeout = 10000;

	c->snapshot_keep = 20;

	c->presets = preset_builtins(&c->npresets);
	return c;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->npresets; i++)
		preset_free(c->presets[i]);
	free(c->presets);
	free(c->path);
	free(c->triage_command);
	free(c->notify_command);
	free(c->prompts_dir);
	free(c);
}

struct preset *
config_preset(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->npresets; i++)
		if (strcmp(c->presets[i]->name, name) == 0)
			return c->presets[i];
	return NULL;
}

char *
config_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x == '/')
		return xasprintf("%s/vigil/config", x);
	const char *home = getenv("HOME");
	if (home && *home)
		return xasprintf("%s/.config/vigil/config", home);
	return NULL;
}

static int __attribute__((format(printf, 3, 0)))
fail(struct parse *p, const char *key, const char *fmt, const char *value,
    const char *why)
{
	struct buf msg = {0};
	buf_printf(&msg, fmt, value, why);
	seterr(p->err, "%s:%d: %s: %s", p->path, p->line, key, msg.data);
	buf_free(&msg);
	p->code = EX_DATAERR;
	return 0; /* stop parsing */
}

static int
set_duration(struct parse *p, const char *key, const char *v, int64_t *out,
    int64_t min)
{
	char why[VIGIL_ERR_LEN];
	int64_t ms;
	if (duration_parse(v, &ms, why) == -1)
		return fail(p, key, "bad value '%s': %s", v, why);
	if (ms < min) {
		char m[32];
		duration_format(min, m, sizeof m);
		snprintf(why, sizeof why, "must be at least %s", m);
		return fail(p, key, "bad value '%s': %s", v, why);
	}
	*out = ms;
	return 1;
}

static int
set_int(struct parse *p, const char *key, const char *v, int *out, long min,
    long max)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno || n < min || n > max) {
		char why[64];
		snprintf(why, sizeof why, "expected a whole number from %ld to %ld", min, max);
		return fail(p, key, "bad value '%s': %s", v, why);
	}
	*out = (int)n;
	return 1;
}

static int
set_bool(struct parse *p, const char *key, const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = 0;
	else
		return fail(p, key, "bad value '%s': %s", v, "expected yes or no");
	return 1;
}

static int
set_command(struct parse *p, const char *key, const char *v, char **out)
{
	char why[VIGIL_ERR_LEN];
	struct strv words = {0};
	if (*v != '\0' && split_words(v, &words, why) == -1)
		return fail(p, key, "bad value '%s': %s", v, why);
	strv_free(&words);
	free(*out);
	*out = *v ? xstrdup(v) : NULL;
	return 1;
}

static void
set_str(char **out, const char *v)
{
	free(*out);
	*out = *v ? xstrdup(v) : NULL;
}

static int
add_pattern(struct parse *p, const char *key, const char *v, struct patset *ps)
{
	char why[VIGIL_ERR_LEN];
	if (*v == '\0') {
		patset_clear(ps);
		return 1;
	}
	if (patset_add(ps, v, why) == -1)
		return fail(p, key, "bad value '%s': %s", v, why);
	return 1;
}

static void
warn_unknown(struct parse *p, const char *section, const char *key)
{
	fprintf(stderr, "vigil: warning: %s:%d: unknown key '%s' in [%s]\n",
	    p->path, p->line, key, section);
}

static int
watch_key(struct parse *p, const char *k, const char *v)
{
	struct config *c = p->c;
	if (!strcmp(k, "interval"))
		return set_duration(p, k, v, &c->interval, 10);
	if (!strcmp(k, "warn_after"))
		return set_duration(p, k, v, &c->warn_after, 1);
	if (!strcmp(k, "nudge_after"))
		return set_duration(p, k, v, &c->nudge_after, 1);
	if (!strcmp(k, "triage_after"))
		return set_duration(p, k, v, &c->triage_after, 1);
	if (!strcmp(k, "terminate_after"))
		return set_duration(p, k, v, &c->terminate_after, 1);
	if (!strcmp(k, "max_nudges"))
		return set_int(p, k, v, &c->max_nudges, 0, 1000);
	if (!strcmp(k, "capture_lines"))
		return set_int(p, k, v, &c->capture_lines, 1, 1000);
	if (!strcmp(k, "boot_grace"))
		return set_duration(p, k, v, &c->boot_grace, 0);
	if (!strcmp(k, "tmux_timeout"))
		return set_duration(p, k, v, &c->tmux_timeout, 10);
	if (!strcmp(k, "confirm"))
		return set_duration(p, k, v, &c->confirm, 0);
	if (!strcmp(k, "ready_timeout"))
		return set_duration(p, k, v, &c->ready_timeout, 0);
	return -1;
}

static int
ratelimit_key(struct parse *p, const char *k, const char *v)
{
	struct config *c = p->c;
	if (!strcmp(k, "cooldown"))
		return set_duration(p, k, v, &c->rl_cooldown, 1);
	if (!strcmp(k, "max_renewals"))
		return set_int(p, k, v, &c->max_renewals, 0, 1000);
	if (!strcmp(k, "shared"))
		return set_bool(p, k, v, &c->rl_shared);
	if (!strcmp(k, "margin"))
		return set_duration(p, k, v, &c->rl_margin, 0);
	return -1;
}

static int
crash_key(struct parse *p, const char *k, const char *v)
{
	struct config *c = p->c;
	if (!strcmp(k, "window"))
		return set_duration(p, k, v, &c->crash_window, 1);
	if (!strcmp(k, "max_in_window"))
		return set_int(p, k, v, &c->crash_max_in_window, 1, 10);
	if (!strcmp(k, "cooldown"))
		return set_duration(p, k, v, &c->crash_cooldown, 0);
	if (!strcmp(k, "backoff_base"))
		return set_duration(p, k, v, &c->backoff_base, 0);
	if (!strcmp(k, "backoff_max"))
		return set_duration(p, k, v, &c->backoff_max, 0);
	if (!strcmp(k, "max_restarts"))
		return set_int(p, k, v, &c->max_restarts, 0, 1000000);
	if (!strcmp(k, "backoff_factor")) {
		char *end;
		errno = 0;
		double f = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || errno || !isfinite(f) || f < 1 || f > 100)
			return fail(p, k, "bad value '%s': %s", v, "expected a number from 1 to 100");
		c->backoff_factor = f;
		return 1;
	}
	return -1;
}

static int
triage_key(struct parse *p, const char *k, const char *v)
{
	struct config *c = p->c;
	if (!strcmp(k, "command"))
		return set_command(p, k, v, &c->triage_command);
	if (!strcmp(k, "timeout"))
		return set_duration(p, k, v, &c->triage_timeout, 1);
	if (!strcmp(k, "max_parallel"))
		return set_int(p, k, v, &c->triage_max_parallel, 1, 64);
	if (!strcmp(k, "max_per_hour"))
		return set_int(p, k, v, &c->triage_max_per_hour, 0, 100000);
	return -1;
}

static int
notify_key(struct parse *p, const char *k, const char *v)
{
	struct config *c = p->c;
	if (!strcmp(k, "command"))
		return set_command(p, k, v, &c->notify_command);
	if (!strcmp(k, "timeout"))
		return set_duration(p, k, v, &c->notify_timeout, 1);
	return -1;
}

static int
preset_key(struct parse *p, const char *name, const char *k, const char *v)
{
	struct preset *ps = config_preset(p->c, name);
	if (ps == NULL) {
		char why[VIGIL_ERR_LEN];
		if (name_check(name, why) == -1)
			return fail(p, "preset", "bad preset name '%s': %s", name, why);
		ps = preset_new(name);
		p->c->presets = xrealloc(p->c->presets,
		    (p->c->npresets + 1) * sizeof *p->c->presets);
		p->c->presets[p->c->npresets++] = ps;
	}
	if (!strcmp(k, "command"))
		return set_command(p, k, v, &ps->command);
	if (!strcmp(k, "process")) {
		set_str(&ps->process, v);
		return 1;
	}
	if (!strcmp(k, "ratelimit"))
		return add_pattern(p, k, v, ps->ratelimit);
	if (!strcmp(k, "idle"))
		return add_pattern(p, k, v, ps->idle);
	if (!strcmp(k, "busy"))
		return add_pattern(p, k, v, ps->busy);
	if (!strcmp(k, "trust"))
		return add_pattern(p, k, v, ps->trust);
	if (!strcmp(k, "nudge")) {
		set_str(&ps->nudge, v);
		return 1;
	}
	if (!strcmp(k, "resume")) {
		set_str(&ps->resume, v);
		return 1;
	}
	if (!strcmp(k, "resume_command"))
		return set_command(p, k, v, &ps->resume_command);
	if (!strcmp(k, "activity")) {
		set_str(&ps->activity, v);
		return 1;
	}
	if (!strcmp(k, "account")) {
		set_str(&ps->account, v);
		return 1;
	}
	return -1;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	struct config *c = p->c;
	int r;

	if (p->code)
		return 0;
	if (p->binary) {
		seterr(p->err, "%s:%d: a NUL byte: not a text file", p->path, p->line);
		p->code = EX_DATAERR;
		return 0;
	}
	if (p->toolong) {
		seterr(p->err, "%s:%d: line longer than %d characters", p->path, p->line,
		    INI_LINE_MAX);
		p->code = EX_DATAERR;
		return 0;
	}
	if (!strcmp(section, "watch"))
		r = watch_key(p, key, value);
	else if (!strcmp(section, "ratelimit"))
		r = ratelimit_key(p, key, value);
	else if (!strcmp(section, "crash"))
		r = crash_key(p, key, value);
	else if (!strcmp(section, "triage"))
		r = triage_key(p, key, value);
	else if (!strcmp(section, "notify"))
		r = notify_key(p, key, value);
	else if (!strcmp(section, "snapshot") && !strcmp(key, "keep"))
		r = set_int(p, key, value, &c->snapshot_keep, 1, 100000);
	else if (!strcmp(section, "prompts") && !strcmp(key, "dir")) {
		set_str(&c->prompts_dir, value);
		r = 1;
	} else if (!strncmp(section, "preset ", 7) && section[7] != '\0')
		r = preset_key(p, section + 7, key, value);
	else
		r = -1;
	if (r == -1) {
		warn_unknown(p, section, key);
		return 1;
	}
	return r;
}

/* The reader hands libinih one line at a time, counting as it goes. */
static char *
reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	char line[4096];
	size_t len = 0;
	int ch = EOF;
	/*
	 * After an error nothing more is read: libinih goes on after a handler
	 * says stop, and the input may have no end (-c /dev/zero).
	 */
	if (p->code)
		return NULL;
	while (len + 1 < sizeof line && (ch = getc(p->fp)) != EOF) {
		/* fgets would end the line at a NUL unseen: the file is not text. */
		if (ch == '\0') {
			p->binary = 1;
			break;
		}
		line[len++] = (char)ch;
		if (ch == '\n')
			break;
	}
	if (len == 0 && ch == EOF)
		return NULL;
	line[len] = '\0';
	p->line++;
	/* A line too long for libinih: drain it and report it. */
	if (!p->binary && line[len - 1] != '\n' && ch != EOF) {
		while ((ch = getc(p->fp)) != EOF && ch != '\n')
			;
		p->toolong = 1;
	}
	const char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	/* The last line may have no newline: count the characters only. */
	size_t n = strcspn(s, "\n");
	if (n > (size_t)INI_LINE_MAX)
		p->toolong = 1;
	if (p->toolong || p->binary) {
		/* Give libinih a key line so that the handler reports it. */
		snprintf(str, (size_t)num, "x=x\n");
		return str;
	}
	snprintf(str, (size_t)num, "%s", s);
	return str;
}

int
config_load(const char *path, int path_given, struct config **out, char *err)
{
	char *def = NULL;
	struct config *c = config_defaults();

	if (path == NULL)
		path = def = config_default_path();
	if (path == NULL) {
		*out = c;
		return 0;
	}
	struct stat st;
	if (stat(path, &st) == -1) {
		if (errno == ENOENT && !path_given) {
			free(def);
			*out = c;
			return 0;
		}
		seterr(err, "cannot read config '%s': %s", path, strerror(errno));
		free(def);
		config_free(c);
		return EX_NOINPUT;
	}
	if (S_ISDIR(st.st_mode)) {
		seterr(err, "cannot read config '%s': it is a directory", path);
		free(def);
		config_free(c);
		return EX_NOINPUT;
	}
	FILE *fp = fopen(path, "re");
	if (fp == NULL) {
		seterr(err, "cannot read config '%s': %s", path, strerror(errno));
		free(def);
		config_free(c);
		return EX_NOINPUT;
	}
	struct parse p = {.c = c, .fp = fp, .path = path, .err = err};
	int rc = ini_parse_stream(reader, &p, handler, &p);
	fclose(fp);
	if (p.code == 0 && rc != 0) {
		/* A syntax error: libinih stopped at a line it could not read. */
		seterr(err, "%s:%d: syntax error (expected [section] or key = value)",
		    path, rc > 0 ? rc : p.line);
		p.code = EX_DATAERR;
	}
	if (p.code) {
		free(def);
		config_free(c);
		return p.code;
	}
	c->path = xstrdup(path);
	free(def);
	*out = c;
	return 0;
}
