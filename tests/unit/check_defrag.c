/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_defrag: IPv4/IPv6 reassembly. A whole TCP datagram is built with
 * pktbuild, cut into fragments here (raw IPv4/IPv6 frames), each fragment
 * goes through decode_packet() (so frag_meta comes from the real decoder)
 * and then defrag_add(); completed datagrams are decoded again with
 * decode_ip_datagram(). Tests free what they make; ASan checks the rest.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "defrag/defrag.h"
#include "pktbuild.h"

#define DLT_V_IPV4 228
#define DLT_V_IPV6 229
#define SEC        1000000000ULL

static struct defrag *d;
static struct decode_stats st, dst;
static uint8_t dgram[4096]; /* the original datagram */
static size_t dgram_len, dgram_hlen;
static struct pkt_meta out_m; /* last reassembled datagram, decoded */
static struct defrag_datagram out_dg;

static void
setup(void)
{
    struct defrag_cfg cfg;

    defrag_cfg_default(&cfg);
    cfg.seed = 42;
    d = defrag_new(&cfg);
    memset(&st, 0, sizeof(st));
    memset(&dst, 0, sizeof(dst));
    memset(&out_m, 0, sizeof(out_m));
}

static void
teardown(void)
{
    defrag_free(d);
    d = NULL;
}

static void
setup_with(size_t memcap, uint32_t max_trackers, uint32_t max_frags)
{
    struct defrag_cfg cfg;

    defrag_free(d);
    defrag_cfg_default(&cfg);
    cfg.seed = 42;
    if (memcap != 0)
        cfg.memcap = memcap;
    if (max_trackers != 0)
        cfg.max_trackers = max_trackers;
    if (max_frags != 0)
        cfg.max_frags = max_frags;
    d = defrag_new(&cfg);
}

static void
put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* A client->server PSH|ACK with `paylen` payload bytes (a pattern), checksummed. */
static void
mk_dgram(int v6, uint32_t paylen)
{
    struct pb_seg s = {.from_client = 1,
                       .flags = TCP_PSH | TCP_ACK,
                       .seq = 1000,
                       .ack = 2000,
                       .win = 512,
                       .len = paylen,
                       .mss = 0,
                       .wscale = -1};
    size_t i, tcp_off;
    uint32_t sum = 0;

    dgram_len = pb_ip_tcp(dgram, sizeof(dgram), v6, &s);
    ck_assert_uint_gt(dgram_len, 0);
    dgram_hlen = v6 ? 40 : 20;
    tcp_off = dgram_hlen;
    for (i = tcp_off + 20; i < dgram_len; i++)
        dgram[i] = (uint8_t)('A' + i % 23);
    /* re-checksum the TCP segment over the pattern (RFC 9293 3.1 pseudo-header) */
    put16(dgram + tcp_off + 16, 0);
    if (v6) {
        for (i = 8; i < 40; i += 2)
            sum += (uint32_t)dgram[i] << 8 | dgram[i + 1];
    } else {
        for (i = 12; i < 20; i += 2)
            sum += (uint32_t)dgram[i] << 8 | dgram[i + 1];
    }
    sum += 6 + (uint32_t)(dgram_len - tcp_off);
    for (i = tcp_off; i + 1 < dgram_len; i += 2)
        sum += (uint32_t)dgram[i] << 8 | dgram[i + 1];
    if ((dgram_len - tcp_off) & 1)
        sum += (uint32_t)dgram[dgram_len - 1] << 8;
    put16(dgram + tcp_off + 16, pb_csum_fold(sum));
}

/*
 * Feeds the fragment carrying datagram-data bytes [off, off + len) (data =
 * everything after the IP header) with flag `more`, at time t. `id` selects
 * the datagram. `patch` (if not NULL) replaces the fragment's data. `hbh`:
 * IPv6 only, put a hop-by-hop header in front of the fragment header.
 * Returns defrag_add()'s result; a completed datagram is decoded into out_m.
 */
