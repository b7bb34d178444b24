#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-golden.sh - capture -> expected output tests (tcpdump tests/TESTLIST style).
#
# Each TESTLIST line is:   name  capture  expected  options...
# The test runs, in $SRCDIR/captures,  "$FLOWSTATE" -r <capture> <options>  with TZ=UTC
# and compares standard output byte for byte with tests/golden/expected/<expected>.
# The exit status must be 0 or 1 (1: the capture ends with a read error) and
# standard error must carry no sanitizer report. An option list that starts
# with @tty=COLUMNS runs flowstate with its standard output on a terminal of
# that width (through $PTYRUN), as an operator at a terminal sees it.
#
# Usage:  run-golden.sh [NAME...]            run all tests, or only the named ones
#         run-golden.sh --update NAME|--all  rewrite expected files (update-golden.sh)
# Env:    FLOWSTATE (default $SRCDIR/flowstate), SRCDIR (default: two levels up),
#         PTYRUN (default: ptyrun beside FLOWSTATE's tests/golden).
# Ends with "N passed, M failed"; exits 1 if M > 0.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
PTYRUN=${PTYRUN:-$(dirname "$FLOWSTATE")/tests/golden/ptyrun}
TZ=UTC
export TZ
testlist=$SRCDIR/tests/golden/TESTLIST
expdir=$SRCDIR/tests/golden/expected

update=0
want=()
if [ "${1:-}" = --update ]; then
    update=1
    shift
    if [ $# -eq 0 ]; then
        echo "usage: $0 --update NAME...|--all" >&2
        exit 2
    fi
    [ "$1" = --all ] || want=("$@")
else
    want=("$@")
fi

if [ ! -x "$FLOWSTATE" ]; then
    echo "FAIL: flowstate binary not found at $FLOWSTATE" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

selected() {
    local n
    [ ${#want[@]} -eq 0 ] && return 0
    for n in "${want[@]}"; do
        [ "$n" = "$1" ] && return 0
    done
    return 1
}

passed=0
failed=0
seen=0
while read -r name capture expected rest; do
    case $name in '' | '#'*) continue ;; esac
    selected "$name" || continue
    seen=$((seen + 1))
    opts=()
    [ -n "${rest:-}" ] && read -r -a opts <<<"$rest"
    cap=$SRCDIR/captures/$capture
    if [ ! -f "$cap" ]; then
        echo "FAIL $name: capture $capture missing"
        failed=$((failed + 1))
        continue
    fi
    run=("$FLOWSTATE")
    case ${opts[0]:-} in
    @tty=*)
        if [ ! -x "$PTYRUN" ]; then
            echo "FAIL $name: $PTYRUN missing (make check builds it)"
            failed=$((failed + 1))
            continue
        fi
        run=("$PTYRUN" "${opts[0]#@tty=}" -- "$FLOWSTATE")
        opts=("${opts[@]:1}")
        ;;
    esac
    rc=0
    # From captures/, so file names in the options (a second -r) are relative to it.
    (cd "$SRCDIR/captures" && "${run[@]}" -r "$capture" "${opts[@]}") \
        >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "FAIL $name: exit status $rc"
        sed 's/^/    /' "$tmp/err"
        failed=$((failed + 1))
        continue
    fi
    if grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' "$tmp/err"; then
        echo "FAIL $name: sanitizer report"
        sed 's/^/    /' "$tmp/err"
        failed=$((failed + 1))
        continue
    fi
    if [ "$update" -eq 1 ]; then
        mkdir -p "$expdir"
        cp "$tmp/out" "$expdir/$expected"
        echo "updated $name -> expected/$expected ($(wc -l <"$tmp/out") lines, exit $rc)"
        passed=$((passed + 1))
        continue
    fi
    if [ ! -f "$expdir/$expected" ]; then
        echo "FAIL $name: expected/$expected missing (run update-golden.sh $name)"
        failed=$((failed + 1))
    elif diff -u "$expdir/$expected" "$tmp/out" >"$tmp/diff"; then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: output differs from expected/$expected"
        head -n 40 "$tmp/diff" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done <"$testlist"

if [ ${#want[@]} -gt 0 ] && [ "$seen" -ne ${#want[@]} ]; then
    echo "FAIL: some requested names are not in TESTLIST: ${want[*]}"
    failed=$((failed + 1))
fi
if [ "$seen" -eq 0 ]; then
    echo "FAIL: no tests selected from $testlist"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
