/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_text: the default human-readable report (-T text). Nothing is
 * written until close(): ended connections are copied into rows (records
 * are borrowed) and the stats record's counters are copied too, then one
 * ss(8)-like table and a summary are printed (-q: the table only).
 *
 * Columns (report_table.h, doc/schema.md section 3): off a terminal every
 * column, whatever COLUMNS says; on a terminal the optional ones are dropped
 * until the line fits its width, and notes longer than the room left go on
 * indented lines below their row. Notes name what the row's columns do not
 * show: a stuck kind
 * and its age, a handshake that was not complete or a close that was not a
 * FIN exchange, every non-zero analysis counter that has no column on
 * screen, the violation count, midstream and guessed roles.
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

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_table.h"
#include "util/outfile.h"
#include "util/xalloc.h"

/*
 * Rows are kept compactly (the bench's 133k connections made 1.4 KiB rows
 * ~190 MB): the cells live one after another, NUL-terminated, in t->cells;
 * the notes are kept as numbers and written at print time, when it is known
 * which counters have a column of their own.
 */
#define CELL_MAX  160
#define NOTES_MAX 512

struct text_notes {
    bool session;       /* false with --flows-only: only roles-guessed applies */
    bool midstream, roles_guessed;
    uint8_t stuck;      /* enum tcp_stuck_kind */
    uint8_t handshake;  /* enum tcp_handshake */
    uint8_t close;      /* enum tcp_close */
    uint64_t stuck_age_ns;
    uint64_t retr, fast_retr, spurious, ooo, lost, dupack, zerowin, zwprobe, winfull, keepalive;
    uint64_t viol;
};

