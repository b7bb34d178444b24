/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_pcapfile: the buffered classic pcap reader (src/capture/pcapfile.c)
 * against libpcap itself. Every test writes a file by hand, reads it once
 * with plain pcap_next_ex() (the reference) and once through cap_pf_next()
 * with pcap_next_ex() after the hand-over, and compares the two sequences of
 * results (records with every header field and their bytes, error texts,
 * the end), and checks how many records the fast path served itself. The
 * capture-level tests compare whole runs with and without
 * FLOWSTATE_FORCE_LIBPCAP, -w files included.
 */
#include <config.h>

#include "capture/pcapfile.h"

#include <check.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "capture/capture.h"
#include "util/log.h"

#define MAX_EV  64
#define ERR_LEN 256

static char tmp_dir[64];
static char tmp_path[PATH_MAX];
static char tmp_path2[PATH_MAX];
static char dump_path[PATH_MAX];

static void
setup(void)
{
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/check_pcapfile.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
    snprintf(tmp_path, sizeof(tmp_path), "%s/a.pcap", tmp_dir);
    snprintf(tmp_path2, sizeof(tmp_path2), "%s/b.pcap", tmp_dir);
    snprintf(dump_path, sizeof(dump_path), "%s/w.pcap", tmp_dir);
}

static void
teardown(void)
{
    unlink(tmp_path);
    unlink(tmp_path2);
    unlink(dump_path);
    rmdir(tmp_dir);
}

/* ---- file builder ------------------------------------------------------- */

struct fb {
    uint8_t *b;
    size_t len, cap;
    bool be;
};

static void
fb_bytes(struct fb *f, const void *p, size_t n)
{
    if (f->len + n > f->cap) {
        f->cap = (f->len + n) * 2 + 64;
        f->b = realloc(f->b, f->cap);
        ck_assert_ptr_nonnull(f->b);
    }
    memcpy(f->b + f->len, p, n);
    f->len += n;
}

static void
fb_u16(struct fb *f, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    if (f->be) {
        b[0] = (uint8_t)(v >> 8);
        b[1] = (uint8_t)v;
    }
    fb_bytes(f, b, 2);
}

static void
fb_u32(struct fb *f, uint32_t v)
{
    if (f->be) {
        fb_u16(f, (uint16_t)(v >> 16));
        fb_u16(f, (uint16_t)v);
    } else {
        fb_u16(f, (uint16_t)v);
        fb_u16(f, (uint16_t)(v >> 16));
    }
}

static void
fb_header(struct fb *f, uint32_t magic, uint16_t major, uint16_t minor, uint32_t snaplen,
          uint32_t linktype)
{
    fb_u32(f, magic);
    fb_u16(f, major);
    fb_u16(f, minor);
    fb_u32(f, 0);
    fb_u32(f, 0);
    fb_u32(f, snaplen);
    fb_u32(f, linktype);
}

/* A record header with these fields and `body` bytes of a counting pattern. */
static void
fb_record(struct fb *f, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len, size_t body)
{
    fb_u32(f, sec);
    fb_u32(f, frac);
    fb_u32(f, caplen);
    fb_u32(f, len);
    for (size_t i = 0; i < body; i++) {
        uint8_t v = (uint8_t)(f->len * 7u + i);
        fb_bytes(f, &v, 1);
    }
}

/* Writes the first `len` bytes of f to path. */
static void
fb_write(const struct fb *f, const char *path, size_t len)
{
    FILE *out = fopen(path, "wb");
    ck_assert_ptr_nonnull(out);
    if (len > 0)
        ck_assert_uint_eq(fwrite(f->b, 1, len, out), len);
    ck_assert_int_eq(fclose(out), 0);
}

/* ---- the two readers ------------------------------------------------------ */

/* One result of a read: a record, an error or the end. */
struct ev {
    int rc; /* 1, PCAP_ERROR or PCAP_ERROR_BREAK */
    long sec, frac;
    uint32_t caplen, len;
    uint32_t hash; /* FNV-1a of the record's bytes */
    char err[ERR_LEN];
};

struct run {
    bool opened;
    char open_err[PCAP_ERRBUF_SIZE];
    bool fast;  /* cap_pf_open() took the file */
    int n_fast; /* records served by cap_pf_next() */
    int n;
    struct ev ev[MAX_EV];
};

