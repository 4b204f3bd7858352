"""The stories issue's named cases, end to end through the bot's own classifier and clusterer.

``written_clusters.jsonl`` holds headlines and ledes written for this test (no published
text), in stream order with the undated ones interleaved, as ``dealradar cluster`` reads a
file: Nissan's Foxconn talks at Oppama, its later decision to end Oppama production, the
closure of its CIVAC plant and the Honda merger talks (four stories, some reports undated);
one company closing two plants on one day; a brand and its parent closing different plants;
one site under several names; successive furnaces at one site; the same partners years apart.

These cases shaped the site rules, so they are a regression check, not an estimate of the
score on unseen news (for that, ``docs/benchmarks.md``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from bot.cli.stories import assign_stories

CASES = Path(__file__).with_name("written_clusters.jsonl")

# Stories whose reports must all land in one story: outlets naming one site several ways
# ("Port Talbot" / "the Welsh steelworks", "Gary Works" / "its Indiana mill", "Cologne" /
# "Köln"), undated follow-ups, and paraphrases across outlets and languages.
TOGETHER = [
    "nissan-foxconn-oppama-talks",
    "nissan-oppama-end-production",
    "nissan-civac-closure",
    "honda-nissan-merger-talks",
    "ford-saarlouis-closure",
    "ford-cologne-closure",
    "stellantis-belvidere-idle",
    "tata-port-talbot-bf4",
    "us-steel-gary-idle",
    "toyota-panasonic-battery-jv-2019",
    "bmw-toyota-hydrogen",
    "bosch-homburg-closure",
    "alcoa-lista-closure",
]


@pytest.fixture(scope="module")
def placed() -> tuple[dict[str, str], dict[str, str]]:
    items = [json.loads(line) for line in CASES.read_text("utf-8").splitlines()]
    gold = {item["id"]: item["cluster"] for item in items}
    return gold, {str(item_id): key for item_id, key in assign_stories(items)}


def test_no_story_mixes_two_events(placed: tuple[dict[str, str], dict[str, str]]) -> None:
    gold, predicted = placed
    events_per_story: dict[str, set[str]] = defaultdict(set)
    for item_id, story in predicted.items():
        events_per_story[story].add(gold[item_id])
    mixed = {story: sorted(events) for story, events in events_per_story.items() if len(events) > 1}
    assert mixed == {}


@pytest.mark.parametrize("cluster", TOGETHER)
def test_reports_of_one_event_share_a_story(
    placed: tuple[dict[str, str], dict[str, str]], cluster: str
) -> None:
    gold, predicted = placed
    stories = {predicted[item_id] for item_id, key in gold.items() if key == cluster}
    assert len(stories) == 1, (cluster, stories)
