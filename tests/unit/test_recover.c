/*
 * test_recover.c - checkpoints, handoffs and the resume prompt: the store's
 * rows read back as written, which handoff is open, which command resumes
 * an agent, and what the resume prompt says, against a real store and real
 * git repositories (made with the git CLI through child_run) in a temporary
 * dir. No tmux: ctx->tmux is NULL, so checkpoints carry no pane tail.
 */
#include "unit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "child.h"
#include "cmd.h"
#include "config.h"
#include "recover.h"
#include "store.h"
#include "util.h"

struct fx {
	char dir[PATH_MAX];
	struct vigil_ctx ctx;
	struct agent a;
	char err[VIGIL_ERR_LEN];
};

/* run runs argv in dir (NULL: here); the test fails when it does not exit 0. */
static void
run(const char *dir, char *const *argv)
{
	struct child_opts o = { .argv = argv, .dir = dir, .quiet_stderr = 1 };
	struct child_result r = {0};
	char err[VIGIL_ERR_LEN];
	if (child_run(&o, &r, err) < 0 || r.status != 0)
		fail_msg("%s %s failed: %s%s", argv[0], argv[1], err, r.err.data ? r.err.data : "");
	child_result_free(&r);
}

#define GIT(dir, ...) run((dir), (char *const[]){"git", "-c", "user.name=T", \
	"-c", "user.email=t@example.com", __VA_ARGS__, NULL})

static void
put(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(p);
}

/* repo makes f->dir/work a repo with one commit of a.txt, and the agent's dir. */
static void
repo(struct fx *f)
{
	GIT(f->a.dir, "init", "-q", "-b", "main");
	put(f->a.dir, "a.txt", "one\n");
	GIT(f->a.dir, "add", "a.txt");
	GIT(f->a.dir, "commit", "-q", "-m", "first commit");
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof f->dir, "%s/vigil-test-recover-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	setenv("HOME", f->dir, 1);
	setenv("XDG_CONFIG_HOME", f->dir, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	f->ctx.home = xasprintf("%s/home", f->dir);
	f->ctx.cfg = config_defaults();
	/* The shipped template: the tests run from the source tree's root. */
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof cwd));
	f->ctx.cfg->prompts_dir = xasprintf("%s/prompts", cwd);
	if (store_open(f->ctx.home, &f->ctx.store, f->err) != 0)
		return -1;
	f->a.name = xstrdup("alpha");
	f->a.state = xstrdup(ST_STOPPED);
	f->a.preset = xstrdup("shell");
	f->a.dir = xasprintf("%s/work", f->dir);
	f->a.argv = xstrdup("[\"fake-agent\",\"prompt\"]");
	f->a.task = xstrdup("make the parser fast");
	f->a.restart = xstrdup("on-failure");
	f->a.created = 1000;
	f->a.exit_code = -1;
	assert_int_equal(mkdir_p(f->a.dir, 0755, NULL), 0);
	assert_int_equal(store_agent_insert(f->ctx.store, &f->a, f->err), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->ctx.store);
	config_free(f->ctx.cfg);
	free(f->ctx.home);
	agent_free_fields(&f->a);
	run(NULL, (char *const[]){"rm", "-rf", f->dir, NULL});
	free(f);
	return 0;
}

/* cp_add stores a checkpoint of alpha at ts with the given fields. */
static int64_t
cp_add(struct fx *f, int64_t ts, const char *source, const char *summary,
    const char *snapshot)
{
	struct checkpoint c = {
		.agent = "alpha", .ts = ts, .source = (char *)source, .summary = (char *)summary,
		.snapshot = (char *)snapshot, .ahead = -1, .behind = -1,
	};
	int64_t id = 0;
	assert_int_equal(store_checkpoint_add(f->ctx.store, &c, &id, f->err), 0);
	assert_true(id > 0);
	return id;
}

static int64_t
handoff_add(struct fx *f, int64_t ts, int64_t checkpoint, const char *reason)
{
	struct handoff h = {.agent = "alpha", .ts = ts, .reason = (char *)reason,
	    .checkpoint = checkpoint, .from_session = "$3", .from_pid = 42, .from_started = 5};
	int64_t id = 0;
	assert_int_equal(store_handoff_add(f->ctx.store, &h, &id, f->err), 0);
	return id;
}

