#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Live --workers 2: two capture handles in one PACKET_FANOUT group on a veth
# pair between two private network namespaces (nothing else attached, IPv6
# off, no addresses: only our frames cross it).
#  1. No packet twice, none lost once capturing: numbered frames flow from
#     before flowstate starts until after it stops; the -w file must hold
#     each number at most once, every number between its first and last
#     when the kernel dropped nothing, and exactly decoder.pkts records; both
#     handles must have received frames.
#  2. No connection split: tcpreplay sends captures/fanout-split.pcap (VXLAN
#     with per-direction outer ports, fragmented IPv6), which the kernel's
#     own fanout hash would split; the live records (tuple, packets, bytes,
#     both endpoint states, handshake, close, violations) must equal the
#     file run's, and both handles must have carried some of them.
# Cost: ~10 s. Needs root, ip netns, tcpreplay, jq, /usr/bin/python3
# (tests/lib/require.sh: SKIP without them, FAIL under FLOWSTATE_REQUIRE_ALL=1).
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
here="$SRCDIR/tests/live"
work=$(mktemp -d "${TMPDIR:-/tmp}/fs-fanout.XXXXXX")
nsa="fs-foA-$$" nsb="fs-foB-$$"
spid=
cleanup() {
    [ -z "$spid" ] || kill "$spid" 2>/dev/null || true
    ip netns del "$nsa" 2>/dev/null || true
    ip netns del "$nsb" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

. "$SRCDIR/tests/lib/require.sh"
require_netns
require_tool tcpreplay jq ss:iproute2 /usr/bin/python3
ip netns add "$nsa"
ip netns add "$nsb"
for ns in "$nsa" "$nsb"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$nsa" link add veth-a type veth peer name veth-b netns "$nsb"
ip -n "$nsa" link set veth-a mtu 9000 up
ip -n "$nsb" link set veth-b mtu 9000 up

# started PID N: flowstate PID has N packet sockets bound to all protocols (ready)
started() {
    local n
    n=$(ip netns exec "$nsb" ss -0 -a -p -H 2>/dev/null | grep "pid=$1," | grep -c ' \*:' || true)
    [ "$n" -ge "$2" ]
}

# capture ARGS...: flowstate --workers 2 in nsb until ready; sets fpid
capture() {
    ip netns exec "$nsb" "$FLOWSTATE" --workers 2 -i veth-b --update-interval 0 "$@" &
    fpid=$!
    for _ in $(seq 200); do
        started "$fpid" 2 && return 0
        sleep 0.05
    done
    echo "run-fanout: flowstate did not start"; return 1
}

# stat JSON PATH...: first non-null of the given jq paths in the final stats record (the last)
stat() {
    local f=$1
    shift
    jq -rn "[inputs | select(.event_type==\"stats\")] | last | [$(IFS=,; echo "$*")] |
        map(select(. != null)) | .[0]" "$f"
}

# ---- 1. numbered frames across start-up and shut-down ----------------------------
ip netns exec "$nsa" /usr/bin/python3 "$here/numbered_sender.py" veth-a 4000 >"$work/sent" &
spid=$!
sleep 0.5
capture -T eve -o "$work/num.json" -w "$work/num.pcap"
sleep 2
kill -INT "$fpid"
wait "$fpid" || { bad "flowstate exited $?"; }
kill "$spid"; wait "$spid" || true; spid=
seen=$(stat "$work/num.json" .stats.decoder.pkts)
drops=$(stat "$work/num.json" .stats.capture.kernel_drop .stats.capture.kernel_drops)
h0=$(stat "$work/num.json" '.stats.flowstate.capture.handles["0"].kernel_recv' '.stats.flowstate.capture.handles["0"].kernel_packets')
h1=$(stat "$work/num.json" '.stats.flowstate.capture.handles["1"].kernel_recv' '.stats.flowstate.capture.handles["1"].kernel_packets')
echo "    sent $(cat "$work/sent"), flowstate saw $seen (handles: $h0 + $h1), kernel drops $drops"
if out=$(/usr/bin/python3 - "$work/num.pcap" "$seen" "$drops" <<'PY'
import struct, sys
path, seen, drops = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
magic = struct.unpack("<I", data[:4])[0]
assert magic in (0xA1B2C3D4, 0xA1B23C4D), hex(magic)
off, nums, recs = 24, [], 0
while off + 16 <= len(data):
    _, _, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
    frame = data[off + 16:off + 16 + caplen]
    off += 16 + caplen
    recs += 1
    if len(frame) >= 50 and frame[12:14] == b"\x08\x00" and frame[23] == 17 and frame[36:38] == b"\x00\x09":
        nums.append(struct.unpack("!Q", frame[42:50])[0])
bad = []
if recs != seen:
    bad.append("-w holds %d records, decoder.pkts says %d" % (recs, seen))
dups = len(nums) - len(set(nums))
if dups:
    bad.append("%d numbers seen twice" % dups)
if not nums:
    bad.append("no numbered frame captured")
elif drops == 0:
    have = set(nums)
    gaps = [n for n in range(min(nums), max(nums) + 1) if n not in have]
    if gaps:
        bad.append("%d numbers missing between %d and %d with no kernel drop (first: %s)"
                   % (len(gaps), min(nums), max(nums), " ".join(map(str, gaps[:10]))))
print("; ".join(bad) if bad else "%d numbered frames %d..%d, each once" % (len(nums), min(nums), max(nums)))
sys.exit(1 if bad else 0)
PY
); then ok "numbered frames: $out"; else bad "numbered frames: $out"; fi
if [ "${h0:-0}" -gt 0 ] && [ "${h1:-0}" -gt 0 ]; then
    ok "both handles received frames ($h0, $h1)"
else
    bad "a handle received nothing ($h0, $h1)"
fi

# ---- 2. tunnels and fragments stay whole ------------------------------------------
cap="$SRCDIR/captures/fanout-split.pcap"
npk=$("$FLOWSTATE" -T eve -r "$cap" | tail -n 1 | jq -r 'select(.event_type=="stats") | .stats.decoder.pkts')
summary='select(.event_type=="flow") | [.src_ip, .src_port, .dest_ip, .dest_port, .flow.pkts_toserver,
  .flow.pkts_toclient, .flow.bytes_toserver, .flow.bytes_toclient, .session.client.state,
  .session.server.state, .session.handshake, .session.close, (.session.violations | length)] | @tsv'
