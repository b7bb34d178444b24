/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_state: the per-endpoint RFC 9293 state machine as inferred by an
 * observer on the wire, with seq/ack validation. It owns struct tcp_state
 * (inside struct tcp_session, in the flow's extension area) and is called by
 * tcp_session.c first for every segment, because only it may declare a
 * segment the start of a new connection on the same tuple (port reuse).
 * tcp_state_judge.c reads the state for the timeout class, the stuck
 * judgement and the summary; tcp_state_private.h is what the two share.
 *
 * Endpoints are indexed by the key direction of the segments they SEND; the
 * client/server roles are a bit in st->flags mirrored into f->client_dir, so
 * a role flip moves nothing. All sequence arithmetic is modulo 2^32 through
 * tcp_seq.h.
 *
 * Every endpoint state change is one row of tcp_state_next[] below (state x
 * event -> state, the RFC 9293 section beside each row), applied by
 * ep_transition() and nowhere else. The handlers only decide which events a
 * segment is. The diagram (after RFC 9293 3.3.2, figure 5) is a picture of
 * that table; the table is the definition, and check_tcp_state.c reaches
 * every row with a packet sequence and checks that no state changes outside
 * it. "sends X" means the observer saw the endpoint send X; "gets X" means
 * the observer saw X travelling to it. There is no LISTEN: a passive opener
 * is NONE until it sends its SYN-ACK.
 *
 *                              +---------+
 *                              |  NONE   |
 *                              +---------+
 *             sends SYN          |     |   sends SYN-ACK
 *           +--------------------+     +----------------------+
 *           v                                                 v
 *     +----------+  sends SYN-ACK (simultaneous open)  +--------------+
 *     | SYN_SENT |------------------------------------>| SYN_RECEIVED |
 *     +----------+                                     +--------------+
 *           | sends ACK of the peer's SYN                     | gets ACK of its SYN
 *           +----------------------+     +--------------------+
 *                                  v     v
 *                             +-------------+
 *               sends FIN     | ESTABLISHED |  gets FIN
 *           +-----------------+-------------+-----------------+
 *           v                                                 v
 *    +------------+                                     +------------+
 *    | FIN_WAIT_1 |  gets FIN, own FIN unacked          | CLOSE_WAIT |
 *    |            |------------------+                  +------------+
 *    +------------+                  |                        | sends FIN
 *           | gets ACK of FIN        v                        v
 *           v                 +---------+               +----------+
 *    +------------+           | CLOSING |               | LAST_ACK |
 *    | FIN_WAIT_2 |           +---------+               +----------+
 *    +------------+                  | gets ACK of FIN        | gets ACK of FIN
 *           | gets FIN               v                        v
 *           |               +-----------+  2 * MSL      +--------+
 *           +-------------->| TIME_WAIT |-------------->| CLOSED |
 *                           +-----------+               +--------+
 *
 *  An accepted RST moves both endpoints to CLOSED from any state. Rows the
 *  picture leaves out: a connection picked up midstream (NONE to SYN_SENT
 *  or ESTABLISHED), a FIN before the handshake completed (to FIN_WAIT_1), a
 *  FIN from CLOSE_WAIT that crossed the peer's (to CLOSING).
 *
 * Observer choices (documented once here, cited at the code):
 *  - The receiver of a FIN enters CLOSE_WAIT when the FIN is seen on the wire,
 *    not when it acknowledges it: the capture point usually sits near one end.
 *  - A CLOSE_WAIT endpoint whose own FIN does not acknowledge the peer's FIN sent
 *    it before receiving the peer's: simultaneous close, both go CLOSING.
 *  - TIME_WAIT ends 2 * MSL of capture time after it began, evaluated lazily
 *    at step, check_stuck and summarize time; a retransmitted FIN restarts it
 *    (RFC 9293 3.10.7.4, TIME-WAIT state).
 *  - TV_ACK_UNSENT_DATA is judged only when the acked endpoint's ISN was seen
 *    (not inferred) and no hole was ever seen in its sequence space (a segment
 *    starting past its snd_nxt): otherwise the capture may have missed what
 *    was acked.
 *  - Windows are scaled only when both SYNs were seen and both carried the
 *    window-scale option (RFC 7323 2.2); a window on a SYN is never scaled.
 *    When either SYN was missed, the data window check is skipped and the RST
 *    window check assumes the largest shift (14).
 *  - A RST is exact when its seq equals the receiver's RCV.NXT as the observer
 *    knows it (the receiver's highest ack, else the sender's snd_nxt) or the
 *    sender's own snd_nxt (the receiver may not have acked yet).
 *  - Violation examples record expected/seen as wire numbers; for
 *    TV_BAD_FLAGS expected is 0 and seen the flags, for
 *    TV_DATA_BEFORE_HANDSHAKE expected is 0 and seen the payload length.
 *  - Violation counters saturate at 65535 (uint16_t, to keep the state small).
 *  - Inferred events: the capture may lose a packet the endpoints saw. An
 *    acceptable ACK exactly one past the last byte of a peer that is
 *    ESTABLISHED or CLOSE_WAIT and sent no FIN acknowledges a FIN the capture
 *    missed: the peer takes SEND_FIN (its FIN at its snd_nxt), the sender
 *    GET_FIN, then the ACK is taken as usual (FIN_ACKED). A client in
 *    SYN_SENT that sends an ACK without SYN while the server is still NONE
 *    received a SYN-ACK the capture missed: the server takes SEND_SYNACK with
 *    ISN = ack - 1, then the ACK completes the handshake as usual. Both are
 *    marked per endpoint (TSE_INF_FIN, TSE_INF_SYNACK; EVE "inferred"); an
 *    inferred SYN-ACK carried options nobody saw, so window scaling is then
 *    unknown. A lost 1-byte segment followed by a lost FIN-less close would
 *    look the same as a missed FIN: the rule takes the FIN.
 *  - Progress is a state change, an ack advancing, or a zero window reopening.
 *    New data alone is not progress (a peer that vanished keeps the sender
 *    sending). A session is stuck when there was no progress for
 *    cfg->stuck_after_ns; stuck_since is the time of the last progress. Progress
 *    clears the stuck judgement: in live mode the session can be reported
 *    stuck again later; for files check_stuck runs once at end of input, so the
 *    judgement reported is the final one.
 */
#include <config.h>

#include "tcp/tcp_state.h"

#include <string.h>

#include "tcp/tcp_seq.h"
#include "tcp/tcp_state_private.h"
#include "util/compiler.h"

_Static_assert(sizeof(struct tcp_state_ep) == 16, "tcp_state_ep layout");
_Static_assert(sizeof(struct tcp_state_example) == 24, "tcp_state_example layout");
_Static_assert(sizeof(struct tcp_state) == 48, "tcp_state (hot part) must stay within 48 bytes");
_Static_assert(sizeof(struct tcp_state_cold) == 304, "tcp_state_cold layout");

/*
 * The transition table. Grouped by state: what can happen in FIN_WAIT_1 is
 * the FIN_WAIT_1 block. An event without a row leaves the state as it is
 * (it may still be counted as a violation, or change flags and numbers).
 */
#define ROW(from, ev, to) [TCP_ST_##from][TCP_EV_##ev] = TCP_ST_##to
const uint8_t tcp_state_next[TCP_ST_COUNT][TCP_EV_COUNT] = {
    ROW(NONE, SEND_SYN, SYN_SENT),             /* 3.5 figure 6, 3.10.1: active OPEN */
    ROW(NONE, SEND_SYNACK, SYN_RECEIVED),      /* 3.10.7.2 LISTEN: a SYN, answered */
    ROW(NONE, GET_FIRST_SYNACK, SYN_SENT),     /* 3.10.7.3: only SYN-SENT takes a SYN-ACK */
    ROW(NONE, MIDSTREAM, ESTABLISHED),         /* 3.3.2: data flows in the synchronized states */
    ROW(NONE, SEND_FIN, FIN_WAIT_1),           /* 3.10.4 CLOSE: a FIN is sent, FIN-WAIT-1 */
    ROW(NONE, SEND_FIN_CROSSED, FIN_WAIT_1),   /* 3.10.4 CLOSE */
    ROW(NONE, RST, CLOSED),                    /* 3.10.7.3 SYN-SENT, first check: RST answers */

    ROW(SYN_SENT, SEND_SYNACK, SYN_RECEIVED),  /* 3.10.7.3 SYN-SENT, fourth check (its SYN missed) */
    ROW(SYN_SENT, ANSWER_SYN, SYN_RECEIVED),   /* 3.10.7.3 SYN-SENT, fourth check; 3.5 figure 7 */
    ROW(SYN_SENT, SEND_THIRD_ACK, ESTABLISHED),/* 3.10.7.3 SYN-SENT: SND.UNA > ISS, send ACK */
    ROW(SYN_SENT, SEND_FIN, FIN_WAIT_1),       /* 3.10.4 CLOSE (the observer saw a FIN) */
    ROW(SYN_SENT, SEND_FIN_CROSSED, FIN_WAIT_1), /* 3.10.4 CLOSE */
    ROW(SYN_SENT, RST, CLOSED),                /* 3.10.7.3 SYN-SENT: RST with acceptable ACK */

    ROW(SYN_RECEIVED, SYN_ACKED, ESTABLISHED), /* 3.10.7.4 fifth check, SYN-RECEIVED */
    ROW(SYN_RECEIVED, SEND_FIN, FIN_WAIT_1),   /* 3.10.4 CLOSE, SYN-RECEIVED */
    ROW(SYN_RECEIVED, SEND_FIN_CROSSED, FIN_WAIT_1), /* 3.10.4 CLOSE, SYN-RECEIVED */
    ROW(SYN_RECEIVED, GET_FIN, CLOSE_WAIT),    /* 3.10.7.4 eighth check, SYN-RECEIVED */
    ROW(SYN_RECEIVED, RST, CLOSED),            /* 3.10.7.4 first check; RFC 5961 3.2 */

    ROW(ESTABLISHED, SEND_FIN, FIN_WAIT_1),    /* 3.10.4 CLOSE, ESTABLISHED */
    ROW(ESTABLISHED, SEND_FIN_CROSSED, FIN_WAIT_1), /* 3.10.4 CLOSE, ESTABLISHED */
    ROW(ESTABLISHED, GET_FIN, CLOSE_WAIT),     /* 3.10.7.4 eighth check, ESTABLISHED */
    ROW(ESTABLISHED, RST, CLOSED),             /* 3.10.7.4 first check; RFC 5961 3.2 */

    ROW(FIN_WAIT_1, FIN_ACKED, FIN_WAIT_2),    /* 3.10.7.4 fifth check, FIN-WAIT-1 */
    ROW(FIN_WAIT_1, GET_FIN, CLOSING),         /* 3.10.7.4 eighth check, FIN-WAIT-1 */
    ROW(FIN_WAIT_1, RST, CLOSED),              /* 3.10.7.4 first check */

    ROW(FIN_WAIT_2, GET_FIN, TIME_WAIT),       /* 3.10.7.4 eighth check, FIN-WAIT-2 */
    ROW(FIN_WAIT_2, RST, CLOSED),              /* 3.10.7.4 first check */

    ROW(CLOSE_WAIT, SEND_FIN, LAST_ACK),       /* 3.10.4 CLOSE, CLOSE-WAIT */
    ROW(CLOSE_WAIT, SEND_FIN_CROSSED, CLOSING),/* 3.6: simultaneous close (observer choice) */
    ROW(CLOSE_WAIT, RST, CLOSED),              /* 3.10.7.4 first check */

    ROW(CLOSING, FIN_ACKED, TIME_WAIT),        /* 3.10.7.4 fifth check, CLOSING */
    ROW(CLOSING, RST, CLOSED),                 /* 3.10.7.4 first check */

    ROW(LAST_ACK, FIN_ACKED, CLOSED),          /* 3.10.7.4 fifth check, LAST-ACK */
    ROW(LAST_ACK, RST, CLOSED),                /* 3.10.7.4 first check */

    ROW(TIME_WAIT, 2MSL, CLOSED),              /* 3.10.8: the time-wait timeout */
    ROW(TIME_WAIT, RST, CLOSED),               /* 3.10.7.4 first check, TIME-WAIT */
};
#undef ROW

/* An ack this far behind the highest one is counted as moving backwards (at least). */
#define ACK_BACKWARDS_SLACK_MIN 66000u /* Linux conntrack MAXACKWINCONST */

struct step_ctx {
    struct tcp_state *st;
    struct tcp_state_cold *sc;
    struct flow *f;
    const struct pkt_meta *m;
    struct tcp_state_trace *trace; /* NULL but in tcp_state_step_traced() */
    uint64_t pkt_no;
    uint64_t ts;
    int d, p; /* sender and receiver index */
    bool progressed;
};

const char *
tcp_ep_event_name(enum tcp_ep_event e)
{
    static const char *const names[TCP_EV_COUNT] = {
        [TCP_EV_SEND_SYN] = "send_syn",
        [TCP_EV_SEND_SYNACK] = "send_synack",
        [TCP_EV_ANSWER_SYN] = "answer_syn",
        [TCP_EV_GET_FIRST_SYNACK] = "get_first_synack",
        [TCP_EV_MIDSTREAM] = "midstream",
        [TCP_EV_SEND_THIRD_ACK] = "send_third_ack",
        [TCP_EV_SYN_ACKED] = "syn_acked",
        [TCP_EV_SEND_FIN] = "send_fin",
        [TCP_EV_SEND_FIN_CROSSED] = "send_fin_crossed",
        [TCP_EV_GET_FIN] = "get_fin",
        [TCP_EV_FIN_ACKED] = "fin_acked",
        [TCP_EV_RST] = "rst",
        [TCP_EV_2MSL] = "2msl",
    };

    return (unsigned)e < TCP_EV_COUNT ? names[e] : "?";
}

/* The state an endpoint in state s enters on event ev; TCP_ST_NONE: it stays. */
static CC_ALWAYS_INLINE uint8_t
next_state(uint8_t s, enum tcp_ep_event ev)
{
    return s < TCP_ST_COUNT ? tcp_state_next[s][ev] : TCP_ST_NONE;
}

/*
 * The one place an endpoint's state changes: ep[i] takes event ev at capture
 * time `when`. Returns true if the table moved it, false if the event leaves
 * it where it is. Progress is the caller's business (a timer is not progress).
 * The lookup is inline (most events leave the state alone); the change is not.
 */
static CC_NOINLINE void
ep_enter(struct tcp_state *st, struct tcp_state_cold *sc, int i, enum tcp_ep_event ev,
         uint8_t to, uint64_t when, struct tcp_state_trace *trace)
{
    uint8_t from = st->ep[i].state;

    st->ep[i].state = to;
    sc->since_ns[i] = when;
    if (trace != NULL) {
        if (trace->n < TCP_STATE_TRACE_MAX)
            trace->t[trace->n] = (struct tcp_state_transition){
                .ep = (uint8_t)i, .from = from, .event = (uint8_t)ev, .to = to};
        trace->n++;
    }
}

static CC_ALWAYS_INLINE bool
ep_transition(struct tcp_state *st, struct tcp_state_cold *sc, int i, enum tcp_ep_event ev,
              uint64_t when, struct tcp_state_trace *trace)
{
    uint8_t to = next_state(st->ep[i].state, ev);

    if (to == TCP_ST_NONE)
        return false;
    ep_enter(st, sc, i, ev, to, when, trace);
    return true;
}

void
tcp_state_expire(struct tcp_state *st, struct tcp_state_cold *sc, uint64_t now,
                 struct tcp_state_trace *trace)
{
    /* only a TIME_WAIT endpoint can change: the cold since_ns is read for it alone */
    for (int i = 0; i < 2; i++) {
        uint64_t since;
        uint8_t s;

        if (CC_LIKELY(st->ep[i].state != TCP_ST_TIME_WAIT))
            continue;
        s = tcp_state_at(st, sc, i, now, &since);
        if (s != st->ep[i].state)
            (void)ep_transition(st, sc, i, TCP_EV_2MSL, since, trace);
    }
}

static CC_ALWAYS_INLINE void
progress(struct step_ctx *c)
{
    struct tcp_state *st = c->st;

    st->progress_ns = c->ts;
    st->stuck = TCP_STUCK_NONE;
    for (int i = 0; i < 2; i++)
        st->ep[i].flags &= (uint16_t) ~(TSE_SENT_MASK | TSE_REXMIT);
    c->progressed = true;
}

/* ep[i] takes event ev now; a state change is progress. Returns true if it moved. */
static CC_ALWAYS_INLINE bool
fire(struct step_ctx *c, int i, enum tcp_ep_event ev)
{
    if (!ep_transition(c->st, c->sc, i, ev, c->ts, c->trace))
        return false;
    progress(c);
    return true;
}

static CC_COLD void
violation(struct step_ctx *c, enum tcp_violation k, uint32_t expected, uint32_t seen)
{
    struct tcp_state *st = c->st;
    struct tcp_state_cold *sc = c->sc;

    unsigned same = 0;

    if (sc->viol[c->d][k] != UINT16_MAX)
        sc->viol[c->d][k]++;
    /* the first few of EACH kind: a flood of one kind must not hide the others */
    for (unsigned i = 0; i < st->n_examples; i++)
        same += sc->ex[i].kind == k;
    if (st->n_examples < TCP_VIOLATION_KEEP && same < TCP_VIOLATION_KEEP_PER_KIND) {
        struct tcp_state_example *x = &sc->ex[st->n_examples++];

        x->ts_ns = c->ts;
        x->expected = expected;
        x->seen = seen;
        x->pkt_lo = (uint32_t)c->pkt_no;
        x->pkt_hi = (uint16_t)(c->pkt_no >> 32);
        x->kind = (uint8_t)k;
        x->dir = (uint8_t)c->d;
    }
}

static void
set_roles(struct step_ctx *c, int client, uint8_t how)
{
    struct tcp_state *st = c->st;

    st->flags = (uint8_t)(st->flags & ~(TSF_CLIENT_BA | TSF_GUESSED | TSF_FROM_SYNACK));
    st->flags |= (uint8_t)(TSF_ROLES | how | (client == FLOW_DIR_BA ? TSF_CLIENT_BA : 0));
    c->f->client_dir = (uint8_t)client;
    c->f->flags = (uint8_t)(c->f->flags & ~(FLOW_F_ROLES_GUESSED | FLOW_F_ROLES_FROM_SYNACK));
    if (how & TSF_GUESSED)
        c->f->flags |= FLOW_F_ROLES_GUESSED;
    if (how & TSF_FROM_SYNACK)
        c->f->flags |= FLOW_F_ROLES_FROM_SYNACK;
}

/*
 * Midstream role guess: a port below 1024 marks the server; otherwise (both
 * or neither) the lower port is the server; equal ports make the first
 * sender the client.
 */
int
tcp_state_guess_client(const struct flow *f, int first_sender)
{
    uint16_t pa = f->key.pa, pb = f->key.pb;
    bool la = pa < 1024, lb = pb < 1024;

    if (la != lb)
        return la ? FLOW_DIR_BA : FLOW_DIR_AB;
    if (pa != pb)
        return pa < pb ? FLOW_DIR_BA : FLOW_DIR_AB;
    return first_sender;
}

/*
 * Receive window of ep[r] in bytes. *exact is false when the scaling in use is
 * unknown (a SYN was missed); the result is then the largest possible window.
 */
static CC_ALWAYS_INLINE uint32_t
rcv_window(const struct tcp_state *st, int r, bool *exact)
{
    const struct tcp_state_ep *e = &st->ep[r];
    unsigned shift = 0;

    *exact = true;
    if (e->flags & TSE_WIN_SYN) {
        shift = 0; /* RFC 7323 2.2: the window in a SYN is never scaled */
    } else if (!(st->ep[0].flags & TSE_SYN) || !(st->ep[1].flags & TSE_SYN) ||
               ((st->ep[0].flags | st->ep[1].flags) & TSE_INF_SYNACK)) {
        shift = 14;
        *exact = false;
    } else if (st->ep[0].wscale >= 0 && st->ep[1].wscale >= 0) {
        shift = (unsigned)e->wscale; /* RFC 7323 2.2: only when both SYNs offered it */
    }
    return (uint32_t)e->win << shift;
}

static CC_ALWAYS_INLINE void
note_window(struct step_ctx *c)
{
    struct tcp_state_ep *e = &c->st->ep[c->d];
    bool reopened = (e->flags & TSE_WIN) && e->win == 0 && c->m->window != 0;

    e->win = c->m->window;
    e->flags |= TSE_WIN;
    if (c->m->flags & TCP_SYN)
        e->flags |= TSE_WIN_SYN;
    else
        e->flags &= (uint16_t)~TSE_WIN_SYN;
    if (reopened)
        progress(c);
}

/* Records an acceptable ack from the sender; the peer's snd_nxt follows it. */
static CC_ALWAYS_INLINE void
take_ack(struct step_ctx *c, uint32_t ack)
{
    struct tcp_state_ep *e = &c->st->ep[c->d], *peer = &c->st->ep[c->p];

    if (!(e->flags & TSE_ACK) || seq_gt(ack, e->max_ack)) {
        bool had = e->flags & TSE_ACK;

        e->max_ack = ack;
        e->flags |= TSE_ACK;
        if (had)
            progress(c);
    }
    if (!(peer->flags & TSE_SEQ)) {
        peer->snd_nxt = ack;
        peer->flags |= TSE_SEQ;
    } else if (seq_gt(ack, peer->snd_nxt)) {
        peer->snd_nxt = ack; /* the capture missed what was acked */
        peer->flags |= TSE_GAP;
    }
}

/*
 * True if ack acknowledges the receiver's SYN acceptably: ISS < SEG.ACK =<
 * SND.NXT (RFC 9293 3.10.7.3 for a SYN-ACK or a RST in SYN-SENT, 3.10.7.4
 * SYN-RECEIVED for the third ACK). SND.NXT covers TFO data on the SYN
 * (RFC 7413 4.2), which may or may not be acked. Needs the receiver's SYN seen.
 */
static bool
acks_peer_syn(const struct step_ctx *c, uint32_t ack)
{
    return seq_geq(ack, c->sc->isn[c->p] + 1u) && seq_leq(ack, c->st->ep[c->p].snd_nxt);
}

static void
handshake_done(struct step_ctx *c)
{
    struct tcp_state *st = c->st;

    if (st->handshake == TCP_HS_SYN_SYNACK)
        st->handshake = TCP_HS_COMPLETE;
    if (c->sc->ack_ts_ns == 0)
        c->sc->ack_ts_ns = c->ts;
}

/*
 * The sender's highest ack acknowledges the receiver's SYN: a SYN_RECEIVED
 * receiver is established; so is the sender when this is the third ACK, or
 * when its own SYN was acknowledged too (simultaneous open).
 */
static void
maybe_establish(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *e = &st->ep[c->d], *peer = &st->ep[c->p];

    /* the table first: in most states the event does nothing */
    if (next_state(peer->state, TCP_EV_SYN_ACKED) == TCP_ST_NONE || !(peer->flags & TSE_SYN) ||
        !(e->flags & TSE_ACK) || !seq_geq(e->max_ack, c->sc->isn[c->p] + 1u) ||
        !fire(c, c->p, TCP_EV_SYN_ACKED))
        return;
    if (!(c->m->flags & TCP_SYN) && fire(c, c->d, TCP_EV_SEND_THIRD_ACK)) {
        /* its sender received the SYN-ACK (RFC 9293 3.10.7.3) */
    } else if ((peer->flags & TSE_ACK) && seq_geq(peer->max_ack, c->sc->isn[c->d] + 1u)) {
        fire(c, c->d, TCP_EV_SYN_ACKED); /* both SYNs acknowledged (RFC 9293 3.5, figure 7) */
    }
    if (e->state == TCP_ST_ESTABLISHED)
        handshake_done(c);
}

/* The receiver of the sender's acceptable ack: its SYN or its FIN acknowledged. */
static void
ack_transitions(struct step_ctx *c)
{
    maybe_establish(c);
    if (tcp_state_fin_acked(c->st, c->sc, c->p))
        fire(c, c->p, TCP_EV_FIN_ACKED);
}

/* Checks the ack of a SYN-ACK against the SYN it answers. */
static void
synack_ack(struct step_ctx *c)
{
    uint32_t ack = c->m->ack;

    if ((c->st->ep[c->p].flags & TSE_SYN) && !acks_peer_syn(c, ack)) {
        violation(c, TV_SYNACK_BAD_ACK, c->sc->isn[c->p] + 1u, ack);
        return;
    }
    take_ack(c, ack);
    maybe_establish(c);
}

static void
record_syn(struct step_ctx *c)
{
    struct tcp_state_ep *e = &c->st->ep[c->d];
    const struct pkt_meta *m = c->m;
    uint32_t end = m->seq + 1u + m->payload_len; /* RFC 7413: TFO data follows the SYN */

    c->sc->isn[c->d] = m->seq;
    e->flags |= TSE_SYN;
    if (m->flags & TCP_ACK)
        e->flags |= TSE_SYNACK;
    if (m->opt.present & TCP_OPT_MSS)
        c->sc->mss[c->d] = m->opt.mss;
    if (m->opt.present & TCP_OPT_WSCALE)
        e->wscale = (int8_t)(m->opt.wscale > 14 ? 14 : m->opt.wscale); /* RFC 7323 2.3 */
    if (m->opt.present & TCP_OPT_SACKOK)
        e->flags |= TSE_SACK;
    if (m->opt.present & TCP_OPT_TS)
        e->flags |= TSE_TS;
    if (!(e->flags & TSE_SEQ) || seq_gt(end, e->snd_nxt))
        e->snd_nxt = end;
    e->flags |= TSE_SEQ;
}

/* A SYN (or SYN-ACK) from an endpoint that already sent one. */
static void
handle_syn_again(struct step_ctx *c)
{
    struct tcp_state_ep *e = &c->st->ep[c->d];
    const struct pkt_meta *m = c->m;

    /* RFC 9293 3.10.7.4 / RFC 5961 4: a SYN inside a connection is not obeyed */
    if (m->seq != c->sc->isn[c->d]) {
        violation(c, TV_SYN_ISN_CHANGED, c->sc->isn[c->d], m->seq);
        return;
    }
    note_window(c);
    if (!(m->flags & TCP_ACK))
        return; /* a SYN retransmission: same ISN, nothing changes */
    if (!(e->flags & TSE_SYNACK)) {
        /* it now answers the peer's SYN (RFC 9293 3.5, figure 7) */
        e->flags |= TSE_SYNACK;
        fire(c, c->d, TCP_EV_ANSWER_SYN);
        if (c->sc->synack_ts_ns == 0)
            c->sc->synack_ts_ns = c->ts;
    }
    synack_ack(c); /* retransmissions are checked again */
}

static void
handle_syn(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *peer = &st->ep[c->p];

    if (st->ep[c->d].flags & TSE_SYN) {
        handle_syn_again(c);
        return;
    }
    record_syn(c);
    note_window(c);
    if (!(c->m->flags & TCP_ACK)) {
        bool peer_none = peer->state == TCP_ST_NONE;

        /* RFC 9293 3.5: an active open; figure 7: both SYNs cross (simultaneous open) */
        if ((peer_none || (peer->state == TCP_ST_SYN_SENT && !(peer->flags & TSE_SYNACK))) &&
            fire(c, c->d, TCP_EV_SEND_SYN)) {
            st->handshake = peer_none ? TCP_HS_SYN_ONLY : TCP_HS_SIMULTANEOUS;
            if (peer_none && c->sc->syn_ts_ns == 0)
                c->sc->syn_ts_ns = c->ts;
        } else if (st->flags & TSF_GUESSED) {
            set_roles(c, c->d, 0); /* a SYN after a midstream pickup names the client */
        }
        return;
    }

    /* first SYN-ACK from this endpoint */
    if (st->flags & TSF_GUESSED)
        set_roles(c, c->p, TSF_FROM_SYNACK); /* a SYN-ACK overrides (and may flip) the guess */
    if (fire(c, c->d, TCP_EV_SEND_SYNACK)) {
        if (st->handshake == TCP_HS_SYN_ONLY)
            st->handshake = TCP_HS_SYN_SYNACK;
        if (c->sc->synack_ts_ns == 0)
            c->sc->synack_ts_ns = c->ts;
    }
    synack_ack(c);
}

/*
 * The peer's FIN was missed (see "Inferred events" above): it is placed at
 * the peer's snd_nxt and travels as handle_fin() would move it. The caller
 * then takes the ack that revealed it.
 */
static CC_COLD void
infer_fin(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *e = &st->ep[c->d], *peer = &st->ep[c->p];
    bool crossed = (e->flags & TSE_FIN) && !tcp_state_fin_acked(st, c->sc, c->d);

    peer->flags |= TSE_FIN | TSE_INF_FIN;
    c->sc->fin_seq[c->p] = peer->snd_nxt;
    peer->snd_nxt += 1u;
    fire(c, c->p, crossed ? TCP_EV_SEND_FIN_CROSSED : TCP_EV_SEND_FIN);
    fire(c, c->d, TCP_EV_GET_FIN);
}

/*
 * The server's SYN-ACK was missed (see "Inferred events" above): the
 * client's ACK tells its ISN. The caller then checks the ACK as the third.
 */
static CC_COLD void
infer_synack(struct step_ctx *c, uint32_t ack)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *peer = &st->ep[c->p];

    c->sc->isn[c->p] = ack - 1u;
    peer->flags |= TSE_SYN | TSE_SYNACK | TSE_SEQ | TSE_INF_SYNACK;
    peer->snd_nxt = ack;
    if (fire(c, c->p, TCP_EV_SEND_SYNACK) && st->handshake == TCP_HS_SYN_ONLY)
        st->handshake = TCP_HS_SYN_SYNACK;
}

