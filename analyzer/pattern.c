/* Pattern sets: parsing rule files and IOC lists (refanging, type detection), collecting every
 * problem with file:line, and compiling PCRE2 JIT code plus the vectorscan screening databases. */
#include "pattern_internal.h"

#include <dirent.h>
#include <stdarg.h>
#include <strings.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "timberline/buf.h"
#include "timberline/hash.h"
#include "timberline/ioc_import.h"

static const char *SEV_NAMES[] = {"info", "low", "medium", "high", "critical"};

int tl_severity_parse(const char *s, tl_severity *out)
{
    for (int i = 0; i < 5; i++) {
        if (strcmp(s, SEV_NAMES[i]) == 0) {
            *out = (tl_severity)i;
            return TL_OK;
        }
    }
    return TL_EUSAGE;
}

const char *tl_severity_name(tl_severity s)
{
    return (unsigned)s < 5 ? SEV_NAMES[s] : "?";
}

const char *tl_ioc_type_name(tl_ioc_type t)
{
    static const char *names[] = {"ipv4", "ipv6", "domain", "email", "hash", "url", "literal"};
    return (unsigned)t < 7 ? names[t] : "?";
}

/* ---- diagnostics and the id index ---- */

static void diag(tl_pattern_set *set, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void diag(tl_pattern_set *set, int is_error, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (set->ndiags == set->diags_cap) {
        set->diags_cap = set->diags_cap ? 2 * set->diags_cap : 16;
        set->diags = tl_xrealloc(set->diags, set->diags_cap * sizeof *set->diags);
        set->diag_is_error =
            tl_xrealloc(set->diag_is_error, set->diags_cap * sizeof *set->diag_is_error);
    }
    set->diags[set->ndiags] = tl_xstrdup(msg);
    set->diag_is_error[set->ndiags] = is_error;
    set->ndiags++;
    if (is_error) set->nerrors++;
}

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Returns the rule index for id, or (size_t)-1. */
static size_t index_find(const tl_pattern_set *set, const char *id)
{
    if (!set->index_cap) return (size_t)-1;
    size_t mask = set->index_cap - 1;
    for (size_t i = hash_str(id) & mask;; i = (i + 1) & mask) {
        size_t v = set->index[i];
        if (!v) return (size_t)-1;
        if (strcmp(set->rules[v - 1].id, id) == 0) return v - 1;
    }
}

static void index_put(tl_pattern_set *set, size_t rule)
{
    if ((set->nrules + 1) * 2 > set->index_cap) {
        size_t ncap = set->index_cap ? set->index_cap * 2 : 64;
        while (ncap < (set->nrules + 1) * 2) ncap *= 2;
        free(set->index);
        set->index = tl_xcalloc(ncap, sizeof *set->index);
        set->index_cap = ncap;
        for (size_t r = 0; r < set->nrules; r++) {
            if (r == rule) continue;
            size_t m = ncap - 1;
            size_t i = hash_str(set->rules[r].id) & m;
            while (set->index[i]) i = (i + 1) & m;
            set->index[i] = r + 1;
        }
    }
    size_t m = set->index_cap - 1;
    size_t i = hash_str(set->rules[rule].id) & m;
    while (set->index[i]) i = (i + 1) & m;
    set->index[i] = rule + 1;
}

static tl_rule *new_rule(tl_pattern_set *set)
{
    if (set->nrules == set->rules_cap) {
        set->rules_cap = set->rules_cap ? 2 * set->rules_cap : 32;
        set->rules = tl_xrealloc(set->rules, set->rules_cap * sizeof *set->rules);
    }
    tl_rule *r = &set->rules[set->nrules];
    memset(r, 0, sizeof *r);
    r->severity = TL_SEV_MEDIUM;
    return r;
}

static void rule_clear(tl_rule *r)
{
    free(r->id);
    free(r->description);
    for (size_t i = 0; i < r->ntags; i++) free(r->tags[i]);
    free(r->tags);
    free(r->regex);
    free(r->literal);
    free(r->file);
    for (size_t i = 0; i < r->ntests; i++) free(r->tests[i].line);
    free(r->tests);
    for (size_t i = 0; i < r->ncapnames; i++) free(r->capnames[i]);
    free(r->capnames);
    free(r->unfiltered_why);
    free(r->screen_note);
}

tl_pattern_set *tl_pattern_set_new(void)
{
    return tl_xcalloc(1, sizeof(tl_pattern_set));
}

void tl_pattern_set_free(tl_pattern_set *set)
{
    if (!set) return;
    for (size_t i = 0; i < set->nrules; i++) {
        if (set->codes) pcre2_code_free(set->codes[i]);
        if (set->capgroups) free(set->capgroups[i]);
        rule_clear(&set->rules[i]);
    }
    free(set->codes);
    free(set->capgroups);
    free(set->rules);
    for (size_t i = 0; i < set->nfiles; i++) free(set->files[i].path);
    free(set->files);
    for (size_t i = 0; i < set->ndiags; i++) free(set->diags[i]);
    free(set->diags);
    free(set->diag_is_error);
    free(set->index);
    hs_free_database(set->lit_db);
    hs_free_database(set->re_db);
    free(set->lit_rule);
    free(set->cache_dir);
    hs_free_scratch(set->scratch);
    for (size_t k = 0; k < set->nunfiltered; k++) free(set->ugate ? set->ugate[k] : NULL);
    free(set->ugate);
    free(set->unfiltered);
    free(set);
}

size_t tl_pattern_set_count(const tl_pattern_set *set) { return set->nrules; }
const tl_rule *tl_pattern_set_rule(const tl_pattern_set *set, size_t i) { return &set->rules[i]; }
size_t tl_pattern_set_nfiles(const tl_pattern_set *set) { return set->nfiles; }
const tl_pattern_file *tl_pattern_set_file(const tl_pattern_set *set, size_t i)
{
    return &set->files[i];
}
size_t tl_pattern_set_ndiags(const tl_pattern_set *set) { return set->ndiags; }
size_t tl_pattern_set_nerrors(const tl_pattern_set *set) { return set->nerrors; }
const char *tl_pattern_set_diag(const tl_pattern_set *set, size_t i, int *is_error)
{
    if (is_error) *is_error = set->diag_is_error[i];
    return set->diags[i];
}

/* ---- small text helpers (ASCII only: pattern files must parse the same in any locale) ---- */

static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
static int is_alnum(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

static char *trim(char *s)
{
    while (is_blank((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && is_blank((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

static int valid_rule_id(const char *id)
{
    if (!*id) return 0;
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!(is_alnum((unsigned char)c) || c == '-' || c == '_' || c == '.')) return 0;
    }
    return 1;
}

static void split_tags(tl_rule *r, const char *value)
{
    for (size_t i = 0; i < r->ntags; i++) free(r->tags[i]);
    free(r->tags);
    r->tags = NULL;
    r->ntags = 0;
    const char *p = value;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *t = tl_xstrndup(p, n);
        char *tt = trim(t);
        if (*tt) {
            r->tags = tl_xrealloc(r->tags, (r->ntags + 1) * sizeof *r->tags);
            r->tags[r->ntags++] = tl_xstrdup(tt);
        }
        free(t);
        if (!e) break;
        p = e + 1;
    }
}

static void add_test(tl_rule *r, const char *line, int expect, int src_line)
{
    r->tests = tl_xrealloc(r->tests, (r->ntests + 1) * sizeof *r->tests);
    r->tests[r->ntests].line = tl_xstrdup(line);
    r->tests[r->ntests].expect_match = expect;
    r->tests[r->ntests].src_line = src_line;
    r->ntests++;
}

/* Reads a whole pattern file (small by nature) and records it with its hash. */
static int read_pattern_file(tl_pattern_set *set, const char *path, char **out, size_t *outlen,
                             tl_error *err)
{
    FILE *f = fopen(path, "rbe");
    if (!f) return tl_error_set(err, TL_EIO, "%s: cannot read pattern file: %s", path, strerror(errno));
    tl_buf b = TL_BUF_INIT;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) tl_buf_append(&b, tmp, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        tl_buf_free(&b);
        return tl_error_set(err, TL_EIO, "%s: read error", path);
    }
    if (set->nfiles == set->files_cap) {
        set->files_cap = set->files_cap ? 2 * set->files_cap : 8;
        set->files = tl_xrealloc(set->files, set->files_cap * sizeof *set->files);
    }
    tl_pattern_file *pf = &set->files[set->nfiles++];
    pf->path = tl_xstrdup(path);
    pf->nrules = 0;
    tl_sha256 *h = tl_sha256_new();
    tl_sha256_update(h, b.data ? b.data : "", b.len);
    tl_sha256_final_hex(h, pf->sha256);
    tl_sha256_free(h);
    *out = tl_buf_steal(&b, outlen);
    return TL_OK;
}

/* Splits text into lines in place: returns the next line (NUL-terminated, `\r` kept) or NULL. */
static char *next_line(char **cursor, char *end)
{
    if (*cursor >= end) return NULL;
    char *s = *cursor;
    char *nl = memchr(s, '\n', (size_t)(end - s));
    if (nl) {
        *nl = '\0';
        *cursor = nl + 1;
    } else {
        *cursor = end;
    }
    return s;
}

/* ---- rule files ---- */

static void finish_rule(tl_pattern_set *set, tl_rule *r, int *open)
{
    if (!*open) return;
    *open = 0;
    if (!r->regex) {
        diag(set, 1, "%s:%d: rule '%s': missing 'regex'", r->file, r->line, r->id);
        rule_clear(r);
        return;
    }
    if (!r->description) r->description = tl_xstrdup("");
    size_t dup = index_find(set, r->id);
    if (dup != (size_t)-1) {
        diag(set, 1, "%s:%d: rule '%s': duplicate id (first defined at %s:%d)", r->file, r->line,
             r->id, set->rules[dup].file, set->rules[dup].line);
        rule_clear(r);
        return;
    }
    set->nrules++;
    index_put(set, set->nrules - 1);
    set->files[set->nfiles - 1].nrules++;
}

static void load_rules_text(tl_pattern_set *set, const char *path, char *text, size_t len)
{
    char *cur = text, *end = text + len;
    int lineno = 0, open = 0;
    tl_rule *r = NULL;
    int seen_sev = 0, bad_section = 0;
    char *raw;
    while ((raw = next_line(&cur, end)) != NULL) {
        lineno++;
        if (lineno == 1 && (unsigned char)raw[0] == 0xEF && (unsigned char)raw[1] == 0xBB &&
            (unsigned char)raw[2] == 0xBF)
            raw += 3; /* UTF-8 BOM from Windows editors */
        char *s = trim(raw);
        if (!*s || *s == '#') continue;
        if (*s == '[') {
            finish_rule(set, r, &open);
            size_t n = strlen(s);
            if (s[n - 1] != ']' || strncmp(s, "[rule", 5) != 0 || !is_blank((unsigned char)s[5])) {
                diag(set, 1, "%s:%d: expected a '[rule ID]' header, got '%s'", path, lineno, s);
                r = NULL;
                bad_section = 1;
                continue;
            }
            s[n - 1] = '\0';
            char *id = trim(s + 5);
            if (!valid_rule_id(id)) {
                diag(set, 1, "%s:%d: rule '%s': bad id (use letters, digits, '-', '_', '.')",
                     path, lineno, id);
                r = NULL;
                bad_section = 1;
                continue;
            }
            r = new_rule(set);
            r->id = tl_xstrdup(id);
            r->file = tl_xstrdup(path);
            r->line = lineno;
            open = 1;
            seen_sev = 0;
            bad_section = 0;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            diag(set, 1, "%s:%d: expected 'key = value'", path, lineno);
            continue;
        }
        *eq = '\0';
        char *key = trim(s);
        char *value = trim(eq + 1);
        if (!open) {
            /* After a bad header the error is already reported; don't repeat it per key. */
            if (r == NULL && !bad_section)
                diag(set, 1, "%s:%d: '%s' outside a [rule ID] section", path, lineno, key);
            continue;
        }
        if (strcmp(key, "severity") == 0) {
            if (seen_sev) diag(set, 1, "%s:%d: rule '%s': severity given twice", path, lineno, r->id);
            seen_sev = 1;
            if (tl_severity_parse(value, &r->severity) != TL_OK)
                diag(set, 1,
                     "%s:%d: rule '%s': bad severity '%s' (info, low, medium, high, critical)",
                     path, lineno, r->id, value);
        } else if (strcmp(key, "description") == 0) {
            free(r->description);
            r->description = tl_xstrdup(value);
        } else if (strcmp(key, "tags") == 0) {
            split_tags(r, value);
        } else if (strcmp(key, "regex") == 0) {
            if (r->regex) diag(set, 1, "%s:%d: rule '%s': regex given twice", path, lineno, r->id);
            else if (!*value) diag(set, 1, "%s:%d: rule '%s': empty regex", path, lineno, r->id);
            else {
                r->regex = tl_xstrdup(value);
                r->kind = TL_RULE_REGEX;
                r->regex_line = lineno; /* compile errors point at the regex, not the header */
            }
        } else if (strcmp(key, "test.match") == 0) {
            add_test(r, value, 1, lineno);
        } else if (strcmp(key, "test.nomatch") == 0) {
            add_test(r, value, 0, lineno);
        } else {
            diag(set, 1, "%s:%d: rule '%s': unknown key '%s'", path, lineno, r->id, key);
        }
    }
    finish_rule(set, r, &open);
}

/* ---- IOC lists ---- */

/* Undoes the usual defanging: hxxp, [.] (.) {.} [dot], [:], [@] [at]. */
static char *refang(const char *s)
{
    tl_buf b = TL_BUF_INIT;
    const char *p = s;
    while (*p) {
        if ((p[0] == 'h' || p[0] == 'H') && (p[1] == 'x' || p[1] == 'X') &&
            (p[2] == 'x' || p[2] == 'X') && (p[3] == 'p' || p[3] == 'P')) {
            tl_buf_append(&b, p[0] == 'h' ? "http" : "HTTP", 4);
            p += 4;
            continue;
        }
        static const struct {
            const char *from;
            char to;
        } map[] = {{"[.]", '.'}, {"(.)", '.'}, {"{.}", '.'}, {"[dot]", '.'}, {"(dot)", '.'},
                   {"[:]", ':'}, {"[@]", '@'}, {"[at]", '@'}, {"(at)", '@'}, {"[/]", '/'}};
        int done = 0;
        /* every defang form opens with a bracket: skip the table for other bytes (100k-line
         * feeds spent most of their load time here) */
        for (size_t i = 0; (*p == '[' || *p == '(' || *p == '{') && i < sizeof map / sizeof map[0];
             i++) {
            size_t n = strlen(map[i].from);
            if (strncasecmp(p, map[i].from, n) == 0) {
                tl_buf_putc(&b, map[i].to);
                p += n;
                done = 1;
                break;
            }
        }
        if (!done) tl_buf_putc(&b, *p++);
    }
    return tl_buf_steal(&b, NULL);
}

static int is_ipv4(const char *s)
{
    int parts = 0;
    const char *p = s;
    while (1) {
        int v = 0, digits = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            if (++digits > 3) return 0;
            p++;
        }
        if (!digits || v > 255) return 0;
        parts++;
        if (*p == '.') {
            p++;
            continue;
        }
        break;
    }
    return *p == '\0' && parts == 4;
}

static tl_ioc_type classify(const char *s)
{
    size_t n = strlen(s);
    if (is_ipv4(s)) return TL_IOC_IPV4;
    if (strstr(s, "://")) return TL_IOC_URL;
    size_t colons = 0, hex = 0, other = 0;
    for (const char *p = s; *p; p++) {
        if (*p == ':') colons++;
        else if (is_hex((unsigned char)*p)) hex++;
        else if (*p != '.') other++;
    }
    if (colons >= 2 && other == 0) return TL_IOC_IPV6;
    if (colons == 0 && other == 0 && hex == n && (n == 32 || n == 40 || n == 64 || n == 128))
        return TL_IOC_HASH;
    const char *at = strchr(s, '@');
    if (at && at != s && strchr(at + 1, '.') && !strchr(at + 1, '@')) return TL_IOC_EMAIL;
    /* domain: labels of [A-Za-z0-9-] separated by dots, last label alphabetic */
    if (strchr(s, '.') && s[0] != '.' && s[n - 1] != '.') {
        int ok = 1;
        for (const char *p = s; *p && ok; p++)
            if (!(is_alnum((unsigned char)*p) || *p == '-' || *p == '.')) ok = 0;
        const char *last = strrchr(s, '.') + 1;
        for (const char *p = last; *p && ok; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-')) ok = 0;
        if (ok && strstr(s, "..") == NULL) return TL_IOC_DOMAIN;
    }
    return TL_IOC_LITERAL;
}

static char *list_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
    return tl_xstrndup(base, n);
}

/* Adds one indicator (as published: refanged here) as its own rule `<list>:<indicator>`.
 * `feed_type` is the type a feed declared ("ip", "domain", "hash", ...; NULL = detect); a
 * declared case-insensitive type keeps the match case-insensitive even when detection
 * disagrees. */
static void add_indicator(tl_pattern_set *set, const char *path, int lineno, const char *name,
                          const char *value, const char *feed_type, tl_severity sev,
                          const char *desc, char **tags, size_t ntags)
{
    char *ind = refang(value);
    tl_ioc_type type = classify(ind);
    int caseless = type == TL_IOC_DOMAIN || type == TL_IOC_HASH || type == TL_IOC_EMAIL ||
                   type == TL_IOC_IPV6;
    if (feed_type && (strcmp(feed_type, "domain") == 0 || strcmp(feed_type, "hash") == 0 ||
                      strcmp(feed_type, "email") == 0))
        caseless = 1;
    if (feed_type && strcmp(feed_type, "ip") == 0 && type != TL_IOC_IPV4 && type != TL_IOC_IPV6)
        diag(set, 0, "%s:%d: '%s' is listed as an IP address but does not look like one", path,
             lineno, ind);
    if (caseless)
        for (char *q = ind; *q; q++) *q = lower(*q);
    if (strlen(ind) < 3) {
        diag(set, 1, "%s:%d: indicator '%s' is too short to hunt for (under 3 bytes)", path, lineno,
             ind);
        free(ind);
        return;
    }
    tl_buf id = TL_BUF_INIT;
    tl_buf_printf(&id, "%s:%s", name, ind);
    size_t dup = index_find(set, id.data);
    if (dup != (size_t)-1) {
        tl_rule *o = &set->rules[dup];
        if (o->kind == TL_RULE_IOC)
            diag(set, 0, "%s:%d: indicator '%s' repeated (first at %s:%d); merged", path, lineno,
                 ind, o->file, o->line);
        else
            diag(set, 1, "%s:%d: indicator id '%s' clashes with the rule at %s:%d", path, lineno,
                 id.data, o->file, o->line);
        tl_buf_free(&id);
        free(ind);
        return;
    }
    tl_rule *r = new_rule(set);
    r->id = tl_buf_steal(&id, NULL);
    r->kind = TL_RULE_IOC;
    r->severity = sev;
    r->description = tl_xstrdup(desc ? desc : "");
    if (ntags) {
        r->tags = tl_xcalloc(ntags, sizeof *r->tags);
        for (size_t i = 0; i < ntags; i++) r->tags[i] = tl_xstrdup(tags[i]);
        r->ntags = ntags;
    }
    r->literal_len = strlen(ind);
    r->literal = ind;
    r->ioc_type = type;
    r->caseless = caseless;
    r->file = tl_xstrdup(path);
    r->line = lineno;
    set->nrules++;
    index_put(set, set->nrules - 1);
    set->files[set->nfiles - 1].nrules++;
}

/* MISP CSV and STIX bundles: their literal indicators become rules like list lines; what
 * they hold beyond that is counted and reported as a warning. */
static void load_feed(tl_pattern_set *set, const char *path, char *text, size_t len, int stix)
{
    tl_ioc_batch b;
    memset(&b, 0, sizeof b);
    tl_error err;
    int rc = stix ? tl_ioc_import_stix(text, len, &b, &err)
                  : tl_ioc_import_misp_csv(text, len, &b, &err);
    if (rc != TL_OK) {
        diag(set, 1, "%s: %s", path, err.msg);
        tl_ioc_batch_free(&b);
        return;
    }
    char *name = list_name(path);
    for (size_t i = 0; i < b.n; i++)
        add_indicator(set, path, b.items[i].line, name, b.items[i].value,
                      strcmp(b.items[i].type, "any") == 0 ? NULL : b.items[i].type, TL_SEV_HIGH,
                      b.items[i].comment, NULL, 0);
    for (size_t i = 0; i < b.nreasons; i++)
        diag(set, 0, "%s:%d: %s", path, b.reason_lines[i], b.reasons[i]);
    if (b.skipped)
        diag(set, 0, "%s: %zu %s loaded, %zu skipped (not literal indicators)", path, b.n,
             stix ? "STIX indicator values" : "MISP attributes", b.skipped);
    free(name);
    tl_ioc_batch_free(&b);
}

static void load_ioc_text(tl_pattern_set *set, const char *path, char *text, size_t len)
{
    char *cur = text, *end = text + len;
    int lineno = 0;
    tl_severity sev = TL_SEV_HIGH;
    char *name = list_name(path);
    char *desc = NULL;
    char **tags = NULL;
    size_t ntags = 0;
    char *raw;
    while ((raw = next_line(&cur, end)) != NULL) {
        lineno++;
        char *s = trim(raw);
        if (lineno == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s = trim(s + 3); /* UTF-8 BOM from Windows editors */
        if (!*s) continue;
        if (*s == '#') {
            char *c = trim(s + 1);
            if (strncasecmp(c, "severity:", 9) == 0) {
                char *v = trim(c + 9);
                for (char *q = v; *q; q++) *q = lower(*q);
                if (tl_severity_parse(v, &sev) != TL_OK)
                    diag(set, 1, "%s:%d: bad severity '%s' (info, low, medium, high, critical)",
                         path, lineno, v);
            } else if (strncasecmp(c, "description:", 12) == 0) {
                free(desc);
                desc = tl_xstrdup(trim(c + 12));
            } else if (strncasecmp(c, "tags:", 5) == 0) {
                tl_rule tmp = {0};
                split_tags(&tmp, trim(c + 5));
                for (size_t i = 0; i < ntags; i++) free(tags[i]);
                free(tags);
                tags = tmp.tags;
                ntags = tmp.ntags;
            }
            continue;
        }
        /* An inline comment needs a blank before '#': URLs may carry fragments. */
        for (char *q = s + 1; *q; q++) {
            if (*q == '#' && is_blank((unsigned char)q[-1])) {
                *q = '\0';
                s = trim(s);
                break;
            }
        }
        add_indicator(set, path, lineno, name, s, NULL, sev, desc, tags, ntags);
    }
    free(name);
    free(desc);
    for (size_t i = 0; i < ntags; i++) free(tags[i]);
    free(tags);
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int pattern_kind(const char *path)
{
    if (has_suffix(path, ".rules")) return 1;
    if (has_suffix(path, ".ioc") || has_suffix(path, ".txt")) return 2;
    if (has_suffix(path, ".csv")) return 3;                           /* MISP export */
    if (has_suffix(path, ".json") || has_suffix(path, ".stix")) return 4; /* STIX 2.1 */
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_file(tl_pattern_set *set, const char *path, tl_error *err)
{
    int kind = pattern_kind(path);
    if (!kind) {
        diag(set, 1,
             "%s: not a pattern file (expected *.rules, *.ioc, *.txt, MISP *.csv or STIX *.json)",
             path);
        return TL_OK;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = read_pattern_file(set, path, &text, &len, err);
    if (rc) return rc;
    if (kind == 1) load_rules_text(set, path, text, len);
    else if (kind == 2) load_ioc_text(set, path, text, len);
    else load_feed(set, path, text, len, kind == 4);
    free(text);
    return TL_OK;
}

static int load_dir(tl_pattern_set *set, const char *path, int depth, tl_error *err)
{
    if (depth > 32) {
        diag(set, 1, "%s: pattern directories nested too deeply", path);
        return TL_OK;
    }
    DIR *d = opendir(path);
    if (!d) return tl_error_set(err, TL_EIO, "%s: cannot read directory: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        names = tl_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = tl_xstrdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    int rc = TL_OK;
    for (size_t i = 0; i < n; i++) {
        tl_buf full = TL_BUF_INIT;
        size_t plen = strlen(path);
        tl_buf_append(&full, path, plen);
        if (plen && path[plen - 1] != '/') tl_buf_putc(&full, '/');
        tl_buf_puts(&full, names[i]);
        struct stat st;
        if (rc == TL_OK && stat(full.data, &st) == 0) {
            if (S_ISDIR(st.st_mode)) rc = load_dir(set, full.data, depth + 1, err);
            else if (S_ISREG(st.st_mode) && pattern_kind(full.data)) rc = load_file(set, full.data, err);
        }
        tl_buf_free(&full);
        free(names[i]);
    }
    free(names);
    return rc;
}

int tl_pattern_set_load(tl_pattern_set *set, const char *path, tl_error *err)
{
    TL_ASSERT(!set->compiled);
    struct stat st;
    if (stat(path, &st) != 0)
        return tl_error_set(err, errno == ENOENT ? TL_ENOTFOUND : TL_EIO, "%s: %s", path,
                            strerror(errno));
    if (S_ISDIR(st.st_mode)) return load_dir(set, path, 0, err);
    return load_file(set, path, err);
}

/* ---- compilation ---- */

struct capname {
    char *name;
    uint32_t group;
};

static int cmp_capname(const void *a, const void *b)
{
    const struct capname *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->group < y->group ? -1 : x->group > y->group);
}

static void collect_capnames(tl_pattern_set *set, size_t ri)
{
    tl_rule *r = &set->rules[ri];
    pcre2_code *code = set->codes[ri];
    uint32_t count = 0, entry = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
    if (!count) return;
    pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
    struct capname *cn = tl_xcalloc(count, sizeof *cn);
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *e = table + (size_t)i * entry;
        cn[i].group = ((uint32_t)e[0] << 8) | e[1];
        cn[i].name = (char *)(e + 2);
    }
    qsort(cn, count, sizeof *cn, cmp_capname);
    r->capnames = tl_xcalloc(count, sizeof *r->capnames);
    set->capgroups[ri] = tl_xcalloc(count, sizeof(uint32_t));
    size_t n = 0;
    for (uint32_t i = 0; i < count; i++) {
        /* Duplicate names (with (?J)) collapse to the first group that has the name. */
        if (n && strcmp(r->capnames[n - 1], cn[i].name) == 0) continue;
        r->capnames[n] = tl_xstrdup(cn[i].name);
        set->capgroups[ri][n] = cn[i].group;
        n++;
    }
    r->ncapnames = n;
    free(cn);
}

static int compile_pcre(tl_pattern_set *set, size_t ri)
{
    tl_rule *r = &set->rules[ri];
    int errcode = 0;
    PCRE2_SIZE erroff = 0;
    /* Byte mode on purpose: the vectorscan screen runs in byte mode too (its UTF-8 mode has
     * undefined behaviour on invalid UTF-8, which evidence is full of), and both engines must
     * agree on what a character is. */
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)r->regex, PCRE2_ZERO_TERMINATED, 0, &errcode,
                                     &erroff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        diag(set, 1, "%s:%d: rule '%s': regex: %s at offset %zu", r->file, r->regex_line,
             r->id, (char *)msg, (size_t)erroff);
        return -1;
    }
    int jrc = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    if (jrc != 0 && jrc != PCRE2_ERROR_JIT_BADOPTION) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(jrc, msg, sizeof msg);
        diag(set, 0, "%s:%d: rule '%s': JIT compile failed (%s); using the interpreter",
             r->file, r->regex_line, r->id, (char *)msg);
    }
    set->codes[ri] = code;
    collect_capnames(set, ri);
    return 0;
}

/* Inputs of one vectorscan compile, kept so the cache key can cover exactly what is built. */
struct dbin {
    const char **exprs;
    size_t *lens;
    unsigned *flags;
    unsigned *ids;
    size_t n, cap;
};

static void dbin_add(struct dbin *d, const char *expr, size_t len, unsigned flags, unsigned id)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->exprs = tl_xrealloc(d->exprs, d->cap * sizeof *d->exprs);
        d->lens = tl_xrealloc(d->lens, d->cap * sizeof *d->lens);
        d->flags = tl_xrealloc(d->flags, d->cap * sizeof *d->flags);
        d->ids = tl_xrealloc(d->ids, d->cap * sizeof *d->ids);
    }
    d->exprs[d->n] = expr;
    d->lens[d->n] = len;
    d->flags[d->n] = flags;
    d->ids[d->n] = id;
    d->n++;
}

static void dbin_free(struct dbin *d)
{
    free(d->exprs);
    free(d->lens);
    free(d->flags);
    free(d->ids);
}

static int build_lit_db(tl_pattern_set *set, const struct dbin *in)
{
    if (!in->n) return 0;
    hs_compile_error_t *cerr = NULL;
    hs_error_t rc = hs_compile_lit_multi(in->exprs, in->flags, in->ids, in->lens, (unsigned)in->n,
                                         HS_MODE_BLOCK, NULL, &set->lit_db, &cerr);
    int ret = 0;
    if (rc != HS_SUCCESS) {
        diag(set, 1, "indicator database: vectorscan refused the literals: %s",
             cerr ? cerr->message : "unknown error");
        set->lit_db = NULL;
        ret = -1;
    }
    hs_free_compile_error(cerr);
    return ret;
}

/* True when the regex uses an anchor that means "start/end of subject" rather than "of a
 * line" (\A \z \Z \G, or ^/$ with the m flag switched off): the screen scans whole chunks,
 * where those anchors would only ever match at the chunk's edges. */
static const char *buffer_anchor(const char *re)
{
    for (const char *p = re; *p; p++) {
        if (*p == '\\') {
            if (!p[1]) break;
            if (p[1] == 'A' || p[1] == 'z' || p[1] == 'Z' || p[1] == 'G')
                return "uses a subject anchor (\\A, \\z, \\Z or \\G)";
            p++;
            continue;
        }
        if (p[0] == '(' && p[1] == '?') {
            /* a flag group such as (?-m) or (?i-sm: */
            const char *q = p + 2;
            int neg = 0;
            for (; *q && *q != ')' && *q != ':'; q++) {
                if (*q == '-') neg = 1;
                else if (*q == 'm' && neg) return "switches multi-line mode off ((?-m))";
                else if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '^'))
                    break;
            }
        }
    }
    return NULL;
}

