/* Atomic output files: written under a temporary name, fsync'd and renamed into place, so a
 * crash never leaves a half-written file that looks complete. Every report writer uses it. */
#ifndef TIMBERLINE_OUTFILE_H
#define TIMBERLINE_OUTFILE_H

#include <stdio.h>

#include "timberline/buf.h"
#include "timberline/error.h"

typedef struct tl_outfile {
    FILE *f;     /* write here between open and close */
    char *tmp;   /* owned */
    char *final; /* owned */
} tl_outfile;

/* Opens DIR/.NAME.tmp for DIR/NAME. Returns 0 or TL_EIO (o is then empty). */
int tl_outfile_open(tl_outfile *o, const char *dir, const char *name, tl_error *err);
/* Same for a full path (PATH.tmp -> PATH). */
int tl_outfile_open_path(tl_outfile *o, const char *path, tl_error *err);
/* Writes b's bytes and empties b. */
void tl_outfile_write_buf(tl_outfile *o, tl_buf *b);
/* Flushes, fsyncs and renames into place; on failure removes the temporary file. Always frees
 * o's names. err may be NULL (to keep an earlier error). */
int tl_outfile_close(tl_outfile *o, tl_error *err);
/* Gives up: closes and removes the temporary file. */
void tl_outfile_abort(tl_outfile *o);

#endif
