/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_sink: the reporter in front of the real one that keeps the
 * metrics (metrics_sink.h). It owns the rendered text, the two gauge sets
 * (one for ticks, one for the connections open at the end) and the
 * textfile's writes; the HTTP endpoint only receives copies of the text.
 * Runs on the thread that writes the records.
 */
#include <config.h>

#include "report/metrics_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/metrics.h"
#include "report/metrics_http.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

struct sink {
    struct metrics_sink_cfg cfg;
    char *tmp_path; /* owned: cfg.file + ".tmp" (not *.prom: the collector skips it) */
    const struct reporter_ops *inner;
    void *inner_priv;
    /*
     * Open connections at a tick; from the drain's first "shutdown" record
     * on, the connections still open when the input ended. One set, so the
     * per-server list remembered from the ticks carries into the last render.
     */
    struct metrics_gauges *g;
    bool draining;
    struct metrics_buf text;
    uint64_t next_due;            /* monotonic ns */
    bool pending;                 /* the next tick renders */
    bool warned;                  /* a failed file write was logged */
};

/* Writes text to cfg.file atomically: PATH.tmp, then rename over PATH. */
static int
write_file(struct sink *s, const char *text, size_t len, char *err)
{
    int fd, rc = -1;
    size_t off = 0;

    fd = open(s->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        errbuf_printf(err, "%s: %s", s->tmp_path, strerror(errno));
        return -1;
    }
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            errbuf_printf(err, "%s: %s", s->tmp_path, strerror(errno));
            goto out;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0) {
        fd = -1;
        errbuf_printf(err, "%s: %s", s->tmp_path, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(s->tmp_path, s->cfg.file) != 0) {
        errbuf_printf(err, "%s: %s", s->cfg.file, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(s->tmp_path);
    return rc;
}

/* Renders from stats + gauge set g and hands the text to the file and the endpoint. */
static void
publish(struct sink *s, const struct stats_record *st, struct metrics_gauges *g)
{
    char err[ERRBUF_SIZE];

    s->text.len = 0;
    metrics_render(&s->text, st->items, g, st->ts_ns);
    if (s->cfg.http != NULL)
        metrics_http_publish(s->cfg.http, s->text.p, s->text.len);
    if (s->cfg.file != NULL && write_file(s, s->text.p, s->text.len, err) != 0) {
        if (!s->warned)
            log_warn("--metrics-file: %s (warned once)", err);
        s->warned = true;
    }
}

static void
sink_flow_end(void *priv, const struct flow_record *r)
{
    struct sink *s = priv;

    if (r->reason == FLOW_END_SHUTDOWN) {
        if (!s->draining)
            metrics_gauges_reset(s->g);
        s->draining = true;
        metrics_gauges_add(s->g, r);
    }
    s->inner->flow_end(s->inner_priv, r);
}

static void
sink_flow_update(void *priv, const struct flow_record *r)
{
    struct sink *s = priv;

    s->inner->flow_update(s->inner_priv, r);
}

static void
sink_stuck(void *priv, const struct flow_record *r)
{
    struct sink *s = priv;

    s->inner->stuck(s->inner_priv, r);
}

static void
sink_stats(void *priv, const struct stats_record *st)
{
    struct sink *s = priv;

    s->inner->stats(s->inner_priv, st);
}

static bool
sink_want_tick(void *priv, uint64_t now_ns)
{
    struct sink *s = priv;

    if (s->cfg.live && !s->pending) {
        uint64_t now = clock_monotonic_ns();

        if (now >= s->next_due) {
            s->pending = true;
            s->next_due = now + s->cfg.interval_ns;
        }
    }
    if (s->inner->tick != NULL &&
        (s->inner->want_tick == NULL || s->inner->want_tick(s->inner_priv, now_ns)))
        return true;
    return s->pending;
}

static void
sink_tick(void *priv, const struct flow_record *live, size_t n, const struct stats_record *st,
          bool final)
{
    struct sink *s = priv;
    size_t i;

    if (final) {
        /* the stats record's counters, the connections open at the end */
        if (!s->draining)
            metrics_gauges_reset(s->g);
        publish(s, st, s->g);
    } else if (s->pending && !s->draining) {
        s->pending = false;
        metrics_gauges_reset(s->g);
        for (i = 0; i < n; i++)
            metrics_gauges_add(s->g, &live[i]);
        publish(s, st, s->g);
    }
    if (s->inner->tick != NULL)
        s->inner->tick(s->inner_priv, live, n, st, final);
}

static void
sink_flush(void *priv)
{
    struct sink *s = priv;

    s->inner->flush(s->inner_priv);
}

static int
sink_close(void *priv)
{
    struct sink *s = priv;
    int rc = s->inner->close(s->inner_priv);

    metrics_gauges_free(s->g);
    metrics_buf_fini(&s->text);
    free(s->tmp_path);
    free(s);
    return rc;
}

int
metrics_sink_check_file(const char *file, char *err)
{
    size_t n = strlen(file) + sizeof(".tmp");
    char *tmp = xmalloc(n);
    int fd, rc = 0;

    snprintf(tmp, n, "%s.tmp", file);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        errbuf_printf(err, "--metrics-file: %s: %s", tmp, strerror(errno));
        rc = -1;
    } else {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

void
metrics_sink_wrap(const struct metrics_sink_cfg *cfg, const struct reporter_ops *inner,
                  void *inner_priv, struct reporter_ops *ops, void **priv)
{
    struct sink *s = xcalloc(1, sizeof(*s));
    size_t n;

    s->cfg = *cfg;
    s->inner = inner;
    s->inner_priv = inner_priv;
    if (cfg->file != NULL) {
        n = strlen(cfg->file) + sizeof(".tmp");
        s->tmp_path = xmalloc(n);
        snprintf(s->tmp_path, n, "%s.tmp", cfg->file);
    }
    s->g = metrics_gauges_new(cfg->top_servers);
    metrics_buf_init(&s->text);
    s->next_due = 0; /* the first live tick renders */

    memset(ops, 0, sizeof(*ops));
    ops->name = inner->name;
    ops->flow_end = sink_flow_end;
    ops->flow_update = inner->flow_update != NULL ? sink_flow_update : NULL;
    ops->stuck = inner->stuck != NULL ? sink_stuck : NULL;
    ops->stats = sink_stats;
    ops->tick = sink_tick;
    ops->want_tick = sink_want_tick;
    ops->close = sink_close;
    ops->flush = inner->flush != NULL ? sink_flush : NULL;
    ops->ids = inner->ids;
    *priv = s;
}
