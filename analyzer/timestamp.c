/* Timestamp recognition on log lines (every common log format), per-stream format detection,
 * year inference and ordered DST resolution. Hot path: no allocation, locale or strlen.
 *
 * DESIGN: the parser is pure and reentrant (workers share the read-only zone and hint);
 * everything that depends on earlier lines (detector, tl_ts_seq, roll-overs) is state the
 * stream owner keeps and calls in stream order, see timestamp.h. */
#include "timberline/timestamp.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "timberline/error.h"

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


/* ---- ASCII scanning (no <ctype.h>: its answers depend on the locale) ---- */

static int dig(char c)
{
    return c >= '0' && c <= '9';
}

static int upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int alpha(char c)
{
    return upper(c) || (c >= 'a' && c <= 'z');
}

static int num2(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static int num4(const char *p)
{
    return num2(p) * 100 + num2(p + 2);
}

static int dig2(const char *p)
{
    return dig(p[0]) && dig(p[1]);
}

static int dig4(const char *p)
{
    return dig2(p) && dig2(p + 2);
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int valid_date(int64_t y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= tl_tz_month_days(y, m);
}

/* Two-digit years follow POSIX strptime %y: 69..99 -> 19xx, 00..68 -> 20xx. */
static int year2(int yy)
{
    return yy < 69 ? 2000 + yy : 1900 + yy;
}

/* Parse context: the zone for zone-less stamps and the day/month order. */
typedef struct pctx {
    const tl_tz *zone;
    tl_ts_date_order order; /* MDY, DMY or YMD (AUTO is turned into MDY) */
    int forced;             /* order came from --date-order: no fallback to the other one */
} pctx;

/* ---- result builders ---- */

static tl_ts_kind done_local(tl_ts *out, const pctx *c, int64_t y, int m, int d, int64_t uod,
                             tl_ts_format f)
{
    int64_t local = tl_tz_days_from_civil(y, m, d) * 86400 + uod / US_PER_SEC;
    int64_t frac = uod % US_PER_SEC, alt = 0;
    int flags = 0;
    int64_t utc = c->zone ? tl_tz_local_to_utc(c->zone, local, &flags, &alt) : local;
    out->kind = TL_TS_ABSOLUTE;
    out->us = utc * US_PER_SEC + frac;
    out->flags = flags | TL_TS_FLAG_LOCAL;
    if (flags & TL_TZ_REPEAT) out->alt_us = alt * US_PER_SEC + frac;
    out->format = f;
    return out->kind;
}

static tl_ts_kind done_offset(tl_ts *out, int64_t y, int m, int d, int64_t uod, int off_min,
                              tl_ts_format f)
{
    int64_t local = tl_tz_days_from_civil(y, m, d) * 86400 + uod / US_PER_SEC;
    out->kind = TL_TS_ABSOLUTE;
    out->us = (local - (int64_t)off_min * 60) * US_PER_SEC + uod % US_PER_SEC;
    out->flags = 0;
    out->format = f;
    return out->kind;
}

static tl_ts_kind done_yearless(tl_ts *out, int m, int d, int64_t uod, tl_ts_format f)
{
    out->kind = TL_TS_YEARLESS;
    out->month = m;
    out->day = d;
    out->usec_of_day = uod;
    out->format = f;
    return out->kind;
}

/* ---- clocks and offsets ---- */

/* Reads `.ddd` or `,ddd` (1..9 digits, truncated to microseconds) at *pp when present.
 * Returns 0, or -1 for more than 9 digits. */
static int read_frac(const char **pp, const char *end, int64_t *frac)
{
    const char *p = *pp;
    *frac = 0;
    if (end - p < 2 || (p[0] != '.' && p[0] != ',') || !dig(p[1])) return 0;
    int n = 0;
    int64_t f = 0;
    p++;
    while (p < end && dig(*p)) {
        if (++n > 9) return -1;
        if (n <= 6) f = f * 10 + (*p - '0'); /* truncated, never rounded */
        p++;
    }
    for (; n < 6; n++)
        f *= 10;
    *frac = f;
    *pp = p;
    return 0;
}

static int64_t make_uod(int hh, int mi, int ss, int64_t frac)
{
    if (ss == 60) { /* a leap second stays inside its minute so ordering survives */
        ss = 59;
        frac = 999999;
    }
    return ((int64_t)hh * 3600 + mi * 60 + ss) * US_PER_SEC + frac;
}

/* `hh<sep>mm<sep>ss[(.|,)fraction]` at p. Returns the position after it, or NULL when
 * invalid or followed by a digit. */
static const char *parse_hms(const char *p, const char *end, char sep, int64_t *uod)
{
    if (end - p < 8 || !dig2(p) || p[2] != sep || !dig2(p + 3) || p[5] != sep || !dig2(p + 6))
        return NULL;
    int hh = num2(p), mi = num2(p + 3), ss = num2(p + 6);
    if (hh > 23 || mi > 59 || ss > 60) return NULL;
    p += 8;
    int64_t frac;
    if (read_frac(&p, end, &frac) < 0) return NULL;
    if (p < end && dig(*p)) return NULL;
    *uod = make_uod(hh, mi, ss, frac);
    return p;
}

static const char *parse_clock(const char *p, const char *end, int64_t *uod)
{
    return parse_hms(p, end, ':', uod);
}

/* `h:mm:ss[.frac][ AM|PM]` with a one- or two-digit hour (Windows exports). */
static const char *parse_clock12(const char *p, const char *end, int64_t *uod)
{
    int hh;
    if (end - p >= 2 && dig2(p)) {
        hh = num2(p);
        p += 2;
    } else if (p < end && dig(*p)) {
        hh = *p++ - '0';
    } else {
        return NULL;
    }
    if (end - p < 6 || p[0] != ':' || !dig2(p + 1) || p[3] != ':' || !dig2(p + 4)) return NULL;
    int mi = num2(p + 1), ss = num2(p + 4);
    p += 6;
    int64_t frac;
    if (read_frac(&p, end, &frac) < 0 || (p < end && dig(*p))) return NULL;
    if (end - p >= 3 && p[0] == ' ' && (p[2] == 'M' || p[2] == 'm') &&
        (p[1] == 'A' || p[1] == 'a' || p[1] == 'P' || p[1] == 'p') &&
        (end - p == 3 || !alpha(p[3]))) {
        if (hh < 1 || hh > 12) return NULL;
        hh = hh % 12 + (p[1] == 'P' || p[1] == 'p' ? 12 : 0);
        p += 3;
    }
    if (hh > 23 || mi > 59 || ss > 60) return NULL;
    *uod = make_uod(hh, mi, ss, frac);
    return p;
}

/* An offset after a clock: Z, +HH, +HHMM, +HH:MM, or " UTC"/" GMT". Returns 1 and advances
 * *qp, 0 when there is none, -1 when a sign and two digits start a malformed one (the stamp
 * is then refused rather than silently read as local time). */
static int parse_offset(const char **qp, const char *end, int *off_min)
{
    const char *q = *qp;
    *off_min = 0;
    if (q >= end) return 0;
    if (*q == 'Z' || *q == 'z') {
        *qp = q + 1;
        return 1;
    }
    if (end - q >= 3 && (*q == '+' || *q == '-') && dig2(q + 1)) {
        int sign = *q == '-' ? -1 : 1;
        int oh = num2(q + 1), om = 0;
        q += 3;
        if (q < end && *q == ':') {
            if (end - q < 3 || !dig2(q + 1)) return -1;
            om = num2(q + 1);
            q += 3;
        } else if (end - q >= 2 && dig2(q)) {
            om = num2(q);
            q += 2;
        }
        if (q < end && dig(*q)) return -1;
        if (om > 59 || oh * 60 + om > MAX_OFFSET_MIN) return -1;
        *off_min = sign * (oh * 60 + om);
        *qp = q;
        return 1;
    }
    if (end - q >= 4 && q[0] == ' ' &&
        ((q[1] == 'U' && q[2] == 'T' && q[3] == 'C') ||
         (q[1] == 'G' && q[2] == 'M' && q[3] == 'T')) &&
        (end - q == 4 || (!alpha(q[4]) && !dig(q[4]) && q[4] != '+' && q[4] != '-'))) {
        *qp = q + 4;
        return 1;
    }
    return 0;
}

/* ---- formats ---- */

static const char MONTHS[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int month_at(const char *p)
{
    for (int i = 0; i < 12; i++)
        if (p[0] == MONTHS[3 * i] && p[1] == MONTHS[3 * i + 1] && p[2] == MONTHS[3 * i + 2])
            return i + 1;
    return 0;
}

/* ISO 8601 / RFC 3339 `YYYY-MM-DD(T|t| )hh:mm:ss[frac][offset]` and DB2
 * `YYYY-MM-DD-hh.mm.ss[.frac]`. Returns the end of the stamp, or NULL. */
static const char *parse_iso(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    if (end - p < 19 || !dig4(p) || p[4] != '-' || !dig2(p + 5) || p[7] != '-' || !dig2(p + 8))
        return NULL;
    int year = num4(p), mon = num2(p + 5), day = num2(p + 8);
    if (!valid_date(year, mon, day)) return NULL;
    int64_t uod;
    const char *q;
    char t = p[10];
    if (t == '-') {
        q = parse_hms(p + 11, end, '.', &uod);
        if (!q) return NULL;
        done_local(out, c, year, mon, day, uod, TL_TSF_DB2);
        return q;
    }
    if (t != 'T' && t != 't' && t != ' ') return NULL;
    q = parse_clock(p + 11, end, &uod);
    if (!q) return NULL;
    int off;
    int r = parse_offset(&q, end, &off);
    if (r < 0) return NULL;
    if (r)
        done_offset(out, year, mon, day, uod, off, TL_TSF_ISO);
    else
        done_local(out, c, year, mon, day, uod, TL_TSF_ISO);
    return q;
}

/* `YYYYMMDDThhmmss[frac][offset]`, `YYYYMMDD-hh:mm:ss[:mmm]` and `yyMMdd hhmmss`; p starts
 * with at least five digits. */
static tl_ts_kind parse_digit_run(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    if (end - p >= 13 && dig2(p + 4) && p[6] == ' ' && dig4(p + 7) && dig2(p + 11) &&
        (end - p == 13 || !dig(p[13]))) {
        /* HDFS `081109 203615` */
        int y = year2(num2(p)), m = num2(p + 2), d = num2(p + 4);
        int hh = num2(p + 7), mi = num2(p + 9), ss = num2(p + 11);
        if (!valid_date(y, m, d) || hh > 23 || mi > 59 || ss > 60) return TL_TS_NONE;
        return done_local(out, c, y, m, d, make_uod(hh, mi, ss, 0), TL_TSF_YYMMDD);
    }
    if (end - p < 15 || !dig4(p + 4)) return TL_TS_NONE;
    int y = num4(p), m = num2(p + 4), d = num2(p + 6);
    if (!valid_date(y, m, d)) return TL_TS_NONE;
    if (p[8] == 'T' && dig4(p + 9) && dig2(p + 13)) {
        int hh = num2(p + 9), mi = num2(p + 11), ss = num2(p + 13);
        if (hh > 23 || mi > 59 || ss > 60) return TL_TS_NONE;
        const char *q = p + 15;
        int64_t frac;
        if (read_frac(&q, end, &frac) < 0 || (q < end && dig(*q))) return TL_TS_NONE;
        int off;
        int r = parse_offset(&q, end, &off);
        if (r < 0) return TL_TS_NONE;
        int64_t uod = make_uod(hh, mi, ss, frac);
        return r ? done_offset(out, y, m, d, uod, off, TL_TSF_ISO_BASIC)
                 : done_local(out, c, y, m, d, uod, TL_TSF_ISO_BASIC);
    }
    if (p[8] == '-') {
        /* HealthApp `20171223-22:15:29:606`: the last field is milliseconds, unpadded */
        int64_t uod;
        const char *q = parse_clock(p + 9, end, &uod);
        if (!q) return TL_TS_NONE;
        if (end - q >= 2 && q[0] == ':' && dig(q[1])) {
            int ms = 0, n = 0;
            for (q++; q < end && dig(*q); q++)
                if (++n > 3)
                    return TL_TS_NONE;
                else
                    ms = ms * 10 + (*q - '0');
            if (uod % US_PER_SEC == 0) uod += ms * 1000;
        }
        return done_local(out, c, y, m, d, uod, TL_TSF_COMPACT);
    }
    return TL_TS_NONE;
}

/* `a/b/YYYY h:mm:ss[ AM|PM]`, a and b of one or two digits, order from the context. */
static tl_ts_kind parse_slash_num(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    int a, b;
    const char *q = p;
    if (end - q < 2) return TL_TS_NONE;
    if (end - q >= 3 && dig2(q) && q[2] == '/') {
        a = num2(q);
        q += 2;
    } else if (dig(q[0]) && q[1] == '/') {
        a = q[0] - '0';
        q += 1;
    } else {
        return TL_TS_NONE;
    }
    if (end - q < 8 || *q != '/') return TL_TS_NONE;
    q++;
    if (dig2(q) && q[2] == '/') {
        b = num2(q);
        q += 2;
    } else if (dig(q[0]) && q[1] == '/') {
        b = q[0] - '0';
        q += 1;
    } else {
        return TL_TS_NONE;
    }
    if (end - q < 7 || *q != '/' || !dig4(q + 1) || q[5] != ' ') return TL_TS_NONE;
    int y = num4(q + 1);
    int64_t uod;
    if (!parse_clock12(q + 6, end, &uod)) return TL_TS_NONE;
    int mdy = valid_date(y, a, b), dmy = valid_date(y, b, a);
    if (!mdy && !dmy) return TL_TS_NONE;
    if (c->order == TL_TS_ORDER_YMD && c->forced) return TL_TS_NONE;
    int use_dmy = c->order == TL_TS_ORDER_DMY;
    if (use_dmy ? !dmy : !mdy) {
        if (c->forced) return TL_TS_NONE;
        use_dmy = !use_dmy;
    }
    out->order_evidence = mdy && dmy ? TL_TS_EVID_BOTH : mdy ? TL_TS_EVID_MDY : TL_TS_EVID_DMY;
    return use_dmy ? done_local(out, c, y, b, a, uod, TL_TSF_SLASH_NUM)
                   : done_local(out, c, y, a, b, uod, TL_TSF_SLASH_NUM);
}

/* Common log format body `03/Jan/2026:12:34:56 +0000` (after the '['). */
static tl_ts_kind parse_clf(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    if (end - p < 20 || !dig2(p) || p[2] != '/' || p[6] != '/' || !dig4(p + 7) || p[11] != ':')
        return TL_TS_NONE;
    int mon = month_at(p + 3), year = num4(p + 7), day = num2(p);
    if (!mon || !valid_date(year, mon, day)) return TL_TS_NONE;
    int64_t uod;
    const char *q = parse_clock(p + 12, end, &uod);
    if (!q) return TL_TS_NONE;
    if (end - q >= 6 && *q == ' ' && (q[1] == '+' || q[1] == '-') && dig4(q + 2)) {
        int off = num2(q + 2) * 60 + num2(q + 4);
        if (num2(q + 4) > 59 || off > MAX_OFFSET_MIN) return TL_TS_NONE;
        return done_offset(out, year, mon, day, uod, q[1] == '-' ? -off : off, TL_TSF_CLF);
    }
    return done_local(out, c, year, mon, day, uod, TL_TSF_CLF);
}

/* `Mmm dd hh:mm:ss[frac]` (day space-padded, two-digit, or a lone digit): returns the end
 * of the clock or NULL. Feb 29 stays possible since the year may be unknown. */
static const char *mon_day_clock(const char *p, const char *end, int *mon, int *day, int64_t *uod)
{
    if (end - p < 14 || p[3] != ' ') return NULL;
    int m = month_at(p);
    if (!m) return NULL;
    int d;
    const char *q;
    if (p[4] == ' ' && dig(p[5])) {
        d = p[5] - '0';
        q = p + 6;
    } else if (dig2(p + 4)) {
        d = num2(p + 4);
        q = p + 6;
    } else if (dig(p[4]) && p[5] == ' ') {
        d = p[4] - '0';
        q = p + 5;
    } else {
        return NULL;
    }
    if (d < 1 || d > tl_tz_month_days(2000, m)) return NULL;
    if (q >= end || *q != ' ') return NULL;
    q = parse_clock(q + 1, end, uod);
    if (!q) return NULL;
    *mon = m;
    *day = d;
    return q;
}

/* ` YYYY` followed by the end, a blank or ']'; years 1970..2099 only, so a numeric host
 * name after a syslog stamp is not taken for one. */
static int trailing_year(const char *q, const char *end, int *year)
{
    if (end - q < 5 || q[0] != ' ' || !dig4(q + 1)) return 0;
    if (end - q > 5 && !blank(q[5]) && q[5] != ']') return 0;
    int y = num4(q + 1);
    if (y < 1970 || y > 2099) return 0;
    *year = y;
    return 1;
}

/* RFC 3164 `Mmm dd hh:mm:ss` (year-less), or `Mmm dd hh:mm:ss YYYY`. */
static tl_ts_kind parse_month_first(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    int mon, day, year;
    int64_t uod;
    const char *q = mon_day_clock(p, end, &mon, &day, &uod);
    if (!q) return TL_TS_NONE;
    if (trailing_year(q, end, &year)) {
        if (!valid_date(year, mon, day)) return TL_TS_NONE;
        return done_local(out, c, year, mon, day, uod, TL_TSF_MON_DAY_YEAR);
    }
    return done_yearless(out, mon, day, uod, TL_TSF_RFC3164);
}

/* ctime `Www Mmm dd hh:mm:ss[frac] [UTC |GMT ]YYYY`; without a year it is year-less. */
static tl_ts_kind parse_ctime(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    static const char days[] = "SunMonTueWedThuFriSat";
    if (end - p < 18 || p[3] != ' ') return TL_TS_NONE;
    int wd = -1;
    for (int i = 0; i < 7; i++)
        if (p[0] == days[3 * i] && p[1] == days[3 * i + 1] && p[2] == days[3 * i + 2]) wd = i;
    if (wd < 0) return TL_TS_NONE;
    int mon, day, year, utc = 0;
    int64_t uod;
    const char *q = mon_day_clock(p + 4, end, &mon, &day, &uod);
    if (!q) return TL_TS_NONE;
    if (end - q >= 5 && q[0] == ' ' && q[4] == ' ' &&
        ((q[1] == 'U' && q[2] == 'T' && q[3] == 'C') ||
         (q[1] == 'G' && q[2] == 'M' && q[3] == 'T'))) {
        utc = 1;
        q += 4;
    }
    if (trailing_year(q, end, &year)) {
        if (!valid_date(year, mon, day)) return TL_TS_NONE;
        return utc ? done_offset(out, year, mon, day, uod, 0, TL_TSF_CTIME)
                   : done_local(out, c, year, mon, day, uod, TL_TSF_CTIME);
    }
    if (utc) return TL_TS_NONE;
    return done_yearless(out, mon, day, uod, TL_TSF_CTIME);
}

/* glog/klog `Lmmdd hh:mm:ss.uuuuuu` (L = I/W/E/F), year-less. */
static tl_ts_kind parse_glog(const char *p, const char *end, tl_ts *out)
{
    if (end - p < 14 || !dig4(p + 1) || p[5] != ' ') return TL_TS_NONE;
    int m = num2(p + 1), d = num2(p + 3);
    int64_t uod;
    if (m < 1 || m > 12 || d < 1 || d > tl_tz_month_days(2000, m)) return TL_TS_NONE;
    if (!parse_clock(p + 6, end, &uod)) return TL_TS_NONE;
    return done_yearless(out, m, d, uod, TL_TSF_GLOG);
}

/* Year-less `MM-dd hh:mm:ss` (logcat) and `MM.dd hh:mm:ss` (Proxifier). */
static tl_ts_kind parse_mmdd(const char *p, const char *end, tl_ts *out)
{
    if (end - p < 14 || !dig2(p + 3) || p[5] != ' ') return TL_TS_NONE;
    int m = num2(p), d = num2(p + 3);
    int64_t uod;
    if (m < 1 || m > 12 || d < 1 || d > tl_tz_month_days(2000, m)) return TL_TS_NONE;
    if (!parse_clock(p + 6, end, &uod)) return TL_TS_NONE;
    return done_yearless(out, m, d, uod, p[2] == '-' ? TL_TSF_LOGCAT : TL_TSF_MMDD_DOT);
}

/* `yy/MM/dd hh:mm:ss` (Spark, Hadoop): the issue fixes this shape as year first. */
static tl_ts_kind parse_yy_slash(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    if (end - p < 17 || !dig2(p + 6) || p[8] != ' ') return TL_TS_NONE;
    int y = year2(num2(p)), m = num2(p + 3), d = num2(p + 6);
    int64_t uod;
    if (!valid_date(y, m, d) || !parse_clock(p + 9, end, &uod)) return TL_TS_NONE;
    return done_local(out, c, y, m, d, uod, TL_TSF_YY_SLASH);
}

/* `YYYY/MM/DD hh:mm:ss[frac]` (nginx error log, Go's log package). */
static tl_ts_kind parse_slash_ymd(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    if (end - p < 19 || !dig2(p + 5) || p[7] != '/' || !dig2(p + 8) || p[10] != ' ')
        return TL_TS_NONE;
    int y = num4(p), m = num2(p + 5), d = num2(p + 8);
    int64_t uod;
    if (!valid_date(y, m, d) || !parse_clock(p + 11, end, &uod)) return TL_TS_NONE;
    return done_local(out, c, y, m, d, uod, TL_TSF_SLASH_YMD);
}

/* Every form that can start at p; dispatched on the first bytes so a line without a stamp
 * costs a few comparisons. */
static tl_ts_kind parse_at(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    if (end - p < 13) return TL_TS_NONE; /* shortest form: `081109 203615` */
    char ch = p[0];
    if (dig(ch)) {
        if (!dig(p[1])) return p[1] == '/' ? parse_slash_num(p, end, c, out) : TL_TS_NONE;
        if (dig2(p + 2)) {
            if (p[4] == '-') return parse_iso(p, end, c, out) ? out->kind : TL_TS_NONE;
            if (p[4] == '/') return parse_slash_ymd(p, end, c, out);
            if (dig(p[4])) return parse_digit_run(p, end, c, out);
            return TL_TS_NONE;
        }
        switch (p[2]) {
        case '-':
        case '.': return parse_mmdd(p, end, out);
        case '/':
            if (alpha(p[3])) return parse_clf(p, end, c, out);
            if (dig2(p + 3) && p[5] == '/' && dig2(p + 6) && p[8] == ' ')
                return parse_yy_slash(p, end, c, out);
            return parse_slash_num(p, end, c, out);
        }
        return TL_TS_NONE;
    }
    if (upper(ch)) {
        if (parse_month_first(p, end, c, out)) return out->kind;
        if (parse_ctime(p, end, c, out)) return out->kind;
        if ((ch == 'I' || ch == 'W' || ch == 'E' || ch == 'F') && dig(p[1]))
            return parse_glog(p, end, out);
    }
    return TL_TS_NONE;
}

/* ---- epochs and JSON ---- */

/* A decimal epoch number in [p, end); the unit is chosen by magnitude (s, ms, us, ns).
 * Returns the end of the number or NULL. */
static const char *parse_epoch(const char *p, const char *end, tl_ts *out)
{
    int neg = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || !dig(*p)) return NULL;
    int64_t ip = 0;
    while (p < end && dig(*p)) {
        int d = *p++ - '0';
        if (ip > (INT64_MAX - d) / 10) return NULL;
        ip = ip * 10 + d;
    }
    int64_t frac = 0; /* first 6 fraction digits, zero-padded */
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !dig(*p)) return NULL;
        int n = 0;
        for (; p < end && dig(*p); p++, n++)
            if (n < 6) frac = frac * 10 + (*p - '0');
        for (; n < 6; n++)
            frac *= 10;
    }
    if (p < end && (*p == 'e' || *p == 'E')) return NULL;
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
    if (us < EPOCH_MIN_US || us > EPOCH_MAX_US) return NULL;
    out->kind = TL_TS_ABSOLUTE;
    out->us = us;
    out->flags = 0;
    return p;
}

