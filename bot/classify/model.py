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
from dataclasses import dataclass
from functools import cache
from importlib import resources
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

    def decide(self, features: Iterable[str], top: int = 3) -> Decision:
        """Score the features (each counted once) and compare with the threshold."""
        seen: dict[str, float] = {}
        weights = self.weights
        for f in features:
            w = weights.get(f)
            if w is not None:
                seen[f] = w
        z = self.bias + sum(seen.values())
        p = 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0
        best = sorted(seen.items(), key=lambda kv: -kv[1])[:top] if top else []
        return Decision(
            label=self.label,
            probability=p,
            fired=p >= self.threshold,
            top=tuple((f, round(w, 3)) for f, w in best if w > 0),
        )


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
