"""Scoring a classifier against a labelled file in the corpus format.

Owns the metrics the issue asks for, computed the same way for the CLI, the tests and the
benchmark:

* precision / recall / F1 per alert label (``plant_closure``, ``partnership``), per item;
* status accuracy on items where the label was both expected and found, in the corpus README's
  three coarse classes (talks · planned+confirmed · denied+cancelled);
* company precision / recall / F1 on the same correctly detected items, comparing the union of
  the events' companies with the labelled companies, both resolved through the company table
  (so "GM" and "General Motors" are one name);
* the misclassified items, with the evidence that fired (or "no cue" for misses).

Reading files is the caller's job: this module takes already-parsed rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.classify.companies import CompanyTable
from bot.classify.status import COARSE
from bot.domain import Classifier, EventType, Status

LABELS = (EventType.PLANT_CLOSURE.value, EventType.PARTNERSHIP.value)


@dataclass
class Score:
    """True/false positives and false negatives, with the derived ratios."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Miss:
    """One item the classifier got wrong, and why it decided what it did."""

    id: str
    headline: str
    kind: str  # "false positive", "false negative", "status", "companies"
    label: str
    expected: str
    got: str
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "headline": self.headline,
            "kind": self.kind,
            "label": self.label,
            "expected": self.expected,
            "got": self.got,
            "evidence": list(self.evidence),
        }


@dataclass
class Report:
    """Everything ``dealradar eval`` prints."""

    items: int = 0
    labels: dict[str, Score] = field(default_factory=lambda: {lbl: Score() for lbl in LABELS})
    status_total: int = 0
    status_correct: int = 0
    companies: Score = field(default_factory=Score)
    misses: list[Miss] = field(default_factory=list)

    @property
    def status_accuracy(self) -> float:
        return self.status_correct / self.status_total if self.status_total else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "labels": {k: v.to_json() for k, v in self.labels.items()},
            "status_accuracy": round(self.status_accuracy, 4),
            "status_scored": self.status_total,
            "companies": self.companies.to_json(),
            "misclassified": [m.to_json() for m in self.misses],
        }

    def render(self) -> str:
        lines = [f"items: {self.items}", "label            P      R      F1     tp  fp  fn"]
        for name, s in self.labels.items():
            lines.append(
                f"{name:<15} {s.precision:.3f}  {s.recall:.3f}  {s.f1:.3f}  "
                f"{s.tp:>3} {s.fp:>3} {s.fn:>3}"
            )
        lines.append(
            f"status accuracy (coarse): {self.status_accuracy:.3f} "
            f"({self.status_correct}/{self.status_total})"
        )
        c = self.companies
        lines.append(
            f"companies        {c.precision:.3f}  {c.recall:.3f}  {c.f1:.3f}  "
            f"{c.tp:>3} {c.fp:>3} {c.fn:>3}"
        )
        if self.misses:
            lines.append("")
            lines.append("misclassified:")
            for m in self.misses:
                lines.append(f"- [{m.id}] {m.kind} {m.label}: expected {m.expected}, got {m.got}")
                lines.append(f"    {m.headline[:110]}")
                for ev in m.evidence[:4]:
                    lines.append(f"    · {ev}")
        return "\n".join(lines)


_GENERIC_TAIL = re.compile(
    r"(?:\s+(?:industries|group|holdings|corp(?:oration)?|co|inc|ltd|limited|plc|ag|sa|llc))+$"
)


def _resolve_all(names: Iterable[str], table: CompanyTable) -> set[str]:
    """Names compared as the table resolves them; names it does not know are compared without
    generic corporate endings ("Clevite Industries" is Clevite)."""
    out = set()
    for name in names:
        if not name:
            continue
        known = table.resolve(name)
        out.add(known.casefold() if known else _GENERIC_TAIL.sub("", name.casefold().strip(".")))
    return out


def evaluate(
    rows: Iterable[Mapping[str, Any]],
    classifier: Classifier,
    table: CompanyTable | None = None,
    *,
    company_misses: bool = False,
) -> Report:
    """Score ``classifier`` on labelled ``rows`` (dicts with ``headline``, ``lede``, ``labels``,
    ``status``, ``companies``)."""
    table = table if table is not None else CompanyTable.default()
    report = Report()
    for row in rows:
        report.items += 1
        item_id = str(row.get("id", report.items))
        headline = str(row.get("headline") or "")
        events = classifier.classify(headline, str(row.get("lede") or ""))
        got = {e.type.value: e for e in events}
        gold = {str(lbl) for lbl in row.get("labels") or []}
        evidence = tuple(ev for e in events for ev in e.evidence)
        for label in LABELS:
            score = report.labels[label]
            if label in gold and label in got:
                score.tp += 1
                _score_status(report, row, item_id, headline, label, got[label].status)
            elif label in got:
                score.fp += 1
                report.misses.append(
                    Miss(
                        item_id,
                        headline,
                        "false positive",
                        label,
                        "none",
                        got[label].status.value,
                        got[label].evidence,
                    )
                )
            elif label in gold:
                score.fn += 1
                report.misses.append(
                    Miss(
                        item_id,
                        headline,
                        "false negative",
                        label,
                        str(row.get("status") or "?"),
                        "none",
                        evidence or ("no cue",),
                    )
                )
        if gold & set(got):
            expected = _resolve_all(row.get("companies") or [], table)
            found = _resolve_all((c for e in events for c in e.companies), table)
            report.companies.tp += len(expected & found)
            report.companies.fp += len(found - expected)
            report.companies.fn += len(expected - found)
            if company_misses and expected != found:
                report.misses.append(
                    Miss(
                        item_id,
                        headline,
                        "companies",
                        "companies",
                        ", ".join(sorted(expected)),
                        ", ".join(sorted(found)),
                    )
                )
    return report


def _score_status(
    report: Report,
    row: Mapping[str, Any],
    item_id: str,
    headline: str,
    label: str,
    status: Status,
) -> None:
    raw = str(row.get("status") or "")
    if raw not in {s.value for s in Status}:
        return
    report.status_total += 1
    if COARSE[Status(raw)] == COARSE[status]:
        report.status_correct += 1
    else:
        report.misses.append(Miss(item_id, headline, "status", label, raw, status.value))
