"""Which addresses dealradar may connect to: the SSRF policy, in one place.

A source URL comes from configuration or from a chat user (``/deal sources add``), and a feed can
redirect anywhere. Before any connection the transport (:mod:`bot.sources.transport`) asks this
module whether each resolved address is *public*. Everything else is refused unless
``fetch.allow_private_networks`` is set: loopback, RFC 1918 private ranges, link-local (which
holds the 169.254.169.254 cloud metadata service), CGNAT ``100.64.0.0/10``, multicast, reserved,
unspecified, benchmarking and documentation ranges, and IPv6 forms that embed one of those
(IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``,
Teredo ``2001::/32``).

Odd spellings of IPv4 literals (``2130706433``, ``0x7f.1``, ``127.1``, ``0177.0.0.1``) are decoded
the way the C resolver would (``inet_aton``) so they are checked as the address they really are;
names are resolved by the transport and the resolved addresses are checked.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from urllib.parse import urlsplit

from bot.errors import BlockedAddressError, SourceError
from bot.redaction import redact_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})

_V4_BLOCKED = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # CGNAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
    )
)
_V6_BLOCKED = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/128",
        "::1/128",
        "100::/64",  # discard-only
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")

_ODD_V4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)


def is_public_address(address: IPAddress) -> bool:
    """Return True when ``address`` is a globally routable unicast address we may connect to."""
    if isinstance(address, ipaddress.IPv4Address):
        return not any(address in net for net in _V4_BLOCKED)
    if address.ipv4_mapped is not None:
        return is_public_address(address.ipv4_mapped)
    if any(address in net for net in _V6_BLOCKED):
        return False
    embedded = _embedded_v4(address)
    if embedded is not None:
        return is_public_address(embedded)
    return address.is_global


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that NAT64, 6to4, Teredo or IPv4-compatible forms carry, if any."""
    if any(address in net for net in _NAT64) or address in _V4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    if address in _TEREDO and address.teredo is not None:
        return address.teredo[1]  # the client address, de-obfuscated
    return None


@functools.lru_cache(maxsize=4096)  # pure; called on every request (hosts repeat)
def parse_ip_literal(host: str) -> IPAddress | None:
    """Return the address a host string spells, or None when it is a name to resolve.

    Accepts normal IPv4/IPv6 literals (brackets and zone ids allowed) and the legacy IPv4 forms
    the C library accepts (decimal, octal, hex, fewer than four parts).
    """
    text = host.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _ODD_V4.match(text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


@functools.lru_cache(maxsize=16384)  # only URLs that passed are cached (exceptions are not)
def check_url(url: str, *, allow_private_networks: bool) -> None:
    """Refuse URLs we must never fetch, before any connection is made.

    Checks the scheme and, when the host is an IP literal (in any spelling), the address. Names
    are checked after resolution by the transport.

    Raises:
        SourceError: reason ``bad_url`` for a malformed URL or a scheme other than http/https.
        BlockedAddressError: the host is a literal non-public address and that is not allowed.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise SourceError(
            f"{redact_url(url)}: malformed URL", reason="bad_url", retryable=False
        ) from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise SourceError(
            f"{redact_url(url)}: only http and https URLs are fetched",
            reason="bad_url",
            retryable=False,
        )
    if not host:
        raise SourceError(f"{redact_url(url)}: URL has no host", reason="bad_url", retryable=False)
    literal = parse_ip_literal(host)
    if literal is not None and not allow_private_networks and not is_public_address(literal):
        raise BlockedAddressError(f"{redact_url(url)}: refusing non-public address {literal}")
