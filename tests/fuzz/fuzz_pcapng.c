/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_pcapng: flowstate's own pcapng reader (src/capture/pcapng.c), the one
 * capture.c falls back to when libpcap refuses a file, and that reads every
 * pcapng coming through a pipe.
 *
 * One input = a whole file, read from memory (fmemopen: no temporary file,
 * STYLE.md section 10). Inputs of odd length are read with the BPF filter
 * "tcp" (compiled per link type inside the reader), even ones without.
 * Invariants checked:
 *  - a refused open names the file in its message;
 *  - every record: data non-NULL unless caplen is 0, every captured byte
 *    readable (the tracker and a checksum read them all; ASan checks),
 *    caplen <= CAP_NG_MAX_RECORD, hdr.ts equal to ts_ns split in seconds and
 *    nanoseconds (a time libpcap would give after 2554 saturates), its block offset a multiple of 4, inside the input and
 *    after the previous record's;
 *  - cap_ng_filter() answers the same twice, and true without a filter;
 *  - an error message names the file and "pcapng block at offset"; after an
 *    error or the end every later call returns CAP_END;
 *  - against libpcap, the reference: when libpcap opens the same bytes,
 *    every record both readers return has the same lengths, bytes and time
 *    (as capture.c computes it from libpcap's header), and
 *    when libpcap reads the file to a clean end our reader returns exactly
 *    as many records and ends cleanly too (pcapng.h: the same records as
 *    libpcap wherever libpcap reads a file);
 *  - every record decoded and tracked (fuzz_decode.c's tracker), packet
 *    accounting checked at the end.
 */
#include <config.h>

#include "fuzz.h"

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture/capture.h"
#include "capture/pcapng.h"
#include "util/log.h"

#define FUZZ_NG_NAME "fuzz.pcapng"

/* Where the checksum of every captured byte goes, so the reads are not optimised away. */
static volatile uint64_t fuzz_ng_sink;

/* A libpcap handle on a second read of the same bytes, or NULL. */
static pcap_t *
ng_reference(const uint8_t *data, size_t size, FILE **fpp)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    FILE *fp = fmemopen((void *)(uintptr_t)data, size, "rb");
    pcap_t *p;

    *fpp = NULL;
    if (fp == NULL)
        return NULL;
    p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == NULL) {
        fclose(fp); /* on failure libpcap leaves the stream to the caller */
        return NULL;
    }
    *fpp = fp;
    return p;
}

/*
 * A libpcap record's time as capture.c makes it (cap_ts_ns, nanosecond
 * handle): clamped to 0 before the epoch and to UINT64_MAX after 2554, where
 * our reader saturates too; its struct timeval then differs from libpcap's,
 * which has room for any 64-bit time. libpcap's seconds are an unsigned
 * 64-bit count stored in a time_t, so a count past INT64_MAX (a 1-second
 * if_tsresol and a huge timestamp) arrives negative: ng_time_agrees()
 * accepts either end there (found by this harness, corpus file
 * crash-pcapng-63e6be12).
 */
static uint64_t
ng_ref_ns(const struct pcap_pkthdr *h)
{
    uint64_t sec, frac;

    if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0)
        return 0;
    sec = (uint64_t)h->ts.tv_sec;
    frac = (uint64_t)h->ts.tv_usec;
    if (sec > (UINT64_MAX - frac) / 1000000000u)
        return UINT64_MAX;
    return sec * 1000000000u + frac;
}

/* Our record's time against libpcap's, as above. */
static bool
ng_time_agrees(const struct pcap_pkthdr *h, uint64_t ts_ns)
{
    if (h->ts.tv_sec < 0)
        return ts_ns == 0 || ts_ns == UINT64_MAX;
    return ng_ref_ns(h) == ts_ns;
}

