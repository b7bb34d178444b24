#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# -o redis:// against a real redis-server, started here on the loopback of a
# private network namespace with its own port and data directory, stopped at
# the end. make check-system: needs root, ip netns, redis-server,
# redis-cli, python3 (tests/lib/require.sh: SKIP, or FAIL under
# FLOWSTATE_REQUIRE_ALL=1).
#  1. every mode (lpush, rpush, publish, xadd), files: the records read back
#     equal the -T eve file output of the same capture, record by record (the
#     stats record less its stats.flowstate.output object, Redis's own counters);
#  2. back-pressure (files): buffer=2, batch=1 on the largest capture: nothing lost;
#  3. Redis unreachable at the start of a file run: a warning, then every
#     record once Redis is up;
#  4. live: Redis killed and restarted during the run: the capture goes on
#     (metrics file keeps moving), the loss is counted in the stats record and
#     equals the metric, records after the restart arrive, the stop is prompt;
#  5. a malformed URL exits 2 with a message naming it.
# Cost: ~25 s.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/require.sh"
require_netns
require_tool redis-server:redis-server redis-cli:redis-tools python3
ns="fs-redis-$$"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fs-redis.XXXXXX")
port=6390
redis_pid=""
fs_pid=""
cleanup() {
    [ -n "$fs_pid" ] && kill -9 "$fs_pid" 2>/dev/null || true
    [ -n "$redis_pid" ] && kill -9 "$redis_pid" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
inns() { ip netns exec "$ns" "$@"; }
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
rcli() { inns redis-cli -p "$port" "$@"; }

start_redis() {
    mkdir -p "$tmp/redis"
    ip netns exec "$ns" redis-server --bind 127.0.0.1 --port "$port" --dir "$tmp/redis" --save '' \
        --appendonly no --daemonize no >"$tmp/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 1 50); do
        [ "$(rcli ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    echo "redis-server did not start:"; cat "$tmp/redis.log"; exit 1
}
stop_redis() {
    kill -9 "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; redis_pid=""
}
compare() { # what file.jsonl redis.jsonl
    if res=$(python3 "$SRCDIR/tests/redis/same_records.py" "$2" "$3"); then ok "$1: $res"; else
        bad "$1: $res"; fi
}

start_redis
caps=(half-open-close-wait.pcap port-reuse.pcap retrans-ooo-dupack-zerowin.pcap ipv4-defrag.pcap)
n=0
for cap in "${caps[@]}"; do
    "$FLOWSTATE" -T eve -r "$SRCDIR/captures/$cap" >"$tmp/file.jsonl"
    for mode in lpush rpush xadd publish; do
        n=$((n + 1))
        key="k$n"
        url="redis://127.0.0.1:$port/1?key=$key&mode=$mode"
        if [ "$mode" = publish ]; then
            ip netns exec "$ns" redis-cli -p "$port" -n 1 --raw SUBSCRIBE "$key" >"$tmp/sub.txt" &
            sub=$!
            for _ in $(seq 1 50); do
                [ "$(rcli -n 1 PUBSUB NUMSUB "$key" | tail -n 1)" = 1 ] && break; sleep 0.1
            done
        fi
        inns "$FLOWSTATE" -r "$SRCDIR/captures/$cap" -o "$url" 2>"$tmp/err" ||
            bad "$cap $mode: exit $?: $(cat "$tmp/err")"
        case $mode in
            lpush) rcli -n 1 --raw LRANGE "$key" 0 -1 | tac >"$tmp/redis.jsonl" ;;
            rpush) rcli -n 1 --raw LRANGE "$key" 0 -1 >"$tmp/redis.jsonl" ;;
            xadd)  python3 - "$port" "$key" "$ns" >"$tmp/redis.jsonl" <<'PY'
import subprocess, sys
port, key, ns = sys.argv[1:]
out = subprocess.run(["ip", "netns", "exec", ns, "redis-cli", "-p", port, "-n", "1", "--raw",
                      "XRANGE", key, "-", "+"], capture_output=True, text=True, check=True).stdout
lines = out.split("\n")
# entries: id, field, value
i = 0
while i + 2 < len(lines):
    assert lines[i + 1] == "eve", lines[i + 1]
    print(lines[i + 2])
    i += 3
PY
                   ;;
            publish)
                # subscriber output: message, channel, payload (after the subscribe reply)
                for _ in $(seq 1 50); do
                    [ "$(grep -c '^message$' "$tmp/sub.txt")" -ge "$(wc -l <"$tmp/file.jsonl")" ] && break
                    sleep 0.1
                done
                kill "$sub" 2>/dev/null; wait "$sub" 2>/dev/null || true
                awk 'prev2 == "message" { print } { prev2 = prev1; prev1 = $0 }' "$tmp/sub.txt" \
                    >"$tmp/redis.jsonl" ;;
        esac
        compare "$cap $mode" "$tmp/file.jsonl" "$tmp/redis.jsonl"
    done
done
if [ "$(rcli -n 0 DBSIZE)" = 0 ]; then ok "records went to database 1 (the URL path), none to 0"; else
    bad "database 0 has keys"; fi
rcli -n 1 CONFIG SET stream-node-max-entries 100 >/dev/null

