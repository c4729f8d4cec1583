/*
 * test_normalise.c - the screen normaliser and the MD5 of its output: frames
 * of one animation must hash the same, a real new line must not.
 *
 * The screens follow what the four CLIs print, as captured by others with
 * `tmux capture-pane -p` or read from the CLIs' own sources. The status,
 * prompt and footer lines keep the exact shape of those sources (cited at
 * each screen); the conversation around them is ours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "hash.h"
#include "normalise.h"
#include "util.h"

/* norm returns the normalised form of text (malloc'd). */
static char *
norm(const char *text, int lines)
{
	struct buf b = { 0 };
	normalise_screen(text, strlen(text), lines, &b);
	return buf_steal(&b);
}

/* hash_screen fills out with the MD5 of text's normalised form. */
static void
hash_screen(const char *text, char out[HASH_HEX_LEN + 1])
{
	struct buf b = { 0 };
	normalise_screen(text, strlen(text), 0, &b);
	hash_md5_hex(b.data, b.len, out);
	buf_free(&b);
}

/* assert_same checks that two captures normalise and hash alike. */
static void
assert_same(const char *a, const char *b)
{
	char *na = norm(a, 0), *nb = norm(b, 0);
	char ha[HASH_HEX_LEN + 1], hb[HASH_HEX_LEN + 1];

	assert_string_equal(na, nb);
	hash_screen(a, ha);
	hash_screen(b, hb);
	assert_int_equal(strlen(ha), HASH_HEX_LEN);
	assert_string_equal(ha, hb);
	free(na);
	free(nb);
}

/* assert_differ checks that two captures hash differently. */
static void
assert_differ(const char *a, const char *b)
{
	char ha[HASH_HEX_LEN + 1], hb[HASH_HEX_LEN + 1];

	hash_screen(a, ha);
	hash_screen(b, hb);
	assert_int_equal(strlen(ha), HASH_HEX_LEN);
	assert_string_not_equal(ha, hb);
}

/*
 * Claude Code. The layout (answer bullets, the "·"-led spinner line with
 * "(2s · thinking)", the ⎿ tip, the ❯ prompt between rules and the
 * "⏸ manual mode on · esc to interrupt" footer) is that of
 * saifulapm/amx crates/amx-server/tests/fixtures/manifest/
 * claude-working-spinner.txt, a capture-pane of Claude Code v2.1.
 */
#define CLAUDE_HEAD \
	"❯ Add a --dry-run flag to scripts/deploy.sh.\n" \
	"\n" \
	"● Read(scripts/deploy.sh)\n" \
	"  ⎿  Read 88 lines\n" \
	"\n"
#define CLAUDE_FOOT \
	"  ⎿  Tip: Use /permissions to pre-approve and pre-deny bash, edit, and MCP tools\n" \
	"\n" \
	"────────────────────────────────────────────────────────────────────────────────\n" \
	"❯ \n" \
	"────────────────────────────────────────────────────────────────────────────────\n" \
	"  ⏸ manual mode on · esc to interrupt · ← for agents\n" \
	"\n" \
	"\n"

static const char claude_frame_1[] = CLAUDE_HEAD
	"· Percolating… (2s · thinking)\n" CLAUDE_FOOT;
static const char claude_frame_2[] = CLAUDE_HEAD
	"✢ Percolating… (3s · thinking)\n" CLAUDE_FOOT "\n\n\n";
static const char claude_new_line[] = CLAUDE_HEAD
	"● Update(scripts/deploy.sh)\n"
	"✢ Percolating… (3s · thinking)\n" CLAUDE_FOOT;

static void
test_claude_spinner_frames_hash_equal(void **state)
{
	(void)state;
	assert_same(claude_frame_1, claude_frame_2);
}

/*
 * The counters of a longer turn: "(1m 42s · ↓ 1.2k tokens · esc to
 * interrupt)" as in the brief's and herdrdev/herdr#673's screens
 * ("✽ Cascading… (4m 58s · ↓ 20.4k tokens)"); the arrow flips to ↑ while
 * Claude sends, and the Linux frame set includes a plain "*".
 */
