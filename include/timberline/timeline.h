/* Timeline events and their deterministic order: timestamp, events without one last, then
 * source, line, offset, rule id, item (same-named members of one archive: archive order), read
 * order. */
#ifndef TIMBERLINE_TIMELINE_H
#define TIMBERLINE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "timberline/pattern.h"
#include "timberline/timestamp.h"
#include "timberline/error.h"

#include <stdio.h>

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
    signed char is_new;     /* --baseline: 1 not in the previous report, 0 in it; -1 no baseline */
    void *block;            /* when set, fields, message, indicator and field values all live in
                               this one allocation (tl_event_alloc), freed as one */
} tl_event;

/* Gives ev one allocation for its strings: ev->fields (nfields entries, zeroed), ev->message
 * (msg_len + 1 bytes), ev->indicator (ind_len + 1) and, returned, room for the field values
 * (vals_len bytes plus a NUL per field). Lengths are set; the caller fills the bytes. One
 * malloc and one free per event instead of one per string: events are made by the million. */
char *tl_event_alloc(tl_event *ev, size_t msg_len, size_t ind_len, size_t nfields, size_t vals_len);

/* Per-rule tallies kept as events are pushed, so summaries never re-read a spilled timeline. */
typedef struct tl_rule_tally {
    uint64_t hits;             /* events of the rule */
    uint64_t timed;            /* of them, with a timestamp */
    uint64_t fresh;            /* of them, new against --baseline (is_new == 1) */
    int64_t first_us, last_us; /* over the timed ones */
} tl_rule_tally;

/* The timeline: events in memory up to a budget, then sorted runs spilled to files in the
 * report directory and k-way merged when read, so memory stays flat for any event count. */
typedef struct tl_timeline {
    tl_event *ev;           /* in memory; sorted once tl_timeline_finish ran */
    size_t n, cap;
    uint64_t total;         /* all events, in memory and spilled */
    size_t mem_bytes;       /* estimate of what the in-memory events hold */
    size_t budget;          /* spill when mem_bytes passes it; 0 = never */
    char *spill_parent;     /* directory under which the run files go (the report directory) */
    char *spill_dir;        /* created at the first spill, removed by tl_timeline_free */
    char **runs;            /* run files, each sorted */
    unsigned *run_level;    /* 0 = spilled from memory; L+1 = merged from TL_RUN_FANIN of level L */
    size_t nruns;
    const char *const *sources; /* set by finish: the evidence sources, for the merge */
    const tl_pattern_set *set;
    tl_rule_tally *tally;   /* per rule index, `ntally` of them */
    size_t ntally;
    uint32_t *item_map;     /* set by tl_timeline_remap_items: applied to spilled events */
    size_t nitem_map;
    size_t run_seq;         /* names run files: never reused within the run directory */
    char merge_note[256];   /* why merging runs failed once (they stay separate), or "" */
} tl_timeline;

/* Runs of one level are merged into one run of the next level once there are this many, so a
 * catch-all over any amount of evidence keeps few files open (each report writer opens every
 * run at once) and the final merge stays cheap: every event is rewritten once per level. */
#define TL_RUN_FANIN 16

/* Empty timeline for `nrules` rules; `budget` bytes of events before spilling to
 * `spill_parent` (both may be 0 / NULL: everything in memory). */
void tl_timeline_init(tl_timeline *tl, size_t nrules, size_t budget, const char *spill_parent);

/* Appends a copy of the struct; ownership of its pointers moves to the timeline. */
void tl_timeline_push(tl_timeline *tl, const tl_event *ev);

/* Sorts the in-memory events and writes them as a run file (nothing to do when there are
 * none); when to spill is the caller's choice (the scanner's spill_if_needed). `sources[item]`
 * are the evidence sources (for the order). Returns 0 or TL_EIO; after an error every event is
 * still in memory. */
int tl_timeline_spill(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set,
                      tl_error *err);

