/* Unit tests for the timestamp module: line formats, offsets, zone-less stamps, JSON keys,
 * year inference, formatting. Expected values were computed with Python and `date -u`. */
#include <check.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timberline/timestamp.h"

static tl_tz *utc, *berlin, *new_york, *tokyo;

static tl_tz *load(const char *spec)
{
    tl_tz *tz = NULL;
    tl_error err = {0};
    int rc = tl_tz_load(&tz, spec, &err);
    ck_assert_msg(rc == 0, "load %s: %s", spec, err.msg);
    return tz;
}

static void setup(void)
{
    utc = load("UTC");
    berlin = load("Europe/Berlin");
    new_york = load("America/New_York");
    tokyo = load("Asia/Tokyo");
}

static void teardown(void)
{
    tl_tz_free(utc);
    tl_tz_free(berlin);
    tl_tz_free(new_york);
    tl_tz_free(tokyo);
}

/* Parses a C string through an exactly-sized heap copy, so ASan sees any read past len. */
static tl_ts_kind parse(const char *s, const tl_tz *zone, tl_ts *out)
{
    size_t len = strlen(s);
    char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, s, len);
    tl_ts_kind k = tl_ts_parse_line(copy, len, zone, out);
    free(copy);
    return k;
}

#define ASSERT_ABS(line, zone, want_us)                                                    \
    do {                                                                                   \
        tl_ts ts_;                                                                         \
        ck_assert_msg(parse(line, zone, &ts_) == TL_TS_ABSOLUTE, "not absolute: %s", line); \
        ck_assert_msg(ts_.us == (want_us), "%s: got %lld want %lld", line,                \
                      (long long)ts_.us, (long long)(want_us));                            \
    } while (0)

#define ASSERT_NONE(line)                                                                  \
    do {                                                                                   \
        tl_ts ts_;                                                                         \
        ck_assert_msg(parse(line, berlin, &ts_) == TL_TS_NONE, "accepted: %s", line);      \
        ck_assert_int_eq(ts_.kind, TL_TS_NONE);                                            \
    } while (0)

/* ------------------------------------------------------------------ core */

START_TEST(test_iso_offsets)
{
    /* 2026-01-03T12:00:01Z = 1767441601 */
    ASSERT_ABS("2026-01-03T12:00:01.250Z msg", utc, INT64_C(1767441601250000));
    ASSERT_ABS("2026-01-03T12:00:01.250z", berlin, INT64_C(1767441601250000));
    ASSERT_ABS("2026-01-03 12:00:01Z", berlin, INT64_C(1767441601000000));
    ASSERT_ABS("2026-01-03t12:00:01Z", berlin, INT64_C(1767441601000000));
    ASSERT_ABS("2026-01-03T12:00:01,123456789+05:45 x", utc, INT64_C(1767420901123456));
    ASSERT_ABS("2026-01-03T12:00:01-03:30", utc, INT64_C(1767454201000000));
    ASSERT_ABS("2026-01-03 12:00:01+0100 x", utc, INT64_C(1767438001000000));
    ASSERT_ABS("2026-01-03T12:00:01+01 x", utc, INT64_C(1767438001000000));
    ASSERT_ABS("2026-01-03T12:00:01.5+01:00", new_york, INT64_C(1767438001500000));
    ASSERT_ABS("2026-01-03T12:00:01-00:00", berlin, INT64_C(1767441601000000));
}
END_TEST

START_TEST(test_fraction_truncated)
{
    ASSERT_ABS("2026-01-03T12:00:01.9999999Z", utc, INT64_C(1767441601999999));
    ASSERT_ABS("2026-01-03T12:00:01.999999999Z", utc, INT64_C(1767441601999999));
    ASSERT_ABS("2026-01-03T12:00:01.5Z", utc, INT64_C(1767441601500000));
    ASSERT_ABS("2026-01-03T12:00:01.000001Z", utc, INT64_C(1767441601000001));
    ASSERT_ABS("2026-01-03T12:00:01.0000009Z", utc, INT64_C(1767441601000000));
    /* a dot not followed by a digit is just the end of the stamp */
    ASSERT_ABS("2026-01-03 12:00:01. next", utc, INT64_C(1767441601000000));
}
END_TEST

