/* Chunk matcher: one vectorscan scan per database over the whole chunk, then IOC boundary
 * confirmation in C and PCRE2 verdicts on candidate (line, rule) pairs only. */
#include "timberline/match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern_internal.h"
#include "timberline/buf.h"

struct cand {
    uint32_t line;
    uint32_t rule;
};

struct tl_matcher {
    const tl_pattern_set *set;
    hs_scratch_t *scratch;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    uint32_t *last_line; /* per rule: last line already proposed/confirmed (+1; 0 = none) */
    struct cand *cands;
    size_t ncands, cands_cap;
    /* per-scan state for the callbacks */
    const char *buf;
    size_t len;
    const tl_line *lines;
    size_t nlines;
    size_t cursor; /* line index hint: vectorscan reports in increasing end offset */
    unsigned edges;
    tl_match_result *res;
};

void tl_match_result_reset(tl_match_result *res)
{
    res->nhits = res->ncaps = res->nproblems = 0;
}

void tl_match_result_free(tl_match_result *res)
{
    free(res->hits);
    free(res->caps);
    free(res->problems);
    memset(res, 0, sizeof *res);
}

int tl_matcher_new(tl_matcher **out, const tl_pattern_set *set, tl_error *err)
{
    *out = NULL;
    TL_ASSERT(set->compiled);
    tl_matcher *m = tl_xcalloc(1, sizeof *m);
    m->set = set;
    if (set->scratch && hs_clone_scratch(set->scratch, &m->scratch) != HS_SUCCESS) {
        free(m);
        return tl_error_set(err, TL_ENOMEM, "cannot allocate vectorscan scratch space");
    }
    uint32_t maxcap = 0;
    for (size_t i = 0; i < set->nrules; i++) {
        uint32_t c = 0;
        if (set->codes[i] && pcre2_pattern_info(set->codes[i], PCRE2_INFO_CAPTURECOUNT, &c) == 0 &&
            c > maxcap)
            maxcap = c;
    }
    m->md = pcre2_match_data_create(maxcap + 1, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    /* A bounded JIT stack: deep recursion fails with a recorded error instead of growing. */
    m->jit = pcre2_jit_stack_create(32 * 1024, 2 * 1024 * 1024, NULL);
    if (!m->md || !m->mctx || !m->jit) tl_panic(__FILE__, __LINE__, "pcre2 allocation");
    pcre2_set_match_limit(m->mctx, TL_MATCH_LIMIT);
    pcre2_set_heap_limit(m->mctx, TL_HEAP_LIMIT_KIB);
    pcre2_jit_stack_assign(m->mctx, NULL, m->jit);
    m->last_line = tl_xcalloc(set->nrules ? set->nrules : 1, sizeof *m->last_line);
    *out = m;
    return TL_OK;
}

void tl_matcher_free(tl_matcher *m)
{
    if (!m) return;
    hs_free_scratch(m->scratch);
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->jit);
    free(m->last_line);
    free(m->cands);
    free(m);
}

/* Index of the line whose range [start, next start) holds byte `pos`. */
static size_t line_of(tl_matcher *m, size_t pos)
{
    const tl_line *L = m->lines;
    size_t n = m->nlines;
    size_t c = m->cursor;
    if (c < n && L[c].start <= pos && (c + 1 == n || L[c + 1].start > pos)) return c;
    if (c + 1 < n && L[c + 1].start <= pos && (c + 2 == n || L[c + 2].start > pos)) {
        m->cursor = c + 1;
        return c + 1;
    }
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (L[mid].start <= pos) lo = mid;
        else hi = mid;
    }
    m->cursor = lo;
    return lo;
}

