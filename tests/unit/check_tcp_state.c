/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_tcp_state: the RFC 9293 observer state machine fed with pkt_meta
 * sequences (no bytes, no flow table). The client is 10.0.0.1:40000 on key
 * side a (sends FLOW_DIR_AB), the server port 80 on side b, unless a test
 * changes the key ports to exercise role guessing.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_session.h"
#include "tcp/tcp_state.h"
#include "tcp/tcp_state_private.h"
#include "tcp/tcp_summary.h"
#include "tcp_gen.h"


#define CI  1000u /* client ISN */
#define SI  5000u /* server ISN */
#define C   1     /* from the client */
#define S   0     /* from the server */
#define SEC 1000000000ull
#define MS  1000000ull
#define T0  (1700000000ull * SEC)

#define F_SA (TCP_SYN | TCP_ACK)
#define F_FA (TCP_FIN | TCP_ACK)
#define F_RA (TCP_RST | TCP_ACK)

static struct tcp_state st;
static struct tcp_state_cold stc;
static struct flow fl;
static struct tcp_cfg cfg;
static uint64_t now_ns, pkt_no;
static int g_sack;
static uint32_t g_anom;

static void
setup(void)
{
    tcp_state_init(&st, &stc);
    memset(&fl, 0, sizeof(fl));
    fl.key.pa = 40000;
    fl.key.pb = 80;
    tcp_cfg_default(&cfg);
    now_ns = T0;
    pkt_no = 0;
    g_sack = 0;
    g_anom = 0;
}

static void
teardown(void)
{
}

/* One segment in key direction dir, 1 ms after the previous one. */
static enum tcp_step_result
seg_dir(int dir, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len, uint16_t win, int wscale)
{
    struct pkt_meta m;

    memset(&m, 0, sizeof(m));
    now_ns += MS;
    pkt_no++;
    m.ts_ns = now_ns;
    m.flags = flags;
    m.seq = seq;
    m.ack = (flags & TCP_ACK) ? ack : 0;
    m.window = win;
    m.payload_len = len;
    m.payload_cap = len;
    m.anomalies = g_anom;
    if (flags & TCP_SYN) {
        m.opt.present |= TCP_OPT_MSS;
        m.opt.mss = 1460;
        if (g_sack)
            m.opt.present |= TCP_OPT_SACKOK;
    }
    if (wscale >= 0) {
        m.opt.present |= TCP_OPT_WSCALE;
        m.opt.wscale = (uint8_t)wscale;
    }
    return tcp_state_step(&st, &stc, &fl, dir, &m, pkt_no, &cfg);
}

static enum tcp_step_result
segw(int from_client, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len, uint16_t win,
     int wscale)
{
    return seg_dir(from_client ? FLOW_DIR_AB : FLOW_DIR_BA, flags, seq, ack, len, win, wscale);
}

static enum tcp_step_result
seg(int from_client, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    return segw(from_client, flags, seq, ack, len, 65535, -1);
}

static struct session_summary
sum(void)
{
    struct session_summary s;

    memset(&s, 0, sizeof(s));
    tcp_state_summarize(&st, &stc, &fl, now_ns, &s);
    return s;
}

#define ASSERT_STATES(cs, ss)                                                                      \
    do {                                                                                           \
        struct session_summary s_ = sum();                                                         \
        ck_assert_str_eq(tcp_state_name(s_.client.state), tcp_state_name(cs));                     \
        ck_assert_str_eq(tcp_state_name(s_.server.state), tcp_state_name(ss));                     \
    } while (0)

static unsigned
total_violations(void)
{
    struct session_summary s = sum();
    unsigned n = 0;

    for (int k = 0; k < TV_COUNT; k++)
        n += s.client.violations[k] + s.server.violations[k];
    return n;
}

static void
assert_example(unsigned i, enum tcp_violation k, uint32_t expected, uint32_t seen, int from_client)
{
    struct session_summary s = sum();

    ck_assert_uint_gt(s.n_examples, i);
    ck_assert_str_eq(tcp_violation_name(s.examples[i].kind), tcp_violation_name(k));
    ck_assert_uint_eq(s.examples[i].expected, expected);
    ck_assert_uint_eq(s.examples[i].seen, seen);
    ck_assert_int_eq(s.examples[i].from_client, from_client);
    ck_assert_uint_eq(from_client ? s.client.violations[k] : s.server.violations[k], 1);
}

static void
open3(void)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, F_SA, SI, CI + 1, 0);
    seg(C, TCP_ACK, CI + 1, SI + 1, 0);
}

/* ---- open ------------------------------------------------------------------ */

START_TEST(test_normal_open_walks_syn_sent_syn_received_established)
{
    struct session_summary s;

    g_sack = 1;
    ck_assert_int_eq(segw(C, TCP_SYN, CI, 0, 0, 65535, 7), TCP_STEP_OK);
    ASSERT_STATES(TCP_ST_SYN_SENT, TCP_ST_NONE);
    s = sum();
    ck_assert_str_eq(tcp_handshake_name(s.handshake), "syn_only");
    ck_assert_str_eq(s.suricata_state, "syn_sent");
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_NEW);
    ck_assert_int_eq(fl.client_dir, FLOW_DIR_AB);

    seg(S, F_SA, SI, CI + 1, 0);
    ASSERT_STATES(TCP_ST_SYN_SENT, TCP_ST_SYN_RECEIVED);
    s = sum();
    ck_assert_str_eq(tcp_handshake_name(s.handshake), "syn_synack");
    ck_assert_str_eq(s.suricata_state, "syn_recv");
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_NEW);

    seg(C, TCP_ACK, CI + 1, SI + 1, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    s = sum();
    ck_assert_str_eq(tcp_handshake_name(s.handshake), "complete");
    ck_assert_str_eq(s.suricata_state, "established");
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_ESTABLISHED);
    ck_assert_uint_eq(s.syn_ts_ns, T0 + 1 * MS);
    ck_assert_uint_eq(s.synack_ts_ns, T0 + 2 * MS);
    ck_assert_uint_eq(s.ack_ts_ns, T0 + 3 * MS);
    ck_assert_uint_eq(s.handshake_rtt_ns, 2 * MS);
    ck_assert(s.client.isn_known);
    ck_assert_uint_eq(s.client.isn, CI);
    ck_assert_uint_eq(s.server.isn, SI);
    ck_assert_uint_eq(s.client.mss, 1460);
    ck_assert_int_eq(s.client.wscale, 7);
    ck_assert_int_eq(s.server.wscale, -1);
    ck_assert(s.client.sack_ok);
    ck_assert(!s.midstream);
    ck_assert(!s.roles_guessed);
    ck_assert_uint_eq(s.client.state_since_ns, T0 + 3 * MS);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_simultaneous_open_reaches_established_through_syn_received)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, TCP_SYN, SI, 0, 0);
    ASSERT_STATES(TCP_ST_SYN_SENT, TCP_ST_SYN_SENT);
    ck_assert_str_eq(tcp_handshake_name(sum().handshake), "simultaneous");
    seg(C, F_SA, CI, SI + 1, 0);
    ASSERT_STATES(TCP_ST_SYN_RECEIVED, TCP_ST_SYN_SENT);
    seg(S, F_SA, SI, CI + 1, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    ck_assert_str_eq(tcp_handshake_name(sum().handshake), "simultaneous");
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_ESTABLISHED);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_syn_retransmission_is_not_a_violation)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(C, TCP_SYN, CI, 0, 0);
    seg(C, TCP_SYN, CI, 0, 0);
    ASSERT_STATES(TCP_ST_SYN_SENT, TCP_ST_NONE);
    ck_assert_uint_eq(sum().syn_ts_ns, T0 + MS);
    seg(S, F_SA, SI, CI + 1, 0);
    seg(C, TCP_ACK, CI + 1, SI + 1, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_synack_retransmission_is_not_a_violation)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, F_SA, SI, CI + 1, 0);
    seg(S, F_SA, SI, CI + 1, 0);
    ASSERT_STATES(TCP_ST_SYN_SENT, TCP_ST_SYN_RECEIVED);
    ck_assert_uint_eq(sum().synack_ts_ns, T0 + 2 * MS);
    seg(C, TCP_ACK, CI + 1, SI + 1, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_tfo_syn_data_consumes_sequence_space_after_the_syn)
{
    seg(C, TCP_SYN, CI, 0, 20);
    seg(S, F_SA, SI, CI + 21, 0); /* data accepted with the SYN */
    seg(C, TCP_ACK, CI + 21, SI + 1, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    seg(S, TCP_ACK, SI + 1, CI + 21, 0);
    ck_assert_str_eq(tcp_handshake_name(sum().handshake), "complete");
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_tfo_data_not_acked_by_synack_is_fine_and_resent_in_third_ack)
{
    seg(C, TCP_SYN, CI, 0, 20);
    seg(S, F_SA, SI, CI + 1, 0);         /* cookie refused: only the SYN acked */
    seg(C, TCP_ACK, CI + 1, SI + 1, 20); /* data in the third ACK is normal */
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_data_in_third_ack_is_not_data_before_handshake)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, F_SA, SI, CI + 1, 0);
    seg(C, TCP_ACK | TCP_PSH, CI + 1, SI + 1, 300);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

