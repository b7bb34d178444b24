/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_bench: writes a synthetic, deterministic Ethernet pcap for benchmarking
 * flowstate against tshark and tcptrace. Standalone (libc only), built by
 * run-bench.sh; not part of the product.
 *
 * Model: `-c` connection slots are live at once. Each slot holds a scripted
 * connection (every packet of it precomputed when it starts); the generator
 * repeatedly picks a random live slot and writes that connection's next
 * packet, so connections interleave the way they do on a busy link. When a
 * script ends, the slot starts a new connection as long as the packets
 * already committed (written + still scripted) are below `-n`; after that the
 * slots drain. The total is therefore at least `-n` and close to it.
 *
 * Connection kinds (per mille): 850 normal (3-way handshake, 1-4
 * request/response rounds, FIN close by either side), 50 reset mid-stream,
 * 50 half-open (data, never closed), 30 rejected (SYN answered by RST), 20
 * unanswered (SYN and one retransmitted SYN). Every data segment is lost
 * with probability `-l` per mille (default 10): half of the losses happen
 * before the capture point (segment absent), half after it (segment seen);
 * either way the receiver acknowledges only up to the hole, and the sender
 * retransmits. Mix: 70% IPv4 / 30% IPv6; 20% 802.1Q-tagged, 2% QinQ.
 * Payload bytes are zero and cut at the snap length (default 128, like
 * tcpdump -s 128), so checksums are still computed over the whole segment.
 * Same seed, same options -> same file, byte for byte.
 *
 * Usage: gen_bench [-n PACKETS] [-c CONCURRENT] [-s SEED] [-l LOSS_PERMILLE]
 *                  [-S SNAPLEN] -o FILE
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

#define MAX_SCRIPT 64
#define MSS        1448

struct seg {
    uint32_t seq, ack;
    uint16_t len;
    uint8_t flags;
    uint8_t from_server;
};

struct conn {
    struct seg *script; /* MAX_SCRIPT entries, owned by the slot */
    uint16_t n, pos;
    uint8_t v6;
    uint8_t nvlan;
    uint16_t vlan[2];
    uint8_t caddr[16], saddr[16];
    uint16_t cport, sport;
    uint16_t ipid[2];
};

struct gen {
    uint64_t rng;
    unsigned loss_pm;
    uint32_t snaplen;
    uint64_t conns_started;
    uint64_t kind_count[5];
    uint64_t lost, retrans, v6, vlan;
    FILE *out;
    uint64_t ts_ns;
    uint64_t written;
    uint8_t frame[2048];
};

static const char *const kind_names[5] = {"normal", "reset", "half-open", "rejected",
                                          "unanswered"};

