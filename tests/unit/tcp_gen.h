/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TESTS_TCP_GEN_H
#define FLOWSTATE_TESTS_TCP_GEN_H

/*
 * tcp_gen: a seeded generator of random TCP conversations as pkt_meta, for
 * the unit tests that check an observer's fast path against its general
 * path (the observer's .c compiled a second time with its *_FAST_PATH macro
 * set to 0). Mostly the common case (in-order data, pure ACKs, between two
 * established endpoints) with every kind of trouble mixed in: handshakes with
 * options or none, midstream starts, retransmissions, holes, duplicate ACKs,
 * zero windows and probes, keep-alives, FIN, RST, SYNs inside a connection,
 * odd flag combinations, wild sequence and ack numbers, time going backwards.
 * Direction 0 is the client (FLOW_DIR_AB, port 40000), 1 the server (port 80).
 * Header-only; deterministic for a seed. Setting bulk after tcp_gen_init()
 * adds that share of in-order segments, so that fast paths for the common
 * segment are taken often; bulk 0 keeps the original sequence.
 */

#include <stdint.h>
#include <string.h>

#include "decode/decode.h"

struct tcp_gen {
    uint64_t rng;
    uint64_t ts;
    uint32_t nxt[2];      /* next sequence number each side would send */
    uint32_t last_ack[2]; /* ack field of each side's last segment */
    uint16_t win[2];      /* window of each side's last segment */
    unsigned n;           /* segments since the conversation (re)started */
    unsigned bulk;        /* % of segments made in-order data or a plain ACK (0: none) */
};

static inline uint32_t
tcp_gen_rand(struct tcp_gen *g)
{
    /* xorshift64* */
    g->rng ^= g->rng >> 12;
    g->rng ^= g->rng << 25;
    g->rng ^= g->rng >> 27;
    return (uint32_t)((g->rng * 0x2545F4914F6CDD1Dull) >> 32);
}

static inline void
tcp_gen_restart(struct tcp_gen *g)
{
    g->nxt[0] = tcp_gen_rand(g);
    g->nxt[1] = tcp_gen_rand(g);
    g->last_ack[0] = g->last_ack[1] = 0;
    g->win[0] = g->win[1] = 65535;
    g->n = 0;
}

static inline void
tcp_gen_init(struct tcp_gen *g, uint64_t seed)
{
    memset(g, 0, sizeof(*g));
    g->rng = seed * 0x9E3779B97F4A7C15ull + 1;
    g->ts = 1700000000ull * 1000000000ull + (tcp_gen_rand(g) % 1000) * 1000000ull;
    tcp_gen_restart(g);
}

static inline void
tcp_gen_syn_opts(struct tcp_gen *g, struct pkt_meta *m)
{
    uint32_t r = tcp_gen_rand(g);

    m->opt.present = (uint8_t)(r & (TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_SACKOK | TCP_OPT_TS));
    m->opt.mss = (uint16_t)(536 + (r >> 8) % 9000);
    m->opt.wscale = (uint8_t)((r >> 20) % 16);
}

