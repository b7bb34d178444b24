/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_FLOW_H
#define FLOWSTATE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/stats.h"

/*
 * Flow table: every tracked connection, keyed by a symmetric 5-tuple, in a
 * seeded hash (random seed at start-up, so nothing is ever output in bucket
 * order). The table owns every struct flow; others hold borrowed pointers
 * valid until the flow's end callback returns.
 *
 * Memory is budgeted, not per packet: flows live in slots of
 * sizeof(struct flow) + cfg.ext_size bytes, carved from chunks and recycled
 * through a free list. The extension area (the TCP session) sits right after
 * the flow in the same slot: flow_ext(). A flow allocation beyond
 * cfg.max_flows first evicts (embryonic idle first, then closed, then the
 * least recently active); if that fails the packet is counted untracked.
 *
 * Each flow is on exactly one timeout-class list, ordered by last activity,
 * so expiry pops list heads in O(1) and in a deterministic order.
 */

/* Canonical, direction-free key: (a, pa) <= (b, pb) in byte order. 40 bytes. */
struct flow_key {
    struct ip_addr a, b;
    uint16_t pa, pb;
    uint8_t ip_version;
    uint8_t proto;
    uint8_t pad[2];
};

/* Packet direction relative to the key: a->b is 0, b->a is 1. */
#define FLOW_DIR_AB 0
#define FLOW_DIR_BA 1

/* Timeout classes; each has its own idle timeout (configurable). */
enum flow_tclass {
    FLOW_TC_NEW = 0,      /* embryonic: handshake not complete */
    FLOW_TC_ESTABLISHED,  /* data phase */
    FLOW_TC_CLOSING,      /* one FIN seen / half-closed (CLOSE_WAIT lives here) */
    FLOW_TC_CLOSED,       /* TIME_WAIT / reset / both closed: held briefly for stragglers */
    FLOW_TC_COUNT
};

/* Why a flow record was written (Suricata flow.reason names). */
enum flow_end_reason {
    FLOW_END_NONE = 0,    /* not ended (flow_update records) */
    FLOW_END_TIMEOUT,     /* idle past its class timeout (incl. TIME_WAIT expiry) */
    FLOW_END_FORCED,      /* evicted to make room (--max-flows / --memcap) */
    FLOW_END_SHUTDOWN,    /* end of input or signal */
    FLOW_END_TCP_REUSE,   /* a new SYN reused the 5-tuple of a finished connection */
    FLOW_END_COUNT
};

/* flow.flags */
#define FLOW_F_ROLES_GUESSED 0x01 /* client/server from port heuristics, no SYN seen */
#define FLOW_F_ROLES_FROM_SYNACK 0x02 /* client inferred from a SYN-ACK (SYN missed) */

struct flow {
    /* table linkage: private to flow_table.c */
    struct flow *hnext;
    struct flow *lprev, *lnext;
    uint32_t hash;
    uint8_t tclass;        /* enum flow_tclass */
    uint8_t client_dir;    /* FLOW_DIR_* of client->server packets; set by the TCP layer */
    uint8_t flags;         /* FLOW_F_* */
    uint8_t ended;         /* non-zero from the end callback on (2: slot free; table-private) */

    struct flow_key key;
    uint64_t seq_no;       /* creation ordinal: stable output order */
    uint64_t first_pkt_no; /* 1-based packet number that created the flow */
    uint64_t first_ts_ns, last_ts_ns;
    uint32_t pkts[2];      /* by key direction */
    uint64_t bytes[2];     /* wire bytes, by key direction (EVE bytes_to*) */
    uint64_t ip_bytes[2];  /* IP bytes, by key direction (Zeek *_ip_bytes) */
    uint16_t tcp_flags[2]; /* OR of TCP flags, by key direction */
    uint16_t vlan[DECODE_MAX_VLAN]; /* from the first packet */
    uint8_t vlan_count;
    uint8_t tunnel_depth;
};

static inline void *
flow_ext(struct flow *f)
{
    return (void *)(f + 1);
}

static inline const void *
flow_ext_const(const struct flow *f)
{
    return (const void *)(f + 1);
}

/* Called for every flow that leaves the table; the flow is freed after it returns. */
typedef void (*flow_end_fn)(void *arg, struct flow *f, enum flow_end_reason why);

