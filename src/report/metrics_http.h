/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_METRICS_HTTP_H
#define FLOWSTATE_METRICS_HTTP_H

#include <stddef.h>

/*
 * metrics_http: the --metrics-listen endpoint. HTTP GET (or HEAD) /metrics
 * answers, in text exposition format 0.0.4, the text last published plus
 * flowstate_build_info and the process_* metrics read at the scrape; any
 * other path is 404, any other method 405. libmicrohttpd serves it from its
 * own thread (signals blocked there); this is the only file that includes
 * <microhttpd.h>.
 */
struct metrics_http;

/*
 * Binds and listens on spec (ADDR:PORT): call it before privileges are
 * dropped, so a port below 1024 works. Nothing is served yet.
 * returns: owned, or NULL + err.
 */
struct metrics_http *metrics_http_bind(const char *spec, char *err);

/*
 * Starts serving (libmicrohttpd's thread): call it after privileges are
 * dropped (capabilities are per thread) and before the system-call filter.
 * returns 0 or -1 + err.
 */
int metrics_http_start(struct metrics_http *h, char *err);

/* Replaces the served text with a copy of text[0..len). Thread-safe. */
void metrics_http_publish(struct metrics_http *h, const char *text, size_t len);

/* Stops serving (waits for the server thread) and frees h. Accepts NULL. */
void metrics_http_stop(struct metrics_http *h);

#endif