/* Builds the prefilter database over TL_SCREEN_REGEX rules. A rule vectorscan refuses even in
 * prefilter mode is dropped from the database and matched on every line instead (listed by
 * `patterns check`), so the screen never loses a hit. */
static int build_re_db(tl_pattern_set *set, const struct dbin *in, tl_lit_sample *sample)
{
    if (!in->n) return 0;
    const char **exprs = tl_xcalloc(in->n, sizeof *exprs);
    unsigned *flags = tl_xcalloc(in->n, sizeof *flags);
    unsigned *ids = tl_xcalloc(in->n, sizeof *ids);
    /* Measured, once per pattern set (the outcome is cached with the database): a rule whose
     * prefilter costs more than PCRE2 on every line goes to the every-line path, so that one
     * expensive rule (a long character-class repeat, say) does not slow the shared screen. */
    for (size_t i = 0; i < in->n; i++) {
        tl_rule *r = &set->rules[in->ids[i]];
        if (r->unfiltered) continue;
        double db_ns, pcre_ns;
        if (!sample->text) tl_lit_sample_init(sample);
        if (tl_pcost_measure(set, sample, in->ids[i], in->exprs[i], in->flags[i], &db_ns,
                             &pcre_ns) != 0)
            continue; /* the combined compile below reports why */
        r->screen_cost = db_ns;
        if (pcre_ns < db_ns) {
            char why[200];
            snprintf(why, sizeof why,
                     "its prefilter costs more than PCRE2 on every line: %.0f against %.0f ns "
                     "per KiB of sample log lines",
                     db_ns, pcre_ns);
            r->unfiltered = 1;
            r->screen = TL_SCREEN_ALL_LINES;
            r->unfiltered_why = tl_xstrdup(why);
        }
    }
    for (;;) {
        size_t k = 0;
        for (size_t i = 0; i < in->n; i++) {
            if (set->rules[in->ids[i]].unfiltered) continue;
            exprs[k] = in->exprs[i];
            flags[k] = in->flags[i];
            ids[k] = in->ids[i];
            k++;
        }
        if (!k) break;
        hs_compile_error_t *cerr = NULL;
        hs_error_t rc =
            hs_compile_multi(exprs, flags, ids, (unsigned)k, HS_MODE_BLOCK, NULL, &set->re_db, &cerr);
        if (rc == HS_SUCCESS) {
            hs_free_compile_error(cerr);
            break;
        }
        int which = cerr ? cerr->expression : -1;
        size_t from = 0, to = k;
        if (which >= 0 && (size_t)which < k) from = (size_t)which, to = from + 1;
        /* Not attributable to one rule: screen none of them rather than risk a miss. */
        for (size_t i = from; i < to; i++) {
            tl_rule *r = &set->rules[ids[i]];
            r->unfiltered = 1;
            r->screen = TL_SCREEN_ALL_LINES;
            r->unfiltered_why = tl_xstrdup(cerr ? cerr->message : "prefilter build failed");
        }
        hs_free_compile_error(cerr);
        set->re_db = NULL;
    }
    free(exprs);
    free(flags);
    free(ids);
    return 0;
}

