/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the command-line parser (src/cli.c). */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util/log.h"

#define NS 1000000000ULL

/* getopt wants writable argv: parse a private copy (kept alive for the options' pointers). */
static char *argv_copy[16];

static enum cli_result
parse(struct options *o, char *err, int argc, const char *const *argv)
{
    FILE *out = fopen("/dev/null", "w");
    enum cli_result r;
    int i;

    ck_assert_ptr_nonnull(out);
    ck_assert_int_lt(argc, 16);
    for (i = 0; i < argc; i++) {
        free(argv_copy[i]);
        argv_copy[i] = strdup(argv[i]);
    }
    r = cli_parse(argc, argv_copy, o, out, err);
    fclose(out);
    return r;
}

START_TEST(test_defaults_are_text_output_and_documented_timeouts)
{
    const char *argv[] = {"flowstate", "-r", "x.pcap"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 3, argv), CLI_OK);
    ck_assert_int_eq(o.format, REPORT_TEXT);
    ck_assert_uint_eq(o.n_read, 1);
    ck_assert_str_eq(o.read_files[0], "x.pcap");
    ck_assert_uint_eq(o.timeout_ns[0], 60 * NS);
    ck_assert_uint_eq(o.timeout_ns[1], 3600 * NS);
    ck_assert_uint_eq(o.msl_ns, 30 * NS);
    ck_assert_uint_eq(o.stuck_after_ns, 10 * NS);
    ck_assert_uint_eq(o.stats_interval_ns, 8 * NS); /* Suricata's stats interval */
    ck_assert(o.verify_checksums);
    ck_assert(o.promisc);
    ck_assert_ptr_null(o.filter);
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_repeated_read_keeps_order_and_trailing_expression_is_filter)
{
    const char *argv[] = {"flowstate", "-r", "a.pcap", "-r", "b.pcap", "tcp", "port", "80"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 8, argv), CLI_OK);
    ck_assert_uint_eq(o.n_read, 2);
    ck_assert_str_eq(o.read_files[1], "b.pcap");
    ck_assert_str_eq(o.filter, "tcp port 80");
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_json_alias_selects_eve)
{
    const char *argv[] = {"flowstate", "--json", "-r", "-"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 4, argv), CLI_OK);
    ck_assert_int_eq(o.format, REPORT_EVE);
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_filter_twice_is_rejected)
{
    const char *argv[] = {"flowstate", "-f", "tcp", "-r", "a", "udp"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 6, argv), CLI_ERROR);
    ck_assert_ptr_nonnull(strstr(err, "filter"));
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_bad_values_are_rejected_with_a_message)
{
    static const char *const bad[][3] = {
        {"flowstate", "-T", "xml"},           {"flowstate", "-c", "0"},
        {"flowstate", "-c", "-5"},            {"flowstate", "--timeout", "new"},
        {"flowstate", "--timeout", "old=5"},  {"flowstate", "--timeout", "new=abc"},
        {"flowstate", "--stuck-after", "0"},  {"flowstate", "--msl", "-1"},
        {"flowstate", "-B", "12Q"},           {"flowstate", "-s", "300000"},
        {"flowstate", "--max-flows", "0"},    {"flowstate", "--memcap", "0"},
    };
    static const char *const bad_intervals[][3] = {
        {"flowstate", "--stats-interval", "-1"},
        {"flowstate", "--stats-interval", "8s"},
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct options o;
        char err[ERRBUF_SIZE] = "";

        ck_assert_msg(parse(&o, err, 3, bad[i]) == CLI_ERROR, "accepted %s %s",
                      bad[i][1], bad[i][2]);
        ck_assert_msg(err[0] != '\0', "no message for %s %s", bad[i][1], bad[i][2]);
        cli_options_fini(&o);
    }
    for (i = 0; i < sizeof(bad_intervals) / sizeof(bad_intervals[0]); i++) {
        struct options o;
        char err[ERRBUF_SIZE] = "";

        ck_assert_int_eq(parse(&o, err, 3, bad_intervals[i]), CLI_ERROR);
        ck_assert_str_eq(err, bad_intervals[i][2][0] == '-' ? "invalid --stats-interval '-1'"
                                                            : "invalid --stats-interval '8s'");
        cli_options_fini(&o);
    }
}
END_TEST

