/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the metrics exposition (src/report/metrics.c): the name
 * rule from stats paths, families kept whole when their counters are not
 * adjacent, the histogram, the per-server stuck ranking (ties by address),
 * servers shown at 0 after they leave the list and dropped when stale, and
 * the --metrics-listen syntax.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report/metrics.h"
#include "util/stats.h"

#define NS 1000000000ULL

static void
name_is(const char *path, const char *want, enum metrics_type want_type, const char *want_label,
        const char *want_value)
{
    char name[METRICS_NAME_MAX], lv[METRICS_LABEL_MAX];
    const char *ln;
    enum metrics_type t;

    ck_assert_msg(metrics_name(path, name, &t, &ln, lv) == 0, "%s has no metric", path);
    ck_assert_str_eq(name, want);
    ck_assert_int_eq(t, want_type);
    if (want_label == NULL) {
        ck_assert_ptr_null(ln);
    } else {
        ck_assert_ptr_nonnull(ln);
        ck_assert_str_eq(ln, want_label);
        ck_assert_str_eq(lv, want_value);
    }
}

START_TEST(test_names_derive_from_stats_paths)
{
    char name[METRICS_NAME_MAX], lv[METRICS_LABEL_MAX];
    const char *ln;
    enum metrics_type t;

    name_is("decoder.pkts", "flowstate_decoder_pkts_total", METRICS_COUNTER, NULL, NULL);
    name_is("decoder.outcome.tcp", "flowstate_decoder_outcome_total", METRICS_COUNTER, "outcome",
            "tcp");
    name_is("decoder.linktype.EN10MB", "flowstate_decoder_linktype_total", METRICS_COUNTER,
            "linktype", "EN10MB");
    name_is("flow.end.tcp_reuse", "flowstate_flow_end_total", METRICS_COUNTER, "reason",
            "tcp_reuse");
    name_is("tcp.violations.ack_backwards", "flowstate_tcp_violations_total", METRICS_COUNTER,
            "kind", "ack_backwards");
    /* flowstate's own namespace is dropped: a counter moving into it keeps its name */
    name_is("flowstate.tcp.violations.ack_backwards", "flowstate_tcp_violations_total",
            METRICS_COUNTER, "kind", "ack_backwards");
    name_is("flowstate.capture.handles.3.kernel_drops", "flowstate_capture_handles_kernel_drops_total",
            METRICS_COUNTER, "worker", "3");
    name_is("flowstate.output.redis.lost", "flowstate_output_redis_lost_total", METRICS_COUNTER,
            NULL, NULL);
    name_is("flow.active", "flowstate_flow_active", METRICS_GAUGE, NULL, NULL);
    name_is("flow.max_flows", "flowstate_flow_max_flows", METRICS_GAUGE, NULL, NULL);
    name_is("flowstate.flow.memcap_bytes", "flowstate_flow_memcap_bytes", METRICS_GAUGE, NULL,
            NULL);
    /* Suricata's flow.memcap counts the times the memcap was hit: a counter */
    name_is("flow.memcap", "flowstate_flow_memcap_total", METRICS_COUNTER, NULL, NULL);
    name_is("flow.end.tcp_state.close_wait", "flowstate_flow_end_tcp_state_total", METRICS_COUNTER,
            "tcp_state", "close_wait");
    name_is("flow.end.state.new", "flowstate_flow_end_state_total", METRICS_COUNTER, "state",
            "new");
    name_is("odd.name-with-dash", "flowstate_odd_name_with_dash_total", METRICS_COUNTER, NULL,
            NULL);
    name_is("flowstate.tcp.handshake_rtt.le_us.250", "flowstate_tcp_handshake_rtt_seconds",
            METRICS_HISTOGRAM, "le", "0.00025");
    name_is("flowstate.tcp.handshake_rtt.le_us.2500000", "flowstate_tcp_handshake_rtt_seconds",
            METRICS_HISTOGRAM, "le", "2.5");
    name_is("flowstate.tcp.handshake_rtt.le_us.10000000", "flowstate_tcp_handshake_rtt_seconds",
            METRICS_HISTOGRAM, "le", "10");
    /* deltas (changes since the last stats record) are not metrics */
    ck_assert_int_eq(metrics_name("flow.end.timeout_delta", name, &t, &ln, lv), -1);
    ck_assert_int_eq(metrics_name("flowstate.", name, &t, &ln, lv), -1);
    ck_assert_int_eq(metrics_name("tcp.handshake_rtt.le_us.x", name, &t, &ln, lv), -1);
}
END_TEST

