/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_key: the canonical, direction-free 5-tuple and its keyed hash.
 *
 * Invariants: a key is fully defined bytes (padding and the unused 12 bytes
 * of an IPv4 address are zero), and (a, pa) <= (b, pb) comparing the 16-byte
 * address with memcmp, then the port numerically. Both directions of a
 * connection therefore produce byte-identical keys, and any function of the
 * key bytes (the table hash, flow ids) is symmetric for free. IPv4 and IPv6
 * share one code path; ip_version is part of the key.
 *
 * The hash is SipHash-1-3 keyed from the table seed (random per run), so an
 * attacker who controls addresses and ports cannot aim packets at one bucket
 * (Suricata flow-hash.c, redis dict.c use seeded hashes for the same reason).
 * It runs once per packet, so it hashes a compact encoding of the key rather
 * than all 40 bytes (see flow_key_hash); the flow ids hash flow_key_bytes().
 * Equality compares every byte but the pad, and the compact encoding covers
 * every byte that can be non-zero, so equal keys hash equally and distinct
 * keys are distinct SipHash inputs. Callers: flow_table.c (per
 * packet), flow_ids.c (fixed keys).
 */
#include <config.h>

#include "flow.h"

#include <stddef.h>
#include <string.h>

#include "flow_private.h"
#include "util/siphash.h"

_Static_assert(sizeof(struct flow_key) == 40, "flow_key must be 40 bytes, no hidden padding");
/* flow_key_equal and flow_key_hash read these fields as runs of bytes. */
_Static_assert(offsetof(struct flow_key, b) == 16 && offsetof(struct flow_key, pa) == 32 &&
                   offsetof(struct flow_key, pb) == 34 &&
                   offsetof(struct flow_key, ip_version) == 36 &&
                   offsetof(struct flow_key, proto) == 37,
               "flow_key layout");

uint64_t
flow_siphash13(const uint8_t *p, size_t n, uint64_t k0, uint64_t k1)
{
    return siphash13(p, n, k0, k1);
}

uint64_t
flow_seed_mix(uint64_t seed)
{
    return siphash_seed_mix(seed);
}

