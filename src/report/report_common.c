/*
 * report_common: formatting helpers shared by the writers (EVE, Zeek, text).
 * Pure functions of their arguments: capture time in, text out, never the
 * wall clock and never the local time zone, so every report is diffable.
 * Sub-microsecond digits are truncated, never rounded, so a timestamp and a
 * duration computed from it always agree on the last printed digit.
 * report_write_line() is the one place where the line-oriented writers
 * (EVE, Zeek) hand bytes to stdio.
 */
#include <config.h>

#include "report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Writers format three or more timestamps per record and nearly all of them
 * fall on the same UTC day, so the "YYYY-MM-DDT" part (gmtime_r + strftime,
 * the expensive bit) is kept per day and the time of day and microseconds
 * are written by hand. POSIX time has 86400 s per day, so this is the same
 * text gmtime_r gives. The cache is per thread so the function stays a pure
 * function of its arguments for every caller.
 */
static _Thread_local struct {
    bool valid;
    uint64_t day;
    size_t len;
    char date[32];
} iso_cache;

/* Appends v as exactly `width` decimal digits. */
static size_t
put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return (size_t)width;
}

const char *
report_iso8601(uint64_t ts_ns, char *buf, size_t len)
{
    uint64_t secs = ts_ns / 1000000000u, day = secs / 86400u;
    unsigned tod = (unsigned)(secs % 86400u);
    unsigned usec = (unsigned)(ts_ns % 1000000000u / 1000u);
    char out[64];
    size_t n;

    if (len == 0)
        return buf;
    if (!iso_cache.valid || iso_cache.day != day) {
        time_t t = (time_t)(day * 86400u);
        struct tm tm;

        iso_cache.valid = false;
        iso_cache.len = 0;
        if (gmtime_r(&t, &tm) != NULL)
            iso_cache.len = strftime(iso_cache.date, sizeof(iso_cache.date), "%Y-%m-%dT", &tm);
        if (iso_cache.len == 0) {
            /* unreachable for 64-bit time_t; keep the output well-formed anyway */
            snprintf(buf, len, "1970-01-01T00:00:00.000000+0000");
            return buf;
        }
        iso_cache.day = day;
        iso_cache.valid = true;
    }
    /* same bytes as strftime("%Y-%m-%dT%H:%M:%S") then "%s.%06u+0000", cut to len like snprintf */
    n = iso_cache.len;
    memcpy(out, iso_cache.date, n);
    n += put_digits(out + n, tod / 3600u, 2);
    out[n++] = ':';
    n += put_digits(out + n, tod / 60u % 60u, 2);
    out[n++] = ':';
    n += put_digits(out + n, tod % 60u, 2);
    out[n++] = '.';
    n += put_digits(out + n, usec, 6);
    memcpy(out + n, "+0000", 5);
    n += 5;
    if (n >= len)
        n = len - 1;
    memcpy(buf, out, n);
    buf[n] = '\0';
    return buf;
}

const char *
report_tcp_flags_hex(uint16_t flags, char *buf, size_t len)
{
    /*
     * Suricata prints the OR of the flag byte with "%02x": lower-case hex,
     * at least two digits. Written by hand (three per EVE record).
     */
    static const char hex[] = "0123456789abcdef";
    char tmp[8];
    size_t n = 0;

    if (len == 0)
        return buf;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (unsigned)flags >> shift & 15u;

        if (n > 0 || d != 0 || shift <= 4)
            tmp[n++] = hex[d];
    }
    if (n >= len)
        n = len - 1;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return buf;
}

const char *
report_addr_str(const struct ip_addr *a, uint8_t version, char *buf, size_t len)
{
    int af = version == 6 ? AF_INET6 : AF_INET;

    if (len == 0)
        return buf;
    /*
     * IPv4 dotted quads are written by hand (inet_ntop showed in profiles of
     * -T eve); the bytes are the same: decimal octets, no leading zeros.
     * IPv6 keeps inet_ntop for its RFC 5952 zero compression.
     */
    if (version != 6 && len >= 16) {
        size_t n = 0;

        for (int i = 0; i < 4; i++) {
            unsigned o = a->b[i];

            if (o >= 100)
                buf[n++] = (char)('0' + o / 100);
            if (o >= 10)
                buf[n++] = (char)('0' + o / 10 % 10);
            buf[n++] = (char)('0' + o % 10);
            buf[n++] = i < 3 ? '.' : '\0';
        }
        return buf;
    }
    if (inet_ntop(af, a->b, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "?");
    return buf;
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
    if (cap != 0 && len > cap && fd >= 0) {
        if (fflush(out) != 0)
            return -1;
        return write_all(fd, line, len);
    }
    if (cap != 0 && __fpending(out) + len > cap && fflush(out) != 0)
        return -1;
    if (fwrite(line, 1, len, out) != len)
        return -1;
    if (line_buffered && fflush(out) != 0)
        return -1;
    return 0;
}
