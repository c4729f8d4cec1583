/*
 * test_decide.c - the watchdog's tier-0 decisions with a fake clock: exits,
 * crashes, backoff, crash loops, max_restarts, lost sessions, zombies, and
 * the adoption of a launch a dead watchdog made.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "agent.h"
#include "config.h"
#include "decide.h"
#include "store.h"

#define T0 1795600000000LL

struct fx {
	struct config *cfg;
	struct agent a;
	int64_t crashes[STORE_CRASHES_KEPT];
	int ncrash;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->cfg = config_defaults();
	f->cfg->backoff_base = 1000;
	f->cfg->backoff_factor = 2;
	f->cfg->backoff_max = 8000;
	f->cfg->crash_window = 120000;
	f->cfg->crash_max_in_window = 3;
	f->cfg->crash_cooldown = 120000;
	f->cfg->max_restarts = 10;
	f->cfg->boot_grace = 10000;
	memset(&f->a, 0, sizeof f->a);
	f->a.name = xstrdup("alpha");
	f->a.state = xstrdup(ST_WORKING);
	f->a.preset = xstrdup("shell");
	f->a.dir = xstrdup("/tmp");
	f->a.argv = xstrdup("[\"x\"]");
	f->a.restart = xstrdup("on-failure");
	f->a.pid = 100;
	f->a.started = T0;
	f->a.state_since = T0;
	f->a.exit_code = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	agent_free_fields(&f->a);
	config_free(f->cfg);
	free(f);
	return 0;
}

static struct obs
live(int pane_pid)
{
	struct obs o = {.tmux_ok = 1, .session = 1, .pane_pid = pane_pid, .agent_pid = 500};
	return o;
}

static struct obs
exited(int status)
{
	struct obs o = live(100);
	o.pane_dead = 1;
	o.exited = 1;
	o.status = status;
	return o;
}

/* run decides at now and keeps the crash history as the tick would. */
static void
run(struct fx *f, const struct obs *o, int64_t now, struct decision *d)
{
	decide(&f->a, o, f->crashes, f->ncrash, f->cfg, now, d);
	if (d->crashed) {
		memmove(f->crashes + 1, f->crashes, (STORE_CRASHES_KEPT - 1) * sizeof f->crashes[0]);
		f->crashes[0] = now;
		if (f->ncrash < STORE_CRASHES_KEPT)
			f->ncrash++;
	}
}

static int
has_event(const struct decision *d, const char *kind)
{
	for (int i = 0; i < d->nevents; i++)
		if (strcmp(d->events[i].kind, kind) == 0)
			return i + 1;
	return 0;
}

static void
test_exit_zero_is_done_without_restart(void **state)
{
	struct fx *f = *state;
	struct decision d;
	struct obs o = exited(0);
	run(f, &o, T0 + 5000, &d);
	assert_string_equal(f->a.state, ST_DONE);
	assert_int_equal(d.act, ACT_NONE);
	assert_true(has_event(&d, "done"));
	assert_false(d.crashed);
	assert_int_equal(f->a.exit_code, 0);
}

static void
test_exit_zero_restarts_when_policy_always(void **state)
{
	struct fx *f = *state;
	free(f->a.restart);
	f->a.restart = xstrdup("always");
	struct decision d;
	struct obs o = exited(0);
	run(f, &o, T0 + 5000, &d);
	assert_int_equal(d.act, ACT_LAUNCH);
	assert_string_equal(f->a.state, ST_BOOTING);
	assert_false(d.crashed);
}

static void
test_first_crash_restarts_at_once(void **state)
{
	struct fx *f = *state;
	struct decision d;
	struct obs o = exited(3 << 8);
	run(f, &o, T0 + 5000, &d);
	assert_true(d.crashed);
	assert_true(has_event(&d, "crash"));
	assert_string_equal(d.events[has_event(&d, "crash") - 1].detail, "exit 3");
	assert_int_equal(d.act, ACT_LAUNCH);
	assert_true(has_event(&d, "restart"));
	assert_false(has_event(&d, "backoff"));
	assert_string_equal(f->a.state, ST_BOOTING);
	assert_int_equal(f->a.restarts, 1);
	assert_int_equal(f->a.exit_code, 3);
}

static void
test_a_clean_exit_after_a_hangup_is_no_done(void **state)
{
	struct fx *f = *state;
	struct decision d;
	struct obs o = exited(0);
	o.hup = 1; /* its session was killed; the CLI exited 0 on the EOF */
	run(f, &o, T0 + 5000, &d);
	assert_string_not_equal(f->a.state, ST_DONE);
	assert_true(d.crashed);
	assert_int_equal(d.act, ACT_LAUNCH);
}

