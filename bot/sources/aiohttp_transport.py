"""An httpx transport that speaks HTTP through aiohttp: the fast wire, same SSRF guarantees.

httpx's own connection pool costs milliseconds per request and slows down as it grows
(encode/httpx#3215); aiohttp's connector is several times cheaper. Sources keep the httpx API
(``httpx.AsyncClient``, ``MockTransport`` in tests) and only the wire changes:
``build_client(..., backend="aiohttp")``.

Safety is the same as :mod:`bot.sources.transport`: aiohttp resolves names through
:class:`PinnedResolver`, which refuses non-public addresses (unless private networks are allowed)
and hands aiohttp only the checked IPs, so the connection goes to the address that was checked
(no DNS-rebinding window) while TLS still verifies the name. aiohttp skips resolvers for IP
literals, so literals are checked here before the request. Bodies are passed on still
compressed (``auto_decompress=False``) so the fetcher's capped inflater bounds gzip bombs, and
proxies from the environment are ignored. aiohttp errors become the httpx exceptions the
fetcher already maps (``ConnectError``, ``ConnectTimeout``, ``ReadTimeout``, ``ReadError``…).
"""

from __future__ import annotations

import functools
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import httpcore
import httpx
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import BlockedAddressError
from bot.redaction import redact_url
from bot.sources.addresses import is_public_address, parse_ip_literal
from bot.sources.transport import resolve

CHUNK_BYTES = 64 * 1024
_SKIP_AUTO_HEADERS = ("User-Agent", "Accept-Encoding", "Accept")


@functools.lru_cache(maxsize=16384)
def _yarl_url(url: str) -> yarl.URL:
    """``yarl.URL(url)``, which aiohttp would build from the string on every request (yarl
    URLs are immutable; sources repeat theirs every poll)."""
    return yarl.URL(url)


@functools.lru_cache(maxsize=64)
def _client_timeout(
    pool: float | None, connect: float | None, read: float | None
) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for httpx's (the same few values every request: built once)."""
    return aiohttp.ClientTimeout(total=None, connect=pool, sock_connect=connect, sock_read=read)


class PinnedResolver(AbstractResolver):
    """aiohttp resolver that returns only checked addresses."""

    def __init__(self, *, allow_private_networks: bool) -> None:
        self._allow_private = allow_private_networks

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Raises BlockedAddressError (refused) or OSError (does not resolve)."""
        try:
            addresses = await resolve(host, port)
        except httpcore.ConnectError as exc:
            raise OSError(str(exc)) from None
        if not self._allow_private:
            blocked = [a for a in addresses if not is_public_address(a)]
            if blocked:
                raise BlockedAddressError(
                    f"{host}:{port} resolves to non-public address {blocked[0]}; refused"
                )
        return [
            ResolveResult(
                hostname=host,
                host=str(a),
                port=port,
                family=socket.AF_INET6 if a.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for a in addresses
        ]

    async def close(self) -> None:
        return None


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(CHUNK_BYTES):
                yield chunk
        except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out") from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()  # never return a half-read connection to the pool


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx transport over one lazily created ``aiohttp.ClientSession``.

    ``resolver`` is the DNS under the pinning (default: :class:`PinnedResolver` with the same
    policy); tests pass their own.
    """

    def __init__(
        self,
        *,
        allow_private_networks: bool,
        max_connections: int = 32,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self._allow_private = allow_private_networks
        self._max_connections = max_connections
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                resolver=self._resolver
                or PinnedResolver(allow_private_networks=self._allow_private),
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=False,
                auto_decompress=False,
                cookie_jar=_NoCookies(),
                # httpx sets these itself; per request, aiohttp rebuilt the set every time
                skip_auto_headers=_SKIP_AUTO_HEADERS,
            )
        return self._session

    def _check_literal(self, url: str) -> None:
        if self._allow_private:
            return
        literal = parse_ip_literal(_hostname(url))
        if literal is not None and not is_public_address(literal):
            raise BlockedAddressError(f"refusing non-public address {literal}")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Raises BlockedAddressError or the httpx transport exceptions."""
        url = redact_url(str(request.url))  # httpx already turned user:password into a header
        self._check_literal(url)
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        timeout = _client_timeout(
            timeouts.get("pool"), timeouts.get("connect"), timeouts.get("read")
        )
        body = await request.aread()
        try:
            response = await self._get_session().request(
                request.method,
                _yarl_url(url),
                # aiohttp writes headers as UTF-8, so UTF-8 round-trips them; multi_items()
                # would first work out an encoding for every request's headers
                headers=[
                    (k.decode(), v.decode("utf-8", "replace")) for k, v in request.headers.raw
                ],
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
            )
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc) or "connect timed out") from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc) or "timed out") from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc)) from exc
        except aiohttp.ClientError as exc:
            raise httpx.NetworkError(str(exc) or type(exc).__name__) from exc
        return httpx.Response(
            status_code=response.status,
            headers=[(k, v) for k, v in response.raw_headers],
            stream=_Body(response),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode(),
            },
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


@functools.lru_cache(maxsize=16384)
def _hostname(url: str) -> str:
    return urlsplit(url).hostname or ""


class _NoCookies(aiohttp.DummyCookieJar):
    """Feeds get no cookies: nothing set by one source is sent to another."""
