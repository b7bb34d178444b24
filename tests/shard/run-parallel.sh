#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-parallel.sh - the README's GNU parallel recipe, run as written (issue 10).
#
# N = 4 shards of one input (three captures of captures/ read as one stream)
# as GNU parallel jobs, two at a time, the shard number from the job's
# sequence number ({= $_=$job->seq()-1 =}), one EVE file per shard; then the
# gathering step: records sorted, and --merge-stats. Checks: every job exited
# 0, the sorted records are one run's sorted, the merged stats are one run's
# (flow.peak aside, see doc/schema.md 4.3), and each shard file says its index.
# A system test: needs GNU parallel and jq (SKIP 77 without, FAIL under
# FLOWSTATE_REQUIRE_ALL=1); captures/ only. Cost: ~2 s.
# Env: FLOWSTATE, SRCDIR (set by `make check`).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
TZ=UTC
LC_ALL=C
export TZ LC_ALL

# shellcheck source=../lib/require.sh
. "$SRCDIR/tests/lib/require.sh"
[ -x "$FLOWSTATE" ] || { echo "FAIL: flowstate binary not found at $FLOWSTATE"; exit 1; }
require_tool jq parallel:parallel
# moreutils has a parallel(1) of its own, with other options
parallel --version 2>/dev/null | grep -q 'GNU parallel' ||
    require_missing "parallel is not GNU parallel (apt-get install parallel)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
in=(-r "$SRCDIR/captures/fanout-split.pcap" -r "$SRCDIR/captures/retrans-ooo-dupack-zerowin.pcap"
    -r "$SRCDIR/captures/ipv4-defrag.pcap")
N=4
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# The recipe (README, "Many machines"): one job per shard, numbered from 0.
mkdir out
# shellcheck disable=SC2016 # the {= =} expression is Perl for parallel, not shell
if ! parallel --will-cite -j 2 --halt now,fail=1 --joblog joblog \
    "$FLOWSTATE" --shard '{= $_=$job->seq()-1 =}'/$N -T eve "${in[@]}" -o 'out/shard-{#}.json' \
    ::: $(seq $N); then
    fail "a parallel job failed"
    cat joblog
fi
[ "$(awk 'NR > 1 && $7 == 0' joblog | wc -l)" = $N ] || fail "not $N jobs with exit 0: $(cat joblog)"
for j in $(seq $N); do
    k=$(tail -n 1 "out/shard-$j.json" | jq '.stats.flowstate.shard | "\(.index)/\(.count)"' -r)
    [ "$k" = "$((j - 1))/$N" ] || fail "out/shard-$j.json is shard $k, not $((j - 1))/$N"
done

# Gathering: records of every shard, and the merged stats.
cat out/shard-*.json | grep -v '"event_type":"stats"' | sort >union
"$FLOWSTATE" --merge-stats out/shard-*.json >merged || fail "--merge-stats exit $?"

"$FLOWSTATE" -T eve "${in[@]}" >one.json
grep -v '"event_type":"stats"' one.json | sort >one
tail -n 1 one.json >one.stats
n=$(wc -l <one)
[ "$n" -gt 10 ] || fail "only $n records: the input is too small to show anything"
cmp -s one union || fail "the shards' records are not one run's ($(diff one union | grep -c '^[<>]') lines differ)"
cmp -s <(jq -c 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)' one.stats) <(jq -c 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)' merged) ||
    fail "merged stats differ from one run's: $(diff <(jq -S . one.stats) <(jq -S . merged) | head)"
echo "$N shards by GNU parallel: $n records and the stats as one run's"
echo "$(((failed == 0) ? 1 : 0)) passed, $failed failed"
[ "$failed" -eq 0 ]
