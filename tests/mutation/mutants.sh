# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034
# Bugs planted by run-mutants.sh: each must make its test program fail (and
# the named test, when one is named). The state-fast-*, an-* and zeek-* ones
# sit in a fast path and are for the differential tests (fast path against
# the general or reference path); state-* ones in the machine and its table.
# The first 21 are the same bugs as those planted in the code before issue 17
# (see the commit that added this file for both results). Three of them are
# equivalent mutants: the change cannot alter any result, so no test can
# catch them (each says why).
DS=test_fast_path_matches_general_path
DA='test_fast_paths_match_reference|test_common_segment_long_transfer_matches_reference|test_common_segment_huge_lengths_match_reference'
DZ=test_fast_paths_match_reference
ROWS=test_every_table_row_is_reached_by_a_packet_sequence

T=tests/unit/check_tcp_state
# fast path: forgets the window, takes RST segments, ignores a FIN already sent, skips the sent count
mutant state-fast-no-window src/tcp/tcp_state.c $T $'        handle_data(&c);\n        note_window(&c);\n        return step_done(&c);' $'        handle_data(&c);\n        return step_done(&c);' $DS
mutant state-fast-takes-rst src/tcp/tcp_state.c $T 'if (CC_LIKELY((fl & (TCP_SYN | TCP_FIN | TCP_RST | TCP_ACK)) == TCP_ACK &&' 'if (CC_LIKELY((fl & (TCP_SYN | TCP_FIN | TCP_ACK)) == TCP_ACK &&' $DS
# Equivalent: no endpoint is ESTABLISHED after sending a FIN (every row for
# send_fin and send_fin_crossed leaves ESTABLISHED, and no row enters
# ESTABLISHED from a state that follows one), so the fast path's FIN test
# never decides anything; it stays as a guard.
equivalent state-fast-ignores-fin src/tcp/tcp_state.c $T '!((st->ep[0].flags | st->ep[1].flags) & TSE_FIN) && ' '' $DS
mutant state-fast-no-sent-count src/tcp/tcp_state.c $T $'        note_window(&c);\n        return step_done(&c);' $'        note_window(&c);\n        return TCP_STEP_OK;' $DS
# the acceptable-ACK range of a SYN: off by one at the bottom, no top
mutant state-synack-ack-off-by-one src/tcp/tcp_state.c $T 'return seq_geq(ack, c->sc->isn[c->p] + 1u) && seq_leq(ack, c->st->ep[c->p].snd_nxt);' 'return seq_gt(ack, c->sc->isn[c->p] + 1u) && seq_leq(ack, c->st->ep[c->p].snd_nxt);'
mutant state-third-ack-upper-bound src/tcp/tcp_state.c $T 'return seq_geq(ack, c->sc->isn[c->p] + 1u) && seq_leq(ack, c->st->ep[c->p].snd_nxt);' 'return seq_geq(ack, c->sc->isn[c->p] + 1u);'
# wrong rows
mutant state-fin-wait-1-acked-to-time-wait src/tcp/tcp_state.c $T 'ROW(FIN_WAIT_1, FIN_ACKED, FIN_WAIT_2),' 'ROW(FIN_WAIT_1, FIN_ACKED, TIME_WAIT),'
mutant state-closing-acked-to-closed src/tcp/tcp_state.c $T 'ROW(CLOSING, FIN_ACKED, TIME_WAIT),' 'ROW(CLOSING, FIN_ACKED, CLOSED),'
mutant state-crossed-fin-to-last-ack src/tcp/tcp_state.c $T 'ROW(CLOSE_WAIT, SEND_FIN_CROSSED, CLOSING),' 'ROW(CLOSE_WAIT, SEND_FIN_CROSSED, LAST_ACK),'
mutant state-syn-sent-processes-fin src/tcp/tcp_state.c $T 'ROW(SYN_SENT, RST, CLOSED),' 'ROW(SYN_SENT, RST, CLOSED), ROW(SYN_SENT, GET_FIN, CLOSE_WAIT),'
mutant state-tclass-close-wait src/tcp/tcp_state_judge.c $T '    [TCP_ST_CLOSE_WAIT] = FLOW_TC_CLOSING,' '    [TCP_ST_CLOSE_WAIT] = FLOW_TC_ESTABLISHED,' test_tclass_table_matches_definition

T=tests/unit/check_tcp_analysis
mutant an-common-no-dupack-reset src/tcp/tcp_analysis.c $T $'    if (ack != fwd->lastack)\n        fwd->dupacknum = 0;\n    if (seglen > 0) {\n        fwd->nextseq = seq + seglen;' $'    if (seglen > 0) {\n        fwd->nextseq = seq + seglen;' "$DA"
mutant an-common-ignores-peer-zero-window src/tcp/tcp_analysis.c $T 'm->window == 0 || rev->window == 0 ||' 'm->window == 0 ||' "$DA"
mutant an-inplace-range-no-trim src/tcp/tcp_analysis.c $T $'    uint32_t floor = r.hi - RANGE_KEEP;\n    if (seq_lt(r.lo, floor))\n        r.lo = floor;\n    d->range0 = r;' $'    d->range0 = r;' "$DA"
mutant an-rtt-hot-oldest-sample src/tcp/tcp_analysis.c $T 'rtt_sample(d, time_us(an, ts) - d->rtt_sent[k - 1]);' 'rtt_sample(d, time_us(an, ts) - d->rtt_sent[0]);' "$DA"
mutant an-resend-shortcut src/tcp/tcp_analysis.c $T 'if (!ref && CC_LIKELY(!not_advanced))' 'if (!ref && CC_LIKELY(seglen > 0))' "$DA"
# Equivalent: AF_WINDOW_UPDATE is neither counted nor kept (count_flags(),
# lastflags), so setting it on a zero window changes no state or result.
equivalent an-nested-window-update src/tcp/tcp_analysis.c $T $'        if (win != 0)\n            fl |= AF_WINDOW_UPDATE;' $'        fl |= AF_WINDOW_UPDATE;' "$DA"

T=tests/unit/check_tcp_zeek
# Equivalent: with one letter in the history, a mask already seen is that
# letter's, so the "H then A or D" flip (which needs an unseen A or D mask)
# cannot be skipped by the shortcut.
equivalent zeek-hist-fast-no-len-check src/tcp/tcp_zeek.c $T 'CC_LIKELY(z->hist_len != 1) &&' '' $DZ
mutant zeek-fast-no-inactive-init src/tcp/tcp_zeek.c $T '|| syn || e->state == TZ_INACTIVE)' '|| syn)' $DZ
mutant zeek-fast-no-inactive-state src/tcp/tcp_zeek.c $T $'         e->state == TZ_INACTIVE) &&\n        state_machine' $'         0) &&\n        state_machine' $DZ

# new with the table: a state written past the table, a row without a packet sequence
T=tests/unit/check_tcp_state
mutant state-write-outside-table src/tcp/tcp_state.c $T '    fire(c, c->p, TCP_EV_RST);' '    c->st->ep[c->p].state = TCP_ST_CLOSED;' "$DS|$ROWS"
mutant state-row-without-sequence src/tcp/tcp_state.c $T $'    ROW(FIN_WAIT_2, RST, CLOSED),              /* 3.10.7.4 first check */\n' '' $ROWS
mutant state-row-last-ack-to-time-wait src/tcp/tcp_state.c $T 'ROW(LAST_ACK, FIN_ACKED, CLOSED),' 'ROW(LAST_ACK, FIN_ACKED, TIME_WAIT),'