/* ---- roles and midstream ---------------------------------------------------- */

START_TEST(test_midstream_roles_guessed_from_ports)
{
    struct session_summary s;

    seg(S, TCP_ACK, 7000, 3000, 10); /* the server speaks first */
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    s = sum();
    ck_assert_int_eq(fl.client_dir, FLOW_DIR_AB); /* port 40000 is the client */
    ck_assert(fl.flags & FLOW_F_ROLES_GUESSED);
    ck_assert(s.roles_guessed);
    ck_assert(s.midstream);
    ck_assert_str_eq(tcp_handshake_name(s.handshake), "midstream");
    ck_assert(!s.client.isn_known);
    /* acks beyond what the capture saw are not flagged without the ISN */
    seg(C, TCP_ACK, 3000, 7000 + 10000, 0);
    seg(C, F_FA, 3000, 7000 + 10000, 0);
    ASSERT_STATES(TCP_ST_FIN_WAIT_1, TCP_ST_CLOSE_WAIT);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_midstream_well_known_port_on_key_side_a_is_the_server)
{
    fl.key.pa = 443;
    fl.key.pb = 50000;
    seg_dir(FLOW_DIR_BA, TCP_ACK, 100, 200, 0, 65535, -1);
    ck_assert_int_eq(fl.client_dir, FLOW_DIR_BA);
    ck_assert(sum().roles_guessed);
}
END_TEST

START_TEST(test_midstream_both_high_ports_lower_is_server)
{
    fl.key.pa = 5000;
    fl.key.pb = 6000;
    seg_dir(FLOW_DIR_AB, TCP_ACK, 100, 200, 0, 65535, -1);
    ck_assert_int_eq(fl.client_dir, FLOW_DIR_BA);
}
END_TEST

START_TEST(test_synack_fixes_a_wrong_role_guess)
{
    struct session_summary s;

    fl.key.pa = 5000;
    fl.key.pb = 6000;
    seg_dir(FLOW_DIR_AB, TCP_ACK, 100, 200, 0, 65535, -1);
    ck_assert_int_eq(fl.client_dir, FLOW_DIR_BA);       /* guessed: b is the client */
    seg_dir(FLOW_DIR_BA, F_SA, 199, 100, 0, 65535, -1); /* b answers a SYN: b is the server */
    s = sum();
    ck_assert_int_eq(fl.client_dir, FLOW_DIR_AB);
    ck_assert(!(fl.flags & FLOW_F_ROLES_GUESSED));
    ck_assert(fl.flags & FLOW_F_ROLES_FROM_SYNACK);
    ck_assert(!s.roles_guessed);
    ck_assert(s.midstream);
}
END_TEST

START_TEST(test_first_packet_synack_makes_its_receiver_the_client)
{
    struct session_summary s;

    seg(S, F_SA, SI, CI + 1, 0);
    ASSERT_STATES(TCP_ST_SYN_SENT, TCP_ST_SYN_RECEIVED);
    s = sum();
    ck_assert_int_eq(fl.client_dir, FLOW_DIR_AB);
    ck_assert(fl.flags & FLOW_F_ROLES_FROM_SYNACK);
    ck_assert(s.midstream);
    ck_assert(!s.roles_guessed);
    ck_assert_str_eq(tcp_handshake_name(s.handshake), "midstream");
    ck_assert(!s.client.isn_known);
    ck_assert(s.server.isn_known);
    seg(C, TCP_ACK, CI + 1, SI + 1, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    ck_assert_str_eq(tcp_handshake_name(sum().handshake), "midstream");
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

/* ---- close -------------------------------------------------------------------- */

START_TEST(test_client_closes_first_four_way_close)
{
    struct session_summary s;

    open3();
    seg(C, TCP_ACK, CI + 1, SI + 1, 100);
    seg(S, TCP_ACK, SI + 1, CI + 101, 0);
    seg(C, F_FA, CI + 101, SI + 1, 0);
    ASSERT_STATES(TCP_ST_FIN_WAIT_1, TCP_ST_CLOSE_WAIT);
    ck_assert_str_eq(sum().suricata_state, "close_wait");
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_CLOSING);
    ck_assert_str_eq(tcp_close_name(sum().close), "half");
    seg(S, TCP_ACK, SI + 1, CI + 102, 0);
    ASSERT_STATES(TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    seg(S, F_FA, SI + 1, CI + 102, 0);
    ASSERT_STATES(TCP_ST_TIME_WAIT, TCP_ST_LAST_ACK);
    ck_assert_str_eq(sum().suricata_state, "last_ack");
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_CLOSED);
    seg(C, TCP_ACK, CI + 102, SI + 2, 0);
    ASSERT_STATES(TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
    s = sum();
    ck_assert_str_eq(s.suricata_state, "closed");
    ck_assert_str_eq(tcp_close_name(s.close), "fin");
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_server_closes_first_four_way_close)
{
    open3();
    seg(S, F_FA, SI + 1, CI + 1, 0);
    ASSERT_STATES(TCP_ST_CLOSE_WAIT, TCP_ST_FIN_WAIT_1);
    ck_assert_str_eq(sum().suricata_state, "fin_wait1");
    seg(C, TCP_ACK, CI + 1, SI + 2, 0);
    ASSERT_STATES(TCP_ST_CLOSE_WAIT, TCP_ST_FIN_WAIT_2);
    ck_assert_str_eq(sum().suricata_state, "fin_wait2");
    seg(C, F_FA, CI + 1, SI + 2, 0);
    ASSERT_STATES(TCP_ST_LAST_ACK, TCP_ST_TIME_WAIT);
    ck_assert_str_eq(sum().suricata_state, "time_wait");
    seg(S, TCP_ACK, SI + 2, CI + 2, 0);
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_TIME_WAIT);
    ck_assert_str_eq(tcp_close_name(sum().close), "fin");
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_fin_that_acks_the_peer_fin_goes_straight_to_time_wait)
{
    open3();
    seg(C, F_FA, CI + 1, SI + 1, 0);
    seg(S, F_FA, SI + 1, CI + 2, 0); /* ACK and FIN together */
    ASSERT_STATES(TCP_ST_TIME_WAIT, TCP_ST_LAST_ACK);
    seg(C, TCP_ACK, CI + 2, SI + 2, 0);
    ASSERT_STATES(TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
}
END_TEST

START_TEST(test_simultaneous_close_goes_through_closing)
{
    open3();
    seg(C, F_FA, CI + 1, SI + 1, 0);
    seg(S, F_FA, SI + 1, CI + 1, 0); /* crossed: does not ack the client's FIN */
    ASSERT_STATES(TCP_ST_CLOSING, TCP_ST_CLOSING);
    ck_assert_str_eq(sum().suricata_state, "closing");
    seg(C, TCP_ACK, CI + 2, SI + 2, 0);
    ASSERT_STATES(TCP_ST_CLOSING, TCP_ST_TIME_WAIT);
    seg(S, TCP_ACK, SI + 2, CI + 2, 0);
    ASSERT_STATES(TCP_ST_TIME_WAIT, TCP_ST_TIME_WAIT);
    ck_assert_str_eq(tcp_close_name(sum().close), "fin");
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_fin_with_data_is_fine)
{
    open3();
    seg(C, F_FA | TCP_PSH, CI + 1, SI + 1, 50);
    ASSERT_STATES(TCP_ST_FIN_WAIT_1, TCP_ST_CLOSE_WAIT);
    seg(S, TCP_ACK, SI + 1, CI + 52, 0);
    ASSERT_STATES(TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    seg(C, F_FA, CI + 51, SI + 1, 50 - 50); /* FIN retransmitted alone at the same place */
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_data_from_close_wait_side_after_half_close_is_allowed)
{
    open3();
    seg(C, F_FA, CI + 1, SI + 1, 0);
    seg(S, TCP_ACK, SI + 1, CI + 2, 0);
    seg(S, TCP_ACK, SI + 1, CI + 2, 1000);
    seg(C, TCP_ACK, CI + 2, SI + 1001, 0);
    seg(S, TCP_ACK, SI + 1001, CI + 2, 1000);
    ASSERT_STATES(TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_data_after_own_fin_is_flagged)
{
    open3();
    seg(C, F_FA, CI + 1, SI + 1, 0);
    seg(C, TCP_ACK, CI + 2, SI + 1, 10);
    assert_example(0, TV_DATA_AFTER_FIN, CI + 1, CI + 12, 1);
}
END_TEST

/* ---- RST ------------------------------------------------------------------------ */

START_TEST(test_exact_rst_from_client_is_accepted)
{
    struct session_summary s;

    open3();
    seg(C, TCP_RST, CI + 1, 0, 0);
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_CLOSED);
    s = sum();
    ck_assert_str_eq(tcp_close_name(s.close), "reset");
    ck_assert_str_eq(s.suricata_state, "closed");
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_CLOSED);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_exact_rst_from_server_is_accepted)
{
    open3();
    seg(C, TCP_ACK, CI + 1, SI + 1, 100);
    seg(S, F_RA, SI + 1, CI + 101, 0);
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_CLOSED);
    ck_assert_str_eq(tcp_close_name(sum().close), "reset");
}
END_TEST

START_TEST(test_rst_at_sender_snd_nxt_not_yet_acked_is_accepted)
{
    open3();
    seg(C, TCP_ACK, CI + 1, SI + 1, 100); /* not acked by the server yet */
    seg(C, TCP_RST, CI + 101, 0, 0);
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_CLOSED);
}
END_TEST

