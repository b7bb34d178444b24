/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_METRICS_H
#define FLOWSTATE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "util/stats.h"

/*
 * metrics: the Prometheus text exposition (format 0.0.4) of what flowstate
 * knows, built from exactly two sources:
 *
 *  - the stats record's counters (struct stat_list, the same list the EVE
 *    stats record is written from), one sample per counter, its name
 *    derived from the counter's path by metrics_name() alone;
 *  - gauges over a set of connections (the open ones at a tick, or the ones
 *    still open when the input ended), fed record by record into a struct
 *    metrics_gauges.
 *
 * Pure formatting: no I/O, no clock, no threads. Output order is fixed
 * (stats order, then the gauge families), so the same input renders the
 * same bytes. No sample carries a timestamp.
 */

/* A growable text buffer. */
struct metrics_buf {
    char *p;    /* owned, NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
};

void metrics_buf_init(struct metrics_buf *b);
void metrics_buf_fini(struct metrics_buf *b);
/* Appends printf-style text (aborts on OOM like xmalloc). */
void metrics_buf_printf(struct metrics_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

enum metrics_type { METRICS_COUNTER = 0, METRICS_GAUGE, METRICS_HISTOGRAM };

/*
 * How a stats path becomes a metric. A leading "flowstate." (the namespace of
 * flowstate's own counters) is dropped, then the rest is matched against a
 * table of families: a path like "decoder.outcome.tcp" matches
 * "decoder.outcome.*", the "*" component becomes the value of the family's
 * label (outcome="tcp") and the other components form the name. Any other
 * path is a family of its own without labels. Name = "flowstate_" + the
 * components joined by '_' (characters outside [a-zA-Z0-9_] become '_'),
 * plus "_total" for counters. A handful of paths are gauges (flow.active,
 * flow.peak and the configured sizes); "tcp.handshake_rtt.*" is a histogram
 * in seconds. Paths ending in "_delta" (changes since the last stats record)
 * have no metric.
 *
 * Fills name (size >= 128), *type and, for a labelled family, label_name
 * (static) and label_value (size >= 64; "" otherwise). returns 0, or -1 for
 * a path that has no metric.
 */
#define METRICS_NAME_MAX  128
#define METRICS_LABEL_MAX 64
int metrics_name(const char *path, char *name, enum metrics_type *type, const char **label_name,
                 char *label_value);

/* ---- gauges over connections --------------------------------------------------- */

/*
 * Per-server stuck gauges list the top_n servers by stuck connections. A
 * server that leaves the list is still shown, at 0, for this long of capture
 * time (Prometheus's default staleness window), so a query sees the gauge
 * fall to 0 instead of the series vanishing; at most top_n such servers are
 * kept, the most recently retired first.
 */
#define METRICS_RETIRE_NS (300ULL * 1000000000ULL)

struct metrics_gauges;

/* top_n >= 1. returns: owned. */
struct metrics_gauges *metrics_gauges_new(unsigned top_n);
void metrics_gauges_free(struct metrics_gauges *g);
/* Starts a new set of connections (the previous set's per-server list is remembered). */
void metrics_gauges_reset(struct metrics_gauges *g);
/* Counts one connection (r is borrowed for the call). Records without a session count nowhere. */
void metrics_gauges_add(struct metrics_gauges *g, const struct flow_record *r);

/*
 * Appends the exposition: the stats counters, then the gauges of the current
 * set (which becomes the remembered per-server list), at capture time now_ns.
 */
void metrics_render(struct metrics_buf *out, const struct stat_list *stats,
                    struct metrics_gauges *g, uint64_t now_ns);

/*
 * Appends flowstate_build_info and the process_* metrics of this process
 * (from /proc/self; what cannot be read is left out). The /metrics endpoint
 * adds these at each scrape; the textfile never has them (node_exporter's
 * own process_* would clash).
 */
void metrics_render_process(struct metrics_buf *out);

/*
 * Splits "ADDR:PORT" ("127.0.0.1:9100", "[::1]:9100", "localhost:9100",
 * ":9100" for every address) into host (size >= 256; "" = any) and port
 * (1..65535). returns 0, or -1 + err.
 */
int metrics_listen_parse(const char *s, char *host, size_t host_len, unsigned *port, char *err);

#endif
