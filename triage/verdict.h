/*
 * verdict.h - the strict parser of an AI triage command's answer. The model
 * sees untrusted pane text, so the only thing that counts is the exact form
 * of the last non-empty line of its output; everything else is at most a
 * reason to log.
 */
#ifndef VIGIL_VERDICT_H
#define VIGIL_VERDICT_H

#include <stddef.h>

#define VERDICT_TEXT_MAX 200   /* longest NUDGE text, in characters (code points) */
#define VERDICT_REASON_MAX 300 /* longest reason kept, in bytes */

enum verdict_kind {
	VERDICT_NONE,      /* no verdict: see none */
	VERDICT_CONTINUE,  /* leave the agent be */
	VERDICT_NUDGE,     /* type text into the agent's pane */
	VERDICT_RESTART,   /* checkpoint, kill, start again with a resume prompt */
	VERDICT_TERMINATE, /* checkpoint and kill for good */
};

struct verdict {
	enum verdict_kind kind;
	char text[(VERDICT_TEXT_MAX + 1) * 4]; /* NUDGE text, valid UTF-8, NUL-terminated */
	char reason[VERDICT_REASON_MAX + 1];   /* a line to log, valid UTF-8, may be empty */
	const char *none; /* VERDICT_NONE: "unparseable" or "empty"; else NULL */
};

/*
 * verdict_parse reads a triage command's stdout (len bytes at out, any
 * bytes) into *v and returns v->kind. The verdict is the last non-empty
 * line, without its trailing spaces, tabs and CRs, and must be exactly
 * CONTINUE, RESTART, TERMINATE, or NUDGE, one space and 1 to 200 characters
 * of printable, valid UTF-8 text. Anything else (leading blanks, another
 * case, decoration, a verdict followed by more text, a NUL byte anywhere) is
 * VERDICT_NONE with none "unparseable"; output of blank lines only, or none,
 * is VERDICT_NONE with none "empty".
 *
 * v->reason is the last non-empty line before the verdict line (the model's
 * reason); with no verdict it is the last non-empty line itself, so the log
 * can show what the model said instead. It is trimmed, cut at 300 bytes on a
 * character boundary, with each control character, display-changing format
 * character and invalid byte replaced by '?'.
 */
enum verdict_kind verdict_parse(const char *out, size_t len, struct verdict *v);

/* verdict_name returns "CONTINUE", "NUDGE", "RESTART", "TERMINATE" or "none". */
const char *verdict_name(enum verdict_kind k);

#endif
