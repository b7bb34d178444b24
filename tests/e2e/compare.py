#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare flowstate's EVE records with the kernel's socket states.

Usage: compare.py OUTDIR   (reads ss.txt, scenarios.json, flows.json)
For every connection the scenarios made, both endpoints' states must equal
what `ss` reported for the two sockets (a socket ss does not list is CLOSED,
or NONE for an endpoint that never sent anything), and each scenario's own
facts must hold (stuck kind, handshake, close, conn_state, counters).
Prints one line per failed check and "N passed, M failed".
"""
import ipaddress
import json
import os
import sys

OUT = sys.argv[1]
SS_NAME = {
    "ESTABLISHED": "ESTAB", "SYN_SENT": "SYN-SENT", "SYN_RECEIVED": "SYN-RECV",
    "FIN_WAIT_1": "FIN-WAIT-1", "FIN_WAIT_2": "FIN-WAIT-2", "TIME_WAIT": "TIME-WAIT",
    "CLOSE_WAIT": "CLOSE-WAIT", "LAST_ACK": "LAST-ACK", "CLOSING": "CLOSING",
    "CLOSED": None, "NONE": None,
}
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def norm(ip):
    return str(ipaddress.ip_address(ip.strip("[]")))


def split_hostport(s):
    host, port = s.rsplit(":", 1)
    return norm(host), int(port)


ss = {}
with open(os.path.join(OUT, "ss.txt")) as f:
    for line in f:
        parts = line.split()
        if len(parts) < 5 or parts[0] in ("LISTEN", "UNCONN"):
            continue
        ss[split_hostport(parts[3]) + split_hostport(parts[4])] = parts[0]

records = {}
stats = None
with open(os.path.join(OUT, "flows.json")) as f:
    for line in f:
        r = json.loads(line)
        if r.get("event_type") == "stats":
            stats = r
            continue
        if r.get("event_type") != "flow":
            continue
        key = (norm(r["src_ip"]), r["src_port"], norm(r["dest_ip"]), r["dest_port"])
        records[key] = r  # a reused tuple keeps its last incarnation
with open(os.path.join(OUT, "scenarios.json")) as f:
    scen = json.load(f)

check(stats is not None, "stats record present")


def kernel_state(local, peer):
    return ss.get(local + peer)


for name, conns in sorted(scen.items()):
    for cip, cport, sip, sport in conns:
        key = (norm(cip), cport, norm(sip), sport)
        r = records.get(key)
        tag = "%s %s:%d -> %s:%d" % (name, cip, cport, sip, sport)
        check(r is not None, tag + ": no flow record with these roles")
        if r is None:
            continue
        s = r["session"]
        cli = s["client"]["state"]
        srv = s["server"]["state"]
        want_c = kernel_state((key[0], key[1]), (key[2], key[3]))
        want_s = kernel_state((key[2], key[3]), (key[0], key[1]))
        check(SS_NAME.get(cli, "?") == want_c,
              "%s: client state %s, kernel says %s" % (tag, cli, want_c or "no socket"))
        check(SS_NAME.get(srv, "?") == want_s,
              "%s: server state %s, kernel says %s" % (tag, srv, want_s or "no socket"))
        check(s["violations"] == [],
              "%s: unexpected violations %s" % (tag, json.dumps(s["violations"])[:300]))
        stuck = s["stuck"]["kind"] if s["stuck"] else None
        expect_stuck = {"close_wait": "close_wait", "syn_unanswered": "syn_unanswered",
                        "zero_window": "zero_window"}.get(name)
        check(stuck == expect_stuck, "%s: stuck %s, want %s" % (tag, stuck, expect_stuck))
        hs, close, cs = s["handshake"], s["close"], s["conn_state"]
        if name in ("clean_close", "server_closes_first", "many_short", "lossy_bulk"):
            check(hs == "complete" and close == "fin" and cs == "SF",
                  "%s: handshake/close/conn_state %s/%s/%s, want complete/fin/SF"
                  % (tag, hs, close, cs))
        elif name == "rejected":
            check(hs == "rejected" and cs == "REJ", "%s: %s/%s, want rejected/REJ" % (tag, hs, cs))
        elif name == "rst_client":
            check(close == "reset" and cs == "RSTO", "%s: %s/%s, want reset/RSTO" % (tag, close, cs))
        elif name == "rst_server":
            check(close == "reset" and cs == "RSTR", "%s: %s/%s, want reset/RSTR" % (tag, close, cs))
        elif name == "syn_unanswered":
            check(hs == "syn_only" and cs == "S0", "%s: %s/%s, want syn_only/S0" % (tag, hs, cs))
            check(s["client"]["retransmits"] >= 1, tag + ": SYN retransmissions not counted")
        elif name == "close_wait":
            check(close == "half", "%s: close %s, want half" % (tag, close))
        elif name == "pre_capture":
            check(s["midstream"] is True and hs == "midstream",
                  "%s: midstream %s handshake %s" % (tag, s["midstream"], hs))
        elif name == "tfo":
            check(hs == "complete", "%s: handshake %s" % (tag, hs))
        if name == "lossy_bulk":
            check(s["client"]["retransmits"] > 0, tag + ": no retransmissions counted")
            check(s["client"]["unique_bytes"] == 1 << 20,
                  "%s: unique bytes %d, want %d" % (tag, s["client"]["unique_bytes"], 1 << 20))
        if name == "zero_window":
            check(s["server"]["zero_windows"] > 0, tag + ": no zero window counted")
        if name == "keepalive":
            check(s["client"]["keepalives"] > 0, tag + ": no keep-alives counted")
        if name == "ipv6":
            check(r.get("ip_v") == 6, tag + ": ip_v is not 6")

d = stats["stats"]["decoder"] if stats else {}
if d:
    outcome = sum(v for k, v in stats["stats"]["flowstate"]["decoder"].get("outcome", {}).items()
                  if not k.endswith("_delta"))
    check(d["pkts"] == outcome, "stats: decoder.pkts != sum(flowstate.decoder.outcome)")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
