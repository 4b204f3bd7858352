"""Slow clients and too many connections cannot take the HTTP server down (issue 19, defect 9).

Real sockets on 127.0.0.1 against :class:`bot.web.server.WebServer` with short timeouts, and the
real ``dealradar run`` process under a low open-file limit. Every test ends by itself in seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import socket
import time
from pathlib import Path

import pytest
from aiohttp import web

from bot.metrics import Metrics
from bot.web.guard import AcceptErrorLog
from bot.web.routes import WebRoute, read_body
from bot.web.server import WebServer
from tests.fakes.clock import FakeClock
from tests.fakes.feedserver import FeedServer
from tests.hardening.harness import Bot, bot_env, http_port, wait_until, write_config


async def _ready() -> str | None:
    return None


async def _echo(request: web.Request) -> web.StreamResponse:
    body = await read_body(request, 1000)
    return web.Response(text=f"{len(body or b'')} bytes")


async def started(read_timeout: float, max_connections: int) -> WebServer:
    server = WebServer(
        "127.0.0.1",
        0,
        metrics=Metrics(),
        ready=_ready,
        routes=[WebRoute("POST", "/echo", _echo)],
        read_timeout=read_timeout,
        max_connections=max_connections,
    )
    await server.start()
    return server


async def get(port: int, path: str = "/healthz") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        answer = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer


async def closed_after(reader: asyncio.StreamReader, limit: float) -> tuple[float, bytes]:
    """Seconds until the server closed the connection, and what it sent before."""
    start = time.monotonic()
    data = b""
    try:
        while chunk := await asyncio.wait_for(reader.read(4096), limit):
            data += chunk
    except ConnectionResetError:
        pass
    return time.monotonic() - start, data


async def trickle(writer: asyncio.StreamWriter, data: bytes, every: float) -> None:
    """One byte every ``every`` seconds: a slow-loris client that never stops sending."""
    try:
        for byte in data:
            writer.write(bytes([byte]))
            await asyncio.sleep(every)
    except (ConnectionError, RuntimeError):
        return


async def test_slow_headers_and_slow_bodies_are_closed_within_the_read_timeout() -> None:
    server = await started(read_timeout=0.5, max_connections=100)
    assert server.port is not None
    opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    slow_bodies: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    trickles = []
    try:
        for n in range(20):  # headers that never end, some sent a byte at a time
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            head = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * 200
            if n % 2:
                trickles.append(asyncio.create_task(trickle(writer, head, 0.02)))
            else:
                writer.write(head)
            opened.append((reader, writer))
        for _ in range(5):  # whole headers, a body that stops arriving
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(
                b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" + b"x" * 10
            )
            slow_bodies.append((reader, writer))
        status, _ = await get(server.port)  # the server still answers meanwhile
        assert status == 200
        waits = await asyncio.gather(*(closed_after(r, 5) for r, _ in opened + slow_bodies))
        assert all(elapsed < 1.5 for elapsed, _ in waits), [round(e, 2) for e, _ in waits]
        assert all(data == b"" for _, data in waits[:20])  # headers never ended: closed
        assert all(data.startswith(b"HTTP/1.1 408") for _, data in waits[20:])
        assert server.guard.timed_out == 25 and server.guard.open == 0
        ok_body = await asyncio.open_connection("127.0.0.1", server.port)
        opened.append(ok_body)
        ok_body[1].write(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc"
        )
        _, answer = await closed_after(ok_body[0], 5)  # the 408s did not break anything
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"3 bytes")
    finally:
        for task in trickles:
            task.cancel()
        for _, writer in opened + slow_bodies:
            writer.close()
        await server.stop()


async def test_connections_over_the_cap_get_503_at_once_and_the_server_recovers() -> None:
    server = await started(read_timeout=1.0, max_connections=5)
    assert server.port is not None
    idle = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(5)]
    try:
        await asyncio.sleep(0)  # let the server take them
        wait_until_open = time.monotonic() + 2
        while server.guard.open < 5 and time.monotonic() < wait_until_open:
            await asyncio.sleep(0.01)
        started_at = time.monotonic()
        status, answer = await get(server.port)
        assert status == 503 and b"too many connections" in answer
        assert time.monotonic() - started_at < 0.5  # refused promptly, not left hanging
        waits = await asyncio.gather(*(closed_after(r, 5) for r, _ in idle))
        assert all(elapsed < 2.0 for elapsed, _ in waits)  # idle ones go at the read timeout
        assert (await get(server.port))[0] == 200
        assert server.guard.refused >= 1 and server.guard.open == 0
    finally:
        for _, writer in idle:
            writer.close()
        await server.stop()


def test_accept_errors_are_logged_once_per_interval_with_a_count(
    caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    passed_on: list[dict[str, object]] = []
    handler = AcceptErrorLog(
        lambda _loop, context: passed_on.append(context), interval=60.0, clock=clock.seconds
    )
    loop = asyncio.new_event_loop()
    failure = {
        "message": "socket.accept() out of system resource",
        "exception": OSError(24, "Too many open files"),
    }
    try:
        with caplog.at_level(logging.ERROR, logger="dealradar.http"):
            for _ in range(120):  # the loop retries accept() every second
                handler(loop, dict(failure))
                clock.advance(seconds=1)
            handler(loop, {"message": "something else", "exception": ValueError("x")})
    finally:
        loop.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "dealradar.http"]
    assert len(lines) == 2
    assert "Too many open files" in lines[0] and "(1 failed" in lines[0]
    assert "(60 failed" in lines[1]
    assert all(r.exc_info is None for r in caplog.records)  # no traceback
    assert [c["message"] for c in passed_on] == ["something else"]


def test_bot_at_a_low_open_file_limit_sheds_connections_and_keeps_answering(
    tmp_path: Path,
) -> None:
    """The issue's run: 220 connections against the bot under ``ulimit -n 200``."""
    with FeedServer() as feeds:
        feeds.set_feed("/wire.xml", [{"title": "Markets open flat", "link": "https://n.example/0"}])
        crowd_at_the_bot(tmp_path, feeds.url("/wire.xml"))


def crowd_at_the_bot(tmp_path: Path, feed: str) -> None:
    config = write_config(
        tmp_path / "bot.toml",
        database=tmp_path / "bot.db",
        feeds={"wire": feed},
        routes='[[routes]]\nplatform = "console"\n',
        extra="",
    )
    text = config.read_text(encoding="utf-8").replace(
        "[http]\nport = 0\n", '[http]\nport = 0\nread_timeout = "1s"\n'
    )
    config.write_text(text, encoding="utf-8")

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))

    bot = Bot(config, bot_env(), tmp_path / "bot.log")
    bot.start(preexec_fn=low_limit)
    clients: list[socket.socket] = []
    try:
        port = http_port(bot)
        for _ in range(220):
            client = socket.create_connection(("127.0.0.1", port), timeout=5)
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")  # never finished
            clients.append(client)
        time.sleep(0.3)  # the whole crowd is at the server
        size_before = len(bot.text())

        def healthz() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as probe:
                probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                answer = probe.recv(4096)
            return answer.startswith(b"HTTP/1.1 200") and json.loads(
                answer.split(b"\r\n\r\n", 1)[1]
            ) == {"status": "ok"}

        wait_until(healthz, 5, "/healthz once the slow clients are closed")
        assert bot.alive()
        assert len(bot.text()) - size_before < 20_000  # no flood of accept() errors
        assert "Traceback" not in bot.text()
        assert "held to half the open-file limit" in bot.text()
    finally:
        for client in clients:
            client.close()
        assert bot.stop() == 0
