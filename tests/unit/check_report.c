/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_report: the EVE, Zeek and text writers and their shared helpers.
 * Records are built by hand, each writer writes into an open_memstream()
 * buffer, and the exact bytes are asserted. Strings that come from other
 * modules' name functions are built with those functions, so these tests
 * pin the writers' format, not the names.
 */
#include <config.h>

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "report/report.h"
#include "report/report_table.h"

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

/* Deterministic test values (xorshift64*), so failures reproduce. */
static uint64_t
test_rand(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* report_u64_put against printf's "%" PRIu64; the digits after the last one must stay untouched. */
static void
assert_u64_like_printf(uint64_t v)
{
    char got[REPORT_U64_MAX_DIGITS + 2], want[32];
    size_t n;

    memset(got, '#', sizeof(got));
    n = report_u64_put(got, v);
    snprintf(want, sizeof(want), "%" PRIu64, v);
    ck_assert_uint_eq(n, strlen(want));
    ck_assert_uint_eq(report_u64_len(v), n);
    ck_assert_msg(memcmp(got, want, n) == 0, "%" PRIu64 ": got %.*s", v, (int)n, got);
    ck_assert_int_eq(got[n], '#');
}

START_TEST(test_u64_put_matches_printf_at_every_digit_boundary)
{
    uint64_t p = 1, seed = 0x9e3779b97f4a7c15ull;
    int i;

    assert_u64_like_printf(0);
    assert_u64_like_printf(9);
    assert_u64_like_printf(10);
    assert_u64_like_printf(99);
    assert_u64_like_printf(100);
    assert_u64_like_printf(UINT64_MAX);
    assert_u64_like_printf(UINT64_MAX - 1);
    assert_u64_like_printf((uint64_t)INT64_MAX);
    assert_u64_like_printf((uint64_t)INT64_MAX + 1);
    for (i = 0; i < 20; i++) { /* 10^0 .. 10^19, each +-1 */
        assert_u64_like_printf(p - 1);
        assert_u64_like_printf(p);
        assert_u64_like_printf(p + 1);
        if (i < 19)
            p *= 10;
    }
    for (i = 0; i < 10000; i++)
        assert_u64_like_printf((uint64_t)i);
    for (i = 0; i < 32000; i++) { /* every magnitude: shift a random value down */
        uint64_t v = test_rand(&seed);

        assert_u64_like_printf(v >> (i % 64));
    }
}
END_TEST

START_TEST(test_iso8601_put_matches_gmtime_strftime)
{
    uint64_t seed = 42, ts = 0;
    int i;

    for (i = 0; i < 8000; i++) {
        char got[REPORT_ISO8601_MAX + 1], want[64], date[40];
        time_t secs;
        struct tm tm;
        size_t n;

        /* runs within one second, jumps across days and back, and random times */
        switch (i % 4) {
        case 0:
            ts += test_rand(&seed) % 1000000u;
            break;
        case 1:
            ts += test_rand(&seed) % (3ull * 86400u * 1000000000u);
            break;
        case 2:
            ts -= ts > 1000000000u ? test_rand(&seed) % 1000000000u : 0;
            break;
        default:
            ts = test_rand(&seed) >> (i % 8);
            break;
        }
        secs = (time_t)(ts / 1000000000u);
        ck_assert_ptr_nonnull(gmtime_r(&secs, &tm));
        ck_assert_uint_gt(strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm), 0);
        snprintf(want, sizeof(want), "%s.%06u+0000", date, (unsigned)(ts % 1000000000u / 1000u));
        n = report_iso8601_put(got, ts);
        got[n] = '\0';
        ck_assert_str_eq(got, want);
    }
    {
        char got[REPORT_ISO8601_MAX + 1];
        size_t n = report_iso8601_put(got, UINT64_MAX);

        got[n] = '\0';
        ck_assert_str_eq(got, "2554-07-21T23:34:33.709551+0000");
    }
}
END_TEST

START_TEST(test_flags_hex_put_matches_printf)
{
    unsigned f;

    for (f = 0; f <= 0xffff; f++) {
        char got[REPORT_FLAGS_HEX_MAX + 1], want[16];
        size_t n = report_tcp_flags_hex_put(got, (uint16_t)f);

        got[n] = '\0';
        snprintf(want, sizeof(want), "%02x", f);
        ck_assert_str_eq(got, want);
    }
}
END_TEST

static void
assert_addr_like_inet_ntop(const struct ip_addr *a, uint8_t version)
{
    char got[REPORT_ADDR_MAX + 1], want[INET6_ADDRSTRLEN], str[64];
    size_t n = report_addr_put(got, a, version);

    got[n] = '\0';
    ck_assert_ptr_nonnull(inet_ntop(version == 6 ? AF_INET6 : AF_INET, a->b, want, sizeof(want)));
    ck_assert_str_eq(got, want);
    ck_assert_str_eq(report_addr_str(a, version, str, sizeof(str)), want);
}

START_TEST(test_addr_put_matches_inet_ntop)
{
    /* every pattern of zero and non-zero groups, with values of each width */
    static const unsigned vals[] = {0x1, 0xf, 0x10, 0xab, 0x100, 0xfff, 0x1000, 0xffff, 0xabcd};
    uint64_t seed = 7;
    struct ip_addr a;
    unsigned pat, v, o, i;

    for (pat = 0; pat < 256; pat++) {
        for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
            memset(&a, 0, sizeof(a));
            for (i = 0; i < 8; i++) {
                unsigned w = pat & (1u << i) ? vals[(v + i) % (sizeof(vals) / sizeof(vals[0]))] : 0;

                a.b[2 * i] = (uint8_t)(w >> 8);
                a.b[2 * i + 1] = (uint8_t)w;
            }
            assert_addr_like_inet_ntop(&a, 6);
            /* the same with group 5 = ffff: IPv4-mapped when the rest before it is zero */
            a.b[10] = a.b[11] = 0xff;
            assert_addr_like_inet_ntop(&a, 6);
        }
    }
    for (i = 0; i < 20000; i++) {
        uint64_t x = test_rand(&seed), y = test_rand(&seed);

        memcpy(a.b, &x, 8);
        memcpy(a.b + 8, &y, 8);
        for (v = 0; v < 16; v++) /* knock out random bytes to make zero groups */
            if (test_rand(&seed) % 3 == 0)
                a.b[v] = 0;
        assert_addr_like_inet_ntop(&a, 6);
        assert_addr_like_inet_ntop(&a, 4);
    }
    for (o = 0; o < 256; o++) { /* every octet value in every position */
        memset(&a, 0, sizeof(a));
        for (i = 0; i < 4; i++)
            a.b[i] = (uint8_t)(o + i * 37);
        assert_addr_like_inet_ntop(&a, 4);
    }
}
END_TEST

