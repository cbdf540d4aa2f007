/* Isolated unpacking: the child (`timberline __unpack`) drives libarchive over one evidence
 * file and its nested members and streams leaf text back; the parent reads that stream under a
 * watchdog.
 *
 * DESIGN: decoders are untrusted code on hostile bytes (libarchive 3.6.2 can spin inside
 * archive_read_open on small crafted inputs, and decoders crash), and no callback regains
 * control from such a loop, so a thread cannot protect the run. The child is a fork of the
 * zygote (a posix_spawn of our own binary, single-threaded, that never reads evidence; see
 * below), or a posix_spawn of its own when there is no zygote; never a fork of the threaded
 * scanner. It drops what it does not need, and writes framed messages to its stdout:
 *   'M' member begins (metadata)   'D' text of the current member   'E' member ends (status,
 *   hashes)   'F' the evidence file is done (raw hash).
 * Members are emitted depth-first in archive order, one leaf's data contiguous, so the parent
 * can feed each leaf to the chunker as an ordinary stream. Nothing is ever written to disk:
 * nested archives are read from their parent's data through libarchive's callback API. */
#include "timberline/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include "timberline/buf.h"
#include "timberline/hash.h"
#include "timberline/pool.h"
#include "timberline/sandbox.h"
#include "timberline/stream.h"

extern char **environ;

#define DATA_MAX (64 * 1024)
#define PROBE (64 * 1024)
#define RATIO_GRACE (64ull << 20)     /* expansion ratio is judged after this many bytes */
#define NESTED_SEEKABLE_CAP (64u << 20) /* a nested 7z is buffered up to this size */

void tl_unpack_opts_default(tl_unpack_opts *o)
{
    o->max_depth = 8;
    o->max_ratio = 1000;
    o->max_expand = 64ull << 30;
    o->max_total = 256ull << 30;
    o->stall_timeout_ms = 30000;
    o->binary = 0;
}

/* ------------------------------------------------------------------ sniffing (parent) */

static int tar_checksum_ok(const unsigned char *h)
{
    /* ustar/gnu/v7 header: octal checksum at 148..155 over the block with that field as spaces */
    unsigned long want = 0;
    int digits = 0;
    for (int i = 148; i < 156; i++) {
        unsigned char c = h[i];
        if (c >= '0' && c <= '7') {
            want = want * 8 + (c - '0');
            digits++;
        } else if (c != ' ' && c != 0) {
            return 0;
        }
    }
    if (!digits) return 0;
    unsigned long sum = 0;
    for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum == want && h[0] != 0;
}

