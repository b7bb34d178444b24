/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_tcp_analysis: the Wireshark 4.0 tcp.analysis.* definitions of
 * doc/references.md section 2, one behaviour per test, plus unique
 * and retransmitted payload bytes, per-ACK RTT with Karn's rule, sequence
 * wrap and the client/server mapping of the summary. Segments come from
 * pb_meta(); the client sends in key direction AB (CL), the server in BA (SV).
 * Times are given in milliseconds from an arbitrary origin.
 */
#include <config.h>

#include "tcp/tcp_analysis.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"
#include "tcp/tcp_analysis_private.h"
#include "tcp_gen.h"


#define CL FLOW_DIR_AB
#define SV FLOW_DIR_BA

#define CISN 1000u
#define SISN 5000u
#define MS   1000000u

static struct tcp_an an;
static struct tcp_an_cold anc;
static struct flow fl;
static uint64_t pkt_no;

static void
setup(void)
{
    tcp_an_init(&an, &anc);
    memset(&fl, 0, sizeof(fl));
    fl.client_dir = CL;
    pkt_no = 0;
}

static void
seg_ws(int dir, uint16_t flags, uint32_t seq, uint32_t ack, uint16_t win, uint32_t len,
       uint64_t t_ms, int wscale)
{
    struct pb_seg s;
    struct pkt_meta m;

    memset(&s, 0, sizeof(s));
    s.from_client = dir == CL;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.win = win;
    s.len = len;
    s.ts_ns = 1000000000000u + t_ms * MS;
    s.wscale = wscale;
    pb_meta(&m, &s);
    tcp_an_step(&an, &anc, &fl, dir, &m, ++pkt_no);
}

static void
seg(int dir, uint16_t flags, uint32_t seq, uint32_t ack, uint16_t win, uint32_t len, uint64_t t_ms)
{
    seg_ws(dir, flags, seq, ack, win, len, t_ms, -1);
}

/* SYN at 0 ms, SYN-ACK at 10 ms, ACK at 20 ms: iRTT = 20 ms. */
static void
handshake(uint16_t cwin, uint16_t swin, int cws, int sws)
{
    seg_ws(CL, TCP_SYN, CISN, 0, cwin, 0, 0, cws);
    seg_ws(SV, TCP_SYN | TCP_ACK, SISN, CISN + 1, swin, 0, 10, sws);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, cwin, 0, 20);
}

static const struct tcp_an_dir *
dir_of(int d)
{
    return &an.d[d];
}

static const struct tcp_an_dir_cold *
cold_of(int d)
{
    return &anc.d[d];
}

START_TEST(test_clean_transfer_has_no_flags)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 150);
    seg(SV, TCP_ACK | TCP_PSH, SISN + 1, CISN + 101, 65535, 200, 160);
    seg(CL, TCP_ACK, CISN + 101, SISN + 201, 65535, 0, 200);
    for (int d = 0; d < 2; d++) {
        const struct tcp_an_dir_cold *x = cold_of(d);
        ck_assert_uint_eq(x->retransmits + x->out_of_order + x->lost_segments + x->dup_acks +
                              x->zero_windows + x->window_full + x->keepalives,
                          0);
    }
    ck_assert_uint_eq(dir_of(CL)->packets, 4);
    ck_assert_uint_eq(dir_of(CL)->unique_bytes, 100);
    ck_assert_uint_eq(dir_of(SV)->unique_bytes, 200);
}
END_TEST

START_TEST(test_resend_long_after_is_retransmission)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 100, 101);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 500); /* 399 ms > iRTT */
    ck_assert_uint_eq(cold_of(CL)->retransmits, 1);
    ck_assert_uint_eq(cold_of(CL)->fast_retransmits, 0);
    ck_assert_uint_eq(cold_of(CL)->spurious_retransmits, 0);
    ck_assert_uint_eq(cold_of(CL)->out_of_order, 0);
    ck_assert_uint_eq(cold_of(CL)->retrans_bytes, 100);
}
END_TEST

