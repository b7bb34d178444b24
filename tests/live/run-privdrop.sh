#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# -Z: flowstate -i lo -Z USER in a private namespace. Once capturing, its
# /proc/PID/status must show USER's uid and gid (real, effective, saved, fs),
# no supplementary group 0, empty effective/permitted/inheritable/ambient
# capability sets and an empty bounding set, no_new_privs and the seccomp
# filter; it must still capture (a connection made afterwards gets its record)
# and end cleanly on SIGINT. -Z with an unknown user exits 2 before opening
# anything (no output file). USER is "nobody", or a system user fs-nobody
# created when there is no nobody. Needs root and ip netns (tests/lib/require.sh:
# SKIP without them, FAIL under FLOWSTATE_REQUIRE_ALL=1). Traffic stays on the namespace's own loopback.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
ns="fs-priv-$$"
out=$(mktemp -d "${TMPDIR:-/tmp}/fs-priv.XXXXXX")
chmod 755 "$out"
fpid=
cleanup() {
    [ -z "$fpid" ] || kill -9 "$fpid" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$out"
}
trap cleanup EXIT
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

. "$SRCDIR/tests/lib/require.sh"
require_netns
require_tool ss:iproute2 useradd:passwd
user=nobody
if ! id "$user" >/dev/null 2>&1; then
    user=fs-nobody
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
fi
uid=$(id -u "$user") gid=$(id -g "$user")

ip netns add "$ns"
ip -n "$ns" link set lo up

# status FIELD: the value(s) of FIELD in flowstate's /proc status
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$fpid/status" | tr -s '\t ' ' ' | sed 's/ $//'; }

ip netns exec "$ns" "$FLOWSTATE" -i lo -Z "$user" -T eve -o "$out/out.json" -w "$out/out.pcap" \
    2>"$out/stderr" &
fpid=$!
# ip netns exec execs the command, so $! is flowstate. Ready once its packet
# socket is bound to all protocols ("*:lo") and it no longer runs as root.
for _ in $(seq 200); do
    if ip netns exec "$ns" ss -0 -a -p -H | grep "pid=$fpid," | grep -q ' \*:' &&
        [ "$(status Uid)" = "$uid $uid $uid $uid" ]; then
        break
    fi
    sleep 0.05
done
[ "$(readlink "/proc/$fpid/exe")" = "$(readlink -f "$FLOWSTATE")" ] && ok "PID $fpid is flowstate" ||
    bad "PID $fpid is $(readlink "/proc/$fpid/exe")"
u=$(status Uid) g=$(status Gid) groups=$(status Groups)
[ "$u" = "$uid $uid $uid $uid" ] && ok "Uid: $u ($user)" || bad "Uid: $u, want $uid x4"
[ "$g" = "$gid $gid $gid $gid" ] && ok "Gid: $g" || bad "Gid: $g, want $gid x4"
want_groups=$(id -G "$user" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')
got_groups=$(tr ' ' '\n' <<<"$groups" | sort -n | tr '\n' ' ' | sed 's/ $//')
[ "$got_groups" = "$want_groups" ] && ok "Groups: $groups (initgroups of $user)" ||
    bad "Groups: '$groups', want '$want_groups'"
for cap in CapEff CapPrm CapInh CapAmb CapBnd; do
    v=$(status "$cap")
    [ "$v" = 0000000000000000 ] && ok "$cap: $v" || bad "$cap: $v, want 0"
done
v=$(status NoNewPrivs)
[ "$v" = 1 ] && ok "NoNewPrivs: 1" || bad "NoNewPrivs: $v, want 1"
v=$(status Seccomp)
[ "$v" = 2 ] && ok "Seccomp: 2 (the filter is on)" || bad "Seccomp: $v, want 2"

# Still capturing after the drop: a connection on lo gets a record.
ip netns exec "$ns" /usr/bin/python3 - <<'PY'
import socket
l = socket.socket(); l.bind(("127.0.0.1", 9400)); l.listen(1)
c = socket.create_connection(("127.0.0.1", 9400)); s, _ = l.accept()
c.sendall(b"after -Z"); s.recv(100); c.close(); s.close(); l.close()
PY
for _ in $(seq 40); do
    [ "$(capinfos -c -M "$out/out.pcap" 2>/dev/null | sed -n 's/^Number of packets: *//p')" -ge 8 ] 2>/dev/null && break
    sleep 0.05 # the -w file is flushed when the capture goes idle
done
kill -INT "$fpid"
rc=0
wait "$fpid" || rc=$?
fpid=
[ "$rc" -eq 0 ] && ok "SIGINT: exit 0" || bad "SIGINT: exit $rc: $(cat "$out/stderr")"
n=$(jq -s '[.[] | select(.event_type=="flow" and .dest_port==9400)] | length' "$out/out.json")
[ "$n" -eq 1 ] && ok "captured after dropping privileges (flow to 9400)" || bad "flows to 9400: $n"
st=$(jq -s -r '.[-1].event_type' "$out/out.json")
[ "$st" = stats ] && ok "stats record last" || bad "last record: $st"

# Unknown user: fail closed, before opening the capture or the output.
rc=0
start=$(date +%s%N)
ip netns exec "$ns" "$FLOWSTATE" -i lo -Z no-such-user-fs -T eve -o "$out/never.json" \
    2>"$out/stderr2" || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" -eq 2 ] && ok "-Z no-such-user-fs: exit 2 ($(cat "$out/stderr2"), ${ms} ms)" ||
    bad "-Z no-such-user-fs: exit $rc"
[ ! -e "$out/never.json" ] && ok "-Z no-such-user-fs: no output file created" ||
    bad "-Z no-such-user-fs: output file exists"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
