/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clock: wall/monotonic time and unpredictable seeds for the modules that
 * need them (see clock.h). Stateless.
 */
#include <config.h>

#include "clock.h"

#include <errno.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define NS_PER_SEC 1000000000ULL

static uint64_t
clock_ns(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t
clock_realtime_ns(void)
{
    return clock_ns(CLOCK_REALTIME);
}

uint64_t
clock_monotonic_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

/* splitmix64 finaliser: spreads the weak fallback inputs over all 64 bits. */
static uint64_t
mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t
random_seed64(void)
{
    uint64_t s = 0;
    ssize_t r;

    do {
        r = getrandom(&s, sizeof(s), 0);
    } while (r < 0 && errno == EINTR);
    if (r != (ssize_t)sizeof(s)) {
        s = mix64(clock_monotonic_ns() ^ clock_realtime_ns() << 17 ^ (uint64_t)getpid() << 48 ^
                  (uint64_t)(uintptr_t)&s);
        log_debug("getrandom() failed: seed from clock and pid");
    }
    return s != 0 ? s : 1;
}
