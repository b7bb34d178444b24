/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * defrag: owns the fragment trackers (one per datagram being reassembled),
 * their buffers and the memory charged for them. The engine calls
 * defrag_add() for every DECODE_FRAGMENT and decodes what comes back; see
 * defrag.h for the limits and the overlap policy.
 *
 * A tracker keeps the datagram's data in one buffer indexed by fragment
 * offset, a sorted list of the byte ranges already held (merged, so at most
 * one entry per fragment), the unfragmentable header copied from the
 * offset-0 fragment, and the end once the last fragment (MF/M clear) has
 * been seen. It is complete when the held ranges are exactly [0, end) and
 * the header is known; the datagram is then rebuilt into d->out with its
 * length fields (and IPv4 checksum) fixed up, and the tracker is freed.
 *
 * Invariants:
 *  - every tracker is in exactly one hash chain and on the age list, which
 *    is in creation order; since the engine's clock never goes backwards,
 *    that is also expiry order, so expiry pops the head;
 *  - mem_used is the sum of every tracker's `mem`, and never exceeds the
 *    memcap (allocations are checked before they are made);
 *  - ranges are sorted, non-empty, non-adjacent and within [0, 65535].
 * Packet bytes are read only through cursor.h; the buffers written here are
 * our own.
 */
#include <config.h>

#include "defrag/defrag.h"

#include <stdlib.h>
#include <string.h>

#include "decode/cursor.h"
#include "util/siphash.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define DEFRAG_MAX_BUCKETS 65536u
#define DEFRAG_OUT_MAX     (DEFRAG_MAX_DATAGRAM + 40u) /* IPv6: payload length + fixed header */
#define DEFRAG_MIN_BUF     1024u

/*
 * A datagram's identity (RFC 791 3.2: source, destination, protocol and
 * identification; RFC 8200 4.5: source, destination and identification).
 * All bytes defined (zeroed first), so keys compare and hash as bytes.
 */
struct defrag_key {
    struct ip_addr src, dst;
    uint32_t id;
    uint8_t ip_version;
    uint8_t proto;
    uint8_t pad[2];
};

_Static_assert(sizeof(struct defrag_key) == 40, "defrag_key: no hidden padding");

struct defrag_range {
    uint32_t start, end; /* [start, end) */
};

struct defrag_tracker {
    struct defrag_tracker *hnext;       /* hash chain */
    struct defrag_tracker *prev, *next; /* age list */
    struct defrag_key key;
    uint32_t hash;
    uint64_t expires_ns;
    uint8_t *hdr; /* unfragmentable part of the offset-0 fragment, or NULL */
    uint32_t hdr_len, nh_pos;
    uint8_t *data; /* datagram data by offset */
    uint32_t data_size;
    uint32_t end; /* valid when seen_last */
    bool seen_last;
    struct defrag_range *ranges;
    uint32_t nranges, ranges_size;
    uint32_t frags;
    uint64_t wire_bytes;
    size_t mem; /* bytes charged against the memcap */
};

struct defrag {
    struct defrag_cfg cfg;
    struct defrag_tracker **buckets;
    uint32_t nbuckets; /* power of two */
    struct defrag_tracker *head, *tail;
    size_t ntrackers, mem_used;
    uint8_t *out; /* DEFRAG_OUT_MAX bytes: the last datagram completed */
    struct defrag_stats st;
};

void
defrag_cfg_default(struct defrag_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->memcap = DEFRAG_DEFAULT_MEMCAP;
    cfg->max_trackers = DEFRAG_DEFAULT_MAX_TRACKERS;
    cfg->max_frags = DEFRAG_DEFAULT_MAX_FRAGS;
    cfg->timeout_ns = DEFRAG_DEFAULT_TIMEOUT_NS;
}

struct defrag *
defrag_new(const struct defrag_cfg *cfg)
{
    struct defrag *d = xcalloc(1, sizeof(*d));

    d->cfg = *cfg;
    if (d->cfg.max_trackers == 0)
        d->cfg.max_trackers = 1;
    if (d->cfg.max_frags == 0)
        d->cfg.max_frags = 1;
    if (d->cfg.seed == 0)
        d->cfg.seed = random_seed64();
    d->nbuckets = 16;
    while (d->nbuckets < d->cfg.max_trackers && d->nbuckets < DEFRAG_MAX_BUCKETS)
        d->nbuckets *= 2;
    d->buckets = xcalloc(d->nbuckets, sizeof(*d->buckets));
    d->out = xmalloc(DEFRAG_OUT_MAX);
    return d;
}

static void
tracker_free(struct defrag *d, struct defrag_tracker *t)
{
    struct defrag_tracker **pp = &d->buckets[t->hash & (d->nbuckets - 1)];

    while (*pp != t)
        pp = &(*pp)->hnext;
    *pp = t->hnext;
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        d->head = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    else
        d->tail = t->prev;
    d->ntrackers--;
    d->mem_used -= t->mem;
    free(t->hdr);
    free(t->data);
    free(t->ranges);
    free(t);
}