/* Client sends three segments; the server acks the first and repeats that ACK twice. */
static void
two_dupacks(void)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 100, 101);
    seg(CL, TCP_ACK, CISN + 201, SISN + 1, 65535, 100, 102);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 110);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 111);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 112);
}

START_TEST(test_resend_after_two_dupacks_within_20ms_is_fast_retransmission)
{
    two_dupacks();
    ck_assert_uint_eq(cold_of(SV)->dup_acks, 2);
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 100, 125); /* 13 ms after the last dup */
    ck_assert_uint_eq(cold_of(CL)->fast_retransmits, 1);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 1); /* tshark: fast also sets retransmission */
    ck_assert_uint_eq(cold_of(CL)->out_of_order, 0);
}
END_TEST

START_TEST(test_resend_20ms_after_dupacks_is_plain_retransmission)
{
    two_dupacks();
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 100, 132); /* exactly 20 ms: not < 20 */
    ck_assert_uint_eq(cold_of(CL)->fast_retransmits, 0);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 1);
}
END_TEST

START_TEST(test_fast_retransmission_needs_seq_equal_to_dupack)
{
    two_dupacks();
    seg(CL, TCP_ACK, CISN + 201, SISN + 1, 65535, 100, 115);
    ck_assert_uint_eq(cold_of(CL)->fast_retransmits, 0);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 1);
}
END_TEST

START_TEST(test_fast_retransmission_beats_out_of_order)
{
    /* Within iRTT of nextseq time AND after two dupacks: fast wins (tshark default). */
    two_dupacks();
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 100, 113);
    ck_assert_uint_eq(cold_of(CL)->fast_retransmits, 1);
    ck_assert_uint_eq(cold_of(CL)->out_of_order, 0);
}
END_TEST

START_TEST(test_resend_of_acked_data_is_spurious)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 110);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 300);
    ck_assert_uint_eq(cold_of(CL)->spurious_retransmits, 1);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 1); /* tshark: spurious also sets retransmission */
    ck_assert_uint_eq(cold_of(CL)->fast_retransmits, 0);
}
END_TEST

START_TEST(test_gap_is_lost_segment_and_filler_within_3ms_is_out_of_order)
{
    /* Midstream: no iRTT, so the out-of-order threshold is 3 ms. */
    seg(CL, TCP_ACK, CISN, SISN, 65535, 100, 0);
    seg(CL, TCP_ACK, CISN + 200, SISN, 65535, 100, 1);
    ck_assert_uint_eq(cold_of(CL)->lost_segments, 1);
    seg(CL, TCP_ACK, CISN + 100, SISN, 65535, 100, 3); /* 2 ms after nextseq moved */
    ck_assert_uint_eq(cold_of(CL)->out_of_order, 1);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 0);
    ck_assert_uint_eq(cold_of(CL)->lost_segments, 1);
}
END_TEST

START_TEST(test_filler_after_3ms_without_irtt_is_retransmission)
{
    seg(CL, TCP_ACK, CISN, SISN, 65535, 100, 0);
    seg(CL, TCP_ACK, CISN + 200, SISN, 65535, 100, 1);
    seg(CL, TCP_ACK, CISN + 100, SISN, 65535, 100, 4); /* 3 ms: not < 3 ms */
    ck_assert_uint_eq(cold_of(CL)->out_of_order, 0);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 1);
}
END_TEST

START_TEST(test_out_of_order_threshold_is_irtt_when_known)
{
    handshake(65535, 65535, -1, -1); /* iRTT 20 ms */
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 100, 100);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 115); /* 15 ms < 20 ms */
    ck_assert_uint_eq(cold_of(CL)->lost_segments, 1);
    ck_assert_uint_eq(cold_of(CL)->out_of_order, 1);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 0);
}
END_TEST

