/*
 * prompts.c - find and read a prompt template. The binary's own location
 * comes first after the config, so that a build tree uses its own
 * prompts/ and an installed vigil the ones installed with it; the copy
 * built into the binary comes last.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "prompts.h"

#ifndef VIGIL_DATADIR
#define VIGIL_DATADIR "/usr/local/share/vigil"
#endif

#define PROMPT_MAX (1u << 20)

int
prompt_load(const struct config *cfg, const char *name, struct buf *out, char *err)
{
	int rc = -1;
	buf_reset(out);
	/* A configured dir is the only place: no silent fallback. */
	if (cfg && cfg->prompts_dir) {
		char *path = xasprintf("%s/%s", cfg->prompts_dir, name);
		rc = read_file(path, PROMPT_MAX, out, err);
		free(path);
		return rc;
	}
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = '\0';
	char *bindir = xstrdup(n > 0 ? dirname(self) : ".");
	char *cand[] = {
		xasprintf("%s/prompts/%s", bindir, name),
		xasprintf("%s/../../prompts/%s", bindir, name), /* build/<kind>/vigil */
		xasprintf("%s/../share/vigil/prompts/%s", bindir, name),
		xasprintf("%s/prompts/%s", VIGIL_DATADIR, name),
	};
	free(bindir);
	for (size_t i = 0; i < sizeof cand / sizeof *cand; i++) {
		if (rc == -1 && access(cand[i], R_OK) == 0) {
			buf_reset(out);
			rc = read_file(cand[i], PROMPT_MAX, out, err);
		}
		free(cand[i]);
	}
	for (size_t i = 0; rc == -1 && prompt_builtins[i].name; i++)
		if (strcmp(prompt_builtins[i].name, name) == 0) {
			buf_reset(out);
			buf_add(out, prompt_builtins[i].text, prompt_builtins[i].len);
			rc = 0;
		}
	if (rc == -1)
		seterr(err, "prompt template '%s' not found (looked next to the binary and in "
		    "%s/prompts; set [prompts] dir)", name, VIGIL_DATADIR);
	return rc;
}
