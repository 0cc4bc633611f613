#!/usr/bin/env python3
"""The reference for "many profiles": the same work as `conn test --all`, done by the
leanest client that can do it, to show the floor the server and network allow.

For each of N profiles: POST the token request, then GET the probe with the token, over
one keep-alive connection; at most J profiles at once (conn's default -j is 100). Exits
non-zero if any answer is not 200.

    refclient.py URL N J [CAFILE]
"""

import asyncio
import ssl
import sys
import urllib.parse


async def request(reader, writer, head, body=b""):
    writer.write(head + body)
    await writer.drain()
    status_line = await reader.readuntil(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    while True:
        line = await reader.readuntil(b"\r\n")
        if line == b"\r\n":
            break
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    data = await reader.readexactly(length)
    return status, data


async def one(u, sem, ctx, failures):
    async with sem:
        host, port = u.hostname, u.port or (443 if u.scheme == "https" else 80)
        reader, writer = await asyncio.open_connection(
            host, port, ssl=ctx, server_hostname=host if ctx else None
        )
        form = b"grant_type=client_credentials"
        st, data = await request(
            reader,
            writer,
            (
                f"POST {u.path.rstrip('/')}/token HTTP/1.1\r\nHost: {u.netloc}\r\n"
                "Authorization: Basic YmVuY2gtY2xpZW50OmJlbmNoLXNlY3JldA==\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(form)}\r\n\r\n"
            ).encode(),
            form,
        )
        tok = data.split(b'"access_token": "', 1)[-1].split(b'"', 1)[0].decode()
        st2, _ = await request(
            reader,
            writer,
            (
                f"GET {u.path.rstrip('/')}/probe HTTP/1.1\r\nHost: {u.netloc}\r\n"
                f"Authorization: Bearer {tok}\r\n\r\n"
            ).encode(),
        )
        writer.close()
        if st != 200 or st2 != 200:
            failures.append((st, st2))


async def main():
    url, n, j = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ctx = None
    if len(sys.argv) > 4:
        ctx = ssl.create_default_context(cafile=sys.argv[4])
    u = urllib.parse.urlsplit(url)
    sem = asyncio.Semaphore(j)
    failures = []
    await asyncio.gather(*(one(u, sem, ctx, failures) for _ in range(n)))
    if failures:
        print(f"{len(failures)} failed: {failures[:3]}", file=sys.stderr)
        sys.exit(1)


asyncio.run(main())
