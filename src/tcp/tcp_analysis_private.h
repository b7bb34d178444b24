/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_ANALYSIS_PRIVATE_H
#define FLOWSTATE_TCP_ANALYSIS_PRIVATE_H

/*
 * tcp_analysis' general path, for check_tcp_analysis.c, which compares it
 * with the product's tcp_an_step() (fast path for the common segment,
 * in-place range and RTT code). Nothing else includes this header.
 */

#include <stdbool.h>

#include "tcp/tcp_analysis.h"

/*
 * tcp_an_step() through the reference paths alone: every segment through
 * the general step, the general range and RTT code, the cold iRTT fields,
 * the flag tests one per flag. Same results as tcp_an_step().
 */
void tcp_an_step_reference(struct tcp_an *an, struct tcp_an_cold *ac, int dir,
                           const struct pkt_meta *m);

/* True if tcp_an_step() would take its fast path for m in direction dir (no side effects). */
bool tcp_an_common_segment(const struct tcp_an *an, int dir, const struct pkt_meta *m);

#endif
