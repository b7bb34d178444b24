#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks a Prometheus exposition against the EVE stats record it came from.

usage: metrics_agree.py EVE.jsonl METRICS.prom [--connections N]

Every counter of the last stats record must appear as exactly one sample with
the same value, under the name the documented rule gives (re-implemented here,
independently of src/report/metrics.c): drop a leading "flowstate.", match the
labelled families, join the rest with '_', prefix "flowstate_", "_total" for
counters; tcp.handshake_rtt.* is a histogram in seconds. And every sample of a
flowstate_* family derived from stats must come from a counter (nothing made
up). The connection gauges must sum to the connections the EVE file says were
open at the end (flow records with reason "shutdown"), role by role.
Prints one line per failure and "N passed, N failed".
"""
import json
import re
import sys

FAMILIES = [
    ("decoder.outcome.*", "outcome"), ("decoder.truncated.*", "reason"),
    ("decoder.malformed.*", "reason"), ("decoder.linktype.*", "linktype"),
    ("decoder.checksum.*", "result"), ("decoder.defrag.outcome.*", "outcome"),
    ("flow.end.*", "reason"), ("flow.end.state.*", "state"),
    ("flow.end.tcp_state.*", "tcp_state"), ("flow.evicted.*", "class"), ("tcp.stuck.*", "kind"),
    ("tcp.violations.*", "kind"), ("capture.handles.*.kernel_packets", "worker"),
    ("capture.handles.*.kernel_drops", "worker"),
]
GAUGES = {"flow.active", "flow.peak", "flow.memcap_bytes", "flow.max_flows", "flow.slot_bytes"}
CONNECTION_GAUGES = {"flowstate_tcp_endpoints", "flowstate_tcp_connections",
                     "flowstate_tcp_stuck_connections", "flowstate_tcp_server_stuck_connections"}
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')


def flatten(obj, prefix=""):
    for k, v in obj.items():
        p = prefix + k
        if isinstance(v, dict):
            yield from flatten(v, p + ".")
        else:
            yield p, v


def us_to_seconds(us):
    whole, frac = divmod(us, 1000000)
    if frac == 0:
        return str(whole)
    return ("%d.%06d" % (whole, frac)).rstrip("0")


def expected_sample(path):
    """(name, labels tuple) for a stats path, or None for no metric."""
    if path.startswith("flowstate."):
        path = path[len("flowstate."):]
    if path.endswith("_delta"):
        return None
    if path.startswith("tcp.handshake_rtt."):
        rest = path[len("tcp.handshake_rtt."):]
        base = "flowstate_tcp_handshake_rtt_seconds"
        if rest == "count":
            return (base + "_count", ())
        if rest == "sum_ns":
            return (base + "_sum", ())
        assert rest.startswith("le_us."), path
        return (base + "_bucket", (("le", us_to_seconds(int(rest[6:]))),))
    comps = path.split(".")
    labels = ()
    for pat, label in FAMILIES:
        pc = pat.split(".")
        if len(pc) == len(comps) and all(a == "*" or a == b for a, b in zip(pc, comps)):
            star = pc.index("*")
            labels = ((label, comps[star]),)
            comps = comps[:star] + comps[star + 1:]
            break
    name = "flowstate_" + "_".join(re.sub(r"[^a-zA-Z0-9_]", "_", c) for c in comps)
    if path not in GAUGES:
        name += "_total"
    return (name, labels)


def parse_prom(text):
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            types[name] = typ
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, "unparsable sample line: " + line
        labels = ()
        if m.group(3):
            labels = tuple(tuple(kv.split("=", 1)) for kv in
                           re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")', m.group(3)))
            labels = tuple((k, v[1:-1]) for k, v in labels)
        key = (m.group(1), labels)
        assert key not in samples, "duplicate sample " + line
        samples[key] = m.group(4)
    return samples, types


def main():
    eve, prom = sys.argv[1], sys.argv[2]
    records = [json.loads(l) for l in open(eve) if l.strip()]
    stats = [r for r in records if r.get("event_type") == "stats"][-1]["stats"]
    samples, types = parse_prom(open(prom).read())
    passed = failed = 0
    used = set()

    def fail(msg):
        nonlocal failed
        failed += 1
        print("FAIL: %s: %s" % (prom, msg))

    for path, value in flatten(stats):
        exp = expected_sample(path)
        if exp is None:
            continue
        used.add(exp)
        got = samples.get(exp)
        if exp[0].endswith("_sum") and "handshake_rtt" in exp[0]:
            ok = got is not None and abs(float(got) - value / 1e9) < 1e-9
        else:
            ok = got is not None and got == str(value)
        if ok:
            passed += 1
        else:
            fail("stats.%s = %s, metric %s%s = %s" % (path, value, exp[0], dict(exp[1]), got))
    inf = samples.get(("flowstate_tcp_handshake_rtt_seconds_bucket", (("le", "+Inf"),)))
    cnt = samples.get(("flowstate_tcp_handshake_rtt_seconds_count", ()))
    if inf is not None and inf == cnt:
        passed += 1
    else:
        fail("histogram +Inf bucket %s != count %s" % (inf, cnt))
    used.add(("flowstate_tcp_handshake_rtt_seconds_bucket", (("le", "+Inf"),)))
    for key in samples:
        if key not in used and key[0] not in CONNECTION_GAUGES:
            fail("sample %s%s comes from no stats counter" % (key[0], dict(key[1])))
    # connection gauges: the connections still open when the input ended
    ended = [r for r in records if r.get("event_type") == "flow"
             and r.get("flow", {}).get("reason") == "shutdown" and "session" in r]
    for role, side in (("client", "client"), ("server", "server")):
        total = sum(int(v) for (n, l), v in samples.items()
                    if n == "flowstate_tcp_endpoints" and ("role", role) in l)
        if total == len(ended):
            passed += 1
        else:
            fail("sum of flowstate_tcp_endpoints{role=%s} = %d, open connections at the end = %d"
                 % (role, total, len(ended)))
        for r in ended:
            st = r["session"][side]["state"].lower()
            key = ("flowstate_tcp_endpoints", (("state", st), ("role", role)))
            if key not in samples:
                fail("no sample for %s" % (key,))
    stuck = sum(1 for r in ended if r["session"].get("stuck"))
    total = sum(int(v) for (n, l), v in samples.items() if n == "flowstate_tcp_stuck_connections")
    if total == stuck:
        passed += 1
    else:
        fail("stuck connections gauge sum %d != stuck shutdown records %d" % (total, stuck))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