START_TEST(test_zoneless_local)
{
    tl_ts ts;
    ASSERT_ABS("2026-01-03 12:00:01 msg", utc, INT64_C(1767441601000000));
    ASSERT_ABS("2026-01-03 12:00:01 msg", berlin, INT64_C(1767438001000000));
    ASSERT_ABS("2026-01-03 12:00:01.5", new_york, INT64_C(1767459601500000));
    ASSERT_ABS("2026-07-01T12:00:00", berlin, INT64_C(1782900000000000));
    /* spring-forward gap: the pre-transition offset (CET) applies */
    ck_assert_int_eq(parse("2026-03-29 02:30:00 x", berlin, &ts), TL_TS_ABSOLUTE);
    ck_assert_int_eq(ts.us, INT64_C(1774747800000000));
    ck_assert_int_eq(ts.flags, TL_TZ_GAP);
    /* autumn repeat: the first occurrence (CEST) */
    ck_assert_int_eq(parse("2026-10-25 02:30:00.75 x", berlin, &ts), TL_TS_ABSOLUTE);
    ck_assert_int_eq(ts.us, INT64_C(1792888200750000));
    ck_assert_int_eq(ts.flags, TL_TZ_REPEAT);
    ck_assert_int_eq(parse("2026-11-01 01:30:00", new_york, &ts), TL_TS_ABSOLUTE);
    ck_assert_int_eq(ts.us, INT64_C(1793511000000000));
    ck_assert_int_eq(ts.flags, TL_TZ_REPEAT);
    /* an explicit offset is never flagged */
    ck_assert_int_eq(parse("2026-10-25 02:30:00+02:00", berlin, &ts), TL_TS_ABSOLUTE);
    ck_assert_int_eq(ts.flags, 0);
}
END_TEST

START_TEST(test_prefixes)
{
    tl_ts ts;
    ASSERT_ABS("<34>1 2026-01-03T12:00:01.003Z host app - - - msg", berlin,
               INT64_C(1767441601003000));
    ASSERT_ABS("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog", utc,
               INT64_C(1065910455003000));
    ASSERT_ABS("<13>2026-01-03T12:00:01Z x", berlin, INT64_C(1767441601000000));
    ASSERT_ABS("[2026-01-03 12:00:01.5] GET /", utc, INT64_C(1767441601500000));
    ASSERT_ABS("[2026-01-03 12:00:01.5] GET /", berlin, INT64_C(1767438001500000));
    ASSERT_ABS("  \t2026-01-03T12:00:01Z", berlin, INT64_C(1767441601000000));
    ASSERT_ABS("\xEF\xBB\xBF"
               "2026-01-03T12:00:01Z",
               berlin, INT64_C(1767441601000000));
    ck_assert_int_eq(parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed", utc, &ts),
                     TL_TS_YEARLESS);
    ck_assert_int_eq(ts.month, 10);
    ck_assert_int_eq(ts.day, 11);
    ck_assert_int_eq(ts.usec_of_day, INT64_C(80055000000));
}
END_TEST

