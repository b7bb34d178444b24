/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_model: the state view's data, sorting and filtering, with no curses
 * (tui.c draws it). Owns the copies of every connection the view knows; the
 * engine's flow table is never touched, only the borrowed records handed to
 * the reporter callbacks.
 *
 * Invariants: m->live is sorted by flow_id, so flow_end finds the open copy
 * of an ending connection by binary search and marks it gone (the next tick
 * replaces the whole open set anyway). Ended copies live in a ring of
 * ended_keep entries, oldest overwritten first. Every order is total
 * (ties fall back to start time, then flow_id), so a screen is a pure
 * function of the records, never of memory layout or hash order.
 */
#include <config.h>

#include "report/tui/tui_model.h"

#include <ctype.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define NS_PER_SEC UINT64_C(1000000000)
#define NS_PER_MS  UINT64_C(1000000)

static const char *const sort_names[TUI_SORT_COUNT] = {
    [TUI_SORT_STATE] = "state", [TUI_SORT_AGE] = "age",         [TUI_SORT_BYTES] = "bytes",
    [TUI_SORT_RATE] = "rate",   [TUI_SORT_RETRANS] = "retrans", [TUI_SORT_RTT] = "rtt",
};

const char *
tui_sort_name(enum tui_sort k)
{
    return (unsigned)k < TUI_SORT_COUNT ? sort_names[k] : "unknown";
}

/* ---- filter ------------------------------------------------------------------- */

/* Case-insensitive equality that also treats '_' and '-' alike (CLOSE_WAIT = close-wait). */
static bool
name_eq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);

        if (ca == '_')
            ca = '-';
        if (cb == '_')
            cb = '-';
        if (ca != cb)
            return false;
    }
    return *a == '\0' && *b == '\0';
}

void
tui_filter_parse(const char *text, struct tui_filter *f)
{
    char buf[TUI_FILTER_LEN];
    size_t len;
    const char *p = text != NULL ? text : "";
    int s;

    memset(f, 0, sizeof(*f));
    while (isspace((unsigned char)*p))
        p++;
    snprintf(buf, sizeof(buf), "%s", p);
    len = strlen(buf);
    while (len > 0 && isspace((unsigned char)buf[len - 1]))
        buf[--len] = '\0';
    if (len == 0)
        return;
    p = buf;
    /* ss(8) writes "state close-wait"; accept the prefix */
    if (strncmp(p, "state ", 6) == 0) {
        p += 6;
        while (isspace((unsigned char)*p))
            p++;
    }
    for (s = TCP_ST_SYN_SENT; s < TCP_ST_COUNT; s++) {
        if (name_eq(p, tcp_state_ss_name((enum tcp_state_id)s)) ||
            name_eq(p, tcp_state_name((enum tcp_state_id)s))) {
            f->kind = TUI_FILTER_STATE;
            f->state = (uint8_t)s;
            snprintf(f->text, sizeof(f->text), "%s", tcp_state_ss_name((enum tcp_state_id)s));
            return;
        }
    }
    if (name_eq(p, "stuck"))
        f->kind = TUI_FILTER_STUCK;
    else if (name_eq(p, "connected"))
        f->kind = TUI_FILTER_CONNECTED;
    else if (name_eq(p, "synchronized"))
        f->kind = TUI_FILTER_SYNCHRONIZED;
    else
        f->kind = TUI_FILTER_TEXT;
    snprintf(f->text, sizeof(f->text), "%s", f->kind == TUI_FILTER_TEXT ? buf : p);
}

static bool
conn_connected(const struct tui_conn *c)
{
    uint8_t a = c->rec.s.client.state, b = c->rec.s.server.state;

    /* ss: every state but listening and closed; NONE means "not seen" */
    return (a != TCP_ST_CLOSED && a != TCP_ST_NONE) || (b != TCP_ST_CLOSED && b != TCP_ST_NONE);
}

