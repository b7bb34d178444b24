/*
 * report_json: the EVE writer (-T eve / --json). NDJSON, one object per
 * line, Suricata-compatible "flow" records extended with a "session" object,
 * plus "flow_update", "tcp_stuck" and one "stats" record. The only file in
 * flowstate that includes <jansson.h>.
 *
 * Invariants:
 *  - key order is fixed: objects are built in one order and dumped with
 *    JSON_PRESERVE_ORDER, so output never depends on jansson's hash seed;
 *  - numbers of seconds are rounded down to microseconds first and dumped
 *    with 15 significant digits, which prints the shortest exact decimal
 *    (0.000123, 1.5) for any value below 10^9 s;
 *  - a record is either written whole (one report_write_line() of line +
 *    '\n', so never split across write(2) calls) or not at all: any jansson failure while building drops the record and makes
 *    close() return -1.
 * Called by the engine through report_eve_ops; all records are borrowed.
 */
#include <config.h>

#include "report.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define EVE_DUMP_FLAGS (JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(15))

struct eve {
    FILE *out;
    bool line_buffered;
    bool failed; /* a record was dropped or a write failed */
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

static void
append(struct jb *b, json_t *arr, json_t *val)
{
    if (arr == NULL || val == NULL) {
        json_decref(val);
        b->fail = true;
        return;
    }
    if (json_array_append_new(arr, val) != 0)
        b->fail = true;
}

static json_t *
jnum(uint64_t v)
{
    return json_integer((json_int_t)(v > INT64_MAX ? INT64_MAX : v));
}

/* Seconds from nanoseconds, truncated to microseconds. */
static json_t *
jsecs(uint64_t ns)
{
    return json_real((double)(ns / 1000u) / 1e6);
}

static json_t *
jtime(uint64_t ns)
{
    char buf[40];

    return json_string(report_iso8601(ns, buf, sizeof(buf)));
}

static json_t *
jaddr(const struct ip_addr *a, uint8_t version)
{
    char buf[64];

    return json_string(report_addr_str(a, version, buf, sizeof(buf)));
}

static json_t *
jflags(uint16_t flags)
{
    char buf[8];

    return json_string(report_tcp_flags_hex(flags, buf, sizeof(buf)));
}

/* A name from a name function, or null when it has none. */
static json_t *
jname(const char *name)
{
    return name != NULL ? json_string(name) : json_null();
}

static void
emit(struct eve *e, json_t *root, struct jb *b)
{
    char *text = NULL, *line = NULL;
    size_t n;

    if (b->fail || root == NULL)
        goto fail;
    if ((text = json_dumps(root, EVE_DUMP_FLAGS)) == NULL)
        goto fail;
    n = strlen(text);
    line = xmalloc(n + 2);
    memcpy(line, text, n);
    line[n] = '\n';
    line[n + 1] = '\0';
    if (report_write_line(e->out, line, n + 1, e->line_buffered) != 0)
        goto fail;
    goto out;
fail:
    e->failed = true;
out:
    free(line);
    free(text);
    json_decref(root);
}

static json_t *
rtt_json(struct jb *b, const struct tcp_rtt *r)
{
    json_t *o;

    if (r->samples == 0)
        return json_null();
    o = json_object();
    put(b, o, "samples", jnum(r->samples));
    put(b, o, "min", jsecs(r->min_ns));
    put(b, o, "avg", jsecs(r->sum_ns / r->samples));
    put(b, o, "max", jsecs(r->max_ns));
    return o;
}

static json_t *
endpoint_json(struct jb *b, const struct tcp_endpoint_summary *ep)
{
    json_t *o = json_object(), *v = json_object();
    int k;

    put(b, o, "state", jname(tcp_state_name((enum tcp_state_id)ep->state)));
    put(b, o, "isn", ep->isn_known ? jnum(ep->isn) : json_null());
    put(b, o, "mss", ep->mss != 0 ? jnum(ep->mss) : json_null());
    put(b, o, "wscale", ep->wscale >= 0 ? jnum((uint64_t)ep->wscale) : json_null());
    put(b, o, "sack_ok", json_boolean(ep->sack_ok));
    put(b, o, "packets", jnum(ep->packets));
    put(b, o, "payload_bytes", jnum(ep->payload_bytes));
    put(b, o, "unique_bytes", jnum(ep->unique_bytes));
    put(b, o, "retransmitted_bytes", jnum(ep->retransmitted_bytes));
    put(b, o, "retransmits", jnum(ep->retransmits));
    put(b, o, "fast_retransmits", jnum(ep->fast_retransmits));
    put(b, o, "spurious_retransmits", jnum(ep->spurious_retransmits));
    put(b, o, "out_of_order", jnum(ep->out_of_order));
    put(b, o, "lost_segments", jnum(ep->lost_segments));
    put(b, o, "dup_acks", jnum(ep->dup_acks));
    put(b, o, "zero_windows", jnum(ep->zero_windows));
    put(b, o, "zero_window_probes", jnum(ep->zero_window_probes));
    put(b, o, "window_full", jnum(ep->window_full));
    put(b, o, "keepalives", jnum(ep->keepalives));
    for (k = 0; k < TV_COUNT; k++) {
        const char *name = tcp_violation_name((enum tcp_violation)k);
        if (ep->violations[k] != 0 && name != NULL)
            put(b, v, name, jnum(ep->violations[k]));
    }
    put(b, o, "violations", v);
    return o;
}

static json_t *
session_json(struct jb *b, const struct flow_record *r)
{
    const struct session_summary *s = &r->s;
    json_t *o = json_object(), *rtt = json_object(), *viol = json_array();
    unsigned i;

    put(b, o, "client", endpoint_json(b, &s->client));
    put(b, o, "server", endpoint_json(b, &s->server));
    put(b, o, "handshake", jname(tcp_handshake_name((enum tcp_handshake)s->handshake)));
    put(b, o, "close", jname(tcp_close_name((enum tcp_close)s->close)));
    put(b, o, "conn_state", json_string(s->conn_state));
    put(b, o, "history", json_string(s->history));
    put(b, o, "midstream", json_boolean(s->midstream));
    put(b, o, "roles_guessed", json_boolean(r->roles_guessed || s->roles_guessed));

    put(b, rtt, "handshake", s->handshake_rtt_ns != 0 ? jsecs(s->handshake_rtt_ns) : json_null());
    put(b, rtt, "client", rtt_json(b, &s->client.rtt));
    put(b, rtt, "server", rtt_json(b, &s->server.rtt));
    put(b, o, "rtt", rtt);

    if (s->stuck == TCP_STUCK_NONE) {
        put(b, o, "stuck", json_null());
    } else {
        json_t *st = json_object();
        uint64_t age = r->now_ns > s->stuck_since_ns ? r->now_ns - s->stuck_since_ns : 0;
        put(b, st, "kind", jname(tcp_stuck_name((enum tcp_stuck_kind)s->stuck)));
        put(b, st, "since", jtime(s->stuck_since_ns));
        put(b, st, "age", jsecs(age));
        put(b, o, "stuck", st);
    }

    for (i = 0; i < s->n_examples && i < TCP_VIOLATION_KEEP; i++) {
        const struct tcp_violation_example *x = &s->examples[i];
        json_t *ex = json_object();
        put(b, ex, "kind", jname(tcp_violation_name((enum tcp_violation)x->kind)));
        put(b, ex, "from", json_string(x->from_client ? "client" : "server"));
        put(b, ex, "pkt", jnum(x->pkt_no));
        put(b, ex, "timestamp", jtime(x->ts_ns));
        put(b, ex, "expected", jnum(x->expected));
        put(b, ex, "seen", jnum(x->seen));
        append(b, viol, ex);
    }
    put(b, o, "violations", viol);
    return o;
}

/* Suricata's JsonTcpFlags booleans, in its order; only the set ones appear. */
static const struct {
    uint16_t bit;
    const char *name;
} eve_flag_names[] = {
    {TCP_SYN, "syn"}, {TCP_FIN, "fin"}, {TCP_RST, "rst"}, {TCP_PSH, "psh"},
    {TCP_ACK, "ack"}, {TCP_URG, "urg"}, {TCP_ECE, "ecn"}, {TCP_CWR, "cwr"},
};

/* flow, flow_update and tcp_stuck share one shape; r->event names it. */
static void
eve_flow(void *priv, const struct flow_record *r)
{
    struct eve *e = priv;
    struct jb b = {false};
    json_t *root = json_object(), *flow = json_object(), *tcp = json_object();
    uint16_t all = (uint16_t)(r->tcp_flags_ts | r->tcp_flags_tc);
    uint64_t start_s = r->start_ns / 1000000000u, end_s = r->end_ns / 1000000000u;
    size_t i;

    put(&b, root, "timestamp", jtime(r->start_ns));
    put(&b, root, "flow_id", jnum(r->flow_id));
    put(&b, root, "event_type", json_string(r->event != NULL ? r->event : "flow"));
    if (r->vlan_count > 0) {
        json_t *vl = json_array();
        for (i = 0; i < r->vlan_count && i < DECODE_MAX_VLAN; i++)
            append(&b, vl, jnum(r->vlan[i]));
        put(&b, root, "vlan", vl);
    }
    put(&b, root, "src_ip", jaddr(&r->src_ip, r->ip_version));
    put(&b, root, "src_port", jnum(r->src_port));
    put(&b, root, "dest_ip", jaddr(&r->dest_ip, r->ip_version));
    put(&b, root, "dest_port", jnum(r->dest_port));
    put(&b, root, "ip_v", jnum(r->ip_version));
    put(&b, root, "proto", json_string(r->proto == 6 ? "TCP" : "UNKNOWN"));

    put(&b, flow, "pkts_toserver", jnum(r->pkts_toserver));
    put(&b, flow, "pkts_toclient", jnum(r->pkts_toclient));
    put(&b, flow, "bytes_toserver", jnum(r->bytes_toserver));
    put(&b, flow, "bytes_toclient", jnum(r->bytes_toclient));
    put(&b, flow, "start", jtime(r->start_ns));
    put(&b, flow, "end", jtime(r->end_ns));
    /* Suricata: lastts seconds minus startts seconds */
    put(&b, flow, "age", jnum(end_s > start_s ? end_s - start_s : 0));
    put(&b, flow, "state", json_string(r->flow_state != NULL ? r->flow_state : "new"));
    put(&b, flow, "reason", jname(flow_end_reason_name((enum flow_end_reason)r->reason)));
    put(&b, flow, "alerted", json_false());
    put(&b, root, "flow", flow);

    put(&b, tcp, "tcp_flags", jflags(all));
    put(&b, tcp, "tcp_flags_ts", jflags(r->tcp_flags_ts));
    put(&b, tcp, "tcp_flags_tc", jflags(r->tcp_flags_tc));
    for (i = 0; i < sizeof(eve_flag_names) / sizeof(eve_flag_names[0]); i++)
        if (all & eve_flag_names[i].bit)
            put(&b, tcp, eve_flag_names[i].name, json_true());
    if (r->s.suricata_state != NULL)
        put(&b, tcp, "state", json_string(r->s.suricata_state));
    put(&b, root, "tcp", tcp);

    if (r->community_id[0] != '\0')
        put(&b, root, "community_id", json_string(r->community_id));
    put(&b, root, "session", session_json(&b, r));
    emit(e, root, &b);
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

static void
eve_stats(void *priv, const struct stats_record *st)
{
    struct eve *e = priv;
    struct jb b = {false};
    json_t *root = json_object(), *stats = json_object();
    size_t i;

    put(&b, root, "timestamp", jtime(st->ts_ns));
    put(&b, root, "event_type", json_string("stats"));
    for (i = 0; st->items != NULL && i < st->items->n && !b.fail; i++) {
        const struct stat_item *it = &st->items->items[i];
        char *path = xstrdup(it->path), *name = path, *dot;
        json_t *cur = stats;

        while (cur != NULL && (dot = strchr(name, '.')) != NULL) {
            *dot = '\0';
            cur = child_object(&b, cur, name);
            name = dot + 1;
        }
        if (cur != NULL && json_object_get(cur, name) == NULL)
            put(&b, cur, name, jnum(it->value));
        free(path);
    }
    put(&b, root, "stats", stats);
    emit(e, root, &b);
}

static int
eve_open(void **priv, FILE *out, const struct report_opts *o, char *err)
{
    struct eve *e = xcalloc(1, sizeof(*e));

    (void)err;
    e->out = out;
    e->line_buffered = o != NULL && o->line_buffered;
    *priv = e;
    return 0;
}

static int
eve_close(void *priv)
{
    struct eve *e = priv;
    int rc = 0;

    if (e == NULL)
        return 0;
    if (fflush(e->out) != 0 || ferror(e->out) || e->failed)
        rc = -1;
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
};
