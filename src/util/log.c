/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log: the one place that writes diagnostics. Owns the verbosity level and the
 * cleanup hook that runs before any fatal exit.
 */
#include <config.h>

#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*cleanup_fn)(void);
static int verbose;

void
log_set_cleanup(void (*fn)(void))
{
    cleanup_fn = fn;
}

void
log_set_verbose(int level)
{
    verbose = level;
}

/* format(printf, 1, 0): clang's -Wformat-nonliteral accepts fmt as a checked format. */
static void vlog(const char *fmt, va_list ap, const char *suffix) __attribute__((format(printf, 1, 0)));

static void
vlog(const char *fmt, va_list ap, const char *suffix)
{
    fputs("flowstate: ", stderr);
    vfprintf(stderr, fmt, ap);
    if (suffix != NULL)
        fprintf(stderr, ": %s", suffix);
    fputc('\n', stderr);
}

void
log_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(fmt, ap, NULL);
    va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
    va_list ap;

    if (verbose < 1)
        return;
    va_start(ap, fmt);
    vlog(fmt, ap, NULL);
    va_end(ap);
}

void
log_run_cleanup(void)
{
    void (*fn)(void) = cleanup_fn;

    cleanup_fn = NULL; /* a fatal error inside the hook must not recurse */
    if (fn != NULL)
        fn();
}

void
fatal(const char *fmt, ...)
{
    va_list ap;
    int saved = errno;

    log_run_cleanup();
    va_start(ap, fmt);
    vlog(fmt, ap, strerror(saved));
    va_end(ap);
    exit(2);
}

void
fatalx(const char *fmt, ...)
{
    va_list ap;

    log_run_cleanup();
    va_start(ap, fmt);
    vlog(fmt, ap, NULL);
    va_end(ap);
    exit(2);
}

void
errbuf_printf(char *err, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(err, ERRBUF_SIZE, fmt, ap);
    va_end(ap);
}
