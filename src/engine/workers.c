/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * workers: the engine's worker threads (workers.h).
 *
 * Each worker owns one track and two rings (util/spsc.h): `in` from the
 * engine's thread (segments, ticks, syncs, the final drain) and `out` back
 * to it (records with their place in the single-track order, flow creations
 * for the global flow.peak, progress marks, per-tick and final counters).
 *
 * The merge. Each worker's output is in increasing track_order (track.h),
 * and the order is total across workers, so the engine's thread writes the
 * record with the smallest order among the workers' heads, provided every
 * worker has a head: a worker with nothing to say is unknown, not "later".
 * To keep that from stalling, the engine's thread sends every worker a SYNC
 * at least every SYNC_EVERY packets it reads (and whenever a ring is full);
 * a worker answers with a PROGRESS mark meaning "nothing of mine comes
 * before this packet". SYNC_EVERY is far below a ring's capacity, so a
 * worker whose output waits for a quiet one is never waited for itself.
 *
 * Memory: the rings are allocated at start (IN_RING_BYTES + OUT_RING_BYTES
 * per worker); the merge copies nothing but tick snapshots (the TUI).
 */
#include <config.h>

#include "engine/workers.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow/flow.h"
#include "tcp/tcp_stats.h"
#include "util/log.h"
#include "util/spsc.h"
#include "util/xalloc.h"

#define IN_RING_BYTES  (1u << 20)
#define OUT_RING_BYTES (4u << 20)
#define WORKER_BATCH   16
#define SYNC_EVERY     1024u /* packets read between two SYNCs to a worker, at most */
#define PUBLISH_EVERY  32u   /* messages to a worker between two publications */
#define POLL_EVERY     256u  /* packets between two merges */

enum in_type { IN_PKT = 1, IN_TICK, IN_SYNC, IN_DRAIN };

struct in_tick {
    uint64_t now_ns, tick;
    uint64_t loss_since_ns; /* see track_live */
    unsigned what;
};

struct in_sync {
    uint64_t tick, pkt_no;
};

enum out_type { OUT_REC = 1, OUT_CREATED, OUT_PROGRESS, OUT_DONE, OUT_END };

/* Every out message starts with its order. */
struct out_rec {
    struct track_order ord;
    struct flow_record rec;
};

struct out_counters {
    struct track_order ord;
    struct flow_table_stats fs;
    struct tcp_global_stats ts;
};

struct worker {
    struct workers *ws;
    unsigned idx;
    pthread_t thr;
    bool started;
    struct track *tr;
    struct spsc in, out;
    /* the worker's thread */
    struct track_pkt batch[WORKER_BATCH];
    size_t n;
    uint64_t tick;
    /* the engine's thread */
    uint64_t last_sent;   /* packet number of the last message sent */
    unsigned unpublished; /* messages since the last spsc_publish */
    const void *head;     /* peeked, not yet released */
    unsigned released;    /* releases since the last spsc_release_publish */
    bool ended;           /* OUT_END consumed */
    struct out_counters last; /* counters of the latest OUT_DONE / OUT_END */
    uint64_t progress;    /* packet number of the latest PROGRESS consumed */
};

/* A tick whose snapshot the tick reporter, or whose stats record the writer, waits for. */
struct tick_wait {
    uint64_t tick, now_ns;
    unsigned what; /* WORKERS_TICK_SNAPSHOT and/or WORKERS_TICK_STATS */
    struct stat_list front;
};

struct workers {
    unsigned n;
    struct worker *w;
    const struct reporter_ops *ops;
    void *rep;
    size_t max_flows, memcap;
    uint64_t tick;     /* the latest tick sent */
    uint64_t pushed;   /* packet number of the latest segment pushed */
    unsigned since_poll;
    bool finished, discard;
    /* the merge */
    uint64_t active, peak; /* live flows over all workers, in output order */
    unsigned done;         /* OUT_DONE consumed for the tick being merged */
    struct flow_table_stats tick_fs;
    struct tcp_global_stats tick_ts;
    struct tick_wait *waits; /* FIFO of ticks with a snapshot or a stats record */
    size_t waits_head, waits_n, waits_cap;
    struct flow_record *snap;
    size_t snap_n, snap_cap;
};

/* ---- the worker thread ------------------------------------------------------------- */

static void
sink_record(void *arg, const struct flow_record *r, const struct track_order *ord)
{
    struct worker *k = arg;
    struct out_rec *o = spsc_reserve(&k->out, OUT_REC, sizeof(*o));

    o->ord = *ord;
    o->rec = *r;
    spsc_commit(&k->out);
}

