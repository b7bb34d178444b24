#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Live capture of replayed traffic: tcpreplay in one private namespace sends
# a capture over a veth pair to `flowstate -i veth-b` in another
# (bench/live-bench.sh does the plumbing; no addresses are configured, IPv6
# is off, so nothing but the replayed frames crosses the pair and nothing
# leaves the namespaces). At modest rates flowstate must see every packet of
# the file and report as many flows as when it reads the file; at
# --topspeed every packet sent must be either seen or counted in
# capture.kernel_drops (live-bench prints it as kernel_drop=). Prints the
# figures. Needs root, ip netns, tcpreplay, capinfos, jq, cc
# (tests/lib/require.sh: SKIP without them, FAIL under FLOWSTATE_REQUIRE_ALL=1).
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
bench="$SRCDIR/bench/live-bench.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/fs-replay.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
export FLOWSTATE

. "$SRCDIR/tests/lib/require.sh"
require_netns
require_tool tcpreplay capinfos:wireshark-common jq cc

# field NAME LINE: the value of NAME=... in a live-bench result line
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }

# run LABEL ARGS...: runs live-bench, checks --exact, prints its lines
run() {
    local label=$1 out rc=0
    shift
    out=$(bash "$bench" "$@" 2>&1) || rc=$?
    sed 's/^/    /' <<<"$out"
    if [ "$rc" -eq 0 ]; then ok "$label"; else bad "$label"; fi
    lines=$(grep '^rate=' <<<"$out" || true)
}

run "tcp-3whs-close.pcap at 100 pps: every packet and flow seen" \
    --exact --rate pps:100 "$SRCDIR/captures/tcp-3whs-close.pcap"

cc -std=c11 -D_DEFAULT_SOURCE -O2 -o "$work/gen_bench" "$SRCDIR/bench/gen_bench.c"
"$work/gen_bench" -n 50000 -c 1000 -s 5 -S 1514 -o "$work/gen50k.pcap" >/dev/null 2>&1
run "generated 50k packets at 20000 pps: every packet and flow seen" \
    --exact --rate pps:20000 --rate topspeed "$work/gen50k.pcap"
top=$(grep '^rate=topspeed' <<<"$lines" || true)
sent=$(field sent "$top") seen=$(field seen "$top") drop=$(field kernel_drop "$top")
if [ -n "$sent" ] && [ $((seen + drop)) -eq "$sent" ]; then
    ok "topspeed: sent $sent = seen $seen + kernel_drop $drop"
else
    bad "topspeed: sent ${sent:-?} != seen ${seen:-?} + kernel_drop ${drop:-?}"
fi

# A ring far too small for a topspeed burst: drops must happen and be counted.
run "topspeed into a 64 KiB ring" --buffer 64K --rate topspeed "$work/gen50k.pcap"
sent=$(field sent "$lines") seen=$(field seen "$lines") drop=$(field kernel_drop "$lines")
if [ -n "$sent" ] && [ "$drop" -gt 0 ] && [ $((seen + drop)) -eq "$sent" ]; then
    ok "small ring: drops counted, sent $sent = seen $seen + kernel_drop $drop"
else
    bad "small ring: sent ${sent:-?} seen ${seen:-?} kernel_drop ${drop:-?} (want drops > 0, seen + drops = sent)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
