#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A real Prometheus scraping flowstate --metrics-listen during a live capture,
# both started here in a private network namespace (their own ports, a temp
# storage dir), stopped at the end. make check-system: needs root, ip netns,
# prometheus, promtool, curl, python3 (tests/lib/require.sh: SKIP, or FAIL
# under FLOWSTATE_REQUIRE_ALL=1).
#  - a server left in CLOSE_WAIT: Prometheus's HTTP API shows
#    flowstate_tcp_server_stuck_connections{server_addr="127.0.0.1",
#    server_port="8080",kind="close_wait"} = 1 while the socket is open, and 0
#    after it closes;
#  - promtool check metrics on a scrape; the target is up;
#  - every expression of contrib/grafana/flowstate-dashboard.json runs with
#    promtool query instant against this Prometheus, which also loads the
#    alert rules; promtool check rules and promtool test rules on them;
#  - the final --metrics-file of the live run agrees with its final stats
#    record (metrics_agree.py), and process_* / build_info are on the endpoint.
# Cost: ~30 s.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/require.sh"
require_netns
require_tool prometheus:prometheus promtool:prometheus curl:curl python3
ns="fs-prom-$$"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fs-prom.XXXXXX")
mport=9917 pport=9090 sport=8080
fs_pid="" prom_pid="" pair_pid=""
cleanup() {
    for p in $pair_pid $fs_pid $prom_pid; do kill -9 "$p" 2>/dev/null || true; done
    exec 7>&- 2>/dev/null || true
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

# value of an instant query ("" when the result is empty)
query() {
    inns curl -sf "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
# waits up to $2 s for query $1 to give $3
await() {
    local i v=""
    for i in $(seq 1 "$(($2 * 2))"); do
        v=$(query "$1" 2>/dev/null || true)
        [ "$v" = "$3" ] && { echo "$i"; return 0; }
        sleep 0.5
    done
    echo "last value '$v'"
    return 1
}

ip netns exec "$ns" "$FLOWSTATE" -i lo -f "tcp port $sport" -T eve -o "$tmp/eve.json" \
    --stuck-after 2 --update-interval 0 --metrics-listen "127.0.0.1:$mport" \
    --metrics-interval 0.5 --metrics-file "$tmp/final.prom" 2>"$tmp/fs.err" &
fs_pid=$!
cat >"$tmp/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $SRCDIR/contrib/prometheus/flowstate-rules.yml
scrape_configs:
  - job_name: flowstate
    static_configs:
      - targets: ['127.0.0.1:$mport']
YML
ip netns exec "$ns" prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
    --web.listen-address="127.0.0.1:$pport" --log.level=warn >"$tmp/prom.log" 2>&1 &
prom_pid=$!
for _ in $(seq 1 60); do
    inns curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null 2>&1 && break
    sleep 0.5
done
if inns curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null; then ok "prometheus is ready"; else
    bad "prometheus did not start: $(tail -n 5 "$tmp/prom.log")"; echo "$pass passed, $fail failed"; exit 1; fi
if n=$(await 'up{job="flowstate"}' 20 1); then ok "the flowstate target is up"; else bad "target not up: $n"; fi

mkfifo "$tmp/pair.in"
ip netns exec "$ns" python3 "$SRCDIR/tests/metrics/close_wait_pair.py" "$sport" <"$tmp/pair.in" >"$tmp/pair.out" &
pair_pid=$!
exec 7>"$tmp/pair.in"
for _ in $(seq 1 20); do grep -q ready "$tmp/pair.out" && break; sleep 0.25; done
grep -q ready "$tmp/pair.out" && ok "a server socket is in CLOSE_WAIT" || bad "the CLOSE_WAIT pair did not start"
inns ss -tan "sport = :$sport" | grep -q CLOSE-WAIT && ok "ss sees CLOSE-WAIT" || bad "ss does not see CLOSE-WAIT"

sel='flowstate_tcp_server_stuck_connections{server_addr="127.0.0.1",server_port="'$sport'",kind="close_wait"}'
if n=$(await "$sel" 30 1); then ok "Prometheus: $sel = 1 while the socket is open (after ${n} polls)"; else
    bad "Prometheus: $sel never 1: $n"; fi
v=$(query 'flowstate_tcp_endpoints{state="close_wait",role="server"}')
[ "$v" = 1 ] && ok "Prometheus: flowstate_tcp_endpoints{state=close_wait,role=server} = 1" || bad "endpoints gauge: '$v'"

inns curl -sf "http://127.0.0.1:$mport/metrics" >"$tmp/scrape.txt"
if out=$(promtool check metrics <"$tmp/scrape.txt" 2>&1); then ok "promtool check metrics: clean ($(wc -l <"$tmp/scrape.txt") lines)"; else
    bad "promtool check metrics: $out"; fi
grep -q '^process_resident_memory_bytes [0-9]' "$tmp/scrape.txt" && grep -q '^flowstate_build_info{version="' "$tmp/scrape.txt" &&
    ok "process_* and flowstate_build_info on the endpoint" || bad "process_* or build_info missing"

# every dashboard expression, against this Prometheus
mapfile -t exprs < <(python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["panels"]:
    for t in p["targets"]:
        print(t["expr"])' "$SRCDIR/contrib/grafana/flowstate-dashboard.json")
[ "${#exprs[@]}" -ge 10 ] && ok "${#exprs[@]} dashboard expressions" || bad "only ${#exprs[@]} dashboard expressions"
nonempty=0
for e in "${exprs[@]}"; do
    if out=$(inns promtool query instant "http://127.0.0.1:$pport" "$e" 2>&1); then
        ok "promtool query instant: $e"
        [ -n "$out" ] && nonempty=$((nonempty + 1))
    else
        bad "promtool query instant '$e': $out"
    fi
done
[ "$nonempty" -ge 8 ] && ok "$nonempty of ${#exprs[@]} panel expressions return data" || bad "only $nonempty panel expressions return data"
out=$(inns promtool query instant "http://127.0.0.1:$pport" 'topk(10, flowstate_tcp_server_stuck_connections{kind="close_wait"} > 0)')
grep -q 'server_addr="127.0.0.1"' <<<"$out" && ok "the CLOSE_WAIT panel lists 127.0.0.1:$sport" || bad "CLOSE_WAIT panel: $out"
rules=$(inns curl -sf "http://127.0.0.1:$pport/api/v1/rules" | python3 -c 'import json,sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))')
[ "$rules" = 3 ] && ok "Prometheus loaded the 3 alert rules" || bad "rules loaded: $rules"

echo close >&7
if n=$(await "$sel" 30 0); then ok "Prometheus: $sel = 0 after the socket closed (after ${n} polls)"; else
    bad "Prometheus: $sel never fell to 0: $n"; fi
v=$(query 'flowstate_tcp_stuck_connections{kind="close_wait"}')
[ "$v" = 0 ] && ok "Prometheus: flowstate_tcp_stuck_connections{kind=close_wait} = 0" || bad "stuck gauge: '$v'"
echo exit >&7
exec 7>&-
wait "$pair_pid" 2>/dev/null || true; pair_pid=""

kill -INT "$fs_pid"
rc=0; wait "$fs_pid" || rc=$?; fs_pid=""
[ "$rc" -eq 0 ] && ok "flowstate: exit 0 on SIGINT" || bad "flowstate: exit $rc: $(cat "$tmp/fs.err")"
if out=$(python3 "$SRCDIR/tests/metrics/metrics_agree.py" "$tmp/eve.json" "$tmp/final.prom"); then
    ok "live: the final metrics file agrees with the final stats record (${out##*$'\n'})"
else
    bad "live: final metrics disagree: $out"
fi
kill "$prom_pid"; wait "$prom_pid" 2>/dev/null || true; prom_pid=""

# the alert rules
if out=$(promtool check rules "$SRCDIR/contrib/prometheus/flowstate-rules.yml" 2>&1); then ok "promtool check rules"; else
    bad "promtool check rules: $out"; fi
if out=$(cd "$SRCDIR/contrib/prometheus" && promtool test rules flowstate-rules.test.yml 2>&1); then
    ok "promtool test rules: every alert fires on its fixture"
else
    bad "promtool test rules: $out"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