echo "-- back-pressure"
# 2. back-pressure: a queue of 2 records and one command per round trip, nothing lost
big=""
for c in "$SRCDIR"/captures/*.pcap; do
    k=$({ "$FLOWSTATE" -T eve -r "$c" 2>/dev/null || true; } | wc -l)
    if [ -z "$big" ] || [ "$k" -gt "$bigk" ]; then big=$c bigk=$k; fi
done
"$FLOWSTATE" -T eve -r "$big" >"$tmp/file.jsonl"
inns "$FLOWSTATE" -r "$big" -o "redis://127.0.0.1:$port/2?key=bp&mode=rpush&buffer=2&batch=1" 2>"$tmp/err"
rcli -n 2 --raw LRANGE bp 0 -1 >"$tmp/redis.jsonl"
compare "back-pressure buffer=2 batch=1 ($(basename "$big"), $bigk records)" "$tmp/file.jsonl" "$tmp/redis.jsonl"
if [ ! -s "$tmp/err" ]; then ok "back-pressure: no warning"; else bad "back-pressure warned: $(cat "$tmp/err")"; fi

echo "-- unreachable at start"
# 3. unreachable at the start (files): warn, wait, deliver everything
stop_redis
cap="$SRCDIR/captures/port-reuse.pcap"
"$FLOWSTATE" -T eve -r "$cap" >"$tmp/file.jsonl"
ip netns exec "$ns" "$FLOWSTATE" -r "$cap" -o "redis://127.0.0.1:$port/3?key=late" 2>"$tmp/err" &
fs_pid=$!
sleep 1.5
if kill -0 "$fs_pid" 2>/dev/null; then ok "unreachable Redis: the file run waits"; else
    bad "unreachable Redis: the file run ended without it"; fi
start_redis
rc=0; wait "$fs_pid" || rc=$?; fs_pid=""
[ "$rc" -eq 0 ] && ok "unreachable at start: exit 0 once Redis came" || bad "unreachable at start: exit $rc"
grep -q "Connection refused; retrying" "$tmp/err" && ok "unreachable at start: warned" ||
    bad "no warning: $(cat "$tmp/err")"
rcli -n 3 --raw LRANGE late 0 -1 | tac >"$tmp/redis.jsonl"
compare "unreachable at start, then up" "$tmp/file.jsonl" "$tmp/redis.jsonl"

echo "-- live outage"
# 4. live: kill Redis in the middle of the run
connect_burst() { # N: connections refused by a closed port (each ends in a RST)
    inns python3 - "$1" <<'PY'
import socket, sys
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", 9))
    except OSError:
        pass
    s.close()
PY
}
prom="$tmp/live.prom"
ip netns exec "$ns" "$FLOWSTATE" -i lo -f "not tcp port $port" -T eve --timeout closed=0.3 --update-interval 0 \
    --metrics-file "$prom" --metrics-interval 0.2 \
    -o "redis://127.0.0.1:$port/4?key=live&buffer=4&batch=2" 2>"$tmp/live.err" &
fs_pid=$!
sleep 1
connect_burst 3
sleep 2.5
before=$(rcli -n 4 LLEN live)
[ "$before" -ge 3 ] && ok "live: $before records delivered before the outage" || bad "live: $before records before the outage"
stop_redis
pk1=$(sed -n 's/^flowstate_capture_records_total //p' "$prom")
connect_burst 40
sleep 2.5
pk2=$(sed -n 's/^flowstate_capture_records_total //p' "$prom")
if kill -0 "$fs_pid" && [ "$pk2" -gt "$pk1" ]; then
    ok "live: the capture goes on while Redis is down (records read $pk1 -> $pk2)"
else
    bad "live: capture stalled ($pk1 -> $pk2)"
fi
lost_metric=$(sed -n 's/^flowstate_output_redis_lost_total //p' "$prom")
[ "${lost_metric:-0}" -gt 0 ] && ok "live: metric shows $lost_metric records lost during the outage" ||
    bad "live: no loss in the metrics during the outage"
start_redis
sleep 6 # back-off is at most 5 s
connect_burst 3
sleep 2.5
after=$(rcli -n 4 LLEN live)
[ "$after" -ge 3 ] && ok "live: $after records delivered after the restart" || bad "live: $after records after the restart"
t0=$(date +%s%N)
kill -INT "$fs_pid"
rc=0; wait "$fs_pid" || rc=$?; fs_pid=""
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$rc" -eq 0 ] && [ "$ms" -lt 3000 ] && ok "live: SIGINT ends the run in $ms ms, exit 0" ||
    bad "live: exit $rc after $ms ms"
rcli -n 4 --raw LINDEX live 0 >"$tmp/stats.json"
if res=$(python3 - "$tmp/stats.json" "$prom" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
assert st["event_type"] == "stats", "the newest record is not the stats record"
r = st["stats"]["flowstate"]["output"]["redis"]
prom = dict(l.split(" ", 1) for l in open(sys.argv[2]) if l.startswith("flowstate_output_redis_"))
assert r["lost"] > 0, "no loss counted: %s" % r
assert r["reconnects"] >= 1, "no reconnect counted: %s" % r
assert int(prom["flowstate_output_redis_lost_total"]) == r["lost"], (prom, r)
assert int(prom["flowstate_output_redis_records_total"]) == r["records"], (prom, r)
print("stats.flowstate.output.redis %s == metrics" % json.dumps(r))
PY
); then ok "live: $res"; else bad "live stats record: $res"; fi
grep -q "reconnecting\|retrying" "$tmp/live.err" && ok "live: the outage was logged" || bad "live: no warning"

# 5. malformed URLs
for url in "redis://" "redis://h:0" "redis://h/x" "redis://h?mode=pop" "redis://h?key=a&nope=1"; do
    rc=0; "$FLOWSTATE" -r "$cap" -o "$url" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -eq 2 ] && grep -qF "$url" "$tmp/err" && [ ! -s "$tmp/out" ]; then ok "malformed $url: exit 2"; else
        bad "malformed $url: exit $rc: $(cat "$tmp/err")"; fi
done
rc=0; "$FLOWSTATE" -T zeek -r "$cap" -o "redis://127.0.0.1:$port" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "EVE" "$tmp/err" && ok "-T zeek with Redis: exit 2" || bad "-T zeek with Redis: exit $rc"

stop_redis
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
