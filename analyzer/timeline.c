/* Timeline storage and sort. The comparator is total (read order last), so the output order
 * never depends on qsort's instability, thread timing or locale. */
#include "timberline/timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timberline/buf.h"

const char *tl_flag_name(int bit)
{
    static const char *names[TL_FLAG_COUNT] = {"long-line", "message-truncated", "dst-gap",
                                               "dst-repeat"};
    return (bit >= 0 && bit < TL_FLAG_COUNT) ? names[bit] : "?";
}


struct sort_ctx {
    const char *const *sources;
    const tl_pattern_set *set;
};

static int cmp_event(const void *a, const void *b, void *arg)
{
    const tl_event *x = a, *y = b;
    const struct sort_ctx *c = arg;
    int xn = x->quality == TL_TSQ_NONE, yn = y->quality == TL_TSQ_NONE;
    if (xn != yn) return xn - yn;
    if (!xn && x->ts_us != y->ts_us) return x->ts_us < y->ts_us ? -1 : 1;
    if (x->item != y->item) {
        int s = strcmp(c->sources[x->item], c->sources[y->item]);
        if (s) return s;
    }
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    if (x->rule != y->rule) {
        int s = strcmp(tl_pattern_set_rule(c->set, x->rule)->id,
                       tl_pattern_set_rule(c->set, y->rule)->id);
        if (s) return s;
    }
    /* two members of one archive under the same name (a tar appended to): archive order, which
     * item numbers keep before and after renumbering. Read order cannot settle this one: it
     * depends on when each member's pending events were committed. */
    if (x->item != y->item) return x->item < y->item ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void tl_timeline_sort(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set)
{
    struct sort_ctx c = {sources, set};
    if (tl->n) qsort_r(tl->ev, tl->n, sizeof *tl->ev, cmp_event, &c);
}

void tl_event_clear(tl_event *ev)
{
    if (ev->block) {
        free(ev->block);
    } else {
        free(ev->message);
        free(ev->indicator);
        for (size_t i = 0; i < ev->nfields; i++) free(ev->fields[i].value);
        free(ev->fields);
    }
    memset(ev, 0, sizeof *ev);
}

char *tl_event_alloc(tl_event *ev, size_t msg_len, size_t ind_len, size_t nfields, size_t vals_len)
{
    size_t fb = nfields * sizeof(tl_field);
    char *b = tl_xmalloc(fb + msg_len + 1 + ind_len + 1 + vals_len + nfields + 1);
    ev->block = b;
    ev->fields = nfields ? (tl_field *)(void *)b : NULL;
    if (nfields) memset(b, 0, fb);
    ev->nfields = 0; /* the caller counts the fields it fills */
    ev->message = b + fb;
    ev->message_len = msg_len;
    ev->message[msg_len] = '\0';
    ev->indicator = ev->message + msg_len + 1;
    ev->indicator_len = ind_len;
    ev->indicator[ind_len] = '\0';
    return ev->indicator + ind_len + 1;
}

static size_t event_bytes(const tl_event *ev);

void tl_timeline_push(tl_timeline *tl, const tl_event *ev)
{
    if (tl->n == tl->cap) {
        tl->cap = tl->cap ? tl->cap * 2 : 1024;
        tl->ev = tl_xrealloc(tl->ev, tl->cap * sizeof *tl->ev);
    }
    tl->ev[tl->n++] = *ev;
    tl->total++;
    tl->mem_bytes += event_bytes(ev);
    TL_ASSERT(ev->rule < tl->ntally);
    tl_rule_tally *t = &tl->tally[ev->rule];
    t->hits++;
    t->fresh += ev->is_new == 1;
    if (ev->quality != TL_TSQ_NONE) {
        if (!t->timed || ev->ts_us < t->first_us) t->first_us = ev->ts_us;
        if (!t->timed || ev->ts_us > t->last_us) t->last_us = ev->ts_us;
        t->timed++;
    }
}

void tl_timeline_abandon_events(tl_timeline *tl)
{
    free(tl->ev);
    tl->ev = NULL;
    tl->n = tl->cap = 0;
}

void tl_timeline_free(tl_timeline *tl)
{
    for (size_t i = 0; i < tl->n; i++) tl_event_clear(&tl->ev[i]);
    free(tl->ev);
    for (size_t i = 0; i < tl->nruns; i++) {
        unlink(tl->runs[i]);
        free(tl->runs[i]);
    }
    free(tl->runs);
    free(tl->run_level);
    if (tl->spill_dir) rmdir(tl->spill_dir);
    free(tl->spill_dir);
    free(tl->spill_parent);
    free(tl->tally);
    free(tl->item_map);
    memset(tl, 0, sizeof *tl);
}

/* ---- spilling: sorted runs in files, merged when read ----
 *
 * DESIGN: only the owner thread pushes and spills. A run is the in-memory events sorted with
 * the same total order as the final timeline, written as length-prefixed records; reading
 * merges the runs and the in-memory rest by repeatedly taking the smallest head. Field names
 * are written as text and mapped back to the rule's own capture names when read, since events
 * borrow those pointers. */

static const char IOC_TYPE_FIELD[] = "ioc_type";

static int ensure_spill_dir(tl_timeline *tl, tl_error *err);

void tl_timeline_init(tl_timeline *tl, size_t nrules, size_t budget, const char *spill_parent)
{
    memset(tl, 0, sizeof *tl);
    tl->tally = tl_xcalloc(nrules ? nrules : 1, sizeof *tl->tally);
    tl->ntally = nrules;
    tl->budget = budget;
    tl->spill_parent = spill_parent ? tl_xstrdup(spill_parent) : NULL;
}

/* What an event really costs: the struct (twice: the array grows by doubling), its strings
 * and the allocator's bookkeeping per block. */
static size_t event_bytes(const tl_event *ev)
{
    size_t b = 2 * sizeof *ev + ev->message_len + ev->indicator_len + 3 * 32;
    for (size_t i = 0; i < ev->nfields; i++) b += sizeof ev->fields[i] + ev->fields[i].len + 32;
    return b;
}

/* Spill and pending files are each used by one thread at a time (the owner, or a reader
 * holding the turn, which orders the accesses), so stdio's per-call locking is pure cost on
 * these many small records. */
static void put(FILE *f, const void *p, size_t n)
{
    if (n) fwrite_unlocked(p, 1, n, f);
}

static void put_str(FILE *f, const char *s, size_t n)
{
    uint32_t l = (uint32_t)n;
    put(f, &l, sizeof l);
    put(f, s, n);
}

void tl_event_write(FILE *f, const tl_event *ev)
{
    put(f, &ev->ts_us, sizeof ev->ts_us);
    uint32_t q = (uint32_t)ev->quality;
    put(f, &q, sizeof q);
    put(f, &ev->rule, sizeof ev->rule);
    put(f, &ev->item, sizeof ev->item);
    put(f, &ev->line, sizeof ev->line);
    put(f, &ev->offset, sizeof ev->offset);
    put(f, &ev->seq, sizeof ev->seq);
    put(f, &ev->flags, sizeof ev->flags);
    put(f, &ev->is_new, sizeof ev->is_new);
    put_str(f, ev->message, ev->message_len);
    put_str(f, ev->indicator, ev->indicator_len);
    uint32_t nf = (uint32_t)ev->nfields;
    put(f, &nf, sizeof nf);
    for (size_t i = 0; i < ev->nfields; i++) {
        put_str(f, ev->fields[i].name, strlen(ev->fields[i].name));
        put_str(f, ev->fields[i].value, ev->fields[i].len);
    }
}

static void add_run(tl_timeline *tl, char *path, unsigned level)
{
    tl->runs = tl_xrealloc(tl->runs, (tl->nruns + 1) * sizeof *tl->runs);
    tl->run_level = tl_xrealloc(tl->run_level, (tl->nruns + 1) * sizeof *tl->run_level);
    tl->runs[tl->nruns] = path;
    tl->run_level[tl->nruns++] = level;
}

static int merge_levels(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set,
                        tl_error *err);

/* Writes sorted events as a run. Returns 0, or -1 with msg (the file is removed); the events
 * are left alone either way, so a failed write (a full disk) loses nothing. */
static int write_run(const tl_event *ev, size_t n, const char *path, char *msg, size_t msgn)
{
    FILE *f = fopen(path, "we");
    if (!f) {
        snprintf(msg, msgn, "%s: %s", path, strerror(errno));
        return -1;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    for (size_t i = 0; i < n; i++) tl_event_write(f, &ev[i]);
    int bad = ferror(f), saved = errno;
    if (fclose(f) != 0 || bad) {
        int why = bad ? saved : errno;
        snprintf(msg, msgn, "%s: write failed: %s", path, strerror(why ? why : EIO));
        unlink(path);
        return -1;
    }
    return 0;
}

int tl_timeline_detach(tl_timeline *tl, tl_spill_batch *b, const char *const *sources,
                       const tl_pattern_set *set, tl_error *err)
{
    memset(b, 0, sizeof *b);
    if (!tl->spill_parent || !tl->n) return 1;
    int drc = ensure_spill_dir(tl, err);
    if (drc != TL_OK) return drc;
    tl_buf path = TL_BUF_INIT;
    tl_buf_printf(&path, "%s/run-%06zu", tl->spill_dir, tl->run_seq++);
    b->path = tl_buf_steal(&path, NULL);
    b->ev = tl->ev;
    b->n = tl->n;
    b->bytes = tl->mem_bytes;
    b->sources = sources;
    b->set = set;
    tl->ev = NULL;
    tl->n = tl->cap = 0;
    tl->mem_bytes = 0;
    return TL_OK;
}

void tl_spill_batch_write(tl_spill_batch *b)
{
    struct sort_ctx c = {b->sources, b->set};
    qsort_r(b->ev, b->n, sizeof *b->ev, cmp_event, &c);
    b->rc = write_run(b->ev, b->n, b->path, b->msg, sizeof b->msg) == 0 ? TL_OK : TL_EIO;
    if (b->rc != TL_OK) return;
    for (size_t i = 0; i < b->n; i++) tl_event_clear(&b->ev[i]);
    free(b->ev);
    b->ev = NULL;
}

int tl_timeline_attach(tl_timeline *tl, tl_spill_batch *b, tl_error *err)
{
    if (b->rc != TL_OK) {
        /* back in memory, behind whatever was pushed meanwhile: the order is restored by the
         * sort at finish or at the next spill */
        if (tl->n + b->n > tl->cap) {
            tl->cap = tl->n + b->n;
            tl->ev = tl_xrealloc(tl->ev, tl->cap * sizeof *tl->ev);
        }
        memcpy(tl->ev + tl->n, b->ev, b->n * sizeof *b->ev);
        tl->n += b->n;
        tl->mem_bytes += b->bytes;
        free(b->ev);
        free(b->path);
        int rc = tl_error_set(err, TL_EIO, "%s", b->msg);
        memset(b, 0, sizeof *b);
        return rc;
    }
    const char *const *sources = b->sources; /* covers every item a run can hold so far */
    const tl_pattern_set *set = b->set;
    add_run(tl, b->path, 0);
    memset(b, 0, sizeof *b);
    /* A merge that fails (it briefly needs the space twice) costs only open files: the runs
     * stay as they are and spilling goes on; the next spill tries again. */
    tl_error merr;
    if (merge_levels(tl, sources, set, &merr) != TL_OK && !tl->merge_note[0])
        snprintf(tl->merge_note, sizeof tl->merge_note, "%.200s", merr.msg);
    return TL_OK;
}

int tl_timeline_spill(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set,
                      tl_error *err)
{
    tl_spill_batch b;
    int rc = tl_timeline_detach(tl, &b, sources, set, err);
    if (rc != TL_OK) return rc == 1 ? TL_OK : rc;
    tl_spill_batch_write(&b);
    return tl_timeline_attach(tl, &b, err);
}

static int ensure_spill_dir(tl_timeline *tl, tl_error *err)
{
    if (tl->spill_dir) return TL_OK;
    tl_buf d = TL_BUF_INIT;
    tl_buf_printf(&d, "%s/.timeline-runs.XXXXXX", tl->spill_parent);
    if (!mkdtemp(d.data)) {
        int rc = tl_error_set(err, TL_EIO, "%s: cannot create the spill directory: %s", d.data,
                              strerror(errno));
        tl_buf_free(&d);
        return rc;
    }
    tl->spill_dir = tl_buf_steal(&d, NULL);
    return TL_OK;
}

FILE *tl_timeline_tmpfile(tl_timeline *tl, tl_error *err)
{
    if (!tl->spill_parent || ensure_spill_dir(tl, err) != TL_OK) return NULL;
    tl_buf p = TL_BUF_INIT;
    tl_buf_printf(&p, "%s/pending.XXXXXX", tl->spill_dir);
    int fd = mkostemp(p.data, O_CLOEXEC);
    FILE *f = NULL;
    if (fd < 0 || !(f = fdopen(fd, "w+"))) {
        tl_error_set(err, TL_EIO, "%s: %s", p.data, strerror(errno));
        if (fd >= 0) close(fd);
    }
    if (fd >= 0) unlink(p.data); /* gone with its last close, even after a crash */
    tl_buf_free(&p);
    if (f) setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

void tl_timeline_remap_items(tl_timeline *tl, const uint32_t *map, size_t n)
{
    for (size_t i = 0; i < tl->n; i++) {
        TL_ASSERT(tl->ev[i].item < n);
        tl->ev[i].item = map[tl->ev[i].item];
    }
    free(tl->item_map);
    tl->item_map = tl_xcalloc(n ? n : 1, sizeof *tl->item_map);
    memcpy(tl->item_map, map, n * sizeof *map);
    tl->nitem_map = n;
}

void tl_timeline_finish(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set)
{
    tl_timeline_sort(tl, sources, set);
    tl->sources = sources;
    tl->set = set;
}

/* A run being merged. Its current event lives in the reader's own buffers (no malloc per
 * string: every report writer reads every spilled event, and per-event allocations were a
 * tenth of a report's time); it is valid until the reader moves on. */
struct tl_event_reader {
    FILE *f;
    const char *path;
    tl_event cur;
    int have;
    tl_buf arena;      /* the current event's strings */
    tl_field *fields;  /* its fields */
    size_t *voff;      /* their values' offsets in the arena while it may still move */
    size_t fcap;
    /* Our own read buffer: a record is a dozen small fields, and a stdio call per field was
     * most of the read-back's cost (every writer reads every spilled event). */
    unsigned char *rbuf;
    size_t rpos, rlen;
};

/* A k-way merge: a binary heap of sources, each a run file or (-1) the in-memory events.
 * Equal events (there are none: seq breaks every tie) would come memory first, then by run. */
struct tl_timeline_iter {
    const tl_timeline *tl;
    struct tl_event_reader *r;
    size_t nr;
    size_t mem_pos;
    int with_mem;
    int started;
    int *heap;
    size_t nheap;
    struct sort_ctx ctx;
};

static const char *field_name(const tl_pattern_set *set, uint32_t rule, const char *name)
{
    const tl_rule *r = tl_pattern_set_rule(set, rule);
    for (size_t i = 0; i < r->ncapnames; i++)
        if (strcmp(r->capnames[i], name) == 0) return r->capnames[i];
    return IOC_TYPE_FIELD; /* the only field not from a capture */
}

/* Reads the next event of a run; 0 at its end. Runs were written before the items were
 * renumbered, so the map applies here. */
static int read_event_arena(struct tl_event_reader *rr, const tl_pattern_set *set);

static int read_event(struct tl_event_reader *rr, const tl_timeline *tl, const tl_pattern_set *set)
{
    int got = read_event_arena(rr, set);
    if (got && tl->item_map) {
        TL_ASSERT(rr->cur.item < tl->nitem_map);
        rr->cur.item = tl->item_map[rr->cur.item];
    }
    return got;
}

#define RR_BUF (64u << 10) /* as stdio had: every writer holds one per run */

/* Refills the reader's buffer; returns the bytes available. */
static size_t rr_fill(struct tl_event_reader *rr)
{
    if (rr->rpos < rr->rlen) return rr->rlen - rr->rpos;
    rr->rpos = 0;
    rr->rlen = fread_unlocked(rr->rbuf, 1, RR_BUF, rr->f);
    return rr->rlen;
}

static void rr_get(struct tl_event_reader *rr, void *p, size_t n)
{
    unsigned char *d = p;
    while (n) {
        size_t have = rr_fill(rr);
        if (!have) {
            fprintf(stderr, "timberline: %s: a record is damaged or short\n", rr->path);
            abort(); /* a silently shorter timeline would be the worst outcome */
        }
        size_t k = have < n ? have : n;
        memcpy(d, rr->rbuf + rr->rpos, k);
        rr->rpos += k;
        d += k;
        n -= k;
    }
}

/* Appends a length-prefixed string to the arena; returns its offset. */
static size_t arena_str(struct tl_event_reader *rr, tl_buf *a, size_t *len)
{
    uint32_t l;
    rr_get(rr, &l, sizeof l);
    tl_buf_reserve(a, (size_t)l + 1);
    size_t at = a->len;
    rr_get(rr, a->data + at, l);
    a->data[at + l] = '\0';
    a->len += (size_t)l + 1;
    *len = l;
    return at;
}

/* The next record (as tl_event_write wrote it) into the reader's own buffers. */
static int read_event_arena(struct tl_event_reader *rr, const tl_pattern_set *set)
{
    tl_event *ev = &rr->cur;
    memset(ev, 0, sizeof *ev);
    if (!rr_fill(rr)) return 0;
    uint32_t nf, q;
    rr_get(rr, &ev->ts_us, sizeof ev->ts_us);
    rr_get(rr, &q, sizeof q);
    ev->quality = (tl_ts_quality)q;
    rr_get(rr, &ev->rule, sizeof ev->rule);
    rr_get(rr, &ev->item, sizeof ev->item);
    rr_get(rr, &ev->line, sizeof ev->line);
    rr_get(rr, &ev->offset, sizeof ev->offset);
    rr_get(rr, &ev->seq, sizeof ev->seq);
    rr_get(rr, &ev->flags, sizeof ev->flags);
    rr_get(rr, &ev->is_new, sizeof ev->is_new);
    tl_buf *a = &rr->arena;
    tl_buf_reset(a);
    size_t mo = arena_str(rr, a, &ev->message_len);
    size_t io = arena_str(rr, a, &ev->indicator_len);
    rr_get(rr, &nf, sizeof nf);
    if (nf > rr->fcap) {
        rr->fcap = nf;
        rr->fields = tl_xrealloc(rr->fields, nf * sizeof *rr->fields);
        rr->voff = tl_xrealloc(rr->voff, nf * sizeof *rr->voff);
    }
    size_t *vo = rr->voff;
    for (uint32_t i = 0; i < nf; i++) {
        size_t nl;
        size_t no = arena_str(rr, a, &nl);
        /* the rule's own name pointer; the arena may move, so compare now */
        rr->fields[i].name = field_name(set, ev->rule, a->data + no);
        vo[i] = arena_str(rr, a, &rr->fields[i].len);
    }
    ev->message = a->data + mo;
    ev->indicator = a->data + io;
    for (uint32_t i = 0; i < nf; i++) rr->fields[i].value = a->data + vo[i];
    ev->fields = nf ? rr->fields : NULL;
    ev->nfields = nf;
    return 1;
}

static const tl_event *src_event(const tl_timeline_iter *it, int src)
{
    return src < 0 ? &it->tl->ev[it->mem_pos] : &it->r[src].cur;
}

static int src_less(const tl_timeline_iter *it, int a, int b)
{
    int c = cmp_event(src_event(it, a), src_event(it, b), (void *)&it->ctx);
    return c ? c < 0 : a < b;
}

static void sift_down(tl_timeline_iter *it, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < it->nheap && src_less(it, it->heap[l], it->heap[m])) m = l;
        if (l + 1 < it->nheap && src_less(it, it->heap[l + 1], it->heap[m])) m = l + 1;
        if (m == i) return;
        int t = it->heap[i];
        it->heap[i] = it->heap[m];
        it->heap[m] = t;
        i = m;
    }
}

static void reader_init(struct tl_event_reader *rr, FILE *f, const char *label)
{
    memset(rr, 0, sizeof *rr);
    rr->f = f;
    rr->path = label;
    rr->rbuf = tl_xmalloc(RR_BUF);
}

/* Frees the reader's buffers; the file stays open. */
static void reader_release(struct tl_event_reader *rr)
{
    tl_buf_free(&rr->arena);
    free(rr->rbuf);
    free(rr->fields);
    free(rr->voff);
}

tl_event_reader *tl_event_reader_new(FILE *f, const char *label)
{
    tl_event_reader *r = tl_xmalloc(sizeof *r);
    reader_init(r, f, label);
    return r;
}

const tl_event *tl_event_reader_next(tl_event_reader *r, const tl_pattern_set *set)
{
    return read_event_arena(r, set) ? &r->cur : NULL;
}

void tl_event_reader_get(tl_event_reader *r, void *p, size_t n)
{
    rr_get(r, p, n);
}

void tl_event_reader_free(tl_event_reader *r)
{
    if (!r) return;
    reader_release(r);
    free(r);
}

void tl_event_copy(tl_event *dst, const tl_event *src)
{
    size_t vals = 0;
    for (size_t i = 0; i < src->nfields; i++) vals += src->fields[i].len;
    *dst = *src;
    char *v = tl_event_alloc(dst, src->message_len, src->indicator_len, src->nfields, vals);
    memcpy(dst->message, src->message, src->message_len);
    memcpy(dst->indicator, src->indicator, src->indicator_len);
    for (size_t i = 0; i < src->nfields; i++) {
        tl_field *f = &dst->fields[dst->nfields++];
        f->name = src->fields[i].name;
        f->len = src->fields[i].len;
        f->value = v;
        memcpy(v, src->fields[i].value, f->len);
        v[f->len] = '\0';
        v += f->len + 1;
    }
}

/* Opens runs[idx[0..n)] (and the in-memory events if with_mem) for merging. */
static tl_timeline_iter *iter_open(const tl_timeline *tl, const size_t *idx, size_t n,
                                   int with_mem, const char *const *sources,
                                   const tl_pattern_set *set)
{
    tl_timeline_iter *it = tl_xcalloc(1, sizeof *it);
    it->tl = tl;
    it->ctx.sources = sources;
    it->ctx.set = set;
    it->nr = n;
    it->with_mem = with_mem;
    it->r = tl_xcalloc(n ? n : 1, sizeof *it->r);
    it->heap = tl_xcalloc(n + 1, sizeof *it->heap);
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(tl->runs[idx[i]], "re");
        if (!f) {
            fprintf(stderr, "timberline: %s: %s\n", tl->runs[idx[i]], strerror(errno));
            abort();
        }
        setvbuf(f, NULL, _IONBF, 0); /* the reader buffers for itself */
        reader_init(&it->r[i], f, tl->runs[idx[i]]);
        it->r[i].have = read_event(&it->r[i], tl, set);
        if (it->r[i].have) it->heap[it->nheap++] = (int)i;
    }
    if (with_mem && tl->n) it->heap[it->nheap++] = -1;
    for (size_t i = it->nheap / 2; i-- > 0;) sift_down(it, i);
    return it;
}

