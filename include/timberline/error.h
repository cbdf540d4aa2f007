/* Error codes and the caller-owned error record every fallible tl_ function fills.
 * 0 is success; expected failures get distinct negative codes so callers can map them. */
#ifndef TIMBERLINE_ERROR_H
#define TIMBERLINE_ERROR_H

#include <stddef.h>

enum {
    TL_OK = 0,
    TL_EGENERIC = -1,  /* anything not listed below */
    TL_ENOMEM = -2,    /* allocation failed (usually aborts instead, see tl_xmalloc) */
    TL_EIO = -3,       /* read/write/open failure on a path */
    TL_ECORRUPT = -4,  /* malformed input data (evidence or pattern file syntax) */
    TL_EPATTERN = -5,  /* a rule or indicator that does not compile or load */
    TL_ELIMIT = -6,    /* a configured limit was hit */
    TL_EUSAGE = -7,    /* bad option or argument */
    TL_ENOTFOUND = -8, /* a named thing (file, zone, rule) does not exist */
};

/* Filled on failure; the caller owns it (usually on its stack). `msg` is complete and
 * human-readable, including file:line when one applies. */
typedef struct tl_error {
    int code;
    char msg[1024];
} tl_error;

/* Records code and a printf-style message into err (err may be NULL). Returns code, so
 * callers can write `return tl_error_set(err, TL_EIO, "...")`. */
int tl_error_set(tl_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears err to TL_OK with an empty message. */
void tl_error_clear(tl_error *err);

/* Allocation helpers for the "abort on out-of-memory" tier: they never return NULL. */
void *tl_xmalloc(size_t n);
void *tl_xcalloc(size_t n, size_t size);
void *tl_xrealloc(void *p, size_t n);
char *tl_xstrdup(const char *s);
char *tl_xstrndup(const char *s, size_t n);

/* Aborts with file:line for a broken invariant (the "cannot happen" tier). */
#define TL_ASSERT(cond)                                                                  \
    do {                                                                                 \
        if (!(cond)) tl_panic(__FILE__, __LINE__, #cond);                                \
    } while (0)
_Noreturn void tl_panic(const char *file, int line, const char *what);

#endif
