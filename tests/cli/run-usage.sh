#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-usage.sh - the command line's answers to mistakes and habits: exit
# status and the first line on standard error, byte for byte (tcpdump gives
# bad usage exit status 2 and one clear line; so does flowstate). Also the
# tcpdump habits that must simply work (-n, -nn, -nr FILE, -s 0, -q).
#
# Runs in $SRCDIR/captures with TZ=UTC; no root, no network.
# Env: FLOWSTATE, SRCDIR (as the other script tests). Ends with "N passed, M failed".
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
cd "$SRCDIR/captures"
export TZ=UTC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# check EXIT FIRST-STDERR-LINE ARGS...   ("" = stderr must be empty)
check() {
    local want_rc=$1 want_err=$2 rc=0 got
    shift 2
    "$FLOWSTATE" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
    got=$(head -n 1 "$tmp/err")
    if [ "$rc" -ne "$want_rc" ]; then
        echo "FAIL flowstate $*: exit $rc, want $want_rc"; sed 's/^/    /' "$tmp/err"
        fail=$((fail + 1))
    elif [ "$got" != "$want_err" ]; then
        echo "FAIL flowstate $*: stderr"; echo "    got:  $got"; echo "    want: $want_err"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}
# same_out ARGS-A -- ARGS-B: both runs exit 0 with identical stdout
same_out() {
    local a=() b=()
    while [ "$1" != -- ]; do a+=("$1"); shift; done
    shift
    b=("$@")
    if "$FLOWSTATE" "${a[@]}" >"$tmp/a" 2>"$tmp/ea" </dev/null &&
        "$FLOWSTATE" "${b[@]}" >"$tmp/b" 2>"$tmp/eb" </dev/null && cmp -s "$tmp/a" "$tmp/b" &&
        [ -s "$tmp/a" ]; then
        pass=$((pass + 1))
    else
        echo "FAIL flowstate ${a[*]}  vs  flowstate ${b[*]}: outputs differ or failed"
        cat "$tmp/ea" "$tmp/eb" | sed 's/^/    /'
        fail=$((fail + 1))
    fi
}

f=tcp-3whs-close.pcap
n=$("$FLOWSTATE" -D | wc -l)
[ "$n" -eq 1 ] && ifaces="1 interface" || ifaces="$n interfaces"

# ---- getopt's mistakes, each with its own message --------------------------------------
check 2 "flowstate: unknown option -x" -x -r $f
check 2 "flowstate: unknown option -x" -nx -r $f
check 2 "flowstate: unknown option '--bogus'" --bogus -r $f
check 2 "flowstate: unknown option '--bogus'" --bogus=1 -r $f
check 2 "flowstate: option -r needs an argument" -r
check 2 "flowstate: option --read needs an argument" --read
check 2 "flowstate: option --json takes no argument" --json=1 -r $f
check 2 "flowstate: option -c needs an argument" -r $f -c
# ---- values ---------------------------------------------------------------------------
check 2 "flowstate: invalid snapshot length '-1' (0..262144; 0 = 262144)" -s -1 -r $f
check 2 "flowstate: invalid snapshot length '262145' (0..262144; 0 = 262144)" -s 262145 -r $f
check 2 "flowstate: -i 0: invalid interface index (the numbers of -D start at 1)" -i 0
check 2 "flowstate: -i 100000: invalid interface index: only $ifaces (see -D)" -i 100000
check 2 "flowstate: --speed paces the interactive view: add --tui (with -r)" --speed 2 -r $f
check 2 "flowstate: --speed replays files (-r); a live capture runs at its own pace" --tui --speed 2 -i lo
# ---- messages that say what to type instead -------------------------------------------
check 2 "flowstate: '$f' is a file, not a filter: give -r before each file (-r $f)" -r $f $f
check 2 "flowstate: '$f' is a file, not a filter: read it with -r $f" $f
check 2 "flowstate: 'state close-wait' is ss syntax; the expression is a BPF filter: use --state close-wait" -r $f state close-wait
check 2 "flowstate: 'exclude established' is ss syntax; the expression is a BPF filter: use --state '!established'" -r $f exclude established
check 2 "flowstate: 'established' is a TCP state, not a BPF filter: use --state established" -r $f established
check 2 "flowstate: 'close_wait' is not a BPF filter: to select stuck connections use --stuck=close_wait (with '=')" -r $f --stuck close_wait
# ---- --state / --stuck mistakes ---------------------------------------------------------
check 2 "flowstate: --state: 'listening' means nothing on the wire: a capture shows connections, not sockets waiting for one (ss -l lists those)" --state listening -r $f
check 2 "flowstate: --state: unknown state 'estab1ished' (established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, close-wait, closing, last-ack, time-wait, closed, none; groups: all, connected, synchronized, bucket, big)" --state estab1ished -r $f
check 2 "flowstate: --state: empty state name" --state close-wait, -r $f
check 2 "flowstate: --stuck: unknown kind 'closewait' (close_wait, half_open, syn_unanswered, zero_window)" --stuck=closewait -r $f
check 2 "flowstate: --state needs the TCP state machine, which --flows-only turns off" --flows-only --state established -r $f
check 2 "flowstate: --stuck needs the TCP state machine, which --flows-only turns off" --half-open --flows-only -r $f
check 0 "" --state connected,!established --stuck -r $f
# no doubled text (libpcap's message already starts with the file name)
check 2 "flowstate: /nonexistent/x.pcap: No such file or directory" -r /nonexistent/x.pcap
check 2 "flowstate: give the filter either with -f or as an expression, not both" -r $f -f tcp udp
# ---- habits that must work ------------------------------------------------------------
check 0 "" -n -r $f
check 0 "" -nn -r $f
check 0 "" -nr $f
check 0 "" -s 0 -r $f
check 0 "" -q -r $f
same_out -nnr $f -- -r $f
same_out -s 0 -T eve -r $f -- -T eve -r $f
# the summary never claims 1970: every packet filtered, or none read
if "$FLOWSTATE" -r $f udp 2>/dev/null | grep -qx 'summary (no packet passed the filter)' &&
    ! "$FLOWSTATE" -r $f udp 2>/dev/null | grep -q 1970; then
    pass=$((pass + 1))
else
    echo "FAIL: summary of a capture whose every packet was filtered"; fail=$((fail + 1))
fi
# -q: the table without the summary block
if [ "$("$FLOWSTATE" -q -r $f | wc -l)" -eq 2 ] && "$FLOWSTATE" -r $f | grep -q '^summary at '; then
    pass=$((pass + 1))
else
    echo "FAIL: -q still prints the summary (or the plain run lost it)"; fail=$((fail + 1))
fi
# off a terminal the table ignores COLUMNS; on one, the terminal's own width wins over it
if [ "$(COLUMNS=40 "$FLOWSTATE" -q -r $f)" = "$("$FLOWSTATE" -q -r $f)" ] &&
    [ "$(COLUMNS=300 "$FLOWSTATE" -q -r $f | head -1)" = "$("$FLOWSTATE" -q -r $f | head -1)" ]; then
    pass=$((pass + 1))
else
    echo "FAIL: COLUMNS changed the table off a terminal"; fail=$((fail + 1))
fi
PTYRUN=${PTYRUN:-$(dirname "$FLOWSTATE")/tests/golden/ptyrun}
w=$(COLUMNS=300 "$PTYRUN" 60 -- "$FLOWSTATE" -q -r half-open-close-wait.pcap | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
if [ "$w" -gt 0 ] && [ "$w" -le 60 ]; then
    pass=$((pass + 1))
else
    echo "FAIL: on a 60-column terminal with COLUMNS=300 the widest line is $w"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
