/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report_common: formatting helpers shared by the writers (EVE, Zeek, text).
 * Pure functions of their arguments: capture time in, text out, never the
 * wall clock and never the local time zone, so every report is diffable.
 * Sub-microsecond digits are truncated, never rounded, so a timestamp and a
 * duration computed from it always agree on the last printed digit.
 * report_write_line() and struct report_out are the one place where the
 * line-oriented writers (EVE, Zeek) hand bytes on: to stdio, or in batches
 * straight to the descriptor (see report.h for when and why).
 */
#include <config.h>

#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/outfile.h"
#include "util/xalloc.h"

const char report_digits2[200] = "00010203040506070809"
                                 "10111213141516171819"
                                 "20212223242526272829"
                                 "30313233343536373839"
                                 "40414243444546474849"
                                 "50515253545556575859"
                                 "60616263646566676869"
                                 "70717273747576777879"
                                 "80818283848586878889"
                                 "90919293949596979899";

/*
 * Writers format three or more timestamps per record and nearly all of them
 * fall on the same UTC day, most on the same second as the one before, so
 * the "YYYY-MM-DDT" part (gmtime_r + strftime, the expensive bit) is kept
 * per day and "YYYY-MM-DDTHH:MM:SS" per second; the rest is written by hand.
 * POSIX time has 86400 s per day, so this is the same text gmtime_r gives.
 * The cache is per thread so the function stays a pure function of its
 * arguments for every caller.
 */
#define ISO_DATE_LEN 11 /* "YYYY-MM-DDT": 64-bit nanoseconds span the years 1970..2554 */
#define ISO_SECS_LEN 19 /* "YYYY-MM-DDTHH:MM:SS" */

static _Thread_local struct {
    bool day_valid, secs_valid;
    uint64_t day, secs;
    char date[32];           /* strftime's output for day */
    char text[ISO_SECS_LEN]; /* the whole second secs */
} iso_cache;

static inline char *
put2(char *p, unsigned v)
{
    p[0] = report_digits2[v * 2];
    p[1] = report_digits2[v * 2 + 1];
    return p + 2;
}

/* Fills iso_cache.text for secs; false if the date cannot be had (never with 64-bit time_t). */
static bool
iso_fill_secs(uint64_t secs)
{
    uint64_t day = secs / 86400u;
    unsigned tod = (unsigned)(secs % 86400u);
    char *p = iso_cache.text + ISO_DATE_LEN;

    if (!iso_cache.day_valid || iso_cache.day != day) {
        time_t t = (time_t)(day * 86400u);
        struct tm tm;

        iso_cache.day_valid = iso_cache.secs_valid = false;
        if (gmtime_r(&t, &tm) == NULL ||
            strftime(iso_cache.date, sizeof(iso_cache.date), "%Y-%m-%dT", &tm) != ISO_DATE_LEN)
            return false;
        iso_cache.day = day;
        iso_cache.day_valid = true;
    }
    memcpy(iso_cache.text, iso_cache.date, ISO_DATE_LEN);
    p = put2(p, tod / 3600u);
    *p++ = ':';
    p = put2(p, tod / 60u % 60u);
    *p++ = ':';
    put2(p, tod % 60u);
    iso_cache.secs = secs;
    iso_cache.secs_valid = true;
    return true;
}

size_t
report_iso8601_put(char *dst, uint64_t ts_ns)
{
    static const char fallback[] = "1970-01-01T00:00:00.000000+0000";
    uint64_t secs = ts_ns / 1000000000u;
    unsigned usec = (unsigned)(ts_ns % 1000000000u / 1000u);
    char *p = dst;

    if ((!iso_cache.secs_valid || iso_cache.secs != secs) && !iso_fill_secs(secs)) {
        /* unreachable for 64-bit time_t; keep the output well-formed anyway */
        memcpy(dst, fallback, sizeof(fallback) - 1);
        return sizeof(fallback) - 1;
    }
    /* same bytes as strftime("%Y-%m-%dT%H:%M:%S") then "%s.%06u+0000" */
    memcpy(p, iso_cache.text, ISO_SECS_LEN);
    p += ISO_SECS_LEN;
    *p++ = '.';
    p = put2(p, usec / 10000u);
    p = put2(p, usec / 100u % 100u);
    p = put2(p, usec % 100u);
    memcpy(p, "+0000", 5);
    p += 5;
    return (size_t)(p - dst);
}

