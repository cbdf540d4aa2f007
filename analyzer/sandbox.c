/* The unpack worker's seccomp filter: a deny list, so that libc, libarchive and the sanitizers
 * keep every call they make on the reading path, while what an exploited decoder would want
 * (write a file, start a program, open a socket, reach another process) fails with EPERM. */
#include "timberline/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define TL_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TL_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(leak_sanitizer)
#define TL_SANITIZED 1
#endif
#endif
#ifndef TL_SANITIZED
#define TL_SANITIZED 0
#endif

int tl_sandbox_relaxed(void)
{
    return TL_SANITIZED;
}

#if defined(TL_AUDIT_ARCH) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__

#define PROG_MAX 512
/* The highest syscall number this list was reviewed against (set_mempolicy_home_node, Linux
 * 6.1; from 424 on the numbers are the same on every architecture). A newer kernel's calls
 * (fchmodat2, setxattrat, file_setattr...) get ENOSYS, so nothing new slips past the list and
 * libc falls back to the calls it knows. */
#define LAST_REVIEWED_NR 450
#define DENY (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define NOSYS (SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))
/* the low half of argument i (little-endian): every argument tested here is an int or flags */
#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i)))

struct prog {
    struct sock_filter f[PROG_MAX];
    unsigned short n;
    int overflow;
};

static void emit(struct prog *p, unsigned short code, uint8_t jt, uint8_t jf, uint32_t k)
{
    if (p->n >= PROG_MAX) {
        p->overflow = 1;
        return;
    }
    p->f[p->n++] = (struct sock_filter){code, jt, jf, k};
}

/* Each rule starts with the syscall number in A and either returns or leaves A as it was. */
static void refuse(struct prog *p, long nr, uint32_t ret)
{
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)nr);
    emit(p, BPF_RET | BPF_K, 0, 0, ret);
}

/* For nr: `hit` when argument arg has any bit of mask, else `miss`. */
static void by_mask(struct prog *p, long nr, int arg, uint32_t mask, uint32_t hit, uint32_t miss)
{
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 4, (uint32_t)nr);
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(arg));
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 1, mask);
    emit(p, BPF_RET | BPF_K, 0, 0, hit);
    emit(p, BPF_RET | BPF_K, 0, 0, miss);
}

/* For nr: `hit` when argument arg is one of vals, else `miss`. Each JEQ jumps to the
 * `hit` return at the end, past the remaining JEQs and the `miss` return. */
static void by_value(struct prog *p, long nr, int arg, const uint32_t *vals, int n, uint32_t hit,
                     uint32_t miss)
{
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)(n + 3), (uint32_t)nr);
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(arg));
    for (int i = 0; i < n; i++) emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(n - i), 0, vals[i]);
    emit(p, BPF_RET | BPF_K, 0, 0, miss);
    emit(p, BPF_RET | BPF_K, 0, 0, hit);
}

/* nr is allowed only when argument arg is one of vals (a signal to this process, a query) */
static void allow_only(struct prog *p, long nr, int arg, const uint32_t *vals, int n)
{
    by_value(p, nr, arg, vals, n, SECCOMP_RET_ALLOW, DENY);
}

/* nr is refused when argument arg is one of vals (fcntl commands that aim signals elsewhere) */
static void refuse_values(struct prog *p, long nr, int arg, const uint32_t *vals, int n)
{
    by_value(p, nr, arg, vals, n, DENY, SECCOMP_RET_ALLOW);
}

/* Calls that change the file system, the machine or the kernel's state, or reach the network:
 * reading evidence needs none of them. */
static const long always_refused[] = {
#ifdef __NR_creat
    __NR_creat,
#endif
#ifdef __NR_unlink
    __NR_unlink,
#endif
#ifdef __NR_rmdir
    __NR_rmdir,
#endif
#ifdef __NR_rename
    __NR_rename,
#endif
#ifdef __NR_renameat
    __NR_renameat,
#endif
#ifdef __NR_link
    __NR_link,
#endif
#ifdef __NR_symlink
    __NR_symlink,
#endif
#ifdef __NR_mkdir
    __NR_mkdir,
#endif
#ifdef __NR_mknod
    __NR_mknod,
#endif
#ifdef __NR_chmod
    __NR_chmod,
#endif
#ifdef __NR_chown
    __NR_chown,
#endif
#ifdef __NR_lchown
    __NR_lchown,
#endif
#ifdef __NR_utime
    __NR_utime,
#endif
#ifdef __NR_utimes
    __NR_utimes,
#endif
#ifdef __NR_futimesat
    __NR_futimesat,
#endif
#ifdef __NR_iopl
    __NR_iopl,
#endif
#ifdef __NR_ioperm
    __NR_ioperm,
#endif
    __NR_unlinkat, __NR_renameat2, __NR_linkat, __NR_symlinkat, __NR_mkdirat, __NR_mknodat,
    __NR_fchmod, __NR_fchmodat, __NR_fchown, __NR_fchownat, __NR_truncate, __NR_ftruncate,
    __NR_utimensat, __NR_setxattr, __NR_lsetxattr, __NR_fsetxattr, __NR_removexattr,
    __NR_lremovexattr, __NR_fremovexattr, __NR_fallocate, __NR_name_to_handle_at,
    __NR_open_by_handle_at, __NR_mount, __NR_umount2, __NR_pivot_root, __NR_chroot,
    __NR_swapon, __NR_swapoff, __NR_reboot, __NR_init_module, __NR_finit_module,
    __NR_delete_module, __NR_kexec_load, __NR_acct, __NR_quotactl, __NR_settimeofday,
    __NR_clock_settime, __NR_clock_adjtime, __NR_adjtimex, __NR_sethostname,
    __NR_setdomainname, __NR_socket, __NR_socketpair, __NR_connect, __NR_bind, __NR_listen,
    __NR_accept, __NR_accept4, __NR_bpf, __NR_perf_event_open, __NR_userfaultfd, __NR_keyctl,
    __NR_add_key, __NR_request_key, __NR_setns, __NR_unshare, __NR_fanotify_init,
    __NR_process_vm_readv, __NR_process_vm_writev, __NR_kcmp, __NR_migrate_pages,
    __NR_move_pages, __NR_setpriority, __NR_ioprio_set,
#ifdef __NR_process_madvise
    __NR_process_madvise,
#endif
#ifdef __NR_process_mrelease
    __NR_process_mrelease,
#endif
#ifdef __NR_kexec_file_load
    __NR_kexec_file_load,
#endif
#ifdef __NR_io_uring_setup
    __NR_io_uring_setup, __NR_io_uring_enter, __NR_io_uring_register,
#endif
#ifdef __NR_pidfd_open
    __NR_pidfd_open, __NR_pidfd_send_signal,
#endif
#ifdef __NR_pidfd_getfd
    __NR_pidfd_getfd,
#endif
#ifdef __NR_open_tree
    __NR_open_tree, __NR_move_mount, __NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick,
#endif
#ifdef __NR_mount_setattr
    __NR_mount_setattr,
#endif
};

