/* Time-zone loading (fixed offsets, TZif v1/v2/v3 files with their POSIX TZ footer) and
 * UTC<->local conversion that never touches TZ, tzset() or the C library's time functions. */
#include "timberline/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Zones are small; anything bigger is not a TZif file we want to trust. */
#define TZ_MAX_FILE (1024 * 1024)
/* tzdata offsets stay within +-15 h; RFC 8536 allows a little under +-26 h. The conversion
 * window below relies on this bound, so files outside it are rejected as corrupt. */
#define TZ_MAX_UTOFF (26 * 3600)
/* Footer-rule transitions are cached in the table up to this year; later instants evaluate
 * the rule directly, so correctness does not depend on it, only speed. */
#define TZ_PRECOMPUTE_YEAR 2200
/* Instants are clamped to about +-31 million years so that no arithmetic can overflow. */
#define TZ_LIMIT_SEC INT64_C(1000000000000000)
/* local_to_utc looks at transitions within +-2 days of the wall-clock value. */
#define TZ_WINDOW (2 * 86400)
#define TZ_WINDOW_MAX 32

typedef struct rule_date {
    char kind;    /* 'J' (1..365, no Feb 29), 'N' (0..365), 'M' (month.week.day) */
    int a, b, c;  /* J/N: a = day; M: a = month, b = week 1..5, c = weekday 0..6 */
    int32_t time; /* seconds after local midnight, may be negative or > 24 h */
} rule_date;

typedef struct tz_rule {
    int32_t std_off; /* UTC offsets (local - UTC), i.e. the negated POSIX values */
    int32_t dst_off;
    int has_dst;
    rule_date start, end;
} tz_rule;

struct tl_tz {
    char *name; /* owned copy of the spec */
    /* Transition table: trans[i] is a UTC instant from which offs[i] applies; before
     * trans[0] init_off applies. Ascending, and only entries that change the offset. It holds
     * the file's transitions followed by footer-rule transitions up to TZ_PRECOMPUTE_YEAR. */
    int64_t *trans; /* owned */
    int32_t *offs;  /* owned */
    size_t n;
    int32_t init_off;
    /* Footer rule: governs every instant from the file's last transition on (all instants
     * when the file has none). The table agrees with it up to direct_from, after which it is
     * evaluated directly. */
    int has_rule;
    tz_rule rule;
    int64_t direct_from;
};

/* ---- civil calendar (proleptic Gregorian, UTC): the one copy; timestamp.c uses it too ---- */

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

int tl_tz_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tl_tz_month_days(int64_t y, int m)
{
    static const unsigned char md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && tl_tz_is_leap(y) ? 29 : md[m - 1];
}

/* Days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian). */
int64_t tl_tz_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floordiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tl_tz_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
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

static int64_t year_from_days(int64_t z)
{
    int64_t y;
    tl_tz_civil_from_days(z, &y, NULL, NULL);
    return y;
}

static int64_t clamp_sec(int64_t t)
{
    return t < -TZ_LIMIT_SEC ? -TZ_LIMIT_SEC : t > TZ_LIMIT_SEC ? TZ_LIMIT_SEC : t;
}

/* ---- POSIX TZ rule evaluation ---- */

static int64_t rule_day(const rule_date *rd, int64_t y)
{
    int64_t jan1 = tl_tz_days_from_civil(y, 1, 1);
    switch (rd->kind) {
    case 'J':
        return jan1 + rd->a - 1 + (tl_tz_is_leap(y) && rd->a >= 60);
    case 'N':
        return jan1 + rd->a;
    default: {
        int64_t first = tl_tz_days_from_civil(y, rd->a, 1);
        int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        int64_t day = first + (rd->c - wd + 7) % 7 + 7 * (rd->b - 1);
        while (day >= first + tl_tz_month_days(y, rd->a)) day -= 7; /* week 5 = last */
        return day;
    }
    }
}

