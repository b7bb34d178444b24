/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for src/report/stats_merge.c (--merge-stats): the rule of each
 * counter, the shard checks, the values, and the order of the union (a path
 * only later shards have; the tcp.violations map in enum order). The whole
 * path from EVE files is tested on real shards by tests/shard/run-union.sh
 * and run-merge.sh.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "report/stats_merge.h"
#include "tcp/tcp_summary.h"
#include "util/log.h"

/* A shard of n with index k: its shard counters, then the given pairs. */
static void
shard(struct stats_shard *s, const char *name, unsigned k, unsigned n, uint64_t pkts,
      uint64_t skipped)
{
    stats_shard_init(s, name);
    s->timestamp = strdup("2024-01-01T00:00:00.000000+0000");
    stats_shard_add(s, "decoder.pkts", 100);
    stats_shard_add(s, "flowstate.shard.index", k);
    stats_shard_add(s, "flowstate.shard.count", n);
    stats_shard_add(s, "flowstate.shard.pkts", pkts);
    stats_shard_add(s, "flowstate.shard.skipped_pkts", skipped);
}

static uint64_t
value(const struct stat_list *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].path, path) == 0)
            return l->items[i].value;
    ck_abort_msg("%s missing", path);
    return 0;
}

static void
fini(struct stats_shard *s, size_t n, struct stat_list *out)
{
    for (size_t i = 0; i < n; i++)
        stats_shard_fini(&s[i]);
    stat_list_fini(out);
}

START_TEST(test_rules_follow_where_a_counter_is_counted)
{
    ck_assert_int_eq(stats_merge_rule("decoder.pkts"), STATS_MERGE_SAME);
    ck_assert_int_eq(stats_merge_rule("flowstate.decoder.defrag.outcome.tcp"), STATS_MERGE_SAME);
    ck_assert_int_eq(stats_merge_rule("capture.records"), STATS_MERGE_SAME);
    ck_assert_int_eq(stats_merge_rule("flowstate.capture.after_stop"), STATS_MERGE_SAME);
    ck_assert_int_eq(stats_merge_rule("flowstate.flow.max_flows"), STATS_MERGE_SAME);
    ck_assert_int_eq(stats_merge_rule("flowstate.flow.memcap_bytes"), STATS_MERGE_SAME);
    ck_assert_int_eq(stats_merge_rule("flow.memcap"), STATS_MERGE_SUM); /* Suricata's: hits */
    ck_assert_int_eq(stats_merge_rule("flowstate.flow.slot_bytes"), STATS_MERGE_SAME);
    ck_assert_int_eq(stats_merge_rule("flowstate.flow.peak"), STATS_MERGE_MAX);
    ck_assert_int_eq(stats_merge_rule("flowstate.flow.peak_x"), STATS_MERGE_SUM);
    ck_assert_int_eq(stats_merge_rule("flowstate.shard.pkts"), STATS_MERGE_SHARD);
    ck_assert_int_eq(stats_merge_rule("flow.tcp"), STATS_MERGE_SUM);
    ck_assert_int_eq(stats_merge_rule("flowstate.flow.max_flows_x"), STATS_MERGE_SUM); /* exact */
    ck_assert_int_eq(stats_merge_rule("flowstate.tcp.violations.out_of_window"), STATS_MERGE_SUM);
    ck_assert_int_eq(stats_merge_rule("decoderx"), STATS_MERGE_SUM);
}
END_TEST

