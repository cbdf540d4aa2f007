/* timberline CLI: parses arguments into options, runs the engine, maps results to exit codes
 * (0 no qualifying hits, 1 hits, 2 error). The only file that calls exit(). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <stdint.h>

#include "timberline/match.h"
#include "timberline/pattern.h"
#include "timberline/report.h"
#include "timberline/scan.h"
#include "timberline/timestamp.h"
#include "timberline/tz.h"
#include "timberline/unpack.h"
#include "timberline/verify.h"
#include "timberline/baseline.h"
#include "timberline/junit.h"
#include "timberline/lint.h"

#define TL_VERSION "0.1.0"

#ifndef TL_DATADIR
#define TL_DATADIR "/usr/local/share/timberline"
#endif

enum { EXIT_CLEAN = 0, EXIT_HITS = 1, EXIT_ERROR = 2 };

static void usage(FILE *f)
{
    fputs("usage: timberline scan [options] EVIDENCE...\n"
          "       timberline patterns check [--junit FILE] PATH...\n"
          "       timberline verify REPORT_DIR [--evidence-root DIR]\n"
          "       timberline --version | --help\n"
          "\n"
          "scan options:\n"
          "  -p, --patterns PATH   rule file (*.rules), IOC list (*.ioc, *.txt) or a directory of\n"
          "                        them; repeatable; default: the shipped patterns/ set\n"
          "  -o, --out DIR         report directory (default ./timberline-report); must be empty\n"
          "                        or absent unless --force\n"
          "      --force           write into a non-empty report directory\n"
          "  -j, --threads N       worker threads (default: online CPUs)\n"
          "      --tz ZONE         zone for timestamps without an offset (IANA name or +HH:MM;\n"
          "                        default UTC)\n"
          "      --fail-on SEV     exit 1 only for hits at or above SEV (info, low, medium, high,\n"
          "                        critical; default info)\n"
          "      --strict          exit 2 when any evidence item could not be read completely\n"
          "      --case ID         case identifier recorded in the manifest\n"
          "      --analyst NAME    analyst recorded in the manifest\n"
          "      --tz-map FILE     lines 'GLOB ZONE': sources matching GLOB (fnmatch, whole\n"
          "                        source) use ZONE instead of --tz\n"
          "      --date-order O    dmy, mdy or ymd for NN/NN/YYYY dates (default: decided per\n"
          "                        stream, month-first when nothing decides)\n"
          "      --assume-year Y   year of the first year-less stamp of each stream (default:\n"
          "                        inferred from the file's mtime)\n"
          "      --since T         keep events at or after T (datetime or YYYY-MM-DD, UTC)\n"
          "      --until T         keep events before T; events without a time are kept\n"
          "      --max-depth N     archive nesting levels to open (default 8)\n"
          "      --max-ratio N     stop a member expanding more than N times, judged after its\n"
          "                        first 64 MiB (default 1000)\n"
          "      --max-expand SIZE stop a member past SIZE bytes (default 64G; K/M/G suffixes)\n"
          "      --stall-timeout S kill a decoder that makes no progress for S seconds (default 30)\n"
          "      --binary          scan binary files and members too\n"
          "      --baseline DIR    a previous report: its events are marked \"new\": false, new ones go\n"
          "                        to new_events.jsonl, and only new events count for the exit code\n"
          "      --junit FILE      also write JUnit XML: one testcase per rule, failed when it hit\n"
          "                        at or above --fail-on\n"
          "      --memory SIZE     timeline events held in memory before sorted runs are spilled\n"
          "                        to the report directory (default 128M)\n"
          "      --no-cache        compile the pattern set afresh (compiled databases are\n"
          "                        otherwise reused from $XDG_CACHE_HOME/timberline)\n"
          "      --chunk-size N    bytes per work unit (default 2097152; for tests and tuning)\n"
          "  -q, --quiet           no progress line and no summary\n"
          "\n"
          "exit codes: 0 no qualifying hits, 1 hits, 2 error\n",
          f);
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The shipped patterns: next to the binary in a source tree (build/../patterns), else the
 * installed data directory. */
