/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_SHA1_H
#define FLOWSTATE_SHA1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * SHA-1 (FIPS 180-4 section 6.1). Used only for Community ID flow hashing,
 * where the algorithm is fixed by the specification; it is not used for
 * anything that needs collision resistance. Streaming: init, update any
 * number of times, final. The context is caller storage (x_init style).
 */
#define SHA1_DIGEST_LEN 20
#define SHA1_BLOCK_LEN  64

struct sha1_ctx {
    uint32_t h[5];
    uint64_t total;                 /* bytes hashed so far */
    uint8_t block[SHA1_BLOCK_LEN];  /* pending partial block */
    size_t used;                    /* bytes in block */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN]);
/* One-shot convenience; inputs of at most 55 bytes take a single-block fast path. */
void sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_LEN]);

/*
 * Block function implementations. All give the same digests; the fastest one
 * the CPU supports is chosen on first use. Selecting one explicitly is for
 * the unit tests (cross-checking the portable reference against the fast
 * path) and diagnostics; it applies process-wide.
 */
enum sha1_impl {
    SHA1_IMPL_AUTO = 0, /* detect (CPUID) and take the fastest */
    SHA1_IMPL_PORTABLE, /* plain C, every host */
    SHA1_IMPL_SHANI,    /* x86 SHA extensions, when the CPU has them */
};
/* Whether impl can run here (AUTO and PORTABLE always can). */
bool sha1_impl_supported(enum sha1_impl impl);
/* Makes later calls use impl (AUTO: detect again). returns: 0, or -1 (unsupported; no change). */
int sha1_impl_select(enum sha1_impl impl) __attribute__((warn_unused_result));
/* The implementation in use (never AUTO; detects on the first call). */
enum sha1_impl sha1_impl_active(void);

#endif
