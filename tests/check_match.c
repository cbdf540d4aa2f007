/* Unit tests for the match module: IOC boundary rules per indicator type, caseless indicators,
 * leftmost hit per (line, rule), named captures, per-line anchors, unfiltered rules, PCRE2
 * limits recorded as problems, and the rule self-test runner. */
#include <check.h>

#include "testutil.h"
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../analyzer/pattern_internal.h"
#include "timberline/buf.h"
#include "timberline/match.h"
#include "timberline/pattern.h"

static char tmpdir[64];

/* Writes a pattern file into the scratch dir, loads and compiles it. Caller frees. */
static tl_pattern_set *compile_text(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
    tl_pattern_set *set = tl_pattern_set_new();
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_load(set, path, &err), 0);
    int rc = tl_pattern_set_compile(set, &err);
    for (size_t i = 0; rc && i < tl_pattern_set_ndiags(set); i++)
        fprintf(stderr, "  %s\n", tl_pattern_set_diag(set, i, NULL));
    ck_assert_msg(rc == 0, "compile %s: %s", name, err.msg);
    return set;
}

static uint32_t rule_index(const tl_pattern_set *set, const char *id)
{
    for (size_t i = 0; i < tl_pattern_set_count(set); i++)
        if (strcmp(tl_pattern_set_rule(set, i)->id, id) == 0) return (uint32_t)i;
    ck_abort_msg("no rule '%s'", id);
    return UINT32_MAX;
}

/* Splits buf at '\n' into a line table (the caller frees *lines). */
static size_t split_lines(const char *buf, size_t len, tl_line **lines)
{
    size_t n = 0, cap = 16;
    *lines = malloc(cap * sizeof **lines);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len && start == len && len > 0 && buf[len - 1] == '\n') break;
        if (i == len || buf[i] == '\n') {
            if (n == cap) *lines = realloc(*lines, (cap *= 2) * sizeof **lines);
            (*lines)[n++] = (tl_line){(uint32_t)start, (uint32_t)(i - start)};
            start = i + 1;
        }
    }
    return n;
}

/* Runs a fresh matcher over `len` bytes of buf, appending to res. Returns the line count. */
static size_t run_len(const tl_pattern_set *set, const char *buf, size_t len, tl_match_result *res)
{
    tl_matcher *m = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_matcher_new(&m, set, &err), 0);
    tl_line *lines = NULL;
    size_t n = split_lines(buf, len, &lines);
    tl_matcher_run(m, buf, len, lines, n, 0, res);
    free(lines);
    tl_matcher_free(m);
    return n;
}

static size_t run(const tl_pattern_set *set, const char *text, tl_match_result *res)
{
    return run_len(set, text, strlen(text), res);
}

static const tl_hit *find_hit(const tl_match_result *res, uint32_t line, uint32_t rule)
{
    const tl_hit *found = NULL;
    for (size_t i = 0; i < res->nhits; i++) {
        if (res->hits[i].line == line && res->hits[i].rule == rule) {
            ck_assert_msg(found == NULL, "two hits for line %u rule %u", line, rule);
            found = &res->hits[i];
        }
    }
    return found;
}

static size_t hits_of_rule(const tl_match_result *res, uint32_t rule)
{
    size_t n = 0;
    for (size_t i = 0; i < res->nhits; i++) n += res->hits[i].rule == rule;
    return n;
}

/* Hits are sorted by (line, rule) and unique per pair. */
static void check_sorted(const tl_match_result *res)
{
    for (size_t i = 1; i < res->nhits; i++) {
        const tl_hit *a = &res->hits[i - 1], *b = &res->hits[i];
        ck_assert_msg(a->line < b->line || (a->line == b->line && a->rule < b->rule),
                      "hits %zu/%zu out of order: (%u,%u) then (%u,%u)", i - 1, i, a->line,
                      a->rule, b->line, b->rule);
    }
}

/* Asserts that line `line` has (or has not, when start < 0) a hit of `rule` at [start, end). */
#define EXPECT_HIT(res, line, rule, want_s, want_e)                                             \
    do {                                                                                        \
        const tl_hit *h_ = find_hit(res, line, rule);                                           \
        if ((want_s) < 0) {                                                                     \
            ck_assert_msg(h_ == NULL, "line %d: unexpected hit [%u,%u)", line,                 \
                          h_ ? h_->start : 0, h_ ? h_->end : 0);                               \
        } else {                                                                                \
            ck_assert_msg(h_ != NULL, "line %d: no hit", line);                                 \
            ck_assert_msg(h_->start == (uint32_t)(want_s) && h_->end == (uint32_t)(want_e),    \
                          "line %d: hit [%u,%u), want [%d,%d)", line, h_->start, h_->end,       \
                          (int)(want_s), (int)(want_e));                                        \
        }                                                                                       \
    } while (0)
#define NO_HIT(res, line, rule) EXPECT_HIT(res, line, rule, -1, -1)

