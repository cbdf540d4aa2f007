/* Stream reader: yields the text of a plain evidence file (read-only, hashed while read) or of
 * an archive member fed by the unpack worker, with UTF-16 (BOM) transcoded to UTF-8, and
 * judges binary content. Compressed data never comes here: the isolated worker decodes it. */
#ifndef TIMBERLINE_STREAM_H
#define TIMBERLINE_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "timberline/error.h"
#include "timberline/evidence.h"

typedef struct tl_stream tl_stream;

/* How many bytes at the start decide "binary": share of NUL/control bytes over 10%. */
#define TL_BINARY_PROBE (64 * 1024)

/* Opens `path` read-only (O_NOATIME where permitted). Returns TL_EIO with a message when it
 * cannot be opened. *out is owned by the caller (tl_stream_close). */
int tl_stream_open(tl_stream **out, const char *path, tl_error *err);

/* A stream over bytes that arrive from elsewhere (an archive member streamed by the unpack
 * worker): `read` fills up to cap bytes and returns 0 at the end. No hashing (the worker
 * hashes members) and no decompression; UTF-16 transcoding and the binary probe still apply.
 * `ctx` must outlive every tl_stream_read; tl_stream_close never calls `read`. */
typedef size_t (*tl_stream_source_fn)(void *ctx, void *buf, size_t cap);
tl_stream *tl_stream_open_source(tl_stream_source_fn read, void *ctx);

/* Reads up to `cap` decoded bytes into buf. Returns the count, 0 at the end of the text (also
 * after damage: see tl_stream_status). */
size_t tl_stream_read(tl_stream *s, char *buf, size_t cap);

/* Before the first read: 1 when the first TL_BINARY_PROBE decoded bytes look binary. */
int tl_stream_is_binary(tl_stream *s);

/* The one rule for "binary": over 10% NUL/control bytes (TAB, CR, LF, FF, VT, ESC excepted)
 * in the bytes given (the first TL_BINARY_PROBE of a stream); a UTF-16 BOM means text. */
int tl_stream_looks_binary(const unsigned char *p, size_t n);

/* A known binary log format we do not read yet ("windows-evtx", "systemd-journal", "utmp",
 * "lastlog") from the first bytes and the name (utmp files have no magic), or NULL. */
const char *tl_stream_binary_log_format(const unsigned char *p, size_t n, const char *name);

/* Original (pre-transcoding, post-decompression) offset of the decoded byte at `decoded_pos`,
 * which must be the start of a line and not before the last position asked for. Identity
 * when not transcoded. */
uint64_t tl_stream_orig_offset(tl_stream *s, uint64_t decoded_pos);

/* Drains any unread raw bytes into the hash and finishes: fills status (TL_EV_OK or
 * TL_EV_UNREADABLE), an allocated message (or NULL), the raw SHA-256 ("" for a worker-fed
 * stream), kind ("text", "utf-16le", "utf-16be", "utf-8-bom") and decoded byte count.
 * Then frees the stream. NULL is a no-op. */
void tl_stream_close(tl_stream *s, tl_ev_status *status, char **message, char sha256[65],
                     char kind[16], uint64_t *decoded_bytes, uint64_t *raw_bytes);

#endif