START_TEST(test_syslog_yearless)
{
    tl_ts ts;
    ck_assert_int_eq(parse("Jan  3 12:00:01 host sshd[1]: ok", berlin, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(ts.month, 1);
    ck_assert_int_eq(ts.day, 3);
    ck_assert_int_eq(ts.usec_of_day, INT64_C(43201000000));
    ck_assert_int_eq(tl_ts_yearless_to_utc(&ts, 2026, berlin, NULL), INT64_C(1767438001000000));
    ck_assert_int_eq(tl_ts_yearless_to_utc(&ts, 2026, utc, NULL), INT64_C(1767441601000000));
    ck_assert_int_eq(parse("Jan 03 12:00:01.250 host", utc, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(ts.day, 3);
    ck_assert_int_eq(ts.usec_of_day, INT64_C(43201250000));
    ck_assert_int_eq(parse("Dec 31 23:59:59", utc, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(ts.month, 12);
    ck_assert_int_eq(ts.day, 31);
    ck_assert_int_eq(parse("Feb 29 00:00:00 x", utc, &ts), TL_TS_YEARLESS); /* leap years */
    ck_assert_int_eq(parse("Oct 1 22:14:15 x", utc, &ts), TL_TS_YEARLESS); /* unpadded */
    ck_assert_int_eq(ts.day, 1);
    int flags = -1;
    ck_assert_int_eq(parse("Mar 29 02:30:00 x", berlin, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(tl_ts_yearless_to_utc(&ts, 2026, berlin, &flags),
                     INT64_C(1774747800000000));
    ck_assert_int_eq(flags, TL_TZ_GAP);
}
END_TEST

START_TEST(test_json)
{
    tl_ts ts;
    ASSERT_ABS("{\"@timestamp\":\"2026-01-03T12:00:01.250Z\",\"msg\":\"x\"}", berlin,
               INT64_C(1767441601250000));
    /* preference @timestamp > timestamp > time, wherever they appear */
    ASSERT_ABS("{\"time\":\"1999-01-01T00:00:00Z\",\"timestamp\":\"2000-01-01T00:00:00Z\","
               "\"@timestamp\":\"2026-01-03T12:00:01.250Z\"}",
               utc, INT64_C(1767441601250000));
    ASSERT_ABS("{\"time\":\"1999-01-01T00:00:00Z\",\"timestamp\": \"2026-01-03T12:00:01Z\"}",
               utc, INT64_C(1767441601000000));
    /* keys that merely contain the names do not count */
    ASSERT_ABS("{\"timestamp_desc\":\"1999-01-01T00:00:00Z\",\"datetime\":\"1999-01-01T00:00:00Z\","
               "\"time\":\"2026-01-03T12:00:01Z\"}",
               utc, INT64_C(1767441601000000));
    /* nested keys and string contents are skipped */
    ASSERT_ABS("{\"a\":{\"@timestamp\":\"1999-01-01T00:00:00Z\"},\"b\":[{\"time\":1}],"
               "\"msg\":\"said \\\"time\\\": 5\",\"time\" : 1767441601}",
               utc, INT64_C(1767441601000000));
    /* zone-less string value: local to the zone */
    ASSERT_ABS("  {\"time\":\"2026-01-03 12:00:01\"}", berlin, INT64_C(1767438001000000));
    /* epoch numbers: unit by magnitude */
    ASSERT_ABS("{\"time\":1767441601}", utc, INT64_C(1767441601000000));
    ASSERT_ABS("{\"time\":1767441601.25}", utc, INT64_C(1767441601250000));
    ASSERT_ABS("{\"time\":1767441601.1234567}", utc, INT64_C(1767441601123456));
    ASSERT_ABS("{\"time\":1767441601250}", utc, INT64_C(1767441601250000));
    ASSERT_ABS("{\"time\":1767441601250.5}", utc, INT64_C(1767441601250500));
    ASSERT_ABS("{\"timestamp\":1767441601250123}", utc, INT64_C(1767441601250123));
    ASSERT_ABS("{\"timestamp\":1767441601250123456}", utc, INT64_C(1767441601250123));
    ASSERT_ABS("{\"time\":-1.5}", utc, INT64_C(-1500000));
    ASSERT_ABS("{\"time\":0}", utc, 0);
    ck_assert_int_eq(parse("{\"time\":1767441601}", utc, &ts), TL_TS_ABSOLUTE);
    ck_assert_int_eq(ts.flags, 0);
}
END_TEST

START_TEST(test_format)
{
    char buf[40];
    ck_assert_uint_eq(tl_ts_format_utc(INT64_C(1767441601250000), buf, sizeof buf), 32);
    ck_assert_str_eq(buf, "2026-01-03T12:00:01.250000+00:00");
    tl_ts_format_utc(0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1970-01-01T00:00:00.000000+00:00");
    tl_ts_format_utc(-1, buf, sizeof buf);
    ck_assert_str_eq(buf, "1969-12-31T23:59:59.999999+00:00");
    tl_ts_format_utc(INT64_C(-500000), buf, sizeof buf);
    ck_assert_str_eq(buf, "1969-12-31T23:59:59.500000+00:00");
    tl_ts_format_utc(INT64_C(951782400000000), buf, sizeof buf);
    ck_assert_str_eq(buf, "2000-02-29T00:00:00.000000+00:00");
    tl_ts_format_utc(INT64_C(-62135596800000000), buf, sizeof buf);
    ck_assert_str_eq(buf, "0001-01-01T00:00:00.000000+00:00");
    tl_ts_format_utc(INT64_C(253402300799999999), buf, sizeof buf);
    ck_assert_str_eq(buf, "9999-12-31T23:59:59.999999+00:00");
}
END_TEST

START_TEST(test_round_trip)
{
    /* parse(format(x)) == x over a wide range, in steps that hit odd fractions */
    char buf[33];
    tl_ts ts;
    for (int64_t us = INT64_C(-62000000000000000); us < INT64_C(253000000000000000);
         us += INT64_C(99999999999937)) {
        ck_assert_uint_eq(tl_ts_format_utc(us, buf, sizeof buf), 32);
        ck_assert_int_eq(tl_ts_parse_line(buf, 32, berlin, &ts), TL_TS_ABSOLUTE);
        ck_assert_int_eq(ts.us, us);
    }
}
END_TEST

START_TEST(test_civil)
{
    int64_t y;
    int m, d;
    ck_assert_int_eq(tl_ts_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(tl_ts_days_from_civil(2026, 1, 3), 20456);
    ck_assert_int_eq(tl_ts_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(tl_ts_days_from_civil(1, 1, 1), -719162);
    ck_assert_int_eq(tl_ts_days_from_civil(9999, 12, 31), 2932896);
    for (int64_t days = -800000; days < 3000000; days += 17) {
        tl_ts_civil_from_days(days, &y, &m, &d);
        ck_assert_int_eq(tl_ts_days_from_civil(y, m, d), days);
    }
    tl_ts_civil_from_days(-719528, &y, &m, &d);
    ck_assert_int_eq(y, 0);
    ck_assert_int_eq(m, 1);
    ck_assert_int_eq(d, 1);
}
END_TEST

START_TEST(test_rollover)
{
    tl_ts a = {.kind = TL_TS_YEARLESS, .month = 12, .day = 31};
    tl_ts b = {.kind = TL_TS_YEARLESS, .month = 1, .day = 1};
    ck_assert(tl_ts_is_year_rollover(&a, &b));
    ck_assert(!tl_ts_is_year_rollover(&b, &a));
    a.month = 7;
    ck_assert(tl_ts_is_year_rollover(&a, &b)); /* exactly 6 months */
    a.month = 6;
    ck_assert(!tl_ts_is_year_rollover(&a, &b));
    a.month = 3;
    b.month = 2; /* slightly out of order */
    ck_assert(!tl_ts_is_year_rollover(&a, &b));
    a.month = 12;
    b.month = 1;
    b.kind = TL_TS_ABSOLUTE;
    ck_assert(!tl_ts_is_year_rollover(&a, &b));
    ck_assert(!tl_ts_is_year_rollover(NULL, &a));
}
END_TEST

START_TEST(test_infer_year)
{
    tl_ts ts;
    /* Dec 31 23:59:59 written before an mtime of 2027-01-01 01:00Z: the previous year */
    ck_assert_int_eq(parse("Dec 31 23:59:59 x", utc, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1798765200), utc), 2026);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1798765200), berlin), 2026);
    /* Jan 1 00:10 vs mtime Dec 31 23:00 local: within 26 h, so the next year is allowed */
    ck_assert_int_eq(parse("Jan  1 00:10:00 x", utc, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1798758000), utc), 2027);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1798754400), berlin), 2027);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1798725600), tokyo), 2027);
    /* the 26 h bound is inclusive: mtime 2027-01-01 01:00Z -> limit Jan 2 03:00:00Z */
    ck_assert_int_eq(parse("Jan  2 03:00:00 x", utc, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1798765200), utc), 2027);
    ck_assert_int_eq(parse("Jan  2 03:00:01 x", utc, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1798765200), utc), 2026);
    /* Feb 29 skips non-leap years: mtime 2026-03-01 -> 2024 */
    ck_assert_int_eq(parse("Feb 29 12:00:00 x", utc, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1772323200), utc), 2024);
    ck_assert_int_eq(tl_ts_yearless_to_utc(&ts, 2024, utc, NULL), INT64_C(1709208000000000));
    /* Mar 1 with mtime 2026-02-27: last year */
    ck_assert_int_eq(parse("Mar  1 00:00:00 x", utc, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1772150400), utc), 2025);
}
END_TEST

