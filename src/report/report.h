#ifndef FLOWSTATE_REPORT_H
#define FLOWSTATE_REPORT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_summary.h"
#include "util/stats.h"

/*
 * Reporters turn finished (or updated) connections into output. A reporter
 * never sees the flow table: the engine hands it a self-contained, borrowed
 * struct flow_record (valid only during the call) with roles already
 * resolved (src = client). Output is deterministic: capture timestamps only,
 * records in the order the engine delivers them.
 */
struct flow_record {
    const char *event;           /* "flow" (ended) or "flow_update" / "tcp_stuck" (live) */
    uint64_t flow_id;            /* deterministic, < 2^53 */
    char uid[20];                /* Zeek-style "C" + base62 */
    char community_id[40];       /* "1:" + base64 SHA-1 (Community ID v1) */
    uint8_t ip_version;
    uint8_t proto;               /* IPPROTO_TCP */
    struct ip_addr src_ip, dest_ip; /* client, server */
    uint16_t src_port, dest_port;
    uint16_t vlan[DECODE_MAX_VLAN];
    uint8_t vlan_count;
    uint64_t start_ns, end_ns;   /* first and last packet */
    uint64_t now_ns;             /* capture clock when the record was made */
    uint64_t pkts_toserver, pkts_toclient;
    uint64_t bytes_toserver, bytes_toclient;       /* wire bytes */
    uint64_t ip_bytes_toserver, ip_bytes_toclient; /* IP bytes (Zeek) */
    uint16_t tcp_flags_ts, tcp_flags_tc;
    uint8_t reason;              /* enum flow_end_reason */
    const char *flow_state;      /* Suricata flow.state: "new", "established", "closed" */
    bool roles_guessed;
    bool has_session;            /* false with --flows-only: s is zero, writers leave it out */
    struct session_summary s;
};

/* The stats record: every counter, flat and ordered (see util/stats.h). */
struct stats_record {
    uint64_t ts_ns;              /* capture clock at the end (0 if no packet) */
    const struct stat_list *items;
};

enum report_format { REPORT_TEXT = 0, REPORT_EVE, REPORT_ZEEK, REPORT_TUI };

struct report_opts {
    enum report_format format;
    bool line_buffered;          /* -l */
    const char *output_path;     /* -o, NULL = stdout */
    bool live;                   /* input is a live interface */
    volatile sig_atomic_t *stop; /* set to 1 to end the run (the TUI's quit key) */
};

struct reporter;

struct reporter_ops {
    const char *name;
    /* Allocates private state in *priv. returns 0 or -1 + err. */
    int (*open)(void **priv, FILE *out, const struct report_opts *o, char *err);
    void (*flow_end)(void *priv, const struct flow_record *r);
    void (*flow_update)(void *priv, const struct flow_record *r);  /* may be NULL */
    void (*stuck)(void *priv, const struct flow_record *r);        /* may be NULL */
    void (*stats)(void *priv, const struct stats_record *st);
    /*
     * May be NULL. Called at least once per second of capture time (and, live,
     * whenever the capture is idle ~100 ms) with a snapshot of every open flow
     * in creation order and the counters so far. `live` is borrowed for the
     * call only; the callee copies what it keeps. `final` is true once, after
     * the input ended and every flow was ended through flow_end: the TUI then
     * shows the final table until the user quits.
     */
    void (*tick)(void *priv, const struct flow_record *live, size_t n,
                 const struct stats_record *st, bool final);
    /* Flushes and frees priv; returns 0 or -1 on a write error. */
    int (*close)(void *priv);
};

extern const struct reporter_ops report_text_ops;
extern const struct reporter_ops report_eve_ops;
extern const struct reporter_ops report_zeek_ops;

/* Helpers shared by the writers (report_common.c). */
/* "2024-01-02T03:04:05.123456+0000" from ns since the epoch (UTC). buf >= 40. */
const char *report_iso8601(uint64_t ts_ns, char *buf, size_t len);
/* TCP flags as Suricata's hex string ("1b"). buf >= 8. */
const char *report_tcp_flags_hex(uint16_t flags, char *buf, size_t len);
/* Address as text (inet_ntop; IPv6 compressed, no brackets). buf >= 46. */
const char *report_addr_str(const struct ip_addr *a, uint8_t version, char *buf, size_t len);

/* stdio buffer main gives the output stream (setvbuf) before the first record. */
#define REPORT_OUT_BUFSIZE (64u * 1024u)

/*
 * Writes line[0..len) (whole lines, ending in '\n') so that no line is split
 * across write(2) calls: when it would not fit in what is left of out's
 * stdio buffer, the buffer is flushed first; a line larger than the whole
 * buffer is flushed past stdio in one write(2). With line_buffered (-l) the
 * stream is flushed after the line. Readers tailing the file therefore only
 * ever see complete records. returns 0 or -1 (write error, errno set).
 */
int report_write_line(FILE *out, const char *line, size_t len, bool line_buffered);

#endif
