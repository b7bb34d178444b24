/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_state: the per-endpoint RFC 9293 state machine as inferred by an
 * observer on the wire, with seq/ack validation. It owns struct tcp_state
 * (inside struct tcp_session, in the flow's extension area) and is called by
 * tcp_session.c first for every segment, because only it may declare a
 * segment the start of a new connection on the same tuple (port reuse).
 *
 * Endpoints are indexed by the key direction of the segments they SEND; the
 * client/server roles are a bit in st->flags mirrored into f->client_dir, so
 * a role flip moves nothing. All sequence arithmetic is modulo 2^32 through
 * tcp_seq.h.
 *
 * The diagram below (after RFC 9293 3.3.2, figure 5) shows the endpoint
 * transitions this observer applies. "sees X" means the observer saw the
 * endpoint send X; "gets X" means the observer saw X travelling to it. There
 * is no LISTEN: a passive opener is NONE until it sends its SYN-ACK.
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
 *  An accepted RST moves both endpoints to CLOSED from any state.
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
 *    and no hole was ever seen in its sequence space (a segment starting past
 *    its snd_nxt): otherwise the capture may have missed what was acked.
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

_Static_assert(sizeof(struct tcp_state_ep) == 16, "tcp_state_ep layout");
_Static_assert(sizeof(struct tcp_state_example) == 24, "tcp_state_example layout");
_Static_assert(sizeof(struct tcp_state) == 48, "tcp_state (hot part) must stay within 48 bytes");
_Static_assert(sizeof(struct tcp_state_cold) == 304, "tcp_state_cold layout");

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

/* tcp_state.flags */
#define TSF_ROLES       0x01u /* roles decided */
#define TSF_CLIENT_BA   0x02u /* the client sends in FLOW_DIR_BA */
#define TSF_MIDSTREAM   0x04u /* no SYN from the client seen */
#define TSF_GUESSED     0x08u /* roles from ports */
#define TSF_FROM_SYNACK 0x10u /* roles from a SYN-ACK */
#define TSF_RESET       0x20u /* an accepted RST ended the connection */
#define TSF_LOSS        0x40u /* a packet of it fell where the capture lost packets */

#define NS_PER_MS 1000000ull

/*
 * The common segment's helpers are forced inline (GCC and clang): called from
 * both the fast path and the general one, they would otherwise stay out of
 * line. Violations are rare: kept out of the way.
 */
#define HOT_INLINE static inline __attribute__((always_inline))

/*
 * 1 in the product. check_tcp_state.c compiles this file a second time with 0
 * (the general path alone) and checks both give the same results.
 */
#ifndef TCP_STATE_FAST_PATH
#define TCP_STATE_FAST_PATH 1
#endif
#define COLD_PATH  static __attribute__((cold, noinline))

/* An ack this far behind the highest one is counted as moving backwards (at least). */
#define ACK_BACKWARDS_SLACK_MIN 66000u /* Linux conntrack MAXACKWINCONST */

struct step_ctx {
    struct tcp_state *st;
    struct tcp_state_cold *sc;
    struct flow *f;
    const struct pkt_meta *m;
    uint64_t pkt_no;
    uint64_t ts;
    int d, p; /* sender and receiver index */
    bool progressed;
};

static uint64_t
two_msl_ns(const struct tcp_state *st)
{
    return (uint64_t)st->msl_ms * 2u * NS_PER_MS;
}

HOT_INLINE int
client_idx(const struct tcp_state *st)
{
    return (st->flags & TSF_CLIENT_BA) ? FLOW_DIR_BA : FLOW_DIR_AB;
}

HOT_INLINE unsigned
sent_count(const struct tcp_state_ep *e)
{
    return (e->flags & TSE_SENT_MASK) >> TSE_SENT_SHIFT;
}

static bool
is_done_state(uint8_t s)
{
    return s == TCP_ST_TIME_WAIT || s == TCP_ST_CLOSED;
}

/* True when ep[i]'s FIN was acknowledged by its peer. */
static bool
fin_acked(const struct tcp_state *st, const struct tcp_state_cold *sc, int i)
{
    const struct tcp_state_ep *e = &st->ep[i], *peer = &st->ep[1 - i];

    return (e->flags & TSE_FIN) && (peer->flags & TSE_ACK) &&
           seq_geq(peer->max_ack, sc->fin_seq[i] + 1u);
}

/* The connection is over: reset, both endpoints closed, or both FINs acked. */
static bool
conn_finished(const struct tcp_state *st, const struct tcp_state_cold *sc)
{
    if (st->flags & TSF_RESET)
        return true;
    if (is_done_state(st->ep[0].state) && is_done_state(st->ep[1].state))
        return true;
    return fin_acked(st, sc, 0) && fin_acked(st, sc, 1);
}

/* State of ep[i] at capture time now, with TIME_WAIT expired lazily. */
static uint8_t
state_at(const struct tcp_state *st, const struct tcp_state_cold *sc, int i, uint64_t now,
         uint64_t *since)
{
    uint8_t s = st->ep[i].state;
    uint64_t t = sc->since_ns[i];
    uint64_t tw = two_msl_ns(st);

    if (s == TCP_ST_TIME_WAIT && now >= t && now - t >= tw) {
        s = TCP_ST_CLOSED;
        t += tw;
    }
    if (since != NULL)
        *since = t;
    return s;
}

static void
expire_time_wait(struct tcp_state *st, struct tcp_state_cold *sc, uint64_t now)
{
    /* only a TIME_WAIT endpoint can change: the cold since_ns is read for it alone */
    for (int i = 0; i < 2; i++) {
        uint64_t since;
        uint8_t s;

        if (__builtin_expect(st->ep[i].state != TCP_ST_TIME_WAIT, 1))
            continue;
        s = state_at(st, sc, i, now, &since);
        if (s != st->ep[i].state) {
            st->ep[i].state = s;
            sc->since_ns[i] = since;
        }
    }
}

HOT_INLINE void
progress(struct step_ctx *c)
{
    struct tcp_state *st = c->st;

    st->progress_ns = c->ts;
    st->stuck = TCP_STUCK_NONE;
    for (int i = 0; i < 2; i++)
        st->ep[i].flags &= (uint16_t) ~(TSE_SENT_MASK | TSE_REXMIT);
    c->progressed = true;
}

static void
set_state(struct step_ctx *c, int i, enum tcp_state_id s)
{
    if (c->st->ep[i].state == s)
        return;
    c->st->ep[i].state = (uint8_t)s;
    c->sc->since_ns[i] = c->ts;
    progress(c);
}

COLD_PATH void
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
HOT_INLINE uint32_t
rcv_window(const struct tcp_state *st, int r, bool *exact)
{
    const struct tcp_state_ep *e = &st->ep[r];
    unsigned shift = 0;

    *exact = true;
    if (e->flags & TSE_WIN_SYN) {
        shift = 0; /* RFC 7323 2.2: the window in a SYN is never scaled */
    } else if (!(st->ep[0].flags & TSE_SYN) || !(st->ep[1].flags & TSE_SYN)) {
        shift = 14;
        *exact = false;
    } else if (st->ep[0].wscale >= 0 && st->ep[1].wscale >= 0) {
        shift = (unsigned)e->wscale; /* RFC 7323 2.2: only when both SYNs offered it */
    }
    return (uint32_t)e->win << shift;
}

HOT_INLINE void
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
HOT_INLINE void
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

static void
handshake_done(struct step_ctx *c)
{
    struct tcp_state *st = c->st;

    if (st->handshake == TCP_HS_SYN_SYNACK)
        st->handshake = TCP_HS_COMPLETE;
    if (c->sc->ack_ts_ns == 0)
        c->sc->ack_ts_ns = c->ts;
}

/* RFC 9293 3.10.7.4 (SYN-RECEIVED): an acceptable ACK of its SYN makes it ESTABLISHED. */
static void
maybe_establish(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *e = &st->ep[c->d], *peer = &st->ep[c->p];

    if (peer->state != TCP_ST_SYN_RECEIVED || !(peer->flags & TSE_SYN) || !(e->flags & TSE_ACK) ||
        !seq_geq(e->max_ack, c->sc->isn[c->p] + 1u))
        return;
    set_state(c, c->p, TCP_ST_ESTABLISHED);
    if (e->state == TCP_ST_SYN_SENT && !(c->m->flags & TCP_SYN)) {
        /* the third ACK: its sender received the SYN-ACK (RFC 9293 3.10.7.3) */
        set_state(c, c->d, TCP_ST_ESTABLISHED);
    } else if (e->state == TCP_ST_SYN_RECEIVED && (peer->flags & TSE_ACK) &&
               seq_geq(peer->max_ack, c->sc->isn[c->d] + 1u)) {
        /* simultaneous open: both SYNs acknowledged (RFC 9293 3.5, figure 7) */
        set_state(c, c->d, TCP_ST_ESTABLISHED);
    }
    if (e->state == TCP_ST_ESTABLISHED)
        handshake_done(c);
}

/* The receiver of the sender's ack: FIN acknowledged transitions. */
static void
ack_transitions(struct step_ctx *c)
{
    maybe_establish(c);
    if (!fin_acked(c->st, c->sc, c->p))
        return;
    switch ((enum tcp_state_id)c->st->ep[c->p].state) {
    case TCP_ST_FIN_WAIT_1: /* RFC 9293 3.10.7.4 FIN-WAIT-1: our FIN acked */
        set_state(c, c->p, TCP_ST_FIN_WAIT_2);
        break;
    case TCP_ST_CLOSING: /* RFC 9293 3.10.7.4 CLOSING */
        set_state(c, c->p, TCP_ST_TIME_WAIT);
        break;
    case TCP_ST_LAST_ACK: /* RFC 9293 3.10.7.4 LAST-ACK */
        set_state(c, c->p, TCP_ST_CLOSED);
        break;
    case TCP_ST_NONE:
    case TCP_ST_SYN_SENT:
    case TCP_ST_SYN_RECEIVED:
    case TCP_ST_ESTABLISHED:
    case TCP_ST_FIN_WAIT_2:
    case TCP_ST_CLOSE_WAIT:
    case TCP_ST_TIME_WAIT:
    case TCP_ST_CLOSED:
    case TCP_ST_COUNT:
        break;
    }
}

/* Checks the ack of a SYN-ACK against the SYN it answers. */
static void
synack_ack(struct step_ctx *c)
{
    struct tcp_state_ep *peer = &c->st->ep[c->p];
    uint32_t ack = c->m->ack;

    if (peer->flags & TSE_SYN) {
        uint32_t lo = c->sc->isn[c->p] + 1u;

        /*
         * RFC 9293 3.10.7.3: acceptable iff ISS < SEG.ACK =< SND.NXT; SND.NXT
         * covers TFO data on the SYN (RFC 7413 4.2), which may or may not be acked.
         */
        if (seq_lt(ack, lo) || seq_gt(ack, peer->snd_nxt)) {
            violation(c, TV_SYNACK_BAD_ACK, lo, ack);
            return;
        }
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

static void
handle_syn(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *e = &st->ep[c->d], *peer = &st->ep[c->p];
    const struct pkt_meta *m = c->m;
    bool ack = m->flags & TCP_ACK;

    if (e->flags & TSE_SYN) {
        /* RFC 9293 3.10.7.4 / RFC 5961 4: a SYN inside a connection is not obeyed */
        if (m->seq != c->sc->isn[c->d]) {
            violation(c, TV_SYN_ISN_CHANGED, c->sc->isn[c->d], m->seq);
            return;
        }
        note_window(c);
        if (ack) {
            if (!(e->flags & TSE_SYNACK)) {
                /* simultaneous open: the SYN_SENT side now answers the peer's SYN */
                e->flags |= TSE_SYNACK;
                if (e->state == TCP_ST_SYN_SENT)
                    set_state(c, c->d, TCP_ST_SYN_RECEIVED);
                if (c->sc->synack_ts_ns == 0)
                    c->sc->synack_ts_ns = c->ts;
            }
            synack_ack(c); /* retransmissions are checked again */
        }
        return; /* else a SYN retransmission: same ISN, nothing changes */
    }

    record_syn(c);
    note_window(c);
    if (!ack) {
        if (e->state == TCP_ST_NONE && peer->state == TCP_ST_NONE) {
            set_state(c, c->d, TCP_ST_SYN_SENT); /* RFC 9293 3.5: active open */
            st->handshake = TCP_HS_SYN_ONLY;
            if (c->sc->syn_ts_ns == 0)
                c->sc->syn_ts_ns = c->ts;
        } else if (e->state == TCP_ST_NONE && peer->state == TCP_ST_SYN_SENT &&
                   !(peer->flags & TSE_SYNACK)) {
            set_state(c, c->d, TCP_ST_SYN_SENT); /* RFC 9293 3.5 figure 7 */
            st->handshake = TCP_HS_SIMULTANEOUS;
        } else if (st->flags & TSF_GUESSED) {
            set_roles(c, c->d, 0); /* a SYN after a midstream pickup names the client */
        }
        return;
    }

    /* first SYN-ACK from this endpoint */
    if (st->flags & TSF_GUESSED)
        set_roles(c, c->p, TSF_FROM_SYNACK); /* a SYN-ACK overrides (and may flip) the guess */
    if (e->state == TCP_ST_NONE || e->state == TCP_ST_SYN_SENT) {
        set_state(c, c->d, TCP_ST_SYN_RECEIVED);
        if (st->handshake == TCP_HS_SYN_ONLY)
            st->handshake = TCP_HS_SYN_SYNACK;
        if (c->sc->synack_ts_ns == 0)
            c->sc->synack_ts_ns = c->ts;
    }
    synack_ack(c);
}

HOT_INLINE bool ack_acceptable(struct step_ctx *c, uint32_t ack);

/* Acks on segments without SYN or RST. */
static void
handle_ack(struct step_ctx *c)
{
    struct tcp_state_ep *e = &c->st->ep[c->d], *peer = &c->st->ep[c->p];
    uint32_t ack = c->m->ack;

    if (e->state == TCP_ST_SYN_SENT && peer->state == TCP_ST_SYN_RECEIVED &&
        (peer->flags & TSE_SYN)) {
        uint32_t lo = c->sc->isn[c->p] + 1u;

        /* RFC 9293 3.10.7.4 SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT, else RST */
        if (seq_lt(ack, lo) || seq_gt(ack, peer->snd_nxt)) {
            violation(c, TV_HANDSHAKE_BAD_ACK, lo, ack);
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

/*
 * The ack checks of an established sender (the rest of handle_ack). Returns
 * true when the ack is to be taken.
 */
HOT_INLINE bool
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
    /* RFC 9293 3.10.7.4 fifth check: SEG.ACK > SND.NXT acks something not yet sent */
    if ((peer->flags & (TSE_SYN | TSE_SEQ)) == (TSE_SYN | TSE_SEQ) && !(peer->flags & TSE_GAP) &&
        seq_gt(ack, peer->snd_nxt)) {
        violation(c, TV_ACK_UNSENT_DATA, peer->snd_nxt, ack);
        return false;
    }
    return true;
}

/* Sequence space, window and data checks of a segment without SYN or RST. */
HOT_INLINE void
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
    if (__builtin_expect(e->flags & TSE_FIN, 0) && len > 0 &&
        seq_gt(m->seq + len, c->sc->fin_seq[c->d]))
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
    if (len > 0 && c->d == client_idx(st) && e->state == TCP_ST_SYN_SENT)
        violation(c, TV_DATA_BEFORE_HANDSHAKE, 0, len);
}

static void
handle_fin(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *e = &st->ep[c->d], *peer = &st->ep[c->p];
    uint32_t fseq = c->m->seq + c->m->payload_len;

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

    switch ((enum tcp_state_id)e->state) {
    case TCP_ST_CLOSE_WAIT:
        /* RFC 9293 3.6: a FIN that does not ack the peer's FIN crossed it: simultaneous close */
        if (fin_acked(st, c->sc, c->p) || !(peer->flags & TSE_FIN))
            set_state(c, c->d, TCP_ST_LAST_ACK);
        else
            set_state(c, c->d, TCP_ST_CLOSING);
        break;
    case TCP_ST_NONE:
    case TCP_ST_SYN_SENT:
    case TCP_ST_SYN_RECEIVED:
    case TCP_ST_ESTABLISHED:
        set_state(c, c->d, TCP_ST_FIN_WAIT_1); /* RFC 9293 3.10.4 CLOSE */
        break;
    case TCP_ST_FIN_WAIT_1:
    case TCP_ST_FIN_WAIT_2:
    case TCP_ST_CLOSING:
    case TCP_ST_LAST_ACK:
    case TCP_ST_TIME_WAIT:
    case TCP_ST_CLOSED:
    case TCP_ST_COUNT:
        break;
    }

    /* the receiver, as the FIN travels to it (RFC 9293 3.10.7.4, eighth check) */
    switch ((enum tcp_state_id)peer->state) {
    case TCP_ST_SYN_RECEIVED:
    case TCP_ST_ESTABLISHED:
        set_state(c, c->p, TCP_ST_CLOSE_WAIT);
        break;
    case TCP_ST_FIN_WAIT_1: /* its own FIN not yet acked */
        set_state(c, c->p, TCP_ST_CLOSING);
        break;
    case TCP_ST_FIN_WAIT_2:
        set_state(c, c->p, TCP_ST_TIME_WAIT);
        break;
    case TCP_ST_NONE:
    case TCP_ST_SYN_SENT: /* RFC 9293 3.10.7.3: a FIN is not processed in SYN-SENT */
    case TCP_ST_CLOSE_WAIT:
    case TCP_ST_CLOSING:
    case TCP_ST_LAST_ACK:
    case TCP_ST_TIME_WAIT:
    case TCP_ST_CLOSED:
    case TCP_ST_COUNT:
        break;
    }
}

static void
accept_rst(struct step_ctx *c)
{
    c->st->flags |= TSF_RESET;
    set_state(c, c->d, TCP_ST_CLOSED);
    set_state(c, c->p, TCP_ST_CLOSED);
    progress(c);
}

static void
handle_rst(struct step_ctx *c)
{
    struct tcp_state *st = c->st;
    struct tcp_state_ep *e = &st->ep[c->d], *peer = &st->ep[c->p];
    const struct pkt_meta *m = c->m;
    uint32_t nxt;

    if ((st->flags & TSF_RESET) || (is_done_state(e->state) && is_done_state(peer->state)))
        return; /* stragglers after the end */

    if (peer->state == TCP_ST_SYN_SENT && !(e->flags & TSE_SYN) && (peer->flags & TSE_SYN)) {
        uint32_t lo = c->sc->isn[c->p] + 1u;

        /* RFC 9293 3.10.7.3 SYN-SENT: a RST counts only if its ACK acknowledges the SYN */
        if ((m->flags & TCP_ACK) && seq_geq(m->ack, lo) && seq_leq(m->ack, peer->snd_nxt)) {
            accept_rst(c);
            st->handshake = TCP_HS_REJECTED;
        } else {
            violation(c, TV_RST_OUT_OF_WINDOW, lo, (m->flags & TCP_ACK) ? m->ack : 0);
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

/* First segment of the session (roles undecided). */
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
        set_state(c, c->p, TCP_ST_SYN_SENT);
        st->ep[c->p].snd_nxt = m->ack;
        st->ep[c->p].flags |= TSE_SEQ;
    } else {
        set_roles(c, tcp_state_guess_client(c->f, c->d), TSF_GUESSED);
        st->flags |= TSF_MIDSTREAM;
        st->handshake = TCP_HS_MIDSTREAM;
        set_state(c, c->d, TCP_ST_ESTABLISHED);
        set_state(c, c->p, TCP_ST_ESTABLISHED);
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

enum tcp_step_result
tcp_state_step(struct tcp_state *st, struct tcp_state_cold *sc, struct flow *f, int dir,
               const struct pkt_meta *m, uint64_t pkt_no, const struct tcp_cfg *cfg)
{
    struct step_ctx c = {
        .st = st,
        .sc = sc,
        .f = f,
        .m = m,
        .pkt_no = pkt_no,
        .ts = m->ts_ns,
        .d = dir ? FLOW_DIR_BA : FLOW_DIR_AB,
        .p = dir ? FLOW_DIR_AB : FLOW_DIR_BA,
    };
    uint16_t fl = m->flags;

    /*
     * The common segment: an ACK without SYN, FIN or RST between two
     * ESTABLISHED endpoints neither of which sent a FIN. For it the general
     * path below reduces to exactly this: no TIME_WAIT to expire, bad_flags()
     * false, no reuse, roles already decided; in handle_ack() the SYN_SENT
     * case cannot apply, and after take_ack() neither maybe_establish() (the
     * peer is not SYN_RECEIVED) nor a FIN transition (no FIN sent) can fire.
     */
    if (TCP_STATE_FAST_PATH &&
        __builtin_expect((fl & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) == TCP_ACK &&
                             !(m->anomalies & ANOM_TCP_BAD_FLAGS) &&
                             st->ep[0].state == TCP_ST_ESTABLISHED &&
                             st->ep[1].state == TCP_ST_ESTABLISHED &&
                             !((st->ep[0].flags | st->ep[1].flags) & TSE_FIN) &&
                             (st->flags & TSF_ROLES),
                         1)) {
        if (ack_acceptable(&c, m->ack))
            take_ack(&c, m->ack);
        handle_data(&c);
        note_window(&c);
        goto out;
    }

    /*
     * msl_ms matters only to a TIME_WAIT endpoint, and no endpoint reaches
     * TIME_WAIT without a FIN, i.e. without a step through here: the fast
     * path need not refresh it (the caller's cfg is the same for every step
     * of a session).
     */
    uint64_t msl_ms = (cfg->msl_ns + NS_PER_MS - 1) / NS_PER_MS;

    st->msl_ms = msl_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)msl_ms;
    expire_time_wait(st, sc, c.ts);

    if (bad_flags(m)) {
        violation(&c, TV_BAD_FLAGS, 0, fl); /* counted, not obeyed */
        goto out;
    }
    if ((fl & TCP_SYN) && !(fl & TCP_ACK) && is_reuse(st, sc, c.d, m))
        return TCP_STEP_REUSE;
    if (!(st->flags & TSF_ROLES))
        first_segment(&c);

    if (fl & TCP_RST) {
        handle_rst(&c);
        goto out;
    }
    if (fl & TCP_SYN) {
        handle_syn(&c);
        goto out;
    }
    if (fl & TCP_ACK)
        handle_ack(&c);
    handle_data(&c);
    note_window(&c);
    if (fl & TCP_FIN)
        handle_fin(&c);
out:
    if (!c.progressed && sent_count(&st->ep[c.d]) < 3)
        st->ep[c.d].flags = (uint16_t)(st->ep[c.d].flags + (1u << TSE_SENT_SHIFT));
    return TCP_STEP_OK;
}

/*
 * tcp_state_tclass() as a table (it runs for every packet): the class each
 * endpoint state calls for, ordered like enum flow_tclass (NEW < ESTABLISHED
 * < CLOSING < CLOSED), so the flow's class is the larger of its two endpoints'.
 * tcp_state_tclass_ref() is the definition; a unit test checks they agree.
 */
static const uint8_t state_tclass[TCP_ST_COUNT] = {
    [TCP_ST_NONE] = FLOW_TC_NEW,
    [TCP_ST_SYN_SENT] = FLOW_TC_NEW,
    [TCP_ST_SYN_RECEIVED] = FLOW_TC_NEW,
    [TCP_ST_ESTABLISHED] = FLOW_TC_ESTABLISHED,
    [TCP_ST_FIN_WAIT_1] = FLOW_TC_CLOSING,
    [TCP_ST_FIN_WAIT_2] = FLOW_TC_CLOSING,
    [TCP_ST_CLOSE_WAIT] = FLOW_TC_CLOSING,
    [TCP_ST_CLOSING] = FLOW_TC_CLOSING,
    [TCP_ST_LAST_ACK] = FLOW_TC_CLOSING,
    [TCP_ST_TIME_WAIT] = FLOW_TC_CLOSED,
    [TCP_ST_CLOSED] = FLOW_TC_CLOSED,
};
_Static_assert(FLOW_TC_NEW < FLOW_TC_ESTABLISHED && FLOW_TC_ESTABLISHED < FLOW_TC_CLOSING &&
                   FLOW_TC_CLOSING < FLOW_TC_CLOSED,
               "state_tclass relies on the order of enum flow_tclass");

enum flow_tclass
tcp_state_tclass(const struct tcp_state *st)
{
    uint8_t s0 = st->ep[0].state, s1 = st->ep[1].state;
    unsigned a, b;

    if (st->flags & TSF_RESET)
        return FLOW_TC_CLOSED;
    a = s0 < TCP_ST_COUNT ? state_tclass[s0] : FLOW_TC_NEW;
    b = s1 < TCP_ST_COUNT ? state_tclass[s1] : FLOW_TC_NEW;
    return (enum flow_tclass)(a > b ? a : b);
}

enum flow_tclass
tcp_state_tclass_ref(const struct tcp_state *st)
{
    bool est = false, closing = false;

    if (st->flags & TSF_RESET)
        return FLOW_TC_CLOSED;
    for (int i = 0; i < 2; i++) {
        switch ((enum tcp_state_id)st->ep[i].state) {
        case TCP_ST_TIME_WAIT:
        case TCP_ST_CLOSED:
            return FLOW_TC_CLOSED;
        case TCP_ST_FIN_WAIT_1:
        case TCP_ST_FIN_WAIT_2:
        case TCP_ST_CLOSE_WAIT:
        case TCP_ST_CLOSING:
        case TCP_ST_LAST_ACK:
            closing = true;
            break;
        case TCP_ST_ESTABLISHED:
            est = true;
            break;
        case TCP_ST_NONE:
        case TCP_ST_SYN_SENT:
        case TCP_ST_SYN_RECEIVED:
        case TCP_ST_COUNT:
            break;
        }
    }
    if (closing)
        return FLOW_TC_CLOSING;
    return est ? FLOW_TC_ESTABLISHED : FLOW_TC_NEW;
}

static bool
outstanding(const struct tcp_state *st, int s)
{
    const struct tcp_state_ep *snd = &st->ep[s], *rcv = &st->ep[1 - s];

    return (snd->flags & TSE_SEQ) && (rcv->flags & TSE_ACK) && seq_gt(snd->snd_nxt, rcv->max_ack);
}

static enum tcp_stuck_kind
judge_stuck(const struct tcp_state *st, const struct tcp_state_cold *sc)
{
    for (int i = 0; i < 2; i++)
        if (st->ep[i].state == TCP_ST_SYN_SENT && st->ep[1 - i].state == TCP_ST_NONE)
            return TCP_STUCK_SYN_UNANSWERED;
    for (int r = 0; r < 2; r++) {
        const struct tcp_state_ep *rcv = &st->ep[r];

        if ((rcv->flags & TSE_WIN) && rcv->win == 0 &&
            (sent_count(&st->ep[1 - r]) > 0 || outstanding(st, 1 - r)))
            return TCP_STUCK_ZERO_WINDOW;
    }
    for (int i = 0; i < 2; i++)
        if (st->ep[i].state == TCP_ST_CLOSE_WAIT && fin_acked(st, sc, 1 - i))
            return TCP_STUCK_CLOSE_WAIT;
    for (int s = 0; s < 2; s++) {
        const struct tcp_state_ep *snd = &st->ep[s], *rcv = &st->ep[1 - s];

        if (outstanding(st, s) && (snd->flags & TSE_REXMIT))
            return TCP_STUCK_HALF_OPEN;
        if (sent_count(snd) >= 2 && sent_count(rcv) == 0 && (rcv->flags & TSE_WIN))
            return TCP_STUCK_HALF_OPEN;
    }
    return TCP_STUCK_NONE;
}

bool
tcp_state_check_stuck(struct tcp_state *st, struct tcp_state_cold *sc, const struct flow *f,
                      uint64_t now_ns, const struct tcp_cfg *cfg)
{
    enum tcp_stuck_kind k;

    (void)f;
    expire_time_wait(st, sc, now_ns);
    if (st->stuck != TCP_STUCK_NONE || !(st->flags & TSF_ROLES) || (st->flags & TSF_RESET))
        return false;
    for (int i = 0; i < 2; i++)
        if (is_done_state(st->ep[i].state))
            return false;
    if (now_ns < st->progress_ns || now_ns - st->progress_ns < cfg->stuck_after_ns)
        return false;
    k = judge_stuck(st, sc);
    if (k == TCP_STUCK_NONE)
        return false;
    st->stuck = (uint8_t)k;
    return true;
}

void
tcp_state_mark_loss(struct tcp_state *st)
{
    st->flags |= TSF_LOSS;
}

/* Suricata's single tcp.state, named from the server's side (doc/references.md 3.1). */
static const char *
suricata_state(const struct tcp_state *st, uint8_t client, uint8_t server)
{
    static const char *const names[TCP_ST_COUNT] = {
        [TCP_ST_NONE] = "none",
        [TCP_ST_SYN_SENT] = "syn_sent",
        [TCP_ST_SYN_RECEIVED] = "syn_recv",
        [TCP_ST_ESTABLISHED] = "established",
        [TCP_ST_FIN_WAIT_1] = "fin_wait1",
        [TCP_ST_FIN_WAIT_2] = "fin_wait2",
        [TCP_ST_CLOSE_WAIT] = "close_wait",
        [TCP_ST_CLOSING] = "closing",
        [TCP_ST_LAST_ACK] = "last_ack",
        [TCP_ST_TIME_WAIT] = "time_wait",
        [TCP_ST_CLOSED] = "closed",
    };

    if (st->flags & TSF_RESET)
        return "closed";
    if (server == TCP_ST_NONE)
        return client == TCP_ST_SYN_SENT ? "syn_sent" : "none";
    return server < TCP_ST_COUNT ? names[server] : "none";
}

static void
fill_ep(const struct tcp_state *st, const struct tcp_state_cold *sc, int i, uint64_t now,
        struct tcp_endpoint_summary *o)
{
    const struct tcp_state_ep *e = &st->ep[i];

    o->state = state_at(st, sc, i, now, &o->state_since_ns);
    o->isn_known = e->flags & TSE_SYN;
    o->isn = o->isn_known ? sc->isn[i] : 0;
    o->mss = sc->mss[i];
    o->wscale = e->wscale;
    o->sack_ok = e->flags & TSE_SACK;
    o->ts_ok = e->flags & TSE_TS;
    for (int k = 0; k < TV_COUNT; k++)
        o->violations[k] = sc->viol[i][k];
}

void
tcp_state_summarize(const struct tcp_state *st, const struct tcp_state_cold *sc,
                    const struct flow *f, uint64_t now_ns, struct session_summary *out)
{
    int ci = client_idx(st);

    (void)f;
    fill_ep(st, sc, ci, now_ns, &out->client);
    fill_ep(st, sc, 1 - ci, now_ns, &out->server);
    out->handshake = st->handshake;
    if (st->flags & TSF_RESET)
        out->close = TCP_CLOSE_RESET;
    else if (fin_acked(st, sc, 0) && fin_acked(st, sc, 1))
        out->close = TCP_CLOSE_FIN;
    else if ((st->ep[0].flags | st->ep[1].flags) & TSE_FIN)
        out->close = TCP_CLOSE_HALF;
    else
        out->close = TCP_CLOSE_NONE;
    out->midstream = st->flags & TSF_MIDSTREAM;
    out->roles_guessed = st->flags & TSF_GUESSED;
    out->suricata_state = suricata_state(st, out->client.state, out->server.state);
    out->syn_ts_ns = sc->syn_ts_ns;
    out->synack_ts_ns = sc->synack_ts_ns;
    out->ack_ts_ns = sc->ack_ts_ns;
    out->handshake_rtt_ns =
        (sc->syn_ts_ns != 0 && sc->ack_ts_ns >= sc->syn_ts_ns) ? sc->ack_ts_ns - sc->syn_ts_ns : 0;
    out->stuck = st->stuck;
    out->stuck_since_ns = st->stuck != TCP_STUCK_NONE ? st->progress_ns : 0;
    out->capture_loss = (st->flags & TSF_LOSS) != 0;
    out->n_examples = st->n_examples;
    for (unsigned k = 0; k < st->n_examples && k < TCP_VIOLATION_KEEP; k++) {
        const struct tcp_state_example *x = &sc->ex[k];
        struct tcp_violation_example *o = &out->examples[k];

        o->kind = x->kind;
        o->from_client = x->dir == ci;
        o->pkt_no = (uint64_t)x->pkt_hi << 32 | x->pkt_lo;
        o->ts_ns = x->ts_ns;
        o->expected = x->expected;
        o->seen = x->seen;
    }
}
