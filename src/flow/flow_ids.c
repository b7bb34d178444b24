/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_ids: identifiers that reports print for a flow. Community ID follows
 * the published v1 specification so values can be joined with Zeek, Suricata
 * and tshark output; flow_id and uid are our own, derived with SipHash-1-3
 * under fixed keys from the canonical key bytes and the first packet time, so
 * they are reproducible across runs and hosts yet spread like random values.
 * No state, no allocation. Callers: the report layer when building records.
 */
#include <config.h>

#include "flow_ids.h"

#include <string.h>

#include "flow_private.h"
#include "util/sha1.h"

/* Fixed, published-in-source keys: ids must NOT depend on the table seed. */
#define FLOW_ID_K0  0x666c6f7773746174ull /* "flowstat" */
#define FLOW_ID_K1  0x652e666c6f772e69ull
#define FLOW_UID_K0 0x75696430666c6f77ull
#define FLOW_UID_K1 0x2e7a65656b2e7569ull
#define FLOW_UID_K2 0x9e3779b97f4a7c15ull

#define B62_POW5 916132832u /* 62^5, the largest power of 62 below 2^32 */
_Static_assert(FLOW_UID_LEN >= 1 + 17 + 1, "uid: 'C', up to 17 base-62 digits, NUL");

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b62_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* RFC 4648 section 4 base64 with padding; out needs 4 * ceil(n / 3) + 1 bytes. */
static void
base64_encode(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
}

void
flow_community_id_seeded(uint8_t ip_version, const struct ip_addr *a, uint16_t pa,
                         const struct ip_addr *b, uint16_t pb, uint8_t proto, uint16_t seed,
                         char out[FLOW_COMMUNITY_ID_LEN])
{
    size_t alen = ip_version == 6 ? 16 : 4;

    /* Spec: the endpoint with the smaller address (then smaller port) goes first. */
    int c = memcmp(a->b, b->b, alen);
    if (c > 0 || (c == 0 && pa > pb)) {
        const struct ip_addr *ta = a;
        a = b;
        b = ta;
        uint16_t tp = pa;
        pa = pb;
        pb = tp;
    }

    uint8_t buf[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, a->b, alen);
    n += alen;
    memcpy(buf + n, b->b, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0; /* padding */
    buf[n++] = (uint8_t)(pa >> 8);
    buf[n++] = (uint8_t)pa;
    buf[n++] = (uint8_t)(pb >> 8);
    buf[n++] = (uint8_t)pb;

    uint8_t digest[SHA1_DIGEST_LEN];
    sha1(buf, n, digest);
    out[0] = '1';
    out[1] = ':';
    base64_encode(digest, sizeof(digest), out + 2);
}

void
flow_community_id(uint8_t ip_version, const struct ip_addr *a, uint16_t pa,
                  const struct ip_addr *b, uint16_t pb, uint8_t proto,
                  char out[FLOW_COMMUNITY_ID_LEN])
{
    flow_community_id_seeded(ip_version, a, pa, b, pb, proto, 0, out);
}

void
flow_community_id_key(const struct flow_key *k, char out[FLOW_COMMUNITY_ID_LEN])
{
    flow_community_id(k->ip_version, &k->a, k->pa, &k->b, k->pb, k->proto, out);
}

/* Key bytes followed by the first timestamp, big-endian. */
static void
id_input(const struct flow_key *k, uint64_t first_ts_ns, uint8_t out[48])
{
    flow_key_bytes(k, out);
    store_be64(out + 40, first_ts_ns);
}

uint64_t
flow_id(const struct flow_key *k, uint64_t first_ts_ns)
{
    uint8_t in[48];
    id_input(k, first_ts_ns, in);
    return flow_siphash13(in, sizeof(in), FLOW_ID_K0, FLOW_ID_K1) & ((UINT64_C(1) << 53) - 1);
}

void
flow_uid(const struct flow_key *k, uint64_t first_ts_ns, char out[FLOW_UID_LEN])
{
    uint8_t in[48];
    id_input(k, first_ts_ns, in);
    uint64_t lo = flow_siphash13(in, sizeof(in), FLOW_UID_K0, FLOW_UID_K1);
    uint64_t hi = flow_siphash13(in, sizeof(in), FLOW_UID_K1, FLOW_UID_K2);

    /*
     * Base 62 of the 96-bit value hi:lo (low 32 bits of hi), most significant
     * digit first, no leading zeros. 62^5 < 2^32, so one long division by
     * 62^5 over three 32-bit limbs yields five digits from a 32-bit
     * remainder: a third of the 64-bit divisions of dividing by 62 per digit,
     * same digits. 62^17 > 2^96, so at most 17 digits.
     */
    uint32_t limb[3] = {(uint32_t)hi, (uint32_t)(lo >> 32), (uint32_t)lo};
    char digits[20]; /* filled from the end: room for 4 passes of 5, though 17 is the most used */
    size_t pos = sizeof(digits);
    for (;;) {
        uint64_t rem = 0;
        for (unsigned i = 0; i < 3; i++) {
            uint64_t cur = rem << 32 | limb[i];
            limb[i] = (uint32_t)(cur / B62_POW5);
            rem = cur % B62_POW5;
        }
        uint32_t r = (uint32_t)rem;
        if ((limb[0] | limb[1] | limb[2]) == 0) {
            do { /* the leading chunk: stop at its last non-zero digit */
                digits[--pos] = b62_alphabet[r % 62];
                r /= 62;
            } while (r != 0);
            break;
        }
        for (unsigned j = 0; j < 5; j++) {
            digits[--pos] = b62_alphabet[r % 62];
            r /= 62;
        }
    }

    size_t nd = sizeof(digits) - pos;
    out[0] = 'C';
    memcpy(out + 1, digits + pos, nd);
    out[1 + nd] = '\0';
}
