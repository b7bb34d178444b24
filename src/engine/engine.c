/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine: the packet pipeline's front and its one entry (engine.h).
 *
 *   engine_feed: count -> engine_clock -> decode_packet
 *     -> fragment: defrag -> decode_ip_datagram -> queue
 *     -> TCP: flow key -> queue
 *   queue: inline, the batch of the one track (track_prepare now, track_run
 *     when the batch is full); with workers, the owning worker's ring.
 *
 * The clock is the largest capture timestamp seen and moves in one place,
 * engine_clock(), as each record arrives. When it crosses a whole second
 * the tick runs: the batch so far is run first (its packets came before
 * the tick), then idle flows expire, a tick reporter gets its snapshot,
 * live, stuck connections and flow_update records are written, and every
 * --stats-interval of capture time (files too) a periodic stats record
 * follows them. So expiry and the periodic records are a pure function of
 * the input (deterministic output), and a batch never
 * spans a tick: every packet of a batch is tracked with the clock value it
 * was read at (track_pkt.now_ns), exactly as if it had run alone.
 *
 * Batching: with a large table every packet's flow lookup misses the cache
 * several times (bucket, chain, a ~1 KiB slot); handled one at a time those
 * misses are serialised. Packets are decoded up to ENGINE_BATCH ahead
 * (pkt_meta holds values), their buckets prefetched as they are queued and
 * their slots by the batch lookup (flow.h), then they run in order. Only
 * decoder counters run ahead of tracking, and the tick, which reads them,
 * runs the batch first. A fragment, an idle live read, a reopen, a pacing
 * wait and the end also run the batch.
 *
 * Fragments: every DECODE_FRAGMENT record goes to the defragmenter; when a
 * datagram completes it is decoded (decode_ip_datagram, counted apart as
 * decoder.defrag.outcome.*) and a TCP segment in it is tracked as ONE packet
 * with the completing fragment's timestamp and packet number, wire bytes =
 * the sum of its fragments' wire lengths, ip_bytes = the rebuilt datagram's
 * length, and the VLAN tags and tunnel depth of the completing fragment.
 * Reassembly is one level deep: a rebuilt datagram that decodes to another
 * fragment (fragments inside a fragmented tunnel) is only counted, as
 * decoder.defrag.outcome.fragment.
 */
#include <config.h>

#include "engine/engine.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "defrag/defrag.h"
#include "engine/engine_private.h"
#include "engine/track.h"
#include "engine/workers.h"
#include "tcp/tcp_observer.h"
#include "tcp/tcp_stats.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/outfile.h"
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

/* Live: the longest a written record waits for the output while packets keep coming. */
#define LIVE_FLUSH_NS (100ULL * 1000000ULL)

struct engine {
    struct engine_cfg cfg;
    const struct reporter_ops *ops;
    void *rep;
    const struct tcp_observer *obs;
    struct decode_stats dst;
    struct defrag *defrag;
    struct decode_stats defrag_dst; /* outcomes of reassembled datagrams */
    uint64_t now_ns;                /* capture clock: max timestamp seen */
    uint64_t pkt_no;                /* records fed (1-based numbering) */
    uint64_t next_tick_ns;          /* next whole second: the next tick */
    uint64_t tick;                  /* ticks run so far */
    uint64_t next_update_ns;        /* live: next flow_update round */
    uint64_t next_stats_ns;         /* next periodic stats record (0: not scheduled yet) */
    uint64_t last_drops;            /* live: kernel drops at the last poll (poll_loss) */
    uint64_t last_poll_ns;          /* ... and the capture time of that poll */
    uint64_t loss_intervals;        /* polls that found new drops */
    struct capture *cap;            /* borrowed during engine_run/engine_finish */
    struct engine_hooks hooks;
    uint64_t pace_wall0, pace_ts0;  /* replay pacing origin (wall, capture) */
    /* inline: one track and its batch */
    struct track *tr;
    struct track_pkt batch[ENGINE_BATCH];
    size_t n;
    struct flow_record *snap; /* tick snapshot (reused) */
    size_t snap_n, snap_cap;
    size_t max_flows;         /* the whole table budget, for the stats record */
    /* --shard: TCP segments (datagrams for fragments) of this shard and of the others */
    uint64_t shard_pkts, shard_skipped;
    /* workers */
    struct workers *w;
    struct track_pkt one; /* the packet being decoded (workers copy it into a ring) */
};

