/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_json: the EVE writer (-T eve / --json). NDJSON, one object per
 * line, Suricata-compatible "flow" records extended with a "session" object,
 * plus "flow_update", "tcp_stuck" and one "stats" record. The only file in
 * flowstate that includes <jansson.h>.
 *
 * Invariants:
 *  - key order is fixed: objects are built in one order and dumped with
 *    JSON_PRESERVE_ORDER, so output never depends on jansson's hash seed;
 *  - seconds are truncated to microseconds and written in fixed point with
 *    trailing zeros trimmed and one decimal kept (0.000123, 1.5, 12.0);
 *  - a record is either written whole (formatted into the report_out
 *    buffer and handed on as whole lines, so never split across write(2)
 *    calls) or not at all: any jansson failure while building drops the
 *    record and makes close() return -1.
 * Called by the engine through report_eve_ops; all records are borrowed.
 * It also reads EVE back for --merge-stats (report_eve_merge_stats): the
 * final stats records of a --shard run's N outputs, merged by stats_merge.c
 * and written with the same code as a run's own record.
 */
#include <config.h>

#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "report/stats_merge.h"
#include "util/log.h"
#include "util/xalloc.h"

#define EVE_DUMP_FLAGS (JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(15))

/* A counter of the previous stats record, for the <counter>_delta keys. */
struct eve_prev {
    char *path; /* owned */
    uint64_t value;
};

struct eve {
    FILE *out;
    bool failed;         /* a record was dropped */
    struct report_out o; /* records are formatted into its buffer */
    bool deltas;         /* report_opts.stats_deltas */
    struct eve_prev *prev; /* the previous stats record's counters, in its order */
    size_t n_prev;
};

/*
 * Sticky-failure builder: every insertion goes through put(), which consumes
 * the value (jansson's _new rule, also when it is NULL) and remembers any
 * failure, so the builders read straight through and are tested once.
 */
struct jb {
    bool fail;
};

static void
put(struct jb *b, json_t *obj, const char *key, json_t *val)
{
    if (obj == NULL || val == NULL) {
        json_decref(val);
        b->fail = true;
        return;
    }
    if (json_object_set_new(obj, key, val) != 0)
        b->fail = true;
}

static json_t *
jnum(uint64_t v)
{
    return json_integer((json_int_t)(v > INT64_MAX ? INT64_MAX : v));
}

static json_t *
jtime(uint64_t ns)
{
    char buf[40];

    return json_string(report_iso8601(ns, buf, sizeof(buf)));
}

static void
emit(struct eve *e, json_t *root, struct jb *b)
{
    char *text = NULL, *p;
    size_t n;

    if (b->fail || root == NULL)
        goto fail;
    if ((text = json_dumps(root, EVE_DUMP_FLAGS)) == NULL)
        goto fail;
    n = strlen(text);
    p = report_out_begin(&e->o, n + 1);
    memcpy(p, text, n);
    p[n] = '\n';
    report_out_end(&e->o, p + n + 1);
    goto out;
fail:
    e->failed = true;
out:
    free(text);
    json_decref(root);
}

/*
 * The flow record is written by hand, straight into the output buffer: it
 * is the hot path of -T eve (one record per connection, ~130 members), and
 * building it as a jansson tree cost ~30 us per record in allocations alone.
 * The record has a fixed shape, so it is written as runs of constant JSON
 * text (keys with their separators, brackets, literal values) between the
 * values; the few members that may be absent or repeat keep their own
 * separator logic. Every string value that does not come from a name table
 * goes through jw_str(); the rarely written stats record still uses jansson.
 *
 * The put_* helpers write at a cursor without checking room: the cursor is
 * a local (char stores through a struct member would make the compiler
 * reload it after every byte), and room is made at checkpoints instead.
 * report_out_room() leaves REPORT_OUT_SLACK (1024) bytes beyond what it is
 * asked for, and every run of put_* calls between two checkpoints (jw_str,
 * jw_name, jw_room) writes fewer than 700 bytes: the longest is the fixed
 * part of an endpoint, 19 keys of at most 24 bytes and 18 numbers of at
 * most 20 digits. Loops and variable-length text make their own room.
 */
static inline char *
jw_room(struct eve *e, char *p, size_t more)
{
    return report_out_room(&e->o, p, more);
}

