/*
 * recover.h - checkpoints, handoffs and resume: what vigil records so that a
 * new session of an agent can pick up where the last one stopped, and the
 * start of that new session. The commands (checkpoint, handoff, resume,
 * stop) and the watchdog (before it terminates an agent, when it restarts
 * one) share these.
 *
 * Return values: 0 (or the positive results named below), else a negative
 * code: -1 (err says why), STORE_BUSY, or a TMUX_ result. recover_exit_code
 * maps them to an exit code.
 *
 * Transactions: each function that writes joins the caller's transaction
 * when one is open (store_in_transaction), else runs in one of its own.
 * Those that read git or tmux do it before they write, so a caller that
 * holds the write lock holds it through that work too.
 */
#ifndef VIGIL_RECOVER_H
#define VIGIL_RECOVER_H

#include <stdint.h>

#include "util.h"

struct agent;
struct store;
struct vigil_ctx;

#define RECOVER_TEXT_MAX 65536 /* longest summary, pending, questions, reason */
#define RECOVER_FILES_MAX 50   /* changed files a checkpoint lists (all are counted) */
#define RESUME_PENDING 1       /* resume_start: started, prompt left for the watchdog */
#define RESUME_NOPROMPT -40    /* resume_launch: the prompt could not be filled; nothing started */

/*
 * checkpoint_take records a checkpoint of a at now: its task, the notes
 * given (each may be NULL), the git facts of a->dir (none when it is not in
 * a repo), a snapshot of uncommitted work ([snapshot] keep of them kept; when
 * nothing changed since the last one, that one is named again), and the last
 * [watch] capture_lines lines of its pane (none when the pane is gone).
 * source says who asked: "agent", "watchdog", "stop", "handoff". Adds event
 * checkpoint ("by SOURCE: summary..."). *id_out (may be NULL) receives the
 * id. When the git facts or the snapshot could not be had, the checkpoint
 * is still recorded without them, 0 is returned and err holds a warning;
 * else err is "" on success.
 */
int checkpoint_take(struct vigil_ctx *ctx, const struct agent *a, const char *source,
    const char *summary, const char *pending, const char *questions, int64_t now,
    int64_t *id_out, char *err);

/*
 * handoff_make records that a's current session hands its work on: its tmux
 * session id (asked of tmux, else the recorded one), its pid and start
 * time, reason and checkpoint_id (0: none). Adds event handoff ("REASON
 * (checkpoint N)"). *id_out (may be NULL) receives the id.
 */
int handoff_make(struct vigil_ctx *ctx, const struct agent *a, const char *reason,
    int64_t checkpoint_id, int64_t now, int64_t *id_out, char *err);

/*
 * handoff_take is what stop, `vigil handoff` and the watchdog do before a
 * session ends: checkpoint_take (source, no notes: the prompt takes the
 * agent's own latest notes) then handoff_make with reason. *checkpoint_id
 * and *handoff_id may be NULL. A warning of checkpoint_take comes back in err
 * with 0, as there.
 */
int handoff_take(struct vigil_ctx *ctx, const struct agent *a, const char *source,
    const char *reason, int64_t now, int64_t *checkpoint_id, int64_t *handoff_id,
    char *err);

/*
 * handoff_open finds the handoff to resume a from: its newest handoff (made
 * since a was spawned), when that one is not resumed yet. An older open
 * handoff never is: a newer one, resumed, has replaced it. 0 with *id set,
 * 1 when there is none, or a negative code.
 */
int handoff_open(struct store *s, const struct agent *a, int64_t *id, char *err);

/*
 * resume_argv gives the command that starts a again after a handoff: the
 * preset's resume_command (claude --continue, codex resume --last, ...) when
 * a runs the preset's own command, else a's own command (*fresh = 1: a
 * fresh start, no conversation to continue). 0 or -1.
 */
int resume_argv(const struct vigil_ctx *ctx, const struct agent *a, struct strv *out,
    int *fresh, char *err);

/*
 * resume_types_prompt tells whether the resume prompt is typed into argv:
 * not into an interactive shell (sh, bash, zsh... without -c or a script),
 * where each line would run as a command.
 */
int resume_types_prompt(char *const *argv);

/*
 * resume_prompt fills prompts/resume.md for handoff_id of a: the task, the
 * agent's latest summary, pending work and open questions, why the session
 * ended, the git state at the checkpoint (branch, last commit, changed
 * files) next to the git state now, saying plainly whether they differ, the
 * snapshot ref and how to restore it, and the pane's last lines.
 */
int resume_prompt(struct vigil_ctx *ctx, const struct agent *a, int64_t handoff_id,
    struct buf *out, char *err);

/*
 * resume_launch starts a from handoff_id without waiting for anything: the
 * resume command (resume_argv) in its pane when its session exists
 * (respawn), else in a new session; a's record becomes a new incarnation
 * (state booting, tier 0, pid, pane, session, started; counters of
 * restarts and crashes are the caller's) with the resume prompt in pending
 * for whoever types it (resume_type, or the watchdog); the handoff is marked
 * resumed; event resume. a is updated in place and written whole. This is
 * what the watchdog calls for a restart when handoff_open finds a handoff.
 * RESUME_NOPROMPT when the resume prompt could not be filled (err says why):
 * nothing was started and nothing changed.
 */
int resume_launch(struct vigil_ctx *ctx, struct agent *a, int64_t handoff_id, int64_t now,
    char *err);

/*
 * resume_type waits up to [watch] ready_timeout for a's CLI to be drawn and
 * still, types a->pending into it and clears pending in the store. 1 typed
 * (or nothing to type), 0 not ready in time (pending stays for the watchdog;
 * err says so), or a negative code. It blocks: not for the watchdog's tick.
 */
int resume_type(struct vigil_ctx *ctx, struct agent *a, char *err);

/*
 * resume_start is resume_launch then resume_type: 0 started and the prompt
 * typed (or none to type), RESUME_PENDING started with the prompt left in
 * pending (err says why), or a negative code.
 */
int resume_start(struct vigil_ctx *ctx, struct agent *a, int64_t handoff_id, int64_t now,
    char *err);

/* recover_exit_code maps a negative result to an exit code (75 busy, else 1). */
int recover_exit_code(int rc);

#endif
