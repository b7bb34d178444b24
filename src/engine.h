/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_ENGINE_H
#define FLOWSTATE_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "report/report.h"
#include "tcp/tcp_summary.h"

/*
 * engine: the per-packet pipeline. capture -> count -> decode -> flow table
 * -> TCP session -> reporter. Owns the decoder counters, the flow table and
 * the capture clock (the largest timestamp seen: time never runs backwards,
 * so flows never age backwards). Single-threaded.
 */
struct engine_cfg {
    struct flow_table_cfg ft;
    struct tcp_cfg tcp;
    struct decode_opts dec;
    uint64_t count;              /* -c: stop after this many records (0 = all) */
    uint64_t update_interval_ns; /* live flow_update period (0 = off) */
    bool live;                   /* emit flow_update / tcp_stuck as they happen */
    bool flows_only;             /* --flows-only: counters and roles, no TCP session */
    double replay_speed;         /* files: pace packets at capture time / speed (0 = no pacing) */
    /*
     * SIGHUP (logrotate): when *reopen is non-zero, engine_run clears it and
     * calls on_reopen(reopen_arg) between two records, so the callee may swap
     * the reporters' output file without splitting a record. May be NULL.
     */
    volatile sig_atomic_t *reopen;
    void (*on_reopen)(void *arg);
    void *reopen_arg;
};

struct engine;

/* returns: owned, or NULL + err. The reporter is borrowed for the engine's life. */
struct engine *engine_new(const struct engine_cfg *cfg, const struct reporter_ops *ops,
                          void *rep_priv, char *err);

/*
 * Reads c until it ends, -c is reached or *stop becomes non-zero.
 * returns 0 at a clean end, 1 if the input ended with a read error (results
 * so far are still reported), -1 on a fatal error (err set).
 */
int engine_run(struct engine *e, struct capture *c, volatile sig_atomic_t *stop, char *err);

/* Ends every open flow (FLOW_END_SHUTDOWN), judges stuck ones, writes the stats record. */
void engine_finish(struct engine *e, struct capture *c);

void engine_free(struct engine *e);

#endif