static void
test_claude_token_counter_frames_hash_equal(void **state)
{
	(void)state;
	assert_same(CLAUDE_HEAD
	    "✻ Percolating… (59s · ↓ 980 tokens · esc to interrupt)\n" CLAUDE_FOOT,
	    CLAUDE_HEAD
	    "* Percolating… (1m 0s · ↑ 1.2k tokens · esc to interrupt)\n" CLAUDE_FOOT);
	assert_same("✳ Pondering… (1m 42s · esc to interrupt)\n",
	    "✶ Pondering… (2h 3m · esc to interrupt)\n");
}

/*
 * Recent Claude Code draws "● Thundering… (2m 53s · ↓ 10.8k tokens)" with
 * no "esc to interrupt" (herdrdev/herdr#513, qwwiwi/dashi-plugin-claude-code
 * #101), and its dot blinks off (anthropics/claude-code#29323).
 */
static void
test_claude_blinking_status_dot_hash_equal(void **state)
{
	(void)state;
	assert_same("● Thundering… (2m 53s · ↓ 10.8k tokens)\n",
	    "  Thundering… (2m 54s · ↓ 10.9k tokens)\n");
	assert_same("● Thundering… (2m 53s · ↓ 10.8k tokens)\n",
	    "✽ Thundering… (12m 33s · ↓ 21k tokens)\n");
}

/* The ● before a running tool blinks to a blank and back. */
static void
test_claude_tool_bullet_blink_hash_equal(void **state)
{
	(void)state;
	assert_same("● Bash(npm test)\n  ⎿  Running…\n",
	    "  Bash(npm test)\n  ⎿  Running…\n");
}

static void
test_claude_new_output_line_hashes_differ(void **state)
{
	(void)state;
	assert_differ(claude_frame_2, claude_new_line);
}

/*
 * Claude Code at its prompt: the welcome box, the ❯ placeholder and the
 * "? for shortcuts" footer, as in saifulapm/amx .../manifest/
 * claude-idle-prompt.txt (Claude Code v2.1.224), and the "✻ Worked for 26s"
 * line a finished turn leaves (same repository, claude-working-spinner.txt).
 */
static const char claude_prompt[] =
	"╭─── Claude Code v2.1.224 ──────────────────────────╮\n"
	"│                Welcome back!                      │\n"
	"│   Opus 5 (1M context) · Claude Max                │\n"
	"╰───────────────────────────────────────────────────╯\n"
	"\n"
	"● Added --dry-run; the script now prints each step instead of running it.\n"
	"\n"
	"✻ Worked for 26s\n"
	"\n"
	"────────────────────────────────────────────────────────────────────────────────\n"
	"❯ Try \"refactor <filepath>\"\n"
	"────────────────────────────────────────────────────────────────────────────────\n"
	"  ⏸ manual mode on · ? for shortcuts · ← for agents\n"
	"\n\n\n\n";

static void
test_claude_prompt_screen_keeps_its_text(void **state)
{
	(void)state;
	char *n = norm(claude_prompt, 0);
	assert_non_null(strstr(n, "│   Opus 5 (1M context) · Claude Max                │\n"));
	assert_non_null(strstr(n, "\n  Added --dry-run; the script now prints each step"));
	assert_non_null(strstr(n, "\n  Worked for #\n"));
	assert_non_null(strstr(n, "\n❯ Try \"refactor <filepath>\"\n"));
	assert_non_null(strstr(n, "? for shortcuts · ← for agents\n"));
	assert_int_equal(n[strlen(n) - 1], '\n');
	assert_int_not_equal(n[strlen(n) - 2], '\n');
	free(n);
	assert_differ(claude_prompt,
	    "● Added --dry-run; the script now prints each step instead of running it.\n"
	    "● And a test for it.\n");
}

