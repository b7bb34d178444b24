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
    static bool built;
    size_t i;

    if (!built) {
        for (i = 0; i < TV_COUNT; i++)
            snprintf(vpaths[i], sizeof(vpaths[i]), STATS_OWN "tcp.violations.%s",
                     tcp_violation_name((enum tcp_violation)i));
        for (i = 1; i < STUCK_KINDS; i++)
            snprintf(spaths[i], sizeof(spaths[i]), STATS_OWN "tcp.stuck.%s",
                     tcp_stuck_name((enum tcp_stuck_kind)i));
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
}
