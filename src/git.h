/*
 * git.h - what vigil needs from git, through libgit2 only: the facts a
 * checkpoint records (branch, HEAD, changed files, upstream), a snapshot
 * commit of uncommitted work that leaves the user's index and branches
 * alone, and linked worktrees for `spawn --worktree`.
 *
 * The names share libgit2's git_ prefix because the design asked for them;
 * none of them exists in libgit2 1.5.
 */
#ifndef VIGIL_GIT_H
#define VIGIL_GIT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Where snapshots live: refs/vigil/snapshots/<agent>/<unix-seconds>[-N]. */
#define VIGIL_SNAPSHOT_PREFIX "refs/vigil/snapshots/"
/* Room for any snapshot ref name of a valid agent, NUL included. */
#define VIGIL_SNAPSHOT_REF_LEN 160

struct git_facts {
	int is_repo;          /* 0: not in a repo; the other fields are empty */
	char *workdir;        /* the repo's work tree root, no trailing slash; NULL when bare */
	char *branch;         /* short branch name, NULL when detached */
	int detached;         /* HEAD points at a commit, not a branch */
	int unborn;           /* no commits yet */
	char head[41];        /* HEAD commit id, "" when unborn */
	char *head_summary;   /* its first line, NULL when unborn */
	struct strv files;    /* changed files, paths relative to workdir: "M path", "A path",
	                         "D path", "R old -> new", "U path" (conflict), "? path"
	                         (untracked), at most max_files of them */
	size_t files_total;   /* how many there are in all (may exceed the cap) */
	int has_upstream;
	int ahead, behind;    /* against the upstream, when there is one */
};

/*
 * git_facts_read fills out with the facts of the repo that contains dir
 * (searching upwards, as git does; a linked worktree is its own repo). One
 * entry per changed path, comparing HEAD, the index and the work tree; at
 * most max_files are listed (0: none, only counted). Returns 0 (with
 * out->is_repo = 0 when dir is in no repo), or -1 with err set (dir missing,
 * a broken repo). Release with git_facts_free even after a failure.
 */
int git_facts_read(const char *dir, size_t max_files, struct git_facts *out, char *err);

/* git_facts_free releases what git_facts_read filled and zeroes f. */
void git_facts_free(struct git_facts *f);

/*
 * git_snapshot commits the work tree of dir's repo, untracked (not ignored) files included, to
 * refs/vigil/snapshots/<agent>/<unix-seconds> with HEAD as parent (no parent when unborn), built in
 * a separate in-memory index: the user's work tree, index, HEAD and branches are untouched.
 * It is skipped (*created = 0, ref_out = "") when the tree equals the newest existing snapshot's tree
 * for that agent, or equals HEAD's tree (nothing uncommitted). Snapshots beyond `keep` (oldest first)
 * are deleted (keep <= 0: none are). A second snapshot in the same second is named <ts>-1, then
 * <ts>-2. ref_out (may be NULL) receives the ref's name; VIGIL_SNAPSHOT_REF_LEN always suffices.
 * Returns 0, or -1 with err set; a dir that is not a repo is 0 with *created = 0.
 */
int git_snapshot(const char *dir, const char *agent, int64_t ts_seconds, int keep,
    char *ref_out, size_t ref_n, int *created, char *err);

/*
 * git_worktree_create makes a linked worktree at path (which must not exist;
 * its parents are made) on a new branch (e.g. "vigil/NAME") from HEAD of
 * repo_dir's repo. Returns 0, or -1 with err set and nothing left behind
 * (an existing branch of that name is an error, and is not touched).
 */
int git_worktree_create(const char *repo_dir, const char *path, const char *branch, char *err);

/*
 * git_worktree_remove removes the linked worktree at path only when it is
 * clean (no changes, no untracked files; ignored files go with it) and not
 * locked; else -1 with err saying why ("has uncommitted changes: M a.c,
 * ? new.txt"). The branch is kept.
 */
int git_worktree_remove(const char *path, char *err);

#endif
