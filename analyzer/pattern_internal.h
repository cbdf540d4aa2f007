/* Compiled parts of a pattern set, shared read-only by every matcher thread. Private to
 * pattern.c and match.c. */
#ifndef TIMBERLINE_PATTERN_INTERNAL_H
#define TIMBERLINE_PATTERN_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs.h>
#include <pcre2.h>

#include "timberline/pattern.h"

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
    hs_database_t *ioc_db;   /* literal database over IOC rules; NULL when none */
    hs_database_t *re_db;    /* prefilter database over filtered regex rules; NULL when none */
    hs_scratch_t *scratch;   /* prototype scratch, cloned per matcher */
    size_t *unfiltered;      /* rule indexes of regex rules matched on every line */
    size_t nunfiltered;
};

#endif
