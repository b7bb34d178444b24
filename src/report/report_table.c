/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_table: the text table's column model, the fit to a terminal's
 * width, and human-readable durations (contracts in report_table.h). Pure
 * functions apart from report_table_width(), which asks the terminal; the
 * unit tests drive the layout with made-up widths.
 */
#include <config.h>

#include "report/report_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define NS_PER_US  1000ULL
#define NS_PER_MS  1000000ULL
#define NS_PER_SEC 1000000000ULL

const char *const report_table_title[TABLE_NCOLS] = {
    [TABLE_START] = "Start",     [TABLE_CLIENT] = "Client",   [TABLE_CSTATE] = "State",
    [TABLE_SERVER] = "Server",   [TABLE_SSTATE] = "State",    [TABLE_DUR] = "Dur",
    [TABLE_PKTS] = "Pkts",       [TABLE_BYTES] = "Bytes",     [TABLE_RETR] = "Retr",
    [TABLE_DUPACK] = "DupAck",   [TABLE_ZEROWIN] = "ZeroWin", [TABLE_LOST] = "Lost",
    [TABLE_RTT] = "RTT",         [TABLE_CONN] = "Conn",       [TABLE_HISTORY] = "History",
};

const bool report_table_right[TABLE_NCOLS] = {
    [TABLE_DUR] = true,    [TABLE_PKTS] = true,    [TABLE_BYTES] = true,
    [TABLE_RETR] = true,   [TABLE_DUPACK] = true,  [TABLE_ZEROWIN] = true,
    [TABLE_LOST] = true,   [TABLE_RTT] = true,
};

/*
 * What a narrow terminal gives up first: when the connection started and
 * the Zeek view, then the RTT, then the analysis counters (the notes name
 * them instead), then the volume, and the duration last.
 */
const enum table_col report_table_drop_order[TABLE_NCOLS - 4] = {
    TABLE_START, TABLE_HISTORY, TABLE_CONN,  TABLE_RTT,  TABLE_LOST, TABLE_ZEROWIN,
    TABLE_DUPACK, TABLE_RETR,   TABLE_BYTES, TABLE_PKTS, TABLE_DUR,
};

/* Line width of the visible fixed columns, separators included (no notes). */
static size_t
fixed_width(const size_t width[TABLE_NCOLS], unsigned visible)
{
    size_t w = 0, n = 0;
    int c;

    for (c = 0; c < TABLE_NCOLS; c++) {
        if (!(visible & TABLE_BIT(c)))
            continue;
        w += width[c];
        n++;
    }
    return n > 0 ? w + (n - 1) * TABLE_SEP : 0;
}

unsigned
report_table_fit(const size_t width[TABLE_NCOLS], size_t cols,
                 size_t (*notes_width)(unsigned visible, void *arg), void *arg)
{
    unsigned visible = TABLE_ALL;
    size_t i;

    if (cols == 0)
        return visible;
    for (i = 0; i <= sizeof(report_table_drop_order) / sizeof(report_table_drop_order[0]); i++) {
        size_t notes = notes_width != NULL ? notes_width(visible, arg) : 0;
        size_t need = fixed_width(width, visible);

        /* the notes need their title's room at least, and TABLE_NOTES_MIN when they say more */
        if (notes > 0)
            need += TABLE_SEP + (notes < TABLE_NOTES_MIN ? notes : TABLE_NOTES_MIN);
        if (need <= cols || i == sizeof(report_table_drop_order) / sizeof(report_table_drop_order[0]))
            break;
        visible &= ~TABLE_BIT(report_table_drop_order[i]);
    }
    return visible;
}

size_t
report_table_width(int fd)
{
    struct winsize ws;
    const char *env;

    if (!isatty(fd))
        return 0;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    if ((env = getenv("COLUMNS")) != NULL && *env >= '1' && *env <= '9') {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(env, &end, 10);
        if (errno == 0 && *end == '\0' && v <= 100000)
            return (size_t)v;
    }
    return 80;
}

size_t
report_duration_put(uint64_t ns, char *buf)
{
    uint64_t s = ns / NS_PER_SEC;
    int n;

    if (ns == 0)
        n = snprintf(buf, REPORT_DURATION_MAX, "0s");
    else if (ns < NS_PER_MS)
        n = snprintf(buf, REPORT_DURATION_MAX, "%uus", (unsigned)(ns / NS_PER_US));
    else if (ns < 10 * NS_PER_MS)
        n = snprintf(buf, REPORT_DURATION_MAX, "%u.%ums", (unsigned)(ns / NS_PER_MS),
                     (unsigned)(ns / (NS_PER_MS / 10) % 10));
    else if (ns < NS_PER_SEC)
        n = snprintf(buf, REPORT_DURATION_MAX, "%ums", (unsigned)(ns / NS_PER_MS));
    else if (s < 60)
        n = snprintf(buf, REPORT_DURATION_MAX, "%u.%us", (unsigned)s,
                     (unsigned)(ns / (NS_PER_SEC / 10) % 10));
    else if (s < 3600)
        n = snprintf(buf, REPORT_DURATION_MAX, "%um %us", (unsigned)(s / 60), (unsigned)(s % 60));
    else if (s < 86400)
        n = snprintf(buf, REPORT_DURATION_MAX, "%uh %um", (unsigned)(s / 3600),
                     (unsigned)(s / 60 % 60));
    else
        n = snprintf(buf, REPORT_DURATION_MAX, "%llud %uh", (unsigned long long)(s / 86400),
                     (unsigned)(s / 3600 % 24));
    return n > 0 ? (size_t)n : 0;
}