/* splitmix64: small, fast, and the same on every platform. */
static uint64_t
rng_next(struct gen *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t
rng_below(struct gen *g, uint32_t n)
{
    return (uint32_t)(rng_next(g) % n);
}

/* ---- scripting ---------------------------------------------------------------- */

struct scripter {
    struct gen *g;
    struct conn *c;
    uint32_t cnxt, snxt; /* next sequence number of client / server */
};

static bool
sc_room(const struct scripter *s, unsigned need)
{
    return s->c->n + need <= MAX_SCRIPT;
}

static void
sc_add(struct scripter *s, int from_server, uint8_t flags, uint32_t seq, uint32_t ack,
       uint16_t len)
{
    struct seg *x = &s->c->script[s->c->n++];

    x->seq = seq;
    x->ack = ack;
    x->len = len;
    x->flags = flags;
    x->from_server = (uint8_t)from_server;
}

/* One burst of data segments from one side, then the peer's ACK, with loss. */
static void
sc_burst(struct scripter *s, int from_server, unsigned nseg, uint16_t last_len)
{
    uint32_t *nxt = from_server ? &s->snxt : &s->cnxt;
    uint32_t peer_nxt = from_server ? s->cnxt : s->snxt;
    uint32_t start = *nxt, lost_seq = 0;
    uint16_t lost_len = 0;
    bool lost = false, lost_seen = false;

    for (unsigned i = 0; i < nseg; i++) {
        uint16_t len = i + 1 == nseg ? last_len : MSS;
        uint8_t fl = F_ACK | (i + 1 == nseg ? F_PSH : 0);

        if (!lost && rng_below(s->g, 1000) < s->g->loss_pm) {
            lost = true;
            lost_seq = *nxt;
            lost_len = len;
            lost_seen = rng_below(s->g, 2) == 0; /* lost after the capture point */
            s->g->lost++;
            if (lost_seen)
                sc_add(s, from_server, fl, *nxt, peer_nxt, len);
        } else {
            sc_add(s, from_server, fl, *nxt, peer_nxt, len);
        }
        *nxt += len;
    }
    if (lost) {
        /* The receiver acknowledges up to the hole; the sender fills it. */
        sc_add(s, !from_server, F_ACK, peer_nxt, lost_seq, 0);
        sc_add(s, from_server, F_ACK | F_PSH, lost_seq, peer_nxt, lost_len);
        s->g->retrans++;
    }
    (void)start;
}

static void
sc_handshake(struct scripter *s, uint32_t ci, uint32_t si)
{
    sc_add(s, 0, F_SYN, ci, 0, 0);
    sc_add(s, 1, F_SYN | F_ACK, si, ci + 1, 0);
    sc_add(s, 0, F_ACK, ci + 1, si + 1, 0);
    s->cnxt = ci + 1;
    s->snxt = si + 1;
}

/* Rounds of request (client) / response (server) / client ACK. */
static void
sc_rounds(struct scripter *s, unsigned rounds)
{
    for (unsigned r = 0; r < rounds; r++) {
        unsigned nseg = 1 + rng_below(s->g, 3);

        /* worst case: request 1+2, reply nseg+2, ack 1, close 3 */
        if (!sc_room(s, 3 + nseg + 2 + 1 + 3 + 2))
            break;
        sc_burst(s, 0, 1, (uint16_t)(60 + rng_below(s->g, 540)));
        sc_burst(s, 1, nseg, (uint16_t)(100 + rng_below(s->g, MSS - 100)));
        sc_add(s, 0, F_ACK, s->cnxt, s->snxt, 0);
    }
}

/* Builds a new connection's script into c. Returns its kind. */
static unsigned
script_new(struct gen *g, struct conn *c)
{
    struct scripter s = {g, c, 0, 0};
    uint32_t ci = (uint32_t)rng_next(g), si = (uint32_t)rng_next(g);
    uint32_t k = rng_below(g, 1000);
    unsigned kind;
    uint64_t id = g->conns_started++;

    c->n = 0;
    c->pos = 0;
    c->v6 = rng_below(g, 10) < 3;
    c->nvlan = 0;
    uint32_t v = rng_below(g, 100);

    if (v < 2)
        c->nvlan = 2;
    else if (v < 20)
        c->nvlan = 1;
    c->vlan[0] = (uint16_t)(100 + rng_below(g, 3900));
    c->vlan[1] = (uint16_t)(10 + rng_below(g, 90));
    g->v6 += c->v6;
    g->vlan += c->nvlan > 0;
    /* Client addresses follow the connection number, so live tuples never collide. */
    memset(c->caddr, 0, sizeof(c->caddr));
    memset(c->saddr, 0, sizeof(c->saddr));
    uint32_t srv = rng_below(g, 2000);

    if (c->v6) {
        c->caddr[0] = 0xfd;
        c->caddr[1] = 0x00;
        c->caddr[7] = 1;
        for (int i = 0; i < 8; i++)
            c->caddr[15 - i] = (uint8_t)(id >> (8 * i));
        c->saddr[0] = 0x20;
        c->saddr[1] = 0x01;
        c->saddr[2] = 0x0d;
        c->saddr[3] = 0xb8;
        c->saddr[14] = (uint8_t)(srv >> 8);
        c->saddr[15] = (uint8_t)srv;
    } else {
        c->caddr[0] = 10;
        c->caddr[1] = (uint8_t)(id >> 16);
        c->caddr[2] = (uint8_t)(id >> 8);
        c->caddr[3] = (uint8_t)id;
        c->saddr[0] = 198;
        c->saddr[1] = 18;
        c->saddr[2] = (uint8_t)(srv >> 8);
        c->saddr[3] = (uint8_t)srv;
    }
    c->cport = (uint16_t)(1024 + rng_below(g, 64511));
    static const uint16_t ports[] = {80, 443, 443, 443, 22, 25, 8080, 5432};
    c->sport = ports[rng_below(g, sizeof(ports) / sizeof(ports[0]))];
    c->ipid[0] = (uint16_t)rng_next(g);
    c->ipid[1] = (uint16_t)rng_next(g);

    if (k < 850) {
        kind = 0;
        sc_handshake(&s, ci, si);
        sc_rounds(&s, 1 + rng_below(g, 4));
        if (rng_below(g, 10) < 7) { /* client closes first */
            sc_add(&s, 0, F_FIN | F_ACK, s.cnxt, s.snxt, 0);
            sc_add(&s, 1, F_FIN | F_ACK, s.snxt, s.cnxt + 1, 0);
            sc_add(&s, 0, F_ACK, s.cnxt + 1, s.snxt + 1, 0);
        } else {
            sc_add(&s, 1, F_FIN | F_ACK, s.snxt, s.cnxt, 0);
            sc_add(&s, 0, F_ACK, s.cnxt, s.snxt + 1, 0);
            sc_add(&s, 0, F_FIN | F_ACK, s.cnxt, s.snxt + 1, 0);
            sc_add(&s, 1, F_ACK, s.snxt + 1, s.cnxt + 1, 0);
        }
    } else if (k < 900) {
        kind = 1;
        sc_handshake(&s, ci, si);
        sc_rounds(&s, 1 + rng_below(g, 2));
        if (rng_below(g, 2))
            sc_add(&s, 1, F_RST | F_ACK, s.snxt, s.cnxt, 0);
        else
            sc_add(&s, 0, F_RST | F_ACK, s.cnxt, s.snxt, 0);
    } else if (k < 950) {
        kind = 2;
        sc_handshake(&s, ci, si);
        sc_rounds(&s, 1 + rng_below(g, 2));
    } else if (k < 980) {
        kind = 3;
        sc_add(&s, 0, F_SYN, ci, 0, 0);
        sc_add(&s, 1, F_RST | F_ACK, 0, ci + 1, 0);
    } else {
        kind = 4;
        sc_add(&s, 0, F_SYN, ci, 0, 0);
        sc_add(&s, 0, F_SYN, ci, 0, 0);
    }
    g->kind_count[kind]++;
    return kind;
}

/* ---- packet writing ------------------------------------------------------------ */

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void
le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    return acc;
}

