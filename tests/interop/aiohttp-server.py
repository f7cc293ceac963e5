#!/usr/bin/env python3
"""An aiohttp 3.8 server (Debian's python3-aiohttp) for tests/probe/tst_probepeers.cpp: it answers
early as a limit-checking aiohttp app does, 417 to an unknown expectation and 413 when
Content-Length is over 1 MiB, before reading the body, and keeps the connection alive.
Usage: aiohttp-server.py PORT   (0: any free port). The first line on stdout is "listening PORT".
"""
import socket
import sys
from aiohttp import web

LIMIT = 1 << 20

async def expect(request):
    # Answers early, as a limit-checking aiohttp app does: 417 to an unknown expectation, 413 when
    # Content-Length is over the limit; otherwise aiohttp's own 100.
    value = request.headers.get("Expect", "").lower()
    if value != "100-continue":
        raise web.HTTPExpectationFailed(text="unknown expectation\n")
    if (request.content_length or 0) > LIMIT:
        raise web.HTTPRequestEntityTooLarge(max_size=LIMIT, actual_size=request.content_length)
    if request.version != (1, 0):
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")

async def handle(request):
    body = await request.read()
    return web.Response(text="got %d bytes\n" % len(body))

app = web.Application(client_max_size=LIMIT)
app.router.add_route("*", "/{tail:.*}", handle, expect_handler=expect)
# A socket bound here, so that port 0 works and the test learns the port.
sock = socket.socket()
sock.bind(("127.0.0.1", int(sys.argv[1])))
print("listening %d" % sock.getsockname()[1], flush=True)
web.run_app(app, sock=sock, print=None)
