/* Unit tests for the escape and buf modules: the one `\xNN` rule for control bytes and invalid
 * UTF-8 in text, JSON and CSV output, UTF-8 validation edges, and buffer growth/ownership. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timberline/buf.h"
#include "timberline/escape.h"

/* Escapes `len` bytes with the given writer into a fresh buffer and compares the result with
 * `want` (NUL-terminated). */
enum { TEXT, TEXT_BANG, JSON, JSON_STR, CSV, CSV_GUARD };

static void expect_esc(int how, const char *in, size_t len, const char *want)
{
    tl_buf b = TL_BUF_INIT;
    switch (how) {
    case TEXT: tl_escape_text(&b, in, len, 0); break;
    case TEXT_BANG: tl_escape_text(&b, in, len, 1); break;
    case JSON: tl_escape_json(&b, in, len); break;
    case JSON_STR: tl_escape_json_str(&b, in, len); break;
    case CSV: tl_escape_csv(&b, in, len, 0); break;
    case CSV_GUARD: tl_escape_csv(&b, in, len, 1); break;
    }
    const char *got = b.data ? b.data : "";
    ck_assert_msg(b.len == strlen(want) && memcmp(got, want, b.len) == 0,
                  "writer %d: got '%s' (%zu bytes), want '%s'", how, got, b.len, want);
    if (b.data) ck_assert_int_eq(b.data[b.len], '\0');
    tl_buf_free(&b);
}

#define ESC(how, lit, want) expect_esc(how, lit, sizeof(lit) - 1, want)

static size_t seq(const char *bytes, size_t avail)
{
    return tl_utf8_seq_len((const unsigned char *)bytes, avail);
}

/* ---- buf: core ---- */