/*
 * The ack checks of an established sender (the rest of handle_ack). Returns
 * true when the ack is to be taken.
 */
static CC_ALWAYS_INLINE bool
ack_acceptable(struct step_ctx *c, uint32_t ack)
{
    struct tcp_state_ep *e = &c->st->ep[c->d], *peer = &c->st->ep[c->p];

    /*
     * RFC 9293 3.10.7.4 fifth check: SEG.ACK < SND.UNA is an old (duplicate)
     * ack and is ignored. Networks, and even a 2-CPU capture tap, reorder
     * acks, so an ack a little behind is old, not wrong: like Linux conntrack
     * (MAXACKWINDOW, at least 66000 bytes) and Suricata (last_ack - window),
     * only an ack further back than the sender's receive window is counted.
     */
    if ((e->flags & TSE_ACK) && seq_lt(ack, e->max_ack)) {
        bool exact;
        uint32_t slack = rcv_window(c->st, c->d, &exact);

        if (slack < ACK_BACKWARDS_SLACK_MIN)
            slack = ACK_BACKWARDS_SLACK_MIN;
        if ((uint32_t)seq_diff(ack, e->max_ack) > slack)
            violation(c, TV_ACK_BACKWARDS, e->max_ack, ack);
        return false;
    }
    /* one past the last byte of a peer that sent no FIN: its FIN was missed */
    if (CC_UNLIKELY(ack == peer->snd_nxt + 1u) && (peer->flags & TSE_SEQ) &&
        !(peer->flags & TSE_FIN) &&
        (peer->state == TCP_ST_ESTABLISHED || peer->state == TCP_ST_CLOSE_WAIT)) {
        infer_fin(c);
        return true;
    }
    /* RFC 9293 3.10.7.4 fifth check: SEG.ACK > SND.NXT acks something not yet sent */
    if ((peer->flags & (TSE_SYN | TSE_SEQ)) == (TSE_SYN | TSE_SEQ) &&
        !(peer->flags & (TSE_GAP | TSE_INF_SYNACK)) && seq_gt(ack, peer->snd_nxt)) {
        violation(c, TV_ACK_UNSENT_DATA, peer->snd_nxt, ack);
        return false;
    }
    return true;
}