START_TEST(test_dupacks_count_and_reset_on_new_ack)
{
    two_dupacks();
    ck_assert_int_eq(dir_of(SV)->dupacknum, 2);
    seg(SV, TCP_ACK, SISN + 1, CISN + 301, 65535, 0, 113); /* new ack */
    ck_assert_int_eq(dir_of(SV)->dupacknum, 0);
    seg(SV, TCP_ACK, SISN + 1, CISN + 301, 65535, 0, 114);
    ck_assert_int_eq(dir_of(SV)->dupacknum, 1);
    ck_assert_uint_eq(cold_of(SV)->dup_acks, 3);
}
END_TEST

START_TEST(test_ack_with_data_or_fin_is_not_dupack)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 110);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 10, 111);
    seg(SV, TCP_ACK | TCP_FIN, SISN + 11, CISN + 101, 65535, 0, 112);
    ck_assert_uint_eq(cold_of(SV)->dup_acks, 0);
}
END_TEST

START_TEST(test_window_update_is_not_dupack)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 1000, 0, 110);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 2000, 0, 111); /* same seq/ack, new window */
    ck_assert_uint_eq(cold_of(SV)->dup_acks, 0);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 2000, 0, 112); /* now a repeat */
    ck_assert_uint_eq(cold_of(SV)->dup_acks, 1);
}
END_TEST

START_TEST(test_zero_window_counted_but_not_on_syn_fin_rst)
{
    handshake(65535, 65535, -1, -1);
    seg(SV, TCP_ACK, SISN + 1, CISN + 1, 0, 0, 100);
    seg(SV, TCP_ACK | TCP_RST, SISN + 1, CISN + 1, 0, 0, 101);
    ck_assert_uint_eq(cold_of(SV)->zero_windows, 1);
}
END_TEST

START_TEST(test_zero_window_probe_and_its_ack)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 0, 0, 110);     /* window closes */
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 1, 400); /* 1 byte at nextseq */
    ck_assert_uint_eq(cold_of(CL)->zero_window_probes, 1);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 0);
    ck_assert_uint_eq(dir_of(CL)->nextseq, CISN + 101); /* a probe does not advance */
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 0, 0, 410);  /* probe ACK: still closed */
    ck_assert_uint_eq(cold_of(SV)->dup_acks, 0);
    ck_assert_uint_eq(cold_of(SV)->zero_windows, 2); /* the probe ACK also has window 0 */
    /* The same byte again is another probe, not a retransmission. */
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 1, 1000);
    ck_assert_uint_eq(cold_of(CL)->zero_window_probes, 2);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 0);
}
END_TEST

START_TEST(test_segment_reaching_window_edge_is_window_full)
{
    handshake(65535, 1000, -1, -1); /* no scaling: -2 both ways */
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 600, 100);
    ck_assert_uint_eq(cold_of(CL)->window_full, 0);
    seg(CL, TCP_ACK, CISN + 601, SISN + 1, 65535, 400, 101); /* ends at ack + 1000 */
    ck_assert_uint_eq(cold_of(CL)->window_full, 1);
}
END_TEST

START_TEST(test_window_full_uses_scaled_window_after_handshake)
{
    handshake(65535, 65535, 7, 7);
    seg(SV, TCP_ACK, SISN + 1, CISN + 1, 10, 0, 30); /* 10 << 7 = 1280 */
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 1280, 100);
    ck_assert_uint_eq(cold_of(CL)->window_full, 1);

    struct session_summary sum;
    memset(&sum, 0, sizeof(sum));
    tcp_an_summarize(&an, &anc, &fl, &sum);
    ck_assert_uint_eq(sum.server.window, 1280);
    ck_assert_uint_eq(sum.client.window, 65535u << 7);
}
END_TEST

START_TEST(test_syn_window_is_never_scaled)
{
    handshake(65535, 1000, 7, 7);
    /* The server's stored window comes from its SYN-ACK: 1000, unscaled. */
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 1000, 100);
    ck_assert_uint_eq(cold_of(CL)->window_full, 1);
    struct session_summary sum;
    memset(&sum, 0, sizeof(sum));
    tcp_an_summarize(&an, &anc, &fl, &sum);
    ck_assert_uint_eq(sum.server.window, 1000);
}
END_TEST

