/* SPDX-License-Identifier: BSD-3-Clause */
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"

struct zeek {
    FILE *out;
    struct report_out o; /* rows are formatted into its buffer */
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
    char *p;

    /* whole lines only, never split across write(2) calls; -l flushes each */
    if (n < 0) {
        z->failed = true;
        return;
    }
    p = report_out_begin(&z->o, (size_t)n);
    memcpy(p, line, (size_t)n);
    report_out_end(&z->o, p + n);
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

static inline char *
put_str(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* A string column as %s wrote it ("-" when empty is the caller's choice). */
static inline char *
put_col(char *p, const char *s)
{
    return put_str(p, s, strlen(s));
}

/* "%" PRIu64 ".%06" PRIu64 of a microsecond count. */
static inline char *
put_us(char *p, uint64_t us)
{
    unsigned frac = (unsigned)(us % 1000000u);

    p += report_u64_put(p, us / 1000000u);
    *p++ = '.';
    memcpy(p, report_digits2 + frac / 10000u * 2, 2);
    memcpy(p + 2, report_digits2 + frac / 100u % 100u * 2, 2);
    memcpy(p + 4, report_digits2 + frac % 100u * 2, 2);
    return p + 6;
}

static inline char *
put_num(char *p, uint64_t v)
{
    return p + report_u64_put(p, v);
}

#define PUT_LIT(p, lit) put_str((p), "" lit, sizeof(lit) - 1)

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
    const char *uid = r->uid[0] ? r->uid : "-";
    const char *cs = s->conn_state[0] ? s->conn_state : "-";
    const char *hist = s->history[0] ? s->history : "-";
    size_t uid_len = strnlen(uid, sizeof(r->uid)), cs_len = strnlen(cs, sizeof(s->conn_state));
    size_t hist_len = strnlen(hist, sizeof(s->history));
    const char *proto = proto_name(r->proto);
    char *p;

    if (!z->header_done)
        header(z, r->start_ns);
    seen(z, r->end_ns);
    seen(z, r->now_ns);

    /*
     * Written by hand (snprintf was most of the cost of -T zeek), the same
     * bytes as the format
     * "%lu.%06lu\t%s\t%s\t%u\t%s\t%u\t%s\t-\t%s\t%s\t%s\t%s\t-\t-\t%lu\t%s\t%lu\t%lu\t%lu\t%lu\t-\n".
     * Beyond the three strings, a row has at most ~350 bytes: within the slack.
     */
    p = report_out_begin(&z->o, uid_len + cs_len + hist_len);
    p = put_us(p, start_us);
    *p++ = '\t';
    p = put_str(p, uid, uid_len);
    *p++ = '\t';
    p += report_addr_put(p, oh, r->ip_version);
    *p++ = '\t';
    p = put_num(p, op);
    *p++ = '\t';
    p += report_addr_put(p, rh, r->ip_version);
    *p++ = '\t';
    p = put_num(p, rp);
    *p++ = '\t';
    p = put_col(p, proto);
    p = PUT_LIT(p, "\t-\t");
    /* Zeek logs duration and the byte counts only when duration > 0 */
    if (last_us > start_us) {
        p = put_us(p, last_us - start_us);
        *p++ = '\t';
        p = put_num(p, s->zeek_orig_bytes);
        *p++ = '\t';
        p = put_num(p, s->zeek_resp_bytes);
    } else {
        p = PUT_LIT(p, "-\t-\t-");
    }
    *p++ = '\t';
    p = put_str(p, cs, cs_len);
    p = PUT_LIT(p, "\t-\t-\t");
    p = put_num(p, s->zeek_missed_bytes);
    *p++ = '\t';
    p = put_str(p, hist, hist_len);
    *p++ = '\t';
    p = put_num(p, opk);
    *p++ = '\t';
    p = put_num(p, oib);
    *p++ = '\t';
    p = put_num(p, rpk);
    *p++ = '\t';
    p = put_num(p, rib);
    p = PUT_LIT(p, "\t-\n");
    report_out_end(&z->o, p);
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
    report_out_init(&z->o, out, o);
    *priv = z;
    return 0;
}

static void
zeek_flush(void *priv)
{
    struct zeek *z = priv;

    if (report_out_flush(&z->o) != 0 || report_stream_flush(z->out) != 0)
        z->failed = true;
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
    /* always: after a write error it drops what stdio holds, so main's fclose writes nothing */
    if (report_out_flush(&z->o) != 0)
        rc = -1;
    if (report_stream_finish(z->out) != 0 || z->failed)
        rc = -1;
    report_out_fini(&z->o);
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
    .flush = zeek_flush,
    .ids = REPORT_ID_UID,
};
