#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# -T zeek output must be what zeek-cut and Zeek's ASCII reader expect (no
# zeek-cut in Debian 12, so the structure is checked directly): the header
# lines in order, #fields and #types of equal length, every row with exactly
# that many tab-separated fields, no empty field (Zeek writes "-" or
# "(empty)"), #close last. Runs over every Zeek golden file and over -T zeek
# on every public corpus capture. Prints "N passed, M failed".
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
corpus=${SHARED:-$SRCDIR/../shared}/corpus/public
pass=0 fail=0
check() { # check NAME FILE
    if awk -F'\t' '
        function bad(rule) { failed = rule; exit rule }
        NR == 1 { if ($0 != "#separator \\x09") bad(1); next }
        NR == 2 { if ($0 != "#set_separator\t,") bad(2); next }
        NR == 3 { if ($0 != "#empty_field\t(empty)") bad(3); next }
        NR == 4 { if ($0 != "#unset_field\t-") bad(4); next }
        NR == 5 { if ($0 != "#path\tconn") bad(5); next }
        NR == 6 { if ($1 != "#open") bad(6); next }
        NR == 7 { if ($1 != "#fields") bad(7); nf = NF; next }
        NR == 8 { if ($1 != "#types" || NF != nf) bad(8); next }
        /^#close\t/ { closed = 1; next }
        /^#/ { bad(9) }
        { if (closed || NF != nf - 1) bad(10)
          for (i = 1; i <= NF; i++) if ($i == "") bad(11) }
        END { if (failed) exit failed; if (!closed) exit 12 }' "$2"; then
        pass=$((pass + 1))
    else
        echo "FAIL: $1 (rule $?)"
        fail=$((fail + 1))
    fi
}
for f in "$SRCDIR"/tests/golden/expected/*.zeek.tsv; do
    check "${f##*/}" "$f"
done
[ -f "$corpus/MANIFEST.tsv" ] || { echo "FAIL: corpus missing at $corpus"; fail=$((fail + 1)); }
tmp=$(mktemp "${TMPDIR:-/tmp}/fs-zeek.XXXXXX")
trap 'rm -f "$tmp"' EXIT
while IFS=$'\t' read -r file _; do
    [ "$file" = file ] && continue
    "$FLOWSTATE" -T zeek -r "$corpus/$file" >"$tmp" 2>/dev/null || true
    check "$file" "$tmp"
done <"$corpus/MANIFEST.tsv"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
