/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui: the curses half of the state view. Owns the terminal from open() to
 * close(): all curses set-up (newterm, modes, colours) is in tui_start(), all
 * tear-down in tui_restore(), which every exit path reaches: close(), the
 * log cleanup hook (fatal/fatalx), atexit, and the crash-signal handler that
 * restores the terminal and re-raises (htop CRT_done). Colours are semantic:
 * one table maps each role (stuck, violation, header, selection...) to a
 * colour pair and to a monochrome attribute used when the terminal has no
 * colours or NO_COLOR is set.
 *
 * The engine calls tick() at least once per capture second (live: also every
 * ~100 ms idle); the data comes from the model (tui_model.c), drawing is
 * throttled to ~20 frames a second of wall time, but what a frame shows is a
 * function of the capture alone. Keys are read without blocking on each
 * tick; the final tick blocks reading keys until the user quits.
 */
#include <config.h>

#include "report/tui/tui.h"

#include <curses.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/tui/tui_model.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define NS_PER_SEC    UINT64_C(1000000000)
#define NS_PER_MS     UINT64_C(1000000)
#define DRAW_EVERY_NS (50 * NS_PER_MS)
#define DETAIL_MAX    96
#define HEADER_LINES  4 /* title, rates, states, sort/filter */
#define KEY_ESC       27
#define KEY_CTRL_L    12
#define KEY_CTRL_U    21

/* ---- semantic attributes: the one table --------------------------------------- */

enum tui_role {
    TR_TITLE = 0,
    TR_HEADER,
    TR_COLHEAD,
    TR_SORTCOL,
    TR_NORMAL,
    TR_ENDED,
    TR_STUCK,
    TR_STUCK_SEL,
    TR_VIOLATION,
    TR_SELECTED,
    TR_FOOTER,
    TR_PROMPT,
    TR_PAUSED,
    TR_COUNT
};

struct role_spec {
    short fg, bg;    /* -1 = terminal default */
    unsigned colour; /* extra attributes with colours */
    unsigned mono;   /* attributes without colours */
};

static const struct role_spec roles[TR_COUNT] = {
    [TR_TITLE] = {COLOR_BLACK, COLOR_CYAN, A_BOLD, A_BOLD | A_REVERSE},
    [TR_HEADER] = {COLOR_CYAN, -1, 0, A_NORMAL},
    [TR_COLHEAD] = {COLOR_BLACK, COLOR_GREEN, 0, A_REVERSE},
    [TR_SORTCOL] = {COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD | A_UNDERLINE},
    [TR_NORMAL] = {-1, -1, 0, A_NORMAL},
    [TR_ENDED] = {-1, -1, A_DIM, A_DIM},
    [TR_STUCK] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
    [TR_STUCK_SEL] = {COLOR_YELLOW, COLOR_MAGENTA, A_BOLD, A_BOLD | A_UNDERLINE},
    [TR_VIOLATION] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [TR_SELECTED] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
    [TR_FOOTER] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
    [TR_PROMPT] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_BOLD},
    [TR_PAUSED] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_BLINK},
};

/* ---- table columns -------------------------------------------------------------- */

enum tui_col {
    C_MARK = 0, /* '!' when violations exist */
    C_CLIENT,
    C_SERVER,
    C_CST,
    C_SST,
    C_AGE,
    C_PKTS,
    C_BYTES,
    C_RATE,
    C_RETR,
    C_RTT,
    C_COUNT
};

#define CELL_LEN 64

static const char *const col_title[C_COUNT] = {
    "!", "Client", "Server", "C-State", "S-State", "Age", "Pkts", "Bytes", "B/s", "Retr", "RTTms",
};
static const bool col_right[C_COUNT] = {false, false, false, false, false, false,
                                        true,  true,  true,  true,  true};
