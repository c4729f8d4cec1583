/* test_config.c - the INI config: defaults, values, presets, errors. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "pattern.h"
#include "util.h"

static char *
write_conf(const char *text)
{
	char *path = xstrdup("/tmp/vigil-test-conf.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static int
load(const char *text, struct config **c, char *err)
{
	char *path = write_conf(text);
	int rc = config_load(path, 1, c, err);
	unlink(path);
	free(path);
	return rc;
}

static void
test_defaults_match_the_design(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	assert_int_equal(c->warn_after, 5 * 60000);
	assert_int_equal(c->nudge_after, 10 * 60000);
	assert_int_equal(c->triage_after, 20 * 60000);
	assert_int_equal(c->terminate_after, 60 * 60000);
	assert_int_equal(c->rl_cooldown, 300000);
	assert_int_equal(c->max_renewals, 4);
	assert_int_equal(c->crash_window, 120000);
	assert_int_equal(c->crash_max_in_window, 3);
	assert_int_equal(c->crash_cooldown, 120000);
	for (const char *const *n = (const char *const[]){"claude", "codex", "aider",
	    "gemini", "shell", NULL}; *n; n++)
		assert_non_null(config_preset(c, *n));
	assert_null(config_preset(c, "nosuch"));
	config_free(c);
}

static void
test_values_are_read_with_units(void **state)
{
	(void)state;
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(load("[watch]\ninterval = 250ms\nwarn_after = 2s\nmax_nudges = 5\n"
	    "  capture_lines = 12\n[crash]\nbackoff_factor = 1.5\nmax_restarts = 0\n"
	    "[ratelimit]\nshared = no\n[triage]\ncommand = my-triage --fast 'a b'\n", &c, err), 0);
	assert_int_equal(c->interval, 250);
	assert_int_equal(c->warn_after, 2000);
	assert_int_equal(c->max_nudges, 5);
	assert_int_equal(c->capture_lines, 12);
	assert_true(c->backoff_factor == 1.5);
	assert_int_equal(c->max_restarts, 0);
	assert_int_equal(c->rl_shared, 0);
	assert_string_equal(c->triage_command, "my-triage --fast 'a b'");
	config_free(c);
}

static void
test_bad_value_names_file_line_and_key(void **state)
{
	(void)state;
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(load("[watch]\n\n; comment\nwarn_after = soon\n", &c, err), EX_DATAERR);
	assert_null(c);
	assert_non_null(strstr(err, ":4: warn_after: bad value 'soon'"));
	assert_int_equal(load("[crash]\nmax_restarts = -1\n", &c, err), EX_DATAERR);
	assert_non_null(strstr(err, ":2: max_restarts"));
	assert_int_equal(load("[crash]\nbackoff_factor = 0.5\n", &c, err), EX_DATAERR);
	assert_int_equal(load("[ratelimit]\nshared = maybe\n", &c, err), EX_DATAERR);
	assert_int_equal(load("[triage]\ncommand = 'unterminated\n", &c, err), EX_DATAERR);
	assert_int_equal(load("[watch]\ninterval = 0ms\n", &c, err), EX_DATAERR);
}

static void
test_syntax_error_and_long_line_are_errors(void **state)
{
	(void)state;
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(load("[watch]\nthis line has no equals sign\n", &c, err), EX_DATAERR);
	assert_non_null(strstr(err, ":2:"));
	struct buf b = {0};
	buf_puts(&b, "[watch]\nwarn_after = 1s\n[preset x]\nnudge = ");
	for (int i = 0; i < 300; i++)
		buf_puts(&b, "y");
	buf_puts(&b, "\n");
	assert_int_equal(load(b.data, &c, err), EX_DATAERR);
	assert_non_null(strstr(err, ":4: line longer than"));
	buf_free(&b);
}

/*
 * Found by fuzz/fuzz_config.c: a last line without a newline was measured
 * as if it had one, so 200 characters passed and libinih cut the last one.
 */
static void
test_last_line_without_newline_is_not_cut(void **state)
{
	(void)state;
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN];
	struct buf b = {0};
	buf_puts(&b, "[preset x]\nnudge = ");
	for (int i = 0; i < 190; i++)
		buf_puts(&b, "y");
	buf_puts(&b, "z"); /* 199 characters */
	assert_int_equal(load(b.data, &c, err), 0);
	const char *nudge = config_preset(c, "x")->nudge;
	assert_int_equal(strlen(nudge), 191);
	assert_int_equal(nudge[190], 'z');
	config_free(c);
	buf_puts(&b, "!"); /* 200 */
	assert_int_equal(load(b.data, &c, err), EX_DATAERR);
	assert_non_null(strstr(err, ":2: line longer than"));
	buf_free(&b);
}

