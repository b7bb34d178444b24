/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_STATE_PRIVATE_H
#define FLOWSTATE_TCP_STATE_PRIVATE_H

/*
 * What tcp_state.c (the machine) shares with tcp_state_judge.c (timeout
 * class, stuck judgement, summary) and with the unit tests: the bits of
 * struct tcp_state, the endpoint events and their transition table, and the
 * general step with a record of the transitions it made. Nothing outside
 * src/tcp/tcp_state*.c and tests/unit/ includes this header.
 */

#include <stdbool.h>
#include <stdint.h>

#include "tcp/tcp_seq.h"
#include "tcp/tcp_state.h"

/* tcp_state_ep.flags */
#define TSE_SYN        0x0001u /* sent a SYN: isn valid */
#define TSE_SYNACK     0x0002u /* sent a SYN-ACK */
#define TSE_SEQ        0x0004u /* snd_nxt valid */
#define TSE_ACK        0x0008u /* max_ack valid */
#define TSE_FIN        0x0010u /* sent a FIN: fin_seq valid */
#define TSE_SACK       0x0020u /* SACK-permitted on its SYN */
#define TSE_TS         0x0040u /* timestamps on its SYN */
#define TSE_WIN        0x0080u /* win valid */
#define TSE_WIN_SYN    0x0100u /* win came from a SYN: never scaled */
#define TSE_GAP        0x0200u /* a hole in its sequence space was seen */
#define TSE_REXMIT     0x0400u /* retransmitted since the last progress */
#define TSE_SENT_SHIFT 11
#define TSE_SENT_MASK  0x1800u /* segments since the last progress, saturating at 3 */
#define TSE_INF_SYNACK 0x2000u /* its SYN-ACK was inferred from the third ACK (never seen) */
#define TSE_INF_FIN    0x4000u /* its FIN was inferred from the peer's ACK (never seen) */

/* tcp_state.flags */
#define TSF_ROLES       0x01u /* roles decided */
#define TSF_CLIENT_BA   0x02u /* the client sends in FLOW_DIR_BA */
#define TSF_MIDSTREAM   0x04u /* no SYN from the client seen */
#define TSF_GUESSED     0x08u /* roles from ports */
#define TSF_FROM_SYNACK 0x10u /* roles from a SYN-ACK */
#define TSF_RESET       0x20u /* an accepted RST ended the connection */
#define TSF_LOSS        0x40u /* a packet of it fell where the capture lost packets */

#define TCP_NS_PER_MS 1000000ull

/*
 * What can happen to one endpoint, as the observer sees it. The step decides
 * which events a segment is (the guards: sequence numbers, flags, what the
 * peer did); the table alone decides what each event does in each state.
 * "Sends" is about segments the endpoint sent, "gets" about segments
 * travelling to it.
 */
enum tcp_ep_event {
    TCP_EV_SEND_SYN,         /* sends a SYN without ACK; the peer has sent no SYN-ACK */
    TCP_EV_SEND_SYNACK,      /* sends a SYN-ACK as its first SYN (passive open) */
    TCP_EV_ANSWER_SYN,       /* sends a SYN-ACK after its own bare SYN (simultaneous open) */
    TCP_EV_GET_FIRST_SYNACK, /* the first segment seen is a SYN-ACK to it: its SYN was missed */
    TCP_EV_MIDSTREAM,        /* the first segment seen carries no SYN: picked up midstream */
    TCP_EV_SEND_THIRD_ACK,   /* sends, without SYN, the ACK that establishes its peer */
    TCP_EV_SYN_ACKED,        /* gets an acceptable ACK of its SYN */
    TCP_EV_SEND_FIN,         /* sends its first FIN */
    TCP_EV_SEND_FIN_CROSSED, /* sends its first FIN while the peer's FIN is unacknowledged */
    TCP_EV_GET_FIN,          /* gets the peer's first FIN */
    TCP_EV_FIN_ACKED,        /* gets the ACK of its FIN */
    TCP_EV_RST,              /* an acceptable RST, either way */
    TCP_EV_2MSL,             /* 2 * MSL of capture time passed */
    TCP_EV_COUNT
};

