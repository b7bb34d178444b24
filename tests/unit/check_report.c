/*
 * check_report: the EVE, Zeek and text writers and their shared helpers.
 * Records are built by hand, each writer writes into an open_memstream()
 * buffer, and the exact bytes are asserted. Strings that come from other
 * modules' name functions are built with those functions, so these tests
 * pin the writers' format, not the names.
 */
#include <config.h>

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* 2009-11-18T08:00:21.123456789Z */
#define T0 1258531221123456789ull

static struct flow_record
sample_record(void)
{
    struct flow_record r;

    memset(&r, 0, sizeof(r));
    r.event = "flow";
    r.has_session = true;
    r.flow_id = 1234567;
    snprintf(r.uid, sizeof(r.uid), "CAbc123");
    snprintf(r.community_id, sizeof(r.community_id), "1:abcd");
    r.ip_version = 4;
    r.proto = 6;
    r.src_ip.b[0] = 10, r.src_ip.b[3] = 1;
    r.dest_ip.b[0] = 10, r.dest_ip.b[3] = 2;
    r.src_port = 40000;
    r.dest_port = 80;
    r.start_ns = T0;
    r.end_ns = T0 + 9900000000ull; /* 08:00:31.023456 */
    r.now_ns = r.end_ns;
    r.pkts_toserver = 5;
    r.pkts_toclient = 4;
    r.bytes_toserver = 500;
    r.bytes_toclient = 4000;
    r.ip_bytes_toserver = 430;
    r.ip_bytes_toclient = 3944;
    r.tcp_flags_ts = 0x1b;
    r.tcp_flags_tc = 0x13;
    r.reason = FLOW_END_TIMEOUT;
    r.flow_state = "closed";
    r.s.client.state = TCP_ST_TIME_WAIT;
    r.s.server.state = TCP_ST_CLOSED;
    r.s.client.isn_known = true;
    r.s.client.isn = 4000000000u;
    r.s.client.mss = 1460;
    r.s.client.wscale = 7;
    r.s.client.sack_ok = true;
    r.s.server.wscale = -1;
    r.s.client.packets = 5;
    r.s.client.payload_bytes = 100;
    r.s.client.unique_bytes = 90;
    r.s.client.retransmitted_bytes = 10;
    r.s.client.retransmits = 1;
    r.s.client.violations[TV_ACK_BACKWARDS] = 2;
    r.s.handshake = TCP_HS_COMPLETE;
    r.s.close = TCP_CLOSE_FIN;
    r.s.suricata_state = "closed";
    r.s.handshake_rtt_ns = 123456; /* 0.000123 s after truncation */
    r.s.client.rtt.samples = 2;
    r.s.client.rtt.min_ns = 1000000;
    r.s.client.rtt.max_ns = 2000000;
    r.s.client.rtt.sum_ns = 3000000; /* avg 0.0015 */
    r.s.zeek_orig_is_client = true;
    snprintf(r.s.conn_state, sizeof(r.s.conn_state), "SF");
    snprintf(r.s.history, sizeof(r.s.history), "ShADadFf");
    r.s.zeek_orig_bytes = 90;
    r.s.zeek_resp_bytes = 3500;
    r.s.zeek_last_ts_ns = T0 + 9000000000ull;
    return r;
}

enum feed { FEED_END, FEED_UPDATE, FEED_STUCK };

struct run {
    char *buf;
    size_t len;
    int close_rc;
};

/* Writes records (and optionally stats) with ops into memory. Free run.buf. */
static struct run
run_writer(const struct reporter_ops *ops, const struct flow_record *recs, const enum feed *how,
           size_t n, const struct stats_record *st)
{
    struct run out = {NULL, 0, 0};
    struct report_opts o = {.format = REPORT_TEXT, .line_buffered = true};
    char err[256];
    void *priv = NULL;
    FILE *f = open_memstream(&out.buf, &out.len);
    size_t i;

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ops->open(&priv, f, &o, err), 0);
    for (i = 0; i < n; i++) {
        enum feed h = how != NULL ? how[i] : FEED_END;
        if (h == FEED_UPDATE && ops->flow_update != NULL)
            ops->flow_update(priv, &recs[i]);
        else if (h == FEED_STUCK && ops->stuck != NULL)
            ops->stuck(priv, &recs[i]);
        else if (h == FEED_END)
            ops->flow_end(priv, &recs[i]);
    }
    if (st != NULL)
        ops->stats(priv, st);
    out.close_rc = ops->close(priv);
    ck_assert_int_eq(fclose(f), 0);
    return out;
}