static void
test_nul_byte_is_bad_data_and_reading_stops(void **state)
{
	(void)state;
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN];
	/* write_conf stops at a NUL: write the bytes by hand. */
	static const char text[] = "[watch]\nwarn_after = 1s\n\0\0\0\n";
	char path[] = "/tmp/vigil-test-conf.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
	close(fd);
	assert_int_equal(config_load(path, 1, &c, err), EX_DATAERR);
	assert_non_null(strstr(err, ":3: a NUL byte"));
	unlink(path);
	/* An input without end is read only up to its first error. */
	assert_int_equal(config_load("/dev/zero", 1, &c, err), EX_DATAERR);
}

static void
test_missing_file_given_is_noinput_default_is_fine(void **state)
{
	(void)state;
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(config_load("/nonexistent/vigil.conf", 1, &c, err), EX_NOINPUT);
	assert_int_equal(config_load("/nonexistent/vigil.conf", 0, &c, err), 0);
	assert_non_null(c);
	config_free(c);
	assert_int_equal(config_load("/tmp", 1, &c, err), EX_NOINPUT);
}

static void
test_preset_override_and_new_preset(void **state)
{
	(void)state;
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN];
	size_t before;
	{
		struct config *d = config_defaults();
		before = patset_count(config_preset(d, "claude")->ratelimit);
		config_free(d);
	}
	assert_int_equal(load("[preset claude]\nnudge = keep going\nratelimit = ^my limit$\n"
	    "[preset bot]\ncommand = bot --interactive\nprocess = bot\nidle = ^bot> $\n"
	    "ratelimit = slow down\nratelimit = too many\n", &c, err), 0);
	struct preset *p = config_preset(c, "claude");
	assert_string_equal(p->nudge, "keep going");
	assert_int_equal(patset_count(p->ratelimit), before + 1);
	const char *line = "x\nmy limit\ny";
	assert_true(patset_match(p->ratelimit, line, strlen(line), NULL, NULL) >= 0);
	p = config_preset(c, "bot");
	assert_non_null(p);
	assert_string_equal(p->command, "bot --interactive");
	assert_string_equal(p->process, "bot");
	assert_int_equal(patset_count(p->ratelimit), 2);
	config_free(c);
	assert_int_equal(load("[preset claude]\nratelimit =\n", &c, err), 0);
	assert_int_equal(patset_count(config_preset(c, "claude")->ratelimit), 0);
	config_free(c);
}

static void
test_bad_pattern_and_bad_preset_name_are_errors(void **state)
{
	(void)state;
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(load("[preset x]\nratelimit = (unclosed\n", &c, err), EX_DATAERR);
	assert_non_null(strstr(err, ":2: ratelimit"));
	assert_int_equal(load("[preset x;y]\nnudge = hi\n", &c, err), EX_DATAERR);
}

static void
test_unknown_key_warns_and_goes_on(void **state)
{
	(void)state;
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(load("[watch]\nwarn_afterr = 5m\n[nosuch]\nx = 1\n", &c, err), 0);
	assert_non_null(c);
	assert_int_equal(c->warn_after, 5 * 60000);
	config_free(c);
}

static void
test_every_builtin_pattern_compiles(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	char err[VIGIL_ERR_LEN];
	size_t total = 0;
	for (size_t i = 0; i < c->npresets; i++) {
		const struct preset *p = c->presets[i];
		const struct patset *sets[] = {p->ratelimit, p->idle, p->busy, p->trust};
		for (size_t k = 0; k < 4; k++)
			for (size_t j = 0; j < patset_count(sets[k]); j++, total++)
				if (pattern_check(patset_source(sets[k], j), err) != 0)
					fail_msg("preset %s: %s", p->name, err);
	}
	assert_true(total > 20);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_match_the_design),
		cmocka_unit_test(test_values_are_read_with_units),
		cmocka_unit_test(test_bad_value_names_file_line_and_key),
		cmocka_unit_test(test_syntax_error_and_long_line_are_errors),
		cmocka_unit_test(test_nul_byte_is_bad_data_and_reading_stops),
		cmocka_unit_test(test_last_line_without_newline_is_not_cut),
		cmocka_unit_test(test_missing_file_given_is_noinput_default_is_fine),
		cmocka_unit_test(test_preset_override_and_new_preset),
		cmocka_unit_test(test_bad_pattern_and_bad_preset_name_are_errors),
		cmocka_unit_test(test_unknown_key_warns_and_goes_on),
		cmocka_unit_test(test_every_builtin_pattern_compiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
