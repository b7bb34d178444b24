/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_select: --state / --stuck / --half-open, i.e. which connection
 * records reach the reporter (contract in report_select.h). Owns the state
 * vocabulary of the command line: ss(8)'s names and groups (ss --help,
 * "STATE-FILTER"), mapped onto the RFC 9293 states flowstate infers per end.
 * The wrapper sits between the engine and any reporter, so every format
 * (and the TUI) selects the same records; the engine's counters, and so the
 * stats record, never see it.
 */
#include <config.h>

#include "report/report_select.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"
#include "util/xalloc.h"

#define ST(x)   (1u << (x))
#define ST_ALL  ((uint16_t)(ST(TCP_ST_COUNT) - 1u))
/* ss: connected = every state but listening and closed (flowstate: and none) */
#define ST_CONNECTED                                                                              \
    ((uint16_t)(ST(TCP_ST_SYN_SENT) | ST(TCP_ST_SYN_RECEIVED) | ST(TCP_ST_ESTABLISHED) |          \
                ST(TCP_ST_FIN_WAIT_1) | ST(TCP_ST_FIN_WAIT_2) | ST(TCP_ST_CLOSE_WAIT) |           \
                ST(TCP_ST_CLOSING) | ST(TCP_ST_LAST_ACK) | ST(TCP_ST_TIME_WAIT)))
/* ss: bucket = the minisocket states; big = the others (listening left out, see above) */
#define ST_BUCKET ((uint16_t)(ST(TCP_ST_SYN_RECEIVED) | ST(TCP_ST_TIME_WAIT)))

struct state_name {
    const char *name; /* as normalised by norm(): lower case, '-' */
    uint16_t set;
};

static const struct state_name state_names[] = {
    {"none", ST(TCP_ST_NONE)},
    {"syn-sent", ST(TCP_ST_SYN_SENT)},
    {"syn-recv", ST(TCP_ST_SYN_RECEIVED)},
    {"syn-received", ST(TCP_ST_SYN_RECEIVED)},
    {"established", ST(TCP_ST_ESTABLISHED)},
    {"estab", ST(TCP_ST_ESTABLISHED)}, /* what ss's table prints */
    {"fin-wait-1", ST(TCP_ST_FIN_WAIT_1)},
    {"fin-wait-2", ST(TCP_ST_FIN_WAIT_2)},
    {"close-wait", ST(TCP_ST_CLOSE_WAIT)},
    {"closing", ST(TCP_ST_CLOSING)},
    {"last-ack", ST(TCP_ST_LAST_ACK)},
    {"time-wait", ST(TCP_ST_TIME_WAIT)},
    {"closed", ST(TCP_ST_CLOSED)},
    {"all", ST_ALL},
    {"connected", ST_CONNECTED},
    {"synchronized", (uint16_t)(ST_CONNECTED & ~ST(TCP_ST_SYN_SENT))},
    {"bucket", ST_BUCKET},
    {"big", (uint16_t)((ST_CONNECTED | ST(TCP_ST_CLOSED)) & ~ST_BUCKET)},
};

static const char *const stuck_names[] = {
    [TCP_STUCK_CLOSE_WAIT] = "close-wait",
    [TCP_STUCK_HALF_OPEN] = "half-open",
    [TCP_STUCK_SYN_UNANSWERED] = "syn-unanswered",
    [TCP_STUCK_ZERO_WINDOW] = "zero-window",
};