START_TEST(test_inexact_rst_in_window_from_client_is_ignored)
{
    open3();
    seg(C, TCP_RST, CI + 101, 0, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    assert_example(0, TV_RST_INEXACT, CI + 1, CI + 101, 1);
    ck_assert_str_eq(tcp_close_name(sum().close), "none");
}
END_TEST

START_TEST(test_inexact_rst_in_window_from_server_is_ignored)
{
    open3();
    seg(S, TCP_RST, SI + 500, 0, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    assert_example(0, TV_RST_INEXACT, SI + 1, SI + 500, 0);
}
END_TEST

START_TEST(test_out_of_window_rst_from_client_is_ignored)
{
    open3();
    seg(C, TCP_RST, CI + 1 + 100000, 0, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    assert_example(0, TV_RST_OUT_OF_WINDOW, CI + 1, CI + 100001, 1);
}
END_TEST

START_TEST(test_out_of_window_rst_from_server_is_ignored)
{
    open3();
    seg(S, TCP_RST, SI - 10, 0, 0); /* before RCV.NXT */
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    assert_example(0, TV_RST_OUT_OF_WINDOW, SI + 1, SI - 10, 0);
}
END_TEST

START_TEST(test_midstream_rst_without_window_info_is_accepted)
{
    seg(C, TCP_ACK, 100, 200, 10);
    seg(C, TCP_RST, 5000, 0, 0);
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_CLOSED);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_syn_answered_by_rst_ack_is_rejected)
{
    struct session_summary s;

    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, F_RA, 0, CI + 1, 0);
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_CLOSED);
    s = sum();
    ck_assert_str_eq(tcp_handshake_name(s.handshake), "rejected");
    ck_assert_str_eq(tcp_close_name(s.close), "reset");
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_rst_with_wrong_ack_in_syn_sent_is_ignored)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, F_RA, 0, CI + 5, 0);
    ASSERT_STATES(TCP_ST_SYN_SENT, TCP_ST_NONE);
    assert_example(0, TV_RST_OUT_OF_WINDOW, CI + 1, CI + 5, 0);
}
END_TEST

/* ---- violations -------------------------------------------------------------------- */

START_TEST(test_synack_with_wrong_ack_is_flagged)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, F_SA, SI, CI + 7, 0);
    assert_example(0, TV_SYNACK_BAD_ACK, CI + 1, CI + 7, 0);
    ck_assert_uint_eq(sum().examples[0].pkt_no, 2);
    ck_assert_uint_eq(sum().examples[0].ts_ns, T0 + 2 * MS);
}
END_TEST

START_TEST(test_third_ack_with_wrong_ack_is_flagged)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, F_SA, SI, CI + 1, 0);
    seg(C, TCP_ACK, CI + 1, SI + 9, 0);
    assert_example(0, TV_HANDSHAKE_BAD_ACK, SI + 1, SI + 9, 1);
    ASSERT_STATES(TCP_ST_SYN_SENT, TCP_ST_SYN_RECEIVED);
    ck_assert_str_eq(tcp_handshake_name(sum().handshake), "syn_synack");
}
END_TEST

START_TEST(test_ack_of_unsent_data_is_flagged)
{
    open3();
    seg(S, TCP_ACK, SI + 1, CI + 1, 100);
    seg(C, TCP_ACK, CI + 1, SI + 500, 0);
    assert_example(0, TV_ACK_UNSENT_DATA, SI + 101, SI + 500, 1);
}
END_TEST

/* ---- inferred events (a packet the capture missed) ---------------------------- */

START_TEST(test_ack_one_past_last_byte_infers_the_missed_fin)
{
    open3();
    seg(S, TCP_ACK | TCP_PSH, SI + 1, CI + 1, 10);
    seg(C, TCP_ACK, CI + 1, SI + 11, 0);
    ck_assert_uint_eq(sum().server.inferred, 0);
    seg(C, TCP_ACK, CI + 1, SI + 12, 0); /* the server's FIN at SI+11 was not captured */
    ASSERT_STATES(TCP_ST_CLOSE_WAIT, TCP_ST_FIN_WAIT_2);
    ck_assert_uint_eq(sum().server.inferred, TCP_INFERRED_FIN);
    ck_assert_uint_eq(sum().client.inferred, 0);
    seg(C, F_FA, CI + 1, SI + 12, 0);
    ASSERT_STATES(TCP_ST_LAST_ACK, TCP_ST_TIME_WAIT);
    seg(S, F_FA, SI + 11, CI + 2, 0); /* the FIN after all (retransmitted): consistent */
    seg(S, TCP_ACK, SI + 12, CI + 2, 0);
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_TIME_WAIT);
    ck_assert_str_eq(tcp_close_name(sum().close), "fin");
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_fin_ack_one_past_last_byte_infers_the_missed_fin)
{
    open3();
    seg(C, F_FA, CI + 1, SI + 2, 0); /* the client's FIN acks the server's missed FIN */
    ASSERT_STATES(TCP_ST_LAST_ACK, TCP_ST_TIME_WAIT);
    ck_assert_uint_eq(sum().server.inferred, TCP_INFERRED_FIN);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_ack_two_past_last_byte_is_still_unsent_data)
{
    open3();
    seg(C, TCP_ACK, CI + 1, SI + 3, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    ck_assert_uint_eq(sum().server.inferred, 0);
    assert_example(0, TV_ACK_UNSENT_DATA, SI + 1, SI + 3, 1);
}
END_TEST

START_TEST(test_third_ack_without_synack_infers_the_missed_synack)
{
    struct session_summary s;

    seg(C, TCP_SYN, CI, 0, 0);
    seg(C, TCP_ACK, CI + 1, SI + 1, 0); /* the SYN-ACK was not captured */
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    s = sum();
    ck_assert_uint_eq(s.server.inferred, TCP_INFERRED_SYNACK);
    ck_assert_uint_eq(s.client.inferred, 0);
    ck_assert(s.server.isn_known);
    ck_assert_uint_eq(s.server.isn, SI);
    ck_assert_str_eq(tcp_handshake_name(s.handshake), "complete");
    /* scaling unknown (the SYN-ACK's options were not seen): no window verdicts */
    seg(C, TCP_ACK | TCP_PSH, CI + 1, SI + 1, 3000);
    seg(S, TCP_ACK | TCP_PSH, SI + 1, CI + 3001, 100);
    /* the SYN-ACK after all (reordered), same ISN: nothing changes */
    seg(S, F_SA, SI, CI + 1, 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_server_ack_before_synack_infers_nothing)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, TCP_ACK, SI + 1, CI + 1, 0); /* from the server: not a third ACK */
    ck_assert_uint_eq(sum().server.inferred, 0);
    ck_assert_uint_eq(sum().client.inferred, 0);
    ck_assert_str_eq(tcp_state_name(sum().client.state), tcp_state_name(TCP_ST_SYN_SENT));
}
END_TEST

START_TEST(test_ack_after_a_sequence_hole_is_not_flagged_unsent)
{
    open3();
    seg(S, TCP_ACK, SI + 1, CI + 1, 100);
    seg(S, TCP_ACK, SI + 201, CI + 1, 100); /* SI+101..200 missed by the capture */
    seg(C, TCP_ACK, CI + 1, SI + 400, 0);   /* acks more than seen: may be missed too */
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_ack_moving_backwards_is_flagged)
{
    /* further back than the receive window (and conntrack's 66000 bytes) */
    open3();
    seg(S, TCP_ACK, SI + 1, CI + 1, 60000);
    seg(C, TCP_ACK, CI + 1, SI + 60001, 0);
    seg(S, TCP_ACK, SI + 60001, CI + 1, 60000);
    seg(C, TCP_ACK, CI + 1, SI + 120001, 0);
    seg(C, TCP_ACK, CI + 1, SI + 101, 0);
    assert_example(0, TV_ACK_BACKWARDS, SI + 120001, SI + 101, 1);
}
END_TEST

