#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Live capture against the real Linux TCP stack: flowstate -i lo in a private
# network namespace while live_driver.py opens, half-closes and abandons
# connections (tcp_stuck while the sockets are open, flow_update, SIGHUP
# reopen, SIGINT shutdown records vs ss, -w vs decoder.pkts, double SIGINT).
# Then the whole-line check: every write(2) of a large EVE and Zeek output
# ends on a record boundary (strace). Needs root, ip netns, nft, ss, tshark,
# capinfos, strace, cc, python3 (tests/lib/require.sh: SKIP without them, FAIL
# under FLOWSTATE_REQUIRE_ALL=1). Traffic stays on the namespace's own loopback.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
here="$SRCDIR/tests/live"
ns="fs-live-$$"
out=$(mktemp -d "${TMPDIR:-/tmp}/fs-live.XXXXXX")
cleanup() {
    ip netns del "$ns" 2>/dev/null || true
    if [ -n "${LIVE_KEEP:-}" ]; then rm -rf "$LIVE_KEEP"; cp -r "$out" "$LIVE_KEEP"; fi
    rm -rf "$out"
}
trap cleanup EXIT

. "$SRCDIR/tests/lib/require.sh"
require_netns
require_tool nft:nftables ss:iproute2 tshark capinfos:wireshark-common strace cc python3
pass=0 fail=0
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" nft -f - <<'NFT'
table inet fs_live {
    chain input {
        type filter hook input priority 0; policy accept;
        tcp dport 9101 tcp flags & (syn | ack) == syn drop
    }
}
NFT
rc=0
ip netns exec "$ns" /usr/bin/python3 "$here/live_driver.py" "$FLOWSTATE" "$out" | tee "$out/driver.log" || rc=$?
p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$out/driver.log")
f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$out/driver.log")
pass=$((pass + ${p:-0})) fail=$((fail + ${f:-1}))
[ "$rc" -eq 0 ] || [ "${f:-1}" -gt 0 ] || fail=$((fail + 1))

# Every record of the live run against Suricata's EVE schema (tests/schema).
schema=${SHARED:-$SRCDIR/../shared}/ref/suricata-eve-schema/schema.json
if [ -f "$schema" ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
    if res=$(/usr/bin/python3 "$SRCDIR/tests/schema/eve_schema.py" --schema "$schema" \
                 "$out/all.json"); then
        echo "ok   live records valid against Suricata's EVE schema: ${res##*$'\n'}"
        pass=$((pass + 1))
    else
        echo "FAIL live records against Suricata's EVE schema: $res"; fail=$((fail + 1))
    fi
elif [ "${FLOWSTATE_REQUIRE_ALL:-0}" = 1 ]; then
    echo "FAIL no EVE schema at $schema or no python3-jsonschema"; fail=$((fail + 1))
else
    echo "note: no EVE schema at $schema or no python3-jsonschema; the live schema check is left out"
fi

# Whole lines: a capture big enough to fill the 64 KiB buffer many times over.
big="$out/big.pcap"
cc -std=c11 -D_DEFAULT_SOURCE -O2 -o "$out/gen_bench" "$SRCDIR/bench/gen_bench.c"
"$out/gen_bench" -n 60000 -c 2000 -s 7 -o "$big" >/dev/null 2>&1
for fmt in eve zeek; do
    # LeakSanitizer cannot run under ptrace; the other checks stay on.
    src=0
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        strace -f -e trace=write -e signal=none -s 0 -o "$out/strace.$fmt" \
        "$FLOWSTATE" -T "$fmt" -r "$big" -o "$out/big.$fmt" 2>"$out/stderr.$fmt" || src=$?
    if [ "$src" -ne 0 ]; then
        echo "FAIL -T $fmt under strace: exit $src: $(head -c 300 "$out/stderr.$fmt")"; fail=$((fail + 1))
    elif res=$(/usr/bin/python3 "$here/check_writes.py" "$out/strace.$fmt" "$out/big.$fmt"); then
        echo "ok   -T $fmt: no record split across write(2): $res"; pass=$((pass + 1))
    else
        echo "FAIL -T $fmt: records split across write(2): $res"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
