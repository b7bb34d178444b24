/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_decode: bytes -> the real engine (engine_feed: decode, defrag,
 * batching, prefetch, flow table, TCP session, records), with invariants
 * checked as it runs (STYLE.md section 10: a fuzzer that only waits for a
 * crash misses wrong counts). The harness copies none of the pipeline: it
 * sees it through the test hooks of engine_private.h and a reporter of its
 * own that checks every record.
 *
 * Input layout:
 *   byte 0      bits 0-3: link type, index into fuzz_dlts[] (modulo its size)
 *               bit 4:    verify TCP checksums (off = --no-checksums)
 *               bits 5-7: clock step between packets, index into fuzz_steps_ns[]
 *   bytes 1..   one packet, or several separated by the 4 bytes "FSPK"
 *               (Zeek's packet fuzzer splits on "\1PKT" the same way), so a
 *               corpus entry can hold a whole handshake.
 *
 * Invariants:
 *   - per record fed (decode hook): exactly one outcome counter moves, by
 *     one, and it is the returned one; the reason is DR_NONE unless the
 *     outcome is truncated/malformed, and the reason counters add up to those
 *     two outcome counters; a TCP pkt_meta is self-consistent;
 *   - after every batch the engine runs (batch hook): live flows counted by
 *     walking the table == stats.active == created - ended, never above
 *     max_flows, in creation order; every live flow summarizes to valid
 *     enum values and NUL-terminated strings, its observers saw every
 *     segment the engine routed to it;
 *   - every record the reporter gets is valid the same way;
 *   - at the end: every flow ended exactly once (one record each), the
 *     table is empty, and the stats record agrees.
 *
 * Also hosts the tracker shared with fuzz_pcap.c (fuzz.h).
 */
#include <config.h>

#include "fuzz.h"

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/engine_private.h"
#include "flow/flow.h"
#include "report/report.h"
#include "tcp/tcp_session.h"
#include "util/stats.h"

struct fuzz_tracker {
    struct engine *e;
    size_t max_flows;
    uint64_t pkts;
    uint64_t outcome[DECODE_OUTCOME_COUNT]; /* the engine's outcome counters before a record */
    uint64_t records;                       /* flow records written */
    uint64_t stats_records;
    uint64_t stats_flows;                   /* stats record: flow.tcp */
    uint64_t now_ns;
};

void
fuzz_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", expr, file, line);
    fflush(stderr);
    abort();
}

static bool
fuzz_str_terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static void
fuzz_check_endpoint(const struct tcp_endpoint_summary *e)
{
    FUZZ_ASSERT(e->state < TCP_ST_COUNT);
    FUZZ_ASSERT(e->wscale >= -1 && e->wscale <= 14);
    FUZZ_ASSERT(e->rtt.samples == 0 || e->rtt.min_ns <= e->rtt.max_ns);
}

static void
fuzz_check_summary(const struct session_summary *sum)
{
    fuzz_check_endpoint(&sum->client);
    fuzz_check_endpoint(&sum->server);
    FUZZ_ASSERT(sum->handshake <= TCP_HS_SIMULTANEOUS);
    FUZZ_ASSERT(sum->close <= TCP_CLOSE_RESET);
    FUZZ_ASSERT(sum->stuck <= TCP_STUCK_ZERO_WINDOW);
    FUZZ_ASSERT(sum->n_examples <= TCP_VIOLATION_KEEP);
    for (unsigned i = 0; i < sum->n_examples; i++)
        FUZZ_ASSERT(sum->examples[i].kind < TV_COUNT);
    FUZZ_ASSERT(fuzz_str_terminated(sum->conn_state, sizeof(sum->conn_state)));
    FUZZ_ASSERT(fuzz_str_terminated(sum->history, sizeof(sum->history)));
}

