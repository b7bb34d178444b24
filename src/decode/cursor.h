/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_CURSOR_H
#define FLOWSTATE_CURSOR_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * The one bounds-checked reader of packet bytes (STYLE.md section 4). No other
 * file indexes packet memory. A read past the end returns 0, sets `overrun`
 * and empties the cursor; overrun is sticky, so a decoder reads a whole header
 * field by field and tests once. All multi-byte reads are big-endian (network
 * order) unless named _le.
 */
struct cursor {
    const uint8_t *p;
    size_t left;
    bool overrun;
};

static inline struct cursor
cursor_make(const uint8_t *p, size_t len)
{
    struct cursor c = {p, len, false};

    return c;
}

/*
 * Invariant: overrun implies left == 0 (every path that sets overrun empties
 * the cursor, and nothing grows `left`). So for n >= 1 the one compare
 * `left < n` also catches an earlier overrun; with a constant n the second
 * test folds away and each read below is one compare, one load, one swap.
 * n == 0 on an overrun cursor still fails, as it always did.
 */
static inline bool
cursor_need(struct cursor *c, size_t n)
{
    if (c->left < n || (n == 0 && c->overrun)) {
        c->overrun = true;
        c->left = 0;
        return false;
    }
    return true;
}

static inline size_t
cursor_left(const struct cursor *c)
{
    return c->left;
}

static inline uint8_t
cursor_u8(struct cursor *c)
{
    uint8_t v;

    if (!cursor_need(c, 1))
        return 0;
    v = c->p[0];
    c->p += 1;
    c->left -= 1;
    return v;
}

static inline uint16_t
cursor_be16(struct cursor *c)
{
    uint16_t v;

    if (!cursor_need(c, 2))
        return 0;
    v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
    c->p += 2;
    c->left -= 2;
    return v;
}

static inline uint16_t
cursor_le16(struct cursor *c)
{
    uint16_t v;

    if (!cursor_need(c, 2))
        return 0;
    v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
    c->p += 2;
    c->left -= 2;
    return v;
}

static inline uint32_t
cursor_be24(struct cursor *c)
{
    uint32_t v;

    if (!cursor_need(c, 3))
        return 0;
    v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
    c->p += 3;
    c->left -= 3;
    return v;
}

static inline uint32_t
cursor_be32(struct cursor *c)
{
    uint32_t v;

    if (!cursor_need(c, 4))
        return 0;
    v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
    c->p += 4;
    c->left -= 4;
    return v;
}

static inline uint32_t
cursor_le32(struct cursor *c)
{
    uint32_t v;

    if (!cursor_need(c, 4))
        return 0;
    v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[1] << 8 | c->p[0];
    c->p += 4;
    c->left -= 4;
    return v;
}

/* Copies n bytes out (addresses); on overrun `dst` is zeroed. */
static inline void
cursor_copy(struct cursor *c, void *dst, size_t n)
{
    uint8_t *d = dst;

    if (!cursor_need(c, n)) {
        if (n != 0)
            memset(d, 0, n);
        return;
    }
    if (n != 0)
        memcpy(d, c->p, n);
    c->p += n;
    c->left -= n;
}

static inline void
cursor_skip(struct cursor *c, size_t n)
{
    if (!cursor_need(c, n))
        return;
    c->p += n;
    c->left -= n;
}

/*
 * Splits off the next n bytes as their own cursor (options, an inner header)
 * and advances c past them. If fewer than n remain, the sub-cursor gets what
 * is left and c is marked overrun.
 */
static inline struct cursor
cursor_sub(struct cursor *c, size_t n)
{
    struct cursor s;

    if (c->overrun) {
        s = cursor_make(c->p, 0);
        s.overrun = true;
        return s;
    }
    if (c->left < n) {
        s = cursor_make(c->p, c->left);
        c->p += c->left;
        c->left = 0;
        c->overrun = true;
        return s;
    }
    s = cursor_make(c->p, n);
    c->p += n;
    c->left -= n;
    return s;
}

/* Limits c to its first n bytes (e.g. the IP total length); never grows it. */
static inline void
cursor_limit(struct cursor *c, size_t n)
{
    if (n < c->left)
        c->left = n;
}

/*
 * Spans: one bounds check for a whole header. cursor_take() lends the next n
 * bytes as a span and advances past them; cursor_peek_span() lends n bytes
 * `off` ahead without consuming. The span_* readers then read at offsets
 * inside the span with no further test against the packet: the span's
 * length was checked once, and each reader assert()s its offset against it,
 * so a wrong offset is a decoder bug caught in debug/CI builds, never an
 * over-read driven by packet contents. With the constant offsets of a
 * fixed-size header the asserts fold away and each read is a single load
 * (plus a byte swap). This is how tcpdump's ND_TCHECK_LEN + GET_ macros and
 * Suricata's "len >= sizeof(hdr)" checks keep one test per header.
 *
 * A span is borrowed from the cursor's buffer: valid as long as that is.
 */
