"""requirements.lock and requirements-dev.lock: every dependency pyproject.toml declares is
pinned to a version its range allows, with hashes, and the two files agree where they overlap;
make installs from them with hashes required."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._\-]*)==([^\s\\;]+)((?:\s*\\\n\s*--hash=\S+)*)", re.M)


def pins(name: str) -> dict[str, tuple[str, int]]:
    """``{package: (version, number of hashes)}`` of one lock file."""
    text = (REPO / name).read_text(encoding="utf-8")
    return {
        canonicalize_name(m.group(1)): (m.group(2), m.group(3).count("--hash=sha256:"))
        for m in _PIN.finditer(text)
    }


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    return [Requirement(spec) for spec in wanted]


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))]
)
def test_every_declared_dependency_is_pinned_within_its_range(
    lock: str, extras: tuple[str, ...]
) -> None:
    pinned = pins(lock)
    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{lock} does not pin {name}: run `make lock`"
        version = pinned[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version}, outside {requirement.specifier}: run `make lock`"
        )
    for build in ("setuptools", "wheel"):  # the package is built without build isolation
        assert build in pinned, build


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_carries_hashes(lock: str) -> None:
    pinned = pins(lock)
    assert len(pinned) > 20
    assert all(hashes >= 1 for _version, hashes in pinned.values()), [
        name for name, (_v, hashes) in pinned.items() if not hashes
    ]


def test_the_runtime_and_dev_locks_agree() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert runtime.keys() <= dev.keys()
    assert {n: v for n, (v, _) in runtime.items()} == {n: dev[n][0] for n in runtime}


def test_make_and_ci_install_from_the_locks() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes -r requirements.lock" in makefile
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
    latest = (REPO / ".ci" / "latest").read_text(encoding="utf-8")
    assert "--upgrade" in latest and "make test" in latest
