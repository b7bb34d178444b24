/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * redis_url: -o redis://... -> struct redis_url (redis_url.h). Pure string
 * work, no library: the command line validates with it, the Redis writer
 * reads the result. The path is the database number, as in every Redis
 * client's URL (redis-cli -u, redis-py from_url); credentials are not
 * accepted in the URL (they would show in ps).
 */
#include <config.h>

#include "report/redis_url.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"

#define PREFIX "redis://"

bool
redis_url_is(const char *s)
{
    return s != NULL && strncmp(s, PREFIX, strlen(PREFIX)) == 0;
}

const char *
redis_mode_name(enum redis_mode m)
{
    switch (m) {
    case REDIS_LPUSH:
        return "lpush";
    case REDIS_RPUSH:
        return "rpush";
    case REDIS_PUBLISH:
        return "publish";
    case REDIS_XADD:
        break;
    }
    return "xadd";
}

/* Decimal in [min, max] spanning exactly s[0..len). */
static int
number(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 19)
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* %XX-decodes s[0..len) into out (size n). returns 0 or -1 (bad escape, too long, empty). */
static int
decode(const char *s, size_t len, char *out, size_t n)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c == '%') {
            int hi, lo;

            if (i + 2 >= len || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
                return -1;
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        if (o + 1 >= n)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return o == 0 ? -1 : 0;
}

static int
param(const char *p, size_t len, struct redis_url *u, const char *url, char *err)
{
    const char *eq = memchr(p, '=', len);
    size_t nlen, vlen;
    const char *v;
    uint64_t x;

    if (eq == NULL) {
        errbuf_printf(err, "%s: parameter '%.*s' has no value", url, (int)len, p);
        return -1;
    }
    nlen = (size_t)(eq - p);
    v = eq + 1;
    vlen = len - nlen - 1;
#define IS(name) (nlen == strlen(name) && strncmp(p, name, nlen) == 0)
    if (IS("key")) {
        if (decode(v, vlen, u->key, sizeof(u->key)) != 0) {
            errbuf_printf(err, "%s: bad key '%.*s'", url, (int)vlen, v);
            return -1;
        }
    } else if (IS("mode")) {
        static const enum redis_mode modes[] = {REDIS_LPUSH, REDIS_RPUSH, REDIS_PUBLISH,
                                                REDIS_XADD};
        size_t i;

        for (i = 0; i < 4; i++) {
            const char *name = redis_mode_name(modes[i]);

            if (vlen == strlen(name) && strncmp(v, name, vlen) == 0)
                break;
        }
        if (i == 4) {
            errbuf_printf(err, "%s: unknown mode '%.*s' (lpush, rpush, publish, xadd)", url,
                          (int)vlen, v);
            return -1;
        }
        u->mode = modes[i];
    } else if (IS("maxlen")) {
        if (number(v, vlen, 0, UINT64_MAX / 10, &u->maxlen) != 0) {
            errbuf_printf(err, "%s: bad maxlen '%.*s'", url, (int)vlen, v);
            return -1;
        }
    } else if (IS("batch")) {
        if (number(v, vlen, 1, 100000, &x) != 0) {
            errbuf_printf(err, "%s: bad batch '%.*s' (1..100000)", url, (int)vlen, v);
            return -1;
        }
        u->batch = (unsigned)x;
    } else if (IS("buffer")) {
        if (number(v, vlen, 1, 100000000, &x) != 0) {
            errbuf_printf(err, "%s: bad buffer '%.*s' (1..100000000 records)", url, (int)vlen,
                          v);
            return -1;
        }
        u->buffer = (size_t)x;
    } else {
        errbuf_printf(err, "%s: unknown parameter '%.*s' (key, mode, maxlen, batch, buffer)",
                      url, (int)nlen, p);
        return -1;
    }
#undef IS
    return 0;
}

int
redis_url_parse(const char *s, struct redis_url *u, char *err)
{
    const char *p, *hend, *auth_end, *end_authority;
    uint64_t x;

    memset(u, 0, sizeof(*u));
    u->port = 6379;
    snprintf(u->key, sizeof(u->key), "flowstate");
    u->mode = REDIS_LPUSH;
    u->maxlen = 100000;
    u->batch = 256;
    u->buffer = 65536;
    if (!redis_url_is(s)) {
        errbuf_printf(err, "%s: not a redis:// URL", s);
        return -1;
    }
    p = s + strlen(PREFIX);
    end_authority = p + strcspn(p, "/?#");
    auth_end = memchr(p, '@', (size_t)(end_authority - p));
    if (auth_end != NULL) {
        errbuf_printf(err, "%s: credentials in the URL are not supported", s);
        return -1;
    }
    if (*end_authority == '#') {
        errbuf_printf(err, "%s: a fragment (#) has no meaning here", s);
        return -1;
    }
    /* host */
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end_authority - p));

        if (rb == NULL) {
            errbuf_printf(err, "%s: unterminated [IPv6 address]", s);
            return -1;
        }
        if ((size_t)(rb - p - 1) >= sizeof(u->host) || rb == p + 1) {
            errbuf_printf(err, "%s: bad host", s);
            return -1;
        }
        memcpy(u->host, p + 1, (size_t)(rb - p - 1));
        hend = rb + 1;
        if (hend != end_authority && *hend != ':') {
            errbuf_printf(err, "%s: expected :PORT after ]", s);
            return -1;
        }
    } else {
        hend = memchr(p, ':', (size_t)(end_authority - p));
        if (hend == NULL)
            hend = end_authority;
        if (hend == p || (size_t)(hend - p) >= sizeof(u->host)) {
            errbuf_printf(err, "%s: missing or bad host", s);
            return -1;
        }
        memcpy(u->host, p, (size_t)(hend - p));
    }
    if (hend < end_authority) { /* ":PORT" */
        if (number(hend + 1, (size_t)(end_authority - hend - 1), 1, 65535, &x) != 0) {
            errbuf_printf(err, "%s: bad port (1..65535)", s);
            return -1;
        }
        u->port = (unsigned)x;
    }
    p = end_authority;
    /* "/DB" */
    if (*p == '/') {
        size_t len = strcspn(p + 1, "?#");

        if (len > 0 && number(p + 1, len, 0, 1000000, &x) != 0) {
            errbuf_printf(err, "%s: the path is the database number, got '%.*s'", s, (int)len,
                          p + 1);
            return -1;
        }
        if (len > 0)
            u->db = (unsigned)x;
        p += 1 + len;
    }
    if (*p == '#') {
        errbuf_printf(err, "%s: a fragment (#) has no meaning here", s);
        return -1;
    }
    if (*p == '?') {
        p++;
        while (*p != '\0') {
            size_t len = strcspn(p, "&#");

            if (p[len] == '#') {
                errbuf_printf(err, "%s: a fragment (#) has no meaning here", s);
                return -1;
            }
            if (len > 0 && param(p, len, u, s, err) != 0)
                return -1;
            p += len;
            if (*p == '&')
                p++;
        }
    }
    return 0;
}
