/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * priv: -Z and capabilities, through libcap-ng. Owns the order in which
 * privileges go (bounding set while CAP_SETPCAP is still held, then
 * no_new_privs, then groups, gid, uid) and the checks that they are gone.
 * Called once by main, after the capture handles and the output files are
 * open and while the process has one thread (capabilities are per thread;
 * the workers started later inherit what is left). The system-call filter
 * is in priv_seccomp.c.
 *
 * What is dropped, by case (capabilities(7) for the sets):
 *  - -Z USER as root: the bounding set is emptied, no_new_privs set, then
 *    setgroups/setgid/setuid; leaving uid 0 without PR_SET_KEEPCAPS empties
 *    the permitted, effective and ambient sets, and the inheritable set is
 *    cleared here, so nothing is left and nothing can come back by execve.
 *  - no -Z, any uid: every capability is dropped (a service started with
 *    AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN, or a binary with a file
 *    capability, keeps none once its sockets are open); as root the only one
 *    kept is CAP_DAC_OVERRIDE when -o must be reopened on SIGHUP, as tcpdump
 *    built with libcap-ng keeps it for -w.
 */
#include <config.h>

#include "priv/priv.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "util/log.h"

/* Capability numbers to test: all that a 64-bit set can hold (invalid ones read as absent). */
#define PRIV_CAP_SCAN 64

int
priv_user_lookup(const char *user, struct priv_user *u, char *err)
{
    struct passwd *pw;

    memset(u, 0, sizeof(*u));
    errno = 0;
    if ((pw = getpwnam(user)) == NULL) {
        errbuf_printf(err, "-Z %s: %s", user, errno != 0 ? strerror(errno) : "no such user");
        return -1;
    }
    if ((u->name = strdup(pw->pw_name)) == NULL) {
        errbuf_printf(err, "-Z %s: %s", user, strerror(errno));
        return -1;
    }
    u->uid = pw->pw_uid;
    u->gid = pw->pw_gid;
    return 0;
}

void
priv_user_fini(struct priv_user *u)
{
    if (u == NULL)
        return;
    free(u->name);
    u->name = NULL;
}

/*
 * The first capability still held in any of the effective, permitted,
 * inheritable or ambient sets (or, with bounds, in the bounding set) other
 * than `except` (-1: none), read back from the kernel. returns the number,
 * -1 if none, -2 if the sets cannot be read.
 */
static int
priv_first_cap_left(bool bounds, int except)
{
    if (capng_get_caps_process() != 0)
        return -2;
    for (int i = 0; i < PRIV_CAP_SCAN; i++) {
        unsigned c = (unsigned)i;

        if (i == except)
            continue;
        if (capng_have_capability(CAPNG_EFFECTIVE, c) ||
            capng_have_capability(CAPNG_PERMITTED, c) ||
            capng_have_capability(CAPNG_INHERITABLE, c) ||
            capng_have_capability(CAPNG_AMBIENT, c) ||
            (bounds && capng_have_capability(CAPNG_BOUNDING_SET, c)))
            return i;
    }
    return -1;
}

static const char *
priv_cap_name(int cap)
{
    const char *n = capng_capability_to_name((unsigned)cap);

    return n != NULL ? n : "?";
}

/*
 * Empties the bounding set when CAP_SETPCAP is effective. returns 1 if
 * emptied, 0 if CAP_SETPCAP is missing (nothing done), -1 + err on failure.
 */
static int
priv_clear_bounding(char *err)
{
    int rc;

    if (capng_get_caps_process() != 0) {
        errbuf_printf(err, "cannot read the capability sets");
        return -1;
    }
    if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
        return 0;
    capng_clear(CAPNG_SELECT_BOUNDS);
    if ((rc = capng_apply(CAPNG_SELECT_BOUNDS)) != 0) {
        errbuf_printf(err, "cannot clear the capability bounding set (libcap-ng %d)", rc);
        return -1;
    }
    return 1;
}