struct span {
    const uint8_t *p;
    size_t len;
};

/* The checksum helpers must inline for constant sizes to fold (gcc and clang). */
#if defined(__GNUC__)
#define CURSOR_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define CURSOR_ALWAYS_INLINE inline
#endif

/* Lends the next n bytes and consumes them; on shortage behaves like any read (overrun). */
static inline bool
cursor_take(struct cursor *c, size_t n, struct span *s)
{
    if (!cursor_need(c, n))
        return false;
    s->p = c->p;
    s->len = n;
    c->p += n;
    c->left -= n;
    return true;
}

/* Lends the n bytes `off` ahead without consuming; false (never overrun) if not all there. */
static inline bool
cursor_peek_span(const struct cursor *c, size_t off, size_t n, struct span *s)
{
    if (c->overrun || off > c->left || n > c->left - off)
        return false;
    s->p = c->p + off;
    s->len = n;
    return true;
}

/* The n bytes at `off` inside s, as a span of their own. */
static inline struct span
span_sub(struct span s, size_t off, size_t n)
{
    struct span r;

    assert(off <= s.len && n <= s.len - off);
    r.p = s.p + off;
    r.len = n;
    return r;
}

static inline uint8_t
span_u8(struct span s, size_t off)
{
    assert(off < s.len);
    return s.p[off];
}

static inline uint16_t
span_be16(struct span s, size_t off)
{
    assert(s.len >= 2 && off <= s.len - 2);
    return (uint16_t)((unsigned)s.p[off] << 8 | s.p[off + 1]);
}

static inline uint32_t
span_be32(struct span s, size_t off)
{
    assert(s.len >= 4 && off <= s.len - 4);
    return (uint32_t)s.p[off] << 24 | (uint32_t)s.p[off + 1] << 16 | (uint32_t)s.p[off + 2] << 8 |
           s.p[off + 3];
}

/* Copies n bytes at `off` out of the span (addresses). */
static inline void
span_copy(struct span s, size_t off, void *dst, size_t n)
{
    assert(off <= s.len && n <= s.len - off);
    if (n != 0)
        memcpy(dst, s.p + off, n);
}

/* True on little-endian hosts; folds to a constant. */
static inline bool
cursor_host_is_le(void)
{
    const uint16_t one = 1;
    uint8_t first;

    memcpy(&first, &one, 1);
    return first == 1;
}

/* a + b with the carry out of bit 63 added back in (one's-complement addition, RFC 1071 2(A)). */
static CURSOR_ALWAYS_INLINE uint64_t
csum_add64(uint64_t a, uint64_t b)
{
    a += b;
    return a + (a < b);
}

/*
 * Adds the span's bytes to a one's-complement accumulator (RFC 1071) kept in
 * native byte order over 64 bits; csum_fold() turns it into the 16-bit sum.
 * Spans added one after the other must each have an even length but the
 * last (a sum over several pieces is the sum over their concatenation).
 *
 * Speed: 8 bytes per add, native-order 64-bit loads (memcpy: no alignment or
 * aliasing assumptions) added with end-around carry (add + adc), unrolled by
 * four. Always inlined: for the fixed-size spans of headers and addresses the
 * loops then fold away into straight-line adds. RFC 1071 2(B)/(C): the sum
 * is independent of byte order up to a final swap, and of word size once
 * folded, because 2^16 == 1 modulo 0xffff. Every word starts at an even
 * offset from the span's start, so the address's own alignment does not
 * matter.
 */
static CURSOR_ALWAYS_INLINE uint64_t
span_acc(struct span s, uint64_t acc)
{
    const uint8_t *p = s.p;
    size_t n = s.len;
    uint64_t w0, w1, w2, w3;
    uint32_t w32;
    uint16_t w16;

    for (; n >= 32; n -= 32, p += 32) {
        memcpy(&w0, p, 8);
        memcpy(&w1, p + 8, 8);
        memcpy(&w2, p + 16, 8);
        memcpy(&w3, p + 24, 8);
        acc = csum_add64(acc, w0);
        acc = csum_add64(acc, w1);
        acc = csum_add64(acc, w2);
        acc = csum_add64(acc, w3);
    }
    for (; n >= 8; n -= 8, p += 8) {
        memcpy(&w0, p, 8);
        acc = csum_add64(acc, w0);
    }
    if (n & 4) {
        memcpy(&w32, p, 4);
        acc = csum_add64(acc, w32);
        p += 4;
    }
    if (n & 2) {
        memcpy(&w16, p, 2);
        acc = csum_add64(acc, w16);
        p += 2;
    }
    if (n & 1) {
        w16 = 0;
        memcpy(&w16, p, 1); /* first byte of a word: high-order on the wire */
        acc = csum_add64(acc, w16);
    }
    return acc;
}

