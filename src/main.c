/*
 * main: argv -> struct options -> capture + reporter + engine. No protocol
 * logic lives here. Exit status: 0 success; 1 the input ended with a read
 * error (everything read so far was still reported); 2 usage, open or
 * output errors.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "cli.h"
#include "engine.h"
#include "report/report.h"
#include "util/log.h"

static volatile sig_atomic_t stop_requested;
static struct capture *active_capture;

static void
on_stop_signal(int sig)
{
    (void)sig;
    if (stop_requested) /* second signal: leave at once */
        _exit(130);
    stop_requested = 1;
    if (active_capture != NULL)
        capture_breakloop(active_capture);
}

static void
install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static const struct reporter_ops *
pick_reporter(enum report_format f)
{
    switch (f) {
    case REPORT_EVE:
        return &report_eve_ops;
    case REPORT_ZEEK:
        return &report_zeek_ops;
    case REPORT_TEXT:
    case REPORT_TUI:
        break;
    }
    return &report_text_ops;
}

static void
engine_cfg_from_options(const struct options *o, struct engine_cfg *cfg, bool live)
{
    size_t i;

    memset(cfg, 0, sizeof(*cfg));
    flow_table_cfg_default(&cfg->ft);
    cfg->ft.max_flows = o->max_flows;
    cfg->ft.memcap = o->memcap;
    if (o->memcap != 0 && o->max_flows == cfg->ft.max_flows)
        cfg->ft.max_flows = 0; /* --memcap alone decides the size */
    for (i = 0; i < FLOW_TC_COUNT; i++)
        cfg->ft.timeout_ns[i] = o->timeout_ns[i];
    tcp_cfg_default(&cfg->tcp);
    cfg->tcp.msl_ns = o->msl_ns;
    cfg->tcp.stuck_after_ns = o->stuck_after_ns;
    cfg->dec.verify_checksums = o->verify_checksums;
    cfg->count = o->count;
    cfg->update_interval_ns = o->update_interval_ns;
    cfg->live = live;
}

static struct capture *
open_input(const struct options *o, char *err)
{
    struct capture_live_opts lo;

    if (o->n_read > 0)
        return capture_open_files(o->read_files, o->n_read, o->filter, err);
    memset(&lo, 0, sizeof(lo));
    lo.iface = o->iface;
    lo.snaplen = o->snaplen;
    lo.buffer_size = o->buffer_size;
    lo.promisc = o->promisc;
    lo.immediate = o->immediate;
    lo.timeout_ms = 100;
    return capture_open_live(&lo, o->filter, err);
}

int
main(int argc, char **argv)
{
    struct options o;
    struct report_opts ro;
    struct engine_cfg ecfg;
    const struct reporter_ops *ops = NULL;
    struct capture *cap = NULL;
    struct engine *eng = NULL;
    FILE *out = stdout;
    void *rep = NULL;
    char err[ERRBUF_SIZE] = "";
    int rc = 2, run;

    switch (cli_parse(argc, argv, &o, stdout, err)) {
    case CLI_EXIT_SUCCESS:
        cli_options_fini(&o);
        return 0;
    case CLI_ERROR:
        log_warn("%s", err);
        fputs("Try 'flowstate --help' for more information.\n", stderr);
        cli_options_fini(&o);
        return 2;
    case CLI_OK:
        break;
    }
    log_set_verbose(o.verbose);

    if (o.list_devices) {
        rc = capture_list_devices(stdout, err) == 0 ? 0 : 2;
        if (rc != 0)
            log_warn("%s", err);
        goto out;
    }

    if ((cap = open_input(&o, err)) == NULL) {
        log_warn("%s", err);
        goto out;
    }
    if (err[0] != '\0')
        log_warn("%s", err); /* activation warning from libpcap */

    if (o.output != NULL && (out = fopen(o.output, "w")) == NULL) {
        log_warn("%s: %s", o.output, strerror(errno));
        out = stdout;
        goto out;
    }
    memset(&ro, 0, sizeof(ro));
    ro.format = o.format;
    ro.line_buffered = o.line_buffered;
    ro.output_path = o.output;
    ops = pick_reporter(o.format);
    if (ops->open(&rep, out, &ro, err) != 0) {
        log_warn("%s", err);
        goto out;
    }

    engine_cfg_from_options(&o, &ecfg, capture_is_live(cap));
    if ((eng = engine_new(&ecfg, ops, rep, err)) == NULL) {
        log_warn("%s", err);
        goto out;
    }
    active_capture = cap;
    install_signals();
    run = engine_run(eng, cap, &stop_requested, err);
    if (run < 0)
        log_warn("%s", err);
    engine_finish(eng, cap);
    rc = run == 0 ? 0 : 1;

out:
    active_capture = NULL;
    engine_free(eng);
    if (rep != NULL && ops != NULL && ops->close(rep) != 0) {
        log_warn("error writing output: %s", strerror(errno));
        rc = 2;
    }
    if (out != stdout) {
        if (fclose(out) != 0) {
            log_warn("%s: %s", o.output, strerror(errno));
            rc = 2;
        }
    } else if (fflush(stdout) != 0) {
        rc = 2;
    }
    capture_close(cap);
    cli_options_fini(&o);
    return rc;
}
