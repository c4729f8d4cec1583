/*
 * observe.c - turn one list-panes and a few /proc reads into a struct obs.
 * The agent's end is read from its wrapper's exit file first (tmux may
 * never fill in the status), from tmux's own status second.
 */
#include <string.h>

#include "config.h"
#include "observe.h"
#include "proc.h"
#include "run.h"
#include "store.h"
#include "tmux.h"

int
observe_fleet(struct tmux *t, struct fleet *f)
{
	memset(f, 0, sizeof *f);
	proc_boot_id(f->boot_id, sizeof f->boot_id);
	f->tmux_rc = tmux_list_panes(t, &f->panes, &f->npanes, f->err);
	return f->tmux_rc;
}

void
observe_fleet_free(struct fleet *f)
{
	tmux_panes_free(f->panes, f->npanes);
	f->panes = NULL;
	f->npanes = 0;
}

void
observe_agent(const struct fleet *f, const struct agent *a,
    const struct config *cfg, const char *home, struct obs *o)
{
	memset(o, 0, sizeof *o);
	o->tmux_ok = f->tmux_rc == TMUX_OK || f->tmux_rc == TMUX_NOSERVER;
	if (!o->tmux_ok)
		return;
	o->server_gone = f->tmux_rc == TMUX_NOSERVER;
	o->rebooted = a->boot_id && *a->boot_id && *f->boot_id &&
	    strcmp(a->boot_id, f->boot_id) != 0;
	const struct pane *p = tmux_pane_for(f->panes, f->npanes, a->name, a->pane_id);
	if (p == NULL)
		return;
	o->session = 1;
	o->pane_pid = p->pid;
	o->pane_dead = p->dead;
	o->attached = p->attached;
	if (run_exit_read(home, a->name, p->pid, &o->status)) {
		o->exited = 1;
		return;
	}
	if (p->dead) {
		if (p->dead_signal > 0) {
			o->exited = 1;
			o->status = p->dead_signal; /* as waitpid reports a signal */
		} else if (p->dead_status >= 0) {
			o->exited = 1;
			o->status = (p->dead_status & 0xff) << 8;
		}
		return;
	}
	const struct preset *ps = config_preset(cfg, a->preset);
	if (ps && ps->process && *ps->process) {
		o->named = ps->process;
		o->agent_pid = proc_find(p->pid, ps->process);
		o->agent_found = o->agent_pid != 0;
	}
	if (o->agent_pid == 0)
		o->agent_pid = run_child(p->pid);
}