/*
 * Codex CLI 0.157.1 at 100 columns: saifulapm/amx tests/codex/screens/
 * working-100.txt (the box, "• Working (9s • esc to interrupt)", the ›
 * composer and footer); past a minute the time reads "1m 05s" and the dot
 * alternates • and ◦ (saifulapm/amx docs on the codex screens;
 * openai/codex#14497 "Working (Xm Ys • esc to interrupt)").
 */
#define CODEX_HEAD \
	"╭───────────────────────────────────────────╮\n" \
	"│ >_ OpenAI Codex (v0.157.1)                │\n" \
	"│                                           │\n" \
	"│ model:     GPT-6-Luna   /model to change  │\n" \
	"│ directory: ~/src/deploy                   │\n" \
	"╰───────────────────────────────────────────╯\n" \
	"\n" \
	"\n" \
	"› Run the test suite and fix what fails.\n" \
	"\n"
#define CODEX_FOOT \
	"\n" \
	"\n" \
	"› Ask Codex to do anything\n" \
	"\n" \
	"  GPT-6-Luna default · ~/src/deploy · Run shell command\n" \
	"  ? for shortcuts\n"

static const char codex_frame_1[] = CODEX_HEAD
	"• Working (59s • esc to interrupt)\n" CODEX_FOOT;
static const char codex_frame_2[] = CODEX_HEAD
	"◦ Working (1m 05s • esc to interrupt)\n" CODEX_FOOT;
static const char codex_new_line[] = CODEX_HEAD
	"• Ran npm test\n"
	"  └ 41 passing, 1 failing\n"
	"\n"
	"◦ Working (1m 05s • esc to interrupt)\n" CODEX_FOOT;

static void
test_codex_spinner_frames_hash_equal(void **state)
{
	(void)state;
	assert_same(codex_frame_1, codex_frame_2);
	/* Codex's older TUI: a braille frame before "Working". */
	assert_same("⠋ Working (3s • esc to interrupt)\n",
	    "⠙ Working (4s • esc to interrupt)\n");
}

static void
test_codex_new_output_line_hashes_differ(void **state)
{
	(void)state;
	assert_differ(codex_frame_2, codex_new_line);
}

/*
 * Codex at its prompt after a turn: saifulapm/amx tests/codex/screens/
 * idle-after-100.txt ends its answer with a "  2:38 AM" line; a clock in
 * the transcript is output, not a counter.
 */
static void
test_codex_prompt_clock_stays_visible(void **state)
{
	(void)state;
	static const char idle[] = CODEX_HEAD
		"• The suite passes: 42 passing.\n"
		"\n"
		"  2:38 AM\n"
		"\n"
		"                 Tip: Use /export to save your conversation as Markdown.\n"
		CODEX_FOOT;
	char *n = norm(idle, 0);
	assert_non_null(strstr(n, "\n  2:38 AM\n"));
	assert_non_null(strstr(n, "\n› Ask Codex to do anything\n"));
	free(n);
	assert_differ(idle, CODEX_HEAD
	    "• The suite passes: 42 passing.\n"
	    "\n"
	    "  2:39 AM\n"
	    "\n"
	    "                 Tip: Use /export to save your conversation as Markdown.\n"
	    CODEX_FOOT);
}

/*
 * Gemini CLI. The loading line is google-gemini/gemini-cli
 * packages/cli/src/ui/components/LoadingIndicator.tsx: a braille frame, the
 * phrase, "(esc to cancel, 14s)" ("1m", "2m 5s" past a minute) and, on wide
 * panes, right-aligned content such as "? for shortcuts"; the phrase comes
 * from WITTY_LOADING_PHRASES and changes every 15 s (usePhraseCycler.ts,
 * PHRASE_CHANGE_INTERVAL_MS). The input box and footer are those of a
 * Gemini CLI session pasted at
 * https://mikelev.in/futureproof/python-decorators-importlib-live-session .
 */
#define GEMINI_HEAD \
	"✦ I'll start by reading the failing test.\n" \
	" ╭───────────────────────────────────────────────────────────────╮\n" \
	" │ ✓  ReadFile tests/test_parser.py                              │\n" \
	" ╰───────────────────────────────────────────────────────────────╯\n" \
	"\n"
