/* Required literals of a PCRE2 regex, and required runs of one byte class (tl_run_extract): a small set of strings such that every match contains at
 * least one of them. They let the cheap literal database screen regex rules, so only lines
 * holding a required literal reach PCRE2 (and the costly prefilter regex scan is not needed).
 *
 * The extractor reads the pattern text and must be conservative: whenever it meets syntax it
 * does not fully understand (backreferences, recursion, conditionals, verbs, extended mode,
 * ambiguous braces...) it gives up and the rule keeps the regex screen. Rules for the walk:
 *  - a node is "exact" when the finite set of strings it can match is known (small literals,
 *    small classes, alternations and concatenations of exact nodes, x? of an exact x);
 *  - otherwise it carries "req": a set one member of which every match of the node contains;
 *  - zero-width items (anchors, \b, \K, lookarounds) match the empty string;
 *  - caseless parts make the whole string caseless (a superset, so never a miss), and an
 *    inline (?-i) is ignored for the same reason. */
#include <string.h>

#include "pattern_internal.h"

#define LX_MAXDEPTH 24

struct lxnode {
    int exact;
    tl_litset ex; /* exact: every string the node can match */
    int has_req;
    tl_litset req; /* !exact: a match contains one of these (has_req) */
};

struct lxp {
    const char *p;
    int fail;
    int depth;
    const tl_lit_sample *smp; /* NULL: choose by the static score alone */
};

static int lower_c(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int is_alpha_c(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_digit_c(int c) { return c >= '0' && c <= '9'; }

static int lit_eq(const tl_lit *a, const tl_lit *b)
{
    if (a->len != b->len || a->caseless != b->caseless) return 0;
    if (!a->caseless) return memcmp(a->s, b->s, a->len) == 0;
    for (size_t i = 0; i < a->len; i++)
        if (lower_c(a->s[i]) != lower_c(b->s[i])) return 0;
    return 1;
}

/* Adds lit to set (deduplicated). Returns 0, or -1 when the set is full. */
static int set_add(tl_litset *set, const tl_lit *lit)
{
    for (size_t i = 0; i < set->n; i++)
        if (lit_eq(&set->v[i], lit)) return 0;
    if (set->n == TL_LIT_MAXSET) return -1;
    set->v[set->n++] = *lit;
    return 0;
}

static void set_single(tl_litset *set, const unsigned char *s, size_t len, int caseless)
{
    set->n = 1;
    memcpy(set->v[0].s, s, len);
    set->v[0].len = (uint8_t)len;
    set->v[0].caseless = (uint8_t)caseless;
}

/* Quality of a required set for screening: its weakest member decides; fewer is better.
 * A set holding the empty string requires nothing. */
static long set_score(const tl_litset *set)
{
    if (!set->n) return -1;
    size_t minlen = TL_LIT_MAXLEN;
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i].len < minlen) minlen = set->v[i].len;
    if (!minlen) return -1;
    if (minlen > 8) minlen = 8;
    return (long)minlen * 1000 - (long)set->n;
}

/* Sample lines holding at least one member of the set (each line counted once). */
static size_t lines_hit(const tl_lit_sample *smp, const tl_litset *set)
{
    enum { MAXW = 64 }; /* lines tracked: 64 words of 64 bits, more than the sample has */
    uint64_t seen[MAXW] = {0};
    size_t count = 0;
    for (size_t i = 0; i < set->n; i++) {
        const tl_lit *l = &set->v[i];
        unsigned char pat[TL_LIT_MAXLEN];
        for (size_t k = 0; k < l->len; k++) pat[k] = l->caseless ? (unsigned char)lower_c(l->s[k]) : l->s[k];
        const char *hay = l->caseless ? smp->lower : smp->text, *end = hay + smp->len;
        const char *at = hay;
        while (at < end && (at = memmem(at, (size_t)(end - at), pat, l->len)) != NULL) {
            size_t off = (size_t)(at - hay), lo = 0, hi = smp->nlines;
            while (hi - lo > 1) { /* the line holding off */
                size_t mid = (lo + hi) / 2;
                if (smp->line_start[mid] <= off) lo = mid;
                else hi = mid;
            }
            if (lo < MAXW * 64 && !(seen[lo / 64] >> (lo % 64) & 1)) {
                seen[lo / 64] |= 1ull << (lo % 64);
                count++;
            }
            at += 1;
        }
    }
    return count;
}

