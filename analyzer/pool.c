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

/* ------------------------------------------------------------------ turns
 *
 * DESIGN: one mutex and one condition variable; `turn` names the slot that may touch shared
 * state. A slot hands the turn to the next live slot in ring order and later waits for it to
 * come back, so the sequence of turns is fixed by the slots' own (deterministic) work, never by
 * which thread happens to be faster. */

struct tl_turns {
    int n;
    int turn;
    int *alive;
    tl_turns_fn fn;
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

struct turns_arg {
    tl_turns *t;
    int slot;
};

static void *turns_main(void *arg)
{
    struct turns_arg *a = arg;
    tl_turns_wait(a->t, a->slot);
    a->t->fn(a->t->ctx, a->t, a->slot);
    return NULL;
}

/* Next live slot after `slot` in ring order (slot itself when it is the only one). Under mu. */
static int next_alive(const tl_turns *t, int slot)
{
    for (int k = 1; k <= t->n; k++) {
        int s = (slot + k) % t->n;
        if (t->alive[s]) return s;
    }
    return slot;
}

int tl_turns_run(int nslots, tl_turns_fn fn, void *ctx, tl_error *err)
{
    if (nslots < 1) return tl_error_set(err, TL_EUSAGE, "turns need at least one slot");
    tl_turns t = {.n = nslots, .turn = 0, .fn = fn, .ctx = ctx};
    t.alive = tl_xcalloc((size_t)nslots, sizeof *t.alive);
    for (int i = 0; i < nslots; i++) t.alive[i] = 1;
    if (pthread_mutex_init(&t.mu, NULL) != 0 || pthread_cond_init(&t.cv, NULL) != 0)
        tl_panic(__FILE__, __LINE__, "pthread init");
    pthread_t *th = tl_xcalloc((size_t)nslots, sizeof *th);
    struct turns_arg *args = tl_xcalloc((size_t)nslots, sizeof *args);
    int started = 1, rc = TL_OK;
    for (int i = 1; i < nslots; i++) {
        args[i] = (struct turns_arg){&t, i};
        int prc = pthread_create(&th[i], NULL, turns_main, &args[i]);
        if (prc != 0) {
            /* fewer slots than asked: the ones that never started leave the ring */
            lock(&t.mu);
            for (int k = i; k < nslots; k++) t.alive[k] = 0;
            unlock(&t.mu);
            break;
        }
        started++;
    }
    /* slot 0 runs here and holds the first turn */
    fn(ctx, &t, 0);
    for (int i = 1; i < started; i++) pthread_join(th[i], NULL);
    pthread_mutex_destroy(&t.mu);
    pthread_cond_destroy(&t.cv);
    free(th);
    free(args);
    free(t.alive);
    return rc;
}

void tl_turns_pass(tl_turns *t, int slot)
{
    lock(&t->mu);
    TL_ASSERT(t->turn == slot);
    t->turn = next_alive(t, slot);
    pthread_cond_broadcast(&t->cv);
    unlock(&t->mu);
}

void tl_turns_wait(tl_turns *t, int slot)
{
    lock(&t->mu);
    while (t->turn != slot) pthread_cond_wait(&t->cv, &t->mu);
    unlock(&t->mu);
}

void tl_turns_leave(tl_turns *t, int slot)
{
    lock(&t->mu);
    TL_ASSERT(t->turn == slot);
    t->alive[slot] = 0;
    t->turn = next_alive(t, slot);
    pthread_cond_broadcast(&t->cv);
    unlock(&t->mu);
}

/* ------------------------------------------------------------------ side thread
 *
 * DESIGN: a ring of fixed slots. The caller fills one slot at a time (consecutive bytes for the
 * same fn/ctx are appended to it, so 16 KiB blocks do not cost a hand-over each) and publishes
 * it when it is full or the target changes; the side thread runs the slots in ring order. The
 * bytes are copied because the caller's blocks (libarchive's, the inflater's) are only valid
 * until its next read: a copy costs far less than the work it moves off the caller's thread. */

struct side_slot {
    tl_side_fn fn;
    void *ctx;
    size_t len;
    unsigned char *data;
};

struct tl_side {
    struct side_slot *slots;
    int nslots;
    size_t slot_bytes;
    int head;    /* next slot the thread runs */
    int tail;    /* slot the caller fills; published slots are head..tail-1 */
    int ready;   /* published, not yet run */
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    pthread_t th;
    int started;
};

static void *side_main(void *arg)
{
    tl_side *s = arg;
    lock(&s->mu);
    for (;;) {
        while (!s->ready && !s->stop) pthread_cond_wait(&s->cv_work, &s->mu);
        if (!s->ready) break; /* stopped and drained */
        struct side_slot *sl = &s->slots[s->head];
        unlock(&s->mu);
        sl->fn(sl->ctx, sl->data, sl->len);
        lock(&s->mu);
        sl->len = 0;
        s->head = (s->head + 1) % s->nslots;
        s->ready--;
        pthread_cond_broadcast(&s->cv_done);
    }
    unlock(&s->mu);
    return NULL;
}

int tl_side_start(tl_side **out, size_t slot_bytes, int nslots, tl_error *err)
{
    *out = NULL;
    if (nslots < 2 || slot_bytes == 0)
        return tl_error_set(err, TL_EUSAGE, "a side thread needs two slots or more");
    tl_side *s = tl_xcalloc(1, sizeof *s);
    s->nslots = nslots;
    s->slot_bytes = slot_bytes;
    s->slots = tl_xcalloc((size_t)nslots, sizeof *s->slots);
    for (int i = 0; i < nslots; i++) s->slots[i].data = tl_xmalloc(slot_bytes);
    if (pthread_mutex_init(&s->mu, NULL) != 0 || pthread_cond_init(&s->cv_work, NULL) != 0 ||
        pthread_cond_init(&s->cv_done, NULL) != 0)
        tl_panic(__FILE__, __LINE__, "pthread init");
    int prc = pthread_create(&s->th, NULL, side_main, s);
    if (prc != 0) {
        tl_side_stop(s);
        return tl_error_set(err, TL_EGENERIC, "cannot start a thread: %s", strerror(prc));
    }
    s->started = 1;
    *out = s;
    return TL_OK;
}

/* Publishes the slot being filled (if any) and waits for a free one. Under mu. */
static void side_publish(tl_side *s)
{
    if (!s->slots[s->tail].len) return;
    s->tail = (s->tail + 1) % s->nslots;
    s->ready++;
    pthread_cond_signal(&s->cv_work);
    /* tail is head + ready: with every slot published it is one still waiting to run */
    while (s->ready == s->nslots) pthread_cond_wait(&s->cv_done, &s->mu);
}

void tl_side_push(tl_side *s, tl_side_fn fn, void *ctx, const void *p, size_t n)
{
    if (!s->started) { /* never started (or stopped): run in place */
        fn(ctx, p, n);
        return;
    }
    const unsigned char *q = p;
    while (n) {
        struct side_slot *sl = &s->slots[s->tail];
        if (sl->len && (sl->fn != fn || sl->ctx != ctx || sl->len == s->slot_bytes)) {
            lock(&s->mu);
            side_publish(s);
            unlock(&s->mu);
            sl = &s->slots[s->tail];
        }
        /* the tail slot is the caller's alone until published: no lock to fill it */
        size_t k = s->slot_bytes - sl->len;
        if (k > n) k = n;
        sl->fn = fn;
        sl->ctx = ctx;
        memcpy(sl->data + sl->len, q, k);
        sl->len += k;
        q += k;
        n -= k;
    }
}

void tl_side_sync(tl_side *s)
{
    if (!s || !s->started) return;
    lock(&s->mu);
    side_publish(s);
    while (s->ready) pthread_cond_wait(&s->cv_done, &s->mu);
    unlock(&s->mu);
}

void tl_side_flush(tl_side *s)
{
    if (!s || !s->started) return;
    lock(&s->mu);
    side_publish(s);
    unlock(&s->mu);
}

void tl_side_stop(tl_side *s)
{
    if (!s) return;
    if (s->started) {
        tl_side_sync(s);
        lock(&s->mu);
        s->stop = 1;
        pthread_cond_signal(&s->cv_work);
        unlock(&s->mu);
        pthread_join(s->th, NULL);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv_work);
    pthread_cond_destroy(&s->cv_done);
    for (int i = 0; i < s->nslots; i++) free(s->slots[i].data);
    free(s->slots);
    free(s);
}
