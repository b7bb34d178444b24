/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_analysis: Wireshark-compatible segment analysis, payload accounting and
 * per-ACK RTT for one TCP connection. Called by tcp_session_step() for every
 * segment tcp_state accepted as part of the connection, in capture order;
 * tcp_session_summarize() reads the result through tcp_an_summarize().
 *
 * Flags. tcp_an_step() reproduces the first-pass evaluation of Wireshark 4.0's
 * tcp_analyze_sequence_number (doc/references.md section 2), in its
 * order: zero-window probe (ends the per-packet checks); zero window; lost
 * segment; keep-alive; window update; window full; keep-alive ACK,
 * zero-window-probe ACK or duplicate ACK (each ends them); dupack reset on a
 * new ack; ACKed-unseen bookkeeping; then, for segments with data or SYN/FIN
 * that are not keep-alives: spurious retransmission, fast retransmission
 * (before out-of-order, the default tcp.fastrt_supersedes_ooo), out-of-order,
 * retransmission. Like Wireshark's first pass, it works on the raw (absolute)
 * sequence and ack numbers, including its "0 means nothing seen yet" tests;
 * every ordering comparison is modulo 2^32 through tcp_seq.h. Windows are the
 * raw 16-bit field, as Wireshark compares them; only window-full scales.
 *
 * Counters count packets carrying a flag. `retransmits` equals tshark's count
 * of tcp.analysis.retransmission packets: generic, fast and spurious
 * retransmissions all carry that field in tshark 4.0 (measured), so all three
 * are counted; out-of-order is not.
 *
 * Bytes. Each direction keeps up to TCP_AN_RANGES sorted disjoint ranges of
 * sequence space whose payload was seen. A segment's bytes that fall inside a
 * range are retransmitted_bytes, the rest unique_bytes; so payload_bytes is
 * their sum. When a new range would exceed the limit, the two neighbours with
 * the smallest hole between them merge: bytes later seen in that hole count
 * as retransmitted (a bounded approximation; exact while at most
 * TCP_AN_RANGES - 1 holes are open at once). Ranges are trimmed to the last
 * 1 GiB below the highest byte so serial-number comparisons stay valid on
 * long transfers (a resend older than that would count as unique).
 *
 * RTT. Each direction remembers up to TCP_AN_RTT_RING outstanding segments
 * that carried new data (end sequence, send time). An ACK from the peer at or
 * beyond an end yields one sample from the newest such segment and drops all
 * of them. Karn's rule (RFC 6298 3): any segment that does not advance the
 * sequence space (retransmission, out-of-order) clears the ring, so no sample
 * is taken from an ACK that may answer a retransmission. Times are kept in
 * microseconds to keep the struct small.
 *
 * Size: 392 bytes, 184 per direction + 24 shared: Wireshark state with exact
 * ns timers 40, ranges 32, byte totals 16, packet and flag counters 44, RTT
 * ring 32 and statistics 20. Split (tcp_analysis.h) into a hot part of 200
 * bytes (Wireshark state, packets, the first range, the first two timed
 * segments, unique bytes, RTT statistics, t0) and a cold part of 192 (flag
 * counters, retransmitted bytes, the other ranges and timed segments, SYN
 * time and iRTT). The range list and the RTT ring have in-place paths for the
 * common case (one range extended; at most two timed segments) and general
 * paths on a gathered copy. A segment that is in-order data or a new ACK
 * between open windows (common_segment()) skips the flag evaluation, whose
 * outcome is then known: nothing. tcp_an_step_reference() (tcp_analysis_private.h)
 * keeps only the general paths, for the test that compares the two.
 */
#include <config.h>

#include "tcp/tcp_analysis.h"

#include <assert.h>
#include <string.h>

#include "tcp/tcp_analysis_private.h"
#include "tcp/tcp_seq.h"
#include "util/compiler.h"

/* Per-segment analysis flags (Wireshark TCP_A_* equivalents we need). */
#define AF_RETRANSMISSION 0x0001u
#define AF_LOST_PACKET    0x0002u
#define AF_ACK_LOST       0x0004u
#define AF_KEEP_ALIVE     0x0008u
#define AF_DUP_ACK        0x0010u
#define AF_ZERO_WINDOW    0x0020u
#define AF_ZWP            0x0040u
#define AF_ZWP_ACK        0x0080u
#define AF_KEEP_ALIVE_ACK 0x0100u
#define AF_OUT_OF_ORDER   0x0200u
#define AF_FAST_RETRANS   0x0400u
#define AF_WINDOW_UPDATE  0x0800u
#define AF_WINDOW_FULL    0x1000u
#define AF_SPURIOUS       0x2000u

/* tcp_an_dir.lastflags: only what the peer's next segment looks at. */
#define LF_KEEP_ALIVE 0x08u /* = AF_KEEP_ALIVE, so the flags are stored with one mask */
#define LF_ZWP        0x40u /* = AF_ZWP */

_Static_assert(LF_KEEP_ALIVE == AF_KEEP_ALIVE && LF_ZWP == AF_ZWP, "lastflags stores AF_ bits");

/* tcp_an_dir.bits */
#define B_WIN_OF_SYN 0x02u /* the stored window came from a SYN (never scaled) */

