/*
 * store.h - the one store: SQLite in WAL mode with a busy timeout, schema
 * versioned by PRAGMA user_version with forward migrations. Agents, events,
 * checkpoints, handoffs, account cooldowns, crash history and the
 * watchdog's heartbeat. The store knows nothing of tmux.
 *
 * Times are unix milliseconds (int64_t) everywhere inside vigil.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define STORE_DB_NAME "vigil.db"
#define STORE_BUSY -75 /* the store stayed locked past the busy timeout */

struct store;

/* One agent's row: what vigil knows and has decided about it. */
struct agent {
	char *name;
	char *state;         /* booting, working, idle, stalled, cooling, ... */
	int tier;            /* 0 ok, 1 warn, 2 nudge, 3 triage, 4 terminate */
	char *preset;
	char *dir;
	char *argv;          /* the command, a JSON array of strings */
	char *task;          /* may be NULL */
	char *restart;       /* on-failure, always, no */
	char *worktree;      /* a worktree vigil made for it, or NULL */
	int pid;             /* pane pid, 0 when none */
	int agent_pid;       /* the agent process found under the pane, or 0 */
	char *pane_id;       /* %N, or NULL */
	char *session_id;    /* $N, or NULL */
	int64_t created;
	int64_t started;     /* this incarnation's start */
	int64_t state_since; /* when state last changed */
	int64_t last_change; /* last real progress on the screen */
	int64_t last_seen;   /* the agent process last seen, or its launch */
	char *hash;          /* normalised screen hash, or NULL */
	int64_t stall_since; /* start of the stall episode (0: none) */
	int64_t tier_clock;  /* the tier clock (a reprieve restarts it) */
	int nudges;          /* nudges in this episode */
	int triages;         /* triage runs in this episode */
	int restarts;        /* restarts since spawn */
	int streak;          /* crashes in a row (the backoff exponent) */
	int64_t next_at;     /* deadline: scheduled restart or cooldown end */
	int64_t cooldown_until; /* 0: not cooling */
	char *cooldown_kind; /* ratelimit, crashloop, or NULL */
	char *cooldown_line; /* the screen line that caused it */
	int renewals;
	char *limit_hash;    /* the limit text already handled */
	int exit_code;       /* last exit code, -1 when none */
	int exit_signal;     /* last signal, 0 when none */
	int seen_proc;       /* the preset's process was seen this incarnation */
	char *boot_id;       /* boot the agent was started in */
	char *pending;       /* text to type once the CLI is ready */
	char *note;          /* short human note: why the state is what it is */
	int64_t typed_at;    /* when vigil last typed into it (its echo is no progress) */
	int noticed;         /* NOTICED_* bits: what this episode already logged */
};

#define NOTICED_HELD 0x1  /* a held nudge was logged */
#define NOTICED_TRUST 0x2 /* the trust dialog was logged */
#define NOTICED_WARN 0x4  /* the warn tier was logged */
#define NOTICED_TYPED 0x8 /* vigil typed text; Enter is due next tick */
#define NOTICED_ENTER 0x10 /* vigil pressed Enter; next tick checks it was taken */

void agent_free_fields(struct agent *a);
/* agent_copy makes dst a deep copy of src; agent_equal compares all fields. */
void agent_copy(struct agent *dst, const struct agent *src);
int agent_equal(const struct agent *a, const struct agent *b);
void agent_array_free(struct agent *a, size_t n);

/*
 * store_open opens (creating when missing) dir/vigil.db, dir 0700 and file
 * 0600, and migrates it. Returns 0, or -1 with err set (the dir is a file,
 * the file is not a vigil database, a newer schema), or STORE_BUSY.
 */
int store_open(const char *dir, struct store **out, char *err);

/* store_open_existing is store_open that never creates: 1 when absent. */
int store_open_existing(const char *dir, struct store **out, char *err);

/* store_open_version migrates only up to version: for tests of migrations. */
int store_open_version(const char *dir, int version, struct store **out, char *err);

void store_close(struct store *s);

/*
 * store_readonly tells whether the store could only be opened for reading
 * (vigil.db immutable or not writable by us): every write would fail.
 */
int store_readonly(struct store *s);

/* store_schema_version returns the schema version this build writes. */
int store_schema_version(void);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE). */
int store_begin(struct store *s, char *err);
int store_commit(struct store *s, char *err);
void store_rollback(struct store *s);

/* store_agent_get: 0 found, 1 absent, -1 error. */
int store_agent_get(struct store *s, const char *name, struct agent *out, char *err);
int store_agent_list(struct store *s, struct agent **out, size_t *n, char *err);
int store_agent_insert(struct store *s, const struct agent *a, char *err);
int store_agent_update(struct store *s, const struct agent *a, char *err);
int store_agent_delete(struct store *s, const char *name, char *err);

/*
 * store_pending_take claims agent name's pending text, if it still is
 * text: 1 claimed (the column is now empty: type it), 0 someone else took
 * it, or an error. store_pending_put puts text back when typing failed.
 * The watchdog and the commands both type pending text: one claim, one typist.
 */
int store_pending_take(struct store *s, const char *name, const char *text, char *err);
int store_pending_put(struct store *s, const char *name, const char *text, char *err);

/* One event. */
struct event {
	int64_t id;
	int64_t ts;   /* unix ms */
	char *agent;
	char *kind;
	int tier;
	char *detail;
};

/* store_event_add appends an event; its ts is now unless ts > 0. */
int store_event_add(struct store *s, int64_t ts, const char *agent,
    const char *kind, int tier, const char *detail, char *err);

/*
 * store_event_list returns events with id > after_id for agent (NULL: all),
 * oldest first; with last > 0 only the last `last` of them.
 */