static void
test_signal_is_a_crash(void **state)
{
	struct fx *f = *state;
	struct decision d;
	struct obs o = exited(9); /* killed by SIGKILL */
	run(f, &o, T0 + 5000, &d);
	assert_true(d.crashed);
	assert_string_equal(d.events[has_event(&d, "crash") - 1].detail, "signal 9");
	assert_int_equal(f->a.exit_signal, 9);
}

static void
test_backoff_grows_and_caps_at_max(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(1, 1000, 2, 8000), 0);
	assert_int_equal(backoff_delay(2, 1000, 2, 8000), 1000);
	assert_int_equal(backoff_delay(3, 1000, 2, 8000), 2000);
	assert_int_equal(backoff_delay(4, 1000, 2, 8000), 4000);
	assert_int_equal(backoff_delay(5, 1000, 2, 8000), 8000);
	assert_int_equal(backoff_delay(40, 1000, 2, 8000), 8000);
	assert_int_equal(backoff_delay(2000, 1000, 100, 8000), 8000);
	assert_int_equal(backoff_delay(3, 400, 1.5, 100000), 600);
}

/* crash_again: the agent that was just launched runs, then crashes at now. */
static void
crash_again(struct fx *f, int64_t now, struct decision *d)
{
	struct obs o = live(200);
	run(f, &o, now - 10, d); /* adopted: working */
	o = exited(1 << 8);
	o.pane_pid = 200;
	run(f, &o, now, d);
}

static void
test_second_crash_waits_with_backoff_event(void **state)
{
	struct fx *f = *state;
	f->cfg->crash_max_in_window = 10;
	struct decision d;
	struct obs o = exited(1 << 8);
	run(f, &o, T0 + 1000, &d);
	assert_int_equal(d.act, ACT_LAUNCH);
	crash_again(f, T0 + 2000, &d);
	assert_int_equal(d.act, ACT_NONE);
	assert_string_equal(f->a.state, ST_RESTARTING);
	int i = has_event(&d, "backoff");
	assert_true(i);
	assert_string_equal(d.events[i - 1].detail, "1s before restart 2 (2 in a row)");
	assert_int_equal(f->a.next_at, T0 + 3000);
	assert_int_equal(d.wake, T0 + 3000);
	/* Not yet due: nothing. Due: launch. */
	o = exited(1 << 8);
	o.pane_pid = 200;
	run(f, &o, T0 + 2500, &d);
	assert_int_equal(d.act, ACT_NONE);
	run(f, &o, T0 + 3000, &d);
	assert_int_equal(d.act, ACT_LAUNCH);
	assert_int_equal(f->a.restarts, 2);
	crash_again(f, T0 + 4000, &d);
	assert_string_equal(d.events[has_event(&d, "backoff") - 1].detail,
	    "2s before restart 3 (3 in a row)");
}

static void
test_crash_loop_cools_down(void **state)
{
	struct fx *f = *state;
	struct decision d;
	struct obs o = exited(1 << 8);
	run(f, &o, T0 + 1000, &d);
	crash_again(f, T0 + 2000, &d);
	o.pane_pid = 200;
	run(f, &o, T0 + 3000, &d); /* the backoff's launch */
	crash_again(f, T0 + 4000, &d);
	int i = has_event(&d, "crashloop");
	assert_true(i);
	assert_string_equal(d.events[i - 1].detail, "2m cooldown after 3 crashes in 2m");
	assert_true(d.notify);
	assert_string_equal(d.events[d.notify_event].kind, "crashloop");
	assert_string_equal(f->a.state, ST_COOLING);
	assert_string_equal(f->a.cooldown_kind, "crashloop");
	assert_int_equal(f->a.cooldown_until, T0 + 4000 + 120000);
	o.pane_pid = 200;
	run(f, &o, T0 + 60000, &d);
	assert_int_equal(d.act, ACT_NONE);
	run(f, &o, T0 + 124000, &d);
	assert_int_equal(d.act, ACT_LAUNCH);
	assert_null(f->a.cooldown_kind);
	assert_int_equal(f->a.cooldown_until, 0);
}

static void
test_max_restarts_gives_up_as_failed(void **state)
{
	struct fx *f = *state;
	f->cfg->max_restarts = 2;
	f->cfg->crash_max_in_window = 100;
	struct decision d;
	int64_t now = T0;
	struct obs o = exited(1 << 8);
	run(f, &o, now += 1000, &d);
	assert_int_equal(f->a.restarts, 1);
	crash_again(f, now += 1000, &d);
	o.pane_pid = 200;
	run(f, &o, now += 5000, &d);
	assert_int_equal(f->a.restarts, 2);
	crash_again(f, now += 1000, &d);
	assert_string_equal(f->a.state, ST_FAILED);
	int i = has_event(&d, "failed");
	assert_true(i);
	assert_true(d.notify);
	assert_string_equal(d.events[d.notify_event].kind, "failed");
	/* Failed is final: nothing more happens. */
	run(f, &o, now += 100000, &d);
	assert_int_equal(d.nevents, 0);
	assert_int_equal(d.act, ACT_NONE);
}

