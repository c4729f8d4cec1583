/*
 * test_ratelimit_patterns.c - the built-in presets' rate-limit patterns
 * against messages the CLIs really print: every limit that stops an agent is
 * one, while an error the CLI retries by itself, a warning, and code that
 * merely mentions a limit or 429 are not.
 */
#include <string.h>

#include "unit.h"

#include "config.h"
#include "pattern.h"

static int
setup(void **state)
{
	*state = config_defaults();
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	config_free(*state);
	return 0;
}

static const struct patset *
ratelimit(void **state, const char *preset)
{
	struct preset *p = config_preset(*state, preset);
	if (p == NULL)
		fail_msg("no built-in preset '%s'", preset);
	return p->ratelimit;
}

static void
limited(void **state, const char *preset, const char *text)
{
	if (patset_match(ratelimit(state, preset), text, strlen(text), NULL, NULL) < 0)
		fail_msg("%s: not read as a rate limit: '%s'", preset, text);
}

static void
not_limited(void **state, const char *preset, const char *text)
{
	const struct patset *ps = ratelimit(state, preset);
	int i = patset_match(ps, text, strlen(text), NULL, NULL);
	if (i >= 0)
		fail_msg("%s: read as a rate limit by '%s': '%s'", preset, patset_source(ps, i), text);
}

/* Claude Code */

static void
test_claude_usage_limits_are_rate_limits(void **state)
{
	limited(state, "claude", "Claude AI usage limit reached|1767225600");
	limited(state, "claude", "  ⎿  Claude usage limit reached. Your limit will reset at 3pm "
	    "(America/Bogota).");
	limited(state, "claude", "Claude usage limit reached. Your limit will reset at 12am.");
	limited(state, "claude", "5-hour limit reached ∙ resets 5am");
	limited(state, "claude", "You've hit your limit · resets 4:50am (Europe/Rome)");
	limited(state, "claude", "You've hit your session limit · resets 12:50am "
	    "(America/Los_Angeles)");
	limited(state, "claude", "You've hit your weekly limit · resets 5pm (America/Detroit)");
	limited(state, "claude", "You’ve hit your limit · resets 3pm (America/New_York)");
}

static void
test_claude_weekly_limit_reached_is_a_rate_limit(void **state)
{
	limited(state, "claude", "Weekly limit reached · resets Mon 9am");
	limited(state, "claude", "Weekly limit reached · resets Nov 27, 9am");
	limited(state, "claude", "  ⎿  Weekly limit reached · resets Dec 1, 2pm "
	    "(America/Chicago) · turn on /extra-usage");
}

static void
test_claude_reached_your_usage_limit_is_a_rate_limit(void **state)
{
	limited(state, "claude", "You've reached your usage limit · resets Jul 26 at 6am");
}

static void
test_claude_final_429_is_a_rate_limit(void **state)
{
	limited(state, "claude", "  ⎿  API Error: 429 {\"type\":\"error\",\"error\":{\"type\":"
	    "\"rate_limit_error\",\"message\":\"This request would exceed your account's rate "
	    "limit. Please try again later.\"}}\n\n> ");
}

static void
test_claude_retried_errors_are_not_rate_limits(void **state)
{
	not_limited(state, "claude", "  ⎿  API Error: 529 {\"type\":\"error\",\"error\":{\"type\":"
	    "\"overloaded_error\",\"message\":\"Overloaded\"}} · Retrying in 1 seconds… "
	    "(attempt 1/10)");
	not_limited(state, "claude", "  ⎿  API Error: 429 {\"type\":\"error\",\"error\":{\"type\":"
	    "\"rate_limit_error\",\"message\":\"This request would exceed your account's rate "
	    "limit.\"}} · Retrying in 5 seconds… (attempt 2/10)");
	not_limited(state, "claude", "API Error (429 {\"type\":\"error\",\"error\":{\"type\":"
	    "\"rate_limit_error\"}}) · Retrying in 12s · attempt 3/10");
	not_limited(state, "claude", "  ⎿  API Error (Request timed out.) · Retrying in 1 "
	    "seconds… (attempt 1/10)");
}

static void
test_claude_retried_error_wrapped_by_ink_is_not_a_rate_limit(void **state)
{
	/* Ink breaks a long line itself, so the countdown lands on a later line */
	not_limited(state, "claude", "  ⎿  API Error: 429 {\"type\":\"error\",\"error\":{\"type\":"
	    "\"rate_limit_error\",\"message\":\"This\n     request would exceed your account's "
	    "rate limit. Please try again later.\"}}\n     · Retrying in 5 seconds… (attempt "
	    "2/10)");
}

static void
test_claude_warnings_and_fallbacks_are_not_rate_limits(void **state)
{
	not_limited(state, "claude", "Approaching usage limit · resets at 12pm");
	not_limited(state, "claude", "You've used 88% of your weekly limit · resets Jul 26 at 6am");
	not_limited(state, "claude", "Opus 4 limit reached ∙ now using Sonnet 4");
}

/* Codex */

static void
test_codex_usage_limits_are_rate_limits(void **state)
{
	limited(state, "codex", "■ You've hit your usage limit. Upgrade to Pro "
	    "(https://openai.com/chatgpt/pricing) or try again at 3:04 PM.");
	limited(state, "codex", "You've hit your usage limit. Upgrade to Plus to continue using "
	    "Codex (https://chatgpt.com/explore/plus), or try again at Nov 25th, 2026 3:04 PM.");
	limited(state, "codex", "■ You've hit your usage limit. Upgrade to Pro "
	    "(https://openai.com/chatgpt/pricing) or try again in 2 days 1 hour 12 minutes.");
	limited(state, "codex", "■ You've hit your usage limit. Upgrade to Pro "
	    "(https://openai.com/chatgpt/pricing) or try again in 5 days 22 hours 11\nminutes.");
	limited(state, "codex", "You've hit your usage limit. Try again in 45 minutes.");
}