START_TEST(test_scaling_off_when_one_syn_lacks_the_option)
{
    handshake(65535, 65535, 7, -1);
    ck_assert_int_eq(dir_of(CL)->win_scale, -2);
    ck_assert_int_eq(dir_of(SV)->win_scale, -2);
    seg(SV, TCP_ACK, SISN + 1, CISN + 1, 10, 0, 30);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 10, 100); /* edge at ack + 10 */
    ck_assert_uint_eq(cold_of(CL)->window_full, 1);
}
END_TEST

START_TEST(test_window_full_unknown_without_handshake)
{
    seg(SV, TCP_ACK, SISN, CISN, 10, 0, 0);
    seg(CL, TCP_ACK, CISN, SISN, 65535, 10, 1);
    ck_assert_uint_eq(cold_of(CL)->window_full, 0); /* win_scale -1: not judged */
}
END_TEST

START_TEST(test_keepalive_and_keepalive_ack)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 110);
    seg(CL, TCP_ACK, CISN + 100, SISN + 1, 65535, 0, 60000); /* seq = nextseq - 1 */
    ck_assert_uint_eq(cold_of(CL)->keepalives, 1);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 0);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 60010);
    ck_assert_uint_eq(cold_of(SV)->dup_acks, 0); /* keep-alive ACK, not a dup */
    /* One garbage byte keep-alive is not a retransmission either. */
    seg(CL, TCP_ACK, CISN + 100, SISN + 1, 65535, 1, 120000);
    ck_assert_uint_eq(cold_of(CL)->keepalives, 2);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 0);
    ck_assert_uint_eq(cold_of(CL)->retrans_bytes, 1);
}
END_TEST

START_TEST(test_unique_bytes_exact_under_loss_retransmit_reorder)
{
    seg(CL, TCP_ACK, CISN, SISN, 65535, 100, 0);       /* [1000,1100) */
    seg(CL, TCP_ACK, CISN + 200, SISN, 65535, 100, 1); /* [1200,1300), hole */
    seg(CL, TCP_ACK, CISN + 400, SISN, 65535, 100, 2); /* [1400,1500), hole */
    seg(CL, TCP_ACK, CISN, SISN, 65535, 100, 3);       /* all old */
    seg(CL, TCP_ACK, CISN + 300, SISN, 65535, 100, 4); /* fills 2nd hole */
    seg(CL, TCP_ACK, CISN + 150, SISN, 65535, 100, 5); /* half new [1150,1200) */
    seg(CL, TCP_ACK, CISN + 100, SISN, 65535, 50, 6);  /* fills [1100,1150) */
    seg(CL, TCP_ACK, CISN + 500, SISN, 65535, 10, 7);
    const struct tcp_an_dir *d = dir_of(CL);
    ck_assert_uint_eq(d->unique_bytes, 510);
    ck_assert_uint_eq(cold_of(CL)->retrans_bytes, 150);
    ck_assert_uint_eq(d->n_ranges, 1);
    struct session_summary sum;
    memset(&sum, 0, sizeof(sum));
    tcp_an_summarize(&an, &anc, &fl, &sum);
    ck_assert_uint_eq(sum.client.payload_bytes, 660);
    ck_assert_uint_eq(sum.client.unique_bytes, 510);
    ck_assert_uint_eq(sum.client.retransmitted_bytes, 150);
}
END_TEST

START_TEST(test_retransmitted_bytes_count_partial_overlap_only)
{
    seg(CL, TCP_ACK, CISN, SISN, 65535, 100, 0);
    seg(CL, TCP_ACK, CISN + 50, SISN, 65535, 100, 500); /* repacketised: 50 old, 50 new */
    ck_assert_uint_eq(cold_of(CL)->retrans_bytes, 50);
    ck_assert_uint_eq(dir_of(CL)->unique_bytes, 150);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 1);
}
END_TEST