/* prompt fills the resume prompt of handoff id (the test fails on an error). */
static char *
prompt(struct fx *f, int64_t id)
{
	struct buf b = {0};
	if (resume_prompt(&f->ctx, &f->a, id, &b, f->err) != 0)
		fail_msg("resume_prompt: %s", f->err);
	return buf_steal(&b);
}

static void
expect_in(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("'%s' not in:\n%s", needle, hay);
}

static void
test_checkpoint_reads_back_as_written(void **state)
{
	struct fx *f = *state;
	struct checkpoint c = {
		.agent = "alpha", .ts = 5000, .source = "agent", .task = "t", .summary = "s",
		.pending = "p", .questions = "q", .branch = "main", .head = "abc",
		.head_summary = "first", .ahead = 2, .behind = 0, .files = "[\"M a.txt\"]",
		.files_total = 7, .snapshot = "refs/vigil/snapshots/alpha/5", .pane_tail = "> ",
	};
	int64_t id;
	struct checkpoint got;
	assert_int_equal(store_checkpoint_add(f->ctx.store, &c, &id, f->err), 0);
	assert_int_equal(store_checkpoint_get(f->ctx.store, id, &got, f->err), 0);
	assert_int_equal(got.id, id);
	assert_int_equal(got.ts, 5000);
	const char *want[] = {c.agent, c.source, c.task, c.summary, c.pending, c.questions,
	    c.branch, c.head, c.head_summary, c.files, c.snapshot, c.pane_tail};
	const char *have[] = {got.agent, got.source, got.task, got.summary, got.pending,
	    got.questions, got.branch, got.head, got.head_summary, got.files, got.snapshot,
	    got.pane_tail};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_string_equal(have[i], want[i]);
	assert_int_equal(got.ahead, 2);
	assert_int_equal(got.behind, 0);
	assert_int_equal(got.files_total, 7);
	checkpoint_free(&got);
	assert_int_equal(store_checkpoint_get(f->ctx.store, id + 1, &got, f->err), 1);
}

static void
test_checkpoint_without_git_reads_back_nulls(void **state)
{
	struct fx *f = *state;
	struct checkpoint got;
	int64_t id = cp_add(f, 5000, "watchdog", NULL, NULL);
	assert_int_equal(store_checkpoint_get(f->ctx.store, id, &got, f->err), 0);
	assert_null(got.summary);
	assert_null(got.branch);
	assert_null(got.head);
	assert_null(got.files);
	assert_null(got.snapshot);
	assert_int_equal(got.ahead, -1);
	assert_int_equal(got.behind, -1);
	checkpoint_free(&got);
}

static void
test_checkpoint_latest_filters(void **state)
{
	struct fx *f = *state;
	struct checkpoint c;
	int64_t old = cp_add(f, 500, "agent", "before the spawn", "refs/x/0");
	int64_t snap = cp_add(f, 2000, "agent", NULL, "refs/x/1");
	int64_t notes = cp_add(f, 3000, "agent", "did things", NULL);
	int64_t last = cp_add(f, 4000, "stop", NULL, NULL);
	assert_true(old < snap);

	assert_int_equal(store_checkpoint_latest(f->ctx.store, "alpha", 1000, 0, CP_ANY, &c,
	    f->err), 0);
	assert_int_equal(c.id, last);
	checkpoint_free(&c);
	assert_int_equal(store_checkpoint_latest(f->ctx.store, "alpha", 1000, 0, CP_SNAPSHOT,
	    &c, f->err), 0);
	assert_int_equal(c.id, snap);
	checkpoint_free(&c);
	assert_int_equal(store_checkpoint_latest(f->ctx.store, "alpha", 1000, 0, CP_NOTES, &c,
	    f->err), 0);
	assert_int_equal(c.id, notes);
	checkpoint_free(&c);
	/* upto: none newer than the given id. */
	assert_int_equal(store_checkpoint_latest(f->ctx.store, "alpha", 1000, snap, CP_NOTES,
	    &c, f->err), 1);
	/* since: the one from before the spawn is not this agent's. */
	assert_int_equal(store_checkpoint_latest(f->ctx.store, "alpha", 0, snap, CP_NOTES, &c,
	    f->err), 0);
	assert_int_equal(c.id, old);
	checkpoint_free(&c);
	assert_int_equal(store_checkpoint_latest(f->ctx.store, "beta", 0, 0, CP_ANY, &c,
	    f->err), 1);
}