/* .NET's `/Date(1767441601123)/` or `/Date(1767441601123+0100)/` (milliseconds, UTC; the
 * offset is only the writer's display zone). Backslash-escaped slashes are allowed. */
static tl_ts_kind parse_dotnet_date(const char *s, const char *e, tl_ts *out)
{
    if (s < e && *s == '\\') s++;
    if (e - s < 8 || memcmp(s, "/Date(", 6) != 0) return TL_TS_NONE;
    s += 6;
    const char *q = s + (s < e && *s == '-');
    const char *d = q;
    int64_t ms = 0;
    while (q < e && dig(*q) && q - d < 16)
        ms = ms * 10 + (*q++ - '0');
    if (q == d || q >= e || dig(*q)) return TL_TS_NONE;
    if ((*q == '+' || *q == '-') && e - q >= 5 && dig4(q + 1)) q += 5;
    if (q >= e || *q != ')') return TL_TS_NONE;
    int64_t us = (*s == '-' ? -ms : ms) * 1000;
    if (us < EPOCH_MIN_US || us > EPOCH_MAX_US) return TL_TS_NONE;
    out->kind = TL_TS_ABSOLUTE;
    out->us = us;
    return out->kind;
}

static tl_ts_kind parse_json_value(const char *v, const char *end, const pctx *c, tl_ts *out)
{
    if (v >= end) return TL_TS_NONE;
    if (*v == '"') {
        const char *s = v + 1, *e = s;
        int esc = 0;
        while (e < end && *e != '"') {
            if (*e == '\\') {
                esc = 1;
                if (end - e < 2) return TL_TS_NONE;
                e++;
            }
            e++;
        }
        if (e >= end) return TL_TS_NONE;
        if (esc || (e - s >= 6 && s[0] == '/')) return parse_dotnet_date(s, e, out);
        if (parse_at(s, e, c, out) != TL_TS_NONE) return out->kind;
        memset(out, 0, sizeof *out);
        const char *q = parse_epoch(s, e, out); /* a numeric string */
        if (q == e) return out->kind;
        memset(out, 0, sizeof *out);
        return TL_TS_NONE;
    }
    return parse_epoch(v, end, out) ? out->kind : TL_TS_NONE;
}

