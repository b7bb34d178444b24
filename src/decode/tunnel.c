/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tunnel: encapsulations whose inner flow is what tshark and Zeek report:
 * GRE (RFC 2784/2890, and enhanced GRE v1 for PPTP, RFC 2637 4.1), IP-in-IP
 * (proto 4) and IPv6-in-IP (proto 41), and over UDP: VXLAN (RFC 7348, dst
 * port 4789), Geneve (RFC 8926, dst port 6081) and Teredo (RFC 4380) on any
 * port, since NATs remap the client's port (3544 is only the server's).
 * pkt_meta ends up describing the innermost IP/TCP; m->tunnel_depth counts
 * the layers, limited by DECODE_MAX_TUNNEL.
 *
 * An inner packet that is not TCP ends as DECODE_OTHER_L4 (the outer packet
 * is IP after all); its own protocol is still counted. UDP headers are parsed
 * here too, as the doorway to the UDP tunnels. Teredo is only assumed when
 * the payload (after the optional authentication and origin indication
 * headers) parses as IPv6 whose payload length + 40 exactly fills the UDP
 * payload; away from port 3544 one of the IPv6 addresses must also be a
 * Teredo address (2001:0000::/32, RFC 4380 2.6), the evidence tshark's
 * heuristic and Zeek rely on. Otherwise the packet stays plain UDP.
 */
#include <config.h>

#include "decode/decode.h"

#include "decode/cursor.h"
#include "decode/decode_private.h"

#define UDP_PORT_VXLAN  4789
#define UDP_PORT_GENEVE 6081
#define UDP_PORT_TEREDO 3544
#define TEREDO_PREFIX   0x20010000u /* 2001:0000::/32 */

#define GRE_C   0x8000u
#define GRE_R   0x4000u
#define GRE_K   0x2000u
#define GRE_S   0x1000u
#define GRE_A   0x0080u /* v1: acknowledgment number present */
#define GRE_VER 0x0007u

#define ETH_P_TEB    0x6558 /* transparent Ethernet bridging */
#define ETH_P_IPV4   0x0800
#define ETH_P_IPV6   0x86dd
#define ETH_P_PPP    0x880b
#define ETH_P_ERSPAN 0x88be

bool
dec_tunnel_enter(struct dec_ctx *d)
{
    d->m->tunnel_depth++;
    return d->m->tunnel_depth <= DECODE_MAX_TUNNEL;
}

enum decode_outcome
dec_tunnel_result(enum decode_outcome o)
{
    return o == DECODE_NON_IP ? DECODE_OTHER_L4 : o;
}

static enum decode_outcome
tunnel_too_deep(struct dec_ctx *d)
{
    return dec_malformed(d, DR_TUNNEL_TOO_DEEP);
}

/* RFC 7348 5: flags (I bit 0x08 must be set), reserved, VNI, reserved; then Ethernet. */
static enum decode_outcome
dec_vxlan(struct dec_ctx *d, struct cursor *c)
{
    uint8_t flags = cursor_u8(c);

    cursor_skip(c, 7);
    if (c->overrun)
        return dec_truncated(d, DR_TUNNEL_HEADER);
    if (!(flags & 0x08))
        return DECODE_OTHER_L4;
    if (!dec_tunnel_enter(d))
        return tunnel_too_deep(d);
    dec_count(d, DC_VXLAN);
    return dec_tunnel_result(dec_ethernet(d, c));
}

/* RFC 8926 3.4: ver/opt len, flags, protocol type, VNI, reserved, options. */
static enum decode_outcome
dec_geneve(struct dec_ctx *d, struct cursor *c)
{
    uint8_t vol = cursor_u8(c);
    uint16_t proto;

    cursor_skip(c, 1);
    proto = cursor_be16(c);
    cursor_skip(c, 4);
    cursor_skip(c, (size_t)(vol & 0x3f) * 4);
    if (c->overrun)
        return dec_truncated(d, DR_TUNNEL_HEADER);
    if (vol >> 6 != 0)
        return DECODE_OTHER_L4; /* unknown version: not ours to guess */
    if (!dec_tunnel_enter(d))
        return tunnel_too_deep(d);
    dec_count(d, DC_GENEVE);
    if (proto == ETH_P_TEB)
        return dec_tunnel_result(dec_ethernet(d, c));
    return dec_tunnel_result(dec_ethertype(d, proto, c));
}

/*
 * RFC 4380 5.1.1: optional authentication (type 0x0001) and origin
 * indication (type 0x0000) headers, then IPv6. Works on a copy; returns
 * false (cursor untouched) unless it is convincingly Teredo. `need_prefix`:
 * also require a source or destination address in 2001:0000::/32.
 */
