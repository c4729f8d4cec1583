/*
 * normalise.c - mask what moves on an agent's screen while the agent does
 * nothing, and keep everything else, so that an unchanged hash means "no
 * progress". A mistake one way hides a hung agent behind its own spinner;
 * the other way nudges an agent that works. Every rule below is therefore
 * bound to a context seen on real screens of Claude Code, Codex CLI, Gemini
 * CLI and Aider (tests/unit/test_normalise.c cites them).
 *
 * Masked:
 *
 * - Trailing blanks of every line (space, tab, CR, NBSP U+00A0) and blank
 *   lines at the end of the capture: redraws and resizes move them.
 * - Spinner glyphs anywhere in a line, each becoming '#': braille U+2800-
 *   U+28FF (Gemini, Codex's older TUI, most npm spinners), Claude Code's
 *   dingbats ✢ ✳ ✶ ✺ ✻ ✽ and the quarter circles ◐ ◓ ◑ ◒. None of them
 *   carries meaning in real output.
 * - The lead glyph of a line: its first non-blank character when it is a
 *   spinner glyph, or one of · * • ◦ ● ⏺ | / - \ followed by a blank or the
 *   end of the line. It becomes one blank, not '#', because lead glyphs blink
 *   off to a blank: Claude Code's ● before a running tool and its status dot
 *   do (anthropics/claude-code#29323), and Codex's • alternates with ◦.
 *   Claude's spinner mixes both sets (· ✢ * ✶ ✻ ✽, ✳ on macOS, ● in recent
 *   versions), so both sets map to the same blank. This masks bullets too
 *   (Claude's ● answer, Codex's •, markdown's - and *) on purpose: the text
 *   after a bullet is kept, so a new bulleted line is still new, and a bullet
 *   that changes alone is never progress. ○ and the other shapes are kept:
 *   no agent animates them.
 * - Aider's scanner (aider/waiting.py): ten cells at the start of a line
 *   holding one "░█" or "█░" pair (ASCII "#=" or "=#") amid spaces, then a
 *   blank or the end. The frame becomes '#'.
 * - On status lines only, counters, each becoming one '#' (so that 59s
 *   turning into 1m 0s changes nothing): elapsed times (12s, 12.3s, 350ms,
 *   1m 42s, 1m42s, 2h 3m, 1h 02m 05s), clocks (01:23, 00:01:23), token
 *   counts (1.2k tokens, 350 tokens, or ↑/↓ and a number, with or without
 *   "tokens", since Claude's arrow flips between sending and receiving) and
 *   byte counts (512 B, 12 kB, 3.4 MB, 10 KiB).
 *   A status line has a spinner glyph (lead or inner) or Aider's scanner, or
 *   the busy hint of Claude, Codex or Gemini ("to interrupt", "esc to
 *   cancel"), or a "(" opening with an elapsed time after a lead glyph or an
 *   ellipsis ("Thundering… (2m 53s · ↓ 10.8k tokens)", which Claude keeps
 *   drawing while its dot blinks off).
 * - On status lines, each run of blanks inside the line squeezes to one
 *   blank: right-aligned text (Gemini's "? for shortcuts") moves whenever a
 *   masked counter or phrase changes width.
 * - Gemini's phrase: on a braille-led line holding "(esc to cancel", or whose
 *   next line starts with it (Gemini's narrow layout), the text between the
 *   glyph and the hint becomes '#'. Gemini rotates a witty phrase there
 *   every 15 s (PHRASE_CHANGE_INTERVAL_MS), which would pass for progress
 *   forever. Its thought subjects share the slot and go with it; its answers
 *   and tool output stay visible.
 *
 * Deliberately kept:
 *
 * - Numbers outside status lines: "Ran 40 tests in 12.3s", "2:38 AM", "12
 *   kB" in a build log are output, and a rerun that changes them is progress.
 * - On status lines, numbers that are not counters: a number right after a
 *   letter, digit, '.', ':', '/' or '_' is part of a word (src/foo.c:123,
 *   v1.2.3, a1b2c3d), and counts without a unit stay ("Fixed 3 tests",
 *   "2024-05-01", "1 background terminal running").
 * - Percentages, anywhere. No animation moves a percentage by itself; a
 *   download, a test run or Codex's "83% context left" moves only when
 *   something happens, and a frozen one stays frozen, so keeping them costs
 *   nothing and shows real progress.
 * - Claude's verb ("Percolating…"): it is chosen once a turn or names the
 *   current todo item, which is progress. Its extended-thinking words climb
 *   from "thinking" to "almost done thinking" over the first 45 s and stop
 *   there (anthropics/claude-code#76031): that delays a stall by 45 s at
 *   most, never hides one.
 * - Invalid UTF-8: copied byte for byte; it matches no rule.
 *
 * Cost: lines are normalised from the last one up, which finds the blank
 * tail and the last `lines` lines in the same pass and stops there. Each
 * line is scanned a few times (hints, parentheses, glyphs, then the copy),
 * so the work is linear in the kept text; no regex engine is needed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "normalise.h"
#include "util.h"

#define BAD_CP 0xffffffffu /* what u8_decode reports for an invalid byte */
#define AIDER_CELLS 10	   /* width of Aider's scanner frame */

