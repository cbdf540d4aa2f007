/* Timeline storage and sort. The comparator is total (read order last), so the output order
 * never depends on qsort's instability, thread timing or locale. */
#include "timberline/timeline.h"

#include <stdlib.h>
#include <string.h>

const char *tl_flag_name(int bit)
{
    static const char *names[TL_FLAG_COUNT] = {"long-line", "message-truncated", "dst-gap",
                                               "dst-repeat"};
    return (bit >= 0 && bit < TL_FLAG_COUNT) ? names[bit] : "?";
}

void tl_timeline_push(tl_timeline *tl, const tl_event *ev)
{
    if (tl->n == tl->cap) {
        tl->cap = tl->cap ? tl->cap * 2 : 1024;
        tl->ev = tl_xrealloc(tl->ev, tl->cap * sizeof *tl->ev);
    }
    tl->ev[tl->n++] = *ev;
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
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void tl_timeline_sort(tl_timeline *tl, const char *const *sources, const tl_pattern_set *set)
{
    struct sort_ctx c = {sources, set};
    if (tl->n) qsort_r(tl->ev, tl->n, sizeof *tl->ev, cmp_event, &c);
}

void tl_event_clear(tl_event *ev)
{
    free(ev->message);
    free(ev->indicator);
    for (size_t i = 0; i < ev->nfields; i++) free(ev->fields[i].value);
    free(ev->fields);
    memset(ev, 0, sizeof *ev);
}

void tl_timeline_free(tl_timeline *tl)
{
    for (size_t i = 0; i < tl->n; i++) tl_event_clear(&tl->ev[i]);
    free(tl->ev);
    memset(tl, 0, sizeof *tl);
}
