#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# pcapfile-agreement.sh - the buffered pcap reader (src/capture/pcapfile.c)
# against libpcap: every capture of $SHARED/corpus/tcpdump-tests (830 hostile
# files), $SHARED/corpus/public (recursively) and captures/ is run through
# `flowstate -T eve -r FILE` twice, with the fast path and with
# FLOWSTATE_FORCE_LIBPCAP=1, and stdout, stderr and the exit status must be
# identical. captures/ also gets a -w run per file (the saved files must be
# identical byte for byte) and one run that merges all of its pcap files.
# Prints the differing files; ends with "N passed, M failed".
# --captures: captures/ only (make check runs that through
# tests/golden/pcapfile-captures.sh; the whole run is in make check-system).
# Env: FLOWSTATE, SRCDIR, SHARED (set by make). Without --captures it needs the
# shared corpora (tests/lib/require.sh: SKIP, FAIL under FLOWSTATE_REQUIRE_ALL=1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
only_captures=0
[ "${1:-}" = --captures ] && only_captures=1
TZ=UTC
export TZ

passed=0
failed=0
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

if [ ! -x "$FLOWSTATE" ]; then
    fail "flowstate binary not found at $FLOWSTATE"
    echo "$passed passed, $failed failed"
    exit 1
fi
if [ "$only_captures" -eq 0 ]; then
    . "$SRCDIR/tests/lib/require.sh"
    require_shared corpus/tcpdump-tests corpus/public
    shared=$SHARED
else
    shared=
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs flowstate with the given arguments into $tmp/$1.{out,err,rc}.
run() {
    local tag=$1
    shift
    local rc=0
    "$FLOWSTATE" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err" </dev/null || rc=$?
    echo "$rc" >"$tmp/$tag.rc"
}

# Both ways; "$1" names the case in messages. Returns 1 on a difference.
compare() {
    local name=$1
    shift
    run fast "$@"
    FLOWSTATE_FORCE_LIBPCAP=1 run slow "$@"
    local what
    # Interface Statistics Blocks are read by flowstate's pcapng reader only
    # (libpcap skips them): a capture whose blocks report drops differs in
    # those counters and the confidence they give; the records must not.
    if [ "${name##*/}" = pcapng-isb-drops.pcapng ]; then
        local norm='s/,"confidence":"capture_loss"//; s/"(isb_drops|loss_intervals)(_delta)?":[0-9]+/"\1\2":N/g'
        sed -E "$norm" "$tmp/fast.out" >"$tmp/fast.norm" && mv "$tmp/fast.norm" "$tmp/fast.out"
        sed -E "$norm" "$tmp/slow.out" >"$tmp/slow.norm" && mv "$tmp/slow.norm" "$tmp/slow.out"
    fi
    for what in rc out err; do
        if ! cmp -s "$tmp/fast.$what" "$tmp/slow.$what"; then
            fail "$name: $what differs with FLOWSTATE_FORCE_LIBPCAP=1"
            diff "$tmp/slow.$what" "$tmp/fast.$what" | head -n 10 | sed 's/^/    /'
            return 1
        fi
    done
    passed=$((passed + 1))
    return 0
}

files=()
if [ "$only_captures" -eq 0 ]; then
    for f in "$shared/corpus/tcpdump-tests"/*; do
        [ -f "$f" ] && files+=("$f")
    done
    while IFS= read -r -d '' f; do
        files+=("$f")
    done < <(find "$shared/corpus/public" -type f \( -name '*.pcap' -o -name '*.pcapng' \
        -o -name '*.cap' \) -print0 | sort -z)
fi
mine=()
for f in "$SRCDIR"/captures/*.pcap "$SRCDIR"/captures/*.pcapng; do
    [ -f "$f" ] && mine+=("$f")
done
files+=("${mine[@]}")
echo "pcapfile agreement: ${#files[@]} capture files"
if [ "$only_captures" -eq 1 ]; then
    [ ${#files[@]} -gt 40 ] || fail "only ${#files[@]} capture files found in captures/"
else
    [ ${#files[@]} -gt 850 ] || fail "only ${#files[@]} capture files found"
fi

start=$(date +%s.%N)
for f in "${files[@]}"; do
    name=${f#"$SRCDIR/"}
    [ -z "$shared" ] || name=${name#"$shared/"}
    compare "$name" -T eve -r "$f" || true
done

# -w writes what capture_next() hands out; the saved bytes must not differ.
for f in "${mine[@]}"; do
    rm -f "$tmp/fast.pcap" "$tmp/slow.pcap"
    run fast --flows-only -T eve -r "$f" -w "$tmp/fast.pcap"
    FLOWSTATE_FORCE_LIBPCAP=1 run slow --flows-only -T eve -r "$f" -w "$tmp/slow.pcap"
    if cmp -s "$tmp/fast.rc" "$tmp/slow.rc" && cmp -s "$tmp/fast.err" "$tmp/slow.err" &&
        { [ ! -e "$tmp/fast.pcap" ] && [ ! -e "$tmp/slow.pcap" ] ||
            cmp -s "$tmp/fast.pcap" "$tmp/slow.pcap"; }; then
        passed=$((passed + 1))
    else
        fail "-w ${f#"$SRCDIR/"}: saved file, stderr or exit status differs"
    fi
done

# Several files merged into one stream (the pcapng ones have other link types).
merge=()
for f in "${mine[@]}"; do
    case $f in *.pcap) merge+=(-r "$f") ;; esac
done
compare "merge of captures/*.pcap" --flows-only -T eve "${merge[@]}" || true
end=$(date +%s.%N)

echo "runs: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
