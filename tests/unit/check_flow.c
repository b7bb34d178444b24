/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for src/flow: canonical keys, the seeded table (lookup, touch,
 * expiry, eviction, drain order, memcap sizing, collision resistance),
 * the compact table hash and word-wise key build/equality (against byte-wise
 * references), Community ID (vectors taken from tshark 4.0 on corpus
 * captures), SHA-1 (FIPS 180 examples under every block implementation the
 * CPU has, SHA-NI cross-checked against the portable one on every length)
 * and the deterministic flow_id/uid (uid against the digit-by-digit form).
 *
 * The throughput measurement (test_measure_lookup_rate_and_slash16_attack)
 * only prints figures when FLOW_BENCH=1 is set; timing never decides a verdict.
 */
#include <config.h>

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow/flow.h"
#include "flow/flow_ids.h"
#include "flow/flow_private.h"
#include "util/log.h"
#include "util/sha1.h"

#define SEC 1000000000ull

/* --- helpers ---------------------------------------------------------------- */

static void
set_addr(struct ip_addr *a, int v, const char *s)
{
    memset(a, 0, sizeof(*a));
    ck_assert_int_eq(inet_pton(v == 6 ? AF_INET6 : AF_INET, s, a->b), 1);
}

static struct pkt_meta
meta(int v, const char *src, uint16_t sport, const char *dst, uint16_t dport, uint64_t ts)
{
    struct pkt_meta m;
    memset(&m, 0, sizeof(m));
    m.ip_version = (uint8_t)v;
    m.l4_proto = 6;
    set_addr(&m.src, v, src);
    set_addr(&m.dst, v, dst);
    m.sport = sport;
    m.dport = dport;
    m.ts_ns = ts;
    return m;
}

/* A distinct IPv4 flow per i: 10.(i>>16).(i>>8).(i) : 1000 -> 192.0.2.1:80 */
static struct pkt_meta
meta_n(uint32_t i, uint64_t ts)
{
    struct pkt_meta m;
    memset(&m, 0, sizeof(m));
    m.ip_version = 4;
    m.l4_proto = 6;
    m.src.b[0] = 10;
    m.src.b[1] = (uint8_t)(i >> 16);
    m.src.b[2] = (uint8_t)(i >> 8);
    m.src.b[3] = (uint8_t)i;
    m.dst.b[0] = 192;
    m.dst.b[2] = 2;
    m.dst.b[3] = 1;
    m.sport = 1000;
    m.dport = 80;
    m.ts_ns = ts;
    return m;
}

struct end_log {
    size_t n;
    uint64_t seq[64];
    enum flow_end_reason why[64];
    uint8_t tclass[64];
    int ended_flag_ok;
};

static void
log_end(void *arg, struct flow *f, enum flow_end_reason why)
{
    struct end_log *l = arg;
    if (l->n < 64) {
        l->seq[l->n] = f->seq_no;
        l->why[l->n] = why;
        l->tclass[l->n] = f->tclass;
    }
    l->n++;
    if (f->ended)
        l->ended_flag_ok++;
}

static struct flow_table *
table(size_t max_flows, uint64_t seed, struct end_log *log)
{
    struct flow_table_cfg cfg;
    char err[ERRBUF_SIZE] = "";
    flow_table_cfg_default(&cfg);
    cfg.max_flows = max_flows;
    cfg.seed = seed;
    cfg.ext_size = 24;
    cfg.on_end = log != NULL ? log_end : NULL;
    cfg.on_end_arg = log;
    cfg.timeout_ns[FLOW_TC_NEW] = 10 * SEC;
    cfg.timeout_ns[FLOW_TC_ESTABLISHED] = 100 * SEC;
    cfg.timeout_ns[FLOW_TC_CLOSING] = 50 * SEC;
    cfg.timeout_ns[FLOW_TC_CLOSED] = 5 * SEC;
    struct flow_table *t = flow_table_new(&cfg, err);
    ck_assert_msg(t != NULL, "flow_table_new: %s", err);
    return t;
}

static struct flow *
get(struct flow_table *t, const struct pkt_meta *m, uint64_t pkt_no)
{
    int dir;
    bool created;
    return flow_table_get(t, m, pkt_no, &dir, &created);
}

static uint64_t
stat_value(const struct flow_table *t, const char *path)
{
    struct stat_list l;
    stat_list_init(&l);
    flow_table_stats_export(t, &l);
    uint64_t v = UINT64_MAX;
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.items[i].path, path) == 0)
            v = l.items[i].value;
    stat_list_fini(&l);
    ck_assert_msg(v != UINT64_MAX, "no stat %s", path);
    return v;
}

/* --- keys and hash ------------------------------------------------------------ */

static void
check_symmetric(int v, const char *x, uint16_t px, const char *y, uint16_t py)
{
    struct pkt_meta m1 = meta(v, x, px, y, py, 0), m2 = meta(v, y, py, x, px, 0);
    struct flow_key k1, k2;
    int d1 = -1, d2 = -1;
    flow_key_from_meta(&m1, &k1, &d1);
    flow_key_from_meta(&m2, &k2, &d2);
    ck_assert(memcmp(&k1, &k2, sizeof(k1)) == 0);
    ck_assert(flow_key_equal(&k1, &k2));
    ck_assert_int_ne(d1, d2);
    ck_assert_uint_eq(flow_key_hash(&k1, 12345), flow_key_hash(&k2, 12345));
    /* the packet whose src is key.a travels AB */
    const struct pkt_meta *ab = d1 == FLOW_DIR_AB ? &m1 : &m2;
    ck_assert(memcmp(ab->src.b, k1.a.b, 16) == 0);
    ck_assert_uint_eq(ab->sport, k1.pa);
    ck_assert_uint_eq(k1.ip_version, (unsigned)v);
    ck_assert_uint_eq(k1.proto, 6);
}

START_TEST(test_key_is_symmetric_for_ipv4)
{
    check_symmetric(4, "10.0.0.1", 40000, "10.0.0.2", 80);
    check_symmetric(4, "192.168.1.1", 1, "10.0.0.2", 65535);
}
END_TEST

START_TEST(test_key_is_symmetric_for_ipv6)
{
    check_symmetric(6, "2001:db8::1", 40000, "2001:db8::2", 443);
    check_symmetric(6, "fe80::1", 5, "::1", 5);
}
END_TEST

START_TEST(test_key_same_address_different_ports_orders_by_port)
{
    check_symmetric(4, "10.0.0.1", 5000, "10.0.0.1", 80);
    struct pkt_meta m = meta(4, "10.0.0.1", 5000, "10.0.0.1", 80, 0);
    struct flow_key k;
    int dir;
    flow_key_from_meta(&m, &k, &dir);
    ck_assert_uint_eq(k.pa, 80);
    ck_assert_uint_eq(k.pb, 5000);
    ck_assert_int_eq(dir, FLOW_DIR_BA);
}
END_TEST

START_TEST(test_key_same_ports_different_addresses_orders_by_address)
{
    check_symmetric(6, "2001:db8::9", 443, "2001:db8::1", 443);
    struct pkt_meta m = meta(4, "10.0.0.9", 443, "10.0.0.1", 443, 0);
    struct flow_key k;
    int dir;
    flow_key_from_meta(&m, &k, &dir);
    ck_assert_uint_eq(k.a.b[3], 1);
    ck_assert_uint_eq(k.b.b[3], 9);
    ck_assert_int_eq(dir, FLOW_DIR_BA);
}
END_TEST

START_TEST(test_key_ignores_junk_in_unused_ipv4_bytes)
{
    struct pkt_meta m1 = meta(4, "10.0.0.1", 1, "10.0.0.2", 2, 0), m2 = m1;
    m2.src.b[9] = 0xee;
    m2.dst.b[15] = 0x11;
    struct flow_key k1, k2;
    int d;
    flow_key_from_meta(&m1, &k1, &d);
    flow_key_from_meta(&m2, &k2, &d);
    ck_assert(memcmp(&k1, &k2, sizeof(k1)) == 0);
}
END_TEST

START_TEST(test_hash_depends_on_seed_and_every_field)
{
    struct pkt_meta m = meta(4, "10.0.0.1", 40000, "10.0.0.2", 80, 0);
    struct flow_key k, k2;
    int d;
    flow_key_from_meta(&m, &k, &d);
    ck_assert_uint_ne(flow_key_hash(&k, 1), flow_key_hash(&k, 2));
    k2 = k;
    k2.proto = 17;
    ck_assert_uint_ne(flow_key_hash(&k, 1), flow_key_hash(&k2, 1));
    k2 = k;
    k2.pb = 81;
    ck_assert_uint_ne(flow_key_hash(&k, 1), flow_key_hash(&k2, 1));
    ck_assert(!flow_key_equal(&k, &k2));
}
END_TEST

static uint64_t
xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The key flow_key_from_meta built before it went word-wise: the reference for its cross-check. */
static void
ref_key_from_meta(const struct pkt_meta *m, struct flow_key *k, int *dir)
{
    struct ip_addr src, dst;
    size_t alen = m->ip_version == 6 ? 16 : 4;
    memset(k, 0, sizeof(*k));
    memset(&src, 0, sizeof(src));
    memset(&dst, 0, sizeof(dst));
    memcpy(src.b, m->src.b, alen);
    memcpy(dst.b, m->dst.b, alen);
    k->ip_version = m->ip_version;
    k->proto = m->l4_proto;
    int c = memcmp(src.b, dst.b, 16);
    if (c == 0)
        c = (m->sport > m->dport) - (m->sport < m->dport);
    *dir = c <= 0 ? FLOW_DIR_AB : FLOW_DIR_BA;
    k->a = c <= 0 ? src : dst;
    k->b = c <= 0 ? dst : src;
    k->pa = c <= 0 ? m->sport : m->dport;
    k->pb = c <= 0 ? m->dport : m->sport;
}

