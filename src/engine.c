/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine: the per-packet pipeline and the capture clock.
 *
 *   capture_next -> count -> decode_packet -> flow_table_get
 *     -> TCP observer step (port reuse: end + recreate) -> flow counters
 *     -> flow_table_touch (timeout class from the observer)
 *
 * The TCP observer is the full session (tcp_session: states, validation,
 * analysis, Zeek emulation) or, with --flows-only, the flag-level tcp_flows
 * view, which has no per-flow state of its own.
 *
 * The clock is the largest capture timestamp seen, so out-of-order records
 * never make flows age backwards. Idle expiry runs when the clock crosses a
 * whole second, before the packet that moved it is processed, so expiry is a
 * pure function of the input (deterministic output). Flow records are
 * written from the flow table's end callback; the reporter never sees the
 * table. Owns: decoder counters, TCP global counters, the flow table, the
 * IP defragmenter.
 *
 * Fragments: every DECODE_FRAGMENT record goes to the defrag module; when a
 * datagram completes, it is decoded (decode_ip_datagram, counted apart as
 * decoder.defrag.outcome.*) and a TCP segment in it is tracked as ONE packet
 * with the completing fragment's timestamp and packet number, wire bytes =
 * the sum of its fragments' wire lengths, ip_bytes = the rebuilt datagram's
 * length, and the VLAN tags and tunnel depth of the completing fragment.
 * Reassembly is one level deep: a rebuilt datagram that decodes to another
 * fragment (fragments inside a fragmented tunnel) is only counted, as
 * decoder.defrag.outcome.fragment.
 *
 * Batching: with a large table every packet's flow lookup misses the cache
 * several times (bucket, chain, a ~1 KiB slot), and handled one at a time
 * those misses are serialised. When nothing observes the engine between
 * packets (file input, no pacing, no tick reporter), records are read and
 * decoded up to ENGINE_BATCH ahead (pkt_meta holds values, so that is safe),
 * the batch's flow slots are prefetched in stages (flow.h), and then each
 * packet runs exactly as before, in order: clock and expiry, then tracking.
 * Only decoder counters run ahead, and only stats (read at the end) see them.
 * A fragment ends the batch: defrag needs the record's bytes (valid until the
 * next capture_next) and the clock, so it runs after the packets before it.
 * Live captures, --speed and the TUI keep a batch of one, in the historical
 * order (clock, decode, track), so their output and latency are unchanged.
 */
#include <config.h>

#include "engine.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/defrag.h"
#include "flow/flow_ids.h"
#include "tcp/tcp_flows.h"
#include "tcp/tcp_session.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/stats.h"
#include "util/xalloc.h"

#define NS_PER_SEC 1000000000ULL

/*
 * Packets decoded ahead. Enough for the misses of a batch to overlap, few
 * enough that the batch's slots (16 KiB) stay in L1/L2 until they are used.
 * On the 2M-packet bench 8, 16 and 32 measured the same (the prefetches wait
 * for line-fill buffers, not for latency), and a rolling pipeline with
 * per-stage distances was no faster than this simpler batch.
 */
#define ENGINE_BATCH 16

/* One record of a batch: decoded values only, nothing points into the capture buffer. */
struct batch_pkt {
    struct pkt_meta m;
    struct flow_lookup lk; /* valid when tcp */
    uint64_t ts_ns;        /* record timestamp (drives the clock) */
    uint64_t pkt_no;
    bool tcp;
};

static void tcp_stats_export(const struct tcp_global_stats *t, struct stat_list *out);

