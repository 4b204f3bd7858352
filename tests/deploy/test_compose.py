"""deploy/compose.yaml: bot + PostgreSQL 16 wired so that `docker compose up` works."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.config.loader import load_settings
from bot.metrics import Metrics
from bot.web.server import WebServer
from tests.deploy.artifacts import DEPLOY, REPO, free_port, load_yaml_docs, run_python

COMPOSE = DEPLOY / "compose.yaml"
_VAR = re.compile(r"\$\{(\w+):-([^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    (doc,) = load_yaml_docs(COMPOSE)
    return doc


def _interpolate(value: str) -> str:
    """Compose's ``${VAR:-default}`` with nothing set in the shell."""
    return _VAR.sub(lambda m: m.group(2), value)


def _bot_env(compose: dict[str, Any]) -> dict[str, str]:
    env = compose["services"]["bot"]["environment"]
    assert isinstance(env, dict)
    return {k: _interpolate(str(v)) for k, v in env.items()}


def _mounts(service: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """target -> (source, mode) for short-syntax volumes."""
    found = {}
    for spec in service.get("volumes", []):
        source, target, *mode = spec.split(":")
        found[target] = (source, mode[0] if mode else "rw")
    return found


def test_postgres_16_with_healthcheck_and_a_named_volume(compose: dict[str, Any]) -> None:
    pg = compose["services"]["postgres"]
    assert pg["image"].split(":")[1].startswith("16")
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    source, _mode = _mounts(pg)["/var/lib/postgresql/data"]
    assert source in compose["volumes"]  # a named volume, not a host path


def test_bot_waits_for_healthy_postgres_and_is_built_from_the_repo(
    compose: dict[str, Any],
) -> None:
    bot = compose["services"]["bot"]
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    context = (DEPLOY / bot["build"]["context"]).resolve()
    assert context == REPO
    assert (context / bot["build"]["dockerfile"]).is_file()
    assert bot["ports"] == ["8080:8080"]
    assert bot["healthcheck"]["test"][:3] == ["CMD", "python", "-c"]


def test_bot_database_url_points_at_the_postgres_service(compose: dict[str, Any]) -> None:
    env = _bot_env(compose)
    pg_env = compose["services"]["postgres"]["environment"]
    url = urlsplit(env["DEALRADAR_DATABASE_URL"])
    assert url.scheme == "postgresql"
    assert url.hostname == "postgres" and url.port == 5432
    assert url.username == pg_env["POSTGRES_USER"]
    assert url.path == "/" + pg_env["POSTGRES_DB"]
    assert url.password is None  # the password travels as PGPASSWORD
    assert env["PGPASSWORD"] == _interpolate(pg_env["POSTGRES_PASSWORD"])


def test_config_is_mounted_read_only_and_resolves_with_the_compose_environment(
    compose: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = compose["services"]["bot"]
    env = _bot_env(compose)
    source, mode = _mounts(bot)[env["DEALRADAR_CONFIG"]]
    assert mode == "ro"
    config = (DEPLOY / source).resolve()
    assert config.is_file()
    monkeypatch.chdir(tmp_path)
    settings = load_settings(str(config), env=env)
    assert settings.database_url == env["DEALRADAR_DATABASE_URL"]
    assert settings.http.host == "0.0.0.0"
    assert settings.http.port == 8080


def test_secrets_come_from_an_optional_env_file_documented_by_env_example(
    compose: dict[str, Any],
) -> None:
    (entry,) = compose["services"]["bot"]["env_file"]
    assert entry["required"] is False  # `docker compose up` works before it is created
    assert Path(entry["path"]).name == "env"
    assert (DEPLOY / "env.example").is_file()
    assert "deploy/env" in (REPO / ".dockerignore").read_text(encoding="utf-8")


async def test_bot_healthcheck_follows_readiness(compose: dict[str, Any]) -> None:
    code = compose["services"]["bot"]["healthcheck"]["test"][3]
    assert "/readyz" in code
    reason: list[str | None] = [None]

    async def ready() -> str | None:
        return reason[0]

    server = WebServer("127.0.0.1", 0, metrics=Metrics(), ready=ready)
    await server.start()
    try:
        assert server.port is not None
        assert await run_python(code, server.port) == 0
        reason[0] = "database at migration None, expected 0001"
        assert await run_python(code, server.port) != 0
    finally:
        await server.stop()
    assert await run_python(code, free_port()) != 0