/* A random meta; few distinct byte values so equal addresses, prefixes and ports are common. */
static struct pkt_meta
meta_rand(uint64_t *rs)
{
    struct pkt_meta m;
    memset(&m, 0, sizeof(m));
    uint64_t r = xorshift(rs);
    m.ip_version = r & 1 ? 6 : 4;
    m.l4_proto = r & 2 ? 6 : 17;
    for (size_t i = 0; i < 16; i++) {
        m.src.b[i] = (uint8_t)(xorshift(rs) % 3);
        m.dst.b[i] = (uint8_t)((r & 4) ? m.src.b[i] : xorshift(rs) % 3);
    }
    m.sport = (uint16_t)(xorshift(rs) % 3 * 0x101);
    m.dport = (uint16_t)(xorshift(rs) % 3 * 0x101);
    return m;
}

START_TEST(test_key_from_meta_matches_the_memcmp_reference)
{
    uint64_t rs = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 200000; i++) {
        struct pkt_meta m = meta_rand(&rs);
        struct flow_key k, r;
        int d = -1, rd = -2;
        memset(&k, 0xa5, sizeof(k)); /* every byte must be written */
        flow_key_from_meta(&m, &k, &d);
        ref_key_from_meta(&m, &r, &rd);
        ck_assert_msg(memcmp(&k, &r, sizeof(k)) == 0, "key differs at iteration %d", i);
        ck_assert_int_eq(d, rd);
    }
}
END_TEST

/*
 * The compact encoding flow_key_hash documents, built byte by byte: address
 * columns (4 bytes of a, 4 of b), then pa, pb little-endian, proto, version.
 */
static uint32_t
ref_key_hash(const struct flow_key *k, uint64_t seed)
{
    uint8_t buf[38];
    size_t n = 0;
    bool clean = true;
    for (size_t i = 4; i < 16; i++)
        clean = clean && k->a.b[i] == 0 && k->b.b[i] == 0;
    size_t ncols = k->ip_version == 6 || !clean ? 4 : 1;
    for (size_t c = 0; c < ncols; c++) {
        memcpy(buf + n, k->a.b + 4 * c, 4);
        memcpy(buf + n + 4, k->b.b + 4 * c, 4);
        n += 8;
    }
    buf[n++] = (uint8_t)k->pa;
    buf[n++] = (uint8_t)(k->pa >> 8);
    buf[n++] = (uint8_t)k->pb;
    buf[n++] = (uint8_t)(k->pb >> 8);
    buf[n++] = k->proto;
    buf[n++] = k->ip_version;
    uint64_t h = flow_siphash13(buf, n, seed, flow_seed_mix(seed));
    return (uint32_t)(h ^ (h >> 32));
}

START_TEST(test_hash_is_siphash_of_the_compact_encoding)
{
    uint64_t rs = 77;
    for (int i = 0; i < 20000; i++) {
        struct pkt_meta m = meta_rand(&rs);
        struct flow_key k;
        int d;
        flow_key_from_meta(&m, &k, &d);
        if (i % 3 == 2) /* defrag-style key: junk past an IPv4 address */
            k.b.b[4 + i % 12] = (uint8_t)(i | 1);
        uint64_t seed = xorshift(&rs);
        ck_assert_uint_eq(flow_key_hash(&k, seed), ref_key_hash(&k, seed));
    }
}
END_TEST

/*
 * The --shard hash, pinned. doc/schema.md ("Shards") defines it as
 * fold32(SipHash-1-3) with the key k0 = FLOW_SHARD_SEED, k1 =
 * siphash_seed_mix(k0) over the message built below, byte by byte, from the
 * doc; the vectors were computed by tests/shard/shard_hash.py, a separate
 * implementation of that text. A change to any of them changes which shard
 * owns a connection, and so splits connections between the shards of runs by
 * different releases: these values must never change.
 */
static uint32_t
doc_shard_hash(int v, const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
    struct ip_addr a, b;
    uint8_t msg[38];
    size_t n = 0, cols = v == 6 ? 4 : 1;

    set_addr(&a, v, src);
    set_addr(&b, v, dst);
    if (memcmp(a.b, b.b, 16) > 0 || (memcmp(a.b, b.b, 16) == 0 && sport > dport)) {
        struct ip_addr t = a;
        uint16_t tp = sport;
        a = b;
        b = t;
        sport = dport;
        dport = tp;
    }
    for (size_t c = 0; c < cols; c++) {
        memcpy(msg + n, a.b + 4 * c, 4);
        memcpy(msg + n + 4, b.b + 4 * c, 4);
        n += 8;
    }
    msg[n++] = (uint8_t)sport;
    msg[n++] = (uint8_t)(sport >> 8);
    msg[n++] = (uint8_t)dport;
    msg[n++] = (uint8_t)(dport >> 8);
    msg[n++] = 6; /* TCP */
    msg[n++] = (uint8_t)v;
    uint64_t h = flow_siphash13(msg, n, 0x666c6f7773746174ull, 0xe374e9ffd39d022eull);
    return (uint32_t)(h ^ (h >> 32));
}

struct shard_vector {
    int v;
    const char *src;
    uint16_t sport;
    const char *dst;
    uint16_t dport;
    uint32_t h;
};

/* shard_hash.py SRC SPORT DST DPORT */
static const struct shard_vector shard_vectors[] = {
    {4, "192.0.2.1", 49152, "198.51.100.7", 443, 0x579ef4b8},
    {4, "198.51.100.7", 443, "192.0.2.1", 49152, 0x579ef4b8},
    {6, "2001:db8::1", 49152, "2001:db8:ffff::2", 80, 0xa2c4177d},
    {4, "10.0.0.1", 80, "10.0.0.1", 80, 0x9f518760},
    {4, "0.0.0.0", 0, "0.0.0.0", 0, 0xa54d7e52},
    {6, "::1", 1, "::2", 2, 0xcaa18368},
    {4, "255.255.255.255", 65535, "1.2.3.4", 1, 0x709d5cae},
};

START_TEST(test_shard_hash_vectors_never_change)
{
    const struct shard_vector *sv = &shard_vectors[_i];
    struct pkt_meta m = meta(sv->v, sv->src, sv->sport, sv->dst, sv->dport, 0);
    struct pkt_meta r = meta(sv->v, sv->dst, sv->dport, sv->src, sv->sport, 0);
    struct flow_key k;
    int d;

    ck_assert_uint_eq(FLOW_SHARD_SEED, 0x666c6f7773746174ull);
    ck_assert_uint_eq(flow_seed_mix(FLOW_SHARD_SEED), 0xe374e9ffd39d022eull);
    flow_key_from_meta(&m, &k, &d);
    ck_assert_uint_eq(flow_key_shard_hash(&k), sv->h);
    flow_key_from_meta(&r, &k, &d);
    ck_assert_uint_eq(flow_key_shard_hash(&k), sv->h);
    ck_assert_uint_eq(doc_shard_hash(sv->v, sv->src, sv->sport, sv->dst, sv->dport), sv->h);
}
END_TEST

/* On any key, the shard hash is the documented one, and not the seeded table hash. */
START_TEST(test_shard_hash_is_the_documented_siphash_for_any_key)
{
    uint64_t rs = 4242;
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    for (int i = 0; i < 5000; i++) {
        struct pkt_meta m = meta_rand(&rs);
        struct flow_key k;
        int d, af = m.ip_version == 6 ? AF_INET6 : AF_INET;
        m.l4_proto = 6; /* only TCP is tracked, and so sharded */
        flow_key_from_meta(&m, &k, &d);
        ck_assert_ptr_nonnull(inet_ntop(af, m.src.b, src, sizeof(src)));
        ck_assert_ptr_nonnull(inet_ntop(af, m.dst.b, dst, sizeof(dst)));
        ck_assert_uint_eq(flow_key_shard_hash(&k),
                          doc_shard_hash(m.ip_version, src, m.sport, dst, m.dport));
    }
}
END_TEST

/* Flips every bit of every byte of k: hash and equality must follow what matters. */
static void
check_every_byte(const struct flow_key *k, uint64_t seed)
{
    uint32_t h = flow_key_hash(k, seed);
    for (size_t i = 0; i < sizeof(*k); i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            struct flow_key x = *k;
            ((uint8_t *)&x)[i] ^= (uint8_t)(1u << bit);
            if (i >= offsetof(struct flow_key, pad)) { /* the pad never matters */
                ck_assert(flow_key_equal(k, &x));
                ck_assert_uint_eq(flow_key_hash(&x, seed), h);
                continue;
            }
            /*
             * Every other byte takes part in equality, including the unused
             * bytes of an IPv4 address (flow_key_from_meta zeroes them; a
             * key with junk there is a different key and hashes as one).
             */
            ck_assert_msg(!flow_key_equal(k, &x), "byte %zu bit %u", i, bit);
            ck_assert_msg(flow_key_hash(&x, seed) != h, "byte %zu bit %u", i, bit);
        }
    }
}