#define FAST_RETRANS_NS 20000000u /* 20 ms after the peer's last segment */
#define OOO_DEFAULT_NS  3000000u  /* 3 ms when the handshake RTT is unknown */
#define WSCALE_MAX      14        /* RFC 7323 2.3 */
#define RANGE_KEEP      (1u << 30)

_Static_assert(sizeof(struct tcp_an_dir) == 96, "tcp_an_dir (hot) layout");
_Static_assert(sizeof(struct tcp_an) == 200, "tcp_an (hot part) must stay within 200 bytes");
_Static_assert(sizeof(struct tcp_an_dir_cold) == 88, "tcp_an_dir_cold layout");
_Static_assert(sizeof(struct tcp_an_cold) == 192, "tcp_an_cold layout");

/*
 * The functions below that take `bool ref` are always inlined with a constant:
 * false in the product, true in tcp_an_step_reference() (the reference paths
 * alone: every segment through the general step, the general range and RTT
 * code, the cold iRTT fields, the flag tests in their original form), which
 * check_tcp_analysis.c compares with tcp_an_step().
 */

/* tcp_an.d[0].sflags */
#define S_IRTT_PENDING 0x01u /* cold irtt_ns == 0 && syn_ts_ns != 0: the next ACK times it */

/* Flags that count_flags() counts. */
#define AF_COUNTED                                                                            \
    (AF_RETRANSMISSION | AF_FAST_RETRANS | AF_SPURIOUS | AF_OUT_OF_ORDER | AF_LOST_PACKET |   \
     AF_DUP_ACK | AF_ZERO_WINDOW | AF_ZWP | AF_WINDOW_FULL | AF_KEEP_ALIVE)

void
tcp_an_init_zeroed(struct tcp_an *an)
{
    for (int i = 0; i < 2; i++) {
        an->d[i].window = UINT32_MAX; /* Wireshark: window unknown, never "zero" */
        an->d[i].win_scale = -1;
    }
}

void
tcp_an_init(struct tcp_an *an, struct tcp_an_cold *ac)
{
    memset(an, 0, sizeof(*an));
    memset(ac, 0, sizeof(*ac));
    tcp_an_init_zeroed(an);
}

/* ---- window scaling (Wireshark verify_tcp_window_scaling) ------------------- */

static void
note_syn_wscale(struct tcp_an_dir *fwd, struct tcp_an_dir *rev, const struct pkt_meta *m)
{
    if (m->opt.present & TCP_OPT_WSCALE)
        fwd->win_scale = (int8_t)(m->opt.wscale > WSCALE_MAX ? WSCALE_MAX : m->opt.wscale);
    if (fwd->win_scale == -1) {
        /* RFC 7323 2.2: scaling needs the option in both SYNs; this one lacks it. */
        fwd->win_scale = -2;
        rev->win_scale = -2;
    } else if ((m->flags & TCP_ACK) && rev->win_scale == -2) {
        fwd->win_scale = -2; /* SYN-ACK offers scaling the SYN did not: not in use */
    }
}

/* ---- received ranges: unique and retransmitted bytes ------------------------ */

static uint32_t
range_len(uint32_t lo, uint32_t hi)
{
    return (uint32_t)seq_diff(lo, hi);
}

/* Bytes of [lo, hi) already inside the n ranges r[]. */
static uint32_t
ranges_overlap(const struct tcp_an_range *r, unsigned nr, uint32_t lo, uint32_t hi)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < nr; i++) {
        uint32_t a = seq_max(lo, r[i].lo);
        uint32_t b = seq_min(hi, r[i].hi);
        if (seq_lt(a, b))
            sum += range_len(a, b);
    }
    return sum;
}

/* Inserts [lo, hi) into the *nr ranges r[] (room for TCP_AN_RANGES). */
static void
ranges_insert(struct tcp_an_range *r, unsigned *nr, uint32_t lo, uint32_t hi)
{
    struct tcp_an_range out[TCP_AN_RANGES + 1];
    unsigned n = 0, i = 0;

    /* Ranges wholly below the new one. */
    while (i < *nr && seq_lt(r[i].hi, lo))
        out[n++] = r[i++];
    /* Ranges touching or overlapping it merge into it. */
    while (i < *nr && seq_leq(r[i].lo, hi)) {
        lo = seq_min(lo, r[i].lo);
        hi = seq_max(hi, r[i].hi);
        i++;
    }
    out[n].lo = lo;
    out[n].hi = hi;
    n++;
    while (i < *nr)
        out[n++] = r[i++];

    if (n > TCP_AN_RANGES) {
        /* Bounded: close the smallest hole (its bytes will count as retransmitted). */
        unsigned best = 0;
        uint32_t best_gap = UINT32_MAX;
        for (unsigned k = 0; k + 1 < n; k++) {
            uint32_t gap = range_len(out[k].hi, out[k + 1].lo);
            if (gap < best_gap) {
                best_gap = gap;
                best = k;
            }
        }
        out[best].hi = out[best + 1].hi;
        for (unsigned k = best + 1; k + 1 < n; k++)
            out[k] = out[k + 1];
        n--;
    }
    /*
     * Keep serial comparisons meaningful (RFC 1982: within 2^31): forget bytes
     * more than RANGE_KEEP below the highest byte seen.
     */
    uint32_t floor = out[n - 1].hi - RANGE_KEEP;
    unsigned first = 0;
    while (first + 1 < n && seq_leq(out[first].hi, floor))
        first++;
    if (seq_lt(out[first].lo, floor))
        out[first].lo = floor;
    n -= first;
    memcpy(r, &out[first], n * sizeof(out[0]));
    *nr = n;
}

