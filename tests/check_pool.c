/* Unit tests for the pool module: results come back in submission order for any thread count
 * while jobs finish out of order, the in-flight cap holds, each worker keeps its own context,
 * and the edge cases (empty take, free(NULL), bad arguments, submit past capacity). */
#include <check.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timberline/pool.h"

struct worker {
    int id;
    atomic_int busy; /* set while this context runs a job: two at once means sharing */
    atomic_long jobs;
};

struct job {
    size_t seq;
    unsigned sleep_us;
    unsigned work;
    uint64_t result;
    int worker; /* which context ran it */
    long done_order; /* global completion stamp */
};

/* Shared by the workers of one test: every field is atomic. */
static atomic_int running;     /* jobs inside the work function right now */
static atomic_int max_running; /* the most seen at once */
static atomic_long completions;
static atomic_int ctx_shared;  /* a context was used by two threads at once */

static void sleep_us(unsigned us)
{
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static uint64_t expected_result(size_t seq, unsigned work)
{
    uint64_t h = 1469598103934665603ull ^ seq;
    for (unsigned i = 0; i < work; i++) h = (h ^ i) * 1099511628211ull;
    return h;
}

static void work_fn(void *ctx, void *arg)
{
    struct worker *w = ctx;
    struct job *j = arg;
    int now = atomic_fetch_add(&running, 1) + 1;
    int prev = atomic_load(&max_running);
    while (now > prev && !atomic_compare_exchange_weak(&max_running, &prev, now)) {
    }
    if (w) {
        if (atomic_exchange(&w->busy, 1) != 0) atomic_store(&ctx_shared, 1);
        atomic_fetch_add(&w->jobs, 1);
    }
    if (j->sleep_us) sleep_us(j->sleep_us);
    j->result = expected_result(j->seq, j->work);
    j->worker = w ? w->id : -1;
    if (w) atomic_store(&w->busy, 0);
    j->done_order = atomic_fetch_add(&completions, 1);
    atomic_fetch_sub(&running, 1);
}

static void reset_counters(void)
{
    atomic_store(&running, 0);
    atomic_store(&max_running, 0);
    atomic_store(&completions, 0);
    atomic_store(&ctx_shared, 0);
}

/* Checks one job taken back from the pool: it is the next in sequence and fully done. */
static void check_taken(struct job *j, size_t want_seq, int nthreads)
{
    ck_assert_ptr_nonnull(j);
    ck_assert_uint_eq(j->seq, want_seq);
    ck_assert_msg(j->result == expected_result(j->seq, j->work), "job %zu result", j->seq);
    ck_assert_int_ge(j->worker, 0);
    ck_assert_int_lt(j->worker, nthreads);
}

/* Runs njobs through a pool of nthreads/capacity, with per-job random sleep and work from a
 * fixed seed, taking results whenever the pool is full. Returns the number of jobs that
 * completed before an earlier-submitted one (evidence that order came from the pool). */
static long run_jobs(int nthreads, size_t capacity, size_t njobs, unsigned max_sleep_us,
                     unsigned seed)
{
    reset_counters();
    struct worker *ws = calloc((size_t)nthreads, sizeof *ws);
    void **ctxs = calloc((size_t)nthreads, sizeof *ctxs);
    struct job *jobs = calloc(njobs, sizeof *jobs);
    ck_assert(ws && ctxs && jobs);
    for (int i = 0; i < nthreads; i++) {
        ws[i].id = i;
        ctxs[i] = &ws[i];
    }
    for (size_t i = 0; i < njobs; i++) {
        jobs[i].seq = i;
        jobs[i].sleep_us = max_sleep_us ? (unsigned)rand_r(&seed) % max_sleep_us : 0;
        jobs[i].work = (unsigned)rand_r(&seed) % 20000;
        jobs[i].worker = -1;
    }
    tl_pool *pool = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_pool_create(&pool, nthreads, capacity, work_fn, ctxs, &err), 0);
    ck_assert_ptr_nonnull(pool);

    size_t submitted = 0, taken = 0;
    while (taken < njobs) {
        size_t inflight = tl_pool_in_flight(pool);
        ck_assert_uint_eq(inflight, submitted - taken);
        ck_assert_uint_le(inflight, capacity);
        ck_assert_int_eq(tl_pool_full(pool), inflight == capacity);
        if (submitted < njobs && !tl_pool_full(pool)) {
            tl_pool_submit(pool, &jobs[submitted++]);
        } else {
            check_taken(tl_pool_take(pool), taken, nthreads);
            taken++;
        }
    }
    ck_assert_uint_eq(tl_pool_in_flight(pool), 0);
    ck_assert_ptr_null(tl_pool_take(pool));
    tl_pool_free(pool);

    ck_assert_int_le(atomic_load(&max_running), nthreads);
    ck_assert_int_le(atomic_load(&max_running), (int)capacity);
    ck_assert_int_eq(atomic_load(&ctx_shared), 0);
    ck_assert_int_eq(atomic_load(&completions), (long)njobs);
    long per_worker = 0;
    for (int i = 0; i < nthreads; i++) per_worker += atomic_load(&ws[i].jobs);
    ck_assert_int_eq(per_worker, (long)njobs);
    long out_of_order = 0;
    for (size_t i = 1; i < njobs; i++) out_of_order += jobs[i].done_order < jobs[i - 1].done_order;
    free(jobs);
    free(ctxs);
    free(ws);
    return out_of_order;
}