static void
test_long_run_resets_the_streak(void **state)
{
	struct fx *f = *state;
	f->cfg->crash_max_in_window = 100;
	struct decision d;
	struct obs o = exited(1 << 8);
	run(f, &o, T0 + 1000, &d);
	crash_again(f, T0 + 2000, &d);
	assert_int_equal(f->a.streak, 2);
	o.pane_pid = 200;
	run(f, &o, T0 + 3000, &d); /* launched */
	struct obs l = live(300);
	run(f, &l, T0 + 3100, &d);
	/* Ran for longer than the crash window: the first crash again. */
	o.pane_pid = 300;
	run(f, &o, T0 + 3100 + 200000, &d);
	assert_int_equal(f->a.streak, 1);
	assert_int_equal(d.act, ACT_LAUNCH);
}

static void
test_no_restart_policy_records_and_leaves(void **state)
{
	struct fx *f = *state;
	free(f->a.restart);
	f->a.restart = xstrdup("no");
	struct decision d;
	struct obs o = exited(2 << 8);
	run(f, &o, T0 + 1000, &d);
	assert_true(has_event(&d, "crash"));
	assert_int_equal(d.act, ACT_NONE);
	assert_string_equal(f->a.state, ST_DEAD);
	run(f, &o, T0 + 2000, &d);
	assert_int_equal(d.nevents, 0);
}

static void
test_session_gone_is_dead_then_restart(void **state)
{
	struct fx *f = *state;
	struct decision d;
	struct obs o = {.tmux_ok = 1, .session = 0};
	run(f, &o, T0 + 1000, &d);
	assert_true(has_event(&d, "dead"));
	assert_true(has_event(&d, "crash"));
	assert_int_equal(d.act, ACT_LAUNCH);
	o.server_gone = 1;
	run(f, &o, T0 + 1000, &d); /* booting, within grace: wait */
	assert_int_equal(d.act, ACT_NONE);
	assert_true(d.wake > T0 + 1000);
}

static void
test_reboot_says_so(void **state)
{
	struct fx *f = *state;
	struct decision d;
	struct obs o = {.tmux_ok = 1, .session = 0, .server_gone = 1, .rebooted = 1};
	run(f, &o, T0 + 1000, &d);
	int i = has_event(&d, "dead");
	assert_true(i);
	assert_string_equal(d.events[i - 1].detail, "the machine rebooted");
	assert_int_equal(d.act, ACT_LAUNCH);
	/* It resumes where it stood: a handoff first. */
	assert_string_equal(d.handoff, "the machine rebooted");
}

static void
test_booting_waits_for_its_session_within_grace(void **state)
{
	struct fx *f = *state;
	free(f->a.state);
	f->a.state = xstrdup(ST_BOOTING);
	struct decision d;
	struct obs o = {.tmux_ok = 1, .session = 0};
	run(f, &o, T0 + 5000, &d);
	assert_int_equal(d.nevents, 0);
	assert_string_equal(f->a.state, ST_BOOTING);
	run(f, &o, T0 + 10001, &d);
	assert_true(has_event(&d, "dead"));
}

static void
test_booting_becomes_working_when_seen(void **state)
{
	struct fx *f = *state;
	free(f->a.state);
	f->a.state = xstrdup(ST_BOOTING);
	struct decision d;
	struct obs o = live(100);
	run(f, &o, T0 + 300, &d);
	assert_string_equal(f->a.state, ST_WORKING);
	assert_int_equal(f->a.agent_pid, 500);
}

static void
test_zombie_only_after_the_process_was_seen(void **state)
{
	struct fx *f = *state;
	struct decision d;
	struct obs o = live(100);
	o.named = "fake-agent";
	o.agent_found = 0;
	o.agent_pid = 600; /* the shell under the wrapper */
	run(f, &o, T0 + 1000, &d);
	assert_int_equal(d.nevents, 0); /* never seen: not a zombie */
	o.agent_found = 1;
	o.agent_pid = 700;
	run(f, &o, T0 + 2000, &d);
	assert_int_equal(f->a.seen_proc, 1);
	/* Nothing under the wrapper: it is ending, its exit file comes next. */
	o.agent_found = 0;
	o.agent_pid = 0;
	run(f, &o, T0 + 2100, &d);
	assert_int_equal(d.nevents, 0);
	assert_true(d.wake > T0 + 2100);
	o.agent_pid = 600;
	run(f, &o, T0 + 3000, &d);
	assert_true(has_event(&d, "zombie"));
	assert_true(has_event(&d, "crash"));
	assert_int_equal(d.act, ACT_LAUNCH);
}

