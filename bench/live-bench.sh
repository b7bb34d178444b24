#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# live-bench.sh - live capture benchmark (issue 4): tcpreplay sends a capture
# over a veth pair between two private network namespaces (fs-lbA-PID: veth-a,
# fs-lbB-PID: veth-b; nothing else is attached, IPv6 is off so the kernel
# adds no packets of its own) while `flowstate -i veth-b` captures in the
# other. Prints one line per run: packets in the file, sent by tcpreplay,
# seen by flowstate (decoder.pkts), kernel_recv/kernel_drop/kernel_ifdrop
# (stats.capture.kernel_packets/kernel_drops/kernel_ifdrops),
# flows, and flowstate's CPU time (user+sys from /usr/bin/time -v) per packet.
#
# Usage: bench/live-bench.sh [--rate ARG]... [--buffer SIZE] [--keep DIR] [PCAP]
#   --rate topspeed | pps:N | mbps:N   (repeatable; default: topspeed)
#   --buffer SIZE                      flowstate -B (default: libpcap's 2 MiB)
# PCAP defaults to bench/out/live-n200000.pcap, generated with gen_bench
# (200k packets, 5000 concurrent, full-size frames) when missing.
# With --exact, a run at a rate other than topspeed fails unless flowstate saw
# every packet and as many flows as when reading the file (run-replay.sh).
# Before the live runs it measures the file path (flowstate -T eve -r PCAP with
# the same output options) and prints each live run's CPU per packet as a
# ratio of it.
# Env: FLOWSTATE (default ./flowstate at the top of the tree), CC (default cc),
# WORKERS (passed as --workers to both the file and the live runs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
FLOWSTATE=${FLOWSTATE:-$top/flowstate}
CC=${CC:-cc}
rates=()
buffer=
keep=
exact=0
pcap=
while [ $# -gt 0 ]; do
    case $1 in
    --rate) rates+=("$2"); shift ;;
    --buffer) buffer=$2; shift ;;
    --keep) keep=$2; shift ;;
    --exact) exact=1 ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    -*) echo "live-bench.sh: unknown option $1" >&2; exit 2 ;;
    *) pcap=$1 ;;
    esac
    shift
done
[ "${#rates[@]}" -gt 0 ] || rates=(topspeed)
for tool in ip tcpreplay capinfos jq /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "live-bench.sh: $tool is required" >&2; exit 2; }
done

if [ -z "$pcap" ]; then
    mkdir -p "$here/out"
    pcap=$here/out/live-n200000.pcap
    if [ ! -s "$pcap" ]; then
        gen=$here/out/gen_bench
        if [ ! -x "$gen" ] || [ "$here/gen_bench.c" -nt "$gen" ]; then
            "$CC" -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -o "$gen" "$here/gen_bench.c"
        fi
        "$gen" -n 200000 -c 5000 -s 3 -S 1514 -o "$pcap.tmp" >/dev/null 2>&1
        mv "$pcap.tmp" "$pcap"
    fi
fi

