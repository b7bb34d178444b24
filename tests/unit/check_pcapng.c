/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_pcapng: our pcapng reader (src/capture/pcapng.c) over files built
 * byte by byte in this suite: both byte orders, interfaces of different link
 * types and snapshot lengths, if_tsresol 10^-9 and 2^-20, if_tsoffset,
 * Simple and obsolete Packet Blocks, unknown blocks, several sections, every
 * file-level error libpcap reports (doc/references.md section 4), and a
 * small valid file cut at every byte. Then the capture module's fallback:
 * a file libpcap gives up on in the middle, the same file through the
 * testing knob, and the public capture that motivated the reader.
 */
#include <config.h>

#include "capture/pcapng.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "util/log.h"
#include "util/xalloc.h"

#define LT_EN10MB    1u
#define LT_LINUX_SLL 113u
#define LT_USER0     147u
#define BT_SHB       0x0A0D0D0Au
#define BT_IDB       1u
#define BT_PB        2u
#define BT_SPB       3u
#define BT_EPB       6u
#define NAME         "t.pcapng"
#define MAX_RECS     16

/* ---- builder ------------------------------------------------------------ */

struct ngb {
    uint8_t *p;
    size_t len, cap;
    bool be;
    size_t blk; /* start of the open block */
};

static void
b_u8(struct ngb *b, uint8_t v)
{
    if (b->len == b->cap) {
        b->cap = b->cap == 0 ? 256 : b->cap * 2;
        b->p = xreallocarray(b->p, b->cap, 1);
    }
    b->p[b->len++] = v;
}

static void
b_u16(struct ngb *b, uint16_t v)
{
    b_u8(b, (uint8_t)(b->be ? v >> 8 : v));
    b_u8(b, (uint8_t)(b->be ? v : v >> 8));
}

static void
b_u32(struct ngb *b, uint32_t v)
{
    b_u16(b, (uint16_t)(b->be ? v >> 16 : v));
    b_u16(b, (uint16_t)(b->be ? v : v >> 16));
}

static void
b_bytes(struct ngb *b, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b_u8(b, d[i]);
}

static void
b_pad(struct ngb *b)
{
    while ((b->len - b->blk) % 4 != 0)
        b_u8(b, 0);
}

static void
b_begin(struct ngb *b, uint32_t type)
{
    b->blk = b->len;
    b_u32(b, type);
    b_u32(b, 0); /* total length, patched by b_end() */
}

/* Closes the block: padding, trailing length, leading length patched. */
static void
b_end(struct ngb *b)
{
    b_pad(b);
    uint32_t total = (uint32_t)(b->len - b->blk + 4);
    b_u32(b, total);
    size_t save = b->len;
    b->len = b->blk + 4;
    b_u32(b, total);
    b->len = save;
}

static void
b_shb(struct ngb *b, bool be)
{
    b->be = be;
    b_begin(b, BT_SHB);
    b_u32(b, 0x1A2B3C4Du);
    b_u16(b, 1);
    b_u16(b, 0);
    b_u32(b, 0xffffffffu); /* section length -1: not given */
    b_u32(b, 0xffffffffu);
    b_end(b);
}

/* tsresol < 0: no option; tsoffset != 0: an if_tsoffset option. */
static void
b_idb(struct ngb *b, uint16_t lt, uint32_t snap, int tsresol, int64_t tsoffset)
{
    b_begin(b, BT_IDB);
    b_u16(b, lt);
    b_u16(b, 0);
    b_u32(b, snap);
    b_u16(b, 2); /* if_name "x" */
    b_u16(b, 1);
    b_u8(b, 'x');
    b_pad(b);
    if (tsresol >= 0) {
        b_u16(b, 9);
        b_u16(b, 1);
        b_u8(b, (uint8_t)tsresol);
        b_pad(b);
    }
    if (tsoffset != 0) {
        uint64_t u = (uint64_t)tsoffset;
        b_u16(b, 14);
        b_u16(b, 8);
        b_u32(b, (uint32_t)(b->be ? u >> 32 : u));
        b_u32(b, (uint32_t)(b->be ? u : u >> 32));
    }
    b_u16(b, 0); /* opt_endofopt */
    b_u16(b, 0);
    b_end(b);
}

