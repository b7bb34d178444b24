#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# zeek-agreement.sh - flowstate's Zeek conn.log emulation against Zeek's own
# baselines in the public corpus ($SRCDIR/../shared/corpus/public/*/*.zeek-conn.tsv,
# see its README.md). For every capture with a baseline it runs
#   flowstate -T zeek -r FILE
# and compares, per TCP connection (matched on orig_h orig_p resp_h resp_p;
# "NA" in the baseline matches anything), conn_state and history (with its
# content-gap letters G/g), plus orig_bytes/resp_bytes and missed_bytes where
# the baseline has numbers.
# A difference is expected only if tests/corpus/zeek-exceptions.tsv lists it
# (file, 4-tuple, field, Zeek's value, our exact value, reason); a listed
# difference whose value changed, or an unlisted one, fails.
# Prints one row per file, then the totals and "N passed, M failed".
# Exit status: 0 when nothing unexpected, 1 otherwise.
# Env: FLOWSTATE, SRCDIR, SHARED (set by `make check-system`). Needs the shared
# corpus (tests/lib/require.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
TZ=UTC
export TZ
. "$SRCDIR/tests/lib/require.sh"
require_shared corpus/public
corpus=$SHARED/corpus/public
exceptions=$SRCDIR/tests/corpus/zeek-exceptions.tsv
used=$(mktemp "${TMPDIR:-/tmp}/zeek-used.XXXXXX")

if [ ! -x "$FLOWSTATE" ]; then
    echo "FAIL: flowstate binary not found at $FLOWSTATE" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-44s %5s %9s %9s %9s %9s %s\n' file conns state_ok hist_ok bytes_ok missed_ok result
passed=0
failed=0
t_conns=0 t_state=0 t_hist=0 t_bytes=0 t_missed=0 t_expected=0

