/* Unit tests for the tz module: fixed offsets, TZif zones from the system database, POSIX
 * footer rules (synthetic files, expected values from Python's zoneinfo), gaps and repeats. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timberline/tz.h"

/* Loads a zone or fails the test with the loader's message. Caller frees. */
static tl_tz *load(const char *spec)
{
    tl_tz *tz = NULL;
    tl_error err = {0};
    int rc = tl_tz_load(&tz, spec, &err);
    ck_assert_msg(rc == 0, "load %s: %d %s", spec, rc, err.msg);
    ck_assert_ptr_nonnull(tz);
    return tz;
}

static int load_rc(const char *spec)
{
    tl_tz *tz = (tl_tz *)1;
    tl_error err = {0};
    int rc = tl_tz_load(&tz, spec, &err);
    if (rc == 0) {
        tl_tz_free(tz);
    } else {
        ck_assert_ptr_null(tz);
        ck_assert_int_eq(err.code, rc);
        ck_assert_msg(err.msg[0] != '\0', "error message for %s is empty", spec);
    }
    return rc;
}

/* A scratch TZDIR; each Check test runs in its own fork, so setenv does not leak. */
static char tzdir[64];

static void make_tzdir(void)
{
    strcpy(tzdir, "/tmp/tl_check_tz.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tzdir));
    setenv("TZDIR", tzdir, 1);
}

static void put_file(const char *name, const void *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tzdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void remove_tzdir(const char *const *names, size_t n)
{
    char path[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", tzdir, names[i]);
        unlink(path);
    }
    rmdir(tzdir);
    unsetenv("TZDIR");
}

static size_t be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return 4;
}

/* A TZif header: version byte and the six counts (isut, isstd, leap, time, type, char). */
static size_t hdr(unsigned char *p, char version, uint32_t timecnt, uint32_t typecnt,
                  uint32_t charcnt)
{
    memset(p, 0, 44);
    memcpy(p, "TZif", 4);
    p[4] = (unsigned char)version;
    be32(p + 32, timecnt);
    be32(p + 36, typecnt);
    be32(p + 40, charcnt);
    return 44;
}

/* A "slim" v2 file: no transitions, type 0 = UTC, everything comes from the footer. */
static size_t footer_only(unsigned char *buf, const char *footer)
{
    size_t n = hdr(buf, '2', 0, 1, 1);
    memset(buf + n, 0, 7); /* v1 block: one ttinfo and one NUL designation */
    n += 7;
    n += hdr(buf + n, '2', 0, 1, 4);
    memset(buf + n, 0, 6);
    n += 6;
    memcpy(buf + n, "XXX", 4);
    n += 4;
    buf[n++] = '\n';
    memcpy(buf + n, footer, strlen(footer));
    n += strlen(footer);
    buf[n++] = '\n';
    return n;
}

/* ------------------------------------------------------------------ core */

START_TEST(test_utc_names)
{
    static const char *const names[] = {"UTC", "Z", "Etc/UTC", "GMT", "Etc/GMT"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        tl_tz *tz = load(names[i]);
        ck_assert_str_eq(tl_tz_name(tz), names[i]);
        ck_assert_int_eq(tl_tz_offset_at(tz, 1767441601), 0);
        int flags = -1;
        ck_assert_int_eq(tl_tz_local_to_utc(tz, 1767441601, &flags, NULL), 1767441601);
        ck_assert_int_eq(flags, 0);
        tl_tz_free(tz);
    }
    tl_tz *tz = NULL;
    ck_assert_int_eq(tl_tz_load(&tz, NULL, NULL), 0); /* NULL spec = the default, UTC */
    ck_assert_str_eq(tl_tz_name(tz), "UTC");
    tl_tz_free(tz);
}
END_TEST

START_TEST(test_fixed_offsets)
{
    static const struct {
        const char *spec;
        int32_t off;
    } cases[] = {
        {"+05:45", 20700}, {"-03:30", -12600}, {"+0100", 3600}, {"+05", 18000},
        {"-00:00", 0},     {"+15:00", 54000},  {"-1500", -54000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tl_tz *tz = load(cases[i].spec);
        ck_assert_str_eq(tl_tz_name(tz), cases[i].spec);
        ck_assert_int_eq(tl_tz_offset_at(tz, 0), cases[i].off);
        ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(5687801999)), cases[i].off);
        /* 2026-01-03 12:00:00 local */
        ck_assert_int_eq(tl_tz_local_to_utc(tz, 1767441600, NULL, NULL),
                         1767441600 - cases[i].off);
        tl_tz_free(tz);
    }
}
END_TEST

