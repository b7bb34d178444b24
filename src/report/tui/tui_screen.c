/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_screen: the state view's screens and keys (tui_screen.h), as a pure
 * function of the model, the view state and the frame size: no terminal,
 * no clock (double clicks use the time the input carries).
 *
 * Layout of a frame, top to bottom: the header (title; rates and counters;
 * the state bar; sort, filter and row counts; a red drop warning line when
 * packets or connections were lost), then the body (the table with its
 * column titles, the detail pane, the help, or a text pop-up), and the
 * footer (keys, a prompt or a one-shot message) on the last line.
 */
#include <config.h>

#include "report/tui/tui_screen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"

#define NS_PER_SEC      UINT64_C(1000000000)
#define DETAIL_MAX      128
#define DOUBLE_CLICK_MS 400
#define WHEEL_ROWS      3
#define BAR_MAX         40 /* state bar cells on a wide terminal */

/* ---- life cycle and data -------------------------------------------------------- */

void
tui_screen_init(struct tui_screen *s, const struct tui_screen_cfg *cfg)
{
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    tui_model_init(&s->m, &cfg->model);
    tui_view_init(&s->v);
    s->click_row = -1;
    s->dirty = true;
}

void
tui_screen_fini(struct tui_screen *s)
{
    tui_view_fini(&s->v);
    tui_model_fini(&s->m);
    free(s->detail_lines);
    free(s->text);
    memset(s, 0, sizeof(*s));
}

static int
table_height(const struct tui_screen *s)
{
    return s->table_h > 0 ? s->table_h : 1;
}

/* Keeps sel inside the rows and visible; remembers which connection it is. */
static void
clamp_selection(struct tui_screen *s)
{
    size_t h = (size_t)table_height(s);

    if (s->v.n_rows == 0) {
        s->sel = s->top = 0;
        return;
    }
    if (s->sel >= s->v.n_rows)
        s->sel = s->v.n_rows - 1;
    if (s->sel < s->top)
        s->top = s->sel;
    if (s->sel >= s->top + h)
        s->top = s->sel - h + 1;
    if (s->top + h > s->v.n_rows)
        s->top = s->v.n_rows > h ? s->v.n_rows - h : 0;
    s->sel_id = s->v.rows[s->sel]->rec.flow_id;
    s->have_sel = true;
}

/* Re-sorts and keeps the same connection selected (htop follows the process). */
static void
rearrange(struct tui_screen *s)
{
    long i;

    tui_view_arrange(&s->v, s->sort, s->reverse, &s->filter);
    if (s->have_sel && (i = tui_view_find(&s->v, s->sel_id)) >= 0)
        s->sel = (size_t)i;
    clamp_selection(s);
}

void
tui_screen_refresh(struct tui_screen *s)
{
    if (s->paused)
        return;
    if (tui_view_capture(&s->v, &s->m))
        rearrange(s);
}

void
tui_screen_tick(struct tui_screen *s, const struct flow_record *live, size_t n,
                const struct stats_record *st, bool final)
{
    tui_model_tick(&s->m, live, n, st, final);
    if (final) {
        s->final = true;
        if (s->paused) { /* the end shows everything */
            s->paused = false;
            tui_model_freeze(&s->m, false);
        }
    }
    s->dirty = true;
}

void
tui_screen_flow_end(struct tui_screen *s, const struct flow_record *r)
{
    tui_model_flow_end(&s->m, r);
}

const struct tui_conn *
tui_screen_selected(const struct tui_screen *s)
{
    return s->v.n_rows > 0 && s->sel < s->v.n_rows ? s->v.rows[s->sel] : NULL;
}

/* ---- input ------------------------------------------------------------------------ */

static void
move_sel(struct tui_screen *s, long delta)
{
    long n = (long)s->v.n_rows, i = (long)s->sel + delta;

    if (n == 0)
        return;
    if (i < 0)
        i = 0;
    if (i >= n)
        i = n - 1;
    s->sel = (size_t)i;
    s->detail_top = 0;
    clamp_selection(s);
}

static void
scroll(size_t *top, long delta)
{
    long t = (long)*top + delta;

    *top = t < 0 ? 0 : (size_t)t;
}

static void
set_sort(struct tui_screen *s, enum tui_sort k)
{
    s->sort = k;
    s->top = 0;
    rearrange(s);
}

