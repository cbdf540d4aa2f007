/* Pattern sets: PCRE2 rule files (*.rules) and IOC lists (*.ioc, *.txt) loaded, validated and
 * compiled into one immutable set (PCRE2 JIT per rule + vectorscan screening databases). */
#ifndef TIMBERLINE_PATTERN_H
#define TIMBERLINE_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "timberline/error.h"

typedef enum {
    TL_SEV_INFO = 0,
    TL_SEV_LOW,
    TL_SEV_MEDIUM,
    TL_SEV_HIGH,
    TL_SEV_CRITICAL,
} tl_severity;

/* Parses "info".."critical" (exact, lowercase). Returns 0 or TL_EUSAGE. */
int tl_severity_parse(const char *s, tl_severity *out);
const char *tl_severity_name(tl_severity s);

typedef enum { TL_RULE_REGEX, TL_RULE_IOC } tl_rule_kind;

typedef enum {
    TL_IOC_IPV4,
    TL_IOC_IPV6,
    TL_IOC_DOMAIN,
    TL_IOC_EMAIL,
    TL_IOC_HASH,
    TL_IOC_URL,
    TL_IOC_LITERAL,
} tl_ioc_type;

const char *tl_ioc_type_name(tl_ioc_type t);

/* How a regex rule is screened before PCRE2 judges it (decided by tl_pattern_set_compile). */
typedef enum {
    TL_SCREEN_NONE = 0,  /* not a regex rule (indicators are literals themselves) */
    TL_SCREEN_LITERAL,   /* required literals extracted from the regex, in the literal database */
    TL_SCREEN_REGEX,     /* no usable literal: the vectorscan prefilter regex database */
    TL_SCREEN_ALL_LINES, /* unfiltered: judged by PCRE2 on every line */
} tl_screen;

const char *tl_screen_name(tl_screen s); /* "literal", "regex", "all-lines", "none" */

typedef struct tl_rule_test {
    char *line; /* owned */
    int expect_match;
    int src_line; /* line in the rule file */
} tl_rule_test;

/* One rule; every string is owned by the set and lives as long as it. */
typedef struct tl_rule {
    char *id;
    tl_rule_kind kind;
    tl_severity severity;
    char *description; /* "" when none */
    char **tags;
    size_t ntags;
    char *regex;    /* TL_RULE_REGEX */
    int regex_line; /* line of the regex key */
    char *literal;  /* TL_RULE_IOC: refanged, lower-cased when caseless */
    size_t literal_len;
    tl_ioc_type ioc_type;
    int caseless;
    char *file; /* pattern file it came from */
    int line;   /* line of its [rule] header or indicator */
    tl_rule_test *tests;
    size_t ntests;
    /* Named captures, sorted by name; hits report their spans in this order. */
    char **capnames;
    size_t ncapnames;
    int unfiltered; /* regex the screening engine refused: matched on every line */
    char *unfiltered_why;
    tl_screen screen;
    char *screen_note; /* human-readable: the literals used, or why there are none; owned */
    double screen_cost; /* TL_SCREEN_REGEX: measured prefilter cost of this rule alone, in
                           ns per KiB of a built-in sample of log lines; 0 when not measured */
} tl_rule;

typedef struct tl_pattern_file {
    char *path;
    char sha256[65];
    size_t nrules;
} tl_pattern_file;

typedef struct tl_pattern_set tl_pattern_set;

/* Creates an empty set owned by the caller (tl_pattern_set_free). */
tl_pattern_set *tl_pattern_set_new(void);
void tl_pattern_set_free(tl_pattern_set *set);

/* Loads a rule file, IOC list or directory of them (recursively, in byte order of names,
 * ignoring hidden entries and other extensions). Problems inside files (syntax, bad
 * severity, duplicate ids, bad regex) are collected as diagnostics and loading goes on;
 * the return value is TL_EIO/TL_ENOTFOUND only when the path itself cannot be read. */
int tl_pattern_set_load(tl_pattern_set *set, const char *path, tl_error *err);

/* Compiled-database cache (vectorscan hs_serialize_database), on by default. `enabled` 0
 * switches it off (--no-cache). `dir` NULL means $XDG_CACHE_HOME/timberline, or
 * ~/.cache/timberline; otherwise the directory to use (copied). Call before compile. An
 * unreadable, corrupt or foreign cache file is ignored and rewritten; an unwritable directory
 * only costs the compile. */
void tl_pattern_set_cache(tl_pattern_set *set, int enabled, const char *dir);

/* After compile: 1 when the databases came from the cache, 0 when they were compiled. */
int tl_pattern_set_cache_hit(const tl_pattern_set *set);

/* Compiles every regex with PCRE2 (+JIT) and builds the screening databases. Compile
 * failures become diagnostics (file:line). Returns 0, or TL_EPATTERN when any error
 * diagnostic exists (from loading or compiling). Call once, after all loads. */
int tl_pattern_set_compile(tl_pattern_set *set, tl_error *err);

size_t tl_pattern_set_count(const tl_pattern_set *set);
const tl_rule *tl_pattern_set_rule(const tl_pattern_set *set, size_t i);
size_t tl_pattern_set_nfiles(const tl_pattern_set *set);
const tl_pattern_file *tl_pattern_set_file(const tl_pattern_set *set, size_t i);

/* Diagnostics in the order found. `is_error` 0 means warning. Borrowed strings. */
size_t tl_pattern_set_ndiags(const tl_pattern_set *set);
const char *tl_pattern_set_diag(const tl_pattern_set *set, size_t i, int *is_error);
size_t tl_pattern_set_nerrors(const tl_pattern_set *set);

/* Library versions for the manifest, e.g. "10.42 2022-12-11". */
void tl_pattern_pcre2_version(char *buf, size_t n);
const char *tl_pattern_hs_version(void); /* static string owned by vectorscan */

#endif
