/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * track: the connection half of the engine (track.h). Per segment:
 *
 *   flow_table_lookup_batch -> observer step (port reuse: end + recreate)
 *     -> flow counters -> flow_table_touch (timeout class from the observer)
 *
 * Records are built from the flow table's end callback and the tick visits,
 * and go to the sink with their place in the output order. The track never
 * sees a capture, a decoder or a reporter. Single-threaded: the engine runs
 * one inline, or one per worker thread (workers.c).
 */
#include <config.h>

#include "engine/track.h"

#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_stats.h"
#include "util/xalloc.h"

struct track {
    struct track_cfg cfg;
    const struct tcp_observer *obs;
    struct track_sink sink;
    struct flow_table *ft;
    struct tcp_global_stats tst;
    struct flow_record rec; /* scratch for the record being made */
    uint64_t now_ns;        /* capture clock of the packet or tick being handled */
    struct track_order ord; /* order of the next record ended from the table */
    /* the batch being run (track_run) */
    struct track_pkt *batch;
    uint64_t batch_tick;
};

static void
emit(struct track *t, const char *event, const struct flow *f, enum flow_end_reason why)
{
    report_record_build(&t->rec, f, t->obs, t->now_ns, t->cfg.ids, event, why);
    t->sink.record(t->sink.arg, &t->rec, &t->ord);
    t->ord.k2++; /* several records of one packet keep their order */
}

/* Flow table end callback: judge, count, record. t->ord says where the record goes. */
static void
on_flow_end(void *arg, struct flow *f, enum flow_end_reason why)
{
    struct track *t = arg;

    if (t->obs->check_stuck != NULL)
        (void)t->obs->check_stuck(f, t->now_ns, &t->cfg.tcp);
    if (why == FLOW_END_TIMEOUT) {
        /* expiry order (flow_table_expire): deadline, then first packet */
        uint64_t to = t->cfg.ft.timeout_ns[f->tclass];

        t->ord.k1 = f->last_ts_ns > UINT64_MAX - to ? UINT64_MAX : f->last_ts_ns + to;
        t->ord.k2 = f->first_pkt_no;
    } else if (why == FLOW_END_SHUTDOWN) {
        t->ord.k1 = f->first_pkt_no;
        t->ord.k2 = 0;
    }
    emit(t, "flow", f, why);
    tcp_stats_count_end(&t->tst, t->rec.has_session ? &t->rec.s : NULL);
}

