/*
 * duration.h - durations as people write them in the config and on the
 * command line: 250ms, 2s, 5m, 1h, 1d, combined (1h30m) or decimal (1.5s).
 * A bare number means seconds, as in systemd.
 */
#ifndef VIGIL_DURATION_H
#define VIGIL_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define DURATION_MAX_MS (366LL * 24 * 3600 * 1000) /* longer is a typo */

/* duration_parse reads s into *ms; 0, or -1 with err set. */
int duration_parse(const char *s, int64_t *ms, char *err);

/*
 * duration_format writes ms the short way people read it (400ms, 2s, 1.5s,
 * 12m, 1h 5m) into out and returns out.
 */
char *duration_format(int64_t ms, char *out, size_t n);

#endif