/* ---- the inline track's sink ----------------------------------------------------- */

static void
snap_add(struct engine *e, const struct flow_record *r)
{
    if (e->snap_n == e->snap_cap) {
        e->snap_cap = e->snap_cap ? e->snap_cap * 2 : 256;
        e->snap = xreallocarray(e->snap, e->snap_cap, sizeof(*e->snap));
    }
    e->snap[e->snap_n++] = *r;
}

/* Records of the one track go straight to the reporter: the track's order is the output order. */
static void
inline_record(void *arg, const struct flow_record *r, const struct track_order *ord)
{
    struct engine *e = arg;

    switch ((enum track_phase)ord->phase) {
    case TRACK_PH_SNAPSHOT:
        snap_add(e, r);
        break;
    case TRACK_PH_LIVE:
        if (strcmp(r->event, "tcp_stuck") == 0) {
            if (e->ops->stuck != NULL)
                e->ops->stuck(e->rep, r);
        } else if (e->ops->flow_update != NULL) {
            e->ops->flow_update(e->rep, r);
        }
        break;
    case TRACK_PH_BEGIN:
    case TRACK_PH_DONE:
    case TRACK_PH_EXPIRE:
    case TRACK_PH_PACKET:
    case TRACK_PH_DRAIN:
        e->ops->flow_end(e->rep, r);
        break;
    }
}

/* ---- stats ------------------------------------------------------------------------- */

/* The front's half of the stats record: capture, decoder, defrag, extra (in this order). */
static void
front_stats(struct engine *e, struct stat_list *items)
{
    struct decode_stats dst = e->dst;

    if (e->cap != NULL) {
        const struct capture_stats *cs = capture_stats(e->cap);

        /* decoder.pkts: the records past the filter only, as Suricata's */
        dst.counter[DC_FILTERED] = cs->filtered;
        capture_stats_export(e->cap, items);
        stat_list_add(items, "flowstate.capture.loss_intervals", e->loss_intervals);
    }
    decode_stats_export(&dst, items);
    if (defrag_stats(e->defrag)->fragments != 0) {
        /* shown only for captures with fragments, like the reason maps */
        defrag_stats_export(defrag_stats(e->defrag), items);
        decode_stats_export_defrag(&e->defrag_dst, items);
    }
    if (e->cfg.shard_count != 0) {
        /* only in sharded runs: --merge-stats checks and drops them */
        stat_list_add(items, STATS_OWN "shard.index", e->cfg.shard_index);
        stat_list_add(items, STATS_OWN "shard.count", e->cfg.shard_count);
        stat_list_add(items, STATS_OWN "shard.pkts", e->shard_pkts);
        stat_list_add(items, STATS_OWN "shard.skipped_pkts", e->shard_skipped);
    }
    if (e->cfg.extra_stats != NULL)
        e->cfg.extra_stats(e->cfg.extra_stats_arg, items);
}

/* The tracks' half: flow and tcp counters (one track: its own; workers: their sum). */
static void
track_stats(struct engine *e, struct stat_list *items)
{
    if (e->w != NULL) {
        workers_stats_export(e->w, items);
        return;
    }
    flow_table_stats_export_values(track_flow_stats(e->tr), e->cfg.ft.memcap, e->max_flows,
                                   items);
    tcp_stats_export(track_tcp_stats(e->tr), items);
}

/* ---- ticks ------------------------------------------------------------------------- */

/*
 * Whether this tick writes a periodic stats record. The schedule starts at
 * the first tick and steps by the interval on the capture clock; a gap in
 * the capture gives one record when packets resume, not one per interval
 * missed. Ticks run once per capture second, so shorter intervals give one
 * record per second.
 */
static bool
stats_due(struct engine *e)
{
    uint64_t iv = e->cfg.stats_interval_ns;

    if (iv == 0)
        return false;
    if (e->next_stats_ns == 0) {
        e->next_stats_ns = e->now_ns + iv;
        return false;
    }
    if (e->now_ns < e->next_stats_ns)
        return false;
    e->next_stats_ns += ((e->now_ns - e->next_stats_ns) / iv + 1) * iv;
    return true;
}