/*
 * The general case: the list gathered from its hot and cold parts into one
 * array, updated by the functions above, and scattered back. The cold part is
 * read and written only when the list holds (or will hold) more than one range.
 */
static void
account_payload_slow(struct tcp_an_dir *d, struct tcp_an_dir_cold *dc, uint32_t lo, uint32_t len)
{
    struct tcp_an_range r[TCP_AN_RANGES];
    unsigned n = d->n_ranges;
    uint32_t hi = lo + len;

    if (n > 0)
        r[0] = d->range0;
    if (n > 1)
        memcpy(&r[1], dc->ranges, (n - 1) * sizeof(r[0]));
    uint32_t old = ranges_overlap(r, n, lo, hi);
    if (old != 0)
        dc->retrans_bytes += old;
    d->unique_bytes += len - old;
    ranges_insert(r, &n, lo, hi);
    if (n > 0)
        d->range0 = r[0];
    if (n > 1)
        memcpy(dc->ranges, &r[1], (n - 1) * sizeof(r[0]));
    d->n_ranges = (uint8_t)n;
}

/*
 * Payload [lo, lo + len). The common case, one range that the segment touches
 * or overlaps (in-order data extends it), is done in place on range0: the
 * same overlap, merge and trim that the general path computes for n == 1.
 */
static CC_ALWAYS_INLINE void
account_payload(struct tcp_an_dir *d, struct tcp_an_dir_cold *dc, uint32_t lo, uint32_t len,
                bool ref)
{
    uint32_t hi = lo + len;
    struct tcp_an_range r = d->range0;

    if (ref || CC_UNLIKELY(d->n_ranges != 1 || seq_lt(r.hi, lo) || !seq_leq(r.lo, hi))) {
        account_payload_slow(d, dc, lo, len);
        return;
    }
    uint32_t a = seq_max(lo, r.lo), b = seq_min(hi, r.hi);
    uint32_t old = seq_lt(a, b) ? range_len(a, b) : 0u;
    if (old != 0)
        dc->retrans_bytes += old;
    d->unique_bytes += len - old;
    r.lo = seq_min(lo, r.lo);
    r.hi = seq_max(hi, r.hi);
    uint32_t floor = r.hi - RANGE_KEEP;
    if (seq_lt(r.lo, floor))
        r.lo = floor;
    d->range0 = r;
}

/* ---- RTT (RFC 6298, Karn's rule) -------------------------------------------- */

static uint32_t
time_us(const struct tcp_an *an, uint64_t ts_ns)
{
    int64_t d = (int64_t)(ts_ns - an->t0_ns);
    return (uint32_t)(d / 1000); /* modulo 2^32: differences stay right for ~71 min */
}

/*
 * The ring is one logical array of d->n_rtt entries: [0, TCP_AN_RTT_HOT) in
 * the hot part, the rest in the cold part. The functions below work on the
 * hot entries in place while the ring fits there, and otherwise on a
 * gathered copy (rtt_load/rtt_store), so the cold part is touched only when
 * more than TCP_AN_RTT_HOT segments are outstanding.
 */
struct rtt_ring {
    uint32_t end[TCP_AN_RTT_RING], sent[TCP_AN_RTT_RING];
};

static void
rtt_load(const struct tcp_an_dir *d, const struct tcp_an_dir_cold *dc, struct rtt_ring *r)
{
    memcpy(r->end, d->rtt_end, sizeof(d->rtt_end));
    memcpy(r->sent, d->rtt_sent, sizeof(d->rtt_sent));
    memcpy(&r->end[TCP_AN_RTT_HOT], dc->rtt_end, sizeof(dc->rtt_end));
    memcpy(&r->sent[TCP_AN_RTT_HOT], dc->rtt_sent, sizeof(dc->rtt_sent));
}

static void
rtt_store(struct tcp_an_dir *d, struct tcp_an_dir_cold *dc, const struct rtt_ring *r)
{
    memcpy(d->rtt_end, r->end, sizeof(d->rtt_end));
    memcpy(d->rtt_sent, r->sent, sizeof(d->rtt_sent));
    memcpy(dc->rtt_end, &r->end[TCP_AN_RTT_HOT], sizeof(dc->rtt_end));
    memcpy(dc->rtt_sent, &r->sent[TCP_AN_RTT_HOT], sizeof(dc->rtt_sent));
}

/* rtt_push() while the ring fits the hot part (d->n_rtt < TCP_AN_RTT_HOT). */
static CC_ALWAYS_INLINE void
rtt_push_hot(struct tcp_an_dir *d, uint32_t end, uint32_t now_us)
{
    d->rtt_end[d->n_rtt] = end;
    d->rtt_sent[d->n_rtt] = now_us;
    d->n_rtt++;
}

