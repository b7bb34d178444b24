/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cli: argv -> struct options. Owns option syntax, defaults and validation;
 * knows nothing about packets. Modelled on tcpdump's flags where they overlap
 * (-r -i -c -w -s -B -p -D -l -n -Z, combined short options, trailing filter
 * expression; -Z's long name is tcpdump's --relinquish-privileges), and
 * refuses what tcpdump refuses the way tcpdump does: a message naming the
 * problem and exit status 2 (main). Where a mistake is a common habit (a
 * second file without -r, ss's "state NAME" in the filter) the message says
 * what to type instead.
 */
#include <config.h>

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "flow/flow.h"
#include "report/metrics.h"
#include "util/log.h"
#include "util/xalloc.h"

#define NS_PER_SEC 1000000000ULL

enum long_only {
    OPT_JSON = 256,
    OPT_IMMEDIATE,
    OPT_TUI,
    OPT_MAX_FLOWS,
    OPT_MEMCAP,
    OPT_TIMEOUT,
    OPT_MSL,
    OPT_STUCK_AFTER,
    OPT_UPDATE_INTERVAL,
    OPT_STATS_INTERVAL,
    OPT_NO_CHECKSUMS,
    OPT_FLOWS_ONLY,
    OPT_SPEED,
    OPT_WORKERS,
    OPT_STATE,
    OPT_STUCK,
    OPT_HALF_OPEN,
    OPT_NO_SECCOMP,
    OPT_TUI_ROWS,
    OPT_SHARD,
    OPT_MERGE_STATS,
    OPT_METRICS_LISTEN,
    OPT_METRICS_FILE,
    OPT_METRICS_INTERVAL,
    OPT_METRICS_TOP,
};

static const struct option long_opts[] = {
    {"read", required_argument, NULL, 'r'},
    {"interface", required_argument, NULL, 'i'},
    {"filter", required_argument, NULL, 'f'},
    {"count", required_argument, NULL, 'c'},
    {"format", required_argument, NULL, 'T'},
    {"json", no_argument, NULL, OPT_JSON},
    {"output", required_argument, NULL, 'o'},
    {"write", required_argument, NULL, 'w'},
    {"relinquish-privileges", required_argument, NULL, 'Z'},
    {"no-seccomp", no_argument, NULL, OPT_NO_SECCOMP},
    {"snapshot-length", required_argument, NULL, 's'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"no-promiscuous-mode", no_argument, NULL, 'p'},
    {"immediate-mode", no_argument, NULL, OPT_IMMEDIATE},
    {"list-interfaces", no_argument, NULL, 'D'},
    {"line-buffered", no_argument, NULL, 'l'},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"memcap", required_argument, NULL, OPT_MEMCAP},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"msl", required_argument, NULL, OPT_MSL},
    {"stuck-after", required_argument, NULL, OPT_STUCK_AFTER},
    {"update-interval", required_argument, NULL, OPT_UPDATE_INTERVAL},
    {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
    {"no-checksums", no_argument, NULL, OPT_NO_CHECKSUMS},
    {"flows-only", no_argument, NULL, OPT_FLOWS_ONLY},
    {"tui", no_argument, NULL, OPT_TUI},
    {"speed", required_argument, NULL, OPT_SPEED},
    {"tui-rows", required_argument, NULL, OPT_TUI_ROWS},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"state", required_argument, NULL, OPT_STATE},
    {"stuck", optional_argument, NULL, OPT_STUCK},
    {"half-open", no_argument, NULL, OPT_HALF_OPEN},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"merge-stats", no_argument, NULL, OPT_MERGE_STATS},
    {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
    {"metrics-file", required_argument, NULL, OPT_METRICS_FILE},
    {"metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL},
    {"metrics-top-servers", required_argument, NULL, OPT_METRICS_TOP},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void
cli_usage(FILE *out)
{
    fputs("Usage: flowstate [-DhlnpqvV] [-r FILE]... [-i IFACE] [-c COUNT] [-T FORMAT] [-o FILE]\n"
          "                 [-w FILE] [-Z USER] [-s SNAPLEN] [-B SIZE] [-f FILTER] [options]\n"
          "                 [expression]\n"
          "       flowstate --merge-stats [-o FILE] FILE...\n"
          "\n"
          "Reconstructs TCP sessions from a capture file or a live interface and reports\n"
          "both endpoints' RFC 9293 states, handshake/close validity, seq/ack violations,\n"
          "retransmission analysis and stuck connections.\n"
          "\n"
          "Input:\n"
          "  -r, --read FILE          read a pcap/pcapng file (\"-\" = stdin); repeat to merge\n"
          "                           several files in timestamp order\n"
          "  -i, --interface IFACE    capture live from IFACE (\"any\" for all), or from the\n"
          "                           N-th interface that -D lists when IFACE is a number\n"
          "  -D, --list-interfaces    list capture interfaces and exit\n"
          "  -c, --count COUNT        stop after COUNT packets that pass the filter\n"
          "  -f, --filter FILTER      BPF filter (or give it as trailing expression)\n"
          "  -s, --snapshot-length N  live: bytes to capture per packet (default 384:\n"
          "                           every header flowstate decodes; see flowstate(8))\n"
          "  -B, --buffer-size SIZE   live: kernel ring in KiB (K/M/G suffixes accepted),\n"
          "                           in total, split over the --workers handles\n"
          "                           (default 131072 = 128 MiB)\n"
          "  -p, --no-promiscuous-mode  live: do not put the interface in promiscuous mode\n"
          "      --immediate-mode     live: deliver packets without buffering\n"
          "\n"
          "Output:\n"
          "  -T, --format FORMAT      text (default), eve (NDJSON, Suricata EVE compatible)\n"
          "                           or zeek (conn.log TSV)\n"
          "      --json               same as -T eve\n"
          "  -o, --output FILE        write to FILE instead of standard output; SIGHUP\n"
          "                           reopens it (log rotation)\n"
          "  -o redis://HOST[:PORT][/DB][?key=KEY&mode=MODE]\n"
          "                           EVE records to Redis, MODE lpush (default), rpush,\n"
          "                           publish or xadd (see flowstate(8))\n"
          "  -w, --write FILE         also save the packets read (after the filter) as pcap\n"
          "  -l, --line-buffered      flush output after every record\n"
          "      --tui                interactive state view (the default when capturing\n"
          "                           live with standard output on a terminal)\n"
          "      --speed X            --tui with -r: replay at X times capture speed\n"
          "                           (default 0: as fast as possible)\n"
          "      --tui-rows N         --tui: most open and most ended connections the view\n"
          "                           keeps (default 1000000; stuck ones go last)\n"
          "\n"
          "Metrics (Prometheus text format):\n"
          "      --metrics-listen ADDR:PORT  live: serve GET /metrics over HTTP\n"
          "      --metrics-file PATH.prom  write the metrics to PATH.prom (atomic rename)\n"
          "                           every interval, or once at the end with -r\n"
          "      --metrics-interval SEC  live: how often the metrics are refreshed (10)\n"
          "      --metrics-top-servers N  servers listed by stuck connections (10)\n"
          "\n"
          "Tracking:\n"
          "      --max-flows N        most connections tracked at once (default 1000000)\n"
          "      --memcap SIZE        memory for connection state, K/M/G suffixes\n"
          "      --timeout CLASS=SEC  idle timeout for new, established, closing or closed\n"
          "                           connections (defaults 60, 3600, 3600, 60)\n"
          "      --msl SEC            maximum segment lifetime; TIME_WAIT lasts 2*MSL (30)\n"
          "      --stuck-after SEC    capture seconds without progress before a connection\n"
          "                           is reported stuck (default 10)\n"
          "      --update-interval SEC  live: flow_update record period (default 60, 0 = off)\n"
          "      --stats-interval SEC  -T eve: a stats record every SEC seconds of capture\n"
          "                           time, with <counter>_delta changes (default 8,\n"
          "                           0 = only the final record, without deltas)\n"
          "      --no-checksums       do not verify TCP checksums\n"
          "      --flows-only         flow accounting only: counters, flags and roles per\n"
          "                           connection, no TCP state machine or analysis\n"
          "      --workers N|auto     threads tracking connections (default 1; auto = one\n"
          "                           per online CPU); output is the same as with 1\n"
          "      --shard K/N          track only the connections of shard K of N\n"
          "                           (0 <= K < N <= 65536): N runs with K = 0..N-1 on\n"
          "                           the same input together give one run's records\n"
          "      --merge-stats FILE...  read no packets: merge the final EVE stats records\n"
          "                           of one input's N --shard runs (one file each) into\n"
          "                           the record one run writes\n"
          "\n"
          "Selection (which connection records are written, in every format; the stats\n"
          "record still counts every connection):\n"
          "      --state STATES       connections with either end in one of STATES: ss's\n"
          "                           names (established, syn-sent, syn-recv, fin-wait-1,\n"
          "                           fin-wait-2, close-wait, closing, last-ack, time-wait,\n"
          "                           closed; none = end never seen) and groups (all,\n"
          "                           connected, synchronized, bucket, big), comma-separated;\n"
          "                           !NAME excludes, client:NAME / server:NAME pin one end\n"
          "      --stuck[=KINDS]      stuck connections (of KINDS: close_wait, half_open,\n"
          "                           syn_unanswered, zero_window)\n"
          "      --half-open          same as --stuck=half_open\n"
          "\n"
          "Privileges (see flowstate(8)):\n"
          "  -Z, --relinquish-privileges USER  after opening the capture and the output\n"
          "                           files, empty the capability bounding set and\n"
          "                           switch to USER's uid, gid and groups (default: keep\n"
          "                           the uid; capabilities are dropped either way)\n"
          "      --no-seccomp         do not install the system-call filter (debugging,\n"
          "                           valgrind)\n"
          "\n"
          "  -n                       accepted for tcpdump's sake (-n, -nn): flowstate never\n"
          "                           resolves addresses or ports\n"
          "  -q, --quiet              less output: no summary after the text table\n"
          "  -v, --verbose            more diagnostics on standard error\n"
          "  -h, --help               show this help and exit\n"
          "  -V, --version            show the version and exit\n"
          "\n"
          "See flowstate(8) and doc/schema.md for the output fields.\n",
          out);
}

int
cli_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    uint64_t mult = 1;

    if (s == NULL || *s == '\0' || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s)
        return -1;
    switch (*end) {
    case '\0':
        break;
    case 'k':
    case 'K':
        mult = 1024ULL;
        end++;
        break;
    case 'm':
    case 'M':
        mult = 1024ULL * 1024;
        end++;
        break;
    case 'g':
    case 'G':
        mult = 1024ULL * 1024 * 1024;
        end++;
        break;
    default:
        return -1;
    }
    if (*end != '\0')
        return -1;
    if (v > UINT64_MAX / mult)
        return -1;
    *out = (uint64_t)v * mult;
    return 0;
}

/* Non-negative decimal seconds ("0.5", "10") -> ns. */
static int
parse_seconds(const char *s, uint64_t *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0 || v > 1e9)
        return -1;
    *out = (uint64_t)(v * (double)NS_PER_SEC + 0.5);
    return 0;
}

