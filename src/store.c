/*
 * store.c - SQLite behind a small API. The agents table is described once
 * (agent_fields) and every statement on it is built from that table, so a
 * new column is one line here plus a migration.
 *
 * A file that does not start with SQLite's magic is refused before SQLite
 * sees it, so a stray vigil.db is never touched. Migrations run in one
 * IMMEDIATE transaction, so two vigils starting at once migrate once.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

struct store {
	sqlite3 *db;
	char *path;
};

static const char *const migrations[] = {
	/* 1: the foundation: agents and their events. */
	"CREATE TABLE agents ("
	" name TEXT PRIMARY KEY,"
	" state TEXT NOT NULL,"
	" tier INTEGER NOT NULL DEFAULT 0,"
	" preset TEXT NOT NULL,"
	" dir TEXT NOT NULL,"
	" argv TEXT NOT NULL,"
	" task TEXT,"
	" restart TEXT NOT NULL DEFAULT 'on-failure',"
	" worktree TEXT,"
	" pid INTEGER NOT NULL DEFAULT 0,"
	" agent_pid INTEGER NOT NULL DEFAULT 0,"
	" pane_id TEXT,"
	" session_id TEXT,"
	" created INTEGER NOT NULL,"
	" started INTEGER NOT NULL DEFAULT 0,"
	" state_since INTEGER NOT NULL DEFAULT 0,"
	" last_change INTEGER NOT NULL DEFAULT 0,"
	" last_seen INTEGER NOT NULL DEFAULT 0,"
	" hash TEXT,"
	" stall_since INTEGER NOT NULL DEFAULT 0,"
	" tier_clock INTEGER NOT NULL DEFAULT 0,"
	" nudges INTEGER NOT NULL DEFAULT 0,"
	" triages INTEGER NOT NULL DEFAULT 0,"
	" restarts INTEGER NOT NULL DEFAULT 0,"
	" streak INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL DEFAULT 0,"
	" cooldown_until INTEGER NOT NULL DEFAULT 0,"
	" cooldown_kind TEXT,"
	" cooldown_line TEXT,"
	" renewals INTEGER NOT NULL DEFAULT 0,"
	" limit_hash TEXT,"
	" exit_code INTEGER NOT NULL DEFAULT -1,"
	" exit_signal INTEGER NOT NULL DEFAULT 0,"
	" seen_proc INTEGER NOT NULL DEFAULT 0,"
	" boot_id TEXT,"
	" pending TEXT,"
	" note TEXT"
	");"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ts INTEGER NOT NULL,"
	" agent TEXT,"
	" kind TEXT NOT NULL,"
	" tier INTEGER NOT NULL DEFAULT 0,"
	" detail TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX events_agent ON events(agent, id);",

	/* 2: the watchdog: crash history, shared cooldowns, heartbeat, facts. */
	"CREATE TABLE crashes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" agent TEXT NOT NULL,"
	" ts INTEGER NOT NULL,"
	" code INTEGER NOT NULL DEFAULT -1,"
	" signal INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX crashes_agent ON crashes(agent, ts);"
	"CREATE TABLE cooldowns ("
	" account TEXT PRIMARY KEY,"
	" until INTEGER NOT NULL,"
	" since INTEGER NOT NULL,"
	" agent TEXT,"
	" line TEXT"
	");"
	"CREATE TABLE heartbeat ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" pid INTEGER NOT NULL,"
	" started INTEGER NOT NULL,"
	" beat INTEGER NOT NULL,"
	" interval INTEGER NOT NULL,"
	" ticks INTEGER NOT NULL DEFAULT 0,"
	" boot_id TEXT"
	");"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);",

	/* 3: recovery: checkpoints and handoffs. */
	"CREATE TABLE checkpoints ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" agent TEXT NOT NULL,"
	" ts INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" task TEXT,"
	" summary TEXT,"
	" pending TEXT,"
	" questions TEXT,"
	" branch TEXT,"
	" head TEXT,"
	" head_summary TEXT,"
	" ahead INTEGER,"
	" behind INTEGER,"
	" files TEXT,"
	" files_total INTEGER NOT NULL DEFAULT 0,"
	" snapshot TEXT,"
	" pane_tail TEXT"
	");"
	"CREATE INDEX checkpoints_agent ON checkpoints(agent, id);"
	"CREATE TABLE handoffs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" agent TEXT NOT NULL,"
	" ts INTEGER NOT NULL,"
	" reason TEXT NOT NULL,"
	" from_session TEXT,"
	" from_pid INTEGER,"
	" from_started INTEGER,"
	" checkpoint INTEGER REFERENCES checkpoints(id),"
	" to_session TEXT,"
	" resumed INTEGER"
	");"
	"CREATE INDEX handoffs_agent ON handoffs(agent, id);",

	/* 4: stuck detection: when vigil last typed, which notices were given. */
	"ALTER TABLE agents ADD COLUMN typed_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE agents ADD COLUMN noticed INTEGER NOT NULL DEFAULT 0;",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int
