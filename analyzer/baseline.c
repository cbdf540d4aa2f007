/* Baseline of a previous report: a hash set of (source, line, rule) read from its
 * timeline.jsonl with jansson. */
#include "timberline/baseline.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timberline/buf.h"

struct tl_baseline {
    char **keys; /* open addressing; NULL = empty */
    size_t cap, n;
};

static size_t hash_bytes(const char *s, size_t n)
{
    size_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* key = source '\n' line '\n' rule (none of them contains a raw newline: sources are escaped) */
static char *make_key(const char *source, uint64_t line, const char *rule, size_t *len)
{
    tl_buf b = TL_BUF_INIT;
    tl_buf_printf(&b, "%s\n%llu\n%s", source, (unsigned long long)line, rule);
    return tl_buf_steal(&b, len);
}

static int find_slot(const tl_baseline *b, const char *key, size_t len, size_t *slot)
{
    size_t m = b->cap - 1;
    for (size_t i = hash_bytes(key, len) & m;; i = (i + 1) & m) {
        if (!b->keys[i]) {
            *slot = i;
            return 0;
        }
        if (strcmp(b->keys[i], key) == 0) {
            *slot = i;
            return 1;
        }
    }
}

static void insert(tl_baseline *b, char *key, size_t len)
{
    if ((b->n + 1) * 2 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 1024;
        char **old = b->keys;
        size_t ocap = b->cap;
        b->keys = tl_xcalloc(ncap, sizeof *b->keys);
        b->cap = ncap;
        for (size_t i = 0; i < ocap; i++) {
            if (!old[i]) continue;
            size_t slot;
            find_slot(b, old[i], strlen(old[i]), &slot);
            b->keys[slot] = old[i];
        }
        free(old);
    }
    size_t slot;
    if (find_slot(b, key, len, &slot)) {
        free(key);
        return;
    }
    b->keys[slot] = key;
    b->n++;
}

int tl_baseline_load(tl_baseline **out, const char *dir, tl_error *err)
{
    *out = NULL;
    tl_buf path = TL_BUF_INIT;
    tl_buf_printf(&path, "%s/timeline.jsonl", dir);
    FILE *f = fopen(path.data, "re");
    if (!f) {
        int rc = tl_error_set(err, TL_EIO, "--baseline %s: %s", path.data, strerror(errno));
        tl_buf_free(&path);
        return rc;
    }
    tl_baseline *b = tl_xcalloc(1, sizeof *b);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0, rc = TL_OK;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        json_error_t jerr;
        json_t *o = json_loadb(line, (size_t)n, 0, &jerr);
        const char *source = o ? json_string_value(json_object_get(o, "source")) : NULL;
        const char *rule = o ? json_string_value(json_object_get(o, "rule")) : NULL;
        json_t *ln = o ? json_object_get(o, "line") : NULL;
        if (!source || !rule || !json_is_integer(ln)) {
            rc = tl_error_set(err, TL_ECORRUPT, "--baseline %s:%d: not a timeline event%s%s",
                              path.data, lineno, o ? "" : ": ", o ? "" : jerr.text);
            json_decref(o);
            break;
        }
        size_t klen;
        char *key = make_key(source, (uint64_t)json_integer_value(ln), rule, &klen);
        insert(b, key, klen);
        json_decref(o);
    }
    free(line);
    fclose(f);
    tl_buf_free(&path);
    if (rc != TL_OK) {
        tl_baseline_free(b);
        return rc;
    }
    if (!b->cap) { /* an empty previous timeline: everything is new */
        b->cap = 16;
        b->keys = tl_xcalloc(b->cap, sizeof *b->keys);
    }
    *out = b;
    return TL_OK;
}

int tl_baseline_contains(const tl_baseline *b, const char *source, uint64_t line,
                         const char *rule)
{
    size_t len, slot;
    char *key = make_key(source, line, rule, &len);
    int found = find_slot(b, key, len, &slot);
    free(key);
    return found;
}

size_t tl_baseline_count(const tl_baseline *b)
{
    return b->n;
}

void tl_baseline_free(tl_baseline *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->cap; i++) free(b->keys[i]);
    free(b->keys);
    free(b);
}
