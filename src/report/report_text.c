/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_text: the default human-readable report (-T text). Nothing is
 * written until close(): ended connections are copied into rows (records
 * are borrowed) and the stats record's counters are copied too, then one
 * ss(8)-like table and a summary are printed.
 *
 * Order is deterministic: stuck connections first (stuck kind set, this
 * includes half-open ones), oldest "stuck since" first, ties in delivery
 * order; then every other connection in delivery order. Columns are sized
 * to their widest cell; no line has trailing blanks. Live records
 * (flow_update, tcp_stuck) are not shown: every live flow is delivered again
 * by flow_end when the input ends.
 */
#include <config.h>

#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum {
    COL_CST,
    COL_SST,
    COL_CLIENT,
    COL_SERVER,
    COL_PKTS,
    COL_BYTES,
    COL_RETR,
    COL_DUR,
    COL_INFO,
    COL_COUNT
};

static const char *const col_title[COL_COUNT] = {
    "State-client", "State-server", "Client", "Server",      "Pkts",
    "Bytes",        "Retr",         "Dur",    "Flags/Stuck",
};
static const bool col_right[COL_COUNT] = {false, false, false, false, true,
                                          true,  true,  true,  false};

/*
 * Rows are kept compactly (the bench's 133k connections made 1.4 KiB rows
 * ~190 MB): the cells live one after another, NUL-terminated, in t->cells,
 * each cut to CELL_MAX - 1 bytes as the snprintf into a char[CELL_MAX]
 * that first made them did.
 */
#define CELL_MAX 160

struct text_row {
    uint64_t order; /* delivery ordinal */
    bool stuck;
    uint64_t stuck_since;   /* ns */
    size_t off;             /* first cell in t->cells */
    uint8_t len[COL_COUNT]; /* strlen of each cell */
};

struct text_stat {
    char *path; /* owned copy */
    uint64_t value;
};

struct text {
    FILE *out;
    struct text_row *rows;
    size_t n, cap;
    char *cells; /* every row's cells */
    size_t cells_n, cells_cap;
    struct text_stat *stats;
    size_t n_stats;
    bool have_stats;
    uint64_t stats_ts;
    bool failed;
    bool quiet; /* -q: no summary */
};

/* s cut to len - 1 bytes like snprintf's "%s"; glibc prints NULL as "(null)". returns: bytes. */
static size_t
put_cut(char *buf, size_t len, const char *s)
{
    size_t n = strlen(s != NULL ? s : "(null)");

    if (n >= len)
        n = len - 1;
    memcpy(buf, s != NULL ? s : "(null)", n);
    buf[n] = '\0';
    return n;
}

/* "addr:port", "[addr]:port" for IPv6 (at most 53 bytes + NUL). */
static size_t
endpoint_str(const struct ip_addr *a, uint8_t version, uint16_t port, char *buf)
{
    char *p = buf;

    if (version == 6)
        *p++ = '[';
    p += report_addr_put(p, a, version);
    if (version == 6)
        *p++ = ']';
    *p++ = ':';
    p += report_u64_put(p, port);
    *p = '\0';
    return (size_t)(p - buf);
}

/* Seconds with millisecond resolution (truncated) from nanoseconds ("%lu.%03lu"). */
static size_t
secs_str(uint64_t ns, char *buf)
{
    uint64_t ms = ns / 1000000u;
    unsigned frac = (unsigned)(ms % 1000u);
    char *p = buf + report_u64_put(buf, ms / 1000u);

    *p++ = '.';
    *p++ = (char)('0' + frac / 100u);
    *p++ = (char)('0' + frac / 10u % 10u);
    *p++ = (char)('0' + frac % 10u);
    *p = '\0';
    return (size_t)(p - buf);
}

static size_t
num_str(uint64_t v, char *buf)
{
    size_t n = report_u64_put(buf, v);

    buf[n] = '\0';
    return n;
}

/*
 * Appends " word" (or "word" at the start) to buf, truncating safely: the
 * bytes snprintf(buf + used, len - used, "%s%s", used ? " " : "", word)
 * gives, without a format call per word. prefix (may be "") goes before word.
 */
static void
add_word2(char *buf, size_t len, const char *prefix, const char *word)
{
    size_t used = strlen(buf), room;

    if (word == NULL || used + 1 >= len)
        return;
    room = len - 1 - used;
    if (used != 0) {
        buf[used++] = ' ';
        room--;
    }
    used += put_cut(buf + used, room + 1, prefix);
    room = len - 1 - used;
    put_cut(buf + used, room + 1, word);
}