static uint32_t
fnv(const uint8_t *d, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ d[i]) * 16777619u;
    return h;
}

static void
ev_record(struct run *r, const struct pcap_pkthdr *h, const uint8_t *d)
{
    struct ev *e = &r->ev[r->n++];
    e->rc = 1;
    e->sec = (long)h->ts.tv_sec;
    e->frac = (long)h->ts.tv_usec;
    e->caplen = h->caplen;
    e->len = h->len;
    e->hash = fnv(d, h->caplen);
}

/* Reads path to its end (or MAX_EV results) with libpcap alone, or through cap_pf first. */
static void
read_file(const char *path, bool use_pf, struct run *r)
{
    memset(r, 0, sizeof(*r));
    pcap_t *p =
        pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, r->open_err);
    if (p == NULL)
        return;
    r->opened = true;
    struct cap_pf *pf = use_pf ? cap_pf_open(p) : NULL;
    r->fast = pf != NULL;
    bool libpcap = pf == NULL;
    while (r->n < MAX_EV) {
        struct pcap_pkthdr hdr, *h;
        const uint8_t *d;
        if (!libpcap) {
            int rc = cap_pf_next(pf, &hdr, &d);
            if (rc == 1) {
                r->n_fast++;
                ev_record(r, &hdr, d);
                continue;
            }
            ck_assert_int_eq(rc, CAP_PF_LIBPCAP);
            libpcap = true;
            /* Final: the reader keeps saying so. */
            ck_assert_int_eq(cap_pf_next(pf, &hdr, &d), CAP_PF_LIBPCAP);
        }
        int rc = pcap_next_ex(p, &h, &d);
        if (rc == 1) {
            ev_record(r, h, d);
            continue;
        }
        struct ev *e = &r->ev[r->n++];
        e->rc = rc;
        if (rc == PCAP_ERROR)
            snprintf(e->err, sizeof(e->err), "%s", pcap_geterr(p));
        break;
    }
    cap_pf_close(pf);
    pcap_close(p);
}

/* Asserts that both readers give the same results; returns the fast run's record count from cap_pf.
 */
static int
same_as_libpcap(const char *path, struct run *fast)
{
    static struct run ref;

    read_file(path, false, &ref);
    read_file(path, true, fast);
    ck_assert_int_eq(fast->opened, ref.opened);
    ck_assert_str_eq(fast->open_err, ref.open_err);
    ck_assert_int_eq(fast->n, ref.n);
    for (int i = 0; i < ref.n; i++) {
        const struct ev *a = &fast->ev[i], *b = &ref.ev[i];
        ck_assert_msg(a->rc == b->rc, "result %d: rc %d, libpcap %d", i, a->rc, b->rc);
        ck_assert_msg(a->sec == b->sec && a->frac == b->frac,
                      "result %d: ts %ld.%09ld, libpcap %ld.%09ld", i, a->sec, a->frac, b->sec,
                      b->frac);
        ck_assert_uint_eq(a->caplen, b->caplen);
        ck_assert_uint_eq(a->len, b->len);
        ck_assert_uint_eq(a->hash, b->hash);
        ck_assert_str_eq(a->err, b->err);
    }
    return fast->n_fast;
}

/* Three good records at 1000+i s. */
static void
build_three(struct fb *f, bool be, bool ns)
{
    f->be = be;
    fb_header(f, ns ? 0xa1b23c4du : 0xa1b2c3d4u, 2, 4, 65535, 1);
    for (uint32_t i = 0; i < 3; i++)
        fb_record(f, 1000 + i, ns ? 123456789u : 123456u, 60 + i, 100 + i, 60 + i);
}

/* ---- tests ---------------------------------------------------------------- */

/* _i: bit 0 = big-endian file, bit 1 = nanosecond magic. */
START_TEST(test_each_magic_and_byte_order_is_read_in_place)
{
    struct fb f = {0};
    struct run r;
    bool be = (_i & 1) != 0, ns = (_i & 2) != 0;

    build_three(&f, be, ns);
    fb_write(&f, tmp_path, f.len);
    ck_assert_int_eq(same_as_libpcap(tmp_path, &r), 3);
    ck_assert(r.fast);
    ck_assert_int_eq(r.n, 4);
    ck_assert_int_eq(r.ev[3].rc, PCAP_ERROR_BREAK);
    /* Microseconds are scaled, nanoseconds kept: both end up as ...456000 or ...456789. */
    ck_assert_int_eq(r.ev[0].sec, 1000);
    ck_assert_int_eq(r.ev[0].frac, ns ? 123456789 : 123456000);
    ck_assert_uint_eq(r.ev[2].caplen, 62);
    ck_assert_uint_eq(r.ev[2].len, 102);
    free(f.b);
}
END_TEST

