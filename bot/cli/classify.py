"""``dealradar classify`` and ``dealradar eval``: the classifier from the command line.

``classify "TEXT"`` prints the events readably (``--json`` for JSON); ``classify --jsonl FILE``
reads JSON lines with ``id``, ``headline`` and optional ``lede`` and writes one
``{"id", "events"}`` line per input line. ``eval FILE`` scores a labelled file in the corpus
format. A malformed input line stops the run with exit status 2 and names the line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from bot.classify import default_classifier
from bot.classify.evaluation import evaluate
from bot.cli.jsonl import open_input, read_jsonl
from bot.cli.progress import counted_lines, file_size, progress_bar
from bot.domain import Classifier, Event


def _render(events: list[Event]) -> str:
    if not events:
        return "no events"
    lines: list[str] = []
    for e in events:
        lines.append(f"{e.type.value} [{e.status.value}] confidence {e.confidence:.2f}")
        if e.companies:
            lines.append(f"  companies: {', '.join(e.companies)}")
        where = ", ".join(x for x in (e.plant, e.location, e.country) if x)
        if where:
            lines.append(f"  where: {where}")
        if e.jobs is not None:
            lines.append(f"  jobs: {e.jobs:,}")
        for ev in e.evidence:
            lines.append(f"  · {ev}")
    return "\n".join(lines)


def _classify_lines(classifier: Classifier, items: Iterable[tuple[int, dict[str, Any]]]) -> None:
    for _, item in items:
        events = classifier.classify(
            str(item.get("headline") or item.get("title") or ""),
            str(item.get("lede") or item.get("summary") or ""),
            str(item.get("body") or ""),
        )
        out = {"id": item.get("id"), "events": [e.to_json() for e in events]}
        click.echo(json.dumps(out, ensure_ascii=False))


@click.command("classify")
@click.argument("text", required=False)
@click.option("--lede", default="", help="Summary or first sentence, when TEXT is a headline.")
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Classify every line of a JSON-lines file (id, headline, lede); '-' for stdin.",
)
def classify_command(text: str | None, lede: str, as_json: bool, jsonl: str | None) -> None:
    """Find plant closures and partnerships in TEXT (or in every line of --jsonl FILE)."""
    classifier = default_classifier()
    if jsonl is not None:
        stream = open_input(jsonl)
        try:
            with progress_bar(file_size(stream), "classify") as advance:
                lines = counted_lines(stream, advance)
                _classify_lines(classifier, read_jsonl(lines, jsonl))
        finally:
            if stream is not sys.stdin:
                stream.close()
        return
    if text is None:
        raise click.UsageError("give TEXT or --jsonl FILE")
    events = classifier.classify(text, lede)
    if as_json:
        click.echo(json.dumps([e.to_json() for e in events], ensure_ascii=False, indent=2))
    else:
        click.echo(_render(events))


@click.command("eval")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--companies", "company_misses", is_flag=True, help="Also list company mismatches.")
@click.option(
    "--splits",
    is_flag=True,
    help="Instead of scoring FILE: source-disjoint and cross-validated figures of the model "
    "(needs the train extra and the shared data).",
)
@click.option(
    "--shared",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --splits: the shared corpus and pool (default $DEALRADAR_SHARED or ../shared).",
)
@click.option("--seed", type=int, default=0, help="With --splits: the training seed.")
def eval_command(
    path: str | None,
    as_json: bool,
    company_misses: bool,
    splits: bool,
    shared: Path | None,
    seed: int,
) -> None:
    """Score the classifier on a labelled JSON-lines file in the corpus format."""
    if splits:
        from bot.cli.train import eval_splits

        eval_splits(shared, seed, as_json)
        return
    if path is None:
        raise click.UsageError("give FILE (or --splits)")
    classifier = default_classifier()
    stream = open_input(path)
    try:  # streamed: each row is scored as it is read
        with progress_bar(file_size(stream), "eval") as advance:
            rows = (item for _, item in read_jsonl(counted_lines(stream, advance), path))
            report = evaluate(rows, classifier, company_misses=company_misses)
    finally:
        if stream is not sys.stdin:
            stream.close()
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.render())
