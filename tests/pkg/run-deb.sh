#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The Debian package, built and installed on this machine, then removed:
#  1. `make dist` of the tree is the orig tarball; debian/ is added and
#     `dpkg-buildpackage -us -uc` builds the source and binary packages
#     (DEB_BUILD_OPTIONS=nocheck: the same make check ran earlier in CI).
#  2. lintian --pedantic: no tag at any level except the overridden ones,
#     and every override line has a comment (its justification) above it.
#  3. dpkg -i: the installed `flowstate -V`, the bundled capture through the
#     installed binary (= the golden output), man page, doc/, contrib/, the
#     system user flowstate, /var/log/flowstate owned by it (0750).
#  4. the unit: `systemd-analyze verify`, and `systemd-analyze security
#     --offline=true --threshold=15` (exposure at most 1.5 of 10).
#  5. logrotate: `logrotate -d`, then a forced rotation with its own state
#     file: the old file kept as .1, the new one created flowstate:flowstate 0640.
#  6. the service under real systemd: systemd-nspawn boots this machine's
#     /usr read-only (--volatile=yes: an empty /etc and /var, so the account
#     and the log directory come from the package's sysusers.d and
#     tmpfiles.d files) with a private network; flowstate@lo.service runs as
#     flowstate with no capability left, no_new_privs and the seccomp filter,
#     records a connection on lo; logrotate's postrotate (systemctl kill
#     SIGHUP) makes the same process continue in the new file; systemctl stop
#     ends it cleanly with the stats record last.
#  7. dpkg --purge: binary, unit, logrotate file and log directory gone.
# Needs root, dpkg-dev, debhelper, lintian, logrotate, systemd-analyze,
# systemd-nspawn (systemd-container), and no flowstate package installed
# before (tests/lib/require.sh: SKIP without them, FAIL under
# FLOWSTATE_REQUIRE_ALL=1). It removes what it installed, and the account if
# it made it. Cost: about 4 minutes (configure, a -O2 build, lintian).
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/require.sh"
require_root
require_tool dpkg-buildpackage:dpkg-dev dh:debhelper lintian logrotate systemd-analyze:systemd \
    systemd-nspawn:systemd-container jq python3 make
[ -d "$SRCDIR/debian" ] || require_missing "no debian/ in $SRCDIR"
[ -x "$SRCDIR/configure" ] || require_missing "no configure in $SRCDIR (run autoreconf -fi)"
if dpkg-query -W -f='${Status}' flowstate 2>/dev/null | grep -q 'ok installed'; then
    require_missing "a flowstate package is installed already; this test installs and purges its own"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fs-deb.XXXXXX")
