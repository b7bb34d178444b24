/*
 * sha1: a small SHA-1 written from FIPS 180-4 (sections 5.1.1 padding,
 * 6.1.2 hash computation). Byte order is explicit (big-endian words built
 * with shifts), so the result does not depend on the host. Callers: the
 * Community ID code in src/flow/flow_ids.c. Never allocates.
 */
#include <config.h>

#include "sha1.h"

#include <string.h>

static uint32_t
rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32u - n));
}

static uint32_t
load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* FIPS 180-4 6.1.2: one round on v[] = a, b, c, d, e with f_t(b, c, d) already applied. */
static inline void
sha1_step(uint32_t v[5], uint32_t f, uint32_t k, uint32_t wt)
{
    uint32_t tmp = rol32(v[0], 5) + f + v[4] + k + wt;
    v[4] = v[3];
    v[3] = v[2];
    v[2] = rol32(v[1], 30);
    v[1] = v[0];
    v[0] = tmp;
}

/* FIPS 180-4 6.1.2: one 512-bit block. */
static void
sha1_block(uint32_t h[5], const uint8_t *blk)
{
    uint32_t w[80];
    for (unsigned t = 0; t < 16; t++)
        w[t] = load_be32(blk + 4 * t);
    for (unsigned t = 16; t < 80; t++)
        w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

    /*
     * One loop per 20-round stage rather than a branch per round: the
     * Community ID hashes one or two blocks per flow record, and the
     * branchy form showed at ~5% of -T eve profiles. v[] = a, b, c, d, e.
     */
    uint32_t v[5] = {h[0], h[1], h[2], h[3], h[4]};
    unsigned t;
    for (t = 0; t < 20; t++)
        sha1_step(v, (v[1] & v[2]) | (~v[1] & v[3]), 0x5a827999u, w[t]); /* Ch */
    for (; t < 40; t++)
        sha1_step(v, v[1] ^ v[2] ^ v[3], 0x6ed9eba1u, w[t]); /* Parity */
    for (; t < 60; t++)
        sha1_step(v, (v[1] & v[2]) | (v[1] & v[3]) | (v[2] & v[3]), 0x8f1bbcdcu, w[t]); /* Maj */
    for (; t < 80; t++)
        sha1_step(v, v[1] ^ v[2] ^ v[3], 0xca62c1d6u, w[t]); /* Parity */
    h[0] += v[0];
    h[1] += v[1];
    h[2] += v[2];
    h[3] += v[3];
    h[4] += v[4];
}

void
sha1_init(struct sha1_ctx *c)
{
    /* FIPS 180-4 5.3.1 initial hash value */
    c->h[0] = 0x67452301u;
    c->h[1] = 0xefcdab89u;
    c->h[2] = 0x98badcfeu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xc3d2e1f0u;
    c->total = 0;
    c->used = 0;
}

void
sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    c->total += len;
    if (c->used > 0) {
        size_t take = SHA1_BLOCK_LEN - c->used;
        if (take > len)
            take = len;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        len -= take;
        if (c->used < SHA1_BLOCK_LEN)
            return;
        sha1_block(c->h, c->block);
        c->used = 0;
    }
    while (len >= SHA1_BLOCK_LEN) {
        sha1_block(c->h, p);
        p += SHA1_BLOCK_LEN;
        len -= SHA1_BLOCK_LEN;
    }
    if (len > 0) {
        memcpy(c->block, p, len);
        c->used = len;
    }
}

void
sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN])
{
    /* FIPS 180-4 5.1.1: a 1 bit, zeros to 448 mod 512, then the 64-bit length in bits. */
    uint64_t bits = c->total * 8u;
    c->block[c->used++] = 0x80;
    if (c->used > SHA1_BLOCK_LEN - 8) {
        memset(c->block + c->used, 0, SHA1_BLOCK_LEN - c->used);
        sha1_block(c->h, c->block);
        c->used = 0;
    }
    memset(c->block + c->used, 0, SHA1_BLOCK_LEN - 8 - c->used);
    store_be32(c->block + 56, (uint32_t)(bits >> 32));
    store_be32(c->block + 60, (uint32_t)bits);
    sha1_block(c->h, c->block);
    for (unsigned i = 0; i < 5; i++)
        store_be32(out + 4 * i, c->h[i]);
    memset(c, 0, sizeof(*c));
}

void
sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_LEN])
{
    struct sha1_ctx c;
    sha1_init(&c);
    sha1_update(&c, data, len);
    sha1_final(&c, out);
}