void
defrag_free(struct defrag *d)
{
    if (d == NULL)
        return;
    while (d->head != NULL)
        tracker_free(d, d->head);
    free(d->buckets);
    free(d->out);
    free(d);
}

void
defrag_expire(struct defrag *d, uint64_t now_ns)
{
    while (d->head != NULL && d->head->expires_ns <= now_ns) {
        d->st.timeouts++;
        tracker_free(d, d->head);
    }
}

void
defrag_flush(struct defrag *d)
{
    while (d->head != NULL) {
        d->st.unfinished++;
        tracker_free(d, d->head);
    }
}

size_t
defrag_trackers(const struct defrag *d)
{
    return d->ntrackers;
}

size_t
defrag_mem_used(const struct defrag *d)
{
    return d->mem_used;
}

const struct defrag_stats *
defrag_stats(const struct defrag *d)
{
    return &d->st;
}

void
defrag_stats_export(const struct defrag_stats *st, struct stat_list *out)
{
    stat_list_add(out, STATS_OWN "decoder.defrag.fragments", st->fragments);
    stat_list_add(out, STATS_OWN "decoder.defrag.reassembled", st->reassembled);
    stat_list_add(out, STATS_OWN "decoder.defrag.timeouts", st->timeouts);
    stat_list_add(out, STATS_OWN "decoder.defrag.unfinished", st->unfinished);
    stat_list_add(out, STATS_OWN "decoder.defrag.overlaps", st->overlaps);
    stat_list_add(out, STATS_OWN "decoder.defrag.overlap_diff", st->overlap_diff);
    stat_list_add(out, STATS_OWN "decoder.defrag.dropped_memcap", st->dropped_memcap);
    stat_list_add(out, STATS_OWN "decoder.defrag.dropped_trackers", st->dropped_trackers);
    stat_list_add(out, STATS_OWN "decoder.defrag.too_large", st->too_large);
    stat_list_add(out, STATS_OWN "decoder.defrag.too_many_frags", st->too_many_frags);
    stat_list_add(out, STATS_OWN "decoder.defrag.inconsistent", st->inconsistent);
    stat_list_add(out, STATS_OWN "decoder.defrag.incomplete", st->incomplete);
}

/* True if `more` bytes may be charged, after reclaiming expired trackers. */
static bool
mem_reserve(struct defrag *d, size_t more, uint64_t now_ns)
{
    if (d->mem_used + more <= d->cfg.memcap)
        return true;
    defrag_expire(d, now_ns);
    return d->mem_used + more <= d->cfg.memcap;
}

static void
mem_charge(struct defrag *d, struct defrag_tracker *t, size_t delta)
{
    t->mem += delta;
    d->mem_used += delta;
}


static void
make_key(const struct pkt_meta *m, struct defrag_key *k)
{
    memset(k, 0, sizeof(*k));
    k->src = m->src;
    k->dst = m->dst;
    k->id = m->frag.id;
    k->ip_version = m->ip_version;
    k->proto = m->l4_proto;
}

static bool
key_equal(const struct defrag_key *x, const struct defrag_key *y)
{
    return memcmp(x, y, sizeof(*x)) == 0;
}

static uint32_t
key_hash(const struct defrag_key *k, uint64_t seed)
{
    uint64_t h = siphash13((const uint8_t *)k, sizeof(*k), seed, siphash_seed_mix(seed));

    return (uint32_t)(h ^ (h >> 32));
}

static struct defrag_tracker *
tracker_find(struct defrag *d, const struct defrag_key *k, uint32_t hash)
{
    struct defrag_tracker *t;

    for (t = d->buckets[hash & (d->nbuckets - 1)]; t != NULL; t = t->hnext)
        if (t->hash == hash && key_equal(&t->key, k))
            return t;
    return NULL;
}

/* returns: the new tracker (owned by d), or NULL when a limit stopped it (counted). */
static struct defrag_tracker *
tracker_new(struct defrag *d, const struct defrag_key *k, uint32_t hash, uint64_t now_ns)
{
    struct defrag_tracker *t;
    struct defrag_tracker **b;

    if (d->ntrackers >= d->cfg.max_trackers) {
        defrag_expire(d, now_ns);
        if (d->ntrackers >= d->cfg.max_trackers) {
            d->st.dropped_trackers++;
            return NULL;
        }
    }
    if (!mem_reserve(d, sizeof(*t), now_ns) || (t = calloc(1, sizeof(*t))) == NULL) {
        d->st.dropped_memcap++;
        return NULL;
    }
    t->key = *k;
    t->hash = hash;
    t->expires_ns = now_ns + d->cfg.timeout_ns;
    b = &d->buckets[hash & (d->nbuckets - 1)];
    t->hnext = *b;
    *b = t;
    t->prev = d->tail;
    if (d->tail != NULL)
        d->tail->next = t;
    else
        d->head = t;
    d->tail = t;
    d->ntrackers++;
    mem_charge(d, t, sizeof(*t));
    return t;
}

