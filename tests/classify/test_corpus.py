"""The shared development corpus: the issue's floors, on the whole file and on each half.

Skipped when ``../shared/corpus/dev.jsonl`` is not there. Sentences are read at run time and
never copied into the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.classify import default_classifier
from bot.classify.evaluation import Report, evaluate

DEV = Path(__file__).resolve().parents[2] / "../shared/corpus/dev.jsonl"

pytestmark = pytest.mark.skipif(not DEV.exists(), reason="shared corpus not available")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DEV.read_text("utf-8").splitlines() if line.strip()]


def _assert_floors(report: Report, f1: float, precision: float) -> None:
    for label, score in report.labels.items():
        assert score.f1 >= f1, (label, score.to_json())
        assert score.precision >= precision, (label, score.to_json())


def test_dev_corpus_meets_the_issue_floors(rows: list[dict[str, Any]]) -> None:
    report = evaluate(rows, default_classifier())
    _assert_floors(report, f1=0.92, precision=0.94)
    assert report.status_accuracy >= 0.85
    assert report.companies.f1 >= 0.90


@pytest.mark.parametrize("half", [0, 1])
def test_each_half_stays_close(rows: list[dict[str, Any]], half: int) -> None:
    """Alternate halves: a rule tuned to single items would show a gap between them."""
    report = evaluate(rows[half::2], default_classifier())
    _assert_floors(report, f1=0.85, precision=0.90)
    assert report.status_accuracy >= 0.85


def test_eval_command_on_the_corpus() -> None:
    from bot.cli import main

    result = CliRunner().invoke(main, ["eval", "--json", str(DEV)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["items"] > 300
    assert report["labels"]["plant_closure"]["f1"] >= 0.92
