/* Stream reader: plain file or worker-fed member -> (UTF-16/UTF-8-BOM transcoding) -> text.
 * Compressed input never gets here: it goes to the isolated unpack worker (unpack.c).
 * Raw bytes are hashed as they are read; unread bytes are drained into the hash at close so
 * the SHA-256 always covers the whole file, even after damage. */
#include "timberline/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timberline/hash.h"

#define RAW_CAP (256 * 1024)

enum { ENC_NONE, ENC_UTF8BOM, ENC_UTF16LE, ENC_UTF16BE };

struct offmap {
    uint64_t dec, orig; /* decoded position of a line start and its original offset */
};

struct tl_stream {
    int fd;                 /* -1 for a source stream */
    tl_stream_source_fn src;
    void *src_ctx;
    tl_sha256 *hash;        /* NULL for a source stream */
    uint64_t raw_bytes;
    int raw_eof;
    unsigned char raw[RAW_CAP];
    size_t raw_pos, raw_len;

    int bytes_end;    /* no more bytes */
    uint64_t bytes_read;

    tl_ev_status status;
    char *message;

    /* probe/look-ahead: the first bytes, consumed before further reads */
    unsigned char *look;
    size_t look_pos, look_len;
    int probed, binary;

    int enc;
    unsigned char pend[4]; /* UTF-16: bytes of an incomplete code unit/pair */
    size_t npend;
    uint64_t orig_pos;     /* original offset of the next undecoded byte (UTF-16) */
    uint64_t out_pos;      /* decoded bytes delivered */
    unsigned char *tbuf;   /* transcoding output not yet delivered */
    size_t tbuf_pos, tbuf_len, tbuf_cap;
    struct offmap *map;    /* UTF-16 line starts pending lookup, increasing */
    size_t map_head, map_len, map_cap;
};

static void set_status(tl_stream *s, tl_ev_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_status(tl_stream *s, tl_ev_status st, const char *fmt, ...)
{
    if (s->status != TL_EV_OK) return; /* the first problem is the one that matters */
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->status = st;
    s->message = tl_xstrdup(msg);
}

/* Compacts and refills the raw buffer; returns bytes available. */
static size_t raw_fill(tl_stream *s)
{
    if (s->raw_pos > 0 && s->raw_pos < s->raw_len) {
        memmove(s->raw, s->raw + s->raw_pos, s->raw_len - s->raw_pos);
        s->raw_len -= s->raw_pos;
        s->raw_pos = 0;
    } else if (s->raw_pos >= s->raw_len) {
        s->raw_pos = s->raw_len = 0;
    }
    while (!s->raw_eof && s->raw_len < RAW_CAP) {
        ssize_t n = read(s->fd, s->raw + s->raw_len, RAW_CAP - s->raw_len);
        if (n < 0) {
            if (errno == EINTR) continue;
            set_status(s, TL_EV_UNREADABLE, "read error at byte %llu: %s",
                       (unsigned long long)s->raw_bytes, strerror(errno));
            s->raw_eof = 1;
            break;
        }
        if (n == 0) {
            s->raw_eof = 1;
            break;
        }
        tl_sha256_update(s->hash, s->raw + s->raw_len, (size_t)n);
        s->raw_bytes += (uint64_t)n;
        s->raw_len += (size_t)n;
        break; /* one read per call keeps latency low; callers loop */
    }
    return s->raw_len - s->raw_pos;
}

int tl_stream_open(tl_stream **out, const char *path, tl_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = open(path, O_RDONLY | O_CLOEXEC); /* not our file */
    if (fd < 0) return tl_error_set(err, TL_EIO, "%s", strerror(errno));
    tl_stream *s = tl_xcalloc(1, sizeof *s);
    s->fd = fd;
    s->hash = tl_sha256_new();
    s->status = TL_EV_OK;
    *out = s;
    return TL_OK;
}

static size_t read_bytes(tl_stream *s, unsigned char *buf, size_t cap)
{
    if (s->bytes_end || cap == 0) return 0;
    if (s->src) {
        size_t got = 0, n;
        while (got < cap && (n = s->src(s->src_ctx, buf + got, cap - got)) > 0) got += n;
        if (got == 0) s->bytes_end = 1;
        s->bytes_read += got;
        return got;
    }
    size_t got = 0;
    while (got < cap) {
        size_t avail = s->raw_len - s->raw_pos;
        if (!avail) {
            if (s->raw_eof) break;
            /* Large reads bypass the raw buffer. */
            if (cap - got >= RAW_CAP) {
                ssize_t n = read(s->fd, buf + got, cap - got);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) {
                    set_status(s, TL_EV_UNREADABLE, "read error at byte %llu: %s",
                               (unsigned long long)s->raw_bytes, strerror(errno));
                    s->raw_eof = 1;
                    break;
                }
                if (n == 0) {
                    s->raw_eof = 1;
                    break;
                }
                tl_sha256_update(s->hash, buf + got, (size_t)n);
                s->raw_bytes += (uint64_t)n;
                got += (size_t)n;
                continue;
            }
            if (!raw_fill(s)) continue;
            avail = s->raw_len - s->raw_pos;
        }
        size_t take = avail < cap - got ? avail : cap - got;
        memcpy(buf + got, s->raw + s->raw_pos, take);
        s->raw_pos += take;
        got += take;
    }
    if (got == 0) s->bytes_end = 1;
    s->bytes_read += got;
    return got;
}

