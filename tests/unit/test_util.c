/* test_util.c - agent names, shell-like word splitting, UTF-8, buffers. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
test_name_accepts_letters_digits_dash_underscore(void **state)
{
	(void)state;
	assert_int_equal(name_check("alpha", NULL), 0);
	assert_int_equal(name_check("a", NULL), 0);
	assert_int_equal(name_check("9lives", NULL), 0);
	assert_int_equal(name_check("agent_1-b", NULL), 0);
	char max[VIGIL_NAME_MAX + 1];
	memset(max, 'x', VIGIL_NAME_MAX);
	max[VIGIL_NAME_MAX] = '\0';
	assert_int_equal(name_check(max, NULL), 0);
}

static void
test_name_rejects_bad_characters_and_lengths(void **state)
{
	(void)state;
	char err[VIGIL_ERR_LEN];
	const char *bad[] = {"", "x;y", "a b", "a/b", "a.b", "a:b", "é", "a\nb", "$(id)",
	    "-x", "_vigil", "a=b", "a'b", NULL};
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(name_check(bad[i], err), -1);
	char longer[VIGIL_NAME_MAX + 2];
	memset(longer, 'x', VIGIL_NAME_MAX + 1);
	longer[VIGIL_NAME_MAX + 1] = '\0';
	assert_int_equal(name_check(longer, err), -1);
	assert_non_null(strstr(err, "longer than 64"));
}

static void
test_name_error_quotes_name_safely(void **state)
{
	(void)state;
	char err[VIGIL_ERR_LEN];
	assert_int_equal(name_check("x;y", err), -1);
	assert_string_equal(err, "invalid agent name 'x;y': only A-Z a-z 0-9 _ - allowed");
	assert_int_equal(name_check("a\nb", err), -1);
	assert_null(strchr(err, '\n'));
}

static void
check_split(const char *in, const char *const *want)
{
	struct strv v = {0};
	char err[VIGIL_ERR_LEN];
	assert_int_equal(split_words(in, &v, err), 0);
	size_t n = 0;
	while (want[n])
		n++;
	assert_int_equal(v.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v.v[i], want[i]);
	assert_null(v.v[n]);
	strv_free(&v);
}

static void
test_split_words_like_a_shell_without_expansion(void **state)
{
	(void)state;
	check_split("claude -p --max-turns 1",
	    (const char *[]){"claude", "-p", "--max-turns", "1", NULL});
	check_split("  a   b\t", (const char *[]){"a", "b", NULL});
	check_split("echo 'x;y $HOME'", (const char *[]){"echo", "x;y $HOME", NULL});
	check_split("a \"b \\\"c\\\" $d\"", (const char *[]){"a", "b \"c\" $d", NULL});
	check_split("a\\ b c", (const char *[]){"a b", "c", NULL});
	check_split("x''y \"\"", (const char *[]){"xy", "", NULL});
	check_split("$(rm -rf /) `id`", (const char *[]){"$(rm", "-rf", "/)", "`id`", NULL});
}

static void
test_split_words_rejects_unterminated_and_empty(void **state)
{
	(void)state;
	struct strv v = {0};
	char err[VIGIL_ERR_LEN];
	assert_int_equal(split_words("a 'b", &v, err), -1);
	assert_non_null(strstr(err, "unterminated"));
	assert_int_equal(split_words("a \"b", &v, err), -1);
	assert_int_equal(split_words("   ", &v, err), -1);
	assert_int_equal(v.n, 0);
}

static void
test_utf8_valid_and_sanitize(void **state)
{
	(void)state;
	assert_true(utf8_valid("héllo ✻ ⠋", strlen("héllo ✻ ⠋")));
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\xc3", 1));
	assert_false(utf8_valid("\xc0\xaf", 2));       /* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));   /* surrogate */
	struct buf b = {0};
	utf8_sanitize("a\xffz\xc3", &b);
	assert_string_equal(b.data, "a\xef\xbf\xbdz\xef\xbf\xbd");
	buf_free(&b);
}

static void
test_buf_grows_and_formats(void **state)
{
	(void)state;
	struct buf b = {0};
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(strlen(b.data), b.len);
	assert_memory_equal(b.data, "0,1,2,", 6);
	char *s = buf_steal(&b);
	assert_null(b.data);
	free(s);
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
}

static void
test_quote_word_round_trips_through_split(void **state)
{
	(void)state;
	const char *words[] = {"plain", "x;y $HOME", "it's", "", "a\"b", NULL};
	struct buf b = {0};
	for (size_t i = 0; words[i]; i++) {
		if (i)
			buf_puts(&b, " ");
		quote_word(&b, words[i]);
	}
	check_split(b.data, words);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_accepts_letters_digits_dash_underscore),
		cmocka_unit_test(test_name_rejects_bad_characters_and_lengths),
		cmocka_unit_test(test_name_error_quotes_name_safely),
		cmocka_unit_test(test_split_words_like_a_shell_without_expansion),
		cmocka_unit_test(test_split_words_rejects_unterminated_and_empty),
		cmocka_unit_test(test_utf8_valid_and_sanitize),
		cmocka_unit_test(test_buf_grows_and_formats),
		cmocka_unit_test(test_quote_word_round_trips_through_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