START_TEST(test_buf_append_puts_putc)
{
    tl_buf b = TL_BUF_INIT;
    tl_buf_append(&b, "ab", 2);
    tl_buf_puts(&b, "cd");
    tl_buf_putc(&b, 'e');
    tl_buf_append(&b, "\0f", 2); /* embedded NUL is data, not a terminator */
    ck_assert_uint_eq(b.len, 7);
    ck_assert_mem_eq(b.data, "abcde\0f", 7);
    ck_assert_int_eq(b.data[7], '\0');
    ck_assert_uint_ge(b.cap, b.len + 1);
    tl_buf_free(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_buf_printf)
{
    tl_buf b = TL_BUF_INIT;
    tl_buf_printf(&b, "%s=%d;", "n", 42);
    ck_assert_str_eq(b.data, "n=42;");
    /* Longer than the 256-byte fast path: formatted straight into the buffer. */
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tl_buf_printf(&b, "[%s]%05d", big, 7);
    ck_assert_uint_eq(b.len, 5 + 1 + 999 + 1 + 5);
    ck_assert_int_eq(b.data[5], '[');
    ck_assert_int_eq(b.data[5 + 1 + 998], 'x');
    ck_assert_str_eq(b.data + 5 + 1 + 999, "]00007");
    ck_assert_uint_eq(strlen(b.data), b.len);
    tl_buf_free(&b);
}
END_TEST

START_TEST(test_buf_reset_keeps_memory)
{
    tl_buf b = TL_BUF_INIT;
    tl_buf_puts(&b, "hello world");
    char *data = b.data;
    size_t cap = b.cap;
    tl_buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_ptr_eq(b.data, data);
    ck_assert_uint_eq(b.cap, cap);
    ck_assert_str_eq(b.data, "");
    tl_buf_puts(&b, "x");
    ck_assert_str_eq(b.data, "x");
    tl_buf_free(&b);
    /* A freed buffer is reusable. */
    tl_buf_puts(&b, "again");
    ck_assert_str_eq(b.data, "again");
    tl_buf_free(&b);
    /* Resetting a never-used buffer is harmless. */
    tl_buf_reset(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_buf_steal)
{
    tl_buf b = TL_BUF_INIT;
    tl_buf_puts(&b, "owned");
    size_t len = 0;
    char *p = tl_buf_steal(&b, &len);
    ck_assert_str_eq(p, "owned");
    ck_assert_uint_eq(len, 5);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    free(p);
    /* Stealing from an empty buffer still gives a (empty) string, never NULL. */
    p = tl_buf_steal(&b, &len);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p, "");
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_null(b.data);
    free(p);
    p = tl_buf_steal(&b, NULL); /* len may be NULL */
    ck_assert_ptr_nonnull(p);
    free(p);
}
END_TEST

/* ---- buf: limits ---- */

START_TEST(test_buf_growth)
{
    tl_buf b = TL_BUF_INIT;
    /* 1 MiB in odd-sized pieces: every doubling step is crossed, content stays intact. */
    size_t total = 0;
    unsigned char piece[37];
    while (total < (1u << 20)) {
        for (size_t i = 0; i < sizeof piece; i++) piece[i] = (unsigned char)(total + i);
        tl_buf_append(&b, piece, sizeof piece);
        total += sizeof piece;
        ck_assert_uint_eq(b.len, total);
        ck_assert_uint_gt(b.cap, b.len);
    }
    for (size_t i = 0; i < total; i++)
        ck_assert_msg((unsigned char)b.data[i] == (unsigned char)i, "byte %zu", i);
    ck_assert_int_eq(b.data[total], '\0');
    size_t cap = b.cap;
    tl_buf_reserve(&b, 0);
    ck_assert_uint_eq(b.cap, cap); /* enough room already: no reallocation */
    tl_buf_reserve(&b, cap);
    ck_assert_uint_ge(b.cap, b.len + cap + 1);
    ck_assert_uint_eq(b.len, total); /* reserve never changes the content */
    tl_buf_free(&b);
}
END_TEST

START_TEST(test_buf_zero_length_append)
{
    tl_buf b = TL_BUF_INIT;
    tl_buf_append(&b, "", 0);
    ck_assert_ptr_nonnull(b.data); /* "always NUL-terminated when non-NULL" */
    ck_assert_uint_eq(b.len, 0);
    ck_assert_str_eq(b.data, "");
    tl_buf_printf(&b, "%s", "");
    ck_assert_uint_eq(b.len, 0);
    tl_buf_free(&b);
}
END_TEST

/* ---- UTF-8 validation ---- */

START_TEST(test_utf8_valid_lengths)
{
    ck_assert_uint_eq(seq("A", 1), 1);
    ck_assert_uint_eq(seq("\x7f", 1), 1);
    ck_assert_uint_eq(seq("\xc2\x80", 2), 2);         /* U+0080, smallest 2-byte */
    ck_assert_uint_eq(seq("\xc3\xa9", 2), 2);         /* é */
    ck_assert_uint_eq(seq("\xdf\xbf", 2), 2);         /* U+07FF */
    ck_assert_uint_eq(seq("\xe0\xa0\x80", 3), 3);     /* U+0800, smallest 3-byte */
    ck_assert_uint_eq(seq("\xe2\x82\xac", 3), 3);     /* € */
    ck_assert_uint_eq(seq("\xed\x9f\xbf", 3), 3);     /* U+D7FF, just below surrogates */
    ck_assert_uint_eq(seq("\xee\x80\x80", 3), 3);     /* U+E000, just above */
    ck_assert_uint_eq(seq("\xef\xbf\xbf", 3), 3);     /* U+FFFF */
    ck_assert_uint_eq(seq("\xf0\x90\x80\x80", 4), 4); /* U+10000 */
    ck_assert_uint_eq(seq("\xf0\x9f\x98\x80", 4), 4); /* 😀 */
    ck_assert_uint_eq(seq("\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
    /* Only the first sequence counts when more bytes follow. */
    ck_assert_uint_eq(seq("\xc3\xa9zz", 4), 2);
}
END_TEST

START_TEST(test_utf8_invalid)
{
    ck_assert_uint_eq(seq("", 0), 0);
    ck_assert_uint_eq(seq("\x80", 1), 0);             /* lone continuation */
    ck_assert_uint_eq(seq("\xbf", 1), 0);
    ck_assert_uint_eq(seq("\xc0\x80", 2), 0);         /* overlong NUL */
    ck_assert_uint_eq(seq("\xc1\xbf", 2), 0);         /* overlong */
    ck_assert_uint_eq(seq("\xe0\x80\x80", 3), 0);     /* overlong 3-byte */
    ck_assert_uint_eq(seq("\xe0\x9f\xbf", 3), 0);     /* overlong U+07FF */
    ck_assert_uint_eq(seq("\xed\xa0\x80", 3), 0);     /* U+D800 surrogate */
    ck_assert_uint_eq(seq("\xed\xbf\xbf", 3), 0);     /* U+DFFF surrogate */
    ck_assert_uint_eq(seq("\xf0\x80\x80\x80", 4), 0); /* overlong 4-byte */
    ck_assert_uint_eq(seq("\xf0\x8f\xbf\xbf", 4), 0); /* overlong U+FFFF */
    ck_assert_uint_eq(seq("\xf4\x90\x80\x80", 4), 0); /* U+110000 */
    ck_assert_uint_eq(seq("\xf5\x80\x80\x80", 4), 0);
    ck_assert_uint_eq(seq("\xff", 1), 0);
    ck_assert_uint_eq(seq("\xc3" "A", 2), 0);         /* continuation missing */
    ck_assert_uint_eq(seq("\xe2\x82" "A", 3), 0);
    /* Truncated by `avail`, even though the bytes after it would complete the sequence. */
    ck_assert_uint_eq(seq("\xc3\xa9", 1), 0);
    ck_assert_uint_eq(seq("\xe2\x82\xac", 2), 0);
    ck_assert_uint_eq(seq("\xf0\x9f\x98\x80", 3), 0);
}
END_TEST

/* ---- escaping: core ---- */

START_TEST(test_text_plain_and_utf8_kept)
{
    ESC(TEXT, "plain ascii 123 ~", "plain ascii 123 ~");
    ESC(TEXT, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    ESC(TEXT, "tab\there", "tab\there");
    ESC(TEXT, "del\x7f", "del\x7f");
    ESC(TEXT, "q\"b\\!", "q\"b\\!"); /* quotes, backslash and bang are plain text here */
}
END_TEST

START_TEST(test_text_control_and_invalid)
{
    ESC(TEXT, "a\x01" "b", "a\\x01b");
    ESC(TEXT, "line\nnext\r", "line\\x0Anext\\x0D");
    ESC(TEXT, "\x1b[31mred", "\\x1B[31mred");
    ESC(TEXT, "nul\0byte", "nul\\x00byte");
    ESC(TEXT, "bad\xff\xfe", "bad\\xFF\\xFE");
    ESC(TEXT, "over\xc0\x80", "over\\xC0\\x80");
    ESC(TEXT, "sur\xed\xa0\x80", "sur\\xED\\xA0\\x80");
    /* A truncated sequence at the end: each byte on its own. */
    ESC(TEXT, "end\xe2\x82", "end\\xE2\\x82");
    /* Invalid lead byte followed by a valid character: only the bad byte is escaped. */
    ESC(TEXT, "\x80\xc3\xa9", "\\x80\xc3\xa9");
}
END_TEST

START_TEST(test_text_bang_mode)
{
    ESC(TEXT_BANG, "a.tar.gz!inner/log", "a.tar.gz\\x21inner/log");
    ESC(TEXT_BANG, "C:\\logs\\x", "C:\\x5Clogs\\x5Cx");
    /* An already-escaped-looking name cannot be confused with a real escape. */
    ESC(TEXT_BANG, "\\x21", "\\x5Cx21");
    ESC(TEXT_BANG, "ctl\x02", "ctl\\x02");
    ESC(TEXT_BANG, "q\"", "q\"");
}
END_TEST

START_TEST(test_json)
{
    ESC(JSON, "say \"hi\"", "say \\\"hi\\\"");
    ESC(JSON, "back\\slash", "back\\\\slash");
    ESC(JSON, "a\tb", "a\\tb");
    /* Control bytes keep the `\xNN` form; its backslash is JSON-escaped so the decoded
     * string reads \xNN. */
    ESC(JSON, "a\nb", "a\\\\x0Ab");
    ESC(JSON, "x\x01", "x\\\\x01");
    ESC(JSON, "bad\xff", "bad\\\\xFF");
    ESC(JSON, "nul\0", "nul\\\\x00");
    ESC(JSON, "caf\xc3\xa9!", "caf\xc3\xa9!");
    ESC(JSON, "del\x7f", "del\x7f");
    ESC(JSON_STR, "v", "\"v\"");
    ESC(JSON_STR, "", "\"\"");
    ESC(JSON_STR, "\"\\\t", "\"\\\"\\\\\\t\"");
}
END_TEST

START_TEST(test_json_appends)
{
    /* Writers append; they never reset what is already in the buffer. */
    tl_buf b = TL_BUF_INIT;
    tl_buf_puts(&b, "{\"k\":");
    tl_escape_json_str(&b, "v\n", 2);
    tl_buf_putc(&b, '}');
    ck_assert_str_eq(b.data, "{\"k\":\"v\\\\x0A\"}");
    tl_buf_free(&b);
}
END_TEST

START_TEST(test_csv)
{
    ESC(CSV, "plain", "plain");
    ESC(CSV, "a,b", "\"a,b\"");
    ESC(CSV, "say \"hi\"", "\"say \"\"hi\"\"\"");
    ESC(CSV, "\"", "\"\"\"\"");
    /* Line breaks never reach the file raw: they are `\xNN` text, so a cell is one line. */
    ESC(CSV, "two\nlines", "two\\x0Alines");
    ESC(CSV, "cr\r", "cr\\x0D");
    ESC(CSV, "bad\xff,x", "\"bad\\xFF,x\"");
    ESC(CSV, "t\tab", "t\tab");
    /* Without the guard, formula-looking cells are left alone. */
    ESC(CSV, "=SUM(A1)", "=SUM(A1)");
}
END_TEST

START_TEST(test_csv_formula_guard)
{
    ESC(CSV_GUARD, "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0");
    ESC(CSV_GUARD, "+1", "'+1");
    ESC(CSV_GUARD, "-1", "'-1");
    ESC(CSV_GUARD, "@SUM(1)", "'@SUM(1)");
    ESC(CSV_GUARD, "=a,b", "\"'=a,b\"");
    ESC(CSV_GUARD, "safe=1", "safe=1"); /* only the first byte matters */
    ESC(CSV_GUARD, "1-2", "1-2");
}
END_TEST

/* Regression guard (found by this test; fixed in 39f92f1 while it was being written):
 * tl_buf_reserve on a buffer without memory allocated but did not write the terminating NUL,
 * so tl_escape_text/tl_escape_csv on an empty input left b.data non-NULL with garbage at
 * data[0], breaking buf.h's "always NUL-terminated when non-NULL". The heap is dirtied first
 * so missing termination shows instead of reading a lucky zero. */
static void dirty_heap(void)
{
    for (size_t n = 16; n <= 256; n *= 2) {
        void *p = malloc(n);
        ck_assert_ptr_nonnull(p);
        memset(p, 'Z', n);
        free(p);
    }
}

START_TEST(test_empty_input_is_terminated)
{
    tl_buf b = TL_BUF_INIT;
    dirty_heap();
    tl_buf_reserve(&b, 10);
    ck_assert_ptr_nonnull(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_msg(b.data[0] == '\0', "tl_buf_reserve on a fresh buffer: data[0] = 0x%02X",
                  (unsigned char)b.data[0]);
    tl_buf_free(&b);

    dirty_heap();
    tl_escape_text(&b, "", 0, 0);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_msg(!b.data || b.data[0] == '\0', "tl_escape_text(\"\"): data[0] = 0x%02X",
                  (unsigned char)b.data[0]);
    tl_buf_free(&b);

    dirty_heap();
    tl_escape_csv(&b, "", 0, 1);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_msg(!b.data || b.data[0] == '\0', "tl_escape_csv(\"\"): data[0] = 0x%02X",
                  (unsigned char)b.data[0]);
    tl_buf_free(&b);
}
END_TEST

/* ---- escaping: limits ---- */

START_TEST(test_every_byte_value)
{
    /* Each single byte escapes to itself (printable ASCII, TAB, DEL) or exactly `\xNN`. */
    for (int c = 0; c < 256; c++) {
        char in = (char)c;
        tl_buf b = TL_BUF_INIT;
        tl_escape_text(&b, &in, 1, 0);
        if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == 0x7f) {
            ck_assert_msg(b.len == 1 && (unsigned char)b.data[0] == c, "byte %02X", c);
        } else {
            char want[5];
            snprintf(want, sizeof want, "\\x%02X", c);
            ck_assert_msg(b.len == 4 && memcmp(b.data, want, 4) == 0, "byte %02X -> %s", c,
                          b.data);
        }
        tl_buf_free(&b);
    }
}
END_TEST

/* The plain-run scanner reads 8 bytes at a time: put every special byte at every offset of
 * runs longer than one word, next to every other byte value, and compare with a byte-at-a-time
 * reference of the documented rule. */
static void ref_json(tl_buf *o, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t u = c >= 0x80 ? tl_utf8_seq_len(p + i, n - i) : 0;
        if (c == '\\') tl_buf_puts(o, "\\\\"), i++;
        else if (c == '"') tl_buf_puts(o, "\\\""), i++;
        else if (c == '\t') tl_buf_puts(o, "\\t"), i++;
        else if (c < 0x20 || (c >= 0x80 && u == 0)) tl_buf_printf(o, "\\\\x%02X", c), i++;
        else if (c >= 0x80) tl_buf_append(o, p + i, u), i += u;
        else tl_buf_putc(o, (char)c), i++;
    }
}

START_TEST(test_word_scan_every_offset)
{
    unsigned char line[40];
    for (int v = 0; v < 256; v++) {
        for (size_t pos = 0; pos < sizeof line; pos++) {
            memset(line, 'a', sizeof line);
            line[pos] = (unsigned char)v;
            for (size_t len = pos + 1; len <= sizeof line; len += 7) {
                tl_buf got = TL_BUF_INIT, want = TL_BUF_INIT;
                tl_escape_json(&got, (const char *)line, len);
                ref_json(&want, line, len);
                ck_assert_msg(got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
                              "byte 0x%02X at %zu of %zu: got '%s' want '%s'", v, pos, len,
                              got.data, want.data);
                tl_buf_free(&got);
                tl_buf_free(&want);
            }
        }
    }
}
END_TEST

START_TEST(test_long_mixed_input)
{
    /* 100k copies of a mixed record: the output length is exact and there is no raw control
     * byte or invalid UTF-8 left in it. */
    static const char rec[] = "ok \xc3\xa9\x01\xff\"\\\t";
    size_t n = 100000, rl = sizeof rec - 1;
    char *in = malloc(n * rl);
    ck_assert_ptr_nonnull(in);
    for (size_t i = 0; i < n; i++) memcpy(in + i * rl, rec, rl);
    tl_buf t = TL_BUF_INIT, j = TL_BUF_INIT;
    tl_escape_text(&t, in, n * rl, 0);
    tl_escape_json(&j, in, n * rl);
    /* text: "ok " 3 + é 2 + \x01 4 + \xFF 4 + " 1 + \ 1 + TAB 1 = 16 */
    ck_assert_uint_eq(t.len, n * 16);
    /* json: 3 + 2 + 5 + 5 + 2 + 2 + 2 = 21 */
    ck_assert_uint_eq(j.len, n * 21);
    for (size_t i = 0; i < j.len; i++) {
        unsigned char c = (unsigned char)j.data[i];
        ck_assert_msg(c >= 0x20 && c != 0xff, "raw byte %02X at %zu", c, i);
    }
    tl_buf_free(&t);
    tl_buf_free(&j);
    free(in);
}
END_TEST

static Suite *escape_suite(void)
{
    Suite *s = suite_create("escape");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_buf_append_puts_putc);
    tcase_add_test(core, test_buf_printf);
    tcase_add_test(core, test_buf_reset_keeps_memory);
    tcase_add_test(core, test_buf_steal);
    tcase_add_test(core, test_utf8_valid_lengths);
    tcase_add_test(core, test_text_plain_and_utf8_kept);
    tcase_add_test(core, test_text_bang_mode);
    tcase_add_test(core, test_json);
    tcase_add_test(core, test_json_appends);
    tcase_add_test(core, test_csv);
    tcase_add_test(core, test_csv_formula_guard);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_buf_growth);
    tcase_add_test(limits, test_buf_zero_length_append);
    tcase_add_test(limits, test_every_byte_value);
    tcase_add_test(limits, test_long_mixed_input);
    tcase_add_test(limits, test_word_scan_every_offset);
    tcase_set_timeout(limits, 30);
    suite_add_tcase(s, limits);

    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_utf8_invalid);
    tcase_add_test(errors, test_text_control_and_invalid);
    tcase_add_test(errors, test_empty_input_is_terminated); /* buf.c regression */
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(escape_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
