/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_tcp_zeek: the Zeek conn.log emulation against the examples of
 * doc/references.md section 1 (conn_state table, history letters
 * and their repeat rules, role flips, sizes, last_time). Segments come from
 * pb_meta(): client 10.0.0.1:40000 (key direction AB), server 10.0.0.2:80.
 * Port 80 is a likely server port, so a first packet from the server that
 * is not a bare SYN is flipped to the client, as Zeek does.
 */
#include <config.h>

#include "tcp/tcp_zeek.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"
#include "tcp/tcp_zeek_private.h"
#include "tcp_gen.h"


#define C 1 /* from the client */
#define S 0 /* from the server */

#define CISN 1000u
#define SISN 5000u

static struct tcp_zeek z;
static struct tcp_zeek_cold zc;
static uint64_t now_ns;
/* When non-zero, both ports are replaced by ones that are not likely server ports. */
static int plain_ports;

static void
setup(void)
{
    tcp_zeek_init(&z, &zc);
    now_ns = 1000000000u;
    plain_ports = 0;
}

static void
seg_full(int from_client, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len, uint16_t win,
         uint8_t csum)
{
    struct pb_seg s;
    struct pkt_meta m;

    memset(&s, 0, sizeof(s));
    s.from_client = from_client;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.win = win;
    s.len = len;
    s.ts_ns = now_ns;
    s.wscale = -1;
    pb_meta(&m, &s);
    m.csum = csum;
    if (plain_ports) {
        m.sport = from_client ? 40000 : 5555;
        m.dport = from_client ? 5555 : 40000;
    }
    now_ns += 1000000u;
    tcp_zeek_step(&z, &zc, from_client ? FLOW_DIR_AB : FLOW_DIR_BA, &m);
}

static void
seg(int from_client, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    seg_full(from_client, flags, seq, ack, len, 65535, CSUM_OK);
}

static struct session_summary sum;

static void
summarize(void)
{
    struct flow f;
    memset(&f, 0, sizeof(f));
    f.client_dir = FLOW_DIR_AB;
    memset(&sum, 0, sizeof(sum));
    tcp_zeek_summarize(&z, &zc, &f, &sum);
}

#define ck_zeek(state, hist)                                                                       \
    do {                                                                                           \
        summarize();                                                                               \
        ck_assert_str_eq(sum.conn_state, state);                                                   \
        ck_assert_str_eq(sum.history, hist);                                                       \
    } while (0)

/* SYN, SYN-ACK, ACK */
static void
handshake(void)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(S, TCP_SYN | TCP_ACK, SISN, CISN + 1, 0);
    seg(C, TCP_ACK, CISN + 1, SISN + 1, 0);
}

START_TEST(test_full_close_is_sf_shadadff)
{
    handshake();
    seg(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 10);
    seg(S, TCP_ACK, SISN + 1, CISN + 11, 0);
    seg(S, TCP_ACK | TCP_PSH, SISN + 1, CISN + 11, 20);
    seg(C, TCP_ACK, CISN + 11, SISN + 21, 0);
    seg(C, TCP_FIN | TCP_ACK, CISN + 11, SISN + 21, 0);
    seg(S, TCP_FIN | TCP_ACK, SISN + 21, CISN + 12, 0);
    seg(C, TCP_ACK, CISN + 12, SISN + 22, 0);
    ck_zeek("SF", "ShADadFf");
    ck_assert(sum.zeek_orig_is_client);
    ck_assert_uint_eq(sum.zeek_orig_bytes, 10);
    ck_assert_uint_eq(sum.zeek_resp_bytes, 20);
    ck_assert_uint_eq(sum.zeek_missed_bytes, 0);
}
END_TEST

START_TEST(test_unanswered_syn_is_s0)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(C, TCP_SYN, CISN, 0, 0); /* retransmission: same seq, no second S */
    ck_zeek("S0", "S");
    ck_assert_uint_eq(sum.zeek_orig_bytes, 0);
}
END_TEST

START_TEST(test_syn_with_new_isn_after_close_repeats_s)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(C, TCP_FIN, CISN + 1, 0, 0);
    seg(C, TCP_SYN, CISN + 77, 0, 0); /* CLOSED: no re-init, relative seq differs */
    summarize();
    ck_assert_str_eq(sum.history, "SFS");
}
END_TEST

