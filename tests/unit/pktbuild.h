/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_PKTBUILD_H
#define FLOWSTATE_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

/*
 * Test-only packet builders.
 * pb_meta_*: build a struct pkt_meta directly (TCP/flow unit tests need no bytes).
 * pb_frame_*: build raw frames for decoder tests (checksums filled in).
 */

/* A TCP segment 10.0.0.1:40000 <-> 10.0.0.2:80. from_client picks the direction. */
struct pb_seg {
    int from_client;
    uint16_t flags; /* TCP_SYN | TCP_ACK ... */
    uint32_t seq, ack;
    uint16_t win;
    uint32_t len; /* payload length */
    uint64_t ts_ns;
    int mss;     /* >0: MSS option */
    int wscale;  /* >=0: window-scale option */
    int sack_ok; /* SACK-permitted option */
};

/* Fills *m from *s (IPv4, client 10.0.0.1:40000, server 10.0.0.2:80). */
void pb_meta(struct pkt_meta *m, const struct pb_seg *s);

/*
 * Raw frames: Ethernet + IPv4 (or IPv6 if v6) + TCP with `paylen` zero bytes
 * of payload. Writes at most cap bytes into buf; returns the bytes written
 * (the frame cut at cap), or 0 if the packet would exceed 9100 bytes of IP.
 */
size_t pb_frame_eth_tcp(uint8_t *buf, size_t cap, int v6, const struct pb_seg *s);

/* The same IP + TCP packet without a link header (for tunnels and raw link types). */
size_t pb_ip_tcp(uint8_t *buf, size_t cap, int v6, const struct pb_seg *s);

/* RFC 1071: folds a 32-bit one's-complement sum and complements it. */
uint16_t pb_csum_fold(uint32_t sum);

#endif
