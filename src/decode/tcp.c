/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp: the TCP header (RFC 9293 3.1) and options -> pkt_meta, plus the
 * checksum check. Called from dec_transport() for either IP version with the
 * cursor bounded by min(IP-declared transport length, captured bytes).
 *
 * Never drops on a bad checksum or odd options: those become csum status and
 * anomaly bits for the flow layer. Options are parsed from their own
 * sub-cursor; the loop consumes at least one byte per turn, so it ends.
 */
#include <config.h>

#include "decode/decode.h"

#include "decode/cursor.h"
#include "decode/decode_private.h"

#define TCPOPT_EOL       0
#define TCPOPT_NOP       1
#define TCPOPT_MSS       2
#define TCPOPT_WSCALE    3
#define TCPOPT_SACKOK    4
#define TCPOPT_SACK      5
#define TCPOPT_TS        8
#define TCPOPT_MD5       19
#define TCPOPT_MPTCP     30
#define TCPOPT_TFO       34
#define TCPOPT_EXP       254
#define TCPOPT_TFO_MAGIC 0xF989u

#define TCP_FLAGS_CORE (TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK | TCP_URG)

/* Sets the present bit, or flags a duplicate (Suricata tcp.opt_duplicate). */
static bool
opt_first(struct pkt_meta *m, uint8_t bit)
{
    if (m->opt.present & bit) {
        m->anomalies |= ANOM_TCP_OPT_DUP;
        return false;
    }
    return true;
}

static void
opt_bad_field(struct pkt_meta *m)
{
    m->anomalies |= ANOM_TCP_OPT_FIELD_LEN;
}

/* One option body (kind and length already checked; b holds the len - 2 body bytes). */
static void
tcp_option(struct pkt_meta *m, uint8_t kind, struct span b)
{
    size_t blen = b.len;
    struct tcp_opts *o = &m->opt;
    unsigned i;

    switch (kind) {
    case TCPOPT_MSS: /* RFC 9293 3.2 */
        if (blen != 2) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_MSS)) {
            o->mss = span_be16(b, 0);
            o->present |= TCP_OPT_MSS;
        }
        break;
    case TCPOPT_WSCALE: /* RFC 7323 2.2 */
        if (blen != 1) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_WSCALE)) {
            o->wscale = span_u8(b, 0);
            o->present |= TCP_OPT_WSCALE;
        }
        break;
    case TCPOPT_SACKOK: /* RFC 2018 2 */
        if (blen != 0)
            opt_bad_field(m);
        else if (opt_first(m, TCP_OPT_SACKOK))
            o->present |= TCP_OPT_SACKOK;
        break;
    case TCPOPT_SACK: /* RFC 2018 3: 1..4 blocks of two 32-bit edges */
        if (blen == 0 || blen % 8 != 0 || blen / 8 > TCP_MAX_SACK_BLOCKS) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_SACK)) {
            o->sack_count = (uint8_t)(blen / 8);
            for (i = 0; i < o->sack_count; i++) {
                o->sack[i][0] = span_be32(b, 8 * i);
                o->sack[i][1] = span_be32(b, 8 * i + 4);
            }
            o->present |= TCP_OPT_SACK;
        }
        break;
    case TCPOPT_TS: /* RFC 7323 3.2 */
        if (blen != 8) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_TS)) {
            o->ts_val = span_be32(b, 0);
            o->ts_ecr = span_be32(b, 4);
            o->present |= TCP_OPT_TS;
        }
        break;
    case TCPOPT_MD5: /* RFC 2385 3.0 */
        if (blen != 16)
            opt_bad_field(m);
        else if (opt_first(m, TCP_OPT_MD5))
            o->present |= TCP_OPT_MD5;
        break;
    case TCPOPT_MPTCP: /* RFC 8684 3: several MPTCP options may share a segment */
        if (blen < 1)
            opt_bad_field(m);
        else
            o->present |= TCP_OPT_MPTCP;
        break;
    case TCPOPT_TFO: /* RFC 7413 4.1.1: empty (request) or a 4..16 byte cookie */
        if (blen != 0 && (blen < 4 || blen > 16)) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_TFO)) {
            o->tfo_cookie_len = (uint8_t)blen;
            o->present |= TCP_OPT_TFO;
        }
        break;
    case TCPOPT_EXP: /* RFC 6994 experimental; 0xF989 is pre-RFC TFO */
        if (blen < 2 || span_be16(b, 0) != TCPOPT_TFO_MAGIC)
            break;
        blen -= 2;
        if (blen != 0 && (blen < 4 || blen > 16)) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_TFO)) {
            o->tfo_cookie_len = (uint8_t)blen;
            o->present |= TCP_OPT_TFO;
        }
        break;
    default:
        break;
    }
}

/*
 * The general option walk (RFC 9293 3.1), one pass over the option bytes,
 * which the caller borrowed as one span: no per-byte bounds test beyond the
 * walk's own index compare.
 */
