/* Unit tests for the sandbox module: a confined child can still read files and start threads
 * (a positive check, which passes without the filter too), and every kind of refused call
 * (writing, file system changes, network, other processes, io_uring, ioctl/fcntl misuse, newer
 * syscalls, other syscall ABIs) fails, with nothing changed on disk and the sibling alive. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timberline/sandbox.h"

static char dir[64];
static char existing[128];
/* A process of our own user that the confined child must not reach: without the filter it
 * could signal, ptrace or re-limit it. */
static pid_t sibling = -1;

static void setup(void)
{
    sibling = fork();
    ck_assert_int_ge(sibling, 0);
    if (sibling == 0) {
        pause();
        _exit(0);
    }
    snprintf(dir, sizeof dir, "/tmp/tl-sandbox-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(existing, sizeof existing, "%s/evidence.log", dir);
    FILE *f = fopen(existing, "w");
    ck_assert_ptr_nonnull(f);
    fputs("Jan  1 00:00:00 host sshd[1]: hello\n", f);
    fclose(f);
}

static void teardown(void)
{
    if (sibling > 0) {
        kill(sibling, SIGKILL);
        waitpid(sibling, NULL, 0);
    }
    char p[160];
    const char *names[] = {"evidence.log", "new.log", "renamed.log", "sub", "link.log", "sym.log"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        if (remove(p) != 0 && errno != ENOENT) rmdir(p);
    }
    rmdir(dir);
}

/* Failures of the confined child go back to the test as text over a pipe. */
static int report_fd = -1;
static void fail_line(const char *fmt, ...)
{
    char b[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof b - 2) n = (int)sizeof b - 2;
    b[n++] = '\n';
    if (write(report_fd, b, (size_t)n) < 0) _exit(98);
}

/* expect `call` to return -1 with errno e */
#define REFUSED(call, e)                                                                   \
    do {                                                                                   \
        errno = 0;                                                                         \
        long r_ = (long)(call);                                                            \
        if (r_ != -1 || errno != (e))                                                      \
            fail_line("%s: returned %ld, errno %d (%s), wanted %s", #call, r_, errno,       \
                      strerror(errno), #e);                                                \
    } while (0)

/* Runs fn in a forked, confined child; returns what it reported ("" when all went well). */
static char *confined(void (*fn)(void))
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(p[0]);
        report_fd = p[1];
        tl_error err;
        if (tl_sandbox_confine(&err) != TL_OK) {
            fail_line("confine: %s", err.msg);
            _exit(1);
        }
        fn();
        _exit(0);
    }
    close(p[1]);
    static char out[8192];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof out - 1 && (r = read(p[0], out + n, sizeof out - 1 - n)) > 0) n += (size_t)r;
    out[n] = 0;
    close(p[0]);
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        size_t k = strlen(out);
        snprintf(out + k, sizeof out - k, "child status 0x%x\n", st);
    }
    return out;
}

static void *thread_fn(void *arg)
{
    *(int *)arg = 42;
    return NULL;
}

static void reading(void)
{
    int fd = open(existing, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail_line("open for reading: %s", strerror(errno));
    char b[64];
    if (fd >= 0 && read(fd, b, sizeof b) <= 0) fail_line("read: %s", strerror(errno));
    if (fd >= 0) close(fd);
    int fd2 = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY);
    if (fd2 < 0) fail_line("openat a directory: %s", strerror(errno));
    else close(fd2);
    struct stat sb;
    if (stat(existing, &sb) != 0) fail_line("stat: %s", strerror(errno));
    int v = 0;
    pthread_t th;
    int rc = pthread_create(&th, NULL, thread_fn, &v);
    if (rc != 0) fail_line("pthread_create: %s", strerror(rc));
    else if (pthread_join(th, NULL) != 0 || v != 42) fail_line("the thread did not run");
    void *big = malloc(64u << 20); /* mmap */
    if (!big) fail_line("malloc 64 MiB");
    else memset(big, 1, 64u << 20);
    free(big);
    if (kill(getpid(), 0) != 0) fail_line("kill(self, 0): %s", strerror(errno));
    if (write(report_fd, "", 0) != 0) fail_line("write to an open pipe");
}

