/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_CLOCK_H
#define FLOWSTATE_CLOCK_H

#include <stdint.h>

/*
 * The few places that look at the machine's own clocks or randomness. Output
 * never depends on them: capture time drives every record; these pace replay,
 * redraw the TUI, advance an idle live capture, and seed the hash tables.
 */

/* CLOCK_REALTIME in ns since the epoch (0 if unavailable). */
uint64_t clock_realtime_ns(void);

/* CLOCK_MONOTONIC in ns (0 if unavailable). */
uint64_t clock_monotonic_ns(void);

/*
 * A seed nobody can predict (getrandom(); if that fails, clock, pid and a
 * stack address mixed). Never 0.
 */
uint64_t random_seed64(void);

#endif
