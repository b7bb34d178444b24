#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dead-output.sh - a dead consumer stops the run (issue 15, item 1). A
# 200,000-packet capture from bench/gen_bench is read from a pipe (cat) so
# that reading on after the output died is visible: when flowstate stops at
# once and exits, cat gets SIGPIPE (status 141); before, flowstate read the
# whole input and cat ended with 0.
#  - EVE, Zeek, text and -w - into `head -c 100000`: exit 0, no message,
#    input not read to its end (text: its table comes at the end);
#  - -o /dev/full and -w /dev/full: exit 2, exactly one message naming the
#    file and ENOSPC, input not read to its end (text as above).
# The write(2) counts (strace) and the live case are in
# tests/live/run-dead-output.sh (make check-system). Cost: ~2 s (ASan ~8 s).
set -uo pipefail
: "${FLOWSTATE:?}" "${BUILDDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fs-dead.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

big="$tmp/big.pcap"
if ! "$BUILDDIR/bench/gen_bench" -n 200000 -c 5000 -s 3 -o "$big" >/dev/null 2>&1; then
    echo "FAIL gen_bench"
    exit 1
fi

# The capture spans 2 s: short closing timers make records leave during the
# read, not only in the final drain.
early="--msl 0.01 --timeout closed=0.01"

# name, whether reading must stop early (no: -T text writes its table at
# the end), then flowstate's arguments; stdout goes to a reader that leaves early
dead_reader() {
    local name=$1 stop=$2 st
    shift 2
    cat "$big" | "$FLOWSTATE" -r - $early "$@" 2>"$tmp/err" | head -c 100000 >/dev/null
    st=("${PIPESTATUS[@]}")
    if [ "${st[1]}" -ne 0 ]; then
        bad "$name | head: exit ${st[1]}, want 0: $(head -c 300 "$tmp/err")"
    elif [ -s "$tmp/err" ]; then
        bad "$name | head: a message on EPIPE: $(head -c 300 "$tmp/err")"
    elif [ "$stop" = yes ] && [ "${st[0]}" -ne 141 ]; then
        bad "$name | head: the input was read to its end (cat exit ${st[0]}): the run went on"
    else
        ok "$name | head -c 100000: exit 0, silent, stopped reading at once"
    fi
}

dead_reader "-T eve" yes -T eve
dead_reader "-T zeek" yes -T zeek
dead_reader "-T eve --workers 2" yes -T eve --workers 2
dead_reader "-T text" no -T text
dead_reader "-w -" yes -q -w - -o "$tmp/records"

# name, path; then flowstate's arguments
full_file() {
    local name=$1 stop=$2 st n
    shift 2
    cat "$big" | "$FLOWSTATE" -r - $early "$@" >/dev/null 2>"$tmp/err"
    st=("${PIPESTATUS[@]}")
    n=$(wc -l <"$tmp/err")
    if [ "${st[1]}" -ne 2 ]; then
        bad "$name: exit ${st[1]}, want 2"
    elif [ "$n" -ne 1 ] || ! grep -q '/dev/full: No space left on device' "$tmp/err"; then
        bad "$name: want one message naming /dev/full and ENOSPC, got $n: $(head -c 300 "$tmp/err")"
    elif [ "$stop" = yes ] && [ "${st[0]}" -ne 141 ]; then
        bad "$name: the input was read to its end (cat exit ${st[0]}): the run went on"
    else
        ok "$name: exit 2, '$(cat "$tmp/err")', stopped reading at once"
    fi
}

full_file "-o /dev/full" yes -T eve -o /dev/full
full_file "-T zeek -o /dev/full" yes -T zeek -o /dev/full
full_file "-T text -o /dev/full" no -T text -o /dev/full
full_file "-w /dev/full" yes -T eve -o "$tmp/records" -w /dev/full

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