#define JSON_KEYS 8

/* The closing quote of a JSON string whose contents start at s: the first '"' preceded by
 * an even number of backslashes. memchr keeps long values cheap. NULL when unterminated. */
static const char *string_end(const char *s, const char *end)
{
    const char *p = s;
    while (p < end) {
        /* most keys and values are short: a plain loop beats memchr's call overhead */
        const char *q = p, *stop = end - p > 24 ? p + 24 : end;
        while (q < stop && *q != '"')
            q++;
        if (q == stop) q = stop < end ? memchr(stop, '"', (size_t)(end - stop)) : NULL;
        if (!q) return NULL;
        const char *b = q;
        while (b > s && b[-1] == '\\')
            b--;
        if ((q - b) % 2 == 0) return q;
        p = q + 1;
    }
    return NULL;
}

/* Preference rank of a time key (the order issue 4 lists), or -1. */
static int key_rank(const char *s, size_t klen)
{
    switch (klen) {
    case 2: return memcmp(s, "ts", 2) == 0 ? 3 : -1;
    case 4: return memcmp(s, "time", 4) == 0 ? 2 : memcmp(s, "date", 4) == 0 ? 4 : -1;
    case 9:
        return memcmp(s, "timestamp", 9) == 0   ? 1
               : memcmp(s, "eventTime", 9) == 0 ? 5
               : memcmp(s, "EventTime", 9) == 0 ? 6
                                                : -1;
    case 10: return memcmp(s, "@timestamp", 10) == 0 ? 0 : -1;
    case 11: return memcmp(s, "TimeCreated", 11) == 0 ? 7 : -1;
    }
    return -1;
}

