/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the state view's curses-free half: the model
 * (src/report/tui/tui_model.c: ss-style filters, every sort key, stuck-first
 * default order, open/ended bookkeeping, retention under --tui-rows, current
 * rates, pause), the layout (columns at 80 and 200 columns, the state bar)
 * and the screen (tui_screen.c: marks, keys and mouse events on a rendered
 * frame, without a terminal).
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report/tui/tui_layout.h"
#include "report/tui/tui_model.h"
#include "report/tui/tui_screen.h"
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
    struct tui_model_cfg cfg = {0, 3, 0};

    r[0] = mk(1, 10, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    r[0].bytes_toserver = 500;
    r[0].s.client.retransmits = 1;
    r[0].s.handshake_rtt_ns = 3 * MS;
    r[1] = mk(2, 11, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    stuck(&r[1], 50);
    r[1].bytes_toserver = 100;
    r[2] = mk(3, 12, TCP_ST_SYN_SENT, TCP_ST_NONE);
    r[2].bytes_toserver = 60;
    r[2].end_ns = r[2].start_ns + 60 * NS;
    r[3] = mk(4, 13, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    stuck(&r[3], 20); /* stuck longer than id 2 */
    r[3].bytes_toserver = 900;
    r[3].s.server.retransmits = 5;
    r[4] = mk(5, 14, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    r[4].bytes_toserver = 900; /* ties id 4 on bytes */
    r[4].s.client.rtt.samples = 2;
    r[4].s.client.rtt.sum_ns = 20 * MS;
    r[4].s.client.state_since_ns = 90 * NS; /* recent change: in state 10 s */
    tui_model_init(&m, &cfg);
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

START_TEST(test_retrans_rtt_stuck_and_instate_sorts)
{
    uint64_t ids[8];
    size_t n;

    arranged(&v, TUI_SORT_RETRANS, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 4);
    ck_assert_uint_eq(ids[1], 1);
    arranged(&v, TUI_SORT_RTT, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 5); /* avg per-ACK 10 ms */
    ck_assert_uint_eq(ids[1], 1); /* handshake 3 ms */
    arranged(&v, TUI_SORT_STUCK, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 4); /* stuck 80 s */
    ck_assert_uint_eq(ids[1], 2); /* stuck 50 s */
    ck_assert_uint_eq(ids[2], 1); /* then the others in start order */
    /* in-state is the time since the latest state change, stuck or not: one meaning */
    arranged(&v, TUI_SORT_INSTATE, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 1); /* 90 s in ESTABLISHED */
    ck_assert_uint_eq(ids[1], 2); /* 89 s */
    ck_assert_uint_eq(ids[2], 3); /* 88 s */
    ck_assert_uint_eq(ids[3], 4); /* 87 s */
    ck_assert_uint_eq(ids[4], 5); /* 10 s since its last change */
    ck_assert_uint_eq(tui_conn_stuck_ns(v.rows[3]), 80 * NS);
    ck_assert_uint_eq(tui_conn_instate_ns(v.rows[3]), 87 * NS);
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

static bool
view_has(const struct tui_view *vw, uint64_t id, bool ended)
{
    size_t i;

    for (i = 0; i < vw->n_conn; i++)
        if (vw->conn[i]->rec.flow_id == id && vw->conn[i]->ended == ended)
            return true;
    return false;
}

START_TEST(test_flow_end_moves_open_to_ended_and_closed_ones_rotate)
{
    struct flow_record e;
    uint64_t id;

    ck_assert_uint_eq(m.tot.open, 5);
    for (id = 1; id <= 4; id++) {
        e = mk(id, 9 + id, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
        e.event = "flow";
        e.reason = FLOW_END_TIMEOUT;
        tui_model_flow_end(&m, &e);
    }
    ck_assert_uint_eq(m.tot.open, 1);
    ck_assert_uint_eq(m.ended.n_used, 3); /* closed_keep = 3 */
    ck_assert_uint_eq(m.tot.closed_dropped, 1);
    ck_assert_uint_eq(m.tot.not_kept, 0);
    ck_assert(tui_view_capture(&v, &m));
    ck_assert(!tui_view_capture(&v, &m)); /* nothing changed since */
    ck_assert_uint_eq(v.n_conn, 4);       /* id 5 open + ids 2..4 ended */
    ck_assert(view_has(&v, 5, false));
    ck_assert(!view_has(&v, 1, true)); /* the oldest closed one went */
    ck_assert(view_has(&v, 2, true) && view_has(&v, 3, true) && view_has(&v, 4, true));
    /* the next snapshot no longer has the ended ones: nothing is duplicated */
    e = mk(5, 14, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    feed(&m, &e, 1, 101, 1100, 100000, false);
    tui_view_capture(&v, &m);
    ck_assert_uint_eq(v.n_conn, 4);
    ck_assert_uint_eq(m.open.n_used, 1);
}
END_TEST

/* The bench's final table said "stuck 0 ... rows 10000 of 10000" with 2,382 stuck. */
START_TEST(test_final_table_keeps_stuck_then_open_then_closed)
{
    struct tui_model fm;
    struct tui_view fv;
    struct tui_model_cfg cfg = {5, 0, 0}; /* --tui-rows 5 */
    struct flow_record e;
    uint64_t id;
    size_t i, stuck_rows = 0;

    tui_model_init(&fm, &cfg);
    tui_view_init(&fv);
    feed(&fm, NULL, 0, 100, 0, 0, false);
    for (id = 1; id <= 4; id++) { /* closed during the run */
        e = mk(id, 100, TCP_ST_TIME_WAIT, TCP_ST_CLOSED);
        e.reason = FLOW_END_TIMEOUT;
        tui_model_flow_end(&fm, &e);
    }
    for (id = 10; id <= 12; id++) { /* open at the end */
        e = mk(id, 101, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
        e.reason = FLOW_END_SHUTDOWN;
        tui_model_flow_end(&fm, &e);
    }
    for (id = 20; id <= 22; id++) { /* stuck, judged at the end */
        e = mk(id, 102, TCP_ST_SYN_SENT, TCP_ST_NONE);
        stuck(&e, 103);
        e.reason = FLOW_END_SHUTDOWN;
        tui_model_flow_end(&fm, &e);
    }
    feed(&fm, NULL, 0, 130, 0, 0, true);
    tui_view_capture(&fv, &fm);
    ck_assert_uint_eq(fv.n_conn, 5);
    for (i = 0; i < fv.n_conn; i++)
        stuck_rows += tui_conn_stuck(fv.conn[i]);
    ck_assert_uint_eq(stuck_rows, 3);                              /* every stuck one */
    ck_assert(view_has(&fv, 11, true) && view_has(&fv, 12, true)); /* the newest open ones */
    ck_assert(!view_has(&fv, 4, true));                            /* closed ones went first */
    ck_assert_uint_eq(fv.tot.not_kept, 5);
    ck_assert_uint_eq(fv.tot.stuck, 3);
    ck_assert_uint_eq(fv.tot.ended, 10);
    tui_view_fini(&fv);
    tui_model_fini(&fm);
}
END_TEST

START_TEST(test_open_rows_over_the_bound_keep_the_stuck_ones)
{
    struct tui_model fm;
    struct tui_view fv;
    struct tui_model_cfg cfg = {2, 0, 0};
    struct flow_record r[4];

    r[0] = mk(1, 10, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    r[1] = mk(2, 10, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    r[2] = mk(3, 10, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    stuck(&r[2], 20);
    r[3] = mk(4, 10, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    tui_model_init(&fm, &cfg);
    tui_view_init(&fv);
    feed(&fm, r, 4, 100, 10, 10, false);
    tui_view_capture(&fv, &fm);
    ck_assert_uint_eq(fv.n_conn, 2);
    ck_assert(view_has(&fv, 3, false) && view_has(&fv, 1, false));
    ck_assert_uint_eq(fv.tot.not_kept_open, 2);
    tui_view_fini(&fv);
    tui_model_fini(&fm);
}
END_TEST

/* One connection's snapshots: bytes to server / to client at capture second t. */
static void
feed_one(struct tui_model *fm, uint64_t t, uint64_t ts_bytes, uint64_t tc_bytes)
{
    struct flow_record r = mk(7, 100, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);

    r.bytes_toserver = ts_bytes;
    r.bytes_toclient = tc_bytes;
    r.now_ns = r.end_ns = t * NS;
    feed(fm, &r, 1, t, 0, 0, false);
}

START_TEST(test_rates_are_current_per_direction_not_lifetime)
{
    struct tui_model fm;
    struct tui_view fv;
    double cs, sc;
    uint64_t t;

    tui_model_init(&fm, NULL);
    tui_view_init(&fv);
    /* 1000 B/s to the server, 100 B/s back, for 10 s */
    for (t = 100; t <= 110; t++)
        feed_one(&fm, t, (t - 100) * 1000, (t - 100) * 100);
    tui_view_capture(&fv, &fm);
    ck_assert(tui_conn_rates(fv.conn[0], fv.tot.ts_ns, fv.tot.origin_ns, &cs, &sc));
    ck_assert(cs == 1000.0);
    ck_assert(sc == 100.0);
    /* then idle for 6 s: the rate falls to 0, whatever the lifetime average */
    for (t = 111; t <= 116; t++)
        feed_one(&fm, t, 10000, 1000);
    tui_view_capture(&fv, &fm);
    ck_assert(tui_conn_rates(fv.conn[0], fv.tot.ts_ns, fv.tot.origin_ns, &cs, &sc));
    ck_assert(cs == 0.0 && sc == 0.0);
    /* a burst in the last second counts over the 5-second window */
    feed_one(&fm, 117, 15000, 1000);
    tui_view_capture(&fv, &fm);
    ck_assert(tui_conn_rates(fv.conn[0], fv.tot.ts_ns, fv.tot.origin_ns, &cs, &sc));
    ck_assert(cs == 1000.0);
    tui_view_fini(&fv);
    tui_model_fini(&fm);
}
END_TEST

START_TEST(test_rates_of_a_short_connection_and_of_an_ended_one)
{
    struct tui_model fm;
    struct tui_view fv;
    struct flow_record r, none[1] = {{0}};
    double cs, sc;

    tui_model_init(&fm, NULL);
    tui_view_init(&fv);
    feed(&fm, none, 0, 100, 0, 0, false);
    /* 214 bytes in 12 us, then nothing: not "18M" */
    r = mk(8, 101, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    r.end_ns = r.start_ns + 12000;
    r.bytes_toserver = 214;
    r.now_ns = 103 * NS;
    feed(&fm, &r, 1, 103, 0, 0, false);
    tui_view_capture(&fv, &fm);
    ck_assert(tui_conn_rates(fv.conn[0], fv.tot.ts_ns, fv.tot.origin_ns, &cs, &sc));
    ck_assert(cs == 214.0 / 3.0); /* the capture is 3 s old: all of it inside the window */
    /* ended at 103 s; viewed at 120 s, long after: it moves nothing now */
    r.reason = FLOW_END_TIMEOUT;
    tui_model_flow_end(&fm, &r);
    feed(&fm, none, 0, 120, 0, 0, false);
    tui_view_capture(&fv, &fm);
    ck_assert_uint_eq(fv.n_conn, 1);
    ck_assert(fv.conn[0]->ended);
    ck_assert(tui_conn_rates(fv.conn[0], fv.tot.ts_ns, fv.tot.origin_ns, &cs, &sc));
    ck_assert(cs == 0.0);
    tui_view_fini(&fv);
    tui_model_fini(&fm);
}
END_TEST

START_TEST(test_rate_sort_uses_current_rates)
{
    struct tui_model fm;
    struct tui_view fv;
    struct flow_record r[2];
    uint64_t ids[4], t;
    size_t n;

    tui_model_init(&fm, NULL);
    tui_view_init(&fv);
    for (t = 100; t <= 110; t++) {
        r[0] = mk(1, 100, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
        r[0].bytes_toserver = t < 104 ? (t - 100) * 1000000 : 3000000; /* big, then idle */
        r[1] = mk(2, 100, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
        r[1].bytes_toserver = (t - 100) * 10; /* small but steady */
        feed(&fm, r, 2, t, 0, 0, false);
    }
    tui_view_capture(&fv, &fm);
    arranged(&fv, TUI_SORT_RATE, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 2);
    arranged(&fv, TUI_SORT_BYTES, false, "", ids, &n);
    ck_assert_uint_eq(ids[0], 1);
    tui_view_fini(&fv);
    tui_model_fini(&fm);
}
END_TEST

START_TEST(test_a_paused_view_keeps_what_it_shows)
{
    struct flow_record r[2];
    const struct tui_conn *shown;

    tui_view_arrange(&v, TUI_SORT_STATE, false, NULL);
    shown = v.rows[0];
    ck_assert_uint_eq(shown->rec.flow_id, 4);
    tui_model_freeze(&m, true);
    r[0] = mk(4, 13, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    r[0].bytes_toserver = 123456;
    r[1] = mk(6, 15, TCP_ST_SYN_SENT, TCP_ST_NONE);
    feed(&m, r, 2, 101, 2000, 200000, false);          /* ids 1, 2, 3, 5 are gone from the table */
    ck_assert_uint_eq(shown->rec.bytes_toserver, 900); /* not rewritten while paused */
    ck_assert_uint_eq(v.n_conn, 5);
    tui_model_freeze(&m, false);
    tui_view_capture(&v, &m);
    ck_assert_uint_eq(v.n_conn, 2);
    ck_assert(view_has(&v, 6, false));
    ck_assert_uint_eq(m.open.n_used, 2);
}
END_TEST

START_TEST(test_rates_use_capture_time_deltas_and_same_time_ticks_keep_them)
{
    struct flow_record none[1] = {{0}};

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
    ck_assert_uint_eq(m.tot.kernel_drops, 5);
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
    n = tui_detail_format(&c, 100 * NS, 0, lines, 96);
    for (i = 0; i < n; i++) {
        hist |= strstr(lines[i], "history ShADdFa") != NULL;
        viol |= strstr(lines[i], "ack_unsent_data expected 100 seen 200") != NULL;
        stk |= strstr(lines[i], "STUCK close_wait") != NULL && strstr(lines[i], "age 1m00s");
    }
    ck_assert(hist);
    ck_assert(viol);
    ck_assert(stk);
    ck_assert_uint_eq(tui_detail_format(&c, 100 * NS, 0, lines, 3), 3); /* never past max */
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
    n = tui_detail_format(&c, 100 * NS, 0, lines, 96);
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

/* ---- layout and screen -------------------------------------------------------------- */

static bool
shown(const struct tui_layout *l, enum tui_col c)
{
    return l->width[c] != 0;
}

START_TEST(test_narrow_terminal_keeps_marks_addresses_states_and_stuck_time)
{
    struct tui_layout l;

    tui_view_arrange(&v, TUI_SORT_STATE, false, NULL);
    tui_layout_fit(&l, &v, 0, v.n_rows, 80, TUI_SORT_STATE, false);
    ck_assert(l.total <= 80);
    ck_assert(shown(&l, TC_MARK) && shown(&l, TC_CLIENT) && shown(&l, TC_SERVER));
    ck_assert(shown(&l, TC_CST) && shown(&l, TC_SST) && shown(&l, TC_STUCK));
    ck_assert(!shown(&l, TC_HIST) && !shown(&l, TC_UID));
}
END_TEST

START_TEST(test_wide_terminal_shows_more_columns)
{
    struct tui_layout narrow, wide;
    int c, nn = 0, nw = 0;

    tui_view_arrange(&v, TUI_SORT_STATE, false, NULL);
    tui_layout_fit(&narrow, &v, 0, v.n_rows, 120, TUI_SORT_STATE, false);
    tui_layout_fit(&wide, &v, 0, v.n_rows, 200, TUI_SORT_STATE, false);
    for (c = 0; c < TC_COUNT; c++) {
        nn += shown(&narrow, (enum tui_col)c);
        nw += shown(&wide, (enum tui_col)c);
    }
    ck_assert_int_gt(nw, nn);
    ck_assert(wide.total > 120 && wide.total <= 200);
    ck_assert(shown(&wide, TC_RATE_CS) && shown(&wide, TC_RATE_SC) && shown(&wide, TC_IDLE));
    ck_assert(shown(&wide, TC_HS) && shown(&wide, TC_CLOSE) && shown(&wide, TC_HIST));
    /* the two directions of a rate come together or not at all */
    ck_assert_int_eq(shown(&narrow, TC_RATE_CS), shown(&narrow, TC_RATE_SC));
    ck_assert_int_eq(tui_layout_col_at(&wide, wide.x[TC_HIST]), TC_HIST);
}
END_TEST

START_TEST(test_state_bar_shares_and_letters)
{
    uint64_t by[TCP_ST_COUNT] = {0};
    char bar[64];
    uint8_t cs[64];

    by[TCP_ST_ESTABLISHED] = 3;
    by[TCP_ST_CLOSE_WAIT] = 1;
    tui_state_bar(by, 8, bar, sizeof(bar), cs);
    ck_assert_str_eq(bar, "EEEEEEWW");
    ck_assert_int_eq(cs[7], TCP_ST_CLOSE_WAIT);
    by[TCP_ST_TIME_WAIT] = 1000; /* a small share still shows */
    tui_state_bar(by, 10, bar, sizeof(bar), cs);
    ck_assert(strchr(bar, 'E') != NULL && strchr(bar, 'W') != NULL);
    ck_assert_int_eq(strlen(bar), 10);
    memset(by, 0, sizeof(by));
    tui_state_bar(by, 4, bar, sizeof(bar), cs);
    ck_assert_str_eq(bar, "    ");
}
END_TEST

/* A screen fed with the fixture's records (a fresh model). */
static struct tui_screen scr;
static struct tui_frame fr;

static void
screen_setup(void)
{
    struct tui_screen_cfg cfg;
    struct flow_record r[3];

    memset(&cfg, 0, sizeof(cfg));
    tui_screen_init(&scr, &cfg);
    tui_frame_init(&fr);
    r[0] = mk(1, 10, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    r[0].bytes_toserver = 5000;
    r[1] = mk(2, 11, TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT);
    stuck(&r[1], 50);
    r[1].s.server.violations[TV_ACK_UNSENT_DATA] = 1;
    r[2] = mk(3, 12, TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED);
    r[2].s.midstream = true;
    r[2].bytes_toserver = 9000;
    {
        struct stat_list l;
        struct stats_record st;

        stat_list_init(&l);
        stat_list_add(&l, "decoder.pkts", 10);
        stat_list_add(&l, "flowstate.flow.untracked", 4);
        st.ts_ns = 100 * NS;
        st.items = &l;
        tui_screen_tick(&scr, r, 3, &st, false);
        stat_list_fini(&l);
    }
    tui_screen_refresh(&scr);
    tui_screen_render(&scr, &fr, 24, 100);
}

static void
screen_teardown(void)
{
    tui_frame_fini(&fr);
    tui_screen_fini(&scr);
}

/* The frame row holding text, or -1. */
static int
row_with(const char *text)
{
    char buf[1024];
    int y;

    for (y = 0; y < fr.rows; y++)
        if (strstr(tui_frame_row(&fr, y, buf, sizeof(buf)), text) != NULL)
            return y;
    return -1;
}

static void
press(int key)
{
    struct tui_input in;

    memset(&in, 0, sizeof(in));
    in.key = key;
    tui_screen_input(&scr, &in);
    tui_screen_refresh(&scr);
    tui_screen_render(&scr, &fr, 24, 100);
}

static void
mouse(enum tui_mouse what, int y, int x, uint64_t ms)
{
    struct tui_input in = {TK_MOUSE, y, x, what, ms};

    tui_screen_input(&scr, &in);
    tui_screen_render(&scr, &fr, 24, 100);
}

START_TEST(test_marks_are_characters_not_only_colour)
{
    char buf[256];
    int y = row_with("10.0.0.2:1002");

    ck_assert_int_ge(y, 0);
    tui_frame_row(&fr, y, buf, sizeof(buf));
    ck_assert_msg(strncmp(buf, "*! ", 3) == 0, "%s", buf); /* stuck + violation */
    tui_frame_row(&fr, row_with("10.0.0.3:1003"), buf, sizeof(buf));
    ck_assert_msg(strncmp(buf, "  ?", 3) == 0, "%s", buf);     /* picked up mid-stream */
    ck_assert_int_eq(fr.cell[y * fr.cols].role, TR_STUCK_SEL); /* first row, selected */
}
END_TEST

START_TEST(test_drops_turn_the_header_red_and_say_what_they_mean)
{
    char buf[256];
    int y = row_with("DROPS 4"), x;

    ck_assert_int_ge(y, 0);
    x = (int)(strstr(tui_frame_row(&fr, y, buf, sizeof(buf)), "DROPS") - buf);
    ck_assert_int_eq(fr.cell[y * fr.cols + x].role, TR_DROPS);
    y = row_with("their connections are missing");
    ck_assert_int_ge(y, 0);
    ck_assert_int_eq(fr.cell[y * fr.cols].role, TR_DROPS);
}
END_TEST

START_TEST(test_keys_move_sort_filter_and_quit)
{
    ck_assert_uint_eq(scr.sel, 0);
    press('j');
    ck_assert_uint_eq(scr.sel, 1);
    press('G');
    ck_assert_uint_eq(scr.sel, 2);
    press('g');
    ck_assert_uint_eq(scr.sel, 0);
    press('k');
    ck_assert_uint_eq(scr.sel, 0);
    press('s');
    ck_assert_int_eq(scr.sort, TUI_SORT_STUCK);
    press('S');
    ck_assert_int_eq(scr.sort, TUI_SORT_STATE);
    press('r');
    ck_assert(scr.reverse);
    ck_assert_int_ge(row_with("sort: state (reversed)"), 0);
    press('f');
    ck_assert_int_eq(scr.prompt, TUI_PROMPT_FILTER);
    press('s');
    press('t');
    press('u');
    press('c');
    press('k');
    press(TK_ENTER);
    ck_assert_uint_eq(scr.v.n_rows, 1);
    press(TK_ESC);
    ck_assert_uint_eq(scr.v.n_rows, 3);
    press('h');
    ck_assert_int_eq(scr.mode, TUI_MODE_HELP);
    ck_assert_int_ge(row_with("any key closes this help"), 0);
    press('x');
    ck_assert_int_eq(scr.mode, TUI_MODE_TABLE);
    press(TK_ENTER);
    ck_assert_int_eq(scr.mode, TUI_MODE_DETAIL);
    ck_assert_int_ge(row_with("rate (last 5s of capture)"), 0);
    press(TK_ESC);
    ck_assert_int_eq(scr.mode, TUI_MODE_TABLE);
    press('p');
    ck_assert(scr.paused);
    ck_assert_int_ge(row_with("PAUSED"), 0);
    press(' ');
    ck_assert(!scr.paused);
    ck_assert(!scr.quit);
    press('q');
    ck_assert(scr.quit);
}
END_TEST

START_TEST(test_mouse_selects_sorts_scrolls_and_presses_footer_keys)
{
    int y3 = row_with("10.0.0.3:1003"), title = row_with("Client");
    char buf[256];

    mouse(TUI_MOUSE_PRESS, y3, 10, 1000);
    ck_assert_uint_eq(scr.sel, (size_t)(y3 - scr.table_y));
    ck_assert_int_eq(scr.mode, TUI_MODE_TABLE);
    mouse(TUI_MOUSE_PRESS, y3, 10, 1200); /* second press within 400 ms: detail */
    ck_assert_int_eq(scr.mode, TUI_MODE_DETAIL);
    press(TK_ESC);
    mouse(TUI_MOUSE_WHEEL_UP, y3, 10, 5000);
    ck_assert_uint_eq(scr.sel, 0);
    mouse(TUI_MOUSE_WHEEL_DOWN, y3, 10, 6000);
    ck_assert_uint_eq(scr.sel, 2);
    /* a click on a column title sorts by it, a second one reverses */
    tui_frame_row(&fr, title, buf, sizeof(buf));
    mouse(TUI_MOUSE_PRESS, title, (int)(strstr(buf, "Bytes") - buf), 7000);
    ck_assert_int_eq(scr.sort, TUI_SORT_BYTES);
    ck_assert(!scr.reverse);
    ck_assert_int_ge(row_with("Bytes v"), 0);
    mouse(TUI_MOUSE_PRESS, title, (int)(strstr(buf, "Bytes") - buf), 8000);
    ck_assert(scr.reverse);
    /* footer keys are buttons */
    tui_frame_row(&fr, 23, buf, sizeof(buf));
    mouse(TUI_MOUSE_PRESS, 23, (int)(strstr(buf, "h Help") - buf), 9000);
    ck_assert_int_eq(scr.mode, TUI_MODE_HELP);
    mouse(TUI_MOUSE_PRESS, 5, 5, 9500);
    ck_assert_int_eq(scr.mode, TUI_MODE_TABLE);
}
END_TEST

static void
add_layout_tests(Suite *s)
{
    TCase *tl = tcase_create("layout");
    TCase *ts = tcase_create("screen");

    tcase_add_checked_fixture(tl, setup, teardown);
    tcase_add_test(tl, test_narrow_terminal_keeps_marks_addresses_states_and_stuck_time);
    tcase_add_test(tl, test_wide_terminal_shows_more_columns);
    tcase_add_test(tl, test_state_bar_shares_and_letters);
    suite_add_tcase(s, tl);
    tcase_add_checked_fixture(ts, screen_setup, screen_teardown);
    tcase_add_test(ts, test_marks_are_characters_not_only_colour);
    tcase_add_test(ts, test_drops_turn_the_header_red_and_say_what_they_mean);
    tcase_add_test(ts, test_keys_move_sort_filter_and_quit);
    tcase_add_test(ts, test_mouse_selects_sorts_scrolls_and_presses_footer_keys);
    suite_add_tcase(s, ts);
}

static Suite *
tui_model_suite(void)
{
    Suite *s = suite_create("tui_model");
    TCase *tc = tcase_create("filter");
    TCase *tm = tcase_create("model");
    TCase *tk = tcase_create("retention_and_rates");

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
    tcase_add_test(tm, test_retrans_rtt_stuck_and_instate_sorts);
    tcase_add_test(tm, test_state_filter_matches_either_endpoint);
    tcase_add_test(tm, test_text_filter_matches_address_or_port_substring);
    tcase_add_test(tm, test_flow_end_moves_open_to_ended_and_closed_ones_rotate);
    tcase_add_test(tm, test_a_paused_view_keeps_what_it_shows);
    tcase_add_test(tm, test_rates_use_capture_time_deltas_and_same_time_ticks_keep_them);
    tcase_add_test(tm, test_state_totals_count_open_endpoints);
    suite_add_tcase(s, tm);
    tcase_add_test(tk, test_final_table_keeps_stuck_then_open_then_closed);
    tcase_add_test(tk, test_open_rows_over_the_bound_keep_the_stuck_ones);
    tcase_add_test(tk, test_rates_are_current_per_direction_not_lifetime);
    tcase_add_test(tk, test_rates_of_a_short_connection_and_of_an_ended_one);
    tcase_add_test(tk, test_rate_sort_uses_current_rates);
    suite_add_tcase(s, tk);
    add_layout_tests(s);
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
