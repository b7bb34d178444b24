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

/* One option body (kind and length already read; b holds len - 2 bytes). */
static void
tcp_option(struct pkt_meta *m, uint8_t kind, struct cursor *b)
{
    size_t blen = cursor_left(b);
    struct tcp_opts *o = &m->opt;
    unsigned i;

    switch (kind) {
    case TCPOPT_MSS: /* RFC 9293 3.2 */
        if (blen != 2) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_MSS)) {
            o->mss = cursor_be16(b);
            o->present |= TCP_OPT_MSS;
        }
        break;
    case TCPOPT_WSCALE: /* RFC 7323 2.2 */
        if (blen != 1) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_WSCALE)) {
            o->wscale = cursor_u8(b);
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
                o->sack[i][0] = cursor_be32(b);
                o->sack[i][1] = cursor_be32(b);
            }
            o->present |= TCP_OPT_SACK;
        }
        break;
    case TCPOPT_TS: /* RFC 7323 3.2 */
        if (blen != 8) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_TS)) {
            o->ts_val = cursor_be32(b);
            o->ts_ecr = cursor_be32(b);
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
    case TCPOPT_EXP: { /* RFC 6994 experimental; 0xF989 is pre-RFC TFO */
        uint16_t exid = cursor_be16(b);

        if (b->overrun || exid != TCPOPT_TFO_MAGIC)
            break;
        blen -= 2;
        if (blen != 0 && (blen < 4 || blen > 16)) {
            opt_bad_field(m);
        } else if (opt_first(m, TCP_OPT_TFO)) {
            o->tfo_cookie_len = (uint8_t)blen;
            o->present |= TCP_OPT_TFO;
        }
        break;
    }
    default:
        break;
    }
}

static void
tcp_options(struct pkt_meta *m, struct cursor *o)
{
    while (cursor_left(o) > 0) {
        uint8_t kind = cursor_u8(o);
        uint8_t len;
        struct cursor body;

        if (kind == TCPOPT_EOL)
            break;
        if (kind == TCPOPT_NOP)
            continue;
        len = cursor_u8(o);
        /* RFC 9293 3.1: length counts kind and length; < 2 cannot advance */
        if (o->overrun || len < 2 || (size_t)len - 2 > cursor_left(o)) {
            m->anomalies |= ANOM_TCP_OPT_BAD_LEN;
            break;
        }
        body = cursor_sub(o, (size_t)len - 2);
        tcp_option(m, kind, &body);
    }
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
    uint32_t pseudo = l3->pseudo + l3->proto + (l3->l4_len >> 16) + (l3->l4_len & 0xffff);
    uint32_t s = pseudo;

    if (!d->opts->verify_checksums || !l3->csum_ok)
        return CSUM_UNCHECKED;
    if (!cursor_peek_sum(seg, l3->l4_len, &s))
        return CSUM_UNCHECKED; /* not all captured */
    if (s == 0xffff)
        return CSUM_OK;
    /* Transmit offload (CHECKSUM_PARTIAL): the stack stored only the folded
     * pseudo-header sum for the NIC to finish; seen on the sending host. */
    while (pseudo >> 16)
        pseudo = (pseudo & 0xffff) + (pseudo >> 16);
    if (field == pseudo)
        return CSUM_OFFLOADED;
    return CSUM_BAD;
}

enum decode_outcome
dec_tcp(struct dec_ctx *d, const struct l3_info *l3, struct cursor *c)
{
    struct pkt_meta *m = d->m;
    const struct cursor seg = *c;
    struct cursor opts;
    uint8_t off, fl;
    uint16_t csum;
    size_t hlen, cap;

    dec_count(d, DC_TCP);
    m->sport = cursor_be16(c);
    m->dport = cursor_be16(c);
    m->seq = cursor_be32(c);
    m->ack = cursor_be32(c);
    off = cursor_u8(c);
    fl = cursor_u8(c);
    m->window = cursor_be16(c);
    csum = cursor_be16(c);
    m->urg_ptr = cursor_be16(c);
    if (c->overrun) {
        if (l3->l4_len >= 20)
            return dec_truncated(d, DR_TCP_HEADER);
        return dec_malformed(d, DR_TCP_HLEN_BEYOND_IP);
    }
    m->flags = (uint16_t)(fl | (off & 0x01u) << 8);
    hlen = (size_t)(off >> 4) * 4;
    if (hlen < 20) /* RFC 9293 3.1: data offset is at least 5 */
        return dec_malformed(d, DR_TCP_HLEN);
    if (hlen > l3->l4_len)
        return dec_malformed(d, DR_TCP_HLEN_BEYOND_IP);
    m->tcp_hlen = (uint8_t)hlen;
    opts = cursor_sub(c, hlen - 20);
    if (c->overrun)
        return dec_truncated(d, DR_TCP_OPTIONS);
    tcp_options(m, &opts);

    m->payload_len = (uint32_t)(l3->l4_len - hlen);
    cap = cursor_left(c);
    m->payload_cap = cap < m->payload_len ? (uint32_t)cap : m->payload_len;
    if (m->payload_cap < m->payload_len)
        m->anomalies |= ANOM_TCP_PAYLOAD_TRUNC;
    if (!tcp_flags_valid(m->flags))
        m->anomalies |= ANOM_TCP_BAD_FLAGS;
    if (m->sport == 0 || m->dport == 0)
        m->anomalies |= ANOM_ZERO_ADDR_OR_PORT;
    m->csum = tcp_checksum(d, l3, &seg, csum);
    return DECODE_TCP;
}
