"""Read a response body with a hard cap on its *decoded* size.

A 10 KB gzip body can inflate to 10 GB. httpx's own decoder inflates each network chunk in one
go (a 64 KB chunk of a gzip bomb becomes ~64 MB at once), so this module reads the raw
(transfer-decoded, still content-encoded) stream and inflates it with ``zlib``'s ``max_length``:
memory never exceeds the cap plus one chunk, and reading stops as soon as the cap is passed.
Only ``gzip`` and ``deflate`` are accepted, matching the ``Accept-Encoding`` the client sends.
"""

from __future__ import annotations

import zlib

import httpx

from bot.errors import SourceError


class _Inflater:
    """Incremental gzip/deflate decoder that never produces more than it is allowed to."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        # gzip: header auto-detected (gzip or zlib). deflate: zlib wrapper, raw as a fallback.
        wbits = zlib.MAX_WBITS | 32 if encoding == "gzip" else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes, budget: int) -> bytes:
        """Decode ``data``; returns at most ``budget + 1`` bytes (more means over the cap)."""
        try:
            out = self._inflate.decompress(data, budget + 1)
        except zlib.error:
            if not (self._first and self._encoding == "deflate"):
                raise
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as IIS sends
            out = self._inflate.decompress(data, budget + 1)
        self._first = False
        while len(out) <= budget and self._inflate.unconsumed_tail:
            out += self._inflate.decompress(self._inflate.unconsumed_tail, budget + 1 - len(out))
        return out


def _encoding_of(response: httpx.Response, where: str) -> str | None:
    value = response.headers.get("content-encoding", "").strip().lower()
    codings = [c.strip() for c in value.split(",") if c.strip() and c.strip() != "identity"]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return "gzip" if codings[0] == "x-gzip" else codings[0]
    raise SourceError(
        f"{where}: unsupported Content-Encoding {value!r}", reason="bad_encoding", retryable=False
    )


def _too_large(where: str, max_bytes: int) -> SourceError:
    return SourceError(
        f"{where}: body larger than {max_bytes} bytes (decoded); stopped reading",
        reason="too_large",
        retryable=False,
    )


async def read_capped(response: httpx.Response, max_bytes: int, where: str) -> bytes:
    """Read and decode the streamed ``response`` body, at most ``max_bytes`` decoded bytes.

    ``where`` names the source (a redacted URL) in error messages.

    Raises:
        SourceError: ``too_large`` past the cap; ``bad_encoding`` for corrupt or unsupported
            compression. Transport errors (httpx.TransportError) propagate to the caller.
    """
    try:  # already in memory (httpx.MockTransport responses): decoded by httpx, only cap it
        preloaded: bytes | None = response.content
    except httpx.ResponseNotRead:
        preloaded = None
    if preloaded is not None:
        if len(preloaded) > max_bytes:
            raise _too_large(where, max_bytes)
        return preloaded
    encoding = _encoding_of(response, where)
    inflater = _Inflater(encoding) if encoding else None
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        if inflater is not None:
            try:
                chunk = inflater.feed(chunk, max_bytes - size)
            except zlib.error as exc:
                raise SourceError(
                    f"{where}: corrupt {encoding} body ({exc})", reason="bad_encoding"
                ) from exc
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(where, max_bytes)
        parts.append(chunk)
    return b"".join(parts)
