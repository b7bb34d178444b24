#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Savefile-format cases: nanosecond pcap, big-endian pcap, pcapng, one
connection rotated over two files, records cut by a 40-byte snaplen, and a
file whose last record is cut short."""

from fsgen import (LT_EN10MB, Conn, as_eth, clean_session, main_guard, ms, out_path,
                   write_pcap, write_pcapng)


def ns_resolution():
    """Nanosecond magic; packets 1 ns .. 999 ns apart so microsecond
    rounding would merge or reorder them."""
    c = Conn(isn_c=7000, isn_s=17000, sport=44001, t0=1700000000 * 1000000000 + 123456789)
    p = c.handshake()
    p.append(c.pkt(True, "PA", b"ns", dt=1))
    p.append(c.pkt(False, "A", dt=999))
    p += c.close_4way()
    return write_pcap("ns-resolution.pcap", LT_EN10MB, as_eth(p), ns=True)


def big_endian():
    """Big-endian (a1b2c3d4 stored as bytes a1 b2 c3 d4) microsecond pcap."""
    c = Conn(isn_c=7100, isn_s=17100, sport=44002)
    return write_pcap("big-endian.pcap", LT_EN10MB, as_eth(clean_session(c)), big_endian=True)


def pcapng_basic():
    """pcapng: SHB with shb_userappl, two Ethernet IDBs (eth0 with if_tsresol
    9, eth1 with the default microseconds), one clean session seen on eth0
    and a second one on eth1, an EPB comment on the first packet."""
    ifs = [(LT_EN10MB, 65535, b"eth0", 9), (LT_EN10MB, 65535, b"eth1", 6)]
    a = as_eth(clean_session(Conn(isn_c=7200, isn_s=17200, sport=44003)))
    b = as_eth(clean_session(Conn(isn_c=7300, isn_s=17300, sport=44004,
                                  t0=1700000000 * 1000000000 + ms(500))))
    recs = [(0, t, d) for t, d in a] + [(1, t, d) for t, d in b]
    recs[0] = recs[0] + (b"first packet of the eth0 session",)
    return write_pcapng("pcapng-basic.pcapng", ifs, recs)


def rotated():
    """One clean session split after the client's request: the handshake and
    request in rotate-1.pcap, the rest in rotate-2.pcap."""
    recs = as_eth(clean_session(Conn(isn_c=7400, isn_s=17400, sport=44005)))
    return [write_pcap("rotate-1.pcap", LT_EN10MB, recs[:4]),
            write_pcap("rotate-2.pcap", LT_EN10MB, recs[4:])]


def snaplen40():
    """snaplen 40: every record is cut to 40 bytes (caplen 40 < len), so the
    TCP header (from byte 34) is only 6 bytes deep: ports, part of seq."""
    c = Conn(isn_c=7500, isn_s=17500, sport=44006)
    return write_pcap("truncated-snaplen40.pcap", LT_EN10MB, as_eth(clean_session(c)),
                      snaplen=40)


def truncated_file():
    """A clean session whose last record (the final ACK) is cut after 20 of
    its 54 bytes, as a capture killed mid-write leaves it: libpcap reports
    "truncated dump file" on that record."""
    c = Conn(isn_c=7600, isn_s=17600, sport=44007)
    path = write_pcap("truncated-file.pcap", LT_EN10MB, as_eth(clean_session(c)))
    with open(path, "rb") as f:
        data = f.read()
    with open(out_path("truncated-file.pcap"), "wb") as f:
        f.write(data[:len(data) - 34])
    return path


def main():
    return [ns_resolution(), big_endian(), pcapng_basic()] + rotated() + \
        [snaplen40(), truncated_file()]


if __name__ == "__main__":
    main_guard(main)