START_TEST(test_berlin_2026)
{
    tl_tz *tz = load("Europe/Berlin");
    int flags = -1;
    int64_t alt = -1;
    /* Expected values: TZ=Europe/Berlin date -d ... +%s and Python zoneinfo. */
    ck_assert_int_eq(tl_tz_offset_at(tz, 1774745999), 3600); /* 2026-03-29 00:59:59Z */
    ck_assert_int_eq(tl_tz_offset_at(tz, 1774746000), 7200); /* 01:00:00Z: CEST */
    ck_assert_int_eq(tl_tz_offset_at(tz, 1792889999), 7200); /* 2026-10-25 00:59:59Z */
    ck_assert_int_eq(tl_tz_offset_at(tz, 1792890000), 3600);
    /* 2026-07-01 12:00 local -> 10:00Z */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1782907200, &flags, &alt), 1782900000);
    ck_assert_int_eq(flags, 0);
    /* 2026-03-29 02:30 does not exist: the following offset, CEST (+2), applies -> 00:30Z
     * (Python: fold=1) */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1774751400, &flags, &alt), 1774744200);
    ck_assert_int_eq(flags, TL_TZ_GAP);
    /* 2026-10-25 02:30 happens twice: 00:30Z (CEST) first, 01:30Z (CET) later */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1792895400, &flags, &alt), 1792888200);
    ck_assert_int_eq(flags, TL_TZ_REPEAT);
    ck_assert_int_eq(alt, 1792891800);
    /* edges: 02:00 is in the gap (-> 00:00Z with CEST), 03:00 is CEST; 01:59:59 is the last
     * CET second */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1774749600, &flags, NULL), 1774742400);
    ck_assert_int_eq(flags, TL_TZ_GAP);
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1774753200, &flags, NULL), 1774746000);
    ck_assert_int_eq(flags, 0);
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1774749599, &flags, NULL), 1774745999);
    ck_assert_int_eq(flags, 0);
    /* flags and alt may be NULL */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1792895400, NULL, NULL), 1792888200);
    tl_tz_free(tz);
}
END_TEST

START_TEST(test_new_york_2026)
{
    tl_tz *tz = load("America/New_York");
    int flags = -1;
    int64_t alt = -1;
    ck_assert_int_eq(tl_tz_offset_at(tz, 1772953199), -18000); /* 2026-03-08 06:59:59Z */
    ck_assert_int_eq(tl_tz_offset_at(tz, 1772953200), -14400);
    /* 2026-03-08 02:30 local: gap, the following EDT (-4) applies -> 06:30Z */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1772937000, &flags, &alt), 1772951400);
    ck_assert_int_eq(flags, TL_TZ_GAP);
    /* 2026-11-01 01:30 local: 05:30Z (EDT) and 06:30Z (EST) */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1793496600, &flags, &alt), 1793511000);
    ck_assert_int_eq(flags, TL_TZ_REPEAT);
    ck_assert_int_eq(alt, 1793514600);
    tl_tz_free(tz);
}
END_TEST

START_TEST(test_sydney_southern)
{
    tl_tz *tz = load("Australia/Sydney");
    int flags = -1;
    int64_t alt = -1;
    ck_assert_int_eq(tl_tz_offset_at(tz, 1775318399), 39600);
    ck_assert_int_eq(tl_tz_offset_at(tz, 1775318400), 36000);
    /* 2026-04-05 02:30 local twice: AEDT first, AEST later */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1775356200, &flags, &alt), 1775316600);
    ck_assert_int_eq(flags, TL_TZ_REPEAT);
    ck_assert_int_eq(alt, 1775320200);
    /* 2026-10-04 02:30 local: gap, the following AEDT (+11) applies */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1791081000, &flags, &alt), 1791041400);
    ck_assert_int_eq(flags, TL_TZ_GAP);
    tl_tz_free(tz);
}
END_TEST

START_TEST(test_kathmandu)
{
    tl_tz *tz = load("Asia/Kathmandu");
    ck_assert_int_eq(tl_tz_offset_at(tz, 1767420900), 20700);
    /* 2026-01-03 12:00 local -> 06:15Z */
    int flags = -1;
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1767441600, &flags, NULL), 1767420900);
    ck_assert_int_eq(flags, 0);
    /* 2150: past the file's transitions, from the <+0545>-5:45 footer */
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(5693328000)), 20700);
    tl_tz_free(tz);
}
END_TEST

START_TEST(test_far_future_footer)
{
    tl_tz *tz = load("Europe/Berlin");
    int flags = -1;
    int64_t alt = -1;
    /* 2150: last Sundays are Mar 29 and Oct 25 */
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(5687801999)), 3600);
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(5687802000)), 7200);
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(5705945999)), 7200);
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(5705946000)), 3600);
    /* 2150-03-29 02:30 local: gap -> 00:30Z; 2150-10-25 02:30 local: repeat */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, INT64_C(5687807400), &flags, NULL),
                     INT64_C(5687807400) - 7200);
    ck_assert_int_eq(flags, TL_TZ_GAP);
    ck_assert_int_eq(tl_tz_local_to_utc(tz, INT64_C(5705951400), &flags, &alt),
                     INT64_C(5705951400) - 7200);
    ck_assert_int_eq(flags, TL_TZ_REPEAT);
    ck_assert_int_eq(alt, INT64_C(5705951400) - 3600);
    /* 2500 lies beyond the cached transitions: the rule is evaluated directly */
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(16732659599)), 3600);
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(16732659600)), 7200);
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(16751408399)), 7200);
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(16751408400)), 3600);
    /* 2500-03-28 02:30 local: gap */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, INT64_C(16732665000), &flags, NULL),
                     INT64_C(16732657800));
    ck_assert_int_eq(flags, TL_TZ_GAP);
    tl_tz_free(tz);

    tz = load("America/New_York");
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(5686009199)), -18000);
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(5686009200)), -14400);
    tl_tz_free(tz);
}
END_TEST

