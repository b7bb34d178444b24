/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_SEQ_H
#define FLOWSTATE_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 3.4, RFC 1982 serial
 * numbers; Suricata SEQ_LT). Plain < or > on sequence or acknowledgment
 * numbers anywhere else is a review blocker. The unsigned subtraction wraps by
 * design; the conversion to int32_t is the serial comparison.
 */
static inline bool
seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline bool
seq_leq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

static inline bool
seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

static inline bool
seq_geq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

/* Signed distance b - a (positive when b is after a). */
static inline int32_t
seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(b - a);
}

static inline uint32_t
seq_max(uint32_t a, uint32_t b)
{
    return seq_gt(a, b) ? a : b;
}

static inline uint32_t
seq_min(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? a : b;
}

/* a <= x < b, modulo 2^32 (RFC 9293 3.10.7.4 acceptability tests). */
static inline bool
seq_in_range(uint32_t x, uint32_t a, uint32_t b)
{
    return seq_leq(a, x) && seq_lt(x, b);
}

#endif