struct engine {
    struct engine_cfg cfg;
    const struct reporter_ops *ops;
    void *rep;
    struct flow_table *ft;
    struct decode_stats dst;
    struct defrag *defrag;
    struct decode_stats defrag_dst; /* outcomes of reassembled datagrams */
    struct tcp_global_stats tst;
    uint64_t now_ns;          /* capture clock: max timestamp seen */
    uint64_t pkt_no;          /* records delivered by the capture (1-based numbering) */
    uint64_t next_expire_ns;  /* next whole second at which idle flows are expired */
    uint64_t next_update_ns;  /* live: next flow_update round */
    struct flow_record rec;   /* scratch for the record being written */
    struct capture *cap;      /* borrowed during engine_run/engine_finish */
    struct flow_record *snap; /* tick snapshot (reused) */
    size_t snap_n, snap_cap;
    uint64_t pace_wall0, pace_ts0; /* replay pacing origin (wall, capture) */
    struct batch_pkt batch[ENGINE_BATCH];
    size_t batch_max;              /* ENGINE_BATCH, or 1 when packets must be handled as read */
};

/* Suricata flow.state from our timeout class. */
static const char *
flow_state_name(const struct flow *f)
{
    switch ((enum flow_tclass)f->tclass) {
    case FLOW_TC_NEW:
        return "new";
    case FLOW_TC_ESTABLISHED:
    case FLOW_TC_CLOSING:
        return "established";
    case FLOW_TC_CLOSED:
    case FLOW_TC_COUNT:
        break;
    }
    return "closed";
}

/* Resolves roles and copies everything a reporter needs into e->rec. */
static void
build_record(struct engine *e, const struct flow *f, const char *event, enum flow_end_reason why)
{
    struct flow_record *r = &e->rec;
    int c = f->client_dir, sv = !f->client_dir;

    memset(r, 0, sizeof(*r));
    r->event = event;
    r->ip_version = f->key.ip_version;
    r->proto = f->key.proto;
    if (c == FLOW_DIR_AB) {
        r->src_ip = f->key.a;
        r->src_port = f->key.pa;
        r->dest_ip = f->key.b;
        r->dest_port = f->key.pb;
    } else {
        r->src_ip = f->key.b;
        r->src_port = f->key.pb;
        r->dest_ip = f->key.a;
        r->dest_port = f->key.pa;
    }
    memcpy(r->vlan, f->vlan, sizeof(r->vlan));
    r->vlan_count = f->vlan_count;
    r->start_ns = f->first_ts_ns;
    r->end_ns = f->last_ts_ns;
    r->now_ns = e->now_ns;
    r->pkts_toserver = f->pkts[c];
    r->pkts_toclient = f->pkts[sv];
    r->bytes_toserver = f->bytes[c];
    r->bytes_toclient = f->bytes[sv];
    r->ip_bytes_toserver = f->ip_bytes[c];
    r->ip_bytes_toclient = f->ip_bytes[sv];
    r->tcp_flags_ts = f->tcp_flags[c];
    r->tcp_flags_tc = f->tcp_flags[sv];
    r->reason = (uint8_t)why;
    r->flow_state = flow_state_name(f);
    r->roles_guessed = (f->flags & FLOW_F_ROLES_GUESSED) != 0;
    r->has_session = !e->cfg.flows_only;
    /* Only what the writer prints: the community ID is a SHA-1 per record. */
    if (e->ops->ids & REPORT_ID_FLOW_ID)
        r->flow_id = flow_id(&f->key, f->first_ts_ns);
    if (e->ops->ids & REPORT_ID_UID)
        flow_uid(&f->key, f->first_ts_ns, r->uid);
    if (e->ops->ids & REPORT_ID_COMMUNITY)
        flow_community_id_key(&f->key, r->community_id);
    if (r->has_session)
        tcp_session_summarize(flow_ext_const(f), f, e->now_ns, &r->s);
}