/* ---- helpers ---------------------------------------------------------------- */

START_TEST(test_iso8601_epoch_zero)
{
    char buf[40];

    ck_assert_str_eq(report_iso8601(0, buf, sizeof(buf)), "1970-01-01T00:00:00.000000+0000");
}
END_TEST

START_TEST(test_iso8601_truncates_nanoseconds_to_microseconds)
{
    char buf[40];

    ck_assert_str_eq(report_iso8601(T0, buf, sizeof(buf)), "2009-11-18T08:00:21.123456+0000");
    ck_assert_str_eq(report_iso8601(999, buf, sizeof(buf)), "1970-01-01T00:00:00.000000+0000");
    ck_assert_str_eq(report_iso8601(1999999999ull, buf, sizeof(buf)),
                     "1970-01-01T00:00:01.999999+0000");
}
END_TEST

START_TEST(test_iso8601_short_buffer_is_terminated)
{
    char buf[8];

    report_iso8601(T0, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2009-11");
}
END_TEST

START_TEST(test_flags_hex_is_two_digit_lowercase)
{
    char buf[8];

    ck_assert_str_eq(report_tcp_flags_hex(0, buf, sizeof(buf)), "00");
    ck_assert_str_eq(report_tcp_flags_hex(0x02, buf, sizeof(buf)), "02");
    ck_assert_str_eq(report_tcp_flags_hex(0x1b, buf, sizeof(buf)), "1b");
    ck_assert_str_eq(report_tcp_flags_hex(0xff, buf, sizeof(buf)), "ff");
    ck_assert_str_eq(report_tcp_flags_hex(0x110, buf, sizeof(buf)), "110");
}
END_TEST

START_TEST(test_addr_str_compresses_ipv6)
{
    struct ip_addr a;
    char buf[64];

    memset(&a, 0, sizeof(a));
    a.b[0] = 0x20, a.b[1] = 0x01, a.b[2] = 0x0d, a.b[3] = 0xb8, a.b[15] = 1;
    ck_assert_str_eq(report_addr_str(&a, 6, buf, sizeof(buf)), "2001:db8::1");
    memset(&a, 0, sizeof(a));
    a.b[0] = 192, a.b[1] = 168, a.b[3] = 7;
    ck_assert_str_eq(report_addr_str(&a, 4, buf, sizeof(buf)), "192.168.0.7");
}
END_TEST

/* ---- EVE ---------------------------------------------------------------------- */

static void
assert_keys(json_t *obj, const char *const *keys)
{
    void *it = json_object_iter(obj);
    size_t i = 0;

    ck_assert_ptr_nonnull(obj);
    for (; it != NULL; it = json_object_iter_next(obj, it), i++) {
        ck_assert_ptr_nonnull(keys[i]);
        ck_assert_str_eq(json_object_iter_key(it), keys[i]);
    }
    ck_assert_ptr_null(keys[i]);
}

START_TEST(test_eve_flow_header_is_exact_and_ordered)
{
    struct flow_record r = sample_record();
    struct run out;
    char want[1024];

    r.vlan_count = 2;
    r.vlan[0] = 10;
    r.vlan[1] = 20;
    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    ck_assert_int_eq(out.close_rc, 0);
    snprintf(want, sizeof(want),
             "{\"timestamp\":\"2009-11-18T08:00:21.123456+0000\",\"flow_id\":1234567,"
             "\"event_type\":\"flow\",\"vlan\":[10,20],\"src_ip\":\"10.0.0.1\",\"src_port\":40000,"
             "\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,\"ip_v\":4,\"proto\":\"TCP\","
             "\"flow\":{\"pkts_toserver\":5,\"pkts_toclient\":4,\"bytes_toserver\":500,"
             "\"bytes_toclient\":4000,\"start\":\"2009-11-18T08:00:21.123456+0000\","
             "\"end\":\"2009-11-18T08:00:31.023456+0000\",\"age\":10,\"state\":\"closed\","
             "\"reason\":\"%s\",\"alerted\":false},"
             "\"tcp\":{\"tcp_flags\":\"1b\",\"tcp_flags_ts\":\"1b\",\"tcp_flags_tc\":\"13\","
             "\"syn\":true,\"fin\":true,\"psh\":true,\"ack\":true,\"state\":\"closed\"},"
             "\"community_id\":\"1:abcd\",\"session\":{",
             flow_end_reason_name(FLOW_END_TIMEOUT));
    ck_assert_uint_ge(out.len, strlen(want));
    ck_assert_int_eq(strncmp(out.buf, want, strlen(want)), 0);
    /* exactly one line */
    ck_assert_ptr_eq(strchr(out.buf, '\n'), out.buf + out.len - 1);
    free(out.buf);
}
END_TEST

START_TEST(test_eve_flow_parses_back_with_fixed_key_order)
{
    static const char *const top[] = {
        "timestamp", "flow_id", "event_type", "src_ip", "src_port",     "dest_ip", "dest_port",
        "ip_v",      "proto",   "flow",       "tcp",    "community_id", "session", NULL};
    static const char *const session[] = {"client",     "server",  "handshake",  "close",
                                          "conn_state", "history", "midstream",  "roles_guessed",
                                          "rtt",        "stuck",   "violations", NULL};
    static const char *const endpoint[] = {"state",
                                           "isn",
                                           "mss",
                                           "wscale",
                                           "sack_ok",
                                           "packets",
                                           "payload_bytes",
                                           "unique_bytes",
                                           "retransmitted_bytes",
                                           "retransmits",
                                           "fast_retransmits",
                                           "spurious_retransmits",
                                           "out_of_order",
                                           "lost_segments",
                                           "dup_acks",
                                           "zero_windows",
                                           "zero_window_probes",
                                           "window_full",
                                           "keepalives",
                                           "violations",
                                           NULL};
    struct flow_record r = sample_record();
    struct run out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    json_error_t jerr;
    json_t *root = json_loads(out.buf, 0, &jerr), *s, *c, *sv, *rtt;

    ck_assert_msg(root != NULL, "parse: %s", jerr.text);
    assert_keys(root, top);
    s = json_object_get(root, "session");
    assert_keys(s, session);
    c = json_object_get(s, "client");
    sv = json_object_get(s, "server");
    assert_keys(c, endpoint);
    assert_keys(sv, endpoint);
    ck_assert_str_eq(json_string_value(json_object_get(c, "state")),
                     tcp_state_name(TCP_ST_TIME_WAIT));
    ck_assert_int_eq(json_integer_value(json_object_get(c, "isn")), 4000000000ll);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "mss")), 1460);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "wscale")), 7);
    ck_assert(json_is_null(json_object_get(sv, "isn")));
    ck_assert(json_is_null(json_object_get(sv, "mss")));
    ck_assert(json_is_null(json_object_get(sv, "wscale")));
    /* only the non-zero violation kind */
    ck_assert_uint_eq(json_object_size(json_object_get(c, "violations")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "violations"),
                                                        tcp_violation_name(TV_ACK_BACKWARDS))),
                     2);
    ck_assert_uint_eq(json_object_size(json_object_get(sv, "violations")), 0);
    rtt = json_object_get(s, "rtt");
    ck_assert(json_is_real(json_object_get(rtt, "handshake")));
    ck_assert(json_is_null(json_object_get(rtt, "server")));
    ck_assert(json_is_null(json_object_get(s, "stuck")));
    ck_assert_uint_eq(json_array_size(json_object_get(s, "violations")), 0);
    json_decref(root);
    free(out.buf);
}
END_TEST