static void
fuzz_check_flow(const struct fuzz_tracker *tr, struct flow *f)
{
    struct session_summary sum;
    const struct tcp_session *s = flow_ext_const(f);

    FUZZ_ASSERT(f->key.proto == 6);
    FUZZ_ASSERT(f->key.ip_version == 4 || f->key.ip_version == 6);
    FUZZ_ASSERT(f->client_dir == FLOW_DIR_AB || f->client_dir == FLOW_DIR_BA);
    FUZZ_ASSERT(f->tclass < FLOW_TC_COUNT);
    FUZZ_ASSERT(f->first_ts_ns <= f->last_ts_ns);
    FUZZ_ASSERT(f->first_pkt_no >= 1 && f->first_pkt_no <= tr->pkts);

    tcp_session_summarize(s, f, tr->now_ns, &sum);
    fuzz_check_summary(&sum);
    /* The observers see every segment the engine routes to the flow. */
    FUZZ_ASSERT(sum.client.packets + sum.server.packets == (uint64_t)f->pkts[0] + f->pkts[1]);
}

/* ---- the checking reporter ----------------------------------------------------------- */

static int
fz_open(void **priv, FILE *out, const struct report_opts *o, char *err)
{
    (void)out;
    (void)o;
    (void)err;
    *priv = NULL;
    return 0;
}

static void
fz_flow_end(void *priv, const struct flow_record *r)
{
    struct fuzz_tracker *tr = priv;

    FUZZ_ASSERT(strcmp(r->event, "flow") == 0);
    FUZZ_ASSERT(r->reason > FLOW_END_NONE && r->reason < FLOW_END_COUNT);
    FUZZ_ASSERT(r->ip_version == 4 || r->ip_version == 6);
    FUZZ_ASSERT(r->start_ns <= r->end_ns);
    FUZZ_ASSERT(r->has_session);
    FUZZ_ASSERT(r->flow_id < (UINT64_C(1) << 53));
    FUZZ_ASSERT(fuzz_str_terminated(r->uid, sizeof(r->uid)) && r->uid[0] == 'C');
    FUZZ_ASSERT(fuzz_str_terminated(r->community_id, sizeof(r->community_id)));
    fuzz_check_summary(&r->s);
    FUZZ_ASSERT(r->s.client.packets + r->s.server.packets ==
                r->pkts_toserver + r->pkts_toclient);
    tr->records++;
}

static void
fz_stats(void *priv, const struct stats_record *st)
{
    struct fuzz_tracker *tr = priv;

    for (size_t i = 0; i < st->items->n; i++)
        if (strcmp(st->items->items[i].path, "flow.tcp") == 0)
            tr->stats_flows = st->items->items[i].value;
    tr->stats_records++;
}

static int
fz_close(void *priv)
{
    (void)priv;
    return 0;
}

static const struct reporter_ops fuzz_ops = {
    .name = "fuzz",
    .open = fz_open,
    .flow_end = fz_flow_end,
    .stats = fz_stats,
    .close = fz_close,
    .ids = REPORT_ID_ALL,
};

/* ---- hooks ------------------------------------------------------------------------- */

struct fuzz_walk {
    const struct fuzz_tracker *tr;
    uint64_t live;
    uint64_t last_seq;
    bool first;
};

static void
fuzz_walk_flow(void *arg, struct flow *f)
{
    struct fuzz_walk *w = arg;

    /* flow_table_foreach promises creation order. */
    FUZZ_ASSERT(w->first || f->seq_no > w->last_seq);
    w->first = false;
    w->last_seq = f->seq_no;
    w->live++;
    fuzz_check_flow(w->tr, f);
}

static uint64_t
fuzz_ended_total(const struct flow_table_stats *fs)
{
    uint64_t n = 0;

    for (int i = 0; i < FLOW_END_COUNT; i++)
        n += fs->ended[i];
    return n;
}

static void
fuzz_check_table(struct fuzz_tracker *tr)
{
    struct flow_table *ft = engine_flow_table(tr->e);
    struct fuzz_walk w = {tr, 0, 0, true};
    const struct flow_table_stats *fs;

    tr->now_ns = engine_now(tr->e);
    flow_table_foreach(ft, fuzz_walk_flow, &w);
    fs = flow_table_stats(ft);
    FUZZ_ASSERT(w.live == fs->active);
    FUZZ_ASSERT(fs->active <= tr->max_flows);
    FUZZ_ASSERT(fs->created - fuzz_ended_total(fs) == fs->active);
    FUZZ_ASSERT(fuzz_ended_total(fs) == tr->records);
    FUZZ_ASSERT(fs->peak >= fs->active);
}

