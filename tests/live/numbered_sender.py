#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Sends numbered UDP frames out of an interface until killed (SIGTERM).

Usage: numbered_sender.py IFACE PPS
Frame i: Ethernet / IPv4 10.77.(i mod 64).1 -> 10.78.0.1 / UDP 7000+(i mod 64)
-> 9 / 8-byte big-endian i. Sixty-four source addresses, so a fanout group
hashing on addresses spreads the frames over its sockets. Raw AF_PACKET: no
addresses are configured and nothing is routed; the frames stay on the veth
pair. Prints the number of frames sent on exit.
"""
import signal
import socket
import struct
import sys
import time

iface, pps = sys.argv[1], int(sys.argv[2])
stop = False


def on_term(_sig, _frm):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(i):
    k = i % 64
    payload = struct.pack("!Q", i)
    udp = struct.pack("!HHHH", 7000 + k, 9, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17, 0,
                     bytes([10, 77, k, 1]), bytes([10, 78, 0, 1]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + udp


s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
t0 = time.monotonic()
i = 0
while not stop:
    due = t0 + i / pps
    now = time.monotonic()
    if due > now:
        time.sleep(min(due - now, 0.01))
        continue
    s.send(frame(i))
    i += 1
print(i)
