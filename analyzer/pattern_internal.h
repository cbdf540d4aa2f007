/* Compiled parts of a pattern set, shared read-only by every matcher thread. Private to
 * pattern.c and match.c. */
#ifndef TIMBERLINE_PATTERN_INTERNAL_H
#define TIMBERLINE_PATTERN_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs.h>
#include <time.h>
#include <pcre2.h>

#include "timberline/pattern.h"

/* Required literals (pattern_literal.c): every match of the regex contains one of them. */
#define TL_LIT_MAXSET 32
#define TL_LIT_MAXLEN 64
typedef struct tl_lit {
    unsigned char s[TL_LIT_MAXLEN];
    uint8_t len;
    uint8_t caseless;
} tl_lit;
typedef struct tl_litset {
    size_t n;
    tl_lit v[TL_LIT_MAXSET];
} tl_litset;

/* Extracts a required-literal set from PCRE2 pattern text (byte mode, default options).
 * Returns 0 with *out filled (no empty member), or -1 when the extractor found none or met
 * syntax it does not model; it never returns a set a match could avoid. */
int tl_lit_extract(const char *regex, tl_litset *out);

/* Ordinary log lines (built in, about 64 KiB) that screening choices are measured on: which
 * required-literal set hits the fewest lines, what a prefilter costs (pattern_cost.c). */
typedef struct tl_lit_sample {
    char *text, *lower;   /* the lines, and the same lower-cased (for caseless literals) */
    size_t len;
    size_t *line_start;   /* offset of each line */
    size_t nlines;
} tl_lit_sample;
void tl_lit_sample_init(tl_lit_sample *s);
void tl_lit_sample_free(tl_lit_sample *s);

/* tl_lit_extract, choosing among the valid required sets the one that hits the fewest sample
 * lines (a literal such as " HTTP/" is in every access-log line). `sample` may be NULL. */
int tl_lit_extract_on(const char *regex, tl_litset *out, const tl_lit_sample *sample);

/* A run of bytes every match must contain: `min` or more in a row, each with in[byte] set.
 * Rules whose literal-free regex the prefilter serves badly (the base64-blob finder
 * `\b[A-Za-z0-9+/]{60,}={1,2}`) are judged on every line; this gate lets a line without such a
 * run skip PCRE2. tl_run_extract reads a top-level `class{n,}` (n >= TL_RUN_MIN) out of the
 * pattern text and returns 0, or -1 when it finds none or meets syntax that could make a
 * top-level item optional; the class it returns is never smaller than PCRE2's. */
#define TL_RUN_MIN 16
typedef struct tl_run_gate {
    unsigned char in[256];
    unsigned min;
} tl_run_gate;
int tl_run_extract(const char *regex, tl_run_gate *g);
/* True when p[0..n) holds a run of g->min bytes from the class. */
int tl_run_present(const tl_run_gate *g, const unsigned char *p, size_t n);

/* Database cache (pattern_cache.c). tl_pcache_dir returns the directory to use (malloc'd) or
 * NULL when there is none. tl_pcache_load fills set->lit_db/re_db and applies the stored
 * screen refusals, or returns -1 leaving the set untouched. tl_pcache_store never fails
 * loudly: the cache is an optimisation. */
char *tl_pcache_dir(const char *override);
int tl_pcache_load(tl_pattern_set *set, const char *dir, const char key[65]);
void tl_pcache_store(const tl_pattern_set *set, const char *dir, const char key[65]);
/* Deletes cache entries not used (loaded or stored) for TIMBERLINE_CACHE_MAX_DAYS (default 90,
 * 0 = no age limit), then the least recently used until the entries take at most
 * TIMBERLINE_CACHE_MAX_MB (default 2048, 0 = no size limit), and .tmp files of killed compiles
 * older than a day.
 * The entry named keep_key (the one just stored) is never deleted. Touches nothing but
 * <64 hex>.hsdb and .*.tmp files; errors are ignored (the cache is an optimisation). */
void tl_pcache_prune(const char *dir, const char *keep_key, time_t now);

/* Screening cost (pattern_cost.c): ns per KiB of the sample `smp` for rule ri's
 * prefilter `expr` alone in vectorscan, and for PCRE2 on every line. -1 when the prefilter
 * does not compile on its own. */
int tl_pcost_measure(const tl_pattern_set *set, const tl_lit_sample *smp, size_t ri,
                     const char *expr, unsigned flags, double *db_ns, double *pcre_ns);

/* Shortest literal worth screening with: shorter ones hit nearly every line. */
#define TL_LIT_MINLEN 3

/* Backtracking cap for one pcre2_match: a pathological rule on a hostile line gives a recorded
 * error instead of a hang (the JIT ignores the depth limit, so this is the one that bites). */
#define TL_MATCH_LIMIT 5000000u
#define TL_HEAP_LIMIT_KIB 65536u

struct tl_pattern_set {
    tl_rule *rules;
    size_t nrules, rules_cap;
    tl_pattern_file *files;
    size_t nfiles, files_cap;
    char **diags;
    int *diag_is_error;
    size_t ndiags, diags_cap, nerrors;

    /* id -> rule index + 1 (0 = empty), open addressing; */
    size_t *index;
    size_t index_cap;

    int compiled;
    pcre2_code **codes;      /* per rule; NULL for IOC rules */
    uint32_t **capgroups;    /* per rule: group number of each capnames[i] */
    /* Literal database: IOC rules (id = rule index) and the required literals of
     * TL_SCREEN_LITERAL rules (id = nrules + k, k indexing lit_rule). NULL when empty. */
    hs_database_t *lit_db;
    uint32_t *lit_rule;      /* rule index of each required literal */
    size_t nlits;
    hs_database_t *re_db;    /* prefilter database over TL_SCREEN_REGEX rules; NULL when none */
    hs_scratch_t *scratch;   /* prototype scratch, cloned per matcher */
    size_t *unfiltered;      /* rule indexes of regex rules matched on every line */
    tl_run_gate **ugate;     /* per unfiltered rule: the run its matches need, or NULL */
    size_t nunfiltered;

    int cache_off;   /* tl_pattern_set_cache(set, 0, ...) */
    char *cache_dir; /* NULL = default location */
    int cache_hit;
};

#endif
