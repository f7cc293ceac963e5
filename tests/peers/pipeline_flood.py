#!/usr/bin/env python3
"""A hostile keep-alive client for ExpectLab's tests: N pipelined GETs on one connection, reading
none of the answers (or all of them with --read), for at most 20 s. Then it holds the connection
until stdin closes, so that the test can measure the server meanwhile.
Usage: pipeline_flood.py PORT N [--read]    Prints "sent BYTES" when it has sent what it could.
"""
import socket
import sys
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
read = "--read" in sys.argv
s = socket.create_connection(("127.0.0.1", port))
data = b"GET / HTTP/1.1\r\nHost: flood\r\n\r\n" * n
s.setblocking(False)
sent, deadline = 0, time.time() + 20
while sent < len(data) and time.time() < deadline:
    try:
        sent += s.send(data[sent:sent + (1 << 20)])
    except BlockingIOError:
        time.sleep(0.005)  # the server stopped reading: that is the point
    if read:
        try:
            while s.recv(1 << 20):
                pass
        except BlockingIOError:
            pass
print("sent %d" % sent, flush=True)
sys.stdin.read()
