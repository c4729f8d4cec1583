/* test_proc.c - what /proc says: live children, ended ones not yet reaped. */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "run.h"

/* proc_state returns pid's state letter from /proc, or 0. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* until_state waits (at most 5 s) for pid to reach state s. */
static int
until_state(pid_t pid, char s)
{
	struct timespec ts = {0, 5 * 1000 * 1000};
	for (int i = 0; i < 1000; i++) {
		if (proc_state(pid) == s)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void
test_a_live_child_is_the_agent(void **state)
{
	(void)state;
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		pause();
		_exit(0);
	}
	assert_true(proc_alive(c));
	assert_int_equal(run_child(getpid()), c);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

/*
 * A child that has ended but is not reaped yet is the wrapper ending (its
 * exit file comes next), not an agent gone from a live pane.
 */
static void
test_an_ended_unreaped_child_is_no_agent(void **state)
{
	(void)state;
	pid_t c = fork();
	assert_true(c >= 0);
	if (c == 0)
		_exit(3);
	assert_true(until_state(c, 'Z'));
	assert_false(proc_alive(c));
	assert_int_equal(run_child(getpid()), 0);
	assert_int_equal(proc_find(getpid(), "no-such-agent"), 0);
	int status;
	assert_int_equal(waitpid(c, &status, 0), c);
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_int_equal(run_child(getpid()), 0);
}

static void
test_no_such_process(void **state)
{
	(void)state;
	assert_false(proc_alive(0));
	assert_false(proc_alive(-1));
	assert_int_equal(run_child(0), 0);
	assert_int_equal(proc_find(0, "x"), 0);
	assert_int_equal(proc_starttime(-1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_live_child_is_the_agent),
		cmocka_unit_test(test_an_ended_unreaped_child_is_no_agent),
		cmocka_unit_test(test_no_such_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
