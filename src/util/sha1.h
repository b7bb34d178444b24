#ifndef FLOWSTATE_SHA1_H
#define FLOWSTATE_SHA1_H

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
/* One-shot convenience. */
void sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_LEN]);

#endif
