/*
 * cmd-triage.c - vigil triage: run AI triage on one agent now and print
 * its verdict. It only reports: acting on a verdict (nudge, restart,
 * terminate) is the watchdog's job, under its safety rules. The budget
 * check and the `triage` event are one transaction, so that a watchdog
 * running beside it cannot slip a run past [triage] max_per_hour.
 *
 * Exit 0 when the model gave a verdict; 1 when there was none (over
 * budget, timeout, a bad answer...), after printing the `none: ...` line
 * anyway, so that `if v=$(vigil triage NAME); then ...` reads naturally.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "agent.h"
#include "cmd.h"
#include "config.h"
#include "store.h"
#include "tmux.h"
#include "triage.h"

static const struct option longopts[] = {
	{"dry-run", no_argument, NULL, 'n'},
	{NULL, 0, NULL, 0},
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* prompt_for captures a's pane and fills the prompt into out. */
static int
prompt_for(struct vigil_ctx *ctx, const struct agent *a, struct buf *out)
{
	char target[64], why[VIGIL_ERR_LEN];
	struct buf pane = {0};
	agent_target(a, target, sizeof target);
	int rc = tmux_capture(ctx->tmux, target, ctx->cfg->capture_lines, &pane, why);
	if (rc != TMUX_OK) {
		buf_free(&pane);
		if (rc == TMUX_FAILED || rc == TMUX_NOSERVER)
			return cmd_fail(ctx, 1, "agent '%s' has no live pane (%s)", a->name, why);
		return cmd_fail(ctx, rc == TMUX_TIMEOUT ? EX_TEMPFAIL : 1, "%s", why);
	}
	rc = triage_prompt(ctx->cfg, ctx->store, a, pane.data, now_ms(), out, NULL, why);
	buf_free(&pane);
	if (rc == TRIAGE_ENOTEMPLATE)
		return cmd_fail(ctx, EX_UNAVAILABLE, "%s", why);
	if (rc == TRIAGE_EBADTEMPLATE)
		return cmd_fail(ctx, EX_DATAERR, "%s", why);
	if (rc != 0)
		return cmd_fail(ctx, 1, "%s", why);
	return 0;
}

/*
 * claim checks the budget and records the `triage` event in one
 * transaction. 0 with *ok set (0: over budget, r filled), or an exit code.
 */
static int
claim(struct vigil_ctx *ctx, const struct agent *a, int *ok, struct triage_result *r)
{
	char why[VIGIL_ERR_LEN];
	struct buf detail = {0};
	int rc = store_begin(ctx->store, ctx->err);
	if (rc != 0)
		return cmd_store_code(rc);
	/* The watchdog's runs are its own to count; by hand, this one alone. */
	*ok = triage_budget_ok(ctx->store, ctx->cfg, now_ms(), 0, why);
	if (*ok < 0) {
		store_rollback(ctx->store);
		return cmd_fail(ctx, cmd_store_code(*ok), "%s", why);
	}
	if (*ok) {
		triage_command_line(ctx->cfg, &detail);
		rc = store_event_add(ctx->store, 0, a->name, "triage", a->tier, detail.data,
		    ctx->err);
	} else {
		triage_result_none(r, "over budget", why);
		triage_verdict_detail(r, &detail);
		rc = store_event_add(ctx->store, 0, a->name, "verdict", a->tier, detail.data,
		    ctx->err);
	}
	buf_free(&detail);
	if (rc == 0)
		rc = store_commit(ctx->store, ctx->err);
	if (rc != 0) {
		store_rollback(ctx->store);
		return cmd_store_code(rc);
	}
	return 0;
}

/* run runs the triage command on prompt; 0, or an exit code. */
static int
run(struct vigil_ctx *ctx, const struct agent *a, const struct buf *prompt,
    struct triage_result *r)
{
	struct sigaction sa = {0}, old_int, old_term, old_hup;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	triage_run(ctx->cfg, prompt->data, prompt->len, &interrupted, r);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);

	struct buf detail = {0};
	triage_verdict_detail(r, &detail);
	int rc = store_event_add(ctx->store, 0, a->name, "verdict", a->tier, detail.data,
	    ctx->err);
	buf_free(&detail);
	return rc != 0 ? cmd_store_code(rc) : 0;
}

static int
cmd_triage_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	int dry = 0, c, rc;
	while ((c = cmd_opts(ctx, argc, argv, "", longopts)) != -1) {
		if (c != 'n')
			return EX_USAGE;
		dry = 1;
	}
	if (argc - optind != 1)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil triage NAME [--dry-run]");
	struct agent a;
	if ((rc = cmd_agent(ctx, argv[optind], dry ? CMD_NEEDTMUX : CMD_NEEDTMUX | CMD_NEEDWRITE,
	    &a)) != 0)
		return rc;

	struct buf prompt = {0};
	struct triage_result r;
	int ok = 0;
	if ((rc = prompt_for(ctx, &a, &prompt)) != 0)
		goto done;
	if (dry) {
		fwrite(prompt.data, 1, prompt.len, stdout);
		goto done;
	}
	if ((rc = claim(ctx, &a, &ok, &r)) != 0)
		goto done;
	if (ok && (rc = run(ctx, &a, &prompt, &r)) != 0)
		goto done;

	struct buf line = {0};
	triage_verdict_line(&r, &line);
	printf("%s\n", line.data);
	buf_free(&line);
	if (r.kind == VERDICT_NONE)
		rc = cmd_fail(ctx, 1, "no verdict for '%s': %s%s%s", a.name, r.none,
		    r.reason[0] ? ": " : "", r.reason);
done:
	buf_free(&prompt);
	agent_free_fields(&a);
	return rc;
}

const struct vigil_cmd cmd_triage_entry = {
	.name = "triage",
	.usage = "NAME [--dry-run]",
	.summary = "run AI triage now; --dry-run prints the prompt",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_triage_exec,
};