static void
sink_created(void *arg, const struct track_order *ord)
{
    struct worker *k = arg;
    struct track_order *o = spsc_reserve(&k->out, OUT_CREATED, sizeof(*o));

    *o = *ord;
    spsc_commit(&k->out);
}

static void
send_counters(struct worker *k, enum out_type type, const struct track_order *ord)
{
    struct out_counters *o = spsc_reserve(&k->out, type, sizeof(*o));

    o->ord = *ord;
    o->fs = *track_flow_stats(k->tr);
    o->ts = *track_tcp_stats(k->tr);
    spsc_commit(&k->out);
}

static void
run_batch(struct worker *k)
{
    if (k->n == 0)
        return;
    track_run(k->tr, k->batch, k->n, k->tick);
    k->n = 0;
    spsc_publish(&k->out);
}

static void
on_tick(struct worker *k, const struct in_tick *t)
{
    struct track_order done = {t->tick, TRACK_PH_DONE, 0, 0};

    run_batch(k);
    k->tick = t->tick;
    if (t->what & WORKERS_TICK_EXPIRE)
        track_expire(k->tr, t->now_ns, t->tick);
    if (t->what & WORKERS_TICK_SNAPSHOT)
        track_snapshot(k->tr, t->now_ns, t->tick);
    if (t->what & WORKERS_TICK_LOSS)
        track_mark_loss(k->tr, t->loss_since_ns);
    if (t->what & WORKERS_TICK_LIVE)
        track_live(k->tr, t->now_ns, t->tick, (t->what & WORKERS_TICK_UPDATES) != 0,
                   t->loss_since_ns);
    /* a loss mark alone (engine_finish) writes nothing and is no tick for the front */
    if (t->what != WORKERS_TICK_LOSS)
        send_counters(k, OUT_DONE, &done);
    spsc_publish(&k->out);
}

static void *
worker_main(void *arg)
{
    struct worker *k = arg;
    char name[16];

    snprintf(name, sizeof(name), "flowstate-w%u", k->idx);
    (void)pthread_setname_np(pthread_self(), name);
    for (;;) {
        const void *m = spsc_peek(&k->in, k->n == 0, NULL);
        uint32_t type;

        if (m == NULL) { /* nothing more for now: finish what is in hand */
            run_batch(k);
            spsc_release_publish(&k->in);
            continue;
        }
        type = spsc_hdr_of(m)->type;
        if (type == IN_PKT) {
            k->batch[k->n] = *(const struct track_pkt *)m;
            spsc_release(&k->in);
            track_prepare(k->tr, &k->batch[k->n]);
            if (++k->n == WORKER_BATCH) {
                run_batch(k);
                spsc_release_publish(&k->in);
            }
            continue;
        }
        run_batch(k);
        if (type == IN_TICK) {
            struct in_tick t = *(const struct in_tick *)m;

            spsc_release(&k->in);
            on_tick(k, &t);
        } else if (type == IN_SYNC) {
            const struct in_sync *s = m;
            struct track_order *o = spsc_reserve(&k->out, OUT_PROGRESS, sizeof(*o));

            o->tick = s->tick;
            o->phase = TRACK_PH_PACKET;
            o->k1 = s->pkt_no;
            o->k2 = UINT64_MAX;
            spsc_commit(&k->out);
            spsc_release(&k->in);
            spsc_publish(&k->out);
        } else { /* IN_DRAIN */
            struct track_order end = {TRACK_TICK_FINAL, UINT64_MAX, 0, 0};
            uint64_t now_ns = *(const uint64_t *)m;

            spsc_release(&k->in);
            spsc_release_publish(&k->in);
            track_drain(k->tr, now_ns);
            send_counters(k, OUT_END, &end);
            spsc_publish(&k->out);
            return NULL;
        }
        spsc_release_publish(&k->in);
    }
}

/* ---- the engine's thread: feeding ---------------------------------------------------- */

static void
publish(struct worker *k)
{
    spsc_publish(&k->in);
    k->unpublished = 0;
}

static void
publish_all(struct workers *w)
{
    for (unsigned i = 0; i < w->n; i++)
        if (w->w[i].unpublished > 0)
            publish(&w->w[i]);
}