static uint16_t
fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

static void
write_packet(struct gen *g, struct conn *c, const struct seg *x)
{
    uint8_t *f = g->frame;
    const uint8_t *src = x->from_server ? c->saddr : c->caddr;
    const uint8_t *dst = x->from_server ? c->caddr : c->saddr;
    uint16_t sp = x->from_server ? c->sport : c->cport;
    uint16_t dp = x->from_server ? c->cport : c->sport;
    size_t off = 0, ip_off, tcp_off;
    unsigned thl = (x->flags & F_SYN) ? 32 : 20;
    uint32_t tcp_len = thl + x->len;

    /* Ethernet: locally administered MACs, fixed per side. */
    static const uint8_t mac_c[6] = {0x02, 0, 0, 0, 0, 0x01};
    static const uint8_t mac_s[6] = {0x02, 0, 0, 0, 0, 0x02};
    memcpy(f, x->from_server ? mac_c : mac_s, 6);
    memcpy(f + 6, x->from_server ? mac_s : mac_c, 6);
    off = 12;
    if (c->nvlan == 2) {
        put16(f + off, 0x88a8);
        put16(f + off + 2, c->vlan[0]);
        put16(f + off + 4, 0x8100);
        put16(f + off + 6, c->vlan[1]);
        off += 8;
    } else if (c->nvlan == 1) {
        put16(f + off, 0x8100);
        put16(f + off + 2, c->vlan[0]);
        off += 4;
    }
    put16(f + off, c->v6 ? 0x86dd : 0x0800);
    off += 2;
    ip_off = off;
    uint32_t acc;

    if (c->v6) {
        f[off] = 0x60;
        f[off + 1] = 0;
        f[off + 2] = 0;
        f[off + 3] = 0;
        put16(f + off + 4, (uint16_t)tcp_len);
        f[off + 6] = 6;
        f[off + 7] = 64;
        memcpy(f + off + 8, src, 16);
        memcpy(f + off + 24, dst, 16);
        off += 40;
        acc = sum16(src, 16, 0);
        acc = sum16(dst, 16, acc);
    } else {
        f[off] = 0x45;
        f[off + 1] = 0;
        put16(f + off + 2, (uint16_t)(20 + tcp_len));
        put16(f + off + 4, c->ipid[x->from_server]++);
        put16(f + off + 6, 0x4000); /* DF */
        f[off + 8] = x->from_server ? 56 : 64;
        f[off + 9] = 6;
        put16(f + off + 10, 0);
        memcpy(f + off + 12, src, 4);
        memcpy(f + off + 16, dst, 4);
        put16(f + off + 10, fold(sum16(f + off, 20, 0)));
        off += 20;
        acc = sum16(src, 4, 0);
        acc = sum16(dst, 4, acc);
    }
    tcp_off = off;
    put16(f + off, sp);
    put16(f + off + 2, dp);
    put32(f + off + 4, x->seq);
    put32(f + off + 8, x->ack);
    f[off + 12] = (uint8_t)((thl / 4) << 4);
    f[off + 13] = x->flags;
    put16(f + off + 14, (x->flags & F_RST) ? 0 : 65535);
    put16(f + off + 16, 0);
    put16(f + off + 18, 0);
    if (thl == 32) {
        static const uint8_t opts[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 1, 1};
        memcpy(f + off + 20, opts, 12);
    }
    off += thl;
    /* Pseudo-header + header; the zero payload adds nothing but its length. */
    acc += 6 + tcp_len;
    acc = sum16(f + tcp_off, thl, acc);
    put16(f + tcp_off + 16, fold(acc));

    uint32_t wire = (uint32_t)off + x->len;
    uint32_t cap = wire < g->snaplen ? wire : g->snaplen;

    if (cap > off)
        memset(f + off, 0, cap - off);
    uint8_t rh[16];

    le32(rh, (uint32_t)(g->ts_ns / 1000000000ull));
    le32(rh + 4, (uint32_t)(g->ts_ns % 1000000000ull / 1000ull));
    le32(rh + 8, cap);
    le32(rh + 12, wire);
    if (fwrite(rh, 1, 16, g->out) != 16 || fwrite(f, 1, cap, g->out) != cap) {
        fprintf(stderr, "gen_bench: write: %s\n", strerror(errno));
        exit(1);
    }
    (void)ip_off;
    g->written++;
}

