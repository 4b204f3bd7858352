"""A raw HTTP/1.1 client for endpoint tests: a request body sent the way a slow link or a
proxy sends it (several TCP writes apart, or ``Transfer-Encoding: chunked``), and header values
no well-behaved client library would send (empty, non-ASCII, thousands of digits).

The pause between writes is the network condition under test, not a wait for the server: the
server must read on until the body is complete however long the gap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

PAUSE_S = 0.05


async def post(
    port: int,
    path: str,
    headers: Mapping[str, str],
    pieces: Sequence[bytes],
    *,
    chunked: bool = False,
    pause: float = PAUSE_S,
) -> tuple[int, bytes]:
    """POST ``pieces`` (written one by one, ``pause`` apart) to 127.0.0.1; ``(status, body)``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    size = sum(len(piece) for piece in pieces)
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape"))
        for index, piece in enumerate(pieces):
            if index:
                await asyncio.sleep(pause)
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except ConnectionError:
        pass  # the server answered early and closed; its answer is still read below
    answer = await asyncio.wait_for(reader.read(), timeout=20)
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def split(body: bytes, parts: int) -> list[bytes]:
    """``body`` in ``parts`` roughly equal pieces."""
    step = max(1, -(-len(body) // parts))
    return [body[i : i + step] for i in range(0, len(body), step)] or [b""]
