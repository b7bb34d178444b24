/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics: stats counters and connection gauges -> Prometheus text
 * exposition format 0.0.4 (metrics.h). Owns the naming rule (metrics_name),
 * the per-server stuck ranking and its remembered list, and the process_*
 * reader. Called by the metrics sink (metrics_sink.c) on the thread that
 * writes the records, and by the HTTP endpoint (metrics_http.c) for the
 * process metrics at each scrape. No I/O besides /proc reads in
 * metrics_render_process().
 *
 * Invariants: every sample of a family is written together after one HELP
 * and one TYPE line (the format requires it; stats paths of one family
 * need not be adjacent, e.g. per-handle recv/drop pairs); families appear
 * in the order their first counter appears in the stats list.
 */
#include <config.h>

#include "report/metrics.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tcp/tcp_summary.h"
#include "util/log.h"
#include "util/xalloc.h"

/* ---- buffer ------------------------------------------------------------------------ */

void
metrics_buf_init(struct metrics_buf *b)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void
metrics_buf_fini(struct metrics_buf *b)
{
    free(b->p);
    metrics_buf_init(b);
}

void
metrics_buf_printf(struct metrics_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        size_t room = b->cap - b->len;

        va_start(ap, fmt);
        n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            return; /* an encoding error: nothing of ours produces one */
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap == 0 ? 4096 : b->cap;
        while (b->cap - b->len <= (size_t)n)
            b->cap *= 2;
        b->p = xreallocarray(b->p, b->cap, 1);
    }
}

/* ---- naming ------------------------------------------------------------------------ */

/*
 * Families with a label: the "*" component is the label value. Paths are
 * matched after the "flowstate." prefix is dropped, so a counter moving into
 * (or out of) flowstate's namespace keeps its metric name.
 */
static const struct family_rule {
    const char *pattern;
    const char *label;
} family_rules[] = {
    {"decoder.outcome.*", "outcome"},
    {"decoder.truncated.*", "reason"},
    {"decoder.malformed.*", "reason"},
    {"decoder.linktype.*", "linktype"},
    {"decoder.checksum.*", "result"},
    {"decoder.defrag.outcome.*", "outcome"},
    {"flow.end.*", "reason"},
    {"flow.end.state.*", "state"},
    {"flow.end.tcp_state.*", "tcp_state"},
    {"flow.evicted.*", "class"},
    {"tcp.stuck.*", "kind"},
    {"tcp.violations.*", "kind"},
    {"capture.handles.*.kernel_packets", "worker"},
    {"capture.handles.*.kernel_drops", "worker"},
};

/* Values that are levels, not running totals. */
static const char *const gauge_paths[] = {
    "flow.active", "flow.peak", "flow.memcap_bytes", "flow.max_flows", "flow.slot_bytes",
};

#define HISTOGRAM_PREFIX "tcp.handshake_rtt."
#define HISTOGRAM_NAME   "flowstate_tcp_handshake_rtt_seconds"

#define MAX_COMPONENTS 12

/* Splits s (modified) on '.'. returns: the number of components, or 0 if too many. */
static size_t
split_dots(char *s, char **comp)
{
    size_t n = 0;

    for (;;) {
        if (n == MAX_COMPONENTS)
            return 0;
        comp[n++] = s;
        if ((s = strchr(s, '.')) == NULL)
            return n;
        *s++ = '\0';
    }
}

/* Appends component c to name as [a-zA-Z0-9_]. returns: false if it did not fit. */
static bool
name_append(char *name, size_t *len, const char *c)
{
    if (*len + 1 + strlen(c) + sizeof("_total") >= METRICS_NAME_MAX)
        return false;
    name[(*len)++] = '_';
    for (; *c != '\0'; c++)
        name[(*len)++] = isalnum((unsigned char)*c) ? *c : '_';
    name[*len] = '\0';
    return true;
}