START_TEST(test_quality_names)
{
    ck_assert_str_eq(tl_ts_quality_name(TL_TSQ_NONE), "none");
    ck_assert_str_eq(tl_ts_quality_name(TL_TSQ_PARSED), "parsed");
    ck_assert_str_eq(tl_ts_quality_name(TL_TSQ_INFERRED_YEAR), "inferred-year");
    ck_assert_str_eq(tl_ts_quality_name(TL_TSQ_INHERITED), "inherited");
    ck_assert_str_eq(tl_ts_quality_name((tl_ts_quality)42), "unknown");
}
END_TEST

/* ---------------------------------------------------------------- limits */

START_TEST(test_range_edges)
{
    tl_ts ts;
    /* leap second: kept inside its minute */
    ASSERT_ABS("2016-12-31T23:59:60Z", utc, INT64_C(1483228799999999));
    ASSERT_ABS("2016-12-31T23:59:60.5Z", utc, INT64_C(1483228799999999));
    ASSERT_ABS("2024-02-29T12:00:00Z", utc, INT64_C(1709208000000000));
    ASSERT_ABS("2000-02-29T00:00:00Z", utc, INT64_C(951782400000000));
    ASSERT_ABS("0000-01-01T00:00:00Z", utc, INT64_C(-62167219200000000));
    ASSERT_ABS("9999-12-31T23:59:59.999999Z", utc, INT64_C(253402300799999999));
    ASSERT_ABS("2026-01-03T12:00:01+15:00", utc, INT64_C(1767387601000000));
    ASSERT_ABS("2026-01-03T12:00:01-15:00", utc, INT64_C(1767495601000000));
    ASSERT_ABS("2026-01-03T23:59:59Z", utc, INT64_C(1767484799000000));
    ck_assert_int_eq(parse("Dec 31 23:59:60 x", utc, &ts), TL_TS_YEARLESS);
    ck_assert_int_eq(ts.usec_of_day, INT64_C(86399999999));
    /* offsets end at a non-digit, or at the end of the line */
    ASSERT_ABS("2026-01-03T12:00:01+01:00", utc, INT64_C(1767438001000000));
    ASSERT_ABS("2026-01-03T12:00:01+0100", utc, INT64_C(1767438001000000));
    ASSERT_ABS("2026-01-03T12:00:01", utc, INT64_C(1767441601000000));
}
END_TEST