static void
test_nothing_without_tmux(void **state)
{
	struct fx *f = *state;
	struct decision d;
	struct obs o = {.tmux_ok = 0};
	run(f, &o, T0 + 99999999, &d);
	assert_int_equal(d.nevents, 0);
	assert_int_equal(d.act, ACT_NONE);
	assert_string_equal(f->a.state, ST_WORKING);
}

static void
test_a_launch_made_before_a_crash_of_the_watchdog_is_adopted(void **state)
{
	struct fx *f = *state;
	f->cfg->crash_max_in_window = 10;
	struct decision d;
	struct obs o = exited(1 << 8);
	run(f, &o, T0 + 1000, &d);
	crash_again(f, T0 + 2000, &d);
	assert_string_equal(f->a.state, ST_RESTARTING);
	/* The watchdog died after launching; a new one sees a new live pane. */
	struct obs l = live(900);
	run(f, &l, T0 + 2500, &d);
	assert_int_equal(d.act, ACT_NONE);
	assert_string_equal(f->a.state, ST_WORKING);
	assert_int_equal(f->a.pid, 900);
}

static void
test_stopped_and_failed_agents_are_left_alone(void **state)
{
	struct fx *f = *state;
	const char *states[] = {ST_STOPPED, ST_FAILED, ST_DONE, NULL};
	for (size_t i = 0; states[i]; i++) {
		free(f->a.state);
		f->a.state = xstrdup(states[i]);
		struct decision d;
		struct obs o = {.tmux_ok = 1, .session = 0};
		run(f, &o, T0 + 1000, &d);
		assert_int_equal(d.nevents, 0);
		assert_int_equal(d.act, ACT_NONE);
	}
}

static void
test_launch_failure_schedules_a_retry(void **state)
{
	struct fx *f = *state;
	f->cfg->crash_max_in_window = 10;
	struct decision d;
	struct obs o = exited(1 << 8);
	run(f, &o, T0 + 1000, &d); /* launch decided */
	decide_launch_failed(&f->a, "no such file", f->crashes, f->ncrash, f->cfg, T0 + 1001, &d);
	assert_true(has_event(&d, "error"));
	assert_string_equal(f->a.state, ST_RESTARTING);
	assert_true(f->a.next_at > T0 + 1001);
}

/* Tiers 1-4: the screen. */

static void
tier_conf(struct fx *f)
{
	f->cfg->interval = 100;
	f->cfg->confirm = 100;
	f->cfg->warn_after = 1000;
	f->cfg->nudge_after = 2000;
	f->cfg->triage_after = 4000;
	f->cfg->terminate_after = 6000;
	f->cfg->max_nudges = 2;
	struct preset *p = config_preset(f->cfg, "shell");
	free(p->nudge);
	p->nudge = xstrdup("go on");
}

static struct obs
seen(const char *hash)
{
	struct obs o = live(100);
	o.captured = 1;
	snprintf(o.hash, sizeof o.hash, "%s", hash);
	return o;
}

/* step runs ticks every 100 ms from *now to until, with screen o, and
 * returns how many events of kind happened; the last decision in *d. */
static int
step(struct fx *f, struct obs *o, int64_t *now, int64_t until, const char *kind,
    struct decision *d)
{
	int n = 0;
	while (*now < until) {
		*now += 100;
		run(f, o, *now, d);
		for (int i = 0; i < d->nevents; i++)
			if (strcmp(d->events[i].kind, kind) == 0)
				n++;
		free(d->send_text);
		d->send_text = NULL;
	}
	return n;
}

static void
test_a_changing_screen_is_never_warned(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	char h[33];
	for (int64_t now = T0; now < T0 + 20000; now += 100) {
		snprintf(h, sizeof h, "%032lld", (long long)now);
		struct obs o = seen(h);
		run(f, &o, now, &d);
		assert_int_equal(d.nevents, 0);
		assert_int_equal(f->a.tier, 0);
	}
}

static void
test_a_hang_walks_warn_nudge_triage_terminate_in_order(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	int64_t now = T0;
	run(f, &o, now, &d); /* baseline */
	const char *order[] = {"warn", "nudge", "nudge", "terminate", NULL};
	size_t next = 0;
	int triage = 0, typed = 0, entered = 0, relaunched = 0;
	while (now < T0 + 6000) {
		now += 100;
		run(f, &o, now, &d);
		if (d.act == ACT_TRIAGE)
			triage++;
		if (d.act == ACT_TYPE) {
			typed++;
			assert_string_equal(d.send_text, "go on");
		}
		if (d.act == ACT_ENTER)
			entered++;
		relaunched += d.act == ACT_LAUNCH;
		for (int i = 0; i < d.nevents; i++) {
			if (strcmp(d.events[i].kind, "restart") == 0)
				continue;
			assert_non_null(order[next]);
			assert_string_equal(d.events[i].kind, order[next]);
			next++;
		}
		free(d.send_text);
		d.send_text = NULL;
	}
	assert_null(order[next]);
	if (triage != 1 || typed != 2)
		fail_msg("triage %d typed %d entered %d", triage, typed, entered);
	assert_true(entered >= 2);
	assert_int_equal(relaunched, 1); /* terminate, then restart */
}