struct track *
track_new(const struct track_cfg *cfg, const struct track_sink *sink, char *err)
{
    struct track *t = xcalloc(1, sizeof(*t));
    struct flow_table_cfg ft = cfg->ft;

    t->cfg = *cfg;
    t->obs = cfg->obs;
    t->sink = *sink;
    ft.ext_size = t->obs->ext_size;
    ft.ext_cold_off = t->obs->ext_cold_off;
    ft.ext_cold_len = t->obs->ext_cold_len;
    ft.on_end = on_flow_end;
    ft.on_end_arg = t;
    if ((t->ft = flow_table_new(&ft, err)) == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

void
track_free(struct track *t)
{
    if (t == NULL)
        return;
    flow_table_free(t->ft);
    free(t);
}

void
track_prepare(struct track *t, struct track_pkt *p)
{
    flow_table_prepare_key(t->ft, &p->lk);
}

static void
observer_init(struct track *t, struct flow *f, int dir, const struct pkt_meta *m)
{
    struct track_order o = {t->batch_tick, TRACK_PH_PACKET, 0, 0};

    tcp_stats_session(&t->tst);
    t->obs->init(f, dir, m, &t->cfg.tcp);
    if (t->sink.created != NULL) {
        o.k1 = t->ord.k1;
        o.k2 = t->ord.k2++;
        t->sink.created(t->sink.arg, &o);
    }
}

/* flow_table_lookup_batch callback: one segment of the batch. */
static void
track_one(void *arg, size_t i, struct flow *f, bool created)
{
    struct track *t = arg;
    struct track_pkt *p = &t->batch[i];
    const struct pkt_meta *m = &p->m;
    int dir = p->lk.dir;

    t->now_ns = p->now_ns;
    /*
     * k2 counts the records and creations of this packet. A flow evicted to
     * make room for f was ended inside the lookup, before this call, under
     * the previous packet's number: still in this track's order, and which
     * flows a full table evicts is not reproduced across workers anyway
     * (engine.h).
     */
    if (t->ord.k1 != p->pkt_no) {
        t->ord.k1 = p->pkt_no;
        t->ord.k2 = 0;
    }
    if (f == NULL)
        return; /* table full, nothing evictable: counted as flow.untracked */
    if (created)
        observer_init(t, f, dir, m);
    if (t->obs->step(f, dir, m, p->pkt_no, &t->cfg.tcp) == TCP_STEP_REUSE) {
        /* RFC 9293 3.10.7.4 / RFC 6191: a new incarnation of the tuple. */
        flow_table_end(t->ft, f, FLOW_END_TCP_REUSE);
        t->tst.reused++;
        if ((f = flow_table_get_prepared(t->ft, &p->lk, m, p->pkt_no, &created)) == NULL)
            return;
        observer_init(t, f, dir, m);
        (void)t->obs->step(f, dir, m, p->pkt_no, &t->cfg.tcp);
    }
    f->pkts[dir]++;
    f->bytes[dir] += m->wirelen;
    f->ip_bytes[dir] += m->ip_bytes;
    f->tcp_flags[dir] |= m->flags;
    flow_table_touch(t->ft, f, t->now_ns, t->obs->tclass(f));
}

void
track_run(struct track *t, struct track_pkt *pkts, size_t n, uint64_t tick)
{
    size_t i;

    if (n == 0)
        return;
    for (i = 0; i < n; i++) {
        pkts[i].lk.m = &pkts[i].m;
        pkts[i].lk.pkt_no = pkts[i].pkt_no;
    }
    t->batch = pkts;
    t->batch_tick = tick;
    /* evictions inside the first lookup are ordered with its packet */
    t->ord.tick = tick;
    t->ord.phase = TRACK_PH_PACKET;
    t->ord.k1 = pkts[0].pkt_no;
    t->ord.k2 = 0;
    flow_table_lookup_batch(t->ft, &pkts[0].lk, sizeof(pkts[0]), n, track_one, t);
    t->batch = NULL;
}

void
track_expire(struct track *t, uint64_t now_ns, uint64_t tick)
{
    t->now_ns = now_ns;
    t->ord.tick = tick;
    t->ord.phase = TRACK_PH_EXPIRE;
    (void)flow_table_expire(t->ft, now_ns);
}

struct visit {
    struct track *t;
    bool updates;
    uint64_t loss_since; /* track_live: 0 or the start of an interval with capture drops */
};

static void
snapshot_visit(void *arg, struct flow *f)
{
    struct track *t = arg;

    t->ord.k1 = f->first_pkt_no;
    t->ord.k2 = 0;
    emit(t, "flow_update", f, FLOW_END_NONE);
}

void
track_snapshot(struct track *t, uint64_t now_ns, uint64_t tick)
{
    t->now_ns = now_ns;
    t->ord.tick = tick;
    t->ord.phase = TRACK_PH_SNAPSHOT;
    flow_table_foreach(t->ft, snapshot_visit, t);
}

static void
live_visit(void *arg, struct flow *f)
{
    struct visit *v = arg;
    struct track *t = v->t;

    t->ord.k1 = f->first_pkt_no;
    t->ord.k2 = 0;
    if (v->loss_since != 0 && f->last_ts_ns >= v->loss_since && t->obs->mark_loss != NULL)
        t->obs->mark_loss(f);
    if (t->obs->check_stuck != NULL && t->obs->check_stuck(f, t->now_ns, &t->cfg.tcp) &&
        t->cfg.stuck_records)
        emit(t, "tcp_stuck", f, FLOW_END_NONE);
    if (v->updates)
        emit(t, "flow_update", f, FLOW_END_NONE);
}

void
track_live(struct track *t, uint64_t now_ns, uint64_t tick, bool updates, uint64_t loss_since)
{
    struct visit v = {t, updates, loss_since};

    t->now_ns = now_ns;
    t->ord.tick = tick;
    t->ord.phase = TRACK_PH_LIVE;
    flow_table_foreach(t->ft, live_visit, &v);
}

static void
loss_visit(void *arg, struct flow *f)
{
    struct visit *v = arg;

    if (f->last_ts_ns >= v->loss_since && v->t->obs->mark_loss != NULL)
        v->t->obs->mark_loss(f);
}

void
track_mark_loss(struct track *t, uint64_t loss_since)
{
    struct visit v = {t, false, loss_since};

    if (loss_since != 0)
        flow_table_foreach(t->ft, loss_visit, &v);
}

void
track_drain(struct track *t, uint64_t now_ns)
{
    t->now_ns = now_ns;
    t->ord.tick = TRACK_TICK_FINAL;
    t->ord.phase = TRACK_PH_DRAIN;
    flow_table_drain(t->ft, FLOW_END_SHUTDOWN);
}

const struct flow_table_stats *
track_flow_stats(const struct track *t)
{
    return flow_table_stats(t->ft);
}

const struct tcp_global_stats *
track_tcp_stats(const struct track *t)
{
    return &t->tst;
}

struct flow_table *
track_table(struct track *t)
{
    return t->ft;
}
