#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# record-netns.sh - records captures/kernel-lo.pcap from the real Linux TCP
# stack, inside a private network namespace that only has loopback. A small
# Python client/server pair makes two connections on 127.0.0.1:
#   port 8080: clean (request, response, both sides close)
#   port 8081: CLOSE_WAIT (client sends and closes; the server reads EOF but
#              never closes, and the recording stops before it exits)
# Needs root (ip netns, tcpdump). Timestamps, ISNs and ports come from the
# kernel, so unlike make-all.sh the output differs on every run.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out="$here/../kernel-lo.pcap"
python=${PYTHON:-/usr/bin/python3}
ns="fs-rec-$$"
work=$(mktemp -d)
tcpdump_pid=""
py_pid=""

cleanup() {
    if [ -n "$py_pid" ]; then kill "$py_pid" 2>/dev/null || true; fi
    if [ -n "$tcpdump_pid" ]; then kill "$tcpdump_pid" 2>/dev/null || true; fi
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

ip netns add "$ns"
ip -n "$ns" link set lo up

ip netns exec "$ns" tcpdump -i lo -U -s 262144 -w "$out" 'tcp port 8080 or tcp port 8081' \
    2> "$work/tcpdump.err" &
tcpdump_pid=$!
i=0
until grep -q "listening on" "$work/tcpdump.err"; do
    i=$((i + 1))
    if [ "$i" -gt 50 ]; then
        cat "$work/tcpdump.err" >&2
        exit 1
    fi
    sleep 0.1
done

cat > "$work/peers.py" <<'PY'
import socket
import sys
import threading
import time

marker = sys.argv[1]

def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(1)
    return s

clean, stuck = listener(8080), listener(8081)

def serve_clean():
    conn, _ = clean.accept()
    conn.recv(1024)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    conn.close()

held = []

def serve_stuck():
    conn, _ = stuck.accept()
    while conn.recv(1024):
        pass
    held.append(conn)  # EOF seen; never closed: the socket stays in CLOSE_WAIT

threads = [threading.Thread(target=serve_clean), threading.Thread(target=serve_stuck)]
for t in threads:
    t.start()

c = socket.create_connection(("127.0.0.1", 8080))
c.sendall(b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n")
while c.recv(1024):
    pass
c.close()

c = socket.create_connection(("127.0.0.1", 8081))
c.sendall(b"QUIT\r\n")
c.close()
for t in threads:
    t.join()
time.sleep(1.0)
open(marker, "w").close()
time.sleep(60)
PY

ip netns exec "$ns" "$python" "$work/peers.py" "$work/done" &
py_pid=$!
i=0
until [ -e "$work/done" ]; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then
        echo "record-netns.sh: peers did not finish" >&2
        exit 1
    fi
    sleep 0.1
done
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true
tcpdump_pid=""
echo "wrote $out"
