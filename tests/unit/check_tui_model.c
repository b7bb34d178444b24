/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the state view's curses-free model (src/report/tui/tui_model.c):
 * ss-style filter parsing and matching, every sort key, stuck-first default
 * order, the open/ended bookkeeping and the header rates.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report/tui/tui_model.h"
#include "util/stats.h"

#define NS 1000000000ULL
#define MS 1000000ULL

/* A record for client 10.0.0.<n>:<1000+n> -> 192.0.2.1:80 starting at start_s. */
static struct flow_record
mk(uint64_t id, uint64_t start_s, enum tcp_state_id cst, enum tcp_state_id sst)
{
    struct flow_record r;

    memset(&r, 0, sizeof(r));
    r.event = "flow_update";
    r.flow_id = id;
    r.ip_version = 4;
    r.proto = 6;
    r.src_ip.b[0] = 10;
    r.src_ip.b[3] = (uint8_t)id;
    r.dest_ip.b[0] = 192;
    r.dest_ip.b[2] = 2;
    r.dest_ip.b[3] = 1;
    r.src_port = (uint16_t)(1000 + id);
    r.dest_port = 80;
    r.start_ns = start_s * NS;
    r.end_ns = r.start_ns + NS;
    r.now_ns = 100 * NS;
    r.pkts_toserver = 1;
    r.s.client.state = (uint8_t)cst;
    r.s.server.state = (uint8_t)sst;
    r.s.client.state_since_ns = r.start_ns;
    r.s.server.state_since_ns = r.start_ns;
    return r;
}

static void
stuck(struct flow_record *r, uint64_t since_s)
{
    r->s.stuck = TCP_STUCK_CLOSE_WAIT;
    r->s.stuck_since_ns = since_s * NS;
}

/* flow ids of the arranged rows, in order */
static void
arranged(struct tui_view *v, enum tui_sort key, bool rev, const char *filter, uint64_t *ids,
         size_t *n)
{
    struct tui_filter f;
    size_t i;

    tui_filter_parse(filter, &f);
    tui_view_arrange(v, key, rev, &f);
    for (i = 0; i < v->n_rows; i++)
        ids[i] = v->rows[i]->rec.flow_id;
    *n = v->n_rows;
}

static void
feed_ns(struct tui_model *m, const struct flow_record *recs, size_t n, uint64_t ts_ns,
        uint64_t pkts, uint64_t bytes, bool final)
{
    struct stat_list l;
    struct stats_record st;

    stat_list_init(&l);
    stat_list_add(&l, "decoder.pkts", pkts);
    stat_list_add(&l, "decoder.bytes", bytes / 2); /* captured bytes: not the line rate */
    stat_list_add(&l, "flowstate.decoder.wire_bytes", bytes);
    stat_list_add(&l, "flow.active", n);
    stat_list_add(&l, "flow.tcp", 7);
    stat_list_add(&l, "capture.kernel_drops", 2);
    stat_list_add(&l, "capture.kernel_ifdrops", 3);
    st.ts_ns = ts_ns;
    st.items = &l;
    tui_model_tick(m, recs, n, &st, final);
    stat_list_fini(&l);
}

static void
feed(struct tui_model *m, const struct flow_record *recs, size_t n, uint64_t ts_s, uint64_t pkts,
     uint64_t bytes, bool final)
{
    feed_ns(m, recs, n, ts_s * NS, pkts, bytes, final);
}

START_TEST(test_filter_parses_ss_state_names_in_any_spelling)
{
    struct tui_filter f;

    tui_filter_parse("close-wait", &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_STATE);
    ck_assert_int_eq(f.state, TCP_ST_CLOSE_WAIT);
    tui_filter_parse("  CLOSE_WAIT ", &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_STATE);
    ck_assert_int_eq(f.state, TCP_ST_CLOSE_WAIT);
    tui_filter_parse("state established", &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_STATE);
    ck_assert_int_eq(f.state, TCP_ST_ESTABLISHED);
    tui_filter_parse("syn-sent", &f);
    ck_assert_int_eq(f.state, TCP_ST_SYN_SENT);
    tui_filter_parse("time-wait", &f);
    ck_assert_int_eq(f.state, TCP_ST_TIME_WAIT);
    tui_filter_parse("syn-recv", &f);
    ck_assert_int_eq(f.state, TCP_ST_SYN_RECEIVED);
    ck_assert_str_eq(f.text, "syn-recv");
}
END_TEST

