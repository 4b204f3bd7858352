"""The learned classifier: the model decides, the rules describe; on sentences written here."""

from __future__ import annotations

import json
import math

import pytest

from bot.classify import LearnedClassifier, default_classifier
from bot.classify.features import word_features
from bot.classify.model import MODEL_FORMAT, LabelModel, Model, default_model, load_text
from bot.domain import Event, EventType, Status

CLOSURE = EventType.PLANT_CLOSURE
PARTNER = EventType.PARTNERSHIP


def _events(title: str, lede: str = "") -> dict[EventType, Event]:
    return {e.type: e for e in default_classifier().classify(title, lede)}


# The README's example and the ways newsrooms rephrase it.
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Nissan Explores Foxconn EV Production to Safeguard Oppama Plant Amid Restructuring",
            {PARTNER: Status.TALKS, CLOSURE: Status.TALKS},
        ),
        ("Nissan in talks with Foxconn to build EVs at Oppama plant", {PARTNER: Status.TALKS}),
        (
            "Nissan signs memorandum of understanding with Foxconn on EV production at Oppama",
            {PARTNER: Status.PLANNED},
        ),
        ("Nissan denies report on Foxconn EV production at Oppama", {PARTNER: Status.DENIED}),
        (
            "Nissan to end production at Oppama plant by 2027, affecting 3,900 jobs",
            {CLOSURE: Status.PLANNED},
        ),
        ("Foxconn deal saves Nissan Oppama plant from closure", {CLOSURE: Status.CANCELLED}),
    ],
)
def test_the_motivating_story_in_several_phrasings(
    title: str, expected: dict[EventType, Status]
) -> None:
    events = _events(title)
    assert {k: e.status for k, e in events.items()} == expected, title
    for event in events.values():
        assert "Nissan" in event.companies
        assert event.country == "Japan"


def test_plant_is_the_named_site_and_the_country_is_the_plant_s() -> None:
    event = _events("Nissan in talks with Foxconn to build EVs at Oppama plant")[PARTNER]
    assert event.plant == "Oppama plant"
    assert event.country == "Japan"  # not Taiwan, where Foxconn is based
    assert event.companies == ("Nissan", "Foxconn")


def _model(closure: dict[str, float], bias: float = -5.0) -> Model:
    return Model.from_json(
        {
            "format": MODEL_FORMAT,
            "labels": {
                "plant_closure": {"bias": bias, "threshold": 0.5, "weights": closure},
                "partnership": {"bias": -5.0, "threshold": 0.5, "weights": {}},
            },
        }
    )


def test_the_model_vetoes_a_rule_it_has_seen_misfire() -> None:
    vetoing = LearnedClassifier(model=_model({"r:closure:closure": 0.0}))
    assert vetoing.classify("Acme Motors to close its Leeds engine plant") == []


def test_a_rule_the_model_never_saw_is_decided_by_the_rules() -> None:
    unseen = LearnedClassifier(model=_model({}))
    [event] = unseen.classify("Acme Motors to close its Leeds engine plant")
    assert event.type is CLOSURE
    assert any("never showed" in e for e in event.evidence)


@pytest.mark.parametrize(
    "title",
    [
        "Acme Motors shares close higher after upbeat outlook",
        "Borlund Steel names new chief financial officer",
        "Spain and France sign deal to develop hydrogen trucks",
        "Plant closure: a checklist for managers",
    ],
)
def test_ordinary_news_fires_nothing(title: str) -> None:
    assert _events(title) == {}


def test_evidence_names_the_model_and_its_strongest_features() -> None:
    event = _events("Kestrel Chemicals to close its Antwerp plant, cutting 400 jobs")[CLOSURE]
    model_line = next(e for e in event.evidence if e.startswith("model "))
    assert "r:closure:" in model_line
    assert 0.0 < event.confidence <= 0.99


def test_label_model_is_a_logistic_regression() -> None:
    model = LabelModel("plant_closure", bias=-1.0, weights={"w:a": 2.0, "w:b": -0.5}, threshold=0.6)
    decision = model.decide(["w:a", "w:b", "w:unknown", "w:a"])  # a repeated feature counts once
    assert decision.probability == pytest.approx(1 / (1 + math.exp(-0.5)))
    assert decision.fired is True
    assert decision.top == (("w:a", 2.0),)
    assert model.decide(["w:b"]).fired is False


def test_model_file_of_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        load_text(json.dumps({"format": MODEL_FORMAT + 1, "labels": {}}))


def test_shipped_model_has_both_labels_and_sane_thresholds() -> None:
    model = default_model()
    assert set(model.labels) == {"plant_closure", "partnership"}
    for label in model.labels.values():
        assert 0.05 <= label.threshold <= 0.95
        assert len(label.weights) > 1000


def test_word_features_cover_headline_words_bigrams_and_stems() -> None:
    feats = word_features("acme closes plant", "it cut 1,200 jobs")
    assert {"h:acme", "w:closes", "b:closes_plant", "s:close", "w:<n>"} <= set(feats)
    assert "b:plant_it" not in feats  # no bigram across the headline/lede boundary


def test_a_custom_model_is_used() -> None:
    spec = {
        "format": MODEL_FORMAT,
        "labels": {
            "plant_closure": {"bias": 5.0, "threshold": 0.5, "weights": {}},
            "partnership": {"bias": -5.0, "threshold": 0.5, "weights": {}},
        },
    }
    always = LearnedClassifier(model=Model.from_json(spec))
    events = always.classify("Acme Motors at the Leeds motor show", "Acme said 300 people came.")
    assert [e.type for e in events] == [CLOSURE]
