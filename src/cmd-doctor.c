/*
 * cmd-doctor.c - vigil doctor and vigil version. doctor says, a line per
 * check, whether vigil can work here: tmux and its version, the store, the
 * config, each preset's program, the watchdog. A missing preset program is
 * reported, not fatal: nobody needs every CLI installed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "config.h"
#include "lock.h"
#include "preset.h"
#include "store.h"
#include "tmux.h"
#include "version.h"

static int
cmd_doctor_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int c, status = 0;
	while ((c = cmd_opts(ctx, argc, argv, "", NULL)) != -1)
		return EX_USAGE;
	if (optind < argc)
		return cmd_fail(ctx, EX_USAGE, "unexpected argument '%s'", argv[optind]);

	/* tmux */
	char *tpath = find_in_path("tmux");
	if (tpath == NULL) {
		printf("FAIL  tmux: not found on PATH (apt-get install tmux)\n");
		status = EX_UNAVAILABLE;
	} else {
		ctx_need(ctx, CMD_NEEDTMUX);
		int ma, mi;
		char text[64], why[VIGIL_ERR_LEN];
		if (tmux_version(ctx->tmux, &ma, &mi, text, sizeof text, why) != TMUX_OK) {
			printf("FAIL  tmux: %s\n", why);
			status = EX_UNAVAILABLE;
		} else if (ma < 3 || (ma == 3 && mi < 2)) {
			printf("FAIL  tmux: %s at %s is older than 3.2\n", text, tpath);
			status = EX_UNAVAILABLE;
		} else {
			printf("ok    tmux: %s at %s, socket '%s'\n", text, tpath, ctx->socket);
		}
		free(tpath);
	}

	/* store */
	if (ctx_need(ctx, CMD_NEEDSTORE | CMD_NEEDWRITE) != 0) {
		printf("FAIL  store: %s\n", ctx->err);
		ctx->err[0] = '\0';
		if (status == 0)
			status = 1;
	} else {
		printf("ok    store: %s (schema %d)\n", store_path(ctx->store),
		    store_schema_version());
	}

	/* config: a bad one never gets here (exit 65 before the command runs) */
	if (ctx->cfg->path)
		printf("ok    config: %s\n", ctx->cfg->path);
	else
		printf("ok    config: none, built-in defaults\n");

	/* presets */
	for (size_t i = 0; i < ctx->cfg->npresets; i++) {
		const struct preset *p = ctx->cfg->presets[i];
		struct strv argv0 = {0};
		char why[VIGIL_ERR_LEN];
		if (preset_argv(p, &argv0, why) == -1) {
			printf("FAIL  preset %s: %s\n", p->name, why);
			status = status ? status : EX_DATAERR;
			continue;
		}
		char *found = find_in_path(argv0.v[0]);
		if (found)
			printf("ok    preset %s: %s\n", p->name, found);
		else
			printf("--    preset %s: '%s' not found on PATH\n", p->name, argv0.v[0]);
		free(found);
		strv_free(&argv0);
	}

	/* watchdog */
	pid_t holder = lock_holder(ctx->home);
	if (holder)
		printf("ok    watchdog: running, pid %d\n", (int)holder);
	else
		printf("--    watchdog: not running (vigil watch)\n");
	if (status && ctx->err[0] == '\0')
		cmd_fail(ctx, status, "some checks failed");
	return status;
}

static int
cmd_version_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int c;
	while ((c = cmd_opts(ctx, argc, argv, "", NULL)) != -1)
		return EX_USAGE;
	if (optind < argc)
		return cmd_fail(ctx, EX_USAGE, "unexpected argument '%s'", argv[optind]);
	printf("vigil %s\n", VIGIL_VERSION);
	return 0;
}

const struct vigil_cmd cmd_doctor_entry = {
	.name = "doctor",
	.usage = "",
	.summary = "check tmux, the store, the config, presets",
	.flags = 0,
	.exec = cmd_doctor_exec,
};

const struct vigil_cmd cmd_version_entry = {
	.name = "version",
	.usage = "",
	.summary = "print the version",
	.flags = CMD_NOCONFIG,
	.exec = cmd_version_exec,
};
