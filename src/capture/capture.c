/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capture: owns every pcap_t of the run and hides libpcap from the rest of
 * flowstate. A capture is either one live interface or an ordered list of
 * savefile sources; the engine (src/engine.c) pulls records with
 * capture_next() and never sees a pcap_t.
 *
 * Invariants:
 *  - Every timestamp handed out is in nanoseconds: savefiles are opened with
 *    PCAP_TSTAMP_PRECISION_NANO (libpcap scales microsecond files), live
 *    handles ask for nanoseconds and fall back to microseconds, which we
 *    scale ourselves.
 *  - Savefile merge keeps at most one pending record per source. The record
 *    bytes stay in that pcap_t's own buffer, which libpcap keeps valid until
 *    the next read on the same handle (pcap_next_ex.3pcap), so nothing is
 *    copied: the source whose record was returned last is only read again at
 *    the start of the following capture_next().
 *  - The smallest pending timestamp wins; ties go to the lower source index,
 *    i.e. the earlier file on the command line.
 *  - Files: the BPF program is compiled per source against its own link type
 *    and run here with pcap_offline_filter(), so rejected records are counted
 *    (stats.filtered) and never returned. Live: pcap_setfilter() runs it in
 *    the kernel and only accepted packets are ever seen.
 *  - A read error ends that source only; the error is reported once (-1) and
 *    the remaining sources continue. Nothing is ever sized from a file's
 *    snaplen field: libpcap owns its record buffers, and pcapfile.c's is a
 *    fixed 1 MiB that holds the largest record it takes.
 *  - Named classic pcap files are read by our buffered reader (pcapfile.c)
 *    when it takes them: libpcap opens the file and derives its metadata
 *    (link type, snapshot length, precision, the handle for -w and for
 *    pcap_compile()), then the reader reads the file in 1 MiB pread()s and
 *    hands out records that point into its buffer, saving libpcap's two
 *    fread() calls per record (10-15% of a --flows-only run). It returns what
 *    pcap_next_ex() would return, record for record; where a record needs
 *    libpcap's judgement (cut short, caplen above the snapshot length) it
 *    positions the handle's file there and pcap_next_ex() continues, so
 *    every error text is libpcap's. stdin, pipes, pcapng, other link types
 *    and odd headers are read by libpcap alone, as is everything when
 *    FLOWSTATE_FORCE_LIBPCAP is set (testing knob). Its records, like
 *    libpcap's, stay valid until the next read of the same source.
 *  - A named pcapng file is read by our own reader (pcapng.c, see
 *    cap_fallback_start()), which also reads the Interface Statistics
 *    Blocks libpcap skips (their drops: capture_take_loss()); so is a pcapng
 *    file that libpcap refuses (interfaces of several link types or snapshot
 *    lengths), from stdin too when it is a regular file. Records carry their
 *    interface's link type.
 *  - -w (capture_dump_open) writes in cap_emit(), i.e. exactly the records
 *    handed out and in the order they are handed out (merge order for
 *    several files), never the filtered ones.
 */
#include <config.h>

#include "capture/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture/fanout.h"
#include "capture/pcapfile.h"
#include "capture/pcapng.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/outfile.h"
#include "util/xalloc.h"

/*
 * Live default snapshot length: every header flowstate decodes, down to
 * Ethernet (14) + two VLAN tags (8) + IPv6 (40) + 64 bytes of extension
 * headers + UDP (8) + Geneve with 48 option bytes (56) + inner Ethernet
 * (14) + inner IPv6 (40) + 80 bytes of extension headers + TCP with the
 * largest options (60) = 384. TPACKET_V3 stores only what is captured, so
 * the ring holds ~3x more full-size packets than with whole frames.
 */
#define CAP_DEFAULT_SNAPLEN 384
/* Live default kernel ring, in total over all handles (-B overrides). */
#define CAP_DEFAULT_RING (128 * 1024 * 1024)
/* The smallest ring a handle gets when the default is split. */
#define CAP_MIN_RING (1024 * 1024)
#define CAP_DEFAULT_TIMEOUT 100
#define CAP_NS_PER_SEC      1000000000ULL
#define CAP_ERR_SIZE        (ERRBUF_SIZE + PCAP_ERRBUF_SIZE)

struct cap_source {
    pcap_t *p;
    char *name;               /* as given ("-" for stdin); owned */
    const char *shown;        /* name used in messages ("stdin" for "-") */
    int dlt;
    bool ns;                  /* handle delivers nanoseconds in tv_usec */
    struct bpf_program prog;
    bool has_prog;
    bool done;                /* end of file or read error: never read again */
    bool pending;             /* hdr/data hold the next record of this source */
    struct pcap_pkthdr *hdr;  /* borrowed from libpcap, valid until the next read */
    const u_char *data;
    uint64_t ts_ns;
    uint64_t last_ts_ns;      /* previous record's timestamp, for ts_backwards */
    bool have_last;
    uint64_t nread;           /* records libpcap gave (skipped by the pcapng fallback) */
    char *filter;             /* owned copy for the pcapng fallback, or NULL */
    struct cap_ng *ng;        /* pcapng fallback reader (then p is only for metadata) */
    struct cap_ng_rec ng_rec; /* its current record; hdr points here */
    uint64_t ng_drops;        /* cap_ng_drops() already added to st.isb_drops */
    struct cap_pf *pf;        /* buffered reader of a classic pcap file, or NULL */
    /* pf's current record header; hdr points here. */
    struct pcap_pkthdr pf_hdr;
    /* live */
    int fd;                   /* pcap_get_selectable_fd(), -1: none (blocking reads) */
    uint64_t k_recv, k_drop, k_ifdrop; /* this handle's pcap_stats() */
    char key_recv[64], key_drop[64];   /* its stats paths (stat_list borrows them) */
};