static char *
render(const struct stat_list *l, struct metrics_gauges *g, uint64_t now_ns)
{
    struct metrics_buf b;

    metrics_buf_init(&b);
    metrics_render(&b, l, g, now_ns);
    ck_assert_ptr_nonnull(b.p);
    return b.p; /* owned by the caller */
}

static size_t
count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

START_TEST(test_a_family_is_written_whole_when_its_counters_interleave)
{
    struct stat_list l;
    char *t;
    const char *a, *b, *c;

    stat_list_init(&l);
    stat_list_add(&l, "flowstate.capture.handles.0.kernel_packets", 10);
    stat_list_add(&l, "flowstate.capture.handles.0.kernel_drops", 1);
    stat_list_add(&l, "flowstate.capture.handles.1.kernel_packets", 20);
    stat_list_add(&l, "flowstate.capture.handles.1.kernel_drops", 2);
    t = render(&l, NULL, 0);
    ck_assert_uint_eq(count(t, "# TYPE flowstate_capture_handles_kernel_packets_total counter\n"), 1);
    ck_assert_uint_eq(count(t, "# TYPE flowstate_capture_handles_kernel_drops_total counter\n"), 1);
    a = strstr(t, "flowstate_capture_handles_kernel_packets_total{worker=\"0\"} 10\n");
    b = strstr(t, "flowstate_capture_handles_kernel_packets_total{worker=\"1\"} 20\n");
    c = strstr(t, "# HELP flowstate_capture_handles_kernel_drops_total");
    ck_assert(a != NULL && b != NULL && c != NULL);
    ck_assert(a < b && b < c); /* recv's samples together, then drop's */
    ck_assert_ptr_nonnull(strstr(t, "EVE stats.flowstate.capture.handles.<worker>.kernel_packets"));
    free(t);
    stat_list_fini(&l);
}
END_TEST

START_TEST(test_histogram_has_inf_sum_and_count)
{
    struct stat_list l;
    char *t;

    stat_list_init(&l);
    stat_list_add(&l, "flowstate.tcp.handshake_rtt.count", 3);
    stat_list_add(&l, "flowstate.tcp.handshake_rtt.sum_ns", 1500000001);
    stat_list_add(&l, "flowstate.tcp.handshake_rtt.le_us.100", 1);
    stat_list_add(&l, "flowstate.tcp.handshake_rtt.le_us.1000000", 2);
    t = render(&l, NULL, 0);
    ck_assert_ptr_nonnull(strstr(t, "# TYPE flowstate_tcp_handshake_rtt_seconds histogram\n"
                                    "flowstate_tcp_handshake_rtt_seconds_bucket{le=\"0.0001\"} 1\n"
                                    "flowstate_tcp_handshake_rtt_seconds_bucket{le=\"1\"} 2\n"
                                    "flowstate_tcp_handshake_rtt_seconds_bucket{le=\"+Inf\"} 3\n"
                                    "flowstate_tcp_handshake_rtt_seconds_sum 1.500000001\n"
                                    "flowstate_tcp_handshake_rtt_seconds_count 3\n"));
    free(t);
    stat_list_fini(&l);
}
END_TEST

/* A connection to server 192.0.2.<last>:<port>, stuck with kind (NONE = not stuck). */
static struct flow_record
conn(uint8_t last, uint16_t port, enum tcp_stuck_kind kind)
{
    struct flow_record r;

    memset(&r, 0, sizeof(r));
    r.has_session = true;
    r.ip_version = 4;
    r.dest_ip.b[0] = 192;
    r.dest_ip.b[2] = 2;
    r.dest_ip.b[3] = last;
    r.dest_port = port;
    r.s.client.state = TCP_ST_FIN_WAIT_2;
    r.s.server.state = kind == TCP_STUCK_CLOSE_WAIT ? TCP_ST_CLOSE_WAIT : TCP_ST_ESTABLISHED;
    memcpy(r.s.conn_state, "S1", 3);
    r.s.stuck = (uint8_t)kind;
    return r;
}

