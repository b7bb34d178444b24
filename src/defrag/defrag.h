/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_DEFRAG_H
#define FLOWSTATE_DEFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/stats.h"

/*
 * defrag: IPv4 (RFC 791 3.2) and IPv6 (RFC 8200 4.5) reassembly, bounded.
 * The decoder stays stateless: it reports each fragment as DECODE_FRAGMENT
 * with struct frag_meta; the engine hands the fragment here, and when a
 * datagram completes it gets the rebuilt IP datagram back and decodes it
 * with decode_ip_datagram(). Single-threaded; time is capture time.
 *
 * Trackers are keyed by (source, destination, identification, protocol, IP
 * version); VLAN and tunnel context are not part of the key.
 *
 * Limits, each counted when it bites (defrag_stats):
 *  - memcap bytes for trackers and their buffers; max_trackers datagrams in
 *    progress. A fragment that would need more is dropped (its datagram then
 *    times out); trackers past their timeout are reclaimed first.
 *  - timeout: a datagram must complete within `timeout_ns` of its first
 *    fragment (capture time, not refreshed by later fragments, as in Linux).
 *  - a datagram may not exceed 65535 bytes (the 16-bit length fields), nor
 *    have more than max_frags fragments; either drops the whole datagram.
 * Overlaps: the bytes received first win (BSD-ish "first" policy); later
 * bytes for the same range are ignored. Every fragment overlapping held data
 * is counted (overlaps), and those whose overlapping bytes differ from what
 * is held also in overlap_diff (the evasion case, RFC 1858 / RFC 5722).
 * Inconsistent fragments (a non-last fragment whose length is not a multiple
 * of 8, a second different end, data past the known end) are dropped and
 * counted; fragments not fully captured are dropped and counted (incomplete).
 */

#define DEFRAG_DEFAULT_MEMCAP       (16u * 1024 * 1024)
#define DEFRAG_DEFAULT_MAX_TRACKERS 4096u
#define DEFRAG_DEFAULT_TIMEOUT_NS   (30ULL * 1000000000ULL)
#define DEFRAG_DEFAULT_MAX_FRAGS    256u
#define DEFRAG_MAX_DATAGRAM         65535u

struct defrag_cfg {
    size_t memcap;         /* bytes of trackers + buffers */
    uint32_t max_trackers; /* datagrams being reassembled at once */
    uint32_t max_frags;    /* fragments per datagram */
    uint64_t timeout_ns;   /* from a datagram's first fragment */
    uint64_t seed;         /* hash seed; 0 = random from getrandom() */
};

struct defrag_stats {
    uint64_t fragments;        /* fragments offered */
    uint64_t reassembled;      /* datagrams completed */
    uint64_t timeouts;         /* trackers expired incomplete */
    uint64_t unfinished;       /* trackers still incomplete when the input ended */
    uint64_t overlaps;         /* fragments overlapping held bytes (first wins) */
    uint64_t overlap_diff;     /* ... whose overlapping bytes differ */
    uint64_t dropped_memcap;   /* fragments dropped: memcap reached */
    uint64_t dropped_trackers; /* fragments dropped: max_trackers reached */
    uint64_t too_large;        /* datagrams dropped: past 65535 bytes */
    uint64_t too_many_frags;   /* datagrams dropped: more than max_frags fragments */
    uint64_t inconsistent;     /* fragments dropped: contradict the datagram's other fragments */
    uint64_t incomplete;       /* fragments dropped: not fully captured */
};

/* A completed datagram. `ip` is borrowed: valid until the next defrag_*() call. */
struct defrag_datagram {
    const uint8_t *ip; /* the rebuilt IPv4/IPv6 datagram, headers fixed up */
    uint32_t len;
    uint32_t frags;      /* fragments that went into it (duplicates included) */
    uint64_t wire_bytes; /* sum of those fragments' wire lengths */
};

struct defrag;

/* Fills *cfg with the DEFRAG_DEFAULT_* values. */
void defrag_cfg_default(struct defrag_cfg *cfg);

/* returns: owned (aborts on OOM: a small fixed allocation). */
struct defrag *defrag_new(const struct defrag_cfg *cfg);

/* Frees every tracker without counting them. NULL ok. */
void defrag_free(struct defrag *d);

/*
 * Offers one fragment: `m` as filled by decode_packet() with outcome
 * DECODE_FRAGMENT, `frame`/`caplen` the bytes decode_packet() was given
 * (borrowed for the call). `now_ns` is the engine's capture clock.
 * returns 1 when this fragment completed a datagram (*out filled, borrowed
 * until the next defrag_*() call), 0 when the fragment is held or dropped
 * (the counters say which).
 */
int defrag_add(struct defrag *d, const struct pkt_meta *m, const uint8_t *frame, uint32_t caplen,
               uint64_t now_ns, struct defrag_datagram *out) __attribute__((warn_unused_result));

/* Drops trackers whose timeout has passed at now_ns (counted as timeouts). */
void defrag_expire(struct defrag *d, uint64_t now_ns);

/* End of input: drops every remaining tracker, counted as unfinished. */
void defrag_flush(struct defrag *d);

/* Trackers in progress and bytes charged against the memcap (for tests). */
size_t defrag_trackers(const struct defrag *d);
size_t defrag_mem_used(const struct defrag *d);

/* returns: borrowed, valid for d's life. */
const struct defrag_stats *defrag_stats(const struct defrag *d);

/*
 * Appends the counters as "flowstate.decoder.defrag.<name>" items (Suricata's
 * defrag.* counts per IP version and by other rules: none is reused).
 */
void defrag_stats_export(const struct defrag_stats *st, struct stat_list *out);

#endif