static char *default_patterns(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            /* An installed binary finds PREFIX/share/timberline/patterns whatever PREFIX was;
             * build/timberline and build/asan/timberline sit in a source tree. */
            static const char *const rel[] = {"/../share/timberline/patterns", "/../patterns",
                                              "/../../patterns"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                char cand[PATH_MAX + 32];
                snprintf(cand, sizeof cand, "%s%s/linux-auth.rules", exe, rel[i]);
                if (access(cand, R_OK) == 0) {
                    snprintf(cand, sizeof cand, "%s%s", exe, rel[i]);
                    return realpath(cand, NULL);
                }
            }
        }
    }
    if (is_dir(TL_DATADIR "/patterns")) return strdup(TL_DATADIR "/patterns");
    return NULL;
}

static int dir_is_empty(const char *p)
{
    DIR *d = opendir(p);
    if (!d) return 1;
    struct dirent *de;
    int empty = 1;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            empty = 0;
            break;
        }
    }
    closedir(d);
    return empty;
}

/* Loads and compiles; prints every diagnostic. Returns 0, or 2 when the set is unusable. */
static int load_patterns(tl_pattern_set *set, char **paths, size_t n, int for_scan, int cache)
{
    tl_error err;
    /* compiled vectorscan databases are reused from ~/.cache/timberline unless --no-cache */
    tl_pattern_set_cache(set, cache, NULL);
    for (size_t i = 0; i < n; i++) {
        if (tl_pattern_set_load(set, paths[i], &err) != TL_OK) {
            fprintf(stderr, "timberline: %s\n", err.msg);
            return EXIT_ERROR;
        }
    }
    tl_pattern_set_compile(set, &err);
    for (size_t i = 0; i < tl_pattern_set_ndiags(set); i++) {
        int is_error;
        const char *d = tl_pattern_set_diag(set, i, &is_error);
        if (for_scan || !is_error) fprintf(stderr, "%s: %s\n", is_error ? "error" : "warning", d);
    }
    if (for_scan && tl_pattern_set_nerrors(set)) {
        fprintf(stderr, "timberline: %zu broken pattern%s; not scanning (run 'timberline patterns "
                        "check' for details)\n",
                tl_pattern_set_nerrors(set), tl_pattern_set_nerrors(set) == 1 ? "" : "s");
        return EXIT_ERROR;
    }
    if (for_scan && tl_pattern_set_count(set) == 0) {
        fprintf(stderr, "timberline: the pattern set is empty; nothing to hunt for\n");
        return EXIT_ERROR;
    }
    return 0;
}

/* ---- patterns check ---- */

struct check_ctx {
    int passed, failed;
    tl_junit *junit;
};

static void on_test(void *ctx, const tl_rule *r, const tl_rule_test *t, int passed, const char *why)
{
    struct check_ctx *c = ctx;
    char name[512], fail[1024];
    snprintf(name, sizeof name, "%s: %s line %d", r->id,
             t->expect_match ? "test.match" : "test.nomatch", t->src_line);
    snprintf(fail, sizeof fail, "%s:%d: rule '%s': %s %s: %s", r->file, t->src_line, r->id,
             t->expect_match ? "test.match" : "test.nomatch", why, t->line);
    if (c->junit) tl_junit_add(c->junit, r->file, name, passed ? NULL : why, passed ? NULL : fail);
    if (passed) {
        c->passed++;
        return;
    }
    c->failed++;
    printf("FAIL %s\n", fail);
}

static void on_lint(void *ctx, const tl_rule *r, const char *what)
{
    struct check_ctx *c = ctx;
    char fail[1024], name[512];
    snprintf(fail, sizeof fail, "%s:%d: rule '%s': lint: %s", r->file, r->line, r->id, what);
    snprintf(name, sizeof name, "%s: lint", r->id);
    printf("FAIL %s\n", fail);
    c->failed++;
    if (c->junit) tl_junit_add(c->junit, r->file, name, what, fail);
}

