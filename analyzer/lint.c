/* Rule lints. Each regex is compiled here again exactly as the engine does (byte mode, JIT,
 * same limits) so the measurement is of what a scan would run, without reaching into the
 * engine's internals. */
#include "timberline/lint.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timberline/buf.h"

#define LINT_MATCH_LIMIT 5000000u
#define LONG_LINE (64 * 1024)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Best of three runs: a shared CI machine must not turn a fast rule into a "slow" one. */
static double time_match(pcre2_code *code, const char *s, size_t n, pcre2_match_data *md,
                         pcre2_match_context *mc, int *rc_out)
{
    double best = 1e18;
    for (int k = 0; k < 3; k++) {
        double t0 = now_ms();
        int rc = pcre2_match(code, (PCRE2_SPTR)s, n, 0, 0, md, mc);
        double t = now_ms() - t0;
        if (t < best) best = t;
        *rc_out = rc;
        if (rc < PCRE2_ERROR_NOMATCH) break; /* gave up: no need to insist */
    }
    return best;
}

int tl_lint_rules(const tl_pattern_set *set, tl_lint_cb on_problem, void *ctx)
{
    int problems = 0;
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    pcre2_jit_stack *jit = pcre2_jit_stack_create(32 * 1024, 2 * 1024 * 1024, NULL);
    pcre2_set_match_limit(mc, LINT_MATCH_LIMIT);
    pcre2_set_heap_limit(mc, 65536);
    pcre2_jit_stack_assign(mc, NULL, jit);
    for (size_t i = 0; i < tl_pattern_set_count(set); i++) {
        const tl_rule *r = tl_pattern_set_rule(set, i);
        if (r->kind != TL_RULE_REGEX) continue;
        char what[512];
        int has_match = 0, has_nomatch = 0;
        for (size_t t = 0; t < r->ntests; t++) {
            if (r->tests[t].expect_match) has_match = 1;
            else has_nomatch = 1;
        }
        if (!has_match || !has_nomatch) {
            snprintf(what, sizeof what, "no %s line: every rule needs at least one of each",
                     !has_match ? "test.match" : "test.nomatch");
            on_problem(ctx, r, what);
            problems++;
        }
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *code = pcre2_compile((PCRE2_SPTR)r->regex, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
        if (!code) continue; /* compile errors are reported by the loader */
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
        int rc;
        time_match(code, "", 0, md, mc, &rc);
        if (rc >= 0) {
            on_problem(ctx, r, "matches the empty string: it would hit every line");
            problems++;
        }
        /* its own test lines, and a 64 KiB line made of them (realistic text, long) */
        tl_buf longline = TL_BUF_INIT;
        for (size_t t = 0; t < r->ntests; t++) {
            const char *ln = r->tests[t].line;
            double ms = time_match(code, ln, strlen(ln), md, mc, &rc);
            if (rc < PCRE2_ERROR_NOMATCH) {
                snprintf(what, sizeof what, "gives up (PCRE2 error %d) on its test line %d", rc,
                         r->tests[t].src_line);
                on_problem(ctx, r, what);
                problems++;
            } else if (ms > TL_LINT_SLOW_MS) {
                snprintf(what, sizeof what, "slow: %.1f ms on its test line %d", ms,
                         r->tests[t].src_line);
                on_problem(ctx, r, what);
                problems++;
            }
        }
        while (r->ntests && longline.len < LONG_LINE)
            for (size_t t = 0; t < r->ntests && longline.len < LONG_LINE; t++) {
                tl_buf_puts(&longline, r->tests[t].line);
                tl_buf_putc(&longline, ' ');
            }
        if (longline.len) {
            double ms = time_match(code, longline.data, longline.len, md, mc, &rc);
            if (rc < PCRE2_ERROR_NOMATCH) {
                snprintf(what, sizeof what, "gives up (PCRE2 error %d) on a 64 KiB line", rc);
                on_problem(ctx, r, what);
                problems++;
            } else if (ms > TL_LINT_SLOW_MS) {
                snprintf(what, sizeof what, "slow: %.1f ms on a 64 KiB line of its test text", ms);
                on_problem(ctx, r, what);
                problems++;
            }
        }
        tl_buf_free(&longline);
        pcre2_match_data_free(md);
        pcre2_code_free(code);
    }
    pcre2_jit_stack_free(jit);
    pcre2_match_context_free(mc);
    return problems;
}
