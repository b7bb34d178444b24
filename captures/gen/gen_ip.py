#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Network- and transport-header cases on Ethernet: IPv4 options, IPv6
extension headers with a fragmented segment, IPv4 fragments, IPv4 and IPv6
reassembly cases (order, duplicates, overlaps, tiny fragments, a timeout),
TCP options, a bad TCP checksum, and malformed headers."""

from scapy.all import (IP, IPv6, TCP, UDP, IPOption_NOP, IPOption_Router_Alert, IPOption_RR,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, PadN, Raw, fragment)

from fsgen import (CLI4, LT_EN10MB, SRV4, Conn, as_eth, clean_session, eth, main_guard, ms,
                   write_pcap)


def ipv4_options():
    """Router Alert on the handshake, Record Route + NOP on the data, so the
    IHL is 6 and 8 words."""
    c = Conn(isn_c=2000, isn_s=6000, sport=42001)
    p = clean_session(c)
    out = []
    for i, (t, pkt, frm) in enumerate(p):
        if i < 3:
            pkt[IP].options = [IPOption_Router_Alert()]
        elif pkt.haslayer(Raw):
            pkt[IP].options = [IPOption_NOP(), IPOption_RR(routers=["0.0.0.0"] * 2)]
        out.append((t, pkt, frm))
    return write_pcap("ipv4-options.pcap", LT_EN10MB, as_eth(out))


def _v6_exthdrs(pkt, frag=None):
    """Rebuilds an IPv6/TCP packet with Hop-by-Hop, Destination Options and a
    (type 0, segments left 0) Routing header; frag=(offset8, more, bytes)
    turns the upper layer into a fragment carrying those bytes."""
    ip6 = pkt[IPv6]
    base = IPv6(src=ip6.src, dst=ip6.dst, hlim=ip6.hlim)
    hbh = IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)])
    dst = IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 4)])
    rth = IPv6ExtHdrRouting(addresses=[], segleft=0)
    if frag is None:
        return base / hbh / dst / rth / pkt[TCP]
    off, more, data = frag
    return base / hbh / dst / rth / IPv6ExtHdrFragment(nh=6, offset=off, m=more, id=0x00f10001) / \
        Raw(load=data)


def ipv6_ext_headers():
    """Every packet carries HBH + DestOpts + Routing; the client's 300-byte
    request is sent as two fragments (first: full TCP header + 108 bytes,
    then a non-first fragment at offset 16 x 8 = 128)."""
    c = Conn(isn_c=3000, isn_s=7000, sport=42002, v6=True)
    out = []
    for t, p, frm in c.handshake():
        out.append((t, _v6_exthdrs(p), frm))
    t, p, frm = c.pkt(True, "PA", bytes(range(100)) * 3)
    seg = bytes(p[IPv6])[40:]  # TCP header + payload with the checksum filled in
    out.append((t, _v6_exthdrs(p, (0, 1, seg[:128])), frm))
    out.append((t + ms(0) + 1000, _v6_exthdrs(p, (16, 0, seg[128:])), frm))
    c.t += 1000
    for t, p, frm in [c.pkt(False, "A")] + c.close_4way():
        out.append((t, _v6_exthdrs(p), frm))
    return write_pcap("ipv6-ext-headers.pcap", LT_EN10MB, as_eth(out))


def ipv4_fragments():
    """A 400-byte client segment split into three IPv4 fragments (MF, offsets
    0, 20 and 40 units) with the same IP id; the rest is a normal session."""
    c = Conn(isn_c=4000, isn_s=8000, sport=42003)
    out = c.handshake()
    t, p, frm = c.pkt(True, "PA", bytes(range(200)) * 2)
    p[IP].flags = 0
    p[IP].id = 0x4242
    for i, f in enumerate(fragment(p, fragsize=160)):
        out.append((t + i * 100000, f, frm))
    c.t += 300000
    out.append(c.pkt(False, "A"))
    out += c.close_4way()
    return write_pcap("ipv4-fragments.pcap", LT_EN10MB, as_eth(out))


def _frag4(pkt, off, end, more, data=None):
    """IPv4 fragment of pkt carrying IP-payload bytes [off, end) (or `data`)."""
    ip = IP(bytes(pkt[IP]))
    body = bytes(ip)[ip.ihl * 4:]
    chunk = body[off:end] if data is None else data
    return IP(src=ip.src, dst=ip.dst, ttl=ip.ttl, id=ip.id, proto=ip.proto,
              flags="MF" if more else 0, frag=off // 8) / Raw(load=chunk)


def _frag6(pkt, off, end, more, ident):
    """IPv6 fragment of pkt carrying upper-layer bytes [off, end)."""
    ip6 = IPv6(bytes(pkt[IPv6]))
    body = bytes(ip6)[40:]
    return IPv6(src=ip6.src, dst=ip6.dst, hlim=ip6.hlim) / \
        IPv6ExtHdrFragment(nh=ip6.nh, offset=off // 8, m=int(more), id=ident) / \
        Raw(load=body[off:end])


def ipv4_defrag():
    """Reassembly cases, all on one timeline:
    - a fragmented UDP datagram (id 0x5000) whose last piece never comes: it
      times out 30 s later, during the session below;
    - a complete fragmented UDP datagram (id 0x5001), delivered last-first;
    - 31 s later a session whose SYN (24-byte TCP header with MSS) is cut
      into three 8-byte fragments delivered last, first, middle (the TCP
      header itself is split); its 400-byte request (420 bytes of IP
      payload) comes as [0,160), a duplicate of it, [160,320), an
      overlapping [120,200) of 'X' bytes (ignored: first wins), then the
      last [320,420); the server's response is fragmented in order."""
    t0 = 1700000000 * 1000000000
    out = []
    lost = IP(src=CLI4, dst=SRV4, ttl=64, id=0x5000) / UDP(sport=33000, dport=33001) / \
        Raw(load=b"L" * 100)
    out.append((t0, _frag4(lost, 0, 56, True), True))
    udp = IP(src=CLI4, dst=SRV4, ttl=64, id=0x5001) / UDP(sport=33000, dport=33001) / \
        Raw(load=b"U" * 100)
    out.append((t0 + ms(1), _frag4(udp, 56, 108, False), True))
    out.append((t0 + ms(2), _frag4(udp, 0, 56, True), True))

    c = Conn(isn_c=4100, isn_s=8100, sport=42010, t0=t0 + ms(31000))
    t, syn, frm = c.pkt(True, "S", options=[("MSS", 1460)], dt=0)
    syn[IP].flags = 0
    syn[IP].id = 0x5100
    syn = IP(bytes(syn))
    for i, (a, b, m) in enumerate([(16, 24, False), (0, 8, True), (8, 16, True)]):
        out.append((t + i * 100000, _frag4(syn, a, b, m), frm))
    c.t += 300000
    out.append(c.pkt(False, "SA", options=[("MSS", 1460)]))
    out.append(c.pkt(True, "A"))
    t, req, frm = c.pkt(True, "PA", bytes(range(200)) * 2)
    req[IP].flags = 0
    req[IP].id = 0x5200
    req = IP(bytes(req))
    pieces = [_frag4(req, 0, 160, True), _frag4(req, 0, 160, True), _frag4(req, 160, 320, True),
              _frag4(req, 120, 200, True, data=b"X" * 80), _frag4(req, 320, 420, False)]
    for i, f in enumerate(pieces):
        out.append((t + i * 100000, f, frm))
    c.t += 500000
    out.append(c.pkt(False, "A"))
    t, resp, frm = c.pkt(False, "PA", b"HTTP/1.1 200 OK\r\n\r\n" + b"r" * 300)
    resp[IP].flags = 0
    resp[IP].id = 0x6200
    resp = IP(bytes(resp))
    rlen = len(bytes(resp)) - 20
    out.append((t, _frag4(resp, 0, 200, True), frm))
    out.append((t + 100000, _frag4(resp, 200, rlen, False), frm))
    c.t += 100000
    out.append(c.pkt(True, "A"))
    out += c.close_4way()
    return write_pcap("ipv4-defrag.pcap", LT_EN10MB, as_eth(out))


