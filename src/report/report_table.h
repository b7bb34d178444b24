/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_REPORT_TABLE_H
#define FLOWSTATE_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The text table's columns and how they fit a terminal (report_text.c
 * fills them; doc/schema.md section 3 documents each one). Off a terminal
 * every column is shown: one fixed layout whatever COLUMNS says. On a
 * terminal, optional columns are dropped in TABLE_DROP_ORDER until the line
 * fits with room for TABLE_NOTES_MIN characters of notes; the last column,
 * Notes, then takes what is left, and a row's notes that need more go on
 * indented lines below it (report_text.c). Dropped analysis counters (Retr,
 * DupAck, ZeroWin, Lost) are not lost: the notes name them instead.
 */
enum table_col {
    TABLE_START,   /* first packet, UTC */
    TABLE_CLIENT,  /* addr:port */
    TABLE_CSTATE,  /* client's state */
    TABLE_SERVER,  /* addr:port */
    TABLE_SSTATE,  /* server's state */
    TABLE_DUR,     /* last minus first packet, human-readable */
    TABLE_PKTS,    /* both directions */
    TABLE_BYTES,   /* wire bytes, both directions */
    TABLE_RETR,    /* retransmitted segments, both sides */
    TABLE_DUPACK,  /* duplicate ACKs, both sides */
    TABLE_ZEROWIN, /* zero-window segments, both sides */
    TABLE_LOST,    /* segments missing from the capture, both sides */
    TABLE_RTT,     /* handshake RTT at the capture point */
    TABLE_CONN,    /* Zeek conn_state */
    TABLE_HISTORY, /* Zeek history */
    TABLE_NCOLS
};

#define TABLE_BIT(c)    (1u << (c))
#define TABLE_ALL       (TABLE_BIT(TABLE_NCOLS) - 1u)
/* Client, its state, server, its state: never dropped. */
#define TABLE_ESSENTIAL                                                                           \
    (TABLE_BIT(TABLE_CLIENT) | TABLE_BIT(TABLE_CSTATE) | TABLE_BIT(TABLE_SERVER) |                \
     TABLE_BIT(TABLE_SSTATE))
#define TABLE_NOTES_MIN 16
#define TABLE_SEP       2 /* blanks between columns */

extern const char *const report_table_title[TABLE_NCOLS];
extern const bool report_table_right[TABLE_NCOLS]; /* right-aligned (numbers) */
/* The optional columns, first dropped first (TABLE_NCOLS - 4 entries). */
extern const enum table_col report_table_drop_order[TABLE_NCOLS - 4];

/*
 * Which columns to show (a TABLE_BIT set) for lines of at most `cols`
 * characters; cols 0 means off a terminal: every column. width[c] is column
 * c's widest cell, title included. notes_width(visible, arg) returns the
 * widest Notes cell when `visible` is shown (0: every row's notes are
 * empty), since the notes name the dropped counters.
 */
unsigned report_table_fit(const size_t width[TABLE_NCOLS], size_t cols,
                          size_t (*notes_width)(unsigned visible, void *arg), void *arg);

/*
 * The width lines must fit for output fd: 0 when fd is not a terminal (the
 * fixed layout; COLUMNS is ignored then); otherwise the terminal's width
 * (TIOCGWINSZ), else a valid COLUMNS, else 80.
 */
size_t report_table_width(int fd);

#define REPORT_DURATION_MAX 24 /* longest report_duration_put() text, NUL included */

/*
 * A duration for people, truncated, never rounded up: "0s", "850us",
 * "2.5ms", "120ms", "12.0s", "5m 3s", "3h 7m", "4d 17h". buf has
 * REPORT_DURATION_MAX bytes. returns: the length (buf NUL-terminated).
 */
size_t report_duration_put(uint64_t ns, char *buf);

#endif