START_TEST(test_eve_seconds_are_microsecond_decimals)
{
    struct flow_record r = sample_record();
    struct run out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);

    ck_assert_ptr_nonnull(strstr(out.buf, "\"rtt\":{\"handshake\":0.000123,\"client\":{"
                                          "\"samples\":2,\"min\":0.001,\"avg\":0.0015,"
                                          "\"max\":0.002},\"server\":null}"));
    free(out.buf);
}
END_TEST

START_TEST(test_eve_stuck_and_violation_examples)
{
    struct flow_record r = sample_record();
    struct run out;
    char want[512];
    enum feed how = FEED_STUCK;

    r.event = "tcp_stuck";
    r.s.stuck = TCP_STUCK_CLOSE_WAIT;
    r.s.stuck_since_ns = T0 + 1000000000ull;
    r.now_ns = T0 + 13500000000ull; /* 12.5 s later */
    r.s.n_examples = 1;
    r.s.examples[0].kind = TV_OUT_OF_WINDOW;
    r.s.examples[0].from_client = 0;
    r.s.examples[0].pkt_no = 7;
    r.s.examples[0].ts_ns = T0;
    r.s.examples[0].expected = 1000;
    r.s.examples[0].seen = 4294967295u;
    out = run_writer(&report_eve_ops, &r, &how, 1, NULL);
    ck_assert_ptr_nonnull(strstr(out.buf, "\"event_type\":\"tcp_stuck\""));
    snprintf(want, sizeof(want),
             "\"stuck\":{\"kind\":\"%s\",\"since\":\"2009-11-18T08:00:22.123456+0000\","
             "\"age\":12.5},\"violations\":[{\"kind\":\"%s\",\"from\":\"server\",\"pkt\":7,"
             "\"timestamp\":\"2009-11-18T08:00:21.123456+0000\",\"expected\":1000,"
             "\"seen\":4294967295}]}}\n",
             tcp_stuck_name(TCP_STUCK_CLOSE_WAIT), tcp_violation_name(TV_OUT_OF_WINDOW));
    ck_assert_str_eq(out.buf + out.len - strlen(want), want);
    free(out.buf);
}
END_TEST