def ipv6_defrag():
    """An IPv6 session: the client's 600-byte request (620 bytes after the
    fixed header) in three fragments delivered middle, last, first; the
    server's 300-byte response in two fragments, in order."""
    c = Conn(isn_c=4200, isn_s=8200, sport=42011, v6=True)
    out = c.handshake()
    t, req, frm = c.pkt(True, "PA", bytes(range(200)) * 3)
    req = IPv6(bytes(req))
    order = [(256, 512, True), (512, 620, False), (0, 256, True)]
    for i, (a, b, m) in enumerate(order):
        out.append((t + i * 100000, _frag6(req, a, b, m, 0x00c0ffee), frm))
    c.t += 300000
    out.append(c.pkt(False, "A"))
    t, resp, frm = c.pkt(False, "PA", b"r" * 300)
    resp = IPv6(bytes(resp))
    out.append((t, _frag6(resp, 0, 160, True, 0x00beef01), frm))
    out.append((t + 100000, _frag6(resp, 160, 320, False, 0x00beef01), frm))
    c.t += 100000
    out.append(c.pkt(True, "A"))
    out += c.close_4way()
    return write_pcap("ipv6-defrag.pcap", LT_EN10MB, as_eth(out))


def tcp_options():
    """Connection 1: SYN with MSS, SACK-permitted, timestamps, window scale
    and a TFO cookie request; SYN/ACK returns an 8-byte TFO cookie; data
    with timestamps; a dup ACK with two SACK blocks. Connection 2: TFO SYN
    carrying the cookie and 10 bytes of data, the SYN/ACK acks the data."""
    c = Conn(isn_c=5000, isn_s=9000, sport=42004)
    cookie = bytes.fromhex("0102030405060708")

    def ts(v, e):
        return ("Timestamp", (v, e))

    out = [c.pkt(True, "S", dt=0, options=[("MSS", 1460), ("SAckOK", b""), ts(100, 0),
                                           ("NOP", None), ("WScale", 7), (34, b"")]),
           c.pkt(False, "SA", options=[("MSS", 1400), ("SAckOK", b""), ts(500, 100),
                                       ("NOP", None), ("WScale", 8), (34, cookie)]),
           c.pkt(True, "A", options=[("NOP", None), ("NOP", None), ts(101, 500)])]
    s0 = c.seq[False]
    out.append(c.pkt(True, "PA", b"GET / HTTP/1.1\r\n\r\n", options=[("NOP", None), ("NOP", None), ts(102, 500)]))
    out.append(c.pkt(False, "A", b"x" * 100, seq=s0, advance=False,
                     options=[("NOP", None), ("NOP", None), ts(501, 102)]))
    out.append(c.pkt(False, "A", b"z" * 100, seq=s0 + 200, advance=False,
                     options=[("NOP", None), ("NOP", None), ts(502, 102)]))
    out.append(c.pkt(False, "A", b"w" * 100, seq=s0 + 400, advance=False,
                     options=[("NOP", None), ("NOP", None), ts(503, 102)]))
    out.append(c.pkt(True, "A", ack=s0 + 100,
                     options=[("NOP", None), ("NOP", None), ts(103, 503),
                              ("NOP", None), ("NOP", None),
                              ("SAck", (s0 + 200, s0 + 300, s0 + 400, s0 + 500))]))
    out.append(c.pkt(False, "A", b"y" * 100, seq=s0 + 100, advance=False,
                     options=[("NOP", None), ("NOP", None), ts(504, 103)]))
    out.append(c.pkt(False, "A", b"v" * 100, seq=s0 + 300, advance=False,
                     options=[("NOP", None), ("NOP", None), ts(505, 103)]))
    c.seq[False] = s0 + 500
    out.append(c.pkt(True, "A", options=[("NOP", None), ("NOP", None), ts(104, 505)]))
    out += c.close_4way()

    d = Conn(isn_c=15000, isn_s=19000, sport=42005, t0=c.t + ms(1000))
    out.append(d.pkt(True, "S", b"HELLO TFO\n", dt=0,
                     options=[("MSS", 1460), ("SAckOK", b""), (34, cookie)]))
    out.append(d.pkt(False, "SA", options=[("MSS", 1400), ("SAckOK", b"")]))
    out.append(d.pkt(True, "A"))
    out.append(d.pkt(False, "PA", b"OK\n"))
    out.append(d.pkt(True, "A"))
    out += d.close_4way()
    return write_pcap("tcp-options.pcap", LT_EN10MB, as_eth(out))


