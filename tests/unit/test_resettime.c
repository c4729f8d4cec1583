/*
 * test_resettime.c - reading when a rate limit ends, with a fake clock:
 * every message form the CLIs print, several zones, midnight, DST changes
 * in both directions, and text that must read as nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"

#include "resettime.h"

#define MIN_MS (60LL * 1000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)

/* utc gives the unix ms of a UTC date and time. */
static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm) * 1000;
}

static void
expect(const char *text, int64_t now, const char *tz, int64_t want)
{
	int64_t until = -1;
	if (reset_time(text, now, tz, &until) != 1)
		fail_msg("'%s' was not read", text);
	if (until != want)
		fail_msg("'%s': got %lld, want %lld (%+lld ms)", text, (long long)until,
		    (long long)want, (long long)(until - want));
}

static void
refuse(const char *text, int64_t now, const char *tz)
{
	int64_t until = 42;
	if (reset_time(text, now, tz, &until) != 0)
		fail_msg("'%s' was read as %lld", text, (long long)until);
	assert_int_equal(until, 42);
}

/* Claude Code */

static void
test_claude_epoch_seconds(void **state)
{
	(void)state;
	expect("Claude AI usage limit reached|1767225600", utc(2025, 12, 31, 20, 0), NULL,
	    1767225600000LL);
}

static void
test_claude_epoch_milliseconds(void **state)
{
	(void)state;
	expect("Claude AI usage limit reached|1767225600000", utc(2025, 12, 31, 20, 0), NULL,
	    1767225600000LL);
}

static void
test_claude_epoch_in_the_past_is_refused(void **state)
{
	(void)state;
	refuse("Claude AI usage limit reached|1767225600", utc(2026, 1, 1, 0, 1), NULL);
}

static void
test_claude_epoch_200_years_ahead_is_refused(void **state)
{
	(void)state;
	refuse("Claude AI usage limit reached|8078625600", utc(2025, 12, 31, 20, 0), NULL);
	refuse("Claude AI usage limit reached|8078625600000", utc(2025, 12, 31, 20, 0), NULL);
}

static void
test_claude_epoch_of_odd_length_is_refused(void **state)
{
	(void)state;
	refuse("Claude AI usage limit reached|176722560000", utc(2025, 12, 31, 20, 0), NULL);
	refuse("Claude AI usage limit reached|17672256000000000", utc(2025, 12, 31, 20, 0), NULL);
}

static void
test_claude_reset_at_3pm_bogota(void **state)
{
	(void)state;
	/* noon in Bogota (UTC-5, no DST) */
	expect("Claude usage limit reached. Your limit will reset at 3pm (America/Bogota).",
	    utc(2026, 5, 10, 17, 0), "Europe/Rome", utc(2026, 5, 10, 20, 0));
}

static void
test_claude_zone_wrapped_onto_next_line(void **state)
{
	(void)state;
	expect("  ⎿  Claude usage limit reached. Your limit will reset at 3pm\n"
	    "     (America/Bogota).",
	    utc(2026, 5, 10, 17, 0), NULL, utc(2026, 5, 10, 20, 0));
}

static void
test_claude_five_hour_limit_in_local_tz(void **state)
{
	(void)state;
	/* 23:10 in Rome (CET): 5am is tomorrow */
	expect("5-hour limit reached ∙ resets 5am", utc(2026, 1, 15, 22, 10), "Europe/Rome",
	    utc(2026, 1, 16, 4, 0));
}

static void
test_claude_zone_in_message_beats_local_tz(void **state)
{
	(void)state;
	/* 02:00 in Rome (CEST) */
	expect("You've hit your limit · resets 4:50am (Europe/Rome)", utc(2026, 7, 1, 0, 0),
	    "Asia/Tokyo", utc(2026, 7, 1, 2, 50));
}

static void
test_claude_session_limit_across_midnight(void **state)
{
	(void)state;
	/* 23:30 in Los Angeles (PDT): 12:50am is 80 minutes away */
	int64_t now = utc(2026, 7, 5, 6, 30);
	expect("You've hit your session limit · resets 12:50am (America/Los_Angeles)", now,
	    NULL, now + 80 * MIN_MS);
}

static void
test_claude_weekday_is_next_such_day(void **state)
{
	(void)state;
	/* Wednesday 2026-05-13 */
	expect("Weekly limit reached · resets Mon 9am (UTC)", utc(2026, 5, 13, 10, 0), NULL,
	    utc(2026, 5, 18, 9, 0));
}

