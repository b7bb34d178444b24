/* SPDX-License-Identifier: BSD-3-Clause */
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

/*
 * The stats record: every counter, flat and ordered (see util/stats.h).
 * Periodic ones (--stats-interval, engine.h) come on the capture clock with
 * periodic set; the last one of a run, after every flow record, has it clear.
 */
struct stats_record {
    uint64_t ts_ns; /* capture clock when it was made (0 if no packet) */
    const struct stat_list *items;
    bool periodic; /* a --stats-interval record, not the run's last */
};

enum report_format { REPORT_TEXT = 0, REPORT_EVE, REPORT_ZEEK, REPORT_TUI };

struct report_opts {
    enum report_format format;
    bool line_buffered;          /* -l */
    const char *output_path;     /* -o, NULL = stdout */
    bool live;                   /* input is a live interface */
    bool quiet;                  /* -q: text: the table without the summary block */
    bool selected;               /* --state / --stuck: not every connection is written */
    bool stats_deltas;           /* EVE: <counter>_delta beside every stats counter */
    volatile sig_atomic_t *stop; /* set to 1 to end the run (the TUI's quit key) */
    /* the state view only */
    double replay_speed;         /* --speed (0 = as fast as possible) */
    size_t tui_rows;             /* --tui-rows (0 = the view's default) */
};

struct reporter;

struct reporter_ops {
    const char *name;
    /* Allocates private state in *priv. returns 0 or -1 + err. */
    int (*open)(void **priv, FILE *out, const struct report_opts *o, char *err);
    void (*flow_end)(void *priv, const struct flow_record *r);
    void (*flow_update)(void *priv, const struct flow_record *r);  /* may be NULL */
    void (*stuck)(void *priv, const struct flow_record *r);        /* may be NULL */
    /* Each periodic stats record (st->periodic), then the final one; writers may skip periodic. */
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
    /*
     * May be NULL (every tick is wanted). Asked at each once-a-second tick,
     * before the snapshot is built, with the capture clock: false skips this
     * tick's snapshot and tick() call. A snapshot walks the whole table, so
     * a TUI replaying as fast as possible takes one every few capture
     * seconds; it may read its keyboard here. Not asked for the final tick
     * or for the refreshes of idle live reads and pacing waits.
     */
    bool (*want_tick)(void *priv, uint64_t now_ns);
    /* Flushes and frees priv; returns 0 or -1 on a write error. */
    int (*close)(void *priv);
    /*
     * May be NULL. Live: hands every record written so far to the output
     * (called after each read from the kernel and when idle), so a reader of
     * the file sees a record as soon as it is written, not when 64 KiB
     * have collected. Write errors are sticky and reported by close.
     */
    void (*flush)(void *priv);
    /*
     * The identifiers this writer prints (REPORT_ID_*). The engine computes
     * only these (a SHA-1 and two keyed hashes per record otherwise); the
     * others stay 0 / "" in every record it hands over.
     */
    unsigned ids;
};

#define REPORT_ID_FLOW_ID   0x1u /* flow_record.flow_id */
#define REPORT_ID_UID       0x2u /* flow_record.uid */
#define REPORT_ID_COMMUNITY 0x4u /* flow_record.community_id */
#define REPORT_ID_ALL       (REPORT_ID_FLOW_ID | REPORT_ID_UID | REPORT_ID_COMMUNITY)

struct tcp_observer;

/*
 * Fills *r from flow f (live, or inside its end callback) as seen by observer
 * obs at capture time now_ns: roles resolved (src = client), counters, the
 * session summary when obs has one, and only the identifiers in ids
 * (REPORT_ID_*). event: "flow", "flow_update" or "tcp_stuck" (static); why:
 * FLOW_END_NONE unless the flow ended. report_record.c.
 */
void report_record_build(struct flow_record *r, const struct flow *f,
                         const struct tcp_observer *obs, uint64_t now_ns, unsigned ids,
                         const char *event, enum flow_end_reason why);

extern const struct reporter_ops report_text_ops;
extern const struct reporter_ops report_eve_ops;
extern const struct reporter_ops report_zeek_ops;

/*
 * --merge-stats: reads the last stats record of each of the n EVE files
 * ("-" = standard input), the outputs of one input's --shard K/N runs, and
 * writes to out the stats record one unsharded run would have written
 * (stats_merge.h). returns 0, or -1 with err (nothing written).
 */
int report_eve_merge_stats(const char *const *files, size_t n, FILE *out, char *err);

/* Helpers shared by the writers (report_common.c). */

/*
 * The "_put" helpers write straight into an output buffer: no terminating
 * NUL, the length is returned, and the caller guarantees the room named in
 * each contract (they run several times per record, so no bounds checks or
 * intermediate copies). The string-returning helpers below them give the
 * same text NUL-terminated and cut to a caller's buffer.
 */
#define REPORT_U64_MAX_DIGITS 20 /* UINT64_MAX = 18446744073709551615 */
#define REPORT_ISO8601_MAX    31 /* "YYYY-...+0000": ns in 64 bits end in 2554 */
#define REPORT_FLAGS_HEX_MAX  4
#define REPORT_ADDR_MAX       45 /* INET6_ADDRSTRLEN - 1 */

/* "00".."99": two decimal digits per table lookup. */
extern const char report_digits2[200];

