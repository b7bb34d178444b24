/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tui_model: the state view's data, sorting and filtering, with no curses
 * (tui.c draws it). Owns the copies of every connection the view knows; the
 * engine's flow table is never touched, only the borrowed records handed to
 * the reporter callbacks.
 *
 * Invariants. Open and ended connections live in slabs of fixed chunks, so
 * their addresses never move and a view holds plain pointers. An open
 * entry is found by flow_id (hash chains), rewritten in place by each
 * tick's snapshot, and swept when a tick no longer lists it; an ended one
 * sits in the FIFO of its rank (stuck, open at the end, closed), so the
 * oldest of the lowest rank is always at a FIFO's head when a bound is
 * reached. While a view is paused (frozen) no entry is rewritten, swept or
 * reused, so what it points at stays as it was. Every order is total (ties
 * fall back to start time, then flow_id), so a screen is a pure function of
 * the records, never of memory layout or hash order.
 *
 * Current rates come from successive snapshots: each sample tick (the first
 * tick past a multiple of the sample period, on the capture clock) appends
 * the connection's byte counters to its own short history, which moves with
 * it into the ended store.
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

#define NS_PER_SEC  UINT64_C(1000000000)
#define NS_PER_MS   UINT64_C(1000000)
#define CHUNK_SHIFT 10 /* 1024 connections (~1.2 MiB) per store chunk */
#define CHUNK_SIZE  ((size_t)1 << CHUNK_SHIFT)

static const char *const sort_names[TUI_SORT_COUNT] = {
    [TUI_SORT_STATE] = "state", [TUI_SORT_STUCK] = "stuck", [TUI_SORT_INSTATE] = "in-state",
    [TUI_SORT_IDLE] = "idle",   [TUI_SORT_DUR] = "dur",     [TUI_SORT_PKTS] = "pkts",
    [TUI_SORT_BYTES] = "bytes", [TUI_SORT_RATE] = "rate",   [TUI_SORT_RETRANS] = "retrans",
    [TUI_SORT_RTT] = "rtt",     [TUI_SORT_VIOL] = "viol",   [TUI_SORT_START] = "start",
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
    case TUI_FILTER_TEXT: {
        char a[TUI_ADDR_LEN];

        return strstr(tui_conn_addr(c, false, a, sizeof(a)), f->text) != NULL ||
               strstr(tui_conn_addr(c, true, a, sizeof(a)), f->text) != NULL;
    }
    }
    return false;
}

/* ---- derived values ----------------------------------------------------------- */

static uint64_t
since(uint64_t now, uint64_t then)
{
    return now > then ? now - then : 0;
}

const char *
tui_conn_addr(const struct tui_conn *c, bool server, char *buf, size_t len)
{
    const struct flow_record *r = &c->rec;
    char addr[64];

    report_addr_str(server ? &r->dest_ip : &r->src_ip, r->ip_version, addr, sizeof(addr));
    snprintf(buf, len, r->ip_version == 6 ? "[%s]:%u" : "%s:%u", addr,
             (unsigned)(server ? r->dest_port : r->src_port));
    return buf;
}

bool
tui_conn_stuck(const struct tui_conn *c)
{
    return c->rec.s.stuck != TCP_STUCK_NONE;
}

bool
tui_conn_inferred(const struct tui_conn *c)
{
    return c->rec.s.midstream || c->rec.s.roles_guessed || c->rec.roles_guessed;
}

uint64_t
tui_conn_stuck_ns(const struct tui_conn *c)
{
    return tui_conn_stuck(c) ? since(c->rec.now_ns, c->rec.s.stuck_since_ns) : 0;
}

uint64_t
tui_conn_instate_ns(const struct tui_conn *c)
{
    const struct session_summary *s = &c->rec.s;
    uint64_t last = s->client.state_since_ns;

    if (s->server.state_since_ns > last)
        last = s->server.state_since_ns;
    if (last == 0) /* no state ever seen (--flows-only): the connection's age */
        last = c->rec.start_ns;
    return since(c->rec.now_ns, last);
}

uint64_t
tui_conn_idle_ns(const struct tui_conn *c)
{
    return since(c->rec.now_ns, c->rec.end_ns);
}

