/*
 * cmd-watch.c - vigil watch: the watchdog in the foreground, events to
 * stderr. --once runs one tick (it takes the lock too), for scripts and
 * benchmarks.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "config.h"
#include "duration.h"
#include "watch.h"

static const struct option longopts[] = {
	{"once", no_argument, NULL, 'o'},
	{"interval", required_argument, NULL, 'i'},
	{NULL, 0, NULL, 0},
};

static int
cmd_watch_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int once = 0, c, rc;
	int64_t interval = ctx->cfg->interval;
	char why[VIGIL_ERR_LEN];
	while ((c = cmd_opts(ctx, argc, argv, "i:", longopts)) != -1) {
		switch (c) {
		case 'o':
			once = 1;
			break;
		case 'i':
			if (duration_parse(optarg, &interval, why) == -1)
				return cmd_fail(ctx, EX_USAGE, "-i: %s", why);
			if (interval < 10)
				return cmd_fail(ctx, EX_USAGE, "-i: the interval must be at least 10ms");
			break;
		default:
			return EX_USAGE;
		}
	}
	if (optind < argc)
		return cmd_fail(ctx, EX_USAGE, "unexpected argument '%s'", argv[optind]);
	if ((rc = ctx_need(ctx, CMD_NEEDSTORE | CMD_NEEDTMUX | CMD_NEEDWRITE)) != 0)
		return rc;
	return watch_run(ctx, once, interval);
}

const struct vigil_cmd cmd_watch_entry = {
	.name = "watch",
	.usage = "[--once] [-i INTERVAL]",
	.summary = "the watchdog, in the foreground; events to stderr",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_watch_exec,
};