/*
 * Folds a span_acc() accumulator to 16 bits, in network byte order, and adds
 * `sum` (a value in network order, up to 32 bits). The result is 0 only if
 * every byte summed and `sum` are zero; otherwise it is in 1..0xffff (so a
 * region with a correct checksum gives 0xffff, never 0).
 */
static CURSOR_ALWAYS_INLINE uint32_t
csum_fold(uint64_t acc, uint32_t sum)
{
    uint32_t lo, hi, s;
    uint16_t r;

    /* `sum` joins the native-order accumulator byte-reversed (RFC 1071 2(B)) */
    if (cursor_host_is_le())
        sum = sum >> 24 | (sum >> 8 & 0xff00u) | (sum << 8 & 0xff0000u) | sum << 24;
    acc = csum_add64(acc, sum);
    /* 64 -> 32 bits with end-around carry */
    lo = (uint32_t)acc;
    hi = (uint32_t)(acc >> 32);
    s = lo + hi;
    s += s < hi;
    /* 32 -> 16: the high half of s + rotate(s, 16) is hi16 + lo16 with the
     * carry out of the low half added back in */
    r = (uint16_t)((s + (s << 16 | s >> 16)) >> 16);
    if (cursor_host_is_le())
        r = (uint16_t)(r << 8 | r >> 8);
    return r;
}

/*
 * One's-complement sum of the span's bytes as 16-bit big-endian words (RFC
 * 1071), an odd last byte padded with a zero byte, plus `sum`; folded to 16
 * bits, not complemented. See csum_fold() for the range.
 */
static CURSOR_ALWAYS_INLINE uint32_t
span_sum(struct span s, uint32_t sum)
{
    return csum_fold(span_acc(s, 0), sum);
}

/*
 * One's-complement sum of the next n bytes without consuming them (RFC 1071),
 * for checksum verification. *sum is added to and returned folded to 16 bits
 * (not complemented). Returns false (and sums nothing) if fewer than n bytes
 * remain. See span_sum().
 */
static inline bool
cursor_peek_sum(const struct cursor *c, size_t n, uint32_t *sum)
{
    struct span s;

    if (!cursor_peek_span(c, 0, n, &s))
        return false;
    *sum = span_sum(s, *sum);
    return true;
}

/*
 * Reads the byte `off` bytes ahead without consuming anything (an IP version
 * nibble, a tunnel's first byte). Returns false if it is not there; never
 * sets overrun.
 */
static inline bool
cursor_peek_u8(const struct cursor *c, size_t off, uint8_t *v)
{
    if (off >= c->left) /* overrun: left is 0 */
        return false;
    *v = c->p[off];
    return true;
}

/* Reads a big-endian 16-bit value `off` bytes ahead without consuming anything. */
static inline bool
cursor_peek_be16(const struct cursor *c, size_t off, uint16_t *v)
{
    if (c->left < 2 || off > c->left - 2) /* overrun: left is 0 */
        return false;
    *v = (uint16_t)((unsigned)c->p[off] << 8 | c->p[off + 1]);
    return true;
}

/*
 * Copies n bytes starting `off` bytes ahead without consuming anything.
 * Returns false (dst untouched) if they are not all there.
 */
static inline bool
cursor_peek_copy(const struct cursor *c, size_t off, void *dst, size_t n)
{
    if (c->overrun || off > c->left || n > c->left - off)
        return false;
    if (n != 0)
        memcpy(dst, c->p + off, n);
    return true;
}

/* True if the n bytes `off` bytes ahead are all there and equal those at b. */
static inline bool
cursor_peek_equal(const struct cursor *c, size_t off, const void *b, size_t n)
{
    if (c->overrun || off > c->left || n > c->left - off)
        return false;
    return n == 0 || memcmp(c->p + off, b, n) == 0;
}

/* Reads a big-endian 32-bit value `off` bytes ahead without consuming anything. */
static inline bool
cursor_peek_be32(const struct cursor *c, size_t off, uint32_t *v)
{
    if (c->left < 4 || off > c->left - 4) /* overrun: left is 0 */
        return false;
    *v = (uint32_t)c->p[off] << 24 | (uint32_t)c->p[off + 1] << 16 | (uint32_t)c->p[off + 2] << 8 |
         c->p[off + 3];
    return true;
}

#endif
