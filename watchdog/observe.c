/*
 * observe.c - turn one list-panes, one batched capture and a few /proc
 * reads into a struct obs per agent.
 *
 * The agent's end is read from its wrapper's exit file first (tmux may
 * never fill in the status), from tmux's own status second. The screen
 * is hashed after normalisation (spinners, elapsed-time and token counters
 * masked), and the raw last lines are scanned with the preset's patterns:
 * the hash is the primary signal of progress, the patterns only refine it.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent.h"
#include "config.h"
#include "hash.h"
#include "normalise.h"
#include "observe.h"
#include "pattern.h"
#include "proc.h"
#include "resettime.h"
#include "run.h"
#include "store.h"
#include "tmux.h"

#define ACTIVITY_MAX_FILES 1000 /* files looked at per glob, per tick */

int
observe_fleet(struct tmux *t, struct fleet *f)
{
	memset(f, 0, sizeof *f);
	proc_boot_id(f->boot_id, sizeof f->boot_id);
	f->tmux_rc = tmux_list_panes(t, &f->panes, &f->npanes, f->err);
	return f->tmux_rc;
}

void
observe_screens(struct tmux *t, struct fleet *f, const struct agent *agents,
    size_t n, const struct config *cfg)
{
	f->screens = xcalloc(n ? n : 1, sizeof *f->screens);
	f->names = xcalloc(n ? n : 1, sizeof *f->names);
	f->nscreens = 0;
	if (f->tmux_rc != TMUX_OK)
		return;
	char **targets = xcalloc(n ? n : 1, sizeof *targets);
	size_t *which = xcalloc(n ? n : 1, sizeof *which);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct agent *a = &agents[i];
		const struct pane *p = tmux_pane_for(f->panes, f->npanes, a->name, a->pane_id);
		/* Dead panes too: a CLI that exits on a quota leaves the why. */
		if (p == NULL || !agent_is_live(a->state))
			continue;
		targets[k] = (char *)p->pane_id;
		which[k] = i;
		k++;
	}
	if (k > 0) {
		struct buf *outs = xcalloc(k, sizeof *outs);
		int *ok = xcalloc(k, sizeof *ok);
		char err[VIGIL_ERR_LEN];
		/* Some history too: a long message wraps, a dead pane scrolls. */
		if (tmux_capture_many(t, targets, k, cfg->capture_lines, outs, ok, err) ==
		    TMUX_OK) {
			for (size_t j = 0; j < k; j++) {
				if (!ok[j])
					continue;
				f->names[f->nscreens] = xstrdup(agents[which[j]].name);
				f->screens[f->nscreens++] = outs[j];
				outs[j] = (struct buf){0};
			}
		}
		for (size_t j = 0; j < k; j++)
			buf_free(&outs[j]);
		free(outs);
		free(ok);
	}
	free(targets);
	free(which);
}

void
observe_fleet_free(struct fleet *f)
{
	tmux_panes_free(f->panes, f->npanes);
	for (size_t i = 0; i < f->nscreens; i++) {
		buf_free(&f->screens[i]);
		free(f->names[i]);
	}
	free(f->screens);
	free(f->names);
	memset(f, 0, sizeof *f);
}

size_t
screen_tail(const char *text, size_t len, int lines, const char **start)
{
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' ||
	    text[len - 1] == '\t' || text[len - 1] == '\r'))
		len--;
	/*
	 * Count lines with text only: a dead pane prints its "Pane is dead"
	 * line at the bottom, a screenful of blank lines below the last words.
	 */
	size_t s = len;
	int seen = 0, blank = 1;
	while (s > 0) {
		char c = text[s - 1];
		if (c == '\n') {
			if (!blank && ++seen >= lines)
				break;
			blank = 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			blank = 0;
		}
		s--;
	}
	*start = text + s;
	return len - s;
}

/* glob_escape appends s to b with glob's special characters escaped. */
static void
glob_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("*?[]\\", *s))
			buf_add(b, "\\", 1);
		buf_add(b, s, 1);
	}
}

/*
 * activity returns the newest mtime (ms) of the files the preset's glob
 * names for dir: {dir} is the agent's dir, {dirslug} the same with every
 * character but letters and digits made '-' (how Claude Code names its
 * per-project transcript folder).
 */
