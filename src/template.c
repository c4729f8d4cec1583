/*
 * template.c - fill {{name}} placeholders in the prompt templates. One pass,
 * left to right: a value goes into the output and is never looked at again,
 * so pane text that holds "{{task}}" cannot pull other variables in. Strict
 * on purpose: templates are edited by people, and a placeholder misspelt or
 * left open must fail loudly rather than reach the model as it stands. A
 * literal "{{" is written "{{{{"; a lone "}}" needs no escape.
 */
#include <string.h>

#include "template.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"
#define SHOW_MAX 40 /* bytes of a bad placeholder quoted in an error */

static const struct tvar *
lookup(const struct tvar *vars, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(vars[i].name, name, len) == 0 && vars[i].name[len] == '\0')
			return &vars[i];
	return NULL;
}

static size_t
line_of(const char *tmpl, const char *at)
{
	size_t line = 1;
	for (const char *p = tmpl; p < at; p++)
		if (*p == '\n')
			line++;
	return line;
}

/*
 * show copies len bytes at s into dst (SHOW_MAX + 4 bytes) for an error
 * message: printable ASCII only, cut with "..." when longer.
 */
static void
show(const char *s, size_t len, char *dst)
{
	size_t k = 0;
	for (; k < len && k < SHOW_MAX; k++) {
		unsigned char c = (unsigned char)s[k];
		dst[k] = c >= 0x20 && c < 0x7f && c != '\'' ? (char)c : '?';
	}
	if (len > SHOW_MAX) {
		memcpy(dst + k, "...", 3);
		k += 3;
	}
	dst[k] = '\0';
}

/*
 * bad_placeholder explains why the "{{" at o does not open a valid
 * placeholder whose name would be len bytes long.
 */
static void
bad_placeholder(const char *tmpl, const char *o, size_t len, char *err)
{
	char shown[SHOW_MAX + 4];
	size_t line = line_of(tmpl, o);
	size_t eol = strcspn(o, "\n");
	const char *close = strstr(o + 2, "}}");

	if (len == 0 && strncmp(o + 2, "}}", 2) == 0) {
		seterr(err, "empty placeholder '{{}}' on line %zu", line);
	} else if (close == NULL || (size_t)(close - o) > eol) {
		show(o, strcspn(o, "\r\n"), shown);
		seterr(err, "unterminated placeholder '%s' on line %zu: no closing }}", shown,
		    line);
	} else {
		show(o, (size_t)(close - o) + 2, shown);
		seterr(err, "invalid placeholder '%s' on line %zu: a name has only a-z 0-9 _ "
		    "(write {{{{ for a literal {{)", shown, line);
	}
}

int
template_fill(const char *tmpl, const struct tvar *vars, size_t n, struct buf *out,
    char *err)
{
	size_t start = out->len;
	const char *p = tmpl;
	const char *o;

	while ((o = strstr(p, "{{")) != NULL) {
		buf_add(out, p, (size_t)(o - p));
		if (strncmp(o, "{{{{", 4) == 0) {
			buf_add(out, "{{", 2);
			p = o + 4;
			continue;
		}
		const char *name = o + 2;
		size_t len = strspn(name, NAME_CHARS);
		if (len == 0 || strncmp(name + len, "}}", 2) != 0) {
			bad_placeholder(tmpl, o, len, err);
			goto fail;
		}
		const struct tvar *var = lookup(vars, n, name, len);
		if (var == NULL) {
			char shown[SHOW_MAX + 4];
			show(name, len, shown);
			seterr(err, "unknown placeholder '{{%s}}' on line %zu", shown,
			    line_of(tmpl, o));
			goto fail;
		}
		if (var->value != NULL)
			buf_puts(out, var->value);
		p = name + len + 2;
	}
	buf_puts(out, p);
	return 0;
fail:
	out->len = start;
	if (out->data != NULL)
		out->data[start] = '\0';
	return -1;
}
