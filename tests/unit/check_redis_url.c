/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the -o redis:// syntax (src/report/redis_url.c): defaults,
 * host forms, the path as database number, every parameter, and a clear
 * message for each malformed URL.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report/redis_url.h"

START_TEST(test_defaults)
{
    struct redis_url u;
    char err[256];

    ck_assert(redis_url_is("redis://h"));
    ck_assert(!redis_url_is("redis:/h"));
    ck_assert(!redis_url_is("flows.json"));
    ck_assert_int_eq(redis_url_parse("redis://localhost", &u, err), 0);
    ck_assert_str_eq(u.host, "localhost");
    ck_assert_uint_eq(u.port, 6379);
    ck_assert_uint_eq(u.db, 0);
    ck_assert_str_eq(u.key, "flowstate");
    ck_assert_int_eq(u.mode, REDIS_LPUSH);
    ck_assert_uint_eq(u.maxlen, 100000);
    ck_assert_uint_eq(u.batch, 256);
    ck_assert_uint_eq(u.buffer, 65536);
}
END_TEST

START_TEST(test_every_part)
{
    struct redis_url u;
    char err[256];

    ck_assert_int_eq(redis_url_parse("redis://10.0.0.1:6380/3?key=eve%3Aflows&mode=xadd&maxlen=0"
                                     "&batch=10&buffer=7",
                                     &u, err),
                     0);
    ck_assert_str_eq(u.host, "10.0.0.1");
    ck_assert_uint_eq(u.port, 6380);
    ck_assert_uint_eq(u.db, 3);
    ck_assert_str_eq(u.key, "eve:flows");
    ck_assert_int_eq(u.mode, REDIS_XADD);
    ck_assert_uint_eq(u.maxlen, 0);
    ck_assert_uint_eq(u.batch, 10);
    ck_assert_uint_eq(u.buffer, 7);
    ck_assert_int_eq(redis_url_parse("redis://[::1]:7000/?mode=publish", &u, err), 0);
    ck_assert_str_eq(u.host, "::1");
    ck_assert_uint_eq(u.port, 7000);
    ck_assert_uint_eq(u.db, 0);
    ck_assert_int_eq(u.mode, REDIS_PUBLISH);
    ck_assert_int_eq(redis_url_parse("redis://[::1]?mode=rpush&", &u, err), 0);
    ck_assert_uint_eq(u.port, 6379);
    ck_assert_int_eq(u.mode, REDIS_RPUSH);
    ck_assert_str_eq(redis_mode_name(REDIS_XADD), "xadd");
}
END_TEST

static void
rejects(const char *url, const char *why)
{
    struct redis_url u;
    char err[256] = "";

    ck_assert_msg(redis_url_parse(url, &u, err) == -1, "%s accepted", url);
    ck_assert_msg(strstr(err, why) != NULL, "%s: '%s' lacks '%s'", url, err, why);
    ck_assert_msg(strstr(err, url) != NULL, "%s: the message does not name the URL", url);
}

START_TEST(test_malformed_urls_say_why)
{
    rejects("redis://", "host");
    rejects("redis://:6379", "host");
    rejects("redis://h:0", "port");
    rejects("redis://h:65536", "port");
    rejects("redis://h:x", "port");
    rejects("redis://h/db1", "database number");
    rejects("redis://h/-1", "database number");
    rejects("redis://u:pw@h", "credentials");
    rejects("redis://[::1", "IPv6");
    rejects("redis://[::1]x", ":PORT");
    rejects("redis://h?mode=lpop", "unknown mode");
    rejects("redis://h?key=", "bad key");
    rejects("redis://h?key=a%2", "bad key");
    rejects("redis://h?key=a%zz", "bad key");
    rejects("redis://h?keys=x", "unknown parameter");
    rejects("redis://h?key", "no value");
    rejects("redis://h?batch=0", "batch");
    rejects("redis://h?buffer=x", "buffer");
    rejects("redis://h?maxlen=-1", "maxlen");
    rejects("redis://h#x", "fragment");
    rejects("redis://h?key=k#x", "fragment");
}
END_TEST

static Suite *
redis_url_suite(void)
{
    Suite *s = suite_create("redis_url");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_every_part);
    tcase_add_test(tc, test_malformed_urls_say_why);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(redis_url_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
