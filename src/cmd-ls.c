/*
 * cmd-ls.c - vigil ls and vigil status: one stable line per agent for
 * people, JSON for scripts. The whole fleet costs one tmux exec (list-panes
 * -a), never one per agent. Without a watchdog the store may be behind
 * tmux, so what tmux says now (session gone, pane exited) is shown over
 * the recorded state, and a line says plainly that no watchdog runs.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "agent.h"
#include "cmd.h"
#include "config.h"
#include "duration.h"
#include "lock.h"
#include "store.h"
#include "tmux.h"
#include "view.h"

static const struct option longopts[] = {
	{"json", no_argument, NULL, 'j'},
	{NULL, 0, NULL, 0},
};

static int
cmd_ls_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int json = 0, c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "", longopts)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return EX_USAGE;
	}
	if (optind < argc)
		return cmd_fail(ctx, EX_USAGE, "unexpected argument '%s'", argv[optind]);
	if ((rc = ctx_need(ctx, CMD_NEEDSTORE | CMD_NEEDTMUX)) != 0)
		return rc;

	struct view v;
	if ((rc = view_load(ctx, NULL, &v)) != 0)
		return rc;
	int64_t now = now_ms();
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < v.n; i++)
			json_array_append_new(arr, view_json(&v, i, now));
		view_print_json(arr);
		json_decref(arr);
	} else {
		if (v.n == 0)
			printf("no agents (start one: vigil spawn NAME -p claude -t TASK)\n");
		for (size_t i = 0; i < v.n; i++)
			view_print_line(&v, i, now);
		view_print_watchdog(ctx, now);
	}
	view_free(&v);
	return 0;
}

static int
cmd_status_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int json = 0, c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "", longopts)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return EX_USAGE;
	}
	if (optind >= argc)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil status NAME [--json]");
	if (optind + 1 < argc)
		return cmd_fail(ctx, EX_USAGE, "unexpected argument '%s'", argv[optind + 1]);
	const char *name = argv[optind];
	char why[VIGIL_ERR_LEN];
	if (name_check(name, why) == -1)
		return cmd_fail(ctx, EX_USAGE, "%s", why);
	if ((rc = ctx_need(ctx, CMD_NEEDSTORE | CMD_NEEDTMUX)) != 0)
		return rc;

	struct view v;
	if ((rc = view_load(ctx, name, &v)) != 0)
		return rc;
	if (v.n == 0) {
		view_free(&v);
		return cmd_fail(ctx, 1, "no such agent '%s'", name);
	}
	int64_t now = now_ms();
	rc = json ? view_status_json(ctx, &v, now) : view_status_text(ctx, &v, now);
	view_free(&v);
	return rc;
}

const struct vigil_cmd cmd_ls_entry = {
	.name = "ls",
	.usage = "[--json]",
	.summary = "one row per agent",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_ls_exec,
};

const struct vigil_cmd cmd_status_entry = {
	.name = "status",
	.usage = "NAME [--json]",
	.summary = "one agent, with its last events and cooldown",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_status_exec,
};
