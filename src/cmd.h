/*
 * cmd.h - the command table and the context every command runs in. Each
 * src/cmd-*.c exports one `const struct vigil_cmd` (several for a small
 * group); cmd.c lists them. Names match exactly: no prefixes, no aliases
 * for a tool that kills sessions.
 */
#ifndef VIGIL_CMD_H
#define VIGIL_CMD_H

#include <stdint.h>

#include "util.h"

struct config;
struct store;
struct tmux;

/* What a command needs; ctx_need sets it up once. */
#define CMD_NEEDSTORE 0x1 /* the store, opened (created when missing) */
#define CMD_NEEDTMUX 0x2  /* the tmux binary, found on PATH */
#define CMD_NOCONFIG 0x4  /* runs without reading the config */
#define CMD_NEEDWRITE 0x8 /* the store, writable: checked before anything is done */

struct vigil_ctx {
	char *home;        /* state dir */
	char *socket;      /* tmux socket name */
	char *config_path; /* -c / VIGIL_CONFIG, or NULL for the default */
	int config_given;
	const char *cmd;   /* the command's name, for messages */
	struct config *cfg;
	struct store *store;
	struct tmux *tmux;
	char err[VIGIL_ERR_LEN]; /* the one line main prints on failure */
};

struct vigil_cmd {
	const char *name;
	const char *usage;   /* arguments, after the name */
	const char *summary; /* one line for `vigil --help` */
	unsigned flags;
	int (*exec)(struct vigil_ctx *ctx, int argc, char **argv);
};

/* cmd_find returns the command named exactly name, or NULL. */
const struct vigil_cmd *cmd_find(const char *name);

/* cmd_all returns the table, NULL-terminated. */
const struct vigil_cmd *const *cmd_all(void);

/*
 * ctx_need opens what flags ask for (store, tmux). Returns 0, or an exit
 * code with ctx->err set.
 */
int ctx_need(struct vigil_ctx *ctx, unsigned flags);

/* cmd_fail sets ctx->err and returns code: `return cmd_fail(ctx, 1, ...)`. */
int cmd_fail(struct vigil_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * cmd_opts parses flags with getopt_long (permuting, stopping at "--").
 * It returns the option character, -1 at the end, or sets ctx->err and
 * returns '?' for an unknown flag or a flag without its value.
 */
struct option;
int cmd_opts(struct vigil_ctx *ctx, int argc, char **argv, const char *shortopts,
    const struct option *longopts);

/*
 * cmd_dashdash returns the index of the "--" that ends argv's flags (values
 * of flags are skipped, so `-t --` is a value), or argc when there is none.
 */
int cmd_dashdash(int argc, char **argv, const char *shortopts,
    const struct option *longopts);

/*
 * cmd_agent checks name, opens what need asks for and reads the agent into
 * out. Returns 0, or an exit code (64 a bad name, 1 no such agent).
 */
struct agent;
int cmd_agent(struct vigil_ctx *ctx, const char *name, unsigned need, struct agent *out);

/*
 * cmd_agent_locked begins a write transaction and reads agent name again
 * under it (a watchdog may have moved it meanwhile). Returns 0 with the
 * transaction open, or an exit code with it closed (1: no such agent).
 */
int cmd_agent_locked(struct vigil_ctx *ctx, const char *name, struct agent *out);

/* cmd_store_code maps a store error code to an exit code. */
int cmd_store_code(int rc);

/* The commands. */
extern const struct vigil_cmd cmd_spawn_entry;
extern const struct vigil_cmd cmd_ls_entry;
extern const struct vigil_cmd cmd_status_entry;
extern const struct vigil_cmd cmd_attach_entry;
extern const struct vigil_cmd cmd_send_entry;
extern const struct vigil_cmd cmd_nudge_entry;
extern const struct vigil_cmd cmd_stop_entry;
extern const struct vigil_cmd cmd_rm_entry;
extern const struct vigil_cmd cmd_watch_entry;
extern const struct vigil_cmd cmd_checkpoint_entry;
extern const struct vigil_cmd cmd_handoff_entry;
extern const struct vigil_cmd cmd_resume_entry;
extern const struct vigil_cmd cmd_log_entry;
extern const struct vigil_cmd cmd_triage_entry;
extern const struct vigil_cmd cmd_doctor_entry;
extern const struct vigil_cmd cmd_version_entry;

#endif
