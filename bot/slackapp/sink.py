"""``SlackSink``: the :class:`bot.ports.Sink` that posts deliveries with ``chat.postMessage``.

* A NEW alert, a digest and a notice are top-level messages.
* A FOLLOW_UP is a thread reply (``thread_ts`` = the story's first message) and the parent is
  edited with ``chat.update`` to show the latest status and outlet count.
* A STATUS_CHANGE is the same with ``reply_broadcast`` so the channel sees it too.

Idempotency: every message carries ``metadata`` ``{event_type: "dealradar_alert",
event_payload: {delivery: <Delivery.key>}}``. On a retry (``attempt > 0``) the sink first looks
for a message with that key (``conversations.history``, or ``conversations.replies`` inside the
thread, newest :data:`RECONCILE_WINDOW` messages) and returns it instead of posting again, so an
answer lost after Slack accepted the message does not produce a duplicate.

Pacing (about one message per second per channel) is the delivery worker's job
(``delivery.per_channel_interval``); this sink sends when asked. Failures are raised as
:class:`bot.errors.DeliveryError` (see :mod:`bot.slackapp.failures`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import Alert, AlertKind, Delivery, MessageRef, SendResult
from bot.errors import DeliveryError
from bot.slackapp import actions, failures
from bot.slackapp.render import SlackMessage, render, render_parent

log = logging.getLogger("dealradar.slack")

RECONCILE_WINDOW = 100  # newest messages searched for an earlier attempt's delivery key


def delivery_metadata(key: str) -> dict[str, Any]:
    return {"event_type": actions.METADATA_EVENT_TYPE, "event_payload": {"delivery": key}}


def carries_key(message: dict[str, Any], key: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(
        metadata.get("event_type") == actions.METADATA_EVENT_TYPE and payload.get("delivery") == key
    )


class SlackSink:
    """Posts deliveries to Slack channels. ``send`` raises :class:`DeliveryError`."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient, *, reconcile_window: int = RECONCILE_WINDOW):
        self._client = client
        self._window = reconcile_window

    async def send(self, delivery: Delivery) -> SendResult:
        """Send one delivery. Raises :class:`DeliveryError` (retryable or not)."""
        message = delivery.message
        channel = delivery.target.channel
        if not channel:
            raise DeliveryError(
                "slack: the route has no channel id", retryable=False, reason="no_channel"
            )
        parent = delivery.parent
        if not isinstance(message, Alert) or message.kind is AlertKind.NEW or parent is None:
            rendered = render_parent(message) if isinstance(message, Alert) else render(message)
            ts, channel = await self._post_once(delivery, channel, rendered, thread_ts=None)
            return SendResult(message=MessageRef("slack", channel, ts))
        channel = parent.channel or channel
        thread_ts = parent.message_id
        broadcast = message.kind is AlertKind.STATUS_CHANGE
        ts, channel = await self._post_once(
            delivery, channel, render(message), thread_ts=thread_ts, broadcast=broadcast
        )
        extra = await self._update_parent(channel, thread_ts, render_parent(message))
        ref = MessageRef("slack", channel, ts, thread_id=thread_ts)
        return SendResult(message=ref, extra=extra)

    async def _post_once(
        self,
        delivery: Delivery,
        channel: str,
        rendered: SlackMessage,
        *,
        thread_ts: str | None,
        broadcast: bool = False,
    ) -> tuple[str, str]:
        """Post unless an earlier attempt already did; returns ``(ts, channel id)``."""
        if delivery.attempt > 0:
            found = await self._find_posted(channel, delivery.key, thread_ts)
            if found is not None:
                log.info("slack: delivery %s was already posted as %s", delivery.id, found)
                return found, channel
        args: dict[str, Any] = {
            "channel": channel,
            "text": rendered.text,
            "blocks": rendered.blocks,
            "metadata": delivery_metadata(delivery.key),
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if thread_ts is not None:
            args["thread_ts"] = thread_ts
            if broadcast:
                args["reply_broadcast"] = True
        data = await self._call("chat.postMessage", lambda: self._client.chat_postMessage(**args))
        return str(data["ts"]), str(data.get("channel") or channel)

    async def _find_posted(self, channel: str, key: str, thread_ts: str | None) -> str | None:
        """The ts of a message carrying ``key``, or ``None``; a lookup the bot may not make
        (missing scope, not in channel) is logged and treated as "not posted"."""
        try:
            if thread_ts is None:
                data = await self._call(
                    "conversations.history",
                    lambda: self._client.conversations_history(
                        channel=channel, limit=self._window, include_all_metadata=True
                    ),
                )
            else:
                data = await self._call(
                    "conversations.replies",
                    lambda: self._client.conversations_replies(
                        channel=channel,
                        ts=thread_ts,
                        limit=self._window,
                        include_all_metadata=True,
                    ),
                )
        except DeliveryError as error:
            if error.retryable:
                raise
            log.warning("slack: cannot check for an earlier post (%s); posting", error.reason)
            return None
        for found in data.get("messages") or []:
            if isinstance(found, dict) and carries_key(found, key):
                return str(found.get("ts"))
        return None

    async def _update_parent(self, channel: str, ts: str, rendered: SlackMessage) -> dict[str, str]:
        """Edit the story's first message; a parent that cannot be edited is reported in
        ``extra`` rather than failing a reply that was already posted."""
        try:
            await self._call(
                "chat.update",
                lambda: self._client.chat_update(
                    channel=channel, ts=ts, text=rendered.text, blocks=rendered.blocks
                ),
            )
        except DeliveryError as error:
            if error.retryable:
                raise
            log.warning("slack: parent %s not updated: %s", ts, error)
            return {"parent_update": error.reason}
        return {"parent_update": "ok"}

    async def _call(self, method: str, call: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
        try:
            response = await call()
        except Exception as error:
            raise failures.from_exception(method, error) from None
        data = getattr(response, "data", None)
        if not isinstance(data, dict):
            raise DeliveryError(
                f"slack {method}: unreadable answer", retryable=True, reason="bad_response"
            )
        return data