START_TEST(test_timeouts_and_seconds_accept_fractions)
{
    const char *argv[] = {"flowstate", "--timeout", "closing=1.5", "--stuck-after",
                          "0.25",      "--msl",     "0",           "--stats-interval",
                          "0"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 9, argv), CLI_OK);
    ck_assert_uint_eq(o.stats_interval_ns, 0); /* the final stats record only */
    ck_assert_uint_eq(o.timeout_ns[2], 1500000000ULL);
    ck_assert_uint_eq(o.stuck_after_ns, 250000000ULL);
    ck_assert_uint_eq(o.msl_ns, 0);
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_size_suffixes)
{
    uint64_t v;

    ck_assert_int_eq(cli_parse_size("64K", &v), 0);
    ck_assert_uint_eq(v, 65536);
    ck_assert_int_eq(cli_parse_size("8m", &v), 0);
    ck_assert_uint_eq(v, 8ULL << 20);
    ck_assert_int_eq(cli_parse_size("2G", &v), 0);
    ck_assert_uint_eq(v, 2ULL << 30);
    ck_assert_int_eq(cli_parse_size("", &v), -1);
    ck_assert_int_eq(cli_parse_size("1KB", &v), -1);
    ck_assert_int_eq(cli_parse_size("99999999999999999999G", &v), -1);
}
END_TEST

/* -B counts KiB as in tcpdump unless a suffix names the unit; -s 0 = whole packets. */
START_TEST(test_buffer_kib_and_snaplen_zero)
{
    struct options o;
    char err[ERRBUF_SIZE] = "";
    const char *kib[] = {"flowstate", "-i", "lo", "-B", "4096"};
    const char *mib[] = {"flowstate", "-i", "lo", "-B", "64M", "-s", "0"};
    const char *big[] = {"flowstate", "-i", "lo", "-B", "2097152"};
    const char *dflt[] = {"flowstate", "-i", "lo"};

    ck_assert_int_eq(parse(&o, err, 5, kib), CLI_OK);
    ck_assert_int_eq(o.buffer_size, 4 << 20);
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 7, mib), CLI_OK);
    ck_assert_int_eq(o.buffer_size, 64 << 20);
    ck_assert_int_eq(o.snaplen, 262144);
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 5, big), CLI_ERROR); /* 2 GiB does not fit the ring size */
    ck_assert_ptr_nonnull(strstr(err, "invalid buffer size"));
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 3, dflt), CLI_OK);
    ck_assert_int_eq(o.buffer_size, 0); /* the capture's default: 128 MiB in total */
    ck_assert_int_eq(o.snaplen, 0);     /* the capture's default: 384 */
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_read_and_interface_together_are_rejected)
{
    const char *argv[] = {"flowstate", "-r", "a.pcap", "-i", "lo"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 5, argv), CLI_ERROR);
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_help_and_version_exit_successfully)
{
    const char *h[] = {"flowstate", "--help"};
    const char *v[] = {"flowstate", "-V"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 2, h), CLI_EXIT_SUCCESS);
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 2, v), CLI_EXIT_SUCCESS);
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_tcpdump_habits_are_accepted)
{
    const char *argv[] = {"flowstate", "-nn", "-nqr", "x.pcap", "-s", "0", "-n"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_msg(parse(&o, err, 7, argv) == CLI_OK, "%s", err);
    ck_assert_uint_eq(o.n_read, 1);
    ck_assert_str_eq(o.read_files[0], "x.pcap");
    ck_assert(o.quiet);
    ck_assert_int_eq(o.snaplen, 262144); /* -s 0 = whole packets, as in tcpdump */
    ck_assert_ptr_null(o.filter);
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_quiet_is_off_by_default_and_has_a_long_name)
{
    const char *a[] = {"flowstate", "-r", "x"};
    const char *b[] = {"flowstate", "--quiet", "-r", "x"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 3, a), CLI_OK);
    ck_assert(!o.quiet);
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 4, b), CLI_OK);
    ck_assert(o.quiet);
    cli_options_fini(&o);
}
END_TEST

