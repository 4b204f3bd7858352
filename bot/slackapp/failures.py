"""Translating Slack Web API failures into :class:`bot.errors.DeliveryError`.

The outbox owns retries, so the SDK's own retry handlers are switched off (see
:func:`bot.slackapp.client.make_web_client`) and every failure is classified here once:

* HTTP 429 → retryable, ``retry_after`` from the ``Retry-After`` header;
* HTTP 5xx, timeouts, dropped connections → retryable (the outbox backs off);
* configuration problems (``channel_not_found``, ``not_in_channel``, ``invalid_auth``, …) and
  payload problems (``msg_too_long``, ``invalid_blocks``) → not retryable, with a reason a
  human can act on.

Messages are built from the method name, status and Slack's error code only, never from the
SDK's exception text or request, so a token cannot leak into a log line.
"""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import DeliveryError

# Slack error code → what the operator should do. Not retryable: sending again cannot help.
PERMANENT_ERRORS: dict[str, str] = {
    "channel_not_found": "the channel does not exist or the bot cannot see it; check the route",
    "not_in_channel": "the bot is not a member of the channel; invite it with /invite",
    "is_archived": "the channel is archived",
    "invalid_auth": "SLACK_BOT_TOKEN is not valid",
    "not_authed": "no token was sent; set SLACK_BOT_TOKEN",
    "account_inactive": "the bot user or workspace was deactivated",
    "token_revoked": "SLACK_BOT_TOKEN was revoked; reinstall the app",
    "token_expired": "SLACK_BOT_TOKEN expired; reinstall the app",
    "missing_scope": "the app lacks an OAuth scope; see deploy/slack-manifest.yaml",
    "restricted_action": "a workspace setting forbids the bot from posting here",
    "msg_too_long": "the message was longer than Slack accepts",
    "invalid_blocks": "Slack rejected the message blocks",
    "invalid_blocks_format": "Slack rejected the message blocks",
    "invalid_metadata_format": "Slack rejected the message metadata",
    "no_text": "the message had no text",
    "message_not_found": "the message to update no longer exists",
    "cant_update_message": "the bot may not edit that message",
    "edit_window_closed": "the message is too old to edit",
    "thread_not_found": "the thread parent no longer exists",
}
# Slack error codes that mean "try later" although the HTTP status was 200.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def _retry_after(headers: object) -> float | None:
    getter = getattr(headers, "get", None)
    value = getter("Retry-After") if getter else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def from_api_error(method: str, error: SlackApiError) -> DeliveryError:
    """The :class:`DeliveryError` for a Slack API answer that was not ``ok``."""
    response = error.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = getattr(response, "data", None)
    code = str(data.get("error", "")) if isinstance(data, dict) else ""
    if status == 429 or code == "ratelimited":
        wait = _retry_after(getattr(response, "headers", None))
        return DeliveryError(
            f"slack {method}: rate limited (retry after {wait if wait is not None else '?'} s)",
            retryable=True,
            retry_after=wait,
            reason="rate_limited",
        )
    if status >= 500 or code in TRANSIENT_ERRORS:
        return DeliveryError(
            f"slack {method}: server error (HTTP {status}{', ' + code if code else ''})",
            retryable=True,
            reason="server_error",
        )
    if code in PERMANENT_ERRORS:
        return DeliveryError(
            f"slack {method}: {code}: {PERMANENT_ERRORS[code]}", retryable=False, reason=code
        )
    label = code or f"http_{status}"
    return DeliveryError(f"slack {method}: {label}", retryable=False, reason=label[:60])


def from_exception(method: str, error: BaseException) -> DeliveryError:
    """Classify any exception a Web API call raised; unknown ones are not retried."""
    if isinstance(error, SlackApiError):
        return from_api_error(method, error)
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        return DeliveryError(f"slack {method}: timed out", retryable=True, reason="timeout")
    if isinstance(error, (aiohttp.ClientError, ConnectionError, OSError)):
        kind = type(error).__name__
        return DeliveryError(
            f"slack {method}: connection failed ({kind})", retryable=True, reason="connection"
        )
    if isinstance(error, SlackClientError):
        return DeliveryError(f"slack {method}: client error", retryable=False, reason="client")
    kind = type(error).__name__
    return DeliveryError(f"slack {method}: unexpected {kind}", retryable=False, reason="unexpected")