START_TEST(test_range_overflow_merges_closest_holes)
{
    /* 6 islands with holes of 10 except one hole of 1: that one is merged. */
    uint32_t s = CISN;
    seg(CL, TCP_ACK, s, SISN, 65535, 10, 0);
    seg(CL, TCP_ACK, s + 20, SISN, 65535, 10, 1);
    seg(CL, TCP_ACK, s + 40, SISN, 65535, 10, 2);
    seg(CL, TCP_ACK, s + 51, SISN, 65535, 10, 3); /* hole [50,51) */
    seg(CL, TCP_ACK, s + 71, SISN, 65535, 10, 4);
    ck_assert_uint_eq(dir_of(CL)->n_ranges, TCP_AN_RANGES);
    ck_assert_uint_eq(dir_of(CL)->unique_bytes, 50);
    seg(CL, TCP_ACK, s + 50, SISN, 65535, 1, 5);     /* byte in the merged hole */
    ck_assert_uint_eq(dir_of(CL)->unique_bytes, 50); /* bounded approximation */
    ck_assert_uint_eq(cold_of(CL)->retrans_bytes, 1);
    /* Filling the remaining holes is exact. */
    seg(CL, TCP_ACK, s + 10, SISN, 65535, 10, 6);
    seg(CL, TCP_ACK, s + 30, SISN, 65535, 10, 7);
    seg(CL, TCP_ACK, s + 61, SISN, 65535, 10, 8);
    ck_assert_uint_eq(dir_of(CL)->unique_bytes, 80);
    ck_assert_uint_eq(dir_of(CL)->n_ranges, 1);
}
END_TEST

START_TEST(test_sequence_wrap_at_2_pow_32)
{
    const uint32_t isn = 0xFFFFFF00u;
    seg(CL, TCP_SYN, isn, 0, 65535, 0, 0);
    seg(SV, TCP_SYN | TCP_ACK, SISN, isn + 1, 65535, 0, 10);
    seg(CL, TCP_ACK, isn + 1, SISN + 1, 65535, 0, 20);
    seg(CL, TCP_ACK, isn + 1, SISN + 1, 65535, 0x100, 100); /* ends at 1 */
    seg(CL, TCP_ACK, 1, SISN + 1, 65535, 100, 101);         /* continues past 0 */
    ck_assert_uint_eq(cold_of(CL)->lost_segments, 0);
    ck_assert_uint_eq(cold_of(CL)->retransmits, 0);
    ck_assert_uint_eq(dir_of(CL)->nextseq, 101);
    seg(SV, TCP_ACK, SISN + 1, 101, 65535, 0, 150);
    seg(CL, TCP_ACK, isn + 0x81, SISN + 1, 65535, 0x80, 400); /* old, acked bytes */
    ck_assert_uint_eq(cold_of(CL)->spurious_retransmits, 1);
    ck_assert_uint_eq(dir_of(CL)->unique_bytes, 0x100 + 100);
    ck_assert_uint_eq(cold_of(CL)->retrans_bytes, 0x80);
    ck_assert_uint_eq(dir_of(CL)->rtt_samples, 1);
    ck_assert_uint_eq(dir_of(CL)->rtt_min_us, 49000);
}
END_TEST

START_TEST(test_unique_bytes_past_4gib_with_an_open_hole)
{
    /* A hole early on, then 5 GiB: old ranges are forgotten, counts stay exact. */
    uint32_t seq = CISN;
    seg(CL, TCP_ACK, seq, SISN, 65535, 100, 0);
    seq += 200; /* never filled */
    uint64_t t = 1;
    for (uint32_t i = 0; i < 81920; i++) {
        seg(CL, TCP_ACK, seq, SISN, 65535, 65536 - 1, t++);
        seq += 65535;
    }
    seg(CL, TCP_ACK, seq - 1000, SISN, 65535, 1000, t++); /* recent resend */
    const struct tcp_an_dir *d = dir_of(CL);
    ck_assert_uint_eq(d->unique_bytes, 100 + (uint64_t)81920 * 65535);
    ck_assert_uint_eq(cold_of(CL)->retrans_bytes, 1000);
    ck_assert_uint_le(d->n_ranges, TCP_AN_RANGES);
}
END_TEST

