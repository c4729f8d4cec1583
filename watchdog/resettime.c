/*
 * resettime.c - reads when a rate limit resets from a CLI's message.
 *
 * A small hand-written scanner rather than regexes: a candidate is a keyword
 * ("resets", "reset at", "try again at", "until", "in", "retry after",
 * "Retry-After:", "reached|", "resets_at") followed by a time in one of a
 * dozen shapes, and a near miss must read as nothing rather than as a wrong
 * time. Only ASCII is interpreted, so invalid UTF-8 is just other bytes.
 * The parts of a time may be separated by line breaks, because Claude Code
 * (Ink) and Codex (ratatui) wrap their own text with hard newlines that
 * tmux cannot join: "try again in 5 days 22 hours 11\nminutes."
 *
 * Deliberately not read: a bare hour without am/pm ("resets 5"), a zone
 * abbreviation other than UTC/GMT ("6:30pm IST" names several zones), a UTC
 * offset ("UTC+2"), ISO 8601 timestamps and localised text ("10 de jul.").
 *
 * Wall-clock times become instants through the tz database. The offset in
 * force is read back from localtime_r's tm_gmtoff rather than trusting
 * mktime with tm_isdst = -1, whose answer for a time in a DST gap POSIX
 * leaves unspecified; so gaps and overlaps get the answers resettime.h
 * documents whatever the libc.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "resettime.h"
#include "util.h"

#define ZONE_MAX 64 /* longest zone name read; the longest real one has 32 */
#define ZONEINFO "/usr/share/zoneinfo"
#define DAY_S (24LL * 3600)
#define SPAN_CAP_MS (RESET_HORIZON_MS + 1) /* longer is merely "too long" */
#define RETRY_BACK 24 /* how far "in" looks back for a retry countdown */

enum when_kind {
	WHEN_INSTANT, /* an epoch */
	WHEN_AFTER,   /* a span from now */
	WHEN_WALL,    /* a wall-clock time in a zone */
};

/* One time read from the text. */
struct when {
	enum when_kind kind;
	int bad;     /* read, but unusable: impossible, ambiguous, unknown zone */
	int64_t ms;  /* WHEN_INSTANT: unix ms; WHEN_AFTER: the span */
	int year;    /* 0: not given */
	int mon;     /* 1-12; 0: no date */
	int mday;
	int wday;    /* 0 Sunday .. 6 Saturday; -1: not given */
	int days;    /* today 0, tomorrow 1; -1: not given */
	int hour;
	int min;
	int sec;
	char zone[ZONE_MAX + 1]; /* "": the caller's local zone */
};