static int
priv_set_no_new_privs(char *err)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
        errbuf_printf(err, "cannot set no_new_privs: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * Drops every capability of the calling thread but `keep` (-1: none) from
 * the effective, permitted and inheritable sets, and clears the ambient set.
 */
static int
priv_clear_caps(int keep, char *err)
{
    int rc;

    if (capng_get_caps_process() != 0) {
        errbuf_printf(err, "cannot read the capability sets");
        return -1;
    }
    keep = keep >= 0 && capng_have_capability(CAPNG_PERMITTED, (unsigned)keep) ? keep : -1;
    capng_clear(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT);
    if (keep >= 0)
        (void)capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, (unsigned)keep);
    if ((rc = capng_apply(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT)) != 0) {
        errbuf_printf(err, "cannot drop capabilities (libcap-ng %d)", rc);
        return -1;
    }
    return 0;
}

/* -Z to another account: see the file comment. */
static int
priv_switch_user(const struct priv_user *u, char *err)
{
    int left, bounded;

    if ((bounded = priv_clear_bounding(err)) < 0)
        goto fail;
    if (bounded == 0)
        log_warn("-Z %s: no CAP_SETPCAP, so the capability bounding set stays as it is "
                 "(no_new_privs still keeps any capability from coming back)",
                 u->name);
    if (priv_set_no_new_privs(err) != 0)
        goto fail;
    if (initgroups(u->name, u->gid) != 0) {
        errbuf_printf(err, "initgroups: %s", strerror(errno));
        goto fail;
    }
    if (setgid(u->gid) != 0) {
        errbuf_printf(err, "setgid(%lu): %s", (unsigned long)u->gid, strerror(errno));
        goto fail;
    }
    if (setuid(u->uid) != 0) {
        errbuf_printf(err, "setuid(%lu): %s", (unsigned long)u->uid, strerror(errno));
        goto fail;
    }
    /* Permitted and effective went with uid 0; inheritable and ambient are cleared here. */
    if (u->uid != 0 && priv_clear_caps(-1, err) != 0)
        goto fail;
    if (getuid() != u->uid || geteuid() != u->uid || getgid() != u->gid || getegid() != u->gid ||
        (u->uid != 0 && setuid(0) == 0)) {
        errbuf_printf(err, "privileges were not dropped");
        goto fail;
    }
    if (u->uid != 0 && (left = priv_first_cap_left(bounded == 1, -1)) != -1) {
        errbuf_printf(err, "capability %s is still held", left >= 0 ? priv_cap_name(left) : "?");
        goto fail;
    }
    log_debug("running as %s (uid %lu, gid %lu), no capabilities%s", u->name, (unsigned long)u->uid,
              (unsigned long)u->gid, bounded == 1 ? ", empty bounding set" : "");
    return 0;
fail : {
    char msg[ERRBUF_SIZE];

    snprintf(msg, sizeof(msg), "%s", err);
    errbuf_printf(err, "-Z %s: %s", u->name, msg);
}
    return -1;
}

/* No -Z (or -Z naming the current identity): keep the uid, drop the capabilities. */
static int
priv_drop_caps(const struct priv_needs *needs, char *err)
{
    int keep = -1, left, bounded;

    if (geteuid() == 0 && needs != NULL && needs->reopen_output)
        keep = CAP_DAC_OVERRIDE;
    if ((bounded = priv_clear_bounding(err)) < 0)
        return -1;
    if (priv_set_no_new_privs(err) != 0)
        return -1;
    if (priv_clear_caps(keep, err) != 0)
        return -1;
    if ((left = priv_first_cap_left(bounded == 1, keep)) != -1) {
        errbuf_printf(err, "capability %s is still held", left >= 0 ? priv_cap_name(left) : "?");
        return -1;
    }
    log_debug("capabilities dropped%s%s", keep >= 0 ? " but CAP_DAC_OVERRIDE (-o reopen)" : "",
              bounded == 1 ? ", empty bounding set" : "");
    return 0;
}

int
priv_drop(const struct priv_user *u, const struct priv_needs *needs, char *err)
{
    if (u != NULL && u->name != NULL &&
        !(getuid() == u->uid && geteuid() == u->uid && getgid() == u->gid && getegid() == u->gid))
        return priv_switch_user(u, err);
    return priv_drop_caps(needs, err);
}
