/* Atomic output files: written under a temporary name, fsync'd and renamed into place, so a
 * crash never leaves a half-written file that looks complete. Every report writer uses it. */
#ifndef TIMBERLINE_OUTFILE_H
#define TIMBERLINE_OUTFILE_H

#include <stdio.h>

#include "timberline/buf.h"
#include "timberline/error.h"

struct tl_sha256;

/* Every byte goes through tl_outfile_write*, which hashes it on the way (SHA256SUMS needs no
 * second read of the report) and starts the kernel's writeback early (the fsync at close then
 * waits for the tail only). */
typedef struct tl_outfile {
    FILE *f;                  /* open between open and close; write only through the API */
    char *tmp;                /* owned */
    char *final;              /* owned */
    struct tl_sha256 *hash;   /* owned */
    unsigned long long size;  /* bytes written so far */
    unsigned long long kicked; /* bytes handed to writeback so far */
    char sha256[65];          /* set by a successful tl_outfile_close */
} tl_outfile;

/* Opens DIR/.NAME.tmp for DIR/NAME. Returns 0 or TL_EIO (o is then empty). */
int tl_outfile_open(tl_outfile *o, const char *dir, const char *name, tl_error *err);
/* Same for a full path (PATH.tmp -> PATH). */
int tl_outfile_open_path(tl_outfile *o, const char *path, tl_error *err);
/* Writes b's bytes and empties b. */
void tl_outfile_write_buf(tl_outfile *o, tl_buf *b);
void tl_outfile_write(tl_outfile *o, const void *data, size_t len);
void tl_outfile_puts(tl_outfile *o, const char *s);
/* Flushes, fsyncs and renames into place; on failure removes the temporary file. Always frees
 * o's names. err may be NULL (to keep an earlier error). */
int tl_outfile_close(tl_outfile *o, tl_error *err);
/* Gives up: closes and removes the temporary file. */
void tl_outfile_abort(tl_outfile *o);

#endif