static int
feed(int v6, uint32_t id, uint32_t off, uint32_t len, int more, uint64_t t, const uint8_t *patch,
     int hbh)
{
    uint8_t f[4200];
    size_t n = 0;
    struct pkt_meta m;
    int rc;

    ck_assert_uint_le(len, 4096);
    if (patch == NULL)
        ck_assert_uint_le(dgram_hlen + off + len, dgram_len);
    if (!v6) {
        memcpy(f, dgram, 20);
        put16(f + 2, 20 + len);
        put16(f + 4, id);
        put16(f + 6, (more ? 0x2000u : 0u) | off / 8);
        n = 20;
    } else {
        memcpy(f, dgram, 40);
        put16(f + 4, (hbh ? 8u : 0u) + 8 + len);
        f[6] = hbh ? 0 : 44;
        n = 40;
        if (hbh) {
            static const uint8_t h[8] = {44, 0, 1, 4, 0, 0, 0, 0};

            memcpy(f + n, h, 8);
            n += 8;
        }
        f[n] = 6;
        f[n + 1] = 0;
        put16(f + n + 2, off | (more ? 1u : 0u));
        f[n + 4] = (uint8_t)(id >> 24);
        f[n + 5] = (uint8_t)(id >> 16);
        f[n + 6] = (uint8_t)(id >> 8);
        f[n + 7] = (uint8_t)id;
        n += 8;
    }
    if (patch != NULL)
        memcpy(f + n, patch, len);
    else
        memcpy(f + n, dgram + dgram_hlen + off, len);
    n += len;
    ck_assert_int_eq(
        decode_packet(v6 ? DLT_V_IPV6 : DLT_V_IPV4, f, (uint32_t)n, (uint32_t)n, t, NULL, &m, &st),
        DECODE_FRAGMENT);
    rc = defrag_add(d, &m, f, (uint32_t)n, t, &out_dg);
    if (rc == 1)
        ck_assert_int_eq(decode_ip_datagram(out_dg.ip, out_dg.len, t, true, NULL, &out_m, &dst),
                         DECODE_TCP);
    return rc;
}

static int
feed4(uint32_t off, uint32_t len, int more)
{
    return feed(0, 0x77, off, len, more, 5 * SEC, NULL, 0);
}

/* The rebuilt datagram is the original one, byte for byte (IPv4: header fixed up). */
static void
assert_rebuilt(int v6)
{
    ck_assert_uint_eq(out_dg.len, dgram_len);
    ck_assert_mem_eq(out_dg.ip + dgram_hlen, dgram + dgram_hlen, dgram_len - dgram_hlen);
    ck_assert_uint_eq(out_m.ip_version, v6 ? 6 : 4);
    ck_assert_uint_eq(out_m.csum, CSUM_OK);
    ck_assert(!(out_m.anomalies & ANOM_IP_BAD_CHECKSUM));
    ck_assert(out_m.anomalies & ANOM_IP_REASSEMBLED);
    ck_assert_uint_eq(out_m.seq, 1000);
    ck_assert_uint_eq(out_m.payload_len, dgram_len - dgram_hlen - 20);
    ck_assert_uint_eq(out_m.ip_bytes, dgram_len);
}

START_TEST(test_in_order_fragments_rebuild_the_datagram)
{
    mk_dgram(0, 100); /* 120 bytes of data: 48 + 48 + 24 */
    ck_assert_int_eq(feed4(0, 48, 1), 0);
    ck_assert_uint_eq(defrag_trackers(d), 1);
    ck_assert_int_eq(feed4(48, 48, 1), 0);
    ck_assert_int_eq(feed4(96, 24, 0), 1);
    assert_rebuilt(0);
    ck_assert_uint_eq(defrag_trackers(d), 0);
    ck_assert_uint_eq(defrag_mem_used(d), 0);
    ck_assert_uint_eq(out_dg.frags, 3);
    ck_assert_uint_eq(out_dg.wire_bytes, 68 + 68 + 44);
    ck_assert_uint_eq(out_dg.ip[6] & 0x3f, 0); /* MF and offset cleared */
    ck_assert_uint_eq(out_dg.ip[7], 0);
    ck_assert_uint_eq(defrag_stats(d)->fragments, 3);
    ck_assert_uint_eq(defrag_stats(d)->reassembled, 1);
    ck_assert_uint_eq(defrag_stats(d)->overlaps, 0);
    ck_assert_uint_eq(st.outcome[DECODE_FRAGMENT], 3);
    ck_assert_uint_eq(st.outcome[DECODE_TCP], 0);
}
END_TEST

START_TEST(test_out_of_order_and_last_fragment_first)
{
    mk_dgram(0, 100);
    ck_assert_int_eq(feed4(96, 24, 0), 0); /* the last one first: the end is known */
    ck_assert_int_eq(feed4(0, 48, 1), 0);
    ck_assert_int_eq(feed4(48, 48, 1), 1);
    assert_rebuilt(0);
    /* middle first */
    ck_assert_int_eq(feed4(48, 48, 1), 0);
    ck_assert_int_eq(feed4(96, 24, 0), 0);
    ck_assert_int_eq(feed4(0, 48, 1), 1);
    assert_rebuilt(0);
    ck_assert_uint_eq(defrag_stats(d)->reassembled, 2);
}
END_TEST

