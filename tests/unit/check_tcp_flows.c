/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the flag-level flow view used by --flows-only (src/tcp/tcp_flows.c). */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_flows.h"

static struct flow f;

static void
setup(void)
{
    memset(&f, 0, sizeof(f));
    f.key.ip_version = 4;
    f.key.pa = 40000; /* a: client-ish high port */
    f.key.pb = 80;    /* b: server port */
}

static struct pkt_meta
seg(uint16_t flags)
{
    struct pkt_meta m;

    memset(&m, 0, sizeof(m));
    m.flags = flags;
    return m;
}

START_TEST(test_syn_sender_is_client)
{
    struct pkt_meta m = seg(TCP_SYN);

    tcp_flows_roles(&f, FLOW_DIR_BA, &m); /* even from the low port */
    ck_assert_int_eq(f.client_dir, FLOW_DIR_BA);
    ck_assert_int_eq(f.flags & (FLOW_F_ROLES_GUESSED | FLOW_F_ROLES_FROM_SYNACK), 0);
}
END_TEST

START_TEST(test_synack_receiver_is_client)
{
    struct pkt_meta m = seg(TCP_SYN | TCP_ACK);

    tcp_flows_roles(&f, FLOW_DIR_BA, &m);
    ck_assert_int_eq(f.client_dir, FLOW_DIR_AB);
    ck_assert(f.flags & FLOW_F_ROLES_FROM_SYNACK);
}
END_TEST

START_TEST(test_midstream_roles_are_guessed_from_ports)
{
    struct pkt_meta m = seg(TCP_ACK);

    tcp_flows_roles(&f, FLOW_DIR_BA, &m); /* first packet from port 80 */
    ck_assert_int_eq(f.client_dir, FLOW_DIR_AB);
    ck_assert(f.flags & FLOW_F_ROLES_GUESSED);
}
END_TEST

START_TEST(test_timeout_class_follows_flags_seen)
{
    ck_assert_int_eq(tcp_flows_tclass(&f), FLOW_TC_NEW);
    f.tcp_flags[FLOW_DIR_AB] = TCP_SYN;
    f.tcp_flags[FLOW_DIR_BA] = TCP_SYN | TCP_ACK;
    ck_assert_int_eq(tcp_flows_tclass(&f), FLOW_TC_NEW);
    f.tcp_flags[FLOW_DIR_AB] |= TCP_ACK;
    ck_assert_int_eq(tcp_flows_tclass(&f), FLOW_TC_ESTABLISHED);
    f.tcp_flags[FLOW_DIR_AB] |= TCP_FIN;
    ck_assert_int_eq(tcp_flows_tclass(&f), FLOW_TC_CLOSING);
    f.tcp_flags[FLOW_DIR_BA] |= TCP_FIN;
    ck_assert_int_eq(tcp_flows_tclass(&f), FLOW_TC_CLOSED);
    f.tcp_flags[FLOW_DIR_BA] = TCP_RST;
    f.tcp_flags[FLOW_DIR_AB] = TCP_SYN;
    ck_assert_int_eq(tcp_flows_tclass(&f), FLOW_TC_CLOSED);
}
END_TEST

START_TEST(test_bare_syn_on_closed_tuple_is_reuse_only_when_closed)
{
    struct pkt_meta syn = seg(TCP_SYN), synack = seg(TCP_SYN | TCP_ACK);

    f.tclass = FLOW_TC_ESTABLISHED;
    ck_assert_int_eq(tcp_flows_step(&f, FLOW_DIR_AB, &syn), TCP_STEP_OK);
    f.tclass = FLOW_TC_CLOSING;
    ck_assert_int_eq(tcp_flows_step(&f, FLOW_DIR_AB, &syn), TCP_STEP_OK);
    f.tclass = FLOW_TC_CLOSED;
    ck_assert_int_eq(tcp_flows_step(&f, FLOW_DIR_AB, &synack), TCP_STEP_OK);
    ck_assert_int_eq(tcp_flows_step(&f, FLOW_DIR_AB, &syn), TCP_STEP_REUSE);
}
END_TEST

static Suite *
flows_suite(void)
{
    Suite *s = suite_create("tcp_flows");
    TCase *tc = tcase_create("flags");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_syn_sender_is_client);
    tcase_add_test(tc, test_synack_receiver_is_client);
    tcase_add_test(tc, test_midstream_roles_are_guessed_from_ports);
    tcase_add_test(tc, test_timeout_class_follows_flags_seen);
    tcase_add_test(tc, test_bare_syn_on_closed_tuple_is_reuse_only_when_closed);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(flows_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