/* Bytes the JSON key scanner must stop at. */
static const unsigned char json_special[256] = {
    ['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1};

/* Finds the top-level time keys by tokenising strings, so keys such as "timestamp_desc"
 * or values that happen to read "time" never match; tries them in preference order. */
static tl_ts_kind parse_json(const char *p, const char *end, const pctx *c, tl_ts *out)
{
    const char *val[JSON_KEYS] = {0};
    int depth = 0;
    while (p < end && !val[0]) {
        while (p < end && !json_special[(unsigned char)*p])
            p++; /* numbers, commas, blanks */
        if (p >= end) break;
        char ch = *p;
        if (ch == '"') {
            const char *s = ++p;
            p = string_end(s, end);
            if (!p) break; /* unterminated string */
            size_t klen = (size_t)(p - s);
            p++;
            if (depth != 1) continue;
            int rank = key_rank(s, klen);
            if (rank < 0 || val[rank]) continue;
            const char *t = p;
            while (t < end && blank(*t))
                t++;
            if (t >= end || *t != ':') continue;
            t++;
            while (t < end && blank(*t))
                t++;
            val[rank] = t;
            continue;
        }
        if (ch == '{' || ch == '[')
            depth++;
        else if (ch == '}' || ch == ']')
            depth--;
        p++;
    }
    for (int i = 0; i < JSON_KEYS; i++) {
        if (!val[i]) continue;
        if (parse_json_value(val[i], end, c, out) != TL_TS_NONE) {
            out->format = TL_TSF_JSON;
            return out->kind;
        }
        memset(out, 0, sizeof *out);
    }
    return TL_TS_NONE;
}

/* ---- anywhere-forms ---- */

/* Linux audit `audit(1767441601.123:4242)` (UTC epoch seconds); p is at a '(' with at least
 * five bytes before it in the line. */
static tl_ts_kind audit_at(const char *p, const char *end, tl_ts *out)
{
    if (memcmp(p - 5, "audit", 5) != 0) return TL_TS_NONE;
    const char *q = p + 1, *d = q;
    int64_t sec = 0;
    while (q < end && dig(*q) && q - d < 12)
        sec = sec * 10 + (*q++ - '0');
    if (q == d || q >= end || *q != '.') return TL_TS_NONE;
    int64_t frac;
    if (read_frac(&q, end, &frac) < 0 || q >= end || *q != ':') return TL_TS_NONE;
    int64_t us = sec * US_PER_SEC + frac;
    if (us > EPOCH_MAX_US) return TL_TS_NONE;
    out->kind = TL_TS_ABSOLUTE;
    out->us = us;
    out->format = TL_TSF_AUDIT;
    return out->kind;
}

/* Access logs put their stamp after the client address and identity fields, CSV exports in
 * some column; both are looked for in the first bytes of the line only, so text deep in a
 * message is not taken for the line's time. */
#define WINDOW 256

static const char *skip_fields(const char *p, const char *end, int n)
{
    for (int i = 0; i < n; i++) {
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
    }
    return p;
}

/* The anywhere-forms, in priority order: an access-log `[dd/Mon/yyyy:...]` within WINDOW,
 * `audit(...)` anywhere, a date after a CSV comma within WINDOW. One pass finds '[', '('
 * and ',' (16 bytes at a time with SSE2), since lines without a stamp must stay cheap. */
static tl_ts_kind scan_window(const char *line, const char *end, const pctx *c, tl_ts *out)
{
    const char *wend = end - line > WINDOW ? line + WINDOW : end;
    tl_ts audit = {0}, csv = {0};
    for (const char *b = line; b < wend; b += 16) {
        unsigned mask = 0;
#if defined(__SSE2__)
        if (wend - line >= 16) {
            /* the last block is loaded overlapping, ending at wend, and shifted into place */
            const char *at = wend - b >= 16 ? b : wend - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)at);
            __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('[')),
                                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('('))),
                                     _mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
            mask = (unsigned)_mm_movemask_epi8(m) >> (b - at);
        } else