static const char *const weekdays[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

static const char *const months[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};

static const struct unit {
	const char *name;
	int64_t ms;
} units[] = {
	{"ms", 1},
	{"s", 1000}, {"sec", 1000}, {"secs", 1000}, {"second", 1000}, {"seconds", 1000},
	{"m", 60000}, {"min", 60000}, {"mins", 60000}, {"minute", 60000}, {"minutes", 60000},
	{"h", 3600000}, {"hr", 3600000}, {"hrs", 3600000}, {"hour", 3600000}, {"hours", 3600000},
	{"d", 86400000}, {"day", 86400000}, {"days", 86400000},
	{"w", 604800000}, {"week", 604800000}, {"weeks", 604800000},
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* skip_blank skips spaces and tabs: the rest of the same line. */
static const char *
skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* skip_space skips line breaks too. */
static const char *
skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* prefix tells whether p starts with the n lowercase chars of s, in any case. */
static int
prefix(const char *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != s[i])
			return 0;
	return 1;
}

/* word returns the end of the whole word w (lowercase, matched in any case) at p, or NULL. */
static const char *
word(const char *p, const char *w)
{
	size_t n = strlen(w);
	if (!prefix(p, w, n) || ch_word(p[n]))
		return NULL;
	return p + n;
}

/*
 * number reads at most max digits at p into *v and their count into *n (may
 * be NULL); NULL when p holds no digit or more than max of them.
 */
static const char *
number(const char *p, int max, int64_t *v, int *n)
{
	int64_t x = 0;
	int k = 0;

	while (ch_digit(*p)) {
		if (++k > max)
			return NULL;
		x = x * 10 + (*p++ - '0');
	}
	if (k == 0)
		return NULL;
	*v = x;
	if (n != NULL)
		*n = k;
	return p;
}

/*
 * name reads one of names at p: the whole name or a prefix of at least three
 * letters (Mon, Tues, Sept), with an optional period. Returns its end with
 * *index set, or NULL.
 */
static const char *
name(const char *p, const char *const *names, int count, int *index)
{
	size_t len = 0;

	while (ch_alpha(p[len]))
		len++;
	if (len < 3 || ch_digit(p[len]))
		return NULL;
	for (int i = 0; i < count; i++) {
		if (len <= strlen(names[i]) && prefix(p, names[i], len)) {
			*index = i;
			return p[len] == '.' ? p + len + 1 : p + len;
		}
	}
	return NULL;
}

/* sep skips what may stand between the parts of a date and time: blanks, a comma, "at". */
static const char *
sep(const char *p)
{
	const char *q;

	p = skip_space(p);
	if (*p == ',')
		p = skip_space(p + 1);
	if ((q = word(p, "at")) != NULL)
		p = skip_space(q);
	return p;
}

/* half reads am, pm, a.m. or p.m. at p: 'a' or 'p' with *end set, or 0. */
static int
half(const char *p, const char **end)
{
	char c = lower(*p);
	const char *q = p + 1;

	if (c != 'a' && c != 'p')
		return 0;
	if (*q == '.')
		q++;
	if (lower(*q) != 'm')
		return 0;
	q++;
	if (*q == '.' && q[-2] == '.')
		q++;
	if (ch_word(*q))
		return 0;
	*end = q;
	return c;
}

/* clock_at reads 5am, 4:50am, 3:04 PM, 12:50 a.m., 15:04 or 15:04:05. */
static const char *
clock_at(const char *p, struct when *w)
{
	int64_t h, m = 0, s = 0;
	int n, colon = 0, ap;
	const char *q = number(p, 2, &h, NULL), *e;

	if (q == NULL)
		return NULL;
	if (*q == ':') {
		q = number(q + 1, 2, &m, &n);
		if (q == NULL || n != 2)
			return NULL;
		colon = 1;
		if (*q == ':') {
			q = number(q + 1, 2, &s, &n);
			if (q == NULL || n != 2)
				return NULL;
		}
	}
	if ((ap = half(skip_blank(q), &e)) != 0) {
		/* 12am is midnight and 12pm noon */
		if (h < 1 || h > 12)
			return NULL;
		h = h % 12 + (ap == 'p' ? 12 : 0);
		q = e;
	} else if (!colon || h > 23 || ch_word(*q)) {
		return NULL; /* "resets 5" could be any 5 o'clock */
	}
	if (m > 59 || s > 59)
		return NULL;
	w->hour = (int)h;
	w->min = (int)m;
	w->sec = (int)s;
	return q;
}

/* mday_at reads a day of the month, with an optional st, nd, rd or th. */
static const char *
mday_at(const char *p, int *mday)
{
	int64_t v;
	const char *q = number(p, 2, &v, NULL);

	if (q == NULL || *q == ':')
		return NULL;
	if ((prefix(q, "st", 2) || prefix(q, "nd", 2) || prefix(q, "rd", 2) ||
	    prefix(q, "th", 2)) && !ch_word(q[2]))
		q += 2;
	if (ch_word(*q) || v < 1 || v > 31)
		return NULL; /* "5am" is a time, not a day */
	*mday = (int)v;
	return q;
}

/*
 * date_at reads "Nov 25th, 2026", "Dec 1", "Jan 12" or, day first, "5 Feb"
 * and "21 Oct 2026". NULL when p holds no date.
 */
static const char *
date_at(const char *p, struct when *w)
{
	int m, d, n;
	int64_t y;
	const char *q, *r;

	if ((q = name(p, months, 12, &m)) != NULL) {
		if ((q = mday_at(skip_space(q), &d)) == NULL)
			return NULL;
	} else {
		if ((q = mday_at(p, &d)) == NULL)
			return NULL;
		if ((q = name(skip_space(q), months, 12, &m)) == NULL)
			return NULL;
	}
	w->mon = m + 1;
	w->mday = d;
	r = skip_space(q);
	if (*r == ',')
		r = skip_space(r + 1);
	/* four digits, and not the hour of a clock */
	if ((r = number(r, 4, &y, &n)) != NULL && n == 4 && *r != ':' && !ch_word(*r)) {
		w->year = (int)y;
		q = r;
	}
	return q;
}

/*
 * zone_at reads the zone after a time: "(Europe/Rome)", "(UTC)", or a bare
 * UTC or GMT. A parenthesis holding one word claims to be a zone, and is
 * checked against the tz database later; one with spaces is only a remark.
 * A bare abbreviation such as IST or EST names several zones, and an offset
 * after UTC has two sign conventions (Etc/GMT+5 is UTC-5): both make the
 * time ambiguous.
 */
static const char *
zone_at(const char *p, struct when *w)
{
	const char *q = skip_blank(p), *e;
	size_t n = 0;

	if (*q == '\r')
		q++;
	if (*q == '\n')
		q = skip_blank(q + 1); /* a CLI wrapped the zone onto the next line */
	if (*q == '(') {
		while (q[1 + n] != '\0' && q[1 + n] != ')' && !is_space(q[1 + n]) && n <= ZONE_MAX)
			n++;
		if (n > ZONE_MAX) {
			w->bad = 1;
		} else if (q[1 + n] == ')' && n > 0) {
			memcpy(w->zone, q + 1, n);
			w->zone[n] = '\0';
			return q + n + 2;
		}
		return p;
	}
	q = skip_blank(p);
	if ((e = word(q, "utc")) != NULL || (e = word(q, "gmt")) != NULL) {
		if (*e == '+' || *e == '-')
			w->bad = 1;
		strcpy(w->zone, "UTC");
		return e;
	}
	while (q[n] >= 'A' && q[n] <= 'Z')
		n++;
	if (n >= 2 && n <= 5 && !ch_word(q[n]))
		w->bad = 1;
	return p;
}

/*
 * wall_at reads a wall-clock time with what may come with it: "Mon 9am",
 * "tomorrow at 3pm", "Nov 25th, 2026 3:04 PM", "Dec 1, 2pm (America/Chicago)",
 * "03:31 on 5 Feb", "Wed, 21 Oct 2026 07:28:00 GMT".
 */
static const char *
wall_at(const char *p, struct when *w)
{
	const char *q;
	int i;

	w->kind = WHEN_WALL;
	p = sep(p);
	if ((q = word(p, "on")) != NULL)
		p = skip_space(q);
	if ((q = word(p, "today")) != NULL) {
		w->days = 0;
		p = sep(q);
	} else if ((q = word(p, "tomorrow")) != NULL) {
		w->days = 1;
		p = sep(q);
	} else if ((q = name(p, weekdays, 7, &i)) != NULL) {
		w->wday = i;
		p = sep(q);
	}
	if ((q = date_at(p, w)) != NULL)
		p = sep(q);
	if ((p = clock_at(p, w)) == NULL)
		return NULL;
	if (w->mon == 0 && (q = word(skip_blank(p), "on")) != NULL &&
	    (q = date_at(skip_space(q), w)) != NULL)
		p = q;
	return zone_at(p, w);
}

/* unit_at reads a unit of time at p: its end with *ms set, or NULL. */
static const char *
unit_at(const char *p, int64_t *ms)
{
	size_t len = 0;

	while (ch_alpha(p[len]))
		len++;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strlen(units[i].name) == len && prefix(p, units[i].name, len)) {
			*ms = units[i].ms;
			return p + len;
		}
	}
	return NULL;
}

