#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The man page, --help and the README must describe the same options as the
# code: every long option in src/cli.c's table and every short option letter
# of its getopt string appears in all three, and the man page is clean under
# mandoc -T lint (warnings and above). Cost: < 1 s.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
man="$SRCDIR/man/flowstate.8"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# mandoc is optional under make check (a release tarball's user may not have
# it), required under FLOWSTATE_REQUIRE_ALL=1 (tests/lib/require.sh).
. "$SRCDIR/tests/lib/require.sh"
if want_tool mandoc; then
    if mandoc -T lint -W warning "$man"; then ok; else bad "mandoc -T lint"; fi
fi

help=$("$FLOWSTATE" --help)
mapfile -t longs < <(sed -n '/long_opts\[\] = {/,/^};/p' "$SRCDIR/src/cli.c" |
                     grep -o '{"[a-z-]*"' | tr -d '{"')
[ "${#longs[@]}" -gt 10 ] && ok || bad "could not read the option table"
for o in "${longs[@]}"; do
    if grep -q -- "--$o" <<<"$help"; then ok; else bad "--$o missing from --help"; fi
    if grep -q -- "Fl -$o" "$man"; then ok; else bad "--$o missing from the man page"; fi
    if grep -q -- "--$o" "$SRCDIR/README"; then ok; else bad "--$o missing from README"; fi
done

# short options: the getopt string of cli_parse(), letters only
shorts=$(grep -o 'getopt_long(argc, argv, "[^"]*"' "$SRCDIR/src/cli.c" | sed 's/.*"\(.*\)"/\1/' |
         tr -d '+:')
[ "${#shorts}" -gt 10 ] && ok || bad "could not read the getopt string"
for ((i = 0; i < ${#shorts}; i++)); do
    c=${shorts:i:1}
    if grep -Eq -- "^  -$c[ ,]" <<<"$help"; then ok; else bad "-$c missing from --help"; fi
    if grep -Eq -- "^\.It Fl $c( |$)" "$man"; then ok; else bad "-$c missing from the man page"; fi
    if grep -Eq -- "^  -$c[ ,]" "$SRCDIR/README"; then ok; else bad "-$c missing from README"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