#endif
        {
            for (int i = 0; i < 16 && b + i < wend; i++)
                if (b[i] == '[' || b[i] == '(' || b[i] == ',') mask |= 1u << i;
        }
        while (mask) {
            const char *h = b + __builtin_ctz(mask);
            mask &= mask - 1;
            if (*h == '[') {
                if (parse_clf(h + 1, end, c, out) != TL_TS_NONE) return out->kind;
                memset(out, 0, sizeof *out);
            } else if (*h == '(') {
                if (!audit.kind && h - line >= 5) audit_at(h, end, &audit);
            } else if (!audit.kind && !csv.kind) {
                const char *q = h + 1;
                if (q < end && *q == '"') q++;
                if (q < end && dig(*q)) parse_at(q, end, c, &csv);
                if (!csv.kind) memset(&csv, 0, sizeof csv);
            }
        }
    }
    if (!audit.kind && end > wend) {
        /* past the window only the audit stamp is looked for */
        for (const char *p = wend; p < end && (p = memchr(p, '(', (size_t)(end - p))) != NULL; p++)
            if (p - line >= 5 && audit_at(p, end, &audit) != TL_TS_NONE) break;
    }
    if (audit.kind)
        *out = audit;
    else if (csv.kind)
        *out = csv;
    return out->kind;
}