START_TEST(test_duplicates_are_overlaps_and_do_not_change_data)
{
    mk_dgram(0, 100);
    ck_assert_int_eq(feed4(0, 48, 1), 0);
    ck_assert_int_eq(feed4(0, 48, 1), 0);
    ck_assert_int_eq(feed4(48, 48, 1), 0);
    ck_assert_int_eq(feed4(96, 24, 0), 1);
    assert_rebuilt(0);
    ck_assert_uint_eq(out_dg.frags, 4);
    ck_assert_uint_eq(defrag_stats(d)->overlaps, 1);
    ck_assert_uint_eq(defrag_stats(d)->overlap_diff, 0);
}
END_TEST

START_TEST(test_overlap_first_bytes_win_and_difference_is_counted)
{
    uint8_t evil[64];

    mk_dgram(0, 100);
    memset(evil, 'Z', sizeof(evil));
    ck_assert_int_eq(feed4(0, 48, 1), 0);
    ck_assert_int_eq(feed4(48, 24, 1), 0);
    /* [40, 96) overlaps the held [0, 72) with other bytes, and fills [72, 96) */
    ck_assert_int_eq(feed(0, 0x77, 40, 56, 1, 5 * SEC, evil, 0), 0);
    ck_assert_int_eq(feed4(96, 24, 0), 1);
    ck_assert_uint_eq(defrag_stats(d)->overlaps, 1);
    ck_assert_uint_eq(defrag_stats(d)->overlap_diff, 1);
    /* first wins: only the gap [72, 96) took the new bytes */
    ck_assert_mem_eq(out_dg.ip + 20, dgram + 20, 72);
    ck_assert_uint_eq(out_dg.ip[20 + 72], 'Z');
    ck_assert_uint_eq(out_dg.ip[20 + 95], 'Z');
    ck_assert_mem_eq(out_dg.ip + 20 + 96, dgram + 20 + 96, 24);
}
END_TEST

START_TEST(test_missing_piece_times_out_by_capture_time)
{
    mk_dgram(0, 100);
    ck_assert_int_eq(feed4(0, 48, 1), 0);
    ck_assert_int_eq(feed4(96, 24, 0), 0);
    ck_assert_uint_gt(defrag_mem_used(d), 0);
    defrag_expire(d, 5 * SEC + DEFRAG_DEFAULT_TIMEOUT_NS - 1);
    ck_assert_uint_eq(defrag_trackers(d), 1);
    defrag_expire(d, 5 * SEC + DEFRAG_DEFAULT_TIMEOUT_NS);
    ck_assert_uint_eq(defrag_trackers(d), 0);
    ck_assert_uint_eq(defrag_mem_used(d), 0);
    ck_assert_uint_eq(defrag_stats(d)->timeouts, 1);
    /* the late piece starts a new datagram, which cannot complete */
    ck_assert_int_eq(feed(0, 0x77, 48, 48, 1, 40 * SEC, NULL, 0), 0);
    ck_assert_uint_eq(defrag_trackers(d), 1);
    defrag_flush(d);
    ck_assert_uint_eq(defrag_stats(d)->unfinished, 1);
    ck_assert_uint_eq(defrag_trackers(d), 0);
}
END_TEST

START_TEST(test_memcap_drops_fragments_and_is_never_exceeded)
{
    uint32_t id;

    setup_with(4096, 0, 0);
    mk_dgram(0, 100);
    for (id = 1; id <= 64; id++)
        ck_assert_int_eq(feed(0, id, 0, 48, 1, 5 * SEC, NULL, 0), 0);
    ck_assert_uint_gt(defrag_stats(d)->dropped_memcap, 0);
    ck_assert_uint_le(defrag_mem_used(d), 4096);
    ck_assert_uint_lt(defrag_trackers(d), 64);
    /* expired trackers are reclaimed before a fragment is refused */
    ck_assert_int_eq(feed(0, 1000, 0, 48, 1, 5 * SEC + DEFRAG_DEFAULT_TIMEOUT_NS, NULL, 0), 0);
    ck_assert_uint_eq(defrag_trackers(d), 1);
}
END_TEST

