/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_DECODE_H
#define FLOWSTATE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/stats.h"

/*
 * Decoder: raw link-layer bytes -> struct pkt_meta. Pure function of its
 * input plus counters; holds no state between packets and never allocates.
 * pkt_meta holds values only (no pointers into the packet), so it stays valid
 * after the capture buffer is reused (STYLE.md section 6).
 *
 * Every packet gets exactly one outcome (enum decode_outcome) and the stats
 * count it, so that  pkts == filtered + sum(outcome counters)  always holds.
 */

/* An IPv4 or IPv6 address. IPv4 uses b[0..3] and leaves b[4..15] zero. */
struct ip_addr {
    uint8_t b[16];
};

#define DECODE_MAX_VLAN     3 /* deeper stacks: malformed vlan_too_many (Suricata VLAN_MAX_LAYERS) */
#define DECODE_MAX_TUNNEL   4 /* encapsulation depth limit (Zeek Tunnel::max_depth) */
#define TCP_MAX_SACK_BLOCKS 4

/* TCP flag bits as on the wire (byte 13), plus AE (RFC 9768, byte 12 bit 0) as 0x100. */
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80
#define TCP_AE  0x100

/* Bits of tcp_opts.present */
#define TCP_OPT_MSS    0x01
#define TCP_OPT_WSCALE 0x02
#define TCP_OPT_SACKOK 0x04
#define TCP_OPT_SACK   0x08
#define TCP_OPT_TS     0x10
#define TCP_OPT_TFO    0x20 /* kind 34 or experimental 254/0xF989 */
#define TCP_OPT_MD5    0x40
#define TCP_OPT_MPTCP  0x80

struct tcp_opts {
    uint8_t present;      /* TCP_OPT_* */
    uint8_t wscale;       /* as sent (may exceed 14; the TCP layer clamps, RFC 7323 2.3) */
    uint8_t sack_count;   /* valid blocks in sack[] */
    uint8_t tfo_cookie_len;
    uint16_t mss;
    uint32_t ts_val, ts_ecr;
    uint32_t sack[TCP_MAX_SACK_BLOCKS][2]; /* left, right edges; only [0, sack_count) set */
};

/* Bits of pkt_meta.anomalies: packet-level oddities that do not stop decoding. */
#define ANOM_TCP_OPT_BAD_LEN    0x0001u /* option length < 2 or past the header: parsing stopped */
#define ANOM_TCP_OPT_DUP        0x0002u /* same option twice */
#define ANOM_TCP_OPT_FIELD_LEN  0x0004u /* known option with the wrong length (e.g. MSS len != 4) */
#define ANOM_TCP_BAD_FLAGS      0x0008u /* invalid combination (SYN+FIN, SYN+RST, no flags, ...) */
#define ANOM_IP_CAPLEN_GT_LEN   0x0010u /* record caplen > wire len */
#define ANOM_IP_PADDED          0x0020u /* link payload longer than the IP total length */
#define ANOM_IP_TSO_ZERO_LEN    0x0040u /* IPv4 total length 0 (TSO); length taken from caplen */
#define ANOM_IP_FIRST_FRAGMENT  0x0080u /* unused since fragments go to defrag (kept: stable bit) */
#define ANOM_TCP_PAYLOAD_TRUNC  0x0100u /* payload not fully captured (caplen < IP length) */
#define ANOM_IP_BAD_CHECKSUM    0x0200u /* IPv4 header checksum wrong */
#define ANOM_ZERO_ADDR_OR_PORT  0x0400u /* port 0 */
#define ANOM_IP_REASSEMBLED     0x0800u /* rebuilt from IP fragments (decode_ip_datagram) */

/*
 * Where an IP fragment sits in the captured frame: filled by decode_packet()
 * when the outcome is DECODE_FRAGMENT (every fragment, first ones included),
 * for the defrag module. Offsets count from the first byte of the frame the
 * decoder was given, so this stays plain values; the bytes themselves are
 * the caller's (borrowed until the capture callback returns).
 *
 * The unfragmentable part is [hdr_off, hdr_off + hdr_len): the IPv4 header
 * with its options, or the IPv6 fixed header plus the extension headers in
 * front of the fragment header (RFC 8200 4.5). nh_pos is, for IPv6, the
 * position inside that part of the Next Header byte that names the fragment
 * header (44), which reassembly replaces by the fragment header's own Next
 * Header; 0 for IPv4.
 */
struct frag_meta {
    uint32_t id;          /* IPv4 identification (16 bits) or IPv6 fragment identification */
    uint32_t offset;      /* byte offset of this fragment's data in the original datagram */
    uint32_t hdr_off;     /* unfragmentable part: offset in the frame ... */
    uint32_t hdr_len;     /* ... and length */
    uint32_t nh_pos;      /* IPv6: Next Header byte to patch, relative to hdr_off */
    uint32_t data_off;    /* fragment data: offset in the frame */
    uint32_t data_len;    /* fragment data length declared by the IP header(s) */
    uint32_t data_cap;    /* how much of it was captured (<= data_len) */
    bool more;            /* MF (IPv4) / M (IPv6) */
};

