/*
 * resettime.h - when does a rate limit end? Read from the message the
 * agent's CLI printed ("resets 4:50am (Europe/Rome)", "try again in 2 days
 * 1 hour 12 minutes", "limit reached|1767225600"), so that the watchdog
 * cools an agent down for as long as the limit lasts, not for a guess.
 */
#ifndef VIGIL_RESETTIME_H
#define VIGIL_RESETTIME_H

#include <stdint.h>

#define RESET_HORIZON_MS (8LL * 24 * 3600 * 1000) /* a later reset is a misreading */

/*
 * reset_time reads from text (the screen lines around a rate-limit message)
 * when the limit resets. now is the injected clock (unix ms). A time without
 * a zone is in local_tz (an IANA name such as "Europe/Rome"; NULL or "": the
 * process's local zone). Returns 1 with *until (unix ms) when a time was
 * read and is sane (after now and at most RESET_HORIZON_MS ahead), 0
 * otherwise (the caller then uses its default cooldown).
 *
 * When several times appear, the one that starts nearest the end of text
 * (the newest line) decides; if it cannot be read sanely the answer is 0,
 * never an older line's time. A wall-clock time that a DST change skips is
 * read with the offset in force before the change (2:30 in a 2:00->3:00
 * gap is 3:30); one that occurs twice is its first occurrence after now.
 *
 * The zone is applied by setting TZ for the length of the call and then
 * restoring it exactly, so the function is not safe to call while another
 * thread reads the environment or the local time (the watchdog has one).
 */
int reset_time(const char *text, int64_t now, const char *local_tz, int64_t *until);

#endif
