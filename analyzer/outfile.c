/* Atomic output files (temp name + fsync + rename), shared by every writer. */
#include "timberline/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timberline/hash.h"

/* Writeback is started every this many bytes: large reports otherwise reach the disk only at
 * the fsync, which then stalls for the whole file (0.3 s on a 75 MB report here). */
#define KICK_BYTES (8u << 20)

static int open_names(tl_outfile *o, char *tmp, char *final, tl_error *err)
{
    o->tmp = tmp;
    o->final = final;
    o->f = fopen(o->tmp, "we");
    o->size = o->kicked = 0;
    o->sha256[0] = '\0';
    o->hash = NULL;
    if (!o->f) {
        int rc = tl_error_set(err, TL_EIO, "%s: cannot write: %s", o->tmp, strerror(errno));
        free(o->tmp);
        free(o->final);
        o->tmp = o->final = NULL;
        return rc;
    }
    o->hash = tl_sha256_new();
    return TL_OK;
}

int tl_outfile_open(tl_outfile *o, const char *dir, const char *name, tl_error *err)
{
    tl_buf t = TL_BUF_INIT, f = TL_BUF_INIT;
    tl_buf_printf(&t, "%s/.%s.tmp", dir, name);
    tl_buf_printf(&f, "%s/%s", dir, name);
    return open_names(o, tl_buf_steal(&t, NULL), tl_buf_steal(&f, NULL), err);
}

int tl_outfile_open_path(tl_outfile *o, const char *path, tl_error *err)
{
    tl_buf t = TL_BUF_INIT;
    tl_buf_printf(&t, "%s.tmp", path);
    return open_names(o, tl_buf_steal(&t, NULL), tl_xstrdup(path), err);
}

void tl_outfile_write(tl_outfile *o, const void *data, size_t len)
{
    if (!len) return;
    fwrite(data, 1, len, o->f);
    tl_sha256_update(o->hash, data, len);
    o->size += len;
    if (o->size - o->kicked >= KICK_BYTES && fflush(o->f) == 0) {
        /* only a hint: a failure here shows up again at the fsync in close */
        (void)sync_file_range(fileno(o->f), (off64_t)o->kicked, (off64_t)(o->size - o->kicked),
                              SYNC_FILE_RANGE_WRITE);
        o->kicked = o->size;
    }
}

void tl_outfile_puts(tl_outfile *o, const char *s)
{
    tl_outfile_write(o, s, strlen(s));
}

void tl_outfile_write_buf(tl_outfile *o, tl_buf *b)
{
    tl_outfile_write(o, b->data, b->len);
    tl_buf_reset(b);
}

int tl_outfile_close(tl_outfile *o, tl_error *err)
{
    int rc = TL_OK;
    if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0)
        rc = tl_error_set(err, TL_EIO, "%s: write failed: %s", o->tmp, strerror(errno));
    if (fclose(o->f) != 0 && rc == TL_OK)
        rc = tl_error_set(err, TL_EIO, "%s: write failed: %s", o->tmp, strerror(errno));
    if (rc == TL_OK && rename(o->tmp, o->final) != 0)
        rc = tl_error_set(err, TL_EIO, "%s: cannot rename into place: %s", o->final,
                          strerror(errno));
    if (rc != TL_OK) unlink(o->tmp);
    else tl_sha256_final_hex(o->hash, o->sha256);
    tl_sha256_free(o->hash);
    free(o->tmp);
    free(o->final);
    o->f = NULL;
    o->hash = NULL;
    o->tmp = o->final = NULL;
    return rc;
}

void tl_outfile_abort(tl_outfile *o)
{
    if (!o->f) return;
    fclose(o->f);
    unlink(o->tmp);
    tl_sha256_free(o->hash);
    free(o->tmp);
    free(o->final);
    o->hash = NULL;
    o->f = NULL;
    o->tmp = o->final = NULL;
}
