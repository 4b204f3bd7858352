"""A small REST client for the Discord API at ``DISCORD_API_URL``, used by the alert sink.

Why not discord.py's ``HTTPClient`` for alerts: it sleeps through 429s and retries 5xx itself
(up to five times, inside the call), which would hide the platform's answer from the outbox
and hold a delivery worker for as long as Discord says. Alerts need the opposite: one request
per attempt, every failure returned at once as a :class:`DiscordAPIError` (a
:class:`bot.errors.DeliveryError`) carrying ``retryable``/``retry_after``, so the outbox owns
back-off and the sink's circuit breaker owns "stop hammering". discord.py's client is still
used for the gateway and app commands (:mod:`bot.discordapp.client`).

Error mapping::

    429                 retryable, retry_after from the JSON body (else Retry-After), "global" kept
    5xx, timeouts, I/O  retryable (reason server_error / timeout / network)
    401                 not retryable, reason unauthorized (the token is wrong or revoked)
    403, 404            not retryable, reason forbidden / not_found, Discord's code kept
    400, 413, other 4xx not retryable, reason bad_request / payload_too_large

Discord's per-route buckets are honoured before they bite: when a response says
``X-RateLimit-Remaining: 0``, further calls to that route (same method, same channel) are
refused locally as retryable until ``X-RateLimit-Reset-After`` has passed, so a busy channel
backs off without collecting 429s (which count towards Discord's invalid-request ban).

Messages name the method, a redacted path, the status and Discord's own error code and
message; never the token (interaction/webhook tokens in paths are redacted as well).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.errors import DeliveryError

USER_AGENT = "DiscordBot (https://github.com/dealradar/dealradar, 0.1) dealradar"
_TOKEN_IN_PATH = re.compile(r"/(webhooks|interactions)/(\d+)/[^/?]+")
_MINOR_ID = re.compile(r"(?<=/messages/)\d+")
_REASONS = {401: "unauthorized", 403: "forbidden", 404: "not_found", 413: "payload_too_large"}


class DiscordAPIError(DeliveryError):
    """One Discord REST call failed. ``status`` is the HTTP status (0 for no response);
    ``code`` is Discord's JSON error code when it sent one; ``is_global`` marks a global 429."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        retryable: bool,
        reason: str,
        code: int | None = None,
        retry_after: float | None = None,
        is_global: bool = False,
    ) -> None:
        super().__init__(message, retryable=retryable, retry_after=retry_after, reason=reason)
        self.status = status
        self.code = code
        self.is_global = is_global


def redact_path(path: str) -> str:
    """``path`` with interaction/webhook tokens replaced by ``***``."""
    return _TOKEN_IN_PATH.sub(lambda m: f"/{m.group(1)}/{m.group(2)}/***", path)


def _float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class DiscordRest:
    """JSON requests against ``api_url`` with the bot token; one attempt per call.

    ``session`` may be shared; otherwise one is created lazily and closed by :meth:`close`.
    """

    def __init__(
        self,
        api_url: str,
        token: SecretStr | None,
        *,
        timeout: float = 15.0,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._clock = clock
        self._exhausted: dict[str, float] = {}
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session = session
        self._owns_session = session is None

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
            self._session = None

    def _headers(self, auth: bool) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        if auth and self._token is not None:
            headers["Authorization"] = "Bot " + self._token.get_secret_value()
        return headers

    async def request(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> Any:
        """Send one request; return the decoded JSON (None for 204).

        Raises:
            DiscordAPIError: any non-2xx answer, a timeout or a connection failure, or (without
                sending) the route's rate-limit bucket is known to be empty.
        """
        if self._session is None:
            self._session = aiohttp.ClientSession()
        where = f"{method} {redact_path(path)}"
        bucket = f"{method} {_MINOR_ID.sub('id', path)}"
        wait = self._exhausted.get(bucket, 0.0) - self._clock()
        if wait > 0:
            raise DiscordAPIError(
                f"discord {where}: rate-limit bucket empty, {wait:.1f}s left",
                status=0,
                retryable=True,
                reason="rate_limited",
                retry_after=wait,
            )
        data = None if body is None else json.dumps(body, ensure_ascii=False)
        try:
            async with self._session.request(
                method,
                self.api_url + path,
                data=data,
                headers=self._headers(auth),
                timeout=self._timeout,
            ) as resp:
                text = await resp.text()
                self._note_bucket(bucket, resp.headers)
                if resp.status < 300:
                    return json.loads(text) if text.strip() else None
                raise _error(where, resp.status, resp.headers, text)
        except TimeoutError as exc:
            raise DiscordAPIError(
                f"discord {where}: timed out", status=0, retryable=True, reason="timeout"
            ) from exc
        except aiohttp.ClientError as exc:
            raise DiscordAPIError(
                f"discord {where}: {type(exc).__name__}", status=0, retryable=True, reason="network"
            ) from exc

    def _note_bucket(self, bucket: str, headers: Any) -> None:
        reset_after = _float(headers.get("X-RateLimit-Reset-After"))
        if headers.get("X-RateLimit-Remaining") == "0" and reset_after:
            self._exhausted[bucket] = self._clock() + reset_after
        else:
            self._exhausted.pop(bucket, None)


def _error(where: str, status: int, headers: Any, text: str) -> DiscordAPIError:
    try:
        payload = json.loads(text) if text.strip() else {}
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    code = payload.get("code") if isinstance(payload.get("code"), int) else None
    said = str(payload.get("message") or "")[:200]
    detail = f"discord {where}: HTTP {status}" + (f" code {code}" if code else "")
    detail += f" ({said})" if said else ""
    if status == 429:
        after = _float(payload.get("retry_after")) or _float(headers.get("Retry-After")) or 1.0
        is_global = bool(payload.get("global")) or headers.get("X-RateLimit-Global") == "true"
        return DiscordAPIError(
            detail + (" [global]" if is_global else ""),
            status=status,
            retryable=True,
            reason="rate_limited_global" if is_global else "rate_limited",
            code=code,
            retry_after=after,
            is_global=is_global,
        )
    if status >= 500:
        return DiscordAPIError(
            detail,
            status=status,
            retryable=True,
            reason="server_error",
            code=code,
            retry_after=_float(headers.get("Retry-After")),
        )
    reason = _REASONS.get(status, "bad_request")
    return DiscordAPIError(detail, status=status, retryable=False, reason=reason, code=code)


__all__ = ["DiscordAPIError", "DiscordRest", "redact_path"]
