#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Validates flowstate's EVE output against Suricata's own EVE schema.

    eve_schema.py [--schema SCHEMA.json] [--quiet] FILE.jsonl...

Suricata's schema (etc/schema.json, GPL-2.0) is read where it lies, never
copied into flowstate's tree: --schema, else $FLOWSTATE_EVE_SCHEMA, else
../shared/ref/suricata-eve-schema/schema.json beside the source tree. Every
object in it forbids keys it does not define, so a record passes only if
each of its keys is Suricata's, with Suricata's type, or one of the
additions flowstate documents (doc/schema.md 1.3), which are allowed here
in memory and nowhere else:

  * `session`: flowstate's TCP analysis object in flow, flow_update and
    tcp_stuck records (its own shape is checked below, not by Suricata's);
  * `stats.flowstate`: flowstate's own counters, integers in nested objects;
  * `<counter>_delta`: beside every integer counter of a stats record, the
    change since the previous stats record (Suricata's stats `deltas`
    convention, which its schema does not list).

Beyond the schema it checks what a dashboard relies on: every stats
counter and delta is an integer, a delta equals the counter's change since
the previous stats record of the same file (the first: since zero), a flow
record's timestamp is not before its flow.end, and each stats record's
flow.end.state.* / flow.end.tcp_state.* equal the flow records written
before it in that file, by flow.state / tcp.state (each file is one run). Prints the count of
records validated per event_type; exit 0 only if every record passed.
"""
import argparse
import copy
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(HERE, "..", "..", "..", "shared", "ref",
                              "suricata-eve-schema", "schema.json")


def allow_deltas(node):
    """Adds <k>_delta (integer) beside every integer property, recursively."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for k, v in list(props.items()):
                if isinstance(v, dict) and v.get("type") == "integer":
                    props.setdefault(k + "_delta", {"type": "integer"})
        for v in node.values():
            allow_deltas(v)
    elif isinstance(node, list):
        for v in node:
            allow_deltas(v)


def flowstate_schema(path):
    with open(path) as f:
        base = json.load(f)
    s = copy.deepcopy(base)
    s["properties"]["session"] = {"type": "object"}
    stats = s["properties"]["stats"]
    allow_deltas(stats)
    stats["properties"]["flowstate"] = {"type": "object"}
    return s


def counters(obj, prefix=""):
    """(dotted path, value) for every leaf of a stats object."""
    for k, v in obj.items():
        p = prefix + k
        if isinstance(v, dict):
            yield from counters(v, p + ".")
        else:
            yield p, v


def check_stats(rec, prev, where, errors):
    leaves = dict(counters(rec.get("stats", {})))
    values = {}
    for p, v in leaves.items():
        if not isinstance(v, int) or isinstance(v, bool):
            errors.append("%s: stats.%s is not an integer: %r" % (where, p, v))
            continue
        if not p.endswith("_delta") or p[:-6] not in leaves:
            values[p] = v
    for p, v in leaves.items():
        if p.endswith("_delta") and p[:-6] in leaves and isinstance(v, int):
            want = leaves[p[:-6]] - prev.get(p[:-6], 0)
            if v != want:
                errors.append("%s: stats.%s = %d, but %s went %d -> %d" %
                              (where, p, v, p[:-6], prev.get(p[:-6], 0), leaves[p[:-6]]))
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema", default=os.environ.get("FLOWSTATE_EVE_SCHEMA", DEFAULT_SCHEMA))
    ap.add_argument("--quiet", action="store_true", help="print only failures and the total")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    if not os.path.exists(a.schema):
        print("eve_schema: no schema at %s" % a.schema, file=sys.stderr)
        return 77
    schema = flowstate_schema(a.schema)
    cls = jsonschema.validators.validator_for(schema)
    v = cls(schema)
    counts = {}
    errors = []
    for fn in a.files:
        prev = {}
        by_state, by_tcp = {}, {}
        with open(fn) as f:
            for n, line in enumerate(f, 1):
                where = "%s:%d" % (fn, n)
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    errors.append("%s: not JSON: %s" % (where, e))
                    continue
                et = rec.get("event_type", "?")
                bad = sorted(v.iter_errors(rec), key=lambda e: list(e.absolute_path))
                for e in bad[:5]:
                    errors.append("%s: %s: %s at %s" % (where, et, e.message,
                                                       "/".join(map(str, e.absolute_path))))
                if et == "stats":
                    prev = check_stats(rec, prev, where, errors)
                    end = rec.get("stats", {}).get("flow", {}).get("end", {})
                    for key, seen in (("state", by_state), ("tcp_state", by_tcp)):
                        got = {k: c for k, c in end.get(key, {}).items()
                               if not k.endswith("_delta") and c}
                        if got != seen:
                            errors.append("%s: stats.flow.end.%s %s, flow records %s" %
                                          (where, key, got, seen))
                elif et == "flow":
                    st = rec.get("flow", {}).get("state")
                    by_state[st] = by_state.get(st, 0) + 1
                    if "state" in rec.get("tcp", {}):
                        st = rec["tcp"]["state"]
                        by_tcp[st] = by_tcp.get(st, 0) + 1
                if et != "stats" and "flow" in rec and "end" in rec["flow"]:
                    if rec.get("timestamp", "") < rec["flow"]["end"]:
                        errors.append("%s: timestamp %s before flow.end %s" %
                                      (where, rec.get("timestamp"), rec["flow"]["end"]))
                counts[et] = counts.get(et, 0) + 1
    for e in errors[:50]:
        print(e)
    if len(errors) > 50:
        print("... %d more" % (len(errors) - 50))
    total = sum(counts.values())
    print("eve_schema: %d records in %d files, %s; %d failures" %
          (total, len(a.files),
           ", ".join("%s %d" % kv for kv in sorted(counts.items())) or "none",
           len(errors)))
    return 1 if errors or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