bool
tui_filter_match(const struct tui_filter *f, const struct tui_conn *c)
{
    switch (f->kind) {
    case TUI_FILTER_NONE:
        return true;
    case TUI_FILTER_STATE:
        return c->rec.s.client.state == f->state || c->rec.s.server.state == f->state;
    case TUI_FILTER_STUCK:
        return tui_conn_stuck(c);
    case TUI_FILTER_CONNECTED:
        return conn_connected(c);
    case TUI_FILTER_SYNCHRONIZED:
        return conn_connected(c) && c->rec.s.client.state != TCP_ST_SYN_SENT;
    case TUI_FILTER_TEXT:
        return strstr(c->client, f->text) != NULL || strstr(c->server, f->text) != NULL;
    }
    return false;
}

/* ---- derived values ----------------------------------------------------------- */

static uint64_t
since(uint64_t now, uint64_t then)
{
    return now > then ? now - then : 0;
}

bool
tui_conn_stuck(const struct tui_conn *c)
{
    return c->rec.s.stuck != TCP_STUCK_NONE;
}

uint64_t
tui_conn_age_ns(const struct tui_conn *c)
{
    const struct session_summary *s = &c->rec.s;
    uint64_t last = s->client.state_since_ns;

    if (tui_conn_stuck(c))
        return since(c->rec.now_ns, s->stuck_since_ns);
    if (s->server.state_since_ns > last)
        last = s->server.state_since_ns;
    return since(c->rec.now_ns, last);
}

uint64_t
tui_conn_bytes(const struct tui_conn *c)
{
    return c->rec.bytes_toserver + c->rec.bytes_toclient;
}

uint64_t
tui_conn_pkts(const struct tui_conn *c)
{
    return c->rec.pkts_toserver + c->rec.pkts_toclient;
}

double
tui_conn_rate(const struct tui_conn *c)
{
    uint64_t d = since(c->rec.end_ns, c->rec.start_ns);

    return d == 0 ? 0.0 : (double)tui_conn_bytes(c) * (double)NS_PER_SEC / (double)d;
}

uint64_t
tui_conn_retrans(const struct tui_conn *c)
{
    return (uint64_t)c->rec.s.client.retransmits + c->rec.s.server.retransmits;
}

uint64_t
tui_conn_rtt_ns(const struct tui_conn *c)
{
    const struct session_summary *s = &c->rec.s;
    uint64_t n = s->client.rtt.samples + s->server.rtt.samples;

    if (s->handshake_rtt_ns != 0)
        return s->handshake_rtt_ns;
    return n == 0 ? 0 : (s->client.rtt.sum_ns + s->server.rtt.sum_ns) / n;
}

uint64_t
tui_conn_violations(const struct tui_conn *c)
{
    uint64_t n = 0;
    size_t k;

    for (k = 0; k < TV_COUNT; k++)
        n += (uint64_t)c->rec.s.client.violations[k] + c->rec.s.server.violations[k];
    return n;
}

/* ---- model -------------------------------------------------------------------- */

static void
endpoint_str(const struct ip_addr *a, uint8_t version, uint16_t port, char *buf, size_t len)
{
    char addr[64];

    report_addr_str(a, version, addr, sizeof(addr));
    snprintf(buf, len, version == 6 ? "[%s]:%u" : "%s:%u", addr, (unsigned)port);
}

static void
conn_set(struct tui_conn *c, const struct flow_record *r, bool ended)
{
    c->rec = *r;
    c->ended = ended;
    c->gone = false;
    endpoint_str(&r->src_ip, r->ip_version, r->src_port, c->client, sizeof(c->client));
    endpoint_str(&r->dest_ip, r->ip_version, r->dest_port, c->server, sizeof(c->server));
}

void
tui_model_init(struct tui_model *m, size_t ended_keep)
{
    memset(m, 0, sizeof(*m));
    m->ended_keep = ended_keep != 0 ? ended_keep : TUI_ENDED_KEEP;
}