START_TEST(test_reordered_old_ack_within_window_is_not_flagged)
{
    /* acks captured out of order (RFC 9293 3.10.7.4: an old ack is ignored) */
    open3();
    seg(S, TCP_ACK, SI + 1, CI + 1, 3000);
    seg(C, TCP_ACK, CI + 1, SI + 3001, 0);
    seg(C, TCP_ACK, CI + 1, SI + 1501, 0);
    ck_assert_uint_eq(total_violations(), 0);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

START_TEST(test_segment_beyond_receive_window_is_flagged)
{
    open3();
    segw(S, TCP_ACK, SI + 1, CI + 1, 0, 1000, -1);
    seg(C, TCP_ACK, CI + 1, SI + 1, 1500);
    assert_example(0, TV_OUT_OF_WINDOW, CI + 1001, CI + 1501, 1);
}
END_TEST

START_TEST(test_zero_window_probe_is_not_out_of_window)
{
    open3();
    segw(S, TCP_ACK, SI + 1, CI + 1, 0, 0, -1);
    seg(C, TCP_ACK, CI + 1, SI + 1, 1);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

START_TEST(test_new_isn_while_syn_sent_is_a_new_connection)
{
    /* the old attempt was abandoned; a retransmission would keep the ISN */
    seg(C, TCP_SYN, CI, 0, 0);
    ck_assert_int_eq(seg(C, TCP_SYN, CI, 0, 0), TCP_STEP_OK);
    ck_assert_int_eq(seg(C, TCP_SYN, CI + 77, 0, 0), TCP_STEP_REUSE);
    ck_assert_uint_eq(sum().n_examples, 0);
    ck_assert_uint_eq(sum().client.isn, CI);
}
END_TEST

START_TEST(test_syn_with_changed_isn_on_live_connection_is_not_reuse)
{
    open3();
    ck_assert_int_eq(seg(C, TCP_SYN, CI + 99999, 0, 0), TCP_STEP_OK);
    assert_example(0, TV_SYN_ISN_CHANGED, CI, CI + 99999, 1);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
}
END_TEST

START_TEST(test_bad_flag_combination_is_flagged_and_not_obeyed)
{
    open3();
    seg(C, TCP_SYN | TCP_FIN, CI + 1, 0, 0);
    assert_example(0, TV_BAD_FLAGS, 0, TCP_SYN | TCP_FIN, 1);
    ASSERT_STATES(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    g_anom = ANOM_TCP_BAD_FLAGS; /* the decoder's verdict counts as well */
    seg(S, TCP_ACK | TCP_URG, SI + 1, CI + 1, 0);
    ck_assert_uint_eq(sum().server.violations[TV_BAD_FLAGS], 1);
}
END_TEST

START_TEST(test_client_data_before_handshake_is_flagged)
{
    /* (without the SYN-ACK, an ACK from SYN_SENT would infer it: see "inferred events") */
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, F_SA, SI, CI + 1, 0);
    seg(C, TCP_ACK | TCP_PSH, CI + 1, SI + 77, 10); /* not the third ACK: still SYN_SENT */
    assert_example(1, TV_DATA_BEFORE_HANDSHAKE, 0, 10, 1);
}
END_TEST

START_TEST(test_fin_retransmitted_elsewhere_is_flagged)
{
    open3();
    seg(C, F_FA, CI + 1, SI + 1, 0);
    seg(C, F_FA, CI + 1, SI + 1, 0); /* same place: fine */
    seg(C, TCP_FIN | TCP_ACK, CI + 5, SI + 1, 0);
    assert_example(0, TV_FIN_CHANGED, CI + 1, CI + 5, 1);
}
END_TEST

START_TEST(test_only_the_first_examples_are_kept_in_packet_order)
{
    /* 10 of one kind: all counted, the first TCP_VIOLATION_KEEP_PER_KIND kept */
    open3();
    for (int i = 0; i < 10; i++)
        seg(C, TCP_SYN | TCP_RST, CI + 1, 0, 0);
    struct session_summary s = sum();
    ck_assert_uint_eq(s.n_examples, TCP_VIOLATION_KEEP_PER_KIND);
    ck_assert_uint_eq(s.client.violations[TV_BAD_FLAGS], 10);
    for (unsigned i = 0; i < TCP_VIOLATION_KEEP_PER_KIND; i++)
        ck_assert_uint_eq(s.examples[i].pkt_no, 4 + i);
}
END_TEST

START_TEST(test_a_flood_of_one_kind_leaves_room_for_others)
{
    open3();
    for (int i = 0; i < 10; i++)
        seg(C, TCP_SYN | TCP_RST, CI + 1, 0, 0);                 /* bad_flags x10 */
    seg(S, TCP_ACK, SI + 1, CI + 1, 100);
    seg(C, TCP_ACK, CI + 1, SI + 101, 0);
    seg(C, TCP_ACK, CI + 1, SI + 500000, 0);                     /* ack_unsent_data */
    struct session_summary s = sum();
    ck_assert_uint_eq(s.n_examples, TCP_VIOLATION_KEEP_PER_KIND + 1);
    ck_assert_uint_eq(s.examples[TCP_VIOLATION_KEEP_PER_KIND].kind, TV_ACK_UNSENT_DATA);
}
END_TEST

/* ---- wrap and window scaling ---------------------------------------------------------- */

START_TEST(test_sequence_wrap_at_2_32)
{
    const uint32_t ci = 0xFFFFFFF0u;

    seg(C, TCP_SYN, ci, 0, 0);
    seg(S, F_SA, SI, ci + 1, 0);
    seg(C, TCP_ACK, ci + 1, SI + 1, 0);
    seg(C, TCP_ACK, ci + 1, SI + 1, 60000); /* 0xFFFFFFF1 .. 0x0000EA50 */
    seg(S, TCP_ACK, SI + 1, 0xEA51u, 0);
    seg(C, TCP_ACK, 0xEA51u, SI + 1, 60000);
    seg(S, TCP_ACK, SI + 1, 0x1D4B1u, 0);
    seg(S, TCP_ACK, SI + 1, 0x05u, 0); /* backwards across the wrap, > window */
    assert_example(0, TV_ACK_BACKWARDS, 0x1D4B1u, 0x05u, 0);
    seg(C, F_FA, 0x1D4B1u, SI + 1, 0);
    seg(S, F_FA, SI + 1, 0x1D4B2u, 0);
    seg(C, TCP_ACK, 0x1D4B2u, SI + 2, 0);
    ASSERT_STATES(TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
    ck_assert_uint_eq(total_violations(), 1);
}
END_TEST

START_TEST(test_window_scaled_when_both_syns_negotiated_it)
{
    segw(C, TCP_SYN, CI, 0, 0, 65535, 7);
    segw(S, F_SA, SI, CI + 1, 0, 65535, 7);
    seg(C, TCP_ACK, CI + 1, SI + 1, 0);
    segw(S, TCP_ACK, SI + 1, CI + 1, 0, 100, -1); /* 100 << 7 = 12800 bytes */
    seg(C, TCP_ACK, CI + 1, SI + 1, 5000);
    ck_assert_uint_eq(total_violations(), 0);
    seg(C, TCP_ACK, CI + 5001, SI + 1, 9000);
    assert_example(0, TV_OUT_OF_WINDOW, CI + 1 + 12800, CI + 14001, 1);
}
END_TEST

START_TEST(test_window_not_scaled_when_only_one_syn_offered_it)
{
    segw(C, TCP_SYN, CI, 0, 0, 65535, 7);
    seg(S, F_SA, SI, CI + 1, 0);
    seg(C, TCP_ACK, CI + 1, SI + 1, 0);
    segw(S, TCP_ACK, SI + 1, CI + 1, 0, 100, -1);
    seg(C, TCP_ACK, CI + 1, SI + 1, 5000);
    assert_example(0, TV_OUT_OF_WINDOW, CI + 101, CI + 5001, 1);
}
END_TEST

START_TEST(test_window_check_lenient_when_handshake_missed)
{
    segw(S, TCP_ACK, SI + 1, CI + 1, 0, 100, -1); /* midstream: scaling unknown */
    seg(C, TCP_ACK, CI + 1, SI + 1, 5000);
    ck_assert_uint_eq(total_violations(), 0);
}
END_TEST

/* ---- reuse and TIME_WAIT ------------------------------------------------------------------ */

static void
close_client_first(void)
{
    open3();
    seg(C, F_FA, CI + 1, SI + 1, 0);
    seg(S, F_FA, SI + 1, CI + 2, 0);
    seg(C, TCP_ACK, CI + 2, SI + 2, 0);
}

START_TEST(test_new_syn_after_fin_close_is_port_reuse)
{
    close_client_first();
    ck_assert_int_eq(seg(C, TCP_SYN, CI + 100000, 0, 0), TCP_STEP_REUSE);
    ASSERT_STATES(TCP_ST_TIME_WAIT, TCP_ST_CLOSED); /* untouched */
    ck_assert_uint_eq(total_violations(), 0);
    /* the old SYN again (a late duplicate) is not a new connection */
    ck_assert_int_eq(seg(C, TCP_SYN, CI, 0, 0), TCP_STEP_OK);
}
END_TEST

START_TEST(test_syn_after_rst_is_port_reuse)
{
    open3();
    seg(C, TCP_RST, CI + 1, 0, 0);
    ck_assert_int_eq(seg(C, TCP_SYN, CI, 0, 0), TCP_STEP_REUSE);
}
END_TEST

START_TEST(test_syn_after_rejection_is_port_reuse)
{
    seg(C, TCP_SYN, CI, 0, 0);
    seg(S, F_RA, 0, CI + 1, 0);
    ck_assert_int_eq(seg(C, TCP_SYN, CI, 0, 0), TCP_STEP_REUSE);
}
END_TEST

START_TEST(test_syn_above_old_sequence_in_time_wait_is_port_reuse)
{
    open3();
    seg(C, F_FA, CI + 1, SI + 1, 0);
    seg(S, F_FA, SI + 1, CI + 2, 0); /* client TIME_WAIT, server LAST_ACK: not finished */
    ASSERT_STATES(TCP_ST_TIME_WAIT, TCP_ST_LAST_ACK);
    ck_assert_int_eq(seg(C, TCP_SYN, CI - 50, 0, 0), TCP_STEP_OK); /* old space */
    ck_assert_uint_eq(sum().client.violations[TV_SYN_ISN_CHANGED], 1);
    ck_assert_int_eq(seg(C, TCP_SYN, CI + 64000, 0, 0), TCP_STEP_REUSE);
}
END_TEST

START_TEST(test_time_wait_expires_to_closed_after_two_msl)
{
    struct session_summary s;
    uint64_t tw_since;

    close_client_first();
    s = sum();
    tw_since = s.client.state_since_ns;
    now_ns = tw_since + 2 * cfg.msl_ns - 1;
    ASSERT_STATES(TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
    now_ns = tw_since + 2 * cfg.msl_ns;
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_CLOSED);
    ck_assert_uint_eq(sum().client.state_since_ns, tw_since + 2 * cfg.msl_ns);
    /* a straggler applies the expiry to the stored state too */
    seg(S, TCP_ACK, SI + 2, CI + 2, 0);
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_CLOSED);
    ck_assert_uint_eq(st.ep[FLOW_DIR_AB].state, TCP_ST_CLOSED);
}
END_TEST

START_TEST(test_time_wait_honours_configured_msl)
{
    cfg.msl_ns = 2 * SEC;
    close_client_first();
    uint64_t tw_since = sum().client.state_since_ns;
    now_ns = tw_since + 4 * SEC;
    ASSERT_STATES(TCP_ST_CLOSED, TCP_ST_CLOSED);
}
END_TEST

/* ---- stuck ---------------------------------------------------------------------------------- */

START_TEST(test_not_stuck_before_stuck_after)
{
    seg(C, TCP_SYN, CI, 0, 0);
    ck_assert(!tcp_state_check_stuck(&st, &stc, &fl, now_ns + cfg.stuck_after_ns - 1, &cfg));
    ck_assert_str_eq(tcp_stuck_name(sum().stuck), "none");
}
END_TEST

START_TEST(test_unanswered_syn_is_stuck_once)
{
    struct session_summary s;
    uint64_t t_syn;

    seg(C, TCP_SYN, CI, 0, 0);
    t_syn = now_ns;
    now_ns += 3 * SEC;
    seg(C, TCP_SYN, CI, 0, 0); /* retransmission is not progress */
    ck_assert(tcp_state_check_stuck(&st, &stc, &fl, t_syn + cfg.stuck_after_ns, &cfg));
    ck_assert(!tcp_state_check_stuck(&st, &stc, &fl, t_syn + 2 * cfg.stuck_after_ns, &cfg));
    s = sum();
    ck_assert_str_eq(tcp_stuck_name(s.stuck), "syn_unanswered");
    ck_assert_uint_eq(s.stuck_since_ns, t_syn);
}
END_TEST

START_TEST(test_close_wait_without_fin_is_stuck)
{
    uint64_t t_ack;

    open3();
    seg(C, F_FA, CI + 1, SI + 1, 0);
    seg(S, TCP_ACK, SI + 1, CI + 2, 0);
    t_ack = now_ns;
    ck_assert(!tcp_state_check_stuck(&st, &stc, &fl, t_ack + SEC, &cfg));
    ck_assert(tcp_state_check_stuck(&st, &stc, &fl, t_ack + 30 * SEC, &cfg));
    ck_assert_str_eq(tcp_stuck_name(sum().stuck), "close_wait");
    ck_assert_uint_eq(sum().stuck_since_ns, t_ack);
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_CLOSING);
}
END_TEST

START_TEST(test_retransmitting_without_acks_is_half_open)
{
    uint64_t t_prog;

    open3();
    t_prog = now_ns;
    seg(C, TCP_ACK, CI + 1, SI + 1, 100);
    now_ns += SEC;
    seg(C, TCP_ACK, CI + 1, SI + 1, 100);
    now_ns += 2 * SEC;
    seg(C, TCP_ACK, CI + 1, SI + 1, 100);
    ck_assert(tcp_state_check_stuck(&st, &stc, &fl, t_prog + 20 * SEC, &cfg));
    ck_assert_str_eq(tcp_stuck_name(sum().stuck), "half_open");
    ck_assert_uint_eq(sum().stuck_since_ns, t_prog);
}
END_TEST

START_TEST(test_one_side_silent_while_other_keeps_sending_is_half_open)
{
    open3();
    seg(C, TCP_ACK, CI + 1, SI + 1, 10);
    seg(S, TCP_ACK, SI + 1, CI + 11, 0); /* last progress */
    for (int i = 0; i < 3; i++) {
        now_ns += 2 * SEC;
        seg(C, TCP_ACK, CI + 10, SI + 1, 0); /* keep-alives, never answered */
    }
    ck_assert(tcp_state_check_stuck(&st, &stc, &fl, now_ns + 20 * SEC, &cfg));
    ck_assert_str_eq(tcp_stuck_name(sum().stuck), "half_open");
}
END_TEST

START_TEST(test_idle_established_connection_is_not_stuck)
{
    open3();
    seg(C, TCP_ACK, CI + 1, SI + 1, 100);
    seg(S, TCP_ACK, SI + 1, CI + 101, 0);
    ck_assert(!tcp_state_check_stuck(&st, &stc, &fl, now_ns + 3600 * SEC, &cfg));
}
END_TEST

START_TEST(test_zero_window_held_is_stuck_and_reopening_clears_it)
{
    open3();
    seg(C, TCP_ACK, CI + 1, SI + 1, 100);
    segw(S, TCP_ACK, SI + 1, CI + 101, 0, 0, -1);
    uint64_t t_zero = now_ns;
    now_ns += 2 * SEC;
    seg(C, TCP_ACK, CI + 101, SI + 1, 1); /* probe */
    segw(S, TCP_ACK, SI + 1, CI + 101, 0, 0, -1);
    ck_assert(tcp_state_check_stuck(&st, &stc, &fl, t_zero + 15 * SEC, &cfg));
    ck_assert_str_eq(tcp_stuck_name(sum().stuck), "zero_window");
    ck_assert_uint_eq(sum().stuck_since_ns, t_zero);
    now_ns = t_zero + 16 * SEC;
    segw(S, TCP_ACK, SI + 1, CI + 101, 0, 65535, -1); /* window update: progress */
    ck_assert_str_eq(tcp_stuck_name(sum().stuck), "none");
    ck_assert(!tcp_state_check_stuck(&st, &stc, &fl, now_ns + SEC, &cfg));
}
END_TEST

START_TEST(test_closed_connection_is_never_stuck)
{
    close_client_first();
    ck_assert(!tcp_state_check_stuck(&st, &stc, &fl, now_ns + 3600 * SEC, &cfg));
}
END_TEST

/* ---- tclass and names --------------------------------------------------------------------- */

START_TEST(test_tclass_follows_the_connection)
{
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_NEW);
    seg(C, TCP_SYN, CI, 0, 0);
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_NEW);
    seg(S, F_SA, SI, CI + 1, 0);
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_NEW);
    seg(C, TCP_ACK, CI + 1, SI + 1, 0);
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_ESTABLISHED);
    seg(S, F_FA, SI + 1, CI + 1, 0);
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_CLOSING);
    seg(C, TCP_ACK, CI + 1, SI + 2, 0);
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_CLOSING);
    seg(C, F_FA, CI + 1, SI + 2, 0);
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_CLOSED);
}
END_TEST

