/*
 * zeek_driver: throwaway comparison driver for the tcp_zeek module (NOT built
 * by make). Reads one capture with libpcap, decodes it with src/decode, keys
 * TCP connections by their 4-tuple in first-packet order (no splitting on
 * reuse or timeouts) and prints, per connection:
 *   orig_h orig_p resp_h resp_p conn_state history orig_bytes resp_bytes
 * Build: see doc/agreement-zeek.md.
 */
#include <config.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_zeek.h"

struct conn {
    struct pkt_meta first; /* first packet: defines key direction AB */
    struct tcp_zeek z;
};

static struct conn *conns;
static size_t n_conns, cap_conns;

static bool
same_addr(const struct ip_addr *a, const struct ip_addr *b)
{
    return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* Returns the connection of m and its direction (0 = as the first packet). */
static struct conn *
lookup(const struct pkt_meta *m, int *dir)
{
    for (size_t i = n_conns; i-- > 0;) {
        const struct pkt_meta *f = &conns[i].first;
        if (f->ip_version != m->ip_version)
            continue;
        if (same_addr(&f->src, &m->src) && same_addr(&f->dst, &m->dst) && f->sport == m->sport &&
            f->dport == m->dport) {
            *dir = FLOW_DIR_AB;
            return &conns[i];
        }
        if (same_addr(&f->src, &m->dst) && same_addr(&f->dst, &m->src) && f->sport == m->dport &&
            f->dport == m->sport) {
            *dir = FLOW_DIR_BA;
            return &conns[i];
        }
    }
    if (n_conns == cap_conns) {
        cap_conns = cap_conns ? cap_conns * 2 : 64;
        conns = realloc(conns, cap_conns * sizeof(*conns));
        if (conns == NULL)
            abort();
    }
    struct conn *c = &conns[n_conns++];
    c->first = *m;
    tcp_zeek_init(&c->z);
    *dir = FLOW_DIR_AB;
    return c;
}

int
main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct decode_stats st;
    struct decode_opts opts = {.verify_checksums = argc > 2 && strcmp(argv[2], "-c") == 0};

    if (argc < 2) {
        fprintf(stderr, "usage: zeek_driver FILE [-c]\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO,
                                                        errbuf);
    if (p == NULL) {
        fprintf(stderr, "%s\n", errbuf);
        return 1;
    }
    memset(&st, 0, sizeof(st));
    int dlt = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(p, &h, &data) == 1) {
        struct pkt_meta m;
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
        if (decode_packet(dlt, data, h->caplen, h->len, ts, &opts, &m, &st) != DECODE_TCP)
            continue;
        int dir;
        struct conn *c = lookup(&m, &dir);
        tcp_zeek_step(&c->z, dir, &m);
    }
    pcap_close(p);

    for (size_t i = 0; i < n_conns; i++) {
        struct session_summary s;
        struct flow f;
        char a[64], b[64];
        const struct pkt_meta *fm = &conns[i].first;
        memset(&f, 0, sizeof(f));
        f.client_dir = FLOW_DIR_AB;
        memset(&s, 0, sizeof(s));
        tcp_zeek_summarize(&conns[i].z, &f, &s);
        ip_addr_str(&fm->src, fm->ip_version, a, sizeof(a));
        ip_addr_str(&fm->dst, fm->ip_version, b, sizeof(b));
        if (s.zeek_orig_is_client)
            printf("%s\t%u\t%s\t%u", a, fm->sport, b, fm->dport);
        else
            printf("%s\t%u\t%s\t%u", b, fm->dport, a, fm->sport);
        printf("\t%s\t%s\t%llu\t%llu\n", s.conn_state, s.history,
               (unsigned long long)s.zeek_orig_bytes, (unsigned long long)s.zeek_resp_bytes);
    }
    free(conns);
    return 0;
}
