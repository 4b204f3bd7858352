"""Fitting the model file and measuring how well it generalises.

``fit`` trains one L2-regularised logistic regression per alert label over the features of
:mod:`bot.classify.learned` (scikit-learn, seeded), chooses each label's decision threshold
from 5-fold out-of-fold scores (the F0.5-best threshold, never looked up on a test set), and
builds a calibration table from the same out-of-fold scores. ``splits`` reports what predicts
the held-out score: models trained on some sources and measured on others, and 5-fold
cross-validation over everything.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.classify.classifier import RuleClassifier
from bot.classify.evaluation import Report, evaluate
from bot.classify.learned import LearnedClassifier, features
from bot.classify.model import MODEL_FORMAT, Model
from bot.classify.training.data import ALERT_LABELS, Item

C = 1.0  # inverse regularisation strength: chosen by cross-validation (see docs/classifier.md)
# Weight of an item from the multi-publisher corpus files against a pool item: the pool is one
# wire service, the held-out news is many publishers (chosen by source-disjoint splits).
CORPUS_WEIGHT = 1.0
MIN_DF = 2  # a feature must occur in at least two training articles
FOLDS = 5
# thresholds maximise F0.5 on out-of-fold scores: precision weighs twice as much as recall,
# because an analyst stops reading a channel where alerts are wrong (target P >= 0.95)
BETA = 0.5
CAL_EDGES = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9)


@dataclass(frozen=True)
class Featurized:
    """Items with their feature sets (computed once; the rules are the slow part)."""

    items: list[Item]
    feats: list[frozenset[str]]


def featurize(items: Sequence[Item]) -> Featurized:
    """Run the rules and the feature builder over every item."""
    rules = RuleClassifier()
    feats = [frozenset(features(rules.read(i.headline, i.lede))) for i in items]
    return Featurized(list(items), feats)


def _subset(data: Featurized, keep: Sequence[int]) -> Featurized:
    return Featurized([data.items[i] for i in keep], [data.feats[i] for i in keep])


def _fit_one(
    feats: Sequence[frozenset[str]],
    y: Sequence[int],
    c: float,
    seed: int,
    weight: Sequence[float] | None = None,
) -> tuple[float, dict[str, float]]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    df: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            df[f] = df.get(f, 0) + 1
    vocab = {f for f, n in df.items() if n >= MIN_DF}
    vec = DictVectorizer()
    x = vec.fit_transform([dict.fromkeys(fs & vocab, 1) for fs in feats]).tocsr()
    x.indices = x.indices.astype("int32")  # liblinear takes 32-bit indices only
    x.indptr = x.indptr.astype("int32")
    if len(set(y)) < 2:
        return (-10.0, {})
    lr = LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=1000)
    lr.fit(x, list(y), sample_weight=list(weight) if weight is not None else None)
    names = vec.get_feature_names_out()
    weights = {
        str(n): round(float(w), 4)
        for n, w in zip(names, lr.coef_[0], strict=True)
        if abs(w) >= 1e-3
    }
    return round(float(lr.intercept_[0]), 4), weights


def _score(bias: float, weights: dict[str, float], fs: frozenset[str]) -> float:
    import math

    z = bias + sum(weights.get(f, 0.0) for f in fs)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _folds(n: int, k: int, seed: int, strata: Sequence[str]) -> list[list[int]]:
    """Stratified folds: items of each stratum dealt round-robin after a seeded shuffle."""
    rng = random.Random(seed)
    by: dict[str, list[int]] = {}
    for i, s in enumerate(strata):
        by.setdefault(s, []).append(i)
    folds: list[list[int]] = [[] for _ in range(k)]
    j = 0
    for key in sorted(by):
        idx = by[key]
        rng.shuffle(idx)
        for i in idx:
            folds[j % k].append(i)
            j += 1
    return folds


def _strata(items: Sequence[Item]) -> list[str]:
    return [i.source + ":" + ",".join(sorted(i.labels & set(ALERT_LABELS))) for i in items]


def _weights(items: Sequence[Item], corpus_weight: float) -> list[float]:
    return [corpus_weight if i.source in ("dev", "clusters") else 1.0 for i in items]


def out_of_fold(
    data: Featurized, c: float, seed: int, corpus_weight: float = CORPUS_WEIGHT
) -> dict[str, list[float]]:
    """Each item's score from a model that never saw it, per label."""
    n = len(data.items)
    scores = {lbl: [0.0] * n for lbl in ALERT_LABELS}
    for fold in _folds(n, FOLDS, seed, _strata(data.items)):
        held = set(fold)
        train = [i for i in range(n) if i not in held]
        for lbl in ALERT_LABELS:
            y = [int(lbl in data.items[i].labels) for i in train]
            sw = _weights([data.items[i] for i in train], corpus_weight)
            bias, w = _fit_one([data.feats[i] for i in train], y, c, seed, sw)
            for i in fold:
                scores[lbl][i] = _score(bias, w, data.feats[i])
    return scores