struct capture {
    bool live;
    size_t n;
    struct cap_source *src;
    size_t last;              /* source of the record handed out last */
    bool has_last;
    int timeout_ms;
    uint64_t start_ns;        /* fanout: records stamped before every handle joined are dropped */
    uint64_t fanout_early;    /* ... and counted here */
    uint64_t stop_ns;         /* capture_drain: records stamped after the stop are dropped */
    uint64_t after_stop;      /* ... and counted here */
    bool drained;
    volatile sig_atomic_t stop;
    pcap_dumper_t *dump;      /* -w, or NULL */
    char *dump_path;          /* owned, for messages */
    struct capture_stats st;
    uint64_t loss_since;      /* files: pending pcapng loss interval start (capture_take_loss) */
    char err[CAP_ERR_SIZE];
};

static uint64_t
cap_ts_ns(const struct cap_source *s, const struct pcap_pkthdr *h)
{
    /* Savefiles store 32-bit seconds; negative ones are clamped to the epoch. */
    if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0)
        return 0;
    uint64_t sec = (uint64_t)h->ts.tv_sec;
    uint64_t frac = (uint64_t)h->ts.tv_usec;
    if (!s->ns)
        frac *= 1000u;
    if (sec > (UINT64_MAX - frac) / CAP_NS_PER_SEC)
        return UINT64_MAX;
    /* A fraction >= 1 s (accepted by libpcap) simply carries into seconds. */
    return sec * CAP_NS_PER_SEC + frac;
}

static void
cap_source_fini(struct cap_source *s)
{
    if (s->has_prog)
        pcap_freecode(&s->prog);
    cap_pf_close(s->pf);
    if (s->p != NULL)
        pcap_close(s->p);
    cap_ng_close(s->ng);
    free(s->filter);
    free(s->name);
    memset(s, 0, sizeof(*s));
}

static struct capture *
cap_new(size_t n)
{
    struct capture *c = xcalloc(1, sizeof(*c));
    c->n = n;
    c->src = xcalloc(n, sizeof(*c->src));
    for (size_t i = 0; i < n; i++)
        c->src[i].fd = -1;
    return c;
}

void
capture_close(struct capture *c)
{
    if (c == NULL)
        return;
    if (c->dump != NULL)
        pcap_dump_close(c->dump);
    free(c->dump_path);
    for (size_t i = 0; i < c->n; i++)
        cap_source_fini(&c->src[i]);
    free(c->src);
    free(c);
}

/*
 * libpcap's message without a leading "name: " that it already added
 * ("/x: /x: No such file" otherwise); dflt when the message is empty.
 * returns: borrowed (msg or dflt).
 */