START_TEST(test_syn_answered_by_rst_is_rej_sr)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(S, TCP_RST | TCP_ACK, 0, CISN + 1, 0);
    ck_zeek("REJ", "Sr");
    ck_assert_uint_eq(sum.zeek_orig_bytes, 0);
    ck_assert_uint_eq(sum.zeek_resp_bytes, 0);
}
END_TEST

START_TEST(test_originator_reset_after_handshake_is_rsto)
{
    handshake();
    seg(C, TCP_RST | TCP_ACK, CISN + 1, SISN + 1, 0);
    ck_zeek("RSTO", "ShAR");
}
END_TEST

START_TEST(test_responder_reset_after_handshake_is_rstr)
{
    handshake();
    seg(S, TCP_RST | TCP_ACK, SISN + 1, CISN + 1, 0);
    ck_zeek("RSTR", "ShAr");
}
END_TEST

START_TEST(test_syn_then_rst_is_rstos0)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(C, TCP_RST, CISN + 1, 0, 0);
    ck_zeek("RSTOS0", "SR");
}
END_TEST

START_TEST(test_lone_rst_is_oth)
{
    seg(C, TCP_RST, CISN, 0, 0);
    ck_zeek("OTH", "R");
}
END_TEST

START_TEST(test_syn_ack_rst_is_rstos0)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(S, TCP_ACK, SISN, CISN + 1, 0); /* pure ACK before any SYN-ACK: ignored */
    seg(C, TCP_RST, CISN + 1, 0, 0);
    ck_zeek("RSTOS0", "SaR");
}
END_TEST

START_TEST(test_syn_ack_fin_rst_is_oth)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(S, TCP_ACK, SISN, CISN + 1, 0);
    seg(C, TCP_FIN, CISN + 1, 0, 0);
    seg(C, TCP_RST, CISN + 2, 0, 0);
    ck_zeek("OTH", "SaFR");
}
END_TEST

START_TEST(test_half_open_abort_has_zero_size)
{
    /* the responder's ACK moved the originator's ack far past its start */
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(S, TCP_ACK, SISN, CISN + 5000, 0);
    seg(C, TCP_RST, CISN + 1, 0, 0);
    ck_zeek("RSTOS0", "SaR");
    ck_assert_uint_eq(sum.zeek_orig_bytes, 0);
}
END_TEST

START_TEST(test_originator_fin_without_answer_is_sh)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(C, TCP_FIN | TCP_ACK, CISN + 1, 1, 0);
    ck_zeek("SH", "SF");
}
END_TEST

START_TEST(test_midstream_server_fin_is_flipped_shr)
{
    /* first packet from port 80 that is not a SYN: the client becomes orig */
    seg(S, TCP_FIN | TCP_ACK, SISN, CISN, 0);
    seg(C, TCP_ACK, CISN, SISN + 1, 0);
    ck_zeek("SHR", "^fA");
    ck_assert(sum.zeek_orig_is_client);
}
END_TEST

START_TEST(test_established_without_close_is_s1)
{
    handshake();
    seg(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 5);
    seg(S, TCP_ACK, SISN + 1, CISN + 6, 0);
    ck_zeek("S1", "ShADa");
    ck_assert_uint_eq(sum.zeek_orig_bytes, 5);
}
END_TEST

START_TEST(test_only_originator_closed_is_s2)
{
    handshake();
    seg(C, TCP_FIN | TCP_ACK, CISN + 1, SISN + 1, 0);
    seg(S, TCP_ACK, SISN + 1, CISN + 2, 0);
    ck_zeek("S2", "ShAFa");
}
END_TEST

START_TEST(test_only_responder_closed_is_s3)
{
    handshake();
    seg(S, TCP_FIN | TCP_ACK, SISN + 1, CISN + 1, 0);
    seg(C, TCP_ACK, CISN + 1, SISN + 2, 0);
    ck_zeek("S3", "ShAf");
}
END_TEST

START_TEST(test_midstream_data_is_oth)
{
    seg(C, TCP_ACK | TCP_PSH, CISN, SISN, 10);
    seg(S, TCP_ACK | TCP_PSH, SISN, CISN + 10, 10);
    ck_zeek("OTH", "Dd");
    ck_assert_uint_eq(sum.zeek_orig_bytes, 10);
    ck_assert_uint_eq(sum.zeek_resp_bytes, 10);
}
END_TEST

