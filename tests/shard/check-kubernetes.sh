#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check-kubernetes.sh - contrib/kubernetes/flowstate-shards.yaml, as far as it
# can be checked without a cluster (there is none here; kubectl's client-side
# dry run needs an API server too).
#
#   1. It is YAML, one document: a batch/v1 Job with completionMode Indexed,
#      completions == parallelism == the SHARDS env value, restartPolicy Never
#      or OnFailure, a /bin/sh -c script that uses JOB_COMPLETION_INDEX and
#      SHARDS in --shard and writes shard-$JOB_COMPLETION_INDEX.json, every
#      volumeMount backed by a volume, the captures mounted read-only.
#   2. The container's script, taken from the manifest, runs here for every
#      index 0..SHARDS-1 with JOB_COMPLETION_INDEX set as the Job controller
#      sets it, PCAP_DIR holding three captures of captures/, OUT_DIR a temp
#      dir and the built flowstate on PATH; the gathered records sorted are
#      one run's, and --merge-stats of the outputs is one run's stats record
#      (flowstate.flow.peak aside).
# A system test (python3 with yaml, jq): SKIP 77 without them, FAIL under
# FLOWSTATE_REQUIRE_ALL=1. Cost: ~1 s. Ends with "N passed, M failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$(cd "$here/../.." && pwd)}
FLOWSTATE=${FLOWSTATE:-$SRCDIR/flowstate}
TZ=UTC
LC_ALL=C
export TZ LC_ALL
# shellcheck source=../lib/require.sh
. "$SRCDIR/tests/lib/require.sh"
[ -x "$FLOWSTATE" ] || { echo "FAIL: flowstate binary not found at $FLOWSTATE"; exit 1; }
require_tool jq python3
require_python_module yaml
manifest=$SRCDIR/contrib/kubernetes/flowstate-shards.yaml

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# 1. structure; prints N, then writes the script to $tmp/script.sh
if ! N=$(python3 - "$manifest" "$tmp/script.sh" <<'EOF'
import sys
import yaml

docs = list(yaml.safe_load_all(open(sys.argv[1])))
problems = []


def need(cond, what):
    if not cond:
        problems.append(what)


need(len(docs) == 1, f"{len(docs)} documents, want 1")
job = docs[0]
need(job.get("apiVersion") == "batch/v1" and job.get("kind") == "Job", "not a batch/v1 Job")
spec = job["spec"]
need(spec.get("completionMode") == "Indexed", "completionMode is not Indexed")
pod = spec["template"]["spec"]
need(pod.get("restartPolicy") in ("Never", "OnFailure"), "restartPolicy must be Never or OnFailure")
need(len(pod["containers"]) == 1, "want one container")
c = pod["containers"][0]
env = {e["name"]: e.get("value") for e in c.get("env", [])}
shards = int(env.get("SHARDS", "0"))
need(shards >= 1, "no SHARDS env value")
need(spec.get("completions") == shards, f"completions {spec.get('completions')} != SHARDS {shards}")
need(spec.get("parallelism") == shards, f"parallelism {spec.get('parallelism')} != SHARDS {shards}")
need(c.get("command") == ["/bin/sh", "-c"] and len(c.get("args", [])) == 1,
     "command must be /bin/sh -c with one script")
script = c["args"][0]
need('--shard "$JOB_COMPLETION_INDEX/$SHARDS"' in script, "--shard does not use the index and SHARDS")
need("shard-$JOB_COMPLETION_INDEX.json" in script, "the output file is not named by the index")
need("-T eve" in script, "not -T eve (--merge-stats reads EVE)")
vols = {v["name"]: v for v in pod.get("volumes", [])}
for m in c.get("volumeMounts", []):
    need(m["name"] in vols, f"volumeMount {m['name']} has no volume")
    if m["mountPath"] == env.get("PCAP_DIR"):
        need(m.get("readOnly") is True, "the captures are not mounted read-only")
need(any(m["mountPath"] == env.get("OUT_DIR") for m in c.get("volumeMounts", [])),
     "OUT_DIR is not a mounted volume")
if problems:
    for p in problems:
        print("manifest:", p, file=sys.stderr)
    sys.exit(1)
open(sys.argv[2], "w").write(script)
print(shards)
EOF
); then
    fail "the manifest's structure (above)"
    echo "$passed passed, $failed failed"
    exit 1
fi
passed=$((passed + 1))
echo "manifest: an Indexed Job of $N shards"

# 2. the container's script, run here for every index
mkdir -p "$tmp/data" "$tmp/out" "$tmp/bin"
for c in fanout-split.pcap retrans-ooo-dupack-zerowin.pcap ipv4-defrag.pcap; do
    cp "$SRCDIR/captures/$c" "$tmp/data/"
done
ln -s "$FLOWSTATE" "$tmp/bin/flowstate"
for ((k = 0; k < N; k++)); do
    if env PATH="$tmp/bin:$PATH" JOB_COMPLETION_INDEX=$k SHARDS=$N PCAP_DIR="$tmp/data" \
        OUT_DIR="$tmp/out" /bin/sh -c "$(cat "$tmp/script.sh")" 2>"$tmp/err.$k"; then
        passed=$((passed + 1))
    else
        fail "index $k: the script failed: $(cat "$tmp/err.$k")"
    fi
done
"$FLOWSTATE" -T eve -r "$tmp/data/fanout-split.pcap" -r "$tmp/data/ipv4-defrag.pcap" \
    -r "$tmp/data/retrans-ooo-dupack-zerowin.pcap" >"$tmp/one.json"
grep -v '"event_type":"stats"' "$tmp/one.json" | sort >"$tmp/one"
cat "$tmp"/out/shard-*.json | grep -v '"event_type":"stats"' | sort >"$tmp/union" || true
if [ "$(wc -l <"$tmp/one")" -gt 10 ] && cmp -s "$tmp/one" "$tmp/union"; then
    passed=$((passed + 1))
    echo "the $N pods' records, sorted: one run's ($(wc -l <"$tmp/one") lines)"
else
    fail "the pods' records are not one run's"
fi
if "$FLOWSTATE" --merge-stats "$tmp"/out/shard-*.json >"$tmp/merged" &&
    cmp -s <(tail -n 1 "$tmp/one.json" | jq -c 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)') \
        <(jq -c 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)' "$tmp/merged"); then
    passed=$((passed + 1))
else
    fail "--merge-stats of the pods' files is not one run's stats record"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
