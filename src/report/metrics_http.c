/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_http: the /metrics endpoint (metrics_http.h) on libmicrohttpd's
 * internal polling thread. It owns a copy of the latest exposition text
 * (under a mutex: the engine's thread publishes, the server thread reads)
 * and the listening socket, which is bound here, by us, so that a busy
 * port or a bad address gives a precise message at start-up.
 */
#include <config.h>

#include "report/metrics_http.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "report/metrics.h"
#include "util/log.h"
#include "util/xalloc.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_http {
    struct MHD_Daemon *d;
    int fd;
    char spec[300];
    pthread_mutex_t lock;
    char *text; /* owned, under lock */
    size_t len;
};

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct metrics_http *h = cls;
    struct MHD_Response *resp;
    struct metrics_buf b;
    unsigned status = MHD_HTTP_OK;
    enum MHD_Result rc;

    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)con_cls;
    metrics_buf_init(&b);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        metrics_buf_printf(&b, "only GET and HEAD\n");
    } else if (strcmp(url, "/metrics") != 0) {
        status = MHD_HTTP_NOT_FOUND;
        metrics_buf_printf(&b, "flowstate serves /metrics only\n");
    } else {
        pthread_mutex_lock(&h->lock);
        if (h->len > 0)
            metrics_buf_printf(&b, "%.*s", (int)h->len, h->text);
        pthread_mutex_unlock(&h->lock);
        metrics_render_process(&b);
    }
    static char empty[1];

    resp = MHD_create_response_from_buffer(b.len, b.p != NULL ? b.p : empty,
                                           MHD_RESPMEM_MUST_COPY);
    metrics_buf_fini(&b);
    if (resp == NULL)
        return MHD_NO;
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                status == MHD_HTTP_OK ? CONTENT_TYPE : "text/plain") == MHD_NO) {
        MHD_destroy_response(resp);
        return MHD_NO;
    }
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* A bound, listening socket for host:port. returns: the fd, or -1 + err. */
static int
listen_on(const char *spec, const char *host, unsigned port, char *err)
{
    struct addrinfo hints, *res = NULL;
    char ports[8];
    int fd = -1, one = 1, gai;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(ports, sizeof(ports), "%u", port);
    if ((gai = getaddrinfo(host[0] != '\0' ? host : NULL, ports, &hints, &res)) != 0) {
        errbuf_printf(err, "--metrics-listen %s: %s", spec, gai_strerror(gai));
        return -1;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 16) != 0) {
        errbuf_printf(err, "--metrics-listen %s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

struct metrics_http *
metrics_http_bind(const char *spec, char *err)
{
    struct metrics_http *h;
    char host[256];
    unsigned port;

    if (metrics_listen_parse(spec, host, sizeof(host), &port, err) != 0)
        return NULL;
    h = xcalloc(1, sizeof(*h));
    if ((h->fd = listen_on(spec, host, port, err)) < 0) {
        free(h);
        return NULL;
    }
    snprintf(h->spec, sizeof(h->spec), "%s", spec);
    pthread_mutex_init(&h->lock, NULL);
    return h;
}

int
metrics_http_start(struct metrics_http *h, char *err)
{
    sigset_t all, old;

    /* the server thread inherits this mask: SIGINT/SIGTERM/SIGHUP stay with the main thread */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, h,
                            MHD_OPTION_LISTEN_SOCKET, (MHD_socket)h->fd,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (h->d == NULL) {
        errbuf_printf(err, "--metrics-listen %s: libmicrohttpd failed to start", h->spec);
        return -1;
    }
    log_debug("metrics: serving http://%s/metrics", h->spec);
    return 0;
}

void
metrics_http_publish(struct metrics_http *h, const char *text, size_t len)
{
    char *copy = xmalloc(len + 1);

    memcpy(copy, text, len);
    copy[len] = '\0';
    pthread_mutex_lock(&h->lock);
    free(h->text);
    h->text = copy;
    h->len = len;
    pthread_mutex_unlock(&h->lock);
}

void
metrics_http_stop(struct metrics_http *h)
{
    if (h == NULL)
        return;
    if (h->d != NULL)
        MHD_stop_daemon(h->d); /* closes the listening socket too, ours or not */
    else
        close(h->fd);
    pthread_mutex_destroy(&h->lock);
    free(h->text);
    free(h);
}
