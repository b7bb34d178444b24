/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_flows: the flag-level view of a TCP flow used by --flows-only (see
 * tcp_flows.h). Called by the engine instead of the TCP session; owns no
 * memory. Deliberately coarse: no sequence numbers are looked at, so it cannot
 * validate anything, only classify and age.
 */
#include <config.h>

#include "tcp/tcp_flows.h"

#include "tcp/tcp_observer.h"
#include "tcp/tcp_state.h"

void
tcp_flows_roles(struct flow *f, int dir, const struct pkt_meta *m)
{
    uint16_t fl = m->flags;

    f->flags = (uint8_t)(f->flags & ~(FLOW_F_ROLES_GUESSED | FLOW_F_ROLES_FROM_SYNACK));
    if ((fl & TCP_SYN) && !(fl & TCP_ACK)) {
        f->client_dir = (uint8_t)dir;
    } else if (fl & TCP_SYN) {
        f->client_dir = (uint8_t)!dir; /* the SYN was missed: its receiver is the client */
        f->flags |= FLOW_F_ROLES_FROM_SYNACK;
    } else {
        f->client_dir = (uint8_t)tcp_state_guess_client(f, dir);
        f->flags |= FLOW_F_ROLES_GUESSED;
    }
}

enum tcp_step_result
tcp_flows_step(const struct flow *f, int dir, const struct pkt_meta *m)
{
    (void)dir;
    /* RFC 9293 3.10.7.4: a new SYN after the connection closed or was reset */
    if ((m->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && f->tclass == FLOW_TC_CLOSED)
        return TCP_STEP_REUSE;
    return TCP_STEP_OK;
}

enum flow_tclass
tcp_flows_tclass(const struct flow *f)
{
    uint16_t a = f->tcp_flags[FLOW_DIR_AB], b = f->tcp_flags[FLOW_DIR_BA];

    if ((a | b) & TCP_RST)
        return FLOW_TC_CLOSED;
    if ((a & TCP_FIN) && (b & TCP_FIN))
        return FLOW_TC_CLOSED;
    if ((a | b) & TCP_FIN)
        return FLOW_TC_CLOSING;
    if ((a & TCP_ACK) && (b & TCP_ACK))
        return FLOW_TC_ESTABLISHED;
    return FLOW_TC_NEW;
}

/* ---- the observer ops (tcp_observer.h) ---------------------------------------- */

static void
obs_init(struct flow *f, int dir, const struct pkt_meta *m, const struct tcp_cfg *cfg)
{
    (void)cfg;
    tcp_flows_roles(f, dir, m);
}

static enum tcp_step_result
obs_step(struct flow *f, int dir, const struct pkt_meta *m, uint64_t pkt_no,
         const struct tcp_cfg *cfg)
{
    (void)pkt_no;
    (void)cfg;
    return tcp_flows_step(f, dir, m);
}

const struct tcp_observer tcp_flows_observer = {
    .name = "flows",
    .ext_size = 0,
    .init = obs_init,
    .step = obs_step,
    .tclass = tcp_flows_tclass,
    .check_stuck = NULL,
    .summarize = NULL,
};