static CC_ALWAYS_INLINE void
rtt_push(struct tcp_an_dir *d, struct tcp_an_dir_cold *dc, uint32_t end, uint32_t now_us,
         bool ref)
{
    struct rtt_ring r;

    if (!ref && d->n_rtt < TCP_AN_RTT_HOT) {
        rtt_push_hot(d, end, now_us);
        return;
    }
    rtt_load(d, dc, &r);
    if (d->n_rtt == TCP_AN_RTT_RING) {
        /* Drop the oldest: the newest segments are the ones cumulative ACKs time. */
        memmove(&r.end[0], &r.end[1], (TCP_AN_RTT_RING - 1) * sizeof(uint32_t));
        memmove(&r.sent[0], &r.sent[1], (TCP_AN_RTT_RING - 1) * sizeof(uint32_t));
        d->n_rtt--;
    }
    r.end[d->n_rtt] = end;
    r.sent[d->n_rtt] = now_us;
    d->n_rtt++;
    rtt_store(d, dc, &r);
}

static void
rtt_sample(struct tcp_an_dir *d, uint32_t sample)
{
    if (sample <= INT32_MAX) { /* a negative delta means timestamps went backwards */
        if (d->rtt_samples == 0 || sample < d->rtt_min_us)
            d->rtt_min_us = sample;
        if (sample > d->rtt_max_us)
            d->rtt_max_us = sample;
        d->rtt_samples++;
        d->rtt_sum_us += sample;
    }
}

/* rtt_ack() while the ring fits the hot part (d->n_rtt <= TCP_AN_RTT_HOT). */
static CC_ALWAYS_INLINE void
rtt_ack_hot(const struct tcp_an *an, struct tcp_an_dir *d, uint32_t ack, uint64_t ts)
{
    unsigned n = d->n_rtt, k = 0;

    while (k < n && seq_leq(d->rtt_end[k], ack))
        k++;
    if (k == 0)
        return;
    rtt_sample(d, time_us(an, ts) - d->rtt_sent[k - 1]);
    if (k < n) { /* n == 2, k == 1 */
        d->rtt_end[0] = d->rtt_end[1];
        d->rtt_sent[0] = d->rtt_sent[1];
    }
    d->n_rtt = (uint8_t)(n - k);
}

/* The peer acknowledged up to ack (absolute) at now_us. */
static CC_ALWAYS_INLINE void
rtt_ack(const struct tcp_an *an, struct tcp_an_dir *d, struct tcp_an_dir_cold *dc, uint32_t ack,
        uint64_t ts, bool ref)
{
    unsigned n = d->n_rtt, k = 0;
    struct rtt_ring r;

    if (!ref && n <= TCP_AN_RTT_HOT) {
        rtt_ack_hot(an, d, ack, ts);
        return;
    }
    rtt_load(d, dc, &r);
    while (k < n && seq_leq(r.end[k], ack))
        k++;
    if (k == 0)
        return;
    rtt_sample(d, time_us(an, ts) - r.sent[k - 1]);
    memmove(&r.end[0], &r.end[k], (n - k) * sizeof(uint32_t));
    memmove(&r.sent[0], &r.sent[k], (n - k) * sizeof(uint32_t));
    d->n_rtt = (uint8_t)(n - k);
    rtt_store(d, dc, &r);
}

/* ---- the per-segment analysis ------------------------------------------------ */

static void
count_flags(struct tcp_an_dir_cold *d, unsigned fl)
{
    if (CC_LIKELY((fl & AF_COUNTED) == 0))
        return; /* the common segment: nothing to count, the cold part untouched */
    if (fl & (AF_RETRANSMISSION | AF_FAST_RETRANS | AF_SPURIOUS))
        d->retransmits++;
    if (fl & AF_FAST_RETRANS)
        d->fast_retransmits++;
    if (fl & AF_SPURIOUS)
        d->spurious_retransmits++;
    if (fl & AF_OUT_OF_ORDER)
        d->out_of_order++;
    if (fl & AF_LOST_PACKET)
        d->lost_segments++;
    if (fl & AF_DUP_ACK)
        d->dup_acks++;
    if (fl & AF_ZERO_WINDOW)
        d->zero_windows++;
    if (fl & AF_ZWP)
        d->zero_window_probes++;
    if (fl & AF_WINDOW_FULL)
        d->window_full++;
    if (fl & AF_KEEP_ALIVE)
        d->keepalives++;
}

/*
 * Retransmission family for a segment with data or SYN/FIN (Wireshark 4.0,
 * default preferences). seq is relative; returns the flag to add (or 0).
 */
