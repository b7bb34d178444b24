/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TUI_LAYOUT_H
#define FLOWSTATE_TUI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/tui/tui_model.h"

/*
 * The state view's table and header as text, without curses: which columns
 * exist, what each cell says, which columns fit a terminal width, and the
 * state histogram bar. tui.c only positions these strings and colours them.
 *
 * Columns have a priority: a narrow terminal keeps the most important ones
 * (marks, addresses, server state, stuck time), a wide one adds the rest in
 * priority order (rates, RTT, ..., Zeek conn_state, history, start, uid),
 * always shown in the same left-to-right order.
 */

enum tui_col {
    TC_MARK = 0, /* '*' stuck, '!' violations, '?' inferred (midstream / roles guessed) */
    TC_CLIENT,
    TC_SERVER,
    TC_CST,
    TC_SST,
    TC_STUCK,   /* time stuck */
    TC_INSTATE, /* time since the latest endpoint state change */
    TC_IDLE,    /* time since the last packet */
    TC_DUR,     /* first to last packet */
    TC_PKTS,
    TC_BYTES,
    TC_RATE_CS, /* current bytes/s client -> server */
    TC_RATE_SC, /* current bytes/s server -> client */
    TC_RETR,
    TC_RTT,
    TC_VIOL,
    TC_HS,
    TC_CLOSE,
    TC_CONNST,
    TC_HIST,
    TC_START,
    TC_UID,
    TC_COUNT
};

struct tui_col_def {
    const char *title;
    bool right;        /* right-aligned (numbers) */
    uint8_t prio;      /* 0 = kept first */
    uint8_t min_width; /* typical content, so widths do not jump while scrolling */
    int sort;          /* enum tui_sort a click on the title selects, -1 = none */
};

extern const struct tui_col_def tui_cols[TC_COUNT];

#define TUI_CELL_LEN 64

/* Every cell of c's row; tot gives the view's clock for the rates. */
void tui_row_cells(const struct tui_conn *c, const struct tui_totals *tot,
                   char cell[TC_COUNT][TUI_CELL_LEN]);

/* Column title with the sort indicator (" v" / " ^") on the sort column. */
void tui_col_title(enum tui_col c, enum tui_sort sort, bool reverse, char *buf, size_t len);

struct tui_layout {
    int width[TC_COUNT]; /* 0 = not shown */
    int x[TC_COUNT];     /* start column of each shown one */
    int total;           /* width of a line */
};

/*
 * Fits the columns to `cols`: widths from the titles, the minimum widths and
 * rows[first..last) of v; columns join in priority order while they fit,
 * and when even the first ones do not, the addresses are clipped.
 */
void tui_layout_fit(struct tui_layout *l, const struct tui_view *v, size_t first, size_t last,
                    int cols, enum tui_sort sort, bool reverse);
/* One line from cells, padded to the widths (long addresses keep their right end). */
void tui_layout_line(const struct tui_layout *l, char cell[TC_COUNT][TUI_CELL_LEN], char *buf,
                     size_t len);
/* The column under screen column x, or -1. */
int tui_layout_col_at(const struct tui_layout *l, int x);

/* Single-letter name of an endpoint state in the histogram bar ("E" ESTABLISHED, ...). */
char tui_state_letter(enum tcp_state_id s);

/*
 * The state histogram: `width` cells, each state's share of by_state (its
 * letter repeated, largest remainders rounded up so the bar is full; a
 * state with any endpoint gets at least one cell when there is room), in
 * state order. cell_state[i] says which state cell i shows (TCP_ST_NONE for
 * an empty bar). buf gets the letters, NUL-terminated (len > width).
 */
void tui_state_bar(const uint64_t by_state[TCP_ST_COUNT], int width, char *buf, size_t len,
                   uint8_t *cell_state);

#endif
