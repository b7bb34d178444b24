/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_zeek: re-derives what Zeek would write in conn.log for one TCP
 * connection: conn_state, history, orig_bytes/resp_bytes and last_time.
 * It owns a small copy of Zeek's per-endpoint bookkeeping (start/last/ack
 * sequence numbers, endpoint state, history masks and log-scaled counters)
 * and is fed every segment of the flow by tcp_session_step(), after the RFC
 * observer has had the chance to split the flow on port reuse.
 *
 * The definitions are in doc/references.md section 1 (Zeek's
 * TCPSessionAdapter::Process, UpdateStateMachine, TCP_Endpoint::Size and
 * main.zeek's conn_state table). Per segment, in Zeek's order:
 *   1. first packet only: pick the originator (first sender, flipped when the
 *      first packet is not a bare SYN and comes from a likely server port);
 *   2. checksums: emulated as `zeek -C` (the setting Zeek's own test
 *      baselines use): a bad checksum neither drops the segment nor adds 'C',
 *      because flowstate's tracker does not drop such segments either; they
 *      are counted in the stats record (decoder.checksum.tcp_bad);
 *   3. initialise the sender's sequence numbers (SYN, or "as if" a SYN);
 *   4. history letter, zero-window letter, last_time;
 *   5. the ACK: initialise the peer if it is INACTIVE, else advance its ack;
 *   6. advance the sender's last_seq ('T' when payload does not advance it);
 *   7. the endpoint state machine, then the close bookkeeping (did_close).
 *
 *   Endpoint machine (E = sender, P = peer; "SYN" = SYN set, etc.):
 *
 *     INACTIVE --SYN(orig)--------> SYN_SENT (SYN_ACK_SENT if ACK also set)
 *     INACTIVE --SYN(resp)--------> ESTABLISHED  (P SYN_SENT -> ESTABLISHED)
 *     INACTIVE --ACK, P ESTAB-----> ESTABLISHED  (missed SYN)
 *     INACTIVE --other------------> PARTIAL      (resp pure ACK while orig is
 *                                                 SYN_SENT: ignored)
 *     any of the above --FIN------> CLOSED,  --RST--> RESET
 *     SYN_SENT/SYN_ACK_SENT --FIN-> CLOSED,  --RST--> RESET
 *     ESTABLISHED/PARTIAL  --FIN--> CLOSED (no ack check; P's FIN+RST -> CLOSED)
 *     ESTABLISHED/PARTIAL  --RST--> RESET
 *     CLOSED --RST, P not CLOSED--> RESET
 *     RESET: final
 *
 * Invariants: ep[] is indexed by the sender's key direction and never
 * swapped; orig_dir alone names Zeek's originator. hist[] holds at most
 * TCP_ZEEK_HIST_MAX letters; later letters are dropped (Zeek's string is
 * unbounded).
 *
 * Content gaps ('G'/'g', missed_bytes), as Zeek's TCP_Reassembler computes
 * them when reassembly is on for the whole connection (doc/references.md
 * section 1.7; Zeek turns it on only when an analyzer wants the stream, so
 * the agreement test lists the connections where it did not). Each
 * endpoint's stream has a reassembly point R, the first byte not yet
 * delivered. Data starting at or below R moves R to its end; data above R
 * is held as ONE block (later blocks above a hole are merged into it, so a
 * second hole under the same ack counts as seen: an undercount, never an
 * overcount). When the peer's ACK, processed after the state machine as in
 * Zeek, passes R (capped one below the FIN when a FIN was seen), the bytes
 * between R and the block and between the block and the ack are a gap each:
 * counted in missed[] and as a log-scaled letter (1st, 10th, 100th gap)
 * when both endpoints are ESTABLISHED, or CLOSED from ESTABLISHED, then R
 * moves to the ack. Zeek ignores an ack of at most relative 2 on a partial
 * connection; here "partial" is "the originator's bare SYN or the
 * responder's SYN was not seen". Differences, on purpose: a segment whose
 * payload the snap length cut counts as seen (Zeek does not deliver it and
 * reports a gap, which would flag every connection of a live capture with
 * the default snap length); Zeek's skip limits (above_hole_data_without_any_acks,
 * excessive_data_without_further_acks) are not emulated.
 * While R equals last_seq and no block is held (an in-order stream) R is not
 * stored and TZE_REASM is clear, so the common segment touches no cold byte.
 */
#include <config.h>

#include "tcp/tcp_zeek.h"

#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_seq.h"
#include "tcp/tcp_zeek_private.h"
#include "util/compiler.h"

_Static_assert(sizeof(struct tcp_zeek_endpoint) == 16, "tcp_zeek_endpoint (hot) layout");
_Static_assert(sizeof(struct tcp_zeek) == 48, "tcp_zeek (hot part) must stay within 48 bytes");
_Static_assert(sizeof(struct tcp_zeek_endpoint_cold) == 36, "tcp_zeek_endpoint_cold layout");
_Static_assert(sizeof(struct tcp_zeek_cold) == 120, "tcp_zeek_cold layout");

/*
 * The functions below that take `bool ref` are always inlined with a constant:
 * false in the product, true in tcp_zeek_step_reference() (every step through
 * init_endpoint, the full hist_check and state_machine), which
 * check_tcp_zeek.c compares with tcp_zeek_step().
 */

/* tcp_zeek_endpoint.flags */
#define TZE_FIN_SEEN  0x01 /* Zeek FIN_cnt > 0 */
#define TZE_DID_CLOSE 0x02 /* Zeek did_close */
#define TZE_REASM     0x04 /* cold reasm holds R (else R = last_seq) */
#define TZE_BLOCK     0x08 /* cold blk_lo/blk_hi hold data above a hole */

/* tcp_zeek.flags */
#define TZ_STARTED 0x01 /* roles decided on the first packet */

/* Zeek's once-per-direction history masks; the responder's are << 16. */
#define HIST_SYN_PKT        0x01u
#define HIST_FIN_PKT        0x02u
#define HIST_RST_PKT        0x04u
#define HIST_FIN_RST_PKT    0x08u
#define HIST_DATA_PKT       0x10u
#define HIST_ACK_PKT        0x20u
#define HIST_MULTI_FLAG_PKT 0x40u

/* A SYN or RST moving last_seq by more than this is not trusted (1 MiB). */
#define TOO_LARGE_SEQ_DELTA 1048576

/*
 * History letters are stored 5 bits each; code 0 is "none". The alphabet is
 * every letter Zeek's TCP history can hold, both cases, plus '^'.
 */
static const char hist_alphabet[] = "?^SHFRADIQCTWGXshfradiqctwgx";

static unsigned
hist_get(const struct tcp_zeek_cold *zc, unsigned i)
{
    unsigned bit = i * 5u;
    unsigned byte = bit / 8u;
    unsigned v = zc->hist[byte];
    if (byte + 1u < sizeof(zc->hist))
        v |= (unsigned)zc->hist[byte + 1u] << 8;
    return (v >> (bit % 8u)) & 0x1fu;
}

static void
hist_set(struct tcp_zeek_cold *zc, unsigned i, unsigned code)
{
    unsigned bit = i * 5u;
    unsigned byte = bit / 8u;
    unsigned shift = bit % 8u;
    unsigned v = zc->hist[byte];
    if (byte + 1u < sizeof(zc->hist))
        v |= (unsigned)zc->hist[byte + 1u] << 8;
    v = (v & ~(0x1fu << shift)) | ((code & 0x1fu) << shift);
    zc->hist[byte] = (uint8_t)(v & 0xffu);
    if (byte + 1u < sizeof(zc->hist))
        zc->hist[byte + 1u] = (uint8_t)(v >> 8);
}

/* hist_alphabet inverted: the code of each letter, 0 for anything else ('?' included). */
static const uint8_t hist_codes[128] = {
    ['^'] = 1,  ['S'] = 2,  ['H'] = 3,  ['F'] = 4,  ['R'] = 5,  ['A'] = 6,  ['D'] = 7,
    ['I'] = 8,  ['Q'] = 9,  ['C'] = 10, ['T'] = 11, ['W'] = 12, ['G'] = 13, ['X'] = 14,
    ['s'] = 15, ['h'] = 16, ['f'] = 17, ['r'] = 18, ['a'] = 19, ['d'] = 20, ['i'] = 21,
    ['q'] = 22, ['c'] = 23, ['t'] = 24, ['w'] = 25, ['g'] = 26, ['x'] = 27,
};

unsigned
tcp_zeek_hist_code(char c)
{
    unsigned char u = (unsigned char)c;
    return u < sizeof(hist_codes) ? hist_codes[u] : 0u;
}

static void
hist_append(struct tcp_zeek *z, struct tcp_zeek_cold *zc, char c)
{
    unsigned code = tcp_zeek_hist_code(c);
    if (code == 0 || z->hist_len >= TCP_ZEEK_HIST_MAX)
        return; /* not a letter (never happens) or history full: dropped */
    hist_set(zc, z->hist_len, code);
    z->hist_len++;
}

static char
to_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool
is_orig_dir(const struct tcp_zeek *z, int dir)
{
    return dir == z->orig_dir;
}

/* Conn::FlipRoles: the other endpoint becomes the originator; history gets '^'. */
static void
flip_roles(struct tcp_zeek *z, struct tcp_zeek_cold *zc)
{
    z->orig_dir = (uint8_t)(z->orig_dir ^ 1u);
    hist_append(z, zc, '^');
}

/*
 * The "H then A/D" flip: a history of exactly "H" means the originator's
 * first packet was a SYN-ACK, so it is really the responder. Zeek flips and
 * rewrites the history to "^h" (the SYN-ACK now the responder's). The
 * once-per-direction mask of that SYN-ACK moves with it.
 */
static void
flip_after_synack(struct tcp_zeek *z, struct tcp_zeek_cold *zc)
{
    z->orig_dir = (uint8_t)(z->orig_dir ^ 1u);
    z->hist_len = 0;
    hist_append(z, zc, '^');
    hist_append(z, zc, 'h');
    z->hist_seen = (z->hist_seen << 16) | (z->hist_seen >> 16);
}

/* Adds code for a sender in direction dir: uppercase for the originator. */
static void
hist_add(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, char code)
{
    hist_append(z, zc, is_orig_dir(z, dir) ? code : to_lower(code));
}

/*
 * Zeek's CheckHistory: adds the letter the first time its mask is seen for
 * the sender's role and returns false; returns true if already seen.
 */
static bool
hist_check_slow(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, uint32_t mask, char code)
{
    if ((code == 'A' || code == 'D') && z->hist_len == 1 &&
        hist_alphabet[hist_get(zc, 0)] == 'H')
        flip_after_synack(z, zc);
    if (!is_orig_dir(z, dir)) {
        mask <<= 16;
        code = to_lower(code);
    }
    if ((z->hist_seen & mask) == 0) {
        z->hist_seen |= mask;
        hist_append(z, zc, code);
        return false;
    }
    return true;
}

/*
 * The usual outcome first: the letter was already seen for the sender's role,
 * and no "H then A/D" flip is possible (it needs a history of one letter).
 */
static inline bool
hist_check(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, uint32_t mask, char code,
           bool ref)
{
    if (!ref && CC_LIKELY(z->hist_len != 1) &&
        (z->hist_seen & (is_orig_dir(z, dir) ? mask : mask << 16)) != 0)
        return true;
    return hist_check_slow(z, zc, dir, mask, code);
}

static bool
is_pow10(uint32_t n)
{
    while (n >= 10u && n % 10u == 0u)
        n /= 10u;
    return n == 1u;
}

/* Session::ScaledHistoryEntry with base 10: letter at the 1st, 10th, 100th... */
static void
scaled_letter32(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, uint32_t *cnt, char code)
{
    if (*cnt == UINT32_MAX)
        return;
    ++*cnt;
    if (is_pow10(*cnt))
        hist_add(z, zc, dir, code);
}

static void
scaled_letter16(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, uint16_t *cnt, char code)
{
    if (*cnt == UINT16_MAX)
        return;
    ++*cnt;
    if (is_pow10(*cnt))
        hist_add(z, zc, dir, code);
}

static void
set_state(struct tcp_zeek_endpoint *e, struct tcp_zeek_endpoint_cold *ec, enum tcp_zeek_state s)
{
    if (e->state != (uint8_t)s) {
        ec->prev_state = e->state;
        e->state = (uint8_t)s;
    }
}

/*
 * Zeek counts 2^32 wraps when a new value is numerically below the old one.
 * This is wrap detection on the raw 32-bit value, deliberately not a serial
 * comparison (those go through tcp_seq.h).
 */
static bool
numeric_wrap(uint32_t old_v, uint32_t new_v)
{
    return new_v < old_v;
}

static void
update_last_seq_value(struct tcp_zeek_endpoint *e, uint32_t s)
{
    if (numeric_wrap(e->last_seq, s))
        e->seq_wraps++;
    e->last_seq = s;
}

static void
update_ack_seq_value(struct tcp_zeek_endpoint *e, uint32_t s)
{
    if (numeric_wrap(e->ack_seq, s))
        e->ack_wraps++;
    e->ack_seq = s;
}

static void
reinit_seqs(struct tcp_zeek_endpoint *e, uint32_t start, uint32_t last)
{
    e->start_seq = start;
    e->ack_seq = start;
    e->last_seq = last;
    e->flags &= (uint8_t)~(TZE_REASM | TZE_BLOCK); /* a new stream: R = last_seq */
}

/* R, Zeek's last_reassem_seq, as an absolute sequence number. */
static uint32_t
reasm_point(const struct tcp_zeek_endpoint *e, const struct tcp_zeek_endpoint_cold *ec)
{
    if (e->flags & TZE_REASM)
        return ec->reasm;
    /* numbered from an ACK (init_peer): the stream starts one past start_seq */
    return e->last_seq == e->start_seq ? e->start_seq + 1u : e->last_seq;
}

/* Stores R; back to the implicit form when the stream is in order again. */
static void
reasm_set(struct tcp_zeek_endpoint *e, struct tcp_zeek_endpoint_cold *ec, uint32_t r)
{
    if (!(e->flags & TZE_BLOCK) && r == e->last_seq) {
        e->flags &= (uint8_t)~TZE_REASM;
        return;
    }
    ec->reasm = r;
    e->flags |= TZE_REASM;
}

/* Zeek init_endpoint: sequence numbers of the sender before any use. */
static void
init_endpoint(struct tcp_zeek_endpoint *e, const struct tcp_zeek_endpoint_cold *ec, bool syn,
              uint32_t seq, uint32_t end)
{
    switch ((enum tcp_zeek_state)e->state) {
    case TZ_INACTIVE:
        if (syn)
            reinit_seqs(e, seq, end);
        else
            reinit_seqs(e, seq - 1u, seq); /* as if a SYN had been seen */
        break;
    case TZ_SYN_SENT:
    case TZ_SYN_ACK_SENT:
        if (syn && seq != e->start_seq)
            reinit_seqs(e, seq, end); /* weird SYN_seq_jump */
        break;
    case TZ_ESTABLISHED:
    case TZ_PARTIAL:
        if (syn)
            reinit_seqs(e, seq, end); /* SYN_inside_connection / SYN_seq_jump */
        break;
    case TZ_RESET:
        /* the earlier RST may have been injected: trust the SYN instead */
        if (syn && ec->prev_state == TZ_INACTIVE)
            reinit_seqs(e, seq, end);
        break;
    case TZ_CLOSED:
        break;
    }
}

/* Zeek update_history: the letter for this segment's flags. */
static void
update_history(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, uint16_t flags,
               uint32_t rel_seq, uint32_t len, bool ref)
{
    struct tcp_zeek_endpoint_cold *e = &zc->ep[dir];
    bool syn = flags & TCP_SYN, fin = flags & TCP_FIN, rst = flags & TCP_RST;
    int bits = (int)syn + (int)fin + (int)rst;

    if (bits > 1) {
        if (fin && rst)
            (void)hist_check(z, zc, dir, HIST_FIN_RST_PKT, 'I', ref);
        else
            (void)hist_check(z, zc, dir, HIST_MULTI_FLAG_PKT, 'Q', ref);
    } else if (bits == 1) {
        if (syn) {
            char code = (flags & TCP_ACK) ? 'H' : 'S';
            if (hist_check(z, zc, dir, HIST_SYN_PKT, code, ref) && rel_seq != e->hist_last_syn)
                hist_add(z, zc, dir, code);
            e->hist_last_syn = rel_seq;
        }
        if (fin) {
            /* a FIN's number is at the end of its data */
            if (hist_check(z, zc, dir, HIST_FIN_PKT, 'F', ref) && rel_seq + len != e->hist_last_fin)
                hist_add(z, zc, dir, 'F');
            e->hist_last_fin = rel_seq + len;
        }
        if (rst) {
            if (hist_check(z, zc, dir, HIST_RST_PKT, 'R', ref) && rel_seq != e->hist_last_rst)
                hist_add(z, zc, dir, 'R');
            e->hist_last_rst = rel_seq;
        }
    } else if (len > 0) {
        (void)hist_check(z, zc, dir, HIST_DATA_PKT, 'D', ref);
    } else if (flags & TCP_ACK) {
        (void)hist_check(z, zc, dir, HIST_ACK_PKT, 'A', ref);
    }
}

/*
 * Zeek get_relative_seq's wrap bookkeeping: the wrap count that applies to
 * cur given the last value seen and its wrap count.
 */
static uint32_t
adjust_wraps(uint32_t cur, uint32_t last, uint32_t wraps)
{
    int32_t delta = seq_diff(last, cur);
    if (delta < 0) {
        if (wraps != 0 && numeric_wrap(cur, last))
            --wraps; /* cur belongs to the previous 2^32 space */
    } else if (delta > 0) {
        if (numeric_wrap(last, cur))
            ++wraps;
    }
    return wraps;
}

/* Zeek update_last_seq; returns delta_last. */
static int32_t
update_last_seq(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, uint32_t end, uint16_t flags, uint32_t len)
{
    struct tcp_zeek_endpoint *e = &z->ep[dir];
    int32_t delta = seq_diff(e->last_seq, end);

    if ((flags & (TCP_SYN | TCP_RST)) &&
        (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA))
        ; /* an outlandish SYN/RST number is not trusted */
    else if ((flags & TCP_FIN) && e->last_seq == e->start_seq + 1u)
        update_last_seq_value(e, end); /* only SYN and FIN seen: trust the FIN */
    else if (e->state == TZ_RESET)
        ; /* nothing after a RST is trusted */
    else if (delta > 0)
        update_last_seq_value(e, end);
    else if (len > 0)
        scaled_letter32(z, zc, dir, &zc->ep[dir].rxmt_cnt, 'T'); /* DidRxmit */
    return delta;
}

static void
inactive_state(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, bool is_orig, uint16_t flags, uint32_t seq,
               uint32_t len)
{
    struct tcp_zeek_endpoint *e = &z->ep[dir], *p = &z->ep[dir ^ 1];
    struct tcp_zeek_endpoint_cold *ec = &zc->ep[dir], *pc = &zc->ep[dir ^ 1];
    bool ack = flags & TCP_ACK;

    if (flags & TCP_SYN) {
        if (is_orig) {
            set_state(e, ec, ack ? TZ_SYN_ACK_SENT : TZ_SYN_SENT);
        } else {
            if (!ack && p->state == TZ_SYN_ACK_SENT && seq == e->start_seq) {
                /* SYN and SYN-ACK seen in reverse order: flip and establish */
                flip_roles(z, zc);
                set_state(p, pc, TZ_ESTABLISHED);
            }
            if (p->state == TZ_SYN_SENT)
                set_state(p, pc, TZ_ESTABLISHED);
            set_state(e, ec, TZ_ESTABLISHED);
        }
    }
    if (flags & TCP_FIN)
        set_state(e, ec, TZ_CLOSED);
    if (flags & TCP_RST)
        set_state(e, ec, TZ_RESET);

    if (e->state == TZ_INACTIVE) { /* no control flag changed the state */
        const struct tcp_zeek_endpoint *o = &z->ep[z->orig_dir];
        if (!is_orig && len == 0 && o->state == TZ_SYN_SENT)
            ; /* an ACK of the SYN before the SYN-ACK: not partial */
        else if (ack && p->state == TZ_ESTABLISHED)
            set_state(e, ec, TZ_ESTABLISHED); /* missed the SYN */
        else
            set_state(e, ec, TZ_PARTIAL);
    }
}

/* Zeek UpdateStateMachine; returns do_close. */
static bool
state_machine(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, bool is_orig, uint16_t flags, uint32_t seq,
              uint32_t len)
{
    struct tcp_zeek_endpoint *e = &z->ep[dir], *p = &z->ep[dir ^ 1];
    struct tcp_zeek_endpoint_cold *ec = &zc->ep[dir], *pc = &zc->ep[dir ^ 1];
    bool fin = flags & TCP_FIN, rst = flags & TCP_RST;

    switch ((enum tcp_zeek_state)e->state) {
    case TZ_INACTIVE:
        inactive_state(z, zc, dir, is_orig, flags, seq, len);
        return fin || rst;
    case TZ_SYN_SENT:
    case TZ_SYN_ACK_SENT:
        if (fin)
            set_state(e, ec, TZ_CLOSED);
        if (rst)
            set_state(e, ec, TZ_RESET);
        return fin || rst;
    case TZ_ESTABLISHED:
    case TZ_PARTIAL:
        if ((flags & TCP_SYN) && !(flags & TCP_ACK) && e->state == TZ_PARTIAL &&
            p->state == TZ_INACTIVE)
            set_state(e, ec, TZ_SYN_SENT); /* SYN_after_partial */
        if (fin && !rst) {
            /* Zeek checks no sequence/ack numbers here */
            set_state(e, ec, TZ_CLOSED);
            if (p->state == TZ_RESET && pc->prev_state == TZ_CLOSED)
                set_state(p, pc, TZ_CLOSED); /* peer's FIN then RST: a normal close */
        }
        if (rst)
            set_state(e, ec, TZ_RESET);
        return fin || rst;
    case TZ_CLOSED:
        if (rst && p->state != TZ_CLOSED) {
            set_state(e, ec, TZ_RESET);
            return !(e->flags & TZE_DID_CLOSE);
        }
        return false;
    case TZ_RESET:
        return false;
    }
    return false;
}

static bool
is_clean(const struct tcp_zeek_endpoint *e, const struct tcp_zeek_endpoint_cold *ec)
{
    return e->state == TZ_ESTABLISHED ||
           (e->state == TZ_CLOSED && ec->prev_state == TZ_ESTABLISHED);
}

/* Zeek TCP_Reassembler::Gap for the stream of endpoint d (key direction). */
static void
content_gap(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int d, uint32_t len)
{
    struct tcp_zeek_endpoint_cold *ec = &zc->ep[d], *pc = &zc->ep[d ^ 1];

    if (len == 0 || !is_clean(&z->ep[d], ec) || !is_clean(&z->ep[d ^ 1], pc))
        return;
    zc->missed[d] += len;
    scaled_letter16(z, zc, d, &ec->gap_cnt, 'G');
}

/* Zeek's is_partial, from the letters seen: no bare SYN from the originator or no SYN from the responder. */
static bool
seen_partial(const struct tcp_zeek *z)
{
    return (z->hist_seen & HIST_SYN_PKT) == 0 || (z->hist_seen & (HIST_SYN_PKT << 16)) == 0;
}

/*
 * Zeek TCP_Reassembler::AckReceived + Undelivered: the peer acked up to
 * `ack` (absolute) the stream of endpoint d.
 */
static void
reasm_ack(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int d, uint32_t ack)
{
    struct tcp_zeek_endpoint *e = &z->ep[d];
    struct tcp_zeek_endpoint_cold *ec = &zc->ep[d];

    if ((e->flags & TZE_FIN_SEEN) && seq_geq(ack, e->last_seq))
        ack = e->last_seq - 1u; /* not the FIN octet (Zeek: FIN_seq - 1) */
    uint32_t r = reasm_point(e, ec);
    if (!seq_gt(ack, r))
        return;
    if (ack - e->start_seq <= 2u && seen_partial(z))
        return; /* Zeek: the faked-up start of a partial connection */
    if ((e->flags & TZE_BLOCK) && seq_lt(ec->blk_lo, ack)) {
        content_gap(z, zc, d, ec->blk_lo - r);
        r = ec->blk_hi; /* the held block is delivered */
        e->flags &= (uint8_t)~TZE_BLOCK;
    }
    if (seq_gt(ack, r)) {
        content_gap(z, zc, d, ack - r);
        r = ack;
    }
    reasm_set(e, ec, r);
}

/*
 * Zeek TCP_Reassembler::DataSent for a segment of endpoint d: payload
 * [ds, de) (delivered: has_data), old_r = R before update_last_seq, seg_end
 * = the segment's last octet + 1 (FIN counted). Only called when R is stored
 * or the segment moved last_seq past what in-order delivery explains.
 */
static void
reasm_data(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int d, uint32_t old_r, bool has_data,
           uint32_t ds, uint32_t de)
{
    struct tcp_zeek_endpoint *e = &z->ep[d];
    struct tcp_zeek_endpoint_cold *ec = &zc->ep[d];
    uint32_t r = old_r;

    if (has_data && seq_gt(de, r)) {
        if (seq_leq(ds, r)) {
            r = de;
        } else if (!(e->flags & TZE_BLOCK)) {
            ec->blk_lo = ds;
            ec->blk_hi = de;
            e->flags |= TZE_BLOCK;
        } else {
            if (seq_lt(ds, ec->blk_lo))
                ec->blk_lo = ds;
            if (seq_gt(de, ec->blk_hi))
                ec->blk_hi = de;
        }
        if ((e->flags & TZE_BLOCK) && seq_geq(r, ec->blk_lo)) {
            if (seq_gt(ec->blk_hi, r))
                r = ec->blk_hi; /* the hole is filled: the block follows */
            e->flags &= (uint8_t)~TZE_BLOCK;
        }
    }
    reasm_set(e, ec, r);
}

/*
 * Built-in likely_server_ports. Zeek derives the set from the well-known
 * ports of the analyzers its loaded scripts register (plus redefs), so it
 * varies between installations and between the corpus baselines; this is
 * the set a default "zeek local" load gives for the common protocols.
 * Sorted for bsearch.
 */
static const uint16_t likely_ports[] = {
    21,   22,   23,   25,   53,   80,   81,   88,   110,  111,  135,  137,  139,
    143,  161,  179,  389,  443,  445,  502,  514,  587,  631,  636,  989,  990,
    992,  993,  995,  1080, 1194, 1433, 1521, 1723, 1812, 2049, 2404, 3128, 3306,
    3389, 5060, 5061, 5222, 5269, 5432, 5672, 6379, 6666, 6667, 6668, 6669, 8000,
    8080, 8443, 8888, 20000, 44818, 47808,
};

static int
cmp_port(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

bool
tcp_zeek_likely_server_port(uint16_t port)
{
    return bsearch(&port, likely_ports, sizeof(likely_ports) / sizeof(likely_ports[0]),
                   sizeof(likely_ports[0]), cmp_port) != NULL;
}

void
tcp_zeek_init(struct tcp_zeek *z, struct tcp_zeek_cold *zc)
{
    memset(z, 0, sizeof(*z));
    memset(zc, 0, sizeof(*zc));
}

/*
 * Zeek's WantConnection role guess (TCP.cc): a first packet that is not a
 * bare SYN is flipped when it comes from a likely server port and goes to
 * one that is not; when both are, only a non-SYN from the lower port flips.
 */
static void
start_connection(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, const struct pkt_meta *m)
{
    bool flip = false;
    z->orig_dir = (uint8_t)dir;
    z->flags |= TZ_STARTED;
    if (!(m->flags & TCP_SYN) || (m->flags & TCP_ACK)) {
        if (tcp_zeek_likely_server_port(m->sport)) {
            if (tcp_zeek_likely_server_port(m->dport))
                flip = !(m->flags & TCP_SYN) && m->sport < m->dport;
            else
                flip = true;
        }
    }
    if (flip)
        flip_roles(z, zc);
}

/* One segment (ref: the reference paths, see above). */
static CC_ALWAYS_INLINE void
zeek_step(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, const struct pkt_meta *m,
          bool ref)
{
    dir = dir != FLOW_DIR_AB; /* 0 or 1, whatever the caller passed */
    if (!(z->flags & TZ_STARTED))
        start_connection(z, zc, dir, m);

    struct tcp_zeek_endpoint *e = &z->ep[dir], *p = &z->ep[dir ^ 1];
    uint16_t flags = m->flags;
    bool syn = flags & TCP_SYN, fin = flags & TCP_FIN, rst = flags & TCP_RST;
    uint32_t len = m->payload_len;

    bool is_orig = is_orig_dir(z, dir);
    uint32_t seg_len = len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
    if (rst)
        seg_len -= len; /* a RST's payload is not stream data */
    uint32_t end = m->seq + seg_len;

    /* without a SYN only an INACTIVE endpoint is initialised (init_endpoint) */
    if (ref || syn || e->state == TZ_INACTIVE)
        init_endpoint(e, &zc->ep[dir], syn, m->seq, end);
    uint32_t old_last = e->last_seq;
    uint32_t old_r = reasm_point(e, &zc->ep[dir]);
    update_history(z, zc, dir, flags, m->seq - e->start_seq, len, ref);

    /* update_window: SYNs count too; after a RST or the peer's FIN it does not */
    if (m->window == 0 && !rst && p->state != TZ_CLOSED && e->state != TZ_RESET)
        scaled_letter16(z, zc, dir, &zc->ep[dir].win0_cnt, 'W');

    if (!((e->flags & TZE_DID_CLOSE) && (p->flags & TZE_DID_CLOSE)))
        z->last_ts_ns = m->ts_ns;

    if (fin)
        e->flags |= TZE_FIN_SEEN;

    bool ack_gap = false; /* the ack may reveal a content gap (Zeek AckReceived) */
    if (flags & TCP_ACK) {
        if (p->state == TZ_INACTIVE) {
            /* init_peer: number the peer as if its SYN had been seen */
            reinit_seqs(p, m->ack - 1u, m->ack - 1u);
        } else {
            uint32_t wraps = adjust_wraps(m->ack, p->ack_seq, p->ack_wraps);
            bool underflow = wraps == 0 && seq_lt(m->ack, p->start_seq);
            /* RST acks are not trusted; an ack of 0 far ahead is broken */
            if (!underflow && !rst) {
                int32_t delta = seq_diff(p->ack_seq, m->ack);
                if (!(m->ack == 0 && delta > TOO_LARGE_SEQ_DELTA) && delta > 0)
                    update_ack_seq_value(p, m->ack);
            }
            /* RST acks are not trusted for ack_seq, but Zeek still hands them on */
            ack_gap = !underflow && ((p->flags & TZE_REASM) || seq_gt(m->ack, p->last_seq));
        }
    }

    (void)update_last_seq(z, zc, dir, end, flags, len);

    /* without SYN, FIN or RST only an INACTIVE endpoint changes state (state_machine) */
    if ((ref || (flags & (TCP_SYN | TCP_FIN | TCP_RST)) != 0 ||
         e->state == TZ_INACTIVE) &&
        state_machine(z, zc, dir, is_orig, flags, m->seq, len))
        e->flags |= TZE_DID_CLOSE; /* ConnectionClosed; no reassembly to wait for */

    /* after the state machine, as Zeek: the peer's stream first, then ours */
    if (ack_gap)
        reasm_ack(z, zc, dir ^ 1, m->ack);
    /* DataSent: the payload of a non-RST segment */
    uint32_t ds = m->seq + (syn ? 1u : 0u), de = ds + len;
    bool has_data = len > 0 && !rst;
    if (e->flags & TZE_REASM) {
        reasm_data(z, zc, dir, old_r, has_data, ds, de);
    } else if (e->last_seq != old_last) {
        /* in order unless last_seq moved past the delivered data and the FIN octet */
        uint32_t explained = (has_data && seq_leq(ds, old_r) && seq_gt(de, old_r)) ? de : old_r;
        if (fin && seq_leq(de, explained))
            explained = de + 1u;
        if (seq_gt(e->last_seq, explained))
            reasm_data(z, zc, dir, old_r, has_data, ds, de);
    }
}

void
tcp_zeek_step(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir, const struct pkt_meta *m)
{
    zeek_step(z, zc, dir, m, false);
}

void
tcp_zeek_step_reference(struct tcp_zeek *z, struct tcp_zeek_cold *zc, int dir,
                        const struct pkt_meta *m)
{
    zeek_step(z, zc, dir, m, true);
}

/* TCP_Endpoint::NoDataAcked */
static bool
no_data_acked(const struct tcp_zeek_endpoint *e)
{
    uint64_t ack = ((uint64_t)e->ack_wraps << 32) | e->ack_seq;
    uint64_t start = e->start_seq;
    return ack == start || ack == start + 1u;
}

/* TCP_Endpoint::Size: sequence space used, less the SYN and FIN octets. */
static uint64_t
endpoint_size(const struct tcp_zeek_endpoint *e, const struct tcp_zeek_endpoint_cold *ec,
              const struct tcp_zeek_endpoint *p)
{
    if (ec->prev_state == TZ_SYN_SENT && e->state == TZ_RESET && p->state == TZ_INACTIVE &&
        !no_data_acked(e))
        return 0; /* a half-open connection discovered and aborted */

    uint64_t last = ((uint64_t)e->seq_wraps << 32) | e->last_seq;
    uint64_t ack = ((uint64_t)e->ack_wraps << 32) | e->ack_seq;
    /* unsigned, like Zeek: a start past last/ack gives a huge value (zeek/zeek#3313) */
    uint64_t size = (last > ack ? last : ack) - (uint64_t)e->start_seq;
    if (size != 0)
        --size;
    if ((e->flags & TZE_FIN_SEEN) && size != 0)
        --size;
    return size;
}

void
tcp_zeek_history(const struct tcp_zeek *z, const struct tcp_zeek_cold *zc, char *buf, size_t len)
{
    size_t n = 0;
    if (len == 0)
        return;
    for (unsigned i = 0; i < z->hist_len && n + 1 < len; i++)
        buf[n++] = hist_alphabet[hist_get(zc, i)];
    buf[n] = '\0';
}

/* main.zeek's RSTOS0 test: /^\^?S[^HAFGIQ]*R.* / */
static bool
history_is_rstos0(const char *h)
{
    if (*h == '^')
        h++;
    if (*h != 'S')
        return false;
    for (h++; *h != '\0'; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h) != NULL)
            return false;
    }
    return false;
}