static const char *
cap_strip_name(const char *name, const char *msg, const char *dflt)
{
    size_t n = strlen(name);

    if (msg[0] == '\0')
        return dflt;
    if (strncmp(msg, name, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

/* Compiles `filter` for this source's link type; 0 or -1 with err set. */
static int
cap_compile(struct cap_source *s, const char *filter, char *err)
{
    if (filter == NULL)
        return 0;
    if (pcap_compile(s->p, &s->prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        errbuf_printf(err, "%s: bad filter \"%s\": %s", s->shown, filter, pcap_geterr(s->p));
        return -1;
    }
    s->has_prog = true;
    return 0;
}

/*
 * pcapng fallback (src/capture/pcapng.c). libpcap 1.10 refuses a pcapng file
 * whose interfaces differ in link type or snapshot length, at the open or at
 * the first packet of such an interface (a read error). The file is then
 * read again by our own reader from its first byte, skipping the `skip`
 * records libpcap gave. That needs a file we can read again: a named
 * regular file, or stdin when it is a regular file ("< file"); from a pipe,
 * a FIFO or a device, libpcap's error stands (a second open of a FIFO would
 * wait forever). Returns 0, or -1 leaving err alone, except for an error of
 * our reader after the open (the file does not hold `skip` good records).
 */
static int
cap_fallback_start(struct cap_source *s, uint64_t skip, char *err, size_t err_size)
{
    char nerr[ERRBUF_SIZE];
    FILE *f;

    if (strcmp(s->name, "-") != 0) {
        /*
         * Only a regular file can be read again: a FIFO or character device
         * opened a second time blocks forever or yields other bytes (issue
         * 15, item 3). O_NONBLOCK keeps the open itself from waiting for a
         * FIFO's writer; the test is on what was opened, not on the name.
         */
        struct stat sb;
        int fd = open(s->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

        if (fd < 0)
            return -1;
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
            (f = fdopen(fd, "rb")) == NULL) {
            close(fd);
            return -1;
        }
    } else {
        int fd = dup(STDIN_FILENO);
        if (fd < 0)
            return -1;
        if (lseek(fd, 0, SEEK_SET) != 0 || (f = fdopen(fd, "rb")) == NULL) {
            close(fd);
            return -1;
        }
    }
    if (f == NULL || (s->ng = cap_ng_fopen(f, s->shown, s->filter, nerr)) == NULL)
        return -1;
    for (uint64_t i = 0; i < skip; i++) {
        int rc = cap_ng_next(s->ng, &s->ng_rec);
        if (rc == -1) {
            snprintf(err, err_size, "%s", cap_ng_geterr(s->ng));
            return -1;
        }
        if (rc != 1)
            break; /* fewer records than libpcap gave: the file ends here */
    }
    return 0;
}

/* After an open through the fallback: a dead pcap_t stands for the file (-w, snaplen, filter). */
static int
cap_fallback_meta_snap(struct cap_source *s, const char *filter, char *err, uint32_t snap)
{
    s->dlt = cap_ng_datalink(s->ng);
    s->ns = true;
    s->p = pcap_open_dead_with_tstamp_precision(s->dlt, (int)snap, PCAP_TSTAMP_PRECISION_NANO);
    if (s->p == NULL) {
        errbuf_printf(err, "%s: cannot create a handle for link type %d", s->shown, s->dlt);
        return -1;
    }
    if (err != NULL)
        err[0] = '\0';
    return cap_compile(s, filter, err); /* reports a filter that is bad for the first link type */
}

static int
cap_fallback_meta(struct cap_source *s, const char *filter, char *err)
{
    uint32_t snap = cap_ng_snaplen(s->ng);

    if (snap == 0 || snap > CAP_DEFAULT_SNAPLEN)
        snap = CAP_DEFAULT_SNAPLEN;
    return cap_fallback_meta_snap(s, filter, err, snap);
}

static int
cap_open_one(struct cap_source *s, const char *path, const char *filter, bool *stdin_used,
             char *err)
{
    char perr[PCAP_ERRBUF_SIZE];

    perr[0] = '\0';
    s->name = xstrdup(path);
    s->shown = s->name;
    s->filter = filter != NULL ? xstrdup(filter) : NULL;
    /* Testing knob (named files only): FLOWSTATE_FORCE_PCAPNG_READER=1 reads pcapng with ours. */
    if (strcmp(path, "-") != 0 && getenv("FLOWSTATE_FORCE_PCAPNG_READER") != NULL &&
        cap_fallback_start(s, 0, err, ERRBUF_SIZE) == 0)
        return cap_fallback_meta(s, filter, err);
    if (strcmp(path, "-") == 0) {
        s->shown = "stdin";
        if (*stdin_used) {
            errbuf_printf(err, "stdin: \"-\" given more than once");
            return -1;
        }
        *stdin_used = true;
        s->p = pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_NANO, perr);
    } else {
        s->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    }
    if (s->p == NULL) {
        errbuf_printf(err, "%s: %s", s->shown, cap_strip_name(s->name, perr, "cannot open"));
        if (cap_fallback_start(s, 0, err, ERRBUF_SIZE) == 0)
            return cap_fallback_meta(s, filter, err);
        return -1;
    }
    /*
     * A named pcapng file (version 1.x) is read by our reader, which also
     * reads the Interface Statistics Blocks libpcap skips (their drop
     * counts feed the capture-loss rule). It gives the same records as
     * libpcap on every pcapng file of the corpus, filters included.
     */
    if (strcmp(path, "-") != 0 && pcap_major_version(s->p) == 1 &&
        getenv("FLOWSTATE_FORCE_LIBPCAP") == NULL) {
        char nerr[ERRBUF_SIZE];

        if (cap_fallback_start(s, 0, nerr, sizeof(nerr)) == 0) {
            /* libpcap's snapshot length for the file, so that -w writes the same header */
            int snap = pcap_snapshot(s->p);

            pcap_close(s->p);
            s->p = NULL;
            return cap_fallback_meta_snap(s, filter, err,
                                          snap > 0 ? (uint32_t)snap : CAP_DEFAULT_SNAPLEN);
        }
        cap_ng_close(s->ng); /* not readable by ours after all: libpcap reads it */
        s->ng = NULL;
    }
    s->dlt = pcap_datalink(s->p);
    s->ns = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
    /* Testing knob: FLOWSTATE_FORCE_LIBPCAP=1 reads every file through libpcap alone. */
    if (strcmp(path, "-") != 0 && getenv("FLOWSTATE_FORCE_LIBPCAP") == NULL)
        s->pf = cap_pf_open(s->p);
    return cap_compile(s, filter, err);
}

struct capture *
capture_open_files(const char *const *paths, size_t n, const char *filter, char *err)
{
    struct capture *c = NULL;
    bool stdin_used = false;

    if (err != NULL)
        err[0] = '\0';
    if (paths == NULL || n == 0) {
        errbuf_printf(err, "no capture file given");
        return NULL;
    }
    c = cap_new(n);
    for (size_t i = 0; i < n; i++) {
        if (cap_open_one(&c->src[i], paths[i], filter, &stdin_used, err) != 0) {
            capture_close(c);
            return NULL;
        }
        c->st.files++;
    }
    return c;
}

/* Folds the statistics blocks the pcapng reader passed into the capture's counters. */
static void
cap_ng_loss(struct capture *c, struct cap_source *s)
{
    uint64_t since = cap_ng_take_loss(s->ng);
    uint64_t drops = cap_ng_drops(s->ng);

    if (since != 0 && (c->loss_since == 0 || since < c->loss_since))
        c->loss_since = since;
    c->st.isb_drops += drops - s->ng_drops;
    s->ng_drops = drops;
}

uint64_t
capture_take_loss(struct capture *c)
{
    uint64_t since = c->loss_since;

    c->loss_since = 0;
    return since;
}

/*
 * pcap_next_ex() on s->p, or the next record of the pcapng fallback; same
 * returns. On PCAP_ERROR the message is in c->err.
 */
static int
cap_read(struct capture *c, struct cap_source *s, struct pcap_pkthdr **h, const u_char **d)
{
    int rc;

    if (s->pf != NULL) {
        rc = cap_pf_next(s->pf, &s->pf_hdr, d);
        if (rc == 1) {
            s->nread++;
            *h = &s->pf_hdr;
            return 1;
        }
        if (rc != CAP_PF_LIBPCAP) {
            snprintf(c->err, sizeof(c->err), "%s: %s", s->shown, cap_pf_geterr(s->pf));
            return PCAP_ERROR;
        }
        /* The rest of the file is libpcap's. */
    }
    if (s->ng == NULL) {
        rc = pcap_next_ex(s->p, h, d);
        if (rc == 1)
            s->nread++;
        if (rc != PCAP_ERROR)
            return rc;
        snprintf(c->err, sizeof(c->err), "%s: %s", s->shown, pcap_geterr(s->p));
        /* pcapng files (version 1.x; pcap files are 2.x) get a second reader. */
        if (c->live || pcap_major_version(s->p) != 1 ||
            cap_fallback_start(s, s->nread, c->err, sizeof(c->err)) != 0)
            return PCAP_ERROR;
    }
    rc = cap_ng_next(s->ng, &s->ng_rec);
    cap_ng_loss(c, s);
    if (rc == 1) {
        *h = &s->ng_rec.hdr;
        *d = s->ng_rec.data;
        return 1;
    }
    if (rc == CAP_END)
        return PCAP_ERROR_BREAK;
    snprintf(c->err, sizeof(c->err), "%s", cap_ng_geterr(s->ng));
    return PCAP_ERROR;
}

/* True if the record just read passes the source's BPF filter (files only). */
static bool
cap_pass(const struct cap_source *s, const struct pcap_pkthdr *h, const u_char *d)
{
    if (s->ng != NULL)
        return cap_ng_filter(s->ng, &s->ng_rec);
    return !s->has_prog || pcap_offline_filter(&s->prog, h, d) != 0;
}

/*
 * Reads the next record of source s that passes the filter into its pending
 * slot. Returns 1 (pending set), CAP_END (source finished) or -1 (read error:
 * source finished, message in c->err).
 */
static int
cap_fill(struct capture *c, struct cap_source *s)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *d;
        int rc = cap_read(c, s, &h, &d);

        if (rc == PCAP_ERROR_BREAK) {
            /* End of file, or capture_breakloop() from a signal handler. */
            s->done = true;
            return CAP_END;
        }
        if (rc == PCAP_ERROR) {
            s->done = true;
            c->st.read_errors++;
            return -1;
        }
        if (rc == 0)
            return 0; /* live timeout; savefiles never return 0 */
        c->st.records++;
        uint64_t ts = cap_ts_ns(s, h);
        if (s->have_last && ts < s->last_ts_ns)
            c->st.ts_backwards++;
        s->last_ts_ns = ts;
        s->have_last = true;
        if (!c->live && !cap_pass(s, h, d)) {
            c->st.filtered++;
            continue;
        }
        s->hdr = h;
        s->data = d;
        s->ts_ns = ts;
        s->pending = true;
        return 1;
    }
}

/*
 * -w: one record. A write error is the run's output failure (outfile_fail):
 * the engine stops, and nothing more is written to the file.
 */
static void
cap_dump_rec(struct capture *c, const struct pcap_pkthdr *h, const u_char *d)
{
    if (outfile_failed_stream() == OUTFILE_DUMP)
        return;
    pcap_dump((u_char *)c->dump, h, d);
    if (ferror(pcap_dump_file(c->dump)))
        outfile_fail(OUTFILE_DUMP, errno);
}

/* -w on an idle read: makes the file complete up to here. */
static void
cap_dump_sync(struct capture *c)
{
    if (c->dump == NULL || outfile_failed_stream() == OUTFILE_DUMP)
        return;
    if (pcap_dump_flush(c->dump) != 0)
        outfile_fail(OUTFILE_DUMP, errno);
}

static void
cap_emit(struct capture *c, size_t i, struct cap_packet *p)
{
    struct cap_source *s = &c->src[i];

    p->data = s->data;
    p->caplen = s->hdr->caplen;
    p->wirelen = s->hdr->len;
    p->ts_ns = s->ts_ns;
    p->dlt = s->ng != NULL ? s->ng_rec.dlt : s->dlt;
    p->source = c->live ? 0 : (uint32_t)i;
    /* A pcap -w file has one link type: pcapng records of other interface types are not saved. */
    if (c->dump != NULL && p->dlt == s->dlt)
        cap_dump_rec(c, s->hdr, s->data);
    s->pending = false;
    c->last = i;
    c->has_last = true;
}

int
capture_next(struct capture *c, struct cap_packet *p)
{
    if (c->stop)
        return CAP_END;

    if (c->live) {
        struct cap_source *s = &c->src[0];
        if (s->done)
            return CAP_END;
        int rc = cap_fill(c, s);
        if (rc == 0 && s->fd >= 0) {
            /* Nonblocking handle: wait here so that 0 really means "timeout". */
            struct pollfd pfd = {.fd = s->fd, .events = POLLIN, .revents = 0};
            if (poll(&pfd, 1, c->timeout_ms) < 0 && errno != EINTR) {
                snprintf(c->err, sizeof(c->err), "%s: poll: %s", s->shown, strerror(errno));
                return -1;
            }
            if (c->stop)
                return CAP_END;
            rc = cap_fill(c, s);
            /* Idle: make the -w file complete up to here. */
            if (rc == 0)
                cap_dump_sync(c);
        }
        if (rc != 1)
            return rc;
        cap_emit(c, 0, p);
        return 1;
    }

    /* The record handed out last is now released; refill every empty source. */
    for (size_t i = 0; i < c->n; i++) {
        struct cap_source *s = &c->src[i];
        if (s->done || s->pending)
            continue;
        if (cap_fill(c, s) == -1)
            return -1; /* once; this source is done, the others go on next call */
        if (c->stop)
            return CAP_END;
    }

    size_t best = c->n;
    for (size_t i = 0; i < c->n; i++) {
        const struct cap_source *s = &c->src[i];
        if (!s->pending)
            continue;
        if (best == c->n || s->ts_ns < c->src[best].ts_ns)
            best = i; /* strict <: ties stay with the lower index */
    }
    if (best == c->n)
        return CAP_END;
    cap_emit(c, best, p);
    return 1;
}

int
capture_dump_open(struct capture *c, const char *path, char *err)
{
    const struct cap_source *s0 = &c->src[0];

    if (c->dump != NULL) {
        errbuf_printf(err, "%s: a -w file is already open", path);
        return -1;
    }
    /* A pcap file has one link type for all records. */
    for (size_t i = 1; i < c->n; i++) {
        if (c->src[i].dlt != s0->dlt) {
            errbuf_printf(err, "%s: cannot save %s (%s) and %s (%s) in one pcap file", path,
                          s0->shown, pcap_datalink_val_to_name(s0->dlt), c->src[i].shown,
                          pcap_datalink_val_to_name(c->src[i].dlt));
            return -1;
        }
    }
    /*
     * The handle supplies link type, snaplen and precision (ns files give the
     * ns magic). A named file is opened by outfile_open (no symbolic link as
     * root) and handed to libpcap; "-" is libpcap's standard output.
     */
    if (strcmp(path, "-") == 0) {
        if ((c->dump = pcap_dump_open(s0->p, path)) == NULL) {
            errbuf_printf(err, "%s", pcap_geterr(s0->p));
            return -1;
        }
    } else {
        int fd = outfile_open(path, false, err);
        FILE *f;

        if (fd < 0)
            return -1;
        if ((f = fdopen(fd, "wb")) == NULL) {
            errbuf_printf(err, "%s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if ((c->dump = pcap_dump_fopen(s0->p, f)) == NULL) {
            errbuf_printf(err, "%s: %s", path, pcap_geterr(s0->p));
            fclose(f);
            return -1;
        }
    }
    c->dump_path = xstrdup(path);
    return 0;
}

int
capture_dump_close(struct capture *c, char *err)
{
    int rc = 0;

    if (c == NULL || c->dump == NULL)
        return 0;
    if (outfile_failed_stream() == OUTFILE_DUMP) {
        /* EPIPE: the reader went away, main ends quietly (outfile.h) */
        if (outfile_error() != EPIPE) {
            errbuf_printf(err, "%s: %s", c->dump_path, strerror(outfile_error()));
            rc = -1;
        }
        /* what stdio still holds is dropped: pcap_dump_close would write it */
        __fpurge(pcap_dump_file(c->dump));
    } else if (pcap_dump_flush(c->dump) != 0 || ferror(pcap_dump_file(c->dump))) {
        int e = errno != 0 ? errno : EIO;

        outfile_fail(OUTFILE_DUMP, e);
        if (e != EPIPE) {
            errbuf_printf(err, "%s: %s", c->dump_path, strerror(e));
            rc = -1;
        }
        __fpurge(pcap_dump_file(c->dump));
    }
    pcap_dump_close(c->dump);
    c->dump = NULL;
    free(c->dump_path);
    c->dump_path = NULL;
    return rc;
}

const char *
capture_geterr(const struct capture *c)
{
    return c->err;
}

const char *
capture_name(const struct capture *c)
{
    return c->src[0].name;
}

int
capture_datalink(const struct capture *c)
{
    return c->src[0].dlt;
}

int
capture_snaplen(const struct capture *c)
{
    return pcap_snapshot(c->src[0].p);
}

bool
capture_is_live(const struct capture *c)
{
    return c->live;
}

void
capture_breakloop(struct capture *c)
{
    /* Async-signal context: only set flags (pcap_breakloop does the same). */
    c->stop = 1;
    if (!c->live)
        return;
    for (size_t i = 0; i < c->n; i++) {
        if (c->src[i].p != NULL)
            pcap_breakloop(c->src[i].p);
    }
}

const struct capture_stats *
capture_stats(struct capture *c)
{
    if (!c->live)
        return &c->st;
    /* Summed over the handles; a handle whose pcap_stats() fails keeps its last values. */
    c->st.kernel_recv = c->st.kernel_drop = c->st.kernel_ifdrop = 0;
    for (size_t i = 0; i < c->n; i++) {
        struct cap_source *s = &c->src[i];
        struct pcap_stat ps;

        if (s->p != NULL && pcap_stats(s->p, &ps) == 0) {
            s->k_recv = ps.ps_recv;
            s->k_drop = ps.ps_drop;
            s->k_ifdrop = ps.ps_ifdrop;
        }
        c->st.kernel_recv += s->k_recv;
        c->st.kernel_drop += s->k_drop;
        /* The interface's own drops are one counter seen by every handle: count it once. */
        if (s->k_ifdrop > c->st.kernel_ifdrop)
            c->st.kernel_ifdrop = s->k_ifdrop;
    }
    return &c->st;
}

void
capture_stats_export(struct capture *c, struct stat_list *out)
{
    const struct capture_stats *st = capture_stats(c);

    /* Suricata's pcap source sets these three from pcap_stats() the same way */
    if (c->live) {
        stat_list_add(out, "capture.kernel_packets", st->kernel_recv);
        stat_list_add(out, "capture.kernel_drops", st->kernel_drop);
        stat_list_add(out, "capture.kernel_ifdrops", st->kernel_ifdrop);
    }
    stat_list_add(out, STATS_OWN "capture.files", st->files);
    stat_list_add(out, STATS_OWN "capture.records", st->records);
    stat_list_add(out, STATS_OWN "capture.filtered", st->filtered);
    stat_list_add(out, STATS_OWN "capture.read_errors", st->read_errors);
    stat_list_add(out, STATS_OWN "capture.ts_backwards", st->ts_backwards);
    if (!c->live)
        stat_list_add(out, STATS_OWN "capture.isb_drops", st->isb_drops);
    if (c->live) {
        stat_list_add(out, STATS_OWN "capture.after_stop", c->after_stop);
        if (c->n > 1) {
            stat_list_add(out, STATS_OWN "capture.fanout_early", c->fanout_early);
            for (size_t i = 0; i < c->n; i++) {
                stat_list_add(out, c->src[i].key_recv, c->src[i].k_recv);
                stat_list_add(out, c->src[i].key_drop, c->src[i].k_drop);
            }
        }
    }
}

/*
 * Default interface like tcpdump: the first device of pcap_findalldevs()
 * (which lists up, running, non-loopback devices first) that is up and not
 * loopback, skipping the "any" pseudo-device; failing that, the first one
 * that is not "any" (a namespace with only lo still captures). returns: owned.
 */
static char *
cap_default_iface(char *err)
{
    char perr[PCAP_ERRBUF_SIZE];
    pcap_if_t *all = NULL;
    char *name = NULL;

    perr[0] = '\0';
    if (pcap_findalldevs(&all, perr) != 0) {
        errbuf_printf(err, "cannot list interfaces: %s", perr);
        return NULL;
    }
    for (pcap_if_t *d = all; d != NULL && name == NULL; d = d->next) {
        if (strcmp(d->name, "any") != 0 && (d->flags & PCAP_IF_UP) &&
            !(d->flags & PCAP_IF_LOOPBACK))
            name = xstrdup(d->name);
    }
    for (pcap_if_t *d = all; d != NULL && name == NULL; d = d->next) {
        if (strcmp(d->name, "any") != 0)
            name = xstrdup(d->name);
    }
    pcap_freealldevs(all);
    if (name == NULL)
        errbuf_printf(err, "no suitable capture interface found");
    return name;
}

char *
capture_resolve_iface(const char *arg, char *err)
{
    char perr[PCAP_ERRBUF_SIZE];
    pcap_if_t *all = NULL, *d;
    char *name = NULL, *end;
    unsigned long idx, n = 0;
    bool range;

    if (arg[0] < '0' || arg[0] > '9')
        return xstrdup(arg);
    errno = 0;
    idx = strtoul(arg, &end, 10);
    if (*end != '\0')
        return xstrdup(arg);
    range = errno == 0 && idx > 0;
    perr[0] = '\0';
    if (pcap_findalldevs(&all, perr) != 0) {
        errbuf_printf(err, "-i %s: cannot list interfaces: %s", arg, perr);
        return NULL;
    }
    /* an interface really called "2" wins, as in tcpdump */
    for (d = all; d != NULL && name == NULL; d = d->next)
        if (strcmp(d->name, arg) == 0)
            name = xstrdup(d->name);
    for (d = all; d != NULL && name == NULL; d = d->next)
        if (++n == idx && range)
            name = xstrdup(d->name);
    pcap_freealldevs(all);
    if (name != NULL)
        return name;
    if (!range)
        errbuf_printf(err, "-i %s: invalid interface index (the numbers of -D start at 1)", arg);
    else
        errbuf_printf(err, "-i %s: invalid interface index: only %lu interface%s (see -D)", arg,
                      n, n == 1 ? "" : "s");
    return NULL;
}

/*
 * Creates and activates one live handle on s->name, one of n: its ring is
 * the total (-B or CAP_DEFAULT_RING) / n, the default's share at least
 * CAP_MIN_RING. A
 * pcap_activate() warning goes to warn (the first one only). returns 0 or
 * -1 + err.
 */
static int
cap_live_activate(struct cap_source *s, const struct capture_live_opts *o, size_t n, char *warn,
                  size_t warn_size, char *err)
{
    char perr[PCAP_ERRBUF_SIZE];
    int ring = (o->buffer_size > 0 ? o->buffer_size : CAP_DEFAULT_RING) / (int)n;
    int rc;

    if (o->buffer_size <= 0 && ring < CAP_MIN_RING)
        ring = CAP_MIN_RING; /* an explicit -B is split as given */

    perr[0] = '\0';
    if ((s->p = pcap_create(s->name, perr)) == NULL) {
        errbuf_printf(err, "%s: %s", s->shown, cap_strip_name(s->name, perr, "cannot open"));
        return -1;
    }
    if (pcap_set_snaplen(s->p, o->snaplen > 0 ? o->snaplen : CAP_DEFAULT_SNAPLEN) != 0 ||
        pcap_set_promisc(s->p, o->promisc ? 1 : 0) != 0 ||
        pcap_set_timeout(s->p, o->timeout_ms > 0 ? o->timeout_ms : CAP_DEFAULT_TIMEOUT) != 0 ||
        pcap_set_buffer_size(s->p, ring) != 0 ||
        pcap_set_immediate_mode(s->p, o->immediate ? 1 : 0) != 0) {
        errbuf_printf(err, "%s: cannot set capture options: %s", s->shown, pcap_geterr(s->p));
        return -1;
    }
    /* Not every device stamps in ns; micro is scaled in cap_ts_ns(). */
    if (pcap_set_tstamp_precision(s->p, PCAP_TSTAMP_PRECISION_NANO) != 0)
        (void)pcap_set_tstamp_precision(s->p, PCAP_TSTAMP_PRECISION_MICRO);
    rc = pcap_activate(s->p);
    if (rc < 0) {
        const char *status = pcap_statustostr(rc);
        const char *detail = cap_strip_name(s->name, pcap_geterr(s->p), status);

        /* libpcap often repeats the status as the detail ("No such device exists") */
        if (strcmp(detail, status) == 0)
            errbuf_printf(err, "%s: %s", s->shown, status);
        else
            errbuf_printf(err, "%s: %s (%s)", s->shown, status, detail);
        return -1;
    }
    if (rc > 0 && warn[0] == '\0') {
        const char *status = pcap_statustostr(rc);
        const char *detail = cap_strip_name(s->name, pcap_geterr(s->p), status);

        if (strcmp(detail, status) == 0)
            snprintf(warn, warn_size, "%s: warning: %s", s->shown, status);
        else
            snprintf(warn, warn_size, "%s: warning: %s (%s)", s->shown, status, detail);
    }
    s->dlt = pcap_datalink(s->p);
    s->ns = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
    /*
     * With TPACKET_V3 the kernel's block timer only runs once a packet is in
     * the block, so a blocking read with nothing to capture would never time
     * out (pcap_set_timeout.3pcap). Read nonblocking and poll() ourselves.
     */
    s->fd = pcap_get_selectable_fd(s->p);
    if (s->fd >= 0 && pcap_setnonblock(s->p, 1, perr) != 0)
        s->fd = -1;
    return 0;
}

/* Discards what handle s holds (everything it saw before it joined the group). */
static void
cap_live_discard(u_char *user, const struct pcap_pkthdr *h, const u_char *d)
{
    (void)user;
    (void)h;
    (void)d;
}

/*
 * Several handles (o->handles > 1): one PACKET_FANOUT group. A handle sees
 * all traffic until it joins, so each one first gets a filter that accepts
 * nothing and is emptied, then joins; once all have joined, each gets the
 * real filter (or one that accepts everything). A packet can still have
 * reached an early handle between its activation and its drop-all filter,
 * and one handle may filter for real before the next: every record stamped
 * before the last handle got its real filter is dropped by the reader
 * (c->start_ns, counted as fanout_early), so no packet is seen twice and,
 * after start_ns, none is missed.
 */
static int
cap_live_fanout(struct capture *c, const char *filter, char *err)
{
    struct bpf_insn none_insn = BPF_STMT(BPF_RET | BPF_K, 0);
    struct bpf_program none = {1, &none_insn};
    uint16_t id = 0;

    for (size_t i = 0; i < c->n; i++) {
        struct cap_source *s = &c->src[i];
        char ferr[ERRBUF_SIZE];

        if (pcap_setfilter(s->p, &none) != 0) {
            errbuf_printf(err, "%s: cannot set filter: %s", s->shown, pcap_geterr(s->p));
            return -1;
        }
        while (pcap_dispatch(s->p, -1, cap_live_discard, NULL) > 0)
            ;
        if (fanout_join(pcap_fileno(s->p), i == 0 ? NULL : &id, &id, ferr) != 0) {
            errbuf_printf(err, "%s: %s", s->shown, ferr);
            return -1;
        }
        snprintf(s->key_recv, sizeof(s->key_recv), STATS_OWN "capture.handles.%zu.kernel_packets",
                 i);
        snprintf(s->key_drop, sizeof(s->key_drop), STATS_OWN "capture.handles.%zu.kernel_drops", i);
    }
    for (size_t i = 0; i < c->n; i++) {
        struct cap_source *s = &c->src[i];

        if (cap_compile(s, filter != NULL ? filter : "", err) != 0)
            return -1;
        if (pcap_setfilter(s->p, &s->prog) != 0) {
            errbuf_printf(err, "%s: cannot set filter: %s", s->shown, pcap_geterr(s->p));
            return -1;
        }
    }
    /* From here every handle is in the group and filters for real: nothing is lost or doubled. */
    c->start_ns = clock_realtime_ns();
    return 0;
}

/*
 * On success err is "" or holds a pcap_activate() warning (e.g. promiscuous
 * mode not supported); the capture still works.
 */
struct capture *
capture_open_live(const struct capture_live_opts *o, const char *filter, char *err)
{
    struct capture *c = NULL;
    char warn[PCAP_ERRBUF_SIZE];
    size_t n = o->handles > 1 ? o->handles : 1;
    char *name;

    warn[0] = '\0';
    if (err != NULL)
        err[0] = '\0';
    if (n > CAP_MAX_HANDLES) {
        errbuf_printf(err, "at most %d capture handles", CAP_MAX_HANDLES);
        return NULL;
    }
    name = o->iface != NULL ? capture_resolve_iface(o->iface, err) : cap_default_iface(err);
    if (name == NULL)
        return NULL;
    c = cap_new(n);
    c->live = true;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : CAP_DEFAULT_TIMEOUT;
    for (size_t i = 0; i < n; i++) {
        struct cap_source *s = &c->src[i];

        s->name = i == 0 ? name : xstrdup(name);
        s->shown = s->name;
        if (cap_live_activate(s, o, n, warn, sizeof(warn), err) != 0)
            goto fail;
    }
    if (n > 1) {
        if (cap_live_fanout(c, filter, err) != 0)
            goto fail;
    } else {
        struct cap_source *s = &c->src[0];

        if (cap_compile(s, filter, err) != 0)
            goto fail;
        if (s->has_prog && pcap_setfilter(s->p, &s->prog) != 0) {
            errbuf_printf(err, "%s: cannot set filter: %s", s->shown, pcap_geterr(s->p));
            goto fail;
        }
    }
    if (warn[0] != '\0')
        errbuf_printf(err, "%s", warn);
    return c;
fail:
    capture_close(c);
    return NULL;
}

/* pcap_dispatch() callback context of capture_dispatch(). */
struct cap_dispatch {
    struct capture *c;
    struct cap_source *s;
    capture_fn fn;
    void *arg;
    int got;
};

static void
cap_live_record(u_char *user, const struct pcap_pkthdr *h, const u_char *d)
{
    struct cap_dispatch *x = (struct cap_dispatch *)user;
    struct capture *c = x->c;
    struct cap_source *s = x->s;
    uint64_t ts = cap_ts_ns(s, h);
    struct cap_packet p;

    if (ts < c->start_ns) {
        c->fanout_early++;
        return;
    }
    if (c->stop_ns != 0 && ts > c->stop_ns) {
        c->after_stop++;
        return;
    }
    c->st.records++;
    if (s->have_last && ts < s->last_ts_ns)
        c->st.ts_backwards++;
    s->last_ts_ns = ts;
    s->have_last = true;
    if (c->dump != NULL)
        cap_dump_rec(c, h, d);
    p.data = d;
    p.caplen = h->caplen;
    p.wirelen = h->len;
    p.ts_ns = ts;
    p.dlt = s->dlt;
    p.source = 0;
    x->got++;
    x->fn(x->arg, &p);
}

/* Waits until a handle has something or the timeout passes; 0 or -1 + c->err. */
static int
cap_live_wait(struct capture *c)
{
    struct pollfd pfd[CAP_MAX_HANDLES];

    for (size_t i = 0; i < c->n; i++) {
        pfd[i].fd = c->src[i].fd;
        pfd[i].events = POLLIN;
        pfd[i].revents = 0;
    }
    if (poll(pfd, (nfds_t)c->n, c->timeout_ms) < 0 && errno != EINTR) {
        snprintf(c->err, sizeof(c->err), "%s: poll: %s", c->src[0].shown, strerror(errno));
        return -1;
    }
    return 0;
}

int
capture_drain(struct capture *c, capture_fn fn, void *arg)
{
    uint64_t deadline;
    int total = 0;

    if (!c->live || c->drained)
        return 0;
    c->drained = true;
    c->stop_ns = clock_realtime_ns();
    /* A ring block is handed to us when full or when its timer (the read timeout) fires. */
    deadline = clock_monotonic_ns() + ((uint64_t)c->timeout_ms + 20) * 1000000ULL;
    for (;;) {
        int got = 0;

        for (size_t i = 0; i < c->n; i++) {
            struct cap_dispatch x = {c, &c->src[i], fn, arg, 0};
            int rc = pcap_dispatch(c->src[i].p, -1, cap_live_record, (u_char *)&x);

            if (rc == PCAP_ERROR_BREAK) /* the breakloop that stopped us: once */
                rc = pcap_dispatch(c->src[i].p, -1, cap_live_record, (u_char *)&x);
            got += x.got;
            if (rc == PCAP_ERROR)
                return total + got; /* what was read stands; the error ends the drain */
        }
        total += got;
        if (clock_monotonic_ns() >= deadline || c->n == 0 || c->src[0].fd < 0)
            return total;
        if (got == 0) {
            struct timespec d = {0, 5000000}; /* 5 ms */
            nanosleep(&d, NULL);
        }
    }
}

int
capture_dispatch(struct capture *c, int max, capture_fn fn, void *arg)
{
    int total = 0;
    bool blocking = false;

    if (c->stop)
        return CAP_END;
    for (size_t i = 0; i < c->n; i++)
        blocking |= c->src[i].fd < 0;
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < c->n && (max <= 0 || total < max); i++) {
            struct cap_dispatch x = {c, &c->src[i], fn, arg, 0};
            int rc = pcap_dispatch(c->src[i].p, max > 0 ? max - total : -1, cap_live_record,
                                   (u_char *)&x);

            total += x.got;
            if (rc == PCAP_ERROR_BREAK || c->stop)
                return total > 0 ? total : CAP_END;
            if (rc == PCAP_ERROR) {
                snprintf(c->err, sizeof(c->err), "%s: %s", c->src[i].shown,
                         pcap_geterr(c->src[i].p));
                c->st.read_errors++;
                return -1;
            }
        }
        if (total > 0 || blocking)
            return total;
        if (round == 0 && cap_live_wait(c) != 0)
            return -1;
        if (c->stop)
            return CAP_END;
    }
    /* Idle: make the -w file complete up to here. */
    cap_dump_sync(c);
    return 0;
}