/* Microseconds as seconds in shortest decimal ("0.00025", "2.5", "10"). */
static void
us_as_seconds(uint64_t us, char *buf, size_t len)
{
    uint64_t whole = us / 1000000u, frac = us % 1000000u;
    int digits = 6;

    if (frac == 0) {
        snprintf(buf, len, "%" PRIu64, whole);
        return;
    }
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, whole, digits, frac);
}

static int
histogram_name(const char *rest, char *name, enum metrics_type *type, const char **label_name,
               char *label_value)
{
    char *end;
    unsigned long long us;

    snprintf(name, METRICS_NAME_MAX, "%s", HISTOGRAM_NAME);
    *type = METRICS_HISTOGRAM;
    *label_name = NULL;
    if (strcmp(rest, "count") == 0 || strcmp(rest, "sum_ns") == 0) {
        snprintf(label_value, METRICS_LABEL_MAX, "%s", rest);
        return 0;
    }
    if (strncmp(rest, "le_us.", 6) != 0)
        return -1;
    us = strtoull(rest + 6, &end, 10);
    if (end == rest + 6 || *end != '\0')
        return -1;
    *label_name = "le";
    us_as_seconds(us, label_value, METRICS_LABEL_MAX);
    return 0;
}

int
metrics_name(const char *path, char *name, enum metrics_type *type, const char **label_name,
             char *label_value)
{
    char copy[METRICS_NAME_MAX * 2], pat[METRICS_NAME_MAX];
    char *comp[MAX_COMPONENTS], *pc[MAX_COMPONENTS];
    size_t n, i, j, len, plen;

    *label_name = NULL;
    label_value[0] = '\0';
    name[0] = '\0';
    if (strncmp(path, "flowstate.", 10) == 0)
        path += 10;
    plen = strlen(path);
    if (plen >= 6 && strcmp(path + plen - 6, "_delta") == 0)
        return -1;
    if (plen >= sizeof(copy) || plen == 0)
        return -1;
    if (strncmp(path, HISTOGRAM_PREFIX, strlen(HISTOGRAM_PREFIX)) == 0)
        return histogram_name(path + strlen(HISTOGRAM_PREFIX), name, type, label_name,
                              label_value);
    memcpy(copy, path, plen + 1);
    if ((n = split_dots(copy, comp)) == 0)
        return -1;
    *type = METRICS_COUNTER;
    for (i = 0; i < sizeof(gauge_paths) / sizeof(gauge_paths[0]); i++)
        if (strcmp(path, gauge_paths[i]) == 0)
            *type = METRICS_GAUGE;

    size_t star = SIZE_MAX;
    for (i = 0; i < sizeof(family_rules) / sizeof(family_rules[0]); i++) {
        size_t pn;

        snprintf(pat, sizeof(pat), "%s", family_rules[i].pattern);
        if ((pn = split_dots(pat, pc)) != n)
            continue;
        for (j = 0; j < n; j++)
            if (strcmp(pc[j], "*") != 0 && strcmp(pc[j], comp[j]) != 0)
                break;
        if (j < n)
            continue;
        for (j = 0; j < n; j++)
            if (strcmp(pc[j], "*") == 0)
                star = j;
        *label_name = family_rules[i].label;
        snprintf(label_value, METRICS_LABEL_MAX, "%s", comp[star]);
        break;
    }
    len = (size_t)snprintf(name, METRICS_NAME_MAX, "flowstate");
    for (j = 0; j < n; j++)
        if (j != star && !name_append(name, &len, comp[j]))
            return -1;
    if (*type == METRICS_COUNTER)
        memcpy(name + len, "_total", sizeof("_total"));
    return 0;
}

/* ---- families from the stats list -------------------------------------------------- */

struct sample {
    char label[METRICS_LABEL_MAX];
    uint64_t value;
};

struct family {
    char name[METRICS_NAME_MAX];
    char help[METRICS_NAME_MAX * 2]; /* the stats path, "<label>" for the labelled part */
    enum metrics_type type;
    const char *label_name;
    struct sample *s;
    size_t n, cap;
    /* histogram */
    uint64_t h_count, h_sum_ns;
};

