/*
 * prompts.h - the text templates in prompts/ (triage prompt, resume prompt,
 * agent preamble), read from the configured dir or the installed one, so
 * that users can edit them.
 */
#ifndef VIGIL_PROMPTS_H
#define VIGIL_PROMPTS_H

#include "util.h"

struct config;

/* A template of prompts/ compiled into the binary (build-aux/embed.sh). */
struct prompt_builtin {
	const char *name;
	const char *text;
	size_t len;
};

/* prompt_builtins ends with a NULL name. */
extern const struct prompt_builtin prompt_builtins[];

/*
 * prompt_load reads template name (e.g. "triage.md") into out. A [prompts]
 * dir in the config is the only place looked at when set; else, in order:
 * prompts/ next to the binary (a build tree), ../share/vigil/prompts from
 * the binary, the install dir, and last the copy built into the binary, so
 * that a vigil copied without its share dir still resumes and triages.
 * Returns 0, or -1 with err saying where it looked.
 */
int prompt_load(const struct config *cfg, const char *name, struct buf *out, char *err);

#endif
