/* Shared scaffolding of the Check unit tests: each test binary gets a private temporary
 * directory (also its XDG cache, so no test touches the user's), removed when it ends. */
#ifndef TIMBERLINE_TESTUTIL_H
#define TIMBERLINE_TESTUTIL_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static int tl_test_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Makes /tmp/tl_check_NAME.XXXXXX into `dir` (size `n`), runs the suite with Check's normal
 * summary output, removes the directory; returns the process exit status. */
static int tl_test_main(Suite *suite, char *dir, size_t n, const char *name)
{
    snprintf(dir, n, "/tmp/tl_check_%s.XXXXXX", name);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    char cache[256];
    snprintf(cache, sizeof cache, "%s/xdg-cache", dir);
    setenv("XDG_CACHE_HOME", cache, 1);
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    nftw(dir, tl_test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