/* Inline: the periodic stats record of this tick, after its flow records. */
static void
inline_stats_report(struct engine *e)
{
    struct stat_list items;
    struct stats_record st;

    stat_list_init(&items);
    front_stats(e, &items);
    track_stats(e, &items);
    st.ts_ns = e->now_ns;
    st.items = &items;
    st.periodic = true;
    e->ops->stats(e->rep, &st);
    stat_list_fini(&items);
}

/* Inline: hands the tick reporter (the TUI) a snapshot of the open flows and the counters. */
static void
inline_tick_report(struct engine *e, bool final)
{
    struct stat_list items;
    struct stats_record st;

    e->snap_n = 0;
    if (!final)
        track_snapshot(e->tr, e->now_ns, e->tick);
    stat_list_init(&items);
    front_stats(e, &items);
    track_stats(e, &items);
    st.ts_ns = e->now_ns;
    st.items = &items;
    st.periodic = true;
    e->ops->tick(e->rep, e->snap, e->snap_n, &st, false);
    stat_list_fini(&items);
}

/* A tick reporter refresh without expiry (idle live reads, pacing waits). */
static void
refresh(struct engine *e)
{
    if (e->ops->tick == NULL)
        return;
    engine_flush(e);
    e->tick++;
    if (e->w != NULL) {
        struct stat_list fs;

        stat_list_init(&fs);
        front_stats(e, &fs);
        workers_tick(e->w, e->now_ns, e->tick, WORKERS_TICK_SNAPSHOT, 0, &fs);
        stat_list_fini(&fs);
        return;
    }
    inline_tick_report(e, false);
}

static uint64_t poll_loss(struct engine *e);

/* A tick reporter that wants this tick's snapshot (report.h want_tick). */
static bool
tick_wanted(struct engine *e)
{
    return e->ops->tick != NULL &&
           (e->ops->want_tick == NULL || e->ops->want_tick(e->rep, e->now_ns));
}

/* The once-a-second work, when the clock crosses a second boundary (see the top). */
static void
tick(struct engine *e)
{
    bool updates = false, snap, stats;
    unsigned what = WORKERS_TICK_EXPIRE;
    uint64_t loss_since;

    engine_flush(e);
    loss_since = poll_loss(e);
    defrag_expire(e->defrag, e->now_ns);
    e->next_tick_ns = (e->now_ns / NS_PER_SEC + 1) * NS_PER_SEC;
    e->tick++;
    if (e->cfg.live && e->cfg.update_interval_ns > 0 && e->now_ns >= e->next_update_ns) {
        updates = e->next_update_ns != 0;
        e->next_update_ns = e->now_ns + e->cfg.update_interval_ns;
    }
    snap = tick_wanted(e);
    stats = stats_due(e);
    if (e->w != NULL) {
        struct stat_list fs;

        if (snap)
            what |= WORKERS_TICK_SNAPSHOT;
        if (e->cfg.live)
            what |= WORKERS_TICK_LIVE;
        if (updates)
            what |= WORKERS_TICK_UPDATES;
        if (stats)
            what |= WORKERS_TICK_STATS;
        if (!e->cfg.live && loss_since != 0)
            what |= WORKERS_TICK_LOSS;
        stat_list_init(&fs);
        if (what & (WORKERS_TICK_SNAPSHOT | WORKERS_TICK_STATS))
            front_stats(e, &fs);
        workers_tick(e->w, e->now_ns, e->tick, what, loss_since, &fs);
        stat_list_fini(&fs);
        return;
    }
    track_expire(e->tr, e->now_ns, e->tick);
    if (!e->cfg.live)
        track_mark_loss(e->tr, loss_since);
    if (snap)
        inline_tick_report(e, false);
    if (e->cfg.live)
        track_live(e->tr, e->now_ns, e->tick, updates, loss_since);
    if (stats)
        inline_stats_report(e);
}

/*
 * Live: polls the kernel's drop counters (every tick). If they rose since
 * the last poll, returns the capture time of that poll: every connection
 * with a packet since then may have lost one (track_live marks them);
 * else 0. Files: returns the start of the pcapng loss intervals read since
 * the last poll (capture_take_loss; track_mark_loss marks them), else 0.
 * Either way a poll that finds new drops is one loss interval.
 */
