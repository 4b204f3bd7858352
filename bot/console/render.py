"""HTML and JSON out: the Jinja2 environment, the security headers every console answer
carries, and the JSON encoding of the views.

Jinja2 autoescapes everything (headlines, outlets, errors are feed- or platform-provided
text); templates never use ``|safe``. A link from a feed becomes an ``href`` only when it is
an http(s) URL (:func:`http_url`). The Content-Security-Policy allows the console's own
stylesheet and nothing else: no script at all, no inline style, no frames, forms posting only
to the console.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jinja2
from aiohttp import web

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}


def http_url(value: object) -> str | None:
    """``value`` when it is an absolute http(s) URL, else None (no ``javascript:`` links)."""
    text = str(value or "")
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme in ("http", "https") and parts.netloc else None


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "—"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["http_url"] = http_url
    return env


_ENV = _environment()


def html(template: str, context: Mapping[str, Any], status: int = 200) -> web.Response:
    body = _ENV.get_template(template).render(**context)
    return secured(web.Response(text=body, status=status, content_type="text/html"))


def as_json(data: object, status: int = 200) -> web.Response:
    body = json.dumps(data, default=_jsonable, ensure_ascii=False, separators=(",", ":"))
    return secured(web.Response(text=body, status=status, content_type="application/json"))


def secured(response: web.Response) -> web.Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
