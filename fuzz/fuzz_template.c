/*
 * fuzz_template.c - libFuzzer target for template_fill (src/template.c),
 * which fills the triage and resume prompts. The input is a template (any
 * bytes up to the first NUL); the variables are fixed, and their values
 * hold placeholders and escapes of their own, as pane text may. Asserted,
 * from template.h, by walking the template alongside the output:
 *
 * - on success, the output is the template with each "{{{{" turned into
 *   "{{", each {{name}} into the first value of that name (NULL: nothing),
 *   and every other byte as it was; so no "{{" of the template is left but
 *   the escaped ones, and a value is never expanded again;
 * - it fails exactly when some "{{" opens no valid, known placeholder; then
 *   out is as it was on entry (earlier contents kept) and err names the
 *   first such placeholder's line;
 * - the values cannot change whether or how it fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"

#include "fuzz.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"
#define PREFIX "kept from before\n"

/*
 * The names of prompts/triage.md and prompts/resume.md, so that the real
 * templates in the corpus fill, and a few more. Two sets of values for the
 * same names: the second must not change whether or how a fill fails.
 */
#define NAMES(X)                                                                \
	X(agent) X(task) X(pane_tail) X(pane) X(name) X(dir) X(preset) X(state)   \
	X(events) X(reason) X(summary) X(pending) X(questions) X(token)           \
	X(unchanged) X(restore) X(notes_from) X(git_compare) X(branch_now)        \
	X(branch_then) X(head_now) X(head_then) X(files_now) X(files_then)        \
	X(checkpoint_time) X(handoff_time) X(a_1)
#define VAR_A(n) {#n, "<" #n " {{" #n "}} {{{{ {{nope>"},
#define VAR_B(n) {#n, NULL},

static const struct tvar vars_a[] = {
	{"empty", ""},
	{"none", NULL},
	NAMES(VAR_A)
	{"agent", "never: the first agent wins"},
};
static const struct tvar vars_b[] = {
	{"empty", "not empty \xff\xfe"},
	{"none", "{{none}}"},
	NAMES(VAR_B)
	{"agent", "never"},
};
#define NVARS (sizeof vars_a / sizeof vars_a[0])
_Static_assert(sizeof vars_a == sizeof vars_b, "the same names in both sets");

static const struct tvar *
find(const struct tvar *vars, const char *name, size_t len)
{
	for (size_t i = 0; i < NVARS; i++)
		if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

/*
 * model fills t as template.h describes it, into want; 0, or -1 with *line
 * the line of the first "{{" that opens no valid, known placeholder.
 */
static int
model(const char *t, const struct tvar *vars, struct buf *want, size_t *line)
{
	size_t ln = 1;

	buf_add(want, "", 0);
	while (*t != '\0') {
		if (t[0] != '{' || t[1] != '{') {
			if (*t == '\n')
				ln++;
			buf_add(want, t++, 1);
			continue;
		}
		if (t[2] == '{' && t[3] == '{') {
			buf_add(want, "{{", 2);
			t += 4;
			continue;
		}
		size_t len = strspn(t + 2, NAME_CHARS);
		const struct tvar *v = find(vars, t + 2, len);
		if (len == 0 || t[2 + len] != '}' || t[3 + len] != '}' || v == NULL) {
			*line = ln;
			return -1;
		}
		if (v->value != NULL)
			buf_puts(want, v->value);
		t += len + 4;
	}
	return 0;
}

static int
fill(const char *t, const struct tvar *vars, char *err)
{
	struct buf out = {0}, want = {0};
	size_t line = 0;

	buf_puts(&out, PREFIX);
	err[0] = '\0';
	int rc = template_fill(t, vars, NVARS, &out, err);
	int expect = model(t, vars, &want, &line);
	CHECK(rc == expect);
	CHECK(out.data != NULL && strlen(out.data) <= out.len);
	CHECK(strncmp(out.data, PREFIX, strlen(PREFIX)) == 0);
	if (rc == 0) {
		CHECK(err[0] == '\0');
		CHECK(out.len == strlen(PREFIX) + want.len);
		CHECK(memcmp(out.data + strlen(PREFIX), want.data, want.len) == 0);
	} else {
		char at[64];
		snprintf(at, sizeof at, " on line %zu", line);
		CHECK(out.len == strlen(PREFIX) && out.data[out.len] == '\0');
		CHECK(strstr(err, "placeholder '") != NULL);
		const char *e = NULL;
		/* the last one: the quoted placeholder may hold " on line" too */
		for (const char *f = err; (f = strstr(f, at)) != NULL; f++)
			e = f;
		if (e == NULL || (e[strlen(at)] != '\0' && e[strlen(at)] != ':')) {
			fprintf(stderr, "error '%s' does not say '%s'\n", err, at);
			abort();
		}
	}
	buf_free(&out);
	buf_free(&want);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t = xstrndup((const char *)data, size);
	char err_a[VIGIL_ERR_LEN], err_b[VIGIL_ERR_LEN];

	int a = fill(t, vars_a, err_a);
	int b = fill(t, vars_b, err_b);
	CHECK(a == b && strcmp(err_a, err_b) == 0);
	free(t);
	return 0;
}