static void
add_word(char *buf, size_t len, const char *word)
{
    add_word2(buf, len, "", word);
}

static void
info_cell(const struct flow_record *r, char *buf, size_t len)
{
    const struct session_summary *s = &r->s;
    char w[96], t[32];
    uint64_t nviol = 0;
    int k;

    buf[0] = '\0';
    if (!r->has_session) {
        if (r->roles_guessed)
            add_word(buf, len, "roles-guessed");
        return;
    }
    if (s->stuck != TCP_STUCK_NONE) {
        secs_str(r->now_ns > s->stuck_since_ns ? r->now_ns - s->stuck_since_ns : 0, t);
        snprintf(w, sizeof(w), "STUCK:%s(%ss)", tcp_stuck_name((enum tcp_stuck_kind)s->stuck), t);
        add_word(buf, len, w);
    }
    /* "hs=%s" and "close=%s" were cut to 95 bytes in a char[96] first */
    put_cut(w, sizeof(w) - 3, tcp_handshake_name((enum tcp_handshake)s->handshake));
    add_word2(buf, len, "hs=", w);
    put_cut(w, sizeof(w) - 6, tcp_close_name((enum tcp_close)s->close));
    add_word2(buf, len, "close=", w);
    for (k = 0; k < TV_COUNT; k++)
        nviol += (uint64_t)s->client.violations[k] + s->server.violations[k];
    if (nviol != 0) {
        num_str(nviol, t);
        add_word2(buf, len, "viol=", t);
    }
    if (s->midstream)
        add_word(buf, len, "midstream");
    if (r->roles_guessed || s->roles_guessed)
        add_word(buf, len, "roles-guessed");
}

static void
text_flow_end(void *priv, const struct flow_record *r)
{
    struct text *t = priv;
    struct text_row *row;
    const struct session_summary *s = &r->s;
    char cell[COL_COUNT][CELL_MAX];
    size_t len[COL_COUNT], total = 0, c;

    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->rows = xreallocarray(t->rows, t->cap, sizeof(*t->rows));
    }
    /* the numbers and addresses are far shorter than CELL_MAX; only names are cut */
    len[COL_CST] =
        put_cut(cell[COL_CST], CELL_MAX,
                r->has_session ? tcp_state_name((enum tcp_state_id)s->client.state) : "-");
    len[COL_SST] =
        put_cut(cell[COL_SST], CELL_MAX,
                r->has_session ? tcp_state_name((enum tcp_state_id)s->server.state) : "-");
    len[COL_CLIENT] = endpoint_str(&r->src_ip, r->ip_version, r->src_port, cell[COL_CLIENT]);
    len[COL_SERVER] = endpoint_str(&r->dest_ip, r->ip_version, r->dest_port, cell[COL_SERVER]);
    len[COL_PKTS] = num_str(r->pkts_toserver + r->pkts_toclient, cell[COL_PKTS]);
    len[COL_BYTES] = num_str(r->bytes_toserver + r->bytes_toclient, cell[COL_BYTES]);
    len[COL_RETR] =
        num_str((uint64_t)s->client.retransmits + s->server.retransmits, cell[COL_RETR]);
    len[COL_DUR] = secs_str(r->end_ns > r->start_ns ? r->end_ns - r->start_ns : 0, cell[COL_DUR]);
    info_cell(r, cell[COL_INFO], CELL_MAX);
    len[COL_INFO] = strlen(cell[COL_INFO]);

    for (c = 0; c < COL_COUNT; c++)
        total += len[c] + 1;
    if (t->cells_n + total > t->cells_cap) {
        while (t->cells_n + total > t->cells_cap)
            t->cells_cap = t->cells_cap ? t->cells_cap * 2 : 64 * 1024;
        t->cells = xreallocarray(t->cells, t->cells_cap, 1);
    }
    row = &t->rows[t->n];
    row->order = t->n++;
    row->stuck = s->stuck != TCP_STUCK_NONE;
    row->stuck_since = s->stuck_since_ns;
    row->off = t->cells_n;
    for (c = 0; c < COL_COUNT; c++) {
        row->len[c] = (uint8_t)len[c];
        memcpy(t->cells + t->cells_n, cell[c], len[c] + 1);
        t->cells_n += len[c] + 1;
    }
}

static void
free_stats(struct text *t)
{
    size_t i;

    for (i = 0; i < t->n_stats; i++)
        free(t->stats[i].path);
    free(t->stats);
    t->stats = NULL;
    t->n_stats = 0;
}

