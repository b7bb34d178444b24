#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check that every write(2) to a file ended on a record boundary.

Usage: check_writes.py STRACE_LOG OUTPUT_FILE
STRACE_LOG comes from `strace -f -e trace=write -e signal=none -s 0 -o LOG`
with the output file as the only file flowstate writes to besides stderr.
The byte counts returned by the writes to the output's fd are summed; every
running total must land just after a '\\n' in OUTPUT_FILE and the last one at
its end. Prints "writes=N split=M" and exits 1 if any write split a line.
"""
import re
import sys

log, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
pat = re.compile(r"write\((\d+), .*\)\s+=\s+(\d+)")
fds = {}
for line in open(log):
    m = pat.search(line)
    if m and m.group(1) not in ("1", "2"):
        fds.setdefault(m.group(1), []).append(int(m.group(2)))
if len(fds) != 1:
    print("expected writes to exactly one file descriptor, got %s" % sorted(fds))
    sys.exit(1)
sizes = next(iter(fds.values()))
pos = split = 0
for n in sizes:
    pos += n
    if pos == 0 or pos > len(data) or data[pos - 1:pos] != b"\n":
        split += 1
print("writes=%d split=%d bytes=%d/%d" % (len(sizes), split, pos, len(data)))
sys.exit(0 if split == 0 and pos == len(data) else 1)
