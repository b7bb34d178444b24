/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_SPSC_H
#define FLOWSTATE_SPSC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * spsc: a bounded single-producer single-consumer ring of variable-length
 * messages, between two threads. No allocation after spsc_init: a message is
 * written in place into the ring (spsc_reserve, then spsc_commit), and read
 * in place (spsc_peek, then spsc_release). Messages are 8-byte aligned.
 *
 * Publication is batched: committed messages become visible to the consumer
 * at spsc_publish() (or when the producer has to wait for room), so one
 * cache-line transfer of the index covers many messages. Likewise the
 * consumer returns room at spsc_release_publish().
 *
 * Waiting: a side that finds the ring full (producer) or empty (consumer)
 * spins briefly, then sleeps on a condition variable; the other side wakes it
 * when it publishes. Exactly one producer thread and one consumer thread.
 */
struct spsc {
    /* producer side */
    _Alignas(64) uint64_t wpos;   /* next write offset (monotonic) */
    uint64_t wpub;                /* last published write offset */
    uint64_t rcache;              /* producer's copy of rpos */
    /* consumer side */
    _Alignas(64) uint64_t rpos;   /* next read offset (monotonic) */
    uint64_t rpub;                /* last published read offset */
    uint64_t wcache;              /* consumer's copy of wpos */
    /* shared */
    _Alignas(64) _Atomic uint64_t tail; /* published write offset */
    _Alignas(64) _Atomic uint64_t head; /* published read offset */
    _Alignas(64) _Atomic int cwait;     /* consumer asleep on an empty ring */
    _Atomic int pwait;                  /* producer asleep on a full ring */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *buf;                 /* owned */
    size_t size;                  /* bytes, power of two */
};

/* Message header; payload follows, padded to 8 bytes. */
struct spsc_hdr {
    uint32_t len;  /* payload bytes */
    uint32_t type; /* caller's tag; SPSC_PAD is reserved */
};

#define SPSC_PAD 0xffffffffu

/* size: bytes, rounded up to a power of two (>= 4096). returns 0 or -1 (no memory). */
int spsc_init(struct spsc *q, size_t size);
void spsc_fini(struct spsc *q);

/*
 * Producer: room for a message of len payload bytes (<= size / 4), waiting
 * while the ring is full. returns: the payload, borrowed until spsc_commit.
 */
void *spsc_reserve(struct spsc *q, uint32_t type, uint32_t len);
/* Producer: the reserved message is complete (not yet visible: spsc_publish). */
void spsc_commit(struct spsc *q);
/* Producer: makes every committed message visible and wakes a sleeping consumer. */
void spsc_publish(struct spsc *q);
/* Producer: true if a message of len bytes fits now without waiting. */
bool spsc_can_reserve(struct spsc *q, uint32_t len);

/*
 * Consumer: the oldest message, or NULL if none is visible (wait = false),
 * or waits for one (wait = true; returns NULL only if *stop became true).
 * The header is at ((struct spsc_hdr *)payload)[-1].
 */
const void *spsc_peek(struct spsc *q, bool wait, const _Atomic bool *stop);
/* Consumer: done with the message spsc_peek returned. */
void spsc_release(struct spsc *q);
/* Consumer: returns the released room to the producer (wakes it if it waits). */
void spsc_release_publish(struct spsc *q);

/* Consumer: the message's header. */
static inline const struct spsc_hdr *
spsc_hdr_of(const void *payload)
{
    return (const struct spsc_hdr *)payload - 1;
}

/* Wakes a consumer sleeping in spsc_peek (e.g. after *stop was set). */
void spsc_wake(struct spsc *q);

#endif