/* What analyse() found in one line, for emit() to act on. */
struct line {
	const char *s;
	size_t n;
	size_t aider;	   /* bytes of Aider's frame at the start, or 0 */
	size_t lead;	   /* offset of the lead glyph ... */
	size_t lead_end;   /* ... and past it; 0 when there is none */
	size_t phrase;	   /* Gemini's phrase: [phrase, phrase_end) */
	size_t phrase_end; /* 0 when there is none */
	size_t text;	   /* offset of the first non-blank character */
	int status;	   /* counters are masked, blank runs squeezed */
};

/* One kept line of the output, in the scratch buffer. */
struct span {
	size_t off;
	size_t len;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ends_word tells whether offset i of s (n bytes) ends a word. */
static int
ends_word(const char *s, size_t n, size_t i)
{
	return i >= n || !ch_word(s[i]);
}

/*
 * starts_word tells whether a number may start at offset i: not inside a
 * word, a dotted version, a file:line or a path.
 */
static int
starts_word(const char *s, size_t i)
{
	if (i == 0)
		return 1;
	char p = s[i - 1];
	return !ch_word(p) && p != '.' && p != ':' && p != '/';
}

/* rtrim returns the length of s without its trailing blanks. */
static size_t
rtrim(const char *s, size_t n)
{
	while (n > 0) {
		if (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')
			n--;
		else if (n >= 2 && (unsigned char)s[n - 2] == 0xc2 &&
		    (unsigned char)s[n - 1] == 0xa0)
			n -= 2;
		else
			break;
	}
	return n;
}

/*
 * u8_decode reads the character at s (n > 0 bytes left) into *cp and
 * returns its length; an invalid or cut sequence is one byte of BAD_CP.
 */
static size_t
u8_decode(const char *s, size_t n, uint32_t *cp)
{
	unsigned char c = (unsigned char)s[0];
	size_t len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
	    (c & 0xf8) == 0xf0 ? 4 : 0;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (len == 0 || len > n || !utf8_valid(s, len)) {
		*cp = BAD_CP;
		return 1;
	}
	uint32_t v = c & (0x7fu >> len);
	for (size_t i = 1; i < len; i++)
		v = v << 6 | ((unsigned char)s[i] & 0x3f);
	*cp = v;
	return len;
}

/* spinner_glyph tells whether c only ever serves as a spinner frame. */
static int
spinner_glyph(uint32_t c)
{
	if (c >= 0x2800 && c <= 0x28ff)
		return 1;
	switch (c) {
	case 0x2722: /* ✢ */
	case 0x2733: /* ✳ */
	case 0x2736: /* ✶ */
	case 0x273a: /* ✺ */
	case 0x273b: /* ✻ */
	case 0x273d: /* ✽ */
	case 0x25d0: /* ◐ */
	case 0x25d1: /* ◑ */
	case 0x25d2: /* ◒ */
	case 0x25d3: /* ◓ */
		return 1;
	}
	return 0;
}

/* lead_glyph tells whether c is a spinner frame or bullet at a line's start. */
static int
lead_glyph(uint32_t c)
{
	switch (c) {
	case '*':
	case '|':
	case '/':
	case '-':
	case '\\':
	case 0x00b7: /* · */
	case 0x2022: /* • */
	case 0x25e6: /* ◦ */
	case 0x25cf: /* ● */
	case 0x23fa: /* ⏺ */
		return 1;
	}
	return 0;
}

/*
 * find_ci returns where pat, ASCII lowercase text, first occurs in s in any
 * case. The first byte is compared inline: most positions fail there.
 */
static const char *
find_ci(const char *s, size_t n, const char *pat)
{
	size_t m = strlen(pat);
	for (size_t i = 0; i + m <= n; i++)
		if ((s[i] | 0x20) == pat[0] && strncasecmp(s + i, pat, m) == 0)
			return s + i;
	return NULL;
}

/* number returns the length of the digits (and decimals) at s, or 0. */
static size_t
number(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && ch_digit(s[i]))
		i++;
	if (i > 0 && i + 1 < n && s[i] == '.' && ch_digit(s[i + 1])) {
		i++;
		while (i < n && ch_digit(s[i]))
			i++;
	}
	return i;
}

/* elapsed returns the length of an elapsed time at s (12s, 1m 42s), or 0. */
static size_t
elapsed(const char *s, size_t n)
{
	size_t i = 0, done = 0;
	for (;;) {
		size_t k = number(s + i, n - i);
		if (k == 0)
			break;
		k += i;
		if (k + 1 < n && s[k] == 'm' && s[k + 1] == 's')
			k += 2;
		else if (k < n && (s[k] == 'h' || s[k] == 'm' || s[k] == 's'))
			k++;
		else
			break;
		/* "5min" is not a time; "1m42s" goes on at once. */
		if (k < n && (ch_alpha(s[k]) || s[k] == '_'))
			break;
		done = i = k;
		if (i + 1 < n && s[i] == ' ' && ch_digit(s[i + 1]))
			i++;
	}
	return done;
}

/* clock_time returns the length of a clock at s (01:23, 0:01:23), or 0. */
static size_t
clock_time(const char *s, size_t n)
{
	size_t i = 0, groups = 0;
	while (i < n && ch_digit(s[i]))
		i++;
	if (i == 0 || i > 2)
		return 0;
	while (groups < 2 && i + 2 < n && s[i] == ':' && ch_digit(s[i + 1]) &&
	    ch_digit(s[i + 2])) {
		i += 3;
		groups++;
	}
	if (groups == 0 || !ends_word(s, n, i) || (i < n && s[i] == ':'))
		return 0;
	return i;
}

/*
 * token_count returns the length of a token count at s (1.2k tokens), or 0;
 * without need_word a bare number (1.2k) will do, as after an arrow.
 */
static size_t
token_count(const char *s, size_t n, int need_word)
{
	size_t i = number(s, n);
	if (i == 0)
		return 0;
	if (i < n && (s[i] == 'k' || s[i] == 'K' || s[i] == 'm' || s[i] == 'M'))
		i++;
	size_t j = i;
	if (j < n && s[j] == ' ')
		j++;
	if (j + 5 <= n && memcmp(s + j, "token", 5) == 0) {
		j += 5;
		if (j < n && s[j] == 's')
			j++;
		if (ends_word(s, n, j))
			return j;
	}
	if (need_word || !ends_word(s, n, i))
		return 0;
	return i;
}

/* byte_count returns the length of a byte count at s (3.4 MB), or 0. */
static size_t
byte_count(const char *s, size_t n)
{
	static const char *const units[] = {
		"bytes", "KiB", "MiB", "GiB", "TiB",
		"kB", "KB", "MB", "GB", "TB", "B",
	};
	size_t i = number(s, n);
	if (i == 0)
		return 0;
	if (i < n && s[i] == ' ')
		i++;
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t m = strlen(units[u]);
		if (i + m <= n && memcmp(s + i, units[u], m) == 0 &&
		    ends_word(s, n, i + m))
			return i + m;
	}
	return 0;
}

