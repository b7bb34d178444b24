/*
 * report_common: formatting helpers shared by the writers (EVE, Zeek, text).
 * Pure functions of their arguments: capture time in, text out, never the
 * wall clock and never the local time zone, so every report is diffable.
 * Sub-microsecond digits are truncated, never rounded, so a timestamp and a
 * duration computed from it always agree on the last printed digit.
 */
#include <config.h>

#include "report.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

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
