/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TUI_H
#define FLOWSTATE_TUI_H

#include "report/report.h"

/*
 * The interactive state view (--tui; the default for a live capture on a
 * terminal): an htop/ss-like table of every connection with both endpoints'
 * RFC 9293 states, stuck connections first. Implements reporter_ops.tick;
 * the final tick shows the final table and blocks until the user quits.
 *
 * open() fails (returns -1 and a message in err) when stdout or stdin is not
 * a terminal, when output goes to a file, or when the terminal cannot be
 * initialised. From open() to close() the terminal is in curses mode; it is
 * restored by close(), and also on fatal()/fatalx() (log_set_cleanup), at
 * exit, and on SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGABRT before the signal is
 * re-raised.
 *
 * report_opts.stop: the quit key sets *stop = 1 so the engine ends the run.
 */
extern const struct reporter_ops report_tui_ops;

#endif