START_TEST(test_midstream_clean_close_is_sf)
{
    seg(C, TCP_ACK | TCP_PSH, CISN, SISN, 10);
    seg(S, TCP_ACK, SISN, CISN + 10, 0);
    seg(C, TCP_FIN | TCP_ACK, CISN + 10, SISN, 0);
    seg(S, TCP_FIN | TCP_ACK, SISN, CISN + 11, 0);
    seg(C, TCP_ACK, CISN + 11, SISN + 1, 0);
    ck_zeek("SF", "DaFfA");
}
END_TEST

START_TEST(test_synack_then_ack_flips_to_caret_h)
{
    /* no likely server port: the SYN-ACK sender starts as orig ("H") */
    plain_ports = 1;
    seg(S, TCP_SYN | TCP_ACK, SISN, CISN + 1, 0);
    summarize();
    ck_assert_str_eq(sum.history, "H");
    ck_assert(!sum.zeek_orig_is_client);
    seg(C, TCP_ACK, CISN + 1, SISN + 1, 0);
    seg(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 4);
    seg(S, TCP_ACK | TCP_PSH, SISN + 1, CISN + 5, 7);
    seg(C, TCP_FIN | TCP_ACK, CISN + 5, SISN + 8, 0);
    seg(S, TCP_ACK, SISN + 8, CISN + 6, 0);
    seg(S, TCP_FIN | TCP_ACK, SISN + 8, CISN + 6, 0);
    ck_zeek("SF", "^hADdFaf");
    ck_assert(sum.zeek_orig_is_client);
    ck_assert_uint_eq(sum.zeek_orig_bytes, 4);
    ck_assert_uint_eq(sum.zeek_resp_bytes, 7);
}
END_TEST

START_TEST(test_synack_then_own_ack_flips_to_caret_ha)
{
    /* one-sided capture: every packet from the SYN-ACK sender */
    plain_ports = 1;
    seg(S, TCP_SYN | TCP_ACK, SISN, CISN + 1, 0);
    seg(S, TCP_ACK, SISN + 1, CISN + 1, 0);
    seg(S, TCP_FIN | TCP_ACK, SISN + 1, CISN + 1, 0);
    summarize();
    ck_assert_str_eq(sum.history, "^haf");
    ck_assert(sum.zeek_orig_is_client);
}
END_TEST

START_TEST(test_synack_from_likely_port_flips_at_first_packet)
{
    seg(S, TCP_SYN | TCP_ACK, SISN, CISN + 1, 0);
    seg(C, TCP_ACK, CISN + 1, SISN + 1, 0);
    summarize();
    ck_assert_str_eq(sum.history, "^hA");
    ck_assert(sum.zeek_orig_is_client);
}
END_TEST

START_TEST(test_retransmission_letter_is_log_scaled)
{
    handshake();
    seg(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 10);
    seg(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 10); /* 1st retransmission */
    summarize();
    ck_assert_str_eq(sum.history, "ShADT");
    for (int i = 2; i <= 9; i++)
        seg(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 10);
    summarize();
    ck_assert_str_eq(sum.history, "ShADT");
    seg(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 10); /* 10th */
    summarize();
    ck_assert_str_eq(sum.history, "ShADTT");
    ck_assert_uint_eq(sum.zeek_orig_bytes, 10);
}
END_TEST

/* Content gaps (Zeek's reassembler): acked, never seen, both established. */
START_TEST(test_acked_unseen_bytes_are_a_gap)
{
    handshake();
    seg(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 10);
    seg(S, TCP_ACK, SISN + 1, CISN + 31, 0); /* acks 20 bytes never seen */
    summarize();
    ck_assert_str_eq(sum.history, "ShADaG");
    ck_assert_uint_eq(sum.zeek_missed_bytes, 20);
    ck_assert_uint_eq(sum.client.missed_bytes, 20);
    ck_assert_uint_eq(sum.server.missed_bytes, 0);
    /* the stream goes on from the ack: no second gap */
    seg(C, TCP_ACK | TCP_PSH, CISN + 31, SISN + 1, 5);
    seg(S, TCP_ACK, SISN + 1, CISN + 36, 0);
    summarize();
    ck_assert_uint_eq(sum.zeek_missed_bytes, 20);
    ck_assert_str_eq(sum.history, "ShADaG");
}
END_TEST

