#!/usr/bin/env python3
"""A real HTTP/1.1 peer for ExpectLab's tests, built on Python's http.server.

With protocol_version = "HTTP/1.1", BaseHTTPRequestHandler answers `Expect: 100-continue` itself
with `100 Continue` before the handler runs (handle_expect_100), which is what the tests check.
It reads the whole body (Content-Length or chunked) and answers 200 with a JSON report.

Usage: http11_server.py [--host 127.0.0.1] [--port 0]
The first line on stdout is "listening http://HOST:PORT/"; it runs until SIGTERM or SIGINT.
"""
import argparse
import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ExpectLabPeer/1"
    # The head and the body go out in separate writes: without TCP_NODELAY the body waits ~40 ms
    # for a delayed ACK, which would show up in the timings we measure.
    disable_nagle_algorithm = True

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            total = 0
            while True:
                size_line = self.rfile.readline(1024)
                if not size_line:
                    raise ConnectionError("connection closed in a chunk size line")
                size = int(size_line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    # Trailer section: read up to the empty line.
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return total
                remaining = size
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 65536))
                    if not chunk:
                        raise ConnectionError("connection closed in a chunk")
                    remaining -= len(chunk)
                total += size
                self.rfile.readline(1024)  # CRLF after the chunk data
        length = int(self.headers.get("Content-Length") or 0)
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                raise ConnectionError("connection closed in the body")
            remaining -= len(chunk)
        return length

    def _answer(self):
        received = self._read_body()
        # For the tests: what this peer really read, whatever the framing.
        sys.stderr.write(f"peer: received {received} bytes for {self.command} {self.path}\n")
        sys.stderr.flush()
        body = json.dumps({
            "peer": "python-http.server",
            "method": self.command,
            "path": self.path,
            "expect": self.headers.get("Expect"),
            "received_bytes": received,
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_POST = _answer
    do_PUT = _answer
    do_GET = _answer
    do_HEAD = _answer

    def log_message(self, format, *args):
        # Keep stdout for the listening line; the request log goes to stderr.
        sys.stderr.write("peer: " + (format % args) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    server = HTTPServer((args.host, args.port), Handler)
    host, port = server.server_address[:2]
    print(f"listening http://{host}:{port}/", flush=True)

    def stop(signum, frame):
        raise KeyboardInterrupt

    # Explicitly for both: a background job may inherit SIGINT as ignored.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
