"""Pairwise scoring of story assignments against labelled clusters (``dealradar eval-clusters``).

Every pair of items is one "same story?" decision. Precision is the share of predicted
same-story pairs that are labelled the same story; recall the share of labelled pairs that
were predicted. The worst false merges are predicted stories mixing labelled clusters, the
worst splits labelled clusters spread over several predicted stories, each ranked by the
number of pairs they cost.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True, slots=True)
class ClusterScore:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    false_merges: list[dict[str, Any]] = field(default_factory=list)
    false_splits: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_pairs": self.true_pairs,
            "predicted_pairs": self.predicted_pairs,
            "correct_pairs": self.correct_pairs,
            "worst_false_merges": self.false_merges,
            "worst_false_splits": self.false_splits,
        }


def score_clusters(
    gold: Mapping[str, str], predicted: Mapping[str, str], *, worst: int = 5
) -> ClusterScore:
    """Pairwise precision/recall/F1 of ``predicted`` (item → story) against ``gold``.

    Only items present in both mappings count. Empty sides score 1.0 by convention.
    """
    items = [i for i in gold if i in predicted]
    joint = Counter((gold[i], predicted[i]) for i in items)
    gold_sizes = Counter(gold[i] for i in items)
    pred_sizes = Counter(predicted[i] for i in items)
    correct = sum(_pairs(n) for n in joint.values())
    true_pairs = sum(_pairs(n) for n in gold_sizes.values())
    predicted_pairs = sum(_pairs(n) for n in pred_sizes.values())
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    by_pred: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    by_gold: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for i in items:
        by_pred[predicted[i]][gold[i]].append(i)
        by_gold[gold[i]][predicted[i]].append(i)
    merges = [
        {"story": story, "clusters": dict(parts), "cost": cost}
        for story, parts in by_pred.items()
        if (cost := _pairs(pred_sizes[story]) - sum(_pairs(len(v)) for v in parts.values()))
    ]
    splits = [
        {"cluster": cluster, "stories": dict(parts), "cost": cost}
        for cluster, parts in by_gold.items()
        if (cost := _pairs(gold_sizes[cluster]) - sum(_pairs(len(v)) for v in parts.values()))
    ]
    merges.sort(key=lambda m: (-cast(int, m["cost"]), str(m["story"])))
    splits.sort(key=lambda s: (-cast(int, s["cost"]), str(s["cluster"])))
    return ClusterScore(
        precision,
        recall,
        f1,
        true_pairs,
        predicted_pairs,
        correct,
        merges[:worst],
        splits[:worst],
    )