START_TEST(test_max_trackers_drops_new_datagrams)
{
    setup_with(0, 2, 0);
    mk_dgram(0, 100);
    ck_assert_int_eq(feed(0, 1, 0, 48, 1, 5 * SEC, NULL, 0), 0);
    ck_assert_int_eq(feed(0, 2, 0, 48, 1, 5 * SEC, NULL, 0), 0);
    ck_assert_int_eq(feed(0, 3, 0, 48, 1, 5 * SEC, NULL, 0), 0);
    ck_assert_uint_eq(defrag_trackers(d), 2);
    ck_assert_uint_eq(defrag_stats(d)->dropped_trackers, 1);
    /* the datagrams in progress still complete */
    ck_assert_int_eq(feed(0, 2, 48, 72, 0, 5 * SEC, NULL, 0), 1);
    assert_rebuilt(0);
}
END_TEST

START_TEST(test_ipv6_fragment_header_after_hop_by_hop)
{
    mk_dgram(1, 200); /* 220 bytes of data */
    ck_assert_int_eq(feed(1, 0xdeadbeef, 104, 116, 0, 5 * SEC, NULL, 1), 0);
    ck_assert_int_eq(feed(1, 0xdeadbeef, 0, 104, 1, 5 * SEC, NULL, 1), 1);
    /* the rebuilt datagram keeps the hop-by-hop header, now naming TCP */
    ck_assert_uint_eq(out_dg.len, 40 + 8 + 220);
    ck_assert_uint_eq(out_dg.ip[6], 0);
    ck_assert_uint_eq(out_dg.ip[40], 6);
    ck_assert_uint_eq((unsigned)out_dg.ip[4] << 8 | out_dg.ip[5], 8 + 220);
    ck_assert_mem_eq(out_dg.ip + 48, dgram + 40, 220);
    ck_assert_uint_eq(out_m.ip_version, 6);
    ck_assert_uint_eq(out_m.csum, CSUM_OK);
    ck_assert_uint_eq(out_m.payload_len, 200);
    /* without extension headers, and a different id is another datagram */
    ck_assert_int_eq(feed(1, 1, 0, 104, 1, 5 * SEC, NULL, 0), 0);
    ck_assert_int_eq(feed(1, 2, 104, 116, 0, 5 * SEC, NULL, 0), 0);
    ck_assert_int_eq(feed(1, 1, 104, 116, 0, 5 * SEC, NULL, 0), 1);
    assert_rebuilt(1);
    ck_assert_uint_eq(defrag_trackers(d), 1);
}
END_TEST

START_TEST(test_tiny_fragments_split_the_tcp_header)
{
    uint32_t off;

    mk_dgram(0, 20); /* 40 bytes of data: five 8-byte fragments, TCP header in three */
    for (off = 0; off < 32; off += 8)
        ck_assert_int_eq(feed4(off, 8, 1), 0);
    ck_assert_int_eq(feed4(32, 8, 0), 1);
    assert_rebuilt(0);
    ck_assert_uint_eq(out_m.sport, 40000);
    ck_assert_uint_eq(out_m.dport, 80);
}
END_TEST

START_TEST(test_inconsistent_fragments_are_dropped)
{
    mk_dgram(0, 100);
    ck_assert_int_eq(feed4(0, 44, 1), 0); /* not a multiple of 8 with MF */
    ck_assert_uint_eq(defrag_stats(d)->inconsistent, 1);
    ck_assert_uint_eq(defrag_trackers(d), 0);
    ck_assert_int_eq(feed4(96, 24, 0), 0);
    ck_assert_int_eq(feed4(96, 16, 0), 0);                             /* a second, different end */
    ck_assert_int_eq(feed(0, 0x77, 104, 24, 1, 5 * SEC, dgram, 0), 0); /* data past the end */
    ck_assert_uint_eq(defrag_stats(d)->inconsistent, 3);
    ck_assert_int_eq(feed4(0, 48, 1), 0);
    ck_assert_int_eq(feed4(48, 48, 1), 1);
    assert_rebuilt(0);
}
END_TEST

START_TEST(test_end_before_held_data_is_inconsistent)
{
    mk_dgram(0, 100);
    ck_assert_int_eq(feed4(48, 48, 1), 0);
    ck_assert_int_eq(feed4(8, 32, 0), 0); /* ends at 40, but [48, 96) is held */
    ck_assert_uint_eq(defrag_stats(d)->inconsistent, 1);
}
END_TEST

