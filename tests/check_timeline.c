/* Unit tests for the timeline module: the report order (timestamp ascending, events without a
 * time last, then source name, line, offset, rule id, read order), determinism under shuffled
 * input, and ownership of event memory. */
#include <check.h>
#include <dirent.h>

#include "testutil.h"
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "timberline/pattern.h"
#include "timberline/timeline.h"

static char tmpdir[64];

/* Rule indexes 0, 1, 2 have ids "zeta", "alpha", "mid": index order is not id order. */
enum { R_ZETA, R_ALPHA, R_MID };

static tl_pattern_set *rules(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/order.rules", tmpdir);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("[rule zeta]\nregex = z\n[rule alpha]\nregex = a\n[rule mid]\nregex = m\n", f);
    fclose(f);
    tl_pattern_set *set = tl_pattern_set_new();
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_load(set, path, &err), 0);
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
    ck_assert_str_eq(tl_pattern_set_rule(set, R_ZETA)->id, "zeta");
    ck_assert_str_eq(tl_pattern_set_rule(set, R_ALPHA)->id, "alpha");
    ck_assert_str_eq(tl_pattern_set_rule(set, R_MID)->id, "mid");
    return set;
}

/* Item indexes are not in name order either; 3 and 4 share a name. */
static const char *const SOURCES[] = {"b.log", "a.log", "c.log", "dup.log", "dup.log"};

static tl_event ev(uint64_t seq, tl_ts_quality q, int64_t ts, uint32_t item, uint64_t line,
                   uint64_t offset, uint32_t rule)
{
    tl_event e;
    memset(&e, 0, sizeof e);
    e.seq = seq;
    e.quality = q;
    e.ts_us = ts;
    e.item = item;
    e.line = line;
    e.offset = offset;
    e.rule = rule;
    char msg[64];
    snprintf(msg, sizeof msg, "event %llu", (unsigned long long)seq);
    e.message = strdup(msg);
    e.message_len = strlen(msg);
    return e;
}

/* ---- core ---- */

