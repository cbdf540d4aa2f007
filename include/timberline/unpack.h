/* Archive and compressed-file unpacking in an isolated worker process. libarchive runs on
 * hostile bytes in a child (`timberline __unpack`), which streams each leaf member's
 * decompressed text plus its metadata and hashes back over a pipe; the parent side reads that
 * stream under a progress watchdog, so a decoder that spins or crashes costs one item, not the
 * run. */
#ifndef TIMBERLINE_UNPACK_H
#define TIMBERLINE_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "timberline/error.h"
#include "timberline/evidence.h"

typedef struct tl_unpack_opts {
    int max_depth;          /* archive nesting levels to open (default 8) */
    uint64_t max_ratio;     /* expansion ratio cap, checked after the first 64 MiB (default 1000) */
    uint64_t max_expand;    /* bytes one member may expand to (default 64 GiB) */
    uint64_t max_total;     /* bytes one evidence item may expand to in all (default 256 GiB) */
    int stall_timeout_ms;   /* no bytes and no new member for this long: kill, status hang */
    int binary;             /* scan binary members anyway */
} tl_unpack_opts;

void tl_unpack_opts_default(tl_unpack_opts *o);

/* True when the first bytes of a file (`head`, `n` of them, n >= 512 when the file has that
 * many) look like an archive or a compressed stream, which must go through the isolated
 * unpacker. Plain text is read in-process. */
int tl_unpack_sniff(const unsigned char *head, size_t n, uint64_t file_size);

/* Kinds of entry a member record can describe. */
typedef enum {
    TL_ENT_FILE = 0,  /* a leaf with content (scanned unless its status says otherwise) */
    TL_ENT_CONTAINER, /* an archive whose members follow */
    TL_ENT_DIR,
    TL_ENT_SYMLINK,
    TL_ENT_HARDLINK,
    TL_ENT_SPECIAL,
} tl_entry_type;

typedef enum {
    TL_UMSG_MEMBER = 1, /* a member begins (metadata valid) */
    TL_UMSG_END,        /* a member ends (status, hashes, sizes valid) */
    TL_UMSG_FINAL,      /* the evidence item is done (raw hash, status valid) */
    TL_UMSG_EOF,        /* no more messages (child gone; see tl_unpack_finish) */
} tl_umsg_type;

/* One message from the child. Strings are owned by the tl_unpack and valid until the next
 * call to tl_unpack_next. */
typedef struct tl_unpack_msg {
    tl_umsg_type type;
    uint32_t id;           /* member id, 1-based in order of appearance */
    uint32_t parent;       /* parent member id, 0 = the evidence file itself */
    int depth;             /* 1 for members of the evidence file, 2 for theirs, ... */
    tl_entry_type entry;
    int has_data;          /* TL_UMSG_MEMBER: text follows, read it with tl_unpack_read */
    int64_t mtime_sec;
    int mtime_nsec;
    int64_t size;          /* as the archive declares it, -1 unknown */
    const char *name;      /* raw member path as stored (not escaped) */
    size_t name_len;
    const char *format;    /* "tar", "zip", "gzip", "tar+gzip", ... */
    const char *link;      /* link target for symlinks/hardlinks, else "" */
    tl_ev_status status;   /* TL_UMSG_END / TL_UMSG_FINAL */
    const char *message;   /* "" when none */
    char sha256[65];       /* END: the member as stored; FINAL: the raw evidence file */
    char content_sha256[65]; /* END/FINAL: the decompressed stream lines refer to ("" if none) */
    uint64_t stored_bytes;
    uint64_t content_bytes;
} tl_unpack_msg;

typedef struct tl_unpack tl_unpack;

/* A fork server for workers (see unpack.c): started once per scan, it makes each worker a fork
 * of a clean single-threaded image instead of a fresh exec (about 10 ms of CPU each). Makes
 * the calling process a child subreaper. tl_unpack_start falls back to posix_spawn when z is
 * NULL or the zygote fails. Stop it after the last tl_unpack_finish. */
typedef struct tl_unpack_zygote tl_unpack_zygote;
int tl_unpack_zygote_start(tl_unpack_zygote **out, const char *exe, tl_error *err);
void tl_unpack_zygote_stop(tl_unpack_zygote *z);
/* `timberline __zygote`: the server's loop (fd 3 is its socket). */
int tl_unpack_zygote_main(int argc, char **argv);

/* Starts the worker for one evidence file. `exe` is this program's path (/proc/self/exe).
 * The caller owns *out (tl_unpack_finish frees it). */
int tl_unpack_start(tl_unpack **out, const char *exe, tl_unpack_zygote *z, const char *path,
                    const tl_unpack_opts *o, tl_error *err);

/* Next non-data message. Unread data of the current member is skipped. Returns msg->type. */
tl_umsg_type tl_unpack_next(tl_unpack *u, tl_unpack_msg *msg);

/* Reads the current member's text (after a TL_UMSG_MEMBER with has_data). Returns 0 at its
 * end (the TL_UMSG_END is then returned by the next tl_unpack_next) or when the child stopped. */
size_t tl_unpack_read(tl_unpack *u, void *buf, size_t cap);

/* Waits for the child and frees u. When the child was killed by the watchdog (*status =
 * TL_EV_HANG) or died (TL_EV_CRASHED), *message says how far it got (allocated, caller frees);
 * otherwise *status = TL_EV_OK and *message = NULL. */
void tl_unpack_finish(tl_unpack *u, tl_ev_status *status, char **message);

/* The child side: `timberline __unpack [options] PATH` writes the message stream to stdout.
 * Returns the process exit code. Only main() calls it. */
int tl_unpack_child_main(int argc, char **argv);

#endif
