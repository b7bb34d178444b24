/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipv4: the IPv4 header (RFC 791 3.1) -> addresses, TTL, protocol and the
 * transport length, then hands off to dec_transport() through struct
 * l3_info, the path shared with IPv6.
 *
 * Lengths: the transport sees min(total length, captured bytes). Bytes
 * captured beyond the total length are link padding (ANOM_IP_PADDED). A
 * total length of 0 is what segmentation offload leaves in captures taken on
 * the sending host; the captured length is used instead (ANOM_IP_TSO_ZERO_LEN).
 *
 * Fragments (MF set or offset != 0, first ones included) end here as
 * DECODE_FRAGMENT with m->frag describing where the header and the data lie
 * in the frame; the engine hands them to the defrag module (defrag.h), which
 * reassembles and calls decode_ip_datagram(). The decoder itself keeps no
 * state, so a first fragment is never decoded as a transport segment on its
 * own (it would be counted twice once its datagram completes).
 */
#include <config.h>

#include "decode/decode.h"

#include "decode/cursor.h"
#include "decode/decode_private.h"

#define IPV4_MF      0x2000u
#define IPV4_OFFMASK 0x1fffu

/* Offset of the cursor's position from the start of the frame (frag_meta). */
uint32_t
dec_frame_off(const struct dec_ctx *d, const struct cursor *c)
{
    return (uint32_t)(c->p - d->base);
}

enum decode_outcome
dec_ipv4(struct dec_ctx *d, struct cursor *c)
{
    struct pkt_meta *m = d->m;
    const struct cursor start = *c;
    size_t avail = cursor_left(c);
    struct span h, opt = {NULL, 0};
    struct l3_info l3;
    uint8_t vhl, proto;
    uint16_t total, frag;
    size_t hlen;

    dec_count(d, DC_IPV4);
    /* one bounds check for the fixed header; fields are read from the span */
    if (!cursor_take(c, 20, &h))
        return dec_truncated(d, DR_IPV4_HEADER);
    vhl = span_u8(h, 0);
    if (dec_unlikely(vhl >> 4 != 4))
        return dec_malformed(d, DR_IPV4_VERSION);
    hlen = (size_t)(vhl & 0x0f) * 4;
    if (dec_unlikely(hlen < 20)) /* RFC 791 3.1: IHL minimum is 5 */
        return dec_malformed(d, DR_IPV4_HLEN);
    total = span_be16(h, 2);
    frag = span_be16(h, 6);
    proto = span_u8(h, 9);
    m->ttl = span_u8(h, 8);
    span_copy(h, 12, m->src.b, 4);
    span_copy(h, 16, m->dst.b, 4);
    m->ip_version = 4;
    m->l4_proto = proto;
    if (dec_unlikely(total == 0)) {
        /* TSO/GSO on the capturing host leaves 0 here; trust what was captured */
        m->anomalies |= ANOM_IP_TSO_ZERO_LEN;
        total = (uint16_t)(avail > 0xffff ? 0xffff : avail);
        if (total < hlen) /* the length came from the capture: a cut, not a contradiction */
            return dec_truncated(d, DR_IPV4_OPTIONS);
    }
    if (dec_unlikely(total < hlen)) /* RFC 791 3.1: total length includes the header */
        return dec_malformed(d, DR_IPV4_TOTAL_LEN);
    /* options: not interpreted, only summed */
    if (dec_unlikely(hlen > 20) && !cursor_take(c, hlen - 20, &opt))
        return dec_truncated(d, DR_IPV4_OPTIONS);
    m->ip_bytes = total;
    if (avail > total) {
        m->anomalies |= ANOM_IP_PADDED;
        cursor_limit(c, total - hlen);
    }
    if (d->opts->verify_checksums) {
        /* RFC 1071: the header including its checksum sums to 0xffff (20 is
         * even, so the options' sum simply continues the fixed header's) */
        uint32_t s = span_sum(h, 0);

        if (dec_unlikely(opt.len != 0))
            s = span_sum(opt, s);
        if (s != 0xffff)
            m->anomalies |= ANOM_IP_BAD_CHECKSUM;
    }
    if (dec_unlikely(frag & (IPV4_MF | IPV4_OFFMASK))) {
        size_t cap = cursor_left(c);
        uint32_t dlen = (uint32_t)(total - hlen);

        /* RFC 791 3.2: offset in 8-octet units; the data is the rest of the datagram */
        dec_count(d, DC_IPV4_FRAG);
        m->frag.id = span_be16(h, 4);
        m->frag.offset = (uint32_t)(frag & IPV4_OFFMASK) * 8;
        m->frag.hdr_off = dec_frame_off(d, &start);
        m->frag.hdr_len = (uint32_t)hlen;
        m->frag.nh_pos = 0;
        m->frag.data_off = dec_frame_off(d, c);
        m->frag.data_len = dlen;
        m->frag.data_cap = cap < dlen ? (uint32_t)cap : dlen;
        m->frag.more = (frag & IPV4_MF) != 0;
        return DECODE_FRAGMENT;
    }
    l3.version = 4;
    l3.proto = proto;
    l3.csum_ok = true;
    l3.l4_len = (uint32_t)(total - hlen);
    l3.addr_acc = span_acc(span_sub(h, 12, 8), 0);
    return dec_transport(d, &l3, c);
}
