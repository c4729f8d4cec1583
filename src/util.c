/*
 * util.c - helpers shared by every module. Allocation failures are fatal
 * here and nowhere else, as in tmux's xmalloc.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void
oom(void)
{
	static const char msg[] = "vigil: out of memory\n";
	ssize_t r = write(2, msg, sizeof msg - 1);
	(void)r;
	_exit(70);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof tmp) {
		va_end(ap2);
		return xstrdup(tmp);
	}
	b.data = xmalloc((size_t)n + 1);
	vsnprintf(b.data, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return b.data;
}

void
seterr(char *err, const char *fmt, ...)
{
	if (err == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, VIGIL_ERR_LEN, fmt, ap);
	va_end(ap);
	/* An error is one line: fold any newline a cause carried in. */
	for (char *p = err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static void
buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	buf_grow(b, 64);
	int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	}
	va_end(ap2);
	b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
buf_steal(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
strv_addn(struct strv *s, const char *str, size_t n)
{
	if (s->n + 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = xstrndup(str, n);
	s->v[s->n] = NULL;
}

void
strv_add(struct strv *s, const char *str)
{
	strv_addn(s, str, strlen(str));
}

void
strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

void
strv_copy(struct strv *dst, char *const *src)
{
	for (; src && *src; src++)
		strv_add(dst, *src);
}

int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
time_local(int64_t ms, int zone, char *out, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, zone ? "%Y-%m-%d %H:%M:%S %Z" : "%Y-%m-%d %H:%M:%S", &tm);
}

int64_t
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(int64_t ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
name_check(const char *name, char *err)
{
	size_t n = strlen(name);
	if (n == 0) {
		seterr(err, "invalid agent name '': a name has 1 to 64 characters");
		return -1;
	}
	if (n > VIGIL_NAME_MAX) {
		seterr(err, "invalid agent name '%.20s...': longer than %d characters",
		    name, VIGIL_NAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-';
		if (!ok) {
			/* Quote only printable ASCII: the name is untrusted. */
			char shown[80];
			size_t k = 0;
			for (size_t j = 0; j < n && k + 5 < sizeof shown; j++) {
				unsigned char d = (unsigned char)name[j];
				if (d >= 0x20 && d < 0x7f && d != '\'')
					shown[k++] = (char)d;
				else
					k += (size_t)snprintf(shown + k, sizeof shown - k, "\\x%02x", d);
			}
			shown[k] = '\0';
			seterr(err, "invalid agent name '%s': only A-Z a-z 0-9 _ - allowed", shown);
			return -1;
		}
	}
	if (name[0] == '_' || name[0] == '-') {
		seterr(err, "invalid agent name '%s': must start with a letter or digit", name);
		return -1;
	}
	return 0;
}

int
split_words(const char *s, struct strv *out, char *err)
{
	struct buf w = {0};
	int inword = 0;
	const char *p = s;
	while (*p) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\n') {
			if (inword) {
				strv_addn(out, w.data ? w.data : "", w.len);
				buf_reset(&w);
				inword = 0;
			}
			p++;
			continue;
		}
		inword = 1;
		if (c == '\'') {
			const char *q = strchr(p + 1, '\'');
			if (q == NULL)
				goto unterminated;
			buf_add(&w, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		} else if (c == '"') {
			p++;
			for (;;) {
				if (*p == '\0')
					goto unterminated;
				if (*p == '"') {
					p++;
					break;
				}
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\' ||
				    p[1] == '$' || p[1] == '`')) {
					buf_add(&w, p + 1, 1);
					p += 2;
					continue;
				}
				if (*p == '\\' && p[1] == '\n') {
					p += 2;
					continue;
				}
				buf_add(&w, p, 1);
				p++;
			}
		} else if (c == '\\') {
			if (p[1] == '\0') {
				p++;
				continue;
			}
			if (p[1] != '\n')
				buf_add(&w, p + 1, 1);
			p += 2;
		} else {
			buf_add(&w, p, 1);
			p++;
		}
	}
	if (inword)
		strv_addn(out, w.data ? w.data : "", w.len);
	buf_free(&w);
	if (out->n == 0) {
		seterr(err, "empty command");
		return -1;
	}
	return 0;
unterminated:
	buf_free(&w);
	strv_free(out);
	seterr(err, "unterminated quote in '%s'", s);
	return -1;
}

void
quote_word(struct buf *b, const char *word)
{
	int plain = *word != '\0';
	for (const char *p = word; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_-./=:,+@%", *p))
			plain = 0;
	if (plain) {
		buf_puts(b, word);
		return;
	}
	buf_puts(b, "'");
	for (const char *p = word; *p; p++) {
		if (*p == '\'')
			buf_puts(b, "'\\''");
		else
			buf_add(b, p, 1);
	}
	buf_puts(b, "'");
}

int
mkdir_p(const char *dir, unsigned mode, char *err)
{
	char *path = xstrdup(dir);
	int rc = 0;
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		struct stat st;
		if (stat(path, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				seterr(err, "'%s' is not a directory", path);
				rc = -1;
				break;
			}
		} else if (mkdir(path, saved == '\0' ? mode : 0755) == -1 &&
		    errno != EEXIST) {
			seterr(err, "cannot create '%s': %s", path, strerror(errno));
			rc = -1;
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(path);
	return rc;
}

char *
find_in_path(const char *prog)
{
	if (*prog == '\0')
		return NULL;
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
	const char *path = getenv("PATH");
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	const char *p = path;
	for (;;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *cand = n ? xasprintf("%.*s/%s", (int)n, p, prog) : xasprintf("./%s", prog);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (e == NULL)
			return NULL;
		p = e + 1;
	}
}

int
read_file(const char *path, size_t max, struct buf *out, char *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		seterr(err, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		seterr(err, "'%s' is a directory", path);
		errno = EISDIR;
		return -1;
	}
	char tmp[8192];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			int e = errno;
			seterr(err, "cannot read '%s': %s", path, strerror(e));
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		if (out->len + (size_t)r > max) {
			seterr(err, "'%s' is larger than %zu bytes", path, max);
			close(fd);
			errno = EFBIG;
			return -1;
		}
		buf_add(out, tmp, (size_t)r);
	}
	close(fd);
	if (out->data == NULL)
		buf_add(out, "", 0);
	return 0;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p;
		size_t n;
		unsigned min;
		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, c &= 0x07;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= n)
			return 0;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

void
str_trim_right(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	    s[n - 1] == '\n'))
		s[--n] = '\0';
}

void
utf8_sanitize(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    (*p & 0xf8) == 0xf0 ? 4 : 0;
		size_t avail = strnlen((const char *)p, 4);
		if (n > 0 && n <= avail && utf8_valid((const char *)p, n)) {
			buf_add(out, p, n);
			p += n;
		} else {
			buf_puts(out, "\xef\xbf\xbd");
			p++;
		}
	}
	if (out->data == NULL)
		buf_add(out, "", 0);
}