static int
parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (*s == '-' || *s == '\0')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/*
 * --shard K/N: two decimal numbers, nothing else (no sign, no spaces), with
 * 0 <= K < N <= CLI_MAX_SHARDS. Each way to get it wrong has its own message.
 */
static int
parse_shard(const char *arg, struct options *o, char *err)
{
    const char *slash = strchr(arg, '/');
    char kbuf[24];
    size_t klen;
    uint64_t k, n;

    if (slash == NULL || (klen = (size_t)(slash - arg)) == 0 || klen >= sizeof(kbuf)) {
        errbuf_printf(err, "invalid --shard '%s' (K/N: shard K of N, 0 <= K < N)", arg);
        return -1;
    }
    memcpy(kbuf, arg, klen);
    kbuf[klen] = '\0';
    if (strspn(kbuf, "0123456789") != klen || slash[1] == '\0' ||
        strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
        parse_count(kbuf, 0, UINT64_MAX, &k) < 0 || parse_count(slash + 1, 0, UINT64_MAX, &n) < 0) {
        errbuf_printf(err, "invalid --shard '%s' (K/N: shard K of N, 0 <= K < N)", arg);
        return -1;
    }
    if (n == 0 || n > CLI_MAX_SHARDS) {
        errbuf_printf(err, "invalid --shard '%s': N must be 1..%u", arg, CLI_MAX_SHARDS);
        return -1;
    }
    if (k >= n) {
        errbuf_printf(err, "invalid --shard '%s': K must be 0..%u (shards are numbered from 0)",
                      arg, (unsigned)(n - 1));
        return -1;
    }
    o->shard_index = (uint32_t)k;
    o->shard_count = (uint32_t)n;
    return 0;
}

