"""Readers for the files under ``deploy/``, shared by the deploy tests.

Docker is not available where these tests run, so the artifacts are checked statically: this
module parses them (YAML, a Dockerfile, the commented example TOML) into plain data the tests
assert on, and walks the settings model so the checks follow ``bot/config/settings.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import socket
import sys
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from bot.config.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def load_yaml_docs(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def free_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_python(code: str, port: int) -> int:
    """Exit code of ``python -c code`` (a health check) with ``DEALRADAR_HTTP_PORT=port``."""
    env = {**os.environ, "DEALRADAR_HTTP_PORT": str(port)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await asyncio.wait_for(proc.wait(), timeout=30)


# --- the settings model ---------------------------------------------------------------------


@dataclass(frozen=True)
class FieldInfo:
    section: str  # dotted table name, "" for top level ("sources" for [[sources]])
    name: str
    model: type[BaseModel] | None  # the nested model when the field is a table
    is_array: bool  # a list of tables ([[section]])


def _nested_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    is_list = typing.get_origin(annotation) is list
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate, is_list
    return None, False


def settings_fields(model: type[BaseModel] = Settings, section: str = "") -> list[FieldInfo]:
    """Every field of the settings tree, depth first."""
    found: list[FieldInfo] = []
    for name, field in model.model_fields.items():
        nested, is_array = _nested_model(field.annotation)
        found.append(FieldInfo(section, name, nested, is_array))
        if nested is not None:
            child = f"{section}.{name}" if section else name
            found += settings_fields(nested, child)
    return found


def model_at(section: str) -> type[BaseModel]:
    model: type[BaseModel] = Settings
    for part in filter(None, section.split(".")):
        nested, _ = _nested_model(model.model_fields[part].annotation)
        assert nested is not None, f"{section}: not a table"
        model = nested
    return model


# --- the commented example TOML -------------------------------------------------------------

_HEADER = re.compile(r"^(\[\[?)([a-z_][a-z_.]*)\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^([a-z_]+)\s*=\s*(.+)$")
_SECRET = re.compile(r"^([a-z_]+)\s+env\s+([A-Z][A-Z0-9_]*)\b")
_ENV_NOTE = re.compile(r"#\s*env\s+([A-Z][A-Z0-9_]*)")


@dataclass(frozen=True)
class ExampleKey:
    section: str
    block: int  # which [[section]] table this key belongs to (0 for plain tables)
    name: str
    value: Any  # None for a secret mention (no value may be written)
    commented: bool
    env: str | None
    line: int


def example_keys(text: str) -> list[ExampleKey]:
    """Every key the example mentions, commented out or not, with its section and env var."""
    keys: list[ExampleKey] = []
    section, block, blocks = "", 0, dict[str, int]()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        commented = line.startswith("#")
        inner = line.lstrip("#").strip() if commented else line
        header = _HEADER.match(inner)
        if header:
            section = header.group(2)
            if header.group(1) == "[[":
                blocks[section] = blocks.get(section, -1) + 1
            block = blocks.get(section, 0) if header.group(1) == "[[" else 0
            continue
        env_note = _ENV_NOTE.search(inner)
        env = env_note.group(1) if env_note else None
        key = _KEY.match(inner)
        if key:
            value = tomllib.loads(f"v = {key.group(2)}")["v"]
            keys.append(ExampleKey(section, block, key.group(1), value, commented, env, number))
            continue
        secret = _SECRET.match(inner)
        if commented and secret:
            keys.append(
                ExampleKey(section, block, secret.group(1), None, True, secret.group(2), number)
            )
    return keys


def example_with_everything(keys: list[ExampleKey]) -> dict[str, Any]:
    """The settings data one gets by uncommenting every example (secret mentions excepted)."""
    data: dict[str, Any] = {}
    array_sections = {f.name for f in settings_fields() if f.is_array and not f.section}
    for key in keys:
        if key.value is None:
            continue
        node = data
        parts = [p for p in key.section.split(".") if p]
        for part in parts:
            if part in array_sections:
                tables = node.setdefault(part, [])
                while len(tables) <= key.block:
                    tables.append({})
                node = tables[key.block]
            else:
                node = node.setdefault(part, {})
        node[key.name] = key.value
    return data


# --- the Dockerfile -------------------------------------------------------------------------


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]]

    def all(self, instruction: str) -> list[str]:
        return [args for op, args in self.instructions if op == instruction]

    def last(self, instruction: str) -> str:
        found = self.all(instruction)
        assert found, f"stage {self.name or self.base}: no {instruction}"
        return found[-1]


def dockerfile_stages(text: str) -> list[Stage]:
    """Stages with their instructions; line continuations joined, comments dropped,
    ``${ARG}`` in FROM resolved from the global ARG defaults."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        op, _, rest = line.partition(" ")
        op, rest = op.upper(), rest.strip()
        if op == "FROM":
            words = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base, name, []))
        elif not stages and op == "ARG":
            name, _, default = rest.partition("=")
            args[name] = default
        elif stages:
            stages[-1].instructions.append((op, rest))
    return stages


def exec_form(args: str) -> list[str]:
    """A JSON-array (exec form) instruction argument."""
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def healthcheck_command(args: str) -> list[str]:
    """The CMD of a ``HEALTHCHECK [--options] CMD [...]`` instruction."""
    options, marker, command = args.partition("CMD ")
    assert marker, f"HEALTHCHECK without CMD: {args}"
    assert all(word.startswith("--") for word in shlex.split(options)), options
    return exec_form(command)
