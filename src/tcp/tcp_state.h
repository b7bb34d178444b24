#ifndef FLOWSTATE_TCP_STATE_H
#define FLOWSTATE_TCP_STATE_H

#include <stdbool.h>
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
 */
struct tcp_state {
    uint8_t placeholder; /* replaced by the real layout */
};

void tcp_state_init(struct tcp_state *st);
enum tcp_step_result tcp_state_step(struct tcp_state *st, struct flow *f, int dir,
                                    const struct pkt_meta *m, uint64_t pkt_no,
                                    const struct tcp_cfg *cfg);
enum flow_tclass tcp_state_tclass(const struct tcp_state *st);
bool tcp_state_check_stuck(struct tcp_state *st, const struct flow *f, uint64_t now_ns,
                           const struct tcp_cfg *cfg);
/* Fills states, ISN/options, violations, handshake/close/stuck, roles, suricata_state. */
void tcp_state_summarize(const struct tcp_state *st, const struct flow *f, uint64_t now_ns,
                         struct session_summary *out);

#endif