static void
test_claude_weekday_is_today_while_ahead(void **state)
{
	(void)state;
	/* Monday 2026-05-18, 08:00 */
	expect("resets Mon 9am (UTC)", utc(2026, 5, 18, 8, 0), NULL, utc(2026, 5, 18, 9, 0));
}

static void
test_claude_weekday_passed_today_is_next_week(void **state)
{
	(void)state;
	expect("resets Monday 9am (UTC)", utc(2026, 5, 18, 10, 0), NULL, utc(2026, 5, 25, 9, 0));
}

static void
test_claude_month_day_and_zone(void **state)
{
	(void)state;
	/* Saturday 2026-11-28, noon in Chicago (CST) */
	expect("  ⎿  Weekly limit reached · resets Dec 1, 2pm (America/Chicago) · turn on "
	    "/extra-usage",
	    utc(2026, 11, 28, 18, 0), NULL, utc(2026, 12, 1, 20, 0));
}

static void
test_claude_month_day_without_zone(void **state)
{
	(void)state;
	expect("Weekly limit reached · resets Nov 27, 9am", utc(2026, 11, 25, 12, 0), "UTC",
	    utc(2026, 11, 27, 9, 0));
}

static void
test_claude_month_day_at_time(void **state)
{
	(void)state;
	expect("You've reached your usage limit · resets Jul 26 at 6am", utc(2026, 7, 22, 12, 0),
	    "UTC", utc(2026, 7, 26, 6, 0));
}

static void
test_claude_month_day_across_new_year(void **state)
{
	(void)state;
	expect("resets Jan 2, 9am (UTC)", utc(2026, 12, 30, 12, 0), NULL, utc(2027, 1, 2, 9, 0));
}

static void
test_claude_tomorrow_at(void **state)
{
	(void)state;
	expect("resets tomorrow at 3pm", utc(2026, 5, 10, 8, 0), "UTC", utc(2026, 5, 11, 15, 0));
}

/* Codex */

static void
test_codex_try_again_at_time_today(void **state)
{
	(void)state;
	/* 10:00 in New York (EDT) */
	expect("■ You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) "
	    "or try again at 3:04 PM.",
	    utc(2026, 6, 1, 14, 0), "America/New_York", utc(2026, 6, 1, 19, 4));
}

static void
test_codex_try_again_at_date(void **state)
{
	(void)state;
	expect("You've hit your usage limit. Upgrade to Plus to continue using Codex "
	    "(https://chatgpt.com/explore/plus), or try again at Nov 25th, 2026 3:04 PM.",
	    utc(2026, 11, 20, 12, 0), "America/New_York", utc(2026, 11, 25, 20, 4));
}

static void
test_codex_try_again_in_days_hours_minutes(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	expect("■ You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) "
	    "or try again in 2 days 1 hour 12 minutes.",
	    now, NULL, now + 2 * DAY_MS + HOUR_MS + 12 * MIN_MS);
}

static void
test_codex_span_wrapped_onto_next_line(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	expect("■ You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) "
	    "or try again in 5 days 22 hours 11\nminutes.",
	    now, NULL, now + 5 * DAY_MS + 22 * HOUR_MS + 11 * MIN_MS);
}

static void
test_codex_try_again_in_minutes(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	expect("You've hit your usage limit. Try again in 45 minutes.", now, NULL,
	    now + 45 * MIN_MS);
}

static void
test_codex_status_time_on_day_first_date(void **state)
{
	(void)state;
	expect("Weekly limit: [██████] 100% used (resets 03:31 on 5 Feb)", utc(2026, 2, 1, 9, 0),
	    "UTC", utc(2026, 2, 5, 3, 31));
}

static void
test_codex_error_json_reset_fields(void **state)
{
	(void)state;
	int64_t now = utc(2026, 4, 1, 0, 0);
	/* the later field decides */
	expect("{\"error\":{\"type\":\"usage_limit_reached\",\"resets_at\":1775317531,"
	    "\"resets_in_seconds\":602705}}",
	    now, NULL, now + 602705 * 1000LL);
	expect("{\"type\":\"usage_limit_reached\",\"resets_at\":1775317531}", now, NULL,
	    1775317531000LL);
}

/* Gemini and generic forms */

static void
test_gemini_quota_reset_after(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	expect("TerminalQuotaError: You have exhausted your capacity on this model. Your quota "
	    "will reset after 8h36m13s.",
	    now, NULL, now + 8 * HOUR_MS + 36 * MIN_MS + 13000);
}

