/*
 * cmd-log.c - vigil log: events, oldest first (ties in the order written,
 * which is id order). -f follows by polling the store, which is cheap with
 * WAL: a reader never blocks the watchdog.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "agent.h"
#include "cmd.h"
#include "store.h"
#include "view.h"

static const struct option longopts[] = {
	{"json", no_argument, NULL, 'j'},
	{"follow", no_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};

static volatile sig_atomic_t stop_following;

static void
on_signal(int sig)
{
	(void)sig;
	stop_following = 1;
}

static int
print(struct event *ev, size_t n, int json, int64_t *last_id)
{
	struct buf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (json) {
			json_t *o = view_event_json(&ev[i]);
			view_print_json(o);
			json_decref(o);
		} else {
			buf_reset(&b);
			view_event_line(&ev[i], &b);
			fputs(b.data, stdout);
		}
		*last_id = ev[i].id;
	}
	buf_free(&b);
	return fflush(stdout) == EOF ? -1 : 0;
}

static int
cmd_log_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int json = 0, follow = 0, c, rc;
	int64_t last = 0;
	while ((c = cmd_opts(ctx, argc, argv, "fn:", longopts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'f':
			follow = 1;
			break;
		case 'n': {
			char *end;
			errno = 0;
			long long v = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno || v < 0)
				return cmd_fail(ctx, EX_USAGE,
				    "invalid count '%s' for -n: a whole number >= 0 is needed", optarg);
			last = v;
			if (v == 0)
				last = -1;
			break;
		}
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind > 1)
		return cmd_fail(ctx, EX_USAGE, "unexpected argument '%s'", argv[optind + 1]);
	const char *name = optind < argc ? argv[optind] : NULL;
	char why[VIGIL_ERR_LEN];
	if (name && name_check(name, why) == -1)
		return cmd_fail(ctx, EX_USAGE, "%s", why);
	if ((rc = ctx_need(ctx, CMD_NEEDSTORE)) != 0)
		return rc;

	struct event *ev = NULL;
	size_t n = 0;
	int64_t last_id = 0;
	if (last >= 0) {
		rc = store_event_list(ctx->store, name, 0, last, &ev, &n, ctx->err);
		if (rc != 0)
			return cmd_store_code(rc);
	}
	if (name && n == 0 && last >= 0) {
		struct agent a;
		int r = store_agent_get(ctx->store, name, &a, ctx->err);
		if (r == 0)
			agent_free_fields(&a);
		else if (r == 1 && !follow)
			return cmd_fail(ctx, 1, "no such agent '%s'", name);
	}
	if (last < 0) {
		/* -n 0: nothing old, only what comes (with -f). */
		rc = store_event_list(ctx->store, name, 0, 1, &ev, &n, ctx->err);
		if (rc != 0)
			return cmd_store_code(rc);
		if (n)
			last_id = ev[n - 1].id;
		event_array_free(ev, n);
		ev = NULL;
		n = 0;
	}
	if (print(ev, n, json, &last_id) == -1) {
		event_array_free(ev, n);
		return 0;
	}
	event_array_free(ev, n);
	if (!follow)
		return 0;

	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop_following) {
		sleep_ms(200);
		rc = store_event_list(ctx->store, name, last_id, 0, &ev, &n, NULL);
		if (rc == 0) {
			int w = print(ev, n, json, &last_id);
			event_array_free(ev, n);
			if (w == -1)
				break; /* the reader went away */
		}
	}
	return 0;
}

const struct vigil_cmd cmd_log_entry = {
	.name = "log",
	.usage = "[NAME] [-f] [-n N] [--json]",
	.summary = "events, oldest first; -f follows",
	.flags = CMD_NEEDSTORE,
	.exec = cmd_log_exec,
};
