#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# update-golden.sh - regenerate expected outputs from the current binary
# (tcpdump update-test.sh). A regenerated file is a claim about flowstate's
# behaviour: read the diff (git diff tests/golden/expected) before committing.
#
# Usage:  update-golden.sh NAME...   regenerate the named TESTLIST entries
#         update-golden.sh --all     regenerate every entry
# Env:    FLOWSTATE, SRCDIR as for run-golden.sh.
set -euo pipefail
if [ $# -eq 0 ]; then
    echo "usage: $0 NAME...|--all" >&2
    exit 2
fi
exec "$(dirname "$0")/run-golden.sh" --update "$@"