static CC_ALWAYS_INLINE unsigned
classify_resend(const struct tcp_an_cold *ac, const struct tcp_an_dir *fwd,
                const struct tcp_an_dir *rev, uint32_t seq, uint32_t seglen, uint16_t flags,
                uint64_t ts, bool ref)
{
    bool not_advanced = fwd->nextseq != 0 && seq_lt(seq, fwd->nextseq);
    uint32_t synfin = (flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u;

    /* Extends a byte at nextseq - 1 with new data (e.g. after a probe): not old. */
    if (seglen > 1 && fwd->nextseq - 1 == seq)
        not_advanced = false;

    /* Everything in it was already acknowledged. */
    if (seglen > 0 && rev->lastack != 0 && seq_leq(seq + seglen, rev->lastack))
        return AF_SPURIOUS;
    /* Each remaining flag needs not_advanced (and only they read the cold irtt). */
    if (!ref && CC_LIKELY(!not_advanced))
        return 0u;

    /* >= 2 duplicate ACKs for exactly this seq, within 20 ms of the peer's last segment. */
    uint64_t t = ts - rev->lastack_ts;
    if (not_advanced && rev->dupacknum >= 2 && rev->lastack == seq && t < FAST_RETRANS_NS)
        return AF_FAST_RETRANS;

    /* Close behind the segment that set nextseq: reordering, not a resend. */
    t = ts - fwd->nextseq_ts;
    uint64_t thres = ac->irtt_ns != 0 ? ac->irtt_ns : OOO_DEFAULT_NS;
    if (not_advanced && t < thres && fwd->nextseq != seq + seglen + synfin)
        return AF_OUT_OF_ORDER;

    return not_advanced ? AF_RETRANSMISSION : 0u;
}

static bool
same_seq_ack(const struct tcp_an_dir *fwd, uint32_t seq, uint32_t ack)
{
    return seq == fwd->nextseq && ack == fwd->lastack;
}

/*
 * The reference form of window_and_ack_flags()'s last tests (window update,
 * window full, keep-alive ACK, probe ACK, duplicate ACK), one test per flag
 * as Wireshark writes them; fl holds the flags found so far.
 */
static unsigned
ack_flags_ref(struct tcp_an_dir *fwd, const struct tcp_an_dir *rev, const struct pkt_meta *m,
              unsigned fl)
{
    const uint16_t flags = m->flags;
    const uint32_t seglen = m->payload_len;
    const uint32_t win = m->window;
    const uint32_t seq = m->seq;
    const uint32_t ack = m->ack;
    const bool sfr = (flags & (TCP_SYN | TCP_FIN | TCP_RST)) != 0;

    if (seglen == 0 && win != 0 && win != fwd->window && same_seq_ack(fwd, seq, ack) && !sfr)
        fl |= AF_WINDOW_UPDATE;
    if (seglen > 0 && rev->win_scale != -1 && !sfr) {
        unsigned sh =
            (rev->bits & B_WIN_OF_SYN) || rev->win_scale == -2 ? 0u : (unsigned)rev->win_scale;
        if (seq + seglen == rev->lastack + (rev->window << sh))
            fl |= AF_WINDOW_FULL;
    }
    if (seglen == 0 && win != 0 && win == fwd->window && same_seq_ack(fwd, seq, ack) &&
        (rev->lastflags & LF_KEEP_ALIVE) && !sfr) {
        fl |= AF_KEEP_ALIVE_ACK;
        return fl;
    }
    if (seglen == 0 && win == 0 && win == fwd->window && same_seq_ack(fwd, seq, ack) &&
        (rev->lastflags & LF_ZWP) && !sfr) {
        fl |= AF_ZWP_ACK;
        return fl;
    }
    if (seglen == 0 && win != 0 && win == fwd->window && same_seq_ack(fwd, seq, ack) && !sfr) {
        fwd->dupacknum = fwd->dupacknum == -1 ? 1 : (int16_t)(fwd->dupacknum + 1);
        fl |= AF_DUP_ACK;
    }
    return fl;
}

/*
 * Steps 1-3 of the evaluation order: probe, window and ACK flags. The first
 * match among probe, keep-alive ACK and probe ACK ends the checks (Wireshark's
 * "goto finished_fwd"). Updates fwd->dupacknum on a duplicate ACK.
 */
static CC_ALWAYS_INLINE unsigned
window_and_ack_flags(struct tcp_an_dir *fwd, const struct tcp_an_dir *rev, const struct pkt_meta *m,
                     bool ref)
{
    const uint16_t flags = m->flags;
    const uint32_t seglen = m->payload_len;
    const uint32_t win = m->window;
    const uint32_t seq = m->seq;
    const uint32_t ack = m->ack;
    const bool sfr = (flags & (TCP_SYN | TCP_FIN | TCP_RST)) != 0;
    unsigned fl = 0;

    /* Zero-window probe: one byte at nextseq into a closed window (RFC 9293 3.8.6.1). */
    if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
        fl |= AF_ZWP;
        return fl;
    }
    if (win == 0 && !sfr)
        fl |= AF_ZERO_WINDOW;
    /* Starts beyond everything seen: a segment before it was not captured. */
    if (fwd->nextseq != 0 && seq_gt(seq, fwd->nextseq) && !(flags & TCP_RST))
        fl |= AF_LOST_PACKET;
    /* 0 or 1 byte at nextseq - 1 (RFC 9293 3.8.4 keep-alive). */
    if (seglen <= 1 && seq == fwd->nextseq - 1 && !sfr)
        fl |= AF_KEEP_ALIVE;
    if (ref)
        return ack_flags_ref(fwd, rev, m, fl);
    /*
     * Every flag below needs a segment without SYN/FIN/RST; window full needs
     * payload, the others none, the same seq and ack as the last segment,
     * and (but window update) the same window. The tests are nested in that
     * order; the flags and their order are those of the reference.
     */
    if (sfr)
        return fl;
    if (seglen > 0) {
        if (rev->win_scale != -1) {
            unsigned sh =
                (rev->bits & B_WIN_OF_SYN) || rev->win_scale == -2 ? 0u : (unsigned)rev->win_scale;
            if (seq + seglen == rev->lastack + (rev->window << sh))
                fl |= AF_WINDOW_FULL;
        }
        return fl;
    }
    if (!same_seq_ack(fwd, seq, ack))
        return fl;
    if (win != fwd->window) {
        if (win != 0)
            fl |= AF_WINDOW_UPDATE;
        return fl;
    }
    if (win != 0 && (rev->lastflags & LF_KEEP_ALIVE))
        return fl | AF_KEEP_ALIVE_ACK;
    if (win == 0 && (rev->lastflags & LF_ZWP))
        return fl | AF_ZWP_ACK;
    if (win != 0) {
        fwd->dupacknum = fwd->dupacknum == -1 ? 1 : (int16_t)(fwd->dupacknum + 1);
        fl |= AF_DUP_ACK;
    }
    return fl;
}

