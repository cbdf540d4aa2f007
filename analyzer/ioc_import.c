/* Indicator feeds beyond plain lists: MISP attribute CSV exports and STIX 2.1 bundles (JSON,
 * parsed with jansson). Both become plain (value, type) entries; what cannot be expressed as
 * a literal indicator is skipped and counted, never guessed. */
#include "timberline/ioc_import.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timberline/buf.h"

static void add(tl_ioc_batch *b, const char *value, size_t n, const char *type, const char *comment,
                int line)
{
    while (n && (value[0] == ' ' || value[0] == '\t')) value++, n--;
    while (n && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r')) n--;
    if (!n) return;
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->items = tl_xrealloc(b->items, b->cap * sizeof *b->items);
    }
    tl_ioc_entry *e = &b->items[b->n++];
    e->value = tl_xstrndup(value, n);
    e->type = tl_xstrdup(type);
    e->comment = comment && *comment ? tl_xstrdup(comment) : NULL;
    e->line = line;
}

static void skip(tl_ioc_batch *b, int line, const char *fmt, const char *what)
{
    b->skipped++;
    if (b->nreasons < 20) { /* the first few are worth showing; the count says the rest */
        char msg[300];
        snprintf(msg, sizeof msg, fmt, what);
        b->reasons = tl_xrealloc(b->reasons, (b->nreasons + 1) * sizeof *b->reasons);
        b->reason_lines = tl_xrealloc(b->reason_lines, (b->nreasons + 1) * sizeof *b->reason_lines);
        b->reasons[b->nreasons] = tl_xstrdup(msg);
        b->reason_lines[b->nreasons] = line;
        b->nreasons++;
    }
}

void tl_ioc_batch_free(tl_ioc_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->items[i].value);
        free(b->items[i].type);
        free(b->items[i].comment);
    }
    free(b->items);
    for (size_t i = 0; i < b->nreasons; i++) free(b->reasons[i]);
    free(b->reasons);
    free(b->reason_lines);
    memset(b, 0, sizeof *b);
}

/* ---------------------------------------------------------------- MISP CSV */

/* One RFC 4180 record: fields into `fields` (reused), returns 0 at end of input. */
static int csv_record(const char **pp, const char *end, tl_buf *fields, size_t *nf, size_t *offs,
                      size_t maxf, int *line)
{
    const char *p = *pp;
    if (p >= end) return 0;
    tl_buf_reset(fields);
    *nf = 0;
    int quoted = 0, field_start = 1;
    offs[(*nf)++] = 0;
    while (p < end) {
        char c = *p++;
        if (quoted) {
            if (c == '"') {
                if (p < end && *p == '"') {
                    tl_buf_putc(fields, '"');
                    p++;
                } else {
                    quoted = 0;
                }
            } else {
                if (c == '\n') (*line)++;
                tl_buf_putc(fields, c);
            }
            continue;
        }
        if (c == '"' && field_start) {
            quoted = 1;
            field_start = 0;
            continue;
        }
        field_start = 0;
        if (c == ',') {
            tl_buf_putc(fields, '\0');
            if (*nf < maxf) offs[(*nf)++] = fields->len;
            field_start = 1;
        } else if (c == '\n') {
            (*line)++;
            break;
        } else if (c != '\r') {
            tl_buf_putc(fields, c);
        }
    }
    tl_buf_putc(fields, '\0');
    *pp = p;
    return 1;
}

/* MISP attribute type -> indicator type, or NULL when it is not a literal we hunt for. The
 * value part to keep for composite types ("filename|md5") is chosen by `part`. */
