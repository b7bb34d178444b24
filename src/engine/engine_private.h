/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_ENGINE_PRIVATE_H
#define FLOWSTATE_ENGINE_PRIVATE_H

#include <stdint.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "flow/flow.h"

struct engine;

/*
 * For tests and fuzzers only (never included by src/ outside src/engine/):
 * hooks into the pipeline and read access to its state, so a harness drives
 * the real engine (batching, defrag, prefetch) and checks invariants as it
 * goes instead of copying the per-segment logic.
 */
struct engine_hooks {
    /* After decode_packet() for every record fed (m and p borrowed for the call). */
    void (*decoded)(void *arg, const struct pkt_meta *m, enum decode_outcome o,
                    const struct cap_packet *p);
    /* After a batch of TCP segments ran on the inline track. */
    void (*batch_done)(void *arg);
    void *arg;
};

void engine_set_hooks(struct engine *e, const struct engine_hooks *h);

/* The inline track's flow table (NULL with workers). returns: borrowed. */
struct flow_table *engine_flow_table(struct engine *e);
/* Decoder counters so far (DC_PKTS/DC_BYTES included). returns: borrowed. */
const struct decode_stats *engine_decode_stats(const struct engine *e);
/* The capture clock. */
uint64_t engine_now(const struct engine *e);

#endif
