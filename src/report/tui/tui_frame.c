/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_frame: the cell grid every screen of the state view is drawn into
 * (tui_frame.h). Owns the cells; every write is clipped to the grid, so the
 * screen code can place text without checking the terminal size.
 */
#include <config.h>

#include "report/tui/tui_frame.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void
tui_frame_init(struct tui_frame *f)
{
    memset(f, 0, sizeof(*f));
    f->cursor_y = f->cursor_x = -1;
}

void
tui_frame_fini(struct tui_frame *f)
{
    free(f->cell);
    memset(f, 0, sizeof(*f));
}

void
tui_frame_reset(struct tui_frame *f, int rows, int cols)
{
    size_t n, i;

    if (rows < 0)
        rows = 0;
    if (cols < 0)
        cols = 0;
    n = (size_t)rows * (size_t)cols;
    if (n > (size_t)f->rows * (size_t)f->cols || f->cell == NULL)
        f->cell = xreallocarray(f->cell, n > 0 ? n : 1, sizeof(*f->cell));
    f->rows = rows;
    f->cols = cols;
    for (i = 0; i < n; i++) {
        f->cell[i].g[0] = ' ';
        f->cell[i].g[1] = '\0';
        f->cell[i].role = TR_NORMAL;
    }
    f->cursor_y = f->cursor_x = -1;
}

static struct tui_cell *
at(struct tui_frame *f, int y, int x)
{
    if (y < 0 || y >= f->rows || x < 0 || x >= f->cols)
        return NULL;
    return &f->cell[(size_t)y * (size_t)f->cols + (size_t)x];
}

int
tui_frame_put(struct tui_frame *f, int y, int x, const char *s, enum tui_role r, int maxw)
{
    int n = 0;
    struct tui_cell *c;

    for (; *s != '\0' && n < maxw; s++, n++) {
        if ((c = at(f, y, x + n)) == NULL)
            break;
        c->g[0] = *s >= 32 && *s < 127 ? *s : '?';
        c->g[1] = '\0';
        c->role = (uint8_t)r;
    }
    return n;
}

void
tui_frame_line(struct tui_frame *f, int y, const char *s, enum tui_role r)
{
    int n = tui_frame_put(f, y, 0, s, r, f->cols);

    tui_frame_paint(f, y, n, f->cols - n, r);
}

void
tui_frame_glyph(struct tui_frame *f, int y, int x, const char *g, enum tui_role r)
{
    struct tui_cell *c = at(f, y, x);
    size_t len = strlen(g);

    if (c == NULL)
        return;
    if (len >= TUI_GLYPH_LEN)
        len = TUI_GLYPH_LEN - 1;
    memcpy(c->g, g, len);
    c->g[len] = '\0';
    c->role = (uint8_t)r;
}

void
tui_frame_paint(struct tui_frame *f, int y, int x, int n, enum tui_role r)
{
    struct tui_cell *c;
    int i;

    for (i = 0; i < n; i++)
        if ((c = at(f, y, x + i)) != NULL)
            c->role = (uint8_t)r;
}

char *
tui_frame_row(const struct tui_frame *f, int y, char *buf, size_t len)
{
    size_t used = 0, gl;
    int x;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (y < 0 || y >= f->rows)
        return buf;
    for (x = 0; x < f->cols; x++) {
        const char *g = f->cell[(size_t)y * (size_t)f->cols + (size_t)x].g;

        gl = strlen(g);
        if (used + gl + 1 > len)
            break;
        memcpy(buf + used, g, gl);
        used += gl;
    }
    buf[used] = '\0';
    return buf;
}
