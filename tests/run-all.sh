#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite, from a fresh Debian 12 clone, as root:
#   installs the build and test dependencies (apt-get), then
#   1. builds with -Werror and runs `make check` (unit, golden, corpus, hostile, fuzz replay, e2e),
#   2. builds with ASan+UBSan (and -Werror) and runs `make check` again,
#   3. runs `make distcheck`.
# Any failure stops the run with a non-zero exit status.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

DEPS=(build-essential autoconf automake libtool pkg-config libpcap-dev libncurses-dev
      libjansson-dev check tshark wireshark-common tcpdump tcptrace python3-scapy mandoc
      iproute2 nftables ethtool jq tmux tcpreplay time strace passwd procps)
missing=()
for p in "${DEPS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "run-all: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
# The corpora live in ../shared beside the clone; distcheck's tests run from an
# unpacked tarball elsewhere, so they get the absolute path.
FLOWSTATE_SHARED=$(cd "$top/../shared" 2>/dev/null && pwd) || {
    echo "run-all: ../shared (the test corpora) is missing beside $top"; exit 1; }
export FLOWSTATE_SHARED
jobs=$(nproc 2>/dev/null || echo 2)

run_suite() {
    local dir=$1; shift
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs" && make -s -j"$jobs" check) || {
        echo "run-all: FAILED in $dir ($*)"
        find "$dir/tests" -name '*.log' -newer "$dir/Makefile" -exec grep -l -E '^(FAIL|ERROR)' {} + 2>/dev/null |
            while read -r log; do echo "==== $log"; tail -n 60 "$log"; done
        find "$dir" -name test-suite.log -exec cat {} + 2>/dev/null | tail -n 200
        return 1
    }
    grep -h -E '^# (TOTAL|PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$dir/test-suite.log" || true
    total_pass=$((total_pass + $(sed -n 's/^# PASS: *//p' "$dir/test-suite.log")))
    total_fail=$((total_fail + $(sed -n 's/^# FAIL: *//p' "$dir/test-suite.log") \
        + $(sed -n 's/^# ERROR: *//p' "$dir/test-suite.log")))
}
total_pass=0
total_fail=0

echo "run-all: [1/3] -Werror build + make check"
run_suite build-werror --enable-werror
echo "run-all: [2/3] ASan+UBSan build + make check"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan --enable-werror --enable-sanitizers
echo "run-all: [3/3] make distcheck"
(cd build-werror && make -s distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >../distcheck.log 2>&1) || {
    echo "run-all: make distcheck FAILED"
    grep -E '^(FAIL|ERROR):|error:' distcheck.log | head -n 40
    find build-werror -path '*/_build/*' -name '*.log' -exec grep -l -E '^(FAIL|ERROR)|:F:|:E:' {} + 2>/dev/null |
        while read -r log; do echo "==== $log"; tail -n 40 "$log"; done
    exit 1
}
echo "run-all: all passed (two builds; each test program or script counts once per build)"
echo "$total_pass passed, $total_fail failed"
