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
 * Callers: flow_table.c (per packet), flow_ids.c (fixed keys).
 */
#include <config.h>

#include "flow.h"

#include <string.h>

#include "flow_private.h"

_Static_assert(sizeof(struct flow_key) == 40, "flow_key must be 40 bytes, no hidden padding");

/*
 * The helpers are static inline: flow_siphash13 runs once per packet and an
 * out-of-line sip_round (four calls per hash) showed at ~2% of profiles.
 * Same algorithm and output, only the call overhead goes.
 */
static inline uint64_t
load_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static inline uint64_t
rol64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64u - n));
}

struct sip_state {
    uint64_t v0, v1, v2, v3;
};

static inline void
sip_round(struct sip_state *s)
{
    s->v0 += s->v1;
    s->v1 = rol64(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rol64(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rol64(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = rol64(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = rol64(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rol64(s->v2, 32);
}

uint64_t
flow_siphash13(const uint8_t *p, size_t n, uint64_t k0, uint64_t k1)
{
    struct sip_state s = {
        .v0 = k0 ^ 0x736f6d6570736575ull,
        .v1 = k1 ^ 0x646f72616e646f6dull,
        .v2 = k0 ^ 0x6c7967656e657261ull,
        .v3 = k1 ^ 0x7465646279746573ull,
    };
    size_t left = n;
    while (left >= 8) {
        uint64_t m = load_le64(p);
        s.v3 ^= m;
        sip_round(&s);
        s.v0 ^= m;
        p += 8;
        left -= 8;
    }
    /* last word: remaining bytes, length in the top byte */
    uint64_t b = (uint64_t)(n & 0xff) << 56;
    for (size_t i = 0; i < left; i++)
        b |= (uint64_t)p[i] << (8 * i);
    s.v3 ^= b;
    sip_round(&s);
    s.v0 ^= b;
    s.v2 ^= 0xff;
    sip_round(&s);
    sip_round(&s);
    sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t
flow_seed_mix(uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Orders endpoints by address bytes, then port. Returns <0, 0, >0. */
static int
endpoint_cmp(const struct ip_addr *x, uint16_t px, const struct ip_addr *y, uint16_t py)
{
    int c = memcmp(x->b, y->b, sizeof(x->b));
    if (c != 0)
        return c;
    return (px > py) - (px < py);
}

void
flow_key_from_meta(const struct pkt_meta *m, struct flow_key *k, int *dir)
{
    struct ip_addr src, dst;
    /* IPv4 uses 4 bytes; zero the rest even if a caller left junk there. */
    size_t alen = m->ip_version == 6 ? sizeof(src.b) : 4;

    memset(k, 0, sizeof(*k));
    memset(&src, 0, sizeof(src));
    memset(&dst, 0, sizeof(dst));
    memcpy(src.b, m->src.b, alen);
    memcpy(dst.b, m->dst.b, alen);

    k->ip_version = m->ip_version;
    k->proto = m->l4_proto;
    if (endpoint_cmp(&src, m->sport, &dst, m->dport) <= 0) {
        k->a = src;
        k->pa = m->sport;
        k->b = dst;
        k->pb = m->dport;
        *dir = FLOW_DIR_AB;
    } else {
        k->a = dst;
        k->pa = m->dport;
        k->b = src;
        k->pb = m->sport;
        *dir = FLOW_DIR_BA;
    }
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

uint32_t
flow_key_hash(const struct flow_key *k, uint64_t seed)
{
    uint8_t buf[40];
    flow_key_bytes(k, buf);
    uint64_t h = flow_siphash13(buf, sizeof(buf), seed, flow_seed_mix(seed));
    return (uint32_t)(h ^ (h >> 32));
}

bool
flow_key_equal(const struct flow_key *x, const struct flow_key *y)
{
    return x->pa == y->pa && x->pb == y->pb && x->ip_version == y->ip_version &&
           x->proto == y->proto && memcmp(x->a.b, y->a.b, 16) == 0 &&
           memcmp(x->b.b, y->b.b, 16) == 0;
}
