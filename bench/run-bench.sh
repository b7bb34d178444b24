#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-bench.sh - throughput and memory of flowstate vs tshark and tcptrace on one
# synthetic capture (bench/gen_bench.c; see bench/README.md).
#
# Usage: bench/run-bench.sh [--skip-tshark] [--skip-tcptrace] [--runs N]
#                           [--packets N] [--concurrent N] [--seed N]
# Env:   FLOWSTATE (default: ./flowstate at the top of the tree), CC (default cc).
# Builds bench/out/gen_bench and the capture if they are missing (bench/out/ is
# not tracked), then measures each tool with /usr/bin/time -v: wall seconds and
# peak RSS; flowstate is the best (lowest wall time) of --runs runs (default 3).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
FLOWSTATE=${FLOWSTATE:-$top/flowstate}
CC=${CC:-cc}
out=$here/out
skip_tshark=0
skip_tcptrace=0
runs=3
packets=2000000
concurrent=100000
seed=1

while [ $# -gt 0 ]; do
    case $1 in
    --skip-tshark) skip_tshark=1 ;;
    --skip-tcptrace) skip_tcptrace=1 ;;
    --runs) runs=$2; shift ;;
    --packets) packets=$2; shift ;;
    --concurrent) concurrent=$2; shift ;;
    --seed) seed=$2; shift ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run-bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

for tool in /usr/bin/time jq; do
    command -v "$tool" >/dev/null || { echo "run-bench.sh: $tool is required" >&2; exit 2; }
done
[ -x "$FLOWSTATE" ] || { echo "run-bench.sh: no flowstate binary at $FLOWSTATE" >&2; exit 2; }

mkdir -p "$out"
gen=$out/gen_bench
if [ ! -x "$gen" ] || [ "$here/gen_bench.c" -nt "$gen" ]; then
    "$CC" -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -o "$gen" "$here/gen_bench.c"
fi
cap=$out/bench-n$packets-c$concurrent-s$seed.pcap
if [ ! -f "$cap" ]; then
    echo "generating $cap"
    "$gen" -n "$packets" -c "$concurrent" -s "$seed" -o "$cap.tmp"
    mv "$cap.tmp" "$cap"
fi
npkts=$(capinfos -c -M "$cap" 2>/dev/null | sed -n 's/^Number of packets: *//p' | tr -d ' ')
npkts=${npkts:-$packets}

# measure NAME CMD... : runs CMD under /usr/bin/time -v; sets wall (s) and rss (KiB).
measure() {
    local name=$1 tf=$out/time.$1
    shift
    if ! /usr/bin/time -v -o "$tf" "$@" >/dev/null 2>"$out/stderr.$name"; then
        echo "run-bench.sh: $name failed:" >&2
        tail -n 5 "$out/stderr.$name" >&2
        exit 1
    fi
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, t, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + t[i]
        print s }' "$tf")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tf")
}

rate() { awk -v p="$npkts" -v w="$1" 'BEGIN { printf "%.0f", (w > 0 ? p / w : 0) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo "capture: $cap ($npkts packets, $concurrent concurrent connections, seed $seed)"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"

# best_of NAME ARGS...: best (lowest wall) of $runs runs -> best_wall, best_rss
best_of() {
    local name=$1 i
    shift
    best_wall=
    best_rss=
    for i in $(seq 1 "$runs"); do
        measure "$name" "$@"
        echo "  $name run $i: ${wall} s, $(mib "$rss") MiB"
        if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
            best_wall=$wall
            best_rss=$rss
        fi
    done
}
# Full TCP validation (the default) and flow accounting only (--flows-only).
best_of flowstate "$FLOWSTATE" -T eve -o /dev/null -r "$cap"
fs_wall=$best_wall
fs_rss=$best_rss
best_of flows-only "$FLOWSTATE" -T eve --flows-only -o /dev/null -r "$cap"
fo_wall=$best_wall
fo_rss=$best_rss

# One more run with the records kept, for the flow-table figures.
"$FLOWSTATE" -T eve -r "$cap" >"$out/flowstate.eve" 2>/dev/null || true
stats=$(grep '"event_type":"stats"' "$out/flowstate.eve" | tail -n 1)
flow_records=$(grep -c '"event_type":"flow"' "$out/flowstate.eve" || true)
slot_bytes=$(jq -r '.stats.flowstate.flow.slot_bytes // "n/a"' <<<"$stats")
peak=$(jq -r '.stats.flowstate.flow.peak // empty' <<<"$stats")
peak=${peak:-$concurrent}
fs_pkts=$(jq -r '.stats.decoder.pkts // "n/a"' <<<"$stats")

ts_wall=
tt_wall=
if [ "$skip_tshark" -eq 0 ]; then
    measure tshark tshark -q -z conv,tcp -r "$cap"
    ts_wall=$wall
    ts_rss=$rss
fi
if [ "$skip_tcptrace" -eq 0 ]; then
    measure tcptrace tcptrace -n -l "$cap"
    tt_wall=$wall
    tt_rss=$rss
fi

echo
printf '%-10s %9s %12s %12s\n' tool wall_s packets/s peak_RSS_MiB
printf '%-10s %9s %12s %12s\n' flowstate "$fs_wall" "$(rate "$fs_wall")" "$(mib "$fs_rss")"
printf '%-10s %9s %12s %12s\n' flows-only "$fo_wall" "$(rate "$fo_wall")" "$(mib "$fo_rss")"
[ -n "$ts_wall" ] &&
    printf '%-10s %9s %12s %12s\n' tshark "$ts_wall" "$(rate "$ts_wall")" "$(mib "$ts_rss")"
[ -n "$tt_wall" ] &&
    printf '%-10s %9s %12s %12s\n' tcptrace "$tt_wall" "$(rate "$tt_wall")" "$(mib "$tt_rss")"
echo
echo "flowstate: stats.decoder.pkts $fs_pkts, $flow_records flow records," \
    "peak live flows $peak, slot_bytes $slot_bytes," \
    "peak RSS / peak flows = $(awk -v r="$fs_rss" -v p="$peak" 'BEGIN { printf "%.0f", r * 1024 / p }') bytes/flow," \
    "peak RSS / $concurrent concurrent = $(awk -v r="$fs_rss" -v p="$concurrent" 'BEGIN { printf "%.0f", r * 1024 / p }') bytes/flow"
ratio() { # ratio OTHER_WALL OTHER_RSS NAME
    awk -v fw="$fs_wall" -v ow="$1" -v fr="$fs_rss" -v orss="$2" -v n="$3" 'BEGIN {
        printf "flowstate vs %s: %.1fx the packet rate, %.2fx the peak RSS\n",
            n, (fw > 0 ? ow / fw : 0), (orss > 0 ? fr / orss : 0) }'
}
[ -n "$ts_wall" ] && ratio "$ts_wall" "$ts_rss" tshark
[ -n "$tt_wall" ] && ratio "$tt_wall" "$tt_rss" tcptrace
awk -v r="$(rate "$fs_wall")" -v t=2500000 'BEGIN {
    printf "full validation: target >= %d packets/s: %s\n", t, (r >= t ? "met" : "NOT met") }'
awk -v r="$(rate "$fo_wall")" -v t=3000000 -v rss="$fo_rss" -v p="$peak" 'BEGIN {
    printf "flow accounting (--flows-only): target >= %d packets/s: %s; peak RSS / peak flows %.0f bytes (target <= 256)\n",
        t, (r >= t ? "met" : "NOT met"), rss * 1024 / p }'