static bool
teredo_probe(struct cursor *c, uint32_t declared, bool need_prefix)
{
    struct cursor t = *c;
    uint16_t type, plen;
    uint8_t b, idlen, aulen;
    size_t consumed;

    if (cursor_peek_be16(&t, 0, &type) && type == 0x0001) {
        cursor_skip(&t, 2);
        idlen = cursor_u8(&t);
        aulen = cursor_u8(&t);
        cursor_skip(&t, (size_t)idlen + aulen + 9); /* ids, nonce 8, confirmation 1 */
    }
    if (cursor_peek_be16(&t, 0, &type) && type == 0x0000)
        cursor_skip(&t, 8);
    consumed = cursor_left(c) - cursor_left(&t);
    if (t.overrun || consumed > declared)
        return false;
    declared -= (uint32_t)consumed;
    if (!cursor_peek_u8(&t, 0, &b) || b >> 4 != 6 || !cursor_peek_be16(&t, 4, &plen))
        return false;
    if ((uint32_t)plen + 40 != declared)
        return false;
    if (need_prefix) {
        uint32_t src = 0, dst = 0;

        /* RFC 4380 2.6: Teredo IPv6 prefix 2001:0000::/32 (addresses at 8 and 24) */
        if (!cursor_peek_be32(&t, 8, &src) || !cursor_peek_be32(&t, 24, &dst))
            return false;
        if (src != TEREDO_PREFIX && dst != TEREDO_PREFIX)
            return false;
    }
    *c = t;
    return true;
}

enum decode_outcome
dec_udp(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c)
{
    struct pkt_meta *m = d->m;
    uint16_t ulen;
    uint32_t declared;

    dec_count(d, DC_UDP);
    m->sport = cursor_be16(c);
    m->dport = cursor_be16(c);
    ulen = cursor_be16(c);
    cursor_skip(c, 2);
    if (c->overrun)
        return l3->l4_len >= 8 ? dec_truncated(d, DR_TUNNEL_HEADER) : DECODE_OTHER_L4;
    declared = l3->l4_len - 8;
    if (ulen >= 8 && ulen - 8u < declared) {
        declared = ulen - 8u;
        cursor_limit(c, declared);
    }
    if (m->dport == UDP_PORT_VXLAN)
        return dec_vxlan(d, c);
    if (m->dport == UDP_PORT_GENEVE)
        return dec_geneve(d, c);
    if (teredo_probe(c, declared, m->sport != UDP_PORT_TEREDO && m->dport != UDP_PORT_TEREDO)) {
        if (!dec_tunnel_enter(d))
            return tunnel_too_deep(d);
        dec_count(d, DC_TEREDO);
        return dec_tunnel_result(dec_ipv6(d, c));
    }
    return DECODE_OTHER_L4;
}

/* PPP in enhanced GRE (RFC 1661 2, RFC 1662 3.1): optional FF 03, then a 1- or 2-byte protocol. */
static enum decode_outcome
dec_gre_ppp(struct dec_ctx *d, struct cursor *c)
{
    uint8_t b;
    uint16_t proto;

    if (cursor_peek_u8(c, 0, &b) && b == 0xff)
        cursor_skip(c, 2);
    if (cursor_peek_u8(c, 0, &b) && (b & 1))
        proto = cursor_u8(c); /* protocol field compression */
    else
        proto = cursor_be16(c);
    if (c->overrun)
        return dec_truncated(d, DR_TUNNEL_HEADER);
    if (proto == 0x0021)
        return dec_tunnel_result(dec_ipv4(d, c));
    if (proto == 0x0057)
        return dec_tunnel_result(dec_ipv6(d, c));
    return DECODE_OTHER_L4;
}

enum decode_outcome
dec_gre(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c)
{
    uint16_t flags, proto;

    (void)l3; /* same signature as every transport; GRE needs nothing from IP */
    dec_count(d, DC_GRE);
    flags = cursor_be16(c);
    proto = cursor_be16(c);
    if (c->overrun)
        return dec_truncated(d, DR_TUNNEL_HEADER);
    switch (flags & GRE_VER) {
    case 0:
        if (flags & GRE_R)
            return DECODE_OTHER_L4; /* RFC 1701 source routing: deprecated, not followed */
        if (flags & GRE_C)
            cursor_skip(c, 4); /* checksum + reserved1 */
        if (flags & GRE_K)
            cursor_skip(c, 4);
        if (flags & GRE_S)
            cursor_skip(c, 4);
        break;
    case 1:
        if (!(flags & GRE_K) || proto != ETH_P_PPP)
            return DECODE_OTHER_L4;
        cursor_skip(c, 4); /* payload length, call id */
        if (flags & GRE_S)
            cursor_skip(c, 4);
        if (flags & GRE_A)
            cursor_skip(c, 4);
        break;
    default:
        return DECODE_OTHER_L4;
    }
    if (c->overrun)
        return dec_truncated(d, DR_TUNNEL_HEADER);
    if (!dec_tunnel_enter(d))
        return tunnel_too_deep(d);
    switch (proto) {
    case ETH_P_PPP:
        return dec_gre_ppp(d, c);
    case ETH_P_TEB:
        return dec_tunnel_result(dec_ethernet(d, c));
    case ETH_P_ERSPAN:
        /* ERSPAN type II has an 8-byte header and sets S; type I has neither */
        if (flags & GRE_S)
            cursor_skip(c, 8);
        if (c->overrun)
            return dec_truncated(d, DR_TUNNEL_HEADER);
        return dec_tunnel_result(dec_ethernet(d, c));
    default:
        return dec_tunnel_result(dec_ethertype(d, proto, c));
    }
}

enum decode_outcome
dec_ip_in_ip(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c)
{
    bool v6 = l3->proto == 41;

    dec_count(d, v6 ? DC_IPV6_IN_IP : DC_IPV4_IN_IP);
    if (!dec_tunnel_enter(d))
        return tunnel_too_deep(d);
    return dec_tunnel_result(v6 ? dec_ipv6(d, c) : dec_ipv4(d, c));
}
