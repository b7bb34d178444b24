/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_FANOUT_H
#define FLOWSTATE_FANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * fanout: several packet sockets on one interface sharing its traffic
 * (Linux PACKET_FANOUT), steered by flowstate's own classic BPF program.
 *
 * The kernel's PACKET_FANOUT_HASH hashes the outer header with ports, so
 * the two directions of a VXLAN or Geneve connection (whose endpoints pick
 * their own UDP source ports) and the fragments of one IPv6 datagram (only
 * the first carries ports) can land on different sockets. The program here
 * hashes the outermost IP addresses only, after up to two VLAN tags:
 *
 *   h = fanout_mix(sum of every 32-bit word, in network byte order, of the
 *                  source and the destination address, mod 2^32);
 *   the kernel picks socket h mod N;
 *   fanout_mix(x) = (x * 0x9e3779b1 mod 2^32) >> 16
 *
 * A sum does not care which address is the source (XOR would not either,
 * but cancels the equal host bytes of pairs like 192.0.2.4 <-> 198.51.100.4,
 * sending every such pair to one socket), and every packet of a
 * connection, in both directions, tunnelled or fragmented, carries the same
 * outer address pair, so one connection always lands on one socket and
 * keeps its order. Non-IP frames go to socket 0. The balance is by host
 * pair, not by connection: traffic between two hosts uses one socket (the
 * reader re-steers to workers by the full tuple, so this limits only how
 * the kernel's rings fill, not how work spreads over the workers).
 */

/* The hash the program computes, over an address pair given as words (for tests). */
static inline uint32_t
fanout_mix(uint32_t x)
{
    return (uint32_t)(x * 0x9e3779b1u) >> 16;
}

/*
 * Joins the packet socket fd to a fanout group. group_id == NULL: no
 * group yet, a new one is made with a kernel-chosen unique id, the program
 * is installed, and *out_id receives the id; otherwise joins *group_id.
 * returns 0, or -1 with err (ERRBUF_SIZE) set.
 */
int fanout_join(int fd, const uint16_t *group_id, uint16_t *out_id, char *err);

/*
 * The classic BPF program (for tests: run it with fanout_run on a packet
 * laid out as the kernel sees it). insns/len as struct sock_filter.
 */
const void *fanout_program(size_t *len);

#endif
