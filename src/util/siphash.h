/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_SIPHASH_H
#define FLOWSTATE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * SipHash-1-3 (one compression round per 8-byte word, three finalisation
 * rounds) over n bytes with the 128-bit key (k0, k1), and a mixer that
 * derives the second key word from a 64-bit seed (splitmix64's finaliser).
 * Little-endian word loads built with shifts, so values are the same on every
 * host. Used by the flow table, the flow ids and the IP defragmenter.
 */

/*
 * The helpers are static inline: siphash13 runs once per packet and an
 * out-of-line sip_round (four calls per hash) showed at ~2% of profiles.
 * Same algorithm and output, only the call overhead goes.
 */
static inline uint64_t
sip_load_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static inline uint64_t
sip_rol64(uint64_t x, unsigned n)
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
    s->v1 = sip_rol64(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = sip_rol64(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = sip_rol64(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = sip_rol64(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = sip_rol64(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = sip_rol64(s->v2, 32);
}

static inline uint64_t
siphash13(const uint8_t *p, size_t n, uint64_t k0, uint64_t k1)
{
    struct sip_state s = {
        .v0 = k0 ^ 0x736f6d6570736575ull,
        .v1 = k1 ^ 0x646f72616e646f6dull,
        .v2 = k0 ^ 0x6c7967656e657261ull,
        .v3 = k1 ^ 0x7465646279746573ull,
    };
    size_t left = n;
    while (left >= 8) {
        uint64_t m = sip_load_le64(p);
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

static inline uint64_t
siphash_seed_mix(uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif
