#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-corpus.sh - replays the saved fuzz corpora without libFuzzer (STYLE.md
# section 10): tests/fuzz/corpus/decode through the decode harness, and
# tests/fuzz/corpus/pcap, the public corpus and tcpdump's test captures
# through the pcap harness and (with captures/) the pcapfile harness. Every input runs in one process per harness, with
# the harness invariants asserted (a broken one aborts and names the input).
# Env: ONEFILE (replayer), SRCDIR (set by `make check`). Missing corpora fail.
# Ends with "N passed, M failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
ONEFILE=${ONEFILE:-$SRCDIR/tests/fuzz/onefile}
shared=${SHARED:-$SRCDIR/../shared}/corpus

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

replay decode "$SRCDIR/tests/fuzz/corpus/decode"
replay pcap "$SRCDIR/tests/fuzz/corpus/pcap"
replay pcap "$shared/public"
replay pcap "$shared/tcpdump-tests"
replay pcapfile "$SRCDIR/tests/fuzz/corpus/pcap"
replay pcapfile "$shared/public"
replay pcapfile "$shared/tcpdump-tests"
replay pcapfile "$SRCDIR/captures"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
