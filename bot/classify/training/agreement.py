"""Agreement between the labelling passes: Cohen's kappa per label on the doubly read items.

``python -m bot.classify.training.agreement`` compares ``labels/second-pass.jsonl`` (an
independent second reading of a sample) with the final labels of the same ids in
``labels/pool.jsonl`` (after adjudication), per label and for the coarse status.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.classify.training.data import labels_path

LABELS = (
    "plant_closure",
    "partnership",
    "acquisition",
    "plant_opening",
    "temporary_halt",
    "layoffs",
)
COARSE = {"talks": "talks", "planned": "go", "confirmed": "go", "denied": "off", "cancelled": "off"}


def kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two binary judgements of the same items."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def main() -> None:
    def rows(name: str) -> dict[str, dict[str, Any]]:
        lines = labels_path(name).read_text("utf-8").splitlines()
        return {d["id"]: d for d in map(json.loads, lines)}

    final, second = rows("pool.jsonl"), rows("second-pass.jsonl")
    ids = sorted(second)
    print(f"items read twice: {len(ids)}")
    for label in LABELS:
        a = [int(label in final[i]["labels"]) for i in ids]
        b = [int(label in second[i]["labels"]) for i in ids]
        print(f"{label:15} kappa {kappa(a, b):.3f}  positives {sum(a)} / {sum(b)}")
    both = [
        i
        for i in ids
        if {"plant_closure", "partnership"} & set(final[i]["labels"]) & set(second[i]["labels"])
    ]
    same = sum(
        COARSE.get(str(final[i].get("status"))) == COARSE.get(str(second[i].get("status")))
        for i in both
    )
    print(f"coarse status agreement on shared positives: {same}/{len(both)}")


if __name__ == "__main__":
    main()
