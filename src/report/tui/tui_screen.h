/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TUI_SCREEN_H
#define FLOWSTATE_TUI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/tui/tui_frame.h"
#include "report/tui/tui_layout.h"
#include "report/tui/tui_model.h"

/*
 * The state view's screens and keys, without curses: what the user sees
 * (header with the state bar and drop warnings, the table, the detail pane,
 * help, text pop-ups, the prompt, the footer) rendered into a tui_frame, and
 * what each key or mouse event does. tui.c reads the terminal, translates
 * its input into struct tui_input, and copies frames to the screen; the
 * unit tests drive a screen the same way without a terminal.
 */

/* Input codes: printable ASCII and control characters as themselves, then these. */
enum tui_key {
    TK_UP = 0x100,
    TK_DOWN,
    TK_LEFT,
    TK_RIGHT,
    TK_PGUP,
    TK_PGDN,
    TK_HOME,
    TK_END,
    TK_ENTER,
    TK_ESC,
    TK_BACKSPACE,
    TK_RESIZE,
    TK_MOUSE,
    TK_F0 = 0x200 /* TK_F0 + n = function key Fn */
};

#define TK_CTRL(c) ((c)&0x1f)

enum tui_mouse { TUI_MOUSE_PRESS = 0, TUI_MOUSE_WHEEL_UP, TUI_MOUSE_WHEEL_DOWN };

struct tui_input {
    int key;              /* enum tui_key or a character */
    int y, x;             /* TK_MOUSE: cell */
    enum tui_mouse mouse; /* TK_MOUSE: what happened */
    uint64_t ms;          /* monotonic milliseconds (double clicks); 0 in tests is fine */
};

enum tui_mode { TUI_MODE_TABLE = 0, TUI_MODE_DETAIL, TUI_MODE_HELP, TUI_MODE_TEXT };
enum tui_prompt { TUI_PROMPT_NONE = 0, TUI_PROMPT_FILTER, TUI_PROMPT_WRITE };

struct tui_screen;

/*
 * Actions on the selected connection that need more than the records (the
 * packets: tui_export.c / the graph). May be NULL. Each returns 0 or -1
 * with a message in msg; text pop-ups get owned lines.
 */
struct tui_actions {
    void *arg;
    /* w: the connection's packets into a pcap file at path */
    int (*write_pcap)(void *arg, const struct tui_conn *c, const char *path, char *msg, size_t len);
    /* b, J: text to show (BPF, EVE record); *out owned by the caller, '\n' between lines */
    int (*bpf)(void *arg, const struct tui_conn *c, char **out, char *msg, size_t len);
    int (*eve)(void *arg, const struct tui_conn *c, char **out, char *msg, size_t len);
    /* the detail pane's picture: draws c's graph into f at (y, x, h, w); returns rows used */
    int (*graph)(void *arg, const struct tui_conn *c, struct tui_frame *f, int y, int x, int h,
                 int w);
};

struct tui_screen_cfg {
    bool live; /* live capture (header says live, not replay) */
    struct tui_model_cfg model;
    struct tui_actions act;
};

struct tui_screen {
    struct tui_screen_cfg cfg;
    struct tui_model m;
    struct tui_view v;
    enum tui_mode mode;
    enum tui_prompt prompt;
    bool final, paused, quit, dirty;
    enum tui_sort sort;
    bool reverse;
    struct tui_filter filter;
    char input[TUI_FILTER_LEN * 4];
    size_t input_len;
    size_t sel, top, detail_top, text_top;
    uint64_t sel_id;
    bool have_sel;
    /* geometry of the last frame (mouse hit tests, paging) */
    int rows, cols, table_y, table_h;
    struct tui_layout lay;
    int foot_x[16], foot_w[16], foot_key[16], n_foot;
    long click_row;
    uint64_t click_ms;
    char status[256];        /* one-shot message on the footer line */
    enum tui_mode text_back; /* where a text pop-up returns */
    char *text;              /* TUI_MODE_TEXT: owned, '\n' between lines */
    size_t text_len;
    char text_title[96];
    char (*detail_lines)[TUI_LINE_LEN];
};

void tui_screen_init(struct tui_screen *s, const struct tui_screen_cfg *cfg);
void tui_screen_fini(struct tui_screen *s);

/* Model hooks (the reporter callbacks). */
void tui_screen_tick(struct tui_screen *s, const struct flow_record *live, size_t n,
                     const struct stats_record *st, bool final);
void tui_screen_flow_end(struct tui_screen *s, const struct flow_record *r);
/* Points the view at the latest data unless paused (before a frame is drawn). */
void tui_screen_refresh(struct tui_screen *s);

/* One key or mouse event. Sets s->quit for the quit key, s->dirty when the screen changed. */
void tui_screen_input(struct tui_screen *s, const struct tui_input *in);

/* Renders the current screen into f at rows x cols. */
void tui_screen_render(struct tui_screen *s, struct tui_frame *f, int rows, int cols);

/* The selected connection, or NULL. */
const struct tui_conn *tui_screen_selected(const struct tui_screen *s);

#endif
