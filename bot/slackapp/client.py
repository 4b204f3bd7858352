"""The one :class:`AsyncWebClient` the Slack adapter uses, pointed at ``SLACK_API_URL``.

Every Web API call (alerts, updates, reconciliation, ``users.info``, bolt's ``auth.test`` and
Socket Mode's ``apps.connections.open``) goes through this client, so overriding the base URL
reaches GovSlack, a proxy or a local stand-in in tests. The SDK's retry handlers are disabled:
the outbox decides when to try again (a silent SDK retry after a dropped connection could post a
message twice).
"""

from __future__ import annotations

from pydantic import SecretStr
from slack_sdk.web.async_client import AsyncWebClient

DEFAULT_TIMEOUT = 15  # seconds per Web API call


def make_web_client(
    token: SecretStr | None, api_url: str, *, timeout: int = DEFAULT_TIMEOUT
) -> AsyncWebClient:
    """A client for ``api_url`` (a trailing slash is added). Raises nothing; it connects lazily."""
    base_url = api_url if api_url.endswith("/") else api_url + "/"
    return AsyncWebClient(
        token=token.get_secret_value() if token is not None else None,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[],
    )