START_TEST(test_sort_order)
{
    tl_pattern_set *set = rules();
    const tl_ts_quality P = TL_TSQ_PARSED, N = TL_TSQ_NONE;
    tl_event in[] = {
        ev(0, P, 100, 0, 5, 0, R_ZETA),
        ev(1, P, 50, 2, 2, 0, R_ZETA),
        ev(2, P, 100, 1, 9, 0, R_ZETA),   /* same time, source "a.log" sorts first */
        ev(3, N, -999, 0, 1, 0, R_ZETA),  /* no time: its ts_us is meaningless */
        ev(4, N, 0, 1, 7, 0, R_ZETA),
        ev(5, N, 0, 1, 3, 0, R_ALPHA),
        ev(6, P, 100, 0, 5, 10, R_ZETA),  /* same line, later offset */
        ev(7, P, 100, 0, 5, 0, R_ALPHA),  /* same place, rule id "alpha" < "zeta" */
        ev(8, P, 100, 0, 5, 0, R_ZETA),   /* full tie with 0: read order */
        ev(9, TL_TSQ_INHERITED, -5, 2, 1, 0, R_MID), /* before the epoch */
        ev(10, TL_TSQ_INFERRED_YEAR, 50, 2, 1, 0, R_MID),
        ev(11, N, 0, 1, 3, 0, R_ALPHA),
        ev(12, P, 100, 4, 1, 0, R_MID),   /* "dup.log": same name, line decides */
        ev(13, P, 100, 3, 2, 0, R_MID),
        ev(17, P, 100, 4, 2, 0, R_MID),   /* full tie with 13 but item 4: archive order */
        ev(18, P, 100, 3, 2, 0, R_MID),   /* full tie with 13, same item: read order */
        ev(14, N, 5, 2, 1, 0, R_MID),     /* no time, "c.log" after "b.log" */
        ev(15, P, INT64_MAX, 1, 1, 0, R_MID),
        ev(16, P, INT64_MIN, 1, 1, 0, R_MID),
    };
    size_t n = sizeof in / sizeof in[0];
    tl_timeline tl;
    tl_timeline_init(&tl, 3, 0, NULL);
    for (size_t i = 0; i < n; i++) tl_timeline_push(&tl, &in[i]);
    ck_assert_uint_eq(tl.n, n);
    tl_timeline_sort(&tl, SOURCES, set);
    static const uint64_t want[] = {16, 9, 10, 1, 2, 7, 0, 8, 6, 12, 13, 18, 17, 15,
                                    5, 11, 4, 3, 14};
    ck_assert_uint_eq(sizeof want / sizeof want[0], n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(tl.ev[i].seq == want[i], "position %zu: seq %llu, want %llu", i,
                      (unsigned long long)tl.ev[i].seq, (unsigned long long)want[i]);
    /* The events moved whole: each still owns its own message. */
    for (size_t i = 0; i < n; i++) {
        char msg[64];
        snprintf(msg, sizeof msg, "event %llu", (unsigned long long)tl.ev[i].seq);
        ck_assert_str_eq(tl.ev[i].message, msg);
    }
    tl_timeline_free(&tl);
    ck_assert_ptr_null(tl.ev);
    ck_assert_uint_eq(tl.n, 0);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_event_ownership)
{
    tl_timeline tl;
    tl_timeline_init(&tl, 3, 0, NULL);
    tl_event e = ev(1, TL_TSQ_PARSED, 1, 0, 1, 0, 0);
    e.indicator = strdup("198.51.100.23");
    e.indicator_len = 13;
    e.nfields = 2;
    e.fields = calloc(2, sizeof *e.fields);
    e.fields[0] = (tl_field){"ip", strdup("198.51.100.23"), 13};
    e.fields[1] = (tl_field){"user", strdup("root"), 4};
    tl_timeline_push(&tl, &e);
    ck_assert_ptr_eq(tl.ev[0].fields, e.fields); /* the pointers moved, no copy */
    /* tl_event_clear frees and zeroes one event (the sanitizer run checks for leaks). */
    tl_event_clear(&tl.ev[0]);
    ck_assert_ptr_null(tl.ev[0].message);
    ck_assert_ptr_null(tl.ev[0].indicator);
    ck_assert_ptr_null(tl.ev[0].fields);
    ck_assert_uint_eq(tl.ev[0].nfields, 0);
    tl_event_clear(&tl.ev[0]); /* a cleared event can be cleared again */
    tl_timeline_free(&tl);
    tl_timeline_free(&tl); /* and an empty timeline freed again */
    ck_assert_ptr_null(tl.ev);
}
END_TEST

START_TEST(test_flag_names)
{
    ck_assert_str_eq(tl_flag_name(0), "long-line");
    ck_assert_str_eq(tl_flag_name(1), "message-truncated");
    ck_assert_str_eq(tl_flag_name(2), "dst-gap");
    ck_assert_str_eq(tl_flag_name(3), "dst-repeat");
    ck_assert_int_eq(1 << 0, TL_FLAG_LONG_LINE);
    ck_assert_int_eq(1 << 3, TL_FLAG_DST_REPEAT);
    ck_assert_str_eq(tl_flag_name(TL_FLAG_COUNT), "?");
    ck_assert_str_eq(tl_flag_name(-1), "?");
}
END_TEST

/* ---- limits ---- */

/* Reference order, written from the header's words, independent of the module. */
static const tl_pattern_set *ref_set;

static int ref_cmp(const tl_event *x, const tl_event *y)
{
    int xt = x->quality != TL_TSQ_NONE, yt = y->quality != TL_TSQ_NONE;
    if (xt != yt) return xt ? -1 : 1;
    if (xt && x->ts_us != y->ts_us) return x->ts_us < y->ts_us ? -1 : 1;
    int c = strcmp(SOURCES[x->item], SOURCES[y->item]);
    if (c) return c < 0 ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    c = strcmp(tl_pattern_set_rule(ref_set, x->rule)->id, tl_pattern_set_rule(ref_set, y->rule)->id);
    if (c) return c < 0 ? -1 : 1;
    if (x->item != y->item) return x->item < y->item ? -1 : 1; /* same-named members */
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The scanner's rule in its simplest form: spill once three quarters of the budget are used. */
static int spill_past_budget(tl_timeline *tl, const tl_pattern_set *set, tl_error *err)
{
    if (tl->mem_bytes < tl->budget / 4 * 3) return 0;
    return tl_timeline_spill(tl, SOURCES, set, err);
}

static void fill_random(tl_timeline *tl, size_t n, unsigned seed, const tl_event *base)
{
    /* Push `base` events in a seed-dependent shuffle. */
    size_t *idx = malloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)rand_r(&seed) % (i + 1);
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        tl_event e = base[idx[i]];
        e.message = strdup("m");
        e.message_len = 1;
        tl_timeline_push(tl, &e);
    }
    free(idx);
}