/* Fills the look-ahead buffer: the first TL_BINARY_PROBE bytes. */
static void probe(tl_stream *s)
{
    if (s->probed) return;
    s->probed = 1;
    s->look = tl_xmalloc(TL_BINARY_PROBE);
    size_t n;
    while (s->look_len < TL_BINARY_PROBE &&
           (n = read_bytes(s, s->look + s->look_len, TL_BINARY_PROBE - s->look_len)) > 0)
        s->look_len += n;
    const unsigned char *p = s->look;
    if (s->look_len >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        s->enc = ENC_UTF16LE;
    } else if (s->look_len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        s->enc = ENC_UTF16BE;
    } else if (s->look_len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        s->enc = ENC_UTF8BOM;
    }
    if (s->enc == ENC_UTF16LE || s->enc == ENC_UTF16BE) {
        s->look_pos = 2; /* the BOM is not text */
        s->orig_pos = 2;
        return;
    }
    if (s->enc == ENC_UTF8BOM) s->look_pos = 3;
    s->binary = tl_stream_looks_binary(p, s->look_len);
}

int tl_stream_looks_binary(const unsigned char *p, size_t n)
{
    /* UTF-16 is text full of NULs: its BOM says so */
    if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) return 0;
    /* A share of NUL and other control bytes, not a single NUL (access logs carry a few from
     * logged binary requests). ESC is allowed: coloured console logs use it. */
    size_t ctrl = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' && c != 0x1b)
            ctrl++;
    }
    return n > 0 && ctrl * 10 > n;
}

const char *tl_stream_binary_log_format(const unsigned char *p, size_t n, const char *name)
{
    if (n >= 8 && memcmp(p, "ElfFile\0", 8) == 0) return "windows-evtx";
    if (n >= 8 && memcmp(p, "LPKSHHRH", 8) == 0) return "systemd-journal";
    /* utmp-style files have no magic: binary content under one of their names */
    if (!tl_stream_looks_binary(p, n)) return NULL;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    static const char *const utmp[] = {"wtmp", "btmp", "utmp", "lastlog"};
    for (size_t i = 0; i < 4; i++)
        if (strncmp(base, utmp[i], strlen(utmp[i])) == 0) return i == 3 ? "lastlog" : "utmp";
    return NULL;
}

tl_stream *tl_stream_open_source(tl_stream_source_fn read, void *ctx)
{
    tl_stream *s = tl_xcalloc(1, sizeof *s);
    s->fd = -1;
    s->src = read;
    s->src_ctx = ctx;
    s->raw_eof = 1;
    s->status = TL_EV_OK;
    return s;
}

int tl_stream_is_binary(tl_stream *s)
{
    probe(s);
    return s->binary;
}

/* The source's bytes, look-ahead first. */
static size_t src_read(tl_stream *s, unsigned char *buf, size_t cap)
{
    probe(s);
    if (s->look_pos < s->look_len) {
        size_t take = s->look_len - s->look_pos;
        if (take > cap) take = cap;
        memcpy(buf, s->look + s->look_pos, take);
        s->look_pos += take;
        return take;
    }
    return read_bytes(s, buf, cap);
}

static void map_push(tl_stream *s, uint64_t dec, uint64_t orig)
{
    if (s->map_head > 0 && s->map_head == s->map_len) s->map_head = s->map_len = 0;
    if (s->map_len == s->map_cap) {
        if (s->map_head > 0) {
            memmove(s->map, s->map + s->map_head, (s->map_len - s->map_head) * sizeof *s->map);
            s->map_len -= s->map_head;
            s->map_head = 0;
        }
        if (s->map_len == s->map_cap) {
            s->map_cap = s->map_cap ? s->map_cap * 2 : 1024;
            s->map = tl_xrealloc(s->map, s->map_cap * sizeof *s->map);
        }
    }
    s->map[s->map_len++] = (struct offmap){dec, orig};
}

static void tput(tl_stream *s, const unsigned char *b, size_t n)
{
    if (s->tbuf_len + n > s->tbuf_cap) {
        s->tbuf_cap = (s->tbuf_len + n) * 2;
        s->tbuf = tl_xrealloc(s->tbuf, s->tbuf_cap);
    }
    memcpy(s->tbuf + s->tbuf_len, b, n);
    s->tbuf_len += n;
}

static void put_cp(tl_stream *s, uint32_t cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6)), b[1] = (unsigned char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12)), b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | (cp >> 18)), b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    tput(s, b, n);
}