static int cmd_patterns(int argc, char **argv)
{
    const char *junit_path = NULL;
    /* --junit FILE may come anywhere after "check" */
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--junit") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "timberline patterns check: --junit needs a FILE\n");
                return EXIT_ERROR;
            }
            junit_path = argv[i + 1];
            memmove(argv + i, argv + i + 2, (size_t)(argc - i - 2) * sizeof *argv);
            argc -= 2;
            i--;
        }
    }
    if (argc < 2 || strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "usage: timberline patterns check [--junit FILE] PATH...\n");
        return EXIT_ERROR;
    }
    if (argc < 3) {
        fprintf(stderr, "timberline patterns check: give at least one rule file, IOC list or "
                        "directory\n");
        return EXIT_ERROR;
    }
    tl_pattern_set *set = tl_pattern_set_new();
    int rc = load_patterns(set, argv + 2, (size_t)(argc - 2), 0, 1);
    if (rc) {
        tl_pattern_set_free(set);
        return rc;
    }
    tl_junit junit = {0};
    struct check_ctx c = {0, 0, junit_path ? &junit : NULL};
    for (size_t i = 0; i < tl_pattern_set_ndiags(set); i++) {
        int is_error;
        const char *d = tl_pattern_set_diag(set, i, &is_error);
        if (is_error) {
            printf("FAIL %s\n", d);
            c.failed++;
            /* file:line: ... -> classname = the file */
            char cls[512];
            snprintf(cls, sizeof cls, "%s", d);
            char *colon = strchr(cls, ':');
            if (colon) *colon = '\0';
            if (c.junit) tl_junit_add(c.junit, cls, d, d, d);
        }
    }
    tl_lint_rules(set, on_lint, &c);
    size_t nregex = 0, nioc = 0;
    for (size_t i = 0; i < tl_pattern_set_count(set); i++) {
        const tl_rule *r = tl_pattern_set_rule(set, i);
        if (r->kind == TL_RULE_IOC) nioc++;
        else nregex++;
        if (r->unfiltered)
            printf("note %s:%d: rule '%s' is matched without the vectorscan screen (%s)\n",
                   r->file, r->regex_line, r->id, r->unfiltered_why ? r->unfiltered_why : "refused");
        else if (r->screen == TL_SCREEN_REGEX) {
            char cost[64] = ""; /* measured on a cold compile only (not kept in the cache) */
            if (r->screen_cost > 0)
                snprintf(cost, sizeof cost, "; %.0f ns per KiB of sample log lines", r->screen_cost);
            printf("note %s:%d: rule '%s' has no required literal: screened by the vectorscan "
                   "regex prefilter (%s%s)\n",
                   r->file, r->regex_line, r->id, r->screen_note ? r->screen_note : "", cost);
        }
    }
    tl_error err;
    int f = tl_match_run_tests(set, on_test, &c, &err);
    if (f < 0) {
        fprintf(stderr, "timberline: %s\n", err.msg);
        tl_pattern_set_free(set);
        return EXIT_ERROR;
    }
    printf("%zu rules, %zu indicators in %zu files\n", nregex, nioc, tl_pattern_set_nfiles(set));
    printf("%d passed, %d failed\n", c.passed, c.failed);
    rc = c.failed ? EXIT_HITS : EXIT_CLEAN;
    if (junit_path && tl_junit_write(&junit, junit_path, "timberline patterns check", &err) != 0) {
        fprintf(stderr, "timberline: %s\n", err.msg);
        rc = EXIT_ERROR;
    }
    tl_junit_free(&junit);
    tl_pattern_set_free(set);
    return rc;
}

/* ---- verify ---- */

static int cmd_verify(int argc, char **argv)
{
    const char *dir = NULL, *root = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--evidence-root") == 0 && i + 1 < argc) root = argv[++i];
        else if (argv[i][0] == '-' || dir) {
            fprintf(stderr, "usage: timberline verify REPORT_DIR [--evidence-root DIR]\n");
            return EXIT_ERROR;
        } else dir = argv[i];
    }
    if (!dir) {
        fprintf(stderr, "usage: timberline verify REPORT_DIR [--evidence-root DIR]\n");
        return EXIT_ERROR;
    }
    tl_error err;
    int rc = tl_verify_report(dir, root, stdout, &err);
    if (rc < 0) {
        fprintf(stderr, "timberline verify: %s\n", err.msg);
        return EXIT_ERROR;
    }
    return rc ? EXIT_HITS : EXIT_CLEAN;
}

/* ---- scan ---- */

struct progress {
    int enabled;
    int64_t last;
};

static void on_progress(void *ctx, const tl_scan_progress *p)
{
    struct progress *pr = ctx;
    if (!pr->enabled) return;
    int64_t t = now_us();
    if (t - pr->last < 250000) return;
    pr->last = t;
    fprintf(stderr, "\r\033[K[%zu/%zu files] %.1f MB, %llu events", p->items_done, p->items_total,
            (double)p->bytes / 1e6, (unsigned long long)p->events);
}

