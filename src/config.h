/*
 * config.h - the configuration: every threshold of the watchdog, the triage
 * and notify commands, and the presets (built-in ones, overridden and
 * extended by [preset NAME] sections). Read from an INI file with libinih.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <stdint.h>

#include "util.h"

struct patset;

/* What vigil knows about one agent CLI. */
struct preset {
	char *name;
	char *command;        /* how to start it, split like a shell; may be NULL */
	char *process;        /* process name under the pane; NULL: the pane pid */
	struct patset *ratelimit; /* rate-limit messages */
	struct patset *idle;  /* at its prompt, waiting for input */
	struct patset *busy;  /* working even when the screen is still */
	struct patset *trust; /* a "do you trust this folder" dialog */
	char *nudge;          /* typed when it stopped early or hangs */
	char *resume;         /* typed when a cooldown ends and the limit is gone */
	char *resume_command; /* how to start it again after a handoff */
	char *activity;       /* glob with {dir}: a newer mtime is progress */
	char *account;        /* presets sharing a rate limit; NULL: the name */
	int builtin;
};

struct config {
	char *path; /* the file read, or NULL when none */

	/* [watch] */
	int64_t interval;
	int64_t warn_after;
	int64_t nudge_after;
	int64_t triage_after;
	int64_t terminate_after;
	int max_nudges;
	int capture_lines;
	int64_t boot_grace;  /* a spawn in progress is not a death */
	int64_t tmux_timeout; /* every tmux call is bounded */
	int64_t confirm;      /* how long send waits for its text to be taken */
	int64_t ready_timeout; /* how long resume waits for a CLI to be ready */

	/* [ratelimit] */
	int64_t rl_cooldown;
	int max_renewals;
	int rl_shared;
	int64_t rl_margin;

	/* [crash] */
	int64_t crash_window;
	int crash_max_in_window;
	int64_t crash_cooldown;
	int64_t backoff_base;
	double backoff_factor;
	int64_t backoff_max;
	int max_restarts;

	/* [triage] */
	char *triage_command;
	int64_t triage_timeout;
	int triage_max_parallel;
	int triage_max_per_hour;

	/* [notify] */
	char *notify_command;
	int64_t notify_timeout;

	/* [snapshot] */
	int snapshot_keep;

	/* [prompts] */
	char *prompts_dir;

	struct preset **presets;
	size_t npresets;
};

/*
 * config_load reads path into a fresh config. When path is NULL the default
 * place is used and its absence is no error. A warning (unknown key) goes to
 * stderr as one line. Returns 0, or a sysexits code (EX_NOINPUT: the file
 * is missing; EX_DATAERR: a bad value) with err naming file, line and key.
 */
int config_load(const char *path, int path_given, struct config **out, char *err);

/* config_defaults returns a config of built-in defaults and presets only. */
struct config *config_defaults(void);

void config_free(struct config *c);

/* config_preset finds a preset by name, or NULL. */
struct preset *config_preset(const struct config *c, const char *name);

/* config_default_path returns the malloc'd default config path, or NULL. */
char *config_default_path(void);

#endif