/* counter returns the length of a counter that starts at s, or 0. */
static size_t
counter(const char *s, size_t n)
{
	size_t k;
	if ((k = token_count(s, n, 1)) > 0)
		return k;
	if ((k = byte_count(s, n)) > 0)
		return k;
	if ((k = elapsed(s, n)) > 0)
		return k;
	return clock_time(s, n);
}

/*
 * arrow_count returns the length of an arrow and its token count at s
 * (↓ 1.2k tokens, ↑ 350), or 0.
 */
static size_t
arrow_count(const char *s, size_t n, size_t arrow)
{
	size_t i = arrow;
	if (i < n && s[i] == ' ')
		i++;
	size_t k = token_count(s + i, n - i, 0);
	return k > 0 ? i + k : 0;
}

/*
 * aider_frame returns the bytes of Aider's scanner at the start of s: ten
 * cells of spaces and one adjacent pair "░█", "█░", "#=" or "=#", then a
 * blank or the end of the line; 0 if there is none.
 */
static size_t
aider_frame(const char *s, size_t n)
{
	uint32_t cell[AIDER_CELLS];
	size_t i = 0, marks = 0, at = 0;

	for (size_t c = 0; c < AIDER_CELLS; c++) {
		if (i >= n)
			return 0;
		i += u8_decode(s + i, n - i, &cell[c]);
		if (cell[c] != ' ') {
			if (marks++ == 0)
				at = c;
		}
	}
	if (marks != 2 || at + 1 >= AIDER_CELLS || (i < n && s[i] != ' '))
		return 0;
	uint32_t a = cell[at], b = cell[at + 1];
	if ((a == 0x2591 && b == 0x2588) || (a == 0x2588 && b == 0x2591) ||
	    (a == '#' && b == '=') || (a == '=' && b == '#'))
		return i;
	return 0;
}

