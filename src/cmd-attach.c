/*
 * cmd-attach.c - vigil attach: watch an agent. Inside tmux on the same
 * server the client switches; elsewhere tmux replaces this process (exec
 * with an argv), nested if need be, so the terminal belongs to tmux.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "agent.h"
#include "cmd.h"
#include "store.h"
#include "tmux.h"

static const struct option longopts[] = {
	{"read-only", no_argument, NULL, 'r'},
	{NULL, 0, NULL, 0},
};

/* same_server tells whether $TMUX names our socket. */
static int
same_server(struct vigil_ctx *ctx)
{
	const char *tm = getenv("TMUX");
	if (tm == NULL || *tm == '\0')
		return 0;
	char *path = tmux_socket_path(ctx->tmux);
	size_t n = strlen(path);
	int same = strncmp(tm, path, n) == 0 && tm[n] == ',';
	free(path);
	return same;
}

/* pick_one finds the only agent with a session when no name is given. */
static int
pick_one(struct vigil_ctx *ctx, char **name)
{
	struct agent *v;
	size_t n;
	int rc = store_agent_list(ctx->store, &v, &n, ctx->err);
	if (rc != 0)
		return cmd_store_code(rc);
	struct pane *p;
	size_t np;
	char why[VIGIL_ERR_LEN];
	tmux_list_panes(ctx->tmux, &p, &np, why);
	struct buf names = {0};
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		if (tmux_pane_for(p, np, v[i].name, v[i].pane_id) == NULL)
			continue;
		if (found++ == 0)
			*name = xstrdup(v[i].name);
		buf_printf(&names, "%s%s", names.len ? ", " : "", v[i].name);
	}
	tmux_panes_free(p, np);
	agent_array_free(v, n);
	if (found == 1) {
		buf_free(&names);
		return 0;
	}
	if (found == 0)
		rc = cmd_fail(ctx, 1, "no agent has a tmux session to attach to");
	else
		rc = cmd_fail(ctx, EX_USAGE, "several agents run (%s): name one", names.data);
	free(*name);
	*name = NULL;
	buf_free(&names);
	return rc;
}

static int
cmd_attach_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int ro = 0, c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "r", longopts)) != -1) {
		if (c == 'r')
			ro = 1;
		else
			return EX_USAGE;
	}
	if (optind + 1 < argc)
		return cmd_fail(ctx, EX_USAGE, "unexpected argument '%s'", argv[optind + 1]);
	char *name = NULL;
	if (optind < argc) {
		struct agent a;
		if ((rc = cmd_agent(ctx, argv[optind], CMD_NEEDTMUX, &a)) != 0)
			return rc;
		agent_free_fields(&a);
		name = xstrdup(argv[optind]);
	} else {
		if ((rc = ctx_need(ctx, CMD_NEEDSTORE | CMD_NEEDTMUX)) != 0)
			return rc;
		if ((rc = pick_one(ctx, &name)) != 0)
			return rc;
	}
	char why[VIGIL_ERR_LEN];
	if (tmux_has_session(ctx->tmux, name, why) != 1) {
		rc = cmd_fail(ctx, 1, "agent '%s' has no tmux session on socket '%s'", name,
		    ctx->socket);
		free(name);
		return rc;
	}
	char target[80];
	snprintf(target, sizeof target, "=%s", name);
	free(name);
	if (same_server(ctx)) {
		char *args[] = {"switch-client", "-t", target, NULL};
		if (ro)
			fprintf(stderr, "vigil: attach: note: -r does not apply when switching "
			    "inside tmux\n");
		rc = tmux_run(ctx->tmux, args, NULL, why);
		return rc == TMUX_OK ? 0 : cmd_fail(ctx, 1, "%s", why);
	}
	char *args[] = {"tmux", "-L", ctx->socket, "attach-session", "-t", target,
	    ro ? "-r" : NULL, NULL};
	/* Our descriptors must not live on in tmux: close the store first. */
	store_close(ctx->store);
	ctx->store = NULL;
	fflush(stdout);
	unsetenv("TMUX");
	execvp("tmux", args);
	return cmd_fail(ctx, EX_UNAVAILABLE, "cannot run tmux: %s", strerror(errno));
}

const struct vigil_cmd cmd_attach_entry = {
	.name = "attach",
	.usage = "[NAME] [-r]",
	.summary = "attach to an agent's session (-r read-only)",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_attach_exec,
};