static void
test_codex_429_it_gave_up_on_is_a_rate_limit(void **state)
{
	limited(state, "codex", "■ exceeded retry limit, last status: 429 Too Many Requests, "
	    "request id: 99927d40789dcbd0-MAD");
	limited(state, "codex", "■ unexpected status 429 Too Many Requests: Rate limit reached "
	    "for gpt-5 in organization org-x on tokens per min (TPM)");
}

static void
test_codex_retried_errors_are_not_rate_limits(void **state)
{
	not_limited(state, "codex", "⚠️ stream error: unexpected status 429 Too Many Requests; "
	    "retrying 1/5 in 202ms…");
	not_limited(state, "codex", "Reconnecting... 2/5 (unexpected status 429 Too Many "
	    "Requests)");
	not_limited(state, "codex", "stream error: Rate limit reached for gpt-5 in organization "
	    "org-x on tokens per min (TPM): Limit 30000, Used 29000. Please try again in 2.1s.; "
	    "retrying 1/5 in 2.1s…");
}

static void
test_codex_reconnecting_detail_line_is_not_a_rate_limit(void **state)
{
	not_limited(state, "codex", "◦ Reconnecting... 1/5 (17s • esc to interrupt)\n"
	    "  └ Unexpected status 429 Too Many Requests: rate limited, url: "
	    "https://chatgpt.com/backend-api/codex/responses");
}

/* Gemini CLI */

static void
test_gemini_quota_limits_are_rate_limits(void **state)
{
	limited(state, "gemini", "You have reached your daily gemini-2.5-pro quota limit.");
	limited(state, "gemini", "✕ [API Error: You have exhausted your capacity on this model. "
	    "Your quota will reset after 8h36m13s.]");
	limited(state, "gemini", "✕ [API Error: [{\n    \"error\": {\n      \"code\": 429,\n"
	    "      \"message\": \"Resource has been exhausted (e.g. check quota).\",\n"
	    "      \"status\": \"RESOURCE_EXHAUSTED\"\n    }\n  }\n  ]]\n"
	    "  Please wait and try again later.");
}

static void
test_gemini_retried_errors_are_not_rate_limits(void **state)
{
	not_limited(state, "gemini", "Attempt 1 failed with status 429. Retrying with backoff... "
	    "_ApiError: {\"error\":{\"message\":\"RESOURCE_EXHAUSTED\"}}");
	not_limited(state, "gemini", "Attempt 1 failed: You have exhausted your capacity on this "
	    "model. Your quota will reset after 5s.. Retrying after 6173ms...");
}

/* aider */

static void
test_aider_rate_limit_it_gave_up_on_is_a_rate_limit(void **state)
{
	limited(state, "aider", "litellm.RateLimitError: AnthropicException - "
	    "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}\n"
	    "The API provider has rate limited you. Try again later or check your quotas.\n"
	    "> ");
}

static void
test_aider_retried_rate_limit_is_not_a_rate_limit(void **state)
{
	not_limited(state, "aider", "litellm.RateLimitError: AnthropicException - "
	    "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}\n"
	    "The API provider has rate limited you. Try again later or check your quotas.\n"
	    "Retrying in 0.2 seconds...");
}

/* Every preset */

static void
test_code_mentioning_limit_or_429_is_not_a_rate_limit(void **state)
{
	static const char *const presets[] = {"claude", "codex", "gemini", "aider"};
	static const char *const code[] = {
		"const limit = 429;",
		"if (res.status === 429) return retry(limit);",
		"  // 429 Too Many Requests: back off, the rate limit reached its ceiling",
		"MAX_LIMIT = 429  # hour limit reached? no: 5-hour limit, see docs",
		"● Update(src/ratelimit.c)\n  ⎿  Updated src/ratelimit.c with 3 additions\n"
		"       12 +  if (hits > limit) /* usage limit reached */",
		"test_rate_limit_429_is_retried PASSED",
	};
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
		for (size_t j = 0; j < sizeof code / sizeof code[0]; j++)
			not_limited(state, presets[i], code[j]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claude_usage_limits_are_rate_limits),
		cmocka_unit_test(test_claude_weekly_limit_reached_is_a_rate_limit),
		cmocka_unit_test(test_claude_reached_your_usage_limit_is_a_rate_limit),
		cmocka_unit_test(test_claude_final_429_is_a_rate_limit),
		cmocka_unit_test(test_claude_retried_errors_are_not_rate_limits),
		cmocka_unit_test(test_claude_retried_error_wrapped_by_ink_is_not_a_rate_limit),
		cmocka_unit_test(test_claude_warnings_and_fallbacks_are_not_rate_limits),
		cmocka_unit_test(test_codex_usage_limits_are_rate_limits),
		cmocka_unit_test(test_codex_429_it_gave_up_on_is_a_rate_limit),
		cmocka_unit_test(test_codex_retried_errors_are_not_rate_limits),
		cmocka_unit_test(test_codex_reconnecting_detail_line_is_not_a_rate_limit),
		cmocka_unit_test(test_gemini_quota_limits_are_rate_limits),
		cmocka_unit_test(test_gemini_retried_errors_are_not_rate_limits),
		cmocka_unit_test(test_aider_rate_limit_it_gave_up_on_is_a_rate_limit),
		cmocka_unit_test(test_aider_retried_rate_limit_is_not_a_rate_limit),
		cmocka_unit_test(test_code_mentioning_limit_or_429_is_not_a_rate_limit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