START_TEST(test_history)
{
    tl_tz *tz = load("Europe/Berlin");
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(-2208988800)), 3600); /* 1900 */
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(-3786825600)), 3208); /* 1850: LMT */
    tl_tz_free(tz);
}
END_TEST

/* Footer rules in synthetic slim files; expectations generated with Python's zoneinfo
 * (ZoneInfo.from_file on byte-identical files) at 2026/2150 transitions and around them.
 * Gap rows (flags 1) use fold=1, the offset after the transition, as issue 4 asks.
 * Footer 4 rows come from glibc (TZ=... date) instead: CPython 3.11 reads the zero-based
 * `n` form one day early. Footer 7 follows RFC 8536 3.3.1 (DST all year), as Python does;
 * glibc disagrees at the year boundary. */
static const char *const footers[] = {
    "CET-1CEST,M3.5.0,M10.5.0/3",           /* Mm.w.d, /time */
    "<+0545>-5:45",                         /* quoted name, minutes, no DST */
    "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",      /* negative transition time */
    "IST-2IDT,M3.4.4/26,M10.5.0",           /* time past 24 h */
    "XST3XDT,J60/2,300/25:30",              /* Jn and zero-based n forms */
    "AEST-10AEDT,M10.1.0,M4.1.0/3",         /* southern hemisphere */
    "IST-1GMT0,M10.5.0,M3.5.0/1",           /* negative DST (Europe/Dublin) */
    "EST5EDT,0/0,J365/25",                  /* DST all year */
    "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", /* 30-minute DST (Lord Howe) */
};
#define NFOOTERS (sizeof footers / sizeof footers[0])
static const char *const footer_files[NFOOTERS] = {"f0", "f1", "f2", "f3", "f4",
                                                   "f5", "f6", "f7", "f8"};

