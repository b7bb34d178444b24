/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipv6: the fixed header (RFC 8200 3) and the extension header chain (RFC
 * 8200 4) -> addresses, hop limit, the upper-layer protocol and its length,
 * then dec_transport() through struct l3_info, the path shared with IPv4.
 *
 * Skipped headers: hop-by-hop (0), routing (43), destination options (60),
 * fragment (44) and AH (51, RFC 4302 2.2). At most IPV6_MAX_EXT headers are
 * followed (malformed ipv6_ext_chain beyond). A header that runs past the
 * payload length is malformed; one that runs past the captured bytes is
 * truncated. A fragment header with an offset or the M flag (every fragment,
 * the first included) ends as DECODE_FRAGMENT with m->frag filled for the
 * defrag module (see ipv4.c); an atomic fragment (RFC 6946) is decoded on.
 * Payload length 0 without a jumbo option is treated like IPv4 TSO (the
 * captured length is used, ANOM_IP_TSO_ZERO_LEN).
 */
#include <config.h>

#include "decode/decode.h"

#include "decode/cursor.h"
#include "decode/decode_private.h"

#define IPV6_MAX_EXT 8

#define IP6_NH_HOPOPTS  0
#define IP6_NH_ROUTING  43
#define IP6_NH_FRAGMENT 44
#define IP6_NH_AH       51
#define IP6_NH_NONE     59
#define IP6_NH_DSTOPTS  60

/* The extension headers we step over (a 64-bit set: every one is below 64). */
static bool
ip6_is_ext(uint8_t nh)
{
    static const uint64_t ext = 1ull << IP6_NH_HOPOPTS | 1ull << IP6_NH_ROUTING |
                                1ull << IP6_NH_FRAGMENT | 1ull << IP6_NH_AH |
                                1ull << IP6_NH_DSTOPTS;

    return nh < 64 && ((ext >> nh) & 1u);
}

enum decode_outcome
dec_ipv6(struct dec_ctx *d, struct cursor *c)
{
    struct pkt_meta *m = d->m;
    const struct cursor start = *c;
    size_t avail = cursor_left(c);
    uint32_t nh_pos = 6; /* the Next Header byte naming the current header */
    struct l3_info l3;
    struct span h;
    uint32_t plen, declared;
    uint8_t nh;
    unsigned n;

    dec_count(d, DC_IPV6);
    /* one bounds check for the fixed header; fields are read from the span */
    if (!cursor_take(c, 40, &h))
        return dec_truncated(d, DR_IPV6_HEADER);
    if (dec_unlikely(span_u8(h, 0) >> 4 != 6))
        return dec_malformed(d, DR_IPV6_VERSION);
    plen = span_be16(h, 4);
    nh = span_u8(h, 6);
    m->ttl = span_u8(h, 7);
    span_copy(h, 8, m->src.b, 16);
    span_copy(h, 24, m->dst.b, 16);
    m->ip_version = 6;
    m->l4_proto = nh;
    if (dec_unlikely(plen == 0)) {
        m->anomalies |= ANOM_IP_TSO_ZERO_LEN;
        plen = (uint32_t)(avail - 40 > 0xffff ? 0xffff : avail - 40);
    }
    m->ip_bytes = plen + 40;
    if (avail - 40 > plen) {
        m->anomalies |= ANOM_IP_PADDED;
        cursor_limit(c, plen);
    }

    l3.version = 6;
    l3.csum_ok = true;
    declared = plen; /* bytes of the payload not yet consumed, per the header */
    for (n = 0;; n++) {
        uint32_t len;
        uint8_t next, hlen;

        if (dec_likely(!ip6_is_ext(nh)))
            break;
        if (n >= IPV6_MAX_EXT)
            return dec_malformed(d, DR_IPV6_EXT_CHAIN);
        if (!cursor_peek_u8(c, 0, &next) || !cursor_peek_u8(c, 1, &hlen)) {
            if (declared < 2)
                return dec_malformed(d, DR_IPV6_EXT_CHAIN);
            return dec_truncated(d, DR_IPV6_EXT_HEADER);
        }
        if (nh == IP6_NH_FRAGMENT)
            len = 8; /* RFC 8200 4.5: the length byte is reserved */
        else if (nh == IP6_NH_AH)
            len = ((uint32_t)hlen + 2) * 4; /* RFC 4302 2.2: 32-bit words minus 2 */
        else
            len = ((uint32_t)hlen + 1) * 8; /* RFC 8200 4.3: 8-octet units minus 1 */
        if (len > declared)
            return dec_malformed(d, DR_IPV6_EXT_CHAIN);
        if (nh == IP6_NH_FRAGMENT) {
            uint32_t hdr_end = dec_frame_off(d, c);
            uint16_t offm;
            uint32_t id;

            cursor_skip(c, 2);
            offm = cursor_be16(c);
            id = cursor_be32(c);
            if (c->overrun)
                return dec_truncated(d, DR_IPV6_EXT_HEADER);
            /* RFC 6946: offset 0 without M is an atomic fragment, not a fragment */
            if (offm & 0xfff9u) {
                size_t cap = cursor_left(c);
                uint32_t dlen = declared - len;

                dec_count(d, DC_IPV6_FRAG);
                m->l4_proto = next;
                /* RFC 8200 4.5: offset in 8-octet units of the fragmentable part */
                m->frag.id = id;
                m->frag.offset = (uint32_t)(offm >> 3) * 8;
                m->frag.hdr_off = dec_frame_off(d, &start);
                m->frag.hdr_len = hdr_end - m->frag.hdr_off;
                m->frag.nh_pos = nh_pos;
                m->frag.data_off = dec_frame_off(d, c);
                m->frag.data_len = dlen;
                m->frag.data_cap = cap < dlen ? (uint32_t)cap : dlen;
                m->frag.more = (offm & 1u) != 0;
                return DECODE_FRAGMENT;
            }
        } else if (nh == IP6_NH_ROUTING) {
            uint8_t segleft;

            /* RFC 8200 8.1: with segments left, the pseudo-header uses the
             * final destination, which we do not compute: skip verification */
            if (cursor_peek_u8(c, 3, &segleft) && segleft != 0)
                l3.csum_ok = false;
            cursor_skip(c, len);
        } else {
            cursor_skip(c, len);
        }
        if (c->overrun)
            return dec_truncated(d, DR_IPV6_EXT_HEADER);
        declared -= len;
        nh_pos = dec_frame_off(d, c) - dec_frame_off(d, &start) - len;
        nh = next;
        m->l4_proto = nh;
    }
    if (nh == IP6_NH_NONE) {
        dec_count(d, DC_OTHER_IP);
        return DECODE_OTHER_L4;
    }
    l3.proto = nh;
    l3.l4_len = declared;
    l3.addr_acc = span_acc(span_sub(h, 8, 32), 0);
    return dec_transport(d, &l3, c);
}
