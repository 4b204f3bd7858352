"""Secrets inside URLs, taken out of anything shown: messages, replies, logs, CLI output.

A URL can carry a secret two ways: user-info (``https://user:password@host/``) and a query
parameter whose name says it is one (``?token=…``, ``&api_key=…``). :func:`redact_url` drops the
first and masks the value of the second, in a URL or in free text that contains URLs (an error
message, a command line), and never raises, so it can sit on every path that shows a URL.
Standard library only: the command handlers, the config loader, the sources and the CLI all use
this one helper.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

SECRET_PARAMS = (
    "token",
    "key",
    "apikey",
    "api_key",
    "secret",
    "password",
    "sig",
    "signature",
    "access_token",
)
MASK = "***"

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")
_SECRET_QUERY = re.compile(
    r"(?i)([?&;](?:" + "|".join(SECRET_PARAMS) + r")=)[^&#;\s'\"<>]*",
)


def redact_url(text: str) -> str:
    """``text`` without URL user-info and with secret-looking query values masked."""
    if "=" in text:
        text = _SECRET_QUERY.sub(r"\1" + MASK, text)
    if "@" not in text:  # no user-info anywhere: the common case, on every request
        return text
    try:
        parts = urlsplit(text)
        username, password, host, port = parts.username, parts.password, parts.hostname, parts.port
    except ValueError:
        return _USERINFO.sub(r"\1", text)
    if (username is None and password is None) or " " in text:
        return _USERINFO.sub(r"\1", text)
    host = host or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