/*
 * The common segment: in-order data or an ACK that moves the ack field, from
 * an endpoint already seen (nextseq != 0), between open windows. Under these
 * conditions every per-packet test of the general path below is decided, so
 * step_common() applies the result directly (no flag, nothing counted; the
 * cold part is touched only by a range list or RTT ring beyond its hot part):
 *   no SYN/FIN/RST, ACK set: the iRTT and window-scale code, zero window,
 *     keep-alive ACK, probe ACK, dup ACK and window update all need
 *     SYN or no ACK or (payload 0 and ack == lastack), or a zero window;
 *   iRTT not pending: the ACK-without-SYN branch does nothing;
 *   seq == nextseq != 0: not lost (seq > nextseq), not a keep-alive
 *     (seq == nextseq - 1), not_advanced false so neither fast
 *     retransmission, out-of-order nor retransmission; the RTT ring is
 *     pushed, not cleared (Karn);
 *   peer's window != 0: not a zero-window probe;
 *   ack not beyond the peer's maxseqtobeacked: no ACKed-unseen bookkeeping;
 *   with payload: not everything already acked by the peer (not spurious),
 *     not ending at the peer's window edge (not window full), and shorter
 *     than 2^30 so seq + len is after nextseq and nextseq advances;
 *   without payload: ack != lastack, so same_seq_ack() is false.
 * Returns false, having written nothing, when any of them does not hold.
 * Pure (no writes), so check_tcp_analysis.c calls it to count how often the
 * random conversations take the fast path.
 */
static CC_ALWAYS_INLINE bool
common_segment(const struct tcp_an *an, const struct tcp_an_dir *fwd, const struct tcp_an_dir *rev,
               const struct pkt_meta *m)
{
    const uint32_t seq = m->seq;
    const uint32_t ack = m->ack;
    const uint32_t seglen = m->payload_len;

    if ((m->flags & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) != TCP_ACK)
        return false;
    if (seq != fwd->nextseq || seq == 0 || m->window == 0 || rev->window == 0 ||
        (an->d[0].sflags & S_IRTT_PENDING))
        return false;
    if (rev->maxseqtobeacked != 0 && seq_gt(ack, rev->maxseqtobeacked))
        return false;
    if (seglen == 0)
        return ack != fwd->lastack;
    if (seglen >= RANGE_KEEP) /* see step_common() */
        return false;
    if (rev->lastack != 0 && seq_leq(seq + seglen, rev->lastack))
        return false;
    if (rev->win_scale != -1) {
        unsigned sh =
            (rev->bits & B_WIN_OF_SYN) || rev->win_scale == -2 ? 0u : (unsigned)rev->win_scale;
        if (seq + seglen == rev->lastack + (rev->window << sh))
            return false;
    }
    return true;
}

/*
 * The whole step for a segment common_segment() accepted: the state moves as
 * step_flags() moves it for an in-order segment without flags, then the
 * payload and RTT bookkeeping of step_general() with the outcome known (no
 * SYN/FIN, no flag, seq == the old nextseq: new data is timed).
 */
static CC_NOINLINE void
step_common(struct tcp_an *an, struct tcp_an_cold *ac, int dir, const struct pkt_meta *m)
{
    struct tcp_an_dir *fwd = &an->d[dir];
    struct tcp_an_dir *rev = &an->d[dir ^ 1];
    const uint32_t seq = m->seq;
    const uint32_t ack = m->ack;
    const uint32_t seglen = m->payload_len;
    const uint64_t ts = m->ts_ns;

    if (fwd->packets == 0 && rev->packets == 0)
        an->t0_ns = ts; /* nextseq != 0: only if both counters wrapped */
    fwd->packets++;
    if (ack != fwd->lastack)
        fwd->dupacknum = 0;
    if (seglen > 0) {
        fwd->nextseq = seq + seglen;
        fwd->nextseq_ts = ts;
    }
    if (seq == fwd->maxseqtobeacked || fwd->maxseqtobeacked == 0)
        fwd->maxseqtobeacked = fwd->nextseq;
    fwd->window = m->window;
    fwd->bits &= (uint8_t)~B_WIN_OF_SYN;
    fwd->lastack = ack;
    fwd->lastack_ts = ts;
    fwd->lastflags = 0;
    if (seglen > 0) {
        /*
         * Appended to the one range (account_payload()'s in-place case with
         * nothing old: the range and the segment are each < 2^30 long, so
         * range0.lo <= seq < seq + seglen in serial order).
         */
        struct tcp_an_range r = fwd->range0;
        if (CC_LIKELY(fwd->n_ranges == 1 && r.hi == seq)) {
            fwd->unique_bytes += seglen;
            r.hi = seq + seglen;
            if (seq_lt(r.lo, r.hi - RANGE_KEEP))
                r.lo = r.hi - RANGE_KEEP;
            fwd->range0 = r;
        } else {
            account_payload(fwd, &ac->d[dir], seq, seglen, false);
        }
        if (CC_LIKELY(fwd->n_rtt < TCP_AN_RTT_HOT))
            rtt_push_hot(fwd, seq + seglen, time_us(an, ts));
        else
            rtt_push(fwd, &ac->d[dir], seq + seglen, time_us(an, ts), false);
    }
    if (rev->n_rtt != 0) {
        if (CC_LIKELY(rev->n_rtt <= TCP_AN_RTT_HOT))
            rtt_ack_hot(an, rev, ack, ts);
        else
            rtt_ack(an, rev, &ac->d[dir ^ 1], ack, ts, false);
    }
}