static const struct footer_case {
    int footer;
    char op; /* 'O': offset_at(in) == want; 'L': local_to_utc(in) == want, flags, alt */
    int64_t in, want;
    int flags;
    int64_t alt;
} footer_cases[] = {
    {0, 'O', INT64_C(1767225600), INT64_C(3600), 0, INT64_C(0)},
    {0, 'O', INT64_C(1774745999), INT64_C(3600), 0, INT64_C(0)},
    {0, 'O', INT64_C(1774746000), INT64_C(7200), 0, INT64_C(0)},
    {0, 'L', INT64_C(1774749599), INT64_C(1774745999), 0, INT64_C(0)},
    {0, 'L', INT64_C(1774751400), INT64_C(1774744200), 1, INT64_C(0)},
    {0, 'L', INT64_C(1774753200), INT64_C(1774746000), 0, INT64_C(0)},
    {0, 'O', INT64_C(1792889999), INT64_C(7200), 0, INT64_C(0)},
    {0, 'O', INT64_C(1792890000), INT64_C(3600), 0, INT64_C(0)},
    {0, 'L', INT64_C(1792893599), INT64_C(1792886399), 0, INT64_C(0)},
    {0, 'L', INT64_C(1792895400), INT64_C(1792888200), 2, INT64_C(1792891800)},
    {0, 'L', INT64_C(1792897200), INT64_C(1792893600), 0, INT64_C(0)},
    {0, 'O', INT64_C(5680281600), INT64_C(3600), 0, INT64_C(0)},
    {0, 'O', INT64_C(5687801999), INT64_C(3600), 0, INT64_C(0)},
    {0, 'O', INT64_C(5687802000), INT64_C(7200), 0, INT64_C(0)},
    {0, 'L', INT64_C(5687805599), INT64_C(5687801999), 0, INT64_C(0)},
    {0, 'L', INT64_C(5687807400), INT64_C(5687800200), 1, INT64_C(0)},
    {0, 'L', INT64_C(5687809200), INT64_C(5687802000), 0, INT64_C(0)},
    {0, 'O', INT64_C(5705945999), INT64_C(7200), 0, INT64_C(0)},
    {0, 'O', INT64_C(5705946000), INT64_C(3600), 0, INT64_C(0)},
    {0, 'L', INT64_C(5705949599), INT64_C(5705942399), 0, INT64_C(0)},
    {0, 'L', INT64_C(5705951400), INT64_C(5705944200), 2, INT64_C(5705947800)},
    {0, 'L', INT64_C(5705953200), INT64_C(5705949600), 0, INT64_C(0)},
    {1, 'O', INT64_C(1767225600), INT64_C(20700), 0, INT64_C(0)},
    {1, 'O', INT64_C(5680281600), INT64_C(20700), 0, INT64_C(0)},
    {2, 'O', INT64_C(1767225600), INT64_C(-7200), 0, INT64_C(0)},
    {2, 'O', INT64_C(1774745999), INT64_C(-7200), 0, INT64_C(0)},
    {2, 'O', INT64_C(1774746000), INT64_C(-3600), 0, INT64_C(0)},
    {2, 'L', INT64_C(1774738799), INT64_C(1774745999), 0, INT64_C(0)},
    {2, 'L', INT64_C(1774740600), INT64_C(1774744200), 1, INT64_C(0)},
    {2, 'L', INT64_C(1774742400), INT64_C(1774746000), 0, INT64_C(0)},
    {2, 'O', INT64_C(1792889999), INT64_C(-3600), 0, INT64_C(0)},
    {2, 'O', INT64_C(1792890000), INT64_C(-7200), 0, INT64_C(0)},
    {2, 'L', INT64_C(1792882799), INT64_C(1792886399), 0, INT64_C(0)},
    {2, 'L', INT64_C(1792884600), INT64_C(1792888200), 2, INT64_C(1792891800)},
    {2, 'L', INT64_C(1792886400), INT64_C(1792893600), 0, INT64_C(0)},
    {2, 'O', INT64_C(5680281600), INT64_C(-7200), 0, INT64_C(0)},
    {2, 'O', INT64_C(5687801999), INT64_C(-7200), 0, INT64_C(0)},
    {2, 'O', INT64_C(5687802000), INT64_C(-3600), 0, INT64_C(0)},
    {2, 'L', INT64_C(5687794799), INT64_C(5687801999), 0, INT64_C(0)},
    {2, 'L', INT64_C(5687796600), INT64_C(5687800200), 1, INT64_C(0)},
    {2, 'L', INT64_C(5687798400), INT64_C(5687802000), 0, INT64_C(0)},
    {2, 'O', INT64_C(5705945999), INT64_C(-3600), 0, INT64_C(0)},
    {2, 'O', INT64_C(5705946000), INT64_C(-7200), 0, INT64_C(0)},
    {2, 'L', INT64_C(5705938799), INT64_C(5705942399), 0, INT64_C(0)},
    {2, 'L', INT64_C(5705940600), INT64_C(5705944200), 2, INT64_C(5705947800)},
    {2, 'L', INT64_C(5705942400), INT64_C(5705949600), 0, INT64_C(0)},
    {3, 'O', INT64_C(1767225600), INT64_C(7200), 0, INT64_C(0)},
    {3, 'O', INT64_C(1774569599), INT64_C(7200), 0, INT64_C(0)},
    {3, 'O', INT64_C(1774569600), INT64_C(10800), 0, INT64_C(0)},
    {3, 'L', INT64_C(1774576799), INT64_C(1774569599), 0, INT64_C(0)},
    {3, 'L', INT64_C(1774578600), INT64_C(1774567800), 1, INT64_C(0)},
    {3, 'L', INT64_C(1774580400), INT64_C(1774569600), 0, INT64_C(0)},
    {3, 'O', INT64_C(1792882799), INT64_C(10800), 0, INT64_C(0)},
    {3, 'O', INT64_C(1792882800), INT64_C(7200), 0, INT64_C(0)},
    {3, 'L', INT64_C(1792889999), INT64_C(1792879199), 0, INT64_C(0)},
    {3, 'L', INT64_C(1792891800), INT64_C(1792881000), 2, INT64_C(1792884600)},
    {3, 'L', INT64_C(1792893600), INT64_C(1792886400), 0, INT64_C(0)},
    {3, 'O', INT64_C(5680281600), INT64_C(7200), 0, INT64_C(0)},
    {3, 'O', INT64_C(5687625599), INT64_C(7200), 0, INT64_C(0)},
    {3, 'O', INT64_C(5687625600), INT64_C(10800), 0, INT64_C(0)},
    {3, 'L', INT64_C(5687632799), INT64_C(5687625599), 0, INT64_C(0)},
    {3, 'L', INT64_C(5687634600), INT64_C(5687623800), 1, INT64_C(0)},
    {3, 'L', INT64_C(5687636400), INT64_C(5687625600), 0, INT64_C(0)},
    {3, 'O', INT64_C(5705938799), INT64_C(10800), 0, INT64_C(0)},
    {3, 'O', INT64_C(5705938800), INT64_C(7200), 0, INT64_C(0)},
    {3, 'L', INT64_C(5705945999), INT64_C(5705935199), 0, INT64_C(0)},
    {3, 'L', INT64_C(5705947800), INT64_C(5705937000), 2, INT64_C(5705940600)},
    {3, 'L', INT64_C(5705949600), INT64_C(5705942400), 0, INT64_C(0)},
    {4, 'O', INT64_C(1767225600), INT64_C(-10800), 0, INT64_C(0)},
    {4, 'O', INT64_C(1772341199), INT64_C(-10800), 0, INT64_C(0)},
    {4, 'O', INT64_C(1772341200), INT64_C(-7200), 0, INT64_C(0)},
    {4, 'L', INT64_C(1772330399), INT64_C(1772341199), 0, INT64_C(0)},
    {4, 'L', INT64_C(1772332200), INT64_C(1772339400), 1, INT64_C(0)},
    {4, 'L', INT64_C(1772334000), INT64_C(1772341200), 0, INT64_C(0)},
    {4, 'O', INT64_C(1793158199), INT64_C(-7200), 0, INT64_C(0)},
    {4, 'O', INT64_C(1793158200), INT64_C(-7200), 0, INT64_C(0)},
    {4, 'L', INT64_C(1793147399), INT64_C(1793154599), 0, INT64_C(0)},
    {4, 'L', INT64_C(1793149200), INT64_C(1793156400), 0, INT64_C(0)},
    {4, 'L', INT64_C(1793151000), INT64_C(1793158200), 0, INT64_C(0)},
    {4, 'O', INT64_C(5680281600), INT64_C(-10800), 0, INT64_C(0)},
    {4, 'O', INT64_C(5685397199), INT64_C(-10800), 0, INT64_C(0)},
    {4, 'O', INT64_C(5685397200), INT64_C(-7200), 0, INT64_C(0)},
    {4, 'L', INT64_C(5685386399), INT64_C(5685397199), 0, INT64_C(0)},
    {4, 'L', INT64_C(5685388200), INT64_C(5685395400), 1, INT64_C(0)},
    {4, 'L', INT64_C(5685390000), INT64_C(5685397200), 0, INT64_C(0)},
    {4, 'O', INT64_C(5706214199), INT64_C(-7200), 0, INT64_C(0)},
    {4, 'O', INT64_C(5706214200), INT64_C(-7200), 0, INT64_C(0)},
    {4, 'L', INT64_C(5706203399), INT64_C(5706210599), 0, INT64_C(0)},
    {4, 'L', INT64_C(5706205200), INT64_C(5706212400), 0, INT64_C(0)},
    {4, 'L', INT64_C(5706207000), INT64_C(5706214200), 0, INT64_C(0)},
    {5, 'O', INT64_C(1767225600), INT64_C(39600), 0, INT64_C(0)},
    {5, 'O', INT64_C(1775318399), INT64_C(39600), 0, INT64_C(0)},
    {5, 'O', INT64_C(1775318400), INT64_C(36000), 0, INT64_C(0)},
    {5, 'L', INT64_C(1775354399), INT64_C(1775314799), 0, INT64_C(0)},
    {5, 'L', INT64_C(1775356200), INT64_C(1775316600), 2, INT64_C(1775320200)},
    {5, 'L', INT64_C(1775358000), INT64_C(1775322000), 0, INT64_C(0)},
    {5, 'O', INT64_C(1791043199), INT64_C(36000), 0, INT64_C(0)},
    {5, 'O', INT64_C(1791043200), INT64_C(39600), 0, INT64_C(0)},
    {5, 'L', INT64_C(1791079199), INT64_C(1791043199), 0, INT64_C(0)},
    {5, 'L', INT64_C(1791081000), INT64_C(1791041400), 1, INT64_C(0)},
    {5, 'L', INT64_C(1791082800), INT64_C(1791043200), 0, INT64_C(0)},
    {5, 'O', INT64_C(5680281600), INT64_C(39600), 0, INT64_C(0)},
    {5, 'O', INT64_C(5688374399), INT64_C(39600), 0, INT64_C(0)},
    {5, 'O', INT64_C(5688374400), INT64_C(36000), 0, INT64_C(0)},
    {5, 'L', INT64_C(5688410399), INT64_C(5688370799), 0, INT64_C(0)},
    {5, 'L', INT64_C(5688412200), INT64_C(5688372600), 2, INT64_C(5688376200)},
    {5, 'L', INT64_C(5688414000), INT64_C(5688378000), 0, INT64_C(0)},
    {5, 'O', INT64_C(5704099199), INT64_C(36000), 0, INT64_C(0)},
    {5, 'O', INT64_C(5704099200), INT64_C(39600), 0, INT64_C(0)},
    {5, 'L', INT64_C(5704135199), INT64_C(5704099199), 0, INT64_C(0)},
    {5, 'L', INT64_C(5704137000), INT64_C(5704097400), 1, INT64_C(0)},
    {5, 'L', INT64_C(5704138800), INT64_C(5704099200), 0, INT64_C(0)},
    {6, 'O', INT64_C(1767225600), INT64_C(0), 0, INT64_C(0)},
    {6, 'O', INT64_C(1774745999), INT64_C(0), 0, INT64_C(0)},
    {6, 'O', INT64_C(1774746000), INT64_C(3600), 0, INT64_C(0)},
    {6, 'L', INT64_C(1774745999), INT64_C(1774745999), 0, INT64_C(0)},
    {6, 'L', INT64_C(1774747800), INT64_C(1774744200), 1, INT64_C(0)},
    {6, 'L', INT64_C(1774749600), INT64_C(1774746000), 0, INT64_C(0)},
    {6, 'O', INT64_C(1792889999), INT64_C(3600), 0, INT64_C(0)},
    {6, 'O', INT64_C(1792890000), INT64_C(0), 0, INT64_C(0)},
    {6, 'L', INT64_C(1792889999), INT64_C(1792886399), 0, INT64_C(0)},
    {6, 'L', INT64_C(1792891800), INT64_C(1792888200), 2, INT64_C(1792891800)},
    {6, 'L', INT64_C(1792893600), INT64_C(1792893600), 0, INT64_C(0)},
    {6, 'O', INT64_C(5680281600), INT64_C(0), 0, INT64_C(0)},
    {6, 'O', INT64_C(5687801999), INT64_C(0), 0, INT64_C(0)},
    {6, 'O', INT64_C(5687802000), INT64_C(3600), 0, INT64_C(0)},
    {6, 'L', INT64_C(5687801999), INT64_C(5687801999), 0, INT64_C(0)},
    {6, 'L', INT64_C(5687803800), INT64_C(5687800200), 1, INT64_C(0)},
    {6, 'L', INT64_C(5687805600), INT64_C(5687802000), 0, INT64_C(0)},
    {6, 'O', INT64_C(5705945999), INT64_C(3600), 0, INT64_C(0)},
    {6, 'O', INT64_C(5705946000), INT64_C(0), 0, INT64_C(0)},
    {6, 'L', INT64_C(5705945999), INT64_C(5705942399), 0, INT64_C(0)},
    {6, 'L', INT64_C(5705947800), INT64_C(5705944200), 2, INT64_C(5705947800)},
    {6, 'L', INT64_C(5705949600), INT64_C(5705949600), 0, INT64_C(0)},
    {7, 'O', INT64_C(1767225600), INT64_C(-14400), 0, INT64_C(0)},
    {7, 'O', INT64_C(5680281600), INT64_C(-14400), 0, INT64_C(0)},
    {8, 'O', INT64_C(1767225600), INT64_C(39600), 0, INT64_C(0)},
    {8, 'O', INT64_C(1775314799), INT64_C(39600), 0, INT64_C(0)},
    {8, 'O', INT64_C(1775314800), INT64_C(37800), 0, INT64_C(0)},
    {8, 'L', INT64_C(1775352599), INT64_C(1775312999), 0, INT64_C(0)},
    {8, 'L', INT64_C(1775353500), INT64_C(1775313900), 2, INT64_C(1775315700)},
    {8, 'L', INT64_C(1775354400), INT64_C(1775316600), 0, INT64_C(0)},
    {8, 'O', INT64_C(1791041399), INT64_C(37800), 0, INT64_C(0)},
    {8, 'O', INT64_C(1791041400), INT64_C(39600), 0, INT64_C(0)},
    {8, 'L', INT64_C(1791079199), INT64_C(1791041399), 0, INT64_C(0)},
    {8, 'L', INT64_C(1791080100), INT64_C(1791040500), 1, INT64_C(0)},
    {8, 'L', INT64_C(1791081000), INT64_C(1791041400), 0, INT64_C(0)},
    {8, 'O', INT64_C(5680281600), INT64_C(39600), 0, INT64_C(0)},
    {8, 'O', INT64_C(5688370799), INT64_C(39600), 0, INT64_C(0)},
    {8, 'O', INT64_C(5688370800), INT64_C(37800), 0, INT64_C(0)},
    {8, 'L', INT64_C(5688408599), INT64_C(5688368999), 0, INT64_C(0)},
    {8, 'L', INT64_C(5688409500), INT64_C(5688369900), 2, INT64_C(5688371700)},
    {8, 'L', INT64_C(5688410400), INT64_C(5688372600), 0, INT64_C(0)},
    {8, 'O', INT64_C(5704097399), INT64_C(37800), 0, INT64_C(0)},
    {8, 'O', INT64_C(5704097400), INT64_C(39600), 0, INT64_C(0)},
    {8, 'L', INT64_C(5704135199), INT64_C(5704097399), 0, INT64_C(0)},
    {8, 'L', INT64_C(5704136100), INT64_C(5704096500), 1, INT64_C(0)},
    {8, 'L', INT64_C(5704137000), INT64_C(5704097400), 0, INT64_C(0)},
};