START_TEST(test_hash_changes_with_every_byte_that_matters)
{
    static const uint64_t seeds[] = {1, 0x0123456789abcdefull, 0xffffffffffffffffull};
    for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
        struct pkt_meta m4 = meta(4, "10.0.0.1", 40000, "192.168.7.9", 80, 0);
        struct pkt_meta m6 = meta(6, "2001:db8::1:2", 40000, "2001:db8::7:9", 443, 0);
        struct flow_key k;
        int d;
        flow_key_from_meta(&m4, &k, &d);
        check_every_byte(&k, seeds[s]);
        flow_key_from_meta(&m6, &k, &d);
        check_every_byte(&k, seeds[s]);
    }
}
END_TEST

START_TEST(test_ipv4_and_ipv6_keys_with_the_same_bytes_differ)
{
    struct pkt_meta m = meta(4, "10.0.0.1", 1000, "10.0.0.2", 80, 0);
    struct flow_key k4, k6;
    int d;
    flow_key_from_meta(&m, &k4, &d);
    m.ip_version = 6; /* same 16 address bytes (zeros past the fourth), now read as IPv6 */
    flow_key_from_meta(&m, &k6, &d);
    ck_assert(memcmp(k4.a.b, k6.a.b, 16) == 0 && memcmp(k4.b.b, k6.b.b, 16) == 0);
    ck_assert(!flow_key_equal(&k4, &k6));
    for (uint64_t seed = 1; seed < 1000; seed++)
        ck_assert_uint_ne(flow_key_hash(&k4, seed), flow_key_hash(&k6, seed));
}
END_TEST

/* Random pairs, often equal or close: equal keys always hash equally, and equality is memcmp's. */
START_TEST(test_key_equality_matches_memcmp_and_implies_equal_hashes)
{
    uint64_t rs = 4242;
    size_t equal = 0;
    for (int i = 0; i < 200000; i++) {
        struct pkt_meta m1 = meta_rand(&rs), m2 = meta_rand(&rs);
        uint64_t r = xorshift(&rs);
        if (r % 4 != 0) { /* m1 reversed, with one byte of an address or a port maybe changed */
            m2 = m1;
            m2.src = m1.dst;
            m2.dst = m1.src;
            m2.sport = m1.dport;
            m2.dport = m1.sport;
            if (r % 4 == 1)
                m2.src.b[(r >> 8) % 16] ^= 1;
            else if (r % 4 == 2)
                m2.dport ^= (uint16_t)(1u << ((r >> 8) % 16));
        }
        struct flow_key k1, k2;
        int d;
        flow_key_from_meta(&m1, &k1, &d);
        flow_key_from_meta(&m2, &k2, &d);
        bool eq = memcmp(&k1, &k2, sizeof(k1)) == 0;
        ck_assert(flow_key_equal(&k1, &k2) == eq);
        if (eq) {
            equal++;
            ck_assert_uint_eq(flow_key_hash(&k1, 99), flow_key_hash(&k2, 99));
        }
    }
    ck_assert_uint_gt(equal, 50000); /* the generator does make equal pairs */
}
END_TEST

/* --- table ------------------------------------------------------------------ */

START_TEST(test_get_finds_the_same_flow_from_both_directions)
{
    struct flow_table *t = table(16, 7, NULL);
    struct pkt_meta c2s = meta(6, "2001:db8::1", 40000, "2001:db8::2", 80, 5 * SEC);
    struct pkt_meta s2c = meta(6, "2001:db8::2", 80, "2001:db8::1", 40000, 6 * SEC);
    int d1, d2;
    bool cr1, cr2;
    struct flow *f1 = flow_table_get(t, &c2s, 1, &d1, &cr1);
    struct flow *f2 = flow_table_get(t, &s2c, 2, &d2, &cr2);
    ck_assert_ptr_nonnull(f1);
    ck_assert_ptr_eq(f1, f2);
    ck_assert(cr1);
    ck_assert(!cr2);
    ck_assert_int_ne(d1, d2);
    ck_assert_uint_eq(flow_table_stats(t)->created, 1);
    ck_assert_uint_eq(flow_table_stats(t)->active, 1);
    /* a different port is a different flow */
    struct pkt_meta other = meta(6, "2001:db8::1", 40001, "2001:db8::2", 80, 7 * SEC);
    ck_assert_ptr_ne(get(t, &other, 3), f1);
    ck_assert_uint_eq(flow_table_stats(t)->active, 2);
    flow_table_free(t);
}
END_TEST

START_TEST(test_new_flow_is_zeroed_and_records_first_packet)
{
    struct flow_table *t = table(1, 7, NULL);
    struct pkt_meta m = meta(4, "10.0.0.1", 40000, "10.0.0.2", 80, 42 * SEC);
    m.vlan_count = 2;
    m.vlan[0] = 100;
    m.vlan[1] = 200;
    m.tunnel_depth = 1;
    struct flow *f = get(t, &m, 17);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->seq_no, 0);
    ck_assert_uint_eq(f->first_pkt_no, 17);
    ck_assert_uint_eq(f->first_ts_ns, 42 * SEC);
    ck_assert_uint_eq(f->last_ts_ns, 42 * SEC);
    ck_assert_uint_eq(f->tclass, FLOW_TC_NEW);
    ck_assert_uint_eq(f->vlan_count, 2);
    ck_assert_uint_eq(f->vlan[1], 200);
    ck_assert_uint_eq(f->tunnel_depth, 1);
    ck_assert_uint_eq(f->pkts[0] + f->pkts[1], 0);

    /* dirty the flow and its extension, end it, and get a recycled slot back */
    f->pkts[0] = 9;
    f->flags = 3;
    memset(flow_ext(f), 0xab, 24);
    flow_table_end(t, f, FLOW_END_TCP_REUSE);
    struct pkt_meta m2 = meta(4, "10.0.0.3", 1, "10.0.0.4", 2, 50 * SEC);
    struct flow *g = get(t, &m2, 18);
    ck_assert_ptr_eq(g, f); /* max_flows 1: the slot is reused, not allocated again */
    ck_assert_uint_eq(g->seq_no, 1);
    ck_assert_uint_eq(g->pkts[0], 0);
    ck_assert_uint_eq(g->flags, 0);
    ck_assert_uint_eq(g->vlan_count, 0);
    const uint8_t *ext = flow_ext_const(g);
    for (size_t i = 0; i < 24; i++)
        ck_assert_uint_eq(ext[i], 0);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.end.tcp_reuse"), 1);
    ck_assert_uint_eq(stat_value(t, "flow.tcp"), 2);
    flow_table_free(t);
}
END_TEST

START_TEST(test_expire_pops_the_least_recently_touched_first)
{
    struct end_log log = {0};
    struct flow_table *t = table(16, 7, &log);
    struct pkt_meta m0 = meta_n(0, 0), m1 = meta_n(1, 1 * SEC), m2 = meta_n(2, 2 * SEC);
    struct flow *f0 = get(t, &m0, 1);
    ck_assert_ptr_nonnull(get(t, &m1, 2));
    ck_assert_ptr_nonnull(get(t, &m2, 3));
    flow_table_touch(t, f0, 3 * SEC, FLOW_TC_NEW); /* f0 becomes the youngest */
    ck_assert_uint_eq(f0->last_ts_ns, 3 * SEC);

    ck_assert_uint_eq(flow_table_expire(t, 10 * SEC), 0);
    ck_assert_uint_eq(flow_table_expire(t, 11 * SEC), 1); /* f1: 1 s + 10 s */
    ck_assert_uint_eq(log.seq[0], 1);
    ck_assert_uint_eq(flow_table_expire(t, 13 * SEC), 2);
    ck_assert_uint_eq(log.seq[1], 2);
    ck_assert_uint_eq(log.seq[2], 0);
    ck_assert_int_eq(log.why[0], FLOW_END_TIMEOUT);
    ck_assert_int_eq(log.ended_flag_ok, 3);
    ck_assert_uint_eq(flow_table_stats(t)->active, 0);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.end.timeout"), 3);
    flow_table_free(t);
}
END_TEST

START_TEST(test_expire_uses_each_class_timeout_and_orders_by_deadline)
{
    struct end_log log = {0};
    struct flow_table *t = table(16, 7, &log);
    struct pkt_meta m[4];
    struct flow *f[4];
    for (uint32_t i = 0; i < 4; i++) {
        m[i] = meta_n(i, 0);
        f[i] = get(t, &m[i], i + 1);
    }
    flow_table_touch(t, f[0], 20 * SEC, FLOW_TC_ESTABLISHED); /* due 120 */
    flow_table_touch(t, f[1], 20 * SEC, FLOW_TC_CLOSING);     /* due 70 */
    flow_table_touch(t, f[2], 20 * SEC, FLOW_TC_CLOSED);      /* due 25 */
    flow_table_touch(t, f[3], 14 * SEC, FLOW_TC_NEW);         /* due 24 */
    ck_assert_uint_eq(flow_table_expire(t, 23 * SEC), 0);
    ck_assert_uint_eq(flow_table_expire(t, 69 * SEC), 2);
    ck_assert_uint_eq(log.seq[0], 3); /* NEW due at 24 before CLOSED due at 25 */
    ck_assert_uint_eq(log.tclass[0], FLOW_TC_NEW);
    ck_assert_uint_eq(log.seq[1], 2);
    ck_assert_uint_eq(flow_table_expire(t, 119 * SEC), 1);
    ck_assert_uint_eq(log.seq[2], 1);
    ck_assert_uint_eq(flow_table_expire(t, 120 * SEC), 1);
    ck_assert_uint_eq(log.seq[3], 0);
    flow_table_free(t);
}
END_TEST