/*
 * span_at reads a span: "2 days 1 hour 12 minutes", "2h 30m", "2h30m",
 * "4hr 29min", "41.53s", "1 day, 3 hours and 5 minutes". NULL unless p
 * starts with a number and a unit.
 */
static const char *
span_at(const char *p, struct when *w)
{
	int64_t total = 0, v, frac, scale, unit;
	const char *q, *end = NULL;

	for (;;) {
		if ((q = number(p, 9, &v, NULL)) == NULL)
			break;
		frac = 0;
		scale = 1;
		if (*q == '.' && ch_digit(q[1])) {
			/* milliseconds are enough: "41.534318524s" */
			for (q++; ch_digit(*q); q++) {
				if (scale < 1000) {
					frac = frac * 10 + (*q - '0');
					scale *= 10;
				}
			}
		}
		if ((q = unit_at(skip_space(q), &unit)) == NULL)
			break;
		total += v * unit + frac * unit / scale;
		if (total > SPAN_CAP_MS)
			total = SPAN_CAP_MS;
		end = q;
		p = skip_space(q);
		if (*p == ',')
			p = skip_space(p + 1);
		if ((q = word(p, "and")) != NULL)
			p = skip_space(q);
	}
	if (end == NULL)
		return NULL;
	w->kind = WHEN_AFTER;
	w->ms = total;
	return end;
}