/* _i bytes of the third record's header are in the file. */
START_TEST(test_truncated_record_header_is_libpcaps_error_or_end)
{
    struct fb f = {0};
    struct run r;

    f.be = false;
    fb_header(&f, 0xa1b2c3d4u, 2, 4, 65535, 1);
    fb_record(&f, 1, 2, 60, 60, 60);
    fb_record(&f, 3, 4, 60, 60, 60);
    size_t cut = f.len + (size_t)_i;
    fb_record(&f, 5, 6, 60, 60, 60);
    fb_write(&f, tmp_path, cut);
    ck_assert_int_eq(same_as_libpcap(tmp_path, &r), 2);
    ck_assert_int_eq(r.n, 3);
    if (_i == 0) {
        ck_assert_int_eq(r.ev[2].rc, PCAP_ERROR_BREAK);
    } else {
        char want[ERR_LEN];
        snprintf(want, sizeof(want),
                 "truncated dump file; tried to read 16 header bytes, only got %d", _i);
        ck_assert_int_eq(r.ev[2].rc, PCAP_ERROR);
        ck_assert_str_eq(r.ev[2].err, want);
    }
    free(f.b);
}
END_TEST

/* _i bytes of the second record's 100-byte body are in the file. */
START_TEST(test_truncated_record_body_is_libpcaps_error)
{
    struct fb f = {0};
    struct run r;
    char want[ERR_LEN];

    f.be = true;
    fb_header(&f, 0xa1b23c4du, 2, 4, 65535, 1);
    fb_record(&f, 1, 2, 60, 60, 60);
    size_t cut = f.len + 16 + (size_t)_i;
    fb_record(&f, 3, 4, 100, 100, 100);
    fb_write(&f, tmp_path, cut);
    ck_assert_int_eq(same_as_libpcap(tmp_path, &r), 1);
    ck_assert_int_eq(r.n, 2);
    snprintf(want, sizeof(want),
             "truncated dump file; tried to read 100 captured bytes, only got %d", _i);
    ck_assert_int_eq(r.ev[1].rc, PCAP_ERROR);
    ck_assert_str_eq(r.ev[1].err, want);
    free(f.b);
}
END_TEST

START_TEST(test_caplen_above_snaplen_is_cut_by_libpcap_and_reading_goes_on)
{
    struct fb f = {0};
    struct run r;

    f.be = false;
    fb_header(&f, 0xa1b2c3d4u, 2, 4, 64, 1);
    fb_record(&f, 1, 0, 64, 64, 64);
    fb_record(&f, 2, 0, 100, 100, 100); /* libpcap returns 64 bytes and skips 36 */
    fb_record(&f, 3, 0, 50, 50, 50);
    fb_write(&f, tmp_path, f.len);
    ck_assert_int_eq(same_as_libpcap(tmp_path, &r), 1);
    ck_assert_int_eq(r.n, 4);
    ck_assert_uint_eq(r.ev[1].caplen, 64);
    ck_assert_uint_eq(r.ev[1].len, 100);
    ck_assert_uint_eq(r.ev[2].caplen, 50);
    ck_assert_int_eq(r.ev[3].rc, PCAP_ERROR_BREAK);
    free(f.b);
}
END_TEST

START_TEST(test_caplen_above_the_maximum_is_libpcaps_error)
{
    struct fb f = {0};
    struct run r;

    f.be = false;
    fb_header(&f, 0xa1b2c3d4u, 2, 4, 0x7fffffffu, 1);
    fb_record(&f, 1, 0, CAP_PF_MAX_CAPLEN, CAP_PF_MAX_CAPLEN, CAP_PF_MAX_CAPLEN);
    fb_record(&f, 2, 0, CAP_PF_MAX_CAPLEN + 1, 10, 10);
    fb_write(&f, tmp_path, f.len);
    ck_assert_int_eq(same_as_libpcap(tmp_path, &r), 1);
    ck_assert_int_eq(r.n, 2);
    ck_assert_uint_eq(r.ev[0].caplen, CAP_PF_MAX_CAPLEN);
    ck_assert_int_eq(r.ev[1].rc, PCAP_ERROR);
    ck_assert_ptr_nonnull(strstr(r.ev[1].err, "invalid packet capture length 262145"));
    free(f.b);
}
END_TEST

