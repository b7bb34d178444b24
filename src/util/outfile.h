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

/*
 * The run's output failure, one cell for the whole process: the first write
 * error on the records' stream (-o or standard output) or on the -w file.
 * From then on every writer skips its write(2) calls, the engine stops
 * reading, and main ends the run: silently with status 0 on EPIPE (the
 * reader went away, as tcpdump does), with a message and status 2 otherwise.
 * Thread rule: called only from the thread that runs the reporters and the
 * capture (the engine's), like the writers themselves.
 */
enum outfile_stream {
    OUTFILE_RECORDS = 1, /* -o, or standard output */
    OUTFILE_DUMP,        /* -w */
};

/* Records err (an errno value; 0 counts as EIO) for stream, unless a failure is already recorded. */
void outfile_fail(enum outfile_stream stream, int err);
/* errno of the recorded failure, 0 while every write succeeded. */
int outfile_error(void);
/* Which stream failed (0 while none did). */
enum outfile_stream outfile_failed_stream(void);

#endif