/* epoch_at reads unix seconds (up to 11 digits) or milliseconds (13 digits). */
static const char *
epoch_at(const char *p, struct when *w)
{
	int64_t v = 0;
	int n = 0;

	if (p == NULL || !ch_digit(*p))
		return NULL;
	for (; ch_digit(*p); p++, n++)
		if (n < 13)
			v = v * 10 + (*p - '0');
	w->kind = WHEN_INSTANT;
	if (n <= 11)
		w->ms = v * 1000;
	else if (n == 13)
		w->ms = v;
	else
		w->bad = 1;
	if (ch_word(*p))
		w->bad = 1;
	return p;
}

/* json_value skips from a JSON key's end to its value: '":', blanks, a quote. */
static const char *
json_value(const char *p)
{
	if (*p == '"')
		p++;
	p = skip_blank(p);
	if (*p != ':')
		return NULL;
	p = skip_blank(p + 1);
	return *p == '"' ? p + 1 : p;
}

/*
 * retrying tells whether the "in" at p is a CLI's countdown to its own next
 * attempt ("Retrying in 5 seconds", "retrying 1/5 in 202ms"), which says
 * nothing about when a limit ends.
 */
static int
retrying(const char *text, const char *p)
{
	const char *q = (size_t)(p - text) > RETRY_BACK ? p - RETRY_BACK : text;

	for (const char *c = q; c < p; c++)
		if (*c == '\n')
			q = c + 1;
	for (; q < p; q++)
		if (prefix(q, "retrying", 8))
			return 1;
	return 0;
}

/*
 * when_at reads a time that starts at p. Returns the end of what was read,
 * with w filled in (perhaps marked bad), or NULL when no time starts at p.
 */
