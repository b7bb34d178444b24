/*
 * tcp_analysis: Wireshark-compatible segment analysis, payload accounting and
 * per-ACK RTT for one TCP connection. Called by tcp_session_step() for every
 * segment tcp_state accepted as part of the connection, in capture order;
 * tcp_session_summarize() reads the result through tcp_an_summarize().
 *
 * Flags. tcp_an_step() reproduces the first-pass evaluation of Wireshark 4.0's
 * tcp_analyze_sequence_number (shared/ref/tcp-semantics.md section 3), in its
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
 * Size: sizeof(struct tcp_an) is 392 bytes (184 per direction + 24 shared):
 * Wireshark state with exact ns timers 40, ranges 32, byte totals 16,
 * packet and flag counters 44, RTT ring 32 and statistics 20.
 */
#include <config.h>

#include "tcp/tcp_analysis.h"

#include <assert.h>
#include <string.h>

#include "tcp/tcp_seq.h"

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
#define LF_KEEP_ALIVE 0x01u
#define LF_ZWP        0x02u

/* tcp_an_dir.bits */
#define B_WIN_OF_SYN 0x02u /* the stored window came from a SYN (never scaled) */

#define FAST_RETRANS_NS 20000000u /* 20 ms after the peer's last segment */
#define OOO_DEFAULT_NS  3000000u  /* 3 ms when the handshake RTT is unknown */
#define WSCALE_MAX      14        /* RFC 7323 2.3 */
#define RANGE_KEEP      (1u << 30)

void
tcp_an_init(struct tcp_an *an)
{
    memset(an, 0, sizeof(*an));
    for (int i = 0; i < 2; i++) {
        an->d[i].window = UINT32_MAX; /* Wireshark: window unknown, never "zero" */
        an->d[i].win_scale = -1;
    }
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

/* Bytes of [lo, hi) already inside the ranges. */
static uint32_t
ranges_overlap(const struct tcp_an_dir *d, uint32_t lo, uint32_t hi)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < d->n_ranges; i++) {
        uint32_t a = seq_max(lo, d->ranges[i].lo);
        uint32_t b = seq_min(hi, d->ranges[i].hi);
        if (seq_lt(a, b))
            sum += range_len(a, b);
    }
    return sum;
}

static void
ranges_insert(struct tcp_an_dir *d, uint32_t lo, uint32_t hi)
{
    struct tcp_an_range out[TCP_AN_RANGES + 1];
    unsigned n = 0, i = 0;

    /* Ranges wholly below the new one. */
    while (i < d->n_ranges && seq_lt(d->ranges[i].hi, lo))
        out[n++] = d->ranges[i++];
    /* Ranges touching or overlapping it merge into it. */
    while (i < d->n_ranges && seq_leq(d->ranges[i].lo, hi)) {
        lo = seq_min(lo, d->ranges[i].lo);
        hi = seq_max(hi, d->ranges[i].hi);
        i++;
    }
    out[n].lo = lo;
    out[n].hi = hi;
    n++;
    while (i < d->n_ranges)
        out[n++] = d->ranges[i++];

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
    memcpy(d->ranges, &out[first], n * sizeof(out[0]));
    d->n_ranges = (uint8_t)n;
}

static void
account_payload(struct tcp_an_dir *d, uint32_t lo, uint32_t len)
{
    uint32_t hi = lo + len;
    uint32_t old = ranges_overlap(d, lo, hi);
    d->retrans_bytes += old;
    d->unique_bytes += len - old;
    ranges_insert(d, lo, hi);
}

/* ---- RTT (RFC 6298, Karn's rule) -------------------------------------------- */

static uint32_t
time_us(const struct tcp_an *an, uint64_t ts_ns)
{
    int64_t d = (int64_t)(ts_ns - an->t0_ns);
    return (uint32_t)(d / 1000); /* modulo 2^32: differences stay right for ~71 min */
}

