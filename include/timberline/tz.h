/* Time zones for timestamps that carry no offset: fixed offsets and IANA zones read from the
 * system tz database (TZif files), converted without touching TZ/tzset so workers can share one. */
#ifndef TIMBERLINE_TZ_H
#define TIMBERLINE_TZ_H

#include <stdint.h>

#include "timberline/error.h"

typedef struct tl_tz tl_tz;

/* Flags reported by tl_tz_local_to_utc. */
enum {
    TL_TZ_GAP = 1,    /* local time falls in a spring-forward gap (does not exist) */
    TL_TZ_REPEAT = 2, /* local time occurs twice (autumn fall-back hour) */
};

/* Loads a zone: "UTC"/"Z", a fixed offset "+HH:MM", "-HH:MM", "+HHMM", or an IANA name
 * ("Europe/Berlin") read from $TZDIR or /usr/share/zoneinfo. On success *out is owned by the
 * caller (free with tl_tz_free). After loading, the zone is immutable and safe to share
 * between threads. Names containing ".." or starting with "/" are refused. */
/* Details: "UTC", "Z", "Etc/UTC", "GMT" and "Etc/GMT" are built in (no file read); a NULL
 * spec means "UTC". Fixed offsets are limited to +-15:00. Errors: TL_EUSAGE (bad name or
 * offset), TL_ENOTFOUND (no such zone file), TL_EIO, TL_ECORRUPT (not TZif, or a footer
 * that is not a valid POSIX TZ string). Leap-second ("right/") data is ignored. Reads
 * $TZDIR with getenv(): do not load while another thread changes the environment. */
int tl_tz_load(tl_tz **out, const char *spec, tl_error *err);

void tl_tz_free(tl_tz *tz);

/* The spec the zone was loaded from, as given ("UTC" for the default). Borrowed. */
const char *tl_tz_name(const tl_tz *tz);

/* UTC offset in seconds in effect at UTC instant `utc_sec`. Instants beyond +-1e15 s are
 * clamped (as in tl_tz_local_to_utc) so no input can overflow. */
int32_t tl_tz_offset_at(const tl_tz *tz, int64_t utc_sec);

/* Converts a local wall-clock time, expressed as seconds since 1970-01-01T00:00:00 as if it
 * were UTC, to real UTC seconds. In a spring-forward gap the FOLLOWING offset (the one in
 * force after the transition, Python's fold=1) is applied and TL_TZ_GAP set, so Berlin
 * 2026-03-29 02:30 gives 00:30Z; in a repeated hour the earlier occurrence (first offset) is
 * returned, TL_TZ_REPEAT set, and *alt_utc (if non-NULL) receives the later occurrence (the
 * caller picks by stream order, see tl_ts_resolve). flags may be NULL. Thread-safe. */
int64_t tl_tz_local_to_utc(const tl_tz *tz, int64_t local_sec, int *flags, int64_t *alt_utc);

/* Civil calendar, proleptic Gregorian, no locale or TZ involved: days since 1970-01-01 and
 * back (m and d may be NULL), and the month lengths. */
int64_t tl_tz_days_from_civil(int64_t y, int m, int d);
void tl_tz_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
int tl_tz_is_leap(int64_t y);
int tl_tz_month_days(int64_t y, int m);

#endif