static void
tcp_options_walk(struct pkt_meta *m, struct span o)
{
    size_t i = 0;

    while (i < o.len) {
        uint8_t kind = span_u8(o, i);
        uint8_t len;

        if (kind == TCPOPT_EOL)
            break;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        /* RFC 9293 3.1: length counts kind and length; < 2 cannot advance */
        if (o.len - i < 2 || (len = span_u8(o, i + 1)) < 2 || len > o.len - i) {
            m->anomalies |= ANOM_TCP_OPT_BAD_LEN;
            break;
        }
        tcp_option(m, kind, span_sub(o, i + 2, (size_t)len - 2));
        i += len;
    }
}

/*
 * Options -> m->opt. Fast exit for the layout of most established-state
 * segments with options, NOP NOP TS (RFC 7323 appendix A), which gives the
 * same result as the walk (only TS present, nothing to flag); every other
 * layout takes the walk.
 */
static void
tcp_options(struct pkt_meta *m, struct span o)
{
    if (o.len == 12 && span_be32(o, 0) == 0x0101080au) {
        m->opt.ts_val = span_be32(o, 4);
        m->opt.ts_ecr = span_be32(o, 8);
        m->opt.present = TCP_OPT_TS;
        return;
    }
    tcp_options_walk(m, o);
}

/*
 * Linux conntrack's tcp_valid_flags: the combinations that may appear,
 * ignoring PSH, ECE, CWR and AE. Bit i of the mask is "flags value i valid".
 */
static bool
tcp_flags_valid(uint16_t flags)
{
    static const uint64_t valid =
        1ull << TCP_SYN | 1ull << (TCP_SYN | TCP_URG) | 1ull << (TCP_SYN | TCP_ACK) |
        1ull << TCP_RST | 1ull << (TCP_RST | TCP_ACK) | 1ull << (TCP_FIN | TCP_ACK) |
        1ull << (TCP_FIN | TCP_ACK | TCP_URG) | 1ull << TCP_ACK | 1ull << (TCP_ACK | TCP_URG);

    return (valid >> (flags & TCP_FLAGS_CORE)) & 1u;
}

static uint8_t
tcp_checksum(const struct dec_ctx *d, const struct l3_info *l3, const struct cursor *seg,
             uint16_t field)
{
    /* RFC 9293 3.1 / RFC 8200 8.1 pseudo-header: addresses, protocol, length */
    uint32_t pl = l3->proto + (l3->l4_len >> 16) + (l3->l4_len & 0xffff);
    struct span all;

    if (!d->opts->verify_checksums || !l3->csum_ok)
        return CSUM_UNCHECKED;
    if (!cursor_peek_span(seg, 0, l3->l4_len, &all))
        return CSUM_UNCHECKED; /* not all captured */
    /* addresses (even length) and segment in one accumulator, one fold */
    if (csum_fold(span_acc(all, l3->addr_acc), pl) == 0xffff)
        return CSUM_OK;
    /* Transmit offload (CHECKSUM_PARTIAL): the stack stored only the folded
     * pseudo-header sum for the NIC to finish; seen on the sending host. */
    if (field == csum_fold(l3->addr_acc, pl))
        return CSUM_OFFLOADED;
    return CSUM_BAD;
}

enum decode_outcome
dec_tcp(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c)
{
    struct pkt_meta *m = d->m;
    const struct cursor seg = *c;
    struct span h, opts;
    uint8_t off;
    size_t hlen, cap;

    dec_count(d, DC_TCP);
    /* one bounds check for the fixed header; fields are read from the span */
    if (dec_unlikely(!cursor_take(c, 20, &h))) {
        if (l3->l4_len >= 20)
            return dec_truncated(d, DR_TCP_HEADER);
        return dec_malformed(d, DR_TCP_HLEN_BEYOND_IP);
    }
    off = span_u8(h, 12);
    hlen = (size_t)(off >> 4) * 4;
    if (dec_unlikely(hlen < 20)) /* RFC 9293 3.1: data offset is at least 5 */
        return dec_malformed(d, DR_TCP_HLEN);
    if (dec_unlikely(hlen > l3->l4_len))
        return dec_malformed(d, DR_TCP_HLEN_BEYOND_IP);
    if (dec_unlikely(!cursor_take(c, hlen - 20, &opts)))
        return dec_truncated(d, DR_TCP_OPTIONS);
    m->sport = span_be16(h, 0);
    m->dport = span_be16(h, 2);
    m->seq = span_be32(h, 4);
    m->ack = span_be32(h, 8);
    m->flags = (uint16_t)(span_u8(h, 13) | (off & 0x01u) << 8);
    m->window = span_be16(h, 14);
    m->urg_ptr = span_be16(h, 18);
    m->tcp_hlen = (uint8_t)hlen;
    if (opts.len != 0)
        tcp_options(m, opts);

    m->payload_len = (uint32_t)(l3->l4_len - hlen);
    cap = cursor_left(c);
    m->payload_cap = cap < m->payload_len ? (uint32_t)cap : m->payload_len;
    if (m->payload_cap < m->payload_len)
        m->anomalies |= ANOM_TCP_PAYLOAD_TRUNC;
    if (!tcp_flags_valid(m->flags))
        m->anomalies |= ANOM_TCP_BAD_FLAGS;
    if (m->sport == 0 || m->dport == 0)
        m->anomalies |= ANOM_ZERO_ADDR_OR_PORT;
    m->csum = tcp_checksum(d, l3, &seg, span_be16(h, 16));
    return DECODE_TCP;
}
