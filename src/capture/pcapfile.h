/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_PCAPFILE_H
#define FLOWSTATE_PCAPFILE_H

#include <stdint.h>

#include <pcap/pcap.h>

/*
 * Buffered reader for classic pcap savefiles, used by the capture module
 * only. It reads the file that a libpcap handle has just opened in large
 * blocks with pread() and hands out records that point into its buffer,
 * saving libpcap's two fread() calls and its copy per record. libpcap stays the reference: the reader
 * returns exactly the records pcap_next_ex() would return, and for anything
 * it does not handle itself (a record cut short by the end of the file, a
 * captured length above the snapshot length or libpcap's maximum) it stops,
 * positions the handle's FILE at that record and lets pcap_next_ex() carry
 * on, so every error text and the end of file are libpcap's own.
 */
struct cap_pf;

/* Largest captured length libpcap 1.10 accepts for the link types we take (MAXIMUM_SNAPLEN). */
#define CAP_PF_MAX_CAPLEN 262144u

/* cap_pf_next(): the fast path is over; continue with pcap_next_ex() on the same handle. */
#define CAP_PF_LIBPCAP 0

/*
 * Takes over the reading of `p`, a handle from pcap_open_offline*() with
 * PCAP_TSTAMP_PRECISION_NANO that has read the file header and nothing else,
 * if the fast path applies: a regular file longer than its header;
 * one of the four standard magics (us or ns, either byte order); version
 * 2.0 to 2.4; a link type whose record data libpcap 1.10 never rewrites
 * (Ethernet, raw IP, IPv4, IPv6, BSD loopback, and Linux cooked capture
 * when the file has our byte order). Every header field must agree with
 * what libpcap derived from it. returns: owned, or NULL, and then p is
 * untouched and is read with pcap_next_ex() as usual. p must outlive the
 * reader.
 */
struct cap_pf *cap_pf_open(pcap_t *p) __attribute__((warn_unused_result));

/*
 * Next record: 1 = *h filled exactly as pcap_next_ex() on p would fill it
 * (tv_usec in nanoseconds), *d borrowed, valid until the next cap_pf_next()
 * or cap_pf_close();
 * CAP_PF_LIBPCAP = not read here: p's file is positioned at the first record
 * not returned, so pcap_next_ex(p) continues the file (it returns that
 * record, the error for it, or the end); this is final. -1 = the file could
 * not be positioned (message in cap_pf_geterr(); nothing more to read).
 * A read error in the fast path hands over to libpcap at the record it was
 * reading, so the error reported is libpcap's.
 */
int cap_pf_next(struct cap_pf *r, struct pcap_pkthdr *h, const uint8_t **d)
    __attribute__((warn_unused_result));

/* Last error (borrowed, valid until the next call). */
const char *cap_pf_geterr(const struct cap_pf *r);

/* Frees; p is not touched. NULL ok. */
void cap_pf_close(struct cap_pf *r);

#endif