/* Grows t->data to hold `need` bytes (exactly `need` once the end is known). */
static bool
grow_data(struct defrag *d, struct defrag_tracker *t, uint32_t need, uint64_t now_ns)
{
    uint32_t size;
    uint8_t *p;

    if (need <= t->data_size)
        return true;
    if (t->seen_last) {
        size = t->end;
    } else {
        size = t->data_size < DEFRAG_MIN_BUF ? DEFRAG_MIN_BUF : t->data_size * 2;
        if (size > DEFRAG_MAX_DATAGRAM)
            size = DEFRAG_MAX_DATAGRAM;
        if (size < need)
            size = need;
    }
    if (!mem_reserve(d, size - t->data_size, now_ns) || (p = realloc(t->data, size)) == NULL)
        return false;
    mem_charge(d, t, size - t->data_size);
    t->data = p;
    t->data_size = size;
    return true;
}

/* Makes room for one more range entry. */
static bool
grow_ranges(struct defrag *d, struct defrag_tracker *t, uint64_t now_ns)
{
    uint32_t size;
    struct defrag_range *p;

    if (t->nranges < t->ranges_size)
        return true;
    size = t->ranges_size == 0 ? 4 : t->ranges_size * 2;
    if (!mem_reserve(d, (size - t->ranges_size) * sizeof(*p), now_ns) ||
        (p = realloc(t->ranges, size * sizeof(*p))) == NULL)
        return false;
    mem_charge(d, t, (size - t->ranges_size) * sizeof(*p));
    t->ranges = p;
    t->ranges_size = size;
    return true;
}

/* Adds [s, e) to the sorted range list, merging touching or overlapping entries. */
static void
ranges_add(struct defrag_tracker *t, uint32_t s, uint32_t e)
{
    uint32_t i = 0, j, n = t->nranges;

    while (i < n && t->ranges[i].end < s)
        i++;
    j = i;
    while (j < n && t->ranges[j].start <= e) {
        if (t->ranges[j].start < s)
            s = t->ranges[j].start;
        if (t->ranges[j].end > e)
            e = t->ranges[j].end;
        j++;
    }
    /* entries i..j-1 collapse into one; grow_ranges() made room for j == i */
    if (j == i)
        memmove(&t->ranges[i + 1], &t->ranges[i], (n - i) * sizeof(t->ranges[0]));
    else if (j > i + 1)
        memmove(&t->ranges[i + 1], &t->ranges[j], (n - j) * sizeof(t->ranges[0]));
    t->ranges[i].start = s;
    t->ranges[i].end = e;
    t->nranges = n + 1 - (j - i);
}

/*
 * First wins: copies only the parts of [s, e) no earlier fragment covered.
 * `frag` is the fragment's data (e - s bytes). Sets *overlap / *diff.
 */
static void
copy_new_bytes(struct defrag_tracker *t, const struct cursor *frag, uint32_t s, uint32_t e,
               bool *overlap, bool *diff)
{
    uint32_t pos = s, i;

    for (i = 0; i < t->nranges && pos < e; i++) {
        const struct defrag_range *r = &t->ranges[i];
        uint32_t lo, hi;

        if (r->end <= pos)
            continue;
        if (r->start >= e)
            break;
        if (r->start > pos) /* a gap before this range: new bytes */
            (void)cursor_peek_copy(frag, pos - s, t->data + pos, r->start - pos);
        lo = r->start > pos ? r->start : pos;
        hi = r->end < e ? r->end : e;
        *overlap = true;
        if (!cursor_peek_equal(frag, lo - s, t->data + lo, hi - lo))
            *diff = true;
        pos = hi;
    }
    if (pos < e)
        (void)cursor_peek_copy(frag, pos - s, t->data + pos, e - pos);
}

