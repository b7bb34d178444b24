#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""close_wait_pair.py PORT: a server on 127.0.0.1:PORT and a client that
connects, sends a line and closes its side. The server reads the FIN and does
not close: it sits in CLOSE_WAIT (the client in FIN_WAIT_2) until a line
"close" arrives on standard input; then it closes and, on "exit", the script
ends. Prints "ready" once the server has seen the FIN, "closed" after closing."""
import socket
import sys

port = int(sys.argv[1])
lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", port))
lsock.listen(1)
client = socket.create_connection(("127.0.0.1", port))
server, _ = lsock.accept()
client.sendall(b"hello\n")
client.shutdown(socket.SHUT_WR)          # the client's FIN
data = b""
while True:
    chunk = server.recv(100)
    if not chunk:                         # FIN read: the server is in CLOSE_WAIT
        break
    data += chunk
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() == "close":
        server.close()
        print("closed", flush=True)
    elif line.strip() == "exit":
        break
client.close()
lsock.close()
