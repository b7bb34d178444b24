#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# --metrics-file with -r, hermetic (no root, no network, nothing outside the tree).
# For every capture in captures/: the .prom file written at the end agrees with
# the EVE stats record of the same run, counter by counter, and its connection
# gauges with the connections still open at the end (metrics_agree.py); it is
# byte-identical with --workers 1 and 2; and no temporary file is left behind.
# Then the option errors: --metrics-listen with -r, bad ADDR:PORT, an
# unwritable directory, all exit 2 before any output. Cost: ~10 s.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
command -v python3 >/dev/null || { echo "SKIP: python3 is missing"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

for cap in "$SRCDIR"/captures/*.pcap "$SRCDIR"/captures/*.pcapng; do
    name=$(basename "$cap")
    "$FLOWSTATE" -T eve -r "$cap" --metrics-file "$tmp/m1.prom" >"$tmp/eve.json" 2>"$tmp/err" ||
        [ $? -eq 1 ] || { bad "$name: exit status"; continue; }
    if out=$(python3 "$SRCDIR/tests/metrics/metrics_agree.py" "$tmp/eve.json" "$tmp/m1.prom"); then
        ok
    else
        bad "$name: metrics disagree with the stats record"; echo "$out" | head -n 20
    fi
    "$FLOWSTATE" -T eve --workers 2 -r "$cap" --metrics-file "$tmp/m2.prom" >/dev/null 2>&1 || true
    if cmp -s "$tmp/m1.prom" "$tmp/m2.prom"; then ok; else bad "$name: --workers 2 differs"; fi
    if [ -e "$tmp/m1.prom.tmp" ]; then bad "$name: temporary file left"; else ok; fi
done

# the text and Zeek writers carry the same metrics (the sink sits in front of any writer)
"$FLOWSTATE" -r "$SRCDIR/captures/half-open-close-wait.pcap" --metrics-file "$tmp/t.prom" >/dev/null
"$FLOWSTATE" -T eve -r "$SRCDIR/captures/half-open-close-wait.pcap" --metrics-file "$tmp/e.prom" >/dev/null
if cmp -s "$tmp/t.prom" "$tmp/e.prom"; then ok; else bad "-T text metrics differ from -T eve"; fi
if grep -q '^flowstate_tcp_server_stuck_connections{server_addr="198.51.100.20",server_port="80",kind="close_wait"} 1$' "$tmp/e.prom"; then
    ok
else
    bad "per-server close_wait gauge missing"
fi
if grep -q -E '^(process_|flowstate_build_info)' "$tmp/e.prom"; then
    bad "process_* or build_info in the textfile"
else
    ok
fi
if grep -q -E '^[a-z_]+(\{[^}]*\})? [0-9.e+-]+ [0-9]+$' "$tmp/e.prom"; then
    bad "a sample carries a timestamp"
else
    ok
fi

expect_usage_error() {
    local what=$1; shift
    if "$FLOWSTATE" "$@" >"$tmp/out" 2>"$tmp/err"; then
        bad "$what: exit 0"
    else
        rc=$?
        if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && [ -s "$tmp/err" ]; then ok; else
            bad "$what: exit $rc, stdout $(wc -c <"$tmp/out") bytes"; cat "$tmp/err"; fi
    fi
}
cap="$SRCDIR/captures/tcp-3whs-close.pcap"
expect_usage_error "--metrics-listen with -r" -r "$cap" --metrics-listen 127.0.0.1:9999
expect_usage_error "bad listen address" -i lo --metrics-listen 127.0.0.1
expect_usage_error "port 0" -i lo --metrics-listen 127.0.0.1:0
expect_usage_error "bare IPv6" -i lo --metrics-listen ::1:9100
expect_usage_error "interval 0" -r "$cap" --metrics-file "$tmp/x.prom" --metrics-interval 0
expect_usage_error "top 0" -r "$cap" --metrics-file "$tmp/x.prom" --metrics-top-servers 0
expect_usage_error "unwritable directory" -r "$cap" --metrics-file "$tmp/no/such/dir/x.prom"
grep -q "metrics-file" "$tmp/err" && ok || bad "the unwritable-directory message does not name the option"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
