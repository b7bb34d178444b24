/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_STATE_H
#define FLOWSTATE_TCP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_summary.h"

/*
 * tcp_state: the RFC 9293 state machine of each endpoint as an observer on
 * the wire infers it, seq/ack validation with expected-vs-seen examples,
 * handshake and close classification, client/server roles, and stuck
 * connections. Owner: tcp_state.c. (Layout is private to tcp_state.c's
 * author; others use the functions below.)
 *
 * The state is split in two parts that the session places apart (see
 * tcp_session.h): struct tcp_state, the HOT part, is what an in-order data
 * segment or a pure ACK in ESTABLISHED reads or writes (48 bytes);
 * struct tcp_state_cold holds what only the handshake, the close, a RST, a
 * violation or the summary touch (304 bytes, 192 of them the kept examples).
 * Both sizes are checked by static assertions in tcp_state.c. Every function
 * that needs the cold part takes both.
 */

/* Hot part of one endpoint, indexed by the key direction of the segments it SENDS. 16 bytes. */
struct tcp_state_ep {
    uint32_t snd_nxt; /* highest seq + len it sent, SYN and FIN counting 1 (TSE_SEQ) */
    uint32_t max_ack; /* highest acceptable ack it sent (TSE_ACK) */
    uint16_t win;     /* last raw window field */
    uint16_t flags;   /* TSE_* bits, private to tcp_state.c */
    uint8_t state;    /* enum tcp_state_id */
    int8_t wscale;    /* from its SYN, clamped to 14; -1 = none */
    uint8_t pad[2];
};

/* A kept violation example, packed to 24 bytes (pkt_no keeps 48 bits). */
struct tcp_state_example {
    uint64_t ts_ns;
    uint32_t expected, seen;
    uint32_t pkt_lo;
    uint16_t pkt_hi;
    uint8_t kind; /* enum tcp_violation */
    uint8_t dir;  /* sender's key direction; mapped to from_client at summary time */
};

/* The hot part. 48 bytes. */
struct tcp_state {
    struct tcp_state_ep ep[2]; /* by sender key direction */
    uint64_t progress_ns;      /* last progress (state change, ack advance, window reopen) */
    uint32_t msl_ms;           /* cfg->msl_ns as of the last general-path step */
    uint8_t handshake;         /* enum tcp_handshake */
    uint8_t stuck;             /* enum tcp_stuck_kind; stuck since progress_ns */
    uint8_t n_examples;        /* used entries of tcp_state_cold.ex */
    uint8_t flags;             /* TSF_* bits, private to tcp_state.c */
};

/* The cold part: handshake, close, violations. 304 bytes. */
struct tcp_state_cold {
    uint64_t since_ns[2]; /* when ep[i] entered its state */
    uint64_t syn_ts_ns, synack_ts_ns, ack_ts_ns;
    uint32_t isn[2];            /* sequence number of ep[i]'s SYN (TSE_SYN) */
    uint32_t fin_seq[2];        /* sequence number ep[i]'s FIN occupies (TSE_FIN) */
    uint16_t viol[2][TV_COUNT]; /* per sender, saturating at 65535 */
    uint16_t mss[2];            /* from ep[i]'s SYN; 0 = none */
    struct tcp_state_example ex[TCP_VIOLATION_KEEP];
};

/* Zeroes both parts: no endpoint seen. */
void tcp_state_init(struct tcp_state *st, struct tcp_state_cold *sc);
/*
 * The same for parts that are already all zero bytes (a fresh flow's
 * extension area): writes only the non-zero initial values. The cold part
 * has none.
 */
void tcp_state_init_zeroed(struct tcp_state *st);
/*
 * Midstream role guess from the ports: returns the key direction of
 * client->server packets (a port below 1024, else the lower port, marks the
 * server; equal ports make first_sender the client).
 */
int tcp_state_guess_client(const struct flow *f, int first_sender);

/*
 * Feeds one segment sent in key direction dir. Sets f->client_dir and the
 * FLOW_F_ROLES_* bits of f->flags when roles are decided. Returns
 * TCP_STEP_REUSE, with st untouched, when a bare SYN starts a new connection
 * on this finished tuple (the caller ends f and steps a fresh flow).
 */
enum tcp_step_result tcp_state_step(struct tcp_state *st, struct tcp_state_cold *sc,
                                    struct flow *f, int dir, const struct pkt_meta *m,
                                    uint64_t pkt_no, const struct tcp_cfg *cfg);

/* Timeout class for the flow now (NEW, ESTABLISHED, CLOSING, CLOSED); hot part only. */
enum flow_tclass tcp_state_tclass(const struct tcp_state *st);
/* The same by the definition (a switch per endpoint), for the unit test of the table. */
enum flow_tclass tcp_state_tclass_ref(const struct tcp_state *st);

/*
 * Judges st stuck at capture time now_ns (no progress for cfg->stuck_after_ns).
 * Returns true only at the call where the session becomes stuck; further calls
 * return false until progress clears the judgement (see tcp_state.c).
 */
/*
 * The capture lost packets while this connection was active: its stuck
 * judgements from now on carry that (session_summary.capture_loss).
 */
void tcp_state_mark_loss(struct tcp_state *st);

bool tcp_state_check_stuck(struct tcp_state *st, struct tcp_state_cold *sc, const struct flow *f,
                           uint64_t now_ns, const struct tcp_cfg *cfg);

/* Fills states, ISN/options, violations, handshake/close/stuck, roles, suricata_state. */
void tcp_state_summarize(const struct tcp_state *st, const struct tcp_state_cold *sc,
                         const struct flow *f, uint64_t now_ns, struct session_summary *out);

#endif
