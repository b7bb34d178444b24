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

#define JW_DEPTH 8

struct jw {
    char *p;
    size_t n, cap;
    int depth;
    bool first[JW_DEPTH]; /* no member written yet at this depth */
};

struct eve {
    FILE *out;
    bool line_buffered;
    bool failed; /* a record was dropped or a write failed */
    struct jw w; /* the flow-record buffer, reused */
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

/*
 * The flow record is written by hand into a reusable buffer: it is the hot
 * path of -T eve (one record per connection, ~130 members), and building it
 * as a jansson tree cost ~30 us per record in allocations alone. Keys are
 * compile-time ASCII literals; every string value goes through jw_str(),
 * which escapes like jansson. The rarely written stats record still uses
 * jansson.
 */
/*
 * The buffer only grows to the largest record, so growth is out of line and
 * the per-byte helpers below are inline: a flow record is ~130 tiny writes,
 * and their call overhead showed in -T eve profiles.
 */
static void
jw_grow(struct jw *w, size_t more)
{
    while (w->n + more > w->cap)
        w->cap = w->cap ? w->cap * 2 : 4096;
    w->p = xreallocarray(w->p, w->cap, 1);
}

static inline void
jw_reserve(struct jw *w, size_t more)
{
    if (w->n + more > w->cap)
        jw_grow(w, more);
}

static inline void
jw_raw(struct jw *w, const char *s, size_t len)
{
    jw_reserve(w, len);
    memcpy(w->p + w->n, s, len);
    w->n += len;
}

static inline void
jw_char(struct jw *w, char c)
{
    jw_reserve(w, 1);
    w->p[w->n++] = c;
}

static void
jw_lit(struct jw *w, const char *s)
{
    jw_raw(w, s, strlen(s));
}

/* Separator and key of the next member (key NULL inside arrays), in one reserve. */
static void
jw_key(struct jw *w, const char *key)
{
    size_t klen = key != NULL ? strlen(key) : 0;
    char *p;

    jw_reserve(w, klen + 4);
    p = w->p + w->n;
    if (!w->first[w->depth])
        *p++ = ',';
    w->first[w->depth] = false;
    if (key != NULL) {
        *p++ = '"';
        memcpy(p, key, klen);
        p += klen;
        *p++ = '"';
        *p++ = ':';
    }
    w->n = (size_t)(p - w->p);
}

static void
jw_open(struct jw *w, const char *key, char bracket)
{
    jw_key(w, key);
    jw_char(w, bracket);
    w->depth++;
    w->first[w->depth] = true;
}

static void
jw_close(struct jw *w, char bracket)
{
    w->depth--;
    jw_char(w, bracket);
}

static void
jw_u64(struct jw *w, const char *key, uint64_t v)
{
    char buf[24];
    size_t i = sizeof(buf);

    jw_key(w, key);
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    jw_raw(w, buf + i, sizeof(buf) - i);
}

static void
jw_str(struct jw *w, const char *key, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s;

    jw_key(w, key);
    jw_char(w, '"');
    /* copy runs that need no escaping in one go; escape the rest like jansson */
    for (;; s++) {
        unsigned char c = (unsigned char)*s;

        if (c != '\0' && c != '"' && c != '\\' && c >= 0x20)
            continue;
        jw_raw(w, run, (size_t)(s - run));
        if (c == '\0')
            break;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};

            jw_raw(w, esc, sizeof(esc));
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

            jw_raw(w, esc, sizeof(esc));
        }
        run = s + 1;
    }
    jw_char(w, '"');
}

static void
jw_name(struct jw *w, const char *key, const char *name)
{
    if (name != NULL) {
        jw_str(w, key, name);
    } else {
        jw_key(w, key);
        jw_lit(w, "null");
    }
}

static void
jw_bool(struct jw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_lit(w, v ? "true" : "false");
}

static void
jw_null(struct jw *w, const char *key)
{
    jw_key(w, key);
    jw_lit(w, "null");
}

/*
 * Seconds from nanoseconds, truncated to microseconds, in fixed point with
 * trailing zeros trimmed but one decimal kept: 0.000123, 1.5, 12.0. Never an
 * exponent, so every consumer parses the same value.
 */