uint64_t
tui_conn_dur_ns(const struct tui_conn *c)
{
    return since(c->rec.end_ns, c->rec.start_ns);
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

bool
tui_conn_rates(const struct tui_conn *c, uint64_t now_ns, uint64_t origin_ns, double *to_srv,
               double *to_cli)
{
    const struct flow_record *r = &c->rec;
    uint64_t from = now_ns > TUI_RATE_WINDOW_NS ? now_ns - TUI_RATE_WINDOW_NS : 0;
    uint64_t base_ts, base_srv = 0, base_cli = 0;
    double dt;
    int i;

    *to_srv = *to_cli = 0.0;
    if (c->ended && r->end_ns <= from)
        return true; /* nothing moved inside the window */
    if (from < origin_ns)
        from = origin_ns; /* the capture is younger than the window */
    /* the newest sample at least a window old */
    for (i = (int)c->n_smp - 1; i >= 0 && c->smp[i].ts_ns > from; i--)
        ;
    if (i >= 0) {
        base_ts = c->smp[i].ts_ns;
        base_srv = c->smp[i].to_srv;
        base_cli = c->smp[i].to_cli;
    } else if (r->start_ns >= from) {
        base_ts = from; /* every byte it ever moved is inside the window */
    } else if (c->n_smp > 0) {
        base_ts = c->smp[0].ts_ns; /* first seen later: from its oldest sample */
        base_srv = c->smp[0].to_srv;
        base_cli = c->smp[0].to_cli;
    } else {
        return false;
    }
    if (now_ns <= base_ts)
        return false;
    dt = (double)(now_ns - base_ts) / (double)NS_PER_SEC;
    *to_srv = (double)since(r->bytes_toserver, base_srv) / dt;
    *to_cli = (double)since(r->bytes_toclient, base_cli) / dt;
    return true;
}

/* ---- slabs: connections at stable addresses ---------------------------------------- */

static struct tui_conn *
slab_at(const struct tui_slab *b, size_t i)
{
    return &b->chunk[i >> CHUNK_SHIFT][i & (CHUNK_SIZE - 1)];
}

static uint32_t
slab_get(struct tui_slab *b)
{
    size_t i;

    if (b->n_free > 0) {
        i = b->free[--b->n_free];
    } else {
        i = b->n_slot++;
        if ((i & (CHUNK_SIZE - 1)) == 0) {
            b->chunk = xreallocarray(b->chunk, b->n_chunk + 1, sizeof(*b->chunk));
            b->chunk[b->n_chunk++] = xreallocarray(NULL, CHUNK_SIZE, sizeof(**b->chunk));
        }
    }
    slab_at(b, i)->used = true;
    b->n_used++;
    return (uint32_t)i;
}

static void
slab_put(struct tui_slab *b, uint32_t i)
{
    slab_at(b, i)->used = false;
    if (b->n_free == b->cap_free) {
        b->cap_free = b->cap_free ? b->cap_free * 2 : 64;
        b->free = xreallocarray(b->free, b->cap_free, sizeof(*b->free));
    }
    b->free[b->n_free++] = i;
    b->n_used--;
}

static void
slab_fini(struct tui_slab *b)
{
    size_t i;

    for (i = 0; i < b->n_chunk; i++)
        free(b->chunk[i]);
    free(b->chunk);
    free(b->free);
    memset(b, 0, sizeof(*b));
}

/* ---- open set: entries kept across ticks, found by flow_id ---------------------------- */

static size_t
id_hash(uint64_t id, size_t mask)
{
    return (size_t)((id * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;
}

static struct tui_conn *
open_find(const struct tui_model *m, uint64_t flow_id, uint64_t start_ns)
{
    uint32_t i;

    if (m->bucket == NULL)
        return NULL;
    for (i = m->bucket[id_hash(flow_id, m->mask)]; i != 0;) {
        struct tui_conn *c = slab_at(&m->open, i - 1);

        if (c->rec.flow_id == flow_id && c->rec.start_ns == start_ns)
            return c;
        i = c->next;
    }
    return NULL;
}

static void
bucket_link(struct tui_model *m, uint32_t i)
{
    struct tui_conn *c = slab_at(&m->open, i);
    size_t h = id_hash(c->rec.flow_id, m->mask);

    c->next = m->bucket[h];
    m->bucket[h] = i + 1;
}

/* Keeps the table at least twice the slots (chains stay short). */
static void
buckets_grow(struct tui_model *m)
{
    size_t want = m->mask + 1, i;

    if (m->bucket != NULL && want >= 2 * (m->open.n_slot + 1))
        return;
    if (want < 1024)
        want = 1024;
    while (want < 2 * (m->open.n_slot + 1))
        want *= 2;
    free(m->bucket);
    m->bucket = xcalloc(want, sizeof(*m->bucket));
    m->mask = want - 1;
    for (i = 0; i < m->open.n_slot; i++)
        if (slab_at(&m->open, i)->used)
            bucket_link(m, (uint32_t)i);
}

static void
open_remove(struct tui_model *m, uint32_t i)
{
    struct tui_conn *c = slab_at(&m->open, i);
    uint32_t *link = &m->bucket[id_hash(c->rec.flow_id, m->mask)];

    while (*link != 0 && *link != i + 1)
        link = &slab_at(&m->open, *link - 1)->next;
    if (*link != 0)
        *link = c->next;
    slab_put(&m->open, i);
}

/* Removes every entry the latest tick did not list (it ended, or left the table). */
static void
open_sweep(struct tui_model *m)
{
    size_t i;

    for (i = 0; i < m->open.n_slot; i++) {
        struct tui_conn *c = slab_at(&m->open, i);

        if (c->used && c->seen != m->tick)
            open_remove(m, (uint32_t)i);
    }
}

/* ---- ended store: ranks and bounds ------------------------------------------------------ */

static void
fifo_push(struct tui_fifo *q, uint32_t v)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64, i;
        uint32_t *nv = xreallocarray(NULL, cap, sizeof(*nv));

        for (i = 0; i < q->n; i++)
            nv[i] = q->v[(q->head + i) % q->cap];
        free(q->v);
        q->v = nv;
        q->cap = cap;
        q->head = 0;
    }
    q->v[(q->head + q->n) % q->cap] = v;
    q->n++;
}

static uint32_t
fifo_pop(struct tui_fifo *q)
{
    uint32_t v = q->v[q->head];

    q->head = (q->head + 1) % q->cap;
    q->n--;
    return v;
}

/* Lets go of the oldest kept connection of rank k. */
static void
evict(struct tui_model *m, enum tui_keep k, bool rows_bound)
{
    slab_put(&m->ended, fifo_pop(&m->fifo[k]));
    if (rows_bound)
        m->tot.not_kept++;
    else
        m->tot.closed_dropped++;
}

/*
 * Makes room for one connection of rank k under both bounds. returns false
 * when it is not kept (every kept one outranks it).
 */
static bool
make_room(struct tui_model *m, enum tui_keep k)
{
    int j;

    if (m->frozen)
        return true; /* nothing is reused while a view is paused; trimmed when it thaws */
    if (k == TUI_KEEP_CLOSED && m->fifo[k].n >= m->cfg.closed_keep)
        evict(m, k, false);
    if (m->ended.n_used < m->cfg.rows_max)
        return true;
    for (j = 0; j <= (int)k; j++) {
        if (m->fifo[j].n > 0) {
            evict(m, (enum tui_keep)j, true);
            return true;
        }
    }
    m->tot.not_kept++;
    return false;
}

static enum tui_keep
keep_rank(const struct flow_record *r)
{
    if (r->s.stuck != TCP_STUCK_NONE)
        return TUI_KEEP_STUCK;
    if (r->reason == FLOW_END_SHUTDOWN)
        return TUI_KEEP_OPEN;
    return TUI_KEEP_CLOSED;
}

/* ---- model -------------------------------------------------------------------- */

void
tui_model_init(struct tui_model *m, const struct tui_model_cfg *cfg)
{
    memset(m, 0, sizeof(*m));
    if (cfg != NULL)
        m->cfg = *cfg;
    if (m->cfg.rows_max == 0)
        m->cfg.rows_max = TUI_ROWS_DEFAULT;
    if (m->cfg.closed_keep == 0)
        m->cfg.closed_keep = TUI_CLOSED_KEEP;
    if (m->cfg.sample_period_ns == 0)
        m->cfg.sample_period_ns = NS_PER_SEC;
}

void
tui_model_fini(struct tui_model *m)
{
    size_t i;

    slab_fini(&m->open);
    slab_fini(&m->ended);
    free(m->bucket);
    for (i = 0; i < TUI_KEEP_COUNT; i++)
        free(m->fifo[i].v);
    memset(m, 0, sizeof(*m));
}

/* Exact key, or the same under flowstate's own namespace (stats.flowstate.*). */
static uint64_t
stat_value(const struct stats_record *st, const char *path)
{
    size_t i, n = strlen("flowstate.");

    if (st == NULL || st->items == NULL)
        return 0;
    for (i = 0; i < st->items->n; i++) {
        const char *p = st->items->items[i].path;

        if (strncmp(p, "flowstate.", n) == 0)
            p += n;
        if (strcmp(p, path) == 0)
            return st->items->items[i].value;
    }
    return 0;
}

static void
count_endpoints(struct tui_totals *t, const struct tui_conn *c)
{
    if (c->rec.s.client.state < TCP_ST_COUNT)
        t->by_state[c->rec.s.client.state]++;
    if (c->rec.s.server.state < TCP_ST_COUNT)
        t->by_state[c->rec.s.server.state]++;
}

static void
count_states(struct tui_model *m)
{
    struct tui_totals *t = &m->tot;
    size_t i;

    memset(t->by_state, 0, sizeof(t->by_state));
    t->open = 0;
    for (i = 0; i < m->open.n_slot; i++) {
        const struct tui_conn *c = slab_at(&m->open, i);

        if (!c->used || c->gone || c->seen != m->tick)
            continue;
        t->open++;
        count_endpoints(t, c);
    }
    if (!t->final)
        return;
    /* nothing is open any more: the totals describe how connections ended */
    for (i = 0; i < m->ended.n_slot; i++)
        if (slab_at(&m->ended, i)->used)
            count_endpoints(t, slab_at(&m->ended, i));
}

bool
tui_model_sample_due(const struct tui_model *m, uint64_t ts_ns)
{
    uint64_t p = m->cfg.sample_period_ns;

    return !m->have_prev || ts_ns / p > m->prev_ts / p;
}

static void
sample_push(struct tui_conn *c, const struct flow_record *r, uint64_t ts)
{
    if (c->n_smp == TUI_SAMPLES) {
        memmove(&c->smp[0], &c->smp[1], (TUI_SAMPLES - 1) * sizeof(c->smp[0]));
        c->n_smp--;
    }
    c->smp[c->n_smp].ts_ns = ts;
    c->smp[c->n_smp].to_srv = r->bytes_toserver;
    c->smp[c->n_smp].to_cli = r->bytes_toclient;
    c->n_smp++;
}

/*
 * One record of a snapshot: its entry is found by flow_id (or made) and
 * rewritten in place, unless a paused view may be showing it.
 */
static void
open_update(struct tui_model *m, const struct flow_record *r, bool sample, uint64_t ts)
{
    struct tui_conn *c = open_find(m, r->flow_id, r->start_ns);

    if (c == NULL) {
        uint32_t i;

        buckets_grow(m); /* first: it links every used slot, the new one is linked below */
        i = slab_get(&m->open);
        c = slab_at(&m->open, i);
        c->rec = *r;
        c->ended = c->gone = false;
        c->keep = 0;
        c->n_smp = 0;
        bucket_link(m, i);
    } else if (!m->frozen) {
        c->rec = *r;
    }
    c->seen = m->tick;
    if (sample)
        sample_push(c, r, ts);
}

static void
header_rates(struct tui_model *m, uint64_t ts, uint64_t pkts, uint64_t bytes, bool sample,
             bool final)
{
    struct tui_totals *t = &m->tot;

    /* rates: counter deltas over capture-time deltas, sampled only by sample
     * ticks. Extra ticks inside a period (replay pacing, idle live ticks)
     * depend on wall time, so they keep the last rate: the rates shown then
     * depend on the capture alone. */
    if (!m->have_prev) {
        m->have_prev = true;
        m->prev_ts = t->origin_ns = ts;
        m->prev_pkts = m->first_pkts = pkts;
        m->prev_bytes = m->first_bytes = bytes;
    } else if (sample && ts > m->prev_ts && pkts >= m->prev_pkts && bytes >= m->prev_bytes) {
        double dt = (double)(ts - m->prev_ts) / (double)NS_PER_SEC;

        t->pps = (double)(pkts - m->prev_pkts) / dt;
        t->bps = (double)(bytes - m->prev_bytes) * 8.0 / dt;
        m->prev_ts = ts;
        m->prev_pkts = pkts;
        m->prev_bytes = bytes;
    }
    if (final && ts > t->origin_ns && pkts >= m->first_pkts && bytes >= m->first_bytes) {
        double dt = (double)(ts - t->origin_ns) / (double)NS_PER_SEC;

        t->pps = (double)(pkts - m->first_pkts) / dt;
        t->bps = (double)(bytes - m->first_bytes) * 8.0 / dt;
    }
}

void
tui_model_tick(struct tui_model *m, const struct flow_record *live, size_t n,
               const struct stats_record *st, bool final)
{
    struct tui_totals *t = &m->tot;
    uint64_t pkts = stat_value(st, "decoder.pkts");
    uint64_t bytes = stat_value(st, "decoder.wire_bytes"); /* flowstate's own: the line rate */
    uint64_t ts = st != NULL ? st->ts_ns : 0;
    bool sample = !final && tui_model_sample_due(m, ts);
    size_t keep = n < m->cfg.rows_max ? n : m->cfg.rows_max, i, done = 0;

    m->tick++;
    if (n > keep) { /* over --tui-rows: stuck ones first, then in creation order */
        for (i = 0; i < n && done < keep; i++)
            if (live[i].s.stuck != TCP_STUCK_NONE) {
                open_update(m, &live[i], sample, ts);
                done++;
            }
        for (i = 0; i < n && done < keep; i++)
            if (live[i].s.stuck == TCP_STUCK_NONE) {
                open_update(m, &live[i], sample, ts);
                done++;
            }
    } else {
        for (i = 0; i < n; i++)
            open_update(m, &live[i], sample, ts);
    }
    t->not_kept_open = n - keep;
    if (!m->frozen)
        open_sweep(m);

    header_rates(m, ts, pkts, bytes, sample, final);
    t->ts_ns = ts;
    t->pkts = pkts;
    t->bytes = bytes;
    t->flows_active = stat_value(st, "flow.active");
    t->flows_tcp = stat_value(st, "flow.tcp");
    t->kernel_drops =
        stat_value(st, "capture.kernel_drops") + stat_value(st, "capture.kernel_ifdrops");
    t->untracked = stat_value(st, "flow.untracked");
    t->evicted = stat_value(st, "flow.end.forced");
    t->final = final;
    count_states(m);
    m->gen++;
}

void
tui_model_flow_end(struct tui_model *m, const struct flow_record *r)
{
    struct tui_conn *open = open_find(m, r->flow_id, r->start_ns), *c;
    enum tui_keep k = keep_rank(r);
    uint32_t i;

    if (open != NULL && !open->gone) {
        open->gone = true;
        if (m->tot.open > 0)
            m->tot.open--;
    }
    m->tot.ended++;
    m->gen++;
    if (!make_room(m, k))
        return;
    i = slab_get(&m->ended);
    c = slab_at(&m->ended, i);
    c->rec = *r;
    c->ended = true;
    c->gone = false;
    c->keep = (uint8_t)k;
    c->n_smp = 0;
    if (open != NULL) {
        c->n_smp = open->n_smp;
        memcpy(c->smp, open->smp, open->n_smp * sizeof(c->smp[0]));
    }
    fifo_push(&m->fifo[k], i);
}

void
tui_model_freeze(struct tui_model *m, bool frozen)
{
    int k;

    m->frozen = frozen;
    if (frozen)
        return;
    open_sweep(m);
    while (m->fifo[TUI_KEEP_CLOSED].n > m->cfg.closed_keep)
        evict(m, TUI_KEEP_CLOSED, false);
    for (k = 0; k < TUI_KEEP_COUNT && m->ended.n_used > m->cfg.rows_max; k++)
        while (m->fifo[k].n > 0 && m->ended.n_used > m->cfg.rows_max)
            evict(m, (enum tui_keep)k, true);
    m->gen++;
}

/* ---- view --------------------------------------------------------------------- */

void
tui_view_init(struct tui_view *v)
{
    memset(v, 0, sizeof(*v));
    v->gen = UINT64_MAX;
}

void
tui_view_fini(struct tui_view *v)
{
    free(v->conn);
    free(v->rows);
    free(v->sort_buf);
    memset(v, 0, sizeof(*v));
}

bool
tui_view_capture(struct tui_view *v, const struct tui_model *m)
{
    size_t need = m->open.n_used + m->ended.n_used, i;

    if (v->gen == m->gen)
        return false;
    v->gen = m->gen;
    if (need > v->cap_conn) {
        v->cap_conn = need + need / 2;
        v->conn = xreallocarray(v->conn, v->cap_conn, sizeof(*v->conn));
    }
    v->n_conn = 0;
    for (i = 0; i < m->open.n_slot; i++) {
        const struct tui_conn *c = slab_at(&m->open, i);

        if (c->used && !c->gone && c->seen == m->tick)
            v->conn[v->n_conn++] = c;
    }
    for (i = 0; i < m->ended.n_slot; i++)
        if (slab_at(&m->ended, i)->used)
            v->conn[v->n_conn++] = slab_at(&m->ended, i);
    v->tot = m->tot;
    v->tot.stuck = 0;
    for (i = 0; i < v->n_conn; i++)
        if (tui_conn_stuck(v->conn[i]))
            v->tot.stuck++;
    v->n_rows = 0; /* rows pointed into the old capture */
    return true;
}

/*
 * Sorting: each row's key is computed once into a compact entry (three
 * ordered words, then start time and flow_id), and the entries are sorted,
 * not the rows: a comparison then touches 48 bytes, not two 1.2 KiB
 * connections, which keeps a 130k-row sort in cache.
 */
struct sort_ent {
    uint64_t k[3];
    uint64_t start, id;
    const struct tui_conn *c;
};

/* An order-preserving u64 of a non-negative double. */
static uint64_t
dbl_key(double d)
{
    uint64_t u;

    if (!(d > 0.0))
        return 0;
    memcpy(&u, &d, sizeof(u));
    return u;
}

static void
sort_key_of(const struct tui_conn *c, enum tui_sort key, const struct tui_totals *tot,
            uint64_t k[3])
{
    double a, b;

    k[0] = k[1] = k[2] = 0;
    switch (key) {
    case TUI_SORT_STATE:
        if (tui_conn_stuck(c)) { /* stuck first, stuck longest first */
            k[1] = c->rec.s.stuck_since_ns;
        } else {
            k[0] = c->ended ? 2 : 1; /* then open before ended */
            k[1] = c->rec.s.server.state;
            k[2] = c->rec.s.client.state;
        }
        break;
    case TUI_SORT_STUCK:
        k[0] = tui_conn_stuck(c) ? 0 : 1;
        k[1] = ~tui_conn_stuck_ns(c);
        break;
    case TUI_SORT_INSTATE:
        k[0] = ~tui_conn_instate_ns(c);
        break;
    case TUI_SORT_IDLE:
        k[0] = ~tui_conn_idle_ns(c);
        break;
    case TUI_SORT_DUR:
        k[0] = ~tui_conn_dur_ns(c);
        break;
    case TUI_SORT_PKTS:
        k[0] = ~tui_conn_pkts(c);
        break;
    case TUI_SORT_BYTES:
        k[0] = ~tui_conn_bytes(c);
        break;
    case TUI_SORT_RATE:
        if (!tui_conn_rates(c, tot->ts_ns, tot->origin_ns, &a, &b))
            a = b = 0.0;
        k[0] = ~dbl_key(a + b);
        break;
    case TUI_SORT_RETRANS:
        k[0] = ~tui_conn_retrans(c);
        break;
    case TUI_SORT_RTT:
        k[0] = ~tui_conn_rtt_ns(c);
        break;
    case TUI_SORT_VIOL:
        k[0] = ~tui_conn_violations(c);
        break;
    case TUI_SORT_START:
    case TUI_SORT_COUNT:
        break; /* the tie-break is the start order */
    }
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static int
ent_cmp(const void *pa, const void *pb)
{
    const struct sort_ent *a = pa, *b = pb;
    int r, i;

    for (i = 0; i < 3; i++)
        if ((r = cmp_u64(a->k[i], b->k[i])) != 0)
            return r;
    if ((r = cmp_u64(a->start, b->start)) != 0)
        return r;
    return cmp_u64(a->id, b->id);
}

void
tui_view_arrange(struct tui_view *v, enum tui_sort key, bool reverse, const struct tui_filter *f)
{
    struct sort_ent *e;
    size_t i, n = 0;

    if ((unsigned)key >= TUI_SORT_COUNT)
        key = TUI_SORT_STATE;
    if (v->n_conn > v->cap_rows) {
        v->cap_rows = v->n_conn;
        v->rows = xreallocarray(v->rows, v->cap_rows, sizeof(*v->rows));
    }
    if (v->n_conn > v->cap_sort) {
        v->cap_sort = v->n_conn;
        free(v->sort_buf);
        v->sort_buf = xreallocarray(NULL, v->cap_sort, sizeof(struct sort_ent));
    }
    e = v->sort_buf;
    for (i = 0; i < v->n_conn; i++) {
        const struct tui_conn *c = v->conn[i];

        if (f != NULL && !tui_filter_match(f, c))
            continue;
        sort_key_of(c, key, &v->tot, e[n].k);
        e[n].start = c->rec.start_ns;
        e[n].id = c->rec.flow_id;
        e[n].c = c;
        n++;
    }
    if (n > 1)
        qsort(e, n, sizeof(*e), ent_cmp);
    for (i = 0; i < n; i++)
        v->rows[i] = e[reverse ? n - 1 - i : i].c;
    v->n_rows = n;
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
tui_detail_format(const struct tui_conn *c, uint64_t now_ns, uint64_t origin_ns,
                  char (*out)[TUI_LINE_LEN], size_t max)
{
    const struct flow_record *r = &c->rec;
    const struct session_summary *s = &r->s;
    char a[24], b[24], iso[48], cli[TUI_ADDR_LEN], srv[TUI_ADDR_LEN];
    size_t n = 0, i, k;
    uint64_t nv = tui_conn_violations(c);
    double rs, rc;

    tui_conn_addr(c, false, cli, sizeof(cli));
    tui_conn_addr(c, true, srv, sizeof(srv));
    n = add_line(out, n, max, "%s -> %s  (%s)", cli, srv, c->ended ? "ended" : "open");
    n = add_line(out, n, max, "uid %s  flow_id %" PRIu64 "  community_id %s", r->uid, r->flow_id,
                 r->community_id);
    n = add_line(out, n, max,
                 "duration %s  packets %" PRIu64 " (%" PRIu64 " / %" PRIu64 ")  bytes %" PRIu64
                 " (%" PRIu64 " / %" PRIu64 ")",
                 tui_fmt_dur(since(r->end_ns, r->start_ns), a, sizeof(a)), tui_conn_pkts(c),
                 r->pkts_toserver, r->pkts_toclient, tui_conn_bytes(c), r->bytes_toserver,
                 r->bytes_toclient);
    if (tui_conn_rates(c, now_ns, origin_ns, &rs, &rc))
        n = add_line(out, n, max, "rate (last %us of capture) to server %s B/s  to client %s B/s",
                     (unsigned)(TUI_RATE_WINDOW_NS / NS_PER_SEC), tui_fmt_si(rs, a, sizeof(a)),
                     tui_fmt_si(rc, b, sizeof(b)));
    else
        n = add_line(out, n, max, "rate (last %us of capture) -",
                     (unsigned)(TUI_RATE_WINDOW_NS / NS_PER_SEC));
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
    n = fmt_endpoint("client", cli, &s->client, r->now_ns, out, n, max);
    n = add_line(out, n, max, "%s", "");
    n = fmt_endpoint("server", srv, &s->server, r->now_ns, out, n, max);
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
