/* The scan engine: reads each evidence stream into line-aligned chunks, has the worker pool
 * match and time-stamp them, and stitches results back in stream order.
 *
 * DESIGN: the calling thread is the only reader and the only owner of per-stream state. It
 * cuts a stream into chunks (jobs), submits them to the ordered pool and takes them back in
 * submission order, so line numbers, inherited timestamps and year roll-overs are resolved
 * sequentially while matching runs in parallel. A job carries its input and its results; a
 * worker touches only its job and its own matcher. Jobs in flight are capped, which bounds
 * memory to about (2 x threads + 2) chunks. Long lines that do not fit a chunk are cut into
 * overlapping pieces (same line number) and their hits de-duplicated per rule by the owner. */
#include "timberline/scan.h"

#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timberline/match.h"
#include "timberline/pool.h"
#include "timberline/stream.h"
#include "timberline/timestamp.h"
#include "timberline/unpack.h"
#include "timberline/baseline.h"
#include "timberline/buf.h"
#include "timberline/escape.h"
#include "timberline/hash.h"

#define DEFAULT_CHUNK (2u << 20) /* each chunk in flight also holds its events: 2 MiB keeps a catch-all run flat */
#define PIECE_OVERLAP (64u << 10)   /* a hit shorter than this is never lost between pieces */
#define LONG_LINE (1u << 20)        /* lines over 1 MiB get the long-line flag */
#define MESSAGE_CAP (64u << 10)     /* message/indicator/field text cap */

enum { TS_OWN, TS_INHERIT_CHUNK, TS_INHERIT_PREV, TS_LINE_OF_PIECE };

/* Time information for one hit, relative to its chunk. */
struct hit_time {
    tl_ts ts;
    int src;          /* TS_* */
    uint32_t rollovers; /* year roll-overs inside the chunk before the stamp's line */
};

struct stream_ctx;

struct job {
    struct stream_ctx *sc; /* owner-side; workers read only `zone` through it */
    const tl_tz *zone;
    char *buf;
    size_t len, cap;
    uint64_t base_dec;   /* decoded stream offset of buf[0] */
    int piece;           /* part of a line longer than a chunk */
    int piece_first, piece_last;
    uint64_t piece_line_off; /* for pieces: offset of buf[0] within the line */
    int stream_last;         /* the stream's final job: merging it finishes the stream */

    /* worker results */
    tl_line *lines;
    size_t nlines, lines_cap;
    tl_line *entries;       /* lines with CloudTrail record files split (when use_entries) */
    uint32_t *lnum;         /* chunk line index of each entry */
    size_t nentries, entries_cap;
    int use_entries;
    uint32_t *ev_entry;     /* entry index of each event */
    struct month_step *steps;
    size_t steps_cap;
    const tl_ts_hint *hint; /* the stream's detected format; owned by the stream context */
    size_t nterminated;  /* lines ending in '\n' */
    tl_match_result res;
    tl_event *events;    /* one per hit, line = chunk line index, offset = decoded offset */
    struct hit_time *times;
    size_t nevents, events_cap;
    int have_first_yl, have_last_yl, have_last_ts;
    tl_ts first_yl, last_yl, last_ts;
    uint32_t last_ts_roll, rollovers;
};

/* Ended streams whose pending events are still being committed, and how many of those events
 * the reader holding the turn commits between two chunks. */
#define FINISHING_MAX 4
#define FINISH_SLICE 2048

/* Owner-side state of the stream being read. */
struct stream_ctx {
    size_t item;
    tl_stream *st;
    uint64_t line_base; /* lines completed before the next chunk */
    uint32_t rel;       /* year roll-overs so far */
    int have_last_ts, have_last_yl;
    tl_ts last_ts, last_yl;
    uint32_t last_ts_rel;
    /* the long line being assembled from pieces */
    int long_have_ts;
    tl_ts long_ts;
    uint32_t long_rel;
    tl_ts_quality long_q;
    tl_event *long_ev;
    uint32_t *long_ev_rel;
    size_t nlong, long_cap;
    /* events of this stream awaiting year resolution */
    tl_event *pend;
    uint32_t *pend_rel; /* roll-overs, for year-less stamps */
    tl_ts *pend_ts;
    size_t npend, pend_cap;
    size_t pend_bytes;  /* estimate; past a quarter of --memory the pending events go to */
    FILE *pend_file;    /* an anonymous file in the spill directory, in stream order */
    uint64_t bytes;
    uint64_t long_line_dec; /* decoded offset of the long line's start (owner, at merge) */
    uint64_t long_line_dec_pending; /* same, as known to the reader when cutting pieces */
    int ends_unterminated;  /* the stream's last byte is not '\n' */
    int from_member;        /* fed by the unpack worker: status and hashes come from it */
    const tl_tz *zone;      /* --tz, or the --tz-map entry matching the source */
    tl_ts_seq tseq;         /* times resolved so far, in stream order */
    /* once the stream ended (finish_some) */
    int year0;              /* of the first year-less stamp */
    size_t pend_next;       /* next in-memory pending event to commit */
    tl_event_reader *prd;   /* reads the pending file back */
    tl_ts_hint hint;        /* detected from the first chunk; read by the workers */
    int hint_ready;
};

struct worker {
    tl_matcher *m;
    const tl_pattern_set *set; /* shared, read-only */
};

/* ---------------------------------------------------------------- worker side */

static void build_lines(struct job *j)
{
    j->nlines = j->nterminated = 0;
    size_t pos = 0;
    while (pos < j->len) {
        const char *nl = memchr(j->buf + pos, '\n', j->len - pos);
        size_t end = nl ? (size_t)(nl - j->buf) : j->len;
        size_t llen = end - pos;
        if (nl && llen && j->buf[pos + llen - 1] == '\r') {
            /* CRLF: the screen sees the chunk as a whole, and its `$` only matches before
             * '\n'; turning this '\r' into '\n' keeps anchors working while line ranges
             * (which exclude it) keep PCRE2 and the messages exact. */
            llen--;
            j->buf[pos + llen] = '\n';
        }
        if (j->nlines == j->lines_cap) {
            j->lines_cap = j->lines_cap ? j->lines_cap * 2 : 4096;
            j->lines = tl_xrealloc(j->lines, j->lines_cap * sizeof *j->lines);
        }
        j->lines[j->nlines++] = (tl_line){(uint32_t)pos, (uint32_t)llen};
        if (nl) j->nterminated++;
        pos = nl ? end + 1 : j->len;
    }
}

static size_t capped(size_t n)
{
    return n > MESSAGE_CAP ? MESSAGE_CAP : n;
}

/* The event message: the whole line, or for lines over the cap a window around the hit with
 * markers saying how much was left out. Planned first, so the event's strings can share one
 * allocation. */
struct msg_plan {
    char pre[64], post[64];
    size_t prelen, postlen;
    const char *src;
    size_t srclen;
    int truncated;
};

static size_t plan_message(const struct job *j, const tl_line *L, const tl_hit *h,
                           struct msg_plan *mp)
{
    const char *ls = j->buf + L->start;
    uint64_t before_line = j->piece ? j->piece_line_off : 0;
    mp->pre[0] = mp->post[0] = '\0';
    mp->prelen = mp->postlen = 0;
    mp->truncated = 0;
    if (L->len <= MESSAGE_CAP && !(j->piece && !(j->piece_first && j->piece_last))) {
        mp->src = ls;
        mp->srclen = L->len;
        return L->len;
    }
    size_t ws = h->start > MESSAGE_CAP / 4 ? h->start - MESSAGE_CAP / 4 : 0;
    size_t we = ws + MESSAGE_CAP;
    if (we > L->len) {
        we = L->len;
        ws = we > MESSAGE_CAP ? we - MESSAGE_CAP : 0;
    }
    uint64_t skipped = before_line + ws;
    if (skipped) snprintf(mp->pre, sizeof mp->pre, "[...%llu bytes] ", (unsigned long long)skipped);
    if (we < L->len || (j->piece && !j->piece_last))
        snprintf(mp->post, sizeof mp->post, " [...more]");
    mp->prelen = strlen(mp->pre);
    mp->postlen = strlen(mp->post);
    mp->src = ls + ws;
    mp->srclen = we - ws;
    mp->truncated = 1;
    return mp->prelen + mp->srclen + mp->postlen;
}