/* Transcodes UTF-16 input into tbuf; records each line start's original offset. */
static void utf16_step(tl_stream *s)
{
    unsigned char in[65536];
    memcpy(in, s->pend, s->npend);
    size_t n = s->npend + src_read(s, in + s->npend, sizeof in - s->npend);
    s->npend = 0;
    int le = s->enc == ENC_UTF16LE;
    size_t i = 0;
    while (i + 2 <= n) {
        uint32_t u = le ? (uint32_t)(in[i] | (in[i + 1] << 8)) : (uint32_t)((in[i] << 8) | in[i + 1]);
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 4 > n) break; /* wait for the low surrogate */
            uint32_t lo = le ? (uint32_t)(in[i + 2] | (in[i + 3] << 8))
                             : (uint32_t)((in[i + 2] << 8) | in[i + 3]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                put_cp(s, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i += 4;
                s->orig_pos += 4;
                continue;
            }
            put_cp(s, 0xFFFD);
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            put_cp(s, 0xFFFD);
        } else {
            put_cp(s, u);
        }
        i += 2;
        s->orig_pos += 2;
        if (u == '\n') map_push(s, s->out_pos + s->tbuf_len - s->tbuf_pos, s->orig_pos);
    }
    if (i < n) {
        if (n - i >= 4 || (s->bytes_end && s->look_pos >= s->look_len)) {
            /* odd trailing byte or lone high surrogate at the end */
            put_cp(s, 0xFFFD);
            s->orig_pos += n - i;
        } else {
            memcpy(s->pend, in + i, n - i);
            s->npend = n - i;
        }
    }
}

size_t tl_stream_read(tl_stream *s, char *buf, size_t cap)
{
    probe(s);
    if (s->enc != ENC_UTF16LE && s->enc != ENC_UTF16BE) {
        size_t got = 0, n;
        while (got < cap && (n = src_read(s, (unsigned char *)buf + got, cap - got)) > 0) got += n;
        s->out_pos += got;
        return got;
    }
    size_t got = 0;
    while (got < cap) {
        if (s->tbuf_pos == s->tbuf_len) {
            s->tbuf_pos = s->tbuf_len = 0;
            int ended = s->bytes_end && s->look_pos >= s->look_len;
            if (ended && s->npend == 0) break;
            utf16_step(s);
            if (s->tbuf_len == 0 && ended) break;
            continue;
        }
        size_t take = s->tbuf_len - s->tbuf_pos;
        if (take > cap - got) take = cap - got;
        memcpy(buf + got, s->tbuf + s->tbuf_pos, take);
        s->tbuf_pos += take;
        got += take;
        s->out_pos += take;
    }
    return got;
}

uint64_t tl_stream_orig_offset(tl_stream *s, uint64_t dec)
{
    if (s->enc == ENC_NONE) return dec;
    if (s->enc == ENC_UTF8BOM) return dec == 0 ? 0 : dec + 3;
    if (dec == 0) return 0; /* the first line starts at the BOM */
    while (s->map_head < s->map_len && s->map[s->map_head].dec < dec) s->map_head++;
    if (s->map_head < s->map_len && s->map[s->map_head].dec == dec) return s->map[s->map_head].orig;
    return dec; /* not a line start we saw: cannot happen for callers that follow the contract */
}

void tl_stream_close(tl_stream *s, tl_ev_status *status, char **message, char sha256[65],
                     char kind[16], uint64_t *decoded_bytes, uint64_t *raw_bytes)
{
    if (!s) return;
    /* Hash what was not read so the digest covers the whole file. */
    s->raw_pos = s->raw_len = 0;
    while (!s->raw_eof && s->fd >= 0) {
        ssize_t n = read(s->fd, s->raw, RAW_CAP);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            set_status(s, TL_EV_UNREADABLE, "read error while hashing: %s", strerror(errno));
            break;
        }
        if (n == 0) break;
        tl_sha256_update(s->hash, s->raw, (size_t)n);
        s->raw_bytes += (uint64_t)n;
    }
    if (sha256) {
        if (s->hash) tl_sha256_final_hex(s->hash, sha256);
        else sha256[0] = '\0';
    }
    if (kind) {
        const char *enc = s->enc == ENC_UTF16LE ? "utf-16le"
                          : s->enc == ENC_UTF16BE ? "utf-16be"
                          : s->enc == ENC_UTF8BOM ? "utf-8-bom"
                                                   : NULL;
        snprintf(kind, 16, "%s", enc ? enc : "text");
    }
    if (status) *status = s->status;
    if (message) *message = s->message ? s->message : NULL;
    else free(s->message);
    if (decoded_bytes) *decoded_bytes = s->out_pos;
    if (raw_bytes) *raw_bytes = s->raw_bytes;
    if (s->fd >= 0) close(s->fd);
    tl_sha256_free(s->hash);
    free(s->look);
    free(s->tbuf);
    free(s->map);
    free(s);
}