START_TEST(test_filter_keywords_text_and_empty)
{
    struct tui_filter f;

    tui_filter_parse("stuck", &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_STUCK);
    tui_filter_parse("connected", &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_CONNECTED);
    tui_filter_parse("synchronized", &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_SYNCHRONIZED);
    tui_filter_parse(":1003", &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_TEXT);
    ck_assert_str_eq(f.text, ":1003");
    tui_filter_parse("close-wai", &f); /* a prefix is text, not a state */
    ck_assert_int_eq(f.kind, TUI_FILTER_TEXT);
    tui_filter_parse("", &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_NONE);
    tui_filter_parse("   ", &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_NONE);
    tui_filter_parse(NULL, &f);
    ck_assert_int_eq(f.kind, TUI_FILTER_NONE);
}
END_TEST

/* Model fixture: 5 open connections, two of them stuck. */
static struct tui_model m;
static struct tui_view v;

static void
setup(void)
{
    struct flow_record r[5];

    r[0] = mk(1, 10, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    r[0].bytes_toserver = 500;
    r[0].s.client.retransmits = 1;
    r[0].s.handshake_rtt_ns = 3 * MS;
    r[1] = mk(2, 11, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    stuck(&r[1], 50);
    r[1].bytes_toserver = 100;
    r[2] = mk(3, 12, TCP_ST_SYN_SENT, TCP_ST_NONE);
    r[2].bytes_toserver = 60;
    r[2].end_ns = r[2].start_ns + 60 * NS; /* slow: 1 B/s */
    r[3] = mk(4, 13, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    stuck(&r[3], 20); /* stuck longer than id 2 */
    r[3].bytes_toserver = 900;
    r[3].s.server.retransmits = 5;
    r[4] = mk(5, 14, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    r[4].bytes_toserver = 900; /* ties id 4 on bytes */
    r[4].s.client.rtt.samples = 2;
    r[4].s.client.rtt.sum_ns = 20 * MS;
    r[4].s.client.state_since_ns = 90 * NS; /* recent change: age 10 s */
    tui_model_init(&m, 3);
    tui_view_init(&v);
    feed(&m, r, 5, 100, 1000, 100000, false);
    tui_view_capture(&v, &m);
}

static void
teardown(void)
{
    tui_view_fini(&v);
    tui_model_fini(&m);
}

START_TEST(test_default_order_lists_stuck_first_oldest_first)
{
    uint64_t ids[8];
    size_t n;

    arranged(&v, TUI_SORT_STATE, false, "", ids, &n);
    ck_assert_uint_eq(n, 5);
    ck_assert_uint_eq(ids[0], 4); /* stuck since 20 s */
    ck_assert_uint_eq(ids[1], 2); /* stuck since 50 s */
    /* then by server state: NONE(3) < ESTABLISHED(1, 5 in start order) */
    ck_assert_uint_eq(ids[2], 3);
    ck_assert_uint_eq(ids[3], 1);
    ck_assert_uint_eq(ids[4], 5);
}
END_TEST

START_TEST(test_reverse_inverts_the_whole_order)
{
    uint64_t fwd[8], rev[8];
    size_t n, k, i;

    arranged(&v, TUI_SORT_STATE, false, "", fwd, &n);
    arranged(&v, TUI_SORT_STATE, true, "", rev, &k);
    ck_assert_uint_eq(n, k);
    for (i = 0; i < n; i++)
        ck_assert_uint_eq(fwd[i], rev[n - 1 - i]);
}
END_TEST

START_TEST(test_bytes_sort_is_largest_first_ties_in_start_order)
{
    uint64_t ids[8];
    size_t n;

    arranged(&v, TUI_SORT_BYTES, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 4); /* 900, started first */
    ck_assert_uint_eq(ids[1], 5); /* 900 */
    ck_assert_uint_eq(ids[2], 1); /* 500 */
    ck_assert_uint_eq(ids[3], 2); /* 100 */
    ck_assert_uint_eq(ids[4], 3); /* 60 */
}
END_TEST

START_TEST(test_retrans_rtt_rate_and_age_sorts)
{
    uint64_t ids[8];
    size_t n;

    arranged(&v, TUI_SORT_RETRANS, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 4);
    ck_assert_uint_eq(ids[1], 1);
    arranged(&v, TUI_SORT_RTT, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 5); /* avg per-ACK 10 ms */
    ck_assert_uint_eq(ids[1], 1); /* handshake 3 ms */
    arranged(&v, TUI_SORT_RATE, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 4);
    ck_assert_uint_eq(ids[4], 3); /* 1 B/s */
    arranged(&v, TUI_SORT_AGE, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 1); /* 90 s in ESTABLISHED */
    ck_assert_uint_eq(ids[1], 3); /* 88 s */
    ck_assert_uint_eq(ids[2], 4); /* stuck 80 s: the age of a stuck one is the time stuck */
    ck_assert_uint_eq(ids[3], 2); /* stuck 50 s */
    ck_assert_uint_eq(ids[4], 5); /* 10 s since its last change */
}
END_TEST

START_TEST(test_state_filter_matches_either_endpoint)
{
    uint64_t ids[8];
    size_t n;

    arranged(&v, TUI_SORT_STATE, false, "close-wait", ids, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(ids[0], 4);
    ck_assert_uint_eq(ids[1], 2);
    arranged(&v, TUI_SORT_STATE, false, "fin-wait-2", ids, &n);
    ck_assert_uint_eq(n, 2);
    arranged(&v, TUI_SORT_STATE, false, "established", ids, &n);
    ck_assert_uint_eq(n, 2);
    arranged(&v, TUI_SORT_STATE, false, "syn-sent", ids, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(ids[0], 3);
    arranged(&v, TUI_SORT_STATE, false, "time-wait", ids, &n);
    ck_assert_uint_eq(n, 0);
    arranged(&v, TUI_SORT_STATE, false, "stuck", ids, &n);
    ck_assert_uint_eq(n, 2);
    arranged(&v, TUI_SORT_STATE, false, "synchronized", ids, &n);
    ck_assert_uint_eq(n, 4);
}
END_TEST

START_TEST(test_text_filter_matches_address_or_port_substring)
{
    uint64_t ids[8];
    size_t n;

    arranged(&v, TUI_SORT_BYTES, false, "10.0.0.3:", ids, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(ids[0], 3);
    arranged(&v, TUI_SORT_BYTES, false, ":1005", ids, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(ids[0], 5);
    arranged(&v, TUI_SORT_BYTES, false, "192.0.2.1:80", ids, &n);
    ck_assert_uint_eq(n, 5);
    arranged(&v, TUI_SORT_BYTES, false, "198.51.100.", ids, &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(tui_view_find(&v, 5), -1);
}
END_TEST

START_TEST(test_flow_end_moves_open_to_ended_and_ring_drops_oldest)
{
    struct flow_record e;
    uint64_t id;

    ck_assert_uint_eq(m.tot.open, 5);
    for (id = 1; id <= 4; id++) {
        e = mk(id, 9 + id, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
        e.event = "flow";
        tui_model_flow_end(&m, &e);
    }
    ck_assert_uint_eq(m.tot.open, 1);
    ck_assert_uint_eq(m.n_ended, 3); /* keep = 3 */
    ck_assert_uint_eq(m.ended_dropped, 1);
    tui_view_capture(&v, &m);
    ck_assert_uint_eq(v.n_conn, 4); /* id 5 open + ids 2..4 ended */
    ck_assert_uint_eq(v.conn[0].rec.flow_id, 5);
    ck_assert(!v.conn[0].ended);
    ck_assert_uint_eq(v.conn[1].rec.flow_id, 2);
    ck_assert(v.conn[1].ended);
    ck_assert_uint_eq(v.conn[3].rec.flow_id, 4);
    /* the next snapshot no longer has the ended ones: nothing is duplicated */
    e = mk(5, 14, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    feed(&m, &e, 1, 101, 1100, 100000, false);
    tui_view_capture(&v, &m);
    ck_assert_uint_eq(v.n_conn, 4);
}
END_TEST

START_TEST(test_rates_use_capture_time_deltas_and_same_time_ticks_keep_them)
{
    struct flow_record none[1];

    /* first tick (fixture) at 100 s: 1000 pkts, 100000 bytes; no rate yet */
    ck_assert(m.tot.pps == 0.0);
    feed(&m, none, 0, 102, 1200, 110000, false);
    ck_assert(m.tot.pps == 100.0);               /* 200 pkts / 2 s */
    ck_assert(m.tot.bps == 40000.0);             /* 10000 B * 8 / 2 s */
    feed(&m, none, 0, 102, 1300, 120000, false); /* pacing tick, same capture time */
    ck_assert(m.tot.pps == 100.0);
    /* a pacing tick later in the same capture second: wall-time dependent, not sampled */
    feed_ns(&m, none, 0, 102 * NS + 500 * MS, 1300, 120000, false);
    ck_assert(m.tot.pps == 100.0);
    ck_assert_uint_eq(m.tot.pkts, 1300);
    ck_assert_uint_eq(m.tot.drops, 5);
    ck_assert_uint_eq(m.tot.flows_tcp, 7);
    feed(&m, none, 0, 104, 1400, 120000, true); /* final: average over the run */
    ck_assert(m.tot.pps == 100.0);              /* 400 pkts / 4 s */
    ck_assert(m.tot.final);
}
END_TEST

START_TEST(test_state_totals_count_open_endpoints)
{
    ck_assert_uint_eq(m.tot.by_state[TCP_ST_ESTABLISHED], 4);
    ck_assert_uint_eq(m.tot.by_state[TCP_ST_CLOSE_WAIT], 2);
    ck_assert_uint_eq(m.tot.by_state[TCP_ST_FIN_WAIT_2], 2);
    ck_assert_uint_eq(m.tot.by_state[TCP_ST_SYN_SENT], 1);
    ck_assert_uint_eq(v.tot.stuck, 2);
}
END_TEST

START_TEST(test_detail_names_history_violations_and_stuck)
{
    struct tui_conn c;
    char lines[96][TUI_LINE_LEN];
    size_t n, i;
    bool hist = false, viol = false, stk = false;

    memset(&c, 0, sizeof(c));
    c.rec = mk(9, 10, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    stuck(&c.rec, 40);
    snprintf(c.rec.s.history, sizeof(c.rec.s.history), "ShADdFa");
    c.rec.s.server.violations[TV_ACK_UNSENT_DATA] = 1;
    c.rec.s.n_examples = 1;
    c.rec.s.examples[0].kind = TV_ACK_UNSENT_DATA;
    c.rec.s.examples[0].expected = 100;
    c.rec.s.examples[0].seen = 200;
    n = tui_detail_format(&c, lines, 96);
    for (i = 0; i < n; i++) {
        hist |= strstr(lines[i], "history ShADdFa") != NULL;
        viol |= strstr(lines[i], "ack_unsent_data expected 100 seen 200") != NULL;
        stk |= strstr(lines[i], "STUCK close_wait") != NULL && strstr(lines[i], "age 1m00s");
    }
    ck_assert(hist);
    ck_assert(viol);
    ck_assert(stk);
    ck_assert_uint_eq(tui_detail_format(&c, lines, 3), 3); /* never past max */
}
END_TEST

START_TEST(test_detail_of_a_never_seen_endpoint_has_no_age)
{
    /* regression: an endpoint in NONE has no state start; it showed "for 19675d22h" */
    struct tui_conn c;
    char lines[96][TUI_LINE_LEN];
    size_t n, i;
    bool plain = false;

    memset(&c, 0, sizeof(c));
    c.rec = mk(9, 10, TCP_ST_SYN_SENT, TCP_ST_NONE);
    c.rec.s.server.state_since_ns = 0;
    n = tui_detail_format(&c, lines, 96);
    for (i = 0; i < n; i++) {
        ck_assert_msg(strstr(lines[i], "NONE for") == NULL, "%s", lines[i]);
        plain |= strcmp(lines[i], "  state NONE") == 0;
    }
    ck_assert(plain);
}
END_TEST

START_TEST(test_compact_formats)
{
    char b[32];

    ck_assert_str_eq(tui_fmt_dur(850 * MS, b, sizeof(b)), "850ms");
    ck_assert_str_eq(tui_fmt_dur(12 * NS + 4 * MS, b, sizeof(b)), "12s");
    ck_assert_str_eq(tui_fmt_dur(185 * NS, b, sizeof(b)), "3m05s");
    ck_assert_str_eq(tui_fmt_dur(7380 * NS, b, sizeof(b)), "2h03m");
    ck_assert_str_eq(tui_fmt_dur(104400 * NS, b, sizeof(b)), "1d05h");
    ck_assert_str_eq(tui_fmt_si(999, b, sizeof(b)), "999");
    ck_assert_str_eq(tui_fmt_si(1.5, b, sizeof(b)), "1.5");
    ck_assert_str_eq(tui_fmt_si(12300, b, sizeof(b)), "12k");
    ck_assert_str_eq(tui_fmt_si(4500000, b, sizeof(b)), "4.5M");
    ck_assert_str_eq(tui_sort_name(TUI_SORT_RETRANS), "retrans");
}
END_TEST

static Suite *
tui_model_suite(void)
{
    Suite *s = suite_create("tui_model");
    TCase *tc = tcase_create("filter");
    TCase *tm = tcase_create("model");

    tcase_add_test(tc, test_filter_parses_ss_state_names_in_any_spelling);
    tcase_add_test(tc, test_filter_keywords_text_and_empty);
    tcase_add_test(tc, test_compact_formats);
    tcase_add_test(tc, test_detail_names_history_violations_and_stuck);
    tcase_add_test(tc, test_detail_of_a_never_seen_endpoint_has_no_age);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(tm, setup, teardown);
    tcase_add_test(tm, test_default_order_lists_stuck_first_oldest_first);
    tcase_add_test(tm, test_reverse_inverts_the_whole_order);
    tcase_add_test(tm, test_bytes_sort_is_largest_first_ties_in_start_order);
    tcase_add_test(tm, test_retrans_rtt_rate_and_age_sorts);
    tcase_add_test(tm, test_state_filter_matches_either_endpoint);
    tcase_add_test(tm, test_text_filter_matches_address_or_port_substring);
    tcase_add_test(tm, test_flow_end_moves_open_to_ended_and_ring_drops_oldest);
    tcase_add_test(tm, test_rates_use_capture_time_deltas_and_same_time_ticks_keep_them);
    tcase_add_test(tm, test_state_totals_count_open_endpoints);
    suite_add_tcase(s, tm);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(tui_model_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
