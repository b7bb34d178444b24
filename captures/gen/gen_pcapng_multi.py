#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""pcapng with interfaces of different link types and snapshot lengths, which
libpcap 1.10 refuses ("an interface has a snapshot length ... different from
the snapshot length of the first interface") and flowstate reads with its own
pcapng reader (src/capture/pcapng.c).

pcapng-multi-linktype.pcapng, big-endian, two sections:
  section 1: IDB 0 EN10MB snaplen 65535 if_tsresol 10^-9,
             IDB 1 LINUX_SLL snaplen 8192 if_tsresol 2^-20,
             an unknown block (skipped), then a clean IPv4 session on each
             interface, interleaved in time (Enhanced Packet Blocks);
  section 2: IDB 0 RAW (101) snaplen 262144, default 10^-6, if_tsoffset 1 s;
             a clean IPv6 session whose client packets are obsolete Packet
             Blocks (type 2) and server packets Enhanced Packet Blocks.
"""

import struct

from fsgen import (LT_EN10MB, LT_LINUX_SLL, LT_RAW, BASE_NS, Conn, as_eth, clean_session,
                   main_guard, ms, out_path)

E = ">"  # big-endian file: the little-endian path is covered by pcapng-basic.pcapng


def _opt(code, value):
    return struct.pack(E + "HH", code, len(value)) + value + b"\0" * ((-len(value)) % 4)


def _block(btype, body):
    body += b"\0" * ((-len(body)) % 4)
    blen = 12 + len(body)
    return struct.pack(E + "II", btype, blen) + body + struct.pack(E + "I", blen)


def _shb():
    body = struct.pack(E + "IHHq", 0x1A2B3C4D, 1, 0, -1) + _opt(4, b"flowstate captures/gen")
    return _block(0x0A0D0D0A, body + _opt(0, b""))


def _idb(lt, snap, name, opts=b""):
    return _block(1, struct.pack(E + "HHI", lt, 0, snap) + _opt(2, name) + opts + _opt(0, b""))


def _epb(iface, units, data):
    return _block(6, struct.pack(E + "IIIII", iface, units >> 32, units & 0xFFFFFFFF,
                                 len(data), len(data)) + data)


def _pb(iface, units, data):
    return _block(2, struct.pack(E + "HHIIII", iface, 0, units >> 32, units & 0xFFFFFFFF,
                                 len(data), len(data)) + data)


def _sll(c, p):
    mac = bytes.fromhex("020000000001" if c else "020000000002") + b"\0\0"
    return struct.pack(">HHH8sH", 4 if c else 0, 1, 6, mac, 0x0800) + bytes(p)


def multi_linktype():
    out = bytearray(_shb())
    out += _idb(LT_EN10MB, 65535, b"eth0", _opt(9, bytes([9])))
    out += _idb(LT_LINUX_SLL, 8192, b"any", _opt(9, bytes([0x80 | 20])))
    out += _block(0x00000BAD, b"not a block type flowstate knows")

    eth = [(0, t, d, 9) for t, d in
           as_eth(clean_session(Conn(isn_c=7700, isn_s=17700, sport=44011)))]
    # Half a millisecond after the Ethernet packets, so 2^-20 s rounding keeps the order.
    t0 = BASE_NS + ms(3) + 500000
    sll = [(1, t, _sll(c, p), 20) for t, p, c in
           clean_session(Conn(isn_c=7800, isn_s=17800, sport=44012, t0=t0))]
    for iface, t, d, res in sorted(eth + sll, key=lambda r: (r[1], r[0])):
        units = t if res == 9 else (t << 20) // 1000000000
        out += _epb(iface, units, d)

    out += _shb()
    out += _idb(LT_RAW, 262144, b"tun0", _opt(14, struct.pack(E + "q", 1)))
    v6 = clean_session(Conn(isn_c=7900, isn_s=17900, sport=44013, v6=True, t0=BASE_NS + ms(100)))
    for t, p, c in v6:
        units = (t - 1000000000) // 1000  # if_tsoffset adds the second back
        out += (_pb if c else _epb)(0, units, bytes(p))

    with open(out_path("pcapng-multi-linktype.pcapng"), "wb") as f:
        f.write(bytes(out))
    return out_path("pcapng-multi-linktype.pcapng")


def main():
    return [multi_linktype()]


if __name__ == "__main__":
    main_guard(main)