START_TEST(test_eviction_takes_new_then_closed_then_closing_then_established)
{
    struct end_log log = {0};
    struct flow_table *t = table(4, 7, &log);
    struct pkt_meta m[8];
    struct flow *f[8];
    for (uint32_t i = 0; i < 8; i++)
        m[i] = meta_n(i, i * SEC);
    for (uint32_t i = 0; i < 4; i++)
        f[i] = get(t, &m[i], i + 1);
    flow_table_touch(t, f[0], 1 * SEC, FLOW_TC_ESTABLISHED);
    flow_table_touch(t, f[1], 2 * SEC, FLOW_TC_CLOSING);
    flow_table_touch(t, f[2], 3 * SEC, FLOW_TC_CLOSED);
    /* f[3] stays NEW */
    for (uint32_t i = 4; i < 8; i++) {
        f[i] = get(t, &m[i], i + 1);
        ck_assert_ptr_nonnull(f[i]);
        flow_table_touch(t, f[i], (10 + i) * SEC, FLOW_TC_ESTABLISHED);
        ck_assert_uint_eq(flow_table_stats(t)->active, 4);
    }
    ck_assert_uint_eq(log.n, 4);
    ck_assert_uint_eq(log.seq[0], 3); /* new */
    ck_assert_uint_eq(log.seq[1], 2); /* closed */
    ck_assert_uint_eq(log.seq[2], 1); /* closing */
    ck_assert_uint_eq(log.seq[3], 0); /* oldest established */
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(log.why[i], FLOW_END_FORCED);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.evicted.new"), 1);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.evicted.closed"), 1);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.evicted.closing"), 1);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.evicted.established"), 1);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.end.forced"), 4);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.untracked"), 0);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.peak"), 4);
    /* Suricata's meanings: each new flow found the budget spent; the class each ended in */
    ck_assert_uint_eq(stat_value(t, "flow.memcap"), 4);
    ck_assert_uint_eq(stat_value(t, "flow.end.state.new"), 1);
    ck_assert_uint_eq(stat_value(t, "flow.end.state.established"), 2); /* + closing */
    ck_assert_uint_eq(stat_value(t, "flow.end.state.closed"), 1);
    flow_table_free(t);
}
END_TEST

START_TEST(test_many_flows_through_a_small_table_never_grow_it)
{
    struct flow_table *t = table(64, 9, NULL);
    for (uint32_t i = 0; i < 10000; i++) {
        struct pkt_meta m = meta_n(i, i);
        ck_assert_ptr_nonnull(get(t, &m, i + 1));
    }
    ck_assert_uint_eq(t->carved, 64);
    ck_assert_uint_eq(t->nchunks, 1);
    ck_assert_uint_eq(flow_table_stats(t)->active, 64);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.evicted.new"), 10000 - 64);
    ck_assert_uint_eq(stat_value(t, "flow.memcap"), 10000 - 64);
    flow_table_free(t);
}
END_TEST

/* An end callback that tries to create a flow while the table is full and the only flow is ending. */
struct reenter {
    struct flow_table *t;
    struct flow *got;
    int called;
};

static void
reenter_end(void *arg, struct flow *f, enum flow_end_reason why)
{
    struct reenter *r = arg;
    (void)f;
    (void)why;
    if (r->called++ == 0) {
        struct pkt_meta m = meta_n(99, 5);
        r->got = get(r->t, &m, 99);
    }
}

START_TEST(test_buckets_grow_with_live_flows_and_every_flow_stays_found)
{
    struct flow_table *t = table(5000, 3, NULL);
    struct flow *fl[5000];
    ck_assert_uint_eq(t->max_buckets, 8192);
    ck_assert_uint_eq(t->nbuckets, FLOW_MIN_BUCKETS);
    for (uint32_t i = 0; i < 5000; i++) {
        struct pkt_meta m = meta_n(i, i);
        fl[i] = get(t, &m, i + 1);
        ck_assert_ptr_nonnull(fl[i]);
        ck_assert_uint_ge(t->nbuckets, flow_table_stats(t)->active); /* load factor <= 1 */
    }
    ck_assert_uint_eq(t->nbuckets, 8192);
    for (uint32_t i = 0; i < 5000; i++) {
        struct pkt_meta m = meta_n(i, i);
        bool created = true;
        int dir;
        ck_assert_ptr_eq(flow_table_get(t, &m, 1, &dir, &created), fl[i]);
        ck_assert(!created);
    }
    ck_assert_uint_eq(flow_table_stats(t)->created, 5000);
    flow_table_free(t);
}
END_TEST

/*
 * The rehash on growth walks the slots, not the chains, so it must tell the
 * hashed slots from the free ones: with recycled slots in the table, and with
 * a growth inside an end callback (the ending flow is still hashed until the
 * callback returns, and its unlink must then find it in the new buckets).
 */
struct grow_in_callback {
    struct flow_table *t;
    uint32_t first, n; /* flows created by the first callback */
    int called;
};

static void
grow_in_callback_end(void *arg, struct flow *f, enum flow_end_reason why)
{
    struct grow_in_callback *g = arg;
    (void)f;
    (void)why;
    if (g->called++ != 0)
        return;
    size_t before = g->t->nbuckets;
    for (uint32_t i = 0; i < g->n; i++) {
        struct pkt_meta m = meta_n(g->first + i, 7);
        ck_assert_ptr_nonnull(get(g->t, &m, 7));
    }
    ck_assert_uint_gt(g->t->nbuckets, before); /* grown while f is ending */
}

START_TEST(test_growth_rehashes_live_and_ending_flows_but_not_free_slots)
{
    struct flow_table_cfg cfg;
    char err[ERRBUF_SIZE] = "";
    struct grow_in_callback g = {.first = 100000, .n = 200};
    flow_table_cfg_default(&cfg);
    cfg.max_flows = 8192;
    cfg.seed = 5;
    cfg.on_end = grow_in_callback_end;
    cfg.on_end_arg = &g;
    g.t = flow_table_new(&cfg, err);
    ck_assert_ptr_nonnull(g.t);
    struct flow_table *t = g.t;

    /* 900 flows, then every third ended: their slots go to the free list */
    for (uint32_t i = 0; i < 900; i++) {
        struct pkt_meta m = meta_n(i, i);
        ck_assert_ptr_nonnull(get(t, &m, i + 1));
    }
    g.called = 1; /* these ends do nothing */
    for (uint32_t i = 0; i < 900; i += 3) {
        struct pkt_meta m = meta_n(i, i);
        flow_table_end(t, get(t, &m, 1), FLOW_END_TCP_REUSE);
    }
    /* 600 more (recycling the 300 free slots first): grows 1024 -> 2048 */
    for (uint32_t i = 1000; i < 1600; i++) {
        struct pkt_meta m = meta_n(i, i);
        ck_assert_ptr_nonnull(get(t, &m, i));
    }
    ck_assert_uint_eq(t->nbuckets, 2048);
    ck_assert_uint_eq(flow_table_stats(t)->active, 1200);
    /* end flow 1 with a callback that creates 900 flows: grows to 4096 inside it */
    g.called = 0;
    g.n = 900;
    struct pkt_meta m1 = meta_n(1, 1);
    flow_table_end(t, get(t, &m1, 1), FLOW_END_TCP_REUSE);
    ck_assert_uint_eq(t->nbuckets, 4096);
    ck_assert_uint_eq(flow_table_stats(t)->active, 1200 - 1 + 900);
    for (uint32_t i = 0; i < 1600; i++) {
        if (i >= 900 && i < 1000)
            continue;
        struct pkt_meta m = meta_n(i, i);
        bool created;
        int dir;
        struct flow *f = flow_table_get(t, &m, 2, &dir, &created);
        ck_assert_ptr_nonnull(f);
        /* ended ones come back as new flows, the others are found */
        ck_assert_msg(created == (i < 900 && (i % 3 == 0 || i == 1)), "flow %u created %d", i,
                      created);
    }
    for (uint32_t i = 0; i < 900; i++) {
        struct pkt_meta m = meta_n(g.first + i, 7);
        bool created = true;
        int dir;
        ck_assert_ptr_nonnull(flow_table_get(t, &m, 3, &dir, &created));
        ck_assert(!created);
    }
    flow_table_free(t);
}
END_TEST

START_TEST(test_prepared_lookup_matches_get_even_if_the_table_changed_in_between)
{
    struct end_log log = {0};
    struct flow_table *t = table(4, 5, &log);
    struct pkt_meta m[6];
    struct flow_lookup lk[6];
    for (uint32_t i = 0; i < 6; i++) {
        m[i] = meta_n(i, i);
        flow_table_prepare(t, &m[i], &lk[i]);
        flow_table_prefetch_head(t, &lk[i]); /* empty buckets: hints do nothing */
        flow_table_prefetch_flow(t, &lk[i]);
    }
    /* the reverse direction prepares the same key and hash, the other dir */
    struct pkt_meta r = m[0];
    r.src = m[0].dst;
    r.dst = m[0].src;
    r.sport = m[0].dport;
    r.dport = m[0].sport;
    struct flow_lookup rl;
    flow_table_prepare(t, &r, &rl);
    ck_assert_uint_eq(rl.hash, lk[0].hash);
    ck_assert_int_eq(rl.dir, !lk[0].dir);

    /* 6 creations through a 4-flow table: prepared lookups outlive the evictions */
    bool created;
    struct flow *f[6];
    for (uint32_t i = 0; i < 6; i++) {
        f[i] = flow_table_get_prepared(t, &lk[i], &m[i], i + 1, &created);
        ck_assert_ptr_nonnull(f[i]);
        ck_assert(created);
        ck_assert_uint_eq(f[i]->first_pkt_no, i + 1);
    }
    ck_assert_uint_eq(log.n, 2);
    for (uint32_t i = 2; i < 6; i++) {
        flow_table_prefetch_head(t, &lk[i]);
        flow_table_prefetch_flow(t, &lk[i]);
        int dir;
        ck_assert_ptr_eq(flow_table_get(t, &m[i], 9, &dir, &created), f[i]);
        ck_assert(!created);
        ck_assert_int_eq(dir, lk[i].dir);
        ck_assert_ptr_eq(flow_table_get_prepared(t, &lk[i], &m[i], 9, &created), f[i]);
        ck_assert(!created);
    }
    flow_table_free(t);
}
END_TEST