static void fill_message(const struct msg_plan *mp, tl_event *ev)
{
    char *m = ev->message;
    memcpy(m, mp->pre, mp->prelen);
    memcpy(m + mp->prelen, mp->src, mp->srclen);
    memcpy(m + mp->prelen + mp->srclen, mp->post, mp->postlen);
    if (mp->truncated) ev->flags |= TL_FLAG_MESSAGE_TRUNCATED;
}

/* CloudTrail delivers one JSON object per file, {"Records":[{...},{...}]} on a single line:
 * each record becomes its own entry for matching and timing, keeping the file's line number
 * and its own byte offset. */
static const char RECORDS[] = "{\"Records\":[";

static size_t json_object_end(const char *p, size_t i, size_t n)
{
    int depth = 0, str = 0;
    for (; i < n; i++) {
        char c = p[i];
        if (str) {
            if (c == '\\') i++;
            else if (c == '"') str = 0;
        } else if (c == '"') {
            str = 1;
        } else if (c == '{') {
            depth++;
        } else if (c == '}') {
            if (--depth == 0) return i + 1;
        }
    }
    return 0;
}

static void push_entry(struct job *j, tl_line e, uint32_t lnum)
{
    if (j->nentries == j->entries_cap) {
        j->entries_cap = j->entries_cap ? j->entries_cap * 2 : 4096;
        j->entries = tl_xrealloc(j->entries, j->entries_cap * sizeof *j->entries);
        j->lnum = tl_xrealloc(j->lnum, j->entries_cap * sizeof *j->lnum);
    }
    j->entries[j->nentries] = e;
    j->lnum[j->nentries] = lnum;
    j->nentries++;
}

/* Builds the entry table the matcher sees: the lines, with CloudTrail record files split. */
static void build_entries(struct job *j)
{
    j->nentries = 0;
    int any = 0;
    for (size_t li = 0; li < j->nlines && !any; li++)
        if (j->lines[li].len > sizeof RECORDS &&
            memcmp(j->buf + j->lines[li].start, RECORDS, sizeof RECORDS - 1) == 0)
            any = 1;
    if (!any) {
        j->use_entries = 0;
        return;
    }
    j->use_entries = 1;
    for (size_t li = 0; li < j->nlines; li++) {
        tl_line L = j->lines[li];
        const char *p = j->buf + L.start;
        if (L.len <= sizeof RECORDS || memcmp(p, RECORDS, sizeof RECORDS - 1) != 0) {
            push_entry(j, L, (uint32_t)li);
            continue;
        }
        size_t first = j->nentries, i = sizeof RECORDS - 1;
        int ok = 1;
        for (;;) {
            while (i < L.len && (p[i] == ' ' || p[i] == ',' || p[i] == '\t')) i++;
            if (i >= L.len || p[i] == ']') break;
            if (p[i] != '{') {
                ok = 0;
                break;
            }
            size_t e = json_object_end(p, i, L.len);
            if (!e) {
                ok = 0;
                break;
            }
            push_entry(j, (tl_line){L.start + (uint32_t)i, (uint32_t)(e - i)}, (uint32_t)li);
            i = e;
        }
        if (!ok || j->nentries == first) { /* not what it looked like: keep the line whole */
            j->nentries = first;
            push_entry(j, L, (uint32_t)li);
        }
    }
}

static int yearless_format(tl_ts_format f)
{
    return f == TL_TSF_RFC3164 || f == TL_TSF_LOGCAT || f == TL_TSF_MMDD_DOT || f == TL_TSF_GLOG;
}

struct month_step {
    uint32_t entry;
    int month;
};

/* Time facts of a chunk with full parsing only where needed: on hit entries, on the entries
 * an inheriting hit reaches back to, on the chunk's last stamped entry, and (for year-less
 * streams) on entries whose leading bytes differ from the previous one's, which is where the
 * month can change. */
static void chunk_times(struct job *j, const tl_line *E, size_t n)
{
    j->have_first_yl = j->have_last_yl = j->have_last_ts = 0;
    j->rollovers = 0;
    if (j->piece && !j->piece_first) {
        for (size_t i = 0; i < j->nevents; i++) j->times[i].src = TS_LINE_OF_PIECE;
        return;
    }
    const tl_ts_hint *hint = j->hint;
    /* year-less streams: where the month changes (cheap: compare leading bytes first) */
    size_t nsteps = 0;
    struct month_step *steps = j->steps;
    int yl = hint && yearless_format(hint->format);
    if (yl) {
        const char *prev = NULL;
        uint32_t prevlen = 0;
        for (size_t k = 0; k < n; k++) {
            const char *p = j->buf + E[k].start;
            uint32_t len = E[k].len;
            if (prev && len >= 6 && prevlen >= 6 && memcmp(p, prev, 6) == 0 && hint->field == 0)
                continue; /* same leading bytes: same month */
            prev = p, prevlen = len;
            tl_ts t;
            if (tl_ts_parse_line_hinted(p, len, j->zone, hint, &t) != TL_TS_YEARLESS) continue;
            if (nsteps && steps[nsteps - 1].month == t.month) continue;
            if (nsteps == j->steps_cap) {
                j->steps_cap = j->steps_cap ? 2 * j->steps_cap : 64;
                j->steps = steps = tl_xrealloc(j->steps, j->steps_cap * sizeof *steps);
            }
            steps[nsteps++] = (struct month_step){(uint32_t)k, t.month};
            if (nsteps == 1) {
                j->first_yl = t;
                j->have_first_yl = 1;
            }
        }
    }
    /* roll-overs up to and including entry k */
    size_t sp = 0;
    uint32_t roll = 0;
#define ROLL_AT(k)                                                                             \
    do {                                                                                       \
        while (sp < nsteps && steps[sp].entry <= (k)) {                                        \
            if (sp > 0 && steps[sp - 1].month - steps[sp].month >= 6) roll++;                  \
            sp++;                                                                              \
        }                                                                                      \
    } while (0)
    int have_stamp = 0;
    tl_ts stamp = {0};
    uint32_t stamp_roll = 0;
    size_t lower = 0; /* entries below this were looked at already */
    size_t cached = (size_t)-1;
    tl_ts own = {0};
    for (size_t i = 0; i < j->nevents; i++) {
        size_t li = j->ev_entry[i];
        struct hit_time *t = &j->times[i];
        if (li != cached) {
            tl_ts_parse_line_hinted(j->buf + E[li].start, E[li].len, j->zone, hint, &own);
            cached = li;
        }
        if (own.kind != TL_TS_NONE) {
            ROLL_AT(li);
            t->src = TS_OWN, t->ts = own, t->rollovers = roll;
            stamp = own, have_stamp = 1, stamp_roll = roll;
        } else {
            for (size_t k = li; k-- > lower;) {
                tl_ts b;
                if (tl_ts_parse_line_hinted(j->buf + E[k].start, E[k].len, j->zone, hint, &b) !=
                    TL_TS_NONE) {
                    ROLL_AT(k);
                    stamp = b, have_stamp = 1, stamp_roll = roll;
                    break;
                }
            }
            if (have_stamp) t->src = TS_INHERIT_CHUNK, t->ts = stamp, t->rollovers = stamp_roll;
            else t->src = TS_INHERIT_PREV;
        }
        if (li + 1 > lower) lower = li + 1;
    }
    /* the chunk's last stamped entry, for the next chunk to inherit */
    for (size_t k = n; k-- > lower;) {
        tl_ts b;
        if (tl_ts_parse_line_hinted(j->buf + E[k].start, E[k].len, j->zone, hint, &b) !=
            TL_TS_NONE) {
            ROLL_AT(k);
            stamp = b, have_stamp = 1, stamp_roll = roll;
            break;
        }
    }
    ROLL_AT((uint32_t)n);
#undef ROLL_AT
    j->rollovers = roll;
    if (have_stamp) {
        j->last_ts = stamp;
        j->last_ts_roll = stamp_roll;
        j->have_last_ts = 1;
    }
    if (have_stamp && stamp.kind == TL_TS_YEARLESS) {
        j->last_yl = stamp, j->have_last_yl = 1;
    } else if (nsteps) {
        j->last_yl = j->first_yl; /* month only matters for the roll-over check */
        j->last_yl.month = steps[nsteps - 1].month;
        j->have_last_yl = 1;
    }
    if (!yl && have_stamp && stamp.kind == TL_TS_YEARLESS && !j->have_first_yl) {
        j->first_yl = stamp; /* no hint: the one stamp we know */
        j->have_first_yl = 1;
    }
}

