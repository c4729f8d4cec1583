/*
 * normalise.h - the screen normaliser of stuck detection (watchdog tier 1):
 * turns a pane capture into a text that changes only when the agent makes
 * real progress, so that its hash can be compared tick to tick. What is
 * masked, and what deliberately is not, is written in normalise.c.
 */
#ifndef VIGIL_NORMALISE_H
#define VIGIL_NORMALISE_H

#include <stddef.h>

#include "util.h"

#define NORMALISE_MASK '#' /* stands in for a masked counter or glyph */

/*
 * normalise_screen appends to out (which the caller resets) the normalised
 * form of text, len bytes of a `tmux capture-pane -p -J` capture: lines
 * end in '\n', bytes may be invalid UTF-8 (kept as they are) but hold no
 * NUL. Trailing blanks of each line and blank lines at the end are dropped,
 * then only the last `lines` lines are kept (all when lines <= 0), each
 * ending in '\n'; spinner glyphs and the counters of status lines are
 * masked. Two captures that differ only by such animation give the same
 * output. out->data is non-NULL afterwards, "" for an empty screen.
 */
void normalise_screen(const char *text, size_t len, int lines, struct buf *out);

#endif