#define GEMINI_FOOT \
	"\n" \
	"╭─────────────────────────────────────────────────────────────────────╮\n" \
	"│ >   Type your message or @path/to/file                              │\n" \
	"╰─────────────────────────────────────────────────────────────────────╯\n" \
	"~/src/parser (main*)  no sandbox (see /docs)    gemini-2.5-pro (97% context left)\n"

static const char gemini_frame_1[] = GEMINI_HEAD
	"⠼ Counting electrons... (esc to cancel, 14s)                    ? for shortcuts\n"
	GEMINI_FOOT;
static const char gemini_frame_2[] = GEMINI_HEAD
	"⠴ Reticulating splines... (esc to cancel, 1m 2s)                ? for shortcuts\n"
	GEMINI_FOOT;
static const char gemini_new_line[] = GEMINI_HEAD
	"✦ The parser rejects an empty file; I'll return an empty tree instead.\n"
	"⠴ Reticulating splines... (esc to cancel, 1m 2s)                ? for shortcuts\n"
	GEMINI_FOOT;

static void
test_gemini_spinner_frames_hash_equal(void **state)
{
	(void)state;
	assert_same(gemini_frame_1, gemini_frame_2);
}

/* Below 80 columns Gemini puts the hint on a line of its own. */
static void
test_gemini_narrow_layout_frames_hash_equal(void **state)
{
	(void)state;
	assert_same("⠦ Enhancing... Enhancing... Still loading\n"
		    "(esc to cancel, 2s)\n",
	    "⠧ Thinking...\n"
	    "(esc to cancel, 1m)\n");
}

static void
test_gemini_new_output_line_hashes_differ(void **state)
{
	(void)state;
	assert_differ(gemini_frame_2, gemini_new_line);
}

/* Gemini at its prompt: the footer's "(97% context left)" is not masked. */
static void
test_gemini_prompt_context_percent_stays_visible(void **state)
{
	(void)state;
	static const char idle[] = GEMINI_HEAD
		"✦ Done: empty input now parses to an empty tree.\n" GEMINI_FOOT;
	char *n = norm(idle, 0);
	assert_non_null(strstr(n, "│ >   Type your message or @path/to/file"));
	assert_non_null(strstr(n, "gemini-2.5-pro (97% context left)\n"));
	free(n);
	assert_differ(idle, GEMINI_HEAD
	    "✦ Done: empty input now parses to an empty tree.\n"
	    "\n"
	    "╭─────────────────────────────────────────────────────────────────────╮\n"
	    "│ >   Type your message or @path/to/file                              │\n"
	    "╰─────────────────────────────────────────────────────────────────────╯\n"
	    "~/src/parser (main*)  no sandbox (see /docs)    gemini-2.5-pro (96% context left)\n");
}

/*
 * Aider. The start-up lines are Coder.get_announcements() and the wait line
 * is WaitingSpinner("Waiting for " + model name) in Aider-AI/aider
 * aider/coders/base_coder.py; its frames are aider/waiting.py's scanner,
 * ten cells with "░█" (ASCII "#=" on terminals without unicode). The usage
 * line after a reply is base_coder's "Tokens: 3.0k sent, 42 received. Cost:
 * $0.0063 message, $0.0063 session.", as in the transcripts users paste.
 */
#define AIDER_HEAD \
	"Aider v0.86.2\n" \
	"Model: anthropic/claude-sonnet-4-20250514 with diff edit format\n" \
	"Git repo: .git with 24 files\n" \
	"Repo-map: using 4096 tokens, auto refresh\n" \
	"Added src/parser.py to the chat.\n" \
	"> Make the parser accept an empty file.\n" \
	"\n"

static const char aider_frame_1[] = AIDER_HEAD
	"░█         Waiting for anthropic/claude-sonnet-4-20250514\n";
static const char aider_frame_2[] = AIDER_HEAD
	"     █░    Waiting for anthropic/claude-sonnet-4-20250514\n";
