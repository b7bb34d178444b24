/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats: the growable list behind struct stat_list. Built once per stats
 * record (end of run, or once per update interval live), never per packet.
 */
#include <config.h>

#include "stats.h"

#include <stdlib.h>

#include "xalloc.h"

void
stat_list_init(struct stat_list *l)
{
    l->items = NULL;
    l->n = 0;
    l->cap = 0;
}

void
stat_list_fini(struct stat_list *l)
{
    free(l->items);
    stat_list_init(l);
}

void
stat_list_add(struct stat_list *l, const char *path, uint64_t value)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = xreallocarray(l->items, l->cap, sizeof(*l->items));
    }
    l->items[l->n].path = path;
    l->items[l->n].value = value;
    l->n++;
}
