/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui: the curses half of the state view, and the only file that includes
 * <curses.h>. Owns the terminal from open() to close(): all curses set-up
 * (newterm, modes, colours, mouse) is in tui_start(), all tear-down in
 * tui_restore(), which every exit path reaches: close(), the log cleanup
 * hook (fatal/fatalx), atexit, and the crash-signal handler that restores
 * the terminal and re-raises (htop CRT_done). Colours are semantic: one
 * table maps each role of a frame cell (stuck, violation, header, state
 * families, graph lines...) to a colour pair and to a monochrome attribute
 * used when the terminal has no colours or NO_COLOR is set.
 *
 * Everything the user sees is rendered by tui_screen.c into a frame of
 * cells; this file translates keys and mouse events into struct tui_input
 * and copies frames to the terminal. The engine calls tick() once per
 * capture second (live: also every ~100 ms idle) and, replaying as fast as
 * possible, asks want_tick() first: the view then takes a snapshot only
 * every few capture seconds (a snapshot walks the whole table) and reads
 * keys in between. Frames are drawn at most 10 times a second of wall
 * time, but what a frame shows is a function of the capture alone. The
 * final tick shows the final table and blocks reading keys until the user
 * quits.
 */
#include <config.h>

#include "report/tui/tui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/tui/tui_export.h"
#include "report/tui/tui_screen.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define NS_PER_SEC        UINT64_C(1000000000)
#define NS_PER_MS         UINT64_C(1000000)
#define DRAW_EVERY_NS     (100 * NS_PER_MS) /* frames: at most 10 per second */
#define FULL_SPEED_PERIOD (5 * NS_PER_SEC)  /* as fast as possible: a sample every 5 s */

/* ---- semantic attributes: the one table --------------------------------------- */

struct role_spec {
    short fg, bg;    /* -1 = terminal default */
    unsigned colour; /* extra attributes with colours */
    unsigned mono;   /* attributes without colours */
};

static const struct role_spec roles[TR_COUNT] = {
    [TR_NORMAL] = {-1, -1, 0, A_NORMAL},
    [TR_TITLE] = {COLOR_BLACK, COLOR_CYAN, A_BOLD, A_BOLD | A_REVERSE},
    [TR_HEADER] = {COLOR_CYAN, -1, 0, A_NORMAL},
    [TR_COLHEAD] = {COLOR_BLACK, COLOR_GREEN, 0, A_REVERSE},
    [TR_SORTCOL] = {COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD | A_UNDERLINE},
    [TR_ENDED] = {-1, -1, A_DIM, A_DIM},
    [TR_STUCK] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
    [TR_STUCK_SEL] = {COLOR_YELLOW, COLOR_MAGENTA, A_BOLD, A_BOLD | A_UNDERLINE},
    [TR_VIOLATION] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [TR_INFERRED] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [TR_SELECTED] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
    [TR_FOOTER] = {COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE},
    [TR_FOOTKEY] = {COLOR_WHITE, -1, A_BOLD, A_BOLD},
    [TR_PROMPT] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_BOLD},
    [TR_PAUSED] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_BLINK},
    [TR_DROPS] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
    [TR_ST_SYN] = {COLOR_YELLOW, -1, A_BOLD, A_NORMAL},
    [TR_ST_EST] = {COLOR_GREEN, -1, A_BOLD, A_NORMAL},
    [TR_ST_FINWAIT] = {COLOR_CYAN, -1, A_BOLD, A_NORMAL},
    [TR_ST_CLOSEWAIT] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [TR_ST_CLOSING] = {COLOR_MAGENTA, -1, A_BOLD, A_NORMAL},
    [TR_ST_TIMEWAIT] = {COLOR_BLUE, -1, A_BOLD, A_NORMAL},
    [TR_ST_CLOSED] = {-1, -1, A_DIM, A_DIM},
    [TR_G_SEQ] = {COLOR_GREEN, -1, A_BOLD, A_NORMAL},
    [TR_G_ACK] = {COLOR_CYAN, -1, 0, A_NORMAL},
    [TR_G_RETX] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [TR_G_AXIS] = {-1, -1, A_DIM, A_NORMAL},
    [TR_G_RTT] = {COLOR_YELLOW, -1, 0, A_NORMAL},
};