START_TEST(test_eve_one_line_per_record_in_order)
{
    struct flow_record r[3] = {sample_record(), sample_record(), sample_record()};
    enum feed how[3] = {FEED_UPDATE, FEED_END, FEED_END};
    struct run out;
    char *l2, *l3;

    r[0].event = "flow_update";
    r[0].reason = FLOW_END_NONE;
    r[1].flow_id = 2;
    r[2].flow_id = 3;
    r[2].ip_version = 6;
    memset(&r[2].src_ip, 0, sizeof(r[2].src_ip));
    r[2].src_ip.b[15] = 1;
    out = run_writer(&report_eve_ops, r, how, 3, NULL);
    ck_assert_ptr_nonnull(strstr(out.buf, "\"event_type\":\"flow_update\""));
    l2 = strchr(out.buf, '\n') + 1;
    l3 = strchr(l2, '\n') + 1;
    ck_assert_int_eq(strncmp(l2,
                             "{\"timestamp\":\"2009-11-18T08:00:21.123456+0000\","
                             "\"flow_id\":2,\"event_type\":\"flow\",",
                             70),
                     0);
    ck_assert_ptr_nonnull(strstr(l3, "\"src_ip\":\"::1\""));
    ck_assert_ptr_nonnull(strstr(l3, "\"ip_v\":6"));
    ck_assert_ptr_eq(strchr(l3, '\n'), out.buf + out.len - 1);
    free(out.buf);
}
END_TEST

START_TEST(test_eve_stats_nest_in_first_seen_order)
{
    struct stat_item items[] = {
        {"decoder.pkts", 10},
        {"decoder.truncated.ipv4_header", 1},
        {"flow.tcp", 3},
        {"decoder.bytes", 900},
        {"decoder.pkts.bad", 5}, /* conflicts with a counter: dropped */
        {"decoder.truncated.tcp_header", 2},
        {"uptime", 0},
    };
    struct stat_list l = {items, sizeof(items) / sizeof(items[0]), 0};
    struct stats_record st = {T0, &l};
    struct run out = run_writer(&report_eve_ops, NULL, NULL, 0, &st);

    ck_assert_int_eq(out.close_rc, 0);
    ck_assert_str_eq(out.buf, "{\"timestamp\":\"2009-11-18T08:00:21.123456+0000\","
                              "\"event_type\":\"stats\",\"stats\":{\"decoder\":{\"pkts\":10,"
                              "\"truncated\":{\"ipv4_header\":1,\"tcp_header\":2},"
                              "\"bytes\":900},\"flow\":{\"tcp\":3},\"uptime\":0}}\n");
    free(out.buf);
}
END_TEST