START_TEST(test_footer_rules)
{
    unsigned char buf[256];
    make_tzdir();
    for (size_t i = 0; i < NFOOTERS; i++)
        put_file(footer_files[i], buf, footer_only(buf, footers[i]));
    tl_tz *tz[NFOOTERS];
    for (size_t i = 0; i < NFOOTERS; i++) tz[i] = load(footer_files[i]);
    for (size_t i = 0; i < sizeof footer_cases / sizeof footer_cases[0]; i++) {
        const struct footer_case *c = &footer_cases[i];
        if (c->op == 'O') {
            ck_assert_msg(tl_tz_offset_at(tz[c->footer], c->in) == c->want,
                          "%s offset_at(%lld) = %d, want %lld", footers[c->footer],
                          (long long)c->in, tl_tz_offset_at(tz[c->footer], c->in),
                          (long long)c->want);
        } else {
            int flags = -1;
            int64_t alt = 0;
            int64_t got = tl_tz_local_to_utc(tz[c->footer], c->in, &flags, &alt);
            if (flags != TL_TZ_REPEAT) alt = 0;
            ck_assert_msg(got == c->want && flags == c->flags && alt == c->alt,
                          "%s local_to_utc(%lld) = %lld/%d/%lld, want %lld/%d/%lld",
                          footers[c->footer], (long long)c->in, (long long)got, flags,
                          (long long)alt, (long long)c->want, c->flags, (long long)c->alt);
        }
    }
    /* A footer-only Berlin agrees with the real, fat Europe/Berlin in 2026. */
    unsetenv("TZDIR");
    tl_tz *real = load("Europe/Berlin");
    for (int64_t t = 1767225600; t < 1798761600; t += 3593)
        ck_assert_int_eq(tl_tz_offset_at(tz[0], t), tl_tz_offset_at(real, t));
    tl_tz_free(real);
    for (size_t i = 0; i < NFOOTERS; i++) tl_tz_free(tz[i]);
    remove_tzdir(footer_files, NFOOTERS);
}
END_TEST

