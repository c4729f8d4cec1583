/*
 * verdict.c - parse a triage command's verdict line. Strict on purpose: the
 * model has read untrusted pane text, so a near miss ("continue",
 * "**CONTINUE**", " CONTINUE", "Verdict: CONTINUE") is no verdict rather than
 * a guess, and escalation goes on by time. Only the last non-empty line
 * counts, so a verdict echoed earlier (copied from the pane) never does.
 *
 * Deliberate choices: output holding a NUL byte is not text and is
 * unparseable as a whole; a line ends at LF only (a CR is trailing blank
 * before an LF or at the end, and a control character anywhere else); NUDGE
 * text is counted in characters (code points), and must be valid UTF-8
 * without control or display-changing format characters, since it is typed
 * into an agent's pane.
 */
#include <string.h>

#include "util.h"
#include "verdict.h"

static const struct {
	const char *word;
	enum verdict_kind kind;
} verdicts[] = {
	{"CONTINUE", VERDICT_CONTINUE},
	{"NUDGE", VERDICT_NUDGE},
	{"RESTART", VERDICT_RESTART},
	{"TERMINATE", VERDICT_TERMINATE},
};

#define NUDGE_PREFIX "NUDGE "

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * utf8_decode reads the character at p (avail > 0 bytes) into *cp and
 * returns its length, or 0 when p does not start a valid UTF-8 sequence.
 */
static size_t
utf8_decode(const unsigned char *p, size_t avail, unsigned *cp)
{
	static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 :
	    (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0 || n > avail || !utf8_valid((const char *)p, n))
		return 0;
	unsigned c = p[0] & lead_mask[n];
	for (size_t i = 1; i < n; i++)
		c = (c << 6) | (p[i] & 0x3f);
	*cp = c;
	return n;
}

static int
printable(unsigned c)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 0; /* C0, DEL, C1 */
	/*
	 * Zero-width characters, direction marks and overrides, line and
	 * paragraph separators, invisible operators and the BOM: each would
	 * make a logged or typed line read other than it is.
	 */
	if ((c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x206f) || c == 0xfeff)
		return 0;
	return 1;
}

/*
 * last_line finds the last non-empty line of s[0, end): its start in *b and
 * its end without trailing blanks in *e. Returns 0, or -1 when every line
 * is blank.
 */
static int
last_line(const char *s, size_t end, size_t *b, size_t *e)
{
	while (end > 0 && blank(s[end - 1]))
		end--;
	if (end == 0)
		return -1;
	size_t start = end;
	while (start > 0 && s[start - 1] != '\n')
		start--;
	*b = start;
	*e = end;
	return 0;
}

/*
 * copy_reason copies a line for the log: leading blanks dropped, at most
 * VERDICT_REASON_MAX bytes, never cutting a character, each character that
 * is invalid or not printable shown as '?'.
 */
static void
copy_reason(char *dst, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k = 0;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < len) {
		unsigned c = 0;
		size_t n = utf8_decode(p + i, len - i, &c);
		int ok = n > 0 && printable(c);
		size_t w = ok ? n : 1;
		if (k + w > VERDICT_REASON_MAX)
			break;
		if (ok)
			memcpy(dst + k, p + i, n);
		else
			dst[k] = '?';
		k += w;
		i += n ? n : 1;
	}
	dst[k] = '\0';
}

/*
 * nudge_text checks NUDGE's argument (s, len bytes, trailing blanks already
 * gone) and copies it to dst; 0, or -1 when it is not acceptable text.
 */
static int
nudge_text(const char *s, size_t len, char *dst)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;
	if (len == 0 || p[0] == ' ')
		return -1;
	for (size_t i = 0; i < len;) {
		unsigned c;
		size_t n = utf8_decode(p + i, len - i, &c);
		if (n == 0 || !printable(c) || ++chars > VERDICT_TEXT_MAX)
			return -1;
		i += n;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static enum verdict_kind
parse_line(const char *s, size_t len, struct verdict *v)
{
	size_t plen = strlen(NUDGE_PREFIX);
	for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
		if (verdicts[i].kind != VERDICT_NUDGE && strlen(verdicts[i].word) == len &&
		    memcmp(s, verdicts[i].word, len) == 0)
			return verdicts[i].kind;
	}
	if (len > plen && memcmp(s, NUDGE_PREFIX, plen) == 0 &&
	    nudge_text(s + plen, len - plen, v->text) == 0)
		return VERDICT_NUDGE;
	return VERDICT_NONE;
}

enum verdict_kind
verdict_parse(const char *out, size_t len, struct verdict *v)
{
	size_t b, e;
	memset(v, 0, sizeof *v);
	v->kind = VERDICT_NONE;
	if (out == NULL || last_line(out, len, &b, &e) == -1) {
		v->none = "empty";
		return v->kind;
	}
	if (memchr(out, '\0', len) == NULL)
		v->kind = parse_line(out + b, e - b, v);
	if (v->kind == VERDICT_NONE) {
		v->text[0] = '\0';
		v->none = "unparseable";
		copy_reason(v->reason, out + b, e - b);
		return v->kind;
	}
	size_t rb, re;
	if (last_line(out, b, &rb, &re) == 0)
		copy_reason(v->reason, out + rb, re - rb);
	return v->kind;
}

const char *
verdict_name(enum verdict_kind k)
{
	for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++)
		if (verdicts[i].kind == k)
			return verdicts[i].word;
	return "none";
}