static void print_summary(const tl_scan_result *res, const tl_pattern_set *set, const char *out)
{
    size_t nrules = tl_pattern_set_count(set);
    tl_rule_stats *st = calloc(nrules ? nrules : 1, sizeof *st);
    if (!st) return;
    tl_report_rule_stats(res, set, st);
    size_t scanned = 0, problems = 0;
    for (size_t i = 0; i < res->evidence.n; i++) {
        tl_ev_status s = res->evidence.items[i].status;
        if (res->evidence.items[i].scanned) scanned++;
        if (s != TL_EV_OK && s != TL_EV_SYMLINK && s != TL_EV_HARDLINK) problems++;
    }
    printf("Scanned %zu of %zu evidence files, %.1f MB, %llu lines: %llu events\n", scanned,
           res->evidence.n, (double)res->bytes / 1e6, (unsigned long long)res->lines,
           (unsigned long long)res->timeline.total);
    int64_t first = 0, last = 0;
    int have = 0;
    for (size_t i = 0; i < nrules; i++) {
        if (!st[i].have_time) continue;
        if (!have || st[i].first_us < first) first = st[i].first_us;
        if (!have || st[i].last_us > last) last = st[i].last_us;
        have = 1;
    }
    if (have) {
        char a[48], b[48];
        tl_ts_format_utc(first, a, sizeof a);
        tl_ts_format_utc(last, b, sizeof b);
        printf("Time range: %s .. %s\n", a, b);
    }
    if (res->timeline.total) {
        printf("Events per rule:\n");
        for (int sev = TL_SEV_CRITICAL; sev >= TL_SEV_INFO; sev--) {
            for (size_t i = 0; i < nrules; i++) {
                const tl_rule *r = tl_pattern_set_rule(set, i);
                if (!st[i].hits || (int)r->severity != sev) continue;
                printf("  %7llu  %-8s  %s\n", (unsigned long long)st[i].hits,
                       tl_severity_name(r->severity), r->id);
            }
        }
    }
    if (problems) printf("Evidence problems: %zu (see summary.json warnings)\n", problems);
    if (res->nwarnings) printf("Warnings: %zu\n", res->nwarnings);
    printf("Report: %s/{report.html,timeline.jsonl,timeline.csv,manifest.json,summary.json,"
           "SHA256SUMS}\n",
           out);
    free(st);
}

/* scan --junit: one testcase per rule, failed when it hit at or above --fail-on (with
 * --baseline: when it hit anew). */
struct first_hit {
    uint64_t hits;
    uint32_t item;
    uint64_t line;
    int have_ts;
    int64_t ts_us;
};

/* Per rule: how many events count (with --baseline: new ones), and where the first was. */
static struct first_hit *count_hits(const tl_scan_result *res, size_t nrules, int baseline)
{
    struct first_hit *f = calloc(nrules ? nrules : 1, sizeof *f);
    if (!f) abort();
    tl_timeline_iter *it = tl_timeline_iter_new(&res->timeline);
    const tl_event *ev;
    while ((ev = tl_timeline_iter_next(it)) != NULL) {
        if (baseline && ev->is_new != 1) continue;
        struct first_hit *h = &f[ev->rule];
        if (!h->hits++) {
            h->item = ev->item;
            h->line = ev->line;
            h->have_ts = ev->quality != TL_TSQ_NONE;
            h->ts_us = ev->ts_us;
        }
    }
    tl_timeline_iter_free(it);
    return f;
}

