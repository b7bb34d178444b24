/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sha1: a small SHA-1 written from FIPS 180-4 (sections 5.1.1 padding,
 * 6.1.2 hash computation). Byte order is explicit (big-endian words built
 * with shifts), so the result does not depend on the host. Callers: the
 * Community ID code in src/flow/flow_ids.c (one call per flow record, at most
 * 40 bytes: always a single padded block). Never allocates.
 *
 * Two block functions compute the same thing: a portable one in plain C, and
 * one using the x86 SHA extensions (SHA-NI: sha1rnds4 does four rounds, the
 * sha1msg instructions the message schedule), several times faster. The
 * choice is made once, on first use, from CPUID; the portable code stays the
 * reference, and the unit tests run both on the same inputs (sha1_impl_select).
 * The choice is one relaxed atomic int: flowstate is single-threaded, but a
 * racing first use would only store the same value twice.
 */
#include <config.h>

#include "sha1.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHA1_HAVE_SHANI 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define SHA1_HAVE_SHANI 0
#endif

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
sha1_block_portable(uint32_t h[5], const uint8_t *blk)
{
    uint32_t w[80];
    for (unsigned t = 0; t < 16; t++)
        w[t] = load_be32(blk + 4 * t);
    for (unsigned t = 16; t < 80; t++)
        w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

    /*
     * One loop per 20-round stage rather than a branch per round: the
     * Community ID hashes one block per flow record, and the branchy form
     * showed at ~5% of -T eve profiles. v[] = a, b, c, d, e.
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

static void
sha1_blocks_portable(uint32_t h[5], const uint8_t *p, size_t nblocks)
{
    for (size_t i = 0; i < nblocks; i++)
        sha1_block_portable(h, p + SHA1_BLOCK_LEN * i);
}

#if SHA1_HAVE_SHANI
/*
 * The same computation with the SHA extensions. Register layout (Intel's SHA
 * extensions paper): abcd holds a in the top 32-bit lane down to d in the
 * bottom one; e lives in the top lane of its own register; each w[i] holds
 * message words W[4i] (top lane) .. W[4i+3]. sha1rnds4(abcd, x, f) runs four
 * rounds of stage f with x = W[4i] + e, W[4i+1], W[4i+2], W[4i+3]; the e of
 * the next group is a of the group before, rotated left 30 (sha1nexte adds it
 * to the top lane of the next message words). The message schedule of
 * FIPS 180-4 6.1.2 step 1, four words at a time:
 *   w[i] = sha1msg2(sha1msg1(w[i-4], w[i-3]) ^ w[i-2], w[i-1])
 * sha1msg1 gives W[t-16] ^ W[t-14], the xor adds W[t-8], sha1msg2 adds W[t-3]
 * (including the words computed within the same group) and rotates by one.
 * The round immediates must be literals, hence one loop per stage.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void
sha1_blocks_shani(uint32_t h[5], const uint8_t *p, size_t nblocks)
{
    /* Reverses all 16 bytes: each word becomes big-endian and W[4i] lands in the top lane. */
    const __m128i bswap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)h), 0x1b);
    __m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0);

    for (size_t b = 0; b < nblocks; b++, p += SHA1_BLOCK_LEN) {
        __m128i w[20];
        for (unsigned i = 0; i < 4; i++)
            w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)),
                                    bswap);
        for (unsigned i = 4; i < 20; i++)
            w[i] = _mm_sha1msg2_epu32(
                _mm_xor_si128(_mm_sha1msg1_epu32(w[i - 4], w[i - 3]), w[i - 2]), w[i - 1]);

        const __m128i abcd_in = abcd, e_in = e0;
        __m128i prev = abcd; /* abcd before the last group: its a is the next group's e */
        abcd = _mm_sha1rnds4_epu32(abcd, _mm_add_epi32(e0, w[0]), 0);
        unsigned i;
        for (i = 1; i < 5; i++) {
            __m128i x = _mm_sha1nexte_epu32(prev, w[i]);
            prev = abcd;
            abcd = _mm_sha1rnds4_epu32(abcd, x, 0); /* Ch */
        }
        for (; i < 10; i++) {
            __m128i x = _mm_sha1nexte_epu32(prev, w[i]);
            prev = abcd;
            abcd = _mm_sha1rnds4_epu32(abcd, x, 1); /* Parity */
        }
        for (; i < 15; i++) {
            __m128i x = _mm_sha1nexte_epu32(prev, w[i]);
            prev = abcd;
            abcd = _mm_sha1rnds4_epu32(abcd, x, 2); /* Maj */
        }
        for (; i < 20; i++) {
            __m128i x = _mm_sha1nexte_epu32(prev, w[i]);
            prev = abcd;
            abcd = _mm_sha1rnds4_epu32(abcd, x, 3); /* Parity */
        }
        /* FIPS 180-4 6.1.2 step 4: add the working variables to the hash value. */
        e0 = _mm_sha1nexte_epu32(prev, e_in);
        abcd = _mm_add_epi32(abcd, abcd_in);
    }
    _mm_storeu_si128((__m128i *)(void *)h, _mm_shuffle_epi32(abcd, 0x1b));
    h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