/* Copies text[0..n) to buf cut to len like snprintf; returns buf. */
static const char *
cut_copy(char *buf, size_t len, const char *text, size_t n)
{
    if (len == 0)
        return buf;
    if (n >= len)
        n = len - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return buf;
}

const char *
report_iso8601(uint64_t ts_ns, char *buf, size_t len)
{
    char tmp[REPORT_ISO8601_MAX];

    if (len == 0)
        return buf;
    return cut_copy(buf, len, tmp, report_iso8601_put(tmp, ts_ns));
}

size_t
report_tcp_flags_hex_put(char *dst, uint16_t flags)
{
    /*
     * Suricata prints the OR of the flag byte with "%02x": lower-case hex,
     * at least two digits. Written by hand (three per EVE record).
     */
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;

    if (flags < 0x100) { /* the flag byte: always here in practice */
        dst[0] = hex[flags >> 4];
        dst[1] = hex[flags & 15];
        return 2;
    }
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (unsigned)flags >> shift & 15u;

        if (n > 0 || d != 0 || shift <= 4)
            dst[n++] = hex[d];
    }
    return n;
}

const char *
report_tcp_flags_hex(uint16_t flags, char *buf, size_t len)
{
    char tmp[REPORT_FLAGS_HEX_MAX];

    return cut_copy(buf, len, tmp, report_tcp_flags_hex_put(tmp, flags));
}

/* Decimal octet without leading zeros, as inet_ntop(AF_INET) writes it. */
static inline char *
put_octet(char *p, unsigned o)
{
    if (o >= 100) {
        *p++ = (char)('0' + o / 100);
        return put2(p, o % 100);
    }
    if (o >= 10)
        return put2(p, o);
    *p++ = (char)('0' + o);
    return p;
}

static char *
put_ipv4(char *p, const uint8_t *b)
{
    p = put_octet(p, b[0]);
    *p++ = '.';
    p = put_octet(p, b[1]);
    *p++ = '.';
    p = put_octet(p, b[2]);
    *p++ = '.';
    return put_octet(p, b[3]);
}

/*
 * IPv6 the way glibc's inet_ntop writes it (RFC 5952 shape): lower-case hex
 * groups without leading zeros; the longest run of two or more zero groups,
 * the first of equal ones, becomes "::"; and an address whose first five
 * groups are zero and sixth is 0 or ffff (IPv4-compatible or -mapped) ends
 * in a dotted quad. The unit tests compare it with inet_ntop over every
 * zero/non-zero group pattern.
 */
static char *
put_ipv6(char *p, const uint8_t *b)
{
    static const char hex[] = "0123456789abcdef";
    unsigned words[8];
    int best = -1, best_len = 0, cur = -1, cur_len = 0;

    for (int i = 0; i < 8; i++) {
        words[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
        if (words[i] == 0) {
            if (cur < 0)
                cur = i, cur_len = 0;
            cur_len++;
            if (cur_len > best_len)
                best = cur, best_len = cur_len;
        } else {
            cur = -1;
        }
    }
    if (best_len < 2)
        best = -1;
    for (int i = 0; i < 8; i++) {
        unsigned w = words[i];

        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                *p++ = ':';
            continue;
        }
        if (i != 0)
            *p++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)))
            return put_ipv4(p, b + 12);
        if (w >= 0x1000)
            *p++ = hex[w >> 12];
        if (w >= 0x100)
            *p++ = hex[w >> 8 & 15];
        if (w >= 0x10)
            *p++ = hex[w >> 4 & 15];
        *p++ = hex[w & 15];
    }
    if (best >= 0 && best + best_len == 8)
        *p++ = ':';
    return p;
}

size_t
report_addr_put(char *dst, const struct ip_addr *a, uint8_t version)
{
    /*
     * By hand (inet_ntop showed in profiles of -T eve: its IPv6 path runs
     * sprintf per group); any version but 6 is IPv4, as before.
     */
    char *end = version == 6 ? put_ipv6(dst, a->b) : put_ipv4(dst, a->b);

    return (size_t)(end - dst);
}

const char *
report_addr_str(const struct ip_addr *a, uint8_t version, char *buf, size_t len)
{
    char tmp[REPORT_ADDR_MAX];
    size_t n = report_addr_put(tmp, a, version);

    /* inet_ntop fails rather than cut an address; the old fallback text was "?" */
    if (n >= len)
        return cut_copy(buf, len, "?", 1);
    return cut_copy(buf, len, tmp, n);
}