/* W3C extended: `date` and `time` fields (UTC) at the positions #Fields gave. */
static tl_ts_kind parse_w3c(const char *line, const char *end, const tl_ts_hint *h, tl_ts *out)
{
    if (h->w3c_date < 0 || h->w3c_time < 0 || h->w3c_date > 64 || h->w3c_time > 64)
        return TL_TS_NONE;
    const char *d = skip_fields(line, end, h->w3c_date);
    const char *t = skip_fields(line, end, h->w3c_time);
    if (end - d < 10 || !dig4(d) || d[4] != '-' || !dig2(d + 5) || d[7] != '-' || !dig2(d + 8) ||
        (end - d > 10 && !blank(d[10])))
        return TL_TS_NONE;
    int y = num4(d), m = num2(d + 5), dd = num2(d + 8);
    int64_t uod;
    if (!valid_date(y, m, dd)) return TL_TS_NONE;
    const char *q = parse_clock(t, end, &uod);
    if (!q || (q < end && !blank(*q))) return TL_TS_NONE;
    return done_offset(out, y, m, dd, uod, 0, TL_TSF_W3C);
}

/* dmesg `[  12345.678901]`: p just after the '['. Returns 1 and the boot offset. */
static int parse_dmesg(const char *p, const char *end, int64_t *boot_us)
{
    while (p < end && *p == ' ')
        p++;
    const char *d = p;
    int64_t sec = 0;
    while (p < end && dig(*p) && p - d < 12)
        sec = sec * 10 + (*p++ - '0');
    if (p == d || end - p < 8 || *p != '.') return 0;
    for (int i = 1; i <= 6; i++)
        if (!dig(p[i])) return 0;
    if (p[7] != ']') return 0;
    int64_t frac = 0;
    for (int i = 1; i <= 6; i++)
        frac = frac * 10 + (p[i] - '0');
    *boot_us = sec * US_PER_SEC + frac;
    return 1;
}

static void init_ctx(pctx *c, const tl_tz *zone, const tl_ts_hint *hint)
{
    c->zone = zone;
    c->order = TL_TS_ORDER_MDY;
    c->forced = 0;
    if (hint) {
        if (hint->order == TL_TS_ORDER_DMY || hint->order == TL_TS_ORDER_YMD)
            c->order = hint->order;
        c->forced = hint->order_source == TL_TS_ORDER_FROM_OPTION;
    }
}

/* The line-start attempt: prefixes (BOM, blanks, <PRI>, RFC 5424 version, '[' or a CSV
 * quote), then every form. Sets *boot for dmesg lines. */
static tl_ts_kind parse_start(const char *line, const char *end, const pctx *c, tl_ts *out,
                              int *boot, int64_t *boot_us, int *json)
{
    const char *p = line;
    if (end - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3; /* UTF-8 byte-order mark */
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= end) return TL_TS_NONE;
    switch (*p) {
    case '{': *json = 1; return parse_json(p, end, c, out);
    case '<': {
        /* <PRI> is 1..3 digits; RFC 5424 then has VERSION (1..3 digits) and a space. */
        const char *q = p + 1;
        while (q < end && q - p <= 3 && dig(*q))
            q++;
        if (q > p + 1 && q < end && *q == '>') {
            p = q + 1;
            q = p;
            while (q < end && q - p < 3 && dig(*q))
                q++;
            if (q > p && *p != '0' && q < end && *q == ' ') p = q + 1;
        }
        break;
    }
    case '[':
        p++;
        if (p < end && (*p == ' ' || dig(*p)) && parse_dmesg(p, end, boot_us)) {
            *boot = 1;
            return TL_TS_NONE;
        }
        break;
    case '"': p++; break;
    }
    return parse_at(p, end, c, out);
}

tl_ts_kind tl_ts_parse_line_hinted(const char *line, size_t len, const tl_tz *zone,
                                   const tl_ts_hint *hint, tl_ts *out)
{
    memset(out, 0, sizeof *out);
    if (!line) return TL_TS_NONE;
    const char *end = line + len;
    pctx c;
    init_ctx(&c, zone, hint);
    if (hint && hint->format == TL_TSF_W3C) {
        if (len && line[0] == '#') return TL_TS_NONE; /* directives */
        if (parse_w3c(line, end, hint, out) != TL_TS_NONE) return out->kind;
    }
    if (hint && hint->field > 0 && hint->field <= TL_TS_MAX_FIELD) {
        const char *f = skip_fields(line, end, hint->field);
        if (f < end && parse_at(f + (*f == '['), end, &c, out) != TL_TS_NONE) return out->kind;
        memset(out, 0, sizeof *out);
    }
    int boot = 0, json = 0;
    int64_t boot_us = 0;
    if (parse_start(line, end, &c, out, &boot, &boot_us, &json) != TL_TS_NONE) return out->kind;
    memset(out, 0, sizeof *out);
    if (json) return TL_TS_NONE;
    if (scan_window(line, end, &c, out) != TL_TS_NONE) return out->kind;
    memset(out, 0, sizeof *out);
    if (boot) {
        out->flags = TL_TS_FLAG_BOOT;
        out->boot_us = boot_us;
        out->format = TL_TSF_DMESG;
    }
    return TL_TS_NONE;
}

tl_ts_kind tl_ts_parse_line(const char *line, size_t len, const tl_tz *zone, tl_ts *out)
{
    return tl_ts_parse_line_hinted(line, len, zone, NULL, out);
}

/* ---- detection ---- */

void tl_ts_detector_init(tl_ts_detector *d, tl_ts_date_order forced)
{
    memset(d, 0, sizeof *d);
    d->forced = forced;
    d->w3c_date = d->w3c_time = -1;
}

/* `#Fields: date time s-ip ...`: remembers where date and time are. */
static void learn_w3c(tl_ts_detector *d, const char *p, const char *end)
{
    int idx = 0, date = -1, tim = -1;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        const char *s = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        if (p == s) break;
        if (p - s == 4 && memcmp(s, "date", 4) == 0 && date < 0) date = idx;
        if (p - s == 4 && memcmp(s, "time", 4) == 0 && tim < 0) tim = idx;
        idx++;
    }
    if (date >= 0 && tim >= 0) {
        d->w3c = 1;
        d->w3c_date = date;
        d->w3c_time = tim;
    }
}

