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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

const char *
report_iso8601(uint64_t ts_ns, char *buf, size_t len)
{
    time_t secs = (time_t)(ts_ns / 1000000000u);
    unsigned usec = (unsigned)(ts_ns % 1000000000u / 1000u);
    struct tm tm;
    char date[32];

    if (len == 0)
        return buf;
    if (gmtime_r(&secs, &tm) == NULL ||
        strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        /* unreachable for 64-bit time_t; keep the output well-formed anyway */
        snprintf(buf, len, "1970-01-01T00:00:00.000000+0000");
        return buf;
    }
    snprintf(buf, len, "%s.%06u+0000", date, usec);
    return buf;
}

const char *
report_tcp_flags_hex(uint16_t flags, char *buf, size_t len)
{
    /* Suricata prints the OR of the flag byte with "%02x" */
    if (len != 0)
        snprintf(buf, len, "%02x", (unsigned)flags);
    return buf;
}

const char *
report_addr_str(const struct ip_addr *a, uint8_t version, char *buf, size_t len)
{
    int af = version == 6 ? AF_INET6 : AF_INET;

    if (len == 0)
        return buf;
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
