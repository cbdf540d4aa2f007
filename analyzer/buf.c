/* Growable byte buffer: the one place that grows memory for text assembly. */
#include "timberline/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timberline/error.h"

void tl_buf_reserve(tl_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        TL_ASSERT(cap < ((size_t)-1) / 2);
        cap *= 2;
    }
    b->data = tl_xrealloc(b->data, cap);
    b->cap = cap;
    b->data[b->len] = '\0'; /* the "always NUL-terminated" promise holds from the first reserve */
}

void tl_buf_append(tl_buf *b, const void *data, size_t len)
{
    tl_buf_reserve(b, len);
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void tl_buf_puts(tl_buf *b, const char *s)
{
    tl_buf_append(b, s, strlen(s));
}

void tl_buf_putc(tl_buf *b, char c)
{
    tl_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void tl_buf_printf(tl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    TL_ASSERT(n >= 0);
    if ((size_t)n < sizeof small) {
        tl_buf_append(b, small, (size_t)n);
        return;
    }
    tl_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tl_buf_put_u64(tl_buf *b, unsigned long long v)
{
    char d[20];
    size_t n = 0;
    do {
        d[sizeof d - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    tl_buf_append(b, d + sizeof d - n, n);
}

void tl_buf_put_i64(tl_buf *b, long long v)
{
    if (v < 0) {
        tl_buf_putc(b, '-');
        tl_buf_put_u64(b, 0ull - (unsigned long long)v); /* exact for LLONG_MIN too */
    } else {
        tl_buf_put_u64(b, (unsigned long long)v);
    }
}

void tl_buf_reset(tl_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void tl_buf_free(tl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *tl_buf_steal(tl_buf *b, size_t *len)
{
    if (!b->data) tl_buf_reserve(b, 0), b->data[0] = '\0';
    char *p = b->data;
    if (len) *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
