/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_decode: bytes -> struct pkt_meta. Frames are built here (small
 * writers below) or by pktbuild; each test asserts the outcome, the reason,
 * the metadata and the counters. One suite, several TCases by layer.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "pktbuild.h"
#include "util/stats.h"

/* ---- frame writers (tests own these bytes; nothing here parses) --------- */

struct fb {
    uint8_t b[4096];
    size_t n;
};

static void
put8(struct fb *f, unsigned v)
{
    ck_assert_uint_lt(f->n, sizeof(f->b));
    f->b[f->n++] = (uint8_t)v;
}

static void
put16(struct fb *f, unsigned v)
{
    put8(f, v >> 8);
    put8(f, v);
}

static void
put32(struct fb *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xffff);
}

static void
putn(struct fb *f, const uint8_t *p, size_t n)
{
    ck_assert_uint_le(f->n + n, sizeof(f->b));
    if (n != 0)
        memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void
set16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
    size_t i;

    for (i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static const uint8_t A4[4] = {192, 0, 2, 1}, B4[4] = {198, 51, 100, 2};
static const uint8_t A6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t B6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* A TCP segment (checksum 0: the IP writer fills it in). */
static void
mk_tcp(struct fb *f, const uint8_t *opt, size_t olen, unsigned flags, size_t paylen)
{
    size_t i;

    ck_assert_uint_eq(olen % 4, 0);
    put16(f, 1234);
    put16(f, 80);
    put32(f, 1000);
    put32(f, 2000);
    put8(f, (unsigned)((20 + olen) / 4) << 4 | (flags >> 8 & 1));
    put8(f, flags & 0xff);
    put16(f, 65535);
    put16(f, 0);
    put16(f, 0);
    putn(f, opt, olen);
    for (i = 0; i < paylen; i++)
        put8(f, (unsigned)('a' + i % 26));
}

static void
mk_udp(struct fb *f, unsigned sport, unsigned dport, const struct fb *payload)
{
    put16(f, sport);
    put16(f, dport);
    put16(f, (unsigned)(8 + payload->n));
    put16(f, 0);
    putn(f, payload->b, payload->n);
}

/* Fills the TCP (6) checksum of l4 given the pseudo-header address sum. */
static void
fix_l4(uint8_t proto, uint8_t *l4, size_t len, uint32_t addr_sum)
{
    uint32_t s;

    if (proto != 6 || len < 20)
        return;
    set16(l4 + 16, 0);
    s = sum16(l4, len, addr_sum + proto + (uint32_t)len);
    set16(l4 + 16, pb_csum_fold(s));
}

/* IPv4 around l4 with `optlen` bytes of NOP options and fragment field `frag`. */
static void
mk_ip4(struct fb *f, uint8_t proto, const struct fb *l4, size_t optlen, unsigned frag)
{
    size_t start = f->n, i, hlen = 20 + optlen;

    put8(f, 0x40 | (unsigned)(hlen / 4));
    put8(f, 0);
    put16(f, (unsigned)(hlen + l4->n));
    put16(f, 0x4242);
    put16(f, frag);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    putn(f, A4, 4);
    putn(f, B4, 4);
    for (i = 0; i < optlen; i++)
        put8(f, 1);
    set16(f->b + start + 10, pb_csum_fold(sum16(f->b + start, hlen, 0)));
    putn(f, l4->b, l4->n);
    if (frag == 0)
        fix_l4(proto, f->b + start + hlen, l4->n, sum16(A4, 4, 0) + sum16(B4, 4, 0));
}

/* IPv6 with extension bytes `ext` (already chained; nh is the first header). */
static void
mk_ip6x(struct fb *f, uint8_t nh, const struct fb *ext, uint8_t proto, const struct fb *l4)
{
    size_t start;

    put32(f, 0x60000000u);
    put16(f, (unsigned)(ext->n + l4->n));
    put8(f, nh);
    put8(f, 63);
    putn(f, A6, 16);
    putn(f, B6, 16);
    putn(f, ext->b, ext->n);
    start = f->n;
    putn(f, l4->b, l4->n);
    fix_l4(proto, f->b + start, l4->n, sum16(A6, 16, 0) + sum16(B6, 16, 0));
}

static void
mk_ip6(struct fb *f, uint8_t proto, const struct fb *l4)
{
    struct fb none = {.n = 0};

    mk_ip6x(f, proto, &none, proto, l4);
}

static const uint8_t MACS[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

static void
mk_eth(struct fb *f, unsigned type, const struct fb *payload)
{
    putn(f, MACS, 12);
    put16(f, type);
    putn(f, payload->b, payload->n);
}

/* A plain TCP segment with no options inside IPv4 / IPv6. */
static void
ip4_tcp(struct fb *f, size_t paylen)
{
    struct fb t = {.n = 0};

    mk_tcp(&t, NULL, 0, TCP_ACK | TCP_PSH, paylen);
    mk_ip4(f, 6, &t, 0, 0);
}

static void
ip6_tcp(struct fb *f, size_t paylen)
{
    struct fb t = {.n = 0};

    mk_tcp(&t, NULL, 0, TCP_ACK | TCP_PSH, paylen);
    mk_ip6(f, 6, &t);
}

/* ---- decode wrapper -------------------------------------------------------- */

static struct decode_stats st;
static struct pkt_meta m;

static void
setup(void)
{
    memset(&st, 0, sizeof(st));
    memset(&m, 0, sizeof(m));
}

static enum decode_outcome
dec_opts(int dlt, const uint8_t *p, size_t len, bool verify)
{
    struct decode_opts o = {.verify_checksums = verify};
    uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan catches over-reads */
    enum decode_outcome r;

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, p, len);
    r = decode_packet(dlt, copy, (uint32_t)len, (uint32_t)len, 7, &o, &m, &st);
    free(copy);
    return r;
}

static enum decode_outcome
dec(int dlt, const struct fb *f)
{
    return dec_opts(dlt, f->b, f->n, true);
}

static void
assert_tcp_v4(void)
{
    ck_assert_uint_eq(m.ip_version, 4);
    ck_assert_mem_eq(m.src.b, A4, 4);
    ck_assert_mem_eq(m.dst.b, B4, 4);
    ck_assert_uint_eq(m.sport, 1234);
    ck_assert_uint_eq(m.dport, 80);
    ck_assert_uint_eq(m.seq, 1000);
    ck_assert_uint_eq(m.ack, 2000);
    ck_assert_uint_eq(m.l4_proto, 6);
}

static void
assert_tcp_v6(void)
{
    ck_assert_uint_eq(m.ip_version, 6);
    ck_assert_mem_eq(m.src.b, A6, 16);
    ck_assert_mem_eq(m.dst.b, B6, 16);
    ck_assert_uint_eq(m.sport, 1234);
    ck_assert_uint_eq(m.dport, 80);
    ck_assert_uint_eq(m.l4_proto, 6);
    ck_assert_uint_eq(m.ttl, 63);
}

/* ---- link layer ------------------------------------------------------------ */

START_TEST(test_ethernet_ipv4_tcp_is_decoded)
{
    struct fb ip = {.n = 0}, f = {.n = 0};

    ip4_tcp(&ip, 5);
    mk_eth(&f, 0x0800, &ip);
    ck_assert_int_eq(dec(1, &f), DECODE_TCP);
    assert_tcp_v4();
    ck_assert_uint_eq(m.ts_ns, 7);
    ck_assert_uint_eq(m.ip_bytes, 45);
    ck_assert_uint_eq(m.payload_len, 5);
    ck_assert_uint_eq(m.payload_cap, 5);
    ck_assert_uint_eq(m.tcp_hlen, 20);
    ck_assert_uint_eq(m.flags, TCP_ACK | TCP_PSH);
    ck_assert_uint_eq(m.csum, CSUM_OK);
    ck_assert_uint_eq(m.anomalies, 0);
    ck_assert_uint_eq(m.tunnel_depth, 0);
    ck_assert_uint_eq(st.link[DL_EN10MB], 1);
    ck_assert_uint_eq(st.counter[DC_ETHERNET], 1);
    ck_assert_uint_eq(st.counter[DC_IPV4], 1);
    ck_assert_uint_eq(st.counter[DC_TCP], 1);
    ck_assert_uint_eq(st.counter[DC_TCP_CSUM_OK], 1);
    ck_assert_uint_eq(st.outcome[DECODE_TCP], 1);
}
END_TEST

START_TEST(test_ethernet_ipv6_tcp_is_decoded)
{
    struct fb ip = {.n = 0}, f = {.n = 0};

    ip6_tcp(&ip, 3);
    mk_eth(&f, 0x86dd, &ip);
    ck_assert_int_eq(dec(1, &f), DECODE_TCP);
    assert_tcp_v6();
    ck_assert_uint_eq(m.ip_bytes, 63);
    ck_assert_uint_eq(m.payload_len, 3);
    ck_assert_uint_eq(m.csum, CSUM_OK);
    ck_assert_uint_eq(st.counter[DC_IPV6], 1);
}
END_TEST

START_TEST(test_pktbuild_frames_decode_back_to_their_meta)
{
    struct pb_seg s = {.from_client = 1,
                       .flags = TCP_SYN,
                       .seq = 5,
                       .win = 1000,
                       .len = 0,
                       .mss = 1460,
                       .wscale = 7,
                       .sack_ok = 1};
    struct pkt_meta want;
    uint8_t buf[256];
    size_t n = pb_frame_eth_tcp(buf, sizeof(buf), 0, &s);

    pb_meta(&want, &s);
    ck_assert_int_eq(dec_opts(1, buf, n, true), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_OK);
    ck_assert_uint_eq(m.sport, want.sport);
    ck_assert_uint_eq(m.dport, want.dport);
    ck_assert_mem_eq(m.src.b, want.src.b, 16);
    ck_assert_uint_eq(m.tcp_hlen, want.tcp_hlen);
    ck_assert_uint_eq(m.opt.present, want.opt.present);
    ck_assert_uint_eq(m.opt.mss, 1460);
    ck_assert_uint_eq(m.opt.wscale, 7);
    ck_assert_uint_eq(m.ip_bytes, want.ip_bytes);
    n = pb_frame_eth_tcp(buf, sizeof(buf), 1, &s);
    ck_assert_int_eq(dec_opts(1, buf, n, true), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_OK);
    ck_assert_uint_eq(m.ip_version, 6);
}
END_TEST

START_TEST(test_pktbuild_server_segment_with_full_payload)
{
    struct pb_seg s = {
        .from_client = 0, .flags = TCP_ACK, .seq = 9, .ack = 3, .len = 1460, .wscale = -1};
    struct pkt_meta want;
    static uint8_t buf[1600];
    size_t n = pb_frame_eth_tcp(buf, sizeof(buf), 0, &s);

    pb_meta(&want, &s);
    ck_assert_uint_eq(n, want.caplen);
    ck_assert_int_eq(dec_opts(1, buf, n, true), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_OK);
    ck_assert_uint_eq(m.sport, 80);
    ck_assert_uint_eq(m.dport, 40000);
    ck_assert_uint_eq(m.payload_len, 1460);
    ck_assert_uint_eq(m.seq, want.seq);
    ck_assert_uint_eq(m.ack, want.ack);
    ck_assert_uint_eq(m.flags, want.flags);
    ck_assert_uint_eq(m.opt.present, 0);
    ck_assert_uint_eq(pb_frame_eth_tcp(buf, 20, 0, &s), 20); /* cut at cap */
}
END_TEST

START_TEST(test_sll_and_sll2_carry_ipv4)
{
    struct fb ip = {.n = 0}, f = {.n = 0}, g = {.n = 0};
    size_t i;

    ip4_tcp(&ip, 0);
    put16(&f, 0); /* packet type */
    put16(&f, 1); /* ARPHRD_ETHER */
    put16(&f, 6);
    for (i = 0; i < 8; i++)
        put8(&f, 0);
    put16(&f, 0x0800);
    putn(&f, ip.b, ip.n);
    ck_assert_int_eq(dec(113, &f), DECODE_TCP);
    assert_tcp_v4();
    ck_assert_uint_eq(st.counter[DC_SLL], 1);
    ck_assert_uint_eq(st.link[DL_LINUX_SLL], 1);

    put16(&g, 0x0800);
    put16(&g, 0);
    put32(&g, 3);
    put16(&g, 1);
    put8(&g, 0);
    put8(&g, 6);
    for (i = 0; i < 8; i++)
        put8(&g, 0);
    putn(&g, ip.b, ip.n);
    ck_assert_int_eq(dec(276, &g), DECODE_TCP);
    assert_tcp_v4();
    ck_assert_uint_eq(st.counter[DC_SLL2], 1);
    ck_assert_uint_eq(st.link[DL_LINUX_SLL2], 1);
}
END_TEST

START_TEST(test_raw_dlts_pick_the_ip_version_from_the_nibble)
{
    static const int raws[] = {12, 14, 101};
    struct fb v4 = {.n = 0}, v6 = {.n = 0};
    size_t i;

    ip4_tcp(&v4, 1);
    ip6_tcp(&v6, 1);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(dec(raws[i], &v4), DECODE_TCP);
        ck_assert_uint_eq(m.ip_version, 4);
        ck_assert_int_eq(dec(raws[i], &v6), DECODE_TCP);
        ck_assert_uint_eq(m.ip_version, 6);
    }
    ck_assert_uint_eq(st.link[DL_RAW], 6);
    ck_assert_int_eq(dec(228, &v4), DECODE_TCP);
    ck_assert_int_eq(dec(229, &v6), DECODE_TCP);
    ck_assert_uint_eq(st.link[DL_IPV4], 1);
    ck_assert_uint_eq(st.link[DL_IPV6], 1);
    /* DLT_IPV4 insists on version 4 */
    ck_assert_int_eq(dec(228, &v6), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_IPV4_VERSION);
    v4.b[0] = 0x55;
    ck_assert_int_eq(dec(101, &v4), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_IP_VERSION);
}
END_TEST

static void
mk_null(struct fb *f, uint32_t fam, bool le, const struct fb *ip)
{
    if (le) {
        put8(f, fam & 0xff);
        put8(f, fam >> 8 & 0xff);
        put16(f, 0);
    } else {
        put32(f, fam);
    }
    putn(f, ip->b, ip->n);
}

START_TEST(test_null_accepts_both_byte_orders_and_all_inet6_values)
{
    static const uint32_t fam6[] = {24, 28, 30};
    struct fb v4 = {.n = 0}, v6 = {.n = 0};
    size_t i;
    int le;

    ip4_tcp(&v4, 0);
    ip6_tcp(&v6, 0);
    for (le = 0; le < 2; le++) {
        struct fb f = {.n = 0};

        mk_null(&f, 2, le, &v4);
        ck_assert_int_eq(dec(0, &f), DECODE_TCP);
        ck_assert_uint_eq(m.ip_version, 4);
        for (i = 0; i < 3; i++) {
            struct fb g = {.n = 0};

            mk_null(&g, fam6[i], le, &v6);
            ck_assert_int_eq(dec(0, &g), DECODE_TCP);
            ck_assert_uint_eq(m.ip_version, 6);
        }
    }
    ck_assert_uint_eq(st.link[DL_NULL], 8);
    ck_assert_uint_eq(st.counter[DC_NULL], 8);
}
END_TEST

START_TEST(test_loop_reads_family_in_either_byte_order)
{
    struct fb v4 = {.n = 0}, f = {.n = 0}, g = {.n = 0}, h = {.n = 0};

    ip4_tcp(&v4, 0);
    mk_null(&f, 2, false, &v4); /* network order, as DLT_LOOP defines */
    ck_assert_int_eq(dec(108, &f), DECODE_TCP);
    mk_null(&g, 2, true, &v4); /* host (little-endian) order, as some writers do */
    ck_assert_int_eq(dec(108, &g), DECODE_TCP);
    mk_null(&h, 99, false, &v4); /* no known family either way */
    ck_assert_int_eq(dec(108, &h), DECODE_NON_IP);
    ck_assert_uint_eq(st.link[DL_LOOP], 3);
}
END_TEST

START_TEST(test_unknown_dlt_is_unsupported)
{
    struct fb f = {.n = 0};

    ip4_tcp(&f, 0);
    ck_assert(!decode_dlt_supported(147));
    ck_assert(decode_dlt_supported(1));
    ck_assert_int_eq(dec(147, &f), DECODE_UNSUPPORTED);
    ck_assert_uint_eq(st.link[DL_OTHER], 1);
    ck_assert_uint_eq(st.outcome[DECODE_UNSUPPORTED], 1);
}
END_TEST

START_TEST(test_arp_and_lldp_are_non_ip)
{
    struct fb pl = {.n = 0}, f = {.n = 0}, g = {.n = 0};

    put32(&pl, 0x00010800);
    mk_eth(&f, 0x0806, &pl);
    ck_assert_int_eq(dec(1, &f), DECODE_NON_IP);
    ck_assert_uint_eq(st.counter[DC_ARP], 1);
    mk_eth(&g, 0x88cc, &pl);
    ck_assert_int_eq(dec(1, &g), DECODE_NON_IP);
    ck_assert_uint_eq(st.counter[DC_OTHER_LINK], 1);
}
END_TEST

START_TEST(test_empty_record_is_truncated_empty)
{
    ck_assert_int_eq(dec_opts(1, (const uint8_t *)"", 0, true), DECODE_TRUNCATED);
    ck_assert_uint_eq(m.reason, DR_EMPTY);
    ck_assert_uint_eq(st.truncated[DR_EMPTY], 1);
    ck_assert_int_eq(decode_packet(1, NULL, 0, 60, 0, NULL, &m, &st), DECODE_TRUNCATED);
}
END_TEST

START_TEST(test_caplen_above_wirelen_is_flagged_and_bounded_by_caplen)
{
    struct fb ip = {.n = 0}, f = {.n = 0};
    struct decode_opts o = {.verify_checksums = true};

    ip4_tcp(&ip, 2);
    mk_eth(&f, 0x0800, &ip);
    ck_assert_int_eq(decode_packet(1, f.b, (uint32_t)f.n, 20, 0, &o, &m, &st), DECODE_TCP);
    ck_assert(m.anomalies & ANOM_IP_CAPLEN_GT_LEN);
    ck_assert_uint_eq(m.payload_cap, 2);
}
END_TEST

/* ---- VLAN and MPLS --------------------------------------------------------- */

/* _i = number of tags (1..4); tag ethertypes rotate 0x88a8, 0x8100, 0x9100. */
START_TEST(test_vlan_stacks_up_to_three_tags)
{
    static const unsigned tpid[] = {0x88a8, 0x8100, 0x9100, 0x8100};
    struct fb ip = {.n = 0}, f = {.n = 0};
    int tags = _i, i;

    ip4_tcp(&ip, 0);
    putn(&f, MACS, 12);
    for (i = 0; i < tags; i++) {
        put16(&f, tpid[i]);
        put16(&f, 0x2000u | (unsigned)(100 + i));
    }
    put16(&f, 0x0800);
    putn(&f, ip.b, ip.n);
    if (tags > DECODE_MAX_VLAN) {
        ck_assert_int_eq(dec(1, &f), DECODE_MALFORMED);
        ck_assert_uint_eq(m.reason, DR_VLAN_TOO_MANY);
        ck_assert_uint_eq(st.malformed[DR_VLAN_TOO_MANY], 1);
        return;
    }
    ck_assert_int_eq(dec(1, &f), DECODE_TCP);
    assert_tcp_v4();
    ck_assert_uint_eq(m.vlan_count, tags);
    for (i = 0; i < tags; i++)
        ck_assert_uint_eq(m.vlan[i], 100 + i);
    /* Suricata's counting: vlan per tag, qinq at the 2nd tag, qinqinq at the 3rd */
    ck_assert_uint_eq(st.counter[DC_VLAN], tags);
    ck_assert_uint_eq(st.counter[DC_VLAN_QINQ], tags >= 2 ? 1 : 0);
    ck_assert_uint_eq(st.counter[DC_VLAN_QINQINQ], tags >= 3 ? 1 : 0);
}
END_TEST

START_TEST(test_truncated_vlan_tag_is_vlan_header)
{
    struct fb f = {.n = 0};

    putn(&f, MACS, 12);
    put16(&f, 0x8100);
    put16(&f, 5);
    ck_assert_int_eq(dec(1, &f), DECODE_TRUNCATED);
    ck_assert_uint_eq(m.reason, DR_VLAN_HEADER);
}
END_TEST

START_TEST(test_mpls_stack_then_ip_by_nibble)
{
    struct fb v4 = {.n = 0}, v6 = {.n = 0}, l = {.n = 0}, f = {.n = 0}, g = {.n = 0}, h = {.n = 0},
              x = {.n = 0};

    ip4_tcp(&v4, 0);
    ip6_tcp(&v6, 0);
    put32(&l, 100u << 12 | 64);         /* label 100, not bottom */
    put32(&l, 200u << 12 | 0x100 | 64); /* label 200, bottom of stack */
    putn(&l, v4.b, v4.n);
    mk_eth(&f, 0x8847, &l);
    ck_assert_int_eq(dec(1, &f), DECODE_TCP);
    assert_tcp_v4();
    ck_assert_uint_eq(st.counter[DC_MPLS], 1);

    l.n = 0;
    put32(&l, 300u << 12 | 0x100 | 1);
    putn(&l, v6.b, v6.n);
    mk_eth(&g, 0x8848, &l);
    ck_assert_int_eq(dec(1, &g), DECODE_TCP);
    assert_tcp_v6();

    l.n = 0;
    put32(&l, 300u << 12 | 0x100 | 1);
    put32(&l, 0); /* pseudowire control word: not IP */
    mk_eth(&h, 0x8847, &l);
    ck_assert_int_eq(dec(1, &h), DECODE_NON_IP);

    l.n = 0;
    put32(&l, 100u << 12);
    put16(&l, 0);
    mk_eth(&x, 0x8847, &l);
    ck_assert_int_eq(dec(1, &x), DECODE_TRUNCATED);
    ck_assert_uint_eq(m.reason, DR_MPLS_HEADER);
}
END_TEST

START_TEST(test_pppoe_session_carries_ip)
{
    struct fb v4 = {.n = 0}, p = {.n = 0}, f = {.n = 0};

    ip4_tcp(&v4, 0);
    put8(&p, 0x11);
    put8(&p, 0);
    put16(&p, 1);
    put16(&p, (unsigned)(v4.n + 2));
    put16(&p, 0x0021);
    putn(&p, v4.b, v4.n);
    mk_eth(&f, 0x8864, &p);
    ck_assert_int_eq(dec(1, &f), DECODE_TCP);
    assert_tcp_v4();
}
END_TEST

/* ---- IPv4 ------------------------------------------------------------------ */

/* _i = option bytes, 0..40 in steps of 4 (IHL 5..15). */
START_TEST(test_ipv4_options_every_ihl)
{
    struct fb t = {.n = 0}, ip = {.n = 0};
    size_t optlen = (size_t)_i * 4;

    mk_tcp(&t, NULL, 0, TCP_SYN, 0);
    mk_ip4(&ip, 6, &t, optlen, 0);
    ck_assert_int_eq(dec(228, &ip), DECODE_TCP);
    assert_tcp_v4();
    ck_assert_uint_eq(m.csum, CSUM_OK);
    ck_assert_uint_eq(m.ip_bytes, 40 + optlen);
    ck_assert_uint_eq(m.anomalies, 0);
}
END_TEST

START_TEST(test_ipv4_ihl_below_five_is_malformed)
{
    struct fb ip = {.n = 0};

    ip4_tcp(&ip, 0);
    ip.b[0] = 0x44;
    ck_assert_int_eq(dec(228, &ip), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_IPV4_HLEN);
    ck_assert_uint_eq(st.malformed[DR_IPV4_HLEN], 1);
}
END_TEST

START_TEST(test_ipv4_total_length_below_header_is_malformed)
{
    struct fb ip = {.n = 0};

    ip4_tcp(&ip, 0);
    set16(ip.b + 2, 19);
    ck_assert_int_eq(dec(228, &ip), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_IPV4_TOTAL_LEN);
}
END_TEST

START_TEST(test_ipv4_header_beyond_capture_is_truncated_options)
{
    struct fb t = {.n = 0}, ip = {.n = 0};

    mk_tcp(&t, NULL, 0, TCP_SYN, 0);
    mk_ip4(&ip, 6, &t, 40, 0);
    ck_assert_int_eq(dec_opts(228, ip.b, 30, true), DECODE_TRUNCATED);
    ck_assert_uint_eq(m.reason, DR_IPV4_OPTIONS);
}
END_TEST

START_TEST(test_ethertype_ipv4_with_version_6_is_malformed)
{
    struct fb v6 = {.n = 0}, f = {.n = 0};

    ip6_tcp(&v6, 0);
    mk_eth(&f, 0x0800, &v6);
    ck_assert_int_eq(dec(1, &f), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_IPV4_VERSION);
    f.n = 0;
    {
        struct fb v4 = {.n = 0};

        ip4_tcp(&v4, 0);
        mk_eth(&f, 0x86dd, &v4);
        ck_assert_int_eq(dec_opts(1, f.b, 14 + 39, true), DECODE_TRUNCATED);
        ck_assert_uint_eq(m.reason, DR_IPV6_HEADER);
        ck_assert_int_eq(dec(1, &f), DECODE_MALFORMED);
        ck_assert_uint_eq(m.reason, DR_IPV6_VERSION);
    }
}
END_TEST

START_TEST(test_ethernet_padding_is_flagged_and_ignored)
{
    struct fb ip = {.n = 0}, f = {.n = 0};

    ip4_tcp(&ip, 0);
    mk_eth(&f, 0x0800, &ip);
    put32(&f, 0xffffffff);
    put16(&f, 0xffff);
    ck_assert_int_eq(dec(1, &f), DECODE_TCP);
    ck_assert(m.anomalies & ANOM_IP_PADDED);
    ck_assert_uint_eq(m.payload_len, 0);
    ck_assert_uint_eq(m.payload_cap, 0);
    ck_assert_uint_eq(m.csum, CSUM_OK); /* padding is not summed */
}
END_TEST

START_TEST(test_ipv4_total_length_zero_uses_caplen)
{
    struct fb ip = {.n = 0};

    ip4_tcp(&ip, 10);
    set16(ip.b + 2, 0);
    ck_assert_int_eq(dec(228, &ip), DECODE_TCP);
    ck_assert(m.anomalies & ANOM_IP_TSO_ZERO_LEN);
    ck_assert(m.anomalies &
              ANOM_IP_BAD_CHECKSUM); /* header checksum was computed with the length */
    ck_assert_uint_eq(m.payload_len, 10);
    ck_assert_uint_eq(m.ip_bytes, 50);
}
END_TEST

START_TEST(test_ipv4_bad_header_checksum_is_flagged_not_dropped)
{
    struct fb ip = {.n = 0};

    ip4_tcp(&ip, 0);
    ip.b[10] ^= 0x55;
    ck_assert_int_eq(dec(228, &ip), DECODE_TCP);
    ck_assert(m.anomalies & ANOM_IP_BAD_CHECKSUM);
    ck_assert_int_eq(dec_opts(228, ip.b, ip.n, false), DECODE_TCP);
    ck_assert(!(m.anomalies & ANOM_IP_BAD_CHECKSUM));
}
END_TEST

START_TEST(test_ipv4_first_fragment_is_fragment_with_its_layout)
{
    struct fb t = {.n = 0}, ip = {.n = 0}, f = {.n = 0};

    mk_tcp(&t, NULL, 0, TCP_ACK, 24);
    mk_ip4(&ip, 6, &t, 8, 0x6000); /* DF + MF, offset 0, 8 bytes of options */
    mk_eth(&f, 0x0800, &ip);
    /* not decoded as TCP on its own: the defrag module gets all of it */
    ck_assert_int_eq(dec(1, &f), DECODE_FRAGMENT);
    ck_assert_uint_eq(st.counter[DC_IPV4_FRAG], 1);
    ck_assert_uint_eq(st.counter[DC_TCP], 0);
    ck_assert_uint_eq(m.ip_version, 4);
    ck_assert_uint_eq(m.l4_proto, 6);
    ck_assert_uint_eq(m.frag.id, 0x4242);
    ck_assert_uint_eq(m.frag.offset, 0);
    ck_assert(m.frag.more);
    ck_assert_uint_eq(m.frag.hdr_off, 14);
    ck_assert_uint_eq(m.frag.hdr_len, 28);
    ck_assert_uint_eq(m.frag.data_off, 42);
    ck_assert_uint_eq(m.frag.data_len, 44);
    ck_assert_uint_eq(m.frag.data_cap, 44);
    /* cut by the capture: data_cap says how much is there */
    ck_assert_int_eq(dec_opts(1, f.b, f.n - 5, true), DECODE_FRAGMENT);
    ck_assert_uint_eq(m.frag.data_len, 44);
    ck_assert_uint_eq(m.frag.data_cap, 39);
}
END_TEST

START_TEST(test_ipv4_later_fragment_is_fragment)
{
    struct fb t = {.n = 0}, ip = {.n = 0}, tiny = {.n = 0}, ip2 = {.n = 0};

    mk_tcp(&t, NULL, 0, TCP_ACK, 24);
    mk_ip4(&ip, 6, &t, 0, 3); /* offset 24, last fragment */
    ck_assert_int_eq(dec(228, &ip), DECODE_FRAGMENT);
    ck_assert_uint_eq(st.counter[DC_IPV4_FRAG], 1);
    ck_assert_uint_eq(st.counter[DC_TCP], 0);
    ck_assert_uint_eq(m.l4_proto, 6);
    ck_assert_uint_eq(m.frag.offset, 24);
    ck_assert(!m.frag.more);
    ck_assert_uint_eq(m.frag.data_len, 44);
    /* a first fragment too short for a TCP header (RFC 1858) is a fragment too */
    put32(&tiny, 0x04d20050);
    put32(&tiny, 1);
    mk_ip4(&ip2, 6, &tiny, 0, 0x2000);
    ck_assert_int_eq(dec(228, &ip2), DECODE_FRAGMENT);
}
END_TEST

/* ---- IPv6 extension headers ------------------------------------------------ */

/* An 8-byte hop-by-hop or destination options header: one PadN of 4. */
static void
ext8(struct fb *e, uint8_t next)
{
    put8(e, next);
    put8(e, 0);
    put16(e, 0x0104);
    put32(e, 0);
}

/* An 8-byte routing header: type 4, segments left 0 (at the final destination). */
static void
rh8(struct fb *e, uint8_t next)
{
    put8(e, next);
    put8(e, 0);
    put16(e, 0x0400);
    put32(e, 0);
}

START_TEST(test_ipv6_each_extension_header_is_skipped)
{
    static const uint8_t kinds[] = {0, 43, 60, 51, 44};
    size_t i;

    for (i = 0; i < sizeof(kinds); i++) {
        struct fb t = {.n = 0}, e = {.n = 0}, ip = {.n = 0};

        mk_tcp(&t, NULL, 0, TCP_SYN, 4);
        if (kinds[i] == 51) {
            put8(&e, 6);
            put8(&e, 2); /* (2 + 2) * 4 = 16 bytes */
            put16(&e, 0);
            put32(&e, 0x100);
            put32(&e, 1);
            put32(&e, 0);
        } else if (kinds[i] == 44) {
            put8(&e, 6); /* atomic fragment: offset 0, M 0 */
            put8(&e, 0);
            put16(&e, 0);
            put32(&e, 99);
        } else if (kinds[i] == 43) {
            rh8(&e, 6);
        } else {
            ext8(&e, 6);
        }
        mk_ip6x(&ip, kinds[i], &e, 6, &t);
        ck_assert_msg(dec(229, &ip) == DECODE_TCP, "ext %u", kinds[i]);
        assert_tcp_v6();
        ck_assert_uint_eq(m.csum, CSUM_OK);
        ck_assert_uint_eq(m.payload_len, 4);
        ck_assert_uint_eq(m.ip_bytes, 40 + e.n + t.n);
    }
    ck_assert_uint_eq(st.counter[DC_IPV6_FRAG], 0);
}
END_TEST

START_TEST(test_ipv6_chain_of_three_headers)
{
    struct fb t = {.n = 0}, e = {.n = 0}, ip = {.n = 0};

    mk_tcp(&t, NULL, 0, TCP_SYN, 0);
    ext8(&e, 43); /* hop-by-hop */
    put8(&e, 60);
    put8(&e, 1); /* routing, 16 bytes, type 4, segments left 0 */
    put16(&e, 0x0400);
    put32(&e, 0);
    put32(&e, 0);
    put32(&e, 0);
    ext8(&e, 6); /* destination options */
    mk_ip6x(&ip, 0, &e, 6, &t);
    ck_assert_int_eq(dec(229, &ip), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_OK);
}
END_TEST

START_TEST(test_ipv6_too_long_chain_is_malformed)
{
    struct fb t = {.n = 0}, e = {.n = 0}, ip = {.n = 0};
    int i;

    mk_tcp(&t, NULL, 0, TCP_SYN, 0);
    for (i = 0; i < 9; i++)
        ext8(&e, i == 8 ? 6 : 60);
    mk_ip6x(&ip, 60, &e, 6, &t);
    ck_assert_int_eq(dec(229, &ip), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_IPV6_EXT_CHAIN);
}
END_TEST

START_TEST(test_ipv6_extension_past_payload_length_is_malformed)
{
    struct fb none = {.n = 0}, e = {.n = 0}, ip = {.n = 0};

    put8(&e, 6);
    put8(&e, 3); /* claims 32 bytes, only 8 in the payload */
    put16(&e, 0);
    put32(&e, 0);
    mk_ip6x(&ip, 0, &e, 6, &none);
    put32(&ip, 0); /* link padding past the payload length */
    put32(&ip, 0);
    put32(&ip, 0);
    put32(&ip, 0);
    put32(&ip, 0);
    put32(&ip, 0);
    ck_assert_int_eq(dec(229, &ip), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_IPV6_EXT_CHAIN);
    /* the same header cut by the capture is truncated */
    ip.n = 0;
    e.n = 0;
    put8(&e, 6);
    put8(&e, 0);
    put16(&e, 0);
    put32(&e, 0);
    mk_ip6x(&ip, 0, &e, 6, &none);
    ck_assert_int_eq(dec_opts(229, ip.b, ip.n - 3, true), DECODE_TRUNCATED);
    ck_assert_uint_eq(m.reason, DR_IPV6_EXT_HEADER);
}
END_TEST

START_TEST(test_ipv6_no_next_header_is_other_l4)
{
    struct fb none = {.n = 0}, ip = {.n = 0};

    mk_ip6(&ip, 59, &none);
    ck_assert_int_eq(dec(229, &ip), DECODE_OTHER_L4);
    ck_assert_uint_eq(m.l4_proto, 59);
}
END_TEST

static void
frag6(struct fb *e, unsigned offset, bool more)
{
    put8(e, 6);
    put8(e, 0);
    put16(e, offset << 3 | (more ? 1u : 0u));
    put32(e, 0xabcd);
}

START_TEST(test_ipv6_fragments_first_and_later)
{
    struct fb t = {.n = 0}, e = {.n = 0}, ip = {.n = 0}, e2 = {.n = 0}, ip2 = {.n = 0};

    mk_tcp(&t, NULL, 0, TCP_ACK, 16);
    ext8(&e, 44); /* hop-by-hop, then the fragment header */
    frag6(&e, 0, true);
    mk_ip6x(&ip, 0, &e, 6, &t);
    ck_assert_int_eq(dec(229, &ip), DECODE_FRAGMENT);
    ck_assert_uint_eq(st.counter[DC_TCP], 0);
    ck_assert_uint_eq(m.l4_proto, 6);
    ck_assert_uint_eq(m.frag.id, 0xabcd);
    ck_assert_uint_eq(m.frag.offset, 0);
    ck_assert(m.frag.more);
    ck_assert_uint_eq(m.frag.hdr_off, 0);
    ck_assert_uint_eq(m.frag.hdr_len, 48);
    ck_assert_uint_eq(m.frag.nh_pos, 40); /* the hop-by-hop header's Next Header */
    ck_assert_uint_eq(m.frag.data_off, 56);
    ck_assert_uint_eq(m.frag.data_len, 36);
    ck_assert_uint_eq(m.frag.data_cap, 36);
    frag6(&e2, 100, false);
    mk_ip6x(&ip2, 44, &e2, 6, &t);
    ck_assert_int_eq(dec(229, &ip2), DECODE_FRAGMENT);
    ck_assert_uint_eq(st.counter[DC_IPV6_FRAG], 2);
    ck_assert_uint_eq(m.frag.offset, 800);
    ck_assert(!m.frag.more);
    ck_assert_uint_eq(m.frag.hdr_len, 40);
    ck_assert_uint_eq(m.frag.nh_pos, 6); /* the fixed header's Next Header */
    ck_assert_uint_eq(m.frag.data_off, 48);
}
END_TEST

START_TEST(test_ip_datagram_is_decoded_without_link_and_counted_apart)
{
    struct fb ip = {.n = 0}, ip6 = {.n = 0};
    struct decode_stats main_st;

    memset(&main_st, 0, sizeof(main_st));
    ip4_tcp(&ip, 3);
    ck_assert_int_eq(decode_ip_datagram(ip.b, (uint32_t)ip.n, 9, true, NULL, &m, &st), DECODE_TCP);
    assert_tcp_v4();
    ck_assert(m.anomalies & ANOM_IP_REASSEMBLED);
    ck_assert_uint_eq(m.csum, CSUM_OK);
    ck_assert_uint_eq(m.payload_len, 3);
    ck_assert_uint_eq(m.wirelen, ip.n);
    ck_assert_uint_eq(m.ts_ns, 9);
    ip6_tcp(&ip6, 0);
    ck_assert_int_eq(decode_ip_datagram(ip6.b, (uint32_t)ip6.n, 9, false, NULL, &m, &st),
                     DECODE_TCP);
    assert_tcp_v6();
    ck_assert(!(m.anomalies & ANOM_IP_REASSEMBLED));
    ck_assert_int_eq(decode_ip_datagram(ip6.b, 0, 9, true, NULL, &m, &st), DECODE_TRUNCATED);
    ck_assert_uint_eq(st.outcome[DECODE_TCP], 2);
    ck_assert_uint_eq(st.outcome[DECODE_TRUNCATED], 1);
    ck_assert_uint_eq(st.link[DL_RAW] + st.link[DL_EN10MB], 0); /* no link counted */
}
END_TEST

START_TEST(test_ipv6_routing_in_transit_skips_checksum)
{
    struct fb t = {.n = 0}, e = {.n = 0}, ip = {.n = 0};

    mk_tcp(&t, NULL, 0, TCP_ACK, 0);
    put8(&e, 6);
    put8(&e, 2);
    put8(&e, 4);
    put8(&e, 1); /* segments left 1: final destination is elsewhere */
    put32(&e, 0);
    putn(&e, B6, 16);
    mk_ip6x(&ip, 43, &e, 6, &t);
    ck_assert_int_eq(dec(229, &ip), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_UNCHECKED);
}
END_TEST

/* ---- tunnels --------------------------------------------------------------- */

static void
gre(struct fb *f, unsigned flags, unsigned proto, const struct fb *inner)
{
    put16(f, flags);
    put16(f, proto);
    if (flags & 0x8000)
        put32(f, 0);
    if (flags & 0x2000)
        put32(f, 0x11223344);
    if (flags & 0x1000)
        put32(f, 7);
    putn(f, inner->b, inner->n);
}

START_TEST(test_gre_with_each_flag_combination_carries_inner_ip)
{
    static const unsigned flags[] = {0, 0x8000, 0x2000, 0x1000, 0xb000};
    size_t i;

    for (i = 0; i < 5; i++) {
        struct fb in4 = {.n = 0}, in6 = {.n = 0}, g = {.n = 0}, g6 = {.n = 0}, o = {.n = 0},
                  o6 = {.n = 0};

        ip4_tcp(&in4, 3);
        ip6_tcp(&in6, 3);
        gre(&g, flags[i], 0x0800, &in4);
        mk_ip4(&o, 47, &g, 0, 0);
        ck_assert_int_eq(dec(228, &o), DECODE_TCP);
        assert_tcp_v4();
        ck_assert_uint_eq(m.tunnel_depth, 1);
        ck_assert_uint_eq(m.csum, CSUM_OK);
        gre(&g6, flags[i], 0x86dd, &in6);
        mk_ip6(&o6, 47, &g6);
        ck_assert_int_eq(dec(229, &o6), DECODE_TCP);
        assert_tcp_v6();
        ck_assert_uint_eq(m.tunnel_depth, 1);
    }
    ck_assert_uint_eq(st.counter[DC_GRE], 10);
    ck_assert_uint_eq(st.counter[DC_IPV4], 10); /* each IP layer counts */
}
END_TEST

START_TEST(test_gre_transparent_ethernet_bridging)
{
    struct fb in4 = {.n = 0}, eth = {.n = 0}, g = {.n = 0}, o = {.n = 0};

    ip4_tcp(&in4, 0);
    mk_eth(&eth, 0x0800, &in4);
    gre(&g, 0x2000, 0x6558, &eth);
    mk_ip4(&o, 47, &g, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_TCP);
    assert_tcp_v4();
    ck_assert_uint_eq(st.counter[DC_ETHERNET], 1);
}
END_TEST

START_TEST(test_gre_v1_pptp_ppp_carries_ip)
{
    struct fb in4 = {.n = 0}, g = {.n = 0}, o = {.n = 0};

    ip4_tcp(&in4, 0);
    put16(&g, 0x3001); /* K, S, ver 1 */
    put16(&g, 0x880b);
    put16(&g, (unsigned)(in4.n + 4));
    put16(&g, 9);
    put32(&g, 1);
    put16(&g, 0xff03);
    put16(&g, 0x0021);
    putn(&g, in4.b, in4.n);
    mk_ip4(&o, 47, &g, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_TCP);
    assert_tcp_v4();
}
END_TEST

START_TEST(test_ip_in_ip_and_ipv6_in_ip)
{
    struct fb in4 = {.n = 0}, in6 = {.n = 0}, o = {.n = 0}, o2 = {.n = 0};

    ip4_tcp(&in4, 0);
    ip6_tcp(&in6, 0);
    mk_ip4(&o, 4, &in4, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_TCP);
    ck_assert_uint_eq(m.tunnel_depth, 1);
    ck_assert_uint_eq(st.counter[DC_IPV4_IN_IP], 1);
    mk_ip4(&o2, 41, &in6, 0, 0);
    ck_assert_int_eq(dec(228, &o2), DECODE_TCP);
    assert_tcp_v6();
    ck_assert_uint_eq(st.counter[DC_IPV6_IN_IP], 1);
}
END_TEST

START_TEST(test_vxlan_carries_ethernet)
{
    struct fb in4 = {.n = 0}, eth = {.n = 0}, vx = {.n = 0}, u = {.n = 0}, o = {.n = 0};

    ip4_tcp(&in4, 2);
    mk_eth(&eth, 0x0800, &in4);
    put32(&vx, 0x08000000);
    put32(&vx, 42u << 8);
    putn(&vx, eth.b, eth.n);
    mk_udp(&u, 55555, 4789, &vx);
    mk_ip4(&o, 17, &u, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_TCP);
    assert_tcp_v4();
    ck_assert_uint_eq(m.tunnel_depth, 1);
    ck_assert_uint_eq(m.payload_len, 2);
    ck_assert_uint_eq(st.counter[DC_VXLAN], 1);
    ck_assert_uint_eq(st.counter[DC_UDP], 1);
    /* without the I flag it is plain UDP */
    o.b[20 + 8] = 0;
    ck_assert_int_eq(dec(228, &o), DECODE_OTHER_L4);
}
END_TEST

START_TEST(test_geneve_with_options_carries_ethernet_or_ip)
{
    struct fb in6 = {.n = 0}, eth = {.n = 0}, gv = {.n = 0}, u = {.n = 0}, o = {.n = 0};
    struct fb gv2 = {.n = 0}, u2 = {.n = 0}, o2 = {.n = 0};

    ip6_tcp(&in6, 0);
    mk_eth(&eth, 0x86dd, &in6);
    put8(&gv, 2); /* version 0, 2 words of options */
    put8(&gv, 0);
    put16(&gv, 0x6558);
    put32(&gv, 7u << 8);
    put32(&gv, 0x01020301); /* option class/type/len 1 */
    put32(&gv, 0xdeadbeef);
    putn(&gv, eth.b, eth.n);
    mk_udp(&u, 1111, 6081, &gv);
    mk_ip4(&o, 17, &u, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_TCP);
    assert_tcp_v6();
    ck_assert_uint_eq(st.counter[DC_GENEVE], 1);

    put8(&gv2, 0);
    put8(&gv2, 0);
    put16(&gv2, 0x86dd);
    put32(&gv2, 0);
    putn(&gv2, in6.b, in6.n);
    mk_udp(&u2, 1111, 6081, &gv2);
    mk_ip4(&o2, 17, &u2, 0, 0);
    ck_assert_int_eq(dec(228, &o2), DECODE_TCP);
    assert_tcp_v6();
}
END_TEST

START_TEST(test_teredo_with_origin_indication_is_decoded)
{
    struct fb in6 = {.n = 0}, td = {.n = 0}, u = {.n = 0}, o = {.n = 0};

    ip6_tcp(&in6, 1);
    put16(&td, 0x0000);
    put16(&td, 0x1234);
    put32(&td, 0x01020304);
    putn(&td, in6.b, in6.n);
    mk_udp(&u, 3544, 50000, &td);
    mk_ip4(&o, 17, &u, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_TCP);
    assert_tcp_v6();
    ck_assert_uint_eq(m.tunnel_depth, 1);
    ck_assert_uint_eq(st.counter[DC_TEREDO], 1);
}
END_TEST

START_TEST(test_teredo_with_auth_header_is_decoded)
{
    struct fb in6 = {.n = 0}, td = {.n = 0}, u = {.n = 0}, o = {.n = 0};
    int i;

    ip6_tcp(&in6, 1);
    put16(&td, 0x0001);
    put8(&td, 2);
    put8(&td, 1);
    put16(&td, 0xaaaa); /* client id */
    put8(&td, 0xbb);    /* auth value */
    for (i = 0; i < 8; i++)
        put8(&td, (unsigned)i); /* nonce */
    put8(&td, 0);               /* confirmation */
    putn(&td, in6.b, in6.n);
    mk_udp(&u, 50000, 3544, &td);
    mk_ip4(&o, 17, &u, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_TCP);
    assert_tcp_v6();
}
END_TEST

/* IPv6/TCP from a Teredo address (2001:0:4137:9e50::1) to B6, checksummed. */
static void
ip6_tcp_teredo(struct fb *f)
{
    static const uint8_t T6[16] = {0x20, 0x01, 0x00, 0x00, 0x41, 0x37, 0x9e, 0x50, [15] = 1};
    struct fb t = {.n = 0};
    size_t start;

    mk_tcp(&t, NULL, 0, TCP_SYN, 0);
    put32(f, 0x60000000u);
    put16(f, (unsigned)t.n);
    put8(f, 6);
    put8(f, 63);
    putn(f, T6, 16);
    putn(f, B6, 16);
    start = f->n;
    putn(f, t.b, t.n);
    fix_l4(6, f->b + start, t.n, sum16(T6, 16, 0) + sum16(B6, 16, 0));
}

START_TEST(test_teredo_on_nat_mapped_port_is_decoded_by_prefix)
{
    struct fb in6 = {.n = 0}, td = {.n = 0}, u = {.n = 0}, o = {.n = 0};

    ip6_tcp_teredo(&in6);
    put16(&td, 0x0000); /* origin indication */
    put16(&td, 0x1234);
    put32(&td, 0x01020304);
    putn(&td, in6.b, in6.n);
    mk_udp(&u, 32900, 3797, &td); /* neither port is 3544 */
    mk_ip4(&o, 17, &u, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_TCP);
    ck_assert_uint_eq(m.ip_version, 6);
    ck_assert_uint_eq(m.src.b[0], 0x20);
    ck_assert_uint_eq(m.src.b[2], 0x00);
    ck_assert_uint_eq(m.tunnel_depth, 1);
    ck_assert_uint_eq(m.csum, CSUM_OK);
    ck_assert_uint_eq(st.counter[DC_TEREDO], 1);
    /* the same without the origin indication header */
    u.n = 0;
    o.n = 0;
    mk_udp(&u, 40000, 40001, &in6);
    mk_ip4(&o, 17, &u, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_TCP);
    ck_assert_uint_eq(st.counter[DC_TEREDO], 2);
}
END_TEST

START_TEST(test_ipv6_looking_udp_without_teredo_prefix_is_not_a_tunnel)
{
    struct fb in6 = {.n = 0}, u = {.n = 0}, o = {.n = 0}, u2 = {.n = 0}, o2 = {.n = 0};

    ip6_tcp(&in6, 1); /* 2001:db8::1 -> 2001:db8::2: exact length, but no Teredo address */
    mk_udp(&u, 32900, 3797, &in6);
    mk_ip4(&o, 17, &u, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_OTHER_L4);
    ck_assert_uint_eq(m.tunnel_depth, 0);
    ck_assert_uint_eq(st.counter[DC_TEREDO], 0);
    ck_assert_uint_eq(st.counter[DC_IPV6], 0);
    /* on port 3544 the length check alone still decides (unchanged) */
    mk_udp(&u2, 3544, 3797, &in6);
    mk_ip4(&o2, 17, &u2, 0, 0);
    ck_assert_int_eq(dec(228, &o2), DECODE_TCP);
    ck_assert_uint_eq(st.counter[DC_TEREDO], 1);
}
END_TEST

START_TEST(test_teredo_port_with_inconsistent_ipv6_stays_udp)
{
    struct fb in6 = {.n = 0}, u = {.n = 0}, o = {.n = 0};

    ip6_tcp(&in6, 1);
    in6.b[5] = (uint8_t)(in6.b[5] + 1); /* payload length one too long */
    mk_udp(&u, 3544, 50000, &in6);
    mk_ip4(&o, 17, &u, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_OTHER_L4);
    ck_assert_uint_eq(m.tunnel_depth, 0);
    ck_assert_uint_eq(st.counter[DC_TEREDO], 0);
}
END_TEST

START_TEST(test_tunnel_with_inner_udp_is_other_l4)
{
    struct fb pl = {.n = 0}, u = {.n = 0}, in4 = {.n = 0}, g = {.n = 0}, o = {.n = 0};

    put32(&pl, 1);
    mk_udp(&u, 53, 53, &pl);
    mk_ip4(&in4, 17, &u, 0, 0);
    gre(&g, 0, 0x0800, &in4);
    mk_ip4(&o, 47, &g, 0, 0);
    ck_assert_int_eq(dec(228, &o), DECODE_OTHER_L4);
    ck_assert_uint_eq(m.l4_proto, 17);
    ck_assert_uint_eq(st.counter[DC_UDP], 1);
}
END_TEST

START_TEST(test_tunnel_nesting_is_limited)
{
    struct fb a = {.n = 0}, b = {.n = 0};
    int i;

    ip4_tcp(&a, 0);
    for (i = 0; i < DECODE_MAX_TUNNEL; i++) {
        b.n = 0;
        mk_ip4(&b, 4, &a, 0, 0);
        a = b;
    }
    ck_assert_int_eq(dec(228, &a), DECODE_TCP);
    ck_assert_uint_eq(m.tunnel_depth, DECODE_MAX_TUNNEL);
    b.n = 0;
    mk_ip4(&b, 4, &a, 0, 0);
    ck_assert_int_eq(dec(228, &b), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_TUNNEL_TOO_DEEP);
}
END_TEST

START_TEST(test_truncated_gre_header_is_tunnel_header)
{
    struct fb none = {.n = 0}, g = {.n = 0}, o = {.n = 0};

    gre(&g, 0xb000, 0x0800, &none);
    mk_ip4(&o, 47, &g, 0, 0);
    ck_assert_int_eq(dec_opts(228, o.b, o.n - 2, true), DECODE_TRUNCATED);
    ck_assert_uint_eq(m.reason, DR_TUNNEL_HEADER);
}
END_TEST

/* ---- TCP ------------------------------------------------------------------- */

static enum decode_outcome
dec_tcp_opts(const uint8_t *opt, size_t olen, unsigned flags)
{
    struct fb t = {.n = 0}, ip = {.n = 0};

    mk_tcp(&t, opt, olen, flags, 0);
    mk_ip4(&ip, 6, &t, 0, 0);
    return dec(228, &ip);
}

START_TEST(test_tcp_options_each_kind_is_parsed)
{
    static const uint8_t o[] = {
        2,  4,  0x05, 0xb4,                     /* MSS 1460 */
        1,  3,  3,    9,                        /* NOP, WS 9 */
        4,  2,                                  /* SACK-permitted */
        8,  10, 0,    0,    0, 1,  0, 0, 0, 2,  /* TS 1, 2 */
        5,  10, 0,    0,    0, 10, 0, 0, 0, 20, /* SACK 10-20 */
        34, 6,  1,    2,    3, 4,               /* TFO cookie 4 */
        30, 4,  0,    0,                        /* MPTCP */
    };
    static const uint8_t sack3[28] = {
        1, 1, 5, 26, [7] = 1, [11] = 2, [15] = 3, [19] = 4, [23] = 5, [27] = 6};

    ck_assert_int_eq(dec_tcp_opts(o, sizeof(o), TCP_SYN), DECODE_TCP);
    ck_assert_uint_eq(m.opt.present, TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_SACKOK | TCP_OPT_TS |
                                         TCP_OPT_SACK | TCP_OPT_TFO | TCP_OPT_MPTCP);
    ck_assert_uint_eq(m.opt.mss, 1460);
    ck_assert_uint_eq(m.opt.wscale, 9);
    ck_assert_uint_eq(m.opt.ts_val, 1);
    ck_assert_uint_eq(m.opt.ts_ecr, 2);
    ck_assert_uint_eq(m.opt.sack_count, 1);
    ck_assert_uint_eq(m.opt.sack[0][0], 10);
    ck_assert_uint_eq(m.opt.sack[0][1], 20);
    ck_assert_uint_eq(m.opt.tfo_cookie_len, 4);
    ck_assert_uint_eq(m.anomalies, 0);
    ck_assert_uint_eq(m.tcp_hlen, 60);
    ck_assert_uint_eq(m.csum, CSUM_OK);
    ck_assert_int_eq(dec_tcp_opts(sack3, sizeof(sack3), TCP_ACK), DECODE_TCP);
    ck_assert_uint_eq(m.opt.present, TCP_OPT_SACK);
    ck_assert_uint_eq(m.opt.sack_count, 3);
    ck_assert_uint_eq(m.opt.sack[2][0], 5);
    ck_assert_uint_eq(m.opt.sack[2][1], 6);
}
END_TEST

START_TEST(test_tcp_md5_and_experimental_tfo)
{
    uint8_t o[28] = {19, 18, [18] = 254, 8, 0xf9, 0x89, 1, 1, 1, 1};
    uint8_t other[8] = {254, 6, 0x12, 0x34, 1, 1, 1, 1};

    ck_assert_int_eq(dec_tcp_opts(o, sizeof(o), TCP_SYN), DECODE_TCP);
    ck_assert_uint_eq(m.opt.present, TCP_OPT_MD5 | TCP_OPT_TFO);
    ck_assert_uint_eq(m.opt.tfo_cookie_len, 4);
    ck_assert_int_eq(dec_tcp_opts(other, sizeof(other), TCP_SYN), DECODE_TCP);
    ck_assert_uint_eq(m.opt.present, 0);
    ck_assert_uint_eq(m.anomalies, 0);
}
END_TEST

START_TEST(test_tcp_option_length_below_two_stops_parsing)
{
    static const uint8_t o[8] = {2, 4, 0x05, 0xb4, 3, 1, 3, 7};

    ck_assert_int_eq(dec_tcp_opts(o, sizeof(o), TCP_SYN), DECODE_TCP);
    ck_assert(m.anomalies & ANOM_TCP_OPT_BAD_LEN);
    ck_assert_uint_eq(m.opt.present, TCP_OPT_MSS);
}
END_TEST

START_TEST(test_tcp_option_length_past_header_stops_parsing)
{
    static const uint8_t o[4] = {1, 8, 10, 0};
    static const uint8_t kind_only[4] = {1, 1, 1, 2};

    ck_assert_int_eq(dec_tcp_opts(o, sizeof(o), TCP_ACK), DECODE_TCP);
    ck_assert(m.anomalies & ANOM_TCP_OPT_BAD_LEN);
    ck_assert_int_eq(dec_tcp_opts(kind_only, sizeof(kind_only), TCP_ACK), DECODE_TCP);
    ck_assert(m.anomalies & ANOM_TCP_OPT_BAD_LEN);
}
END_TEST

START_TEST(test_tcp_duplicate_option_is_flagged_first_kept)
{
    static const uint8_t o[8] = {2, 4, 0x05, 0xb4, 2, 4, 0x00, 0x10};

    ck_assert_int_eq(dec_tcp_opts(o, sizeof(o), TCP_SYN), DECODE_TCP);
    ck_assert(m.anomalies & ANOM_TCP_OPT_DUP);
    ck_assert_uint_eq(m.opt.mss, 1460);
}
END_TEST

START_TEST(test_tcp_known_option_with_wrong_length_is_flagged)
{
    static const uint8_t bad[][8] = {
        {2, 3, 5, 1, 1, 1, 1, 1},  /* MSS len 3 */
        {3, 4, 1, 1, 1, 1, 1, 1},  /* WS len 4 */
        {4, 3, 0, 1, 1, 1, 1, 1},  /* SACK-permitted len 3 */
        {8, 8, 0, 0, 0, 1, 0, 0},  /* TS len 8 */
        {5, 6, 0, 0, 0, 1, 0, 0},  /* SACK not a block multiple */
        {34, 4, 1, 1, 1, 1, 1, 1}, /* TFO cookie of 2 */
        {19, 8, 0, 0, 0, 0, 0, 0}, /* MD5 len 8 */
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(dec_tcp_opts(bad[i], 8, TCP_SYN), DECODE_TCP);
        ck_assert_msg(m.anomalies & ANOM_TCP_OPT_FIELD_LEN, "case %zu", i);
        ck_assert_uint_eq(m.opt.present, 0);
    }
}
END_TEST

/*
 * An independent model of the option rules (RFC 9293 3.1 and the option
 * RFCs cited in tcp.c), written for clarity: the decoder's fast exit for
 * NOP NOP TS and its general walk must both agree with it on every block.
 */
struct opt_model {
    struct tcp_opts o;
    uint32_t anom; /* ANOM_TCP_OPT_* bits */
};

static bool
model_first(struct opt_model *r, uint8_t bit)
{
    if (r->o.present & bit) {
        r->anom |= ANOM_TCP_OPT_DUP;
        return false;
    }
    r->o.present |= bit;
    return true;
}

static uint32_t
be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
model_options(const uint8_t *p, size_t n, struct opt_model *r)
{
    size_t i = 0;

    memset(r, 0, sizeof(*r));
    while (i < n) {
        uint8_t kind = p[i], len;
        const uint8_t *b;
        size_t blen;

        if (kind == 0)
            return;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || p[i + 1] < 2 || i + p[i + 1] > n) {
            r->anom |= ANOM_TCP_OPT_BAD_LEN;
            return;
        }
        len = p[i + 1];
        b = p + i + 2;
        blen = (size_t)len - 2;
        i += len;
        switch (kind) {
        case 2:
            if (blen != 2)
                r->anom |= ANOM_TCP_OPT_FIELD_LEN;
            else if (model_first(r, TCP_OPT_MSS))
                r->o.mss = (uint16_t)(b[0] << 8 | b[1]);
            break;
        case 3:
            if (blen != 1)
                r->anom |= ANOM_TCP_OPT_FIELD_LEN;
            else if (model_first(r, TCP_OPT_WSCALE))
                r->o.wscale = b[0];
            break;
        case 4:
            if (blen != 0)
                r->anom |= ANOM_TCP_OPT_FIELD_LEN;
            else
                (void)model_first(r, TCP_OPT_SACKOK);
            break;
        case 5:
            if (blen == 0 || blen % 8 != 0 || blen > 8 * TCP_MAX_SACK_BLOCKS) {
                r->anom |= ANOM_TCP_OPT_FIELD_LEN;
            } else if (model_first(r, TCP_OPT_SACK)) {
                size_t k;

                r->o.sack_count = (uint8_t)(blen / 8);
                for (k = 0; k < blen / 8; k++) {
                    r->o.sack[k][0] = be32_at(b + 8 * k);
                    r->o.sack[k][1] = be32_at(b + 8 * k + 4);
                }
            }
            break;
        case 8:
            if (blen != 8) {
                r->anom |= ANOM_TCP_OPT_FIELD_LEN;
            } else if (model_first(r, TCP_OPT_TS)) {
                r->o.ts_val = be32_at(b);
                r->o.ts_ecr = be32_at(b + 4);
            }
            break;
        case 19:
            if (blen != 16)
                r->anom |= ANOM_TCP_OPT_FIELD_LEN;
            else
                (void)model_first(r, TCP_OPT_MD5);
            break;
        case 30:
            if (blen < 1)
                r->anom |= ANOM_TCP_OPT_FIELD_LEN;
            else
                r->o.present |= TCP_OPT_MPTCP;
            break;
        case 34:
        case 254:
            if (kind == 254) {
                if (blen < 2 || b[0] != 0xf9 || b[1] != 0x89)
                    break;
                blen -= 2;
            }
            if (blen != 0 && (blen < 4 || blen > 16))
                r->anom |= ANOM_TCP_OPT_FIELD_LEN;
            else if (model_first(r, TCP_OPT_TFO))
                r->o.tfo_cookie_len = (uint8_t)blen;
            break;
        default:
            break;
        }
    }
}

