/* test_duration.c - durations as people write them, and as vigil prints them. */
#include "unit.h"

#include <string.h>

#include "duration.h"
#include "util.h"

static int64_t
ms(const char *s)
{
	int64_t v = -1;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(duration_parse(s, &v, err), 0);
	return v;
}

static void
test_duration_units(void **state)
{
	(void)state;
	assert_int_equal(ms("250ms"), 250);
	assert_int_equal(ms("2s"), 2000);
	assert_int_equal(ms("5m"), 300000);
	assert_int_equal(ms("1h"), 3600000);
	assert_int_equal(ms("1d"), 86400000);
	assert_int_equal(ms("0s"), 0);
}

static void
test_duration_combined_decimal_and_bare(void **state)
{
	(void)state;
	assert_int_equal(ms("1h30m"), 5400000);
	assert_int_equal(ms("1m 30s"), 90000);
	assert_int_equal(ms("1.5s"), 1500);
	assert_int_equal(ms("0.25s"), 250);
	assert_int_equal(ms("120"), 120000); /* a bare number is seconds */
	assert_int_equal(ms(" 3s "), 3000);
}

static void
test_duration_rejects_garbage(void **state)
{
	(void)state;
	const char *bad[] = {"", "soon", "-1s", "5x", "5 minutes", "1s5", "s", "1..5s",
	    "99999999999999999999h", "400d", "+3s", "3 s s", NULL};
	int64_t v;
	char err[VIGIL_ERR_LEN];
	for (size_t i = 0; bad[i]; i++) {
		v = 42;
		assert_int_equal(duration_parse(bad[i], &v, err), -1);
		assert_int_equal(v, 42);
		assert_non_null(strstr(err, "invalid duration"));
	}
}

static void
test_duration_format_short(void **state)
{
	(void)state;
	char out[32];
	assert_string_equal(duration_format(400, out, sizeof out), "400ms");
	assert_string_equal(duration_format(1000, out, sizeof out), "1s");
	assert_string_equal(duration_format(1500, out, sizeof out), "1.5s");
	assert_string_equal(duration_format(42000, out, sizeof out), "42s");
	assert_string_equal(duration_format(12 * 60000, out, sizeof out), "12m");
	assert_string_equal(duration_format(65 * 60000, out, sizeof out), "1h 5m");
	assert_string_equal(duration_format(-5, out, sizeof out), "0ms");
}

/* Found by fuzz/fuzz_duration.c: 9.96s printed as "10.0s", 1999ms as "2.0s". */
static void
test_duration_format_rounds_to_a_whole_second(void **state)
{
	(void)state;
	char out[32];
	assert_string_equal(duration_format(ms("9.96s"), out, sizeof out), "10s");
	assert_string_equal(duration_format(1999, out, sizeof out), "2s");
	assert_string_equal(duration_format(1001, out, sizeof out), "1s");
	assert_string_equal(duration_format(1049, out, sizeof out), "1s");
	assert_string_equal(duration_format(1050, out, sizeof out), "1.1s");
	assert_string_equal(duration_format(9949, out, sizeof out), "9.9s");
}

static void
test_duration_format_parses_back(void **state)
{
	(void)state;
	int64_t vals[] = {0, 7, 999, 1000, 2500, 59000, 61000, 3600000, 5400000};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		char out[32];
		duration_format(vals[i], out, sizeof out);
		assert_int_equal(ms(out), vals[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_duration_combined_decimal_and_bare),
		cmocka_unit_test(test_duration_rejects_garbage),
		cmocka_unit_test(test_duration_format_short),
		cmocka_unit_test(test_duration_format_rounds_to_a_whole_second),
		cmocka_unit_test(test_duration_format_parses_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