/* each getopt failure gets its own sentence, naming the option as it was typed */
START_TEST(test_usage_errors_say_what_is_wrong)
{
    static const struct {
        const char *argv[4];
        int argc;
        const char *msg;
    } cases[] = {
        {{"flowstate", "-x"}, 2, "unknown option -x"},
        {{"flowstate", "-nx"}, 2, "unknown option -x"},
        {{"flowstate", "--bogus"}, 2, "unknown option '--bogus'"},
        {{"flowstate", "--bogus=3"}, 2, "unknown option '--bogus'"},
        {{"flowstate", "-r"}, 2, "option -r needs an argument"},
        {{"flowstate", "--read"}, 2, "option --read needs an argument"},
        {{"flowstate", "--json=1"}, 2, "option --json takes no argument"},
        {{"flowstate", "--verbose=2"}, 2, "option --verbose takes no argument"},
        {{"flowstate", "--m"}, 2, "ambiguous option '--m' (8 options start so)"},
        {{"flowstate", "-s", "-1"}, 3, "invalid snapshot length '-1' (0..262144; 0 = 262144)"},
        {{"flowstate", "--speed", "2", "-r"}, 4, "option -r needs an argument"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct options o;
        char err[ERRBUF_SIZE] = "";

        ck_assert_msg(parse(&o, err, cases[i].argc, cases[i].argv) == CLI_ERROR, "case %zu: %s", i,
                      err);
        ck_assert_str_eq(err, cases[i].msg);
        cli_options_fini(&o);
    }
}
END_TEST

START_TEST(test_speed_without_tui_or_with_a_live_capture_is_refused)
{
    const char *a[] = {"flowstate", "--speed", "2", "-r", "x"};
    const char *b[] = {"flowstate", "--tui", "--speed", "2", "-i", "lo"};
    const char *c[] = {"flowstate", "--tui", "--speed", "2", "-r", "x"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 5, a), CLI_ERROR);
    ck_assert_ptr_nonnull(strstr(err, "--tui"));
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 6, b), CLI_ERROR);
    ck_assert_ptr_nonnull(strstr(err, "-r"));
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 6, c), CLI_OK);
    ck_assert(o.replay_speed == 2.0);
    cli_options_fini(&o);
}
END_TEST

/* a capture file (any existing regular file) in the expression: say "-r", never hand it to BPF */
START_TEST(test_a_file_in_the_expression_suggests_r)
{
    char path[] = "/tmp/check_cli_XXXXXX";
    int fd = mkstemp(path);
    const char *with_r[] = {"flowstate", "-r", "a.pcap", path};
    const char *alone[] = {"flowstate", path};
    const char *number[] = {"flowstate", "-r", "a.pcap", "port", "80"};
    struct options o;
    char err[ERRBUF_SIZE] = "", want[ERRBUF_SIZE];

    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(parse(&o, err, 4, with_r), CLI_ERROR);
    snprintf(want, sizeof(want), "'%s' is a file, not a filter: give -r before each file (-r %s)",
             path, path);
    ck_assert_str_eq(err, want);
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 2, alone), CLI_ERROR);
    snprintf(want, sizeof(want), "'%s' is a file, not a filter: read it with -r %s", path, path);
    ck_assert_str_eq(err, want);
    cli_options_fini(&o);
    unlink(path);
    /* plain numbers stay filter words even if a file of that name exists */
    ck_assert_int_eq(parse(&o, err, 5, number), CLI_OK);
    ck_assert_str_eq(o.filter, "port 80");
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_ss_state_syntax_in_the_expression_points_to_state)
{
    const char *a[] = {"flowstate", "-r", "x", "state", "close-wait"};
    const char *b[] = {"flowstate", "-r", "x", "exclude", "established"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 5, a), CLI_ERROR);
    ck_assert_str_eq(err, "'state close-wait' is ss syntax; the expression is a BPF filter: use "
                          "--state close-wait");
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 5, b), CLI_ERROR);
    ck_assert_str_eq(err, "'exclude established' is ss syntax; the expression is a BPF filter: "
                          "use --state '!established'");
    cli_options_fini(&o);
}
END_TEST

/* ---- --state / --stuck / --half-open ------------------------------------------------ */

static uint16_t
states_of(const char *spec, int end)
{
    struct report_select sel;
    char err[ERRBUF_SIZE] = "";

    report_select_init(&sel);
    ck_assert_msg(report_select_add_states(&sel, spec, err) == 0, "%s: %s", spec, err);
    return report_select_states(&sel, end);
}