static void
test_span_hours_minutes(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	expect("rate limited, try again in 2h 30m", now, NULL, now + 150 * MIN_MS);
	expect("rate limited, try again in 2h30m", now, NULL, now + 150 * MIN_MS);
}

static void
test_span_minutes(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	expect("limit resets in 45 minutes", now, NULL, now + 45 * MIN_MS);
	expect("Current session: resets in 4hr 29min", now, NULL, now + 269 * MIN_MS);
}

static void
test_span_seconds(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	expect("429: slow down, in 30s", now, NULL, now + 30000);
	expect("Quota exceeded. Please retry in 41.534318524s.", now, NULL, now + 41534);
}

static void
test_retry_after_header_seconds(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	expect("HTTP/1.1 429 Too Many Requests\nRetry-After: 120\n", now, NULL, now + 120000);
	expect("rate limited: retry after 120 seconds", now, NULL, now + 120000);
}

static void
test_retry_after_http_date(void **state)
{
	(void)state;
	/* 2026-10-21 is a Wednesday */
	expect("Retry-After: Wed, 21 Oct 2026 07:28:00 GMT", utc(2026, 10, 20, 7, 0), NULL,
	    utc(2026, 10, 21, 7, 28));
}

static void
test_weekday_contradicting_date_is_refused(void **state)
{
	(void)state;
	refuse("Retry-After: Tue, 21 Oct 2026 07:28:00 GMT", utc(2026, 10, 20, 7, 0), NULL);
}

static void
test_retry_countdown_is_not_a_reset(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	refuse("API Error: 529 {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
	    "\"message\":\"Overloaded\"}} · Retrying in 1 seconds… (attempt 1/10)",
	    now, NULL);
	refuse("stream error: unexpected status 429 Too Many Requests; retrying 1/5 in 202ms…",
	    now, NULL);
}

static void
test_span_longer_than_8_days_is_refused(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	refuse("try again in 9 days", now, NULL);
	refuse("try again in 999999999 weeks", now, NULL);
	expect("try again in 8 days", now, NULL, now + 8 * DAY_MS);
}

static void
test_zero_span_is_refused(void **state)
{
	(void)state;
	refuse("Your quota will reset after 0s.", utc(2026, 6, 1, 12, 0), NULL);
}

/* Clocks and zones */

static void
test_12am_is_midnight(void **state)
{
	(void)state;
	expect("Claude usage limit reached. Your limit will reset at 12am (UTC).",
	    utc(2026, 6, 1, 20, 0), NULL, utc(2026, 6, 2, 0, 0));
}

static void
test_12pm_is_noon(void **state)
{
	(void)state;
	expect("Claude usage limit reached. Your limit will reset at 12pm (UTC).",
	    utc(2026, 6, 1, 8, 0), NULL, utc(2026, 6, 1, 12, 0));
	expect("resets 12:30 p.m. (UTC)", utc(2026, 6, 1, 8, 0), NULL, utc(2026, 6, 1, 12, 30));
}

static void
test_24_hour_clock(void **state)
{
	(void)state;
	expect("rate limited until 15:04 UTC", utc(2026, 6, 1, 8, 0), NULL,
	    utc(2026, 6, 1, 15, 4));
}

static void
test_time_already_passed_today_is_tomorrow(void **state)
{
	(void)state;
	expect("resets 3pm (UTC)", utc(2026, 6, 1, 15, 0), NULL, utc(2026, 6, 2, 15, 0));
}

static void
test_asia_tokyo(void **state)
{
	(void)state;
	/* 19:00 in Tokyo (UTC+9) */
	expect("You've hit your session limit · resets 8:30pm (Asia/Tokyo)",
	    utc(2026, 7, 13, 10, 0), "America/Los_Angeles", utc(2026, 7, 13, 11, 30));
}

static void
test_zone_with_offset_in_name(void **state)
{
	(void)state;
	/* Etc/GMT+5 is UTC-5 */
	expect("Your limit will reset at 1pm (Etc/GMT+5).", utc(2026, 6, 14, 12, 0), NULL,
	    utc(2026, 6, 14, 18, 0));
}

static void
test_process_zone_when_local_tz_is_null(void **state)
{
	(void)state;
	setenv("TZ", "America/Bogota", 1);
	tzset();
	expect("resets 3pm", utc(2026, 5, 10, 17, 0), NULL, utc(2026, 5, 10, 20, 0));
	expect("resets 3pm", utc(2026, 5, 10, 17, 0), "", utc(2026, 5, 10, 20, 0));
	unsetenv("TZ");
	tzset();
}

