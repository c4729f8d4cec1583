/*
 * cmd-send.c - vigil send and vigil nudge: type text into an agent's pane
 * literally (never interpreted by tmux or a shell), then Enter, and confirm
 * that the text was submitted rather than left in the input box.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "agent.h"
#include "cmd.h"
#include "config.h"
#include "store.h"
#include "tmux.h"

#define TEXT_MAX (1u << 20)

static int
type_into(struct vigil_ctx *ctx, struct agent *a, const char *text, const char *kind)
{
	char target[64], why[VIGIL_ERR_LEN];
	if (!utf8_valid(text, strlen(text)))
		return cmd_fail(ctx, EX_DATAERR, "the text is not valid UTF-8");
	if (strlen(text) > TEXT_MAX)
		return cmd_fail(ctx, EX_DATAERR, "the text is longer than 1 MiB");
	if (!agent_is_live(a->state))
		return cmd_fail(ctx, 1, "agent '%s' is %s", a->name, a->state);
	agent_target(a, target, sizeof target);
	int submitted = 0;
	int rc = agent_send(ctx->tmux, target, text, ctx->cfg->confirm, &submitted, why);
	if (rc != 0) {
		if (rc == TMUX_FAILED || rc == TMUX_NOSERVER)
			return cmd_fail(ctx, 1, "agent '%s' has no live pane (%s)", a->name, why);
		return cmd_fail(ctx, rc == TMUX_TIMEOUT ? EX_TEMPFAIL : 1, "%s", why);
	}
	if (!submitted)
		fprintf(stderr, "vigil: %s: warning: the screen of '%s' did not change after "
		    "Enter; the text may still sit in its input box\n", kind, a->name);
	if (strcmp(kind, "nudge") == 0) {
		char *detail = xasprintf("manual: %.200s", text);
		int r = store_event_add(ctx->store, 0, a->name, "nudge", a->tier, detail, ctx->err);
		free(detail);
		if (r != 0)
			return cmd_store_code(r);
	}
	return 0;
}

static int
cmd_send_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "", NULL)) != -1)
		return EX_USAGE;
	if (argc - optind != 2)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil send NAME TEXT");
	struct agent a;
	if ((rc = cmd_agent(ctx, argv[optind], CMD_NEEDTMUX, &a)) != 0)
		return rc;
	rc = type_into(ctx, &a, argv[optind + 1], "send");
	agent_free_fields(&a);
	return rc;
}

static int
cmd_nudge_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "", NULL)) != -1)
		return EX_USAGE;
	if (argc - optind < 1 || argc - optind > 2)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil nudge NAME [TEXT]");
	struct agent a;
	if ((rc = cmd_agent(ctx, argv[optind], CMD_NEEDTMUX | CMD_NEEDWRITE, &a)) != 0)
		return rc;
	const char *text = argv[optind + 1];
	if (text == NULL) {
		const struct preset *p = config_preset(ctx->cfg, a.preset);
		text = p && p->nudge ? p->nudge : "";
		if (*text == '\0') {
			agent_free_fields(&a);
			return cmd_fail(ctx, 1, "preset '%s' has no nudge text; give TEXT", a.preset);
		}
	}
	rc = type_into(ctx, &a, text, "nudge");
	agent_free_fields(&a);
	return rc;
}

const struct vigil_cmd cmd_send_entry = {
	.name = "send",
	.usage = "NAME TEXT",
	.summary = "type TEXT literally, then Enter",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_send_exec,
};

const struct vigil_cmd cmd_nudge_entry = {
	.name = "nudge",
	.usage = "NAME [TEXT]",
	.summary = "the preset's nudge, or TEXT",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_nudge_exec,
};