/* ---- core ---- */

START_TEST(test_ordered_results_1_to_4_threads)
{
    /* _i is the loop index 0..3: 1..4 threads, each with random sleeps. */
    int nthreads = _i + 1;
    long ooo = run_jobs(nthreads, 8, 300, 2000, 12345u + (unsigned)_i);
    if (nthreads == 1) ck_assert_int_eq(ooo, 0); /* one worker runs in order */
}
END_TEST

START_TEST(test_slow_first_job_finishes_last)
{
    /* Job 0 sleeps 200 ms, jobs 1..3 not at all: with 4 threads they complete first, yet
     * take() still hands back job 0 first and blocks until it is done. */
    reset_counters();
    struct worker ws[4];
    void *ctxs[4];
    memset(ws, 0, sizeof ws);
    for (int i = 0; i < 4; i++) ws[i].id = i, ctxs[i] = &ws[i];
    struct job jobs[4];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < 4; i++) jobs[i].seq = (size_t)i, jobs[i].work = 10, jobs[i].worker = -1;
    jobs[0].sleep_us = 200000;
    tl_pool *pool = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_pool_create(&pool, 4, 4, work_fn, ctxs, &err), 0);
    for (int i = 0; i < 4; i++) tl_pool_submit(pool, &jobs[i]);
    ck_assert_int_eq(tl_pool_full(pool), 1);
    for (size_t i = 0; i < 4; i++) check_taken(tl_pool_take(pool), i, 4);
    ck_assert_int_eq(jobs[0].done_order, 3); /* it really finished last */
    ck_assert_ptr_null(tl_pool_take(pool));
    tl_pool_free(pool);
}
END_TEST

START_TEST(test_take_on_empty_and_free_null)
{
    tl_pool_free(NULL); /* no-op */
    reset_counters();
    tl_pool *pool = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_pool_create(&pool, 2, 3, work_fn, NULL, &err), 0);
    ck_assert_ptr_null(tl_pool_take(pool)); /* nothing in flight: NULL, no blocking */
    ck_assert_uint_eq(tl_pool_in_flight(pool), 0);
    ck_assert_int_eq(tl_pool_full(pool), 0);
    /* NULL worker contexts are allowed: the work function gets NULL. */
    struct job j = {.seq = 7, .work = 100};
    tl_pool_submit(pool, &j);
    ck_assert_uint_eq(tl_pool_in_flight(pool), 1);
    ck_assert_ptr_eq(tl_pool_take(pool), &j);
    ck_assert_int_eq(j.worker, -1);
    ck_assert(j.result == expected_result(7, 100));
    ck_assert_ptr_null(tl_pool_take(pool));
    tl_pool_free(pool);
}
END_TEST