struct text_row {
    uint64_t order; /* delivery ordinal */
    bool stuck;
    uint64_t stuck_since;     /* ns */
    size_t off;               /* first cell in t->cells */
    uint8_t len[TABLE_NCOLS]; /* strlen of each cell */
    struct text_notes notes;
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
    bool quiet;    /* -q: no summary */
    bool selected; /* --state / --stuck: rows are a selection */
    size_t cols;   /* terminal width, 0 = off a terminal (every column) */
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

static size_t
num_str(uint64_t v, char *buf)
{
    size_t n = report_u64_put(buf, v);

    buf[n] = '\0';
    return n;
}

/* A counter cell: the number, or "-" without a session (--flows-only). */
static size_t
count_cell(bool session, uint64_t v, char *buf)
{
    return session ? num_str(v, buf) : put_cut(buf, CELL_MAX, "-");
}

/* "2023-11-14T22:13:20.123": the ISO time of the EVE records cut to milliseconds. */
static size_t
start_str(uint64_t ts_ns, char *buf)
{
    char iso[REPORT_ISO8601_MAX + 1];
    size_t n = report_iso8601_put(iso, ts_ns);

    if (n > 23)
        n = 23;
    memcpy(buf, iso, n);
    buf[n] = '\0';
    return n;
}

/*
 * Appends " word" (or "word" at the start) to buf[0..*used), never past
 * len - 1 bytes; a word that does not fit whole is left out.
 */
static void
add_word(char *buf, size_t *used, size_t len, const char *word)
{
    size_t n = strlen(word), sep = *used > 0 ? 1 : 0;

    if (*used + sep + n >= len)
        return;
    if (sep)
        buf[(*used)++] = ' ';
    memcpy(buf + *used, word, n);
    *used += n;
    buf[*used] = '\0';
}

static void
add_count(char *buf, size_t *used, size_t len, const char *name, uint64_t v)
{
    char w[64];

    if (v == 0)
        return;
    snprintf(w, sizeof(w), "%s=%" PRIu64, name, v);
    add_word(buf, used, len, w);
}

/* The Notes cell of a row when the columns in `visible` are on screen. returns: its length. */
static size_t
notes_str(const struct text_notes *n, unsigned visible, char *buf, size_t len)
{
    size_t used = 0;
    char w[96], age[REPORT_DURATION_MAX];

    buf[0] = '\0';
    if (n->session) {
        if (n->stuck != TCP_STUCK_NONE) {
            report_duration_put(n->stuck_age_ns, age);
            snprintf(w, sizeof(w), "STUCK:%s(%s)", tcp_stuck_name((enum tcp_stuck_kind)n->stuck),
                     age);
            add_word(buf, &used, len, w);
        }
        /* the clean outcomes say nothing: only the others are named */
        if (n->handshake != TCP_HS_COMPLETE) {
            snprintf(w, sizeof(w), "hs=%s", tcp_handshake_name((enum tcp_handshake)n->handshake));
            add_word(buf, &used, len, w);
        }
        if (n->close != TCP_CLOSE_FIN) {
            snprintf(w, sizeof(w), "close=%s", tcp_close_name((enum tcp_close)n->close));
            add_word(buf, &used, len, w);
        }
        if (!(visible & TABLE_BIT(TABLE_RETR)))
            add_count(buf, &used, len, "retr", n->retr);
        add_count(buf, &used, len, "fast_retr", n->fast_retr);
        add_count(buf, &used, len, "spurious", n->spurious);
        add_count(buf, &used, len, "ooo", n->ooo);
        if (!(visible & TABLE_BIT(TABLE_LOST)))
            add_count(buf, &used, len, "lost", n->lost);
        if (!(visible & TABLE_BIT(TABLE_DUPACK)))
            add_count(buf, &used, len, "dupack", n->dupack);
        if (!(visible & TABLE_BIT(TABLE_ZEROWIN)))
            add_count(buf, &used, len, "zerowin", n->zerowin);
        add_count(buf, &used, len, "zwprobe", n->zwprobe);
        add_count(buf, &used, len, "winfull", n->winfull);
        add_count(buf, &used, len, "keepalive", n->keepalive);
        add_count(buf, &used, len, "viol", n->viol);
        if (n->midstream && n->handshake != TCP_HS_MIDSTREAM)
            add_word(buf, &used, len, "midstream");
    }
    if (n->roles_guessed)
        add_word(buf, &used, len, "roles-guessed");
    return used;
}

static void
text_flow_end(void *priv, const struct flow_record *r)
{
    struct text *t = priv;
    struct text_row *row;
    const struct session_summary *s = &r->s;
    bool ses = r->has_session;
    char cell[TABLE_NCOLS][CELL_MAX];
    size_t len[TABLE_NCOLS], total = 0, c;
    struct text_notes *n;
    int k;

    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->rows = xreallocarray(t->rows, t->cap, sizeof(*t->rows));
    }
    row = &t->rows[t->n];
    memset(row, 0, sizeof(*row));
    /* the numbers and addresses are far shorter than CELL_MAX; only names are cut */
    len[TABLE_START] = start_str(r->start_ns, cell[TABLE_START]);
    len[TABLE_CLIENT] = endpoint_str(&r->src_ip, r->ip_version, r->src_port, cell[TABLE_CLIENT]);
    len[TABLE_CSTATE] = put_cut(cell[TABLE_CSTATE], CELL_MAX,
                                ses ? tcp_state_name((enum tcp_state_id)s->client.state) : "-");
    len[TABLE_SERVER] = endpoint_str(&r->dest_ip, r->ip_version, r->dest_port, cell[TABLE_SERVER]);
    len[TABLE_SSTATE] = put_cut(cell[TABLE_SSTATE], CELL_MAX,
                                ses ? tcp_state_name((enum tcp_state_id)s->server.state) : "-");
    len[TABLE_DUR] =
        report_duration_put(r->end_ns > r->start_ns ? r->end_ns - r->start_ns : 0, cell[TABLE_DUR]);
    len[TABLE_PKTS] = num_str(r->pkts_toserver + r->pkts_toclient, cell[TABLE_PKTS]);
    len[TABLE_BYTES] = num_str(r->bytes_toserver + r->bytes_toclient, cell[TABLE_BYTES]);
    len[TABLE_RETR] = count_cell(
        ses, (uint64_t)s->client.retransmits + s->server.retransmits, cell[TABLE_RETR]);
    len[TABLE_DUPACK] =
        count_cell(ses, (uint64_t)s->client.dup_acks + s->server.dup_acks, cell[TABLE_DUPACK]);
    len[TABLE_ZEROWIN] = count_cell(
        ses, (uint64_t)s->client.zero_windows + s->server.zero_windows, cell[TABLE_ZEROWIN]);
    len[TABLE_LOST] = count_cell(
        ses, (uint64_t)s->client.lost_segments + s->server.lost_segments, cell[TABLE_LOST]);
    if (ses && s->handshake_rtt_ns != 0)
        len[TABLE_RTT] = report_duration_put(s->handshake_rtt_ns, cell[TABLE_RTT]);
    else
        len[TABLE_RTT] = put_cut(cell[TABLE_RTT], CELL_MAX, "-");
    len[TABLE_CONN] = put_cut(cell[TABLE_CONN], CELL_MAX,
                              ses && s->conn_state[0] != '\0' ? s->conn_state : "-");
    len[TABLE_HISTORY] =
        put_cut(cell[TABLE_HISTORY], CELL_MAX, ses && s->history[0] != '\0' ? s->history : "-");

