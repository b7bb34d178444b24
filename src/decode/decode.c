/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decode: the entry point (decode_packet), the transport dispatch shared by
 * IPv4 and IPv6, stable names, and the stats export.
 *
 * Counting rules (all per call, no state kept between packets):
 *  - link[]: the DLT's link counter, once.
 *  - outcome[]: exactly once, the final outcome; truncated[]/malformed[] once
 *    with the reason when the outcome is truncated/malformed.
 *  - protocol counters (DC_ETHERNET ... DC_IPV6_FRAG): once per layer
 *    encountered, so a tunnelled packet counts each IP layer it carries
 *    (IPv4-in-GRE-in-IPv4 adds 2 to ipv4), like Suricata's decoder counters.
 *  - DC_TCP_CSUM_*: once per packet whose outcome is DECODE_TCP.
 *  - DC_PKTS, DC_BYTES, DC_WIRE_BYTES and DC_FILTERED belong to the engine,
 *    which counts the records past the filter (Suricata's decoder.pkts:
 *    libpcap applies the filter before Suricata sees a packet) and is told
 *    the filtered count by the capture; hence the exported invariant
 *        decoder.pkts == sum(flowstate.decoder.outcome.*).
 *  - decode_ip_datagram() (datagrams rebuilt from fragments, not records)
 *    counts into a separate struct the engine keeps; its outcomes are
 *    exported as decoder.defrag.outcome.*, every fragment record having
 *    already been counted as outcome.fragment.
 */
#include <config.h>

#include "decode/decode.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "decode/cursor.h"
#include "decode/decode_private.h"

#define IPPROTO_V_ICMP   1
#define IPPROTO_V_IPIP   4
#define IPPROTO_V_TCP    6
#define IPPROTO_V_UDP    17
#define IPPROTO_V_IPV6   41
#define IPPROTO_V_GRE    47
#define IPPROTO_V_ICMPV6 58
#define IPPROTO_V_SCTP   132

enum decode_outcome
dec_transport(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c)
{
    if (dec_likely(l3->proto == IPPROTO_V_TCP))
        return dec_tcp(d, l3, c);
    switch (l3->proto) {
    case IPPROTO_V_UDP:
        return dec_udp(d, l3, c);
    case IPPROTO_V_GRE:
        return dec_gre(d, l3, c);
    case IPPROTO_V_IPIP:
    case IPPROTO_V_IPV6:
        return dec_ip_in_ip(d, l3, c);
    case IPPROTO_V_ICMP:
        dec_count(d, DC_ICMPV4);
        return DECODE_OTHER_L4;
    case IPPROTO_V_ICMPV6:
        dec_count(d, DC_ICMPV6);
        return DECODE_OTHER_L4;
    case IPPROTO_V_SCTP:
        dec_count(d, DC_SCTP);
        return DECODE_OTHER_L4;
    default:
        dec_count(d, DC_OTHER_IP);
        return DECODE_OTHER_L4;
    }
}

static const struct decode_opts dec_defaults = {.verify_checksums = true};

static void
dec_begin(struct dec_ctx *d, const uint8_t *p, uint32_t caplen, uint32_t wirelen, uint64_t ts_ns,
          const struct decode_opts *opts, struct pkt_meta *m, struct decode_stats *st)
{
    unsigned char *z = (unsigned char *)m;

    /*
     * Everything up to opt.sack is zeroed, in two runs of at most 64 bytes,
     * which compilers turn into a few vector stores (a memset of the whole
     * struct became `rep stos`, slow to start for under 200 bytes).
     * opt.sack[] beyond opt.sack_count and frag unless the outcome is
     * DECODE_FRAGMENT keep what they held: the fragment paths fill every
     * frag field, and nothing reads sack[] past the count (decode.h).
     */
    memset(z + offsetof(struct pkt_meta, ip_bytes), 0,
           offsetof(struct pkt_meta, ip_version) - offsetof(struct pkt_meta, ip_bytes));
    memset(z + offsetof(struct pkt_meta, ip_version), 0,
           offsetof(struct pkt_meta, opt.sack) - offsetof(struct pkt_meta, ip_version));
    m->ts_ns = ts_ns;
    m->caplen = caplen;
    m->wirelen = wirelen;
    if (wirelen < caplen)
        m->anomalies |= ANOM_IP_CAPLEN_GT_LEN; /* libpcap does not check; bound by caplen */
    d->base = p;
    d->opts = opts != NULL ? opts : &dec_defaults;
    d->m = m;
    d->st = st;
}

