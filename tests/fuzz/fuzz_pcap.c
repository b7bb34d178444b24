/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_pcap: bytes -> fmemopen() -> pcap_fopen_offline -> every record
 * decoded and tracked (fuzz.h tracker: flow table + TCP sessions), then the
 * packet accounting is checked: records read == sum of decoder outcomes, as
 * the stats record promises (pkts == filtered + sum(outcome); no filter here).
 *
 * The savefile is read from memory, never from a temporary file (STYLE.md
 * section 10). libpcap itself is not what is being fuzzed, but it parses the
 * container, so its answers (caplen, link type per record) feed the decoder
 * exactly as in `flowstate -r`.
 */
#include <config.h>

#include "fuzz.h"

#include <pcap/pcap.h>
#include <stdio.h>

#define FUZZ_PCAP_MAX_FLOWS 16

int
fuzz_pcap_one(const uint8_t *data, size_t size)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct fuzz_tracker *tr;
    struct pcap_pkthdr *h;
    const u_char *pkt;
    uint64_t records = 0;
    pcap_t *p;
    FILE *fp;
    int dlt, rc;

    /* glibc's fmemopen rejects a zero-sized buffer; libpcap would fail anyway. */
    if (size == 0)
        return 0;
    fp = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (fp == NULL)
        return 0;
    p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == NULL) {
        /* On failure libpcap leaves the stream to the caller. */
        fclose(fp);
        return 0;
    }
    dlt = pcap_datalink(p);
    tr = fuzz_tracker_new(FUZZ_PCAP_MAX_FLOWS, 1);
    while ((rc = pcap_next_ex(p, &h, &pkt)) == 1) {
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;

        /* libpcap bounds caplen by its own buffer; we only rely on that. */
        FUZZ_ASSERT(pkt != NULL || h->caplen == 0);
        records++;
        fuzz_tracker_feed(tr, dlt, pkt, h->caplen, h->len, ts);
        FUZZ_ASSERT(fuzz_tracker_pkts(tr) == records);
    }
    /* Savefiles end with PCAP_ERROR_BREAK (-2) or an error (-1), never 0. */
    FUZZ_ASSERT(rc == PCAP_ERROR_BREAK || rc == PCAP_ERROR);
    fuzz_tracker_finish(tr);
    pcap_close(p);
    return 0;
}

#ifdef FUZZ_TARGET_PCAP
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_pcap_one(data, size);
}
#endif
