#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check-workers.sh - --workers N gives the output of --workers 1, byte for byte.
#  1. Every capture in captures/, in every format (-T text, eve, zeek) with and
#     without --flows-only: stdout, stderr and the exit status of --workers 2
#     and --workers 3 must equal those of --workers 1.
#  2. Every golden test (tests/golden/TESTLIST, its options included) with
#     --workers 2 and --workers 3 must still give its expected file.
# A sanitizer report on stderr fails the run. Part of make check and of
# make check-threads (the ThreadSanitizer build). Cost: ~1 min (werror build),
# ~4 min (TSan), on a loaded 2-core machine.
# Env: FLOWSTATE, SRCDIR (set by make). Ends with "N passed, M failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
PTYRUN=${PTYRUN:-$(dirname "$FLOWSTATE")/tests/golden/ptyrun}
TZ=UTC
export TZ
caps=$SRCDIR/captures
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

[ -x "$FLOWSTATE" ] || { bad "flowstate binary not found at $FLOWSTATE"; echo "$pass passed, $fail failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run TAG ARGS...: flowstate from captures/ into $tmp/TAG.{out,err,rc};
# with $tty set, on a terminal of that many columns (run-golden.sh's @tty=N).
tty=
run() {
    local tag=$1 rc=0
    local -a cmd=("$FLOWSTATE")
    shift
    [ -z "$tty" ] || cmd=("$PTYRUN" "$tty" -- "$FLOWSTATE")
    (cd "$caps" && "${cmd[@]}" "$@") >"$tmp/$tag.out" 2>"$tmp/$tag.err" </dev/null || rc=$?
    echo "$rc" >"$tmp/$tag.rc"
}

sanitizer() { grep -Eq 'runtime error|Sanitizer|ThreadSanitizer' "$tmp/$1.err"; }

n_caps=0
for f in "$caps"/*.pcap "$caps"/*.pcapng; do
    [ -f "$f" ] || continue
    n_caps=$((n_caps + 1))
    name=${f##*/}
    for mode in "-T text" "-T eve" "-T zeek" "--flows-only -T text" "--flows-only -T eve" \
        "--flows-only -T zeek"; do
        read -r -a margs <<<"$mode"
        run w1 --workers 1 -r "$name" "${margs[@]}"
        for n in 2 3; do
            run "w$n" --workers "$n" -r "$name" "${margs[@]}"
            if sanitizer "w$n"; then
                bad "$name $mode --workers $n: sanitizer report"
                sed 's/^/    /' "$tmp/w$n.err" | head -n 40
                continue
            fi
            local_ok=1
            for what in rc out err; do
                if ! cmp -s "$tmp/w1.$what" "$tmp/w$n.$what"; then
                    bad "$name $mode: --workers $n $what differs from --workers 1"
                    diff "$tmp/w1.$what" "$tmp/w$n.$what" | head -n 10 | sed 's/^/    /'
                    local_ok=0
                    break
                fi
            done
            [ "$local_ok" -eq 0 ] || ok
        done
    done
done
[ "$n_caps" -gt 40 ] || bad "only $n_caps captures found in $caps"

n_golden=0
while read -r name capture expected rest; do
    case $name in '' | '#'*) continue ;; esac
    n_golden=$((n_golden + 1))
    opts=()
    [ -n "${rest:-}" ] && read -r -a opts <<<"$rest"
    # flowstate(8), --workers: once a table is full, which connections
    # --max-flows or --memcap evicts may differ (the limit is split evenly
    # over the workers). Those golden tests are for one worker only.
    case " ${rest:-}" in *" --max-flows"* | *" --memcap"*)
        echo "note: golden $name not run with --workers (a full table's evictions may differ)"
        continue ;;
    esac
    tty=
    case ${opts[0]:-} in @tty=*)
        tty=${opts[0]#@tty=}
        opts=("${opts[@]:1}") ;;
    esac
    for n in 2 3; do
        # before the options: a trailing BPF expression would take it in
        run g --workers "$n" -r "$capture" "${opts[@]}"
        if [ "$(cat "$tmp/g.rc")" -gt 1 ] || sanitizer g; then
            bad "golden $name --workers $n: exit $(cat "$tmp/g.rc")"
            sed 's/^/    /' "$tmp/g.err" | head -n 20
        elif cmp -s "$SRCDIR/tests/golden/expected/$expected" "$tmp/g.out"; then
            ok
        else
            bad "golden $name --workers $n: output differs from expected/$expected"
            diff "$SRCDIR/tests/golden/expected/$expected" "$tmp/g.out" | head -n 10 | sed 's/^/    /'
        fi
    done
done <"$SRCDIR/tests/golden/TESTLIST"
tty=
[ "$n_golden" -gt 40 ] || bad "only $n_golden golden tests read"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
