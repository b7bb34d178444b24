#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# special-files.sh - no hang on special files (issue 15, item 3): -r FIFO
# carrying a pcapng that libpcap refuses (captures/pcapng-multi-linktype:
# interfaces of two link types). The fallback reader used to reopen the path
# by name and block forever on the FIFO; now only a regular file is read
# again, and libpcap's message stands. Before: killed by timeout (124).
# A regular file of the same bytes is still read by the fallback. Cost: < 1 s.
set -uo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fs-special.XXXXXX")
writer=
cleanup() {
    if [ -n "$writer" ]; then kill "$writer" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
cap="$SRCDIR/captures/pcapng-multi-linktype.pcapng"

mkfifo "$tmp/fifo"
cat "$cap" >"$tmp/fifo" &
writer=$!
st=0
timeout 10 "$FLOWSTATE" -r "$tmp/fifo" -T eve >"$tmp/out" 2>"$tmp/err" || st=$?
if [ "$st" -eq 124 ]; then
    echo "FAIL -r FIFO with a pcapng libpcap refuses: still running after 10 s"; fail=$((fail + 1))
elif [ "$st" -ne 1 ] && [ "$st" -ne 2 ]; then
    echo "FAIL -r FIFO: exit $st, want libpcap's refusal (1 or 2): $(head -c 300 "$tmp/err")"
    fail=$((fail + 1))
elif ! grep -q 'fifo: ' "$tmp/err"; then
    echo "FAIL -r FIFO: no message naming the FIFO: $(head -c 300 "$tmp/err")"; fail=$((fail + 1))
else
    echo "ok   -r FIFO: exit $st at once: $(head -n 1 "$tmp/err")"; pass=$((pass + 1))
fi
wait "$writer" 2>/dev/null
writer=

if "$FLOWSTATE" -r "$cap" -T eve >"$tmp/out" 2>"$tmp/err" && [ -s "$tmp/out" ]; then
    echo "ok   the same bytes in a regular file: read by the fallback reader"; pass=$((pass + 1))
else
    echo "FAIL regular file: $(head -c 300 "$tmp/err")"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
