/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * priv_seccomp: the system-call filter (libseccomp), an allow list. Any call
 * not listed kills the whole process with SIGSYS (SECCOMP_RET_KILL_PROCESS),
 * and so does a call from another architecture's system-call table (the
 * 32-bit entry on x86_64). Installed by main once every thread exists and
 * every file is open; TSYNC puts it on all threads at once.
 *
 * What each group is for, after start-up (the list was taken from strace -f
 * of the live tests, -o/-w, SIGHUP, --workers and --tui runs):
 *  - capture loop: poll/ppoll on the ring sockets and libpcap's eventfd,
 *    read/write of that eventfd (pcap_breakloop), getsockopt/setsockopt at
 *    SOL_PACKET/SOL_SOCKET (PACKET_STATISTICS, the ring torn down at close),
 *    openat + read of /sys/class/net/IFACE/statistics (libpcap's ifdrop),
 *    munmap of the ring, nanosleep (the drain).
 *  - workers: futex, sched_yield, nanosleep; set_robust_list, rseq and
 *    prctl(PR_SET_NAME), which a thread started just before the filter may
 *    still be making; exit (thread end); madvise/munmap of its stack.
 *  - outputs: write/writev, lseek/fstat/newfstatat/fcntl (stdio), and the
 *    SIGHUP reopen of -o: geteuid (O_NOFOLLOW as root), openat, dup2/dup3,
 *    close.
 *  - memory: brk, mmap, mremap, munmap, madvise, mprotect; mmap and mprotect
 *    only without PROT_EXEC, so no new code can be mapped.
 *  - terminal (--tui): read of standard input, select/pselect6/poll, and
 *    ioctl limited to TCGETS, TCSETS*, TIOCGWINSZ (no TIOCSTI: nothing can
 *    be typed into the invoking terminal).
 *  - signals and exit: rt_sigaction, rt_sigprocmask, rt_sigreturn,
 *    sigaltstack, restart_syscall, tgkill of this process only (abort,
 *    raise), exit_group; clock_gettime and friends when the vDSO is absent.
 * Not allowed, among others: execve/execveat, fork/vfork/clone/clone3,
 * socket/connect/bind/listen/accept, ptrace, kill, setuid and friends,
 * mount, bpf, unshare. When a later feature needs a call, it is added here
 * with its reason, and only when the run uses that feature
 * (struct priv_seccomp_needs):
 *  - listen (--metrics-listen; libmicrohttpd's thread on a socket bound
 *    before the filter): accept/accept4, recvfrom/sendto/sendmsg/recvmsg,
 *    shutdown, getsockname/getpeername, socket options at IPPROTO_TCP; for
 *    the process_* metrics read at each scrape, getdents64 (/proc/self/fd)
 *    and prlimit64 (the fd limit).
 *  - connect (-o redis://; hiredis reconnects after an outage): socket()
 *    for AF_INET and AF_INET6 only (the host is resolved before the filter,
 *    so no other family is needed), connect, recvfrom/sendto, shutdown,
 *    socket options at IPPROTO_TCP.
 *  - file_replace (--metrics-file): rename/renameat/renameat2 of PATH.tmp
 *    over PATH, unlink/unlinkat of a half-written PATH.tmp.
 *
 * --enable-sanitizers builds (PRIV_SECCOMP_SANITIZERS) also allow what
 * LeakSanitizer's exit-time scan makes: a tracer task made with clone that
 * ptrace-attaches to every thread, reading /proc/self/task and
 * /proc/self/maps, prctl (dumpable, parent-death signal), wait4,
 * sched_getaffinity (its tracer uses the old open and getdents). The filter
 * is otherwise the same, so every test runs with it in both builds; execve
 * and socket stay forbidden.
 *
 * FLOWSTATE_SECCOMP_LOG in the environment makes the default action "log"
 * (SECCOMP_RET_LOG: the kernel records the call number, see dmesg or the
 * audit log, and lets it run): how a missing call is found on another
 * system. flowstate warns when it is set.
 */
#include <config.h>

#include "priv/priv.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "util/log.h"

#ifndef SOL_PACKET
#define SOL_PACKET 263
#endif

/* Allowed with any arguments. Names, so a call this architecture lacks is skipped. */
static const char *const priv_allow_any[] = {
    /* files and stdio */
    "read",
    "readv",
    "pread64",
    "write",
    "writev",
    "lseek",
    "close",
    "fstat",
    "newfstatat",
    "fcntl",
    "dup",
    "dup2",
    "dup3",
    "openat",
    /* waiting */
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "futex",
    "sched_yield",
    "nanosleep",
    "clock_nanosleep",
    "restart_syscall",
    /* time, when the vDSO does not answer */
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    /* memory (mmap and mprotect are below, without PROT_EXEC) */
    "brk",
    "munmap",
    "mremap",
    "madvise",
    /* signals */
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigaltstack",
    /* a worker thread's first calls, if it starts after the filter */
    "set_robust_list",
    "rseq",
    /* identity of the process (outfile_open asks the euid), exit */
    "getpid",
    "gettid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "exit",
    "exit_group",
    "getrandom",
    /* glibc's qsort (the TUI's sort) asks the memory size before a large merge */
    "sysinfo",
};

#ifdef PRIV_SECCOMP_SANITIZERS
/* LeakSanitizer at exit (StopTheWorld) and the sanitizers' report path. */
static const char *const priv_allow_sanitizers[] = {
    "clone",      "ptrace",     "wait4",
    "waitid",     "prctl",      "open",
    "getdents",   "getdents64", "sched_getaffinity",
    "getppid",    "kill",       "readlink",
    "readlinkat", "uname",
};
#endif

/* ioctl requests the terminal view makes. */
static const unsigned long priv_ioctl_ok[] = {
    TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ,
};

/* Socket option levels the capture sockets use. */
static const int priv_sockopt_levels[] = {SOL_PACKET, SOL_SOCKET};

/* --metrics-listen, --metrics-file, -o redis:// (see the top). */
static const char *const priv_allow_listen[] = {
    "accept", "accept4", "sendmsg", "recvmsg", "getsockname", "getpeername", "getdents64",
    "prlimit64",
};
static const char *const priv_allow_connect[] = {"connect"};
static const char *const priv_allow_tcp_io[] = {"recvfrom", "sendto", "shutdown"};
static const char *const priv_allow_file_replace[] = {
    "rename", "renameat", "renameat2", "unlink", "unlinkat",
};

bool
priv_seccomp_sanitizer_allowance(void)
{
#ifdef PRIV_SECCOMP_SANITIZERS
    return true;
#else
    return false;
#endif
}

/* Adds allow rules for each name that exists on this architecture. returns 0 or -errno. */
static int
priv_allow_names(scmp_filter_ctx ctx, const char *const *names, size_t n, const char **bad)
{
    for (size_t i = 0; i < n; i++) {
        int nr = seccomp_syscall_resolve_name(names[i]);
        int rc;

        if (nr == __NR_SCMP_ERROR)
            continue; /* not a call of this architecture (e.g. poll on arm64) */
        if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) != 0) {
            *bad = names[i];
            return rc;
        }
    }
    return 0;
}

