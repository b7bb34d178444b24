#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""pcapng with Interface Statistics Blocks (pcapng 4.6) that report drops.

half-open-close-wait.pcap (gen_sessions.py; make-all.sh runs this after it)
rewritten as little-endian pcapng: one Ethernet interface, every record as
an Enhanced Packet Block with its own timestamp, and two Interface Statistics
Blocks: after packet 7 (isb_ifrecv 7, isb_ifdrop 0) and at the end
(isb_ifrecv 18, isb_ifdrop 3). The drops rose between the two blocks, so the
connection, which has packets in that interval, is judged close_wait with
"confidence":"capture_loss". Standard library only: byte-identical on every run.
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPS = os.path.normpath(os.path.join(HERE, ".."))
SOURCE, OUT = "half-open-close-wait.pcap", "pcapng-isb-drops.pcapng"


def opt(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * ((-len(value)) % 4)


def block(btype, body):
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def isb(ts_us, recv, drop):
    body = struct.pack("<III", 0, ts_us >> 32, ts_us & 0xFFFFFFFF)
    body += opt(4, struct.pack("<Q", recv)) + opt(5, struct.pack("<Q", drop)) + opt(0, b"")
    return block(5, body)


def main():
    with open(os.path.join(CAPS, SOURCE), "rb") as f:
        data = f.read()
    snaplen, linktype = struct.unpack("<II", data[16:24])
    recs, off = [], 24
    while off < len(data):
        sec, usec, caplen, wirelen = struct.unpack("<IIII", data[off:off + 16])
        recs.append((sec * 1000000 + usec, data[off + 16:off + 16 + caplen], wirelen))
        off += 16 + caplen
    out = bytearray()
    out += block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
                 opt(4, b"flowstate captures/gen") + opt(0, b""))
    out += block(1, struct.pack("<HHI", linktype, 0, snaplen) + opt(2, b"eth0") + opt(0, b""))
    for i, (ts, pkt, wirelen) in enumerate(recs, 1):
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(pkt), wirelen)
        out += block(6, body + pkt + b"\0" * ((-len(pkt)) % 4))
        if i == 7:
            out += isb(ts + 500, 7, 0)
    out += isb(recs[-1][0] + 500, len(recs) + 3, 3)
    with open(os.path.join(CAPS, OUT), "wb") as f:
        f.write(bytes(out))
    sys.stdout.write("wrote captures/%s\n" % OUT)


if __name__ == "__main__":
    main()