static uint64_t
opt_prng(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Appends one option, mostly well-formed, sometimes with a wrong or absurd length. */
static size_t
put_random_option(uint8_t *p, size_t room, uint64_t *x)
{
    static const uint8_t kinds[] = {0, 1, 1, 2, 3, 4, 5, 8, 8, 19, 30, 34, 254, 77};
    static const uint8_t good_len[] = {1, 1, 1, 4, 3, 2, 10, 10, 10, 18, 4, 6, 8, 3};
    size_t k = (size_t)(opt_prng(x) % sizeof(kinds));
    uint64_t r = opt_prng(x);
    size_t len = good_len[k], i;

    if (kinds[k] == 5)
        len = 2 + 8 * (size_t)(r % 6); /* 0..5 blocks: 0 and 5 are wrong */
    else if (kinds[k] > 1 && r % 5 == 0)
        len = (size_t)(r >> 8) % 20; /* wrong, possibly < 2 or past the end */
    if (kinds[k] <= 1)
        len = 1;
    if (room == 0)
        return 0;
    p[0] = kinds[k];
    for (i = 1; i < room && i < (len < 2 ? 2 : len); i++)
        p[i] = (uint8_t)opt_prng(x);
    if (kinds[k] > 1 && room >= 2)
        p[1] = (uint8_t)len;
    if (kinds[k] == 254 && room >= 4 && r % 2 == 0) {
        p[2] = 0xf9;
        p[3] = 0x89;
    }
    return i < room ? i : room;
}

static void
assert_opts_match_model(const uint8_t *o, size_t olen, const char *what, size_t n)
{
    struct opt_model want;
    size_t k;

    model_options(o, olen, &want);
    ck_assert_int_eq(dec_tcp_opts(o, olen, TCP_ACK), DECODE_TCP);
    ck_assert_msg(m.opt.present == want.o.present, "%s %zu: present %x != %x", what, n,
                  m.opt.present, want.o.present);
    ck_assert_msg((m.anomalies &
                   (ANOM_TCP_OPT_BAD_LEN | ANOM_TCP_OPT_DUP | ANOM_TCP_OPT_FIELD_LEN)) == want.anom,
                  "%s %zu: anomalies %x != %x", what, n, m.anomalies, want.anom);
    ck_assert_uint_eq(m.opt.mss, want.o.mss);
    ck_assert_uint_eq(m.opt.wscale, want.o.wscale);
    ck_assert_uint_eq(m.opt.ts_val, want.o.ts_val);
    ck_assert_uint_eq(m.opt.ts_ecr, want.o.ts_ecr);
    ck_assert_uint_eq(m.opt.tfo_cookie_len, want.o.tfo_cookie_len);
    ck_assert_uint_eq(m.opt.sack_count, want.o.sack_count);
    for (k = 0; k < want.o.sack_count; k++) {
        ck_assert_uint_eq(m.opt.sack[k][0], want.o.sack[k][0]);
        ck_assert_uint_eq(m.opt.sack[k][1], want.o.sack[k][1]);
    }
    ck_assert_uint_eq(m.tcp_hlen, 20 + olen);
    ck_assert_uint_eq(m.csum, CSUM_OK);
}

/*
 * Random option blocks (0..40 bytes) against the model: the general walk. m
 * is reused without clearing between packets, as the engine's batch slots
 * are, so anything the decoder forgets to reset shows up.
 */
START_TEST(test_tcp_options_random_blocks_match_model)
{
    uint64_t x = 0x243f6a8885a308d3u;
    int t;

    for (t = 0; t < 8000; t++) {
        uint8_t o[40];
        size_t olen = 4 * (size_t)(opt_prng(&x) % 11), i = 0;

        memset(o, 0, sizeof(o));
        while (i < olen)
            i += put_random_option(o + i, olen - i, &x);
        assert_opts_match_model(o, olen, "block", (size_t)t);
    }
}
END_TEST

/*
 * The fast exit (exactly NOP NOP TS in 12 bytes) and its near misses, which
 * must take the walk: every byte of the 4-byte prefix varied, and blocks of
 * other sizes starting with the same prefix. Both must agree with the model.
 */
START_TEST(test_tcp_options_timestamp_fast_path_and_near_misses_match_model)
{
    static const uint8_t prefix[4] = {1, 1, 8, 10};
    uint64_t x = 0x13198a2e03707344u;
    int t;

    for (t = 0; t < 4000; t++) {
        uint8_t o[40];
        size_t olen = 12, i;
        uint64_t r = opt_prng(&x);

        for (i = 0; i < sizeof(o); i++)
            o[i] = (uint8_t)opt_prng(&x);
        memcpy(o, prefix, 4);
        switch (r % 4) {
        case 0: /* the fast path itself */
            break;
        case 1: /* one prefix byte changed */
            o[(r >> 8) % 4] = (uint8_t)(r >> 16);
            break;
        case 2: /* same prefix, other sizes: trailing bytes are random options */
            olen = 4 * (size_t)((r >> 8) % 11);
            if (olen > 12)
                (void)put_random_option(o + 12, olen - 12, &x);
            break;
        default: /* duplicate timestamp after the first */
            olen = 24;
            memcpy(o + 12, prefix, 4);
            break;
        }
        assert_opts_match_model(o, olen, "ts", (size_t)t);
    }
}
END_TEST

START_TEST(test_tcp_ae_flag_and_invalid_combinations)
{
    static const struct {
        unsigned flags;
        bool bad;
    } cases[] = {
        {TCP_SYN, false},
        {TCP_SYN | TCP_ACK | TCP_ECE | TCP_CWR, false},
        {TCP_ACK | TCP_PSH | TCP_AE, false},
        {TCP_FIN | TCP_ACK | TCP_URG, false},
        {TCP_RST, false},
        {TCP_SYN | TCP_FIN, true},
        {TCP_SYN | TCP_RST, true},
        {TCP_FIN, true},
        {0, true},
        {TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK | TCP_URG, true},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_int_eq(dec_tcp_opts(NULL, 0, cases[i].flags), DECODE_TCP);
        ck_assert_uint_eq(m.flags, cases[i].flags);
        ck_assert_msg(((m.anomalies & ANOM_TCP_BAD_FLAGS) != 0) == cases[i].bad, "case %zu", i);
    }
}
END_TEST

START_TEST(test_tcp_data_offset_below_five_is_malformed)
{
    struct fb ip = {.n = 0};

    ip4_tcp(&ip, 8);
    ip.b[20 + 12] = 0x40;
    ck_assert_int_eq(dec(228, &ip), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_TCP_HLEN);
}
END_TEST

START_TEST(test_tcp_data_offset_beyond_ip_payload_is_malformed)
{
    struct fb ip = {.n = 0};

    ip4_tcp(&ip, 8);
    ip.b[20 + 12] = 0x80; /* 32 bytes > 28 in the IP payload */
    ck_assert_int_eq(dec(228, &ip), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_TCP_HLEN_BEYOND_IP);
    /* IP payload shorter than the fixed TCP header */
    ip.n = 0;
    ip4_tcp(&ip, 0);
    set16(ip.b + 2, 30);
    set16(ip.b + 10, 0);
    ck_assert_int_eq(dec(228, &ip), DECODE_MALFORMED);
    ck_assert_uint_eq(m.reason, DR_TCP_HLEN_BEYOND_IP);
}
END_TEST

START_TEST(test_tcp_port_zero_is_flagged)
{
    struct fb ip = {.n = 0};

    ip4_tcp(&ip, 0);
    set16(ip.b + 20, 0);
    ck_assert_int_eq(dec_opts(228, ip.b, ip.n, false), DECODE_TCP);
    ck_assert(m.anomalies & ANOM_ZERO_ADDR_OR_PORT);
}
END_TEST

/* ---- checksums ------------------------------------------------------------- */

START_TEST(test_tcp_checksum_ok_bad_offloaded_unchecked)
{
    struct fb ip = {.n = 0};
    uint32_t ps;
    unsigned tcplen = 20 + 7;

    ip4_tcp(&ip, 7);
    ck_assert_int_eq(dec(228, &ip), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_OK);

    ip.b[20 + 16] ^= 0x01;
    ck_assert_int_eq(dec(228, &ip), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_BAD);

    /* CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum */
    ps = sum16(A4, 4, 0) + sum16(B4, 4, 0) + 6 + tcplen;
    while (ps >> 16)
        ps = (ps & 0xffff) + (ps >> 16);
    set16(ip.b + 20 + 16, ps);
    ck_assert_int_eq(dec(228, &ip), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_OFFLOADED);

    ck_assert_int_eq(dec_opts(228, ip.b, ip.n, false), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_UNCHECKED);
    ck_assert_int_eq(dec_opts(228, ip.b, ip.n - 1, true), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_UNCHECKED);
    ck_assert(m.anomalies & ANOM_TCP_PAYLOAD_TRUNC);
    ck_assert_uint_eq(m.payload_len, 7);
    ck_assert_uint_eq(m.payload_cap, 6);

    ck_assert_uint_eq(st.counter[DC_TCP_CSUM_OK], 1);
    ck_assert_uint_eq(st.counter[DC_TCP_CSUM_BAD], 1);
    ck_assert_uint_eq(st.counter[DC_TCP_CSUM_OFFLOADED], 1);
    ck_assert_uint_eq(st.counter[DC_TCP_CSUM_UNCHECKED], 2);
}
END_TEST

START_TEST(test_tcp_checksum_ipv6_bad_is_detected)
{
    struct fb ip = {.n = 0};

    ip6_tcp(&ip, 9);
    ip.b[ip.n - 1] ^= 0x40;
    ck_assert_int_eq(dec(229, &ip), DECODE_TCP);
    ck_assert_uint_eq(m.csum, CSUM_BAD);
}
END_TEST

/* ---- truncation at every length -------------------------------------------- */

/* Ethernet(14) + IPv4 with 4 option bytes (24) + TCP with 12 option bytes (32) + 10 payload. */
static void
full_frame(struct fb *f)
{
    static const uint8_t o[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 0, 0};
    struct fb t = {.n = 0}, ip = {.n = 0};

    mk_tcp(&t, o, sizeof(o), TCP_SYN, 10);
    mk_ip4(&ip, 6, &t, 4, 0);
    mk_eth(f, 0x0800, &ip);
}

START_TEST(test_truncation_at_every_length_of_eth_ipv4_tcp)
{
    struct fb f = {.n = 0};
    size_t cut = (size_t)_i;
    enum decode_outcome o;

    full_frame(&f);
    ck_assert_uint_eq(f.n, 80);
    o = dec_opts(1, f.b, cut, true);
    if (cut == 0) {
        ck_assert_int_eq(o, DECODE_TRUNCATED);
        ck_assert_uint_eq(m.reason, DR_EMPTY);
    } else if (cut < 14) {
        ck_assert_int_eq(o, DECODE_TRUNCATED);
        ck_assert_uint_eq(m.reason, DR_LINK_HEADER);
    } else if (cut < 34) {
        ck_assert_int_eq(o, DECODE_TRUNCATED);
        ck_assert_uint_eq(m.reason, DR_IPV4_HEADER);
    } else if (cut < 38) {
        ck_assert_int_eq(o, DECODE_TRUNCATED);
        ck_assert_uint_eq(m.reason, DR_IPV4_OPTIONS);
    } else if (cut < 58) {
        ck_assert_int_eq(o, DECODE_TRUNCATED);
        ck_assert_uint_eq(m.reason, DR_TCP_HEADER);
    } else if (cut < 70) {
        ck_assert_int_eq(o, DECODE_TRUNCATED);
        ck_assert_uint_eq(m.reason, DR_TCP_OPTIONS);
    } else {
        ck_assert_int_eq(o, DECODE_TCP);
        ck_assert_uint_eq(m.reason, DR_NONE);
        ck_assert_uint_eq(m.payload_len, 10);
        ck_assert_uint_eq(m.payload_cap, cut - 70);
        ck_assert_uint_eq(m.opt.mss, 1460);
        ck_assert_uint_eq(m.opt.wscale, 7);
        ck_assert_uint_eq((m.anomalies & ANOM_TCP_PAYLOAD_TRUNC) != 0, cut < 80);
        ck_assert_uint_eq(m.csum, cut == 80 ? CSUM_OK : CSUM_UNCHECKED);
    }
    ck_assert_uint_eq(st.outcome[o], 1);
    if (o == DECODE_TRUNCATED)
        ck_assert_uint_eq(st.truncated[m.reason], 1);
}
END_TEST

/* IPv6 + hop-by-hop (8) + TCP (20) + 4 payload over VLAN: every cut point, no crash, right layer.
 */
START_TEST(test_truncation_at_every_length_of_vlan_ipv6_ext_tcp)
{
    struct fb t = {.n = 0}, e = {.n = 0}, ip = {.n = 0}, f = {.n = 0};
    size_t cut = (size_t)_i;
    enum decode_outcome o;

    mk_tcp(&t, NULL, 0, TCP_ACK, 4);
    ext8(&e, 6);
    mk_ip6x(&ip, 0, &e, 6, &t);
    putn(&f, MACS, 12);
    put16(&f, 0x8100);
    put16(&f, 10);
    put16(&f, 0x86dd);
    putn(&f, ip.b, ip.n);
    ck_assert_uint_eq(f.n, 18 + 40 + 8 + 24);
    o = dec_opts(1, f.b, cut, true);
    if (cut == 0)
        ck_assert_uint_eq(m.reason, DR_EMPTY);
    else if (cut < 14)
        ck_assert_uint_eq(m.reason, DR_LINK_HEADER);
    else if (cut < 18)
        ck_assert_uint_eq(m.reason, DR_VLAN_HEADER);
    else if (cut < 58)
        ck_assert_uint_eq(m.reason, DR_IPV6_HEADER);
    else if (cut < 66)
        ck_assert_uint_eq(m.reason, DR_IPV6_EXT_HEADER);
    else if (cut < 86)
        ck_assert_uint_eq(m.reason, DR_TCP_HEADER);
    if (cut < 86) {
        ck_assert_int_eq(o, DECODE_TRUNCATED);
    } else {
        ck_assert_int_eq(o, DECODE_TCP);
        ck_assert_uint_eq(m.payload_cap, cut - 86);
        ck_assert_uint_eq(m.vlan[0], 10);
    }
}
END_TEST

/* A VXLAN frame cut at every length: always some outcome, never a crash. */
START_TEST(test_truncation_at_every_length_of_vxlan)
{
    struct fb in4 = {.n = 0}, eth = {.n = 0}, vx = {.n = 0}, u = {.n = 0}, o = {.n = 0};
    size_t cut = (size_t)_i;
    enum decode_outcome r;

    ip4_tcp(&in4, 2);
    mk_eth(&eth, 0x0800, &in4);
    put32(&vx, 0x08000000);
    put32(&vx, 42u << 8);
    putn(&vx, eth.b, eth.n);
    mk_udp(&u, 55555, 4789, &vx);
    mk_ip4(&o, 17, &u, 0, 0);
    if (cut > o.n)
        return;
    r = dec_opts(228, o.b, cut, true);
    if (cut == o.n)
        ck_assert_int_eq(r, DECODE_TCP);
    else if (cut >= o.n - 2)
        ck_assert_int_eq(r, DECODE_TCP); /* only payload missing */
    else
        ck_assert_int_eq(r, DECODE_TRUNCATED);
}
END_TEST

/* ---- names, stats ---------------------------------------------------------- */

START_TEST(test_every_enum_has_a_distinct_name)
{
    int i, j;

    for (i = 0; i < DECODE_OUTCOME_COUNT; i++)
        for (j = 0; j < i; j++)
            ck_assert_str_ne(decode_outcome_name(i), decode_outcome_name(j));
    for (i = 0; i < DR_COUNT; i++)
        for (j = 0; j < i; j++)
            ck_assert_str_ne(decode_reason_name(i), decode_reason_name(j));
    for (i = 0; i < DC_COUNT; i++)
        for (j = 0; j < i; j++)
            ck_assert_str_ne(decode_counter_name(i), decode_counter_name(j));
    for (i = 0; i < DL_COUNT; i++)
        for (j = 0; j < i; j++)
            ck_assert_str_ne(decode_link_name(i), decode_link_name(j));
    ck_assert_str_eq(decode_reason_name(DR_IPV4_HLEN), "ipv4_hlen");
    ck_assert_str_eq(decode_outcome_name(DECODE_OTHER_L4), "other_l4");
    ck_assert_str_eq(decode_counter_name(DC_VLAN_QINQ), "vlan_qinq");
    ck_assert_str_eq(decode_link_name(DL_LINUX_SLL2), "LINUX_SLL2");
    ck_assert_str_eq(decode_outcome_name(DECODE_OUTCOME_COUNT), "unknown");
}
END_TEST

static uint64_t
stat_get(const struct stat_list *l, const char *path, bool *found)
{
    size_t i;

    *found = false;
    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i].path, path) == 0) {
            *found = true;
            return l->items[i].value;
        }
    return 0;
}