struct families {
    struct family *f;
    size_t n, cap;
};

static struct family *
family_get(struct families *fs, const char *name, enum metrics_type type, const char *label_name,
           const char *path, const char *label_value)
{
    struct family *f;
    size_t i;

    for (i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].name, name) == 0)
            return &fs->f[i];
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 64;
        fs->f = xreallocarray(fs->f, fs->cap, sizeof(*fs->f));
    }
    f = &fs->f[fs->n++];
    memset(f, 0, sizeof(*f));
    snprintf(f->name, sizeof(f->name), "%s", name);
    f->type = type;
    f->label_name = label_name;
    if (type == METRICS_HISTOGRAM) {
        snprintf(f->help, sizeof(f->help),
                 "handshake RTT (SYN to third ACK) of ended connections; EVE stats "
                 "flowstate.tcp.handshake_rtt.*");
    } else if (label_name != NULL && label_value[0] != '\0') {
        /* the path with its labelled component shown as <label> */
        const char *at = strstr(path, label_value);
        int pre = at != NULL ? (int)(at - path) : (int)strlen(path);

        snprintf(f->help, sizeof(f->help), "EVE stats.%.*s<%s>%s", pre, path, label_name,
                 at != NULL ? at + strlen(label_value) : "");
    } else {
        snprintf(f->help, sizeof(f->help), "EVE stats.%s", path);
    }
    return f;
}

static void
family_add(struct family *f, const char *label, uint64_t value)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->s = xreallocarray(f->s, f->cap, sizeof(*f->s));
    }
    snprintf(f->s[f->n].label, sizeof(f->s[f->n].label), "%s", label);
    f->s[f->n].value = value;
    f->n++;
}

/* Label values as the format wants them: backslash, quote and newline escaped. */
static void
put_label_value(struct metrics_buf *b, const char *v)
{
    for (; *v != '\0'; v++) {
        if (*v == '\\' || *v == '"')
            metrics_buf_printf(b, "\\%c", *v);
        else if (*v == '\n')
            metrics_buf_printf(b, "\\n");
        else
            metrics_buf_printf(b, "%c", *v);
    }
}

static const char *
type_name(enum metrics_type t)
{
    switch (t) {
    case METRICS_COUNTER:
        return "counter";
    case METRICS_GAUGE:
        return "gauge";
    case METRICS_HISTOGRAM:
        break;
    }
    return "histogram";
}

static void
family_write(struct metrics_buf *b, const struct family *f)
{
    size_t i;

    metrics_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
                       type_name(f->type));
    if (f->type == METRICS_HISTOGRAM) {
        for (i = 0; i < f->n; i++)
            metrics_buf_printf(b, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", f->name, f->s[i].label,
                               f->s[i].value);
        metrics_buf_printf(b, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", f->name, f->h_count);
        metrics_buf_printf(b, "%s_sum %" PRIu64 ".%09" PRIu64 "\n", f->name,
                           f->h_sum_ns / 1000000000u, f->h_sum_ns % 1000000000u);
        metrics_buf_printf(b, "%s_count %" PRIu64 "\n", f->name, f->h_count);
        return;
    }
    for (i = 0; i < f->n; i++) {
        metrics_buf_printf(b, "%s", f->name);
        if (f->label_name != NULL) {
            metrics_buf_printf(b, "{%s=\"", f->label_name);
            put_label_value(b, f->s[i].label);
            metrics_buf_printf(b, "\"}");
        }
        metrics_buf_printf(b, " %" PRIu64 "\n", f->s[i].value);
    }
}

