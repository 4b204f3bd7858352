"""feedparser's own test documents, for test_fastxml_fidelity.py: where they are, and how
``make`` fetches them (``python -m tests.sources.feedparser_suite``).

The feedparser source distribution on the package index ships its ``tests/`` directory: some
2,200 small feeds written to exercise every corner of its parsing. ``make test`` fetches the
sdist of exactly the version pinned in requirements-dev.lock with ``pip download`` (pip checks
its sha256 against the lock's hashes for feedparser, ``--require-hashes``) and extracts the
``tests/`` directory under ``.cache/feedparser-<version>/``. Tests may talk only to 127.0.0.1,
so the test itself never downloads: without the directory it skips, naming the make target.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements-dev.lock"
CACHE = ROOT / ".cache"
MAKE_TARGET = "make feedparser-tests"


def pinned() -> tuple[str, list[str]]:
    """feedparser's version in requirements-dev.lock and the sha256 hashes listed for it."""
    text = LOCK.read_text()
    match = re.search(
        r"^feedparser==([^\s\\]+)((?:\s*\\\s*--hash=sha256:[0-9a-f]{64})+)", text, re.M
    )
    if match is None:
        raise SystemExit(f"no pinned feedparser with hashes in {LOCK}")
    return match.group(1), re.findall(r"sha256:([0-9a-f]{64})", match.group(2))


def suite_dir(version: str | None = None) -> Path:
    """Where the extracted ``tests/`` directory of the pinned feedparser lives."""
    return CACHE / f"feedparser-{version or pinned()[0]}" / "tests"


def fetch() -> Path:
    """Download the pinned sdist (hash-checked by pip), extract its ``tests/``; idempotent."""
    version, hashes = pinned()
    target = suite_dir(version)
    if (target / ".complete").exists():
        (target / ".complete").touch()  # newer than the lock again, for make
        return target
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        requirement = work / "feedparser.txt"
        requirement.write_text(
            f"feedparser=={version} " + " ".join(f"--hash=sha256:{h}" for h in hashes) + "\n"
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--no-build-isolation",  # the locked setuptools reads its metadata
                "--require-hashes",
                "--dest",
                str(work),
                "-r",
                str(requirement),
            ],
            check=True,
        )
        (sdist,) = work.glob(f"feedparser-{version}.tar.gz")
        prefix = f"feedparser-{version}/tests/"
        extracted = work / "extracted"
        with tarfile.open(sdist) as archive:
            members = [m for m in archive.getmembers() if m.name.startswith(prefix)]
            archive.extractall(extracted, members=members, filter="data")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(extracted / f"feedparser-{version}" / "tests", target)
    (target / ".complete").write_text(f"feedparser {version}, sdist sha256 checked by pip\n")
    return target


if __name__ == "__main__":
    print(fetch())
