#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-merge.sh - flowstate --merge-stats refuses what is not one input's N shards.
#
# (That it turns N good shards into the unsharded record is checked on every
# input by run-union.sh.) Each case below must exit 2, write nothing to
# standard output and name the problem on standard error; the good cases must
# exit 0 with the unsharded record. A system test (jq); captures/ only. Cost: ~2 s.
# Env: FLOWSTATE, SRCDIR (set by `make check`). Ends with "N passed, M failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
TZ=UTC
export TZ
[ -x "$FLOWSTATE" ] || { echo "FAIL: flowstate binary not found at $FLOWSTATE"; exit 1; }
# shellcheck source=../lib/require.sh
. "$SRCDIR/tests/lib/require.sh"
require_tool jq

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
a=$SRCDIR/captures/retrans-ooo-dupack-zerowin.pcap
b=$SRCDIR/captures/fanout-split.pcap

for k in 0 1 2; do "$FLOWSTATE" -T eve --shard "$k/3" -r "$a" >"a$k.json"; done
for k in 0 1 2; do "$FLOWSTATE" -T eve --shard "$k/3" -r "$b" >"b$k.json"; done
"$FLOWSTATE" -T eve --shard 0/2 -r "$a" >a0of2.json
"$FLOWSTATE" -T eve -r "$a" >a.json
"$FLOWSTATE" -T eve --shard 0/3 --max-flows 7 -r "$a" >a0max.json
"$FLOWSTATE" -T eve --shard 0/3 --no-checksums -r "$a" >a0nock.json
"$FLOWSTATE" -T zeek --shard 0/3 -r "$a" >a0.zeek
head -c 200 a1.json >a1cut.json
grep -v '"event_type":"stats"' a1.json >a1nostats.json || true
{ cat a1.json; grep -m 1 '"event_type":"flow"' a.json; } >a1after.json
sed 's/"tcp":{"sessions":[0-9]*/"tcp":{"sessions":"x"/' a1.json >a1str.json
# periodic stats records: the merged final record's *_delta siblings are the
# merged last record minus the merged one before it
t=$SRCDIR/captures/stats-timeline.pcap
for k in 0 1 2; do "$FLOWSTATE" -T eve --stats-interval 1 --shard "$k/3" -r "$t" >"t$k.json"; done
"$FLOWSTATE" -T eve --stats-interval 1 -r "$t" >t.json
"$FLOWSTATE" -T eve --stats-interval 0 --shard 1/3 -r "$t" >t1nodelta.json

passed=0
failed=0
# refuse WANT ARGS...: --merge-stats ARGS must exit 2, print nothing, say WANT
refuse() {
    local want=$1 rc=0
    shift
    "$FLOWSTATE" --merge-stats "$@" >out 2>err || rc=$?
    if [ "$rc" = 2 ] && [ ! -s out ] && grep -q -- "$want" err; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: --merge-stats $*: exit $rc, wanted 2 and '$want'; stderr: $(cat err)"
    fi
}

refuse "shard 2/3 (and perhaps more) is missing" a0.json a1.json
refuse "are both shard 1/3" a0.json a1.json a1.json
refuse "is a shard of 2" a0.json a1.json a0of2.json
refuse "not the output of a --shard run" a.json
refuse "not the same input" a0.json a1.json b2.json
refuse "flowstate.decoder.checksum.tcp_ok is" a0nock.json a1.json a2.json
refuse "flowstate.flow.max_flows is" a0max.json a1.json a2.json
refuse "the stats record is not the last line" a0.json a1after.json a2.json
refuse "not a JSON record" a0.json a1cut.json a2.json
refuse "no stats record" a0.json a1nostats.json a2.json
refuse "no stats record" a0.zeek a1.json a2.json
refuse "is not a counter" a0.json a1str.json a2.json
refuse "No such file" a0.json a1.json missing.json
refuse "needs the EVE output files"
refuse "takes no -r" -r "$a" a0.json
refuse "takes no -r" --shard 0/3 a0.json
refuse "EVE only" -T zeek a0.json a1.json a2.json
refuse "differ in number or form" t0.json t1nodelta.json t2.json

# good: any order, files or standard input, -o; the result is one run's record
# (flow.peak aside, which only a one-shard merge reproduces)
"$FLOWSTATE" -T eve --shard 0/1 -r "$a" >a0of1.json
tail -n 1 a.json >want
check() {
    local label=$1 rc=0
    shift
    "$FLOWSTATE" --merge-stats "$@" >got 2>err || rc=$?
    if [ "$rc" = 0 ] && jq -e -n --slurpfile w want --slurpfile g got \
        '$w[0] | del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta) == ($g[0] | del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta))' >/dev/null; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $label: exit $rc; stderr: $(cat err)"
    fi
}
check "three shards" a0.json a1.json a2.json
check "any order" a2.json a0.json a1.json
check "standard input" a0.json - a2.json <a1.json
"$FLOWSTATE" --merge-stats -o merged.json a0.json a1.json a2.json
cp merged.json got
if cmp -s got <("$FLOWSTATE" --merge-stats a0.json a1.json a2.json); then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL: -o merged.json differs from standard output"
fi
[ "$(grep -c '"event_type":"stats"' t.json)" -gt 2 ] || { echo "FAIL: stats-timeline.pcap gives fewer than 3 stats records"; failed=$((failed + 1)); }
tail -n 1 t.json >want.t
rc=0
"$FLOWSTATE" --merge-stats t2.json t0.json t1.json >got 2>err || rc=$?
if [ "$rc" = 0 ] && jq -e -n --slurpfile w want.t --slurpfile g got \
    '$w[0] | del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta) == ($g[0] | del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta))' >/dev/null &&
    grep -q '"pkts_delta"' got; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL: --stats-interval shards: the merged deltas are not one run's; exit $rc; $(cat err)"
fi
if "$FLOWSTATE" --merge-stats a0of1.json | cmp -s - want; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL: one shard of one: not byte for byte the unsharded record"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