static void
test_unknown_zone_is_refused(void **state)
{
	(void)state;
	refuse("You've hit your limit · resets 4:50am (Mars/Olympus_Mons)",
	    utc(2026, 7, 1, 0, 0), "UTC");
	refuse("You've hit your limit · resets 4:50am", utc(2026, 7, 1, 0, 0), "Nowhere/City");
}

static void
test_hostile_zone_is_refused(void **state)
{
	(void)state;
	int64_t now = utc(2026, 7, 1, 0, 0);
	refuse("resets 4:50am (../../etc/passwd)", now, "UTC");
	refuse("resets 4:50am (/etc/passwd)", now, "UTC");
	refuse("resets 4:50am (Europe/../../../etc/passwd)", now, "UTC");
	refuse("resets 4:50am", now, "../../../../etc/passwd");
}

static void
test_zone_that_is_no_tzif_file_is_refused(void **state)
{
	(void)state;
	int64_t now = utc(2026, 7, 1, 0, 0);
	refuse("resets 4:50am (leapseconds)", now, "UTC"); /* a text file in zoneinfo */
	refuse("resets 4:50am (America)", now, "UTC");     /* a directory */
}

static void
test_bare_zone_abbreviation_is_refused(void **state)
{
	(void)state;
	refuse("it will reset at 6:30pm IST", utc(2026, 7, 1, 0, 0), "UTC");
}

static void
test_utc_offset_is_refused(void **state)
{
	(void)state;
	refuse("resets 3pm UTC+2", utc(2026, 7, 1, 0, 0), NULL);
}

static void
test_tz_unset_stays_unset(void **state)
{
	(void)state;
	int64_t until;
	unsetenv("TZ");
	tzset();
	assert_int_equal(reset_time("resets 4:50am (Europe/Rome)", utc(2026, 7, 1, 0, 0), NULL,
	    &until), 1);
	assert_null(getenv("TZ"));
	assert_int_equal(reset_time("resets 4:50am", utc(2026, 7, 1, 0, 0), "Asia/Tokyo",
	    &until), 1);
	assert_null(getenv("TZ"));
}

static void
test_tz_set_is_restored(void **state)
{
	(void)state;
	int64_t until;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	assert_int_equal(reset_time("resets 4:50am (Europe/Rome)", utc(2026, 7, 1, 0, 0), NULL,
	    &until), 1);
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	/* the local time the process sees is Tokyo's again */
	time_t t = 0;
	struct tm tm;
	localtime_r(&t, &tm);
	assert_int_equal(tm.tm_gmtoff, 9 * 3600);
	unsetenv("TZ");
	tzset();
}

static void
test_hour_without_am_pm_is_not_a_time(void **state)
{
	(void)state;
	refuse("weekly limit resets 5 (see /usage)", utc(2026, 7, 1, 0, 0), "UTC");
}

static void
test_unsupported_forms_are_not_read(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 13, 12, 0);
	refuse("You've hit your usage limit. Upgrade your plan to continue, or try again at "
	    "10 de jul. de 2026, 11:52.", now, "UTC");
	refuse("rate limited until 2026-06-13T15:00:00Z", now, "UTC");
}

static void
test_impossible_date_is_refused(void **state)
{
	(void)state;
	refuse("resets Feb 30, 9am (UTC)", utc(2026, 2, 27, 0, 0), NULL);
	refuse("resets 25:00 (UTC)", utc(2026, 2, 27, 0, 0), NULL);
}

static void
test_date_with_year_in_the_past_is_refused(void **state)
{
	(void)state;
	refuse("try again at Nov 25th, 2025 3:04 PM.", utc(2026, 11, 20, 12, 0), "UTC");
}

/* DST: America/Los_Angeles springs forward 2026-03-08 2:00 PST and falls
 * back 2026-11-01 2:00 PDT; Europe/Rome 2026-03-29 2:00 CET and 2026-10-25
 * 3:00 CEST. */

static void
test_dst_gap_los_angeles_reads_offset_before_gap(void **state)
{
	(void)state;
	/* 01:00 PST; 2:30 does not exist that night and means 3:30 PDT */
	expect("resets 2:30am (America/Los_Angeles)", utc(2026, 3, 8, 9, 0), NULL,
	    utc(2026, 3, 8, 10, 30));
	expect("resets 3:30am (America/Los_Angeles)", utc(2026, 3, 8, 9, 0), NULL,
	    utc(2026, 3, 8, 10, 30));
}

