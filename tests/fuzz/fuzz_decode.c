/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_decode: bytes -> decode_packet -> flow table -> TCP session, with
 * invariants checked after every packet (STYLE.md section 10: a fuzzer that
 * only waits for a crash misses wrong counts).
 *
 * Input layout:
 *   byte 0      bits 0-3: link type, index into fuzz_dlts[] (modulo its size)
 *               bit 4:    verify TCP checksums (off = --no-checksums)
 *               bits 5-7: clock step between packets, index into fuzz_steps_ns[]
 *   bytes 1..   one packet, or several separated by the 4 bytes "FSPK"
 *               (Zeek's packet fuzzer splits on "\1PKT" the same way), so a
 *               corpus entry can hold a whole handshake.
 *
 * Invariants, per packet:
 *   - exactly one outcome counter moves, by one, and it is the returned one;
 *   - the reason is DR_NONE unless the outcome is truncated/malformed, and the
 *     reason counters add up to those two outcome counters;
 *   - a TCP pkt_meta is self-consistent (header length, captured payload);
 *   - live flows counted by walking the table == stats.active
 *     == created - ended, and never above max_flows;
 *   - every live or ending flow summarizes to valid enum values and
 *     NUL-terminated strings (tcp_session_summarize).
 * At the end: every flow ends exactly once and the table is empty.
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

#include "flow/flow.h"
#include "tcp/tcp_session.h"
#include "util/stats.h"

struct fuzz_tracker {
    struct decode_stats st;
    struct decode_opts dopts;
    struct tcp_cfg tcfg;
    struct flow_table *ft;
    size_t max_flows;
    uint64_t pkts;
    uint64_t now_ns;
    uint64_t ended_seen; /* flows seen by the end callback */
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
    fuzz_check_endpoint(&sum.client);
    fuzz_check_endpoint(&sum.server);
    FUZZ_ASSERT(sum.handshake <= TCP_HS_SIMULTANEOUS);
    FUZZ_ASSERT(sum.close <= TCP_CLOSE_RESET);
    FUZZ_ASSERT(sum.stuck <= TCP_STUCK_ZERO_WINDOW);
    FUZZ_ASSERT(sum.n_examples <= TCP_VIOLATION_KEEP);
    for (unsigned i = 0; i < sum.n_examples; i++)
        FUZZ_ASSERT(sum.examples[i].kind < TV_COUNT);
    FUZZ_ASSERT(fuzz_str_terminated(sum.conn_state, sizeof(sum.conn_state)));
    FUZZ_ASSERT(fuzz_str_terminated(sum.history, sizeof(sum.history)));
    /* The observers see every segment the engine routes to the flow. */
    FUZZ_ASSERT(sum.client.packets + sum.server.packets == (uint64_t)f->pkts[0] + f->pkts[1]);
}

static void
fuzz_on_end(void *arg, struct flow *f, enum flow_end_reason why)
{
    struct fuzz_tracker *tr = arg;

    FUZZ_ASSERT(why > FLOW_END_NONE && why < FLOW_END_COUNT);
    fuzz_check_flow(tr, f);
    tr->ended_seen++;
}

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
    struct fuzz_walk w = {tr, 0, 0, true};
    const struct flow_table_stats *fs;

    flow_table_foreach(tr->ft, fuzz_walk_flow, &w);
    fs = flow_table_stats(tr->ft);
    FUZZ_ASSERT(w.live == fs->active);
    FUZZ_ASSERT(fs->active <= tr->max_flows);
    FUZZ_ASSERT(fs->created - fuzz_ended_total(fs) == fs->active);
    FUZZ_ASSERT(fuzz_ended_total(fs) == tr->ended_seen);
    FUZZ_ASSERT(fs->peak >= fs->active);
}

struct fuzz_tracker *
fuzz_tracker_new(size_t max_flows, int verify_checksums)
{
    struct fuzz_tracker *tr = calloc(1, sizeof(*tr));
    struct flow_table_cfg cfg;
    char err[256] = "";

    if (tr == NULL)
        abort();
    tr->dopts.verify_checksums = verify_checksums != 0;
    tcp_cfg_default(&tr->tcfg);
    tr->max_flows = max_flows;
    flow_table_cfg_default(&cfg);
    cfg.max_flows = max_flows;
    cfg.memcap = 0;
    cfg.ext_size = sizeof(struct tcp_session);
    cfg.on_end = fuzz_on_end;
    cfg.on_end_arg = tr;
    cfg.seed = 0x5eedf10e; /* fixed: a replayed input must behave the same */
    tr->ft = flow_table_new(&cfg, err);
    if (tr->ft == NULL) {
        fprintf(stderr, "fuzz: flow_table_new: %s\n", err);
        abort();
    }
    return tr;
}

