/*
 * cmd.c - the command table, and the setup commands ask for by flag bits
 * (as git.c's RUN_SETUP): the store and tmux are opened once, here, and
 * only after a command has checked its arguments, so that bad input
 * changes nothing, not even by creating an empty store.
 */
#include <getopt.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "config.h"
#include "store.h"
#include "tmux.h"

static const struct vigil_cmd *const table[] = {
	&cmd_spawn_entry,
	&cmd_ls_entry,
	&cmd_status_entry,
	&cmd_attach_entry,
	&cmd_send_entry,
	&cmd_nudge_entry,
	&cmd_stop_entry,
	&cmd_rm_entry,
	&cmd_watch_entry,
	&cmd_checkpoint_entry,
	&cmd_handoff_entry,
	&cmd_resume_entry,
	&cmd_log_entry,
	&cmd_triage_entry,
	&cmd_doctor_entry,
	&cmd_version_entry,
	NULL,
};

const struct vigil_cmd *
cmd_find(const char *name)
{
	for (size_t i = 0; table[i]; i++)
		if (strcmp(table[i]->name, name) == 0)
			return table[i];
	return NULL;
}

const struct vigil_cmd *const *
cmd_all(void)
{
	return table;
}

int
cmd_fail(struct vigil_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
	va_end(ap);
	for (char *p = ctx->err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return code;
}

int
cmd_store_code(int rc)
{
	return rc == STORE_BUSY ? EX_TEMPFAIL : 1;
}

int
ctx_need(struct vigil_ctx *ctx, unsigned flags)
{
	if ((flags & CMD_NEEDTMUX) && ctx->tmux == NULL) {
		char *path = find_in_path("tmux");
		if (path == NULL)
			return cmd_fail(ctx, EX_UNAVAILABLE,
			    "tmux not found on PATH (install it: apt-get install tmux)");
		free(path);
		ctx->tmux = tmux_new(ctx->socket, ctx->cfg ? ctx->cfg->tmux_timeout : 5000);
	}
	if ((flags & (CMD_NEEDSTORE | CMD_NEEDWRITE)) && ctx->store == NULL) {
		int rc = store_open(ctx->home, &ctx->store, ctx->err);
		if (rc != 0)
			return cmd_store_code(rc);
	}
	/*
	 * A command that acts and then records (a nudge typed, a tick's
	 * decisions) must learn first that it could not record.
	 */
	if ((flags & CMD_NEEDWRITE) && store_readonly(ctx->store))
		return cmd_fail(ctx, 1, "'%s' is read-only: vigil cannot record anything",
		    store_path(ctx->store));
	return 0;
}

int
cmd_opts(struct vigil_ctx *ctx, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	char spec[64];
	/*
	 * Without a table getopt reads "--bogus" as the short flags "-", "b"...
	 * and the message would name '--': an empty table names it whole.
	 */
	static const struct option none[] = {{NULL, 0, NULL, 0}};
	/* ':' first: a missing value is ':', an unknown flag '?'. */
	snprintf(spec, sizeof spec, ":%s", shortopts);
	opterr = 0;
	int c = getopt_long(argc, argv, spec, longopts ? longopts : none, NULL);
	if (c == '?') {
		const char *arg = argv[optind - 1];
		if (optopt && (arg == NULL || strncmp(arg, "--", 2) != 0))
			cmd_fail(ctx, EX_USAGE, "unknown flag '-%c'", optopt);
		else
			cmd_fail(ctx, EX_USAGE, "unknown flag '%s'", arg);
		return '?';
	}
	if (c == ':') {
		cmd_fail(ctx, EX_USAGE, "flag '%s' needs a value", argv[optind - 1]);
		return '?';
	}
	return c;
}

int
cmd_dashdash(int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return i;
		if (a[0] != '-' || a[1] == '\0')
			continue;
		if (a[1] == '-') {
			/* --name VALUE takes the next word unless written --name=VALUE. */
			for (const struct option *o = longopts; o && o->name; o++) {
				size_t n = strlen(o->name);
				if (strncmp(a + 2, o->name, n) == 0 && a[2 + n] == '\0' &&
				    o->has_arg == required_argument)
					i++;
			}
			continue;
		}
		/* A cluster -abC: a value-taking flag eats the rest or the next word. */
		for (const char *p = a + 1; *p; p++) {
			const char *s = strchr(shortopts, *p);
			if (s && s[1] == ':') {
				if (p[1] == '\0')
					i++;
				break;
			}
		}
	}
	return argc;
}

int
cmd_agent(struct vigil_ctx *ctx, const char *name, unsigned need, struct agent *out)
{
	char why[VIGIL_ERR_LEN];
	if (name_check(name, why) == -1)
		return cmd_fail(ctx, EX_USAGE, "%s", why);
	int rc = ctx_need(ctx, need | CMD_NEEDSTORE);
	if (rc != 0)
		return rc;
	rc = store_agent_get(ctx->store, name, out, ctx->err);
	if (rc == 1)
		return cmd_fail(ctx, 1, "no such agent '%s'", name);
	return rc < 0 ? cmd_store_code(rc) : 0;
}

int
cmd_agent_locked(struct vigil_ctx *ctx, const char *name, struct agent *out)
{
	int rc = store_begin(ctx->store, ctx->err);
	if (rc != 0)
		return cmd_store_code(rc);
	if ((rc = store_agent_get(ctx->store, name, out, ctx->err)) != 0) {
		store_rollback(ctx->store);
		return rc == 1 ? cmd_fail(ctx, 1, "no such agent '%s'", name) : cmd_store_code(rc);
	}
	return 0;
}
