/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats_merge: N shards' stats records -> one run's (stats_merge.h).
 *
 * The rule of a counter follows from where it is counted. The engine's
 * thread reads, counts and decodes every packet in every shard (capture.*,
 * decoder.*, flowstate.capture.*, flowstate.decoder.*), and the flow table's
 * configuration (flowstate.flow.memcap_bytes, .max_flows, .slot_bytes) is
 * the same by construction: those must be equal and are taken once.
 * Everything the tracks count belongs to one connection, and every
 * connection to exactly one shard: the values add up (Suricata's flow.memcap
 * too, the times the memcap was hit). That is why SUM is the default: a new
 * per-connection counter needs no entry here, while a new per-packet one
 * must be listed (tests/shard/run-union.sh fails until it is).
 * flowstate.flow.peak is the exception that cannot be recovered: the shards
 * peaked at different times.
 *
 * Called once per --merge-stats run (report_json.c); nothing here is hot,
 * but N can be in the thousands, so paths are found through a hash index.
 */
#include <config.h>

#include "report/stats_merge.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_summary.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Paths that must be equal in every shard: a prefix ends in '.', else the path is exact. */
static const char *const same_paths[] = {
    "capture.",
    "decoder.",
    STATS_OWN "capture.",
    STATS_OWN "decoder.",
    STATS_OWN "flow.memcap_bytes",
    STATS_OWN "flow.max_flows",
    STATS_OWN "flow.slot_bytes",
};

#define SHARD_PREFIX STATS_OWN "shard."
#define PEAK_PATH    STATS_OWN "flow.peak"
#define VIOL_PREFIX  STATS_OWN "tcp.violations."

enum stats_merge_rule
stats_merge_rule(const char *path)
{
    size_t i;

    if (strncmp(path, SHARD_PREFIX, strlen(SHARD_PREFIX)) == 0)
        return STATS_MERGE_SHARD;
    if (strcmp(path, PEAK_PATH) == 0)
        return STATS_MERGE_MAX;
    for (i = 0; i < sizeof(same_paths) / sizeof(same_paths[0]); i++) {
        size_t n = strlen(same_paths[i]);

        if (same_paths[i][n - 1] == '.' ? strncmp(path, same_paths[i], n) == 0
                                        : strcmp(path, same_paths[i]) == 0)
            return STATS_MERGE_SAME;
    }
    return STATS_MERGE_SUM;
}

void
stats_shard_init(struct stats_shard *s, const char *name)
{
    s->name = xstrdup(name);
    s->timestamp = NULL;
    stat_list_init(&s->items);
}

void
stats_shard_add(struct stats_shard *s, const char *path, uint64_t value)
{
    stat_list_add(&s->items, xstrdup(path), value);
}

void
stats_shard_fini(struct stats_shard *s)
{
    size_t i;

    for (i = 0; i < s->items.n; i++)
        free((void *)(uintptr_t)s->items.items[i].path); /* owned: stats_shard_add */
    stat_list_fini(&s->items);
    free(s->name);
    free(s->timestamp);
    s->name = NULL;
    s->timestamp = NULL;
}

/* ---- a path -> slot index (open addressing, FNV-1a) ---------------------------------- */

struct path_index {
    const char **key;
    size_t *slot;
    size_t cap, n;
};

static uint64_t
fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static void
pi_init(struct path_index *pi)
{
    pi->cap = 256;
    pi->n = 0;
    pi->key = xcalloc(pi->cap, sizeof(*pi->key));
    pi->slot = xcalloc(pi->cap, sizeof(*pi->slot));
}

static void
pi_fini(struct path_index *pi)
{
    free(pi->key);
    free(pi->slot);
}

/* returns: where path is, or the empty position it would go to */
static size_t
pi_pos(const struct path_index *pi, const char *path)
{
    size_t i = (size_t)fnv1a(path) & (pi->cap - 1);

    while (pi->key[i] != NULL && strcmp(pi->key[i], path) != 0)
        i = (i + 1) & (pi->cap - 1);
    return i;
}

static bool
pi_get(const struct path_index *pi, const char *path, size_t *slot)
{
    size_t i = pi_pos(pi, path);

    if (pi->key[i] == NULL)
        return false;
    *slot = pi->slot[i];
    return true;
}

/* path: borrowed for the index's life */
static void
pi_put(struct path_index *pi, const char *path, size_t slot)
{
    size_t i;

    if (2 * (pi->n + 1) > pi->cap) {
        struct path_index bigger = {NULL, NULL, pi->cap * 2, 0};

        bigger.key = xcalloc(bigger.cap, sizeof(*bigger.key));
        bigger.slot = xcalloc(bigger.cap, sizeof(*bigger.slot));
        for (i = 0; i < pi->cap; i++)
            if (pi->key[i] != NULL)
                pi_put(&bigger, pi->key[i], pi->slot[i]);
        pi_fini(pi);
        *pi = bigger;
    }
    i = pi_pos(pi, path);
    if (pi->key[i] == NULL)
        pi->n++;
    pi->key[i] = path;
    pi->slot[i] = slot;
}