chmod 755 "$work"
had_user=0
id flowstate >/dev/null 2>&1 && had_user=1
installed=0
cleanup() {
    [ "$installed" = 0 ] || dpkg --purge flowstate >/dev/null 2>&1 || true
    if [ "$had_user" = 0 ] && id flowstate >/dev/null 2>&1; then
        userdel flowstate 2>/dev/null || true
        groupdel flowstate 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
t0=$(date +%s)
secs() { echo "$(($(date +%s) - t0)) s"; }

# ---- 1: build ----------------------------------------------------------------------
mkdir "$work/dist"
if (cd "$work/dist" && "$SRCDIR/configure" -q >/dev/null && make -s dist >/dev/null) >"$work/dist.log" 2>&1; then
    tarball=$(ls "$work"/dist/flowstate-*.tar.gz)
    ok "make dist: $(basename "$tarball") ($(secs))"
else
    bad "make dist: $(tail -5 "$work/dist.log")"
    echo "$pass passed, $fail failed"
    exit 1
fi
ver=$(basename "$tarball" .tar.gz)
ver=${ver#flowstate-}
cp "$tarball" "$work/flowstate_$ver.orig.tar.gz"
tar -C "$work" -xzf "$work/flowstate_$ver.orig.tar.gz"
src="$work/flowstate-$ver"
cp -r "$SRCDIR/debian" "$src/"
jobs=$(nproc 2>/dev/null || echo 2)
if (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" dpkg-buildpackage -us -uc) \
    >"$work/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc ($(secs))"
else
    bad "dpkg-buildpackage: $(tail -20 "$work/build.log")"
    echo "$pass passed, $fail failed"
    exit 1
fi
deb=$(ls "$work"/flowstate_"$ver"-*_*.deb)
changes=$(ls "$work"/flowstate_"$ver"-*_*.changes)
debver=$(dpkg-deb -f "$deb" Version)

# ---- 2: lintian ---------------------------------------------------------------------
lintian --pedantic --display-info --show-overrides "$changes" >"$work/lintian.txt" 2>"$work/lintian.err" || true
grep -v 'running with root privileges' "$work/lintian.err" >&2 || true
tags=$(grep -E '^[EWIPX]: ' "$work/lintian.txt" || true)
overridden=$(grep -c '^O: ' "$work/lintian.txt" || true)
if [ -z "$tags" ]; then
    ok "lintian --pedantic: no tag ($overridden overridden, each justified below)"
else
    bad "lintian: $(printf '%s; ' "$tags")"
fi
for f in "$SRCDIR"/debian/source/lintian-overrides "$SRCDIR"/debian/*.lintian-overrides; do
    [ -e "$f" ] || continue
    if awk '/^#/ { c = 1; next } /^[[:space:]]*$/ { c = 0; next } { if (!c) exit 1 }' "$f"; then
        ok "every override in ${f#"$SRCDIR"/} has its justification"
    else
        bad "an override in ${f#"$SRCDIR"/} has no comment above it"
    fi
done

# ---- 3: install ------------------------------------------------------------------------
if dpkg -i "$deb" >"$work/install.log" 2>&1; then
    installed=1
    ok "dpkg -i $(basename "$deb")"
else
    bad "dpkg -i: $(tail -5 "$work/install.log")"
    echo "$pass passed, $fail failed"
    exit 1
fi
v=$(/usr/bin/flowstate -V)
[ "$v" = "flowstate $ver" ] && ok "installed flowstate -V: $v" || bad "flowstate -V: '$v', want 'flowstate $ver'"
ex=/usr/share/doc/flowstate/examples
if (cd "$ex" && TZ=UTC /usr/bin/flowstate -r half-open-close-wait.pcap -T eve) >"$work/golden.out" 2>&1 &&
    cmp -s "$work/golden.out" "$SRCDIR/tests/golden/expected/half-open-close-wait.jsonl"; then
    ok "the bundled capture through the installed binary = tests/golden/expected/half-open-close-wait.jsonl"
else
    bad "bundled capture: $(diff "$work/golden.out" "$SRCDIR/tests/golden/expected/half-open-close-wait.jsonl" | head -5)"
fi
[ "$(man -w 8 flowstate 2>/dev/null)" = /usr/share/man/man8/flowstate.8.gz ] && ok "man 8 flowstate" ||
    bad "man page: $(man -w 8 flowstate 2>&1)"
for f in README.gz schema.md.gz copyright contrib/systemd/flowstate@.service \
    contrib/logrotate/flowstate examples/half-open-close-wait.pcap; do
    [ -e "/usr/share/doc/flowstate/$f" ] && ok "doc: /usr/share/doc/flowstate/$f" || bad "doc: $f missing"
done
IFS=: read -r _ _ fuid _ _ fhome fshell < <(getent passwd flowstate) || true
[ -n "${fuid:-}" ] && [ "$fuid" -lt 1000 ] && [ "$fshell" = /usr/sbin/nologin ] && [ "$fhome" = /nonexistent ] &&
    ok "system user flowstate (uid $fuid, $fhome, $fshell)" ||
    bad "user flowstate: uid ${fuid:-none} home ${fhome:-} shell ${fshell:-}"
ld=$(stat -c '%U:%G %a' /var/log/flowstate 2>/dev/null || echo missing)
[ "$ld" = "flowstate:flowstate 750" ] && ok "/var/log/flowstate: $ld" || bad "/var/log/flowstate: $ld"

# ---- 4: the unit -------------------------------------------------------------------------
unit=/lib/systemd/system/flowstate@.service
if out=$(systemd-analyze verify "$unit" 2>&1) && [ -z "$out" ]; then
    ok "systemd-analyze verify $unit: clean"
else
    bad "systemd-analyze verify: $out"
fi
sec=$(systemd-analyze security --offline=true --threshold=15 "$unit" 2>&1) && src_rc=0 || src_rc=$?
level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$sec")
[ "$src_rc" -eq 0 ] && ok "systemd-analyze security --offline=true --threshold=15: exposure $level" ||
    bad "systemd-analyze security: exposure ${level:-?} above 1.5 (rc $src_rc)"

# ---- 5: logrotate -------------------------------------------------------------------------
lr=/etc/logrotate.d/flowstate
if logrotate -d "$lr" >"$work/lr-d.txt" 2>&1 && ! grep -qi '^error' "$work/lr-d.txt" &&
    grep -q 'rotating pattern: /var/log/flowstate/\*.json' "$work/lr-d.txt"; then
    ok "logrotate -d $lr: /var/log/flowstate/*.json, no error"
else
    bad "logrotate -d: $(grep -i error "$work/lr-d.txt" | head -3)"
fi
log=/var/log/flowstate/fs-deb-test.json
echo '{"event_type":"stats"}' >"$log"
chown flowstate:flowstate "$log"
if logrotate -f -s "$work/lr.state" "$lr" >"$work/lr.txt" 2>&1; then
    ok "logrotate -f (own state file): rotated"
else
    bad "logrotate -f: $(head -5 "$work/lr.txt")"
fi
[ "$(cat "$log.1" 2>/dev/null)" = '{"event_type":"stats"}' ] && ok "logrotate: the old records kept in $(basename "$log").1" ||
    bad "logrotate: no $log.1 with the old records"
nf=$(stat -c '%U:%G %a %s' "$log" 2>/dev/null || echo missing)
[ "$nf" = "flowstate:flowstate 640 0" ] && ok "logrotate create: new $(basename "$log") $nf" ||
    bad "logrotate create: $nf, want flowstate:flowstate 640 0"
rm -f "$log" "$log".*

# ---- 6: the service under systemd, in a container ------------------------------------------
mkdir -p "$work/units" "$work/out" "$work/etc"
cat >"$work/units/fs-check.service" <<'EOF'
[Unit]
Description=flowstate package check
After=basic.target
[Service]
Type=oneshot
StandardOutput=file:/fsout/check.log
StandardError=inherit
ExecStart=/usr/bin/timeout 120 /bin/bash /fsout/check.sh
ExecStopPost=/bin/systemctl poweroff --no-block
EOF
cat >"$work/units/fs-check.target" <<'EOF'
[Unit]
Description=flowstate package check
Requires=basic.target fs-check.service
After=basic.target fs-check.service
EOF
# The unit reads it (EnvironmentFile=): -l and short timeouts, so records come
# at once; -v, so the journal says when the filter is on (the last step before
# the first packet: systemd's own filter and no_new_privs are there from exec).
echo 'FLOWSTATE_OPTIONS="-v -l --msl 0.1 --timeout closed=1"' >"$work/etc/default-flowstate"
cat >"$work/out/check.sh" <<'EOF'
# Runs as root inside the container; writes facts for the test to check.
f=/fsout/facts
fact() { echo "$1=$2" >>"$f"; }
svc=flowstate@lo.service
lj=/var/log/flowstate/lo.json
connect() {
    python3 - "$1" <<'PY'
import socket, sys
p = int(sys.argv[1])
l = socket.socket(); l.bind(("127.0.0.1", p)); l.listen(1)
c = socket.create_connection(("127.0.0.1", p)); s, _ = l.accept()
c.sendall(b"deb"); s.recv(100); c.close(); s.close(); l.close()
PY
}
has_flow() { jq -s "[.[] | select(.event_type==\"flow\" and .dest_port==$2)] | length" "$1" 2>/dev/null; }
wait_flow() {
    for _ in $(seq 200); do [ "$(has_flow "$1" "$2")" = 1 ] && return 0; sleep 0.05; done
    return 1
}
ip link set lo up
fact user "$(getent passwd flowstate | cut -d: -f1,6,7)"
fact logdir "$(stat -c '%U:%G %a' /var/log/flowstate)"
systemctl start "$svc"; fact start $?
pid=0
for _ in $(seq 200); do
    pid=$(systemctl show -p MainPID --value "$svc")
    [ "$pid" != 0 ] && journalctl -u "$svc" -o cat --no-pager 2>/dev/null |
        grep -q '^flowstate: seccomp filter on' && break
    sleep 0.05
done
fact active "$(systemctl is-active "$svc")"
fact dropped "$(journalctl -u "$svc" -o cat --no-pager | grep -c '^flowstate: capabilities dropped')"
for k in Uid CapInh CapPrm CapEff CapAmb CapBnd NoNewPrivs Seccomp; do
    fact "$k" "$(sed -n "s/^$k:[[:space:]]*//p" "/proc/$pid/status" | tr -s '\t ' ' ')"
done
fact uid "$(id -u flowstate)"
connect 9601
wait_flow "$lj" 9601; fact flow1 $?
logrotate -f -s /tmp/lr.state /etc/logrotate.d/flowstate; fact logrotate $?
for _ in $(seq 100); do [ -e "$lj" ] && break; sleep 0.05; done
connect 9602
wait_flow "$lj" 9602; fact flow2_new $?
fact flow1_in_old "$(has_flow "$lj.1" 9601)"
fact samepid "$([ "$(systemctl show -p MainPID --value "$svc")" = "$pid" ] && echo yes || echo no)"
fact newfile "$(stat -c '%U:%G %a' "$lj")"
systemctl stop "$svc"
fact result "$(systemctl show -p Result --value "$svc")"
fact exit "$(systemctl show -p ExecMainStatus --value "$svc")"
fact last "$(jq -s -r '.[-1].event_type' "$lj")"
journalctl -u "$svc" --no-pager >/fsout/journal.txt 2>&1
systemd-analyze security "$svc" >/fsout/security.txt 2>&1
fact done 1
EOF
if timeout 240 systemd-nspawn --directory=/ --volatile=yes --register=no --keep-unit --private-network \
    --console=pipe --bind-ro="$work/units:/etc/systemd/system" \
    --bind-ro="$work/etc/default-flowstate:/etc/default/flowstate" \
    --bind-ro=/etc/logrotate.d/flowstate:/etc/logrotate.d/flowstate \
    --bind="$work/out:/fsout" -b -- systemd.unit=fs-check.target >"$work/boot.log" 2>&1 </dev/null &&
    [ -e "$work/out/facts" ]; then
    ok "systemd-nspawn: booted, ran the check, powered off ($(secs))"
else
    bad "systemd-nspawn: $(tail -5 "$work/boot.log")"
fi
fact() { sed -n "s/^$1=//p" "$work/out/facts" 2>/dev/null | tail -1; }
want() { # LABEL KEY VALUE
    local v
    v=$(fact "$2")
    [ "$v" = "$3" ] && ok "service: $1 ($2=$v)" || bad "service: $1: $2='$v', want '$3'"
}
want "sysusers made the account" user "flowstate:/nonexistent:/usr/sbin/nologin"
want "tmpfiles made the log directory" logdir "flowstate:flowstate 750"
want "systemctl start" start 0
want "running" active active
want "flowstate says it dropped its capabilities (-v)" dropped 1
u=$(fact uid)
want "runs as flowstate" Uid "$u $u $u $u"
for k in CapInh CapPrm CapEff CapAmb; do want "no capability left once capturing" "$k" 0000000000000000; done
want "bounding set: the unit's CAP_NET_RAW CAP_NET_ADMIN" CapBnd 0000000000003000
want "no_new_privs" NoNewPrivs 1
want "seccomp filter" Seccomp 2
want "a connection on lo recorded" flow1 0
want "logrotate -f ran its postrotate" logrotate 0
want "the rotated file holds the first record" flow1_in_old 1
want "after SIGHUP the next record goes to the new file" flow2_new 0
want "reopened, not restarted" samepid yes
want "new file from logrotate's create" newfile "flowstate:flowstate 640"
want "systemctl stop: result" result success
want "systemctl stop: exit status" exit 0
want "stats record last" last stats
lvl=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$work/out/security.txt" 2>/dev/null)
[ -n "$lvl" ] && ok "service: systemd-analyze security on the running unit: $lvl" ||
    bad "service: no security report"
if [ "$fail" -gt 0 ]; then
    echo "---- container check log"; tail -30 "$work/out/check.log" 2>/dev/null || true
    echo "---- journal"; tail -20 "$work/out/journal.txt" 2>/dev/null || true
fi

# ---- 7: purge ------------------------------------------------------------------------------
if dpkg --purge flowstate >"$work/purge.log" 2>&1; then
    installed=0
    ok "dpkg --purge flowstate"
else
    bad "dpkg --purge: $(tail -3 "$work/purge.log")"
fi
for p in /usr/bin/flowstate "$unit" "$lr" /var/log/flowstate /usr/lib/sysusers.d/flowstate.conf; do
    [ ! -e "$p" ] && ok "purged: $p" || bad "still there after purge: $p"
done
echo "package $debver: $(secs) in all"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