store_schema_version(void)
{
	return NMIGRATIONS;
}

enum ftype { F_TEXT, F_INT, F_I64 };

struct field {
	const char *col;
	enum ftype type;
	size_t off;
};

#define TXT(f) {#f, F_TEXT, offsetof(struct agent, f)}
#define INT(f) {#f, F_INT, offsetof(struct agent, f)}
#define I64(f) {#f, F_I64, offsetof(struct agent, f)}

/* name must stay first: the UPDATE binds it last, in its WHERE. */
static const struct field agent_fields[] = {
	TXT(name), TXT(state), INT(tier), TXT(preset), TXT(dir), TXT(argv),
	TXT(task), TXT(restart), TXT(worktree), INT(pid), INT(agent_pid),
	TXT(pane_id), TXT(session_id), I64(created), I64(started),
	I64(state_since), I64(last_change), I64(last_seen), TXT(hash),
	I64(stall_since), I64(tier_clock), INT(nudges), INT(triages),
	INT(restarts), INT(streak), I64(next_at), I64(cooldown_until),
	TXT(cooldown_kind), TXT(cooldown_line), INT(renewals), TXT(limit_hash),
	INT(exit_code), INT(exit_signal), INT(seen_proc), TXT(boot_id),
	TXT(pending), TXT(note), I64(typed_at), INT(noticed),
};

#define NFIELDS (sizeof agent_fields / sizeof agent_fields[0])

static int
dberr(struct store *s, char *err, const char *what)
{
	int code = sqlite3_errcode(s->db);
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
		seterr(err, "the store '%s' is busy (locked by another process); try again",
		    s->path);
		return STORE_BUSY;
	}
	if (code == SQLITE_NOTADB) {
		seterr(err, "'%s' is not a vigil database", s->path);
		return -1;
	}
	seterr(err, "store: %s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

static int
exec(struct store *s, const char *sql, char *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return dberr(s, err, sql);
	return 0;
}

static sqlite3_stmt *
prep(struct store *s, const char *sql, char *err, int *rc)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		*rc = dberr(s, err, "prepare");
		return NULL;
	}
	*rc = 0;
	return st;
}

static int
get_int(struct store *s, const char *sql, int *out, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, sql, err, &rc);
	if (st == NULL)
		return rc;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	else if (r != SQLITE_DONE)
		rc = dberr(s, err, sql);
	sqlite3_finalize(st);
	return rc;
}

