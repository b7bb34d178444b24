#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""same_records.py FILE.jsonl REDIS.jsonl: the records read back from Redis
equal the file output, in order. The stats record may differ only in
stats.flowstate.output (the Redis writer's own counters, which a file run
does not have). Prints a summary; exit 1 on a difference."""
import json
import sys


def load(path):
    recs = [json.loads(l) for l in open(path) if l.strip()]
    for r in recs:
        if r.get("event_type") == "stats":
            fs = r["stats"].get("flowstate", {})
            fs.pop("output", None)
            if not fs:
                r["stats"].pop("flowstate", None)
    return recs


a, b = load(sys.argv[1]), load(sys.argv[2])
if len(a) != len(b):
    print("%d records in the file, %d in Redis" % (len(a), len(b)))
    sys.exit(1)
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        print("record %d differs:\n  file:  %s\n  redis: %s" % (i, json.dumps(x)[:300], json.dumps(y)[:300]))
        sys.exit(1)
print("%d records equal" % len(a))
