/*
 * test_git.c - git facts, snapshots and worktrees against real repositories
 * made with the git CLI (run through child_run, never a shell) in a
 * temporary directory. HOME and XDG_CONFIG_HOME point there and
 * GIT_CONFIG_NOSYSTEM is set, so neither the user's nor the system's git
 * config can change what the tests see. Checks read back with the git CLI
 * too, so the code under test does not vouch for itself.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "child.h"
#include "git.h"
#include "util.h"

/* The temporary root of the whole run; each test makes its own dir below. */
static char root[PATH_MAX];

struct fx {
	char dir[PATH_MAX + 32];
	char err[VIGIL_ERR_LEN];
};

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* run runs argv in dir and returns its stdout (malloc'd); the test fails on a non-zero exit. */
static char *
run_argv(const char *dir, char *const *argv)
{
	struct child_opts o = { .argv = argv, .dir = dir, .quiet_stderr = 1 };
	struct child_result r = {0};
	char err[VIGIL_ERR_LEN];

	if (child_run(&o, &r, err) < 0)
		fail_msg("cannot run %s: %s", argv[0], err);
	if (r.status != 0) {
		fprintf(stderr, "in %s:", dir);
		for (char *const *a = argv; *a; a++)
			fprintf(stderr, " %s", *a);
		fprintf(stderr, "\n%s", r.err.data ? r.err.data : "");
		fail_msg("exit status %d", r.status);
	}
	char *out = buf_steal(&r.out);
	child_result_free(&r);
	return out;
}

#define GIT_ARGV(...) ((char *const[]){ "git", __VA_ARGS__, NULL })
/* git runs git in dir and returns its stdout with trailing blanks cut. */
#define git(dir, ...) git_trim(run_argv((dir), GIT_ARGV(__VA_ARGS__)))
/* git_ok runs git in dir and forgets its output. */
#define git_ok(dir, ...) free(run_argv((dir), GIT_ARGV(__VA_ARGS__)))

static char *
git_trim(char *s)
{
	str_trim_right(s);
	return s;
}

/* expect_out checks a command's output got (then freed) against want. */
static void
expect_out(const char *want, char *got)
{
	assert_string_equal(got, want);
	free(got);
}

/* expect_same checks that two commands' outputs (both freed) agree. */
static void
expect_same(char *a, char *b)
{
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* path_of returns dir/rel in a static buffer that the next call reuses. */
static const char *
path_of(const char *dir, const char *rel)
{
	static char p[PATH_MAX + 256];
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return p;
}

static void
write_text(const char *dir, const char *rel, const char *text)
{
	const char *p = path_of(dir, rel);
	char *parent = xstrdup(p);
	*strrchr(parent, '/') = '\0';
	assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
	free(parent);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int
exists(const char *dir, const char *rel)
{
	struct stat st;
	return lstat(path_of(dir, rel), &st) == 0;
}

/* repo_init makes a repo on branch main with a committer that is not vigil. */
static void
repo_init(const char *dir)
{
	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	git_ok(dir, "init", "-q", "-b", "main");
	git_ok(dir, "config", "user.name", "Test");
	git_ok(dir, "config", "user.email", "test@example.com");
}

/* repo_commit writes rel with text and commits everything. */
static void
repo_commit(const char *dir, const char *rel, const char *text, const char *msg)
{
	write_text(dir, rel, text);
	git_ok(dir, "add", "-A");
	char *m = xstrdup(msg);
	git_ok(dir, "commit", "-q", "-m", m);
	free(m);
}

/* repo_with_files makes dir/repo with a.txt, b.txt and c.txt in one commit. */
static char *
repo_with_files(struct fx *f)
{
	char *repo = xasprintf("%s/repo", f->dir);
	repo_init(repo);
	write_text(repo, "a.txt", "one\n");
	write_text(repo, "b.txt", "bee\n");
	repo_commit(repo, "c.txt", "sea\n", "first");
	return repo;
}

static void
read_bytes(const char *path, struct buf *b)
{
	char err[VIGIL_ERR_LEN];
	if (read_file(path, 16 << 20, b, err) < 0)
		fail_msg("%s", err);
}

static int
group_setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/vigil-test-git-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(root) == NULL)
		return -1;
	setenv("HOME", root, 1);
	setenv("XDG_CONFIG_HOME", root, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("LC_ALL", "C", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_CEILING_DIRECTORIES");
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rm_rf(root);
	return 0;
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "%s/t-XXXXXX", root);
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	rm_rf(f->dir);
	free(f);
	return 0;
}

static void
assert_files(const struct git_facts *g, const char *const *want, size_t n)
{
	for (size_t i = 0; i < g->files.n && i < n; i++)
		assert_string_equal(g->files.v[i], want[i]);
	assert_int_equal(g->files.n, n);
}

/* read_facts reads the facts of dir, failing the test with the error if any. */
static void
read_facts(struct fx *f, const char *dir, size_t max, struct git_facts *g)
{
	if (git_facts_read(dir, max, g, f->err) < 0)
		fail_msg("git_facts_read: %s", f->err);
}

static void
test_facts_not_a_repo(void **state)
{
	struct fx *f = *state;
	struct git_facts g;

	read_facts(f, f->dir, 10, &g);
	assert_int_equal(g.is_repo, 0);
	assert_null(g.workdir);
	assert_null(g.branch);
	assert_int_equal(g.files.n, 0);
	git_facts_free(&g);
}

static void
test_facts_missing_dir_is_an_error(void **state)
{
	struct fx *f = *state;
	struct git_facts g;

	assert_int_equal(git_facts_read(path_of(f->dir, "nope"), 10, &g, f->err), -1);
	assert_non_null(strstr(f->err, "nope"));
	git_facts_free(&g);
}

static void
test_facts_unborn_with_untracked(void **state)
{
	struct fx *f = *state;
	struct git_facts g;

	repo_init(f->dir);
	write_text(f->dir, "a.txt", "a\n");
	write_text(f->dir, "dir/b.txt", "b\n");
	read_facts(f, f->dir, 10, &g);
	assert_int_equal(g.is_repo, 1);
	assert_int_equal(g.unborn, 1);
	assert_int_equal(g.detached, 0);
	assert_string_equal(g.branch, "main");
	assert_string_equal(g.head, "");
	assert_null(g.head_summary);
	const char *want[] = { "? a.txt", "? dir/b.txt" };
	assert_files(&g, want, 2);
	assert_int_equal(g.files_total, 2);
	assert_int_equal(g.has_upstream, 0);
	git_facts_free(&g);
}

static void
test_facts_branch_lists_each_kind_of_change(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *repo = repo_with_files(f);

	repo_commit(repo, ".gitignore", "*.log\n", "ignore logs");
	write_text(repo, "a.txt", "two\n");             /* modified, not staged */
	assert_int_equal(unlink(path_of(repo, "b.txt")), 0); /* deleted, not staged */
	write_text(repo, "d.txt", "dee\n");
	git_ok(repo, "add", "d.txt");                   /* added */
	write_text(repo, "e.txt", "eee\n");             /* untracked */
	write_text(repo, "f.log", "ignored\n");         /* ignored: not listed */
	read_facts(f, repo, 10, &g);
	assert_string_equal(g.branch, "main");
	assert_int_equal(g.detached, 0);
	assert_int_equal(g.unborn, 0);
	expect_out(g.head, git(repo, "rev-parse", "HEAD"));
	assert_string_equal(g.head_summary, "ignore logs");
	char *top = realpath(repo, NULL);
	assert_string_equal(g.workdir, top);
	free(top);
	const char *want[] = { "M a.txt", "D b.txt", "A d.txt", "? e.txt" };
	assert_files(&g, want, 4);
	assert_int_equal(g.files_total, 4);
	git_facts_free(&g);
	free(repo);
}

static void
test_facts_staged_rename(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *repo = repo_with_files(f);

	git_ok(repo, "mv", "a.txt", "z.txt");
	read_facts(f, repo, 10, &g);
	const char *want[] = { "R a.txt -> z.txt" };
	assert_files(&g, want, 1);
	git_facts_free(&g);
	free(repo);
}

static void
test_facts_files_cap_counts_all(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *repo = repo_with_files(f);

	for (int i = 0; i < 10; i++) {
		char name[32];
		snprintf(name, sizeof name, "new%d.txt", i);
		write_text(repo, name, "x\n");
	}
	read_facts(f, repo, 3, &g);
	const char *want[] = { "? new0.txt", "? new1.txt", "? new2.txt" };
	assert_files(&g, want, 3);
	assert_int_equal(g.files_total, 10);
	git_facts_free(&g);
	free(repo);
}

static void
test_facts_detached_head(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *repo = repo_with_files(f);

	repo_commit(repo, "a.txt", "two\n", "second");
	git_ok(repo, "checkout", "-q", "--detach", "HEAD~1");
	read_facts(f, repo, 10, &g);
	assert_int_equal(g.detached, 1);
	assert_null(g.branch);
	expect_out(g.head, git(repo, "rev-parse", "HEAD"));
	assert_string_equal(g.head_summary, "first");
	assert_int_equal(g.files_total, 0);
	assert_int_equal(g.has_upstream, 0);
	git_facts_free(&g);
	free(repo);
}

static void
test_facts_inside_linked_worktree(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *repo = repo_with_files(f);
	char *wt = xasprintf("%s/wt", f->dir);

	git_ok(repo, "worktree", "add", "-q", "-b", "feature", wt);
	write_text(wt, "a.txt", "changed in the worktree\n");
	read_facts(f, wt, 10, &g);
	assert_string_equal(g.branch, "feature");
	char *top = realpath(wt, NULL);
	assert_string_equal(g.workdir, top);
	free(top);
	const char *want[] = { "M a.txt" };
	assert_files(&g, want, 1);
	git_facts_free(&g);
	/* The main work tree is untouched by the worktree's change. */
	read_facts(f, repo, 10, &g);
	assert_string_equal(g.branch, "main");
	assert_int_equal(g.files_total, 0);
	git_facts_free(&g);
	free(wt);
	free(repo);
}

static void
test_facts_from_a_subdirectory(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *repo = repo_with_files(f);

	repo_commit(repo, "src/deep/x.c", "int x;\n", "add x");
	write_text(repo, "src/deep/x.c", "int x = 1;\n");
	read_facts(f, path_of(repo, "src/deep"), 10, &g);
	assert_int_equal(g.is_repo, 1);
	char *top = realpath(repo, NULL);
	assert_string_equal(g.workdir, top);
	free(top);
	assert_string_equal(g.head_summary, "add x");
	const char *want[] = { "M src/deep/x.c" };
	assert_files(&g, want, 1);
	git_facts_free(&g);
	free(repo);
}

static void
test_facts_ahead_behind_upstream(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *seed = repo_with_files(f);
	char *origin = xasprintf("%s/origin.git", f->dir);
	char *clone = xasprintf("%s/clone", f->dir);

	git_ok(f->dir, "init", "-q", "--bare", "-b", "main", origin);
	git_ok(seed, "push", "-q", origin, "main");
	git_ok(f->dir, "clone", "-q", origin, clone);
	git_ok(clone, "config", "user.name", "Test");
	git_ok(clone, "config", "user.email", "test@example.com");
	repo_commit(clone, "l1.txt", "1\n", "local 1");
	repo_commit(clone, "l2.txt", "2\n", "local 2");
	repo_commit(seed, "r1.txt", "1\n", "remote 1");
	git_ok(seed, "push", "-q", origin, "main");
	git_ok(clone, "fetch", "-q");
	read_facts(f, clone, 10, &g);
	assert_int_equal(g.has_upstream, 1);
	assert_int_equal(g.ahead, 2);
	assert_int_equal(g.behind, 1);
	git_facts_free(&g);
	/* A branch without an upstream has none. */
	git_ok(clone, "checkout", "-q", "-b", "topic");
	read_facts(f, clone, 10, &g);
	assert_int_equal(g.has_upstream, 0);
	assert_int_equal(g.ahead, 0);
	assert_int_equal(g.behind, 0);
	git_facts_free(&g);
	free(clone);
	free(origin);
	free(seed);
}

static void
test_facts_upstream_may_be_a_local_branch(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *repo = repo_with_files(f);

	git_ok(repo, "checkout", "-q", "--track", "-b", "topic", "main");
	repo_commit(repo, "t.txt", "t\n", "on topic");
	read_facts(f, repo, 10, &g);
	assert_string_equal(g.branch, "topic");
	assert_int_equal(g.has_upstream, 1);
	assert_int_equal(g.ahead, 1);
	assert_int_equal(g.behind, 0);
	git_facts_free(&g);
	free(repo);
}

/* What a snapshot must leave exactly as it was. */
struct user_state {
	char *status;
	char *head;
	char *heads;
	struct buf index;
	struct buf head_file;
};

static void
user_state_read(const char *repo, struct user_state *u)
{
	memset(u, 0, sizeof *u);
	/* --no-optional-locks: git itself must not refresh the index we compare. */
	u->status = git(repo, "--no-optional-locks", "status", "--porcelain=v1");
	u->head = git(repo, "rev-parse", "HEAD");
	u->heads = git(repo, "for-each-ref", "refs/heads");
	read_bytes(path_of(repo, ".git/index"), &u->index);
	read_bytes(path_of(repo, ".git/HEAD"), &u->head_file);
}

static void
user_state_check(const char *repo, struct user_state *before)
{
	struct user_state after;

	user_state_read(repo, &after);
	assert_string_equal(after.status, before->status);
	assert_string_equal(after.head, before->head);
	assert_string_equal(after.heads, before->heads);
	assert_int_equal(after.index.len, before->index.len);
	assert_memory_equal(after.index.data, before->index.data, before->index.len);
	assert_string_equal(after.head_file.data, before->head_file.data);
	struct user_state *both[] = { before, &after };
	for (int i = 0; i < 2; i++) {
		free(both[i]->status);
		free(both[i]->head);
		free(both[i]->heads);
		buf_free(&both[i]->index);
		buf_free(&both[i]->head_file);
	}
}

/* show returns the content of rev:path exactly (no trimming). */
static char *
show(const char *repo, const char *rev, const char *path)
{
	char *spec = xasprintf("%s:%s", rev, path);
	char *out = run_argv(repo, GIT_ARGV("cat-file", "-p", spec));
	free(spec);
	return out;
}

/* snap takes a snapshot of agent alpha and checks that it succeeded. */
static int
snap(struct fx *f, const char *repo, int64_t ts, int keep, char *ref, size_t n)
{
	int created = -1;
	if (git_snapshot(repo, "alpha", ts, keep, ref, n, &created, f->err) < 0)
		fail_msg("git_snapshot: %s", f->err);
	assert_true(created == 0 || created == 1);
	if (!created)
		assert_string_equal(ref, "");
	return created;
}

static void
test_snapshot_records_work_and_touches_nothing(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];
	struct user_state before;

	write_text(repo, "a.txt", "two\n");          /* modified, not staged */
	write_text(repo, "c.txt", "staged\n");
	git_ok(repo, "add", "c.txt");
	write_text(repo, "c.txt", "staged then changed\n"); /* the work tree wins */
	write_text(repo, "new/n.txt", "new\n");      /* untracked, in a new dir */
	user_state_read(repo, &before);
	assert_int_equal(snap(f, repo, 1700000000, 5, ref, sizeof ref), 1);
	assert_string_equal(ref, "refs/vigil/snapshots/alpha/1700000000");
	user_state_check(repo, &before);

	char *got = show(repo, ref, "a.txt");
	assert_string_equal(got, "two\n");
	free(got);
	got = show(repo, ref, "c.txt");
	assert_string_equal(got, "staged then changed\n");
	free(got);
	got = show(repo, ref, "new/n.txt");
	assert_string_equal(got, "new\n");
	free(got);
	got = show(repo, ref, "b.txt");
	assert_string_equal(got, "bee\n");
	free(got);
	char *parent = xasprintf("%s^", ref);
	expect_same(git(repo, "rev-parse", "HEAD"), git(repo, "rev-parse", parent));
	free(parent);
	expect_out("vigil <vigil@localhost>|vigil <vigil@localhost>|vigil snapshot of alpha at 1700000000",
	    git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", ref));
	free(repo);
}

static void
test_snapshot_leaves_out_ignored_files(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	repo_commit(repo, ".gitignore", "*.log\nbuild/\n", "ignore");
	write_text(repo, "run.log", "noise\n");
	write_text(repo, "build/out.o", "binary\n");
	write_text(repo, "keep.txt", "keep\n");
	assert_int_equal(snap(f, repo, 100, 5, ref, sizeof ref), 1);
	expect_out(".gitignore\na.txt\nb.txt\nc.txt\nkeep.txt",
	    git(repo, "ls-tree", "-r", "--name-only", ref));
	free(repo);
}

static void
test_snapshot_leaves_out_deleted_files(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	assert_int_equal(unlink(path_of(repo, "b.txt")), 0);
	git_ok(repo, "rm", "-q", "--cached", "c.txt");  /* staged deletion, file still there */
	assert_int_equal(snap(f, repo, 100, 5, ref, sizeof ref), 1);
	expect_out("a.txt\nc.txt", git(repo, "ls-tree", "-r", "--name-only", ref));
	free(repo);
}

static void
test_snapshot_keeps_exec_bits_and_symlinks(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	repo_commit(repo, "run.sh", "#!/bin/sh\n", "script");
	assert_int_equal(chmod(path_of(repo, "run.sh"), 0755), 0);
	assert_int_equal(symlink("a.txt", path_of(repo, "link")), 0);
	assert_int_equal(snap(f, repo, 100, 5, ref, sizeof ref), 1);
	char *tree = git(repo, "ls-tree", ref);
	assert_non_null(strstr(tree, "100755 blob"));
	assert_non_null(strstr(strstr(tree, "100755 blob"), "\trun.sh"));
	assert_non_null(strstr(tree, "120000 blob"));
	assert_non_null(strstr(strstr(tree, "120000 blob"), "\tlink"));
	free(tree);
	char *target = show(repo, ref, "link");
	assert_string_equal(target, "a.txt");
	free(target);
	free(repo);
}

static void
test_snapshot_skips_when_unchanged_since_last(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	write_text(repo, "a.txt", "two\n");
	assert_int_equal(snap(f, repo, 100, 5, ref, sizeof ref), 1);
	assert_int_equal(snap(f, repo, 101, 5, ref, sizeof ref), 0);
	expect_out("refs/vigil/snapshots/alpha/100",
	    git(repo, "for-each-ref", "--format=%(refname)", "refs/vigil"));
	/* Another agent's snapshots are its own. */
	int created = 0;
	assert_int_equal(git_snapshot(repo, "beta", 102, 5, ref, sizeof ref, &created, f->err), 0);
	assert_int_equal(created, 1);
	assert_string_equal(ref, "refs/vigil/snapshots/beta/102");
	free(repo);
}

static void
test_snapshot_skips_clean_tree(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	write_text(repo, "ignored.log", "x\n");
	repo_commit(repo, ".gitignore", "*.log\n", "ignore");
	assert_int_equal(snap(f, repo, 100, 5, ref, sizeof ref), 0);
	expect_out("", git(repo, "for-each-ref", "refs/vigil"));
	free(repo);
}

static void
test_snapshot_unborn_has_no_parent(void **state)
{
	struct fx *f = *state;
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	repo_init(f->dir);
	assert_int_equal(snap(f, f->dir, 100, 5, ref, sizeof ref), 0); /* nothing at all */
	write_text(f->dir, "first.txt", "hello\n");
	assert_int_equal(snap(f, f->dir, 101, 5, ref, sizeof ref), 1);
	char *line = git(f->dir, "rev-list", "--parents", "-n", "1", ref);
	assert_null(strchr(line, ' '));
	free(line);
	char *got = show(f->dir, ref, "first.txt");
	assert_string_equal(got, "hello\n");
	free(got);
	expect_out("", git(f->dir, "for-each-ref", "refs/heads"));
}

static void
test_snapshot_prunes_to_keep_newest(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	for (int i = 1; i <= 4; i++) {
		char text[16];
		snprintf(text, sizeof text, "v%d\n", i);
		write_text(repo, "a.txt", text);
		assert_int_equal(snap(f, repo, 100 + i, 2, ref, sizeof ref), 1);
	}
	expect_out("refs/vigil/snapshots/alpha/103\nrefs/vigil/snapshots/alpha/104",
	    git(repo, "for-each-ref", "--format=%(refname)", "refs/vigil"));
	char *got = show(repo, "refs/vigil/snapshots/alpha/104", "a.txt");
	assert_string_equal(got, "v4\n");
	free(got);
	free(repo);
}

static void
test_snapshot_same_second_gets_distinct_refs(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	const char *want[] = {
		"refs/vigil/snapshots/alpha/500",
		"refs/vigil/snapshots/alpha/500-1",
		"refs/vigil/snapshots/alpha/500-2",
	};
	for (int i = 0; i < 3; i++) {
		char text[16];
		snprintf(text, sizeof text, "v%d\n", i);
		write_text(repo, "a.txt", text);
		assert_int_equal(snap(f, repo, 500, 10, ref, sizeof ref), 1);
		assert_string_equal(ref, want[i]);
		char *got = show(repo, ref, "a.txt");
		assert_string_equal(got, text);
		free(got);
	}
	/* With keep 2, the oldest of the same second goes first. */
	write_text(repo, "a.txt", "last\n");
	assert_int_equal(snap(f, repo, 500, 2, ref, sizeof ref), 1);
	expect_out("refs/vigil/snapshots/alpha/500-2\nrefs/vigil/snapshots/alpha/500-3",
	    git(repo, "for-each-ref", "--sort=refname", "--format=%(refname)", "refs/vigil"));
	free(repo);
}

static void
test_snapshot_not_a_repo(void **state)
{
	struct fx *f = *state;
	char ref[VIGIL_SNAPSHOT_REF_LEN] = "x";
	int created = -1;

	assert_int_equal(git_snapshot(f->dir, "alpha", 100, 5, ref, sizeof ref, &created, f->err), 0);
	assert_int_equal(created, 0);
	assert_string_equal(ref, "");
}

static void
test_snapshot_refuses_bad_agent_name(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];
	int created = -1;

	write_text(repo, "a.txt", "two\n");
	assert_int_equal(git_snapshot(repo, "a/../b", 100, 5, ref, sizeof ref, &created, f->err), -1);
	assert_non_null(strstr(f->err, "'a/../b'"));
	assert_int_equal(created, 0);
	expect_out("", git(repo, "for-each-ref", "refs/vigil"));
	free(repo);
}

static void
test_facts_conflict_during_a_merge(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	git_ok(repo, "checkout", "-q", "-b", "other");
	repo_commit(repo, "a.txt", "theirs\n", "theirs");
	git_ok(repo, "checkout", "-q", "main");
	repo_commit(repo, "a.txt", "ours\n", "ours");
	struct child_opts o = { .argv = GIT_ARGV("merge", "-q", "other"), .dir = repo,
		.quiet_stderr = 1 };
	struct child_result r = {0};
	assert_int_equal(child_run(&o, &r, f->err), 0);
	assert_int_not_equal(r.status, 0);  /* the merge stops at the conflict */
	child_result_free(&r);
	read_facts(f, repo, 10, &g);
	const char *want[] = { "U a.txt" };
	assert_files(&g, want, 1);
	git_facts_free(&g);
	/* A snapshot takes the file as it is, conflict markers and all. */
	assert_int_equal(snap(f, repo, 100, 5, ref, sizeof ref), 1);
	char *got = show(repo, ref, "a.txt");
	assert_non_null(strstr(got, "<<<<<<<"));
	free(got);
	free(repo);
}

static void
test_submodules_are_left_alone(void **state)
{
	struct fx *f = *state;
	struct git_facts g;
	char *sub = xasprintf("%s/sub", f->dir);
	char *repo = repo_with_files(f);
	char ref[VIGIL_SNAPSHOT_REF_LEN];

	repo_init(sub);
	repo_commit(sub, "s.txt", "s\n", "sub");
	git_ok(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "mod");
	git_ok(repo, "commit", "-q", "-m", "add mod");
	char *gitlink = git(repo, "rev-parse", "HEAD:mod");
	write_text(repo, "mod/s.txt", "changed inside the submodule\n");
	write_text(repo, "a.txt", "two\n");
	read_facts(f, repo, 10, &g);
	const char *want[] = { "M a.txt" };
	assert_files(&g, want, 1);
	git_facts_free(&g);
	assert_int_equal(snap(f, repo, 100, 5, ref, sizeof ref), 1);
	char *spec = xasprintf("%s:mod", ref);
	expect_out(gitlink, git(repo, "rev-parse", spec));
	free(spec);
	free(gitlink);
	free(repo);
	free(sub);
}

static void
test_worktree_create_on_new_branch(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char *wt = xasprintf("%s/trees/x", f->dir);  /* its parent does not exist yet */

	assert_int_equal(git_worktree_create(repo, wt, "vigil/x", f->err), 0);
	expect_out("vigil/x", git(wt, "rev-parse", "--abbrev-ref", "HEAD"));
	expect_same(git(repo, "rev-parse", "HEAD"), git(wt, "rev-parse", "HEAD"));
	expect_out("", git(wt, "status", "--porcelain=v1"));
	char *got = show(wt, "HEAD", "a.txt");
	assert_string_equal(got, "one\n");
	free(got);
	assert_true(exists(wt, "a.txt") && exists(wt, "c.txt"));
	expect_out("main", git(repo, "rev-parse", "--abbrev-ref", "HEAD"));
	free(wt);
	free(repo);
}

static void
test_worktree_create_refuses_existing_branch(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char *wt = xasprintf("%s/wt", f->dir);

	git_ok(repo, "branch", "vigil/x");
	assert_int_equal(git_worktree_create(repo, wt, "vigil/x", f->err), -1);
	assert_non_null(strstr(f->err, "already exists"));
	assert_false(exists(f->dir, "wt"));
	expect_out("", git(repo, "worktree", "prune", "--dry-run", "-v"));
	free(wt);
	free(repo);
}

static void
test_worktree_remove_when_clean(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char *wt = xasprintf("%s/wt", f->dir);

	repo_commit(repo, ".gitignore", "*.log\n", "ignore");
	assert_int_equal(git_worktree_create(repo, wt, "vigil/x", f->err), 0);
	write_text(wt, "build.log", "ignored files go with the worktree\n");
	if (git_worktree_remove(wt, f->err) < 0)
		fail_msg("%s", f->err);
	assert_false(exists(f->dir, "wt"));
	char *list = git(repo, "worktree", "list", "--porcelain");
	assert_null(strstr(list, "/wt\n"));
	free(list);
	expect_same(git(repo, "rev-parse", "HEAD"),
	    git(repo, "rev-parse", "--verify", "refs/heads/vigil/x"));
	free(wt);
	free(repo);
}

static void
test_worktree_remove_refuses_when_dirty(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);
	char *wt = xasprintf("%s/wt", f->dir);

	assert_int_equal(git_worktree_create(repo, wt, "vigil/x", f->err), 0);
	write_text(wt, "a.txt", "unsaved work\n");
	write_text(wt, "new.txt", "new\n");
	assert_int_equal(git_worktree_remove(wt, f->err), -1);
	assert_non_null(strstr(f->err, "uncommitted changes: M a.txt, ? new.txt"));
	assert_true(exists(wt, "new.txt"));
	assert_true(exists(wt, ".git"));
	char *got = show(wt, "HEAD", "a.txt");  /* still a working worktree */
	assert_string_equal(got, "one\n");
	free(got);
	free(wt);
	free(repo);
}