static void
fuzz_batch_done(void *arg)
{
    fuzz_check_table(arg);
}

static uint64_t
fuzz_reason_total(const uint64_t *r)
{
    uint64_t n = 0;

    for (int i = 0; i < DR_COUNT; i++)
        n += r[i];
    return n;
}

static void
fuzz_decoded(void *arg, const struct pkt_meta *m, enum decode_outcome o,
             const struct cap_packet *p)
{
    struct fuzz_tracker *tr = arg;
    const struct decode_stats *st = engine_decode_stats(tr->e);
    uint64_t total = 0;

    FUZZ_ASSERT((unsigned)o < DECODE_OUTCOME_COUNT);
    for (int i = 0; i < DECODE_OUTCOME_COUNT; i++) {
        FUZZ_ASSERT(st->outcome[i] == tr->outcome[i] + (i == (int)o ? 1u : 0u));
        tr->outcome[i] = st->outcome[i];
        total += st->outcome[i];
    }
    FUZZ_ASSERT(total == tr->pkts);
    FUZZ_ASSERT(st->counter[DC_PKTS] == tr->pkts);
    FUZZ_ASSERT(fuzz_reason_total(st->truncated) == st->outcome[DECODE_TRUNCATED]);
    FUZZ_ASSERT(fuzz_reason_total(st->malformed) == st->outcome[DECODE_MALFORMED]);
    FUZZ_ASSERT(m->reason < DR_COUNT);
    if (o == DECODE_TRUNCATED || o == DECODE_MALFORMED)
        FUZZ_ASSERT(m->reason != DR_NONE);
    else
        FUZZ_ASSERT(m->reason == DR_NONE);
    FUZZ_ASSERT(m->vlan_count <= DECODE_MAX_VLAN);
    FUZZ_ASSERT(m->tunnel_depth <= DECODE_MAX_TUNNEL);
    FUZZ_ASSERT(m->csum <= CSUM_OFFLOADED);
    if (!decode_dlt_supported(p->dlt))
        FUZZ_ASSERT(o == DECODE_UNSUPPORTED);
    if (o != DECODE_TCP)
        return;
    FUZZ_ASSERT(m->ip_version == 4 || m->ip_version == 6);
    FUZZ_ASSERT(m->l4_proto == 6);
    FUZZ_ASSERT(m->tcp_hlen >= 20 && m->tcp_hlen <= 60 && m->tcp_hlen % 4 == 0);
    FUZZ_ASSERT(m->payload_cap <= m->payload_len);
    FUZZ_ASSERT(m->payload_cap <= p->caplen);
    FUZZ_ASSERT(m->opt.sack_count <= TCP_MAX_SACK_BLOCKS);
}

/* ---- the tracker (fuzz.h) ---------------------------------------------------------- */

struct fuzz_tracker *
fuzz_tracker_new(size_t max_flows, int verify_checksums)
{
    struct fuzz_tracker *tr = calloc(1, sizeof(*tr));
    struct engine_cfg cfg;
    struct engine_hooks h;
    char err[256] = "";

    if (tr == NULL)
        abort();
    memset(&cfg, 0, sizeof(cfg));
    flow_table_cfg_default(&cfg.ft);
    cfg.ft.max_flows = max_flows;
    cfg.ft.seed = 0x5eedf10e; /* fixed: a replayed input must behave the same */
    tcp_cfg_default(&cfg.tcp);
    cfg.dec.verify_checksums = verify_checksums != 0;
    cfg.workers = 1;
    tr->max_flows = max_flows;
    tr->e = engine_new(&cfg, &fuzz_ops, tr, err);
    if (tr->e == NULL) {
        fprintf(stderr, "fuzz: engine_new: %s\n", err);
        abort();
    }
    h.decoded = fuzz_decoded;
    h.batch_done = fuzz_batch_done;
    h.arg = tr;
    engine_set_hooks(tr->e, &h);
    return tr;
}

