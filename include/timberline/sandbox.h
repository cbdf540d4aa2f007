/* Confinement of the unpack worker: a seccomp filter that keeps a compromised decoder from
 * changing files, starting programs, reaching the network or touching other processes. */
#ifndef TIMBERLINE_SANDBOX_H
#define TIMBERLINE_SANDBOX_H

#include "timberline/error.h"

/* Installs the filter on the calling process (and every thread it starts later; call it before
 * starting any). Sets PR_SET_NO_NEW_PRIVS itself. A refused syscall fails with EPERM: the
 * decoder sees an error it already handles, and the worker goes on reading.
 *
 * Refused: opening a file for writing (or creating one), every call that changes the file
 * system (unlink, rename, link, mkdir, chmod, chown, truncate, utimes, xattrs, mount...),
 * execve, fork/vfork and clone without CLONE_THREAD, sockets, ptrace, process_vm_readv/writev
 * and the other calls that act on another process (signals, prlimit, scheduling, priority,
 * kcmp, page migration), ioctl except a few queries (no TIOCSTI into a terminal), fcntl
 * F_SETOWN/F_SETSIG, io_uring (its operations bypass seccomp), bpf, perf_event_open,
 * userfaultfd, namespaces, keyrings and modules. clone3 and openat2 get ENOSYS (their flags
 * cannot be inspected) so that libc falls back to clone and openat, and so does every call
 * newer than the list (Linux 6.1's numbers). Any syscall from another ABI (i386 or x32 on
 * x86-64) is refused.
 *
 * Not covered: reading. The worker may read what its user may read, /proc/<scanner>/mem
 * included when both run as the same ordinary user (root's worker runs as nobody).
 *
 * In a sanitizer build, clone, fork, execve, ptrace and kill stay open: LeakSanitizer stops
 * the world with a ptrace-ing clone and the symbolizer is a child program.
 *
 * Returns TL_OK, or TL_EGENERIC when the kernel or the architecture offers no seccomp filter
 * (the caller decides whether to run unconfined). */
int tl_sandbox_confine(tl_error *err);

/* 1 when tl_sandbox_confine leaves the process rules open (a sanitizer build), else 0. */
int tl_sandbox_relaxed(void);

#endif