static const char *const valid_lines[] = {
    "2026-01-03T12:00:01.123456789+05:45 message",
    "2026-01-03 12:00:01,5-0330",
    "<34>1 2026-01-03T12:00:01.003Z host app - - - msg",
    "<165>Oct 11 22:14:15.25 host su: x",
    "[2026-01-03 12:00:01] GET",
    "Jan  3 12:00:01 host",
    "{\"a\":\"b\\\"c\",\"@timestamp\":\"2026-01-03T12:00:01.250Z\"}",
    "{\"time\": 1767441601.123456}",
    "{\"timestamp\":-1767441601250123456}",
    "\xEF\xBB\xBF 2026-10-25 02:30:00",
};

START_TEST(test_every_prefix)
{
    /* Each prefix goes through an exact-size heap copy: ASan flags any read past len. */
    for (size_t i = 0; i < sizeof valid_lines / sizeof valid_lines[0]; i++) {
        size_t len = strlen(valid_lines[i]);
        for (size_t cut = 0; cut <= len; cut++) {
            char *copy = malloc(cut ? cut : 1);
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, valid_lines[i], cut);
            tl_ts ts;
            tl_ts_kind k = tl_ts_parse_line(copy, cut, berlin, &ts);
            ck_assert(k == ts.kind && k >= TL_TS_NONE && k <= TL_TS_YEARLESS);
            free(copy);
        }
        tl_ts ts;
        ck_assert_msg(parse(valid_lines[i], berlin, &ts) != TL_TS_NONE, "%s", valid_lines[i]);
    }
    tl_ts ts;
    ck_assert_int_eq(tl_ts_parse_line(NULL, 0, berlin, &ts), TL_TS_NONE);
}
END_TEST

