/* Re-hunting against a previous report: which events were already there (same source, line
 * and rule), so a nightly CI job alerts only on fresh sightings. */
#ifndef TIMBERLINE_BASELINE_H
#define TIMBERLINE_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "timberline/error.h"

typedef struct tl_baseline tl_baseline;

/* Reads DIR/timeline.jsonl of a previous report. *out is owned by the caller
 * (tl_baseline_free). Returns TL_EIO / TL_ECORRUPT with a message naming file:line. */
int tl_baseline_load(tl_baseline **out, const char *dir, tl_error *err);

/* True when the previous report had an event for this (source, line, rule). Read-only;
 * thread-safe. `source` is the escaped source name as written in the timeline. */
int tl_baseline_contains(const tl_baseline *b, const char *source, uint64_t line,
                         const char *rule);

size_t tl_baseline_count(const tl_baseline *b);
void tl_baseline_free(tl_baseline *b);

#endif