START_TEST(test_addr_str_too_short_gives_question_mark_like_inet_ntop)
{
    struct ip_addr a;
    char buf[8];

    memset(&a, 0, sizeof(a));
    a.b[0] = 192, a.b[1] = 168, a.b[2] = 100, a.b[3] = 200;
    ck_assert_str_eq(report_addr_str(&a, 4, buf, sizeof(buf)), "?");
    a.b[0] = 1, a.b[1] = 2, a.b[2] = 3, a.b[3] = 4;
    ck_assert_str_eq(report_addr_str(&a, 4, buf, sizeof(buf)), "1.2.3.4");
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
    r.now_ns = r.end_ns + 60000000000ull; /* timed out 60 s after the last packet */
    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    ck_assert_int_eq(out.close_rc, 0);
    /* timestamp: when the record was made; flow.start/flow.end: the connection's times */
    snprintf(want, sizeof(want),
             "{\"timestamp\":\"2009-11-18T08:01:31.023456+0000\",\"flow_id\":1234567,"
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
                                           "missed_bytes",
                                           "inferred",
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

/* A close_wait/half_open judgement made while the capture lost packets says so; others do not. */
START_TEST(test_eve_stuck_confidence_capture_loss)
{
    static const struct {
        uint8_t kind;
        bool loss, marked;
    } cases[] = {
        {TCP_STUCK_CLOSE_WAIT, true, true},      {TCP_STUCK_HALF_OPEN, true, true},
        {TCP_STUCK_SYN_UNANSWERED, true, false}, {TCP_STUCK_ZERO_WINDOW, true, false},
        {TCP_STUCK_CLOSE_WAIT, false, false},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct flow_record r = sample_record();
        enum feed how = FEED_STUCK;
        struct run out;
        const char *hit;

        r.event = "tcp_stuck";
        r.s.stuck = cases[i].kind;
        r.s.stuck_since_ns = T0;
        r.now_ns = T0 + 3000000000ull;
        r.s.capture_loss = cases[i].loss;
        out = run_writer(&report_eve_ops, &r, &how, 1, NULL);
        hit = strstr(out.buf, "\"age\":3.0,\"confidence\":\"capture_loss\"}");
        ck_assert_msg((hit != NULL) == cases[i].marked, "case %zu: %s", i, out.buf);
        free(out.buf);
    }
}
END_TEST

/* A content gap on either side lowers a close_wait judgement's confidence too. */
START_TEST(test_eve_stuck_confidence_content_gap)
{
    for (int side = 0; side < 3; side++) {
        struct flow_record r = sample_record();
        enum feed how = FEED_STUCK;
        struct run out;
        const char *hit;

        r.event = "tcp_stuck";
        r.s.stuck = TCP_STUCK_CLOSE_WAIT;
        r.s.stuck_since_ns = T0;
        r.now_ns = T0 + 3000000000ull;
        r.s.client.missed_bytes = side == 1 ? 7 : 0;
        r.s.server.missed_bytes = side == 2 ? 9 : 0;
        out = run_writer(&report_eve_ops, &r, &how, 1, NULL);
        hit = strstr(out.buf, "\"age\":3.0,\"confidence\":\"capture_loss\"}");
        ck_assert_msg((hit != NULL) == (side != 0), "side %d: %s", side, out.buf);
        free(out.buf);
    }
}
END_TEST

/* session.<side>.inferred: the tcp_ep_event names, [] when none. */
START_TEST(test_eve_inferred_events_per_endpoint)
{
    struct flow_record r = sample_record();
    struct run out;

    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    ck_assert_ptr_nonnull(strstr(out.buf, "\"missed_bytes\":0,\"inferred\":[],\"violations\""));
    free(out.buf);
    r.s.server.inferred = TCP_INFERRED_SYNACK | TCP_INFERRED_FIN;
    r.s.client.inferred = TCP_INFERRED_FIN;
    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    ck_assert_ptr_nonnull(strstr(out.buf, "\"inferred\":[\"send_synack\",\"send_fin\"]"));
    ck_assert_ptr_nonnull(strstr(out.buf, "\"inferred\":[\"send_fin\"]"));
    free(out.buf);
}
END_TEST

/* Suricata's tcp.tc_gap then tcp.ts_gap, present only when true; per-side missed_bytes. */
START_TEST(test_eve_gap_flags_follow_missed_bytes)
{
    struct flow_record r = sample_record();
    struct run out;

    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    ck_assert_ptr_null(strstr(out.buf, "_gap"));
    free(out.buf);
    r.s.client.missed_bytes = 20;
    r.s.server.missed_bytes = 5;
    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    ck_assert_ptr_nonnull(strstr(out.buf, ",\"tc_gap\":true,\"ts_gap\":true}"));
    ck_assert_ptr_nonnull(strstr(out.buf, "\"keepalives\":0,\"missed_bytes\":20,"));
    ck_assert_ptr_nonnull(strstr(out.buf, "\"keepalives\":0,\"missed_bytes\":5,"));
    free(out.buf);
    r.s.client.missed_bytes = 0;
    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    ck_assert_ptr_nonnull(strstr(out.buf, ",\"tc_gap\":true}"));
    ck_assert_ptr_null(strstr(out.buf, "ts_gap"));
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
                             "{\"timestamp\":\"2009-11-18T08:00:31.023456+0000\","
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
        {"flowstate.flow.peak", 2}, /* flowstate's own object comes last */
        {"flow.tcp", 3},
        {"decoder.bytes", 900},
        {"decoder.pkts.bad", 5}, /* conflicts with a counter: dropped */
        {"decoder.truncated.tcp_header", 2},
        {"flowstate.decoder.filtered", 4},
        {"uptime", 0},
    };
    struct stat_list l = {items, sizeof(items) / sizeof(items[0]), 0};
    struct stats_record st = {T0, &l, false};
    struct run out = run_writer(&report_eve_ops, NULL, NULL, 0, &st);

    ck_assert_int_eq(out.close_rc, 0);
    ck_assert_str_eq(out.buf,
                     "{\"timestamp\":\"2009-11-18T08:00:21.123456+0000\","
                     "\"event_type\":\"stats\",\"stats\":{\"decoder\":{\"pkts\":10,"
                     "\"truncated\":{\"ipv4_header\":1,\"tcp_header\":2},"
                     "\"bytes\":900},\"flow\":{\"tcp\":3},\"uptime\":0,"
                     "\"flowstate\":{\"flow\":{\"peak\":2},\"decoder\":{\"filtered\":4}}}}\n");
    free(out.buf);
}
END_TEST

/* Three stats records through one EVE writer with stats_deltas; returns the output. */
static char *
eve_three_stats(bool deltas, const struct stats_record st[3])
{
    struct report_opts o = {.format = REPORT_EVE, .stats_deltas = deltas};
    char *buf = NULL, err[256];
    size_t len = 0;
    void *priv = NULL;
    FILE *f = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(report_eve_ops.open(&priv, f, &o, err), 0);
    for (int i = 0; i < 3; i++)
        report_eve_ops.stats(priv, &st[i]);
    ck_assert_int_eq(report_eve_ops.close(priv), 0);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

START_TEST(test_eve_stats_deltas_are_changes_since_the_last_record)
{
    /* a counter, a gauge that falls, one that appears only once non-zero, one in flowstate */
    struct stat_item a[] = {{"decoder.pkts", 10}, {"flow.active", 3}, {"flowstate.flow.peak", 3}};
    struct stat_item b[] = {{"decoder.pkts", 25},
                            {"flow.active", 1},
                            {"flowstate.decoder.truncated.tcp_header", 2},
                            {"flowstate.flow.peak", 4}};
    struct stat_item c[] = {{"decoder.pkts", 25},
                            {"flow.active", 0},
                            {"flowstate.decoder.truncated.tcp_header", 2},
                            {"flowstate.flow.peak", 4}};
    struct stat_list la = {a, 3, 0}, lb = {b, 4, 0}, lc = {c, 4, 0};
    struct stats_record st[3] = {
        {T0, &la, true}, {T0 + 8000000000ull, &lb, true}, {T0 + 9000000000ull, &lc, false}};
    char *out = eve_three_stats(true, st), *l2, *l3;

    l2 = strchr(out, '\n') + 1;
    l3 = strchr(l2, '\n') + 1;
    /* the first record's deltas are the values: nothing came before */
    ck_assert_int_eq(strncmp(out,
                             "{\"timestamp\":\"2009-11-18T08:00:21.123456+0000\","
                             "\"event_type\":\"stats\",\"stats\":{\"decoder\":{\"pkts\":10,"
                             "\"pkts_delta\":10},\"flow\":{\"active\":3,\"active_delta\":3},"
                             "\"flowstate\":{\"flow\":{\"peak\":3,\"peak_delta\":3}}}}\n",
                             (size_t)(l2 - out)),
                     0);
    ck_assert_int_eq(strncmp(l2,
                             "{\"timestamp\":\"2009-11-18T08:00:29.123456+0000\","
                             "\"event_type\":\"stats\",\"stats\":{\"decoder\":{\"pkts\":25,"
                             "\"pkts_delta\":15},\"flow\":{\"active\":1,\"active_delta\":-2},"
                             "\"flowstate\":{\"decoder\":{\"truncated\":{\"tcp_header\":2,"
                             "\"tcp_header_delta\":2}},\"flow\":{\"peak\":4,\"peak_delta\":1}}}}\n",
                             (size_t)(l3 - l2)),
                     0);
    ck_assert_str_eq(l3, "{\"timestamp\":\"2009-11-18T08:00:30.123456+0000\","
                         "\"event_type\":\"stats\",\"stats\":{\"decoder\":{\"pkts\":25,"
                         "\"pkts_delta\":0},\"flow\":{\"active\":0,\"active_delta\":-1},"
                         "\"flowstate\":{\"decoder\":{\"truncated\":{\"tcp_header\":2,"
                         "\"tcp_header_delta\":0}},\"flow\":{\"peak\":4,\"peak_delta\":0}}}}\n");
    free(out);

    /* --stats-interval 0: no deltas */
    out = eve_three_stats(false, st);
    ck_assert_ptr_null(strstr(out, "_delta"));
    free(out);
}
END_TEST

START_TEST(test_text_summary_is_the_final_stats_record)
{
    struct stat_item final[] = {{"decoder.pkts", 20}};
    struct stat_item early[] = {{"decoder.pkts", 5}, {"flow.tcp", 1}};
    struct stat_list lf = {final, 1, 0}, le = {early, 2, 0};
    struct stats_record periodic = {T0, &le, true}, st = {T0, &lf, false};
    struct report_opts o = {.format = REPORT_TEXT};
    char *buf = NULL, err[256];
    size_t len = 0;
    void *priv = NULL;
    FILE *f = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(report_text_ops.open(&priv, f, &o, err), 0);
    report_text_ops.stats(priv, &st);
    report_text_ops.stats(priv, &periodic); /* a periodic one never replaces the summary */
    ck_assert_int_eq(report_text_ops.close(priv), 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ptr_nonnull(strstr(buf, "packets: 20 read"));
    ck_assert_ptr_null(strstr(buf, "flow.tcp"));
    free(buf);
}
END_TEST

/* ---- output batching (struct report_out) ---------------------------------------- */

/*
 * A SOCK_SEQPACKET pair keeps write(2) boundaries: each recv() returns what
 * one write() sent, so a test can see exactly how output reached the
 * descriptor and when.
 */
struct seqpkt {
    int sv[2];
    FILE *f; /* on sv[0], with a BUF-byte full stdio buffer */
    char stdio_buf[4096];
    size_t sizes[4096]; /* write() sizes seen so far */
    size_t n_sizes;
    char *data; /* everything received */
    size_t len, cap;
};

static void
seqpkt_open(struct seqpkt *q, int mode)
{
    memset(q, 0, sizeof(*q));
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, q->sv), 0);
    q->f = fdopen(q->sv[0], "w");
    ck_assert_ptr_nonnull(q->f);
    ck_assert_int_eq(setvbuf(q->f, q->stdio_buf, mode, sizeof(q->stdio_buf)), 0);
}

/* Collects every message waiting on the reading end. */
static void
seqpkt_drain(struct seqpkt *q)
{
    char buf[1 << 17];
    ssize_t n;

    while ((n = recv(q->sv[1], buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        ck_assert_uint_lt(q->n_sizes, sizeof(q->sizes) / sizeof(q->sizes[0]));
        q->sizes[q->n_sizes++] = (size_t)n;
        if (q->len + (size_t)n > q->cap) {
            q->cap = (q->len + (size_t)n) * 2;
            q->data = realloc(q->data, q->cap);
            ck_assert_ptr_nonnull(q->data);
        }
        memcpy(q->data + q->len, buf, (size_t)n);
        q->len += (size_t)n;
    }
}

static void
seqpkt_close(struct seqpkt *q)
{
    ck_assert_int_eq(fclose(q->f), 0);
    close(q->sv[1]);
    free(q->data);
}

static const struct report_opts batch_opts = {.format = REPORT_EVE};
static const struct report_opts lb_opts = {.format = REPORT_EVE, .line_buffered = true};
static const struct report_opts live_opts = {.format = REPORT_EVE, .live = true};
static const struct report_opts file_opts = {.format = REPORT_EVE, .output_path = "out.json"};

/* Line i of a deterministic mix: short, long, exactly the stdio buffer, longer than it. */
static size_t
test_line(char *buf, size_t i, uint64_t *seed)
{
    size_t len;

    switch (i % 11) {
    case 3:
        len = 4096; /* exactly the buffer */
        break;
    case 7:
        len = 4097 + test_rand(seed) % 6000; /* larger than the buffer */
        break;
    default:
        len = 1 + test_rand(seed) % 1500;
        break;
    }
    memset(buf, 'a' + (int)(i % 26), len - 1);
    buf[len - 1] = '\n';
    return len;
}

START_TEST(test_out_writes_the_same_pieces_at_the_same_points_as_stdio)
{
    /* batching must be invisible: same write(2) sizes, each after the same line, same bytes */
    static char line[12000];
    struct seqpkt old, now;
    struct report_out o;
    uint64_t seed_old = 5, seed_now = 5;
    size_t i, n_old, n_now;

    seqpkt_open(&old, _IOFBF);
    seqpkt_open(&now, _IOFBF);
    report_out_init(&o, now.f, &batch_opts);
    ck_assert_uint_eq(o.chunk, sizeof(now.stdio_buf));
    /* a first line that fills stdio's buffer exactly goes out at once in glibc (the buffer is
     * set up by that write); start both with a short line so the comparison is about the rule */
    for (i = 0; i < 400; i++) {
        size_t len = i == 0 ? 10 : test_line(line, i, &seed_old), fill = __fpending(old.f);
        char *p;

        if (i == 0)
            memcpy(line, "000000000\n", 10);
        if (i > 0)
            ck_assert_uint_eq(test_line(line, i, &seed_now), len);
        if (i % 11 == 5 && fill < sizeof(old.stdio_buf)) {
            len = sizeof(old.stdio_buf) - fill; /* fills the buffer to the last byte */
            line[len - 1] = '\n';
        }
        ck_assert_int_eq(report_write_line(old.f, line, len, false), 0);
        seqpkt_drain(&old);
        p = report_out_begin(&o, len);
        memcpy(p, line, len);
        report_out_end(&o, p + len);
        seqpkt_drain(&now);
        ck_assert_msg(old.n_sizes == now.n_sizes && old.len == now.len,
                      "after line %zu: stdio %zu writes %zu bytes, batched %zu writes %zu bytes", i,
                      old.n_sizes, old.len, now.n_sizes, now.len);
    }
    ck_assert_int_eq(fflush(old.f), 0);
    ck_assert_int_eq(report_out_flush(&o), 0);
    ck_assert_int_eq(fflush(now.f), 0);
    seqpkt_drain(&old);
    seqpkt_drain(&now);
    n_old = old.n_sizes;
    n_now = now.n_sizes;
    ck_assert_uint_eq(n_old, n_now);
    ck_assert_uint_gt(n_now, 100);
    for (i = 0; i < n_now; i++)
        ck_assert_uint_eq(old.sizes[i], now.sizes[i]);
    ck_assert_uint_eq(old.len, now.len);
    ck_assert(memcmp(old.data, now.data, now.len) == 0);
    report_out_fini(&o);
    seqpkt_close(&old);
    seqpkt_close(&now);
}
END_TEST

START_TEST(test_out_passes_lines_through_when_not_batching)
{
    /* -l, a line-buffered stream (terminal), a live capture, a stream without a buffer */
    struct seqpkt q;
    struct report_out o;
    char *p;
    FILE *mem;
    char *mbuf = NULL;
    size_t mlen = 0;

    seqpkt_open(&q, _IOFBF);
    report_out_init(&o, q.f, &lb_opts); /* -l: each line reaches the socket at once */
    ck_assert_uint_eq(o.chunk, 0);
    p = report_out_begin(&o, 6);
    memcpy(p, "hello\n", 6);
    report_out_end(&o, p + 6);
    seqpkt_drain(&q);
    ck_assert_uint_eq(q.n_sizes, 1);
    ck_assert_uint_eq(q.sizes[0], 6);
    report_out_fini(&o);
    report_out_init(&o, q.f, &live_opts);
    ck_assert_uint_eq(o.chunk, 0);
    report_out_fini(&o);
    report_out_init(&o, q.f, &file_opts); /* -o: SIGHUP's reopen must find every record in stdio */
    ck_assert_uint_eq(o.chunk, 0);
    report_out_fini(&o);
    report_out_init(&o, q.f, NULL); /* no options: batched */
    ck_assert_uint_eq(o.chunk, sizeof(q.stdio_buf));
    report_out_fini(&o);
    seqpkt_close(&q);

    seqpkt_open(&q, _IOLBF);
    report_out_init(&o, q.f, &batch_opts);
    ck_assert_uint_eq(o.chunk, 0);
    report_out_fini(&o);
    seqpkt_close(&q);

    mem = open_memstream(&mbuf, &mlen);
    ck_assert_ptr_nonnull(mem);
    report_out_init(&o, mem, &batch_opts);
    ck_assert_uint_eq(o.chunk, 0);
    p = report_out_begin(&o, 3);
    memcpy(p, "ab\n", 3);
    report_out_end(&o, p + 3);
    ck_assert_int_eq(report_out_flush(&o), 0);
    report_out_fini(&o);
    ck_assert_int_eq(fclose(mem), 0);
    ck_assert_str_eq(mbuf, "ab\n");
    free(mbuf);
}
END_TEST

/* Many EVE records (some larger than the stdio buffer) and the stats record through ops. */
static void
feed_eve(void *priv, struct flow_record *r, const struct stats_record *st, char *big,
         struct seqpkt *q)
{
    int i;

    for (i = 0; i < 300; i++) {
        r->flow_id = 1000 + (uint64_t)i;
        r->pkts_toserver = (uint64_t)i * 7919u;
        r->flow_state = i % 50 == 25 ? big : "closed";
        snprintf(r->s.history, sizeof(r->s.history), "ShAD%.*s", i % 40,
                 "dadadadadadadadadadadadadadadadadadadadad");
        if (i % 3 == 0)
            report_eve_ops.flow_update(priv, r);
        else
            report_eve_ops.flow_end(priv, r);
        if (q != NULL)
            seqpkt_drain(q); /* keep the socket from filling up */
    }
    report_eve_ops.stats(priv, st);
}

START_TEST(test_eve_batched_output_equals_line_by_line)
{
    struct stat_item items[] = {{"decoder.pkts", 20}, {"flow.total", 3}};
    struct stat_list list = {items, 2, 2};
    struct stats_record st = {T0, &list, false};
    struct report_opts lb = {.format = REPORT_EVE, .line_buffered = true};
    struct report_opts batch = {.format = REPORT_EVE};
    struct flow_record r = sample_record();
    struct seqpkt q;
    char *big = malloc(6001), *mbuf = NULL, err[256];
    size_t mlen = 0;
    void *priv = NULL;
    FILE *mem;

    ck_assert_ptr_nonnull(big);
    memset(big, 'x', 6000); /* makes the record larger than the 4096-byte buffer */
    big[6000] = '\0';
    mem = open_memstream(&mbuf, &mlen);
    ck_assert_ptr_nonnull(mem);
    ck_assert_int_eq(report_eve_ops.open(&priv, mem, &lb, err), 0);
    feed_eve(priv, &r, &st, big, NULL);
    ck_assert_int_eq(report_eve_ops.close(priv), 0);
    ck_assert_int_eq(fclose(mem), 0);

    seqpkt_open(&q, _IOFBF);
    ck_assert_int_eq(report_eve_ops.open(&priv, q.f, &batch, err), 0);
    feed_eve(priv, &r, &st, big, &q);
    seqpkt_drain(&q);
    ck_assert_uint_gt(q.n_sizes, 10); /* written in pieces along the way, not only at close */
    ck_assert_int_eq(report_eve_ops.close(priv), 0);
    seqpkt_drain(&q);
    ck_assert_uint_eq(q.len, mlen);
    ck_assert(memcmp(q.data, mbuf, mlen) == 0);
    seqpkt_close(&q);
    free(mbuf);
    free(big);
}
END_TEST

START_TEST(test_eve_write_error_makes_close_fail)
{
    /* /dev/full: every write fails with ENOSPC, batched or not */
    struct stat_item items[] = {{"decoder.pkts", 20}};
    struct stat_list list = {items, 1, 1};
    struct stats_record st = {T0, &list, false};
    struct flow_record r = sample_record();
    static char sbuf[4096];
    int lb;

    for (lb = 0; lb < 3; lb++) { /* batched, -l, -o */
        struct report_opts o = {.format = REPORT_EVE,
                                .line_buffered = lb == 1,
                                .output_path = lb == 2 ? "/dev/full" : NULL};
        char err[256], *big = malloc(6001);
        void *priv = NULL;
        FILE *f = fopen("/dev/full", "w");

        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(big);
        memset(big, 'y', 6000);
        big[6000] = '\0';
        ck_assert_int_eq(setvbuf(f, sbuf, _IOFBF, sizeof(sbuf)), 0);
        ck_assert_int_eq(report_eve_ops.open(&priv, f, &o, err), 0);
        feed_eve(priv, &r, &st, big, NULL);
        /* main reports strerror(errno) after close: it must still say why */
        ck_assert_int_eq(report_eve_ops.close(priv), -1);
        ck_assert_int_eq(errno, ENOSPC);
        /* nothing may be left in stdio: main's fclose after a failed close stays quiet */
        ck_assert_uint_eq(__fpending(f), 0);
        ck_assert_int_eq(fclose(f), 0);
        free(big);
    }
}
END_TEST

START_TEST(test_out_error_in_the_last_piece_is_reported_by_flush)
{
    /* nothing fails until the final flush: flush must still say so */
    static char sbuf[4096];
    struct report_out o;
    FILE *f = fopen("/dev/full", "w");
    char *p;

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(setvbuf(f, sbuf, _IOFBF, sizeof(sbuf)), 0);
    report_out_init(&o, f, &batch_opts);
    ck_assert_uint_eq(o.chunk, sizeof(sbuf));
    p = report_out_begin(&o, 4);
    memcpy(p, "abc\n", 4);
    report_out_end(&o, p + 4);
    ck_assert(!o.failed);
    errno = 0;
    ck_assert_int_eq(report_out_flush(&o), -1);
    ck_assert_int_eq(errno, ENOSPC);
    report_out_fini(&o);
    fclose(f);
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
    struct stats_record st = {T0 + 60000000000ull, &l, false};
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

/* The row as the old snprintf-based writer formatted it: the reference for the hand-written one. */
static void
ref_zeek_row(const struct flow_record *r, char *line, size_t len)
{
    const struct session_summary *s = &r->s;
    bool swap = !s->zeek_orig_is_client;
    uint64_t last_ns = s->zeek_last_ts_ns != 0 ? s->zeek_last_ts_ns : r->end_ns;
    uint64_t start_us = r->start_ns / 1000u, last_us = last_ns / 1000u;
    char oa[64], ra[64], dur[32], ob[24], rb[24];

    if (last_us > start_us) {
        uint64_t d = last_us - start_us;
        snprintf(dur, sizeof(dur), "%" PRIu64 ".%06" PRIu64, d / 1000000u, d % 1000000u);
        snprintf(ob, sizeof(ob), "%" PRIu64, s->zeek_orig_bytes);
        snprintf(rb, sizeof(rb), "%" PRIu64, s->zeek_resp_bytes);
    } else {
        snprintf(dur, sizeof(dur), "-");
        snprintf(ob, sizeof(ob), "-");
        snprintf(rb, sizeof(rb), "-");
    }
    ck_assert_ptr_nonnull(inet_ntop(r->ip_version == 6 ? AF_INET6 : AF_INET,
                                    (swap ? &r->dest_ip : &r->src_ip)->b, oa, sizeof(oa)));
    ck_assert_ptr_nonnull(inet_ntop(r->ip_version == 6 ? AF_INET6 : AF_INET,
                                    (swap ? &r->src_ip : &r->dest_ip)->b, ra, sizeof(ra)));
    snprintf(line, len,
             "%" PRIu64 ".%06" PRIu64 "\t%s\t%s\t%u\t%s\t%u\t%s\t-\t%s\t%s\t%s\t%s\t-\t-\t%" PRIu64
             "\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t-\n",
             start_us / 1000000u, start_us % 1000000u, r->uid[0] ? r->uid : "-", oa,
             (unsigned)(swap ? r->dest_port : r->src_port), ra,
             (unsigned)(swap ? r->src_port : r->dest_port),
             r->proto == 6    ? "tcp"
             : r->proto == 17 ? "udp"
                              : "unknown_transport",
             dur, ob, rb, s->conn_state[0] ? s->conn_state : "-", s->zeek_missed_bytes,
             s->history[0] ? s->history : "-", swap ? r->pkts_toclient : r->pkts_toserver,
             swap ? r->ip_bytes_toclient : r->ip_bytes_toserver,
             swap ? r->pkts_toserver : r->pkts_toclient,
             swap ? r->ip_bytes_toserver : r->ip_bytes_toclient);
}

START_TEST(test_zeek_rows_match_the_printf_reference)
{
    /* random records: both role orders, zero and non-zero duration, empty strings, IPv6,
     * numbers of every size up to UINT64_MAX */
    uint64_t seed = 3;
    int i;

    for (i = 0; i < 1000; i++) {
        struct flow_record r = sample_record();
        char want[1024], *row;
        struct run out;
        int k;

        r.s.zeek_orig_is_client = test_rand(&seed) % 2 == 0;
        r.ip_version = test_rand(&seed) % 3 == 0 ? 6 : 4;
        for (k = 0; k < 16; k++) {
            r.src_ip.b[k] = test_rand(&seed) % 4 == 0 ? 0 : (uint8_t)test_rand(&seed);
            r.dest_ip.b[k] = test_rand(&seed) % 4 == 0 ? 0 : (uint8_t)test_rand(&seed);
        }
        r.src_port = (uint16_t)test_rand(&seed);
        r.dest_port = (uint16_t)test_rand(&seed);
        r.proto = i % 5 == 0 ? 17 : i % 7 == 0 ? 99 : 6;
        r.start_ns = test_rand(&seed) >> (i % 64);
        r.end_ns = r.start_ns + (i % 3 == 0 ? 0 : test_rand(&seed) >> 20);
        r.now_ns = r.end_ns;
        r.s.zeek_last_ts_ns = i % 4 == 0 ? 0 : r.end_ns;
        r.pkts_toserver = test_rand(&seed) >> (i % 64);
        r.pkts_toclient = test_rand(&seed) >> ((i + 7) % 64);
        r.ip_bytes_toserver = i == 1 ? UINT64_MAX : test_rand(&seed) >> ((i + 13) % 64);
        r.ip_bytes_toclient = test_rand(&seed) >> ((i + 29) % 64);
        r.s.zeek_orig_bytes = test_rand(&seed) >> (i % 64);
        r.s.zeek_resp_bytes = test_rand(&seed) >> ((i + 3) % 64);
        r.s.zeek_missed_bytes = i % 2 ? 0 : test_rand(&seed) >> (i % 64);
        if (i % 6 == 0)
            r.uid[0] = '\0';
        if (i % 8 == 0)
            r.s.conn_state[0] = '\0';
        if (i % 10 == 0)
            r.s.history[0] = '\0';
        ref_zeek_row(&r, want, sizeof(want));
        out = run_writer(&report_zeek_ops, &r, NULL, 1, NULL);
        row = strstr(out.buf, "\n#types\t");
        ck_assert_ptr_nonnull(row);
        row = strchr(row + 1, '\n') + 1;
        ck_assert_int_eq(strncmp(row, want, strlen(want)), 0);
        ck_assert_int_eq(strncmp(row + strlen(want), "#close\t", 7), 0);
        free(out.buf);
    }
}
END_TEST

START_TEST(test_zeek_write_error_makes_close_fail)
{
    /* /dev/full, batched, -l and -o: close fails with ENOSPC and leaves stdio empty */
    struct stat_list l = {NULL, 0, 0};
    struct stats_record st = {T0, &l, false};
    struct flow_record r = sample_record();
    static char sbuf[4096];
    int v, i;

    for (v = 0; v < 3; v++) {
        struct report_opts o = {.format = REPORT_ZEEK,
                                .line_buffered = v == 1,
                                .output_path = v == 2 ? "/dev/full" : NULL};
        char err[256];
        void *priv = NULL;
        FILE *f = fopen("/dev/full", "w");

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(setvbuf(f, sbuf, _IOFBF, sizeof(sbuf)), 0);
        ck_assert_int_eq(report_zeek_ops.open(&priv, f, &o, err), 0);
        for (i = 0; i < 100; i++)
            report_zeek_ops.flow_end(priv, &r);
        report_zeek_ops.stats(priv, &st);
        ck_assert_int_eq(report_zeek_ops.close(priv), -1);
        ck_assert_int_eq(errno, ENOSPC);
        ck_assert_uint_eq(__fpending(f), 0);
        ck_assert_int_eq(fclose(f), 0);
    }
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
    struct stats_record st = {T0, &l, false};
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
    ck_assert_int_eq(strncmp(out.buf, "Start  ", 7), 0);
    free(out.buf);
}
END_TEST

/* Off a terminal (a memory stream here): every column, sized to its widest cell. */
START_TEST(test_text_row_is_exact_and_aligned)
{
    struct flow_record r[2] = {sample_record(), sample_record()};
    struct run out;
    char want[2048];

    r[1].ip_version = 6;
    memset(&r[1].src_ip, 0, sizeof(r[1].src_ip));
    r[1].src_ip.b[0] = 0x20, r[1].src_ip.b[1] = 0x01, r[1].src_ip.b[2] = 0x0d;
    r[1].src_ip.b[3] = 0xb8, r[1].src_ip.b[15] = 1;
    memset(&r[1].dest_ip, 0, sizeof(r[1].dest_ip));
    r[1].dest_ip.b[15] = 1;
    r[1].dest_port = 443;
    r[1].s.handshake = TCP_HS_REJECTED; /* not clean: named */
    r[1].s.close = TCP_CLOSE_RESET;
    r[1].s.server.dup_acks = 3;
    r[1].s.client.out_of_order = 2;
    r[1].s.handshake_rtt_ns = 0; /* not observed */
    r[1].s.history[0] = '\0';
    out = run_writer(&report_text_ops, r, NULL, 2, NULL);
    snprintf(want, sizeof(want),
             "Start                    Client               State      Server       State    Dur"
             "  Pkts  Bytes  Retr  DupAck  ZeroWin  Lost    RTT  Conn  History   Notes\n"
             "2009-11-18T08:00:21.123  10.0.0.1:40000       TIME_WAIT  10.0.0.2:80  CLOSED  9.9s"
             "     9   4500     1       0        0     0  123us  SF    ShADadFf  viol=2\n"
             "2009-11-18T08:00:21.123  [2001:db8::1]:40000  TIME_WAIT  [::1]:443    CLOSED  9.9s"
             "     9   4500     1       3        0     0      -  SF    -         hs=rejected "
             "close=reset ooo=2 viol=2\n");
    ck_assert_str_eq(out.buf, want);
    free(out.buf);
}
END_TEST

START_TEST(test_text_without_session_shows_dashes_and_selection_says_so)
{
    struct flow_record r = sample_record();
    struct report_opts o = {.format = REPORT_TEXT, .selected = true};
    char err[256], *buf = NULL;
    size_t len = 0;
    void *priv = NULL;
    FILE *f;
    struct run out;

    r.has_session = false;
    r.roles_guessed = true;
    out = run_writer(&report_text_ops, &r, NULL, 1, NULL);
    ck_assert_str_eq(out.buf,
                     "Start                    Client          State  Server       State   Dur  Pkts"
                     "  Bytes  Retr  DupAck  ZeroWin  Lost  RTT  Conn  History  Notes\n"
                     "2009-11-18T08:00:21.123  10.0.0.1:40000  -      10.0.0.2:80  -      9.9s     9"
                     "   4500     -       -        -     -    -  -     -        roles-guessed\n");
    free(out.buf);
    /* nothing matched --state / --stuck: not "no TCP connections" */
    f = open_memstream(&buf, &len);
    ck_assert_int_eq(report_text_ops.open(&priv, f, &o, err), 0);
    ck_assert_int_eq(report_text_ops.close(priv), 0);
    fclose(f);
    ck_assert_str_eq(buf, "no matching TCP connections\n");
    free(buf);
}
END_TEST

/* ---- the column layout (report_table.c) ------------------------------------------- */

static size_t fixed_notes_w;
static unsigned notes_seen;

static size_t
fixed_notes(unsigned visible, void *arg)
{
    (void)arg;
    notes_seen = visible;
    /* a hidden Retr column puts "retr=N" in the notes: they grow by 7 */
    return fixed_notes_w + (visible & TABLE_BIT(TABLE_RETR) ? 0 : 7);
}

static size_t
line_of(const size_t width[TABLE_NCOLS], unsigned visible)
{
    size_t w = 0, n = 0;
    int c;

    for (c = 0; c < TABLE_NCOLS; c++)
        if (visible & TABLE_BIT(c)) {
            w += width[c];
            n++;
        }
    return w + (n - 1) * 2;
}

/* the kernel-lo capture's widths: 15 columns, 152 characters before the notes */
static const size_t lo_width[TABLE_NCOLS] = {23, 15, 10, 14, 10, 5, 4, 5, 4, 6, 7, 4, 5, 4, 8};

START_TEST(test_layout_off_a_terminal_is_every_column)
{
    fixed_notes_w = 500;
    ck_assert_uint_eq(report_table_fit(lo_width, 0, fixed_notes, NULL), TABLE_ALL);
    ck_assert_uint_eq(line_of(lo_width, TABLE_ALL), 152);
}
END_TEST

/*
 * Narrowing a terminal one column at a time drops columns only in the
 * documented order, never an essential one, and the chosen line always
 * fits with TABLE_NOTES_MIN of notes, or nothing optional is left.
 */
START_TEST(test_layout_drops_columns_in_order_as_the_terminal_narrows)
{
    unsigned prev = TABLE_ALL;
    size_t cols;

    fixed_notes_w = 30;
    for (cols = 300; cols >= 20; cols--) {
        unsigned v = report_table_fit(lo_width, cols, fixed_notes, NULL);
        size_t notes = fixed_notes(v, NULL), i, k = 0;

        ck_assert_uint_eq(v & TABLE_ESSENTIAL, TABLE_ESSENTIAL);
        ck_assert_uint_eq(v & ~prev, 0); /* never comes back while narrowing */
        /* v is "all but a prefix of the drop order" */
        while (k < TABLE_NCOLS - 4 && !(v & TABLE_BIT(report_table_drop_order[k])))
            k++;
        for (i = k; i < TABLE_NCOLS - 4; i++)
            ck_assert_msg(v & TABLE_BIT(report_table_drop_order[i]), "cols %zu: hole at %zu", cols,
                          i);
        if (v != TABLE_ESSENTIAL)
            ck_assert_uint_le(line_of(lo_width, v) + 2 + (notes < 16 ? notes : 16), cols);
        /* and it is the widest such choice: one more column would not fit */
        if (k > 0) {
            unsigned more = v | TABLE_BIT(report_table_drop_order[k - 1]);
            size_t mn = fixed_notes(more, NULL);

            ck_assert_uint_gt(line_of(lo_width, more) + 2 + (mn < 16 ? mn : 16), cols);
        }
        prev = v;
    }
    ck_assert_uint_eq(prev, TABLE_ESSENTIAL);
    /* 200 columns keep everything; 80 columns keep client, server, their states and Dur */
    ck_assert_uint_eq(report_table_fit(lo_width, 200, fixed_notes, NULL), TABLE_ALL);
    ck_assert_uint_eq(report_table_fit(lo_width, 80, fixed_notes, NULL),
                      TABLE_ESSENTIAL | TABLE_BIT(TABLE_DUR));
    ck_assert_uint_eq(notes_seen & ~TABLE_ALL, 0);
}
END_TEST

START_TEST(test_layout_without_notes_needs_no_room_for_them)
{
    fixed_notes_w = 0;
    /* 152 characters exactly: every column fits a 152-column terminal only without notes */
    ck_assert_uint_eq(report_table_fit(lo_width, 152, NULL, NULL), TABLE_ALL);
    ck_assert_uint_ne(report_table_fit(lo_width, 151, NULL, NULL), TABLE_ALL);
}
END_TEST

START_TEST(test_durations_read_like_a_person_writes_them)
{
    static const struct {
        uint64_t ns;
        const char *text;
    } cases[] = {
        {0, "0s"},
        {1, "0us"},
        {999, "0us"},
        {850000, "850us"},
        {999999, "999us"},
        {1000000, "1.0ms"},
        {2590000, "2.5ms"},
        {9999999, "9.9ms"},
        {10000000, "10ms"},
        {999999999, "999ms"},
        {1000000000, "1.0s"},
        {12049000000ull, "12.0s"},
        {59999999999ull, "59.9s"},
        {60000000000ull, "1m 0s"},
        {303000000000ull, "5m 3s"},
        {3599999999999ull, "59m 59s"},
        {3600000000000ull, "1h 0m"},
        {11220000000000ull, "3h 7m"},
        {86399999999999ull, "23h 59m"},
        {86400000000000ull, "1d 0h"},
        {(4ull * 86400 + 17 * 3600 + 59) * 1000000000ull, "4d 17h"},
        {UINT64_MAX, "213503d 23h"},
    };
    char buf[REPORT_DURATION_MAX];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = report_duration_put(cases[i].ns, buf);

        ck_assert_str_eq(buf, cases[i].text);
        ck_assert_uint_eq(n, strlen(cases[i].text));
    }
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

/* The escaping the EVE writer promises, written the slow obvious way. */
static void
ref_json_string(char *dst, const char *s)
{
    *dst++ = '"';
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            *dst++ = '\\';
            *dst++ = (char)c;
        } else if (c < 0x20) {
            dst += snprintf(dst, 7, "\\u%04x", c);
        } else {
            *dst++ = (char)c;
        }
    }
    *dst++ = '"';
    *dst = '\0';
}

START_TEST(test_eve_escapes_every_byte_value_like_the_reference)
{
    /* each byte 1..255 alone, first, in the middle and last: the fast path
     * (nothing to escape) and the escaping path must both give the reference text */
    struct flow_record r = sample_record();
    unsigned b, pos;

    for (b = 1; b <= 255; b++) {
        for (pos = 0; pos < 4; pos++) {
            static const char *const around[4][2] = {
                {"", ""}, {"", "abc"}, {"ab", "cd"}, {"abc", ""}};
            char str[16], quoted[64], want[96];
            struct run out;

            snprintf(str, sizeof(str), "%s%c%s", around[pos][0], (int)b, around[pos][1]);
            r.flow_state = str;
            ref_json_string(quoted, str);
            snprintf(want, sizeof(want), ",\"state\":%s,\"reason\":", quoted);
            out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
            ck_assert_msg(strstr(out.buf, want) != NULL, "byte 0x%02x pos %u: %s", b, pos, out.buf);
            free(out.buf);
        }
    }
}
END_TEST

START_TEST(test_eve_long_escaped_string_grows_the_buffer)
{
    /* 5000 control characters: 30000 bytes escaped, far past the buffer's first size */
    struct flow_record r = sample_record();
    char *str = malloc(5001), *quoted = malloc(30010), *want = malloc(30100);
    struct run out;
    json_t *root;
    json_error_t jerr;

    ck_assert_ptr_nonnull(str);
    ck_assert_ptr_nonnull(quoted);
    ck_assert_ptr_nonnull(want);
    memset(str, 0x01, 5000);
    str[2500] = '"';
    str[5000] = '\0';
    r.flow_state = str;
    ref_json_string(quoted, str);
    snprintf(want, 30100, ",\"state\":%s,\"reason\":", quoted);
    out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
    ck_assert_ptr_nonnull(strstr(out.buf, want));
    root = json_loads(out.buf, 0, &jerr);
    ck_assert_msg(root != NULL, "%s", jerr.text);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "flow"), "state")),
                     str);
    json_decref(root);
    free(out.buf);
    free(want);
    free(quoted);
    free(str);
}
END_TEST