/* ---- Zeek --------------------------------------------------------------------- */

#define ZEEK_HEADER(open)                                                                          \
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"                \
    "#path\tconn\n#open\t" open "\n"                                                               \
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration"       \
    "\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory"          \
    "\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"                       \
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring"   \
    "\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"

START_TEST(test_zeek_header_row_and_close)
{
    struct flow_record r = sample_record();
    struct stat_list l = {NULL, 0, 0};
    struct stats_record st = {T0 + 60000000000ull, &l};
    struct run out = run_writer(&report_zeek_ops, &r, NULL, 1, &st);
    const char *hdr = ZEEK_HEADER("2009-11-18-08-00-21");

    ck_assert_int_eq(out.close_rc, 0);
    ck_assert_int_eq(strncmp(out.buf, hdr, strlen(hdr)), 0);
    ck_assert_str_eq(out.buf + strlen(hdr),
                     "1258531221.123456\tCAbc123\t10.0.0.1\t40000\t10.0.0.2\t80\ttcp\t-"
                     "\t9.000000\t90\t3500\tSF\t-\t-\t0\tShADadFf\t5\t430\t4\t3944\t-\n"
                     "#close\t2009-11-18-08-01-21\n");
    free(out.buf);
}
END_TEST

START_TEST(test_zeek_swaps_when_orig_is_server_and_hides_zero_duration)
{
    struct flow_record r = sample_record();
    struct run out;
    const char *row;

    r.s.zeek_orig_is_client = false;
    r.s.zeek_last_ts_ns = T0 + 200; /* same microsecond as start: duration 0 */
    r.end_ns = T0 + 200;
    r.now_ns = r.end_ns;
    r.s.history[0] = '\0';
    r.s.zeek_missed_bytes = 7;
    out = run_writer(&report_zeek_ops, &r, NULL, 1, NULL);
    row = strstr(out.buf, "\n1258531221");
    ck_assert_ptr_nonnull(row);
    ck_assert_str_eq(row + 1, "1258531221.123456\tCAbc123\t10.0.0.2\t80\t10.0.0.1\t40000\ttcp\t-"
                              "\t-\t-\t-\tSF\t-\t-\t7\t-\t4\t3944\t5\t430\t-\n"
                              "#close\t2009-11-18-08-00-21\n");
    free(out.buf);
}
END_TEST

START_TEST(test_zeek_ipv6_and_no_stats_or_updates)
{
    struct flow_record r[2] = {sample_record(), sample_record()};
    enum feed how[2] = {FEED_UPDATE, FEED_END};
    struct run out;

    r[1].ip_version = 6;
    memset(&r[1].src_ip, 0, sizeof(r[1].src_ip));
    memset(&r[1].dest_ip, 0, sizeof(r[1].dest_ip));
    r[1].src_ip.b[0] = 0x20, r[1].src_ip.b[1] = 0x01, r[1].src_ip.b[15] = 1;
    r[1].dest_ip.b[0] = 0xfe, r[1].dest_ip.b[1] = 0x80, r[1].dest_ip.b[15] = 2;
    out = run_writer(&report_zeek_ops, r, how, 2, NULL);
    /* one row only: updates are not logged */
    ck_assert_ptr_nonnull(strstr(out.buf, "\tCAbc123\t2001::1\t40000\tfe80::2\t80\t"));
    ck_assert_ptr_null(strstr(strstr(out.buf, "CAbc123") + 1, "CAbc123"));
    free(out.buf);
}
END_TEST

START_TEST(test_zeek_empty_run_is_a_complete_log)
{
    struct stat_list l = {NULL, 0, 0};
    struct stats_record st = {T0, &l};
    struct run out = run_writer(&report_zeek_ops, NULL, NULL, 0, &st);

    ck_assert_str_eq(out.buf, ZEEK_HEADER("2009-11-18-08-00-21") "#close\t2009-11-18-08-00-21\n");
    free(out.buf);
}
END_TEST

/* ---- text --------------------------------------------------------------------- */