START_TEST(test_empty_and_header_only_files_are_left_to_libpcap)
{
    struct fb f = {0};
    struct run r;

    build_three(&f, false, false);
    fb_write(&f, tmp_path, 0);
    ck_assert_int_eq(same_as_libpcap(tmp_path, &r), 0);
    ck_assert(!r.opened);
    fb_write(&f, tmp_path, 24);
    ck_assert_int_eq(same_as_libpcap(tmp_path, &r), 0);
    ck_assert(r.opened);
    ck_assert(!r.fast);
    ck_assert_int_eq(r.n, 1);
    ck_assert_int_eq(r.ev[0].rc, PCAP_ERROR_BREAK);
    fb_write(&f, tmp_path, 25); /* one byte of a record header: libpcap's error */
    ck_assert_int_eq(same_as_libpcap(tmp_path, &r), 0);
    ck_assert(r.fast);
    ck_assert_int_eq(r.ev[0].rc, PCAP_ERROR);
    free(f.b);
}
END_TEST

/* Versions 2.0-2.2 store caplen and len the other way round; 2.3 when caplen > len. */
START_TEST(test_old_versions_exchange_lengths_like_libpcap)
{
    for (uint16_t minor = 0; minor <= 4; minor++) {
        struct fb f = {0};
        struct run r;
        f.be = minor % 2 == 0;
        fb_header(&f, 0xa1b2c3d4u, 2, minor, 65535, 1);
        fb_record(&f, 1, 0, 80, 40, 40); /* in file order: caplen field 80, len field 40 */
        fb_record(&f, 2, 0, 40, 80, 80);
        fb_record(&f, 3, 0, 30, 30, 30);
        fb_write(&f, tmp_path, f.len);
        same_as_libpcap(tmp_path, &r);
        ck_assert_msg(r.fast, "2.%u not taken", minor);
        ck_assert_int_ge(r.n_fast, 1);
        free(f.b);
    }
}
END_TEST