/* dropped first when the terminal is narrow */
static const enum tui_col drop_order[] = {C_RATE, C_RTT, C_PKTS, C_RETR, C_BYTES, C_CST};
static const enum tui_col sort_col[TUI_SORT_COUNT] = {
    [TUI_SORT_STATE] = C_SST, [TUI_SORT_AGE] = C_AGE,      [TUI_SORT_BYTES] = C_BYTES,
    [TUI_SORT_RATE] = C_RATE, [TUI_SORT_RETRANS] = C_RETR, [TUI_SORT_RTT] = C_RTT,
};

struct tui {
    struct tui_model m;
    struct tui_view v;
    SCREEN *scr;
    volatile sig_atomic_t *stop;
    bool live;
    bool colours;
    attr_t attr[TR_COUNT];
    /* view state */
    enum tui_sort sort;
    bool reverse;
    struct tui_filter filter;
    bool paused, detail, help, prompt, final, quit, dirty;
    char input[TUI_FILTER_LEN];
    size_t input_len;
    size_t sel, top, detail_top;
    uint64_t sel_id;
    bool have_sel;
    uint64_t last_draw_ns; /* monotonic */
    char (*detail_lines)[TUI_LINE_LEN];
};

/* ---- terminal restore on every exit path ------------------------------------------ */

static volatile sig_atomic_t curses_active;
static bool exit_hooks_installed;
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
static struct sigaction old_crash[sizeof(crash_signals) / sizeof(crash_signals[0])];

static void
tui_restore(void)
{
    if (!curses_active)
        return;
    curses_active = 0;
    endwin();
    fflush(stdout);
}

static void
on_crash(int sig)
{
    struct sigaction sa;

    /* Not async-signal-safe, like htop's CRT_handleSIGSEGV: a crash is the
     * one case where a usable terminal is worth the risk. */
    tui_restore();
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    raise(sig);
}

static void
crash_handlers_install(void)
{
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_crash;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
        sigaction(crash_signals[i], &sa, &old_crash[i]);
}