const char *tl_screen_name(tl_screen s)
{
    static const char *names[] = {"none", "literal", "regex", "all-lines"};
    return (unsigned)s < 4 ? names[s] : "?";
}

/* Describes a literal set for `patterns check`: "\"Failed password\"" or "one of N ...". */
static char *describe_lits(const tl_litset *ls)
{
    tl_buf b = TL_BUF_INIT;
    if (ls->n > 1) tl_buf_printf(&b, "one of %zu literals: ", ls->n);
    for (size_t i = 0; i < ls->n && i < 4; i++) {
        if (i) tl_buf_puts(&b, ", ");
        tl_buf_putc(&b, '"');
        for (size_t k = 0; k < ls->v[i].len; k++) {
            unsigned char c = ls->v[i].s[k];
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') tl_buf_printf(&b, "\\x%02x", c);
            else tl_buf_putc(&b, (char)c);
        }
        tl_buf_putc(&b, '"');
        if (ls->v[i].caseless) tl_buf_puts(&b, "/i");
    }
    if (ls->n > 4) tl_buf_puts(&b, ", ...");
    return tl_buf_steal(&b, NULL);
}

/* Decides each regex rule's screen and collects the database inputs. Literal buffers for the
 * required literals are appended to *litmem (owned by the caller). */