static void
show_text(struct tui_screen *s, const char *title, char *text)
{
    free(s->text);
    s->text = text;
    s->text_top = 0;
    snprintf(s->text_title, sizeof(s->text_title), "%s", title);
    s->text_back = s->mode;
    s->mode = TUI_MODE_TEXT;
}

/* b / J: a text pop-up about the selected connection from an action. */
static void
text_action(struct tui_screen *s,
            int (*fn)(void *, const struct tui_conn *, char **, char *, size_t), const char *title)
{
    const struct tui_conn *c = tui_screen_selected(s);
    char *out = NULL;

    if (c == NULL) {
        snprintf(s->status, sizeof(s->status), "no connection selected");
        return;
    }
    if (fn == NULL) {
        snprintf(s->status, sizeof(s->status), "not available in this build");
        return;
    }
    if (fn(s->cfg.act.arg, c, &out, s->status, sizeof(s->status)) != 0) {
        free(out);
        return;
    }
    show_text(s, title, out);
}

static void
start_write_prompt(struct tui_screen *s)
{
    const struct tui_conn *c = tui_screen_selected(s);

    if (c == NULL) {
        snprintf(s->status, sizeof(s->status), "no connection selected");
        return;
    }
    s->prompt = TUI_PROMPT_WRITE;
    snprintf(s->input, sizeof(s->input), "flowstate-%s.pcap",
             c->rec.uid[0] != '\0' ? c->rec.uid : "conn");
    s->input_len = strlen(s->input);
}

static void
prompt_done(struct tui_screen *s)
{
    const struct tui_conn *c = tui_screen_selected(s);

    if (s->prompt == TUI_PROMPT_WRITE && s->input_len > 0 && c != NULL) {
        if (s->cfg.act.write_pcap == NULL)
            snprintf(s->status, sizeof(s->status), "not available in this build");
        else
            (void)s->cfg.act.write_pcap(s->cfg.act.arg, c, s->input, s->status, sizeof(s->status));
        s->input[0] = '\0';
        s->input_len = 0;
    }
    s->prompt = TUI_PROMPT_NONE;
}

static void
prompt_key(struct tui_screen *s, int ch)
{
    bool filter = s->prompt == TUI_PROMPT_FILTER;

    switch (ch) {
    case TK_ESC:
        s->input[0] = '\0';
        s->input_len = 0;
        s->prompt = TUI_PROMPT_NONE;
        break;
    case TK_ENTER:
    case '\n':
    case '\r':
        prompt_done(s);
        break;
    case TK_CTRL('u'):
        s->input[0] = '\0';
        s->input_len = 0;
        break;
    case TK_BACKSPACE:
    case 127:
    case TK_CTRL('h'):
        if (s->input_len > 0)
            s->input[--s->input_len] = '\0';
        break;
    default:
        if (ch >= 32 && ch < 127 &&
            s->input_len + 1 < (filter ? TUI_FILTER_LEN : sizeof(s->input))) {
            s->input[s->input_len++] = (char)ch;
            s->input[s->input_len] = '\0';
        }
        break;
    }
    if (filter) { /* the table follows the text as it is typed */
        tui_filter_parse(s->input, &s->filter);
        rearrange(s);
    }
}

static void
toggle_pause(struct tui_screen *s)
{
    if (s->final)
        return; /* nothing more is coming */
    s->paused = !s->paused;
    tui_model_freeze(&s->m, s->paused);
    if (!s->paused)
        tui_screen_refresh(s);
}

/* Keys that mean the same in every mode. returns true when handled. */
static bool
global_key(struct tui_screen *s, int ch)
{
    switch (ch) {
    case 'q':
    case 'Q':
    case TK_F0 + 10:
        s->quit = true;
        return true;
    case 'p':
    case ' ':
        toggle_pause(s);
        return true;
    case TK_RESIZE:
    case TK_CTRL('l'):
        return true;
    default:
        return false;
    }
}

/* Up/down/page/home/end over a scrolled text of n lines in h rows. */
static bool
scroll_key(size_t *top, int ch, long page)
{
    switch (ch) {
    case TK_UP:
    case 'k':
        scroll(top, -1);
        return true;
    case TK_DOWN:
    case 'j':
        scroll(top, 1);
        return true;
    case TK_PGUP:
        scroll(top, -page);
        return true;
    case TK_PGDN:
        scroll(top, page);
        return true;
    case TK_HOME:
    case 'g':
        *top = 0;
        return true;
    case TK_END:
    case 'G':
        *top = SIZE_MAX / 2; /* clamped when drawn */
        return true;
    default:
        return false;
    }
}

