/* Timestamp recognition on log lines and year inference for year-less (RFC 3164) stamps.
 * Pure functions over a line; stream-level state (inheritance, year roll-over) is kept by the
 * caller in a tl_ts_stream so chunks of one stream can be parsed in parallel and stitched. */
#ifndef TIMBERLINE_TIMESTAMP_H
#define TIMBERLINE_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

#include "timberline/tz.h"

/* How an event's time was obtained; written as the `ts_quality` string. */
typedef enum {
    TL_TSQ_NONE = 0,      /* no timestamp on the line or before it */
    TL_TSQ_PARSED,        /* the line's own, complete timestamp */
    TL_TSQ_INFERRED_YEAR, /* the line's own timestamp, year inferred */
    TL_TSQ_INHERITED,     /* taken from the nearest earlier line that had one */
} tl_ts_quality;

typedef enum {
    TL_TS_NONE = 0, /* nothing recognised */
    TL_TS_ABSOLUTE, /* `us` is microseconds since the epoch, UTC */
    TL_TS_YEARLESS, /* month/day/usec_of_day are local wall-clock, the year is unknown */
} tl_ts_kind;

/* What one line's own timestamp says. Plain value type. */
typedef struct tl_ts {
    tl_ts_kind kind;
    int64_t us;           /* TL_TS_ABSOLUTE: UTC microseconds since 1970-01-01 */
    int month;            /* TL_TS_YEARLESS: 1..12 */
    int day;              /* TL_TS_YEARLESS: 1..31 */
    int64_t usec_of_day;  /* TL_TS_YEARLESS: local microseconds since midnight */
    int flags;            /* TL_TZ_GAP / TL_TZ_REPEAT when a zone-less local time was converted */
} tl_ts;

/* Recognises the timestamp a log line starts with (after an optional syslog `<PRI>`/version
 * or a `[`), or, for a JSON object line, the value of its "@timestamp", "timestamp" or "time"
 * key (ISO string or epoch number). Formats: ISO-8601/RFC 3339 (T or space, fractions to
 * nanoseconds truncated to microseconds, Z / +HH:MM / +HHMM / none) and RFC 3164
 * `Mmm dd hh:mm:ss` (year-less). Stamps without an offset are local to `zone` (never NULL).
 * `line` need not be NUL-terminated. Always fills *out (kind TL_TS_NONE when nothing found).
 * Thread-safe. Returns out->kind. */
tl_ts_kind tl_ts_parse_line(const char *line, size_t len, const tl_tz *zone, tl_ts *out);

/* Converts a year-less stamp to UTC microseconds once its year is known. Feb 29 in a
 * non-leap year comes out as Mar 1; a stamp that is not TL_TS_YEARLESS gives 0. */
int64_t tl_ts_yearless_to_utc(const tl_ts *ts, int year, const tl_tz *zone, int *flags);

/* True when going from year-less stamp `prev` to `cur` is a drop of 6 or more months, which
 * marks a new year (Dec -> Jan); a slightly out-of-order line is not. */
int tl_ts_is_year_rollover(const tl_ts *prev, const tl_ts *cur);

/* Chooses the year of the stream's LAST year-less entry so that it is not more than 26 h after
 * `mtime_sec` (the file's modification time, UTC seconds): the latest such year. */
int tl_ts_infer_last_year(const tl_ts *last, int64_t mtime_sec, const tl_tz *zone);

/* Civil-date helpers (proleptic Gregorian, UTC, no locale or TZ involved). */
int64_t tl_ts_days_from_civil(int64_t y, int m, int d);
void tl_ts_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* Formats UTC microseconds as `2026-01-03T12:00:01.250000+00:00` into buf (>= 33 bytes).
 * Returns the length written (32), or 0 with an empty string when bufsz < 33. Instants
 * outside years 0000..9999 are clamped to the first/last microsecond of that range. */
size_t tl_ts_format_utc(int64_t us, char *buf, size_t bufsz);

const char *tl_ts_quality_name(tl_ts_quality q);

#endif
