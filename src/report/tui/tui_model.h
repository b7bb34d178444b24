/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TUI_MODEL_H
#define FLOWSTATE_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

/*
 * The state view's data model, without curses (so it is unit-tested on its
 * own). Three layers:
 *
 *   struct tui_model  what the TUI knows: a copy of every open connection
 *                     from the latest tick snapshot, the last `ended_keep`
 *                     ended ones from flow_end, and the header counters.
 *   struct tui_view   a frozen copy of the model (what the screen shows; the
 *                     pause key stops refreshing it while the model keeps
 *                     receiving data) ...
 *   rows              ... filtered and sorted as pointers into the view.
 *
 * Nothing here reads a clock: every value derives from the records and the
 * stats the engine delivers, so replayed screens depend on the capture only.
 * Not thread-safe; the reporter callbacks and the key handling run on the
 * engine's thread.
 */

#define TUI_ENDED_KEEP 10000 /* ended connections kept for the final table */
#define TUI_ADDR_LEN   56    /* "[v6 address]:port" */
#define TUI_FILTER_LEN 64
#define TUI_LINE_LEN   160 /* one formatted detail line */

struct tui_conn {
    struct flow_record rec; /* copy; its string pointers are static names */
    bool ended;             /* delivered by flow_end */
    bool gone;              /* live entry ended since the last snapshot */
    char client[TUI_ADDR_LEN], server[TUI_ADDR_LEN];
};

enum tui_sort {
    TUI_SORT_STATE = 0, /* default: stuck first (oldest first), then states, then start */
    TUI_SORT_AGE,       /* time in state (stuck: time stuck), longest first */
    TUI_SORT_BYTES,     /* both directions, largest first */
    TUI_SORT_RATE,      /* bytes/s over the connection's life, largest first */
    TUI_SORT_RETRANS,   /* client + server retransmits, most first */
    TUI_SORT_RTT,       /* handshake RTT, else average per-ACK RTT, slowest first */
    TUI_SORT_COUNT
};

/* "state", "age", "bytes", "rate", "retrans", "rtt" */
const char *tui_sort_name(enum tui_sort k);

enum tui_filter_kind {
    TUI_FILTER_NONE = 0,
    TUI_FILTER_STATE,        /* either endpoint in `state` */
    TUI_FILTER_STUCK,        /* stuck kind set */
    TUI_FILTER_CONNECTED,    /* ss "connected": neither endpoint CLOSED/NONE-only */
    TUI_FILTER_SYNCHRONIZED, /* ss "synchronized": connected and not SYN_SENT */
    TUI_FILTER_TEXT,         /* substring of "client server" */
};

struct tui_filter {
    enum tui_filter_kind kind;
    uint8_t state; /* enum tcp_state_id for TUI_FILTER_STATE */
    char text[TUI_FILTER_LEN];
};

/*
 * Parses what the user typed at the filter prompt, ss(8) style: an optional
 * "state " prefix, then an ss state name ("close-wait", "established",
 * "syn-sent", "time-wait", ...; RFC spellings like CLOSE_WAIT too, any case),
 * "stuck", "connected" or "synchronized". Anything else is an address/port
 * substring. Leading/trailing blanks are ignored; empty text clears.
 */
void tui_filter_parse(const char *text, struct tui_filter *f);
bool tui_filter_match(const struct tui_filter *f, const struct tui_conn *c);

/* Derived per-connection values (used by sorting, drawing and the tests). */
uint64_t tui_conn_age_ns(const struct tui_conn *c); /* stuck: now - stuck_since */
uint64_t tui_conn_bytes(const struct tui_conn *c);
uint64_t tui_conn_pkts(const struct tui_conn *c);
double tui_conn_rate(const struct tui_conn *c); /* bytes/s, 0 if no duration */
uint64_t tui_conn_retrans(const struct tui_conn *c);
uint64_t tui_conn_rtt_ns(const struct tui_conn *c); /* 0 = unknown */
uint64_t tui_conn_violations(const struct tui_conn *c);
bool tui_conn_stuck(const struct tui_conn *c);

/* Header counters, derived from the stats records. */
struct tui_totals {
    uint64_t ts_ns;        /* capture clock of the latest tick */
    uint64_t pkts, bytes;  /* decoder.pkts / decoder.bytes */
    double pps, bps;       /* over the last capture-time delta; final: whole run */
    uint64_t flows_active; /* flow.active */
    uint64_t flows_tcp;    /* flow.tcp */
    uint64_t drops;        /* capture.kernel_drops + capture.kernel_ifdrops */
    uint64_t stuck;        /* shown connections that are stuck */
    uint64_t open, ended, ended_dropped;
    uint64_t by_state[TCP_ST_COUNT]; /* endpoints per state: open ones; final: at end */
    bool final;
};

struct tui_model {
    struct tui_conn *live; /* sorted by flow_id (bsearch from flow_end) */
    size_t n_live, cap_live;
    struct tui_conn *ended; /* ring of ended_keep entries */
    size_t ended_keep, ended_head, n_ended;
    uint64_t ended_dropped;
    struct tui_totals tot;
    /* rate origin: previous tick and first tick */
    uint64_t prev_ts, prev_pkts, prev_bytes;
    uint64_t first_ts, first_pkts, first_bytes;
    bool have_prev;
};

/* ended_keep 0 means TUI_ENDED_KEEP. */
void tui_model_init(struct tui_model *m, size_t ended_keep);
void tui_model_fini(struct tui_model *m);
/* Replaces the open set with a copy of `live` (borrowed) and updates the counters. */
void tui_model_tick(struct tui_model *m, const struct flow_record *live, size_t n,
                    const struct stats_record *st, bool final);
/* Keeps a copy of the ended record (borrowed); drops the oldest past ended_keep. */
void tui_model_flow_end(struct tui_model *m, const struct flow_record *r);

struct tui_view {
    struct tui_conn *conn; /* owned copies */
    size_t n_conn, cap_conn;
    const struct tui_conn **rows; /* filtered + sorted, borrowed from conn */
    size_t n_rows, cap_rows;
    struct tui_totals tot;
};

void tui_view_init(struct tui_view *v);
void tui_view_fini(struct tui_view *v);
/* Copies every known connection (open ones first, then ended oldest first). */
void tui_view_capture(struct tui_view *v, const struct tui_model *m);
/* Rebuilds v->rows from v->conn. */
void tui_view_arrange(struct tui_view *v, enum tui_sort key, bool reverse,
                      const struct tui_filter *f);
/* Index of the row for flow_id, or -1. */
long tui_view_find(const struct tui_view *v, uint64_t flow_id);

/* Compact duration: "850ms", "12s", "3m05s", "2h03m", "4d05h". */
const char *tui_fmt_dur(uint64_t ns, char *buf, size_t len);
/* Compact size with SI suffix: "999", "12.3k", "4.5M", "1.2G". */
const char *tui_fmt_si(double v, char *buf, size_t len);

/*
 * Formats the detail pane of c into out[0..max): history, conn_state,
 * handshake, close, both endpoints, violations, RTT, stuck. returns lines.
 */
size_t tui_detail_format(const struct tui_conn *c, char (*out)[TUI_LINE_LEN], size_t max);

#endif