static void
jw_secs(struct jw *w, const char *key, uint64_t ns)
{
    uint64_t us = ns / 1000u, frac = us % 1000000u;
    char buf[8];
    int digits = 6;

    jw_u64(w, key, us / 1000000u);
    while (digits > 1 && frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    buf[0] = '.';
    for (int i = digits; i >= 1; i--) {
        buf[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    jw_raw(w, buf, (size_t)digits + 1);
}

static void
jw_time(struct jw *w, const char *key, uint64_t ns)
{
    char buf[40];

    jw_str(w, key, report_iso8601(ns, buf, sizeof(buf)));
}

static void
jw_rtt(struct jw *w, const char *key, const struct tcp_rtt *r)
{
    if (r->samples == 0) {
        jw_null(w, key);
        return;
    }
    jw_open(w, key, '{');
    jw_u64(w, "samples", r->samples);
    jw_secs(w, "min", r->min_ns);
    jw_secs(w, "avg", r->sum_ns / r->samples);
    jw_secs(w, "max", r->max_ns);
    jw_close(w, '}');
}

static void
jw_endpoint(struct jw *w, const char *key, const struct tcp_endpoint_summary *ep)
{
    int k;

    jw_open(w, key, '{');
    jw_name(w, "state", tcp_state_name((enum tcp_state_id)ep->state));
    if (ep->isn_known)
        jw_u64(w, "isn", ep->isn);
    else
        jw_null(w, "isn");
    if (ep->mss != 0)
        jw_u64(w, "mss", ep->mss);
    else
        jw_null(w, "mss");
    if (ep->wscale >= 0)
        jw_u64(w, "wscale", (uint64_t)ep->wscale);
    else
        jw_null(w, "wscale");
    jw_bool(w, "sack_ok", ep->sack_ok);
    jw_u64(w, "packets", ep->packets);
    jw_u64(w, "payload_bytes", ep->payload_bytes);
    jw_u64(w, "unique_bytes", ep->unique_bytes);
    jw_u64(w, "retransmitted_bytes", ep->retransmitted_bytes);
    jw_u64(w, "retransmits", ep->retransmits);
    jw_u64(w, "fast_retransmits", ep->fast_retransmits);
    jw_u64(w, "spurious_retransmits", ep->spurious_retransmits);
    jw_u64(w, "out_of_order", ep->out_of_order);
    jw_u64(w, "lost_segments", ep->lost_segments);
    jw_u64(w, "dup_acks", ep->dup_acks);
    jw_u64(w, "zero_windows", ep->zero_windows);
    jw_u64(w, "zero_window_probes", ep->zero_window_probes);
    jw_u64(w, "window_full", ep->window_full);
    jw_u64(w, "keepalives", ep->keepalives);
    jw_open(w, "violations", '{');
    for (k = 0; k < TV_COUNT; k++) {
        const char *name = tcp_violation_name((enum tcp_violation)k);
        if (ep->violations[k] != 0 && name != NULL)
            jw_u64(w, name, ep->violations[k]);
    }
    jw_close(w, '}');
    jw_close(w, '}');
}

static void
jw_session(struct jw *w, const struct flow_record *r)
{
    const struct session_summary *s = &r->s;
    unsigned i;

    jw_open(w, "session", '{');
    jw_endpoint(w, "client", &s->client);
    jw_endpoint(w, "server", &s->server);
    jw_name(w, "handshake", tcp_handshake_name((enum tcp_handshake)s->handshake));
    jw_name(w, "close", tcp_close_name((enum tcp_close)s->close));
    jw_str(w, "conn_state", s->conn_state);
    jw_str(w, "history", s->history);
    jw_bool(w, "midstream", s->midstream);
    jw_bool(w, "roles_guessed", r->roles_guessed || s->roles_guessed);

    jw_open(w, "rtt", '{');
    if (s->handshake_rtt_ns != 0)
        jw_secs(w, "handshake", s->handshake_rtt_ns);
    else
        jw_null(w, "handshake");
    jw_rtt(w, "client", &s->client.rtt);
    jw_rtt(w, "server", &s->server.rtt);
    jw_close(w, '}');

    if (s->stuck == TCP_STUCK_NONE) {
        jw_null(w, "stuck");
    } else {
        uint64_t age = r->now_ns > s->stuck_since_ns ? r->now_ns - s->stuck_since_ns : 0;

        jw_open(w, "stuck", '{');
        jw_name(w, "kind", tcp_stuck_name((enum tcp_stuck_kind)s->stuck));
        jw_time(w, "since", s->stuck_since_ns);
        jw_secs(w, "age", age);
        jw_close(w, '}');
    }

    jw_open(w, "violations", '[');
    for (i = 0; i < s->n_examples && i < TCP_VIOLATION_KEEP; i++) {
        const struct tcp_violation_example *x = &s->examples[i];

        jw_open(w, NULL, '{');
        jw_name(w, "kind", tcp_violation_name((enum tcp_violation)x->kind));
        jw_str(w, "from", x->from_client ? "client" : "server");
        jw_u64(w, "pkt", x->pkt_no);
        jw_time(w, "timestamp", x->ts_ns);
        jw_u64(w, "expected", x->expected);
        jw_u64(w, "seen", x->seen);
        jw_close(w, '}');
    }
    jw_close(w, ']');
    jw_close(w, '}');
}

/* Suricata's JsonTcpFlags booleans, in its order; only the set ones appear. */
static const struct {
    uint16_t bit;
    const char *name;
} eve_flag_names[] = {
    {TCP_SYN, "syn"}, {TCP_FIN, "fin"}, {TCP_RST, "rst"}, {TCP_PSH, "psh"},
    {TCP_ACK, "ack"}, {TCP_URG, "urg"}, {TCP_ECE, "ecn"}, {TCP_CWR, "cwr"},
};

static void
jw_flags(struct jw *w, const char *key, uint16_t flags)
{
    char buf[8];

    jw_str(w, key, report_tcp_flags_hex(flags, buf, sizeof(buf)));
}

static void
jw_addr(struct jw *w, const char *key, const struct ip_addr *a, uint8_t version)
{
    char buf[64];

    jw_str(w, key, report_addr_str(a, version, buf, sizeof(buf)));
}

/* flow, flow_update and tcp_stuck share one shape; r->event names it. */
static void
eve_flow(void *priv, const struct flow_record *r)
{
    struct eve *e = priv;
    struct jw *w = &e->w;
    uint16_t all = (uint16_t)(r->tcp_flags_ts | r->tcp_flags_tc);
    uint64_t start_s = r->start_ns / 1000000000u, end_s = r->end_ns / 1000000000u;
    size_t i;

    w->n = 0;
    w->depth = 0;
    w->first[0] = true;
    jw_open(w, NULL, '{');
    jw_time(w, "timestamp", r->start_ns);
    jw_u64(w, "flow_id", r->flow_id);
    jw_str(w, "event_type", r->event != NULL ? r->event : "flow");
    if (r->vlan_count > 0) {
        jw_open(w, "vlan", '[');
        for (i = 0; i < r->vlan_count && i < DECODE_MAX_VLAN; i++)
            jw_u64(w, NULL, r->vlan[i]);
        jw_close(w, ']');
    }
    jw_addr(w, "src_ip", &r->src_ip, r->ip_version);
    jw_u64(w, "src_port", r->src_port);
    jw_addr(w, "dest_ip", &r->dest_ip, r->ip_version);
    jw_u64(w, "dest_port", r->dest_port);
    jw_u64(w, "ip_v", r->ip_version);
    jw_str(w, "proto", r->proto == 6 ? "TCP" : "UNKNOWN");

    jw_open(w, "flow", '{');
    jw_u64(w, "pkts_toserver", r->pkts_toserver);
    jw_u64(w, "pkts_toclient", r->pkts_toclient);
    jw_u64(w, "bytes_toserver", r->bytes_toserver);
    jw_u64(w, "bytes_toclient", r->bytes_toclient);
    jw_time(w, "start", r->start_ns);
    jw_time(w, "end", r->end_ns);
    /* Suricata: lastts seconds minus startts seconds */
    jw_u64(w, "age", end_s > start_s ? end_s - start_s : 0);
    jw_str(w, "state", r->flow_state != NULL ? r->flow_state : "new");
    jw_name(w, "reason", flow_end_reason_name((enum flow_end_reason)r->reason));
    jw_bool(w, "alerted", false);
    jw_close(w, '}');

    jw_open(w, "tcp", '{');
    jw_flags(w, "tcp_flags", all);
    jw_flags(w, "tcp_flags_ts", r->tcp_flags_ts);
    jw_flags(w, "tcp_flags_tc", r->tcp_flags_tc);
    for (i = 0; i < sizeof(eve_flag_names) / sizeof(eve_flag_names[0]); i++)
        if (all & eve_flag_names[i].bit)
            jw_bool(w, eve_flag_names[i].name, true);
    if (r->has_session && r->s.suricata_state != NULL)
        jw_str(w, "state", r->s.suricata_state);
    jw_close(w, '}');

    if (r->community_id[0] != '\0')
        jw_str(w, "community_id", r->community_id);
    if (r->has_session)
        jw_session(w, r);
    jw_close(w, '}');
    jw_char(w, '\n');
    if (report_write_line(e->out, w->p, w->n, e->line_buffered) != 0)
        e->failed = true;
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
    free(e->w.p);
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