static void work(void *ctx, void *arg)
{
    struct worker *w = ctx;
    struct job *j = arg;
    build_lines(j);
    build_entries(j);
    const tl_line *E = j->use_entries ? j->entries : j->lines;
    size_t n = j->use_entries ? j->nentries : j->nlines;
    tl_match_result_reset(&j->res);
    unsigned edges = 0;
    if (j->piece && !j->piece_first) edges |= TL_MATCH_NOTBOL;
    if (j->piece && !j->piece_last) edges |= TL_MATCH_NOTEOL;
    tl_matcher_run(w->m, j->buf, j->len, E, n, edges, &j->res);
    const tl_pattern_set *set = w->set;

    j->nevents = 0;
    if (j->res.nhits > j->events_cap) {
        j->events_cap = j->res.nhits;
        j->events = tl_xrealloc(j->events, j->events_cap * sizeof *j->events);
        j->times = tl_xrealloc(j->times, j->events_cap * sizeof *j->times);
        j->ev_entry = tl_xrealloc(j->ev_entry, j->events_cap * sizeof *j->ev_entry);
    }
    for (size_t h = 0; h < j->res.nhits; h++) {
        const tl_hit *hit = &j->res.hits[h];
        const tl_line *L = &E[hit->line];
        tl_event *ev = &j->events[j->nevents];
        j->ev_entry[j->nevents] = hit->line;
        j->nevents++;
        memset(ev, 0, sizeof *ev);
        ev->rule = hit->rule;
        ev->line = j->use_entries ? j->lnum[hit->line] : hit->line;
        ev->offset = j->base_dec + L->start;
        if (L->len > LONG_LINE || j->piece) ev->flags |= TL_FLAG_LONG_LINE;
        /* message, indicator and fields in one allocation: sizes first */
        struct msg_plan mp;
        size_t mlen = plan_message(j, L, hit, &mp);
        size_t ilen = capped(hit->end - hit->start);
        const tl_rule *hr = tl_pattern_set_rule(set, hit->rule);
        const char *tn = NULL;
        const uint32_t *cp = NULL;
        size_t nf = 0, vals = 0;
        if (hr->kind == TL_RULE_IOC) {
            /* the indicator's type travels with the event (fields.ioc_type) */
            tn = tl_ioc_type_name(hr->ioc_type);
            nf = 1;
            vals = strlen(tn);
        } else if (hit->caps != UINT32_MAX) {
            cp = &j->res.caps[hit->caps];
            for (size_t k = 0; k < hr->ncapnames; k++) {
                if (cp[2 * k] == UINT32_MAX) continue;
                nf++;
                vals += capped(cp[2 * k + 1] - cp[2 * k]);
            }
        }
        char *v = tl_event_alloc(ev, mlen, ilen, nf, vals);
        fill_message(&mp, ev);
        memcpy(ev->indicator, j->buf + L->start + hit->start, ilen);
        if (tn) {
            tl_field *f = &ev->fields[ev->nfields++];
            f->name = "ioc_type";
            f->len = strlen(tn);
            f->value = v;
            memcpy(v, tn, f->len + 1);
        } else if (cp) {
            /* capnames are sorted, so fields come out sorted by key */
            for (size_t k = 0; k < hr->ncapnames; k++) {
                if (cp[2 * k] == UINT32_MAX) continue;
                tl_field *f = &ev->fields[ev->nfields++];
                f->name = hr->capnames[k];
                f->len = capped(cp[2 * k + 1] - cp[2 * k]);
                f->value = v;
                memcpy(v, j->buf + L->start + cp[2 * k], f->len);
                v[f->len] = '\0';
                v += f->len + 1;
            }
        }
    }
    chunk_times(j, E, n);
}

/* ---------------------------------------------------------------- owner side */

struct engine {
    const tl_scan_opts *opts;
    const tl_pattern_set *set;
    tl_pool *pool;
    tl_unpack_zygote *zygote; /* forks the unpack workers; NULL: each is a posix_spawn */
    tl_scan_result *out;
    size_t chunk;
    struct job **spare;
    size_t nspare;
    uint64_t seq;
    uint64_t committed; /* events moved into the timeline, for the spill check */
    struct stream_ctx *finishing[FINISHING_MAX]; /* ended streams with events still pending */
    size_t nfinishing;
    tl_side *spiller;   /* sorts and writes runs (NULL with -j1) */
    tl_spill_batch batch; /* the run it is writing, when batch_busy */
    int batch_busy;
    int reading_done;   /* every stream read and merged: only ended streams' events remain */
    size_t fin_bytes;   /* what their in-memory pending events hold (pend_cost): counted with
                           the timeline against --memory */
    tl_scan_progress prog;
    size_t max_warnings;
    int merge_warned;   /* the merge_note warning was given */
    int spill_failed, pend_spill_failed;
    size_t next_item, ntop;   /* the next walked item a reader takes, and how many there are */
    size_t *take_order;       /* walked items, largest first */
    int nreaders;
    struct warn_tag *warn_tag; /* per warning: what it is about, for the final order */
    uint64_t *problems_per_root; /* PCRE2 give-ups per top-level item, for the warning cap */
};

struct warn_tag {
    size_t item; /* the evidence item (SIZE_MAX: the run as a whole) */
    int problem; /* a PCRE2 give-up line (capped) */
};

/* One reader: it takes the next walked item, reads it (its unpack worker, its streams) and
 * submits chunks. Several readers overlap their blocking reads (each archive decodes in its own
 * worker process) but do everything else only while holding the turn (tl_turns), so what they
 * do to shared state happens in an order fixed by the data alone. */
struct reader {
    char *carry;     /* a chunk's unfinished last line, carried into the next chunk */
    tl_turns *turns; /* NULL: the only reader */
    int slot;
};

/* Around a blocking read: others may use the turn meanwhile. Pointers into the evidence list
 * must be fetched again afterwards (another reader may have grown it). */
static void io_begin(struct reader *rd)
{
    if (rd->turns) tl_turns_pass(rd->turns, rd->slot);
}

static void io_end(struct reader *rd)
{
    if (rd->turns) tl_turns_wait(rd->turns, rd->slot);
}