/* The once-per-call outcome, reason and checksum counting. */
static enum decode_outcome
dec_finish(struct pkt_meta *m, struct decode_stats *st, enum decode_outcome o)
{
    st->outcome[o]++;
    if (o == DECODE_TRUNCATED)
        st->truncated[m->reason]++;
    else if (o == DECODE_MALFORMED)
        st->malformed[m->reason]++;
    else
        m->reason = DR_NONE;
    if (o == DECODE_TCP) {
        static const enum decode_counter csum_ctr[] = {
            [CSUM_UNCHECKED] = DC_TCP_CSUM_UNCHECKED,
            [CSUM_OK] = DC_TCP_CSUM_OK,
            [CSUM_BAD] = DC_TCP_CSUM_BAD,
            [CSUM_OFFLOADED] = DC_TCP_CSUM_OFFLOADED,
        };
        st->counter[csum_ctr[m->csum & 3]]++;
    }
    return o;
}

enum decode_outcome
decode_packet(int dlt, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen, uint64_t ts_ns,
              const struct decode_opts *opts, struct pkt_meta *m, struct decode_stats *st)
{
    struct dec_ctx d;
    struct cursor c;
    enum decode_outcome o;

    dec_begin(&d, pkt, caplen, wirelen, ts_ns, opts, m, st);
    c = cursor_make(pkt, pkt != NULL ? caplen : 0);
    if (dec_likely(dlt == DEC_DLT_EN10MB && cursor_left(&c) != 0)) {
        /* the common link type, straight to its parser */
        st->link[DL_EN10MB]++;
        o = dec_ethernet(&d, &c);
    } else {
        enum decode_link l = dec_link_index(dlt);

        st->link[l]++;
        if (l == DL_OTHER)
            o = DECODE_UNSUPPORTED;
        else if (cursor_left(&c) == 0)
            o = dec_truncated(&d, DR_EMPTY);
        else
            o = dec_link(&d, dlt, &c);
    }
    return dec_finish(m, st, o);
}

enum decode_outcome
decode_ip_datagram(const uint8_t *ip, uint32_t len, uint64_t ts_ns, bool reassembled,
                   const struct decode_opts *opts, struct pkt_meta *m, struct decode_stats *st)
{
    struct dec_ctx d;
    struct cursor c;

    dec_begin(&d, ip, len, len, ts_ns, opts, m, st);
    if (reassembled)
        m->anomalies |= ANOM_IP_REASSEMBLED;
    c = cursor_make(ip, ip != NULL ? len : 0);
    return dec_finish(m, st, dec_ip_any(&d, &c, DR_EMPTY));
}

bool
decode_dlt_supported(int dlt)
{
    return dec_link_supported(dlt);
}

/* ---- names and stats ------------------------------------------------------ */

static const char *const outcome_names[DECODE_OUTCOME_COUNT] = {
    [DECODE_TCP] = "tcp",
    [DECODE_OTHER_L4] = "other_l4",
    [DECODE_NON_IP] = "non_ip",
    [DECODE_FRAGMENT] = "fragment",
    [DECODE_TRUNCATED] = "truncated",
    [DECODE_MALFORMED] = "malformed",
    [DECODE_UNSUPPORTED] = "unsupported",
};

static const char *const outcome_paths[DECODE_OUTCOME_COUNT] = {
    [DECODE_TCP] = STATS_OWN "decoder.outcome.tcp",
    [DECODE_OTHER_L4] = STATS_OWN "decoder.outcome.other_l4",
    [DECODE_NON_IP] = STATS_OWN "decoder.outcome.non_ip",
    [DECODE_FRAGMENT] = STATS_OWN "decoder.outcome.fragment",
    [DECODE_TRUNCATED] = STATS_OWN "decoder.outcome.truncated",
    [DECODE_MALFORMED] = STATS_OWN "decoder.outcome.malformed",
    [DECODE_UNSUPPORTED] = STATS_OWN "decoder.outcome.unsupported",
};

