/*
 * cmd-spawn.c - vigil spawn: start an agent in a tmux session of its own.
 *
 * The row is inserted and the session created inside one IMMEDIATE
 * transaction: a watchdog never sees the row without its session being at
 * least in creation, and a failed launch leaves no row behind. Everything
 * the user gave is checked before the store or tmux is touched.
 *
 * --worktree gives the agent a linked worktree of its own, on a new branch
 * vigil/NAME, so that agents working in parallel never share a work tree.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "agent.h"
#include "cmd.h"
#include "config.h"
#include "git.h"
#include "preset.h"
#include "store.h"
#include "tmux.h"

#define TASK_MAX (1u << 20)

static const struct option longopts[] = {
	{"dir", required_argument, NULL, 'C'},
	{"preset", required_argument, NULL, 'p'},
	{"task", required_argument, NULL, 't'},
	{"task-file", required_argument, NULL, 'T'},
	{"restart", required_argument, NULL, 'r'},
	{"no-restart", no_argument, NULL, 'n'},
	{"worktree", no_argument, NULL, 'w'},
	{NULL, 0, NULL, 0},
};

struct spawn_args {
	const char *name;
	const char *dir;
	const char *preset;
	const char *task;
	const char *task_file;
	const char *restart;
	int no_restart;
	int worktree;
	char **cmd; /* after "--", or NULL */
};

/* Where --worktree puts an agent's worktree, and where in it the agent runs. */
struct worktree {
	char *path;   /* $VIGIL_HOME/worktrees/NAME, or NULL without --worktree */
	char *repo;   /* the repo's work tree root */
	char *branch; /* vigil/NAME */
	char *dir;    /* the agent's dir: path, plus -C's place inside the repo */
};