START_TEST(test_footer_default_rule)
{
    /* "EST5EDT" without dates falls back to the US rules, like tzcode. */
    unsigned char buf[256];
    static const char *const names[] = {"us"};
    make_tzdir();
    put_file("us", buf, footer_only(buf, "EST5EDT"));
    tl_tz *tz = load("us");
    unsetenv("TZDIR");
    tl_tz *ny = load("America/New_York");
    for (int64_t t = 1767225600; t < 1798761600; t += 1800)
        ck_assert_int_eq(tl_tz_offset_at(tz, t), tl_tz_offset_at(ny, t));
    tl_tz_free(ny);
    tl_tz_free(tz);
    remove_tzdir(names, 1);
}
END_TEST

START_TEST(test_v1_file)
{
    /* Version-1 file: 32-bit transitions, no footer. Two transitions: +1 h at 1000, back at
     * 5000; type 0 (+0) also applies before the first. */
    unsigned char buf[128];
    static const char *const names[] = {"v1"};
    size_t n = hdr(buf, 0, 2, 2, 4);
    n += be32(buf + n, 1000);
    n += be32(buf + n, 5000);
    buf[n++] = 1;
    buf[n++] = 0;
    n += be32(buf + n, 0);
    buf[n++] = 0;
    buf[n++] = 0;
    n += be32(buf + n, 3600);
    buf[n++] = 1;
    buf[n++] = 0;
    memcpy(buf + n, "XYZ", 4);
    n += 4;
    make_tzdir();
    put_file("v1", buf, n);
    tl_tz *tz = load("v1");
    ck_assert_int_eq(tl_tz_offset_at(tz, 999), 0);
    ck_assert_int_eq(tl_tz_offset_at(tz, 1000), 3600);
    ck_assert_int_eq(tl_tz_offset_at(tz, 4999), 3600);
    ck_assert_int_eq(tl_tz_offset_at(tz, 5000), 0);
    ck_assert_int_eq(tl_tz_offset_at(tz, INT64_C(5000000000)), 0);
    int flags = -1;
    int64_t alt = 0;
    /* gap 1000..4600: the following +1 h applies */
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1500, &flags, NULL), -2100);
    ck_assert_int_eq(flags, TL_TZ_GAP);
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 5500, &flags, &alt), 1900); /* 5000..8600 twice */
    ck_assert_int_eq(flags, TL_TZ_REPEAT);
    ck_assert_int_eq(alt, 5500);
    tl_tz_free(tz);
    remove_tzdir(names, 1);
}
END_TEST

