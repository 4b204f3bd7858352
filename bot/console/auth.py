"""Who may read the console: a bearer token, a login cookie, or a single-sign-on proxy header.

The rules (settings are validated so the console never starts open off loopback, see
:class:`bot.config.settings.WebConfig`):

- no token and no ``trusted_proxy_header``: the server is bound to loopback; every request
  is let in;
- a token (``DEALRADAR_WEB_TOKEN``): ``Authorization: Bearer <token>``, or the cookie the
  login form sets. The cookie holds an HMAC of the token, not the token, and is ``HttpOnly;
  SameSite=Strict`` (``Secure`` when the request came over HTTPS);
- ``trusted_proxy_header``: a request carrying that header (set by the proxy, which strips
  it from what clients send) is let in as the user it names.

Comparisons are constant-time (:func:`hmac.compare_digest`). A failed attempt is logged with
the client address, method and path, never with what was presented.

The login form is the console's only state-changing action; it carries a CSRF token that
must match a ``SameSite=Strict`` cookie set with the form (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from aiohttp import web

log = logging.getLogger("dealradar.console")

SESSION_COOKIE = "dealradar_console"
CSRF_COOKIE = "dealradar_csrf"
CSRF_FIELD = "csrf"
_SESSION_CONTEXT = b"dealradar console session v1"


@dataclass(frozen=True, slots=True)
class Verdict:
    """``user`` when let in (``"local"``, ``"token"`` or the proxy's user), else ``reason``."""

    user: str | None
    reason: str = ""


class Gate:
    """Decides whether a request may read the console, and issues login cookies."""

    def __init__(self, token: str | None, proxy_header: str | None) -> None:
        self._token = token.encode() if token else None
        self._proxy_header = proxy_header
        self._session = (
            hmac.new(self._token, _SESSION_CONTEXT, hashlib.sha256).hexdigest()
            if self._token
            else None
        )

    @property
    def open(self) -> bool:
        """No credentials configured: loopback only, everyone on this machine may read."""
        return self._token is None and self._proxy_header is None

    @property
    def has_login(self) -> bool:
        return self._token is not None

    def check(self, request: web.Request) -> Verdict:
        if self.open:
            return Verdict("local")
        if self._proxy_header is not None:
            user = request.headers.get(self._proxy_header, "").strip()
            if user:
                return Verdict(user[:100])
        if self._token is None:
            return Verdict(None, f"no {self._proxy_header} header")
        auth = request.headers.get("Authorization", "")
        if auth:
            scheme, _, presented = auth.partition(" ")
            if scheme.casefold() == "bearer" and self.token_matches(presented.strip()):
                return Verdict("token")
            return Verdict(None, "wrong bearer token")
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            assert self._session is not None  # set with the token
            if hmac.compare_digest(cookie.encode(), self._session.encode()):
                return Verdict("token")
            return Verdict(None, "stale or forged session cookie")
        return Verdict(None, "no credentials")

    def token_matches(self, presented: str) -> bool:
        if self._token is None:
            return False
        return hmac.compare_digest(presented.encode("utf-8", "replace"), self._token)

    def log_failure(self, request: web.Request, reason: str) -> None:
        if reason == "no credentials":  # a first visit, before the login form
            return
        log.warning(
            "console: authentication failed",
            extra={
                "kv": {
                    "reason": reason,
                    "client": request.remote or "",
                    "method": request.method,
                    "path": request.path[:200],
                }
            },
        )

    def set_session(self, response: web.StreamResponse, request: web.Request) -> None:
        assert self._session is not None
        response.set_cookie(
            SESSION_COOKIE,
            self._session,
            httponly=True,
            samesite="Strict",
            secure=request.secure,
            path="/",
            max_age=7 * 24 * 3600,
        )


def new_csrf() -> str:
    """A fresh CSRF token: embed it in the form and :func:`set_csrf` it on the response."""
    return secrets.token_urlsafe(32)


def set_csrf(response: web.StreamResponse, request: web.Request, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="Strict", secure=request.secure, path="/"
    )


def csrf_ok(request: web.Request, submitted: str) -> bool:
    """Whether the form's CSRF field matches the cookie set with the form."""
    expected = request.cookies.get(CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(submitted.encode(), expected.encode())