START_TEST(test_random_large_and_deterministic)
{
    tl_pattern_set *set = rules();
    ref_set = set;
    size_t n = 30000;
    tl_event *base = calloc(n, sizeof *base);
    unsigned seed = 2026;
    for (size_t i = 0; i < n; i++) {
        /* Small ranges so that every tie-breaker gets exercised. */
        base[i].seq = i;
        base[i].quality = (tl_ts_quality)(rand_r(&seed) % 4);
        base[i].ts_us = (int64_t)(rand_r(&seed) % 7) - 3;
        base[i].item = (uint32_t)(rand_r(&seed) % 5);
        base[i].line = (uint64_t)(rand_r(&seed) % 4);
        base[i].offset = (uint64_t)(rand_r(&seed) % 3);
        base[i].rule = (uint32_t)(rand_r(&seed) % 3);
    }
    tl_timeline a, b;
    tl_timeline_init(&a, 3, 0, NULL);
    tl_timeline_init(&b, 3, 0, NULL);
    fill_random(&a, n, 1, base);
    fill_random(&b, n, 2, base);
    ck_assert_uint_eq(a.n, n);
    ck_assert_uint_ge(a.cap, n);
    tl_timeline_sort(&a, SOURCES, set);
    tl_timeline_sort(&b, SOURCES, set);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(ref_cmp(&a.ev[i - 1], &a.ev[i]) < 0, "positions %zu/%zu out of order",
                      i - 1, i);
    /* Same events, different arrival order: identical output order. */
    for (size_t i = 0; i < n; i++) ck_assert_uint_eq(a.ev[i].seq, b.ev[i].seq);
    tl_timeline_free(&a);
    tl_timeline_free(&b);
    free(base);
    tl_pattern_set_free(set);
}
END_TEST

START_TEST(test_empty_and_single)
{
    tl_pattern_set *set = rules();
    tl_timeline tl;
    tl_timeline_init(&tl, 3, 0, NULL);
    tl_timeline_sort(&tl, SOURCES, set); /* nothing to sort: no crash, still empty */
    ck_assert_uint_eq(tl.n, 0);
    tl_event e = ev(42, TL_TSQ_NONE, 0, 1, 1, 0, R_MID);
    tl_timeline_push(&tl, &e);
    tl_timeline_sort(&tl, SOURCES, set);
    ck_assert_uint_eq(tl.n, 1);
    ck_assert_uint_eq(tl.ev[0].seq, 42);
    tl_timeline_free(&tl);
    tl_pattern_set_free(set);
}
END_TEST


/* Reads two finished timelines side by side: the same events in the same order (field names
 * mapped back to the rule's own). Returns how many. */