void
tui_model_fini(struct tui_model *m)
{
    free(m->live);
    free(m->ended);
    memset(m, 0, sizeof(*m));
}

static int
live_cmp(const void *pa, const void *pb)
{
    const struct tui_conn *a = pa, *b = pb;

    if (a->rec.flow_id != b->rec.flow_id)
        return a->rec.flow_id < b->rec.flow_id ? -1 : 1;
    return a->rec.start_ns < b->rec.start_ns ? -1 : a->rec.start_ns > b->rec.start_ns;
}

static uint64_t
stat_value(const struct stats_record *st, const char *path)
{
    size_t i;

    if (st == NULL || st->items == NULL)
        return 0;
    for (i = 0; i < st->items->n; i++)
        if (strcmp(st->items->items[i].path, path) == 0)
            return st->items->items[i].value;
    return 0;
}

static const struct tui_conn *
ended_at(const struct tui_model *m, size_t i) /* i = 0: oldest */
{
    size_t start = (m->ended_head + m->ended_keep - m->n_ended) % m->ended_keep;

    return &m->ended[(start + i) % m->ended_keep];
}

static void
count_states(struct tui_model *m)
{
    struct tui_totals *t = &m->tot;
    size_t i;

    memset(t->by_state, 0, sizeof(t->by_state));
    t->open = 0;
    for (i = 0; i < m->n_live; i++) {
        const struct tui_conn *c = &m->live[i];

        if (c->gone)
            continue;
        t->open++;
        if (c->rec.s.client.state < TCP_ST_COUNT)
            t->by_state[c->rec.s.client.state]++;
        if (c->rec.s.server.state < TCP_ST_COUNT)
            t->by_state[c->rec.s.server.state]++;
    }
    if (!t->final)
        return;
    /* nothing is open any more: the totals describe how connections ended */
    for (i = 0; i < m->n_ended; i++) {
        const struct tui_conn *c = ended_at(m, i);

        if (c->rec.s.client.state < TCP_ST_COUNT)
            t->by_state[c->rec.s.client.state]++;
        if (c->rec.s.server.state < TCP_ST_COUNT)
            t->by_state[c->rec.s.server.state]++;
    }
}

void
tui_model_tick(struct tui_model *m, const struct flow_record *live, size_t n,
               const struct stats_record *st, bool final)
{
    struct tui_totals *t = &m->tot;
    size_t i;
    uint64_t pkts = stat_value(st, "decoder.pkts");
    uint64_t bytes = stat_value(st, STATS_OWN "decoder.wire_bytes"); /* the line rate */
    uint64_t ts = st != NULL ? st->ts_ns : 0;

    if (n > m->cap_live) {
        m->cap_live = n;
        m->live = xreallocarray(m->live, m->cap_live, sizeof(*m->live));
    }
    for (i = 0; i < n; i++)
        conn_set(&m->live[i], &live[i], false);
    m->n_live = n;
    if (n > 1)
        qsort(m->live, n, sizeof(*m->live), live_cmp);

    /* rates: counter deltas over capture-time deltas, sampled only by the
     * first tick of each new capture second. Extra ticks inside a second
     * (replay pacing, idle live ticks) depend on wall time, so they keep the
     * last rate: the rates shown then depend on the capture alone. */
    if (!m->have_prev) {
        m->have_prev = true;
        m->prev_ts = m->first_ts = ts;
        m->prev_pkts = m->first_pkts = pkts;
        m->prev_bytes = m->first_bytes = bytes;
    } else if (ts / NS_PER_SEC > m->prev_ts / NS_PER_SEC && pkts >= m->prev_pkts &&
               bytes >= m->prev_bytes) {
        double dt = (double)(ts - m->prev_ts) / (double)NS_PER_SEC;

        t->pps = (double)(pkts - m->prev_pkts) / dt;
        t->bps = (double)(bytes - m->prev_bytes) * 8.0 / dt;
        m->prev_ts = ts;
        m->prev_pkts = pkts;
        m->prev_bytes = bytes;
    }
    if (final && ts > m->first_ts && pkts >= m->first_pkts && bytes >= m->first_bytes) {
        double dt = (double)(ts - m->first_ts) / (double)NS_PER_SEC;

        t->pps = (double)(pkts - m->first_pkts) / dt;
        t->bps = (double)(bytes - m->first_bytes) * 8.0 / dt;
    }
    t->ts_ns = ts;
    t->pkts = pkts;
    t->bytes = bytes;
    t->flows_active = stat_value(st, "flow.active");
    t->flows_tcp = stat_value(st, "flow.tcp");
    t->drops = stat_value(st, "capture.kernel_drops") + stat_value(st, "capture.kernel_ifdrops");
    t->final = final;
    count_states(m);
}

