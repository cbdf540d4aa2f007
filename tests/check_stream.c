/* Unit tests for the stream module: plain input (gzip is the unpack worker's), reporting that
 * keeps the data read before it, UTF-16/UTF-8 BOM transcoding with original line offsets,
 * binary detection and the raw-file SHA-256. Gzip data is made with zlib here; digests are
 * checked against OpenSSL directly or against published test vectors. */
#include <check.h>

#include "testutil.h"
#include <ftw.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "timberline/stream.h"

static char tmpdir[64];

static const char *path_of(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static const char *put(const char *name, const void *data, size_t len)
{
    const char *p = path_of(name);
    FILE *f = fopen(p, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", p);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return p;
}

/* Gzip member of data (zlib, gzip wrapper). Caller frees. */
static unsigned char *gz(const void *data, size_t len, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *outlen = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static void sha_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    ck_assert_int_eq(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
    ck_assert_uint_eq(n, 32);
    for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", md[i]);
}

/* Deterministic log-like text of about `len` bytes with varied content (so it compresses
 * only moderately). Caller frees. */
static char *log_text(size_t len, unsigned seed)
{
    char *t = malloc(len + 1);
    ck_assert_ptr_nonnull(t);
    size_t n = 0;
    while (n < len) {
        char line[128];
        int k = snprintf(line, sizeof line, "%08u host sshd[%u]: token=%08x%08x ok\n", (unsigned)n,
                         (unsigned)rand_r(&seed) % 65536, (unsigned)rand_r(&seed),
                         (unsigned)rand_r(&seed));
        size_t take = (size_t)k < len - n ? (size_t)k : len - n;
        memcpy(t + n, line, take);
        n += take;
    }
    t[len] = '\0';
    return t;
}

static tl_stream *open_ok(const char *path)
{
    tl_stream *s = NULL;
    tl_error err = {0};
    int rc = tl_stream_open(&s, path, &err);
    ck_assert_msg(rc == 0, "open %s: %s", path, err.msg);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* Reads the whole decoded text in `chunk`-byte reads. Caller frees. */
static char *read_all(tl_stream *s, size_t chunk, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        if (cap - n < chunk) buf = realloc(buf, cap *= 2);
        size_t got = tl_stream_read(s, buf + n, chunk);
        ck_assert_uint_le(got, chunk);
        if (got == 0) break;
        n += got;
    }
    ck_assert_uint_eq(tl_stream_read(s, buf, chunk), 0); /* stays at the end */
    *len = n;
    return buf;
}

struct closed {
    tl_ev_status status;
    char *message;
    char sha[65];
    char kind[16];
    uint64_t decoded, raw;
};

static struct closed close_stream(tl_stream *s)
{
    struct closed c;
    memset(&c, 0, sizeof c);
    tl_stream_close(s, &c.status, &c.message, c.sha, c.kind, &c.decoded, &c.raw);
    return c;
}

/* ---- core ---- */

START_TEST(test_plain_file)
{
    static const char text[] = "first line\nsecond\r\nthird without newline";
    const char *p = put("plain.log", text, sizeof text - 1);
    tl_stream *s = open_ok(p);
    ck_assert_int_eq(tl_stream_is_binary(s), 0);
    size_t n = 0;
    char *got = read_all(s, 3, &n); /* tiny reads */
    ck_assert_uint_eq(n, sizeof text - 1);
    ck_assert_mem_eq(got, text, n);
    ck_assert_uint_eq(tl_stream_orig_offset(s, 0), 0);
    ck_assert_uint_eq(tl_stream_orig_offset(s, 11), 11); /* identity when not transcoded */
    struct closed c = close_stream(s);
    ck_assert_int_eq(c.status, TL_EV_OK);
    ck_assert_ptr_null(c.message);
    ck_assert_str_eq(c.kind, "text");
    ck_assert_uint_eq(c.decoded, n);
    ck_assert_uint_eq(c.raw, n);
    char want[65];
    sha_hex(text, sizeof text - 1, want);
    ck_assert_str_eq(c.sha, want);
    free(got);
}
END_TEST

START_TEST(test_known_digest_abc)
{
    tl_stream *s = open_ok(put("abc.txt", "abc", 3));
    char buf[8];
    ck_assert_uint_eq(tl_stream_read(s, buf, sizeof buf), 3);
    struct closed c = close_stream(s);
    /* FIPS 180-2 test vector. */
    ck_assert_str_eq(c.sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert_int_eq(c.status, TL_EV_OK);
}
END_TEST

/* UTF-16 encoder for the tests: code points to bytes, with or without a BOM. */
static size_t utf16(const uint32_t *cps, size_t n, int le, int bom, unsigned char *out)
{
    size_t k = 0;
#define PUT16(u)                                                                               \
    do {                                                                                       \
        unsigned v_ = (u);                                                                     \
        out[k++] = (unsigned char)(le ? v_ & 0xFF : v_ >> 8);                                  \
        out[k++] = (unsigned char)(le ? v_ >> 8 : v_ & 0xFF);                                  \
    } while (0)
    if (bom) PUT16(0xFEFF);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cps[i];
        if (c >= 0x10000) {
            c -= 0x10000;
            PUT16(0xD800 + (c >> 10));
            PUT16(0xDC00 + (c & 0x3FF));
        } else {
            PUT16(c);
        }
    }
#undef PUT16
    return k;
}

/* "héllo\nA😀B\r\nend": line starts at decoded 0, 7, 15; original 0 (BOM), 14, 26. */
static const uint32_t SAMPLE[] = {'h', 0xE9, 'l', 'l', 'o', '\n', 'A', 0x1F600, 'B', '\r', '\n',
                                  'e', 'n', 'd'};
static const char SAMPLE_UTF8[] = "h\xc3\xa9llo\nA\xf0\x9f\x98\x80" "B\r\nend";

static void check_utf16_sample(const char *name, int le, const char *kind)
{
    unsigned char raw[128];
    size_t rlen = utf16(SAMPLE, sizeof SAMPLE / sizeof SAMPLE[0], le, 1, raw);
    tl_stream *s = open_ok(put(name, raw, rlen));
    ck_assert_int_eq(tl_stream_is_binary(s), 0); /* half NULs, but it is text */
    size_t n = 0;
    char *got = read_all(s, 5, &n);
    ck_assert_uint_eq(n, sizeof SAMPLE_UTF8 - 1);
    ck_assert_mem_eq(got, SAMPLE_UTF8, n);
    ck_assert_uint_eq(tl_stream_orig_offset(s, 0), 0);
    ck_assert_uint_eq(tl_stream_orig_offset(s, 7), 14);
    ck_assert_uint_eq(tl_stream_orig_offset(s, 15), 26);
    struct closed c = close_stream(s);
    ck_assert_int_eq(c.status, TL_EV_OK);
    ck_assert_str_eq(c.kind, kind);
    ck_assert_uint_eq(c.decoded, n);
    ck_assert_uint_eq(c.raw, rlen);
    free(got);
}

START_TEST(test_utf16le_bom)
{
    check_utf16_sample("le.log", 1, "utf-16le");
}
END_TEST

START_TEST(test_utf16be_bom)
{
    check_utf16_sample("be.log", 0, "utf-16be");
}
END_TEST

START_TEST(test_utf8_bom)
{
    static const char raw[] = "\xEF\xBB\xBFline one\nline two\n";
    tl_stream *s = open_ok(put("bom8.log", raw, sizeof raw - 1));
    ck_assert_int_eq(tl_stream_is_binary(s), 0);
    size_t n = 0;
    char *got = read_all(s, 4, &n);
    ck_assert_uint_eq(n, 18);
    ck_assert_mem_eq(got, "line one\nline two\n", 18);
    ck_assert_uint_eq(tl_stream_orig_offset(s, 0), 0);
    ck_assert_uint_eq(tl_stream_orig_offset(s, 9), 12);
    struct closed c = close_stream(s);
    ck_assert_str_eq(c.kind, "utf-8-bom");
    ck_assert_uint_eq(c.decoded, 18);
    ck_assert_uint_eq(c.raw, sizeof raw - 1);
    free(got);
}
END_TEST

/* Builds `len` bytes of text with `nctrl` control bytes spread through it, and returns
 * whether the stream calls it binary. */
static int binary_verdict(const char *name, size_t len, size_t nctrl, unsigned char ctrl)
{
    char *t = log_text(len, 3);
    for (size_t i = 0; i < nctrl; i++) t[(i * len) / nctrl] = (char)ctrl;
    tl_stream *s = open_ok(put(name, t, len));
    int bin = tl_stream_is_binary(s);
    /* The probe does not consume anything: every byte is still read. */
    size_t n = 0;
    char *got = read_all(s, 7000, &n);
    ck_assert_uint_eq(n, len);
    ck_assert_mem_eq(got, t, len);
    close_stream(s);
    free(got);
    free(t);
    return bin;
}

START_TEST(test_binary_detection)
{
    ck_assert_int_eq(binary_verdict("clean.log", 5000, 0, 0), 0);
    ck_assert_int_eq(binary_verdict("fewnul.log", 5000, 3, 0), 0);   /* a few NULs */
    ck_assert_int_eq(binary_verdict("ten.log", 1000, 100, 0), 0);    /* exactly 10% */
    ck_assert_int_eq(binary_verdict("eleven.log", 1000, 101, 0), 1); /* over 10% */
    ck_assert_int_eq(binary_verdict("ctl.bin", 1000, 200, 0x01), 1);
    ck_assert_int_eq(binary_verdict("esc.log", 1000, 300, 0x1b), 0); /* colour codes */
    ck_assert_int_eq(binary_verdict("ff.log", 1000, 300, '\f'), 0);
    /* Bytes >= 0x80 are not control bytes. */
    ck_assert_int_eq(binary_verdict("high.log", 1000, 500, 0xC3), 0);
}
END_TEST

START_TEST(test_gzip_bytes_are_not_text_and_empty)
{
    /* Compressed data is the unpack worker's job: here its bytes are just binary. */
    unsigned char bin[4096];
    unsigned seed = 11;
    for (size_t i = 0; i < sizeof bin; i++) bin[i] = (unsigned char)rand_r(&seed);
    size_t glen = 0;
    unsigned char *g = gz(bin, sizeof bin, &glen);
    tl_stream *s = open_ok(put("blob.gz", g, glen));
    ck_assert_int_eq(tl_stream_is_binary(s), 1);
    struct closed c0 = close_stream(s);
    ck_assert_str_eq(c0.kind, "text");
    free(g);

    s = open_ok(put("empty.log", "", 0));
    ck_assert_int_eq(tl_stream_is_binary(s), 0);
    char buf[16];
    ck_assert_uint_eq(tl_stream_read(s, buf, sizeof buf), 0);
    struct closed c = close_stream(s);
    ck_assert_int_eq(c.status, TL_EV_OK);
    ck_assert_str_eq(c.kind, "text");
    ck_assert_uint_eq(c.raw, 0);
    ck_assert_str_eq(c.sha, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

/* ---- limits ---- */

START_TEST(test_sha256_when_not_fully_read)
{
    /* One million 'a' (FIPS 180-2 vector), far more than one raw buffer. */
    size_t len = 1000000;
    char *a = malloc(len);
    memset(a, 'a', len);
    const char *p = put("million.log", a, len);
    static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

    tl_stream *s = open_ok(p); /* never read */
    struct closed c = close_stream(s);
    ck_assert_str_eq(c.sha, want);
    ck_assert_uint_eq(c.raw, len);
    ck_assert_uint_eq(c.decoded, 0);

    s = open_ok(p);
    char buf[100];
    ck_assert_uint_eq(tl_stream_read(s, buf, sizeof buf), 100);
    c = close_stream(s);
    ck_assert_str_eq(c.sha, want);
    ck_assert_uint_eq(c.raw, len);
    ck_assert_uint_eq(c.decoded, 100);

    /* One big read past the raw buffer size, then stop. */
    s = open_ok(p);
    char *big = malloc(600000);
    ck_assert_uint_eq(tl_stream_read(s, big, 600000), 600000);
    c = close_stream(s);
    ck_assert_str_eq(c.sha, want);
    free(big);
    free(a);
}
END_TEST

START_TEST(test_utf16_many_lines_offsets)
{
    /* 6000 lines mixing 1-, 2-, 3- and 4-byte UTF-8 results; read in odd-sized pieces and ask
     * for each line start's original offset as the lines arrive, as the scanner does. */
    size_t nlines = 6000, ncp = 0, cap = nlines * 16;
    uint32_t *cps = malloc(cap * sizeof *cps);
    uint64_t *orig = malloc((nlines + 1) * sizeof *orig); /* expected original line starts */
    uint64_t o = 2;                                       /* after the BOM */
    orig[0] = 0;
    for (size_t i = 0; i < nlines; i++) {
        static const uint32_t pool[] = {'x', 0xE9, 0x20AC, 0x1F600, '7'};
        size_t len = i % 9;
        for (size_t k = 0; k < len; k++) {
            uint32_t c = pool[(i + k) % 5];
            cps[ncp++] = c;
            o += c >= 0x10000 ? 4 : 2;
        }
        cps[ncp++] = '\n';
        o += 2;
        orig[i + 1] = o;
    }
    unsigned char *raw = malloc(ncp * 4 + 2);
    size_t rlen = utf16(cps, ncp, 1, 1, raw);
    ck_assert_uint_eq(rlen, o);
    tl_stream *s = open_ok(put("many16.log", raw, rlen));
    char *dec = malloc(ncp * 4 + 1);
    size_t n = 0, line = 1, got;
    while ((got = tl_stream_read(s, dec + n, 777)) > 0) {
        for (size_t i = n; i < n + got; i++) {
            if (dec[i] != '\n') continue;
            ck_assert_msg(tl_stream_orig_offset(s, i + 1) == orig[line],
                          "line %zu starts at decoded %zu: orig %llu, want %llu", line, i + 1,
                          (unsigned long long)tl_stream_orig_offset(s, i + 1),
                          (unsigned long long)orig[line]);
            line++;
        }
        n += got;
    }
    ck_assert_uint_eq(line, nlines + 1);
    struct closed c = close_stream(s);
    ck_assert_int_eq(c.status, TL_EV_OK);
    ck_assert_uint_eq(c.decoded, n);
    free(dec);
    free(raw);
    free(orig);
    free(cps);
}
END_TEST

START_TEST(test_utf16_pair_across_probe_boundary)
{
    /* The look-ahead probe holds 64 KiB; put a surrogate pair's high half in its last two
     * bytes and the low half right after, then an emoji at every odd alignment nearby. */
    size_t units = (TL_BINARY_PROBE - 2) / 2 - 1; /* ASCII units before the pair */
    size_t ncp = units + 64;
    uint32_t *cps = malloc(ncp * sizeof *cps);
    size_t k = 0;
    for (size_t i = 0; i < units; i++) cps[k++] = (i % 80 == 79) ? '\n' : 'a' + (uint32_t)(i % 26);
    cps[k++] = 0x1F600;
    cps[k++] = '\n';
    for (int i = 0; i < 20; i++) cps[k++] = (i % 3 == 0) ? 0x10348 : 'z';
    cps[k++] = '\n';
    unsigned char *raw = malloc(k * 4 + 2);
    size_t rlen = utf16(cps, k, 0, 1, raw); /* big-endian this time */
    ck_assert_uint_eq(raw[TL_BINARY_PROBE - 2], 0xD8); /* the high surrogate straddles */
    tl_stream *s = open_ok(put("pair.log", raw, rlen));
    size_t n = 0;
    char *got = read_all(s, 1 << 20, &n);
    /* Expected UTF-8. */
    char *want = malloc(k * 4);
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        uint32_t c = cps[i];
        if (c < 0x80) want[w++] = (char)c;
        else {
            want[w++] = (char)(0xF0 | (c >> 18));
            want[w++] = (char)(0x80 | ((c >> 12) & 0x3F));
            want[w++] = (char)(0x80 | ((c >> 6) & 0x3F));
            want[w++] = (char)(0x80 | (c & 0x3F));
        }
    }
    ck_assert_uint_eq(n, w);
    ck_assert_mem_eq(got, want, n);
    ck_assert_ptr_null(memmem(got, n, "\xef\xbf\xbd", 3)); /* no U+FFFD anywhere */
    struct closed c = close_stream(s);
    ck_assert_int_eq(c.status, TL_EV_OK);
    ck_assert_str_eq(c.kind, "utf-16be");
    free(want);
    free(got);
    free(raw);
    free(cps);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_utf16_bad_units)
{
    /* Lone low surrogate mid-text, lone high surrogate before a normal unit, and an odd
     * trailing byte: each becomes U+FFFD, the text around them survives. */
    static const unsigned char raw[] = {0xFF, 0xFE, 'a', 0, 0x00, 0xDC, 'b', 0, 0x00, 0xD8,
                                        'c',  0,    '\n', 0, 'd', 0, 0x41};
    tl_stream *s = open_ok(put("bad16.log", raw, sizeof raw));
    size_t n = 0;
    char *got = read_all(s, 64, &n);
    static const char want[] = "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\nd\xef\xbf\xbd";
    ck_assert_uint_eq(n, sizeof want - 1);
    ck_assert_mem_eq(got, want, n);
    ck_assert_uint_eq(tl_stream_orig_offset(s, 10), 14);
    struct closed c = close_stream(s);
    ck_assert_str_eq(c.kind, "utf-16le");
    free(got);
}
END_TEST

START_TEST(test_open_errors)
{
    tl_stream *s = (tl_stream *)&s;
    tl_error err = {0};
    ck_assert_int_eq(tl_stream_open(&s, path_of("no-such-file.log"), &err), TL_EIO);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(err.code, TL_EIO);
    ck_assert_msg(err.msg[0] != '\0', "empty message");
    tl_stream_close(NULL, NULL, NULL, NULL, NULL, NULL, NULL); /* no-op */

    /* A directory opens on Linux but cannot be read: reported at close, not a crash. */
    ck_assert_int_eq(mkdir(path_of("adir"), 0700), 0);
    tl_error_clear(&err);
    int rc = tl_stream_open(&s, path_of("adir"), &err);
    if (rc == 0) {
        char buf[16];
        ck_assert_uint_eq(tl_stream_read(s, buf, sizeof buf), 0);
        struct closed c = close_stream(s);
        ck_assert_int_eq(c.status, TL_EV_UNREADABLE);
        ck_assert_ptr_nonnull(c.message);
        free(c.message);
    } else {
        ck_assert_int_eq(rc, TL_EIO);
    }
}
END_TEST

static Suite *stream_suite(void)
{
    Suite *s = suite_create("stream");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_plain_file);
    tcase_add_test(core, test_known_digest_abc);
    tcase_add_test(core, test_utf16le_bom);
    tcase_add_test(core, test_utf16be_bom);
    tcase_add_test(core, test_utf8_bom);
    tcase_add_test(core, test_binary_detection);
    tcase_add_test(core, test_gzip_bytes_are_not_text_and_empty);
    tcase_set_timeout(core, 30);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_sha256_when_not_fully_read);
    tcase_add_test(limits, test_utf16_many_lines_offsets);
    tcase_add_test(limits, test_utf16_pair_across_probe_boundary);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);

    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_utf16_bad_units);
    tcase_add_test(errors, test_open_errors);
    tcase_set_timeout(errors, 30);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    return tl_test_main(stream_suite(), tmpdir, sizeof tmpdir, "stream");
}
