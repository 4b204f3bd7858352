"""An httpx transport whose every TCP connection goes to an address we checked.

Checking a URL's host and then letting the HTTP library resolve it again leaves a DNS-rebinding
window: the second answer can be ``127.0.0.1``. Here the check and the connection are one step.
:class:`PinnedBackend` is an httpcore network backend whose ``connect_tcp`` resolves the host
itself, refuses the connection when any resolved address is non-public (see
:mod:`bot.sources.addresses`) unless private networks are allowed, and then connects to the
checked IP literal. TLS still verifies and sends SNI for the original name, because httpcore
calls ``start_tls`` with the origin host, and the ``Host`` header is untouched.

Redirects never bypass this: the fetcher follows them itself and each hop opens (or reuses a
pooled connection to) an origin that went through this backend. Proxies from the environment
are not used (``trust_env=False`` in :mod:`bot.sources.client`), since a proxy would connect on
our behalf.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from bot.errors import BlockedAddressError
from bot.sources.addresses import IPAddress, is_public_address, parse_ip_literal

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Resolve ``host`` to its addresses (literals, odd IPv4 spellings included, need no DNS).

    Raises:
        httpcore.ConnectError: the name does not resolve.
    """
    literal = parse_ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    found: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = parse_ip_literal(str(sockaddr[0]))
        if address is not None and address not in found:
            found.append(address)
    if not found:
        raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
    return found


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check, then connect to the checked address (never resolve twice)."""

    def __init__(
        self, *, allow_private_networks: bool, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._allow_private = allow_private_networks
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Raises BlockedAddressError (refused) or httpcore.ConnectError (unreachable)."""
        addresses = await resolve(host, port)
        if not self._allow_private:
            blocked = [a for a in addresses if not is_public_address(a)]
            if blocked:
                raise BlockedAddressError(
                    f"{host}:{port} resolves to non-public address {blocked[0]}; refused"
                )
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddressError("unix sockets are never used for sources")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose connection pool uses :class:`PinnedBackend`.

    ``network`` is the wire under the pinning (default: the real one); tests pass a stand-in.
    """

    def __init__(
        self,
        *,
        allow_private_networks: bool,
        max_connections: int = 32,
        network: httpcore.AsyncNetworkBackend | None = None,
        **kwargs: Any,
    ) -> None:
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        super().__init__(limits=limits, **kwargs)
        # httpx builds its pool without a way to pass a backend; replace it with one that has ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(
                allow_private_networks=allow_private_networks, inner=network
            ),
        )
