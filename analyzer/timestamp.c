/* Timestamp recognition at the start of log lines (ISO 8601/RFC 3339, RFC 3164, JSON keys)
 * and year inference for year-less syslog stamps. Hot path: no allocation, locale or strlen. */
#include "timberline/timestamp.h"

#include <string.h>

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)
/* tl_ts_yearless_to_utc clamps caller-supplied years so microseconds cannot overflow. */
#define YEAR_CLAMP 100000
/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the range ISO stamps can express. */
#define EPOCH_MIN_US INT64_C(-62167219200000000)
#define EPOCH_MAX_US INT64_C(253402300799999999)
/* Offsets written in a line are accepted up to +-15:00, the same bound tl_tz_load uses. */
#define MAX_OFFSET_MIN (15 * 60)

/* ---- civil calendar ---- */

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const unsigned char md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

int64_t tl_ts_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floordiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tl_ts_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    if (y) *y = yoe + era * 400 + (mm <= 2);
    if (m) *m = mm;
    if (d) *d = dd;
}

/* ---- ASCII scanning (no <ctype.h>: its answers depend on the locale) ---- */

static int dig(char c)
{
    return c >= '0' && c <= '9';
}

static int num2(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parses `hh:mm:ss[(.|,)fraction]` at p (8+ bytes guaranteed by the caller checking `end`).
 * Sets *usec_of_day and returns the position after it, or NULL when invalid or followed by a
 * digit. A leap second :60 is kept inside its minute as :59.999999 so ordering survives. */
static const char *parse_clock(const char *p, const char *end, int64_t *usec_of_day)
{
    if (end - p < 8 || !dig(p[0]) || !dig(p[1]) || p[2] != ':' || !dig(p[3]) || !dig(p[4]) ||
        p[5] != ':' || !dig(p[6]) || !dig(p[7]))
        return NULL;
    int hh = num2(p), mi = num2(p + 3), ss = num2(p + 6);
    if (hh > 23 || mi > 59 || ss > 60) return NULL;
    p += 8;
    int64_t frac = 0;
    if (end - p >= 2 && (p[0] == '.' || p[0] == ',') && dig(p[1])) {
        int n = 0;
        p++;
        while (p < end && dig(*p)) {
            if (++n > 9) return NULL;
            if (n <= 6) frac = frac * 10 + (*p - '0'); /* truncated, never rounded */
            p++;
        }
        for (; n < 6; n++) frac *= 10;
    }
    if (p < end && dig(*p)) return NULL;
    if (ss == 60) {
        ss = 59;
        frac = 999999;
    }
    *usec_of_day = ((int64_t)hh * 3600 + mi * 60 + ss) * US_PER_SEC + frac;
    return p;
}

/* ISO 8601 / RFC 3339 at p; `end` bounds the input (a JSON string's closing quote or the
 * line's end). */
static tl_ts_kind parse_iso(const char *p, const char *end, const tl_tz *zone, tl_ts *out)
{
    if (end - p < 19 || !dig(p[0]) || !dig(p[1]) || !dig(p[2]) || !dig(p[3]) || p[4] != '-' ||
        !dig(p[5]) || !dig(p[6]) || p[7] != '-' || !dig(p[8]) || !dig(p[9]) ||
        (p[10] != 'T' && p[10] != 't' && p[10] != ' '))
        return TL_TS_NONE;
    int year = num2(p) * 100 + num2(p + 2), mon = num2(p + 5), day = num2(p + 8);
    if (mon < 1 || mon > 12 || day < 1 || day > month_days(year, mon)) return TL_TS_NONE;
    int64_t usec_of_day;
    const char *q = parse_clock(p + 11, end, &usec_of_day);
    if (!q) return TL_TS_NONE;

    int has_off = 0, off_min = 0;
    if (q < end && (*q == 'Z' || *q == 'z')) {
        has_off = 1;
    } else if (end - q >= 3 && (*q == '+' || *q == '-') && dig(q[1]) && dig(q[2])) {
        /* A sign followed by two digits commits us to an offset; a malformed one rejects the
         * stamp rather than silently reading it as local time. */
        int sign = *q == '-' ? -1 : 1;
        int oh = num2(q + 1), om = 0;
        q += 3;
        if (q < end && *q == ':') {
            if (end - q < 3 || !dig(q[1]) || !dig(q[2])) return TL_TS_NONE;
            om = num2(q + 1);
            q += 3;
        } else if (end - q >= 2 && dig(q[0]) && dig(q[1])) {
            om = num2(q);
            q += 2;
        }
        if (q < end && dig(*q)) return TL_TS_NONE;
        if (om > 59 || oh * 60 + om > MAX_OFFSET_MIN) return TL_TS_NONE;
        has_off = 1;
        off_min = sign * (oh * 60 + om);
    }

    int64_t days = tl_ts_days_from_civil(year, mon, day);
    int64_t frac = usec_of_day % US_PER_SEC;
    int64_t local = days * 86400 + usec_of_day / US_PER_SEC;
    int64_t utc;
    int flags = 0;
    if (has_off)
        utc = local - (int64_t)off_min * 60;
    else
        utc = zone ? tl_tz_local_to_utc(zone, local, &flags, NULL) : local;
    out->kind = TL_TS_ABSOLUTE;
    out->us = utc * US_PER_SEC + frac;
    out->flags = flags;
    return out->kind;
}

/* RFC 3164 `Mmm dd hh:mm:ss` (day space-padded, two-digit, or a lone digit). */
static tl_ts_kind parse_3164(const char *p, const char *end, tl_ts *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (end - p < 14 || p[3] != ' ') return TL_TS_NONE;
    int mon = 0;
    for (int i = 0; i < 12; i++) {
        if (p[0] == months[3 * i] && p[1] == months[3 * i + 1] && p[2] == months[3 * i + 2]) {
            mon = i + 1;
            break;
        }
    }
    if (!mon) return TL_TS_NONE;
    int day;
    const char *q;
    if (p[4] == ' ' && dig(p[5])) {
        day = p[5] - '0';
        q = p + 6;
    } else if (dig(p[4]) && dig(p[5])) {
        day = num2(p + 4);
        q = p + 6;
    } else if (dig(p[4]) && p[5] == ' ') {
        day = p[4] - '0';
        q = p + 5;
    } else {
        return TL_TS_NONE;
    }
    /* The year is unknown, so Feb 29 must stay possible. */
    if (day < 1 || day > month_days(2000, mon)) return TL_TS_NONE;
    if (q >= end || *q != ' ') return TL_TS_NONE;
    int64_t usec_of_day;
    if (!parse_clock(q + 1, end, &usec_of_day)) return TL_TS_NONE;
    out->kind = TL_TS_YEARLESS;
    out->month = mon;
    out->day = day;
    out->usec_of_day = usec_of_day;
    return out->kind;
}

/* A JSON number used as an epoch; the unit is chosen by magnitude. */
static tl_ts_kind parse_epoch(const char *p, const char *end, tl_ts *out)
{
    int neg = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || !dig(*p)) return TL_TS_NONE;
    int64_t ip = 0;
    while (p < end && dig(*p)) {
        int d = *p++ - '0';
        if (ip > (INT64_MAX - d) / 10) return TL_TS_NONE;
        ip = ip * 10 + d;
    }
    int64_t frac = 0; /* first 6 fraction digits, zero-padded */
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !dig(*p)) return TL_TS_NONE;
        int n = 0;
        for (; p < end && dig(*p); p++, n++)
            if (n < 6) frac = frac * 10 + (*p - '0');
        for (; n < 6; n++) frac *= 10;
    }
    if (p < end && (*p == 'e' || *p == 'E')) return TL_TS_NONE;
    int64_t us;
    if (ip < INT64_C(100000000000))
        us = ip * US_PER_SEC + frac;
    else if (ip < INT64_C(100000000000000))
        us = ip * 1000 + frac / 1000;
    else if (ip < INT64_C(100000000000000000))
        us = ip;
    else
        us = ip / 1000;
    us = neg ? -us : us; /* extra digits are dropped, i.e. truncated toward zero */
    /* Numbers that land outside years 0000..9999 are not timestamps worth trusting. */
    if (us < EPOCH_MIN_US || us > EPOCH_MAX_US) return TL_TS_NONE;
    out->kind = TL_TS_ABSOLUTE;
    out->us = us;
    return out->kind;
}

