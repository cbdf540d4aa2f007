/* JUnit XML writer for `patterns check --junit` and `scan --junit`. */
#include "timberline/junit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timberline/buf.h"
#include "timberline/escape.h"
#include "timberline/outfile.h"

void tl_junit_add(tl_junit *j, const char *classname, const char *name, const char *failure,
                  const char *detail)
{
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 64;
        j->cases = tl_xrealloc(j->cases, j->cap * sizeof *j->cases);
    }
    tl_junit_cases_item *c = &j->cases[j->n++];
    c->classname = tl_xstrdup(classname);
    c->name = tl_xstrdup(name);
    c->failure = failure ? tl_xstrdup(failure) : NULL;
    c->detail = detail ? tl_xstrdup(detail) : NULL;
}

static void xml(tl_buf *out, const char *s)
{
    tl_buf t = TL_BUF_INIT;
    tl_escape_text(&t, s, strlen(s), 0); /* no raw control bytes: XML 1.0 forbids most */
    for (size_t i = 0; i < t.len; i++) {
        char c = t.data[i];
        switch (c) {
        case '&': tl_buf_puts(out, "&amp;"); break;
        case '<': tl_buf_puts(out, "&lt;"); break;
        case '>': tl_buf_puts(out, "&gt;"); break;
        case '"': tl_buf_puts(out, "&quot;"); break;
        case '\'': tl_buf_puts(out, "&apos;"); break;
        case '\t': tl_buf_puts(out, "&#9;"); break;
        default: tl_buf_putc(out, c);
        }
    }
    tl_buf_free(&t);
}

int tl_junit_write(const tl_junit *j, const char *path, const char *suite, tl_error *err)
{
    size_t failures = 0;
    for (size_t i = 0; i < j->n; i++) failures += j->cases[i].failure != NULL;
    tl_buf b = TL_BUF_INIT;
    tl_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"");
    xml(&b, suite);
    tl_buf_printf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", j->n,
                  failures);
    for (size_t i = 0; i < j->n; i++) {
        const tl_junit_cases_item *c = &j->cases[i];
        tl_buf_puts(&b, "  <testcase classname=\"");
        xml(&b, c->classname);
        tl_buf_puts(&b, "\" name=\"");
        xml(&b, c->name);
        tl_buf_puts(&b, "\" time=\"0\"");
        if (!c->failure) {
            tl_buf_puts(&b, "/>\n");
            continue;
        }
        tl_buf_puts(&b, ">\n    <failure message=\"");
        xml(&b, c->failure);
        tl_buf_puts(&b, "\" type=\"failure\">");
        xml(&b, c->detail ? c->detail : c->failure);
        tl_buf_puts(&b, "</failure>\n  </testcase>\n");
    }
    tl_buf_puts(&b, "</testsuite>\n</testsuites>\n");
    tl_outfile o;
    int rc = tl_outfile_open_path(&o, path, err);
    if (rc == TL_OK) {
        tl_outfile_write_buf(&o, &b);
        rc = tl_outfile_close(&o, err);
    }
    tl_buf_free(&b);
    return rc;
}

void tl_junit_free(tl_junit *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->cases[i].classname);
        free(j->cases[i].name);
        free(j->cases[i].failure);
        free(j->cases[i].detail);
    }
    free(j->cases);
    memset(j, 0, sizeof *j);
}