static int
parse_timeout(const char *arg, struct options *o)
{
    static const char *const names[] = {"new", "established", "closing", "closed"};
    const char *eq = strchr(arg, '=');
    size_t i, n;

    if (eq == NULL)
        return -1;
    n = (size_t)(eq - arg);
    for (i = 0; i < 4; i++) {
        if (strlen(names[i]) == n && strncmp(arg, names[i], n) == 0)
            return parse_seconds(eq + 1, &o->timeout_ns[i]);
    }
    return -1;
}

static void
options_default(struct options *o)
{
    struct flow_table_cfg ft;
    size_t i;

    memset(o, 0, sizeof(*o));
    flow_table_cfg_default(&ft);
    o->format = REPORT_TEXT;
    o->snaplen = 0; /* live default: CAP_DEFAULT_SNAPLEN */
    o->promisc = true;
    o->max_flows = ft.max_flows;
    for (i = 0; i < 4; i++)
        o->timeout_ns[i] = ft.timeout_ns[i];
    o->msl_ns = 30 * NS_PER_SEC;
    o->stuck_after_ns = 10 * NS_PER_SEC;
    o->update_interval_ns = 60 * NS_PER_SEC;
    o->stats_interval_ns = 8 * NS_PER_SEC; /* Suricata's stats.interval */
    o->verify_checksums = true;
    o->workers = 1;
    o->seccomp = true;
    o->metrics_interval_ns = 10 * NS_PER_SEC;
    o->metrics_top_servers = 10;
}