static inline char *
put_raw(char *p, const char *s, size_t len)
{
    memcpy(p, s, len);
    return p + len;
}

/*
 * A string literal's bytes with their length taken at compile time, so the
 * copy is a few fixed-size moves rather than strlen + memcpy. A macro because
 * only sizeof on the literal itself knows the length.
 */
#define PUT_LIT(p, lit) put_raw((p), "" lit, sizeof(lit) - 1)
/* Separator and key of a member that is never the first of its object. */
#define PUT_KEY(p, key) PUT_LIT(p, ",\"" key "\":")

static inline char *
put_u64(char *p, uint64_t v)
{
    return p + report_u64_put(p, v);
}

static inline char *
put_bool(char *p, bool v)
{
    return v ? PUT_LIT(p, "true") : PUT_LIT(p, "false");
}

/*
 * Seconds from nanoseconds, truncated to microseconds, in fixed point with
 * trailing zeros trimmed but one decimal kept: 0.000123, 1.5, 12.0. Never an
 * exponent, so every consumer parses the same value. At most 27 bytes.
 */
static inline char *
put_secs(char *p, uint64_t ns)
{
    uint64_t us = ns / 1000u;
    unsigned frac = (unsigned)(us % 1000000u);
    size_t n = 6;

    p = put_u64(p, us / 1000000u);
    *p++ = '.';
    if (frac == 0) {
        *p++ = '0';
        return p;
    }
    /* all six digits, then drop the trailing zeros (at most five: frac != 0) */
    memcpy(p, report_digits2 + frac / 10000u * 2, 2);
    memcpy(p + 2, report_digits2 + frac / 100u % 100u * 2, 2);
    memcpy(p + 4, report_digits2 + frac % 100u * 2, 2);
    while (p[n - 1] == '0')
        n--;
    return p + n;
}

/* Quoted ISO 8601 time, at most 33 bytes. */
static inline char *
put_time(char *p, uint64_t ns)
{
    *p++ = '"';
    p += report_iso8601_put(p, ns);
    *p++ = '"';
    return p;
}

/* Quoted text that needs no escaping (our own formatting). */
static inline char *
put_quoted(char *p, const char *s, size_t n)
{
    *p++ = '"';
    memcpy(p, s, n);
    p[n] = '"';
    return p + n + 1;
}

/* Quoted hex flags, at most 6 bytes. */
static inline char *
put_flags(char *p, uint16_t flags)
{
    *p++ = '"';
    p += report_tcp_flags_hex_put(p, flags);
    *p++ = '"';
    return p;
}

/* Quoted address, at most 47 bytes. */
static inline char *
put_addr(char *p, const struct ip_addr *a, uint8_t version)
{
    *p++ = '"';
    p += report_addr_put(p, a, version);
    *p++ = '"';
    return p;
}

/* Bytes that go into a JSON string unchanged: not '"', '\\', a control character or NUL. */
static const unsigned char jw_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x80 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x90 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xa0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xb0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xc0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xd0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xe0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xf0 */
};

/*
 * The general case of jw_str(): runs that need no escaping are copied in
 * one go, '"' and '\\' get a backslash and control characters \u00xx
 * (lower-case hex); bytes from 0x7f up are copied as they are. Room: six
 * bytes per input byte at most, made up front.
 */