/* Acks on segments without SYN or RST. */
static void
handle_ack(struct step_ctx *c)
{
    struct tcp_state_ep *e = &c->st->ep[c->d], *peer = &c->st->ep[c->p];
    uint32_t ack = c->m->ack;

    /* a third ACK without a SYN-ACK before it: the SYN-ACK was missed */
    if (CC_UNLIKELY(e->state == TCP_ST_SYN_SENT) && peer->state == TCP_ST_NONE &&
        (e->flags & TSE_SYN) && !(peer->flags & TSE_SYN) && c->d == tcp_state_client_idx(c->st))
        infer_synack(c, ack);
    if (e->state == TCP_ST_SYN_SENT && peer->state == TCP_ST_SYN_RECEIVED &&
        (peer->flags & TSE_SYN)) {
        /* RFC 9293 3.10.7.4 SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT, else RST */
        if (!acks_peer_syn(c, ack)) {
            violation(c, TV_HANDSHAKE_BAD_ACK, c->sc->isn[c->p] + 1u, ack);
            return;
        }
        take_ack(c, ack);
        ack_transitions(c);
        return;
    }
    if (ack_acceptable(c, ack)) {
        take_ack(c, ack);
        ack_transitions(c);
    }
}

/* Sequence space, window and data checks of a segment without SYN or RST. */
static CC_ALWAYS_INLINE void
handle_data(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *e = &st->ep[c->d], *peer = &st->ep[c->p];
    const struct pkt_meta *m = c->m;
    uint32_t len = m->payload_len;
    uint32_t end = m->seq + len + ((m->flags & TCP_FIN) ? 1u : 0u);

    /* RFC 9293 3.10.7.4 first check: RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND */
    if (len > 0 && (peer->flags & TSE_ACK) && (peer->flags & TSE_WIN)) {
        bool exact;
        uint32_t edge = peer->max_ack + rcv_window(st, c->p, &exact);
        /* a one-byte probe into a zero window is expected (RFC 9293 3.8.6.1) */
        bool probe = peer->win == 0 && len == 1;

        if (exact && !probe && seq_gt(m->seq + len, edge))
            violation(c, TV_OUT_OF_WINDOW, edge, m->seq + len);
    }
    /* RFC 9293 3.6: after its FIN an endpoint sends no new data */
    if (CC_UNLIKELY(e->flags & TSE_FIN) && len > 0 && seq_gt(m->seq + len, c->sc->fin_seq[c->d]))
        violation(c, TV_DATA_AFTER_FIN, c->sc->fin_seq[c->d], m->seq + len);

    if (e->flags & TSE_SEQ) {
        if (end != m->seq && seq_lt(m->seq, e->snd_nxt))
            e->flags |= TSE_REXMIT;
        if (seq_gt(m->seq, e->snd_nxt))
            e->flags |= TSE_GAP;
        if (seq_gt(end, e->snd_nxt))
            e->snd_nxt = end;
    } else {
        e->snd_nxt = end;
        e->flags |= TSE_SEQ;
    }

    /*
     * RFC 9293 3.10.7.3: a SYN-SENT client sends data only with or after the
     * ACK that completes the handshake (data on the SYN itself is TFO, RFC 7413).
     */
    if (len > 0 && c->d == tcp_state_client_idx(st) && e->state == TCP_ST_SYN_SENT)
        violation(c, TV_DATA_BEFORE_HANDSHAKE, 0, len);
}

