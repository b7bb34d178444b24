/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapfile: the buffered reader for classic pcap savefiles, owned by the
 * capture module (capture.c uses it for named files; nothing else calls it).
 *
 * Why: reading a savefile through libpcap costs two fread() calls (stdio
 * locking, a call chain and a copy each) for every record, 10-15% of a
 * --flows-only run. This reader fills one large buffer with pread() and hands
 * out records that point into it: one system call per CAP_PF_BUF bytes and
 * no per-record copy. It does not map the file: a mapped file that another
 * process truncates raises SIGBUS on access, and bad input must never crash
 * flowstate; pread() just returns less, and libpcap then reports the file
 * as it finds it.
 *
 * Format: pcap-savefile(5): a 24-byte file header (magic, version, thiszone,
 * sigfigs, snaplen, linktype) in the writer's byte order, then records of a
 * 16-byte header (seconds, fraction, captured length, original length) and
 * the captured bytes.
 *
 * Invariants:
 *  - libpcap is the reference, not a model we rebuild. The file was opened
 *    by libpcap, which checked the header and derived the link type and the
 *    snapshot length; this reader only takes files whose header it fully
 *    understands and that agree with what libpcap derived (cap_pf_open()),
 *    and it decides nothing about a record that libpcap would handle in any
 *    other way than "return it as it is in the file": a record header or body
 *    cut short by the end of the file, or a captured length above the
 *    snapshot length or libpcap's maximum, ends the fast path there. The
 *    handle's FILE is then positioned at that record and pcap_next_ex()
 *    continues, so its truncation and length errors (and a clean end) are
 *    libpcap's own, by construction. So is a file that grew after the open:
 *    its tail is read by libpcap.
 *  - Per record it does what libpcap 1.10's sf-pcap.c does for these files:
 *    header fields in the file's byte order; seconds and fraction are
 *    signed 32-bit values, or unsigned ones when the file's byte order is
 *    not ours (an accident of libpcap's byte swap, kept); microseconds are
 *    scaled to nanoseconds; captured and original lengths are exchanged for
 *    versions before 2.3, and for 2.3 when caplen > len. Link types whose
 *    record data libpcap rewrites (USB, NFLOG, PFLOG, and Linux cooked
 *    capture from a host of the other byte order, whose SocketCAN headers
 *    are swapped) are never taken.
 *  - Every byte of the file is read through a struct cursor (STYLE.md 4)
 *    over buf[pos, len), which holds the file's bytes from offset
 *    buf_off + pos on; `pos` only advances over a record returned whole.
 *  - A record handed out stays valid until the next cap_pf_next() or
 *    cap_pf_close() (the refill moves the unread tail to the front of the
 *    buffer), as libpcap's do until the next pcap_next_ex(). The buffer holds
 *    any record we take: CAP_PF_BUF > 16 + CAP_PF_MAX_CAPLEN.
 */
#include <config.h>

#include "capture/pcapfile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "decode/cursor.h"
#include "util/xalloc.h"

#define PF_MAGIC_US     0xa1b2c3d4u
#define PF_MAGIC_NS     0xa1b23c4du
#define PF_FILE_HDR_LEN 24u
#define PF_REC_HDR_LEN  16u
#define PF_ERR_SIZE     256
#define CAP_PF_BUF      (1024u * 1024u) /* bytes per pread(); holds the largest record */

_Static_assert(CAP_PF_BUF > PF_REC_HDR_LEN + CAP_PF_MAX_CAPLEN, "a record must fit the buffer");

/* Link types (DLT_* values on Linux, as pcap_datalink() reports them). */
#define PF_DLT_NULL       0
#define PF_DLT_EN10MB     1
#define PF_DLT_RAW        12
#define PF_DLT_LOOP       108
#define PF_DLT_LINUX_SLL  113
#define PF_DLT_IPV4       228
#define PF_DLT_IPV6       229
#define PF_DLT_LINUX_SLL2 276

/* libpcap's lengths_swapped: how caplen and len are stored in old versions. */
enum pf_lengths {
    PF_LEN_AS_IS,   /* 2.4 */
    PF_LEN_MAYBE,   /* 2.3: exchanged when caplen > len */
    PF_LEN_SWAPPED, /* 2.0 - 2.2 */
};

struct cap_pf {
    FILE *f;        /* the libpcap handle's stream (borrowed) */
    int fd;         /* its descriptor, read with pread() (the FILE position is not used) */
    uint8_t *buf;   /* CAP_PF_BUF bytes; owned */
    off_t buf_off;  /* file offset of buf[0] */
    size_t pos;     /* start of the first record not returned */
    size_t len;     /* bytes of buf holding file data */
    bool eof;       /* pread() returned 0: nothing more behind buf[len) */
    bool be;            /* the file's byte order */
    bool swapped;       /* be differs from our byte order */
    bool ns;            /* nanosecond magic; else microseconds, scaled */
    enum pf_lengths lengths;
    uint32_t max_caplen; /* min(libpcap's snapshot length, CAP_PF_MAX_CAPLEN) */
    bool handed_over;    /* the fast path is over: libpcap reads on */
    bool failed;
    char err[PF_ERR_SIZE];
};

/*
 * True for a link type whose record data libpcap 1.10 hands out unchanged
 * (pcap_next_packet's swap_pseudo_headers()) and whose maximum captured
 * length is MAXIMUM_SNAPLEN. Linux cooked captures are swapped for SocketCAN
 * payloads when the file comes from a host of the other byte order.
 */
static bool
pf_dlt_untouched(int dlt, bool swapped)
{
    switch (dlt) {
    case PF_DLT_NULL:
    case PF_DLT_EN10MB:
    case PF_DLT_RAW:
    case PF_DLT_LOOP:
    case PF_DLT_IPV4:
    case PF_DLT_IPV6:
        return true;
    case PF_DLT_LINUX_SLL:
    case PF_DLT_LINUX_SLL2:
        return !swapped;
    default:
        return false;
    }
}

static inline uint32_t
pf_swap32(uint32_t v)
{
    return v >> 24 | (v >> 8 & 0xff00u) | (v << 8 & 0xff0000u) | v << 24;
}

static uint32_t
pf_u32(struct cursor *c, bool be)
{
    return be ? cursor_be32(c) : cursor_le32(c);
}

static uint16_t
pf_u16(struct cursor *c, bool be)
{
    return be ? cursor_be16(c) : cursor_le16(c);
}

/* Parses the file header; false if it is not one we take or differs from libpcap's view of it. */
static bool
pf_header(struct cap_pf *r, pcap_t *p)
{
    struct cursor c = cursor_make(r->buf, r->len);
    struct cursor peek = c;
    uint32_t magic = cursor_le32(&peek);

    if (magic == PF_MAGIC_US || magic == PF_MAGIC_NS) {
        r->be = false;
    } else {
        peek = c;
        magic = cursor_be32(&peek);
        if (magic != PF_MAGIC_US && magic != PF_MAGIC_NS)
            return false; /* Kuznetzov's modified format and everything else: libpcap's */
        r->be = true;
    }
    r->ns = magic == PF_MAGIC_NS;
    (void)pf_u32(&c, r->be);
    uint16_t major = pf_u16(&c, r->be);
    uint16_t minor = pf_u16(&c, r->be);
    (void)pf_u32(&c, r->be); /* thiszone: libpcap ignores it */
    (void)pf_u32(&c, r->be); /* sigfigs */
    (void)pf_u32(&c, r->be); /* snaplen: libpcap's adjusted value is used below */
    (void)pf_u32(&c, r->be); /* linktype: libpcap's mapping to a DLT is used below */
    if (c.overrun || major != 2 || minor > 4)
        return false;
    r->lengths = minor < 3 ? PF_LEN_SWAPPED : minor == 3 ? PF_LEN_MAYBE : PF_LEN_AS_IS;

    bool swapped = r->be == cursor_host_is_le();
    r->swapped = swapped;
    int snap = pcap_snapshot(p);
    if (pcap_major_version(p) != major || pcap_minor_version(p) != minor ||
        (pcap_is_swapped(p) != 0) != swapped || snap <= 0 ||
        pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_NANO ||
        !pf_dlt_untouched(pcap_datalink(p), swapped))
        return false;
    r->max_caplen = (uint32_t)snap < CAP_PF_MAX_CAPLEN ? (uint32_t)snap : CAP_PF_MAX_CAPLEN;
    r->pos = PF_FILE_HDR_LEN;
    return true;
}

/*
 * Moves the unread bytes buf[pos, len) to the front and reads behind them
 * until the buffer is full or the file ends. Records handed out before are
 * overwritten: only called when the caller holds none (cap_pf_next()).
 * returns 0, or -1 with r->err set (a read error: the fast path cannot go on).
 */
static int
pf_refill(struct cap_pf *r)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->buf_off += (off_t)r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    while (!r->eof && r->len < CAP_PF_BUF) {
        ssize_t n = pread(r->fd, r->buf + r->len, CAP_PF_BUF - r->len, r->buf_off + (off_t)r->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(r->err, sizeof(r->err), "read error: %s", strerror(errno));
            return -1;
        }
        if (n == 0)
            r->eof = true;
        r->len += (size_t)n;
    }
    return 0;
}