/* any_spinner tells whether s holds a spinner glyph anywhere. */
static int
any_spinner(const char *s, size_t n)
{
	/* Every spinner glyph is a three-byte sequence led by 0xe2. */
	const char *p = s, *end = s + n;
	while ((p = memchr(p, 0xe2, (size_t)(end - p))) != NULL) {
		uint32_t c;
		size_t k = u8_decode(p, (size_t)(end - p), &c);
		if (spinner_glyph(c))
			return 1;
		p += k;
	}
	return 0;
}

/* ellipsis_before tells whether "…" or "..." (and blanks) end s[0, i). */
static int
ellipsis_before(const char *s, size_t i)
{
	while (i > 0 && s[i - 1] == ' ')
		i--;
	return i >= 3 && (memcmp(s + i - 3, "\xe2\x80\xa6", 3) == 0 ||
	    memcmp(s + i - 3, "...", 3) == 0);
}

/*
 * paren_elapsed tells whether a "(" of s opens with an elapsed time and
 * follows an ellipsis, or, when the line has a lead glyph, anywhere.
 */
static int
paren_elapsed(const char *s, size_t n, int lead)
{
	const char *p = s, *end = s + n;
	while ((p = memchr(p, '(', (size_t)(end - p))) != NULL) {
		size_t i = (size_t)(p - s);
		p++;
		if (elapsed(p, (size_t)(end - p)) > 0 &&
		    (lead || ellipsis_before(s, i)))
			return 1;
	}
	return 0;
}

/* cancel_line tells whether s starts, after blanks, with Gemini's hint. */
static int
cancel_line(const char *s, size_t n)
{
	while (n > 0 && is_blank(*s))
		s++, n--;
	return n >= 14 && strncasecmp(s, "(esc to cancel", 14) == 0;
}

/* analyse fills ln for the line s (n bytes, trimmed). */
static void
analyse(struct line *ln, const char *s, size_t n, int next_cancel)
{
	uint32_t c = 0;
	size_t i = 0;

	memset(ln, 0, sizeof *ln);
	ln->s = s;
	ln->n = n;
	ln->aider = aider_frame(s, n);
	if (ln->aider == 0) {
		while (i < n && is_blank(s[i]))
			i++;
		ln->text = i;
		if (i < n) {
			size_t end = i + u8_decode(s + i, n - i, &c);
			if (spinner_glyph(c) ||
			    (lead_glyph(c) && (end == n || is_blank(s[end])))) {
				ln->lead = i;
				ln->lead_end = end;
			}
		}
	}
	ln->status = ln->aider > 0 || any_spinner(s, n) ||
	    find_ci(s, n, "to interrupt") != NULL ||
	    find_ci(s, n, "esc to cancel") != NULL ||
	    paren_elapsed(s, n, ln->lead_end > 0);

	/* Gemini's rotating phrase, between its braille frame and the hint. */
	if (ln->lead_end > 0 && c >= 0x2800 && c <= 0x28ff) {
		const char *hint = find_ci(s, n, "(esc to cancel");
		size_t from = ln->lead_end, to = 0;
		if (hint != NULL)
			to = (size_t)(hint - s);
		else if (next_cancel)
			to = n;
		while (from < to && is_blank(s[from]))
			from++;
		to = from + rtrim(s + from, to > from ? to - from : 0);
		if (to > from) {
			ln->phrase = from;
			ln->phrase_end = to;
		}
	}
}