START_TEST(test_eve_seconds_match_the_reference_for_many_values)
{
    /* fixed point, truncated to microseconds, trailing zeros trimmed, one decimal kept */
    struct flow_record r = sample_record();
    uint64_t seed = 99;
    int i;

    for (i = 0; i < 1500; i++) {
        uint64_t ns = i < 500 ? (uint64_t)i * 999 : test_rand(&seed) >> (i % 64);
        uint64_t us = ns / 1000u;
        char frac[16], want[96];
        size_t n;
        struct run out;

        if (ns == 0)
            ns = 1000; /* 0 is written as null */
        us = ns / 1000u;
        snprintf(frac, sizeof(frac), "%06u", (unsigned)(us % 1000000u));
        for (n = 6; n > 1 && frac[n - 1] == '0'; n--)
            frac[n - 1] = '\0';
        snprintf(want, sizeof(want), "\"rtt\":{\"handshake\":%" PRIu64 ".%s,", us / 1000000u, frac);
        r.s.handshake_rtt_ns = ns;
        out = run_writer(&report_eve_ops, &r, NULL, 1, NULL);
        ck_assert_msg(strstr(out.buf, want) != NULL, "%" PRIu64 ": want %s", ns, want);
        free(out.buf);
    }
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
        {"decoder.pkts", 17}, /* past the filter: 20 records read */
        {"decoder.tcp", 12},
        {"flowstate.decoder.filtered", 3}, /* shown without the flowstate. namespace */
        {"flowstate.decoder.truncated.ipv4_header", 1},
        {"flowstate.decoder.truncated.tcp_header", 0}, /* zero counters are hidden in text */
        {"flowstate.decoder.malformed.tcp_hlen", 2},
        {"flow.tcp", 4},
        {"decoder.bytes", 0},
        {"flowstate.capture.read_errors", 0}, /* a group with only zeros gets no heading */
    };
    struct stat_list l = {items, sizeof(items) / sizeof(items[0]), 0};
    struct stats_record st = {T0, &l, false};
    struct run out = run_writer(&report_text_ops, NULL, NULL, 0, &st);

    ck_assert_str_eq(out.buf, "no TCP connections\n"
                              "\n"
                              "summary at 2009-11-18T08:00:21.123456+0000\n"
                              "packets: 20 read, 12 tcp, 2 other, 1 truncated, 2 malformed, 3 "
                              "filtered\n"
                              "decoder:\n"
                              "  decoder.pkts                  17\n"
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
        {"decoder.pkts", 17},
        {"flowstate.decoder.filtered", 3},
        {"decoder.tcp", 13},
        {"flowstate.decoder.outcome.tcp", 10},
        {"flowstate.decoder.outcome.other_l4", 2},
        {"flowstate.decoder.outcome.non_ip", 1},
        {"flowstate.decoder.outcome.truncated", 3},
        {"flowstate.decoder.outcome.malformed", 1},
    };
    struct stat_list l = {items, sizeof(items) / sizeof(items[0]), 0};
    struct stats_record st = {0, &l, false};
    struct run out = run_writer(&report_text_ops, NULL, NULL, 0, &st);

    ck_assert_ptr_nonnull(strstr(out.buf, "\npackets: 20 read, 10 tcp, 3 other, 3 truncated, "
                                          "1 malformed, 3 filtered\n"));
    free(out.buf);
}
END_TEST