/* Flow table end callback: judge, count, report. */
static void
on_flow_end(void *arg, struct flow *f, enum flow_end_reason why)
{
    struct engine *e = arg;
    size_t i;

    if (!e->cfg.flows_only)
        tcp_session_check_stuck(flow_ext(f), f, e->now_ns, &e->cfg.tcp);
    build_record(e, f, "flow", why);
    if (e->rec.s.midstream)
        e->tst.midstream++;
    if (e->rec.s.stuck < sizeof(e->tst.stuck) / sizeof(e->tst.stuck[0]))
        e->tst.stuck[e->rec.s.stuck]++;
    for (i = 0; i < TV_COUNT; i++)
        e->tst.violations[i] += e->rec.s.client.violations[i] + e->rec.s.server.violations[i];
    e->ops->flow_end(e->rep, &e->rec);
}

struct engine *
engine_new(const struct engine_cfg *cfg, const struct reporter_ops *ops, void *rep_priv,
           char *err)
{
    struct engine *e = xcalloc(1, sizeof(*e));
    struct flow_table_cfg ft;
    struct defrag_cfg dc;

    e->cfg = *cfg;
    e->ops = ops;
    e->rep = rep_priv;
    /* Decoding ahead is invisible only when nothing looks between packets (see the top). */
    e->batch_max = !cfg->live && cfg->replay_speed <= 0 && ops->tick == NULL ? ENGINE_BATCH : 1;
    ft = cfg->ft;
    if (!cfg->flows_only) {
        ft.ext_size = sizeof(struct tcp_session);
        ft.ext_cold_off = TCP_SESSION_COLD_OFF;
        ft.ext_cold_len = TCP_SESSION_COLD_LEN;
    }
    ft.on_end = on_flow_end;
    ft.on_end_arg = e;
    if ((e->ft = flow_table_new(&ft, err)) == NULL) {
        free(e);
        return NULL;
    }
    defrag_cfg_default(&dc);
    e->defrag = defrag_new(&dc);
    return e;
}

void
engine_free(struct engine *e)
{
    if (e == NULL)
        return;
    flow_table_free(e->ft);
    defrag_free(e->defrag);
    free(e->snap);
    free(e);
}

/* Live only: a flow_update for every open flow; tcp_stuck the moment one gets stuck. */
struct live_round {
    struct engine *e;
    bool updates;
};

static void
live_visit(void *arg, struct flow *f)
{
    struct live_round *lr = arg;
    struct engine *e = lr->e;

    if (!e->cfg.flows_only && tcp_session_check_stuck(flow_ext(f), f, e->now_ns, &e->cfg.tcp) &&
        e->ops->stuck != NULL) {
        build_record(e, f, "tcp_stuck", FLOW_END_NONE);
        e->ops->stuck(e->rep, &e->rec);
    }
    if (lr->updates && e->ops->flow_update != NULL) {
        build_record(e, f, "flow_update", FLOW_END_NONE);
        e->ops->flow_update(e->rep, &e->rec);
    }
}

static void
build_stats(struct engine *e, struct stat_list *items)
{
    struct decode_stats dst = e->dst;

    if (e->cap != NULL) {
        const struct capture_stats *cs = capture_stats(e->cap);

        /* decoder.pkts counts every record read, including those the filter rejected */
        dst.counter[DC_FILTERED] = cs->filtered;
        dst.counter[DC_PKTS] += cs->filtered;
        capture_stats_export(e->cap, items);
    }
    decode_stats_export(&dst, items);
    if (defrag_stats(e->defrag)->fragments != 0) {
        /* shown only for captures with fragments, like the reason maps */
        defrag_stats_export(defrag_stats(e->defrag), items);
        decode_stats_export_defrag(&e->defrag_dst, items);
    }
    flow_table_stats_export(e->ft, items);
    tcp_stats_export(&e->tst, items);
}

static void
snap_visit(void *arg, struct flow *f)
{
    struct engine *e = arg;

    if (e->snap_n == e->snap_cap) {
        e->snap_cap = e->snap_cap ? e->snap_cap * 2 : 256;
        e->snap = xreallocarray(e->snap, e->snap_cap, sizeof(*e->snap));
    }
    build_record(e, f, "flow_update", FLOW_END_NONE);
    e->snap[e->snap_n++] = e->rec;
}

