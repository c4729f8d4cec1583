/*
 * fuzz_normalise.c - libFuzzer target for normalise_screen
 * (watchdog/normalise.c) and the MD5 of its output (src/hash.c), which
 * together decide whether an agent made progress. The input is a pane
 * capture: any bytes but NUL (normalise.h: a capture holds none). Asserted,
 * from normalise.h:
 *
 * - the output is NUL-free text of whole lines, each ending in '\n', none
 *   with a trailing blank (space, tab, CR, NBSP), the last one not empty,
 *   and no more lines than the input had;
 * - keeping the last N lines (lines = N) gives the last N lines of the
 *   whole output: the walk from the bottom stops early, nothing else;
 * - blanks at the end of the capture (trailing blanks, blank lines) change
 *   neither output nor hash;
 * - a spinner frame changing into another one anywhere changes neither
 *   ("two captures that differ only by such animation give the same
 *   output");
 * - the hash is 32 lowercase hex digits.
 *
 * Not asserted: that normalising the output again changes nothing. It
 * does not hold, by design: a lead glyph becomes a blank, which can make a
 * second bullet the line's lead ("· · x" -> " · x" -> "  x").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "normalise.h"
#include "util.h"

#include "fuzz.h"

/* Claude's dingbats and the quarter circles, each turned into the next. */
static const char *const frames[] = {
	"\xe2\x9c\xa2", "\xe2\x9c\xb3", "\xe2\x9c\xb6", "\xe2\x9c\xba", "\xe2\x9c\xbb",
	"\xe2\x9c\xbd", "\xe2\x97\x90", "\xe2\x97\x91", "\xe2\x97\x92", "\xe2\x97\x93",
};
#define NFRAMES (sizeof frames / sizeof frames[0])

static size_t
count_lines(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			k++;
	return k;
}

static void
normalise(const char *s, size_t n, int lines, struct buf *out, char hash[HASH_HEX_LEN + 1])
{
	buf_reset(out);
	normalise_screen(s, n, lines, out);
	CHECK(out->data != NULL);
	hash_md5_hex(out->data, out->len, hash);
	CHECK(strlen(hash) == HASH_HEX_LEN);
	CHECK(strspn(hash, "0123456789abcdef") == HASH_HEX_LEN);
}

/* check_form checks the shape of an output of text with in_lines lines. */
static void
check_form(const struct buf *out, size_t in_lines)
{
	const unsigned char *s = (const unsigned char *)out->data;
	size_t n = out->len;

	CHECK(strlen(out->data) == n);
	if (n == 0)
		return;
	CHECK(s[n - 1] == '\n');
	CHECK(n >= 2 && s[n - 2] != '\n'); /* the last line is not empty */
	CHECK(count_lines(out->data, n) <= in_lines);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\n' || i == 0)
			continue;
		unsigned char c = s[i - 1];
		CHECK(c != ' ' && c != '\t' && c != '\r');
		CHECK(!(c == 0xa0 && i >= 2 && s[i - 2] == 0xc2));
	}
}

/* tail returns where the last k lines of s (n bytes of whole lines) start. */
static size_t
tail(const char *s, size_t n, size_t k)
{
	size_t i = n;
	if (i == 0)
		return 0;
	i--; /* the last '\n' */
	while (i > 0) {
		if (s[i - 1] == '\n' && --k == 0)
			return i;
		i--;
	}
	return 0;
}

/* animate turns every spinner frame of s into another one, in place. */
static void
animate(unsigned char *s, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++) {
		if (s[i] != 0xe2)
			continue;
		if (s[i + 1] >= 0xa0 && s[i + 1] <= 0xa3 && (s[i + 2] & 0xc0) == 0x80) {
			unsigned c = ((s[i + 1] & 0x3fu) << 6 | (s[i + 2] & 0x3fu)) + 1;
			c = 0x2800 | (c & 0xff);
			s[i + 1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
			s[i + 2] = (unsigned char)(0x80 | (c & 0x3f));
			i += 2;
			continue;
		}
		for (size_t f = 0; f < NFRAMES; f++) {
			if (memcmp(s + i, frames[f], 3) == 0) {
				memcpy(s + i, frames[(f + 1) % NFRAMES], 3);
				i += 2;
				break;
			}
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char blanks[] = " \t\r\xc2\xa0 \n \t\n\n";
	static const int keep[] = {1, 2, 3, 40};
	struct buf all = {0}, out = {0};
	char h_all[HASH_HEX_LEN + 1], h[HASH_HEX_LEN + 1];
	const char *text = (const char *)data;

	if (memchr(data, '\0', size) != NULL)
		return -1; /* not a capture */
	size_t in_lines = count_lines(text, size) + (size > 0 && text[size - 1] != '\n');

	normalise(text, size, 0, &all, h_all);
	check_form(&all, in_lines);

	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		normalise(text, size, keep[i], &out, h);
		check_form(&out, in_lines);
		size_t from = tail(all.data, all.len, (size_t)keep[i]);
		CHECK(out.len == all.len - from);
		CHECK(memcmp(out.data, all.data + from, out.len) == 0);
	}

	char *more = xmalloc(size + sizeof blanks);
	memcpy(more, data, size);
	memcpy(more + size, blanks, sizeof blanks - 1);
	normalise(more, size + sizeof blanks - 1, 0, &out, h);
	CHECK(out.len == all.len && memcmp(out.data, all.data, all.len) == 0);
	CHECK(strcmp(h, h_all) == 0);

	animate((unsigned char *)more, size);
	normalise(more, size, 0, &out, h);
	if (out.len != all.len || memcmp(out.data, all.data, all.len) != 0) {
		fprintf(stderr, "a spinner frame changed the output:\n%s----\n%s----\n",
		    all.data, out.data);
		abort();
	}
	CHECK(strcmp(h, h_all) == 0);

	free(more);
	buf_free(&all);
	buf_free(&out);
	return 0;
}