static const char aider_new_line[] = AIDER_HEAD
	"I'll make parse() return an empty tree for empty input.\n"
	"     █░    Waiting for anthropic/claude-sonnet-4-20250514\n";

static void
test_aider_spinner_frames_hash_equal(void **state)
{
	(void)state;
	assert_same(aider_frame_1, aider_frame_2);
	assert_same(AIDER_HEAD "#=         Waiting for gpt-4o\n",
	    AIDER_HEAD "        =# Waiting for gpt-4o\n");
}

static void
test_aider_new_output_line_hashes_differ(void **state)
{
	(void)state;
	assert_differ(aider_frame_2, aider_new_line);
}

/* Aider at its prompt: the usage line and the commit are output. */
static void
test_aider_prompt_usage_line_stays_visible(void **state)
{
	(void)state;
	static const char idle[] = AIDER_HEAD
		"Tokens: 3.0k sent, 42 received. Cost: $0.0063 message, $0.0063 session.\n"
		"Applied edit to src/parser.py\n"
		"Commit 3f8a21c fix: accept an empty file\n"
		"> \n";
	char *n = norm(idle, 0);
	assert_non_null(strstr(n, "\nRepo-map: using 4096 tokens, auto refresh\n"));
	assert_non_null(strstr(n, "\nTokens: 3.0k sent, 42 received. Cost:"));
	assert_non_null(strstr(n, "\nCommit 3f8a21c fix: accept an empty file\n>\n"));
	free(n);
	assert_differ(idle, AIDER_HEAD
	    "Tokens: 3.1k sent, 42 received. Cost: $0.0063 message, $0.0063 session.\n"
	    "Applied edit to src/parser.py\n"
	    "Commit 3f8a21c fix: accept an empty file\n"
	    "> \n");
}

static void
test_trailing_blanks_ignored(void **state)
{
	(void)state;
	assert_same("one\ntwo\n", "one   \ntwo\t \xc2\xa0 \n");
	char *n = norm("a \t\xc2\xa0\nb", 0);
	assert_string_equal(n, "a\nb\n");
	free(n);
}

static void
test_blank_tail_lines_ignored(void **state)
{
	(void)state;
	assert_same("one\ntwo", "one\ntwo\n\n   \n\t\n");
	/* A blank line inside the screen is kept. */
	assert_differ("one\ntwo\n", "one\n\ntwo\n");
}

static void
test_lines_keeps_last_n(void **state)
{
	(void)state;
	char *n = norm("1\n2\n3\n4\n\n\n", 2);
	assert_string_equal(n, "3\n4\n");
	free(n);
	n = norm("a\n\nb\n", 2);
	assert_string_equal(n, "\nb\n");
	free(n);
	n = norm("only\n", 5);
	assert_string_equal(n, "only\n");
	free(n);
}

static void
test_lines_zero_keeps_all(void **state)
{
	(void)state;
	char *n = norm("1\n2\n3\n", 0);
	assert_string_equal(n, "1\n2\n3\n");
	free(n);
	n = norm("1\n2\n3\n", -1);
	assert_string_equal(n, "1\n2\n3\n");
	free(n);
}

static void
test_invalid_utf8_kept(void **state)
{
	(void)state;
	/* A stray byte, a cut ✻ at a line's end, an overlong '/' and a cut ⠋. */
	static const char bad[] = "x\xff y\n\xe2\x9c\n\xc0\xaf tail\n\xe2\xa0";
	char *n = norm(bad, 0);
	assert_string_equal(n, "x\xff y\n\xe2\x9c\n\xc0\xaf tail\n\xe2\xa0\n");
	free(n);
	assert_differ("x\xff y\n", "x\xfe y\n");
}

static void
test_empty_input(void **state)
{
	(void)state;
	struct buf b = { 0 };
	char h[HASH_HEX_LEN + 1];

	normalise_screen(NULL, 0, 10, &b);
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	normalise_screen("\n\n  \n", 4, 0, &b);
	assert_int_equal(b.len, 0);
	hash_md5_hex(b.data, b.len, h);
	assert_string_equal(h, "d41d8cd98f00b204e9800998ecf8427e");
	buf_free(&b);
}

