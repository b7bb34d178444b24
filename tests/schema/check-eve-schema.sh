#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check-eve-schema.sh - every EVE record flowstate writes must validate against
# Suricata's own EVE schema, with only the additions doc/schema.md 1.3 lists
# (tests/schema/eve_schema.py says how they are allowed).
#
# Records checked: every capture in captures/ in several modes (default;
# --flows-only; a stats record every capture second, with one thread and with
# --workers 2, whose output must be byte-identical), and every file of the
# public corpus ($SHARED/corpus/public) by default and every second. The
# live run's records are checked by tests/live/run-live.sh with the same
# validator.
#
# The schema is GPL-2.0 and stays where it is: $SHARED/ref/suricata-eve-schema/
# (../shared beside the tree). A system test (make check-system): it needs
# ../shared and python3-jsonschema (tests/lib/require.sh). About 30 s.
# Env: FLOWSTATE, SRCDIR, SHARED (set by make).
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/require.sh"
require_python_module jsonschema
require_shared ref/suricata-eve-schema/schema.json corpus/public/MANIFEST.tsv
schema=$SHARED/ref/suricata-eve-schema/schema.json
corpus=$SHARED/corpus/public
py=/usr/bin/python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC

# run NAME ARGS...: flowstate -T eve ARGS > $tmp/NAME.jsonl (exit 0 or 1: a cut-short file)
run() {
    local name=$1 rc=0
    shift
    "$FLOWSTATE" -T eve "$@" >"$tmp/$name.jsonl" 2>"$tmp/$name.err" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "FAIL: flowstate -T eve $* exited $rc: $(head -c 300 "$tmp/$name.err")"
        exit 1
    fi
}

n=0
for f in "$SRCDIR"/captures/*.pcap "$SRCDIR"/captures/*.pcapng; do
    b=$(basename "$f")
    run "cap-$b" -r "$f"
    run "cap-$b-flows-only" --flows-only -r "$f"
    run "cap-$b-1s" --stats-interval 1 -r "$f"
    run "cap-$b-1s-workers" --stats-interval 1 --workers 2 -r "$f"
    n=$((n + 1))
done
while IFS=$'\t' read -r file _; do
    [ "$file" = file ] && continue
    p=pub-$(tr / _ <<<"$file")
    run "$p" -r "$corpus/$file"
    run "$p-1s" --stats-interval 1 -r "$corpus/$file"
    run "$p-1s-workers" --stats-interval 1 --workers 2 -r "$corpus/$file"
    n=$((n + 1))
done <"$corpus/MANIFEST.tsv"

# --workers 2 must not change a byte (the periodic records included)
same=0
for w in "$tmp"/*-1s-workers.jsonl; do
    if ! cmp -s "$w" "${w%-workers.jsonl}.jsonl"; then
        echo "FAIL: --workers 2 output differs: $(basename "${w%-workers.jsonl}")"
        exit 1
    fi
    same=$((same + 1))
done
echo "ok   --stats-interval 1: --workers 2 output byte-identical with one thread ($same runs)"

echo "validating the output of $n captures against $schema"
if "$py" "$SRCDIR/tests/schema/eve_schema.py" --schema "$schema" "$tmp"/*.jsonl; then
    echo "2 passed, 0 failed"
else
    echo "1 passed, 1 failed"
    exit 1
fi
