/* Unit tests for the html module: HTML and JSON-in-script escaping of hostile bytes, the CSP
 * hashes matching the page's inline style and script, and the 50,000-event truncation note. */
#include <check.h>

#include "testutil.h"
#include <ftw.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "timberline/html.h"
#include "timberline/scan.h"

static char tmpdir[64];

static void expect_html(const char *in, size_t len, const char *want)
{
    tl_buf b = TL_BUF_INIT;
    tl_html_escape(&b, in, len);
    const char *got = b.data ? b.data : "";
    ck_assert_msg(b.len == strlen(want) && memcmp(got, want, b.len) == 0,
                  "html: got '%s', want '%s'", got, want);
    tl_buf_free(&b);
}

static void expect_json(const char *in, size_t len, const char *want)
{
    tl_buf b = TL_BUF_INIT;
    tl_html_json_str(&b, in, len);
    ck_assert_msg(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0,
                  "json: got '%s', want '%s'", b.data, want);
    tl_buf_free(&b);
}

#define HTML(lit, want) expect_html(lit, sizeof(lit) - 1, want)
#define JSON(lit, want) expect_json(lit, sizeof(lit) - 1, want)

/* ---- core: escaping ---- */

START_TEST(test_html_escape)
{
    HTML("plain text 123", "plain text 123");
    HTML("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    HTML("\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    HTML("a & b 'q'", "a &amp; b &#39;q&#39;");
    HTML("nul\0here", "nul\\x00here");
    HTML("bad \xFF utf8", "bad \\xFF utf8");
    HTML("esc \x1b[31m", "esc \\x1B[31m");
    HTML("rtl \xE2\x80\xAEgpj.exe", "rtl \\u202Egpj.exe"); /* U+202E shown, not obeyed */
    HTML("\xE2\x81\xA6isolate\xE2\x81\xA9", "\\u2066isolate\\u2069");
    HTML("\xD8\x9C alm", "\\u061C alm");
    HTML("caf\xC3\xA9 \xE2\x80\x94 ok", "caf\xC3\xA9 \xE2\x80\x94 ok"); /* other UTF-8 kept */
    HTML("back\\slash\ttab", "back\\slash\ttab");
    HTML("", "");
}
END_TEST

START_TEST(test_json_in_script)
{
    JSON("plain", "\"plain\"");
    JSON("</script><script>alert(1)</script>",
         "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"");
    JSON("<!-- x -->", "\"\\u003c!-- x --\\u003e\"");
    JSON("a&b", "\"a\\u0026b\"");
    JSON("q\"b\\t\tx", "\"q\\\"b\\\\t\\tx\"");
    JSON("ls\xE2\x80\xA8ps\xE2\x80\xA9", "\"ls\\u2028ps\\u2029\"");
    JSON("nul\0", "\"nul\\\\x00\""); /* the decoded string reads \x00, as in timeline.jsonl */
    JSON("\xE2\x80\xAE", "\"\\\\u202E\"");
    JSON("javascript:alert(1)", "\"javascript:alert(1)\""); /* only ever text: textContent */
}
END_TEST

START_TEST(test_csp_hash_known_vector)
{
    char h[52];
    tl_html_csp_hash("", 0, h);
    ck_assert_str_eq(h, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    tl_html_csp_hash("abc", 3, h);
    ck_assert_str_eq(h, "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}
END_TEST

/* ---- a whole page ---- */

static tl_pattern_set *one_rule(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/h.rules", tmpdir);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("[rule evil]\nseverity = high\ndescription = <b>desc</b>\nregex = (?<user>x)\n", f);
    fclose(f);
    tl_pattern_set *set = tl_pattern_set_new();
    tl_error err = {0};
    ck_assert_int_eq(tl_pattern_set_load(set, path, &err), 0);
    ck_assert_int_eq(tl_pattern_set_compile(set, &err), 0);
    return set;
}

/* A result with one evidence item and `n` events whose message is `msg`. */
static void make_result(tl_scan_result *res, size_t n, const char *msg, size_t msglen,
                        const char *indicator)
{
    memset(res, 0, sizeof *res);
    tl_timeline_init(&res->timeline, 1, 0, NULL);
    res->evidence.cap = res->evidence.n = 1;
    res->evidence.items = calloc(1, sizeof *res->evidence.items);
    tl_evidence_item *it = &res->evidence.items[0];
    it->path = strdup("ev/<img src=x onerror=alert(1)>.log");
    it->given = strdup("ev");
    it->source = strdup("ev/<img src=x onerror=alert(1)>.log");
    it->abs_path = strdup("/tmp/ev/x.log");
    it->status = TL_EV_OK;
    strcpy(it->sha256, "00");
    strcpy(it->kind, "text");
    for (size_t i = 0; i < n; i++) {
        tl_event e;
        memset(&e, 0, sizeof e);
        e.quality = TL_TSQ_PARSED;
        e.ts_us = 1767441600000000LL + (int64_t)i * 1000000;
        e.line = i + 1;
        e.seq = i;
        e.message = malloc(msglen + 1);
        memcpy(e.message, msg, msglen + 1);
        e.message_len = msglen;
        e.indicator = strdup(indicator);
        e.indicator_len = strlen(indicator);
        tl_timeline_push(&res->timeline, &e);
    }
    res->lines = n;
}

static char *write_page(size_t n, const char *msg, size_t msglen, const char *ind, size_t *len)
{
    tl_pattern_set *set = one_rule();
    tl_scan_result res;
    make_result(&res, n, msg, msglen, ind);
    char *argv[] = {"timberline", "scan", "--case", "<script>x</script>"};
    tl_run_info info = {.version = "test", .case_id = "<script>x</script>", .analyst = "a\"b",
                        .argc = 4, .argv = argv, .tz_name = "UTC", .fail_on = "info",
                        .threads = 1};
    tl_error err = {0};
    ck_assert_int_eq(tl_html_write(tmpdir, &res, set, &info, NULL, &err), 0);
    tl_scan_result_free(&res);
    tl_pattern_set_free(set);
    char path[512];
    snprintf(path, sizeof path, "%s/report.html", tmpdir);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *page = malloc((size_t)sz + 1);
    ck_assert_uint_eq(fread(page, 1, (size_t)sz, f), (size_t)sz);
    page[sz] = '\0';
    fclose(f);
    *len = (size_t)sz;
    snprintf(path, sizeof path, "%s/.report.html.tmp", tmpdir);
    struct stat st;
    ck_assert_int_ne(stat(path, &st), 0); /* no temp file left behind */
    return page;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
    return n;
}

/* Content between `open` (the first occurrence after `from`) and the next `close`. */
static char *between(const char *page, const char *open, const char *close, size_t *len)
{
    const char *a = strstr(page, open);
    ck_assert_ptr_nonnull(a);
    a += strlen(open);
    const char *z = strstr(a, close);
    ck_assert_ptr_nonnull(z);
    *len = (size_t)(z - a);
    return (char *)a;
}

static void csp_of(const char *s, size_t len, char out[52])
{
    unsigned char md[32];
    unsigned int n = 0;
    ck_assert_int_eq(EVP_Digest(s, len, md, &n, EVP_sha256(), NULL), 1);
    memcpy(out, "sha256-", 7);
    EVP_EncodeBlock((unsigned char *)out + 7, md, 32);
}

START_TEST(test_page_csp_and_hostile)
{
    static const char msg[] = "x <script>alert(1)</script> \"><img src=x onerror=alert(1)> "
                              "javascript:alert(1) \xE2\x80\xAE\0 </script><!--";
    size_t len;
    char *page = write_page(3, msg, sizeof msg - 1, "x", &len);
    ck_assert_uint_eq(strlen(page), len); /* no raw NUL reached the page */
    /* exactly two script elements: the JSON data block and the hashed script */
    ck_assert_uint_eq(count(page, "<script"), 2);
    ck_assert_uint_eq(count(page, "</script>"), 2);
    ck_assert_ptr_null(strstr(page, "<img"));
    ck_assert_ptr_null(strstr(page, "\xE2\x80\xAE"));
    ck_assert_ptr_null(strstr(page, " style="));
    ck_assert_ptr_nonnull(strstr(page, "&lt;script&gt;x&lt;/script&gt;")); /* case id */
    ck_assert_ptr_nonnull(strstr(page, "&lt;b&gt;desc&lt;/b&gt;"));
    /* CSP: the hashes are those of the inline style and of the (executable) script */
    size_t sl, jl, cl;
    char *style = between(page, "<style>", "</style>", &sl);
    char *js = between(page, "</script>\n<script>", "</script>", &jl);
    char *csp = between(page, "http-equiv=\"Content-Security-Policy\" content=\"", "\"", &cl);
    char want[52], buf[128];
    ck_assert_ptr_nonnull(strstr(csp, "default-src 'none'"));
    csp_of(style, sl, want);
    snprintf(buf, sizeof buf, "style-src '%s'", want);
    ck_assert_msg(strstr(csp, buf), "style hash %s not in CSP", want);
    csp_of(js, jl, want);
    snprintf(buf, sizeof buf, "script-src '%s'", want);
    ck_assert_msg(strstr(csp, buf), "script hash %s not in CSP", want);
    ck_assert_ptr_null(strstr(js, "innerHTML"));
    /* the data block keeps < > & escaped */
    size_t dl;
    char *data = between(page, "id=\"tl-data\">", "</script>", &dl);
    for (size_t i = 0; i < dl; i++) ck_assert_msg(data[i] != '<' && data[i] != '>' && data[i] != '&',
                                                 "raw markup byte in JSON data at %zu", i);
    free(page);
}
END_TEST

/* ---- limits: the embedded-event cap ---- */

START_TEST(test_truncation_note)
{
    size_t len;
    char *page = write_page(TL_HTML_MAX_EVENTS, "x", 1, "x", &len);
    ck_assert_ptr_null(strstr(page, "id=\"tl-truncated\""));
    ck_assert_ptr_nonnull(strstr(page, "data-embedded=\"50000\" data-total=\"50000\""));
    free(page);
    page = write_page(TL_HTML_MAX_EVENTS + 1, "x", 1, "x", &len);
    ck_assert_ptr_nonnull(
        strstr(page, "id=\"tl-truncated\" data-embedded=\"50000\" data-total=\"50001\""));
    ck_assert_ptr_nonnull(strstr(page, "timeline.jsonl"));
    ck_assert_ptr_nonnull(strstr(page, "\"total\":50001,\"embedded\":50000}"));
    free(page);
}
END_TEST

START_TEST(test_long_line_cut)
{
    /* a 100 KiB line: the page embeds a window around the hit, not the whole line */
    size_t n = 100 * 1024;
    char *msg = malloc(n + 1);
    memset(msg, 'a', n);
    memcpy(msg + n / 2, "HIT", 3);
    msg[n] = '\0';
    size_t len;
    char *page = write_page(1, msg, n, "HIT", &len);
    ck_assert_uint_lt(len, 60 * 1024);
    ck_assert_ptr_nonnull(strstr(page, "\"HIT\""));
    free(page);
    free(msg);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_unwritable_dir)
{
    tl_pattern_set *set = one_rule();
    tl_scan_result res;
    make_result(&res, 1, "x", 1, "x");
    tl_error err = {0};
    ck_assert_int_eq(tl_html_write("/nonexistent/dir", &res, set, NULL, NULL, &err), TL_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "report.html"));
    tl_scan_result_free(&res);
    tl_pattern_set_free(set);
}
END_TEST

static Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_html_escape);
    tcase_add_test(core, test_json_in_script);
    tcase_add_test(core, test_csp_hash_known_vector);
    tcase_add_test(core, test_page_csp_and_hostile);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("limits");
    tcase_add_test(limits, test_truncation_note);
    tcase_add_test(limits, test_long_line_cut);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, test_unwritable_dir);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    return tl_test_main(html_suite(), tmpdir, sizeof tmpdir, "html");
}
