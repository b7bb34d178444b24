#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tunnelled TCP on Ethernet: GRE, VXLAN, Geneve and IP-in-IP. The outer
endpoints are 192.0.2.1 (client side) and 198.51.100.1 (server side); the
inner flow is a clean session between 192.0.2.10 and 198.51.100.20."""

from scapy.all import GRE, IP, UDP, Ether
from scapy.contrib.geneve import GENEVE
from scapy.layers.vxlan import VXLAN

from fsgen import CLI_MAC, LT_EN10MB, SRV_MAC, Conn, clean_session, main_guard, write_pcap

OUT_C, OUT_S = "192.0.2.1", "198.51.100.1"
IN_C_MAC, IN_S_MAC = "02:00:00:00:01:01", "02:00:00:00:01:02"


def _outer(c, proto):
    return IP(src=OUT_C if c else OUT_S, dst=OUT_S if c else OUT_C, ttl=64, id=1, proto=proto)


def _wrap(name, sport, encap):
    recs = []
    for t, p, c in clean_session(Conn(isn_c=sport * 3, isn_s=sport * 5, sport=sport)):
        outer = Ether(src=CLI_MAC if c else SRV_MAC, dst=SRV_MAC if c else CLI_MAC) / encap(c, p)
        recs.append((t, bytes(outer)))
    return write_pcap(name, LT_EN10MB, recs)


def _inner_eth(c, p):
    return Ether(src=IN_C_MAC if c else IN_S_MAC, dst=IN_S_MAC if c else IN_C_MAC) / p


def gre():
    return _wrap("tunnel-gre.pcap", 43001, lambda c, p: _outer(c, 47) / GRE(proto=0x0800) / p)


def vxlan():
    return _wrap("tunnel-vxlan.pcap", 43002,
                 lambda c, p: _outer(c, 17) / UDP(sport=49152, dport=4789) /
                 VXLAN(flags=0x08, vni=42) / _inner_eth(c, p))


def geneve():
    return _wrap("tunnel-geneve.pcap", 43003,
                 lambda c, p: _outer(c, 17) / UDP(sport=49153, dport=6081) /
                 GENEVE(vni=43, proto=0x6558) / _inner_eth(c, p))


def ipip():
    return _wrap("tunnel-ipip.pcap", 43004, lambda c, p: _outer(c, 4) / p)


def main():
    return [gre(), vxlan(), geneve(), ipip()]


if __name__ == "__main__":
    main_guard(main)
