/* Error records and the abort-on-OOM allocation helpers shared by every module. */
#include "timberline/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_error_set(tl_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void tl_error_clear(tl_error *err)
{
    if (err) {
        err->code = TL_OK;
        err->msg[0] = '\0';
    }
}

_Noreturn void tl_panic(const char *file, int line, const char *what)
{
    fprintf(stderr, "timberline: internal error at %s:%d: %s\n", file, line, what);
    abort();
}

void *tl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) tl_panic(__FILE__, __LINE__, "out of memory");
    return p;
}

void *tl_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) tl_panic(__FILE__, __LINE__, "out of memory");
    return p;
}

void *tl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) tl_panic(__FILE__, __LINE__, "out of memory");
    return q;
}

char *tl_xstrdup(const char *s)
{
    return tl_xstrndup(s, strlen(s));
}

char *tl_xstrndup(const char *s, size_t n)
{
    char *p = tl_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