START_TEST(test_values_are_summed_kept_or_maximised_and_shard_counters_go)
{
    struct stats_shard s[2];
    struct stat_list out;
    char err[ERRBUF_SIZE] = "";

    shard(&s[0], "a", 1, 2, 30, 70);
    shard(&s[1], "b", 0, 2, 70, 30);
    stats_shard_add(&s[0], "flow.tcp", 3);
    stats_shard_add(&s[1], "flow.tcp", 4);
    stats_shard_add(&s[0], "flowstate.flow.peak", 9);
    stats_shard_add(&s[1], "flowstate.flow.peak", 5);
    stats_shard_add(&s[0], "flowstate.flow.max_flows", 1000);
    stats_shard_add(&s[1], "flowstate.flow.max_flows", 1000);
    stat_list_init(&out);
    ck_assert_msg(stats_merge(s, 2, &out, err) == 0, "%s", err);
    ck_assert_uint_eq(out.n, 4);
    ck_assert_str_eq(out.items[0].path, "decoder.pkts");
    ck_assert_uint_eq(value(&out, "decoder.pkts"), 100);
    ck_assert_uint_eq(value(&out, "flow.tcp"), 7);
    ck_assert_uint_eq(value(&out, "flowstate.flow.peak"), 9);
    ck_assert_uint_eq(value(&out, "flowstate.flow.max_flows"), 1000);
    fini(s, 2, &out);
}
END_TEST

START_TEST(test_a_path_only_a_later_shard_has_joins_its_own_object)
{
    struct stats_shard s[2];
    struct stat_list out;
    char err[ERRBUF_SIZE] = "";

    shard(&s[0], "a", 0, 2, 1, 1);
    shard(&s[1], "b", 1, 2, 1, 1);
    stats_shard_add(&s[0], "flow.tcp", 1);
    stats_shard_add(&s[0], "flow.end.timeout", 1);
    stats_shard_add(&s[0], "tcp.sessions", 1);
    stats_shard_add(&s[1], "flow.tcp", 1);
    stats_shard_add(&s[1], "flow.end.timeout", 2);
    stats_shard_add(&s[1], "flow.end.new_reason", 5);
    stats_shard_add(&s[1], "tcp.sessions", 1);
    stat_list_init(&out);
    ck_assert_msg(stats_merge(s, 2, &out, err) == 0, "%s", err);
    ck_assert_uint_eq(out.n, 5);
    ck_assert_str_eq(out.items[2].path, "flow.end.timeout");
    ck_assert_str_eq(out.items[3].path, "flow.end.new_reason");
    ck_assert_uint_eq(out.items[3].value, 5);
    ck_assert_str_eq(out.items[4].path, "tcp.sessions");
    fini(s, 2, &out);
}
END_TEST

/* Shards with kinds {1, 3} and {0, 2}: one run lists 0 1 2 3, as the enum orders them. */
START_TEST(test_violation_kinds_of_different_shards_come_in_enum_order)
{
    struct stats_shard s[2];
    struct stat_list out;
    char err[ERRBUF_SIZE] = "", p[4][64];

    ck_assert_int_ge(TV_COUNT, 4);
    for (int i = 0; i < 4; i++)
        snprintf(p[i], sizeof(p[i]), "flowstate.tcp.violations.%s",
                 tcp_violation_name((enum tcp_violation)i));
    shard(&s[0], "a", 0, 2, 1, 1);
    shard(&s[1], "b", 1, 2, 1, 1);
    stats_shard_add(&s[0], "tcp.sessions", 1);
    stats_shard_add(&s[0], p[1], 11);
    stats_shard_add(&s[0], p[3], 13);
    stats_shard_add(&s[1], "tcp.sessions", 1);
    stats_shard_add(&s[1], p[0], 10);
    stats_shard_add(&s[1], p[2], 12);
    stat_list_init(&out);
    ck_assert_msg(stats_merge(s, 2, &out, err) == 0, "%s", err);
    ck_assert_uint_eq(out.n, 6);
    for (int i = 0; i < 4; i++) {
        ck_assert_str_eq(out.items[2 + i].path, p[i]);
        ck_assert_uint_eq(out.items[2 + i].value, 10 + (uint64_t)i);
    }
    fini(s, 2, &out);
}
END_TEST

