/*
 * observe.h - what the watchdog sees each tick, at a constant cost: one
 * tmux exec lists every pane of the fleet; /proc and the wrappers' exit
 * files say the rest, with no process started per agent.
 */
#ifndef VIGIL_OBSERVE_H
#define VIGIL_OBSERVE_H

#include <stddef.h>

#include "decide.h"

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
};

/* observe_fleet lists every pane in one tmux exec; 0, or a TMUX_ result. */
int observe_fleet(struct tmux *t, struct fleet *f);
void observe_fleet_free(struct fleet *f);

/* observe_agent fills o with what f, /proc and a's exit file say of a. */
void observe_agent(const struct fleet *f, const struct agent *a,
    const struct config *cfg, const char *home, struct obs *o);

#endif