/* Hands the tick reporter (the TUI) a snapshot of the open flows and the counters. */
static void
emit_tick(struct engine *e, bool final)
{
    struct stat_list items;
    struct stats_record st;

    if (e->ops->tick == NULL)
        return;
    e->snap_n = 0;
    if (!final)
        flow_table_foreach(e->ft, snap_visit, e);
    stat_list_init(&items);
    build_stats(e, &items);
    st.ts_ns = e->now_ns;
    st.items = &items;
    e->ops->tick(e->rep, e->snap, e->snap_n, &st, final);
    stat_list_fini(&items);
}

/* Runs the once-a-second work when the clock crosses a second boundary. */
static void
clock_tick(struct engine *e)
{
    struct live_round lr;

    if (e->now_ns < e->next_expire_ns)
        return;
    flow_table_expire(e->ft, e->now_ns);
    defrag_expire(e->defrag, e->now_ns);
    e->next_expire_ns = (e->now_ns / NS_PER_SEC + 1) * NS_PER_SEC;
    emit_tick(e, false);
    if (!e->cfg.live)
        return;
    lr.e = e;
    lr.updates = false;
    if (e->cfg.update_interval_ns > 0 && e->now_ns >= e->next_update_ns) {
        lr.updates = e->next_update_ns != 0;
        e->next_update_ns = e->now_ns + e->cfg.update_interval_ns;
    }
    flow_table_foreach(e->ft, live_visit, &lr);
}

static void
advance_clock(struct engine *e, uint64_t ts_ns)
{
    if (ts_ns > e->now_ns)
        e->now_ns = ts_ns;
    clock_tick(e);
}

/*
 * The TCP observer of a flow: the full session, or with --flows-only the
 * flag-level tcp_flows view (no extension area at all).
 */
static void
observer_init(struct engine *e, struct flow *f, int dir, const struct pkt_meta *m)
{
    e->tst.sessions++;
    if (e->cfg.flows_only)
        tcp_flows_roles(f, dir, m);
    else
        tcp_session_init(flow_ext(f), &e->cfg.tcp);
}

static enum tcp_step_result
observer_step(struct engine *e, struct flow *f, int dir, const struct pkt_meta *m,
              uint64_t pkt_no)
{
    if (e->cfg.flows_only)
        return tcp_flows_step(f, dir, m);
    return tcp_session_step(flow_ext(f), f, dir, m, pkt_no, &e->cfg.tcp);
}

/* m's lookup lk comes from flow_table_prepare(); pkt_no is m's packet number. */
static void
track_tcp(struct engine *e, const struct pkt_meta *m, const struct flow_lookup *lk,
          uint64_t pkt_no)
{
    struct flow *f;
    bool created;
    int dir = lk->dir;

    if ((f = flow_table_get_prepared(e->ft, lk, m, pkt_no, &created)) == NULL)
        return; /* table full, nothing evictable: counted as flow.untracked */
    if (created)
        observer_init(e, f, dir, m);
    if (observer_step(e, f, dir, m, pkt_no) == TCP_STEP_REUSE) {
        /* RFC 9293 3.10.7.4 / RFC 6191: a new incarnation of the tuple. */
        flow_table_end(e->ft, f, FLOW_END_TCP_REUSE);
        e->tst.reused++;
        if ((f = flow_table_get_prepared(e->ft, lk, m, pkt_no, &created)) == NULL)
            return;
        observer_init(e, f, dir, m);
        (void)observer_step(e, f, dir, m, pkt_no);
    }
    f->pkts[dir]++;
    f->bytes[dir] += m->wirelen;
    f->ip_bytes[dir] += m->ip_bytes;
    f->tcp_flags[dir] |= m->flags;
    flow_table_touch(e->ft, f, e->now_ns,
                     e->cfg.flows_only ? tcp_flows_tclass(f)
                                       : tcp_session_tclass(flow_ext_const(f)));
}