static const char *const defrag_outcome_paths[DECODE_OUTCOME_COUNT] = {
    [DECODE_TCP] = STATS_OWN "decoder.defrag.outcome.tcp",
    [DECODE_OTHER_L4] = STATS_OWN "decoder.defrag.outcome.other_l4",
    [DECODE_NON_IP] = STATS_OWN "decoder.defrag.outcome.non_ip",
    [DECODE_FRAGMENT] = STATS_OWN "decoder.defrag.outcome.fragment",
    [DECODE_TRUNCATED] = STATS_OWN "decoder.defrag.outcome.truncated",
    [DECODE_MALFORMED] = STATS_OWN "decoder.defrag.outcome.malformed",
    [DECODE_UNSUPPORTED] = STATS_OWN "decoder.defrag.outcome.unsupported",
};

struct reason_name {
    const char *name, *trunc_path, *malf_path;
};

static const struct reason_name reason_names[DR_COUNT] = {
#define R(e, n) [e] = {n, STATS_OWN "decoder.truncated." n, STATS_OWN "decoder.malformed." n}
    R(DR_NONE, "none"),
    R(DR_LINK_HEADER, "link_header"),
    R(DR_VLAN_HEADER, "vlan_header"),
    R(DR_VLAN_TOO_MANY, "vlan_too_many"),
    R(DR_MPLS_HEADER, "mpls_header"),
    R(DR_IPV4_HEADER, "ipv4_header"),
    R(DR_IPV4_VERSION, "ipv4_version"),
    R(DR_IPV4_HLEN, "ipv4_hlen"),
    R(DR_IPV4_TOTAL_LEN, "ipv4_total_len"),
    R(DR_IPV4_OPTIONS, "ipv4_options"),
    R(DR_IPV6_HEADER, "ipv6_header"),
    R(DR_IPV6_VERSION, "ipv6_version"),
    R(DR_IPV6_EXT_HEADER, "ipv6_ext_header"),
    R(DR_IPV6_EXT_CHAIN, "ipv6_ext_chain"),
    R(DR_IP_VERSION, "ip_version"),
    R(DR_TCP_HEADER, "tcp_header"),
    R(DR_TCP_HLEN, "tcp_hlen"),
    R(DR_TCP_HLEN_BEYOND_IP, "tcp_hlen_beyond_ip"),
    R(DR_TCP_OPTIONS, "tcp_options"),
    R(DR_TUNNEL_HEADER, "tunnel_header"),
    R(DR_TUNNEL_TOO_DEEP, "tunnel_too_deep"),
    R(DR_EMPTY, "empty"),
#undef R
};

struct counter_name {
    const char *name, *path;
};

/* Suricata's decoder.* names up to DC_TEREDO (decode.h); flowstate's own after it. */
static const struct counter_name counter_names[DC_COUNT] = {
#define C(e, n) [e] = {n, "decoder." n}
#define O(e, n) [e] = {n, STATS_OWN "decoder." n}
    C(DC_PKTS, "pkts"),
    C(DC_BYTES, "bytes"),
    O(DC_WIRE_BYTES, "wire_bytes"),
    O(DC_FILTERED, "filtered"),
    C(DC_ETHERNET, "ethernet"),
    C(DC_SLL, "sll"),
    C(DC_SLL2, "sll2"),
    C(DC_NULL, "null"),
    C(DC_RAW, "raw"),
    C(DC_VLAN, "vlan"),
    C(DC_VLAN_QINQ, "vlan_qinq"),
    C(DC_VLAN_QINQINQ, "vlan_qinqinq"),
    C(DC_MPLS, "mpls"),
    C(DC_IPV4, "ipv4"),
    C(DC_IPV6, "ipv6"),
    C(DC_TCP, "tcp"),
    C(DC_UDP, "udp"),
    C(DC_ICMPV4, "icmpv4"),
    C(DC_ICMPV6, "icmpv6"),
    C(DC_SCTP, "sctp"),
    C(DC_ARP, "arp"),
    C(DC_GRE, "gre"),
    C(DC_VXLAN, "vxlan"),
    C(DC_GENEVE, "geneve"),
    C(DC_TEREDO, "teredo"),
    O(DC_OTHER_IP, "other_ip"),
    O(DC_OTHER_LINK, "other_link"),
    O(DC_IPV4_IN_IP, "ipv4_in_ip"),
    O(DC_IPV6_IN_IP, "ipv6_in_ip"),
    O(DC_IPV4_FRAG, "ipv4_frag"),
    O(DC_IPV6_FRAG, "ipv6_frag"),
    O(DC_TCP_CSUM_OK, "checksum.tcp_ok"),
    O(DC_TCP_CSUM_BAD, "checksum.tcp_bad"),
    O(DC_TCP_CSUM_UNCHECKED, "checksum.tcp_unchecked"),
    O(DC_TCP_CSUM_OFFLOADED, "checksum.tcp_offloaded"),
#undef O
#undef C
};