int tl_unpack_sniff(const unsigned char *p, size_t n, uint64_t size)
{
#define HAS(off, lit) (n >= (off) + sizeof(lit) - 1 && memcmp(p + (off), lit, sizeof(lit) - 1) == 0)
    if (HAS(0, "\x1f\x8b") || HAS(0, "BZh") || HAS(0, "\xfd" "7zXZ\0") || HAS(0, "\x5d\0\0") ||
        HAS(0, "\x28\xb5\x2f\xfd") || HAS(0, "\x04\x22\x4d\x18") || HAS(0, "LZIP") ||
        HAS(0, "\x1f\x9d") || HAS(0, "\x1f\xa0"))
        return 1; /* gzip bzip2 xz lzma zstd lz4 lzip compress */
    if (HAS(0, "7z\xbc\xaf\x27\x1c") || HAS(0, "PK\x03\x04") || HAS(0, "PK\x05\x06") ||
        HAS(0, "PK\x07\x08") || HAS(0, "Rar!\x1a\x07") || HAS(0, "xar!") || HAS(0, "MSCF") ||
        HAS(0, "!<arch>\n") || HAS(0, "070707") || HAS(0, "070701") || HAS(0, "070702") ||
        HAS(0, "\xc7\x71") || HAS(0, "\x71\xc7") || HAS(257, "ustar") || HAS(32769, "CD001") ||
        (n >= 7 && p[2] == '-' && p[3] == 'l' && p[4] == 'h' && p[6] == '-'))
        return 1;
#undef HAS
    if (n >= 512 && tar_checksum_ok(p)) return 1;
    /* an empty tar is nothing but zero blocks */
    if (n >= 1024 && size % 512 == 0 && size <= n) {
        size_t z = 0;
        while (z < n && p[z] == 0) z++;
        if (z == n) return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ wire format */

enum { MSG_MEMBER = 'M', MSG_DATA = 'D', MSG_RING = 'R', MSG_END = 'E', MSG_FINAL = 'F' };

/* The data ring: leaf text goes through memory shared with the parent (a memfd, fd 3 in the
 * worker) instead of through the pipe, and 'R' messages on the pipe say how many bytes are
 * next. Copying 1 GB through a pipe cost the worker 0.7 s of kernel time on a .tar.gz, as much
 * as inflating it. The parent never trusts the ring's contents or the worker's positions: it
 * keeps its own read position, checks every length against it, and only ever copies bytes out.
 * Flow control: the parent publishes how much it has consumed; a worker that finds the ring
 * full sets `waiting` and sleeps on a doorbell pipe (fd 4), which the parent rings only when it
 * sees the flag (both sides use sequentially consistent atomics, so one of them always sees
 * the other's store). Without a ring (no memfd) the data goes through the pipe as 'D'. */
#define RING_HDR 4096u
#define RING_BYTES (2u << 20)
#define RING_PIECE (256u << 10)
struct ring_ctl {
    _Atomic uint64_t consumed; /* written by the parent */
    char pad[56];
    _Atomic int waiting;       /* set by the worker, cleared by whoever sees it first */
};

static void put_u32(tl_buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    tl_buf_append(b, x, 4);
}

static void put_u64(tl_buf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_str(tl_buf *b, const char *s, size_t n)
{
    put_u32(b, (uint32_t)n);
    tl_buf_append(b, s, n);
}

static uint32_t get_u32(const unsigned char **p, const unsigned char *end)
{
    if (end - *p < 4) {
        *p = end;
        return 0;
    }
    const unsigned char *q = *p;
    *p += 4;
    return (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) | ((uint32_t)q[3] << 24);
}

static uint64_t get_u64(const unsigned char **p, const unsigned char *end)
{
    uint64_t lo = get_u32(p, end);
    return lo | ((uint64_t)get_u32(p, end) << 32);
}

static const char *get_str(const unsigned char **p, const unsigned char *end, size_t *len)
{
    uint32_t n = get_u32(p, end);
    if ((size_t)(end - *p) < n) {
        *p = end;
        *len = 0;
        return "";
    }
    const char *s = (const char *)*p;
    *p += n;
    *len = n;
    return s;
}

/* ------------------------------------------------------------------ child */

struct child {
    tl_unpack_opts o;
    uint32_t next_id;
    uint64_t raw_consumed; /* bytes read from the evidence file */
    uint64_t total_out;    /* decompressed bytes produced for the whole item */
    int item_limit;        /* the item-level cap was hit: stop everything */
    char item_msg[512];
    const char *stall_at, *crash_at; /* test hooks (environment) */
    tl_buf out;
    tl_side *hasher; /* SHA-256 runs here, beside inflating; NULL hashes in place */
    unsigned char *ring; /* shared data ring, or NULL */
    struct ring_ctl *rctl;
    uint64_t ring_written;
};

/* Hashing goes through the side thread: on a .tar.gz the worker's one thread spent a third of
 * its time in SHA-256 while the scanner waited for its bytes. Any read of a digest (final,
 * reset, free) syncs first. */
static void hash_fn(void *ctx, const void *p, size_t n)
{
    tl_sha256_update(ctx, p, n);
}

static void h_update(struct child *c, tl_sha256 *h, const void *p, size_t n)
{
    if (c && c->hasher) tl_side_push(c->hasher, hash_fn, h, p, n);
    else tl_sha256_update(h, p, n);
}

static void h_final(struct child *c, tl_sha256 *h, char hex[65])
{
    if (c) tl_side_sync(c->hasher);
    tl_sha256_final_hex(h, hex);
}

static void h_free(struct child *c, tl_sha256 *h)
{
    if (c) tl_side_sync(c->hasher);
    tl_sha256_free(h);
}

/* Writes one framed message (type, length, `head` then `body`); a broken pipe means the
 * parent is gone: exit quietly. The body is not copied: member text goes straight out. */
static void send_parts(int type, const void *head, size_t hn, const void *body, size_t bn)
{
    uint32_t n = (uint32_t)(hn + bn);
    unsigned char hdr[5] = {(unsigned char)type, (unsigned char)n, (unsigned char)(n >> 8),
                            (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
    struct iovec iov[3] = {{hdr, 5}, {(void *)head, hn}, {(void *)body, bn}};
    int first = 0;
    while (first < 3) {
        ssize_t w = writev(1, iov + first, 3 - first);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) _exit(3);
        size_t left = (size_t)w;
        while (first < 3 && left >= iov[first].iov_len) left -= iov[first++].iov_len;
        if (first < 3) {
            iov[first].iov_base = (char *)iov[first].iov_base + left;
            iov[first].iov_len -= left;
        }
    }
}

/* A control message whose payload was built in c->out. */
static void send_msg(struct child *c, int type)
{
    send_parts(type, c->out.data, c->out.len, NULL, 0);
}

static int ring_room(const struct child *c, size_t k)
{
    return c->ring_written + k - atomic_load(&c->rctl->consumed) <= RING_BYTES;
}

/* Waits until k more bytes fit in the ring. The flag goes down on the way out, whichever way:
 * left up, the parent would ring a doorbell nobody reads. */
static void ring_wait(struct child *c, size_t k)
{
    if (ring_room(c, k)) return;
    for (;;) {
        atomic_store(&c->rctl->waiting, 1);
        if (ring_room(c, k)) break; /* the parent may have read before it saw the flag */
        char b[64];
        ssize_t r = read(4, b, sizeof b);
        if (r == 0 || (r < 0 && errno != EINTR)) _exit(3); /* the parent is gone */
    }
    atomic_store(&c->rctl->waiting, 0);
}

/* Sends a leaf's text: through the ring when there is one, else in 'D' messages. */
static void send_data(struct child *c, uint32_t id, const unsigned char *p, size_t n)
{
    unsigned char m[8] = {(unsigned char)id, (unsigned char)(id >> 8), (unsigned char)(id >> 16),
                          (unsigned char)(id >> 24)};
    while (n) {
        size_t k;
        if (!c->ring) {
            k = n < DATA_MAX ? n : DATA_MAX;
            send_parts(MSG_DATA, m, 4, p, k);
        } else {
            size_t pos = (size_t)(c->ring_written % RING_BYTES);
            k = n < RING_BYTES - pos ? n : RING_BYTES - pos; /* never across the end */
            if (k > RING_PIECE) k = RING_PIECE;
            ring_wait(c, k);
            memcpy(c->ring + pos, p, k);
            c->ring_written += k;
            m[4] = (unsigned char)k, m[5] = (unsigned char)(k >> 8);
            m[6] = (unsigned char)(k >> 16), m[7] = (unsigned char)(k >> 24);
            send_parts(MSG_RING, m, 8, NULL, 0);
        }
        p += k;
        n -= k;
    }
}

struct blocks;

/* Where a node's bytes come from: the evidence file, a parent archive's current entry, or a
 * memory buffer (a nested 7z, which needs seeking). The bytes are hashed as they pass: that is
 * the member "as stored". */
struct src {
    struct child *c;
    int fd;
    struct archive *parent;
    unsigned char *mem;
    size_t memlen, mempos;
    tl_sha256 *hash;
    uint64_t consumed;
    int eof;
    int failed;
    char errmsg[256];
    unsigned char buf[65536];
    const unsigned char *peek; /* a block read ahead (nested sources, or after a sparse hole) */
    size_t peeklen;
    int peek_unhashed;         /* the peeked block still has to go into the hash */
    /* While libarchive sniffs a stream its bytes are recorded, so a second reader (zlib for
     * plain gzip, or a raw-only libarchive reader) can start over without a rewind. */
    int recording, replaying, rec_overflow;
    tl_buf rec;
    size_t replay_pos;
    int seeked;                /* a seek broke the sequential hash of the evidence file */
    unsigned char *tail;       /* the last TAIL bytes that went by (zip end-record check) */
    struct blocks *gz;         /* a gzip view: reads inflate `stored`'s bytes */
    struct src *stored;        /* where the bytes "as stored" are hashed and counted; self if NULL */
    size_t tail_len, tail_pos;
    int64_t expect_off;        /* sparse entries: next offset expected from the parent */
    const unsigned char *zeros;
    uint64_t hole;             /* zero bytes still to deliver for a sparse hole */
};

static const unsigned char ZEROS[65536];

static int gz_next(struct blocks *b, const void **p, size_t *n);
static const char *gz_error(struct blocks *b);

static la_ssize_t src_read_inner(struct archive *a, void *ud, const void **out)
{
    struct src *s = ud;
    if (s->gz && !s->peek) {
        if (s->failed) { /* damage is sticky: a re-read after a replay meets it again */
            if (a) archive_set_error(a, EIO, "%s", s->errmsg);
            return -1;
        }
        if (s->eof) return 0;
        size_t n = 0;
        int r = gz_next(s->gz, out, &n);
        if (r == ARCHIVE_OK) return (la_ssize_t)n;
        if (r == ARCHIVE_EOF) {
            s->eof = 1;
            return 0;
        }
        s->failed = 1;
        snprintf(s->errmsg, sizeof s->errmsg, "%s", gz_error(s->gz));
        if (a) archive_set_error(a, EIO, "%s", s->errmsg);
        return -1;
    }
    if (s->hole) {
        size_t n = s->hole > sizeof ZEROS ? sizeof ZEROS : (size_t)s->hole;
        s->hole -= n;
        h_update(s->c, s->hash, ZEROS, n);
        s->consumed += n;
        *out = ZEROS;
        return (la_ssize_t)n;
    }
    if (s->peek) {
        *out = s->peek;
        la_ssize_t n = (la_ssize_t)s->peeklen;
        if (s->peek_unhashed) {
            h_update(s->c, s->hash, s->peek, s->peeklen);
            s->consumed += s->peeklen;
            s->peek_unhashed = 0;
        }
        s->peek = NULL;
        return n;
    }
    if (s->eof) return 0;
    if (s->mem) {
        size_t n = s->memlen - s->mempos;
        if (n > 65536) n = 65536;
        *out = s->mem + s->mempos;
        s->mempos += n;
        if (!n) s->eof = 1;
        return (la_ssize_t)n;
    }
    if (s->fd >= 0) {
        for (;;) {
            ssize_t n = read(s->fd, s->buf, sizeof s->buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                s->failed = 1;
                snprintf(s->errmsg, sizeof s->errmsg, "read error: %s", strerror(errno));
                if (a) archive_set_error(a, EIO, "%s", s->errmsg);
                return -1;
            }
            if (n == 0) s->eof = 1;
            h_update(s->c, s->hash, s->buf, (size_t)n);
            s->consumed += (uint64_t)n;
            s->c->raw_consumed += (uint64_t)n;
            *out = s->buf;
            return n;
        }
    }
    const void *blk;
    size_t len;
    la_int64_t off;
    int r = archive_read_data_block(s->parent, &blk, &len, &off);
    if (r == ARCHIVE_EOF) {
        s->eof = 1;
        return 0;
    }
    if (r < ARCHIVE_WARN) {
        s->failed = 1;
        snprintf(s->errmsg, sizeof s->errmsg, "%s", archive_error_string(s->parent)
                                                         ? archive_error_string(s->parent)
                                                         : "read error in the enclosing archive");
        if (a) archive_set_error(a, EIO, "%s", s->errmsg);
        return -1;
    }
    if (off > s->expect_off && s->expect_off >= 0) {
        /* sparse member: deliver the hole as zeros first, then this block */
        s->hole = (uint64_t)(off - s->expect_off);
        s->peek = blk;
        s->peeklen = len;
        s->peek_unhashed = 1;
        s->expect_off = off + (int64_t)len;
        return src_read_inner(a, ud, out);
    }
    s->expect_off = off + (int64_t)len;
    h_update(s->c, s->hash, blk, len);
    s->consumed += len;
    *out = blk;
    return (la_ssize_t)len;
}

#define TAIL (65536 + 22)

static void tail_push(struct src *s, const void *p, size_t n)
{
    const unsigned char *q = p;
    if (n >= TAIL) {
        memcpy(s->tail, q + n - TAIL, TAIL);
        s->tail_len = TAIL;
        s->tail_pos = 0;
        return;
    }
    /* a ring: at most two copies (this ran once per byte before, and was the worker's
     * biggest cost on a .tar.gz) */
    size_t first = TAIL - s->tail_pos < n ? TAIL - s->tail_pos : n;
    memcpy(s->tail + s->tail_pos, q, first);
    memcpy(s->tail, q + first, n - first);
    s->tail_pos = (s->tail_pos + n) % TAIL;
    s->tail_len = s->tail_len + n > TAIL ? TAIL : s->tail_len + n;
}

/* A zip ends with an end-of-central-directory record ("PK\5\6") in its last 64 KiB + 22
 * bytes; without it the file was cut short, even if every local entry read fine. */
static int zip_end_present(struct src *s)
{
    unsigned char buf[TAIL];
    size_t n = 0;
    if (s->fd >= 0) {
        struct stat st;
        if (fstat(s->fd, &st) != 0) return 1;
        off_t from = st.st_size > TAIL ? st.st_size - TAIL : 0;
        ssize_t r = pread(s->fd, buf, sizeof buf, from);
        if (r <= 0) return 1;
        n = (size_t)r;
    } else if (s->mem) {
        n = s->memlen > TAIL ? TAIL : s->memlen;
        memcpy(buf, s->mem + s->memlen - n, n);
    } else if (s->tail) {
        n = s->tail_len;
        size_t start = s->tail_len < TAIL ? 0 : s->tail_pos;
        for (size_t i = 0; i < n; i++) buf[i] = s->tail[(start + i) % TAIL];
    } else {
        return 1;
    }
    for (size_t i = n >= 22 ? n - 22 + 1 : 0; i-- > 0;)
        if (buf[i] == 'P' && buf[i + 1] == 'K' && buf[i + 2] == 5 && buf[i + 3] == 6) return 1;
    return 0;
}

static la_ssize_t src_read(struct archive *a, void *ud, const void **out)
{
    struct src *s = ud;
    if (s->replaying) {
        if (s->replay_pos < s->rec.len) {
            size_t n = s->rec.len - s->replay_pos;
            if (n > 65536) n = 65536;
            *out = s->rec.data + s->replay_pos;
            s->replay_pos += n;
            return (la_ssize_t)n;
        }
        s->replaying = 0;
        s->replay_pos = 0;
        if (!s->recording) tl_buf_free(&s->rec); /* still recording: keep the start */
    }
    la_ssize_t n = src_read_inner(a, ud, out);
    if (n > 0 && s->tail) tail_push(s, *out, (size_t)n);
    if (s->recording && n > 0) {
        if (s->rec.len + (size_t)n > (8u << 20)) s->rec_overflow = 1;
        else tl_buf_append(&s->rec, *out, (size_t)n);
    }
    return n;
}

static la_int64_t src_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
    (void)a;
    struct src *s = ud;
    if (s->mem) {
        la_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (la_int64_t)s->mempos
                                                                       : (la_int64_t)s->memlen;
        la_int64_t pos = base + off;
        if (pos < 0 || pos > (la_int64_t)s->memlen) return ARCHIVE_FATAL;
        s->mempos = (size_t)pos;
        s->eof = 0;
        return pos;
    }
    /* A seekable evidence file: seeking breaks the sequential hash, which is recomputed over
     * the whole file at the end instead. */
    off_t r = lseek(s->fd, off, whence);
    if (r < 0) return ARCHIVE_FATAL;
    s->eof = 0;
    s->seeked = 1;
    return r;
}

static void drain(struct src *s)
{
    if (s->stored) s = s->stored; /* hash the stored bytes, never inflate them for nothing */
    if (s->mem) return;
    const void *p;
    while (!s->failed && src_read(NULL, s, &p) > 0) {
    }
}

/* Reader levels, tried in turn on the recorded start of a stream: every format; then only
 * the formats that sniff from the first few blocks (iso9660 wants 32 KiB and more, so on a
 * short truncated .tar.gz its read-ahead fails before tar ever gets to bid); then a plain
 * compressed stream. */
enum { READ_ALL, READ_SHALLOW, READ_RAW };

static struct archive *new_reader(int level, int filters)
{
    struct archive *a = archive_read_new();
    if (!a) tl_panic(__FILE__, __LINE__, "archive_read_new");
    /* Behind our gzip view the bytes are already inflated: no filter bidding (the uu bidder
     * reads far ahead and would trip over a truncation it has no business seeing). */
    if (filters) archive_read_support_filter_all(a);
    /* Formats one by one: `all` would include mtree, which claims plain text made of single
     * tokens (an IP list, a shell history) as an archive of empty entries. */
    if (level <= READ_SHALLOW) {
        archive_read_support_format_7zip(a);
        archive_read_support_format_ar(a);
        archive_read_support_format_cpio(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_xar(a);
        archive_read_support_format_zip(a);
        archive_read_support_format_rar(a);
        archive_read_support_format_rar5(a);
    }
    if (level == READ_ALL) {
        archive_read_support_format_cab(a);
        archive_read_support_format_iso9660(a);
        archive_read_support_format_lha(a);
    }
    archive_read_support_format_raw(a); /* whatever no format claims: a (compressed) stream */
    return a;
}

static void filters_name(struct archive *a, char *out, size_t n)
{
    out[0] = '\0';
    int count = archive_filter_count(a);
    /* filter 0 is the outermost as read; list innermost-last like "tar+gzip" */
    for (int i = count - 1; i >= 0; i--) {
        const char *f = archive_filter_name(a, i);
        if (!f || strcmp(f, "none") == 0) continue;
        size_t l = strlen(out);
        snprintf(out + l, n - l, "%s%s", l ? "+" : "", f);
    }
}

static tl_ev_status damage_status(const char *msg)
{
    if (!msg) return TL_EV_CORRUPT;
    if (strstr(msg, "runcat") || strstr(msg, "remature") || strstr(msg, "nexpected end") ||
        strstr(msg, "nexpected EOF") || strstr(msg, "end of file"))
        return TL_EV_TRUNCATED;
    return TL_EV_CORRUPT;
}

static void send_member(struct child *c, uint32_t id, uint32_t parent, int depth,
                        tl_entry_type entry, int has_data, struct archive_entry *e,
                        const char *name, const char *format, const char *link)
{
    tl_buf *b = &c->out;
    tl_buf_reset(b);
    put_u32(b, id);
    put_u32(b, parent);
    put_u32(b, (uint32_t)depth);
    put_u32(b, (uint32_t)entry);
    put_u32(b, (uint32_t)has_data);
    int64_t mt = e && archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e) : INT64_MIN;
    put_u64(b, (uint64_t)mt);
    put_u32(b, e ? (uint32_t)archive_entry_mtime_nsec(e) : 0);
    put_u64(b, (uint64_t)(e && archive_entry_size_is_set(e) ? archive_entry_size(e) : -1));
    put_str(b, name, strlen(name));
    put_str(b, format, strlen(format));
    put_str(b, link ? link : "", link ? strlen(link) : 0);
    send_msg(c, MSG_MEMBER);
}

static void send_end(struct child *c, uint32_t id, tl_ev_status st, const char *msg,
                     const char *sha, const char *csha, uint64_t stored, uint64_t content)
{
    tl_buf *b = &c->out;
    tl_buf_reset(b);
    put_u32(b, id);
    put_u32(b, (uint32_t)st);
    put_str(b, sha ? sha : "", sha ? strlen(sha) : 0);
    put_str(b, csha ? csha : "", csha ? strlen(csha) : 0);
    put_u64(b, stored);
    put_u64(b, content);
    put_str(b, msg ? msg : "", msg ? strlen(msg) : 0);
    send_msg(c, id ? MSG_END : MSG_FINAL);
}

static int hook_match(const char *hook, const char *name)
{
    return hook && *hook && strstr(name, hook) != NULL;
}

/* Where a leaf's decompressed bytes come from: libarchive's raw entry, or zlib for plain gzip
 * (libarchive 3.6 does not check the gzip CRC, and a damaged member must not pass as "ok"). */
struct blocks {
    int (*next)(struct blocks *b, const void **p, size_t *n); /* ARCHIVE_OK/EOF/FATAL */
    const char *(*error)(struct blocks *b);
    struct archive *a;
    struct src *s;
    z_stream z;
    struct inflate_state *isal; /* ISA-L inflate; NULL: zlib */
    int z_live, member_done, z_end, pending_error;
    char zerr[200];
    unsigned char out[65536];
    const unsigned char *in;
    size_t inlen;
};

static int la_next(struct blocks *b, const void **p, size_t *n)
{
    la_int64_t off;
    int r = archive_read_data_block(b->a, p, n, &off);
    return r == ARCHIVE_WARN ? ARCHIVE_OK : r;
}

static const char *la_error(struct blocks *b)
{
    return archive_error_string(b->a);
}

static int gz_more_input(struct blocks *b)
{
    const void *p;
    la_ssize_t r = src_read(NULL, b->s, &p);
    if (r <= 0) return 0;
    b->in = p;
    b->inlen = (size_t)r;
    return 1;
}

/* One inflate call over b->in into b->out. Sets member_done at a member's verified end;
 * returns NULL, or the damage in zlib's words (the two engines must report alike). */
static const char *inflate_step(struct blocks *b, size_t *used, size_t *produced)
{
    if (b->isal) {
        struct inflate_state *st = b->isal;
        st->next_in = (uint8_t *)b->in;
        st->avail_in = (uint32_t)(b->inlen > UINT32_MAX ? UINT32_MAX : b->inlen);
        uint32_t in0 = st->avail_in;
        st->next_out = b->out;
        st->avail_out = sizeof b->out;
        int rc = isal_inflate(st);
        *used = in0 - st->avail_in;
        *produced = sizeof b->out - st->avail_out;
        switch (rc) {
        case ISAL_DECOMP_OK:
        case ISAL_END_INPUT:
        case ISAL_OUT_OVERFLOW:
            if (st->block_state == ISAL_BLOCK_FINISH) b->member_done = 1;
            return NULL;
        case ISAL_INCORRECT_CHECKSUM: return "incorrect data check";
        case ISAL_INVALID_WRAPPER: return "incorrect header check";
        case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
        case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
        case ISAL_INVALID_SYMBOL: return "invalid code";
        case ISAL_INVALID_BLOCK: return "invalid block";
        default: return "inflate error";
        }
    }
    b->z.next_in = (unsigned char *)b->in;
    b->z.avail_in = (uInt)(b->inlen > UINT32_MAX ? UINT32_MAX : b->inlen);
    uInt in0 = b->z.avail_in;
    b->z.next_out = b->out;
    b->z.avail_out = sizeof b->out;
    int rc = inflate(&b->z, Z_NO_FLUSH);
    *used = in0 - b->z.avail_in;
    *produced = sizeof b->out - b->z.avail_out;
    if (rc == Z_STREAM_END) b->member_done = 1;
    else if (rc != Z_OK && rc != Z_BUF_ERROR) return b->z.msg ? b->z.msg : "inflate error";
    return NULL;
}

/* zlib over the source, multi-member, with the same damage words as the in-process reader. */
static int gz_next(struct blocks *b, const void **p, size_t *n)
{
    if (b->pending_error) {
        b->pending_error = 0;
        b->z_end = 1;
        return ARCHIVE_FATAL;
    }
    if (b->z_end) return ARCHIVE_EOF;
    for (;;) {
        if (b->member_done) {
            /* another member, zero padding, or trailing garbage */
            while (b->inlen == 0)
                if (!gz_more_input(b)) {
                    b->z_end = 1;
                    return ARCHIVE_EOF;
                }
            if (b->in[0] == 0) {
                while (b->inlen && b->in[0] == 0) b->in++, b->inlen--;
                continue;
            }
            if (b->inlen < 2 && !gz_more_input(b)) {
                /* one stray byte at the end */
                snprintf(b->zerr, sizeof b->zerr, "data after the last gzip member is not gzip");
                b->z_end = 1;
                return ARCHIVE_FATAL;
            }
            if (b->in[0] != 0x1f || (b->inlen > 1 && b->in[1] != 0x8b)) {
                snprintf(b->zerr, sizeof b->zerr, "data after the last gzip member is not gzip");
                b->z_end = 1;
                return ARCHIVE_FATAL;
            }
            if (b->isal) {
                isal_inflate_reset(b->isal);
                b->isal->crc_flag = ISAL_GZIP;
            } else {
                inflateReset(&b->z);
            }
            b->member_done = 0;
        }
        if (b->inlen == 0 && !gz_more_input(b)) {
            snprintf(b->zerr, sizeof b->zerr, "truncated gzip stream (unexpected end of file)");
            b->z_end = 1;
            return ARCHIVE_FATAL;
        }
        size_t used, produced;
        const char *bad = inflate_step(b, &used, &produced);
        b->in += used;
        b->inlen -= used;
        if (bad) {
            snprintf(b->zerr, sizeof b->zerr, "gzip data corrupt: %s", bad);
            b->z_end = 1;
            if (produced) {
                /* hand out what came before the damage; the error follows on the next call */
                b->z_end = 0;
                b->pending_error = 1;
                *p = b->out;
                *n = produced;
                return ARCHIVE_OK;
            }
            return ARCHIVE_FATAL;
        }
        if (produced) {
            *p = b->out;
            *n = produced;
            return ARCHIVE_OK;
        }
    }
}

static const char *gz_error(struct blocks *b)
{
    return b->zerr[0] ? b->zerr : "gzip error";
}

/* Reads a leaf stream: probes, streams text, enforces caps. */
static void leaf(struct child *c, struct blocks *rd, struct src *s, uint32_t id,
                 uint32_t parent, int depth, struct archive_entry *meta, const char *name,
                 const char *format, tl_ev_status *st, char *msg, size_t msgn, tl_sha256 *content,
                 uint64_t *content_bytes)
{
    unsigned char *probe = tl_xmalloc(PROBE);
    size_t plen = 0;
    int done = 0;
    tl_ev_status status = TL_EV_OK;
    const void *blk;
    size_t len;
    /* the first 64 KiB decide binary or text */
    unsigned char *pend = NULL;
    size_t pendlen = 0;
    while (plen < PROBE && !done) {
        int r = rd->next(rd, &blk, &len);
        if (r == ARCHIVE_EOF) {
            done = 1;
            break;
        }
        if (r < ARCHIVE_WARN) {
            const char *em = rd->error(rd);
            status = s->failed ? damage_status(s->errmsg) : damage_status(em);
            snprintf(msg, msgn, "%s after %llu decompressed bytes",
                     s->failed ? s->errmsg : em ? em : "decoder error", (unsigned long long)plen);
            done = 2;
            break;
        }
        size_t take = len < PROBE - plen ? len : PROBE - plen;
        memcpy(probe + plen, blk, take);
        plen += take;
        if (take < len) {
            pend = (unsigned char *)blk + take;
            pendlen = len - take;
        }
    }
    const char *known = tl_stream_binary_log_format(probe, plen, name);
    int binary = tl_stream_looks_binary(probe, plen);
    int has_data = !(binary && !c->o.binary) && !known;
    send_member(c, id, parent, depth, TL_ENT_FILE, has_data, meta, name, format, NULL);
    if (!has_data) {
        if (known) {
            status = TL_EV_UNSUPPORTED_FORMAT;
            snprintf(msg, msgn, "%s (a binary log format not read yet)", known);
        } else if (status == TL_EV_OK) {
            status = TL_EV_SKIPPED_BINARY;
            snprintf(msg, msgn, "binary content (over 10%% control bytes in the first 64 KiB); "
                                "not scanned");
        }
    }
    int stalled = hook_match(c->stall_at, name), crash = hook_match(c->crash_at, name);
    uint64_t produced = 0;
    /* emit what was probed, then the rest */
    const unsigned char *chunks[2] = {probe, pend};
    size_t clen[2] = {plen, pendlen};
    for (int phase = 0; phase < 3 && status != TL_EV_LIMIT; phase++) {
        const unsigned char *p;
        size_t n;
        if (phase < 2) {
            p = chunks[phase];
            n = clen[phase];
            if (!n) continue;
        } else {
            if (done) break;
            int r = rd->next(rd, &blk, &len);
            if (r == ARCHIVE_EOF) break;
            if (r < ARCHIVE_WARN) {
                const char *em = rd->error(rd);
                if (status == TL_EV_OK || status == TL_EV_SKIPPED_BINARY) {
                    status = s->failed ? damage_status(s->errmsg) : damage_status(em);
                    snprintf(msg, msgn, "%s after %llu decompressed bytes",
                             s->failed ? s->errmsg : em ? em : "decoder error",
                             (unsigned long long)produced);
                }
                break;
            }
            p = blk;
            n = len;
            phase = 1; /* loop on phase 2 */
        }
        if (content) h_update(c, content, p, n);
        produced += n;
        c->total_out += n;
        if (has_data) {
            if (stalled) {
                for (;;) pause(); /* test hook: a decoder that stops making progress */
            }
            send_data(c, id, p, n);
            if (crash) kill(getpid(), SIGKILL); /* test hook: dies mid-member */
        }
        /* Caps: member size, member ratio, item total and item ratio (bombs by nesting,
         * concatenation or overlapping entries all show up in one of them). */
        if (produced > c->o.max_expand) {
            status = TL_EV_LIMIT;
            snprintf(msg, msgn, "expanded past --max-expand (%llu bytes); read up to the cap",
                     (unsigned long long)c->o.max_expand);
        } else if (produced > RATIO_GRACE && (s->stored ? s->stored : s)->consumed &&
                   produced / (s->stored ? s->stored : s)->consumed > c->o.max_ratio) {
            status = TL_EV_LIMIT;
            snprintf(msg, msgn,
                     "expansion ratio over --max-ratio %llu (%llu bytes from %llu); read up to the "
                     "cap (decompression bomb?)",
                     (unsigned long long)c->o.max_ratio, (unsigned long long)produced,
                     (unsigned long long)(s->stored ? s->stored : s)->consumed);
        } else if (c->total_out > c->o.max_total ||
                   (c->total_out > RATIO_GRACE && c->raw_consumed &&
                    c->total_out / c->raw_consumed > c->o.max_ratio)) {
            status = TL_EV_LIMIT;
            c->item_limit = 1;
            snprintf(c->item_msg, sizeof c->item_msg,
                     "evidence item expanded to %llu bytes from %llu raw bytes: over the total "
                     "cap or --max-ratio; the rest of the item was not read",
                     (unsigned long long)c->total_out, (unsigned long long)c->raw_consumed);
            snprintf(msg, msgn, "%s", c->item_msg);
        }
    }
    *st = status;
    *content_bytes = produced;
    free(probe);
}

/* What node() found out about the evidence file itself (id 0), which goes into 'F'. */
struct node_result {
    tl_ev_status st;
    char msg[600];
    char content_sha256[65];
    uint64_t content_bytes;
};

static void node(struct child *c, struct src *s, uint32_t id, uint32_t parent, int depth,
                 struct archive_entry *meta, const char *name, struct node_result *res);

/* Opens `s` with libarchive and walks it: a raw stream is a leaf, anything else a container
 * whose entries become members. Emits the M/D/E messages for `id` (0 = the evidence file). */
/* True when the stream starts with the gzip magic; nothing is consumed (the first block is
 * recorded and replayed). */
static int starts_gzip(struct src *s)
{
    const void *p;
    s->recording = 1;
    la_ssize_t n = src_read(NULL, s, &p);
    s->recording = 0;
    int gz = n >= 2 && ((const unsigned char *)p)[0] == 0x1f && ((const unsigned char *)p)[1] == 0x8b;
    if (n > 0 && !s->rec_overflow) {
        s->replaying = 1;
        s->replay_pos = 0;
    }
    return gz;
}

static void node_body(struct child *c, struct src *s, uint32_t id, uint32_t parent, int depth,
                      struct archive_entry *meta, const char *name, struct node_result *res);

static void node(struct child *c, struct src *s, uint32_t id, uint32_t parent, int depth,
                 struct archive_entry *meta, const char *name, struct node_result *res)
{
    if (!starts_gzip(s)) {
        node_body(c, s, id, parent, depth, meta, name, res);
        return;
    }
    /* gzip is read with zlib (libarchive 3.6's gzip filter neither checks the CRC nor gives up
     * the data before a truncation during its read-ahead); libarchive then sees the inflated
     * bytes, so a truncated .tar.gz still yields the members before the cut. */
    struct blocks *b = tl_xcalloc(1, sizeof *b);
    b->next = gz_next;
    b->error = gz_error;
    b->s = s;
    /* ISA-L inflates about twice as fast as zlib here and checks the same CRC and length;
     * TIMBERLINE_INFLATE=zlib keeps zlib as the reference path (tests compare the two) */
    const char *eng = getenv("TIMBERLINE_INFLATE");
    if (!eng || strcmp(eng, "zlib") != 0) {
        b->isal = tl_xcalloc(1, sizeof *b->isal);
        isal_inflate_init(b->isal);
        b->isal->crc_flag = ISAL_GZIP;
    } else if (inflateInit2(&b->z, 15 + 16) != Z_OK) {
        tl_panic(__FILE__, __LINE__, "inflateInit2");
    }
    b->z_live = 1;
    struct src g;
    memset(&g, 0, sizeof g);
    g.c = c;
    g.fd = -1;
    g.gz = b;
    g.stored = s;
    g.hash = s->hash;
    g.tail = s->tail ? tl_xmalloc(TAIL) : NULL;
    node_body(c, &g, id, parent, depth, meta, name, res);
    if (b->isal) free(b->isal);
    else inflateEnd(&b->z);
    free(b);
    free(g.tail);
    tl_buf_free(&g.rec);
}

static void node_body(struct child *c, struct src *s, uint32_t id, uint32_t parent, int depth,
                      struct archive_entry *meta, const char *name, struct node_result *res)
{
    struct src *stored = s->stored ? s->stored : s;
    struct archive *a = new_reader(READ_ALL, !s->gz);
    archive_read_set_callback_data(a, s);
    archive_read_set_read_callback(a, src_read);
    if (s->mem || s->fd >= 0) archive_read_set_seek_callback(a, src_seek);
    tl_sha256 *content = tl_sha256_new();
    tl_ev_status st = TL_EV_OK;
    char msg[600] = "";
    char format[64] = "";
    uint64_t content_bytes = 0;
    int container = 0;
    int same = 0; /* a member stored as is: its content is its stored bytes, hashed once */
    struct archive_entry *e = NULL;
    struct blocks rd;
    memset(&rd, 0, sizeof rd);
    int seeks_before = s->seeked;
    s->recording = 1;
    int r = archive_read_open1(a);
    if (r == ARCHIVE_OK) r = archive_read_next_header(a, &e);
    s->recording = 0;
    /* a damaged gzip view may restart: its recorded bytes are good, its error is sticky */
    int can_restart = (!s->failed || s->gz) && !s->rec_overflow && s->seeked == seeks_before &&
                      !s->mem;
    /* a compressed stream (libarchive's filter or our gzip view) that failed while sniffing */
    int compressed = archive_filter_count(a) > 1 || s->gz;
    if (r < ARCHIVE_WARN && can_restart && compressed) {
        archive_read_free(a);
        a = new_reader(READ_SHALLOW, !s->gz);
        archive_read_set_callback_data(a, s);
        archive_read_set_read_callback(a, src_read);
        s->replaying = 1;
        s->replay_pos = 0;
        s->recording = 1; /* keep recording: the next level may need the start again */
        r = archive_read_open1(a);
        if (r == ARCHIVE_OK) r = archive_read_next_header(a, &e);
        s->recording = 0;
        can_restart = (!s->failed || s->gz) && !s->rec_overflow;
    }
    if (r < ARCHIVE_WARN && can_restart && compressed) {
        /* compressed, but sniffing for archive formats ran into damage (a short truncated
         * .bz2/.xz): read it again as a plain compressed stream, up to the damage */
        archive_read_free(a);
        a = new_reader(READ_RAW, !s->gz);
        archive_read_set_callback_data(a, s);
        archive_read_set_read_callback(a, src_read);
        s->replaying = 1;
        s->replay_pos = 0;
        r = archive_read_open1(a);
        if (r == ARCHIVE_OK) r = archive_read_next_header(a, &e);
    }
    /* s->rec is not freed here: libarchive may still hold the block it last got from it */
    if ((r == ARCHIVE_EOF || r < ARCHIVE_WARN) && s->consumed == 0 && !s->failed) {
        /* an empty file: nothing to read, nothing wrong */
        st = TL_EV_OK;
        send_member(c, id, parent, depth, TL_ENT_FILE, 0, meta, name, "", NULL);
        goto end;
    }
    if (r < ARCHIVE_WARN) {
        const char *em = archive_error_string(a);
        st = s->failed ? damage_status(s->errmsg) : damage_status(em);
        snprintf(msg, sizeof msg, "cannot open: %s", s->failed ? s->errmsg : em ? em : "unknown");
        send_member(c, id, parent, depth, TL_ENT_FILE, 0, meta, name, "", NULL);
        goto end;
    }
    filters_name(a, format, sizeof format);
    if (s->gz) { /* the gzip layer was peeled off before libarchive saw the bytes */
        size_t fl = strlen(format);
        snprintf(format + fl, sizeof format - fl, "%sgzip", fl ? "+" : "");
    }
    if (r == ARCHIVE_EOF || archive_format(a) != ARCHIVE_FORMAT_RAW) {
        container = 1;
        const char *fname = archive_format_name(a);
        char full[96];
        snprintf(full, sizeof full, "%s%s%s", fname ? fname : "archive", format[0] ? "+" : "",
                 format);
        /* a short name: "POSIX ustar format" -> keep libarchive's words, they are precise */
        send_member(c, id, parent, depth, TL_ENT_CONTAINER, 0, meta, name, full, NULL);
        while (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
            if (c->item_limit) break;
            const char *path = archive_entry_pathname(e);
            if (!path) path = "";
            uint32_t mid = ++c->next_id;
            mode_t type = archive_entry_filetype(e);
            const char *hl = archive_entry_hardlink(e);
            if (hl) {
                send_member(c, mid, id, depth + 1, TL_ENT_HARDLINK, 0, e, path, "", hl);
                send_end(c, mid, TL_EV_HARDLINK, "hardlink, not followed", "", "", 0, 0);
            } else if (type == AE_IFLNK) {
                const char *t = archive_entry_symlink(e);
                send_member(c, mid, id, depth + 1, TL_ENT_SYMLINK, 0, e, path, "", t ? t : "");
                send_end(c, mid, TL_EV_SYMLINK, "symlink, not followed", "", "", 0, 0);
            } else if (type == AE_IFDIR) {
                send_member(c, mid, id, depth + 1, TL_ENT_DIR, 0, e, path, "", NULL);
                send_end(c, mid, TL_EV_OK, "", "", "", 0, 0);
            } else if (type != AE_IFREG && type != 0) {
                send_member(c, mid, id, depth + 1, TL_ENT_SPECIAL, 0, e, path, "", NULL);
                send_end(c, mid, TL_EV_SKIPPED_SPECIAL, "device, FIFO or socket", "", "", 0, 0);
            } else if (archive_entry_is_encrypted(e)) {
                send_member(c, mid, id, depth + 1, TL_ENT_FILE, 0, e, path, "", NULL);
                send_end(c, mid, TL_EV_ENCRYPTED, "encrypted; skipped (no passwords are tried)",
                         "", "", 0, 0);
            } else {
                struct src child = {0};
                child.c = c;
                child.fd = -1;
                child.parent = a;
                child.hash = tl_sha256_new();
                child.tail = tl_xmalloc(TAIL);
                child.expect_off = 0;
                if (depth + 1 > c->o.max_depth) {
                    send_member(c, mid, id, depth + 1, TL_ENT_FILE, 0, e, path, "", NULL);
                    drain(&child);
                    char h[65];
                    h_final(c, child.hash, h);
                    send_end(c, mid, TL_EV_DEPTH, "nested deeper than --max-depth; not opened", h,
                             "", child.consumed, 0);
                } else {
                    /* 7z needs to seek: buffer a nested one up to a cap */
                    const void *blk = NULL;
                    size_t len = 0;
                    la_int64_t off = 0;
                    int rr = archive_read_data_block(a, &blk, &len, &off);
                    if (rr == ARCHIVE_OK && len >= 6 && memcmp(blk, "7z\xbc\xaf\x27\x1c", 6) == 0) {
                        tl_buf mem = TL_BUF_INIT;
                        tl_buf_append(&mem, blk, len);
                        h_update(c, child.hash, blk, len);
                        child.consumed = len;
                        child.expect_off = off + (la_int64_t)len;
                        int over = 0;
                        const void *p2;
                        la_ssize_t got;
                        while ((got = src_read(NULL, &child, &p2)) > 0) {
                            /* src_read hashed it; keep a copy while under the cap */
                            if (mem.len + (size_t)got > NESTED_SEEKABLE_CAP) over = 1;
                            if (!over) tl_buf_append(&mem, p2, (size_t)got);
                        }
                        if (over) {
                            send_member(c, mid, id, depth + 1, TL_ENT_FILE, 0, e, path, "7zip",
                                        NULL);
                            char h[65];
                            h_final(c, child.hash, h);
                            send_end(c, mid, TL_EV_UNSUPPORTED_NESTED,
                                     "nested 7z larger than 64 MiB cannot be read as a stream", h,
                                     "", child.consumed, 0);
                        } else {
                            struct src m7 = {0};
                            m7.c = c;
                            m7.fd = -1;
                            m7.mem = (unsigned char *)mem.data;
                            m7.memlen = mem.len;
                            m7.hash = child.hash; /* already complete */
                            m7.consumed = mem.len;
                            node(c, &m7, mid, id, depth + 1, e, path, NULL);
                        }
                        tl_buf_free(&mem);
                    } else {
                        if (rr == ARCHIVE_OK) {
                            h_update(c, child.hash, blk, len);
                            child.consumed = len;
                            child.expect_off = off + (la_int64_t)len;
                            child.peek = blk;
                            child.peeklen = len;
                            /* peeked bytes are hashed already; src_read must not re-hash them */
                        } else if (rr == ARCHIVE_EOF) {
                            child.eof = 1;
                        } else {
                            child.failed = 1;
                            const char *em = archive_error_string(a);
                            snprintf(child.errmsg, sizeof child.errmsg, "%s",
                                     em ? em : "read error");
                        }
                        node(c, &child, mid, id, depth + 1, e, path, NULL);
                    }
                }
                h_free(c, child.hash);
                free(child.tail);
            }
            if (c->item_limit) break;
            r = archive_read_next_header(a, &e);
        }
        if (r < ARCHIVE_WARN && !c->item_limit) {
            const char *em = archive_error_string(a);
            st = s->failed ? damage_status(s->errmsg) : damage_status(em);
            snprintf(msg, sizeof msg, "%s", s->failed ? s->errmsg : em ? em : "archive damaged");
        } else if (!c->item_limit && archive_format(a) >> 16 == ARCHIVE_FORMAT_ZIP >> 16 &&
                   format[0] == '\0' && !s->gz) {
            drain(s);
            if (!zip_end_present(s)) {
                st = TL_EV_TRUNCATED;
                snprintf(msg, sizeof msg,
                         "zip has no end-of-central-directory record: the file was cut short; "
                         "the entries before the cut were read");
            }
        } else if (c->item_limit) {
            st = TL_EV_LIMIT;
            snprintf(msg, sizeof msg, "%s", c->item_msg);
        }
    } else {
        rd.next = la_next;
        rd.error = la_error;
        rd.a = a;
        rd.s = s;
        same = id != 0 && format[0] == '\0' && !s->gz && stored == s;
        leaf(c, &rd, s, id, parent, depth, meta, name, format, &st, msg, sizeof msg,
             same ? NULL : content, &content_bytes);
    }
end:
    if (!c->item_limit) drain(s);
    if (a) archive_read_free(a);
    tl_buf_free(&s->rec);
    char h[65] = "", ch[65] = "";
    if (id) {
        h_final(c, stored->hash, h);
        /* a text member inside a tar or zip (no filter of its own) is delivered byte for byte:
         * hashing it twice cost the worker about a fifth of its time on a .tar.gz. If fewer
         * bytes were delivered than stored (a limit), the content hash stays unknown ("") */
        if (same && content_bytes == stored->consumed) memcpy(ch, h, sizeof ch);
        else if (!container && !same) h_final(c, content, ch);
        send_end(c, id, st, msg, h, container ? "" : ch, stored->consumed, content_bytes);
    } else if (res) {
        /* the evidence file: the caller sends F with the raw hash */
        if (!container) h_final(c, content, ch);
        res->st = st;
        snprintf(res->msg, sizeof res->msg, "%s", msg);
        memcpy(res->content_sha256, ch, sizeof ch);
        res->content_bytes = content_bytes;
    }
    h_free(c, content);
}

static void harden(void)
{
    /* The worker needs its pipe and the already-open evidence file, nothing else. */
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    setrlimit(RLIMIT_FSIZE, &none);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (geteuid() == 0) {
        /* nobody/nogroup: a compromised decoder cannot read other evidence or write anywhere */
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(4);
    }
    /* Run as an ordinary user, the worker keeps that user's rights: the filter is what stops
     * an exploited decoder from changing the user's files, starting programs or ptrace-ing
     * the scanner. A kernel without seccomp leaves the limits above; reading goes on. */
    tl_error serr;
    if (tl_sandbox_confine(&serr) != TL_OK)
        fprintf(stderr, "timberline: warning: the unpack worker runs without its seccomp filter "
                        "(%s)\n", serr.msg);
}

int tl_unpack_child_main(int argc, char **argv)
{
    struct child c;
    memset(&c, 0, sizeof c);
    tl_unpack_opts_default(&c.o);
    const char *path = NULL;
    int ring = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--max-depth") == 0 && i + 1 < argc) c.o.max_depth = atoi(argv[++i]);
        else if (strcmp(argv[i], "--max-ratio") == 0 && i + 1 < argc)
            c.o.max_ratio = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--max-expand") == 0 && i + 1 < argc)
            c.o.max_expand = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--max-total") == 0 && i + 1 < argc)
            c.o.max_total = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--binary") == 0) c.o.binary = 1;
        else if (strcmp(argv[i], "--ring") == 0) ring = 1;
        else if (strcmp(argv[i], "--") == 0 && i + 1 < argc) path = argv[++i];
        else path = argv[i];
    }
    if (!path) return 2;
    /* Keep 0-2 and the ring (3, 4) only: a descriptor the scanner opened without O_CLOEXEC (a
     * library's, or a future one of ours) would be a file the worker could write to. */
    unsigned keep = ring ? 5 : 3;
    if (close_range(keep, ~0u, 0) != 0)
        for (int fd = (int)keep; fd < 1024; fd++) close(fd);
    signal(SIGPIPE, SIG_IGN);
    c.stall_at = getenv("TIMBERLINE_TEST_UNPACK_STALL");
    c.crash_at = getenv("TIMBERLINE_TEST_UNPACK_CRASH");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        send_end(&c, 0, TL_EV_UNREADABLE, strerror(errno), "", "", 0, 0);
        tl_buf_free(&c.out);
        return 0;
    }
    harden();
    if (ring) {
        void *m = mmap(NULL, RING_HDR + RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0);
        if (m != MAP_FAILED) {
            c.rctl = m;
            c.ring = (unsigned char *)m + RING_HDR;
        }
        close(3);
        if (!c.ring) close(4);
    }
    tl_error herr;
    const char *simple = getenv("TIMBERLINE_UNPACK_SIMPLE");
    if (!(simple && strcmp(simple, "1") == 0) &&
        tl_side_start(&c.hasher, 256u << 10, 4, &herr) != TL_OK)
        c.hasher = NULL;
    struct src top = {0};
    top.c = &c;
    top.fd = fd;
    top.hash = tl_sha256_new();
    top.expect_off = -1;
    struct node_result res;
    memset(&res, 0, sizeof res);
    node(&c, &top, 0, 0, 0, NULL, path, &res);
    /* The raw hash covers every byte of the file; if a seek broke the sequential pass (7z,
     * seekable zip), hash the file again from the start. */
    char raw[65];
    struct stat sb;
    if (top.seeked || (fstat(fd, &sb) == 0 && (uint64_t)sb.st_size != top.consumed)) {
        tl_side_sync(c.hasher);
        tl_sha256_reset(top.hash);
        lseek(fd, 0, SEEK_SET);
        unsigned char buf[65536];
        ssize_t n;
        uint64_t total = 0;
        while ((n = read(fd, buf, sizeof buf)) > 0) {
            tl_sha256_update(top.hash, buf, (size_t)n);
            total += (uint64_t)n;
        }
        top.consumed = total;
    }
    h_final(&c, top.hash, raw);
    send_end(&c, 0, res.st, res.msg, raw, res.content_sha256, top.consumed, res.content_bytes);
    tl_sha256_free(top.hash);
    tl_side_stop(c.hasher);
    tl_buf_free(&c.out);
    close(fd);
    return 0;
}

/* ------------------------------------------------------------------ parent */

struct tl_unpack {
    pid_t pid;
    int fd;
    int stall_ms;
    int dead;          /* EOF seen or killed */
    int killed_stall;
    int saw_final;     /* the 'F' message arrived: the item was read to its end */
    tl_buf msg;        /* current non-data payload */
    /* Payload bytes of the current data message not yet read from the pipe: they go from the
     * pipe straight into the caller's buffer, with no copy in between (on a .tar.gz two extra
     * copies were 15% of the scanner's CPU). */
    size_t data_left;
    int data_ring;     /* ...and they are in the ring, not in the pipe */
    int in_data;       /* a leaf's data is being read */
    unsigned char *map; /* the shared ring (RING_HDR control page, then RING_BYTES of data) */
    uint64_t ring_read; /* our own position: the worker's word is never taken for it */
    int bell;           /* doorbell write end (non-blocking) */
    unsigned char ib[16384]; /* pipe bytes read ahead: headers come many to a read */
    size_t ib_pos, ib_len;
    int pending_type;  /* a message read while looking for data */
    tl_buf strs;       /* NUL-terminated copies of the current message's strings */
    uint64_t bytes_in;
    uint32_t last_member;
    char last_name[256];
};

/* posix_spawn of our own binary with stdin (and, when null_stdout, stdout) on /dev/null,
 * each dups[i][0] placed at dups[i][1], and TZ=UTC in an otherwise inherited environment
 * (zip stores DOS times in local time and libarchive converts them with the process TZ).
 * Returns 0 or an errno value. Used for the zygote, and for a worker when there is none. */
static int spawn_self(pid_t *pid, const char *exe, char **argv, const int dups[][2], int ndups,
                      int null_stdout)
{
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0) return rc;
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0 && null_stdout) rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    for (int i = 0; rc == 0 && i < ndups; i++)
        rc = posix_spawn_file_actions_adddup2(&fa, dups[i][0], dups[i][1]);
    if (rc == 0) {
        size_t nenv = 0;
        while (environ[nenv]) nenv++;
        char **envp = tl_xcalloc(nenv + 2, sizeof *envp);
        size_t j = 0;
        for (size_t i = 0; i < nenv; i++)
            if (strncmp(environ[i], "TZ=", 3) != 0) envp[j++] = environ[i];
        envp[j++] = "TZ=UTC";
        envp[j] = NULL;
        rc = posix_spawn(pid, exe, &fa, NULL, argv, envp);
        free(envp);
    }
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* ---------------------------------------------------------------- the zygote
 * Starting a worker costs a fresh exec: loading and relocating libhs, libstdc++, libarchive's
 * ICU and initialising OpenSSL, about 10 ms of CPU, against well under 1 ms to read a small
 * rotated .gz. With thousands of those (a /var/log of many hosts) that was 85% of the run.
 * The zygote is started once per scan with posix_spawn (a fresh exec, one thread, it never
 * reads evidence) and forks one worker per evidence file: each file still gets a process of
 * its own, from a clean image.
 *
 * A request is one SOCK_SEQPACKET datagram: the worker's argv, NUL-separated, with the
 * descriptors [reply, pipe write end, ring memfd, doorbell] (the last two optional). The
 * zygote forks A, A forks the worker W and exits. The scanner is a child subreaper, so W
 * becomes the scanner's child and tl_unpack_finish reaps it as before; the zygote sends W's
 * pid on the reply socket only after it has reaped A, when W's parent is the scanner. */