static char *
jw_str_escaped(struct eve *e, char *p, const char *s)
{
    static const char hex[] = "0123456789abcdef";

    p = jw_room(e, p, strlen(s) * 6 + 2);
    *p++ = '"';
    for (;; s++) {
        unsigned char c = (unsigned char)*s;

        if (jw_plain[c]) {
            *p++ = (char)c;
        } else if (c == '\0') {
            break;
        } else if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else {
            p = PUT_LIT(p, "\\u00");
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p++ = '"';
    return p;
}

/*
 * A quoted string value (a checkpoint). Every string we write is a name, a
 * state or a Zeek history: the scan finds nothing to escape and the string
 * is copied whole; anything else takes jw_str_escaped().
 */
static inline char *
jw_str(struct eve *e, char *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = 0;

    while (jw_plain[u[n]])
        n++;
    if (u[n] != '\0')
        return jw_str_escaped(e, p, s);
    p = jw_room(e, p, n + 2);
    return put_quoted(p, s, n);
}

/* A name from a table, or null (a checkpoint). */
static inline char *
jw_name(struct eve *e, char *p, const char *name)
{
    if (name != NULL)
        return jw_str(e, p, name);
    return PUT_LIT(jw_room(e, p, 0), "null");
}

static char *
put_rtt(char *p, const struct tcp_rtt *r)
{
    if (r->samples == 0)
        return PUT_LIT(p, "null");
    p = PUT_LIT(p, "{\"samples\":");
    p = put_u64(p, r->samples);
    p = PUT_KEY(p, "min");
    p = put_secs(p, r->min_ns);
    p = PUT_KEY(p, "avg");
    p = put_secs(p, r->sum_ns / r->samples);
    p = PUT_KEY(p, "max");
    p = put_secs(p, r->max_ns);
    *p++ = '}';
    return p;
}

static char *
jw_endpoint(struct eve *e, char *p, const struct tcp_endpoint_summary *ep)
{
    bool first = true;
    int k;

    p = PUT_LIT(p, "{\"state\":");
    p = jw_name(e, p, tcp_state_name((enum tcp_state_id)ep->state));
    p = PUT_KEY(p, "isn");
    p = ep->isn_known ? put_u64(p, ep->isn) : PUT_LIT(p, "null");
    p = PUT_KEY(p, "mss");
    p = ep->mss != 0 ? put_u64(p, ep->mss) : PUT_LIT(p, "null");
    p = PUT_KEY(p, "wscale");
    p = ep->wscale >= 0 ? put_u64(p, (uint64_t)ep->wscale) : PUT_LIT(p, "null");
    p = PUT_KEY(p, "sack_ok");
    p = put_bool(p, ep->sack_ok);
    p = PUT_KEY(p, "packets");
    p = put_u64(p, ep->packets);
    p = PUT_KEY(p, "payload_bytes");
    p = put_u64(p, ep->payload_bytes);
    p = PUT_KEY(p, "unique_bytes");
    p = put_u64(p, ep->unique_bytes);
    p = PUT_KEY(p, "retransmitted_bytes");
    p = put_u64(p, ep->retransmitted_bytes);
    p = PUT_KEY(p, "retransmits");
    p = put_u64(p, ep->retransmits);
    p = PUT_KEY(p, "fast_retransmits");
    p = put_u64(p, ep->fast_retransmits);
    p = PUT_KEY(p, "spurious_retransmits");
    p = put_u64(p, ep->spurious_retransmits);
    p = PUT_KEY(p, "out_of_order");
    p = put_u64(p, ep->out_of_order);
    p = PUT_KEY(p, "lost_segments");
    p = put_u64(p, ep->lost_segments);
    p = PUT_KEY(p, "dup_acks");
    p = put_u64(p, ep->dup_acks);
    p = PUT_KEY(p, "zero_windows");
    p = put_u64(p, ep->zero_windows);
    p = PUT_KEY(p, "zero_window_probes");
    p = put_u64(p, ep->zero_window_probes);
    p = PUT_KEY(p, "window_full");
    p = put_u64(p, ep->window_full);
    p = PUT_KEY(p, "keepalives");
    p = put_u64(p, ep->keepalives);
    p = PUT_KEY(p, "missed_bytes");
    p = put_u64(p, ep->missed_bytes);
    /* tcp_ep_event names of the events the capture missed and tcp_state inferred */
    p = PUT_LIT(p, ",\"inferred\":[");
    if (ep->inferred & TCP_INFERRED_SYNACK)
        p = PUT_LIT(p, "\"send_synack\"");
    if (ep->inferred & TCP_INFERRED_FIN)
        p = (ep->inferred & TCP_INFERRED_SYNACK) ? PUT_LIT(p, ",\"send_fin\"")
                                                 : PUT_LIT(p, "\"send_fin\"");
    *p++ = ']';
    p = PUT_LIT(p, ",\"violations\":{");
    for (k = 0; k < TV_COUNT; k++) {
        const char *name;
        size_t len;

        if (ep->violations[k] == 0) /* nearly always: look the name up only when needed */
            continue;
        if ((name = tcp_violation_name((enum tcp_violation)k)) == NULL)
            continue;
        /* names are [a-z_] identifiers from a table: written as keys unescaped */
        len = strlen(name);
        p = jw_room(e, p, len + 4 + REPORT_U64_MAX_DIGITS);
        if (!first)
            *p++ = ',';
        first = false;
        *p++ = '"';
        p = put_raw(p, name, len);
        p = PUT_LIT(p, "\":");
        p = put_u64(p, ep->violations[k]);
    }
    return PUT_LIT(p, "}}");
}

static char *
jw_session(struct eve *e, char *p, const struct flow_record *r)
{
    const struct session_summary *s = &r->s;
    unsigned i;

    p = jw_room(e, p, 0);
    p = PUT_LIT(p, ",\"session\":{\"client\":");
    p = jw_endpoint(e, p, &s->client);
    p = jw_room(e, p, 0);
    p = PUT_KEY(p, "server");
    p = jw_endpoint(e, p, &s->server);
    p = PUT_KEY(p, "handshake");
    p = jw_name(e, p, tcp_handshake_name((enum tcp_handshake)s->handshake));
    p = PUT_KEY(p, "close");
    p = jw_name(e, p, tcp_close_name((enum tcp_close)s->close));
    p = PUT_KEY(p, "conn_state");
    p = jw_str(e, p, s->conn_state);
    p = PUT_KEY(p, "history");
    p = jw_str(e, p, s->history);
    p = PUT_KEY(p, "midstream");
    p = put_bool(p, s->midstream);
    p = PUT_KEY(p, "roles_guessed");
    p = put_bool(p, r->roles_guessed || s->roles_guessed);

    p = PUT_LIT(p, ",\"rtt\":{\"handshake\":");
    p = s->handshake_rtt_ns != 0 ? put_secs(p, s->handshake_rtt_ns) : PUT_LIT(p, "null");
    p = PUT_KEY(p, "client");
    p = put_rtt(p, &s->client.rtt);
    p = PUT_KEY(p, "server");
    p = put_rtt(p, &s->server.rtt);
    *p++ = '}';

    p = PUT_KEY(p, "stuck");
    if (s->stuck == TCP_STUCK_NONE) {
        p = PUT_LIT(p, "null");
    } else {
        uint64_t age = r->now_ns > s->stuck_since_ns ? r->now_ns - s->stuck_since_ns : 0;

        p = PUT_LIT(p, "{\"kind\":");
        p = jw_name(e, p, tcp_stuck_name((enum tcp_stuck_kind)s->stuck));
        p = PUT_KEY(p, "since");
        p = put_time(p, s->stuck_since_ns);
        p = PUT_KEY(p, "age");
        p = put_secs(p, age);
        if (tcp_stuck_low_confidence(s))
            p = PUT_LIT(p, ",\"confidence\":\"capture_loss\"");
        *p++ = '}';
    }

    p = PUT_LIT(p, ",\"violations\":[");
    for (i = 0; i < s->n_examples && i < TCP_VIOLATION_KEEP; i++) {
        const struct tcp_violation_example *x = &s->examples[i];

        p = jw_room(e, p, 0);
        if (i > 0)
            *p++ = ',';
        p = PUT_LIT(p, "{\"kind\":");
        p = jw_name(e, p, tcp_violation_name((enum tcp_violation)x->kind));
        p = x->from_client ? PUT_LIT(p, ",\"from\":\"client\",\"pkt\":")
                           : PUT_LIT(p, ",\"from\":\"server\",\"pkt\":");
        p = put_u64(p, x->pkt_no);
        p = PUT_KEY(p, "timestamp");
        p = put_time(p, x->ts_ns);
        p = PUT_KEY(p, "expected");
        p = put_u64(p, x->expected);
        p = PUT_KEY(p, "seen");
        p = put_u64(p, x->seen);
        *p++ = '}';
    }
    return PUT_LIT(p, "]}");
}

/*
 * Suricata's JsonTcpFlags booleans, in its order; only the set ones appear.
 * Each member is separator, key and value, and all are 11 bytes long.
 */
static const struct {
    uint16_t bit;
    char member[sizeof(",\"syn\":true")];
} eve_flag_names[] = {
    {TCP_SYN, ",\"syn\":true"}, {TCP_FIN, ",\"fin\":true"}, {TCP_RST, ",\"rst\":true"},
    {TCP_PSH, ",\"psh\":true"}, {TCP_ACK, ",\"ack\":true"}, {TCP_URG, ",\"urg\":true"},
    {TCP_ECE, ",\"ecn\":true"}, {TCP_CWR, ",\"cwr\":true"},
};

/* flow, flow_update and tcp_stuck share one shape; r->event names it. */
static void
eve_flow(void *priv, const struct flow_record *r)
{
    struct eve *e = priv;
    uint16_t all = (uint16_t)(r->tcp_flags_ts | r->tcp_flags_tc);
    uint64_t start_s = r->start_ns / 1000000000u, end_s = r->end_ns / 1000000000u;
    char start[REPORT_ISO8601_MAX];
    size_t start_len = report_iso8601_put(start, r->start_ns), i;
    char *p = report_out_begin(&e->o, 0);

    /* when the record was made (logged), on the capture clock; flow.start is the start */
    p = PUT_LIT(p, "{\"timestamp\":");
    p = put_time(p, r->now_ns);
    p = PUT_KEY(p, "flow_id");
    p = put_u64(p, r->flow_id);
    p = PUT_KEY(p, "event_type");
    p = jw_str(e, p, r->event != NULL ? r->event : "flow");
    if (r->vlan_count > 0) {
        p = PUT_LIT(p, ",\"vlan\":[");
        for (i = 0; i < r->vlan_count && i < DECODE_MAX_VLAN; i++) {
            p = jw_room(e, p, 0);
            if (i > 0)
                *p++ = ',';
            p = put_u64(p, r->vlan[i]);
        }
        *p++ = ']';
    }
    p = PUT_KEY(p, "src_ip");
    p = put_addr(p, &r->src_ip, r->ip_version);
    p = PUT_KEY(p, "src_port");
    p = put_u64(p, r->src_port);
    p = PUT_KEY(p, "dest_ip");
    p = put_addr(p, &r->dest_ip, r->ip_version);
    p = PUT_KEY(p, "dest_port");
    p = put_u64(p, r->dest_port);
    p = PUT_KEY(p, "ip_v");
    p = put_u64(p, r->ip_version);
    p = r->proto == 6 ? PUT_LIT(p, ",\"proto\":\"TCP\"") : PUT_LIT(p, ",\"proto\":\"UNKNOWN\"");

    p = PUT_LIT(p, ",\"flow\":{\"pkts_toserver\":");
    p = put_u64(p, r->pkts_toserver);
    p = PUT_KEY(p, "pkts_toclient");
    p = put_u64(p, r->pkts_toclient);
    p = PUT_KEY(p, "bytes_toserver");
    p = put_u64(p, r->bytes_toserver);
    p = PUT_KEY(p, "bytes_toclient");
    p = put_u64(p, r->bytes_toclient);
    p = PUT_KEY(p, "start");
    p = put_quoted(p, start, start_len);
    p = PUT_KEY(p, "end");
    p = put_time(p, r->end_ns);
    /* Suricata: lastts seconds minus startts seconds */
    p = PUT_KEY(p, "age");
    p = put_u64(p, end_s > start_s ? end_s - start_s : 0);
    p = PUT_KEY(p, "state");
    p = jw_str(e, p, r->flow_state != NULL ? r->flow_state : "new");
    p = PUT_KEY(p, "reason");
    p = jw_name(e, p, flow_end_reason_name((enum flow_end_reason)r->reason));
    p = PUT_LIT(p, ",\"alerted\":false}");

    p = PUT_LIT(p, ",\"tcp\":{\"tcp_flags\":");
    p = put_flags(p, all);
    p = PUT_KEY(p, "tcp_flags_ts");
    p = put_flags(p, r->tcp_flags_ts);
    p = PUT_KEY(p, "tcp_flags_tc");
    p = put_flags(p, r->tcp_flags_tc);
    for (i = 0; i < sizeof(eve_flag_names) / sizeof(eve_flag_names[0]); i++)
        if (all & eve_flag_names[i].bit)
            p = put_raw(p, eve_flag_names[i].member, sizeof(eve_flag_names[i].member) - 1);
    if (r->has_session && r->s.suricata_state != NULL) {
        p = PUT_KEY(p, "state");
        p = jw_str(e, p, r->s.suricata_state);
    }
    /* Suricata's gap flags, in its order and only when set */
    if (r->has_session && r->s.server.missed_bytes != 0)
        p = PUT_LIT(p, ",\"tc_gap\":true");
    if (r->has_session && r->s.client.missed_bytes != 0)
        p = PUT_LIT(p, ",\"ts_gap\":true");
    *p++ = '}';

    if (r->community_id[0] != '\0') {
        p = PUT_KEY(p, "community_id");
        p = jw_str(e, p, r->community_id);
    }
    if (r->has_session)
        p = jw_session(e, p, r);
    p = PUT_LIT(p, "}\n");
    report_out_end(&e->o, p);
}

/*
 * Finds or creates the object for one dotted-path component under parent.
 * returns: borrowed, or NULL when the name is already a counter (a path that
 * is both a leaf and a prefix: the later item is dropped).
 */
static json_t *
child_object(struct jb *b, json_t *parent, const char *name)
{
    json_t *o = json_object_get(parent, name);

    if (o != NULL)
        return json_is_object(o) ? o : NULL;
    o = json_object();
    if (o == NULL || json_object_set_new(parent, name, o) != 0) {
        b->fail = true;
        return NULL;
    }
    return o;
}

/*
 * The previous record's value of `path`, 0 if it had none (a counter that is
 * shown only once non-zero). The order of the counters is the same from one
 * record to the next, with new ones inserted, so the search starts at the
 * previous match (*hint) and is linear only after an insertion.
 */
static uint64_t
prev_value(const struct eve *e, const char *path, size_t *hint)
{
    for (size_t k = 0; k < e->n_prev; k++) {
        size_t j = (*hint + k) % e->n_prev;

        if (strcmp(e->prev[j].path, path) == 0) {
            *hint = j + 1;
            return e->prev[j].value;
        }
    }
    return 0;
}

static void
prev_free(struct eve *e)
{
    for (size_t i = 0; i < e->n_prev; i++)
        free(e->prev[i].path);
    free(e->prev);
    e->prev = NULL;
    e->n_prev = 0;
}

/* Remembers this record's counters (the paths are borrowed for the call only). */
static void
prev_keep(struct eve *e, const struct stat_list *l)
{
    prev_free(e);
    if (l == NULL || l->n == 0)
        return;
    e->prev = xcalloc(l->n, sizeof(*e->prev));
    for (size_t i = 0; i < l->n; i++) {
        e->prev[i].path = xstrdup(l->items[i].path);
        e->prev[i].value = l->items[i].value;
    }
    e->n_prev = l->n;
}

/*
 * The whole stats record: timestamp (consumed), event type, the counters
 * nested on the dots. One definition for the run's own record and for
 * --merge-stats, so that a merge is byte for byte what one run writes.
 * With e (a run with --stats-interval), every counter gets a sibling
 * "<name>_delta": its change since the previous stats record, signed
 * (gauges such as flow.active go down), as Suricata's stats output writes
 * with `deltas: yes`; the first record's deltas are the values themselves.
 * --merge-stats passes the merged previous record the same way.
 * returns: owned (NULL after a failure, with b->fail set).
 */
static json_t *
stats_root(struct jb *b, json_t *timestamp, const struct stat_list *items, const struct eve *e)
{
    json_t *root = json_object(), *stats = json_object();
    size_t i, hint = 0;

    put(b, root, "timestamp", timestamp);
    put(b, root, "event_type", json_string("stats"));
    /* two passes: Suricata's objects first, then flowstate's own object, last */
    for (i = 0; items != NULL && i < 2 * items->n && !b->fail; i++) {
        const struct stat_item *it = &items->items[i % items->n];
        bool own = strncmp(it->path, STATS_OWN, sizeof(STATS_OWN) - 1) == 0;
        char *path, *name, *dot;
        json_t *cur = stats;

        if (own != (i >= items->n))
            continue;
        path = name = xstrdup(it->path);

        while (cur != NULL && (dot = strchr(name, '.')) != NULL) {
            *dot = '\0';
            cur = child_object(b, cur, name);
            name = dot + 1;
        }
        if (cur != NULL && json_object_get(cur, name) == NULL) {
            put(b, cur, name, jnum(it->value));
            if (e != NULL && e->deltas) {
                size_t len = strlen(name);
                char *dname = xmalloc(len + sizeof("_delta"));
                uint64_t was = prev_value(e, it->path, &hint);

                memcpy(dname, name, len);
                memcpy(dname + len, "_delta", sizeof("_delta"));
                /* two's complement: the signed change, also across a decrease */
                put(b, cur, dname, json_integer((json_int_t)(int64_t)(it->value - was)));
                free(dname);
            }
        }
        free(path);
    }
    put(b, root, "stats", stats);
    return root;
}

static void
eve_stats(void *priv, const struct stats_record *st)
{
    struct eve *e = priv;
    struct jb b = {false};
    json_t *root = stats_root(&b, jtime(st->ts_ns), st->items, e);

    emit(e, root, &b);
    if (e->deltas)
        prev_keep(e, st->items);
}

static int
eve_open(void **priv, FILE *out, const struct report_opts *o, char *err)
{
    struct eve *e = xcalloc(1, sizeof(*e));

    (void)err;
    /*
     * jansson seeds its object hash from /dev/urandom at the first
     * json_object(); do it now, while the file can still be opened (the
     * system-call filter comes next). A no-op once seeded.
     */
    json_object_seed(0);
    e->out = out;
    e->deltas = o->stats_deltas;
    report_out_init(&e->o, out, o);
    *priv = e;
    return 0;
}

static void
eve_flush(void *priv)
{
    struct eve *e = priv;

    if (report_out_flush(&e->o) != 0 || report_stream_flush(e->out) != 0)
        e->failed = true;
}

static int
eve_close(void *priv)
{
    struct eve *e = priv;
    int rc = 0;

    if (e == NULL)
        return 0;
    /* always: after a write error it drops what stdio holds, so main's fclose writes nothing */
    if (report_out_flush(&e->o) != 0)
        rc = -1;
    if (report_stream_finish(e->out) != 0 || e->failed)
        rc = -1;
    report_out_fini(&e->o);
    prev_free(e);
    free(e);
    return rc;
}

const struct reporter_ops report_eve_ops = {
    .name = "eve",
    .open = eve_open,
    .flow_end = eve_flow,
    .flow_update = eve_flow,
    .stuck = eve_flow,
    .stats = eve_stats,
    .close = eve_close,
    .flush = eve_flush,
    .ids = REPORT_ID_FLOW_ID | REPORT_ID_COMMUNITY,
};

/* ---- --merge-stats: reading EVE back --------------------------------------------- */

/* True if key is "<name>_delta" and obj also has <name> (a --stats-interval sibling). */
static bool
is_delta_sibling(json_t *obj, const char *key)
{
    size_t len = strlen(key), dl = sizeof("_delta") - 1;
    char *base;
    bool r;

    if (len <= dl || strcmp(key + len - dl, "_delta") != 0)
        return false;
    base = xstrdup(key);
    base[len - dl] = '\0';
    r = json_object_get(obj, base) != NULL;
    free(base);
    return r;
}

/* Flattens obj's counters into sh as dotted paths under prefix (document order). */
static int
flatten(json_t *obj, const char *prefix, struct stats_shard *sh, bool *deltas, char *err)
{
    const char *key;
    json_t *v;

    json_object_foreach (obj, key, v) {
        size_t n = strlen(prefix) + strlen(key) + 2;
        char *path = xmalloc(n);
        int rc = 0;

        snprintf(path, n, "%s%s%s", prefix, *prefix != '\0' ? "." : "", key);
        if (is_delta_sibling(obj, key)) {
            /* <name>_delta: derived from the previous record, not merged */
            *deltas = true;
        } else if (json_is_object(v)) {
            rc = flatten(v, path, sh, deltas, err);
        } else if (json_is_integer(v) && json_integer_value(v) >= 0) {
            stats_shard_add(sh, path, (uint64_t)json_integer_value(v));
        } else {
            errbuf_printf(err, "%s: stats.%s is not a counter (a non-negative integer)", sh->name,
                          path);
            rc = -1;
        }
        free(path);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/*
 * Reads one shard's EVE output and keeps its last stats record (the final
 * one) in sh and the one before it, if any, in prev (a run with
 * --stats-interval writes one every interval; *deltas says whether the last
 * record has <counter>_delta siblings). Only lines that can be a stats
 * record are parsed: a shard's file holds a record per connection.
 */
static int
read_shard(const char *file, struct stats_shard *sh, struct stats_shard *prev, bool *deltas,
           char *err)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t lineno = 0, found = 0;
    json_t *last = NULL, *before = NULL;
    bool prev_deltas = false;
    int rc = -1;

    if (f == NULL) {
        errbuf_printf(err, "%s: %s", file, strerror(errno));
        return -1;
    }
    while ((len = getline(&line, &cap, f)) > 0) {
        json_t *rec, *et;
        json_error_t je;

        lineno++;
        if (strstr(line, "\"event_type\":\"stats\"") == NULL)
            continue;
        if ((rec = json_loadb(line, (size_t)len, 0, &je)) == NULL) {
            errbuf_printf(err, "%s:%llu: not a JSON record (%s): a cut-off file?", file,
                          (unsigned long long)lineno, je.text);
            goto out;
        }
        et = json_object_get(rec, "event_type");
        if (!json_is_string(et) || strcmp(json_string_value(et), "stats") != 0 ||
            !json_is_object(json_object_get(rec, "stats"))) {
            json_decref(rec);
            continue;
        }
        json_decref(before);
        before = last;
        last = rec;
        found = lineno;
    }
    if (ferror(f)) {
        errbuf_printf(err, "%s: %s", file, strerror(errno));
        goto out;
    }
    if (last == NULL) {
        errbuf_printf(err, "%s: no stats record (not -T eve output, or the run did not finish)",
                      file);
        goto out;
    }
    if (found != lineno) {
        errbuf_printf(err, "%s:%llu: the stats record is not the last line: not one run's output?",
                      file, (unsigned long long)found);
        goto out;
    }
    if (json_is_string(json_object_get(last, "timestamp")))
        sh->timestamp = xstrdup(json_string_value(json_object_get(last, "timestamp")));
    rc = flatten(json_object_get(last, "stats"), "", sh, deltas, err);
    if (rc == 0 && before != NULL)
        rc = flatten(json_object_get(before, "stats"), "", prev, &prev_deltas, err);
out:
    json_decref(before);
    json_decref(last);
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

int
report_eve_merge_stats(const char *const *files, size_t n, FILE *out, char *err)
{
    struct stats_shard *sh = xcalloc(n + 1, sizeof(*sh)), *prev = xcalloc(n + 1, sizeof(*prev));
    struct stat_list merged, merged_prev;
    struct eve before = {0};
    struct jb b = {false};
    json_t *root = NULL;
    char *text = NULL;
    size_t i, got = 0, with_prev = 0;
    bool deltas0 = false;
    int rc = -1;

    stat_list_init(&merged);
    stat_list_init(&merged_prev);
    for (i = 0; i < n; i++) {
        bool deltas = false;

        stats_shard_init(&sh[i], files[i]);
        stats_shard_init(&prev[i], files[i]);
        got = i + 1;
        if (read_shard(files[i], &sh[i], &prev[i], &deltas, err) < 0)
            goto out;
        if (i == 0)
            deltas0 = deltas;
        with_prev += prev[i].items.n > 0;
        if (deltas != deltas0 || (prev[i].items.n > 0) != (prev[0].items.n > 0)) {
            errbuf_printf(err,
                          "%s: its stats records differ in number or form from %s's: the shards "
                          "did not read the same input with the same options",
                          files[i], files[0]);
            goto out;
        }
    }
    if (stats_merge(sh, n, &merged, err) < 0)
        goto out;
    /*
     * Every shard reads every packet, so their stats records fall on the same
     * capture-clock ticks: the merged deltas are the merged last record minus
     * the merged record before it (the values themselves if there was none),
     * exactly what one run writes.
     */
    if (deltas0 && with_prev == n) {
        if (stats_merge(prev, n, &merged_prev, err) < 0)
            goto out;
        prev_keep(&before, &merged_prev);
    }
    before.deltas = deltas0;
    root = stats_root(&b, json_string(sh[0].timestamp != NULL ? sh[0].timestamp : ""), &merged,
                      &before);
    if (b.fail || (text = json_dumps(root, EVE_DUMP_FLAGS)) == NULL) {
        errbuf_printf(err, "cannot build the merged stats record");
        goto out;
    }
    if (fprintf(out, "%s\n", text) < 0) {
        errbuf_printf(err, "writing the merged stats record: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(text);
    json_decref(root);
    prev_free(&before);
    stat_list_fini(&merged);
    stat_list_fini(&merged_prev);
    for (i = 0; i < got; i++) {
        stats_shard_fini(&sh[i]);
        stats_shard_fini(&prev[i]);
    }
    free(sh);
    free(prev);
    return rc;
}