static inline uint32_t
load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
load_be64(const uint8_t *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

/*
 * Addresses are handled as two big-endian 64-bit halves: comparing (hi, lo)
 * numerically is the memcmp order of the 16 bytes, without a library call
 * per packet. An IPv4 address keeps its first 4 bytes only (the mask), so
 * junk a caller left beyond them never reaches the key.
 */
void
flow_key_from_meta(const struct pkt_meta *m, struct flow_key *k, int *dir)
{
    bool v6 = m->ip_version == 6;
    uint64_t keep_hi = v6 ? ~UINT64_C(0) : UINT64_C(0xffffffff00000000);
    uint64_t keep_lo = v6 ? ~UINT64_C(0) : 0;
    uint64_t sh = load_be64(m->src.b) & keep_hi, sl = load_be64(m->src.b + 8) & keep_lo;
    uint64_t dh = load_be64(m->dst.b) & keep_hi, dl = load_be64(m->dst.b + 8) & keep_lo;
    uint16_t sp = m->sport, dp = m->dport;

    /* (a, pa) <= (b, pb): the source is a unless it orders after the destination */
    bool swap = sh != dh ? sh > dh : sl != dl ? sl > dl : sp > dp;
    if (swap) {
        uint64_t t = sh;
        sh = dh;
        dh = t;
        t = sl;
        sl = dl;
        dl = t;
        uint16_t tp = sp;
        sp = dp;
        dp = tp;
    }
    store_be64(k->a.b, sh);
    store_be64(k->a.b + 8, sl);
    store_be64(k->b.b, dh);
    store_be64(k->b.b + 8, dl);
    k->pa = sp;
    k->pb = dp;
    k->ip_version = m->ip_version;
    k->proto = m->l4_proto;
    k->pad[0] = 0;
    k->pad[1] = 0;
    *dir = swap ? FLOW_DIR_BA : FLOW_DIR_AB;
}

/*
 * The ports are serialised explicitly (big-endian) rather than hashed as
 * host-order struct bytes, so the hash of a key is host independent.
 */
void
flow_key_bytes(const struct flow_key *k, uint8_t out[40])
{
    memcpy(out, k->a.b, 16);
    memcpy(out + 16, k->b.b, 16);
    out[32] = (uint8_t)(k->pa >> 8);
    out[33] = (uint8_t)k->pa;
    out[34] = (uint8_t)(k->pb >> 8);
    out[35] = (uint8_t)k->pb;
    out[36] = k->ip_version;
    out[37] = k->proto;
    out[38] = 0;
    out[39] = 0;
}

/*
 * Table hash: SipHash-1-3 of a compact encoding of the key, not of its 40
 * bytes. The addresses are read in 4-byte columns, column i being bytes
 * 4i..4i+3 of a then of b (one 64-bit SipHash word per column); an IPv4 key
 * has only column 0 to hash (its other bytes are zero), an IPv6 key all four.
 * The last word holds pa, pb (numeric, little-endian), proto, ip_version and,
 * as in every SipHash, the input length. So one code path serves both
 * families, an IPv4 key costs 2 compression rounds instead of 5, and IPv4 vs
 * IPv6 keys differ in version and length. A key whose unused IPv4 bytes are
 * not zero (defrag.c copies all 16 address bytes, which after an IPv6 outer
 * header hold its bytes) hashes all four columns: equality compares those
 * bytes, so they must feed the hash too, or keys differing only there would
 * all land in one bucket.
 */
uint32_t
flow_key_hash(const struct flow_key *k, uint64_t seed)
{
    const uint8_t *a = k->a.b, *b = k->b.b;
    uint64_t k0 = seed, k1 = siphash_seed_mix(seed);
    struct sip_state s = {
        .v0 = k0 ^ 0x736f6d6570736575ull,
        .v1 = k1 ^ 0x646f72616e646f6dull,
        .v2 = k0 ^ 0x6c7967656e657261ull,
        .v3 = k1 ^ 0x7465646279746573ull,
    };
    /* bytes 4..15 of both addresses, host order: only tested against zero */
    uint32_t a4, b4;
    uint64_t a8, b8;
    memcpy(&a4, a + 4, 4);
    memcpy(&b4, b + 4, 4);
    memcpy(&a8, a + 8, 8);
    memcpy(&b8, b + 8, 8);
    unsigned ncols = k->ip_version == 6 || (a4 | b4 | a8 | b8) != 0 ? 4 : 1;
    for (unsigned i = 0; i < ncols; i++) {
        uint64_t m = (uint64_t)load_le32(a + 4 * i) | (uint64_t)load_le32(b + 4 * i) << 32;
        s.v3 ^= m;
        sip_round(&s);
        s.v0 ^= m;
    }
    uint64_t len = 8u * ncols + 6u;
    uint64_t last = (uint64_t)k->pa | (uint64_t)k->pb << 16 | (uint64_t)k->proto << 32 |
                    (uint64_t)k->ip_version << 40 | len << 56;
    s.v3 ^= last;
    sip_round(&s);
    s.v0 ^= last;
    s.v2 ^= 0xff;
    sip_round(&s);
    sip_round(&s);
    sip_round(&s);
    uint64_t h = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    return (uint32_t)(h ^ (h >> 32));
}

uint32_t
flow_key_shard_hash(const struct flow_key *k)
{
    return flow_key_hash(k, FLOW_SHARD_SEED);
}

/*
 * Called per packet in the chain walk, normally once (a 32-bit hash match
 * comes first). Word loads (memcpy: no alignment or aliasing assumption) and
 * one test instead of two memcmp calls; host byte order is fine for equality.
 * The pad is not compared.
 */
bool
flow_key_equal(const struct flow_key *x, const struct flow_key *y)
{
    uint64_t xa[4], ya[4];
    uint32_t xp, yp;
    uint16_t xv, yv;
    memcpy(xa, x->a.b, 16);
    memcpy(xa + 2, x->b.b, 16);
    memcpy(ya, y->a.b, 16);
    memcpy(ya + 2, y->b.b, 16);
    memcpy(&xp, &x->pa, 4); /* pa, pb */
    memcpy(&yp, &y->pa, 4);
    memcpy(&xv, &x->ip_version, 2); /* ip_version, proto */
    memcpy(&yv, &y->ip_version, 2);
    uint64_t d = (xa[0] ^ ya[0]) | (xa[1] ^ ya[1]) | (xa[2] ^ ya[2]) | (xa[3] ^ ya[3]);
    return (d | (xp ^ yp) | (uint32_t)(xv ^ yv)) == 0;
}