static void
render_stats(struct metrics_buf *out, const struct stat_list *stats)
{
    struct families fs = {NULL, 0, 0};
    size_t i;

    for (i = 0; stats != NULL && i < stats->n; i++) {
        const struct stat_item *it = &stats->items[i];
        char name[METRICS_NAME_MAX], lv[METRICS_LABEL_MAX];
        const char *ln;
        enum metrics_type t;
        struct family *f;

        if (metrics_name(it->path, name, &t, &ln, lv) != 0)
            continue;
        f = family_get(&fs, name, t, ln, it->path, lv);
        if (f->type != t)
            continue; /* a path whose name collides with another type's: first wins */
        if (t == METRICS_HISTOGRAM && ln == NULL) {
            if (strcmp(lv, "count") == 0)
                f->h_count = it->value;
            else
                f->h_sum_ns = it->value;
            continue;
        }
        family_add(f, lv, it->value);
    }
    for (i = 0; i < fs.n; i++) {
        family_write(out, &fs.f[i]);
        free(fs.f[i].s);
    }
    free(fs.f);
}

/* ---- gauges over connections ------------------------------------------------------- */

#define STUCK_KINDS 5 /* enum tcp_stuck_kind, NONE included */

static const char *const zeek_states[] = {
    "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH",
};
#define ZEEK_STATES (sizeof(zeek_states) / sizeof(zeek_states[0]))

struct server_key {
    uint8_t version;
    uint8_t addr[16];
    uint16_t port;
};

struct stuck_ent {
    struct server_key k;
    uint8_t kind;
};

struct server {
    struct server_key k;
    uint64_t total;
    uint64_t by_kind[STUCK_KINDS];
    bool retired;
    uint64_t retired_ns;
};

struct metrics_gauges {
    unsigned top_n;
    uint64_t endpoints[TCP_ST_COUNT][2]; /* [state][0 client, 1 server] */
    uint64_t conn_state[ZEEK_STATES];
    uint64_t stuck[STUCK_KINDS];
    struct stuck_ent *ents;
    size_t n_ents, cap_ents;
    struct server *listed; /* the last rendered per-server list */
    size_t n_listed;
};

struct metrics_gauges *
metrics_gauges_new(unsigned top_n)
{
    struct metrics_gauges *g = xcalloc(1, sizeof(*g));

    g->top_n = top_n == 0 ? 1 : top_n;
    return g;
}

void
metrics_gauges_free(struct metrics_gauges *g)
{
    if (g == NULL)
        return;
    free(g->ents);
    free(g->listed);
    free(g);
}

void
metrics_gauges_reset(struct metrics_gauges *g)
{
    memset(g->endpoints, 0, sizeof(g->endpoints));
    memset(g->conn_state, 0, sizeof(g->conn_state));
    memset(g->stuck, 0, sizeof(g->stuck));
    g->n_ents = 0;
}

void
metrics_gauges_add(struct metrics_gauges *g, const struct flow_record *r)
{
    const struct session_summary *s = &r->s;
    size_t i;

    if (!r->has_session)
        return;
    if (s->client.state < TCP_ST_COUNT)
        g->endpoints[s->client.state][0]++;
    if (s->server.state < TCP_ST_COUNT)
        g->endpoints[s->server.state][1]++;
    for (i = 0; i < ZEEK_STATES; i++)
        if (strcmp(s->conn_state, zeek_states[i]) == 0)
            g->conn_state[i]++;
    if (s->stuck == TCP_STUCK_NONE || s->stuck >= STUCK_KINDS)
        return;
    g->stuck[s->stuck]++;
    if (g->n_ents == g->cap_ents) {
        g->cap_ents = g->cap_ents ? g->cap_ents * 2 : 64;
        g->ents = xreallocarray(g->ents, g->cap_ents, sizeof(*g->ents));
    }
    memset(&g->ents[g->n_ents], 0, sizeof(g->ents[0]));
    g->ents[g->n_ents].k.version = r->ip_version;
    memcpy(g->ents[g->n_ents].k.addr, r->dest_ip.b, sizeof(g->ents[0].k.addr));
    g->ents[g->n_ents].k.port = r->dest_port;
    g->ents[g->n_ents].kind = s->stuck;
    g->n_ents++;
}

