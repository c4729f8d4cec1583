/*
 * preset.c - the built-in presets: what vigil knows of Claude Code, Codex
 * CLI, Aider, Gemini CLI and a plain shell. The patterns come from the
 * messages these CLIs really print; users extend them in the config.
 *
 * A rate-limit pattern must not fire on a transient error that the CLI
 * retries by itself ("529 ... Overloaded · Retrying in 1 seconds… (attempt
 * 1/10)"): the lookaheads below keep such lines out. Nor on code that merely
 * mentions a limit or a 429, so the generic errors are matched in the shape
 * the CLI prints them ("unexpected status 429 Too Many Requests").
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "pattern.h"
#include "preset.h"
#include "util.h"

/*
 * A CLI counting down to its own next attempt: Claude Code's "· Retrying in
 * 5 seconds… (attempt 2/10)", Codex's "; retrying 1/5 in 202ms…" and
 * "Reconnecting... 1/5", Gemini's "Attempt 1 failed ... Retrying with
 * backoff" or "Retrying after 6173ms", aider's "Retrying in 0.2 seconds...".
 */
#define RETRY_MARK \
	"(?i:retrying (?:in|after|with)\\b|retrying \\d+/\\d+|re-?connecting\\S* \\d+/\\d+" \
	"|\\battempt \\d+(?:/\\d+| failed))"
/* No countdown on the rest of the line (put at the line's start). */
#define NOT_RETRYING "(?!.*" RETRY_MARK ")"
/*
 * Nor in the next 1000 characters (put after the message): Claude Code and
 * aider print the countdown after the error, and Ink wraps a long error with
 * hard newlines that tmux cannot join, so it may be lines below.
 */
#define NO_RETRY_AFTER "(?![\\s\\S]{0,1000}?" RETRY_MARK ")"
/* Codex shows a retried error as the "└" detail of its "Reconnecting..." line. */
#define NOT_DETAIL "(?!\\s*└)"

struct builtin {
	const char *name;
	const char *command;
	const char *process;
	const char *resume_command;
	const char *activity;
	const char *ratelimit[12];
	const char *idle[6];
	const char *busy[6];
	const char *trust[4];
};

static const char *const trust_common[] = {
	"(?i)do you trust the files in this folder\\?",
	"(?i)do you trust the contents of this directory\\?",
	NULL,
};

static const struct builtin builtins[] = {
	{
		.name = "claude",
		.command = "claude",
		.process = "claude",
		.resume_command = "claude --continue",
		/* Claude Code writes its transcript here as it works. */
		.activity = "~/.claude/projects/{dirslug}/*.jsonl",
		.ratelimit = {
			"Claude AI usage limit reached\\|\\d{9,}",
			"(?i)claude (ai )?usage limit reached",
			"(?i)\\b\\d+-hour limit reached",
			"(?i)\\bweekly limit reached",
			"(?i)you(?:'|’)ve hit your (session |weekly |opus |usage )?limit",
			"(?i)you(?:'|’)ve reached your (session |weekly |usage )?limit",
			"(?i)you have hit your (session |weekly |usage )?limit",
			"^" NOT_RETRYING ".*\\brate_limit_error\\b" NO_RETRY_AFTER,
			"^" NOT_RETRYING ".*API Error:? 429\\b" NO_RETRY_AFTER,
		},
		.idle = {
			"^[\\s\\x{a0}│|]*>[\\s\\x{a0}]*[│|]?[\\s\\x{a0}]*$",
			"^\\s*\\? for shortcuts",
		},
		.busy = {
			"(?i)esc to interrupt",
		},
	},
	{
		.name = "codex",
		.command = "codex",
		.process = "codex",
		.resume_command = "codex resume --last",
		.ratelimit = {
			"(?i)you(?:'|’)ve hit your usage limit",
			"(?i)you have hit your usage limit",
			"^" NOT_DETAIL NOT_RETRYING ".*(?i)(?:unexpected status|last status:?) "
			    "429 Too Many Requests" NO_RETRY_AFTER,
			"^" NOT_DETAIL NOT_RETRYING ".*(?i)\\brate limit reached for\\b" NO_RETRY_AFTER,
		},
		.idle = {
			"^[\\s▌›>]*(?i)ask codex to do anything",
			"^\\s*[▌›]\\s*$",
		},
		.busy = {
			"(?i)esc to interrupt",
			"• Working \\(",
		},
	},
	{
		.name = "aider",
		.command = "aider",
		.process = "aider",
		.resume_command = "aider --restore-chat-history",
		.ratelimit = {
			"(?i)the API provider has rate limited you" NO_RETRY_AFTER,
			"^" NOT_RETRYING ".*\\bRateLimitError\\b" NO_RETRY_AFTER,
		},
		.idle = {
			"^[\\w-]*> ?$",
		},
		.busy = {
			"(?i)waiting for .*\\.\\.\\.",
		},
	},
	{
		.name = "gemini",
		.command = "gemini",
		.process = "gemini",
		.resume_command = "gemini",
		.ratelimit = {
			"(?i)you have reached your daily .*quota limit",
			"(?i)quota exceeded for quota metric",
			"^" NOT_RETRYING ".*Status: 429\\b" NO_RETRY_AFTER,
			"^" NOT_RETRYING ".*\\bRESOURCE_EXHAUSTED\\b" NO_RETRY_AFTER,
			"^" NOT_RETRYING ".*(?i)you have exhausted your capacity on this model"
			    NO_RETRY_AFTER,
		},
		.idle = {
			"(?i)^[\\s│|>]*type your message",
		},
		.busy = {
			"(?i)esc to cancel",
		},
	},
	{
		.name = "shell",
		.command = NULL, /* $SHELL, else /bin/sh */
		.process = NULL,
		.resume_command = NULL,
	},
};

