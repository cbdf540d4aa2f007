/* JUnit XML (testsuite/testcase/failure), the shape GitLab, Jenkins and GitHub show natively. */
#ifndef TIMBERLINE_JUNIT_H
#define TIMBERLINE_JUNIT_H

#include <stddef.h>

#include "timberline/error.h"

typedef struct tl_junit_case {
    char *classname; /* owned */
    char *name;      /* owned */
    char *failure;   /* owned; NULL when the case passed */
    char *detail;    /* owned; may be NULL */
} tl_junit_cases_item;

typedef struct tl_junit {
    tl_junit_cases_item *cases;
    size_t n, cap;
} tl_junit;

/* Appends a case; strings are copied. failure NULL = passed. */
void tl_junit_add(tl_junit *j, const char *classname, const char *name, const char *failure,
                  const char *detail);

/* Writes one <testsuite name=suite> to path atomically. Text is escaped for XML (control bytes
 * and invalid UTF-8 as \xNN first). Returns 0 or TL_EIO. */
int tl_junit_write(const tl_junit *j, const char *path, const char *suite, tl_error *err);

void tl_junit_free(tl_junit *j);

#endif
