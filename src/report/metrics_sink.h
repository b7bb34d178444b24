/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_METRICS_SINK_H
#define FLOWSTATE_METRICS_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "report/report.h"

struct metrics_http;

/*
 * metrics_sink: a reporter that passes every call on to the real one (EVE,
 * text, Zeek or the TUI) and, on the way, renders the metrics (metrics.h)
 * for --metrics-file and --metrics-listen.
 *
 * When: live, every interval_ns of wall time (the tick it asks for carries
 * a snapshot of the open connections and the counters so far); at the end
 * of any run once more, from the final stats record (the same counters the
 * stats record was written from, handed to both in one call) and the
 * connections that were still open when the input ended (the drain's
 * "shutdown" records). With -r the file is written only then.
 */
struct metrics_sink_cfg {
    const char *file;           /* --metrics-file (NULL = none); written via PATH.tmp + rename */
    struct metrics_http *http;  /* --metrics-listen (NULL = none); borrowed */
    uint64_t interval_ns;       /* live refresh period */
    unsigned top_servers;       /* --metrics-top-servers */
    bool live;
};

/*
 * Whether the metrics file can be written where it goes (PATH.tmp is
 * created and removed), as the user the run continues as: call it after
 * -Z, since the file is rewritten every interval. returns 0 or -1 + err.
 */
int metrics_sink_check_file(const char *file, char *err);

/*
 * Wraps inner (already opened: inner_priv). Fills *ops (the caller's
 * storage, which must outlive the run) and *priv; the wrapper's close
 * closes inner too.
 */
void metrics_sink_wrap(const struct metrics_sink_cfg *cfg, const struct reporter_ops *inner,
                       void *inner_priv, struct reporter_ops *ops, void **priv);

#endif
