/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_FUZZ_H
#define FLOWSTATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

/*
 * Shared pieces of the fuzz harnesses (STYLE.md section 10, Fuzz).
 *
 * fuzz_decode.c: one input = a selector byte + one or more packets; each is
 * decoded and, if TCP, tracked in a small flow table with a TCP session per
 * flow, checking invariants after every packet.
 * fuzz_pcap.c: one input = a whole savefile, opened from memory, every record
 * decoded and tracked the same way, with packet accounting checked at the end.
 *
 * Both entry points return 0 (libFuzzer's convention) and abort() through
 * fuzz_fail() when an invariant breaks, so a replayer or libFuzzer reports
 * the input. libFuzzer's LLVMFuzzerTestOneInput is defined only when the
 * file is compiled with -DFUZZ_TARGET_DECODE, -DFUZZ_TARGET_PCAP or
 * -DFUZZ_TARGET_PCAPFILE or -DFUZZ_TARGET_PCAPNG, so all harnesses can live in the one replayer (onefile.c) without a clash.
 */

/* Reports a broken invariant on stderr and aborts. Never returns. */
void fuzz_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

/* Kept in every build type: NDEBUG must not silence a fuzzer. */
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : fuzz_fail(#cond, __FILE__, __LINE__))

/* Entry points (same contract as LLVMFuzzerTestOneInput). */
int fuzz_decode_one(const uint8_t *data, size_t size);
int fuzz_pcap_one(const uint8_t *data, size_t size);
/* fuzz_pcapfile.c: the buffered pcap reader vs libpcap, record for record. */
int fuzz_pcapfile_one(const uint8_t *data, size_t size);
/* fuzz_pcapng.c: flowstate's pcapng reader, its invariants and libpcap where libpcap reads the file. */
int fuzz_pcapng_one(const uint8_t *data, size_t size);

/*
 * A tracker: decoder counters + a small flow table (few slots, so eviction is
 * exercised) + one TCP session per flow, driven the way the engine drives
 * them. Defined in fuzz_decode.c.
 */
struct fuzz_tracker;

/* returns: owned. verify_checksums as --no-checksums would clear it. */
struct fuzz_tracker *fuzz_tracker_new(size_t max_flows, int verify_checksums);
/* Decodes one record (bytes borrowed for the call) and tracks it; checks invariants. */
void fuzz_tracker_feed(struct fuzz_tracker *tr, int dlt, const uint8_t *pkt, uint32_t caplen,
                       uint32_t wirelen, uint64_t ts_ns);
/* Records fed so far (what stats.decoder.pkts would say). */
uint64_t fuzz_tracker_pkts(const struct fuzz_tracker *tr);
/* Borrowed decoder counters. */
const struct decode_stats *fuzz_tracker_stats(const struct fuzz_tracker *tr);
/* Ends every flow (as at end of input), checks the final accounting, frees. NULL ok. */
void fuzz_tracker_finish(struct fuzz_tracker *tr);

#endif