static void
test_hash_md5_known_values(void **state)
{
	(void)state;
	char h[HASH_HEX_LEN + 1];

	hash_md5_hex(NULL, 0, h);
	assert_string_equal(h, "d41d8cd98f00b204e9800998ecf8427e");
	hash_md5_hex("abc", 3, h);
	assert_string_equal(h, "900150983cd24fb0d6963f7d28e17f72");
	hash_md5_hex("The quick brown fox jumps over the lazy dog", 43, h);
	assert_string_equal(h, "9e107d9d372bb6826bd81d3542a419d6");
}

static void
test_line_of_10000_chars(void **state)
{
	(void)state;
	size_t n = 10000;
	char *a = xmalloc(n + 2), *b = xmalloc(n + 2);

	memset(a, 'x', n);
	memcpy(a, "⠋ ", 4);
	memcpy(a + n - 6, " (12s)", 6);
	a[n] = '\n';
	a[n + 1] = '\0';
	memcpy(b, a, n + 2);
	memcpy(b, "⠙ ", 4);
	memcpy(b + n - 6, " (13s)", 6);
	assert_same(a, b);
	b[n / 2] = 'y';
	assert_differ(a, b);
	free(a);
	free(b);
}

/* On a status line too, a file:line, a count or a version is content. */
static void
test_file_line_numbers_stay_distinct(void **state)
{
	(void)state;
	assert_differ("⠋ Compiling src/foo.c:123 (12s)\n",
	    "⠋ Compiling src/foo.c:124 (12s)\n");
	assert_differ("src/foo.c:12:34: error: expected ';'\n",
	    "src/foo.c:12:35: error: expected ';'\n");
	assert_differ("✻ Reading src/a.c:10:5… (3s · esc to interrupt)\n",
	    "✻ Reading src/a.c:10:6… (3s · esc to interrupt)\n");
}

static void
test_counts_stay_distinct(void **state)
{
	(void)state;
	assert_differ("Fixed 3 tests\n", "Fixed 4 tests\n");
	assert_differ("✻ Fixed 3 tests… (12s · esc to interrupt)\n",
	    "✻ Fixed 4 tests… (12s · esc to interrupt)\n");
	assert_differ("• Working (12s • esc to interrupt) · 1 background terminal running\n",
	    "• Working (12s • esc to interrupt) · 2 background terminal running\n");
}

static void
test_versions_commits_dates_stay_distinct(void **state)
{
	(void)state;
	assert_differ("⠋ Installing v1.2.3 (4s)\n", "⠋ Installing v1.2.4 (4s)\n");
	assert_differ("⠋ Installing 1.2.3 (4s)\n", "⠋ Installing 1.2.4 (4s)\n");
	assert_differ("⠋ Rebasing onto commit a1b2c3d (4s)\n",
	    "⠋ Rebasing onto commit a1b2c3e (4s)\n");
	assert_differ("⠋ Fetching logs for 2024-05-01 (4s)\n",
	    "⠋ Fetching logs for 2024-05-02 (4s)\n");
}

/* A percentage moves only when something happens: it is never masked. */
static void
test_percent_not_masked(void **state)
{
	(void)state;
	assert_differ("⠋ Downloading model 45%\n", "⠙ Downloading model 46%\n");
	assert_differ("  ? for shortcuts        83% context left\n",
	    "  ? for shortcuts        82% context left\n");
}

/* Times in output (no spinner, no busy hint) are output. */
static void
test_durations_outside_status_lines_kept(void **state)
{
	(void)state;
	assert_differ("Ran 40 tests in 12.3s\n", "Ran 40 tests in 12.4s\n");
	assert_differ("==== 5 passed in 0.12s ====\n", "==== 5 passed in 0.13s ====\n");
	assert_differ("Build finished (12s)\n", "Build finished (13s)\n");
	assert_differ("dist/app.js  12 kB\n", "dist/app.js  13 kB\n");
}