static void
test_tiers_fire_at_their_times(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	int64_t now = T0;
	run(f, &o, now, &d);
	assert_int_equal(step(f, &o, &now, T0 + 900, "warn", &d), 0);
	assert_int_equal(step(f, &o, &now, T0 + 1000, "warn", &d), 1);
	assert_int_equal(f->a.tier, 1);
	assert_string_equal(f->a.state, ST_STALLED);
	assert_int_equal(f->a.stall_since, T0);
	assert_int_equal(step(f, &o, &now, T0 + 1900, "nudge", &d), 0);
	assert_int_equal(step(f, &o, &now, T0 + 2000, "nudge", &d), 1);
	assert_int_equal(f->a.tier, 2);
	assert_int_equal(step(f, &o, &now, T0 + 3900, "nudge", &d), 1); /* the 2nd at 3s */
	assert_int_equal(f->a.tier, 2);
	now += 100;
	run(f, &o, now, &d);
	assert_int_equal(d.act, ACT_TRIAGE);
	assert_int_equal(f->a.tier, 3);
	assert_int_equal(step(f, &o, &now, T0 + 5900, "terminate", &d), 0);
	assert_int_equal(step(f, &o, &now, T0 + 6000, "terminate", &d), 1);
}

static void
test_vigils_own_typing_is_not_progress(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	int64_t now = T0;
	run(f, &o, now, &d);
	step(f, &o, &now, T0 + 2000, "nudge", &d); /* the nudge is typed */
	assert_int_equal(f->a.nudges, 1);
	/* Its echo shows up, then Enter's: neither is progress. */
	o = seen("bbbb");
	now += 100;
	run(f, &o, now, &d);
	assert_int_equal(d.act, ACT_ENTER);
	o = seen("cccc");
	now += 100;
	run(f, &o, now, &d);
	assert_int_equal(f->a.tier, 2);
	assert_int_equal(f->a.last_change, T0);
	/* The clock ran on: terminate still comes at 6s after the last progress. */
	assert_int_equal(step(f, &o, &now, T0 + 6000, "terminate", &d), 1);
}

static void
test_enter_is_pressed_again_when_the_screen_did_not_move(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	int64_t now = T0;
	run(f, &o, now, &d);
	step(f, &o, &now, T0 + 2000, "nudge", &d);
	o = seen("typed");
	now += 100;
	run(f, &o, now, &d);
	assert_int_equal(d.act, ACT_ENTER);
	now += 100;
	run(f, &o, now, &d); /* still "typed": Enter was swallowed */
	assert_int_equal(d.act, ACT_ENTER);
	now += 100;
	run(f, &o, now, &d);
	assert_int_equal(d.act, ACT_NONE);
}

static void
test_real_change_puts_the_agent_back_to_tier_zero(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	int64_t now = T0;
	run(f, &o, now, &d);
	step(f, &o, &now, T0 + 4000, "warn", &d);
	assert_int_equal(f->a.tier, 3);
	o = seen("new text");
	now += 5000; /* well past the echo of the last nudge */
	run(f, &o, now, &d);
	assert_int_equal(f->a.tier, 0);
	assert_int_equal(f->a.nudges, 0);
	assert_int_equal(f->a.triages, 0);
	assert_int_equal(f->a.stall_since, 0);
	assert_string_equal(f->a.state, ST_WORKING);
	assert_int_equal(f->a.last_change, now);
}

static void
test_busy_holds_the_nudge_but_not_triage_or_terminate(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	o.busy = "(?i)esc to interrupt";
	int64_t now = T0;
	run(f, &o, now, &d);
	int typed = 0, triage = 0, held = 0;
	while (now < T0 + 6000) {
		now += 100;
		run(f, &o, now, &d);
		typed += d.act == ACT_TYPE;
		triage += d.act == ACT_TRIAGE;
		for (int i = 0; i < d.nevents; i++)
			if (strcmp(d.events[i].kind, "nudge") == 0) {
				assert_string_equal(d.events[i].detail, "held: busy ((?i)esc to interrupt)");
				held++;
			}
		free(d.send_text);
		d.send_text = NULL;
	}
	assert_int_equal(typed, 0);
	assert_int_equal(held, 1);
	assert_int_equal(triage, 1);
	assert_true(has_event(&d, "terminate"));
}

static void
test_an_attached_person_holds_the_nudge(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	o.attached = 1;
	int64_t now = T0;
	run(f, &o, now, &d);
	assert_int_equal(step(f, &o, &now, T0 + 3900, "nudge", &d), 1);
	assert_int_equal(f->a.nudges, 0);
	/* The person detaches: the nudge goes. */
	o.attached = 0;
	now += 100;
	run(f, &o, now, &d);
	assert_int_equal(d.act, ACT_TYPE);
	free(d.send_text);
}