START_TEST(test_filled_hole_is_no_gap_unfilled_hole_is)
{
    handshake();
    seg(C, TCP_ACK | TCP_PSH, CISN + 11, SISN + 1, 10); /* out of order: 1..10 missing */
    seg(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 10);  /* hole filled */
    seg(S, TCP_ACK, SISN + 1, CISN + 21, 0);
    summarize();
    ck_assert_uint_eq(sum.zeek_missed_bytes, 0);
    /* a hole of 7 under data that is seen, then acked: only the hole is missed */
    seg(C, TCP_ACK | TCP_PSH, CISN + 28, SISN + 1, 3);
    seg(S, TCP_ACK, SISN + 1, CISN + 31, 0);
    summarize();
    ck_assert_uint_eq(sum.zeek_missed_bytes, 7);
    ck_assert_str_eq(sum.history, "ShADTaG"); /* the fill is below last_seq: 'T' */
}
END_TEST

START_TEST(test_gap_letter_is_log_scaled_and_per_role)
{
    handshake();
    for (uint32_t i = 0; i < 10; i++) /* ten gaps of 2 bytes in the server's stream */
        seg(C, TCP_ACK, CISN + 1, SISN + 1 + 2 * (i + 1), 0);
    summarize();
    ck_assert_str_eq(sum.history, "ShAgg");
    ck_assert_uint_eq(sum.server.missed_bytes, 20);
    ck_assert_uint_eq(sum.client.missed_bytes, 0);
}
END_TEST

START_TEST(test_no_gap_unless_both_established)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg(S, TCP_SYN | TCP_ACK, SISN, CISN + 1, 0);
    seg(C, TCP_RST | TCP_ACK, CISN + 1, SISN + 50, 0); /* RESET before the ack is handled */
    summarize();
    ck_assert_uint_eq(sum.zeek_missed_bytes, 0);
}
END_TEST

START_TEST(test_fin_octet_is_not_a_gap)
{
    handshake();
    seg(S, TCP_FIN | TCP_ACK, SISN + 1, CISN + 1, 0);
    seg(C, TCP_ACK, CISN + 1, SISN + 2, 0);
    seg(C, TCP_FIN | TCP_ACK, CISN + 1, SISN + 2, 0);
    seg(S, TCP_ACK, SISN + 2, CISN + 2, 0);
    ck_zeek("SF", "ShAfFa");
    ck_assert_uint_eq(sum.zeek_missed_bytes, 0);
    /* FIN seen beyond missing data: the data before it is missed, not the FIN */
    setup();
    handshake();
    seg(S, TCP_FIN | TCP_ACK, SISN + 101, CISN + 1, 0);
    seg(C, TCP_ACK, CISN + 1, SISN + 102, 0);
    summarize();
    ck_assert_uint_eq(sum.server.missed_bytes, 100);
}
END_TEST

START_TEST(test_zero_window_letters)
{
    seg(C, TCP_SYN, CISN, 0, 0);
    seg_full(S, TCP_SYN | TCP_ACK, SISN, CISN + 1, 0, 0, CSUM_OK);
    seg(C, TCP_ACK, CISN + 1, SISN + 1, 0);
    seg_full(C, TCP_ACK, CISN + 1, SISN + 1, 0, 0, CSUM_OK);
    seg_full(S, TCP_RST, SISN + 1, 0, 0, 0, CSUM_OK); /* a RST's zero window is boring */
    ck_zeek("RSTR", "ShwAWr");
}
END_TEST

START_TEST(test_syn_with_zero_window_logs_sw)
{
    seg_full(C, TCP_SYN, CISN, 0, 0, 0, CSUM_OK);
    ck_zeek("S0", "SW");
}
END_TEST

START_TEST(test_bad_checksum_is_processed_as_zeek_dash_c)
{
    /* zeek -C: the segment counts, no 'C' letter (the tracker keeps it too) */
    handshake();
    seg_full(C, TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 100, 65535, CSUM_BAD);
    ck_zeek("S1", "ShAD");
    ck_assert_uint_eq(sum.zeek_orig_bytes, 100);
    seg_full(S, TCP_ACK, SISN + 1, CISN + 101, 0, 65535, CSUM_BAD);
    summarize();
    ck_assert_str_eq(sum.history, "ShADa");
}
END_TEST

START_TEST(test_syn_fin_is_q_and_fin_rst_is_i)
{
    seg(C, TCP_SYN | TCP_FIN, CISN, 0, 0);
    seg(C, TCP_SYN | TCP_FIN, CISN, 0, 0); /* Q once per direction */
    seg(S, TCP_FIN | TCP_RST | TCP_ACK, SISN, CISN + 2, 0);
    summarize();
    ck_assert_str_eq(sum.history, "Qi");
}
END_TEST

