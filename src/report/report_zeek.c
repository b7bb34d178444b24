/*
 * report_zeek: Zeek conn.log in the ASCII writer's TSV form (-T zeek), so
 * zeek-cut and Zeek log parsers read it unchanged. Only ended connections
 * are logged (conn.log has no live updates and no stats), one row each in
 * delivery order.
 *
 * The header is written before the first row; its #open time is that row's
 * start time and #close is the latest capture time seen (rows' end and
 * "now" times and the stats record), both in UTC. A run without connections
 * still gets a complete header and #close, so the file is never empty.
 * Zeek's own roles (orig/resp) can differ from ours: when the summary says
 * !zeek_orig_is_client the address, port, packet and IP-byte columns swap.
 */
#include <config.h>

#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/xalloc.h"

struct zeek {
    FILE *out;
    bool line_buffered;
    bool header_done;
    bool failed;
    uint64_t last_ns; /* latest capture time seen, for #close */
};

static void
zeek_time(uint64_t ns, char *buf, size_t len)
{
    time_t secs = (time_t)(ns / 1000000000u);
    struct tm tm;

    if (gmtime_r(&secs, &tm) == NULL || strftime(buf, len, "%Y-%m-%d-%H-%M-%S", &tm) == 0)
        snprintf(buf, len, "1970-01-01-00-00-00");
}

static void
put_line(struct zeek *z, const char *line, int n)
{
    /* whole lines only, never split across write(2) calls; -l flushes each */
    if (n < 0 || report_write_line(z->out, line, (size_t)n, z->line_buffered) != 0)
        z->failed = true;
}

static void
header(struct zeek *z, uint64_t open_ns)
{
    char t[32], buf[1024];
    int n;

    zeek_time(open_ns, t, sizeof(t));
    n = snprintf(buf, sizeof(buf),
                 "#separator \\x09\n"
                 "#set_separator\t,\n"
                 "#empty_field\t(empty)\n"
                 "#unset_field\t-\n"
                 "#path\tconn\n"
                 "#open\t%s\n"
                 "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p"
                 "\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state"
                 "\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts"
                 "\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
                 "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring"
                 "\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring"
                 "\tcount\tcount\tcount\tcount\tset[string]\n",
                 t);
    put_line(z, buf, n < (int)sizeof(buf) ? n : -1);
    z->header_done = true;
}

static void
seen(struct zeek *z, uint64_t ns)
{
    if (ns > z->last_ns)
        z->last_ns = ns;
}

static const char *
proto_name(uint8_t proto)
{
    switch (proto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    default:
        return "unknown_transport";
    }
}

static void
zeek_flow_end(void *priv, const struct flow_record *r)
{
    struct zeek *z = priv;
    const struct session_summary *s = &r->s;
    bool swap = !s->zeek_orig_is_client;
    const struct ip_addr *oh = swap ? &r->dest_ip : &r->src_ip;
    const struct ip_addr *rh = swap ? &r->src_ip : &r->dest_ip;
    uint16_t op = swap ? r->dest_port : r->src_port;
    uint16_t rp = swap ? r->src_port : r->dest_port;
    uint64_t opk = swap ? r->pkts_toclient : r->pkts_toserver;
    uint64_t rpk = swap ? r->pkts_toserver : r->pkts_toclient;
    uint64_t oib = swap ? r->ip_bytes_toclient : r->ip_bytes_toserver;
    uint64_t rib = swap ? r->ip_bytes_toserver : r->ip_bytes_toclient;
    uint64_t last_ns = s->zeek_last_ts_ns != 0 ? s->zeek_last_ts_ns : r->end_ns;
    /* both ends truncated to microseconds, as Zeek's %.6f of pcap times */
    uint64_t start_us = r->start_ns / 1000u, last_us = last_ns / 1000u;
    char oa[64], ra[64], dur[32], ob[24], rb[24];
    char line[768];
    int n;

    if (!z->header_done)
        header(z, r->start_ns);
    seen(z, r->end_ns);
    seen(z, r->now_ns);

    /* Zeek logs duration and the byte counts only when duration > 0 */
    if (last_us > start_us) {
        uint64_t d = last_us - start_us;
        snprintf(dur, sizeof(dur), "%" PRIu64 ".%06" PRIu64, d / 1000000u, d % 1000000u);
        snprintf(ob, sizeof(ob), "%" PRIu64, s->zeek_orig_bytes);
        snprintf(rb, sizeof(rb), "%" PRIu64, s->zeek_resp_bytes);
    } else {
        snprintf(dur, sizeof(dur), "-");
        snprintf(ob, sizeof(ob), "-");
        snprintf(rb, sizeof(rb), "-");
    }
    report_addr_str(oh, r->ip_version, oa, sizeof(oa));
    report_addr_str(rh, r->ip_version, ra, sizeof(ra));

    /* every field is bounded (addresses 45, history 47, numbers 20): one line
     * fits */
    n = snprintf(
        line, sizeof(line),
        "%" PRIu64 ".%06" PRIu64 "\t%s\t%s\t%u\t%s\t%u\t%s\t-\t%s\t%s\t%s\t%s\t-\t-\t%" PRIu64
        "\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t-\n",
        start_us / 1000000u, start_us % 1000000u, r->uid[0] ? r->uid : "-", oa, (unsigned)op, ra,
        (unsigned)rp, proto_name(r->proto), dur, ob, rb, s->conn_state[0] ? s->conn_state : "-",
        s->zeek_missed_bytes, s->history[0] ? s->history : "-", opk, oib, rpk, rib);
    put_line(z, line, n < (int)sizeof(line) ? n : -1);
}

/* conn.log carries no counters; the stats time only moves #close. */
static void
zeek_stats(void *priv, const struct stats_record *st)
{
    seen(priv, st->ts_ns);
}

static int
zeek_open(void **priv, FILE *out, const struct report_opts *o, char *err)
{
    struct zeek *z = xcalloc(1, sizeof(*z));

    (void)err;
    z->out = out;
    z->line_buffered = o != NULL && o->line_buffered;
    *priv = z;
    return 0;
}

static int
zeek_close(void *priv)
{
    struct zeek *z = priv;
    char t[32], buf[64];
    int rc = 0, n;

    if (z == NULL)
        return 0;
    if (!z->header_done)
        header(z, z->last_ns);
    zeek_time(z->last_ns, t, sizeof(t));
    n = snprintf(buf, sizeof(buf), "#close\t%s\n", t);
    put_line(z, buf, n);
    if (fflush(z->out) != 0 || ferror(z->out) || z->failed)
        rc = -1;
    free(z);
    return rc;
}

const struct reporter_ops report_zeek_ops = {
    .name = "zeek",
    .open = zeek_open,
    .flow_end = zeek_flow_end,
    .flow_update = NULL,
    .stuck = NULL,
    .stats = zeek_stats,
    .close = zeek_close,
};