static int usable(const tl_litset *set)
{
    if (!set->n) return 0;
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i].len < TL_LIT_MINLEN) return 0;
    return 1;
}

/* Keeps the better of best->req and cand: a set the screen can use at all first; then, with a
 * sample, the one fewer sample lines hold (so fewer lines reach PCRE2); then longer literals. */
static void consider(const struct lxp *P, struct lxnode *best, const tl_litset *cand)
{
    long s = set_score(cand);
    if (s < 0) return;
    int take = !best->has_req;
    if (!take && usable(cand) != usable(&best->req)) {
        take = usable(cand);
    } else if (!take) {
        size_t hc = 0, hb = 0;
        if (P->smp && usable(cand)) {
            hc = lines_hit(P->smp, cand);
            hb = lines_hit(P->smp, &best->req);
        }
        take = hc != hb ? hc < hb : s > set_score(&best->req);
    }
    if (take) {
        best->req = *cand;
        best->has_req = 1;
    }
}

/* a := a x b. Returns -1 when the product does not fit (a is left unchanged then). */
static int set_concat(tl_litset *a, const tl_litset *b)
{
    if (a->n * b->n > TL_LIT_MAXSET) return -1;
    tl_litset out = {0};
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < b->n; j++) {
            const tl_lit *x = &a->v[i], *y = &b->v[j];
            if ((size_t)x->len + y->len > TL_LIT_MAXLEN) return -1;
            tl_lit z;
            memcpy(z.s, x->s, x->len);
            memcpy(z.s + x->len, y->s, y->len);
            z.len = (uint8_t)(x->len + y->len);
            z.caseless = x->caseless || y->caseless;
            if (set_add(&out, &z)) return -1;
        }
    }
    *a = out;
    return 0;
}

static void node_empty(struct lxnode *n)
{
    memset(n, 0, sizeof *n);
    n->exact = 1;
    n->ex.n = 1; /* the empty string */
}

static void node_any(struct lxnode *n) { memset(n, 0, sizeof *n); }

static void parse_alt(struct lxp *P, int caseless, struct lxnode *out);

