#!/usr/bin/env python3
"""A token server and API for the benchmarks: answers every request after a fixed delay.

Plays an OAuth token endpoint (`POST /token` -> a Bearer token valid one hour) and a read-only
API (`GET /probe` -> 200). Listens on 127.0.0.1 only: a plain-HTTP port and, with --cert, an
HTTPS port. It counts what it accepted, so the benchmark can check connection reuse:

  connections  TCP connections accepted (both ports)
  handshakes   TLS handshakes completed (HTTPS port)
  resumed      of those, resumed sessions
  requests     HTTP requests answered

A separate control port (never counted) serves `GET /stats` and `POST /reset`.

asyncio, one thread: the delay is a non-blocking sleep, so thousands of requests can wait
at once; the benchmark checks that the server is not the bottleneck with a reference client.
"""

import argparse
import asyncio
import json
import os
import ssl
import sys

STATS = {"connections": 0, "handshakes": 0, "resumed": 0, "requests": 0, "max_open": 0}
OPEN = 0


async def read_request(reader):
    """(method, path, headers, body) or None at end of stream."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(n) if n else b""
    return method, path, headers, body


def response(status, body, ctype="application/json", close=False):
    head = (
        f"HTTP/1.1 {status}\r\n"
        f"Content-Type: {ctype}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        + ("Connection: close\r\n" if close else "")
        + "\r\n"
    )
    return head.encode("latin-1") + body


def app(method, path, delay_token):
    if method == "POST" and path.startswith("/token"):
        n = STATS["requests"]
        tok = "bench-" + os.urandom(12).hex() + f"-{n}"
        body = json.dumps({"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
        return "200 OK", body.encode()
    if method in ("GET", "HEAD") and path.startswith("/probe"):
        return "200 OK", b'{"ok":true}'
    return "404 Not Found", b'{"error":"not_found"}'


def handler(delay, tls):
    async def handle(reader, writer):
        global OPEN
        STATS["connections"] += 1
        OPEN += 1
        STATS["max_open"] = max(STATS["max_open"], OPEN)
        if tls:
            obj = writer.get_extra_info("ssl_object")
            if obj is not None:
                STATS["handshakes"] += 1
                if obj.session_reused:
                    STATS["resumed"] += 1
        try:
            while True:
                try:
                    method, path, headers, _body = await read_request(reader)
                except (asyncio.IncompleteReadError, ConnectionError, ValueError, ssl.SSLError):
                    break
                if delay:
                    await asyncio.sleep(delay)
                STATS["requests"] += 1
                status, body = app(method, path, delay)
                close = headers.get("connection", "").lower() == "close"
                writer.write(response(status, body, close=close))
                await writer.drain()
                if close:
                    break
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            OPEN -= 1
            try:
                writer.close()
            except Exception:
                pass

    return handle


async def control(reader, writer):
    try:
        method, path, _h, _b = await read_request(reader)
        if method == "POST" and path == "/reset":
            for k in STATS:
                STATS[k] = 0
        body = json.dumps(STATS).encode()
        writer.write(response("200 OK", body, close=True))
        await writer.drain()
    except Exception:
        pass
    writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    ap.add_argument("--port", type=int, default=0, help="plain HTTP port (0: any)")
    ap.add_argument("--tls-port", type=int, default=0)
    ap.add_argument("--control-port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--ready", help="write the ports as JSON to this file once listening")
    a = ap.parse_args()
    backlog = 4096
    plain = await asyncio.start_server(handler(a.delay, False), "127.0.0.1", a.port, backlog=backlog)
    ports = {"http": plain.sockets[0].getsockname()[1]}
    servers = [plain]
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        tls = await asyncio.start_server(
            handler(a.delay, True), "127.0.0.1", a.tls_port, ssl=ctx, backlog=backlog
        )
        ports["https"] = tls.sockets[0].getsockname()[1]
        servers.append(tls)
    ctl = await asyncio.start_server(control, "127.0.0.1", a.control_port)
    ports["control"] = ctl.sockets[0].getsockname()[1]
    servers.append(ctl)
    if a.ready:
        tmp = a.ready + ".tmp"
        with open(tmp, "w") as f:
            json.dump(ports, f)
        os.replace(tmp, a.ready)
    else:
        print(json.dumps(ports), flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