START_TEST(test_fin_retransmission_same_seq_not_repeated)
{
    handshake();
    seg(C, TCP_FIN | TCP_ACK, CISN + 1, SISN + 1, 0);
    seg(C, TCP_FIN | TCP_ACK, CISN + 1, SISN + 1, 0);
    summarize();
    ck_assert_str_eq(sum.history, "ShAF");
    seg(C, TCP_FIN | TCP_ACK | TCP_PSH, CISN + 1, SISN + 1, 3); /* FIN moved by 3 */
    summarize();
    ck_assert_str_eq(sum.history, "ShAFF");
}
END_TEST

START_TEST(test_last_time_stops_at_second_close)
{
    handshake();
    seg(C, TCP_FIN | TCP_ACK, CISN + 1, SISN + 1, 0);
    seg(S, TCP_FIN | TCP_ACK, SISN + 1, CISN + 2, 0);
    uint64_t second_close = now_ns - 1000000u;
    seg(C, TCP_ACK, CISN + 2, SISN + 2, 0);
    seg(C, TCP_ACK, CISN + 2, SISN + 2, 0);
    summarize();
    ck_assert_str_eq(sum.conn_state, "SF");
    ck_assert_uint_eq(sum.zeek_last_ts_ns, second_close);
}
END_TEST

START_TEST(test_sizes_exclude_retransmissions_and_handle_seq_wrap)
{
    uint32_t isn = 0xfffffff0u;
    seg(C, TCP_SYN, isn, 0, 0);
    seg(S, TCP_SYN | TCP_ACK, SISN, isn + 1, 0);
    seg(C, TCP_ACK | TCP_PSH, isn + 1, SISN + 1, 100); /* crosses 2^32 */
    seg(C, TCP_ACK | TCP_PSH, isn + 1, SISN + 1, 100);
    seg(S, TCP_ACK, SISN + 1, isn + 101, 0);
    summarize();
    ck_assert_uint_eq(sum.zeek_orig_bytes, 100);
}
END_TEST

START_TEST(test_likely_server_ports)
{
    ck_assert(tcp_zeek_likely_server_port(80));
    ck_assert(tcp_zeek_likely_server_port(443));
    ck_assert(tcp_zeek_likely_server_port(22));
    ck_assert(!tcp_zeek_likely_server_port(40000));
    ck_assert(!tcp_zeek_likely_server_port(0));
}
END_TEST

/* The letter table against the alphabet it inverts (Zeek's letters and '^'; '?' is none). */
START_TEST(test_hist_code_inverts_alphabet)
{
    static const char alphabet[] = "?^SHFRADIQCTWGXshfradiqctwgx";

    for (int c = -128; c < 128; c++) {
        const char *p = c == 0 ? NULL : strchr(alphabet + 1, c);
        unsigned want = p == NULL ? 0u : (unsigned)(p - alphabet);
        ck_assert_uint_eq(tcp_zeek_hist_code((char)c), want);
    }
}
END_TEST

/*
 * The fast paths against the reference paths: random conversations through
 * both, the whole state compared after every segment, the summaries (which
 * read the history and the conn_state) at the end.
 */
START_TEST(test_fast_paths_match_reference)
{
    struct flow f;

    memset(&f, 0, sizeof(f));
    for (uint64_t seed = 1; seed <= 200; seed++) {
        struct tcp_gen g;
        struct tcp_zeek a, b;
        struct tcp_zeek_cold ac, bc;
        struct session_summary sa, sb;
        struct pkt_meta m;
        int dir;

        tcp_gen_init(&g, seed);
        tcp_zeek_init(&a, &ac);
        tcp_zeek_init(&b, &bc);
        for (uint64_t i = 1; i <= 300; i++) {
            tcp_gen_next(&g, &m, &dir);
            tcp_zeek_step(&a, &ac, dir, &m);
            tcp_zeek_step_reference(&b, &bc, dir, &m);
            if (memcmp(&a, &b, sizeof(a)) != 0)
                ck_abort_msg("hot state differs, seed %llu pkt %llu",
                             (unsigned long long)seed, (unsigned long long)i);
            if (memcmp(&ac, &bc, sizeof(ac)) != 0)
                ck_abort_msg("cold state differs, seed %llu pkt %llu",
                             (unsigned long long)seed, (unsigned long long)i);
        }
        memset(&sa, 0, sizeof(sa));
        memset(&sb, 0, sizeof(sb));
        tcp_zeek_summarize(&a, &ac, &f, &sa);
        tcp_zeek_summarize(&b, &bc, &f, &sb);
        ck_assert(memcmp(&sa, &sb, sizeof(sa)) == 0);
    }
}
END_TEST

