#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# -T zeek output must be what zeek-cut and Zeek's ASCII reader expect (no
# zeek-cut in Debian 12, so the structure is checked directly): the header
# lines in order, #fields and #types of equal length, every row with exactly
# that many tab-separated fields, no empty field (Zeek writes "-" or
# "(empty)"), #close last. Runs over every Zeek golden file and over -T zeek
# on every capture in captures/; with --public (make check-system, through
# tests/corpus/zeek-tsv-public.sh) over every public corpus capture instead,
# which needs the shared corpus (tests/lib/require.sh).
# Prints "N passed, M failed". Cost: ~2 s; --public ~5 s.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
public=0
[ "${1:-}" = --public ] && public=1
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
tmp=$(mktemp "${TMPDIR:-/tmp}/fs-zeek.XXXXXX")
trap 'rm -f "$tmp"' EXIT
if [ "$public" -eq 1 ]; then
    . "$SRCDIR/tests/lib/require.sh"
    require_shared corpus/public/MANIFEST.tsv
    corpus=$SHARED/corpus/public
    while IFS=$'\t' read -r file _; do
        [ "$file" = file ] && continue
        "$FLOWSTATE" -T zeek -r "$corpus/$file" >"$tmp" 2>/dev/null || true
        check "$file" "$tmp"
    done <"$corpus/MANIFEST.tsv"
else
    for f in "$SRCDIR"/tests/golden/expected/*.zeek.tsv; do
        check "${f##*/}" "$f"
    done
    for f in "$SRCDIR"/captures/*.pcap "$SRCDIR"/captures/*.pcapng; do
        "$FLOWSTATE" -T zeek -r "$f" >"$tmp" 2>/dev/null || true
        check "captures/${f##*/}" "$tmp"
    done
fi
[ "$pass" -gt 0 ] || { echo "FAIL: nothing checked"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