static void
add_all(struct patset *ps, const char *const *src)
{
	/* Compiled when first used; test_ratelimit_patterns compiles them all. */
	for (; *src; src++)
		patset_add_trusted(ps, *src);
}

static struct preset *
preset_from(const struct builtin *b)
{
	struct preset *p = xcalloc(1, sizeof *p);
	p->name = xstrdup(b->name);
	p->command = b->command ? xstrdup(b->command) : NULL;
	p->process = b->process ? xstrdup(b->process) : NULL;
	p->resume_command = b->resume_command ? xstrdup(b->resume_command) : NULL;
	p->activity = b->activity ? xstrdup(b->activity) : NULL;
	p->nudge = xstrdup(PRESET_DEFAULT_NUDGE);
	p->resume = xstrdup("continue");
	p->ratelimit = patset_new();
	p->idle = patset_new();
	p->busy = patset_new();
	p->trust = patset_new();
	add_all(p->ratelimit, b->ratelimit);
	add_all(p->idle, b->idle);
	add_all(p->busy, b->busy);
	if (b->process != NULL)
		add_all(p->trust, trust_common);
	p->builtin = 1;
	return p;
}

struct preset **
preset_builtins(size_t *n)
{
	size_t count = sizeof builtins / sizeof builtins[0];
	struct preset **v = xcalloc(count, sizeof *v);
	for (size_t i = 0; i < count; i++)
		v[i] = preset_from(&builtins[i]);
	*n = count;
	return v;
}

struct preset *
preset_new(const char *name)
{
	struct preset *p = xcalloc(1, sizeof *p);
	p->name = xstrdup(name);
	p->nudge = xstrdup(PRESET_DEFAULT_NUDGE);
	p->resume = xstrdup("continue");
	p->ratelimit = patset_new();
	p->idle = patset_new();
	p->busy = patset_new();
	p->trust = patset_new();
	return p;
}

void
preset_free(struct preset *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->command);
	free(p->process);
	free(p->nudge);
	free(p->resume);
	free(p->resume_command);
	free(p->activity);
	free(p->account);
	patset_free(p->ratelimit);
	patset_free(p->idle);
	patset_free(p->busy);
	patset_free(p->trust);
	free(p);
}

int
preset_argv(const struct preset *p, struct strv *out, char *err)
{
	if (p->command == NULL || *p->command == '\0') {
		const char *sh = getenv("SHELL");
		strv_add(out, sh && *sh ? sh : "/bin/sh");
		return 0;
	}
	if (split_words(p->command, out, err) == -1)
		return -1;
	return 0;
}