START_TEST(test_datagram_past_65535_is_too_large)
{
    static uint8_t zeros[1480];
    uint32_t off, len;

    mk_dgram(0, 100);
    ck_assert_int_eq(feed4(0, 48, 1), 0);
    ck_assert_uint_eq(defrag_trackers(d), 1);
    /* offset 65528 + 16 bytes: past the 16-bit length (ping of death) */
    ck_assert_int_eq(feed(0, 0x77, 65528, 16, 0, 5 * SEC, dgram, 0), 0);
    ck_assert_uint_eq(defrag_stats(d)->too_large, 1);
    ck_assert_uint_eq(defrag_trackers(d), 0);
    /* every offset fits, but the 20-byte header + 65532 bytes do not */
    memset(zeros, 0, sizeof(zeros));
    ck_assert_int_eq(feed(0, 0x78, 65512, 20, 0, 5 * SEC, zeros, 0), 0);
    for (off = 0; off < 65512; off += len) {
        len = 65512 - off < 1480 ? 65512 - off : 1480;
        ck_assert_int_eq(feed(0, 0x78, off, len, 1, 5 * SEC, zeros, 0), 0);
    }
    ck_assert_uint_eq(defrag_stats(d)->too_large, 2);
    ck_assert_uint_eq(defrag_stats(d)->reassembled, 0);
    ck_assert_uint_eq(defrag_trackers(d), 0);
}
END_TEST

START_TEST(test_too_many_fragments_drop_the_datagram)
{
    uint32_t off;

    setup_with(0, 0, 4);
    mk_dgram(0, 20);
    for (off = 0; off < 32; off += 8)
        ck_assert_int_eq(feed4(off, 8, 1), 0);
    ck_assert_int_eq(feed4(32, 8, 0), 0);
    ck_assert_uint_eq(defrag_stats(d)->too_many_frags, 1);
    ck_assert_uint_eq(defrag_trackers(d), 0);
    ck_assert_uint_eq(defrag_stats(d)->reassembled, 0);
}
END_TEST

START_TEST(test_fragment_cut_by_capture_is_incomplete)
{
    uint8_t f[128];
    struct pkt_meta m;
    struct defrag_datagram dg;

    mk_dgram(0, 100);
    memcpy(f, dgram, 20);
    put16(f + 2, 20 + 48);
    put16(f + 6, 0x2000);
    memcpy(f + 20, dgram + 20, 48);
    ck_assert_int_eq(decode_packet(DLT_V_IPV4, f, 60, 68, 1, NULL, &m, &st), DECODE_FRAGMENT);
    ck_assert_int_eq(defrag_add(d, &m, f, 60, 1, &dg), 0);
    ck_assert_uint_eq(defrag_stats(d)->incomplete, 1);
    ck_assert_uint_eq(defrag_trackers(d), 0);
}
END_TEST

START_TEST(test_export_names_every_counter)
{
    struct stat_list l;
    size_t i;

    stat_list_init(&l);
    defrag_stats_export(defrag_stats(d), &l);
    decode_stats_export_defrag(&dst, &l);
    ck_assert_uint_eq(l.n, 12 + DECODE_OUTCOME_COUNT);
    for (i = 0; i < l.n; i++)
        ck_assert_msg(strncmp(l.items[i].path, "flowstate.decoder.defrag.", 25) == 0, "%s",
                      l.items[i].path);
    stat_list_fini(&l);
}
END_TEST

static Suite *
defrag_suite(void)
{
    Suite *s = suite_create("defrag");
    TCase *tc = tcase_create("reassembly");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_in_order_fragments_rebuild_the_datagram);
    tcase_add_test(tc, test_out_of_order_and_last_fragment_first);
    tcase_add_test(tc, test_duplicates_are_overlaps_and_do_not_change_data);
    tcase_add_test(tc, test_overlap_first_bytes_win_and_difference_is_counted);
    tcase_add_test(tc, test_ipv6_fragment_header_after_hop_by_hop);
    tcase_add_test(tc, test_tiny_fragments_split_the_tcp_header);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_missing_piece_times_out_by_capture_time);
    tcase_add_test(tc, test_memcap_drops_fragments_and_is_never_exceeded);
    tcase_add_test(tc, test_max_trackers_drops_new_datagrams);
    tcase_add_test(tc, test_inconsistent_fragments_are_dropped);
    tcase_add_test(tc, test_end_before_held_data_is_inconsistent);
    tcase_add_test(tc, test_datagram_past_65535_is_too_large);
    tcase_add_test(tc, test_too_many_fragments_drop_the_datagram);
    tcase_add_test(tc, test_fragment_cut_by_capture_is_incomplete);
    tcase_add_test(tc, test_export_names_every_counter);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(defrag_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