START_TEST(test_rtt_karn_skips_retransmitted_segment)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 150); /* sample 50 ms */
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 100, 200);
    seg(CL, TCP_ACK, CISN + 101, SISN + 1, 65535, 100, 500); /* retransmitted */
    seg(SV, TCP_ACK, SISN + 1, CISN + 201, 65535, 0, 520);   /* ambiguous: no sample */
    ck_assert_uint_eq(dir_of(CL)->rtt_samples, 1);
    /* Two new segments, one cumulative ACK: sample from the newest. */
    seg(CL, TCP_ACK, CISN + 201, SISN + 1, 65535, 100, 600);
    seg(CL, TCP_ACK, CISN + 301, SISN + 1, 65535, 100, 601);
    seg(SV, TCP_ACK, SISN + 1, CISN + 401, 65535, 0, 650);
    ck_assert_uint_eq(dir_of(CL)->rtt_samples, 2);
    struct session_summary sum;
    memset(&sum, 0, sizeof(sum));
    tcp_an_summarize(&an, &anc, &fl, &sum);
    ck_assert_uint_eq(sum.client.rtt.samples, 2);
    ck_assert_uint_eq(sum.client.rtt.min_ns, 49 * MS);
    ck_assert_uint_eq(sum.client.rtt.max_ns, 50 * MS);
    ck_assert_uint_eq(sum.client.rtt.sum_ns, 99 * MS);
    ck_assert_uint_eq(sum.server.rtt.samples, 0);
}
END_TEST

START_TEST(test_rtt_partial_ack_waits_for_whole_segment)
{
    handshake(65535, 65535, -1, -1);
    seg(CL, TCP_ACK, CISN + 1, SISN + 1, 65535, 100, 100);
    seg(SV, TCP_ACK, SISN + 1, CISN + 51, 65535, 0, 130);
    ck_assert_uint_eq(dir_of(CL)->rtt_samples, 0);
    seg(SV, TCP_ACK, SISN + 1, CISN + 101, 65535, 0, 140);
    ck_assert_uint_eq(dir_of(CL)->rtt_samples, 1);
    ck_assert_uint_eq(dir_of(CL)->rtt_max_us, 40000);
}
END_TEST

START_TEST(test_summary_maps_directions_by_client_dir)
{
    fl.client_dir = SV; /* the endpoint sending in BA is the client */
    seg(SV, TCP_ACK, SISN, CISN, 500, 30, 0);
    seg(CL, TCP_ACK, CISN, SISN + 30, 700, 0, 1);
    struct session_summary sum;
    memset(&sum, 0, sizeof(sum));
    tcp_an_summarize(&an, &anc, &fl, &sum);
    ck_assert_uint_eq(sum.client.packets, 1);
    ck_assert_uint_eq(sum.client.payload_bytes, 30);
    ck_assert_uint_eq(sum.client.window, 500);
    ck_assert_uint_eq(sum.server.packets, 1);
    ck_assert_uint_eq(sum.server.window, 700);
}
END_TEST

/*
 * The fast paths (the common segment, one range extended in place, RTT
 * entries in the hot part, the iRTT pending bit, the nested flag tests)
 * against the reference paths: random conversations through both, the whole
 * state compared after every segment and the summaries at the end. Most
 * conversations get extra in-order traffic; the share of segments that take
 * the common-segment path is counted with the same common_segment() test the
 * product uses (tcp_an_common_segment(); it reads only the state, which is
 * equal in both).
 */