struct test_log {
    int calls, passed;
    char ids[8][32];
    int src_lines[8];
    int ok[8];
    char why[8][256];
};

static void on_test(void *ctx, const tl_rule *rule, const tl_rule_test *test, int passed,
                    const char *why);

/* ---- core: indicator boundaries ---- */

START_TEST(test_ipv4_boundaries)
{
    tl_pattern_set *set = compile_text("ip.ioc", "198.51.100[.]23\n");
    const char *text = "Accepted from 198.51.100.23 port 22\n"  /* 0: hit at 14 */
                       "Accepted from 198.51.100.230 port 22\n" /* 1: longer address */
                       "dst=198.51.100.23:443\n"                /* 2: port after ':' */
                       "x198.51.100.23 y\n"                     /* 3: word before */
                       "10.198.51.100.23\n"                     /* 4: more octets before */
                       "198.51.100.23.7\n"                      /* 5: more octets after */
                       "2198.51.100.23\n"                       /* 6: digit before */
                       "peer (198.51.100.23), ok\n"             /* 7 */
                       "connect to 198.51.100.23.\n"            /* 8: sentence end */
                       "198.51.100.230 then 198.51.100.23\n"    /* 9: leftmost valid one */
                       "198.51.100.23\n"                        /* 10: whole line */
                       "198.51.100.2 and 98.51.100.23\n";       /* 11: neither */
    tl_match_result res = {0};
    ck_assert_uint_eq(run(set, text, &res), 12);
    check_sorted(&res);
    EXPECT_HIT(&res, 0, 0, 14, 27);
    NO_HIT(&res, 1, 0);
    EXPECT_HIT(&res, 2, 0, 4, 17);
    NO_HIT(&res, 3, 0);
    NO_HIT(&res, 4, 0);
    NO_HIT(&res, 5, 0);
    NO_HIT(&res, 6, 0);
    EXPECT_HIT(&res, 7, 0, 6, 19);
    EXPECT_HIT(&res, 8, 0, 11, 24);
    EXPECT_HIT(&res, 9, 0, 20, 33);
    EXPECT_HIT(&res, 10, 0, 0, 13);
    NO_HIT(&res, 11, 0);
    ck_assert_uint_eq(res.nhits, 6);
    ck_assert_uint_eq(res.nproblems, 0);
    ck_assert_uint_eq(res.hits[0].caps, UINT32_MAX); /* indicators have no captures */
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_domain_boundaries)
{
    tl_pattern_set *set = compile_text("dom.ioc", "evil[.]example\n");
    const char *text = "GET http://update.evil.example/x\n"   /* 0: subdomain: hit at 18 */
                       "resolve notevil.example\n"            /* 1 */
                       "resolve evil.example.com\n"           /* 2: parent of another name */
                       "resolve my-evil.example\n"            /* 3 */
                       "Query EVIL.Example A\n"               /* 4: caseless */
                       "cdn evil.example-cdn.net\n"           /* 5 */
                       "mail to bob@evil.example\n"           /* 6: domain of an address */
                       "see evil.example.\n"                  /* 7: sentence end */
                       "evil.example_x\n"                     /* 8 */
                       "a.b.c.evil.example\n"                 /* 9: deep subdomain */
                       "evil.examples\n"                      /* 10 */
                       "notevil.example or evil.example\n";   /* 11: second occurrence */
    tl_match_result res = {0};
    ck_assert_uint_eq(run(set, text, &res), 12);
    check_sorted(&res);
    EXPECT_HIT(&res, 0, 0, 18, 30);
    NO_HIT(&res, 1, 0);
    NO_HIT(&res, 2, 0);
    NO_HIT(&res, 3, 0);
    EXPECT_HIT(&res, 4, 0, 6, 18);
    NO_HIT(&res, 5, 0);
    EXPECT_HIT(&res, 6, 0, 12, 24);
    EXPECT_HIT(&res, 7, 0, 4, 16);
    NO_HIT(&res, 8, 0);
    EXPECT_HIT(&res, 9, 0, 6, 18);
    NO_HIT(&res, 10, 0);
    EXPECT_HIT(&res, 11, 0, 19, 31);
    ck_assert_uint_eq(res.nhits, 6);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_hash_email_ipv6_url)
{
    tl_pattern_set *set = compile_text("mix.ioc",
                                       "d41d8cd98f00b204e9800998ecf8427e\n"
                                       "mallory[@]evil[.]example\n"
                                       "2001:db8::bad:1\n"
                                       "hxxps://dl[.]bad[.]example/payload\n");
    uint32_t md5 = rule_index(set, "mix:d41d8cd98f00b204e9800998ecf8427e");
    uint32_t mail = rule_index(set, "mix:mallory@evil.example");
    uint32_t v6 = rule_index(set, "mix:2001:db8::bad:1");
    uint32_t url = rule_index(set, "mix:https://dl.bad.example/payload");
    const char *text = "md5=D41D8CD98F00B204E9800998ECF8427E ok\n"                    /* 0 */
                       "sha=0d41d8cd98f00b204e9800998ecf8427e\n"                      /* 1 */
                       "From: Mallory@Evil.Example\n"                                 /* 2 */
                       "From: x.mallory@evil.example\n"                               /* 3 */
                       "From: mallory@evil.example.org\n"                             /* 4 */
                       "src [2001:DB8::BAD:1]:443\n"                                  /* 5 */
                       "src 2001:db8::bad:1:5\n"                                      /* 6 */
                       "src 2001:db8::bad:10\n"                                       /* 7 */
                       "GET https://dl.bad.example/payload HTTP/1.1\n"                /* 8 */
                       "GET HTTPS://DL.BAD.EXAMPLE/PAYLOAD\n"                         /* 9 */
                       "GET https://dl.bad.example/payloads\n";                       /* 10 */
    tl_match_result res = {0};
    run(set, text, &res);
    check_sorted(&res);
    EXPECT_HIT(&res, 0, md5, 4, 36); /* hashes are caseless */
    NO_HIT(&res, 1, md5);            /* inside a longer hex string */
    EXPECT_HIT(&res, 2, mail, 6, 26);
    NO_HIT(&res, 3, mail);
    NO_HIT(&res, 4, mail);
    EXPECT_HIT(&res, 5, v6, 5, 20);
    NO_HIT(&res, 6, v6);
    NO_HIT(&res, 7, v6);
    EXPECT_HIT(&res, 8, url, 4, 34);
    NO_HIT(&res, 9, url); /* URLs are case-sensitive */
    NO_HIT(&res, 10, url);
    ck_assert_uint_eq(res.nhits, 4);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

/* ---- core: regex rules ---- */

START_TEST(test_anchors_per_line)
{
    tl_pattern_set *set = compile_text("anchors.rules",
                                       "[rule start]\nregex = ^ERROR\\b\n"
                                       "[rule end]\nregex = done$\n"
                                       "[rule empty-line]\nregex = ^$\n"
                                       "[rule whole]\nregex = ^ok$\n");
    uint32_t rs = rule_index(set, "start"), re = rule_index(set, "end");
    uint32_t rl = rule_index(set, "empty-line"), rw = rule_index(set, "whole");
    const char *text = "ERROR one\n"           /* 0 */
                       "  ERROR two\n"         /* 1: not at the line start */
                       "job done\n"            /* 2 */
                       "done but more\n"       /* 3: not at the line end */
                       "ERRORS\n"              /* 4 */
                       "\n"                    /* 5 */
                       "ok\n"                  /* 6 */
                       "not ok\n"              /* 7 */
                       "ERROR and done";       /* 8: last line without '\n' */
    tl_match_result res = {0};
    ck_assert_uint_eq(run(set, text, &res), 9);
    check_sorted(&res);
    EXPECT_HIT(&res, 0, rs, 0, 5);
    NO_HIT(&res, 1, rs);
    NO_HIT(&res, 4, rs);
    EXPECT_HIT(&res, 8, rs, 0, 5);
    ck_assert_uint_eq(hits_of_rule(&res, rs), 2);
    EXPECT_HIT(&res, 2, re, 4, 8);
    NO_HIT(&res, 3, re);
    EXPECT_HIT(&res, 8, re, 10, 14);
    ck_assert_uint_eq(hits_of_rule(&res, re), 2);
    EXPECT_HIT(&res, 5, rl, 0, 0);
    ck_assert_uint_eq(hits_of_rule(&res, rl), 1);
    EXPECT_HIT(&res, 6, rw, 0, 2);
    ck_assert_uint_eq(hits_of_rule(&res, rw), 1);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_leftmost_per_line_rule)
{
    tl_pattern_set *set = compile_text("left.rules",
                                       "[rule id]\nregex = id=\\d+\n"
                                       "[rule word]\nregex = \\bx+\\b\n");
    tl_pattern_set *ioc = compile_text("left.ioc", "evil[.]example\n");
    const char *text = "a id=7 then id=42 and id=9\n" /* 0 */
                       "xx x xxx\n"                    /* 1 */
                       "evil.example evil.example\n";  /* 2 */
    tl_match_result res = {0};
    run(set, text, &res);
    check_sorted(&res);
    ck_assert_uint_eq(res.nhits, 2);
    EXPECT_HIT(&res, 0, 0, 2, 6);
    EXPECT_HIT(&res, 1, 1, 0, 2);
    tl_match_result_reset(&res);
    ck_assert_uint_eq(res.nhits, 0);
    run(ioc, text, &res);
    ck_assert_uint_eq(res.nhits, 1);
    EXPECT_HIT(&res, 2, 0, 0, 12);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
    tl_pattern_set_free(ioc);
}
END_TEST

START_TEST(test_named_captures)
{
    tl_pattern_set *set = compile_text(
        "caps.rules",
        "[rule login]\n"
        "regex = user=(?<user>\\w+)(?: from (?<ip>[\\d.]+))?(?<bang>!)?\n"
        "[rule plain]\nregex = user=\\w+\n");
    uint32_t rl = rule_index(set, "login"), rp = rule_index(set, "plain");
    const tl_rule *r = tl_pattern_set_rule(set, rl);
    ck_assert_uint_eq(r->ncapnames, 3);
    ck_assert_str_eq(r->capnames[0], "bang");
    ck_assert_str_eq(r->capnames[1], "ip");
    ck_assert_str_eq(r->capnames[2], "user");
    const char *text = "login user=alice from 10.0.0.5 ok\n" /* 0 */
                       "user=bob!\n"                          /* 1 */
                       "nothing here\n";                      /* 2 */
    tl_match_result res = {0};
    run(set, text, &res);
    check_sorted(&res);
    ck_assert_uint_eq(res.nhits, 4);
    ck_assert_uint_eq(res.ncaps, 2 * 2 * 3); /* 2 hits with 3 names, 2 offsets each */

    const tl_hit *h = find_hit(&res, 0, rl);
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(h->start, 6);
    ck_assert_uint_eq(h->end, 30);
    const uint32_t *c = res.caps + h->caps;
    ck_assert_uint_eq(c[0], UINT32_MAX); /* bang did not participate */
    ck_assert_uint_eq(c[1], UINT32_MAX);
    ck_assert_uint_eq(c[2], 22);         /* ip "10.0.0.5", relative to the line start */
    ck_assert_uint_eq(c[3], 30);
    ck_assert_uint_eq(c[4], 11);         /* user "alice" */
    ck_assert_uint_eq(c[5], 16);

    h = find_hit(&res, 1, rl);
    ck_assert_ptr_nonnull(h);
    c = res.caps + h->caps;
    ck_assert_uint_eq(c[0], 8); /* bang */
    ck_assert_uint_eq(c[1], 9);
    ck_assert_uint_eq(c[2], UINT32_MAX); /* no ip */
    ck_assert_uint_eq(c[3], UINT32_MAX);
    ck_assert_uint_eq(c[4], 5); /* "bob" */
    ck_assert_uint_eq(c[5], 8);
    /* A rule without names carries no captures. */
    h = find_hit(&res, 1, rp);
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(h->caps, UINT32_MAX);
    NO_HIT(&res, 2, rl);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_unfiltered_rule_matches)
{
    /* \K keeps the rule out of the vectorscan screen: it is judged on every line and must
     * give exactly the hits PCRE2 gives, with the \K-adjusted start. */
    tl_pattern_set *set = compile_text("unf.rules",
                                       "[rule keep]\nregex = \\w=\\K[a-z]+\n"
                                       "[rule other]\nregex = token\n");
    uint32_t rk = rule_index(set, "keep"), ro = rule_index(set, "other");
    ck_assert_int_eq(tl_pattern_set_rule(set, rk)->unfiltered, 1);
    const char *text = "x token=abc y\n" /* 0 */
                       "no tokens\n"     /* 1 */
                       "token=123\n"     /* 2: [a-z]+ fails */
                       "token=zz";       /* 3 */
    tl_match_result res = {0};
    run(set, text, &res);
    check_sorted(&res);
    EXPECT_HIT(&res, 0, rk, 8, 11);
    NO_HIT(&res, 1, rk);
    NO_HIT(&res, 2, rk);
    EXPECT_HIT(&res, 3, rk, 6, 8);
    ck_assert_uint_eq(hits_of_rule(&res, rk), 2);
    ck_assert_uint_eq(hits_of_rule(&res, ro), 4);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_mixed_set_and_result_reuse)
{
    char path[512];
    snprintf(path, sizeof path, "%s/mixed", tmpdir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    tl_pattern_set *a = compile_text("mixed/a.rules", "[rule fail]\nregex = Failed \\w+\n");
    tl_pattern_set_free(a);
    tl_pattern_set *b = compile_text("mixed/b.ioc", "198.51.100.23\n");
    tl_pattern_set_free(b);
    tl_pattern_set *set = tl_pattern_set_new();
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_load(set, path, &err), 0);
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
    ck_assert_uint_eq(tl_pattern_set_count(set), 2);
    uint32_t rf = rule_index(set, "fail"), ri = rule_index(set, "b:198.51.100.23");
    const char *text = "Failed password from 198.51.100.23\n"
                       "ok\n"
                       "198.51.100.23 Failed login\n";
    tl_match_result res = {0};
    run(set, text, &res);
    check_sorted(&res);
    ck_assert_uint_eq(res.nhits, 4);
    EXPECT_HIT(&res, 0, rf, 0, 15);
    EXPECT_HIT(&res, 0, ri, 21, 34);
    EXPECT_HIT(&res, 2, ri, 0, 13);
    EXPECT_HIT(&res, 2, rf, 14, 26);
    /* Without a reset, the next run appends (each run's hits sorted on their own). */
    run(set, text, &res);
    ck_assert_uint_eq(res.nhits, 8);
    ck_assert_mem_eq(res.hits, res.hits + 4, 4 * sizeof *res.hits);
    tl_match_result_reset(&res);
    ck_assert_uint_eq(res.nhits + res.ncaps + res.nproblems, 0);
    run(set, text, &res);
    ck_assert_uint_eq(res.nhits, 4);
    tl_match_result_free(&res);
    ck_assert_ptr_null(res.hits);
    tl_pattern_set_free(set);
}
END_TEST

/* ---- limits ---- */

START_TEST(test_many_lines)
{
    /* 200k lines; every 7th carries the IOC, every 11th the regex token. Vectorscan reports
     * out of line order across databases; the line lookup must still be exact. */
    tl_pattern_set *set = compile_text("many.ioc", "198.51.100.23\nevil.example\n");
    uint32_t rip = rule_index(set, "many:198.51.100.23"), rdom = rule_index(set, "many:evil.example");
    size_t n = 200000;
    char *buf = malloc(n * 48);
    ck_assert_ptr_nonnull(buf);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 7 == 0) len += (size_t)sprintf(buf + len, "%zu from 198.51.100.23\n", i);
        else if (i % 11 == 0) len += (size_t)sprintf(buf + len, "%zu q evil.example\n", i);
        else if (i % 13 == 0) len += (size_t)sprintf(buf + len, "%zu 198.51.100.230\n", i);
        else len += (size_t)sprintf(buf + len, "%zu nothing\n", i);
    }
    tl_match_result res = {0};
    ck_assert_uint_eq(run_len(set, buf, len, &res), n);
    check_sorted(&res);
    size_t want_ip = 0, want_dom = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 7 == 0) want_ip++;
        else if (i % 11 == 0) want_dom++;
    }
    ck_assert_uint_eq(hits_of_rule(&res, rip), want_ip);
    ck_assert_uint_eq(hits_of_rule(&res, rdom), want_dom);
    for (size_t k = 0; k < res.nhits; k++) {
        const tl_hit *h = &res.hits[k];
        if (h->rule == rip) ck_assert_uint_eq(h->line % 7, 0);
        else ck_assert_msg(h->line % 11 == 0 && h->line % 7 != 0, "line %u", h->line);
    }
    free(buf);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_long_line)
{
    /* A 2 MiB line with the indicator and the regex target only at its very end. */
    tl_pattern_set *set = compile_text("long.rules", "[rule tail]\nregex = TAIL-(?<n>\\d+)$\n");
    tl_pattern_set *ioc = compile_text("long.ioc", "evil[.]example\n");
    size_t pad = 2u << 20;
    char *buf = malloc(pad + 64);
    ck_assert_ptr_nonnull(buf);
    memset(buf, 'z', pad);
    buf[pad - 1] = ' ';
    size_t len = pad + (size_t)sprintf(buf + pad, "evil.example TAIL-77\nshort\n");
    tl_match_result res = {0};
    ck_assert_uint_eq(run_len(set, buf, len, &res), 2);
    ck_assert_uint_eq(res.nhits, 1);
    EXPECT_HIT(&res, 0, 0, (int)pad + 13, (int)pad + 20);
    ck_assert_uint_eq(res.caps[res.hits[0].caps], pad + 18);
    tl_match_result_reset(&res);
    run_len(ioc, buf, len, &res);
    ck_assert_uint_eq(res.nhits, 1);
    EXPECT_HIT(&res, 0, 0, (int)pad, (int)pad + 12);
    free(buf);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
    tl_pattern_set_free(ioc);
}
END_TEST