/* every TCP-STATES name of ss --help is one RFC 9293 state, in ss's or RFC spelling */
START_TEST(test_state_names_are_ss_names_and_rfc_names)
{
    static const struct {
        const char *ss, *rfc;
        enum tcp_state_id st;
    } names[] = {
        {"established", "ESTABLISHED", TCP_ST_ESTABLISHED},
        {"syn-sent", "SYN_SENT", TCP_ST_SYN_SENT},
        {"syn-recv", "SYN_RECEIVED", TCP_ST_SYN_RECEIVED},
        {"fin-wait-1", "FIN_WAIT_1", TCP_ST_FIN_WAIT_1},
        {"fin-wait-2", "FIN_WAIT_2", TCP_ST_FIN_WAIT_2},
        {"time-wait", "TIME_WAIT", TCP_ST_TIME_WAIT},
        {"closed", "CLOSED", TCP_ST_CLOSED},
        {"close-wait", "CLOSE_WAIT", TCP_ST_CLOSE_WAIT},
        {"last-ack", "LAST_ACK", TCP_ST_LAST_ACK},
        {"closing", "CLOSING", TCP_ST_CLOSING},
        {"none", "NONE", TCP_ST_NONE},
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        ck_assert_uint_eq(states_of(names[i].ss, REPORT_SELECT_CLIENT), 1u << names[i].st);
        ck_assert_uint_eq(states_of(names[i].ss, REPORT_SELECT_SERVER), 1u << names[i].st);
        ck_assert_uint_eq(states_of(names[i].rfc, REPORT_SELECT_CLIENT), 1u << names[i].st);
        /* the table prints RFC names; tcp_state_ss_name() gives ss's: both round-trip */
        ck_assert_uint_eq(states_of(tcp_state_name(names[i].st), 0), 1u << names[i].st);
        ck_assert_uint_eq(states_of(tcp_state_ss_name(names[i].st), 0), 1u << names[i].st);
    }
    ck_assert_uint_eq(states_of("estab", 0), 1u << TCP_ST_ESTABLISHED);
    ck_assert_uint_eq(states_of("syn-received", 0), 1u << TCP_ST_SYN_RECEIVED);
}
END_TEST

/* the groups are exactly the lists ss --help prints (listening left out: refused below) */
START_TEST(test_state_groups_are_ss_groups)
{
    static const struct {
        const char *group, *members;
    } groups[] = {
        {"connected", "established,syn-sent,syn-recv,fin-wait-1,fin-wait-2,time-wait,"
                      "close-wait,last-ack,closing"},
        {"synchronized", "established,syn-recv,fin-wait-1,fin-wait-2,time-wait,close-wait,"
                         "last-ack,closing"},
        {"bucket", "syn-recv,time-wait"},
        {"big", "established,syn-sent,fin-wait-1,fin-wait-2,closed,close-wait,last-ack,closing"},
        {"all", "none,established,syn-sent,syn-recv,fin-wait-1,fin-wait-2,time-wait,closed,"
                "close-wait,last-ack,closing"},
    };
    size_t i;

    for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        ck_assert_uint_eq(states_of(groups[i].group, REPORT_SELECT_CLIENT),
                          states_of(groups[i].members, REPORT_SELECT_CLIENT));
        ck_assert_uint_eq(states_of(groups[i].group, REPORT_SELECT_SERVER),
                          states_of(groups[i].members, REPORT_SELECT_SERVER));
    }
    ck_assert_uint_eq(states_of("all", 0), (1u << TCP_ST_COUNT) - 1u);
}
END_TEST

START_TEST(test_state_negation_and_end_prefixes)
{
    const uint16_t all = (uint16_t)((1u << TCP_ST_COUNT) - 1u);
    const uint16_t est = 1u << TCP_ST_ESTABLISHED, cw = 1u << TCP_ST_CLOSE_WAIT;

    /* only negated names: everything else */
    ck_assert_uint_eq(states_of("!established", 0), all & ~est);
    ck_assert_uint_eq(states_of("!established", 1), all & ~est);
    ck_assert_uint_eq(states_of("connected,!established", 0),
                      states_of("connected", 0) & ~est);
    /* a prefix restricts a name to one end; the other end matches nothing */
    ck_assert_uint_eq(states_of("client:close-wait", REPORT_SELECT_CLIENT), cw);
    ck_assert_uint_eq(states_of("client:close-wait", REPORT_SELECT_SERVER), 0);
    ck_assert_uint_eq(states_of("server:close_wait", REPORT_SELECT_SERVER), cw);
    ck_assert_uint_eq(states_of("server:close_wait", REPORT_SELECT_CLIENT), 0);
    /* '!' before or after the prefix, blanks around terms, any case */
    ck_assert_uint_eq(states_of("!server:closed", 1), states_of("server:!closed", 1));
    ck_assert_uint_eq(states_of("!server:closed", 0), 0);
    ck_assert_uint_eq(states_of(" Close-Wait , LAST_ACK ", 0),
                      cw | (1u << TCP_ST_LAST_ACK));
}
END_TEST

