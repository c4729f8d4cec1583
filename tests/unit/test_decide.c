/*
 * test_decide.c - the watchdog's tier-0 decisions with a fake clock: exits,
 * crashes, backoff, crash loops, max_restarts, lost sessions, zombies, and
 * the adoption of a launch a dead watchdog made.
 */
#include "unit.h"

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
	o.agent_found = 0;
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

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_exit_zero_is_done_without_restart),
		T(test_exit_zero_restarts_when_policy_always),
		T(test_first_crash_restarts_at_once),
		T(test_signal_is_a_crash),
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
