/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main: argv -> struct options -> capture + reporter + engine. No protocol
 * logic lives here. Exit status: 0 success, or the reader of the output
 * went away (EPIPE: the run stops at once, silently, like tcpdump); 1 the
 * input ended with a read error (everything read so far was still
 * reported); 2 usage, open or output errors (an output error stops the run
 * at once).
 *
 * Order at start-up: resolve -Z USER (an unknown user fails before anything
 * is opened), open the capture, the -o file and the -w file, then drop
 * privileges (priv_drop: capabilities, and with -Z the bounding set and the
 * identity), open the reporter, start the workers, install the system-call
 * filter on every thread (priv_seccomp_apply), and only then read the first
 * packet. Signals: SIGINT/SIGTERM
 * end the run cleanly (every open connection gets its record, then the
 * stats), a second one exits at once; SIGHUP reopens the -o file (log
 * rotation) or, without -o, ends the run like SIGTERM.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "cli.h"
#include "engine/engine.h"
#include "priv/priv.h"
#include "report/metrics_http.h"
#include "report/metrics_sink.h"
#include "report/redis_out.h"
#include "report/report.h"
#include "report/report_select.h"
#include "report/tui/tui.h"
#include "util/log.h"
#include "util/outfile.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;
static struct capture *active_capture;

/* The records' stdio buffer: fixed size so report_write_line() can keep lines whole. */
static char out_buf[REPORT_OUT_BUFSIZE];

/* -o and its path, for the SIGHUP reopen. */
struct out_file {
    FILE *f;
    const char *path;
};

static void
on_stop_signal(int sig)
{
    (void)sig;
    if (stop_requested) { /* second signal: leave at once, terminal restored (TUI) */
        log_run_cleanup();
        _exit(130);
    }
    stop_requested = 1;
    if (active_capture != NULL)
        capture_breakloop(active_capture);
}

static void
on_hup_signal(int sig)
{
    (void)sig;
    reopen_requested = 1;
}

/* SIGHUP reopens -o when there is one; otherwise it ends the run like SIGTERM. */
static void
install_signals(bool hup_reopens)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (hup_reopens)
        sa.sa_handler = on_hup_signal;
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/*
 * engine on_reopen (between records): points -o's FILE at a fresh open of
 * the same path, in append mode, keeping the FILE * the reporters hold.
 * Not freopen(): when the new open fails (full disk, a directory the -Z user
 * cannot write to) freopen has already closed the stream and every later
 * record would be lost; here the old file simply stays in use.
 */
static void
reopen_output(void *arg)
{
    struct out_file *of = arg;
    int fd;

    char err[ERRBUF_SIZE];

    if (fflush(of->f) != 0)
        log_warn("%s: %s", of->path, strerror(errno));
    if ((fd = outfile_open(of->path, true, err)) < 0) {
        log_warn("SIGHUP: cannot reopen %s (still writing the old file)", err);
        return;
    }
    if (dup2(fd, fileno(of->f)) < 0)
        log_warn("SIGHUP: cannot reopen %s: %s (still writing the old file)", of->path,
                 strerror(errno));
    close(fd);
    log_debug("SIGHUP: reopened %s", of->path);
}

