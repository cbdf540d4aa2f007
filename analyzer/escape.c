/* Escaping of evidence bytes for outputs. Every writer goes through here so the `\xNN` rule
 * for control bytes and invalid UTF-8 is applied identically in JSONL, CSV, JSON and names. */
#include "timberline/escape.h"

#include <stdint.h>
#include <string.h>

static const char HEX[] = "0123456789ABCDEF";

size_t tl_utf8_seq_len(const unsigned char *s, size_t avail)
{
    if (avail == 0) return 0;
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    return n;
}

/* In JSON the backslash of `\xNN` is itself escaped, so the decoded string reads `\xNN`. */
static void put_hex(tl_buf *out, unsigned char c, int json)
{
    char e[5] = {'\\', '\\', 'x', HEX[c >> 4], HEX[c & 15]};
    if (json) tl_buf_append(out, e, 5);
    else tl_buf_append(out, e + 1, 4);
}

/* Length of the leading run of bytes that every mode copies unchanged: printable ASCII other
 * than `\\` and `"` (and `!` when `bang`). Eight bytes at a time, since evidence lines are
 * mostly such runs and this loop is the report writers' hot spot. */
static size_t plain_run(const unsigned char *p, size_t len, int bang)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        /* a byte is "special" when < 0x20, >= 0x7F, '\\', '"' or (bang) '!'; the
         * has-zero-byte trick flags them exactly when no byte has its high bit set */
        uint64_t lt20 = (x - ones * 0x20) & ~x;
        uint64_t ge7f = (x + ones * 0x01) | x; /* high bit set for 0x7F..0xFF */
        uint64_t bs = x ^ (ones * 0x5C), qu = x ^ (ones * 0x22), ex = x ^ (ones * 0x21);
        uint64_t hit = lt20 | ge7f | ((bs - ones) & ~bs) | ((qu - ones) & ~qu);
        if (bang) hit |= (ex - ones) & ~ex;
        if (hit & high) break;
    }
    while (i < len && p[i] >= 0x20 && p[i] < 0x7F && p[i] != '\\' && p[i] != '"' &&
           !(bang && p[i] == '!'))
        i++;
    return i;
}

/* mode: 0 text, 1 text+bang, 2 json body */
static void escape_common(tl_buf *out, const char *s, size_t len, int mode)
{
    const unsigned char *p = (const unsigned char *)s;
    tl_buf_reserve(out, len + 8);
    size_t i = 0;
    while (i < len) {
        /* Copy the longest run of plain printable ASCII in one go: the common case. */
        size_t j = i + plain_run(p + i, len - i, mode == 1);
        if (j > i) {
            tl_buf_append(out, p + i, j - i);
            i = j;
            if (i >= len) break;
        }
        unsigned char c = p[i];
        if (c == '\\') {
            if (mode == 1) put_hex(out, c, mode == 2);
            else if (mode == 2) tl_buf_append(out, "\\\\", 2);
            else tl_buf_putc(out, '\\');
            i++;
        } else if (c == '"') {
            if (mode == 2) tl_buf_append(out, "\\\"", 2);
            else tl_buf_putc(out, '"');
            i++;
        } else if (c == '!') {
            put_hex(out, c, mode == 2);
            i++;
        } else if (c == '\t') {
            if (mode == 2) tl_buf_append(out, "\\t", 2);
            else tl_buf_putc(out, '\t');
            i++;
        } else if (c == 0x7F) {
            tl_buf_putc(out, (char)c);
            i++;
        } else if (c < 0x20) {
            put_hex(out, c, mode == 2);
            i++;
        } else {
            size_t n = tl_utf8_seq_len(p + i, len - i);
            if (n == 0) {
                put_hex(out, c, mode == 2);
                i++;
            } else {
                tl_buf_append(out, p + i, n);
                i += n;
            }
        }
    }
}

void tl_escape_text(tl_buf *out, const char *s, size_t len, int escape_bang)
{
    escape_common(out, s, len, escape_bang ? 1 : 0);
}

void tl_escape_json(tl_buf *out, const char *s, size_t len)
{
    escape_common(out, s, len, 2);
}

void tl_escape_json_str(tl_buf *out, const char *s, size_t len)
{
    tl_buf_putc(out, '"');
    escape_common(out, s, len, 2);
    tl_buf_putc(out, '"');
}

void tl_escape_csv(tl_buf *out, const char *s, size_t len, int formula_guard)
{
    /* escape straight into `out`, then quote that tail in place if it needs it; control
     * bytes (CR, LF) are already \xNN by then, so only `,` and `"` call for quotes */
    size_t start = out->len;
    if (formula_guard && len > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@'))
        tl_buf_putc(out, '\'');
    escape_common(out, s, len, 0);
    size_t n = out->len - start, quotes = 0;
    int need = 0;
    for (size_t i = start; i < out->len; i++) {
        char c = out->data[i];
        if (c == '"') quotes++, need = 1;
        else if (c == ',' || c == '\n' || c == '\r') need = 1;
    }
    if (!need) return;
    tl_buf_reserve(out, quotes + 2);
    char *d = out->data + start;
    /* fill from the back so nothing is overwritten before it is moved */
    size_t w = n + quotes + 2;
    d[--w] = '"';
    for (size_t r = n; r-- > 0;) {
        d[--w] = d[r];
        if (d[r] == '"') d[--w] = '"';
    }
    d[--w] = '"';
    out->len = start + n + quotes + 2;
    out->data[out->len] = '\0';
}