def best_threshold(scores: Sequence[float], gold: Sequence[int]) -> float:
    """The threshold with the best F-beta (:data:`BETA`) over the scores (ties: the higher)."""
    best, best_f = 0.5, -1.0
    b2 = BETA * BETA
    for t in [x / 100 for x in range(5, 96)]:
        tp = sum(1 for s, g in zip(scores, gold, strict=True) if s >= t and g)
        fp = sum(1 for s, g in zip(scores, gold, strict=True) if s >= t and not g)
        fn = sum(1 for s, g in zip(scores, gold, strict=True) if s < t and g)
        f = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp) if tp else 0.0
        if f >= best_f:
            best, best_f = t, f
    return best


def calibration(scores: Sequence[float], gold: Sequence[int]) -> list[tuple[float, float, int]]:
    """(bin start, observed share of positives, items) per score bin, made non-decreasing by
    pooling adjacent bins that violate the order."""
    bins: list[list[float]] = []
    for k, lo in enumerate(CAL_EDGES):
        hi = CAL_EDGES[k + 1] if k + 1 < len(CAL_EDGES) else 1.01
        members = [g for s, g in zip(scores, gold, strict=True) if lo <= s < hi]
        bins.append([lo, float(sum(members)), float(len(members))])
    pooled: list[list[float]] = []
    for b in bins:
        pooled.append(list(b))
        while len(pooled) > 1 and _rate(pooled[-2]) > _rate(pooled[-1]):
            last = pooled.pop()
            pooled[-1][1] += last[1]
            pooled[-1][2] += last[2]
    return [(b[0], round(_rate(b), 3), int(b[2])) for b in pooled]


def _rate(b: list[float]) -> float:
    return b[1] / b[2] if b[2] else 0.0


def fit(
    data: Featurized, *, c: float = C, seed: int = 0, corpus_weight: float = CORPUS_WEIGHT
) -> tuple[Model, dict[str, Any]]:
    """Train on every item; thresholds and calibration from out-of-fold scores."""
    oof = out_of_fold(data, c, seed, corpus_weight)
    sw = _weights(data.items, corpus_weight)
    spec: dict[str, Any] = {"format": MODEL_FORMAT, "labels": {}, "meta": {}}
    report: dict[str, Any] = {}
    for lbl in ALERT_LABELS:
        gold = [int(lbl in i.labels) for i in data.items]
        bias, weights = _fit_one(data.feats, gold, c, seed, sw)
        threshold = best_threshold(oof[lbl], gold)
        table = calibration(oof[lbl], gold)
        spec["labels"][lbl] = {
            "bias": bias,
            "threshold": threshold,
            "weights": dict(sorted(weights.items())),
        }
        report[lbl] = {"threshold": threshold, "calibration": table, "features": len(weights)}
    counts: dict[str, dict[str, int]] = {}
    for i in data.items:
        row = counts.setdefault(i.source, {"items": 0, **dict.fromkeys(ALERT_LABELS, 0)})
        row["items"] += 1
        for lbl in i.labels & set(ALERT_LABELS):
            row[lbl] += 1
    spec["meta"] = {
        "c": c,
        "corpus_weight": corpus_weight,
        "seed": seed,
        "min_df": MIN_DF,
        "folds": FOLDS,
        "items": counts,
    }
    return Model.from_json(spec), spec | {"report": report}


def write(spec: dict[str, Any], path: Path) -> None:
    """Write the model file (stable key order, so a retrain's diff shows what changed)."""
    body = {k: v for k, v in spec.items() if k != "report"}
    text = json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


def digest(path: Path) -> str:
    """A short content hash of a labels or model file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _evaluate(model: Model, items: Sequence[Item]) -> Report:
    return evaluate([i.row() for i in items], LearnedClassifier(model=model))


def split_report(
    data: Featurized,
    splits: Sequence[tuple[str, Callable[[Item], bool], Callable[[Item], bool]]],
    *,
    c: float = C,
    seed: int = 0,
    corpus_weight: float = CORPUS_WEIGHT,
) -> dict[str, Report]:
    """Train on the items each split's first predicate keeps; score on the second's."""
    out: dict[str, Report] = {}
    for name, train_on, test_on in splits:
        train = [i for i, it in enumerate(data.items) if train_on(it)]
        test = [it for it in data.items if test_on(it)]
        model, _ = fit(_subset(data, train), c=c, seed=seed, corpus_weight=corpus_weight)
        out[name] = _evaluate(model, test)
    return out


def cross_validated(
    data: Featurized, *, c: float = C, seed: int = 0, corpus_weight: float = CORPUS_WEIGHT
) -> Report:
    """5-fold cross-validation over every item; the folds' counts are summed."""
    total = Report()
    n = len(data.items)
    for fold in _folds(n, FOLDS, seed + 1, _strata(data.items)):
        held = set(fold)
        keep = [i for i in range(n) if i not in held]
        model, _ = fit(_subset(data, keep), c=c, seed=seed, corpus_weight=corpus_weight)
        part = _evaluate(model, [data.items[i] for i in fold])
        total.items += part.items
        for lbl, s in part.labels.items():
            total.labels[lbl].tp += s.tp
            total.labels[lbl].fp += s.fp
            total.labels[lbl].fn += s.fn
        total.status_total += part.status_total
        total.status_correct += part.status_correct
        total.companies.tp += part.companies.tp
        total.companies.fp += part.companies.fp
        total.companies.fn += part.companies.fn
    return total
