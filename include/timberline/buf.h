/* Growable byte buffer used to build output records and escaped text before one write. */
#ifndef TIMBERLINE_BUF_H
#define TIMBERLINE_BUF_H

#include <stddef.h>

typedef struct tl_buf {
    char *data; /* owned; always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
} tl_buf;

#define TL_BUF_INIT {NULL, 0, 0}

void tl_buf_reserve(tl_buf *b, size_t extra);
void tl_buf_append(tl_buf *b, const void *data, size_t len);
void tl_buf_puts(tl_buf *b, const char *s);
void tl_buf_putc(tl_buf *b, char c);
void tl_buf_printf(tl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Decimal integers without printf: these sit in the per-event paths of every writer. */
void tl_buf_put_u64(tl_buf *b, unsigned long long v);
void tl_buf_put_i64(tl_buf *b, long long v);
void tl_buf_reset(tl_buf *b); /* len = 0, keeps memory */
void tl_buf_free(tl_buf *b);  /* releases memory; b is reusable afterwards */
/* Transfers ownership of the data to the caller (never NULL) and resets b. */
char *tl_buf_steal(tl_buf *b, size_t *len);

#endif
