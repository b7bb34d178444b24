/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_pcapfile: differential harness for flowstate's buffered pcap reader
 * (src/capture/pcapfile.c) against libpcap, its reference.
 *
 * The input bytes go to a memfd (a regular file that lives in memory, so
 * STYLE.md section 10's "never a temporary file" holds, and the reader's
 * pread() works on it), which is opened twice through /proc/self/fd, i.e.
 * with two independent file offsets. Handle A is read through cap_pf_next()
 * and, once the reader hands over, pcap_next_ex(); handle B through
 * pcap_next_ex() alone. Invariant: the two yield the same sequence of
 * return codes, record headers and record bytes, and the same error text at
 * the end. That is the reader's whole contract (pcapfile.h).
 */
#include <config.h>

#include "fuzz.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/pcapfile.h"

/* A second, independent open of the memfd as a libpcap savefile, or NULL (errbuf set). */
static pcap_t *
open_again(int memfd, char *errbuf)
{
    char path[64];
    FILE *fp;
    pcap_t *p;
    int fd;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
    fd = open(path, O_RDONLY);
    FUZZ_ASSERT(fd >= 0);
    fp = fdopen(fd, "rb");
    FUZZ_ASSERT(fp != NULL);
    p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == NULL)
        fclose(fp); /* on failure libpcap leaves the stream to the caller */
    return p;
}

int
fuzz_pcapfile_one(const uint8_t *data, size_t size)
{
    char erra[PCAP_ERRBUF_SIZE], errb[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr ha_buf, *ha, *hb;
    const u_char *da, *db;
    struct cap_pf *pf = NULL;
    bool handed = false;
    pcap_t *a, *b;
    int memfd, ra, rb;

    memfd = memfd_create("fuzz_pcapfile", 0);
    if (memfd < 0)
        return 0;
    for (size_t off = 0; off < size;) {
        ssize_t n = write(memfd, data + off, size - off);
        FUZZ_ASSERT(n > 0);
        off += (size_t)n;
    }
    erra[0] = errb[0] = '\0';
    a = open_again(memfd, erra);
    b = open_again(memfd, errb);
    FUZZ_ASSERT((a == NULL) == (b == NULL));
    if (a == NULL) {
        FUZZ_ASSERT(strcmp(erra, errb) == 0);
        close(memfd);
        return 0;
    }
    pf = cap_pf_open(a);
    for (;;) {
        ra = CAP_PF_LIBPCAP;
        if (pf != NULL && !handed) {
            ra = cap_pf_next(pf, &ha_buf, &da);
            ha = &ha_buf;
            FUZZ_ASSERT(ra == 1 || ra == CAP_PF_LIBPCAP);
            handed = ra == CAP_PF_LIBPCAP;
        }
        if (ra == CAP_PF_LIBPCAP)
            ra = pcap_next_ex(a, &ha, &da);
        rb = pcap_next_ex(b, &hb, &db);
        FUZZ_ASSERT(ra == rb);
        if (ra != 1)
            break;
        FUZZ_ASSERT(ha->caplen == hb->caplen && ha->len == hb->len);
        FUZZ_ASSERT(ha->ts.tv_sec == hb->ts.tv_sec && ha->ts.tv_usec == hb->ts.tv_usec);
        FUZZ_ASSERT(ha->caplen == 0 || memcmp(da, db, ha->caplen) == 0);
    }
    if (ra == PCAP_ERROR)
        FUZZ_ASSERT(strcmp(pcap_geterr(a), pcap_geterr(b)) == 0);
    cap_pf_close(pf);
    pcap_close(a);
    pcap_close(b);
    close(memfd);
    return 0;
}

#ifdef FUZZ_TARGET_PCAPFILE
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_pcapfile_one(data, size);
}
#endif
