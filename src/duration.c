/*
 * duration.c - parse and print durations. Strict: an unknown unit, a sign,
 * an empty string or an absurd value is an error, never a silent zero.
 */
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "util.h"

int
duration_parse(const char *s, int64_t *ms, char *err)
{
	const char *p = s;
	double total = 0;
	int parts = 0;

	while (*p == ' ')
		p++;
	if (*p == '\0') {
		seterr(err, "invalid duration '': expected a number and a unit such as 250ms, 2s, 5m, 1h");
		return -1;
	}
	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (!(*p >= '0' && *p <= '9')) {
			seterr(err, "invalid duration '%s': expected a number and a unit such as 250ms, 2s, 5m, 1h", s);
			return -1;
		}
		double v = 0, scale = 1;
		int digits = 0, dot = 0;
		while ((*p >= '0' && *p <= '9') || (*p == '.' && !dot)) {
			if (*p == '.') {
				dot = 1;
			} else {
				if (digits++ > 15)
					goto absurd;
				if (dot) {
					scale /= 10;
					v += (*p - '0') * scale;
				} else {
					v = v * 10 + (*p - '0');
				}
			}
			p++;
		}
		double unit;
		if (strncmp(p, "ms", 2) == 0) {
			unit = 1, p += 2;
		} else if (*p == 's') {
			unit = 1000, p++;
		} else if (*p == 'm') {
			unit = 60000, p++;
		} else if (*p == 'h') {
			unit = 3600000, p++;
		} else if (*p == 'd') {
			unit = 86400000, p++;
		} else if (*p == '\0' && parts == 0) {
			unit = 1000; /* a bare number is seconds */
		} else {
			seterr(err, "invalid duration '%s': unknown unit (use ms, s, m, h or d)", s);
			return -1;
		}
		total += v * unit;
		parts++;
		if (total > (double)DURATION_MAX_MS)
			goto absurd;
	}
	*ms = (int64_t)(total + 0.5);
	return 0;
absurd:
	seterr(err, "invalid duration '%s': longer than a year", s);
	return -1;
}

char *
duration_format(int64_t ms, char *out, size_t n)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(out, n, "%lldms", (long long)ms);
	else if (ms < 10000 && ms % 1000) {
		/* Tenths, rounded: 1999ms is "2s", never "2.0s". */
		long long t = (ms + 50) / 100;
		if (t % 10)
			snprintf(out, n, "%lld.%llds", t / 10, t % 10);
		else
			snprintf(out, n, "%llds", t / 10);
	} else if (ms < 60000)
		snprintf(out, n, "%llds", (long long)(ms / 1000));
	else if (ms < 3600000) {
		long long m = ms / 60000, s = (ms % 60000) / 1000;
		if (s && m < 10)
			snprintf(out, n, "%lldm %llds", m, s);
		else
			snprintf(out, n, "%lldm", m);
	} else if (ms < 86400000LL * 2) {
		long long h = ms / 3600000, m = (ms % 3600000) / 60000;
		if (m)
			snprintf(out, n, "%lldh %lldm", h, m);
		else
			snprintf(out, n, "%lldh", h);
	} else {
		snprintf(out, n, "%lldd %lldh", (long long)(ms / 86400000),
		    (long long)((ms % 86400000) / 3600000));
	}
	return out;
}
