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
 *   struct tui_model  what the TUI knows: the open connections of the latest
 *                     tick snapshot and the ended connections worth keeping,
 *                     each in a slab of fixed chunks (addresses never move),
 *                     the header counters and, per connection, its byte
 *                     counters at the last few sample ticks.
 *   struct tui_view   what the screen shows: pointers to the connections at
 *                     capture time. The pause key freezes it: the model then
 *                     neither rewrites nor reuses an entry the view may show,
 *                     while it keeps receiving (samples, new connections).
 *   rows              the view filtered and sorted, as pointers.
 *
 * Nothing here reads a clock: every value derives from the records and the
 * stats the engine delivers, so replayed screens depend on the capture only.
 * Not thread-safe; the reporter callbacks and the key handling run on the
 * engine's thread.
 *
 * Retention: every open connection of the latest snapshot and every ended
 * one are kept, up to rows_max each (--tui-rows); ended ones are ranked
 * stuck > open at the end (reason shutdown) > closed, and closed ones are
 * also limited to the closed_keep most recent. When a bound is reached the
 * oldest of the lowest rank goes first; what was not kept is counted and
 * the header says so.
 */

#define TUI_CLOSED_KEEP    10000                       /* closed (not stuck) connections kept */
#define TUI_ROWS_DEFAULT   1000000                     /* --tui-rows */
#define TUI_RATE_WINDOW_NS (UINT64_C(5) * 1000000000u) /* current rates cover this */
#define TUI_SAMPLES        8  /* byte samples per connection (>= window / period + 2) */
#define TUI_ADDR_LEN       56 /* "[v6 address]:port" */
#define TUI_FILTER_LEN     64
#define TUI_LINE_LEN       192 /* one formatted detail line */

/* A connection's byte counters at one sample tick. */
struct tui_sample {
    uint64_t ts_ns;
    uint64_t to_srv, to_cli;
};

/* Rank of an ended connection for retention. */
enum tui_keep { TUI_KEEP_CLOSED = 0, TUI_KEEP_OPEN, TUI_KEEP_STUCK, TUI_KEEP_COUNT };

struct tui_conn {
    struct flow_record rec;             /* copy; its string pointers are static names */
    struct tui_sample smp[TUI_SAMPLES]; /* oldest first */
    uint8_t n_smp;
    bool ended;   /* delivered by flow_end */
    bool gone;    /* open entry whose flow_end came after the snapshot */
    uint8_t keep; /* enum tui_keep, ended entries */
    /* the model's bookkeeping */
    bool used;     /* slab slot in use */
    uint32_t next; /* open entries: hash chain (index + 1, 0 = end) */
    uint64_t seen; /* open entries: the last tick that listed it */
};

enum tui_sort {
    TUI_SORT_STATE = 0, /* default: stuck first (oldest first), then states, then start */
    TUI_SORT_STUCK,     /* time stuck, longest first; not stuck last */
    TUI_SORT_INSTATE,   /* time since the latest endpoint state change, longest first */
    TUI_SORT_IDLE,      /* time since the last packet, longest first */
    TUI_SORT_DUR,       /* first to last packet, longest first */
    TUI_SORT_PKTS,      /* both directions, most first */
    TUI_SORT_BYTES,     /* both directions, largest first */
    TUI_SORT_RATE,      /* current bytes/s, both directions summed, fastest first */
    TUI_SORT_RETRANS,   /* client + server retransmits, most first */
    TUI_SORT_RTT,       /* handshake RTT, else average per-ACK RTT, slowest first */
    TUI_SORT_VIOL,      /* protocol violations, most first */
    TUI_SORT_START,     /* first packet, oldest first */
    TUI_SORT_COUNT
};

/* "state", "stuck", "in-state", "idle", "dur", "pkts", "bytes", "rate", ... */
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

/* "addr:port" / "[v6]:port" of the client (server = false) or server into buf. */
const char *tui_conn_addr(const struct tui_conn *c, bool server, char *buf, size_t len);

/* Derived per-connection values (used by sorting, drawing and the tests). */
bool tui_conn_stuck(const struct tui_conn *c);
bool tui_conn_inferred(const struct tui_conn *c);       /* midstream or roles guessed */
uint64_t tui_conn_stuck_ns(const struct tui_conn *c);   /* time stuck, 0 if not */
uint64_t tui_conn_instate_ns(const struct tui_conn *c); /* since the latest state change */
uint64_t tui_conn_idle_ns(const struct tui_conn *c);    /* since the last packet */
uint64_t tui_conn_dur_ns(const struct tui_conn *c);     /* first to last packet */
uint64_t tui_conn_bytes(const struct tui_conn *c);
uint64_t tui_conn_pkts(const struct tui_conn *c);
uint64_t tui_conn_retrans(const struct tui_conn *c);
uint64_t tui_conn_rtt_ns(const struct tui_conn *c); /* 0 = unknown */
uint64_t tui_conn_violations(const struct tui_conn *c);

/*
 * Current rates: bytes per second in each direction over the
 * TUI_RATE_WINDOW_NS of capture time before now_ns (longer when the samples
 * are sparser: from the newest sample at least a window old), from the
 * connection's samples and its counters in rec. origin_ns is the first tick
 * (nothing happened before it). A connection that ended before the window
 * has rate 0. returns false when there is no base yet (the first tick).
 */
