/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * spsc: the ring of spsc.h. Offsets grow monotonically (64-bit: never wrap in
 * practice); a message that would straddle the end of the buffer is preceded
 * by a SPSC_PAD message filling the rest, so every message is contiguous.
 *
 * Sleeping uses the Dekker pattern on (tail|head, *_wait): the waiter stores
 * its flag, fences, and re-reads the index; the other side stores the index,
 * fences, and reads the flag. One of them sees the other's store, so a wake-up
 * is never lost. The timed wait is only a safety net.
 */
#include <config.h>

#include "util/spsc.h"

#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SPSC_SPINS  200
#define SPSC_YIELDS 4

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static inline uint32_t
pad8(uint32_t n)
{
    return (n + 7u) & ~7u;
}

int
spsc_init(struct spsc *q, size_t size)
{
    size_t s = 4096;

    memset(q, 0, sizeof(*q));
    while (s < size)
        s <<= 1;
    q->buf = aligned_alloc(64, s);
    if (q->buf == NULL)
        return -1;
    q->size = s;
    atomic_init(&q->tail, 0);
    atomic_init(&q->head, 0);
    atomic_init(&q->cwait, 0);
    atomic_init(&q->pwait, 0);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    return 0;
}

void
spsc_fini(struct spsc *q)
{
    if (q->buf == NULL)
        return;
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    free(q->buf);
    q->buf = NULL;
}

/* Sleeps until *flag's condition may have changed (or 10 ms). mu held by the caller. */
static void
timed_sleep(struct spsc *q)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 10 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    (void)pthread_cond_timedwait(&q->cv, &q->mu, &ts);
}

static void
wake(struct spsc *q, _Atomic int *flag)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(flag, memory_order_relaxed)) {
        pthread_mutex_lock(&q->mu);
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
    }
}

void
spsc_wake(struct spsc *q)
{
    pthread_mutex_lock(&q->mu);
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* ---- producer ------------------------------------------------------------ */

void
spsc_publish(struct spsc *q)
{
    if (q->wpub == q->wpos)
        return;
    atomic_store_explicit(&q->tail, q->wpos, memory_order_release);
    q->wpub = q->wpos;
    wake(q, &q->cwait);
}

/* Bytes the next message of payload len takes, with the pad before it if it must wrap. */
static uint64_t
footprint(const struct spsc *q, uint32_t len)
{
    uint64_t need = sizeof(struct spsc_hdr) + pad8(len);
    uint64_t contiguous = q->size - (q->wpos & (q->size - 1));

    return contiguous < need ? contiguous + need : need;
}

bool
spsc_can_reserve(struct spsc *q, uint32_t len)
{
    uint64_t total = footprint(q, len);

    if (q->wpos + total - q->rcache <= q->size)
        return true;
    q->rcache = atomic_load_explicit(&q->head, memory_order_acquire);
    return q->wpos + total - q->rcache <= q->size;
}

void *
spsc_reserve(struct spsc *q, uint32_t type, uint32_t len)
{
    uint64_t need = sizeof(struct spsc_hdr) + pad8(len);
    uint64_t contiguous = q->size - (q->wpos & (q->size - 1));
    struct spsc_hdr *h;

    assert(need <= q->size / 4 && type != SPSC_PAD);
    if (!spsc_can_reserve(q, len)) {
        unsigned spins = 0;

        spsc_publish(q); /* the consumer may be waiting for exactly these */
        while (!spsc_can_reserve(q, len)) {
            if (spins < SPSC_SPINS) {
                spins++;
                cpu_relax();
                continue;
            }
            if (spins < SPSC_SPINS + SPSC_YIELDS) {
                spins++;
                sched_yield();
                continue;
            }
            pthread_mutex_lock(&q->mu);
            atomic_store_explicit(&q->pwait, 1, memory_order_relaxed);
            atomic_thread_fence(memory_order_seq_cst);
            if (!spsc_can_reserve(q, len))
                timed_sleep(q);
            atomic_store_explicit(&q->pwait, 0, memory_order_relaxed);
            pthread_mutex_unlock(&q->mu);
        }
    }
    if (contiguous < need) {
        h = (struct spsc_hdr *)(void *)(q->buf + (q->wpos & (q->size - 1)));
        h->len = (uint32_t)(contiguous - sizeof(*h));
        h->type = SPSC_PAD;
        q->wpos += contiguous;
    }
    h = (struct spsc_hdr *)(void *)(q->buf + (q->wpos & (q->size - 1)));
    h->len = len;
    h->type = type;
    return h + 1;
}

void
spsc_commit(struct spsc *q)
{
    const struct spsc_hdr *h = (const struct spsc_hdr *)(void *)(q->buf + (q->wpos & (q->size - 1)));

    q->wpos += sizeof(*h) + pad8(h->len);
}

/* ---- consumer ------------------------------------------------------------ */

void
spsc_release_publish(struct spsc *q)
{
    if (q->rpub == q->rpos)
        return;
    atomic_store_explicit(&q->head, q->rpos, memory_order_release);
    q->rpub = q->rpos;
    wake(q, &q->pwait);
}

static bool
visible(struct spsc *q)
{
    if (q->rpos != q->wcache)
        return true;
    q->wcache = atomic_load_explicit(&q->tail, memory_order_acquire);
    return q->rpos != q->wcache;
}

const void *
spsc_peek(struct spsc *q, bool wait, const _Atomic bool *stop)
{
    for (;;) {
        const struct spsc_hdr *h;
        unsigned spins = 0;

        while (!visible(q)) {
            if (!wait)
                return NULL;
            if (stop != NULL && atomic_load_explicit(stop, memory_order_relaxed))
                return NULL;
            if (spins == 0)
                spsc_release_publish(q); /* the producer may be waiting for room */
            if (spins < SPSC_SPINS) {
                spins++;
                cpu_relax();
                continue;
            }
            if (spins < SPSC_SPINS + SPSC_YIELDS) {
                spins++;
                sched_yield();
                continue;
            }
            pthread_mutex_lock(&q->mu);
            atomic_store_explicit(&q->cwait, 1, memory_order_relaxed);
            atomic_thread_fence(memory_order_seq_cst);
            if (!visible(q) && (stop == NULL || !atomic_load_explicit(stop, memory_order_relaxed)))
                timed_sleep(q);
            atomic_store_explicit(&q->cwait, 0, memory_order_relaxed);
            pthread_mutex_unlock(&q->mu);
        }
        h = (const struct spsc_hdr *)(const void *)(q->buf + (q->rpos & (q->size - 1)));
        if (h->type != SPSC_PAD)
            return h + 1;
        q->rpos += sizeof(*h) + h->len; /* the pad's len covers the rest of the buffer */
    }
}

void
spsc_release(struct spsc *q)
{
    const struct spsc_hdr *h = (const struct spsc_hdr *)(const void *)(q->buf + (q->rpos & (q->size - 1)));

    q->rpos += sizeof(*h) + pad8(h->len);
}
