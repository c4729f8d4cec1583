/*
 * notify.h - the notify hook: [notify] command, run by argv with
 * VIGIL_EVENT, VIGIL_AGENT and VIGIL_DETAIL in its environment. It never
 * blocks a tick: children are started, then reaped by the loop, and killed
 * (their whole process group) at their timeout.
 */
#ifndef VIGIL_NOTIFY_H
#define VIGIL_NOTIFY_H

#include <stdint.h>

struct config;
struct notifier;

struct notifier *notifier_new(void);
void notifier_free(struct notifier *n);

/*
 * notify_start runs the hook for one event, when a hook is configured.
 * Returns 0, or -1 with err set (the command could not be started).
 */
int notify_start(struct notifier *n, const struct config *cfg, const char *event,
    const char *agent, const char *detail, int64_t now, char *err);

/* notify_reap reaps ended hooks and kills those past their deadline. */
void notify_reap(struct notifier *n, int64_t now);

/* notify_next returns the earliest deadline of a running hook, or 0. */
int64_t notify_next(const struct notifier *n);

/* notify_running returns how many hooks run. */
int notify_running(const struct notifier *n);

#endif