for tsv in "$corpus"/*/*.zeek-conn.tsv; do
    pcap=${tsv%.zeek-conn.tsv}
    name=${pcap#"$corpus"/}
    [ -f "$pcap" ] || continue
    # expected TCP rows (proto "tcp", or "NA" with a conn_state or history)
    grep -v '^#' "$tsv" | awk -F'\t' '$1 != "ts" && ($6 == "tcp" || ($6 == "NA" && ($7 != "NA" || $8 != "NA")))' \
        >"$tmp/exp" || true
    [ -s "$tmp/exp" ] || continue
    rc=0
    "$FLOWSTATE" -T zeek -r "$pcap" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -gt 1 ]; then
        printf '%-44s %5s %9s %9s %9s %9s %s\n' "$name" - - - - - "FAIL (exit $rc)"
        failed=$((failed + 1))
        continue
    fi
    # ours: orig_h orig_p resp_h resp_p conn_state history orig_bytes resp_bytes missed_bytes
    awk -F'\t' '!/^#/ && $7 == "tcp" { print $3 "\t" $4 "\t" $5 "\t" $6 "\t" $12 "\t" $16 "\t" $10 "\t" $11 "\t" $15 }' \
        "$tmp/out" >"$tmp/ours"
    # one line per compared field: key field zeek ours
    awk -F'\t' -v OFS='\t' '
        FILENAME == ARGV[1] { n++; o[n] = $0; next }
        {
            # baseline row: pick the k-th of our rows with a matching 4-tuple,
            # k = how many earlier baseline rows had the same 4-tuple (splits)
            key = $2 "\t" $3 "\t" $4 "\t" $5
            seen[key]++
            k = 0; hit = ""
            for (i = 1; i <= n; i++) {
                split(o[i], f, "\t")
                if (($2 == "NA" || $2 == f[1]) && ($3 == "NA" || $3 == f[2]) &&
                    ($4 == "NA" || $4 == f[3]) && ($5 == "NA" || $5 == f[4])) {
                    k++
                    if (k == seen[key]) { hit = o[i]; break }
                }
            }
            if (hit == "") { print key, "conn", $7 "/" $8, "missing"; next }
            split(hit, f, "\t")
            print key, "conn", "", "found"
            if ($7 != "NA") print key, "conn_state", $7, f[5]
            if ($8 != "NA") print key, "history", $8, f[6]
            if ($9 != "NA" && $9 != "-" && $10 != "NA" && $10 != "-")
                print key, "bytes", $9 "/" $10, f[7] "/" f[8]
            if ($11 != "NA" && $11 != "-") print key, "missed_bytes", $11, f[9]
        }' "$tmp/ours" "$tmp/exp" >"$tmp/cmp"
    conns=$(awk -F'\t' '$5 == "conn"' "$tmp/cmp" | wc -l)
    st_ok=$(awk -F'\t' '$5 == "conn_state" && $6 == $7' "$tmp/cmp" | wc -l)
    st_all=$(awk -F'\t' '$5 == "conn_state"' "$tmp/cmp" | wc -l)
    hi_ok=$(awk -F'\t' '$5 == "history" && $6 == $7' "$tmp/cmp" | wc -l)
    hi_all=$(awk -F'\t' '$5 == "history"' "$tmp/cmp" | wc -l)
    by_ok=$(awk -F'\t' '$5 == "bytes" && $6 == $7' "$tmp/cmp" | wc -l)
    by_all=$(awk -F'\t' '$5 == "bytes"' "$tmp/cmp" | wc -l)
    mi_ok=$(awk -F'\t' '$5 == "missed_bytes" && $6 == $7' "$tmp/cmp" | wc -l)
    mi_all=$(awk -F'\t' '$5 == "missed_bytes"' "$tmp/cmp" | wc -l)
    # differences, each checked against the exceptions list
    unexpected=0
    expected_diffs=0
    while IFS=$'\t' read -r oh op rh rp field zv ov; do
        line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$name" "$oh" "$op" "$rh" "$rp" "$field" "$zv" "$ov")
        if [ -f "$exceptions" ] && grep -v '^#' "$exceptions" | cut -f1-8 | grep -qxF -- "$line"; then
            expected_diffs=$((expected_diffs + 1))
            printf '%s\n' "$line" >>"$used"
        else
            echo "  UNEXPECTED $line" >&2
            unexpected=$((unexpected + 1))
        fi
    done < <(awk -F'\t' -v OFS='\t' '($5 != "conn" && $6 != $7) || ($5 == "conn" && $7 == "missing")' "$tmp/cmp")
    if [ "$unexpected" -eq 0 ]; then
        result=ok
        [ "$expected_diffs" -gt 0 ] && result="ok ($expected_diffs explained)"
        passed=$((passed + 1))
    else
        result="FAIL ($unexpected unexpected)"
        failed=$((failed + 1))
    fi
    printf '%-44s %5s %9s %9s %9s %9s %s\n' "$name" "$conns" "$st_ok/$st_all" "$hi_ok/$hi_all" \
        "$by_ok/$by_all" "$mi_ok/$mi_all" "$result"
    t_conns=$((t_conns + conns)) t_state=$((t_state + st_ok)) t_hist=$((t_hist + hi_ok))
    t_bytes=$((t_bytes + by_ok)) t_missed=$((t_missed + mi_ok)) t_expected=$((t_expected + expected_diffs))
done

# An exception that no longer matches a difference is stale: it must go, or a
# later regression to the same value would pass unnoticed.
while IFS= read -r line; do
    [ -n "$line" ] || continue
    if ! grep -qxF -- "$line" "$used"; then
        echo "  STALE exception (no such difference now): $line" >&2
        failed=$((failed + 1))
    fi
done < <(grep -v '^#' "$exceptions" | cut -f1-8)
rm -f "$used"

echo "connections: $t_conns; conn_state matches: $t_state; history matches: $t_hist;" \
    "byte matches: $t_bytes; missed_bytes matches: $t_missed; explained differences: $t_expected"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
