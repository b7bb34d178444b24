/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_PCAPNG_H
#define FLOWSTATE_PCAPNG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

/*
 * Our own pcapng reader, used by the capture module only where libpcap
 * cannot read a pcapng file (libpcap 1.10 wants every interface of a file
 * to share one link type and one snapshot length). It reads Section Header,
 * Interface Description, Enhanced Packet, Simple Packet and obsolete Packet
 * blocks and skips every other block type. Each record carries the link type
 * of its own interface. Every byte of the file goes through cursor.h.
 *
 * Limits (those of libpcap's reader, plus a record cap): a block shorter
 * than 12 bytes, not a multiple of 4, longer than CAP_NG_MAX_BLOCK (a Section
 * Header Block: CAP_NG_MAX_SHB), or whose trailing length differs from its
 * leading one; a packet before any Interface Description Block of its
 * section, an interface id without a block, a captured length larger than
 * its block or than CAP_NG_MAX_RECORD: each ends the file with a message
 * naming the file and the block's offset. Records read before stay valid.
 * No buffer is ever sized from a snapshot length field.
 */
struct cap_ng;

#define CAP_NG_MAX_BLOCK  (16u * 1024u * 1024u) /* libpcap's initial block limit */
#define CAP_NG_MAX_SHB    (1024u * 1024u)       /* libpcap's Section Header Block limit */
#define CAP_NG_MAX_RECORD (256u * 1024u)        /* captured bytes of one record */
#define CAP_NG_MAX_IFACES 65536u                /* interfaces in one section */
#define CAP_NG_ERR_SIZE   512

/* One record. data is borrowed: valid until the next cap_ng_next()/cap_ng_close(). */
struct cap_ng_rec {
    struct pcap_pkthdr hdr; /* ts: seconds + nanoseconds in tv_usec; caplen; len */
    const uint8_t *data;
    uint64_t ts_ns;  /* ns since the epoch (tsresol and tsoffset applied) */
    int dlt;         /* DLT_* of this record's interface (libpcap numbering) */
    uint32_t iface;  /* interface id within its section */
    uint64_t offset; /* file offset of the record's block */
};

/*
 * Starts reading a pcapng file from fp (at its first byte): reads the first
 * Section Header Block and the blocks up to the first Interface Description
 * Block, like libpcap's open. `name` is used in messages. filter may be
 * NULL; otherwise it is compiled for each link type the file declares (a
 * link type it cannot be compiled for rejects all of its records: such a
 * filter cannot match them). consumes: fp (even on failure). returns: owned,
 * or NULL with err (ERRBUF_SIZE bytes) set.
 */
struct cap_ng *cap_ng_fopen(FILE *fp, const char *name, const char *filter, char *err)
    __attribute__((warn_unused_result));

/*
 * Next record, filtered or not: 1 = *rec filled, CAP_END (-2) = end of file,
 * -1 = bad or truncated file (message in cap_ng_geterr(); the file is over,
 * later calls return CAP_END).
 */
int cap_ng_next(struct cap_ng *r, struct cap_ng_rec *rec) __attribute__((warn_unused_result));

/* True if rec (the last one cap_ng_next() gave) passes the filter; no filter: true. */
bool cap_ng_filter(const struct cap_ng *r, const struct cap_ng_rec *rec);

/* DLT_* and snapshot length of the first interface of the file (0: unlimited). */
int cap_ng_datalink(const struct cap_ng *r);
uint32_t cap_ng_snaplen(const struct cap_ng *r);

/*
 * Interface Statistics Blocks (pcapng 4.6): cap_ng_drops() is the sum of the
 * rises of every interface's isb_ifdrop + isb_osdrop so far (each counter is
 * cumulative; a counter that falls is taken as the new base). cap_ng_take_loss()
 * returns the earliest start (capture time, ns; 1 = the start of the capture)
 * of the loss intervals read since the previous call, and 0 when there were
 * none: an interval runs from the interface's previous statistics block (or
 * the start) to the block whose drops rose.
 */
uint64_t cap_ng_drops(const struct cap_ng *r);
uint64_t cap_ng_take_loss(struct cap_ng *r);

/* Last error (borrowed, valid until the next call). */
const char *cap_ng_geterr(const struct cap_ng *r);

/* Closes the file and frees everything; NULL ok. */
void cap_ng_close(struct cap_ng *r);

/* The DLT_* value libpcap reports for a pcapng/pcap LINKTYPE_* value. */
int cap_ng_linktype_to_dlt(uint32_t linktype);

#endif