START_TEST(test_fast_paths_match_reference)
{
    unsigned long common = 0, total = 0;

    for (uint64_t seed = 1; seed <= 200; seed++) {
        struct tcp_gen g;
        struct tcp_an a, b;
        struct tcp_an_cold ac, bc;
        struct session_summary sa, sb;
        struct pkt_meta m;
        int dir;

        tcp_gen_init(&g, seed);
        g.bulk = (unsigned)(seed % 4) * 30; /* 0, 30, 60, 90 % extra in-order segments */
        tcp_an_init(&a, &ac);
        tcp_an_init(&b, &bc);
        for (uint64_t i = 1; i <= 300; i++) {
            tcp_gen_next(&g, &m, &dir);
            /* The product's test for its common-segment path, on the equal state. */
            common += tcp_an_common_segment(&b, dir, &m);
            total++;
            tcp_an_step(&a, &ac, &fl, dir, &m, i);
            tcp_an_step_reference(&b, &bc, dir, &m);
            if (memcmp(&a, &b, sizeof(a)) != 0)
                ck_abort_msg("hot state differs, seed %llu pkt %llu",
                             (unsigned long long)seed, (unsigned long long)i);
            if (memcmp(&ac, &bc, sizeof(ac)) != 0)
                ck_abort_msg("cold state differs, seed %llu pkt %llu",
                             (unsigned long long)seed, (unsigned long long)i);
        }
        memset(&sa, 0, sizeof(sa));
        memset(&sb, 0, sizeof(sb));
        tcp_an_summarize(&a, &ac, &fl, &sa);
        tcp_an_summarize(&b, &bc, &fl, &sb);
        ck_assert(memcmp(&sa, &sb, sizeof(sa)) == 0);
    }
    /* The common-segment path must be exercised, and the general one too. */
    ck_assert_msg(common * 100 >= total * 50 && common * 100 <= total * 80,
                  "common segments %lu of %lu", common, total);
}
END_TEST

/*
 * A 5 GiB in-order transfer with its ACKs, all on the common-segment path:
 * the one range is trimmed to the last 1 GiB there as in the reference, and a
 * resend from beyond that window counts alike.
 */
START_TEST(test_common_segment_long_transfer_matches_reference)
{
    struct tcp_an a, b;
    struct tcp_an_cold ac, bc;
    struct pkt_meta m;
    uint32_t cseq = 0xFFF00000u, sseq = 77;
    uint64_t ts = 1000000000000u;
    unsigned long common = 0;

    tcp_an_init(&a, &ac);
    tcp_an_init(&b, &bc);
    for (uint32_t i = 0; i < 2 * 81920 + 1; i++) {
        int dir = i & 1 ? SV : CL;
        memset(&m, 0, sizeof(m));
        m.flags = TCP_ACK;
        m.window = 4000;
        m.ts_ns = ts += 100000;
        if (dir == CL) {
            m.seq = i == 2 * 81920 ? cseq - (1u << 30) - 70000 : cseq; /* the last: an old resend */
            m.ack = sseq;
            m.payload_len = 65535;
            cseq += 65535;
        } else {
            m.seq = sseq;
            m.ack = cseq;
        }
        if (i > 1)
            common += tcp_an_common_segment(&b, dir, &m);
        tcp_an_step(&a, &ac, &fl, dir, &m, i);
        tcp_an_step_reference(&b, &bc, dir, &m);
        if (memcmp(&a, &b, sizeof(a)) != 0 || memcmp(&ac, &bc, sizeof(ac)) != 0)
            ck_abort_msg("state differs at segment %u", i);
    }
    ck_assert_uint_eq(common, 2 * 81920 - 2); /* all but the first two and the resend */
    ck_assert_uint_eq(a.d[CL].unique_bytes, (uint64_t)81921 * 65535);
    ck_assert_uint_eq(ac.d[CL].retransmits, 1);
}
END_TEST

