/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_FLOW_PRIVATE_H
#define FLOWSTATE_FLOW_PRIVATE_H

/*
 * Fields shared between the flow module's own files (and its unit tests),
 * never included outside src/flow/ and tests/unit/check_flow.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/*
 * SipHash-1-3 (one compression round per 8-byte word, three finalisation
 * rounds) over n bytes with the 128-bit key (k0, k1). Little-endian word
 * loads built with shifts, so values are the same on every host; the table
 * hash and the deterministic flow ids both rely on that.
 */
uint64_t flow_siphash13(const uint8_t *p, size_t n, uint64_t k0, uint64_t k1);

/* Derives the second SipHash key word from a 64-bit seed (splitmix64 finaliser). */
uint64_t flow_seed_mix(uint64_t seed);

/* v big-endian at p. Written out byte by byte: GCC merges this into one store; it did not merge the loop form. */
static inline void
store_be64(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)(v >> 56);
    p[1] = (uint8_t)(v >> 48);
    p[2] = (uint8_t)(v >> 40);
    p[3] = (uint8_t)(v >> 32);
    p[4] = (uint8_t)(v >> 24);
    p[5] = (uint8_t)(v >> 16);
    p[6] = (uint8_t)(v >> 8);
    p[7] = (uint8_t)v;
}

/* Host-independent serialisation of a key (ports big-endian), the input of every key hash. */
void flow_key_bytes(const struct flow_key *k, uint8_t out[40]);

/*
 * Slot layout: a private creation-order link, then the public struct flow,
 * then cfg.ext_size bytes of extension (flow_ext() == f + 1). The creation
 * list makes drain/foreach O(n) and seed-independent without sorting.
 */
struct flow_slot {
    struct flow_slot *cprev, *cnext;
    struct flow f;
};

/* flow.ended of a slot on the free list (1 is the end callback running, still hashed). */
#define FLOW_SLOT_FREE 2

#define FLOW_CHUNK_SLOTS 4096u
/* The bucket array starts this small and doubles with the live flow count. */
#define FLOW_MIN_BUCKETS 1024u
#define FLOW_MAX_FLOWS_LIMIT ((size_t)1 << 31) /* bucket index comes from a 32-bit hash */
#define FLOW_MAX_EXT_SIZE ((size_t)1 << 20)
#define FLOW_DEFAULT_MAX_FLOWS 1000000u

struct flow_due;

struct flow_table {
    struct flow_table_cfg cfg;
    size_t max_flows;           /* effective cap */
    size_t slot_bytes;          /* stride of one slot, rounded to 16 */
    size_t cold_lo, cold_hi;    /* slot bytes flow_table_prefetch_flow() skips (cfg.ext_cold_*) */
    uint64_t seed;              /* effective hash seed (never 0) */

    /*
     * The bucket array grows (doubling, rehash at once) to keep the load
     * factor <= 1 for the live flows, up to max_buckets: a table sized for
     * --max-flows up front is mostly empty buckets whose cache misses every
     * lookup pays (8 MiB for the default million flows).
     */
    struct flow **buckets;
    size_t nbuckets;            /* power of two, <= max_buckets */
    size_t max_buckets;         /* power of two, >= max_flows */
    uint32_t mask;
    bool grow_failed;           /* an allocation failed: keep the current size */

    uint8_t **chunks;           /* lazily carved slot memory */
    size_t nchunks, chunks_cap;
    size_t carved;              /* slots handed out from chunks so far */
    struct flow *free_head;     /* recycled slots, linked through hnext */

    struct flow *lhead[FLOW_TC_COUNT], *ltail[FLOW_TC_COUNT];
    struct flow_slot *chead, *ctail; /* creation order */

    uint64_t next_seq;
    struct flow_due *due;       /* flow_table_expire's scratch: the flows due, sorted */
    size_t due_cap;
    bool draining;              /* flow_table_drain() is reporting: no other call may change the table */
    struct flow_table_stats st;
};

#endif