static int is_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alnum(unsigned char c) { return is_word(c) && c != '_'; }
static int is_hexc(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The indicator boundary rule: no [A-Za-z0-9_] touching either side, plus per-type checks
 * that keep an IOC from hitting inside a longer value of its own kind (1.2.3.4 in 1.2.3.45
 * or 1.2.3.4.5; evil.example in my-evil.example or evil.example.com). */
static int boundary_ok(const tl_rule *r, const unsigned char *ls, size_t llen, size_t s, size_t e)
{
    int has_b = s > 0, has_a = e < llen;
    unsigned char b = has_b ? ls[s - 1] : 0, a = has_a ? ls[e] : 0;
    if ((has_b && is_word(b)) || (has_a && is_word(a))) return 0;
    switch (r->ioc_type) {
    case TL_IOC_IPV4:
        if (has_b && b == '.' && s >= 2 && is_digit(ls[s - 2])) return 0;
        if (has_a && a == '.' && e + 1 < llen && is_digit(ls[e + 1])) return 0;
        break;
    case TL_IOC_IPV6:
        if (has_b && b == ':' && s >= 2 && is_hexc(ls[s - 2])) return 0;
        if (has_a && a == ':' && e + 1 < llen && is_hexc(ls[e + 1])) return 0;
        break;
    case TL_IOC_DOMAIN:
        if (has_b && b == '-') return 0;
        if (has_a && a == '-') return 0;
        if (has_a && a == '.' && e + 1 < llen && is_alnum(ls[e + 1])) return 0;
        break;
    case TL_IOC_EMAIL:
        if (has_b && (b == '.' || b == '+' || b == '-')) return 0;
        if (has_a && (a == '-' || (a == '.' && e + 1 < llen && is_alnum(ls[e + 1])))) return 0;
        break;
    default:
        break;
    }
    return 1;
}

static void push_hit(tl_match_result *res, uint32_t line, uint32_t rule, uint32_t s, uint32_t e,
                     uint32_t caps)
{
    if (res->nhits == res->hits_cap) {
        res->hits_cap = res->hits_cap ? res->hits_cap * 2 : 256;
        res->hits = tl_xrealloc(res->hits, res->hits_cap * sizeof *res->hits);
    }
    res->hits[res->nhits++] = (tl_hit){line, rule, s, e, caps};
}

static void push_cand(tl_matcher *m, uint32_t line, uint32_t rule);

/* Literal database hits: an indicator (id < nrules), or a required literal of a regex rule,
 * which makes its line a candidate for PCRE2. */
static int on_lit(unsigned int id, unsigned long long from, unsigned long long to,
                  unsigned int flags, void *ctx)
{
    (void)from, (void)flags;
    tl_matcher *m = ctx;
    if (id >= m->set->nrules) {
        /* The literal lies inside any line PCRE2 could match, so its last byte names the line. */
        push_cand(m, (uint32_t)line_of(m, (size_t)to - 1), m->set->lit_rule[id - m->set->nrules]);
        return 0;
    }
    const tl_rule *r = &m->set->rules[id];
    size_t e = (size_t)to, s = e - r->literal_len;
    size_t li = line_of(m, s);
    const tl_line *L = &m->lines[li];
    if (m->last_line[id] == li + 1) return 0; /* leftmost already confirmed on this line */
    if (s < L->start || e > (size_t)L->start + L->len) return 0;
    /* At a piece cut the neighbour on the other side is unknown here; the overlapping piece
     * sees this occurrence whole and decides. */
    if ((m->edges & TL_MATCH_NOTBOL) && li == 0 && s == L->start) return 0;
    if ((m->edges & TL_MATCH_NOTEOL) && li + 1 == m->nlines && e == (size_t)L->start + L->len)
        return 0;
    const unsigned char *ls = (const unsigned char *)m->buf + L->start;
    if (!boundary_ok(r, ls, L->len, s - L->start, e - L->start)) return 0;
    m->last_line[id] = (uint32_t)li + 1;
    push_hit(m->res, (uint32_t)li, id, (uint32_t)(s - L->start), (uint32_t)(e - L->start),
             UINT32_MAX);
    return 0;
}

static void push_cand(tl_matcher *m, uint32_t line, uint32_t rule)
{
    if (m->last_line[rule] == line + 1) return;
    m->last_line[rule] = line + 1;
    if (m->ncands == m->cands_cap) {
        m->cands_cap = m->cands_cap ? m->cands_cap * 2 : 256;
        m->cands = tl_xrealloc(m->cands, m->cands_cap * sizeof *m->cands);
    }
    m->cands[m->ncands++] = (struct cand){line, rule};
}

static int on_re(unsigned int id, unsigned long long from, unsigned long long to,
                 unsigned int flags, void *ctx)
{
    (void)from, (void)flags;
    tl_matcher *m = ctx;
    size_t e = (size_t)to;
    /* The match's last byte decides the line; an empty match at a line start is that line's. */
    size_t li = line_of(m, e > 0 ? e - 1 : 0);
    push_cand(m, (uint32_t)li, id);
    if (li + 1 < m->nlines && m->lines[li + 1].start == e) push_cand(m, (uint32_t)li + 1, id);
    return 0;
}

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int cmp_hit(const void *a, const void *b)
{
    const tl_hit *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Runs PCRE2 for one (line, rule); records a hit with captures or a problem. */
static void judge(tl_matcher *m, uint32_t li, uint32_t ri)
{
    const tl_pattern_set *set = m->set;
    const tl_line *L = &m->lines[li];
    uint32_t opts = 0;
    if ((m->edges & TL_MATCH_NOTBOL) && li == 0) opts |= PCRE2_NOTBOL;
    if ((m->edges & TL_MATCH_NOTEOL) && li + 1 == m->nlines) opts |= PCRE2_NOTEOL;
    int rc = pcre2_match(set->codes[ri], (PCRE2_SPTR)(m->buf + L->start), L->len, 0, opts, m->md,
                         m->mctx);
    if (rc == PCRE2_ERROR_NOMATCH) return;
    tl_match_result *res = m->res;
    if (rc < 0) {
        if (res->nproblems == res->problems_cap) {
            res->problems_cap = res->problems_cap ? res->problems_cap * 2 : 16;
            res->problems = tl_xrealloc(res->problems, res->problems_cap * sizeof *res->problems);
        }
        res->problems[res->nproblems++] = (tl_match_problem){li, ri, rc};
        return;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    uint32_t ovn = pcre2_get_ovector_count(m->md);
    const tl_rule *r = &set->rules[ri];
    uint32_t caps = UINT32_MAX;
    if (r->ncapnames) {
        if (res->ncaps + 2 * r->ncapnames > res->caps_cap) {
            while (res->ncaps + 2 * r->ncapnames > res->caps_cap)
                res->caps_cap = res->caps_cap ? res->caps_cap * 2 : 256;
            res->caps = tl_xrealloc(res->caps, res->caps_cap * sizeof *res->caps);
        }
        caps = (uint32_t)res->ncaps;
        for (size_t k = 0; k < r->ncapnames; k++) {
            uint32_t g = set->capgroups[ri][k];
            uint32_t s = UINT32_MAX, e = UINT32_MAX;
            if (g < ovn && (int)g < rc && ov[2 * g] != PCRE2_UNSET) {
                s = (uint32_t)ov[2 * g];
                e = (uint32_t)ov[2 * g + 1];
            }
            res->caps[res->ncaps++] = s;
            res->caps[res->ncaps++] = e;
        }
    }
    /* \K can put the start after the end; report an empty span at the end then. */
    uint32_t s0 = (uint32_t)ov[0], e0 = (uint32_t)ov[1];
    if (s0 > e0) s0 = e0;
    push_hit(res, li, ri, s0, e0, caps);
}

void tl_matcher_run(tl_matcher *m, const char *buf, size_t len, const tl_line *lines,
                    size_t nlines, unsigned edges, tl_match_result *res)
{
    const tl_pattern_set *set = m->set;
    if (!nlines) return;
    m->edges = edges;
    m->buf = buf;
    m->len = len;
    m->lines = lines;
    m->nlines = nlines;
    m->res = res;
    size_t first_hit = res->nhits;

    m->ncands = 0;
    if (set->lit_db) {
        memset(m->last_line, 0, set->nrules * sizeof *m->last_line);
        m->cursor = 0;
        hs_error_t rc = hs_scan(set->lit_db, buf, (unsigned)len, 0, m->scratch, on_lit, m);
        if (rc != HS_SUCCESS) tl_panic(__FILE__, __LINE__, "hs_scan (literals)");
    }
    /* Literal candidates are unique already: each scan reports in increasing end offset, so
     * lines only grow and last_line drops repeats. */
    size_t nlit = m->ncands;
    if (set->re_db) {
        /* Rules here are not literal-screened, so their (line, rule) pairs are new too, apart
         * from the next-line duplicates on_re can make; sort and skip those. */
        memset(m->last_line, 0, set->nrules * sizeof *m->last_line);
        m->cursor = 0;
        hs_error_t rc = hs_scan(set->re_db, buf, (unsigned)len, 0, m->scratch, on_re, m);
        if (rc != HS_SUCCESS) tl_panic(__FILE__, __LINE__, "hs_scan (regex screen)");
        if (m->ncands > nlit)
            qsort(m->cands + nlit, m->ncands - nlit, sizeof *m->cands, cmp_cand);
    }
    for (size_t i = 0; i < m->ncands; i++) {
        if (i > nlit && m->cands[i].line == m->cands[i - 1].line &&
            m->cands[i].rule == m->cands[i - 1].rule)
            continue;
        judge(m, m->cands[i].line, m->cands[i].rule);
    }
    for (size_t k = 0; k < set->nunfiltered; k++) {
        const tl_run_gate *g = set->ugate[k];
        for (size_t li = 0; li < nlines; li++) {
            const tl_line *L = &m->lines[li];
            if (g && !tl_run_present(g, (const unsigned char *)buf + L->start, L->len)) continue;
            judge(m, (uint32_t)li, (uint32_t)set->unfiltered[k]);
        }
    }

    if (res->nhits > first_hit)
        qsort(res->hits + first_hit, res->nhits - first_hit, sizeof *res->hits, cmp_hit);
}

int tl_match_run_tests(const tl_pattern_set *set, tl_test_cb on_result, void *ctx, tl_error *err)
{
    tl_matcher *m = NULL;
    int rc = tl_matcher_new(&m, set, err);
    if (rc) return rc;
    int failures = 0;
    tl_match_result res = {0};
    for (size_t ri = 0; ri < set->nrules; ri++) {
        const tl_rule *r = &set->rules[ri];
        if (r->kind != TL_RULE_REGEX || !set->codes[ri]) continue;
        for (size_t t = 0; t < r->ntests; t++) {
            const tl_rule_test *test = &r->tests[t];
            size_t n = strlen(test->line);
            tl_line line = {0, (uint32_t)n};
            tl_match_result_reset(&res);
            tl_matcher_run(m, test->line, n, &line, 1, 0, &res);
            int engine = 0, limit = 0;
            for (size_t h = 0; h < res.nhits; h++)
                if (res.hits[h].rule == ri) engine = 1;
            /* Again in the middle of a chunk, as a scan sees it: anchors and the screen must
             * give the same verdict there. */
            tl_buf chunk = TL_BUF_INIT;
            tl_buf_puts(&chunk, "#\n");
            tl_buf_append(&chunk, test->line, n);
            tl_buf_puts(&chunk, "\n#\n");
            tl_line three[3] = {{0, 1}, {2, (uint32_t)n}, {(uint32_t)n + 3, 1}};
            tl_match_result_reset(&res);
            tl_matcher_run(m, chunk.data, chunk.len, three, 3, 0, &res);
            int in_chunk = 0;
            for (size_t h = 0; h < res.nhits; h++)
                if (res.hits[h].rule == ri && res.hits[h].line == 1) in_chunk = 1;
            tl_buf_free(&chunk);
            for (size_t p = 0; p < res.nproblems; p++)
                if (res.problems[p].rule == ri) limit = res.problems[p].pcre2_rc;
            int direct = pcre2_match(set->codes[ri], (PCRE2_SPTR)test->line, n, 0, 0, m->md, m->mctx);
            char why[256] = "";
            if (limit) {
                PCRE2_UCHAR msg[128];
                pcre2_get_error_message(limit, msg, sizeof msg);
                snprintf(why, sizeof why, "PCRE2 gave up: %s", (char *)msg);
            } else if (direct >= 0 && !engine) {
                snprintf(why, sizeof why, "PCRE2 matches but the vectorscan screen missed it");
            } else if (engine != in_chunk) {
                snprintf(why, sizeof why,
                         "verdict differs inside a multi-line chunk (buffer anchors like \\A, \\z?)");
            } else if (test->expect_match && !engine) {
                snprintf(why, sizeof why, "expected a match, got none");
            } else if (!test->expect_match && engine) {
                snprintf(why, sizeof why, "expected no match, but it matched");
            }
            int passed = why[0] == '\0';
            if (!passed) failures++;
            on_result(ctx, r, test, passed, why);
        }
    }
    tl_match_result_free(&res);
    tl_matcher_free(m);
    return failures;
}