START_TEST(test_independent_of_process_tz)
{
    /* The process TZ must not leak into conversions. */
    setenv("TZ", "Pacific/Chatham", 1);
    tzset();
    tl_tz *tz = load("Europe/Berlin");
    ck_assert_int_eq(tl_tz_local_to_utc(tz, 1782907200, NULL, NULL), 1782900000);
    tl_tz_free(tz);
    tz = load("UTC");
    ck_assert_int_eq(tl_tz_offset_at(tz, 1782907200), 0);
    tl_tz_free(tz);
}
END_TEST

/* ---------------------------------------------------------------- limits */

START_TEST(test_load_is_fast)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 20; i++) tl_tz_free(load("America/New_York"));
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / 20;
    ck_assert_msg(ms < 5.0, "tl_tz_load took %.3f ms on average", ms);
}
END_TEST

START_TEST(test_extreme_instants)
{
    /* Far outside any real data: must stay defined (UBSan) and keep the rule's offsets. */
    static const char *const zones[] = {"Europe/Berlin", "Australia/Sydney", "+05:45", "UTC"};
    static const int64_t ts[] = {INT64_MIN, INT64_MIN + 1, -INT64_C(1000000000000000),
                                 INT64_C(-62167219200), 0, INT64_C(253402300799),
                                 INT64_C(1000000000000000), INT64_MAX - 1, INT64_MAX};
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        tl_tz *tz = load(zones[z]);
        for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
            int32_t off = tl_tz_offset_at(tz, ts[i]);
            ck_assert(off > -26 * 3600 && off < 26 * 3600);
            int flags = -1;
            int64_t u = tl_tz_local_to_utc(tz, ts[i], &flags, NULL);
            ck_assert(flags >= 0 && flags <= TL_TZ_REPEAT);
            (void)u;
        }
        tl_tz_free(tz);
    }
}
END_TEST

START_TEST(test_every_prefix_of_a_zone_file)
{
    /* Truncated files are rejected as corrupt, never read out of bounds (ASan). */
    static const char *const names[] = {"cut"};
    FILE *f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
    ck_assert_ptr_nonnull(f);
    static unsigned char full[8192];
    size_t len = fread(full, 1, sizeof full, f);
    fclose(f);
    ck_assert_uint_gt(len, 100);
    make_tzdir();
    for (size_t cut = 0; cut < len; cut++) {
        put_file("cut", full, cut);
        int rc = load_rc("cut");
        /* Only dropping the footer's final newline can still be rejected, so every shorter
         * prefix must fail with TL_ECORRUPT. */
        ck_assert_int_eq(rc, TL_ECORRUPT);
    }
    put_file("cut", full, len);
    ck_assert_int_eq(load_rc("cut"), 0);
    remove_tzdir(names, 1);
}
END_TEST

