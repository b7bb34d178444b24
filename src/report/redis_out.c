/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * redis_out: the Redis writer (redis_out.h). It owns the queue of record
 * lines (a ring of heap strings under one mutex), the partial line stdio
 * hands over between two writes, the writer thread and its hiredis
 * connection (touched by that thread alone), and the delivery counters.
 *
 * Threads: the stream's write function runs on the thread that writes the
 * records (the engine's): it only splits lines and queues them, waiting
 * (files) or dropping (live) when the queue is full. The writer thread
 * takes up to url.batch lines at a time, appends one command per line and
 * then reads the replies, so one round trip carries a batch.
 */
#include <config.h>

#include "report/redis_out.h"

#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define NS_PER_SEC       1000000000ULL
#define SOCKET_TIMEOUT_S 2
#define BACKOFF_MIN_NS   (100ULL * 1000000ULL)
#define BACKOFF_MAX_NS   (5ULL * NS_PER_SEC)
#define LIVE_CLOSE_NS    (5ULL * NS_PER_SEC) /* live: time left to deliver at close */

struct line {
    char *p; /* owned */
    size_t len;
};

struct redis_out {
    struct redis_url u;
    char addr[64]; /* u.host resolved once at open (the filter allows no lookup later) */
    bool live;
    bool started;  /* the writer thread runs */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* queue or stop changed (both directions) */
    /* under lock */
    struct line *ring;
    size_t cap, head, n;
    bool stop;
    uint64_t stop_deadline_ns; /* live: monotonic time after which the rest is dropped */
    uint64_t records, written, lost, reconnects;
    /* the stream's side only */
    char *carry;
    size_t carry_len, carry_cap;
    /* the writer thread only */
    redisContext *c;
    bool connected_once, outage_logged, reject_logged;
    struct line *batch;
    size_t batch_n;
};

static void drop_all(struct redis_out *r);

/* ---- the stream side --------------------------------------------------------------- */

/* Queues one line (consumes p). Called with the lock held. */
static void
enqueue(struct redis_out *r, char *p, size_t len)
{
    r->records++;
    while (r->n == r->cap) {
        if (r->live) {
            r->lost++;
            free(p);
            return;
        }
        pthread_cond_wait(&r->changed, &r->lock);
    }
    r->ring[(r->head + r->n) % r->cap] = (struct line){p, len};
    r->n++;
    pthread_cond_broadcast(&r->changed);
}

static void
carry_append(struct redis_out *r, const char *buf, size_t len)
{
    if (r->carry_len + len + 1 > r->carry_cap) {
        while (r->carry_len + len + 1 > r->carry_cap)
            r->carry_cap = r->carry_cap ? r->carry_cap * 2 : 4096;
        r->carry = xreallocarray(r->carry, r->carry_cap, 1);
    }
    memcpy(r->carry + r->carry_len, buf, len);
    r->carry_len += len;
}

/* Hands the carried partial line to the queue as a line of its own. Lock held. */
static void
carry_flush(struct redis_out *r)
{
    char *p;

    if (r->carry_len == 0)
        return;
    p = xmalloc(r->carry_len + 1);
    memcpy(p, r->carry, r->carry_len);
    p[r->carry_len] = '\0';
    enqueue(r, p, r->carry_len);
    r->carry_len = 0;
}

/* stdio's write: whole lines become records, a tail waits for its newline. */
static ssize_t
stream_write(void *cookie, const char *buf, size_t size)
{
    struct redis_out *r = cookie;
    size_t off = 0;

    pthread_mutex_lock(&r->lock);
    while (off < size) {
        const char *nl = memchr(buf + off, '\n', size - off);
        size_t len = nl != NULL ? (size_t)(nl - (buf + off)) : size - off;

        carry_append(r, buf + off, len);
        off += len;
        if (nl != NULL) {
            off++;
            carry_flush(r);
        }
    }
    pthread_mutex_unlock(&r->lock);
    return (ssize_t)size;
}

static void
free_line(struct line *l)
{
    free(l->p);
    l->p = NULL;
}

static int
stream_close(void *cookie)
{
    struct redis_out *r = cookie;
    uint64_t records, lost;

    pthread_mutex_lock(&r->lock);
    carry_flush(r);
    r->stop = true;
    r->stop_deadline_ns = clock_monotonic_ns() + LIVE_CLOSE_NS;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    if (r->started)
        pthread_join(r->thread, NULL);
    else
        drop_all(r); /* never started: nothing was delivered */

    records = r->records;
    lost = r->lost;
    if (lost != 0)
        log_warn("redis %s:%u: %llu of %llu records lost", r->u.host, r->u.port,
                 (unsigned long long)lost, (unsigned long long)records);
    if (r->c != NULL)
        redisFree(r->c);
    for (size_t i = 0; i < r->n; i++)
        free_line(&r->ring[(r->head + i) % r->cap]);
    free(r->ring);
    free(r->batch);
    free(r->carry);
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    free(r);
    return 0;
}

/* ---- the writer thread ------------------------------------------------------------- */

/* Waits on `changed` until monotonic time `until` (or a change). Lock held. */
static void
wait_until(struct redis_out *r, uint64_t until)
{
    struct timespec ts;
    uint64_t now = clock_monotonic_ns();

    if (until <= now)
        return;
    ts.tv_sec = (time_t)(until / NS_PER_SEC);
    ts.tv_nsec = (long)(until % NS_PER_SEC);
    pthread_cond_timedwait(&r->changed, &r->lock, &ts);
}

/* Live, stopping, past the deadline: what is left is counted lost. Lock held. */
static bool
give_up(struct redis_out *r)
{
    return r->live && r->stop && clock_monotonic_ns() >= r->stop_deadline_ns;
}

static void
drop_all(struct redis_out *r)
{
    for (size_t i = 0; i < r->batch_n; i++)
        free_line(&r->batch[i]);
    r->lost += r->batch_n;
    r->batch_n = 0;
    while (r->n > 0) {
        free_line(&r->ring[r->head]);
        r->head = (r->head + 1) % r->cap;
        r->n--;
        r->lost++;
    }
    pthread_cond_broadcast(&r->changed);
}

/* Connects (and SELECTs the database). returns 0, or -1 with the reason in why. */
static int
connect_redis(struct redis_out *r, char *why, size_t len)
{
    struct timeval tv = {SOCKET_TIMEOUT_S, 0};
    redisReply *rep;

    r->c = redisConnectWithTimeout(r->addr, (int)r->u.port, tv);
    if (r->c == NULL || r->c->err) {
        snprintf(why, len, "%s", r->c != NULL ? r->c->errstr : "cannot allocate a context");
        goto fail;
    }
    if (redisSetTimeout(r->c, tv) != REDIS_OK) {
        snprintf(why, len, "cannot set the socket timeout");
        goto fail;
    }
    if (r->u.db != 0) {
        rep = redisCommand(r->c, "SELECT %u", r->u.db);
        if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
            snprintf(why, len, "SELECT %u: %s", r->u.db,
                     rep != NULL ? rep->str : r->c->errstr);
            if (rep != NULL)
                freeReplyObject(rep);
            goto fail;
        }
        freeReplyObject(rep);
    }
    return 0;
fail:
    if (r->c != NULL)
        redisFree(r->c);
    r->c = NULL;
    return -1;
}

