#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The capture module's live-loopback unit tests (tests/unit/check_capture,
# Check case "loopback"): open lo with a filter, time out with no packet,
# two fanout handles (dispatch, stats, breakloop, drain), deliver one matching
# UDP datagram with its length and timestamp. They need
# root and send a datagram, so make check leaves them out; here they run in a
# private network namespace (its own lo) with FLOWSTATE_LIVE_TESTS=1, where
# failing to open lo is a failure. Needs root and ip netns
# (tests/lib/require.sh). Cost: ~1 s.
set -euo pipefail
: "${SRCDIR:?}" "${BUILDDIR:?}"
. "$SRCDIR/tests/lib/require.sh"
require_netns
unit="$BUILDDIR/tests/unit/check_capture"
[ -x "$unit" ] || { echo "FAIL: $unit not built"; exit 1; }
ns="fs-capunit-$$"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
out=$(ip netns exec "$ns" env FLOWSTATE_LIVE_TESTS=1 CK_RUN_CASE=loopback "$unit" 2>&1) && rc=0 || rc=$?
echo "$out"
# Check prints "100%: Checks: 3, ..."; fewer means the case did not run whole.
grep -q 'Checks: 3,' <<<"$out" || { echo "FAIL: the loopback case did not run its 3 tests"; exit 1; }
exit "$rc"