struct cap_pf *
cap_pf_open(pcap_t *p)
{
    struct cap_pf *r = NULL;
    struct stat st;
    FILE *f = pcap_file(p);

    /* Exactly the file header read: the records start right behind it. */
    if (f == NULL || ftello(f) != (off_t)PF_FILE_HDR_LEN)
        return NULL;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size <= (off_t)PF_FILE_HDR_LEN)
        return NULL;
    r = xcalloc(1, sizeof(*r));
    r->f = f;
    r->fd = fileno(f);
    r->buf = xmalloc(CAP_PF_BUF);
    if (pf_refill(r) != 0 || !pf_header(r, p)) {
        cap_pf_close(r);
        return NULL;
    }
    return r;
}

/* Ends the fast path at file offset `off`: libpcap reads from there. */
static int
pf_handover(struct cap_pf *r, off_t off)
{
    r->handed_over = true;
    if (fseeko(r->f, off, SEEK_SET) != 0) {
        snprintf(r->err, sizeof(r->err), "cannot seek to offset %jd: %s", (intmax_t)off,
                 strerror(errno));
        r->failed = true;
        return -1;
    }
    return CAP_PF_LIBPCAP;
}

/* A read error in the fast path: handed to libpcap where we stand, which then meets it too. */
static int
pf_fail(struct cap_pf *r)
{
    return pf_handover(r, r->buf_off + (off_t)r->pos);
}

