/*
 * triage.h - AI triage: fill prompts/triage.md with a stuck agent's record,
 * its last events and its pane tail (fenced as untrusted data between
 * boundary lines that carry a random token made per run), run the
 * configured [triage] command on it under a timeout, and read its strict
 * verdict. The runner never blocks: the watchdog starts a job, polls its
 * descriptors in its own loop and calls triage_poll; `vigil triage` runs
 * the same job to the end with triage_run.
 *
 * Only the pid a job started is reaped, by waitpid on that pid: a caller
 * must not reap with waitpid(-1, ...). SIGPIPE must be ignored (main does),
 * since the prompt is written to a pipe the command may close early.
 */
#ifndef VIGIL_TRIAGE_H
#define VIGIL_TRIAGE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "verdict.h"

struct agent;
struct config;
struct pollfd;
struct store;

#define TRIAGE_TEMPLATE "triage.md" /* the template's name in the prompts dir */
#define TRIAGE_TOKEN_LEN 16         /* hex digits of the boundary token */
#define TRIAGE_EVENTS 10            /* last events of the agent in the prompt */
#define TRIAGE_OUT_MAX 65536        /* stdout kept; more is no verdict */
#define TRIAGE_NFDS 3               /* most descriptors triage_pollfds fills */

/* triage_prompt's results besides 0. */
#define TRIAGE_EBADTEMPLATE -1 /* the template has a bad placeholder or fence */
#define TRIAGE_ENOTEMPLATE -2  /* the template cannot be found or read */
#define TRIAGE_EFAIL -3        /* the store or the system failed */

/*
 * What came of one triage run. With kind VERDICT_NONE, none says why, in
 * the words of DESIGN.md's verdict events: "timeout", "unparseable",
 * "empty", "exit 2", "signal 9", "no command", "cannot start",
 * "over budget", "interrupted", "lost" (reaped by someone else).
 */
struct triage_result {
	enum verdict_kind kind;
	char text[(VERDICT_TEXT_MAX + 1) * 4]; /* NUDGE text */
	char none[32];                         /* empty when there is a verdict */
	char reason[VERDICT_REASON_MAX + 1];   /* the model's reason, or what went
	                                          wrong; printable, may be empty */
	int64_t elapsed;                       /* ms from start to end */
};

/*
 * triage_prompt loads the template with prompt_load (so [prompts] dir
 * overrides it) and fills it into out (appended) for agent a: its name,
 * preset, state, dir, task, how long its screen has been unchanged at now
 * (from a->last_change), its last TRIAGE_EVENTS events read from s, and
 * pane, its pane tail as captured by the caller (untrusted; may be NULL).
 * Placeholders: {{name}} {{preset}} {{state}} {{dir}} {{task}}
 * {{unchanged}} {{events}} {{pane}} {{token}}. The token is 16 random hex
 * digits that appear in none of the values (a new one is drawn when one
 * would); token (may be NULL, else TRIAGE_TOKEN_LEN + 1 bytes) receives
 * it. A {{pane}} or {{events}} with no {{token}} after it in the template
 * is refused, so that untrusted text can never end the prompt. Returns 0,
 * or a TRIAGE_E result with err set and out as it was.
 */
int triage_prompt(const struct config *cfg, struct store *s, const struct agent *a,
    const char *pane, int64_t now, struct buf *out, char *token, char *err);

/* triage_command_line appends [triage] command, quoted, for the triage event. */
void triage_command_line(const struct config *cfg, struct buf *out);

/*
 * triage_budget_ok tells whether one more triage may start at now, with
 * running triage runs going: at most [triage] max_parallel at once, and at
 * most [triage] max_per_hour `triage` events in the store in the hour
 * before now (the whole fleet's, so that it holds across restarts of the
 * watchdog; a `vigil triage` by hand counts too). Returns 1 yes; 0 no,
 * with why saying which limit; or a negative store result with why set.
 */
int triage_budget_ok(struct store *s, const struct config *cfg, int64_t now,
    int running, char *why);

struct triage_job;

/*
 * triage_start starts [triage] command (split like a shell would, never
 * run by one) in a process group of its own, its stdout in a pipe and its
 * stderr on /dev/null; the len bytes of prompt are copied and written to
 * its stdin by triage_poll without blocking. Its deadline is now + [triage]
 * timeout (now and the deadline are wall-clock ms, as now_ms). Never NULL:
 * when the command is unset or cannot be run, the job is finished already,
 * with "no command" (or "cannot start" when the system refused).
 */
struct triage_job *triage_start(const struct config *cfg, const char *prompt,
    size_t len, int64_t now);

/*
 * triage_pollfds fills p with the job's descriptors to wait on (at most
 * TRIAGE_NFDS: its stdin for POLLOUT while the prompt is being written,
 * its stdout for POLLIN, and a pidfd for POLLIN that is readable once the
 * command has exited) and returns how many. Zero when the job is finished.
 */
int triage_pollfds(const struct triage_job *j, struct pollfd *p);

/* triage_deadline returns when the job will be killed, or 0 when finished. */
int64_t triage_deadline(const struct triage_job *j);

/*
 * triage_poll moves the job on without blocking: writes what the pipe
 * takes of the prompt, reads the output, and looks whether the command has
 * exited. Call it when one of its descriptors is ready and at the latest
 * at its deadline. Returns 0 while it runs; 1 when it has finished, with
 * *out filled (every later call returns 1 and the same result). At the
 * deadline, or when the output passes TRIAGE_OUT_MAX, it kills the whole
 * process group; when the command exits, whatever it left running in its
 * group is killed too. A verdict comes only from verdict_parse of the
 * output of a command that exited 0.
 */
int triage_poll(struct triage_job *j, int64_t now, struct triage_result *out);

/* triage_free kills and reaps a job still running, and frees it. */
void triage_free(struct triage_job *j);

/*
 * triage_run runs the command on prompt to the end (start, then poll until
 * finished) into *out. When *stop (may be NULL) becomes nonzero, as a
 * signal handler sets it, the command's process group is killed and the
 * result is "interrupted". Returns 0 finished, -1 interrupted.
 */
int triage_run(const struct config *cfg, const char *prompt, size_t len,
    const volatile sig_atomic_t *stop, struct triage_result *out);

/* triage_result_none fills *r as no verdict for none, with reason (may be NULL). */
void triage_result_none(struct triage_result *r, const char *none, const char *reason);

/*
 * triage_verdict_line appends the verdict as DESIGN.md fixes the start of
 * a verdict event's detail: "CONTINUE", "NUDGE <text>", "RESTART",
 * "TERMINATE", or "none: <why>" ("none: timeout", "none: exit 2", ...).
 */
void triage_verdict_line(const struct triage_result *r, struct buf *out);

/*
 * triage_verdict_detail appends the verdict event's detail: the verdict
 * line, then " — " and the reason when there is one ("NUDGE run the tests
 * — it waits at a prompt", "none: unparseable — Verdict: continue").
 */
void triage_verdict_detail(const struct triage_result *r, struct buf *out);

#endif