static void
handle_fin(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *e = &st->ep[c->d], *peer = &st->ep[c->p];
    uint32_t fseq = c->m->seq + c->m->payload_len;
    bool crossed;

    if (e->flags & TSE_FIN) {
        /* RFC 9293 3.4: a retransmitted FIN occupies the same sequence number */
        if (fseq != c->sc->fin_seq[c->d])
            violation(c, TV_FIN_CHANGED, c->sc->fin_seq[c->d], fseq);
        /* RFC 9293 3.10.7.4 TIME-WAIT: a FIN again restarts the 2 MSL timeout */
        if (peer->state == TCP_ST_TIME_WAIT)
            c->sc->since_ns[c->p] = c->ts;
        return;
    }
    e->flags |= TSE_FIN;
    c->sc->fin_seq[c->d] = fseq;
    /* RFC 9293 3.6: a FIN that does not ack the peer's FIN crossed it */
    crossed = (peer->flags & TSE_FIN) && !tcp_state_fin_acked(st, c->sc, c->p);
    fire(c, c->d, crossed ? TCP_EV_SEND_FIN_CROSSED : TCP_EV_SEND_FIN);
    /* the receiver, as the FIN travels to it (RFC 9293 3.10.7.4, eighth check) */
    fire(c, c->p, TCP_EV_GET_FIN);
}

