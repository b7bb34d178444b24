/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_names: the stable names of the TCP enums of tcp_summary.h, as written
 * in reports (JSON keys and values, text output), and the default TCP
 * configuration. Names never change once released: dashboards match them.
 * Out-of-range values map to "unknown" rather than reading past a table.
 */
#include <config.h>

#include "tcp/tcp_summary.h"

#include <stddef.h>

static const char *const state_names[TCP_ST_COUNT] = {
    [TCP_ST_NONE] = "NONE",
    [TCP_ST_SYN_SENT] = "SYN_SENT",
    [TCP_ST_SYN_RECEIVED] = "SYN_RECEIVED",
    [TCP_ST_ESTABLISHED] = "ESTABLISHED",
    [TCP_ST_FIN_WAIT_1] = "FIN_WAIT_1",
    [TCP_ST_FIN_WAIT_2] = "FIN_WAIT_2",
    [TCP_ST_CLOSE_WAIT] = "CLOSE_WAIT",
    [TCP_ST_CLOSING] = "CLOSING",
    [TCP_ST_LAST_ACK] = "LAST_ACK",
    [TCP_ST_TIME_WAIT] = "TIME_WAIT",
    [TCP_ST_CLOSED] = "CLOSED",
};

/* ss(8) state filter spellings; ss has no word for "never seen", so "none". */
static const char *const state_ss_names[TCP_ST_COUNT] = {
    [TCP_ST_NONE] = "none",
    [TCP_ST_SYN_SENT] = "syn-sent",
    [TCP_ST_SYN_RECEIVED] = "syn-recv",
    [TCP_ST_ESTABLISHED] = "established",
    [TCP_ST_FIN_WAIT_1] = "fin-wait-1",
    [TCP_ST_FIN_WAIT_2] = "fin-wait-2",
    [TCP_ST_CLOSE_WAIT] = "close-wait",
    [TCP_ST_CLOSING] = "closing",
    [TCP_ST_LAST_ACK] = "last-ack",
    [TCP_ST_TIME_WAIT] = "time-wait",
    [TCP_ST_CLOSED] = "closed",
};

static const char *const violation_names[TV_COUNT] = {
    [TV_SYNACK_BAD_ACK] = "synack_bad_ack",
    [TV_HANDSHAKE_BAD_ACK] = "handshake_bad_ack",
    [TV_ACK_UNSENT_DATA] = "ack_unsent_data",
    [TV_ACK_BACKWARDS] = "ack_backwards",
    [TV_OUT_OF_WINDOW] = "out_of_window",
    [TV_DATA_AFTER_FIN] = "data_after_fin",
    [TV_SYN_ISN_CHANGED] = "syn_isn_changed",
    [TV_RST_OUT_OF_WINDOW] = "rst_out_of_window",
    [TV_RST_INEXACT] = "rst_inexact",
    [TV_BAD_FLAGS] = "bad_flags",
    [TV_DATA_BEFORE_HANDSHAKE] = "data_before_handshake",
    [TV_FIN_CHANGED] = "fin_changed",
};

static const char *const handshake_names[] = {
    [TCP_HS_NONE] = "none",
    [TCP_HS_COMPLETE] = "complete",
    [TCP_HS_SYN_ONLY] = "syn_only",
    [TCP_HS_SYN_SYNACK] = "syn_synack",
    [TCP_HS_REJECTED] = "rejected",
    [TCP_HS_MIDSTREAM] = "midstream",
    [TCP_HS_SIMULTANEOUS] = "simultaneous",
};

static const char *const close_names[] = {
    [TCP_CLOSE_NONE] = "none",
    [TCP_CLOSE_FIN] = "fin",
    [TCP_CLOSE_HALF] = "half",
    [TCP_CLOSE_RESET] = "reset",
};

static const char *const stuck_names[] = {
    [TCP_STUCK_NONE] = "none",
    [TCP_STUCK_CLOSE_WAIT] = "close_wait",
    [TCP_STUCK_HALF_OPEN] = "half_open",
    [TCP_STUCK_SYN_UNANSWERED] = "syn_unanswered",
    [TCP_STUCK_ZERO_WINDOW] = "zero_window",
};

static const char *
pick(const char *const *tab, size_t n, unsigned v)
{
    return v < n && tab[v] != NULL ? tab[v] : "unknown";
}

#define COUNT_OF(tab) (sizeof(tab) / sizeof((tab)[0]))

const char *
tcp_state_name(enum tcp_state_id s)
{
    return pick(state_names, COUNT_OF(state_names), (unsigned)s);
}

const char *
tcp_state_ss_name(enum tcp_state_id s)
{
    return pick(state_ss_names, COUNT_OF(state_ss_names), (unsigned)s);
}

const char *
tcp_violation_name(enum tcp_violation v)
{
    return pick(violation_names, COUNT_OF(violation_names), (unsigned)v);
}

const char *
tcp_handshake_name(enum tcp_handshake h)
{
    return pick(handshake_names, COUNT_OF(handshake_names), (unsigned)h);
}

const char *
tcp_close_name(enum tcp_close c)
{
    return pick(close_names, COUNT_OF(close_names), (unsigned)c);
}

const char *
tcp_stuck_name(enum tcp_stuck_kind k)
{
    return pick(stuck_names, COUNT_OF(stuck_names), (unsigned)k);
}

void
tcp_cfg_default(struct tcp_cfg *cfg)
{
    cfg->msl_ns = 30ull * 1000000000ull;         /* 2 * MSL = 60 s, Linux's TIME_WAIT */
    cfg->stuck_after_ns = 10ull * 1000000000ull; /* --stuck-after */
}
