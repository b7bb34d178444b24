/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * outfile: the one place output files are opened (see outfile.h). Used by
 * main for -o and its SIGHUP reopen and by the capture module for -w; it
 * also holds the run's one output-failure cell (outfile_fail).
 */
#include <config.h>

#include "util/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

int
outfile_open(const char *path, bool append, char *err)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    bool root = geteuid() == 0;
    int fd;

    if (root)
        flags |= O_NOFOLLOW;
    if ((fd = open(path, flags, 0666)) < 0) {
        if (root && errno == ELOOP)
            errbuf_printf(err,
                          "%s: is a symbolic link, which flowstate does not follow "
                          "when running as root",
                          path);
        else
            errbuf_printf(err, "%s: %s", path, strerror(errno));
    }
    return fd;
}

static int fail_errno;
static enum outfile_stream fail_stream;

void
outfile_fail(enum outfile_stream stream, int err)
{
    if (fail_errno != 0)
        return;
    fail_errno = err != 0 ? err : EIO;
    fail_stream = stream;
}

int
outfile_error(void)
{
    return fail_errno;
}

enum outfile_stream
outfile_failed_stream(void)
{
    return fail_stream;
}