void
tui_model_flow_end(struct tui_model *m, const struct flow_record *r)
{
    struct tui_conn key, *hit;

    if (m->n_live > 0) {
        memset(&key, 0, sizeof(key));
        key.rec.flow_id = r->flow_id;
        key.rec.start_ns = r->start_ns;
        hit = bsearch(&key, m->live, m->n_live, sizeof(*m->live), live_cmp);
        if (hit != NULL && !hit->gone) {
            hit->gone = true;
            if (m->tot.open > 0)
                m->tot.open--;
        }
    }
    if (m->ended == NULL)
        m->ended = xcalloc(m->ended_keep, sizeof(*m->ended));
    conn_set(&m->ended[m->ended_head], r, true);
    m->ended_head = (m->ended_head + 1) % m->ended_keep;
    if (m->n_ended < m->ended_keep)
        m->n_ended++;
    else
        m->ended_dropped++;
    m->tot.ended = m->n_ended;
    m->tot.ended_dropped = m->ended_dropped;
}

/* ---- view --------------------------------------------------------------------- */

void
tui_view_init(struct tui_view *v)
{
    memset(v, 0, sizeof(*v));
}

void
tui_view_fini(struct tui_view *v)
{
    free(v->conn);
    free(v->rows);
    memset(v, 0, sizeof(*v));
}

