/* Report writers: timeline.jsonl, timeline.csv, manifest.json and summary.json (written last),
 * each atomically (temp file + rename) into the report directory. */
#ifndef TIMBERLINE_REPORT_H
#define TIMBERLINE_REPORT_H

#include <stdint.h>

#include "timberline/error.h"
#include "timberline/pattern.h"
#include "timberline/scan.h"

#define TL_SCHEMA_VERSION 1

/* Facts about the run that only the manifest records (they differ between runs). */
typedef struct tl_run_info {
    const char *version;
    const char *case_id;  /* may be NULL */
    const char *analyst;  /* may be NULL */
    int argc;
    char *const *argv;
    const char *tz_name;
    const char *fail_on;
    int threads;
    int64_t start_us, end_us; /* wall clock, UTC microseconds */
    /* --baseline (events then carry is_new): adds the `new` key/column and new_events.jsonl */
    const char *baseline_dir;
} tl_run_info;

/* Per-rule tallies used by the summary and by main's exit code. */
typedef struct tl_rule_stats {
    uint64_t hits;
    int64_t first_us, last_us; /* over events with a timestamp */
    int have_time;
} tl_rule_stats;

/* Fills stats[nrules] from the (sorted) timeline. */
void tl_report_rule_stats(const tl_scan_result *res, const tl_pattern_set *set,
                          tl_rule_stats *stats);

/* Creates `dir` if needed (must be empty unless `force`; checked by the caller) and writes all
 * report files. Returns 0 or TL_EIO with a message naming the file. */
int tl_report_write(const char *dir, const tl_scan_result *res, const tl_pattern_set *set,
                    const tl_run_info *info, tl_error *err);

#endif