"$FLOWSTATE" -T eve -r "$cap" | jq -r "$summary" | sort >"$work/file.tsv"
capture -T eve -o "$work/split.json" -c "$npk"
ip netns exec "$nsa" tcpreplay -i veth-a --pps 300 "$cap" >"$work/tcpreplay" 2>&1
for _ in $(seq 100); do kill -0 "$fpid" 2>/dev/null || break; sleep 0.05; done
kill -INT "$fpid" 2>/dev/null || true
rc=0
wait "$fpid" || rc=$?
[ "$rc" -eq 0 ] || bad "flowstate exited $rc on fanout-split.pcap"
jq -r "$summary" "$work/split.json" | sort >"$work/live.tsv"
nflows=$(wc -l <"$work/file.tsv")
if [ "$nflows" -eq 20 ] && diff -u "$work/file.tsv" "$work/live.tsv"; then
    ok "fanout-split.pcap live with 2 handles: the same $nflows connections as from the file"
else
    bad "fanout-split.pcap: live records differ from the file's ($nflows flows in the file)"
fi
h0=$(stat "$work/split.json" '.stats.flowstate.capture.handles["0"].kernel_recv' '.stats.flowstate.capture.handles["0"].kernel_packets')
h1=$(stat "$work/split.json" '.stats.flowstate.capture.handles["1"].kernel_recv' '.stats.flowstate.capture.handles["1"].kernel_packets')
if [ "${h0:-0}" -gt 0 ] && [ "${h1:-0}" -gt 0 ]; then
    ok "fanout-split.pcap spread over both handles ($h0, $h1)"
else
    bad "fanout-split.pcap: a handle carried nothing ($h0, $h1)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
