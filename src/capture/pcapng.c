/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapng: a small reader for pcapng files that libpcap refuses, owned by the
 * capture module (capture.c falls back to it; nothing else calls it).
 *
 * Format: the pcapng draft (draft-ietf-opsawg-pcapng), sections 3 (general
 * block structure), 4.1 (Section Header Block), 4.2 (Interface Description
 * Block), 4.3 (Enhanced Packet Block), 4.4 (Simple Packet Block) and
 * appendix A (the obsolete Packet Block, type 2).
 *
 * Invariants:
 *  - A whole block is read into `buf` before any field is parsed, and every
 *    field is read through a struct cursor over that block (STYLE.md 4), in
 *    the byte order of the current section. buf never grows beyond
 *    CAP_NG_MAX_BLOCK, whatever the file says about snapshot lengths.
 *  - Interfaces belong to a section: a Section Header Block empties the list
 *    and may switch the byte order (each section declares its own).
 *  - After the first error `done` is set and nothing more is read.
 *  - The BPF filter is compiled once per link type (lazily, when an
 *    Interface Description Block declares it) on a pcap_open_dead() handle;
 *    interfaces refer to their program by index.
 */
#include <config.h>

#include "capture/pcapng.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "decode/cursor.h"
#include "util/log.h"
#include "util/xalloc.h"

#define NG_BT_SHB       0x0A0D0D0Au /* palindromic: the same in both byte orders */
#define NG_BT_IDB       1u
#define NG_BT_PB        2u /* obsolete Packet Block */
#define NG_BT_SPB       3u
#define NG_BT_ISB       5u
#define NG_BT_EPB       6u
#define NG_BOM          0x1A2B3C4Du
#define NG_OPT_END      0u
#define NG_OPT_TSRESOL  9u
#define NG_OPT_TSOFFSET 14u
#define NG_OPT_IFDROP   5u /* 4.6 isb_ifdrop: packets dropped by the interface */
#define NG_OPT_OSDROP   7u /* 4.6 isb_osdrop: packets dropped by the OS (the capture buffer) */
#define NG_SHB_MIN      28u /* header 8 + BOM 4 + version 4 + section length 8 + trailer 4 */
#define NG_NS_PER_SEC   1000000000ULL
#define NG_FILTER_SNAP  262144
#define NG_NO_PROG      (-1)

struct ng_iface {
    int dlt;
    uint16_t linktype;
    uint32_t snaplen; /* 0: no limit */
    bool res_bin;     /* time unit 2^-res_exp s, else 10^-res_exp s */
    uint8_t res_exp;
    int64_t tsoffset; /* seconds added to every timestamp */
    int32_t prog;     /* index into progs, or NG_NO_PROG (no filter) */
    uint64_t drops;   /* isb_ifdrop + isb_osdrop of its latest Interface Statistics Block */
    uint64_t isb_ns;  /* timestamp of that block; 0: none yet */
};

struct ng_prog {
    bool ok; /* compiled; false: the filter cannot match this link type */
    struct bpf_program bpf;
};

struct cap_ng {
    FILE *f;
    char *name;
    bool be; /* byte order of the current section */
    bool done;
    uint64_t off;     /* file offset of the next block */
    uint64_t blk_off; /* file offset of the block being parsed */
    uint8_t *buf;
    size_t buf_size;
    struct ng_iface *ifs;
    size_t n_if, cap_if;
    int first_dlt;
    uint32_t first_snaplen;
    bool have_first;
    char *filter;        /* NULL: none */
    int32_t *prog_of_lt; /* linktype -> index into progs, NG_NO_PROG: not compiled yet */
    struct ng_prog *progs;
    size_t n_progs;
    uint64_t drops;      /* rises of the interfaces' drop counters, summed (cap_ng_drops) */
    uint64_t loss_since; /* earliest start of a loss interval not yet taken; 0: none */
    char err[CAP_NG_ERR_SIZE];
};

