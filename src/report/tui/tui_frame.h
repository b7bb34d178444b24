/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TUI_FRAME_H
#define FLOWSTATE_TUI_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A frame of the state view as a grid of cells, each one glyph (ASCII or
 * one UTF-8 character, such as a braille dot pattern) and one semantic role.
 * The screen code (tui_screen.c) draws into a frame without curses, so every
 * screen can be unit-tested as text; tui.c copies a frame to the terminal,
 * mapping each role to its colour pair or monochrome attribute.
 */

enum tui_role {
    TR_NORMAL = 0,
    TR_TITLE,
    TR_HEADER,
    TR_COLHEAD,
    TR_SORTCOL,
    TR_ENDED,
    TR_STUCK,
    TR_STUCK_SEL,
    TR_VIOLATION,
    TR_INFERRED,
    TR_SELECTED,
    TR_FOOTER,
    TR_FOOTKEY,
    TR_PROMPT,
    TR_PAUSED,
    TR_DROPS,
    /* state bar, one per family of states */
    TR_ST_SYN,
    TR_ST_EST,
    TR_ST_FINWAIT,
    TR_ST_CLOSEWAIT,
    TR_ST_CLOSING,
    TR_ST_TIMEWAIT,
    TR_ST_CLOSED,
    /* time-sequence graph */
    TR_G_SEQ,
    TR_G_ACK,
    TR_G_RETX,
    TR_G_AXIS,
    TR_G_RTT,
    TR_COUNT
};

#define TUI_GLYPH_LEN 5 /* one UTF-8 character and a NUL */

struct tui_cell {
    char g[TUI_GLYPH_LEN];
    uint8_t role;
};

struct tui_frame {
    int rows, cols;
    struct tui_cell *cell;  /* rows * cols, owned */
    int cursor_y, cursor_x; /* -1 = hidden */
};

void tui_frame_init(struct tui_frame *f);
void tui_frame_fini(struct tui_frame *f);
/* Sizes the grid (reallocating when it grew) and blanks it. */
void tui_frame_reset(struct tui_frame *f, int rows, int cols);
/*
 * Writes ASCII text s at (y, x) in role r, at most maxw cells (clipped to
 * the frame); returns the cells written. Bytes outside printable ASCII
 * become '?'.
 */
int tui_frame_put(struct tui_frame *f, int y, int x, const char *s, enum tui_role r, int maxw);
/* Text at (y, 0) in role r, then blanks in r to the right edge (a bar line). */
void tui_frame_line(struct tui_frame *f, int y, const char *s, enum tui_role r);
/* One glyph (a UTF-8 character or an ASCII one) at (y, x). */
void tui_frame_glyph(struct tui_frame *f, int y, int x, const char *g, enum tui_role r);
/* Sets the role of cells (y, x..x+n) without changing their glyphs. */
void tui_frame_paint(struct tui_frame *f, int y, int x, int n, enum tui_role r);
/* Row y as text (glyphs joined, trailing blanks kept) into buf. returns buf. */
char *tui_frame_row(const struct tui_frame *f, int y, char *buf, size_t len);

#endif
