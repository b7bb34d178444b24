/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_REDIS_OUT_H
#define FLOWSTATE_REDIS_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "report/redis_url.h"
#include "util/stats.h"

/*
 * redis_out: -o redis://... as a stdio stream. Every line written to the
 * stream (one EVE record) becomes one LPUSH, RPUSH, PUBLISH or XADD, sent
 * by a writer thread in pipelined batches (hiredis 0.14 is synchronous:
 * the thread, with 2 s socket timeouts, keeps the capture from waiting on
 * the network). Lines wait in a bounded queue of url.buffer records.
 *
 *   live:  the capture never waits. A full queue drops the new record and
 *          counts it lost; the writer reconnects with back-off (0.1 s
 *          doubling to 5 s). At close, 5 s to deliver what is queued; the
 *          rest is counted lost.
 *   files: back-pressure. A full queue makes the writer of the stream wait;
 *          nothing is dropped, and close waits until everything is
 *          delivered (a second SIGINT/SIGTERM still exits at once).
 *
 * Delivery is at least once: when a connection breaks mid-batch, the
 * records whose reply did not arrive are sent again after reconnecting. A
 * record Redis answers with an error (e.g. WRONGTYPE) is counted lost.
 * Redis unreachable at the start is not an error: one warning, then retries.
 * This is the only file that includes <hiredis/hiredis.h>.
 */
struct redis_out;

/*
 * Resolves the host (once: the system-call filter allows no lookup later)
 * and returns the stream in *f; records written to it wait in the queue
 * until redis_out_start. fclose(*f) delivers what it can as above, stops
 * the thread and frees r. returns: r (freed by that fclose), or NULL + err.
 */
struct redis_out *redis_out_open(const struct redis_url *u, bool live, FILE **f, char *err);

/*
 * Starts the writer thread (signals blocked in it): after privileges are
 * dropped (capabilities are per thread), before the system-call filter.
 * returns 0 or -1 + err.
 */
int redis_out_start(struct redis_out *r, char *err);

/*
 * The engine's extra-stats hook (arg = r): appends
 * flowstate.output.redis.{records,written,lost,reconnects}. Thread-safe.
 */
void redis_out_stats(void *arg, struct stat_list *out);

#endif
