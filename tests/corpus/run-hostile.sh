#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-hostile.sh - tcpdump's 830 test captures (many are fuzzer reproducers) as
# hostile input: $SRCDIR/../shared/corpus/tcpdump-tests.
#
# Part 1: all files through the fuzz_pcap harness in ONE process
#         ("$ONEFILE" pcap DIR): invariants asserted per record, no crash.
# Part 2: `flowstate -T eve -r FILE` once per file. Each run must:
#   - end by exit status 0, 1 or 2 (never a signal); 2 must come with a message;
#   - leave no sanitizer report on stderr;
#   - when the file opened (0 or 1): end with the final stats record, with
#     decoder.pkts == sum(flowstate.decoder.outcome.*), and decoder.pkts +
#     flowstate.decoder.filtered (records read) == the `capinfos -c -M` count
#     when capinfos can read the file (it does not know some link types).
# Prints the totals; ends with "N passed, M failed".
# Env: FLOWSTATE, ONEFILE, SRCDIR, SHARED (set by `make check-system`). Needs the
# shared corpus and jq; capinfos is optional (required under FLOWSTATE_REQUIRE_ALL=1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
ONEFILE=${ONEFILE:-$SRCDIR/tests/fuzz/onefile}
TZ=UTC
export TZ
. "$SRCDIR/tests/lib/require.sh"
require_shared corpus/tcpdump-tests
require_tool jq
corpus=$SHARED/corpus/tcpdump-tests

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

files=()
for f in "$corpus"/*.pcap "$corpus"/*.pcapng; do
    [ -f "$f" ] && files+=("$f")
done
echo "hostile corpus: ${#files[@]} capture files"
[ ${#files[@]} -gt 0 ] || fail "no capture files in $corpus"

# ---- part 1: one process, fuzz_pcap harness -----------------------------------
if [ -x "$ONEFILE" ]; then
    rc=0
    start=$(date +%s.%N)
    "$ONEFILE" pcap "${files[@]}" >"$tmp/onefile.out" 2>"$tmp/onefile.err" || rc=$?
    end=$(date +%s.%N)
    if [ "$rc" -eq 0 ] && ! grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' \
        "$tmp/onefile.err"; then
        echo "ok   onefile pcap: $(cat "$tmp/onefile.out")" \
            "($(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s)"
        passed=$((passed + 1))
    else
        fail "onefile pcap: exit $rc"
        tail -n 30 "$tmp/onefile.err" | sed 's/^/    /'
    fi
else
    fail "fuzz replayer not found at $ONEFILE"
fi

# ---- part 2: flowstate per file -------------------------------------------------
if [ ! -x "$FLOWSTATE" ]; then
    fail "flowstate binary not found at $FLOWSTATE"
    echo "$passed passed, $failed failed"
    exit 1
fi

# capinfos reads all files in one run (~0.1 s); files it cannot read get no row.
if want_tool capinfos:wireshark-common; then
    capinfos -c -M -T -r "${files[@]}" >"$tmp/capinfos.tsv" 2>/dev/null || true
else
    echo "note: capinfos not installed; checking the accounting invariant only"
    : >"$tmp/capinfos.tsv"
fi

n_open=0
n_err_exit=0
n_refused=0
n_pkts=0
n_nocap=0
start=$(date +%s.%N)
for f in "${files[@]}"; do
    b=$(basename "$f")
    rc=0
    "$FLOWSTATE" -T eve -r "$f" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
    if [ "$rc" -gt 2 ]; then
        if [ "$rc" -gt 128 ]; then
            fail "$b: killed by signal $((rc - 128))"
        else
            fail "$b: exit status $rc"
        fi
        head -n 20 "$tmp/err" | sed 's/^/    /'
        continue
    fi
    if grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' "$tmp/err"; then
        fail "$b: sanitizer report"
        head -n 30 "$tmp/err" | sed 's/^/    /'
        continue
    fi
    if [ "$rc" -eq 2 ]; then
        if [ ! -s "$tmp/err" ]; then
            fail "$b: exit 2 without a message"
            continue
        fi
        n_refused=$((n_refused + 1))
        passed=$((passed + 1))
        continue
    fi
    n_open=$((n_open + 1))
    [ "$rc" -eq 1 ] && n_err_exit=$((n_err_exit + 1))
    # the run's final stats record is its last line (periodic ones may precede it)
    if ! tail -n 1 "$tmp/out" | grep '"event_type":"stats"' >"$tmp/stats"; then
        fail "$b: the last record is not the stats record (exit $rc)"
        continue
    fi
    read -r pkts acct <<<"$(jq -r '.stats as $s | $s.flowstate.decoder as $d |
        "\($s.decoder.pkts + $d.filtered) \($d.filtered + ([$d.outcome | to_entries[] |
            select(.key | endswith("_delta") | not) | .value] | add))"' "$tmp/stats")"
    if [ "$pkts" != "$acct" ]; then
        fail "$b: pkts $pkts != filtered + sum(outcome) $acct"
        continue
    fi
    want=$(awk -F '\t' -v f="$f" '$1 == f { print $2; exit }' "$tmp/capinfos.tsv")
    if [ -z "$want" ]; then
        n_nocap=$((n_nocap + 1))
    elif [ "$pkts" != "$want" ]; then
        fail "$b: pkts $pkts != capinfos $want (exit $rc)"
        continue
    fi
    n_pkts=$((n_pkts + pkts))
    passed=$((passed + 1))
done
end=$(date +%s.%N)

echo "flowstate runs: ${#files[@]} in" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s;" \
    "$n_open opened ($n_err_exit ended with a read error, exit 1)," \
    "$n_refused refused with exit 2; $n_pkts packets accounted;" \
    "$n_nocap files not readable by capinfos (invariant only)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