/*
 * The engine's part (pkts, bytes, filtered) is simulated here. decoder.pkts
 * counts the packets past the filter (Suricata's meaning), so it is the sum
 * of the outcomes; the filtered ones are flowstate's own counter.
 */
START_TEST(test_stats_invariant_pkts_equals_sum_of_outcomes)
{
    struct fb v4 = {.n = 0}, f = {.n = 0}, bad_ip = {.n = 0};
    struct stat_list l;
    uint64_t sum = 0, pkts, filtered;
    bool found;
    size_t cut, i, j;

    ip4_tcp(&v4, 5);
    mk_eth(&f, 0x0800, &v4);
    putn(&bad_ip, (const uint8_t[20]){0}, 20); /* version 0 on DLT_IPV4 */
    for (cut = 0; cut <= f.n; cut++) {
        st.counter[DC_PKTS]++;
        st.counter[DC_BYTES] += f.n;
        (void)dec_opts(1, f.b, cut, true);
    }
    st.counter[DC_FILTERED] += 3; /* filtered: never reach the decoder, nor decoder.pkts */
    st.counter[DC_PKTS]++;
    (void)dec_opts(999, f.b, f.n, true);
    st.counter[DC_PKTS]++;
    (void)dec(228, &bad_ip);

    stat_list_init(&l);
    decode_stats_export(&st, &l);
    pkts = stat_get(&l, "decoder.pkts", &found);
    ck_assert(found);
    filtered = stat_get(&l, "flowstate.decoder.filtered", &found);
    ck_assert(found);
    ck_assert_uint_eq(filtered, 3);
    (void)stat_get(&l, "decoder.filtered", &found);
    ck_assert(!found); /* not a Suricata name */
    for (i = 0; i < DECODE_OUTCOME_COUNT; i++) {
        static const char *const paths[] = {
            "flowstate.decoder.outcome.tcp",         "flowstate.decoder.outcome.other_l4",
            "flowstate.decoder.outcome.non_ip",      "flowstate.decoder.outcome.fragment",
            "flowstate.decoder.outcome.truncated",   "flowstate.decoder.outcome.malformed",
            "flowstate.decoder.outcome.unsupported",
        };
        sum += stat_get(&l, paths[i], &found);
        ck_assert_msg(found, "%s", paths[i]);
    }
    ck_assert_uint_eq(pkts, sum);
    ck_assert_uint_eq(stat_get(&l, "flowstate.decoder.truncated.empty", &found), 1);
    ck_assert(found);
    ck_assert_uint_eq(stat_get(&l, "flowstate.decoder.truncated.ipv4_header", &found), 20);
    ck_assert_uint_eq(stat_get(&l, "flowstate.decoder.malformed.ip_version", &found), 0);
    ck_assert(!found); /* only non-zero reasons */
    ck_assert_uint_eq(stat_get(&l, "flowstate.decoder.malformed.ipv4_version", &found), 1);
    ck_assert_uint_eq(stat_get(&l, "flowstate.decoder.linktype.EN10MB", &found), f.n + 1);
    ck_assert_uint_eq(stat_get(&l, "flowstate.decoder.linktype.OTHER", &found), 1);
    ck_assert_uint_eq(stat_get(&l, "flowstate.decoder.linktype.NULL", &found), 0);
    ck_assert(!found);
    (void)stat_get(&l, "flowstate.decoder.checksum.tcp_unchecked", &found);
    ck_assert(found);
    (void)stat_get(&l, "decoder.vlan_qinq", &found);
    ck_assert(found);
    (void)stat_get(&l, "decoder.vlan_qinqinq", &found);
    ck_assert(found);
    /* every path is Suricata's decoder.* or under flowstate. */
    for (i = 0; i < l.n; i++)
        ck_assert_msg(strncmp(l.items[i].path, "decoder.", 8) == 0 ||
                          strncmp(l.items[i].path, "flowstate.decoder.", 18) == 0,
                      "%s", l.items[i].path);
    for (i = 0; i < l.n; i++)
        for (j = 0; j < i; j++)
            ck_assert_str_ne(l.items[i].path, l.items[j].path);
    stat_list_fini(&l);
}
END_TEST

