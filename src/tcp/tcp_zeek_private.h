/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_TCP_ZEEK_PRIVATE_H
#define FLOWSTATE_TCP_ZEEK_PRIVATE_H

/*
 * tcp_zeek's general path, for check_tcp_zeek.c, which compares it with the
 * product's tcp_zeek_step() (its shortcuts for segments that change no
 * endpoint state and add no history letter). Nothing else includes it.
 */

#include "tcp/tcp_zeek.h"

/*
 * tcp_zeek_step() without shortcuts: every step through init_endpoint, the
 * full history check and the state machine. Same results as tcp_zeek_step().
 */
void tcp_zeek_step_reference(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir,
                             const struct pkt_meta *m);

#endif