static void
accept_rst(struct step_ctx *c)
{
    c->st->flags |= TSF_RESET;
    fire(c, c->d, TCP_EV_RST);
    fire(c, c->p, TCP_EV_RST);
    progress(c);
}

static void
handle_rst(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *e = &st->ep[c->d], *peer = &st->ep[c->p];
    const struct pkt_meta *m = c->m;
    uint32_t nxt;

    if ((st->flags & TSF_RESET) || (tcp_state_is_done(e->state) && tcp_state_is_done(peer->state)))
        return; /* stragglers after the end */

    if (peer->state == TCP_ST_SYN_SENT && !(e->flags & TSE_SYN) && (peer->flags & TSE_SYN)) {
        /* RFC 9293 3.10.7.3 SYN-SENT: a RST counts only if its ACK acknowledges the SYN */
        if ((m->flags & TCP_ACK) && acks_peer_syn(c, m->ack)) {
            accept_rst(c);
            st->handshake = TCP_HS_REJECTED;
        } else {
            violation(c, TV_RST_OUT_OF_WINDOW, c->sc->isn[c->p] + 1u,
                      (m->flags & TCP_ACK) ? m->ack : 0);
        }
        return;
    }

    /* RFC 9293 3.10.7.4 first check and RFC 5961 3.2: reset only at exactly RCV.NXT */
    if (peer->flags & TSE_ACK) {
        nxt = peer->max_ack;
    } else if (e->flags & TSE_SEQ) {
        nxt = e->snd_nxt;
    } else {
        accept_rst(c); /* nothing known to judge it by */
        return;
    }
    if (m->seq == nxt || ((e->flags & TSE_SEQ) && m->seq == e->snd_nxt) ||
        !(peer->flags & TSE_WIN)) {
        accept_rst(c);
        return;
    }
    bool exact;
    uint32_t w = rcv_window(st, c->p, &exact);

    if (seq_in_range(m->seq, nxt, nxt + w))
        violation(c, TV_RST_INEXACT, nxt, m->seq); /* challenge ACK case, not obeyed */
    else
        violation(c, TV_RST_OUT_OF_WINDOW, nxt, m->seq);
}