/* Adds one rule for name with one argument comparison; skips unknown names. */
static int
priv_allow_cmp(scmp_filter_ctx ctx, const char *name, struct scmp_arg_cmp cmp, const char **bad)
{
    int nr = seccomp_syscall_resolve_name(name);
    int rc;

    if (nr == __NR_SCMP_ERROR)
        return 0;
    if ((rc = seccomp_rule_add_exact_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp)) != 0)
        *bad = name;
    return rc;
}

/* The rules of the features this run uses. */
static int
priv_build_needs(scmp_filter_ctx ctx, const struct priv_seccomp_needs *n, const char **bad)
{
    scmp_datum_t tcp = (scmp_datum_t)IPPROTO_TCP;
    int rc;

#define NAMES(list) priv_allow_names(ctx, list, sizeof(list) / sizeof(list[0]), bad)
    if (n->listen && (rc = NAMES(priv_allow_listen)) != 0)
        return rc;
    if (n->connect) {
        if ((rc = NAMES(priv_allow_connect)) != 0 ||
            (rc = priv_allow_cmp(ctx, "socket", SCMP_A0(SCMP_CMP_EQ, AF_INET), bad)) != 0 ||
            (rc = priv_allow_cmp(ctx, "socket", SCMP_A0(SCMP_CMP_EQ, AF_INET6), bad)) != 0)
            return rc;
    }
    if (n->file_replace && (rc = NAMES(priv_allow_file_replace)) != 0)
        return rc;
    if ((n->listen || n->connect) &&
        ((rc = NAMES(priv_allow_tcp_io)) != 0 ||
         (rc = priv_allow_cmp(ctx, "getsockopt", SCMP_A1(SCMP_CMP_EQ, tcp), bad)) != 0 ||
         (rc = priv_allow_cmp(ctx, "setsockopt", SCMP_A1(SCMP_CMP_EQ, tcp), bad)) != 0))
        return rc;
#undef NAMES
    return 0;
}

