/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_PRIV_H
#define FLOWSTATE_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * priv: what flowstate gives up once its capture handles and output files
 * are open, before the first packet is read. Three steps, in this order:
 *
 *   1. priv_user_lookup(): -Z USER is resolved at start-up, before anything
 *      is opened (an unknown user fails early; NSS is not reachable later).
 *   2. priv_drop(): capabilities and identity (below). Single-threaded: the
 *      kernel keeps capabilities per thread, so this runs before the worker
 *      threads exist, and they inherit the reduced set.
 *   3. priv_seccomp_apply(): the system-call filter, on every thread
 *      (TSYNC), after the workers, the reporters and the terminal are set up.
 *
 * Everything fails closed: an error is returned, and main stops the run
 * before a packet is read.
 */

/* -Z: the target account. */
struct priv_user {
    char *name; /* owned */
    uid_t uid;
    gid_t gid;
};

/* Resolves USER (getpwnam). returns 0, or -1 + err (unknown user, NSS error). */
int priv_user_lookup(const char *user, struct priv_user *u, char *err)
    __attribute__((warn_unused_result));
/* Frees u's name; u may be zeroed or NULL. */
void priv_user_fini(struct priv_user *u);

/* What the rest of the run still needs from priv_drop(). */
struct priv_needs {
    /*
     * -o is given and, running as root without -Z, the SIGHUP reopen may
     * have to create the new file in a directory root does not own: keep
     * CAP_DAC_OVERRIDE (tcpdump keeps it for -w's file rotation).
     */
    bool reopen_output;
};

/*
 * Gives up privileges. With u (-Z): clears the capability bounding set
 * (needs CAP_SETPCAP, so before the uid changes; without it a warning),
 * sets no_new_privs, then supplementary groups, gid and uid, and checks that
 * no capability is left and that uid 0 cannot be regained. When u is the
 * current identity already, this is the case below.
 * Without u: sets no_new_privs and drops every capability the process holds
 * (effective, permitted, inheritable, ambient; the bounding set too when
 * CAP_SETPCAP is held), e.g. CAP_NET_RAW and CAP_NET_ADMIN given by systemd's
 * AmbientCapabilities= or a file capability; as uid 0 the only exception is
 * CAP_DAC_OVERRIDE for needs->reopen_output. The uid is not changed.
 * Must run while the process has one thread. returns 0 or -1 + err.
 */
int priv_drop(const struct priv_user *u, const struct priv_needs *needs, char *err)
    __attribute__((warn_unused_result));

/*
 * Installs the system-call filter on every thread of the process: only the
 * calls the capture loop, the workers, the outputs (SIGHUP reopen included),
 * the terminal view and the exit path make are allowed, plus what needs
 * (NULL = none) asks for; any other call
 * (execve, fork, socket, ptrace, ...) kills the process with SIGSYS. A
 * build with --enable-sanitizers also allows the calls LeakSanitizer makes at
 * exit (clone, ptrace, wait4, prctl, ...; see priv_seccomp.c); execve stays
 * forbidden there too. Sets no_new_privs. Call it after every thread has been
 * created and every file the run needs has been opened (the -o reopen, the
 * kernel counters under /sys and stdio are the only later opens).
 * returns 0 or -1 + err.
 */
struct priv_seccomp_needs {
    bool listen;       /* --metrics-listen: accept and serve HTTP on the bound socket */
    bool connect;      /* -o redis://: TCP sockets to Redis, made and remade later */
    bool file_replace; /* --metrics-file: write PATH.tmp, rename it over PATH */
};

int priv_seccomp_apply(const struct priv_seccomp_needs *needs, char *err)
    __attribute__((warn_unused_result));

/* True when this build carries the sanitizer allowance (tests report it). */
bool priv_seccomp_sanitizer_allowance(void);

#endif