static void
test_dst_spring_forward_night_is_an_hour_shorter(void **state)
{
	(void)state;
	/* 22:00 PST on the 7th; 10am PDT next morning is 11 hours away, not 12 */
	int64_t now = utc(2026, 3, 8, 6, 0);
	expect("resets 10am (America/Los_Angeles)", now, NULL, now + 11 * HOUR_MS);
}

static void
test_dst_overlap_los_angeles_is_first_occurrence(void **state)
{
	(void)state;
	/* 00:00 PDT; 1:30 happens at 08:30Z (PDT) and again at 09:30Z (PST) */
	expect("resets 1:30am (America/Los_Angeles)", utc(2026, 11, 1, 7, 0), NULL,
	    utc(2026, 11, 1, 8, 30));
}

static void
test_dst_overlap_los_angeles_second_occurrence_when_first_passed(void **state)
{
	(void)state;
	/* 01:15 PST, after the first 1:30 but before the second */
	expect("resets 1:30am (America/Los_Angeles)", utc(2026, 11, 1, 9, 15), NULL,
	    utc(2026, 11, 1, 9, 30));
}

static void
test_dst_gap_rome_reads_offset_before_gap(void **state)
{
	(void)state;
	/* 00:30 CET on the 29th; 2:30 means 3:30 CEST */
	expect("resets 2:30am (Europe/Rome)", utc(2026, 3, 28, 23, 30), NULL,
	    utc(2026, 3, 29, 1, 30));
}

static void
test_dst_overlap_rome_is_first_occurrence(void **state)
{
	(void)state;
	/* 00:00 CEST on the 25th; 2:30 happens at 00:30Z (CEST) and 01:30Z (CET) */
	expect("resets 2:30am (Europe/Rome)", utc(2026, 10, 24, 22, 0), NULL,
	    utc(2026, 10, 25, 0, 30));
}

static void
test_dst_fall_back_night_is_an_hour_longer(void **state)
{
	(void)state;
	/* 23:00 CEST on the 24th; 9am CET next morning is 11 hours away, not 10 */
	int64_t now = utc(2026, 10, 24, 21, 0);
	expect("resets 9am", now, "Europe/Rome", now + 11 * HOUR_MS);
}

/* The text as a whole */

static void
test_newest_time_wins(void **state)
{
	(void)state;
	expect("You've hit your limit · resets 3pm (UTC)\n> continue\n"
	    "You've hit your limit · resets 5pm (UTC)\n",
	    utc(2026, 6, 1, 12, 0), NULL, utc(2026, 6, 1, 17, 0));
}

static void
test_newest_time_unreadable_gives_zero(void **state)
{
	(void)state;
	refuse("You've hit your limit · resets 3pm (UTC)\n> continue\n"
	    "You've hit your limit · resets 5pm (Mars/Base)\n",
	    utc(2026, 6, 1, 12, 0), NULL);
}

static void
test_garbage_is_refused(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	refuse("", now, NULL);
	refuse("asdf 99:99 resets never | reached| in a while until then, again at dawn", now,
	    NULL);
	refuse("You've hit your usage limit. Try again later.", now, NULL);
	refuse("const limit = 429; // retry in a moment", now, NULL);
	assert_int_equal(reset_time(NULL, now, NULL, &now), 0);
	assert_int_equal(reset_time("resets 5am", now, NULL, NULL), 0);
}