def tcp_bad_checksum():
    """The request's first copy has a wrong TCP checksum (0xdead); the
    identical retransmission 200 ms later is correct."""
    c = Conn(isn_c=6000, isn_s=10000, sport=42006)
    out = c.handshake()
    req = b"GET /checksum HTTP/1.1\r\n\r\n"
    t, p, frm = c.pkt(True, "PA", req, advance=False)
    p[TCP].chksum = 0xDEAD
    out.append((t, p, frm))
    out.append(c.pkt(True, "PA", req, dt=ms(200)))
    out.append(c.pkt(False, "A"))
    out += c.close_4way()
    return write_pcap("tcp-bad-checksum.pcap", LT_EN10MB, as_eth(out))


def malformed_headers():
    """One valid SYN, then: IPv4 IHL 4 (< 5), IPv4 total length 10 (< header
    length), TCP data offset 3 (< 5), TCP data offset 15 with a 20-byte
    header (options beyond the packet), IPv4 IHL 15 with a 20-byte packet."""
    t0 = 1700000000 * 1000000000

    def ip():
        return IP(src=CLI4, dst=SRV4, ttl=64, id=7)

    tcp = TCP(sport=42007, dport=80, seq=7000, flags="S", window=65535)
    pk = [ip() / tcp]
    bad_ihl = ip() / tcp
    bad_ihl[IP].ihl = 4
    pk.append(bad_ihl)
    bad_len = ip() / tcp
    bad_len[IP].len = 10
    pk.append(bad_len)
    doff3 = ip() / TCP(sport=42007, dport=80, seq=7000, flags="S", dataofs=3)
    pk.append(doff3)
    doff15 = ip() / TCP(sport=42007, dport=80, seq=7000, flags="S", dataofs=15)
    pk.append(doff15)
    ihl15 = ip() / tcp
    ihl15[IP].ihl = 15
    pk.append(ihl15)
    recs = [(t0 + ms(i), bytes(eth(p))) for i, p in enumerate(pk)]
    return write_pcap("malformed-headers.pcap", LT_EN10MB, recs)


def main():
    return [ipv4_options(), ipv6_ext_headers(), ipv4_fragments(), ipv4_defrag(), ipv6_defrag(),
            tcp_options(), tcp_bad_checksum(), malformed_headers()]


if __name__ == "__main__":
    main_guard(main)
