/* Timestamp recognition on log lines, per-stream format detection, and the ordered
 * (owner-side) steps: year inference for year-less stamps and DST repeated-hour resolution.
 *
 * DESIGN: three tiers, so chunks of one stream can be parsed in parallel and stitched.
 *  1. tl_ts_detector / tl_ts_detect: the stream owner feeds the first lines of a stream
 *     (single-threaded) and gets an immutable tl_ts_hint (format family, stamp position,
 *     day/month order, W3C field layout).
 *  2. tl_ts_parse_line_hinted: pure, thread-safe, per line; the hint is read-only and
 *     shared by all workers. When the hinted layout fails, every format is still tried.
 *  3. tl_ts_base_year + tl_ts_resolve: the owner, in stream order, turns year-less stamps
 *     into UTC and picks the occurrence of a repeated (autumn) local hour. */
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
    TL_TS_NONE = 0, /* nothing recognised (see TL_TS_FLAG_BOOT for dmesg lines) */
    TL_TS_ABSOLUTE, /* `us` is microseconds since the epoch, UTC */
    TL_TS_YEARLESS, /* month/day/usec_of_day are local wall-clock, the year is unknown */
} tl_ts_kind;

/* Format families, as recorded in the manifest (tl_ts_format_name). */
typedef enum {
    TL_TSF_NONE = 0,
    TL_TSF_ISO,          /* ISO 8601 / RFC 3339 / RFC 5424 / rsyslog / log4j / Python / CBS */
    TL_TSF_ISO_BASIC,    /* 20260103T120001Z */
    TL_TSF_RFC3164,      /* Jan  3 12:00:01 (year-less) */
    TL_TSF_MON_DAY_YEAR, /* Jun 14 15:16:01 2005 */
    TL_TSF_CTIME,        /* Sun Dec 04 04:47:44 2005 (ctime, Apache error log, dmesg -T) */
    TL_TSF_CLF,          /* 03/Jan/2026:12:00:01 -0700 (Apache/nginx access) */
    TL_TSF_SLASH_YMD,    /* 2026/01/03 12:00:01 (nginx error log, Go log) */
    TL_TSF_SLASH_NUM,    /* 1/3/2026 1:00:01 PM: day/month order from the hint */
    TL_TSF_YY_SLASH,     /* 17/06/09 20:10:40 (yy/MM/dd: Spark, Hadoop) */
    TL_TSF_YYMMDD,       /* 081109 203615 (HDFS) */
    TL_TSF_LOGCAT,       /* 03-17 16:13:38.811 (year-less) */
    TL_TSF_DB2,          /* 2005-06-03-15.42.50.675872 */
    TL_TSF_COMPACT,      /* 20171223-22:15:29:606 */
    TL_TSF_MMDD_DOT,     /* 10.30 16:49:06 (year-less) */
    TL_TSF_GLOG,         /* I0103 12:00:01.123456 (glog / klog, year-less) */
    TL_TSF_JSON,         /* a JSON object line's time key */
    TL_TSF_AUDIT,        /* msg=audit(1767441601.123:4242) */
    TL_TSF_W3C,          /* IIS / W3C extended: date and time fields, UTC */
    TL_TSF_DMESG,        /* [12345.678901]: seconds since boot, no wall-clock time */
    TL_TSF_COUNT
} tl_ts_format;

/* Day/month order for NN/NN/YYYY dates (--date-order). */
typedef enum {
    TL_TS_ORDER_AUTO = 0, /* decide from evidence; month-first when nothing decides */
    TL_TS_ORDER_MDY,
    TL_TS_ORDER_DMY,
    TL_TS_ORDER_YMD, /* forced year-first: NN/NN/YYYY stamps are not accepted at all */
} tl_ts_date_order;

/* Where the hint's order came from (for the manifest). */
typedef enum {
    TL_TS_ORDER_FROM_DEFAULT = 0, /* no NN/NN/YYYY date had a field over 12 */
    TL_TS_ORDER_FROM_EVIDENCE,    /* a field over 12 settled it */
    TL_TS_ORDER_FROM_OPTION,      /* forced by --date-order */
} tl_ts_order_source;

/* Per-line evidence about NN/NN/YYYY order (tl_ts.order_evidence). */
enum {
    TL_TS_EVID_NONE = 0,
    TL_TS_EVID_MDY = 1,  /* second field > 12: only month-first is valid */
    TL_TS_EVID_DMY = 2,  /* first field > 12: only day-first is valid */
    TL_TS_EVID_BOTH = 3, /* both fields <= 12: ambiguous, the hinted order was used */
};

/* Flags in tl_ts.flags, next to tz.h's TL_TZ_GAP (1) and TL_TZ_REPEAT (2). */
enum {
    TL_TS_FLAG_BOOT = 4,  /* kind NONE: dmesg boot-relative stamp in boot_us; never a time */
    TL_TS_FLAG_LOCAL = 8, /* the stamp had no offset and was converted with the zone */
};

