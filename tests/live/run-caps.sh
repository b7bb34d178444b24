#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Capabilities, no_new_privs, the seccomp filter and O_NOFOLLOW on the real
# binary, live on the loopback of a private network namespace:
#  1. ambient: an unprivileged user with only CAP_NET_RAW + CAP_NET_ADMIN as
#     ambient capabilities (what systemd's AmbientCapabilities= gives the
#     packaged service) captures, and once capturing holds no capability at
#     all (effective, permitted, inheritable, ambient), has no_new_privs and
#     the filter (Seccomp: 2); SIGHUP reopens -o in its own directory.
#  2. setcap: the same user running a copy of the binary with the file
#     capabilities cap_net_raw,cap_net_admin=ep: same checks.
#     Control: the same user without capabilities cannot capture (exit 2).
#  3. seccomp kills: flowstate with tests/live/sigsys_shim.c preloaded runs
#     execve("/bin/sh") on SIGUSR2; with the filter that kills it with
#     SIGSYS (status 159) and the command never runs; with --no-seccomp the
#     command runs (so the shim works and the filter is what stops it).
#  4. root without -Z keeps only CAP_DAC_OVERRIDE (with -o), empty bounding set.
#  5. O_NOFOLLOW: as root, -o and -w naming a symbolic link exit 2 and leave
#     the link's target alone; the unprivileged user follows links as usual.
# USER is "nobody", or a system user fs-nobody created when there is none.
# Needs root, ip netns, setpriv, setcap, a C compiler (the shim)
# (tests/lib/require.sh: SKIP without them, FAIL under FLOWSTATE_REQUIRE_ALL=1).
# Cost: about 15 s. Everything it starts is killed and removed on exit.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
ns="fs-caps-$$"
out=$(mktemp -d "${TMPDIR:-/tmp}/fs-caps.XXXXXX")
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
require_tool ss:iproute2 setpriv:util-linux setcap:libcap2-bin findmnt:util-linux jq python3 \
    useradd:passwd
cc=${CC:-cc}
require_tool "$cc:build-essential"
ip netns add "$ns"
ip -n "$ns" link set lo up

user=nobody
if ! id "$user" >/dev/null 2>&1; then
    user=fs-nobody
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
fi
uid=$(id -u "$user") gid=$(id -g "$user")
udir="$out/user"
mkdir "$udir"
chown "$uid:$gid" "$udir"
zero=0000000000000000

