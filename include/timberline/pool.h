/* Ordered worker pool: jobs are submitted in sequence, run on N threads in any order, and
 * taken back by their single owner in submission order, which is what makes output
 * deterministic for any thread count. Also the turn-taking readers (tl_turns) and a side
 * thread for in-order byte work (tl_side). The only module that includes <pthread.h>. */
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

/* Turns: N threads ("slots") that each do blocking I/O of their own but touch shared state
 * only while holding the turn, which goes round the live slots in a fixed ring order. Every
 * slot gives the turn away before a blocking read and waits for it afterwards, so reads
 * overlap while the order of everything done under the turn depends only on the data. */
typedef struct tl_turns tl_turns;

/* A slot's body; it starts holding the turn and must end with tl_turns_leave. */
typedef void (*tl_turns_fn)(void *ctx, tl_turns *t, int slot);

/* Runs fn on `nslots` slots (slot 0 in the calling thread, the others on new threads) and
 * returns when all have left. If a thread cannot be started, its slot is simply left out. */
int tl_turns_run(int nslots, tl_turns_fn fn, void *ctx, tl_error *err);

/* Hands the turn to the next live slot (the caller must hold it). */
void tl_turns_pass(tl_turns *t, int slot);

/* Blocks until the turn comes back to `slot`. */
void tl_turns_wait(tl_turns *t, int slot);

/* The slot is done: it leaves the ring and hands the turn on (the caller must hold it). */
void tl_turns_leave(tl_turns *t, int slot);


/* A side thread: work on a copy of a byte stream, run off the caller's thread in the order it
 * was given (the unpack worker hashes on one while it inflates). Threads share only the ring. */
typedef struct tl_side tl_side;
typedef void (*tl_side_fn)(void *ctx, const void *data, size_t len);
/* Starts the thread with `nslots` (>= 2) buffers of `slot_bytes` each. */
int tl_side_start(tl_side **out, size_t slot_bytes, int nslots, tl_error *err);
/* Queues fn(ctx, copy of p, n); blocks only while every slot is in use. */
void tl_side_push(tl_side *s, tl_side_fn fn, void *ctx, const void *p, size_t n);
/* Hands over what was queued so far without waiting for it to run (a push only hands over a
 * buffer once it is full); like a push, it blocks only while every buffer is in use. */
void tl_side_flush(tl_side *s);
/* Returns when everything queued so far has run (before reading a result fn produced). */
void tl_side_sync(tl_side *s);
/* Syncs, stops the thread and frees. NULL is a no-op. */
void tl_side_stop(tl_side *s);
#endif