/* Immutable per-stream parsing hint produced by the detector. A zeroed hint (or NULL) means
 * "nothing known": month-first, stamp at the line start. Plain value type. */
typedef struct tl_ts_hint {
    tl_ts_format format;    /* most frequent family in the sample */
    tl_ts_date_order order; /* TL_TS_ORDER_MDY / _DMY / _YMD (AUTO = MDY) */
    tl_ts_order_source order_source;
    int field;              /* > 0: stamps start at this 0-based blank-separated
                               field instead of the line start (BGL, OpenStack) */
    int w3c_date, w3c_time; /* TL_TSF_W3C: 0-based field indexes from #Fields */
    unsigned lines_sampled, lines_stamped;
} tl_ts_hint;

/* What one line's own timestamp says. Plain value type. */
typedef struct tl_ts {
    tl_ts_kind kind;
    int64_t us;          /* TL_TS_ABSOLUTE: UTC microseconds since 1970-01-01 */
    int month;           /* TL_TS_YEARLESS: 1..12 */
    int day;             /* TL_TS_YEARLESS: 1..31 */
    int64_t usec_of_day; /* TL_TS_YEARLESS: local microseconds since midnight */
    int flags;           /* TL_TZ_GAP / TL_TZ_REPEAT / TL_TS_FLAG_* */
    tl_ts_format format; /* family that matched (TL_TSF_DMESG with TL_TS_FLAG_BOOT) */
    int64_t alt_us;      /* TL_TZ_REPEAT on an ABSOLUTE stamp: the later occurrence (`us` is
                            the earlier); pick with tl_ts_resolve in stream order */
    int64_t boot_us;     /* TL_TS_FLAG_BOOT: microseconds since boot */
    int order_evidence;  /* TL_TS_EVID_* for TL_TSF_SLASH_NUM stamps, else 0 */
} tl_ts;

/* Recognises a line's timestamp with no stream hint: same as tl_ts_parse_line_hinted(line,
 * len, zone, NULL, out). Kept for callers that have no detector. */
tl_ts_kind tl_ts_parse_line(const char *line, size_t len, const tl_tz *zone, tl_ts *out);

/* Recognises the timestamp of one line. Tried in order: the hint's W3C fields or stamp
 * field (if any), the line start (after a BOM, blanks, a syslog <PRI>/RFC 5424 version, or
 * '['), then anywhere-forms: an access-log `[dd/Mon/yyyy:...]` or a CSV field within the
 * first 256 bytes, and `audit(<epoch>:<serial>)` anywhere. JSON object lines use the first
 * present of "@timestamp", "timestamp", "time", "ts", "date", "eventTime", "EventTime",
 * "TimeCreated" (top level; ISO/other string forms, epoch numbers or numeric strings with
 * the unit chosen by magnitude, /Date(ms)/). Fractions are truncated to microseconds.
 * Zone-less stamps are local to `zone` (NULL = UTC) with TL_TS_FLAG_LOCAL set; a local time
 * in a spring-forward gap gets TL_TZ_GAP and the offset after the transition, one in a
 * repeated hour TL_TZ_REPEAT, `us` = earlier and `alt_us` = later occurrence. W3C stamps
 * are UTC. A dmesg `[12345.678901]` line yields kind NONE with TL_TS_FLAG_BOOT and boot_us.
 * `line` need not be NUL-terminated and is never read past len. `hint` may be NULL; it is
 * only read. Always fills *out. No allocation, no locale. Thread-safe. Returns out->kind. */
tl_ts_kind tl_ts_parse_line_hinted(const char *line, size_t len, const tl_tz *zone,
                                   const tl_ts_hint *hint, tl_ts *out);

/* ---- per-stream detection (owner thread) ---- */

/* Lines a detector looks at; more are ignored. */
#define TL_TS_DETECT_LINES 200
/* Highest field index the detector tries for stamps that are not at the line start. */
#define TL_TS_MAX_FIELD 8

/* Detector state; a plain value the owner embeds (no allocation, nothing to free).
 * Fields are private to timestamp.c. */
typedef struct tl_ts_detector {
    tl_ts_date_order forced;
    unsigned lines, stamped, at_start;
    unsigned fmt_count[TL_TSF_COUNT];
    unsigned field_count[TL_TS_MAX_FIELD + 1];
    unsigned mdy, dmy;
    int w3c, w3c_date, w3c_time;
} tl_ts_detector;

/* Starts a detector; `forced` is the --date-order option (TL_TS_ORDER_AUTO when absent). */
void tl_ts_detector_init(tl_ts_detector *d, tl_ts_date_order forced);

/* Feeds one line (no '\n'; a trailing '\r' is ignored) in stream order. Returns 1 once
 * TL_TS_DETECT_LINES lines were seen (further lines are ignored), else 0. */