static void
usage(void)
{
    fprintf(stderr, "usage: gen_bench [-n PACKETS] [-c CONCURRENT] [-s SEED] "
                    "[-l LOSS_PERMILLE] [-S SNAPLEN] -o FILE\n");
    exit(2);
}

static unsigned long long
num_arg(const char *s)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0' || end == s)
        usage();
    return v;
}

int
main(int argc, char **argv)
{
    struct gen g;
    uint64_t target = 2000000, seed = 1;
    size_t k = 100000;
    const char *path = NULL;
    int opt;

    memset(&g, 0, sizeof(g));
    g.loss_pm = 10;
    g.snaplen = 128;
    while ((opt = getopt(argc, argv, "n:c:s:l:S:o:")) != -1) {
        switch (opt) {
        case 'n': target = num_arg(optarg); break;
        case 'c': k = (size_t)num_arg(optarg); break;
        case 's': seed = num_arg(optarg); break;
        case 'l': g.loss_pm = (unsigned)num_arg(optarg); break;
        case 'S': g.snaplen = (uint32_t)num_arg(optarg); break;
        case 'o': path = optarg; break;
        default: usage();
        }
    }
    if (path == NULL || k == 0 || g.snaplen < 64 || g.snaplen > 2048)
        usage();
    g.rng = seed;
    g.out = fopen(path, "wb");
    if (g.out == NULL) {
        fprintf(stderr, "gen_bench: %s: %s\n", path, strerror(errno));
        return 1;
    }
    static char obuf[1 << 20];
    setvbuf(g.out, obuf, _IOFBF, sizeof(obuf));

    uint8_t gh[24];
    le32(gh, 0xa1b2c3d4);
    gh[4] = 2;
    gh[5] = 0;
    gh[6] = 4;
    gh[7] = 0;
    memset(gh + 8, 0, 8);
    le32(gh + 16, g.snaplen);
    le32(gh + 20, 1); /* LINKTYPE_ETHERNET */
    if (fwrite(gh, 1, sizeof(gh), g.out) != sizeof(gh))
        return 1;

    struct conn *conns = calloc(k, sizeof(*conns));
    struct seg *segs = calloc(k * MAX_SCRIPT, sizeof(*segs));
    uint32_t *live = calloc(k, sizeof(*live));
    size_t nlive = k;
    uint64_t committed = 0;

    if (conns == NULL || segs == NULL || live == NULL) {
        fprintf(stderr, "gen_bench: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < k; i++) {
        conns[i].script = segs + i * MAX_SCRIPT;
        script_new(&g, &conns[i]);
        committed += conns[i].n;
        live[i] = (uint32_t)i;
    }
    g.ts_ns = 1700000000ull * 1000000000ull;
    while (nlive > 0) {
        size_t li = rng_below(&g, (uint32_t)nlive);
        struct conn *c = &conns[live[li]];

        write_packet(&g, c, &c->script[c->pos++]);
        /* Inter-arrival 1-19 us (mean 10 us: about 100,000 packets/s on the wire). */
        g.ts_ns += 1000ull * (1 + rng_below(&g, 19));
        if (c->pos < c->n)
            continue;
        if (committed < target) {
            script_new(&g, c);
            committed += c->n;
        } else {
            live[li] = live[--nlive];
        }
    }
    if (fclose(g.out) != 0) {
        fprintf(stderr, "gen_bench: %s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(stderr,
            "gen_bench: %llu packets, %llu connections (%zu concurrent slots), seed %llu, "
            "%.1f s of capture\n",
            (unsigned long long)g.written, (unsigned long long)g.conns_started, k,
            (unsigned long long)seed,
            (double)(g.ts_ns - 1700000000ull * 1000000000ull) / 1e9);
    for (int i = 0; i < 5; i++)
        fprintf(stderr, "  %-10s %llu\n", kind_names[i], (unsigned long long)g.kind_count[i]);
    fprintf(stderr, "  ipv6 %llu, vlan-tagged %llu, lost segments %llu (retransmitted %llu)\n",
            (unsigned long long)g.v6, (unsigned long long)g.vlan, (unsigned long long)g.lost,
            (unsigned long long)g.retrans);
    free(conns);
    free(segs);
    free(live);
    return 0;
}