START_TEST(test_line_table_edges)
{
    tl_pattern_set *set = compile_text("edge.ioc", "198.51.100.23\n");
    tl_matcher *m = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_matcher_new(&m, set, &err), 0);
    tl_match_result res = {0};
    /* No lines: nothing, even though the buffer holds the indicator. */
    const char *buf = "AAA 198.51.100.23\nBBB 198.51.100.23\r\nCCC";
    tl_matcher_run(m, buf, strlen(buf), NULL, 0, 0, &res);
    ck_assert_uint_eq(res.nhits, 0);
    /* Bytes outside every line (here the first line is left out of the table) never hit. */
    tl_line only[] = {{18, 17}, {37, 3}}; /* "BBB ...23" without '\r', "CCC" */
    tl_matcher_run(m, buf, strlen(buf), only, 2, 0, &res);
    ck_assert_uint_eq(res.nhits, 1);
    ck_assert_uint_eq(res.hits[0].line, 0);
    ck_assert_uint_eq(res.hits[0].start, 4);
    ck_assert_uint_eq(res.hits[0].end, 17);
    /* An empty buffer with one empty line. */
    tl_match_result_reset(&res);
    tl_line empty = {0, 0};
    tl_matcher_run(m, "", 0, &empty, 1, 0, &res);
    ck_assert_uint_eq(res.nhits, 0);
    tl_match_result_free(&res);
    tl_matcher_free(m);
    tl_matcher_free(NULL);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_empty_set)
{
    tl_pattern_set *set = compile_text("none.rules", "# no rules\n");
    tl_match_result res = {0};
    run(set, "anything at all\nmore\n", &res);
    ck_assert_uint_eq(res.nhits, 0);
    ck_assert_uint_eq(res.nproblems, 0);
    struct test_log log = {0};
    tl_error err = {0};
    ck_assert_int_eq(tl_match_run_tests(set, on_test, &log, &err), 0);
    ck_assert_int_eq(log.calls, 0);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

/* ---- errors ---- */

/* Regression: the vectorscan screen scans the whole chunk in one go, where \A, \z, \Z and
 * (?-m)^ mean "start/end of the chunk", while PCRE2 judges each line as its own subject. Such
 * rules are now matched unscreened; a line they match must hit wherever it sits in a chunk. */
START_TEST(test_buffer_anchors_screen_miss)
{
    tl_pattern_set *set = compile_text("bufanchor.rules",
                                       "[rule A]\nregex = \\AERROR\n"
                                       "[rule z]\nregex = two\\z\n"
                                       "[rule Z]\nregex = two\\Z\n"
                                       "[rule nm]\nregex = (?-m)^ERROR\n");
    /* Alone, the line matches every rule: this is also what the self-test runner sees. */
    tl_match_result res = {0};
    run(set, "ERROR two", &res);
    ck_assert_uint_eq(res.nhits, 4);
    tl_match_result_reset(&res);
    /* The same line in the middle of a chunk must give the same verdicts. */
    run(set, "x\nERROR two\nlast\n", &res);
    for (uint32_t r = 0; r < 4; r++)
        ck_assert_msg(find_hit(&res, 1, r) != NULL, "rule '%s' missed line 1 inside a chunk",
                      tl_pattern_set_rule(set, r)->id);
    ck_assert_uint_eq(res.nhits, 4);
    /* Each is either screened by its required literal (anchors do not matter to a per-line
     * literal) or judged on every line; never by the chunk-wide regex screen. */
    for (uint32_t r = 0; r < 4; r++) {
        const tl_rule *rr = tl_pattern_set_rule(set, r);
        ck_assert(rr->screen == TL_SCREEN_LITERAL || rr->unfiltered);
    }
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

/* A line cut into overlapping pieces: anchors do not match at the cut, and an indicator that
 * touches the cut is left to the neighbouring piece (which sees its real neighbours). */
START_TEST(test_piece_edges)
{
    tl_pattern_set *set = compile_text("edges.rules", "[rule start]\nregex = ^abc\n"
                                                      "[rule end]\nregex = xyz$\n");
    tl_matcher *m = NULL;
    tl_error err;
    ck_assert_int_eq(tl_matcher_new(&m, set, &err), 0);
    tl_match_result res = {0};
    const char *piece = "abc middle xyz";
    tl_line one = {0, (uint32_t)strlen(piece)};
    tl_matcher_run(m, piece, strlen(piece), &one, 1, 0, &res);
    ck_assert_uint_eq(res.nhits, 2);
    tl_match_result_reset(&res);
    tl_matcher_run(m, piece, strlen(piece), &one, 1, TL_MATCH_NOTBOL | TL_MATCH_NOTEOL, &res);
    ck_assert_uint_eq(res.nhits, 0);
    tl_match_result_free(&res);
    tl_matcher_free(m);
    tl_pattern_set_free(set);
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(test_catastrophic_regex_is_a_problem)
{
    /* ^(a+)+$ backtracks exponentially on a long "aaaa...b". On its own the screen already
     * rejects that line (no candidate, no PCRE2 call); with "|b$" the line is a candidate and
     * PCRE2 must give up with a recorded problem instead of hanging. */
    tl_pattern_set *set = compile_text("evil.rules",
                                       "[rule nested]\nregex = ^(a+)+$\n"
                                       "[rule nested-alt]\nregex = ^(a+)+$|b$\n"
                                       "[rule simple]\nregex = ok\n");
    uint32_t rn = rule_index(set, "nested"), ra = rule_index(set, "nested-alt");
    uint32_t rs = rule_index(set, "simple");
    size_t na = 5000;
    char *buf = malloc(na + 64);
    ck_assert_ptr_nonnull(buf);
    size_t len = (size_t)sprintf(buf, "ok before\n");
    memset(buf + len, 'a', na);
    len += na;
    len += (size_t)sprintf(buf + len, "b\naaaa\nok after\n");
    tl_match_result res = {0};
    double t0 = now_s();
    ck_assert_uint_eq(run_len(set, buf, len, &res), 4);
    double dt = now_s() - t0;
    ck_assert_msg(dt < 20.0, "matching took %.1f s", dt);
    check_sorted(&res);
    ck_assert_uint_eq(res.nproblems, 1);
    ck_assert_uint_eq(res.problems[0].line, 1);
    ck_assert_uint_eq(res.problems[0].rule, ra);
    ck_assert_int_lt(res.problems[0].pcre2_rc, 0);
    ck_assert_int_ne(res.problems[0].pcre2_rc, -1); /* not PCRE2_ERROR_NOMATCH */
    NO_HIT(&res, 1, rn);
    NO_HIT(&res, 1, ra);
    /* The other lines are judged normally, before and after the problem. */
    EXPECT_HIT(&res, 0, rs, 0, 2);
    EXPECT_HIT(&res, 2, rn, 0, 4);
    EXPECT_HIT(&res, 2, ra, 0, 4);
    EXPECT_HIT(&res, 3, rs, 0, 2);
    ck_assert_uint_eq(res.nhits, 4);
    free(buf);
    tl_match_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

static void on_test(void *ctx, const tl_rule *rule, const tl_rule_test *test, int passed,
                    const char *why)
{
    struct test_log *log = ctx;
    ck_assert_ptr_nonnull(why);
    ck_assert_msg(passed ? why[0] == '\0' : why[0] != '\0', "passed=%d why='%s'", passed, why);
    if (log->calls < 8) {
        snprintf(log->ids[log->calls], sizeof log->ids[0], "%s", rule->id);
        log->src_lines[log->calls] = test->src_line;
        log->ok[log->calls] = passed;
        snprintf(log->why[log->calls], sizeof log->why[0], "%s", why);
    }
    log->calls++;
    log->passed += passed;
}

START_TEST(test_run_tests_reports_failures)
{
    char text[8192];
    char as[4100];
    memset(as, 'a', 4000);
    as[4000] = '\0';
    snprintf(text, sizeof text,
             "[rule t-ok]\n"                /* 1 */
             "regex = fail(ed|ure)\n"       /* 2 */
             "test.match = login failure\n" /* 3 */
             "test.nomatch = login ok\n"    /* 4 */
             "[rule t-bad]\n"               /* 5 */
             "regex = ^abc\n"               /* 6 */
             "test.match = xabc\n"          /* 7: wrong expectation */
             "test.nomatch = abc def\n"     /* 8: wrong expectation */
             "test.match = abc\n"           /* 9 */
             "[rule t-limit]\n"             /* 10 */
             "regex = ^(a+)+$|b$\n"         /* 11 */
             "test.match = %sb\n",          /* 12: PCRE2 gives up */
             as);
    tl_pattern_set *set = compile_text("selftest.rules", text);
    tl_pattern_set *ioc = compile_text("selftest.ioc", "evil.example\n");
    struct test_log log = {0};
    tl_error err = {0};
    int failures = tl_match_run_tests(set, on_test, &log, &err);
    ck_assert_int_eq(failures, 3);
    ck_assert_int_eq(log.calls, 6);
    ck_assert_int_eq(log.passed, 3);
    static const struct {
        const char *id;
        int line, ok;
        const char *why;
    } want[] = {
        {"t-ok", 3, 1, ""},
        {"t-ok", 4, 1, ""},
        {"t-bad", 7, 0, "expected a match"},
        {"t-bad", 8, 0, "expected no match"},
        {"t-bad", 9, 1, ""},
        {"t-limit", 12, 0, "PCRE2 gave up"},
    };
    for (int i = 0; i < 6; i++) {
        ck_assert_str_eq(log.ids[i], want[i].id);
        ck_assert_int_eq(log.src_lines[i], want[i].line);
        ck_assert_int_eq(log.ok[i], want[i].ok);
        ck_assert_msg(strstr(log.why[i], want[i].why) != NULL, "test %d: why '%s'", i,
                      log.why[i]);
    }
    /* Indicator lists have no self-tests. */
    struct test_log none = {0};
    ck_assert_int_eq(tl_match_run_tests(ioc, on_test, &none, &err), 0);
    ck_assert_int_eq(none.calls, 0);
    tl_pattern_set_free(set);
    tl_pattern_set_free(ioc);
}
END_TEST

/* The no-false-negative proof over the shipped packs: every test line of every shipped rule,
 * all in one multi-line chunk (CRLF and LF, with filler between), through the engine and
 * through PCRE2 alone on each line. The engine's (line, rule, span) set must equal PCRE2's:
 * a hit PCRE2 finds and the screens drop would be a silent miss. Run on a freshly compiled
 * set and again on one loaded from the database cache. */
static void check_shipped(const tl_pattern_set *set)
{
    tl_buf chunk = TL_BUF_INIT;
    size_t ntests = 0;
    for (size_t ri = 0; ri < set->nrules; ri++) {
        const tl_rule *r = &set->rules[ri];
        for (size_t t = 0; t < r->ntests; t++) {
            tl_buf_puts(&chunk, r->tests[t].line);
            tl_buf_puts(&chunk, ntests % 3 == 0 ? "\r\n" : "\n");
            if (ntests % 2) tl_buf_puts(&chunk, "Jan  3 12:00:00 host filler: nothing here\n");
            ntests++;
        }
    }
    ck_assert_uint_gt(ntests, 200);
    tl_line *lines = NULL;
    size_t n = split_lines(chunk.data, chunk.len, &lines);
    for (size_t i = 0; i < n; i++) /* drop the \r, as the chunker does */
        if (lines[i].len && chunk.data[lines[i].start + lines[i].len - 1] == '\r') lines[i].len--;
    tl_matcher *m = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_matcher_new(&m, set, &err), 0);
    tl_match_result res = {0};
    tl_matcher_run(m, chunk.data, chunk.len, lines, n, 0, &res);
    ck_assert_uint_eq(res.nproblems, 0);
    pcre2_match_data *md = pcre2_match_data_create(64, NULL);
    size_t h = 0, pcre_hits = 0;
    for (size_t li = 0; li < n; li++) {
        for (size_t ri = 0; ri < set->nrules; ri++) {
            if (!set->codes[ri]) continue;
            int rc = pcre2_match(set->codes[ri], (PCRE2_SPTR)(chunk.data + lines[li].start),
                                 lines[li].len, 0, 0, md, NULL);
            if (rc < 0) continue;
            pcre_hits++;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            const tl_hit *hit = find_hit(&res, (uint32_t)li, (uint32_t)ri);
            ck_assert_msg(hit != NULL, "rule '%s' (screen %s) missed line %zu: %.*s",
                          set->rules[ri].id, tl_screen_name(set->rules[ri].screen), li,
                          (int)lines[li].len, chunk.data + lines[li].start);
            size_t s0 = ov[0] > ov[1] ? ov[1] : ov[0];
            ck_assert_uint_eq(hit->start, s0);
            ck_assert_uint_eq(hit->end, ov[1]);
        }
    }
    size_t regex_hits = 0;
    for (; h < res.nhits; h++) {
        /* and nothing PCRE2 would not report (indicator hits are checked elsewhere) */
        const tl_hit *x = &res.hits[h];
        if (!set->codes[x->rule]) continue;
        regex_hits++;
        int rc = pcre2_match(set->codes[x->rule], (PCRE2_SPTR)(chunk.data + lines[x->line].start),
                             lines[x->line].len, 0, 0, md, NULL);
        ck_assert_int_ge(rc, 0);
    }
    ck_assert_uint_eq(regex_hits, pcre_hits);
    pcre2_match_data_free(md);
    tl_match_result_free(&res);
    tl_matcher_free(m);
    free(lines);
    tl_buf_free(&chunk);
}

static void on_quiet(void *ctx, const tl_rule *r, const tl_rule_test *t, int ok, const char *why)
{
    (void)ctx;
    if (!ok) fprintf(stderr, "  %s:%d: %s: %s\n", r->file, t->src_line, r->id, why);
}

START_TEST(test_shipped_rules_no_false_negatives)
{
    for (int pass = 0; pass < 2; pass++) {
        tl_pattern_set *set = tl_pattern_set_new();
        tl_error err = {0};
        char cache[128];
        snprintf(cache, sizeof cache, "%s/shipped-cache", tmpdir);
        tl_pattern_set_cache(set, 1, cache);
        ck_assert_int_eq(tl_pattern_set_load(set, "patterns", &err), 0);
        ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
        ck_assert_int_eq(tl_pattern_set_cache_hit(set), pass);
        size_t lit = 0;
        for (size_t i = 0; i < set->nrules; i++) lit += set->rules[i].screen == TL_SCREEN_LITERAL;
        ck_assert_uint_gt(lit, set->nrules / 2); /* the fast path is actually taken */
        check_shipped(set);
        ck_assert_int_eq(tl_match_run_tests(set, on_quiet, NULL, &err), 0);
        tl_pattern_set_free(set);
    }
}
END_TEST

static Suite *match_suite(void)
{
    Suite *s = suite_create("match");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_ipv4_boundaries);
    tcase_add_test(core, test_domain_boundaries);
    tcase_add_test(core, test_hash_email_ipv6_url);
    tcase_add_test(core, test_anchors_per_line);
    tcase_add_test(core, test_leftmost_per_line_rule);
    tcase_add_test(core, test_named_captures);
    tcase_add_test(core, test_unfiltered_rule_matches);
    tcase_add_test(core, test_mixed_set_and_result_reuse);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_many_lines);
    tcase_add_test(limits, test_long_line);
    tcase_add_test(limits, test_line_table_edges);
    tcase_add_test(limits, test_empty_set);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);

    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_catastrophic_regex_is_a_problem);
    tcase_add_test(errors, test_run_tests_reports_failures);
    tcase_add_test(errors, test_buffer_anchors_screen_miss);
    tcase_add_test(errors, test_piece_edges);
    tcase_add_test(errors, test_shipped_rules_no_false_negatives);
    tcase_set_timeout(errors, 60); /* the in-test time bound is the real check */
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    return tl_test_main(match_suite(), tmpdir, sizeof tmpdir, "match");
}
