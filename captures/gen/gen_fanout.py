#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""fanout-split.pcap: traffic that the kernel's own PACKET_FANOUT_HASH would
split across capture handles (issue 8, live --workers N).

- 16 clean TCP sessions inside VXLAN between four pairs of tunnel endpoints
  (192.0.2.1-4 <-> 198.51.100.1-4); each endpoint picks its own outer UDP
  source port (client side 50000+i, server side 60000+i), so the two
  directions of one inner connection have different outer 5-tuples.
- 4 clean IPv6 sessions whose request is sent as two fragments (the second
  carries no TCP ports).
The sessions overlap in time (a new one every 3 ms, 1 ms between packets).
"""

from scapy.all import IP, UDP, Ether, IPv6, IPv6ExtHdrFragment, Raw
from scapy.layers.vxlan import VXLAN

from fsgen import (BASE_NS, CLI_MAC, LT_EN10MB, SRV_MAC, Conn, clean_session, main_guard, ms,
                   write_pcap)

IN_C_MAC, IN_S_MAC = "02:00:00:00:01:01", "02:00:00:00:01:02"
REQUEST = b"GET /" + b"f" * 150 + b" HTTP/1.1\r\nHost: example.test\r\n\r\n"


def vxlan_session(i):
    conn = Conn(isn_c=1000 * i + 7, isn_s=5000 * i + 11, sport=41000 + i, dport=80,
                t0=BASE_NS + ms(3 * i), cli="10.1.0.%d" % (10 + i), srv="10.2.0.%d" % (10 + i))
    vc, vs = "192.0.2.%d" % (1 + i % 4), "198.51.100.%d" % (1 + i % 4)
    recs = []
    for t, p, c in clean_session(conn):
        inner = Ether(src=IN_C_MAC if c else IN_S_MAC, dst=IN_S_MAC if c else IN_C_MAC) / p
        outer = (Ether(src=CLI_MAC if c else SRV_MAC, dst=SRV_MAC if c else CLI_MAC) /
                 IP(src=vc if c else vs, dst=vs if c else vc, ttl=64, id=1 + i) /
                 UDP(sport=(50000 if c else 60000) + i, dport=4789) /
                 VXLAN(flags=0x08, vni=100 + i) / inner)
        recs.append((t, bytes(outer)))
    return recs


def frag_session(i):
    conn = Conn(isn_c=70000 * i + 3, isn_s=90000 * i + 5, sport=42000 + i, dport=80, v6=True,
                t0=BASE_NS + ms(3 * (16 + i)), cli="2001:db8:1::%x" % (16 + i),
                srv="2001:db8:2::%x" % (16 + i))
    recs = []
    for t, p, c in clean_session(conn, request=REQUEST):
        eth = Ether(src=CLI_MAC if c else SRV_MAC, dst=SRV_MAC if c else CLI_MAC)
        tcp = bytes(p)[40:]  # TCP with the checksum over the whole segment
        if c and len(tcp) > 100:
            # two fragments: the TCP header and 80 bytes, then the rest (no ports)
            hdr = dict(src=p.src, dst=p.dst, hlim=64)
            cut = 96
            f1 = (eth / IPv6(nh=44, **hdr) /
                  IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=0x5000 + i) / Raw(tcp[:cut]))
            f2 = (eth / IPv6(nh=44, **hdr) /
                  IPv6ExtHdrFragment(nh=6, offset=cut // 8, m=0, id=0x5000 + i) / Raw(tcp[cut:]))
            recs.append((t, bytes(f1)))
            recs.append((t + 1000, bytes(f2)))
            continue
        recs.append((t, bytes(eth / p)))
    return recs


def main():
    recs = []
    for i in range(16):
        recs += vxlan_session(i)
    for i in range(4):
        recs += frag_session(i)
    recs.sort(key=lambda r: r[0])
    return [write_pcap("fanout-split.pcap", LT_EN10MB, recs)]


if __name__ == "__main__":
    main_guard(main)