/* CPUID leaf 7 EBX bit 29 (SHA), leaf 1 ECX SSSE3 and SSE4.1: what the target attribute uses. */
static bool
cpu_has_shani(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || (c & bit_SSSE3) == 0 || (c & bit_SSE4_1) == 0)
        return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return false;
    return (b & bit_SHA) != 0;
}
#else
static bool
cpu_has_shani(void)
{
    return false;
}
#endif

/* SHA1_IMPL_AUTO (0) until the first use picks one. */
static atomic_int sha1_impl_cur = SHA1_IMPL_AUTO;

bool
sha1_impl_supported(enum sha1_impl impl)
{
    switch (impl) {
    case SHA1_IMPL_AUTO:
    case SHA1_IMPL_PORTABLE:
        return true;
    case SHA1_IMPL_SHANI:
        return cpu_has_shani();
    }
    return false;
}

int
sha1_impl_select(enum sha1_impl impl)
{
    if (impl == SHA1_IMPL_AUTO)
        impl = cpu_has_shani() ? SHA1_IMPL_SHANI : SHA1_IMPL_PORTABLE;
    else if (!sha1_impl_supported(impl))
        return -1;
    atomic_store_explicit(&sha1_impl_cur, (int)impl, memory_order_relaxed);
    return 0;
}

enum sha1_impl
sha1_impl_active(void)
{
    int cur = atomic_load_explicit(&sha1_impl_cur, memory_order_relaxed);
    if (cur == SHA1_IMPL_AUTO) {
        cur = cpu_has_shani() ? SHA1_IMPL_SHANI : SHA1_IMPL_PORTABLE;
        atomic_store_explicit(&sha1_impl_cur, cur, memory_order_relaxed);
    }
    return (enum sha1_impl)cur;
}

/* Hashes nblocks whole 64-byte blocks into h with the selected implementation. */
static void
sha1_blocks(uint32_t h[5], const uint8_t *p, size_t nblocks)
{
#if SHA1_HAVE_SHANI
    if (sha1_impl_active() == SHA1_IMPL_SHANI) {
        sha1_blocks_shani(h, p, nblocks);
        return;
    }
#endif
    sha1_blocks_portable(h, p, nblocks);
}

static void
sha1_h_init(uint32_t h[5])
{
    /* FIPS 180-4 5.3.1 initial hash value */
    h[0] = 0x67452301u;
    h[1] = 0xefcdab89u;
    h[2] = 0x98badcfeu;
    h[3] = 0x10325476u;
    h[4] = 0xc3d2e1f0u;
}

void
sha1_init(struct sha1_ctx *c)
{
    sha1_h_init(c->h);
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
        sha1_blocks(c->h, c->block, 1);
        c->used = 0;
    }
    if (len >= SHA1_BLOCK_LEN) {
        size_t nb = len / SHA1_BLOCK_LEN;
        sha1_blocks(c->h, p, nb);
        p += nb * SHA1_BLOCK_LEN;
        len -= nb * SHA1_BLOCK_LEN;
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
        sha1_blocks(c->h, c->block, 1);
        c->used = 0;
    }
    memset(c->block + c->used, 0, SHA1_BLOCK_LEN - 8 - c->used);
    store_be32(c->block + 56, (uint32_t)(bits >> 32));
    store_be32(c->block + 60, (uint32_t)bits);
    sha1_blocks(c->h, c->block, 1);
    for (unsigned i = 0; i < 5; i++)
        store_be32(out + 4 * i, c->h[i]);
    memset(c, 0, sizeof(*c));
}

/*
 * One-shot. Inputs that fit one padded block (at most 55 bytes: every
 * Community ID input) are framed here directly, without the streaming
 * context's copies and the final wipe.
 */
void
sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_LEN])
{
    if (len > SHA1_BLOCK_LEN - 9) {
        struct sha1_ctx c;
        sha1_init(&c);
        sha1_update(&c, data, len);
        sha1_final(&c, out);
        return;
    }
    /* FIPS 180-4 5.1.1: the message, a 1 bit, zeros, then the 64-bit length in bits. */
    uint8_t blk[SHA1_BLOCK_LEN];
    uint32_t h[5];
    uint64_t bits = (uint64_t)len * 8u;
    if (len > 0)
        memcpy(blk, data, len);
    blk[len] = 0x80;
    memset(blk + len + 1, 0, SHA1_BLOCK_LEN - 8 - (len + 1));
    store_be32(blk + 56, (uint32_t)(bits >> 32));
    store_be32(blk + 60, (uint32_t)bits);
    sha1_h_init(h);
    sha1_blocks(h, blk, 1);
    for (unsigned i = 0; i < 5; i++)
        store_be32(out + 4 * i, h[i]);
}
