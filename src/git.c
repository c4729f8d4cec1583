/*
 * git.c - git facts, snapshots of uncommitted work and linked worktrees,
 * through libgit2 only (no git binary, no shell).
 *
 * Deliberate choices:
 * - One status walk (status_open) serves the facts, the snapshot and the
 *   worktree cleanliness check, so "changed" means the same everywhere:
 *   HEAD against the index against the work tree, untracked files listed
 *   one by one (git's -uall), ignored files never.
 * - Renames are detected between HEAD and the index only, as `git status`
 *   does by default; a move not yet staged shows as "D old" and "? new".
 * - A snapshot starts from HEAD's tree in an index of its own (git_index_new)
 *   and replays each changed path from the work tree, so it reads only what
 *   changed and never writes the user's index. Blobs come from
 *   git_blob_create_from_workdir, which applies the repo's clean filters
 *   (autocrlf, ident) and stores a symlink's target, as `git add` would.
 * - libgit2 is initialised once and never shut down: other modules may hold
 *   its objects until the process ends.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "git.h"

/* How many changed files a refused worktree removal names. */
#define WORKTREE_DIRTY_SHOWN 5
/* How many snapshots one agent may take in the same second. */
#define SNAPSHOT_SAME_SECOND_MAX 1000

/* The snapshots of one agent, oldest first once sorted. */
struct snap {
	char *name;
	int64_t ts;
	long seq;   /* the -N suffix; 0 without one */
};
struct snaps {
	struct snap *v;
	size_t n;
	size_t cap;
};

static void
lg2_init(void)
{
	static int done;

	if (!done) {
		git_libgit2_init();
		done = 1;
	}
}