int
capture_list_devices(void *out_file, char *err)
{
    char perr[PCAP_ERRBUF_SIZE];
    FILE *out = out_file;
    pcap_if_t *all = NULL;
    int i = 0;

    perr[0] = '\0';
    if (pcap_findalldevs(&all, perr) != 0) {
        errbuf_printf(err, "cannot list interfaces: %s", perr);
        return -1;
    }
    if (all == NULL) {
        errbuf_printf(err, "no interfaces found");
        return -1;
    }
    for (pcap_if_t *d = all; d != NULL; d = d->next) {
        const char *sep = "";
        bool wireless = (d->flags & PCAP_IF_WIRELESS) != 0;
        bool any = false;

        fprintf(out, "%d.%s", ++i, d->name);
        if (d->description != NULL)
            fprintf(out, " (%s)", d->description);
        fputs(" [", out);
        if (d->flags & PCAP_IF_UP) {
            fprintf(out, "%sUp", sep);
            sep = ", ";
            any = true;
        }
        if (d->flags & PCAP_IF_RUNNING) {
            fprintf(out, "%sRunning", sep);
            sep = ", ";
            any = true;
        }
        if (d->flags & PCAP_IF_LOOPBACK) {
            fprintf(out, "%sLoopback", sep);
            sep = ", ";
            any = true;
        }
        if (wireless) {
            fprintf(out, "%sWireless", sep);
            sep = ", ";
            any = true;
        }
        switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
        case PCAP_IF_CONNECTION_STATUS_CONNECTED:
            fprintf(out, "%s%s", sep, wireless ? "Associated" : "Connected");
            any = true;
            break;
        case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
            fprintf(out, "%s%s", sep, wireless ? "Not associated" : "Disconnected");
            any = true;
            break;
        default:
            break;
        }
        fprintf(out, "%s]\n", any ? "" : "none");
    }
    pcap_freealldevs(all);
    return 0;
}