tl_timeline_iter *tl_timeline_iter_new(const tl_timeline *tl)
{
    size_t *idx = tl_xcalloc(tl->nruns ? tl->nruns : 1, sizeof *idx);
    for (size_t i = 0; i < tl->nruns; i++) idx[i] = i;
    tl_timeline_iter *it = iter_open(tl, idx, tl->nruns, 1, tl->sources, tl->set);
    free(idx);
    return it;
}

const tl_event *tl_timeline_iter_next(tl_timeline_iter *it)
{
    if (!it->nheap) return NULL;
    /* advance the source of the event handed out last time: it is at the top */
    if (it->started) {
        int top = it->heap[0];
        int more;
        if (top < 0) more = ++it->mem_pos < it->tl->n;
        else more = it->r[top].have = read_event(&it->r[top], it->tl, it->ctx.set);
        if (!more) it->heap[0] = it->heap[--it->nheap];
        if (!it->nheap) return NULL;
        sift_down(it, 0);
    }
    it->started = 1;
    return src_event(it, it->heap[0]);
}

/* While TL_RUN_FANIN runs share a level, merges them into one run of the next level. Runs the
 * merge in the owner, like the spill itself; the order is by source names, not item numbers,
 * so it is the final order even before the items are renumbered. */
static int merge_levels(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set,
                        tl_error *err)
{
    TL_ASSERT(!tl->item_map);
    for (;;) {
        size_t idx[TL_RUN_FANIN], n = 0;
        unsigned level = 0;
        int found = 0;
        for (unsigned lv = 0; lv < 64 && !found; lv++) {
            n = 0;
            for (size_t i = 0; i < tl->nruns && n < TL_RUN_FANIN; i++)
                if (tl->run_level[i] == lv) idx[n++] = i;
            if (n == TL_RUN_FANIN) level = lv, found = 1;
        }
        if (!found) return TL_OK;
        tl_buf path = TL_BUF_INIT;
        tl_buf_printf(&path, "%s/run-L%u-%06zu", tl->spill_dir, level + 1, tl->run_seq++);
        FILE *f = fopen(path.data, "we");
        if (!f) {
            int rc = tl_error_set(err, TL_EIO, "%s: %s", path.data, strerror(errno));
            tl_buf_free(&path);
            return rc;
        }
        setvbuf(f, NULL, _IOFBF, 1 << 20);
        tl_timeline_iter *it = iter_open(tl, idx, n, 0, sources, set);
        const tl_event *ev;
        while ((ev = tl_timeline_iter_next(it)) != NULL) tl_event_write(f, ev);
        tl_timeline_iter_free(it);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad) {
            int rc = tl_error_set(err, TL_EIO, "%s: write failed: %s", path.data, strerror(errno));
            unlink(path.data);
            tl_buf_free(&path);
            return rc;
        }
        /* drop the merged runs (idx is ascending), keep the others in order */
        size_t w = 0, k = 0;
        for (size_t i = 0; i < tl->nruns; i++) {
            if (k < n && idx[k] == i) {
                unlink(tl->runs[i]);
                free(tl->runs[i]);
                k++;
                continue;
            }
            tl->runs[w] = tl->runs[i];
            tl->run_level[w++] = tl->run_level[i];
        }
        tl->nruns = w;
        add_run(tl, tl_buf_steal(&path, NULL), level + 1);
    }
}

void tl_timeline_iter_free(tl_timeline_iter *it)
{
    if (!it) return;
    for (size_t i = 0; i < it->nr; i++) {
        reader_release(&it->r[i]);
        if (it->r[i].f) fclose(it->r[i].f);
    }
    free(it->r);
    free(it->heap);
    free(it);
}