static void
add(struct metrics_gauges *g, uint8_t last, uint16_t port, enum tcp_stuck_kind kind, int times)
{
    for (int i = 0; i < times; i++) {
        struct flow_record r = conn(last, port, kind);

        metrics_gauges_add(g, &r);
    }
}

#define SRV(last, port, kind) \
    "flowstate_tcp_server_stuck_connections{server_addr=\"192.0.2." #last "\",server_port=\"" #port \
    "\",kind=\"" kind "\"} "

START_TEST(test_top_servers_by_stuck_count_ties_by_address)
{
    struct metrics_gauges *g = metrics_gauges_new(2);
    char *t;

    add(g, 9, 80, TCP_STUCK_CLOSE_WAIT, 2);
    add(g, 5, 443, TCP_STUCK_HALF_OPEN, 1);
    add(g, 5, 443, TCP_STUCK_CLOSE_WAIT, 1);  /* .5:443 also has 2 */
    add(g, 7, 22, TCP_STUCK_CLOSE_WAIT, 3);   /* the most */
    add(g, 1, 25, TCP_STUCK_NONE, 5);         /* not stuck: never listed */
    t = render(NULL, g, 100 * NS);
    ck_assert_ptr_nonnull(strstr(t, SRV(7, 22, "close_wait") "3\n"));
    ck_assert_ptr_nonnull(strstr(t, SRV(5, 443, "close_wait") "1\n"));
    ck_assert_ptr_nonnull(strstr(t, SRV(5, 443, "half_open") "1\n"));
    ck_assert_ptr_null(strstr(t, "192.0.2.9\""));  /* the tie goes to the lower address */
    ck_assert_ptr_null(strstr(t, "192.0.2.1\""));
    ck_assert(strstr(t, "192.0.2.7\"") < strstr(t, "192.0.2.5\"")); /* rank order */
    ck_assert_ptr_nonnull(strstr(t, "flowstate_tcp_stuck_connections{kind=\"close_wait\"} 6\n"));
    ck_assert_ptr_nonnull(strstr(t, "flowstate_tcp_stuck_connections{kind=\"half_open\"} 1\n"));
    ck_assert_ptr_nonnull(
        strstr(t, "flowstate_tcp_endpoints{state=\"close_wait\",role=\"server\"} 6\n"));
    ck_assert_ptr_nonnull(
        strstr(t, "flowstate_tcp_endpoints{state=\"fin_wait_2\",role=\"client\"} 12\n"));
    ck_assert_ptr_nonnull(strstr(t, "flowstate_tcp_connections{conn_state=\"S1\"} 12\n"));
    free(t);
    metrics_gauges_free(g);
}
END_TEST

START_TEST(test_a_server_leaving_the_list_shows_0_until_stale)
{
    struct metrics_gauges *g = metrics_gauges_new(1);
    char *t;

    add(g, 9, 80, TCP_STUCK_CLOSE_WAIT, 1);
    free(render(NULL, g, 10 * NS));
    /* it closed: shown at 0 */
    metrics_gauges_reset(g);
    t = render(NULL, g, 11 * NS);
    ck_assert_ptr_nonnull(strstr(t, SRV(9, 80, "close_wait") "0\n"));
    free(t);
    /* another server takes the one place; the retired one stays at 0 beside it */
    metrics_gauges_reset(g);
    add(g, 3, 80, TCP_STUCK_SYN_UNANSWERED, 1);
    t = render(NULL, g, 12 * NS);
    ck_assert_ptr_nonnull(strstr(t, SRV(3, 80, "syn_unanswered") "1\n"));
    ck_assert_ptr_nonnull(strstr(t, SRV(9, 80, "close_wait") "0\n"));
    free(t);
    /* 300 s after it left, .9 is gone; .3 (retired at 13 s) is still there */
    metrics_gauges_reset(g);
    t = render(NULL, g, 13 * NS);
    free(t);
    metrics_gauges_reset(g);
    t = render(NULL, g, 11 * NS + METRICS_RETIRE_NS);
    ck_assert_ptr_null(strstr(t, "192.0.2.9\""));
    ck_assert_ptr_nonnull(strstr(t, SRV(3, 80, "syn_unanswered") "0\n"));
    free(t);
    metrics_gauges_free(g);
}
END_TEST