void
tui_view_capture(struct tui_view *v, const struct tui_model *m)
{
    size_t need = m->n_live + m->n_ended, i;

    if (need > v->cap_conn) {
        v->cap_conn = need;
        v->conn = xreallocarray(v->conn, v->cap_conn, sizeof(*v->conn));
    }
    v->n_conn = 0;
    for (i = 0; i < m->n_live; i++)
        if (!m->live[i].gone)
            v->conn[v->n_conn++] = m->live[i];
    for (i = 0; i < m->n_ended; i++)
        v->conn[v->n_conn++] = *ended_at(m, i);
    v->tot = m->tot;
    v->tot.ended = m->n_ended;
    v->tot.stuck = 0;
    for (i = 0; i < v->n_conn; i++)
        if (tui_conn_stuck(&v->conn[i]))
            v->tot.stuck++;
    v->n_rows = 0; /* rows pointed into the old copies */
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static int
cmp_double(double a, double b)
{
    return a < b ? -1 : a > b;
}

/* Start order: the tie-break of every key (first packet, then the id). */
static int
cmp_start(const struct tui_conn *a, const struct tui_conn *b)
{
    int r = cmp_u64(a->rec.start_ns, b->rec.start_ns);

    return r != 0 ? r : cmp_u64(a->rec.flow_id, b->rec.flow_id);
}

static int
cmp_key(const struct tui_conn *a, const struct tui_conn *b, enum tui_sort key)
{
    bool sa, sb;
    int r = 0;

    switch (key) {
    case TUI_SORT_STATE:
        sa = tui_conn_stuck(a);
        sb = tui_conn_stuck(b);
        if (sa != sb)
            return sa ? -1 : 1;
        if (sa && (r = cmp_u64(a->rec.s.stuck_since_ns, b->rec.s.stuck_since_ns)) != 0)
            return r; /* stuck longest first */
        if (a->ended != b->ended)
            return a->ended ? 1 : -1; /* open before ended */
        if ((r = cmp_u64(a->rec.s.server.state, b->rec.s.server.state)) != 0)
            return r;
        r = cmp_u64(a->rec.s.client.state, b->rec.s.client.state);
        break;
    case TUI_SORT_AGE:
        r = -cmp_u64(tui_conn_age_ns(a), tui_conn_age_ns(b));
        break;
    case TUI_SORT_BYTES:
        r = -cmp_u64(tui_conn_bytes(a), tui_conn_bytes(b));
        break;
    case TUI_SORT_RATE:
        r = -cmp_double(tui_conn_rate(a), tui_conn_rate(b));
        break;
    case TUI_SORT_RETRANS:
        r = -cmp_u64(tui_conn_retrans(a), tui_conn_retrans(b));
        break;
    case TUI_SORT_RTT:
        r = -cmp_u64(tui_conn_rtt_ns(a), tui_conn_rtt_ns(b));
        break;
    case TUI_SORT_COUNT:
        break;
    }
    return r;
}

/* qsort has no context argument: the key of the sort in progress (one thread). */
static enum tui_sort sort_key;
static bool sort_reverse;

static int
row_cmp(const void *pa, const void *pb)
{
    const struct tui_conn *a = *(const struct tui_conn *const *)pa;
    const struct tui_conn *b = *(const struct tui_conn *const *)pb;
    int r = cmp_key(a, b, sort_key);

    if (r == 0)
        r = cmp_start(a, b);
    return sort_reverse ? -r : r;
}

void
tui_view_arrange(struct tui_view *v, enum tui_sort key, bool reverse, const struct tui_filter *f)
{
    size_t i;

    if (v->n_conn > v->cap_rows) {
        v->cap_rows = v->n_conn;
        v->rows = xreallocarray(v->rows, v->cap_rows, sizeof(*v->rows));
    }
    v->n_rows = 0;
    for (i = 0; i < v->n_conn; i++)
        if (f == NULL || tui_filter_match(f, &v->conn[i]))
            v->rows[v->n_rows++] = &v->conn[i];
    sort_key = (unsigned)key < TUI_SORT_COUNT ? key : TUI_SORT_STATE;
    sort_reverse = reverse;
    if (v->n_rows > 1)
        qsort(v->rows, v->n_rows, sizeof(*v->rows), row_cmp);
}

long
tui_view_find(const struct tui_view *v, uint64_t flow_id)
{
    size_t i;

    for (i = 0; i < v->n_rows; i++)
        if (v->rows[i]->rec.flow_id == flow_id)
            return (long)i;
    return -1;
}

/* ---- formatting --------------------------------------------------------------- */

const char *
tui_fmt_dur(uint64_t ns, char *buf, size_t len)
{
    uint64_t s = ns / NS_PER_SEC;

    if (s == 0)
        snprintf(buf, len, "%" PRIu64 "ms", ns / NS_PER_MS);
    else if (s < 60)
        snprintf(buf, len, "%" PRIu64 "s", s);
    else if (s < 3600)
        snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
    else
        snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
    return buf;
}

const char *
tui_fmt_si(double v, char *buf, size_t len)
{
    static const char suffix[] = "kMGTPE";
    size_t i = 0;

    if (v < 1000.0) {
        snprintf(buf, len, v < 10.0 && v != (double)(uint64_t)v ? "%.1f" : "%.0f", v);
        return buf;
    }
    v /= 1000.0;
    while (v >= 1000.0 && i + 1 < sizeof(suffix) - 1) {
        v /= 1000.0;
        i++;
    }
    snprintf(buf, len, v < 10.0 ? "%.1f%c" : "%.0f%c", v, suffix[i]);
    return buf;
}

static void
fmt_ms(uint64_t ns, char *buf, size_t len)
{
    snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 "ms", ns / NS_PER_MS, ns % NS_PER_MS / 1000);
}