static int
priv_build(scmp_filter_ctx ctx, const char **bad)
{
    int rc;

    if ((rc = priv_allow_names(ctx, priv_allow_any,
                               sizeof(priv_allow_any) / sizeof(priv_allow_any[0]), bad)) != 0)
        return rc;
#ifdef PRIV_SECCOMP_SANITIZERS
    if ((rc = priv_allow_names(ctx, priv_allow_sanitizers,
                               sizeof(priv_allow_sanitizers) / sizeof(priv_allow_sanitizers[0]),
                               bad)) != 0)
        return rc;
#else
    /* a worker naming itself (it may start just before the filter) */
    if ((rc = priv_allow_cmp(ctx, "prctl", SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME), bad)) != 0)
        return rc;
#endif
    /* no executable mappings: mmap's and mprotect's prot is the third argument */
    if ((rc = priv_allow_cmp(ctx, "mmap", SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0), bad)) != 0 ||
        (rc = priv_allow_cmp(ctx, "mprotect", SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0), bad)) != 0)
        return rc;
    /* signals to this process only (abort, raise, pthread_kill) */
    if ((rc = priv_allow_cmp(ctx, "tgkill", SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()), bad)) !=
        0)
        return rc;
    for (size_t i = 0; i < sizeof(priv_ioctl_ok) / sizeof(priv_ioctl_ok[0]); i++) {
        /* the request is an int in the kernel: compare the low 32 bits only */
        rc = priv_allow_cmp(ctx, "ioctl",
                            SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, priv_ioctl_ok[i]), bad);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < sizeof(priv_sockopt_levels) / sizeof(priv_sockopt_levels[0]); i++) {
        scmp_datum_t level = (scmp_datum_t)priv_sockopt_levels[i];

        if ((rc = priv_allow_cmp(ctx, "getsockopt", SCMP_A1(SCMP_CMP_EQ, level), bad)) != 0 ||
            (rc = priv_allow_cmp(ctx, "setsockopt", SCMP_A1(SCMP_CMP_EQ, level), bad)) != 0)
            return rc;
    }
    return 0;
}

int
priv_seccomp_apply(const struct priv_seccomp_needs *needs, char *err)
{
    static const struct priv_seccomp_needs none;
    scmp_filter_ctx ctx;
    const char *bad = "";
    bool log_only;
    int rc;

    /* FLOWSTATE_SECCOMP_LOG: let the kernel log a forbidden call instead (finding a missing one) */
    log_only = getenv("FLOWSTATE_SECCOMP_LOG") != NULL;
    if ((ctx = seccomp_init(log_only ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS)) == NULL) {
        errbuf_printf(err, "seccomp: cannot create the filter");
        return -1;
    }
    if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) != 0 ||
        (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1)) != 0 ||
        (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0) {
        errbuf_printf(err, "seccomp: cannot set the filter attributes: %s", strerror(-rc));
        goto fail;
    }
    if ((rc = priv_build(ctx, &bad)) != 0 ||
        (rc = priv_build_needs(ctx, needs != NULL ? needs : &none, &bad)) != 0) {
        errbuf_printf(err, "seccomp: cannot add a rule for %s: %s", bad, strerror(-rc));
        goto fail;
    }
    if ((rc = seccomp_load(ctx)) != 0) {
        /* a positive value from TSYNC is the id of a thread that could not be synchronised */
        errbuf_printf(err, "seccomp: cannot load the filter: %s",
                      rc < 0 ? strerror(-rc) : "a thread refused it");
        goto fail;
    }
    seccomp_release(ctx);
    if (log_only)
        log_warn("FLOWSTATE_SECCOMP_LOG is set: calls outside the seccomp filter are logged "
                 "by the kernel, not refused");
    log_debug("seccomp filter on%s",
              priv_seccomp_sanitizer_allowance() ? " (with the sanitizer allowance)" : "");
    return 0;
fail:
    seccomp_release(ctx);
    return -1;
}