int tl_ts_detector_feed(tl_ts_detector *d, const char *line, size_t len)
{
    if (d->lines >= TL_TS_DETECT_LINES) return 1;
    if (len && line[len - 1] == '\r') len--;
    const char *end = line + len;
    if (len == 0) return 0;
    if (line[0] == '#') {
        if (len > 8 && memcmp(line, "#Fields:", 8) == 0) learn_w3c(d, line + 8, end);
        if (d->w3c || (len > 9 && memcmp(line, "#Software", 9) == 0)) return 0;
    }
    d->lines++;
    tl_ts_hint h;
    tl_ts_detector_hint(d, &h);
    h.field = 0;
    if (d->forced == TL_TS_ORDER_AUTO) h.order = TL_TS_ORDER_MDY, h.order_source = 0;
    tl_ts ts;
    if (tl_ts_parse_line_hinted(line, len, NULL, &h, &ts) != TL_TS_NONE) {
        d->stamped++;
        d->at_start++;
        d->fmt_count[ts.format]++;
        if (ts.order_evidence == TL_TS_EVID_MDY) d->mdy++;
        if (ts.order_evidence == TL_TS_EVID_DMY) d->dmy++;
    } else if (ts.flags & TL_TS_FLAG_BOOT) {
        d->fmt_count[TL_TSF_DMESG]++;
    } else {
        pctx c;
        init_ctx(&c, NULL, &h);
        for (int k = 1; k <= TL_TS_MAX_FIELD; k++) {
            const char *f = skip_fields(line, end, k);
            if (f >= end) break;
            memset(&ts, 0, sizeof ts);
            if (parse_at(f + (*f == '['), end, &c, &ts) != TL_TS_NONE) {
                d->stamped++;
                d->field_count[k]++;
                d->fmt_count[ts.format]++;
                break;
            }
        }
    }
    return d->lines >= TL_TS_DETECT_LINES;
}

void tl_ts_detector_hint(const tl_ts_detector *d, tl_ts_hint *out)
{
    memset(out, 0, sizeof *out);
    out->lines_sampled = d->lines;
    out->lines_stamped = d->stamped;
    out->w3c_date = out->w3c_time = -1;
    unsigned best = 0;
    for (int f = 1; f < TL_TSF_COUNT; f++)
        if (d->fmt_count[f] > best) best = d->fmt_count[f], out->format = (tl_ts_format)f;
    if (d->w3c) {
        out->format = TL_TSF_W3C;
        out->w3c_date = d->w3c_date;
        out->w3c_time = d->w3c_time;
    }
    unsigned fbest = 0;
    for (int k = 1; k <= TL_TS_MAX_FIELD; k++)
        if (d->field_count[k] > fbest) fbest = d->field_count[k], out->field = k;
    if (fbest <= d->at_start) out->field = 0; /* most stamps are where the parser looks anyway */
    if (d->forced != TL_TS_ORDER_AUTO) {
        out->order = d->forced;
        out->order_source = TL_TS_ORDER_FROM_OPTION;
    } else if (d->mdy || d->dmy) {
        out->order = d->dmy > d->mdy ? TL_TS_ORDER_DMY : TL_TS_ORDER_MDY;
        out->order_source = TL_TS_ORDER_FROM_EVIDENCE;
    } else {
        out->order = TL_TS_ORDER_MDY;
        out->order_source = TL_TS_ORDER_FROM_DEFAULT;
    }
}

size_t tl_ts_detect(tl_ts_hint *out, const char *buf, size_t len, tl_ts_date_order forced)
{
    tl_ts_detector d;
    tl_ts_detector_init(&d, forced);
    size_t pos = 0, n = 0;
    while (buf && pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t e = nl ? (size_t)(nl - buf) : len;
        n++;
        if (tl_ts_detector_feed(&d, buf + pos, e - pos)) break;
        pos = e + 1;
    }
    tl_ts_detector_hint(&d, out);
    return n;
}

/* ---- ordered resolution ---- */

static int64_t yearless_utc(const tl_ts *ts, int year, const tl_tz *zone, int *flags,
                            int64_t *alt_us)
{
    int f = 0;
    int64_t alt = 0;
    /* Caller-built stamps may be out of range; clamp so nothing below can overflow. */
    int y = year < -YEAR_CLAMP ? -YEAR_CLAMP : year > YEAR_CLAMP ? YEAR_CLAMP : year;
    int m = ts->month < 1 ? 1 : ts->month > 12 ? 12 : ts->month;
    int d = ts->day < 1 ? 1 : ts->day > 31 ? 31 : ts->day;
    int64_t uod = ts->usec_of_day;
    uod = uod < 0 ? 0 : uod >= US_PER_DAY ? US_PER_DAY - 1 : uod;
    int64_t local = tl_tz_days_from_civil(y, m, d) * 86400 + uod / US_PER_SEC;
    int64_t utc = zone ? tl_tz_local_to_utc(zone, local, &f, &alt) : local;
    if (flags) *flags = f;
    if (alt_us) *alt_us = (f & TL_TZ_REPEAT) ? alt * US_PER_SEC + uod % US_PER_SEC : 0;
    return utc * US_PER_SEC + uod % US_PER_SEC;
}

int64_t tl_ts_yearless_to_utc(const tl_ts *ts, int year, const tl_tz *zone, int *flags)
{
    if (flags) *flags = 0;
    if (!ts || ts->kind != TL_TS_YEARLESS) return 0;
    return yearless_utc(ts, year, zone, flags, NULL);
}

int64_t tl_ts_pick_repeat(const tl_ts_seq *seq, int64_t earlier_us, int64_t later_us)
{
    if (!seq || !seq->have_prev) return earlier_us;
    /* prev_us comes from a parsed stamp (years 0..9999), so the subtraction cannot overflow */
    return earlier_us < seq->prev_us - TL_TS_REPEAT_JITTER_US ? later_us : earlier_us;
}

int64_t tl_ts_resolve(tl_ts_seq *seq, const tl_ts *ts, int year, const tl_tz *zone, int *flags)
{
    int f = 0;
    int64_t us = 0, alt = 0;
    if (flags) *flags = 0;
    if (!ts || ts->kind == TL_TS_NONE) return 0;
    if (ts->kind == TL_TS_ABSOLUTE) {
        us = ts->us;
        alt = ts->alt_us;
        f = ts->flags & (TL_TZ_GAP | TL_TZ_REPEAT);
    } else {
        us = yearless_utc(ts, year, zone, &f, &alt);
    }
    if (f & TL_TZ_REPEAT) us = tl_ts_pick_repeat(seq, us, alt);
    if (seq) {
        seq->have_prev = 1;
        seq->prev_us = us < EPOCH_MIN_US ? EPOCH_MIN_US : us > EPOCH_MAX_US ? EPOCH_MAX_US : us;
    }
    if (flags) *flags = f;
    return us;
}