static int write_scan_junit(const char *path, const tl_scan_result *res, const tl_pattern_set *set,
                            const struct first_hit *f, int baseline, tl_severity fail_sev)
{
    size_t n = tl_pattern_set_count(set);
    tl_junit j = {0};
    for (size_t i = 0; i < n; i++) {
        const tl_rule *r = tl_pattern_set_rule(set, i);
        char fail[512] = "", detail[2048] = "";
        if (f[i].hits && r->severity >= fail_sev) {
            char when[48] = "no timestamp";
            if (f[i].have_ts) tl_ts_format_utc(f[i].ts_us, when, sizeof when);
            snprintf(fail, sizeof fail, "%llu %s hit%s (severity %s)", (unsigned long long)f[i].hits,
                     baseline ? "new " : "", f[i].hits == 1 ? "" : "s", tl_severity_name(r->severity));
            snprintf(detail, sizeof detail, "%s; first: %s:%llu at %s", fail,
                     res->evidence.items[f[i].item].source, (unsigned long long)f[i].line, when);
        }
        tl_junit_add(&j, r->file, r->id, fail[0] ? fail : NULL, fail[0] ? detail : NULL);
    }
    tl_error err;
    int rc = tl_junit_write(&j, path, "timberline scan", &err);
    if (rc) fprintf(stderr, "timberline: %s\n", err.msg);
    tl_junit_free(&j);
    return rc;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v == 0) return -1;
    *out = (size_t)v;
    return 0;
}

/* --tz-map FILE: "GLOB ZONE" per line, '#' comments; the zones are loaded once here. */
struct tz_map {
    tl_tz_map_entry *entries;
    tl_tz **zones;
    size_t n;
};

static void tz_map_free(struct tz_map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->entries[i].glob);
        tl_tz_free(m->zones[i]);
    }
    free(m->entries);
    free(m->zones);
}

static int load_tz_map(const char *path, struct tz_map *m)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        fprintf(stderr, "timberline: --tz-map %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p) continue;
        char glob[2048], zname[256];
        if (sscanf(p, "%2047s %255s", glob, zname) != 2) {
            fprintf(stderr, "timberline: %s:%d: expected 'GLOB ZONE'\n", path, lineno);
            rc = -1;
            break;
        }
        tl_tz *z = NULL;
        tl_error err;
        if (tl_tz_load(&z, zname, &err) != TL_OK) {
            fprintf(stderr, "timberline: %s:%d: %s\n", path, lineno, err.msg);
            rc = -1;
            break;
        }
        m->entries = realloc(m->entries, (m->n + 1) * sizeof *m->entries);
        m->zones = realloc(m->zones, (m->n + 1) * sizeof *m->zones);
        if (!m->entries || !m->zones) abort();
        m->entries[m->n].glob = strdup(glob);
        m->entries[m->n].zone = z;
        m->zones[m->n] = z;
        m->n++;
    }
    fclose(f);
    return rc;
}