/* A SYNC to worker k if there is room now (never waits). returns whether it was sent. */
static bool
send_sync(struct workers *w, struct worker *k)
{
    struct in_sync *s;

    if (!spsc_can_reserve(&k->in, sizeof(*s)))
        return false;
    s = spsc_reserve(&k->in, IN_SYNC, sizeof(*s));
    s->tick = w->tick;
    s->pkt_no = w->pushed;
    spsc_commit(&k->in);
    k->last_sent = w->pushed;
    publish(k);
    return true;
}

static void
nap(void)
{
    struct timespec d = {0, 20000};

    nanosleep(&d, NULL);
}

void
workers_push(struct workers *w, const struct track_pkt *p, uint32_t steer)
{
    struct worker *k = &w->w[steer % w->n];
    struct track_pkt *slot;

    w->pushed = p->pkt_no;
    while (!spsc_can_reserve(&k->in, sizeof(*p))) {
        /* k is behind: let the others say where they are, write what can be written */
        publish(k);
        for (unsigned i = 0; i < w->n; i++)
            if (&w->w[i] != k)
                (void)send_sync(w, &w->w[i]);
        workers_poll(w, false);
        if (!spsc_can_reserve(&k->in, sizeof(*p)))
            nap();
    }
    slot = spsc_reserve(&k->in, IN_PKT, sizeof(*p));
    memcpy(slot, p, sizeof(*p));
    spsc_commit(&k->in);
    k->last_sent = p->pkt_no;
    if (++k->unpublished >= PUBLISH_EVERY)
        publish(k);
    if (++w->since_poll >= POLL_EVERY) {
        w->since_poll = 0;
        for (unsigned i = 0; i < w->n; i++)
            if (w->pushed - w->w[i].last_sent >= SYNC_EVERY)
                (void)send_sync(w, &w->w[i]);
        workers_poll(w, false);
    }
}

/* Sends a message that must arrive (tick, drain), merging while the ring is full. */
static void *
reserve_control(struct workers *w, struct worker *k, uint32_t type, uint32_t len)
{
    while (!spsc_can_reserve(&k->in, len)) {
        publish(k);
        workers_poll(w, false);
        if (!spsc_can_reserve(&k->in, len))
            nap();
    }
    return spsc_reserve(&k->in, type, len);
}

void
workers_tick(struct workers *w, uint64_t now_ns, uint64_t tick, unsigned what,
             uint64_t loss_since_ns, const struct stat_list *front)
{
    w->tick = tick;
    if (what & (WORKERS_TICK_SNAPSHOT | WORKERS_TICK_STATS)) {
        struct tick_wait *tw;

        if (w->waits_n == w->waits_cap) {
            /* grow the FIFO, unrolled to start at index 0 */
            size_t cap = w->waits_cap ? w->waits_cap * 2 : 8;
            struct tick_wait *nw = xreallocarray(NULL, cap, sizeof(*nw));

            for (size_t i = 0; i < w->waits_n; i++)
                nw[i] = w->waits[(w->waits_head + i) % w->waits_cap];
            free(w->waits);
            w->waits = nw;
            w->waits_cap = cap;
            w->waits_head = 0;
        }
        tw = &w->waits[(w->waits_head + w->waits_n++) % w->waits_cap];
        tw->tick = tick;
        tw->now_ns = now_ns;
        tw->what = what & (WORKERS_TICK_SNAPSHOT | WORKERS_TICK_STATS);
        stat_list_init(&tw->front);
        for (size_t i = 0; i < front->n; i++)
            stat_list_add(&tw->front, front->items[i].path, front->items[i].value);
    }
    for (unsigned i = 0; i < w->n; i++) {
        struct worker *k = &w->w[i];
        struct in_tick *t = reserve_control(w, k, IN_TICK, sizeof(*t));

        t->now_ns = now_ns;
        t->tick = tick;
        t->loss_since_ns = loss_since_ns;
        t->what = what;
        spsc_commit(&k->in);
        k->last_sent = w->pushed;
        publish(k);
    }
    workers_poll(w, false);
}

/* ---- the engine's thread: the merge -------------------------------------------------- */

static void
snap_add(struct workers *w, const struct flow_record *r)
{
    if (w->snap_n == w->snap_cap) {
        w->snap_cap = w->snap_cap ? w->snap_cap * 2 : 256;
        w->snap = xreallocarray(w->snap, w->snap_cap, sizeof(*w->snap));
    }
    w->snap[w->snap_n++] = *r;
}

