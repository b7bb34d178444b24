#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""TCP session life-cycle captures on Ethernet (LINKTYPE_ETHERNET), IPv4.

Each function returns the path it wrote; see captures/MANIFEST for what each
file covers. Client 192.0.2.10, server 198.51.100.20:80.
"""

from fsgen import (BASE_NS, LT_EN10MB, Conn, as_eth, clean_session, main_guard, ms,
                   write_pcap)


def tcp_3whs_close():
    c = Conn(isn_c=1000, isn_s=5000)
    return write_pcap("tcp-3whs-close.pcap", LT_EN10MB, as_eth(clean_session(c)))


def half_open_close_wait():
    """Client closes, server ACKs the FIN but never sends its own; the server
    then sends a keepalive every 3 s (12 s of capture time after the FIN)."""
    c = Conn(isn_c=11000, isn_s=15000, sport=40001)
    p = c.handshake()
    p.append(c.pkt(True, "PA", b"QUIT\r\n"))
    p.append(c.pkt(False, "PA", b"BYE\r\n"))
    p.append(c.pkt(True, "FA"))
    p.append(c.pkt(False, "A"))           # server now in CLOSE_WAIT, client FIN_WAIT_2
    for i in range(4):
        # server keepalive: seq = snd.nxt - 1, no data (RFC 9293 3.8.4)
        p.append(c.pkt(False, "A", seq=c.seq[False] - 1, dt=ms(3000)))
        p.append(c.pkt(True, "A", advance=False))
    return write_pcap("half-open-close-wait.pcap", LT_EN10MB, as_eth(p))


def syn_unanswered():
    """SYN and two retransmissions (1 s, then 2 s later), never answered."""
    c = Conn(isn_c=21000, isn_s=0, sport=40002)
    opts = [("MSS", 1460)]
    p = [c.pkt(True, "S", options=opts, dt=0, advance=False),
         c.pkt(True, "S", options=opts, dt=ms(1000), advance=False),
         c.pkt(True, "S", options=opts, dt=ms(2000), advance=False)]
    return write_pcap("syn-unanswered.pcap", LT_EN10MB, as_eth(p))


def syn_rejected():
    """SYN answered with RST/ACK (closed port)."""
    c = Conn(isn_c=31000, isn_s=0, sport=40003, dport=81)
    p = [c.pkt(True, "S", options=[("MSS", 1460)], dt=0),
         c.pkt(False, "RA", seq=0)]
    return write_pcap("syn-rejected.pcap", LT_EN10MB, as_eth(p))


def rst_client():
    c = Conn(isn_c=41000, isn_s=45000, sport=40004)
    p = c.handshake()
    p.append(c.pkt(True, "PA", b"GET /big HTTP/1.1\r\n\r\n"))
    p.append(c.pkt(False, "PA", b"HTTP/1.1 200 OK\r\n\r\npartial"))
    p.append(c.pkt(True, "RA"))           # client aborts mid-transfer
    return write_pcap("rst-client.pcap", LT_EN10MB, as_eth(p))


def rst_server():
    c = Conn(isn_c=51000, isn_s=55000, sport=40005)
    p = c.handshake()
    p.append(c.pkt(True, "PA", b"HELLO\r\n"))
    p.append(c.pkt(False, "A"))
    p.append(c.pkt(False, "R"))           # server aborts, RST without ACK
    return write_pcap("rst-server.pcap", LT_EN10MB, as_eth(p))


def rst_out_of_window():
    """An RST far outside the receive window (must not close the flow),
    then the connection carries on and closes normally."""
    c = Conn(isn_c=61000, isn_s=65000, sport=40006, win=8192)
    p = c.handshake()
    p.append(c.pkt(True, "PA", b"PING\r\n"))
    p.append(c.pkt(False, "R", seq=c.seq[False] + 1000000, advance=False))
    p.append(c.pkt(False, "PA", b"PONG\r\n"))
    p.append(c.pkt(True, "A"))
    p += c.close_4way()
    return write_pcap("rst-out-of-window.pcap", LT_EN10MB, as_eth(p))


def simultaneous_open():
    """Both ends send SYN; each answers with SYN/ACK (RFC 9293 figure 7)."""
    c = Conn(isn_c=71000, isn_s=75000, sport=40007, dport=40008)
    isn_c, isn_s = c.seq[True], c.seq[False]
    opts = [("MSS", 1460)]
    p = [c.pkt(True, "S", options=opts, dt=0),
         c.pkt(False, "S", options=opts)]
    p.append(c.pkt(True, "SA", seq=isn_c, options=opts))
    p.append(c.pkt(False, "SA", seq=isn_s, options=opts))
    p.append(c.pkt(True, "PA", b"hi"))
    p.append(c.pkt(False, "A"))
    p += c.close_4way()
    return write_pcap("simultaneous-open.pcap", LT_EN10MB, as_eth(p))


def simultaneous_close():
    """Both FINs cross on the wire; both go through CLOSING (RFC 9293 fig. 13)."""
    c = Conn(isn_c=81000, isn_s=85000, sport=40009)
    p = c.handshake()
    p.append(c.pkt(True, "PA", b"bye"))
    p.append(c.pkt(False, "A"))
    fin_c_seq, fin_s_seq = c.seq[True], c.seq[False]
    ack_c, ack_s = c.seq[False], c.seq[True]
    p.append(c.pkt(True, "FA", seq=fin_c_seq, ack=ack_c, advance=False))
    p.append(c.pkt(False, "FA", seq=fin_s_seq, ack=ack_s, dt=ms(0), advance=False))
    c.seq[True] = (fin_c_seq + 1) & 0xFFFFFFFF
    c.seq[False] = (fin_s_seq + 1) & 0xFFFFFFFF
    p.append(c.pkt(True, "A"))
    p.append(c.pkt(False, "A", dt=ms(0)))
    return write_pcap("simultaneous-close.pcap", LT_EN10MB, as_eth(p))


def port_reuse():
    """Two complete connections on the same 4-tuple, 2 s apart, new ISNs."""
    a = Conn(isn_c=91000, isn_s=95000, sport=40010)
    p = clean_session(a)
    b = Conn(isn_c=191000, isn_s=195000, sport=40010, t0=a.t + ms(2000))
    p += clean_session(b)
    return write_pcap("port-reuse.pcap", LT_EN10MB, as_eth(p))


def stats_timeline():
    """40 s of capture for the periodic stats records: a complete connection
    every 6 s (client ports 40100...), an unanswered SYN at 3 s and one left
    open (established, no close) from 20 s; with short timeouts the flows end
    between stats records, so their order and counters can be checked."""
    p = []
    for i in range(6):
        c = Conn(isn_c=300000 + i * 1000, isn_s=600000 + i * 1000, sport=40100 + i,
                 t0=BASE_NS + ms(6000 * i))
        p += clean_session(c)
    s = Conn(isn_c=390000, isn_s=0, sport=40090, t0=BASE_NS + ms(3000))
    p.append(s.pkt(True, "S", options=[("MSS", 1460)], dt=0, advance=False))
    o = Conn(isn_c=391000, isn_s=691000, sport=40091, t0=BASE_NS + ms(20000))
    p += [o.pkt(True, "S", dt=0), o.pkt(False, "SA"), o.pkt(True, "A"),
          o.pkt(True, "PA", b"ping"), o.pkt(False, "A")]
    p.sort(key=lambda r: r[0])
    return write_pcap("stats-timeline.pcap", LT_EN10MB, as_eth(p))


def retrans_ooo_dupack_zerowin():
    """Server sends 4 segments: #2 is lost then retransmitted after 3 dup
    ACKs (fast retransmit), #4 arrives before #3 (out of order); then the
    client advertises a zero window, the server probes, the window reopens."""
    c = Conn(isn_c=101000, isn_s=105000, sport=40011)
    p = c.handshake()
    p.append(c.pkt(True, "PA", b"GET /file HTTP/1.1\r\n\r\n"))
    seg = [bytes([0x41 + i]) * 100 for i in range(6)]
    s0 = c.seq[False]
    p.append(c.pkt(False, "A", seg[0], seq=s0, advance=False))                 # seg 1
    p.append(c.pkt(True, "A", ack=s0 + 100))
    # seg 2 (s0+100) is lost
    p.append(c.pkt(False, "A", seg[2], seq=s0 + 200, advance=False))           # seg 3
    p.append(c.pkt(True, "A", ack=s0 + 100, options=[("SAck", (s0 + 200, s0 + 300))]))
    p.append(c.pkt(False, "A", seg[4], seq=s0 + 400, advance=False))           # seg 5 (ooo)
    p.append(c.pkt(True, "A", ack=s0 + 100, options=[("SAck", (s0 + 400, s0 + 500, s0 + 200, s0 + 300))]))
    p.append(c.pkt(False, "A", seg[3], seq=s0 + 300, advance=False))           # seg 4 late
    p.append(c.pkt(True, "A", ack=s0 + 100, options=[("SAck", (s0 + 200, s0 + 500))]))
    p.append(c.pkt(False, "A", seg[1], seq=s0 + 100, advance=False))           # fast retransmit
    p.append(c.pkt(True, "A", ack=s0 + 500))
    p.append(c.pkt(False, "A", seg[5], seq=s0 + 500, advance=False))
    c.seq[False] = s0 + 600
    p.append(c.pkt(True, "A", win=0))                                         # zero window
    p.append(c.pkt(False, "A", b"Z", dt=ms(200), advance=False))              # window probe
    p.append(c.pkt(True, "A", win=0))
    p.append(c.pkt(True, "A", win=65535, dt=ms(300)))                         # window update
    p.append(c.pkt(False, "PA", b"Z" * 50))
    p.append(c.pkt(True, "A"))
    # a plain retransmission of the last segment (timeout-based)
    p.append(c.pkt(False, "PA", b"Z" * 50, seq=c.seq[False] - 50, dt=ms(250), advance=False))
    p.append(c.pkt(True, "A"))
    p += c.close_4way()
    return write_pcap("retrans-ooo-dupack-zerowin.pcap", LT_EN10MB, as_eth(p))


def seq_wrap():
    """Both sides' sequence numbers cross 2^32 during the transfer."""
    c = Conn(isn_c=0xFFFFFF00, isn_s=0xFFFFFFF0, sport=40012)
    p = c.handshake()
    for i in range(4):
        p.append(c.pkt(True, "PA", bytes([0x61 + i]) * 100))
        p.append(c.pkt(False, "PA", bytes([0x71 + i]) * 10))
    p.append(c.pkt(True, "A"))
    p += c.close_4way()
    return write_pcap("seq-wrap.pcap", LT_EN10MB, as_eth(p))


def main():
    assert BASE_NS > 0
    return [tcp_3whs_close(), half_open_close_wait(), syn_unanswered(), syn_rejected(),
            rst_client(), rst_server(), rst_out_of_window(), simultaneous_open(),
            simultaneous_close(), port_reuse(), retrans_ooo_dupack_zerowin(), seq_wrap(),
            stats_timeline()]


if __name__ == "__main__":
    main_guard(main)