/* First segment of the session (roles undecided, both endpoints NONE). */
static void
first_segment(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    const struct pkt_meta *m = c->m;
    uint16_t fl = m->flags;

    if ((fl & TCP_SYN) && !(fl & TCP_ACK)) {
        set_roles(c, c->d, 0);
    } else if (fl & TCP_SYN) {
        /* the SYN was missed: the receiver of the SYN-ACK is the client */
        set_roles(c, c->p, TSF_FROM_SYNACK);
        st->flags |= TSF_MIDSTREAM;
        st->handshake = TCP_HS_MIDSTREAM;
        fire(c, c->p, TCP_EV_GET_FIRST_SYNACK);
        st->ep[c->p].snd_nxt = m->ack;
        st->ep[c->p].flags |= TSE_SEQ;
    } else {
        set_roles(c, tcp_state_guess_client(c->f, c->d), TSF_GUESSED);
        st->flags |= TSF_MIDSTREAM;
        st->handshake = TCP_HS_MIDSTREAM;
        fire(c, c->d, TCP_EV_MIDSTREAM);
        fire(c, c->p, TCP_EV_MIDSTREAM);
        st->ep[c->d].snd_nxt = m->seq;
        st->ep[c->d].flags |= TSE_SEQ;
        if (fl & TCP_ACK) {
            st->ep[c->p].snd_nxt = m->ack;
            st->ep[c->p].flags |= TSE_SEQ;
        }
    }
    progress(c);
}

