/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_STATS_H
#define FLOWSTATE_STATS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A flat, ordered list of named counters: how every module hands its counters
 * to the reporters without the reporters knowing the module's structs.
 * `path` is dotted ("decoder.truncated.ipv4_header"); the JSON writer nests
 * on the dots, the text writer prints the path. Paths are string literals or
 * point into storage that outlives the reporter call (borrowed).
 *
 * The namespace (issue 11, doc/schema.md 1.2): a path that Suricata's EVE
 * schema defines ("decoder.pkts", "flow.memcap", "capture.kernel_drops")
 * is only used for a counter with Suricata's meaning; every other counter is
 * flowstate's own and lives under STATS_OWN, as "flowstate.<module>.<name>"
 * ("flowstate.flow.evicted.new"). New counters go under STATS_OWN unless
 * they compute exactly what Suricata's counter of that name counts.
 */
#define STATS_OWN "flowstate."
struct stat_item {
    const char *path;
    uint64_t value;
};

struct stat_list {
    struct stat_item *items;
    size_t n, cap;
};

void stat_list_init(struct stat_list *l);
void stat_list_fini(struct stat_list *l);
void stat_list_add(struct stat_list *l, const char *path, uint64_t value);

#endif
