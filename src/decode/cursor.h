#ifndef FLOWSTATE_CURSOR_H
#define FLOWSTATE_CURSOR_H

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

static inline bool
cursor_need(struct cursor *c, size_t n)
{
    if (c->overrun || c->left < n) {
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
    size_t i;

    if (!cursor_need(c, n)) {
        for (i = 0; i < n; i++)
            d[i] = 0;
        return;
    }
    for (i = 0; i < n; i++)
        d[i] = c->p[i];
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

/* True on little-endian hosts; folds to a constant. */
static inline bool
cursor_host_is_le(void)
{
    const uint16_t one = 1;
    uint8_t first;

    memcpy(&first, &one, 1);
    return first == 1;
}

/*
 * One's-complement sum of the next n bytes without consuming them (RFC 1071),
 * for checksum verification. *sum is added to and returned folded to 16 bits
 * (not complemented). Returns false (and sums nothing) if fewer than n bytes
 * remain.
 *
 * Speed: the bulk is summed as native-order 32-bit words (memcpy loads, no
 * alignment or aliasing assumptions) into 64 bits, which compilers vectorise.
 * RFC 1071 2(B): the sum is byte-order independent up to a final byte swap,
 * and word-size independent once folded.
 */
static inline bool
cursor_peek_sum(const struct cursor *c, size_t n, uint32_t *sum)
{
    const uint8_t *p = c->p;
    uint64_t s = 0; /* 64 bits: no carry is lost for any caplen */
    size_t i = 0;

    if (c->overrun || c->left < n)
        return false;
    for (; i + 4 <= n; i += 4) {
        uint32_t w;

        memcpy(&w, p + i, 4);
        s += w;
    }
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    if (cursor_host_is_le())
        s = (s >> 8 | s << 8) & 0xffff;
    s += *sum;
    for (; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    *sum = (uint32_t)s;
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
    if (c->overrun || off >= c->left)
        return false;
    *v = c->p[off];
    return true;
}

/* Reads a big-endian 16-bit value `off` bytes ahead without consuming anything. */
static inline bool
cursor_peek_be16(const struct cursor *c, size_t off, uint16_t *v)
{
    if (c->overrun || c->left < 2 || off > c->left - 2)
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
    if (c->overrun || c->left < 4 || off > c->left - 4)
        return false;
    *v = (uint32_t)c->p[off] << 24 | (uint32_t)c->p[off + 1] << 16 | (uint32_t)c->p[off + 2] << 8 |
         c->p[off + 3];
    return true;
}

#endif
