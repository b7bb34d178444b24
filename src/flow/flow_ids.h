/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FLOWSTATE_FLOW_IDS_H
#define FLOWSTATE_FLOW_IDS_H

#include <stdint.h>

#include "decode/decode.h"
#include "flow/flow.h"

/*
 * Stable flow identifiers for reports. All are pure functions of their
 * inputs (fixed hash keys, never the table's random seed), so the same
 * capture gives the same identifiers on every run and host, and both
 * directions of a connection give the same value.
 */

/* "1:" + 28 base64 characters + NUL fits; sized like flow_record.community_id. */
#define FLOW_COMMUNITY_ID_LEN 40
/* "C" + at most 18 base62 characters + NUL; sized like flow_record.uid. */
#define FLOW_UID_LEN 20

/*
 * Community ID v1 (Corelight community-id-spec): base64(SHA-1(seed16 BE,
 * smaller endpoint addr, larger endpoint addr, proto, 0, smaller port, larger
 * port)) prefixed "1:". Addresses are 4 bytes for ip_version 4, else 16.
 * Meant for port-carrying transports (TCP, UDP, SCTP); ICMP type/code mapping
 * is not implemented (pass ports 0). Writes a NUL-terminated string to out.
 */
void flow_community_id_seeded(uint8_t ip_version, const struct ip_addr *a, uint16_t pa,
                              const struct ip_addr *b, uint16_t pb, uint8_t proto,
                              uint16_t seed, char out[FLOW_COMMUNITY_ID_LEN]);
/* The same with the default seed 0. */
void flow_community_id(uint8_t ip_version, const struct ip_addr *a, uint16_t pa,
                       const struct ip_addr *b, uint16_t pb, uint8_t proto,
                       char out[FLOW_COMMUNITY_ID_LEN]);
/* Community ID of a flow key (seed 0). */
void flow_community_id_key(const struct flow_key *k, char out[FLOW_COMMUNITY_ID_LEN]);

/* Deterministic flow id in [0, 2^53) (exact in a JSON double) from the key and first packet time. */
uint64_t flow_id(const struct flow_key *k, uint64_t first_ts_ns);

/* Zeek-style uid: "C" + base62 of a deterministic 96-bit hash of the same inputs. */
void flow_uid(const struct flow_key *k, uint64_t first_ts_ns, char out[FLOW_UID_LEN]);

#endif