START_TEST(test_retired_servers_are_capped_at_top_n)
{
    struct metrics_gauges *g = metrics_gauges_new(2);
    char *t;

    for (uint8_t i = 1; i <= 6; i++) {
        metrics_gauges_reset(g);
        add(g, i, 80, TCP_STUCK_CLOSE_WAIT, 1);
        free(render(NULL, g, i * NS));
    }
    metrics_gauges_reset(g);
    t = render(NULL, g, 7 * NS);
    /* only the two most recently retired */
    ck_assert_uint_eq(count(t, ",kind=\"close_wait\"} 0\n"), 2);
    ck_assert_ptr_nonnull(strstr(t, SRV(6, 80, "close_wait")));
    ck_assert_ptr_nonnull(strstr(t, SRV(5, 80, "close_wait")));
    ck_assert_ptr_null(strstr(t, "192.0.2.4\""));
    free(t);
    metrics_gauges_free(g);
}
END_TEST

START_TEST(test_records_without_session_count_nowhere)
{
    struct metrics_gauges *g = metrics_gauges_new(10);
    struct flow_record r = conn(1, 80, TCP_STUCK_CLOSE_WAIT);
    char *t;

    r.has_session = false;
    metrics_gauges_add(g, &r);
    t = render(NULL, g, 0);
    ck_assert_ptr_null(strstr(t, "} 1\n"));
    free(t);
    metrics_gauges_free(g);
}
END_TEST

START_TEST(test_listen_syntax)
{
    char host[256], err[256];
    unsigned port;

    ck_assert_int_eq(metrics_listen_parse("127.0.0.1:9100", host, sizeof(host), &port, err), 0);
    ck_assert_str_eq(host, "127.0.0.1");
    ck_assert_uint_eq(port, 9100);
    ck_assert_int_eq(metrics_listen_parse("[::1]:65535", host, sizeof(host), &port, err), 0);
    ck_assert_str_eq(host, "::1");
    ck_assert_uint_eq(port, 65535);
    ck_assert_int_eq(metrics_listen_parse(":9100", host, sizeof(host), &port, err), 0);
    ck_assert_str_eq(host, "");
    ck_assert_int_eq(metrics_listen_parse("localhost:1", host, sizeof(host), &port, err), 0);
    ck_assert_int_eq(metrics_listen_parse("::1:9100", host, sizeof(host), &port, err), -1);
    ck_assert_int_eq(metrics_listen_parse("[::1]9100", host, sizeof(host), &port, err), -1);
    ck_assert_int_eq(metrics_listen_parse("127.0.0.1", host, sizeof(host), &port, err), -1);
    ck_assert_int_eq(metrics_listen_parse("h:0", host, sizeof(host), &port, err), -1);
    ck_assert_int_eq(metrics_listen_parse("h:65536", host, sizeof(host), &port, err), -1);
    ck_assert_int_eq(metrics_listen_parse("h:", host, sizeof(host), &port, err), -1);
    ck_assert_int_eq(metrics_listen_parse("h:+1", host, sizeof(host), &port, err), -1);
    ck_assert_int_eq(metrics_listen_parse("h:80x", host, sizeof(host), &port, err), -1);
    ck_assert_ptr_nonnull(strstr(err, "--metrics-listen"));
}
END_TEST

static Suite *
metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_names_derive_from_stats_paths);
    tcase_add_test(tc, test_a_family_is_written_whole_when_its_counters_interleave);
    tcase_add_test(tc, test_histogram_has_inf_sum_and_count);
    tcase_add_test(tc, test_top_servers_by_stuck_count_ties_by_address);
    tcase_add_test(tc, test_a_server_leaving_the_list_shows_0_until_stale);
    tcase_add_test(tc, test_retired_servers_are_capped_at_top_n);
    tcase_add_test(tc, test_records_without_session_count_nowhere);
    tcase_add_test(tc, test_listen_syntax);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(metrics_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