int tl_ts_base_year(const tl_ts *last, unsigned rollovers, int64_t mtime_sec, const tl_tz *zone,
                    int assume_year)
{
    if (assume_year) return assume_year;
    if (rollovers > YEAR_CLAMP) rollovers = YEAR_CLAMP;
    return tl_ts_infer_last_year(last, mtime_sec, zone) - (int)rollovers;
}

/* ---- options ---- */

int tl_ts_parse_bound(int64_t *out_us, const char *s)
{
    if (!s) return TL_EUSAGE;
    size_t len = strlen(s);
    const char *end = s + len;
    if (len == 10 && dig4(s) && s[4] == '-' && dig2(s + 5) && s[7] == '-' && dig2(s + 8)) {
        int y = num4(s), m = num2(s + 5), d = num2(s + 8);
        if (!valid_date(y, m, d)) return TL_EUSAGE;
        *out_us = tl_tz_days_from_civil(y, m, d) * US_PER_DAY;
        return 0;
    }
    pctx c = {NULL, TL_TS_ORDER_MDY, 0};
    tl_ts ts;
    memset(&ts, 0, sizeof ts);
    const char *q = parse_iso(s, end, &c, &ts);
    if (!q || q != end || ts.format != TL_TSF_ISO) return TL_EUSAGE;
    *out_us = ts.us;
    return 0;
}

int tl_ts_parse_date_order(tl_ts_date_order *out, const char *s)
{
    static const char *const names[] = {"auto", "mdy", "dmy", "ymd"};
    for (int i = 0; s && i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (tl_ts_date_order)i;
            return 0;
        }
    }
    return TL_EUSAGE;
}

const char *tl_ts_format_name(tl_ts_format f)
{
    static const char *const names[TL_TSF_COUNT] = {"none",
                                                    "iso8601",
                                                    "iso8601-basic",
                                                    "rfc3164",
                                                    "mon-dd-time-yyyy",
                                                    "ctime",
                                                    "clf",
                                                    "yyyy/mm/dd",
                                                    "nn/nn/yyyy",
                                                    "yy/mm/dd",
                                                    "yymmdd-hhmmss",
                                                    "logcat",
                                                    "db2",
                                                    "yyyymmdd-hh:mm:ss:ms",
                                                    "mm.dd",
                                                    "glog",
                                                    "json",
                                                    "linux-audit",
                                                    "w3c",
                                                    "dmesg-boot"};
    return (unsigned)f < TL_TSF_COUNT ? names[f] : "unknown";
}

const char *tl_ts_date_order_name(tl_ts_date_order o)
{
    switch (o) {
    case TL_TS_ORDER_AUTO: return "auto";
    case TL_TS_ORDER_MDY: return "mdy";
    case TL_TS_ORDER_DMY: return "dmy";
    case TL_TS_ORDER_YMD: return "ymd";
    }
    return "unknown";
}

const char *tl_ts_order_source_name(tl_ts_order_source s)
{
    switch (s) {
    case TL_TS_ORDER_FROM_DEFAULT: return "default";
    case TL_TS_ORDER_FROM_EVIDENCE: return "evidence";
    case TL_TS_ORDER_FROM_OPTION: return "option";
    }
    return "unknown";
}

int tl_ts_is_year_rollover(const tl_ts *prev, const tl_ts *cur)
{
    return prev && cur && prev->kind == TL_TS_YEARLESS && cur->kind == TL_TS_YEARLESS &&
           prev->month - cur->month >= 6;
}

int tl_ts_infer_last_year(const tl_ts *last, int64_t mtime_sec, const tl_tz *zone)
{
    /* Keep mtime within years 0..9999 so the candidate years stay small. */
    const int64_t lo = tl_tz_days_from_civil(0, 1, 1) * 86400;
    const int64_t hi = tl_tz_days_from_civil(10000, 1, 1) * 86400 - 1;
    int64_t mt = mtime_sec < lo ? lo : mtime_sec > hi ? hi : mtime_sec;
    int64_t limit = mt + 26 * 3600;
    int64_t y_limit;
    tl_tz_civil_from_days(floordiv(limit, 86400), &y_limit, NULL, NULL);
    if (!last || last->kind != TL_TS_YEARLESS) return (int)y_limit;
    /* The local stamp in year limit+1 can still land before the limit in UTC when the zone is
     * ahead of UTC. Ten candidates also cover Feb 29 across the longest run of years without
     * one (2097..2103). */
    for (int64_t y = y_limit + 1; y >= y_limit - 8; y--) {
        if (last->month == 2 && last->day == 29 && !tl_tz_is_leap(y)) continue;
        if (tl_ts_yearless_to_utc(last, (int)y, zone, NULL) <= limit * US_PER_SEC) return (int)y;
    }
    return (int)y_limit;
}

size_t tl_ts_format_utc(int64_t us, char *buf, size_t bufsz)
{
    /* Four-digit years only: earlier/later instants are clamped to the ends of 0000..9999. */
    const int64_t lo = tl_tz_days_from_civil(0, 1, 1) * US_PER_DAY;
    const int64_t hi = tl_tz_days_from_civil(10000, 1, 1) * US_PER_DAY - 1;
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
    tl_tz_civil_from_days(days, &y, &m, &d);
    int64_t f[7] = {y, m, d, sod / 3600, sod / 60 % 60, sod % 60, frac};
    static const char tmpl[] = "0000-00-00T00:00:00.000000+00:00";
    static const unsigned char pos[7] = {3, 6, 9, 12, 15, 18, 25}; /* last digit of each field */
    static const unsigned char width[7] = {4, 2, 2, 2, 2, 2, 6};
    memcpy(buf, tmpl, sizeof tmpl);
    for (int i = 0; i < 7; i++) {
        int64_t v = f[i];
        for (int k = 0; k < width[i]; k++, v /= 10)
            buf[pos[i] - k] = (char)('0' + v % 10);
    }
    return sizeof tmpl - 1;
}

const char *tl_ts_quality_name(tl_ts_quality q)
{
    switch (q) {
    case TL_TSQ_NONE: return "none";
    case TL_TSQ_PARSED: return "parsed";
    case TL_TSQ_INFERRED_YEAR: return "inferred-year";
    case TL_TSQ_INHERITED: return "inherited";
    }
    return "unknown";
}
