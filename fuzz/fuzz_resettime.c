/*
 * fuzz_resettime.c - libFuzzer target for reset_time (watchdog/resettime.c),
 * the reader of a rate limit's reset time from the screen lines around the
 * message. The input is those lines (any bytes up to the first NUL). Each
 * input is read at four fixed clocks (before a spring-forward in Europe,
 * before a fall-back in the US, a new year's eve, a leap day) and in four
 * local zones (the process's own, Europe/Rome, America/New_York and
 * Australia/Lord_Howe, whose DST moves by 30 minutes). Asserted, from
 * resettime.h:
 *
 * - it answers 1 or 0; 1 only with now < until <= now + 8 days, and 0
 *   leaves until alone;
 * - TZ is put back exactly as it was, set or unset;
 * - the time nearest the end decides: an older line holding a valid time
 *   before the text changes nothing when the text's own time was read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resettime.h"
#include "util.h"

#include "fuzz.h"

static const int64_t clocks[] = {
	1774744200000LL, /* 2026-03-29 00:30 UTC: Rome springs forward at 01:00 UTC */
	1793511000000LL, /* 2026-11-01 05:30 UTC: New York falls back at 06:00 UTC */
	1798761570000LL, /* 2026-12-31 23:59:30 UTC */
	1835438400000LL, /* 2028-02-29 12:00 UTC */
};

static const char *const zones[] = {
	NULL, "Europe/Rome", "America/New_York", "Australia/Lord_Howe",
};

/* The process's TZ around a call: unset, or set to a zone of its own. */
static const char *const process_tz[] = {NULL, ":Asia/Kolkata"};

#define OLDER "Weekly limit reached · resets in 2 hours.\n"

static int
read_at(const char *text, int64_t now, const char *zone, int64_t *until)
{
	const char *before = getenv("TZ");
	char *saved = before != NULL ? xstrdup(before) : NULL;

	*until = -42;
	int rc = reset_time(text, now, zone, until);
	CHECK(rc == 0 || rc == 1);
	if (rc == 1)
		CHECK(*until > now && *until - now <= RESET_HORIZON_MS);
	else
		CHECK(*until == -42);
	const char *after = getenv("TZ");
	CHECK((saved == NULL) == (after == NULL));
	CHECK(saved == NULL || strcmp(saved, after) == 0);
	free(saved);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	size_t len = strlen(text);
	char *older = xmalloc(sizeof OLDER + len);
	int64_t until, until2;

	memcpy(older, OLDER, sizeof OLDER - 1);
	memcpy(older + sizeof OLDER - 1, text, len + 1);

	for (size_t t = 0; t < sizeof process_tz / sizeof process_tz[0]; t++) {
		if (process_tz[t] != NULL)
			setenv("TZ", process_tz[t], 1);
		else
			unsetenv("TZ");
		for (size_t c = 0; c < sizeof clocks / sizeof clocks[0]; c++) {
			for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
				/* the process's TZ matters only when no zone is given */
				if (t > 0 && zones[z] != NULL)
					continue;
				int rc = read_at(text, clocks[c], zones[z], &until);
				if (rc == 1 && z < 2) {
					CHECK(read_at(older, clocks[c], zones[z], &until2) == 1);
					CHECK(until2 == until);
				}
			}
		}
	}
	unsetenv("TZ");
	free(older);
	free(text);
	return 0;
}