/* Starting programs and reaching other processes; open in sanitizer builds. */
static const long process_refused[] = {
    __NR_execve, __NR_execveat, __NR_ptrace, __NR_tkill,
#ifdef __NR_fork
    __NR_fork,
#endif
#ifdef __NR_vfork
    __NR_vfork,
#endif
};

static int build(struct prog *p)
{
    memset(p, 0, sizeof *p);
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, arch));
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, TL_AUDIT_ARCH);
    emit(p, BPF_RET | BPF_K, 0, 0, DENY); /* i386 via int 0x80: a second syscall table */
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
    emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000u); /* the x32 ABI's numbers */
    emit(p, BPF_RET | BPF_K, 0, 0, DENY);
#endif
    emit(p, BPF_JMP | BPF_JGT | BPF_K, 0, 1, LAST_REVIEWED_NR);
    emit(p, BPF_RET | BPF_K, 0, 0, NOSYS);
    const uint32_t writing = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
    /* ioctl: only queries. TIOCSTI would type commands into the terminal the worker's stderr
     * may be, FS_IOC_SETFLAGS changes a file's attributes through a read-only descriptor. */
    static const uint32_t ioctls[] = {TCGETS, TIOCGWINSZ, TIOCGPGRP, FIONREAD, FIONBIO, FIOCLEX,
                                      FIONCLEX};
    allow_only(p, __NR_ioctl, 1, ioctls, (int)(sizeof ioctls / sizeof *ioctls));
    /* fcntl: no signal owner, or every read of our pipe by the scanner would signal it */
    static const uint32_t owner[] = {F_SETOWN, F_SETOWN_EX, F_SETSIG};
    refuse_values(p, __NR_fcntl, 1, owner, 3);
#ifdef __NR_open
    by_mask(p, __NR_open, 1, writing, DENY, SECCOMP_RET_ALLOW);
#endif
    by_mask(p, __NR_openat, 2, writing, DENY, SECCOMP_RET_ALLOW);
    refuse(p, __NR_openat2, NOSYS);
    refuse(p, __NR_clone3, NOSYS);
    for (size_t i = 0; i < sizeof always_refused / sizeof *always_refused; i++)
        refuse(p, always_refused[i], DENY);
    if (!TL_SANITIZED) {
        for (size_t i = 0; i < sizeof process_refused / sizeof *process_refused; i++)
            refuse(p, process_refused[i], DENY);
        by_mask(p, __NR_clone, 0, CLONE_THREAD, SECCOMP_RET_ALLOW, DENY); /* threads only */
        uint32_t self[] = {(uint32_t)getpid()};
        allow_only(p, __NR_kill, 0, self, 1);
        allow_only(p, __NR_tgkill, 0, self, 1);
        allow_only(p, __NR_rt_sigqueueinfo, 0, self, 1);
        allow_only(p, __NR_rt_tgsigqueueinfo, 0, self, 1);
    }
    /* limits and scheduling of this process only (pid 0 is "the caller") */
    uint32_t me[] = {0, (uint32_t)getpid()};
    allow_only(p, __NR_prlimit64, 0, me, 2);
    allow_only(p, __NR_sched_setparam, 0, me, 2);
    allow_only(p, __NR_sched_setscheduler, 0, me, 2);
    allow_only(p, __NR_sched_setaffinity, 0, me, 2);
    allow_only(p, __NR_sched_setattr, 0, me, 2);
    emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
    return p->overflow ? -1 : 0;
}

int tl_sandbox_confine(tl_error *err)
{
    struct prog p;
    if (build(&p) != 0)
        return tl_error_set(err, TL_EGENERIC, "sandbox: the filter has more than %d instructions",
                            PROG_MAX);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return tl_error_set(err, TL_EGENERIC, "sandbox: no_new_privs: %s", strerror(errno));
    struct sock_fprog fp = {.len = p.n, .filter = p.f};
    /* TSYNC: a thread a library may have started already gets the filter too */
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fp) != 0 &&
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) != 0)
        return tl_error_set(err, TL_EGENERIC, "sandbox: seccomp filter refused: %s",
                            strerror(errno));
    return TL_OK;
}

#else

int tl_sandbox_confine(tl_error *err)
{
    return tl_error_set(err, TL_EGENERIC, "sandbox: no seccomp filter for this architecture");
}

#endif
