/* Timeline events and their deterministic order: timestamp, events without one last, then
 * source, line, offset, rule id, read order. */
#ifndef TIMBERLINE_TIMELINE_H
#define TIMBERLINE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "timberline/pattern.h"
#include "timberline/timestamp.h"

/* Event flags, written as short words in `flags`. */
enum {
    TL_FLAG_LONG_LINE = 1,         /* the line is over 1 MiB */
    TL_FLAG_MESSAGE_TRUNCATED = 2, /* message capped at 64 KiB */
    TL_FLAG_DST_GAP = 4,           /* local time in a spring-forward gap */
    TL_FLAG_DST_REPEAT = 8,        /* local time in the repeated autumn hour */
};
#define TL_FLAG_COUNT 4
/* Name of flag bit i (0..TL_FLAG_COUNT-1). */
const char *tl_flag_name(int bit);

/* One named capture; `name` is borrowed from the rule, `value` owned by the event. */
typedef struct tl_field {
    const char *name;
    char *value;
    size_t len;
} tl_field;

typedef struct tl_event {
    int64_t ts_us;          /* valid when quality != TL_TSQ_NONE */
    tl_ts_quality quality;
    uint32_t rule;          /* index in the pattern set */
    uint32_t item;          /* index in the evidence list */
    uint64_t line;          /* 1-based */
    uint64_t offset;        /* byte offset of the line start in the decompressed stream */
    uint64_t seq;           /* read order, the last tie-breaker */
    char *message;          /* raw line bytes (possibly windowed), owned */
    size_t message_len;
    char *indicator;        /* raw matched bytes, owned */
    size_t indicator_len;
    tl_field *fields;       /* sorted by name, owned */
    size_t nfields;
    unsigned flags;
} tl_event;

typedef struct tl_timeline {
    tl_event *ev;
    size_t n, cap;
} tl_timeline;

/* Appends a copy of the struct; ownership of its pointers moves to the timeline. */
void tl_timeline_push(tl_timeline *tl, const tl_event *ev);

/* Sorts into report order. `sources[item]` are the evidence source names. */
void tl_timeline_sort(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set);

/* Frees one event's owned memory. */
void tl_event_clear(tl_event *ev);
void tl_timeline_free(tl_timeline *tl);

#endif
