/* The scan engine: evidence walk -> stream reader -> chunker -> worker pool (match + time) ->
 * per-stream stitching (line numbers, inherited times, year inference) -> one timeline. */
#ifndef TIMBERLINE_SCAN_H
#define TIMBERLINE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "timberline/error.h"
#include "timberline/evidence.h"
#include "timberline/pattern.h"
#include "timberline/timeline.h"
#include "timberline/timestamp.h"
#include "timberline/tz.h"
#include "timberline/unpack.h"

/* One --tz-map line: an fnmatch(3) glob over the whole source, and its zone (borrowed). */
typedef struct tl_tz_map_entry {
    char *glob;
    const tl_tz *zone;
} tl_tz_map_entry;

/* Progress snapshot handed to the progress callback (owner thread). */
typedef struct tl_scan_progress {
    size_t items_done, items_total;
    uint64_t bytes;
    uint64_t events;
    const char *current; /* source being read, borrowed */
} tl_scan_progress;

typedef struct tl_scan_opts {
    int threads;            /* worker threads, >= 1 */
    const tl_tz *zone;      /* zone for stamps without an offset; borrowed, never NULL */
    size_t chunk_size;      /* bytes per work unit; 0 = default (4 MiB) */
    void (*progress)(void *ctx, const tl_scan_progress *p); /* may be NULL */
    void *progress_ctx;
    const char *exe;        /* this program, for the unpack worker ("/proc/self/exe") */
    tl_unpack_opts unpack;  /* caps and watchdog for archives and compressed files */
    tl_ts_date_order date_order; /* --date-order (TL_TS_ORDER_AUTO: decide per stream) */
    int assume_year;        /* --assume-year for year-less stamps; 0 = infer from mtime */
    int have_since, have_until;
    int64_t since_us, until_us; /* --since (inclusive) / --until (exclusive), UTC */
    const tl_tz_map_entry *tz_map; /* --tz-map: first glob matching a source picks its zone */
    size_t ntz_map;
    const struct tl_baseline *baseline; /* --baseline: marks events new or not; may be NULL */
    size_t memory_budget;   /* --memory: event bytes held before spilling sorted runs; 0 = no cap */
    const char *spill_dir;  /* where run files go (the report directory); NULL = never spill */
} tl_scan_opts;

/* A problem worth telling the investigator that is not an item status (a rule that gave up
 * on a line, ...). */
typedef struct tl_scan_result {
    tl_evidence_list evidence; /* every item, with status, hashes, counts */
    tl_timeline timeline;      /* finished: read it with tl_timeline_iter_* */
    const char **sources;      /* evidence sources by item index (owned array, borrowed strings) */
    char **warnings;           /* owned; deterministic order */
    size_t nwarnings;
    uint64_t match_problems;   /* (line, rule) pairs PCRE2 could not decide */
    uint64_t lines, bytes;     /* decoded lines and bytes scanned */
    uint64_t filtered;         /* events outside --since/--until, dropped */
} tl_scan_result;

/* Scans `args` (files/directories). Returns TL_ENOTFOUND/TL_EIO when an argument cannot be
 * walked (nothing scanned then); item-level problems are recorded in out->evidence. `set`
 * must be compiled. out is owned by the caller: tl_scan_result_free. */
int tl_scan_run(const tl_scan_opts *opts, const tl_pattern_set *set, char *const *args,
                size_t nargs, tl_scan_result *out, tl_error *err);

void tl_scan_result_free(tl_scan_result *res);

#endif
