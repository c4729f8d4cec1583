/*
 * run.h - the agent's wrapper: `vigil _run FILE -- CMD...` is the pane's own
 * process. It runs CMD as its child in the terminal's foreground, and when
 * the child ends it writes how (exit code or signal) to FILE before it ends
 * the same way itself.
 *
 * Why a wrapper: on tmux 3.3a a dead pane sometimes never gets its
 * #{pane_dead_status} (measured: 2 panes in 6 whose process ended after
 * 10 ms, 1 in 12 after 0.8 s). vigil's restart policy turns on that status
 * (exit 0 is done, anything else a crash), so it cannot rest on a value
 * tmux sometimes drops.
 */
#ifndef VIGIL_RUN_H
#define VIGIL_RUN_H

#include <sys/types.h>

#define RUN_CMD "_run" /* the hidden command name */
#define RUN_DIR "run"  /* under the state dir: one exit file per agent */

/* run_main is `vigil _run FILE -- CMD...`; it returns the exit status. */
int run_main(int argc, char **argv);

/* run_exit_path returns the malloc'd path of agent name's exit file. */
char *run_exit_path(const char *home, const char *name);

/*
 * run_exit_read reads name's exit file. When it was written by the wrapper
 * whose pid is pane_pid, it returns 1 and sets *status (as from waitpid)
 * and *hup (may be NULL): the terminal hung up before the agent ended (its
 * session or the server was killed), so even exit 0 was not its own
 * choice. Else 0 (no file yet, or one from an earlier incarnation).
 */
int run_exit_read(const char *home, const char *name, pid_t pane_pid, int *status,
    int *hup);

/*
 * run_child returns the wrapper's child (the agent) of pane_pid, or 0 when
 * there is none or it has ended and awaits its reaping.
 */
pid_t run_child(pid_t pane_pid);

#endif