static uint64_t
fuzz_outcome_total(const struct decode_stats *st)
{
    uint64_t n = 0;

    for (int i = 0; i < DECODE_OUTCOME_COUNT; i++)
        n += st->outcome[i];
    return n;
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
fuzz_check_meta(const struct pkt_meta *m, enum decode_outcome o, uint32_t caplen)
{
    FUZZ_ASSERT(m->reason < DR_COUNT);
    if (o == DECODE_TRUNCATED || o == DECODE_MALFORMED)
        FUZZ_ASSERT(m->reason != DR_NONE);
    else
        FUZZ_ASSERT(m->reason == DR_NONE);
    FUZZ_ASSERT(m->vlan_count <= DECODE_MAX_VLAN);
    FUZZ_ASSERT(m->tunnel_depth <= DECODE_MAX_TUNNEL);
    FUZZ_ASSERT(m->csum <= CSUM_OFFLOADED);
    if (o != DECODE_TCP)
        return;
    FUZZ_ASSERT(m->ip_version == 4 || m->ip_version == 6);
    FUZZ_ASSERT(m->l4_proto == 6);
    FUZZ_ASSERT(m->tcp_hlen >= 20 && m->tcp_hlen <= 60 && m->tcp_hlen % 4 == 0);
    FUZZ_ASSERT(m->payload_cap <= m->payload_len);
    FUZZ_ASSERT(m->payload_cap <= caplen);
    FUZZ_ASSERT(m->opt.sack_count <= TCP_MAX_SACK_BLOCKS);
}

/* The engine's per-segment sequence: find/create, step, handle reuse, touch. */
static void
fuzz_track_tcp(struct fuzz_tracker *tr, const struct pkt_meta *m, uint32_t wirelen)
{
    const struct flow_table_stats *fs = flow_table_stats(tr->ft);
    uint64_t untracked = fs->untracked;
    struct tcp_session *s;
    enum tcp_step_result r;
    struct flow *f;
    bool created;
    int dir;

    f = flow_table_get(tr->ft, m, tr->pkts, &dir, &created);
    if (f == NULL) {
        FUZZ_ASSERT(flow_table_stats(tr->ft)->untracked == untracked + 1);
        return;
    }
    FUZZ_ASSERT(dir == FLOW_DIR_AB || dir == FLOW_DIR_BA);
    s = flow_ext(f);
    if (created)
        tcp_session_init(s, &tr->tcfg);
    r = tcp_session_step(s, f, dir, m, tr->pkts, &tr->tcfg);
    if (r == TCP_STEP_REUSE) {
        flow_table_end(tr->ft, f, FLOW_END_TCP_REUSE);
        f = flow_table_get(tr->ft, m, tr->pkts, &dir, &created);
        if (f == NULL)
            return;
        FUZZ_ASSERT(created);
        s = flow_ext(f);
        tcp_session_init(s, &tr->tcfg);
        r = tcp_session_step(s, f, dir, m, tr->pkts, &tr->tcfg);
        /* A fresh session cannot be "reused" by its own first segment. */
        FUZZ_ASSERT(r == TCP_STEP_OK);
    }
    FUZZ_ASSERT(r == TCP_STEP_OK);
    f->pkts[dir]++;
    f->bytes[dir] += wirelen;
    f->ip_bytes[dir] += m->ip_bytes;
    f->tcp_flags[dir] |= m->flags;
    enum flow_tclass tc = tcp_session_tclass(s);
    FUZZ_ASSERT(tc < FLOW_TC_COUNT);
    flow_table_touch(tr->ft, f, m->ts_ns, tc);
}

void
fuzz_tracker_feed(struct fuzz_tracker *tr, int dlt, const uint8_t *pkt, uint32_t caplen,
                  uint32_t wirelen, uint64_t ts_ns)
{
    uint64_t before[DECODE_OUTCOME_COUNT];
    struct pkt_meta m;
    enum decode_outcome o;

    /* The engine's clock never runs backwards (engine.h). */
    if (ts_ns > tr->now_ns)
        tr->now_ns = ts_ns;
    tr->pkts++;
    flow_table_expire(tr->ft, tr->now_ns);
    fuzz_check_table(tr);

    memcpy(before, tr->st.outcome, sizeof(before));
    o = decode_packet(dlt, pkt, caplen, wirelen, tr->now_ns, &tr->dopts, &m, &tr->st);
    FUZZ_ASSERT((unsigned)o < DECODE_OUTCOME_COUNT);
    for (int i = 0; i < DECODE_OUTCOME_COUNT; i++)
        FUZZ_ASSERT(tr->st.outcome[i] == before[i] + (i == (int)o ? 1u : 0u));
    FUZZ_ASSERT(fuzz_outcome_total(&tr->st) == tr->pkts);
    FUZZ_ASSERT(fuzz_reason_total(tr->st.truncated) == tr->st.outcome[DECODE_TRUNCATED]);
    FUZZ_ASSERT(fuzz_reason_total(tr->st.malformed) == tr->st.outcome[DECODE_MALFORMED]);
    fuzz_check_meta(&m, o, caplen);
    if (!decode_dlt_supported(dlt))
        FUZZ_ASSERT(o == DECODE_UNSUPPORTED);

    if (o == DECODE_TCP)
        fuzz_track_tcp(tr, &m, wirelen);
    fuzz_check_table(tr);
}

uint64_t
fuzz_tracker_pkts(const struct fuzz_tracker *tr)
{
    return tr->pkts;
}

const struct decode_stats *
fuzz_tracker_stats(const struct fuzz_tracker *tr)
{
    return &tr->st;
}

static void
fuzz_stuck_flow(void *arg, struct flow *f)
{
    struct fuzz_tracker *tr = arg;

    (void)tcp_session_check_stuck(flow_ext(f), f, tr->now_ns, &tr->tcfg);
}

void
fuzz_tracker_finish(struct fuzz_tracker *tr)
{
    const struct flow_table_stats *fs;

    if (tr == NULL)
        return;
    flow_table_foreach(tr->ft, fuzz_stuck_flow, tr);
    fuzz_check_table(tr);
    flow_table_drain(tr->ft, FLOW_END_SHUTDOWN);
    fs = flow_table_stats(tr->ft);
    FUZZ_ASSERT(fs->active == 0);
    FUZZ_ASSERT(fuzz_ended_total(fs) == fs->created);
    FUZZ_ASSERT(tr->ended_seen == fs->created);
    FUZZ_ASSERT(fuzz_outcome_total(&tr->st) == tr->pkts);
    flow_table_free(tr->ft);
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
