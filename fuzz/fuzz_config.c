/*
 * fuzz_config.c - libFuzzer target for config_load (src/config.c): the INI
 * file read through libinih with vigil's own line-counting reader. The input
 * is the file's contents, written into one memfd that every run reuses and
 * read back by its /proc/self/fd path. Asserted, from config.h and the
 * documented ranges of the keys (vigil.conf(5)):
 *
 * - it answers 0 with a config, or EX_DATAERR with err "PATH:LINE: ..."
 *   where LINE is a line of the file (the file exists, so never
 *   EX_NOINPUT);
 * - a line longer than 199 characters (leading blanks aside) makes the
 *   file an error, never a value cut short in silence, and the line an
 *   error calls "longer than" is such a line (or one of 4095 bytes or
 *   more, blanks included, which the reader reads in pieces); checked on
 *   files without NUL bytes, which fgets does not see as text;
 * - an accepted config holds every value within its key's range, the five
 *   built-in presets, and presets with distinct, valid names;
 * - it frees all it took (LeakSanitizer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "duration.h"
#include "util.h"

/*
 * make fuzz closes this target's stderr (-close_fd_mask=2: a warning line
 * per unknown key would flood the log); its own complaints go to a copy of
 * stderr taken before libFuzzer closes it, as the sanitizers' reports do.
 */
static FILE *report;

#define FUZZ_REPORT report
#include "fuzz.h"

#define LINE_MAX_CHARS 199 /* vigil.conf(5): "at most 199 characters" */
#define DUR_OK(v, min) ((v) >= (min) && (v) <= DURATION_MAX_MS)

static int fd = -1;
static char path[64];

static void
check_config(const struct config *c)
{
	static const char *const builtins[] = {"claude", "codex", "aider", "gemini", "shell"};
	char err[VIGIL_ERR_LEN];

	CHECK(c->path != NULL && strcmp(c->path, path) == 0);
	CHECK(DUR_OK(c->interval, 10) && DUR_OK(c->warn_after, 1));
	CHECK(DUR_OK(c->nudge_after, 1) && DUR_OK(c->triage_after, 1));
	CHECK(DUR_OK(c->terminate_after, 1) && DUR_OK(c->boot_grace, 0));
	CHECK(DUR_OK(c->tmux_timeout, 10) && DUR_OK(c->confirm, 0));
	CHECK(DUR_OK(c->ready_timeout, 0));
	CHECK(c->max_nudges >= 0 && c->max_nudges <= 1000);
	CHECK(c->capture_lines >= 1 && c->capture_lines <= 1000);
	CHECK(DUR_OK(c->rl_cooldown, 1) && DUR_OK(c->rl_margin, 0));
	CHECK(c->max_renewals >= 0 && c->max_renewals <= 1000);
	CHECK(c->rl_shared == 0 || c->rl_shared == 1);
	CHECK(DUR_OK(c->crash_window, 1) && DUR_OK(c->crash_cooldown, 0));
	CHECK(c->crash_max_in_window >= 1 && c->crash_max_in_window <= 10);
	CHECK(DUR_OK(c->backoff_base, 0) && DUR_OK(c->backoff_max, 0));
	CHECK(c->backoff_factor >= 1 && c->backoff_factor <= 100);
	CHECK(c->max_restarts >= 0 && c->max_restarts <= 1000000);
	CHECK(DUR_OK(c->triage_timeout, 1) && DUR_OK(c->notify_timeout, 1));
	CHECK(c->triage_max_parallel >= 1 && c->triage_max_parallel <= 64);
	CHECK(c->triage_max_per_hour >= 0 && c->triage_max_per_hour <= 100000);
	CHECK(c->snapshot_keep >= 1 && c->snapshot_keep <= 100000);
	CHECK(c->triage_command == NULL || c->triage_command[0] != '\0');
	CHECK(c->notify_command == NULL || c->notify_command[0] != '\0');
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		CHECK(config_preset(c, builtins[i]) != NULL);
	for (size_t i = 0; i < c->npresets; i++) {
		const struct preset *p = c->presets[i];
		CHECK(p != NULL && p->name != NULL);
		CHECK(p->builtin || name_check(p->name, err) == 0);
		CHECK(config_preset(c, p->name) == p);
	}
}

/*
 * long_line returns the number (from 1) of the first line of data longer
 * than vigil.conf(5) allows, or 0; when only is not 0, tells whether line
 * only is. Leading blanks do not count, since the reader strips them, but
 * a line of 4095 bytes or more is long whatever it holds: the reader's
 * fgets takes it in pieces.
 */
static size_t
long_line(const uint8_t *data, size_t size, size_t only)
{
	size_t line = 1, len = 0, raw = 0;
	int lead = 1;

	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			if ((len > LINE_MAX_CHARS || raw >= 4095) && (only == 0 || only == line))
				return line;
			line++;
			len = raw = 0;
			lead = 1;
			continue;
		}
		raw++;
		if (!(lead && (data[i] == ' ' || data[i] == '\t'))) {
			lead = 0;
			len++;
		}
	}
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd2 = dup(2);
	(void)argc;
	(void)argv;
	report = fd2 != -1 ? fdopen(fd2, "w") : NULL;
	if (report == NULL)
		report = stderr;
	setvbuf(report, NULL, _IONBF, 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = NULL;
	char err[VIGIL_ERR_LEN] = "";
	size_t lines = 1;

	if (fd == -1) {
		fd = memfd_create("vigil-fuzz-config", MFD_CLOEXEC);
		CHECK(fd != -1);
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	int has_nul = memchr(data, '\0', size) != NULL;

	int rc = config_load(path, 1, &c, err);
	if (rc == 0) {
		CHECK(c != NULL);
		CHECK(has_nul || long_line(data, size, 0) == 0);
		check_config(c);
		config_free(c);
		return 0;
	}
	CHECK(rc == EX_DATAERR);
	size_t n = strlen(path);
	char *end;
	if (strncmp(err, path, n) != 0 || err[n] != ':') {
		fprintf(report, "error does not start with the path: '%s'\n", err);
		abort();
	}
	long line = strtol(err + n + 1, &end, 10);
	if (*end != ':' || line < 1 || (size_t)line > lines) {
		fprintf(report, "error names no line of the file (%zu lines): '%s'\n",
		    lines, err);
		abort();
	}
	/* "PATH:LINE: line longer than", not a quoted value that says so */
	if (!has_nul && strncmp(end, ": line longer than ", 19) == 0 &&
	    long_line(data, size, (size_t)line) == 0) {
		fprintf(report, "line %ld is not too long: '%s'\n", line, err);
		abort();
	}
	return 0;
}
