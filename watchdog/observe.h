/*
 * observe.h - what the watchdog sees each tick, at a constant cost: one
 * tmux exec lists every pane of the fleet, one more captures the last
 * lines of every live pane; /proc and the wrappers' exit files say the
 * rest, with no process started per agent.
 */
#ifndef VIGIL_OBSERVE_H
#define VIGIL_OBSERVE_H

#include <stddef.h>

#include "decide.h"
#include "util.h"

struct agent;
struct config;
struct pane;
struct tmux;

struct fleet {
	int tmux_rc;        /* TMUX_OK, TMUX_NOSERVER (no server: no panes), ... */
	char err[512];      /* tmux's complaint when it failed */
	struct pane *panes;
	size_t npanes;
	char boot_id[64];
	char **names;        /* agents whose screens were captured */
	struct buf *screens; /* ... their last lines */
	size_t nscreens;
};

/* observe_fleet lists every pane in one tmux exec; 0, or a TMUX_ result. */
int observe_fleet(struct tmux *t, struct fleet *f);

/*
 * observe_screens captures the last capture_lines lines of every live pane
 * of agents[0..n) in one tmux exec (joined soft-wraps, a little history).
 */
void observe_screens(struct tmux *t, struct fleet *f, const struct agent *agents,
    size_t n, const struct config *cfg);

void observe_fleet_free(struct fleet *f);

/*
 * observe_agent fills o with what f, /proc and a's exit file say of a;
 * now reads reset times that are given as times of day.
 */
void observe_agent(const struct fleet *f, const struct agent *a,
    const struct config *cfg, const char *home, int64_t now, struct obs *o);

/*
 * screen_tail points *start at the text of the last `lines` lines that are
 * not blank (the blank lines among them come along) and returns its length.
 */
size_t screen_tail(const char *text, size_t len, int lines, const char **start);

#endif
