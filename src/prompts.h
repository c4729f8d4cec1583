/*
 * prompts.h - the text templates in prompts/ (triage prompt, resume prompt,
 * agent preamble), read from the configured dir or the installed one, so
 * that users can edit them.
 */
#ifndef VIGIL_PROMPTS_H
#define VIGIL_PROMPTS_H

#include "util.h"

struct config;

/*
 * prompt_load reads template name (e.g. "triage.md") into out, from, in
 * order: [prompts] dir of the config, prompts/ next to the binary (a build
 * tree), ../share/vigil/prompts from the binary, and the install dir.
 * Returns 0, or -1 with err saying where it looked.
 */
int prompt_load(const struct config *cfg, const char *name, struct buf *out, char *err);

#endif