START_TEST(test_state_mistakes_are_refused_with_a_message)
{
    static const char *const bad[][2] = {
        {"listening", "means nothing on the wire"},
        {"listen", "means nothing on the wire"},
        {"established,listening", "listening"},
        {"estabished", "unknown state 'estabished'"},
        {"", "empty state name"},
        {"established,", "empty state name"},
        {"client:", "empty state name"},
        {"peer:established", "unknown state 'peer:established'"},
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *argv[] = {"flowstate", "--state", bad[i][0], "-r", "x"};
        struct options o;
        char err[ERRBUF_SIZE] = "";

        ck_assert_msg(parse(&o, err, 5, argv) == CLI_ERROR, "accepted '%s'", bad[i][0]);
        ck_assert_msg(strstr(err, bad[i][1]) != NULL, "'%s': %s", bad[i][0], err);
        ck_assert_msg(strncmp(err, "--state: ", 9) == 0, "%s", err);
        cli_options_fini(&o);
    }
}
END_TEST

START_TEST(test_state_options_accumulate_and_stuck_kinds_parse)
{
    const char *argv[] = {"flowstate",     "--state", "close-wait",   "--state",
                          "server:syn-recv", "--stuck=close_wait,zero-window", "--half-open",
                          "-r",            "x"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_msg(parse(&o, err, 9, argv) == CLI_OK, "%s", err);
    ck_assert(report_select_active(&o.select));
    ck_assert_uint_eq(report_select_states(&o.select, 0), 1u << TCP_ST_CLOSE_WAIT);
    ck_assert_uint_eq(report_select_states(&o.select, 1),
                      (1u << TCP_ST_CLOSE_WAIT) | (1u << TCP_ST_SYN_RECEIVED));
    ck_assert_uint_eq(o.select.stuck, (1u << TCP_STUCK_CLOSE_WAIT) |
                                          (1u << TCP_STUCK_ZERO_WINDOW) |
                                          (1u << TCP_STUCK_HALF_OPEN));
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_bare_stuck_means_every_kind_and_bad_kinds_are_refused)
{
    const char *any[] = {"flowstate", "--stuck", "-r", "x"};
    const char *bad[] = {"flowstate", "--stuck=close", "-r", "x"};
    const char *empty[] = {"flowstate", "--stuck=", "-r", "x"};
    const char *space[] = {"flowstate", "-r", "x", "--stuck", "close_wait"};
    const char *flows[] = {"flowstate", "--flows-only", "--half-open", "-r", "x"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 4, any), CLI_OK);
    ck_assert_uint_eq(o.select.stuck, 0x1e); /* kinds 1..4 */
    ck_assert(!o.select.by_state);
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 4, bad), CLI_ERROR);
    ck_assert_ptr_nonnull(strstr(err, "unknown kind 'close'"));
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 4, empty), CLI_ERROR);
    cli_options_fini(&o);
    /* "--stuck close_wait": the kind would become a BPF host name; say "=" */
    ck_assert_int_eq(parse(&o, err, 5, space), CLI_ERROR);
    ck_assert_str_eq(err, "'close_wait' is not a BPF filter: to select stuck connections use "
                          "--stuck=close_wait (with '=')");
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 5, flows), CLI_ERROR);
    ck_assert_ptr_nonnull(strstr(err, "--flows-only"));
    cli_options_fini(&o);
}
END_TEST

START_TEST(test_a_lone_state_word_in_the_expression_points_to_state)
{
    const char *a[] = {"flowstate", "-r", "x", "established"};
    const char *b[] = {"flowstate", "-r", "x", "tcp", "port", "80"};
    struct options o;
    char err[ERRBUF_SIZE] = "";

    ck_assert_int_eq(parse(&o, err, 4, a), CLI_ERROR);
    ck_assert_str_eq(err, "'established' is a TCP state, not a BPF filter: use --state established");
    cli_options_fini(&o);
    ck_assert_int_eq(parse(&o, err, 6, b), CLI_OK);
    cli_options_fini(&o);
}
END_TEST