static int
parse(struct vigil_ctx *ctx, int argc, char **argv, struct spawn_args *a)
{
	int dd = cmd_dashdash(argc, argv, "C:p:t:T:", longopts);
	if (dd < argc) {
		if (dd + 1 >= argc)
			return cmd_fail(ctx, EX_USAGE, "'--' must be followed by a command");
		a->cmd = argv + dd + 1;
	}
	int c;
	while ((c = cmd_opts(ctx, dd, argv, "C:p:t:T:", longopts)) != -1) {
		switch (c) {
		case 'C':
			a->dir = optarg;
			break;
		case 'p':
			a->preset = optarg;
			break;
		case 't':
			if (a->task)
				return cmd_fail(ctx, EX_USAGE, "-t given twice");
			a->task = optarg;
			break;
		case 'T':
			a->task_file = optarg;
			break;
		case 'r':
			a->restart = optarg;
			break;
		case 'n':
			a->no_restart = 1;
			break;
		case 'w':
			a->worktree = 1;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (optind >= dd)
		return cmd_fail(ctx, EX_USAGE, "usage: vigil spawn NAME [-C DIR] [-p PRESET] "
		    "[-t TEXT | -T FILE] [--worktree] [--restart POLICY] [--no-restart] "
		    "[-- CMD [ARG...]]");
	if (optind + 1 < dd)
		return cmd_fail(ctx, EX_USAGE, "unexpected argument '%s' (a command goes after '--')",
		    argv[optind + 1]);
	a->name = argv[optind];
	return 0;
}

static int
check(struct vigil_ctx *ctx, struct spawn_args *a, struct preset **preset,
    struct strv *cmdv, char **dir, char **task)
{
	char why[VIGIL_ERR_LEN];
	if (name_check(a->name, why) == -1)
		return cmd_fail(ctx, EX_USAGE, "%s", why);
	if (a->task && a->task_file)
		return cmd_fail(ctx, EX_USAGE, "-t and -T cannot be used together");
	if (a->restart && a->no_restart && strcmp(a->restart, "no") != 0)
		return cmd_fail(ctx, EX_USAGE, "--restart %s and --no-restart conflict",
		    a->restart);
	if (a->restart && strcmp(a->restart, "on-failure") && strcmp(a->restart, "always") &&
	    strcmp(a->restart, "no"))
		return cmd_fail(ctx, EX_USAGE,
		    "invalid restart policy '%s': use on-failure, always or no", a->restart);
	const char *pname = a->preset ? a->preset : a->cmd ? "shell" : "claude";
	*preset = config_preset(ctx->cfg, pname);
	if (*preset == NULL)
		return cmd_fail(ctx, EX_USAGE, "unknown preset '%s'", pname);

	/* The working directory, absolute, so the record means the same anywhere. */
	const char *d = a->dir ? a->dir : ".";
	struct stat st;
	if (stat(d, &st) == -1)
		return cmd_fail(ctx, EX_NOINPUT, "cannot use dir '%s': %s", d, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cmd_fail(ctx, EX_NOINPUT, "cannot use dir '%s': not a directory", d);
	char real[PATH_MAX];
	if (realpath(d, real) == NULL)
		return cmd_fail(ctx, EX_NOINPUT, "cannot use dir '%s': %s", d, strerror(errno));
	*dir = xstrdup(real);

	if (a->cmd) {
		strv_copy(cmdv, a->cmd);
	} else if (preset_argv(*preset, cmdv, why) == -1) {
		return cmd_fail(ctx, EX_DATAERR, "preset '%s': %s", pname, why);
	}
	for (size_t i = 0; i < cmdv->n; i++)
		if (!utf8_valid(cmdv->v[i], strlen(cmdv->v[i])))
			return cmd_fail(ctx, EX_DATAERR, "the command is not valid UTF-8");

	if (a->task_file) {
		struct buf b = {0};
		/* A file that cannot be read is missing input (66); what it holds, data (65). */
		if (read_file(a->task_file, TASK_MAX, &b, why) == -1) {
			buf_free(&b);
			return cmd_fail(ctx, errno == EFBIG ? EX_DATAERR : EX_NOINPUT, "task file: %s",
			    why);
		}
		if (memchr(b.data, '\0', b.len)) {
			buf_free(&b);
			return cmd_fail(ctx, EX_DATAERR, "task file: '%s' holds a NUL byte: not text",
			    a->task_file);
		}
		*task = buf_steal(&b);
	} else if (a->task) {
		*task = xstrdup(a->task);
	}
	if (*task && !utf8_valid(*task, strlen(*task)))
		return cmd_fail(ctx, EX_DATAERR, "the task text is not valid UTF-8");
	if (*task && strlen(*task) > TASK_MAX)
		return cmd_fail(ctx, EX_DATAERR, "the task text is longer than 1 MiB");

	/* The program must exist where tmux will look for it. */
	const char *prog = cmdv->v[0];
	char *found = agent_program(*dir, prog);
	if (found == NULL)
		return cmd_fail(ctx, EX_UNAVAILABLE, "program '%s' not found%s (preset %s)",
		    prog, strchr(prog, '/') ? "" : " on PATH", pname);
	free(found);
	return 0;
}

/*
 * worktree_plan checks that dir is in a repository with a commit, and works
 * out where the agent's worktree goes ($VIGIL_HOME/worktrees/NAME: outside
 * the user's tree, so it never shows in its git status and survives a
 * `git clean`) and where in it the agent runs (the place of dir in the
 * repository). Nothing is made yet.
 */
static int
worktree_plan(struct vigil_ctx *ctx, const char *name, const char *dir, struct worktree *w)
{
	struct git_facts f = {0};
	char why[VIGIL_ERR_LEN];
	int rc = 0;
	if (git_facts_read(dir, 0, &f, why) == -1) {
		rc = cmd_fail(ctx, 1, "cannot use --worktree: %s", why);
	} else if (!f.is_repo || f.workdir == NULL) {
		rc = cmd_fail(ctx, 1, "cannot use --worktree: '%s' is not in a git repository "
		    "with a work tree", dir);
	} else if (f.unborn) {
		rc = cmd_fail(ctx, 1, "cannot use --worktree: the repository '%s' has no commits "
		    "yet", f.workdir);
	} else {
		size_t n = strlen(f.workdir);
		const char *sub = strncmp(dir, f.workdir, n) == 0 && dir[n] == '/' ? dir + n : "";
		w->path = xasprintf("%s/worktrees/%s", ctx->home, name);
		w->repo = xstrdup(f.workdir);
		w->branch = xasprintf("vigil/%s", name);
		w->dir = xasprintf("%s%s", w->path, sub);
	}
	git_facts_free(&f);
	return rc;
}

/*
 * worktree_make creates w's worktree and points ag at it. It runs before
 * the store's lock is taken (a checkout may take long); a name that is
 * taken (an agent, a session) is left for the transaction to report, with
 * nothing made.
 */
static int
worktree_make(struct vigil_ctx *ctx, struct worktree *w, struct agent *ag, int *made)
{
	char why[VIGIL_ERR_LEN];
	struct agent old;
	struct stat st;
	*made = 0;
	if (store_agent_get(ctx->store, ag->name, &old, NULL) == 0) {
		agent_free_fields(&old);
		return 0;
	}
	if (tmux_has_session(ctx->tmux, ag->name, NULL) == 1)
		return 0;
	if (git_worktree_create(w->repo, w->path, w->branch, why) == -1)
		return cmd_fail(ctx, 1, "%s", why);
	*made = 1;
	/* -C named a dir the checkout lacks (untracked, ignored): its root, then. */
	if (stat(w->dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		free(w->dir);
		w->dir = xstrdup(w->path);
	}
	free(ag->dir);
	ag->dir = xstrdup(w->dir);
	ag->worktree = xstrdup(w->path);
	return 0;
}

static int
cmd_spawn_exec(struct vigil_ctx *ctx, int argc, char **argv)
{
	struct spawn_args a = {0};
	struct preset *preset = NULL;
	struct strv cmdv = {0};
	char *dir = NULL, *task = NULL, *json = NULL;
	struct agent ag = {0};
	struct worktree wt = {0};
	int rc, wt_made = 0;

	if ((rc = parse(ctx, argc, argv, &a)) != 0)
		goto out;
	if ((rc = check(ctx, &a, &preset, &cmdv, &dir, &task)) != 0)
		goto out;
	if (a.worktree && (rc = worktree_plan(ctx, a.name, dir, &wt)) != 0)
		goto out;
	if ((rc = ctx_need(ctx, CMD_NEEDSTORE | CMD_NEEDTMUX | CMD_NEEDWRITE)) != 0)
		goto out;

	int64_t now = now_ms();
	json = argv_to_json(cmdv.v);
	ag.name = xstrdup(a.name);
	ag.state = xstrdup(ST_BOOTING);
	ag.preset = xstrdup(preset->name);
	ag.dir = xstrdup(dir);
	ag.argv = xstrdup(json);
	ag.task = task ? xstrdup(task) : NULL;
	ag.restart = xstrdup(a.no_restart ? "no" : a.restart ? a.restart : "on-failure");
	ag.created = ag.state_since = ag.last_change = ag.last_seen = now;
	ag.exit_code = -1;
	if (wt.path && (rc = worktree_make(ctx, &wt, &ag, &wt_made)) != 0)
		goto out;

	if ((rc = store_begin(ctx->store, ctx->err)) != 0) {
		rc = cmd_store_code(rc);
		goto out;
	}
	struct agent old;
	rc = store_agent_get(ctx->store, a.name, &old, ctx->err);
	if (rc == 0) {
		store_rollback(ctx->store);
		rc = cmd_fail(ctx, 1, "agent '%s' exists (%s); pick another name, or "
		    "'vigil rm %s' first", a.name, old.state, a.name);
		agent_free_fields(&old);
		goto out;
	}
	if (rc < 0) {
		store_rollback(ctx->store);
		rc = cmd_store_code(rc);
		goto out;
	}
	char why[VIGIL_ERR_LEN];
	int has = tmux_has_session(ctx->tmux, a.name, why);
	if (has != 0) {
		store_rollback(ctx->store);
		rc = has == 1 ? cmd_fail(ctx, 1, "tmux session '%s' already exists on socket '%s'",
		    a.name, ctx->socket) : cmd_fail(ctx, 1, "%s", why);
		goto out;
	}
	if ((rc = store_agent_insert(ctx->store, &ag, ctx->err)) != 0) {
		store_rollback(ctx->store);
		rc = cmd_store_code(rc);
		goto out;
	}
	struct agent_env env = {ctx->home, ctx->socket, ctx->cfg->path};
	if ((rc = agent_launch(ctx->tmux, &env, &ag, cmdv.v, now, why)) != 0) {
		store_rollback(ctx->store);
		rc = cmd_fail(ctx, rc == TMUX_TIMEOUT ? EX_TEMPFAIL : 1,
		    "cannot start '%s': %s", a.name, why);
		goto out;
	}
	struct buf detail = {0};
	for (size_t i = 0; i < cmdv.n; i++) {
		if (i)
			buf_puts(&detail, " ");
		quote_word(&detail, cmdv.v[i]);
	}
	if (task)
		ag.pending = xstrdup(task);
	rc = store_agent_update(ctx->store, &ag, ctx->err);
	if (rc == 0)
		rc = store_event_add(ctx->store, now, a.name, "spawn", 0, detail.data, ctx->err);
	buf_free(&detail);
	if (rc == 0)
		rc = store_commit(ctx->store, ctx->err);
	if (rc != 0) {
		/* No row, no session: undo the launch. */
		store_rollback(ctx->store);
		tmux_kill_session(ctx->tmux, a.name, NULL);
		rc = cmd_store_code(rc);
		goto out;
	}
	printf("spawned %s (pid %d) in tmux session '%s' on socket '%s'\n", a.name, ag.pid,
	    a.name, ctx->socket);
	if (wt_made)
		printf("worktree %s on branch %s\n", wt.path, wt.branch);
	fflush(stdout);

	if (task) {
		/* Type the task once the CLI is drawn and waiting. */
		char target[64];
		agent_target(&ag, target, sizeof target);
		int ready = agent_wait_ready(ctx->tmux, target, 300, ctx->cfg->ready_timeout, why);
		int submitted = 0;
		if (ready == 0)
			snprintf(why, sizeof why, "the CLI was not ready within %lldms",
			    (long long)ctx->cfg->ready_timeout);
		/* Claim it first: a watchdog may type pending text too. */
		int mine = ready == 1 ? store_pending_take(ctx->store, a.name, task, why) : -1;
		if (mine == 1 && agent_send(ctx->tmux, target, task, ctx->cfg->confirm,
		    &submitted, why) != 0) {
			store_pending_put(ctx->store, a.name, task, NULL);
			mine = -1;
		}
		if (mine < 0)
			fprintf(stderr, "vigil: spawn: warning: task not typed yet (%s); "
			    "the watchdog will type it\n", why);
	}
	rc = 0;
out:
	/* A spawn that failed leaves no worktree (its new branch stays: git.h). */
	if (rc != 0 && wt_made)
		git_worktree_remove(wt.path, NULL);
	free(wt.path);
	free(wt.repo);
	free(wt.branch);
	free(wt.dir);
	agent_free_fields(&ag);
	strv_free(&cmdv);
	free(dir);
	free(task);
	free(json);
	return rc;
}

const struct vigil_cmd cmd_spawn_entry = {
	.name = "spawn",
	.usage = "NAME [-C DIR] [-p PRESET] [-t TEXT|-T FILE] [--worktree] [-- CMD...]",
	.summary = "start an agent in tmux session NAME",
	.flags = CMD_NEEDSTORE | CMD_NEEDTMUX,
	.exec = cmd_spawn_exec,
};
