"""deploy/Dockerfile and .dockerignore, checked statically (no Docker engine here), plus the
image's health check run for real against the bot's HTTP server on loopback."""

from __future__ import annotations

import fnmatch
import re
import tomllib

import click
import pytest

from bot.cli import main as cli_main
from bot.config.settings import HttpConfig
from bot.metrics import Metrics
from bot.web.server import WebServer
from tests.deploy.artifacts import (
    DEPLOY,
    REPO,
    Stage,
    dockerfile_stages,
    exec_form,
    free_port,
    healthcheck_command,
    run_python,
)

VENV = "/opt/dealradar/.venv"


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return dockerfile_stages((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))


def _dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    return any(
        fnmatch.fnmatch(path, p.removeprefix("**/")) or path.startswith(p.rstrip("/") + "/")
        for p in patterns
    )


def test_multi_stage_build_on_a_slim_python_that_satisfies_requires_python(
    stages: list[Stage],
) -> None:
    assert len(stages) >= 2
    builder, runtime = stages[0], stages[-1]
    assert builder.name == "builder"
    match = re.fullmatch(r"python:3\.(\d+)-slim", runtime.base)
    assert match, runtime.base
    assert builder.base == runtime.base  # the venv's interpreter symlink must resolve
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    minimum = re.fullmatch(r">=3\.(\d+)", project["requires-python"])
    assert minimum and int(match.group(1)) >= int(minimum.group(1))


def test_builder_installs_the_package_into_a_venv_that_the_runtime_copies(
    stages: list[Stage],
) -> None:
    builder, runtime = stages[0], stages[-1]
    assert any(f"venv {VENV}" in run for run in builder.all("RUN"))
    runs = builder.all("RUN")
    # dependencies from the lock file, hashes checked; then the package alone
    assert any("pip install --require-hashes -r requirements.lock" in run for run in runs)
    assert any(re.search(r"pip install --no-deps [^&]*\.(\s|$)", run) for run in runs)
    locked = next(i for i, run in enumerate(runs) if "requirements.lock" in run)
    package = next(i for i, run in enumerate(runs) if "--no-deps" in run)
    assert locked < package
    assert f"--from=builder {VENV} {VENV}" in runtime.all("COPY")
    assert any(f"PATH={VENV}/bin:" in env for env in runtime.all("ENV"))


def test_files_the_build_copies_exist_and_are_not_dockerignored(stages: list[Stage]) -> None:
    patterns = _dockerignore()
    for pattern in (".venv", ".git", "*.db", ".pytest_cache", ".mypy_cache", ".ruff_cache"):
        assert pattern in patterns
    sources = []
    for args in stages[0].all("COPY"):
        words = [w for w in args.split() if not w.startswith("--")]
        sources += words[:-1]
    assert "pyproject.toml" in sources and "bot" in sources
    assert "requirements.lock" in sources
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["readme"] in sources  # setuptools reads it while building
    for source in sources:
        assert (REPO / source).exists(), source
        assert not _ignored(source, patterns), source
    assert _ignored("dealradar.db", patterns) and _ignored(".venv/bin/python", patterns)


def test_runtime_is_non_root_with_data_workdir_and_container_host(stages: list[Stage]) -> None:
    runtime = stages[-1]
    user = runtime.last("USER").split(":")[0]
    assert user not in ("root", "0")
    assert runtime.last("WORKDIR") == "/data"
    assert runtime.last("EXPOSE") == str(HttpConfig().port)
    assert any("DEALRADAR_HTTP_HOST=0.0.0.0" in env for env in runtime.all("ENV"))


def test_entrypoint_is_the_console_script_and_cmd_a_real_command(stages: list[Stage]) -> None:
    runtime = stages[-1]
    entrypoint = exec_form(runtime.last("ENTRYPOINT"))
    cmd = exec_form(runtime.last("CMD"))
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert entrypoint == ["dealradar"] and "dealradar" in scripts
    assert cmd == ["run"] and "run" in cli_main.list_commands(click.Context(cli_main))


def test_healthcheck_is_python_on_healthz(stages: list[Stage]) -> None:
    command = healthcheck_command(stages[-1].last("HEALTHCHECK"))
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2]
    assert not any(tool in " ".join(command) for tool in ("curl", "wget"))


async def _no_problem() -> str | None:
    return None


async def test_healthcheck_passes_against_the_bot_server_and_fails_without_it(
    stages: list[Stage],
) -> None:
    code = healthcheck_command(stages[-1].last("HEALTHCHECK"))[2]
    server = WebServer("127.0.0.1", 0, metrics=Metrics(), ready=_no_problem)
    await server.start()
    try:
        assert server.port is not None
        assert await run_python(code, server.port) == 0
    finally:
        await server.stop()
    assert await run_python(code, free_port()) != 0