static void
test_idle_at_its_prompt_is_nudged_without_warn(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	o.idle = "^> $";
	int64_t now = T0;
	run(f, &o, now, &d);
	assert_string_equal(f->a.state, ST_IDLE);
	assert_int_equal(step(f, &o, &now, T0 + 1900, "warn", &d), 0);
	now += 100;
	run(f, &o, now, &d);
	assert_int_equal(d.act, ACT_TYPE);
	assert_true(has_event(&d, "nudge"));
	free(d.send_text);
}

static void
test_a_trust_dialog_is_told_once_and_never_nudged(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	snprintf(o.trust, sizeof o.trust, "Do you trust the files in this folder?");
	int64_t now = T0;
	run(f, &o, now, &d);
	int warns = 0, typed = 0, notified = 0;
	while (now < T0 + 5900) {
		now += 100;
		run(f, &o, now, &d);
		typed += d.act == ACT_TYPE;
		notified += d.notify && strcmp(d.events[d.notify_event].kind, "warn") == 0;
		for (int i = 0; i < d.nevents; i++)
			if (strcmp(d.events[i].kind, "warn") == 0 && strstr(d.events[i].detail, "trust"))
				warns++;
		free(d.send_text);
		d.send_text = NULL;
	}
	assert_int_equal(notified, 1);
	assert_int_equal(warns, 1);
	assert_int_equal(typed, 0);
}

static void
test_activity_beyond_the_screen_is_progress(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	struct decision d;
	struct obs o = seen("aaaa");
	int64_t now = T0;
	run(f, &o, now, &d);
	step(f, &o, &now, T0 + 1500, "warn", &d);
	assert_int_equal(f->a.tier, 1);
	o.activity = now - 50; /* the transcript was written just now */
	now += 100;
	run(f, &o, now, &d);
	assert_int_equal(f->a.tier, 0);
}

static void
test_the_pending_task_is_typed_when_the_screen_is_still(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	f->a.pending = xstrdup("fix the tests");
	struct decision d;
	struct obs o = seen("aaaa");
	int64_t now = T0;
	run(f, &o, now, &d);
	assert_int_equal(d.act, ACT_NONE);
	now += 100;
	run(f, &o, now, &d);
	assert_int_equal(d.act, ACT_TYPE);
	assert_string_equal(d.send_text, "fix the tests");
	assert_true(d.send_pending);
	assert_null(f->a.pending);
	free(d.send_text);
}

/* Rate limits and verdicts. */

static struct obs
limit_seen(const char *hash, const char *line, int64_t until)
{
	struct obs o = seen(hash);
	snprintf(o.limit, sizeof o.limit, "%s", line);
	snprintf(o.limit_hash, sizeof o.limit_hash, "%032zx", strlen(line));
	o.limit_until = until;
	return o;
}

static void
rl_conf(struct fx *f)
{
	tier_conf(f);
	f->cfg->rl_cooldown = 4000;
	f->cfg->rl_margin = 500;
	f->cfg->max_renewals = 2;
}

static void
test_a_limit_cools_until_its_reset_plus_margin(void **state)
{
	struct fx *f = *state;
	rl_conf(f);
	struct decision d;
	struct obs o = limit_seen("aaaa", "limit reached, try again in 1h", T0 + 3600000);
	run(f, &o, T0, &d);
	assert_string_equal(f->a.state, ST_COOLING);
	assert_string_equal(f->a.cooldown_kind, "ratelimit");
	assert_int_equal(f->a.cooldown_until, T0 + 3600000 + 500);
	assert_true(has_event(&d, "ratelimit"));
	assert_true(d.notify);
	assert_int_equal(d.share_until, T0 + 3600500);
	/* Nothing escalates while cooling, and the same line never re-triggers. */
	int64_t now = T0;
	assert_int_equal(step(f, &o, &now, T0 + 60000, "warn", &d), 0);
	assert_int_equal(step(f, &o, &now, T0 + 61000, "ratelimit", &d), 0);
	assert_int_equal(step(f, &o, &now, T0 + 62000, "nudge", &d), 0);
}

static void
test_an_unreadable_reset_uses_the_default_cooldown(void **state)
{
	struct fx *f = *state;
	rl_conf(f);
	struct decision d;
	struct obs o = limit_seen("aaaa", "usage limit reached", 0);
	run(f, &o, T0, &d);
	assert_int_equal(f->a.cooldown_until, T0 + 4000);
	assert_int_equal(d.share_until, 0); /* no reset time: nothing to share */
}