START_TEST(test_state_fits_budget)
{
    /* 128 before the content-gap model (R, one held block, gap counters, missed bytes) */
    ck_assert_uint_le(sizeof(struct tcp_zeek) + sizeof(struct tcp_zeek_cold), 168);
}
END_TEST

START_TEST(test_history_is_capped_not_overrun)
{
    handshake();
    /* each RST with a new seq adds an R; stop well past the cap */
    for (uint32_t i = 0; i < 100; i++)
        seg(C, TCP_RST, CISN + 1 + i, 0, 0);
    summarize();
    ck_assert_uint_eq(strlen(sum.history), TCP_ZEEK_HIST_MAX);
}
END_TEST

static Suite *
tcp_zeek_suite(void)
{
    Suite *s = suite_create("tcp_zeek");
    TCase *tc = tcase_create("conn_state");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_full_close_is_sf_shadadff);
    tcase_add_test(tc, test_unanswered_syn_is_s0);
    tcase_add_test(tc, test_syn_answered_by_rst_is_rej_sr);
    tcase_add_test(tc, test_originator_reset_after_handshake_is_rsto);
    tcase_add_test(tc, test_responder_reset_after_handshake_is_rstr);
    tcase_add_test(tc, test_syn_then_rst_is_rstos0);
    tcase_add_test(tc, test_lone_rst_is_oth);
    tcase_add_test(tc, test_syn_ack_rst_is_rstos0);
    tcase_add_test(tc, test_syn_ack_fin_rst_is_oth);
    tcase_add_test(tc, test_half_open_abort_has_zero_size);
    tcase_add_test(tc, test_originator_fin_without_answer_is_sh);
    tcase_add_test(tc, test_midstream_server_fin_is_flipped_shr);
    tcase_add_test(tc, test_established_without_close_is_s1);
    tcase_add_test(tc, test_only_originator_closed_is_s2);
    tcase_add_test(tc, test_only_responder_closed_is_s3);
    tcase_add_test(tc, test_midstream_data_is_oth);
    tcase_add_test(tc, test_midstream_clean_close_is_sf);
    suite_add_tcase(s, tc);

    tc = tcase_create("history");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_syn_with_new_isn_after_close_repeats_s);
    tcase_add_test(tc, test_synack_then_ack_flips_to_caret_h);
    tcase_add_test(tc, test_synack_then_own_ack_flips_to_caret_ha);
    tcase_add_test(tc, test_synack_from_likely_port_flips_at_first_packet);
    tcase_add_test(tc, test_retransmission_letter_is_log_scaled);
    tcase_add_test(tc, test_zero_window_letters);
    tcase_add_test(tc, test_syn_with_zero_window_logs_sw);
    tcase_add_test(tc, test_bad_checksum_is_processed_as_zeek_dash_c);
    tcase_add_test(tc, test_syn_fin_is_q_and_fin_rst_is_i);
    tcase_add_test(tc, test_fin_retransmission_same_seq_not_repeated);
    tcase_add_test(tc, test_history_is_capped_not_overrun);
    suite_add_tcase(s, tc);

    tc = tcase_create("sizes_and_time");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_last_time_stops_at_second_close);
    tcase_add_test(tc, test_sizes_exclude_retransmissions_and_handle_seq_wrap);
    tcase_add_test(tc, test_likely_server_ports);
    tcase_add_test(tc, test_acked_unseen_bytes_are_a_gap);
    tcase_add_test(tc, test_filled_hole_is_no_gap_unfilled_hole_is);
    tcase_add_test(tc, test_gap_letter_is_log_scaled_and_per_role);
    tcase_add_test(tc, test_no_gap_unless_both_established);
    tcase_add_test(tc, test_fin_octet_is_not_a_gap);
    tcase_add_test(tc, test_state_fits_budget);
    tcase_add_test(tc, test_hist_code_inverts_alphabet);
    tcase_add_test(tc, test_fast_paths_match_reference);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(tcp_zeek_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
