#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# workers-bench.sh - the cost and the gain of --workers (issue 8), ratios from
# one run:
#  1. --workers 1 against a baseline binary (the single-threaded path before
#     the engine refactor): cachegrind instruction counts (Ir) on a 200k-packet
#     capture, and the median wall-time ratio of --pairs interleaved runs
#     (baseline, new, baseline, new, ...) on the bench capture.
#  2. --workers 2 against --workers 1 on the bench capture, full validation,
#     -T eve -o /dev/null. Reference: two --workers 1 runs of the same file
#     started together; 2*T1/T(both) is the speedup this machine's CPUs
#     allow, T1/T2 the one --workers 2 reaches; their ratio is the figure.
# Usage: bench/workers-bench.sh [--baseline BIN | --baseline-commit REV]
#                               [--pairs N] [--runs N] [CAPTURE]
#   --baseline-commit REV builds REV (git archive, ./configure, make) into
#   bench/out/base-REV/ once and uses its flowstate. Without a baseline, part 1
#   is skipped. CAPTURE defaults to run-bench.sh's bench file (2M packets,
#   made with bench/out/gen_bench when missing). --runs (default 3): best-of
#   for each time in part 2.
# Env: FLOWSTATE (default ./flowstate at the top of the tree), CC.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
FLOWSTATE=${FLOWSTATE:-$top/flowstate}
CC=${CC:-cc}
out=$here/out
base= base_rev= pairs=7 runs=3 cap=
while [ $# -gt 0 ]; do
    case $1 in
    --baseline) base=$2; shift ;;
    --baseline-commit) base_rev=$2; shift ;;
    --pairs) pairs=$2; shift ;;
    --runs) runs=$2; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    -*) echo "workers-bench.sh: unknown option $1" >&2; exit 2 ;;
    *) cap=$1 ;;
    esac
    shift
done
for tool in /usr/bin/time jq valgrind; do
    command -v "$tool" >/dev/null || { echo "workers-bench.sh: $tool is required" >&2; exit 2; }
done
mkdir -p "$out"
gen=$out/gen_bench
if [ ! -x "$gen" ] || [ "$here/gen_bench.c" -nt "$gen" ]; then
    "$CC" -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -o "$gen" "$here/gen_bench.c"
fi
if [ -z "$cap" ]; then
    cap=$out/bench-n2000000-c100000-s1.pcap
    [ -s "$cap" ] || "$gen" -n 2000000 -c 100000 -s 1 -o "$cap" >/dev/null
fi
small=$out/bench-n200000-c10000-s1.pcap
[ -s "$small" ] || "$gen" -n 200000 -c 10000 -s 1 -o "$small" >/dev/null

if [ -n "$base_rev" ]; then
    bdir=$out/base-$base_rev
    if [ ! -x "$bdir/flowstate" ]; then
        rm -rf "$bdir"
        mkdir -p "$bdir"
        git -C "$top" archive "$base_rev" | tar -x -C "$bdir"
        (cd "$bdir" && autoreconf -fi >/dev/null 2>&1 && ./configure >/dev/null && make -j"$(nproc)" flowstate >/dev/null)
    fi
    base=$bdir/flowstate
fi

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "capture: $cap ($(jq -r 'select(.event_type=="stats") | .stats.decoder.pkts' < <("$FLOWSTATE" -T eve --flows-only -r "$cap" | tail -n 1)) packets)"

# wall FILE ARGS...: wall seconds of one run (eve to /dev/null)
wall() {
    local f=$1
    shift
    /usr/bin/time -f %e -o "$out/.wall" "$@" -T eve -r "$f" -o /dev/null
    cat "$out/.wall"
}
best() { # best N CMD...: lowest of N walls
    local n=$1 b= t
    shift
    for _ in $(seq "$n"); do
        t=$(wall "$@")
        if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
    done
    echo "$b"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if [ -n "$base" ]; then
    echo "== 1. --workers 1 vs baseline $base"
    ir() {
        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" \
            -T eve -r "$small" -o /dev/null 2>&1 | sed -n 's/.*I *refs: *//p' | tr -d ,
    }
    ib=$(ir "$base")
    in=$(ir "$FLOWSTATE" --workers 1)
    awk -v b="$ib" -v n="$in" 'BEGIN { printf "cachegrind Ir (200k packets): baseline %d, --workers 1 %d: %+.2f%%\n", b, n, (n / b - 1) * 100 }'
    : >"$out/.pairs"
    for i in $(seq "$pairs"); do
        tb=$(wall "$cap" "$base")
        tn=$(wall "$cap" "$FLOWSTATE" --workers 1)
        echo "  pair $i: baseline ${tb}s, --workers 1 ${tn}s"
        awk -v b="$tb" -v n="$tn" 'BEGIN { print n / b }' >>"$out/.pairs"
    done
    m=$(median <"$out/.pairs")
    awk -v m="$m" -v p="$pairs" 'BEGIN { printf "median of %d interleaved pairs: --workers 1 / baseline = %.4f (%+.2f%%)\n", p, m, (m - 1) * 100 }'
fi

echo "== 2. --workers 2 vs --workers 1 (best of $runs each)"
t1=$(best "$runs" "$cap" "$FLOWSTATE" --workers 1)
t2=$(best "$runs" "$cap" "$FLOWSTATE" --workers 2)
tref=
for _ in $(seq "$runs"); do
    /usr/bin/time -f %e -o "$out/.ref1" "$FLOWSTATE" --workers 1 -T eve -r "$cap" -o /dev/null &
    p1=$!
    /usr/bin/time -f %e -o "$out/.ref2" "$FLOWSTATE" --workers 1 -T eve -r "$cap" -o /dev/null &
    p2=$!
    wait "$p1" "$p2"
    t=$(sort -g "$out/.ref1" "$out/.ref2" | tail -n 1)
    if [ -z "$tref" ] || awk -v t="$t" -v b="$tref" 'BEGIN { exit !(t < b) }'; then tref=$t; fi
done
awk -v t1="$t1" -v t2="$t2" -v tr="$tref" 'BEGIN {
    ref = 2 * t1 / tr; got = t1 / t2
    printf "--workers 1 %.2fs, --workers 2 %.2fs: speedup %.2fx\n", t1, t2, got
    printf "reference (two --workers 1 runs together, %.2fs): %.2fx\n", tr, ref
    printf "--workers 2 reaches %.0f%% of the reference\n", 100 * got / ref
}'