static const char *misp_type(const char *t, int *part)
{
    static const struct {
        const char *misp, *type;
        int part; /* -1 whole value, 0 first of 'a|b', 1 second, 2 both */
    } map[] = {
        {"ip-src", "ip", -1},        {"ip-dst", "ip", -1},         {"ip-src|port", "ip", 0},
        {"ip-dst|port", "ip", 0},    {"domain", "domain", -1},     {"hostname", "domain", -1},
        {"domain|ip", "any", 2},     {"hostname|port", "domain", 0}, {"url", "url", -1},
        {"uri", "literal", -1},      {"link", "url", -1},          {"email", "email", -1},
        {"email-src", "email", -1},  {"email-dst", "email", -1},   {"target-email", "email", -1},
        {"md5", "hash", -1},         {"sha1", "hash", -1},         {"sha224", "hash", -1},
        {"sha256", "hash", -1},      {"sha384", "hash", -1},       {"sha512", "hash", -1},
        {"filename|md5", "hash", 1}, {"filename|sha1", "hash", 1}, {"filename|sha256", "hash", 1},
        {"filename|sha512", "hash", 1}, {"user-agent", "literal", -1},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcasecmp(t, map[i].misp) == 0) {
            *part = map[i].part;
            return map[i].type;
        }
    }
    return NULL;
}

int tl_ioc_import_misp_csv(const char *text, size_t len, tl_ioc_batch *out, tl_error *err)
{
    const char *p = text, *end = text + len;
    if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3;
    tl_buf f = TL_BUF_INIT;
    size_t offs[64], nf = 0;
    int line = 1, rc = TL_OK;
    int col_type = -1, col_value = -1, col_comment = -1, col_category = -1;
    if (!csv_record(&p, end, &f, &nf, offs, 64, &line)) {
        rc = tl_error_set(err, TL_ECORRUPT, "empty MISP CSV (no header row)");
        goto out;
    }
    for (size_t i = 0; i < nf; i++) {
        const char *h = f.data + offs[i];
        if (strcasecmp(h, "type") == 0) col_type = (int)i;
        else if (strcasecmp(h, "value") == 0) col_value = (int)i;
        else if (strcasecmp(h, "comment") == 0) col_comment = (int)i;
        else if (strcasecmp(h, "category") == 0) col_category = (int)i;
    }
    if (col_type < 0 || col_value < 0) {
        rc = tl_error_set(err, TL_ECORRUPT, "MISP CSV header needs 'type' and 'value' columns");
        goto out;
    }
    int rec_line = line;
    while (csv_record(&p, end, &f, &nf, offs, 64, &line)) {
        if (nf == 1 && f.data[0] == '\0') { /* blank line */
            rec_line = line;
            continue;
        }
        if ((int)nf <= col_type || (int)nf <= col_value) {
            skip(out, rec_line, "%s", "row with fewer columns than the header");
            rec_line = line;
            continue;
        }
        const char *type = f.data + offs[col_type], *value = f.data + offs[col_value];
        const char *comment = col_comment >= 0 && (int)nf > col_comment ? f.data + offs[col_comment] : "";
        const char *category = col_category >= 0 && (int)nf > col_category ? f.data + offs[col_category] : "";
        char note[512];
        snprintf(note, sizeof note, "%s%s%s", category, *category && *comment ? ": " : "", comment);
        int part;
        const char *t = misp_type(type, &part);
        if (!t) {
            skip(out, rec_line, "MISP type '%s' is not a literal indicator; skipped", type);
        } else if (part < 0) {
            add(out, value, strlen(value), t, note, rec_line);
        } else {
            const char *bar = strchr(value, '|');
            if (!bar) {
                add(out, value, strlen(value), t, note, rec_line);
            } else {
                if (part == 0 || part == 2) add(out, value, (size_t)(bar - value), t, note, rec_line);
                if (part == 1 || part == 2) add(out, bar + 1, strlen(bar + 1), t, note, rec_line);
            }
        }
        rec_line = line;
    }
out:
    tl_buf_free(&f);
    return rc;
}

/* ---------------------------------------------------------------- STIX 2.1 */