/* ---- merging ---------------------------------------------------------------------- */

/* Length of the common dotted prefix of a and b, counted in characters up to a dot. */
static size_t
common_prefix(const char *a, const char *b)
{
    size_t i, last = 0;

    for (i = 0; a[i] != '\0' && a[i] == b[i]; i++)
        if (a[i] == '.')
            last = i + 1;
    return last;
}

/*
 * Where a path that the first shards lacked goes when its predecessor in its
 * own shard is not merged (see stats_merge): after the last merged
 * path it shares the longest dotted prefix with (so into its own object,
 * at that object's end), or at the end.
 */
static size_t
insert_pos(const struct stat_list *m, const char *path)
{
    size_t i, best = 0, at = m->n;

    for (i = 0; i < m->n; i++) {
        size_t c = common_prefix(m->items[i].path, path);

        if (c > 0 && c >= best) {
            best = c;
            at = i + 1;
        }
    }
    return at;
}

/* Index of a flowstate.tcp.violations name in enum order, TV_COUNT if unknown. */
static size_t
violation_index(const char *path)
{
    size_t v;

    for (v = 0; v < TV_COUNT; v++)
        if (strcmp(path + strlen(VIOL_PREFIX), tcp_violation_name((enum tcp_violation)v)) == 0)
            return v;
    return TV_COUNT;
}

/*
 * The violation map lists non-zero kinds only, in enum order: shards with
 * different kinds leave the union's order open, so it is restored here, by
 * a stable sort of the map's entries over the places they hold.
 */
