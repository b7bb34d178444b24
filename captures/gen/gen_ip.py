#!/usr/bin/python3
"""Network- and transport-header cases on Ethernet: IPv4 options, IPv6
extension headers with a fragmented segment, IPv4 fragments, TCP options,
a bad TCP checksum, and malformed headers."""

from scapy.all import (IP, IPv6, TCP, IPOption_NOP, IPOption_Router_Alert, IPOption_RR,
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
    return [ipv4_options(), ipv6_ext_headers(), ipv4_fragments(), tcp_options(),
            tcp_bad_checksum(), malformed_headers()]


if __name__ == "__main__":
    main_guard(main)
