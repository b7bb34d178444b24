/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_layout: the table's columns and cells and the header's state bar as
 * plain text (tui_layout.h). Owns no state: every function is a pure
 * function of its arguments, so the layouts a terminal gets at 80 and at
 * 200 columns are unit-tested without one. Called by tui.c on each frame
 * for the visible rows only.
 */
#include <config.h>

#include "report/tui/tui_layout.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NS_PER_SEC UINT64_C(1000000000)
#define NS_PER_MS  UINT64_C(1000000)

/* title, right, prio, min width, sort */
const struct tui_col_def tui_cols[TC_COUNT] = {
    [TC_MARK] = {"Mrk", false, 0, 3, TUI_SORT_STATE},
    [TC_CLIENT] = {"Client", false, 0, 15, -1},
    [TC_SERVER] = {"Server", false, 0, 15, -1},
    [TC_CST] = {"C-State", false, 1, 11, TUI_SORT_STATE},
    [TC_SST] = {"S-State", false, 0, 11, TUI_SORT_STATE},
    [TC_STUCK] = {"Stuck", true, 1, 5, TUI_SORT_STUCK},
    [TC_INSTATE] = {"InState", true, 2, 6, TUI_SORT_INSTATE},
    [TC_IDLE] = {"Idle", true, 8, 5, TUI_SORT_IDLE},
    [TC_DUR] = {"Dur", true, 8, 5, TUI_SORT_DUR},
    [TC_PKTS] = {"Pkts", true, 7, 5, TUI_SORT_PKTS},
    [TC_BYTES] = {"Bytes", true, 3, 5, TUI_SORT_BYTES},
    [TC_RATE_CS] = {"C>S B/s", true, 4, 5, TUI_SORT_RATE},
    [TC_RATE_SC] = {"S>C B/s", true, 4, 5, TUI_SORT_RATE},
    [TC_RETR] = {"Retr", true, 5, 4, TUI_SORT_RETRANS},
    [TC_RTT] = {"RTTms", true, 6, 5, TUI_SORT_RTT},
    [TC_VIOL] = {"Viol", true, 9, 4, TUI_SORT_VIOL},
    [TC_HS] = {"Handshake", false, 10, 8, -1},
    [TC_CLOSE] = {"Close", false, 10, 5, -1},
    [TC_CONNST] = {"Zeek", false, 11, 4, -1},
    [TC_HIST] = {"History", false, 12, 8, -1},
    [TC_START] = {"Start", false, 13, 8, TUI_SORT_START},
    [TC_UID] = {"Uid", false, 14, 18, -1},
};

static void
fmt_rate(bool known, double v, char *buf)
{
    if (!known)
        snprintf(buf, TUI_CELL_LEN, "-");
    else
        tui_fmt_si(v, buf, TUI_CELL_LEN);
}

void
tui_row_cells(const struct tui_conn *c, const struct tui_totals *tot,
              char cell[TC_COUNT][TUI_CELL_LEN])
{
    const struct flow_record *r = &c->rec;
    const struct session_summary *s = &r->s;
    uint64_t rtt = tui_conn_rtt_ns(c), stuck = tui_conn_stuck_ns(c);
    time_t secs = (time_t)(r->start_ns / NS_PER_SEC);
    double cs, sc;
    bool known = tui_conn_rates(c, tot->ts_ns, tot->origin_ns, &cs, &sc);
    struct tm tm;

    cell[TC_MARK][0] = tui_conn_stuck(c) ? '*' : ' ';
    cell[TC_MARK][1] = tui_conn_violations(c) != 0 ? '!' : ' ';
    cell[TC_MARK][2] = tui_conn_inferred(c) ? '?' : ' ';
    cell[TC_MARK][3] = '\0';
    tui_conn_addr(c, false, cell[TC_CLIENT], TUI_CELL_LEN);
    tui_conn_addr(c, true, cell[TC_SERVER], TUI_CELL_LEN);
    snprintf(cell[TC_CST], TUI_CELL_LEN, "%s", tcp_state_name((enum tcp_state_id)s->client.state));
    snprintf(cell[TC_SST], TUI_CELL_LEN, "%s", tcp_state_name((enum tcp_state_id)s->server.state));
    if (tui_conn_stuck(c))
        tui_fmt_dur(stuck, cell[TC_STUCK], TUI_CELL_LEN);
    else
        snprintf(cell[TC_STUCK], TUI_CELL_LEN, "-");
    tui_fmt_dur(tui_conn_instate_ns(c), cell[TC_INSTATE], TUI_CELL_LEN);
    tui_fmt_dur(tui_conn_idle_ns(c), cell[TC_IDLE], TUI_CELL_LEN);
    tui_fmt_dur(tui_conn_dur_ns(c), cell[TC_DUR], TUI_CELL_LEN);
    snprintf(cell[TC_PKTS], TUI_CELL_LEN, "%" PRIu64, tui_conn_pkts(c));
    tui_fmt_si((double)tui_conn_bytes(c), cell[TC_BYTES], TUI_CELL_LEN);
    fmt_rate(known, cs, cell[TC_RATE_CS]);
    fmt_rate(known, sc, cell[TC_RATE_SC]);
    snprintf(cell[TC_RETR], TUI_CELL_LEN, "%" PRIu64, tui_conn_retrans(c));
    if (rtt == 0)
        snprintf(cell[TC_RTT], TUI_CELL_LEN, "-");
    else
        snprintf(cell[TC_RTT], TUI_CELL_LEN, "%" PRIu64 ".%" PRIu64, rtt / NS_PER_MS,
                 rtt % NS_PER_MS / 100000);
    snprintf(cell[TC_VIOL], TUI_CELL_LEN, "%" PRIu64, tui_conn_violations(c));
    snprintf(cell[TC_HS], TUI_CELL_LEN, "%s",
             r->has_session ? tcp_handshake_name((enum tcp_handshake)s->handshake) : "-");
    snprintf(cell[TC_CLOSE], TUI_CELL_LEN, "%s",
             r->has_session ? tcp_close_name((enum tcp_close)s->close) : "-");
    snprintf(cell[TC_CONNST], TUI_CELL_LEN, "%s", s->conn_state[0] != '\0' ? s->conn_state : "-");
    snprintf(cell[TC_HIST], TUI_CELL_LEN, "%s", s->history[0] != '\0' ? s->history : "-");
    if (r->start_ns != 0 && gmtime_r(&secs, &tm) != NULL)
        strftime(cell[TC_START], TUI_CELL_LEN, "%H:%M:%S", &tm);
    else
        snprintf(cell[TC_START], TUI_CELL_LEN, "-");
    snprintf(cell[TC_UID], TUI_CELL_LEN, "%s", r->uid[0] != '\0' ? r->uid : "-");
}