/* ---- text reference: the table as the old snprintf-based writer printed it ---- */

/*
 * An independent printf reference of the off-terminal table (doc/schema.md
 * section 3): 15 fixed columns and the notes, every width from its widest
 * cell, two blanks between columns, no trailing blanks.
 */
#define REF_COLS 16

struct ref_row {
    uint64_t order;
    bool stuck;
    uint64_t since;
    char cell[REF_COLS][512];
};

static void
ref_add_word(char *buf, size_t len, const char *word)
{
    size_t used = strlen(buf);

    snprintf(buf + used, len - used, "%s%s", used ? " " : "", word);
}

static void
ref_add_count(char *buf, size_t len, const char *name, uint64_t v)
{
    char w[64];

    if (v == 0)
        return;
    snprintf(w, sizeof(w), "%s=%" PRIu64, name, v);
    ref_add_word(buf, len, w);
}

static void
ref_dur(uint64_t ns, char *b, size_t len)
{
    unsigned long long us = ns / 1000u, ms = ns / 1000000u, sec = ns / 1000000000u;

    if (ns == 0)
        snprintf(b, len, "0s");
    else if (ms == 0)
        snprintf(b, len, "%lluus", us);
    else if (ms < 10)
        snprintf(b, len, "%llu.%llums", ms, us / 100u % 10u);
    else if (sec == 0)
        snprintf(b, len, "%llums", ms);
    else if (sec < 60)
        snprintf(b, len, "%llu.%llus", sec, ms / 100u % 10u);
    else if (sec < 3600)
        snprintf(b, len, "%llum %llus", sec / 60u, sec % 60u);
    else if (sec < 86400)
        snprintf(b, len, "%lluh %llum", sec / 3600u, sec % 3600u / 60u);
    else
        snprintf(b, len, "%llud %lluh", sec / 86400u, sec % 86400u / 3600u);
}