/* w[0..n) lower-cased with '_' as '-' into buf (size len). returns false if it does not fit. */
static bool
norm(const char *w, size_t n, char *buf, size_t len)
{
    size_t i;

    if (n >= len)
        return false;
    for (i = 0; i < n; i++) {
        char c = w[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        buf[i] = c == '_' ? '-' : c;
    }
    buf[n] = '\0';
    return true;
}

/* Trims blanks around s[0..*n); returns the new start. */
static const char *
trim(const char *s, size_t *n)
{
    while (*n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        (*n)--;
    }
    while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
        (*n)--;
    return s;
}

void
report_select_init(struct report_select *s)
{
    memset(s, 0, sizeof(*s));
}

/* One term of --state; applied to tmp. returns 0 or -1 + err. */
static int
add_state_term(struct report_select *tmp, const char *t, size_t n, char *err)
{
    char word[32];
    bool negate = false, ends[2] = {true, true};
    size_t i;

    t = trim(t, &n);
    if (n > 0 && *t == '!') {
        negate = true;
        t++;
        n--;
    }
    if (n >= 7 && (strncasecmp(t, "client:", 7) == 0 || strncasecmp(t, "server:", 7) == 0)) {
        ends[t[0] == 'c' || t[0] == 'C' ? REPORT_SELECT_SERVER : REPORT_SELECT_CLIENT] = false;
        t += 7;
        n -= 7;
    }
    if (n > 0 && *t == '!' && !negate) {
        negate = true;
        t++;
        n--;
    }
    t = trim(t, &n);
    if (n == 0) {
        errbuf_printf(err, "--state: empty state name");
        return -1;
    }
    if (!norm(t, n, word, sizeof(word))) {
        errbuf_printf(err, "--state: unknown state '%.*s'", (int)(n > 40 ? 40 : n), t);
        return -1;
    }
    if (strcmp(word, "listening") == 0 || strcmp(word, "listen") == 0) {
        errbuf_printf(err, "--state: '%s' means nothing on the wire: a capture shows connections, "
                           "not sockets waiting for one (ss -l lists those)",
                      word);
        return -1;
    }
    for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
        int e;

        if (strcmp(word, state_names[i].name) != 0)
            continue;
        for (e = 0; e < 2; e++) {
            if (!ends[e])
                continue;
            if (negate) {
                tmp->neg[e] |= state_names[i].set;
                tmp->has_neg[e] = true;
            } else {
                tmp->pos[e] |= state_names[i].set;
                tmp->has_pos[e] = true;
            }
        }
        return 0;
    }
    errbuf_printf(err,
                  "--state: unknown state '%s' (established, syn-sent, syn-recv, fin-wait-1, "
                  "fin-wait-2, close-wait, closing, last-ack, time-wait, closed, none; groups: "
                  "all, connected, synchronized, bucket, big)",
                  word);
    return -1;
}