static int hexval(int c)
{
    if (is_digit_c(c)) return c - '0';
    c = lower_c(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* \x.. after the backslash and x. Returns the byte or -1 (give up). */
static int parse_hex(struct lxp *P)
{
    int v = 0;
    if (*P->p == '{') {
        P->p++;
        int nd = 0;
        while (hexval((unsigned char)*P->p) >= 0) {
            v = v * 16 + hexval((unsigned char)*P->p++);
            if (++nd > 4) return -1;
        }
        if (*P->p != '}' || !nd) return -1;
        P->p++;
    } else {
        for (int k = 0; k < 2 && hexval((unsigned char)*P->p) >= 0; k++)
            v = v * 16 + hexval((unsigned char)*P->p++);
    }
    return v > 255 ? -1 : v;
}

/* Skips \p{..} / \pX after the backslash and letter. */
static void skip_prop(struct lxp *P)
{
    if (*P->p == '{') {
        while (*P->p && *P->p != '}') P->p++;
        if (*P->p) P->p++;
        else P->fail = 1;
    } else if (*P->p) {
        P->p++;
    } else {
        P->fail = 1;
    }
}

/* Character escapes that stand for one byte: returns it, -2 for "some class" (\d...), -1 to
 * give up. P->p is after the backslash. */
static int parse_char_escape(struct lxp *P)
{
    int c = (unsigned char)*P->p++;
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'e': return 27;
    case 'a': return 7;
    case 'x': return parse_hex(P);
    case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h': case 'H':
    case 'v': case 'V': case 'N': case 'R': case 'X': case 'C':
        return -2;
    case 'p': case 'P':
        skip_prop(P);
        return -2;
    case 0:
        P->p--;
        return -1;
    default:
        if (is_alpha_c(c) || is_digit_c(c)) return -1; /* backrefs, octal, \g, \k, \c, \o */
        return c; /* escaped punctuation or a high byte */
    }
}

/* A POSIX class name inside a class, "[:alpha:]" or "[:^alpha:]", at p: returns its end, or
 * NULL for anything else. PCRE2 stops looking for ":]" at the first ']' (so "[[:]|[:]]" is
 * one class "[[:]", then an alternative), which a plain search for ":]" gets wrong: only the
 * strict form is accepted, and the callers give up on every other "[:", "[." and "[=". */
static const char *posix_class_end(const char *p)
{
    if (p[0] != '[' || p[1] != ':') return NULL;
    const char *q = p + 2;
    if (*q == '^') q++;
    const char *name = q;
    while (*q >= 'a' && *q <= 'z') q++;
    if (q == name || q[0] != ':' || q[1] != ']') return NULL;
    return q + 2;
}

static void bits_set(unsigned char *in, int lo, int hi)
{
    for (int k = lo; k <= hi; k++) in[k] = 1;
}

/* The ASCII bytes an escape class stands for in byte mode with PCRE2's default tables; bytes
 * from 0x80 up go to unsure[] (other character tables may class them either way), which the
 * caller adds to the final set after any negation, so the set is never smaller than PCRE2's.
 * Returns 0, or -1 for escapes not modelled. */
static int escape_class(int e, unsigned char *in, unsigned char *unsure)
{
    unsigned char t[128] = {0};
    switch (e | 0x20) {
    case 'd': bits_set(t, '0', '9'); break;
    case 'w': bits_set(t, '0', '9'), bits_set(t, 'A', 'Z'), bits_set(t, 'a', 'z'), t['_'] = 1; break;
    case 's': bits_set(t, 9, 13), t[' '] = 1; break;
    case 'h': t[9] = t[' '] = 1; break;
    case 'v': bits_set(t, 10, 13); break;
    default: return -1;
    }
    int neg = e >= 'A' && e <= 'Z';
    for (int k = 0; k < 128; k++) in[k] |= neg ? (unsigned char)!t[k] : t[k];
    bits_set(unsure, 0x80, 0xFF);
    return 0;
}

/* Reads [...] with P->p after '[', as both pattern readers see it: the listed bytes and ranges
 * into in[256]; \d \w \s \h \v (and negations) through escape_class into in/unsure
 * (*shorthand set); *neg for a leading '^'; *opaque when it holds what is not modelled (a POSIX
 * class, \p{..}). Returns 0, or -1 with P->fail set on syntax it gives up on. */
static int read_class(struct lxp *P, unsigned char *in, unsigned char *unsure, int *neg,
                      int *shorthand, int *opaque)
{
    memset(in, 0, 256);
    *neg = *shorthand = *opaque = 0;
    if (*P->p == '^') *neg = 1, P->p++;
    for (int first = 1;; first = 0) {
        int c = (unsigned char)*P->p;
        if (!c) goto fail;
        if (c == ']' && !first) {
            P->p++;
            return 0;
        }
        if (c == '[' && (P->p[1] == ':' || P->p[1] == '.' || P->p[1] == '=')) {
            const char *e = posix_class_end(P->p);
            if (!e) goto fail;
            P->p = e;
            *opaque = 1;
            continue;
        }
        int lo;
        if (c == '\\') {
            P->p++;
            int e = (unsigned char)*P->p;
            if (e && strchr("dDwWsShHvV", e)) {
                P->p++;
                escape_class(e, in, unsure);
                *shorthand = 1;
                continue;
            }
            if (e == 'Q' || e == 'E' || e == 'b') goto fail; /* rare inside classes */
            lo = parse_char_escape(P);
            if (lo == -1) goto fail;
            if (lo == -2) { /* \p{..}, \N...: not modelled */
                *opaque = 1;
                continue;
            }
        } else {
            lo = c;
            P->p++;
        }
        int hi = lo;
        if (*P->p == '-' && P->p[1] && P->p[1] != ']') {
            P->p++;
            int d = (unsigned char)*P->p;
            if (d == '\\') {
                P->p++;
                hi = parse_char_escape(P);
                if (hi < 0) goto fail;
            } else if (d == '[') {
                goto fail;
            } else {
                hi = d;
                P->p++;
            }
            if (hi < lo) goto fail;
        }
        bits_set(in, lo, hi);
    }
fail:
    P->fail = 1;
    return -1;
}

/* [...] with P->p after '['. Small positive classes become exact sets. */
static void parse_class(struct lxp *P, int caseless, struct lxnode *out)
{
    unsigned char in[256], unsure[256] = {0};
    int neg, shorthand, opaque;
    if (read_class(P, in, unsure, &neg, &shorthand, &opaque) != 0) return;
    int complex = shorthand || opaque;
    node_any(out);
    if (neg || complex) return;
    unsigned char chars[256];
    int nc = 0;
    for (int k = 0; k < 256; k++)
        if (in[k]) chars[nc++] = (unsigned char)k;
    if (!nc) return;
    /* [fF] and friends: one caseless byte. */
    int folds = 1;
    for (int i = 1; i < nc; i++)
        if (lower_c(chars[i]) != lower_c(chars[0])) folds = 0;
    out->exact = 1;
    if (folds && nc <= 2) {
        set_single(&out->ex, chars, 1, caseless || nc == 2);
        return;
    }
    if (nc > 4) {
        out->exact = 0;
        return;
    }
    for (int i = 0; i < nc; i++) {
        tl_lit l = {{chars[i]}, 1, (uint8_t)caseless};
        set_add(&out->ex, &l);
    }
}

/* Reads a strict quantifier at P->p. Returns 1 with min/max (max -1 = unbounded), 0 when none
 * follows, and sets fail on a brace that is not a strict quantifier (PCRE2 versions differ on
 * what such braces mean). */
static int parse_quant(struct lxp *P, long *min, long *max)
{
    char c = *P->p;
    if (c == '*' || c == '+' || c == '?') {
        *min = c == '+';
        *max = c == '?' ? 1 : -1;
        P->p++;
    } else if (c == '{') {
        const char *q = P->p + 1;
        long a = 0, b;
        int nd = 0;
        while (is_digit_c((unsigned char)*q) && nd < 6) a = a * 10 + (*q++ - '0'), nd++;
        if (!nd) {
            P->fail = 1;
            return 0;
        }
        b = a;
        if (*q == ',') {
            q++;
            if (*q == '}') {
                b = -1;
            } else {
                int md = 0;
                b = 0;
                while (is_digit_c((unsigned char)*q) && md < 6) b = b * 10 + (*q++ - '0'), md++;
                if (!md) {
                    P->fail = 1;
                    return 0;
                }
            }
        }
        if (*q != '}') {
            P->fail = 1;
            return 0;
        }
        P->p = q + 1;
        *min = a;
        *max = b;
    } else {
        return 0;
    }
    if (*P->p == '?' || *P->p == '+') P->p++;
    return 1;
}

static void apply_quant(const struct lxp *P, struct lxnode *n, long min, long max)
{
    if (min == 0) {
        if (max == 1 && n->exact) {
            tl_lit e = {{0}, 0, 0};
            if (set_add(&n->ex, &e) == 0) return;
        }
        node_any(n);
        return;
    }
    if (n->exact && min == max && min <= 4) {
        tl_litset acc = n->ex;
        int ok = 1;
        for (long k = 1; k < min && ok; k++) ok = set_concat(&acc, &n->ex) == 0;
        if (ok) {
            n->ex = acc;
            return;
        }
    }
    if (n->exact) {
        tl_litset ex = n->ex;
        node_any(n);
        consider(P, n, &ex);
    }
    n->exact = 0;
}

/* One group after '(' has been consumed. */
static void parse_group(struct lxp *P, int caseless, struct lxnode *out)
{
    int zero_width = 0;
    if (*P->p == '*') { /* (*VERB) or (*pla:...) */
        P->fail = 1;
        return;
    }
    if (*P->p == '?') {
        P->p++;
        char c = *P->p;
        if (c == ':' || c == '|' || c == '>') {
            P->p++;
        } else if (c == '=' || c == '!') {
            P->p++;
            zero_width = 1;
        } else if (c == '<' && (P->p[1] == '=' || P->p[1] == '!')) {
            P->p += 2;
            zero_width = 1;
        } else if (c == '<' || c == '\'' || (c == 'P' && P->p[1] == '<')) {
            char close = c == '\'' ? '\'' : '>';
            const char *e = strchr(P->p + 1, close);
            if (!e) {
                P->fail = 1;
                return;
            }
            P->p = e + 1;
        } else if (c == '#') {
            const char *e = strchr(P->p, ')');
            if (!e) {
                P->fail = 1;
                return;
            }
            P->p = e + 1;
            node_empty(out);
            return;
        } else {
            /* (?flags) or (?flags:...) */
            int neg = 0, ci = caseless;
            for (;; P->p++) {
                char f = *P->p;
                if (f == ')' || f == ':') break;
                if (f == '-') neg = 1;
                else if (f == 'i' && !neg) ci = 1;
                else if (f == 'x') {
                    P->fail = 1; /* extended mode: whitespace and comments, not modelled */
                    return;
                } else if (!(f == 'i' || f == 'm' || f == 's' || f == 'n' || f == 'U' ||
                             f == 'J' || f == '^')) {
                    P->fail = 1; /* recursion, conditionals, callouts, unknown */
                    return;
                }
            }
            if (*P->p == ')') {
                /* An option setting: the caller applies it to the rest of the group. */
                P->p++;
                out->exact = -1;
                out->has_req = ci;
                return;
            }
            P->p++;
            caseless = ci;
        }
    }
    parse_alt(P, caseless, out);
    if (P->fail) return;
    if (*P->p != ')') {
        P->fail = 1;
        return;
    }
    P->p++;
    if (zero_width) node_empty(out);
}

static void parse_seq(struct lxp *P, int *caseless, struct lxnode *out)
{
    tl_litset run = {0};
    run.n = 1; /* the empty string */
    int all_exact = 1;
    node_any(out);
    for (;;) {
        char c = *P->p;
        if (!c || c == '|' || c == ')' || P->fail) break;
        struct lxnode a;
        node_any(&a);
        if (c == '(') {
            P->p++;
            if (++P->depth > LX_MAXDEPTH) {
                P->fail = 1;
                break;
            }
            parse_group(P, *caseless, &a);
            P->depth--;
            if (P->fail) break;
            if (a.exact == -1) { /* (?i) and friends */
                *caseless = a.has_req;
                continue;
            }
        } else if (c == '[') {
            P->p++;
            parse_class(P, *caseless, &a);
        } else if (c == '\\') {
            P->p++;
            char e = *P->p;
            if (e == 'b' || e == 'B' || e == 'A' || e == 'z' || e == 'Z' || e == 'G' ||
                e == 'K') {
                P->p++;
                node_empty(&a);
            } else if (e == 'Q') {
                P->p++;
                const char *end = strstr(P->p, "\\E");
                size_t n = end ? (size_t)(end - P->p) : strlen(P->p);
                node_empty(&a);
                if (n > TL_LIT_MAXLEN) node_any(&a); /* long quotes: not worth splitting */
                else if (n) set_single(&a.ex, (const unsigned char *)P->p, n, *caseless);
                P->p += n;
                if (end) P->p += 2;
            } else if (e == 'E') {
                P->p++;
                node_empty(&a);
            } else {
                int b = parse_char_escape(P);
                if (b == -1) {
                    P->fail = 1;
                    break;
                }
                if (b >= 0) {
                    unsigned char ch = (unsigned char)b;
                    node_empty(&a);
                    set_single(&a.ex, &ch, 1, *caseless && is_alpha_c(ch));
                }
            }
        } else if (c == '.') {
            P->p++;
        } else if (c == '^' || c == '$') {
            P->p++;
            node_empty(&a);
        } else if (c == '*' || c == '+' || c == '?' || c == '{') {
            P->fail = 1; /* a quantifier with nothing to repeat, or a literal brace */
            break;
        } else {
            unsigned char ch = (unsigned char)c;
            P->p++;
            node_empty(&a);
            set_single(&a.ex, &ch, 1, *caseless && is_alpha_c(ch));
        }
        if (P->fail) break;
        long qmin, qmax;
        if (parse_quant(P, &qmin, &qmax)) apply_quant(P, &a, qmin, qmax);
        if (P->fail) break;
        if (*P->p == '{') {
            P->fail = 1;
            break;
        }
        if (a.exact) {
            tl_litset keep = run;
            if (set_concat(&run, &a.ex) != 0) {
                consider(P, out, &keep);
                run = a.ex;
                all_exact = 0;
            }
        } else {
            consider(P, out, &run);
            if (a.has_req) consider(P, out, &a.req);
            run.n = 1;
            run.v[0].len = 0;
            run.v[0].caseless = 0;
            all_exact = 0;
        }
    }
    if (all_exact) {
        out->exact = 1;
        out->ex = run;
        out->has_req = 0;
    } else {
        consider(P, out, &run);
    }
}

static void parse_alt(struct lxp *P, int caseless, struct lxnode *out)
{
    int ci = caseless; /* an option set in one branch carries into the later ones */
    struct lxnode acc;
    parse_seq(P, &ci, &acc);
    while (!P->fail && *P->p == '|') {
        P->p++;
        struct lxnode b;
        parse_seq(P, &ci, &b);
        if (P->fail) break;
        if (acc.exact && b.exact) {
            tl_litset u = acc.ex;
            int ok = 1;
            for (size_t i = 0; i < b.ex.n && ok; i++) ok = set_add(&u, &b.ex.v[i]) == 0;
            if (ok) {
                acc.ex = u;
                continue;
            }
        }
        /* Not exact any more: the union of what each side requires. */
        tl_litset ra, rb;
        int ha = acc.exact ? 1 : acc.has_req, hb = b.exact ? 1 : b.has_req;
        ra = acc.exact ? acc.ex : acc.req;
        rb = b.exact ? b.ex : b.req;
        node_any(&acc);
        if (ha && hb && set_score(&ra) >= 0 && set_score(&rb) >= 0) {
            int ok = 1;
            for (size_t i = 0; i < rb.n && ok; i++) ok = set_add(&ra, &rb.v[i]) == 0;
            if (ok) {
                acc.has_req = 1;
                acc.req = ra;
            }
        }
    }
    *out = acc;
}

int tl_lit_extract(const char *regex, tl_litset *out)
{
    return tl_lit_extract_on(regex, out, NULL);
}

int tl_lit_extract_on(const char *regex, tl_litset *out, const tl_lit_sample *sample)
{
    memset(out, 0, sizeof *out);
    struct lxp P = {regex, 0, 0, sample};
    struct lxnode n;
    parse_alt(&P, 0, &n);
    if (P.fail || *P.p) return -1; /* unbalanced ')' or given up */
    const tl_litset *s = n.exact ? &n.ex : n.has_req ? &n.req : NULL;
    if (!s || set_score(s) < 0) return -1;
    *out = *s;
    return 0;
}

/* ------------------------------------------------------------------ required runs */

static int run_atom_exact(struct lxp *P, int caseless, unsigned char *in, unsigned char *unsure);

/* One atom at P->p (a class, an escape or a literal byte) into in[]: 1 when understood, 0 when
 * not (the caller skips it: it is then simply not a candidate), -1 when parsing must stop. */
static int run_atom(struct lxp *P, int caseless, unsigned char *in)
{
    unsigned char unsure[256] = {0};
    int r = run_atom_exact(P, caseless, in, unsure);
    for (int k = 0; k < 256; k++) in[k] |= unsure[k];
    return r;
}

static int run_atom_exact(struct lxp *P, int caseless, unsigned char *in, unsigned char *unsure)
{
    memset(in, 0, 256);
    char c = *P->p;
    if (c == '[') {
        P->p++;
        int neg, shorthand, opaque;
        if (read_class(P, in, unsure, &neg, &shorthand, &opaque) != 0) return -1;
        if (opaque) return 0; /* POSIX classes, \p{..}: not modelled */
        if (caseless)
            for (int k = 'A'; k <= 'Z'; k++)
                if (in[k] || in[k + 32]) in[k] = in[k + 32] = 1;
        if (neg)
            for (int k = 0; k < 256; k++) in[k] = !in[k];
        return 1;
    }
    if (c == '\\') {
        P->p++;
        int e = (unsigned char)*P->p;
        if (e && strchr("dDwWsShHvV", e)) {
            P->p++;
            return escape_class(e, in, unsure) == 0 ? 1 : 0;
        }
        if (e == 'Q') return -1; /* a quoted run: not modelled, and it hides metacharacters */
        if (e && (strchr("bBAzZGKE", e))) {
            P->p++;
            return 0; /* zero-width */
        }
        int b = parse_char_escape(P);
        if (b == -1) return -1; /* backreferences and friends */
        if (b == -2) return 0;  /* \p{..}, \N, \R...: skipped */
        in[b] = 1;
        if (caseless && is_alpha_c(b)) in[b ^ 0x20] = 1;
        return 1;
    }
    if (c == '.' || c == '^' || c == '$') {
        P->p++;
        return 0;
    }
    P->p++;
    in[(unsigned char)c] = 1;
    if (caseless && is_alpha_c((unsigned char)c)) in[(unsigned char)c ^ 0x20] = 1;
    return 1;
}

/* Skips a group whose '(' is consumed; inline options (?i) (?x) are reported through *flags
 * (bit 1: caseless on, bit 2: caseless off, bit 4: give up). Returns -1 on bad syntax. */
static int skip_group(struct lxp *P, int *flags)
{
    *flags = 0;
    if (*P->p == '*') return -1; /* verbs such as (*ACCEPT) can end a match early */
    if (P->p[0] == '?' && P->p[1] == '#') {
        /* a comment ends at the first ')', whatever it holds */
        const char *e = strchr(P->p, ')');
        if (!e) return -1;
        P->p = e + 1;
        return 2;
    }
    if (*P->p == '?') {
        const char *q = P->p + 1;
        int neg = 0, opts = 1;
        for (; *q && *q != ')' && *q != ':'; q++) {
            if (*q == '-') neg = 1;
            else if (*q == 'i') *flags |= neg ? 2 : 1;
            else if (*q == 'x') *flags |= 4;
            else if (!strchr("msnUJ^", *q)) opts = 0;
        }
        if (opts && *q == ')') { /* (?i): an option for the rest of the enclosing group */
            P->p = q + 1;
            return 1;
        }
        if (opts && (*flags & 4)) return -1;
        *flags = 0; /* scoped options apply inside the group only */
        if (P->p[1] == '(') return -1; /* conditionals */
    }
    int depth = 1;
    while (depth) {
        char c = *P->p;
        if (!c) return -1;
        if (c == '\\') {
            if (P->p[1] == 'Q') {
                const char *e = strstr(P->p + 2, "\\E");
                if (!e) return -1;
                P->p = e + 2;
                continue;
            }
            if (!P->p[1]) return -1;
            P->p += 2;
            continue;
        }
        if (c == '[') {
            unsigned char junk[256];
            if (run_atom(P, 0, junk) < 0) return -1;
            continue;
        }
        if (c == '(' && P->p[1] == '*') return -1;
        if (c == '(' && P->p[1] == '?' && P->p[2] == '(') return -1;
        if (c == '(') depth++;
        if (c == ')') depth--;
        P->p++;
    }
    return 0;
}

int tl_run_extract(const char *regex, tl_run_gate *g)
{
    memset(g, 0, sizeof *g);
    if (strstr(regex, "(*") || strstr(regex, "(?(")) return -1;
    /* extended mode anywhere (comments may hold parentheses): not modelled */
    for (const char *q = strstr(regex, "(?"); q; q = strstr(q + 2, "(?"))
        for (const char *f = q + 2; is_alpha_c((unsigned char)*f) || *f == '^' || *f == '-'; f++)
            if (*f == 'x') return -1;
    struct lxp P = {regex, 0, 0, NULL};
    int caseless = 0, found = 0;
    unsigned char in[256];
    while (*P.p) {
        char c = *P.p;
        if (c == '|') return -1; /* a top-level alternative makes every item optional */
        if (c == ')') return -1;
        int got = 0;
        if (c == '(') {
            P.p++;
            int fl;
            int r = skip_group(&P, &fl);
            if (r < 0) return -1;
            if (r == 2) { /* a comment; one just before a quantifier is not modelled */
                if (strchr("*+?{", *P.p) && *P.p) return -1;
                continue;
            }
            if (r == 1) { /* (?i) / (?-i) at top level */
                if (fl & 4) return -1;
                if (fl & 1) caseless = 1;
                if (fl & 2) caseless = 0;
                continue;
            }
        } else if (c == '*' || c == '+' || c == '?' || c == '{') {
            return -1;
        } else {
            got = run_atom(&P, caseless, in);
            if (got < 0) return -1;
        }
        long qmin = 1, qmax = 1;
        if (parse_quant(&P, &qmin, &qmax) == 0 && P.fail) return -1;
        if (P.fail || *P.p == '{') return -1;
        if (got == 1 && qmin >= TL_RUN_MIN && (unsigned)qmin > g->min) {
            memcpy(g->in, in, sizeof in);
            g->min = (unsigned)qmin;
            found = 1;
        }
    }
    /* caseless set later in the pattern cannot widen an earlier atom: (?i) only affects what
     * follows it, which run_atom already saw with the flag in force */
    return found ? 0 : -1;
}

int tl_run_present(const tl_run_gate *g, const unsigned char *p, size_t n)
{
    /* Test the last byte of each window first: outside the class, no run can cover it, so
     * the window jumps past it. Ordinary text rarely has long class runs, so most windows
     * cost one or two lookups. */
    size_t m = g->min, i = 0;
    if (m == 0) return 1;
    while (i + m <= n) {
        size_t j = i + m;
        while (j > i && g->in[p[j - 1]]) j--;
        if (j == i) return 1;
        i = j;
    }
    return 0;
}