START_TEST(test_bad_shard_sets_are_refused_with_the_reason)
{
    struct stats_shard s[3];
    struct stat_list out;
    char err[ERRBUF_SIZE] = "";

    /* missing */
    shard(&s[0], "a", 0, 3, 1, 2);
    shard(&s[1], "b", 2, 3, 1, 2);
    stat_list_init(&out);
    ck_assert_int_eq(stats_merge(s, 2, &out, err), -1);
    ck_assert_msg(strstr(err, "shard 1/3") != NULL, "%s", err);
    fini(s, 2, &out);
    /* twice */
    shard(&s[0], "a", 0, 2, 1, 1);
    shard(&s[1], "b", 0, 2, 1, 1);
    stat_list_init(&out);
    ck_assert_int_eq(stats_merge(s, 2, &out, err), -1);
    ck_assert_msg(strstr(err, "a and b are both shard 0/2") != NULL, "%s", err);
    fini(s, 2, &out);
    /* a counter that must agree */
    shard(&s[0], "a", 0, 2, 1, 1);
    shard(&s[1], "b", 1, 2, 1, 1);
    stats_shard_add(&s[1], "decoder.tcp", 4);
    stat_list_init(&out);
    ck_assert_int_eq(stats_merge(s, 2, &out, err), -1);
    ck_assert_msg(strstr(err, "a has no decoder.tcp") != NULL, "%s", err);
    fini(s, 2, &out);
    /* every segment tracked once */
    shard(&s[0], "a", 0, 2, 1, 2);
    shard(&s[1], "b", 1, 2, 1, 2);
    stat_list_init(&out);
    ck_assert_int_eq(stats_merge(s, 2, &out, err), -1);
    ck_assert_msg(strstr(err, "tracked 2 of 3") != NULL, "%s", err);
    fini(s, 2, &out);
    /* different end of capture */
    shard(&s[0], "a", 0, 2, 1, 1);
    shard(&s[1], "b", 1, 2, 1, 1);
    s[1].timestamp[0] = '1';
    stat_list_init(&out);
    ck_assert_int_eq(stats_merge(s, 2, &out, err), -1);
    ck_assert_msg(strstr(err, "not the same input") != NULL, "%s", err);
    fini(s, 2, &out);
    /* a sum past 2^64 */
    shard(&s[0], "a", 0, 2, 1, 1);
    shard(&s[1], "b", 1, 2, 1, 1);
    stats_shard_add(&s[0], "flow.tcp", UINT64_MAX);
    stats_shard_add(&s[1], "flow.tcp", 1);
    stat_list_init(&out);
    ck_assert_int_eq(stats_merge(s, 2, &out, err), -1);
    ck_assert_msg(strstr(err, "flow.tcp") != NULL, "%s", err);
    fini(s, 2, &out);
}
END_TEST

/* Thousands of shards and paths: the index, not a scan per path. */
START_TEST(test_many_shards_and_paths_merge)
{
    enum { NS = 2000, NP = 300 };
    static struct stats_shard s[NS];
    struct stat_list out;
    char err[ERRBUF_SIZE] = "", path[32];

    for (unsigned k = 0; k < NS; k++) {
        shard(&s[k], "x", k, NS, 1, NS - 1);
        for (unsigned j = 0; j < NP; j++) {
            snprintf(path, sizeof(path), "tcp.c%u", j);
            stats_shard_add(&s[k], path, j);
        }
    }
    stat_list_init(&out);
    ck_assert_msg(stats_merge(s, NS, &out, err) == 0, "%s", err);
    ck_assert_uint_eq(out.n, NP + 1);
    ck_assert_uint_eq(value(&out, "tcp.c299"), 299u * NS);
    fini(s, NS, &out);
}
END_TEST

static Suite *
stats_merge_suite(void)
{
    Suite *s = suite_create("stats_merge");
    TCase *tc = tcase_create("merge");

    tcase_add_test(tc, test_rules_follow_where_a_counter_is_counted);
    tcase_add_test(tc, test_values_are_summed_kept_or_maximised_and_shard_counters_go);
    tcase_add_test(tc, test_a_path_only_a_later_shard_has_joins_its_own_object);
    tcase_add_test(tc, test_violation_kinds_of_different_shards_come_in_enum_order);
    tcase_add_test(tc, test_bad_shard_sets_are_refused_with_the_reason);
    tcase_add_test(tc, test_many_shards_and_paths_merge);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(stats_merge_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