/* `sample` (built on first use, owned by the caller) is shared with build_re_db. */
static void plan_screens(tl_pattern_set *set, struct dbin *lit, struct dbin *re, char ***litmem,
                         size_t *nlitmem, tl_lit_sample *sample)
{
    for (size_t i = 0; i < set->nrules; i++) {
        tl_rule *r = &set->rules[i];
        if (r->kind != TL_RULE_IOC) continue;
        dbin_add(lit, r->literal, r->literal_len, r->caseless ? HS_FLAG_CASELESS : 0,
                 (unsigned)i);
    }
    size_t nlits = 0, cap = 0;
    for (size_t i = 0; i < set->nrules; i++) {
        tl_rule *r = &set->rules[i];
        if (r->kind != TL_RULE_REGEX || !set->codes[i]) continue;
        tl_litset ls;
        if (!sample->text) tl_lit_sample_init(sample); /* IOC-only sets never build it */
        int have = tl_lit_extract_on(r->regex, &ls, sample) == 0;
        for (size_t k = 0; have && k < ls.n; k++)
            if (ls.v[k].len < TL_LIT_MINLEN) have = 0;
        if (have) {
            /* Screened by literals: anchors and \K do not matter to a per-line literal. */
            r->screen = TL_SCREEN_LITERAL;
            r->screen_note = describe_lits(&ls);
            for (size_t k = 0; k < ls.n; k++) {
                if (nlits == cap) {
                    cap = cap ? 2 * cap : 64;
                    set->lit_rule = tl_xrealloc(set->lit_rule, cap * sizeof *set->lit_rule);
                }
                set->lit_rule[nlits] = (uint32_t)i;
                *litmem = tl_xrealloc(*litmem, (*nlitmem + 1) * sizeof **litmem);
                char *copy = tl_xmalloc(ls.v[k].len + 1u);
                memcpy(copy, ls.v[k].s, ls.v[k].len);
                copy[ls.v[k].len] = '\0';
                (*litmem)[(*nlitmem)++] = copy;
                dbin_add(lit, copy, ls.v[k].len, ls.v[k].caseless ? HS_FLAG_CASELESS : 0,
                         (unsigned)(set->nrules + nlits));
                nlits++;
            }
            continue;
        }
        const char *why = buffer_anchor(r->regex);
        if (why) {
            r->unfiltered = 1;
            r->unfiltered_why = tl_xstrdup(why);
            r->screen = TL_SCREEN_ALL_LINES;
            r->screen_note = tl_xstrdup(why);
            continue;
        }
        r->screen = TL_SCREEN_REGEX;
        r->screen_note = tl_xstrdup("no required literal of 3+ bytes found");
        /* MULTILINE: the chunk holds many lines and ^/$ must work at each of them. */
        dbin_add(re, r->regex, strlen(r->regex),
                 HS_FLAG_PREFILTER | HS_FLAG_MULTILINE | HS_FLAG_ALLOWEMPTY, (unsigned)i);
    }
    set->nlits = nlits;
}