static void
deliver_record(struct workers *w, const struct out_rec *o)
{
    const struct flow_record *r = &o->rec;

    switch ((enum track_phase)o->ord.phase) {
    case TRACK_PH_SNAPSHOT:
        snap_add(w, r);
        return;
    case TRACK_PH_LIVE:
        if (w->discard)
            return;
        if (strcmp(r->event, "tcp_stuck") == 0) {
            if (w->ops->stuck != NULL)
                w->ops->stuck(w->rep, r);
        } else if (w->ops->flow_update != NULL) {
            w->ops->flow_update(w->rep, r);
        }
        return;
    case TRACK_PH_BEGIN:
    case TRACK_PH_DONE:
    case TRACK_PH_EXPIRE:
    case TRACK_PH_PACKET:
    case TRACK_PH_DRAIN:
        break;
    }
    w->active--;
    if (!w->discard)
        w->ops->flow_end(w->rep, r);
}

/* Exports counters summed over the workers, with the merge's global peak. */
static void
export_counters(const struct workers *w, const struct flow_table_stats *fs,
                const struct tcp_global_stats *ts, struct stat_list *out)
{
    struct flow_table_stats f = *fs;

    f.peak = w->peak;
    flow_table_stats_export_values(&f, w->memcap, w->max_flows, out);
    tcp_stats_export(ts, out);
}

/*
 * Every worker's OUT_DONE for one tick is in, so is every record of the tick
 * (they order before it): the tick reporter's turn and the periodic stats
 * record's, if they wait, with the counters the workers had at the tick.
 */
static void
tick_complete(struct workers *w, uint64_t tick)
{
    struct tick_wait *tw;
    struct stat_list items;
    struct stats_record st;

    if (w->waits_n == 0 || w->waits[w->waits_head].tick != tick) {
        w->snap_n = 0;
        return;
    }
    tw = &w->waits[w->waits_head];
    w->waits_head = (w->waits_head + 1) % w->waits_cap;
    w->waits_n--;
    stat_list_init(&items);
    for (size_t i = 0; i < tw->front.n; i++)
        stat_list_add(&items, tw->front.items[i].path, tw->front.items[i].value);
    export_counters(w, &w->tick_fs, &w->tick_ts, &items);
    st.ts_ns = tw->now_ns;
    st.items = &items;
    st.periodic = true;
    if (!w->discard && (tw->what & WORKERS_TICK_SNAPSHOT) && w->ops->tick != NULL)
        w->ops->tick(w->rep, w->snap, w->snap_n, &st, false);
    if (!w->discard && (tw->what & WORKERS_TICK_STATS))
        w->ops->stats(w->rep, &st);
    stat_list_fini(&items);
    stat_list_fini(&tw->front);
    w->snap_n = 0;
}

static void
consume(struct workers *w, struct worker *k)
{
    const void *m = k->head;

    switch ((enum out_type)spsc_hdr_of(m)->type) {
    case OUT_REC:
        deliver_record(w, m);
        break;
    case OUT_CREATED:
        if (++w->active > w->peak)
            w->peak = w->active;
        break;
    case OUT_PROGRESS:
        k->progress = ((const struct track_order *)m)->k1;
        break;
    case OUT_DONE: {
        const struct out_counters *c = m;

        k->last = *c;
        if (w->done == 0) {
            memset(&w->tick_fs, 0, sizeof(w->tick_fs));
            memset(&w->tick_ts, 0, sizeof(w->tick_ts));
        }
        flow_table_stats_add(&w->tick_fs, &c->fs);
        tcp_stats_add(&w->tick_ts, &c->ts);
        if (++w->done == w->n) {
            w->done = 0;
            tick_complete(w, c->ord.tick);
        }
        break;
    }
    case OUT_END:
        k->last = *(const struct out_counters *)m;
        k->ended = true;
        break;
    }
    spsc_release(&k->out);
    k->head = NULL;
    if (++k->released >= 64) {
        k->released = 0;
        spsc_release_publish(&k->out);
    }
}

void
workers_poll(struct workers *w, bool wait)
{
    publish_all(w);
    for (;;) {
        struct worker *best = NULL;
        unsigned i;

        for (i = 0; i < w->n; i++) {
            struct worker *k = &w->w[i];

            if (k->ended)
                continue;
            if (k->head == NULL && (k->head = spsc_peek(&k->out, false, NULL)) == NULL) {
                if (!wait)
                    break;
                spsc_release_publish(&k->out);
                k->head = spsc_peek(&k->out, true, NULL);
            }
            if (best == NULL || track_order_cmp(k->head, best->head) < 0)
                best = k;
        }
        if (i < w->n || best == NULL)
            break; /* a worker has said nothing yet, or all have ended */
        consume(w, best);
    }
    for (unsigned i = 0; i < w->n; i++)
        spsc_release_publish(&w->w[i].out);
}