/* "64G", "500M", "1024": bytes with an optional K/M/G/T (binary) suffix. */
static int parse_bytes(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || v == 0) return -1;
    int shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10, end++;
    else if (*end == 'M' || *end == 'm') shift = 20, end++;
    else if (*end == 'G' || *end == 'g') shift = 30, end++;
    else if (*end == 'T' || *end == 't') shift = 40, end++;
    if (*end || v > (UINT64_MAX >> shift)) return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static int cmd_scan(int argc, char **argv, int full_argc, char **full_argv)
{
    static const struct option opts[] = {
        {"patterns", required_argument, NULL, 'p'}, {"out", required_argument, NULL, 'o'},
        {"threads", required_argument, NULL, 'j'},  {"tz", required_argument, NULL, 'z'},
        {"fail-on", required_argument, NULL, 'f'},  {"case", required_argument, NULL, 'c'},
        {"analyst", required_argument, NULL, 'a'},  {"quiet", no_argument, NULL, 'q'},
        {"force", no_argument, NULL, 'F'},          {"strict", no_argument, NULL, 'S'},
        {"chunk-size", required_argument, NULL, 'C'}, {"help", no_argument, NULL, 'h'},
        {"max-depth", required_argument, NULL, 'D'},  {"max-ratio", required_argument, NULL, 'R'},
        {"max-expand", required_argument, NULL, 'X'}, {"stall-timeout", required_argument, NULL, 'T'},
        {"binary", no_argument, NULL, 'B'},
        {"tz-map", required_argument, NULL, 'M'},     {"date-order", required_argument, NULL, 'O'},
        {"assume-year", required_argument, NULL, 'Y'}, {"since", required_argument, NULL, 'N'},
        {"until", required_argument, NULL, 'U'},
        {"baseline", required_argument, NULL, 'L'},   {"junit", required_argument, NULL, 'J'},
        {"no-cache", no_argument, NULL, 'K'},         {"memory", required_argument, NULL, 'E'},
        {NULL, 0, NULL, 0}};
    char **pattern_paths = NULL;
    size_t npatterns = 0;
    const char *out = "timberline-report", *tzname = "UTC", *fail_on = "info";
    const char *case_id = NULL, *analyst = NULL;
    int threads = 0, quiet = 0, force = 0, strict = 0, no_cache = 0;
    size_t memory = (size_t)128 << 20; /* event bytes held before spilling sorted runs */
    size_t chunk = 0;
    tl_severity fail_sev = TL_SEV_INFO;
    tl_unpack_opts uo;
    tl_unpack_opts_default(&uo);
    const char *tz_map_path = NULL, *baseline_dir = NULL, *junit_path = NULL;
    tl_ts_date_order date_order = TL_TS_ORDER_AUTO;
    int assume_year = 0, have_since = 0, have_until = 0;
    int64_t since_us = 0, until_us = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:o:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            pattern_paths = realloc(pattern_paths, (npatterns + 1) * sizeof *pattern_paths);
            if (!pattern_paths) return EXIT_ERROR;
            pattern_paths[npatterns++] = optarg;
            break;
        case 'o': out = optarg; break;
        case 'j': {
            size_t v;
            if (parse_size(optarg, &v) || v > 1024) {
                fprintf(stderr, "timberline: --threads wants a number from 1 to 1024, got '%s'\n",
                        optarg);
                return EXIT_ERROR;
            }
            threads = (int)v;
            break;
        }
        case 'z': tzname = optarg; break;
        case 'f':
            fail_on = optarg;
            if (tl_severity_parse(optarg, &fail_sev) != TL_OK) {
                fprintf(stderr, "timberline: --fail-on wants info, low, medium, high or critical, "
                                "got '%s'\n",
                        optarg);
                return EXIT_ERROR;
            }
            break;
        case 'c': case_id = optarg; break;
        case 'a': analyst = optarg; break;
        case 'q': quiet = 1; break;
        case 'F': force = 1; break;
        case 'S': strict = 1; break;
        case 'C':
            if (parse_size(optarg, &chunk)) {
                fprintf(stderr, "timberline: bad --chunk-size '%s'\n", optarg);
                return EXIT_ERROR;
            }
            break;
        case 'D': {
            size_t v;
            if (parse_size(optarg, &v) || v > 64) {
                fprintf(stderr, "timberline: --max-depth wants 1 to 64, got '%s'\n", optarg);
                return EXIT_ERROR;
            }
            uo.max_depth = (int)v;
            break;
        }
        case 'R': {
            size_t v;
            if (parse_size(optarg, &v)) {
                fprintf(stderr, "timberline: bad --max-ratio '%s'\n", optarg);
                return EXIT_ERROR;
            }
            uo.max_ratio = v;
            break;
        }
        case 'X':
            if (parse_bytes(optarg, &uo.max_expand)) {
                fprintf(stderr, "timberline: bad --max-expand '%s' (e.g. 64G, 500M)\n", optarg);
                return EXIT_ERROR;
            }
            /* an evidence item may expand to 4x the member cap in all */
            uo.max_total = uo.max_expand > UINT64_MAX / 4 ? UINT64_MAX : uo.max_expand * 4;
            break;
        case 'T': {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0) || v > 86400) {
                fprintf(stderr, "timberline: bad --stall-timeout '%s' (seconds)\n", optarg);
                return EXIT_ERROR;
            }
            uo.stall_timeout_ms = (int)(v * 1000);
            if (uo.stall_timeout_ms < 1) uo.stall_timeout_ms = 1;
            break;
        }
        case 'B': uo.binary = 1; break;
        case 'M': tz_map_path = optarg; break;
        case 'L': baseline_dir = optarg; break;
        case 'K': no_cache = 1; break;
        case 'E': {
            uint64_t v;
            if (parse_bytes(optarg, &v) || v < (1u << 20)) {
                fprintf(stderr, "timberline: --memory wants a size of 1M or more (e.g. 128M), "
                                "got '%s'\n", optarg);
                return EXIT_ERROR;
            }
            memory = (size_t)v;
            break;
        }
        case 'J': junit_path = optarg; break;
        case 'O':
            if (tl_ts_parse_date_order(&date_order, optarg) != 0) {
                fprintf(stderr, "timberline: --date-order wants dmy, mdy or ymd, got '%s'\n", optarg);
                return EXIT_ERROR;
            }
            break;
        case 'Y': {
            size_t v;
            if (parse_size(optarg, &v) || v < 1 || v > 9999) {
                fprintf(stderr, "timberline: --assume-year wants a year, got '%s'\n", optarg);
                return EXIT_ERROR;
            }
            assume_year = (int)v;
            break;
        }
        case 'N':
        case 'U': {
            int64_t v;
            if (tl_ts_parse_bound(&v, optarg) != 0) {
                fprintf(stderr, "timberline: --%s wants 2026-01-03T12:00:01Z-style time or a date, "
                                "got '%s'\n",
                        c == 'N' ? "since" : "until", optarg);
                return EXIT_ERROR;
            }
            if (c == 'N') since_us = v, have_since = 1;
            else until_us = v, have_until = 1;
            break;
        }
        case 'h': usage(stdout); return EXIT_CLEAN;
        default: usage(stderr); return EXIT_ERROR;
        }
    }
    char **evidence = argv + optind;
    size_t nevidence = (size_t)(argc - optind);
    if (nevidence == 0) {
        fprintf(stderr, "timberline scan: no EVIDENCE given\n");
        usage(stderr);
        free(pattern_paths);
        return EXIT_ERROR;
    }
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    /* Events are made by the matcher threads and freed by others (the spill, the owner). With
     * glibc's default of one heap arena per thread, the freed space stayed spread over arenas:
     * the 1 GB catch-all peaked at 249 MiB; with one arena it peaked at 172 MiB and ran no
     * slower on 2 cores. One arena per four threads past that, so many cores do not queue on
     * one lock (untested beyond 2 cores). Set before any thread starts. */
    mallopt(M_ARENA_MAX, threads <= 4 ? 1 : (threads + 3) / 4);
    int rc = EXIT_ERROR;
    tl_tz *zone = NULL;
    tl_pattern_set *set = NULL;
    char *defpat = NULL;
    tl_scan_result res;
    memset(&res, 0, sizeof res);
    struct tz_map tzmap = {NULL, NULL, 0};
    tl_baseline *baseline = NULL;
    tl_error err;
    int64_t start = now_us();

    for (size_t i = 0; i < nevidence; i++) {
        if (access(evidence[i], F_OK) != 0) {
            fprintf(stderr, "timberline: evidence '%s' does not exist\n", evidence[i]);
            goto done;
        }
    }
    if (tl_tz_load(&zone, tzname, &err) != TL_OK) {
        fprintf(stderr, "timberline: --tz: %s\n", err.msg);
        goto done;
    }
    if (tz_map_path && load_tz_map(tz_map_path, &tzmap) != 0) goto done;
    if (baseline_dir && tl_baseline_load(&baseline, baseline_dir, &err) != TL_OK) {
        fprintf(stderr, "timberline: %s\n", err.msg);
        goto done;
    }
    if (tl_evidence_contains(evidence, nevidence, out)) {
        fprintf(stderr, "timberline: --out '%s' is inside the evidence; write the report elsewhere\n",
                out);
        goto done;
    }
    if (is_dir(out) && !dir_is_empty(out) && !force) {
        fprintf(stderr, "timberline: --out '%s' exists and is not empty (use --force to overwrite)\n",
                out);
        goto done;
    }
    set = tl_pattern_set_new();
    if (!npatterns) {
        defpat = default_patterns();
        if (!defpat) {
            fprintf(stderr, "timberline: no --patterns given and the shipped patterns were not "
                            "found\n");
            goto done;
        }
        rc = load_patterns(set, &defpat, 1, 1, !no_cache);
    } else {
        rc = load_patterns(set, pattern_paths, npatterns, 1, !no_cache);
    }
    if (rc) goto done;
    rc = EXIT_ERROR;

    struct progress prog = {!quiet && isatty(2), 0};
    tl_scan_opts so = {.threads = threads, .zone = zone, .chunk_size = chunk,
                       .progress = on_progress, .progress_ctx = &prog, .exe = "/proc/self/exe",
                       .unpack = uo, .date_order = date_order, .assume_year = assume_year,
                       .have_since = have_since, .have_until = have_until, .since_us = since_us,
                       .until_us = until_us, .tz_map = tzmap.entries, .ntz_map = tzmap.n,
                       .baseline = baseline, .memory_budget = memory, .spill_dir = out};
    /* the report directory also holds the timeline's spill runs while the scan goes on */
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "timberline: %s: cannot create the report directory: %s\n", out,
                strerror(errno));
        goto done;
    }
    if (tl_scan_run(&so, set, evidence, nevidence, &res, &err) != TL_OK) {
        fprintf(stderr, "timberline: %s\n", err.msg);
        goto done;
    }
    if (prog.enabled) fprintf(stderr, "\r\033[K");
    tl_run_info info = {.version = TL_VERSION, .case_id = case_id, .analyst = analyst,
                        .argc = full_argc, .argv = full_argv, .tz_name = tl_tz_name(zone),
                        .fail_on = fail_on, .threads = threads, .start_us = start,
                        .end_us = now_us(), .baseline_dir = baseline_dir};
    if (tl_report_write(out, &res, set, &info, &err) != TL_OK) {
        fprintf(stderr, "timberline: %s\n", err.msg);
        goto done;
    }
    if (!quiet) print_summary(&res, set, out);

    size_t scanned = 0, problems = 0;
    for (size_t i = 0; i < res.evidence.n; i++) {
        const tl_evidence_item *it = &res.evidence.items[i];
        if (it->scanned) scanned++;
        if (it->status != TL_EV_OK && it->status != TL_EV_SYMLINK &&
            it->status != TL_EV_HARDLINK) {
            problems++;
            fprintf(stderr, "timberline: %s: %s%s%s\n", it->source, tl_ev_status_name(it->status),
                    it->message ? ": " : "", it->message ? it->message : "");
        }
    }
    if (scanned == 0) {
        fprintf(stderr, "timberline: no evidence file could be scanned (%zu found); the report "
                        "records why\n",
                res.evidence.n);
        goto done;
    }
    if (strict && (problems || res.match_problems)) {
        fprintf(stderr, "timberline: --strict: %zu evidence problem%s, %llu undecided matches\n",
                problems, problems == 1 ? "" : "s", (unsigned long long)res.match_problems);
        goto done;
    }
    rc = EXIT_CLEAN;
    /* with --baseline only fresh sightings count */
    for (size_t i = 0; i < res.timeline.ntally; i++) {
        uint64_t n = baseline ? res.timeline.tally[i].fresh : res.timeline.tally[i].hits;
        if (n && tl_pattern_set_rule(set, i)->severity >= fail_sev) rc = EXIT_HITS;
    }
    if (junit_path) { /* where each rule first hit: one pass over the timeline */
        struct first_hit *fh = count_hits(&res, tl_pattern_set_count(set), baseline != NULL);
        if (write_scan_junit(junit_path, &res, set, fh, baseline != NULL, fail_sev) != 0)
            rc = EXIT_ERROR;
        free(fh);
    }