    n = &row->notes;
    n->session = ses;
    n->roles_guessed = r->roles_guessed || (ses && s->roles_guessed);
    if (ses) {
        n->midstream = s->midstream;
        n->stuck = s->stuck;
        n->stuck_age_ns =
            s->stuck != TCP_STUCK_NONE && r->now_ns > s->stuck_since_ns ? r->now_ns - s->stuck_since_ns
                                                                        : 0;
        n->handshake = s->handshake;
        n->close = s->close;
        n->retr = (uint64_t)s->client.retransmits + s->server.retransmits;
        n->fast_retr = (uint64_t)s->client.fast_retransmits + s->server.fast_retransmits;
        n->spurious = (uint64_t)s->client.spurious_retransmits + s->server.spurious_retransmits;
        n->ooo = (uint64_t)s->client.out_of_order + s->server.out_of_order;
        n->lost = (uint64_t)s->client.lost_segments + s->server.lost_segments;
        n->dupack = (uint64_t)s->client.dup_acks + s->server.dup_acks;
        n->zerowin = (uint64_t)s->client.zero_windows + s->server.zero_windows;
        n->zwprobe = (uint64_t)s->client.zero_window_probes + s->server.zero_window_probes;
        n->winfull = (uint64_t)s->client.window_full + s->server.window_full;
        n->keepalive = (uint64_t)s->client.keepalives + s->server.keepalives;
        for (k = 0; k < TV_COUNT; k++)
            n->viol += (uint64_t)s->client.violations[k] + s->server.violations[k];
    }