static uint64_t
poll_loss(struct engine *e)
{
    uint64_t since = 0, drops;

    if (e->cap == NULL)
        return 0;
    if (!e->cfg.live) {
        since = capture_take_loss(e->cap);
        if (since != 0)
            e->loss_intervals++;
        return since;
    }
    drops = capture_stats(e->cap)->kernel_drop;
    if (drops > e->last_drops) {
        since = e->last_poll_ns != 0 ? e->last_poll_ns : 1;
        e->loss_intervals++;
    }
    e->last_drops = drops;
    e->last_poll_ns = e->now_ns;
    return since;
}

/* The one place the clock moves. */
static inline void
engine_clock(struct engine *e, uint64_t ts_ns)
{
    if (ts_ns > e->now_ns)
        e->now_ns = ts_ns;
    if (e->now_ns >= e->next_tick_ns)
        tick(e);
}

/* ---- feeding ----------------------------------------------------------------------- */

void
engine_flush(struct engine *e)
{
    if (e->n == 0)
        return;
    track_run(e->tr, e->batch, e->n, e->tick);
    e->n = 0;
    if (e->hooks.batch_done != NULL)
        e->hooks.batch_done(e->hooks.arg);
}

/* Where the next TCP segment is decoded: the batch's next slot, or the scratch one. */
static inline struct track_pkt *
slot(struct engine *e)
{
    return e->w != NULL ? &e->one : &e->batch[e->n];
}

/*
 * p (from slot(), decoded to DECODE_TCP) joins the queue of the track that
 * owns it, unless its connection belongs to another shard. The shard hash
 * is computed only when a shard or a worker must be chosen.
 */
static inline void
enqueue(struct engine *e, struct track_pkt *p, uint64_t pkt_no)
{
    flow_key_from_meta(&p->m, &p->lk.key, &p->lk.dir);
    if (e->cfg.shard_count != 0 || e->w != NULL) {
        uint32_t h = flow_key_shard_hash(&p->lk.key);

        if (e->cfg.shard_count != 0) {
            if (h % e->cfg.shard_count != e->cfg.shard_index) {
                e->shard_skipped++;
                return;
            }
            e->shard_pkts++;
            h /= e->cfg.shard_count;
        }
        if (e->w != NULL) {
            p->pkt_no = pkt_no;
            p->now_ns = e->now_ns;
            workers_push(e->w, p, h);
            return;
        }
    }
    p->pkt_no = pkt_no;
    p->now_ns = e->now_ns;
    track_prepare(e->tr, p);
    if (++e->n == ENGINE_BATCH)
        engine_flush(e);
}

/* A fragment record: reassemble, and queue the datagram's TCP segment once it is whole. */
static void
fragment(struct engine *e, const struct cap_packet *p, const struct pkt_meta *fm_in)
{
    struct defrag_datagram dg;
    struct pkt_meta fm = *fm_in; /* the slot is reused for the datagram */
    struct track_pkt *tp;

    if (defrag_add(e->defrag, &fm, p->data, p->caplen, e->now_ns, &dg) != 1)
        return;
    tp = slot(e);
    if (decode_ip_datagram(dg.ip, dg.len, fm.ts_ns, true, &e->cfg.dec, &tp->m, &e->defrag_dst) !=
        DECODE_TCP)
        return;
    tp->m.wirelen = dg.wire_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)dg.wire_bytes;
    tp->m.vlan_count = fm.vlan_count;
    memcpy(tp->m.vlan, fm.vlan, sizeof(tp->m.vlan));
    tp->m.tunnel_depth = (uint8_t)(tp->m.tunnel_depth + fm.tunnel_depth);
    enqueue(e, tp, e->pkt_no);
}

void
engine_feed(struct engine *e, const struct cap_packet *p)
{
    struct track_pkt *tp;
    enum decode_outcome o;

    e->pkt_no++;
    engine_clock(e, p->ts_ns);
    /* after the clock: a tick's counters cover the packets before it (its batch) */
    e->dst.counter[DC_PKTS]++;
    e->dst.counter[DC_BYTES] += p->caplen;
    e->dst.counter[DC_WIRE_BYTES] += p->wirelen;
    tp = slot(e);
    o = decode_packet(p->dlt, p->data, p->caplen, p->wirelen, p->ts_ns, &e->cfg.dec, &tp->m,
                      &e->dst);
    if (e->hooks.decoded != NULL)
        e->hooks.decoded(e->hooks.arg, &tp->m, o, p);
    if (o == DECODE_TCP) {
        enqueue(e, tp, e->pkt_no);
    } else if (o == DECODE_FRAGMENT) {
        /* defrag reads p->data now: the packets before it go first */
        engine_flush(e);
        fragment(e, p, &tp->m);
    }
}

