/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_state_judge: what the rest of flowstate asks of a session's endpoint
 * states: the flow's timeout class (every packet), whether the session is
 * stuck (the engine's periodic check and the end of a file) and its summary
 * (when a record is written). It changes a state only through the machine's
 * TIME_WAIT expiry (tcp_state_expire()) and writes st->stuck; everything
 * else it reads. The state bits and helpers come from tcp_state_private.h.
 */
#include <config.h>

#include "tcp/tcp_state.h"

#include "tcp/tcp_seq.h"
#include "tcp/tcp_state_private.h"

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
            (tcp_state_sent_count(&st->ep[1 - r]) > 0 || outstanding(st, 1 - r)))
            return TCP_STUCK_ZERO_WINDOW;
    }
    for (int i = 0; i < 2; i++)
        if (st->ep[i].state == TCP_ST_CLOSE_WAIT && tcp_state_fin_acked(st, sc, 1 - i))
            return TCP_STUCK_CLOSE_WAIT;
    for (int s = 0; s < 2; s++) {
        const struct tcp_state_ep *snd = &st->ep[s], *rcv = &st->ep[1 - s];

        if (outstanding(st, s) && (snd->flags & TSE_REXMIT))
            return TCP_STUCK_HALF_OPEN;
        if (tcp_state_sent_count(snd) >= 2 && tcp_state_sent_count(rcv) == 0 && (rcv->flags & TSE_WIN))
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
    tcp_state_expire(st, sc, now_ns, NULL);
    if (st->stuck != TCP_STUCK_NONE || !(st->flags & TSF_ROLES) || (st->flags & TSF_RESET))
        return false;
    for (int i = 0; i < 2; i++)
        if (tcp_state_is_done(st->ep[i].state))
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

    o->state = tcp_state_at(st, sc, i, now, &o->state_since_ns);
    o->isn_known = e->flags & TSE_SYN;
    o->isn = o->isn_known ? sc->isn[i] : 0;
    o->mss = sc->mss[i];
    o->wscale = e->wscale;
    o->sack_ok = e->flags & TSE_SACK;
    o->ts_ok = e->flags & TSE_TS;
    o->inferred = (uint8_t)(((e->flags & TSE_INF_SYNACK) ? TCP_INFERRED_SYNACK : 0u) |
                            ((e->flags & TSE_INF_FIN) ? TCP_INFERRED_FIN : 0u));
    for (int k = 0; k < TV_COUNT; k++)
        o->violations[k] = sc->viol[i][k];
}

void
tcp_state_summarize(const struct tcp_state *st, const struct tcp_state_cold *sc,
                    const struct flow *f, uint64_t now_ns, struct session_summary *out)
{
    int ci = tcp_state_client_idx(st);

    (void)f;
    fill_ep(st, sc, ci, now_ns, &out->client);
    fill_ep(st, sc, 1 - ci, now_ns, &out->server);
    out->handshake = st->handshake;
    if (st->flags & TSF_RESET)
        out->close = TCP_CLOSE_RESET;
    else if (tcp_state_fin_acked(st, sc, 0) && tcp_state_fin_acked(st, sc, 1))
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
