/*
 * view.h - what ls and status show: the agents' records joined with one
 * tmux listing of the whole fleet, as a line for people or as JSON.
 */
#ifndef VIGIL_VIEW_H
#define VIGIL_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct agent;
struct pane;
struct vigil_ctx;
struct event;

/* What tmux and /proc say of one agent now. */
struct seen {
	const struct pane *pane; /* NULL: no session (or tmux could not say) */
	int exited;              /* the wrapper recorded the agent's end */
	int status;              /* ... as a wait status */
	int pid;                 /* the agent's pid, 0 when it does not run */
};

struct view {
	struct agent *agents;
	struct seen *seen;
	size_t n;
	struct pane *panes;
	size_t npanes;
	int tmux_rc; /* how the listing went (TMUX_OK, TMUX_NOSERVER, ...) */
};

/* view_load reads agent name (NULL: all) and lists panes; 0 or exit code. */
int view_load(struct vigil_ctx *ctx, const char *name, struct view *v);
void view_free(struct view *v);

/* view_state is the state to show for agent i; view_pid its live pid or 0. */
const char *view_state(const struct view *v, size_t i);
int view_pid(const struct view *v, size_t i);

/* view_json returns agent i as the JSON object of the contract. */
json_t *view_json(const struct view *v, size_t i, int64_t now);

/* view_print_line prints agent i's line for people. */
void view_print_line(const struct view *v, size_t i, int64_t now);

/* view_print_watchdog prints whether a watchdog runs, for people. */
void view_print_watchdog(struct vigil_ctx *ctx, int64_t now);

/* view_print_json prints a JSON value and a newline on stdout. */
void view_print_json(json_t *j);

/* view_event_json returns one event as the JSON object of `log --json`. */
json_t *view_event_json(const struct event *e);

/* view_event_line appends one event, formatted for people, to out. */
struct buf;
void view_event_line(const struct event *e, struct buf *out);

/* status of the single agent in v. */
int view_status_text(struct vigil_ctx *ctx, struct view *v, int64_t now);
int view_status_json(struct vigil_ctx *ctx, struct view *v, int64_t now);

#endif