/* Decimal digits in v (1..20). */
static inline size_t
report_u64_len(uint64_t v)
{
    size_t n = 1;

    for (;;) {
        if (v < 10)
            return n;
        if (v < 100)
            return n + 1;
        if (v < 1000)
            return n + 2;
        if (v < 10000)
            return n + 3;
        v /= 10000;
        n += 4;
    }
}

/*
 * v in decimal (the bytes of "%" PRIu64) at dst, which has room for
 * REPORT_U64_MAX_DIGITS. Inline: EVE writes ~80 numbers per record, most of
 * them single digits. returns: the length.
 */
static inline size_t
report_u64_put(char *dst, uint64_t v)
{
    size_t len;
    char *p;

    if (v < 10) {
        dst[0] = (char)('0' + v);
        return 1;
    }
    /* count first, then write backwards two digits per step */
    len = report_u64_len(v);
    p = dst + len;
    while (v >= 100) {
        const char *d = report_digits2 + (v % 100) * 2;

        v /= 100;
        p -= 2;
        p[0] = d[0];
        p[1] = d[1];
    }
    if (v >= 10) {
        p[-2] = report_digits2[v * 2];
        p[-1] = report_digits2[v * 2 + 1];
    } else {
        p[-1] = (char)('0' + v);
    }
    return len;
}

/* report_iso8601() text at dst (room for REPORT_ISO8601_MAX). returns: the length. */
size_t report_iso8601_put(char *dst, uint64_t ts_ns);
/* report_tcp_flags_hex() text at dst (room for REPORT_FLAGS_HEX_MAX). returns: the length. */
size_t report_tcp_flags_hex_put(char *dst, uint16_t flags);
/*
 * report_addr_str() text at dst (room for REPORT_ADDR_MAX): the bytes
 * inet_ntop(3) gives, IPv6 included, written by hand. returns: the length.
 */
size_t report_addr_put(char *dst, const struct ip_addr *a, uint8_t version);

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

/*
 * True once any output write of the run has failed (outfile_fail; errno is
 * then set to that failure): writers make no more write(2) calls. The
 * writers above record their failures there themselves.
 */
bool report_out_dead(void);

/*
 * fflush(out), or after a failure of the run drop what stdio still holds
 * without writing it. returns 0 or -1 (a failure, now or before).
 */
int report_stream_flush(FILE *out);
/* A reporter's close: report_stream_flush, and -1 too when out has its error flag set. */
int report_stream_finish(FILE *out);

/*
 * Line output of the EVE and Zeek writers: each record is formatted straight
 * into this buffer (report_out_begin/room, then report_out_end), and whole
 * lines are handed on in large writes.
 *
 * Batching (chunk != 0) is used when the output is a file or pipe read
 * offline: lines collect here and reach the file descriptor at exactly the
 * points, and in exactly the pieces, where stdio with report_write_line()
 * would have written them (a piece ends where the next line would not fit
 * in `chunk` = the stream's buffer size; a longer line goes alone), but
 * without passing through stdio's buffer. So the bytes on a pipe that also
 * carries stderr interleave as before, and nothing waits longer than it
 * did in stdio. Each line goes to report_write_line() at once instead, as
 * before, with -l, on a line-buffered stream (a terminal), with -o (on
 * SIGHUP, main flushes the FILE and points it at a new file between two
 * records: every earlier record must be in the FILE then, not here), for
 * a live capture, or on a stream without a buffer yet.
 */
struct report_out {
    FILE *f;            /* borrowed */
    char *buf;          /* owned: pending whole lines, then the line being built */
    size_t pending;     /* bytes of whole lines in buf not handed on yet */
    size_t size;        /* allocated bytes of buf */
    size_t chunk;       /* see above; 0 = every line at once */
    bool line_buffered; /* -l */
    bool failed;        /* a write failed since init (sticky) */
};

/* Room that report_out_begin/room guarantee beyond the bytes asked for. */
#define REPORT_OUT_SLACK 1024u

/* Sets up o for the reporter's stream f and its options (NULL: none given). */
void report_out_init(struct report_out *o, FILE *f, const struct report_opts *opts);
/* Grows buf so `need` bytes fit after p; returns p in the new buffer. */
char *report_out_grow(struct report_out *o, char *p, size_t need);

/*
 * Makes sure more + REPORT_OUT_SLACK bytes are free at p, a cursor inside
 * the line being built. returns: the cursor, moved if buf grew.
 */
static inline char *
report_out_room(struct report_out *o, char *p, size_t more)
{
    if ((size_t)(o->buf + o->size - p) < more + REPORT_OUT_SLACK)
        p = report_out_grow(o, p, more + REPORT_OUT_SLACK);
    return p;
}

/* Starts a line: returns the cursor where it goes, with room as above. */
static inline char *
report_out_begin(struct report_out *o, size_t more)
{
    if (o->buf == NULL)
        return report_out_grow(o, NULL, more + REPORT_OUT_SLACK);
    return report_out_room(o, o->buf + o->pending, more);
}

/*
 * Ends the line(s) built since report_out_begin at `end` (the text must end
 * in '\n') and hands them on as described above. Errors are sticky.
 */
void report_out_end(struct report_out *o, char *end);
/* Hands on every pending line. returns 0, or -1 if any write failed since init (errno set). */
int report_out_flush(struct report_out *o);
/* Frees buf without writing (call report_out_flush first). Accepts a zeroed struct. */
void report_out_fini(struct report_out *o);

#endif