/* mask appends the run s[from, i) still to copy, then the character with. */
static void
mask(struct buf *out, const char *s, size_t from, size_t i, char with)
{
	buf_add(out, s + from, i - from);
	buf_add(out, &with, 1);
}

/* emit appends the normalised form of ln to out. */
static void
emit(const struct line *ln, struct buf *out)
{
	const char *s = ln->s;
	size_t n = ln->n, i = 0, from = 0;

	if (ln->aider > 0) {
		buf_add(out, (char[]){ NORMALISE_MASK }, 1);
		i = from = ln->aider;
	}
	while (i < n) {
		size_t k;
		uint32_t c;

		if (ln->lead_end > 0 && i == ln->lead) {
			mask(out, s, from, i, ' ');
			i = from = ln->lead_end;
			continue;
		}
		if (ln->phrase_end > 0 && i == ln->phrase) {
			mask(out, s, from, i, NORMALISE_MASK);
			i = from = ln->phrase_end;
			continue;
		}
		if (ln->status && i > ln->text && i + 1 < n && is_blank(s[i]) &&
		    is_blank(s[i + 1])) {
			/* Right-aligned text moves as counters change width. */
			mask(out, s, from, i, ' ');
			while (i < n && is_blank(s[i]))
				i++;
			from = i;
			continue;
		}
		if (ch_digit(s[i])) {
			if (ln->status && starts_word(s, i) &&
			    (k = counter(s + i, n - i)) > 0) {
				mask(out, s, from, i, NORMALISE_MASK);
				i = from = i + k;
				continue;
			}
			/* Skip the whole word: no counter matches its tail. */
			while (i < n && (ch_word(s[i]) || s[i] == '.'))
				i++;
			continue;
		}
		if ((unsigned char)s[i] < 0x80) {
			i++; /* no glyph or arrow is ASCII */
			continue;
		}
		k = u8_decode(s + i, n - i, &c);
		if (spinner_glyph(c)) {
			mask(out, s, from, i, NORMALISE_MASK);
			from = i + k;
		} else if (ln->status && (c == 0x2191 || c == 0x2193)) {
			size_t m = arrow_count(s + i, n - i, k);
			if (m > 0) {
				mask(out, s, from, i, NORMALISE_MASK);
				from = i + m;
				k = m;
			}
		}
		i += k;
	}
	buf_add(out, s + from, n - from);
}

void
normalise_screen(const char *text, size_t len, int lines, struct buf *out)
{
	struct buf tmp = { 0 };
	struct span *kept = NULL;
	size_t nkept = 0, cap = 0;
	const char *below = NULL;
	size_t below_len = 0;

	if (len > 0 && text[len - 1] == '\n')
		len--; /* the last newline ends the last line */
	/*
	 * Walk up from the last line (none when len is 0); tmp holds the kept
	 * lines bottom first.
	 */
	size_t end = len;
	while (len > 0) {
		const char *nl = memrchr(text, '\n', end);
		size_t start = nl != NULL ? (size_t)(nl - text) + 1 : 0;
		const char *s = text + start;
		size_t n = rtrim(s, end - start), off = tmp.len;
		struct line ln;

		analyse(&ln, s, n,
		    below != NULL && cancel_line(below, below_len));
		emit(&ln, &tmp);
		tmp.len = off + rtrim(tmp.data + off, tmp.len - off);
		tmp.data[tmp.len] = '\0';
		if (tmp.len > off || nkept > 0) {
			if (nkept == cap) {
				cap = cap ? cap * 2 : 64;
				kept = xrealloc(kept, cap * sizeof *kept);
			}
			kept[nkept].off = off;
			kept[nkept++].len = tmp.len - off;
			if (lines > 0 && nkept == (size_t)lines)
				break;
		}
		if (start == 0)
			break;
		below = s;
		below_len = n;
		end = start - 1;
	}
	for (size_t i = nkept; i-- > 0;) {
		buf_add(out, tmp.data + kept[i].off, kept[i].len);
		buf_add(out, "\n", 1);
	}
	if (out->data == NULL)
		buf_add(out, "", 0);
	free(kept);
	buf_free(&tmp);
}