/* UTC instant of a rule transition in year y; `before` is the offset in force just before. */
static int64_t rule_instant(const rule_date *rd, int64_t y, int32_t before)
{
    return rule_day(rd, y) * 86400 + rd->time - before;
}

static int32_t rule_offset(const tz_rule *r, int64_t t)
{
    if (!r->has_dst) return r->std_off;
    int64_t y = year_from_days(floordiv(t + r->std_off, 86400));
    int64_t s = rule_instant(&r->start, y, r->std_off);
    int64_t e = rule_instant(&r->end, y, r->dst_off);
    int dst;
    if (s < e)
        dst = t >= s && t < e;
    else if (s > e) /* southern hemisphere: DST spans the new year */
        dst = t < e || t >= s;
    else
        dst = 0;
    return dst ? r->dst_off : r->std_off;
}

static int32_t offset_at(const tl_tz *tz, int64_t t)
{
    if (tz->has_rule && t >= tz->direct_from) return rule_offset(&tz->rule, t);
    if (tz->n == 0 || t < tz->trans[0]) return tz->init_off;
    size_t lo = 0, hi = tz->n; /* invariant: trans[lo] <= t < trans[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return tz->offs[lo];
}

/* ---- POSIX TZ string parsing (RFC 8536 section 3.3 extensions included) ---- */

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads 1..maxd digits into *v; returns the number read (0 = none). */
static int read_num(const char **pp, int maxd, int *v)
{
    const char *p = *pp;
    int n = 0, acc = 0;
    while (n < maxd && is_digit(*p)) {
        acc = acc * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n == 0 || is_digit(*p)) return 0;
    *pp = p;
    *v = acc;
    return n;
}

static int parse_name(const char **pp)
{
    const char *p = *pp;
    if (*p == '<') {
        const char *s = ++p;
        while (is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-') p++;
        if (*p != '>' || p - s < 1) return -1;
        *pp = p + 1;
        return 0;
    }
    const char *s = p;
    while (is_alpha(*p)) p++;
    if (p - s < 3) return -1;
    *pp = p;
    return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= max_h; stores seconds with the sign as written. */
static int parse_hms(const char **pp, int max_h, int32_t *out)
{
    const char *p = *pp;
    int sign = 1, h = 0, m = 0, s = 0;
    if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
    if (!read_num(&p, 3, &h) || h > max_h) return -1;
    if (*p == ':') {
        p++;
        if (read_num(&p, 2, &m) != 2 || m > 59) return -1;
        if (*p == ':') {
            p++;
            if (read_num(&p, 2, &s) != 2 || s > 59) return -1;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    *pp = p;
    return 0;
}

static int parse_rule_date(const char **pp, rule_date *rd)
{
    const char *p = *pp;
    if (*p == 'J') {
        p++;
        rd->kind = 'J';
        if (!read_num(&p, 3, &rd->a) || rd->a < 1 || rd->a > 365) return -1;
    } else if (*p == 'M') {
        p++;
        rd->kind = 'M';
        if (!read_num(&p, 2, &rd->a) || rd->a < 1 || rd->a > 12 || *p++ != '.') return -1;
        if (!read_num(&p, 1, &rd->b) || rd->b < 1 || rd->b > 5 || *p++ != '.') return -1;
        if (!read_num(&p, 1, &rd->c) || rd->c > 6) return -1;
    } else {
        rd->kind = 'N';
        if (!read_num(&p, 3, &rd->a) || rd->a > 365) return -1;
    }
    rd->time = 7200;
    if (*p == '/') {
        p++;
        if (parse_hms(&p, 167, &rd->time) < 0) return -1;
    }
    *pp = p;
    return 0;
}

/* Parses a NUL-terminated POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3". */
static int parse_posix_tz(const char *s, tz_rule *r)
{
    const char *p = s;
    int32_t v;
    memset(r, 0, sizeof *r);
    if (parse_name(&p) < 0 || parse_hms(&p, 24, &v) < 0) return -1;
    r->std_off = -v; /* POSIX counts west-positive */
    if (*p == '\0') return 0;
    if (parse_name(&p) < 0) return -1;
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        if (parse_hms(&p, 24, &v) < 0) return -1;
        r->dst_off = -v;
    }
    if (*p == '\0') {
        /* No rule given: tzcode's default, the US rules since 2007. */
        r->start = (rule_date){'M', 3, 2, 0, 7200};
        r->end = (rule_date){'M', 11, 1, 0, 7200};
        return 0;
    }
    if (*p++ != ',' || parse_rule_date(&p, &r->start) < 0) return -1;
    if (*p++ != ',' || parse_rule_date(&p, &r->end) < 0) return -1;
    return *p == '\0' ? 0 : -1;
}

/* ---- TZif parsing ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_hdr {
    int version;
    size_t isut, isstd, leap, time, type, chars;
    size_t data_len; /* bytes of the data block that follows the 44-byte header */
} tzif_hdr;

static int read_hdr(const unsigned char *p, size_t len, int timesz, tzif_hdr *h)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0) return -1;
    h->version = p[4] ? p[4] - '0' : 1;
    h->isut = be32(p + 20);
    h->isstd = be32(p + 24);
    h->leap = be32(p + 28);
    h->time = be32(p + 32);
    h->type = be32(p + 36);
    h->chars = be32(p + 40);
    if (h->type == 0 || h->type > 256) return -1;
    /* Counts are < 2^32 and len < 1 MiB, so this sum cannot overflow a 64-bit size_t. */
    h->data_len = h->time * (size_t)timesz + h->time + h->type * 6 + h->chars +
                  h->leap * (size_t)(timesz + 4) + h->isstd + h->isut;
    return h->data_len <= len - 44 ? 0 : -1;
}

/* Appends a transition unless it leaves the offset unchanged (isdst/abbreviation-only
 * changes do not matter for conversion). */
static void push_trans(tl_tz *tz, size_t *cap, int64_t t, int32_t off)
{
    int32_t prev = tz->n ? tz->offs[tz->n - 1] : tz->init_off;
    if (off == prev) return;
    if (tz->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        tz->trans = tl_xrealloc(tz->trans, *cap * sizeof *tz->trans);
        tz->offs = tl_xrealloc(tz->offs, *cap * sizeof *tz->offs);
    }
    tz->trans[tz->n] = t;
    tz->offs[tz->n] = off;
    tz->n++;
}

/* Caches footer-rule transitions after `rule_from` (the file's last transition, or INT64_MIN
 * when it has none) so common lookups are one binary search, and sets direct_from. */
static void precompute_rule(tl_tz *tz, size_t *cap, int64_t rule_from)
{
    tz->direct_from = rule_from;
    if (!tz->has_rule || rule_from == INT64_MIN) return;
    /* RFC 8536: the rule governs from the last transition on, even if the file's last type
     * says otherwise; gather() reads offs[] directly, so the table must say the same. */
    int32_t off = rule_offset(&tz->rule, rule_from);
    if (tz->n && tz->trans[tz->n - 1] == rule_from) {
        tz->offs[tz->n - 1] = off;
        int32_t prev = tz->n >= 2 ? tz->offs[tz->n - 2] : tz->init_off;
        if (prev == off) tz->n--; /* now a no-op entry */
    } else {
        push_trans(tz, cap, rule_from, off);
    }
    if (!tz->rule.has_dst) return;
    int64_t y0 = year_from_days(floordiv(rule_from, 86400)) - 1;
    for (int64_t y = y0; y <= TZ_PRECOMPUTE_YEAR; y++) {
        int64_t c[2] = {rule_instant(&tz->rule.start, y, tz->rule.std_off),
                        rule_instant(&tz->rule.end, y, tz->rule.dst_off)};
        if (c[0] > c[1]) {
            int64_t t = c[0];
            c[0] = c[1];
            c[1] = t;
        }
        for (int i = 0; i < 2; i++) {
            if (c[i] <= rule_from) continue;
            off = rule_offset(&tz->rule, c[i]);
            if (off != rule_offset(&tz->rule, c[i] - 1)) push_trans(tz, cap, c[i], off);
        }
    }
    if (tz->n && tz->trans[tz->n - 1] > tz->direct_from) tz->direct_from = tz->trans[tz->n - 1];
}

static int parse_tzif(tl_tz *tz, const unsigned char *buf, size_t len, const char *path,
                      tl_error *err)
{
    tzif_hdr h;
    int timesz = 4;
    size_t cap = 0;
    const unsigned char *p = buf;
    if (read_hdr(p, len, 4, &h) < 0) goto corrupt;
    if (h.version >= 2) {
        /* The 64-bit section follows the v1 block; the v1 data is only for old readers. */
        size_t skip = 44 + h.data_len;
        p += skip;
        len -= skip;
        timesz = 8;
        if (read_hdr(p, len, 8, &h) < 0) goto corrupt;
    }
    const unsigned char *times = p + 44;
    const unsigned char *idx = times + h.time * timesz;
    const unsigned char *types = idx + h.time;
    int32_t utoff[256];
    for (size_t i = 0; i < h.type; i++) {
        int32_t o = (int32_t)be32(types + 6 * i);
        if (o < -TZ_MAX_UTOFF || o > TZ_MAX_UTOFF) goto corrupt;
        utoff[i] = o;
    }
    /* RFC 8536: type 0 describes instants before the first transition. */
    tz->init_off = utoff[0];
    int64_t prev_t = INT64_MIN;
    for (size_t i = 0; i < h.time; i++) {
        int64_t t = timesz == 8 ? be64(times + 8 * i) : (int64_t)(int32_t)be32(times + 4 * i);
        if (idx[i] >= h.type || (i > 0 && t <= prev_t)) goto corrupt;
        prev_t = t;
        push_trans(tz, &cap, clamp_sec(t), utoff[idx[i]]);
    }
    int64_t rule_from = h.time ? clamp_sec(prev_t) : INT64_MIN;
    if (h.version >= 2) {
        const unsigned char *f = p + 44 + h.data_len;
        size_t flen = len - 44 - h.data_len;
        if (flen < 2 || f[0] != '\n') goto corrupt;
        const unsigned char *nl = memchr(f + 1, '\n', flen - 1);
        if (!nl) goto corrupt;
        size_t slen = (size_t)(nl - f - 1);
        if (slen > 0) {
            char s[256];
            if (slen >= sizeof s || memchr(f + 1, '\0', slen)) goto corrupt;
            memcpy(s, f + 1, slen);
            s[slen] = '\0';
            if (parse_posix_tz(s, &tz->rule) < 0)
                return tl_error_set(err, TL_ECORRUPT, "%s: unsupported TZ footer \"%s\"", path, s);
            tz->has_rule = 1;
        }
    }
    precompute_rule(tz, &cap, rule_from);
    return 0;
corrupt:
    return tl_error_set(err, TL_ECORRUPT, "%s: not a valid TZif file", path);
}

static int read_file(const char *path, unsigned char **out, size_t *out_len, tl_error *err)
{
    int rc = TL_EIO;
    unsigned char *buf = NULL; /* owned until handed to *out */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return tl_error_set(err, TL_ENOTFOUND, "%s: no such time zone", path);
        return tl_error_set(err, TL_EIO, "%s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        tl_error_set(err, TL_EIO, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = tl_error_set(err, TL_ENOTFOUND, "%s: not a time zone file", path);
        goto out;
    }
    if (st.st_size > TZ_MAX_FILE) {
        rc = tl_error_set(err, TL_ECORRUPT, "%s: too large for a TZif file", path);
        goto out;
    }
    size_t want = (size_t)st.st_size, got = 0;
    buf = tl_xmalloc(want);
    while (got < want) {
        ssize_t r = read(fd, buf + got, want - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            tl_error_set(err, TL_EIO, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0) break; /* file shrank underneath us; parse what we have */
        got += (size_t)r;
    }
    *out = buf;
    *out_len = got;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

/* ---- spec handling ---- */

/* "+HH:MM", "-HH:MM", "+HHMM", "+HH"; returns 0 and the offset, or -1. */
static int parse_fixed(const char *s, int32_t *off)
{
    int sign = s[0] == '-' ? -1 : 1;
    const char *p = s + 1;
    if (!is_digit(p[0]) || !is_digit(p[1])) return -1;
    int h = (p[0] - '0') * 10 + (p[1] - '0'), m = 0;
    p += 2;
    if (*p == ':') p++;
    if (*p) {
        if (!is_digit(p[0]) || !is_digit(p[1]) || p[2]) return -1;
        m = (p[0] - '0') * 10 + (p[1] - '0');
    } else if (p[-1] == ':') {
        return -1;
    }
    if (m > 59 || h * 60 + m > 15 * 60) return -1;
    *off = sign * (h * 3600 + m * 60);
    return 0;
}

static int name_ok(const char *s)
{
    if (!*s || *s == '/' || strstr(s, "..") || strlen(s) > 255) return 0;
    for (; *s; s++)
        if (!is_alpha(*s) && !is_digit(*s) && !strchr("/_+-.", *s)) return 0;
    return 1;
}

int tl_tz_load(tl_tz **out, const char *spec, tl_error *err)
{
    static const char *const utc_names[] = {"UTC", "Z", "Etc/UTC", "GMT", "Etc/GMT"};
    int rc = TL_EGENERIC;
    unsigned char *buf = NULL; /* owned, file contents */
    size_t len = 0;
    tl_tz *tz = NULL; /* owned until handed to *out */
    *out = NULL;
    if (!spec) spec = "UTC";
    tz = tl_xcalloc(1, sizeof *tz);
    tz->name = tl_xstrdup(spec);
    for (size_t i = 0; i < sizeof utc_names / sizeof utc_names[0]; i++)
        if (strcmp(spec, utc_names[i]) == 0) goto done; /* built in: no tzdata needed */
    if (spec[0] == '+' || spec[0] == '-') {
        if (parse_fixed(spec, &tz->init_off) < 0) {
            rc = tl_error_set(err, TL_EUSAGE,
                              "time zone \"%s\": expected +HH:MM, +HHMM or +HH within 15:00",
                              spec);
            goto fail;
        }
        goto done;
    }
    if (!name_ok(spec)) {
        rc = tl_error_set(err, TL_EUSAGE, "time zone \"%s\": not an acceptable zone name", spec);
        goto fail;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir) dir = "/usr/share/zoneinfo";
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, spec);
    if (n < 0 || (size_t)n >= sizeof path) {
        rc = tl_error_set(err, TL_EUSAGE, "time zone \"%s\": path too long", spec);
        goto fail;
    }
    rc = read_file(path, &buf, &len, err);
    if (rc < 0) goto fail;
    rc = parse_tzif(tz, buf, len, path, err);
    if (rc < 0) goto fail;
done:
    free(buf);
    *out = tz;
    return 0;
fail:
    free(buf);
    tl_tz_free(tz);
    return rc;
}

void tl_tz_free(tl_tz *tz)
{
    if (!tz) return;
    free(tz->name);
    free(tz->trans);
    free(tz->offs);
    free(tz);
}

const char *tl_tz_name(const tl_tz *tz)
{
    return tz ? tz->name : "UTC";
}

int32_t tl_tz_offset_at(const tl_tz *tz, int64_t utc_sec)
{
    return tz ? offset_at(tz, clamp_sec(utc_sec)) : 0;
}

/* Transitions in (lo, hi] as (instant, offset after), ascending; *off_lo is the offset at lo. */
static size_t gather(const tl_tz *tz, int64_t lo, int64_t hi, int64_t *tc, int32_t *to,
                     int32_t *off_lo)
{
    size_t k = 0;
    *off_lo = offset_at(tz, lo);
    size_t a = 0, b = tz->n; /* first index with trans > lo */
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (tz->trans[mid] <= lo)
            a = mid + 1;
        else
            b = mid;
    }
    for (; a < tz->n && tz->trans[a] <= hi && k < TZ_WINDOW_MAX; a++) {
        tc[k] = tz->trans[a];
        to[k++] = tz->offs[a];
    }
    if (tz->has_rule && tz->rule.has_dst && hi >= tz->direct_from) {
        int64_t y0 = year_from_days(floordiv(lo, 86400)) - 1;
        int64_t y1 = year_from_days(floordiv(hi, 86400)) + 1;
        for (int64_t y = y0; y <= y1 && k + 2 <= TZ_WINDOW_MAX; y++) {
            int64_t c[2] = {rule_instant(&tz->rule.start, y, tz->rule.std_off),
                            rule_instant(&tz->rule.end, y, tz->rule.dst_off)};
            for (int i = 0; i < 2; i++) {
                if (c[i] <= lo || c[i] > hi || c[i] <= tz->direct_from) continue;
                int32_t off = offset_at(tz, c[i]);
                if (off == offset_at(tz, c[i] - 1)) continue;
                /* Insertion keeps the list sorted; rule years may yield out-of-order pairs. */
                size_t j = k;
                while (j > 0 && tc[j - 1] > c[i]) {
                    tc[j] = tc[j - 1];
                    to[j] = to[j - 1];
                    j--;
                }
                if (j > 0 && tc[j - 1] == c[i]) { /* duplicate: undo the shift */
                    for (; j < k; j++) {
                        tc[j] = tc[j + 1];
                        to[j] = to[j + 1];
                    }
                    continue;
                }
                tc[j] = c[i];
                to[j] = off;
                k++;
            }
        }
    }
    return k;
}

int64_t tl_tz_local_to_utc(const tl_tz *tz, int64_t local_sec, int *flags, int64_t *alt_utc)
{
    int64_t tc[TZ_WINDOW_MAX + 1];
    int32_t to[TZ_WINDOW_MAX + 1];
    int32_t off0;
    int64_t L = clamp_sec(local_sec);
    if (flags) *flags = 0;
    if (!tz) return L;
    size_t k = gather(tz, L - TZ_WINDOW, L + TZ_WINDOW, tc, to, &off0);
    if (k == 0) return L - off0; /* the common case: no transition nearby */

    /* Region r spans [start_r, start_{r+1}) with offset off_r; a wall-clock value maps into
     * it when L - off_r lands inside. Zero matches = gap, two or more = repeat. */
    int64_t first = 0, last = 0;
    int matches = 0;
    for (size_t r = 0; r <= k; r++) {
        int32_t off = r == 0 ? off0 : to[r - 1];
        int64_t lo = r == 0 ? INT64_MIN : tc[r - 1];
        int64_t u = L - off;
        if (u < lo || (r < k && u >= tc[r])) continue;
        if (matches++ == 0) first = u;
        last = u;
    }
    if (matches == 1) return first;
    if (matches > 1) {
        if (flags) *flags = TL_TZ_REPEAT;
        if (alt_utc) *alt_utc = last;
        return first;
    }
    /* Gap: the issue wants the offset that follows the transition (Python's fold=1), so a
     * CET/CEST 02:30 reads as 02:30+02:00. */
    if (flags) *flags = TL_TZ_GAP;
    for (size_t r = 0; r < k; r++) {
        int32_t before = r == 0 ? off0 : to[r - 1];
        if (L >= tc[r] + before && L < tc[r] + to[r]) return L - to[r];
    }
    return L - off0; /* unreachable with consistent data; stay defined anyway */
}