/* SHA-256 over everything the vectorscan compile depends on. */
static void cache_key(const tl_pattern_set *set, const struct dbin *lit, const struct dbin *re,
                      char key[65])
{
    tl_buf b = TL_BUF_INIT;
    hs_platform_info_t plat;
    memset(&plat, 0, sizeof plat);
    hs_populate_platform(&plat);
    tl_buf_printf(&b, "timberline-hsdb 3\n%s\n%u %llu\n%zu\n", hs_version(), plat.tune,
                  (unsigned long long)plat.cpu_features, set->nrules);
    const struct dbin *d[2] = {lit, re};
    for (int j = 0; j < 2; j++) {
        tl_buf_printf(&b, "db %d %zu\n", j, d[j]->n);
        for (size_t i = 0; i < d[j]->n; i++) {
            tl_buf_printf(&b, "%u %u %zu:", d[j]->ids[i], d[j]->flags[i], d[j]->lens[i]);
            tl_buf_append(&b, d[j]->exprs[i], d[j]->lens[i]);
            tl_buf_putc(&b, '\n');
        }
    }
    tl_sha256 *h = tl_sha256_new();
    tl_sha256_update(h, b.data, b.len);
    tl_sha256_final_hex(h, key);
    tl_sha256_free(h);
    tl_buf_free(&b);
}