START_TEST(test_text_puts_stuck_first_oldest_first)
{
    struct flow_record r[3] = {sample_record(), sample_record(), sample_record()};
    struct run out;
    const char *a, *b, *c;

    r[0].src_port = 1111; /* not stuck */
    r[1].src_port = 2222;
    r[1].s.stuck = TCP_STUCK_HALF_OPEN;
    r[1].s.stuck_since_ns = T0 + 5000000000ull;
    r[2].src_port = 3333;
    r[2].s.stuck = TCP_STUCK_CLOSE_WAIT;
    r[2].s.stuck_since_ns = T0 + 1000000000ull;
    out = run_writer(&report_text_ops, r, NULL, 3, NULL);
    a = strstr(out.buf, ":3333");
    b = strstr(out.buf, ":2222");
    c = strstr(out.buf, ":1111");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    ck_assert(a < b && b < c);
    ck_assert_int_eq(strncmp(out.buf, "State-client", 12), 0);
    free(out.buf);
}
END_TEST

START_TEST(test_text_row_is_exact_and_aligned)
{
    struct flow_record r[2] = {sample_record(), sample_record()};
    struct run out;
    char want[1024];
    const char *cs = tcp_state_name(TCP_ST_TIME_WAIT), *ss = tcp_state_name(TCP_ST_CLOSED);
    int w1 = (int)strlen(cs) > 12 ? (int)strlen(cs) : 12;
    int w2 = (int)strlen(ss) > 12 ? (int)strlen(ss) : 12;

    r[1].ip_version = 6;
    memset(&r[1].src_ip, 0, sizeof(r[1].src_ip));
    r[1].src_ip.b[0] = 0x20, r[1].src_ip.b[1] = 0x01, r[1].src_ip.b[2] = 0x0d;
    r[1].src_ip.b[3] = 0xb8, r[1].src_ip.b[15] = 1;
    memset(&r[1].dest_ip, 0, sizeof(r[1].dest_ip));
    r[1].dest_ip.b[15] = 1;
    r[1].dest_port = 443;
    out = run_writer(&report_text_ops, r, NULL, 2, NULL);
    snprintf(want, sizeof(want),
             "%-*s  %-*s  %-19s  %-11s  Pkts  Bytes  Retr    Dur  Flags/Stuck\n"
             "%-*s  %-*s  %-19s  %-11s  %4d  %5d  %4d  %5s  hs=%s close=%s viol=2\n"
             "%-*s  %-*s  %-19s  %-11s  %4d  %5d  %4d  %5s  hs=%s close=%s viol=2\n",
             w1, "State-client", w2, "State-server", "Client", "Server", w1, cs, w2, ss,
             "10.0.0.1:40000", "10.0.0.2:80", 9, 4500, 1, "9.900",
             tcp_handshake_name(TCP_HS_COMPLETE), tcp_close_name(TCP_CLOSE_FIN), w1, cs, w2, ss,
             "[2001:db8::1]:40000", "[::1]:443", 9, 4500, 1, "9.900",
             tcp_handshake_name(TCP_HS_COMPLETE), tcp_close_name(TCP_CLOSE_FIN));
    ck_assert_str_eq(out.buf, want);
    free(out.buf);
}
END_TEST

START_TEST(test_eve_strings_are_escaped_and_parse_back)
{
    /* history is the one free-text string a record carries; force every escape path */
    struct flow_record r = sample_record();
    struct run out;
    json_t *root;
    json_error_t jerr;

    snprintf(r.s.history, sizeof(r.s.history), "a\"b\\c\x01" "d\te");
    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    ck_assert_ptr_nonnull(strstr(out.buf, "\"history\":\"a\\\"b\\\\c\\u0001d\\u0009e\""));
    root = json_loads(out.buf, 0, &jerr);
    ck_assert_msg(root != NULL, "%s", jerr.text);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "session"), "history")),
                     "a\"b\\c\x01" "d\te");
    json_decref(root);
    free(out.buf);
}
END_TEST

START_TEST(test_eve_record_without_session_leaves_session_out)
{
    struct flow_record r = sample_record();
    struct run out;
    json_t *root;
    json_error_t jerr;

    r.has_session = false;
    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    root = json_loads(out.buf, 0, &jerr);
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_null(json_object_get(root, "session"));
    ck_assert_ptr_null(json_object_get(json_object_get(root, "tcp"), "state"));
    ck_assert_ptr_nonnull(json_object_get(root, "flow"));
    json_decref(root);
    free(out.buf);
}
END_TEST