static int
ref_row_cmp(const void *pa, const void *pb)
{
    const struct ref_row *a = pa, *b = pb;

    if (a->stuck != b->stuck)
        return a->stuck ? -1 : 1;
    if (a->stuck && a->since != b->since)
        return a->since < b->since ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static void
ref_text_row(const struct flow_record *r, struct ref_row *row, uint64_t order)
{
    const struct session_summary *s = &r->s;
    const struct tcp_endpoint_summary *c = &s->client, *v = &s->server;
    char addr[64], w[96], t[32], iso[64];
    bool ses = r->has_session;
    uint64_t nviol = 0;
    int k;

    memset(row, 0, sizeof(*row));
    row->order = order;
    row->stuck = ses && s->stuck != TCP_STUCK_NONE;
    row->since = s->stuck_since_ns;
    report_iso8601(r->start_ns, iso, sizeof(iso));
    snprintf(row->cell[0], 512, "%.23s", iso);
    inet_ntop(r->ip_version == 6 ? AF_INET6 : AF_INET, r->src_ip.b, addr, sizeof(addr));
    snprintf(row->cell[1], 512, r->ip_version == 6 ? "[%s]:%u" : "%s:%u", addr, r->src_port);
    snprintf(row->cell[2], 512, "%s", ses ? tcp_state_name(c->state) : "-");
    inet_ntop(r->ip_version == 6 ? AF_INET6 : AF_INET, r->dest_ip.b, addr, sizeof(addr));
    snprintf(row->cell[3], 512, r->ip_version == 6 ? "[%s]:%u" : "%s:%u", addr, r->dest_port);
    snprintf(row->cell[4], 512, "%s", ses ? tcp_state_name(v->state) : "-");
    ref_dur(r->end_ns > r->start_ns ? r->end_ns - r->start_ns : 0, row->cell[5], 512);
    snprintf(row->cell[6], 512, "%" PRIu64, r->pkts_toserver + r->pkts_toclient);
    snprintf(row->cell[7], 512, "%" PRIu64, r->bytes_toserver + r->bytes_toclient);
#define REF_SUM(i, f)                                                                             \
    do {                                                                                          \
        if (ses)                                                                                  \
            snprintf(row->cell[i], 512, "%" PRIu64, (uint64_t)c->f + v->f);                      \
        else                                                                                      \
            snprintf(row->cell[i], 512, "-");                                                     \
    } while (0)
    REF_SUM(8, retransmits);
    REF_SUM(9, dup_acks);
    REF_SUM(10, zero_windows);
    REF_SUM(11, lost_segments);
#undef REF_SUM
    if (ses && s->handshake_rtt_ns != 0)
        ref_dur(s->handshake_rtt_ns, row->cell[12], 512);
    else
        snprintf(row->cell[12], 512, "-");
    snprintf(row->cell[13], 512, "%s", ses && s->conn_state[0] ? s->conn_state : "-");
    snprintf(row->cell[14], 512, "%s", ses && s->history[0] ? s->history : "-");
    if (ses) {
        if (s->stuck != TCP_STUCK_NONE) {
            ref_dur(r->now_ns > s->stuck_since_ns ? r->now_ns - s->stuck_since_ns : 0, t,
                    sizeof(t));
            snprintf(w, sizeof(w), "STUCK:%s(%s)", tcp_stuck_name(s->stuck), t);
            ref_add_word(row->cell[15], 512, w);
        }
        if (s->handshake != TCP_HS_COMPLETE) {
            snprintf(w, sizeof(w), "hs=%s", tcp_handshake_name(s->handshake));
            ref_add_word(row->cell[15], 512, w);
        }
        if (s->close != TCP_CLOSE_FIN) {
            snprintf(w, sizeof(w), "close=%s", tcp_close_name(s->close));
            ref_add_word(row->cell[15], 512, w);
        }
        /* retr, lost, dupack and zerowin have columns off a terminal */
        ref_add_count(row->cell[15], 512, "fast_retr",
                      (uint64_t)c->fast_retransmits + v->fast_retransmits);
        ref_add_count(row->cell[15], 512, "spurious",
                      (uint64_t)c->spurious_retransmits + v->spurious_retransmits);
        ref_add_count(row->cell[15], 512, "ooo", (uint64_t)c->out_of_order + v->out_of_order);
        ref_add_count(row->cell[15], 512, "zwprobe",
                      (uint64_t)c->zero_window_probes + v->zero_window_probes);
        ref_add_count(row->cell[15], 512, "winfull", (uint64_t)c->window_full + v->window_full);
        ref_add_count(row->cell[15], 512, "keepalive", (uint64_t)c->keepalives + v->keepalives);
        for (k = 0; k < TV_COUNT; k++)
            nviol += (uint64_t)c->violations[k] + v->violations[k];
        ref_add_count(row->cell[15], 512, "viol", nviol);
        if (s->midstream && s->handshake != TCP_HS_MIDSTREAM)
            ref_add_word(row->cell[15], 512, "midstream");
    }
    if (r->roles_guessed || (ses && s->roles_guessed))
        ref_add_word(row->cell[15], 512, "roles-guessed");
}

static void
ref_text_line(char *out, size_t *used_out, const char *const cells[REF_COLS],
              const size_t width[REF_COLS])
{
    static const bool right[REF_COLS] = {false, false, false, false, false, true, true, true,
                                         true,  true,  true,  true,  true,  false, false, false};
    char line[REF_COLS * 520];
    size_t used = 0, c;

    for (c = 0; c < REF_COLS; c++)
        used += (size_t)snprintf(line + used, sizeof(line) - used, right[c] ? "%s%*s" : "%s%-*s",
                                 c ? "  " : "", (int)width[c], cells[c]);
    while (used > 0 && line[used - 1] == ' ')
        used--;
    line[used++] = '\n';
    memcpy(out + *used_out, line, used);
    *used_out += used;
}

START_TEST(test_text_table_matches_the_printf_reference)
{
    static const char *const title[REF_COLS] = {
        "Start", "Client", "State", "Server",  "State", "Dur",  "Pkts",    "Bytes",
        "Retr",  "DupAck", "ZeroWin", "Lost",  "RTT",   "Conn", "History", "Notes"};
    enum { N = 300 };
    static struct flow_record recs[N];
    static struct ref_row rows[N];
    static char want[N * 2400];
    size_t width[REF_COLS], used = 0, c;
    const char *cells[REF_COLS];
    uint64_t seed = 11;
    struct run out;
    int i;

    for (i = 0; i < N; i++) {
        struct flow_record *r = &recs[i];
        int k;

        *r = sample_record();
        r->has_session = i % 9 != 0;
        r->roles_guessed = i % 7 == 0;
        r->ip_version = i % 4 == 0 ? 6 : 4;
        for (k = 0; k < 16; k++) {
            r->src_ip.b[k] = test_rand(&seed) % 3 == 0 ? 0 : (uint8_t)test_rand(&seed);
            r->dest_ip.b[k] = (uint8_t)test_rand(&seed);
        }
        r->src_port = (uint16_t)test_rand(&seed);
        r->start_ns = T0 + (test_rand(&seed) >> (i % 64));
        r->pkts_toserver = test_rand(&seed) >> (i % 64);
        r->bytes_toclient = test_rand(&seed) >> ((i * 3) % 64);
        r->s.client.retransmits = (uint32_t)(test_rand(&seed) >> (32 + i % 32));
        r->s.server.dup_acks = (uint32_t)(test_rand(&seed) >> (32 + (i * 5) % 32));
        r->s.server.zero_windows = i % 3 == 0 ? (uint32_t)(test_rand(&seed) % 7) : 0;
        r->s.client.lost_segments = i % 4 == 0 ? (uint32_t)(test_rand(&seed) % 99) : 0;
        r->s.client.fast_retransmits = i % 5 == 0 ? 1 : 0;
        r->s.server.spurious_retransmits = i % 6 == 0 ? 2 : 0;
        r->s.client.out_of_order = i % 7 == 0 ? 3 : 0;
        r->s.server.zero_window_probes = i % 8 == 0 ? 4 : 0;
        r->s.client.window_full = i % 10 == 0 ? 5 : 0;
        r->s.server.keepalives = i % 11 == 0 ? 6 : 0;
        r->s.handshake_rtt_ns = i % 3 == 0 ? 0 : test_rand(&seed) >> (i % 64);
        if (i % 13 == 0)
            r->s.conn_state[0] = '\0';
        if (i % 17 == 0)
            r->s.history[0] = '\0';
        r->end_ns = r->start_ns + (test_rand(&seed) >> (i % 64));
        r->s.midstream = i % 5 == 0;
        r->s.handshake = (uint8_t)(test_rand(&seed) % 7);
        r->s.close = (uint8_t)(test_rand(&seed) % 4);
        r->s.client.violations[i % TV_COUNT] = i % 3 == 0 ? (uint32_t)test_rand(&seed) : 0;
        if (i % 6 == 1) {
            r->s.stuck = (uint8_t)(1 + test_rand(&seed) % 4);
            r->s.stuck_since_ns = r->start_ns + test_rand(&seed) % 5000000000ull;
            r->now_ns = r->s.stuck_since_ns + (test_rand(&seed) >> (i % 64));
        }
        ref_text_row(r, &rows[i], (uint64_t)i);
    }
    qsort(rows, N, sizeof(rows[0]), ref_row_cmp);
    for (c = 0; c < REF_COLS; c++) {
        width[c] = strlen(title[c]);
        for (i = 0; i < N; i++)
            if (strlen(rows[i].cell[c]) > width[c])
                width[c] = strlen(rows[i].cell[c]);
    }
    width[REF_COLS - 1] = 0;
    ref_text_line(want, &used, title, width);
    for (i = 0; i < N; i++) {
        for (c = 0; c < REF_COLS; c++)
            cells[c] = rows[i].cell[c];
        ref_text_line(want, &used, cells, width);
    }
    want[used] = '\0';
    out = run_writer(&report_text_ops, recs, NULL, N, NULL);
    ck_assert_int_eq(out.close_rc, 0);
    ck_assert_str_eq(out.buf, want);
    free(out.buf);
}
END_TEST

static Suite *
report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("helpers");

    /* the cross-checks run thousands of cases: room for sanitizer builds on a busy machine */
    tcase_set_timeout(tc, 120);

    tcase_add_test(tc, test_iso8601_epoch_zero);
    tcase_add_test(tc, test_iso8601_truncates_nanoseconds_to_microseconds);
    tcase_add_test(tc, test_iso8601_short_buffer_is_terminated);
    tcase_add_test(tc, test_flags_hex_is_two_digit_lowercase);
    tcase_add_test(tc, test_addr_str_compresses_ipv6);
    tcase_add_test(tc, test_u64_put_matches_printf_at_every_digit_boundary);
    tcase_add_test(tc, test_iso8601_put_matches_gmtime_strftime);
    tcase_add_test(tc, test_flags_hex_put_matches_printf);
    tcase_add_test(tc, test_addr_put_matches_inet_ntop);
    tcase_add_test(tc, test_addr_str_too_short_gives_question_mark_like_inet_ntop);
    suite_add_tcase(s, tc);

    tc = tcase_create("output");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_out_writes_the_same_pieces_at_the_same_points_as_stdio);
    tcase_add_test(tc, test_out_passes_lines_through_when_not_batching);
    tcase_add_test(tc, test_out_error_in_the_last_piece_is_reported_by_flush);
    tcase_add_test(tc, test_eve_batched_output_equals_line_by_line);
    tcase_add_test(tc, test_eve_write_error_makes_close_fail);
    suite_add_tcase(s, tc);

    tc = tcase_create("eve");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_eve_flow_header_is_exact_and_ordered);
    tcase_add_test(tc, test_eve_flow_parses_back_with_fixed_key_order);
    tcase_add_test(tc, test_eve_seconds_are_microsecond_decimals);
    tcase_add_test(tc, test_eve_record_without_session_leaves_session_out);
    tcase_add_test(tc, test_eve_strings_are_escaped_and_parse_back);
    tcase_add_test(tc, test_eve_escapes_every_byte_value_like_the_reference);
    tcase_add_test(tc, test_eve_long_escaped_string_grows_the_buffer);
    tcase_add_test(tc, test_eve_seconds_match_the_reference_for_many_values);
    tcase_add_test(tc, test_eve_stuck_and_violation_examples);
    tcase_add_test(tc, test_eve_stuck_confidence_capture_loss);
    tcase_add_test(tc, test_eve_stuck_confidence_content_gap);
    tcase_add_test(tc, test_eve_gap_flags_follow_missed_bytes);
    tcase_add_test(tc, test_eve_inferred_events_per_endpoint);
    tcase_add_test(tc, test_eve_one_line_per_record_in_order);
    tcase_add_test(tc, test_eve_stats_nest_in_first_seen_order);
    tcase_add_test(tc, test_eve_stats_deltas_are_changes_since_the_last_record);
    tcase_add_test(tc, test_text_summary_is_the_final_stats_record);
    suite_add_tcase(s, tc);

    tc = tcase_create("zeek");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_zeek_header_row_and_close);
    tcase_add_test(tc, test_zeek_rows_match_the_printf_reference);
    tcase_add_test(tc, test_zeek_write_error_makes_close_fail);
    tcase_add_test(tc, test_zeek_swaps_when_orig_is_server_and_hides_zero_duration);
    tcase_add_test(tc, test_zeek_ipv6_and_no_stats_or_updates);
    tcase_add_test(tc, test_zeek_empty_run_is_a_complete_log);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_text_puts_stuck_first_oldest_first);
    tcase_add_test(tc, test_text_row_is_exact_and_aligned);
    tcase_add_test(tc, test_text_without_session_shows_dashes_and_selection_says_so);
    tcase_add_test(tc, test_layout_off_a_terminal_is_every_column);
    tcase_add_test(tc, test_layout_drops_columns_in_order_as_the_terminal_narrows);
    tcase_add_test(tc, test_layout_without_notes_needs_no_room_for_them);
    tcase_add_test(tc, test_durations_read_like_a_person_writes_them);
    tcase_add_test(tc, test_text_table_matches_the_printf_reference);
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
