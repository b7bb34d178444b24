/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fanout: the PACKET_FANOUT group of a multi-handle live capture and its
 * steering program (fanout.h).
 *
 * The program runs on the kernel's sk_buff, before any of our sockets sees
 * the packet. Offsets are relative to the network header (SKF_NET_OFF) and
 * the link type comes from skb->protocol (SKF_AD_PROTOCOL), so it does not
 * matter whether the packet is being received (data at the network header)
 * or transmitted (data at the link header), nor what the link layer is. On
 * receive the kernel has already moved the outer VLAN tag out of the packet
 * (skb_vlan_untag); a second tag (QinQ) stays in front of the network
 * header with skb->protocol naming it, so up to two in-packet tags are
 * stepped over.
 */
#include <config.h>

#include "capture/fanout.h"

#include <errno.h>
#include <string.h>

#include "util/log.h"

#if defined(__linux__)
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#ifndef PACKET_FANOUT_FLAG_UNIQUEID
#define PACKET_FANOUT_FLAG_UNIQUEID 0x2000
#endif

#define NET(off) ((uint32_t)(SKF_NET_OFF + (off)))
#define M_ACC 0  /* scratch: running sum */
#define M_BASE 1 /* scratch: offset of the IP header from the network header */

/* One IPv6 address word at off: A = word + M[ACC]; M[ACC] = A. 5 insns. */
#define XOR_WORD(off)                                                                     \
    BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, M_BASE), BPF_STMT(BPF_LD | BPF_W | BPF_IND, NET(off)), \
        BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, M_ACC), BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),  \
        BPF_STMT(BPF_ST, M_ACC)

/*
 * Layout (instruction numbers matter: jumps are relative and forward):
 *   0-9   A = ethertype, X = bytes of in-packet VLAN tags (0, 4, 8)
 *   10-11 dispatch on IPv4 / IPv6, 12 other: socket 0
 *   13-19 IPv4: A = src + dst, jump to mix
 *   20-57 IPv6: sum of 8 words
 *   58-60 mix, return it: the kernel takes it mod N
 */
/* Not const: struct sock_fprog takes a non-const pointer; nothing writes it. */
static struct sock_filter prog[] = {
    /* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL)),
    /* 1 */ BPF_STMT(BPF_LDX | BPF_IMM, 0),
    /* 2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x8100, 1, 0),
    /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x88a8, 0, 6),
    /* 4 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, NET(2)),
    /* 5 */ BPF_STMT(BPF_LDX | BPF_IMM, 4),
    /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x8100, 1, 0),
    /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x88a8, 0, 2),
    /* 8 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, NET(6)),
    /* 9 */ BPF_STMT(BPF_LDX | BPF_IMM, 8),
    /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, 2, 0),
    /* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, 8, 0),
    /* 12 */ BPF_STMT(BPF_RET | BPF_K, 0),
    /* 13 IPv4 */ BPF_STMT(BPF_STX, M_BASE),
    /* 14 */ BPF_STMT(BPF_LD | BPF_W | BPF_IND, NET(16)),
    /* 15 */ BPF_STMT(BPF_ST, M_ACC),
    /* 16 */ BPF_STMT(BPF_LD | BPF_W | BPF_IND, NET(12)),
    /* 17 */ BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, M_ACC),
    /* 18 */ BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
    /* 19 */ BPF_JUMP(BPF_JMP | BPF_JA, 38, 0, 0), /* to mix (insn 58) */
    /* 20 IPv6 */ BPF_STMT(BPF_STX, M_BASE),
    /* 21 */ BPF_STMT(BPF_LD | BPF_W | BPF_IND, NET(8)),
    /* 22 */ BPF_STMT(BPF_ST, M_ACC),
    XOR_WORD(12), /* 23-27 */
    XOR_WORD(16), /* 28-32 */
    XOR_WORD(20), /* 33-37 */
    XOR_WORD(24), /* 38-42 */
    XOR_WORD(28), /* 43-47 */
    XOR_WORD(32), /* 48-52 */
    XOR_WORD(36), /* 53-57 */
    /* 58 mix */ BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 0x9e3779b1u),
    /* 59 */ BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
    /* 60 */ BPF_STMT(BPF_RET | BPF_A, 0),
};

const void *
fanout_program(size_t *len)
{
    *len = sizeof(prog) / sizeof(prog[0]);
    return prog;
}

int
fanout_join(int fd, const uint16_t *group_id, uint16_t *out_id, char *err)
{
    uint32_t arg;
    socklen_t alen = sizeof(arg);

    if (group_id == NULL) {
        struct sock_fprog fp = {(unsigned short)(sizeof(prog) / sizeof(prog[0])),
                                prog};

        /* id 0 + UNIQUEID: the kernel picks an id no other group in this namespace has. */
        arg = (uint32_t)(PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
        if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
            errbuf_printf(err, "cannot make a PACKET_FANOUT group: %s", strerror(errno));
            return -1;
        }
        if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &alen) != 0) {
            errbuf_printf(err, "cannot read the PACKET_FANOUT group id: %s", strerror(errno));
            return -1;
        }
        if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &fp, sizeof(fp)) != 0) {
            errbuf_printf(err, "cannot set the fanout program: %s", strerror(errno));
            return -1;
        }
        *out_id = (uint16_t)(arg & 0xffff);
        return 0;
    }
    arg = (uint32_t)*group_id | (uint32_t)PACKET_FANOUT_CBPF << 16;
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
        errbuf_printf(err, "cannot join PACKET_FANOUT group %u: %s", (unsigned)*group_id,
                      strerror(errno));
        return -1;
    }
    *out_id = *group_id;
    return 0;
}

#else /* !__linux__ */

const void *
fanout_program(size_t *len)
{
    *len = 0;
    return NULL;
}

int
fanout_join(int fd, const uint16_t *group_id, uint16_t *out_id, char *err)
{
    (void)fd;
    (void)group_id;
    (void)out_id;
    errbuf_printf(err, "several capture handles (--workers) need Linux PACKET_FANOUT");
    return -1;
}

#endif
