/*
 * check_cursor: the bounds-checked reader (src/decode/cursor.h). Every read
 * is tried at every buffer length around its width; overrun must be sticky,
 * must empty the cursor and must return zeros.
 */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode/cursor.h"

static const uint8_t bytes[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

enum reader { RD_U8, RD_BE16, RD_LE16, RD_BE24, RD_BE32, RD_LE32, RD_COPY5, RD_SKIP6, RD_COUNT };

static const size_t width[RD_COUNT] = {1, 2, 2, 3, 4, 4, 5, 6};
static const uint32_t expect[RD_COUNT] = {0x01,       0x0102,     0x0201, 0x010203,
                                          0x01020304, 0x04030201, 0x01,   0};

static uint32_t
do_read(enum reader r, struct cursor *c)
{
    uint8_t out[5];

    switch (r) {
    case RD_U8:
        return cursor_u8(c);
    case RD_BE16:
        return cursor_be16(c);
    case RD_LE16:
        return cursor_le16(c);
    case RD_BE24:
        return cursor_be24(c);
    case RD_BE32:
        return cursor_be32(c);
    case RD_LE32:
        return cursor_le32(c);
    case RD_COPY5:
        memset(out, 0xaa, sizeof(out));
        cursor_copy(c, out, sizeof(out));
        return out[0] | out[4]; /* 0x01|0x05 on success, 0 (zeroed) on overrun */
    case RD_SKIP6:
        cursor_skip(c, 6);
        return 0;
    case RD_COUNT:
        break;
    }
    return 0xdeadbeef;
}

/* _i is the buffer length, 0..8: every reader succeeds iff its width fits. */
START_TEST(test_every_read_at_every_length_is_bounds_checked)
{
    size_t len = (size_t)_i;
    unsigned r;

    for (r = 0; r < RD_COUNT; r++) {
        uint8_t *buf = malloc(len ? len : 1); /* exact size: ASan sees any over-read */
        struct cursor c;
        uint32_t v;

        ck_assert_ptr_nonnull(buf);
        memcpy(buf, bytes, len);
        c = cursor_make(buf, len);
        v = do_read((enum reader)r, &c);
        if (len >= width[r]) {
            uint32_t want = r == RD_COPY5 ? 0x05u : expect[r];

            ck_assert_msg(!c.overrun, "reader %u len %zu", r, len);
            ck_assert_uint_eq(v, want);
            ck_assert_uint_eq(cursor_left(&c), len - width[r]);
        } else {
            ck_assert_msg(c.overrun, "reader %u len %zu", r, len);
            ck_assert_uint_eq(v, 0);
            ck_assert_uint_eq(cursor_left(&c), 0);
        }
        free(buf);
    }
}
END_TEST

START_TEST(test_overrun_is_sticky)
{
    struct cursor c = cursor_make(bytes, 3);

    ck_assert_uint_eq(cursor_be32(&c), 0);
    ck_assert(c.overrun);
    ck_assert(!cursor_need(&c, 0));
    ck_assert_uint_eq(cursor_u8(&c), 0);
    ck_assert(c.overrun);
    ck_assert_uint_eq(cursor_left(&c), 0);
}
END_TEST

START_TEST(test_reads_consume_in_wire_order)
{
    struct cursor c = cursor_make(bytes, sizeof(bytes));

    ck_assert_uint_eq(cursor_u8(&c), 0x01);
    ck_assert_uint_eq(cursor_be16(&c), 0x0203);
    ck_assert_uint_eq(cursor_be32(&c), 0x04050607);
    ck_assert_uint_eq(cursor_u8(&c), 0x08);
    ck_assert(!c.overrun);
    ck_assert_uint_eq(cursor_left(&c), 0);
}
END_TEST

START_TEST(test_sub_splits_and_advances_parent)
{
    struct cursor c = cursor_make(bytes, 8);
    struct cursor s = cursor_sub(&c, 3);

    ck_assert_uint_eq(cursor_left(&s), 3);
    ck_assert_uint_eq(cursor_left(&c), 5);
    ck_assert_uint_eq(cursor_u8(&c), 0x04);
    ck_assert_uint_eq(cursor_be24(&s), 0x010203);
    ck_assert_uint_eq(cursor_u8(&s), 0);
    ck_assert(s.overrun);
    ck_assert(!c.overrun); /* a sub-cursor's overrun stays its own */
}
END_TEST

START_TEST(test_sub_longer_than_left_gets_rest_and_overruns_parent)
{
    struct cursor c = cursor_make(bytes, 4);
    struct cursor s = cursor_sub(&c, 10);

    ck_assert_uint_eq(cursor_left(&s), 4);
    ck_assert(!s.overrun);
    ck_assert(c.overrun);
    ck_assert_uint_eq(cursor_left(&c), 0);
}
END_TEST

START_TEST(test_sub_of_overrun_cursor_is_overrun_and_empty)
{
    struct cursor c = cursor_make(bytes, 1);
    struct cursor s;

    (void)cursor_be16(&c);
    s = cursor_sub(&c, 1);
    ck_assert(s.overrun);
    ck_assert_uint_eq(cursor_left(&s), 0);
}
END_TEST

START_TEST(test_limit_shrinks_but_never_grows)
{
    struct cursor c = cursor_make(bytes, 8);

    cursor_limit(&c, 20);
    ck_assert_uint_eq(cursor_left(&c), 8);
    cursor_limit(&c, 2);
    ck_assert_uint_eq(cursor_left(&c), 2);
    ck_assert_uint_eq(cursor_be16(&c), 0x0102);
    ck_assert_uint_eq(cursor_u8(&c), 0);
    ck_assert(c.overrun);
}
END_TEST

/* RFC 1071 3: the example bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2. */
START_TEST(test_peek_sum_matches_rfc1071_example)
{
    static const uint8_t ex[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    struct cursor c = cursor_make(ex, sizeof(ex));
    uint32_t s = 0;

    ck_assert(cursor_peek_sum(&c, 8, &s));
    ck_assert_uint_eq(s, 0xddf2);
    ck_assert_uint_eq(cursor_left(&c), 8); /* nothing consumed */
}
END_TEST

/* A valid IPv4 header (checksum b861 included) sums to 0xffff. */
START_TEST(test_peek_sum_of_valid_ipv4_header_is_all_ones)
{
    static const uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                   0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    struct cursor c = cursor_make(ip, sizeof(ip));
    uint32_t s = 0;

    ck_assert(cursor_peek_sum(&c, 20, &s));
    ck_assert_uint_eq(s, 0xffff);
}
END_TEST

/*
 * Odd lengths pad with a zero byte; every length 0..1600 at every start
 * alignment 0..7 agrees with a plain 16-bit big-endian reference sum.
 */
START_TEST(test_peek_sum_every_length_and_alignment_matches_16bit_reference)
{
    static uint8_t buf[1608];
    size_t n, i, a;

    for (i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 37 + (i >> 3) * 101 + 0xf0);
    for (a = 0; a < 8; a++) {
        for (n = 0; n <= 1600; n++) {
            struct cursor c = cursor_make(buf + a, n);
            uint32_t s = 0x1234, ref = 0x1234;

            for (i = 0; i + 1 < n; i += 2)
                ref += (uint32_t)buf[a + i] << 8 | buf[a + i + 1];
            if (n & 1)
                ref += (uint32_t)buf[a + n - 1] << 8;
            while (ref >> 16)
                ref = (ref & 0xffff) + (ref >> 16);
            ck_assert(cursor_peek_sum(&c, n, &s));
            ck_assert_msg(s == ref, "align %zu len %zu: %x != %x", a, n, s, ref);
        }
    }
}
END_TEST

/* All 0xff bytes: every carry path is exercised; the sum stays 0xffff. */
START_TEST(test_peek_sum_all_ones_folds_to_all_ones)
{
    static uint8_t buf[65536];
    struct cursor c = cursor_make(buf, sizeof(buf));
    uint32_t s = 0xffff;

    memset(buf, 0xff, sizeof(buf));
    ck_assert(cursor_peek_sum(&c, sizeof(buf), &s));
    ck_assert_uint_eq(s, 0xffff);
}
END_TEST

START_TEST(test_peek_sum_refuses_more_than_left)
{
    struct cursor c = cursor_make(bytes, 4);
    uint32_t s = 7;

    ck_assert(!cursor_peek_sum(&c, 5, &s));
    ck_assert_uint_eq(s, 7);
    ck_assert(!c.overrun);
}
END_TEST

START_TEST(test_peeks_do_not_consume_or_overrun)
{
    struct cursor c = cursor_make(bytes, 3);
    uint8_t b = 0;
    uint16_t w = 0;

    ck_assert(cursor_peek_u8(&c, 2, &b));
    ck_assert_uint_eq(b, 0x03);
    ck_assert(!cursor_peek_u8(&c, 3, &b));
    ck_assert(cursor_peek_be16(&c, 1, &w));
    ck_assert_uint_eq(w, 0x0203);
    ck_assert(!cursor_peek_be16(&c, 2, &w));
    ck_assert(!c.overrun);
    ck_assert_uint_eq(cursor_left(&c), 3);
    c = cursor_make(bytes, 1);
    ck_assert(!cursor_peek_be16(&c, 0, &w));
}
END_TEST

static Suite *
cursor_suite(void)
{
    Suite *s = suite_create("cursor");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_every_read_at_every_length_is_bounds_checked, 0, 9);
    tcase_add_test(tc, test_overrun_is_sticky);
    tcase_add_test(tc, test_reads_consume_in_wire_order);
    tcase_add_test(tc, test_sub_splits_and_advances_parent);
    tcase_add_test(tc, test_sub_longer_than_left_gets_rest_and_overruns_parent);
    tcase_add_test(tc, test_sub_of_overrun_cursor_is_overrun_and_empty);
    tcase_add_test(tc, test_limit_shrinks_but_never_grows);
    tcase_add_test(tc, test_peek_sum_matches_rfc1071_example);
    tcase_add_test(tc, test_peek_sum_of_valid_ipv4_header_is_all_ones);
    tcase_add_test(tc, test_peek_sum_every_length_and_alignment_matches_16bit_reference);
    tcase_add_test(tc, test_peek_sum_all_ones_folds_to_all_ones);
    tcase_add_test(tc, test_peek_sum_refuses_more_than_left);
    tcase_add_test(tc, test_peeks_do_not_consume_or_overrun);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(cursor_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