/* Finds the top-level "@timestamp", "timestamp" or "time" key (in that preference) by
 * tokenising strings, so keys such as "timestamp_desc" or values that happen to read
 * "time" never match. */
static tl_ts_kind parse_json(const char *p, const char *end, const tl_tz *zone, tl_ts *out)
{
    const char *val = NULL;
    int best = 3, depth = 0;
    while (p < end && best > 0) {
        char c = *p;
        if (c == '"') {
            const char *s = ++p;
            while (p < end && *p != '"') p += (*p == '\\' && end - p >= 2) ? 2 : 1;
            if (p >= end) break; /* unterminated string */
            size_t klen = (size_t)(p - s);
            p++;
            if (depth != 1) continue;
            int rank = klen == 10 && memcmp(s, "@timestamp", 10) == 0  ? 0
                       : klen == 9 && memcmp(s, "timestamp", 9) == 0 ? 1
                       : klen == 4 && memcmp(s, "time", 4) == 0      ? 2
                                                                       : 3;
            if (rank >= best) continue;
            const char *t = p;
            while (t < end && blank(*t)) t++;
            if (t >= end || *t != ':') continue;
            t++;
            while (t < end && blank(*t)) t++;
            val = t;
            best = rank;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
        p++;
    }
    if (!val || val >= end) return TL_TS_NONE;
    if (*val == '"') {
        const char *s = val + 1, *e = s;
        while (e < end && *e != '"' && *e != '\\') e++;
        if (e >= end || *e != '"') return TL_TS_NONE;
        return parse_iso(s, e, zone, out);
    }
    return parse_epoch(val, end, out);
}

/* Common/combined log format `[03/Jan/2026:12:34:56 +0000]` at p (just after the '['), as
 * Apache and nginx write it after the client address. */
static tl_ts_kind parse_clf(const char *p, const char *end, const tl_tz *zone, tl_ts *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (end - p < 20 || !dig(p[0]) || !dig(p[1]) || p[2] != '/' || p[6] != '/' || !dig(p[7]) ||
        !dig(p[8]) || !dig(p[9]) || !dig(p[10]) || p[11] != ':')
        return TL_TS_NONE;
    int mon = 0;
    for (int i = 0; i < 12; i++)
        if (p[3] == months[3 * i] && p[4] == months[3 * i + 1] && p[5] == months[3 * i + 2])
            mon = i + 1;
    int year = num2(p + 7) * 100 + num2(p + 9), day = num2(p);
    if (!mon || day < 1 || day > month_days(year, mon)) return TL_TS_NONE;
    int64_t usec_of_day;
    const char *q = parse_clock(p + 12, end, &usec_of_day);
    if (!q) return TL_TS_NONE;
    int64_t local = tl_ts_days_from_civil(year, mon, day) * 86400 + usec_of_day / US_PER_SEC;
    int64_t frac = usec_of_day % US_PER_SEC, utc;
    int flags = 0;
    if (end - q >= 6 && *q == ' ' && (q[1] == '+' || q[1] == '-') && dig(q[2]) && dig(q[3]) &&
        dig(q[4]) && dig(q[5])) {
        int off = num2(q + 2) * 60 + num2(q + 4);
        if (num2(q + 4) > 59 || off > MAX_OFFSET_MIN) return TL_TS_NONE;
        utc = local - (int64_t)(q[1] == '-' ? -off : off) * 60;
    } else {
        utc = zone ? tl_tz_local_to_utc(zone, local, &flags, NULL) : local;
    }
    out->kind = TL_TS_ABSOLUTE;
    out->us = utc * US_PER_SEC + frac;
    out->flags = flags;
    return out->kind;
}

/* Access logs put their stamp after the client address and identity fields; it is looked for
 * in the first bytes of the line only, so a bracket deep in a message is not taken for it. */
#define CLF_WINDOW 256

tl_ts_kind tl_ts_parse_line(const char *line, size_t len, const tl_tz *zone, tl_ts *out)
{
    memset(out, 0, sizeof *out);
    if (!line) return TL_TS_NONE;
    const char *p = line, *end = line + len;
    if (end - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3; /* UTF-8 byte-order mark */
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if (p >= end) return TL_TS_NONE;
    if (*p == '{') return parse_json(p, end, zone, out);
    if (*p == '<') {
        /* <PRI> is 1..3 digits; RFC 5424 then has VERSION (1..3 digits) and a space. */
        const char *q = p + 1;
        while (q < end && q - p <= 3 && dig(*q)) q++;
        if (q > p + 1 && q < end && *q == '>') {
            p = q + 1;
            q = p;
            while (q < end && q - p < 3 && dig(*q)) q++;
            if (q > p && *p != '0' && q < end && *q == ' ') p = q + 1;
        }
    } else if (*p == '[') {
        p++;
    }
    if (parse_iso(p, end, zone, out) != TL_TS_NONE) return out->kind;
    if (parse_3164(p, end, out) != TL_TS_NONE) return out->kind;
    const char *wend = end - line > CLF_WINDOW ? line + CLF_WINDOW : end;
    for (const char *b = line; b < wend && (b = memchr(b, '[', (size_t)(wend - b))) != NULL; b++)
        if (parse_clf(b + 1, end, zone, out) != TL_TS_NONE) return out->kind;
    return TL_TS_NONE;
}

int64_t tl_ts_yearless_to_utc(const tl_ts *ts, int year, const tl_tz *zone, int *flags)
{
    if (flags) *flags = 0;
    if (!ts || ts->kind != TL_TS_YEARLESS) return 0;
    /* Caller-built stamps may be out of range; clamp so nothing below can overflow. */
    int y = year < -YEAR_CLAMP ? -YEAR_CLAMP : year > YEAR_CLAMP ? YEAR_CLAMP : year;
    int m = ts->month < 1 ? 1 : ts->month > 12 ? 12 : ts->month;
    int d = ts->day < 1 ? 1 : ts->day > 31 ? 31 : ts->day;
    int64_t uod = ts->usec_of_day;
    uod = uod < 0 ? 0 : uod >= US_PER_DAY ? US_PER_DAY - 1 : uod;
    int64_t local = tl_ts_days_from_civil(y, m, d) * 86400 + uod / US_PER_SEC;
    int64_t utc = zone ? tl_tz_local_to_utc(zone, local, flags, NULL) : local;
    return utc * US_PER_SEC + uod % US_PER_SEC;
}

int tl_ts_is_year_rollover(const tl_ts *prev, const tl_ts *cur)
{
    return prev && cur && prev->kind == TL_TS_YEARLESS && cur->kind == TL_TS_YEARLESS &&
           prev->month - cur->month >= 6;
}

int tl_ts_infer_last_year(const tl_ts *last, int64_t mtime_sec, const tl_tz *zone)
{
    /* Keep mtime within years 0..9999 so the candidate years stay small. */
    const int64_t lo = tl_ts_days_from_civil(0, 1, 1) * 86400;
    const int64_t hi = tl_ts_days_from_civil(10000, 1, 1) * 86400 - 1;
    int64_t mt = mtime_sec < lo ? lo : mtime_sec > hi ? hi : mtime_sec;
    int64_t limit = mt + 26 * 3600;
    int64_t y_limit;
    tl_ts_civil_from_days(floordiv(limit, 86400), &y_limit, NULL, NULL);
    if (!last || last->kind != TL_TS_YEARLESS) return (int)y_limit;
    /* The local stamp in year limit+1 can still land before the limit in UTC when the zone is
     * ahead of UTC. Ten candidates also cover Feb 29 across the longest run of years without
     * one (2097..2103). */
    for (int64_t y = y_limit + 1; y >= y_limit - 8; y--) {
        if (last->month == 2 && last->day == 29 && !is_leap(y)) continue;
        if (tl_ts_yearless_to_utc(last, (int)y, zone, NULL) <= limit * US_PER_SEC) return (int)y;
    }
    return (int)y_limit;
}

size_t tl_ts_format_utc(int64_t us, char *buf, size_t bufsz)
{
    /* Four-digit years only: earlier/later instants are clamped to the ends of 0000..9999. */
    const int64_t lo = tl_ts_days_from_civil(0, 1, 1) * US_PER_DAY;
    const int64_t hi = tl_ts_days_from_civil(10000, 1, 1) * US_PER_DAY - 1;
    if (!buf || bufsz < 33) {
        if (buf && bufsz) buf[0] = '\0';
        return 0;
    }
    if (us < lo) us = lo;
    if (us > hi) us = hi;
    int64_t sec = floordiv(us, US_PER_SEC);
    int64_t frac = us - sec * US_PER_SEC;
    int64_t days = floordiv(sec, 86400);
    int64_t sod = sec - days * 86400;
    int64_t y;
    int m, d;
    tl_ts_civil_from_days(days, &y, &m, &d);
    int64_t f[7] = {y, m, d, sod / 3600, sod / 60 % 60, sod % 60, frac};
    static const char tmpl[] = "0000-00-00T00:00:00.000000+00:00";
    static const unsigned char pos[7] = {3, 6, 9, 12, 15, 18, 25}; /* last digit of each field */
    static const unsigned char width[7] = {4, 2, 2, 2, 2, 2, 6};
    memcpy(buf, tmpl, sizeof tmpl);
    for (int i = 0; i < 7; i++) {
        int64_t v = f[i];
        for (int k = 0; k < width[i]; k++, v /= 10) buf[pos[i] - k] = (char)('0' + v % 10);
    }
    return sizeof tmpl - 1;
}

const char *tl_ts_quality_name(tl_ts_quality q)
{
    switch (q) {
    case TL_TSQ_NONE:
        return "none";
    case TL_TSQ_PARSED:
        return "parsed";
    case TL_TSQ_INFERRED_YEAR:
        return "inferred-year";
    case TL_TSQ_INHERITED:
        return "inherited";
    }
    return "unknown";
}