/* Lengths no packet carries (>= 2^30) stay on the general path, and agree. */
START_TEST(test_common_segment_huge_lengths_match_reference)
{
    static const uint32_t lens[] = {100, 0x3FFFFFFFu, 0x40000000u, 0x7FFFFFFFu, 0x80000000u,
                                    0xFFFFFFFFu, 1000};
    struct tcp_an a, b;
    struct tcp_an_cold ac, bc;
    struct pkt_meta m;
    uint32_t seq = 5;

    tcp_an_init(&a, &ac);
    tcp_an_init(&b, &bc);
    for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        memset(&m, 0, sizeof(m));
        m.flags = TCP_ACK;
        m.window = 4000;
        m.ts_ns = 1000000000000u + i * 1000000u;
        m.seq = seq;
        m.ack = 9;
        m.payload_len = lens[i];
        seq += lens[i];
        tcp_an_step(&a, &ac, &fl, CL, &m, i);
        tcp_an_step_reference(&b, &bc, CL, &m);
        if (memcmp(&a, &b, sizeof(a)) != 0 || memcmp(&ac, &bc, sizeof(ac)) != 0)
            ck_abort_msg("state differs at segment %u", i);
    }
}
END_TEST

START_TEST(test_state_is_compact)
{
    /* Fixed size inside every flow slot; see tcp_analysis.c for the budget. */
    ck_assert_uint_le(sizeof(struct tcp_an) + sizeof(struct tcp_an_cold), 400);
}
END_TEST

static Suite *
tcp_analysis_suite(void)
{
    Suite *s = suite_create("tcp_analysis");
    TCase *tc = tcase_create("flags");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_clean_transfer_has_no_flags);
    tcase_add_test(tc, test_resend_long_after_is_retransmission);
    tcase_add_test(tc, test_resend_after_two_dupacks_within_20ms_is_fast_retransmission);
    tcase_add_test(tc, test_resend_20ms_after_dupacks_is_plain_retransmission);
    tcase_add_test(tc, test_fast_retransmission_needs_seq_equal_to_dupack);
    tcase_add_test(tc, test_fast_retransmission_beats_out_of_order);
    tcase_add_test(tc, test_resend_of_acked_data_is_spurious);
    tcase_add_test(tc, test_gap_is_lost_segment_and_filler_within_3ms_is_out_of_order);
    tcase_add_test(tc, test_filler_after_3ms_without_irtt_is_retransmission);
    tcase_add_test(tc, test_out_of_order_threshold_is_irtt_when_known);
    tcase_add_test(tc, test_dupacks_count_and_reset_on_new_ack);
    tcase_add_test(tc, test_ack_with_data_or_fin_is_not_dupack);
    tcase_add_test(tc, test_window_update_is_not_dupack);
    tcase_add_test(tc, test_zero_window_counted_but_not_on_syn_fin_rst);
    tcase_add_test(tc, test_zero_window_probe_and_its_ack);
    tcase_add_test(tc, test_segment_reaching_window_edge_is_window_full);
    tcase_add_test(tc, test_window_full_uses_scaled_window_after_handshake);
    tcase_add_test(tc, test_syn_window_is_never_scaled);
    tcase_add_test(tc, test_scaling_off_when_one_syn_lacks_the_option);
    tcase_add_test(tc, test_window_full_unknown_without_handshake);
    tcase_add_test(tc, test_keepalive_and_keepalive_ack);
    suite_add_tcase(s, tc);

    tc = tcase_create("bytes");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_unique_bytes_exact_under_loss_retransmit_reorder);
    tcase_add_test(tc, test_retransmitted_bytes_count_partial_overlap_only);
    tcase_add_test(tc, test_range_overflow_merges_closest_holes);
    tcase_add_test(tc, test_sequence_wrap_at_2_pow_32);
    tcase_add_test(tc, test_unique_bytes_past_4gib_with_an_open_hole);
    suite_add_tcase(s, tc);

    tc = tcase_create("rtt_and_summary");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_rtt_karn_skips_retransmitted_segment);
    tcase_add_test(tc, test_rtt_partial_ack_waits_for_whole_segment);
    tcase_add_test(tc, test_summary_maps_directions_by_client_dir);
    tcase_add_test(tc, test_state_is_compact);
    tcase_add_test(tc, test_fast_paths_match_reference);
    tcase_add_test(tc, test_common_segment_long_transfer_matches_reference);
    tcase_add_test(tc, test_common_segment_huge_lengths_match_reference);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(tcp_analysis_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