static void
test_elapsed_and_clock_counters_masked_on_status_lines(void **state)
{
	(void)state;
	char *n = norm("⠋ Uploading (00:01:23) 12.3s, 350ms, 1m42s, 01:23\n", 0);
	assert_string_equal(n, "  Uploading (#) #, #, #, #\n");
	free(n);
	assert_same("⠋ Syncing (1h 02m 05s)\n", "⠙ Syncing (7s)\n");
}

static void
test_byte_and_token_counters_masked_on_status_lines(void **state)
{
	(void)state;
	assert_same("⠋ Downloading 12 kB of layers\n",
	    "⠙ Downloading 3.4 MB of layers\n");
	assert_same("⠋ Sent 512 B, 1.2k tokens (↑ 350)\n",
	    "⠙ Sent 10 KiB, 2k tokens (↓ 1.1k)\n");
}

static void
test_ascii_spinner_at_line_start(void **state)
{
	(void)state;
	assert_same("| Resolving dependencies\n", "/ Resolving dependencies\n");
	assert_same("- Resolving dependencies\n", "\\ Resolving dependencies\n");
	assert_same("  |\n", "  -\n");
	/* Not in front of a word, and not inside a line. */
	assert_differ("|x Resolving\n", "/x Resolving\n");
	assert_differ("a | b\n", "a / b\n");
}

/* An older Claude Code put the frame after the text (agent-of-empires#414). */
static void
test_spinner_glyph_inside_line_masked(void **state)
{
	(void)state;
	assert_same("Processing ⠋\n", "Processing ⠼\n");
	assert_same("Loading ◐ (2s)\n", "Loading ◓ (3s)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claude_spinner_frames_hash_equal),
		cmocka_unit_test(test_claude_token_counter_frames_hash_equal),
		cmocka_unit_test(test_claude_blinking_status_dot_hash_equal),
		cmocka_unit_test(test_claude_tool_bullet_blink_hash_equal),
		cmocka_unit_test(test_claude_new_output_line_hashes_differ),
		cmocka_unit_test(test_claude_prompt_screen_keeps_its_text),
		cmocka_unit_test(test_codex_spinner_frames_hash_equal),
		cmocka_unit_test(test_codex_new_output_line_hashes_differ),
		cmocka_unit_test(test_codex_prompt_clock_stays_visible),
		cmocka_unit_test(test_gemini_spinner_frames_hash_equal),
		cmocka_unit_test(test_gemini_narrow_layout_frames_hash_equal),
		cmocka_unit_test(test_gemini_new_output_line_hashes_differ),
		cmocka_unit_test(test_gemini_prompt_context_percent_stays_visible),
		cmocka_unit_test(test_aider_spinner_frames_hash_equal),
		cmocka_unit_test(test_aider_new_output_line_hashes_differ),
		cmocka_unit_test(test_aider_prompt_usage_line_stays_visible),
		cmocka_unit_test(test_trailing_blanks_ignored),
		cmocka_unit_test(test_blank_tail_lines_ignored),
		cmocka_unit_test(test_lines_keeps_last_n),
		cmocka_unit_test(test_lines_zero_keeps_all),
		cmocka_unit_test(test_invalid_utf8_kept),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_hash_md5_known_values),
		cmocka_unit_test(test_line_of_10000_chars),
		cmocka_unit_test(test_file_line_numbers_stay_distinct),
		cmocka_unit_test(test_counts_stay_distinct),
		cmocka_unit_test(test_versions_commits_dates_stay_distinct),
		cmocka_unit_test(test_percent_not_masked),
		cmocka_unit_test(test_durations_outside_status_lines_kept),
		cmocka_unit_test(test_elapsed_and_clock_counters_masked_on_status_lines),
		cmocka_unit_test(test_byte_and_token_counters_masked_on_status_lines),
		cmocka_unit_test(test_ascii_spinner_at_line_start),
		cmocka_unit_test(test_spinner_glyph_inside_line_masked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