/* Joins argv[from..argc) with spaces (tcpdump's copy_argv). returns: owned. */
static char *
join_args(int argc, char **argv, int from)
{
    size_t len = 1, pos = 0, n;
    char *s;
    int i;

    for (i = from; i < argc; i++)
        len += strlen(argv[i]) + 1;
    s = xmalloc(len);
    for (i = from; i < argc; i++) {
        if (i > from)
            s[pos++] = ' ';
        n = strlen(argv[i]);
        memcpy(s + pos, argv[i], n);
        pos += n;
    }
    s[pos] = '\0';
    return s;
}

/* The long option named by "--name" or "--name=value" in arg, or NULL. */
static const struct option *
long_opt_named(const char *arg, size_t *n_prefix)
{
    const struct option *o, *hit = NULL;
    size_t len;

    *n_prefix = 0;
    if (strncmp(arg, "--", 2) != 0)
        return NULL;
    arg += 2;
    len = strcspn(arg, "=");
    for (o = long_opts; o->name != NULL; o++) {
        if (strlen(o->name) == len && strncmp(o->name, arg, len) == 0)
            return o;
        if (len > 0 && strncmp(o->name, arg, len) == 0) {
            hit = o;
            (*n_prefix)++;
        }
    }
    return *n_prefix == 1 ? hit : NULL;
}

/*
 * The message for getopt's '?' (unknown option, or an argument given to one
 * that takes none) and ':' (missing argument). arg is the last argv element
 * getopt looked at, opt its optopt.
 */
static void
option_problem(const char *arg, int opt, bool missing, char *err)
{
    const struct option *lo = NULL;
    size_t n_prefix = 0;

    if (arg != NULL && strncmp(arg, "--", 2) == 0)
        lo = long_opt_named(arg, &n_prefix);
    if (arg != NULL && strncmp(arg, "--", 2) == 0 && (opt == 0 || lo != NULL)) {
        int len = (int)strcspn(arg, "=");

        if (missing && lo != NULL)
            errbuf_printf(err, "option --%s needs an argument", lo->name);
        else if (lo != NULL && lo->has_arg == no_argument && strchr(arg, '=') != NULL)
            errbuf_printf(err, "option --%s takes no argument", lo->name);
        else if (n_prefix > 1)
            errbuf_printf(err, "ambiguous option '%.*s' (%zu options start so)", len, arg,
                          n_prefix);
        else
            errbuf_printf(err, "unknown option '%.*s'", len, arg);
        return;
    }
    if (missing)
        errbuf_printf(err, "option -%c needs an argument", opt);
    else if (opt > 32 && opt < 127)
        errbuf_printf(err, "unknown option -%c", opt);
    else
        errbuf_printf(err, "unknown option '%s'", arg != NULL ? arg : "");
}

