/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_stats: the TCP counters of the stats record (tcp_stats.h). Pure
 * functions over struct tcp_global_stats; the engine owns the storage.
 */
#include <config.h>

#include "tcp/tcp_stats.h"

#include <stdio.h>
#include <string.h>

/* Suricata's TcpState order; the names are tcp_state.c's suricata_state() ones. */
static const struct {
    const char *name, *path;
} end_states[TCP_SURICATA_STATES] = {
    {"none", "flow.end.tcp_state.none"},
    {"syn_sent", "flow.end.tcp_state.syn_sent"},
    {"syn_recv", "flow.end.tcp_state.syn_recv"},
    {"established", "flow.end.tcp_state.established"},
    {"fin_wait1", "flow.end.tcp_state.fin_wait1"},
    {"fin_wait2", "flow.end.tcp_state.fin_wait2"},
    {"time_wait", "flow.end.tcp_state.time_wait"},
    {"last_ack", "flow.end.tcp_state.last_ack"},
    {"close_wait", "flow.end.tcp_state.close_wait"},
    {"closing", "flow.end.tcp_state.closing"},
    {"closed", "flow.end.tcp_state.closed"},
};

#define STUCK_KINDS (sizeof(((struct tcp_global_stats *)0)->stuck) / sizeof(uint64_t))

const uint32_t tcp_hs_rtt_bounds_us[TCP_HS_RTT_BUCKETS] = {
    100,    250,    500,     1000,    2500,    5000,    10000,   25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
};

/* The first bucket whose bound is >= rtt (TCP_HS_RTT_BUCKETS: above them all). */
static size_t
hs_rtt_bucket(uint64_t rtt_ns)
{
    size_t i;

    for (i = 0; i < TCP_HS_RTT_BUCKETS; i++)
        if (rtt_ns <= (uint64_t)tcp_hs_rtt_bounds_us[i] * 1000u)
            break;
    return i;
}

void
tcp_stats_count_end(struct tcp_global_stats *t, const struct session_summary *s)
{
    size_t i;

    if (s == NULL)
        return;
    if (s->midstream)
        t->midstream++;
    if (s->suricata_state != NULL) {
        for (i = 0; i < TCP_SURICATA_STATES; i++)
            if (strcmp(s->suricata_state, end_states[i].name) == 0) {
                t->end_state[i]++;
                break;
            }
    }
    if (s->stuck < STUCK_KINDS)
        t->stuck[s->stuck]++;
    for (i = 0; i < TV_COUNT; i++)
        t->violations[i] += s->client.violations[i] + s->server.violations[i];
    t->retransmits += (uint64_t)s->client.retransmits + s->server.retransmits;
    t->retransmitted_bytes += s->client.retransmitted_bytes + s->server.retransmitted_bytes;
    t->missed_bytes += s->zeek_missed_bytes;
    if (s->handshake_rtt_ns != 0) {
        size_t b = hs_rtt_bucket(s->handshake_rtt_ns);

        t->hs_rtt_count++;
        t->hs_rtt_sum_ns += s->handshake_rtt_ns;
        if (b < TCP_HS_RTT_BUCKETS)
            t->hs_rtt_le[b]++;
    }
}

void
tcp_stats_add(struct tcp_global_stats *into, const struct tcp_global_stats *from)
{
    size_t i;

    into->sessions += from->sessions;
    into->midstream += from->midstream;
    into->reused += from->reused;
    for (i = 0; i < TV_COUNT; i++)
        into->violations[i] += from->violations[i];
    for (i = 0; i < STUCK_KINDS; i++)
        into->stuck[i] += from->stuck[i];
    for (i = 0; i < TCP_SURICATA_STATES; i++)
        into->end_state[i] += from->end_state[i];
    into->retransmits += from->retransmits;
    into->retransmitted_bytes += from->retransmitted_bytes;
    into->missed_bytes += from->missed_bytes;
    into->hs_rtt_count += from->hs_rtt_count;
    into->hs_rtt_sum_ns += from->hs_rtt_sum_ns;
    for (i = 0; i < TCP_HS_RTT_BUCKETS; i++)
        into->hs_rtt_le[i] += from->hs_rtt_le[i];
}

void
tcp_stats_export(const struct tcp_global_stats *t, struct stat_list *out)
{
    /*
     * Paths must outlive the reporter call: built once into static storage.
     * The first caller builds them; with several workers only the thread
     * that writes the stats record calls this.
     */
    static char vpaths[TV_COUNT][64];
    static char spaths[STUCK_KINDS][48];
    static char hpaths[TCP_HS_RTT_BUCKETS][64];
    static bool built;
    uint64_t cum = 0;
    size_t i;

    if (!built) {
        for (i = 0; i < TV_COUNT; i++)
            snprintf(vpaths[i], sizeof(vpaths[i]), STATS_OWN "tcp.violations.%s",
                     tcp_violation_name((enum tcp_violation)i));
        for (i = 1; i < STUCK_KINDS; i++)
            snprintf(spaths[i], sizeof(spaths[i]), STATS_OWN "tcp.stuck.%s",
                     tcp_stuck_name((enum tcp_stuck_kind)i));
        for (i = 0; i < TCP_HS_RTT_BUCKETS; i++)
            snprintf(hpaths[i], sizeof(hpaths[i]), STATS_OWN "tcp.handshake_rtt.le_us.%lu",
                     (unsigned long)tcp_hs_rtt_bounds_us[i]);
        built = true;
    }
    /* Suricata's names, Suricata's meaning */
    stat_list_add(out, "tcp.sessions", t->sessions);
    stat_list_add(out, "flow.tcp_reuse", t->reused);
    for (i = 0; i < TCP_SURICATA_STATES; i++)
        stat_list_add(out, end_states[i].path, t->end_state[i]);
    /* flowstate's own */
    stat_list_add(out, STATS_OWN "tcp.midstream", t->midstream);
    for (i = 1; i < STUCK_KINDS; i++)
        stat_list_add(out, spaths[i], t->stuck[i]);
    for (i = 0; i < TV_COUNT; i++)
        if (t->violations[i] != 0)
            stat_list_add(out, vpaths[i], t->violations[i]);
    /* flowstate's own (Suricata has no such counters): stats.flowstate.tcp */
    stat_list_add(out, STATS_OWN "tcp.retransmits", t->retransmits);
    stat_list_add(out, STATS_OWN "tcp.retransmitted_bytes", t->retransmitted_bytes);
    stat_list_add(out, STATS_OWN "tcp.missed_bytes", t->missed_bytes);
    stat_list_add(out, STATS_OWN "tcp.handshake_rtt.count", t->hs_rtt_count);
    stat_list_add(out, STATS_OWN "tcp.handshake_rtt.sum_ns", t->hs_rtt_sum_ns);
    for (i = 0; i < TCP_HS_RTT_BUCKETS; i++) {
        cum += t->hs_rtt_le[i];
        stat_list_add(out, hpaths[i], cum);
    }
}