/* Address order: IPv4 before IPv6, then the address bytes, then the port. */
static int
key_cmp(const struct server_key *a, const struct server_key *b)
{
    int c;

    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    if ((c = memcmp(a->addr, b->addr, sizeof(a->addr))) != 0)
        return c;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    return 0;
}

static int
ent_cmp(const void *pa, const void *pb)
{
    return key_cmp(&((const struct stuck_ent *)pa)->k, &((const struct stuck_ent *)pb)->k);
}

/* Most stuck connections first; ties broken by address (key_cmp). */
static int
rank_cmp(const void *pa, const void *pb)
{
    const struct server *a = pa, *b = pb;

    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    return key_cmp(&a->k, &b->k);
}

/* Retired servers: most recently retired first, then by address. */
static int
retired_cmp(const void *pa, const void *pb)
{
    const struct server *a = pa, *b = pb;

    if (a->retired_ns != b->retired_ns)
        return a->retired_ns > b->retired_ns ? -1 : 1;
    return key_cmp(&a->k, &b->k);
}

/* The per-server list for this set: the top_n by stuck count, then retired ones at 0. */
static void
rank_servers(struct metrics_gauges *g, uint64_t now_ns, struct server **out, size_t *n_out)
{
    struct server *all = NULL, *list;
    size_t n_all = 0, i, j, n_top, n_ret = 0;

    if (g->n_ents > 1)
        qsort(g->ents, g->n_ents, sizeof(*g->ents), ent_cmp);
    if (g->n_ents > 0)
        all = xcalloc(g->n_ents, sizeof(*all));
    for (i = 0; i < g->n_ents; i++) {
        if (n_all == 0 || key_cmp(&all[n_all - 1].k, &g->ents[i].k) != 0)
            all[n_all++].k = g->ents[i].k;
        all[n_all - 1].total++;
        all[n_all - 1].by_kind[g->ents[i].kind]++;
    }
    if (n_all > 1)
        qsort(all, n_all, sizeof(*all), rank_cmp);
    n_top = n_all < g->top_n ? n_all : g->top_n;
    list = xcalloc(n_top + g->n_listed + 1, sizeof(*list));
    for (i = 0; i < n_top; i++)
        list[i] = all[i];
    /* servers listed last time and not now: shown at 0 until they go stale */
    for (i = 0; i < g->n_listed; i++) {
        struct server s = g->listed[i];

        for (j = 0; j < n_top; j++)
            if (key_cmp(&list[j].k, &s.k) == 0)
                break;
        if (j < n_top)
            continue;
        if (!s.retired) {
            s.retired = true;
            s.retired_ns = now_ns;
        }
        if (now_ns - s.retired_ns >= METRICS_RETIRE_NS)
            continue;
        s.total = 0;
        memset(s.by_kind, 0, sizeof(s.by_kind));
        list[n_top + n_ret++] = s;
    }
    if (n_ret > 1)
        qsort(list + n_top, n_ret, sizeof(*list), retired_cmp);
    if (n_ret > g->top_n)
        n_ret = g->top_n;
    free(all);
    *out = list;
    *n_out = n_top + n_ret;
}