enum csum_status {
    CSUM_UNCHECKED = 0, /* not verified: truncated payload, fragment, or disabled */
    CSUM_OK,
    CSUM_BAD,
    CSUM_OFFLOADED, /* field holds only the pseudo-header sum (transmit offload on the capturing host) */
};

struct pkt_meta {
    uint64_t ts_ns;       /* capture timestamp, ns since the epoch */
    uint32_t caplen;      /* bytes captured */
    uint32_t wirelen;     /* bytes on the wire (frame length, EVE byte counts) */
    uint32_t ip_bytes;    /* innermost IP: IPv4 total length, IPv6 payload length + 40 (Zeek ip_bytes) */
    uint32_t anomalies;   /* ANOM_* */
    struct ip_addr src, dst;
    uint8_t ip_version;   /* 4 or 6 (innermost) */
    uint8_t ttl;          /* TTL / hop limit */
    uint8_t l4_proto;     /* IPPROTO_* of the innermost transport */
    uint8_t vlan_count;
    uint16_t vlan[DECODE_MAX_VLAN]; /* outermost first */
    uint8_t tunnel_depth; /* 0 = not encapsulated */
    uint8_t csum;         /* enum csum_status of the TCP checksum */
    uint8_t reason;       /* enum decode_reason when truncated/malformed, else DR_NONE */

    /* TCP (valid when the outcome is DECODE_TCP) */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t window;      /* raw field, unscaled */
    uint16_t flags;       /* TCP_FIN ... TCP_AE */
    uint16_t urg_ptr;
    uint8_t tcp_hlen;     /* header length in bytes, 20..60 */
    uint32_t payload_len; /* from the IP length: what the sender sent */
    uint32_t payload_cap; /* how much of it was captured (<= payload_len) */
    struct tcp_opts opt;

    /* IP fragment (set only when the outcome is DECODE_FRAGMENT): where its pieces lie */
    struct frag_meta frag;
};

enum decode_outcome {
    DECODE_TCP = 0,       /* pkt_meta filled; hand to the flow table */
    DECODE_OTHER_L4,      /* IP packet whose transport is not TCP (UDP, ICMP, ...) */
    DECODE_NON_IP,        /* link payload is not IP (ARP, LLDP, ...) */
    DECODE_FRAGMENT,      /* IP fragment (first or later): m->frag says where; see defrag.h */
    DECODE_TRUNCATED,     /* caplen ran out before a header ended */
    DECODE_MALFORMED,     /* header fields contradict each other */
    DECODE_UNSUPPORTED,   /* link type we do not decode */
    DECODE_OUTCOME_COUNT
};

/*
 * Why a packet was truncated or malformed: one reason per layer and cause.
 * decode_reason_name() gives the stable snake_case name used in stats.
 */
enum decode_reason {
    DR_NONE = 0,
    DR_LINK_HEADER,         /* truncated: Ethernet/SLL/SLL2/NULL header */
    DR_VLAN_HEADER,         /* truncated: 802.1Q/802.1ad tag */
    DR_VLAN_TOO_MANY,       /* malformed: more than DECODE_MAX_VLAN tags */
    DR_MPLS_HEADER,         /* truncated: MPLS label stack */
    DR_IPV4_HEADER,         /* truncated: IPv4 header */
    DR_IPV4_VERSION,        /* malformed: version field != 4 */
    DR_IPV4_HLEN,           /* malformed: IHL < 5 */
    DR_IPV4_TOTAL_LEN,      /* malformed: total length < header length */
    DR_IPV4_OPTIONS,        /* truncated: header length beyond captured bytes */
    DR_IPV6_HEADER,         /* truncated: IPv6 fixed header */
    DR_IPV6_VERSION,        /* malformed: version field != 6 */
    DR_IPV6_EXT_HEADER,     /* truncated: extension header */
    DR_IPV6_EXT_CHAIN,      /* malformed: too many extension headers / bad length */
    DR_IP_VERSION,          /* malformed: raw IP with version not 4 or 6 */
    DR_TCP_HEADER,          /* truncated: fixed TCP header (20 bytes) */
    DR_TCP_HLEN,            /* malformed: data offset < 5 */
    DR_TCP_HLEN_BEYOND_IP,  /* malformed: data offset past the IP payload */
    DR_TCP_OPTIONS,         /* truncated: options past captured bytes */
    DR_TUNNEL_HEADER,       /* truncated: GRE/VXLAN/Geneve/Teredo/UDP header */
    DR_TUNNEL_TOO_DEEP,     /* malformed: more than DECODE_MAX_TUNNEL encapsulations */
    DR_EMPTY,               /* truncated: zero captured bytes */
    DR_COUNT
};

/*
 * Counter indices. decode_counter_name() gives the short name; the stats
 * path is Suricata's "decoder.<name>" where Suricata counts the same thing,
 * else "flowstate.decoder.<name>" (decode_stats_export).
 */
