"""``DiscordSink``: the outbox's way into Discord, over REST only (never the gateway).

One :meth:`DiscordSink.send` per outbox delivery:

* a NEW alert (or any alert without a parent) → one channel message with the story embed;
* a FOLLOW_UP → a post in the thread started on the alert message (the thread is created on
  first use; where threads are not allowed, a reply referencing the alert instead), then the
  alert message is edited to the story's latest status and outlet count;
* a STATUS_CHANGE → the same, plus a short channel message replying to the alert;
* a digest or notice → one channel message.

Every create carries a deterministic ``nonce`` derived from ``delivery.key`` (and the part of
the delivery it posts) with ``enforce_nonce``: Discord then answers a retry after a lost
response with the message it already created, so an ambiguous failure never posts twice.
Failures are :class:`bot.discordapp.rest.DiscordAPIError` (a ``DeliveryError``), reported to
the :class:`bot.discordapp.breaker.SendGuard` so a bad token or channel is not hammered. When a
channel is newly blocked (403, or 404 unknown channel), ``notify`` gets one line for the admin
channel; the guard probes the channel again after its cool-off.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.config.settings import DiscordSettings
from bot.discordapp import render
from bot.discordapp.breaker import SendGuard
from bot.discordapp.rest import DiscordAPIError, DiscordRest
from bot.domain import Alert, AlertKind, Delivery, Digest, MessageRef, Notice, SendResult
from bot.errors import DeliveryError

log = logging.getLogger(__name__)
NONCE_MAX = 25
THREAD_ARCHIVE_MINUTES = 10080
CODE_UNKNOWN_CHANNEL = 10003
CODE_THREAD_EXISTS = 160004
CODE_WRONG_CHANNEL_TYPE = 50024


def nonce(key: str, part: str) -> str:
    """A 24-character nonce, the same for the same delivery key and part across restarts."""
    return hashlib.blake2b(f"{key}|{part}".encode(), digest_size=12).hexdigest()


class DiscordSink:
    """Implements :class:`bot.ports.Sink` for ``platform = "discord"``."""

    platform = "discord"

    def __init__(
        self,
        rest: DiscordRest,
        *,
        guard: SendGuard | None = None,
        use_threads: bool = True,
        notify: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.rest = rest
        self.guard = guard or SendGuard()
        self._use_threads = use_threads
        self._no_threads: set[str] = set()
        self._notify = notify

    @classmethod
    def from_settings(
        cls,
        settings: DiscordSettings,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 15.0,
        notify: Callable[[str], Awaitable[None]] | None = None,
    ) -> DiscordSink:
        rest = DiscordRest(settings.api_url, settings.token, timeout=timeout, session=session)
        return cls(rest, notify=notify)

    async def close(self) -> None:
        await self.rest.close()

    async def send(self, delivery: Delivery) -> SendResult:
        """Deliver one outbox item.

        Raises:
            DeliveryError: refused locally (bad channel id, breaker open, global hold) or a
                :class:`DiscordAPIError` from Discord; ``retryable`` tells the outbox what to do.
        """
        channel = delivery.target.channel
        if not channel.isdigit():
            raise DeliveryError(
                f"discord: channel {channel[:40]!r} is not a channel id",
                retryable=False,
                reason="bad_channel",
            )
        self.guard.check(channel)
        try:
            result = await self._send(delivery, channel)
        except DiscordAPIError as exc:
            log.warning("discord delivery %s failed: %s", delivery.id, exc)
            if self._observe(exc, channel):
                await self._tell_blocked(channel, exc)
            raise
        self.guard.channel_ok(channel)
        return result

    def _observe(self, exc: DiscordAPIError, channel: str) -> bool:
        """Report a failure to the guard; True when it newly blocked ``channel``."""
        if exc.status == 401:
            self.guard.token_rejected(str(exc))
        elif exc.status == 403 or (exc.status == 404 and exc.code in (None, CODE_UNKNOWN_CHANNEL)):
            return self.guard.channel_rejected(channel, str(exc))
        elif exc.is_global and exc.retry_after:
            self.guard.hold_all(exc.retry_after)
        return False

    async def _tell_blocked(self, channel: str, exc: DiscordAPIError) -> None:
        if self._notify is None:
            return
        cooloff = self.guard.channel_cooloff
        when = f"every {cooloff / 60:.0f} min" if cooloff else "after a restart"
        text = (
            f"Discord channel {channel} refused an alert ({exc.reason}, HTTP {exc.status}); "
            f"alerts to it are held and tried again {when}. Check the bot's access there."
        )
        try:
            await self._notify(text)
        except Exception:  # telling admins must never turn into a failed delivery
            log.exception("discord: could not queue the blocked-channel notice")

    async def _send(self, delivery: Delivery, channel: str) -> SendResult:
        message = delivery.message
        if isinstance(message, Digest):
            body = render.render_digest(message)
        elif isinstance(message, Notice):
            body = render.render_notice(message)
        elif message.kind is AlertKind.NEW or delivery.parent is None:
            body = render.render_alert(message)
        else:
            return await self._update(delivery, message, delivery.parent)
        posted = await self._post(channel, body, nonce(delivery.key, "message"))
        return SendResult(message=MessageRef("discord", channel, posted))

    async def _post(self, channel: str, body: dict[str, Any], once: str) -> str:
        sent = await self.rest.request(
            "POST",
            f"/channels/{channel}/messages",
            {**body, "nonce": once, "enforce_nonce": True},
        )
        return str(sent["id"])

    async def _update(self, delivery: Delivery, alert: Alert, parent: MessageRef) -> SendResult:
        channel = parent.channel
        reference = {
            "message_reference": {
                "message_id": parent.message_id,
                "channel_id": channel,
                "fail_if_not_exists": False,
            }
        }
        thread = await self._thread_for(parent, alert)
        posted = None
        if thread is not None:
            try:
                posted = await self._post(
                    thread, render.render_follow_up(alert), nonce(delivery.key, "thread")
                )
            except DiscordAPIError as exc:
                if exc.status not in (403, 404):
                    raise
                log.info("discord: thread %s unusable (%s); replying in channel", thread, exc)
                thread = None
        if posted is None:
            body = {**render.render_follow_up(alert), **reference}
            posted = await self._post(channel, body, nonce(delivery.key, "reply"))
        extra = {"posted": posted}
        try:
            await self.rest.request(
                "PATCH",
                f"/channels/{channel}/messages/{parent.message_id}",
                render.render_alert(alert),
            )
        except DiscordAPIError as exc:
            if exc.retryable:
                raise
            extra["edit_error"] = exc.reason  # the alert message is gone or not ours to edit
        if alert.kind is AlertKind.STATUS_CHANGE:
            body = {**render.render_status_line(alert), **reference}
            extra["status_posted"] = await self._post(channel, body, nonce(delivery.key, "status"))
        ref = MessageRef("discord", channel, parent.message_id, thread_id=thread)
        return SendResult(message=ref, extra=extra)

    async def _thread_for(self, parent: MessageRef, alert: Alert) -> str | None:
        if parent.thread_id:
            return parent.thread_id
        if not self._use_threads or parent.channel in self._no_threads:
            return None
        try:
            made = await self.rest.request(
                "POST",
                f"/channels/{parent.channel}/messages/{parent.message_id}/threads",
                {
                    "name": render.thread_name(alert),
                    "auto_archive_duration": THREAD_ARCHIVE_MINUTES,
                },
            )
        except DiscordAPIError as exc:
            if exc.code == CODE_THREAD_EXISTS:
                return parent.message_id  # a message's thread has the message's id
            if exc.status == 403 or exc.code == CODE_WRONG_CHANNEL_TYPE:
                self._no_threads.add(parent.channel)
                return None
            if exc.status == 404:
                return None  # the alert message is gone: reply without a thread
            raise
        return str(made["id"])