/*
 * Keeps a copy of the latest stats record (paths are borrowed for the call).
 * The summary is for a person: flowstate's own counters are shown by their
 * module, without the "flowstate." namespace EVE needs beside Suricata's.
 */
static void
text_stats(void *priv, const struct stats_record *st)
{
    struct text *t = priv;
    size_t i, n = st->items != NULL ? st->items->n : 0;

    free_stats(t);
    t->have_stats = true;
    t->stats_ts = st->ts_ns;
    if (n == 0)
        return;
    t->stats = xcalloc(n, sizeof(*t->stats));
    for (i = 0; i < n; i++) {
        const char *p = st->items->items[i].path;

        if (strncmp(p, STATS_OWN, sizeof(STATS_OWN) - 1) == 0)
            p += sizeof(STATS_OWN) - 1;
        t->stats[i].path = xstrdup(p);
        t->stats[i].value = st->items->items[i].value;
    }
    t->n_stats = n;
}

static int
row_cmp(const void *pa, const void *pb)
{
    const struct text_row *a = pa, *b = pb;

    if (a->stuck != b->stuck)
        return a->stuck ? -1 : 1;
    if (a->stuck && a->stuck_since != b->stuck_since)
        return a->stuck_since < b->stuck_since ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static void
out_str(struct text *t, const char *s)
{
    if (fputs(s, t->out) == EOF)
        t->failed = true;
}

/*
 * One table line: cells padded to their column's width ("%-*s" or "%*s",
 * two blanks between columns, never cut), trailing blanks dropped, '\n'.
 * Every width is < CELL_MAX, so a line is < COL_COUNT * (CELL_MAX + 2).
 */
static void
print_line(struct text *t, const char *const cells[COL_COUNT], const size_t lens[COL_COUNT],
           const size_t width[COL_COUNT])
{
    char line[COL_COUNT * (CELL_MAX + 2) + 1];
    size_t used = 0, c;

    for (c = 0; c < COL_COUNT; c++) {
        size_t pad = width[c] > lens[c] ? width[c] - lens[c] : 0;

        if (c) {
            memcpy(line + used, "  ", 2);
            used += 2;
        }
        if (col_right[c]) {
            memset(line + used, ' ', pad);
            used += pad;
        }
        memcpy(line + used, cells[c], lens[c]);
        used += lens[c];
        if (!col_right[c]) {
            memset(line + used, ' ', pad);
            used += pad;
        }
    }
    while (used > 0 && line[used - 1] == ' ')
        used--;
    line[used++] = '\n';
    if (fwrite(line, 1, used, t->out) != used)
        t->failed = true;
}

static void
print_table(struct text *t)
{
    size_t width[COL_COUNT], lens[COL_COUNT], i, c;
    const char *cells[COL_COUNT];

    if (t->n == 0) {
        out_str(t, "no TCP connections\n");
        return;
    }
    qsort(t->rows, t->n, sizeof(*t->rows), row_cmp);
    for (c = 0; c < COL_COUNT; c++) {
        width[c] = strlen(col_title[c]);
        lens[c] = width[c];
    }
    for (i = 0; i < t->n; i++)
        for (c = 0; c < COL_COUNT; c++)
            if (t->rows[i].len[c] > width[c])
                width[c] = t->rows[i].len[c];
    width[COL_COUNT - 1] = 0; /* last column is never padded */
    print_line(t, col_title, lens, width);
    for (i = 0; i < t->n; i++) {
        const char *p = t->cells + t->rows[i].off;

        for (c = 0; c < COL_COUNT; c++) {
            cells[c] = p;
            lens[c] = t->rows[i].len[c];
            p += lens[c] + 1;
        }
        print_line(t, cells, lens, width);
    }
}

static bool
stat_find(const struct text *t, const char *path)
{
    size_t i;

    for (i = 0; i < t->n_stats; i++)
        if (strcmp(t->stats[i].path, path) == 0)
            return true;
    return false;
}

static uint64_t
stat_get(const struct text *t, const char *path)
{
    size_t i;

    for (i = 0; i < t->n_stats; i++)
        if (strcmp(t->stats[i].path, path) == 0)
            return t->stats[i].value;
    return 0;
}

static uint64_t
stat_sum_prefix(const struct text *t, const char *prefix)
{
    size_t i, n = strlen(prefix);
    uint64_t sum = 0;

    for (i = 0; i < t->n_stats; i++)
        if (strncmp(t->stats[i].path, prefix, n) == 0)
            sum += t->stats[i].value;
    return sum;
}

static void
print_summary(struct text *t)
{
    char buf[512], ts[40];
    /* decoder.pkts counts the packets past the filter (Suricata's meaning) */
    uint64_t filt = stat_get(t, "decoder.filtered"), read = stat_get(t, "decoder.pkts") + filt;
    uint64_t tcp, trunc, malf, other, accounted;
    size_t i, j;

    if (stat_find(t, "decoder.outcome.tcp")) {
        /* the decoder's outcomes partition every unfiltered packet */
        tcp = stat_get(t, "decoder.outcome.tcp");
        trunc = stat_get(t, "decoder.outcome.truncated");
        malf = stat_get(t, "decoder.outcome.malformed");
        other = stat_sum_prefix(t, "decoder.outcome.") - tcp - trunc - malf;
    } else {
        tcp = stat_get(t, "decoder.tcp");
        trunc = stat_sum_prefix(t, "decoder.truncated.");
        malf = stat_sum_prefix(t, "decoder.malformed.");
        accounted = tcp + trunc + malf + filt;
        other = read > accounted ? read - accounted : 0;
    }

    /* no packet reached the capture clock: say so, not "at 1970-01-01" */
    if (read == 0)
        snprintf(buf, sizeof(buf), "\nsummary (no packets)\n");
    else if (filt == read)
        snprintf(buf, sizeof(buf), "\nsummary (no packet passed the filter)\n");
    else
        snprintf(buf, sizeof(buf), "\nsummary at %s\n",
                 report_iso8601(t->stats_ts, ts, sizeof(ts)));
    out_str(t, buf);
    snprintf(buf, sizeof(buf),
             "packets: %" PRIu64 " read, %" PRIu64 " tcp, %" PRIu64 " other, %" PRIu64
             " truncated, %" PRIu64 " malformed, %" PRIu64 " filtered\n",
             read, tcp, other, trunc, malf, filt);
    out_str(t, buf);

    /* groups by first path component, in first-seen order */
    for (i = 0; i < t->n_stats; i++) {
        const char *p = t->stats[i].path, *dot = strchr(p, '.');
        size_t plen = dot != NULL ? (size_t)(dot - p) : strlen(p), width = 0;
        bool seen_before = false;

        for (j = 0; j < i && !seen_before; j++)
            seen_before = strncmp(t->stats[j].path, p, plen) == 0 &&
                          (t->stats[j].path[plen] == '.' || t->stats[j].path[plen] == '\0');
        if (seen_before)
            continue;
        /* a person reads this: zero counters are left out (EVE keeps them all) */
        for (j = i; j < t->n_stats; j++) {
            const char *q = t->stats[j].path;
            if (strncmp(q, p, plen) == 0 && (q[plen] == '.' || q[plen] == '\0') &&
                t->stats[j].value != 0 && strlen(q) > width)
                width = strlen(q);
        }
        if (width == 0)
            continue;
        snprintf(buf, sizeof(buf), "%.*s:\n", (int)plen, p);
        out_str(t, buf);
        for (j = i; j < t->n_stats; j++) {
            const char *q = t->stats[j].path;
            if (strncmp(q, p, plen) != 0 || (q[plen] != '.' && q[plen] != '\0'))
                continue;
            if (t->stats[j].value == 0)
                continue;
            snprintf(buf, sizeof(buf), "  %-*s %" PRIu64 "\n", (int)width, q, t->stats[j].value);
            out_str(t, buf);
        }
    }
}

static int
text_open(void **priv, FILE *out, const struct report_opts *o, char *err)
{
    struct text *t = xcalloc(1, sizeof(*t));

    (void)err;
    t->out = out;
    t->quiet = o != NULL && o->quiet;
    *priv = t;
    return 0;
}

static int
text_close(void *priv)
{
    struct text *t = priv;
    int rc = 0;

    if (t == NULL)
        return 0;
    print_table(t);
    if (t->have_stats && !t->quiet)
        print_summary(t);
    if (fflush(t->out) != 0 || ferror(t->out) || t->failed)
        rc = -1;
    free_stats(t);
    free(t->rows);
    free(t->cells);
    free(t);
    return rc;
}

const struct reporter_ops report_text_ops = {
    .name = "text",
    .open = text_open,
    .flow_end = text_flow_end,
    .flow_update = NULL,
    .stuck = NULL,
    .stats = text_stats,
    .close = text_close,
    .ids = 0, /* the table shows addresses, not identifiers */
};
