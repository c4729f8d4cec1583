/*
 * cmd-resume.c - vigil resume: start an agent again from its last handoff,
 * with the preset's resume command, and type the resume prompt into it.
 *
 * Only an agent that does not run may be resumed (stopped, done, failed,
 * dead, zombie; or one that tmux shows ended while no watchdog runs to
 * notice): resuming a running agent would start a second session over the
 * first. The check, the launch and the record happen in one transaction,
 * so a watchdog never sees half of it; the prompt is typed after, without
 * the store's lock held.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "agent.h"
#include "cmd.h"
#include "lock.h"
#include "recover.h"
#include "store.h"
#include "view.h"

static const struct option longopts[] = {
	{"dry-run", no_argument, NULL, 'n'},
	{NULL, 0, NULL, 0},
};

/*
 * resumable tells whether an agent recorded as state, and seen by tmux as
 * observed, may be started again by hand.
 */
static int
resumable(const char *state, const char *observed, int watchdog)
{
	if (!agent_is_live(state) || strcmp(state, ST_DEAD) == 0 ||
	    strcmp(state, ST_ZOMBIE) == 0)
		return 1;
	/* Ended, and no watchdog to restart it: nobody else will. */
	return !watchdog && (strcmp(observed, ST_DEAD) == 0 || strcmp(observed, ST_DONE) == 0);
}

static int
dry_run(struct vigil_ctx *ctx, const struct agent *a)
{
	int64_t id;
	struct buf out = {0};
	int rc = handoff_open(ctx->store, a, &id, ctx->err);
	if (rc == 1)
		return cmd_fail(ctx, 1, "nothing to resume for '%s'", a->name);
	if (rc == 0)
		rc = resume_prompt(ctx, a, id, &out, ctx->err);
	if (rc == 0)
		fputs(out.data ? out.data : "", stdout);
	buf_free(&out);
	return rc == 0 ? 0 : recover_exit_code(rc);
}

/* program_check: the resume command's program must be where tmux looks (69). */
static int
program_check(struct vigil_ctx *ctx, const struct agent *a, struct strv *argv, int *fresh)
{
	char why[VIGIL_ERR_LEN];
	if (resume_argv(ctx, a, argv, fresh, why) != 0)
		return cmd_fail(ctx, 1, "cannot resume '%s': %s", a->name, why);
	char *found = agent_program(a->dir, argv->v[0]);
	if (found == NULL)
		return cmd_fail(ctx, EX_UNAVAILABLE, "program '%s' not found%s (preset %s)",
		    argv->v[0], strchr(argv->v[0], '/') ? "" : " on PATH", a->preset);
	free(found);
	return 0;
}

static int
cmd_resume_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int dry = 0, c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "", longopts)) != -1) {
		if (c == 'n')
			dry = 1;
		else
			return EX_USAGE;
	}
	if (argc - optind != 1)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil resume NAME [--dry-run]");
	const char *name = argv[optind];
	struct agent a;
	if ((rc = cmd_agent(ctx, name, dry ? CMD_NEEDTMUX : CMD_NEEDTMUX | CMD_NEEDWRITE,
	    &a)) != 0)
		return rc;
	if (dry) {
		rc = dry_run(ctx, &a);
		agent_free_fields(&a);
		return rc;
	}
	agent_free_fields(&a);

	/* What tmux shows now: a record no watchdog updated may be behind. */
	struct view v;
	if ((rc = view_load(ctx, name, &v)) != 0)
		return rc;
	char observed[32];
	snprintf(observed, sizeof observed, "%s", v.n ? view_state(&v, 0) : ST_DEAD);
	view_free(&v);
	int watchdog = lock_holder(ctx->home) != 0;

	struct strv cmdv = {0};
	int64_t hid = 0, now = now_ms();
	int fresh = 1;
	if ((rc = cmd_agent_locked(ctx, name, &a)) != 0)
		return rc;
	rc = handoff_open(ctx->store, &a, &hid, ctx->err);
	if (rc == 1)
		rc = cmd_fail(ctx, 1, "nothing to resume for '%s'", name);
	else if (rc < 0)
		rc = recover_exit_code(rc);
	else if (!resumable(a.state, observed, watchdog))
		rc = cmd_fail(ctx, 1, "agent '%s' is %s; stop it first (vigil stop %s)", name,
		    strcmp(a.state, observed) == 0 || watchdog ? a.state : observed, name);
	else
		rc = program_check(ctx, &a, &cmdv, &fresh);
	if (rc == 0 && (rc = resume_launch(ctx, &a, hid, now, ctx->err)) != 0)
		rc = recover_exit_code(rc);
	if (rc == 0 && (rc = store_commit(ctx->store, ctx->err)) != 0)
		rc = cmd_store_code(rc);
	if (rc != 0) {
		store_rollback(ctx->store);
		goto out;
	}

	printf("resumed %s from handoff %" PRId64 " in tmux session '%s' on socket '%s'%s\n",
	    name, hid, name, ctx->socket, fresh ? " (a fresh start of its command)" : "");
	fflush(stdout);
	if (!resume_types_prompt(cmdv.v)) {
		/* A shell would run each line: the person gets the prompt instead. */
		struct buf p = {0};
		if (resume_prompt(ctx, &a, hid, &p, NULL) == 0)
			printf("not typed into a shell; the resume prompt:\n%s", p.data);
		buf_free(&p);
	} else {
		char why[VIGIL_ERR_LEN];
		int t = resume_type(ctx, &a, why);
		if (t <= 0)
			fprintf(stderr, "vigil: resume: warning: %s\n", why);
		else
			printf("typed the resume prompt into %s\n", name);
	}
	rc = 0;
out:
	strv_free(&cmdv);
	agent_free_fields(&a);
	return rc;
}

const struct vigil_cmd cmd_resume_entry = {
	.name = "resume",
	.usage = "NAME [--dry-run]",
	.summary = "start an agent again from its last handoff",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_resume_exec,
};
