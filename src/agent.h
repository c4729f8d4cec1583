/*
 * agent.h - what commands and the watchdog both do to an agent in tmux:
 * start it (a new session or a respawn of its pane), type text into it and
 * make sure the text was submitted, read its command back from the store's
 * JSON, and tell the display state that tmux implies.
 */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct agent;
struct config;
struct pane;
struct tmux;

/* Where an agent runs: what its pane's environment must say. */
struct agent_env {
	const char *home;   /* VIGIL_HOME */
	const char *socket; /* VIGIL_SOCKET */
	const char *config; /* VIGIL_CONFIG, may be NULL */
};

/* States, as stored, printed and documented. */
#define ST_BOOTING "booting"
#define ST_WORKING "working"
#define ST_IDLE "idle"
#define ST_STALLED "stalled"
#define ST_COOLING "cooling"
#define ST_ZOMBIE "zombie"
#define ST_DEAD "dead"
#define ST_RESTARTING "restarting"
#define ST_FAILED "failed"
#define ST_STOPPED "stopped"
#define ST_DONE "done"

/* agent_is_live tells whether state means vigil keeps the agent running. */
int agent_is_live(const char *state);

/*
 * agent_new_episode clears what one incarnation of a learned about its
 * screen and its stall (tier, clocks, nudges, triages, hashes, what was
 * noticed): a restarted agent starts with a clean screen and a clean slate.
 */
void agent_new_episode(struct agent *a);

/* argv_to_json returns a malloc'd JSON array of the strings. */
char *argv_to_json(char *const *argv);

/* argv_from_json parses a JSON array of strings; 0 or -1 with err set. */
int argv_from_json(const char *json, struct strv *out, char *err);

/*
 * agent_program returns the malloc'd path of prog as tmux will run it in
 * dir (a relative path with a slash is taken from dir, a bare name from
 * PATH), or NULL when it is not there or not executable.
 */
char *agent_program(const char *dir, const char *prog);

/* agent_target writes the tmux target of a's pane (%N, else =NAME:). */
void agent_target(const struct agent *a, char *out, size_t n);

/*
 * agent_launch starts a in a new tmux session (remain-on-exit on, no shell
 * between), filling pid, pane_id, started and boot_id. 0, or a TMUX_ result.
 */
int agent_launch(struct tmux *t, const struct agent_env *env, struct agent *a,
    char *const *argv, int64_t now, char *err);

/*
 * agent_respawn starts a again in its existing pane (respawn-pane -k keeps
 * attached clients). 0, or a TMUX_ result.
 */
int agent_respawn(struct tmux *t, const struct agent_env *env, struct agent *a,
    char *const *argv, int64_t now, char *err);

/*
 * agent_send types text into target: literally (send-keys -l) when it is
 * one line, as a bracketed paste when it has several, then Enter. Then it
 * watches the screen for up to confirm_ms: if nothing changed, the Enter
 * was swallowed (the text sits in the input box) and Enter goes once more.
 * *submitted tells whether a change was seen. 0, or a TMUX_ result.
 */
int agent_send(struct tmux *t, const char *target, const char *text,
    int64_t confirm_ms, int *submitted, char *err);

/*
 * agent_wait_ready waits up to timeout_ms until target's screen has shown
 * something and then stayed the same for quiet_ms (the CLI is drawn and
 * waiting). Returns 1 ready, 0 timed out, or a TMUX_ result.
 */
int agent_wait_ready(struct tmux *t, const char *target, int64_t quiet_ms,
    int64_t timeout_ms, char *err);

/*
 * agent_observed_state returns the state to show for a, given its pane as
 * tmux lists it now (NULL: no session) and, when exited, the wait status
 * its wrapper recorded: what is true now even when no watchdog recorded it.
 */
const char *agent_observed_state(const struct agent *a, const struct pane *p,
    int exited, int status);

#endif