START_TEST(test_free_idle_pool)
{
    /* Creating and freeing without any job joins every worker cleanly. */
    for (int n = 1; n <= 8; n++) {
        tl_pool *pool = NULL;
        tl_error err = {0};
        ck_assert_int_eq(tl_pool_create(&pool, n, 1, work_fn, NULL, &err), 0);
        ck_assert_ptr_nonnull(pool);
        tl_pool_free(pool);
    }
}
END_TEST

/* ---- limits ---- */

START_TEST(test_capacity_one)
{
    /* One slot: strictly one job in flight, so never more than one running. */
    run_jobs(4, 1, 200, 300, 99u);
    ck_assert_int_eq(atomic_load(&max_running), 1);
}
END_TEST

START_TEST(test_many_small_jobs)
{
    /* 20k jobs without sleeps wrap the slot ring many times. */
    run_jobs(4, 64, 20000, 0, 7u);
    ck_assert_int_ge(atomic_load(&max_running), 1);
}
END_TEST

START_TEST(test_capacity_larger_than_jobs)
{
    /* Submit everything first (never full), then drain. */
    reset_counters();
    struct worker ws[3];
    void *ctxs[3];
    memset(ws, 0, sizeof ws);
    for (int i = 0; i < 3; i++) ws[i].id = i, ctxs[i] = &ws[i];
    struct job jobs[50];
    memset(jobs, 0, sizeof jobs);
    unsigned seed = 5;
    tl_pool *pool = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_pool_create(&pool, 3, 1000, work_fn, ctxs, &err), 0);
    for (size_t i = 0; i < 50; i++) {
        jobs[i].seq = i;
        jobs[i].sleep_us = (unsigned)rand_r(&seed) % 3000;
        jobs[i].work = 50;
        ck_assert_int_eq(tl_pool_full(pool), 0);
        tl_pool_submit(pool, &jobs[i]);
    }
    ck_assert_uint_eq(tl_pool_in_flight(pool), 50);
    for (size_t i = 0; i < 50; i++) check_taken(tl_pool_take(pool), i, 3);
    ck_assert_ptr_null(tl_pool_take(pool));
    tl_pool_free(pool);
    ck_assert_int_eq(atomic_load(&ctx_shared), 0);
}
END_TEST

/* nthreads 0 (-j1): no thread at all; each job runs in the owner, inside take, in order,
 * with the first context, and not before it is taken. */
START_TEST(test_inline_owner_runs_jobs)
{
    reset_counters();
    struct worker w = {.id = 0};
    void *ctxs[1] = {&w};
    struct job j[5];
    memset(j, 0, sizeof j);
    tl_pool *pool = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_pool_create(&pool, 0, 3, work_fn, ctxs, &err), 0);
    size_t submitted = 0, taken = 0;
    while (taken < 5) {
        if (submitted < 5 && !tl_pool_full(pool)) {
            j[submitted].seq = submitted;
            j[submitted].work = 100 + (unsigned)submitted;
            j[submitted].worker = -1;
            tl_pool_submit(pool, &j[submitted++]);
            /* nothing runs behind the owner's back */
            ck_assert_int_eq(atomic_load(&completions), (long)taken);
        } else {
            struct job *t = tl_pool_take(pool);
            check_taken(t, taken, 1);
            ck_assert_int_eq(t->done_order, (long)taken);
            taken++;
        }
    }
    ck_assert_ptr_null(tl_pool_take(pool));
    ck_assert_int_eq(atomic_load(&w.jobs), 5);
    ck_assert_int_eq(atomic_load(&max_running), 1);
    tl_pool_free(pool);
}
END_TEST

/* Turns: slots with different amounts of work and random "I/O" sleeps outside the turn; what
 * they log under the turn is the same round-robin sequence on every run. */
struct turns_ctx {
    int steps[4];      /* segments each slot does */
    int log[64];       /* slot of each segment, in the order done under the turn */
    int nlog;
    atomic_int inside; /* slots inside the turn right now: never more than one */
    atomic_int overlap;
    unsigned seed;
};

