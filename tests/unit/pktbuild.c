/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pktbuild: test-only builders for struct pkt_meta and raw frames, shared by
 * the decoder, flow and TCP suites. Builders write bytes; they never parse,
 * so they index their own output buffers directly (STYLE.md section 4 is
 * about reading untrusted packets). Not linked into the product.
 */
#include <config.h>

#include "pktbuild.h"

#include <string.h>

#define PB_CLIENT_PORT 40000u
#define PB_SERVER_PORT 80u
#define PB_MAX_FRAME   9100u /* IP + TCP + payload: a jumbo frame */

/* TCP option bytes for *s, padded with NOPs to a multiple of 4. Returns the length. */
static size_t
pb_tcp_options(uint8_t *o, const struct pb_seg *s)
{
    size_t n = 0;

    if (s->mss > 0) {
        o[n++] = 2;
        o[n++] = 4;
        o[n++] = (uint8_t)((unsigned)s->mss >> 8);
        o[n++] = (uint8_t)s->mss;
    }
    if (s->sack_ok) {
        o[n++] = 4;
        o[n++] = 2;
    }
    if (s->wscale >= 0) {
        o[n++] = 3;
        o[n++] = 3;
        o[n++] = (uint8_t)s->wscale;
    }
    while (n % 4 != 0)
        o[n++] = 1;
    return n;
}

void
pb_meta(struct pkt_meta *m, const struct pb_seg *s)
{
    static const uint8_t client[4] = {10, 0, 0, 1};
    static const uint8_t server[4] = {10, 0, 0, 2};
    uint8_t opts[16];
    size_t olen = pb_tcp_options(opts, s);

    memset(m, 0, sizeof(*m));
    m->ts_ns = s->ts_ns;
    m->ip_version = 4;
    m->ttl = 64;
    m->l4_proto = 6;
    m->csum = CSUM_OK;
    m->reason = DR_NONE;
    memcpy(s->from_client ? m->src.b : m->dst.b, client, 4);
    memcpy(s->from_client ? m->dst.b : m->src.b, server, 4);
    m->sport = (uint16_t)(s->from_client ? PB_CLIENT_PORT : PB_SERVER_PORT);
    m->dport = (uint16_t)(s->from_client ? PB_SERVER_PORT : PB_CLIENT_PORT);
    m->seq = s->seq;
    m->ack = s->ack;
    m->window = s->win;
    m->flags = s->flags;
    m->tcp_hlen = (uint8_t)(20 + olen);
    m->payload_len = s->len;
    m->payload_cap = s->len;
    m->ip_bytes = 20u + m->tcp_hlen + s->len;
    m->wirelen = 14u + m->ip_bytes;
    m->caplen = m->wirelen;
    if (s->mss > 0) {
        m->opt.present |= TCP_OPT_MSS;
        m->opt.mss = (uint16_t)s->mss;
    }
    if (s->wscale >= 0) {
        m->opt.present |= TCP_OPT_WSCALE;
        m->opt.wscale = (uint8_t)s->wscale;
    }
    if (s->sack_ok)
        m->opt.present |= TCP_OPT_SACKOK;
}

static void
pb_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
pb_put32(uint8_t *p, uint32_t v)
{
    pb_put16(p, (uint16_t)(v >> 16));
    pb_put16(p + 2, (uint16_t)v);
}

static uint32_t
pb_sum(const uint8_t *p, size_t n, uint32_t s)
{
    size_t i;

    for (i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

uint16_t
pb_csum_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

size_t
pb_ip_tcp(uint8_t *b, size_t cap, int v6, const struct pb_seg *s)
{
    static const uint8_t c4[4] = {10, 0, 0, 1}, s4[4] = {10, 0, 0, 2};
    static const uint8_t c6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    uint8_t tmp[PB_MAX_FRAME];
    uint8_t opts[16];
    size_t olen = pb_tcp_options(opts, s);
    size_t iph = v6 ? 40 : 20;
    size_t tcpl = 20 + olen + s->len;
    size_t total = iph + tcpl;
    uint8_t *ip = tmp, *t = tmp + iph;
    uint32_t ps;

    if (total > sizeof(tmp))
        return 0;
    memset(tmp, 0, total);
    if (v6) {
        ip[0] = 0x60;
        pb_put16(ip + 4, (uint16_t)tcpl);
        ip[6] = 6;
        ip[7] = 64;
        memcpy(ip + 8, s->from_client ? c6 : s6, 16);
        memcpy(ip + 24, s->from_client ? s6 : c6, 16);
        ps = pb_sum(ip + 8, 32, 0);
    } else {
        ip[0] = 0x45;
        pb_put16(ip + 2, (uint16_t)total);
        pb_put16(ip + 4, 0x1234);
        ip[8] = 64;
        ip[9] = 6;
        memcpy(ip + 12, s->from_client ? c4 : s4, 4);
        memcpy(ip + 16, s->from_client ? s4 : c4, 4);
        pb_put16(ip + 10, pb_csum_fold(pb_sum(ip, 20, 0)));
        ps = pb_sum(ip + 12, 8, 0);
    }
    pb_put16(t, (uint16_t)(s->from_client ? PB_CLIENT_PORT : PB_SERVER_PORT));
    pb_put16(t + 2, (uint16_t)(s->from_client ? PB_SERVER_PORT : PB_CLIENT_PORT));
    pb_put32(t + 4, s->seq);
    pb_put32(t + 8, s->ack);
    t[12] = (uint8_t)(((20 + olen) / 4) << 4 | (s->flags >> 8 & 1));
    t[13] = (uint8_t)s->flags;
    pb_put16(t + 14, s->win);
    memcpy(t + 20, opts, olen);
    ps += 6 + (uint32_t)tcpl;
    pb_put16(t + 16, pb_csum_fold(pb_sum(t, tcpl, ps)));
    if (total > cap)
        total = cap;
    memcpy(b, tmp, total);
    return total;
}

size_t
pb_frame_eth_tcp(uint8_t *buf, size_t cap, int v6, const struct pb_seg *s)
{
    static const uint8_t mac[12] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6};
    uint8_t tmp[PB_MAX_FRAME + 14];
    size_t n = pb_ip_tcp(tmp + 14, sizeof(tmp) - 14, v6, s);

    if (n == 0)
        return 0;
    memcpy(tmp, mac, 12);
    pb_put16(tmp + 12, v6 ? 0x86dd : 0x0800);
    n += 14;
    if (n > cap)
        n = cap;
    memcpy(buf, tmp, n);
    return n;
}