static void
test_renewals_shrink_then_a_forced_restart(void **state)
{
	struct fx *f = *state;
	rl_conf(f);
	struct decision d;
	struct obs o = limit_seen("aaaa", "usage limit reached", 0);
	int64_t now = T0;
	run(f, &o, now, &d);
	now = T0 + 4000;
	run(f, &o, now, &d);
	assert_true(has_event(&d, "renew"));
	assert_int_equal(f->a.cooldown_until, now + 4000); /* cooldown / 1 */
	now += 4000;
	run(f, &o, now, &d);
	assert_int_equal(f->a.cooldown_until, now + 2000); /* cooldown / 2 */
	now += 2000;
	run(f, &o, now, &d);
	assert_true(has_event(&d, "renew"));
	assert_int_equal(d.act, ACT_LAUNCH);
	assert_non_null(strstr(d.handoff, "forced restart"));
}

static void
test_a_limit_gone_at_expiry_types_the_resume_text(void **state)
{
	struct fx *f = *state;
	rl_conf(f);
	struct preset *p = config_preset(f->cfg, "shell");
	free(p->resume);
	p->resume = xstrdup("continue");
	struct decision d;
	struct obs o = limit_seen("aaaa", "usage limit reached", 0);
	run(f, &o, T0, &d);
	struct obs moved = seen("the screen moved on");
	run(f, &moved, T0 + 4000, &d);
	assert_true(has_event(&d, "cooldown-end"));
	assert_int_equal(d.act, ACT_TYPE);
	assert_string_equal(d.send_text, "continue");
	assert_string_equal(f->a.state, ST_WORKING);
	assert_int_equal(f->a.tier, 0);
	free(d.send_text);
}

static void
test_a_quota_exit_cools_instead_of_crashing(void **state)
{
	struct fx *f = *state;
	rl_conf(f);
	struct decision d;
	struct obs o = exited(1 << 8);
	snprintf(o.limit, sizeof o.limit, "usage limit reached");
	snprintf(o.limit_hash, sizeof o.limit_hash, "%s", "ffff");
	o.limit_until = T0 + 60000;
	run(f, &o, T0, &d);
	assert_false(d.crashed);
	assert_false(has_event(&d, "crash"));
	assert_string_equal(f->a.state, ST_COOLING);
	assert_int_equal(d.act, ACT_NONE);
	/* At the reset it is started again. */
	run(f, &o, T0 + 30000, &d);
	assert_int_equal(d.act, ACT_NONE);
	run(f, &o, T0 + 60500, &d);
	assert_int_equal(d.act, ACT_LAUNCH);
}

/* triage_tier walks an agent to its triage tier and returns the clock. */
static int64_t
triage_tier(struct fx *f, struct decision *d)
{
	tier_conf(f);
	struct obs o = seen("aaaa");
	int64_t now = T0;
	run(f, &o, now, d);
	step(f, &o, &now, T0 + 4000, "warn", d);
	assert_int_equal(f->a.tier, 3);
	return now;
}

static void
test_verdict_continue_is_a_reprieve_bounded_by_terminate(void **state)
{
	struct fx *f = *state;
	struct decision d;
	int64_t now = triage_tier(f, &d);
	decide_verdict(&f->a, VERDICT_CONTINUE, NULL, "CONTINUE", NULL, 0, f->cfg, now, &d);
	assert_true(has_event(&d, "verdict"));
	assert_int_equal(f->a.tier_clock, now - f->cfg->triage_after);
	struct obs o = seen("aaaa");
	assert_int_equal(step(f, &o, &now, T0 + 6000, "terminate", &d), 1);
}

static void
test_verdict_nudge_types_its_text_as_a_nudge(void **state)
{
	struct fx *f = *state;
	struct decision d;
	int64_t now = triage_tier(f, &d);
	decide_verdict(&f->a, VERDICT_NUDGE, "run the tests", "NUDGE run the tests", NULL, 0,
	    f->cfg, now, &d);
	assert_string_equal(f->a.pending, "run the tests");
	struct obs o = seen("aaaa");
	run(f, &o, now + 100, &d);
	assert_int_equal(d.act, ACT_TYPE);
	assert_string_equal(d.send_text, "run the tests");
	free(d.send_text);
}

static void
test_verdict_restart_hands_off_and_restarts(void **state)
{
	struct fx *f = *state;
	struct decision d;
	int64_t now = triage_tier(f, &d);
	decide_verdict(&f->a, VERDICT_RESTART, NULL, "RESTART", NULL, 0, f->cfg, now, &d);
	assert_int_equal(d.act, ACT_LAUNCH);
	assert_string_equal(d.handoff, "triage verdict: RESTART");
}