static void writing(void)
{
    char p[160], q[160];
    snprintf(p, sizeof p, "%s/new.log", dir);
    REFUSED(open(p, O_WRONLY | O_CREAT, 0644), EPERM);
    REFUSED(openat(AT_FDCWD, p, O_RDWR | O_CREAT, 0644), EPERM);
    REFUSED(open(existing, O_WRONLY), EPERM);
    REFUSED(open(existing, O_RDWR), EPERM);
    REFUSED(open(existing, O_RDONLY | O_TRUNC), EPERM);
    REFUSED(open(existing, O_WRONLY | O_APPEND), EPERM);
    REFUSED(open(dir, O_TMPFILE | O_RDWR, 0600), EPERM);
    REFUSED(creat(p, 0644), EPERM);
    REFUSED(unlink(existing), EPERM);
    REFUSED(unlinkat(AT_FDCWD, existing, 0), EPERM);
    snprintf(q, sizeof q, "%s/renamed.log", dir);
    REFUSED(rename(existing, q), EPERM);
    snprintf(q, sizeof q, "%s/link.log", dir);
    REFUSED(link(existing, q), EPERM);
    snprintf(q, sizeof q, "%s/sym.log", dir);
    REFUSED(symlink(existing, q), EPERM);
    snprintf(q, sizeof q, "%s/sub", dir);
    REFUSED(mkdir(q, 0755), EPERM);
    REFUSED(rmdir(dir), EPERM);
    REFUSED(chmod(existing, 0666), EPERM);
    REFUSED(chown(existing, getuid(), getgid()), EPERM); /* a no-op an owner may do */
    REFUSED(truncate(existing, 0), EPERM);
    REFUSED(utimensat(AT_FDCWD, existing, NULL, 0), EPERM);
    int fd = open(existing, O_RDONLY);
    if (fd >= 0) {
        REFUSED(ftruncate(fd, 0), EPERM);
        REFUSED(fchmod(fd, 0666), EPERM);
        REFUSED(futimens(fd, NULL), EPERM);
        close(fd);
    }
}

static void network(void)
{
    REFUSED(socket(AF_INET, SOCK_STREAM, 0), EPERM);
    REFUSED(socket(AF_INET6, SOCK_DGRAM, 0), EPERM);
    REFUSED(socket(AF_UNIX, SOCK_STREAM, 0), EPERM);
    int sv[2];
    REFUSED(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), EPERM);
}

static void kernel(void)
{
#ifdef SYS_io_uring_setup
    char params[120] = {0};
    REFUSED(syscall(SYS_io_uring_setup, 8, params), EPERM);
#endif
    REFUSED(syscall(SYS_bpf, 0, NULL, 0), EPERM);
    REFUSED(syscall(SYS_unshare, 0), EPERM);
    /* no way to inspect their flags: ENOSYS so that libc falls back to the inspected call */
    REFUSED(syscall(SYS_clone3, NULL, 0), ENOSYS);
    REFUSED(syscall(SYS_openat2, AT_FDCWD, existing, NULL, 0), ENOSYS);
    /* a call newer than the reviewed list (fchmodat2, Linux 6.6) */
    REFUSED(syscall(452, AT_FDCWD, existing, 0666, 0), ENOSYS);
    /* queries pass, terminal injection and attribute changes do not */
    int fd = open(existing, O_RDONLY);
    int avail = -1;
    if (fd < 0 || ioctl(fd, FIONREAD, &avail) != 0) fail_line("FIONREAD: %s", strerror(errno));
    char c = 'x';
    REFUSED(ioctl(2, TIOCSTI, &c), EPERM);
    int flags = 0;
    REFUSED(ioctl(fd, FS_IOC_SETFLAGS, &flags), EPERM);
    REFUSED(fcntl(report_fd, F_SETOWN, sibling), EPERM);
    REFUSED(fcntl(report_fd, F_SETSIG, SIGKILL), EPERM);
    if (fcntl(report_fd, F_GETFL) < 0) fail_line("fcntl F_GETFL: %s", strerror(errno));
    if (fd >= 0) close(fd);
    struct rlimit rl = {1, 1};
    REFUSED(prlimit(sibling, RLIMIT_CPU, &rl, NULL), EPERM);
    struct rlimit cur;
    if (prlimit(0, RLIMIT_NOFILE, NULL, &cur) != 0) fail_line("prlimit(self): %s", strerror(errno));
    REFUSED(setpriority(PRIO_PROCESS, (id_t)sibling, 10), EPERM);
#ifdef __x86_64__
    /* the same getpid under the x32 ABI's numbering must not slip past the table */
    REFUSED(syscall(0x40000000L | SYS_getpid), EPERM);
#endif
}