static bool
is_sort_col(enum tui_col c, enum tui_sort sort)
{
    /* the state sort shows on S-State (it orders by server state first) */
    if (sort == TUI_SORT_STATE)
        return c == TC_SST;
    if (sort == TUI_SORT_RATE)
        return c == TC_RATE_CS;
    if (sort == TUI_SORT_VIOL)
        return c == TC_VIOL;
    return tui_cols[c].sort == (int)sort;
}

void
tui_col_title(enum tui_col c, enum tui_sort sort, bool reverse, char *buf, size_t len)
{
    if (is_sort_col(c, sort))
        snprintf(buf, len, "%s %s", tui_cols[c].title, reverse ? "^" : "v");
    else
        snprintf(buf, len, "%s", tui_cols[c].title);
}

/* Blanks before column c in a line (the mark column hugs the client). */
static int
gap_before(enum tui_col c)
{
    return c == TC_CLIENT ? 1 : 2;
}

static int
line_width(const int w[TC_COUNT])
{
    int c, total = 0;
    bool first = true;

    for (c = 0; c < TC_COUNT; c++) {
        if (w[c] == 0)
            continue;
        total += (first ? 0 : gap_before((enum tui_col)c)) + w[c];
        first = false;
    }
    return total;
}

void
tui_layout_fit(struct tui_layout *l, const struct tui_view *v, size_t first, size_t last, int cols,
               enum tui_sort sort, bool reverse)
{
    char cell[TC_COUNT][TUI_CELL_LEN], title[TUI_CELL_LEN];
    int want[TC_COUNT], c, p, x, over;
    size_t i;

    for (c = 0; c < TC_COUNT; c++) {
        tui_col_title((enum tui_col)c, sort, reverse, title, sizeof(title));
        want[c] = (int)strlen(title);
        if (want[c] < tui_cols[c].min_width)
            want[c] = tui_cols[c].min_width;
    }
    for (i = first; i < last && i < v->n_rows; i++) {
        tui_row_cells(v->rows[i], &v->tot, cell);
        for (c = 0; c < TC_COUNT; c++)
            if ((int)strlen(cell[c]) > want[c])
                want[c] = (int)strlen(cell[c]);
    }
    memset(l->width, 0, sizeof(l->width));
    /*
     * Priority order, a priority's columns together (both directions of a
     * rate, or neither); a group that does not fit is skipped, and smaller
     * later ones may still join.
     */
    for (p = 0; p < 256; p++) {
        for (c = 0; c < TC_COUNT; c++)
            if (tui_cols[c].prio == p)
                l->width[c] = want[c];
        if (p > 0 && line_width(l->width) > cols)
            for (c = 0; c < TC_COUNT; c++)
                if (tui_cols[c].prio == p)
                    l->width[c] = 0;
    }
    if ((over = line_width(l->width) - cols) > 0) {
        /* even the first columns are too wide: clip the two addresses */
        l->width[TC_CLIENT] -= (over + 1) / 2;
        l->width[TC_SERVER] -= over / 2;
        if (l->width[TC_CLIENT] < 4)
            l->width[TC_CLIENT] = 4;
        if (l->width[TC_SERVER] < 4)
            l->width[TC_SERVER] = 4;
    }
    x = 0;
    for (c = 0; c < TC_COUNT; c++) {
        l->x[c] = -1;
        if (l->width[c] == 0)
            continue;
        if (x > 0)
            x += gap_before((enum tui_col)c);
        l->x[c] = x;
        x += l->width[c];
    }
    l->total = x;
}