int store_event_list(struct store *s, const char *agent, int64_t after_id,
    int64_t last, struct event **out, size_t *n, char *err);
void event_array_free(struct event *e, size_t n);

/*
 * store_event_count_since counts the events of kind with ts > since into
 * *count. It walks back from the newest event and stops at the first one
 * not newer than since (events are written in time order), so it reads
 * only the recent ones however long the log is. 0, or -1/STORE_BUSY.
 */
int store_event_count_since(struct store *s, const char *kind, int64_t since,
    int64_t *count, char *err);

/* Crash history: the last 10 crash times per agent are kept. */
#define STORE_CRASHES_KEPT 10
int store_crash_add(struct store *s, const char *agent, int64_t ts, int code,
    int sig, char *err);
/* store_crash_times fills t (newest first, at most max) and returns count. */
int store_crash_times(struct store *s, const char *agent, int64_t *t, int max,
    char *err);

/* Account cooldowns: agents that share an account share a rate limit. */
struct account_cooldown {
	char *account;
	int64_t until;
	int64_t since;
	char *agent;  /* who saw it */
	char *line;
};
int store_account_get(struct store *s, const char *account,
    struct account_cooldown *out, char *err);
int store_account_set(struct store *s, const struct account_cooldown *c, char *err);
int store_account_clear(struct store *s, const char *account, char *err);
void account_cooldown_free(struct account_cooldown *c);

/* The watchdog's heartbeat: one row. */
struct heartbeat {
	int pid;
	int64_t started;
	int64_t beat;
	int64_t interval;
	int64_t ticks;
	char boot_id[64];
};
int store_heartbeat_set(struct store *s, const struct heartbeat *h, char *err);
/* store_heartbeat_get: 0 found, 1 none, -1 error. */
int store_heartbeat_get(struct store *s, struct heartbeat *h, char *err);
int store_heartbeat_clear(struct store *s, char *err);

/* Key/value facts the watchdog keeps (last boot id, triage budget...). */
int store_meta_get(struct store *s, const char *key, char **value, char *err);
int store_meta_set(struct store *s, const char *key, const char *value, char *err);

/*
 * Checkpoints: what an agent (or vigil for it) recorded of its work: task,
 * notes, git facts, a snapshot ref and the pane's last lines. Text fields
 * may be NULL. The git facts say what the dir was: branch NULL and head
 * NULL is no repo; branch set and head NULL an unborn branch; branch NULL
 * and head set a detached HEAD.
 */
struct checkpoint {
	int64_t id;
	char *agent;
	int64_t ts;          /* unix ms */
	char *source;        /* agent, watchdog, stop, handoff, ... */
	char *task;
	char *summary;
	char *pending;
	char *questions;
	char *branch;
	char *head;          /* commit id */
	char *head_summary;
	int ahead, behind;   /* against the upstream; -1 when there is none */
	char *files;         /* JSON array of "M path" strings (capped), or NULL */
	int64_t files_total; /* how many changed files in all */
	char *snapshot;      /* refs/vigil/snapshots/..., or NULL */
	char *pane_tail;
};

void checkpoint_free(struct checkpoint *c);

/* store_checkpoint_add inserts c (its id is ignored); *id receives the new one. */
int store_checkpoint_add(struct store *s, const struct checkpoint *c, int64_t *id,
    char *err);

/* store_checkpoint_get: 0 found, 1 absent, -1 error. */
int store_checkpoint_get(struct store *s, int64_t id, struct checkpoint *out, char *err);

/* Filters for store_checkpoint_latest. */
#define CP_ANY 0
#define CP_SNAPSHOT 1 /* only those with a snapshot ref */
#define CP_NOTES 2    /* only those with a summary, pending work or questions */

/*
 * store_checkpoint_latest finds agent's newest checkpoint taken at or after
 * since (unix ms), with id <= upto (0: any), that passes filter.
 * 0 found, 1 none, -1 error.
 */
int store_checkpoint_latest(struct store *s, const char *agent, int64_t since,
    int64_t upto, int filter, struct checkpoint *out, char *err);

/* Handoffs: one session of an agent ending so that another can resume it. */
struct handoff {
	int64_t id;
	char *agent;
	int64_t ts;           /* unix ms */
	char *reason;
	char *from_session;   /* tmux session id ($N), or NULL */
	int from_pid;         /* the agent's pid, 0 when unknown */
	int64_t from_started; /* when that session started, 0 when unknown */
	int64_t checkpoint;   /* its checkpoint's id, 0 when none */
	char *to_session;     /* filled on resume */
	int64_t resumed;      /* unix ms of the resume, 0 while open */
};

void handoff_free(struct handoff *h);

/* store_handoff_add inserts h (id, to_session and resumed are ignored). */
int store_handoff_add(struct store *s, const struct handoff *h, int64_t *id, char *err);

/* store_handoff_get: 0 found, 1 absent, -1 error. */
int store_handoff_get(struct store *s, int64_t id, struct handoff *out, char *err);

/*
 * store_handoff_latest finds agent's newest handoff made at or after since
 * (unix ms), resumed or not. 0 found, 1 none, -1 error.
 */
int store_handoff_latest(struct store *s, const char *agent, int64_t since,
    struct handoff *out, char *err);

/*
 * store_handoff_resume marks handoff id resumed at ts into to_session (may
 * be NULL). 0, 1 when it is absent or was resumed already, -1 error.
 */
int store_handoff_resume(struct store *s, int64_t id, const char *to_session,
    int64_t ts, char *err);

/* store_in_transaction tells whether a transaction is open on s. */
int store_in_transaction(struct store *s);

/* The path of the database, for messages. */
const char *store_path(const struct store *s);

/* store_sqlite gives modules that own tables of their own the handle. */
struct sqlite3 *store_db(struct store *s);

#endif