/* Sets the error, naming the file and the offset of the current block; returns -1. */
static int ng_fail(struct cap_ng *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
ng_fail(struct cap_ng *r, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(r->err, sizeof(r->err), "%s: pcapng block at offset %" PRIu64 ": %s", r->name,
             r->blk_off, msg);
    r->done = true;
    return -1;
}

static uint16_t
ng_u16(const struct cap_ng *r, struct cursor *c)
{
    return r->be ? cursor_be16(c) : cursor_le16(c);
}

static uint32_t
ng_u32(const struct cap_ng *r, struct cursor *c)
{
    return r->be ? cursor_be32(c) : cursor_le32(c);
}

static uint64_t
ng_u64(const struct cap_ng *r, struct cursor *c)
{
    uint32_t a = ng_u32(r, c);
    uint32_t b = ng_u32(r, c);

    return r->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

int
cap_ng_linktype_to_dlt(uint32_t linktype)
{
    /*
     * LINKTYPE_* values equal the DLT_* values except below 104, where a few
     * DLT_* numbers differ between operating systems (pcap/dlt.h).
     */
    switch (linktype) {
    case 100:
        return DLT_ATM_RFC1483;
    case 101:
        return DLT_RAW;
    case 102:
        return DLT_SLIP_BSDOS;
    case 103:
        return DLT_PPP_BSDOS;
    case 106:
        return DLT_ATM_CLIP;
    default:
        return (int)linktype;
    }
}

/*
 * Reads exactly n bytes into dst. Returns n, or the number of bytes read
 * before end of file, or -1 on a read error (message set).
 */
static long
ng_read(struct cap_ng *r, uint8_t *dst, size_t n)
{
    size_t got = fread(dst, 1, n, r->f);

    if (got < n && ferror(r->f))
        return ng_fail(r, "read error: %s", strerror(errno != 0 ? errno : EIO));
    return (long)got;
}

static void
ng_reserve(struct cap_ng *r, size_t n)
{
    if (n <= r->buf_size)
        return;
    r->buf = xreallocarray(r->buf, n, 1);
    r->buf_size = n;
}

/*
 * Reads the next whole block into buf. Returns 1 (block in buf[0..*len)),
 * CAP_END (end of file exactly at a block boundary) or -1.
 */
static int
ng_read_block(struct cap_ng *r, uint32_t *type, uint32_t *len)
{
    uint8_t hdr[12];
    struct cursor c;
    size_t have = 8;
    long got;

    r->blk_off = r->off;
    errno = 0;
    if ((got = ng_read(r, hdr, 8)) < 0)
        return -1;
    if (got == 0)
        return CAP_END;
    if (got < 8)
        return ng_fail(r, "truncated block header: %ld of 8 bytes", got);
    c = cursor_make(hdr, 8);
    *type = cursor_be32(&c); /* only compared with the palindromic SHB type here */
    if (r->blk_off == 0 && *type != NG_BT_SHB)
        return ng_fail(r, "not a pcapng file (no Section Header Block)");
    if (*type == NG_BT_SHB) {
        /* pcapng 4.1: the byte-order magic decides how to read the length. */
        if ((got = ng_read(r, hdr + 8, 4)) < 0)
            return -1;
        if (got < 4)
            return ng_fail(r, "truncated Section Header Block");
        have = 12;
        c = cursor_make(hdr + 8, 4);
        uint32_t bom = cursor_be32(&c);
        if (bom == NG_BOM)
            r->be = true;
        else if (bom == 0x4D3C2B1Au)
            r->be = false;
        else
            return ng_fail(r, "bad byte-order magic 0x%08" PRIx32, bom);
    }
    c = cursor_make(hdr, 8);
    *type = ng_u32(r, &c);
    *len = ng_u32(r, &c);
    /* pcapng 3.1: total length includes header and trailer and is a multiple of 4. */
    if (*len < 12)
        return ng_fail(r, "block length %" PRIu32 " < 12", *len);
    if (*len % 4 != 0)
        return ng_fail(r, "block length %" PRIu32 " is not a multiple of 4", *len);
    if (*len > CAP_NG_MAX_BLOCK)
        return ng_fail(r, "block length %" PRIu32 " > %u", *len, CAP_NG_MAX_BLOCK);
    if (*type == NG_BT_SHB && (*len < NG_SHB_MIN || *len > CAP_NG_MAX_SHB))
        return ng_fail(r, "Section Header Block length %" PRIu32 " outside %u..%u", *len,
                       NG_SHB_MIN, CAP_NG_MAX_SHB);
    ng_reserve(r, *len);
    memcpy(r->buf, hdr, have);
    if ((got = ng_read(r, r->buf + have, *len - have)) < 0)
        return -1;
    if ((size_t)got < *len - have)
        return ng_fail(r, "truncated block: %zu of %" PRIu32 " bytes", have + (size_t)got, *len);
    c = cursor_make(r->buf + *len - 4, 4);
    uint32_t trailer = ng_u32(r, &c);
    if (trailer != *len)
        return ng_fail(r, "trailing block length %" PRIu32 " != leading %" PRIu32, trailer, *len);
    r->off += *len;
    return 1;
}

/* Index of the filter program for a link type, compiling it on first use. */
static int32_t
ng_prog_for(struct cap_ng *r, uint16_t linktype, int dlt)
{
    pcap_t *dead;
    struct ng_prog *pr;

    if (r->filter == NULL)
        return NG_NO_PROG;
    if (r->prog_of_lt == NULL) {
        r->prog_of_lt = xreallocarray(NULL, 65536, sizeof(*r->prog_of_lt));
        for (size_t i = 0; i < 65536; i++)
            r->prog_of_lt[i] = NG_NO_PROG;
    }
    if (r->prog_of_lt[linktype] != NG_NO_PROG)
        return r->prog_of_lt[linktype];
    r->progs = xreallocarray(r->progs, r->n_progs + 1, sizeof(*r->progs));
    pr = &r->progs[r->n_progs];
    memset(pr, 0, sizeof(*pr));
    dead = pcap_open_dead_with_tstamp_precision(dlt, NG_FILTER_SNAP, PCAP_TSTAMP_PRECISION_NANO);
    if (dead != NULL) {
        pr->ok = pcap_compile(dead, &pr->bpf, r->filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
        pcap_close(dead);
    }
    r->prog_of_lt[linktype] = (int32_t)r->n_progs;
    return (int32_t)r->n_progs++;
}

/* pcapng 4.1. Fields after the byte-order magic; the block is in buf. */
static int
ng_shb(struct cap_ng *r, struct cursor *body)
{
    (void)ng_u32(r, body); /* byte-order magic, checked in ng_read_block() */
    uint16_t major = ng_u16(r, body);
    uint16_t minor = ng_u16(r, body);
    if (body->overrun)
        return ng_fail(r, "truncated Section Header Block");
    /* libpcap accepts 1.0 and 1.2 (the latter written by some old tools). */
    if (major != 1 || (minor != 0 && minor != 2))
        return ng_fail(r, "unsupported pcapng version %u.%u", major, minor);
    r->n_if = 0; /* section length and options are not needed */
    return 0;
}

/* pcapng 4.2. */
static int
ng_idb(struct cap_ng *r, struct cursor *body)
{
    struct ng_iface ifc;

    memset(&ifc, 0, sizeof(ifc));
    ifc.linktype = ng_u16(r, body);
    (void)ng_u16(r, body); /* reserved */
    ifc.snaplen = ng_u32(r, body);
    if (body->overrun)
        return ng_fail(r, "Interface Description Block too short");
    ifc.res_exp = 6; /* 4.2: default if_tsresol is 10^-6 */
    while (cursor_left(body) > 0) {
        uint16_t code = ng_u16(r, body);
        uint16_t olen = ng_u16(r, body);
        if (body->overrun)
            return ng_fail(r, "truncated option header");
        if (code == NG_OPT_END)
            break;
        struct cursor val = cursor_sub(body, olen);
        cursor_skip(body, (4u - olen % 4u) % 4u); /* 3.5: values are padded to 32 bits */
        if (body->overrun)
            return ng_fail(r, "option %u length %u runs past the block", code, olen);
        if (code == NG_OPT_TSRESOL) {
            if (olen != 1)
                return ng_fail(r, "if_tsresol length %u != 1", olen);
            uint8_t v = cursor_u8(&val);
            ifc.res_bin = (v & 0x80) != 0;
            ifc.res_exp = (uint8_t)(v & 0x7f);
            /* The unit must fit in 64 bits: 10^19 and 2^63 are the largest. */
            if ((ifc.res_bin && ifc.res_exp > 63) || (!ifc.res_bin && ifc.res_exp > 19))
                return ng_fail(r, "unsupported if_tsresol 0x%02x", v);
        } else if (code == NG_OPT_TSOFFSET) {
            if (olen != 8)
                return ng_fail(r, "if_tsoffset length %u != 8", olen);
            ifc.tsoffset = (int64_t)ng_u64(r, &val);
        }
    }
    if (r->n_if >= CAP_NG_MAX_IFACES)
        return ng_fail(r, "more than %u interfaces in one section", CAP_NG_MAX_IFACES);
    ifc.dlt = cap_ng_linktype_to_dlt(ifc.linktype);
    ifc.prog = ng_prog_for(r, ifc.linktype, ifc.dlt);
    if (r->n_if == r->cap_if) {
        r->cap_if = r->cap_if == 0 ? 8 : r->cap_if * 2;
        r->ifs = xreallocarray(r->ifs, r->cap_if, sizeof(*r->ifs));
    }
    r->ifs[r->n_if++] = ifc;
    if (!r->have_first) {
        r->first_dlt = ifc.dlt;
        r->first_snaplen = ifc.snaplen;
        r->have_first = true;
    }
    return 0;
}

static uint64_t
ng_add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
ng_mul_sat(uint64_t a, uint64_t b)
{
    return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* Timestamp units of interface ifc -> ns since the epoch, saturating at 0 and UINT64_MAX. */
static uint64_t
ng_ts_ns(const struct ng_iface *ifc, uint64_t units)
{
    uint64_t ns;

    if (ifc->res_bin) {
        unsigned e = ifc->res_exp;
        uint64_t sec = units >> e;
        uint64_t frac = e == 0 ? 0 : units & ((UINT64_C(1) << e) - 1);
        /* frac < 2^e; keep frac * 10^9 below 2^64 by dropping bits below 2^-34 s. */
        if (e > 34) {
            frac >>= e - 34;
            e = 34;
        }
        ns = ng_add_sat(ng_mul_sat(sec, NG_NS_PER_SEC), (frac * NG_NS_PER_SEC) >> e);
    } else {
        uint64_t p = 1;
        if (ifc->res_exp <= 9) {
            for (unsigned i = ifc->res_exp; i < 9; i++)
                p *= 10;
            ns = ng_mul_sat(units, p);
        } else {
            for (unsigned i = 9; i < ifc->res_exp; i++)
                p *= 10;
            ns = units / p;
        }
    }
    if (ifc->tsoffset >= 0) {
        ns = ng_add_sat(ns, ng_mul_sat((uint64_t)ifc->tsoffset, NG_NS_PER_SEC));
    } else {
        /* -(x + 1) + 1 avoids negating INT64_MIN. */
        uint64_t back = ng_mul_sat((uint64_t)(-(ifc->tsoffset + 1)) + 1u, NG_NS_PER_SEC);
        ns = ns > back ? ns - back : 0;
    }
    return ns;
}

static int
ng_iface_of(struct cap_ng *r, uint32_t id, const struct ng_iface **ifc)
{
    if (r->n_if == 0)
        return ng_fail(r, "packet before any Interface Description Block");
    if (id >= r->n_if)
        return ng_fail(r, "interface id %" PRIu32 " out of range (%zu interfaces)", id, r->n_if);
    *ifc = &r->ifs[id];
    return 0;
}

/*
 * Fills rec from a packet of interface ifc whose captured bytes start at
 * body. caplen has been checked against the block already.
 */
static int
ng_record(struct cap_ng *r, const struct ng_iface *ifc, uint32_t id, uint64_t units,
          uint32_t caplen, uint32_t wirelen, struct cursor *body, struct cap_ng_rec *rec)
{
    /* libpcap cuts records longer than the snapshot length. */
    if (ifc->snaplen != 0 && caplen > ifc->snaplen)
        caplen = ifc->snaplen;
    if (caplen > CAP_NG_MAX_RECORD)
        return ng_fail(r, "captured length %" PRIu32 " > %u", caplen, CAP_NG_MAX_RECORD);
    memset(rec, 0, sizeof(*rec));
    rec->data = body->p;
    rec->ts_ns = ng_ts_ns(ifc, units);
    rec->dlt = ifc->dlt;
    rec->iface = id;
    rec->offset = r->blk_off;
    rec->hdr.ts.tv_sec = (time_t)(rec->ts_ns / NG_NS_PER_SEC);
    rec->hdr.ts.tv_usec = (suseconds_t)(rec->ts_ns % NG_NS_PER_SEC);
    rec->hdr.caplen = caplen;
    rec->hdr.len = wirelen;
    return 1;
}

/* pcapng 4.3 (Enhanced Packet Block) and appendix A (Packet Block). */
static int
ng_epb(struct cap_ng *r, struct cursor *body, bool obsolete, struct cap_ng_rec *rec)
{
    const struct ng_iface *ifc = NULL;
    uint32_t id;

    if (obsolete) {
        id = ng_u16(r, body);
        (void)ng_u16(r, body); /* drops count */
    } else {
        id = ng_u32(r, body);
    }
    uint32_t hi = ng_u32(r, body);
    uint32_t lo = ng_u32(r, body);
    uint32_t caplen = ng_u32(r, body);
    uint32_t wirelen = ng_u32(r, body);
    if (body->overrun)
        return ng_fail(r, "%s Block too short", obsolete ? "Packet" : "Enhanced Packet");
    if (ng_iface_of(r, id, &ifc) != 0)
        return -1;
    if (caplen > cursor_left(body))
        return ng_fail(r, "captured length %" PRIu32 " > %zu bytes left in the block", caplen,
                       cursor_left(body));
    return ng_record(r, ifc, id, (uint64_t)hi << 32 | lo, caplen, wirelen, body, rec);
}

/* pcapng 4.4: interface 0, no timestamp, captured length implied. */
static int
ng_spb(struct cap_ng *r, struct cursor *body, struct cap_ng_rec *rec)
{
    const struct ng_iface *ifc = NULL;
    uint32_t wirelen = ng_u32(r, body);
    if (body->overrun)
        return ng_fail(r, "Simple Packet Block too short");
    if (ng_iface_of(r, 0, &ifc) != 0)
        return -1;
    size_t room = cursor_left(body);
    uint32_t caplen = wirelen;
    if (caplen > room)
        caplen = (uint32_t)room; /* room < CAP_NG_MAX_BLOCK */
    return ng_record(r, ifc, 0, 0, caplen, wirelen, body, rec);
}

/*
 * pcapng 4.6. The drop counters are cumulative per interface: a block whose
 * isb_ifdrop + isb_osdrop is above the interface's previous block's opens a
 * loss interval from that previous block's timestamp (from the start of the
 * capture for the first block) to this one's. libpcap skips these blocks, so
 * a malformed one is skipped too: never an error.
 */
static void
ng_isb(struct cap_ng *r, struct cursor *body)
{
    uint32_t id = ng_u32(r, body);
    uint32_t hi = ng_u32(r, body);
    uint32_t lo = ng_u32(r, body);
    uint64_t drops = 0;
    bool have = false;

    if (body->overrun || id >= r->n_if)
        return;
    while (cursor_left(body) > 0) {
        uint16_t code = ng_u16(r, body);
        uint16_t olen = ng_u16(r, body);
        if (body->overrun || code == NG_OPT_END)
            break;
        struct cursor val = cursor_sub(body, olen);
        cursor_skip(body, (4u - olen % 4u) % 4u);
        if (body->overrun)
            return;
        if ((code == NG_OPT_IFDROP || code == NG_OPT_OSDROP) && olen == 8) {
            drops += ng_u64(r, &val);
            have = true;
        }
    }
    struct ng_iface *ifc = &r->ifs[id];
    uint64_t ts = ng_ts_ns(ifc, (uint64_t)hi << 32 | lo);
    if (have && drops > ifc->drops) {
        uint64_t since = ifc->isb_ns != 0 ? ifc->isb_ns : 1; /* 1: the start of the capture */
        r->drops += drops - ifc->drops;
        if (r->loss_since == 0 || since < r->loss_since)
            r->loss_since = since;
    }
    if (have)
        ifc->drops = drops; /* a counter that fell (a restart) is the new base */
    ifc->isb_ns = ts != 0 ? ts : 1;
}

/*
 * Reads blocks until a packet (1), end of file (CAP_END) or an error (-1).
 * until_idb: stop with 0 after the first Interface Description Block, and
 * treat a packet before it as an error (the open).
 */
static int
ng_advance(struct cap_ng *r, struct cap_ng_rec *rec, bool until_idb)
{
    if (r->done)
        return CAP_END;
    for (;;) {
        uint32_t type, len;
        int rc = ng_read_block(r, &type, &len);
        if (rc != 1) {
            r->done = true;
            return rc;
        }
        struct cursor body = cursor_make(r->buf + 8, len - 12);
        switch (type) {
        case NG_BT_SHB:
            rc = ng_shb(r, &body);
            break;
        case NG_BT_IDB:
            rc = ng_idb(r, &body);
            if (rc == 0 && until_idb)
                return 0;
            break;
        case NG_BT_EPB:
        case NG_BT_PB:
            if (until_idb)
                return ng_fail(r, "packet before any Interface Description Block");
            rc = ng_epb(r, &body, type == NG_BT_PB, rec);
            break;
        case NG_BT_SPB:
            if (until_idb)
                return ng_fail(r, "packet before any Interface Description Block");
            rc = ng_spb(r, &body, rec);
            break;
        case NG_BT_ISB:
            ng_isb(r, &body);
            rc = 0;
            break;
        default:
            rc = 0; /* 3.1: unknown block types are skipped */
            break;
        }
        if (rc != 0)
            return rc;
    }
}

struct cap_ng *
cap_ng_fopen(FILE *fp, const char *name, const char *filter, char *err)
{
    struct cap_ng *r = xcalloc(1, sizeof(*r));
    struct cursor body;
    uint32_t type, len;
    int rc;

    r->f = fp;
    r->name = xstrdup(name);
    r->filter = filter != NULL ? xstrdup(filter) : NULL;
    if (fp == NULL) {
        errbuf_printf(err, "%s: cannot open", name);
        goto fail;
    }
    /* The file must start with a Section Header Block (pcapng 3.1). */
    rc = ng_read_block(r, &type, &len);
    if (rc == CAP_END) {
        errbuf_printf(err, "%s: empty file", name);
        goto fail;
    }
    if (rc != 1) {
        errbuf_printf(err, "%s", r->err);
        goto fail;
    }
    body = cursor_make(r->buf + 8, len - 12);
    if (ng_shb(r, &body) != 0) {
        errbuf_printf(err, "%s", r->err);
        goto fail;
    }
    rc = ng_advance(r, NULL, true);
    if (rc == CAP_END) {
        errbuf_printf(err, "%s: no Interface Description Block", name);
        goto fail;
    }
    if (rc != 0) {
        errbuf_printf(err, "%s", r->err);
        goto fail;
    }
    return r;
fail:
    cap_ng_close(r);
    return NULL;
}

int
cap_ng_next(struct cap_ng *r, struct cap_ng_rec *rec)
{
    return ng_advance(r, rec, false);
}

bool
cap_ng_filter(const struct cap_ng *r, const struct cap_ng_rec *rec)
{
    if (r->filter == NULL || rec->iface >= r->n_if)
        return true;
    int32_t i = r->ifs[rec->iface].prog;
    if (i == NG_NO_PROG)
        return true;
    const struct ng_prog *pr = &r->progs[i];
    return pr->ok && pcap_offline_filter(&pr->bpf, &rec->hdr, rec->data) != 0;
}

int
cap_ng_datalink(const struct cap_ng *r)
{
    return r->first_dlt;
}

uint32_t
cap_ng_snaplen(const struct cap_ng *r)
{
    return r->first_snaplen;
}

const char *
cap_ng_geterr(const struct cap_ng *r)
{
    return r->err;
}

void
cap_ng_close(struct cap_ng *r)
{
    if (r == NULL)
        return;
    if (r->f != NULL)
        fclose(r->f);
    for (size_t i = 0; i < r->n_progs; i++) {
        if (r->progs[i].ok)
            pcap_freecode(&r->progs[i].bpf);
    }
    free(r->progs);
    free(r->prog_of_lt);
    free(r->ifs);
    free(r->buf);
    free(r->filter);
    free(r->name);
    free(r);
}

uint64_t
cap_ng_drops(const struct cap_ng *r)
{
    return r->drops;
}

uint64_t
cap_ng_take_loss(struct cap_ng *r)
{
    uint64_t since = r->loss_since;

    r->loss_since = 0;
    return since;
}