START_TEST(test_touching_the_newest_flow_keeps_the_class_order)
{
    struct end_log log = {0};
    struct flow_table *t = table(8, 9, &log);
    struct flow *f[3];
    for (uint32_t i = 0; i < 3; i++) {
        struct pkt_meta m = meta_n(i, i * SEC);
        f[i] = get(t, &m, i + 1);
    }
    /* f[2] is already last in NEW: touching it again must not reorder anything */
    flow_table_touch(t, f[2], 3 * SEC, FLOW_TC_NEW);
    flow_table_touch(t, f[2], 4 * SEC, FLOW_TC_NEW);
    ck_assert_uint_eq(f[2]->last_ts_ns, 4 * SEC);
    /* f[0] moves behind f[2]; then f[2] (last in NEW) changes class */
    flow_table_touch(t, f[0], 5 * SEC, FLOW_TC_NEW);
    flow_table_touch(t, f[2], 5 * SEC, FLOW_TC_ESTABLISHED);
    ck_assert_uint_eq(f[2]->tclass, FLOW_TC_ESTABLISHED);
    /* NEW times out at 10 s: f[1] (touched at 1 s), then f[0] (5 s); f[2] lives on */
    ck_assert_uint_eq(flow_table_expire(t, 11 * SEC), 1);
    ck_assert_uint_eq(log.seq[0], 1);
    ck_assert_uint_eq(flow_table_expire(t, 15 * SEC), 1);
    ck_assert_uint_eq(log.seq[1], 0);
    ck_assert_uint_eq(flow_table_stats(t)->active, 1);
    flow_table_free(t);
}
END_TEST

START_TEST(test_untracked_when_nothing_can_be_evicted)
{
    struct flow_table_cfg cfg;
    char err[ERRBUF_SIZE];
    struct reenter r = {0};
    flow_table_cfg_default(&cfg);
    cfg.max_flows = 1;
    cfg.seed = 3;
    cfg.on_end = reenter_end;
    cfg.on_end_arg = &r;
    r.t = flow_table_new(&cfg, err);
    ck_assert_ptr_nonnull(r.t);
    struct pkt_meta a = meta_n(1, 1), b = meta_n(2, 2);
    ck_assert_ptr_nonnull(get(r.t, &a, 1));
    struct flow *fb = get(r.t, &b, 2); /* evicts a; a's callback finds nothing evictable */
    ck_assert_ptr_nonnull(fb);
    ck_assert_ptr_null(r.got);
    ck_assert_uint_eq(flow_table_stats(r.t)->untracked, 1);
    ck_assert_uint_eq(stat_value(r.t, "flowstate.flow.untracked"), 1);
    ck_assert_uint_eq(stat_value(r.t, "flow.memcap"), 2); /* b's lookup and the callback's */
    ck_assert_uint_eq(flow_table_stats(r.t)->active, 1);
    ck_assert_uint_eq(flow_table_stats(r.t)->created, 2);
    flow_table_free(r.t);
}
END_TEST

static void
drain_with_seed(uint64_t seed, struct end_log *log)
{
    struct flow_table *t = table(64, seed, log);
    /* creation order differs from address order and from any bucket order */
    static const uint32_t ids[] = {17, 3, 250, 9, 1, 77, 31, 4, 200, 64, 5, 128};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        struct pkt_meta m = meta_n(ids[i], i);
        struct flow *f = get(t, &m, i + 1);
        flow_table_touch(t, f, 100 - i, (enum flow_tclass)(i % FLOW_TC_COUNT));
    }
    struct flow *f3 = NULL;
    struct pkt_meta m3 = meta_n(3, 0);
    f3 = get(t, &m3, 0);
    flow_table_end(t, f3, FLOW_END_TCP_REUSE); /* a hole in the middle */
    flow_table_drain(t, FLOW_END_SHUTDOWN);
    ck_assert_uint_eq(flow_table_stats(t)->active, 0);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.end.shutdown"), 11);
    ck_assert_uint_eq(stat_value(t, "flow.end.state.new") +
                          stat_value(t, "flow.end.state.established") +
                          stat_value(t, "flow.end.state.closed"),
                      12);
    flow_table_free(t);
}

START_TEST(test_drain_ends_flows_in_creation_order_for_any_seed)
{
    struct end_log a = {0}, b = {0};
    drain_with_seed(1, &a);
    drain_with_seed(0xdeadbeefcafef00dull, &b);
    ck_assert_uint_eq(a.n, 12);
    ck_assert_uint_eq(b.n, 12);
    ck_assert_int_eq(a.why[0], FLOW_END_TCP_REUSE);
    ck_assert_uint_eq(a.seq[0], 1);
    for (size_t i = 1; i < 12; i++) {
        ck_assert_uint_eq(a.seq[i], b.seq[i]);
        ck_assert_int_eq(a.why[i], FLOW_END_SHUTDOWN);
        ck_assert_uint_eq(a.seq[i], i == 1 ? 0 : i); /* 0, then 2..11 */
    }
}
END_TEST

static void
collect_seq(void *arg, struct flow *f)
{
    struct end_log *l = arg;
    l->seq[l->n++] = f->seq_no;
}

/*
 * The drain clears the table in bulk (no per-flow unlink): afterwards it is
 * empty, expiry and eviction find nothing, and the same flows come back as
 * new ones in recycled slots (a 4-flow table, so no slot is carved twice).
 */
START_TEST(test_table_is_empty_and_reusable_after_drain)
{
    struct end_log log = {0};
    struct flow_table *t = table(4, 9, &log);
    struct flow *first[4];
    for (uint32_t i = 0; i < 4; i++) {
        struct pkt_meta m = meta_n(i + 1, i);
        first[i] = get(t, &m, i + 1);
        flow_table_touch(t, first[i], i, (enum flow_tclass)(i % FLOW_TC_COUNT));
    }
    flow_table_drain(t, FLOW_END_SHUTDOWN);
    ck_assert_uint_eq(log.n, 4);
    ck_assert_uint_eq(flow_table_stats(t)->active, 0);
    ck_assert_uint_eq(flow_table_expire(t, UINT64_MAX), 0);
    struct end_log none = {0};
    flow_table_foreach(t, collect_seq, &none);
    ck_assert_uint_eq(none.n, 0);
    for (uint32_t i = 0; i < 4; i++) {
        struct pkt_meta m = meta_n(i + 1, 10 + i);
        int dir;
        bool created;
        struct flow *f = flow_table_get(t, &m, 10 + i, &dir, &created);
        ck_assert(created);
        ck_assert_uint_eq(f->seq_no, 4 + i);
        ck_assert_uint_eq(f->ended, 0);
        bool recycled = false;
        for (size_t k = 0; k < 4; k++)
            recycled = recycled || f == first[k];
        ck_assert(recycled);
        ck_assert_ptr_eq(get(t, &m, 20 + i), f); /* found again through its bucket */
    }
    ck_assert_uint_eq(flow_table_stats(t)->active, 4);
    ck_assert_uint_eq(flow_table_stats(t)->untracked, 0);
    flow_table_drain(t, FLOW_END_SHUTDOWN);
    ck_assert_uint_eq(log.n, 8);
    ck_assert_uint_eq(log.seq[7], 7);
    flow_table_free(t);
}
END_TEST

START_TEST(test_foreach_visits_flows_in_creation_order)
{
    struct flow_table *t = table(64, 11, NULL);
    for (uint32_t i = 0; i < 20; i++) {
        struct pkt_meta m = meta_n(1000 - 37 * i, i);
        struct flow *f = get(t, &m, i + 1);
        flow_table_touch(t, f, 50 - i, i % 2 ? FLOW_TC_ESTABLISHED : FLOW_TC_CLOSED);
    }
    struct end_log l = {0};
    flow_table_foreach(t, collect_seq, &l);
    ck_assert_uint_eq(l.n, 20);
    for (size_t i = 0; i < 20; i++)
        ck_assert_uint_eq(l.seq[i], i);
    flow_table_free(t);
}
END_TEST

START_TEST(test_memcap_sets_the_most_flows_that_fit)
{
    static const size_t caps[] = {4096, 100000, 1 << 20, 12345678};
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        struct flow_table_cfg cfg;
        char err[ERRBUF_SIZE];
        flow_table_cfg_default(&cfg);
        cfg.max_flows = 0;
        cfg.memcap = caps[i];
        cfg.ext_size = 100;
        struct flow_table *t = flow_table_new(&cfg, err);
        ck_assert_ptr_nonnull(t);
        size_t slot = (size_t)stat_value(t, "flowstate.flow.slot_bytes");
        size_t n = (size_t)stat_value(t, "flowstate.flow.max_flows");
        ck_assert_uint_eq(slot, (sizeof(struct flow_slot) + 100 + 15) & ~(size_t)15);
        ck_assert_uint_eq(stat_value(t, "flowstate.flow.memcap_bytes"), caps[i]);
        ck_assert_uint_eq(stat_value(t, "flow.memcap"), 0); /* Suricata's: times it was hit */
        size_t p = 1, q = 1;
        while (p < n)
            p <<= 1;
        while (q < n + 1)
            q <<= 1;
        ck_assert_uint_le(n * slot + p * sizeof(void *), caps[i]);
        ck_assert_uint_gt((n + 1) * slot + q * sizeof(void *), caps[i]);
        ck_assert_uint_ge(t->max_buckets, n); /* load factor <= 1 once grown */
        flow_table_free(t);

        cfg.max_flows = 3; /* the smaller limit wins */
        t = flow_table_new(&cfg, err);
        ck_assert_uint_eq(stat_value(t, "flowstate.flow.max_flows"), 3);
        flow_table_free(t);
    }
}
END_TEST