/*
 * The transition table (tcp_state.c): tcp_state_next[s][e] is the state an
 * endpoint in state s enters on event e, or TCP_ST_NONE when e leaves it in s
 * (no transition leads back to NONE, and none from a state to itself).
 */
extern const uint8_t tcp_state_next[TCP_ST_COUNT][TCP_EV_COUNT];

/* Stable lower-case name of an event, for tests and messages ("send_syn"). */
const char *tcp_ep_event_name(enum tcp_ep_event e);

/* One transition made, for the record below. */
struct tcp_state_transition {
    uint8_t ep;    /* key direction of the endpoint that moved */
    uint8_t from;  /* enum tcp_state_id */
    uint8_t event; /* enum tcp_ep_event */
    uint8_t to;    /* enum tcp_state_id */
};

#define TCP_STATE_TRACE_MAX 16

/* The transitions of one step, in the order made (caller storage; n counts beyond MAX). */
struct tcp_state_trace {
    unsigned n;
    struct tcp_state_transition t[TCP_STATE_TRACE_MAX];
};

/*
 * tcp_state_step() without its fast path (every segment through the general
 * step) that also records each transition it makes in *trace (appended: the
 * caller zeroes n). Same contract and results as tcp_state_step(); the
 * differential test compares the two.
 */
enum tcp_step_result tcp_state_step_traced(struct tcp_state *st, struct tcp_state_cold *sc,
                                           struct flow *f, int dir, const struct pkt_meta *m,
                                           uint64_t pkt_no, const struct tcp_cfg *cfg,
                                           struct tcp_state_trace *trace);

/*
 * Moves every endpoint whose TIME_WAIT ran out by now_ns to CLOSED (TCP_EV_2MSL,
 * dated when it ran out, not now); trace may be NULL.
 */
void tcp_state_expire(struct tcp_state *st, struct tcp_state_cold *sc, uint64_t now_ns,
                      struct tcp_state_trace *trace);

static inline uint64_t
tcp_state_two_msl_ns(const struct tcp_state *st)
{
    return (uint64_t)st->msl_ms * 2u * TCP_NS_PER_MS;
}

/* Key direction of the client. */
static inline int
tcp_state_client_idx(const struct tcp_state *st)
{
    return (st->flags & TSF_CLIENT_BA) ? FLOW_DIR_BA : FLOW_DIR_AB;
}

/* Segments ep sent since the last progress (0-3). */
static inline unsigned
tcp_state_sent_count(const struct tcp_state_ep *e)
{
    return (e->flags & TSE_SENT_MASK) >> TSE_SENT_SHIFT;
}

static inline bool
tcp_state_is_done(uint8_t s)
{
    return s == TCP_ST_TIME_WAIT || s == TCP_ST_CLOSED;
}

/* True when ep[i]'s FIN was acknowledged by its peer. */
static inline bool
tcp_state_fin_acked(const struct tcp_state *st, const struct tcp_state_cold *sc, int i)
{
    const struct tcp_state_ep *e = &st->ep[i], *peer = &st->ep[1 - i];

    return (e->flags & TSE_FIN) && (peer->flags & TSE_ACK) &&
           seq_geq(peer->max_ack, sc->fin_seq[i] + 1u);
}

/*
 * State of ep[i] at capture time now, with a 2 MSL timer that ran out applied
 * (the table's TCP_EV_2MSL row); *since (may be NULL) gets when it was entered.
 */
static inline uint8_t
tcp_state_at(const struct tcp_state *st, const struct tcp_state_cold *sc, int i, uint64_t now,
             uint64_t *since)
{
    uint8_t s = st->ep[i].state;
    uint64_t t = sc->since_ns[i];
    uint64_t tw = tcp_state_two_msl_ns(st);

    if (s < TCP_ST_COUNT && tcp_state_next[s][TCP_EV_2MSL] != TCP_ST_NONE && now >= t &&
        now - t >= tw) {
        s = tcp_state_next[s][TCP_EV_2MSL];
        t += tw;
    }
    if (since != NULL)
        *since = t;
    return s;
}

#endif
