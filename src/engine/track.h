/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TRACK_H
#define FLOWSTATE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "report/report.h"
#include "tcp/tcp_observer.h"
#include "tcp/tcp_summary.h"

/*
 * track: the connection half of the engine. Owns one flow table, one TCP
 * observer per flow (tcp_observer.h) and the TCP counters of its
 * connections; turns flows into records (report_record_build) and hands them
 * to a sink. The engine runs one track inline (--workers 1) or one per worker
 * thread; a track is used by one thread only.
 *
 * Record order. Every record carries its place in the single-worker output
 * order as a struct track_order, so the records of several tracks merge into
 * exactly the stream one track would write:
 *   tick t (the clock crossed a whole second; ticks are numbered from 1):
 *     TRACK_PH_EXPIRE    idle flows ended, by (deadline, first packet number)
 *     TRACK_PH_SNAPSHOT  open flows for a tick reporter, by first packet number
 *     TRACK_PH_LIVE      live tcp_stuck / flow_update, by first packet number
 *   then the packets of second t, in packet order:
 *     TRACK_PH_PACKET    records ended by a packet (port reuse, eviction),
 *                        by (packet number, order within the packet)
 *   at the end: TRACK_PH_DRAIN, every flow still open, by first packet number.
 * A flow's first packet number is unique (a packet creates at most one flow),
 * so the order is total.
 */
enum track_phase {
    TRACK_PH_BEGIN = 0, /* tick markers (workers.c) */
    TRACK_PH_EXPIRE,
    TRACK_PH_SNAPSHOT,
    TRACK_PH_LIVE,
    TRACK_PH_DONE,      /* tick markers (workers.c) */
    TRACK_PH_PACKET,
    TRACK_PH_DRAIN,
};

#define TRACK_TICK_FINAL UINT64_MAX /* the tick number of TRACK_PH_DRAIN records */

struct track_order {
    uint64_t tick;  /* tick number (0 before the first tick; TRACK_TICK_FINAL: drain) */
    uint64_t phase; /* enum track_phase */
    uint64_t k1, k2;
};

/* lexicographic */
static inline int
track_order_cmp(const struct track_order *a, const struct track_order *b)
{
    if (a->tick != b->tick)
        return a->tick < b->tick ? -1 : 1;
    if (a->phase != b->phase)
        return a->phase < b->phase ? -1 : 1;
    if (a->k1 != b->k1)
        return a->k1 < b->k1 ? -1 : 1;
    if (a->k2 != b->k2)
        return a->k2 < b->k2 ? -1 : 1;
    return 0;
}

/* Where a track's output goes. Called on the track's thread. */
struct track_sink {
    /* A record (borrowed for the call) and its place in the output order. */
    void (*record)(void *arg, const struct flow_record *r, const struct track_order *ord);
    /* A flow was created by packet pkt_no (for a global flow.peak); may be NULL. */
    void (*created)(void *arg, const struct track_order *ord);
    void *arg;
};

struct track_cfg {
    struct flow_table_cfg ft;         /* caps, timeouts, seed; on_end is the track's own */
    struct tcp_cfg tcp;
    const struct tcp_observer *obs;   /* borrowed, static */
    unsigned ids;                     /* REPORT_ID_*: identifiers the records carry */
    bool stuck_records;               /* track_live writes tcp_stuck records */
};

/* One TCP segment handed to a track: values only. */
struct track_pkt {
    struct pkt_meta m;
    struct flow_lookup lk; /* key and dir set by the engine; hash by track_prepare */
    uint64_t pkt_no;       /* 1-based packet number */
    uint64_t now_ns;       /* the capture clock once this packet was read */
};

struct track;

/* returns: owned, or NULL + err (bad table configuration). */
struct track *track_new(const struct track_cfg *cfg, const struct track_sink *sink, char *err);
void track_free(struct track *t);

/* Hashes p's key and prefetches its bucket; call as soon as p is queued for this track. */
void track_prepare(struct track *t, struct track_pkt *p);

/*
 * Tracks n prepared packets in order (prefetching their flows as a batch).
 * tick is the number of ticks run so far (the records' track_order.tick).
 */
void track_run(struct track *t, struct track_pkt *pkts, size_t n, uint64_t tick);

/* Tick work at capture time now_ns, tick number tick (see the order above). */
void track_expire(struct track *t, uint64_t now_ns, uint64_t tick);
void track_snapshot(struct track *t, uint64_t now_ns, uint64_t tick);
/*
 * Live: tcp_stuck for every flow that became stuck, and with updates a
 * flow_update for every open flow. loss_since != 0: the kernel dropped
 * packets since capture time loss_since; every flow with a packet since
 * then is marked first (tcp_observer.mark_loss), so its stuck judgement
 * carries the capture-loss confidence.
 */
void track_live(struct track *t, uint64_t now_ns, uint64_t tick, bool updates,
                uint64_t loss_since);

/*
 * Files: marks every flow with a packet at or after capture time loss_since
 * (tcp_observer.mark_loss), the start of a pcapng loss interval
 * (capture_take_loss); writes nothing. loss_since 0: nothing.
 */
void track_mark_loss(struct track *t, uint64_t loss_since);

/* Ends every flow (FLOW_END_SHUTDOWN), judging stuck ones at now_ns, in creation order. */
void track_drain(struct track *t, uint64_t now_ns);

/* Counters (borrowed; valid until the next call on t). */
const struct flow_table_stats *track_flow_stats(const struct track *t);
const struct tcp_global_stats *track_tcp_stats(const struct track *t);
/* The table itself, for invariant checks in tests and fuzzers only. */
struct flow_table *track_table(struct track *t);

#endif