static void
test_verdict_terminate_hands_off_and_stops(void **state)
{
	struct fx *f = *state;
	struct decision d;
	int64_t now = triage_tier(f, &d);
	decide_verdict(&f->a, VERDICT_TERMINATE, NULL, "TERMINATE", NULL, 0, f->cfg, now, &d);
	assert_int_equal(d.act, ACT_KILL);
	assert_string_equal(f->a.state, ST_STOPPED);
	assert_true(has_event(&d, "terminate"));
	assert_true(d.notify);
}

static void
test_a_verdict_after_progress_only_logs(void **state)
{
	struct fx *f = *state;
	struct decision d;
	int64_t now = triage_tier(f, &d);
	struct obs o = seen("new");
	run(f, &o, now + 5000, &d);
	assert_int_equal(f->a.tier, 0);
	decide_verdict(&f->a, VERDICT_TERMINATE, NULL, "TERMINATE", NULL, 0, f->cfg, now, &d);
	assert_int_equal(d.act, ACT_NONE);
	assert_string_equal(f->a.state, ST_WORKING);
	assert_int_equal(d.nevents, 1);
}

/*
 * A pane with no process under it (its wrapper stopped before it started
 * the agent; found by the chaos drill): nothing within boot_grace, then the
 * screen tiers end it by time, as any stall.
 */
static void
test_a_pane_with_no_process_stalls_out_after_boot_grace(void **state)
{
	struct fx *f = *state;
	tier_conf(f);
	f->cfg->boot_grace = 3000;
	free(f->a.state);
	f->a.state = xstrdup(ST_BOOTING);
	f->a.last_seen = T0;
	struct decision d;
	struct obs o = seen("aaaa");
	o.agent_pid = 0;
	int64_t now = T0;
	assert_int_equal(step(f, &o, &now, T0 + 2900, "warn", &d), 0);
	assert_string_equal(f->a.state, ST_BOOTING);
	assert_int_equal(d.wake, T0 + 3000);
	/* The stall clock starts at the first screen seen after the grace. */
	assert_int_equal(step(f, &o, &now, T0 + 3900, "warn", &d), 0);
	assert_string_equal(f->a.state, ST_WORKING);
	assert_int_equal(step(f, &o, &now, T0 + 4000, "warn", &d), 1);
	assert_int_equal(step(f, &o, &now, T0 + 8900, "terminate", &d), 0);
	assert_int_equal(step(f, &o, &now, T0 + 9000, "terminate", &d), 1);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_exit_zero_is_done_without_restart),
		T(test_exit_zero_restarts_when_policy_always),
		T(test_first_crash_restarts_at_once),
		T(test_signal_is_a_crash),
		T(test_a_clean_exit_after_a_hangup_is_no_done),
		T(test_backoff_grows_and_caps_at_max),
		T(test_second_crash_waits_with_backoff_event),
		T(test_crash_loop_cools_down),
		T(test_max_restarts_gives_up_as_failed),
		T(test_long_run_resets_the_streak),
		T(test_no_restart_policy_records_and_leaves),
		T(test_session_gone_is_dead_then_restart),
		T(test_reboot_says_so),
		T(test_booting_waits_for_its_session_within_grace),
		T(test_booting_becomes_working_when_seen),
		T(test_zombie_only_after_the_process_was_seen),
		T(test_nothing_without_tmux),
		T(test_a_launch_made_before_a_crash_of_the_watchdog_is_adopted),
		T(test_stopped_and_failed_agents_are_left_alone),
		T(test_launch_failure_schedules_a_retry),
		T(test_a_changing_screen_is_never_warned),
		T(test_a_hang_walks_warn_nudge_triage_terminate_in_order),
		T(test_tiers_fire_at_their_times),
		T(test_vigils_own_typing_is_not_progress),
		T(test_enter_is_pressed_again_when_the_screen_did_not_move),
		T(test_real_change_puts_the_agent_back_to_tier_zero),
		T(test_busy_holds_the_nudge_but_not_triage_or_terminate),
		T(test_a_pane_with_no_process_stalls_out_after_boot_grace),
		T(test_an_attached_person_holds_the_nudge),
		T(test_idle_at_its_prompt_is_nudged_without_warn),
		T(test_a_trust_dialog_is_told_once_and_never_nudged),
		T(test_activity_beyond_the_screen_is_progress),
		T(test_the_pending_task_is_typed_when_the_screen_is_still),
		T(test_a_limit_cools_until_its_reset_plus_margin),
		T(test_an_unreadable_reset_uses_the_default_cooldown),
		T(test_renewals_shrink_then_a_forced_restart),
		T(test_a_limit_gone_at_expiry_types_the_resume_text),
		T(test_a_quota_exit_cools_instead_of_crashing),
		T(test_verdict_continue_is_a_reprieve_bounded_by_terminate),
		T(test_verdict_nudge_types_its_text_as_a_nudge),
		T(test_verdict_restart_hands_off_and_restarts),
		T(test_verdict_terminate_hands_off_and_stops),
		T(test_a_verdict_after_progress_only_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