START_TEST(test_text_summary_has_packet_line_and_groups)
{
    struct stat_item items[] = {
        {"decoder.pkts", 20},
        {"decoder.tcp", 12},
        {"decoder.filtered", 3},
        {"decoder.truncated.ipv4_header", 1},
        {"decoder.truncated.tcp_header", 0}, /* zero counters are hidden in text */
        {"decoder.malformed.tcp_hlen", 2},
        {"flow.tcp", 4},
        {"decoder.bytes", 0},
        {"capture.read_errors", 0}, /* a group with only zeros gets no heading */
    };
    struct stat_list l = {items, sizeof(items) / sizeof(items[0]), 0};
    struct stats_record st = {T0, &l};
    struct run out = run_writer(&report_text_ops, NULL, NULL, 0, &st);

    ck_assert_str_eq(out.buf, "no TCP connections\n"
                              "\n"
                              "summary at 2009-11-18T08:00:21.123456+0000\n"
                              "packets: 20 read, 12 tcp, 2 other, 1 truncated, 2 malformed, 3 "
                              "filtered\n"
                              "decoder:\n"
                              "  decoder.pkts                  20\n"
                              "  decoder.tcp                   12\n"
                              "  decoder.filtered              3\n"
                              "  decoder.truncated.ipv4_header 1\n"
                              "  decoder.malformed.tcp_hlen    2\n"
                              "flow:\n"
                              "  flow.tcp 4\n");
    free(out.buf);
}
END_TEST

START_TEST(test_text_packet_line_prefers_decoder_outcomes)
{
    struct stat_item items[] = {
        {"decoder.pkts", 20},
        {"decoder.filtered", 3},
        {"decoder.tcp", 13},
        {"decoder.outcome.tcp", 10},
        {"decoder.outcome.other_l4", 2},
        {"decoder.outcome.non_ip", 1},
        {"decoder.outcome.truncated", 3},
        {"decoder.outcome.malformed", 1},
    };
    struct stat_list l = {items, sizeof(items) / sizeof(items[0]), 0};
    struct stats_record st = {0, &l};
    struct run out = run_writer(&report_text_ops, NULL, NULL, 0, &st);

    ck_assert_ptr_nonnull(strstr(out.buf, "\npackets: 20 read, 10 tcp, 3 other, 3 truncated, "
                                          "1 malformed, 3 filtered\n"));
    free(out.buf);
}
END_TEST

static Suite *
report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("helpers");

    tcase_add_test(tc, test_iso8601_epoch_zero);
    tcase_add_test(tc, test_iso8601_truncates_nanoseconds_to_microseconds);
    tcase_add_test(tc, test_iso8601_short_buffer_is_terminated);
    tcase_add_test(tc, test_flags_hex_is_two_digit_lowercase);
    tcase_add_test(tc, test_addr_str_compresses_ipv6);
    suite_add_tcase(s, tc);

    tc = tcase_create("eve");
    tcase_add_test(tc, test_eve_flow_header_is_exact_and_ordered);
    tcase_add_test(tc, test_eve_flow_parses_back_with_fixed_key_order);
    tcase_add_test(tc, test_eve_seconds_are_microsecond_decimals);
    tcase_add_test(tc, test_eve_record_without_session_leaves_session_out);
    tcase_add_test(tc, test_eve_strings_are_escaped_and_parse_back);
    tcase_add_test(tc, test_eve_stuck_and_violation_examples);
    tcase_add_test(tc, test_eve_one_line_per_record_in_order);
    tcase_add_test(tc, test_eve_stats_nest_in_first_seen_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("zeek");
    tcase_add_test(tc, test_zeek_header_row_and_close);
    tcase_add_test(tc, test_zeek_swaps_when_orig_is_server_and_hides_zero_duration);
    tcase_add_test(tc, test_zeek_ipv6_and_no_stats_or_updates);
    tcase_add_test(tc, test_zeek_empty_run_is_a_complete_log);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_test(tc, test_text_puts_stuck_first_oldest_first);
    tcase_add_test(tc, test_text_row_is_exact_and_aligned);
    tcase_add_test(tc, test_text_summary_has_packet_line_and_groups);
    tcase_add_test(tc, test_text_packet_line_prefers_decoder_outcomes);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(report_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