static void
crash_handlers_remove(void)
{
    size_t i;

    for (i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
        sigaction(crash_signals[i], &old_crash[i], NULL);
}

/* ---- set-up: everything curses is configured here ----------------------------------- */

static void
attrs_setup(struct tui *t)
{
    const char *nc = getenv("NO_COLOR");
    bool defaults;
    short i, fg, bg;

    t->colours = has_colors() && (nc == NULL || nc[0] == '\0') && start_color() == OK;
    if (!t->colours) {
        for (i = 0; i < TR_COUNT; i++)
            t->attr[i] = roles[i].mono;
        return;
    }
    defaults = use_default_colors() == OK;
    for (i = 0; i < TR_COUNT; i++) {
        fg = roles[i].fg;
        bg = roles[i].bg;
        if (!defaults && fg < 0)
            fg = COLOR_WHITE;
        if (!defaults && bg < 0)
            bg = COLOR_BLACK;
        if (i + 1 < COLOR_PAIRS && init_pair((short)(i + 1), fg, bg) == OK)
            t->attr[i] = (attr_t)COLOR_PAIR(i + 1) | roles[i].colour;
        else
            t->attr[i] = roles[i].mono;
    }
}

static int
tui_start(struct tui *t, char *err)
{
    const char *term = getenv("TERM");

    if ((t->scr = newterm(NULL, stdout, stdin)) == NULL) {
        errbuf_printf(err, "--tui: cannot initialise the terminal (TERM=%s)",
                      term != NULL ? term : "unset");
        return -1;
    }
    curses_active = 1;
    if (!exit_hooks_installed) {
        atexit(tui_restore);
        exit_hooks_installed = true;
    }
    log_set_cleanup(tui_restore);
    crash_handlers_install();
    /* return values: these only fail on a dead terminal, which the next
     * refresh reports; nothing useful to do about them here */
    (void)cbreak();
    (void)noecho();
    (void)nonl();
    (void)keypad(stdscr, TRUE);
    (void)intrflush(stdscr, FALSE);
    (void)curs_set(0);
    (void)set_escdelay(25);
    wtimeout(stdscr, 0);
    attrs_setup(t);
    return 0;
}

/* ---- drawing ---------------------------------------------------------------------- */

static void
put(int y, int x, const char *s, attr_t a, int maxw)
{
    if (maxw <= 0 || y < 0 || y >= LINES || x >= COLS)
        return;
    if (maxw > COLS - x)
        maxw = COLS - x;
    wattrset(stdscr, (int)a);
    mvaddnstr(y, x, s, maxw);
}

/* A whole line in attribute a: text, then blanks to the right edge. */
static void
put_line(int y, const char *s, attr_t a)
{
    int len = (int)strlen(s);

    wattrset(stdscr, (int)a);
    mvaddnstr(y, 0, s, COLS);
    if (len < COLS)
        mvhline(y, len, ' ', COLS - len);
}

static void
row_cells(const struct tui_conn *c, char cell[C_COUNT][CELL_LEN])
{
    const struct session_summary *s = &c->rec.s;
    uint64_t rtt = tui_conn_rtt_ns(c);

    snprintf(cell[C_MARK], CELL_LEN, "%s", tui_conn_violations(c) != 0 ? "!" : " ");
    snprintf(cell[C_CLIENT], CELL_LEN, "%s", c->client);
    snprintf(cell[C_SERVER], CELL_LEN, "%s", c->server);
    snprintf(cell[C_CST], CELL_LEN, "%s", tcp_state_name((enum tcp_state_id)s->client.state));
    snprintf(cell[C_SST], CELL_LEN, "%s", tcp_state_name((enum tcp_state_id)s->server.state));
    tui_fmt_dur(tui_conn_age_ns(c), cell[C_AGE], CELL_LEN);
    snprintf(cell[C_PKTS], CELL_LEN, "%" PRIu64, tui_conn_pkts(c));
    tui_fmt_si((double)tui_conn_bytes(c), cell[C_BYTES], CELL_LEN);
    tui_fmt_si(tui_conn_rate(c), cell[C_RATE], CELL_LEN);
    snprintf(cell[C_RETR], CELL_LEN, "%" PRIu64, tui_conn_retrans(c));
    if (rtt == 0)
        snprintf(cell[C_RTT], CELL_LEN, "-");
    else
        snprintf(cell[C_RTT], CELL_LEN, "%" PRIu64 ".%" PRIu64, rtt / NS_PER_MS,
                 rtt % NS_PER_MS / 100000);
}

static void
col_title_str(const struct tui *t, enum tui_col c, char *buf, size_t len)
{
    if (c == sort_col[t->sort])
        snprintf(buf, len, "%s %s", col_title[c], t->reverse ? "^" : "v");
    else
        snprintf(buf, len, "%s", col_title[c]);
}

/* Column widths from the content; drops columns (and then clips addresses) to fit COLS. */
static void
layout(const struct tui *t, int width[C_COUNT], size_t first, size_t last)
{
    char cell[C_COUNT][CELL_LEN], title[CELL_LEN];
    size_t i, d;
    int c, total, over;

    for (c = 0; c < C_COUNT; c++) {
        col_title_str(t, (enum tui_col)c, title, sizeof(title));
        width[c] = (int)strlen(title);
    }
    if (t->v.n_rows <= 5000) { /* widths stable while scrolling; big tables: visible rows */
        first = 0;
        last = t->v.n_rows;
    }
    for (i = first; i < last && i < t->v.n_rows; i++) {
        row_cells(t->v.rows[i], cell);
        for (c = 0; c < C_COUNT; c++)
            if ((int)strlen(cell[c]) > width[c])
                width[c] = (int)strlen(cell[c]);
    }
    for (d = 0;; d++) {
        total = 0;
        for (c = 0; c < C_COUNT; c++)
            if (width[c] > 0)
                total += width[c] + (c == 0 ? 1 : 2);
        total -= 2;
        if (total <= COLS || d >= sizeof(drop_order) / sizeof(drop_order[0]))
            break;
        width[drop_order[d]] = 0;
    }
    if (total > COLS) { /* clip the two address columns, each by half the excess */
        over = total - COLS;
        width[C_CLIENT] -= (over + 1) / 2;
        width[C_SERVER] -= over / 2;
        if (width[C_CLIENT] < 4)
            width[C_CLIENT] = 4;
        if (width[C_SERVER] < 4)
            width[C_SERVER] = 4;
    }
}

/* One table line into buf (COLS wide), cells padded; long addresses keep their right end. */
static void
format_line(const int width[C_COUNT], char cell[C_COUNT][CELL_LEN], char *buf, size_t len)
{
    size_t used = 0;
    int c, n, w, cl;
    const char *s;

    buf[0] = '\0';
    for (c = 0; c < C_COUNT && used < len; c++) {
        if (width[c] == 0)
            continue;
        w = width[c];
        s = cell[c];
        cl = (int)strlen(s);
        if (cl > w)
            s += cl - w;
        n = snprintf(buf + used, len - used, col_right[c] ? "%s%*s" : "%s%-*s",
                     used == 0 ? "" : (c == C_CLIENT ? " " : "  "), w, s);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* x offset of column `want` in a line laid out by format_line(). */
static int
col_x(const int width[C_COUNT], enum tui_col want)
{
    int c, x = 0;
    bool first = true;

    for (c = 0; c < C_COUNT; c++) {
        if (width[c] == 0)
            continue;
        if (!first)
            x += c == C_CLIENT ? 1 : 2;
        if (c == (int)want)
            return x;
        x += width[c];
        first = false;
    }
    return -1;
}

static void
draw_header(struct tui *t)
{
    const struct tui_totals *tot = &t->v.tot;
    char line[512], a[16], b[16], ts[40];
    time_t secs = (time_t)(tot->ts_ns / NS_PER_SEC);
    struct tm tm;
    size_t used;
    int s;

    if (tot->ts_ns != 0 && gmtime_r(&secs, &tm) != NULL)
        strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S UTC", &tm);
    else
        snprintf(ts, sizeof(ts), "-");
    snprintf(line, sizeof(line), "flowstate  %s  %s  pkts %" PRIu64,
             t->final ? "final" : (t->live ? "live" : "replay"), ts, tot->pkts);
    put_line(0, line, t->attr[TR_TITLE]);
    if (t->paused)
        put(0, COLS - 8 > 0 ? COLS - 8 : 0, " PAUSED ", t->attr[TR_PAUSED], 8);

    snprintf(line, sizeof(line),
             "%s pkts/s %s  bits/s %s  flows %" PRIu64 " active %" PRIu64 " tcp  drops %" PRIu64
             "  stuck %" PRIu64 "  ended %" PRIu64 "%s",
             tot->final ? "avg" : "", tui_fmt_si(tot->pps, a, sizeof(a)),
             tui_fmt_si(tot->bps, b, sizeof(b)), tot->flows_active, tot->flows_tcp, tot->drops,
             tot->stuck, tot->ended, tot->ended_dropped != 0 ? "+" : "");
    put_line(1, line[0] == ' ' ? line + 1 : line, t->attr[TR_HEADER]);

    used = (size_t)snprintf(line, sizeof(line), "%s", tot->final ? "at end:" : "open:");
    for (s = TCP_ST_SYN_SENT; s < TCP_ST_COUNT && used < sizeof(line); s++)
        if (tot->by_state[s] != 0)
            used += (size_t)snprintf(line + used, sizeof(line) - used, " %s %" PRIu64,
                                     tcp_state_name((enum tcp_state_id)s), tot->by_state[s]);
    if (used < sizeof(line))
        snprintf(line + used, sizeof(line) - used, "%s", strchr(line, ' ') == NULL ? " none" : "");
    put_line(2, line, t->attr[TR_HEADER]);

    snprintf(line, sizeof(line), "sort: %s%s%s  filter: %s  rows %zu of %zu",
             tui_sort_name(t->sort), t->reverse ? " (reversed)" : "",
             t->sort == TUI_SORT_STATE && !t->reverse ? " (stuck first)" : "",
             t->filter.kind == TUI_FILTER_NONE ? "-" : t->filter.text, t->v.n_rows, t->v.n_conn);
    put_line(3, line, t->attr[TR_NORMAL]);
}

static int
table_height(void)
{
    int h = LINES - HEADER_LINES - 2; /* column titles, footer */

    return h > 0 ? h : 0;
}

/* Keeps sel inside the rows and visible. */
static void
clamp_selection(struct tui *t)
{
    size_t h = (size_t)table_height();

    if (t->v.n_rows == 0) {
        t->sel = t->top = 0;
        t->have_sel = false;
        return;
    }
    if (t->sel >= t->v.n_rows)
        t->sel = t->v.n_rows - 1;
    if (t->sel < t->top)
        t->top = t->sel;
    if (h > 0 && t->sel >= t->top + h)
        t->top = t->sel - h + 1;
    if (t->top + h > t->v.n_rows)
        t->top = t->v.n_rows > h ? t->v.n_rows - h : 0;
    t->sel_id = t->v.rows[t->sel]->rec.flow_id;
    t->have_sel = true;
}

static void
draw_table(struct tui *t)
{
    int width[C_COUNT], y, h = table_height(), x;
    char cell[C_COUNT][CELL_LEN], line[1024], title[CELL_LEN];
    int c;

    clamp_selection(t);
    layout(t, width, t->top, t->top + (size_t)h);
    for (c = 0; c < C_COUNT; c++)
        col_title_str(t, (enum tui_col)c, cell[c], CELL_LEN);
    format_line(width, cell, line, sizeof(line));
    put_line(HEADER_LINES, line, t->attr[TR_COLHEAD]);
    if ((x = col_x(width, sort_col[t->sort])) >= 0) {
        col_title_str(t, sort_col[t->sort], title, sizeof(title));
        put(HEADER_LINES, x, title, t->attr[TR_SORTCOL], width[sort_col[t->sort]]);
    }
    if (t->v.n_rows == 0) {
        put(HEADER_LINES + 1, 1,
            t->v.n_conn == 0 ? "no TCP connections yet" : "no connection matches the filter",
            t->attr[TR_NORMAL], COLS - 1);
        return;
    }
    for (y = 0; y < h && t->top + (size_t)y < t->v.n_rows; y++) {
        const struct tui_conn *cn = t->v.rows[t->top + (size_t)y];
        bool sel = t->top + (size_t)y == t->sel, stuck = tui_conn_stuck(cn);
        enum tui_role role = TR_NORMAL;

        if (sel)
            role = stuck ? TR_STUCK_SEL : TR_SELECTED;
        else if (stuck)
            role = TR_STUCK;
        else if (cn->ended && !t->final)
            role = TR_ENDED;
        row_cells(cn, cell);
        format_line(width, cell, line, sizeof(line));
        put_line(HEADER_LINES + 1 + y, line, t->attr[role]);
        if (cell[C_MARK][0] == '!' && role != TR_SELECTED && role != TR_STUCK_SEL)
            put(HEADER_LINES + 1 + y, 0, "!", t->attr[TR_VIOLATION] | (stuck ? A_REVERSE : 0), 1);
    }
}

static void
draw_detail(struct tui *t)
{
    size_t n, i;
    int y, h = LINES - HEADER_LINES - 2;
    const struct tui_conn *c;

    clamp_selection(t);
    put_line(HEADER_LINES, "connection detail  (Esc/Enter close, arrows scroll)",
             t->attr[TR_COLHEAD]);
    if (t->v.n_rows == 0) {
        put(HEADER_LINES + 1, 1, "no connection selected", t->attr[TR_NORMAL], COLS - 1);
        return;
    }
    c = t->v.rows[t->sel];
    if (t->detail_lines == NULL)
        t->detail_lines = xcalloc(DETAIL_MAX, sizeof(*t->detail_lines));
    n = tui_detail_format(c, t->detail_lines, DETAIL_MAX);
    if (h < 1)
        return;
    if (t->detail_top + (size_t)h > n)
        t->detail_top = n > (size_t)h ? n - (size_t)h : 0;
    for (y = 0, i = t->detail_top; y < h && i < n; y++, i++) {
        enum tui_role role = TR_NORMAL;

        if (strncmp(t->detail_lines[i], "STUCK", 5) == 0)
            role = TR_STUCK;
        else if (strncmp(t->detail_lines[i], "  pkt ", 6) == 0 ||
                 (strncmp(t->detail_lines[i], "violations ", 11) == 0 &&
                  strcmp(t->detail_lines[i], "violations 0") != 0))
            role = TR_VIOLATION;
        put(HEADER_LINES + 1 + y, 1, t->detail_lines[i], t->attr[role], COLS - 1);
    }
}

static const char *const help_text[] = {
    "flowstate state view: keys",
    "",
    "  Up/Down, PgUp/PgDn, Home/End   move the selection and scroll",
    "  Enter                          detail of the selected connection (Esc/Enter closes)",
    "  s, F6                          next sort key: state, age, bytes, rate, retrans, rtt",
    "  r                              reverse the order",
    "  f, /                           filter: an ss state (close-wait, established,",
    "                                 syn-sent, time-wait, ...), stuck, connected,",
    "                                 synchronized, or address/port text; the prompt",
    "                                 edits the current filter, Ctrl-U empties it,",
    "                                 Esc clears the filter",
    "  p, space                       pause the display (data keeps being received)",
    "  h, ?, F1                       this help (any key closes)",
    "  q, F10                         quit (on the final table: exit)",
    "",
    "Rows: stuck connections are highlighted, their Age is the time stuck;",
    "otherwise Age is the time since the more recent endpoint state change.",
    "'!' marks protocol violations. RTTms: handshake RTT, else average ACK RTT.",
    "Header: endpoint states of open connections (final table: at the end).",
};

static void
draw_help(struct tui *t)
{
    size_t i;

    for (i = 0; i < sizeof(help_text) / sizeof(help_text[0]); i++)
        put(HEADER_LINES + (int)i, 1, help_text[i],
            i == 0 ? t->attr[TR_HEADER] : t->attr[TR_NORMAL], COLS - 1);
}

static void
draw_footer(struct tui *t)
{
    char line[256];

    if (t->prompt) {
        snprintf(line, sizeof(line), "filter (state name, stuck or text; Esc clears): %s",
                 t->input);
        put_line(LINES - 1, line, t->attr[TR_PROMPT]);
        (void)curs_set(1);
        wmove(stdscr, LINES - 1, (int)strlen(line) < COLS ? (int)strlen(line) : COLS - 1);
        return;
    }
    (void)curs_set(0);
    snprintf(line, sizeof(line), "%sq Quit  s Sort  r Rev  f Filter  p Pause  Enter Detail  h Help",
             t->final ? "[end of input] " : "");
    put_line(LINES - 1, line, t->attr[TR_FOOTER]);
}

static void
draw(struct tui *t)
{
    werase(stdscr);
    if (LINES < HEADER_LINES + 3 || COLS < 20) {
        put(0, 0, "terminal too small", A_NORMAL, COLS);
    } else {
        draw_header(t);
        if (t->help)
            draw_help(t);
        else if (t->detail)
            draw_detail(t);
        else
            draw_table(t);
        draw_footer(t);
    }
    wnoutrefresh(stdscr);
    doupdate();
    t->last_draw_ns = clock_monotonic_ns();
    t->dirty = false;
}

/* ---- keys ------------------------------------------------------------------------- */

static void
rearrange(struct tui *t)
{
    long i;

    tui_view_arrange(&t->v, t->sort, t->reverse, &t->filter);
    if (t->have_sel && (i = tui_view_find(&t->v, t->sel_id)) >= 0)
        t->sel = (size_t)i;
    clamp_selection(t);
}

static void
refresh_view(struct tui *t)
{
    tui_view_capture(&t->v, &t->m);
    rearrange(t);
}

static void
request_quit(struct tui *t)
{
    t->quit = true;
    if (t->stop != NULL)
        *t->stop = 1;
}

static void
move_sel(struct tui *t, long delta)
{
    long n = (long)t->v.n_rows, s = (long)t->sel + delta;

    if (n == 0)
        return;
    if (s < 0)
        s = 0;
    if (s >= n)
        s = n - 1;
    t->sel = (size_t)s;
    t->detail_top = 0;
    clamp_selection(t);
}

static void
prompt_key(struct tui *t, int ch)
{
    switch (ch) {
    case KEY_ESC:
        t->input[0] = '\0';
        t->input_len = 0;
        t->prompt = false;
        break;
    case '\n':
    case '\r':
    case KEY_ENTER:
        t->prompt = false;
        break;
    case KEY_CTRL_U:
        t->input[0] = '\0';
        t->input_len = 0;
        break;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (t->input_len > 0)
            t->input[--t->input_len] = '\0';
        break;
    default:
        if (ch >= 32 && ch < 127 && t->input_len + 1 < sizeof(t->input)) {
            t->input[t->input_len++] = (char)ch;
            t->input[t->input_len] = '\0';
        }
        break;
    }
    /* the table follows the text as it is typed */
    tui_filter_parse(t->input, &t->filter);
    rearrange(t);
}

static void
handle_key(struct tui *t, int ch)
{
    long page = table_height() > 1 ? table_height() - 1 : 1;

    t->dirty = true;
    if (ch == KEY_RESIZE || ch == KEY_CTRL_L) {
        clearok(curscr, TRUE);
        return;
    }
    if (t->prompt) {
        prompt_key(t, ch);
        return;
    }
    if (t->help) { /* any key closes the help, q still quits */
        t->help = false;
        if (ch == 'q' || ch == 'Q')
            request_quit(t);
        return;
    }
    switch (ch) {
    case 'q':
    case 'Q':
    case KEY_F(10):
        request_quit(t);
        break;
    case 'h':
    case '?':
    case KEY_F(1):
        t->help = true;
        break;
    case KEY_ESC:
        t->detail = false;
        break;
    case '\n':
    case '\r':
    case KEY_ENTER:
        t->detail = !t->detail && t->v.n_rows > 0;
        t->detail_top = 0;
        break;
    case 's':
    case KEY_F(6):
        t->sort = (enum tui_sort)(((int)t->sort + 1) % TUI_SORT_COUNT);
        t->top = 0;
        rearrange(t);
        break;
    case 'r':
        t->reverse = !t->reverse;
        rearrange(t);
        break;
    case 'f':
    case '/':
        t->prompt = true;
        t->detail = false;
        break;
    case 'p':
    case ' ':
        t->paused = !t->paused;
        if (!t->paused)
            refresh_view(t);
        break;
    case KEY_UP:
    case 'k':
        if (t->detail)
            t->detail_top = t->detail_top > 0 ? t->detail_top - 1 : 0;
        else
            move_sel(t, -1);
        break;
    case KEY_DOWN:
    case 'j':
        if (t->detail)
            t->detail_top++;
        else
            move_sel(t, 1);
        break;
    case KEY_PPAGE:
        if (t->detail)
            t->detail_top = t->detail_top > (size_t)page ? t->detail_top - (size_t)page : 0;
        else
            move_sel(t, -page);
        break;
    case KEY_NPAGE:
        if (t->detail)
            t->detail_top += (size_t)page;
        else
            move_sel(t, page);
        break;
    case KEY_HOME:
    case 'g':
        move_sel(t, -(long)t->v.n_rows);
        break;
    case KEY_END:
    case 'G':
        move_sel(t, (long)t->v.n_rows);
        break;
    default:
        t->dirty = false;
        break;
    }
}

/* Reads every pending key without waiting; returns true if any arrived. */
static bool
poll_keys(struct tui *t)
{
    bool any = false;
    int ch;

    wtimeout(stdscr, 0);
    while (!t->quit && (ch = wgetch(stdscr)) != ERR) {
        handle_key(t, ch);
        any = true;
    }
    return any;
}

/* ---- reporter_ops ------------------------------------------------------------------- */

static int
tui_open(void **priv, FILE *out, const struct report_opts *o, char *err)
{
    struct tui *t;

    *priv = NULL;
    if (out != stdout || o->output_path != NULL) {
        errbuf_printf(err, "--tui writes to the terminal; it cannot be combined with -o");
        return -1;
    }
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
        errbuf_printf(err, "--tui needs a terminal on stdin and stdout (use -T text, eve or "
                           "zeek for files and pipes)");
        return -1;
    }
    t = xcalloc(1, sizeof(*t));
    tui_model_init(&t->m, 0);
    tui_view_init(&t->v);
    t->stop = o->stop;
    t->live = o->live;
    t->dirty = true;
    if (tui_start(t, err) != 0) {
        tui_model_fini(&t->m);
        tui_view_fini(&t->v);
        free(t);
        return -1;
    }
    *priv = t;
    draw(t);
    return 0;
}

static void
tui_flow_end(void *priv, const struct flow_record *r)
{
    struct tui *t = priv;

    tui_model_flow_end(&t->m, r);
}

static void
tui_stats(void *priv, const struct stats_record *st)
{
    (void)priv; /* the final tick carries the same counters */
    (void)st;
}

static void
final_loop(struct tui *t)
{
    int ch;

    t->dirty = true;
    while (!t->quit && (t->stop == NULL || !*t->stop)) {
        if (t->dirty)
            draw(t);
        wtimeout(stdscr, 250); /* also notices SIGINT/SIGTERM through *stop */
        if ((ch = wgetch(stdscr)) != ERR)
            handle_key(t, ch);
    }
}

static void
tui_tick(void *priv, const struct flow_record *live, size_t n, const struct stats_record *st,
         bool final)
{
    struct tui *t = priv;
    bool keys;

    tui_model_tick(&t->m, live, n, st, final);
    if (final) {
        if (t->quit || (t->stop != NULL && *t->stop))
            return; /* the user already quit (or a signal ended the run) */
        t->final = true;
        t->paused = false;
        refresh_view(t);
        final_loop(t);
        return;
    }
    keys = poll_keys(t);
    if (t->quit)
        return;
    if (!keys && clock_monotonic_ns() - t->last_draw_ns < DRAW_EVERY_NS)
        return;
    if (!t->paused)
        refresh_view(t);
    draw(t);
}

static int
tui_close(void *priv)
{
    struct tui *t = priv;

    if (t == NULL)
        return 0;
    tui_restore();
    crash_handlers_remove();
    log_set_cleanup(NULL);
    if (t->scr != NULL)
        delscreen(t->scr);
    tui_model_fini(&t->m);
    tui_view_fini(&t->v);
    free(t->detail_lines);
    free(t);
    return 0;
}

const struct reporter_ops report_tui_ops = {
    .name = "tui",
    .open = tui_open,
    .flow_end = tui_flow_end,
    .flow_update = NULL,
    .stuck = NULL,
    .stats = tui_stats,
    .tick = tui_tick,
    .close = tui_close,
    .ids = REPORT_ID_ALL, /* rows are keyed by flow_id; the detail pane shows all three */
};