START_TEST(test_mutation_fuzz)
{
    /* Deterministic byte mutations of the valid lines; must never crash or over-read. */
    static const char alphabet[] = "0123456789-:T .,Z+{}\"\\[]<>zJanOct@timestamp\xff";
    uint64_t state = 0x9E3779B97F4A7C15u;
    char work[128];
    for (int iter = 0; iter < 200000; iter++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        const char *src = valid_lines[(state >> 33) % (sizeof valid_lines / sizeof valid_lines[0])];
        size_t len = strlen(src);
        memcpy(work, src, len);
        int edits = 1 + (int)((state >> 20) % 4);
        for (int e = 0; e < edits; e++) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            work[(state >> 33) % len] = alphabet[(state >> 45) % (sizeof alphabet - 1)];
        }
        size_t cut = (size_t)((state >> 13) % (len + 1));
        char *copy = malloc(cut ? cut : 1);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, work, cut);
        tl_ts ts;
        if (tl_ts_parse_line(copy, cut, new_york, &ts) == TL_TS_ABSOLUTE) {
            /* any accepted stamp lies within years 0..9999 give or take a day */
            ck_assert_msg(ts.us > INT64_C(-62167305600000000) &&
                              ts.us < INT64_C(253402387200000000),
                          "%.*s -> %lld", (int)cut, copy, (long long)ts.us);
        }
        free(copy);
    }
}
END_TEST

START_TEST(test_locale_independent)
{
    /* Number and character classification must not follow the locale. */
    static const char *const locales[] = {"", "C.UTF-8", "tr_TR.UTF-8", "de_DE.UTF-8"};
    for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++) {
        if (!setlocale(LC_ALL, locales[i])) continue;
        ASSERT_ABS("2026-01-03T12:00:01,250Z", utc, INT64_C(1767441601250000));
        ASSERT_ABS("{\"time\":1767441601.25}", utc, INT64_C(1767441601250000));
        tl_ts ts;
        ck_assert_int_eq(parse("Jan  3 12:00:01", utc, &ts), TL_TS_YEARLESS);
    }
    setlocale(LC_ALL, "C");
}
END_TEST

START_TEST(test_caller_supplied_extremes)
{
    /* Garbage in caller-built stamps or mtimes must stay defined (UBSan). */
    tl_ts ts = {.kind = TL_TS_YEARLESS, .month = 99, .day = -5, .usec_of_day = INT64_MAX};
    int flags;
    (void)tl_ts_yearless_to_utc(&ts, INT32_MAX, berlin, &flags);
    (void)tl_ts_yearless_to_utc(&ts, INT32_MIN, berlin, NULL);
    (void)tl_ts_infer_last_year(&ts, INT64_MAX, berlin);
    (void)tl_ts_infer_last_year(&ts, INT64_MIN, berlin);
    char buf[33];
    ck_assert_uint_eq(tl_ts_format_utc(INT64_MIN, buf, sizeof buf), 32);
    ck_assert_str_eq(buf, "0000-01-01T00:00:00.000000+00:00");
    ck_assert_uint_eq(tl_ts_format_utc(INT64_MAX, buf, sizeof buf), 32);
    ck_assert_str_eq(buf, "9999-12-31T23:59:59.999999+00:00");
    ck_assert_uint_eq(tl_ts_format_utc(0, buf, 32), 0); /* too small: nothing written */
    ck_assert_str_eq(buf, "");
    ts.kind = TL_TS_ABSOLUTE;
    ck_assert_int_eq(tl_ts_yearless_to_utc(&ts, 2026, berlin, &flags), 0);
    ck_assert_int_eq(tl_ts_infer_last_year(&ts, INT64_C(1798765200), utc), 2027);
}
END_TEST