struct tl_unpack_zygote {
    pid_t pid;
    int sock;
    int old_subreaper;  /* restored at stop: the flag is process-wide */
    atomic_int broken;  /* a failed request: later ones go straight to posix_spawn */
};

#define ZYGOTE_REQ_MAX 8192

/* The worker's pid; -1 when nothing was sent (the caller may spawn with the same
 * descriptors); -2 when the request went out but no worker came back: the zygote (or a
 * worker it forked before dying) may still hold those descriptors, so the caller must make
 * fresh ones. There is no timeout: the zygote never reads evidence, and if it dies the reply
 * socket reports EOF; a stopped scan (Ctrl-Z) must not turn into a second worker. */
static pid_t zygote_fork(tl_unpack_zygote *z, char **argv, const int fds[4])
{
    if (atomic_load(&z->broken)) return -1;
    char req[ZYGOTE_REQ_MAX];
    size_t n = 0;
    for (int i = 0; argv[i]; i++) {
        size_t l = strlen(argv[i]) + 1;
        if (n + l > sizeof req) return -1; /* a path this long: the direct spawn takes it */
        memcpy(req + n, argv[i], l);
        n += l;
    }
    int rp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, rp) != 0) return -1;
    int send_fds[4] = {rp[1], fds[0], fds[1], fds[2]};
    int nfds = fds[1] >= 0 && fds[2] >= 0 ? 4 : 2;
    union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } cm;
    memset(&cm, 0, sizeof cm);
    struct iovec iov = {req, n};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
                        .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
    memcpy(CMSG_DATA(c), send_fds, sizeof(int) * (size_t)nfds);
    ssize_t w;
    do w = sendmsg(z->sock, &mh, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
    close(rp[1]);
    int32_t pid = -1;
    int sent = w == (ssize_t)n;
    if (sent) {
        size_t got = 0;
        while (got < sizeof pid) {
            ssize_t r = read(rp[0], (char *)&pid + got, sizeof pid - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += (size_t)r;
        }
        if (got != sizeof pid) pid = -1;
    }
    close(rp[0]);
    if (pid > 0) return (pid_t)pid;
    atomic_store(&z->broken, 1);
    return sent ? -2 : -1;
}

int tl_unpack_zygote_start(tl_unpack_zygote **out, const char *exe, tl_error *err)
{
    *out = NULL;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return tl_error_set(err, TL_EIO, "zygote socket: %s", strerror(errno));
    /* the workers it forks are orphaned on purpose and must land here, to be reaped by pid */
    int old_subreaper = 0;
    (void)prctl(PR_GET_CHILD_SUBREAPER, &old_subreaper, 0, 0, 0);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return tl_error_set(err, TL_EGENERIC, "child subreaper: %s", strerror(e));
    }
    char *argv[] = {"timberline", "__zygote", NULL};
    const int dups[1][2] = {{sv[1], 3}};
    pid_t pid;
    int rc = spawn_self(&pid, exe, argv, dups, 1, 1);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        prctl(PR_SET_CHILD_SUBREAPER, old_subreaper, 0, 0, 0);
        return tl_error_set(err, TL_EGENERIC, "cannot start the zygote: %s", strerror(rc));
    }
    tl_unpack_zygote *z = tl_xcalloc(1, sizeof *z);
    z->pid = pid;
    z->sock = sv[0];
    z->old_subreaper = old_subreaper;
    *out = z;
    return TL_OK;
}

