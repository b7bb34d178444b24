#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# make-all.sh - regenerates every bundled capture in captures/ from the
# generators in this directory. The output is byte-identical on every run
# (fixed timestamps, ISNs, addresses and MACs; our own pcap/pcapng writers).
# Usage: captures/gen/make-all.sh            (from anywhere)
#        captures/gen/make-all.sh --check    regenerate in place and fail if any
#                                            file's sha256 changed
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
generators="gen_sessions.py gen_linktypes.py gen_ip.py gen_tunnels.py gen_files.py gen_pcapng_multi.py gen_fanout.py gen_dropped.py gen_isb.py"

run_all() {
    for g in $generators; do
        (cd "$here" && "$python" "$g")
    done
}

if [ "${1:-}" = "--check" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$here/.." && sha256sum -- *.pcap *.pcapng) > "$tmp/before"
    run_all > /dev/null
    (cd "$here/.." && sha256sum -- *.pcap *.pcapng) > "$tmp/after"
    if ! diff -u "$tmp/before" "$tmp/after"; then
        echo "make-all.sh: regenerated captures differ from the committed ones" >&2
        exit 1
    fi
    echo "make-all.sh: all captures regenerate byte-identically"
    exit 0
fi
run_all