static void
test_long_input(void **state)
{
	(void)state;
	int64_t now = utc(2026, 6, 1, 12, 0);
	const char *tail = "\nYou've hit your limit · resets 5pm (UTC)";
	size_t n = 10000;
	char *s = malloc(n + strlen(tail) + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = "resets in 12:3 am|reached "[i % 26];
	s[n] = '\0';
	refuse(s, now, NULL);
	strcpy(s + n, tail);
	expect(s, now, NULL, utc(2026, 6, 1, 17, 0));
	/* ten thousand digits of "epoch" */
	memcpy(s, "reached|", 8);
	memset(s + 8, '9', n - 8);
	s[n] = '\0';
	refuse(s, now, NULL);
	free(s);
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	expect("\xc3\x28\xa0\xa1 You've hit your limit \xe2\x82 \xc2\xb7 resets 4:50am "
	    "(Europe/Rome) \xf0\x28\x8c\xbc\xff",
	    utc(2026, 7, 1, 0, 0), NULL, utc(2026, 7, 1, 2, 50));
	refuse("\xff\xfe\xfd resets\xff 5am \xc0\xaf", utc(2026, 7, 1, 0, 0), "UTC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claude_epoch_seconds),
		cmocka_unit_test(test_claude_epoch_milliseconds),
		cmocka_unit_test(test_claude_epoch_in_the_past_is_refused),
		cmocka_unit_test(test_claude_epoch_200_years_ahead_is_refused),
		cmocka_unit_test(test_claude_epoch_of_odd_length_is_refused),
		cmocka_unit_test(test_claude_reset_at_3pm_bogota),
		cmocka_unit_test(test_claude_zone_wrapped_onto_next_line),
		cmocka_unit_test(test_claude_five_hour_limit_in_local_tz),
		cmocka_unit_test(test_claude_zone_in_message_beats_local_tz),
		cmocka_unit_test(test_claude_session_limit_across_midnight),
		cmocka_unit_test(test_claude_weekday_is_next_such_day),
		cmocka_unit_test(test_claude_weekday_is_today_while_ahead),
		cmocka_unit_test(test_claude_weekday_passed_today_is_next_week),
		cmocka_unit_test(test_claude_month_day_and_zone),
		cmocka_unit_test(test_claude_month_day_without_zone),
		cmocka_unit_test(test_claude_month_day_at_time),
		cmocka_unit_test(test_claude_month_day_across_new_year),
		cmocka_unit_test(test_claude_tomorrow_at),
		cmocka_unit_test(test_codex_try_again_at_time_today),
		cmocka_unit_test(test_codex_try_again_at_date),
		cmocka_unit_test(test_codex_try_again_in_days_hours_minutes),
		cmocka_unit_test(test_codex_span_wrapped_onto_next_line),
		cmocka_unit_test(test_codex_try_again_in_minutes),
		cmocka_unit_test(test_codex_status_time_on_day_first_date),
		cmocka_unit_test(test_codex_error_json_reset_fields),
		cmocka_unit_test(test_gemini_quota_reset_after),
		cmocka_unit_test(test_span_hours_minutes),
		cmocka_unit_test(test_span_minutes),
		cmocka_unit_test(test_span_seconds),
		cmocka_unit_test(test_retry_after_header_seconds),
		cmocka_unit_test(test_retry_after_http_date),
		cmocka_unit_test(test_weekday_contradicting_date_is_refused),
		cmocka_unit_test(test_retry_countdown_is_not_a_reset),
		cmocka_unit_test(test_span_longer_than_8_days_is_refused),
		cmocka_unit_test(test_zero_span_is_refused),
		cmocka_unit_test(test_12am_is_midnight),
		cmocka_unit_test(test_12pm_is_noon),
		cmocka_unit_test(test_24_hour_clock),
		cmocka_unit_test(test_time_already_passed_today_is_tomorrow),
		cmocka_unit_test(test_asia_tokyo),
		cmocka_unit_test(test_zone_with_offset_in_name),
		cmocka_unit_test(test_process_zone_when_local_tz_is_null),
		cmocka_unit_test(test_unknown_zone_is_refused),
		cmocka_unit_test(test_hostile_zone_is_refused),
		cmocka_unit_test(test_zone_that_is_no_tzif_file_is_refused),
		cmocka_unit_test(test_bare_zone_abbreviation_is_refused),
		cmocka_unit_test(test_utc_offset_is_refused),
		cmocka_unit_test(test_tz_unset_stays_unset),
		cmocka_unit_test(test_tz_set_is_restored),
		cmocka_unit_test(test_hour_without_am_pm_is_not_a_time),
		cmocka_unit_test(test_unsupported_forms_are_not_read),
		cmocka_unit_test(test_impossible_date_is_refused),
		cmocka_unit_test(test_date_with_year_in_the_past_is_refused),
		cmocka_unit_test(test_dst_gap_los_angeles_reads_offset_before_gap),
		cmocka_unit_test(test_dst_spring_forward_night_is_an_hour_shorter),
		cmocka_unit_test(test_dst_overlap_los_angeles_is_first_occurrence),
		cmocka_unit_test(test_dst_overlap_los_angeles_second_occurrence_when_first_passed),
		cmocka_unit_test(test_dst_gap_rome_reads_offset_before_gap),
		cmocka_unit_test(test_dst_overlap_rome_is_first_occurrence),
		cmocka_unit_test(test_dst_fall_back_night_is_an_hour_longer),
		cmocka_unit_test(test_newest_time_wins),
		cmocka_unit_test(test_newest_time_unreadable_gives_zero),
		cmocka_unit_test(test_garbage_is_refused),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