/* ---------------------------------------------------------------- errors */

START_TEST(test_refused_names)
{
    static const char *const bad[] = {"",       "/etc/localtime", "../zoneinfo/UTC",
                                      "Europe/../../etc/passwd", "Europe/Ber lin",
                                      "Europe/Berlin\n", "+25:00", "+15:01", "+5", "+05:60",
                                      "+05:", "+05:4", "-0560", "+05:45x", "+", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(load_rc(bad[i]) == TL_EUSAGE, "\"%s\" was not refused", bad[i]);
}
END_TEST

START_TEST(test_missing_zones)
{
    ck_assert_int_eq(load_rc("Europe/Nowhere"), TL_ENOTFOUND);
    ck_assert_int_eq(load_rc("Europe"), TL_ENOTFOUND); /* a directory */
    ck_assert_int_eq(load_rc("Europe/Berlin/x"), TL_ENOTFOUND);
    setenv("TZDIR", "/nonexistent-tzdir", 1);
    ck_assert_int_eq(load_rc("Europe/Berlin"), TL_ENOTFOUND);
    ck_assert_int_eq(load_rc("UTC"), 0); /* built in, needs no files */
    ck_assert_int_eq(load_rc("+01:00"), 0);
    unsetenv("TZDIR");
    tl_tz_free(NULL);
    ck_assert_str_eq(tl_tz_name(NULL), "UTC");
}
END_TEST

START_TEST(test_corrupt_files)
{
    static const char *const names[] = {"magic", "types", "order", "footer", "offset"};
    unsigned char buf[256];
    make_tzdir();
    size_t n = footer_only(buf, "CET-1CEST,M3.5.0,M10.5.0/3");
    buf[1] = 'X';
    put_file("magic", buf, n);
    ck_assert_int_eq(load_rc("magic"), TL_ECORRUPT);

    n = footer_only(buf, "CET-1CEST,M3.5.0,M13.5.0/3");
    put_file("footer", buf, n);
    ck_assert_int_eq(load_rc("footer"), TL_ECORRUPT);
    static const char *const bad_footers[] = {"CET", "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,M10.6.0",
                                              "CET-1CEST,J0,J365", "CET-1CEST,M3.5.0,366",
                                              "<ABC-1", "CET-25", "CET-1CEST,M3.5.0,M10.5.0/168",
                                              "CET-1CEST,M3.5.0,M10.5.0x", "1CET"};
    for (size_t i = 0; i < sizeof bad_footers / sizeof bad_footers[0]; i++) {
        put_file("footer", buf, footer_only(buf, bad_footers[i]));
        ck_assert_msg(load_rc("footer") == TL_ECORRUPT, "footer \"%s\" accepted",
                      bad_footers[i]);
    }

    /* v1 file whose transition type index is out of range */
    n = hdr(buf, 0, 1, 1, 1);
    n += be32(buf + n, 1000);
    buf[n++] = 5;
    memset(buf + n, 0, 7);
    n += 7;
    put_file("types", buf, n);
    ck_assert_int_eq(load_rc("types"), TL_ECORRUPT);

    /* transitions not ascending */
    n = hdr(buf, 0, 2, 1, 1);
    n += be32(buf + n, 5000);
    n += be32(buf + n, 1000);
    buf[n++] = 0;
    buf[n++] = 0;
    memset(buf + n, 0, 7);
    n += 7;
    put_file("order", buf, n);
    ck_assert_int_eq(load_rc("order"), TL_ECORRUPT);

    /* an offset of 30 h is not something a zone can have */
    n = hdr(buf, 0, 0, 1, 1);
    n += be32(buf + n, 30 * 3600);
    memset(buf + n, 0, 3);
    n += 3;
    put_file("offset", buf, n);
    ck_assert_int_eq(load_rc("offset"), TL_ECORRUPT);
    remove_tzdir(names, sizeof names / sizeof names[0]);
}
END_TEST

static Suite *tz_suite(void)
{
    Suite *s = suite_create("tz");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_utc_names);
    tcase_add_test(core, test_fixed_offsets);
    tcase_add_test(core, test_berlin_2026);
    tcase_add_test(core, test_new_york_2026);
    tcase_add_test(core, test_sydney_southern);
    tcase_add_test(core, test_kathmandu);
    tcase_add_test(core, test_far_future_footer);
    tcase_add_test(core, test_history);
    tcase_add_test(core, test_footer_rules);
    tcase_add_test(core, test_footer_default_rule);
    tcase_add_test(core, test_v1_file);
    tcase_add_test(core, test_independent_of_process_tz);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("limits");
    tcase_set_timeout(limits, 60);
    tcase_add_test(limits, test_load_is_fast);
    tcase_add_test(limits, test_extreme_instants);
    tcase_add_test(limits, test_every_prefix_of_a_zone_file);
    suite_add_tcase(s, limits);

    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_refused_names);
    tcase_add_test(errors, test_missing_zones);
    tcase_add_test(errors, test_corrupt_files);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tz_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
