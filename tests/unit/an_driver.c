/*
 * an_driver: agreement harness for tcp_analysis against tshark (not built by
 * make; see the build line below). Reads a capture with libpcap, decodes it
 * with src/decode, groups TCP segments into conversations the way tshark 4.0
 * numbers tcp.stream (symmetric 4-tuple; a bare SYN with a new ISN starts a new
 * stream), runs tcp_an_step() on each and prints, per stream, the address
 * tuple (A = sender of the first packet) and the summed flag counters in the
 * column order of <capture>.tshark-analysis.tsv. With AN_TRACE=1 in the
 * environment it also prints, per packet, the flags that packet added.
 *
 *   gcc -std=c11 -D_DEFAULT_SOURCE -Isrc -I. tests/unit/an_driver.c \
 *       src/tcp/tcp_analysis.c src/decode/[a-z]*.c src/util/stats.c -lpcap -o an_driver
 */
#include <config.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "tcp/tcp_analysis.h"

struct stream {
    struct ip_addr a, b;
    uint16_t pa, pb;
    uint8_t ipv;
    int dead; /* superseded by a reuse */
    int isn_set[2];
    uint32_t isn[2]; /* tshark base_seq: first seq, or seq - 1 without SYN */
    uint64_t frames;
    struct tcp_an an;
};

static struct stream *streams;
static size_t n_streams, cap_streams;

static int
ends_eq(const struct stream *s, const struct pkt_meta *m, int *dir)
{
    if (s->ipv != m->ip_version)
        return 0;
    if (!memcmp(&s->a, &m->src, sizeof(s->a)) && !memcmp(&s->b, &m->dst, sizeof(s->b)) &&
        s->pa == m->sport && s->pb == m->dport) {
        *dir = FLOW_DIR_AB;
        return 1;
    }
    if (!memcmp(&s->b, &m->src, sizeof(s->a)) && !memcmp(&s->a, &m->dst, sizeof(s->b)) &&
        s->pb == m->sport && s->pa == m->dport) {
        *dir = FLOW_DIR_BA;
        return 1;
    }
    return 0;
}

static struct stream *
stream_new(const struct pkt_meta *m)
{
    if (n_streams == cap_streams) {
        cap_streams = cap_streams ? cap_streams * 2 : 64;
        streams = realloc(streams, cap_streams * sizeof(*streams));
        if (streams == NULL)
            abort();
    }
    struct stream *s = &streams[n_streams++];
    memset(s, 0, sizeof(*s));
    s->a = m->src;
    s->b = m->dst;
    s->pa = m->sport;
    s->pb = m->dport;
    s->ipv = m->ip_version;
    tcp_an_init(&s->an);
    return s;
}

static void
sum_flags(const struct tcp_an *an, uint32_t v[10])
{
    memset(v, 0, 10 * sizeof(v[0]));
    for (int i = 0; i < 2; i++) {
        const struct tcp_an_dir *d = &an->d[i];
        v[0] += d->retransmits;
        v[1] += d->fast_retransmits;
        v[2] += d->spurious_retransmits;
        v[3] += d->out_of_order;
        v[4] += d->lost_segments;
        v[5] += d->dup_acks;
        v[6] += d->zero_windows;
        v[7] += d->zero_window_probes;
        v[8] += d->window_full;
        v[9] += d->keepalives;
    }
}

static const char *const names[10] = {
    "retransmission", "fast_retransmission", "spurious_retransmission",
    "out_of_order",   "lost_segment",        "duplicate_ack",
    "zero_window",    "zero_window_probe",   "window_full",
    "keep_alive",
};

int
main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: an_driver CAPTURE\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
    if (p == NULL) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int trace = getenv("AN_TRACE") != NULL;
    int dlt = pcap_datalink(p);
    struct decode_opts dopts = {.verify_checksums = false};
    struct decode_stats st;
    memset(&st, 0, sizeof(st));
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t frame = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        frame++;
        struct pkt_meta m;
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
        if (decode_packet(dlt, data, h->caplen, h->len, ts, &dopts, &m, &st) != DECODE_TCP)
            continue;
        struct stream *s = NULL;
        int dir = 0;
        for (size_t i = n_streams; i-- > 0;) {
            if (!streams[i].dead && ends_eq(&streams[i], &m, &dir)) {
                s = &streams[i];
                break;
            }
        }
        /* tshark 4.0: a bare SYN with another ISN than the stream's starts a new one. */
        if (s != NULL && (m.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && s->isn_set[dir] &&
            s->isn[dir] != m.seq) {
            s->dead = 1;
            s = NULL;
        }
        if (s == NULL) {
            s = stream_new(&m);
            dir = FLOW_DIR_AB;
        }
        if (!s->isn_set[dir]) {
            s->isn_set[dir] = 1;
            s->isn[dir] = (m.flags & TCP_SYN) ? m.seq : m.seq - 1;
        }
        uint32_t before[10], after[10];
        sum_flags(&s->an, before);
        tcp_an_step(&s->an, NULL, dir, &m, frame);
        s->frames++;
        if (trace) {
            sum_flags(&s->an, after);
            printf("#%llu\t%zu", (unsigned long long)frame, (size_t)(s - streams));
            for (int k = 0; k < 10; k++)
                if (after[k] != before[k])
                    printf("\t%s", names[k]);
            printf("\n");
        }
    }
    printf("stream\taddr_a\tport_a\taddr_b\tport_b\tframes\tpayload\tunique");
    for (int k = 0; k < 10; k++)
        printf("\t%s", names[k]);
    printf("\n");
    for (size_t i = 0; i < n_streams; i++) {
        char ba[64], bb[64];
        const struct stream *s = &streams[i];
        uint32_t v[10];
        sum_flags(&s->an, v);
        uint64_t uniq = s->an.d[0].unique_bytes + s->an.d[1].unique_bytes;
        uint64_t pay = uniq + s->an.d[0].retrans_bytes + s->an.d[1].retrans_bytes;
        printf("%zu\t%s\t%u\t%s\t%u\t%llu\t%llu\t%llu", i,
               ip_addr_str(&s->a, s->ipv, ba, sizeof(ba)), s->pa,
               ip_addr_str(&s->b, s->ipv, bb, sizeof(bb)), s->pb, (unsigned long long)s->frames,
               (unsigned long long)pay, (unsigned long long)uniq);
        for (int k = 0; k < 10; k++)
            printf("\t%u", v[k]);
        printf("\n");
    }
    pcap_close(p);
    free(streams);
    return 0;
}
