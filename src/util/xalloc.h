/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_XALLOC_H
#define FLOWSTATE_XALLOC_H

#include <stddef.h>

/*
 * Checked allocation for small, fixed allocations whose failure we do not try
 * to survive (tmux xmalloc.c). Each aborts through fatalx() after running the
 * registered cleanup (the TUI restores the terminal). Zero sizes and size
 * overflows are bugs and abort too. Budgeted memory (the flow table) does NOT
 * use these: it fails softly and counts (see flow.h).
 */
void *xmalloc(size_t size);                 /* returns: owned */
void *xcalloc(size_t nmemb, size_t size);   /* returns: owned, zeroed */
void *xreallocarray(void *ptr, size_t nmemb, size_t size); /* consumes ptr; returns: owned */
char *xstrdup(const char *s);               /* returns: owned */

#endif
