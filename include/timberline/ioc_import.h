/* Indicator imports: MISP attribute CSV exports and STIX 2.1 bundles, turned into plain
 * (value, type) entries that the pattern loader adds like lines of an IOC list. */
#ifndef TIMBERLINE_IOC_IMPORT_H
#define TIMBERLINE_IOC_IMPORT_H

#include <stddef.h>

#include "timberline/error.h"

typedef struct tl_ioc_entry {
    char *value;   /* as published (may be defanged) */
    char *type;    /* "ip", "domain", "url", "email", "hash", "literal", or "any" (detect) */
    char *comment; /* category/comment or the STIX name; NULL when none */
    int line;      /* CSV row line, or the object's position in the bundle */
} tl_ioc_entry;

typedef struct tl_ioc_batch {
    tl_ioc_entry *items;
    size_t n, cap;
    size_t skipped;        /* rows/indicators that are not literal indicators */
    char **reasons;        /* the first few skip reasons */
    int *reason_lines;
    size_t nreasons;
} tl_ioc_batch;

/* A MISP CSV export (header with `type` and `value`, optional `comment`/`category`); rows
 * whose type is not a literal indicator are skipped and counted. RFC 4180 quoting. */
int tl_ioc_import_misp_csv(const char *text, size_t len, tl_ioc_batch *out, tl_error *err);

/* A STIX 2.1 bundle: `indicator` objects whose pattern is a simple '=' comparison of
 * ipv4-addr/ipv6-addr/domain-name/url/email-addr value or file:hashes.*, or a plain OR of
 * such comparisons (expanded); anything else is skipped and reported. */
int tl_ioc_import_stix(const char *text, size_t len, tl_ioc_batch *out, tl_error *err);

void tl_ioc_batch_free(tl_ioc_batch *b);

#endif