static void
table_key(struct tui_screen *s, int ch)
{
    long page = table_height(s) > 1 ? table_height(s) - 1 : 1;

    switch (ch) {
    case 'h':
    case '?':
    case TK_F0 + 1:
        s->mode = TUI_MODE_HELP;
        break;
    case TK_ENTER:
    case '\n':
    case '\r':
        if (s->v.n_rows > 0) {
            s->mode = TUI_MODE_DETAIL;
            s->detail_top = 0;
        }
        break;
    case 's':
    case '>':
    case TK_F0 + 6:
        set_sort(s, (enum tui_sort)(((int)s->sort + 1) % TUI_SORT_COUNT));
        break;
    case 'S':
    case '<':
        set_sort(s, (enum tui_sort)(((int)s->sort + TUI_SORT_COUNT - 1) % TUI_SORT_COUNT));
        break;
    case 'r':
    case 'I':
        s->reverse = !s->reverse;
        rearrange(s);
        break;
    case 'f':
    case '/':
    case '\\':
    case TK_F0 + 3:
    case TK_F0 + 4:
        s->prompt = TUI_PROMPT_FILTER;
        snprintf(s->input, sizeof(s->input), "%s",
                 s->filter.kind == TUI_FILTER_NONE ? "" : s->filter.text);
        s->input_len = strlen(s->input);
        break;
    case TK_ESC:
        if (s->filter.kind != TUI_FILTER_NONE) { /* Esc in the table clears the filter */
            tui_filter_parse("", &s->filter);
            rearrange(s);
        }
        break;
    case 'w':
        start_write_prompt(s);
        break;
    case 'b':
        text_action(s, s->cfg.act.bpf, "BPF filter of the selected connection");
        break;
    case 'J':
    case 'e':
        text_action(s, s->cfg.act.eve, "EVE record of the selected connection");
        break;
    case TK_UP:
    case 'k':
        move_sel(s, -1);
        break;
    case TK_DOWN:
    case 'j':
        move_sel(s, 1);
        break;
    case TK_PGUP:
        move_sel(s, -page);
        break;
    case TK_PGDN:
        move_sel(s, page);
        break;
    case TK_HOME:
    case 'g':
        move_sel(s, -(long)s->v.n_rows);
        break;
    case TK_END:
    case 'G':
        move_sel(s, (long)s->v.n_rows);
        break;
    default:
        s->dirty = false;
        break;
    }
}

static void
detail_key(struct tui_screen *s, int ch)
{
    long page = table_height(s) > 1 ? table_height(s) - 1 : 1;

    switch (ch) {
    case TK_ESC:
    case TK_ENTER:
    case '\n':
    case '\r':
    case TK_LEFT:
        s->mode = TUI_MODE_TABLE;
        break;
    case 'n': /* next / previous connection without leaving the pane */
    case TK_RIGHT:
        move_sel(s, 1);
        break;
    case 'N':
        move_sel(s, -1);
        break;
    case 'h':
    case '?':
    case TK_F0 + 1:
        s->mode = TUI_MODE_HELP;
        break;
    case 'w':
        start_write_prompt(s);
        break;
    case 'b':
        text_action(s, s->cfg.act.bpf, "BPF filter of the selected connection");
        break;
    case 'J':
    case 'e':
        text_action(s, s->cfg.act.eve, "EVE record of the selected connection");
        break;
    default:
        if (!scroll_key(&s->detail_top, ch, page))
            s->dirty = false;
        break;
    }
}

static int
foot_hit(const struct tui_screen *s, int x)
{
    int i;

    for (i = 0; i < s->n_foot; i++)
        if (x >= s->foot_x[i] && x < s->foot_x[i] + s->foot_w[i])
            return s->foot_key[i];
    return 0;
}

static void
mouse_table(struct tui_screen *s, const struct tui_input *in)
{
    long row;
    int col;

    if (in->y == s->table_y - 1) { /* column titles: sort by it, again to reverse (htop) */
        col = tui_layout_col_at(&s->lay, in->x);
        if (col < 0 || tui_cols[col].sort < 0)
            return;
        if ((int)s->sort == tui_cols[col].sort) {
            s->reverse = !s->reverse;
            rearrange(s);
        } else {
            s->reverse = false;
            set_sort(s, (enum tui_sort)tui_cols[col].sort);
        }
        return;
    }
    if (in->y < s->table_y || in->y >= s->table_y + s->table_h)
        return;
    row = (long)s->top + (in->y - s->table_y);
    if (row >= (long)s->v.n_rows)
        return;
    if (row == s->click_row && in->ms - s->click_ms <= DOUBLE_CLICK_MS && (size_t)row == s->sel) {
        s->mode = TUI_MODE_DETAIL; /* double click opens it, like Enter */
        s->detail_top = 0;
        s->click_row = -1;
        return;
    }
    s->sel = (size_t)row;
    clamp_selection(s);
    s->click_row = row;
    s->click_ms = in->ms;
}