/* A fragment record: reassemble, and track the datagram's TCP segment once it is whole. */
static void
track_fragment(struct engine *e, const struct cap_packet *p, const struct pkt_meta *fm)
{
    struct defrag_datagram dg;
    struct pkt_meta m;
    struct flow_lookup lk;

    if (defrag_add(e->defrag, fm, p->data, p->caplen, e->now_ns, &dg) != 1)
        return;
    if (decode_ip_datagram(dg.ip, dg.len, fm->ts_ns, true, &e->cfg.dec, &m, &e->defrag_dst) !=
        DECODE_TCP)
        return;
    m.wirelen = dg.wire_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)dg.wire_bytes;
    m.vlan_count = fm->vlan_count;
    memcpy(m.vlan, fm->vlan, sizeof(m.vlan));
    m.tunnel_depth = (uint8_t)(m.tunnel_depth + fm->tunnel_depth);
    flow_table_prepare(e->ft, &m, &lk);
    track_tcp(e, &m, &lk, e->pkt_no);
}

/*
 * File replay at --speed: waits until the packet's capture time, scaled,
 * has passed on the monotonic clock, ticking the reporter every 100 ms so
 * the TUI stays responsive. Only the wait depends on the wall clock; what is
 * processed, and so every screen's content, depends on capture time alone.
 */
static void
pace(struct engine *e, uint64_t ts_ns, volatile sig_atomic_t *stop)
{
    uint64_t due, now;
    struct timespec d;

    if (e->pace_wall0 == 0) {
        e->pace_wall0 = clock_monotonic_ns();
        e->pace_ts0 = ts_ns;
        return;
    }
    if (ts_ns <= e->pace_ts0)
        return;
    due = e->pace_wall0 + (uint64_t)((double)(ts_ns - e->pace_ts0) / e->cfg.replay_speed);
    while ((now = clock_monotonic_ns()) < due && (stop == NULL || !*stop)) {
        uint64_t wait = due - now;

        if (wait > 100000000ULL)
            wait = 100000000ULL;
        d.tv_sec = (time_t)(wait / NS_PER_SEC);
        d.tv_nsec = (long)(wait % NS_PER_SEC);
        nanosleep(&d, NULL);
        if (due - now > 100000000ULL)
            emit_tick(e, false);
    }
}

/*
 * Runs the first n packets of the batch in order. Before that, for a real
 * batch, two prefetch passes (flow.h): every packet's chain head, then every
 * packet's flow slot, so the misses of the whole batch overlap; the buckets
 * were prefetched by flow_table_prepare() as the packets were decoded.
 */
static void
run_batch(struct engine *e, size_t n)
{
    size_t i;

    if (n > 1) {
        for (i = 0; i < n; i++)
            if (e->batch[i].tcp)
                flow_table_prefetch_head(e->ft, &e->batch[i].lk);
        for (i = 0; i < n; i++)
            if (e->batch[i].tcp)
                flow_table_prefetch_flow(e->ft, &e->batch[i].lk);
    }
    for (i = 0; i < n; i++) {
        struct batch_pkt *b = &e->batch[i];

        if (e->batch_max > 1) /* unbatched, the clock moved before decoding */
            advance_clock(e, b->ts_ns);
        if (b->tcp)
            track_tcp(e, &b->m, &b->lk, b->pkt_no);
    }
}

