#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-union.sh - N shards together are one run (--shard K/N, issue 10).
#
# For every input and every N in 1..5, runs `flowstate -T eve --shard K/N` for
# K = 0..N-1 and checks:
#   - the union of the shards' records (every line but the stats record),
#     sorted, is byte for byte the unsharded run's records, sorted;
#   - every shard exits as the unsharded run does (0, or 1 for a file cut short);
#   - --merge-stats of the shards' stats records is the unsharded stats record,
#     every counter in the same order (byte for byte for N = 1), but flowstate.flow.peak:
#     the shards' largest, with one run's between it and the shards' sum;
#   - packet accounting: in each shard stats.flowstate.shard.pkts + skipped_pkts
#     is every tracked TCP segment (flowstate.decoder.outcome.tcp + .defrag.outcome.tcp),
#     and the shards' pkts add up to it: each segment was kept exactly once;
#   - each flow record is in the shard the documented hash names: one run of
#     tests/shard/shard_hash.py, written from doc/schema.md alone (not on the
#     bench file: 15 x 100k records through Python would cost minutes);
#   - N = 2 with --workers 2 is byte-identical to --workers 1 (captures/ only),
#     and --flows-only shards (N = 3) union to the unsharded --flows-only run.
#
# Usage: run-union.sh            captures/
#        run-union.sh --corpus   the public corpus ($SHARED/corpus/public) and the
#                                bench file (bench/gen_bench.c, 2M packets, generated
#                                once into the build tree)
# System tests (jq, python3; --corpus: ../shared): SKIP 77 when one is missing,
# FAIL under FLOWSTATE_REQUIRE_ALL=1 (tests/lib/require.sh).
# Cost (CPU time): captures/ ~45 s (~1000 short runs); --corpus: see the note below.
# Env: FLOWSTATE, SRCDIR, SHARED (set by `make check`), CC (bench generator).
# Ends with "N passed, M failed" (one per input); exit 1 on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
SHARED=${SHARED:-$SRCDIR/../shared}
TZ=UTC
LC_ALL=C
export TZ LC_ALL
mode=${1:-captures}

# shellcheck source=../lib/require.sh
. "$SRCDIR/tests/lib/require.sh"
[ -x "$FLOWSTATE" ] || { echo "FAIL: flowstate binary not found at $FLOWSTATE"; exit 1; }
require_tool jq python3

