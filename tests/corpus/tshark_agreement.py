#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Per-connection analysis counts: flowstate -T eve against tshark 4.0.

Usage: tshark_agreement.py FLOWSTATE CORPUS_DIR EXCEPTIONS [--markdown FILE]

For every capture in CORPUS_DIR/MANIFEST.tsv, runs flowstate -T eve and
compares, per TCP endpoint pair, the counts of retransmission,
fast/spurious retransmission, out-of-order, lost segment, duplicate ACK,
zero window, zero-window probe, window full and keep-alive, and the
captured payload bytes, with the capture's .tshark-analysis.tsv (made by
shared/tools/tshark_oracle.sh). Counts are summed per endpoint pair on both
sides, so a tuple that flowstate splits into several connections (port reuse)
and tshark keeps as one stream compares equal when the packets agree.
Differences listed in EXCEPTIONS (file, endpoints, field, tshark, ours,
reason) are explained; any other difference fails. Prints a table and
"N passed, M failed" (N, M = files).
"""
import collections
import json
import os
import subprocess
import sys

FLAGS = [  # tshark column -> flowstate endpoint field
    ("retransmission", "retransmits"), ("fast_retransmission", "fast_retransmits"),
    ("spurious_retransmission", "spurious_retransmits"), ("out_of_order", "out_of_order"),
    ("lost_segment", "lost_segments"), ("duplicate_ack", "dup_acks"),
    ("zero_window", "zero_windows"), ("zero_window_probe", "zero_window_probes"),
    ("window_full", "window_full"), ("keep_alive", "keepalives"),
]
FIELDS = [f for f, _ in FLAGS] + ["payload"]


def ends(a, pa, b, pb):
    x, y = (a, int(pa)), (b, int(pb))
    return tuple(sorted([x, y]))


def tshark_counts(path):
    out = collections.defaultdict(collections.Counter)
    with open(path) as f:
        lines = [l.rstrip("\n") for l in f if not l.startswith("#")]
    hdr = lines[0].split("\t")
    for l in lines[1:]:
        if not l:
            continue
        r = dict(zip(hdr, l.split("\t")))
        k = ends(r["addr_a"], r["port_a"], r["addr_b"], r["port_b"])
        for f, _ in FLAGS:
            out[k][f] += int(r[f])
        out[k]["payload"] += int(r["payload_a_to_b"]) + int(r["payload_b_to_a"])
    return out


def our_counts(flowstate, cap):
    p = subprocess.run([flowstate, "-T", "eve", "-r", cap], capture_output=True, text=True)
    out = collections.defaultdict(collections.Counter)
    for line in p.stdout.splitlines():
        r = json.loads(line)
        if r.get("event_type") != "flow":
            continue
        k = ends(r["src_ip"], r["src_port"], r["dest_ip"], r["dest_port"])
        s = r["session"]
        for f, ours in FLAGS:
            out[k][f] += s["client"][ours] + s["server"][ours]
        out[k]["payload"] += s["client"]["payload_bytes"] + s["server"]["payload_bytes"]
    return out, p.returncode


def norm_ip(ip):
    import ipaddress
    return str(ipaddress.ip_address(ip))


def main():
    flowstate, corpus, exc_path = sys.argv[1:4]
    md = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--markdown" else None
    exceptions = {}
    with open(exc_path) as f:
        for l in f:
            if l.startswith("#") or not l.strip():
                continue
            file, e, field, tv, ov, reason = l.rstrip("\n").split("\t")
            exceptions[(file, e, field)] = (int(tv), int(ov), reason)
    files = []
    with open(os.path.join(corpus, "MANIFEST.tsv")) as f:
        next(f)
        for l in f:
            files.append(l.split("\t")[0])
    passed = failed = 0
    cells = agree = explained = 0
    totals = collections.Counter()
    rows = []
    seen_exc = set()
    for name in files:
        cap = os.path.join(corpus, name)
        ts = tshark_counts(cap + ".tshark-analysis.tsv")
        ts = {tuple((norm_ip(a), p) for a, p in k): v for k, v in ts.items()}
        ours, _ = our_counts(flowstate, cap)
        ours = {tuple((norm_ip(a), p) for a, p in k): v for k, v in ours.items()}
        bad = 0
        for k in sorted(set(ts) | set(ours)):
            t, o = ts.get(k, collections.Counter()), ours.get(k, collections.Counter())
            e = "%s:%d-%s:%d" % (k[0][0], k[0][1], k[1][0], k[1][1])
            for field in FIELDS:
                cells += 1
                totals[field, "tshark"] += t[field]
                totals[field, "ours"] += o[field]
                if t[field] == o[field]:
                    agree += 1
                    continue
                ex = exceptions.get((name, e, field))
                if ex and ex[0] == t[field] and ex[1] == o[field]:
                    explained += 1
                    seen_exc.add((name, e, field))
                    rows.append((name, e, field, t[field], o[field], ex[2]))
                    continue
                bad += 1
                rows.append((name, e, field, t[field], o[field], "UNEXPECTED"))
        if bad:
            failed += 1
        else:
            passed += 1
    for r in rows:
        print("\t".join(str(x) for x in r))
    for k in sorted(set(exceptions) - seen_exc):
        print("stale exception (no longer differs):", "\t".join(k))
    print("cells: %d, equal: %d (%.2f%%), explained: %d" % (cells, agree, 100.0 * agree / cells,
                                                             explained))
    for field in FIELDS:
        print("  %-24s tshark %8d  flowstate %8d" % (field, totals[field, "tshark"],
                                                     totals[field, "ours"]))
    if md:
        with open(md, "w") as f:
            f.write("# Analysis agreement with tshark 4.0.17\n\n"
                    "Generated by `tests/corpus/tshark-agreement.sh --markdown` over the %d "
                    "captures of `shared/corpus/public`.\nPer endpoint pair, summed over "
                    "connections; payload = captured TCP payload bytes.\n\n" % len(files))
            f.write("%d cells compared, %d equal (%.2f%%), %d explained differences, "
                    "%d unexplained.\n\n" % (cells, agree, 100.0 * agree / cells, explained,
                                             cells - agree - explained))
            f.write("| field | tshark total | flowstate total |\n|---|---:|---:|\n")
            for field in FIELDS:
                f.write("| %s | %d | %d |\n" % (field, totals[field, "tshark"],
                                                totals[field, "ours"]))
            f.write("\n## Differences\n\n| file | endpoints | field | tshark | flowstate | "
                    "reason |\n|---|---|---|---:|---:|---|\n")
            for r in rows:
                f.write("| %s | %s | %s | %d | %d | %s |\n" % r)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
