#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""One burst run against the real Linux TCP stack (run by run-burst.sh).

Run as `ip netns exec NS /usr/bin/python3 burst_driver.py FLOWSTATE OUTDIR
MODE [FLOWSTATE-ARGS...]` in a namespace whose loopback is up (MTU 65536:
64 KiB segments) and whose nftables drop SYNs to port 9201.

flowstate -i lo -T eve --stuck-after 2 runs while six bulk transfers of
4 MiB each start at once and close, a server is left in CLOSE_WAIT (9202)
and a SYN goes unanswered (9201). After the alarms are due (3.5 s) the
kernel's view is taken (ss) while the sockets are still open, then SIGINT.
MODE "clean": 0 kernel drops; every endpoint state equals ss; exactly one
close_wait alarm (the 9202 connection, written while its sockets were open)
and one syn_unanswered alarm, nothing else. MODE "lossy": drops must happen
(a deliberately small ring); every close_wait/half_open alarm without
"confidence":"capture_loss" must be real (ss shows the CLOSE-WAIT socket;
half_open: a kernel socket without its peer). Prints "N passed, M failed".
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

FLOWSTATE, OUT, MODE = sys.argv[1], sys.argv[2], sys.argv[3]
EXTRA = sys.argv[4:]
LO = "127.0.0.1"
BULK, SYN, CW = 9200, 9201, 9202
NBULK, SIZE = 6, 4 << 20
passed = failed = 0
keep = []
SS = {"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECEIVED",
      "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2", "TIME-WAIT": "TIME_WAIT",
      "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "CLOSING": "CLOSING"}


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print(("ok   " if ok else "FAIL ") + what)
    sys.stdout.flush()


def records(path):
    out = []
    with open(path, "rb") as f:
        data = f.read()
    data = data[: data.rfind(b"\n") + 1]
    for line in data.splitlines():
        out.append(json.loads(line))
    return out


def capturing(pid):
    ss = subprocess.run(["ss", "-0", "-a", "-p", "-H"], capture_output=True, text=True).stdout
    return any(("pid=%d," % pid) in l and " *:" in l for l in ss.splitlines())


def snapshot():
    snap = {}
    ss = subprocess.run(["ss", "-tanH"], capture_output=True, text=True, check=True).stdout
    for line in ss.splitlines():
        f = line.split()
        if len(f) < 5 or f[0] == "LISTEN":
            continue
        snap[(int(f[3].rsplit(":", 1)[1]), int(f[4].rsplit(":", 1)[1]))] = SS.get(f[0], f[0])
    return snap


def listener(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((LO, port))
    s.listen(64)
    keep.append(s)
    return s


def bulk(lst, results):
    c = socket.create_connection((LO, BULK))
    s, _ = lst.accept()
    results.append(c.getsockname()[1])
    got = [0]

    def reader():
        while True:
            d = s.recv(1 << 20)
            if not d:
                break
            got[0] += len(d)
        s.close()

    t = threading.Thread(target=reader)
    t.start()
    c.sendall(b"b" * SIZE)
    c.shutdown(socket.SHUT_WR)
    t.join(timeout=30)
    c.close()


def main():
    out = os.path.join(OUT, "out.json")
    fs = subprocess.Popen([FLOWSTATE, "-i", "lo", "-T", "eve", "--stuck-after", "2",
                           "--update-interval", "0", "-o", out] + EXTRA,
                          stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not capturing(fs.pid):
        time.sleep(0.02)
    time.sleep(0.2)

    # close_wait: the client half-closes, the server never does
    lcw = listener(CW)
    ccw = socket.create_connection((LO, CW))
    scw, _ = lcw.accept()
    ccw.sendall(b"request")
    scw.recv(100)
    ccw.shutdown(socket.SHUT_WR)
    keep.extend([ccw, scw])
    cw_port = ccw.getsockname()[1]
    # an unanswered SYN (nftables drops it)
    syn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    syn.setblocking(False)
    syn.connect_ex((LO, SYN))
    keep.append(syn)
    syn_port = syn.getsockname()[1]
    # the burst: six bulk transfers at once
    lst = listener(BULK)
    ports = []
    threads = [threading.Thread(target=bulk, args=(lst, ports)) for _ in range(NBULK)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    time.sleep(3.5)  # alarms due (--stuck-after 2), sockets still open
    alarms = [r for r in records(out) if r.get("event_type") == "tcp_stuck"]
    snap = snapshot()
    time.sleep(0.2)
    fs.send_signal(signal.SIGINT)
    fs.wait(timeout=20)
    recs = records(out)
    stats = [r for r in recs if r.get("event_type") == "stats"]
    check(bool(recs) and recs[-1].get("event_type") == "stats",
          "the final stats record comes last (%d stats records)" % len(stats))
    cap = stats[-1]["stats"]["capture"] if stats else {}
    drops = cap.get("kernel_drop", cap.get("kernel_drops", 0))
    print("    kernel_recv %s, kernel_drop %s, alarms %d" %
          (cap.get("kernel_recv", cap.get("kernel_packets")), drops, len(alarms)))

    def kind(r):
        return r["session"]["stuck"]["kind"]

    def low(r):
        return r["session"]["stuck"].get("confidence") == "capture_loss"

    if MODE == "clean":
        check(drops == 0, "no kernel drops (%d)" % drops)
        flows = {r["src_port"]: r for r in recs if r.get("event_type") == "flow"}
        for port in ports + [cw_port]:
            r = flows.get(port)
            check(r is not None, "flow record for client port %d" % port)
            if r is None:
                continue
            server = r["dest_port"]
            want_c = snap.get((port, server), "CLOSED")
            want_s = snap.get((server, port), "CLOSED")
            got_c, got_s = r["session"]["client"]["state"], r["session"]["server"]["state"]
            check((got_c, got_s) == (want_c, want_s),
                  "port %d: states %s/%s, kernel %s/%s" % (port, got_c, got_s, want_c, want_s))
        got = sorted((kind(r), r["src_port"]) for r in alarms)
        want = sorted([("close_wait", cw_port), ("syn_unanswered", syn_port)])
        check(got == want, "alarms %s, want %s" % (got, want))
        check(not any(low(r) for r in alarms), "no alarm marked capture_loss without drops")
    else:
        check(drops > 0, "the small ring dropped packets (%d)" % drops)
        for r in alarms:
            k, c, s = kind(r), r["src_port"], r["dest_port"]
            if k not in ("close_wait", "half_open") or low(r):
                continue
            if k == "close_wait":
                real = snap.get((s, c)) == "CLOSE_WAIT" or snap.get((c, s)) == "CLOSE_WAIT"
            else:
                real = ((c, s) in snap) != ((s, c) in snap)
            check(real, "%s alarm on %d->%d with normal confidence is real (kernel: %s / %s)"
                  % (k, c, s, snap.get((c, s)), snap.get((s, c))))
        check(any(kind(r) == "close_wait" and r["src_port"] == cw_port for r in alarms),
              "the real CLOSE_WAIT is still reported")
        print("    %d alarms, %d with confidence capture_loss" %
              (len(alarms), sum(1 for r in alarms if low(r))))
    for s in keep:
        s.close()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main()
