/*
 * util.h - small helpers every module uses: memory that dies on exhaustion
 * (as tmux's xmalloc does, so callers need not check), growable buffers,
 * error strings, the clock, agent names and shell-like word splitting.
 */
#ifndef VIGIL_UTIL_H
#define VIGIL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define VIGIL_ERR_LEN 512 /* size of every caller's err buffer */
#define VIGIL_NAME_MAX 64 /* longest agent name */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xasprintf returns a malloc'd formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* seterr fills err (may be NULL) with a formatted one-line message. */
void seterr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable byte buffer, always NUL-terminated when data != NULL. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* buf_steal returns the data (never NULL) and leaves b empty. */
char *buf_steal(struct buf *b);

/* A NULL-terminated vector of malloc'd strings. */
struct strv {
	char **v;
	size_t n;
	size_t cap;
};
void strv_add(struct strv *s, const char *str);
void strv_addn(struct strv *s, const char *str, size_t n);
void strv_free(struct strv *s);
/* strv_copy returns a fresh NULL-terminated copy of a NULL-terminated vector. */
void strv_copy(struct strv *dst, char *const *src);

/* now_ms is the wall clock in milliseconds since the epoch. */
int64_t now_ms(void);
/* mono_ms is a monotonic clock in milliseconds, for timeouts. */
int64_t mono_ms(void);
/*
 * time_local writes unix ms time ms as local "YYYY-MM-DD HH:MM:SS", with
 * " ZONE" after it when zone is set, for people to read.
 */
void time_local(int64_t ms, int zone, char *out, size_t n);
/* sleep_ms sleeps, resuming after signals, for the given milliseconds. */
void sleep_ms(int64_t ms);

/*
 * name_check returns 0 when name is a valid agent name a user may give
 * (1-64 of [A-Za-z0-9_-], first a letter or digit), else -1 with err set.
 */
int name_check(const char *name, char *err);

/*
 * split_words splits s into words as a POSIX shell would (blanks, single and
 * double quotes, backslashes) but never expands anything. Returns 0, or -1
 * with err set on an unterminated quote or an empty result.
 */
int split_words(const char *s, struct strv *out, char *err);

/* quote_word appends word to b quoted for a shell, for display only. */
void quote_word(struct buf *b, const char *word);

/* mkdir_p creates dir and its parents with mode; 0 or -1 with err set. */
int mkdir_p(const char *dir, unsigned mode, char *err);

/* find_in_path returns a malloc'd path of the executable prog, or NULL. */
char *find_in_path(const char *prog);

/*
 * read_file reads a whole file (at most max bytes) into out; 0, or -1 with
 * errno set: EISDIR a directory, EFBIG larger than max, else open's or read's.
 */
int read_file(const char *path, size_t max, struct buf *out, char *err);

/* utf8_valid tells whether s (len bytes) is valid UTF-8. */
int utf8_valid(const char *s, size_t len);

/* utf8_sanitize appends s to out with each invalid byte as U+FFFD. */
void utf8_sanitize(const char *s, struct buf *out);

/* ASCII character classes on a plain char (bytes above 127 are never ASCII). */
static inline int
ch_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline int
ch_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
ch_word(char c)
{
	return ch_digit(c) || ch_alpha(c) || c == '_';
}

/* str_trim_right removes trailing blanks (space, tab, CR, LF) in place. */
void str_trim_right(char *s);

#endif
