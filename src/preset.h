/*
 * preset.h - built-in presets and the lifetime of a struct preset (the
 * struct itself is in config.h, since the config owns the presets).
 */
#ifndef VIGIL_PRESET_H
#define VIGIL_PRESET_H

#include <stddef.h>

#include "util.h"

struct preset;

#define PRESET_DEFAULT_NUDGE \
	"Please continue with your task. If you are blocked, say in one line what blocks you."

/* preset_builtins returns a malloc'd array of fresh built-in presets. */
struct preset **preset_builtins(size_t *n);

/* preset_new returns an empty preset with default texts. */
struct preset *preset_new(const char *name);

void preset_free(struct preset *p);

/*
 * preset_argv splits the preset's command into argv (the shell preset, or a
 * preset without command, gives $SHELL). 0, or -1 with err set.
 */
int preset_argv(const struct preset *p, struct strv *out, char *err);

#endif
