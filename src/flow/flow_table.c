/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_table: owns every struct flow. Open hashing with chains over a
 * power-of-two bucket array that doubles with the live flow count so the
 * load factor never exceeds 1 (up to the size for max_flows); a SipHash-1-3
 * key seeded per run (getrandom() unless the config fixes it) keeps an
 * attacker from choosing colliding tuples.
 *
 * Memory: slots (struct flow_slot + ext) are carved from chunks of
 * FLOW_CHUNK_SLOTS (mapped and populated in one call each), allocated lazily
 * and never beyond max_flows, and recycled
 * through a free list: a packet never allocates (bucket growth aside, which
 * happens log2(max_flows / FLOW_MIN_BUCKETS) times at most). Running out is
 * not fatal (STYLE.md section 5): a full table evicts, and if nothing can be
 * evicted the packet is counted untracked.
 *
 * Speed: on a busy table every lookup misses the cache (bucket, chain, slot),
 * so the lookup is also offered in stages (flow_table_prepare() ...) that let
 * the engine prefetch the flows of packets it has decoded ahead.
 *
 * Invariants:
 *  - every live flow is in exactly one hash chain, exactly one timeout-class
 *    list (ordered by touch time, oldest at the head) and the creation list
 *    (ordered by seq_no);
 *  - st.active == number of live flows <= max_flows;
 *  - nothing is ever emitted in bucket order: drain and foreach walk the
 *    creation list, expiry and eviction walk the class lists, none of which
 *    depend on the seed.
 *
 * Callers: the engine (get/touch/expire/drain), the TCP layer (touch with
 * the class of the new state, end on port reuse), reporters (foreach).
 * Single-threaded.
 */
#include <config.h>

#include "flow.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flow_private.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

_Static_assert(sizeof(struct flow) <= 192, "struct flow must fit in 192 bytes");

#define NS_PER_SEC 1000000000ull

static struct flow_slot *
slot_of(struct flow *f)
{
    return (struct flow_slot *)(void *)((char *)f - offsetof(struct flow_slot, f));
}

void
flow_table_cfg_default(struct flow_table_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_flows = FLOW_DEFAULT_MAX_FLOWS;
    cfg->timeout_ns[FLOW_TC_NEW] = 60 * NS_PER_SEC;
    cfg->timeout_ns[FLOW_TC_ESTABLISHED] = 3600 * NS_PER_SEC;
    cfg->timeout_ns[FLOW_TC_CLOSING] = 3600 * NS_PER_SEC;
    cfg->timeout_ns[FLOW_TC_CLOSED] = 60 * NS_PER_SEC;
}