/* ---------------------------------------------------------------- errors */

START_TEST(test_invalid_dates)
{
    ASSERT_NONE("2026-02-30 12:00:00 x");
    ASSERT_NONE("2026-02-29 12:00:00 x");
    ASSERT_NONE("1900-02-29 12:00:00 x");
    ASSERT_NONE("2026-04-31T12:00:00Z");
    ASSERT_NONE("2026-13-01T12:00:00Z");
    ASSERT_NONE("2026-00-10T12:00:00Z");
    ASSERT_NONE("2026-01-00T12:00:00Z");
    ASSERT_NONE("2026-01-03 25:00:00 x");
    ASSERT_NONE("2026-01-03 24:00:00 x");
    ASSERT_NONE("2026-01-03 12:60:00 x");
    ASSERT_NONE("2026-01-03 12:00:61 x");
    ASSERT_NONE("Feb 30 12:00:00 x");
    ASSERT_NONE("Apr 31 12:00:00 x");
    ASSERT_NONE("Jan 32 12:00:00 x");
    ASSERT_NONE("Jan  0 12:00:00 x");
    ASSERT_NONE("Jan  3 24:00:00 x");
}
END_TEST

START_TEST(test_malformed)
{
    ASSERT_NONE("");
    ASSERT_NONE("   ");
    ASSERT_NONE("hello 2026-01-03 12:00:01");
    ASSERT_NONE("2026-01-03 12:00:011");      /* digit after the seconds */
    ASSERT_NONE("2026-01-03 12:00:01.1234567891Z"); /* more than 9 fraction digits */
    ASSERT_NONE("2026-01-03T12:00:01+01:0");
    ASSERT_NONE("2026-01-03T12:00:01+01:0x");
    ASSERT_NONE("2026-01-03T12:00:01+010");
    ASSERT_NONE("2026-01-03T12:00:01+01000");
    ASSERT_NONE("2026-01-03T12:00:01+01:60");
    ASSERT_NONE("2026-01-03T12:00:01+15:01");
    ASSERT_NONE("2026-1-03 12:00:01");
    ASSERT_NONE("2026-01-03_12:00:01");
    ASSERT_NONE("2026-01-03 12:00");
    ASSERT_NONE("12026-01-03 12:00:01");
    ASSERT_NONE("jan  3 12:00:01 x"); /* month names are case-sensitive, as in syslog */
    ASSERT_NONE("JAN  3 12:00:01 x");
    ASSERT_NONE("Jan   3 12:00:01 x");
    ASSERT_NONE("Jan  3 12:00:011 x");
    ASSERT_NONE("Jan  3 2:00:01 x");
    ASSERT_NONE("<34 2026-01-03T12:00:01Z");
    ASSERT_NONE("<1234>2026-01-03T12:00:01Z");
    ASSERT_NONE("<34>01 2026-01-03T12:00:01Z");
    ASSERT_NONE("[[2026-01-03T12:00:01Z");
}
END_TEST