nsa="fs-lbA-$$" nsb="fs-lbB-$$"
work=$(mktemp -d "${TMPDIR:-/tmp}/fs-lb.XXXXXX")
cleanup() {
    ip netns del "$nsa" 2>/dev/null || true
    ip netns del "$nsb" 2>/dev/null || true
    if [ -n "$keep" ]; then rm -rf "$keep"; cp -r "$work" "$keep"; fi
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$nsa"
ip netns add "$nsb"
for ns in "$nsa" "$nsb"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$nsa" link add veth-a type veth peer name veth-b netns "$nsb"
# 9000: gen_bench's QinQ frames are 1522 bytes; veth drops frames above its MTU.
ip -n "$nsa" link set veth-a mtu 9000 up
ip -n "$nsb" link set veth-b mtu 9000 up
ip -n "$nsa" link set lo up
ip -n "$nsb" link set lo up

npkts=$(capinfos -c -M "$pcap" | sed -n 's/^Number of packets: *//p' | tr -d ' ')
file_flows=$("$FLOWSTATE" -T eve -r "$pcap" | jq -s '[.[] | select(.event_type=="flow")] | length')
echo "capture: $pcap ($npkts packets, $file_flows flows when read as a file)"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"

# capturing PID NS: the packet socket is bound to all protocols (libpcap binds
# with protocol 0 first; ss shows "[0]:veth-b" until the ring is ready).
capturing() {
    ip netns exec "$2" ss -0 -a -p -H 2>/dev/null | grep "pid=$1," | grep -q ' \*:'
}

# The file path on the same packets, same output, same options: the yardstick
# for live CPU per packet (issue 8: live <= 1.5x the file path).
file_cpu() {
    local t=$work/file.time
    /usr/bin/time -v -o "$t" "$FLOWSTATE" -T eve -r "$pcap" -o "$work/file.json" \
        --update-interval 0 ${WORKERS:+--workers "$WORKERS"}
    awk -v n="$npkts" '/User time|System time/ { s += $NF }
        END { printf "%.3f", n ? s * 1e6 / n : 0 }' "$t"
}
file_us=$(file_cpu)
echo "file path: $file_us us/packet (flowstate -T eve -r, same output options)"

status=0
for rate in "${rates[@]}"; do
    case $rate in
    topspeed) targ=(--topspeed) ;;
    pps:*) targ=(--pps "${rate#pps:}") ;;
    mbps:*) targ=(--mbps "${rate#mbps:}") ;;
    *) echo "live-bench.sh: bad --rate $rate" >&2; exit 2 ;;
    esac
    tag=${rate//:/-}
    json=$work/$tag.json
    timef=$work/$tag.time
    # -c: at modest rates flowstate ends by itself once it has read every packet
    args=(-i veth-b -T eve -o "$json" -c "$npkts" --update-interval 0 ${WORKERS:+--workers "$WORKERS"})
    [ -z "$buffer" ] || args+=(-B "$buffer")
    ip netns exec "$nsb" /usr/bin/time -v -o "$timef" "$FLOWSTATE" "${args[@]}" &
    tpid=$!
    fpid=
    for _ in $(seq 200); do
        fpid=$(pgrep -P "$tpid" -x flowstate || true)
        [ -n "$fpid" ] && capturing "$fpid" "$nsb" && break
        sleep 0.05
    done
    [ -n "$fpid" ] || { echo "live-bench.sh: flowstate did not start" >&2; exit 1; }
    ip netns exec "$nsa" tcpreplay -i veth-a "${targ[@]}" "$pcap" >"$work/$tag.tcpreplay" 2>&1
    sent=$(sed -n 's/^[[:space:]]*Successful packets:[[:space:]]*\([0-9]*\).*/\1/p' "$work/$tag.tcpreplay")
    rtime=$(sed -n 's/^Actual: .* packets (.* bytes) sent in \([0-9.]*\) seconds.*/\1/p' "$work/$tag.tcpreplay")
    # flowstate exits at -c; with drops it never gets there: stop it once idle
    for _ in $(seq 60); do kill -0 "$fpid" 2>/dev/null || break; sleep 0.05; done
    kill -INT "$fpid" 2>/dev/null || true
    wait "$tpid" || true
    stats=$(jq -c 'select(.event_type=="stats") | .stats' "$json" | tail -n 1)
    seen=$(jq -r '.decoder.pkts' <<<"$stats")
    recv=$(jq -r '.capture.kernel_packets' <<<"$stats")
    drop=$(jq -r '.capture.kernel_drops' <<<"$stats")
    ifdrop=$(jq -r '.capture.kernel_ifdrops' <<<"$stats")
    flows=$(jq -s '[.[] | select(.event_type=="flow")] | length' "$json")
    user=$(sed -n 's/^[[:space:]]*User time (seconds): //p' "$timef")
    sys=$(sed -n 's/^[[:space:]]*System time (seconds): //p' "$timef")
    rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$timef")
    cpu_us=$(awk -v u="$user" -v s="$sys" -v n="$seen" 'BEGIN { printf "%.2f", n ? (u + s) * 1e6 / n : 0 }')
    pps=$(awk -v n="$sent" -v t="$rtime" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
    ratio=$(awk -v l="$cpu_us" -v f="$file_us" 'BEGIN { printf "%.2f", (f > 0 ? l / f : 0) }')
    printf 'rate=%-12s sent=%s (%s pps over %ss) seen=%s kernel_recv=%s kernel_drop=%s kernel_ifdrop=%s flows=%s/%s cpu=%ss+%ss = %s us/packet (%sx file) rss=%sKiB\n' \
        "$rate" "$sent" "$pps" "$rtime" "$seen" "$recv" "$drop" "$ifdrop" "$flows" "$file_flows" \
        "$user" "$sys" "$cpu_us" "$ratio" "$rss"
    if [ "$exact" -eq 1 ] && [ "$rate" != topspeed ]; then
        if [ "$sent" != "$npkts" ] || [ "$seen" != "$npkts" ] || [ "$flows" != "$file_flows" ]; then
            echo "MISMATCH at $rate: file $npkts packets / $file_flows flows, sent $sent, seen $seen / $flows flows"
            status=1
        fi
    fi
done
exit "$status"