int
report_select_add_states(struct report_select *s, const char *spec, char *err)
{
    struct report_select tmp = *s;
    const char *p = spec;

    for (;;) {
        size_t n = strcspn(p, ",");

        if (add_state_term(&tmp, p, n, err) != 0)
            return -1;
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    tmp.by_state = true;
    *s = tmp;
    return 0;
}

int
report_select_add_stuck(struct report_select *s, const char *kinds, char *err)
{
    uint8_t set = 0;
    const char *p = kinds;
    char word[32];

    if (kinds == NULL) {
        set = (uint8_t)(ST(TCP_STUCK_CLOSE_WAIT) | ST(TCP_STUCK_HALF_OPEN) |
                        ST(TCP_STUCK_SYN_UNANSWERED) | ST(TCP_STUCK_ZERO_WINDOW));
    } else {
        for (;;) {
            size_t n = strcspn(p, ","), k;
            const char *t = trim(p, &n);
            bool found = false;

            if (norm(t, n, word, sizeof(word)))
                for (k = 1; k < sizeof(stuck_names) / sizeof(stuck_names[0]) && !found; k++)
                    if (strcmp(word, stuck_names[k]) == 0) {
                        set |= (uint8_t)ST(k);
                        found = true;
                    }
            if (!found) {
                errbuf_printf(err,
                              "--stuck: unknown kind '%.*s' (close_wait, half_open, "
                              "syn_unanswered, zero_window)",
                              (int)(n > 40 ? 40 : n), t);
                return -1;
            }
            if (p[strcspn(p, ",")] == '\0')
                break;
            p += strcspn(p, ",") + 1;
        }
    }
    s->stuck |= set;
    s->by_stuck = true;
    return 0;
}

bool
report_select_active(const struct report_select *s)
{
    return s->by_state || s->by_stuck;
}

uint16_t
report_select_states(const struct report_select *s, int end)
{
    uint16_t set = s->has_pos[end] ? s->pos[end] : s->has_neg[end] ? ST_ALL : 0;

    return (uint16_t)(set & ~s->neg[end]);
}

bool
report_select_match(const struct report_select *s, const struct flow_record *r)
{
    if (!report_select_active(s))
        return true;
    if (!r->has_session)
        return false;
    if (s->by_state) {
        unsigned c = r->s.client.state, sv = r->s.server.state;

        if (c >= TCP_ST_COUNT || sv >= TCP_ST_COUNT)
            return false;
        if (!(report_select_states(s, REPORT_SELECT_CLIENT) & ST(c)) &&
            !(report_select_states(s, REPORT_SELECT_SERVER) & ST(sv)))
            return false;
    }
    if (s->by_stuck && (r->s.stuck == TCP_STUCK_NONE || r->s.stuck > TCP_STUCK_ZERO_WINDOW ||
                        !(s->stuck & ST(r->s.stuck))))
        return false;
    return true;
}

/* ---- the wrapper ------------------------------------------------------------------ */

struct select_rep {
    struct reporter_ops ops; /* ours: handed out as *ops_out (ids copied from the inner) */
    struct report_select sel;
    const struct reporter_ops *inner;
    void *inner_priv;
    struct flow_record *live; /* the tick's matching rows (reused) */
    size_t live_cap;
};

static void
sel_flow_end(void *priv, const struct flow_record *r)
{
    struct select_rep *w = priv;

    if (report_select_match(&w->sel, r))
        w->inner->flow_end(w->inner_priv, r);
}

static void
sel_flow_update(void *priv, const struct flow_record *r)
{
    struct select_rep *w = priv;

    if (report_select_match(&w->sel, r))
        w->inner->flow_update(w->inner_priv, r);
}

static void
sel_stuck(void *priv, const struct flow_record *r)
{
    struct select_rep *w = priv;

    if (report_select_match(&w->sel, r))
        w->inner->stuck(w->inner_priv, r);
}

static void
sel_stats(void *priv, const struct stats_record *st)
{
    struct select_rep *w = priv;

    w->inner->stats(w->inner_priv, st);
}

static void
sel_tick(void *priv, const struct flow_record *live, size_t n, const struct stats_record *st,
         bool final)
{
    struct select_rep *w = priv;
    size_t i, m = 0;

    if (n > w->live_cap) {
        w->live_cap = n;
        w->live = xreallocarray(w->live, n, sizeof(*w->live));
    }
    for (i = 0; i < n; i++)
        if (report_select_match(&w->sel, &live[i]))
            w->live[m++] = live[i];
    w->inner->tick(w->inner_priv, w->live, m, st, final);
}

static bool
sel_want_tick(void *priv, uint64_t now_ns)
{
    struct select_rep *w = priv;

    return w->inner->want_tick(w->inner_priv, now_ns);
}

static void
sel_flush(void *priv)
{
    struct select_rep *w = priv;

    w->inner->flush(w->inner_priv);
}

static int
sel_close(void *priv)
{
    struct select_rep *w = priv;
    int rc;

    if (w == NULL)
        return 0;
    rc = w->inner->close(w->inner_priv);
    free(w->live);
    free(w);
    return rc;
}

void
report_select_wrap(const struct report_select *sel, const struct reporter_ops *inner,
                   void *inner_priv, const struct reporter_ops **ops_out, void **priv_out)
{
    struct select_rep *w = xcalloc(1, sizeof(*w));

    w->sel = *sel;
    w->inner = inner;
    w->inner_priv = inner_priv;
    w->ops.name = inner->name;
    w->ops.open = inner->open; /* never called through the wrapper */
    w->ops.flow_end = sel_flow_end;
    w->ops.flow_update = inner->flow_update != NULL ? sel_flow_update : NULL;
    w->ops.stuck = inner->stuck != NULL ? sel_stuck : NULL;
    w->ops.stats = sel_stats;
    w->ops.tick = inner->tick != NULL ? sel_tick : NULL;
    /* the rest passes straight through: the view's pacing, flushing live output */
    w->ops.want_tick = inner->want_tick != NULL ? sel_want_tick : NULL;
    w->ops.flush = inner->flush != NULL ? sel_flush : NULL;
    w->ops.close = sel_close;
    w->ops.ids = inner->ids;
    *ops_out = &w->ops;
    *priv_out = w;
}