START_TEST(test_unknown_headers_and_rewritten_link_types_are_left_to_libpcap)
{
    static const struct {
        uint32_t magic;
        uint16_t major, minor;
        uint32_t linktype;
        bool be;
        bool fast;
    } cases[] = {
        {0xa1b2c3d4u, 2, 4, 1, false, true},   /* Ethernet */
        {0xa1b2c3d4u, 2, 4, 101, false, true}, /* LINKTYPE_RAW -> DLT_RAW */
        {0xa1b2c3d4u, 2, 4, 0, true, true},    /* BSD loopback */
        {0xa1b2c3d4u, 2, 4, 228, false, true}, /* IPv4 */
        {0xa1b2c3d4u, 2, 4, 229, true, true},  /* IPv6 */
        {0xa1b2c3d4u, 2, 4, 108, false, true}, /* OpenBSD loopback */
        {0xa1b2c3d4u, 2, 4, 113, false, true}, /* Linux SLL, our byte order */
        {0xa1b2c3d4u, 2, 4, 113, true, false}, /* Linux SLL, swapped: SocketCAN swap */
        {0xa1b2c3d4u, 2, 4, 276, false, true}, /* Linux SLL2 */
        {0xa1b2c3d4u, 2, 4, 276, true, false},
        {0xa1b2c3d4u, 2, 4, 220, false, false},        /* USB Linux mmapped: length fix-up */
        {0xa1b2c3d4u, 2, 4, 189, true, false},         /* USB Linux */
        {0xa1b2c3d4u, 2, 4, 239, true, false},         /* NFLOG */
        {0xa1b2c3d4u, 2, 4, 117, true, false},         /* PFLOG */
        {0xa1b2c3d4u, 2, 4, 147, false, false},        /* a user link type */
        {0xa1b2c3d4u, 2, 4, 0x04000001u, false, true}, /* FCS length bits: still DLT 1 */
        {0xa1b2cd34u, 2, 4, 1, false, false},          /* Kuznetzov's modified format */
        {0xa1b2cd34u, 2, 4, 1, true, false},
        {0xa1b2c3d4u, 2, 5, 1, false, false},
        {0xa1b2c3d4u, 543, 0, 1, false, false}, /* DG/UX */
        {0xa1b2c3d4u, 3, 0, 1, false, false},
        {0xa1b2c3d4u, 1, 0, 1, false, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fb f = {0};
        struct run r;
        f.be = cases[i].be;
        bool fast = cases[i].fast;
        fb_header(&f, cases[i].magic, cases[i].major, cases[i].minor, 65535, cases[i].linktype);
        fb_record(&f, 1, 0, 60, 60, 60);
        fb_record(&f, 2, 0, 60, 70, 60);
        fb_write(&f, tmp_path, f.len);
        same_as_libpcap(tmp_path, &r);
        ck_assert_msg(r.fast == fast, "case %zu: fast %d", i, r.fast);
        if (fast)
            ck_assert_int_eq(r.n_fast, 2);
        free(f.b);
    }
}
END_TEST

/*
 * 7 MiB of 200 KiB records: every record, read back before the next call,
 * holds its own bytes although the buffer (1 MiB) is refilled many times
 * and a refill moves the unread tail to the front.
 */
START_TEST(test_records_across_buffer_refills_read_back)
{
    enum { N = 36, SIZE = 200 * 1024 };
    struct fb f = {0};
    const uint8_t *data;
    uint32_t want[N];
    struct pcap_pkthdr h;
    char perr[PCAP_ERRBUF_SIZE];

    f.be = false;
    fb_header(&f, 0xa1b2c3d4u, 2, 4, 262144, 1);
    for (uint32_t i = 0; i < N; i++) {
        size_t start = f.len + 16;
        fb_record(&f, i, 0, SIZE - i, SIZE - i, SIZE - i); /* odd sizes: records straddle refills */
        want[i] = fnv(f.b + start, SIZE - i);
    }
    fb_write(&f, tmp_path, f.len);
    pcap_t *p = pcap_open_offline_with_tstamp_precision(tmp_path, PCAP_TSTAMP_PRECISION_NANO, perr);
    ck_assert_ptr_nonnull(p);
    struct cap_pf *pf = cap_pf_open(p);
    ck_assert_ptr_nonnull(pf);
    for (uint32_t i = 0; i < N; i++) {
        ck_assert_int_eq(cap_pf_next(pf, &h, &data), 1);
        ck_assert_uint_eq(h.caplen, SIZE - i);
        ck_assert_uint_eq(h.ts.tv_sec, i);
        ck_assert_uint_eq(fnv(data, SIZE - i), want[i]);
    }
    ck_assert_int_eq(cap_pf_next(pf, &h, &data), CAP_PF_LIBPCAP);
    cap_pf_close(pf);
    pcap_close(p);
    free(f.b);
}
END_TEST

/*
 * A file cut short by another process while it is being read (a mapped
 * reader would die of SIGBUS here): the records still whole are returned,
 * the cut one is libpcap's "truncated dump file" error.
 */
START_TEST(test_file_truncated_while_reading_is_libpcaps_error)
{
    enum { N = 20, SIZE = 200 * 1024 };
    struct fb f = {0};
    const uint8_t *data;
    size_t off10 = 0;
    struct pcap_pkthdr h, *hp;
    const u_char *dp;
    char perr[PCAP_ERRBUF_SIZE];

    f.be = false;
    fb_header(&f, 0xa1b2c3d4u, 2, 4, 262144, 1);
    for (uint32_t i = 0; i < N; i++) {
        if (i == 10)
            off10 = f.len;
        fb_record(&f, i, 0, SIZE, SIZE, SIZE);
    }
    fb_write(&f, tmp_path, f.len);
    pcap_t *p = pcap_open_offline_with_tstamp_precision(tmp_path, PCAP_TSTAMP_PRECISION_NANO, perr);
    ck_assert_ptr_nonnull(p);
    struct cap_pf *pf = cap_pf_open(p);
    ck_assert_ptr_nonnull(pf);
    ck_assert_int_eq(cap_pf_next(pf, &h, &data), 1);
    ck_assert_int_eq(truncate(tmp_path, (off_t)(off10 + 100)), 0);
    int n = 1, rc;
    while ((rc = cap_pf_next(pf, &h, &data)) == 1)
        n++;
    ck_assert_int_eq(rc, CAP_PF_LIBPCAP);
    ck_assert_int_eq(n, 10);
    ck_assert_int_eq(pcap_next_ex(p, &hp, &dp), PCAP_ERROR);
    ck_assert_msg(strstr(pcap_geterr(p), "truncated") != NULL, "%s", pcap_geterr(p));
    cap_pf_close(pf);
    pcap_close(p);
    free(f.b);
}
END_TEST

/* xorshift64*: a fixed sequence, so a failure is reproducible. */
static uint64_t
rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

START_TEST(test_random_files_read_exactly_like_libpcap)
{
    static const uint32_t snaps[] = {0,      1,      60,          64,          65535,
                                     262144, 262145, 0x7fffffffu, 0x80000000u, 1500};
    static const uint32_t lts[] = {1, 101, 0, 113, 276, 228, 229, 108, 220};
    static const uint32_t caps[] = {0, 1, 14, 60, 64, 65, 1500, 65535, 65536, 262144, 262145};
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    int fast_files = 0, fast_records = 0;

    for (int file = 0; file < 400; file++) {
        struct fb f = {0};
        struct run r;
        f.be = rnd(&seed) & 1;
        bool ns = rnd(&seed) & 1;
        uint16_t minor = (uint16_t)(rnd(&seed) % 6 == 0 ? rnd(&seed) % 4 : 4);
        uint32_t snap = snaps[rnd(&seed) % (sizeof(snaps) / sizeof(snaps[0]))];
        if (snap == 1500)
            snap = (uint32_t)(rnd(&seed) % 70000);
        fb_header(&f, ns ? 0xa1b23c4du : 0xa1b2c3d4u, 2, minor, snap,
                  lts[rnd(&seed) % (sizeof(lts) / sizeof(lts[0]))]);
        int n = (int)(rnd(&seed) % 8);
        for (int i = 0; i < n; i++) {
            uint32_t cap = caps[rnd(&seed) % (sizeof(caps) / sizeof(caps[0]))];
            if (rnd(&seed) % 2)
                cap = (uint32_t)(rnd(&seed) % 200);
            uint32_t len = rnd(&seed) % 3 == 0 ? (uint32_t)(rnd(&seed) % 300) : cap;
            /* Old versions keep the lengths the other way round; write the larger body. */
            size_t body = cap > len ? cap : len;
            if (body > 300000)
                body = 300000;
            fb_record(&f, (uint32_t)rnd(&seed), (uint32_t)rnd(&seed), cap, len, body);
        }
        size_t cut = f.len;
        if (rnd(&seed) % 3 == 0 && f.len > 24)
            cut = 24 + (size_t)(rnd(&seed) % (f.len - 24));
        fb_write(&f, tmp_path, cut);
        same_as_libpcap(tmp_path, &r);
        fast_files += r.fast;
        fast_records += r.n_fast;
        free(f.b);
    }
    /* The comparison above means something only if the fast path did the reading. */
    ck_assert_int_gt(fast_files, 200);
    ck_assert_int_gt(fast_records, 400);
}
END_TEST

/* ---- through the capture module -------------------------------------------- */

struct cap_run {
    int rc[MAX_EV];
    uint64_t ts[MAX_EV];
    uint32_t caplen[MAX_EV], source[MAX_EV];
    char err[MAX_EV][ERR_LEN];
    int n;
    struct capture_stats st;
    char dump[1024];
    size_t dump_len;
};

static void
cap_read_all(const char *const *paths, size_t n, const char *filter, bool knob, struct cap_run *r)
{
    char err[ERRBUF_SIZE];
    struct cap_packet p;

    memset(r, 0, sizeof(*r));
    if (knob)
        ck_assert_int_eq(setenv("FLOWSTATE_FORCE_LIBPCAP", "1", 1), 0);
    struct capture *c = capture_open_files(paths, n, filter, err);
    ck_assert_int_eq(unsetenv("FLOWSTATE_FORCE_LIBPCAP"), 0);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_dump_open(c, dump_path, err), 0);
    while (r->n < MAX_EV) {
        int rc = capture_next(c, &p);
        r->rc[r->n] = rc;
        if (rc == 1) {
            r->ts[r->n] = p.ts_ns;
            r->caplen[r->n] = p.caplen;
            r->source[r->n] = p.source;
        } else if (rc == -1) {
            snprintf(r->err[r->n], ERR_LEN, "%s", capture_geterr(c));
        }
        r->n++;
        if (rc == CAP_END)
            break;
    }
    ck_assert_int_eq(capture_dump_close(c, err), 0);
    r->st = *capture_stats(c);
    capture_close(c);
    FILE *d = fopen(dump_path, "rb");
    ck_assert_ptr_nonnull(d);
    r->dump_len = fread(r->dump, 1, sizeof(r->dump), d);
    fclose(d);
}