int
cap_pf_next(struct cap_pf *r, struct pcap_pkthdr *h, const uint8_t **d)
{
    if (r->failed)
        return -1;
    if (r->handed_over)
        return CAP_PF_LIBPCAP;

    /* The record handed out last is released by now: the buffer may move. */
    if (r->len - r->pos < PF_REC_HDR_LEN && !r->eof && pf_refill(r) != 0)
        return pf_fail(r);
    struct cursor c = cursor_make(r->buf + r->pos, r->len - r->pos);
    uint32_t f[4]; /* seconds, fraction, caplen, len */

    if (cursor_left(&c) < PF_REC_HDR_LEN) /* libpcap tells a clean end from a cut-short one */
        return pf_handover(r, r->buf_off + (off_t)r->pos);
    /* One copy in our byte order, swapped as a whole if need be: this runs for every record. */
    cursor_copy(&c, f, sizeof(f));
    if (r->swapped) {
        for (size_t i = 0; i < 4; i++)
            f[i] = pf_swap32(f[i]);
    }
    uint32_t sec = f[0], frac = f[1], caplen = f[2], len = f[3];
    if (r->lengths == PF_LEN_SWAPPED || (r->lengths == PF_LEN_MAYBE && caplen > len)) {
        uint32_t t = caplen;
        caplen = len;
        len = t;
    }
    /* Above the snapshot length libpcap cuts or refuses: its record, from here on. */
    if (caplen > r->max_caplen)
        return pf_handover(r, r->buf_off + (off_t)r->pos);
    if (cursor_left(&c) < caplen && !r->eof) {
        if (pf_refill(r) != 0)
            return pf_fail(r);
        c = cursor_make(r->buf + r->pos, r->len - r->pos);
        cursor_skip(&c, PF_REC_HDR_LEN);
    }
    if (cursor_left(&c) < caplen) /* a body cut short by the end of the file: libpcap's error */
        return pf_handover(r, r->buf_off + (off_t)r->pos);

    /*
     * libpcap 1.10 reads both time fields as bpf_int32, widened with their
     * sign, but its SWAPLONG() of a swapped file yields an unsigned value.
     */
    if (r->swapped) {
        h->ts.tv_sec = (time_t)sec;
        h->ts.tv_usec = (suseconds_t)frac;
    } else {
        h->ts.tv_sec = (time_t)(int32_t)sec;
        h->ts.tv_usec = (suseconds_t)(int32_t)frac;
    }
    if (!r->ns)
        h->ts.tv_usec *= 1000;
    h->caplen = caplen;
    h->len = len;
    *d = c.p;
    cursor_skip(&c, caplen);
    r->pos = r->len - cursor_left(&c);
    return 1;
}

const char *
cap_pf_geterr(const struct cap_pf *r)
{
    return r->err;
}

void
cap_pf_close(struct cap_pf *r)
{
    if (r == NULL)
        return;
    free(r->buf);
    free(r);
}