/* True if s names a regular file (not a number: "port 80" beside a file "80" stays a filter). */
static bool
names_file(const char *s)
{
    struct stat sb;

    if (s[strspn(s, "0123456789")] == '\0')
        return false;
    return stat(s, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Case-insensitive, '_' = '-': "CLOSE_WAIT" and "close-wait" are one word. */
static bool
word_is(const char *w, const char *name)
{
    for (; *w != '\0' && *name != '\0'; w++, name++) {
        char a = *w == '_' ? '-' : (char)(*w >= 'A' && *w <= 'Z' ? *w - 'A' + 'a' : *w);

        if (a != *name)
            return false;
    }
    return *w == '\0' && *name == '\0';
}

/*
 * The trailing expression is a BPF filter. Mistakes that would otherwise
 * reach pcap_compile() (which may even look the word up as a host name)
 * are caught here with what to type instead: a capture file given without
 * -r, ss's "state NAME", a stuck kind meant for --stuck=KIND.
 */
static int
check_expression(const struct options *o, int argc, char **argv, int from, char *err)
{
    static const char *const kinds[] = {"close-wait", "half-open", "syn-unanswered",
                                        "zero-window"};
    size_t k;
    int i;

    if ((word_is(argv[from], "state") || word_is(argv[from], "exclude")) && from + 1 < argc) {
        if (word_is(argv[from], "exclude"))
            errbuf_printf(err,
                          "'%s %s' is ss syntax; the expression is a BPF filter: use --state "
                          "'!%s'",
                          argv[from], argv[from + 1], argv[from + 1]);
        else
            errbuf_printf(err,
                          "'%s %s' is ss syntax; the expression is a BPF filter: use --state %s",
                          argv[from], argv[from + 1], argv[from + 1]);
        return -1;
    }
    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        if (word_is(argv[from], kinds[k])) {
            errbuf_printf(err,
                          "'%s' is not a BPF filter: to select stuck connections use "
                          "--stuck=%s (with '=')",
                          argv[from], argv[from]);
            return -1;
        }
    }
    /* a lone state name ("established") would be taken for a host name */
    if (from + 1 == argc) {
        struct report_select scratch;
        char serr[ERRBUF_SIZE];

        report_select_init(&scratch);
        if (report_select_add_states(&scratch, argv[from], serr) == 0) {
            errbuf_printf(err, "'%s' is a TCP state, not a BPF filter: use --state %s",
                          argv[from], argv[from]);
            return -1;
        }
    }
    for (i = from; i < argc; i++) {
        if (!names_file(argv[i]))
            continue;
        if (o->n_read > 0)
            errbuf_printf(err, "'%s' is a file, not a filter: give -r before each file (-r %s)",
                          argv[i], argv[i]);
        else
            errbuf_printf(err, "'%s' is a file, not a filter: read it with -r %s", argv[i],
                          argv[i]);
        return -1;
    }
    return 0;
}

/*
 * --merge-stats FILE...: the operands are EVE files, not a filter, and
 * nothing that reads or writes packets goes with it.
 */
static enum cli_result
merge_stats_args(struct options *o, int argc, char **argv, int from, char *err)
{
    if (o->n_read > 0 || o->iface != NULL || o->filter != NULL || o->write_file != NULL ||
        o->shard_count != 0 || o->tui) {
        errbuf_printf(err, "--merge-stats reads EVE files, not packets: it takes no -r, -i, -f, "
                           "-w, --shard or --tui");
        return CLI_ERROR;
    }
    if (o->format_set && o->format != REPORT_EVE) {
        errbuf_printf(err, "--merge-stats reads and writes EVE only (-T eve)");
        return CLI_ERROR;
    }
    if (from >= argc) {
        errbuf_printf(err, "--merge-stats needs the EVE output files of the N shards");
        return CLI_ERROR;
    }
    o->n_merge = (size_t)(argc - from);
    o->merge_files = xreallocarray(NULL, o->n_merge, sizeof(*o->merge_files));
    for (size_t i = 0; i < o->n_merge; i++)
        o->merge_files[i] = argv[from + (int)i];
    return CLI_OK;
}

enum cli_result
cli_parse(int argc, char **argv, struct options *o, FILE *out, char *err)
{
    uint64_t v;
    int ch;

    options_default(o);
    optind = 0; /* glibc: 0 also forgets a half-read cluster ("-nx") of an earlier call */
    opterr = 0;
    bool speed_set = false;

    /* '+': options end at the first non-option (the filter); ':': tell a missing argument apart */
    while ((ch = getopt_long(argc, argv, "+:r:i:f:c:T:o:w:Z:s:B:pDlnqvhV", long_opts, NULL)) !=
           -1) {
        switch (ch) {
        case OPT_WORKERS:
            if (strcmp(optarg, "auto") == 0) {
                long n = sysconf(_SC_NPROCESSORS_ONLN);

                o->workers = n < 1 ? 1u : n > CLI_MAX_WORKERS ? CLI_MAX_WORKERS : (unsigned)n;
            } else if (parse_count(optarg, 1, CLI_MAX_WORKERS, &v) < 0) {
                errbuf_printf(err, "invalid worker count '%s' (1..%u or auto)", optarg,
                              CLI_MAX_WORKERS);
                return CLI_ERROR;
            } else {
                o->workers = (unsigned)v;
            }
            break;
        case OPT_SHARD:
            if (parse_shard(optarg, o, err) < 0)
                return CLI_ERROR;
            break;
        case OPT_MERGE_STATS:
            o->merge_stats = true;
            break;
        case OPT_METRICS_LISTEN: {
            char host[256];
            unsigned port;

            if (metrics_listen_parse(optarg, host, sizeof(host), &port, err) != 0)
                return CLI_ERROR;
            o->metrics_listen = optarg;
            break;
        }
        case OPT_METRICS_FILE:
            if (*optarg == '\0') {
                errbuf_printf(err, "--metrics-file needs a path");
                return CLI_ERROR;
            }
            o->metrics_file = optarg;
            break;
        case OPT_METRICS_INTERVAL:
            if (parse_seconds(optarg, &o->metrics_interval_ns) < 0 ||
                o->metrics_interval_ns < NS_PER_SEC / 10) {
                errbuf_printf(err, "invalid --metrics-interval '%s' (at least 0.1 s)", optarg);
                return CLI_ERROR;
            }
            break;
        case OPT_METRICS_TOP:
            if (parse_count(optarg, 1, 10000, &v) < 0) {
                errbuf_printf(err, "invalid --metrics-top-servers '%s' (1..10000)", optarg);
                return CLI_ERROR;
            }
            o->metrics_top_servers = (unsigned)v;
            break;
        case 'r':
            o->read_files = xreallocarray(o->read_files, o->n_read + 1, sizeof(*o->read_files));
            o->read_files[o->n_read++] = optarg;
            break;
        case 'i':
            o->iface = optarg;
            break;
        case 'f':
            free(o->filter);
            o->filter = xstrdup(optarg);
            break;
        case 'c':
            if (parse_count(optarg, 1, UINT64_MAX, &o->count) < 0) {
                errbuf_printf(err, "invalid packet count '%s'", optarg);
                return CLI_ERROR;
            }
            break;
        case 'T':
            if (strcmp(optarg, "text") == 0) {
                o->format = REPORT_TEXT;
            } else if (strcmp(optarg, "eve") == 0 || strcmp(optarg, "json") == 0) {
                o->format = REPORT_EVE;
            } else if (strcmp(optarg, "zeek") == 0) {
                o->format = REPORT_ZEEK;
            } else {
                errbuf_printf(err, "unknown format '%s' (text, eve, zeek)", optarg);
                return CLI_ERROR;
            }
            o->format_set = true;
            break;
        case OPT_JSON:
            o->format = REPORT_EVE;
            o->format_set = true;
            break;
        case 'o':
            o->output = optarg;
            o->redis = redis_url_is(optarg);
            if (o->redis && redis_url_parse(optarg, &o->redis_url, err) != 0)
                return CLI_ERROR;
            break;
        case 'w':
            o->write_file = optarg;
            break;
        case 'Z':
            if (*optarg == '\0') {
                errbuf_printf(err, "-Z needs a user name");
                return CLI_ERROR;
            }
            o->user = optarg;
            break;
        case 's':
            if (parse_count(optarg, 0, 262144, &v) < 0) {
                errbuf_printf(err, "invalid snapshot length '%s' (0..262144; 0 = 262144)", optarg);
                return CLI_ERROR;
            }
            o->snaplen = v == 0 ? 262144 : (int)v; /* 0: whole packets, as in tcpdump */
            break;
        case 'B':
            /* KiB as in tcpdump (-B 4096 = 4 MiB); a K/M/G suffix names its unit */
            if (cli_parse_size(optarg, &v) < 0 || v == 0 ||
                (optarg[strlen(optarg) - 1] >= '0' && optarg[strlen(optarg) - 1] <= '9' &&
                 v > (uint64_t)INT32_MAX / 1024) ||
                v > (uint64_t)INT32_MAX) {
                errbuf_printf(err, "invalid buffer size '%s'", optarg);
                return CLI_ERROR;
            }
            if (optarg[strlen(optarg) - 1] >= '0' && optarg[strlen(optarg) - 1] <= '9')
                v *= 1024;
            o->buffer_size = (int)v;
            break;
        case 'p':
            o->promisc = false;
            break;
        case OPT_IMMEDIATE:
            o->immediate = true;
            break;
        case 'D':
            o->list_devices = true;
            break;
        case 'l':
            o->line_buffered = true;
            break;
        case OPT_MAX_FLOWS:
            if (parse_count(optarg, 1, (uint64_t)1 << 32, &v) < 0) {
                errbuf_printf(err, "invalid --max-flows '%s'", optarg);
                return CLI_ERROR;
            }
            o->max_flows = (size_t)v;
            break;
        case OPT_MEMCAP:
            if (cli_parse_size(optarg, &v) < 0 || v == 0) {
                errbuf_printf(err, "invalid --memcap '%s'", optarg);
                return CLI_ERROR;
            }
            o->memcap = (size_t)v;
            break;
        case OPT_TIMEOUT:
            if (parse_timeout(optarg, o) < 0) {
                errbuf_printf(err,
                              "invalid --timeout '%s' (CLASS=SECONDS, CLASS one of new, "
                              "established, closing, closed)",
                              optarg);
                return CLI_ERROR;
            }
            break;
        case OPT_MSL:
            if (parse_seconds(optarg, &o->msl_ns) < 0) {
                errbuf_printf(err, "invalid --msl '%s'", optarg);
                return CLI_ERROR;
            }
            break;
        case OPT_STUCK_AFTER:
            if (parse_seconds(optarg, &o->stuck_after_ns) < 0 || o->stuck_after_ns == 0) {
                errbuf_printf(err, "invalid --stuck-after '%s'", optarg);
                return CLI_ERROR;
            }
            break;
        case OPT_UPDATE_INTERVAL:
            if (parse_seconds(optarg, &o->update_interval_ns) < 0) {
                errbuf_printf(err, "invalid --update-interval '%s'", optarg);
                return CLI_ERROR;
            }
            break;
        case OPT_STATS_INTERVAL:
            if (parse_seconds(optarg, &o->stats_interval_ns) < 0) {
                errbuf_printf(err, "invalid --stats-interval '%s'", optarg);
                return CLI_ERROR;
            }
            break;
        case OPT_NO_CHECKSUMS:
            o->verify_checksums = false;
            break;
        case OPT_FLOWS_ONLY:
            o->flows_only = true;
            break;
        case OPT_NO_SECCOMP:
            o->seccomp = false;
            break;
        case OPT_TUI:
            o->tui = true;
            break;
        case OPT_SPEED: {
            char *end;

            speed_set = true;
            errno = 0;
            o->replay_speed = strtod(optarg, &end);
            if (errno != 0 || end == optarg || *end != '\0' || !isfinite(o->replay_speed) ||
                o->replay_speed < 0 || o->replay_speed > 1e6) {
                errbuf_printf(err, "invalid --speed '%s'", optarg);
                return CLI_ERROR;
            }
            break;
        }
        case OPT_STATE:
            if (report_select_add_states(&o->select, optarg, err) != 0)
                return CLI_ERROR;
            break;
        case OPT_STUCK:
            if (report_select_add_stuck(&o->select, optarg, err) != 0)
                return CLI_ERROR;
            break;
        case OPT_HALF_OPEN:
            if (report_select_add_stuck(&o->select, "half_open", err) != 0)
                return CLI_ERROR;
            break;
        case 'n':
            /* tcpdump's -n/-nn: flowstate never resolves names, so there is nothing to turn off */
            break;
        case 'q':
            o->quiet = true;
            break;
        case OPT_TUI_ROWS:
            if (parse_count(optarg, 1, (uint64_t)1 << 32, &v) < 0) {
                errbuf_printf(err, "invalid --tui-rows '%s'", optarg);
                return CLI_ERROR;
            }
            o->tui_rows = (size_t)v;
            break;
        case 'v':
            o->verbose++;
            break;
        case 'h':
            cli_usage(out);
            return CLI_EXIT_SUCCESS;
        case 'V':
            fprintf(out, "flowstate %s\n", PACKAGE_VERSION);
            return CLI_EXIT_SUCCESS;
        case ':':
            option_problem(argv[optind - 1], optopt, true, err);
            return CLI_ERROR;
        case '?':
        default:
            option_problem(argv[optind - 1], optopt, false, err);
            return CLI_ERROR;
        }
    }
    if (o->merge_stats)
        return merge_stats_args(o, argc, argv, optind, err);
    if (optind < argc) {
        if (check_expression(o, argc, argv, optind, err) != 0)
            return CLI_ERROR;
        if (o->filter != NULL) {
            errbuf_printf(err, "give the filter either with -f or as an expression, not both");
            return CLI_ERROR;
        }
        o->filter = join_args(argc, argv, optind);
    }
    if (o->flows_only && report_select_active(&o->select)) {
        errbuf_printf(err, "--%s needs the TCP state machine, which --flows-only turns off",
                      o->select.by_state ? "state" : "stuck");
        return CLI_ERROR;
    }
    if (speed_set && !o->tui) {
        errbuf_printf(err, "--speed paces the interactive view: add --tui (with -r)");
        return CLI_ERROR;
    }
    if (speed_set && o->iface != NULL) {
        errbuf_printf(err, "--speed replays files (-r); a live capture runs at its own pace");
        return CLI_ERROR;
    }
    if (o->n_read > 0 && o->iface != NULL) {
        errbuf_printf(err, "-r and -i cannot be combined");
        return CLI_ERROR;
    }
    if (o->metrics_listen != NULL && o->n_read > 0) {
        errbuf_printf(err, "--metrics-listen serves a live capture (-i); with -r use "
                           "--metrics-file");
        return CLI_ERROR;
    }
    if (o->redis && o->format_set && o->format != REPORT_EVE) {
        errbuf_printf(err, "-o redis:// carries EVE records: use -T eve (or no -T)");
        return CLI_ERROR;
    }
    if (o->redis && o->tui) {
        errbuf_printf(err, "--tui draws on the terminal: it cannot be combined with -o redis://");
        return CLI_ERROR;
    }
    if (o->redis)
        o->format = REPORT_EVE;
    if (o->write_file != NULL && strcmp(o->write_file, "-") == 0 && o->output == NULL) {
        errbuf_printf(err, "-w - (packets to standard output) needs -o for the records");
        return CLI_ERROR;
    }
    if (o->write_file != NULL && o->output != NULL && strcmp(o->write_file, o->output) == 0) {
        errbuf_printf(err, "-w and -o name the same file '%s'", o->output);
        return CLI_ERROR;
    }
    return CLI_OK;
}

void
cli_options_fini(struct options *o)
{
    free(o->read_files);
    free(o->filter);
    free(o->merge_files);
    o->merge_files = NULL;
    o->read_files = NULL;
    o->filter = NULL;
}