static void
test_handoff_reads_back_and_resumes_once(void **state)
{
	struct fx *f = *state;
	struct handoff h;
	int64_t cp = cp_add(f, 2000, "stop", NULL, NULL);
	int64_t id = handoff_add(f, 2000, cp, "stopped by hand");
	assert_int_equal(store_handoff_get(f->ctx.store, id, &h, f->err), 0);
	assert_string_equal(h.reason, "stopped by hand");
	assert_string_equal(h.from_session, "$3");
	assert_int_equal(h.from_pid, 42);
	assert_int_equal(h.from_started, 5);
	assert_int_equal(h.checkpoint, cp);
	assert_null(h.to_session);
	assert_int_equal(h.resumed, 0);
	handoff_free(&h);

	assert_int_equal(store_handoff_resume(f->ctx.store, id, "$4", 3000, f->err), 0);
	assert_int_equal(store_handoff_resume(f->ctx.store, id, "$5", 4000, f->err), 1);
	assert_int_equal(store_handoff_resume(f->ctx.store, id + 1, "$5", 4000, f->err), 1);
	assert_int_equal(store_handoff_latest(f->ctx.store, "alpha", 0, &h, f->err), 0);
	assert_string_equal(h.to_session, "$4");
	assert_int_equal(h.resumed, 3000);
	handoff_free(&h);
}

static void
test_handoff_open_is_only_the_newest_unresumed(void **state)
{
	struct fx *f = *state;
	int64_t id = 0;
	assert_int_equal(handoff_open(f->ctx.store, &f->a, &id, f->err), 1);
	int64_t h1 = handoff_add(f, 2000, 0, "first");
	assert_int_equal(handoff_open(f->ctx.store, &f->a, &id, f->err), 0);
	assert_int_equal(id, h1);
	/* A newer one, resumed: the older open one is history now. */
	int64_t h2 = handoff_add(f, 3000, 0, "second");
	assert_int_equal(store_handoff_resume(f->ctx.store, h2, NULL, 3500, f->err), 0);
	assert_int_equal(handoff_open(f->ctx.store, &f->a, &id, f->err), 1);
	int64_t h3 = handoff_add(f, 4000, 0, "third");
	assert_int_equal(handoff_open(f->ctx.store, &f->a, &id, f->err), 0);
	assert_int_equal(id, h3);
	/* The same name spawned again later: none of these are its handoffs. */
	f->a.created = 5000;
	assert_int_equal(handoff_open(f->ctx.store, &f->a, &id, f->err), 1);
}

/* argv_for gives the resume command of alpha with preset and argv (JSON). */
static int
argv_for(struct fx *f, const char *preset, const char *json, struct strv *v)
{
	int fresh = -1;
	free(f->a.preset);
	f->a.preset = xstrdup(preset);
	free(f->a.argv);
	f->a.argv = xstrdup(json);
	strv_free(v);
	assert_int_equal(resume_argv(&f->ctx, &f->a, v, &fresh, f->err), 0);
	assert_true(fresh == 0 || fresh == 1);
	return fresh;
}

static void
test_resume_argv_uses_the_presets_resume_command(void **state)
{
	struct fx *f = *state;
	struct strv v = {0};
	assert_int_equal(argv_for(f, "claude", "[\"claude\"]", &v), 0);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0], "claude");
	assert_string_equal(v.v[1], "--continue");
	assert_int_equal(argv_for(f, "codex", "[\"codex\"]", &v), 0);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.v[1], "resume");
	assert_string_equal(v.v[2], "--last");
	strv_free(&v);
}

static void
test_resume_argv_of_an_own_command_is_a_fresh_start(void **state)
{
	struct fx *f = *state;
	struct strv v = {0};
	assert_int_equal(argv_for(f, "claude", "[\"claude\",\"--model\",\"opus\"]", &v), 1);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.v[2], "opus");
	/* shell: no resume command at all. */
	assert_int_equal(argv_for(f, "shell", "[\"claude\"]", &v), 1);
	assert_int_equal(v.n, 1);
	assert_string_equal(v.v[0], "claude");
	strv_free(&v);
}

static void
test_resume_prompt_is_never_typed_into_a_shell(void **state)
{
	(void)state;
	assert_int_equal(resume_types_prompt((char *[]){"bash", NULL}), 0);
	assert_int_equal(resume_types_prompt((char *[]){"/bin/zsh", "-l", NULL}), 0);
	assert_int_equal(resume_types_prompt((char *[]){"-sh", NULL}), 0);
	assert_int_equal(resume_types_prompt((char *[]){"bash", "-c", "exec x", NULL}), 1);
	assert_int_equal(resume_types_prompt((char *[]){"bash", "agent.sh", NULL}), 1);
	assert_int_equal(resume_types_prompt((char *[]){"claude", "--continue", NULL}), 1);
	assert_int_equal(resume_types_prompt((char *[]){"bashful", NULL}), 1);
}

