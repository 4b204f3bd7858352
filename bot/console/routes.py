"""The console's pages and JSON API as :class:`bot.web.routes.WebRoute` values for the bot's one
HTTP server, each behind the :class:`bot.console.auth.Gate`.

==============================  =====================================  ========================
page                            JSON                                   shows
==============================  =====================================  ========================
``GET /``                       ``GET /api/stories``                   stories, filters, chart
``GET /stories/{key}``          ``GET /api/stories/{key}``             one story's history
``GET /sources``                ``GET /api/sources``                   source health
``GET /deliveries``             ``GET /api/deliveries``                queue, holds, failures
``GET /channels``               ``GET /api/channels``                  subscriptions, mutes
``GET /company/{name}``         ``GET /api/company/{name}``            ``/deal <name>``
==============================  =====================================  ========================

``GET/POST /login`` (only when a token is configured) and ``POST /logout`` manage the cookie;
``/console.css`` is the stylesheet. Pages answer 303 to ``/login`` without credentials (401
when there is no login form); the API answers 401. A failing store answers 503.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.console import views
from bot.console.auth import CSRF_FIELD, SESSION_COOKIE, Gate, csrf_ok, new_csrf, set_csrf
from bot.console.render import as_json, html, secured
from bot.errors import StoreError
from bot.web.routes import Handler, WebRoute

View = Callable[[web.Request], Awaitable[dict[str, Any] | None]]
LOGIN_BODY_LIMIT = 4096

NAV = (
    ("/", "Stories"),
    ("/sources", "Sources"),
    ("/deliveries", "Deliveries"),
    ("/channels", "Channels"),
)


def console_routes(console: views.Console, gate: Gate) -> list[WebRoute]:
    """Every console route, guarded by ``gate``."""
    pages: list[tuple[str, str, View]] = [
        ("/", "stories.html", lambda r: views.stories_view(console, r.query)),
        ("/stories/{key}", "story.html", lambda r: views.story_view(console, r.match_info["key"])),
        ("/sources", "sources.html", lambda _r: views.sources_view(console)),
        ("/deliveries", "deliveries.html", lambda _r: views.deliveries_view(console)),
        ("/channels", "channels.html", lambda _r: views.channels_view(console)),
        (
            "/company/{name}",
            "company.html",
            lambda r: views.company_view(console, r.match_info["name"], r.query),
        ),
    ]
    api_paths = {
        "/": "/api/stories",
        "/stories/{key}": "/api/stories/{key}",
        "/sources": "/api/sources",
        "/deliveries": "/api/deliveries",
        "/channels": "/api/channels",
        "/company/{name}": "/api/company/{name}",
    }
    routes = [WebRoute("GET", "/console.css", _stylesheet)]
    for path, template, view in pages:
        routes.append(WebRoute("GET", path, _guarded(gate, _page(gate, template, view), api=False)))
        routes.append(WebRoute("GET", api_paths[path], _guarded(gate, _api(view), api=True)))
    if gate.has_login:
        routes += [
            WebRoute("GET", "/login", _login_form),
            WebRoute("POST", "/login", _login(gate)),
            WebRoute("POST", "/logout", _logout),
        ]
    return routes


def _guarded(gate: Gate, handler: Handler, *, api: bool) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        verdict = gate.check(request)
        if verdict.user is not None:
            return await handler(request)
        gate.log_failure(request, verdict.reason)
        if api or not gate.has_login:
            response = as_json({"error": "authentication required"}, status=401)
            if gate.has_login:
                response.headers["WWW-Authenticate"] = 'Bearer realm="dealradar"'
            return response
        return secured(web.Response(status=303, headers={"Location": "/login"}))

    return guarded


def _page(gate: Gate, template: str, view: View) -> Handler:
    async def page(request: web.Request) -> web.StreamResponse:
        csrf = new_csrf() if gate.has_login else ""  # for the logout button
        context: dict[str, Any] = {"nav": NAV, "path": request.path, "csrf": csrf}
        try:
            data = await view(request)
        except views.BadQuery as exc:
            response = html("error.html", {**context, "status": 400, "message": str(exc)}, 400)
        except StoreError as exc:
            response = html("error.html", {**context, "status": 503, "message": str(exc)}, 503)
        else:
            if data is None:
                context.update(status=404, message="not found")
                response = html("error.html", context, 404)
            else:
                response = html(template, {**context, **data})
        if csrf:
            set_csrf(response, request, csrf)
        return response

    return page


def _api(view: View) -> Handler:
    async def api(request: web.Request) -> web.StreamResponse:
        try:
            data = await view(request)
        except views.BadQuery as exc:
            return as_json({"error": str(exc)}, status=400)
        except StoreError as exc:
            return as_json({"error": str(exc)}, status=503)
        if data is None:
            return as_json({"error": "not found"}, status=404)
        return as_json(views.public(data))

    return api


async def _login_form(request: web.Request) -> web.StreamResponse:
    return _form(request, failed=False)


def _form(request: web.Request, *, failed: bool) -> web.Response:
    token = new_csrf()
    context = {"nav": (), "path": "/login", "csrf": token, "failed": failed}
    response = html("login.html", context, 401 if failed else 200)
    set_csrf(response, request, token)
    return response


def _login(gate: Gate) -> Handler:
    async def login(request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > LOGIN_BODY_LIMIT:
            return secured(web.Response(status=413, text="too large"))
        form = await request.post()
        csrf, token = form.get(CSRF_FIELD), form.get("token")
        if not isinstance(csrf, str) or not csrf_ok(request, csrf):
            gate.log_failure(request, "login form without a valid CSRF token")
            return secured(web.Response(status=403, text="CSRF check failed; reload /login"))
        if not isinstance(token, str) or not gate.token_matches(token.strip()):
            gate.log_failure(request, "wrong token in login form")
            return _form(request, failed=True)
        response = secured(web.Response(status=303, headers={"Location": "/"}))
        gate.set_session(response, request)
        return response

    return login


async def _logout(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    csrf = form.get(CSRF_FIELD)
    if not isinstance(csrf, str) or not csrf_ok(request, csrf):
        return secured(web.Response(status=403, text="CSRF check failed"))
    response = secured(web.Response(status=303, headers={"Location": "/login"}))
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


_CSS = importlib.resources.files("bot.console").joinpath("static/console.css")


async def _stylesheet(_request: web.Request) -> web.StreamResponse:
    response = secured(web.Response(body=_CSS.read_bytes(), content_type="text/css"))
    response.headers["Cache-Control"] = "max-age=3600"
    return response