struct tui {
    struct tui_screen s;
    struct tui_frame fr;
    struct tui_export *ex;
    SCREEN *scr;
    volatile sig_atomic_t *stop;
    bool colours, full_speed;
    attr_t attr[TR_COUNT];
    uint64_t last_draw_ns; /* monotonic */
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
    (void)mousemask(0, NULL);
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

/*
 * Braille cells need a UTF-8 locale and a terminal that draws them; the
 * DEC terminals (TERM=vt100, vt220...) and the Linux console do not.
 */
static bool
braille_ok(void)
{
    const char *term = getenv("TERM"), *cs = nl_langinfo(CODESET);

    if (cs == NULL || strcmp(cs, "UTF-8") != 0)
        return false;
    return term != NULL && strncmp(term, "vt", 2) != 0 && strcmp(term, "linux") != 0 &&
           strcmp(term, "dumb") != 0;
}

/*
 * Home and End as tmux, screen, rxvt and the Linux console send them: the
 * xterm entries describe only xterm's own \eOH / \eOF (htop's CRT.c does
 * the same). A sequence the terminfo entry already has is left alone.
 */
static void
define_keys(void)
{
    static const struct {
        const char *seq;
        int key;
    } extra[] = {
        {"\033[1~", KEY_HOME}, {"\033[7~", KEY_HOME}, {"\033[H", KEY_HOME},
        {"\033[4~", KEY_END},  {"\033[8~", KEY_END},  {"\033[F", KEY_END},
    };
    size_t i;

    for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
        if (key_defined(extra[i].seq) == 0)
            (void)define_key(extra[i].seq, extra[i].key);
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
    define_keys();
    /* presses, not clicks: a click would wait mouseinterval() to tell it apart */
    (void)mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    (void)mouseinterval(0);
    wtimeout(stdscr, 0);
    attrs_setup(t);
    return 0;
}

/* ---- drawing: a frame to the terminal ------------------------------------------------ */

static void
blit(struct tui *t)
{
    const struct tui_frame *f = &t->fr;
    char run[4096];
    int y, x, x0;

    for (y = 0; y < f->rows && y < LINES; y++) {
        for (x = 0; x < f->cols && x < COLS;) {
            uint8_t role = f->cell[(size_t)y * (size_t)f->cols + (size_t)x].role;
            size_t used = 0;

            x0 = x;
            /* one addstr per run of cells in the same role */
            while (x < f->cols && x < COLS) {
                const struct tui_cell *c = &f->cell[(size_t)y * (size_t)f->cols + (size_t)x];
                size_t gl = strlen(c->g);

                if (c->role != role || used + gl + 1 > sizeof(run))
                    break;
                memcpy(run + used, c->g, gl);
                used += gl;
                x++;
            }
            run[used] = '\0';
            wattrset(stdscr, (int)t->attr[role < TR_COUNT ? role : TR_NORMAL]);
            mvwaddstr(stdscr, y, x0, run);
        }
    }
}

static void
draw(struct tui *t)
{
    tui_screen_refresh(&t->s);
    tui_screen_render(&t->s, &t->fr, LINES, COLS);
    werase(stdscr);
    blit(t);
    if (t->fr.cursor_y >= 0) {
        (void)curs_set(1);
        wmove(stdscr, t->fr.cursor_y, t->fr.cursor_x);
    } else {
        (void)curs_set(0);
    }
    wnoutrefresh(stdscr);
    doupdate();
    t->last_draw_ns = clock_monotonic_ns();
}

/* ---- input: curses codes to struct tui_input ----------------------------------------- */

static bool
translate(int ch, struct tui_input *in)
{
    MEVENT me;
    int i;

    memset(in, 0, sizeof(*in));
    in->ms = clock_monotonic_ns() / NS_PER_MS;
    switch (ch) {
    case KEY_UP:
        in->key = TK_UP;
        return true;
    case KEY_DOWN:
        in->key = TK_DOWN;
        return true;
    case KEY_LEFT:
        in->key = TK_LEFT;
        return true;
    case KEY_RIGHT:
        in->key = TK_RIGHT;
        return true;
    case KEY_PPAGE:
        in->key = TK_PGUP;
        return true;
    case KEY_NPAGE:
        in->key = TK_PGDN;
        return true;
    case KEY_HOME:
    case KEY_FIND: /* what \e[1~ (tmux, screen, the Linux console) decodes to under xterm */
    case KEY_A1:
        in->key = TK_HOME;
        return true;
    case KEY_END:
    case KEY_SELECT: /* \e[4~ */
    case KEY_C1:
        in->key = TK_END;
        return true;
    case KEY_ENTER:
        in->key = TK_ENTER;
        return true;
    case KEY_BACKSPACE:
        in->key = TK_BACKSPACE;
        return true;
    case KEY_RESIZE:
        in->key = TK_RESIZE;
        return true;
    case 27:
        in->key = TK_ESC;
        return true;
    case '\n':
    case '\r':
        in->key = TK_ENTER;
        return true;
    case KEY_MOUSE:
        if (getmouse(&me) != OK)
            return false;
        in->key = TK_MOUSE;
        in->y = me.y;
        in->x = me.x;
        if (me.bstate & BUTTON4_PRESSED)
            in->mouse = TUI_MOUSE_WHEEL_UP;
        else if (me.bstate & BUTTON5_PRESSED)
            in->mouse = TUI_MOUSE_WHEEL_DOWN;
        else if (me.bstate & BUTTON1_PRESSED)
            in->mouse = TUI_MOUSE_PRESS;
        else
            return false;
        return true;
    default:
        break;
    }
    for (i = 1; i <= 12; i++)
        if (ch == KEY_F(i)) {
            in->key = TK_F0 + i;
            return true;
        }
    if (ch < 0 || ch > 255)
        return false;
    in->key = ch;
    return true;
}

static void
request_quit(struct tui *t)
{
    if (t->stop != NULL)
        *t->stop = 1;
}

static void
handle(struct tui *t, int ch)
{
    struct tui_input in;

    if (ch == KEY_RESIZE || ch == 12) /* Ctrl-L: repaint everything */
        clearok(curscr, TRUE);
    if (!translate(ch, &in))
        return;
    tui_screen_input(&t->s, &in);
    if (t->s.quit)
        request_quit(t);
}

/* Reads every pending key without waiting; returns true if any arrived. */
static bool
poll_keys(struct tui *t)
{
    bool any = false;
    int ch;

    wtimeout(stdscr, 0);
    while (!t->s.quit && (ch = wgetch(stdscr)) != ERR) {
        handle(t, ch);
        any = true;
    }
    return any;
}

/* ---- reporter_ops ------------------------------------------------------------------- */

static int
tui_open(void **priv, FILE *out, const struct report_opts *o, char *err)
{
    struct tui_screen_cfg cfg;
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
    /* the character set only (braille cells); numbers and messages stay C */
    (void)setlocale(LC_CTYPE, "");
    t = xcalloc(1, sizeof(*t));
    t->stop = o->stop;
    t->full_speed = !o->live && !(o->replay_speed > 0);
    memset(&cfg, 0, sizeof(cfg));
    cfg.live = o->live;
    cfg.model.rows_max = o->tui_rows;
    cfg.model.sample_period_ns = t->full_speed ? FULL_SPEED_PERIOD : NS_PER_SEC;
    t->ex = tui_export_new(o, braille_ok());
    tui_export_actions(t->ex, &cfg.act);
    tui_screen_init(&t->s, &cfg);
    tui_frame_init(&t->fr);
    if (tui_start(t, err) != 0) {
        tui_screen_fini(&t->s);
        tui_frame_fini(&t->fr);
        tui_export_free(t->ex);
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

    tui_screen_flow_end(&t->s, r);
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

    t->s.dirty = true;
    while (!t->s.quit && (t->stop == NULL || !*t->stop)) {
        if (t->s.dirty)
            draw(t);
        wtimeout(stdscr, 250); /* also notices SIGINT/SIGTERM through *stop */
        if ((ch = wgetch(stdscr)) != ERR)
            handle(t, ch);
    }
}

static bool
tui_want_tick(void *priv, uint64_t now_ns)
{
    struct tui *t = priv;

    if (!t->full_speed)
        return true;
    /* between snapshots: keys still work, on the data already shown */
    if (poll_keys(t) && !t->s.quit)
        draw(t);
    return tui_model_sample_due(&t->s.m, now_ns);
}

static void
tui_tick(void *priv, const struct flow_record *live, size_t n, const struct stats_record *st,
         bool final)
{
    struct tui *t = priv;
    bool keys;

    tui_screen_tick(&t->s, live, n, st, final);
    if (final) {
        if (t->s.quit || (t->stop != NULL && *t->stop))
            return; /* the user already quit (or a signal ended the run) */
        final_loop(t);
        return;
    }
    keys = poll_keys(t);
    if (t->s.quit)
        return;
    if (!keys && clock_monotonic_ns() - t->last_draw_ns < DRAW_EVERY_NS)
        return;
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
    tui_screen_fini(&t->s);
    tui_frame_fini(&t->fr);
    tui_export_free(t->ex);
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
    .want_tick = tui_want_tick,
    .close = tui_close,
    .ids = REPORT_ID_ALL, /* rows are keyed by flow_id; the detail pane shows all three */
};