/* Appends the command for one record. */
static int
append(struct redis_out *r, const struct line *l)
{
    static const char *const verbs[] = {"LPUSH", "RPUSH", "PUBLISH"};
    const char *argv[8]; /* XADD key MAXLEN ~ n * field record */
    size_t argvlen[8];
    char maxlen[24];
    int argc = 0;

#define ARG(s, n) (argv[argc] = (s), argvlen[argc] = (n), argc++)
    if (r->u.mode == REDIS_XADD) {
        ARG("XADD", 4);
        ARG(r->u.key, strlen(r->u.key));
        if (r->u.maxlen != 0) {
            snprintf(maxlen, sizeof(maxlen), "%llu", (unsigned long long)r->u.maxlen);
            ARG("MAXLEN", 6);
            ARG("~", 1);
            ARG(maxlen, strlen(maxlen));
        }
        ARG("*", 1);
        ARG(REDIS_XADD_FIELD, strlen(REDIS_XADD_FIELD));
    } else {
        ARG(verbs[r->u.mode], strlen(verbs[r->u.mode]));
        ARG(r->u.key, strlen(r->u.key));
    }
    ARG(l->p, l->len);
#undef ARG
    assert((size_t)argc <= sizeof(argv) / sizeof(argv[0]));
    return redisAppendCommandArgv(r->c, argc, argv, argvlen);
}

/*
 * Sends the batch and reads its replies. Records whose reply arrived leave
 * the batch (written, or lost if Redis refused them); on a broken
 * connection the rest stays for the next connection. returns 0 or -1.
 */
