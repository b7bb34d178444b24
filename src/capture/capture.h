/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_CAPTURE_H
#define FLOWSTATE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/stats.h"

/*
 * Capture engine: where packets come from. An opaque handle (like pcap_t)
 * over one live interface or one or more savefiles (pcap, pcapng; "-" is
 * stdin). Several files are merged into one stream in timestamp order (ties:
 * earlier file on the command line first), so a connection spanning rotated
 * files stays one connection. The BPF filter is compiled per link type and
 * applied here; filtered records are counted, never returned.
 */
struct capture;

/* One record. data is borrowed: valid until the next capture_next()/capture_close(). */
struct cap_packet {
    const uint8_t *data;
    uint32_t caplen;
    uint32_t wirelen;
    uint64_t ts_ns;      /* ns since the epoch, as recorded */
    int dlt;             /* link type of this record (pcapng: per interface) */
    uint32_t source;     /* index of the file (0..n-1) or 0 live */
};

#define CAP_END (-2)

struct capture_live_opts {
    const char *iface;    /* NULL: first suitable device (pcap_findalldevs) */
    int snaplen;          /* 0: CAP_DEFAULT_SNAPLEN (384, capture.c) */
    int buffer_size;      /* bytes in total over the handles, 0 = 128 MiB */
    bool promisc;         /* default true; -p clears */
    bool immediate;       /* --immediate-mode */
    int timeout_ms;       /* read timeout; default 100 */
    unsigned handles;     /* > 1: that many handles in one PACKET_FANOUT group (--workers) */
};

#define CAP_MAX_HANDLES 256

struct capture_stats {
    uint64_t records;     /* records read, filtered ones included */
    uint64_t filtered;    /* rejected by the BPF filter (files only; live filters in the kernel) */
    uint64_t files;       /* savefiles opened */
    uint64_t read_errors; /* files that ended in a read error (truncated record, bad block) */
    uint64_t ts_backwards;/* records whose timestamp went back within one source */
    uint64_t kernel_recv, kernel_drop, kernel_ifdrop; /* live: pcap_stats() */
    uint64_t isb_drops;   /* files: pcapng Interface Statistics Block drops (cap_ng_drops) */
};

/*
 * Opens savefiles. filter may be NULL. returns: owned, or NULL with err set
 * (unreadable file, bad header, bad filter). Precision is always ns.
 */
struct capture *capture_open_files(const char *const *paths, size_t n, const char *filter,
                                   char *err);

/* Opens a live interface (memory-mapped TPACKET ring via libpcap). returns: owned or NULL + err. */
struct capture *capture_open_live(const struct capture_live_opts *o, const char *filter,
                                  char *err);

/*
 * Next record: 1 = *p filled; 0 = nothing yet (live timeout); -1 = error
 * (message in capture_geterr(); for files the stream ends after it);
 * CAP_END = no more records. A read error in one of several files ends that
 * file only: the others continue, and -1 is returned once.
 */
int capture_next(struct capture *c, struct cap_packet *p);

/*
 * Live only: hands every record the kernel has ready (at most max if max >
 * 0), over all handles, to fn(arg, p) (p->data valid during the call),
 * waiting up to the read timeout when none is ready. returns the number of
 * records, 0 = timeout, -1 = error (capture_geterr), CAP_END = stopped
 * (capture_breakloop). No copy is made: this is the live fast path.
 * With several handles the records of one handle come in order; a
 * connection's records all come through one handle (fanout.h).
 */
typedef void (*capture_fn)(void *arg, const struct cap_packet *p);
int capture_dispatch(struct capture *c, int max, capture_fn fn, void *arg);

/*
 * Live, after a stop (capture_breakloop, a signal): hands on what the
 * kernel still holds of the packets stamped before now, waiting at most the
 * read timeout + 20 ms for the last ring blocks to be released, so a stop
 * loses nothing already captured and, with several handles, no handle stops
 * behind another. Later records are dropped (flowstate.capture.after_stop).
 * Once per capture. returns the number of records handed on.
 */
int capture_drain(struct capture *c, capture_fn fn, void *arg);

/* Last error message (borrowed, valid until the next call). */
const char *capture_geterr(const struct capture *c);

/* Name of the live interface or of the first file (borrowed). */
const char *capture_name(const struct capture *c);

/* Link type of the (first) source, for -w. */
int capture_datalink(const struct capture *c);
int capture_snaplen(const struct capture *c);
bool capture_is_live(const struct capture *c);

/* Stops a blocking live read from a signal handler (pcap_breakloop). */
void capture_breakloop(struct capture *c);

/* Refreshes kernel counters (live) and returns the stats (borrowed). */
const struct capture_stats *capture_stats(struct capture *c);

/*
 * Files: the earliest start (capture time, ns; 1 = the start of the capture)
 * of the pcapng loss intervals read since the previous call (see
 * cap_ng_take_loss), 0 when there were none. Live: always 0 (the engine
 * polls kernel_drop instead).
 */
uint64_t capture_take_loss(struct capture *c);
/*
 * Appends the capture counters: live, Suricata's capture.kernel_packets,
 * kernel_drops, kernel_ifdrops (pcap_stats: ps_recv, ps_drop, ps_ifdrop);
 * always flowstate's own "flowstate.capture.*".
 */
void capture_stats_export(struct capture *c, struct stat_list *out);

/* Lists interfaces like tcpdump -D, to `out`. Returns 0 or -1 + err. */
int capture_list_devices(void *out_file, char *err);

/*
 * -i ARG as tcpdump reads it: a name, or a number N >= 1 standing for the
 * N-th interface that capture_list_devices() lists, unless an interface is
 * really called ARG. returns: owned name, or NULL + err (bad index).
 */
char *capture_resolve_iface(const char *arg, char *err);

/*
 * -w: also save every record handed out by capture_next() (after the BPF
 * filter, before any decoding, in delivery order) to `path` as a pcap file
 * ("-" = standard output), with the source's link type and snapshot length
 * and its timestamp precision (ns for files, ns or us live). Several files
 * must share one link type. The file is flushed whenever a live read times
 * out, so an idle capture leaves it complete. returns 0 or -1 + err.
 */
int capture_dump_open(struct capture *c, const char *path, char *err)
    __attribute__((warn_unused_result));

/*
 * Flushes and closes the -w file (no-op without one). returns 0 or -1 + err
 * on a write error (now or earlier, see outfile_fail); EPIPE returns 0: the
 * reader went away.
 */
int capture_dump_close(struct capture *c, char *err) __attribute__((warn_unused_result));

/* Closes and frees (and the -w file, errors ignored); NULL ok. */
void capture_close(struct capture *c);

#endif
