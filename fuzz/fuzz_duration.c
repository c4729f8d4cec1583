/*
 * fuzz_duration.c - libFuzzer target for duration_parse and duration_format
 * (src/duration.c). Any bytes are a candidate duration; the parser must
 * answer 0 or -1 without UB. For every value it accepts:
 *
 * - it is 0..DURATION_MAX_MS and err was left alone;
 * - duration_format prints it as something duration_parse reads back, to
 *   within the rounding that format documents (it prints 400ms, 1.5s, 12m,
 *   1h 5m, 3d 2h), and exactly when the value has no finer part;
 * - printing that value again gives the same text (format is a fixed point
 *   after one round trip).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "util.h"

/* grain is how much of ms duration_format may round away. */
static int64_t
grain(int64_t ms)
{
	if (ms < 1000)
		return 0;
	if (ms < 10000 && ms % 1000)
		return 50; /* one decimal of a second, rounded */
	if (ms < 60000)
		return 999;
	if (ms < 600000)
		return 999; /* 9m 59s */
	if (ms < 86400000LL * 2)
		return 60000 - 1;
	return 3600000 - 1;
}

static void
check_round_trip(int64_t ms, const char *src)
{
	char text[64], again[64], err[VIGIL_ERR_LEN];
	int64_t back = -1, back2 = -1;

	duration_format(ms, text, sizeof text);
	if (duration_parse(text, &back, err) != 0) {
		fprintf(stderr, "'%s' = %lld ms prints as '%s', which does not parse: %s\n",
		    src, (long long)ms, text, err);
		abort();
	}
	int64_t d = back > ms ? back - ms : ms - back;
	if (d > grain(ms)) {
		fprintf(stderr, "'%s' = %lld ms prints as '%s' = %lld ms\n", src,
		    (long long)ms, text, (long long)back);
		abort();
	}
	duration_format(back, again, sizeof again);
	if (duration_parse(again, &back2, err) != 0 || back2 != back ||
	    strcmp(again, text) != 0) {
		fprintf(stderr, "'%s' prints as '%s', then as '%s'\n", src, text, again);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	char err[VIGIL_ERR_LEN] = "";
	int64_t ms = -1;

	int rc = duration_parse(s, &ms, err);
	if (rc == 0) {
		if (ms < 0 || ms > DURATION_MAX_MS || err[0] != '\0') {
			fprintf(stderr, "'%s' parsed as %lld ms (err '%s')\n", s,
			    (long long)ms, err);
			abort();
		}
		check_round_trip(ms, s);
	} else if (rc != -1 || err[0] == '\0' || ms != -1) {
		fprintf(stderr, "'%s': rc %d, err '%s', ms %lld\n", s, rc, err,
		    (long long)ms);
		abort();
	}
	/* The data read as a raw value too: format and parse every int64. */
	if (size >= sizeof(int64_t)) {
		int64_t v;
		memcpy(&v, data, sizeof v);
		if (v < 0)
			v = -(v + 1);
		v %= DURATION_MAX_MS + 1;
		check_round_trip(v, "(raw)");
	}
	free(s);
	return 0;
}