START_TEST(test_midstream_pickup_is_established_class)
{
    seg(C, TCP_ACK, 100, 200, 10);
    ck_assert_int_eq(tcp_state_tclass(&st), FLOW_TC_ESTABLISHED);
}
END_TEST

START_TEST(test_names_are_stable)
{
    struct tcp_cfg d;

    ck_assert_str_eq(tcp_state_name(TCP_ST_SYN_SENT), "SYN_SENT");
    ck_assert_str_eq(tcp_state_name(TCP_ST_FIN_WAIT_2), "FIN_WAIT_2");
    ck_assert_str_eq(tcp_state_name(TCP_ST_COUNT), "unknown");
    ck_assert_str_eq(tcp_state_ss_name(TCP_ST_SYN_RECEIVED), "syn-recv");
    ck_assert_str_eq(tcp_state_ss_name(TCP_ST_TIME_WAIT), "time-wait");
    ck_assert_str_eq(tcp_violation_name(TV_SYNACK_BAD_ACK), "synack_bad_ack");
    ck_assert_str_eq(tcp_violation_name(TV_DATA_BEFORE_HANDSHAKE), "data_before_handshake");
    ck_assert_str_eq(tcp_violation_name(TV_COUNT), "unknown");
    /* the EVE "inferred" array writes these two names literally (report_json.c) */
    ck_assert_str_eq(tcp_ep_event_name(TCP_EV_SEND_SYNACK), "send_synack");
    ck_assert_str_eq(tcp_ep_event_name(TCP_EV_SEND_FIN), "send_fin");
    for (int k = 0; k < TV_COUNT; k++)
        ck_assert_str_ne(tcp_violation_name((enum tcp_violation)k), "unknown");
    for (int s = 0; s < TCP_ST_COUNT; s++) {
        ck_assert_str_ne(tcp_state_name((enum tcp_state_id)s), "unknown");
        ck_assert_str_ne(tcp_state_ss_name((enum tcp_state_id)s), "unknown");
    }
    ck_assert_str_eq(tcp_handshake_name(TCP_HS_SIMULTANEOUS), "simultaneous");
    ck_assert_str_eq(tcp_close_name(TCP_CLOSE_RESET), "reset");
    ck_assert_str_eq(tcp_stuck_name(TCP_STUCK_ZERO_WINDOW), "zero_window");
    tcp_cfg_default(&d);
    ck_assert_uint_eq(d.msl_ns, 30 * SEC);
    ck_assert_uint_eq(d.stuck_after_ns, 10 * SEC);
}
END_TEST


