/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link: the outermost layers. Maps a DLT to its header parser (Ethernet with
 * 802.1Q/802.1ad/0x9100 tag stacks, Linux SLL/SLL2, BSD NULL/LOOP, raw IP),
 * then an ethertype (or address family) to IPv4/IPv6/MPLS. Ethernet is also
 * re-entered from tunnel.c for VXLAN, Geneve and GRE transparent bridging.
 *
 * VLAN tags are recorded in pkt_meta only for the outermost Ethernet layer
 * (tunnel_depth 0); tags of an encapsulated Ethernet frame are parsed,
 * depth-limited and counted, but not recorded.
 */
#include <config.h>

#include "decode/decode.h"

#include "decode/cursor.h"
#include "decode/decode_private.h"

#define ETH_P_IPV4    0x0800
#define ETH_P_ARP     0x0806
#define ETH_P_8021Q   0x8100
#define ETH_P_IPV6    0x86dd
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define ETH_P_8021AD  0x88a8
#define ETH_P_QINQ1   0x9100 /* pre-standard stacked tag */
#define ETH_P_PPPOE_S 0x8864

#define MPLS_MAX_LABELS 16 /* deeper: give up as truncated-header garbage */

/* DLT values (pcap/dlt.h); spelled here so this file needs no libpcap header. */
#define DLT_V_NULL        0
#define DLT_V_EN10MB      1
#define DLT_V_RAW_LINUX   12
#define DLT_V_RAW_OPENBSD 14
#define DLT_V_RAW         101
#define DLT_V_LOOP        108
#define DLT_V_LINUX_SLL   113
#define DLT_V_IPV4        228
#define DLT_V_IPV6        229
#define DLT_V_LINUX_SLL2  276

/* BSD address families seen in DLT_NULL/DLT_LOOP headers (libpcap's BSD_AFNUM_*). */
#define BSD_AF_INET          2
#define BSD_AF_INET6_BSD     24 /* NetBSD, OpenBSD */
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN  30

enum decode_link
dec_link_index(int dlt)
{
    switch (dlt) {
    case DLT_V_EN10MB:
        return DL_EN10MB;
    case DLT_V_LINUX_SLL:
        return DL_LINUX_SLL;
    case DLT_V_LINUX_SLL2:
        return DL_LINUX_SLL2;
    case DLT_V_RAW_LINUX:
    case DLT_V_RAW_OPENBSD:
    case DLT_V_RAW:
        return DL_RAW;
    case DLT_V_IPV4:
        return DL_IPV4;
    case DLT_V_IPV6:
        return DL_IPV6;
    case DLT_V_NULL:
        return DL_NULL;
    case DLT_V_LOOP:
        return DL_LOOP;
    default:
        return DL_OTHER;
    }
}

bool
dec_link_supported(int dlt)
{
    return dec_link_index(dlt) != DL_OTHER;
}

/*
 * Raw IP: the version nibble decides (DLT_RAW carries both families).
 * `missing` is the truncation reason when not even one byte is left.
 */
enum decode_outcome
dec_ip_any(struct dec_ctx *d, struct cursor *c, enum decode_reason missing)
{
    uint8_t b;

    if (!cursor_peek_u8(c, 0, &b))
        return dec_truncated(d, missing);
    switch (b >> 4) {
    case 4:
        return dec_ipv4(d, c);
    case 6:
        return dec_ipv6(d, c);
    default:
        return dec_malformed(d, DR_IP_VERSION);
    }
}

/*
 * MPLS label stack (RFC 3032 2.1): 4-byte entries until the bottom-of-stack
 * bit. The payload type is not signalled, so guess from the version nibble
 * like tcpdump and Suricata; anything else (pseudowires) is not IP.
 */
static enum decode_outcome
dec_mpls(struct dec_ctx *d, struct cursor *c)
{
    unsigned n;
    uint8_t b;

    dec_count(d, DC_MPLS);
    for (n = 0;; n++) {
        uint32_t entry = cursor_be32(c);

        if (c->overrun)
            return dec_truncated(d, DR_MPLS_HEADER);
        if (entry & 0x100u)
            break;
        if (n + 1 >= MPLS_MAX_LABELS) {
            dec_count(d, DC_OTHER_LINK);
            return DECODE_NON_IP;
        }
    }
    if (!cursor_peek_u8(c, 0, &b))
        return dec_truncated(d, DR_MPLS_HEADER);
    switch (b >> 4) {
    case 4:
        return dec_ipv4(d, c);
    case 6:
        return dec_ipv6(d, c);
    default:
        dec_count(d, DC_OTHER_LINK);
        return DECODE_NON_IP;
    }
}

/* PPP protocol field (RFC 1661 2) after PPPoE: only IPv4 and IPv6 go on. */
static enum decode_outcome
dec_pppoe(struct dec_ctx *d, struct cursor *c)
{
    uint16_t proto;

    /* RFC 2516 4: ver/type, code, session id, length, then PPP protocol */
    cursor_skip(c, 6);
    proto = cursor_be16(c);
    if (c->overrun)
        return dec_truncated(d, DR_LINK_HEADER);
    if (proto == 0x0021)
        return dec_ipv4(d, c);
    if (proto == 0x0057)
        return dec_ipv6(d, c);
    dec_count(d, DC_OTHER_LINK);
    return DECODE_NON_IP;
}

/*
 * Ethertype dispatch, including the VLAN tag stack (IEEE 802.1Q 9.6): shared
 * by Ethernet, SLL and SLL2 (whose protocol field is an ethertype).
 */