static void
b_epb(struct ngb *b, uint32_t id, uint64_t units, const uint8_t *d, uint32_t caplen,
      uint32_t wirelen)
{
    b_begin(b, BT_EPB);
    b_u32(b, id);
    b_u32(b, (uint32_t)(units >> 32));
    b_u32(b, (uint32_t)units);
    b_u32(b, caplen);
    b_u32(b, wirelen);
    b_bytes(b, d, caplen);
    b_pad(b);
    b_u16(b, 1); /* opt_comment "c", then the end */
    b_u16(b, 1);
    b_u8(b, 'c');
    b_pad(b);
    b_u16(b, 0);
    b_u16(b, 0);
    b_end(b);
}

static void
b_pb(struct ngb *b, uint16_t id, uint64_t units, const uint8_t *d, uint32_t caplen,
     uint32_t wirelen)
{
    b_begin(b, BT_PB);
    b_u16(b, id);
    b_u16(b, 0); /* drops */
    b_u32(b, (uint32_t)(units >> 32));
    b_u32(b, (uint32_t)units);
    b_u32(b, caplen);
    b_u32(b, wirelen);
    b_bytes(b, d, caplen);
    b_end(b);
}

static void
b_spb(struct ngb *b, uint32_t wirelen, const uint8_t *d, size_t n)
{
    b_begin(b, BT_SPB);
    b_u32(b, wirelen);
    b_bytes(b, d, n);
    b_end(b);
}

static void
b_unknown(struct ngb *b, uint32_t type, size_t body)
{
    b_begin(b, type);
    for (size_t i = 0; i < body; i++)
        b_u8(b, 0xee);
    b_end(b);
}