/* lg2_fail sets err to "what: libgit2's last message" and returns -1. */
static int __attribute__((format(printf, 2, 3)))
lg2_fail(char *err, const char *fmt, ...)
{
	char what[VIGIL_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	const git_error *e = git_error_last();
	seterr(err, "%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
	return -1;
}

/* repo_where names a repo in messages: its work tree, else its git dir. */
static const char *
repo_where(git_repository *repo)
{
	const char *wd = git_repository_workdir(repo);
	return wd ? wd : git_repository_path(repo);
}

/*
 * repo_open opens the repo that holds dir (flags as git_repository_open_ext
 * takes them). Returns 1 when opened, 0 when dir is in no repo, -1 with err
 * set when dir is missing or the repo cannot be opened.
 */
static int
repo_open(git_repository **repo, const char *dir, unsigned int flags, char *err)
{
	struct stat st;

	lg2_init();
	*repo = NULL;
	if (stat(dir, &st) == -1) {
		seterr(err, "cannot open '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		seterr(err, "cannot open '%s': not a directory", dir);
		return -1;
	}
	int rc = git_repository_open_ext(repo, dir, flags, NULL);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (rc < 0)
		return lg2_fail(err, "cannot open the git repository of '%s'", dir);
	return 1;
}

/*
 * head_read gives HEAD's resolved reference (ref may be NULL) and commit;
 * both NULL when HEAD is unborn. Returns 0 or -1 with err set.
 */
static int
head_read(git_repository *repo, git_reference **ref, git_commit **commit, char *err)
{
	git_reference *head = NULL;

	*commit = NULL;
	if (ref)
		*ref = NULL;
	int rc = git_repository_head(&head, repo);
	if (rc == GIT_EUNBORNBRANCH) {
		git_error_clear();
		return 0;
	}
	if (rc < 0)
		return lg2_fail(err, "cannot read HEAD of '%s'", repo_where(repo));
	if (git_reference_peel((git_object **)commit, head, GIT_OBJECT_COMMIT) < 0) {
		lg2_fail(err, "cannot read HEAD's commit in '%s'", repo_where(repo));
		git_reference_free(head);
		return -1;
	}
	if (ref)
		*ref = head;
	else
		git_reference_free(head);
	return 0;
}

/*
 * status_open lists HEAD / index / work tree differences with untracked
 * files one by one; extra adds GIT_STATUS_OPT_* flags.
 */
static int
status_open(git_status_list **list, git_repository *repo, unsigned int extra, char *err)
{
	git_status_options o;

	/* The _init functions, not the macros: those leave fields out (-Wextra). */
	git_status_options_init(&o, GIT_STATUS_OPTIONS_VERSION);
	o.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	/*
	 * Submodules are not looked into: their work belongs to their own repo,
	 * and libgit2 1.5 leaks pcre2 match data each time it loads them.
	 */
	o.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
	    GIT_STATUS_OPT_EXCLUDE_SUBMODULES | extra;
	if (git_status_list_new(list, repo, &o) < 0)
		return lg2_fail(err, "cannot read the status of '%s'", repo_where(repo));
	return 0;
}

/* status_path is the entry's path as it is now (in the work tree, else the index). */
static const char *
status_path(const git_status_entry *e)
{
	if (e->index_to_workdir)
		return e->index_to_workdir->new_file.path;
	return e->head_to_index->new_file.path;
}

/*
 * status_describe appends e to b as "M path", "A path", "D path",
 * "R old -> new", "U path" or "? path"; returns 0 (b untouched) when e is
 * not a change. A staged deletion wins over a file of the same name that
 * exists again untracked; anything else that differs is "M".
 */
static int
status_describe(const git_status_entry *e, struct buf *b)
{
	unsigned int s = e->status;
	char c;

	if (s & GIT_STATUS_CONFLICTED)
		c = 'U';
	else if (s & GIT_STATUS_INDEX_RENAMED) {
		buf_printf(b, "R %s -> %s", e->head_to_index->old_file.path,
		    e->head_to_index->new_file.path);
		return 1;
	} else if (s & GIT_STATUS_INDEX_NEW)
		c = 'A';
	else if (s & (GIT_STATUS_INDEX_DELETED | GIT_STATUS_WT_DELETED))
		c = 'D';
	else if (s == GIT_STATUS_WT_NEW)
		c = '?';
	else if (s & (GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_INDEX_TYPECHANGE |
	    GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_TYPECHANGE | GIT_STATUS_WT_RENAMED |
	    GIT_STATUS_WT_UNREADABLE))
		c = 'M';
	else
		return 0;
	buf_printf(b, "%c %s", c, status_path(e));
	return 1;
}

/*
 * status_collect adds up to max changed files of repo to files (as
 * status_describe writes them) and counts them all in *total.
 */
static int
status_collect(git_repository *repo, size_t max, struct strv *files, size_t *total, char *err)
{
	git_status_list *list = NULL;
	struct buf b = {0};

	if (status_open(&list, repo, GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX, err) < 0)
		return -1;
	size_t n = git_status_list_entrycount(list);
	for (size_t i = 0; i < n; i++) {
		buf_reset(&b);
		if (!status_describe(git_status_byindex(list, i), &b))
			continue;
		(*total)++;
		if (files->n < max)
			strv_add(files, b.data);
	}
	buf_free(&b);
	git_status_list_free(list);
	return 0;
}

/* unborn_branch gives the branch an unborn HEAD names, e.g. "main". */
static int
unborn_branch(git_repository *repo, char **branch, char *err)
{
	git_reference *head = NULL;

	if (git_reference_lookup(&head, repo, "HEAD") < 0)
		return lg2_fail(err, "cannot read HEAD of '%s'", repo_where(repo));
	const char *t = git_reference_symbolic_target(head);
	if (t) {
		if (strncmp(t, "refs/heads/", 11) == 0)
			t += 11;
		*branch = xstrdup(t);
	}
	git_reference_free(head);
	return 0;
}

/* fetch_map turns a branch's merge ref into its remote-tracking ref. */
struct fetch_map {
	const char *merge;
	char *tracking;
};

static int
fetch_map_one(const git_config_entry *e, void *payload)
{
	struct fetch_map *m = payload;
	git_refspec *spec = NULL;
	git_buf b = GIT_BUF_INIT;

	if (m->tracking == NULL && git_refspec_parse(&spec, e->value, 1) == 0 &&
	    git_refspec_src_matches(spec, m->merge) &&
	    git_refspec_transform(&b, spec, m->merge) == 0)
		m->tracking = xstrdup(b.ptr);
	git_buf_dispose(&b);
	git_refspec_free(spec);
	return 0;
}

/*
 * upstream_ref names branch's upstream ref from the config as git does:
 * branch.<name>.merge when branch.<name>.remote is ".", else that ref
 * through the remote's fetch refspecs. NULL when there is none. Not
 * git_branch_upstream: libgit2 1.5 leaks pcre2 match data in its remote
 * lookup (libgit2 #6382, fixed in 1.6), and the watchdog reads facts for
 * as long as it runs.
 */
static char *
upstream_ref(git_repository *repo, const char *branch)
{
	git_config *cfg = NULL;
	const char *remote, *merge;
	struct fetch_map m = { NULL, NULL };
	char *rkey = xasprintf("branch.%s.remote", branch);
	char *mkey = xasprintf("branch.%s.merge", branch);
	char *fkey = NULL;

	if (git_repository_config_snapshot(&cfg, repo) < 0 ||
	    git_config_get_string(&remote, cfg, rkey) < 0 ||
	    git_config_get_string(&merge, cfg, mkey) < 0)
		goto out;
	if (strcmp(remote, ".") == 0) {
		m.tracking = xstrdup(merge);
		goto out;
	}
	fkey = xasprintf("remote.%s.fetch", remote);
	m.merge = merge;
	git_config_get_multivar_foreach(cfg, fkey, NULL, fetch_map_one, &m);
out:
	git_error_clear();
	git_config_free(cfg);
	free(fkey);
	free(mkey);
	free(rkey);
	return m.tracking;
}

/*
 * facts_upstream fills has_upstream, ahead and behind for the branch head.
 * An upstream that is not configured or cannot be resolved counts as none:
 * a checkpoint should not fail over a stale remote-tracking setting.
 */
static void
facts_upstream(git_repository *repo, git_reference *head, struct git_facts *f)
{
	char *up = upstream_ref(repo, f->branch);
	git_oid up_id;
	size_t ahead, behind;

	if (up == NULL || git_reference_name_to_id(&up_id, repo, up) < 0 ||
	    git_graph_ahead_behind(&ahead, &behind, repo, git_reference_target(head), &up_id) < 0) {
		git_error_clear();
		free(up);
		return;
	}
	f->has_upstream = 1;
	f->ahead = ahead > INT32_MAX ? INT32_MAX : (int)ahead;
	f->behind = behind > INT32_MAX ? INT32_MAX : (int)behind;
	free(up);
}

/* facts_head fills branch, detached, unborn, head, head_summary and the upstream. */
static int
facts_head(git_repository *repo, struct git_facts *f, char *err)
{
	git_reference *head = NULL;
	git_commit *commit = NULL;

	if (head_read(repo, &head, &commit, err) < 0)
		return -1;
	if (head == NULL) {
		f->unborn = 1;
		return unborn_branch(repo, &f->branch, err);
	}
	git_oid_tostr(f->head, sizeof f->head, git_commit_id(commit));
	const char *summary = git_commit_summary(commit);
	f->head_summary = xstrdup(summary ? summary : "");
	if (git_reference_is_branch(head)) {
		f->branch = xstrdup(git_reference_shorthand(head));
		facts_upstream(repo, head, f);
	} else
		f->detached = 1;
	git_commit_free(commit);
	git_reference_free(head);
	return 0;
}

int
git_facts_read(const char *dir, size_t max_files, struct git_facts *out, char *err)
{
	git_repository *repo = NULL;

	memset(out, 0, sizeof *out);
	int rc = repo_open(&repo, dir, 0, err);
	if (rc <= 0)
		return rc;
	out->is_repo = 1;
	const char *wd = git_repository_workdir(repo);
	if (wd) {
		size_t len = strlen(wd);
		if (len > 1 && wd[len - 1] == '/')
			len--;
		out->workdir = xstrndup(wd, len);
	}
	rc = facts_head(repo, out, err);
	if (rc == 0 && wd)
		rc = status_collect(repo, max_files, &out->files, &out->files_total, err);
	git_repository_free(repo);
	if (rc < 0)
		git_facts_free(out);
	return rc;
}

void
git_facts_free(struct git_facts *f)
{
	free(f->workdir);
	free(f->branch);
	free(f->head_summary);
	strv_free(&f->files);
	memset(f, 0, sizeof *f);
}

/* snap_agent_check accepts the agent names a ref may carry: 1-64 of [A-Za-z0-9_-]. */
static int
snap_agent_check(const char *agent, char *err)
{
	size_t len = agent ? strlen(agent) : 0;

	if (len == 0 || len > VIGIL_NAME_MAX) {
		seterr(err, "invalid agent name '%s' for a snapshot: 1-%d characters",
		    agent ? agent : "", VIGIL_NAME_MAX);
		return -1;
	}
	for (const char *p = agent; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')
			continue;
		seterr(err, "invalid agent name '%s' for a snapshot: only A-Z a-z 0-9 _ - allowed",
		    agent);
		return -1;
	}
	return 0;
}

/* snap_parse reads "<ts>" or "<ts>-<seq>"; -1 for anything vigil did not name. */
static int
snap_parse(const char *tail, int64_t *ts, long *seq)
{
	char *end;

	if (*tail < '0' || *tail > '9')
		return -1;
	errno = 0;
	long long t = strtoll(tail, &end, 10);
	if (errno != 0)
		return -1;
	*ts = t;
	*seq = 0;
	if (*end == '-') {
		if (end[1] < '1' || end[1] > '9')
			return -1;
		*seq = strtol(end + 1, &end, 10);
		if (errno != 0)
			return -1;
	}
	return *end == '\0' ? 0 : -1;
}

static int
snap_cmp(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void
snaps_add(struct snaps *s, const char *name, int64_t ts, long seq)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = (struct snap){ xstrdup(name), ts, seq };
}

static void
snaps_free(struct snaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* snaps_list finds agent's snapshot refs, oldest first; other names there are left alone. */
static int
snaps_list(git_repository *repo, const char *agent, struct snaps *out, char *err)
{
	git_reference_iterator *it = NULL;
	char *prefix = xasprintf("%s%s/", VIGIL_SNAPSHOT_PREFIX, agent);
	char *glob = xasprintf("%s*", prefix);
	size_t plen = strlen(prefix);
	const char *name;
	int rc;

	if (git_reference_iterator_glob_new(&it, repo, glob) < 0) {
		rc = lg2_fail(err, "cannot list the snapshots of '%s'", agent);
		goto out;
	}
	while ((rc = git_reference_next_name(&name, it)) == 0) {
		int64_t ts;
		long seq;
		if (strncmp(name, prefix, plen) == 0 && snap_parse(name + plen, &ts, &seq) == 0)
			snaps_add(out, name, ts, seq);
	}
	if (rc == GIT_ITEROVER) {
		git_error_clear();
		if (out->n > 1)
			qsort(out->v, out->n, sizeof *out->v, snap_cmp);
		rc = 0;
	} else
		rc = lg2_fail(err, "cannot list the snapshots of '%s'", agent);
out:
	git_reference_iterator_free(it);
	free(glob);
	free(prefix);
	return rc;
}

/* snaps_prune deletes the oldest snapshots until keep are left (keep <= 0: none). */
static int
snaps_prune(git_repository *repo, const struct snaps *s, int keep, char *err)
{
	if (keep <= 0 || s->n <= (size_t)keep)
		return 0;
	for (size_t i = 0; i < s->n - (size_t)keep; i++) {
		if (git_reference_remove(repo, s->v[i].name) < 0)
			return lg2_fail(err, "cannot delete snapshot '%s'", s->v[i].name);
	}
	return 0;
}

/* snap_tree_is tells whether the snapshot ref name holds exactly tree id. */
static int
snap_tree_is(git_repository *repo, const char *name, const git_oid *id)
{
	git_reference *ref = NULL;
	git_commit *commit = NULL;
	int same = 0;

	if (git_reference_lookup(&ref, repo, name) == 0 &&
	    git_reference_peel((git_object **)&commit, ref, GIT_OBJECT_COMMIT) == 0)
		same = git_oid_equal(git_commit_tree_id(commit), id);
	else
		git_error_clear();
	git_commit_free(commit);
	git_reference_free(ref);
	return same;
}

/*
 * snap_put makes the index entry for rel match the work tree: the file's
 * content and mode, a symlink's target, or no entry when it is gone. What git
 * cannot store (a directory such as a nested repo, a fifo) is passed over.
 */
static int
snap_put(git_repository *repo, git_index *idx, const char *rel, int filemode, char *err)
{
	char *full = xasprintf("%s%s", git_repository_workdir(repo), rel);
	git_index_entry ent;
	struct stat st;
	int rc = 0;

	memset(&ent, 0, sizeof ent);
	if (lstat(full, &st) == -1) {
		if (errno != ENOENT && errno != ENOTDIR) {
			seterr(err, "cannot snapshot '%s': %s", full, strerror(errno));
			rc = -1;
		} else if (git_index_remove_bypath(idx, rel) < 0)
			rc = lg2_fail(err, "cannot snapshot '%s'", full);
		goto out;
	}
	if (S_ISLNK(st.st_mode))
		ent.mode = GIT_FILEMODE_LINK;
	else if (S_ISREG(st.st_mode)) {
		ent.mode = (st.st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
		/* With core.filemode off the disk's x bit means nothing: keep HEAD's. */
		const git_index_entry *old = filemode ? NULL : git_index_get_bypath(idx, rel, 0);
		if (old && (old->mode == GIT_FILEMODE_BLOB || old->mode == GIT_FILEMODE_BLOB_EXECUTABLE))
			ent.mode = old->mode;
	} else
		goto out;
	int r = git_blob_create_from_workdir(&ent.id, repo, rel);
	if (r == GIT_ENOTFOUND) {
		/* Deleted since the status walk: the snapshot says so too. */
		git_error_clear();
		if (git_index_remove_bypath(idx, rel) < 0)
			rc = lg2_fail(err, "cannot snapshot '%s'", full);
		goto out;
	}
	ent.path = rel;
	if (r < 0 || git_index_add(idx, &ent) < 0)
		rc = lg2_fail(err, "cannot snapshot '%s'", full);
out:
	free(full);
	return rc;
}

/* snap_fill replays every changed path of the work tree onto idx. */
static int
snap_fill(git_repository *repo, git_index *idx, char *err)
{
	git_status_list *list = NULL;
	git_config *cfg = NULL;
	int filemode = 1;
	int rc = 0;

	if (git_repository_config_snapshot(&cfg, repo) < 0)
		return lg2_fail(err, "cannot read the config of '%s'", repo_where(repo));
	if (git_config_get_bool(&filemode, cfg, "core.filemode") < 0) {
		git_error_clear();
		filemode = 1;
	}
	git_config_free(cfg);
	/* Submodules keep HEAD's gitlink (status_open leaves them out). */
	if (status_open(&list, repo, 0, err) < 0)
		return -1;
	size_t n = git_status_list_entrycount(list);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		if (e->status != GIT_STATUS_CURRENT)
			rc = snap_put(repo, idx, status_path(e), filemode, err);
	}
	git_status_list_free(list);
	return rc;
}

/* snap_tree writes the work tree's tree into repo's odb through a private index. */
static int
snap_tree(git_repository *repo, git_commit *parent, git_oid *tree_id, size_t *entries, char *err)
{
	git_index *idx = NULL;
	git_tree *head_tree = NULL;
	int rc = -1;

	if (git_index_new(&idx) < 0) {
		lg2_fail(err, "cannot make an index");
		goto out;
	}
	if (parent && (git_commit_tree(&head_tree, parent) < 0 ||
	    git_index_read_tree(idx, head_tree) < 0)) {
		lg2_fail(err, "cannot read HEAD's tree in '%s'", repo_where(repo));
		goto out;
	}
	if (snap_fill(repo, idx, err) < 0)
		goto out;
	*entries = git_index_entrycount(idx);
	if (git_index_write_tree_to(tree_id, idx, repo) < 0) {
		lg2_fail(err, "cannot write the snapshot tree in '%s'", repo_where(repo));
		goto out;
	}
	rc = 0;
out:
	git_tree_free(head_tree);
	git_index_free(idx);
	return rc;
}

/*
 * snap_commit commits tree_id on parent and points a new ref at it: <ts>,
 * else <ts>-1, <ts>-2 (creation refuses an existing name, so two vigils
 * never take the same one).
 */
static int
snap_commit(git_repository *repo, const char *agent, int64_t ts, git_commit *parent,
    const git_oid *tree_id, size_t ref_n, char **name, char *err)
{
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_reference *ref = NULL;
	git_oid id;
	const git_commit *parents[1] = { parent };
	char *msg = xasprintf("vigil snapshot of %s at %" PRId64 "\n", agent, ts);
	int rc = -1;

	*name = NULL;
	if (git_signature_new(&sig, "vigil", "vigil@localhost", (git_time_t)ts, 0) < 0 ||
	    git_tree_lookup(&tree, repo, tree_id) < 0 ||
	    git_commit_create(&id, repo, NULL, sig, sig, NULL, msg, tree, parent ? 1 : 0,
	    parents) < 0) {
		lg2_fail(err, "cannot commit the snapshot of '%s'", agent);
		goto out;
	}
	for (long seq = 0; seq < SNAPSHOT_SAME_SECOND_MAX; seq++) {
		*name = seq == 0 ? xasprintf("%s%s/%" PRId64, VIGIL_SNAPSHOT_PREFIX, agent, ts) :
		    xasprintf("%s%s/%" PRId64 "-%ld", VIGIL_SNAPSHOT_PREFIX, agent, ts, seq);
		if (strlen(*name) >= ref_n) {
			seterr(err, "cannot name snapshot '%s': the caller's buffer is too small", *name);
			goto out;
		}
		int r = git_reference_create(&ref, repo, *name, &id, 0, NULL);
		if (r == 0) {
			rc = 0;
			goto out;
		}
		if (r != GIT_EEXISTS) {
			lg2_fail(err, "cannot create snapshot '%s'", *name);
			goto out;
		}
		git_error_clear();
		free(*name);
		*name = NULL;
	}
	seterr(err, "cannot create snapshot of '%s': %d already at %" PRId64,
	    agent, SNAPSHOT_SAME_SECOND_MAX, ts);
out:
	if (rc < 0) {
		free(*name);
		*name = NULL;
	}
	git_reference_free(ref);
	git_tree_free(tree);
	git_signature_free(sig);
	free(msg);
	return rc;
}

int
git_snapshot(const char *dir, const char *agent, int64_t ts_seconds, int keep,
    char *ref_out, size_t ref_n, int *created, char *err)
{
	git_repository *repo = NULL;
	git_commit *parent = NULL;
	struct snaps snaps = {0};
	git_oid tree_id;
	size_t entries = 0;
	char *name = NULL;
	int rc = -1;

	if (created)
		*created = 0;
	if (ref_out && ref_n)
		ref_out[0] = '\0';
	if (snap_agent_check(agent, err) < 0)
		return -1;
	if (ts_seconds < 0) {
		seterr(err, "cannot snapshot '%s': negative time %" PRId64, agent, ts_seconds);
		return -1;
	}
	int r = repo_open(&repo, dir, 0, err);
	if (r <= 0)
		return r;
	if (git_repository_is_bare(repo)) {
		seterr(err, "cannot snapshot '%s': the repository has no work tree", dir);
		goto out;
	}
	if (head_read(repo, NULL, &parent, err) < 0 ||
	    snap_tree(repo, parent, &tree_id, &entries, err) < 0 ||
	    snaps_list(repo, agent, &snaps, err) < 0)
		goto out;
	int same = parent ? git_oid_equal(&tree_id, git_commit_tree_id(parent)) : entries == 0;
	if (!same && snaps.n > 0)
		same = snap_tree_is(repo, snaps.v[snaps.n - 1].name, &tree_id);
	if (!same) {
		if (snap_commit(repo, agent, ts_seconds, parent, &tree_id,
		    ref_out ? ref_n : SIZE_MAX, &name, err) < 0)
			goto out;
		if (ref_out)
			snprintf(ref_out, ref_n, "%s", name);
		if (created)
			*created = 1;
		/* Listed again, so that pruning sees the new one where its name sorts. */
		snaps_free(&snaps);
		if (snaps_list(repo, agent, &snaps, err) < 0)
			goto out;
	}
	rc = snaps_prune(repo, &snaps, keep, err);
out:
	free(name);
	snaps_free(&snaps);
	git_commit_free(parent);
	git_repository_free(repo);
	return rc;
}

/*
 * worktree_name picks the name of the worktree's admin dir under the common
 * git dir: path's last component, numbered when taken, as git does.
 */
static char *
worktree_name(git_repository *repo, const char *path)
{
	char *base = xstrdup(path);
	size_t len = strlen(base);
	struct stat st;

	while (len > 1 && base[len - 1] == '/')
		base[--len] = '\0';
	const char *slash = strrchr(base, '/');
	char *name = xstrdup(slash ? slash + 1 : base);
	for (int i = 1;; i++) {
		char *admin = xasprintf("%sworktrees/%s", git_repository_commondir(repo), name);
		int taken = lstat(admin, &st) == 0;
		free(admin);
		if (!taken)
			break;
		free(name);
		name = xasprintf("%s%d", slash ? slash + 1 : base, i);
	}
	free(base);
	return name;
}

/* worktree_undo removes what a failed git_worktree_add left of worktree name. */
static void
worktree_undo(git_repository *repo, const char *name)
{
	git_worktree *wt = NULL;
	git_worktree_prune_options po = GIT_WORKTREE_PRUNE_OPTIONS_INIT;

	po.flags = GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_LOCKED |
	    GIT_WORKTREE_PRUNE_WORKING_TREE;
	if (git_worktree_lookup(&wt, repo, name) == 0)
		git_worktree_prune(wt, &po);
	git_worktree_free(wt);
}

/* parent_make creates the directories above path. */
static int
parent_make(const char *path, char *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;

	while (slash && slash > dir && slash[1] == '\0') {
		*slash = '\0';
		slash = strrchr(dir, '/');
	}
	if (slash && slash > dir) {
		*slash = '\0';
		rc = mkdir_p(dir, 0755, err);
	}
	free(dir);
	return rc;
}

int
git_worktree_create(const char *repo_dir, const char *path, const char *branch, char *err)
{
	git_repository *repo = NULL;
	git_commit *head = NULL;
	git_reference *ref = NULL;
	git_worktree *wt = NULL;
	git_worktree_add_options o;
	char *name = NULL;
	struct stat st;
	int rc = -1;

	int r = repo_open(&repo, repo_dir, 0, err);
	if (r == 0)
		seterr(err, "cannot create worktree '%s': '%s' is not in a git repository",
		    path, repo_dir);
	if (r <= 0)
		return -1;
	if (lstat(path, &st) == 0) {
		seterr(err, "cannot create worktree '%s': it already exists", path);
		goto out;
	}
	if (errno != ENOENT) {
		seterr(err, "cannot create worktree '%s': %s", path, strerror(errno));
		goto out;
	}
	if (head_read(repo, NULL, &head, err) < 0)
		goto out;
	if (head == NULL) {
		seterr(err, "cannot create worktree '%s': '%s' has no commits yet", path, repo_dir);
		goto out;
	}
	r = git_branch_create(&ref, repo, branch, head, 0);
	if (r == GIT_EEXISTS) {
		git_error_clear();
		seterr(err, "cannot create worktree '%s': branch '%s' already exists", path, branch);
		goto out;
	}
	if (r < 0) {
		lg2_fail(err, "cannot create worktree '%s': branch '%s'", path, branch);
		goto out;
	}
	if (parent_make(path, err) < 0) {
		git_branch_delete(ref);
		goto out;
	}
	name = worktree_name(repo, path);
	git_worktree_add_options_init(&o, GIT_WORKTREE_ADD_OPTIONS_VERSION);
	o.ref = ref;
	if (git_worktree_add(&wt, repo, name, path, &o) < 0) {
		lg2_fail(err, "cannot create worktree '%s'", path);
		worktree_undo(repo, name);
		git_branch_delete(ref);
		goto out;
	}
	rc = 0;
out:
	free(name);
	git_worktree_free(wt);
	git_reference_free(ref);
	git_commit_free(head);
	git_repository_free(repo);
	return rc;
}

/* worktree_dirty sets err to why the worktree repo cannot go: its changed files. */
static int
worktree_dirty(git_repository *repo, const char *path, char *err)
{
	struct strv files = {0};
	struct buf b = {0};
	size_t total = 0;

	if (status_collect(repo, WORKTREE_DIRTY_SHOWN, &files, &total, err) < 0)
		return -1;
	if (total > 0) {
		for (size_t i = 0; i < files.n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", files.v[i]);
		if (total > files.n)
			buf_printf(&b, " and %zu more", total - files.n);
		seterr(err, "cannot remove worktree '%s': it has uncommitted changes: %s",
		    path, b.data);
	}
	buf_free(&b);
	strv_free(&files);
	return total > 0 ? -1 : 0;
}

int
git_worktree_remove(const char *path, char *err)
{
	git_repository *repo = NULL;
	git_worktree *wt = NULL;
	git_worktree_prune_options po = GIT_WORKTREE_PRUNE_OPTIONS_INIT;

	/* No search upwards: only the worktree's own root may be removed. */
	int r = repo_open(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, err);
	if (r == 0 || (r > 0 && !git_repository_is_worktree(repo))) {
		seterr(err, "cannot remove worktree '%s': not the root of a linked worktree", path);
		r = -1;
	}
	if (r < 0)
		goto out;
	if (worktree_dirty(repo, path, err) < 0) {
		r = -1;
		goto out;
	}
	if (git_worktree_open_from_repository(&wt, repo) < 0) {
		r = lg2_fail(err, "cannot remove worktree '%s'", path);
		goto out;
	}
	git_repository_free(repo);
	repo = NULL;
	po.flags = GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_WORKING_TREE;
	r = git_worktree_prune(wt, &po) < 0 ? lg2_fail(err, "cannot remove worktree '%s'", path) : 0;
out:
	git_worktree_free(wt);
	git_repository_free(repo);
	return r < 0 ? -1 : 0;
}
