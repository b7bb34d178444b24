/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_fanout: the classic BPF steering program of a multi-handle live
 * capture (src/capture/fanout.h), run by a small interpreter of the
 * instructions it uses, on packets laid out as the kernel hands them to a
 * fanout program (skb->protocol, then the bytes from the network header).
 * It must compute fanout_mix(sum of the address words) for IPv4 and IPv6,
 * step over in-packet VLAN tags, give both directions the same value, send
 * non-IP to 0, and not cancel equal host bytes.
 */
#include <config.h>

#include "capture/fanout.h"

#include <check.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

/* ---- interpreter --------------------------------------------------------- */

struct skb {
    uint16_t protocol;
    const uint8_t *net; /* bytes from the network header */
    size_t len;
};

static bool
load(const struct skb *s, int64_t off, unsigned size, uint32_t *v)
{
    if (off == SKF_AD_OFF + SKF_AD_PROTOCOL && size == 2) {
        *v = s->protocol;
        return true;
    }
    ck_assert_int_ge(off, SKF_NET_OFF); /* the program only reads relative to the network header */
    off -= SKF_NET_OFF;
    if (off < 0 || (size_t)off + size > s->len)
        return false;
    *v = 0;
    for (unsigned i = 0; i < size; i++)
        *v = *v << 8 | s->net[off + i];
    return true;
}

/* Runs the program; a load out of bounds ends it with 0, as in the kernel. */
static uint32_t
run(const struct skb *s)
{
    size_t n;
    const struct sock_filter *p = fanout_program(&n);
    uint32_t a = 0, x = 0, m[BPF_MEMWORDS] = {0};

    for (size_t pc = 0; pc < n; pc++) {
        const struct sock_filter *f = &p[pc];
        uint32_t v;

        switch (f->code) {
        case BPF_LD | BPF_H | BPF_ABS:
        case BPF_LD | BPF_W | BPF_ABS:
        case BPF_LD | BPF_W | BPF_IND:
            if (!load(s, (int32_t)f->k + ((f->code & 0xe0) == BPF_IND ? (int64_t)x : 0),
                      BPF_SIZE(f->code) == BPF_H ? 2 : 4, &v))
                return 0;
            a = v;
            break;
        case BPF_LDX | BPF_IMM:
            x = f->k;
            break;
        case BPF_LDX | BPF_W | BPF_MEM:
            x = m[f->k];
            break;
        case BPF_ST:
            m[f->k] = a;
            break;
        case BPF_STX:
            m[f->k] = x;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JA:
            pc += f->k;
            break;
        case BPF_ALU | BPF_ADD | BPF_X:
            a += x;
            break;
        case BPF_ALU | BPF_MUL | BPF_K:
            a *= f->k;
            break;
        case BPF_ALU | BPF_RSH | BPF_K:
            a >>= f->k;
            break;
        case BPF_RET | BPF_K:
            return f->k;
        case BPF_RET | BPF_A:
            return a;
        default:
            ck_abort_msg("instruction %zu: opcode 0x%x not expected", pc, f->code);
        }
    }
    ck_abort_msg("the program fell off its end");
    return 0;
}

/* ---- packets -------------------------------------------------------------- */

static size_t
ipv4(uint8_t *b, const uint8_t src[4], const uint8_t dst[4])
{
    memset(b, 0, 40);
    b[0] = 0x45;
    b[3] = 40;
    b[8] = 64;
    b[9] = 6;
    memcpy(b + 12, src, 4);
    memcpy(b + 16, dst, 4);
    return 40;
}

static size_t
ipv6(uint8_t *b, const uint8_t src[16], const uint8_t dst[16])
{
    memset(b, 0, 60);
    b[0] = 0x60;
    b[5] = 20;
    b[6] = 6;
    b[7] = 64;
    memcpy(b + 8, src, 16);
    memcpy(b + 24, dst, 16);
    return 60;
}

static uint32_t
words(const uint8_t *b, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < n; i += 4)
        sum += (uint32_t)b[i] << 24 | (uint32_t)b[i + 1] << 16 | (uint32_t)b[i + 2] << 8 | b[i + 3];
    return sum;
}

static const uint8_t A4[4] = {192, 0, 2, 4}, B4[4] = {198, 51, 100, 4};
static const uint8_t C4[4] = {192, 0, 2, 1}, D4[4] = {198, 51, 100, 1};
static const uint8_t A6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
static const uint8_t B6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};

START_TEST(ipv4_value_and_symmetry)
{
    uint8_t b[64];
    struct skb s = {0x0800, b, ipv4(b, A4, B4)};
    uint32_t h = run(&s);

    ck_assert_uint_eq(h, fanout_mix(words(A4, 4) + words(B4, 4)));
    s.len = ipv4(b, B4, A4);
    ck_assert_uint_eq(run(&s), h);
    /* equal host bytes must not cancel (an XOR would give both pairs one value) */
    s.len = ipv4(b, C4, D4);
    ck_assert_uint_ne(run(&s), h);
}
END_TEST

START_TEST(ipv6_value_and_symmetry)
{
    uint8_t b[64];
    struct skb s = {0x86dd, b, ipv6(b, A6, B6)};
    uint32_t h = run(&s);

    ck_assert_uint_eq(h, fanout_mix(words(A6, 16) + words(B6, 16)));
    s.len = ipv6(b, B6, A6);
    ck_assert_uint_eq(run(&s), h);
}
END_TEST

/* In-packet tags before the IP header: one (QinQ after the kernel took the outer) or two. */
START_TEST(vlan_tags_stepped_over)
{
    uint8_t b[80];
    uint8_t ip[64];
    size_t n = ipv4(ip, A4, B4);
    uint32_t want = fanout_mix(words(A4, 4) + words(B4, 4));
    struct skb s;

    memcpy(b, "\x00\x64\x08\x00", 4);
    memcpy(b + 4, ip, n);
    s = (struct skb){0x8100, b, n + 4};
    ck_assert_uint_eq(run(&s), want);
    memcpy(b, "\x01\x2c\x81\x00\x00\x64\x08\x00", 8);
    memcpy(b + 8, ip, n);
    s = (struct skb){0x88a8, b, n + 8};
    ck_assert_uint_eq(run(&s), want);
    /* IPv6 behind a tag */
    n = ipv6(ip, A6, B6);
    memcpy(b, "\x00\x64\x86\xdd", 4);
    memcpy(b + 4, ip, n);
    s = (struct skb){0x8100, b, n + 4};
    ck_assert_uint_eq(run(&s), fanout_mix(words(A6, 16) + words(B6, 16)));
}
END_TEST

START_TEST(non_ip_and_short)
{
    uint8_t b[64] = {0};
    struct skb s = {0x0806, b, 28}; /* ARP */

    ck_assert_uint_eq(run(&s), 0);
    s = (struct skb){0x0800, b, 12}; /* IPv4 cut before its addresses: the load fails */
    ck_assert_uint_eq(run(&s), 0);
}
END_TEST

static Suite *
fanout_suite(void)
{
    Suite *s = suite_create("fanout");
    TCase *tc = tcase_create("program");

    tcase_add_test(tc, ipv4_value_and_symmetry);
    tcase_add_test(tc, ipv6_value_and_symmetry);
    tcase_add_test(tc, vlan_tags_stepped_over);
    tcase_add_test(tc, non_ip_and_short);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(fanout_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