static size_t same_order(tl_timeline *a, tl_timeline *b)
{
    tl_timeline_iter *ia = tl_timeline_iter_new(a), *ib = tl_timeline_iter_new(b);
    const tl_event *x, *y;
    size_t n = 0;
    while ((x = tl_timeline_iter_next(ia)) != NULL) {
        y = tl_timeline_iter_next(ib);
        ck_assert_ptr_nonnull(y);
        ck_assert_uint_eq(x->seq, y->seq);
        ck_assert_int_eq(x->is_new, y->is_new);
        ck_assert_str_eq(x->message, y->message);
        ck_assert_uint_eq(x->nfields, y->nfields);
        for (size_t i = 0; i < x->nfields; i++) {
            ck_assert_str_eq(y->fields[i].name, x->fields[i].name);
            ck_assert_str_eq(y->fields[i].value, x->fields[i].value);
        }
        n++;
    }
    ck_assert_ptr_null(tl_timeline_iter_next(ib));
    tl_timeline_iter_free(ia);
    tl_timeline_iter_free(ib);
    return n;
}

/* More events than the memory budget: sorted runs go to files, runs of one level are merged
 * into the next (a few hundred spills reach level 2), reading merges them with the in-memory
 * rest, and the result is exactly the all-in-memory order. */
START_TEST(test_spill_and_merge_equal_memory_order)
{
    tl_pattern_set *set = rules();
    tl_timeline mem, spill;
    tl_timeline_init(&mem, 3, 0, NULL);
    tl_timeline_init(&spill, 3, 4096, tmpdir); /* a few dozen events per run */
    unsigned seed = 7;
    const size_t N = 12000;
    for (size_t i = 0; i < N; i++) {
        int none = rand_r(&seed) % 10 == 0;
        tl_event a = ev(i, none ? TL_TSQ_NONE : TL_TSQ_PARSED, (int64_t)(rand_r(&seed) % 500),
                        (uint32_t)(rand_r(&seed) % 5), (uint64_t)(rand_r(&seed) % 50),
                        (uint64_t)(rand_r(&seed) % 3), (uint32_t)(rand_r(&seed) % 3));
        a.is_new = (signed char)(i % 3 == 0);
        if (i % 7 == 0) { /* a field, so field names survive the round trip */
            a.fields = calloc(1, sizeof *a.fields);
            a.fields[0].name = "ioc_type";
            a.fields[0].value = strdup("ipv4");
            a.fields[0].len = 4;
            a.nfields = 1;
        }
        tl_event b = a;
        b.message = strdup(a.message);
        if (a.nfields) {
            b.fields = calloc(1, sizeof *b.fields);
            b.fields[0] = a.fields[0];
            b.fields[0].value = strdup("ipv4");
        }
        tl_timeline_push(&mem, &a);
        tl_timeline_push(&spill, &b);
        tl_error err;
        ck_assert_int_eq(spill_past_budget(&spill, set, &err), 0);
    }
    /* a few hundred spills, but few files: at most FANIN - 1 per level */
    unsigned top = 0;
    for (size_t i = 0; i < spill.nruns; i++)
        if (spill.run_level[i] > top) top = spill.run_level[i];
    ck_assert_uint_ge(top, 2);
    ck_assert_uint_lt(spill.nruns, (top + 1) * (TL_RUN_FANIN - 1) + 1);
    size_t files = 0;
    DIR *dh = opendir(spill.spill_dir);
    ck_assert_ptr_nonnull(dh);
    for (struct dirent *de; (de = readdir(dh)) != NULL;) files += de->d_name[0] != '.';
    closedir(dh);
    ck_assert_uint_eq(files, spill.nruns); /* merged runs are deleted */
    ck_assert_uint_eq(spill.total, N);
    /* the tallies survive spilling: they equal the all-in-memory ones */
    uint64_t hits = 0;
    for (size_t r = 0; r < 3; r++) {
        hits += spill.tally[r].hits;
        ck_assert_uint_eq(spill.tally[r].hits, mem.tally[r].hits);
        ck_assert_uint_eq(spill.tally[r].timed, mem.tally[r].timed);
        ck_assert_uint_eq(spill.tally[r].fresh, mem.tally[r].fresh);
        ck_assert_int_eq(spill.tally[r].first_us, mem.tally[r].first_us);
        ck_assert_int_eq(spill.tally[r].last_us, mem.tally[r].last_us);
    }
    ck_assert_uint_eq(hits, N);
    tl_timeline_finish(&mem, SOURCES, set);
    tl_timeline_finish(&spill, SOURCES, set);
    ck_assert_uint_eq(same_order(&mem, &spill), N);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", spill.spill_dir);
    tl_timeline_free(&mem);
    tl_timeline_free(&spill);
    struct stat st;
    ck_assert_int_ne(stat(dir, &st), 0); /* runs and their directory are gone */
    tl_pattern_set_free(set);
}
END_TEST