void
engine_idle(struct engine *e, uint64_t wall_ns)
{
    engine_flush(e);
    engine_clock(e, wall_ns);
    refresh(e);
    if (e->w != NULL)
        workers_poll(e->w, false);
}

/* ---- life cycle -------------------------------------------------------------------- */

struct engine *
engine_new(const struct engine_cfg *cfg, const struct reporter_ops *ops, void *rep_priv,
           char *err)
{
    struct engine *e = xcalloc(1, sizeof(*e));
    struct track_cfg tc;
    struct defrag_cfg dc;

    e->cfg = *cfg;
    e->ops = ops;
    e->rep = rep_priv;
    e->obs = cfg->flows_only ? &tcp_flows_observer : &tcp_session_observer;
    memset(&tc, 0, sizeof(tc));
    tc.ft = cfg->ft;
    tc.ft.ext_size = e->obs->ext_size;
    tc.tcp = cfg->tcp;
    tc.obs = e->obs;
    tc.ids = ops->ids;
    tc.stuck_records = ops->stuck != NULL;
    if ((e->max_flows = flow_table_cfg_max_flows(&tc.ft)) == 0) {
        /* let the table say why */
        struct flow_table *t = flow_table_new(&tc.ft, err);

        flow_table_free(t);
        free(e);
        return NULL;
    }
    if (cfg->workers > 1) {
        e->w = workers_new(cfg->workers, &tc, e->max_flows, ops, rep_priv, err);
        if (e->w == NULL) {
            free(e);
            return NULL;
        }
    } else {
        struct track_sink sink = {inline_record, NULL, e};

        if ((e->tr = track_new(&tc, &sink, err)) == NULL) {
            free(e);
            return NULL;
        }
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
    workers_free(e->w);
    track_free(e->tr);
    defrag_free(e->defrag);
    free(e->snap);
    free(e);
}

/*
 * File replay at --speed: waits until the packet's capture time, scaled,
 * has passed on the monotonic clock, refreshing the tick reporter every
 * 100 ms so the TUI stays responsive. Only the wait depends on the wall
 * clock; what is processed, and so every screen's content, depends on
 * capture time alone.
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
    if (clock_monotonic_ns() < due)
        engine_flush(e); /* what was read is shown while we wait */
    while ((now = clock_monotonic_ns()) < due && (stop == NULL || !*stop)) {
        uint64_t wait = due - now;

        if (wait > 100000000ULL)
            wait = 100000000ULL;
        d.tv_sec = (time_t)(wait / NS_PER_SEC);
        d.tv_nsec = (long)(wait % NS_PER_SEC);
        nanosleep(&d, NULL);
        if (due - now > 100000000ULL)
            refresh(e);
    }
}

/* SIGHUP: records of the packets already read go to the old file. */
static void
check_reopen(struct engine *e)
{
    if (e->cfg.reopen == NULL || !*e->cfg.reopen || e->cfg.on_reopen == NULL)
        return;
    engine_flush(e);
    if (e->w != NULL)
        workers_sync(e->w);
    *e->cfg.reopen = 0;
    e->cfg.on_reopen(e->cfg.reopen_arg);
}

static void
live_record(void *arg, const struct cap_packet *p)
{
    engine_feed(arg, p);
}

struct drain {
    struct engine *e;
    uint64_t left; /* -c: records still wanted */
};

static void
drain_record(void *arg, const struct cap_packet *p)
{
    struct drain *d = arg;

    if (d->left == 0)
        return;
    d->left--;
    engine_feed(d->e, p);
}

/*
 * Live: the kernel's ring is drained in whole blocks (capture_dispatch,
 * no copy, no call per packet into libpcap), each record straight into
 * engine_feed() and so into the batch. After each drain the batch runs;
 * the reporter flushes when a read times out and at least every 100 ms
 * of a busy link, so a record is never held back behind a quiet link; an
 * idle read lets wall time drive expiry and stuck detection.
 */