static const char *
when_at(const char *text, const char *p, struct when *w)
{
	const char *q, *r;
	int64_t v;

	memset(w, 0, sizeof *w);
	w->wday = -1;
	w->days = -1;

	/* Claude Code: "Claude AI usage limit reached|1767225600" */
	if (*p == '|' && p - text >= 7 && prefix(p - 7, "reached", 7))
		return epoch_at(p + 1, w);
	if (p > text && ch_word(p[-1]))
		return NULL;
	/* Codex's error JSON: "resets_at":1775317531, "resets_in_seconds":602705 */
	if ((q = word(p, "resets_at")) != NULL)
		return epoch_at(json_value(q), w);
	if ((q = word(p, "resets_in_seconds")) != NULL) {
		if ((q = json_value(q)) == NULL || (q = number(q, 9, &v, NULL)) == NULL)
			return NULL;
		w->kind = WHEN_AFTER;
		w->ms = v * 1000;
		return q;
	}
	if ((q = word(p, "resets")) != NULL || (q = word(p, "reset")) != NULL) {
		r = skip_space(q);
		if ((q = word(r, "in")) != NULL || (q = word(r, "after")) != NULL)
			return span_at(skip_space(q), w);
		return wall_at(r, w);
	}
	if ((q = word(p, "retry")) != NULL) {
		r = *q == '-' ? q + 1 : skip_blank(q);
		if ((q = word(r, "at")) != NULL)
			return wall_at(q, w);
		if ((q = word(r, "after")) == NULL)
			return NULL;
		r = skip_blank(q);
		if (*r == ':')
			r = skip_blank(r + 1);
		if ((q = span_at(r, w)) != NULL)
			return q;
		/* Retry-After: 120 is seconds; Retry-After: Wed, 21 Oct 2026 ... a date */
		if ((q = number(r, 9, &v, NULL)) != NULL && !ch_word(*q) && *q != '.' && *q != ':') {
			w->kind = WHEN_AFTER;
			w->ms = v * 1000;
			return q;
		}
		return wall_at(r, w);
	}
	if ((q = word(p, "again")) != NULL && (q = word(skip_space(q), "at")) != NULL)
		return wall_at(q, w);
	if ((q = word(p, "until")) != NULL)
		return wall_at(q, w);
	if ((q = word(p, "in")) != NULL && !retrying(text, p))
		return span_at(skip_space(q), w);
	return NULL;
}

/*
 * zone_check accepts an IANA name that the tz database holds: only
 * [A-Za-z0-9_+-/], no "..", and a TZif file under TZDIR (where glibc looks)
 * or /usr/share/zoneinfo. glibc itself would read an unknown or hostile name
 * as UTC without a word; here it is refused.
 */
static int
zone_check(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[PATH_MAX], magic[4];
	size_t n = strlen(zone);
	struct stat st;
	int fd, ok;

	if (n == 0 || n > ZONE_MAX || !ch_alpha(zone[0]) || strstr(zone, "..") != NULL)
		return -1;
	for (const char *c = zone; *c != '\0'; c++)
		if (!ch_alpha(*c) && !ch_digit(*c) && strchr("_+-/", *c) == NULL)
			return -1;
	if (dir == NULL || *dir == '\0')
		dir = ZONEINFO;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, zone) >= sizeof path)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read(fd, magic, 4) == 4 &&
	    memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok ? 0 : -1;
}

/* days_from_civil counts days since 1970-01-01 (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
weekday(int64_t days)
{
	return (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
}

static int
days_in_month(int64_t y, int m)
{
	static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : n[m - 1];
}

/* offset_at gives the zone's offset from UTC (seconds) at instant t. */
static int
offset_at(int64_t t, long *off)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return -1;
	*off = tm.tm_gmtoff;
	return 0;
}

/*
 * first_after finds the first instant after now (ms) at which the zone's
 * clocks show wall (seconds since the epoch, the wall time read as if UTC).
 * Offsets lie within -12h..+14h and never change twice in a day, so the
 * offsets in force 15 hours either side give every instant that shows it:
 * two in a fall-back overlap, none in a spring-forward gap, where the offset
 * before the gap is used (2:30 in a 2:00->3:00 gap is 3:30 after it).
 * Returns 0 with *t set, 1 when every such instant is past, -1 on error.
 */
static int
first_after(int64_t wall, int64_t now, int64_t *t)
{
	long before, after, off;
	int64_t c[2];
	int n = 0;

	if (offset_at(wall - 15 * 3600, &before) == -1 ||
	    offset_at(wall + 15 * 3600, &after) == -1)
		return -1;
	if (offset_at(wall - before, &off) == 0 && off == before)
		c[n++] = wall - before;
	if (after != before && offset_at(wall - after, &off) == 0 && off == after)
		c[n++] = wall - after;
	if (n == 0)
		c[n++] = wall - before;
	if (n == 2 && c[1] < c[0]) {
		int64_t x = c[0];
		c[0] = c[1];
		c[1] = x;
	}
	for (int i = 0; i < n; i++) {
		if (c[i] * 1000 > now) {
			*t = c[i] * 1000;
			return 0;
		}
	}
	return 1;
}

