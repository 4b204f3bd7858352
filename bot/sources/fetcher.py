"""One polite, bounded HTTP GET of a source URL: the wire half of every source kind.

What it guarantees, whatever the server does:

* a **total deadline** (``FetchLimits.total_timeout``) over connect, redirects and body, so a
  server trickling one byte at a time is cut off; per-phase connect/read timeouts as well;
* a cap on the **decoded** body size (:mod:`bot.sources.bodies`), so gzip bombs and huge bodies
  stop early with bounded memory;
* **redirects** followed here, not by httpx: at most ``max_redirects`` hops, loops detected, each
  hop re-checked (scheme, literal address here; resolved address in the transport);
* **Basic auth** from the source URL's user-info (``https://user:pw@host/feed.xml``, percent-
  decoded) sent as an ``Authorization`` header, on redirects only to the same origin (scheme,
  host and port), so a feed's password never goes to a host it redirects to; the user-info
  itself never leaves in a request line or an error message;
* **conditional GET** (``If-None-Match`` / ``If-Modified-Since``) from the last
  :class:`FetchState`, and ``Cache-Control: max-age`` reported (capped at :data:`MAX_AGE_CAP`);
* every failure is a :class:`SourceError` whose ``reason`` is a short tag and whose message names
  the URL with any ``user:password`` removed.

There are no retries inside a fetch: a failed fetch is retried by the poller on its next due time,
with the backoff of :mod:`bot.sources.backoff` (``Retry-After`` honoured there), so one bad
source never holds a worker longer than the deadline.

Reasons: ``timeout``, ``connect``, ``network``, ``blocked_address``, ``bad_url``,
``too_many_redirects``, ``redirect_loop``, ``rate_limited`` (429, or 503 with Retry-After),
``server_error`` (5xx), ``not_found`` (404), ``gone`` (410), ``forbidden`` (401/403),
``client_error`` (other 4xx), ``bad_status``, ``too_large``, ``bad_encoding``.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx

from bot.errors import BlockedAddressError, SourceError
from bot.redaction import redact_url
from bot.sources.addresses import check_url
from bot.sources.base import FetchLimits, FetchState
from bot.sources.bodies import read_capped
from bot.sources.client import FeedClient, client_timeout

MAX_AGE_CAP = 3600.0  # seconds: a server cannot push our next poll out further than this
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HttpResult:
    """A successful fetch: ``status`` 200 (body read) or 304 (not modified, empty body)."""

    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    max_age: float | None
    final_url: str
    moved_to: str | None = None  # final URL when every hop was a permanent redirect


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def parse_max_age(cache_control: str | None) -> float | None:
    """``max-age`` from a Cache-Control header, capped at :data:`MAX_AGE_CAP`; None if absent."""
    if not cache_control:
        return None
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return None
    match = _MAX_AGE.search(cache_control)
    if match is None:
        return None
    return min(float(match.group(1)), MAX_AGE_CAP)


def status_error(status: int, where: str, retry_after: float | None) -> SourceError:
    """Map a non-success HTTP status to the SourceError the poller acts on."""
    if status == 429 or (status == 503 and retry_after is not None):
        return SourceError(
            f"{where}: HTTP {status}, rate limited", reason="rate_limited", retry_after=retry_after
        )
    if status >= 500:
        return SourceError(f"{where}: HTTP {status}", reason="server_error")
    named = {404: "not_found", 410: "gone", 401: "forbidden", 403: "forbidden"}
    if status in named:
        return SourceError(f"{where}: HTTP {status}", reason=named[status], retryable=False)
    if 400 <= status < 500:
        return SourceError(f"{where}: HTTP {status}", reason="client_error", retryable=False)
    return SourceError(f"{where}: unexpected HTTP {status}", reason="bad_status")


def _conditional_headers(state: FetchState) -> dict[str, str]:
    # Only codings bot.sources.bodies can inflate under its cap, whatever the client's defaults.
    headers = {"Accept-Encoding": "gzip, deflate"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


async def fetch_bytes(
    client: httpx.AsyncClient, url: str, state: FetchState, limits: FetchLimits
) -> HttpResult:
    """GET ``url`` within ``limits``; see the module docstring for the guarantees.

    Raises:
        SourceError: any failure (its ``reason`` says which); BlockedAddressError for SSRF refusals.
    """
    where = redact_url(url)
    check_url(url, allow_private_networks=limits.allow_private_networks)
    try:
        async with asyncio.timeout(limits.total_timeout):
            return await _follow(client, url, state, limits)
    except TimeoutError:
        raise SourceError(
            f"{where}: no complete answer within {limits.total_timeout:g}s", reason="timeout"
        ) from None


async def _follow(
    client: httpx.AsyncClient, url: str, state: FetchState, limits: FetchLimits
) -> HttpResult:
    seen = {url}
    current = url
    hops = 0
    all_permanent = True
    timeouts = _timeouts(limits)
    credentials = _basic_auth(url)
    while True:
        where = redact_url(current)
        auth = None
        if credentials is not None and _origin(current) == credentials[0]:
            auth = credentials[1]
        response = await _send(client, current, state, timeouts, auth)
        try:
            status = response.status_code
            headers = header_map(response)
            location = headers.get("location")
            if status in REDIRECT_STATUSES and location:
                hops += 1
                if hops > limits.max_redirects:
                    raise SourceError(
                        f"{redact_url(url)}: more than {limits.max_redirects} redirects",
                        reason="too_many_redirects",
                    )
                target = urljoin(current, location.strip())
                check_url(target, allow_private_networks=limits.allow_private_networks)
                if target in seen:
                    raise SourceError(
                        f"{redact_url(url)}: redirect loop at {redact_url(target)}",
                        reason="redirect_loop",
                        retryable=False,
                    )
                seen.add(target)
                all_permanent = all_permanent and status in _PERMANENT
                current = target
                continue
            if status == 304 or 200 <= status < 300:
                body = b"" if status == 304 else await _read(response, limits, where)
                return HttpResult(
                    status=304 if status == 304 else 200,
                    body=body,
                    content_type=headers.get("content-type"),
                    etag=headers.get("etag") or (state.etag if status == 304 else None),
                    last_modified=headers.get("last-modified")
                    or (state.last_modified if status == 304 else None),
                    max_age=parse_max_age(headers.get("cache-control")),
                    final_url=current,
                    moved_to=current if hops and all_permanent else None,
                )
            retry_after = parse_retry_after(headers.get("retry-after"), datetime.now(UTC))
            raise status_error(status, where, retry_after)
        finally:
            await response.aclose()


def header_map(response: httpx.Response) -> dict[str, str]:
    """The response's headers by lower-case name, repeated ones joined with ", " as
    ``Headers.get`` does, decoded once: every ``Headers.get`` decodes all headers again."""
    found: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        found[name] = f"{found[name]}, {value}" if name in found else value
    return found


@functools.lru_cache(maxsize=16384)
def _parsed(url: str) -> httpx.URL:
    """httpx parses every URL string again (a fifth of a 304's cost); sources repeat theirs
    every poll and ``httpx.URL`` is immutable."""
    return httpx.URL(url)


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parsed = _parsed(url)
    except httpx.InvalidURL:
        return None  # reported as bad_url when the request is built
    return parsed.scheme, parsed.host, parsed.port or _DEFAULT_PORTS.get(parsed.scheme)


def _basic_auth(url: str) -> tuple[tuple[str, str, int | None], bytes] | None:
    """(origin, ``Authorization`` value) for a URL with user-info, else ``None``."""
    if "@" not in url:  # the common case, on every request
        return None
    try:
        parsed = _parsed(url)
    except httpx.InvalidURL:
        return None  # reported as bad_url when the request is built
    origin = _origin(url)
    if not parsed.userinfo or origin is None:
        return None
    # httpx decodes the percent-escapes (a password with ':' or '@' is written %3A, %40)
    pair = f"{parsed.username}:{parsed.password}".encode()
    return origin, b"Basic " + base64.b64encode(pair)


@functools.lru_cache(maxsize=64)
def _timeouts(limits: FetchLimits) -> dict[str, float | None]:
    return client_timeout(limits).as_dict()


_NO_BODY = httpx.ByteStream(b"")  # what httpx gives a GET without content; immutable


def _request(
    client: httpx.AsyncClient,
    url: str,
    state: FetchState,
    timeouts: dict[str, float | None],
    auth: bytes | None = None,
) -> httpx.Request:
    """What ``client.build_request`` would build for a source's conditional GET (Host, the
    client's headers, ours over them), built directly: merging headers, cookies and URL
    parameters generically, then looking up a content type and re-encoding the headers for a
    body a GET does not have, was a fifth of a 304's cost. The feed client has no cookies, no
    base URL, no default parameters. ``auth`` is the ``Authorization`` value, if any; the
    user-info is taken out of the URL, so it reaches the server only that way."""
    parsed = _parsed(url)
    if parsed.userinfo:
        parsed = parsed.copy_with(userinfo=b"")
    ours = [(k.encode(), v.encode()) for k, v in _conditional_headers(state).items()]
    if auth is not None:
        ours.append((b"Authorization", auth))
    lowered = {name.lower() for name, _ in ours}
    headers = [(b"Host", parsed.netloc)]
    headers.extend((k, v) for k, v in client.headers.raw if k.lower() not in lowered)
    headers.extend(ours)
    return httpx.Request(
        "GET", parsed, headers=headers, stream=_NO_BODY, extensions={"timeout": timeouts}
    )


async def _send(
    client: httpx.AsyncClient,
    url: str,
    state: FetchState,
    timeouts: dict[str, float | None],
    auth: bytes | None,
) -> httpx.Response:
    where = redact_url(url)
    try:
        request = _request(client, url, state, timeouts, auth)
        if isinstance(client, FeedClient):
            return await client.send_direct(request)
        return await client.send(request, stream=True, follow_redirects=False)
    except BlockedAddressError as exc:
        raise BlockedAddressError(f"{where}: {exc}") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise SourceError(f"{where}: bad URL ({exc})", reason="bad_url", retryable=False) from None
    except httpx.TimeoutException as exc:
        raise SourceError(f"{where}: timed out ({type(exc).__name__})", reason="timeout") from None
    except httpx.ConnectError as exc:
        raise SourceError(f"{where}: cannot connect ({exc})", reason="connect") from None
    except httpx.TransportError as exc:
        raise SourceError(f"{where}: network error ({exc})", reason="network") from None


async def _read(response: httpx.Response, limits: FetchLimits, where: str) -> bytes:
    try:
        return await read_capped(response, limits.max_body_bytes, where)
    except httpx.TimeoutException as exc:
        raise SourceError(
            f"{where}: timed out reading body ({type(exc).__name__})", reason="timeout"
        ) from None
    except httpx.TransportError as exc:
        raise SourceError(
            f"{where}: network error reading body ({exc})", reason="network"
        ) from None
