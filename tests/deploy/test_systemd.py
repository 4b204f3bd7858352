"""deploy/dealradar.service: the command line is one the CLI accepts, the service is hardened,
and (where ``systemd-analyze`` exists) systemd itself finds nothing to complain about."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from bot.cli import main as cli_main
from tests.deploy.artifacts import DEPLOY, REPO

UNIT = DEPLOY / "dealradar.service"
BINARY = "/opt/dealradar/.venv/bin/dealradar"


@pytest.fixture(scope="module")
def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def test_execstart_runs_the_venv_console_script_with_the_config(
    unit: configparser.ConfigParser,
) -> None:
    argv = shlex.split(unit["Service"]["ExecStart"])
    assert argv[0] == BINARY
    assert argv[1:] == ["--config", "/etc/dealradar/dealradar.toml", "run"]
    option_names = {name for p in cli_main.params for name in p.opts}
    assert "--config" in option_names and "run" in cli_main.list_commands(click.Context(cli_main))


def test_service_identity_restart_and_stop(unit: configparser.ConfigParser) -> None:
    service = unit["Service"]
    assert service["Type"] == "simple"
    assert service["User"] == "dealradar"
    assert service["EnvironmentFile"].lstrip("-") == "/etc/dealradar/env"
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # a config error does not heal itself
    assert service["KillSignal"] in ("SIGINT", "SIGTERM")  # both stop the bot cleanly
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_hardening_leaves_only_the_state_directory_writable(
    unit: configparser.ConfigParser,
) -> None:
    service = unit["Service"]
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "yes"
    assert service["ProtectHome"] == "yes"
    assert service["ReadWritePaths"].split() == [service["WorkingDirectory"]]
    assert service["WorkingDirectory"] == "/var/lib/" + service["StateDirectory"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_analyze_verify_is_clean(tmp_path: Path) -> None:
    # verify insists that the binary exists: point it at this checkout's console script
    local = REPO / ".venv" / "bin" / "dealradar"
    if not local.is_file():
        pytest.skip("no .venv/bin/dealradar in this checkout")
    copy = tmp_path / "dealradar.service"
    copy.write_text(UNIT.read_text(encoding="utf-8").replace(BINARY, str(local)), "utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    complaints = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and not complaints, complaints