void
fuzz_tracker_feed(struct fuzz_tracker *tr, int dlt, const uint8_t *pkt, uint32_t caplen,
                  uint32_t wirelen, uint64_t ts_ns)
{
    struct cap_packet p;

    memset(&p, 0, sizeof(p));
    p.data = pkt;
    p.caplen = caplen;
    p.wirelen = wirelen;
    p.ts_ns = ts_ns;
    p.dlt = dlt;
    tr->pkts++;
    engine_feed(tr->e, &p);
}

uint64_t
fuzz_tracker_pkts(const struct fuzz_tracker *tr)
{
    return tr->pkts;
}

const struct decode_stats *
fuzz_tracker_stats(const struct fuzz_tracker *tr)
{
    return engine_decode_stats(tr->e);
}

void
fuzz_tracker_finish(struct fuzz_tracker *tr)
{
    const struct flow_table_stats *fs;
    struct flow_table *ft;

    if (tr == NULL)
        return;
    engine_flush(tr->e);
    fuzz_check_table(tr);
    engine_finish(tr->e, NULL);
    ft = engine_flow_table(tr->e);
    fs = flow_table_stats(ft);
    FUZZ_ASSERT(fs->active == 0);
    FUZZ_ASSERT(fuzz_ended_total(fs) == fs->created);
    FUZZ_ASSERT(tr->records == fs->created);
    FUZZ_ASSERT(tr->stats_records == 1 && tr->stats_flows == fs->created);
    FUZZ_ASSERT(engine_decode_stats(tr->e)->counter[DC_PKTS] == tr->pkts);
    engine_free(tr->e);
    free(tr);
}

/* ---- the decode harness ------------------------------------------------------- */

/* Link types the decoder claims, plus one it does not (802.11) for DECODE_UNSUPPORTED. */
static const int fuzz_dlts[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4,
    DLT_IPV6,   DLT_NULL,      DLT_LOOP,       DLT_IEEE802_11,
};

static const uint64_t fuzz_steps_ns[8] = {
    1000ull,                     /* 1 us */
    1000000ull,                  /* 1 ms */
    100000000ull,                /* 100 ms */
    1000000000ull,               /* 1 s */
    10000000000ull,              /* 10 s: past --stuck-after */
    61000000000ull,              /* 61 s: past the new/closed timeouts */
    3601000000000ull,            /* past the established timeout */
    0ull,                        /* all packets at the same instant */
};

#define FUZZ_SEP     "FSPK"
#define FUZZ_SEP_LEN 4
#define FUZZ_MAX_FLOWS 8 /* small, so eviction runs */

int
fuzz_decode_one(const uint8_t *data, size_t size)
{
    struct fuzz_tracker *tr;
    const uint8_t *p, *end;
    uint64_t ts, step;
    int dlt;

    if (size < 1)
        return 0;
    dlt = fuzz_dlts[(data[0] & 0x0f) % (sizeof(fuzz_dlts) / sizeof(fuzz_dlts[0]))];
    step = fuzz_steps_ns[data[0] >> 5];
    tr = fuzz_tracker_new(FUZZ_MAX_FLOWS, (data[0] & 0x10) != 0);
    ts = 1700000000ull * 1000000000ull;
    p = data + 1;
    end = data + size;
    for (;;) {
        const uint8_t *next = NULL;
        size_t len = (size_t)(end - p);

        for (size_t i = 0; i + FUZZ_SEP_LEN <= len; i++) {
            if (memcmp(p + i, FUZZ_SEP, FUZZ_SEP_LEN) == 0) {
                next = p + i;
                len = i;
                break;
            }
        }
        fuzz_tracker_feed(tr, dlt, p, (uint32_t)len, (uint32_t)len, ts);
        ts += step;
        if (next == NULL)
            break;
        p = next + FUZZ_SEP_LEN;
    }
    fuzz_tracker_finish(tr);
    return 0;
}

#ifdef FUZZ_TARGET_DECODE
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_decode_one(data, size);
}
#endif