/* Appends one formatted line if there is room; returns the new count. */
static size_t __attribute__((format(printf, 4, 5)))
add_line(char (*out)[TUI_LINE_LEN], size_t n, size_t max, const char *fmt, ...)
{
    va_list ap;

    if (n >= max)
        return n;
    va_start(ap, fmt);
    vsnprintf(out[n], TUI_LINE_LEN, fmt, ap);
    va_end(ap);
    return n + 1;
}

static size_t
fmt_endpoint(const char *who, const char *addr, const struct tcp_endpoint_summary *e, uint64_t now,
             char (*out)[TUI_LINE_LEN], size_t n, size_t max)
{
    char isn[16], mss[8], ws[8], age[16], mn[24], av[24], mx[24];

    if (e->isn_known)
        snprintf(isn, sizeof(isn), "%" PRIu32, e->isn);
    else
        snprintf(isn, sizeof(isn), "-");
    if (e->mss != 0)
        snprintf(mss, sizeof(mss), "%u", (unsigned)e->mss);
    else
        snprintf(mss, sizeof(mss), "-");
    if (e->wscale >= 0)
        snprintf(ws, sizeof(ws), "%d", (int)e->wscale);
    else
        snprintf(ws, sizeof(ws), "-");
    n = add_line(out, n, max, "%s %s", who, addr);
    if (e->state == TCP_ST_NONE || e->state_since_ns == 0) /* never seen: no age to show */
        n = add_line(out, n, max, "  state %s", tcp_state_name((enum tcp_state_id)e->state));
    else
        n = add_line(out, n, max, "  state %s for %s", tcp_state_name((enum tcp_state_id)e->state),
                     tui_fmt_dur(since(now, e->state_since_ns), age, sizeof(age)));
    n = add_line(out, n, max, "  isn %s  mss %s  wscale %s  sack %s  ts %s  window %" PRIu32, isn,
                 mss, ws, e->sack_ok ? "yes" : "no", e->ts_ok ? "yes" : "no", e->window);
    n = add_line(out, n, max,
                 "  packets %" PRIu64 "  payload %" PRIu64 "  unique %" PRIu64
                 "  retransmitted %" PRIu64,
                 e->packets, e->payload_bytes, e->unique_bytes, e->retransmitted_bytes);
    n = add_line(out, n, max,
                 "  retransmits %" PRIu32 " (fast %" PRIu32 ", spurious %" PRIu32
                 ")  out-of-order %" PRIu32 "  lost %" PRIu32,
                 e->retransmits, e->fast_retransmits, e->spurious_retransmits, e->out_of_order,
                 e->lost_segments);
    n = add_line(out, n, max,
                 "  dup-acks %" PRIu32 "  zero-windows %" PRIu32 "  zw-probes %" PRIu32
                 "  window-full %" PRIu32 "  keepalives %" PRIu32,
                 e->dup_acks, e->zero_windows, e->zero_window_probes, e->window_full,
                 e->keepalives);
    if (e->rtt.samples != 0) {
        fmt_ms(e->rtt.min_ns, mn, sizeof(mn));
        fmt_ms(e->rtt.sum_ns / e->rtt.samples, av, sizeof(av));
        fmt_ms(e->rtt.max_ns, mx, sizeof(mx));
        n = add_line(out, n, max, "  rtt (data it sent) min %s  avg %s  max %s  samples %" PRIu64,
                     mn, av, mx, e->rtt.samples);
    } else {
        n = add_line(out, n, max, "  rtt (data it sent) no samples");
    }
    return n;
}

