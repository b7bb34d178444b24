/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_ZEEK_H
#define FLOWSTATE_TCP_ZEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_summary.h"

/*
 * tcp_zeek: emulation of Zeek's TCP endpoint machine, conn_state and history
 * (doc/references.md section 1), so -T zeek output matches Zeek's
 * conn.log. Zeek's originator/responder roles are kept here independently of
 * the RFC observer's client/server. Owner: tcp_zeek.c.
 *
 * Endpoints are indexed by the SENDER's key direction (FLOW_DIR_AB/BA), as in
 * the other observers; orig_dir says which of them is Zeek's originator, so a
 * role flip is one bit plus a '^' in the history.
 */

/* Zeek endpoint states; the values are Zeek's TCP_* script constants. */
enum tcp_zeek_state {
    TZ_INACTIVE = 0,
    TZ_SYN_SENT = 1,
    TZ_SYN_ACK_SENT = 2,
    TZ_PARTIAL = 3,
    TZ_ESTABLISHED = 4,
    TZ_CLOSED = 5,
    TZ_RESET = 6,
};

/* Longest history kept (the summary's history[48] minus the NUL). */
#define TCP_ZEEK_HIST_MAX 47

/*
 * The state is split in two parts that the session places apart (see
 * tcp_session.h): struct tcp_zeek, the HOT part (48 bytes), is what a data
 * segment or a pure ACK reads or writes; struct tcp_zeek_cold (120 bytes)
 * holds the history letters, the control-letter bookkeeping, the
 * retransmission, zero-window and gap counters, the content-gap model and
 * the previous states. Sizes are
 * checked by static assertions in tcp_zeek.c.
 */

/* Hot part of one endpoint. 16 bytes. */
struct tcp_zeek_endpoint {
    uint32_t start_seq, last_seq, ack_seq; /* absolute, as Zeek's TCP_Endpoint */
    uint8_t seq_wraps, ack_wraps;          /* 2^32 wraps of last_seq / ack_seq */
    uint8_t state;                         /* enum tcp_zeek_state */
    uint8_t flags;                         /* TZE_* (tcp_zeek.c) */
};

/* The hot part. 48 bytes. */
struct tcp_zeek {
    struct tcp_zeek_endpoint ep[2]; /* by sender key direction */
    uint64_t last_ts_ns;            /* Zeek's last_time */
    uint32_t hist_seen;             /* once-per-direction letter masks (resp << 16) */
    uint8_t orig_dir;               /* key direction of Zeek's originator */
    uint8_t flags;                  /* TZ_* (tcp_zeek.c) */
    uint8_t hist_len;               /* letters in tcp_zeek_cold.hist[] */
    uint8_t pad;
};

/*
 * Cold part of one endpoint. 36 bytes. reasm, blk_lo and blk_hi model Zeek's
 * reassembler for the endpoint's stream (tcp_zeek.c, "Content gaps"): they
 * are read only while the endpoint's TZE_REASM flag is set, which an
 * in-order stream never sets.
 */
struct tcp_zeek_endpoint_cold {
    uint32_t hist_last_syn, hist_last_fin, hist_last_rst; /* relative seq, mod 2^32 */
    uint32_t rxmt_cnt;  /* 'T' counter (log-scaled letter) */
    uint32_t reasm;     /* absolute seq of the first byte not yet delivered */
    uint32_t blk_lo, blk_hi; /* the data held above a hole (TZE_BLOCK) */
    uint16_t win0_cnt;  /* 'W' counter (saturating) */
    uint16_t gap_cnt;   /* 'G' counter (log-scaled letter, saturating) */
    uint8_t prev_state; /* enum tcp_zeek_state */
    uint8_t pad[3];
};

/* The cold part. 120 bytes. */
struct tcp_zeek_cold {
    struct tcp_zeek_endpoint_cold ep[2]; /* by sender key direction */
    uint64_t missed[2];                  /* Zeek's content_gap lengths, by sender key direction */
    uint8_t hist[30];                    /* history letters, 5 bits each (tcp_zeek.c) */
};

/* Zeroes both parts. */
void tcp_zeek_init(struct tcp_zeek *z, struct tcp_zeek_cold *zc);
void tcp_zeek_step(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir,
                   const struct pkt_meta *m);
/* Fills conn_state, history, zeek_* fields and zeek_orig_is_client. */
void tcp_zeek_summarize(const struct tcp_zeek *z, const struct tcp_zeek_cold *zc,
                        const struct flow *f, struct session_summary *out);

/*
 * Pure helpers, exposed for the unit tests and the Zeek reporter.
 * tcp_zeek_hist_code: the packed code of a history letter.
 * tcp_zeek_likely_server_port: the built-in stand-in for Zeek's
 * likely_server_ports (which depends on the scripts Zeek loaded).
 * tcp_zeek_history: writes the history (NUL-terminated) into buf[len].
 * tcp_zeek_conn_state: the conn_state string (static) for the current states.
 */
bool tcp_zeek_likely_server_port(uint16_t port);
/* The 5-bit history code of letter c (1..27), 0 when c is not a history letter. */
unsigned tcp_zeek_hist_code(char c);
void tcp_zeek_history(const struct tcp_zeek *z, const struct tcp_zeek_cold *zc, char *buf,
                      size_t len);
const char *tcp_zeek_conn_state(const struct tcp_zeek *z, const struct tcp_zeek_cold *zc);

#endif