/*
 * The general path: iRTT, window scaling, the flags of the segment (returned,
 * already counted) and the Wireshark sequence state.
 */
static CC_ALWAYS_INLINE unsigned
step_flags(struct tcp_an *an, struct tcp_an_cold *ac, int dir, const struct pkt_meta *m, bool ref)
{
    struct tcp_an_dir *fwd = &an->d[dir];
    struct tcp_an_dir *rev = &an->d[dir ^ 1];
    const uint16_t flags = m->flags;
    const uint32_t seglen = m->payload_len;
    const uint32_t win = m->window;
    const uint64_t ts = m->ts_ns;

    /*
     * Handshake RTT as Wireshark's iRTT: most recent SYN -> first ACK without
     * SYN. S_IRTT_PENDING mirrors "irtt_ns == 0 && syn_ts_ns != 0" in the hot
     * part, so later segments do not read the cold times.
     */
    if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
        ac->syn_ts_ns = ts;
        if (ac->irtt_ns == 0 && ts != 0)
            an->d[0].sflags |= S_IRTT_PENDING;
        else
            an->d[0].sflags &= (uint8_t)~S_IRTT_PENDING;
    } else if ((flags & (TCP_SYN | TCP_ACK)) == TCP_ACK &&
               (!ref ? CC_UNLIKELY(an->d[0].sflags & S_IRTT_PENDING)
                     : ac->irtt_ns == 0 && ac->syn_ts_ns != 0)) {
        ac->irtt_ns = ts - ac->syn_ts_ns;
        if (ac->irtt_ns != 0)
            an->d[0].sflags &= (uint8_t)~S_IRTT_PENDING;
    }

    if (flags & TCP_SYN)
        note_syn_wscale(fwd, rev, m);

    /*
     * Wireshark analyses the raw (absolute) numbers, relative display is applied
     * afterwards; its "nothing seen yet" tests are therefore comparisons of the
     * absolute nextseq/lastack/maxseqtobeacked with 0, reproduced here as is.
     * (Measured: an ACK whose raw ack is 0 after a SYN carrying ack 0 is a
     * duplicate ACK in tshark 4.0.)
     */
    const uint32_t seq = m->seq;
    const uint32_t ack = m->ack;

    unsigned fl = window_and_ack_flags(fwd, rev, m, ref);

    if (ack != fwd->lastack)
        fwd->dupacknum = 0;

    /*
     * ACK beyond the peer's contiguous data (tcp.analysis.ack_lost_segment, not
     * reported): kept for its side effect on the peer's dupacknum, which gates
     * fast retransmission. Branch as in the reference's 4.0.17 description.
     */
    if (rev->maxseqtobeacked != 0 && seq_gt(ack, rev->maxseqtobeacked) && (flags & TCP_ACK)) {
        if (seq_lt(rev->maxseqtobeacked, rev->nextseq)) {
            rev->maxseqtobeacked = rev->nextseq;
            fl |= AF_ACK_LOST;
        } else {
            if (rev->dupacknum == 0)
                fl |= AF_ACK_LOST;
            rev->dupacknum = -1;
        }
    }

    if ((seglen > 0 || (flags & (TCP_SYN | TCP_FIN))) && !(fl & AF_KEEP_ALIVE))
        fl |= classify_resend(ac, fwd, rev, seq, seglen, flags, ts, ref);

    /* Advance nextseq / maxseqtobeacked; probes do not (Wireshark). */
    uint32_t next = seq + seglen + ((flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u);
    if ((seq_gt(next, fwd->nextseq) || fwd->nextseq == 0) && !(fl & AF_ZWP)) {
        fwd->nextseq = next;
        fwd->nextseq_ts = ts;
    }
    if ((seq == fwd->maxseqtobeacked || fwd->maxseqtobeacked == 0) && !(fl & AF_ZWP))
        fwd->maxseqtobeacked = fwd->nextseq;

    fwd->window = win;
    if (flags & TCP_SYN)
        fwd->bits |= B_WIN_OF_SYN;
    else
        fwd->bits &= (uint8_t)~B_WIN_OF_SYN;
    fwd->lastack = ack;
    fwd->lastack_ts = ts;
    fwd->lastflags = (uint8_t)(fl & (AF_KEEP_ALIVE | AF_ZWP));
    count_flags(&ac->d[dir], fl);
    return fl;
}