static int
migrate(struct store *s, int upto, char *err)
{
	int version = 0, rc;
	if ((rc = get_int(s, "PRAGMA user_version", &version, err)) != 0)
		return rc;
	if (version > NMIGRATIONS) {
		seterr(err, "'%s' has schema version %d, newer than this vigil knows (%d)",
		    s->path, version, NMIGRATIONS);
		return -1;
	}
	if (version >= upto)
		return 0;
	if ((rc = exec(s, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	/* Another vigil may have migrated while we waited for the lock. */
	if ((rc = get_int(s, "PRAGMA user_version", &version, err)) != 0)
		goto fail;
	for (int v = version; v < upto; v++) {
		if ((rc = exec(s, migrations[v], err)) != 0)
			goto fail;
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if ((rc = exec(s, sql, err)) != 0)
			goto fail;
	}
	if ((rc = exec(s, "COMMIT", err)) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* looks_like_sqlite: an empty file or SQLite's 16-byte magic. */
static int
looks_like_sqlite(const char *path)
{
	char magic[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return 1; /* let SQLite report what is wrong */
	ssize_t n = read(fd, magic, sizeof magic);
	close(fd);
	if (n == 0)
		return 1;
	return n == 16 && memcmp(magic, "SQLite format 3", 16) == 0;
}

static int
open_at(const char *dir, int create, int upto, struct store **out, char *err)
{
	struct stat st;
	*out = NULL;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			seterr(err, "state dir '%s' is not a directory", dir);
			return -1;
		}
	} else if (!create) {
		return 1;
	} else if (mkdir_p(dir, 0700, err) == -1) {
		return -1;
	}
	char *path = xasprintf("%s/%s", dir, STORE_DB_NAME);
	int exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		seterr(err, "'%s' is a directory, not a vigil database", path);
		free(path);
		return -1;
	}
	if (!exists && !create) {
		free(path);
		return 1;
	}
	if (exists && !looks_like_sqlite(path)) {
		seterr(err, "'%s' is not a vigil database", path);
		free(path);
		return -1;
	}
	struct store *s = xcalloc(1, sizeof *s);
	s->path = path;
	/* vigil.db is private: created 0600 whatever the umask. */
	mode_t old = umask(077);
	int r = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	umask(old);
	if (r != SQLITE_OK) {
		seterr(err, "cannot open '%s': %s", path,
		    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(r));
		store_close(s);
		return -1;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 0);
	int rc;
	/*
	 * Read the header first: a damaged file fails here, unchanged. Then
	 * make sure the file is ours before anything (WAL mode) writes to it.
	 */
	int version = 0, tables = 0;
	if ((rc = get_int(s, "PRAGMA user_version", &version, err)) != 0)
		goto fail;
	if (version == 0) {
		if ((rc = get_int(s, "SELECT count(*) FROM sqlite_master", &tables, err)) != 0)
			goto fail;
		if (tables > 0) {
			seterr(err, "'%s' is not a vigil database", s->path);
			rc = -1;
			goto fail;
		}
	}
	if (!sqlite3_db_readonly(s->db, "main")) {
		old = umask(077);
		rc = exec(s, "PRAGMA journal_mode=WAL", err);
		umask(old);
		if (rc != 0)
			goto fail;
	}
	if ((rc = exec(s, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", err)) != 0)
		goto fail;
	old = umask(077);
	rc = migrate(s, upto, err);
	umask(old);
	if (rc != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return rc;
}

int
store_open(const char *dir, struct store **out, char *err)
{
	return open_at(dir, 1, NMIGRATIONS, out, err);
}

int
store_open_existing(const char *dir, struct store **out, char *err)
{
	return open_at(dir, 0, NMIGRATIONS, out, err);
}

int
store_open_version(const char *dir, int version, struct store **out, char *err)
{
	return open_at(dir, 1, version < NMIGRATIONS ? version : NMIGRATIONS, out, err);
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->db)
		sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

int
store_readonly(struct store *s)
{
	return sqlite3_db_readonly(s->db, "main") == 1;
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

struct sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

int
store_begin(struct store *s, char *err)
{
	return exec(s, "BEGIN IMMEDIATE", err);
}

int
store_commit(struct store *s, char *err)
{
	int rc = exec(s, "COMMIT", err);
	if (rc != 0)
		store_rollback(s);
	return rc;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Agents. */

void
agent_free_fields(struct agent *a)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (agent_fields[i].type == F_TEXT) {
			char **p = (char **)((char *)a + agent_fields[i].off);
			free(*p);
			*p = NULL;
		}
}

void
agent_array_free(struct agent *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		agent_free_fields(&a[i]);
	free(a);
}

void
agent_copy(struct agent *dst, const struct agent *src)
{
	memcpy(dst, src, sizeof *dst);
	for (size_t i = 0; i < NFIELDS; i++)
		if (agent_fields[i].type == F_TEXT) {
			char **p = (char **)((char *)dst + agent_fields[i].off);
			if (*p)
				*p = xstrdup(*p);
		}
}

int
agent_equal(const struct agent *a, const struct agent *b)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *pa = (const char *)a + agent_fields[i].off;
		const char *pb = (const char *)b + agent_fields[i].off;
		switch (agent_fields[i].type) {
		case F_TEXT: {
			const char *x = *(char *const *)pa, *y = *(char *const *)pb;
			if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
				return 0;
			break;
		}
		case F_INT:
			if (*(const int *)pa != *(const int *)pb)
				return 0;
			break;
		case F_I64:
			if (*(const int64_t *)pa != *(const int64_t *)pb)
				return 0;
			break;
		}
	}
	return 1;
}

static void
bind_field(sqlite3_stmt *st, int idx, const struct agent *a, const struct field *f)
{
	const char *base = (const char *)a + f->off;
	switch (f->type) {
	case F_TEXT: {
		const char *v = *(char *const *)base;
		if (v)
			sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, idx);
		break;
	}
	case F_INT:
		sqlite3_bind_int(st, idx, *(const int *)base);
		break;
	case F_I64:
		sqlite3_bind_int64(st, idx, *(const int64_t *)base);
		break;
	}
}

static void
read_row(sqlite3_stmt *st, struct agent *a)
{
	memset(a, 0, sizeof *a);
	for (size_t i = 0; i < NFIELDS; i++) {
		char *base = (char *)a + agent_fields[i].off;
		int col = (int)i;
		switch (agent_fields[i].type) {
		case F_TEXT: {
			const unsigned char *v = sqlite3_column_text(st, col);
			*(char **)base = v ? xstrdup((const char *)v) : NULL;
			break;
		}
		case F_INT:
			*(int *)base = sqlite3_column_int(st, col);
			break;
		case F_I64:
			*(int64_t *)base = sqlite3_column_int64(st, col);
			break;
		}
	}
}

static void
columns(struct buf *b, const char *sep_after)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		if (i)
			buf_puts(b, ",");
		buf_puts(b, agent_fields[i].col);
		if (sep_after)
			buf_puts(b, sep_after);
	}
}

static int
agent_select(struct store *s, const char *where, const char *name,
    struct agent **out, size_t *n, char *err)
{
	struct buf sql = {0};
	buf_puts(&sql, "SELECT ");
	columns(&sql, NULL);
	buf_printf(&sql, " FROM agents %s ORDER BY created, name", where);
	int rc;
	sqlite3_stmt *st = prep(s, sql.data, err, &rc);
	buf_free(&sql);
	*out = NULL;
	*n = 0;
	if (st == NULL)
		return rc;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	size_t cap = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		read_row(st, &(*out)[(*n)++]);
	}
	if (r != SQLITE_DONE) {
		rc = dberr(s, err, "select agents");
		agent_array_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_agent_get(struct store *s, const char *name, struct agent *out, char *err)
{
	struct agent *v;
	size_t n;
	int rc = agent_select(s, "WHERE name = ?1", name, &v, &n, err);
	if (rc != 0)
		return rc;
	if (n == 0) {
		free(v);
		return 1;
	}
	*out = v[0];
	free(v);
	return 0;
}

int
store_agent_list(struct store *s, struct agent **out, size_t *n, char *err)
{
	return agent_select(s, "", NULL, out, n, err);
}

static int
step_done(struct store *s, sqlite3_stmt *st, const char *what, char *err)
{
	int rc = 0;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = dberr(s, err, what);
	sqlite3_finalize(st);
	return rc;
}

int
store_agent_insert(struct store *s, const struct agent *a, char *err)
{
	struct buf sql = {0};
	buf_puts(&sql, "INSERT INTO agents(");
	columns(&sql, NULL);
	buf_puts(&sql, ") VALUES(");
	for (size_t i = 0; i < NFIELDS; i++)
		buf_puts(&sql, i ? ",?" : "?");
	buf_puts(&sql, ")");
	int rc;
	sqlite3_stmt *st = prep(s, sql.data, err, &rc);
	buf_free(&sql);
	if (st == NULL)
		return rc;
	for (size_t i = 0; i < NFIELDS; i++)
		bind_field(st, (int)i + 1, a, &agent_fields[i]);
	return step_done(s, st, "insert agent", err);
}

int
store_agent_update(struct store *s, const struct agent *a, char *err)
{
	struct buf sql = {0};
	buf_puts(&sql, "UPDATE agents SET ");
	for (size_t i = 1; i < NFIELDS; i++)
		buf_printf(&sql, "%s%s=?", i > 1 ? "," : "", agent_fields[i].col);
	buf_puts(&sql, " WHERE name=?");
	int rc;
	sqlite3_stmt *st = prep(s, sql.data, err, &rc);
	buf_free(&sql);
	if (st == NULL)
		return rc;
	for (size_t i = 1; i < NFIELDS; i++)
		bind_field(st, (int)i, a, &agent_fields[i]);
	bind_field(st, (int)NFIELDS, a, &agent_fields[0]);
	return step_done(s, st, "update agent", err);
}

int
store_agent_delete(struct store *s, const char *name, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "DELETE FROM agents WHERE name = ?1", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if ((rc = step_done(s, st, "delete agent", err)) != 0)
		return rc;
	st = prep(s, "DELETE FROM crashes WHERE agent = ?1", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	return step_done(s, st, "delete crashes", err);
}

int
store_pending_take(struct store *s, const char *name, const char *text, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "UPDATE agents SET pending = NULL WHERE name = ?1 AND "
	    "pending = ?2", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	if ((rc = step_done(s, st, "take pending", err)) != 0)
		return rc;
	return sqlite3_changes(s->db) == 1;
}

int
store_pending_put(struct store *s, const char *name, const char *text, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "UPDATE agents SET pending = ?2 WHERE name = ?1 AND "
	    "pending IS NULL", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	return step_done(s, st, "put pending", err);
}

/* Events. */

int
store_event_add(struct store *s, int64_t ts, const char *agent,
    const char *kind, int tier, const char *detail, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s,
	    "INSERT INTO events(ts, agent, kind, tier, detail) VALUES(?1,?2,?3,?4,?5)",
	    err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_int64(st, 1, ts > 0 ? ts : now_ms());
	if (agent)
		sqlite3_bind_text(st, 2, agent, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, tier);
	sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_TRANSIENT);
	return step_done(s, st, "add event", err);
}

static char *
col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);
	return v ? xstrdup((const char *)v) : NULL;
}

int
store_event_list(struct store *s, const char *agent, int64_t after_id,
    int64_t last, struct event **out, size_t *n, char *err)
{
	/* The last N, oldest first: pick them newest first, then turn around. */
	const char *sql =
	    "SELECT id, ts, agent, kind, tier, detail FROM ("
	    " SELECT * FROM events WHERE id > ?1 AND (?2 IS NULL OR agent = ?2)"
	    " ORDER BY id DESC LIMIT ?3) ORDER BY id";
	int rc;
	sqlite3_stmt *st = prep(s, sql, err, &rc);
	*out = NULL;
	*n = 0;
	if (st == NULL)
		return rc;
	sqlite3_bind_int64(st, 1, after_id);
	if (agent)
		sqlite3_bind_text(st, 2, agent, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, last > 0 ? last : -1);
	size_t cap = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct event *e = &(*out)[(*n)++];
		e->id = sqlite3_column_int64(st, 0);
		e->ts = sqlite3_column_int64(st, 1);
		e->agent = col_text(st, 2);
		e->kind = col_text(st, 3);
		e->tier = sqlite3_column_int(st, 4);
		e->detail = col_text(st, 5);
	}
	if (r != SQLITE_DONE) {
		rc = dberr(s, err, "list events");
		event_array_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_event_count_since(struct store *s, const char *kind, int64_t since,
    int64_t *count, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "SELECT ts, kind FROM events ORDER BY id DESC", err, &rc);
	*count = 0;
	if (st == NULL)
		return rc;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_int64(st, 0) > since) {
		const unsigned char *k = sqlite3_column_text(st, 1);
		if (k && strcmp((const char *)k, kind) == 0)
			(*count)++;
	}
	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		rc = dberr(s, err, "count events");
		*count = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

void
event_array_free(struct event *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].agent);
		free(e[i].kind);
		free(e[i].detail);
	}
	free(e);
}

