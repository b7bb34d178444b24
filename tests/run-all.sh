#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite, from a fresh Debian 12 clone, as root (CI: .ci/run):
#   installs the build and test dependencies (apt-get), then
#   1. builds with -Werror and runs `make check` (the hermetic group: unit,
#      golden, doc, fuzz-corpus replay; see tests/README.md),
#   2. builds with ASan+UBSan (and -Werror) and runs `make check` again,
#   3. runs `make check-system` once, in the ASan build (shared corpora,
#      tshark/Zeek agreement, hostile corpus, netns e2e and live, tmux TUI),
#   4. builds with ThreadSanitizer and runs `make check-threads` (the
#      multi-worker tests only),
#   5. runs `make distcheck`.
# FLOWSTATE_REQUIRE_ALL=1 turns every SKIP for a missing prerequisite into a
# FAIL (tests/lib/require.sh), so CI runs everything. Each stage prints its
# minutes of wall-clock and of CPU time (user + system of everything it ran:
# on a shared machine the first grows with the load, the second does not);
# the budget for the whole run is 30 minutes on an otherwise idle 2-core machine.
# Any failure stops the run with a non-zero exit status.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

DEPS=(build-essential autoconf automake libtool pkg-config libpcap-dev libncurses-dev
      libjansson-dev libcap-ng-dev libseccomp-dev libmicrohttpd-dev libhiredis-dev redis-server prometheus curl check tshark wireshark-common tcpdump tcptrace python3-scapy mandoc
      iproute2 nftables ethtool jq tmux tcpreplay time strace passwd procps python3-jsonschema
      libcap2-bin util-linux parallel munge slurmctld slurmd slurm-client
      python3-yaml dpkg-dev debhelper lintian logrotate systemd-container)
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
export FLOWSTATE_REQUIRE_ALL=1
# Read by sanitized binaries only (the -Werror and distcheck builds ignore them).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
jobs=$(nproc 2>/dev/null || echo 2)

# stage NAME: starts a stage; stage_end prints and records its minutes.
minutes() { awk -v s="$1" 'BEGIN { printf "%.1f", s / 60 }'; }
# cpu_now: sets cpu to the seconds of user + system time of all finished
# children so far. `times` runs in this shell (a subshell would count its own).
cpu_file=$(mktemp)
trap 'rm -f "$cpu_file"' EXIT
cpu=0
cpu_now() {
    times >"$cpu_file"
    cpu=$(sed -n 2p "$cpu_file" |
        awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d", t }')
}
run_t0=$(date +%s)
stage_t0=0
stage_cpu0=0
stage_name=
stage_times=()
stage() {
    stage_name=$1
    stage_t0=$(date +%s)
    cpu_now
    stage_cpu0=$cpu
    echo "run-all: [$stage_name]"
}
stage_end() {
    local m c
    m=$(minutes $(($(date +%s) - stage_t0)))
    cpu_now
    c=$(minutes $((cpu - stage_cpu0)))
    echo "run-all: [$stage_name] $m min (CPU $c min)"
    stage_times+=("$(printf '%-40s %5s min   CPU %5s min' "$stage_name" "$m" "$c")")
}

# build DIR CONFIGURE-ARGS...: a fresh out-of-tree build.
build() {
    local dir=$1
    shift
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs") || {
        echo "run-all: build FAILED in $dir ($*)"
        exit 1
    }
}

# run_check DIR TARGET SUMMARY: one make check target; on failure shows the
# failing tests' logs; counts passes and skips from its summary log.
total_pass=0
total_skip=0
run_check() {
    local dir=$1 target=$2 summary=$1/$3
    (cd "$dir" && make -s -j"$jobs" "$target") || {
        echo "run-all: make $target FAILED in $dir"
        find "$dir/tests" -name '*.log' -newer "$dir/Makefile" -exec grep -l -E '^(FAIL|ERROR)' {} + 2>/dev/null |
            while read -r log; do echo "==== $log"; tail -n 60 "$log"; done
        [ ! -f "$summary" ] || tail -n 200 "$summary"
        exit 1
    }
    grep -h -E '^# (TOTAL|PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$summary" || true
    total_pass=$((total_pass + $(sed -n 's/^# PASS: *//p' "$summary")))
    total_skip=$((total_skip + $(sed -n 's/^# SKIP: *//p' "$summary")))
}

stage "1/5 -Werror build + make check"
build build-werror --enable-werror
run_check build-werror check test-suite.log
stage_end

stage "2/5 ASan+UBSan build + make check"
build build-asan --enable-werror --enable-sanitizers
run_check build-asan check test-suite.log
stage_end

stage "3/5 ASan+UBSan make check-system"
run_check build-asan check-system test-system.log
stage_end

stage "4/5 TSan build + make check-threads"
build build-tsan --enable-werror --enable-tsan
run_check build-tsan check-threads test-threads.log
stage_end

stage "5/5 make distcheck"
(cd build-werror && make -s distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >../distcheck.log 2>&1) || {
    echo "run-all: make distcheck FAILED"
    grep -E '^(FAIL|ERROR):|error:' distcheck.log | head -n 40
    find build-werror -path '*/_build/*' -name '*.log' -exec grep -l -E '^(FAIL|ERROR)|:F:|:E:' {} + 2>/dev/null |
        while read -r log; do echo "==== $log"; tail -n 60 "$log"; done
    exit 1
}
stage_end

echo "run-all: all passed: $total_pass tests passed, $total_skip skipped (a test counts once per run)"
printf '  %s\n' "${stage_times[@]}"
total=$(($(date +%s) - run_t0))
cpu_now
echo "  total $(minutes "$total") min, CPU $(minutes "$cpu") min" \
    "(budget: 30 min on an idle 2-core machine$([ "$total" -le 1800 ] || echo "; over it: was the machine shared?"))"
