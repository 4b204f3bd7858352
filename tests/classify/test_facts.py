"""Jobs, places and sentence splitting: the facts attached to an event."""

from __future__ import annotations

import pytest

from bot.classify.jobs import find_jobs
from bot.classify.places import find_place
from bot.classify.sentences import read, split_sentences


@pytest.mark.parametrize(
    ("text", "jobs"),
    [
        ("about 3,900 jobs are at stake", 3900),
        ("with the loss of 1,400 job cuts", 1400),
        ("1.2k workers will be affected", 1200),
        ("putting 450 manufacturing jobs at risk", 450),
        ("the plant employs 975 hourly and salaried workers", 975),
        ("some 12,000 employees", 12000),
        ("2.5 thousand staff", 2500),
        ("a $2.3 billion plant in Ohio", None),
        ("production will end in 2022", None),
        ("7,200 megawatts of capacity", None),
        ("no figure given", None),
    ],
)
def test_find_jobs(text: str, jobs: int | None) -> None:
    found = find_jobs(text)
    assert (found[0] if found else None) == jobs


def test_place_from_plant_name_and_country() -> None:
    place = find_place("Nissan to close its Sunderland plant")
    assert place.plant == "Sunderland plant"
    assert place.country == "United Kingdom"
    place = find_place("Electrolux to shut plant in Porcia, Italy")
    assert place.location == "Porcia"
    assert place.country == "Italy"
    assert find_place("Chinese carmaker signs deal").country == "China"


def test_sentences_keep_abbreviations_together() -> None:
    parts = split_sentences("General Motors Corp. said it will close a plant. Unions objected.")
    assert parts == ["General Motors Corp. said it will close a plant.", "Unions objected."]


def test_read_folds_typography_and_keeps_offsets() -> None:
    doc = read("Nissan’s “plan” — explained", "First one. Second one.")
    assert doc.headline.text == 'Nissan\'s "plan" - explained'
    assert len(doc.sentences) == 3
    for sentence in doc.sentences:
        assert len(sentence.low) == len(sentence.text)
