#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# output-identity.sh - the refactoring guard: runs flowstate on every capture
# in captures/, the public corpus, tcpdump's test captures and the bench files,
# in every output format and mode, and hashes each run's stdout, stderr and exit
# status. Run `record` before a change and `compare` after it: any run whose
# hash moved is named, with the first lines of its diff when the old output
# was kept (--keep).
#
# Usage:
#   tests/identity/output-identity.sh record  DIR [--keep] [--quick] [-- EXTRA-ARGS...]
#   tests/identity/output-identity.sh compare DIR [--quick] [-- EXTRA-ARGS...]
#     DIR          where the manifest (DIR/manifest) and kept outputs go
#     --keep       also keep every output (DIR/out/...), so compare can show diffs
#     --quick      captures/ and the public corpus only (no tcpdump corpus, no bench)
#     EXTRA-ARGS   appended to every run, e.g. `-- --workers 3` to compare a
#                  multi-worker build's output with a recorded single-worker one
# Env: FLOWSTATE (default ./flowstate at the top of the tree), FLOWSTATE_SHARED
#      (default ../shared beside the tree), BENCH_FILES (space-separated pcaps;
#      default: the bench/out/*.pcap files that exist), JOBS (default nproc).
# Exit status: 0 all identical (compare) / recorded; 1 some run changed; 2 usage.
#
# Each run is `flowstate -r CAPTURE MODE [EXTRA-ARGS]`, TZ=UTC, with MODE one of
#   -T eve | -T zeek | -T text | --flows-only -T eve | --flows-only -T zeek |
#   --flows-only -T text
# stderr has the capture's path replaced by its name, so that recordings made
# in two trees compare.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
FLOWSTATE=${FLOWSTATE:-$top/flowstate}
shared=${FLOWSTATE_SHARED:-$top/../shared}
shared=$(cd "$shared" 2>/dev/null && pwd || echo "$shared")
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

usage() { sed -n '2,30p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2
keep=0 quick=0
extra=()
while [ $# -gt 0 ]; do
    case $1 in
    --keep) keep=1 ;;
    --quick) quick=1 ;;
    --) shift; extra=("$@"); break ;;
    *) usage ;;
    esac
    shift
done
case $cmd in record | compare) ;; *) usage ;; esac
[ -x "$FLOWSTATE" ] || { echo "output-identity: no flowstate at $FLOWSTATE" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# The inputs, one per line.
list=$(mktemp)
trap 'rm -f "$list" "$list.new"' EXIT
{
    find "$top/captures" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort
    [ -d "$shared/corpus/public" ] &&
        find "$shared/corpus/public" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \
            -o -name '*.trace' \) | sort
    if [ "$quick" = 0 ]; then
        [ -d "$shared/corpus/tcpdump-tests" ] &&
            find "$shared/corpus/tcpdump-tests" -type f | sort
        if [ -n "${BENCH_FILES+set}" ]; then
            for b in $BENCH_FILES; do echo "$b"; done
        else
            find "$top/bench/out" -maxdepth 1 -name '*.pcap' 2>/dev/null | sort
        fi
    fi
} >"$list"

modes=("-T eve" "-T zeek" "-T text" "--flows-only -T eve" "--flows-only -T zeek"
       "--flows-only -T text")

# one_run CAPTURE: prints "hash<TAB>label" for each mode.
one_run() {
    local cap=$1 m label o e rc h name
    name=${cap#"$top/"}
    name=${name#"$shared/"}
    for m in "${modes[@]}"; do
        label="$name :: $m${extra[*]:+ ${extra[*]}}"
        o=$(mktemp) e=$(mktemp)
        # shellcheck disable=SC2086
        TZ=UTC "$FLOWSTATE" -r "$cap" $m "${extra[@]}" >"$o" 2>"$e" </dev/null
        rc=$?
        sed -i "s#$cap#$(basename "$cap")#g" "$e"
        h=$( { sha256sum <"$o"; sha256sum <"$e"; echo "rc=$rc"; } | sha256sum | cut -c1-16)
        printf '%s\t%s\n' "$h" "$label"
        if [ "$keep" = 1 ]; then
            local k
            k="$dir/out/$(printf '%s' "$label" | tr -c 'A-Za-z0-9._-' '_')"
            mkdir -p "$dir/out"
            mv "$o" "$k.stdout"
            mv "$e" "$k.stderr"
            echo "$rc" >"$k.rc"
        else
            rm -f "$o" "$e"
        fi
    done
}
export -f one_run
export FLOWSTATE top shared dir keep
export modes_str="${modes[*]}"
# bash cannot export arrays: pass them through a declare string
export IDENT_DECL
IDENT_DECL="$(declare -p modes extra)"

tr '\n' '\0' <"$list" |
    xargs -0 -n 1 -P "$jobs" bash -c 'eval "$IDENT_DECL"; one_run "$1"' _ |
    sort -t "$(printf '\t')" -k2 >"$list.new"

n=$(wc -l <"$list.new")
if [ "$cmd" = record ]; then
    mv "$list.new" "$dir/manifest"
    echo "output-identity: recorded $n runs in $dir/manifest"
    exit 0
fi
[ -f "$dir/manifest" ] || { echo "output-identity: nothing recorded in $dir" >&2; exit 2; }
# Compare by label; with EXTRA-ARGS the labels carry them, so strip for matching.
strip() { if [ ${#extra[@]} -gt 0 ]; then sed "s# ${extra[*]}\$##"; else cat; fi; }
changed=$(join -t "$(printf '\t')" -1 2 -2 2 -o 0,1.1,2.1 \
    <(sort -t "$(printf '\t')" -k2 "$dir/manifest") \
    <(strip <"$list.new" | sort -t "$(printf '\t')" -k2) |
    awk -F'\t' '$2 != $3 { print $1 }')
missing=$(join -t "$(printf '\t')" -1 2 -2 2 -v 1 \
    <(sort -t "$(printf '\t')" -k2 "$dir/manifest") \
    <(strip <"$list.new" | sort -t "$(printf '\t')" -k2) | cut -f1)
nch=$(printf '%s' "$changed" | grep -c . || true)
nmiss=$(printf '%s' "$missing" | grep -c . || true)
echo "output-identity: $n runs, $nch changed, $nmiss recorded runs not run now"
if [ "$nch" -gt 0 ]; then
    printf '%s\n' "$changed" | head -n 50 | sed 's/^/  changed: /'
    if [ "$keep" = 0 ] && [ -d "$dir/out" ]; then
        first=$(printf '%s\n' "$changed" | head -n 1)
        k="$dir/out/$(printf '%s' "$first" | tr -c 'A-Za-z0-9._-' '_')"
        cap=${first%% :: *}
        m=${first#* :: }
        [ -f "$top/$cap" ] && cap="$top/$cap" || cap="$shared/$cap"
        echo "  first diff ($first):"
        # shellcheck disable=SC2086
        TZ=UTC "$FLOWSTATE" -r "$cap" $m "${extra[@]}" 2>&1 | diff "$k.stdout" - | head -n 20
    fi
    exit 1
fi
[ "$nmiss" -gt 0 ] && exit 1
exit 0
