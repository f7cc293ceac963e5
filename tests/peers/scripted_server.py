#!/usr/bin/env python3
"""A scripted raw HTTP peer for ExpectLab's tests: it sends exactly the bytes a test gives, when it
says, so that the client meets the answers real and broken servers give (Caddy's HTTP/1.0 100, a 417
followed by more bytes in one segment, a response cut short, a 101, a reset...).

Usage: scripted_server.py SCRIPT_JSON
SCRIPT_JSON is a list of connection scripts (the Nth connection plays the Nth script; the last one
repeats). A connection script is a list of steps:
  ["head"]           read until the end of a request head
  ["send", "TEXT"]   send TEXT (\\r\\n escapes allowed)
  ["sendhex", "HEX"] send raw bytes
  ["sleep", MS]      wait
  ["fin"]            close (FIN) and end the connection
  ["rst"]            reset (RST) and end the connection
  ["drain", MS]      read and discard for up to MS
The first line on stdout is "listening http://127.0.0.1:PORT/"; it runs until killed. Loopback only.
"""
import json
import socket
import struct
import sys
import threading
import time


def play(conn, steps):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    for step in steps:
        kind = step[0]
        if kind == "head":
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            buf = buf[buf.index(b"\r\n\r\n") + 4:]
        elif kind == "send":
            conn.sendall(step[1].encode("latin-1").decode("unicode_escape").encode("latin-1"))
        elif kind == "sendhex":
            conn.sendall(bytes.fromhex(step[1]))
        elif kind == "sleep":
            time.sleep(step[1] / 1000.0)
        elif kind == "fin":
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(2)
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass
            conn.close()
            return
        elif kind == "rst":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            return
        elif kind == "drain":
            conn.settimeout(step[1] / 1000.0)
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass
    # The script ended: keep the connection until the client closes it.
    conn.settimeout(30)
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass
    conn.close()


def main():
    scripts = json.loads(sys.argv[1])
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    print("listening http://127.0.0.1:%d/" % server.getsockname()[1], flush=True)
    n = 0
    while True:
        conn, _ = server.accept()
        steps = scripts[min(n, len(scripts) - 1)]
        n += 1
        threading.Thread(target=play, args=(conn, steps), daemon=True).start()


if __name__ == "__main__":
    main()
