/*
 * template.h - fill the Markdown prompt templates (triage, resume) whose
 * placeholders are written {{name}}, name being 1 or more of [a-z0-9_].
 */
#ifndef VIGIL_TEMPLATE_H
#define VIGIL_TEMPLATE_H

#include <stddef.h>

#include "util.h"

/* One variable: a NULL value is the empty string. */
struct tvar {
	const char *name;
	const char *value;
};

/*
 * template_fill appends tmpl to out, replacing each {{name}} by the value of
 * the first of the n vars of that name. Values are inserted verbatim and
 * never scanned again (a value holding "{{x}}" stays as is: pane text is
 * untrusted). "{{{{" is a literal "{{"; any other "{{" must open a valid
 * placeholder. Bytes outside placeholders, invalid UTF-8 included, are
 * copied as they are. Returns 0, or -1 with err naming the placeholder and
 * its line (unknown name, empty name, a name with other characters, no
 * closing "}}" on its line) and out as it was on entry.
 */
int template_fill(const char *tmpl, const struct tvar *vars, size_t n, struct buf *out,
    char *err);

#endif