static void
rtt_push(struct tcp_an_dir *d, uint32_t end, uint32_t now_us)
{
    if (d->n_rtt == TCP_AN_RTT_RING) {
        /* Drop the oldest: the newest segments are the ones cumulative ACKs time. */
        memmove(&d->rtt_end[0], &d->rtt_end[1], (TCP_AN_RTT_RING - 1) * sizeof(uint32_t));
        memmove(&d->rtt_sent[0], &d->rtt_sent[1], (TCP_AN_RTT_RING - 1) * sizeof(uint32_t));
        d->n_rtt--;
    }
    d->rtt_end[d->n_rtt] = end;
    d->rtt_sent[d->n_rtt] = now_us;
    d->n_rtt++;
}

/* The peer acknowledged up to ack (absolute) at now_us. */
static void
rtt_ack(struct tcp_an_dir *d, uint32_t ack, uint32_t now_us)
{
    unsigned k = 0;
    while (k < d->n_rtt && seq_leq(d->rtt_end[k], ack))
        k++;
    if (k == 0)
        return;
    uint32_t sample = now_us - d->rtt_sent[k - 1];
    if (sample <= INT32_MAX) { /* a negative delta means timestamps went backwards */
        if (d->rtt_samples == 0 || sample < d->rtt_min_us)
            d->rtt_min_us = sample;
        if (sample > d->rtt_max_us)
            d->rtt_max_us = sample;
        d->rtt_samples++;
        d->rtt_sum_us += sample;
    }
    memmove(&d->rtt_end[0], &d->rtt_end[k], (d->n_rtt - k) * sizeof(uint32_t));
    memmove(&d->rtt_sent[0], &d->rtt_sent[k], (d->n_rtt - k) * sizeof(uint32_t));
    d->n_rtt = (uint8_t)(d->n_rtt - k);
}

/* ---- the per-segment analysis ------------------------------------------------ */

