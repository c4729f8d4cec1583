/*
 * pattern.h - sets of PCRE2 patterns (rate limit, busy, idle, trust) that
 * the presets carry. Patterns match line-wise (^ and $ at each line) and in
 * UTF mode, tolerating invalid UTF-8 in the subject: panes print anything.
 */
#ifndef VIGIL_PATTERN_H
#define VIGIL_PATTERN_H

#include <stddef.h>

struct patset;

/* patset_new returns an empty set. */
struct patset *patset_new(void);
void patset_free(struct patset *ps);

/* patset_add compiles src into the set; 0, or -1 with err set. */
int patset_add(struct patset *ps, const char *src, char *err);

/* patset_add_trusted adds a pattern known to compile (a built-in one). */
void patset_add_trusted(struct patset *ps, const char *src);

/* patset_clear drops every pattern (a config's empty value does this). */
void patset_clear(struct patset *ps);

/* patset_count returns how many patterns the set holds. */
size_t patset_count(const struct patset *ps);

/* patset_source returns pattern i's source text. */
const char *patset_source(const struct patset *ps, size_t i);

/*
 * patset_match searches text for any pattern of the set. It returns the
 * index of the first pattern that matches, or -1; on a match *so and *eo
 * (may be NULL) get the byte span of the match in text.
 */
int patset_match(const struct patset *ps, const char *text, size_t len,
    size_t *so, size_t *eo);

/*
 * patset_match_last is patset_match but returns the match that starts
 * latest in text (the most recent line on a screen), over all patterns.
 */
int patset_match_last(const struct patset *ps, const char *text, size_t len,
    size_t *so, size_t *eo);

/* pattern_check compiles src once to validate it; 0 or -1 with err set. */
int pattern_check(const char *src, char *err);

#endif