static void warn_about(struct engine *e, size_t item, int problem, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* `item`: the evidence item the warning is about, which orders the list at the end. */
static void warn_about(struct engine *e, size_t item, int problem, const char *fmt, ...)
{
    tl_scan_result *out = e->out;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    out->warnings = tl_xrealloc(out->warnings, (out->nwarnings + 1) * sizeof *out->warnings);
    e->warn_tag = tl_xrealloc(e->warn_tag, (out->nwarnings + 1) * sizeof *e->warn_tag);
    e->warn_tag[out->nwarnings] = (struct warn_tag){item, problem};
    out->warnings[out->nwarnings++] = tl_xstrdup(msg);
}

#define warn(e, ...) warn_about((e), SIZE_MAX, 0, __VA_ARGS__)

/* --tz-map: the first glob matching the whole source decides; else --tz. */
static const tl_tz *zone_for(struct engine *e, const char *source)
{
    for (size_t i = 0; i < e->opts->ntz_map; i++)
        if (fnmatch(e->opts->tz_map[i].glob, source, 0) == 0) return e->opts->tz_map[i].zone;
    return e->opts->zone;
}

static struct job *get_job(struct engine *e)
{
    struct job *j;
    if (e->nspare) {
        j = e->spare[--e->nspare];
    } else {
        j = tl_xcalloc(1, sizeof *j);
        j->cap = e->chunk;
        j->buf = tl_xmalloc(j->cap);
    }
    j->len = 0;
    j->piece = j->piece_first = j->piece_last = j->stream_last = 0;
    j->piece_line_off = 0;
    j->nevents = 0;
    j->zone = e->opts->zone;
    return j;
}

static void put_job(struct engine *e, struct job *j)
{
    e->spare = tl_xrealloc(e->spare, (e->nspare + 1) * sizeof *e->spare);
    e->spare[e->nspare++] = j;
}

static void free_job(struct job *j)
{
    free(j->buf);
    free(j->lines);
    free(j->entries);
    free(j->lnum);
    free(j->ev_entry);
    free(j->steps);
    tl_match_result_free(&j->res);
    for (size_t i = 0; i < j->nevents; i++) tl_event_clear(&j->events[i]);
    free(j->events);
    free(j->times);
    free(j);
}

/* A stream's events wait for the stream's end (the year of year-less stamps depends on its
 * last entry); with a catch-all rule over a big file that can be millions, so past half the
 * budget they are written out in order and read back when the stream finishes. */
static void pend_flush(struct engine *e, struct stream_ctx *sc)
{
    if (!sc->pend_file && !e->pend_spill_failed) {
        tl_error err;
        sc->pend_file = tl_timeline_tmpfile(&e->out->timeline, &err);
        if (!sc->pend_file) {
            e->pend_spill_failed = 1;
            warn(e, "cannot spill pending events (%s); keeping them in memory", err.msg);
        }
    }
    if (!sc->pend_file || e->pend_spill_failed) return;
    off_t good = ftello(sc->pend_file); /* the file's complete records end here */
    for (size_t i = 0; i < sc->npend; i++) {
        tl_event_write(sc->pend_file, &sc->pend[i]);
        fwrite(&sc->pend_ts[i], sizeof sc->pend_ts[i], 1, sc->pend_file);
        fwrite(&sc->pend_rel[i], sizeof sc->pend_rel[i], 1, sc->pend_file);
    }
    if (fflush(sc->pend_file) != 0 || ferror(sc->pend_file)) {
        /* A full disk: this flush's records are cut off again and its events stay in memory,
         * behind the file's earlier records, so the read-back order still holds and nothing
         * is lost. Pending events stay in memory from now on. */
        int why = errno ? errno : EIO;
        clearerr(sc->pend_file);
        __fpurge(sc->pend_file); /* what stdio still holds would otherwise be written later */
        if (good < 0 || ftruncate(fileno(sc->pend_file), good) != 0 ||
            fseeko(sc->pend_file, good, SEEK_SET) != 0)
            tl_panic(__FILE__, __LINE__, "cannot restore a pending events file after a failed write");
        e->pend_spill_failed = 1;
        warn(e, "cannot spill pending events (%s); keeping them in memory", strerror(why));
        return;
    }
    for (size_t i = 0; i < sc->npend; i++) tl_event_clear(&sc->pend[i]);
    sc->npend = 0;
    sc->pend_bytes = 0;
}

static void spill_if_needed(struct engine *e);

/* What a pending event holds in memory: its strings with the allocator's bookkeeping, which
 * go with the event, and its slots in the stream's arrays (twice: they grow by doubling), which
 * stay until the stream is done. */
static size_t pend_str_cost(const tl_event *ev)
{
    return ev->message_len + ev->indicator_len + 3 * 32;
}

static size_t pend_cost(const tl_event *ev)
{
    return 2 * (sizeof *ev + sizeof(tl_ts) + sizeof(uint32_t)) + pend_str_cost(ev);
}

/* Gives one event of a stream, in stream order, its final time and read-order number and
 * moves it into the timeline (or drops it outside --since/--until). `year` matters only for
 * year-less stamps. */
static void commit_event(struct engine *e, struct stream_ctx *sc, tl_event *ev, const tl_ts *ts,
                         int year)
{
    tl_evidence_item *it = &e->out->evidence.items[sc->item];
    int flags = 0;
    if (ev->quality != TL_TSQ_NONE) {
        /* in stream order: a repeated autumn hour is resolved by whether time went backwards */
        ev->ts_us = tl_ts_resolve(&sc->tseq, ts, year, sc->zone, &flags);
        if (flags & TL_TZ_GAP) ev->flags |= TL_FLAG_DST_GAP;
        if (flags & TL_TZ_REPEAT) ev->flags |= TL_FLAG_DST_REPEAT;
    }
    it->ts_counts[ev->quality]++;
    /* --since (inclusive) / --until (exclusive); events without a time are kept */
    if (ev->quality != TL_TSQ_NONE &&
        ((e->opts->have_since && ev->ts_us < e->opts->since_us) ||
         (e->opts->have_until && ev->ts_us >= e->opts->until_us))) {
        e->out->filtered++;
        tl_event_clear(ev);
        return;
    }
    ev->seq = e->seq++;
    ev->is_new = -1;
    if (e->opts->baseline)
        ev->is_new = !tl_baseline_contains(e->opts->baseline, it->source, ev->line,
                                           tl_pattern_set_rule(e->set, ev->rule)->id);
    tl_timeline_push(&e->out->timeline, ev);
    memset(ev, 0, sizeof *ev); /* the timeline owns its strings now */
    e->prog.events++;
    if ((++e->committed & 4095) == 0) spill_if_needed(e);
}

/* An event waits for the stream's end only when its time may depend on what comes later: a
 * year-less stamp (the year comes from the stream's last entry) or anything after one, since
 * times are resolved in stream order. Until a stream shows such a stamp, its events go
 * straight to the timeline, which spares the pending file a write and a read-back per event. */
static void pend_push(struct engine *e, struct stream_ctx *sc, const tl_event *ev,
                      const tl_ts *ts, uint32_t rel)
{
    if (!sc->npend && !sc->pend_file && (ev->quality == TL_TSQ_NONE || !ts ||
                                         ts->kind == TL_TS_ABSOLUTE)) {
        tl_event now = *ev;
        commit_event(e, sc, &now, ts, 0);
        return;
    }
    if (sc->npend == sc->pend_cap) {
        sc->pend_cap = sc->pend_cap ? sc->pend_cap * 2 : 64;
        sc->pend = tl_xrealloc(sc->pend, sc->pend_cap * sizeof *sc->pend);
        sc->pend_rel = tl_xrealloc(sc->pend_rel, sc->pend_cap * sizeof *sc->pend_rel);
        sc->pend_ts = tl_xrealloc(sc->pend_ts, sc->pend_cap * sizeof *sc->pend_ts);
    }
    sc->pend[sc->npend] = *ev;
    sc->pend_ts[sc->npend] = ts ? *ts : (tl_ts){0};
    sc->pend_rel[sc->npend] = rel;
    sc->npend++;
    sc->pend_bytes += pend_cost(ev);
    /* a quarter of the budget for pending events, shared by the streams the readers have
     * open at once */
    size_t budget = e->out->timeline.budget;
    if (budget && sc->pend_bytes > budget / 4 / (size_t)e->nreaders) pend_flush(e, sc);
}

static void long_push(struct stream_ctx *sc, const tl_event *ev)
{
    for (size_t i = 0; i < sc->nlong; i++) {
        if (sc->long_ev[i].rule == ev->rule) { /* an earlier piece has the leftmost hit */
            tl_event dup = *ev;
            tl_event_clear(&dup);
            return;
        }
    }
    if (sc->nlong == sc->long_cap) {
        sc->long_cap = sc->long_cap ? sc->long_cap * 2 : 8;
        sc->long_ev = tl_xrealloc(sc->long_ev, sc->long_cap * sizeof *sc->long_ev);
    }
    sc->long_ev[sc->nlong++] = *ev;
}

static void long_flush(struct engine *e, struct stream_ctx *sc)
{
    for (size_t i = 0; i < sc->nlong; i++)
        pend_push(e, sc, &sc->long_ev[i], sc->long_have_ts ? &sc->long_ts : NULL, sc->long_rel);
    sc->nlong = 0;
}

/* Runs on the side thread: sorts and writes a detached batch, freeing its events there too
 * (they were made by other threads, and freeing them took a tenth of a second). */
static void spill_job(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    tl_spill_batch *b;
    TL_ASSERT(len == sizeof b);
    memcpy(&b, data, sizeof b); /* the job's bytes are the batch's address */
    tl_spill_batch_write(b);
}

/* Says what a spill left behind: after a failed write the events stay in memory (and spilling
 * stops) rather than be lost; a failed merge of runs only costs open files. */
static void spill_outcome(struct engine *e, int rc, const tl_error *err)
{
    tl_timeline *tl = &e->out->timeline;
    if (rc != TL_OK) {
        e->spill_failed = 1;
        warn(e, "cannot spill the timeline to disk (%s); keeping it in memory", err->msg);
    } else if (tl->merge_note[0] && !e->merge_warned) {
        e->merge_warned = 1;
        warn(e, "cannot merge the spilled runs (%s); they stay separate files", tl->merge_note);
    }
}

/* Takes the batch on the side thread back: waits for it, then adds its run (or its events,
 * after a failed write). Always at the same point of the data, so which runs exist when never
 * depends on timing. */
static void spill_join(struct engine *e)
{
    if (!e->batch_busy) return;
    tl_side_sync(e->spiller);
    void *sources = (void *)e->batch.sources; /* ours: spill_if_needed made it */
    tl_error err;
    spill_outcome(e, tl_timeline_attach(&e->out->timeline, &e->batch, &err), &err);
    free(sources);
    e->batch_busy = 0;
}

/* Keeps memory flat: past three quarters of --memory (the timeline, plus the pending events of
 * ended streams; the whole budget once every stream is read) the events so far go to a sorted
 * run file. With threads to spare, the run is sorted and written on the side thread while the
 * scan goes on; the events it holds count until it is taken back, and only an eighth of the
 * budget more may arrive meanwhile. */
static void spill_if_needed(struct engine *e)
{
    tl_timeline *tl = &e->out->timeline;
    if (!tl->budget || e->spill_failed) return;
    size_t used = tl->mem_bytes + e->fin_bytes;
    /* once every stream has been read and merged, none can add pending events any more (those
     * of ended streams are in `used`): the timeline may have that quarter too, which often
     * saves the last run (written, then read back by every report writer) */
    size_t cap = e->reading_done ? tl->budget : tl->budget / 4 * 3;
    if (e->batch_busy && (used >= cap || used + e->batch.bytes >= tl->budget / 8 * 7))
        spill_join(e);
    if (used < cap || e->spill_failed || e->batch_busy || !tl->n) return;
    size_t n = e->out->evidence.n;
    const char **sources = tl_xcalloc(n ? n : 1, sizeof *sources);
    for (size_t i = 0; i < n; i++) sources[i] = e->out->evidence.items[i].source;
    tl_error err;
    int rc;
    if (e->spiller) {
        rc = tl_timeline_detach(tl, &e->batch, sources, e->set, &err);
        if (rc == TL_OK) { /* the batch keeps `sources` until spill_join frees it */
            e->batch_busy = 1;
            tl_spill_batch *b = &e->batch;
            tl_side_push(e->spiller, spill_job, NULL, &b, sizeof b);
            tl_side_flush(e->spiller);
            return;
        }
        if (rc == 1) rc = TL_OK;
    } else {
        rc = tl_timeline_spill(tl, sources, e->set, &err);
    }
    spill_outcome(e, rc, &err);
    free(sources);
}

static void free_stream(struct stream_ctx *sc)
{
    tl_event_reader_free(sc->prd);
    if (sc->pend_file) fclose(sc->pend_file);
    free(sc->pend);
    free(sc->pend_rel);
    free(sc->pend_ts);
    free(sc->long_ev);
    free(sc->long_ev_rel);
    free(sc);
}

/* Commits up to `max` events of the streams whose pending events wait (oldest stream first),
 * and frees each stream once it is done. Called a slice at a time by whichever reader holds
 * the turn, between chunks: a big year-less log read back in one go held the turn for a
 * quarter of a second while both matchers ran dry. */
static void finish_some(struct engine *e, size_t max)
{
    while (e->nfinishing && max) {
        struct stream_ctx *sc = e->finishing[0];
        tl_event *ev, fev;
        const tl_event *got;
        const tl_ts *ts;
        uint32_t rel;
        tl_ts fts;
        uint32_t frel;
        /* in stream order: what went to the pending file first, then what is still in memory */
        if (sc->prd && (got = tl_event_reader_next(sc->prd, e->set)) != NULL) {
            tl_event_copy(&fev, got);
            tl_event_reader_get(sc->prd, &fts, sizeof fts);
            tl_event_reader_get(sc->prd, &frel, sizeof frel);
            ev = &fev, ts = &fts, rel = frel;
        } else if (sc->prd) {
            tl_event_reader_free(sc->prd);
            sc->prd = NULL;
            fclose(sc->pend_file);
            sc->pend_file = NULL;
            continue;
        } else if (sc->pend_next < sc->npend) {
            size_t k = sc->pend_next++;
            ev = &sc->pend[k], ts = &sc->pend_ts[k], rel = sc->pend_rel[k];
            size_t c = pend_str_cost(ev); /* the arrays go when the stream is done */
            sc->pend_bytes -= c;
            e->fin_bytes -= c;
        } else {
            e->fin_bytes -= sc->pend_bytes;
            free_stream(sc);
            memmove(e->finishing, e->finishing + 1, --e->nfinishing * sizeof *e->finishing);
            continue;
        }
        commit_event(e, sc, ev, ts, sc->year0 + (int)rel);
        max--;
    }
}

static void finish_stream(struct engine *e, struct stream_ctx *sc)
{
    tl_evidence_item *it = &e->out->evidence.items[sc->item];
    long_flush(e, sc);
    if (sc->have_last_yl || e->opts->assume_year)
        sc->year0 = tl_ts_base_year(&sc->last_yl, sc->rel, it->mtime_sec, sc->zone,
                                    e->opts->assume_year);
    if (sc->hint_ready) {
        snprintf(it->ts_format, sizeof it->ts_format, "%s", tl_ts_format_name(sc->hint.format));
        snprintf(it->ts_order, sizeof it->ts_order, "%s (%s)", tl_ts_date_order_name(sc->hint.order),
                 tl_ts_order_source_name(sc->hint.order_source));
    }
    it->ts_zone = tl_tz_name(sc->zone);
    uint64_t raw = 0, decoded = 0;
    char *msg = NULL;
    tl_ev_status st = TL_EV_OK;
    char sha[65], kind[16];
    tl_stream_close(sc->st, &st, &msg, sha, kind, &decoded, &raw);
    if (sc->from_member) {
        /* the worker's end-of-member record already set status, hashes and sizes */
        free(msg);
        if (strcmp(kind, "text") != 0) snprintf(it->kind, sizeof it->kind, "%s", kind);
    } else {
        it->status = st;
        it->message = msg;
        memcpy(it->sha256, sha, sizeof sha);
        memcpy(it->kind, kind, sizeof kind);
        it->size = raw;
        it->decoded_bytes = decoded;
    }
    it->scanned = 1;
    it->lines = sc->line_base + (sc->ends_unterminated ? 1 : 0);
    e->out->lines += it->lines;
    e->out->bytes += decoded;
    e->prog.items_done++;
    if (!sc->npend && !sc->pend_file) { /* everything went straight to the timeline */
        free_stream(sc);
        return;
    }
    if (sc->pend_file) {
        rewind(sc->pend_file);
        sc->prd = tl_event_reader_new(sc->pend_file, "pending events file");
    }
    /* few streams wait at once: past that, the oldest is finished now, so what waits (and its
     * memory) stays bounded */
    size_t budget = e->out->timeline.budget;
    while (e->nfinishing == FINISHING_MAX ||
           (e->nfinishing && budget && e->fin_bytes + sc->pend_bytes > budget / 4)) {
        size_t n0 = e->nfinishing;
        while (e->nfinishing == n0) finish_some(e, FINISH_SLICE);
    }
    e->finishing[e->nfinishing++] = sc;
    e->fin_bytes += sc->pend_bytes;
    finish_some(e, FINISH_SLICE);
}

static void resolve_time(struct stream_ctx *sc, const struct hit_time *t, uint32_t base_rel,
                         tl_event *ev, const tl_ts **ts, uint32_t *rel)
{
    *ts = NULL;
    *rel = 0;
    switch (t->src) {
    case TS_OWN:
        *ts = &t->ts;
        *rel = base_rel + t->rollovers;
        ev->quality = t->ts.kind == TL_TS_YEARLESS ? TL_TSQ_INFERRED_YEAR : TL_TSQ_PARSED;
        break;
    case TS_INHERIT_CHUNK:
        *ts = &t->ts;
        *rel = base_rel + t->rollovers;
        ev->quality = TL_TSQ_INHERITED;
        break;
    case TS_INHERIT_PREV:
        if (sc->have_last_ts) {
            *ts = &sc->last_ts;
            *rel = sc->last_ts_rel;
            ev->quality = TL_TSQ_INHERITED;
        } else {
            ev->quality = TL_TSQ_NONE;
        }
        break;
    default: /* TS_LINE_OF_PIECE */
        if (sc->long_have_ts) {
            *ts = &sc->long_ts;
            *rel = sc->long_rel;
        }
        ev->quality = sc->long_q;
        break;
    }
}

static void merge_job(struct engine *e, struct job *j)
{
    struct stream_ctx *sc = j->sc;
    const tl_evidence_item *it = &e->out->evidence.items[sc->item];
    int heads_lines = !j->piece || j->piece_first;
    if (heads_lines && j->have_first_yl && sc->have_last_yl &&
        tl_ts_is_year_rollover(&sc->last_yl, &j->first_yl))
        sc->rel++;
    uint32_t base_rel = sc->rel;
    if (j->piece_first) {
        sc->long_line_dec = j->base_dec;
        if (j->have_last_ts) {
            sc->long_have_ts = 1;
            sc->long_ts = j->last_ts;
            sc->long_rel = base_rel;
            sc->long_q = j->last_ts.kind == TL_TS_YEARLESS ? TL_TSQ_INFERRED_YEAR : TL_TSQ_PARSED;
        } else if (sc->have_last_ts) {
            sc->long_have_ts = 1;
            sc->long_ts = sc->last_ts;
            sc->long_rel = sc->last_ts_rel;
            sc->long_q = TL_TSQ_INHERITED;
        } else {
            sc->long_have_ts = 0;
            sc->long_q = TL_TSQ_NONE;
        }
    }
    for (size_t i = 0; i < j->nevents; i++) {
        tl_event ev = j->events[i];
        const tl_ts *ts;
        uint32_t rel;
        ev.item = (uint32_t)sc->item;
        ev.line = sc->line_base + ev.line + 1;
        uint64_t dec = j->piece ? sc->long_line_dec : ev.offset;
        ev.offset = tl_stream_orig_offset(sc->st, dec);
        if (j->piece) {
            ev.quality = TL_TSQ_NONE; /* set at flush from the line's own time */
            resolve_time(sc, &(struct hit_time){.src = TS_LINE_OF_PIECE}, base_rel, &ev, &ts, &rel);
            long_push(sc, &ev);
        } else {
            resolve_time(sc, &j->times[i], base_rel, &ev, &ts, &rel);
            pend_push(e, sc, &ev, ts, rel);
        }
    }
    j->nevents = 0; /* ownership of the event strings moved on */
    if (heads_lines) {
        if (j->have_last_ts) {
            sc->last_ts = j->last_ts;
            sc->last_ts_rel = base_rel + j->last_ts_roll;
            sc->have_last_ts = 1;
        }
        sc->rel = base_rel + j->rollovers;
        if (j->have_last_yl) sc->last_yl = j->last_yl, sc->have_last_yl = 1;
    }
    for (size_t p = 0; p < j->res.nproblems; p++) {
        const tl_match_problem *pr = &j->res.problems[p];
        e->out->match_problems++;
        /* capped per top-level item (not globally) so which lines are listed does not depend
         * on how readers interleaved; the list is cut to max_warnings once sorted */
        if (++e->problems_per_root[it->root] <= e->max_warnings) {
            warn_about(e, sc->item, 1,
                       "%s:%llu: rule '%s': PCRE2 gave up on this line (error %d: match or heap "
                       "limit); the line was not fully checked for this rule",
                       it->source, (unsigned long long)(sc->line_base + pr->line + 1),
                       tl_pattern_set_rule(e->set, pr->rule)->id, pr->pcre2_rc);
        }
    }
    sc->line_base += j->nterminated;
    if (j->piece && j->piece_last) long_flush(e, sc);
    e->prog.bytes += j->len;
    if (j->stream_last) finish_stream(e, sc);
    put_job(e, j);
    if (e->opts->progress) e->opts->progress(e->opts->progress_ctx, &e->prog);
}

/* Submits a job, first taking finished ones back while the pool is at capacity. */
static void submit(struct engine *e, struct job *j)
{
    while (tl_pool_full(e->pool)) merge_job(e, tl_pool_take(e->pool));
    tl_pool_submit(e->pool, j);
    finish_some(e, FINISH_SLICE);
}

/* Cuts one text stream into chunks and submits them; the stream context is finished (and
 * freed) when its last job is merged. */
static void scan_stream(struct engine *e, size_t idx, tl_stream *st, int from_member,
                        struct reader *rd)
{
    char *carry = rd->carry;
    struct stream_ctx *sc = tl_xcalloc(1, sizeof *sc);
    sc->item = idx;
    sc->st = st;
    sc->from_member = from_member;
    sc->zone = zone_for(e, e->out->evidence.items[idx].source);
    size_t chunk = e->chunk;
    size_t carry_len = 0;
    uint64_t carry_dec = 0;
    int in_long = 0, eof = 0;
    char last_byte = '\n';
    uint64_t total = 0;
    for (;;) {
        struct job *j = get_job(e);
        j->sc = sc;
        memcpy(j->buf, carry, carry_len);
        size_t n = carry_len;
        io_begin(rd); /* a whole chunk (or the stream's end) per turn: fixed by the data */
        while (!eof && n < chunk) {
            size_t r = tl_stream_read(st, j->buf + n, chunk - n);
            if (r == 0) eof = 1;
            else {
                last_byte = j->buf[n + r - 1];
                total += r;
                n += r;
            }
        }
        io_end(rd);
        j->base_dec = carry_dec;
        if (!sc->hint_ready) {
            /* the stream's format, day/month order and stamp position, from its first lines */
            tl_ts_detect(&sc->hint, j->buf, n, e->opts->date_order);
            sc->hint_ready = 1;
        }
        j->hint = &sc->hint;
        j->zone = sc->zone;
        size_t cut, keep_from;
        if (in_long) {
            const char *nl = memchr(j->buf, '\n', n);
            j->piece = 1;
            j->piece_line_off = carry_dec - sc->long_line_dec_pending;
            if (nl) {
                cut = keep_from = (size_t)(nl - j->buf) + 1;
                j->piece_last = 1;
                in_long = 0;
            } else if (eof) {
                cut = keep_from = n;
                j->piece_last = 1;
                in_long = 0;
            } else {
                cut = n;
                keep_from = n - PIECE_OVERLAP;
            }
        } else {
            const char *nl = n ? memrchr(j->buf, '\n', n) : NULL;
            if (nl) {
                cut = keep_from = (size_t)(nl - j->buf) + 1;
            } else if (eof || n < chunk) {
                cut = keep_from = n;
            } else {
                /* a line longer than a chunk: cut it into overlapping pieces */
                j->piece = j->piece_first = 1;
                in_long = 1;
                sc->long_line_dec_pending = carry_dec;
                cut = n;
                keep_from = n - PIECE_OVERLAP;
            }
        }
        j->len = cut;
        carry_len = n - keep_from;
        memcpy(carry, j->buf + keep_from, carry_len);
        carry_dec = j->base_dec + keep_from;
        int done = eof && carry_len == 0;
        j->stream_last = done;
        if (done) sc->ends_unterminated = total > 0 && last_byte != '\n';
        submit(e, j);
        if (done) break;
    }
}

static size_t member_read(void *ctx, void *buf, size_t cap)
{
    return tl_unpack_read(ctx, buf, cap);
}

static void set_status(tl_evidence_item *it, tl_ev_status st, const char *msg)
{
    it->status = st;
    free(it->message);
    it->message = msg && *msg ? tl_xstrdup(msg) : NULL;
}

/* An archive or compressed file: the unpack worker streams its members; each leaf with text
 * becomes a stream of its own, each member an evidence item below its parent. */
static void read_archive(struct engine *e, size_t idx, struct reader *rd)
{
    tl_evidence_list *L = &e->out->evidence;
    tl_unpack *u = NULL;
    tl_error err;
    if (tl_unpack_start(&u, e->opts->exe, e->zygote, L->items[idx].path, &e->opts->unpack,
                        &err) != TL_OK) {
        set_status(&L->items[idx], TL_EV_UNREADABLE, err.msg);
        return;
    }
    size_t *map = tl_xcalloc(1, sizeof *map); /* worker member id -> item index */
    size_t mapn = 1;
    map[0] = idx;
    size_t open_member = (size_t)-1; /* begun and not ended: a crash or hang lands there */
    int final_seen = 0;
    tl_unpack_msg m;
    tl_umsg_type t;
    for (;;) {
        io_begin(rd);
        t = tl_unpack_next(u, &m);
        io_end(rd);
        if (t == TL_UMSG_EOF) break;
        if (t == TL_UMSG_MEMBER) {
            size_t target;
            if (m.id == 0) {
                target = idx;
            } else {
                size_t parent = m.parent < mapn ? map[m.parent] : idx;
                target = tl_evidence_add_member(L, parent, m.name, m.name_len);
                if (m.id >= mapn) {
                    size_t nn = m.id + 64;
                    map = tl_xrealloc(map, nn * sizeof *map);
                    for (size_t k = mapn; k < nn; k++) map[k] = idx;
                    mapn = nn;
                }
                map[m.id] = target;
                e->prog.items_total++;
            }
            tl_evidence_item *it = &L->items[target];
            if (m.id != 0) {
                if (m.mtime_sec != INT64_MIN) {
                    it->mtime_sec = m.mtime_sec;
                    it->mtime_nsec = m.mtime_nsec;
                } else {
                    /* no member time: year inference falls back to the archive's own */
                    it->mtime_sec = L->items[it->parent].mtime_sec;
                }
                it->size = m.size >= 0 ? (uint64_t)m.size : 0;
                if (m.link[0]) {
                    tl_buf lt = TL_BUF_INIT;
                    tl_escape_text(&lt, m.link, strlen(m.link), 0);
                    it->link_target = tl_buf_steal(&lt, NULL);
                }
            }
            it->entry = (int)m.entry;
            it->container = m.entry == TL_ENT_CONTAINER;
            snprintf(it->format, sizeof it->format, "%s", m.format);
            snprintf(it->kind, sizeof it->kind, "%s",
                     m.entry == TL_ENT_CONTAINER ? "archive"
                     : m.entry == TL_ENT_DIR     ? "directory"
                     : m.entry == TL_ENT_SYMLINK ? "symlink"
                     : m.entry == TL_ENT_HARDLINK ? "hardlink"
                     : m.entry == TL_ENT_SPECIAL ? "special"
                     : m.format[0]               ? "compressed"
                                                 : "text");
            open_member = target;
            if (m.has_data) {
                e->prog.current = it->source;
                tl_stream *st = tl_stream_open_source(member_read, u);
                scan_stream(e, target, st, 1, rd);
            }
        } else if (t == TL_UMSG_END || t == TL_UMSG_FINAL) {
            size_t target = t == TL_UMSG_FINAL ? idx : (m.id < mapn ? map[m.id] : idx);
            tl_evidence_item *it = &L->items[target];
            set_status(it, m.status, m.message);
            snprintf(it->sha256, sizeof it->sha256, "%s", m.sha256);
            if (strcmp(m.content_sha256, m.sha256) != 0)
                snprintf(it->content_sha256, sizeof it->content_sha256, "%s", m.content_sha256);
            if (t == TL_UMSG_FINAL || it->size == 0) it->size = m.stored_bytes;
            it->decoded_bytes = m.content_bytes;
            if (target == open_member) open_member = (size_t)-1;
            if (t == TL_UMSG_FINAL) final_seen = 1;
        }
    }
    tl_ev_status st;
    char *msg;
    io_begin(rd);
    tl_unpack_finish(u, &st, &msg);
    io_end(rd);
    if (st != TL_EV_OK || !final_seen) {
        if (st == TL_EV_OK) st = TL_EV_CRASHED;
        const char *text = msg ? msg : "decoder stopped without finishing";
        set_status(&L->items[idx], st, text);
        if (open_member != (size_t)-1 && open_member != idx)
            set_status(&L->items[open_member], st, text);
        /* members begun but never ended stay recorded with the same status */
        for (size_t k = idx + 1; k < L->n; k++)
            if (L->items[k].root == idx && L->items[k].status == TL_EV_PENDING)
                set_status(&L->items[k], st, text);
        if (!L->items[idx].sha256[0]) {
            unsigned long long size;
            tl_error herr;
            tl_sha256_file(L->items[idx].path, L->items[idx].sha256, &size, &herr);
        }
    }
    free(msg);
    free(map);
}

static void read_item(struct engine *e, size_t idx, struct reader *rd)
{
    tl_evidence_item *it = &e->out->evidence.items[idx];
    if (it->status != TL_EV_PENDING) {
        e->prog.items_done++;
        return;
    }
    e->prog.current = it->source;
    /* Content decides the route: archives and compressed streams go to the isolated worker,
     * plain text is read here. */
    unsigned char head[36 * 1024];
    ssize_t hn = -1;
    int fd = open(it->path, O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = open(it->path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        hn = pread(fd, head, sizeof head, 0);
        close(fd);
    }
    if (hn > 0 && tl_unpack_sniff(head, (size_t)hn, it->size)) {
        read_archive(e, idx, rd);
        e->prog.items_done++;
        return;
    }
    tl_stream *st = NULL;
    tl_error err;
    if (tl_stream_open(&st, it->path, &err) != TL_OK) {
        it->status = TL_EV_UNREADABLE;
        it->message = tl_xstrdup(err.msg);
        e->prog.items_done++;
        return;
    }
    if (tl_stream_is_binary(st)) {
        uint64_t raw = 0;
        tl_stream_close(st, &it->status, &it->message, it->sha256, it->kind, &it->decoded_bytes,
                        &raw);
        it->size = raw;
        it->decoded_bytes = 0;
        const char *known = hn > 0 ? tl_stream_binary_log_format(head, (size_t)hn, it->path) : NULL;
        if (it->status == TL_EV_OK && known) {
            /* the same words the unpack worker uses for a member */
            it->status = TL_EV_UNSUPPORTED_FORMAT;
            free(it->message);
            tl_buf m = TL_BUF_INIT;
            tl_buf_printf(&m, "%s (a binary log format not read yet)", known);
            it->message = tl_buf_steal(&m, NULL);
        } else if (it->status == TL_EV_OK) {
            it->status = TL_EV_SKIPPED_BINARY;
            free(it->message);
            it->message = tl_xstrdup("binary content (over 10% control bytes in the first 64 KiB); "
                                     "not scanned");
        }
        e->prog.items_done++;
        return;
    }
    scan_stream(e, idx, st, 0, rd);
}

/* A reader's life: take the next walked item while there is one (under the turn), read it. */
static void reader_main(void *ctx, tl_turns *t, int slot)
{
    struct engine *e = ctx;
    struct reader rd = {tl_xmalloc(e->chunk), t, slot};
    while (e->next_item < e->ntop) read_item(e, e->take_order[e->next_item++], &rd);
    if (t) tl_turns_leave(t, slot);
    free(rd.carry);
}

/* Members were appended as readers met them, so with several readers the list interleaves
 * archives. Renumber to what one reader gives: the walked items, then each one's members in
 * the order its archive listed them (each archive has one reader, so that order is fixed).
 * Events, parents, roots and warnings follow; -j1 and -jN reports stay byte-identical. */
static int cmp_warn(const void *a, const void *b, void *arg)
{
    const size_t *x = a, *y = b, *key = arg;
    if (key[*x] != key[*y]) return key[*x] < key[*y] ? -1 : 1;
    return *x < *y ? -1 : *x > *y;
}

/* Largest first: with several readers the run ends when the last item does, so the big ones
 * must not be left for the end (the order of work never shows in the report). */
static int cmp_size_desc(const void *a, const void *b, void *arg)
{
    const tl_evidence_item *items = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (items[x].size != items[y].size) return items[x].size > items[y].size ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void canonical_items(struct engine *e)
{
    tl_evidence_list *L = &e->out->evidence;
    size_t n = L->n, ntop = e->ntop;
    size_t *order = tl_xcalloc(n ? n : 1, sizeof *order); /* new position -> old index */
    size_t *start = tl_xcalloc(ntop + 1, sizeof *start);
    for (size_t i = ntop; i < n; i++) start[L->items[i].root + 1]++;
    for (size_t r = 0; r < ntop; r++) start[r + 1] += start[r];
    for (size_t i = 0; i < ntop; i++) order[i] = i;
    for (size_t i = ntop; i < n; i++) order[ntop + start[L->items[i].root]++] = i;
    free(start);
    int same = 1;
    for (size_t k = 0; k < n && same; k++) same = order[k] == k;
    if (!same) {
        uint32_t *map = tl_xcalloc(n, sizeof *map); /* old index -> new position */
        for (size_t k = 0; k < n; k++) map[order[k]] = (uint32_t)k;
        tl_evidence_item *items = tl_xcalloc(L->cap ? L->cap : 1, sizeof *items);
        for (size_t k = 0; k < n; k++) {
            items[k] = L->items[order[k]];
            if (items[k].parent >= 0) items[k].parent = (long)map[items[k].parent];
            items[k].root = map[items[k].root];
        }
        free(L->items);
        L->items = items;
        tl_timeline_remap_items(&e->out->timeline, map, n);
        for (size_t i = 0; i < e->out->nwarnings; i++)
            if (e->warn_tag[i].item != SIZE_MAX) e->warn_tag[i].item = map[e->warn_tag[i].item];
        free(map);
    }
    free(order);
    /* warnings in the order one reader meets them: by top-level item, each in its own order;
     * warnings about the run as a whole first */
    size_t nw = e->out->nwarnings;
    if (nw > 1) {
        size_t *key = tl_xcalloc(nw, sizeof *key), *idx = tl_xcalloc(nw, sizeof *idx);
        for (size_t i = 0; i < nw; i++) {
            size_t it = e->warn_tag[i].item;
            key[i] = it == SIZE_MAX ? 0 : L->items[it].root + 1;
            idx[i] = i;
        }
        qsort_r(idx, nw, sizeof *idx, cmp_warn, key);
        char **w = tl_xcalloc(nw, sizeof *w);
        struct warn_tag *wt = tl_xcalloc(nw, sizeof *wt);
        for (size_t i = 0; i < nw; i++) {
            w[i] = e->out->warnings[idx[i]];
            wt[i] = e->warn_tag[idx[i]];
        }
        free(e->out->warnings);
        free(e->warn_tag);
        e->out->warnings = w;
        e->warn_tag = wt;
        free(key);
        free(idx);
    }
}

int tl_scan_run(const tl_scan_opts *opts, const tl_pattern_set *set, char *const *args,
                size_t nargs, tl_scan_result *out, tl_error *err)
{
    memset(out, 0, sizeof *out);
    tl_timeline_init(&out->timeline, tl_pattern_set_count(set), opts->memory_budget,
                     opts->spill_dir);
    int rc = tl_evidence_walk(&out->evidence, args, nargs, err);
    if (rc) return rc;
    struct engine e = {0};
    e.opts = opts;
    e.set = set;
    e.out = out;
    e.max_warnings = 1000;
    e.chunk = opts->chunk_size ? opts->chunk_size : DEFAULT_CHUNK;
    if (e.chunk < 4 * PIECE_OVERLAP) e.chunk = 4 * PIECE_OVERLAP;
    e.prog.items_total = out->evidence.n;
    int nthreads = opts->threads > 0 ? opts->threads : 1;
    struct worker *workers = tl_xcalloc((size_t)nthreads, sizeof *workers);
    void **ctxs = tl_xcalloc((size_t)nthreads, sizeof *ctxs);
    for (int i = 0; i < nthreads; i++) {
        workers[i].set = set;
        rc = tl_matcher_new(&workers[i].m, set, err);
        if (rc) goto out;
        ctxs[i] = &workers[i];
    }
    /* Readers, when there is more than one item: archives decode in their own worker
     * processes, so several readers keep several decoders busy. */
    size_t nwalked = out->evidence.n;
    /* One reader per matcher thread (up to 4), and two when the evidence is many small
     * items: a reader of a small archive mostly waits on its unpack worker's start and exit.
     * 3,000 small .gz at -j2: 13.6 s with 2 readers, 11.1 s with 4. On a few large files the
     * extra readers only contend for the turn (1 GB plain, -j2: 5.06 s against 4.86 s). */
    uint64_t walked_bytes = 0;
    for (size_t i = 0; i < nwalked; i++) walked_bytes += out->evidence.items[i].size;
    int many_small = nwalked >= 64 && walked_bytes / nwalked < (1u << 20);
    int nreaders = nthreads == 1 ? 1 : nthreads * (many_small ? 2 : 1);
    if (nreaders > 4) nreaders = 4;
    if ((size_t)nreaders > nwalked) nreaders = nwalked ? (int)nwalked : 1;
    e.nreaders = nreaders;
    /* -j1 is one thread in all: the reader matches each chunk itself. With more, N matchers
     * and 2N chunks in flight (one per matcher, one more per matcher for the readers to keep
     * them fed): each chunk holds its text and, with a catch-all rule, an event per line, so
     * this bounds memory as much as --memory does. The extra readers only wait more at once;
     * the turn holder merges a result itself when the pool is full. */
    if (nthreads == 1) rc = tl_pool_create(&e.pool, 0, 1, work, ctxs, err);
    else rc = tl_pool_create(&e.pool, nthreads, (size_t)nthreads * 2, work, ctxs, err);
    if (rc) goto out;
    /* Unpack workers are forked by a zygote (much cheaper than an exec per archive). Without
     * one (it could not start, or TIMBERLINE_UNPACK_NO_ZYGOTE=1 for the tests of the direct
     * path) each worker is spawned directly, with the same result. */
    const char *nz = getenv("TIMBERLINE_UNPACK_NO_ZYGOTE");
    tl_error zerr;
    if (!(nz && strcmp(nz, "1") == 0) && opts->exe)
        (void)tl_unpack_zygote_start(&e.zygote, opts->exe, &zerr);
    /* with threads to spare, spilled runs are sorted and written on a side thread */
    tl_error side_err; /* without the thread, runs are written in line: nothing to report */
    if (nthreads > 1) (void)tl_side_start(&e.spiller, sizeof(tl_spill_batch *), 2, &side_err);
    /* members found inside archives are appended to the list as they appear; only the
     * walked items are read from the file system */
    size_t ntop = out->evidence.n;
    e.ntop = ntop;
    e.take_order = tl_xcalloc(ntop ? ntop : 1, sizeof *e.take_order);
    for (size_t i = 0; i < ntop; i++) e.take_order[i] = i;
    if (nreaders > 1 && ntop > 1)
        qsort_r(e.take_order, ntop, sizeof *e.take_order, cmp_size_desc, out->evidence.items);
    e.problems_per_root = tl_xcalloc(ntop ? ntop : 1, sizeof *e.problems_per_root);
    if (nreaders > 1) {
        rc = tl_turns_run(nreaders, reader_main, &e, err);
        if (rc) goto out;
    } else {
        reader_main(&e, NULL, 0);
    }
    struct job *j;
    while ((j = tl_pool_take(e.pool)) != NULL) merge_job(&e, j);
    e.reading_done = 1;
    finish_some(&e, SIZE_MAX);
    spill_join(&e);
    canonical_items(&e);
    /* PCRE2 give-up lines past the cap: counted, not listed */
    uint64_t problem_lines = 0;
    size_t w = 0;
    for (size_t i = 0; i < out->nwarnings; i++) {
        if (e.warn_tag[i].problem && ++problem_lines > e.max_warnings) {
            free(out->warnings[i]);
            continue;
        }
        e.warn_tag[w] = e.warn_tag[i];
        out->warnings[w++] = out->warnings[i];
    }
    out->nwarnings = w;
    if (problem_lines > e.max_warnings) problem_lines = e.max_warnings;
    if (out->match_problems > problem_lines)
        warn(&e, "%llu more lines where PCRE2 gave up are not listed",
             (unsigned long long)(out->match_problems - problem_lines));

    /* the sources stay with the result: reading the timeline merges by them */
    out->sources = tl_xcalloc(out->evidence.n ? out->evidence.n : 1, sizeof *out->sources);
    for (size_t i = 0; i < out->evidence.n; i++) out->sources[i] = out->evidence.items[i].source;
    tl_timeline_finish(&out->timeline, out->sources, set);
out:
    finish_some(&e, SIZE_MAX); /* after an error: frees what still waits */
    spill_join(&e); /* after an error: the batch's run, or its events, back to the timeline */
    tl_side_stop(e.spiller);
    tl_unpack_zygote_stop(e.zygote);
    tl_pool_free(e.pool);
    for (size_t i = 0; i < e.nspare; i++) free_job(e.spare[i]);
    free(e.spare);
    for (int i = 0; i < nthreads; i++) tl_matcher_free(workers[i].m);
    free(workers);
    free(ctxs);
    free(e.warn_tag);
    free(e.take_order);
    free(e.problems_per_root);
    return rc;
}

void tl_scan_result_free(tl_scan_result *res)
{
    if (!res) return;
    tl_timeline_free(&res->timeline);
    tl_evidence_list_free(&res->evidence);
    free(res->sources);
    for (size_t i = 0; i < res->nwarnings; i++) free(res->warnings[i]);
    free(res->warnings);
    memset(res, 0, sizeof *res);
}