static void
b_free(struct ngb *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

/* ---- reader harness ----------------------------------------------------- */

struct got_rec {
    int dlt;
    uint32_t caplen, wirelen, iface;
    uint64_t ts_ns;
    uint8_t first; /* first data byte, 0 if none */
    bool pass;
};

struct got {
    bool opened;
    char open_err[ERRBUF_SIZE];
    int n;
    struct got_rec r[MAX_RECS];
    int rc; /* the final cap_ng_next() result */
    char err[CAP_NG_ERR_SIZE];
};

static void
read_bytes(const uint8_t *p, size_t n, const char *filter, struct got *g)
{
    struct cap_ng *r;
    struct cap_ng_rec rec;
    FILE *f = tmpfile();

    memset(g, 0, sizeof(*g));
    ck_assert_ptr_nonnull(f);
    if (n > 0)
        ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    rewind(f);
    r = cap_ng_fopen(f, NAME, filter, g->open_err);
    if (r == NULL)
        return;
    g->opened = true;
    while ((g->rc = cap_ng_next(r, &rec)) == 1) {
        ck_assert_uint_le(rec.hdr.caplen, CAP_NG_MAX_RECORD);
        if (g->n < MAX_RECS) {
            struct got_rec *o = &g->r[g->n];
            o->dlt = rec.dlt;
            o->caplen = rec.hdr.caplen;
            o->wirelen = rec.hdr.len;
            o->iface = rec.iface;
            o->ts_ns = rec.ts_ns;
            o->first = rec.hdr.caplen > 0 ? rec.data[0] : 0;
            o->pass = cap_ng_filter(r, &rec);
            /* The pcap header says the same as ts_ns. */
            ck_assert_uint_eq((uint64_t)rec.hdr.ts.tv_sec * 1000000000u +
                                  (uint64_t)rec.hdr.ts.tv_usec,
                              rec.ts_ns);
        }
        g->n++;
    }
    snprintf(g->err, sizeof(g->err), "%s", cap_ng_geterr(r));
    /* After the end or an error the reader stays finished. */
    ck_assert_int_eq(cap_ng_next(r, &rec), CAP_END);
    cap_ng_close(r);
}

/* The read ended in an error at block offset `off` whose message holds `what`. */
static void
expect_read_err(const struct got *g, size_t off, const char *what)
{
    char at[64];

    ck_assert_msg(g->opened, "open failed: %s", g->open_err);
    ck_assert_int_eq(g->rc, -1);
    snprintf(at, sizeof(at), NAME ": pcapng block at offset %zu: ", off);
    ck_assert_msg(strstr(g->err, at) != NULL, "\"%s\" lacks \"%s\"", g->err, at);
    ck_assert_msg(strstr(g->err, what) != NULL, "\"%s\" lacks \"%s\"", g->err, what);
}

static void
expect_open_err(const struct got *g, const char *what)
{
    ck_assert(!g->opened);
    ck_assert_msg(strncmp(g->open_err, NAME ": ", strlen(NAME) + 2) == 0, "%s", g->open_err);
    ck_assert_msg(strstr(g->open_err, what) != NULL, "\"%s\" lacks \"%s\"", g->open_err, what);
}

static const uint8_t pkt_a[] = {0xa1, 2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                16,   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
static const uint8_t pkt_b[] = {0xb2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};

/*
 * SHB; IDB 0 EN10MB snaplen 65535 tsresol 10^-9; IDB 1 LINUX_SLL snaplen 8
 * tsresol 2^-20; EPB on 0; unknown block; EPB on 1 (cut to 8 by snaplen);
 * SPB (interface 0); obsolete PB on 1.
 */
static void
build_two_ifaces(struct ngb *b, bool be)
{
    b_shb(b, be);
    b_idb(b, LT_EN10MB, 65535, 9, 0);
    b_idb(b, LT_LINUX_SLL, 8, 0x80 | 20, 0);
    b_epb(b, 0, UINT64_C(1700000000123456789), pkt_a, sizeof(pkt_a), sizeof(pkt_a));
    b_unknown(b, 0x0BADu, 10);
    /* 1700000000.5 s in units of 2^-20 s. */
    b_epb(b, 1, (UINT64_C(1700000000) << 20) | (1u << 19), pkt_b, sizeof(pkt_b), 100);
    b_spb(b, sizeof(pkt_b), pkt_b, sizeof(pkt_b));
    b_pb(b, 1, (UINT64_C(1700000001) << 20) | (1u << 18), pkt_a, 4, 4);
}

static void
check_two_ifaces(const struct got *g)
{
    ck_assert_msg(g->opened, "%s", g->open_err);
    ck_assert_int_eq(g->rc, CAP_END);
    ck_assert_int_eq(g->n, 4);
    ck_assert_int_eq(g->r[0].dlt, 1);
    ck_assert_uint_eq(g->r[0].iface, 0);
    ck_assert_uint_eq(g->r[0].caplen, sizeof(pkt_a));
    ck_assert_uint_eq(g->r[0].ts_ns, UINT64_C(1700000000123456789));
    ck_assert_uint_eq(g->r[0].first, 0xa1);
    ck_assert_int_eq(g->r[1].dlt, 113);
    ck_assert_uint_eq(g->r[1].iface, 1);
    ck_assert_uint_eq(g->r[1].caplen, 8); /* interface 1's snaplen */
    ck_assert_uint_eq(g->r[1].wirelen, 100);
    ck_assert_uint_eq(g->r[1].ts_ns, UINT64_C(1700000000500000000));
    ck_assert_uint_eq(g->r[1].first, 0xb2);
    /* SPB: interface 0, no timestamp, caplen min(len, snaplen, room). */
    ck_assert_int_eq(g->r[2].dlt, 1);
    ck_assert_uint_eq(g->r[2].caplen, sizeof(pkt_b));
    ck_assert_uint_eq(g->r[2].wirelen, sizeof(pkt_b));
    ck_assert_uint_eq(g->r[2].ts_ns, 0);
    ck_assert_int_eq(g->r[3].dlt, 113);
    ck_assert_uint_eq(g->r[3].caplen, 4);
    ck_assert_uint_eq(g->r[3].ts_ns, UINT64_C(1700000001250000000));
}

START_TEST(test_little_endian_interfaces_keep_their_own_link_type_and_snaplen)
{
    struct ngb b = {0};
    struct got g;

    build_two_ifaces(&b, false);
    read_bytes(b.p, b.len, NULL, &g);
    check_two_ifaces(&g);
    b_free(&b);
}
END_TEST

START_TEST(test_big_endian_file_reads_the_same)
{
    struct ngb b = {0};
    struct got g;

    build_two_ifaces(&b, true);
    read_bytes(b.p, b.len, NULL, &g);
    check_two_ifaces(&g);
    b_free(&b);
}
END_TEST

START_TEST(test_datalink_and_snaplen_are_the_first_interfaces)
{
    struct ngb b = {0};
    char err[ERRBUF_SIZE];
    FILE *f = tmpfile();

    build_two_ifaces(&b, false);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b.p, 1, b.len, f), b.len);
    rewind(f);
    struct cap_ng *r = cap_ng_fopen(f, NAME, NULL, err);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(cap_ng_datalink(r), 1);
    ck_assert_uint_eq(cap_ng_snaplen(r), 65535);
    cap_ng_close(r);
    b_free(&b);
}
END_TEST

