/* Ordered worker pool (see pool.h).
 *
 * DESIGN: a ring of `capacity` slots indexed by sequence number. `submitted` counts jobs the
 * owner queued, `dispatched` jobs a worker has claimed, `taken` jobs the owner got back; the
 * invariant is taken <= dispatched <= submitted <= taken + capacity. Workers claim slots in
 * order but finish in any order and mark the slot done; the owner waits for slot `taken` only,
 * so results come back in submission order. One mutex guards every field below it; `work`
 * wakes workers, `done` wakes the owner. */
#include "timberline/pool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { SLOT_EMPTY, SLOT_PENDING, SLOT_RUNNING, SLOT_DONE };

struct slot {
    void *job;
    int state;
};

struct tl_pool {
    tl_pool_work_fn fn;
    void **ctxs;
    int nthreads;
    size_t capacity;
    pthread_t *threads;
    struct worker_arg *args;
    void *inline_ctx; /* nthreads == 0: jobs run in the owner, in tl_pool_take */

    pthread_mutex_t mu;
    pthread_cond_t work; /* signalled when submitted grows or on shutdown */
    pthread_cond_t done; /* signalled when a slot becomes SLOT_DONE */
    /* guarded by mu: */
    struct slot *slots;
    uint64_t submitted, dispatched, taken;
    int shutdown;
};

struct worker_arg {
    tl_pool *pool;
    void *ctx;
};

static void lock(pthread_mutex_t *m)
{
    if (pthread_mutex_lock(m) != 0) tl_panic(__FILE__, __LINE__, "pthread_mutex_lock");
}

static void unlock(pthread_mutex_t *m)
{
    if (pthread_mutex_unlock(m) != 0) tl_panic(__FILE__, __LINE__, "pthread_mutex_unlock");
}

static void *worker_main(void *arg)
{
    struct worker_arg *wa = arg;
    tl_pool *p = wa->pool;
    lock(&p->mu);
    for (;;) {
        while (!p->shutdown && p->dispatched == p->submitted) pthread_cond_wait(&p->work, &p->mu);
        if (p->dispatched == p->submitted) break; /* shutdown and nothing left */
        struct slot *s = &p->slots[p->dispatched % p->capacity];
        p->dispatched++;
        s->state = SLOT_RUNNING;
        void *job = s->job;
        unlock(&p->mu);
        p->fn(wa->ctx, job);
        lock(&p->mu);
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&p->done);
    }
    unlock(&p->mu);
    return NULL;
}

int tl_pool_create(tl_pool **out, int nthreads, size_t capacity, tl_pool_work_fn fn,
                   void **worker_ctxs, tl_error *err)
{
    *out = NULL;
    if (nthreads < 0 || capacity < 1)
        return tl_error_set(err, TL_EUSAGE, "pool needs a thread count >= 0 and one slot");
    tl_pool *p = tl_xcalloc(1, sizeof *p);
    p->fn = fn;
    p->nthreads = 0;
    p->capacity = capacity;
    p->slots = tl_xcalloc(capacity, sizeof *p->slots);
    p->threads = tl_xcalloc((size_t)nthreads + 1, sizeof *p->threads);
    p->args = tl_xcalloc((size_t)nthreads + 1, sizeof *p->args);
    p->inline_ctx = worker_ctxs ? worker_ctxs[0] : NULL;
    if (pthread_mutex_init(&p->mu, NULL) != 0 || pthread_cond_init(&p->work, NULL) != 0 ||
        pthread_cond_init(&p->done, NULL) != 0)
        tl_panic(__FILE__, __LINE__, "pthread init");
    for (int i = 0; i < nthreads; i++) {
        p->args[i].pool = p;
        p->args[i].ctx = worker_ctxs ? worker_ctxs[i] : NULL;
        int rc = pthread_create(&p->threads[i], NULL, worker_main, &p->args[i]);
        if (rc != 0) {
            tl_pool_free(p);
            return tl_error_set(err, TL_EGENERIC, "cannot start worker thread %d: %s", i,
                                strerror(rc));
        }
        p->nthreads++;
    }
    *out = p;
    return TL_OK;
}

int tl_pool_full(const tl_pool *pool)
{
    tl_pool *p = (tl_pool *)pool;
    lock(&p->mu);
    int full = p->submitted - p->taken >= p->capacity;
    unlock(&p->mu);
    return full;
}

size_t tl_pool_in_flight(const tl_pool *pool)
{
    tl_pool *p = (tl_pool *)pool;
    lock(&p->mu);
    size_t n = (size_t)(p->submitted - p->taken);
    unlock(&p->mu);
    return n;
}

void tl_pool_submit(tl_pool *p, void *job)
{
    lock(&p->mu);
    TL_ASSERT(p->submitted - p->taken < p->capacity);
    struct slot *s = &p->slots[p->submitted % p->capacity];
    s->job = job;
    s->state = SLOT_PENDING;
    p->submitted++;
    pthread_cond_signal(&p->work);
    unlock(&p->mu);
}

void *tl_pool_take(tl_pool *p)
{
    if (p->nthreads == 0) {
        /* no workers: the owner runs the oldest job itself; nobody else touches the ring */
        if (p->taken == p->submitted) return NULL;
        struct slot *s = &p->slots[p->taken % p->capacity];
        p->fn(p->inline_ctx, s->job);
        void *job = s->job;
        s->job = NULL;
        s->state = SLOT_EMPTY;
        p->taken++;
        return job;
    }
    lock(&p->mu);
    if (p->taken == p->submitted) {
        unlock(&p->mu);
        return NULL;
    }
    struct slot *s = &p->slots[p->taken % p->capacity];
    while (s->state != SLOT_DONE) pthread_cond_wait(&p->done, &p->mu);
    void *job = s->job;
    s->job = NULL;
    s->state = SLOT_EMPTY;
    p->taken++;
    unlock(&p->mu);
    return job;
}

void tl_pool_free(tl_pool *p)
{
    if (!p) return;
    lock(&p->mu);
    p->shutdown = 1;
    pthread_cond_broadcast(&p->work);
    unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    free(p->slots);
    free(p->threads);
    free(p->args);
    free(p);
}
