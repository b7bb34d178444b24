# SPDX-License-Identifier: BSD-3-Clause
"""fsgen: shared helpers for the flowstate capture generators.

Everything here is deterministic: timestamps are integers in nanoseconds
counted from BASE_NS, sequence numbers are given by the caller, addresses and
MACs are fixed (documentation ranges 192.0.2.0/24, 198.51.100.0/24,
2001:db8::/32; locally administered MACs). Packets are built with scapy and
written with the small pcap/pcapng writers below (struct.pack), so the bytes
of every file are fully under our control and identical on every run.
"""

import os
import struct
import sys

from scapy.all import IP, IPv6, TCP, Ether, Raw, conf  # noqa: F401

conf.verb = 0

BASE_NS = 1700000000 * 1000000000  # 2023-11-14T22:13:20Z
CLI4, SRV4 = "192.0.2.10", "198.51.100.20"
CLI6, SRV6 = "2001:db8::10", "2001:db8::20"
CLI_MAC, SRV_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"

OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# pcap LINKTYPE_* values used by the generators
LT_NULL, LT_EN10MB, LT_RAW12, LT_RAW, LT_LOOP = 0, 1, 12, 101, 108
LT_LINUX_SLL, LT_IPV4, LT_IPV6, LT_LINUX_SLL2 = 113, 228, 229, 276


def ms(n):
    """n milliseconds in ns."""
    return int(n) * 1000000


def out_path(name):
    return os.path.join(OUT_DIR, name)


def write_pcap(name, linktype, recs, snaplen=65535, ns=False, big_endian=False):
    """Classic pcap. recs: list of (ts_ns, bytes[, wirelen]). Records longer
    than snaplen are cut to snaplen (caplen < len), as a capturing tool would."""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if ns else 0xA1B2C3D4
    with open(out_path(name), "wb") as f:
        f.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        for r in recs:
            ts, data = r[0], bytes(r[1])
            wirelen = r[2] if len(r) > 2 else len(data)
            data = data[:snaplen]
            sec, sub = divmod(ts, 1000000000)
            if not ns:
                sub //= 1000
            f.write(struct.pack(e + "IIII", sec, sub, len(data), wirelen))
            f.write(data)
    return out_path(name)


def _ng_opt(code, value):
    pad = (-len(value)) % 4
    return struct.pack("<HH", code, len(value)) + value + b"\0" * pad


def _ng_block(btype, body):
    blen = 12 + len(body)
    return struct.pack("<II", btype, blen) + body + struct.pack("<I", blen)


def write_pcapng(name, interfaces, recs, shb_app=b"flowstate captures/gen"):
    """Little-endian pcapng. interfaces: list of (linktype, snaplen, if_name,
    tsresol) with tsresol 6 (default, no option written) or 9. recs: list of
    (iface, ts_ns, bytes[, comment])."""
    out = bytearray()
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    shb += _ng_opt(4, shb_app) + _ng_opt(0, b"")
    out += _ng_block(0x0A0D0D0A, shb)
    for lt, snap, ifname, res in interfaces:
        idb = struct.pack("<HHI", lt, 0, snap) + _ng_opt(2, ifname)
        if res != 6:
            idb += _ng_opt(9, bytes([res]))
        idb += _ng_opt(0, b"")
        out += _ng_block(1, idb)
    for r in recs:
        iface, ts, data = r[0], r[1], bytes(r[2])
        res = interfaces[iface][3]
        units = ts if res == 9 else ts // 1000
        pad = (-len(data)) % 4
        epb = struct.pack("<IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(data), len(data))
        epb += data + b"\0" * pad
        if len(r) > 3:
            epb += _ng_opt(1, r[3]) + _ng_opt(0, b"")
        out += _ng_block(6, epb)
    with open(out_path(name), "wb") as f:
        f.write(bytes(out))
    return out_path(name)


def eth(ip_pkt, from_client=True):
    """Wraps an IP/IPv6 packet in Ethernet with the fixed MACs."""
    src, dst = (CLI_MAC, SRV_MAC) if from_client else (SRV_MAC, CLI_MAC)
    return Ether(src=src, dst=dst) / ip_pkt


class Conn:
    """One TCP connection; tracks both sides' next sequence numbers so the
    generators only state flags, payloads and time steps.

    pkt() returns (ts_ns, scapy IP packet, from_client); the caller wraps it
    in whatever link layer the capture needs.
    """

    def __init__(self, isn_c, isn_s, sport=40000, dport=80, v6=False, t0=BASE_NS,
                 cli=None, srv=None, win=65535):
        self.seq = {True: isn_c & 0xFFFFFFFF, False: isn_s & 0xFFFFFFFF}
        self.ack = {True: 0, False: 0}
        self.sport, self.dport, self.v6 = sport, dport, v6
        self.cli = cli or (CLI6 if v6 else CLI4)
        self.srv = srv or (SRV6 if v6 else SRV4)
        self.t = t0
        self.win = win
        self.ipid = {True: 1000, False: 2000}

    def ip(self, c):
        if self.v6:
            return IPv6(src=self.cli if c else self.srv, dst=self.srv if c else self.cli, hlim=64)
        self.ipid[c] += 1
        return IP(src=self.cli if c else self.srv, dst=self.srv if c else self.cli, ttl=64,
                  id=self.ipid[c], flags="DF")

    def pkt(self, c, flags, data=b"", dt=ms(1), seq=None, ack=None, win=None, options=None,
            advance=True):
        """Segment from the client (c=True) or server. seq/ack default to the
        tracked values; advance=False leaves the tracked state untouched
        (retransmissions, out-of-window probes)."""
        self.t += dt
        s = self.seq[c] if seq is None else seq & 0xFFFFFFFF
        a = self.seq[not c] if ack is None else ack & 0xFFFFFFFF
        if "A" not in flags and ack is None:
            a = 0
        tcp = TCP(sport=self.sport if c else self.dport, dport=self.dport if c else self.sport,
                  seq=s, ack=a, flags=flags, window=self.win if win is None else win,
                  options=options or [])
        p = self.ip(c) / tcp
        if data:
            p = p / Raw(load=data)
        if advance and seq is None:
            n = len(data) + (1 if "S" in flags else 0) + (1 if "F" in flags else 0)
            self.seq[c] = (self.seq[c] + n) & 0xFFFFFFFF
        return (self.t, p, c)

    def handshake(self, mss=1460):
        opts = [("MSS", mss)]
        return [self.pkt(True, "S", options=opts, dt=0),
                self.pkt(False, "SA", options=opts),
                self.pkt(True, "A")]

    def close_4way(self):
        return [self.pkt(True, "FA"), self.pkt(False, "A"),
                self.pkt(False, "FA"), self.pkt(True, "A")]


def as_eth(pkts):
    """[(ts, ip_pkt, from_client)] -> [(ts, Ethernet frame bytes)]."""
    return [(t, bytes(eth(p, c))) for t, p, c in pkts]


def as_raw(pkts):
    return [(t, bytes(p)) for t, p, _ in pkts]


def clean_session(conn, request=b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n",
                  response=b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"):
    """3WHS, one request, one response, ACK, 4-way close."""
    p = conn.handshake()
    p.append(conn.pkt(True, "PA", request))
    p.append(conn.pkt(False, "A"))
    p.append(conn.pkt(False, "PA", response))
    p.append(conn.pkt(True, "A"))
    p += conn.close_4way()
    return p


def main_guard(fn):
    """Runs a generator's main and prints the files it wrote."""
    for path in fn():
        sys.stdout.write("wrote %s\n" % os.path.relpath(path, os.path.dirname(OUT_DIR)))
