"""`dealradar run` tunes the garbage collector once its runtime is built
(bot/runtime/gc_tuning.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli.run import _run
from bot.config.settings import Settings
from bot.runtime import app, gc_tuning


def test_tune_freezes_start_up_objects_and_raises_the_young_threshold() -> None:
    # in a child process: the test process keeps CPython's defaults
    probe = (
        "import gc; from bot.runtime import gc_tuning; gc_tuning.tune(); "
        "print(gc.get_threshold(), gc.get_freeze_count() > 1000)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split("\n")[0] == f"{gc_tuning.THRESHOLDS} True"


async def test_run_tunes_after_building_and_before_polling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps: list[str] = []

    class Runtime:
        async def close(self) -> None:
            steps.append("close")

    async def build(settings: Settings) -> Runtime:
        steps.append("build")
        return Runtime()

    async def run_once(runtime: Runtime) -> int:
        steps.append("run_once")
        return 0

    monkeypatch.setattr(app, "build", build)
    monkeypatch.setattr(app, "run_once", run_once)
    monkeypatch.setattr(gc_tuning, "tune", lambda: steps.append("tune"))
    assert await _run(Settings(), once=True) == 0
    assert steps == ["build", "tune", "run_once", "close"]
