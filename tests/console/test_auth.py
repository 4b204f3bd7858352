"""Who may read the console: off unless enabled, open on loopback, refused off loopback
without a token, bearer token, login form (CSRF, HttpOnly SameSite=Strict cookie), proxy
header; failures logged without the token."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.config.loader import load_settings
from bot.errors import ConfigError
from bot.runtime import app
from tests.console.conftest import Connect, console_settings
from tests.console.seed import T0, TOKEN

Client = TestClient[Any, Any]
PROTECTED = [
    "/",
    "/stories/closure-acme-1",
    "/sources",
    "/deliveries",
    "/channels",
    "/company/Foxconn",
]


def write_config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "dealradar.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_console_is_off_by_default(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, ""), env={})
    assert settings.web.enabled is False


async def test_disabled_console_adds_no_routes(tmp_path: Path) -> None:
    settings = console_settings(f"sqlite:///{tmp_path / 'x.db'}").model_copy(
        update={"web": console_settings("sqlite://").web.model_copy(update={"enabled": False})}
    )
    runtime = await app.build(settings, clock=lambda: T0)
    try:
        assert not [r for r in runtime.web_routes if r.path in ("/", "/api/stories")]
    finally:
        await runtime.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.internal"])
def test_refuses_to_start_off_loopback_without_a_token(tmp_path: Path, host: str) -> None:
    path = write_config(tmp_path, f'[http]\nhost = "{host}"\n[web]\nenabled = true\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert "DEALRADAR_WEB_TOKEN" in str(caught.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_needs_nothing_more(tmp_path: Path, host: str) -> None:
    path = write_config(tmp_path, f'[http]\nhost = "{host}"\n[web]\nenabled = true\n')
    assert load_settings(path, env={}).web.enabled


def test_token_or_proxy_header_allows_other_hosts(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[http]\nhost = "0.0.0.0"\n[web]\nenabled = true\n')
    settings = load_settings(path, env={"DEALRADAR_WEB_TOKEN": TOKEN})
    assert settings.web.token is not None
    assert TOKEN not in repr(settings)
    secret = tmp_path / "token"
    secret.write_text(TOKEN + "\n", encoding="utf-8")
    settings = load_settings(path, env={"DEALRADAR_WEB_TOKEN_FILE": str(secret)})
    assert settings.web.token is not None
    assert settings.web.token.get_secret_value() == TOKEN
    proxied = write_config(
        tmp_path,
        '[http]\nhost = "0.0.0.0"\n[web]\nenabled = true\n'
        'trusted_proxy_header = "X-Forwarded-User"\n',
    )
    assert load_settings(proxied, env={}).web.trusted_proxy_header == "X-Forwarded-User"


def test_token_is_never_read_from_the_file(tmp_path: Path) -> None:
    path = write_config(tmp_path, f'[web]\nenabled = true\ntoken = "{TOKEN}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert "web.token: secrets are read from the environment only" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_short_token_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        load_settings(write_config(tmp_path, ""), env={"DEALRADAR_WEB_TOKEN": "short"})


def test_console_needs_the_http_server(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[http]\nenabled = false\n[web]\nenabled = true\n")
    with pytest.raises(ConfigError, match=r"http\.enabled"):
        load_settings(path, env={})


@pytest.mark.parametrize("path", PROTECTED)
async def test_token_required(connect: Connect, path: str) -> None:
    client = await connect(token=TOKEN)
    response = await client.get(path, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/login"
    response = await client.get("/api" + ("/stories" if path == "/" else path))
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    response = await client.get(path, headers=bearer)
    assert response.status == 200


async def test_wrong_token_is_refused_and_logged_without_it(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    client = await connect(token=TOKEN)
    wrong = TOKEN[:-1] + "X"
    with caplog.at_level(logging.WARNING, logger="dealradar.console"):
        response = await client.get("/api/stories", headers={"Authorization": f"Bearer {wrong}"})
    assert response.status == 401
    assert "authentication failed" in caplog.text
    assert wrong not in caplog.text and TOKEN not in caplog.text
    assert all(wrong not in str(r.__dict__) for r in caplog.records)


async def test_login_form_sets_a_strict_httponly_cookie(connect: Connect) -> None:
    client = await connect(token=TOKEN)
    form = await client.get("/login")
    assert form.status == 200
    assert form.headers["Content-Security-Policy"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', await form.text())
    assert csrf is not None
    response = await client.post(
        "/login", data={"csrf": csrf.group(1), "token": TOKEN}, allow_redirects=False
    )
    assert response.status == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert TOKEN not in cookie  # an HMAC of the token, not the token
    page = await client.get("/")
    assert page.status == 200 and "Stories" in await page.text()
    # log out (CSRF-protected too)
    logout_csrf = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert logout_csrf is not None
    out = await client.post("/logout", data={"csrf": logout_csrf.group(1)}, allow_redirects=False)
    assert out.status == 303
    again = await client.get("/", allow_redirects=False)
    assert again.status == 303


async def test_login_needs_the_csrf_token(connect: Connect) -> None:
    client = await connect(token=TOKEN)
    await client.get("/login")  # sets the CSRF cookie
    response = await client.post("/login", data={"csrf": "forged", "token": TOKEN})
    assert response.status == 403
    client.session.cookie_jar.clear()
    response = await client.post("/login", data={"token": TOKEN})
    assert response.status == 403
    response = await client.post("/logout", data={})
    assert response.status == 403


async def test_wrong_token_in_the_form(connect: Connect) -> None:
    client = await connect(token=TOKEN)
    form = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', await form.text())
    assert csrf is not None
    response = await client.post("/login", data={"csrf": csrf.group(1), "token": "nope" * 5})
    assert response.status == 401
    assert "not right" in await response.text()
    assert (await client.get("/api/stories")).status == 401


async def test_forged_cookie_refused(connect: Connect) -> None:
    client = await connect(token=TOKEN)
    response = await client.get("/api/stories", cookies={"dealradar_console": TOKEN})
    assert response.status == 401


async def test_proxy_header(connect: Connect) -> None:
    client = await connect(trusted_proxy_header="X-Forwarded-User")
    assert (await client.get("/api/stories")).status == 401
    assert (await client.get("/", allow_redirects=False)).status == 401  # no login form
    response = await client.get("/api/stories", headers={"X-Forwarded-User": "ops@example.org"})
    assert response.status == 200


async def test_loopback_console_is_open(client: Client) -> None:
    assert (await client.get("/api/stories")).status == 200
    assert (await client.get("/login")).status == 404  # nothing to log in to