void tl_unpack_zygote_stop(tl_unpack_zygote *z)
{
    if (!z) return;
    close(z->sock); /* EOF: the zygote exits */
    if (atomic_load(&z->broken)) kill(z->pid, SIGKILL); /* it failed once: do not wait on it */
    int ws;
    while (waitpid(z->pid, &ws, 0) < 0 && errno == EINTR) {
    }
    prctl(PR_SET_CHILD_SUBREAPER, z->old_subreaper, 0, 0, 0);
    free(z);
}

/* In W: the received descriptors become 1 (pipe), 3 (ring) and 4 (doorbell), as posix_spawn
 * would have placed them; everything else is closed by the worker itself. */
static void zygote_child(char **argv, int argc, const int *fds, int nfds)
{
    int hi[4] = {-1, -1, -1, -1};
    for (int i = 1; i < nfds; i++) hi[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
    int dn = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (hi[1] < 0 || dn < 0 || dup2(dn, 0) < 0 || dup2(hi[1], 1) < 0) _exit(5);
    if (nfds == 4 && (hi[2] < 0 || hi[3] < 0 || dup2(hi[2], 3) < 0 || dup2(hi[3], 4) < 0))
        _exit(5);
    prctl(PR_SET_NAME, "tl-unpack", 0, 0, 0);
    exit(tl_unpack_child_main(argc, argv));
}

/* Forks A, which forks the worker W and exits; returns W's pid once A is reaped (W is then
 * the scanner's child, the scanner being a subreaper), or -1. */
static int32_t zygote_double_fork(char **wargv, int wargc, const int *fds, int nfds)
{
    int pp[2];
    if (pipe2(pp, O_CLOEXEC) != 0) return -1;
    pid_t a = fork();
    if (a == 0) {
        close(3);
        close(fds[0]);
        close(pp[0]);
        pid_t w = fork();
        if (w == 0) {
            close(pp[1]);
            zygote_child(wargv, wargc, fds, nfds);
        }
        int32_t v = w;
        _exit(write(pp[1], &v, sizeof v) == (ssize_t)sizeof v ? 0 : 1);
    }
    close(pp[1]);
    int32_t wpid = -1;
    if (a > 0) {
        ssize_t r;
        do r = read(pp[0], &wpid, sizeof wpid);
        while (r < 0 && errno == EINTR);
        if (r != (ssize_t)sizeof wpid) wpid = -1;
        while (waitpid(a, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    close(pp[0]);
    return wpid;
}

int tl_unpack_zygote_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    signal(SIGPIPE, SIG_IGN);
    /* Initialise OpenSSL once here, not in every worker. */
    tl_sha256_free(tl_sha256_new());
    static char req[ZYGOTE_REQ_MAX + 1];
    for (;;) {
        union {
            char buf[CMSG_SPACE(sizeof(int) * 4)];
            struct cmsghdr align;
        } cm;
        struct iovec iov = {req, ZYGOTE_REQ_MAX};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
                            .msg_controllen = sizeof cm.buf};
        ssize_t n = recvmsg(3, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0; /* the scanner is done (or gone) */
        int fds[4] = {-1, -1, -1, -1}, nfds = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + sizeof(int) * (size_t)i, sizeof fd);
                if (nfds < 4) fds[nfds++] = fd;
                else close(fd);
            }
        }
        req[n] = '\0';
        char *wargv[24];
        int wargc = 0;
        for (char *s2 = req; s2 < req + n && wargc < 23; s2 += strlen(s2) + 1) wargv[wargc++] = s2;
        wargv[wargc] = NULL;
        int ok = (nfds == 2 || nfds == 4) && !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) &&
                 wargc >= 2 && strcmp(wargv[1], "__unpack") == 0;
        int32_t wpid = ok ? zygote_double_fork(wargv + 1, wargc - 1, fds, nfds) : -1;
        if (fds[0] >= 0) {
            /* W's parent is the scanner now; on -1 the scanner spawns a worker itself */
            if (write(fds[0], &wpid, sizeof wpid) != (ssize_t)sizeof wpid) {
            }
        }
        for (int i = 0; i < nfds; i++) close(fds[i]);
    }
}