static void
test_worktree_remove_refuses_main_work_tree(void **state)
{
	struct fx *f = *state;
	char *repo = repo_with_files(f);

	assert_int_equal(git_worktree_remove(repo, f->err), -1);
	assert_non_null(strstr(f->err, "not the root of a linked worktree"));
	assert_true(exists(repo, "a.txt"));
	free(repo);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_facts_not_a_repo),
		T(test_facts_missing_dir_is_an_error),
		T(test_facts_unborn_with_untracked),
		T(test_facts_branch_lists_each_kind_of_change),
		T(test_facts_staged_rename),
		T(test_facts_files_cap_counts_all),
		T(test_facts_detached_head),
		T(test_facts_inside_linked_worktree),
		T(test_facts_from_a_subdirectory),
		T(test_facts_ahead_behind_upstream),
		T(test_facts_upstream_may_be_a_local_branch),
		T(test_snapshot_records_work_and_touches_nothing),
		T(test_snapshot_leaves_out_ignored_files),
		T(test_snapshot_leaves_out_deleted_files),
		T(test_snapshot_keeps_exec_bits_and_symlinks),
		T(test_snapshot_skips_when_unchanged_since_last),
		T(test_snapshot_skips_clean_tree),
		T(test_snapshot_unborn_has_no_parent),
		T(test_snapshot_prunes_to_keep_newest),
		T(test_snapshot_same_second_gets_distinct_refs),
		T(test_snapshot_not_a_repo),
		T(test_snapshot_refuses_bad_agent_name),
		T(test_submodules_are_left_alone),
		T(test_facts_conflict_during_a_merge),
		T(test_worktree_create_on_new_branch),
		T(test_worktree_create_refuses_existing_branch),
		T(test_worktree_remove_when_clean),
		T(test_worktree_remove_refuses_when_dirty),
		T(test_worktree_remove_refuses_main_work_tree),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