bool tui_conn_rates(const struct tui_conn *c, uint64_t now_ns, uint64_t origin_ns, double *to_srv,
                    double *to_cli);

/* Header counters, derived from the stats records. */
struct tui_totals {
    uint64_t ts_ns;        /* capture clock of the latest tick */
    uint64_t origin_ns;    /* capture clock of the first tick */
    uint64_t pkts, bytes;  /* decoder.pkts / flowstate.decoder.wire_bytes */
    double pps, bps;       /* over the last sample period; final: whole run */
    uint64_t flows_active; /* flow.active */
    uint64_t flows_tcp;    /* flow.tcp */
    uint64_t kernel_drops; /* capture.kernel_drops + capture.kernel_ifdrops */
    uint64_t untracked;    /* flowstate.flow.untracked: packets the full table could not track */
    uint64_t evicted;      /* flowstate.flow.end.forced: connections ended to make room */
    uint64_t stuck;        /* shown connections that are stuck */
    uint64_t open, ended;
    uint64_t closed_dropped;         /* older closed connections let go (closed_keep) */
    uint64_t not_kept;               /* ended connections beyond rows_max (--tui-rows) */
    uint64_t not_kept_open;          /* open ones beyond rows_max in the latest snapshot */
    uint64_t by_state[TCP_ST_COUNT]; /* endpoints per state: open ones; final: at end */
    bool final;
};

/* Queue of slab slots, one per rank (oldest at head). */
struct tui_fifo {
    uint32_t *v;
    size_t head, n, cap;
};

/* Connections at stable addresses: fixed chunks, reused slots from a free list. */
struct tui_slab {
    struct tui_conn **chunk;
    size_t n_chunk, n_slot; /* slots handed out (used + free) */
    uint32_t *free;
    size_t n_free, cap_free;
    size_t n_used;
};

struct tui_model_cfg {
    size_t rows_max;           /* 0 = TUI_ROWS_DEFAULT */
    size_t closed_keep;        /* 0 = TUI_CLOSED_KEEP */
    uint64_t sample_period_ns; /* 0 = 1 s: a sample tick crosses a multiple of it */
};

struct tui_model {
    struct tui_model_cfg cfg;
    struct tui_slab open; /* the latest snapshot's connections */
    uint32_t *bucket;     /* open: flow_id hash -> index + 1 */
    size_t mask;
    uint64_t tick;         /* ticks seen (entries not listed by the latest are swept) */
    struct tui_slab ended; /* ended connections worth keeping */
    struct tui_fifo fifo[TUI_KEEP_COUNT];
    bool frozen;  /* a paused view points at entries: none is rewritten or reused */
    uint64_t gen; /* changes whenever what a view would show changes */
    struct tui_totals tot;
    /* rate origins: previous sample tick and first tick */
    uint64_t prev_ts, prev_pkts, prev_bytes;
    uint64_t first_pkts, first_bytes;
    bool have_prev;
};

void tui_model_init(struct tui_model *m, const struct tui_model_cfg *cfg);
void tui_model_fini(struct tui_model *m);
/*
 * True when a tick at ts_ns would be a sample tick (the first tick, or one
 * that crosses a multiple of the sample period): the engine builds a
 * snapshot only for those when the view replays as fast as possible.
 */
bool tui_model_sample_due(const struct tui_model *m, uint64_t ts_ns);
/* Replaces the open set with copies from `live` (borrowed) and updates the counters. */
void tui_model_tick(struct tui_model *m, const struct flow_record *live, size_t n,
                    const struct stats_record *st, bool final);
/* Keeps a copy of the ended record (borrowed) if its rank has room (see above). */
void tui_model_flow_end(struct tui_model *m, const struct flow_record *r);
/* Freezing keeps every store slot in place (a paused view); thawing applies the bounds. */
void tui_model_freeze(struct tui_model *m, bool frozen);

struct tui_view {
    uint64_t gen;                 /* the model's gen at capture */
    const struct tui_conn **conn; /* open ones first, then ended ones in store order */
    size_t n_conn, cap_conn;
    const struct tui_conn **rows; /* filtered + sorted, borrowed from conn */
    size_t n_rows, cap_rows;
    struct tui_totals tot;
    void *sort_buf; /* scratch for arrange */
    size_t cap_sort;
};

void tui_view_init(struct tui_view *v);
void tui_view_fini(struct tui_view *v);
/*
 * Points the view at the model's current data (no connection is copied;
 * the pointers stay valid until the model is thawed or ticks unfrozen).
 * returns false when nothing changed since the last capture (gen).
 */
bool tui_view_capture(struct tui_view *v, const struct tui_model *m);
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
 * handshake, close, both endpoints, current rates (at now_ns, from
 * origin_ns), violations, RTT, stuck. returns lines.
 */
size_t tui_detail_format(const struct tui_conn *c, uint64_t now_ns, uint64_t origin_ns,
                         char (*out)[TUI_LINE_LEN], size_t max);

#endif
