#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-slurm.sh - the README's Slurm recipe on a real one-node Slurm (issue 10).
#
# Starts its own cluster on this host: munged, slurmctld and slurmd from
# Debian (munge, slurmctld, slurmd, slurm-client), with a generated munge key,
# slurm.conf, free TCP ports on 127.0.0.1 and every state, spool, log and pid
# file under one temporary directory, so nothing of a system Slurm (or its
# /etc/slurm) is read or touched. Then submits the README's recipe, a job array
# `sbatch --array=0-$((N-1)) --export=ALL,N=$N` whose task runs
# `flowstate --shard $SLURM_ARRAY_TASK_ID/$N` (N = 4)
# on the same input (three captures of captures/ read as one stream) with
# one EVE file per task, waits for it (sbatch --wait), gathers the files and
# checks: every task exited 0 (sacct-free: the job's own exit files), each file
# is its task's shard, the sorted records are one run's, and --merge-stats is
# one run's stats record (flowstate.flow.peak aside, doc/schema.md 4.3).
# The daemons are stopped, by their pids, however the test ends.
#
# A system test: root, and the four packages above (SKIP 77 without them, FAIL
# under FLOWSTATE_REQUIRE_ALL=1). Cost: ~15 s (most of it slurmd registering).
# Env: FLOWSTATE, SRCDIR (set by make). Ends with "N passed, M failed".
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
require_root
require_tool jq python3 munged:munge slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client \
    sinfo:slurm-client scontrol:slurm-client

N=4
tmp=$(mktemp -d /tmp/flowstate-slurm.XXXXXX)
chmod 0755 "$tmp" # slurmd's job steps read the batch script and write the outputs here
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$p" 2>/dev/null || true
    done
    if [ "${failed:-1}" != 0 ] && [ -d "$tmp/log" ]; then
        for f in "$tmp"/log/*; do echo "==== $f"; tail -n 20 "$f"; done
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp"/{munge,state,spool,log,run,out}

# free_port: a TCP port on 127.0.0.1 nobody listens on now
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# munge: its own key and socket
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$tmp/munge/munge.key"
chmod 0755 "$tmp/munge" # clients (slurmctld, slurmd, the job steps) reach the socket
sock=$tmp/munge/munge.sock
munged --foreground --force --socket="$sock" --key-file="$tmp/munge/munge.key" \
    --pid-file="$tmp/run/munged.pid" --seed-file="$tmp/munge/munged.seed" \
    --log-file="$tmp/log/munged.log" >"$tmp/log/munged.stdout" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.2; done
[ -S "$sock" ] || { echo "FAIL: munged did not start"; failed=1; exit 1; }

ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
node=flowstate-node
conf=$tmp/slurm.conf
cat >"$conf" <<EOF
ClusterName=flowstate-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
NodeName=$node NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=shards Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf
slurmctld -D -f "$conf" -i >"$tmp/log/slurmctld.stdout" 2>&1 &
pids+=($!)
slurmd -D -f "$conf" -N "$node" >"$tmp/log/slurmd.stdout" 2>&1 &
pids+=($!)

# until the node is up and idle
up=0
for _ in $(seq 120); do
    st=$(sinfo -h -N -n "$node" -o '%T' 2>/dev/null || true)
    case $st in idle*) up=1; break ;; esac
    sleep 0.5
done
[ "$up" = 1 ] || { echo "FAIL: the Slurm node did not come up (state '${st:-?}')"; failed=1; exit 1; }

# The recipe (README, "Many machines"): one array task per shard.
in="-r $SRCDIR/captures/fanout-split.pcap -r $SRCDIR/captures/retrans-ooo-dupack-zerowin.pcap -r $SRCDIR/captures/ipv4-defrag.pcap"
cat >"$tmp/shard.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=flowstate-shards
#SBATCH --ntasks=1
#SBATCH --output=$tmp/out/slurm-%A_%a.log
exec "$FLOWSTATE" --shard "\$SLURM_ARRAY_TASK_ID/\$N" -T eve $in -o "$tmp/out/shard-\$SLURM_ARRAY_TASK_ID.json"
EOF
failed=0
passed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
rc=0
sbatch --wait --array=0-$((N - 1)) --export=ALL,N=$N --chdir="$tmp" "$tmp/shard.sbatch" >"$tmp/sbatch.out" 2>&1 || rc=$?
job=$(sed -n 's/^Submitted batch job //p' "$tmp/sbatch.out")
if [ "$rc" = 0 ] && [ -n "$job" ]; then
    passed=$((passed + 1))
    echo "job array $job: $N tasks, all exited 0"
else
    fail "sbatch --wait exit $rc: $(cat "$tmp/sbatch.out")"
fi
for ((k = 0; k < N; k++)); do
    f=$tmp/out/shard-$k.json
    got=$(tail -n 1 "$f" 2>/dev/null | jq -r '.stats.flowstate.shard | "\(.index)/\(.count)"' || echo none)
    if [ "$got" = "$k/$N" ]; then
        passed=$((passed + 1))
    else
        fail "task $k: shard-$k.json is shard '$got', not $k/$N"
    fi
done

# Gathering: the records, and the merged stats, against one run.
# shellcheck disable=SC2086 # $in is the list of -r options
"$FLOWSTATE" -T eve $in >"$tmp/one.json"
grep -v '"event_type":"stats"' "$tmp/one.json" | sort >"$tmp/one"
cat "$tmp"/out/shard-*.json 2>/dev/null | grep -v '"event_type":"stats"' | sort >"$tmp/union" || true
n=$(wc -l <"$tmp/one")
if [ "$n" -gt 10 ] && cmp -s "$tmp/one" "$tmp/union"; then
    passed=$((passed + 1))
    echo "the $N tasks' records, sorted: $n lines, equal to one run's"
else
    fail "the tasks' records are not one run's ($n lines; $(diff "$tmp/one" "$tmp/union" | grep -c '^[<>]') differ)"
fi
if "$FLOWSTATE" --merge-stats "$tmp"/out/shard-*.json >"$tmp/merged" &&
    cmp -s <(tail -n 1 "$tmp/one.json" | jq -c 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)') \
        <(jq -c 'del(.stats.flowstate.flow.peak, .stats.flowstate.flow.peak_delta)' "$tmp/merged"); then
    passed=$((passed + 1))
    echo "--merge-stats of the $N tasks: one run's stats record"
else
    fail "--merge-stats of the tasks is not one run's stats record"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