static void
lower(const char *s, char *buf, size_t len)
{
    size_t i;

    for (i = 0; s[i] != '\0' && i + 1 < len; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[i] = '\0';
}

static void
render_gauges(struct metrics_buf *b, struct metrics_gauges *g, uint64_t now_ns)
{
    static const char *const roles[2] = {"client", "server"};
    struct server *list;
    size_t n, i, k;
    char name[32];

    metrics_buf_printf(b, "# HELP flowstate_tcp_endpoints TCP endpoints of open connections by "
                          "RFC 9293 state and role\n"
                          "# TYPE flowstate_tcp_endpoints gauge\n");
    for (i = 0; i < TCP_ST_COUNT; i++) {
        lower(tcp_state_name((enum tcp_state_id)i), name, sizeof(name));
        for (k = 0; k < 2; k++)
            metrics_buf_printf(b,
                               "flowstate_tcp_endpoints{state=\"%s\",role=\"%s\"} %" PRIu64 "\n",
                               name, roles[k], g->endpoints[i][k]);
    }
    metrics_buf_printf(b, "# HELP flowstate_tcp_connections Open connections by Zeek "
                          "conn_state\n"
                          "# TYPE flowstate_tcp_connections gauge\n");
    for (i = 0; i < ZEEK_STATES; i++)
        metrics_buf_printf(b, "flowstate_tcp_connections{conn_state=\"%s\"} %" PRIu64 "\n",
                           zeek_states[i], g->conn_state[i]);
    metrics_buf_printf(b, "# HELP flowstate_tcp_stuck_connections Open connections stuck now, "
                          "by kind\n"
                          "# TYPE flowstate_tcp_stuck_connections gauge\n");
    for (k = 1; k < STUCK_KINDS; k++)
        metrics_buf_printf(b, "flowstate_tcp_stuck_connections{kind=\"%s\"} %" PRIu64 "\n",
                           tcp_stuck_name((enum tcp_stuck_kind)k), g->stuck[k]);

    rank_servers(g, now_ns, &list, &n);
    metrics_buf_printf(b, "# HELP flowstate_tcp_server_stuck_connections Open stuck connections "
                          "per server, for the servers with the most\n"
                          "# TYPE flowstate_tcp_server_stuck_connections gauge\n");
    for (i = 0; i < n; i++) {
        struct ip_addr a;
        char addr[64];

        memcpy(a.b, list[i].k.addr, sizeof(a.b));
        report_addr_str(&a, list[i].k.version, addr, sizeof(addr));
        for (k = 1; k < STUCK_KINDS; k++)
            metrics_buf_printf(b,
                               "flowstate_tcp_server_stuck_connections{server_addr=\"%s\","
                               "server_port=\"%u\",kind=\"%s\"} %" PRIu64 "\n",
                               addr, (unsigned)list[i].k.port,
                               tcp_stuck_name((enum tcp_stuck_kind)k), list[i].by_kind[k]);
    }
    free(g->listed);
    g->listed = list;
    g->n_listed = n;
}

void
metrics_render(struct metrics_buf *out, const struct stat_list *stats, struct metrics_gauges *g,
               uint64_t now_ns)
{
    render_stats(out, stats);
    if (g != NULL)
        render_gauges(out, g, now_ns);
}

/* ---- --metrics-listen syntax --------------------------------------------------------- */

int
metrics_listen_parse(const char *s, char *host, size_t host_len, unsigned *port, char *err)
{
    const char *colon, *h = s, *hend;
    char *end;
    unsigned long p;

    if (s[0] == '[') {
        if ((hend = strchr(s, ']')) == NULL || hend[1] != ':') {
            errbuf_printf(err, "--metrics-listen '%s': expected [ADDR]:PORT", s);
            return -1;
        }
        h = s + 1;
        colon = hend + 1;
    } else {
        if ((colon = strrchr(s, ':')) == NULL) {
            errbuf_printf(err, "--metrics-listen '%s': expected ADDR:PORT", s);
            return -1;
        }
        hend = colon;
        if (memchr(s, ':', (size_t)(colon - s)) != NULL) {
            errbuf_printf(err, "--metrics-listen '%s': write an IPv6 address as [ADDR]:PORT", s);
            return -1;
        }
    }
    if ((size_t)(hend - h) >= host_len) {
        errbuf_printf(err, "--metrics-listen '%s': address too long", s);
        return -1;
    }
    memcpy(host, h, (size_t)(hend - h));
    host[hend - h] = '\0';
    errno = 0;
    p = strtoul(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || p == 0 || p > 65535) {
        errbuf_printf(err, "--metrics-listen '%s': port must be 1..65535", s);
        return -1;
    }
    *port = (unsigned)p;
    return 0;
}

/* ---- process ----------------------------------------------------------------------- */

/* Fields 14 (utime), 15 (stime), 22 (starttime), 23 (vsize), 24 (rss) of /proc/self/stat. */
static int
read_self_stat(unsigned long long v[5])
{
    char buf[1024], *p;
    FILE *f = fopen("/proc/self/stat", "r");
    size_t n;
    int field, got = 0;

    if (f == NULL)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if ((p = strrchr(buf, ')')) == NULL)
        return -1;
    p++; /* field 3 onwards, after the parenthesised command name */
    for (field = 3; *p != '\0' && field <= 24; field++) {
        char *end;
        unsigned long long x;

        while (*p == ' ')
            p++;
        x = strtoull(p, &end, 10);
        switch (field) {
        case 14:
            v[0] = x;
            got++;
            break;
        case 15:
            v[1] = x;
            got++;
            break;
        case 22:
            v[2] = x;
            got++;
            break;
        case 23:
            v[3] = x;
            got++;
            break;
        case 24:
            v[4] = x;
            got++;
            break;
        default:
            break;
        }
        while (*p != ' ' && *p != '\0')
            p++;
    }
    return got == 5 ? 0 : -1;
}

static long long
boot_time(void)
{
    char line[256];
    long long bt = -1;
    FILE *f = fopen("/proc/stat", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "btime ", 6) == 0)
            bt = strtoll(line + 6, NULL, 10);
    fclose(f);
    return bt;
}

