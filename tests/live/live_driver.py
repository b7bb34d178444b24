#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Live capture checks against the real Linux TCP stack (run by run-live.sh).

Run as `ip netns exec NS /usr/bin/python3 live_driver.py FLOWSTATE OUTDIR`
in a private namespace whose loopback is up and whose nftables drop SYNs to
port 9101. Only the namespace's own loopback is used.

Starts `flowstate -i lo -T eve --stuck-after 2 --update-interval 1
--stats-interval 1` (no -l:
records must reach the file promptly without it) and
drives kernel connections while it runs:
  clean        9100  handshake, data, both sides close
  syn_unans    9101  connect() whose SYN is dropped (kept pending)
  close_wait   9102  client shutdown(SHUT_WR), server never closes
  established  9103  data both ways, left open
Then checks the records as they arrive (tcp_stuck for close_wait while the
sockets are still open, tcp_stuck for the SYN, flow_update), SIGHUP after a
rename, and after ss(8) and SIGINT the final shutdown records against ss,
the stats record, and the -w file against decoder.pkts. Separately: a
second SIGINT ends flowstate within 1 s even while its final writes block.
Prints one line per check and "N passed, M failed"; exit status 1 on failure.
"""
import fcntl
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

FLOWSTATE, OUT = sys.argv[1], sys.argv[2]
LO = "127.0.0.1"
PORTS = {"clean": 9100, "syn_unans": 9101, "close_wait": 9102, "established": 9103}
passed = failed = 0
keep = []


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what)
    sys.stdout.flush()
    return ok


def records(*paths):
    """Every complete line of the given files, parsed; a torn line is a failure."""
    out = []
    for p in paths:
        if not os.path.exists(p):
            continue
        with open(p, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            data = data[: data.rfind(b"\n") + 1]  # writer mid-flush
        for line in data.splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"event_type": "BROKEN", "line": line[:80]})
    return out


def capturing(pid):
    """
    True once pid's packet socket is bound to all protocols and pid catches
    SIGINT. libpcap first binds with protocol 0 (ss shows "[0]:lo", nothing
    is received yet) and rebinds to ETH_P_ALL ("*:lo") once the ring is set up.
    """
    ss = subprocess.run(["ss", "-0", "-a", "-p", "-H"], capture_output=True, text=True).stdout
    if not any(("pid=%d," % pid) in l and " *:" in l for l in ss.splitlines()):
        return False
    try:
        with open("/proc/%d/status" % pid) as f:
            cgt = [l.split()[1] for l in f if l.startswith("SigCgt:")][0]
    except (OSError, IndexError):
        return False
    return (int(cgt, 16) >> (signal.SIGINT - 1)) & 1 == 1


def start(args):
    p = subprocess.Popen([FLOWSTATE] + args, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and p.poll() is None and not capturing(p.pid):
        time.sleep(0.02)
    if not capturing(p.pid):
        print("flowstate did not start: %s" % p.stderr.read().decode(errors="replace"))
        p.kill()
        sys.exit(1)
    return p


def wait_for(pred, paths, timeout):
    """Polls the output until pred(record) holds; returns (record, seconds) or (None, t)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        for r in records(*paths):
            if pred(r):
                return r, time.monotonic() - t0
        time.sleep(0.05)
    return None, time.monotonic() - t0