done:
#ifndef __SANITIZE_ADDRESS__
    /* The process ends here: the kernel takes the memory back at once, while freeing a few
     * hundred thousand events one string at a time took a quarter of a second, alone on one
     * core. The sanitizer build frees everything, so a real leak still shows there. */
    tl_timeline_abandon_events(&res.timeline);
#endif
    tl_scan_result_free(&res);
    tl_pattern_set_free(set);
    tl_tz_free(zone);
    tz_map_free(&tzmap);
    tl_baseline_free(baseline);
    free(defpat);
    free(pattern_paths);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_ERROR;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        char pcre[64];
        tl_pattern_pcre2_version(pcre, sizeof pcre);
        printf("timberline %s (PCRE2 %s, vectorscan/hyperscan %s)\n", TL_VERSION, pcre,
               tl_pattern_hs_version());
        return EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(argv[1], "scan") == 0) return cmd_scan(argc - 1, argv + 1, argc, argv);
    /* hidden: the isolated archive worker, started by scan itself */
    if (strcmp(argv[1], "__unpack") == 0) return tl_unpack_child_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "__zygote") == 0) return tl_unpack_zygote_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "patterns") == 0) return cmd_patterns(argc - 1, argv + 1);
    if (strcmp(argv[1], "verify") == 0) return cmd_verify(argc - 1, argv + 1);
    fprintf(stderr, "timberline: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_ERROR;
}
