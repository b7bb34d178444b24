# SPDX-License-Identifier: BSD-3-Clause
# require.sh - prerequisites of the system tests (make check-system), sourced:
#
#   . "$SRCDIR/tests/lib/require.sh"
#   require_root
#   require_netns
#   require_tool ip nft tcpdump capinfos:wireshark-common
#   require_shared corpus/public          # sets SHARED to the absolute path
#   if want_tool mandoc; then ...; fi     # optional part of a test
#
# A missing prerequisite ends the test as SKIP (exit 77, automake's code) with
# the reason on stdout, so `make check-system` on a machine without tshark or
# root still passes what it can run. With FLOWSTATE_REQUIRE_ALL=1 (set by
# tests/run-all.sh, i.e. CI) the same message ends the test as FAIL (exit 1):
# CI must run everything, and a test that silently skipped there would be a
# test that silently stopped testing.
#
# TOOL may be TOOL:PACKAGE to name the Debian package in the message.
# Functions are named require_* / want_*; the script defines nothing else
# but the variables REQUIRE_TEST (the test's name) and SHARED.

REQUIRE_TEST=${REQUIRE_TEST:-$(basename "$0")}

# require_missing REASON: the one exit of every require_* function.
require_missing() {
    if [ "${FLOWSTATE_REQUIRE_ALL:-0}" = 1 ]; then
        echo "FAIL: $REQUIRE_TEST: $* (FLOWSTATE_REQUIRE_ALL=1: every prerequisite is required)"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "SKIP: $REQUIRE_TEST: $*"
    exit 77
}

# require_tool_reason TOOL[:PACKAGE]: prints why TOOL is missing, or nothing.
require_tool_reason() {
    local tool=${1%%:*} pkg=${1#*:}
    command -v "$tool" >/dev/null 2>&1 && return 0
    if [ "$pkg" != "$1" ]; then
        echo "$tool not installed (Debian package $pkg)"
    else
        echo "$tool not installed"
    fi
}

require_tool() {
    local t why
    for t in "$@"; do
        why=$(require_tool_reason "$t")
        [ -z "$why" ] || require_missing "$why"
    done
}

# want_tool TOOL[:PACKAGE]: 0 when TOOL is there; 1 with a note when it is not
# (the caller leaves that part out); FAIL under FLOWSTATE_REQUIRE_ALL=1.
want_tool() {
    local why
    why=$(require_tool_reason "$1")
    [ -z "$why" ] && return 0
    [ "${FLOWSTATE_REQUIRE_ALL:-0}" = 1 ] && require_missing "$why"
    echo "note: $REQUIRE_TEST: $why; that part is left out"
    return 1
}

require_root() {
    [ "$(id -u)" -eq 0 ] || require_missing "needs root (uid $(id -u))"
}

# require_netns: root, ip(8), and the kernel lets us create a namespace
# (a container may not).
require_netns() {
    require_root
    require_tool ip:iproute2
    local probe="fs-probe-$$"
    ip netns add "$probe" >/dev/null 2>&1 || require_missing "cannot create a network namespace"
    ip netns del "$probe" >/dev/null 2>&1 || true
}

# require_python_module MODULE...: importable by /usr/bin/python3.
require_python_module() {
    require_tool python3
    local m
    for m in "$@"; do
        python3 -c "import $m" >/dev/null 2>&1 || require_missing "python3 module $m not installed"
    done
}

# require_shared SUBDIR...: the shared corpora beside the tree ($SHARED, set by
# make from FLOWSTATE_SHARED, default $SRCDIR/../shared). Sets SHARED absolute.
require_shared() {
    local base=${SHARED:-${SRCDIR:?}/../shared} d
    for d in "$@"; do
        [ -e "$base/$d" ] || require_missing "$d not found in the shared corpora at $base (set FLOWSTATE_SHARED)"
    done
    SHARED=$(cd "$base" && pwd)
}