static void
cap_same(const struct cap_run *a, const struct cap_run *b)
{
    ck_assert_int_eq(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        ck_assert_int_eq(a->rc[i], b->rc[i]);
        ck_assert_uint_eq(a->ts[i], b->ts[i]);
        ck_assert_uint_eq(a->caplen[i], b->caplen[i]);
        ck_assert_uint_eq(a->source[i], b->source[i]);
        ck_assert_str_eq(a->err[i], b->err[i]);
    }
    ck_assert(memcmp(&a->st, &b->st, sizeof(a->st)) == 0);
    ck_assert_uint_eq(a->dump_len, b->dump_len);
    ck_assert(memcmp(a->dump, b->dump, a->dump_len) == 0);
}

START_TEST(test_merge_filter_and_dump_are_the_same_without_the_fast_path)
{
    struct fb a = {0}, b = {0};
    static struct cap_run fast, slow;
    const char *paths[2] = {tmp_path, tmp_path2};

    /* a: microseconds, little-endian, 1000.123456 + 0..2 s; b: nanoseconds, big-endian, cut short.
     */
    build_three(&a, false, false);
    b.be = true;
    fb_header(&b, 0xa1b23c4du, 2, 4, 65535, 1);
    fb_record(&b, 1000, 123456000u, 61, 61, 61); /* ties with a's first: a first */
    fb_record(&b, 999, 5, 40, 40, 40);           /* backwards */
    fb_record(&b, 1001, 123456000u, 70, 70, 70); /* ties with a's second */
    size_t cut = b.len + 20;
    fb_record(&b, 1005, 0, 90, 90, 90);
    fb_write(&a, tmp_path, a.len);
    fb_write(&b, tmp_path2, cut);

    cap_read_all(paths, 2, NULL, false, &fast);
    cap_read_all(paths, 2, NULL, true, &slow);
    cap_same(&fast, &slow);
    ck_assert_uint_eq(fast.st.read_errors, 1);
    ck_assert_uint_eq(fast.st.ts_backwards, 1);
    ck_assert_uint_eq(fast.st.records, 6);
    ck_assert_uint_gt(fast.dump_len, 24 + 6 * 16);

    cap_read_all(paths, 2, "len >= 61", false, &fast);
    cap_read_all(paths, 2, "len >= 61", true, &slow);
    cap_same(&fast, &slow);
    ck_assert_uint_eq(fast.st.filtered, 1); /* b's 40-byte record */
    free(a.b);
    free(b.b);
}
END_TEST

