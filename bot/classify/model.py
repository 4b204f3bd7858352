"""The learned decision: is this article a plant closure, a partnership, both or neither?

A logistic-regression model per label over the sparse features of :mod:`bot.classify.features`.
Its weights are a small versioned data file in the package (``model.json``), written by
``dealradar train`` (:mod:`bot.classify.training`) and loaded once. Inference is a sum of
dictionary look-ups and a sigmoid: no numeric library, fast to import, fast per article.

``model.json`` holds, per label, the intercept, the weights and the decision threshold chosen
from cross-validation. The probability is the confidence shown in alerts: logistic regression
trained without class re-weighting is close to calibrated, and ``docs/classifier.md`` has the
cross-validated reliability table that checks it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import repeat
from typing import Any

MODEL_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Decision:
    """One label's verdict on one article, with the features that weighed most for it."""

    label: str
    probability: float
    fired: bool
    top: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class LabelModel:
    """Weights, intercept and decision threshold of one label."""

    label: str
    bias: float
    weights: dict[str, float]
    threshold: float

    def probability(self, features: AbstractSet[str]) -> float:
        """The model's probability for a set of features (each counts once)."""
        z = self.bias + sum(map(self.weights.get, features, repeat(0.0)))
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    def strongest(self, features: AbstractSet[str], top: int = 3) -> tuple[tuple[str, float], ...]:
        """The ``top`` features that pushed hardest towards the label (positive weights)."""
        weighed = [(f, w) for f in features if (w := self.weights.get(f, 0.0)) > 0]
        weighed.sort(key=lambda fw: (-fw[1], fw[0]))
        return tuple((f, round(w, 3)) for f, w in weighed[:top])

    def decide(self, features: Iterable[str], top: int = 3) -> Decision:
        """Score the features (each counted once) and compare with the threshold."""
        unique = frozenset(features)
        p = self.probability(unique)
        return Decision(self.label, p, p >= self.threshold, self.strongest(unique, top))


@dataclass(frozen=True, slots=True)
class Model:
    """All labels' models plus the training metadata the file carries."""

    labels: dict[str, LabelModel]
    meta: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        """Build from the parsed file.

        Raises:
            ValueError: the file is of another format version or lacks a field.
        """
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"model file format {data.get('format')!r}, expected {MODEL_FORMAT}")
        labels = {}
        for name, spec in data["labels"].items():
            labels[name] = LabelModel(
                label=name,
                bias=float(spec["bias"]),
                weights={k: float(v) for k, v in spec["weights"].items()},
                threshold=float(spec["threshold"]),
            )
        return cls(labels=labels, meta=dict(data.get("meta", {})))


def load_text(text: str) -> Model:
    """Parse a model file's text (see :meth:`Model.from_json`)."""
    return Model.from_json(json.loads(text))


@cache
def default_model() -> Model:
    """The model shipped in the package, read once."""
    return load_text(resources.files("bot.classify").joinpath("model.json").read_text("utf-8"))