/* The table behind tcp_state_tclass() against its definition, for every pair of states. */
START_TEST(test_tclass_table_matches_definition)
{
    struct tcp_state x;

    memset(&x, 0, sizeof(x));
    for (unsigned reset = 0; reset < 2; reset++)
        for (unsigned a = 0; a <= TCP_ST_COUNT + 1; a++)
            for (unsigned b = 0; b <= TCP_ST_COUNT + 1; b++) {
                x.ep[0].state = (uint8_t)a;
                x.ep[1].state = (uint8_t)b;
                x.flags = reset ? TSF_RESET : 0;
                ck_assert_int_eq(tcp_state_tclass(&x), tcp_state_tclass_ref(&x));
            }
}
END_TEST

/* Checks that trace explains every state change from before[] to st's states. */
static void
assert_trace_explains(const uint8_t before[2], const struct tcp_state *x,
                      const struct tcp_state_trace *tr, const char *what, uint64_t pkt)
{
    uint8_t cur[2] = {before[0], before[1]};

    if (tr->n > TCP_STATE_TRACE_MAX)
        ck_abort_msg("%s pkt %llu: %u transitions in one step", what, (unsigned long long)pkt,
                     tr->n);
    for (unsigned k = 0; k < tr->n; k++) {
        const struct tcp_state_transition *t = &tr->t[k];

        if (t->ep > 1 || t->from >= TCP_ST_COUNT || t->event >= TCP_EV_COUNT ||
            t->from != cur[t->ep] || tcp_state_next[t->from][t->event] == TCP_ST_NONE ||
            tcp_state_next[t->from][t->event] != t->to)
            ck_abort_msg("%s pkt %llu: transition %s --%s--> %s is not a row of the table", what,
                         (unsigned long long)pkt, tcp_state_name(t->from),
                         tcp_ep_event_name(t->event), tcp_state_name(t->to));
        cur[t->ep] = t->to;
    }
    for (int i = 0; i < 2; i++)
        if (cur[i] != x->ep[i].state)
            ck_abort_msg("%s pkt %llu: endpoint %d went %s -> %s outside the table", what,
                         (unsigned long long)pkt, i, tcp_state_name(before[i]),
                         tcp_state_name(x->ep[i].state));
}

/*
 * The fast path for the common segment against the general path
 * (tcp_state_step_traced(), which never takes it): random conversations
 * stepped through both, the whole state (both parts), the flow's role fields,
 * the step result and the timeout class compared after every segment, then
 * the stuck judgement and the summary. Every state change of the general
 * path must be explained by the transitions it recorded.
 */
START_TEST(test_fast_path_matches_general_path)
{
    unsigned fast = 0;

    for (uint64_t seed = 1; seed <= 200; seed++) {
        struct tcp_gen g;
        struct tcp_state a, b;
        struct tcp_state_cold ac, bc;
        struct flow fa, fb;
        struct session_summary sa, sb;
        struct pkt_meta m;
        int dir;

        tcp_gen_init(&g, seed);
        memset(&fa, 0, sizeof(fa));
        fa.key.pa = 40000;
        fa.key.pb = 80;
        fb = fa;
        tcp_state_init(&a, &ac);
        tcp_state_init(&b, &bc);
        for (uint64_t i = 1; i <= 300; i++) {
            struct tcp_state_trace tr = {0};
            uint8_t before[2] = {b.ep[0].state, b.ep[1].state};

            tcp_gen_next(&g, &m, &dir);
            fast += (m.flags & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) == TCP_ACK &&
                    a.ep[0].state == TCP_ST_ESTABLISHED && a.ep[1].state == TCP_ST_ESTABLISHED;
            enum tcp_step_result ra = tcp_state_step(&a, &ac, &fa, dir, &m, i, &cfg);
            enum tcp_step_result rb = tcp_state_step_traced(&b, &bc, &fb, dir, &m, i, &cfg, &tr);
            if (ra != rb)
                ck_abort_msg("step result differs, seed %llu pkt %llu", (unsigned long long)seed,
                             (unsigned long long)i);
            if (memcmp(&a, &b, sizeof(a)) != 0)
                ck_abort_msg("hot state differs, seed %llu pkt %llu",
                             (unsigned long long)seed, (unsigned long long)i);
            if (memcmp(&ac, &bc, sizeof(ac)) != 0)
                ck_abort_msg("cold state differs, seed %llu pkt %llu",
                             (unsigned long long)seed, (unsigned long long)i);
            if (fa.client_dir != fb.client_dir || fa.flags != fb.flags ||
                tcp_state_tclass(&a) != tcp_state_tclass(&b))
                ck_abort_msg("roles or class differ, seed %llu pkt %llu", (unsigned long long)seed,
                             (unsigned long long)i);
            assert_trace_explains(before, &b, &tr, "random conversation", i);
            if (ra == TCP_STEP_REUSE) {
                tcp_state_init(&a, &ac);
                tcp_state_init(&b, &bc);
            }
        }
        ck_assert_int_eq(tcp_state_check_stuck(&a, &ac, &fa, g.ts + 30 * SEC, &cfg),
                         tcp_state_check_stuck(&b, &bc, &fb, g.ts + 30 * SEC, &cfg));
        memset(&sa, 0, sizeof(sa));
        memset(&sb, 0, sizeof(sb));
        tcp_state_summarize(&a, &ac, &fa, g.ts + 31 * SEC, &sa);
        tcp_state_summarize(&b, &bc, &fb, g.ts + 31 * SEC, &sb);
        ck_assert_str_eq(sa.suricata_state, sb.suricata_state);
        sa.suricata_state = sb.suricata_state = NULL;
        ck_assert(memcmp(&sa, &sb, sizeof(sa)) == 0);
    }
    ck_assert_uint_gt(fast, 5000); /* the fast path was taken, often */
}
END_TEST

/* ---- the transition table ---------------------------------------------------- */

/*
 * One packet sequence per row of tcp_state_next[]: the row it was written
 * for, then its segments (from the client or the server, flags, seq, ack,
 * payload length, milliseconds after the previous one: 0 means 1).
 */
struct row_seg {
    int from_client;
    uint16_t flags;
    uint32_t seq, ack, len;
    uint32_t after_ms;
};

struct row_case {
    enum tcp_state_id from;
    enum tcp_ep_event ev;
    struct row_seg seg[10];
};

#define F_FIN TCP_FIN
#define X_SYN {C, TCP_SYN, CI, 0, 0, 0}             /* client SYN */
#define X_SA  {S, F_SA, SI, CI + 1, 0, 0}            /* server SYN-ACK */
#define X_ACK {C, TCP_ACK, CI + 1, SI + 1, 0, 0}     /* third ACK */
#define X_CF  {C, F_FA, CI + 1, SI + 1, 0, 0}        /* client FIN after the handshake */
#define X_SAF {S, TCP_ACK, SI + 1, CI + 2, 0, 0}     /* server ACK of that FIN */
#define X_SF  {S, F_FA, SI + 1, CI + 2, 0, 0}        /* server FIN acking the client's */
#define X_CAF {C, TCP_ACK, CI + 2, SI + 2, 0, 0}     /* client ACK of the server's FIN */
#define X_SFX {S, F_FA, SI + 1, CI + 1, 0, 0}        /* server FIN crossing the client's */