struct flow_table_cfg {
    size_t max_flows;          /* hard cap on live flows (0 = derive from memcap) */
    size_t memcap;             /* bytes for flow slots (0 = derive from max_flows) */
    size_t ext_size;           /* bytes of extension after each flow (TCP session) */
    /*
     * A range of the extension that is rarely touched (the TCP layer's kept
     * violation examples): flow_table_prefetch_flow() leaves it out, as every
     * line it fetches for nothing delays the others. 0, 0 = fetch it all.
     */
    size_t ext_cold_off, ext_cold_len;
    uint64_t timeout_ns[FLOW_TC_COUNT];
    flow_end_fn on_end;
    void *on_end_arg;
    uint64_t seed;             /* hash seed; 0 = random from getrandom() */
};

struct flow_table_stats {
    uint64_t created;          /* flow.tcp */
    uint64_t ended[FLOW_END_COUNT];         /* by reason (flowstate.flow.end.<reason>) */
    uint64_t ended_by_class[FLOW_TC_COUNT]; /* by class at the end (flow.end.state.<state>) */
    uint64_t evicted_by_class[FLOW_TC_COUNT];
    uint64_t memcap_hits;      /* a new flow found the table at its budget (flow.memcap) */
    uint64_t untracked;        /* packets dropped because no slot could be had */
    uint64_t active;           /* live flows now */
    uint64_t peak;             /* most live flows at once */
    uint64_t slot_bytes;       /* bytes per flow slot (struct flow + ext) */
    uint64_t chain_max;        /* longest hash chain walked */
};

/* Fills a config with defaults (timeouts: new 60 s, established 3600 s, closing 3600 s, closed 60 s). */
void flow_table_cfg_default(struct flow_table_cfg *cfg);

/* returns: owned, or NULL with err set (bad config). */
struct flow_table *flow_table_new(const struct flow_table_cfg *cfg, char *err);
/* Frees the table and all flows WITHOUT calling on_end (use flow_table_drain first). NULL ok. */
void flow_table_free(struct flow_table *t);

/* Builds the canonical key for a decoded TCP/UDP packet; *dir is the packet's direction. */
void flow_key_from_meta(const struct pkt_meta *m, struct flow_key *k, int *dir);
/* Seeded hash; symmetric because the key is canonical. */
uint32_t flow_key_hash(const struct flow_key *k, uint64_t seed);
bool flow_key_equal(const struct flow_key *x, const struct flow_key *y);
/*
 * The shard hash: which worker (--workers) or shard (--shard K/N) owns a
 * connection, as h mod N. Unseeded and fixed forever: SipHash-1-3 with the
 * key FLOW_SHARD_SEED over the same compact encoding as flow_key_hash, so it
 * is symmetric, the same on every host, run and release (doc/schema.md
 * gives the encoding; check_flow pins values). Not the table hash: that one
 * is seeded at random per run.
 */
#define FLOW_SHARD_SEED 0x666c6f7773746174ull /* "flowstat" */
uint32_t flow_key_shard_hash(const struct flow_key *k);

/*
 * Finds the flow for m, creating it (zeroed, ext zeroed, in FLOW_TC_NEW) if
 * absent. *dir gets the packet's key direction, *created whether it is new.
 * pkt_no is the packet's 1-based number (recorded on creation).
 * returns: borrowed, or NULL when the table is full and nothing could be
 * evicted (counted in stats.untracked).
 */
struct flow *flow_table_get(struct flow_table *t, const struct pkt_meta *m, uint64_t pkt_no,
                            int *dir, bool *created);

/*
 * Batched lookup, for callers that have several packets in hand (the engine
 * decodes a batch ahead). A lookup is memory-bound: bucket entry, chain, then
 * the flow slot, each a likely cache miss on a large table. Splitting it in
 * stages lets the caller issue the misses of many packets before it waits
 * for the first:
 *   flow_table_prepare()       key + hash (once per packet); prefetches the bucket
 *   flow_table_prefetch_head() reads the bucket; prefetches the chain head's key
 *   flow_table_prefetch_flow() walks the chain by hash; prefetches the flow's
 *                              whole slot (flow + ext) and its list neighbours
 *   flow_table_get_prepared()  the lookup proper (same contract as flow_table_get)
 * The prefetch stages are hints only: they read the table but change nothing,
 * so the table may change between them and the get (flows created or ended
 * by earlier packets); the get walks the chain again. A prepared lookup holds
 * values only and stays valid for the same packet whatever happens to the table.
 */
