"""``dealradar cluster`` and ``dealradar eval-clusters``: story clustering from the command line.

``cluster --jsonl FILE`` reads JSON lines (``id``, ``headline``, optional ``lede``, ``date``,
``source``, ``url``) in order and prints one ``{"id": ..., "story": "<story key>"}`` line per
item, through the bot's own classifier, company table and clusterer (:mod:`bot.stories.replay`).
``eval-clusters FILE`` does the same on a file with a ``cluster`` field and reports pairwise
precision, recall and F1 with the worst false merges and splits. A line that is not a JSON
object stops the run with exit status 2 and names the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import click

from bot.classify import CompanyTable, default_classifier
from bot.cli.jsonl import InputError, read_all
from bot.cli.progress import progress_bar
from bot.stories.cluster_scores import score_clusters
from bot.stories.placement import company_finder
from bot.stories.replay import replay


def assign_stories(items: list[dict[str, Any]]) -> Iterator[tuple[Any, str]]:
    """``(id, story key)`` per item, in order, exactly as the bot would cluster them."""
    for item_id, placement in replay(
        items, default_classifier(), company_finder(CompanyTable.default())
    ):
        yield item_id, placement.story.key


@click.command("cluster")
@click.option("--jsonl", "path", required=True, help="JSON-lines items, or - for stdin.")
def cluster(path: str) -> None:
    """Print the story key of each item of a JSON-lines file, in order."""
    items = read_all(path)
    with progress_bar(len(items), "cluster") as advance:
        for item_id, key in assign_stories(items):
            click.echo(json.dumps({"id": item_id, "story": key}, ensure_ascii=False))
            advance(1)


@click.command("eval-clusters")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--worst", default=5, show_default=True, help="Worst merges/splits to list.")
def eval_clusters(path: str, as_json: bool, worst: int) -> None:
    """Score clustering of a labelled file (field ``cluster``) pairwise."""
    items = read_all(path)
    titles = {str(i.get("id")): str(i.get("headline", "")) for i in items}
    gold = {str(i.get("id")): str(i["cluster"]) for i in items if "cluster" in i}
    if not gold:
        raise InputError(f"{path}: no item has a 'cluster' field")
    predicted = {str(item_id): key for item_id, key in assign_stories(items)}
    score = score_clusters(gold, predicted, worst=worst)
    if as_json:
        click.echo(json.dumps(score.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(
        f"items {len(gold)}  pairs: true {score.true_pairs}, predicted "
        f"{score.predicted_pairs}, correct {score.correct_pairs}"
    )
    click.echo(f"precision {score.precision:.3f}  recall {score.recall:.3f}  F1 {score.f1:.3f}")
    for merge in score.false_merges:
        click.echo(f"false merge (-{merge['cost']} pairs) into {merge['story']}:")
        for cluster_key, ids in merge["clusters"].items():
            click.echo(f"    {cluster_key}: " + " | ".join(titles[i][:60] for i in ids))
    for split in score.false_splits:
        click.echo(f"split (-{split['cost']} pairs) of {split['cluster']}:")
        for story_key, ids in split["stories"].items():
            click.echo(f"    {story_key}: " + " | ".join(titles[i][:60] for i in ids))
