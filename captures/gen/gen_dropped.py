#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Captures made by dropping packets from another capture, as a capture
that lost them would look (the endpoints saw them; the tap did not).

Sources: kernel-lo.pcap (a real Linux stack on loopback in a private netns,
recorded by tcpdump: a clean session on 8080, server closes first, and a
CLOSE_WAIT session on 8081) and half-open-close-wait.pcap (gen_sessions.py,
so make-all.sh runs this generator after it). Records are copied byte for
byte, timestamps included; only the listed packets (1-based, in file order)
are left out. Standard library only: the output is byte-identical on every
run.
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPS = os.path.normpath(os.path.join(HERE, ".."))
# name -> (source, packets to drop)
DROPS = {
    # 6 = the server's 43-byte response on 8080 (acked by the client: a
    # responder gap 'g'); 14 = the client's 6 bytes on 8081 (acked by the
    # server, which then sits in CLOSE_WAIT: an originator gap 'G' under a
    # close_wait judgement)
    "kernel-lo-drop-data.pcap": ("kernel-lo.pcap", (6, 14)),
    # 5 = the server's 5-byte response, acked by the client's FIN; the
    # server then stays in CLOSE_WAIT for 12 s: a close_wait judgement on a
    # connection with a content gap
    "close-wait-gap.pcap": ("half-open-close-wait.pcap", (5,)),
    # 8 = the server's FIN on 8080: the client's FIN then acks one past the
    # server's last byte (inferred FIN)
    "kernel-lo-drop-fin.pcap": ("kernel-lo.pcap", (8,)),
    # 2 = the server's SYN-ACK on 8080: the client's third ACK follows the SYN
    # (inferred SYN-ACK)
    "kernel-lo-drop-synack.pcap": ("kernel-lo.pcap", (2,)),
}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xA1B2C3D4:
        raise SystemExit("%s: only little-endian microsecond pcap is supported" % path)
    header, recs, off = data[:24], [], 24
    while off < len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        recs.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    return header, recs


def main():
    for name, (source, drop) in sorted(DROPS.items()):
        header, recs = read_pcap(os.path.join(CAPS, source))
        with open(os.path.join(CAPS, name), "wb") as f:
            f.write(header)
            for i, r in enumerate(recs, 1):
                if i not in drop:
                    f.write(r)
        sys.stdout.write("wrote captures/%s\n" % name)


if __name__ == "__main__":
    main()
