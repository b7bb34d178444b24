#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# -T zeek structure (tests/golden/check-zeek-tsv.sh) on every capture of the
# shared public corpus. Needs the shared corpus. Cost: ~5 s.
set -euo pipefail
: "${SRCDIR:?}"
exec bash "$SRCDIR/tests/golden/check-zeek-tsv.sh" --public
