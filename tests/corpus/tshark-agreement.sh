#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Analysis counts per connection against tshark (see tshark_agreement.py).
# --markdown regenerates doc/agreement-tshark.md.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
corpus="${SHARED:-$SRCDIR/../shared}/corpus/public"
if [ ! -f "$corpus/MANIFEST.tsv" ]; then
    echo "tshark-agreement: $corpus missing"; echo "0 passed, 1 failed"; exit 1
fi
args=()
if [ "${1:-}" = "--markdown" ]; then args=(--markdown "$SRCDIR/doc/agreement-tshark.md"); fi
exec /usr/bin/python3 "$SRCDIR/tests/corpus/tshark_agreement.py" "$FLOWSTATE" "$corpus" \
    "$SRCDIR/tests/corpus/tshark-exceptions.tsv" "${args[@]}"
