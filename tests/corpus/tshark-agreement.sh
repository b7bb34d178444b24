#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Analysis counts per connection against tshark (see tshark_agreement.py).
# --markdown regenerates doc/agreement-tshark.md.
set -euo pipefail
: "${FLOWSTATE:?}" "${SRCDIR:?}"
# Needs the shared corpus (with its tshark oracle files) and python3
# (tests/lib/require.sh).
. "$SRCDIR/tests/lib/require.sh"
require_shared corpus/public/MANIFEST.tsv
require_tool python3
corpus=$SHARED/corpus/public
args=()
if [ "${1:-}" = "--markdown" ]; then args=(--markdown "$SRCDIR/doc/agreement-tshark.md"); fi
exec /usr/bin/python3 "$SRCDIR/tests/corpus/tshark_agreement.py" "$FLOWSTATE" "$corpus" \
    "$SRCDIR/tests/corpus/tshark-exceptions.tsv" "${args[@]}"