void
metrics_render_process(struct metrics_buf *b)
{
    unsigned long long v[5];
    long tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    long long bt = boot_time();
    struct rlimit rl;
    DIR *d;

    metrics_buf_printf(b, "# HELP flowstate_build_info flowstate's version\n"
                          "# TYPE flowstate_build_info gauge\n"
                          "flowstate_build_info{version=\"%s\"} 1\n",
                       PACKAGE_VERSION);
    if (tck > 0 && page > 0 && read_self_stat(v) == 0) {
        metrics_buf_printf(b, "# HELP process_cpu_seconds_total User and system CPU time\n"
                              "# TYPE process_cpu_seconds_total counter\n"
                              "process_cpu_seconds_total %.2f\n",
                           (double)(v[0] + v[1]) / (double)tck);
        metrics_buf_printf(b, "# HELP process_virtual_memory_bytes Virtual memory size\n"
                              "# TYPE process_virtual_memory_bytes gauge\n"
                              "process_virtual_memory_bytes %llu\n",
                           v[3]);
        metrics_buf_printf(b, "# HELP process_resident_memory_bytes Resident memory size\n"
                              "# TYPE process_resident_memory_bytes gauge\n"
                              "process_resident_memory_bytes %llu\n",
                           v[4] * (unsigned long long)page);
        if (bt >= 0)
            metrics_buf_printf(b,
                               "# HELP process_start_time_seconds Start time since the epoch\n"
                               "# TYPE process_start_time_seconds gauge\n"
                               "process_start_time_seconds %.2f\n",
                               (double)bt + (double)v[2] / (double)tck);
    }
    if ((d = opendir("/proc/self/fd")) != NULL) {
        unsigned long n = 0;
        struct dirent *de;

        while ((de = readdir(d)) != NULL)
            if (de->d_name[0] != '.')
                n++;
        closedir(d);
        metrics_buf_printf(b, "# HELP process_open_fds Open file descriptors\n"
                              "# TYPE process_open_fds gauge\n"
                              "process_open_fds %lu\n",
                           n > 0 ? n - 1 : 0); /* less the one opendir used */
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        metrics_buf_printf(b, "# HELP process_max_fds Limit of open file descriptors\n"
                              "# TYPE process_max_fds gauge\n"
                              "process_max_fds %llu\n",
                           (unsigned long long)rl.rlim_cur);
}
