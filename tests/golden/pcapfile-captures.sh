#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The buffered pcap reader against libpcap on captures/ only (the in-tree part
# of tests/corpus/pcapfile-agreement.sh, which make check-system runs whole).
# Cost: ~5 s (werror build), ~20 s (ASan).
set -euo pipefail
: "${SRCDIR:?}"
exec bash "$SRCDIR/tests/corpus/pcapfile-agreement.sh" --captures