static void
count_flags(struct tcp_an_dir *d, unsigned fl)
{
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
static unsigned
classify_resend(const struct tcp_an *an, const struct tcp_an_dir *fwd, const struct tcp_an_dir *rev,
                uint32_t seq, uint32_t seglen, uint16_t flags, uint64_t ts)
{
    bool not_advanced = fwd->nextseq != 0 && seq_lt(seq, fwd->nextseq);
    uint32_t synfin = (flags & (TCP_SYN | TCP_FIN)) ? 1u : 0u;

    /* Extends a byte at nextseq - 1 with new data (e.g. after a probe): not old. */
    if (seglen > 1 && fwd->nextseq - 1 == seq)
        not_advanced = false;

    /* Everything in it was already acknowledged. */
    if (seglen > 0 && rev->lastack != 0 && seq_leq(seq + seglen, rev->lastack))
        return AF_SPURIOUS;

    /* >= 2 duplicate ACKs for exactly this seq, within 20 ms of the peer's last segment. */
    uint64_t t = ts - rev->lastack_ts;
    if (not_advanced && rev->dupacknum >= 2 && rev->lastack == seq && t < FAST_RETRANS_NS)
        return AF_FAST_RETRANS;

    /* Close behind the segment that set nextseq: reordering, not a resend. */
    t = ts - fwd->nextseq_ts;
    uint64_t thres = an->irtt_ns != 0 ? an->irtt_ns : OOO_DEFAULT_NS;
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
 * Steps 1-3 of the evaluation order: probe, window and ACK flags. The first
 * match among probe, keep-alive ACK and probe ACK ends the checks (Wireshark's
 * "goto finished_fwd"). Updates fwd->dupacknum on a duplicate ACK.
 */
static unsigned
window_and_ack_flags(struct tcp_an_dir *fwd, const struct tcp_an_dir *rev, const struct pkt_meta *m)
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

void
tcp_an_step(struct tcp_an *an, const struct flow *f, int dir, const struct pkt_meta *m,
            uint64_t pkt_no)
{
    (void)f;
    (void)pkt_no;
    assert(dir == FLOW_DIR_AB || dir == FLOW_DIR_BA);

    struct tcp_an_dir *fwd = &an->d[dir];
    struct tcp_an_dir *rev = &an->d[dir ^ 1];
    const uint16_t flags = m->flags;
    const uint32_t seglen = m->payload_len;
    const uint32_t win = m->window;
    const uint64_t ts = m->ts_ns;

    if (fwd->packets == 0 && rev->packets == 0)
        an->t0_ns = ts;
    fwd->packets++;

    /* Handshake RTT as Wireshark's iRTT: most recent SYN -> first ACK without SYN. */
    if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
        an->syn_ts_ns = ts;
    else if ((flags & (TCP_SYN | TCP_ACK)) == TCP_ACK && an->irtt_ns == 0 && an->syn_ts_ns != 0)
        an->irtt_ns = ts - an->syn_ts_ns;

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
    const uint32_t old_nextseq = fwd->nextseq;

    unsigned fl = window_and_ack_flags(fwd, rev, m);

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
        fl |= classify_resend(an, fwd, rev, seq, seglen, flags, ts);

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
    fwd->lastflags =
        (uint8_t)(((fl & AF_KEEP_ALIVE) ? LF_KEEP_ALIVE : 0u) | ((fl & AF_ZWP) ? LF_ZWP : 0u));
    count_flags(fwd, fl);

    /* Payload accounting: data starts after the SYN's sequence number. */
    if (seglen > 0)
        account_payload(fwd, m->seq + ((flags & TCP_SYN) ? 1u : 0u), seglen);

    /* RTT: time new data (and FIN); Karn: anything resent clears the ring. */
    uint32_t now_us = time_us(an, ts);
    if ((seglen > 0 || (flags & TCP_FIN)) && !(flags & TCP_SYN) &&
        !(fl & (AF_ZWP | AF_KEEP_ALIVE))) {
        if (old_nextseq != 0 && seq_lt(seq, old_nextseq))
            fwd->n_rtt = 0;
        else
            rtt_push(fwd, m->seq + seglen + ((flags & TCP_FIN) ? 1u : 0u), now_us);
    }
    if (flags & TCP_ACK)
        rtt_ack(rev, m->ack, now_us);
}

/* ---- summary ------------------------------------------------------------------- */

static void
fill_endpoint(const struct tcp_an_dir *d, struct tcp_endpoint_summary *e)
{
    if (d->window == UINT32_MAX)
        e->window = 0;
    else if (!(d->bits & B_WIN_OF_SYN) && d->win_scale >= 0)
        e->window = d->window << d->win_scale; /* RFC 7323 2.3: SYN windows never scale */
    else
        e->window = d->window;
    e->packets = d->packets;
    e->payload_bytes = d->unique_bytes + d->retrans_bytes;
    e->unique_bytes = d->unique_bytes;
    e->retransmitted_bytes = d->retrans_bytes;
    e->retransmits = d->retransmits;
    e->fast_retransmits = d->fast_retransmits;
    e->spurious_retransmits = d->spurious_retransmits;
    e->out_of_order = d->out_of_order;
    e->lost_segments = d->lost_segments;
    e->dup_acks = d->dup_acks;
    e->zero_windows = d->zero_windows;
    e->zero_window_probes = d->zero_window_probes;
    e->window_full = d->window_full;
    e->keepalives = d->keepalives;
    e->rtt.samples = d->rtt_samples;
    e->rtt.min_ns = (uint64_t)d->rtt_min_us * 1000u;
    e->rtt.max_ns = (uint64_t)d->rtt_max_us * 1000u;
    e->rtt.sum_ns = d->rtt_sum_us * 1000u;
}

void
tcp_an_summarize(const struct tcp_an *an, const struct flow *f, struct session_summary *out)
{
    int cdir = f->client_dir == FLOW_DIR_BA ? FLOW_DIR_BA : FLOW_DIR_AB;
    fill_endpoint(&an->d[cdir], &out->client);
    fill_endpoint(&an->d[cdir ^ 1], &out->server);
}