/* -o: outfile_open (no symbolic link as root) wrapped in a stdio stream. returns: owned. */
static FILE *
open_output(const char *path, char *err)
{
    int fd = outfile_open(path, false, err);
    FILE *f;

    if (fd < 0)
        return NULL;
    if ((f = fdopen(fd, "w")) == NULL) {
        errbuf_printf(err, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

/*
 * tcpdump's closing lines after a live capture, on stderr: packets captured
 * (handed to flowstate), received by filter and dropped by kernel
 * (pcap_stats), and dropped by interface when that is not zero. After an
 * interrupt on a terminal a newline first ends the "^C" line, as tcpdump
 * does.
 */
static void
live_summary(struct capture *cap, bool interrupted)
{
    const struct capture_stats *st = capture_stats(cap);

    if (interrupted && isatty(STDERR_FILENO))
        fputc('\n', stderr);
    fprintf(stderr, "%" PRIu64 " packet%s captured\n", st->records, st->records == 1 ? "" : "s");
    fprintf(stderr, "%" PRIu64 " packet%s received by filter\n", st->kernel_recv,
            st->kernel_recv == 1 ? "" : "s");
    fprintf(stderr, "%" PRIu64 " packet%s dropped by kernel\n", st->kernel_drop,
            st->kernel_drop == 1 ? "" : "s");
    if (st->kernel_ifdrop != 0)
        fprintf(stderr, "%" PRIu64 " packet%s dropped by interface\n", st->kernel_ifdrop,
                st->kernel_ifdrop == 1 ? "" : "s");
}

/*
 * The exit status after the run's output failure, if any (outfile.h): the
 * reader of a pipe went away (EPIPE) is a normal end, as in tcpdump: no
 * message, status 0 unless something else failed. Any other error on the
 * records' stream is reported here with status 2; one on -w was reported
 * by capture_dump_close().
 */
static int
output_status(const struct options *o, int rc)
{
    int e = outfile_error();

    if (e == 0)
        return rc;
    if (e == EPIPE)
        return rc;
    if (outfile_failed_stream() == OUTFILE_RECORDS)
        log_warn("error writing %s: %s", o->output != NULL ? o->output : "standard output",
                 strerror(e));
    return 2;
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
    cfg->flows_only = o->flows_only;
    cfg->workers = o->workers;
    cfg->shard_index = o->shard_index;
    cfg->shard_count = o->shard_count;
    cfg->count = o->count;
    cfg->update_interval_ns = o->update_interval_ns;
    cfg->stats_interval_ns = o->stats_interval_ns;
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
    lo.handles = o->workers; /* one kernel ring per worker, one fanout group */
    return capture_open_live(&lo, o->filter, err);
}

/* --merge-stats: no capture, no engine; 0 or 2. */
static int
merge_stats(const struct options *o, char *err)
{
    FILE *f = stdout;
    int rc = 0;

    if (o->output != NULL && (f = fopen(o->output, "w")) == NULL) {
        log_warn("%s: %s", o->output, strerror(errno));
        return 2;
    }
    if (report_eve_merge_stats(o->merge_files, o->n_merge, f, err) != 0) {
        log_warn("--merge-stats: %s", err);
        rc = 2;
    }
    if (f != stdout ? fclose(f) != 0 : fflush(f) != 0) {
        log_warn("%s: %s", o->output != NULL ? o->output : "standard output", strerror(errno));
        rc = 2;
    }
    return rc;
}

int
main(int argc, char **argv)
{
    struct options o;
    struct report_opts ro;
    struct engine_cfg ecfg;
    const struct reporter_ops *ops = NULL;
    struct reporter_ops metrics_ops;
    struct metrics_http *http = NULL;
    struct redis_out *redis = NULL;
    struct priv_seccomp_needs seccomp_needs;
    struct capture *cap = NULL;
    struct engine *eng = NULL;
    struct priv_user ra = {NULL, 0, 0};
    struct priv_needs needs;
    struct out_file of;
    FILE *out = stdout;
    void *rep = NULL;
    char err[ERRBUF_SIZE] = "";
    int rc = 2, run;
    bool ran = false;

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

    if (o.merge_stats) {
        rc = merge_stats(&o, err);
        goto out;
    }

    if (o.list_devices) {
        rc = capture_list_devices(stdout, err) == 0 ? 0 : 2;
        if (rc != 0)
            log_warn("%s", err);
        goto out;
    }

    /* Early: a SIGINT during start-up then ends the run cleanly (no packet read, stats only). */
    install_signals(o.output != NULL);
    if (o.user != NULL && priv_user_lookup(o.user, &ra, err) != 0) {
        log_warn("%s", err);
        goto out;
    }
    if ((cap = open_input(&o, err)) == NULL) {
        log_warn("%s", err);
        goto out;
    }
    if (err[0] != '\0')
        log_warn("%s", err); /* activation warning from libpcap */

    if (o.redis) {
        /* Redis unreachable is no error here: the writer warns and retries */
        if ((redis = redis_out_open(&o.redis_url, capture_is_live(cap), &out, err)) == NULL) {
            log_warn("%s", err);
            out = stdout;
            goto out;
        }
    } else if (o.output != NULL && (out = open_output(o.output, err)) == NULL) {
        log_warn("%s", err);
        out = stdout;
        goto out;
    }
    /* Before the first output operation, as setvbuf requires; a terminal stays line-buffered. */
    if (setvbuf(out, out_buf, isatty(fileno(out)) ? _IOLBF : _IOFBF, sizeof(out_buf)) != 0) {
        log_warn("cannot set the output buffer: %s", strerror(errno));
        goto out;
    }
    /* bound now, before -Z: a port below 1024 needs the privileges */
    if (o.metrics_listen != NULL && (http = metrics_http_bind(o.metrics_listen, err)) == NULL) {
        log_warn("%s", err);
        goto out;
    }
    if (o.write_file != NULL && capture_dump_open(cap, o.write_file, err) != 0) {
        log_warn("%s", err);
        goto out;
    }
    /* Every capture handle and output file is open: nothing more needs a privilege. */
    needs.reopen_output = o.output != NULL;
    if (priv_drop(ra.name != NULL ? &ra : NULL, &needs, err) != 0) {
        log_warn("%s", err);
        goto out;
    }
    /* our threads start with what is left (capabilities are per thread) */
    if ((http != NULL && metrics_http_start(http, err) != 0) ||
        (redis != NULL && redis_out_start(redis, err) != 0)) {
        log_warn("%s", err);
        goto out;
    }
    if (o.metrics_file != NULL && metrics_sink_check_file(o.metrics_file, err) != 0) {
        log_warn("%s", err);
        goto out;
    }
    memset(&ro, 0, sizeof(ro));
    ro.format = o.format;
    ro.line_buffered = o.line_buffered;
    ro.output_path = o.output;
    ro.quiet = o.quiet;
    ro.selected = report_select_active(&o.select);
    ro.stats_deltas = o.stats_interval_ns > 0;
    ops = pick_reporter(o.format);
    /* the state view: asked for, or the default for a live capture on a terminal */
    if (o.tui || (capture_is_live(cap) && isatty(STDOUT_FILENO) && !o.format_set &&
                  o.output == NULL)) {
        ops = &report_tui_ops;
        ro.format = REPORT_TUI;
        ro.live = capture_is_live(cap);
        ro.stop = &stop_requested;
        ro.replay_speed = o.replay_speed;
        ro.tui_rows = o.tui_rows;
    }
    if (ops->open(&rep, out, &ro, err) != 0) {
        log_warn("%s", err);
        goto out;
    }
    if (o.metrics_file != NULL || http != NULL) {
        struct metrics_sink_cfg mc;
        void *wrapped;

        memset(&mc, 0, sizeof(mc));
        mc.file = o.metrics_file;
        mc.http = http;
        mc.interval_ns = o.metrics_interval_ns;
        mc.top_servers = o.metrics_top_servers;
        mc.live = capture_is_live(cap);
        metrics_sink_wrap(&mc, ops, rep, &metrics_ops, &wrapped);
        ops = &metrics_ops;
        rep = wrapped;
    }

    engine_cfg_from_options(&o, &ecfg, capture_is_live(cap));
    if (ops == &report_tui_ops)
        ecfg.replay_speed = o.replay_speed;
    /* --state / --stuck: only matching records reach the reporter (the engine counts them all) */
    if (report_select_active(&o.select))
        report_select_wrap(&o.select, ops, rep, &ops, &rep);
    if (redis != NULL) {
        ecfg.extra_stats = redis_out_stats;
        ecfg.extra_stats_arg = redis;
    } else if (o.output != NULL) {
        of.f = out;
        of.path = o.output;
        ecfg.reopen = &reopen_requested;
        ecfg.on_reopen = reopen_output;
        ecfg.reopen_arg = &of;
    }
    if ((eng = engine_new(&ecfg, ops, rep, err)) == NULL) {
        log_warn("%s", err);
        goto out;
    }
    /*
     * The workers exist and the terminal is set up: from here on, only the
     * calls the run needs (priv_seccomp.c). gmtime_r reads the zone file
     * once; make it read it now.
     */
    tzset();
    seccomp_needs.listen = http != NULL;
    seccomp_needs.connect = redis != NULL;
    seccomp_needs.file_replace = o.metrics_file != NULL;
    if (o.seccomp && priv_seccomp_apply(&seccomp_needs, err) != 0) {
        log_warn("%s", err);
        goto out;
    }
    active_capture = cap;
    run = engine_run(eng, cap, &stop_requested, err);
    if (run < 0)
        log_warn("%s", err);
    /* a dead output ends the run at once: no drain, no stats record (outfile.h) */
    if (outfile_error() == 0)
        engine_finish(eng, cap);
    ran = true;
    rc = run == 0 ? 0 : 1;
    if (capture_dump_close(cap, err) != 0) {
        log_warn("%s", err);
        rc = 2;
    }

out:
    active_capture = NULL;
    engine_free(eng);
    if (rep != NULL && ops != NULL && ops->close(rep) != 0 && outfile_error() == 0) {
        log_warn("error writing output: %s", strerror(errno)); /* a record could not be made */
        rc = 2;
    }
    if (out != stdout) {
        if (fclose(out) != 0)
            outfile_fail(OUTFILE_RECORDS, errno);
    } else if (fflush(stdout) != 0) {
        outfile_fail(OUTFILE_RECORDS, errno);
    }
    rc = output_status(&o, rc);
    /* after the reporter: the TUI has given the terminal back by now */
    if (ran && capture_is_live(cap))
        live_summary(cap, stop_requested != 0);
    capture_close(cap);
    metrics_http_stop(http);
    cli_options_fini(&o);
    priv_user_fini(&ra);
    return rc;
}
