#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-corpus.sh - replays the saved fuzz corpora without libFuzzer (STYLE.md
# section 10): tests/fuzz/corpus/decode through the decode harness,
# tests/fuzz/corpus/pcap through the pcap and the pcapfile harness,
# tests/fuzz/corpus/pcapng through the pcapng harness, and captures/ through
# the pcapfile and the pcapng harness. Every input runs in one process per
# harness, with the harness invariants asserted (a broken one aborts and names
# the input). Cost: ~2 s (ASan ~10 s).
# --shared (make check-system, through tests/corpus/fuzz-replay-shared.sh):
# the shared public corpus and tcpdump's test captures through the pcap,
# pcapfile and pcapng harnesses instead; needs the shared corpora (tests/lib/require.sh).
# Env: ONEFILE (replayer), SRCDIR (set by make). Missing in-tree corpora fail.
# Ends with "N passed, M failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
ONEFILE=${ONEFILE:-$SRCDIR/tests/fuzz/onefile}
mode=tree
[ "${1:-}" = --shared ] && mode=shared

passed=0
failed=0
if [ ! -x "$ONEFILE" ]; then
    echo "FAIL: fuzz replayer not found at $ONEFILE"
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

replay() { # replay HARNESS DIR
    local rc=0
    if [ ! -d "$2" ]; then
        echo "FAIL $1 $2: directory missing"
        failed=$((failed + 1))
        return
    fi
    "$ONEFILE" "$1" "$2" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -eq 0 ] &&
        ! grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' "$tmp/err"; then
        echo "ok   $(cat "$tmp/out") from $2"
        passed=$((passed + 1))
    else
        echo "FAIL $1 $2: exit $rc"
        tail -n 30 "$tmp/err" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
}

if [ "$mode" = shared ]; then
    . "$SRCDIR/tests/lib/require.sh"
    require_shared corpus/public corpus/tcpdump-tests
    replay pcap "$SHARED/corpus/public"
    replay pcap "$SHARED/corpus/tcpdump-tests"
    replay pcapfile "$SHARED/corpus/public"
    replay pcapfile "$SHARED/corpus/tcpdump-tests"
    replay pcapng "$SHARED/corpus/public"
    replay pcapng "$SHARED/corpus/tcpdump-tests"
else
    replay decode "$SRCDIR/tests/fuzz/corpus/decode"
    replay pcap "$SRCDIR/tests/fuzz/corpus/pcap"
    replay pcapfile "$SRCDIR/tests/fuzz/corpus/pcap"
    replay pcapfile "$SRCDIR/captures"
    replay pcapng "$SRCDIR/tests/fuzz/corpus/pcapng"
    replay pcapng "$SRCDIR/captures"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