static void turns_body(void *ctx, tl_turns *t, int slot)
{
    struct turns_ctx *c = ctx;
    for (int k = 0; k < c->steps[slot]; k++) {
        if (atomic_fetch_add(&c->inside, 1) != 0) atomic_store(&c->overlap, 1);
        c->log[c->nlog++] = slot;
        unsigned us = (unsigned)rand_r(&c->seed) % 3000;
        atomic_fetch_sub(&c->inside, 1);
        tl_turns_pass(t, slot);
        sleep_us(us); /* the blocking read, overlapping other slots */
        tl_turns_wait(t, slot);
    }
    tl_turns_leave(t, slot);
}

START_TEST(test_turns_fixed_order)
{
    const int want[] = {0, 1, 2, 0, 1, 2, 0, 2, 0, 2, 0, 0};
    for (int run = 0; run < 5; run++) {
        struct turns_ctx c = {.steps = {6, 2, 4, 0}, .seed = 77u + (unsigned)run};
        tl_error err = {0};
        ck_assert_int_eq(tl_turns_run(3, turns_body, &c, &err), 0);
        ck_assert_int_eq(c.nlog, 12);
        for (int i = 0; i < 12; i++) ck_assert_int_eq(c.log[i], want[i]);
        ck_assert_int_eq(atomic_load(&c.overlap), 0);
    }
    /* one slot: no thread, runs straight through */
    struct turns_ctx one = {.steps = {3}};
    ck_assert_int_eq(tl_turns_run(1, turns_body, &one, NULL), 0);
    ck_assert_int_eq(one.nlog, 3);
    ck_assert_int_eq(tl_turns_run(0, turns_body, &one, NULL), TL_EUSAGE);
}
END_TEST

/* ---- side thread ---- */

/* What a side job saw: the bytes in arrival order, and that it never ran beside another. */
struct side_sink {
    unsigned char *got;
    size_t len;
    atomic_int *running;
    int overlap;
};

static void side_collect(void *ctx, const void *data, size_t len)
{
    struct side_sink *k = ctx;
    if (atomic_fetch_add(k->running, 1) != 0) k->overlap = 1;
    if (len && (rand() & 7) == 0) nanosleep(&(struct timespec){0, 200000}, NULL);
    memcpy(k->got + k->len, data, len);
    k->len += len;
    atomic_fetch_sub(k->running, 1);
}

START_TEST(test_side_thread_keeps_order_per_target)
{
    /* Three targets fed interleaved pieces of every size from 0 to past a slot (3 slots of
     * 1000 bytes): each must see exactly its own bytes in order, and a sync must mean done. */
    enum { N = 60000 };
    atomic_int in_job = 0;
    struct side_sink k[3];
    unsigned char *want[3];
    size_t wlen[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        k[i] = (struct side_sink){malloc(N), 0, &in_job, 0};
        want[i] = malloc(N);
        ck_assert(k[i].got && want[i]);
    }
    tl_side *side = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_side_start(&side, 1000, 3, &err), TL_OK);
    unsigned char piece[2600];
    unsigned seed = 7;
    for (int round = 0; round < 400; round++) {
        int t = (int)(rand_r(&seed) % 3);
        size_t n = (size_t)(rand_r(&seed) % sizeof piece);
        if (wlen[t] + n > N) break;
        for (size_t b = 0; b < n; b++) piece[b] = (unsigned char)rand_r(&seed);
        memcpy(want[t] + wlen[t], piece, n);
        wlen[t] += n;
        tl_side_push(side, side_collect, &k[t], piece, n);
        memset(piece, 0xEE, sizeof piece); /* the side thread must work on its own copy */
        if (round % 97 == 0) {
            tl_side_sync(side);
            for (int i = 0; i < 3; i++) ck_assert_uint_eq(k[i].len, wlen[i]);
        }
    }
    tl_side_stop(side);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(k[i].len, wlen[i]);
        ck_assert_int_eq(memcmp(k[i].got, want[i], wlen[i]), 0);
        ck_assert_int_eq(k[i].overlap, 0);
        free(k[i].got);
        free(want[i]);
    }
    ck_assert_int_eq(tl_side_start(&side, 1000, 1, &err), TL_EUSAGE);
    ck_assert_ptr_null(side);
    tl_side_sync(NULL);
    tl_side_stop(NULL);
}
END_TEST