/* Crash history. */

int
store_crash_add(struct store *s, const char *agent, int64_t ts, int code,
    int sig, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s,
	    "INSERT INTO crashes(agent, ts, code, signal) VALUES(?1,?2,?3,?4)", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, agent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, ts);
	sqlite3_bind_int(st, 3, code);
	sqlite3_bind_int(st, 4, sig);
	if ((rc = step_done(s, st, "add crash", err)) != 0)
		return rc;
	st = prep(s, "DELETE FROM crashes WHERE agent = ?1 AND id NOT IN"
	    " (SELECT id FROM crashes WHERE agent = ?1 ORDER BY id DESC LIMIT ?2)",
	    err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, agent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, STORE_CRASHES_KEPT);
	return step_done(s, st, "trim crashes", err);
}

int
store_crash_times(struct store *s, const char *agent, int64_t *t, int max,
    char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "SELECT ts FROM crashes WHERE agent = ?1"
	    " ORDER BY id DESC LIMIT ?2", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, agent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, max);
	int n = 0, r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW && n < max)
		t[n++] = sqlite3_column_int64(st, 0);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		n = dberr(s, err, "crash times");
	sqlite3_finalize(st);
	return n;
}

/* Account cooldowns. */

void
account_cooldown_free(struct account_cooldown *c)
{
	free(c->account);
	free(c->agent);
	free(c->line);
	memset(c, 0, sizeof *c);
}