/* Any segment: the general path (ref: its reference form, see above). */
static CC_ALWAYS_INLINE void
general_step(struct tcp_an *an, struct tcp_an_cold *ac, int dir, const struct pkt_meta *m,
             bool ref)
{
    struct tcp_an_dir *fwd = &an->d[dir];
    struct tcp_an_dir *rev = &an->d[dir ^ 1];
    struct tcp_an_dir_cold *fwdc = &ac->d[dir];
    const uint16_t flags = m->flags;
    const uint32_t seglen = m->payload_len;
    const uint32_t seq = m->seq;
    const uint32_t old_nextseq = fwd->nextseq;
    const uint64_t ts = m->ts_ns;
    unsigned fl;

    if (fwd->packets == 0 && rev->packets == 0)
        an->t0_ns = ts;
    fwd->packets++;

    fl = step_flags(an, ac, dir, m, ref);

    /* Payload accounting: data starts after the SYN's sequence number. */
    if (seglen > 0)
        account_payload(fwd, fwdc, seq + ((flags & TCP_SYN) ? 1u : 0u), seglen, ref);

    /* RTT: time new data (and FIN); Karn: anything resent clears the ring. */
    if ((seglen > 0 || (flags & TCP_FIN)) && !(flags & TCP_SYN) &&
        !(fl & (AF_ZWP | AF_KEEP_ALIVE))) {
        if (old_nextseq != 0 && seq_lt(seq, old_nextseq))
            fwd->n_rtt = 0;
        else
            rtt_push(fwd, fwdc, seq + seglen + ((flags & TCP_FIN) ? 1u : 0u), time_us(an, ts),
                     ref);
    }
    if (flags & TCP_ACK)
        rtt_ack(an, rev, &ac->d[dir ^ 1], m->ack, ts, ref);
}

/*
 * Both steps are out of line, so that tcp_an_step() is only the test and a
 * tail call, small enough for its caller to inline; the range and RTT
 * functions are inlined into both (one call site each, not shared).
 */
static CC_NOINLINE void
step_general(struct tcp_an *an, struct tcp_an_cold *ac, int dir, const struct pkt_meta *m)
{
    general_step(an, ac, dir, m, false);
}

bool
tcp_an_common_segment(const struct tcp_an *an, int dir, const struct pkt_meta *m)
{
    return common_segment(an, &an->d[dir], &an->d[dir ^ 1], m);
}

void
tcp_an_step_reference(struct tcp_an *an, struct tcp_an_cold *ac, int dir,
                      const struct pkt_meta *m)
{
    assert(dir == FLOW_DIR_AB || dir == FLOW_DIR_BA);
    general_step(an, ac, dir, m, true);
}

void
tcp_an_step(struct tcp_an *an, struct tcp_an_cold *ac, const struct flow *f, int dir,
            const struct pkt_meta *m, uint64_t pkt_no)
{
    (void)f;
    (void)pkt_no;
    assert(dir == FLOW_DIR_AB || dir == FLOW_DIR_BA);

    if (CC_LIKELY(common_segment(an, &an->d[dir], &an->d[dir ^ 1], m)))
        step_common(an, ac, dir, m);
    else
        step_general(an, ac, dir, m);
}

/* ---- summary ------------------------------------------------------------------- */

static void
fill_endpoint(const struct tcp_an_dir *d, const struct tcp_an_dir_cold *dc,
              struct tcp_endpoint_summary *e)
{
    if (d->window == UINT32_MAX)
        e->window = 0;
    else if (!(d->bits & B_WIN_OF_SYN) && d->win_scale >= 0)
        e->window = d->window << d->win_scale; /* RFC 7323 2.3: SYN windows never scale */
    else
        e->window = d->window;
    e->packets = d->packets;
    e->payload_bytes = d->unique_bytes + dc->retrans_bytes;
    e->unique_bytes = d->unique_bytes;
    e->retransmitted_bytes = dc->retrans_bytes;
    e->retransmits = dc->retransmits;
    e->fast_retransmits = dc->fast_retransmits;
    e->spurious_retransmits = dc->spurious_retransmits;
    e->out_of_order = dc->out_of_order;
    e->lost_segments = dc->lost_segments;
    e->dup_acks = dc->dup_acks;
    e->zero_windows = dc->zero_windows;
    e->zero_window_probes = dc->zero_window_probes;
    e->window_full = dc->window_full;
    e->keepalives = dc->keepalives;
    e->rtt.samples = d->rtt_samples;
    e->rtt.min_ns = (uint64_t)d->rtt_min_us * 1000u;
    e->rtt.max_ns = (uint64_t)d->rtt_max_us * 1000u;
    e->rtt.sum_ns = d->rtt_sum_us * 1000u;
}

void
tcp_an_summarize(const struct tcp_an *an, const struct tcp_an_cold *ac, const struct flow *f,
                 struct session_summary *out)
{
    int cdir = f->client_dir == FLOW_DIR_BA ? FLOW_DIR_BA : FLOW_DIR_AB;
    fill_endpoint(&an->d[cdir], &ac->d[cdir], &out->client);
    fill_endpoint(&an->d[cdir ^ 1], &ac->d[cdir ^ 1], &out->server);
}
