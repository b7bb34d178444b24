#ifndef FLOWSTATE_TCP_ZEEK_H
#define FLOWSTATE_TCP_ZEEK_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_summary.h"

/*
 * tcp_zeek: emulation of Zeek's TCP endpoint machine, conn_state and history
 * (shared/ref/tcp-semantics.md section 2), so -T zeek output matches Zeek's
 * conn.log. Zeek's originator/responder roles are kept here independently of
 * the RFC observer's client/server. Owner: tcp_zeek.c.
 */
struct tcp_zeek {
    uint8_t placeholder; /* replaced by the real layout */
};

void tcp_zeek_init(struct tcp_zeek *z);
void tcp_zeek_step(struct tcp_zeek *z, int dir, const struct pkt_meta *m);
/* Fills conn_state, history, zeek_* fields and zeek_orig_is_client. */
void tcp_zeek_summarize(const struct tcp_zeek *z, const struct flow *f, struct session_summary *out);

#endif