/* Object paths we turn into literals. */
static const char *stix_type(const char *path, size_t n)
{
    static const struct {
        const char *path, *type;
    } map[] = {
        {"ipv4-addr:value", "ip"},    {"ipv6-addr:value", "ip"},     {"domain-name:value", "domain"},
        {"url:value", "url"},         {"email-addr:value", "email"}, {"file:hashes.", "hash"},
        {"file:hashes.'", "hash"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t m = strlen(map[i].path);
        if (map[i].path[m - 1] == '.' || map[i].path[m - 1] == '\'') {
            if (n > m && strncmp(path, map[i].path, m) == 0) return map[i].type;
        } else if (n == m && strncmp(path, map[i].path, m) == 0) {
            return map[i].type;
        }
    }
    return NULL;
}

/* Parses `[path = 'v' OR path = 'v'] OR [...]`: only comparisons with '=' joined by OR (plain
 * ORs expand to several indicators). Returns 0 and fills the batch, or -1 with *why set. */
static int stix_pattern(const char *pat, tl_ioc_batch *b, const char *name, int line,
                        const char **why)
{
    const char *p = pat;
    size_t first = b->n;
    int expect_term = 1;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        if (!*p) break;
        if (*p == '[' || *p == ']' || *p == '(' || *p == ')') {
            p++;
            continue;
        }
        if (!expect_term) {
            if (strncmp(p, "OR", 2) == 0 && (p[2] == ' ' || p[2] == '[' || p[2] == '(')) {
                p += 2;
                expect_term = 1;
                continue;
            }
            *why = "combines comparisons with something other than OR";
            goto fail;
        }
        const char *ps = p;
        while (*p && *p != ' ' && *p != '=' && *p != '!' && *p != '<' && *p != '>') p++;
        size_t plen = (size_t)(p - ps);
        while (*p == ' ') p++;
        if (*p != '=') {
            *why = "uses an operator other than '='";
            goto fail;
        }
        p++;
        while (*p == ' ') p++;
        if (*p != '\'') {
            *why = "compares with something other than a string";
            goto fail;
        }
        p++;
        tl_buf v = TL_BUF_INIT;
        while (*p && *p != '\'') {
            if (*p == '\\' && (p[1] == '\'' || p[1] == '\\')) p++;
            tl_buf_putc(&v, *p++);
        }
        if (*p != '\'') {
            tl_buf_free(&v);
            *why = "has an unterminated string";
            goto fail;
        }
        p++;
        const char *t = stix_type(ps, plen);
        if (!t) {
            tl_buf_free(&v);
            *why = "tests an object path that is not an IP, domain, URL, e-mail or file hash";
            goto fail;
        }
        add(b, v.data ? v.data : "", v.len, t, name, line);
        tl_buf_free(&v);
        expect_term = 0;
    }
    if (b->n == first) {
        *why = "has no comparison";
        return -1;
    }
    return 0;
fail:
    /* all or nothing: a half-understood pattern would hunt for something else */
    for (size_t i = first; i < b->n; i++) {
        free(b->items[i].value);
        free(b->items[i].type);
        free(b->items[i].comment);
    }
    b->n = first;
    return -1;
}

int tl_ioc_import_stix(const char *text, size_t len, tl_ioc_batch *out, tl_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root) return tl_error_set(err, TL_ECORRUPT, "line %d: %s", jerr.line, jerr.text);
    json_t *objs = json_object_get(root, "objects");
    if (!json_is_array(objs)) {
        json_decref(root);
        return tl_error_set(err, TL_ECORRUPT, "not a STIX bundle (no \"objects\" array)");
    }
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o)
    {
        const char *type = json_string_value(json_object_get(o, "type"));
        if (!type || strcmp(type, "indicator") != 0) continue;
        const char *pattern = json_string_value(json_object_get(o, "pattern"));
        const char *ptype = json_string_value(json_object_get(o, "pattern_type"));
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *id = json_string_value(json_object_get(o, "id"));
        int line = (int)i + 1; /* position in the bundle: JSON has no useful line numbers here */
        if (!pattern || (ptype && strcmp(ptype, "stix") != 0)) {
            skip(out, line, "indicator %s: not a STIX pattern; skipped", id ? id : "?");
            continue;
        }
        const char *why = NULL;
        if (stix_pattern(pattern, out, name ? name : (id ? id : ""), line, &why) != 0) {
            char msg[256];
            snprintf(msg, sizeof msg, "indicator %s: pattern %s; skipped", id ? id : "?", why);
            skip(out, line, "%s", msg);
        }
    }
    json_decref(root);
    return TL_OK;
}