static int64_t
activity(const char *pattern, const char *dir)
{
	struct buf g = {0};
	for (const char *p = pattern; *p;) {
		if (strncmp(p, "{dir}", 5) == 0) {
			glob_escape(&g, dir);
			p += 5;
		} else if (strncmp(p, "{dirslug}", 9) == 0) {
			for (const char *d = dir; *d; d++) {
				char c = *d;
				int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				    (c >= '0' && c <= '9');
				buf_add(&g, keep ? d : "-", 1);
			}
			p += 9;
		} else {
			buf_add(&g, p++, 1);
		}
	}
	glob_t gl;
	int64_t newest = 0;
	if (glob(g.data, GLOB_NOSORT | GLOB_TILDE, NULL, &gl) == 0) {
		for (size_t i = 0; i < gl.gl_pathc && i < ACTIVITY_MAX_FILES; i++) {
			struct stat st;
			if (stat(gl.gl_pathv[i], &st) == 0) {
				int64_t ms = (int64_t)st.st_mtim.tv_sec * 1000 +
				    st.st_mtim.tv_nsec / 1000000;
				if (ms > newest)
					newest = ms;
			}
		}
		globfree(&gl);
	}
	buf_free(&g);
	return newest;
}

/* line_at copies the screen line around offset off into out. */
static void
line_at(const char *text, size_t len, size_t off, char *out, size_t n)
{
	size_t s = off, e = off;
	while (s > 0 && text[s - 1] != '\n')
		s--;
	while (e < len && text[e] != '\n')
		e++;
	while (s < e && (text[s] == ' ' || text[s] == '\t'))
		s++;
	size_t k = e - s < n - 1 ? e - s : n - 1;
	memcpy(out, text + s, k);
	out[k] = '\0';
}

/*
 * observe_limit finds the newest rate-limit line in the tail and reads its
 * reset time from that line and what follows it.
 */
static void
observe_limit(const char *tail, size_t n, const struct preset *ps, int64_t now,
    struct obs *o)
{
	size_t so, eo;
	if (patset_match_last(ps->ratelimit, tail, n, &so, &eo) < 0)
		return;
	line_at(tail, n, so, o->limit, sizeof o->limit);
	hash_md5_hex(o->limit, strlen(o->limit), o->limit_hash);
	size_t start = so;
	while (start > 0 && tail[start - 1] != '\n')
		start--;
	char *from = xstrndup(tail + start, n - start);
	int64_t until;
	if (reset_time(from, now, NULL, &until))
		o->limit_until = until;
	free(from);
}

static void
observe_screen(const struct buf *screen, const struct preset *ps,
    const struct config *cfg, const char *dir, int64_t now, struct obs *o)
{
	struct buf norm = {0};
	normalise_screen(screen->data ? screen->data : "", screen->len, cfg->capture_lines,
	    &norm);
	hash_md5_hex(norm.data, norm.len, o->hash);
	buf_free(&norm);
	if (o->hash[0] == '\0')
		return; /* no MD5 here: the screen is unknown, never "unchanged" */
	o->captured = 1;
	if (ps == NULL)
		return;
	const char *tail;
	size_t n = screen_tail(screen->data ? screen->data : "", screen->len,
	    cfg->capture_lines, &tail);
	int k;
	size_t so, eo;
	if ((k = patset_match(ps->busy, tail, n, NULL, NULL)) >= 0)
		o->busy = patset_source(ps->busy, (size_t)k);
	if ((k = patset_match(ps->idle, tail, n, NULL, NULL)) >= 0)
		o->idle = patset_source(ps->idle, (size_t)k);
	if (patset_match(ps->trust, tail, n, &so, &eo) >= 0)
		line_at(tail, n, so, o->trust, sizeof o->trust);
	observe_limit(tail, n, ps, now, o);
	if (ps->activity && *ps->activity)
		o->activity = activity(ps->activity, dir);
}

void
observe_agent(const struct fleet *f, const struct agent *a,
    const struct config *cfg, const char *home, int64_t now, struct obs *o)
{
	memset(o, 0, sizeof *o);
	o->tmux_ok = f->tmux_rc == TMUX_OK || f->tmux_rc == TMUX_NOSERVER;
	if (!o->tmux_ok)
		return;
	o->server_gone = f->tmux_rc == TMUX_NOSERVER;
	o->rebooted = a->boot_id && *a->boot_id && *f->boot_id &&
	    strcmp(a->boot_id, f->boot_id) != 0;
	const struct preset *ps = config_preset(cfg, a->preset);
	if (ps)
		o->account = ps->account && *ps->account ? ps->account : ps->name;
	const struct pane *p = tmux_pane_for(f->panes, f->npanes, a->name, a->pane_id);
	if (p == NULL)
		return;
	o->session = 1;
	o->pane_pid = p->pid;
	o->pane_dead = p->dead;
	o->attached = p->attached;
	for (size_t i = 0; i < f->nscreens; i++)
		if (strcmp(f->names[i], a->name) == 0) {
			observe_screen(&f->screens[i], ps, cfg, a->dir, now, o);
			break;
		}
	if (run_exit_read(home, a->name, p->pid, &o->status, &o->hup)) {
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
	if (ps && ps->process && *ps->process) {
		o->named = ps->process;
		o->agent_pid = proc_find(p->pid, ps->process);
		o->agent_found = o->agent_pid != 0;
	}
	if (o->agent_pid == 0)
		o->agent_pid = run_child(p->pid);
}
