/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_STATS_MERGE_H
#define FLOWSTATE_STATS_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "util/stats.h"

/*
 * stats_merge: --merge-stats. The final stats records of the N runs of one
 * input split with --shard K/N (flattened to dotted paths) -> the stats
 * record of one unsharded run, counter by counter. No JSON here: the EVE
 * writer (report_json.c) reads the records and writes the result.
 *
 * Every shard reads and decodes every packet, so the front's counters are
 * the same in each and are taken once; the tracks' counters (flows, TCP)
 * are each shard's own connections and add up. The rule of every path is
 * stats_merge_rule(); doc/schema.md section 4.4 lists them. A counter that
 * must be the same but is not means the shards did not read the same input
 * with the same options, and the merge fails rather than guess.
 */

enum stats_merge_rule {
    STATS_MERGE_SUM,   /* counted per connection: the shards' values add up (the default) */
    STATS_MERGE_SAME,  /* counted per packet read, or configuration: equal in every shard */
    STATS_MERGE_MAX,   /* flowstate.flow.peak: the largest, a lower bound of one run's */
    STATS_MERGE_SHARD, /* flowstate.shard.*: checked (every shard once), then left out */
};

enum stats_merge_rule stats_merge_rule(const char *path);

/* One shard's stats record, flattened in document order. */
struct stats_shard {
    char *name;             /* where it came from, for messages (owned) */
    char *timestamp;        /* the record's timestamp as written (owned; NULL = none) */
    struct stat_list items; /* paths owned by the shard */
};

/* name: copied. */
void stats_shard_init(struct stats_shard *s, const char *name);
/* Appends a counter; path copied. */
void stats_shard_add(struct stats_shard *s, const char *path, uint64_t value);
void stats_shard_fini(struct stats_shard *s);

/*
 * Merges the n shards (each a different K of the same N, in any order) into
 * out (initialised by the caller; paths borrowed from the shards, valid until
 * they are freed). Order: the first shard's, a path only other shards have
 * going after the last one it shares the longest dotted prefix with, and the
 * flowstate.tcp.violations map in its enum order, as one run writes it.
 * returns 0, or -1 with err saying which file and counter disagree.
 */
int stats_merge(const struct stats_shard *s, size_t n, struct stat_list *out, char *err);

#endif
