#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run-mutants.sh - do the differential and table tests still catch bugs? Plants
# each mutant of a list (one small source edit, a bug of the kind the test is
# meant to catch), rebuilds the test program named for it, runs it, and expects
# it to FAIL. A mutant whose test still passes is reported MISSED. The source
# file is restored after each mutant (and on exit, whatever happens).
#
# Usage: tests/mutation/run-mutants.sh BUILD-DIR [MUTANTS-FILE] [NAME...]
#   BUILD-DIR     a configured build of this source tree (e.g. build/)
#   MUTANTS-FILE  default tests/mutation/mutants.sh beside this script
#   NAME...       run only these mutants
# Exit status: 0 every mutant caught (equivalent ones aside); 1 some missed or stale (its text is no
# longer in the source: the list needs updating); 2 usage or build error.
#
# The list is bash: one `mutant NAME FILE TEST FROM TO [CASE]` per bug, where
# FILE is relative to the source tree, TEST a make target of BUILD-DIR (a Check
# program, e.g. tests/unit/check_tcp_state), FROM an exact text that occurs
# once in FILE, replaced by TO, and CASE (optional) the Check test function
# that must be among the failures (an extended regex, e.g. the differential
# test a fast-path bug is planted for); without CASE any failure counts. Not part of `make check`: each mutant is a
# rebuild (about 10-30 s here). It edits the source tree in place: do not build
# the same tree elsewhere while it runs.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { sed -n '4,21p' "$0" >&2; exit 2; }
build=$(cd "$1" && pwd) || exit 2
shift
list=$here/mutants.sh
if [ $# -gt 0 ] && [ -f "$1" ]; then
    list=$1
    shift
fi
only=("$@")

backup=
restore() {
    if [ -n "$backup" ]; then
        cp -p "$backup.orig" "$backup"
        rm -f "$backup.orig"
        touch "$backup" # newer than the objects built from the mutant: make rebuilds them
        backup=
    fi
}
trap restore EXIT
trap 'exit 130' INT TERM

caught=0 missed=0 stale=0 equiv=0
results=()
kind=mutant

# equivalent NAME FILE TEST FROM TO [CASE]: a planted change that no test can
# catch because it changes no observable result (the list says why); it is
# run all the same, and a miss is expected, not a failure.
equivalent() {
    kind=equivalent
    mutant "$@"
    kind=mutant
}

mutant() {
    local name=$1 file=$2 test=$3 from=$4 to=$5 case=${6:-} n rc failed
    if [ ${#only[@]} -gt 0 ] && ! printf '%s\n' "${only[@]}" | grep -qx -- "$name"; then
        return
    fi
    n=$(FROM=$from python3 -c 'import os,sys; print(sys.stdin.read().count(os.environ["FROM"]))' \
        <"$top/$file")
    if [ "$n" != 1 ]; then
        results+=("STALE   $name ($file: the text occurs $n times)")
        stale=$((stale + 1))
        return
    fi
    cp -p "$top/$file" "$top/$file.orig"
    backup=$top/$file
    FROM=$from TO=$to python3 -c '
import os, sys
p = sys.argv[1]
s = open(p).read()
open(p, "w").write(s.replace(os.environ["FROM"], os.environ["TO"], 1))' "$top/$file"
    if ! make -s -C "$build" "$test" >"$build/mutant.log" 2>&1; then
        results+=("caught  $name (does not build)")
        caught=$((caught + 1))
        restore
        return
    fi
    (cd "$build" && CK_VERBOSITY=normal timeout 600 "./$test" >"$build/mutant.log" 2>&1)
    rc=$?
    restore
    failed=$(grep -o ':[FE]:[^:]*:[^:]*' "$build/mutant.log" | cut -d: -f4 | sort -u | tr '\n' ' ')
    if [ "$kind" = equivalent ] && { [ "$rc" -eq 0 ] ||
        { [ -n "$case" ] && ! tr ' ' '\n' <<<"$failed" | grep -qxE -- "$case"; }; }; then
        results+=("equiv   $name (not caught, as expected)")
        equiv=$((equiv + 1))
    elif [ -n "$case" ] && ! tr ' ' '\n' <<<"$failed" | grep -qxE -- "$case"; then
        results+=("MISSED  $name ($case passed; failed: ${failed:-none})")
        missed=$((missed + 1))
    elif [ "$rc" -ne 0 ]; then
        results+=("caught  $name (${case:-$test}; failed: ${failed:-exit $rc})")
        caught=$((caught + 1))
    else
        results+=("MISSED  $name ($test passed)")
        missed=$((missed + 1))
    fi
}

# shellcheck source=/dev/null
. "$list"
restore
# Rebuild what the mutants touched, from the restored sources.
make -s -C "$build" >/dev/null 2>&1 || true
printf '%s\n' "${results[@]}"
echo "run-mutants: $caught caught, $missed missed, $stale stale, $equiv equivalent"
[ "$missed" -eq 0 ] && [ "$stale" -eq 0 ]