enum decode_counter {
    DC_PKTS = 0,   /* records past the BPF filter (Suricata decoder.pkts) */
    DC_BYTES,      /* sum of their captured lengths (Suricata: GET_PKT_LEN) */
    DC_WIRE_BYTES, /* sum of their wire lengths */
    DC_FILTERED,   /* rejected by the BPF filter (counted by the engine) */
    DC_ETHERNET,
    DC_SLL,
    DC_SLL2,
    DC_NULL,
    DC_RAW,
    DC_VLAN,         /* 802.1Q/802.1ad tags, one per tag (as Suricata) */
    DC_VLAN_QINQ,    /* packets with a second tag */
    DC_VLAN_QINQINQ, /* packets with a third tag */
    DC_MPLS,
    DC_IPV4,
    DC_IPV6,
    DC_TCP,
    DC_UDP,
    DC_ICMPV4,
    DC_ICMPV6,
    DC_SCTP,
    DC_ARP,
    DC_GRE,
    DC_VXLAN,
    DC_GENEVE,
    DC_TEREDO,
    DC_OTHER_IP,   /* IP with another transport; first flowstate-only counter */
    DC_OTHER_LINK, /* non-IP ethertypes other than ARP */
    DC_IPV4_IN_IP, /* IPv4 inside IPv4/IPv6 (proto 4) */
    DC_IPV6_IN_IP, /* IPv6 inside IPv4/IPv6 (proto 41) */
    DC_IPV4_FRAG,  /* IPv4 fragments (first and later) */
    DC_IPV6_FRAG,
    DC_TCP_CSUM_OK,
    DC_TCP_CSUM_BAD,
    DC_TCP_CSUM_UNCHECKED,
    DC_TCP_CSUM_OFFLOADED,
    DC_COUNT
};

/* Link types counted by name in stats (decoder.linktype.<name>). */
enum decode_link {
    DL_EN10MB = 0, DL_LINUX_SLL, DL_LINUX_SLL2, DL_RAW, DL_IPV4, DL_IPV6, DL_NULL, DL_LOOP,
    DL_OTHER, DL_COUNT
};

struct decode_stats {
    uint64_t counter[DC_COUNT];
    uint64_t outcome[DECODE_OUTCOME_COUNT];
    uint64_t truncated[DR_COUNT];
    uint64_t malformed[DR_COUNT];
    uint64_t link[DL_COUNT];
};

struct decode_opts {
    bool verify_checksums; /* default true */
};

/*
 * Decodes one captured frame of link type `dlt` (a DLT_* value as returned by
 * pcap_datalink()). Fills *m: every field is set or zeroed, except that
 * opt.sack[] past opt.sack_count, and frag unless the outcome is
 * DECODE_FRAGMENT, keep whatever they held (not cleared per packet: they are
 * the larger part of the struct). Counts into *st (link,
 * protocol, outcome and reason counters; NOT DC_PKTS/DC_BYTES/DC_WIRE_BYTES/
 * DC_FILTERED, which the engine counts). `caplen` bytes at `pkt` are
 * borrowed for the call only. Never fails: every input maps to an outcome.
 */
enum decode_outcome decode_packet(int dlt, const uint8_t *pkt, uint32_t caplen, uint32_t wirelen,
                                  uint64_t ts_ns, const struct decode_opts *opts,
                                  struct pkt_meta *m, struct decode_stats *st);

/*
 * Decodes one whole IP datagram (IPv4 or IPv6 by its version nibble, no link
 * header), such as one rebuilt by the defrag module. Same contract as
 * decode_packet() otherwise: fills *m (as decode_packet(); caplen and wirelen are
 * `len`), sets ANOM_IP_REASSEMBLED when `reassembled`, and counts into *st,
 * which for reassembled datagrams is a separate struct (exported with
 * decode_stats_export_defrag()) so that the per-record outcome invariant of
 * the main counters is untouched. `len` bytes at `ip` are borrowed for the
 * call only.
 */
enum decode_outcome decode_ip_datagram(const uint8_t *ip, uint32_t len, uint64_t ts_ns,
                                       bool reassembled, const struct decode_opts *opts,
                                       struct pkt_meta *m, struct decode_stats *st);

const char *decode_outcome_name(enum decode_outcome o);
const char *decode_reason_name(enum decode_reason r);
const char *decode_counter_name(enum decode_counter c);
const char *decode_link_name(enum decode_link l);

/* True if the decoder handles this DLT. */
bool decode_dlt_supported(int dlt);

/*
 * Appends every counter (reason maps and link types: non-zero only):
 * Suricata's "decoder.<name>" for DC_PKTS ... DC_TEREDO, then flowstate's
 * own as "flowstate.decoder.<name>", among them the outcomes, whose sum is
 * decoder.pkts.
 */
void decode_stats_export(const struct decode_stats *st, struct stat_list *out);

/*
 * Appends the outcomes of reassembled datagrams as "flowstate.decoder.defrag.outcome.<name>"
 * items (all of them; the caller decides whether the defrag group is shown).
 */
void decode_stats_export_defrag(const struct decode_stats *st, struct stat_list *out);

/* Formats an address as text (inet_ntop rules; IPv6 compressed). buf >= 46 bytes. */
const char *ip_addr_str(const struct ip_addr *a, uint8_t version, char *buf, size_t len);

#endif