static const struct row_case row_cases[] = {
    {TCP_ST_NONE, TCP_EV_SEND_SYN, {X_SYN}},
    {TCP_ST_NONE, TCP_EV_SEND_SYNACK, {X_SYN, X_SA}},
    {TCP_ST_NONE, TCP_EV_GET_FIRST_SYNACK, {X_SA}},
    {TCP_ST_NONE, TCP_EV_MIDSTREAM, {{C, TCP_ACK, CI + 1, SI + 1, 10, 0}}},
    /* the server, never seen, closes before answering the SYN */
    {TCP_ST_NONE, TCP_EV_SEND_FIN, {X_SYN, {S, F_FA, SI, CI + 1, 0, 0}}},
    /* the client closes in SYN_SENT; the server's FIN does not ack it */
    {TCP_ST_NONE,
     TCP_EV_SEND_FIN_CROSSED,
     {X_SYN, {C, F_FIN, CI + 1, 0, 0, 0}, {S, F_FA, SI, CI + 1, 0, 0}}},
    {TCP_ST_NONE, TCP_EV_RST, {X_SYN, {S, F_RA, 0, CI + 1, 0, 0}}},

    /* a SYN-ACK first, then one from the other side (its SYN missed too) */
    {TCP_ST_SYN_SENT, TCP_EV_SEND_SYNACK, {X_SA, {C, F_SA, CI, SI + 1, 0, 0}}},
    {TCP_ST_SYN_SENT,
     TCP_EV_ANSWER_SYN,
     {X_SYN, {S, TCP_SYN, SI, 0, 0, 0}, {C, F_SA, CI, SI + 1, 0, 0}}},
    {TCP_ST_SYN_SENT, TCP_EV_SEND_THIRD_ACK, {X_SYN, X_SA, X_ACK}},
    {TCP_ST_SYN_SENT, TCP_EV_SEND_FIN, {X_SYN, {C, F_FIN, CI + 1, 0, 0, 0}}},
    /* the server closes first, unseen; the client's FIN does not ack it */
    {TCP_ST_SYN_SENT,
     TCP_EV_SEND_FIN_CROSSED,
     {X_SYN, {S, F_FA, SI, CI + 1, 0, 0}, {C, F_FA, CI + 1, SI, 0, 0}}},
    {TCP_ST_SYN_SENT, TCP_EV_RST, {X_SYN, {S, F_RA, 0, CI + 1, 0, 0}}},

    {TCP_ST_SYN_RECEIVED, TCP_EV_SYN_ACKED, {X_SYN, X_SA, X_ACK}},
    {TCP_ST_SYN_RECEIVED, TCP_EV_SEND_FIN, {X_SYN, X_SA, {S, F_FA, SI + 1, CI + 1, 0, 0}}},
    /* the client's FIN came before the SYN-ACK; the server's FIN does not ack it */
    {TCP_ST_SYN_RECEIVED,
     TCP_EV_SEND_FIN_CROSSED,
     {X_SYN, {C, F_FIN, CI + 1, 0, 0, 0}, X_SA, {S, F_FA, SI + 1, CI + 1, 0, 0}}},
    {TCP_ST_SYN_RECEIVED, TCP_EV_GET_FIN, {X_SYN, X_SA, {C, F_FIN, CI + 1, 0, 0, 0}}},
    {TCP_ST_SYN_RECEIVED, TCP_EV_RST, {X_SYN, X_SA, {C, TCP_RST, CI + 1, 0, 0, 0}}},

    {TCP_ST_ESTABLISHED, TCP_EV_SEND_FIN, {X_SYN, X_SA, X_ACK, X_CF}},
    /* simultaneous open; the server's FIN reaches a SYN_SENT client, which then establishes */
    {TCP_ST_ESTABLISHED,
     TCP_EV_SEND_FIN_CROSSED,
     {X_SYN,
      {S, TCP_SYN, SI, 0, 0, 0},
      {S, F_FIN, SI + 1, 0, 0, 0},
      {C, F_SA, CI, SI + 1, 0, 0},
      {S, TCP_ACK, SI + 2, CI + 1, 0, 0},
      {C, F_FA, CI + 1, SI + 1, 0, 0}}},
    {TCP_ST_ESTABLISHED, TCP_EV_GET_FIN, {X_SYN, X_SA, X_ACK, X_CF}},
    {TCP_ST_ESTABLISHED, TCP_EV_RST, {X_SYN, X_SA, X_ACK, {C, TCP_RST, CI + 1, 0, 0, 0}}},

    {TCP_ST_FIN_WAIT_1, TCP_EV_FIN_ACKED, {X_SYN, X_SA, X_ACK, X_CF, X_SAF}},
    {TCP_ST_FIN_WAIT_1, TCP_EV_GET_FIN, {X_SYN, X_SA, X_ACK, X_CF, X_SFX}},
    {TCP_ST_FIN_WAIT_1,
     TCP_EV_RST,
     {X_SYN, X_SA, X_ACK, X_CF, {S, TCP_RST, SI + 1, 0, 0, 0}}},

    {TCP_ST_FIN_WAIT_2, TCP_EV_GET_FIN, {X_SYN, X_SA, X_ACK, X_CF, X_SAF, X_SF}},
    {TCP_ST_FIN_WAIT_2,
     TCP_EV_RST,
     {X_SYN, X_SA, X_ACK, X_CF, X_SAF, {S, TCP_RST, SI + 1, 0, 0, 0}}},

    {TCP_ST_CLOSE_WAIT, TCP_EV_SEND_FIN, {X_SYN, X_SA, X_ACK, X_CF, X_SAF, X_SF}},
    {TCP_ST_CLOSE_WAIT, TCP_EV_SEND_FIN_CROSSED, {X_SYN, X_SA, X_ACK, X_CF, X_SFX}},
    {TCP_ST_CLOSE_WAIT,
     TCP_EV_RST,
     {X_SYN, X_SA, X_ACK, X_CF, {S, TCP_RST, SI + 1, 0, 0, 0}}},

    {TCP_ST_CLOSING, TCP_EV_FIN_ACKED, {X_SYN, X_SA, X_ACK, X_CF, X_SFX, X_CAF}},
    {TCP_ST_CLOSING,
     TCP_EV_RST,
     {X_SYN, X_SA, X_ACK, X_CF, X_SFX, {C, TCP_RST, CI + 2, 0, 0, 0}}},

    {TCP_ST_LAST_ACK, TCP_EV_FIN_ACKED, {X_SYN, X_SA, X_ACK, X_CF, X_SAF, X_SF, X_CAF}},
    {TCP_ST_LAST_ACK,
     TCP_EV_RST,
     {X_SYN, X_SA, X_ACK, X_CF, X_SAF, X_SF, {S, TCP_RST, SI + 2, 0, 0, 0}}},

    /* the last ACK retransmitted after 2 * MSL (60 s) */
    {TCP_ST_TIME_WAIT,
     TCP_EV_2MSL,
     {X_SYN, X_SA, X_ACK, X_CF, X_SAF, X_SF, X_CAF, {C, TCP_ACK, CI + 2, SI + 2, 0, 61000}}},
    {TCP_ST_TIME_WAIT,
     TCP_EV_RST,
     {X_SYN, X_SA, X_ACK, X_CF, X_SAF, X_SF, {S, TCP_RST, SI + 2, 0, 0, 0}}},
};

/* Runs one case through tcp_state_step_traced(); sets reached[from][ev] for every transition. */
static void
run_row_case(const struct row_case *rc, bool reached[TCP_ST_COUNT][TCP_EV_COUNT])
{
    bool mine = false;
    char what[96];

    snprintf(what, sizeof(what), "case %s/%s", tcp_state_name(rc->from),
             tcp_ep_event_name(rc->ev));
    setup();
    for (unsigned k = 0; k < 10 && rc->seg[k].flags != 0; k++) {
        const struct row_seg *x = &rc->seg[k];
        struct tcp_state_trace tr = {0};
        uint8_t before[2] = {st.ep[0].state, st.ep[1].state};
        struct pkt_meta m;

        memset(&m, 0, sizeof(m));
        now_ns += (x->after_ms != 0 ? x->after_ms : 1u) * MS;
        m.ts_ns = now_ns;
        m.flags = x->flags;
        m.seq = x->seq;
        m.ack = x->ack;
        m.window = 65535;
        m.payload_len = m.payload_cap = x->len;
        ck_assert_int_eq(tcp_state_step_traced(&st, &stc, &fl, x->from_client ? FLOW_DIR_AB
                                                                               : FLOW_DIR_BA,
                                               &m, ++pkt_no, &cfg, &tr),
                         TCP_STEP_OK);
        assert_trace_explains(before, &st, &tr, what, pkt_no);
        for (unsigned t = 0; t < tr.n; t++) {
            reached[tr.t[t].from][tr.t[t].event] = true;
            mine |= tr.t[t].from == rc->from && tr.t[t].event == rc->ev;
        }
    }
    if (!mine)
        ck_abort_msg("%s does not reach its row", what);
}

/*
 * The table is the machine: every row is reached by a packet sequence, and
 * every state change those sequences cause is a row (through the trace).
 */
START_TEST(test_every_table_row_is_reached_by_a_packet_sequence)
{
    bool reached[TCP_ST_COUNT][TCP_EV_COUNT];
    unsigned rows = 0;

    memset(reached, 0, sizeof(reached));
    for (size_t i = 0; i < sizeof(row_cases) / sizeof(row_cases[0]); i++)
        run_row_case(&row_cases[i], reached);
    for (int s = 0; s < TCP_ST_COUNT; s++)
        for (int e = 0; e < TCP_EV_COUNT; e++) {
            if (tcp_state_next[s][e] == TCP_ST_NONE)
                continue;
            rows++;
            if (!reached[s][e])
                ck_abort_msg("row %s --%s--> %s is reached by no packet sequence",
                             tcp_state_name(s), tcp_ep_event_name(e),
                             tcp_state_name(tcp_state_next[s][e]));
        }
    ck_assert_uint_eq(rows, sizeof(row_cases) / sizeof(row_cases[0]));
}
END_TEST

