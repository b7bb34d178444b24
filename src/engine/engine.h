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
 * engine: the packet pipeline. One entry, engine_feed(), whatever drives it
 * (the file loop, the live loop, a fuzzer):
 *
 *   engine_feed -> count -> capture clock (ticks) -> decode -> defrag
 *     -> track (flow table + TCP observer), inline or on a worker thread
 *     -> records -> reporter
 *
 * The engine owns the capture clock (the largest timestamp seen: time never
 * runs backwards, so flows never age backwards), the decoder counters and
 * the IP defragmenter; the tracks own the connections (track.h).
 *
 * Workers (--workers N > 1): the calling thread reads, decodes and
 * reassembles, and hands each TCP segment to the worker that owns its
 * connection (a symmetric hash of addresses and ports, inner tuple for
 * tunnels, after reassembly for fragments: flow_key_shard_hash), through a
 * bounded ring per worker. Every tick reaches every worker in packet order.
 * The workers' records come back through rings and are merged, on the
 * calling thread, in exactly the order one worker would write them
 * (track.h), so the output is the same bytes with 1 worker or N. Documented
 * differences: which flows a full table (--max-flows / --memcap, split evenly
 * over the workers) evicts, and the eviction counters.
 *
 * Shards (--shard K/N): every record is still read, counted and decoded and
 * moves the capture clock, so ticks, expiry and packet numbers are those of
 * the unsharded run; a TCP segment whose connection hashes to another shard
 * stops there (flowstate.shard.skipped_pkts). With workers too, shard K's
 * connections all have h % N == K, so the worker is (h / N) % workers, not
 * h % workers (which would leave workers idle when N and their number share
 * a factor).
 */
struct engine_cfg {
    struct flow_table_cfg ft;
    struct tcp_cfg tcp;
    struct decode_opts dec;
    uint64_t count;              /* -c: stop after this many records (0 = all) */
    uint64_t update_interval_ns; /* live flow_update period (0 = off) */
    uint64_t stats_interval_ns;  /* periodic stats record period, capture time (0 = off) */
    bool live;                   /* emit flow_update / tcp_stuck as they happen */
    bool flows_only;             /* --flows-only: counters and roles, no TCP session */
    double replay_speed;         /* files: pace packets at capture time / speed (0 = no pacing) */
    unsigned workers;            /* threads tracking connections; 0 or 1 = none (inline) */
    /*
     * --shard K/N: only connections with flow_key_shard_hash() % N == K are
     * tracked; other TCP segments are counted and dropped right after decode
     * (after reassembly for fragments). shard_count 0 = no sharding.
     */
    uint32_t shard_index, shard_count;
    /*
     * SIGHUP (logrotate): when *reopen is non-zero, engine_run clears it and
     * calls on_reopen(reopen_arg) between two records, so the callee may swap
     * the reporters' output file without splitting a record. May be NULL.
     */
    volatile sig_atomic_t *reopen;
    void (*on_reopen)(void *arg);
    void *reopen_arg;
    /*
     * May be NULL. Appends counters of others (the Redis writer's) to every
     * stats list the engine builds, after the decoder's; called on the
     * engine's thread, so it must be thread-safe towards its owner.
     */
    void (*extra_stats)(void *arg, struct stat_list *out);
    void *extra_stats_arg;
};

struct engine;

/* returns: owned, or NULL + err. The reporter is borrowed for the engine's life. */
struct engine *engine_new(const struct engine_cfg *cfg, const struct reporter_ops *ops,
                          void *rep_priv, char *err);

/*
 * The pipeline's entry: one record from a capture (p->data borrowed for the
 * call). Packets may wait in a batch until engine_flush(), the next tick, a
 * fragment or engine_finish(); their output does not depend on when they run.
 */
void engine_feed(struct engine *e, const struct cap_packet *p);

/* Runs every packet still waiting in a batch (and, with workers, waits for nothing). */
void engine_flush(struct engine *e);

/*
 * No packet for a while (a live read timed out): runs what waits, lets the
 * wall clock (ns since the epoch) drive expiry and stuck detection, and
 * refreshes a tick reporter.
 */
void engine_idle(struct engine *e, uint64_t wall_ns);

/*
 * The capture loop: reads c until it ends, -c is reached, *stop becomes
 * non-zero or an output write fails (outfile_error(): then at once, without
 * draining the live ring), feeding every record to engine_feed(). returns 0 at a clean end,
 * 1 if the input ended with a read error (results so far are still
 * reported), -1 on a fatal error (err set).
 */
int engine_run(struct engine *e, struct capture *c, volatile sig_atomic_t *stop, char *err);

/*
 * Ends every open flow (FLOW_END_SHUTDOWN), judges stuck ones, writes the
 * stats record. Not called after an output failure: engine_free() discards.
 */
void engine_finish(struct engine *e, struct capture *c);

void engine_free(struct engine *e);

#endif