static void
test_resume_prompt_gives_notes_git_and_restore(void **state)
{
	struct fx *f = *state;
	struct checkpoint c = {
		.agent = "alpha", .ts = 2000, .source = "stop", .task = "make the parser fast",
		.branch = "main", .head = "0123456789abcdef0123456789abcdef01234567",
		.head_summary = "first commit", .ahead = -1, .behind = -1,
		.files = "[\"M src/parse.c\",\"? notes.txt\"]", .files_total = 3,
		.snapshot = "refs/vigil/snapshots/alpha/2", .pane_tail = "line one\nline two",
	};
	struct checkpoint n = {
		.agent = "alpha", .ts = 1500, .source = "agent", .summary = "tokenizer done",
		.pending = "the benchmarks", .questions = "keep the old API?", .ahead = -1,
		.behind = -1,
	};
	int64_t cid;
	assert_int_equal(store_checkpoint_add(f->ctx.store, &n, &cid, f->err), 0);
	assert_int_equal(store_checkpoint_add(f->ctx.store, &c, &cid, f->err), 0);
	int64_t id = handoff_add(f, 2000, cid, "stopped for the night");

	char *p = prompt(f, id);
	expect_in(p, "make the parser fast");
	expect_in(p, "- Summary: tokenizer done");
	expect_in(p, "- Pending work: the benchmarks");
	expect_in(p, "- Open questions: keep the old API?");
	expect_in(p, "written by you with `vigil checkpoint`");
	expect_in(p, "stopped for the night");
	expect_in(p, "- Branch: main\n");
	expect_in(p, "- Last commit: 0123456789ab first commit");
	expect_in(p, "- Changed files: 3\n  - M src/parse.c\n  - ? notes.txt\n  - and 1 more");
	expect_in(p, "git checkout refs/vigil/snapshots/alpha/2 -- .");
	expect_in(p, "git cherry-pick --no-commit refs/vigil/snapshots/alpha/2");
	expect_in(p, "    line one\n    line two");
	/* The dir is no repo now: said plainly. */
	expect_in(p, "The git state CHANGED since the checkpoint: the directory is no longer a "
	    "git repository");
	assert_null(strstr(p, "{{"));
	free(p);
}

static void
test_resume_prompt_says_when_git_is_unchanged_or_changed(void **state)
{
	struct fx *f = *state;
	int64_t cp, h;
	repo(f);
	put(f->a.dir, "a.txt", "two\n");
	put(f->a.dir, "b.txt", "new\n");
	assert_int_equal(handoff_take(&f->ctx, &f->a, "stop", "stopped by hand", 2000, &cp, &h,
	    f->err), 0);
	assert_string_equal(f->err, "");
	char *p = prompt(f, h);
	expect_in(p, "The git state now is the same as at the checkpoint");
	expect_in(p, "  - M a.txt\n  - ? b.txt");
	expect_in(p, "refs/vigil/snapshots/alpha/2");
	expect_in(p, "- Summary: (none recorded)");
	free(p);

	GIT(f->a.dir, "checkout", "-q", "-b", "other");
	GIT(f->a.dir, "add", "-A");
	GIT(f->a.dir, "commit", "-q", "-m", "second");
	p = prompt(f, h);
	expect_in(p, "The git state CHANGED since the checkpoint: the branch was main and is "
	    "now other; the last commit was ");
	expect_in(p, "the changed files differ (2 then, 0 now)");
	expect_in(p, "- Changed files: none (the working tree is clean)");
	free(p);
}

static void
test_checkpoint_take_outside_a_repo_has_no_git_facts(void **state)
{
	struct fx *f = *state;
	int64_t id;
	struct checkpoint c;
	assert_int_equal(checkpoint_take(&f->ctx, &f->a, "agent", "half done", NULL, "", 3000,
	    &id, f->err), 0);
	assert_string_equal(f->err, "");
	assert_int_equal(store_checkpoint_get(f->ctx.store, id, &c, f->err), 0);
	assert_string_equal(c.summary, "half done");
	assert_null(c.questions); /* "" is no text */
	assert_string_equal(c.task, "make the parser fast");
	assert_null(c.branch);
	assert_null(c.head);
	assert_null(c.snapshot);
	assert_null(c.pane_tail);
	checkpoint_free(&c);
	struct event *ev;
	size_t n;
	assert_int_equal(store_event_list(f->ctx.store, "alpha", 0, 0, &ev, &n, f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].kind, "checkpoint");
	assert_string_equal(ev[0].detail, "by agent: half done");
	event_array_free(ev, n);
}