    for (c = 0; c < TABLE_NCOLS; c++)
        total += len[c] + 1;
    if (t->cells_n + total > t->cells_cap) {
        while (t->cells_n + total > t->cells_cap)
            t->cells_cap = t->cells_cap ? t->cells_cap * 2 : 64 * 1024;
        t->cells = xreallocarray(t->cells, t->cells_cap, 1);
    }
    row->order = t->n++;
    row->stuck = ses && s->stuck != TCP_STUCK_NONE;
    row->stuck_since = s->stuck_since_ns;
    row->off = t->cells_n;
    for (c = 0; c < TABLE_NCOLS; c++) {
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

    if (st->periodic)
        return; /* the summary is the end of the run's */
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
    if (report_out_dead()) {
        t->failed = true;
        return;
    }
    if (fputs(s, t->out) == EOF) {
        outfile_fail(OUTFILE_RECORDS, errno);
        t->failed = true;
    }
}

/* Writes line[0..used) without its trailing blanks, and a '\n' (line has room for it). */
static void
put_line(struct text *t, char *line, size_t used)
{
    while (used > 0 && line[used - 1] == ' ')
        used--;
    line[used++] = '\n';
    if (report_out_dead()) {
        t->failed = true;
        return;
    }
    if (fwrite(line, 1, used, t->out) != used) {
        outfile_fail(OUTFILE_RECORDS, errno);
        t->failed = true;
    }
}

/*
 * Notes that do not fit beside the row (on a terminal): continuation lines
 * below it, indented by TABLE_NOTES_INDENT, words wrapped at t->cols, as
 * ss -i puts its details under each socket. A word longer than a whole line
 * stands alone.
 */
#define TABLE_NOTES_INDENT 4

static void
put_notes_below(struct text *t, const char *notes, size_t nlen)
{
    char line[TABLE_NOTES_INDENT + NOTES_MAX + 2];
    size_t pos = 0, used;

    while (pos < nlen) {
        memset(line, ' ', TABLE_NOTES_INDENT);
        used = TABLE_NOTES_INDENT;
        while (pos < nlen) {
            size_t w = strcspn(notes + pos, " ");

            if (w > nlen - pos)
                w = nlen - pos;
            if (used > TABLE_NOTES_INDENT && used + 1 + w > t->cols)
                break;
            if (used > TABLE_NOTES_INDENT)
                line[used++] = ' ';
            memcpy(line + used, notes + pos, w);
            used += w;
            pos += w;
            while (pos < nlen && notes[pos] == ' ')
                pos++;
        }
        put_line(t, line, used);
    }
}

/*
 * One table line: the visible cells padded to their column's width
 * ("%-*s" or "%*s", TABLE_SEP blanks between columns, never cut), then the
 * notes; on a terminal, notes that would run past t->cols go below the
 * line instead (put_notes_below), unless the cells alone are already wider
 * than the terminal. Trailing blanks dropped, '\n'.
 */
static void
print_line(struct text *t, const char *const cells[TABLE_NCOLS], const size_t lens[TABLE_NCOLS],
           const size_t width[TABLE_NCOLS], unsigned visible, const char *notes, size_t nlen)
{
    char line[TABLE_NCOLS * (CELL_MAX + TABLE_SEP) + NOTES_MAX + 8];
    size_t used = 0, c;

    for (c = 0; c < TABLE_NCOLS; c++) {
        size_t pad = width[c] > lens[c] ? width[c] - lens[c] : 0;

        if (!(visible & TABLE_BIT(c)))
            continue;
        if (used > 0) {
            memset(line + used, ' ', TABLE_SEP);
            used += TABLE_SEP;
        }
        if (report_table_right[c]) {
            memset(line + used, ' ', pad);
            used += pad;
        }
        memcpy(line + used, cells[c], lens[c]);
        used += lens[c];
        if (!report_table_right[c]) {
            memset(line + used, ' ', pad);
            used += pad;
        }
    }
    if (nlen > 0 && t->cols > 0 && used + TABLE_SEP + nlen > t->cols && used < t->cols) {
        put_line(t, line, used);
        put_notes_below(t, notes, nlen);
        return;
    }
    if (nlen > 0) {
        memset(line + used, ' ', TABLE_SEP);
        used += TABLE_SEP;
        memcpy(line + used, notes, nlen);
        used += nlen;
    }
    put_line(t, line, used);
}

/* report_table_fit's notes_width: the widest Notes cell (the title at least) for `visible`. */
static size_t
widest_notes(unsigned visible, void *arg)
{
    const struct text *t = arg;
    char buf[NOTES_MAX];
    size_t i, w = strlen("Notes");

    for (i = 0; i < t->n; i++) {
        size_t n = notes_str(&t->rows[i].notes, visible, buf, sizeof(buf));

        if (n > w)
            w = n;
    }
    return w;
}

static void
print_table(struct text *t)
{
    size_t width[TABLE_NCOLS], lens[TABLE_NCOLS], i, c, nlen;
    const char *cells[TABLE_NCOLS];
    char notes[NOTES_MAX];
    unsigned visible;

    if (t->n == 0) {
        out_str(t, t->selected ? "no matching TCP connections\n" : "no TCP connections\n");
        return;
    }
    qsort(t->rows, t->n, sizeof(*t->rows), row_cmp);
    for (c = 0; c < TABLE_NCOLS; c++) {
        width[c] = strlen(report_table_title[c]);
        lens[c] = width[c];
    }
    for (i = 0; i < t->n; i++)
        for (c = 0; c < TABLE_NCOLS; c++)
            if (t->rows[i].len[c] > width[c])
                width[c] = t->rows[i].len[c];
    visible = report_table_fit(width, t->cols, widest_notes, t);
    print_line(t, report_table_title, lens, width, visible, "Notes", strlen("Notes"));
    for (i = 0; i < t->n; i++) {
        const char *p = t->cells + t->rows[i].off;

        for (c = 0; c < TABLE_NCOLS; c++) {
            cells[c] = p;
            lens[c] = t->rows[i].len[c];
            p += lens[c] + 1;
        }
        nlen = notes_str(&t->rows[i].notes, visible, notes, sizeof(notes));
        print_line(t, cells, lens, width, visible, notes, nlen);
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
    t->selected = o != NULL && o->selected;
    t->cols = report_table_width(fileno(out));
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
    if (report_stream_finish(t->out) != 0 || t->failed)
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
