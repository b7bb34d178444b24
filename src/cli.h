/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_CLI_H
#define FLOWSTATE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/redis_url.h"
#include "report/report.h"
#include "report/report_select.h"

/* Everything the command line can say. Filled by cli_parse(); owned by main. */
struct options {
    const char **read_files;     /* -r (repeatable); "-" = stdin */
    size_t n_read;
    const char *iface;           /* -i */
    char *filter;                /* -f or trailing expression (owned) */
    uint64_t count;              /* -c */
    enum report_format format;   /* -T */
    bool format_set;
    const char *output;          /* -o */
    bool redis;                  /* -o redis://...: parsed into redis_url */
    struct redis_url redis_url;
    const char *write_file;      /* -w */
    int snaplen;                 /* -s */
    int buffer_size;             /* -B, bytes */
    bool promisc;                /* cleared by -p */
    bool immediate;              /* --immediate-mode */
    const char *user;            /* -Z */
    bool seccomp;                /* cleared by --no-seccomp */
    bool list_devices;           /* -D */
    bool line_buffered;          /* -l */
    bool tui;                    /* --tui */
    double replay_speed;         /* --speed (0 = as fast as possible) */
    size_t tui_rows;             /* --tui-rows (0 = the view's default) */
    size_t max_flows;            /* --max-flows */
    size_t memcap;               /* --memcap */
    uint64_t timeout_ns[4];      /* --timeout CLASS=SECONDS, by enum flow_tclass */
    uint64_t msl_ns;             /* --msl */
    uint64_t stuck_after_ns;     /* --stuck-after */
    uint64_t update_interval_ns; /* --update-interval */
    uint64_t stats_interval_ns;  /* --stats-interval (0 = final stats record only) */
    bool verify_checksums;       /* cleared by --no-checksums */
    bool flows_only;             /* --flows-only */
    unsigned workers;            /* --workers (1..CLI_MAX_WORKERS; auto resolved) */
    uint32_t shard_index;        /* --shard K/N: K (0 <= K < N) */
    uint32_t shard_count;        /* N (1..CLI_MAX_SHARDS); 0 = no --shard */
    bool merge_stats;            /* --merge-stats: the operands are EVE files */
    const char **merge_files;    /* the operands (array owned, strings borrowed from argv) */
    size_t n_merge;
    int verbose;                 /* -v */
    bool quiet;                  /* -q: no text summary, no progress line */
    struct report_select select; /* --state, --stuck, --half-open */
    const char *metrics_listen;  /* --metrics-listen ADDR:PORT */
    const char *metrics_file;    /* --metrics-file PATH */
    uint64_t metrics_interval_ns; /* --metrics-interval */
    unsigned metrics_top_servers; /* --metrics-top-servers */
};

#define CLI_MAX_WORKERS 256u
#define CLI_MAX_SHARDS  65536u

enum cli_result { CLI_OK = 0, CLI_EXIT_SUCCESS = 1, CLI_ERROR = -1 };

/* Parses argv into *o (defaults first). CLI_EXIT_SUCCESS after --help/--version. */
enum cli_result cli_parse(int argc, char **argv, struct options *o, FILE *out, char *err);
void cli_options_fini(struct options *o);
void cli_usage(FILE *out);

/* "64K", "8M", "1G" -> bytes. returns 0 or -1. */
int cli_parse_size(const char *s, uint64_t *out);

#endif