static size_t
round_pow2(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/*
 * Most flows that fit in memcap bytes of slots plus buckets, with
 * buckets = next power of two >= flows. For each candidate bucket count B the
 * slots get what the buckets leave, capped at B (load factor <= 1).
 */
static size_t
flows_for_memcap(size_t memcap, size_t slot_bytes)
{
    size_t best = 0;
    for (size_t b = 1; b <= FLOW_MAX_FLOWS_LIMIT; b <<= 1) {
        size_t bucket_bytes = b * sizeof(struct flow *);
        if (bucket_bytes >= memcap)
            break;
        size_t n = (memcap - bucket_bytes) / slot_bytes;
        if (n > b)
            n = b;
        if (n > best)
            best = n;
    }
    return best;
}

struct flow_table *
flow_table_new(const struct flow_table_cfg *cfg, char *err)
{
    struct flow_table *t = NULL;

    if (cfg->ext_size > FLOW_MAX_EXT_SIZE) {
        errbuf_printf(err, "flow extension of %zu bytes is too large (max %zu)", cfg->ext_size,
                      FLOW_MAX_EXT_SIZE);
        goto fail;
    }
    size_t slot_bytes = (sizeof(struct flow_slot) + cfg->ext_size + 15) & ~(size_t)15;

    size_t max_flows = cfg->max_flows;
    if (cfg->memcap > 0) {
        size_t fit = flows_for_memcap(cfg->memcap, slot_bytes);
        if (fit == 0) {
            errbuf_printf(err, "memcap of %zu bytes holds no flow (%zu bytes per flow)",
                          cfg->memcap, slot_bytes + sizeof(struct flow *));
            goto fail;
        }
        if (max_flows == 0 || fit < max_flows)
            max_flows = fit;
    } else if (max_flows == 0) {
        max_flows = FLOW_DEFAULT_MAX_FLOWS;
    }
    if (max_flows > FLOW_MAX_FLOWS_LIMIT) {
        errbuf_printf(err, "max flows %zu exceeds the limit of %zu", max_flows,
                      FLOW_MAX_FLOWS_LIMIT);
        goto fail;
    }

    t = xcalloc(1, sizeof(*t));
    t->cfg = *cfg;
    t->max_flows = max_flows;
    t->slot_bytes = slot_bytes;
    t->cold_lo = t->cold_hi = slot_bytes;
    if (cfg->ext_cold_len > 0 && cfg->ext_cold_off <= cfg->ext_size &&
        cfg->ext_cold_len <= cfg->ext_size - cfg->ext_cold_off) {
        t->cold_lo = sizeof(struct flow_slot) + cfg->ext_cold_off;
        t->cold_hi = t->cold_lo + cfg->ext_cold_len;
    }
    t->seed = cfg->seed != 0 ? cfg->seed : random_seed64();
    t->max_buckets = round_pow2(max_flows);
    t->nbuckets = t->max_buckets < FLOW_MIN_BUCKETS ? t->max_buckets : FLOW_MIN_BUCKETS;
    t->mask = (uint32_t)(t->nbuckets - 1);

    /* Budgeted memory: fail softly rather than through xcalloc's abort. */
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    if (t->buckets == NULL) {
        errbuf_printf(err, "cannot allocate %zu flow hash buckets", t->nbuckets);
        goto fail;
    }
    t->chunks_cap = (max_flows + FLOW_CHUNK_SLOTS - 1) / FLOW_CHUNK_SLOTS;
    t->chunks = calloc(t->chunks_cap, sizeof(*t->chunks));
    if (t->chunks == NULL) {
        errbuf_printf(err, "cannot allocate the flow chunk index");
        goto fail;
    }
    t->st.slot_bytes = slot_bytes;
    return t;

fail:
    flow_table_free(t);
    return NULL;
}

/* Bytes of chunk ci: FLOW_CHUNK_SLOTS slots, fewer for the last one below max_flows. */
static size_t
chunk_bytes(const struct flow_table *t, size_t ci)
{
    size_t n = t->max_flows - ci * FLOW_CHUNK_SLOTS;
    return (n < FLOW_CHUNK_SLOTS ? n : FLOW_CHUNK_SLOTS) * t->slot_bytes;
}

void
flow_table_free(struct flow_table *t)
{
    if (t == NULL)
        return;
    if (t->chunks != NULL) {
        for (size_t i = 0; i < t->nchunks; i++)
            (void)munmap(t->chunks[i], chunk_bytes(t, i));
        free(t->chunks);
    }
    free(t->buckets);
    free(t->due);
    free(t);
}

/* --- list helpers --------------------------------------------------------- */

static void
class_append(struct flow_table *t, struct flow *f)
{
    unsigned c = f->tclass;
    f->lnext = NULL;
    f->lprev = t->ltail[c];
    if (t->ltail[c] != NULL)
        t->ltail[c]->lnext = f;
    else
        t->lhead[c] = f;
    t->ltail[c] = f;
}

static void
class_unlink(struct flow_table *t, struct flow *f)
{
    unsigned c = f->tclass;
    if (f->lprev != NULL)
        f->lprev->lnext = f->lnext;
    else
        t->lhead[c] = f->lnext;
    if (f->lnext != NULL)
        f->lnext->lprev = f->lprev;
    else
        t->ltail[c] = f->lprev;
    f->lprev = f->lnext = NULL;
}

static void
creation_append(struct flow_table *t, struct flow_slot *s)
{
    s->cnext = NULL;
    s->cprev = t->ctail;
    if (t->ctail != NULL)
        t->ctail->cnext = s;
    else
        t->chead = s;
    t->ctail = s;
}

static void
creation_unlink(struct flow_table *t, struct flow_slot *s)
{
    if (s->cprev != NULL)
        s->cprev->cnext = s->cnext;
    else
        t->chead = s->cnext;
    if (s->cnext != NULL)
        s->cnext->cprev = s->cprev;
    else
        t->ctail = s->cprev;
    s->cprev = s->cnext = NULL;
}

static void
hash_unlink(struct flow_table *t, struct flow *f)
{
    struct flow **pp = &t->buckets[f->hash & t->mask];
    while (*pp != f) {
        assert(*pp != NULL);
        pp = &(*pp)->hnext;
    }
    *pp = f->hnext;
    f->hnext = NULL;
}

/*
 * Doubles the bucket array once the live flows outnumber the buckets. Chain
 * order changes, which nothing observes (nothing walks the buckets for
 * output). Failure to allocate is not fatal: chains just get longer.
 */
static void
maybe_grow(struct flow_table *t)
{
    if (t->st.active <= t->nbuckets || t->nbuckets >= t->max_buckets || t->grow_failed)
        return;
    size_t n = t->nbuckets * 2;
    struct flow **nb = calloc(n, sizeof(*nb));
    if (nb == NULL) {
        t->grow_failed = true;
        log_debug("flow: cannot grow the hash to %zu buckets; chains get longer", n);
        return;
    }
    uint32_t mask = (uint32_t)(n - 1);
    /*
     * Walk the slots in memory order, not the old chains: each hashed flow
     * is read once either way (hash, hnext: its first line), but in slot
     * order the reads stream instead of missing the cache one by one (4.5%
     * of the bench run went to the chain walk). A slot is hashed unless it is
     * free: every carved slot is either live (ended 0), ending with its end
     * callback running (ended 1, unlinked after the callback, which may
     * create flows and so get here), or on the free list (FLOW_SLOT_FREE).
     */
    size_t left = t->carved;
    for (size_t ci = 0; left > 0; ci++) {
        size_t nslots = left < FLOW_CHUNK_SLOTS ? left : FLOW_CHUNK_SLOTS;
        uint8_t *base = t->chunks[ci] + offsetof(struct flow_slot, f);
        for (size_t i = 0; i < nslots; i++) {
            struct flow *f = (struct flow *)(void *)(base + i * t->slot_bytes);
            if (i + 8 < nslots)
                __builtin_prefetch(base + (i + 8) * t->slot_bytes, 1);
            if (f->ended == FLOW_SLOT_FREE)
                continue;
            f->hnext = nb[f->hash & mask];
            nb[f->hash & mask] = f;
        }
        left -= nslots;
    }
    free(t->buckets);
    t->buckets = nb;
    t->nbuckets = n;
    t->mask = mask;
}

/* --- slots ---------------------------------------------------------------- */

/* A free slot, or NULL when max_flows are carved and none is free, or a chunk allocation failed. */
static struct flow *
slot_alloc(struct flow_table *t)
{
    struct flow *f = t->free_head;
    if (f != NULL) {
        t->free_head = f->hnext;
        return f;
    }
    if (t->carved >= t->max_flows)
        return NULL;
    size_t ci = t->carved / FLOW_CHUNK_SLOTS;
    size_t off = t->carved % FLOW_CHUNK_SLOTS;
    if (off == 0) {
        /*
         * Mapped and populated at once: the kernel faults the whole chunk
         * in one call instead of one page fault per 4 KiB as flows arrive
         * (34,000 faults for the bench's 138 MiB of slots; 2% of a run).
         */
        uint8_t *chunk = mmap(NULL, chunk_bytes(t, ci), PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (chunk == MAP_FAILED)
            return NULL;
        assert(ci == t->nchunks && ci < t->chunks_cap);
        t->chunks[t->nchunks++] = chunk;
    }
    t->carved++;
    struct flow_slot *s = (struct flow_slot *)(void *)(t->chunks[ci] + off * t->slot_bytes);
    return &s->f;
}

/* on_end, then unlink from every list and recycle. */
static void
end_flow(struct flow_table *t, struct flow *f, enum flow_end_reason why)
{
    assert(!f->ended && !t->draining);
    assert((unsigned)why < FLOW_END_COUNT);
    f->ended = 1;
    t->st.ended[why]++;
    t->st.ended_by_class[f->tclass < FLOW_TC_COUNT ? f->tclass : FLOW_TC_CLOSED]++;
    if (t->cfg.on_end != NULL)
        t->cfg.on_end(t->cfg.on_end_arg, f, why);
    hash_unlink(t, f);
    class_unlink(t, f);
    creation_unlink(t, slot_of(f));
    t->st.active--;
    f->ended = FLOW_SLOT_FREE;
    f->hnext = t->free_head;
    t->free_head = f;
}

/*
 * Makes room by ending one flow: the oldest embryonic flow first (cheapest to
 * lose, and what a SYN flood creates), then closed ones (already finished),
 * then closing, and established last. Flows whose end callback is running
 * (a re-entrant call) are skipped. Returns false if nothing was evictable.
 */
static bool
evict_one(struct flow_table *t)
{
    static const enum flow_tclass order[] = {FLOW_TC_NEW, FLOW_TC_CLOSED, FLOW_TC_CLOSING,
                                             FLOW_TC_ESTABLISHED};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        for (struct flow *f = t->lhead[order[i]]; f != NULL; f = f->lnext) {
            if (f->ended)
                continue;
            t->st.evicted_by_class[order[i]]++;
            end_flow(t, f, FLOW_END_FORCED);
            return true;
        }
    }
    return false;
}

/* --- public --------------------------------------------------------------- */

void
flow_table_prepare_key(const struct flow_table *t, struct flow_lookup *lk)
{
    lk->hash = flow_key_hash(&lk->key, t->seed);
    __builtin_prefetch(&t->buckets[lk->hash & t->mask]);
}

void
flow_table_prepare(const struct flow_table *t, const struct pkt_meta *m, struct flow_lookup *lk)
{
    flow_key_from_meta(m, &lk->key, &lk->dir);
    flow_table_prepare_key(t, lk);
}

/*
 * Prefetches the lines of [p, p + n). Integer addresses on purpose: with
 * char-pointer bounds (and an n == 0 test) GCC 12 -O2 deleted this whole
 * loop from flow_table_prefetch_flow(), silently; check the disassembly for
 * prefetcht0 loops after changing it.
 */
static void
prefetch_range(const void *p, size_t n)
{
    uintptr_t end = (uintptr_t)p + n;
    for (uintptr_t a = (uintptr_t)p & ~(uintptr_t)63; a < end; a += 64)
        __builtin_prefetch((const void *)a);
}

void
flow_table_prefetch_head(const struct flow_table *t, const struct flow_lookup *lk)
{
    const struct flow *f = t->buckets[lk->hash & t->mask];
    /* hnext, hash and the key: what the chain walk reads (they may straddle two lines) */
    if (f != NULL)
        prefetch_range(f, offsetof(struct flow, key) + sizeof(f->key));
}

void
flow_table_prefetch_flow(const struct flow_table *t, const struct flow_lookup *lk)
{
    const struct flow *f;
    for (f = t->buckets[lk->hash & t->mask]; f != NULL; f = f->hnext)
        if (f->hash == lk->hash)
            break;
    if (f == NULL)
        return; /* a new flow: its slot is written by the memset, nothing to read */
    /*
     * The TCP observers touch most of the slot on every segment: fetch all of
     * it but the cold range (lines it shares with hot bytes are fetched).
     */
    const char *slot = (const char *)f - offsetof(struct flow_slot, f);
    prefetch_range(slot, t->cold_lo);
    prefetch_range(slot + t->cold_hi, t->slot_bytes - t->cold_hi);
    /* flow_table_touch unlinks f from its class list, writing both neighbours. */
    if (f->lprev != NULL)
        __builtin_prefetch(&f->lprev->lnext, 1);
    if (f->lnext != NULL)
        __builtin_prefetch(&f->lnext->lprev, 1);
}

struct flow *
flow_table_get(struct flow_table *t, const struct pkt_meta *m, uint64_t pkt_no, int *dir,
               bool *created)
{
    struct flow_lookup lk;
    flow_table_prepare(t, m, &lk);
    *dir = lk.dir;
    return flow_table_get_prepared(t, &lk, m, pkt_no, created);
}

struct flow *
flow_table_get_prepared(struct flow_table *t, const struct flow_lookup *lk,
                        const struct pkt_meta *m, uint64_t pkt_no, bool *created)
{
    const struct flow_key *kp = &lk->key;
    uint32_t h = lk->hash;
    *created = false;
    assert(!t->draining);

    uint64_t depth = 0;
    for (struct flow *f = t->buckets[h & t->mask]; f != NULL; f = f->hnext) {
        depth++;
        if (f->hash == h && flow_key_equal(&f->key, kp)) {
            if (depth > t->st.chain_max)
                t->st.chain_max = depth;
            return f;
        }
    }
    if (depth > t->st.chain_max)
        t->st.chain_max = depth;

    /* Suricata's flow.memcap: each time a new flow finds the budget spent */
    if (t->st.active >= t->max_flows) {
        t->st.memcap_hits++;
        (void)evict_one(t);
    }
    struct flow *f = slot_alloc(t);
    if (f == NULL && t->st.active < t->max_flows)
        t->st.memcap_hits++; /* a chunk allocation failed below the cap */
    if (f == NULL && t->st.active > 0 && evict_one(t))
        f = slot_alloc(t); /* recycle instead */
    if (f == NULL) {
        t->st.untracked++;
        return NULL;
    }

    memset(f, 0, sizeof(*f) + t->cfg.ext_size);
    f->key = *kp;
    f->hash = h;
    f->tclass = FLOW_TC_NEW;
    f->seq_no = t->next_seq++;
    f->first_pkt_no = pkt_no;
    f->first_ts_ns = f->last_ts_ns = m->ts_ns;
    f->vlan_count = m->vlan_count <= DECODE_MAX_VLAN ? m->vlan_count : DECODE_MAX_VLAN;
    memcpy(f->vlan, m->vlan, sizeof(f->vlan));
    f->tunnel_depth = m->tunnel_depth;

    struct flow **bucket = &t->buckets[h & t->mask]; /* re-read: eviction may have changed it */
    f->hnext = *bucket;
    *bucket = f;
    class_append(t, f);
    creation_append(t, slot_of(f));

    t->st.created++;
    t->st.active++;
    if (t->st.active > t->st.peak)
        t->st.peak = t->st.active;
    maybe_grow(t);
    *created = true;
    return f;
}

#define LK_AT(lk, stride, i) ((struct flow_lookup *)(void *)((char *)(lk) + (i) * (stride)))

/*
 * Two prefetch passes over the batch (flow.h): every packet's chain head,
 * then every packet's flow slot, so the misses of the whole batch overlap;
 * the buckets were prefetched by flow_table_prepare*() as packets were queued.
 */
void
flow_table_lookup_batch(struct flow_table *t, struct flow_lookup *lk, size_t stride, size_t n,
                        flow_batch_fn fn, void *arg)
{
    size_t i;

    if (n > 1) {
        for (i = 0; i < n; i++)
            flow_table_prefetch_head(t, LK_AT(lk, stride, i));
        for (i = 0; i < n; i++)
            flow_table_prefetch_flow(t, LK_AT(lk, stride, i));
    }
    for (i = 0; i < n; i++) {
        const struct flow_lookup *l = LK_AT(lk, stride, i);
        bool created;
        struct flow *f = flow_table_get_prepared(t, l, l->m, l->pkt_no, &created);

        fn(arg, i, f, created);
    }
}

void
flow_table_touch(struct flow_table *t, struct flow *f, uint64_t now_ns, enum flow_tclass tc)
{
    assert(!f->ended);
    assert((unsigned)tc < FLOW_TC_COUNT);
    f->last_ts_ns = now_ns;
    /* Already last in its class (a burst of one flow, or a flow just created): nothing moves. */
    if (f->tclass == tc && t->ltail[tc] == f)
        return;
    class_unlink(t, f);
    f->tclass = (uint8_t)tc;
    class_append(t, f);
}

/* Deadline of f (saturating), for ordering expiries across classes. */
static uint64_t
deadline(const struct flow_table *t, const struct flow *f)
{
    uint64_t to = t->cfg.timeout_ns[f->tclass];
    return f->last_ts_ns > UINT64_MAX - to ? UINT64_MAX : f->last_ts_ns + to;
}

/* One flow due to expire, with its sort key (flow_table_expire). */
struct flow_due {
    uint64_t deadline;
    struct flow *f;
};

static int
due_cmp(const void *pa, const void *pb)
{
    const struct flow_due *a = pa, *b = pb;

    if (a->deadline != b->deadline)
        return a->deadline < b->deadline ? -1 : 1;
    if (a->f->first_pkt_no != b->f->first_pkt_no)
        return a->f->first_pkt_no < b->f->first_pkt_no ? -1 : 1;
    if (a->f->seq_no != b->f->seq_no)
        return a->f->seq_no < b->f->seq_no ? -1 : 1;
    return 0;
}

/*
 * Each class list is ordered by touch time, and touch times never go back
 * (the engine's clock), so the due flows of a class are a prefix of its list.
 * They end in the order (deadline, first packet number, creation): a total
 * order over properties of the flows themselves, not of the lists, so the
 * flows of several tables (one per worker) merge into exactly the order one
 * table would give (engine/track.h). A head whose end callback is running (a
 * re-entrant call) holds its class back, as does a head touched in the
 * future (a caller whose clock went backwards): nothing ends early.
 */
size_t
flow_table_expire(struct flow_table *t, uint64_t now_ns)
{
    size_t n = 0, i;

    for (unsigned c = 0; c < FLOW_TC_COUNT; c++) {
        uint64_t to = t->cfg.timeout_ns[c];

        for (struct flow *f = t->lhead[c]; f != NULL; f = f->lnext) {
            if (f->ended || now_ns < f->last_ts_ns || now_ns - f->last_ts_ns < to)
                break;
            if (n == t->due_cap) {
                t->due_cap = t->due_cap ? t->due_cap * 2 : 64;
                t->due = xreallocarray(t->due, t->due_cap, sizeof(*t->due));
            }
            t->due[n].deadline = deadline(t, f);
            t->due[n].f = f;
            n++;
        }
    }
    if (n > 1)
        qsort(t->due, n, sizeof(*t->due), due_cmp);
    for (i = 0; i < n; i++)
        end_flow(t, t->due[i].f, FLOW_END_TIMEOUT);
    return n;
}

void
flow_table_end(struct flow_table *t, struct flow *f, enum flow_end_reason why)
{
    end_flow(t, f, why);
}

/*
 * Every flow goes, so nothing is unlinked one by one (each unlink misses the
 * cache on the flow's bucket and on both class-list neighbours): the flows
 * are reported in creation order, then the slots go to the free list and the
 * buckets and lists are cleared in one pass. The end callback must not call
 * into the table meanwhile (t->draining; end_flow() and flow_table_get*()
 * assert it).
 */
void
flow_table_drain(struct flow_table *t, enum flow_end_reason why)
{
    struct flow_slot *s, *next;

    assert((unsigned)why < FLOW_END_COUNT);
    t->draining = true;
    for (s = t->chead; s != NULL; s = s->cnext) {
        assert(!s->f.ended);
        s->f.ended = 1;
        t->st.ended[why]++;
        t->st.ended_by_class[s->f.tclass < FLOW_TC_COUNT ? s->f.tclass : FLOW_TC_CLOSED]++;
        if (t->cfg.on_end != NULL)
            t->cfg.on_end(t->cfg.on_end_arg, &s->f, why);
    }
    for (s = t->chead; s != NULL; s = next) {
        next = s->cnext;
        s->cprev = s->cnext = NULL;
        s->f.lprev = s->f.lnext = NULL;
        s->f.ended = FLOW_SLOT_FREE;
        s->f.hnext = t->free_head;
        t->free_head = &s->f;
    }
    memset(t->buckets, 0, t->nbuckets * sizeof(*t->buckets));
    for (unsigned c = 0; c < FLOW_TC_COUNT; c++)
        t->lhead[c] = t->ltail[c] = NULL;
    t->chead = t->ctail = NULL;
    t->st.active = 0;
    t->draining = false;
}

void
flow_table_foreach(struct flow_table *t, void (*fn)(void *arg, struct flow *f), void *arg)
{
    struct flow_slot *next;
    for (struct flow_slot *s = t->chead; s != NULL; s = next) {
        next = s->cnext;
        fn(arg, &s->f);
    }
}

const struct flow_table_stats *
flow_table_stats(const struct flow_table *t)
{
    return &t->st;
}

void
flow_table_stats_export_values(const struct flow_table_stats *s, size_t memcap, size_t max_flows,
                               struct stat_list *out)
{
    /* Suricata's names, Suricata's meaning (flow.state as report_record.c names it) */
    stat_list_add(out, "flow.tcp", s->created);
    stat_list_add(out, "flow.active", s->active);
    stat_list_add(out, "flow.memcap", s->memcap_hits);
    stat_list_add(out, "flow.end.state.new", s->ended_by_class[FLOW_TC_NEW]);
    stat_list_add(out, "flow.end.state.established",
                  s->ended_by_class[FLOW_TC_ESTABLISHED] + s->ended_by_class[FLOW_TC_CLOSING]);
    stat_list_add(out, "flow.end.state.closed", s->ended_by_class[FLOW_TC_CLOSED]);
    /* flowstate's own */
    stat_list_add(out, STATS_OWN "flow.peak", s->peak);
    stat_list_add(out, STATS_OWN "flow.end.timeout", s->ended[FLOW_END_TIMEOUT]);
    stat_list_add(out, STATS_OWN "flow.end.forced", s->ended[FLOW_END_FORCED]);
    stat_list_add(out, STATS_OWN "flow.end.shutdown", s->ended[FLOW_END_SHUTDOWN]);
    stat_list_add(out, STATS_OWN "flow.end.tcp_reuse", s->ended[FLOW_END_TCP_REUSE]);
    stat_list_add(out, STATS_OWN "flow.evicted.new", s->evicted_by_class[FLOW_TC_NEW]);
    stat_list_add(out, STATS_OWN "flow.evicted.established",
                  s->evicted_by_class[FLOW_TC_ESTABLISHED]);
    stat_list_add(out, STATS_OWN "flow.evicted.closing", s->evicted_by_class[FLOW_TC_CLOSING]);
    stat_list_add(out, STATS_OWN "flow.evicted.closed", s->evicted_by_class[FLOW_TC_CLOSED]);
    stat_list_add(out, STATS_OWN "flow.untracked", s->untracked);
    stat_list_add(out, STATS_OWN "flow.memcap_bytes", memcap);
    stat_list_add(out, STATS_OWN "flow.max_flows", max_flows);
    stat_list_add(out, STATS_OWN "flow.slot_bytes", s->slot_bytes);
}

void
flow_table_stats_export(const struct flow_table *t, struct stat_list *out)
{
    flow_table_stats_export_values(&t->st, t->cfg.memcap, t->max_flows, out);
}

void
flow_table_stats_add(struct flow_table_stats *into, const struct flow_table_stats *from)
{
    size_t i;

    into->created += from->created;
    for (i = 0; i < FLOW_END_COUNT; i++)
        into->ended[i] += from->ended[i];
    for (i = 0; i < FLOW_TC_COUNT; i++) {
        into->ended_by_class[i] += from->ended_by_class[i];
        into->evicted_by_class[i] += from->evicted_by_class[i];
    }
    into->memcap_hits += from->memcap_hits;
    into->untracked += from->untracked;
    into->active += from->active;
    into->peak += from->peak; /* an upper bound; a global peak is the caller's */
    into->slot_bytes = from->slot_bytes;
    if (from->chain_max > into->chain_max)
        into->chain_max = from->chain_max;
}

size_t
flow_table_max_flows(const struct flow_table *t)
{
    return t->max_flows;
}

size_t
flow_table_cfg_max_flows(const struct flow_table_cfg *cfg)
{
    size_t slot_bytes = (sizeof(struct flow_slot) + cfg->ext_size + 15) & ~(size_t)15;
    size_t max_flows = cfg->max_flows;

    if (cfg->memcap > 0) {
        size_t fit = flows_for_memcap(cfg->memcap, slot_bytes);

        if (max_flows == 0 || fit < max_flows)
            max_flows = fit;
    } else if (max_flows == 0) {
        max_flows = FLOW_DEFAULT_MAX_FLOWS;
    }
    return max_flows;
}

const char *
flow_end_reason_name(enum flow_end_reason r)
{
    switch (r) {
    case FLOW_END_NONE:
        return "none";
    case FLOW_END_TIMEOUT:
        return "timeout";
    case FLOW_END_FORCED:
        return "forced";
    case FLOW_END_SHUTDOWN:
        return "shutdown";
    case FLOW_END_TCP_REUSE:
        return "tcp_reuse";
    case FLOW_END_COUNT:
        break;
    }
    return "unknown";
}

const char *
flow_tclass_name(enum flow_tclass c)
{
    switch (c) {
    case FLOW_TC_NEW:
        return "new";
    case FLOW_TC_ESTABLISHED:
        return "established";
    case FLOW_TC_CLOSING:
        return "closing";
    case FLOW_TC_CLOSED:
        return "closed";
    case FLOW_TC_COUNT:
        break;
    }
    return "unknown";
}
