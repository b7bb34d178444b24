#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Citations in src/ stay inside the tree: no comment points to ../shared or
# shared/ref (what the code takes from Zeek, Wireshark, Suricata and libpcap
# is in doc/references.md); every *.md file src/ cites exists in the tree
# (STYLE.md, the team's style guide kept beside it, excepted); and every
# "doc/references.md section N" or "doc/references.md N.M" names a heading
# that file has. Cost: < 1 s.
set -euo pipefail
: "${SRCDIR:?}"
src="$SRCDIR/src"
refs="$SRCDIR/doc/references.md"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

if out=$(grep -rn -E '\.\./shared|shared/ref' "$src"); then
    bad "src/ cites the shared tree:"
    sed "s|^$SRCDIR/|    |" <<<"$out"
else
    ok
fi

# file names ending in .md, as cited (doc/schema.md, references.md, STYLE.md)
while IFS=: read -r file line cited; do
    case $cited in
    STYLE.md) ok; continue ;;
    esac
    if [ -f "$SRCDIR/$cited" ] || [ -f "$SRCDIR/doc/$cited" ]; then ok; else
        bad "${file#"$SRCDIR/"}:$line cites $cited, which is not in the tree"
    fi
done < <(grep -rn -o -E '[A-Za-z0-9_./-]+\.md\b' "$src" || true)

[ -f "$refs" ] && ok || bad "doc/references.md missing"
while IFS=: read -r file line cited; do
    sec=$(sed -E 's/.*references\.md (section )?//' <<<"$cited")
    if grep -q -E "^#+ ${sec//./\\.}[. ]" "$refs"; then ok; else
        bad "${file#"$SRCDIR/"}:$line cites doc/references.md $sec: no such section"
    fi
done < <(grep -rn -o -E 'references\.md (section )?[0-9]+(\.[0-9]+)?' "$src" "$SRCDIR/tests/unit" || true)

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