void tl_pattern_set_cache(tl_pattern_set *set, int enabled, const char *dir)
{
    TL_ASSERT(!set->compiled);
    set->cache_off = !enabled;
    free(set->cache_dir);
    set->cache_dir = dir ? tl_xstrdup(dir) : NULL;
}

int tl_pattern_set_cache_hit(const tl_pattern_set *set) { return set->cache_hit; }

int tl_pattern_set_compile(tl_pattern_set *set, tl_error *err)
{
    TL_ASSERT(!set->compiled);
    set->compiled = 1;
    set->codes = tl_xcalloc(set->nrules, sizeof *set->codes);
    set->capgroups = tl_xcalloc(set->nrules, sizeof *set->capgroups);
    for (size_t i = 0; i < set->nrules; i++)
        if (set->rules[i].kind == TL_RULE_REGEX) compile_pcre(set, i);
    struct dbin lit = {0}, re = {0};
    char **litmem = NULL;
    size_t nlitmem = 0;
    tl_lit_sample sample = {0};
    plan_screens(set, &lit, &re, &litmem, &nlitmem, &sample);

    char key[65];
    char *dir = set->cache_off || (!lit.n && !re.n) ? NULL : tl_pcache_dir(set->cache_dir);
    if (dir) cache_key(set, &lit, &re, key);
    if (dir && tl_pcache_load(set, dir, key) == 0) {
        set->cache_hit = 1;
    } else {
        int bad = build_lit_db(set, &lit);
        build_re_db(set, &re, &sample);
        if (dir && !bad) tl_pcache_store(set, dir, key);
    }
    free(dir);
    tl_lit_sample_free(&sample);
    dbin_free(&lit);
    dbin_free(&re);
    for (size_t i = 0; i < nlitmem; i++) free(litmem[i]);
    free(litmem);

    size_t nunf = 0;
    for (size_t i = 0; i < set->nrules; i++)
        if (set->rules[i].unfiltered) nunf++;
    set->unfiltered = tl_xcalloc(nunf ? nunf : 1, sizeof *set->unfiltered);
    set->ugate = tl_xcalloc(nunf ? nunf : 1, sizeof *set->ugate);
    for (size_t i = 0; i < set->nrules; i++) {
        if (!set->rules[i].unfiltered) continue;
        tl_run_gate g;
        if (tl_run_extract(set->rules[i].regex, &g) == 0) {
            set->ugate[set->nunfiltered] = tl_xmalloc(sizeof g);
            *set->ugate[set->nunfiltered] = g;
            tl_rule *r = &set->rules[i];
            tl_buf w = TL_BUF_INIT;
            tl_buf_printf(&w, "%s; lines without a run of %u bytes of its character class skip "
                              "PCRE2", r->unfiltered_why ? r->unfiltered_why : "refused", g.min);
            free(r->unfiltered_why);
            r->unfiltered_why = tl_buf_steal(&w, NULL);
        }
        set->unfiltered[set->nunfiltered++] = i;
    }
    if (set->lit_db && hs_alloc_scratch(set->lit_db, &set->scratch) != HS_SUCCESS)
        tl_panic(__FILE__, __LINE__, "hs_alloc_scratch");
    if (set->re_db && hs_alloc_scratch(set->re_db, &set->scratch) != HS_SUCCESS)
        tl_panic(__FILE__, __LINE__, "hs_alloc_scratch");
    if (set->nerrors)
        return tl_error_set(err, TL_EPATTERN, "%zu problem%s in the pattern set", set->nerrors,
                            set->nerrors == 1 ? "" : "s");
    return TL_OK;
}

void tl_pattern_pcre2_version(char *buf, size_t n)
{
    char v[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, v);
    snprintf(buf, n, "%s", v);
}

const char *tl_pattern_hs_version(void)
{
    return hs_version();
}
