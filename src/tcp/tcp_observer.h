/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_OBSERVER_H
#define FLOWSTATE_TCP_OBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_summary.h"

/*
 * The TCP observer of a flow, as one ops table: what the engine calls per
 * segment, per tick and per record, whichever view of TCP runs. Two exist:
 *   tcp_session_observer  the full session (RFC 9293 endpoint states, seq/ack
 *                         validation, analysis, Zeek emulation) in the flow's
 *                         extension area;
 *   tcp_flows_observer    --flows-only: flag-level accounting, no extension.
 * The engine holds one pointer and never asks which it is. All functions run
 * on the thread that owns the flow's table.
 */
struct tcp_observer {
    const char *name;
    /* Extension bytes per flow and its rarely touched range (flow_table_cfg.ext_*). */
    size_t ext_size, ext_cold_off, ext_cold_len;
    /* A flow was just created by m (sent in key direction dir); its extension is zeroed. */
    void (*init)(struct flow *f, int dir, const struct pkt_meta *m, const struct tcp_cfg *cfg);
    /* One segment; TCP_STEP_REUSE asks the caller to end f and start a new flow with m. */
    enum tcp_step_result (*step)(struct flow *f, int dir, const struct pkt_meta *m,
                                 uint64_t pkt_no, const struct tcp_cfg *cfg);
    /* The timeout class f belongs in after a step. */
    enum flow_tclass (*tclass)(const struct flow *f);
    /*
     * Stuck judgement at capture time now_ns; true the first time f is found
     * stuck (live tcp_stuck records). NULL: this observer never judges.
     */
    bool (*check_stuck)(struct flow *f, uint64_t now_ns, const struct tcp_cfg *cfg);
    /*
     * May be NULL. f had a packet while the capture lost packets: a
     * close_wait or half_open judgement of it may rest on a missing
     * segment (session_summary.capture_loss).
     */
    void (*mark_loss)(struct flow *f);
    /* The session summary for a record. NULL: records carry no session. */
    void (*summarize)(const struct flow *f, uint64_t now_ns, struct session_summary *out);
};

extern const struct tcp_observer tcp_session_observer; /* tcp_session.c */
extern const struct tcp_observer tcp_flows_observer;   /* tcp_flows.c */

#endif