int tl_ts_detector_feed(tl_ts_detector *d, const char *line, size_t len);

/* The hint for everything fed so far; may be called at any time. */
void tl_ts_detector_hint(const tl_ts_detector *d, tl_ts_hint *out);

/* Convenience: runs a detector over the first lines of `buf` (a stream's first chunk) and
 * writes the hint. Returns the number of lines fed. */
size_t tl_ts_detect(tl_ts_hint *out, const char *buf, size_t len, tl_ts_date_order forced);

/* ---- ordered resolution (owner thread, in stream order) ---- */

/* Stream-order state for tl_ts_resolve; zero-initialise one per stream. */
typedef struct tl_ts_seq {
    int have_prev;
    int64_t prev_us; /* last resolved UTC instant of the stream */
} tl_ts_seq;

/* A step backwards by more than this (from the previous resolved instant) is what switches
 * a repeated local hour to its later occurrence; smaller steps are ordinary jitter. */
#define TL_TS_REPEAT_JITTER_US (INT64_C(60) * 1000000)

/* Picks the occurrence of a repeated local time: the earlier one, unless it lies more than
 * TL_TS_REPEAT_JITTER_US before seq's previous instant (time went backwards): then the later.
 * Pure; seq may be NULL (= no previous line). */
int64_t tl_ts_pick_repeat(const tl_ts_seq *seq, int64_t earlier_us, int64_t later_us);

/* Final UTC microseconds of a parsed stamp, called by the owner in stream order: ABSOLUTE
 * stamps keep `us` (or the picked occurrence when TL_TZ_REPEAT); YEARLESS stamps use `year`
 * and `zone` (NULL = UTC). *flags (may be NULL) gets the TL_TZ_GAP/TL_TZ_REPEAT bits for the
 * event. Updates seq (may be NULL). Kind NONE returns 0 and leaves seq alone. */
int64_t tl_ts_resolve(tl_ts_seq *seq, const tl_ts *ts, int year, const tl_tz *zone, int *flags);

/* Year of a stream's FIRST year-less entry: `assume_year` when non-zero (--assume-year),
 * else tl_ts_infer_last_year(last, mtime_sec, zone) minus the stream's roll-overs. Entry i
 * then has year base + (roll-overs before entry i). */
int tl_ts_base_year(const tl_ts *last, unsigned rollovers, int64_t mtime_sec, const tl_tz *zone,
                    int assume_year);

/* Converts a year-less stamp to UTC microseconds once its year is known. Feb 29 in a
 * non-leap year comes out as Mar 1; a stamp that is not TL_TS_YEARLESS gives 0. A repeated
 * hour gives the earlier occurrence (use tl_ts_resolve for stream order). */
int64_t tl_ts_yearless_to_utc(const tl_ts *ts, int year, const tl_tz *zone, int *flags);

/* True when going from year-less stamp `prev` to `cur` is a drop of 6 or more months, which
 * marks a new year (Dec -> Jan); a slightly out-of-order line is not. */
int tl_ts_is_year_rollover(const tl_ts *prev, const tl_ts *cur);

/* Chooses the year of the stream's LAST year-less entry so that it is not more than 26 h after
 * `mtime_sec` (the file's modification time, UTC seconds): the latest such year. */
int tl_ts_infer_last_year(const tl_ts *last, int64_t mtime_sec, const tl_tz *zone);

/* ---- options and helpers ---- */

/* Parses a --since/--until value: the output `datetime` syntax (any ISO 8601 date-time with
 * seconds, optional fraction, Z or an offset; none = UTC) or a bare date YYYY-MM-DD (00:00
 * UTC). `s` is NUL-terminated; surrounding text is refused. Returns 0 and *out_us, or
 * TL_EUSAGE. */
int tl_ts_parse_bound(int64_t *out_us, const char *s);

/* Parses a --date-order value ("dmy", "mdy", "ymd", "auto"). Returns 0 or TL_EUSAGE. */
int tl_ts_parse_date_order(tl_ts_date_order *out, const char *s);


/* Formats UTC microseconds as `2026-01-03T12:00:01.250000+00:00` into buf (>= 33 bytes).
 * Returns the length written (32), or 0 with an empty string when bufsz < 33. Instants
 * outside years 0000..9999 are clamped to the first/last microsecond of that range. */
size_t tl_ts_format_utc(int64_t us, char *buf, size_t bufsz);

const char *tl_ts_quality_name(tl_ts_quality q);

/* Manifest names: "iso8601", "rfc3164", ... ; "mdy"/"dmy"/"ymd"; "default"/"evidence"/
 * "option". Static strings. */
const char *tl_ts_format_name(tl_ts_format f);
const char *tl_ts_date_order_name(tl_ts_date_order o);
const char *tl_ts_order_source_name(tl_ts_order_source s);

#endif
