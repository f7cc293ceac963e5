#!/usr/bin/env python3
"""Python http.server with protocol_version HTTP/1.1 for the probe's interop test.

Listens on 127.0.0.1 (port from argv, 0 = any), prints "listening PORT" once ready. The stock
server speaks HTTP/1.0 (no 100, 501 for POST); this handler speaks HTTP/1.1, so
BaseHTTPRequestHandler.handle_expect_100 sends the 100, and do_POST reads Content-Length bytes.
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            received = self.read_chunked()
        else:
            length = int(self.headers.get("Content-Length") or 0)
            remaining = length
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
            received = length - remaining
        body = b"received %d\n" % received
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_chunked(self):
        # http.server leaves chunked request bodies to the handler; unread, they would be parsed
        # as the next request.
        received = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return received
            received += len(self.rfile.read(size))
            self.rfile.readline()

    def log_message(self, fmt, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("listening %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
