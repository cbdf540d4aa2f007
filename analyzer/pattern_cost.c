/* Measured screening cost of literal-free rules: a rule whose vectorscan prefilter is dearer
 * than running PCRE2 on every line (a base64-blob finder is the classic case) is taken out of
 * the shared prefilter database, so one such rule cannot slow the screen for all the others. */
#include "pattern_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timberline/buf.h"

/* A deterministic sample of ordinary log lines (syslog, access log, JSON, CSV, RFC 5424), about
 * 64 KiB: what the screen mostly sees is lines that do not match. */
static void build_sample(tl_buf *b)
{
    static const char *const tmpl[] = {
        "Jan %2u 12:%02u:%02u web1 sshd[%u]: Failed password for invalid user admin from "
        "203.0.%u.%u port %u ssh2\n",
        "203.0.113.%u - - [03/Jan/2026:11:%02u:%02u +0000] \"GET /api/v1/orders/%u?page=%u "
        "HTTP/1.1\" 200 %u \"https://shop.example.com/cart\" \"Mozilla/5.0 (Windows NT 10.0; "
        "Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36\"\n",
        "{\"@timestamp\":\"2026-01-03T12:%02u:%02u.%03uZ\",\"host\":\"ci-runner3\",\"event\":"
        "\"process_start\",\"pid\":%u,\"command_line\":\"/usr/bin/python3 -m pip install "
        "requests==2.%u.0\",\"sha256\":\"%08x%08x%08x%08x%08x%08x%08x%08x\"}\n",
        "2026-01-03T12:%02u:%02u.%03uZ,DC01.corp.example,Security,4624,Information,Logon,\"An "
        "account was successfully logged on. Account Name: svc_%u Source Network Address: "
        "10.0.%u.%u\"\n",
        "<38>1 2026-01-03T12:%02u:%02u.%03uZ web1 order-svc %u ORDER [meta@32473 user=\"carol\" "
        "src=\"10.0.3.%u\"] order %u placed, total %u.%02u EUR\n",
        "Jan %2u 12:%02u:%02u db1 CRON[%u]: (root) CMD (test -x /usr/sbin/anacron || ( cd / && "
        "run-parts --report /etc/cron.daily ))\n",
    };
    uint32_t x = 12345;
    unsigned v[12];
    for (int i = 0; b->len < (64u << 10); i++) {
        for (int k = 0; k < 12; k++) {
            x = x * 1103515245u + 12345u; /* fixed LCG: the same sample everywhere */
            v[k] = (x >> 8) % 60000u;
        }
        const char *t = tmpl[i % (int)(sizeof tmpl / sizeof *tmpl)];
        tl_buf_printf(b, t, v[0] % 28 + 1, v[1] % 60, v[2] % 60, v[3], v[4] % 256, v[5] % 256,
                      v[6], v[7], v[8], v[9], v[10], v[11]);
    }
}

void tl_lit_sample_init(tl_lit_sample *s)
{
    tl_buf b = TL_BUF_INIT;
    build_sample(&b);
    s->len = b.len;
    s->text = tl_buf_steal(&b, NULL);
    s->lower = tl_xmalloc(s->len + 1);
    size_t n = 0;
    for (size_t i = 0; i < s->len; i++) {
        char c = s->text[i];
        s->lower[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
        n += c == '\n';
    }
    s->lower[s->len] = '\0';
    s->line_start = tl_xcalloc(n + 1, sizeof *s->line_start);
    s->nlines = 0;
    for (size_t i = 0; i < s->len; i++)
        if (i == 0 || s->text[i - 1] == '\n') s->line_start[s->nlines++] = i;
}

void tl_lit_sample_free(tl_lit_sample *s)
{
    free(s->text);
    free(s->lower);
    free(s->line_start);
    memset(s, 0, sizeof *s);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int on_any(unsigned int id, unsigned long long from, unsigned long long to,
                  unsigned int flags, void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags;
    ++*(size_t *)ctx;
    return 0;
}

int tl_pcost_measure(const tl_pattern_set *set, const tl_lit_sample *smp, size_t ri,
                     const char *expr, unsigned flags, double *db_ns, double *pcre_ns)
{
    *db_ns = *pcre_ns = 0;
    double kib = (double)smp->len / 1024.0;
    hs_database_t *db = NULL;
    hs_compile_error_t *cerr = NULL;
    hs_scratch_t *scratch = NULL;
    int rc = -1;
    if (hs_compile(expr, flags, HS_MODE_BLOCK, NULL, &db, &cerr) != HS_SUCCESS) {
        hs_free_compile_error(cerr);
        goto out;
    }
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) goto out;
    /* what "every line" really costs: lines without the rule's required run skip PCRE2 */
    tl_run_gate gate;
    int gated = tl_run_extract(set->rules[ri].regex, &gate) == 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(set->codes[ri], NULL);
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(mc, TL_MATCH_LIMIT);
    pcre2_set_heap_limit(mc, TL_HEAP_LIMIT_KIB);
    /* best of five: a shared machine only ever makes a run slower */
    double best_db = 1e300, best_pcre = 1e300;
    for (int rep = 0; rep < 5; rep++) {
        size_t hits = 0;
        double t0 = now_ns();
        hs_scan(db, smp->text, (unsigned)smp->len, 0, scratch, on_any, &hits);
        double t1 = now_ns();
        const char *p = smp->text, *end = smp->text + smp->len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = (size_t)((nl ? nl : end) - p);
            if (!gated || tl_run_present(&gate, (const unsigned char *)p, n))
                pcre2_match(set->codes[ri], (PCRE2_SPTR)p, n, 0, 0, md, mc);
            p += n + 1;
        }
        double t2 = now_ns();
        if (t1 - t0 < best_db) best_db = t1 - t0;
        if (t2 - t1 < best_pcre) best_pcre = t2 - t1;
    }
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    *db_ns = best_db / kib;
    *pcre_ns = best_pcre / kib;
    rc = 0;
out:
    hs_free_scratch(scratch);
    hs_free_database(db);
    return rc;
}
