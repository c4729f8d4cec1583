/*
 * cmd-checkpoint.c - vigil checkpoint and vigil handoff. checkpoint is what
 * an agent calls from inside its pane (NAME defaults to $VIGIL_AGENT, which
 * vigil sets there) to record where it stands; handoff records a checkpoint
 * and hands the session's work on, for `vigil resume` to pick up.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "agent.h"
#include "cmd.h"
#include "recover.h"
#include "store.h"

/* text_check refuses text that is not UTF-8 or is too long (65). */
static int
text_check(struct vigil_ctx *ctx, const char *what, const char *text)
{
	if (text == NULL)
		return 0;
	if (!utf8_valid(text, strlen(text)))
		return cmd_fail(ctx, EX_DATAERR, "the %s is not valid UTF-8", what);
	if (strlen(text) > RECOVER_TEXT_MAX)
		return cmd_fail(ctx, EX_DATAERR, "the %s is longer than %d bytes", what,
		    RECOVER_TEXT_MAX);
	return 0;
}

/* print_checkpoint says what checkpoint id of name holds. */
static void
print_checkpoint(struct vigil_ctx *ctx, const char *name, int64_t id)
{
	struct checkpoint c;
	if (store_checkpoint_get(ctx->store, id, &c, NULL) != 0) {
		printf("checkpoint %" PRId64 " of %s\n", id, name);
		return;
	}
	printf("checkpoint %" PRId64 " of %s", id, name);
	if (c.snapshot)
		printf(": snapshot %s", c.snapshot);
	else if (c.branch == NULL && c.head == NULL)
		printf(": no git facts (not a git repository)");
	else if (c.files_total == 0)
		printf(": no snapshot (nothing uncommitted)");
	if (c.files_total > 0)
		printf(" (%" PRId64 " changed file%s)", c.files_total, c.files_total == 1 ? "" : "s");
	printf("\n");
	checkpoint_free(&c);
}

/* warn_from prints a warning a successful call left in err. */
static void
warn_from(struct vigil_ctx *ctx, const char *err)
{
	if (err[0])
		fprintf(stderr, "vigil: %s: warning: %s\n", ctx->cmd, err);
}

static const struct option checkpoint_longopts[] = {
	{"summary", required_argument, NULL, 's'},
	{"pending", required_argument, NULL, 'p'},
	{"questions", required_argument, NULL, 'q'},
	{NULL, 0, NULL, 0},
};

static int
cmd_checkpoint_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	const char *summary = NULL, *pending = NULL, *questions = NULL;
	int c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "s:", checkpoint_longopts)) != -1) {
		switch (c) {
		case 's':
			summary = optarg;
			break;
		case 'p':
			pending = optarg;
			break;
		case 'q':
			questions = optarg;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind > 1)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil checkpoint [NAME] [-s SUMMARY] "
		    "[--pending TEXT] [--questions TEXT]");
	const char *name = optind < argc ? argv[optind] : getenv("VIGIL_AGENT");
	if (name == NULL || *name == '\0')
		return cmd_fail(ctx, EX_USAGE, "no agent named and VIGIL_AGENT is not set "
		    "(usage: vigil checkpoint [NAME] [-s SUMMARY])");
	if ((rc = text_check(ctx, "summary", summary)) != 0 ||
	    (rc = text_check(ctx, "pending text", pending)) != 0 ||
	    (rc = text_check(ctx, "questions text", questions)) != 0)
		return rc;
	char why[VIGIL_ERR_LEN];
	if (name_check(name, why) == -1)
		return cmd_fail(ctx, EX_USAGE, "%s", why);
	if ((rc = ctx_need(ctx, CMD_NEEDSTORE | CMD_NEEDTMUX | CMD_NEEDWRITE)) != 0)
		return rc;
	/*
	 * Read under the write lock, then let go: an agent that checkpoints as
	 * soon as it starts must wait for the row its spawn is still committing.
	 */
	struct agent a;
	if ((rc = cmd_agent_locked(ctx, name, &a)) != 0)
		return rc;
	store_rollback(ctx->store);
	int64_t id = 0;
	rc = checkpoint_take(ctx, &a, "agent", summary, pending, questions, now_ms(), &id,
	    ctx->err);
	if (rc == 0) {
		warn_from(ctx, ctx->err);
		ctx->err[0] = '\0';
		print_checkpoint(ctx, a.name, id);
	}
	agent_free_fields(&a);
	return rc == 0 ? 0 : recover_exit_code(rc);
}

static const struct option handoff_longopts[] = {
	{"reason", required_argument, NULL, 'r'},
	{NULL, 0, NULL, 0},
};

static int
cmd_handoff_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	const char *reason = NULL;
	int c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "", handoff_longopts)) != -1) {
		if (c == 'r')
			reason = optarg;
		else
			return EX_USAGE;
	}
	if (argc - optind != 1)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil handoff NAME [--reason TEXT]");
	if ((rc = text_check(ctx, "reason", reason)) != 0)
		return rc;
	struct agent a;
	if ((rc = cmd_agent(ctx, argv[optind], CMD_NEEDTMUX | CMD_NEEDWRITE, &a)) != 0)
		return rc;
	int64_t cp = 0, h = 0;
	rc = handoff_take(ctx, &a, "handoff", reason && *reason ? reason : "handoff by hand",
	    now_ms(), &cp, &h, ctx->err);
	if (rc == 0) {
		warn_from(ctx, ctx->err);
		ctx->err[0] = '\0';
		print_checkpoint(ctx, a.name, cp);
		printf("handoff %" PRId64 " of %s: resume it with 'vigil resume %s'%s\n", h, a.name,
		    a.name, agent_is_live(a.state) ? " once it is stopped" : "");
	}
	agent_free_fields(&a);
	return rc == 0 ? 0 : recover_exit_code(rc);
}

const struct vigil_cmd cmd_checkpoint_entry = {
	.name = "checkpoint",
	.usage = "[NAME] [-s SUMMARY] [--pending TEXT] [--questions TEXT]",
	.summary = "record where an agent stands (NAME: $VIGIL_AGENT)",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_checkpoint_exec,
};

const struct vigil_cmd cmd_handoff_entry = {
	.name = "handoff",
	.usage = "NAME [--reason TEXT]",
	.summary = "checkpoint, and hand the work on for resume",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_handoff_exec,
};