static struct flow_record
rec(enum tcp_state_id c, enum tcp_state_id sv, enum tcp_stuck_kind k)
{
    struct flow_record r;

    memset(&r, 0, sizeof(r));
    r.has_session = true;
    r.s.client.state = (uint8_t)c;
    r.s.server.state = (uint8_t)sv;
    r.s.stuck = (uint8_t)k;
    return r;
}

/* either end matches; prefixes pin the end; --stuck and --state together must both match */
START_TEST(test_selection_matches_either_end_and_combines_with_and)
{
    struct report_select sel;
    char err[ERRBUF_SIZE];
    struct flow_record cw_srv = rec(TCP_ST_FIN_WAIT_2, TCP_ST_CLOSE_WAIT, TCP_STUCK_CLOSE_WAIT);
    struct flow_record est = rec(TCP_ST_ESTABLISHED, TCP_ST_ESTABLISHED, TCP_STUCK_NONE);
    struct flow_record flows = est;

    flows.has_session = false;
    report_select_init(&sel);
    ck_assert(report_select_match(&sel, &est)); /* no selection: everything */
    ck_assert(report_select_match(&sel, &flows));
    ck_assert_int_eq(report_select_add_states(&sel, "close-wait", err), 0);
    ck_assert(report_select_match(&sel, &cw_srv));
    ck_assert(!report_select_match(&sel, &est));
    ck_assert(!report_select_match(&sel, &flows));

    report_select_init(&sel);
    ck_assert_int_eq(report_select_add_states(&sel, "client:close-wait", err), 0);
    ck_assert(!report_select_match(&sel, &cw_srv)); /* the server is the one in CLOSE_WAIT */

    report_select_init(&sel);
    ck_assert_int_eq(report_select_add_states(&sel, "!established", err), 0);
    ck_assert(report_select_match(&sel, &cw_srv));
    ck_assert(!report_select_match(&sel, &est));

    report_select_init(&sel);
    ck_assert_int_eq(report_select_add_stuck(&sel, NULL, err), 0);
    ck_assert(report_select_match(&sel, &cw_srv));
    ck_assert(!report_select_match(&sel, &est));
    ck_assert_int_eq(report_select_add_states(&sel, "established", err), 0);
    ck_assert(!report_select_match(&sel, &cw_srv)); /* stuck, but no end ESTABLISHED */
}
END_TEST

START_TEST(test_shard_takes_k_of_n_and_defaults_to_none)
{
    static const struct {
        const char *arg;
        uint32_t k, n;
    } good[] = {{"0/1", 0, 1}, {"0/5", 0, 5}, {"4/5", 4, 5}, {"65535/65536", 65535, 65536},
                {"007/010", 7, 10}};
    const char *none[] = {"flowstate", "-r", "x.pcap"};
    struct options o;
    char err[ERRBUF_SIZE] = "";
    size_t i;

    ck_assert_int_eq(parse(&o, err, 3, none), CLI_OK);
    ck_assert_uint_eq(o.shard_count, 0);
    cli_options_fini(&o);
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const char *argv[] = {"flowstate", "--shard", good[i].arg};

        ck_assert_msg(parse(&o, err, 3, argv) == CLI_OK, "rejected %s: %s", good[i].arg, err);
        ck_assert_uint_eq(o.shard_index, good[i].k);
        ck_assert_uint_eq(o.shard_count, good[i].n);
        cli_options_fini(&o);
    }
}
END_TEST

/* Every malformed K/N is refused, each with a message that says what is wrong. */
START_TEST(test_bad_shards_are_rejected_with_the_reason)
{
    static const struct {
        const char *arg, *want;
    } bad[] = {
        {"3/3", "K must be 0..2"},       {"5/3", "K must be 0..2"},
        {"0/0", "N must be 1..65536"},   {"0/65537", "N must be 1..65536"},
        {"1", "K/N"},                    {"/3", "K/N"},
        {"1/", "K/N"},                   {"-1/3", "K/N"},
        {"1/-3", "K/N"},                 {"+1/3", "K/N"},
        {" 1/3", "K/N"},                 {"1/3 ", "K/N"},
        {"a/3", "K/N"},                  {"1/3/5", "K/N"},
        {"1.0/3", "K/N"},                {"", "K/N"},
        {"99999999999999999999999/3", "K/N"},
        {"0/99999999999999999999", "K/N"},
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *argv[] = {"flowstate", "--shard", bad[i].arg};
        struct options o;
        char err[ERRBUF_SIZE] = "";

        ck_assert_msg(parse(&o, err, 3, argv) == CLI_ERROR, "accepted '%s'", bad[i].arg);
        ck_assert_msg(strstr(err, bad[i].want) != NULL, "'%s': message '%s'", bad[i].arg, err);
        ck_assert_msg(strstr(err, "--shard") != NULL, "'%s': message '%s'", bad[i].arg, err);
        cli_options_fini(&o);
    }
}
END_TEST