/* A run that cannot be written loses no event: the spill reports the error and everything
 * stays in memory. The run's name is a link to /dev/full (every write fails as on a full disk
 * once the buffer is flushed) or, without /dev/full, a directory (the open fails). */
START_TEST(test_failed_run_loses_nothing)
{
    tl_pattern_set *set = rules();
    tl_timeline mem, sp;
    tl_timeline_init(&mem, 3, 0, NULL);
    tl_timeline_init(&sp, 3, 4096, tmpdir);
    unsigned seed = 21;
    const size_t N = 3000;
    int failed = 0;
    char squat[600] = "";
    for (size_t i = 0; i < N; i++) {
        tl_event a = ev(i, TL_TSQ_PARSED, (int64_t)(rand_r(&seed) % 500), (uint32_t)(rand_r(&seed) % 5),
                        (uint64_t)(rand_r(&seed) % 50), 0, (uint32_t)(rand_r(&seed) % 3));
        tl_event b = a;
        b.message = strdup(a.message);
        tl_timeline_push(&mem, &a);
        tl_timeline_push(&sp, &b);
        if (failed) continue; /* the scanner stops spilling after a failure */
        if (sp.spill_dir && !squat[0]) {
            snprintf(squat, sizeof squat, "%s/run-%06zu", sp.spill_dir, sp.run_seq);
            if (access("/dev/full", W_OK) == 0) ck_assert_int_eq(symlink("/dev/full", squat), 0);
            else ck_assert_int_eq(mkdir(squat, 0700), 0);
        }
        tl_error err;
        if (spill_past_budget(&sp, set, &err) != 0) {
            ck_assert_int_eq(err.code, TL_EIO);
            ck_assert_ptr_nonnull(strstr(err.msg, squat));
            failed = 1;
        }
    }
    ck_assert_int_eq(failed, 1);
    ck_assert_uint_eq(sp.nruns, 1);
    ck_assert_uint_eq(sp.total, N);
    tl_timeline_finish(&mem, SOURCES, set);
    tl_timeline_finish(&sp, SOURCES, set);
    ck_assert_uint_eq(same_order(&mem, &sp), N);
    if (rmdir(squat) != 0) unlink(squat);
    tl_timeline_free(&mem);
    tl_timeline_free(&sp);
    tl_pattern_set_free(set);
}
END_TEST

static Suite *timeline_suite(void)
{
    Suite *s = suite_create("timeline");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_sort_order);
    tcase_add_test(core, test_event_ownership);
    tcase_add_test(core, test_flag_names);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_random_large_and_deterministic);
    tcase_add_test(limits, test_spill_and_merge_equal_memory_order);
    tcase_add_test(limits, test_failed_run_loses_nothing);
    tcase_add_test(limits, test_empty_and_single);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);
    return s;
}

int main(void)
{
    return tl_test_main(timeline_suite(), tmpdir, sizeof tmpdir, "timeline");
}
