/*
 * pattern.c - PCRE2 pattern sets. Compiled with MULTILINE so that a pattern
 * such as '^> $' finds a prompt on any line of a capture, and with
 * MATCH_INVALID_UTF so that a pane's broken bytes never make a match fail.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "util.h"

/*
 * Compiling is deferred: a built-in pattern is compiled when it is first
 * matched, and a JIT compile happens then too, so a short-lived command
 * (ls, send) pays nothing for the dozens of patterns it never uses.
 */
struct patset {
	pcre2_code **code; /* NULL until first needed */
	int *jitted;
	char **src;
	size_t n;
	size_t cap;
	pcre2_match_data *md;
};

struct patset *
patset_new(void)
{
	return xcalloc(1, sizeof(struct patset));
}

void
patset_clear(struct patset *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		if (ps->code[i])
			pcre2_code_free(ps->code[i]);
		free(ps->src[i]);
	}
	ps->n = 0;
}

void
patset_free(struct patset *ps)
{
	if (ps == NULL)
		return;
	patset_clear(ps);
	free(ps->code);
	free(ps->jitted);
	free(ps->src);
	if (ps->md)
		pcre2_match_data_free(ps->md);
	free(ps);
}

static pcre2_code *
compile(const char *src, char *err)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
	    PCRE2_MULTILINE | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof msg);
		seterr(err, "invalid pattern '%s': %s at offset %zu", src, (char *)msg,
		    (size_t)off);
		return NULL;
	}
	return re;
}

int
pattern_check(const char *src, char *err)
{
	pcre2_code *re = compile(src, err);
	if (re == NULL)
		return -1;
	pcre2_code_free(re);
	return 0;
}

static void
append(struct patset *ps, const char *src, pcre2_code *re)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 4;
		ps->code = xrealloc(ps->code, ps->cap * sizeof *ps->code);
		ps->jitted = xrealloc(ps->jitted, ps->cap * sizeof *ps->jitted);
		ps->src = xrealloc(ps->src, ps->cap * sizeof *ps->src);
	}
	ps->code[ps->n] = re;
	ps->jitted[ps->n] = 0;
	ps->src[ps->n] = xstrdup(src);
	ps->n++;
}

int
patset_add(struct patset *ps, const char *src, char *err)
{
	pcre2_code *re = compile(src, err);
	if (re == NULL)
		return -1;
	append(ps, src, re);
	return 0;
}

void
patset_add_trusted(struct patset *ps, const char *src)
{
	append(ps, src, NULL);
}

/* code returns pattern i compiled (and JIT-compiled where JIT exists). */
static pcre2_code *
code(const struct patset *ps, size_t i)
{
	/* The set is logically const; compiled code is a cache. */
	struct patset *m = (struct patset *)ps;
	if (m->code[i] == NULL) {
		m->code[i] = compile(m->src[i], NULL);
		if (m->code[i] == NULL)
			abort(); /* a trusted pattern that does not compile is a bug */
	}
	if (!m->jitted[i]) {
		/* JIT is optional: where it is unavailable the interpreter is used. */
		pcre2_jit_compile(m->code[i], PCRE2_JIT_COMPLETE);
		m->jitted[i] = 1;
	}
	return m->code[i];
}

size_t
patset_count(const struct patset *ps)
{
	return ps ? ps->n : 0;
}

const char *
patset_source(const struct patset *ps, size_t i)
{
	return i < ps->n ? ps->src[i] : NULL;
}

static pcre2_match_data *
match_data(const struct patset *ps)
{
	/* The set is logically const; the scratch match data is a cache. */
	struct patset *m = (struct patset *)ps;
	if (m->md == NULL)
		m->md = pcre2_match_data_create(32, NULL);
	if (m->md == NULL)
		abort();
	return m->md;
}

int
patset_match(const struct patset *ps, const char *text, size_t len,
    size_t *so, size_t *eo)
{
	if (ps == NULL)
		return -1;
	for (size_t i = 0; i < ps->n; i++) {
		pcre2_match_data *md = match_data(ps);
		int rc = pcre2_match(code(ps, i), (PCRE2_SPTR)text, len, 0, 0, md, NULL);
		if (rc >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			if (so)
				*so = ov[0];
			if (eo)
				*eo = ov[1];
			return (int)i;
		}
	}
	return -1;
}

int
patset_match_last(const struct patset *ps, const char *text, size_t len,
    size_t *so, size_t *eo)
{
	if (ps == NULL)
		return -1;
	int best = -1;
	size_t bso = 0, beo = 0;
	for (size_t i = 0; i < ps->n; i++) {
		pcre2_match_data *md = match_data(ps);
		size_t start = 0;
		while (start <= len) {
			int rc = pcre2_match(code(ps, i), (PCRE2_SPTR)text, len, start, 0,
			    md, NULL);
			if (rc < 0)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			if (best == -1 || ov[0] > bso) {
				best = (int)i;
				bso = ov[0];
				beo = ov[1];
			}
			start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		}
	}
	if (best >= 0) {
		if (so)
			*so = bso;
		if (eo)
			*eo = beo;
	}
	return best;
}
