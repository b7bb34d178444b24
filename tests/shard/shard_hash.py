#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""shard_hash.py - the --shard hash, written from doc/schema.md ("Shards") alone.

An independent implementation of the documented definition, so that a test can
check that the documentation says exactly what flowstate does:

    shard_hash.py SRC_IP SRC_PORT DST_IP DST_PORT [N]   -> h (and h mod N)
    shard_hash.py --check N K < eve.json                -> exit 1 unless every
        flow record of the file belongs to shard K of N
    shard_hash.py --check-list LIST                     -> the same for every
        "N K FILE" line of LIST (one process for a whole test run)

No flowstate code is imported; SipHash-1-3 is the reference algorithm
(Aumasson and Bernstein, 2012) with one compression and three finalisation rounds.
"""
import ipaddress
import json
import sys

K0 = 0x666C6F7773746174  # "flowstat"
K1 = 0xE374E9FFD39D022E  # splitmix64's finaliser of K0 (doc/schema.md)
MASK = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK


def _round(v0, v1, v2, v3):
    v0 = (v0 + v1) & MASK
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & MASK
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & MASK
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & MASK
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


def siphash13(k0, k1, msg):
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573
    n = len(msg)
    tail = msg[n - n % 8:] + bytes(7 - n % 8) + bytes([n & 0xFF])
    words = [int.from_bytes(msg[i:i + 8], "little") for i in range(0, n - n % 8, 8)]
    words.append(int.from_bytes(tail, "little"))
    for m in words:
        v3 ^= m
        v0, v1, v2, v3 = _round(v0, v1, v2, v3)
        v0 ^= m
    v2 ^= 0xFF
    for _ in range(3):
        v0, v1, v2, v3 = _round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def message(src, sport, dst, dport, proto=6):
    """The documented message: endpoints ordered, address columns, ports, proto, version."""
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if a.version != b.version:
        raise ValueError("mixed address families")
    ver = a.version
    ab = a.packed + bytes(16 - len(a.packed))
    bb = b.packed + bytes(16 - len(b.packed))
    if (ab, sport) > (bb, dport):
        ab, bb, sport, dport = bb, ab, dport, sport
    cols = 1 if ver == 4 else 4
    msg = b"".join(ab[4 * i:4 * i + 4] + bb[4 * i:4 * i + 4] for i in range(cols))
    return msg + sport.to_bytes(2, "little") + dport.to_bytes(2, "little") + bytes([proto, ver])


def shard_hash(src, sport, dst, dport, proto=6):
    x = siphash13(K0, K1, message(src, sport, dst, dport, proto))
    return (x ^ (x >> 32)) & 0xFFFFFFFF


def _check_file(f, n, k, name):
    """(flow records seen, records in the wrong shard) of one EVE stream."""
    bad = seen = 0
    for line in f:
        r = json.loads(line)
        if r.get("event_type") != "flow":
            continue
        seen += 1
        h = shard_hash(r["src_ip"], r["src_port"], r["dest_ip"], r["dest_port"])
        if h % n != k:
            bad += 1
            print(f"{name}: flow {r['src_ip']}:{r['src_port']} - {r['dest_ip']}:{r['dest_port']}:"
                  f" h={h:#010x}, shard {h % n} of {n}, but found in shard {k}", file=sys.stderr)
    return seen, bad


def _check(n, k):
    seen, bad = _check_file(sys.stdin, n, k, "stdin")
    print(f"{seen} flows, {bad} in the wrong shard")
    return 1 if bad else 0


def _check_list(path):
    seen = bad = files = 0
    with open(path) as lst:
        for line in lst:
            n, k, name = line.rstrip("\n").split(" ", 2)
            with open(name) as f:
                s, b = _check_file(f, int(n), int(k), name)
            files += 1
            seen += s
            bad += b
    print(f"{files} shard outputs, {seen} flows, {bad} in the wrong shard")
    return 1 if bad or not seen else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--check-list":
        return _check_list(argv[2])
    if len(argv) == 4 and argv[1] == "--check":
        return _check(int(argv[2]), int(argv[3]))
    if len(argv) in (5, 6):
        h = shard_hash(argv[1], int(argv[2]), argv[3], int(argv[4]))
        print(f"{h:#010x}" + (f" {h % int(argv[5])}" if len(argv) == 6 else ""))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