static void
mouse_event(struct tui_screen *s, const struct tui_input *in)
{
    int k;

    if (in->mouse == TUI_MOUSE_WHEEL_UP || in->mouse == TUI_MOUSE_WHEEL_DOWN) {
        long d = in->mouse == TUI_MOUSE_WHEEL_UP ? -WHEEL_ROWS : WHEEL_ROWS;

        if (s->mode == TUI_MODE_DETAIL)
            scroll(&s->detail_top, d);
        else if (s->mode == TUI_MODE_TEXT)
            scroll(&s->text_top, d);
        else if (s->mode == TUI_MODE_TABLE)
            move_sel(s, d);
        return;
    }
    if (s->mode == TUI_MODE_HELP) {
        s->mode = TUI_MODE_TABLE;
        return;
    }
    if (in->y == s->rows - 1 && s->prompt == TUI_PROMPT_NONE && (k = foot_hit(s, in->x)) != 0) {
        struct tui_input key = {k, 0, 0, TUI_MOUSE_PRESS, in->ms};

        tui_screen_input(s, &key);
        return;
    }
    if (s->mode == TUI_MODE_TABLE)
        mouse_table(s, in);
}

void
tui_screen_input(struct tui_screen *s, const struct tui_input *in)
{
    int ch = in->key;

    s->dirty = true;
    s->status[0] = '\0';
    if (ch == TK_MOUSE) {
        mouse_event(s, in);
        return;
    }
    if (s->prompt != TUI_PROMPT_NONE) {
        prompt_key(s, ch);
        return;
    }
    if (s->mode == TUI_MODE_HELP) { /* any key closes the help; q still quits */
        s->mode = TUI_MODE_TABLE;
        if (ch == 'q' || ch == 'Q' || ch == TK_F0 + 10)
            s->quit = true;
        return;
    }
    if (global_key(s, ch))
        return;
    switch (s->mode) {
    case TUI_MODE_TABLE:
        table_key(s, ch);
        break;
    case TUI_MODE_DETAIL:
        detail_key(s, ch);
        break;
    case TUI_MODE_TEXT:
        if (ch == TK_ESC || ch == TK_ENTER || ch == '\n' || ch == '\r' || ch == TK_LEFT)
            s->mode = s->text_back;
        else if (!scroll_key(&s->text_top, ch, table_height(s) - 1))
            s->dirty = false;
        break;
    case TUI_MODE_HELP:
        break;
    }
}

/* ---- rendering: header ----------------------------------------------------------- */

static enum tui_role
state_role(uint8_t st)
{
    switch ((enum tcp_state_id)st) {
    case TCP_ST_SYN_SENT:
    case TCP_ST_SYN_RECEIVED:
        return TR_ST_SYN;
    case TCP_ST_ESTABLISHED:
        return TR_ST_EST;
    case TCP_ST_FIN_WAIT_1:
    case TCP_ST_FIN_WAIT_2:
        return TR_ST_FINWAIT;
    case TCP_ST_CLOSE_WAIT:
        return TR_ST_CLOSEWAIT;
    case TCP_ST_CLOSING:
    case TCP_ST_LAST_ACK:
        return TR_ST_CLOSING;
    case TCP_ST_TIME_WAIT:
        return TR_ST_TIMEWAIT;
    case TCP_ST_CLOSED:
        return TR_ST_CLOSED;
    case TCP_ST_NONE:
    case TCP_ST_COUNT:
        break;
    }
    return TR_HEADER;
}

static bool
has_drops(const struct tui_totals *t)
{
    return t->kernel_drops != 0 || t->untracked != 0 || t->evicted != 0;
}

