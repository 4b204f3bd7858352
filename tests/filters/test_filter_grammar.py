"""The filter words of ``/deal watch`` and what a story must be to pass them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import Status
from bot.errors import CommandError
from bot.filters import Facts, Filters
from handlers import commands as c
from handlers.filter_grammar import parse_filters, tokens
from handlers.grammar import parse
from tests.handlers.conftest import make_story


def test_the_issue_example_parses_into_company_events_and_filters() -> None:
    command = parse(
        '/deal watch nissan closures country:JP status:confirmed,planned min-jobs:500 +"EV" -recall'
    )
    assert command == c.Watch(
        "nissan",
        "plant_closure",
        Filters(
            countries=("Japan",),
            statuses=(Status.CONFIRMED, Status.PLANNED),
            min_jobs=500,
            include=("EV",),
            exclude=("recall",),
        ),
    )


def test_company_names_of_several_words_and_everything_keep_working() -> None:
    assert parse("watch general motors partnerships") == c.Watch("general motors", "partnership")
    assert parse("watch general motors +EV") == c.Watch(
        "general motors", "all", Filters(include=("EV",))
    )
    assert parse("watch everything status:-talks").filters == Filters(  # type: ignore[union-attr]
        statuses=(Status.TALKS,), statuses_excluded=True
    )


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("country:gb,Japanese", Filters(countries=("United Kingdom", "Japan"))),
        ('country:"south korea"', Filters(countries=("South Korea",))),
        (
            "status:-talks,denied",
            Filters(statuses=(Status.TALKS, Status.DENIED), statuses_excluded=True),
        ),
        ("min-confidence:0.8", Filters(min_confidence=0.8)),
        ("MIN-JOBS:1200", Filters(min_jobs=1200)),
        ("\u201celectric vehicle\u201d", None),  # a quoted company-ish word is no filter
        (
            "+\u201celectric  vehicle\u201d -recall",
            Filters(include=("electric vehicle",), exclude=("recall",)),
        ),
    ],
)
def test_filter_words(words: str, expected: Filters | None) -> None:
    parts = tokens(words)
    if expected is None:
        with pytest.raises(CommandError):
            parse_filters(parts)
        return
    assert parse_filters(parts) == expected


@pytest.mark.parametrize(
    ("words", "named"),
    [
        ("country:XX", "'XX'"),
        ("country:JP,Atlantis", "'Atlantis'"),
        ("status:confirmed,maybe", "'maybe'"),
        ("min-jobs:-3", "'min-jobs:-3'"),
        ("min-jobs:0", "'min-jobs:0'"),
        ("min-confidence:80%", "'min-confidence:80%'"),
        ("colour:red", "'colour:red'"),
        ("country:", "'country:'"),
        ("country:JP country:DE", "given twice"),
        ('+"EV', "unclosed"),
        ("+!!", "'+!!'"),
    ],
)
def test_bad_filters_name_the_bad_part(words: str, named: str) -> None:
    with pytest.raises(CommandError) as err:
        parse_filters(tokens(words))
    assert named in str(err.value)


def test_words_after_the_filters_are_refused() -> None:
    with pytest.raises(CommandError, match="'closures' is not a filter"):
        parse("watch nissan +EV closures")


def test_a_story_passes_only_every_filter() -> None:
    story = make_story(
        1, ("Nissan",), status=Status.PLANNED, country="Japan", jobs=900, plant="Oppama"
    )
    facts = Facts(story, "Nissan to end EV output at Oppama after battery recall", 0.85)
    assert Filters().failure(facts) is None
    both = Filters(countries=("Japan",), min_jobs=500, min_confidence=0.8, include=("ev",))
    assert both.failure(facts) is None
    assert Filters(countries=("Germany",)).failure(facts) == "country"
    assert Filters(statuses=(Status.PLANNED,), statuses_excluded=True).failure(facts) == "status"
    assert Filters(statuses=(Status.CONFIRMED,)).failure(facts) == "status"
    assert Filters(min_jobs=1000).failure(facts) == "min-jobs"
    assert Filters(min_confidence=0.9).failure(facts) == "min-confidence"
    assert Filters(min_confidence=0.1).failure(Facts(story)) == "min-confidence"  # unknown
    assert Filters(include=("electric vehicle",)).failure(facts) == "+phrase"
    assert Filters(include=("batter",)).failure(facts) == "+phrase"  # whole words only
    assert Filters(exclude=("RECALL",)).failure(facts) == "-phrase"
    unknown = make_story(2, ("Nissan",))
    assert Filters(min_jobs=1).failure(Facts(unknown)) == "min-jobs"
    assert Filters(countries=("Japan",)).failure(Facts(unknown)) == "country"


_FILTERS = st.builds(
    Filters,
    countries=st.lists(
        st.sampled_from(["Japan", "United Kingdom", "South Korea"]), unique=True, max_size=2
    ).map(tuple),
    statuses=st.lists(st.sampled_from(list(Status)), unique=True, max_size=3).map(tuple),
    statuses_excluded=st.booleans(),
    min_jobs=st.none() | st.integers(1, 100_000),
    min_confidence=st.none() | st.sampled_from([0.0, 0.5, 0.75, 0.8, 1.0]),
    include=st.lists(
        st.sampled_from(["EV", "electric vehicle", "O'Neill & Co", "3.5bn"]),
        unique=True,
        max_size=2,
    ).map(tuple),
    exclude=st.lists(st.sampled_from(["recall", "rumour mill"]), unique=True, max_size=2).map(
        tuple
    ),
).map(lambda f: f if f.statuses else Filters(**{**_fields(f), "statuses_excluded": False}))  # type: ignore[arg-type]


def _fields(f: Filters) -> dict[str, object]:
    return {name: getattr(f, name) for name in Filters.__slots__}


@given(_FILTERS)
def test_described_filters_parse_back_and_survive_the_store(filters: Filters) -> None:
    described = filters.describe()
    assert parse_filters(tokens(described)) == filters
    assert Filters.from_json(filters.to_json()) == filters