static void processes(void)
{
    char *argv[] = {"true", NULL};
    char *envp[] = {NULL};
    REFUSED(execve("/bin/true", argv, envp), EPERM);
    REFUSED(execve("/usr/bin/true", argv, envp), EPERM);
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid > 0) {
        waitpid(pid, NULL, 0);
        fail_line("fork succeeded");
    } else if (errno != EPERM) {
        fail_line("fork: errno %d", errno);
    }
    REFUSED(kill(getppid(), 0), EPERM);
    REFUSED(kill(sibling, SIGKILL), EPERM);
    REFUSED(ptrace(PTRACE_ATTACH, sibling, NULL, NULL), EPERM);
    REFUSED(syscall(SYS_tgkill, sibling, sibling, 0), EPERM);
}

static void expect_clean(const char *what, const char *got)
{
    ck_assert_msg(got[0] == 0, "%s:\n%s", what, got);
}

START_TEST(test_confined_child_still_reads_and_threads)
{
    expect_clean("reading", confined(reading));
}
END_TEST

START_TEST(test_writes_and_file_system_changes_are_refused)
{
    struct stat before, after;
    ck_assert_int_eq(stat(existing, &before), 0);
    expect_clean("writing", confined(writing));
    /* and nothing changed on disk */
    ck_assert_int_eq(stat(existing, &after), 0);
    ck_assert_int_eq(after.st_size, before.st_size);
    ck_assert_int_eq(after.st_mode, before.st_mode);
    ck_assert(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
              after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    char p[160];
    snprintf(p, sizeof p, "%s/new.log", dir);
    ck_assert_int_ne(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/sub", dir);
    ck_assert_int_ne(access(p, F_OK), 0);
}
END_TEST

START_TEST(test_network_is_refused)
{
    expect_clean("network", confined(network));
}
END_TEST

START_TEST(test_kernel_interfaces_and_other_abis_are_refused)
{
    expect_clean("kernel", confined(kernel));
}
END_TEST

START_TEST(test_programs_and_other_processes_are_refused)
{
    if (tl_sandbox_relaxed()) {
        /* a sanitizer build keeps these open (LeakSanitizer, the symbolizer) */
        fprintf(stderr, "check_sandbox: sanitizer build, process rules are open: not tested\n");
        return;
    }
    expect_clean("processes", confined(processes));
    /* the sibling is unharmed */
    ck_assert_int_eq(kill(sibling, 0), 0);
}
END_TEST

static Suite *sandbox_suite(void)
{
    Suite *s = suite_create("sandbox");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_confined_child_still_reads_and_threads);
    tcase_add_test(tc, test_writes_and_file_system_changes_are_refused);
    tcase_add_test(tc, test_network_is_refused);
    tcase_add_test(tc, test_kernel_interfaces_and_other_abis_are_refused);
    tcase_add_test(tc, test_programs_and_other_processes_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sandbox_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