inputs=()
case $mode in
captures)
    for f in "$SRCDIR"/captures/*.pcap "$SRCDIR"/captures/*.pcapng; do
        inputs+=("$f")
    done
    ;;
--corpus)
    require_shared corpus/public
    corpus=$SHARED/corpus/public
    while IFS=$'\t' read -r file _; do
        case $file in '' | '#'* | file) continue ;; esac
        [ -f "$corpus/$file" ] && inputs+=("$corpus/$file")
    done <"$corpus/MANIFEST.tsv"
    [ ${#inputs[@]} -gt 0 ] || { echo "FAIL: no capture listed in $corpus/MANIFEST.tsv"; exit 1; }
    # The bench file: generated once, kept in the build tree for later runs.
    CC=${CC:-cc}
    benchdir=$(dirname "$FLOWSTATE")/tests/shard/bench
    bench=$benchdir/bench-n2000000-c100000-s1.pcap
    if [ ! -f "$bench" ]; then
        mkdir -p "$benchdir"
        "$CC" -std=c11 -D_DEFAULT_SOURCE -O2 -o "$benchdir/gen_bench" "$SRCDIR/bench/gen_bench.c"
        "$benchdir/gen_bench" -n 2000000 -c 100000 -s 1 -o "$bench.tmp"
        mv "$bench.tmp" "$bench"
    fi
    inputs+=("$bench")
    ;;
*)
    echo "usage: $0 [--corpus]" >&2
    exit 2
    ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/hashlist"

# run OUT ARGS...: flowstate -T eve ARGS > OUT; echoes its exit status
run() {
    local out=$1 rc=0
    shift
    "$FLOWSTATE" -T eve "$@" >"$out" 2>"$out.err" || rc=$?
    if grep -q -E 'Sanitizer|runtime error' "$out.err"; then
        echo "sanitizer report: $*" >&2
        cat "$out.err" >&2
        rc=99
    fi
    echo "$rc"
}

# records FILE: every line but the stats record, sorted
records() {
    grep -v '"event_type":"stats"' "$1" | sort || true
}

# accounting STATSFILE: one stats line per shard; prints what is wrong, if anything
accounting() {
    jq -s -r '
        def tcp: .stats.flowstate.decoder.outcome.tcp + (.stats.flowstate.decoder.defrag.outcome.tcp // 0);
        length as $n
        | (map(.stats.flowstate.shard.pkts) | add) as $kept
        | (.[0] | tcp) as $all
        | [ .[] | select(.stats.flowstate.shard.pkts + .stats.flowstate.shard.skipped_pkts != tcp)
              | "shard \(.stats.flowstate.shard.index): pkts + skipped_pkts != tcp segments" ]
          + (if $kept != $all then ["shards kept \($kept) segments of \($all)"] else [] end)
          + [ .[] | select(.stats.flowstate.shard.count != $n)
              | "shard \(.stats.flowstate.shard.index): count \(.stats.flowstate.shard.count)" ]
        | .[]' "$1"
}

# union_of N CAP DIR [ARGS...]: runs the N shards (with ARGS) into DIR/K.eve, their last
# stats records into DIR/stats, their sorted records into DIR/union; adds to why
union_of() {
    local n=$1 cap=$2 dir=$3 k rc
    shift 3
    mkdir -p "$dir"
    : >"$dir/stats"
    for ((k = 0; k < n; k++)); do
        rc=$(run "$dir/$k.eve" "$@" --shard "$k/$n" -r "$cap")
        [ "$rc" = "$urc" ] || why+="N=$n K=$k exit $rc (unsharded $urc); "
        grep '"event_type":"stats"' "$dir/$k.eve" | tail -n 1 >"$dir/$k.stats" || true
        cat "$dir/$k.stats" >>"$dir/stats"
    done
    for ((k = 0; k < n; k++)); do records "$dir/$k.eve"; done | sort >"$dir/union"
}

# merge_check N DIR: --merge-stats of the shards' whole outputs DIR/K.eve (the
# *_delta siblings need the record before the last) is the unsharded stats record
# (DIR/../u.stats) counter by counter and in the same order; flow.peak is the
# shards' largest, and one run's peak lies between it and their sum.
merge_check() {
    local n=$1 dir=$2 files=() finals=() k rc=0
    for ((k = 0; k < n; k++)); do files+=("$dir/$k.eve") finals+=("$dir/$k.stats"); done
    "$FLOWSTATE" --merge-stats "${files[@]}" >"$dir/merged" 2>"$dir/merged.err" || rc=$?
    if [ "$rc" != 0 ]; then
        why+="N=$n: --merge-stats exit $rc: $(head -c 300 "$dir/merged.err"); "
        return
    fi
    if [ "$n" = 1 ]; then
        cmp -s "$dir/merged" "$dir/../u.stats" || why+="N=1: merged stats not byte-identical; "
        return
    fi
    cmp -s <(jq -c 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)' "$dir/merged") \
        <(jq -c 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)' "$dir/../u.stats") ||
        why+="N=$n: merged stats differ: $(diff <(jq -S 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)' "$dir/merged") \
            <(jq -S 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)' "$dir/../u.stats") | grep '^[<>]' | head -n 4 | tr '\n' ' '); "
    jq -e -s '(.[0].stats.flowstate.flow.peak) as $m | (.[1].stats.flowstate.flow.peak) as $u
              | (.[2:] | map(.stats.flowstate.flow.peak)) as $p
              | $m == ($p | max) and $m <= $u and $u <= ($p | add)' \
        "$dir/merged" "$dir/../u.stats" "${finals[@]}" >/dev/null ||
        why+="N=$n: flow.peak bounds do not hold; "
}

passed=0
failed=0
tot_records=0
idx=0
printf '%-60s %8s %8s  %s\n' input records packets result
for cap in "${inputs[@]}"; do
    idx=$((idx + 1))
    d=$tmp/$idx
    mkdir -p "$d"
    why=
    urc=$(run "$d/u.eve" -r "$cap")
    grep '"event_type":"stats"' "$d/u.eve" | tail -n 1 >"$d/u.stats" || true
    records "$d/u.eve" >"$d/u.sorted"
    nrec=$(wc -l <"$d/u.sorted")
    npkts=$(grep '"event_type":"stats"' "$d/u.eve" | tail -n 1 | jq '.stats.decoder.pkts' || echo '?')
    big=0
    [ "$(stat -c %s "$cap")" -gt 50000000 ] && big=1
    for n in 1 2 3 4 5; do
        union_of "$n" "$cap" "$d/n$n"
        cmp -s "$d/u.sorted" "$d/n$n/union" ||
            why+="N=$n: union differs ($(diff "$d/u.sorted" "$d/n$n/union" | grep -c '^[<>]') lines); "
        bad=$(accounting "$d/n$n/stats")
        [ -z "$bad" ] || why+="N=$n: $(echo "$bad" | head -n 3 | tr '\n' ';') "
        merge_check "$n" "$d/n$n"
        if [ "$big" = 0 ]; then
            for ((k = 0; k < n; k++)); do echo "$n $k $d/n$n/$k.eve" >>"$tmp/hashlist"; done
        else
            rm -f "$d/n$n"/*.eve
        fi
        rm -f "$d/n$n/union"
    done
    if [ "$mode" = captures ]; then
        # the same shards with two workers: the same bytes
        for k in 0 1; do
            rc=$(run "$d/w$k.eve" --workers 2 --shard "$k/2" -r "$cap")
            cmp -s "$d/w$k.eve" "$d/n2/$k.eve" || why+="--workers 2 --shard $k/2 differs (exit $rc); "
        done
        # flow accounting only
        run "$d/fo.eve" --flows-only -r "$cap" >/dev/null
        records "$d/fo.eve" >"$d/fo.sorted"
        union_of 3 "$cap" "$d/fo3" --flows-only
        cmp -s "$d/fo.sorted" "$d/fo3/union" || why+="--flows-only N=3: union differs; "
    fi
    rm -f "$d/u.eve"
    tot_records=$((tot_records + nrec))
    name=${cap#"$SRCDIR"/}
    name=${name#"$SHARED"/}
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        printf '%-60s %8s %8s  %s\n' "$name" "$nrec" "$npkts" ok
    else
        failed=$((failed + 1))
        printf '%-60s %8s %8s  FAIL: %s\n' "$name" "$nrec" "$npkts" "$why"
    fi
done

# the documented hash, from an independent implementation
if ! python3 "$SRCDIR/tests/shard/shard_hash.py" --check-list "$tmp/hashlist"; then
    echo "FAIL: a flow record is not in the shard doc/schema.md's hash names"
    failed=$((failed + 1))
fi
echo "$tot_records records in ${#inputs[@]} inputs, each split N = 1..5 ways"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