START_TEST(test_merge_stats_takes_files_not_a_filter)
{
    const char *argv[] = {"flowstate", "--merge-stats", "-o", "all.json", "s0.json", "-"};
    static const char *const bad[][4] = {
        {"flowstate", "--merge-stats", NULL, NULL},
        {"flowstate", "--merge-stats", "-r", "x.pcap"},
        {"flowstate", "--shard", "0/2", "--merge-stats"},
        {"flowstate", "-T", "zeek", "--merge-stats"},
    };
    struct options o;
    char err[ERRBUF_SIZE] = "";
    size_t i;

    ck_assert_int_eq(parse(&o, err, 6, argv), CLI_OK);
    ck_assert(o.merge_stats);
    ck_assert_uint_eq(o.n_merge, 2);
    ck_assert_str_eq(o.merge_files[0], "s0.json");
    ck_assert_str_eq(o.merge_files[1], "-");
    ck_assert_str_eq(o.output, "all.json");
    ck_assert_ptr_null(o.filter);
    cli_options_fini(&o);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *a[] = {bad[i][0], bad[i][1], bad[i][2], bad[i][3], "s0.json"};
        int argc = bad[i][2] == NULL ? 2 : 5;

        ck_assert_msg(parse(&o, err, argc, a) == CLI_ERROR, "case %zu accepted", i);
        ck_assert_msg(strstr(err, "--merge-stats") != NULL, "case %zu: %s", i, err);
        cli_options_fini(&o);
    }
}
END_TEST

static Suite *
cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, test_defaults_are_text_output_and_documented_timeouts);
    tcase_add_test(tc, test_repeated_read_keeps_order_and_trailing_expression_is_filter);
    tcase_add_test(tc, test_json_alias_selects_eve);
    tcase_add_test(tc, test_filter_twice_is_rejected);
    tcase_add_test(tc, test_bad_values_are_rejected_with_a_message);
    tcase_add_test(tc, test_timeouts_and_seconds_accept_fractions);
    tcase_add_test(tc, test_size_suffixes);
    tcase_add_test(tc, test_buffer_kib_and_snaplen_zero);
    tcase_add_test(tc, test_read_and_interface_together_are_rejected);
    tcase_add_test(tc, test_help_and_version_exit_successfully);
    tcase_add_test(tc, test_tcpdump_habits_are_accepted);
    tcase_add_test(tc, test_quiet_is_off_by_default_and_has_a_long_name);
    tcase_add_test(tc, test_usage_errors_say_what_is_wrong);
    tcase_add_test(tc, test_speed_without_tui_or_with_a_live_capture_is_refused);
    tcase_add_test(tc, test_a_file_in_the_expression_suggests_r);
    tcase_add_test(tc, test_ss_state_syntax_in_the_expression_points_to_state);
    tcase_add_test(tc, test_state_names_are_ss_names_and_rfc_names);
    tcase_add_test(tc, test_state_groups_are_ss_groups);
    tcase_add_test(tc, test_state_negation_and_end_prefixes);
    tcase_add_test(tc, test_state_mistakes_are_refused_with_a_message);
    tcase_add_test(tc, test_state_options_accumulate_and_stuck_kinds_parse);
    tcase_add_test(tc, test_bare_stuck_means_every_kind_and_bad_kinds_are_refused);
    tcase_add_test(tc, test_a_lone_state_word_in_the_expression_points_to_state);
    tcase_add_test(tc, test_selection_matches_either_end_and_combines_with_and);
    tcase_add_test(tc, test_shard_takes_k_of_n_and_defaults_to_none);
    tcase_add_test(tc, test_bad_shards_are_rejected_with_the_reason);
    tcase_add_test(tc, test_merge_stats_takes_files_not_a_filter);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(cli_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