def listener(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((LO, port))
    s.listen(16)
    keep.append(s)
    return s


def pair(port):
    lst = listener(port)
    c = socket.create_connection((LO, port))
    srv, _ = lst.accept()
    keep.extend([c, srv])
    return c, srv


def tuple_of(c):
    return (c.getsockname()[1], c.getpeername()[1])


def is_flow(r, kind, cport, sport):
    return (r.get("event_type") == kind and r.get("src_port") == cport
            and r.get("dest_port") == sport)


def stuck_kind(r):
    st = (r.get("session") or {}).get("stuck") or {}
    return st.get("kind")


SS_NAMES = {"ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECEIVED",
            "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2", "CLOSE-WAIT": "CLOSE_WAIT",
            "CLOSING": "CLOSING", "LAST-ACK": "LAST_ACK", "TIME-WAIT": "TIME_WAIT"}


def ss_snapshot():
    """{(local_port, peer_port): RFC state name} for every non-listening TCP socket."""
    snap = {}
    txt = subprocess.run(["ss", "-tanH"], capture_output=True, text=True).stdout
    for line in txt.splitlines():
        f = line.split()
        if len(f) < 5 or f[0] == "LISTEN":
            continue
        lport = int(f[3].rsplit(":", 1)[1])
        pport = int(f[4].rsplit(":", 1)[1])
        snap[(lport, pport)] = SS_NAMES.get(f[0], f[0])
    return snap


def main_run():
    out = os.path.join(OUT, "out.json")
    rotated = out + ".1"
    wfile = os.path.join(OUT, "out.pcap")
    fs = start(["-i", "lo", "-T", "eve", "--stuck-after", "2", "--update-interval", "1",
                "--stats-interval", "1", "-o", out, "-w", wfile])

    # clean: handshake, a request, an answer, FIN both ways
    c, s = pair(PORTS["clean"])
    clean = tuple_of(c)
    c.sendall(b"GET /\r\n")
    s.recv(100)
    s.sendall(b"200 OK\r\n")
    c.recv(100)
    c.close()
    s.close()

    # established: left open with data both ways
    c, s = pair(PORTS["established"])
    est = tuple_of(c)
    c.sendall(b"x" * 1000)
    s.recv(2000)
    s.sendall(b"y" * 500)
    c.recv(1000)

    # close_wait: the client half-closes; the server reads EOF and never closes
    c, s = pair(PORTS["close_wait"])
    cw = tuple_of(c)
    cw_sockets = (c, s)
    c.sendall(b"bye")
    c.shutdown(socket.SHUT_WR)
    s.recv(100)
    s.recv(100)  # b"": EOF, the server is in CLOSE-WAIT now
    t_half_close = time.monotonic()

    # syn_unans: SYNs to 9101 are dropped by nftables; the connect stays pending
    listener(PORTS["syn_unans"])
    u = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    u.setblocking(False)
    u.connect_ex((LO, PORTS["syn_unans"]))
    keep.append(u)
    syn = (u.getsockname()[1], PORTS["syn_unans"])

    r, t = wait_for(lambda r: is_flow(r, "tcp_stuck", cw[0], cw[1]), [out], 8)
    waited = time.monotonic() - t_half_close
    check(r is not None and stuck_kind(r) == "close_wait",
          "tcp_stuck close_wait arrives while the sockets are open (%.2f s after the "
          "half-close, stuck-after 2 s)" % waited)
    check(r is not None and waited <= 6.0, "close_wait record within 6 s")
    check(all(x.fileno() >= 0 for x in cw_sockets) and
          ss_snapshot().get((cw[1], cw[0])) == "CLOSE_WAIT",
          "the CLOSE_WAIT server socket is still open when the record arrives")
    if r is not None:
        srv = r["session"]["server"]["state"]
        cli = r["session"]["client"]["state"]
        check((cli, srv) == ("FIN_WAIT_2", "CLOSE_WAIT"),
              "tcp_stuck record states client %s server %s" % (cli, srv))

    r, t = wait_for(lambda r: is_flow(r, "tcp_stuck", syn[0], syn[1]), [out], 12)
    check(r is not None and stuck_kind(r) == "syn_unanswered",
          "tcp_stuck syn_unanswered for the dropped SYN (%.2f s)" % t)

    r, t = wait_for(lambda r: is_flow(r, "flow_update", est[0], est[1]), [out], 4)
    check(r is not None and r["session"]["client"]["state"] == "ESTABLISHED",
          "flow_update records for open connections (--update-interval 1)")

    # SIGHUP: logrotate renames, signals; new records go to a new file of the old name
    os.rename(out, rotated)
    fs.send_signal(signal.SIGHUP)
    r, t = wait_for(lambda r: r.get("event_type") == "flow_update", [out], 4)
    check(r is not None and os.path.exists(out),
          "after rename + SIGHUP new records go to a new %s (%.2f s)" % (os.path.basename(out), t))
    check(fs.poll() is None, "flowstate survives SIGHUP")

    snap = ss_snapshot()
    fs.send_signal(signal.SIGINT)
    try:
        rc = fs.wait(timeout=10)
    except subprocess.TimeoutExpired:
        fs.kill()
        rc = -1
    err = fs.stderr.read().decode(errors="replace")
    check(rc == 0, "SIGINT: exit status 0 (got %s) %s" % (rc, err.strip()))

    recs = records(rotated, out)
    check(all(r.get("event_type") != "BROKEN" for r in recs),
          "every line of both files is a whole JSON record (%d records)" % len(recs))
    check(recs and recs[-1].get("event_type") == "stats", "the stats record comes last")
    periodic = [r for r in recs[:-1] if r.get("event_type") == "stats"]
    check(len(periodic) >= 2 and all("pkts_delta" in r["stats"]["decoder"] for r in recs
                                     if r.get("event_type") == "stats"),
          "periodic stats records with deltas while running (%d)" % len(periodic))
    # the run's records in order, both files, for tests/schema/eve_schema.py (run-live.sh)
    with open(os.path.join(OUT, "all.json"), "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
    flows = [r for r in recs if r.get("event_type") == "flow"]
    by_tuple = {(r["src_port"], r["dest_port"]): r for r in flows}
    for name, tup in (("established", est), ("close_wait", cw), ("syn_unans", syn)):
        r = by_tuple.get(tup)
        check(r is not None and r["flow"]["reason"] == "shutdown",
              "%s: final flow record with reason shutdown (%s)"
              % (name, r["flow"]["reason"] if r else "missing"))
    r = by_tuple.get(clean)
    check(r is not None and r["session"]["client"]["state"] in ("TIME_WAIT", "CLOSED"),
          "clean: record with the client in TIME_WAIT/CLOSED (%s)"
          % (r["session"]["client"]["state"] if r else "missing"))
    stuck_first = [i for i, x in enumerate(recs) if is_flow(x, "tcp_stuck", cw[0], cw[1])]
    final = [i for i, x in enumerate(recs) if is_flow(x, "flow", cw[0], cw[1])]
    check(stuck_first and final and stuck_first[0] < final[0],
          "close_wait: tcp_stuck comes before the final record")

    # endpoint states in the final records against ss just before SIGINT
    compared = 0
    for (lport, pport), state in sorted(snap.items()):
        r = by_tuple.get((lport, pport))
        role = "client"
        if r is None:
            r = by_tuple.get((pport, lport))
            role = "server"
        if r is None:
            check(False, "ss socket %d->%d %s has no flow record" % (lport, pport, state))
            continue
        got = r["session"][role]["state"]
        compared += 1
        check(got == state, "ss %-11s %5d->%-5d = %s %s" % (state, lport, pport, role, got))
    check(compared >= 5, "compared %d sockets with ss" % compared)

    stats = recs[-1].get("stats", {}) if recs else {}
    cap = stats.get("capture", {})
    check(all(k in cap for k in ("kernel_packets", "kernel_drops", "kernel_ifdrops")),
          "stats has capture.kernel_packets/kernel_drops/kernel_ifdrops (%s/%s/%s)"
          % (cap.get("kernel_packets"), cap.get("kernel_drops"), cap.get("kernel_ifdrops")))
    own_cap = stats.get("flowstate", {}).get("capture", {})
    # tcpdump's closing lines on stderr; "captured" is what flowstate read
    lines = [l for l in err.splitlines() if " packet" in l]
    want = re.compile(r"^(\d+) packets? (captured|received by filter|dropped by kernel"
                      r"|dropped by interface)$")
    got = [want.match(l) for l in lines]
    check(len(lines) in (3, 4) and all(got) and got[0].group(2) == "captured"
          and int(got[0].group(1)) == own_cap.get("records")
          and got[1].group(2) == "received by filter" and got[2].group(2) == "dropped by kernel"
          and (len(lines) == 3 or int(got[3].group(1)) > 0),
          "stderr ends with tcpdump's lines, %s captured = flowstate.capture.records %s: %s"
          % (got[0].group(1) if got and got[0] else "?", own_cap.get("records"), lines))
    pkts = stats.get("decoder", {}).get("pkts")
    cnt = subprocess.run(["capinfos", "-c", "-M", wfile], capture_output=True, text=True).stdout
    wcount = int(cnt.split("Number of packets:")[1].split()[0]) if "Number of packets:" in cnt \
        else None
    tshark = subprocess.run(["tshark", "-r", wfile, "-T", "fields", "-e", "frame.number"],
                            capture_output=True, text=True).stdout.split()
    check(pkts is not None and wcount == pkts and len(tshark) == pkts,
          "-w file: capinfos %s, tshark %d packets = decoder.pkts %s"
          % (wcount, len(tshark), pkts))
    for x in keep:
        x.close()
    keep.clear()


def pcap_count(path):
    cnt = subprocess.run(["capinfos", "-c", "-M", path], capture_output=True, text=True).stdout
    return int(cnt.split("Number of packets:")[1].split()[0]) if "Number of packets:" in cnt else 0


def wchan(pid):
    try:
        with open("/proc/%d/wchan" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def double_sigint():
    """
    The second SIGINT must end flowstate at once even while it is stuck: its
    -o is a FIFO with a one-page buffer that is never read, so the final
    records after the first SIGINT block in write(2) (seen as wchan
    pipe_write); without the second-signal exit it would hang forever.
    """
    fifo = os.path.join(OUT, "fifo")
    wfile = os.path.join(OUT, "twice.pcap")
    os.mkfifo(fifo)
    rd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    fcntl.fcntl(rd, 1031, 4096)  # F_SETPIPE_SZ: one page
    fs = start(["-i", "lo", "-T", "eve", "--immediate-mode", "--update-interval", "0",
                "-o", fifo, "-w", wfile])
    conns = [pair(9200 + i) for i in range(5)]
    for c, s in conns:
        c.sendall(b"hello")
        s.recv(10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and pcap_count(wfile) < 15:
        time.sleep(0.05)  # the -w file is flushed when the capture goes idle
    fs.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and fs.poll() is None and "pipe_write" not in wchan(fs.pid):
        time.sleep(0.01)
    blocked = "pipe_write" in wchan(fs.pid)
    check(blocked, "after the first SIGINT flowstate blocks writing its final records "
          "(wchan %s, %d packets in -w)" % (wchan(fs.pid), pcap_count(wfile)))
    t0 = time.monotonic()
    fs.send_signal(signal.SIGINT)
    try:
        rc = fs.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        fs.kill()
        fs.wait()
        rc = None
    dt = time.monotonic() - t0
    check(rc == 130, "second SIGINT: exited in %.3f s with status %s (want 130 within 1 s)"
          % (dt, rc))
    os.close(rd)
    for x in keep:
        x.close()


main_run()
double_sigint()
print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 else 1)