/* The drop warning: what each kind of loss means for the states on screen. */
static void
drops_text(const struct tui_totals *t, char *buf, size_t len)
{
    char a[16];
    size_t used = 0;

    buf[0] = '\0';
    if (t->kernel_drops != 0)
        used += (size_t)snprintf(buf + used, len - used,
                                 "kernel dropped %s pkts: states may be stale (a lost FIN, RST "
                                 "or ACK is never seen), stuck and violation marks may be false",
                                 tui_fmt_si((double)t->kernel_drops, a, sizeof(a)));
    if (t->untracked != 0 && used < len)
        used += (size_t)snprintf(buf + used, len - used,
                                 "%stable full: %s pkts untracked, their connections are missing",
                                 used ? "; " : "", tui_fmt_si((double)t->untracked, a, sizeof(a)));
    if (t->evicted != 0 && used < len)
        snprintf(buf + used, len - used,
                 "%s%s connections evicted to make room: their records end early", used ? "; " : "",
                 tui_fmt_si((double)t->evicted, a, sizeof(a)));
}

static int
draw_header(struct tui_screen *s, struct tui_frame *f)
{
    const struct tui_totals *tot = &s->v.tot;
    char line[512], a[16], b[16], ts[40], bar[BAR_MAX + 1];
    uint8_t cell_state[BAR_MAX];
    int bw = f->cols >= 160 ? BAR_MAX : f->cols >= 100 ? 24 : 16;
    time_t secs = (time_t)(tot->ts_ns / NS_PER_SEC);
    struct tm tm;
    int x, st, y = 0, i;
    uint64_t drops = tot->kernel_drops + tot->untracked + tot->evicted;

    if (tot->ts_ns != 0 && gmtime_r(&secs, &tm) != NULL)
        strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S UTC", &tm);
    else
        snprintf(ts, sizeof(ts), "-");
    snprintf(line, sizeof(line), "flowstate  %s  %s  pkts %" PRIu64,
             s->final ? "final" : (s->cfg.live ? "live" : "replay"), ts, tot->pkts);
    tui_frame_line(f, y, line, TR_TITLE);
    if (s->paused)
        tui_frame_put(f, y, f->cols - 8 > 0 ? f->cols - 8 : 0, " PAUSED ", TR_PAUSED, 8);
    y++;

    x = snprintf(line, sizeof(line),
                 "%spkts/s %s  bits/s %s  flows %" PRIu64 " active %" PRIu64 " tcp  stuck %" PRIu64
                 "  ended %" PRIu64 "%s  ",
                 tot->final ? "avg " : "", tui_fmt_si(tot->pps, a, sizeof(a)),
                 tui_fmt_si(tot->bps, b, sizeof(b)), tot->flows_active, tot->flows_tcp, tot->stuck,
                 tot->ended, tot->closed_dropped != 0 ? "+" : "");
    tui_frame_line(f, y, line, TR_HEADER);
    if (drops == 0)
        tui_frame_put(f, y, x, "drops 0", TR_HEADER, f->cols);
    else {
        snprintf(line, sizeof(line), "DROPS %s", tui_fmt_si((double)drops, a, sizeof(a)));
        tui_frame_put(f, y, x, line, TR_DROPS, f->cols);
    }
    y++;

    /* the state bar: each letter one share of the endpoints, coloured by family */
    x = tui_frame_put(f, y, 0, tot->final ? "at end [" : "open   [", TR_HEADER, f->cols);
    tui_state_bar(tot->by_state, bw, bar, sizeof(bar), cell_state);
    for (i = 0; i < bw; i++) {
        char g[2] = {bar[i], '\0'};

        tui_frame_glyph(f, y, x + i, g,
                        cell_state[i] == TCP_ST_NONE ? TR_HEADER : state_role(cell_state[i]));
    }
    x += bw;
    x += tui_frame_put(f, y, x, "]", TR_HEADER, f->cols);
    for (st = TCP_ST_SYN_SENT; st < TCP_ST_COUNT; st++) {
        if (tot->by_state[st] == 0)
            continue;
        snprintf(line, sizeof(line), " %c %s %" PRIu64, tui_state_letter((enum tcp_state_id)st),
                 tcp_state_name((enum tcp_state_id)st), tot->by_state[st]);
        x += tui_frame_put(f, y, x, line, state_role((uint8_t)st), f->cols);
    }
    if (x == 8 + bw + 1)
        tui_frame_put(f, y, x, " none", TR_HEADER, f->cols);
    y++;

    x = snprintf(line, sizeof(line), "sort: %s%s%s  filter: %s  rows %zu of %zu",
                 tui_sort_name(s->sort), s->reverse ? " (reversed)" : "",
                 s->sort == TUI_SORT_STATE && !s->reverse ? " (stuck first)" : "",
                 s->filter.kind == TUI_FILTER_NONE ? "-" : s->filter.text, s->v.n_rows,
                 s->v.n_conn);
    if (tot->not_kept + tot->not_kept_open != 0 && x > 0 && (size_t)x < sizeof(line))
        snprintf(line + x, sizeof(line) - (size_t)x,
                 "  (%" PRIu64 " more not kept: --tui-rows %zu)",
                 tot->not_kept + tot->not_kept_open, s->m.cfg.rows_max);
    tui_frame_line(f, y, line, TR_NORMAL);
    y++;
    if (has_drops(tot)) {
        drops_text(tot, line, sizeof(line));
        tui_frame_line(f, y, line, TR_DROPS);
        y++;
    }
    return y;
}