START_TEST(test_new_section_resets_interfaces_and_may_switch_byte_order)
{
    struct ngb b = {0};
    struct got g;

    build_two_ifaces(&b, false);
    b_shb(&b, true);
    b_idb(&b, LT_USER0, 0, -1, 0); /* default 10^-6 */
    b_epb(&b, 0, 1500000, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
    size_t bad = b.len;
    b_epb(&b, 1, 0, pkt_b, 4, 4); /* interface 1 belonged to the first section */
    read_bytes(b.p, b.len, NULL, &g);
    ck_assert_int_eq(g.n, 5);
    ck_assert_int_eq(g.r[4].dlt, (int)LT_USER0);
    ck_assert_uint_eq(g.r[4].ts_ns, UINT64_C(1500000000));
    expect_read_err(&g, bad, "interface id 1 out of range (1 interfaces)");
    b_free(&b);
}
END_TEST

START_TEST(test_tsoffset_is_added_in_seconds_and_saturates_at_the_epoch)
{
    struct ngb b = {0};
    struct got g;

    b_shb(&b, false);
    b_idb(&b, LT_EN10MB, 0, -1, 1000);
    b_idb(&b, LT_EN10MB, 0, 0, -5);                /* 10^0: whole seconds */
    b_idb(&b, LT_EN10MB, 0, 12, 0);                /* picoseconds */
    b_idb(&b, LT_EN10MB, 0, 0x80 | 63, INT64_MIN); /* finest binary unit */
    b_epb(&b, 0, 2500000, pkt_a, 4, 4);
    b_epb(&b, 1, 3, pkt_a, 4, 4);
    b_epb(&b, 2, UINT64_C(7000000000123), pkt_a, 4, 4);
    b_epb(&b, 3, UINT64_MAX, pkt_a, 4, 4);
    b_epb(&b, 1, UINT64_MAX, pkt_a, 4, 4);
    read_bytes(b.p, b.len, NULL, &g);
    ck_assert_int_eq(g.rc, CAP_END);
    ck_assert_int_eq(g.n, 5);
    ck_assert_uint_eq(g.r[0].ts_ns, UINT64_C(1002500000000));
    ck_assert_uint_eq(g.r[1].ts_ns, 0); /* 3 s - 5 s: clamped */
    ck_assert_uint_eq(g.r[2].ts_ns, UINT64_C(7000000000));
    ck_assert_uint_eq(g.r[3].ts_ns, 0);
    ck_assert_uint_eq(g.r[4].ts_ns, UINT64_MAX - UINT64_C(5000000000)); /* saturated, then -5 s */
    b_free(&b);
}
END_TEST

START_TEST(test_filter_is_compiled_per_link_type)
{
    struct ngb b = {0};
    struct got g;

    b_shb(&b, false);
    b_idb(&b, LT_EN10MB, 0, -1, 0);
    b_idb(&b, LT_USER0, 0, -1, 0);
    b_epb(&b, 0, 0, pkt_a, sizeof(pkt_a), 200);
    b_epb(&b, 0, 0, pkt_a, sizeof(pkt_a), 50);
    b_epb(&b, 1, 0, pkt_a, sizeof(pkt_a), 200);
    read_bytes(b.p, b.len, "len >= 100", &g);
    ck_assert_int_eq(g.n, 3);
    ck_assert(g.r[0].pass);
    ck_assert(!g.r[1].pass);
    ck_assert(g.r[2].pass);
    /* "tcp" cannot be expressed on DLT 147: no record of that interface matches. */
    read_bytes(b.p, b.len, "tcp", &g);
    ck_assert_int_eq(g.n, 3);
    ck_assert(!g.r[2].pass);
    read_bytes(b.p, b.len, NULL, &g);
    ck_assert(g.r[0].pass && g.r[1].pass && g.r[2].pass);
    b_free(&b);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

/* A valid start: SHB + one Ethernet IDB; returns its length. */
static size_t
build_start(struct ngb *b, bool be)
{
    b_shb(b, be);
    b_idb(b, LT_EN10MB, 65535, -1, 0);
    return b->len;
}

static void
set_u32_at(struct ngb *b, size_t off, uint32_t v)
{
    size_t save = b->len;
    b->len = off;
    b_u32(b, v);
    b->len = save;
}

START_TEST(test_block_length_below_12_is_an_error)
{
    struct ngb b = {0};
    struct got g;
    size_t off = build_start(&b, false);

    b_unknown(&b, 0x99, 0);
    set_u32_at(&b, off + 4, 8);
    read_bytes(b.p, b.len, NULL, &g);
    expect_read_err(&g, off, "block length 8 < 12");
    b_free(&b);
}
END_TEST

START_TEST(test_block_length_not_a_multiple_of_4_is_an_error)
{
    struct ngb b = {0};
    struct got g;
    size_t off = build_start(&b, true);

    b_unknown(&b, 0x99, 8);
    set_u32_at(&b, off + 4, 18);
    read_bytes(b.p, b.len, NULL, &g);
    expect_read_err(&g, off, "not a multiple of 4");
    b_free(&b);
}
END_TEST

START_TEST(test_block_longer_than_16_mib_is_an_error)
{
    struct ngb b = {0};
    struct got g;
    size_t off = build_start(&b, false);

    b_unknown(&b, 0x99, 8);
    set_u32_at(&b, off + 4, CAP_NG_MAX_BLOCK + 4);
    read_bytes(b.p, b.len, NULL, &g);
    expect_read_err(&g, off, "block length 16777220 > 16777216");
    b_free(&b);
}
END_TEST

START_TEST(test_trailer_length_mismatch_is_an_error)
{
    struct ngb b = {0};
    struct got g;
    size_t off = build_start(&b, false);

    b_epb(&b, 0, 0, pkt_a, 8, 8);
    set_u32_at(&b, b.len - 4, 12);
    read_bytes(b.p, b.len, NULL, &g);
    expect_read_err(&g, off, "trailing block length 12 != leading");
    b_free(&b);
}
END_TEST

START_TEST(test_packet_before_any_idb_fails_the_open)
{
    struct ngb b = {0};
    struct got g;

    b_shb(&b, false);
    b_epb(&b, 0, 0, pkt_a, 8, 8);
    b_idb(&b, LT_EN10MB, 0, -1, 0);
    read_bytes(b.p, b.len, NULL, &g);
    expect_open_err(&g, "offset 28: packet before any Interface Description Block");
    b_free(&b);
}
END_TEST

START_TEST(test_packet_before_the_idb_of_a_new_section_is_an_error)
{
    struct ngb b = {0};
    struct got g;

    build_start(&b, false);
    b_epb(&b, 0, 0, pkt_a, 8, 8);
    b_shb(&b, false);
    size_t off = b.len;
    b_spb(&b, 8, pkt_a, 8);
    read_bytes(b.p, b.len, NULL, &g);
    ck_assert_int_eq(g.n, 1);
    expect_read_err(&g, off, "packet before any Interface Description Block");
    b_free(&b);
}
END_TEST

START_TEST(test_interface_id_out_of_range_is_an_error)
{
    struct ngb b = {0};
    struct got g;
    size_t off = build_start(&b, false);

    b_pb(&b, 1, 0, pkt_a, 8, 8);
    read_bytes(b.p, b.len, NULL, &g);
    expect_read_err(&g, off, "interface id 1 out of range");
    b_free(&b);
}
END_TEST

START_TEST(test_caplen_beyond_the_block_is_an_error)
{
    struct ngb b = {0};
    struct got g;
    size_t off = build_start(&b, false);

    b_epb(&b, 0, 0, pkt_a, 8, 8);
    set_u32_at(&b, off + 20, 1000); /* caplen field */
    read_bytes(b.p, b.len, NULL, &g);
    expect_read_err(&g, off, "captured length 1000 > ");
    b_free(&b);
}
END_TEST

START_TEST(test_record_larger_than_256_kib_is_an_error)
{
    struct ngb b = {0};
    struct got g;
    uint8_t *big = xcalloc(CAP_NG_MAX_RECORD + 4, 1);

    build_start(&b, false); /* snaplen 65535 cuts it: fine */
    b_epb(&b, 0, 0, big, CAP_NG_MAX_RECORD + 4, CAP_NG_MAX_RECORD + 4);
    read_bytes(b.p, b.len, NULL, &g);
    ck_assert_int_eq(g.n, 1);
    ck_assert_uint_eq(g.r[0].caplen, 65535);
    b_free(&b);

    b_shb(&b, false);
    b_idb(&b, LT_EN10MB, 0, -1, 0); /* no snaplen */
    size_t off = b.len;
    b_epb(&b, 0, 0, big, CAP_NG_MAX_RECORD + 4, CAP_NG_MAX_RECORD + 4);
    read_bytes(b.p, b.len, NULL, &g);
    expect_read_err(&g, off, "captured length 262148 > 262144");
    b_free(&b);
    free(big);
}
END_TEST

START_TEST(test_bad_header_fields_are_errors)
{
    struct ngb b = {0};
    struct got g;

    /* Not pcapng at all. */
    static const uint8_t pcap[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    read_bytes(pcap, sizeof(pcap), NULL, &g);
    expect_open_err(&g, "not a pcapng file");
    read_bytes(pcap, 0, NULL, &g);
    expect_open_err(&g, "empty file");

    /* Bad byte-order magic. */
    b_shb(&b, false);
    set_u32_at(&b, 8, 0x12345678);
    read_bytes(b.p, b.len, NULL, &g);
    expect_open_err(&g, "offset 0: bad byte-order magic");
    b_free(&b);

    /* Version 2.0. */
    b_shb(&b, false);
    b.p[12] = 2;
    b_idb(&b, LT_EN10MB, 0, -1, 0);
    read_bytes(b.p, b.len, NULL, &g);
    expect_open_err(&g, "unsupported pcapng version 2.0");
    b_free(&b);

    /* No interface at all. */
    b_shb(&b, true);
    read_bytes(b.p, b.len, NULL, &g);
    expect_open_err(&g, "no Interface Description Block");
    b_free(&b);

    /* if_tsresol 10^-20 does not fit 64 bits. */
    b_shb(&b, false);
    b_idb(&b, LT_EN10MB, 0, 20, 0);
    read_bytes(b.p, b.len, NULL, &g);
    expect_open_err(&g, "offset 28: unsupported if_tsresol 0x14");
    b_free(&b);

    /* An option running past its block. */
    b_shb(&b, false);
    b_idb(&b, LT_EN10MB, 0, -1, 0);
    b.p[28 + 16 + 2] = 200; /* if_name length */
    read_bytes(b.p, b.len, NULL, &g);
    expect_open_err(&g, "option 2 length 200 runs past the block");
    b_free(&b);
}
END_TEST

/* ---- truncation --------------------------------------------------------- */

/* A small file of every block kind; bounds[] receives the end of each block. */
static size_t
build_cut_file(struct ngb *b, bool be, size_t *bounds)
{
    size_t nb = 0;

    b_shb(b, be);
    bounds[nb++] = b->len;
    b_idb(b, LT_EN10MB, 65535, 9, 7);
    bounds[nb++] = b->len;
    b_idb(b, LT_LINUX_SLL, 8, 0x80 | 20, 0);
    bounds[nb++] = b->len;
    b_epb(b, 0, 5, pkt_a, sizeof(pkt_a), sizeof(pkt_a));
    bounds[nb++] = b->len;
    b_unknown(b, 0x0BADu, 6);
    bounds[nb++] = b->len;
    b_spb(b, sizeof(pkt_b), pkt_b, sizeof(pkt_b));
    bounds[nb++] = b->len;
    b_pb(b, 1, 9, pkt_a, 4, 4);
    bounds[nb++] = b->len;
    return nb;
}

/* _i = number of bytes kept, 0 .. whole file; odd lengths use the big-endian file. */
START_TEST(test_file_cut_at_every_byte_gives_a_clean_error_or_eof)
{
    struct ngb b = {0};
    struct got g;
    size_t bounds[8];
    size_t cut = (size_t)_i;
    size_t nb = build_cut_file(&b, (cut & 1) != 0, bounds);
    bool at_boundary = false;

    ck_assert_uint_le(cut, b.len);
    for (size_t i = 0; i < nb; i++)
        at_boundary = at_boundary || bounds[i] == cut;
    read_bytes(b.p, cut, NULL, &g);
    if (cut < bounds[1]) {
        /* The open needs the SHB and the first IDB. */
        ck_assert(!g.opened);
        ck_assert_msg(strncmp(g.open_err, NAME ": ", strlen(NAME) + 2) == 0, "%s", g.open_err);
    } else {
        ck_assert(g.opened);
        int whole = 0;
        for (size_t i = 3; i < nb; i++)
            whole += bounds[i] <= cut && i != 4; /* block 4 is the unknown one */
        ck_assert_int_eq(g.n, whole);
        if (at_boundary) {
            ck_assert_int_eq(g.rc, CAP_END);
        } else {
            ck_assert_int_eq(g.rc, -1);
            ck_assert_msg(strstr(g.err, NAME ": pcapng block at offset ") != NULL, "%s", g.err);
            ck_assert_msg(strstr(g.err, "truncated") != NULL, "%s", g.err);
        }
    }
    b_free(&b);
}
END_TEST

/* ---- through the capture module ---------------------------------------- */

static char tmp_path[PATH_MAX];

static void
write_tmp(const struct ngb *b)
{
    snprintf(tmp_path, sizeof(tmp_path), "/tmp/check_pcapng.XXXXXX");
    int fd = mkstemp(tmp_path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, b->p, b->len), (ssize_t)b->len);
    ck_assert_int_eq(close(fd), 0);
}

/*
 * libpcap reads the first Ethernet record, then refuses the LINUX_SLL
 * interface; the capture module goes on with our reader from there.
 */
static void
build_mixed(struct ngb *b)
{
    b_shb(b, false);
    b_idb(b, LT_EN10MB, 65535, -1, 0);
    b_epb(b, 0, 1000000, pkt_a, sizeof(pkt_a), sizeof(pkt_a));
    b_idb(b, LT_LINUX_SLL, 8192, -1, 0);
    b_epb(b, 1, 2000000, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
    b_epb(b, 0, 3000000, pkt_a, sizeof(pkt_a), 300);
}

static int
capture_all(const char *filter, int *dlts, uint64_t *ts, size_t max, struct capture_stats *st)
{
    const char *paths[1] = {tmp_path};
    char err[ERRBUF_SIZE];
    struct cap_packet p;
    struct capture *c = capture_open_files(paths, 1, filter, err);
    int n = 0, rc;

    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_datalink(c), 1);
    while ((rc = capture_next(c, &p)) != CAP_END) {
        ck_assert_msg(rc == 1, "%s", capture_geterr(c));
        if ((size_t)n < max) {
            dlts[n] = p.dlt;
            ts[n] = p.ts_ns;
        }
        n++;
    }
    *st = *capture_stats(c);
    capture_close(c);
    return n;
}

START_TEST(test_capture_continues_with_our_reader_where_libpcap_gives_up)
{
    struct ngb b = {0};
    int dlts[4];
    uint64_t ts[4];
    struct capture_stats st;

    build_mixed(&b);
    write_tmp(&b);
    ck_assert_int_eq(capture_all(NULL, dlts, ts, 4, &st), 3);
    ck_assert_int_eq(dlts[0], 1);
    ck_assert_int_eq(dlts[1], 113);
    ck_assert_int_eq(dlts[2], 1);
    ck_assert_uint_eq(ts[1], UINT64_C(2000000000));
    ck_assert_uint_eq(st.read_errors, 0);
    ck_assert_uint_eq(st.records, 3);

    ck_assert_int_eq(capture_all("len >= 100", dlts, ts, 4, &st), 1);
    ck_assert_uint_eq(ts[0], UINT64_C(3000000000));
    ck_assert_uint_eq(st.filtered, 2);

    /* The testing knob reads the whole file with our reader: same records. */
    ck_assert_int_eq(setenv("FLOWSTATE_FORCE_PCAPNG_READER", "1", 1), 0);
    ck_assert_int_eq(capture_all(NULL, dlts, ts, 4, &st), 3);
    ck_assert_int_eq(dlts[1], 113);
    ck_assert_int_eq(unsetenv("FLOWSTATE_FORCE_PCAPNG_READER"), 0);
    unlink(tmp_path);
    b_free(&b);
}
END_TEST

START_TEST(test_capture_reports_our_error_after_the_fallback_once)
{
    struct ngb b = {0};
    const char *paths[1] = {tmp_path};
    char err[ERRBUF_SIZE];
    struct cap_packet p;

    build_mixed(&b);
    size_t off = b.len;
    b_epb(&b, 7, 0, pkt_a, 4, 4);
    b_epb(&b, 0, 0, pkt_a, 4, 4);
    write_tmp(&b);
    struct capture *c = capture_open_files(paths, 1, NULL, err);
    ck_assert_ptr_nonnull(c);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(capture_next(c, &p), 1);
    ck_assert_int_eq(capture_next(c, &p), -1);
    char want[128];
    snprintf(want, sizeof(want), "pcapng block at offset %zu: interface id 7", off);
    ck_assert_msg(strstr(capture_geterr(c), want) != NULL, "%s", capture_geterr(c));
    ck_assert_ptr_nonnull(strstr(capture_geterr(c), tmp_path));
    ck_assert_int_eq(capture_next(c, &p), CAP_END);
    ck_assert_uint_eq(capture_stats(c)->read_errors, 1);
    capture_close(c);
    unlink(tmp_path);
    b_free(&b);
}
END_TEST

START_TEST(test_public_capture_with_three_link_types_reads_18_records)
{
    const char *srcdir = getenv("SRCDIR");
    char path[PATH_MAX];
    char err[ERRBUF_SIZE];
    struct cap_packet p;
    int n = 0, rc;

    /* Zeek's capture, vendored in captures/ (origin and licence: captures/MANIFEST) */
    snprintf(path, sizeof(path), "%s/captures/zeek-gap-data-missing.pcapng",
             srcdir != NULL ? srcdir : "..");
    const char *paths[1] = {path};
    struct capture *c = capture_open_files(paths, 1, "vlan and tcp port 389", err);
    ck_assert_msg(c != NULL, "%s", err);
    while ((rc = capture_next(c, &p)) == 1) {
        ck_assert_int_eq(p.dlt, 1);
        n++;
    }
    ck_assert_msg(rc == CAP_END, "%s", capture_geterr(c));
    ck_assert_int_eq(n, 18);
    ck_assert_uint_eq(capture_stats(c)->read_errors, 0);
    capture_close(c);
}
END_TEST

static Suite *
pcapng_suite(void)
{
    Suite *s = suite_create("pcapng");
    TCase *tc = tcase_create("read");

    tcase_add_test(tc, test_little_endian_interfaces_keep_their_own_link_type_and_snaplen);
    tcase_add_test(tc, test_big_endian_file_reads_the_same);
    tcase_add_test(tc, test_datalink_and_snaplen_are_the_first_interfaces);
    tcase_add_test(tc, test_new_section_resets_interfaces_and_may_switch_byte_order);
    tcase_add_test(tc, test_tsoffset_is_added_in_seconds_and_saturates_at_the_epoch);
    tcase_add_test(tc, test_filter_is_compiled_per_link_type);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_block_length_below_12_is_an_error);
    tcase_add_test(tc, test_block_length_not_a_multiple_of_4_is_an_error);
    tcase_add_test(tc, test_block_longer_than_16_mib_is_an_error);
    tcase_add_test(tc, test_trailer_length_mismatch_is_an_error);
    tcase_add_test(tc, test_packet_before_any_idb_fails_the_open);
    tcase_add_test(tc, test_packet_before_the_idb_of_a_new_section_is_an_error);
    tcase_add_test(tc, test_interface_id_out_of_range_is_an_error);
    tcase_add_test(tc, test_caplen_beyond_the_block_is_an_error);
    tcase_add_test(tc, test_record_larger_than_256_kib_is_an_error);
    tcase_add_test(tc, test_bad_header_fields_are_errors);
    suite_add_tcase(s, tc);

    struct ngb b = {0};
    size_t bounds[8];
    (void)build_cut_file(&b, false, bounds);
    tc = tcase_create("truncation");
    tcase_add_loop_test(tc, test_file_cut_at_every_byte_gives_a_clean_error_or_eof, 0,
                        (int)b.len + 1);
    b_free(&b);
    suite_add_tcase(s, tc);

    tc = tcase_create("capture");
    tcase_add_test(tc, test_capture_continues_with_our_reader_where_libpcap_gives_up);
    tcase_add_test(tc, test_capture_reports_our_error_after_the_fallback_once);
    tcase_add_test(tc, test_public_capture_with_three_link_types_reads_18_records);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(pcapng_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
