/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_OUTFILE_H
#define FLOWSTATE_OUTFILE_H

#include <stdbool.h>

/*
 * outfile: opens the files flowstate writes (-o, -w, the SIGHUP reopen).
 * Running as root (effective uid 0) the last path component must not be a
 * symbolic link (O_NOFOLLOW): a user who can write the log directory cannot
 * point root at /etc/shadow. Other users follow links as usual. The mode is
 * 0666 less the umask, as fopen(3) gives.
 */

/*
 * Opens path for writing, created if missing, truncated (append false) or
 * appended to (append true), close-on-exec. returns the descriptor (owned),
 * or -1 + err (which names the path; a refused link says so).
 */
int outfile_open(const char *path, bool append, char *err) __attribute__((warn_unused_result));

#endif
