#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Drive real Linux TCP connections inside a private network namespace.

Run by run-netns.sh as `ip netns exec NS /usr/bin/python3 scenarios.py OUTDIR`.
Opens one connection that starts before the capture, starts tcpdump on lo,
runs every scenario, waits so that stuck connections pass --stuck-after,
snapshots `ss -tan` (both endpoints of every connection live in this
namespace), then stops tcpdump. Writes OUTDIR/cap.pcap, OUTDIR/ss.txt and
OUTDIR/scenarios.json (which 4-tuples belong to which scenario). Only
loopback addresses inside the namespace are used.
"""
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

OUT = sys.argv[1]
V4 = "127.0.0.1"
V6 = "::1"
# Ports: each scenario its own server port, so the nftables rules can target them.
P = {
    "clean_close": 9000, "syn_unanswered": 9001, "rejected": 9002,
    "rst_client": 9003, "rst_server": 9004, "close_wait": 9005,
    "lossy_bulk": 9006, "zero_window": 9007, "keepalive": 9008,
    "ipv6": 9009, "tfo": 9010, "pre_capture": 9011, "many_short": 9012,
    "server_closes_first": 9013,
}
scen = {}       # name -> list of [client_ip, client_port, server_ip, server_port]
keep = []       # sockets kept open until the snapshot


def note(name, cli):
    peer = cli.getpeername()
    local = cli.getsockname()
    scen.setdefault(name, []).append([local[0], local[1], peer[0], peer[1]])


def settled_ss(limit=30.0):
    """`ss -tanH`, once the lossy transfer's close has finished on both sides.

    nftables drops segments after tcpdump has seen them (the capture is at
    transmit, the drop at input), so a dropped FIN is on the wire for
    flowstate while the kernel still waits for its retransmission, which
    backs off (0.2, 0.4, 0.8 ... s). Comparing before the retransmission
    lands compares two different moments. The close is over when the client
    is in TIME-WAIT and the server's socket is gone (a dropped last ACK
    keeps it in LAST-ACK and makes it retransmit its FIN)."""
    deadline = time.time() + limit
    while True:
        ss = subprocess.run(["ss", "-tanH"], capture_output=True, text=True,
                            check=True).stdout
        states = {}
        for line in ss.splitlines():
            f = line.split()
            if len(f) >= 5:
                states[(f[3], f[4])] = f[0]
        busy = False
        for cip, cport, sip, sport in scen.get("lossy_bulk", []):
            cli, srv = "%s:%d" % (cip, cport), "%s:%d" % (sip, sport)
            if states.get((cli, srv)) != "TIME-WAIT" or (srv, cli) in states:
                busy = True
        if not busy or time.time() > deadline:
            return ss
        time.sleep(0.2)


def listener(port, family=socket.AF_INET, addr=V4, rcvbuf=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((addr, port))
    s.listen(512)
    keep.append(s)
    return s


def pair(name, port, family=socket.AF_INET, addr=V4, rcvbuf=None, lst=None):
    lst = lst or listener(port, family, addr, rcvbuf)
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((addr, port))
    srv, _ = lst.accept()
    note(name, c)
    return c, srv


def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def main():
    os.makedirs(OUT, exist_ok=True)
    # A connection that began before the capture.
    pre_c, pre_s = pair("pre_capture", P["pre_capture"])
    pre_c.sendall(b"before")
    pre_s.recv(100)
    time.sleep(0.2)

    pcap = os.path.join(OUT, "cap.pcap")
    td = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-n", "-B", "65536", "-s", "262144",
                           "-w", pcap, "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait until tcpdump is listening
    line = td.stderr.readline()
    if b"listening" not in line:
        print("tcpdump did not start:", line, file=sys.stderr)
        sys.exit(1)
    time.sleep(0.3)

    pre_c.sendall(b"during capture")
    pre_s.recv(100)
    pre_s.sendall(b"reply")
    pre_c.recv(100)
    keep.extend([pre_c, pre_s])

    # Clean close, client first: client TIME_WAIT, server gone.
    c, s = pair("clean_close", P["clean_close"])
    c.sendall(b"GET / HTTP/1.0\r\n\r\n")
    s.recv(100)
    s.sendall(b"HTTP/1.0 200 OK\r\n\r\nhello")
    c.recv(100)
    c.close()
    s.recv(100)
    s.close()

    # Clean close, server first: server TIME_WAIT, client gone.
    c, s = pair("server_closes_first", P["server_closes_first"])
    c.sendall(b"ping")
    s.recv(100)
    s.close()
    c.recv(100)
    c.close()

    # SYN unanswered: nftables drops SYNs to this port; connect stays in SYN-SENT.
    lst = listener(P["syn_unanswered"])
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setblocking(False)
    try:
        c.connect((V4, P["syn_unanswered"]))
    except BlockingIOError:
        pass
    keep.append(c)
    scen.setdefault("syn_unanswered", []).append(
        [V4, c.getsockname()[1], V4, P["syn_unanswered"]])

    # Rejected: nothing listens; the kernel answers RST/ACK.
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.bind((V4, 0))
    port = c.getsockname()[1]
    try:
        c.connect((V4, P["rejected"]))
    except ConnectionRefusedError:
        pass
    c.close()
    scen.setdefault("rejected", []).append([V4, port, V4, P["rejected"]])

    # RST from the client (close with linger 0) and from the server.
    c, s = pair("rst_client", P["rst_client"])
    c.sendall(b"data")
    s.recv(100)
    linger0(c)
    c.close()
    time.sleep(0.05)
    s.close()
    c, s = pair("rst_server", P["rst_server"])
    s.sendall(b"data")
    c.recv(100)
    linger0(s)
    s.close()
    time.sleep(0.05)
    c.close()

    # Server left in CLOSE_WAIT: client closes, server never does.
    c, s = pair("close_wait", P["close_wait"])
    c.sendall(b"request")
    s.recv(100)
    c.shutdown(socket.SHUT_WR)
    keep.extend([c, s])

    # Lossy bulk transfer: nftables drops ~5% of packets to this port.
    lst = listener(P["lossy_bulk"])
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.connect((V4, P["lossy_bulk"]))
    s, _ = lst.accept()
    note("lossy_bulk", c)
    total = 1 << 20
    got = bytearray()

    def reader():
        while len(got) < total:
            d = s.recv(65536)
            if not d:
                break
            got.extend(d)
    t = threading.Thread(target=reader)
    t.start()
    c.sendall(b"x" * total)
    t.join(timeout=30)
    c.close()
    s.close()

    # Zero window: the server never reads; small receive buffer.
    lst = listener(P["zero_window"], rcvbuf=4096)
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    c.connect((V4, P["zero_window"]))
    s, _ = lst.accept()
    note("zero_window", c)
    c.setblocking(False)
    deadline = time.time() + 2
    while time.time() < deadline:
        try:
            c.send(b"z" * 4096)
        except BlockingIOError:
            select.select([], [c], [], 0.1)
    keep.extend([c, s])

    # Keep-alive probes every second.
    c, s = pair("keepalive", P["keepalive"])
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    keep.extend([c, s])

    # IPv6.
    c, s = pair("ipv6", P["ipv6"], socket.AF_INET6, V6)
    c.sendall(b"over ipv6")
    s.recv(100)
    keep.extend([c, s])

    # TCP Fast Open: the first connection gets a cookie, the second sends data in the SYN.
    lst = listener(P["tfo"])
    lst.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
    for i in range(2):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.sendto(b"tfo data %d" % i, socket.MSG_FASTOPEN, (V4, P["tfo"]))
        s, _ = lst.accept()
        s.recv(100)
        note("tfo", c)
        keep.extend([c, s])

    # Hundreds of short connections, client closes first.
    lst = listener(P["many_short"])
    for i in range(200):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.connect((V4, P["many_short"]))
        s, _ = lst.accept()
        note("many_short", c)
        c.sendall(b"%d" % i)
        s.recv(10)
        c.close()
        s.recv(10)
        s.close()

    # Let stuck connections pass --stuck-after (run-netns.sh uses 2 s) and
    # keep-alives fire, then take the kernel's view.
    time.sleep(3.5)
    ss = settled_ss()
    time.sleep(0.3)
    td.send_signal(signal.SIGINT)
    td.wait(timeout=10)
    # A capture that lost packets would make every comparison below unsound.
    tail = td.stderr.read().decode()
    if not re.search(r"^0 packets dropped by kernel", tail, re.M):
        print("tcpdump dropped packets:", tail, file=sys.stderr)
        sys.exit(1)
    with open(os.path.join(OUT, "ss.txt"), "w") as f:
        f.write(ss)
    with open(os.path.join(OUT, "scenarios.json"), "w") as f:
        json.dump(scen, f, indent=1, sort_keys=True)
    for s in keep:
        s.close()


if __name__ == "__main__":
    main()
