#!/usr/bin/env python3
# Usage (from /work/shared/corpus/public): python3 an_compare.py ./an_driver CAPTURE...
# Agreement harness for tcp_analysis (not run by make); see an_driver.c.
"""Compare an_driver output with <capture>.tshark-analysis.tsv per stream and flag."""
import subprocess, sys, collections
FLAGS = ["retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
         "lost_segment", "duplicate_ack", "zero_window", "zero_window_probe", "window_full",
         "keep_alive"]
def rows(lines):
    lines = [l for l in lines if l and not l.startswith('#')]
    hdr = lines[0].split('\t')
    out = collections.OrderedDict(); occ = collections.Counter()
    for l in lines[1:]:
        r = dict(zip(hdr, l.split('\t')))
        ends = tuple(sorted([(r['addr_a'], r['port_a']), (r['addr_b'], r['port_b'])]))
        occ[ends] += 1
        out[(ends, occ[ends])] = r
    return out
drv = sys.argv[1]; total = agree = 0; mism = []
for cap in sys.argv[2:]:
    ts = rows(open(cap + '.tshark-analysis.tsv').read().split('\n'))
    ours = rows(subprocess.run([drv, cap], capture_output=True, text=True).stdout.split('\n'))
    name = '/'.join(cap.split('/')[-2:])
    for k, t in ts.items():
        o = ours.get(k)
        for f in FLAGS:
            tv = int(t[f]); ov = int(o[f]) if o else -1
            total += 1
            if tv == ov: agree += 1
            else: mism.append((name, t['stream'], f, tv, ov if o else 'missing'))
        if o:
            total += 1
            tp = int(t['payload_a_to_b']) + int(t['payload_b_to_a'])
            if tp == int(o['payload']): agree += 1
            else: mism.append((name, t['stream'], 'payload', tp, o['payload']))
for m in mism: print('\t'.join(map(str, m)))
print(f"agreement: {agree}/{total} stream-flag cells ({100.0*agree/max(total,1):.2f}%)")
