#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""One small capture per link-layer framing. Each holds a complete clean TCP
session (3WHS, request, response, 4-way close) so the decoder can be checked
to produce the same flow whatever the framing."""

import struct

from scapy.all import Dot1AD, Dot1Q, Ether
from scapy.contrib.mpls import MPLS

from fsgen import (CLI_MAC, LT_EN10MB, LT_IPV4, LT_IPV6, LT_LINUX_SLL, LT_LINUX_SLL2, LT_LOOP,
                   LT_NULL, LT_RAW, LT_RAW12, SRV_MAC, Conn, as_raw, clean_session, main_guard,
                   ms, write_pcap)


def _macs(c):
    return (CLI_MAC, SRV_MAC) if c else (SRV_MAC, CLI_MAC)


def _session(v6=False, sport=41000, t0=None):
    kw = {} if t0 is None else {"t0": t0}
    return clean_session(Conn(isn_c=1000 + sport, isn_s=9000 + sport, sport=sport, v6=v6, **kw))


def vlan_8021q():
    recs = []
    for t, p, c in _session(sport=41001):
        s, d = _macs(c)
        recs.append((t, bytes(Ether(src=s, dst=d) / Dot1Q(vlan=100, prio=0) / p)))
    return write_pcap("vlan-8021q.pcap", LT_EN10MB, recs)


def qinq_8021ad():
    recs = []
    for t, p, c in _session(sport=41002):
        s, d = _macs(c)
        recs.append((t, bytes(Ether(src=s, dst=d, type=0x88A8) / Dot1AD(vlan=300) /
                              Dot1Q(vlan=100) / p)))
    return write_pcap("qinq-8021ad.pcap", LT_EN10MB, recs)


def mpls():
    """Two-label MPLS stack (bottom-of-stack on the inner label) over Ethernet."""
    recs = []
    for t, p, c in _session(sport=41003):
        s, d = _macs(c)
        recs.append((t, bytes(Ether(src=s, dst=d, type=0x8847) / MPLS(label=1000, s=0, ttl=64) /
                              MPLS(label=2000, s=1, ttl=64) / p)))
    return write_pcap("mpls.pcap", LT_EN10MB, recs)


def _sll_addr(c):
    mac = bytes.fromhex(_macs(c)[0].replace(":", ""))
    return mac + b"\0\0"


def linux_sll():
    """Linux cooked v1: outgoing (4) for the client, to-us (0) for the server."""
    recs = []
    for t, p, c in _session(sport=41004):
        hdr = struct.pack(">HHH8sH", 4 if c else 0, 1, 6, _sll_addr(c), 0x0800)
        recs.append((t, hdr + bytes(p)))
    return write_pcap("linux-sll.pcap", LT_LINUX_SLL, recs)


def linux_sll2():
    """Linux cooked v2 (ifindex 2), IPv4 and IPv6 sessions."""
    recs = []
    for v6, sport in ((False, 41005), (True, 41006)):
        t0 = None if not v6 else 1700000000 * 1000000000 + ms(100)
        for t, p, c in _session(v6=v6, sport=sport, t0=t0):
            proto = 0x86DD if v6 else 0x0800
            hdr = struct.pack(">HHIHBB8s", proto, 0, 2, 1, 4 if c else 0, 6, _sll_addr(c))
            recs.append((t, hdr + bytes(p)))
    return write_pcap("linux-sll2.pcap", LT_LINUX_SLL2, recs)


def raw_101():
    """LINKTYPE_RAW (101): bare IPv4 and IPv6 packets, version nibble decides."""
    recs = as_raw(_session(sport=41007))
    recs += as_raw(_session(v6=True, sport=41008, t0=1700000000 * 1000000000 + ms(100)))
    return write_pcap("raw-101.pcap", LT_RAW, recs)


def raw_12():
    """Linktype 12 as written by some BSD-derived tools (DLT_RAW on most systems)."""
    return write_pcap("raw-12.pcap", LT_RAW12, as_raw(_session(sport=41009)))


def ipv4_228():
    return write_pcap("linktype-ipv4.pcap", LT_IPV4, as_raw(_session(sport=41010)))


def ipv6_229():
    return write_pcap("linktype-ipv6.pcap", LT_IPV6, as_raw(_session(v6=True, sport=41011)))


def null_both_orders():
    """DLT_NULL: the 4-byte AF is in the byte order of the capturing host, so
    readers must guess. null-le: little-endian host, IPv4 (AF_INET 2) and
    IPv6 (AF_INET6 24, the NetBSD/OpenBSD value); null-be: a big-endian host
    writing a big-endian file, IPv4 only."""
    le = []
    for t, p, c in _session(sport=41012):
        le.append((t, struct.pack("<I", 2) + bytes(p)))
    for t, p, c in _session(v6=True, sport=41013, t0=1700000000 * 1000000000 + ms(100)):
        le.append((t, struct.pack("<I", 24) + bytes(p)))
    be = [(t, struct.pack(">I", 2) + bytes(p)) for t, p, c in _session(sport=41014)]
    return [write_pcap("null-le.pcap", LT_NULL, le),
            write_pcap("null-be.pcap", LT_NULL, be, big_endian=True)]


def loop_108():
    """DLT_LOOP: like NULL but the AF is always big-endian (OpenBSD)."""
    recs = [(t, struct.pack(">I", 2) + bytes(p)) for t, p, c in _session(sport=41015)]
    return write_pcap("loop.pcap", LT_LOOP, recs)


def main():
    return [vlan_8021q(), qinq_8021ad(), mpls(), linux_sll(), linux_sll2(), raw_101(), raw_12(),
            ipv4_228(), ipv6_229()] + null_both_orders() + [loop_108()]


if __name__ == "__main__":
    main_guard(main)
