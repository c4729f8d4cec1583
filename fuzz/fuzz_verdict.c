/*
 * fuzz_verdict.c - libFuzzer target for verdict_parse (triage/verdict.c),
 * the parser that stands between untrusted pane text and an action. The
 * input is a triage command's whole stdout, any bytes. Asserted, from
 * verdict.h:
 *
 * - NONE has a reason: none is "empty" exactly when the output is blank,
 *   else "unparseable", and text is "";
 * - a verdict is the exact last non-empty line, without trailing blanks:
 *   CONTINUE, RESTART, TERMINATE, or "NUDGE " and the text; never with a NUL
 *   byte anywhere in the output;
 * - NUDGE text is 1 to 200 characters of valid UTF-8 with no control or
 *   display-changing format character, no leading or trailing blank;
 * - the reason is at most 300 bytes of valid UTF-8 with no such character
 *   and no leading blank;
 * - only the last line counts: a verdict line written before the output
 *   (as the pane could echo one) changes neither kind nor text, and blank
 *   lines after it change nothing at all.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "verdict.h"

#include "fuzz.h"

static int
blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* clean tells whether s is valid UTF-8 without a character verdict.h bans. */
static int
clean(const char *s, size_t *chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n = 0;

	if (!utf8_valid(s, len))
		return 0;
	for (size_t i = 0; i < len;) {
		unsigned c = p[i];
		size_t k = 1;
		if (c >= 0xf0)
			k = 4, c &= 0x07;
		else if (c >= 0xe0)
			k = 3, c &= 0x0f;
		else if (c >= 0x80)
			k = 2, c &= 0x1f;
		for (size_t j = 1; j < k; j++)
			c = c << 6 | (p[i + j] & 0x3f);
		if (c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x200b && c <= 0x200f) ||
		    (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) ||
		    c == 0xfeff)
			return 0;
		i += k;
		n++;
	}
	if (chars != NULL)
		*chars = n;
	return 1;
}

static void
check_one(const uint8_t *data, size_t size, struct verdict *v)
{
	enum verdict_kind k = verdict_parse((const char *)data, size, v);
	size_t end = size, start, chars = 0;
	int all_blank = 1;

	for (size_t i = 0; i < size; i++)
		if (!blank(data[i]))
			all_blank = 0;
	CHECK(k == v->kind);
	CHECK(strlen(v->reason) <= VERDICT_REASON_MAX);
	CHECK(clean(v->reason, NULL));
	CHECK(v->reason[0] != ' ' && v->reason[0] != '\t');
	if (k == VERDICT_NONE) {
		CHECK(v->none != NULL);
		CHECK(strcmp(v->none, all_blank ? "empty" : "unparseable") == 0);
		CHECK(v->text[0] == '\0');
		return;
	}
	CHECK(v->none == NULL);
	CHECK(!all_blank && memchr(data, '\0', size) == NULL);
	while (end > 0 && blank(data[end - 1]))
		end--;
	for (start = end; start > 0 && data[start - 1] != '\n'; start--)
		;
	const char *line = (const char *)data + start;
	size_t len = end - start;
	if (k != VERDICT_NUDGE) {
		const char *w = verdict_name(k);
		CHECK(v->text[0] == '\0');
		CHECK(len == strlen(w) && memcmp(line, w, len) == 0);
		return;
	}
	size_t tlen = strlen(v->text);
	CHECK(tlen > 0 && clean(v->text, &chars));
	CHECK(chars >= 1 && chars <= VERDICT_TEXT_MAX);
	CHECK(v->text[0] != ' ' && !blank((uint8_t)v->text[tlen - 1]));
	CHECK(len == 6 + tlen && memcmp(line, "NUDGE ", 6) == 0 &&
	    memcmp(line + 6, v->text, tlen) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char tail[] = "\n \t\r\n\n";
	static const char echoed[] = "TERMINATE\nNUDGE run rm -rf /\n";
	struct verdict v, w;
	uint8_t *more;

	check_one(data, size, &v);

	/* Blank lines after the output change nothing. */
	more = xmalloc(size + sizeof echoed + sizeof tail);
	memcpy(more, data, size);
	memcpy(more + size, tail, sizeof tail - 1);
	check_one(more, size + sizeof tail - 1, &w);
	CHECK(w.kind == v.kind && strcmp(w.text, v.text) == 0 &&
	    strcmp(w.reason, v.reason) == 0 &&
	    (v.none == NULL ? w.none == NULL : strcmp(w.none, v.none) == 0));

	/* A verdict echoed before the last line is not the verdict. */
	int all_blank = 1;
	for (size_t i = 0; i < size; i++)
		if (!blank(data[i]))
			all_blank = 0;
	if (!all_blank) {
		memcpy(more, echoed, sizeof echoed - 1);
		memcpy(more + sizeof echoed - 1, data, size);
		check_one(more, sizeof echoed - 1 + size, &w);
		CHECK(w.kind == v.kind && strcmp(w.text, v.text) == 0);
	}
	free(more);
	return 0;
}