/* ---- rendering: body ----------------------------------------------------------------- */

static void
draw_table(struct tui_screen *s, struct tui_frame *f, int y0, int h)
{
    char cell[TC_COUNT][TUI_CELL_LEN], line[1024];
    int c, y;

    s->table_y = y0 + 1;
    s->table_h = h - 1 > 0 ? h - 1 : 1;
    clamp_selection(s);
    tui_layout_fit(&s->lay, &s->v, s->top, s->top + (size_t)s->table_h, f->cols, s->sort,
                   s->reverse);
    for (c = 0; c < TC_COUNT; c++)
        tui_col_title((enum tui_col)c, s->sort, s->reverse, cell[c], TUI_CELL_LEN);
    tui_layout_line(&s->lay, cell, line, sizeof(line));
    tui_frame_line(f, y0, line, TR_COLHEAD);
    for (c = 0; c < TC_COUNT; c++)
        if (s->lay.width[c] != 0 && strchr(cell[c], ' ') != NULL &&
            (cell[c][strlen(cell[c]) - 1] == 'v' || cell[c][strlen(cell[c]) - 1] == '^'))
            tui_frame_paint(f, y0, s->lay.x[c], s->lay.width[c], TR_SORTCOL);
    if (s->v.n_rows == 0) {
        tui_frame_put(f, y0 + 1, 1,
                      s->v.n_conn == 0 ? "no TCP connections yet"
                                       : "no connection matches the filter",
                      TR_NORMAL, f->cols - 1);
        return;
    }
    for (y = 0; y < s->table_h && s->top + (size_t)y < s->v.n_rows; y++) {
        const struct tui_conn *cn = s->v.rows[s->top + (size_t)y];
        bool sel = s->top + (size_t)y == s->sel, stuck = tui_conn_stuck(cn);
        enum tui_role role = TR_NORMAL;
        int mx = s->lay.x[TC_MARK];

        if (sel)
            role = stuck ? TR_STUCK_SEL : TR_SELECTED;
        else if (stuck)
            role = TR_STUCK;
        else if (cn->ended && !s->final)
            role = TR_ENDED;
        tui_row_cells(cn, &s->v.tot, cell);
        tui_layout_line(&s->lay, cell, line, sizeof(line));
        tui_frame_line(f, s->table_y + y, line, role);
        if (sel || mx < 0)
            continue;
        /* the marks keep their own colour on unselected rows */
        if (cell[TC_MARK][1] == '!')
            tui_frame_paint(f, s->table_y + y, mx + 1, 1, TR_VIOLATION);
        if (cell[TC_MARK][2] == '?')
            tui_frame_paint(f, s->table_y + y, mx + 2, 1, TR_INFERRED);
    }
}

static enum tui_role
detail_role(const char *l)
{
    if (strncmp(l, "STUCK", 5) == 0)
        return TR_STUCK;
    if (strncmp(l, "  pkt ", 6) == 0 ||
        (strncmp(l, "violations ", 11) == 0 && strcmp(l, "violations 0") != 0))
        return TR_VIOLATION;
    return TR_NORMAL;
}