static Suite *
pcapfile_suite(void)
{
    Suite *s = suite_create("pcapfile");
    TCase *tc = tcase_create("reader");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_each_magic_and_byte_order_is_read_in_place, 0, 4);
    tcase_add_loop_test(tc, test_truncated_record_header_is_libpcaps_error_or_end, 0, 16);
    tcase_add_loop_test(tc, test_truncated_record_body_is_libpcaps_error, 0, 100);
    tcase_add_test(tc, test_caplen_above_snaplen_is_cut_by_libpcap_and_reading_goes_on);
    tcase_add_test(tc, test_caplen_above_the_maximum_is_libpcaps_error);
    tcase_add_test(tc, test_empty_and_header_only_files_are_left_to_libpcap);
    tcase_add_test(tc, test_old_versions_exchange_lengths_like_libpcap);
    tcase_add_test(tc, test_unknown_headers_and_rewritten_link_types_are_left_to_libpcap);
    tcase_add_test(tc, test_random_files_read_exactly_like_libpcap);
    tcase_add_test(tc, test_records_across_buffer_refills_read_back);
    tcase_add_test(tc, test_file_truncated_while_reading_is_libpcaps_error);
    tcase_add_test(tc, test_merge_filter_and_dump_are_the_same_without_the_fast_path);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(pcapfile_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
