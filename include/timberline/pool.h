/* Ordered worker pool: jobs are submitted in sequence, run on N threads in any order, and
 * taken back by their single owner in submission order, which is what makes output
 * deterministic for any thread count. The only module that includes <pthread.h>. */
#ifndef TIMBERLINE_POOL_H
#define TIMBERLINE_POOL_H

#include <stddef.h>

#include "timberline/error.h"

typedef struct tl_pool tl_pool;

/* Runs one job on a worker thread. `worker_ctx` is that thread's own context (never shared);
 * the job belongs to the worker until the function returns. */
typedef void (*tl_pool_work_fn)(void *worker_ctx, void *job);

/* Starts `nthreads` workers. `worker_ctxs` holds one context per thread (borrowed: must
 * outlive the pool). With `nthreads == 0` no thread is started: tl_pool_take runs each job in
 * the owner's thread with worker_ctxs[0], so `-j1` really is one thread in all. At most `capacity` jobs may be in flight (submitted but not taken): the
 * owner keeps memory bounded by taking a result before submitting past it. */
int tl_pool_create(tl_pool **out, int nthreads, size_t capacity, tl_pool_work_fn fn,
                   void **worker_ctxs, tl_error *err);

/* Queues a job; never blocks. The caller must check tl_pool_full() first (asserted). */
void tl_pool_submit(tl_pool *pool, void *job);

/* True when `capacity` jobs are in flight. */
int tl_pool_full(const tl_pool *pool);

/* Number of jobs submitted and not yet taken. */
size_t tl_pool_in_flight(const tl_pool *pool);

/* Blocks until the oldest in-flight job is done and returns it (ownership back to the
 * caller); NULL when nothing is in flight. Owner thread only. */
void *tl_pool_take(tl_pool *pool);

/* Stops and joins the workers; pending jobs must have been taken. NULL is a no-op. */
void tl_pool_free(tl_pool *pool);

#endif
