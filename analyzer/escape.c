/* Escaping of evidence bytes for outputs. Every writer goes through here so the `\xNN` rule
 * for control bytes and invalid UTF-8 is applied identically in JSONL, CSV, JSON and names. */
#include "timberline/escape.h"

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

/* mode: 0 text, 1 text+bang, 2 json body */
static void escape_common(tl_buf *out, const char *s, size_t len, int mode)
{
    const unsigned char *p = (const unsigned char *)s;
    tl_buf_reserve(out, len + 8);
    size_t i = 0;
    while (i < len) {
        /* Copy the longest run of plain printable ASCII in one go: the common case. */
        size_t j = i;
        while (j < len && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '\\' && p[j] != '"' &&
               !(mode == 1 && p[j] == '!'))
            j++;
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
    tl_buf tmp = TL_BUF_INIT;
    if (formula_guard && len > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@'))
        tl_buf_putc(&tmp, '\'');
    escape_common(&tmp, s, len, 0);
    int quote = tmp.len > 0 && (memchr(tmp.data, ',', tmp.len) || memchr(tmp.data, '"', tmp.len) ||
                                memchr(tmp.data, '\n', tmp.len) || memchr(tmp.data, '\r', tmp.len));
    if (!quote) {
        tl_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
    } else {
        tl_buf_putc(out, '"');
        for (size_t i = 0; i < tmp.len; i++) {
            if (tmp.data[i] == '"') tl_buf_putc(out, '"');
            tl_buf_putc(out, tmp.data[i]);
        }
        tl_buf_putc(out, '"');
    }
    tl_buf_free(&tmp);
}
