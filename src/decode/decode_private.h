/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_DECODE_PRIVATE_H
#define FLOWSTATE_DECODE_PRIVATE_H

/*
 * Shared between the decoder's own files (link.c, ipv4.c, ipv6.c, tcp.c,
 * tunnel.c, decode.c); nothing outside src/decode includes this.
 *
 * Every layer function takes the per-packet context and a cursor positioned
 * at its header, and returns the packet's final outcome: layers call the
 * next layer in tail position, so the innermost layer decides. A layer that
 * stops with DECODE_TRUNCATED / DECODE_MALFORMED records why in m->reason via
 * dec_truncated()/dec_malformed(); decode_packet() does the outcome counting.
 */

#include <stdbool.h>
#include <stdint.h>

#include "decode/cursor.h"
#include "decode/decode.h"

struct dec_ctx {
    const uint8_t *base; /* first byte of the frame: only for frag_meta offsets */
    const struct decode_opts *opts;
    struct pkt_meta *m;
    struct decode_stats *st;
};

/*
 * What the IP layer (either family) tells the transport layer: one struct so
 * that TCP, UDP and the tunnels have a single path for IPv4 and IPv6
 * (STYLE.md section 11).
 */
struct l3_info {
    uint8_t version;   /* 4 or 6 */
    uint8_t proto;     /* transport protocol (after IPv6 extension headers) */
    bool csum_ok;      /* pseudo-header is known (false: IPv6 routing header in transit) */
    uint32_t l4_len;   /* transport length declared by the IP header(s) */
    uint64_t addr_acc; /* span_acc() of the source and destination addresses (pseudo-header) */
};

/*
 * Branch hints for the rare paths (errors, fragments, tunnels, TSO). Only a
 * layout hint: the common path (Ethernet [+ VLAN] -> IP -> TCP) falls
 * through, the rest moves out of line.
 */
static inline bool
dec_unlikely(bool x)
{
    return __builtin_expect(x, 0);
}

static inline bool
dec_likely(bool x)
{
    return __builtin_expect(x, 1);
}

static inline enum decode_outcome
dec_truncated(struct dec_ctx *d, enum decode_reason r)
{
    d->m->reason = (uint8_t)r;
    return DECODE_TRUNCATED;
}

static inline enum decode_outcome
dec_malformed(struct dec_ctx *d, enum decode_reason r)
{
    d->m->reason = (uint8_t)r;
    return DECODE_MALFORMED;
}

static inline void
dec_count(struct dec_ctx *d, enum decode_counter k)
{
    d->st->counter[k]++;
}

/* DLT_EN10MB (pcap/dlt.h), tested first by decode_packet() */
#define DEC_DLT_EN10MB 1

/* link.c */
enum decode_outcome dec_link(struct dec_ctx *d, int dlt, struct cursor *c);
enum decode_outcome dec_ethernet(struct dec_ctx *d, struct cursor *c);
enum decode_outcome dec_ethertype(struct dec_ctx *d, uint16_t type, struct cursor *c);
enum decode_outcome dec_ip_any(struct dec_ctx *d, struct cursor *c, enum decode_reason missing);
bool dec_link_supported(int dlt);
enum decode_link dec_link_index(int dlt);

/* ipv4.c, ipv6.c */
enum decode_outcome dec_ipv4(struct dec_ctx *d, struct cursor *c);
enum decode_outcome dec_ipv6(struct dec_ctx *d, struct cursor *c);
uint32_t dec_frame_off(const struct dec_ctx *d, const struct cursor *c);

/* decode.c: transport dispatch shared by both IP versions */
enum decode_outcome dec_transport(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c);

/* tcp.c */
enum decode_outcome dec_tcp(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c);

/* tunnel.c */
enum decode_outcome dec_udp(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c);
enum decode_outcome dec_gre(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c);
enum decode_outcome dec_ip_in_ip(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c);
bool dec_tunnel_enter(struct dec_ctx *d);
enum decode_outcome dec_tunnel_result(enum decode_outcome o);

#endif