void
tui_layout_line(const struct tui_layout *l, char cell[TC_COUNT][TUI_CELL_LEN], char *buf,
                size_t len)
{
    size_t used = 0;
    int c, n, w, cl;
    const char *s;

    buf[0] = '\0';
    for (c = 0; c < TC_COUNT && used + 1 < len; c++) {
        if (l->width[c] == 0)
            continue;
        w = l->width[c];
        s = cell[c];
        cl = (int)strlen(s);
        if (cl > w)
            s += cl - w; /* keep the port */
        n = snprintf(buf + used, len - used, tui_cols[c].right ? "%*s%*s" : "%*s%-*s",
                     used == 0 ? 0 : gap_before((enum tui_col)c), "", w, s);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    /* no trailing blanks */
    used = strlen(buf);
    while (used > 0 && buf[used - 1] == ' ')
        buf[--used] = '\0';
}

int
tui_layout_col_at(const struct tui_layout *l, int x)
{
    int c;

    for (c = 0; c < TC_COUNT; c++)
        if (l->width[c] != 0 && x >= l->x[c] && x < l->x[c] + l->width[c] + 2)
            return c;
    return -1;
}

char
tui_state_letter(enum tcp_state_id s)
{
    static const char letters[TCP_ST_COUNT] = {
        [TCP_ST_NONE] = '.',        [TCP_ST_SYN_SENT] = 'S',   [TCP_ST_SYN_RECEIVED] = 'R',
        [TCP_ST_ESTABLISHED] = 'E', [TCP_ST_FIN_WAIT_1] = '1', [TCP_ST_FIN_WAIT_2] = '2',
        [TCP_ST_CLOSE_WAIT] = 'W',  [TCP_ST_CLOSING] = 'C',    [TCP_ST_LAST_ACK] = 'L',
        [TCP_ST_TIME_WAIT] = 'T',   [TCP_ST_CLOSED] = 'X',
    };

    return (unsigned)s < TCP_ST_COUNT ? letters[s] : '?';
}

void
tui_state_bar(const uint64_t by_state[TCP_ST_COUNT], int width, char *buf, size_t len,
              uint8_t *cell_state)
{
    uint64_t total = 0;
    int cells[TCP_ST_COUNT] = {0}, used = 0, s, i, pos = 0, nonzero = 0;
    double rem[TCP_ST_COUNT] = {0};

    if (width < 0)
        width = 0;
    if ((size_t)width >= len)
        width = (int)len - 1;
    for (s = TCP_ST_SYN_SENT; s < TCP_ST_COUNT; s++) {
        total += by_state[s];
        nonzero += by_state[s] != 0;
    }
    if (total != 0) {
        for (s = TCP_ST_SYN_SENT; s < TCP_ST_COUNT; s++) {
            double exact = (double)by_state[s] * width / (double)total;

            cells[s] = (int)exact;
            /* a state present at all gets a cell when there is room for each */
            if (by_state[s] != 0 && cells[s] == 0 && nonzero <= width) {
                cells[s] = 1;
                exact = 1.0;
            }
            rem[s] = exact - cells[s];
            used += cells[s];
        }
        while (used > width) { /* the minimum cells overdrew: take from the largest */
            int big = TCP_ST_SYN_SENT;

            for (s = TCP_ST_SYN_SENT; s < TCP_ST_COUNT; s++)
                if (cells[s] > cells[big])
                    big = s;
            cells[big]--;
            used--;
        }
        while (used < width) { /* largest remainder first, ties to the lower state */
            int best = -1;

            for (s = TCP_ST_SYN_SENT; s < TCP_ST_COUNT; s++)
                if (by_state[s] != 0 && (best < 0 || rem[s] > rem[best]))
                    best = s;
            cells[best]++;
            rem[best] = -1.0;
            used++;
        }
    }
    for (s = TCP_ST_SYN_SENT; s < TCP_ST_COUNT; s++)
        for (i = 0; i < cells[s]; i++, pos++) {
            buf[pos] = tui_state_letter((enum tcp_state_id)s);
            if (cell_state != NULL)
                cell_state[pos] = (uint8_t)s;
        }
    for (; pos < width; pos++) {
        buf[pos] = ' ';
        if (cell_state != NULL)
            cell_state[pos] = TCP_ST_NONE;
    }
    buf[pos] = '\0';
}