/*
 * wall_next turns a wall time in the current TZ into the instant it names:
 * a time alone is its next occurrence, a weekday the next such day (today
 * if the time is still ahead), a date without a year this year's or next
 * year's, a date with a year exactly that day.
 */
static int
wall_next(const struct when *w, int64_t now, int64_t *t)
{
	time_t secs = (time_t)(now / 1000);
	int64_t hms = w->hour * 3600LL + w->min * 60LL + w->sec, today, day, y;
	struct tm tm;
	int rc;

	if (localtime_r(&secs, &tm) == NULL)
		return -1;
	today = days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday);
	if (w->mon != 0) {
		if (w->days >= 0)
			return -1; /* "tomorrow, Nov 27": which one? */
		y = w->year != 0 ? w->year : tm.tm_year + 1900LL;
		for (int i = 0; i < (w->year != 0 ? 1 : 2); i++, y++) {
			if (w->mday > days_in_month(y, w->mon))
				continue;
			day = days_from_civil(y, w->mon, w->mday);
			if (w->wday >= 0 && weekday(day) != w->wday)
				continue; /* "Wed, 21 Oct" in a year where it is a Tuesday */
			if ((rc = first_after(day * DAY_S + hms, now, t)) <= 0)
				return rc;
		}
		return -1;
	}
	if (w->days >= 0) {
		if (w->wday >= 0)
			return -1;
		return first_after((today + w->days) * DAY_S + hms, now, t) == 0 ? 0 : -1;
	}
	day = today;
	if (w->wday >= 0)
		day += (w->wday - tm.tm_wday + 7) % 7;
	for (int i = 0; i < 2; i++) {
		if ((rc = first_after(day * DAY_S + hms, now, t)) <= 0)
			return rc;
		day += w->wday >= 0 ? 7 : 1;
	}
	return -1;
}

/*
 * resolve turns what was read into an instant (unix ms). A wall time is read
 * in its own zone, else local_tz, with TZ set for the moment and then put
 * back exactly as it was (an unset TZ stays unset).
 */
static int
resolve(const struct when *w, int64_t now, const char *local_tz, int64_t *t)
{
	const char *zone = w->zone[0] != '\0' ? w->zone : local_tz, *old;
	char spec[ZONE_MAX + 2], *saved = NULL;
	int rc;

	if (w->kind == WHEN_INSTANT) {
		*t = w->ms;
		return 0;
	}
	if (w->kind == WHEN_AFTER) {
		*t = now + w->ms;
		return 0;
	}
	if (zone != NULL && *zone == '\0')
		zone = NULL;
	if (zone == NULL) {
		tzset(); /* localtime_r need not look at TZ itself */
		return wall_next(w, now, t);
	}
	if (zone_check(zone) == -1)
		return -1;
	if ((old = getenv("TZ")) != NULL)
		saved = xstrdup(old);
	snprintf(spec, sizeof spec, ":%s", zone);
	if (setenv("TZ", spec, 1) == -1) {
		free(saved);
		return -1;
	}
	tzset();
	rc = wall_next(w, now, t);
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	return rc;
}

int
reset_time(const char *text, int64_t now, const char *local_tz, int64_t *until)
{
	struct when w, last;
	const char *p, *e;
	int found = 0;
	int64_t t;

	if (text == NULL || until == NULL)
		return 0;
	for (p = text; *p != '\0';) {
		if ((e = when_at(text, p, &w)) != NULL && e > p) {
			last = w;
			found = 1;
			p = e;
		} else {
			p++;
		}
	}
	/* the newest time decides, even when it cannot be used */
	if (!found || last.bad || resolve(&last, now, local_tz, &t) == -1)
		return 0;
	if (t <= now || t - now > RESET_HORIZON_MS)
		return 0;
	*until = t;
	return 1;
}