static void
draw_detail(struct tui_screen *s, struct tui_frame *f, int y0, int h)
{
    const struct tui_conn *c;
    size_t n, i;
    int y, gh = 0, tx = 1, tw = f->cols - 1, body = h - 1;

    s->table_h = body > 1 ? body : 1;
    tui_frame_line(f, y0,
                   "connection detail  (Esc/Enter/Left close, arrows scroll, n/N next/previous)",
                   TR_COLHEAD);
    clamp_selection(s);
    if ((c = tui_screen_selected(s)) == NULL) {
        tui_frame_put(f, y0 + 1, 1, "no connection selected", TR_NORMAL, f->cols - 1);
        return;
    }
    if (s->cfg.act.graph != NULL && body >= 8) {
        if (f->cols >= 150) { /* side by side: text left, picture right */
            tw = 86;
            gh = s->cfg.act.graph(s->cfg.act.arg, c, f, y0 + 1, tw + 2, body, f->cols - tw - 3);
            gh = 0;
        } else {
            gh = s->cfg.act.graph(s->cfg.act.arg, c, f, y0 + 1, 1, body * 3 / 5, f->cols - 2);
        }
    }
    if (s->detail_lines == NULL)
        s->detail_lines = xcalloc(DETAIL_MAX, sizeof(*s->detail_lines));
    n = tui_detail_format(c, s->v.tot.ts_ns, s->v.tot.origin_ns, s->detail_lines, DETAIL_MAX);
    body -= gh;
    if (body < 1)
        return;
    if (s->detail_top + (size_t)body > n)
        s->detail_top = n > (size_t)body ? n - (size_t)body : 0;
    for (y = 0, i = s->detail_top; y < body && i < n; y++, i++)
        tui_frame_put(f, y0 + 1 + gh + y, tx, s->detail_lines[i], detail_role(s->detail_lines[i]),
                      tw);
}

/* Keys whose action this build or input cannot do are not offered. */
static bool
action_available(const struct tui_screen *s, int key)
{
    switch (key) {
    case 'w':
        return s->cfg.act.write_pcap != NULL;
    case 'b':
        return s->cfg.act.bpf != NULL;
    case 'J':
        return s->cfg.act.eve != NULL;
    default:
        return true;
    }
}

static const char *const help_text[] = {
    "flowstate state view: keys (any key closes this help; q quits)",
    "",
    "  Up/Down, k/j        move the selection (detail, pop-ups: scroll)",
    "  PgUp/PgDn           a page up / down",
    "  Home/End, g/G       first / last row",
    "  Enter               detail of the selected connection with its time-sequence",
    "                      graph; Esc, Enter or Left closes it, n/N next/previous",
    "  s, >, F6 / S, <     next / previous sort key: state, stuck, in-state, idle, dur,",
    "                      pkts, bytes, rate, retrans, rtt, viol, start",
    "  r, I                reverse the order",
    "  f, /, \\, F3, F4     filter: an ss state (close-wait, established, syn-sent,",
    "                      time-wait, ...), stuck, connected, synchronized, or",
    "                      address/port text; Ctrl-U empties the prompt, Esc clears",
    "  Esc                 clear the filter (table)",
    "  w                   write the selected connection's packets to a pcap file",
    "  b                   show the BPF filter that selects the connection",
    "  J, e                show the connection's EVE (JSON) record",
    "  p, space            pause the display (data keeps being received)",
    "  h, ?, F1            this help",
    "  q, F10              quit (on the final table: exit)",
    "  mouse               click a row to select it, double-click for its detail,",
    "                      click a column title to sort by it (again: reverse),",
    "                      wheel scrolls, click a footer key to press it",
    "",
    "Marks: * stuck  ! protocol violations  ? state inferred (picked up mid-stream",
    "or roles guessed). Stuck = time stuck; InState = time since the latest endpoint",
    "state change; Idle = since the last packet; Dur = first to last packet.",
    "C>S / S>C B/s: bytes/s each way over the last 5 s of capture time.",
    "RTTms: handshake RTT, else average ACK RTT. Header bar: endpoints per state.",
};

static void
draw_help(struct tui_screen *s, struct tui_frame *f, int y0, int h)
{
    size_t i;
    int y = 0;

    for (i = 0; i < sizeof(help_text) / sizeof(help_text[0]) && y < h; i++) {
        const char *l = help_text[i];

        /* "  w   ..." lines of actions this run cannot do are left out */
        if (l[0] == ' ' && l[1] == ' ' && (l[3] == ' ' || l[3] == ',') &&
            !action_available(s, l[2]))
            continue;
        tui_frame_put(f, y0 + y++, 1, l, i == 0 ? TR_HEADER : TR_NORMAL, f->cols - 1);
    }
}

/* Line i of a '\n'-separated text: start and length, false past the end. */
static bool
text_line(const char *t, size_t i, const char **p, size_t *len)
{
    const char *nl;

    for (; t != NULL && *t != '\0'; i--) {
        nl = strchr(t, '\n');
        if (i == 0) {
            *p = t;
            *len = nl != NULL ? (size_t)(nl - t) : strlen(t);
            return true;
        }
        if (nl == NULL)
            break;
        t = nl + 1;
    }
    return false;
}

