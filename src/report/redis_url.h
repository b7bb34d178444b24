/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_REDIS_URL_H
#define FLOWSTATE_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * redis_url: the syntax of -o redis://HOST[:PORT][/DB][?PARAM=VALUE&...],
 * kept apart from the writer (redis_out.c, the only hiredis user) so the
 * command line can check it without the library. Parameters:
 *   key=KEY      list, channel or stream name (default "flowstate"; %XX decoded)
 *   mode=MODE    lpush (default), rpush, publish or xadd (Suricata's modes)
 *   maxlen=N     xadd: MAXLEN ~ N (default 100000; 0 = no trimming)
 *   batch=N      records per pipelined round trip (default 256)
 *   buffer=N     live: records held while Redis is slow or away (default 65536)
 */
enum redis_mode { REDIS_LPUSH = 0, REDIS_RPUSH, REDIS_PUBLISH, REDIS_XADD };

#define REDIS_URL_HOST_MAX 256
#define REDIS_URL_KEY_MAX  512
#define REDIS_XADD_FIELD   "eve" /* the stream entry's one field: the EVE record */

struct redis_url {
    char host[REDIS_URL_HOST_MAX]; /* no brackets for IPv6 */
    unsigned port;                 /* default 6379 */
    unsigned db;                   /* the path: SELECT db (default 0) */
    char key[REDIS_URL_KEY_MAX];
    enum redis_mode mode;
    uint64_t maxlen;
    unsigned batch;
    size_t buffer;
};

/* Whether s names Redis (starts with "redis://"). */
bool redis_url_is(const char *s);

/* Parses s into *u (defaults first). returns 0, or -1 + err naming what is wrong. */
int redis_url_parse(const char *s, struct redis_url *u, char *err);

/* "lpush", "rpush", "publish", "xadd" */
const char *redis_mode_name(enum redis_mode m);

#endif