static bool
bad_flags(const struct pkt_meta *m)
{
    uint16_t fl = m->flags;

    if (m->anomalies & ANOM_TCP_BAD_FLAGS)
        return true;
    /* RFC 9293 3.1 / RFC 9293 3.10.7: SYN with FIN or RST, or no control bit at all */
    return ((fl & TCP_SYN) && (fl & (TCP_FIN | TCP_RST))) ||
           (fl & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) == 0;
}

/* The connection is over: reset, both endpoints closed, or both FINs acked. */
static bool
conn_finished(const struct tcp_state *st, const struct tcp_state_cold *sc)
{
    if (st->flags & TSF_RESET)
        return true;
    if (tcp_state_is_done(st->ep[0].state) && tcp_state_is_done(st->ep[1].state))
        return true;
    return tcp_state_fin_acked(st, sc, 0) && tcp_state_fin_acked(st, sc, 1);
}

/* A bare SYN on a finished tuple (or a SYN above the old space in TIME_WAIT). */
static bool
is_reuse(const struct tcp_state *st, const struct tcp_state_cold *sc, int d,
         const struct pkt_meta *m)
{
    const struct tcp_state_ep *e = &st->ep[d];

    if (!(st->flags & TSF_ROLES))
        return false;
    if (st->flags & TSF_RESET)
        return true; /* RFC 9293 3.10.7.4: after a RST the old connection is gone */
    if (conn_finished(st, sc))
        return !(e->flags & TSE_SYN) || m->seq != sc->isn[d];
    /*
     * A bare SYN with a new ISN while the sender is still in SYN_SENT is a new
     * connect() on the same tuple, not a jump inside one connection: the old
     * attempt was abandoned (Wireshark starts a new stream here too; a
     * retransmitted SYN keeps its ISN, RFC 9293 3.8.1).
     */
    if (e->state == TCP_ST_SYN_SENT && (e->flags & TSE_SYN) && m->seq != sc->isn[d])
        return true;
    /* RFC 9293 3.10.7.4 TIME-WAIT, RFC 6191 2: a SYN beyond the old sequence may reopen */
    if ((st->ep[0].state == TCP_ST_TIME_WAIT || st->ep[1].state == TCP_ST_TIME_WAIT) &&
        (e->flags & TSE_SEQ) && seq_gt(m->seq, e->snd_nxt))
        return true;
    return false;
}