/* Spilling in three steps, so the sort and the write can run off the owner's thread while the
 * owner goes on pushing (the scanner's readers write a run while the other reader keeps the
 * matchers fed). Only detach and attach touch the timeline; the batch owns its events between. */
typedef struct tl_spill_batch {
    tl_event *ev;
    size_t n;
    size_t bytes;                  /* the events' mem_bytes */
    char *path;                    /* the run file it becomes */
    const char *const *sources;    /* borrowed; must outlive the write */
    const tl_pattern_set *set;
    int rc;                        /* of tl_spill_batch_write: 0 or TL_EIO with msg */
    char msg[512];
} tl_spill_batch;

/* Moves every in-memory event into *b and names its run (creating the spill directory).
 * Returns 0, TL_EIO (the directory cannot be made: nothing moved) or 1 when there is nothing
 * to spill. */
int tl_timeline_detach(tl_timeline *tl, tl_spill_batch *b, const char *const *sources,
                       const tl_pattern_set *set, tl_error *err);
/* Sorts the batch and writes its run; on success frees the events. Touches nothing but *b, so
 * any thread may run it. */
void tl_spill_batch_write(tl_spill_batch *b);
/* Takes a written batch back: adds its run (merging levels as needed), or after a failed write
 * puts its events back in memory and returns TL_EIO, so nothing is lost. */
int tl_timeline_attach(tl_timeline *tl, tl_spill_batch *b, tl_error *err);

/* Sorts the in-memory events into report order (`sources[item]`: the evidence sources). */
void tl_timeline_sort(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set);

/* Renumbers the evidence items events refer to (item i becomes map[i], n entries): in memory
 * now, in the spilled runs as they are read back. Call after the last push, before finish. */
void tl_timeline_remap_items(tl_timeline *tl, const uint32_t *map, size_t n);

/* Sorts what is in memory and remembers `sources` (which must outlive the timeline's readers)
 * for merging. Call once, after the last push. */
void tl_timeline_finish(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set);

/* Reads the finished timeline in report order (memory and runs merged). Any number of
 * iterators may run one after another. */
typedef struct tl_timeline_iter tl_timeline_iter;
tl_timeline_iter *tl_timeline_iter_new(const tl_timeline *tl);
/* The next event (valid until the next call), or NULL at the end. A run file that cannot be
 * read aborts with a message: the report would otherwise be silently incomplete. */
const tl_event *tl_timeline_iter_next(tl_timeline_iter *it);
void tl_timeline_iter_free(tl_timeline_iter *it);

/* Event records as the spill files hold them (also used for a stream's pending events). */
void tl_event_write(FILE *f, const tl_event *ev);
/* Reads records back as tl_event_write wrote them, from where `f` stands (the file stays the
 * caller's). Aborts on a damaged or short record: a silently shorter timeline must never
 * happen. `label` names the file in that message and must outlive the reader. */
typedef struct tl_event_reader tl_event_reader;
tl_event_reader *tl_event_reader_new(FILE *f, const char *label);
/* The next event, borrowed until the next call (tl_event_copy to keep it); NULL at the end. */
const tl_event *tl_event_reader_next(tl_event_reader *r, const tl_pattern_set *set);
/* `n` raw bytes the writer put after the last record read. */
void tl_event_reader_get(tl_event_reader *r, void *p, size_t n);
void tl_event_reader_free(tl_event_reader *r);
/* An owned copy of src in one allocation (tl_event_alloc). */
void tl_event_copy(tl_event *dst, const tl_event *src);
/* An anonymous read/write file in the spill directory (already unlinked), or NULL (err set,
 * or no spill directory configured). */
FILE *tl_timeline_tmpfile(tl_timeline *tl, tl_error *err);

/* Forgets the in-memory events without freeing their strings (for a process about to exit);
 * tl_timeline_free still removes the run files. */
void tl_timeline_abandon_events(tl_timeline *tl);

/* Frees one event's owned memory. */
void tl_event_clear(tl_event *ev);
/* Frees everything, removing the run files and their directory. */
void tl_timeline_free(tl_timeline *tl);

#endif