/* The next segment; *dir gets its key direction. */
static inline void
tcp_gen_next(struct tcp_gen *g, struct pkt_meta *m, int *dir)
{
    uint32_t r = tcp_gen_rand(g), kind = r % 100;
    int d = (int)((r >> 8) & 1), p;
    uint32_t len = 0;
    uint16_t fl = TCP_ACK;

    memset(m, 0, sizeof(*m));
    if (g->n < 3 && (tcp_gen_rand(g) % 8) != 0) {
        /* the handshake, mostly in order */
        d = g->n == 1 ? 1 : 0;
        p = 1 - d;
        m->seq = g->nxt[d]; /* for a SYN, nxt is the ISN */
        if (g->n == 0) {
            fl = TCP_SYN;
        } else {
            m->ack = g->nxt[p];
            fl = g->n == 1 ? TCP_SYN | TCP_ACK : TCP_ACK;
        }
        if (fl & TCP_SYN) {
            tcp_gen_syn_opts(g, m);
            g->nxt[d]++;
        }
    } else {
        p = 1 - d;
        m->seq = g->nxt[d];
        m->ack = g->nxt[p];
        /* A bulk transfer between the troubles (no extra draw when bulk is 0). */
        if (g->bulk != 0 && tcp_gen_rand(g) % 100 < g->bulk)
            kind = (r & 0x200000) ? 0 : 38;
        if (kind < 38) { /* in-order data */
            len = (tcp_gen_rand(g) % 4) == 0 ? 1 + tcp_gen_rand(g) % 3 : 1 + tcp_gen_rand(g) % 1460;
            fl |= (r & 0x10000) ? TCP_PSH : 0;
            g->nxt[d] += len;
        } else if (kind < 62) { /* pure ACK, sometimes partial */
            if (r & 0x20000)
                m->ack = g->nxt[p] - tcp_gen_rand(g) % 3000;
        } else if (kind < 67) { /* retransmission */
            uint32_t back = 1 + tcp_gen_rand(g) % 3000;
            m->seq = g->nxt[d] - back;
            len = 1 + tcp_gen_rand(g) % (back + 100);
        } else if (kind < 71) { /* a hole: data past what was sent */
            g->nxt[d] += 1 + tcp_gen_rand(g) % 5000;
            m->seq = g->nxt[d];
            len = 1 + tcp_gen_rand(g) % 1460;
            g->nxt[d] += len;
        } else if (kind < 75) { /* duplicate ACK */
            m->ack = g->last_ack[d];
            m->window = g->win[d];
        } else if (kind < 78) { /* zero window, or a probe into one */
            if (r & 0x40000)
                len = 1;
            else
                m->window = 0;
        } else if (kind < 80) { /* keep-alive */
            m->seq = g->nxt[d] - 1u;
            len = (r & 0x40000) ? 1 : 0;
        } else if (kind < 85) { /* FIN, with data or not */
            fl |= TCP_FIN;
            len = (r & 0x40000) ? 1 + tcp_gen_rand(g) % 100 : 0;
            g->nxt[d] += len + 1;
        } else if (kind < 88) { /* RST, exact or not, ACK or not */
            fl = (r & 0x40000) ? TCP_RST : TCP_RST | TCP_ACK;
            if (r & 0x80000)
                m->seq += tcp_gen_rand(g) % 70000;
        } else if (kind < 91) { /* SYN or SYN-ACK inside the connection, or a new one */
            fl = (r & 0x40000) ? TCP_SYN : TCP_SYN | TCP_ACK;
            if (r & 0x80000) {
                uint32_t old[2] = {g->nxt[0], g->nxt[1]};
                tcp_gen_restart(g);
                if (g->bulk != 0) { /* new ISNs ahead of the old ones: in order again */
                    g->nxt[0] = old[0] + g->nxt[0] % (1u << 30);
                    g->nxt[1] = old[1] + g->nxt[1] % (1u << 30);
                }
                m->seq = g->nxt[d];
                g->nxt[d]++;
                g->n = 1;
            } else {
                m->seq = g->nxt[d] - (tcp_gen_rand(g) % 2);
            }
            tcp_gen_syn_opts(g, m);
        } else if (kind < 94) { /* any flags, any numbers */
            fl = (uint16_t)(tcp_gen_rand(g) & 0x1ff);
            m->seq = (r & 0x40000) ? tcp_gen_rand(g) : m->seq;
            m->ack = (r & 0x80000) ? tcp_gen_rand(g) : m->ack;
            len = tcp_gen_rand(g) % 3 == 0 ? tcp_gen_rand(g) % 2000 : 0;
            if (r & 0x100000)
                m->anomalies |= ANOM_TCP_BAD_FLAGS;
        } else if (kind < 97) { /* an ack far ahead or behind */
            m->ack = g->nxt[p] + ((r & 0x40000) ? 1u : (uint32_t)-1) * (tcp_gen_rand(g) % 200000);
        } else { /* time jumps: far ahead, or backwards */
            if (r & 0x40000)
                g->ts += (uint64_t)(tcp_gen_rand(g) % 100) * 1000000000ull;
            else
                g->ts -= (uint64_t)(tcp_gen_rand(g) % 50) * 1000000ull;
        }
    }
    if (m->window == 0 && !(kind >= 75 && kind < 78 && !(r & 0x40000)))
        m->window = (tcp_gen_rand(g) % 4) == 0 ? (uint16_t)(tcp_gen_rand(g) % 65536) : g->win[d];
    g->ts += (tcp_gen_rand(g) % 8) == 0 ? (uint64_t)(tcp_gen_rand(g) % 50) * 1000000ull
                                         : (uint64_t)(tcp_gen_rand(g) % 2000) * 1000ull;
    m->ts_ns = g->ts;
    m->flags = fl;
    m->payload_len = len;
    m->payload_cap = len;
    m->sport = d == 0 ? 40000 : 80;
    m->dport = d == 0 ? 80 : 40000;
    m->l4_proto = 6;
    m->ip_version = 4;
    if (g->bulk != 0) {
        /*
         * Follow the highest sequence sent, as the observers do (a resend
         * reaching further, a RST or a wild seq ahead, an unprobed byte), so
         * later in-order segments are in order for them too.
         */
        uint32_t end = m->seq + len + ((fl & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
        int probe = len == 1 && m->seq == g->nxt[d] && g->win[1 - d] == 0;
        if (!probe && (int32_t)(end - g->nxt[d]) > 0)
            g->nxt[d] = end;
    }
    g->last_ack[d] = m->ack;
    g->win[d] = m->window;
    g->n++;
    *dir = d;
}

#endif
