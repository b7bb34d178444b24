#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-public.sh - flowstate against the public third-party corpus
# ($SRCDIR/../shared/corpus/public, see its README.md and MANIFEST.tsv).
#
# For every capture in MANIFEST.tsv, `flowstate -T eve -r FILE` must:
#   - exit 0 (1 is accepted only when capinfos also says the file is cut short);
#   - leave no sanitizer report on stderr;
#   - end with the final stats record, with stats.decoder.pkts + flowstate.decoder.filtered
#     (records read) == `capinfos -c -M` count and
#     decoder.pkts == sum(stats.flowstate.decoder.outcome.*);
#   - write as many "flow" records as tshark has tcp.stream values (data rows of
#     FILE.tshark-analysis.tsv), unless tests/corpus/public-exceptions.tsv lists
#     the file with our exact count and the reason the two differ (that file may
#     also pin an exact packet count and exit status, for files libpcap refuses).
# Prints one table row per file and the totals; ends with "N passed, M failed".
# Env: FLOWSTATE, SRCDIR, SHARED (set by `make check-system`). Needs the shared
# corpus, capinfos and jq (tests/lib/require.sh: SKIP without them, FAIL under
# FLOWSTATE_REQUIRE_ALL=1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
TZ=UTC
export TZ
. "$SRCDIR/tests/lib/require.sh"
require_shared corpus/public/MANIFEST.tsv
require_tool capinfos:wireshark-common jq
corpus=$SHARED/corpus/public
exceptions=$SRCDIR/tests/corpus/public-exceptions.tsv

if [ ! -x "$FLOWSTATE" ]; then
    echo "FAIL: flowstate binary not found at $FLOWSTATE" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# exception FILE -> "flows pkts exit" of its exceptions line, or nothing
exception() {
    [ -f "$exceptions" ] || return 0
    awk -F '\t' -v f="$1" '$1 == f { print $2, $3, $4; exit }' "$exceptions"
}

passed=0
failed=0
tot_pkts=0
tot_flows=0
tot_streams=0
n_exc=0
fmt='%-58s %7s %7s %6s %6s  %s\n'
# shellcheck disable=SC2059 # the format is a constant
printf "$fmt" file capinfos pkts tshark flows result
while IFS=$'\t' read -r file _; do
    [ "$file" = file ] && continue
    f=$corpus/$file
    problems=()

    caprc=0
    capinfos -c -M "$f" >"$tmp/cap" 2>"$tmp/caperr" || caprc=$?
    cap_pkts=$(sed -n 's/^Number of packets: *//p' "$tmp/cap" | tr -d ' ')
    cut_short=0
    if [ "$caprc" -ne 0 ] || grep -qi 'cut short' "$tmp/caperr"; then
        cut_short=1
    fi

    streams=$(grep -v '^#' "$f.tshark-analysis.tsv" | tail -n +2 | grep -c . || true)

    want_flows=
    want_pkts=-
    want_exit=-
    read -r want_flows want_pkts want_exit <<<"$(exception "$file")" || true
    want_pkts=${want_pkts:--}
    want_exit=${want_exit:--}

    rc=0
    "$FLOWSTATE" -T eve -r "$f" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
    if [ "$want_exit" != - ]; then
        [ "$rc" = "$want_exit" ] || problems+=("exit $rc != listed exception $want_exit")
    elif [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 1 ] && [ "$cut_short" -eq 1 ]; }; then
        problems+=("exit $rc")
    fi
    if grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' "$tmp/err"; then
        problems+=("sanitizer report")
    fi

    pkts=-
    flows=$(jq -c 'select(.event_type == "flow")' "$tmp/out" 2>/dev/null | grep -c . || true)
    # the run's final stats record is its last line (periodic ones may precede it)
    if ! tail -n 1 "$tmp/out" | jq -e -c 'select(.event_type == "stats")' >"$tmp/stats" 2>/dev/null
    then
        problems+=("the last record is not the stats record")
    else
        read -r pkts acct <<<"$(jq -r '.stats as $s | $s.flowstate.decoder as $d |
            "\($s.decoder.pkts + $d.filtered) \($d.filtered + ([$d.outcome | to_entries[] |
            select(.key | endswith("_delta") | not) | .value] | add))"' "$tmp/stats")"
        [ "$pkts" = "$acct" ] || problems+=("pkts $pkts != filtered+outcomes $acct")
        if [ "$want_pkts" != - ]; then
            [ "$pkts" = "$want_pkts" ] || problems+=("pkts $pkts != listed exception $want_pkts")
        else
            [ "$pkts" = "$cap_pkts" ] || problems+=("pkts $pkts != capinfos $cap_pkts")
        fi
    fi

    note=
    if [ -n "$want_flows" ]; then
        n_exc=$((n_exc + 1))
        note=" (listed exception: $want_flows flows)"
        [ "$flows" = "$want_flows" ] || problems+=("flows $flows != listed exception $want_flows")
    else
        [ "$flows" = "$streams" ] || problems+=("flows $flows != tshark streams $streams")
    fi

    if [ ${#problems[@]} -eq 0 ]; then
        result="ok$note"
        passed=$((passed + 1))
    else
        result="FAIL: $(printf '%s; ' "${problems[@]}")"
        failed=$((failed + 1))
        [ -s "$tmp/err" ] && result="$result stderr: $(head -c 200 "$tmp/err" | tr '\n' ' ')"
    fi
    # shellcheck disable=SC2059
    printf "$fmt" "$file" "${cap_pkts:--}" "$pkts" "$streams" "$flows" "$result"
    [[ $pkts =~ ^[0-9]+$ ]] && tot_pkts=$((tot_pkts + pkts))
    tot_flows=$((tot_flows + flows))
    tot_streams=$((tot_streams + streams))
done <"$corpus/MANIFEST.tsv"

# Every exception must name a file that is in the manifest.
if [ -f "$exceptions" ]; then
    while IFS=$'\t' read -r file _; do
        case $file in '' | '#'*) continue ;; esac
        if ! cut -f1 "$corpus/MANIFEST.tsv" | grep -qxF "$file"; then
            echo "FAIL: exception for unknown file $file"
            failed=$((failed + 1))
        fi
    done <"$exceptions"
fi

echo
echo "totals: $((passed + failed)) files, $tot_pkts packets decoded," \
    "$tot_flows flow records vs $tot_streams tshark streams, $n_exc listed exceptions"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