size_t
tui_detail_format(const struct tui_conn *c, char (*out)[TUI_LINE_LEN], size_t max)
{
    const struct flow_record *r = &c->rec;
    const struct session_summary *s = &r->s;
    char a[24], b[24], iso[48];
    size_t n = 0, i, k;
    uint64_t nv = tui_conn_violations(c);

    n = add_line(out, n, max, "%s -> %s  (%s)", c->client, c->server, c->ended ? "ended" : "open");
    n = add_line(out, n, max, "uid %s  flow_id %" PRIu64 "  community_id %s", r->uid, r->flow_id,
                 r->community_id);
    n = add_line(out, n, max,
                 "duration %s  packets %" PRIu64 " (%" PRIu64 " / %" PRIu64 ")  bytes %" PRIu64
                 " (%" PRIu64 " / %" PRIu64 ")",
                 tui_fmt_dur(since(r->end_ns, r->start_ns), a, sizeof(a)), tui_conn_pkts(c),
                 r->pkts_toserver, r->pkts_toclient, tui_conn_bytes(c), r->bytes_toserver,
                 r->bytes_toclient);
    n = add_line(out, n, max, "history %s  conn_state %s  handshake %s  close %s%s%s",
                 s->history[0] != '\0' ? s->history : "-",
                 s->conn_state[0] != '\0' ? s->conn_state : "-",
                 tcp_handshake_name((enum tcp_handshake)s->handshake),
                 tcp_close_name((enum tcp_close)s->close), s->midstream ? "  midstream" : "",
                 (r->roles_guessed || s->roles_guessed) ? "  roles-guessed" : "");
    if (c->ended)
        n = add_line(out, n, max, "ended: %s",
                     flow_end_reason_name((enum flow_end_reason)r->reason));
    if (s->handshake_rtt_ns != 0) {
        fmt_ms(s->handshake_rtt_ns, a, sizeof(a));
        n = add_line(out, n, max, "handshake rtt %s", a);
    } else {
        n = add_line(out, n, max, "handshake rtt -");
    }
    if (tui_conn_stuck(c))
        n = add_line(out, n, max, "STUCK %s  since %s  age %s%s",
                     tcp_stuck_name((enum tcp_stuck_kind)s->stuck),
                     report_iso8601(s->stuck_since_ns, iso, sizeof(iso)),
                     tui_fmt_dur(since(r->now_ns, s->stuck_since_ns), b, sizeof(b)),
                     tcp_stuck_low_confidence(s) ? "  (capture lost packets: unsure)" : "");
    else
        n = add_line(out, n, max, "stuck no");
    n = add_line(out, n, max, "%s", "");
    n = fmt_endpoint("client", c->client, &s->client, r->now_ns, out, n, max);
    n = add_line(out, n, max, "%s", "");
    n = fmt_endpoint("server", c->server, &s->server, r->now_ns, out, n, max);
    n = add_line(out, n, max, "%s", "");
    n = add_line(out, n, max, "violations %" PRIu64, nv);
    for (k = 0; k < TV_COUNT; k++)
        if (s->client.violations[k] + s->server.violations[k] != 0)
            n = add_line(out, n, max, "  %-22s client %" PRIu32 "  server %" PRIu32,
                         tcp_violation_name((enum tcp_violation)k),
                         (uint32_t)s->client.violations[k], (uint32_t)s->server.violations[k]);
    for (i = 0; i < s->n_examples && i < TCP_VIOLATION_KEEP; i++) {
        const struct tcp_violation_example *e = &s->examples[i];

        n = add_line(out, n, max,
                     "  pkt %" PRIu64 " from %s: %s expected %" PRIu32 " seen %" PRIu32, e->pkt_no,
                     e->from_client ? "client" : "server",
                     tcp_violation_name((enum tcp_violation)e->kind), e->expected, e->seen);
    }
    return n;
}
