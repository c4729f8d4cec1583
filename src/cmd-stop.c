/*
 * cmd-stop.c - vigil stop and vigil rm. stop records the state first and
 * kills the session after, so a watchdog never mistakes a stop for a death
 * and restarts the agent; between the two it takes a checkpoint and a
 * handoff, while the pane still shows where the agent was. A handoff that
 * fails (a broken repo) is a warning: a stop must always stop. rm forgets a
 * stopped agent, its worktree too when it is clean; its events stay.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "agent.h"
#include "cmd.h"
#include "git.h"
#include "recover.h"
#include "store.h"
#include "tmux.h"

static const struct option stop_longopts[] = {
	{"reason", required_argument, NULL, 'r'},
	{NULL, 0, NULL, 0},
};

static int
cmd_stop_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	const char *reason = NULL;
	int c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "", stop_longopts)) != -1) {
		if (c == 'r')
			reason = optarg;
		else
			return EX_USAGE;
	}
	if (argc - optind != 1)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil stop NAME [--reason TEXT]");
	if (reason && !utf8_valid(reason, strlen(reason)))
		return cmd_fail(ctx, EX_DATAERR, "the reason is not valid UTF-8");
	if (reason && strlen(reason) > 4096)
		return cmd_fail(ctx, EX_DATAERR, "the reason is longer than 4096 bytes");
	const char *name = argv[optind];
	struct agent a;
	if ((rc = cmd_agent(ctx, name, CMD_NEEDTMUX | CMD_NEEDWRITE, &a)) != 0)
		return rc;
	agent_free_fields(&a);

	if ((rc = cmd_agent_locked(ctx, name, &a)) != 0)
		return rc;
	int was_stopped = strcmp(a.state, ST_STOPPED) == 0;
	int64_t now = now_ms();
	if (!was_stopped) {
		free(a.state);
		a.state = xstrdup(ST_STOPPED);
		a.state_since = now;
		a.tier = 0;
		a.next_at = 0;
		a.stall_since = 0;
		free(a.note);
		a.note = reason ? xstrdup(reason) : NULL;
		rc = store_agent_update(ctx->store, &a, ctx->err);
		if (rc == 0)
			rc = store_event_add(ctx->store, now, name, "stop", 0,
			    reason ? reason : "by hand", ctx->err);
	}
	if (rc == 0)
		rc = store_commit(ctx->store, ctx->err);
	else
		store_rollback(ctx->store);
	if (rc != 0) {
		agent_free_fields(&a);
		return cmd_store_code(rc);
	}

	/* While the pane still shows where it was: what resume starts from. */
	char why[VIGIL_ERR_LEN];
	int64_t hid = 0;
	if (!was_stopped) {
		int h = handoff_take(ctx, &a, "stop", reason && *reason ? reason : "stopped by hand",
		    now, NULL, &hid, why);
		if (h != 0 || why[0])
			fprintf(stderr, "vigil: stop: warning: %s%s\n", h != 0 ? "no handoff: " : "",
			    why);
	}
	agent_free_fields(&a);
	int k = tmux_kill_session(ctx->tmux, name, why);
	if (k == TMUX_TIMEOUT || k == TMUX_NOEXEC)
		return cmd_fail(ctx, 1, "recorded as stopped, but the session could not be "
		    "killed: %s", why);
	if (hid)
		printf("stopped %s (handoff %" PRId64 "; vigil resume %s starts it again)\n", name,
		    hid, name);
	else
		printf("%s %s\n", was_stopped ? "already stopped:" : "stopped", name);
	return 0;
}

static int
cmd_rm_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "", NULL)) != -1)
		return EX_USAGE;
	if (argc - optind != 1)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil rm NAME");
	const char *name = argv[optind];
	struct agent a;
	if ((rc = cmd_agent(ctx, name, CMD_NEEDTMUX | CMD_NEEDWRITE, &a)) != 0)
		return rc;
	agent_free_fields(&a);

	if ((rc = cmd_agent_locked(ctx, name, &a)) != 0)
		return rc;
	if (agent_is_live(a.state)) {
		store_rollback(ctx->store);
		rc = cmd_fail(ctx, 1, "agent '%s' is %s; stop it first (vigil stop %s)", name,
		    a.state, name);
		agent_free_fields(&a);
		return rc;
	}
	/* Its worktree goes only when clean: uncommitted work is never thrown away. */
	char *worktree = a.worktree;
	a.worktree = NULL;
	agent_free_fields(&a);
	struct stat st;
	char why[VIGIL_ERR_LEN];
	int wt_there = worktree && lstat(worktree, &st) == 0;
	if (wt_there && git_worktree_remove(worktree, why) == -1) {
		store_rollback(ctx->store);
		rc = cmd_fail(ctx, 1, "%s; agent '%s' kept (commit or discard the changes, then "
		    "rm again)", why, name);
		free(worktree);
		return rc;
	}
	rc = store_agent_delete(ctx->store, name, ctx->err);
	if (rc == 0)
		rc = store_commit(ctx->store, ctx->err);
	else
		store_rollback(ctx->store);
	if (rc != 0) {
		free(worktree);
		return cmd_store_code(rc);
	}
	/* A done or failed agent may still have its dead pane: clear it. */
	tmux_kill_session(ctx->tmux, name, NULL);
	if (wt_there)
		printf("removed %s and its worktree %s (its branch stays)\n", name, worktree);
	else
		printf("removed %s\n", name);
	free(worktree);
	return 0;
}

const struct vigil_cmd cmd_stop_entry = {
	.name = "stop",
	.usage = "NAME [--reason TEXT]",
	.summary = "stop an agent; the watchdog leaves it be",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_stop_exec,
};

const struct vigil_cmd cmd_rm_entry = {
	.name = "rm",
	.usage = "NAME",
	.summary = "forget a stopped agent (its history stays)",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_rm_exec,
};