int
fuzz_pcapng_one(const uint8_t *data, size_t size)
{
    const char *filter = (size & 1) ? "tcp" : NULL;
    char err[ERRBUF_SIZE];
    struct fuzz_tracker *tr;
    struct cap_ng_rec rec;
    struct cap_ng *r;
    uint64_t n = 0, last_off = 0, sum = 0;
    bool ref_live, ref_clean = false;
    FILE *fp, *rfp;
    pcap_t *ref;
    int rc;

    /* fmemopen refuses a zero size; cap_ng_fopen(NULL) is its own refusal */
    fp = size > 0 ? fmemopen((void *)(uintptr_t)data, size, "rb") : NULL;
    err[0] = '\0';
    r = cap_ng_fopen(fp, FUZZ_NG_NAME, filter, err);
    if (r == NULL) {
        FUZZ_ASSERT(strncmp(err, FUZZ_NG_NAME ": ", sizeof(FUZZ_NG_NAME ": ") - 1) == 0);
        return 0;
    }
    ref = ng_reference(data, size, &rfp);
    ref_live = ref != NULL;
    tr = fuzz_tracker_new(8, (int)(size & 2));
    for (;;) {
        struct pcap_pkthdr *rh = NULL;
        const u_char *rd = NULL;
        int rr = 0;

        rc = cap_ng_next(r, &rec);
        if (ref_live) {
            rr = pcap_next_ex(ref, &rh, &rd);
            /* libpcap gave a record: so do we */
            FUZZ_ASSERT(rr != 1 || rc == 1);
            if (rr != 1) {
                ref_live = false;
                ref_clean = rr == PCAP_ERROR_BREAK;
                FUZZ_ASSERT(!ref_clean || rc == CAP_END);
            }
        }
        if (rc != 1)
            break;
        n++;
        FUZZ_ASSERT(rec.hdr.caplen <= CAP_NG_MAX_RECORD);
        FUZZ_ASSERT(rec.data != NULL || rec.hdr.caplen == 0);
        FUZZ_ASSERT((uint64_t)rec.hdr.ts.tv_sec == rec.ts_ns / 1000000000u);
        FUZZ_ASSERT((uint64_t)rec.hdr.ts.tv_usec == rec.ts_ns % 1000000000u);
        FUZZ_ASSERT(rec.offset % 4 == 0 && rec.offset + 12 <= size);
        FUZZ_ASSERT(n == 1 || rec.offset > last_off);
        last_off = rec.offset;
        for (uint32_t i = 0; i < rec.hdr.caplen; i++)
            sum += rec.data[i];
        bool pass = cap_ng_filter(r, &rec);
        FUZZ_ASSERT(pass == cap_ng_filter(r, &rec));
        FUZZ_ASSERT(filter != NULL || pass);
        if (ref_live) {
            FUZZ_ASSERT(rh->caplen == rec.hdr.caplen && rh->len == rec.hdr.len);
            FUZZ_ASSERT(ng_time_agrees(rh, rec.ts_ns));
            FUZZ_ASSERT(rec.hdr.caplen == 0 || memcmp(rd, rec.data, rec.hdr.caplen) == 0);
            FUZZ_ASSERT(pcap_datalink(ref) == rec.dlt);
        }
        fuzz_tracker_feed(tr, rec.dlt, rec.data, rec.hdr.caplen, rec.hdr.len, rec.ts_ns);
    }
    if (rc == -1) {
        const char *e = cap_ng_geterr(r);

        FUZZ_ASSERT(strncmp(e, FUZZ_NG_NAME ": pcapng block at offset ",
                            sizeof(FUZZ_NG_NAME ": pcapng block at offset ") - 1) == 0);
    } else {
        FUZZ_ASSERT(rc == CAP_END);
    }
    /* libpcap read the whole file cleanly: so did we, record for record */
    FUZZ_ASSERT(!ref_clean || rc == CAP_END);
    FUZZ_ASSERT(cap_ng_next(r, &rec) == CAP_END);
    FUZZ_ASSERT(cap_ng_next(r, &rec) == CAP_END);
    FUZZ_ASSERT(fuzz_tracker_pkts(tr) == n);
    fuzz_tracker_finish(tr);
    if (ref != NULL)
        pcap_close(ref); /* closes rfp */
    cap_ng_close(r);
    fuzz_ng_sink = sum;
    return 0;
}

#ifdef FUZZ_TARGET_PCAPNG
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_pcapng_one(data, size);
}
#endif