static void
put_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Rebuilds the datagram into d->out. Returns false if it would be too large. */
static bool
build_datagram(struct defrag *d, const struct defrag_tracker *t, struct defrag_datagram *out)
{
    uint32_t len = t->hdr_len + t->end;
    uint8_t *o = d->out;

    if (t->key.ip_version == 4) {
        struct cursor h;
        uint32_t s = 0;

        if (len > DEFRAG_MAX_DATAGRAM) /* RFC 791 3.1: 16-bit total length */
            return false;
        memcpy(o, t->hdr, t->hdr_len);
        put_be16(o + 2, len);
        o[6] &= 0xc0; /* clear MF and the offset; keep DF and the reserved bit */
        o[7] = 0;
        put_be16(o + 10, 0);
        h = cursor_make(o, t->hdr_len);
        (void)cursor_peek_sum(&h, t->hdr_len, &s);
        put_be16(o + 10, ~s & 0xffff); /* RFC 1071 */
    } else {
        /* RFC 8200 4.5: payload length excludes the fixed header */
        if (len - 40 > DEFRAG_MAX_DATAGRAM)
            return false;
        memcpy(o, t->hdr, t->hdr_len);
        put_be16(o + 4, len - 40);
        o[t->nh_pos] = t->key.proto;
    }
    if (t->end != 0)
        memcpy(o + t->hdr_len, t->data, t->end);
    out->ip = o;
    out->len = len;
    out->frags = t->frags;
    out->wire_bytes = t->wire_bytes;
    return true;
}

int
defrag_add(struct defrag *d, const struct pkt_meta *m, const uint8_t *frame, uint32_t caplen,
           uint64_t now_ns, struct defrag_datagram *out)
{
    const struct frag_meta *f = &m->frag;
    struct cursor whole = cursor_make(frame, frame != NULL ? caplen : 0), hdr, data;
    struct defrag_tracker *t;
    struct defrag_key k;
    uint32_t hash, s, e;
    bool overlap = false, diff = false;

    d->st.fragments++;
    defrag_expire(d, now_ns);
    if (f->data_cap < f->data_len) {
        d->st.incomplete++; /* Zeek incompletely_captured_fragment */
        return 0;
    }
    hdr = whole;
    cursor_skip(&hdr, f->hdr_off);
    hdr = cursor_sub(&hdr, f->hdr_len);
    data = whole;
    cursor_skip(&data, f->data_off);
    data = cursor_sub(&data, f->data_len);
    if (hdr.overrun || data.overrun || f->hdr_len < (m->ip_version == 4 ? 20u : 40u) ||
        (m->ip_version == 6 && f->nh_pos >= f->hdr_len)) {
        d->st.inconsistent++; /* not what decode_packet() reports: a caller bug or a lie */
        return 0;
    }
    s = f->offset;
    e = f->offset + f->data_len;
    /* RFC 791 3.2 / RFC 8200 4.5: all but the last fragment carry multiples of 8 */
    if (f->more && f->data_len % 8 != 0) {
        d->st.inconsistent++;
        return 0;
    }
    make_key(m, &k);
    hash = key_hash(&k, d->cfg.seed);
    t = tracker_find(d, &k, hash);
    if (e > DEFRAG_MAX_DATAGRAM) {
        /* RFC 8200 4.5: past the 16-bit length field, the datagram is dropped */
        d->st.too_large++;
        if (t != NULL)
            tracker_free(d, t);
        return 0;
    }
    if (t == NULL && (t = tracker_new(d, &k, hash, now_ns)) == NULL)
        return 0;
    if (t->seen_last ? e > t->end || (!f->more && e != t->end)
                     : !f->more && t->nranges != 0 && t->ranges[t->nranges - 1].end > e) {
        d->st.inconsistent++; /* a second, different end, or data past the end */
        return 0;
    }
    if (t->frags >= d->cfg.max_frags) {
        d->st.too_many_frags++;
        tracker_free(d, t);
        return 0;
    }
    if (!grow_data(d, t, e, now_ns) || !grow_ranges(d, t, now_ns) ||
        (s == 0 && t->hdr == NULL && !mem_reserve(d, f->hdr_len, now_ns))) {
        d->st.dropped_memcap++;
        return 0;
    }
    if (s == 0 && t->hdr == NULL) {
        if ((t->hdr = malloc(f->hdr_len)) == NULL) {
            d->st.dropped_memcap++;
            return 0;
        }
        (void)cursor_peek_copy(&hdr, 0, t->hdr, f->hdr_len);
        t->hdr_len = f->hdr_len;
        t->nh_pos = f->nh_pos;
        mem_charge(d, t, f->hdr_len);
    }
    if (!f->more) {
        t->seen_last = true;
        t->end = e;
    }
    t->frags++;
    t->wire_bytes += m->wirelen;
    if (e > s) {
        copy_new_bytes(t, &data, s, e, &overlap, &diff);
        ranges_add(t, s, e);
    }
    if (overlap)
        d->st.overlaps++;
    if (diff)
        d->st.overlap_diff++;
    if (!t->seen_last || t->hdr == NULL ||
        (t->end != 0 && (t->nranges != 1 || t->ranges[0].start != 0 || t->ranges[0].end != t->end)))
        return 0;
    if (!build_datagram(d, t, out)) {
        d->st.too_large++;
        tracker_free(d, t);
        return 0;
    }
    d->st.reassembled++;
    tracker_free(d, t);
    return 1;
}
