/*
 * tmux.h - the tmux layer: every call is an exec of the tmux binary with an
 * argv vector, always with -L SOCKET, exact targets (=NAME or %PANE) and a
 * timeout. It knows nothing of the store or of agents' records.
 */
#ifndef VIGIL_TMUX_H
#define VIGIL_TMUX_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Results of tmux_run. */
#define TMUX_OK 0
#define TMUX_FAILED -1   /* tmux ran and reported an error */
#define TMUX_NOSERVER -2 /* no server is running on the socket */
#define TMUX_TIMEOUT -3  /* tmux did not answer in time (a wedged server) */
#define TMUX_NOEXEC -4   /* the tmux binary could not be run */

struct tmux;

/* tmux_new returns a handle for socket name sock (never NULL). */
struct tmux *tmux_new(const char *sock, int64_t timeout_ms);
void tmux_free(struct tmux *t);

/* tmux_execs returns how many tmux processes this handle has run. */
unsigned tmux_execs(const struct tmux *t);

/* tmux_socket returns the socket name. */
const char *tmux_socket(const struct tmux *t);

/*
 * tmux_run runs `tmux -L SOCKET args...`; stdout goes to out (may be NULL).
 * Returns TMUX_OK or one of the negative results above, with err set to one
 * line (tmux's own message where it gave one).
 */
int tmux_run(struct tmux *t, char *const *args, struct buf *out, char *err);

/* One pane as list-panes reports it. */
struct pane {
	char *session;      /* session name */
	char session_id[16]; /* $N */
	char pane_id[16];   /* %N */
	int pid;            /* pane pid (the agent, when spawned with a command) */
	int dead;           /* the pane's process has exited */
	int dead_status;    /* its exit code, or -1 */
	int dead_signal;    /* the signal that ended it, or 0 */
	int64_t dead_time;  /* when it ended, unix seconds, or 0 */
	int attached;       /* clients attached to the session */
	int64_t created;    /* session creation time, unix seconds */
	int index;          /* pane index in the window */
	int window;         /* window index */
	char *command;      /* pane_current_command */
};

/*
 * tmux_list_panes lists every pane on the server in one exec. No server is
 * not an error: zero panes and TMUX_NOSERVER returned for the caller to see.
 */
int tmux_list_panes(struct tmux *t, struct pane **out, size_t *n, char *err);
void tmux_panes_free(struct pane *p, size_t n);

/* tmux_pane_for returns the agent's pane of session name in a list, or NULL. */
const struct pane *tmux_pane_for(const struct pane *p, size_t n,
    const char *session, const char *pane_id);

/* What a new agent session needs. */
struct tmux_launch {
	const char *name;   /* session name */
	const char *dir;    /* working directory */
	char *const *argv;  /* the agent's command */
	char *const *env;   /* NAME=VALUE set in the session */
	int width, height;  /* size of the detached window */
};

/*
 * tmux_launch creates session name running argv with remain-on-exit on, set
 * before the agent can exit, and no shell between. Fills pane_id/pid.
 */
int tmux_launch(struct tmux *t, const struct tmux_launch *l, char pane_id[16],
    int *pid, char *err);

/*
 * tmux_respawn restarts the agent in an existing pane (respawn-pane -k, so
 * attached clients stay), the pane's screen reset and its history cleared
 * first: what the last agent left there is not the new one's. target is
 * %N or =NAME:.
 */
int tmux_respawn(struct tmux *t, const char *target, const char *dir,
    char *const *argv, char *const *env, int *pid, char *err);

/* tmux_kill_session kills session name; a missing session is TMUX_FAILED. */
int tmux_kill_session(struct tmux *t, const char *name, char *err);

/* tmux_has_session tells whether session name exists: 1, 0, or negative. */
int tmux_has_session(struct tmux *t, const char *name, char *err);

/* tmux_send_literal types text into target as is (send-keys -l). */
int tmux_send_literal(struct tmux *t, const char *target, const char *text, char *err);

/* tmux_paste pastes text as a bracketed paste (set-buffer, paste-buffer -p). */
int tmux_paste(struct tmux *t, const char *target, const char *text, char *err);

/* tmux_send_key sends one key by name (Enter, Escape, C-c). */
int tmux_send_key(struct tmux *t, const char *target, const char *key, char *err);

/*
 * tmux_capture captures the last lines of target, soft-wrapped lines joined
 * (-J), without escape sequences, into out.
 */
int tmux_capture(struct tmux *t, const char *target, int lines, struct buf *out,
    char *err);

/*
 * tmux_capture_many captures the last lines of n panes in one exec (a
 * command file that tmux sources from its stdin). outs[i] receives pane i's
 * text; ok[i] is 1 when pane i was captured. A pane that vanished between
 * listing and capture only loses its own capture.
 */
int tmux_capture_many(struct tmux *t, char *const *targets, size_t n, int lines,
    struct buf *outs, int *ok, char *err);

/* tmux_version returns the server-independent client version, e.g. 3.3. */
int tmux_version(struct tmux *t, int *major, int *minor, char *text, size_t n,
    char *err);

/* tmux_socket_path returns the malloc'd path of the server socket. */
char *tmux_socket_path(const struct tmux *t);

#endif
