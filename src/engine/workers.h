/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_WORKERS_H
#define FLOWSTATE_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/track.h"
#include "report/report.h"
#include "util/stats.h"

/*
 * workers: N threads, each running one track over the connections it owns,
 * fed by the engine's thread through one bounded ring each, their records
 * merged back on the engine's thread into the single-track order (track.h)
 * and handed to the reporter there. All functions are called by the engine's
 * thread; the reporter is only ever called from it.
 *
 * Flow-table limits split evenly: worker i gets max_flows / N flows, plus
 * one for i < max_flows mod N, so the caps add up to the single table's.
 */

/* workers_tick `what` */
#define WORKERS_TICK_EXPIRE   0x1u /* end idle flows */
#define WORKERS_TICK_SNAPSHOT 0x2u /* the tick reporter gets every open flow */
#define WORKERS_TICK_LIVE     0x4u /* tcp_stuck records */
#define WORKERS_TICK_UPDATES  0x8u /* ... and flow_update records */
#define WORKERS_TICK_STATS    0x10u /* a periodic stats record, after the tick's records */
#define WORKERS_TICK_LOSS     0x20u /* files: mark the flows of a loss interval (track_mark_loss) */

struct workers;

/*
 * Starts n >= 2 threads, each with a track made from tc (its flow budget a
 * share of max_flows, see above). returns: owned, or NULL + err.
 */
struct workers *workers_new(unsigned n, const struct track_cfg *tc, size_t max_flows,
                            const struct reporter_ops *ops, void *rep, char *err);

/*
 * Hands a TCP segment (key and dir set, copied) to the worker that owns its
 * connection: worker steer % n. steer: the connection's shard hash
 * (flow_key_shard_hash), divided by N under --shard K/N (engine.h).
 */
void workers_push(struct workers *w, const struct track_pkt *p, uint32_t steer);

/*
 * Tick number tick at capture time now_ns, to every worker. front: the
 * engine's half of the stats record at this tick (copied; used with
 * WORKERS_TICK_SNAPSHOT, for the tick reporter, and WORKERS_TICK_STATS, for
 * the periodic stats record, written once every worker's records of the
 * tick are). loss_since_ns: with
 * WORKERS_TICK_LIVE, as for track_live(); with WORKERS_TICK_LOSS, as for
 * track_mark_loss().
 */
void workers_tick(struct workers *w, uint64_t now_ns, uint64_t tick, unsigned what,
                  uint64_t loss_since_ns, const struct stat_list *front);

/* Writes every record that can be placed in order now; with wait, makes the workers catch up. */
void workers_poll(struct workers *w, bool wait);

/* Returns once every record of the packets pushed so far has reached the reporter. */
void workers_sync(struct workers *w);

/* End of input: every worker ends its flows; returns when all is written and the threads are gone. */
void workers_finish(struct workers *w, uint64_t now_ns);

/* The workers' half of the stats record (flow and tcp counters), a global peak. */
void workers_stats_export(const struct workers *w, struct stat_list *out);

/* Stops the threads if still running, frees. NULL ok. */
void workers_free(struct workers *w);

#endif