void
workers_sync(struct workers *w)
{
    for (unsigned i = 0; i < w->n; i++) {
        struct worker *k = &w->w[i];
        struct in_sync *s = reserve_control(w, k, IN_SYNC, sizeof(*s));

        s->tick = w->tick;
        s->pkt_no = w->pushed;
        spsc_commit(&k->in);
        k->last_sent = w->pushed;
        publish(k);
    }
    for (;;) {
        unsigned i;

        for (i = 0; i < w->n; i++)
            if (w->w[i].progress < w->pushed)
                break;
        if (i == w->n)
            return;
        workers_poll(w, true);
    }
}

/* ---- life cycle ---------------------------------------------------------------------- */

struct workers *
workers_new(unsigned n, const struct track_cfg *tc, size_t max_flows,
            const struct reporter_ops *ops, void *rep, char *err)
{
    struct workers *w = xcalloc(1, sizeof(*w));
    sigset_t all, old;
    unsigned i;

    w->n = n;
    w->w = xcalloc(n, sizeof(*w->w));
    w->ops = ops;
    w->rep = rep;
    w->max_flows = max_flows;
    w->memcap = tc->ft.memcap;
    for (i = 0; i < n; i++) {
        struct worker *k = &w->w[i];
        struct track_cfg c = *tc;
        struct track_sink sink = {sink_record, sink_created, k};

        k->ws = w;
        k->idx = i;
        /* an even share of the one table's cap, so the caps add up to it */
        c.ft.memcap = 0;
        c.ft.max_flows = max_flows / n + (i < max_flows % n ? 1 : 0);
        if (c.ft.max_flows == 0)
            c.ft.max_flows = 1;
        if ((k->tr = track_new(&c, &sink, err)) == NULL)
            goto fail;
        if (spsc_init(&k->in, IN_RING_BYTES) != 0 || spsc_init(&k->out, OUT_RING_BYTES) != 0) {
            errbuf_printf(err, "cannot allocate the rings of worker %u", i);
            goto fail;
        }
    }
    /* the threads take no signal: SIGINT and friends reach the engine's thread */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (i = 0; i < n; i++) {
        int rc = pthread_create(&w->w[i].thr, NULL, worker_main, &w->w[i]);

        if (rc != 0) {
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            errbuf_printf(err, "cannot start worker %u: %s", i, strerror(rc));
            goto fail;
        }
        w->w[i].started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return w;

fail:
    w->discard = true;
    workers_free(w);
    return NULL;
}

void
workers_finish(struct workers *w, uint64_t now_ns)
{
    if (w->finished)
        return;
    for (unsigned i = 0; i < w->n; i++) {
        struct worker *k = &w->w[i];
        uint64_t *d;

        if (!k->started) {
            k->ended = true;
            continue;
        }
        d = reserve_control(w, k, IN_DRAIN, sizeof(*d));
        *d = now_ns;
        spsc_commit(&k->in);
        publish(k);
    }
    workers_poll(w, true);
    for (unsigned i = 0; i < w->n; i++) {
        if (w->w[i].started)
            pthread_join(w->w[i].thr, NULL);
        w->w[i].started = false;
    }
    w->finished = true;
}

void
workers_stats_export(const struct workers *w, struct stat_list *out)
{
    struct flow_table_stats fs;
    struct tcp_global_stats ts;

    memset(&fs, 0, sizeof(fs));
    memset(&ts, 0, sizeof(ts));
    for (unsigned i = 0; i < w->n; i++) {
        flow_table_stats_add(&fs, &w->w[i].last.fs);
        tcp_stats_add(&ts, &w->w[i].last.ts);
    }
    export_counters(w, &fs, &ts, out);
}

void
workers_free(struct workers *w)
{
    if (w == NULL)
        return;
    if (!w->finished) {
        w->discard = true;
        workers_finish(w, 0);
    }
    for (unsigned i = 0; i < w->n; i++) {
        track_free(w->w[i].tr);
        spsc_fini(&w->w[i].in);
        spsc_fini(&w->w[i].out);
    }
    for (size_t i = 0; i < w->waits_n; i++)
        stat_list_fini(&w->waits[(w->waits_head + i) % w->waits_cap].front);
    free(w->waits);
    free(w->snap);
    free(w->w);
    free(w);
}