/* write(2) until done; a regular file takes it in one call, the loop is for EINTR/pipes. */
static int
write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int
report_write_line(FILE *out, const char *line, size_t len, bool line_buffered)
{
    /*
     * glibc's fwrite fills the rest of the buffer, writes it, then buffers
     * the tail: a line straddling the buffer end would reach the file in two
     * write(2)s and a concurrent reader (tail -F, a log shipper) could see
     * half a record. __fbufsize is 0 until stdio has a buffer (main sets one
     * with setvbuf; memory streams in the tests have none yet).
     */
    size_t cap = __fbufsize(out);
    int fd = fileno(out);

    if (len == 0)
        return 0;
    if (report_out_dead())
        return -1;
    if (cap != 0 && len > cap && fd >= 0) {
        if (fflush(out) != 0 || write_all(fd, line, len) != 0)
            goto fail;
        return 0;
    }
    if (cap != 0 && __fpending(out) + len > cap && fflush(out) != 0)
        goto fail;
    if (fwrite(line, 1, len, out) != len)
        goto fail;
    if (line_buffered && fflush(out) != 0)
        goto fail;
    return 0;
fail:
    outfile_fail(OUTFILE_RECORDS, errno);
    return -1;
}

bool
report_out_dead(void)
{
    if (outfile_error() == 0)
        return false;
    errno = outfile_error();
    return true;
}

int
report_stream_flush(FILE *out)
{
    /*
     * After a failure stdio may still hold a buffer of lines: fflush would
     * try the dead descriptor again (and fclose after it), so they are
     * dropped instead.
     */
    if (report_out_dead()) {
        __fpurge(out);
        return -1;
    }
    if (fflush(out) != 0) {
        outfile_fail(OUTFILE_RECORDS, errno);
        __fpurge(out);
        return -1;
    }
    return 0;
}

int
report_stream_finish(FILE *out)
{
    if (report_stream_flush(out) != 0)
        return -1;
    return ferror(out) ? -1 : 0;
}

void
report_out_init(struct report_out *o, FILE *f, const struct report_opts *opts)
{
    size_t cap = __fbufsize(f);
    bool line_buffered = opts != NULL && opts->line_buffered;
    bool reopenable = opts != NULL && opts->output_path != NULL;
    bool live = opts != NULL && opts->live;

    memset(o, 0, sizeof(*o));
    o->f = f;
    o->line_buffered = line_buffered;
    /* see report.h: batch only where stdio would have held the lines in a full buffer */
    if (!line_buffered && !reopenable && !live && cap != 0 && !__flbf(f) && fileno(f) >= 0)
        o->chunk = cap;
}

char *
report_out_grow(struct report_out *o, char *p, size_t need)
{
    size_t at = p != NULL ? (size_t)(p - o->buf) : o->pending;
    size_t size = o->size != 0 ? o->size : 4096;

    while (size - at < need)
        size *= 2;
    o->buf = xreallocarray(o->buf, size, 1);
    o->size = size;
    return o->buf + at;
}

/* Pending lines straight to the descriptor (stdio's buffer is empty or flushed first). */
static void
out_write(struct report_out *o, const char *p, size_t len)
{
    if (report_out_dead()) {
        o->failed = true;
        return;
    }
    if (fflush(o->f) != 0 || write_all(fileno(o->f), p, len) != 0) {
        outfile_fail(OUTFILE_RECORDS, errno);
        o->failed = true;
    }
}

void
report_out_end(struct report_out *o, char *end)
{
    char *line = o->buf + o->pending;
    size_t len = (size_t)(end - line);

    if (o->chunk == 0) {
        if (report_write_line(o->f, line, len, o->line_buffered) != 0)
            o->failed = true;
        return;
    }
    /* the decisions report_write_line() and stdio make, with pending as stdio's fill */
    if (o->pending + len <= o->chunk) {
        o->pending += len;
        return;
    }
    if (o->pending > 0)
        out_write(o, o->buf, o->pending);
    o->pending = 0;
    if (len > o->chunk)
        out_write(o, line, len);
    else if (len > 0) {
        memmove(o->buf, line, len);
        o->pending = len;
    }
}

int
report_out_flush(struct report_out *o)
{
    if (o->pending > 0)
        out_write(o, o->buf, o->pending);
    o->pending = 0;
    return o->failed ? -1 : 0;
}

void
report_out_fini(struct report_out *o)
{
    free(o->buf);
    o->buf = NULL;
    o->size = o->pending = 0;
}