static bool
inactive_like(uint8_t s)
{
    return s == TZ_INACTIVE || s == TZ_PARTIAL;
}

const char *
tcp_zeek_conn_state(const struct tcp_zeek *z, const struct tcp_zeek_cold *zc)
{
    const struct tcp_zeek_endpoint *o = &z->ep[z->orig_dir], *r = &z->ep[z->orig_dir ^ 1u];
    const struct tcp_zeek_endpoint_cold *oc = &zc->ep[z->orig_dir], *rc = &zc->ep[z->orig_dir ^ 1u];
    uint8_t os = o->state, rs = r->state;
    bool o_inactive = inactive_like(os), r_inactive = inactive_like(rs);

    if (rs == TZ_RESET) {
        if (os == TZ_SYN_SENT || os == TZ_SYN_ACK_SENT ||
            (os == TZ_RESET && endpoint_size(o, oc, r) == 0 && endpoint_size(r, rc, o) == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == TZ_RESET) {
        if (r_inactive) {
            char h[TCP_ZEEK_HIST_MAX + 1];
            tcp_zeek_history(z, zc, h, sizeof(h));
            return history_is_rstos0(h) ? "RSTOS0" : "OTH";
        }
        return "RSTO";
    }
    if (rs == TZ_CLOSED && os == TZ_CLOSED)
        return "SF";
    if (os == TZ_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == TZ_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == TZ_SYN_SENT && rs == TZ_INACTIVE)
        return "S0";
    if (os == TZ_ESTABLISHED && rs == TZ_ESTABLISHED)
        return "S1";
    return "OTH";
}

void
tcp_zeek_summarize(const struct tcp_zeek *z, const struct tcp_zeek_cold *zc, const struct flow *f,
                   struct session_summary *out)
{
    const struct tcp_zeek_endpoint *o = &z->ep[z->orig_dir], *r = &z->ep[z->orig_dir ^ 1u];
    const struct tcp_zeek_endpoint_cold *oc = &zc->ep[z->orig_dir], *rc = &zc->ep[z->orig_dir ^ 1u];

    out->zeek_orig_is_client = f == NULL || z->orig_dir == f->client_dir;
    /* snprintf("%s") without the format machinery (~550 instructions a flow) */
    const char *cs = tcp_zeek_conn_state(z, zc);
    size_t n = strlen(cs);
    if (n >= sizeof(out->conn_state))
        n = sizeof(out->conn_state) - 1;
    memcpy(out->conn_state, cs, n);
    out->conn_state[n] = '\0';
    tcp_zeek_history(z, zc, out->history, sizeof(out->history));
    out->zeek_orig_bytes = endpoint_size(o, oc, r);
    out->zeek_resp_bytes = endpoint_size(r, rc, o);
    out->zeek_missed_bytes = zc->missed[0] + zc->missed[1];
    /* the RFC observer's client is f->client_dir; without a flow, Zeek's originator */
    int cdir = f != NULL ? (f->client_dir != FLOW_DIR_AB) : (int)z->orig_dir;
    out->client.missed_bytes = zc->missed[cdir];
    out->server.missed_bytes = zc->missed[cdir ^ 1];
    out->zeek_last_ts_ns = z->last_ts_ns;
}