/* What the table says, in words a reader checks against RFC 9293. */
START_TEST(test_table_shape)
{
    for (int s = 0; s < TCP_ST_COUNT; s++) {
        ck_assert_int_eq(tcp_state_next[s][TCP_EV_RST],
                         s == TCP_ST_CLOSED ? TCP_ST_NONE : TCP_ST_CLOSED);
        for (int e = 0; e < TCP_EV_COUNT; e++) {
            if (tcp_state_next[s][e] != TCP_ST_NONE)
                ck_assert_int_ne(tcp_state_next[s][e], s); /* no self-loops */
            ck_assert_str_ne(tcp_ep_event_name(e), "?");
        }
    }
    for (int e = 0; e < TCP_EV_COUNT; e++)
        ck_assert_int_eq(tcp_state_next[TCP_ST_CLOSED][e], TCP_ST_NONE); /* CLOSED is final */
    /* only TIME_WAIT has a timer */
    for (int s = 0; s < TCP_ST_COUNT; s++)
        ck_assert_int_eq(tcp_state_next[s][TCP_EV_2MSL] != TCP_ST_NONE, s == TCP_ST_TIME_WAIT);
    /* a FIN is not processed in SYN-SENT (RFC 9293 3.10.7.3), nor before any segment */
    ck_assert_int_eq(tcp_state_next[TCP_ST_SYN_SENT][TCP_EV_GET_FIN], TCP_ST_NONE);
    ck_assert_int_eq(tcp_state_next[TCP_ST_NONE][TCP_EV_GET_FIN], TCP_ST_NONE);
    ck_assert_int_eq(tcp_state_next[TCP_ST_CLOSE_WAIT][TCP_EV_SEND_FIN], TCP_ST_LAST_ACK);
    ck_assert_int_eq(tcp_state_next[TCP_ST_CLOSE_WAIT][TCP_EV_SEND_FIN_CROSSED], TCP_ST_CLOSING);
    ck_assert_str_eq(tcp_ep_event_name(TCP_EV_COUNT), "?");
}
END_TEST

/*
 * tcp_session_init() writes only the non-zero initial values, relying on the
 * flow table handing it a zeroed extension area: on zeroed memory it must
 * give exactly what the observers' full init functions give on garbage.
 */
START_TEST(test_session_init_on_zeroed_memory_matches_full_init)
{
    struct tcp_session a, b;
    struct tcp_cfg c;

    tcp_cfg_default(&c);
    memset(&a, 0, sizeof(a));
    tcp_session_init(&a, &c);
    memset(&b, 0xa5, sizeof(b));
    tcp_state_init(&b.st, &b.st_cold);
    tcp_an_init(&b.an, &b.an_cold);
    tcp_zeek_init(&b.zk, &b.zk_cold);
    ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
}
END_TEST

static Suite *
tcp_state_suite(void)
{
    Suite *s = suite_create("tcp_state");
    TCase *open = tcase_create("open");
    TCase *roles = tcase_create("roles");
    TCase *close = tcase_create("close");
    TCase *rst = tcase_create("rst");
    TCase *viol = tcase_create("violations");
    TCase *seqwin = tcase_create("seq_window");
    TCase *reuse = tcase_create("reuse_time_wait");
    TCase *stuck = tcase_create("stuck");
    TCase *misc = tcase_create("tclass_names");
    TCase *all[] = {open, roles, close, rst, viol, seqwin, reuse, stuck, misc};

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        tcase_add_checked_fixture(all[i], setup, teardown);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(open, test_normal_open_walks_syn_sent_syn_received_established);
    tcase_add_test(open, test_simultaneous_open_reaches_established_through_syn_received);
    tcase_add_test(open, test_syn_retransmission_is_not_a_violation);
    tcase_add_test(open, test_synack_retransmission_is_not_a_violation);
    tcase_add_test(open, test_tfo_syn_data_consumes_sequence_space_after_the_syn);
    tcase_add_test(open, test_tfo_data_not_acked_by_synack_is_fine_and_resent_in_third_ack);
    tcase_add_test(open, test_data_in_third_ack_is_not_data_before_handshake);
    tcase_add_test(roles, test_midstream_roles_guessed_from_ports);
    tcase_add_test(roles, test_midstream_well_known_port_on_key_side_a_is_the_server);
    tcase_add_test(roles, test_midstream_both_high_ports_lower_is_server);
    tcase_add_test(roles, test_synack_fixes_a_wrong_role_guess);
    tcase_add_test(roles, test_first_packet_synack_makes_its_receiver_the_client);
    tcase_add_test(close, test_client_closes_first_four_way_close);
    tcase_add_test(close, test_server_closes_first_four_way_close);
    tcase_add_test(close, test_fin_that_acks_the_peer_fin_goes_straight_to_time_wait);
    tcase_add_test(close, test_simultaneous_close_goes_through_closing);
    tcase_add_test(close, test_fin_with_data_is_fine);
    tcase_add_test(close, test_data_from_close_wait_side_after_half_close_is_allowed);
    tcase_add_test(close, test_data_after_own_fin_is_flagged);
    tcase_add_test(rst, test_exact_rst_from_client_is_accepted);
    tcase_add_test(rst, test_exact_rst_from_server_is_accepted);
    tcase_add_test(rst, test_rst_at_sender_snd_nxt_not_yet_acked_is_accepted);
    tcase_add_test(rst, test_inexact_rst_in_window_from_client_is_ignored);
    tcase_add_test(rst, test_inexact_rst_in_window_from_server_is_ignored);
    tcase_add_test(rst, test_out_of_window_rst_from_client_is_ignored);
    tcase_add_test(rst, test_out_of_window_rst_from_server_is_ignored);
    tcase_add_test(rst, test_midstream_rst_without_window_info_is_accepted);
    tcase_add_test(rst, test_syn_answered_by_rst_ack_is_rejected);
    tcase_add_test(rst, test_rst_with_wrong_ack_in_syn_sent_is_ignored);
    tcase_add_test(viol, test_synack_with_wrong_ack_is_flagged);
    tcase_add_test(viol, test_third_ack_with_wrong_ack_is_flagged);
    tcase_add_test(viol, test_ack_of_unsent_data_is_flagged);
    tcase_add_test(viol, test_ack_one_past_last_byte_infers_the_missed_fin);
    tcase_add_test(viol, test_fin_ack_one_past_last_byte_infers_the_missed_fin);
    tcase_add_test(viol, test_ack_two_past_last_byte_is_still_unsent_data);
    tcase_add_test(viol, test_third_ack_without_synack_infers_the_missed_synack);
    tcase_add_test(viol, test_server_ack_before_synack_infers_nothing);
    tcase_add_test(viol, test_ack_after_a_sequence_hole_is_not_flagged_unsent);
    tcase_add_test(viol, test_ack_moving_backwards_is_flagged);
    tcase_add_test(viol, test_reordered_old_ack_within_window_is_not_flagged);
    tcase_add_test(viol, test_segment_beyond_receive_window_is_flagged);
    tcase_add_test(viol, test_zero_window_probe_is_not_out_of_window);
    tcase_add_test(viol, test_new_isn_while_syn_sent_is_a_new_connection);
    tcase_add_test(viol, test_syn_with_changed_isn_on_live_connection_is_not_reuse);
    tcase_add_test(viol, test_bad_flag_combination_is_flagged_and_not_obeyed);
    tcase_add_test(viol, test_client_data_before_handshake_is_flagged);
    tcase_add_test(viol, test_fin_retransmitted_elsewhere_is_flagged);
    tcase_add_test(viol, test_only_the_first_examples_are_kept_in_packet_order);
    tcase_add_test(viol, test_a_flood_of_one_kind_leaves_room_for_others);
    tcase_add_test(seqwin, test_sequence_wrap_at_2_32);
    tcase_add_test(seqwin, test_window_scaled_when_both_syns_negotiated_it);
    tcase_add_test(seqwin, test_window_not_scaled_when_only_one_syn_offered_it);
    tcase_add_test(seqwin, test_window_check_lenient_when_handshake_missed);
    tcase_add_test(reuse, test_new_syn_after_fin_close_is_port_reuse);
    tcase_add_test(reuse, test_syn_after_rst_is_port_reuse);
    tcase_add_test(reuse, test_syn_after_rejection_is_port_reuse);
    tcase_add_test(reuse, test_syn_above_old_sequence_in_time_wait_is_port_reuse);
    tcase_add_test(reuse, test_time_wait_expires_to_closed_after_two_msl);
    tcase_add_test(reuse, test_time_wait_honours_configured_msl);
    tcase_add_test(stuck, test_not_stuck_before_stuck_after);
    tcase_add_test(stuck, test_unanswered_syn_is_stuck_once);
    tcase_add_test(stuck, test_close_wait_without_fin_is_stuck);
    tcase_add_test(stuck, test_retransmitting_without_acks_is_half_open);
    tcase_add_test(stuck, test_one_side_silent_while_other_keeps_sending_is_half_open);
    tcase_add_test(stuck, test_idle_established_connection_is_not_stuck);
    tcase_add_test(stuck, test_zero_window_held_is_stuck_and_reopening_clears_it);
    tcase_add_test(stuck, test_closed_connection_is_never_stuck);
    tcase_add_test(misc, test_tclass_follows_the_connection);
    tcase_add_test(misc, test_midstream_pickup_is_established_class);
    tcase_add_test(misc, test_names_are_stable);
    tcase_add_test(misc, test_tclass_table_matches_definition);
    tcase_add_test(misc, test_fast_path_matches_general_path);
    tcase_add_test(misc, test_every_table_row_is_reached_by_a_packet_sequence);
    tcase_add_test(misc, test_table_shape);
    tcase_add_test(misc, test_session_init_on_zeroed_memory_matches_full_init);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(tcp_state_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