static void
order_violations(struct stat_list *m)
{
    size_t *at = xcalloc(m->n + 1, sizeof(*at));
    struct stat_item *v = xcalloc(m->n + 1, sizeof(*v));
    size_t i, j, n = 0;

    for (i = 0; i < m->n; i++) {
        if (strncmp(m->items[i].path, VIOL_PREFIX, strlen(VIOL_PREFIX)) == 0) {
            at[n] = i;
            v[n++] = m->items[i];
        }
    }
    for (i = 1; i < n; i++) {
        struct stat_item t = v[i];
        size_t ti = violation_index(t.path);

        for (j = i; j > 0 && violation_index(v[j - 1].path) > ti; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
    for (i = 0; i < n; i++)
        m->items[at[i]] = v[i];
    free(at);
    free(v);
}

static bool
find(const struct stats_shard *s, const char *path, uint64_t *v)
{
    size_t i;

    for (i = 0; i < s->items.n; i++) {
        if (strcmp(s->items.items[i].path, path) == 0) {
            *v = s->items.items[i].value;
            return true;
        }
    }
    return false;
}

/* Every shard present once, all of the same N, every segment kept by exactly one. */
static int
check_shards(const struct stats_shard *s, size_t n, char *err)
{
    uint64_t count = 0, total = 0, kept = 0;
    const char **seen = NULL;
    size_t i;
    int rc = -1;

    for (i = 0; i < n; i++) {
        uint64_t k, c, p, sk;

        if (!find(&s[i], SHARD_PREFIX "index", &k) || !find(&s[i], SHARD_PREFIX "count", &c) ||
            !find(&s[i], SHARD_PREFIX "pkts", &p) ||
            !find(&s[i], SHARD_PREFIX "skipped_pkts", &sk)) {
            errbuf_printf(err,
                          "%s: no stats.flowstate.shard counters: not the output of a --shard run",
                          s[i].name);
            goto out;
        }
        if (i == 0) {
            count = c;
            total = p + sk;
            if (count == 0 || count > 1u << 20) {
                errbuf_printf(err, "%s: shard count %llu is not valid", s[i].name,
                              (unsigned long long)count);
                goto out;
            }
            seen = xcalloc((size_t)count, sizeof(*seen));
        } else if (c != count) {
            errbuf_printf(err, "%s is a shard of %llu, but %s is a shard of %llu", s[i].name,
                          (unsigned long long)c, s[0].name, (unsigned long long)count);
            goto out;
        }
        if (k >= count) {
            errbuf_printf(err, "%s: shard %llu of %llu is not valid", s[i].name,
                          (unsigned long long)k, (unsigned long long)count);
            goto out;
        }
        if (seen[k] != NULL) {
            errbuf_printf(err, "%s and %s are both shard %llu/%llu", seen[k], s[i].name,
                          (unsigned long long)k, (unsigned long long)count);
            goto out;
        }
        seen[k] = s[i].name;
        if (p + sk != total) {
            errbuf_printf(err, "%s saw %llu TCP segments, but %s saw %llu: not the same input",
                          s[i].name, (unsigned long long)(p + sk), s[0].name,
                          (unsigned long long)total);
            goto out;
        }
        kept += p;
    }
    if (n < count) {
        for (i = 0; seen[i] != NULL; i++)
            ;
        errbuf_printf(err, "%zu of %llu shards given: shard %zu/%llu (and perhaps more) is missing",
                      n, (unsigned long long)count, i, (unsigned long long)count);
        goto out;
    }
    if (kept != total) {
        errbuf_printf(err, "the shards tracked %llu of %llu TCP segments", (unsigned long long)kept,
                      (unsigned long long)total);
        goto out;
    }
    rc = 0;
out:
    free(seen);
    return rc;
}

int
stats_merge(const struct stats_shard *s, size_t n, struct stat_list *out, char *err)
{
    struct path_index pi;
    uint64_t *have = NULL; /* per merged path: shards that have it */
    size_t *first = NULL;  /* per merged path: the first shard that has it */
    size_t i, j, slot;
    int rc = -1;

    if (n == 0) {
        errbuf_printf(err, "no stats record to merge");
        return -1;
    }
    if (check_shards(s, n, err) < 0)
        return -1;
    for (i = 1; i < n; i++) {
        if ((s[i].timestamp == NULL) != (s[0].timestamp == NULL) ||
            (s[i].timestamp != NULL && strcmp(s[i].timestamp, s[0].timestamp) != 0)) {
            errbuf_printf(err, "%s ends at %s, but %s at %s: not the same input", s[i].name,
                          s[i].timestamp != NULL ? s[i].timestamp : "(none)", s[0].name,
                          s[0].timestamp != NULL ? s[0].timestamp : "(none)");
            return -1;
        }
    }
    pi_init(&pi);
    /* the union of the paths, in order (see insert_pos) */
    for (i = 0; i < n; i++) {
        for (j = 0; j < s[i].items.n; j++) {
            const struct stat_item *it = &s[i].items.items[j];
            size_t at, k;

            if (stats_merge_rule(it->path) == STATS_MERGE_SHARD || pi_get(&pi, it->path, &slot))
                continue;
            /* after its predecessor in this shard, where one run puts it */
            if (i == 0)
                at = out->n;
            else if (j > 0 && pi_get(&pi, s[i].items.items[j - 1].path, &slot))
                at = slot + 1;
            else
                at = insert_pos(out, it->path);
            stat_list_add(out, it->path, 0);
            memmove(&out->items[at + 1], &out->items[at], (out->n - 1 - at) * sizeof(*out->items));
            out->items[at].path = it->path;
            out->items[at].value = 0;
            if (at + 1 == out->n) {
                pi_put(&pi, it->path, at);
            } else {
                for (k = at; k < out->n; k++)
                    pi_put(&pi, out->items[k].path, k);
            }
        }
    }
    have = xcalloc(out->n + 1, sizeof(*have));
    first = xcalloc(out->n + 1, sizeof(*first));
    /* the values, by rule */
    for (i = 0; i < n; i++) {
        for (j = 0; j < s[i].items.n; j++) {
            const struct stat_item *it = &s[i].items.items[j];
            struct stat_item *m;

            if (!pi_get(&pi, it->path, &slot))
                continue; /* flowstate.shard.* */
            m = &out->items[slot];
            switch (stats_merge_rule(it->path)) {
            case STATS_MERGE_SAME:
                if (have[slot] != 0 && m->value != it->value) {
                    errbuf_printf(err,
                                  "%s: %s is %llu, but %llu in %s: the shards did not read "
                                  "the same input with the same options",
                                  s[i].name, it->path, (unsigned long long)it->value,
                                  (unsigned long long)m->value, s[first[slot]].name);
                    goto out;
                }
                m->value = it->value;
                break;
            case STATS_MERGE_MAX:
                if (it->value > m->value)
                    m->value = it->value;
                break;
            case STATS_MERGE_SUM:
                if (m->value > UINT64_MAX - it->value) {
                    errbuf_printf(err, "%s: the sum overflows", it->path);
                    goto out;
                }
                m->value += it->value;
                break;
            case STATS_MERGE_SHARD:
                break;
            }
            if (have[slot]++ == 0)
                first[slot] = i;
        }
    }
    for (slot = 0; slot < out->n; slot++) {
        if (stats_merge_rule(out->items[slot].path) == STATS_MERGE_SAME && have[slot] != n) {
            for (i = 0; i < n; i++) {
                uint64_t v;

                if (!find(&s[i], out->items[slot].path, &v))
                    break;
            }
            errbuf_printf(err, "%s has no %s, which every shard must have", s[i].name,
                          out->items[slot].path);
            goto out;
        }
    }
    order_violations(out);
    rc = 0;
out:
    free(have);
    free(first);
    pi_fini(&pi);
    return rc;
}
