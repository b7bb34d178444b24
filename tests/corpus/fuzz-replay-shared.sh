#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Fuzz-harness replay (tests/fuzz/run-corpus.sh) of the shared public corpus
# and tcpdump's test captures. Needs the shared corpora. Cost: ~10 s (ASan ~40 s).
set -euo pipefail
: "${SRCDIR:?}"
exec bash "$SRCDIR/tests/fuzz/run-corpus.sh" --shared