/* ---- errors ---- */

static void side_count(void *ctx, const void *data, size_t len)
{
    (void)data;
    atomic_fetch_add((atomic_size_t *)ctx, len);
}

/* A flush hands a part-filled buffer over without waiting: the scanner frees spilled events
 * that way, and without it the last buffer of a spill would wait for the next spill. */
START_TEST(test_side_flush_hands_over_without_sync)
{
    tl_side *side = NULL;
    tl_error err;
    ck_assert_int_eq(tl_side_start(&side, 4096, 2, &err), TL_OK);
    atomic_size_t done = 0;
    char piece[100] = {0};
    tl_side_push(side, side_count, &done, piece, sizeof piece);
    tl_side_flush(side);
    struct timespec nap = {0, 1000000};
    for (int i = 0; i < 5000 && atomic_load(&done) != sizeof piece; i++) nanosleep(&nap, NULL);
    ck_assert_uint_eq(atomic_load(&done), sizeof piece);
    tl_side_flush(side); /* nothing queued: a no-op */
    tl_side_flush(NULL);
    tl_side_stop(side);
}
END_TEST

START_TEST(test_bad_arguments)
{
    tl_pool *pool = (tl_pool *)&pool;
    tl_error err = {0};
    ck_assert_int_eq(tl_pool_create(&pool, -1, 4, work_fn, NULL, &err), TL_EUSAGE);
    ck_assert_ptr_null(pool);
    ck_assert_int_eq(err.code, TL_EUSAGE);
    ck_assert_msg(err.msg[0] != '\0', "empty message");
    pool = (tl_pool *)&pool;
    tl_error_clear(&err);
    ck_assert_int_eq(tl_pool_create(&pool, 2, 0, work_fn, NULL, &err), TL_EUSAGE);
    ck_assert_ptr_null(pool);
    ck_assert_int_eq(tl_pool_create(&pool, -3, 1, work_fn, NULL, NULL), TL_EUSAGE);
}
END_TEST

START_TEST(test_submit_past_capacity_aborts)
{
    /* A broken caller invariant is the abort tier (TL_ASSERT), not silent overflow. */
    tl_pool *pool = NULL;
    tl_error err = {0};
    ck_assert_int_eq(tl_pool_create(&pool, 1, 2, work_fn, NULL, &err), 0);
    struct job j[3];
    memset(j, 0, sizeof j);
    tl_pool_submit(pool, &j[0]);
    tl_pool_submit(pool, &j[1]);
    ck_assert_int_eq(tl_pool_full(pool), 1);
    ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr)); /* keep the panic line quiet */
    tl_pool_submit(pool, &j[2]);                               /* must abort */
    ck_abort_msg("submit past capacity returned");
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *core = tcase_create("core");
    tcase_add_loop_test(core, test_ordered_results_1_to_4_threads, 0, 4);
    tcase_add_test(core, test_slow_first_job_finishes_last);
    tcase_add_test(core, test_take_on_empty_and_free_null);
    tcase_add_test(core, test_free_idle_pool);
    tcase_add_test(core, test_inline_owner_runs_jobs);
    tcase_add_test(core, test_turns_fixed_order);
    tcase_add_test(core, test_side_thread_keeps_order_per_target);
    tcase_add_test(core, test_side_flush_hands_over_without_sync);
    tcase_set_timeout(core, 60);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_capacity_one);
    tcase_add_test(limits, test_many_small_jobs);
    tcase_add_test(limits, test_capacity_larger_than_jobs);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);

    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_bad_arguments);
    /* Needs fork mode (the default, and what `make unit` sets) to observe the abort. */
    if (getenv("CK_FORK") == NULL || strcmp(getenv("CK_FORK"), "no") != 0)
        tcase_add_test_raise_signal(errors, test_submit_past_capacity_aborts, SIGABRT);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pool_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