struct flow_lookup {
    struct flow_key key;
    uint32_t hash;
    int dir; /* FLOW_DIR_* of the packet */
    /* for flow_table_lookup_batch: the packet (borrowed) and its number */
    const struct pkt_meta *m;
    uint64_t pkt_no;
};

void flow_table_prepare(const struct flow_table *t, const struct pkt_meta *m,
                        struct flow_lookup *lk);
void flow_table_prefetch_head(const struct flow_table *t, const struct flow_lookup *lk);
void flow_table_prefetch_flow(const struct flow_table *t, const struct flow_lookup *lk);
/* As flow_table_get, for a packet prepared with flow_table_prepare(); *dir is lk->dir. */
struct flow *flow_table_get_prepared(struct flow_table *t, const struct flow_lookup *lk,
                                     const struct pkt_meta *m, uint64_t pkt_no, bool *created);

/* lk's hash from its key (set by flow_key_from_meta), and its bucket prefetched. */
void flow_table_prepare_key(const struct flow_table *t, struct flow_lookup *lk);

/*
 * The batch lookup: n prepared lookups at lk, lk + stride bytes, ...; each
 * has m and pkt_no set. Runs the two prefetch stages over the whole batch,
 * then, in order, for each i: the lookup proper (flow_table_get_prepared) and
 * fn(arg, i, f, created) with its result (f NULL: untracked). fn may end
 * flows and look up again (port reuse) before the next lookup runs.
 */
typedef void (*flow_batch_fn)(void *arg, size_t i, struct flow *f, bool created);
void flow_table_lookup_batch(struct flow_table *t, struct flow_lookup *lk, size_t stride,
                             size_t n, flow_batch_fn fn, void *arg);

/* Records activity at now_ns and moves f to the tail of class tc's list. */
void flow_table_touch(struct flow_table *t, struct flow *f, uint64_t now_ns,
                      enum flow_tclass tc);

/* Ends every flow idle past its class timeout at now_ns (on_end, then free). Returns the count. */
size_t flow_table_expire(struct flow_table *t, uint64_t now_ns);

/* Ends one flow now with the given reason (on_end, then free). */
void flow_table_end(struct flow_table *t, struct flow *f, enum flow_end_reason why);

/*
 * Ends every remaining flow with `why`, in creation order (seq_no), and
 * empties the table in one pass. on_end must not call into the table while
 * it runs (asserted).
 */
void flow_table_drain(struct flow_table *t, enum flow_end_reason why);

/* Calls fn for every live flow in creation order (snapshots, live updates). */
void flow_table_foreach(struct flow_table *t, void (*fn)(void *arg, struct flow *f), void *arg);

const struct flow_table_stats *flow_table_stats(const struct flow_table *t);
/*
 * Appends the flow counters: Suricata's "flow.tcp", "flow.active",
 * "flow.memcap" (times the budget was hit) and "flow.end.state.<state>",
 * and flowstate's own under "flowstate.flow.*" (util/stats.h).
 */
void flow_table_stats_export(const struct flow_table *t, struct stat_list *out);
/* The same from counters and configuration values (several tables' sum). */
void flow_table_stats_export_values(const struct flow_table_stats *s, size_t memcap,
                                    size_t max_flows, struct stat_list *out);
/* into += from for every counter; peak too (the caller replaces it with a global one). */
void flow_table_stats_add(struct flow_table_stats *into, const struct flow_table_stats *from);
/* The effective cap on live flows of t. */
size_t flow_table_max_flows(const struct flow_table *t);
/*
 * The cap a table made from cfg would have (max_flows and memcap with the
 * extension size), or 0 if the memcap holds no flow. For splitting one
 * budget over several tables.
 */
size_t flow_table_cfg_max_flows(const struct flow_table_cfg *cfg);

const char *flow_end_reason_name(enum flow_end_reason r);
const char *flow_tclass_name(enum flow_tclass c);

#endif