int
store_account_get(struct store *s, const char *account,
    struct account_cooldown *out, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "SELECT account, until, since, agent, line"
	    " FROM cooldowns WHERE account = ?1", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(st);
	memset(out, 0, sizeof *out);
	if (r == SQLITE_ROW) {
		out->account = col_text(st, 0);
		out->until = sqlite3_column_int64(st, 1);
		out->since = sqlite3_column_int64(st, 2);
		out->agent = col_text(st, 3);
		out->line = col_text(st, 4);
		rc = 0;
	} else if (r == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = dberr(s, err, "get cooldown");
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_account_set(struct store *s, const struct account_cooldown *c, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO cooldowns(account, until,"
	    " since, agent, line) VALUES(?1,?2,?3,?4,?5)", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, c->account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, c->until);
	sqlite3_bind_int64(st, 3, c->since);
	sqlite3_bind_text(st, 4, c->agent ? c->agent : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, c->line ? c->line : "", -1, SQLITE_TRANSIENT);
	return step_done(s, st, "set cooldown", err);
}

int
store_account_clear(struct store *s, const char *account, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "DELETE FROM cooldowns WHERE account = ?1", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
	return step_done(s, st, "clear cooldown", err);
}

/* Heartbeat. */

int
store_heartbeat_set(struct store *s, const struct heartbeat *h, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO heartbeat(id, pid, started,"
	    " beat, interval, ticks, boot_id) VALUES(1,?1,?2,?3,?4,?5,?6)", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_int(st, 1, h->pid);
	sqlite3_bind_int64(st, 2, h->started);
	sqlite3_bind_int64(st, 3, h->beat);
	sqlite3_bind_int64(st, 4, h->interval);
	sqlite3_bind_int64(st, 5, h->ticks);
	sqlite3_bind_text(st, 6, h->boot_id, -1, SQLITE_TRANSIENT);
	return step_done(s, st, "heartbeat", err);
}

int
store_heartbeat_get(struct store *s, struct heartbeat *h, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "SELECT pid, started, beat, interval, ticks, boot_id"
	    " FROM heartbeat WHERE id = 1", err, &rc);
	if (st == NULL)
		return rc;
	int r = sqlite3_step(st);
	memset(h, 0, sizeof *h);
	if (r == SQLITE_ROW) {
		h->pid = sqlite3_column_int(st, 0);
		h->started = sqlite3_column_int64(st, 1);
		h->beat = sqlite3_column_int64(st, 2);
		h->interval = sqlite3_column_int64(st, 3);
		h->ticks = sqlite3_column_int64(st, 4);
		const unsigned char *b = sqlite3_column_text(st, 5);
		snprintf(h->boot_id, sizeof h->boot_id, "%s", b ? (const char *)b : "");
		rc = 0;
	} else if (r == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = dberr(s, err, "heartbeat");
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_heartbeat_clear(struct store *s, char *err)
{
	return exec(s, "DELETE FROM heartbeat", err);
}

int
store_meta_get(struct store *s, const char *key, char **value, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "SELECT value FROM meta WHERE key = ?1", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(st);
	*value = NULL;
	if (r == SQLITE_ROW)
		*value = col_text(st, 0);
	else if (r != SQLITE_DONE)
		rc = dberr(s, err, "meta");
	sqlite3_finalize(st);
	return rc;
}

int
store_meta_set(struct store *s, const char *key, const char *value, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1,?2)",
	    err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	return step_done(s, st, "meta", err);
}

int
store_in_transaction(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

/* Checkpoints and handoffs. */

static void
bind_text_or_null(sqlite3_stmt *st, int idx, const char *v)
{
	if (v)
		sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, idx);
}

static void
bind_i64_or_null(sqlite3_stmt *st, int idx, int64_t v, int64_t null_value)
{
	if (v == null_value)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int64(st, idx, v);
}

/* col_i64 reads an integer column, null_value when it is NULL. */
static int64_t
col_i64(sqlite3_stmt *st, int col, int64_t null_value)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return null_value;
	return sqlite3_column_int64(st, col);
}

/* A row reader: fills out from st's current row. */
typedef void (*row_reader)(sqlite3_stmt *st, void *out);

/* row_one steps st once: 0 with out read, 1 no row, -1 error; st is finalized. */
static int
row_one(struct store *s, sqlite3_stmt *st, row_reader read, void *out, const char *what,
    char *err)
{
	int r = sqlite3_step(st), rc = 0;
	if (r == SQLITE_ROW)
		read(st, out);
	else if (r == SQLITE_DONE)
		rc = 1;
	else
		rc = dberr(s, err, what);
	sqlite3_finalize(st);
	return rc;
}

/* row_by_id runs sql (one ?1, the id) for one row: as row_one. */
static int
row_by_id(struct store *s, const char *sql, int64_t id, row_reader read, void *out,
    const char *what, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, sql, err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	return row_one(s, st, read, out, what, err);
}

void
checkpoint_free(struct checkpoint *c)
{
	if (c == NULL)
		return;
	free(c->agent);
	free(c->source);
	free(c->task);
	free(c->summary);
	free(c->pending);
	free(c->questions);
	free(c->branch);
	free(c->head);
	free(c->head_summary);
	free(c->files);
	free(c->snapshot);
	free(c->pane_tail);
	memset(c, 0, sizeof *c);
}

#define CHECKPOINT_COLS "id, agent, ts, source, task, summary, pending, questions," \
	" branch, head, head_summary, ahead, behind, files, files_total, snapshot, pane_tail"

int
store_checkpoint_add(struct store *s, const struct checkpoint *c, int64_t *id,
    char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "INSERT INTO checkpoints(" CHECKPOINT_COLS ")"
	    " VALUES(NULL,?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)", err, &rc);
	if (st == NULL)
		return rc;
	const char *text[] = {c->source, c->task, c->summary, c->pending, c->questions,
	    c->branch, c->head, c->head_summary};
	sqlite3_bind_text(st, 1, c->agent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, c->ts);
	for (int i = 0; i < 8; i++)
		bind_text_or_null(st, 3 + i, text[i]);
	bind_i64_or_null(st, 11, c->ahead, -1);
	bind_i64_or_null(st, 12, c->behind, -1);
	bind_text_or_null(st, 13, c->files);
	sqlite3_bind_int64(st, 14, c->files_total);
	bind_text_or_null(st, 15, c->snapshot);
	bind_text_or_null(st, 16, c->pane_tail);
	if ((rc = step_done(s, st, "add checkpoint", err)) == 0 && id)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static void
checkpoint_read(sqlite3_stmt *st, void *p)
{
	struct checkpoint *out = p;
	char **text[] = {&out->agent, NULL, &out->source, &out->task, &out->summary,
	    &out->pending, &out->questions, &out->branch, &out->head, &out->head_summary};
	out->id = sqlite3_column_int64(st, 0);
	for (int i = 0; i < 10; i++)
		if (text[i])
			*text[i] = col_text(st, 1 + i);
	out->ts = sqlite3_column_int64(st, 2);
	out->ahead = (int)col_i64(st, 11, -1);
	out->behind = (int)col_i64(st, 12, -1);
	out->files = col_text(st, 13);
	out->files_total = sqlite3_column_int64(st, 14);
	out->snapshot = col_text(st, 15);
	out->pane_tail = col_text(st, 16);
}

int
store_checkpoint_get(struct store *s, int64_t id, struct checkpoint *out, char *err)
{
	memset(out, 0, sizeof *out);
	return row_by_id(s, "SELECT " CHECKPOINT_COLS " FROM checkpoints WHERE id = ?1", id,
	    checkpoint_read, out, "get checkpoint", err);
}

int
store_checkpoint_latest(struct store *s, const char *agent, int64_t since,
    int64_t upto, int filter, struct checkpoint *out, char *err)
{
	static const char *const where[] = {
		[CP_ANY] = "",
		[CP_SNAPSHOT] = " AND snapshot IS NOT NULL",
		[CP_NOTES] = " AND (summary IS NOT NULL OR pending IS NOT NULL OR"
		    " questions IS NOT NULL)",
	};
	memset(out, 0, sizeof *out);
	if (filter < CP_ANY || filter > CP_NOTES)
		filter = CP_ANY;
	char *sql = xasprintf("SELECT " CHECKPOINT_COLS " FROM checkpoints WHERE agent = ?1"
	    " AND ts >= ?2 AND (?3 = 0 OR id <= ?3)%s ORDER BY id DESC LIMIT 1", where[filter]);
	int rc;
	sqlite3_stmt *st = prep(s, sql, err, &rc);
	free(sql);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, agent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, upto);
	return row_one(s, st, checkpoint_read, out, "get checkpoint", err);
}

void
handoff_free(struct handoff *h)
{
	if (h == NULL)
		return;
	free(h->agent);
	free(h->reason);
	free(h->from_session);
	free(h->to_session);
	memset(h, 0, sizeof *h);
}

#define HANDOFF_COLS "id, agent, ts, reason, from_session, from_pid, from_started," \
	" checkpoint, to_session, resumed"

int
store_handoff_add(struct store *s, const struct handoff *h, int64_t *id, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "INSERT INTO handoffs(agent, ts, reason, from_session,"
	    " from_pid, from_started, checkpoint) VALUES(?1,?2,?3,?4,?5,?6,?7)", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, h->agent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, h->ts);
	sqlite3_bind_text(st, 3, h->reason ? h->reason : "", -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 4, h->from_session);
	bind_i64_or_null(st, 5, h->from_pid, 0);
	bind_i64_or_null(st, 6, h->from_started, 0);
	bind_i64_or_null(st, 7, h->checkpoint, 0);
	if ((rc = step_done(s, st, "add handoff", err)) == 0 && id)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static void
handoff_read(sqlite3_stmt *st, void *p)
{
	struct handoff *out = p;
	out->id = sqlite3_column_int64(st, 0);
	out->agent = col_text(st, 1);
	out->ts = sqlite3_column_int64(st, 2);
	out->reason = col_text(st, 3);
	out->from_session = col_text(st, 4);
	out->from_pid = (int)col_i64(st, 5, 0);
	out->from_started = col_i64(st, 6, 0);
	out->checkpoint = col_i64(st, 7, 0);
	out->to_session = col_text(st, 8);
	out->resumed = col_i64(st, 9, 0);
}

int
store_handoff_get(struct store *s, int64_t id, struct handoff *out, char *err)
{
	memset(out, 0, sizeof *out);
	return row_by_id(s, "SELECT " HANDOFF_COLS " FROM handoffs WHERE id = ?1", id,
	    handoff_read, out, "get handoff", err);
}

int
store_handoff_latest(struct store *s, const char *agent, int64_t since,
    struct handoff *out, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "SELECT " HANDOFF_COLS " FROM handoffs WHERE agent = ?1"
	    " AND ts >= ?2 ORDER BY id DESC LIMIT 1", err, &rc);
	memset(out, 0, sizeof *out);
	if (st == NULL)
		return rc;
	sqlite3_bind_text(st, 1, agent, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, since);
	return row_one(s, st, handoff_read, out, "get handoff", err);
}

int
store_handoff_resume(struct store *s, int64_t id, const char *to_session,
    int64_t ts, char *err)
{
	int rc;
	sqlite3_stmt *st = prep(s, "UPDATE handoffs SET to_session = ?2, resumed = ?3"
	    " WHERE id = ?1 AND resumed IS NULL", err, &rc);
	if (st == NULL)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	bind_text_or_null(st, 2, to_session);
	sqlite3_bind_int64(st, 3, ts);
	if ((rc = step_done(s, st, "resume handoff", err)) != 0)
		return rc;
	return sqlite3_changes(s->db) == 0 ? 1 : 0;
}