START_TEST(test_bad_configs_are_rejected_with_a_message)
{
    struct flow_table_cfg cfg;
    char err[ERRBUF_SIZE] = "";
    flow_table_cfg_default(&cfg);
    cfg.memcap = 100;
    ck_assert_ptr_null(flow_table_new(&cfg, err));
    ck_assert(strstr(err, "memcap") != NULL);
    flow_table_cfg_default(&cfg);
    cfg.ext_size = (size_t)1 << 30;
    err[0] = '\0';
    ck_assert_ptr_null(flow_table_new(&cfg, err));
    ck_assert(err[0] != '\0');
    flow_table_cfg_default(&cfg);
    cfg.max_flows = (size_t)1 << 40;
    err[0] = '\0';
    ck_assert_ptr_null(flow_table_new(&cfg, err));
    ck_assert(err[0] != '\0');
    flow_table_free(NULL);
}
END_TEST

START_TEST(test_defaults_and_names)
{
    struct flow_table_cfg cfg;
    flow_table_cfg_default(&cfg);
    ck_assert_uint_eq(cfg.max_flows, 1000000);
    ck_assert_uint_eq(cfg.timeout_ns[FLOW_TC_NEW], 60 * SEC);
    ck_assert_uint_eq(cfg.timeout_ns[FLOW_TC_ESTABLISHED], 3600 * SEC);
    ck_assert_uint_eq(cfg.timeout_ns[FLOW_TC_CLOSING], 3600 * SEC);
    ck_assert_uint_eq(cfg.timeout_ns[FLOW_TC_CLOSED], 60 * SEC);
    ck_assert_uint_eq(cfg.seed, 0);
    ck_assert_str_eq(flow_end_reason_name(FLOW_END_NONE), "none");
    ck_assert_str_eq(flow_end_reason_name(FLOW_END_TIMEOUT), "timeout");
    ck_assert_str_eq(flow_end_reason_name(FLOW_END_FORCED), "forced");
    ck_assert_str_eq(flow_end_reason_name(FLOW_END_SHUTDOWN), "shutdown");
    ck_assert_str_eq(flow_end_reason_name(FLOW_END_TCP_REUSE), "tcp_reuse");
    ck_assert_str_eq(flow_tclass_name(FLOW_TC_NEW), "new");
    ck_assert_str_eq(flow_tclass_name(FLOW_TC_ESTABLISHED), "established");
    ck_assert_str_eq(flow_tclass_name(FLOW_TC_CLOSING), "closing");
    ck_assert_str_eq(flow_tclass_name(FLOW_TC_CLOSED), "closed");

    /* both limits 0: the default cap; random seed */
    char err[ERRBUF_SIZE];
    cfg.max_flows = 0;
    struct flow_table *t = flow_table_new(&cfg, err);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.max_flows"), 1000000);
    ck_assert_uint_eq(stat_value(t, "flowstate.flow.memcap_bytes"), 0);
    ck_assert_uint_eq(t->max_buckets, 1u << 20);
    ck_assert_uint_eq(t->nbuckets, FLOW_MIN_BUCKETS); /* grows with the live flows */
    flow_table_free(t);
}
END_TEST

START_TEST(test_stats_export_has_fixed_names_in_fixed_order)
{
    static const char *names[] = {"flow.tcp",
                                  "flow.active",
                                  "flow.memcap",
                                  "flow.end.state.new",
                                  "flow.end.state.established",
                                  "flow.end.state.closed",
                                  "flowstate.flow.peak",
                                  "flowstate.flow.end.timeout",
                                  "flowstate.flow.end.forced",
                                  "flowstate.flow.end.shutdown",
                                  "flowstate.flow.end.tcp_reuse",
                                  "flowstate.flow.evicted.new",
                                  "flowstate.flow.evicted.established",
                                  "flowstate.flow.evicted.closing",
                                  "flowstate.flow.evicted.closed",
                                  "flowstate.flow.untracked",
                                  "flowstate.flow.memcap_bytes",
                                  "flowstate.flow.max_flows",
                                  "flowstate.flow.slot_bytes"};
    struct flow_table *t = table(8, 5, NULL);
    struct stat_list l;
    stat_list_init(&l);
    flow_table_stats_export(t, &l);
    ck_assert_uint_eq(l.n, sizeof(names) / sizeof(names[0]));
    for (size_t i = 0; i < l.n; i++)
        ck_assert_str_eq(l.items[i].path, names[i]);
    stat_list_fini(&l);
    flow_table_free(t);
}
END_TEST

/* Sum over chains of len*(len+1)/2 divided by entries: mean probes of a successful lookup. */
static double
mean_probes(const struct flow_table *t, size_t *max_chain)
{
    double sum = 0;
    size_t n = 0;
    *max_chain = 0;
    for (size_t b = 0; b < t->nbuckets; b++) {
        size_t len = 0;
        for (const struct flow *f = t->buckets[b]; f != NULL; f = f->hnext)
            len++;
        sum += (double)len * (double)(len + 1) / 2.0;
        n += len;
        if (len > *max_chain)
            *max_chain = len;
    }
    return n ? sum / (double)n : 0;
}

#define ATTACK_FLOWS 200000u

/* Flow i of the /16 attack: 10.1.x.y, ports walking up once the /16 is used. */
static struct pkt_meta
meta_slash16(uint32_t i)
{
    struct pkt_meta m = meta_n(0, i);
    m.src.b[1] = 1;
    m.src.b[2] = (uint8_t)(i >> 8);
    m.src.b[3] = (uint8_t)i;
    m.sport = (uint16_t)(1024 + (i >> 16));
    return m;
}

static struct pkt_meta
meta_random(uint64_t *rs, uint32_t i)
{
    struct pkt_meta m = meta_n(0, i);
    uint64_t r = xorshift(rs);
    memcpy(m.src.b, &r, 4);
    m.sport = (uint16_t)(r >> 32);
    return m;
}

static double
fill(struct flow_table *t, int slash16, double *secs)
{
    uint64_t rs = 0x1234567;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (uint32_t i = 0; i < ATTACK_FLOWS; i++) {
        struct pkt_meta m = slash16 ? meta_slash16(i) : meta_random(&rs, i);
        ck_assert_ptr_nonnull(get(t, &m, i + 1));
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    *secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    return 0;
}

START_TEST(test_sources_in_one_slash16_do_not_lengthen_chains)
{
    static const uint64_t seeds[] = {1, 0xffffffffffffffffull};
    for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
        struct flow_table *ta = table(262144, seeds[s], NULL);
        struct flow_table *tr = table(262144, seeds[s], NULL);
        double secs;
        fill(ta, 1, &secs);
        fill(tr, 0, &secs);
        ck_assert_uint_eq(flow_table_stats(ta)->active, ATTACK_FLOWS);
        size_t max_a, max_r;
        double pa = mean_probes(ta, &max_a), pr = mean_probes(tr, &max_r);
        /* load 0.76: a random hash gives about 1.38 probes and chains under 12 */
        ck_assert_msg(pa <= 1.1 * pr, "/16 probes %.3f vs random %.3f", pa, pr);
        ck_assert_msg(max_a <= 2 * max_r, "/16 max chain %zu vs random %zu", max_a, max_r);
        ck_assert_uint_lt(max_a, 16);
        flow_table_free(ta);
        flow_table_free(tr);
    }
}
END_TEST

