/* Matching one chunk of lines against a compiled pattern set: vectorscan screens the whole
 * chunk in one scan per database, C confirms IOC boundaries, PCRE2 (JIT) judges regex
 * candidates and extracts captures. One tl_matcher per thread. */
#ifndef TIMBERLINE_MATCH_H
#define TIMBERLINE_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "timberline/error.h"
#include "timberline/pattern.h"

/* A line inside a chunk: [start, start+len) excludes the `\n` and a trailing `\r`. */
typedef struct tl_line {
    uint32_t start;
    uint32_t len;
} tl_line;

/* One (line, rule) hit: the leftmost match of the rule on the line. */
typedef struct tl_hit {
    uint32_t line;  /* index into the line table passed to tl_matcher_run */
    uint32_t rule;  /* rule index in the pattern set */
    uint32_t start; /* match span, relative to the line start */
    uint32_t end;
    uint32_t caps; /* index of this hit's spans in tl_match_result.caps: 2 per capname,
                      UINT32_MAX pairs for groups that did not participate */
} tl_hit;

/* A rule that could not be decided on a line (PCRE2 match/heap limit or other error). */
typedef struct tl_match_problem {
    uint32_t line;
    uint32_t rule;
    int pcre2_rc;
} tl_match_problem;

typedef struct tl_match_result {
    tl_hit *hits; /* sorted by (line, rule) */
    size_t nhits, hits_cap;
    uint32_t *caps;
    size_t ncaps, caps_cap;
    tl_match_problem *problems;
    size_t nproblems, problems_cap;
} tl_match_result;

void tl_match_result_reset(tl_match_result *res);
void tl_match_result_free(tl_match_result *res);

typedef struct tl_matcher tl_matcher;

/* Per-thread matching state (vectorscan scratch, PCRE2 match data, JIT stack). `set` must be
 * compiled and outlive the matcher; it is only read. */
int tl_matcher_new(tl_matcher **out, const tl_pattern_set *set, tl_error *err);
void tl_matcher_free(tl_matcher *m);

/* Edge flags for tl_matcher_run when buf is a piece of a longer line. */
enum {
    TL_MATCH_NOTBOL = 1, /* the first line does not start a real line (earlier piece exists) */
    TL_MATCH_NOTEOL = 2, /* the last line does not end a real line (a later piece follows) */
};

/* Matches every line of buf (lines given in increasing order, inside [0, len)) and appends
 * the hits to res (reset it first). `edges` is 0 or TL_MATCH_* flags: with them, anchors do
 * not match at the cut and an indicator touching the cut is left to the neighbouring piece,
 * which sees it whole (pieces overlap). Not thread-safe per matcher. */
void tl_matcher_run(tl_matcher *m, const char *buf, size_t len, const tl_line *lines,
                    size_t nlines, unsigned edges, tl_match_result *res);

/* Runs every regex rule's test lines through the full engine and, separately, through PCRE2
 * alone, so a screening miss (a line PCRE2 matches but the prefilter did not propose) is a
 * failure too. Calls on_result per test line. Returns the number of failures or a negative
 * code. */
typedef void (*tl_test_cb)(void *ctx, const tl_rule *rule, const tl_rule_test *test,
                           int passed, const char *why);
int tl_match_run_tests(const tl_pattern_set *set, tl_test_cb on_result, void *ctx,
                       tl_error *err);

#endif