# status FIELD: the value(s) of FIELD in flowstate's /proc status
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$fpid/status" | tr -s '\t ' ' ' | sed 's/ $//'; }
# Ready once its packet socket is bound ("*:lo") and the filter is on (or WANT_SECCOMP=0).
wait_ready() {
    local want=${1:-2}
    for _ in $(seq 200); do
        if ip netns exec "$ns" ss -0 -a -p -H 2>/dev/null | grep "pid=$fpid," | grep -q ' \*:' &&
            [ "$(status Seccomp)" = "$want" ]; then
            return 0
        fi
        kill -0 "$fpid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
connect() { # PORT: one short connection on the namespace's loopback
    ip netns exec "$ns" /usr/bin/python3 - "$1" <<'PY'
import socket, sys
p = int(sys.argv[1])
l = socket.socket(); l.bind(("127.0.0.1", p)); l.listen(1)
c = socket.create_connection(("127.0.0.1", p)); s, _ = l.accept()
c.sendall(b"caps"); s.recv(100); c.close(); s.close(); l.close()
PY
}
flows_to() { jq -s "[.[] | select(.event_type==\"flow\" and .dest_port==$2)] | length" "$1" 2>/dev/null || echo 0; }
wait_flow() { # FILE PORT: until FILE has the connection's record (-l, --timeout closed=1)
    for _ in $(seq 200); do
        [ "$(flows_to "$1" "$2")" -ge 1 ] && return 0
        sleep 0.05
    done
    return 1
}
stop_ok() { # LABEL FILE: SIGINT ends the run with status 0 and the stats record last
    local rc=0
    kill -INT "$fpid"
    wait "$fpid" || rc=$?
    fpid=
    [ "$rc" -eq 0 ] && ok "$1: SIGINT, exit 0" || bad "$1: exit $rc: $(cat "$out/stderr")"
    [ "$(jq -s -r '.[-1].event_type' "$2")" = stats ] && ok "$1: stats record last" ||
        bad "$1: last record is not stats"
}
no_caps_left() { # LABEL
    local c
    for c in CapEff CapPrm CapInh CapAmb; do
        [ "$(status $c)" = $zero ] && ok "$1: $c $zero after the capture is open" ||
            bad "$1: $c $(status $c), want $zero"
    done
    [ "$(status NoNewPrivs)" = 1 ] && ok "$1: NoNewPrivs 1" || bad "$1: NoNewPrivs $(status NoNewPrivs)"
    [ "$(status Seccomp)" = 2 ] && [ "$(status Seccomp_filters)" = 1 ] &&
        ok "$1: Seccomp 2 (filter), 1 filter" ||
        bad "$1: Seccomp $(status Seccomp), filters $(status Seccomp_filters)"
    [ "$(status Uid)" = "$uid $uid $uid $uid" ] && ok "$1: still uid $uid" || bad "$1: Uid $(status Uid)"
}
caps="+net_raw,+net_admin"

# ---- 1: ambient capabilities, as under systemd ------------------------------------
ip netns exec "$ns" setpriv --reuid="$uid" --regid="$gid" --init-groups --inh-caps="$caps" \
    --ambient-caps="$caps" -- "$FLOWSTATE" -i lo -T eve -l --msl 0.1 --timeout closed=1 -o "$udir/amb.json" 2>"$out/stderr" &
fpid=$!
if wait_ready; then ok "ambient: capturing as $user"; else bad "ambient: not ready: $(cat "$out/stderr")"; fi
no_caps_left ambient
connect 9501
wait_flow "$udir/amb.json" 9501 && ok "ambient: connection recorded" || bad "ambient: no flow to 9501"
mv "$udir/amb.json" "$udir/amb.json.1"
kill -HUP "$fpid"
for _ in $(seq 100); do [ -e "$udir/amb.json" ] && break; sleep 0.05; done
connect 9502
wait_flow "$udir/amb.json" 9502 && ok "ambient: SIGHUP reopened -o as $user (new file has the next record)" ||
    bad "ambient: no flow to 9502 in the reopened file"
[ "$(stat -c %u "$udir/amb.json" 2>/dev/null)" = "$uid" ] && ok "ambient: reopened file owned by $user" ||
    bad "ambient: reopened file owner $(stat -c %u "$udir/amb.json" 2>/dev/null)"
stop_ok ambient "$udir/amb.json"

# ---- 2: file capabilities (setcap), and the control without them --------------------
bindir="$out/bin"
mkdir "$bindir"
chmod 755 "$bindir"
if findmnt -no OPTIONS --target "$bindir" | grep -qw nosuid; then
    require_missing "$bindir is on a nosuid mount: file capabilities are ignored there"
fi
cp "$FLOWSTATE" "$bindir/flowstate"
chmod 755 "$bindir/flowstate"
rc=0
ip netns exec "$ns" setpriv --reuid="$uid" --regid="$gid" --init-groups -- \
    "$bindir/flowstate" -i lo -c 1 -T eve -o "$udir/nocap.json" 2>"$out/stderr.nocap" || rc=$?
[ "$rc" -eq 2 ] && ok "control: $user without capabilities cannot capture (exit 2: $(head -c 120 "$out/stderr.nocap"))" ||
    bad "control: $user without capabilities: exit $rc"
setcap cap_net_raw,cap_net_admin=ep "$bindir/flowstate"
ip netns exec "$ns" setpriv --reuid="$uid" --regid="$gid" --init-groups -- \
    "$bindir/flowstate" -i lo -T eve -l --msl 0.1 --timeout closed=1 -o "$udir/setcap.json" 2>"$out/stderr" &
fpid=$!
if wait_ready; then ok "setcap: capturing as $user"; else bad "setcap: not ready: $(cat "$out/stderr")"; fi
no_caps_left setcap
connect 9503
wait_flow "$udir/setcap.json" 9503 && ok "setcap: connection recorded" || bad "setcap: no flow to 9503"
stop_ok setcap "$udir/setcap.json"

# ---- 3: a forbidden call kills with SIGSYS ---------------------------------------------
"$cc" -shared -fPIC -O1 -o "$out/shim.so" "$SRCDIR/tests/live/sigsys_shim.c"
chmod 755 "$out/shim.so"
# an ASan binary wants its runtime first in the library list; the shim comes before it
asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
for mode in filter no-seccomp; do
    extra=()
    [ "$mode" = no-seccomp ] && extra=(--no-seccomp)
    rm -f "$out/escaped"
    ip netns exec "$ns" env LD_PRELOAD="$out/shim.so" ASAN_OPTIONS="$asan" \
        FS_SHIM_CMD="echo escaped > $out/escaped" \
        "$FLOWSTATE" -i lo -T eve -o "$out/shim-$mode.json" "${extra[@]}" 2>"$out/stderr" &
    fpid=$!
    if [ "$mode" = filter ]; then wait_ready 2 || bad "shim: not ready: $(cat "$out/stderr")"
    else wait_ready 0 || bad "shim --no-seccomp: not ready: $(cat "$out/stderr")"; fi
    kill -USR2 "$fpid"
    rc=0
    wait "$fpid" || rc=$?
    fpid=
    if [ "$mode" = filter ]; then
        [ "$rc" -eq 159 ] && ok "execve after the capture is open: killed by SIGSYS (status $rc)" ||
            bad "execve with the filter: status $rc, want 159 (SIGSYS)"
        [ ! -e "$out/escaped" ] && ok "execve with the filter: the command never ran" ||
            bad "execve with the filter: the command ran"
    else
        [ "$rc" -eq 0 ] && [ -e "$out/escaped" ] && ok "control --no-seccomp: the shim's execve runs (status $rc)" ||
            bad "control --no-seccomp: status $rc, escaped file $( [ -e "$out/escaped" ] && echo present || echo absent)"
    fi
done

# ---- 4: root without -Z ------------------------------------------------------------------
ip netns exec "$ns" "$FLOWSTATE" -i lo -T eve -o "$out/root.json" 2>"$out/stderr" &
fpid=$!
wait_ready || bad "root: not ready: $(cat "$out/stderr")"
[ "$(status CapEff)" = 0000000000000002 ] && [ "$(status CapPrm)" = 0000000000000002 ] &&
    ok "root without -Z, with -o: only CAP_DAC_OVERRIDE left (CapEff $(status CapEff))" ||
    bad "root without -Z: CapEff $(status CapEff) CapPrm $(status CapPrm), want 0000000000000002"
[ "$(status CapBnd)" = $zero ] && ok "root without -Z: CapBnd $zero" || bad "root: CapBnd $(status CapBnd)"
[ "$(status Uid)" = "0 0 0 0" ] && ok "root without -Z: uid stays 0" || bad "root: Uid $(status Uid)"
stop_ok root "$out/root.json"

# ---- 5: no symbolic link as root ------------------------------------------------------------
cap="$SRCDIR/captures/half-open-close-wait.pcap"
echo keep >"$out/target"
ln -s "$out/target" "$out/link.json"
ln -s "$out/target" "$out/link.pcap"
rc=0
"$FLOWSTATE" -r "$cap" -T eve -o "$out/link.json" 2>"$out/stderr.o" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'symbolic link' "$out/stderr.o" && ok "root: -o symlink refused (exit 2: $(cat "$out/stderr.o"))" ||
    bad "root: -o symlink: exit $rc: $(cat "$out/stderr.o")"
rc=0
"$FLOWSTATE" -r "$cap" -w "$out/link.pcap" -o /dev/null 2>"$out/stderr.w" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'symbolic link' "$out/stderr.w" && ok "root: -w symlink refused (exit 2)" ||
    bad "root: -w symlink: exit $rc: $(cat "$out/stderr.w")"
[ "$(cat "$out/target")" = keep ] && ok "root: the link target is untouched" || bad "root: the link target changed"
ln -s "$udir/utarget" "$udir/ulink.json"
rc=0
setpriv --reuid="$uid" --regid="$gid" --init-groups -- "$FLOWSTATE" -r "$cap" -T eve -o "$udir/ulink.json" \
    2>"$out/stderr.u" || rc=$?
[ "$rc" -eq 0 ] && [ -s "$udir/utarget" ] && ok "$user: a symlink is followed as usual" ||
    bad "$user: symlink: exit $rc $(cat "$out/stderr.u")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