int tl_unpack_start(tl_unpack **out, const char *exe, tl_unpack_zygote *z, const char *path,
                    const tl_unpack_opts *o, tl_error *err)
{
    *out = NULL;
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return tl_error_set(err, TL_EIO, "pipe: %s", strerror(errno));
    /* A larger pipe lets the worker run ahead instead of waking the reader every 64 KiB; the
     * kernel may refuse (pipe-user-pages-soft), and the default size still works. */
    (void)fcntl(pfd[0], F_SETPIPE_SZ, 1 << 20);
    /* The data ring: a memfd mapped here and in the worker (fd 3) and a doorbell pipe (fd 4).
     * Both are moved above fd 10 first so that placing one cannot overwrite the other. Any
     * failure leaves the worker on the pipe alone. */
    unsigned char *map = NULL;
    int mfd = -1, bell[2] = {-1, -1}, hi_m = -1, hi_b = -1;
    const char *simple = getenv("TIMBERLINE_UNPACK_SIMPLE"); /* the reference path, for tests */
    if (!(simple && strcmp(simple, "1") == 0))
        mfd = memfd_create("timberline-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    /* the doorbell is a socket pair, not a pipe: the parent rings it with MSG_NOSIGNAL, so a
     * worker that is gone (or closed its end on purpose) cannot kill the scanner by SIGPIPE */
    /* sealed at its size: a worker cannot shrink the file under our mapping (a SIGBUS here) */
    if (mfd >= 0 && ftruncate(mfd, RING_HDR + RING_BYTES) == 0 &&
        fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0 &&
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, bell) == 0) {
        void *m = mmap(NULL, RING_HDR + RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
        hi_m = fcntl(mfd, F_DUPFD_CLOEXEC, 10);
        hi_b = fcntl(bell[0], F_DUPFD_CLOEXEC, 10);
        if (m != MAP_FAILED && hi_m >= 0 && hi_b >= 0 &&
            fcntl(bell[1], F_SETFL, O_NONBLOCK) == 0) {
            map = m;
        } else if (m != MAP_FAILED) {
            munmap(m, RING_HDR + RING_BYTES);
        }
    }
    char depth[16], ratio[32], expand[32], total[32];
    snprintf(depth, sizeof depth, "%d", o->max_depth);
    snprintf(ratio, sizeof ratio, "%llu", (unsigned long long)o->max_ratio);
    snprintf(expand, sizeof expand, "%llu", (unsigned long long)o->max_expand);
    snprintf(total, sizeof total, "%llu", (unsigned long long)o->max_total);
    char *argv[16];
    int k = 0;
    argv[k++] = "timberline";
    argv[k++] = "__unpack";
    argv[k++] = "--max-depth", argv[k++] = depth;
    argv[k++] = "--max-ratio", argv[k++] = ratio;
    argv[k++] = "--max-expand", argv[k++] = expand;
    argv[k++] = "--max-total", argv[k++] = total;
    if (o->binary) argv[k++] = "--binary";
    if (map) argv[k++] = "--ring";
    argv[k++] = "--"; /* an evidence file may be named like an option */
    argv[k++] = (char *)path;
    argv[k] = NULL;
    pid_t pid = -1;
    int rc = -1, redo = 0;
    if (z) {
        int fds[4] = {pfd[1], map ? hi_m : -1, map ? hi_b : -1, -1};
        pid = zygote_fork(z, argv, fds);
        if (pid > 0) rc = 0;
        else if (pid == -2) redo = 1; /* these descriptors may have a writer: start afresh */
    }
    /* test hook: the e2e suite proves its reference runs used the zygote */
    const char *need_z = getenv("TIMBERLINE_TEST_REQUIRE_ZYGOTE");
    if (rc != 0 && need_z && strcmp(need_z, "1") == 0) {
        redo = 0;
        rc = ENOEXEC;
    } else if (rc != 0 && !redo) {
        const int dups[3][2] = {{pfd[1], 1}, {hi_m, 3}, {hi_b, 4}};
        rc = spawn_self(&pid, exe, argv, dups, map ? 3 : 1, 0);
    }
    close(pfd[1]);
    if (mfd >= 0) close(mfd);
    if (hi_m >= 0) close(hi_m);
    if (hi_b >= 0) close(hi_b);
    if (bell[0] >= 0) close(bell[0]);
    if (!map && bell[1] >= 0) {
        close(bell[1]);
        bell[1] = -1;
    }
    if (rc != 0) {
        close(pfd[0]);
        if (map) munmap(map, RING_HDR + RING_BYTES);
        if (bell[1] >= 0) close(bell[1]);
        if (redo) return tl_unpack_start(out, exe, NULL, path, o, err);
        return tl_error_set(err, TL_EGENERIC, "cannot start the unpack worker: %s", strerror(rc));
    }
    tl_unpack *u = tl_xcalloc(1, sizeof *u);
    u->pid = pid;
    u->fd = pfd[0];
    u->map = map;
    u->bell = bell[1];
    u->stall_ms = o->stall_timeout_ms > 0 ? o->stall_timeout_ms : 30000;
    *out = u;
    return TL_OK;
}

/* Reads exactly n bytes under the watchdog; 0 on EOF/stall (u->dead set). Small reads are
 * served from a read-ahead buffer; large ones go straight into buf. */
static int read_full(tl_unpack *u, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        if (u->ib_pos < u->ib_len) {
            size_t take = u->ib_len - u->ib_pos;
            if (take > n - got) take = n - got;
            memcpy((char *)buf + got, u->ib + u->ib_pos, take);
            u->ib_pos += take;
            got += take;
            continue;
        }
        struct pollfd p = {u->fd, POLLIN, 0};
        int pr = poll(&p, 1, u->stall_ms);
        if (pr < 0 && errno == EINTR) continue;
        if (pr == 0) {
            /* no bytes and no new member for the whole stall timeout */
            kill(u->pid, SIGKILL);
            u->killed_stall = 1;
            u->dead = 1;
            return 0;
        }
        int direct = n - got >= sizeof u->ib;
        ssize_t r = direct ? read(u->fd, (char *)buf + got, n - got)
                           : read(u->fd, u->ib, sizeof u->ib);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            u->dead = 1;
            return 0;
        }
        u->bytes_in += (uint64_t)r;
        if (direct) {
            got += (size_t)r;
        } else {
            u->ib_pos = 0;
            u->ib_len = (size_t)r;
        }
    }
    return 1;
}

