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
 */
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