START_TEST(test_ip_addr_str_formats_both_families)
{
    struct ip_addr a;
    char buf[46];

    memset(&a, 0, sizeof(a));
    memcpy(a.b, A4, 4);
    ck_assert_str_eq(ip_addr_str(&a, 4, buf, sizeof(buf)), "192.0.2.1");
    memcpy(a.b, A6, 16);
    ck_assert_str_eq(ip_addr_str(&a, 6, buf, sizeof(buf)), "2001:db8::1");
}
END_TEST

static Suite *
decode_suite(void)
{
    Suite *s = suite_create("decode");
    TCase *tc;

    tc = tcase_create("link");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_ethernet_ipv4_tcp_is_decoded);
    tcase_add_test(tc, test_ethernet_ipv6_tcp_is_decoded);
    tcase_add_test(tc, test_pktbuild_frames_decode_back_to_their_meta);
    tcase_add_test(tc, test_pktbuild_server_segment_with_full_payload);
    tcase_add_test(tc, test_sll_and_sll2_carry_ipv4);
    tcase_add_test(tc, test_raw_dlts_pick_the_ip_version_from_the_nibble);
    tcase_add_test(tc, test_null_accepts_both_byte_orders_and_all_inet6_values);
    tcase_add_test(tc, test_loop_reads_family_in_either_byte_order);
    tcase_add_test(tc, test_unknown_dlt_is_unsupported);
    tcase_add_test(tc, test_arp_and_lldp_are_non_ip);
    tcase_add_test(tc, test_empty_record_is_truncated_empty);
    tcase_add_test(tc, test_caplen_above_wirelen_is_flagged_and_bounded_by_caplen);
    tcase_add_loop_test(tc, test_vlan_stacks_up_to_three_tags, 1, 5);
    tcase_add_test(tc, test_truncated_vlan_tag_is_vlan_header);
    tcase_add_test(tc, test_mpls_stack_then_ip_by_nibble);
    tcase_add_test(tc, test_pppoe_session_carries_ip);
    suite_add_tcase(s, tc);

    tc = tcase_create("ip");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, test_ipv4_options_every_ihl, 0, 11);
    tcase_add_test(tc, test_ipv4_ihl_below_five_is_malformed);
    tcase_add_test(tc, test_ipv4_total_length_below_header_is_malformed);
    tcase_add_test(tc, test_ipv4_header_beyond_capture_is_truncated_options);
    tcase_add_test(tc, test_ethertype_ipv4_with_version_6_is_malformed);
    tcase_add_test(tc, test_ethernet_padding_is_flagged_and_ignored);
    tcase_add_test(tc, test_ipv4_total_length_zero_uses_caplen);
    tcase_add_test(tc, test_ipv4_bad_header_checksum_is_flagged_not_dropped);
    tcase_add_test(tc, test_ipv4_first_fragment_is_fragment_with_its_layout);
    tcase_add_test(tc, test_ipv4_later_fragment_is_fragment);
    tcase_add_test(tc, test_ipv6_each_extension_header_is_skipped);
    tcase_add_test(tc, test_ipv6_chain_of_three_headers);
    tcase_add_test(tc, test_ipv6_too_long_chain_is_malformed);
    tcase_add_test(tc, test_ipv6_extension_past_payload_length_is_malformed);
    tcase_add_test(tc, test_ipv6_no_next_header_is_other_l4);
    tcase_add_test(tc, test_ipv6_fragments_first_and_later);
    tcase_add_test(tc, test_ip_datagram_is_decoded_without_link_and_counted_apart);
    tcase_add_test(tc, test_ipv6_routing_in_transit_skips_checksum);
    suite_add_tcase(s, tc);

    tc = tcase_create("tunnel");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_gre_with_each_flag_combination_carries_inner_ip);
    tcase_add_test(tc, test_gre_transparent_ethernet_bridging);
    tcase_add_test(tc, test_gre_v1_pptp_ppp_carries_ip);
    tcase_add_test(tc, test_ip_in_ip_and_ipv6_in_ip);
    tcase_add_test(tc, test_vxlan_carries_ethernet);
    tcase_add_test(tc, test_geneve_with_options_carries_ethernet_or_ip);
    tcase_add_test(tc, test_teredo_with_origin_indication_is_decoded);
    tcase_add_test(tc, test_teredo_with_auth_header_is_decoded);
    tcase_add_test(tc, test_teredo_port_with_inconsistent_ipv6_stays_udp);
    tcase_add_test(tc, test_teredo_on_nat_mapped_port_is_decoded_by_prefix);
    tcase_add_test(tc, test_ipv6_looking_udp_without_teredo_prefix_is_not_a_tunnel);
    tcase_add_test(tc, test_tunnel_with_inner_udp_is_other_l4);
    tcase_add_test(tc, test_tunnel_nesting_is_limited);
    tcase_add_test(tc, test_truncated_gre_header_is_tunnel_header);
    suite_add_tcase(s, tc);

    tc = tcase_create("tcp");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_tcp_options_each_kind_is_parsed);
    tcase_add_test(tc, test_tcp_md5_and_experimental_tfo);
    tcase_add_test(tc, test_tcp_option_length_below_two_stops_parsing);
    tcase_add_test(tc, test_tcp_option_length_past_header_stops_parsing);
    tcase_add_test(tc, test_tcp_duplicate_option_is_flagged_first_kept);
    tcase_add_test(tc, test_tcp_known_option_with_wrong_length_is_flagged);
    tcase_add_test(tc, test_tcp_ae_flag_and_invalid_combinations);
    tcase_add_test(tc, test_tcp_data_offset_below_five_is_malformed);
    tcase_add_test(tc, test_tcp_data_offset_beyond_ip_payload_is_malformed);
    tcase_add_test(tc, test_tcp_port_zero_is_flagged);
    tcase_add_test(tc, test_tcp_checksum_ok_bad_offloaded_unchecked);
    tcase_add_test(tc, test_tcp_checksum_ipv6_bad_is_detected);
    suite_add_tcase(s, tc);

    /* thousands of decodes each: seconds under the sanitizers */
    tc = tcase_create("tcp_options_model");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tcp_options_random_blocks_match_model);
    tcase_add_test(tc, test_tcp_options_timestamp_fast_path_and_near_misses_match_model);
    suite_add_tcase(s, tc);

    tc = tcase_create("truncation");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, test_truncation_at_every_length_of_eth_ipv4_tcp, 0, 81);
    tcase_add_loop_test(tc, test_truncation_at_every_length_of_vlan_ipv6_ext_tcp, 0, 91);
    tcase_add_loop_test(tc, test_truncation_at_every_length_of_vxlan, 0, 100);
    suite_add_tcase(s, tc);

    tc = tcase_create("stats");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_every_enum_has_a_distinct_name);
    tcase_add_test(tc, test_stats_invariant_pkts_equals_sum_of_outcomes);
    tcase_add_test(tc, test_ip_addr_str_formats_both_families);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(decode_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