static int
run_live(struct engine *e, struct capture *c, volatile sig_atomic_t *stop, char *err)
{
    uint64_t delivered = 0, last_flush = clock_monotonic_ns();

    while ((stop == NULL || !*stop) && outfile_error() == 0) {
        int max = 0, rc;

        check_reopen(e);
        if (e->cfg.count != 0) {
            uint64_t left = e->cfg.count - delivered;
            if (left == 0)
                break;
            max = left > 1000000 ? 1000000 : (int)left;
        }
        rc = capture_dispatch(c, max, live_record, e);
        if (rc == CAP_END)
            break;
        if (rc < 0) {
            engine_flush(e);
            log_warn("%s", capture_geterr(c));
            errbuf_printf(err, "%s", capture_geterr(c));
            return -1;
        }
        if (rc == 0) {
            engine_idle(e, clock_realtime_ns());
        } else {
            delivered += (uint64_t)rc;
            engine_flush(e);
            if (e->w != NULL)
                workers_poll(e->w, false);
        }
        /*
         * Hand the records on when the link is idle, or at most every
         * LIVE_FLUSH_NS while it is busy: a write(2) per ring block cost
         * 0.2 us per packet on the 1M-packet live bench.
         */
        if (e->ops->flush != NULL) {
            uint64_t now = clock_monotonic_ns();
            if (rc == 0 || now - last_flush >= LIVE_FLUSH_NS) {
                e->ops->flush(e->rep);
                last_flush = now;
            }
        }
    }
    /*
     * Stopped (not -c): what the kernel already captured is still ours, up
     * to -c; not after an output failure, which ends the run at once.
     */
    if (outfile_error() == 0 && (e->cfg.count == 0 || delivered < e->cfg.count)) {
        struct drain d = {e, e->cfg.count != 0 ? e->cfg.count - delivered : UINT64_MAX};
        (void)capture_drain(c, drain_record, &d);
    }
    engine_flush(e);
    return 0;
}

int
engine_run(struct engine *e, struct capture *c, volatile sig_atomic_t *stop, char *err)
{
    struct cap_packet p = {0}; /* capture_next fills it; zeroed for -O3 -flto flow analysis */
    uint64_t delivered = 0;
    int rc, result = 0;

    e->cap = c;
    if (capture_is_live(c))
        return run_live(e, c, stop, err);
    while ((stop == NULL || !*stop) && outfile_error() == 0) {
        check_reopen(e);
        if (e->cfg.count != 0 && delivered >= e->cfg.count)
            break;
        rc = capture_next(c, &p);
        if (rc == CAP_END)
            break;
        if (rc == 0) {
            engine_flush(e);
            continue;
        }
        if (rc < 0) {
            engine_flush(e);
            log_warn("%s", capture_geterr(c));
            result = 1;
            continue;
        }
        if (e->cfg.replay_speed > 0 && !e->cfg.live)
            pace(e, p.ts_ns, stop);
        delivered++;
        engine_feed(e, &p);
    }
    engine_flush(e);
    return result;
}

void
engine_finish(struct engine *e, struct capture *c)
{
    struct stat_list items;
    struct stats_record st;

    e->cap = c;
    engine_flush(e);
    defrag_flush(e->defrag);
    /* files: statistics blocks after the last tick (usually the file's last blocks) */
    if (!e->cfg.live) {
        uint64_t since = poll_loss(e);

        if (since != 0 && e->w != NULL) {
            struct stat_list none;

            stat_list_init(&none);
            workers_tick(e->w, e->now_ns, e->tick, WORKERS_TICK_LOSS, since, &none);
            stat_list_fini(&none);
        } else if (since != 0) {
            track_mark_loss(e->tr, since);
        }
    }
    if (e->w != NULL)
        workers_finish(e->w, e->now_ns);
    else
        track_drain(e->tr, e->now_ns);
    stat_list_init(&items);
    front_stats(e, &items);
    track_stats(e, &items);
    st.ts_ns = e->now_ns;
    st.items = &items;
    st.periodic = false;
    e->ops->stats(e->rep, &st);
    if (e->ops->tick != NULL)
        e->ops->tick(e->rep, NULL, 0, &st, true);
    stat_list_fini(&items);
}

/* ---- engine_private.h -------------------------------------------------------------- */

void
engine_set_hooks(struct engine *e, const struct engine_hooks *h)
{
    e->hooks = *h;
}

struct flow_table *
engine_flow_table(struct engine *e)
{
    return e->tr != NULL ? track_table(e->tr) : NULL;
}

const struct decode_stats *
engine_decode_stats(const struct engine *e)
{
    return &e->dst;
}

uint64_t
engine_now(const struct engine *e)
{
    return e->now_ns;
}
