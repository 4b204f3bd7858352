"""The product's classifier: rules read the article, a learned model decides.

The rules (:class:`~bot.classify.classifier.RuleClassifier`) are good at *reading*: the cue
spans, the status words, the companies, the plant, the place and the head-count. They are
poor at *deciding*, because no list of rules covers every way a reporter phrases a closure or
a deal. So the decision "does this article report a plant closure / a partnership?" is made by
the model of :mod:`bot.classify.model`, trained on thousands of labelled real headlines, over
the article's words and the rules' signals; everything else about the event stays rule-based.

Two exceptions, both cases where the model has no evidence to judge a rule by: an event type
found only by the multilingual lexicon (the model learned from English news), and a cue whose
rule never fired in the labelled data. Those are decided by the rules, until labelled data
that contains them is added and the model is retrained.
"""

from __future__ import annotations

from functools import cache

from bot.classify.classifier import Reading, RuleClassifier
from bot.classify.companies import CompanyTable
from bot.classify.features import rule_features, word_features
from bot.classify.model import Decision, Model, default_model
from bot.domain import Event, EventType

# A rule cue fires the event when the model gives it at least this probability: the rules read
# phrasings the labelled data holds few of, and the model vetoes the cues it has seen misfire.
# Chosen on source-disjoint splits (docs/classifier.md), not on any single item.
RULE_FLOOR = 0.1
_KINDS = {"plant_closure": EventType.PLANT_CLOSURE, "partnership": EventType.PARTNERSHIP}
_SHORT = {EventType.PLANT_CLOSURE: "closure", EventType.PARTNERSHIP: "partnership"}


def signals(reading: Reading) -> list[str]:
    """What the rules saw, as model features (see :mod:`bot.classify.features`)."""
    out: list[str] = []
    for kind, cues in reading.found.items():
        short = _SHORT[kind]
        out.append(f"{short}:any")
        for cue, sentence in cues:
            out.append(f"{short}:{cue.rule}")
            if sentence.headline:
                out.append(f"{short}:headline")
            if cue.status_hint:
                out.append(f"{short}:hint:{cue.status_hint}")
    named = len({m.name for m in reading.mentions_in(0)})
    out.append(f"orgs:{min(named, 2)}")
    return out


def features(reading: Reading) -> list[str]:
    """Every feature of one article: its words and the rules' signals."""
    doc = reading.doc
    rest = " ".join(s.low for s in doc.sentences[1:])
    return word_features(doc.headline.low, rest) + rule_features(signals(reading))


class LearnedClassifier:
    """Implements :class:`bot.domain.Classifier`: the model decides, the rules describe."""

    def __init__(
        self,
        companies: CompanyTable | None = None,
        model: Model | None = None,
        rule_floor: float | None = RULE_FLOOR,
    ) -> None:
        self.rules = RuleClassifier(companies)
        self.companies = self.rules.companies
        self.model = model if model is not None else default_model()
        self.rule_floor = rule_floor

    def decisions(self, title: str, summary: str = "", body: str = "") -> list[Decision]:
        """The model's verdict per label (for evaluation and explanations)."""
        reading = self.rules.read(title, summary, body)
        feats = frozenset(features(reading))
        return [m.decide(feats) for m in self.model.labels.values()]

    def classify(self, title: str, summary: str = "", body: str = "") -> list[Event]:
        """Events in one article (at most one per type), most confident first."""
        reading = self.rules.read(title, summary, body)
        feats = frozenset(features(reading))
        kinds = {}
        evidence: dict[EventType, list[str]] = {}
        confidence: dict[EventType, float] = {}
        for name, label_model in self.model.labels.items():
            kind = _KINDS[name]
            cues = reading.found.get(kind, [])
            short = _SHORT[kind]
            unvetted = bool(cues) and all(
                c.rule.endswith("(multilingual)")
                or f"r:{short}:{c.rule}" not in label_model.weights
                for c, _ in cues
            )
            if unvetted:
                kinds[kind] = cues
                evidence[kind] = ["rules decide: a cue the labelled data never showed"]
                continue
            p = label_model.probability(feats)
            fired = p >= label_model.threshold or (
                self.rule_floor is not None and bool(cues) and p >= self.rule_floor
            )
            if not fired:
                continue
            kinds[kind] = cues
            confidence[kind] = p
            weighed = ", ".join(f"{f} {w:+.2f}" for f, w in label_model.strongest(feats))
            evidence[kind] = [f"model {p:.2f}: {weighed}"]
        if not kinds:
            return []
        return self.rules.events(
            reading, kinds, gate=True, extra_evidence=evidence, confidence=confidence
        )


@cache
def default_learned_classifier() -> LearnedClassifier:
    """The product classifier over the shipped company table and model (built once)."""
    return LearnedClassifier()
