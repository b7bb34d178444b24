#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end: real Linux TCP connections in a private network namespace,
# recorded with tcpdump on the namespace's loopback, analysed by flowstate,
# compared with what ss(8) reports for the same sockets (compare.py).
# Needs root, ip netns, nft, tcpdump, ss, ethtool and python3 (tests/lib/require.sh:
# SKIP without them, FAIL under FLOWSTATE_REQUIRE_ALL=1). Cost: ~40 s.
# Traffic stays on the namespace's own loopback.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
here="$SRCDIR/tests/e2e"
ns="fs-e2e-$$"
out=$(mktemp -d "${TMPDIR:-/tmp}/fs-e2e.XXXXXX")
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT

. "$SRCDIR/tests/lib/require.sh"
require_netns
require_tool nft:nftables tcpdump ss:iproute2 ethtool python3
ip netns add "$ns"
ip -n "$ns" link set lo up
# Real MTU-sized segments (no 64 KB GSO super-packets), so that random drops
# in the lossy scenario hit many segments and cause real retransmissions.
ip -n "$ns" link set lo mtu 1500
ip netns exec "$ns" ethtool -K lo tso off gso off gro off >/dev/null 2>&1 || true
ip netns exec "$ns" sysctl -qw net.ipv4.tcp_fastopen=3
ip netns exec "$ns" nft -f - <<'NFT'
table inet fs_e2e {
    chain input {
        type filter hook input priority 0; policy accept;
        tcp dport 9001 tcp flags & (syn | ack) == syn drop
        tcp dport 9006 numgen random mod 100 < 4 drop
        tcp sport 9006 numgen random mod 100 < 4 drop
    }
}
NFT
ip netns exec "$ns" /usr/bin/python3 "$here/scenarios.py" "$out"
rc=0
"$FLOWSTATE" -T eve --stuck-after 2 -r "$out/cap.pcap" -o "$out/flows.json" || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "run-netns: flowstate exited $rc"; echo "0 passed, 1 failed"; exit 1
fi
if ! /usr/bin/python3 "$here/compare.py" "$out"; then
    if [ -n "${E2E_KEEP:-}" ]; then cp -r "$out" "$E2E_KEEP"; echo "run-netns: kept in $E2E_KEEP"; fi
    exit 1
fi