START_TEST(test_json_rejects)
{
    ASSERT_NONE("{}");
    ASSERT_NONE("{\"msg\":\"2026-01-03T12:00:01Z\"}");
    ASSERT_NONE("{\"timestamp_desc\":\"2026-01-03T12:00:01Z\"}");
    ASSERT_NONE("{\"datetime\":\"2026-01-03T12:00:01Z\"}");
    ASSERT_NONE("{\"a\":{\"time\":\"2026-01-03T12:00:01Z\"}}");
    ASSERT_NONE("{\"time\":null}");
    ASSERT_NONE("{\"time\":true}");
    ASSERT_NONE("{\"time\":{\"s\":1}}");
    ASSERT_NONE("{\"time\":\"garbage\"}");
    ASSERT_NONE("{\"time\":\"2026-02-30T12:00:01Z\"}");
    ASSERT_NONE("{\"time\":\"2026-01-03T12:00:01Z");
    ASSERT_NONE("{\"time\":1.7e9}");
    ASSERT_NONE("{\"time\":1.}");
    ASSERT_NONE("{\"time\":-}");
    ASSERT_NONE("{\"time\":99999999999999999999}");
    ASSERT_NONE("{\"time\":-77674416012501234}"); /* microseconds before year 0 */
    ASSERT_NONE("{\"time\"");
    ASSERT_NONE("{\"time\":");
    ASSERT_NONE("{\"ti\\");
    ASSERT_NONE("{\"time\" 1767441601}");
    ASSERT_NONE("{\"msg\":\"\\\"time\\\": 1767441601\"}");
}
END_TEST

START_TEST(test_access_log)
{
    /* 03/Jan/2026:12:34:56 -0700 = 2026-01-03T19:34:56Z = 1767468896 */
    ASSERT_ABS("203.0.113.5 - - [03/Jan/2026:12:34:56 -0700] \"GET / HTTP/1.1\" 200 5", utc,
               INT64_C(1767468896000000));
    ASSERT_ABS("2001:db8::1 - bob [03/Jan/2026:19:34:56 +0000] \"GET /x\" 404 0", berlin,
               INT64_C(1767468896000000));
    /* without an offset the stamp is local to the zone */
    ASSERT_ABS("10.0.0.1 - - [03/Jan/2026:20:34:56] \"GET /\"", berlin, INT64_C(1767468896000000));
    /* an earlier bracket that is not a stamp does not hide the real one */
    ASSERT_ABS("[web1] 10.0.0.1 - - [03/Jan/2026:19:34:56 +0000] x", utc, INT64_C(1767468896000000));
    ASSERT_NONE("10.0.0.1 - - [31/Feb/2026:12:00:00 +0000] x");
    ASSERT_NONE("10.0.0.1 - - [03/Jnu/2026:12:00:00 +0000] x");
    ASSERT_NONE("10.0.0.1 - - [03/Jan/2026:12:00:00 +9900] x");
    ASSERT_NONE("10.0.0.1 - - [03/Jan/2026:12:00");
}
END_TEST

static Suite *timestamp_suite(void)
{
    Suite *s = suite_create("timestamp");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, test_iso_offsets);
    tcase_add_test(core, test_fraction_truncated);
    tcase_add_test(core, test_zoneless_local);
    tcase_add_test(core, test_prefixes);
    tcase_add_test(core, test_syslog_yearless);
    tcase_add_test(core, test_json);
    tcase_add_test(core, test_format);
    tcase_add_test(core, test_round_trip);
    tcase_add_test(core, test_civil);
    tcase_add_test(core, test_rollover);
    tcase_add_test(core, test_infer_year);
    tcase_add_test(core, test_quality_names);
    tcase_add_test(core, test_access_log);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("limits");
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_set_timeout(limits, 120);
    tcase_add_test(limits, test_range_edges);
    tcase_add_test(limits, test_every_prefix);
    tcase_add_test(limits, test_mutation_fuzz);
    tcase_add_test(limits, test_locale_independent);
    tcase_add_test(limits, test_caller_supplied_extremes);
    suite_add_tcase(s, limits);

    TCase *errors = tcase_create("errors");
    tcase_add_checked_fixture(errors, setup, teardown);
    tcase_add_test(errors, test_invalid_dates);
    tcase_add_test(errors, test_malformed);
    tcase_add_test(errors, test_json_rejects);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(timestamp_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