int
engine_run(struct engine *e, struct capture *c, volatile sig_atomic_t *stop, char *err)
{
    struct cap_packet p = {0}; /* capture_next fills it; zeroed for -O3 -flto flow analysis */
    struct batch_pkt *b;
    enum decode_outcome o;
    uint64_t delivered = 0;
    size_t n = 0; /* packets waiting in e->batch */
    int rc, result = 0;

    e->cap = c;
    while (stop == NULL || !*stop) {
        if (e->cfg.reopen != NULL && *e->cfg.reopen && e->cfg.on_reopen != NULL) {
            /* records of the packets already read go to the old file */
            run_batch(e, n);
            n = 0;
            *e->cfg.reopen = 0;
            e->cfg.on_reopen(e->cfg.reopen_arg);
        }
        if (e->cfg.count != 0 && delivered >= e->cfg.count)
            break;
        rc = capture_next(c, &p);
        if (rc == CAP_END)
            break;
        if (rc <= 0) {
            run_batch(e, n);
            n = 0;
        }
        if (rc == 0) {
            /* live and idle: let wall time drive expiry and stuck detection */
            if (e->cfg.live) {
                advance_clock(e, clock_realtime_ns());
                emit_tick(e, false);
            }
            continue;
        }
        if (rc < 0) {
            log_warn("%s", capture_geterr(c));
            result = 1;
            if (capture_is_live(c)) {
                errbuf_printf(err, "%s", capture_geterr(c));
                return -1;
            }
            continue;
        }
        if (e->cfg.replay_speed > 0 && !e->cfg.live)
            pace(e, p.ts_ns, stop);
        delivered++;
        e->pkt_no++;
        e->dst.counter[DC_PKTS]++;
        e->dst.counter[DC_BYTES] += p.wirelen;
        if (e->batch_max == 1)
            advance_clock(e, p.ts_ns);
        b = &e->batch[n];
        o = decode_packet(p.dlt, p.data, p.caplen, p.wirelen, p.ts_ns, &e->cfg.dec, &b->m,
                          &e->dst);
        if (o == DECODE_FRAGMENT) {
            /* defrag reads p.data and the clock: the packets before it go first */
            run_batch(e, n);
            n = 0;
            if (e->batch_max > 1)
                advance_clock(e, p.ts_ns);
            track_fragment(e, &p, &b->m);
            continue;
        }
        b->ts_ns = p.ts_ns;
        b->pkt_no = e->pkt_no;
        b->tcp = o == DECODE_TCP;
        if (b->tcp)
            flow_table_prepare(e->ft, &b->m, &b->lk);
        if (++n == e->batch_max) {
            run_batch(e, n);
            n = 0;
        }
    }
    run_batch(e, n);
    return result;
}

static void
tcp_stats_export(const struct tcp_global_stats *t, struct stat_list *out)
{
    /* Paths must outlive the reporter call: built once into static storage. */
    static char vpaths[TV_COUNT][64];
    static char spaths[5][48];
    static bool built;
    size_t i;

    if (!built) {
        for (i = 0; i < TV_COUNT; i++)
            snprintf(vpaths[i], sizeof(vpaths[i]), "tcp.violations.%s",
                     tcp_violation_name((enum tcp_violation)i));
        for (i = 1; i < 5; i++)
            snprintf(spaths[i], sizeof(spaths[i]), "tcp.stuck.%s",
                     tcp_stuck_name((enum tcp_stuck_kind)i));
        built = true;
    }
    stat_list_add(out, "tcp.sessions", t->sessions);
    stat_list_add(out, "tcp.midstream", t->midstream);
    stat_list_add(out, "tcp.reused", t->reused);
    for (i = 1; i < 5; i++)
        stat_list_add(out, spaths[i], t->stuck[i]);
    for (i = 0; i < TV_COUNT; i++)
        if (t->violations[i] != 0)
            stat_list_add(out, vpaths[i], t->violations[i]);
}

void
engine_finish(struct engine *e, struct capture *c)
{
    struct stat_list items;
    struct stats_record st;

    e->cap = c;
    defrag_flush(e->defrag);
    flow_table_drain(e->ft, FLOW_END_SHUTDOWN);
    stat_list_init(&items);
    build_stats(e, &items);
    st.ts_ns = e->now_ns;
    st.items = &items;
    e->ops->stats(e->rep, &st);
    stat_list_fini(&items);
    emit_tick(e, true);
}