void
tcp_state_init_zeroed(struct tcp_state *st)
{
    st->ep[0].wscale = -1;
    st->ep[1].wscale = -1;
    st->msl_ms = 30000;
}

void
tcp_state_init(struct tcp_state *st, struct tcp_state_cold *sc)
{
    memset(st, 0, sizeof(*st));
    memset(sc, 0, sizeof(*sc));
    tcp_state_init_zeroed(st);
}

/* Every step ends here: a segment that made no progress counts towards "stuck". */
static CC_ALWAYS_INLINE enum tcp_step_result
step_done(struct step_ctx *c)
{
    struct tcp_state_ep *e = &c->st->ep[c->d];

    if (!c->progressed && tcp_state_sent_count(e) < 3)
        e->flags = (uint16_t)(e->flags + (1u << TSE_SENT_SHIFT));
    return TCP_STEP_OK;
}

/* Any segment: the whole evaluation, in RFC 9293 3.10.7's order of checks. */
static enum tcp_step_result
step_general(struct step_ctx *c, const struct tcp_cfg *cfg)
{
    struct tcp_state *st = c->st;
    const struct pkt_meta *m = c->m;
    uint16_t fl = m->flags;

    /*
     * msl_ms matters only to a TIME_WAIT endpoint, and no endpoint reaches
     * TIME_WAIT without a FIN, i.e. without a step through here: the fast
     * path need not refresh it (the caller's cfg is the same for every step
     * of a session).
     */
    uint64_t msl_ms = (cfg->msl_ns + TCP_NS_PER_MS - 1) / TCP_NS_PER_MS;

    st->msl_ms = msl_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)msl_ms;
    tcp_state_expire(st, c->sc, c->ts, c->trace);

    if (bad_flags(m)) {
        violation(c, TV_BAD_FLAGS, 0, fl); /* counted, not obeyed */
        return step_done(c);
    }
    if ((fl & TCP_SYN) && !(fl & TCP_ACK) && is_reuse(st, c->sc, c->d, m))
        return TCP_STEP_REUSE;
    if (!(st->flags & TSF_ROLES))
        first_segment(c);

    if (fl & TCP_RST) {
        handle_rst(c);
        return step_done(c);
    }
    if (fl & TCP_SYN) {
        handle_syn(c);
        return step_done(c);
    }
    if (fl & TCP_ACK)
        handle_ack(c);
    handle_data(c);
    note_window(c);
    if (fl & TCP_FIN)
        handle_fin(c);
    return step_done(c);
}

/* The step context of a segment sent in key direction dir. */
static CC_ALWAYS_INLINE struct step_ctx
step_ctx_make(struct tcp_state *st, struct tcp_state_cold *sc, struct flow *f, int dir,
              const struct pkt_meta *m, uint64_t pkt_no, struct tcp_state_trace *trace)
{
    return (struct step_ctx){
        .st = st,
        .sc = sc,
        .f = f,
        .m = m,
        .trace = trace,
        .pkt_no = pkt_no,
        .ts = m->ts_ns,
        .d = dir ? FLOW_DIR_BA : FLOW_DIR_AB,
        .p = dir ? FLOW_DIR_AB : FLOW_DIR_BA,
    };
}

enum tcp_step_result
tcp_state_step(struct tcp_state *st, struct tcp_state_cold *sc, struct flow *f, int dir,
               const struct pkt_meta *m, uint64_t pkt_no, const struct tcp_cfg *cfg)
{
    uint16_t fl = m->flags;

    /*
     * The common segment: an ACK without SYN, FIN or RST between two
     * ESTABLISHED endpoints neither of which sent a FIN. For it the general
     * path reduces to exactly this: no TIME_WAIT to expire, bad_flags()
     * false, no reuse, roles already decided; in handle_ack() the SYN_SENT
     * case cannot apply, and after take_ack() no event has a row in
     * ESTABLISHED (maybe_establish() needs a SYN_RECEIVED peer, a FIN_ACKED
     * event a FIN).
     */
    if (CC_LIKELY((fl & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) == TCP_ACK &&
                  !(m->anomalies & ANOM_TCP_BAD_FLAGS) && st->ep[0].state == TCP_ST_ESTABLISHED &&
                  st->ep[1].state == TCP_ST_ESTABLISHED &&
                  !((st->ep[0].flags | st->ep[1].flags) & TSE_FIN) && (st->flags & TSF_ROLES))) {
        struct step_ctx c = step_ctx_make(st, sc, f, dir, m, pkt_no, NULL);

        if (ack_acceptable(&c, m->ack)) {
            take_ack(&c, m->ack);
            if (CC_UNLIKELY(st->ep[c.p].flags & TSE_FIN))
                ack_transitions(&c); /* a FIN inferred by ack_acceptable() */
        }
        handle_data(&c);
        note_window(&c);
        return step_done(&c);
    }
    struct step_ctx g = step_ctx_make(st, sc, f, dir, m, pkt_no, NULL);

    return step_general(&g, cfg);
}

enum tcp_step_result
tcp_state_step_traced(struct tcp_state *st, struct tcp_state_cold *sc, struct flow *f, int dir,
                      const struct pkt_meta *m, uint64_t pkt_no, const struct tcp_cfg *cfg,
                      struct tcp_state_trace *trace)
{
    struct step_ctx c = step_ctx_make(st, sc, f, dir, m, pkt_no, trace);

    return step_general(&c, cfg);
}