enum decode_outcome
dec_ethertype(struct dec_ctx *d, uint16_t type, struct cursor *c)
{
    struct pkt_meta *m = d->m;
    unsigned tags = 0;

    for (;;) {
        struct span tag;
        uint16_t tci;

        /* the common case first: IP straight after the header or the tags */
        if (dec_likely(type == ETH_P_IPV4))
            return dec_ipv4(d, c);
        if (type == ETH_P_IPV6)
            return dec_ipv6(d, c);
        if (type != ETH_P_8021Q && type != ETH_P_8021AD && type != ETH_P_QINQ1)
            break;
        if (!cursor_take(c, 4, &tag))
            return dec_truncated(d, DR_VLAN_HEADER);
        tci = span_be16(tag, 0);
        type = span_be16(tag, 2);
        if (++tags > DECODE_MAX_VLAN)
            return dec_malformed(d, DR_VLAN_TOO_MANY);
        if (m->tunnel_depth == 0 && m->vlan_count < DECODE_MAX_VLAN)
            m->vlan[m->vlan_count++] = (uint16_t)(tci & 0x0fff);
        /* Suricata's DecodeVLAN: vlan once per tag, qinq/qinqinq at the 2nd/3rd */
        dec_count(d, DC_VLAN);
        if (tags == 2)
            dec_count(d, DC_VLAN_QINQ);
        else if (tags == 3)
            dec_count(d, DC_VLAN_QINQINQ);
    }
    switch (type) {
    case ETH_P_MPLS_UC:
    case ETH_P_MPLS_MC:
        return dec_mpls(d, c);
    case ETH_P_PPPOE_S:
        return dec_pppoe(d, c);
    case ETH_P_ARP:
        dec_count(d, DC_ARP);
        return DECODE_NON_IP;
    default:
        /* includes 802.3 length fields (<= 1500): LLC/SNAP is not IP we decode */
        dec_count(d, DC_OTHER_LINK);
        return DECODE_NON_IP;
    }
}

/* Ethernet II (IEEE 802.3 3.1.1): destination, source, type/length. */
enum decode_outcome
dec_ethernet(struct dec_ctx *d, struct cursor *c)
{
    struct span h;

    dec_count(d, DC_ETHERNET);
    if (!cursor_take(c, 14, &h))
        return dec_truncated(d, DR_LINK_HEADER);
    return dec_ethertype(d, span_be16(h, 12), c);
}

/* Linux cooked v1 (16 bytes): type, ARPHRD, addr len, 8 addr bytes, protocol. */
static enum decode_outcome
dec_sll(struct dec_ctx *d, struct cursor *c)
{
    uint16_t proto;

    dec_count(d, DC_SLL);
    cursor_skip(c, 14);
    proto = cursor_be16(c);
    if (c->overrun)
        return dec_truncated(d, DR_LINK_HEADER);
    return dec_ethertype(d, proto, c);
}

/* Linux cooked v2 (20 bytes): protocol, reserved, ifindex, ARPHRD, type, addr len, addr. */
static enum decode_outcome
dec_sll2(struct dec_ctx *d, struct cursor *c)
{
    uint16_t proto;

    dec_count(d, DC_SLL2);
    proto = cursor_be16(c);
    cursor_skip(c, 18);
    if (c->overrun)
        return dec_truncated(d, DR_LINK_HEADER);
    return dec_ethertype(d, proto, c);
}

static int
bsd_af_family(uint32_t af)
{
    switch (af) {
    case BSD_AF_INET:
        return 4;
    case BSD_AF_INET6_BSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN:
        return 6;
    default:
        return 0;
    }
}

/*
 * DLT_NULL: 4-byte address family in the capturing host's byte order, which
 * the file does not record, so accept both orders. DLT_LOOP is defined as
 * network order, but files written with the host's order exist; a family
 * value read the wrong way round is never a valid one, so both are accepted
 * here too.
 */
static enum decode_outcome
dec_null(struct dec_ctx *d, struct cursor *c)
{
    struct cursor peek = *c;
    uint32_t be = cursor_be32(c);
    uint32_t le = cursor_le32(&peek);
    int fam;

    dec_count(d, DC_NULL);
    if (c->overrun)
        return dec_truncated(d, DR_LINK_HEADER);
    fam = bsd_af_family(be);
    if (fam == 0)
        fam = bsd_af_family(le);
    if (fam == 4)
        return dec_ipv4(d, c);
    if (fam == 6)
        return dec_ipv6(d, c);
    dec_count(d, DC_OTHER_LINK);
    return DECODE_NON_IP;
}

enum decode_outcome
dec_link(struct dec_ctx *d, int dlt, struct cursor *c)
{
    switch (dlt) {
    case DLT_V_EN10MB:
        return dec_ethernet(d, c);
    case DLT_V_LINUX_SLL:
        return dec_sll(d, c);
    case DLT_V_LINUX_SLL2:
        return dec_sll2(d, c);
    case DLT_V_RAW_LINUX:
    case DLT_V_RAW_OPENBSD:
    case DLT_V_RAW:
        dec_count(d, DC_RAW);
        return dec_ip_any(d, c, DR_EMPTY);
    case DLT_V_IPV4:
        dec_count(d, DC_RAW);
        return dec_ipv4(d, c);
    case DLT_V_IPV6:
        dec_count(d, DC_RAW);
        return dec_ipv6(d, c);
    case DLT_V_NULL:
    case DLT_V_LOOP:
        return dec_null(d, c);
    default:
        return DECODE_UNSUPPORTED;
    }
}