/* Figures for the report; prints only with FLOW_BENCH=1 and never fails on timing. */
START_TEST(test_measure_lookup_rate_and_slash16_attack)
{
    if (getenv("FLOW_BENCH") == NULL)
        return;
    enum { NFLOWS = 100000, NPKTS = 1000000 };
    struct flow_table *t = table(NFLOWS, 0, NULL);
    /* Packets are rebuilt from a compact tuple array, as a decoder would fill a hot pkt_meta:
     * the measured misses are the table's (bucket + flow), not the test's. */
    struct tuple {
        uint8_t src[4], dst[4];
        uint16_t sport, dport;
    } *tu = malloc(NFLOWS * sizeof(*tu));
    uint32_t *idx = malloc(NPKTS * sizeof(*idx));
    uint64_t rs = 42;
    struct pkt_meta m = meta_n(0, 0);
    for (uint32_t i = 0; i < NFLOWS; i++) {
        struct pkt_meta r = meta_random(&rs, i);
        int rev = i % 2; /* half the packets come from the server side */
        memcpy(tu[i].src, rev ? r.dst.b : r.src.b, 4);
        memcpy(tu[i].dst, rev ? r.src.b : r.dst.b, 4);
        tu[i].sport = rev ? r.dport : r.sport;
        tu[i].dport = rev ? r.sport : r.dport;
        memcpy(m.src.b, tu[i].src, 4);
        memcpy(m.dst.b, tu[i].dst, 4);
        m.sport = tu[i].sport;
        m.dport = tu[i].dport;
        ck_assert_ptr_nonnull(get(t, &m, i + 1));
    }
    for (uint32_t i = 0; i < NPKTS; i++)
        idx[i] = (uint32_t)(xorshift(&rs) % NFLOWS);
    struct timespec a, b;
    uint64_t sink = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (uint32_t i = 0; i < NPKTS; i++) {
        const struct tuple *p = &tu[idx[i]];
        memcpy(m.src.b, p->src, 4);
        memcpy(m.dst.b, p->dst, 4);
        m.sport = p->sport;
        m.dport = p->dport;
        struct flow *f = get(t, &m, i);
        sink += f->pkts[0]++;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("bench: %d lookups over %d flows: %.3f s, %.2f M lookups/s (sink %llu)\n", NPKTS,
           NFLOWS, secs, NPKTS / secs / 1e6, (unsigned long long)(sink & 1));
    ck_assert_uint_eq(flow_table_stats(t)->created, NFLOWS);
    free(tu);
    free(idx);
    flow_table_free(t);

    struct flow_table *ta = NULL, *tr = NULL;
    double sa = 1e9, sr = 1e9;
    for (int rep = 0; rep < 3; rep++) { /* best of three: first-touch page faults are noise */
        double x;
        flow_table_free(ta);
        flow_table_free(tr);
        ta = table(262144, 0, NULL);
        tr = table(262144, 0, NULL);
        fill(ta, 1, &x);
        sa = x < sa ? x : sa;
        fill(tr, 0, &x);
        sr = x < sr ? x : sr;
    }
    size_t max_a, max_r;
    double pa = mean_probes(ta, &max_a), pr = mean_probes(tr, &max_r);
    printf("bench: %u inserts /16: %.3f s, mean probes %.3f, max chain %zu\n", ATTACK_FLOWS,
           sa, pa, max_a);
    printf("bench: %u inserts random: %.3f s, mean probes %.3f, max chain %zu; time ratio %.2f\n",
           ATTACK_FLOWS, sr, pr, max_r, sa / sr);
    printf("bench: sizeof(struct flow) %zu, slot (no ext) %zu, buckets %zu for %u flows\n",
           sizeof(struct flow), (sizeof(struct flow_slot) + 15) & ~(size_t)15, ta->nbuckets,
           262144u);
    flow_table_free(ta);
    flow_table_free(tr);
}
END_TEST

/* --- identifiers ---------------------------------------------------------------- */

struct cid_vector {
    int v;
    const char *src;
    uint16_t sport;
    const char *dst;
    uint16_t dport;
    uint16_t seed;
    const char *want;
};

/* tshark 4.0.17 --enable-protocol communityid on /work/shared/corpus/public captures */
static const struct cid_vector cid_vectors[] = {
    {4, "141.142.228.5", 59856, "192.150.187.43", 80, 0, "1:yvyB8h+3dnggTZW0UEITWCst97w="},
    {4, "141.142.228.5", 59856, "192.150.187.43", 80, 1, "1:1cnWkXMEDFUXZcnMzh9ZAkdjT1Q="},
    {4, "141.142.220.118", 35634, "208.80.152.2", 80, 0, "1:23JKDxfIoGW8QwmTQ80eENbb+Zw="},
    {4, "141.142.220.118", 49998, "208.80.152.3", 80, 0, "1:4uaAME7uk5J9jzbv+NCTg48q6LU="},
    {4, "136.216.42.40", 44338, "130.74.164.231", 22, 0, "1:mCWZDYw2avYeL7vSy6+0bgtc9Hc="},
    {4, "172.16.0.8", 36050, "64.13.134.52", 2007, 0, "1:++1Mgxm7Xt6syIsm6arCmKiJFgY="},
    {6, "2001:470:1f11:81f:c999:d94:aa7c:2e3e", 49185, "2001:470:4867:99::21", 21, 0,
     "1:2nWXgxcx9GW54wPXtQmjQEThuB0="},
    {6, "2001:470:1f11:81f:c999:d94:aa7c:2e3e", 49185, "2001:470:4867:99::21", 21, 1,
     "1:IjbN7wF7aeiPCaEW2rSJqMDqYOs="},
    {6, "2001:470:1f11:81f:c999:d94:aa7c:2e3e", 49189, "2001:470:4867:99::21", 55785, 0,
     "1:NOk7cBiX/1QyqYYgMAHYz93RqO8="},
    {6, "fe80::20c:29ff:fef3:cf38", 58307, "fe80::20c:29ff:faf2:ab42", 80, 0,
     "1:HWtYxeS9v/BrFH08/XL4wX0u8JY="},
};

START_TEST(test_community_id_matches_tshark_in_both_directions)
{
    const struct cid_vector *cv = &cid_vectors[_i];
    struct ip_addr a, b;
    char out[FLOW_COMMUNITY_ID_LEN];
    set_addr(&a, cv->v, cv->src);
    set_addr(&b, cv->v, cv->dst);
    flow_community_id_seeded((uint8_t)cv->v, &a, cv->sport, &b, cv->dport, 6, cv->seed, out);
    ck_assert_str_eq(out, cv->want);
    flow_community_id_seeded((uint8_t)cv->v, &b, cv->dport, &a, cv->sport, 6, cv->seed, out);
    ck_assert_str_eq(out, cv->want);
    if (cv->seed == 0) {
        flow_community_id((uint8_t)cv->v, &a, cv->sport, &b, cv->dport, 6, out);
        ck_assert_str_eq(out, cv->want);
        struct pkt_meta m = meta(cv->v, cv->src, cv->sport, cv->dst, cv->dport, 0);
        struct flow_key k;
        int d;
        flow_key_from_meta(&m, &k, &d);
        flow_community_id_key(&k, out);
        ck_assert_str_eq(out, cv->want);
    }
}
END_TEST

static void
hex20(const uint8_t d[SHA1_DIGEST_LEN], char hex[41])
{
    for (size_t i = 0; i < SHA1_DIGEST_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void
sha1_hex(const void *data, size_t len, char hex[41])
{
    uint8_t d[SHA1_DIGEST_LEN];
    sha1(data, len, d);
    hex20(d, hex);
}

/* The block implementations under test, by loop index; unsupported ones are skipped. */
static const enum sha1_impl sha1_impls[] = {SHA1_IMPL_AUTO, SHA1_IMPL_PORTABLE, SHA1_IMPL_SHANI};

static bool
select_impl(int i)
{
    if (!sha1_impl_supported(sha1_impls[i])) {
        printf("sha1 implementation %d not supported on this CPU: skipped\n", (int)sha1_impls[i]);
        ck_assert_int_eq(sha1_impl_select(sha1_impls[i]), -1);
        return false;
    }
    ck_assert_int_eq(sha1_impl_select(sha1_impls[i]), 0);
    if (sha1_impls[i] != SHA1_IMPL_AUTO)
        ck_assert_int_eq(sha1_impl_active(), sha1_impls[i]);
    else
        ck_assert_int_ne(sha1_impl_active(), SHA1_IMPL_AUTO);
    return true;
}

START_TEST(test_sha1_matches_fips_180_examples)
{
    if (!select_impl(_i))
        return;
    char hex[41];
    sha1_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    sha1_hex("", 0, hex);
    ck_assert_str_eq(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha1_hex(two_blocks, strlen(two_blocks), hex);
    ck_assert_str_eq(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    static const char long_msg[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                                   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    sha1_hex(long_msg, strlen(long_msg), hex);
    ck_assert_str_eq(hex, "a49b2446a02c645bf419f995b67091253a04a259");

    /* padding boundaries of the one-block fast path (values from Python's hashlib) */
    static char as[1000];
    memset(as, 'a', sizeof(as));
    sha1_hex(as, 55, hex);
    ck_assert_str_eq(hex, "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    sha1_hex(as, 56, hex);
    ck_assert_str_eq(hex, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
    sha1_hex(as, 64, hex);
    ck_assert_str_eq(hex, "0098ba824b5c16427bd7a1122a5a442a25ec644d");

    /* one million 'a', fed in uneven pieces to exercise the streaming path */
    struct sha1_ctx c;
    uint8_t d[SHA1_DIGEST_LEN];
    sha1_init(&c);
    size_t left = 1000000, step = 1;
    while (left > 0) {
        size_t n = step < left ? step : left;
        sha1_update(&c, as, n);
        left -= n;
        step = step % 990 + 7; /* stays below sizeof(as) */
    }
    sha1_final(&c, d);
    hex20(d, hex);
    ck_assert_str_eq(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}
END_TEST

/*
 * Every length 0..600 (one-block fast path, its 55/56 boundary, multi-block
 * runs handed to one block call), random bytes, one-shot and streamed in
 * random pieces: the implementation under test must give the portable
 * reference's digest.
 */
START_TEST(test_sha1_implementations_agree_on_random_inputs)
{
    static uint8_t buf[600];
    uint64_t rs = 0x5eed5eed12345ull + (uint64_t)_i;
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(xorshift(&rs) >> 24);
    for (size_t len = 0; len <= sizeof(buf); len++) {
        const uint8_t *p = buf + (len * 7) % 16; /* odd alignments too */
        size_t n = len <= sizeof(buf) - 16 ? len : sizeof(buf) - 16;
        uint8_t ref[SHA1_DIGEST_LEN], one[SHA1_DIGEST_LEN], str[SHA1_DIGEST_LEN];
        ck_assert_int_eq(sha1_impl_select(SHA1_IMPL_PORTABLE), 0);
        sha1(p, n, ref);
        if (!select_impl(_i))
            return;
        sha1(p, n, one);
        struct sha1_ctx c;
        sha1_init(&c);
        for (size_t off = 0; off < n;) {
            size_t k = (size_t)(xorshift(&rs) % 150);
            if (k > n - off)
                k = n - off;
            sha1_update(&c, p + off, k);
            off += k;
        }
        sha1_final(&c, str);
        ck_assert_msg(memcmp(ref, one, sizeof(ref)) == 0, "one-shot differs at length %zu", n);
        ck_assert_msg(memcmp(ref, str, sizeof(ref)) == 0, "streamed differs at length %zu", n);
    }
}
END_TEST

START_TEST(test_flow_id_and_uid_are_deterministic_symmetric_and_in_range)
{
    struct pkt_meta m1 = meta(4, "10.0.0.1", 40000, "10.0.0.2", 80, 0);
    struct pkt_meta m2 = meta(4, "10.0.0.2", 80, "10.0.0.1", 40000, 0);
    struct flow_key k1, k2;
    int d;
    flow_key_from_meta(&m1, &k1, &d);
    flow_key_from_meta(&m2, &k2, &d);
    uint64_t id = flow_id(&k1, 1234567890123456789ull);
    ck_assert_uint_eq(id, flow_id(&k2, 1234567890123456789ull));
    ck_assert_uint_lt(id, UINT64_C(1) << 53);
    ck_assert_uint_ne(id, flow_id(&k1, 1234567890123456790ull));

    char u1[FLOW_UID_LEN], u2[FLOW_UID_LEN], u3[FLOW_UID_LEN];
    flow_uid(&k1, 42, u1);
    flow_uid(&k2, 42, u2);
    flow_uid(&k1, 43, u3);
    ck_assert_str_eq(u1, u2);
    ck_assert_str_ne(u1, u3);
    ck_assert_int_eq(u1[0], 'C');
    ck_assert_uint_ge(strlen(u1), 2);
    ck_assert_uint_le(strlen(u1), 19);
    for (const char *p = u1 + 1; *p; p++)
        ck_assert(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", *p));

    /* spread: 1000 flows give 1000 distinct ids and uids, all below 2^53 */
    static uint64_t ids[1000];
    for (uint32_t i = 0; i < 1000; i++) {
        struct pkt_meta m = meta_n(i, 0);
        struct flow_key k;
        flow_key_from_meta(&m, &k, &d);
        ids[i] = flow_id(&k, 7);
        ck_assert_uint_lt(ids[i], UINT64_C(1) << 53);
        for (uint32_t j = 0; j < i; j++)
            ck_assert_uint_ne(ids[i], ids[j]);
    }
}
END_TEST

/* flow_uid as first written: both SipHashes, then one division by 62 per digit. */
static void
ref_uid(const struct flow_key *k, uint64_t ts, char out[FLOW_UID_LEN])
{
    uint8_t in[48];
    flow_key_bytes(k, in);
    for (unsigned i = 0; i < 8; i++)
        in[40 + i] = (uint8_t)(ts >> (56 - 8 * i));
    uint64_t lo = flow_siphash13(in, sizeof(in), 0x75696430666c6f77ull, 0x2e7a65656b2e7569ull);
    uint64_t hi = flow_siphash13(in, sizeof(in), 0x2e7a65656b2e7569ull, 0x9e3779b97f4a7c15ull);
    uint32_t limb[3] = {(uint32_t)hi, (uint32_t)(lo >> 32), (uint32_t)lo};
    char digits[FLOW_UID_LEN];
    size_t nd = 0;
    do {
        uint64_t rem = 0;
        for (unsigned i = 0; i < 3; i++) {
            uint64_t cur = rem << 32 | limb[i];
            limb[i] = (uint32_t)(cur / 62);
            rem = cur % 62;
        }
        digits[nd++] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[rem];
    } while ((limb[0] | limb[1] | limb[2]) != 0 && nd < FLOW_UID_LEN - 2);
    out[0] = 'C';
    for (size_t i = 0; i < nd; i++)
        out[1 + i] = digits[nd - 1 - i];
    out[1 + nd] = '\0';
}

START_TEST(test_uid_matches_the_digit_by_digit_reference)
{
    uint64_t rs = 31337;
    size_t len_seen[FLOW_UID_LEN] = {0};
    for (int i = 0; i < 100000; i++) {
        struct pkt_meta m = meta_rand(&rs);
        struct flow_key k;
        int d;
        flow_key_from_meta(&m, &k, &d);
        uint64_t ts = xorshift(&rs);
        char got[FLOW_UID_LEN], want[FLOW_UID_LEN];
        flow_uid(&k, ts, got);
        ref_uid(&k, ts, want);
        ck_assert_str_eq(got, want);
        len_seen[strlen(got)]++;
    }
    /* 17 digits, and the 16 and 15 that leave a short leading chunk, all occurred */
    ck_assert(len_seen[18] > 0 && len_seen[17] > 0 && len_seen[16] > 0);
}
END_TEST

START_TEST(test_flow_ids_are_pinned_across_builds)
{
    struct pkt_meta m = meta(6, "2001:db8::1", 40000, "2001:db8::2", 443, 0);
    struct flow_key k;
    int d;
    char uid[FLOW_UID_LEN];
    flow_key_from_meta(&m, &k, &d);
    flow_uid(&k, 1700000000000000000ull, uid);
    ck_assert_uint_eq(flow_id(&k, 1700000000000000000ull), UINT64_C(6802567662563254));
    ck_assert_str_eq(uid, "C1DppWtWbzLI0CEBEc");
}
END_TEST

static Suite *
flow_suite(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("key");
    tcase_add_test(tc, test_key_is_symmetric_for_ipv4);
    tcase_add_test(tc, test_key_is_symmetric_for_ipv6);
    tcase_add_test(tc, test_key_same_address_different_ports_orders_by_port);
    tcase_add_test(tc, test_key_same_ports_different_addresses_orders_by_address);
    tcase_add_test(tc, test_key_ignores_junk_in_unused_ipv4_bytes);
    tcase_add_test(tc, test_hash_depends_on_seed_and_every_field);
    tcase_add_test(tc, test_key_from_meta_matches_the_memcmp_reference);
    tcase_add_test(tc, test_hash_is_siphash_of_the_compact_encoding);
    tcase_add_loop_test(tc, test_shard_hash_vectors_never_change, 0,
                        (int)(sizeof(shard_vectors) / sizeof(shard_vectors[0])));
    tcase_add_test(tc, test_shard_hash_is_the_documented_siphash_for_any_key);
    tcase_add_test(tc, test_hash_changes_with_every_byte_that_matters);
    tcase_add_test(tc, test_ipv4_and_ipv6_keys_with_the_same_bytes_differ);
    tcase_add_test(tc, test_key_equality_matches_memcmp_and_implies_equal_hashes);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_get_finds_the_same_flow_from_both_directions);
    tcase_add_test(tc, test_new_flow_is_zeroed_and_records_first_packet);
    tcase_add_test(tc, test_expire_pops_the_least_recently_touched_first);
    tcase_add_test(tc, test_expire_uses_each_class_timeout_and_orders_by_deadline);
    tcase_add_test(tc, test_eviction_takes_new_then_closed_then_closing_then_established);
    tcase_add_test(tc, test_many_flows_through_a_small_table_never_grow_it);
    tcase_add_test(tc, test_buckets_grow_with_live_flows_and_every_flow_stays_found);
    tcase_add_test(tc, test_growth_rehashes_live_and_ending_flows_but_not_free_slots);
    tcase_add_test(tc, test_prepared_lookup_matches_get_even_if_the_table_changed_in_between);
    tcase_add_test(tc, test_touching_the_newest_flow_keeps_the_class_order);
    tcase_add_test(tc, test_untracked_when_nothing_can_be_evicted);
    tcase_add_test(tc, test_drain_ends_flows_in_creation_order_for_any_seed);
    tcase_add_test(tc, test_table_is_empty_and_reusable_after_drain);
    tcase_add_test(tc, test_foreach_visits_flows_in_creation_order);
    tcase_add_test(tc, test_memcap_sets_the_most_flows_that_fit);
    tcase_add_test(tc, test_bad_configs_are_rejected_with_a_message);
    tcase_add_test(tc, test_defaults_and_names);
    tcase_add_test(tc, test_stats_export_has_fixed_names_in_fixed_order);
    tcase_add_test(tc, test_sources_in_one_slash16_do_not_lengthen_chains);
    tcase_add_test(tc, test_measure_lookup_rate_and_slash16_attack);
    suite_add_tcase(s, tc);

    tc = tcase_create("ids");
    tcase_add_loop_test(tc, test_community_id_matches_tshark_in_both_directions, 0,
                        (int)(sizeof(cid_vectors) / sizeof(cid_vectors[0])));
    tcase_add_loop_test(tc, test_sha1_matches_fips_180_examples, 0,
                        (int)(sizeof(sha1_impls) / sizeof(sha1_impls[0])));
    tcase_add_loop_test(tc, test_sha1_implementations_agree_on_random_inputs, 0,
                        (int)(sizeof(sha1_impls) / sizeof(sha1_impls[0])));
    tcase_add_test(tc, test_flow_id_and_uid_are_deterministic_symmetric_and_in_range);
    tcase_add_test(tc, test_flow_ids_are_pinned_across_builds);
    tcase_add_test(tc, test_uid_matches_the_digit_by_digit_reference);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(flow_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
