/* SPDX-License-Identifier: BSD-3-Clause */
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

/* ---- spans and the 64-bit checksum -------------------------------------- */

/* xorshift64: deterministic test bytes (rand() is banned, and seeds must not vary). */
static uint64_t
prng(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/*
 * The reference: RFC 1071 as written, 16-bit big-endian words (odd byte
 * padded) into a wide sum, folded by repeated end-around carry.
 */
static uint32_t
ref_sum(const uint8_t *p, size_t n, uint32_t sum)
{
    uint64_t s = sum;
    size_t i;

    for (i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

/* Sums a buffer through a span taken from a cursor, the way the decoder does. */
static uint32_t
span_sum_of(const uint8_t *p, size_t n, uint32_t sum)
{
    struct cursor c = cursor_make(p, n);
    struct span s;

    ck_assert(cursor_take(&c, n, &s));
    return span_sum(s, sum);
}

/* Random bytes, every length 0..2000 at every alignment 0..15, random 32-bit start sums. */
START_TEST(test_span_sum_random_every_length_and_alignment_matches_reference)
{
    /* the same 2000 random bytes placed at 16 alignments, so one reference sum serves all */
    static uint8_t copies[16][2048 + 16];
    uint8_t src[2000];
    uint64_t x = 0x9e3779b97f4a7c15u;
    size_t n, a, i;

    for (i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)prng(&x);
    for (a = 0; a < 16; a++)
        memcpy(copies[a] + a, src, sizeof(src));
    for (n = 0; n <= 2000; n++) {
        uint32_t start = n % 3 == 0 ? 0 : (uint32_t)prng(&x);
        uint32_t want = ref_sum(src, n, start);

        for (a = 0; a < 16; a++) {
            uint32_t got = span_sum_of(copies[a] + a, n, start);

            ck_assert_msg(got == want, "align %zu len %zu start %x: %x != %x", a, n, start, got,
                          want);
        }
    }
}
END_TEST

/*
 * Carry edge cases: all-0xff bytes (every add carries) and all-zero bytes at
 * every length and alignment, with start sums 0, 1, 0xffff, 0x10000 and
 * 0xffffffff. One's complement has two zeros: the result must be 0 only when
 * everything summed is 0, and 0xffff (never 0) for a non-zero multiple of 0xffff.
 */
START_TEST(test_span_sum_carry_edges_all_ones_and_all_zeros)
{
    static const uint32_t starts[] = {0, 1, 0xffff, 0x10000, 0xffffffffu};
    static uint8_t ones[2016], zeros[2016];
    size_t n, a, k;

    memset(ones, 0xff, sizeof(ones));
    memset(zeros, 0, sizeof(zeros));
    for (n = 0; n <= 2000; n++) {
        for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
            uint32_t st = starts[k];
            uint32_t want1 = ref_sum(ones, n, st), want0 = ref_sum(zeros, n, st);

            for (a = 0; a < 16; a++) {
                ck_assert_uint_eq(span_sum_of(ones + a, n, st), want1);
                ck_assert_uint_eq(span_sum_of(zeros + a, n, st), want0);
            }
        }
        ck_assert_uint_eq(span_sum_of(zeros, n, 0), 0);
        if (n >= 2 && n % 2 == 0) /* odd: the last 0xff is padded to 0xff00 */
            ck_assert_uint_eq(span_sum_of(ones, n, 0), 0xffff);
    }
}
END_TEST

/* A sum over pieces (each but the last of even length) equals the sum over the whole. */
START_TEST(test_span_acc_over_pieces_equals_whole)
{
    static uint8_t buf[1500];
    uint64_t x = 12345;
    size_t i, t;

    for (i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)prng(&x);
    for (t = 0; t < 3000; t++) {
        size_t n = (size_t)(prng(&x) % sizeof(buf));
        size_t cut = (size_t)(prng(&x) % (n + 1)) & ~(size_t)1;
        uint32_t add = (uint32_t)prng(&x);
        struct cursor c = cursor_make(buf, n);
        struct span a, b;
        uint64_t acc;

        ck_assert(cursor_take(&c, cut, &a));
        ck_assert(cursor_take(&c, n - cut, &b));
        acc = span_acc(b, span_acc(a, 0));
        ck_assert_uint_eq(csum_fold(acc, add), ref_sum(buf, n, add));
    }
}
END_TEST

/* csum_fold on extreme accumulators agrees with folding the value as a plain number. */
START_TEST(test_csum_fold_extreme_accumulators)
{
    static const uint64_t accs[] = {0,
                                    1,
                                    0xffff,
                                    0x10000,
                                    0xffffffffu,
                                    0x100000000u,
                                    0x1ffffffffu,
                                    UINT64_MAX,
                                    UINT64_MAX - 1,
                                    0x8000000000000000u,
                                    0xffff0000ffff0000u};
    static const uint32_t sums[] = {0, 1, 0xffff, 0x10000, 0xfffeu, 0xffffffffu};
    size_t i, k;

    for (i = 0; i < sizeof(accs) / sizeof(accs[0]); i++) {
        for (k = 0; k < sizeof(sums) / sizeof(sums[0]); k++) {
            uint64_t v = accs[i];
            uint8_t bytes8[8];
            uint32_t want;

            /* the accumulator is native order: its bytes in memory are the words summed */
            memcpy(bytes8, &v, 8);
            want = ref_sum(bytes8, 8, sums[k]);
            ck_assert_msg(csum_fold(v, sums[k]) == want, "acc %llx sum %x", (unsigned long long)v,
                          sums[k]);
        }
    }
}
END_TEST

/* _i is the buffer length 0..40: a take of n succeeds iff n <= length, at every n. */
START_TEST(test_take_at_every_truncation_length)
{
    size_t len = (size_t)_i, n;
    uint8_t *buf = malloc(len ? len : 1); /* exact size: ASan sees any over-read */
    size_t i;

    ck_assert_ptr_nonnull(buf);
    for (i = 0; i < len; i++)
        buf[i] = (uint8_t)(i + 1);
    for (n = 0; n <= 41; n++) {
        struct cursor c = cursor_make(buf, len);
        struct span s = {NULL, 0};

        cursor_skip(&c, 0);
        if (n <= len) {
            ck_assert(cursor_take(&c, n, &s));
            ck_assert_ptr_eq(s.p, buf);
            ck_assert_uint_eq(s.len, n);
            ck_assert_uint_eq(cursor_left(&c), len - n);
            ck_assert(!c.overrun);
            if (n >= 1)
                ck_assert_uint_eq(span_u8(s, n - 1), n);
            if (n >= 2)
                ck_assert_uint_eq(span_be16(s, n - 2), (n - 1) << 8 | n);
            if (n >= 4)
                ck_assert_uint_eq(span_be32(s, 0), 0x01020304u);
            if (len > n) /* the rest still reads, right after the span */
                ck_assert_uint_eq(cursor_u8(&c), n + 1);
        } else {
            ck_assert(!cursor_take(&c, n, &s));
            ck_assert(c.overrun);
            ck_assert_uint_eq(cursor_left(&c), 0);
            ck_assert_ptr_null(s.p); /* untouched */
            /* sticky: nothing more comes out, not even an empty take */
            ck_assert(!cursor_take(&c, 0, &s));
            ck_assert(!cursor_take(&c, 1, &s));
            ck_assert_uint_eq(cursor_u8(&c), 0);
        }
    }
    free(buf);
}
END_TEST

/* _i is the buffer length 0..24: peek_span at every offset and length, never consuming. */
START_TEST(test_peek_span_at_every_offset_and_length)
{
    size_t len = (size_t)_i, off, n;
    uint8_t *buf = malloc(len ? len : 1);

    ck_assert_ptr_nonnull(buf);
    memset(buf, 0x5a, len);
    for (off = 0; off <= 26; off++) {
        for (n = 0; n <= 26; n++) {
            struct cursor c = cursor_make(buf, len);
            struct span s = {NULL, 0};
            bool fits = off + n <= len;

            ck_assert_int_eq(cursor_peek_span(&c, off, n, &s), fits);
            if (fits) {
                ck_assert_ptr_eq(s.p, buf + off);
                ck_assert_uint_eq(s.len, n);
            }
            ck_assert(!c.overrun);
            ck_assert_uint_eq(cursor_left(&c), len);
        }
    }
    free(buf);
}
END_TEST

/* span readers and span_sub agree with the cursor's own reads of the same bytes. */
START_TEST(test_span_reads_match_cursor_reads)
{
    static const uint8_t b[12] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8};
    struct cursor c = cursor_make(b, sizeof(b)), r = cursor_make(b, sizeof(b));
    struct span s, t;
    uint8_t out[4];

    ck_assert(cursor_take(&c, sizeof(b), &s));
    ck_assert_uint_eq(span_be32(s, 0), cursor_be32(&r));
    ck_assert_uint_eq(span_be16(s, 4), cursor_be16(&r));
    ck_assert_uint_eq(span_u8(s, 6), cursor_u8(&r));
    t = span_sub(s, 8, 4);
    ck_assert_uint_eq(t.len, 4);
    ck_assert_uint_eq(span_be32(t, 0), 0x05060708u);
    span_copy(s, 8, out, 4);
    ck_assert_mem_eq(out, b + 8, 4);
    t = span_sub(s, 12, 0);
    ck_assert_uint_eq(t.len, 0);
    ck_assert_uint_eq(span_sum(t, 0), 0);
}
END_TEST

/* Every path that sets overrun empties the cursor (cursor_need relies on it). */
START_TEST(test_overrun_always_leaves_the_cursor_empty)
{
    struct cursor c = cursor_make(bytes, 8), s;
    struct span sp;

    s = cursor_sub(&c, 9);
    ck_assert(c.overrun);
    ck_assert_uint_eq(cursor_left(&c), 0);
    s = cursor_sub(&c, 0);
    ck_assert(s.overrun);
    ck_assert_uint_eq(cursor_left(&s), 0);
    c = cursor_make(bytes, 3);
    ck_assert(!cursor_take(&c, 4, &sp));
    ck_assert(c.overrun);
    ck_assert_uint_eq(cursor_left(&c), 0);
    cursor_limit(&c, 100); /* never grows */
    ck_assert_uint_eq(cursor_left(&c), 0);
    c = cursor_make(bytes, 3);
    cursor_skip(&c, 4);
    ck_assert(c.overrun);
    ck_assert_uint_eq(cursor_left(&c), 0);
    cursor_skip(&c, 0); /* a zero-length read of an overrun cursor fails too */
    ck_assert(c.overrun);
    ck_assert(!cursor_peek_span(&c, 0, 0, &sp));
    ck_assert(!cursor_peek_sum(&c, 0, &(uint32_t){0}));
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
    tcase_add_loop_test(tc, test_take_at_every_truncation_length, 0, 41);
    tcase_add_loop_test(tc, test_peek_span_at_every_offset_and_length, 0, 25);
    tcase_add_test(tc, test_span_reads_match_cursor_reads);
    tcase_add_test(tc, test_overrun_always_leaves_the_cursor_empty);
    suite_add_tcase(s, tc);

    /* exhaustive sums: seconds under ASan on a busy machine */
    tc = tcase_create("checksum");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_span_sum_random_every_length_and_alignment_matches_reference);
    tcase_add_test(tc, test_span_sum_carry_edges_all_ones_and_all_zeros);
    tcase_add_test(tc, test_span_acc_over_pieces_equals_whole);
    tcase_add_test(tc, test_csum_fold_extreme_accumulators);
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
