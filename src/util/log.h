/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_LOG_H
#define FLOWSTATE_LOG_H

#include <stddef.h>

/*
 * Diagnostics to stderr, prefixed with the program name (tmux log.c).
 * fatal() appends strerror(errno); fatalx() does not. Both run the cleanup
 * hook registered with log_set_cleanup() first (the TUI uses it to restore the
 * terminal, htop CRT_done), then exit(2). Never called per packet.
 */
#define ERRBUF_SIZE 256

void log_set_cleanup(void (*fn)(void));
/* Runs the cleanup hook once, now (the second-SIGINT exit path). */
void log_run_cleanup(void);
void log_set_verbose(int level);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Formats into a caller-owned error buffer of ERRBUF_SIZE bytes (libpcap errbuf). */
void errbuf_printf(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