static void
test_checkpoint_take_names_an_unchanged_snapshot_again(void **state)
{
	struct fx *f = *state;
	int64_t id1, id2, id3;
	struct checkpoint c1, c2, c3;
	repo(f);
	put(f->a.dir, "a.txt", "changed\n");
	assert_int_equal(checkpoint_take(&f->ctx, &f->a, "agent", NULL, NULL, NULL, 3000, &id1,
	    f->err), 0);
	assert_int_equal(checkpoint_take(&f->ctx, &f->a, "stop", NULL, NULL, NULL, 9000, &id2,
	    f->err), 0);
	assert_int_equal(store_checkpoint_get(f->ctx.store, id1, &c1, f->err), 0);
	assert_int_equal(store_checkpoint_get(f->ctx.store, id2, &c2, f->err), 0);
	assert_string_equal(c1.snapshot, "refs/vigil/snapshots/alpha/3");
	assert_string_equal(c2.snapshot, c1.snapshot);
	assert_string_equal(c1.branch, "main");
	assert_int_equal(c1.files_total, 1);
	/* Committed: nothing uncommitted, no snapshot. */
	GIT(f->a.dir, "commit", "-q", "-am", "second");
	assert_int_equal(checkpoint_take(&f->ctx, &f->a, "agent", NULL, NULL, NULL, 10000, &id3,
	    f->err), 0);
	assert_int_equal(store_checkpoint_get(f->ctx.store, id3, &c3, f->err), 0);
	assert_null(c3.snapshot);
	assert_int_equal(c3.files_total, 0);
	checkpoint_free(&c1);
	checkpoint_free(&c2);
	checkpoint_free(&c3);
}

static void
test_resume_prompt_of_a_bad_template_fails_with_its_name(void **state)
{
	struct fx *f = *state;
	char *dir = xasprintf("%s/tmpl", f->dir);
	assert_int_equal(mkdir_p(dir, 0700, NULL), 0);
	put(dir, "resume.md", "{{task}} and {{no_such_thing}}\n");
	free(f->ctx.cfg->prompts_dir);
	f->ctx.cfg->prompts_dir = dir;
	int64_t id = handoff_add(f, 2000, 0, "why");
	struct buf b = {0};
	assert_int_equal(resume_prompt(&f->ctx, &f->a, id, &b, f->err), -1);
	expect_in(f->err, "resume.md");
	expect_in(f->err, "no_such_thing");
	buf_free(&b);
	assert_int_equal(resume_prompt(&f->ctx, &f->a, id + 1, &b, f->err), -1);
	expect_in(f->err, "no handoff");
	/* Another agent's handoff is no handoff of this one. */
	struct handoff h = {.agent = "beta", .ts = 2000, .reason = "theirs"};
	int64_t theirs;
	assert_int_equal(store_handoff_add(f->ctx.store, &h, &theirs, f->err), 0);
	assert_int_equal(resume_prompt(&f->ctx, &f->a, theirs, &b, f->err), -1);
	expect_in(f->err, "no handoff");
	buf_free(&b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_checkpoint_reads_back_as_written),
		T(test_checkpoint_without_git_reads_back_nulls),
		T(test_checkpoint_latest_filters),
		T(test_handoff_reads_back_and_resumes_once),
		T(test_handoff_open_is_only_the_newest_unresumed),
		T(test_resume_argv_uses_the_presets_resume_command),
		T(test_resume_argv_of_an_own_command_is_a_fresh_start),
		T(test_resume_prompt_is_never_typed_into_a_shell),
		T(test_resume_prompt_gives_notes_git_and_restore),
		T(test_resume_prompt_says_when_git_is_unchanged_or_changed),
		T(test_checkpoint_take_outside_a_repo_has_no_git_facts),
		T(test_checkpoint_take_names_an_unchanged_snapshot_again),
		T(test_resume_prompt_of_a_bad_template_fails_with_its_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