/* Tells the worker how far we have read, and wakes it if it waits for room. */
static void ring_publish(tl_unpack *u)
{
    struct ring_ctl *ctl = (struct ring_ctl *)(void *)u->map;
    atomic_store(&ctl->consumed, u->ring_read);
    if (atomic_exchange(&ctl->waiting, 0)) {
        /* a full doorbell already says "look again"; a closed one means the worker is gone */
        ssize_t w = send(u->bell, "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)w;
    }
}

/* Reads an 'R' message's payload and checks its length against our own read position. */
static int ring_msg(tl_unpack *u, uint32_t n, size_t *len)
{
    unsigned char b[8];
    if (!u->map || n != 8 || !read_full(u, b, 8)) goto bad;
    uint32_t k = (uint32_t)b[4] | ((uint32_t)b[5] << 8) | ((uint32_t)b[6] << 16) |
                 ((uint32_t)b[7] << 24);
    if (k == 0 || k > RING_BYTES - u->ring_read % RING_BYTES) goto bad;
    *len = k;
    return 1;
bad:
    if (!u->dead) kill(u->pid, SIGKILL); /* protocol violation: treat as a crash */
    u->dead = 1;
    return 0;
}

/* Reads a message header: its type and payload length. Returns 0 when the child is gone. */
static int read_hdr(tl_unpack *u, int *type, uint32_t *len)
{
    if (u->dead) return 0;
    unsigned char hdr[5];
    if (!read_full(u, hdr, 5)) return 0;
    uint32_t n = (uint32_t)hdr[1] | ((uint32_t)hdr[2] << 8) | ((uint32_t)hdr[3] << 16) |
                 ((uint32_t)hdr[4] << 24);
    if (n > (16u << 20) || (hdr[0] == MSG_DATA && n < 4)) {
        /* protocol violation: treat as a crash of the worker */
        kill(u->pid, SIGKILL);
        u->dead = 1;
        return 0;
    }
    *type = hdr[0];
    *len = n;
    return 1;
}

/* Reads a message's payload into *into. */
static int read_payload(tl_unpack *u, uint32_t n, tl_buf *into)
{
    tl_buf_reset(into);
    tl_buf_reserve(into, n);
    if (n && !read_full(u, into->data, n)) return 0;
    into->len = n;
    return 1;
}

/* Drops the unread rest of a data message (a member the caller did not read to the end). */
static int skip_data(tl_unpack *u)
{
    if (u->data_ring) {
        u->ring_read += u->data_left;
        u->bytes_in += u->data_left;
        u->data_left = 0;
        u->data_ring = 0;
        ring_publish(u);
        return 1;
    }
    char sink[16384];
    while (u->data_left) {
        size_t k = u->data_left < sizeof sink ? u->data_left : sizeof sink;
        if (!read_full(u, sink, k)) return 0;
        u->data_left -= k;
    }
    return 1;
}

static void parse_msg(tl_unpack *u, int type, const tl_buf *b, tl_unpack_msg *m)
{
    const unsigned char *p = (const unsigned char *)b->data, *end = p + b->len;
    memset(m, 0, sizeof *m);
    m->name = m->format = m->link = m->message = "";
    if (type == MSG_MEMBER) {
        m->type = TL_UMSG_MEMBER;
        m->id = get_u32(&p, end);
        m->parent = get_u32(&p, end);
        m->depth = (int)get_u32(&p, end);
        m->entry = (tl_entry_type)get_u32(&p, end);
        m->has_data = (int)get_u32(&p, end);
        m->mtime_sec = (int64_t)get_u64(&p, end);
        m->mtime_nsec = (int)get_u32(&p, end);
        m->size = (int64_t)get_u64(&p, end);
        size_t nl, fl, ll;
        m->name = get_str(&p, end, &nl);
        m->name_len = nl;
        const char *f = get_str(&p, end, &fl);
        const char *l = get_str(&p, end, &ll);
        /* strings are not NUL-terminated on the wire: keep terminated copies */
        tl_buf *pb = &u->strs; /* scratch for terminated copies */
        tl_buf_reset(pb);
        tl_buf_append(pb, m->name, nl);
        tl_buf_putc(pb, '\0');
        size_t fo = pb->len;
        tl_buf_append(pb, f, fl);
        tl_buf_putc(pb, '\0');
        size_t lo = pb->len;
        tl_buf_append(pb, l, ll);
        tl_buf_putc(pb, '\0');
        m->name = pb->data;
        m->format = pb->data + fo;
        m->link = pb->data + lo;
        u->last_member = m->id;
        snprintf(u->last_name, sizeof u->last_name, "%.*s", (int)(nl > 200 ? 200 : nl), pb->data);
    } else {
        m->type = type == MSG_END ? TL_UMSG_END : TL_UMSG_FINAL;
        if (m->type == TL_UMSG_FINAL) u->saw_final = 1;
        m->id = get_u32(&p, end);
        m->status = (tl_ev_status)get_u32(&p, end);
        size_t sl, cl, ml;
        const char *sha = get_str(&p, end, &sl);
        const char *csha = get_str(&p, end, &cl);
        m->stored_bytes = get_u64(&p, end);
        m->content_bytes = get_u64(&p, end);
        const char *msg = get_str(&p, end, &ml);
        snprintf(m->sha256, sizeof m->sha256, "%.*s", (int)(sl > 64 ? 64 : sl), sha);
        snprintf(m->content_sha256, sizeof m->content_sha256, "%.*s", (int)(cl > 64 ? 64 : cl),
                 csha);
        tl_buf *pb = &u->strs;
        tl_buf_reset(pb);
        tl_buf_append(pb, msg, ml);
        tl_buf_putc(pb, '\0');
        m->message = pb->data;
        if ((unsigned)m->status > TL_EV_PENDING) m->status = TL_EV_CORRUPT;
    }
}

tl_umsg_type tl_unpack_next(tl_unpack *u, tl_unpack_msg *m)
{
    for (;;) {
        int type;
        uint32_t n = 0;
        int ok = 1;
        if (u->pending_type) {
            type = u->pending_type;
            u->pending_type = 0;
        } else {
            ok = skip_data(u) && read_hdr(u, &type, &n);
            if (ok && type == MSG_DATA) {
                u->data_left = n; /* data of a member the caller skipped: dropped */
                continue;
            }
            if (ok && type == MSG_RING) {
                size_t k;
                if (!ring_msg(u, n, &k)) continue; /* dead now: EOF on the next round */
                u->data_left = k;
                u->data_ring = 1;
                continue;
            }
            ok = ok && read_payload(u, n, &u->msg);
        }
        if (!ok) {
            memset(m, 0, sizeof *m);
            m->type = TL_UMSG_EOF;
            m->name = m->format = m->link = m->message = "";
            return TL_UMSG_EOF;
        }
        u->in_data = 0;
        parse_msg(u, type, &u->msg, m);
        if (m->type == TL_UMSG_MEMBER && m->has_data) u->in_data = 1;
        return m->type;
    }
}

size_t tl_unpack_read(tl_unpack *u, void *buf, size_t cap)
{
    size_t got = 0;
    while (got < cap && u->in_data) {
        if (u->data_left && u->data_ring) {
            size_t take = u->data_left < cap - got ? u->data_left : cap - got;
            memcpy((char *)buf + got, u->map + RING_HDR + u->ring_read % RING_BYTES, take);
            u->ring_read += take;
            u->bytes_in += take;
            u->data_left -= take;
            if (!u->data_left) u->data_ring = 0;
            got += take;
            ring_publish(u);
            continue;
        }
        if (u->data_left) {
            size_t take = u->data_left < cap - got ? u->data_left : cap - got;
            if (!read_full(u, (char *)buf + got, take)) {
                u->in_data = 0;
                u->data_left = 0;
                break;
            }
            u->data_left -= take;
            got += take;
            continue;
        }
        int type;
        uint32_t n;
        unsigned char idb[4];
        if (!read_hdr(u, &type, &n)) {
            u->in_data = 0;
            break;
        }
        if (type == MSG_RING) {
            size_t k;
            if (!ring_msg(u, n, &k)) {
                u->in_data = 0;
                break;
            }
            u->data_left = k;
            u->data_ring = 1;
            continue;
        }
        if (type != MSG_DATA) {
            /* the member's end: hand it to tl_unpack_next */
            if (!read_payload(u, n, &u->msg)) {
                u->in_data = 0;
                break;
            }
            u->pending_type = type;
            u->in_data = 0;
            break;
        }
        if (!read_full(u, idb, 4)) { /* the member id; data always belongs to the open leaf */
            u->in_data = 0;
            break;
        }
        u->data_left = n - 4;
    }
    return got;
}

void tl_unpack_finish(tl_unpack *u, tl_ev_status *status, char **message)
{
    *status = TL_EV_OK;
    *message = NULL;
    if (!u) return;
    /* drain whatever is left so the child can exit, then reap it */
    if (!u->dead) {
        tl_unpack_msg m;
        while (tl_unpack_next(u, &m) != TL_UMSG_EOF) {
        }
    }
    close(u->fd);
    if (u->bell >= 0) close(u->bell); /* a worker waiting for room sees EOF and exits */
    /* A worker that closed its end but does not exit (a decoder spinning after a crash of
     * its output, or a hostile one) must not hang the scan: it gets the stall timeout. */
    int ws = 0;
    struct timespec t0, tn, nap = {0, 2 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* A pidfd wakes us the moment the worker exits: thousands of small rotated .gz files would
     * otherwise each pay a sleep between "closed its pipe" and "exited". Kernels before 5.3
     * have none, and the loop naps instead. */
#ifdef SYS_pidfd_open
    int pidfd = (int)syscall(SYS_pidfd_open, u->pid, 0);
#else
    int pidfd = -1;
#endif
    int was_ready = 0;
    for (;;) {
        pid_t r = waitpid(u->pid, &ws, WNOHANG);
        if (r == u->pid || (r < 0 && errno != EINTR)) break;
        clock_gettime(CLOCK_MONOTONIC, &tn);
        long ms = (long)(tn.tv_sec - t0.tv_sec) * 1000 + (tn.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms > u->stall_ms) {
            kill(u->pid, SIGKILL);
            while (waitpid(u->pid, &ws, 0) < 0 && errno == EINTR) {
            }
            if (u->saw_final) ws = 0; /* everything arrived; it only failed to exit */
            else u->killed_stall = 1;
            break;
        }
        /* readable but not reapable (a tracer holds the exit): nap, do not spin */
        if (pidfd >= 0 && !was_ready) {
            struct pollfd pw = {.fd = pidfd, .events = POLLIN};
            was_ready = poll(&pw, 1, (int)(u->stall_ms - ms) + 1) > 0;
        } else {
            nanosleep(&nap, NULL);
        }
    }
    if (pidfd >= 0) close(pidfd);
    tl_buf b = TL_BUF_INIT;
    if (u->killed_stall) {
        *status = TL_EV_HANG;
        tl_buf_printf(&b, "decoder made no progress for %d ms and was stopped after %llu bytes "
                          "(last member: '%s')",
                      u->stall_ms, (unsigned long long)u->bytes_in, u->last_name);
    } else if (WIFSIGNALED(ws)) {
        *status = TL_EV_CRASHED;
        tl_buf_printf(&b, "decoder died with signal %d (%s) after %llu bytes (last member: '%s')",
                      WTERMSIG(ws), strsignal(WTERMSIG(ws)), (unsigned long long)u->bytes_in,
                      u->last_name);
    } else if (WIFEXITED(ws) && WEXITSTATUS(ws) != 0) {
        *status = TL_EV_CRASHED;
        tl_buf_printf(&b, "decoder exited with status %d after %llu bytes (last member: '%s')",
                      WEXITSTATUS(ws), (unsigned long long)u->bytes_in, u->last_name);
    }
    if (b.len) *message = tl_buf_steal(&b, NULL);
    tl_buf_free(&u->msg);
    tl_buf_free(&u->strs);
    if (u->map) munmap(u->map, RING_HDR + RING_BYTES);
    free(u);
}
