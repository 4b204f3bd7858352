"""Labelled items for training and evaluation: labels from the repository, text from shared/.

Sources (the unit of a source-disjoint split):

* ``r18``: Reuters business headlines 2018-2020 from the pool (no lede);
* ``r87``: Reuters newswire 1987 from the pool (capitals, with the first sentence);
* ``dev``: the corpus's development half (several publishers, 2000s-2020s);
* ``clusters``: the story set's development half (one headline in eight not in English);
* ``net2``: pool items (both eras) drawn by a second net over what the first missed (deal,
  agreement, stake, contract, supply, licence…): deal-heavy news where partnerships are rare
  among contract awards, orders and acquisitions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

ALERT_LABELS = ("plant_closure", "partnership")
SOURCES = ("r18", "r87", "dev", "clusters", "net2")
SEPARATE_SAMPLES = ("net2",)  # pool samples that are a source of their own


@dataclass(frozen=True)
class Item:
    """One labelled article, in the corpus's row format plus its source."""

    id: str
    source: str
    headline: str
    lede: str
    labels: frozenset[str]
    status: str = ""
    companies: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """The corpus-format row :func:`bot.classify.evaluation.evaluate` reads."""
        return {
            "id": self.id,
            "headline": self.headline,
            "lede": self.lede,
            "labels": sorted(self.labels),
            "status": self.status,
            "companies": list(self.companies),
        }


def default_shared() -> Path:
    """``$DEALRADAR_SHARED``, else ``../shared`` from the working directory."""
    return Path(os.environ.get("DEALRADAR_SHARED", "../shared"))


def labels_path(name: str = "pool.jsonl") -> Path:
    """A labels file shipped beside this module."""
    return Path(str(resources.files("bot.classify.training").joinpath("labels", name)))


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def pool_items(shared: Path, labels: Path | None = None) -> list[Item]:
    """The labelled pool items (labels from the repository, text from ``shared/pool``).

    Raises:
        FileNotFoundError: the pool or the labels file is missing.
    """
    texts = {d["id"]: d for d in _jsonl(shared / "pool" / "pool.jsonl")}
    items = []
    for lab in _jsonl(labels or labels_path()):
        d = texts[lab["id"]]
        items.append(
            Item(
                id=lab["id"],
                source=_source(lab),
                headline=d["headline"],
                lede=d.get("lede") or "",
                labels=frozenset(lab.get("labels") or ()),
                status=lab.get("status") or "",
                companies=tuple(lab.get("companies") or ()),
                extra={k: lab.get(k) for k in ("plant", "country", "jobs")},
            )
        )
    return items


def _source(label: dict[str, Any]) -> str:
    """A pool item's source: its sample when that is drawn apart, else its era."""
    sample = label.get("sample")
    return str(sample) if sample in SEPARATE_SAMPLES else str(label["id"]).split("-", 1)[0]


def corpus_items(shared: Path, name: str, source: str) -> list[Item]:
    """Items of a labelled corpus file (``dev.jsonl`` or ``clusters-dev.jsonl``)."""
    return [
        Item(
            id=d["id"],
            source=source,
            headline=d.get("headline") or "",
            lede=d.get("lede") or "",
            labels=frozenset(d.get("labels") or ()),
            status=d.get("status") or "",
            companies=tuple(d.get("companies") or ()),
        )
        for d in _jsonl(shared / "corpus" / name)
    ]


def all_items(shared: Path) -> list[Item]:
    """Every labelled item: the pool's, the dev corpus's and the story set's."""
    return (
        pool_items(shared)
        + corpus_items(shared, "dev.jsonl", "dev")
        + corpus_items(shared, "clusters-dev.jsonl", "clusters")
    )