static int
send_batch(struct redis_out *r, char *why, size_t len)
{
    size_t i, done = 0;
    uint64_t ok = 0, refused = 0;
    int rc = 0;

    for (i = 0; i < r->batch_n; i++)
        if (append(r, &r->batch[i]) != REDIS_OK) {
            snprintf(why, len, "%s", r->c->errstr);
            return -1;
        }
    for (i = 0; i < r->batch_n; i++) {
        redisReply *rep = NULL;

        if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || rep == NULL) {
            snprintf(why, len, "%s", r->c->err ? r->c->errstr : "no reply");
            rc = -1;
            break;
        }
        if (rep->type == REDIS_REPLY_ERROR) {
            if (!r->reject_logged)
                log_warn("redis %s:%u: %s %s: %s (records refused are counted lost; warned "
                         "once)",
                         r->u.host, r->u.port, redis_mode_name(r->u.mode), r->u.key, rep->str);
            r->reject_logged = true;
            refused++;
        } else {
            ok++;
        }
        freeReplyObject(rep);
        free_line(&r->batch[i]);
        done++;
    }
    memmove(r->batch, r->batch + done, (r->batch_n - done) * sizeof(*r->batch));
    r->batch_n -= done;
    pthread_mutex_lock(&r->lock);
    r->written += ok;
    r->lost += refused;
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static void *
writer_main(void *arg)
{
    struct redis_out *r = arg;
    uint64_t backoff = BACKOFF_MIN_NS;
    char why[256];

    for (;;) {
        pthread_mutex_lock(&r->lock);
        /* not connected: (re)connect now, not at the next record, so an outage shows at once */
        while (r->batch_n == 0 && r->n == 0 && !r->stop && r->c != NULL)
            pthread_cond_wait(&r->changed, &r->lock);
        if (r->batch_n == 0 && r->n == 0 && r->stop) {
            pthread_mutex_unlock(&r->lock);
            break;
        }
        if (give_up(r)) {
            drop_all(r);
            pthread_mutex_unlock(&r->lock);
            break;
        }
        while (r->batch_n < r->u.batch && r->n > 0) {
            r->batch[r->batch_n++] = r->ring[r->head];
            r->head = (r->head + 1) % r->cap;
            r->n--;
        }
        pthread_cond_broadcast(&r->changed); /* room in the queue */
        pthread_mutex_unlock(&r->lock);

        if (r->c == NULL) {
            if (connect_redis(r, why, sizeof(why)) != 0) {
                if (!r->outage_logged)
                    log_warn("redis %s:%u: %s; retrying (%s)", r->u.host, r->u.port, why,
                             r->live ? "records beyond the buffer are dropped and counted"
                                     : "the input waits");
                r->outage_logged = true;
                pthread_mutex_lock(&r->lock);
                wait_until(r, clock_monotonic_ns() + backoff);
                pthread_mutex_unlock(&r->lock);
                backoff = backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : backoff * 2;
                continue;
            }
            pthread_mutex_lock(&r->lock);
            if (r->connected_once)
                r->reconnects++;
            pthread_mutex_unlock(&r->lock);
            if (r->outage_logged)
                log_warn("redis %s:%u: connected", r->u.host, r->u.port);
            r->connected_once = true;
            r->outage_logged = false;
            backoff = BACKOFF_MIN_NS;
        }
        if (r->batch_n > 0 && send_batch(r, why, sizeof(why)) != 0) {
            log_warn("redis %s:%u: %s; reconnecting", r->u.host, r->u.port, why);
            r->outage_logged = true;
            redisFree(r->c);
            r->c = NULL;
        }
    }
    return NULL;
}

/* ---- life cycle -------------------------------------------------------------------- */

/* The host's first address, as text, resolved now. returns 0 or -1 + err. */
static int
resolve(const struct redis_url *u, char *addr, size_t len, char *err)
{
    struct addrinfo hints, *res = NULL;
    int gai;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if ((gai = getaddrinfo(u->host, NULL, &hints, &res)) != 0) {
        errbuf_printf(err, "redis: cannot resolve %s: %s", u->host, gai_strerror(gai));
        return -1;
    }
    if (getnameinfo(res->ai_addr, res->ai_addrlen, addr, (socklen_t)len, NULL, 0,
                    NI_NUMERICHOST) != 0) {
        errbuf_printf(err, "redis: %s: no usable address", u->host);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    return 0;
}

struct redis_out *
redis_out_open(const struct redis_url *u, bool live, FILE **f, char *err)
{
    static const cookie_io_functions_t io = {NULL, stream_write, NULL, stream_close};
    struct redis_out *r = xcalloc(1, sizeof(*r));
    pthread_condattr_t ca;

    r->u = *u;
    r->live = live;
    if (resolve(u, r->addr, sizeof(r->addr), err) != 0) {
        free(r);
        return NULL;
    }
    r->cap = u->buffer;
    r->ring = xcalloc(r->cap, sizeof(*r->ring));
    r->batch = xcalloc(u->batch, sizeof(*r->batch));
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* wait_until's clock */
    pthread_cond_init(&r->changed, &ca);
    pthread_condattr_destroy(&ca);
    if ((*f = fopencookie(r, "w", io)) == NULL) {
        errbuf_printf(err, "redis: %s", strerror(errno));
        pthread_cond_destroy(&r->changed);
        pthread_mutex_destroy(&r->lock);
        free(r->ring);
        free(r->batch);
        free(r);
        return NULL;
    }
    return r;
}

int
redis_out_start(struct redis_out *r, char *err)
{
    sigset_t all, old;
    int e;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    e = pthread_create(&r->thread, NULL, writer_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        errbuf_printf(err, "redis: cannot start the writer thread: %s", strerror(e));
        return -1;
    }
    r->started = true;
    return 0;
}

void
redis_out_stats(void *arg, struct stat_list *out)
{
    struct redis_out *r = arg;

    pthread_mutex_lock(&r->lock);
    stat_list_add(out, "flowstate.output.redis.records", r->records);
    stat_list_add(out, "flowstate.output.redis.written", r->written);
    stat_list_add(out, "flowstate.output.redis.lost", r->lost);
    stat_list_add(out, "flowstate.output.redis.reconnects", r->reconnects);
    pthread_mutex_unlock(&r->lock);
}