static const struct counter_name link_names[DL_COUNT] = {
#define L(e, n) [e] = {n, STATS_OWN "decoder.linktype." n}
    L(DL_EN10MB, "EN10MB"), L(DL_LINUX_SLL, "LINUX_SLL"), L(DL_LINUX_SLL2, "LINUX_SLL2"),
    L(DL_RAW, "RAW"),       L(DL_IPV4, "IPV4"),           L(DL_IPV6, "IPV6"),
    L(DL_NULL, "NULL"),     L(DL_LOOP, "LOOP"),           L(DL_OTHER, "OTHER"),
#undef L
};

const char *
decode_outcome_name(enum decode_outcome o)
{
    return (unsigned)o < DECODE_OUTCOME_COUNT ? outcome_names[o] : "unknown";
}

const char *
decode_reason_name(enum decode_reason r)
{
    return (unsigned)r < DR_COUNT ? reason_names[r].name : "unknown";
}

const char *
decode_counter_name(enum decode_counter k)
{
    return (unsigned)k < DC_COUNT ? counter_names[k].name : "unknown";
}

const char *
decode_link_name(enum decode_link l)
{
    return (unsigned)l < DL_COUNT ? link_names[l].name : "unknown";
}

void
decode_stats_export(const struct decode_stats *st, struct stat_list *out)
{
    size_t i;

    /* Suricata's counters first, then ours; decoder.pkts == sum(outcome.*) */
    for (i = 0; i <= DC_TEREDO; i++)
        if (i != DC_WIRE_BYTES && i != DC_FILTERED)
            stat_list_add(out, counter_names[i].path, st->counter[i]);
    stat_list_add(out, counter_names[DC_WIRE_BYTES].path, st->counter[DC_WIRE_BYTES]);
    stat_list_add(out, counter_names[DC_FILTERED].path, st->counter[DC_FILTERED]);
    for (i = DC_TEREDO + 1; i < DC_TCP_CSUM_OK; i++)
        stat_list_add(out, counter_names[i].path, st->counter[i]);
    for (i = 0; i < DECODE_OUTCOME_COUNT; i++)
        stat_list_add(out, outcome_paths[i], st->outcome[i]);
    for (i = DR_NONE + 1; i < DR_COUNT; i++)
        if (st->truncated[i] != 0)
            stat_list_add(out, reason_names[i].trunc_path, st->truncated[i]);
    for (i = DR_NONE + 1; i < DR_COUNT; i++)
        if (st->malformed[i] != 0)
            stat_list_add(out, reason_names[i].malf_path, st->malformed[i]);
    for (i = 0; i < DL_COUNT; i++)
        if (st->link[i] != 0)
            stat_list_add(out, link_names[i].path, st->link[i]);
    for (i = DC_TCP_CSUM_OK; i < DC_COUNT; i++)
        stat_list_add(out, counter_names[i].path, st->counter[i]);
}

void
decode_stats_export_defrag(const struct decode_stats *st, struct stat_list *out)
{
    size_t i;

    for (i = 0; i < DECODE_OUTCOME_COUNT; i++)
        stat_list_add(out, defrag_outcome_paths[i], st->outcome[i]);
}

const char *
ip_addr_str(const struct ip_addr *a, uint8_t version, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    if (inet_ntop(version == 6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)len) == NULL)
        buf[0] = '\0';
    return buf;
}