static void
draw_text(struct tui_screen *s, struct tui_frame *f, int y0, int h)
{
    const char *p;
    size_t len, i, off;
    int y = 0, w = f->cols - 2 > 10 ? f->cols - 2 : 10;
    char title[160], piece[512];

    snprintf(title, sizeof(title), "%s  (Esc/Enter close, arrows scroll)", s->text_title);
    tui_frame_line(f, y0, title, TR_COLHEAD);
    s->table_h = h - 1 > 0 ? h - 1 : 1;
    /* long lines wrap, so a one-line EVE record is readable */
    for (i = s->text_top; y < h - 1 && text_line(s->text, i, &p, &len); i++) {
        off = 0;
        do {
            size_t n = len - off < (size_t)w ? len - off : (size_t)w;

            snprintf(piece, sizeof(piece), "%.*s", (int)n, p + off);
            tui_frame_put(f, y0 + 1 + y, 1, piece, TR_NORMAL, w);
            off += n;
            y++;
        } while (off < len && y < h - 1);
    }
    if (s->text_top > 0 && !text_line(s->text, s->text_top, &p, &len))
        s->text_top--; /* scrolled past the end */
}

static void
draw_footer(struct tui_screen *s, struct tui_frame *f)
{
    static const struct {
        const char *key, *label;
        int code;
    } items[] = {
        {"q", "Quit", 'q'},   {"s", "Sort", 's'},  {"r", "Rev", 'r'},
        {"f", "Filter", 'f'}, {"p", "Pause", 'p'}, {"Enter", "Detail", TK_ENTER},
        {"w", "Pcap", 'w'},   {"b", "BPF", 'b'},   {"J", "EVE", 'J'},
        {"h", "Help", 'h'},
    };
    char line[512];
    int y = f->rows - 1, x = 0;
    size_t i;

    s->n_foot = 0;
    if (s->prompt != TUI_PROMPT_NONE) {
        snprintf(line, sizeof(line), "%s%s",
                 s->prompt == TUI_PROMPT_FILTER ? "filter (state name, stuck or text; Esc clears): "
                                                : "write packets to (Enter writes, Esc cancels): ",
                 s->input);
        tui_frame_line(f, y, line, TR_PROMPT);
        f->cursor_y = y;
        f->cursor_x = (int)strlen(line) < f->cols ? (int)strlen(line) : f->cols - 1;
        return;
    }
    if (s->status[0] != '\0') {
        tui_frame_line(f, y, s->status, TR_PROMPT);
        return;
    }
    tui_frame_line(f, y, "", TR_FOOTER);
    if (s->final)
        x += tui_frame_put(f, y, x, "[end of input] ", TR_FOOTER, f->cols);
    for (i = 0; i < sizeof(items) / sizeof(items[0]) && x < f->cols; i++) {
        int x0 = x;

        if (!action_available(s, items[i].code))
            continue;
        x += tui_frame_put(f, y, x, items[i].key, TR_FOOTKEY, f->cols);
        x += tui_frame_put(f, y, x, " ", TR_FOOTER, f->cols);
        x += tui_frame_put(f, y, x, items[i].label, TR_FOOTER, f->cols);
        if (s->n_foot < (int)(sizeof(s->foot_x) / sizeof(s->foot_x[0]))) {
            s->foot_x[s->n_foot] = x0;
            s->foot_w[s->n_foot] = x - x0;
            s->foot_key[s->n_foot++] = items[i].code;
        }
        x += tui_frame_put(f, y, x, "  ", TR_FOOTER, f->cols);
    }
}

void
tui_screen_render(struct tui_screen *s, struct tui_frame *f, int rows, int cols)
{
    int y, h;

    tui_frame_reset(f, rows, cols);
    s->rows = rows;
    s->cols = cols;
    if (rows < 8 || cols < 20) {
        tui_frame_put(f, 0, 0, "terminal too small", TR_NORMAL, cols);
        return;
    }
    y = draw_header(s, f);
    h = rows - 1 - y;
    switch (s->mode) {
    case TUI_MODE_TABLE:
        draw_table(s, f, y, h);
        break;
    case TUI_MODE_DETAIL:
        draw_detail(s, f, y, h);
        break;
    case TUI_MODE_HELP:
        draw_help(s, f, y, h);
        break;
    case TUI_MODE_TEXT:
        draw_text(s, f, y, h);
        break;
    }
    draw_footer(s, f);
    s->dirty = false;
}
