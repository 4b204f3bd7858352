"""``dealradar classify`` and ``dealradar eval`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli.classify import classify_command, eval_command


@pytest.fixture
def cli() -> click.Group:
    return click.Group("dealradar", commands=[classify_command, eval_command])


def test_registered_on_the_dealradar_group() -> None:
    from bot.cli import main

    assert {"classify", "eval"} <= set(main.list_commands(click.Context(main)))


def test_classify_text_is_readable(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["classify", "Ford to close Bridgend engine plant"])
    assert result.exit_code == 0, result.output
    assert "plant_closure [planned]" in result.output
    assert "companies: Ford" in result.output
    assert '"close" + "plant"' in result.output


def test_classify_text_without_events(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["classify", "Ford names a new chief executive"])
    assert result.exit_code == 0
    assert result.output.strip() == "no events"


def test_classify_json(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["classify", "--json", "Sony and Honda form EV joint venture"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    assert events[0]["type"] == "partnership"
    assert events[0]["companies"] == ["Sony", "Honda"]
    assert set(events[0]) >= {"status", "plant", "country", "jobs", "confidence", "evidence"}


def test_classify_jsonl_one_line_per_item(cli: click.Group, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "headline": "Ford to close Bridgend plant", "lede": ""})
        + "\n\n"
        + json.dumps({"id": 7, "headline": "Ford names new chief"})
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["classify", "--jsonl", str(src)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["id"] for line in lines] == ["a", 7]
    assert lines[0]["events"][0]["type"] == "plant_closure"
    assert lines[1]["events"] == []


def test_classify_jsonl_from_stdin(cli: click.Group) -> None:
    data = json.dumps({"id": "x", "headline": "Tesla ends partnership with Panasonic"}) + "\n"
    result = CliRunner().invoke(cli, ["classify", "--jsonl", "-"], input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["events"][0]["status"] == "cancelled"


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]"])
def test_classify_jsonl_bad_line_names_it(cli: click.Group, tmp_path: Path, bad: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "headline": "x"}) + "\n" + bad + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["classify", "--jsonl", str(src)])
    assert result.exit_code == 2
    assert f"{src}:2:" in result.output


def test_classify_missing_file_exits_2(cli: click.Group, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["classify", "--jsonl", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2


def test_classify_needs_text_or_file(cli: click.Group) -> None:
    assert CliRunner().invoke(cli, ["classify"]).exit_code == 2


LABELLED = [
    {
        "id": "1",
        "headline": "Ford to close Bridgend engine plant",
        "lede": "",
        "labels": ["plant_closure"],
        "status": "planned",
        "companies": ["Ford"],
    },
    {
        "id": "2",
        "headline": "Sony and Honda form EV joint venture",
        "lede": "",
        "labels": ["partnership"],
        "status": "confirmed",
        "companies": ["Sony", "Honda"],
    },
    {
        "id": "3",
        "headline": "Retailer to close 40 stores",
        "lede": "",
        "labels": [],
        "status": "",
        "companies": [],
    },
    {
        "id": "4",
        "headline": "Acme lifts profit forecast",
        "lede": "",
        "labels": ["partnership"],
        "status": "talks",
        "companies": ["Acme"],
    },
]


def test_eval_reports_scores_and_misses(cli: click.Group, tmp_path: Path) -> None:
    src = tmp_path / "gold.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in LABELLED) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(src)])
    assert result.exit_code == 0, result.output
    assert "plant_closure   1.000  1.000  1.000" in result.output
    assert "[4] false negative partnership" in result.output
    report = json.loads(CliRunner().invoke(cli, ["eval", "--json", str(src)]).output)
    assert report["labels"]["partnership"]["recall"] == 0.5
    assert report["labels"]["partnership"]["precision"] == 1.0
    assert report["status_accuracy"] == 1.0
    assert report["companies"]["f1"] == 1.0
    assert report["misclassified"][0]["id"] == "4"
