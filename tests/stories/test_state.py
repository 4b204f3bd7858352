"""Story merge rules: status precedence, merged facts, outlets, signature round trip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import Event, EventType, Status
from bot.stories.features import features_for
from bot.stories.index import MAX_MEMBERS
from bot.stories.state import (
    ArticleInfo,
    StoryState,
    merge_story,
    new_story,
    signature_from_json,
)
from tests.stories.conftest import DAY0

CLOSURE = EventType.PLANT_CLOSURE


def _event(
    status: Status, jobs: int | None = None, companies: tuple[str, ...] = ("Acme",)
) -> Event:
    return Event(CLOSURE, status, companies, plant="Riverton mill", country="Norland", jobs=jobs)


def _start(status: Status = Status.TALKS) -> StoryState:
    event = _event(status, jobs=400)
    features = features_for("Acme weighs Riverton mill closure", "", [event], DAY0)
    return new_story(
        features, event, ArticleInfo("Acme weighs Riverton mill closure", "u1", "Ledger")
    )


def _merge(
    state: StoryState,
    status: Status | None,
    *,
    days: float = 1,
    outlet: str = "Wire",
    jobs: int | None = None,
    companies: tuple[str, ...] = ("Acme",),
) -> tuple[StoryState, bool]:
    event = None if status is None else _event(status, jobs=jobs, companies=companies)
    features = features_for(
        "Acme Riverton mill update", "", [event] if event else [], DAY0 + timedelta(days=days)
    )
    return merge_story(
        state, features, event, ArticleInfo("Acme Riverton mill update", "u", outlet)
    )


@pytest.mark.parametrize(
    ("start", "new", "expected"),
    [
        (Status.TALKS, Status.PLANNED, Status.PLANNED),
        (Status.TALKS, Status.CONFIRMED, Status.CONFIRMED),
        (Status.PLANNED, Status.TALKS, Status.PLANNED),  # never backwards
        (Status.CONFIRMED, Status.PLANNED, Status.CONFIRMED),
        (Status.TALKS, Status.DENIED, Status.DENIED),
        (Status.CONFIRMED, Status.CANCELLED, Status.CANCELLED),
        (Status.DENIED, Status.CONFIRMED, Status.CONFIRMED),  # a signed deal beats a denial
        (Status.DENIED, Status.TALKS, Status.DENIED),
        (Status.CANCELLED, Status.PLANNED, Status.CANCELLED),
    ],
)
def test_status_is_the_latest_credible_one(start: Status, new: Status, expected: Status) -> None:
    state, changed = _merge(_start(start), new)
    assert state.status is expected
    assert changed is (expected is not start)


def test_an_older_article_arriving_late_does_not_change_status() -> None:
    state, _ = _merge(_start(Status.TALKS), Status.CONFIRMED, days=5)
    late, changed = _merge(state, Status.DENIED, days=2)
    assert late.status is Status.CONFIRMED and not changed


def test_facts_outlets_and_counts_merge() -> None:
    state = _start()
    state, _ = _merge(state, Status.TALKS, outlet="Wire", jobs=None, companies=("Acme", "Beta"))
    state, _ = _merge(state, None, outlet="wire")  # same outlet, other case
    state, _ = _merge(state, Status.PLANNED, outlet="Herald", jobs=450, days=3)
    assert state.article_count == 4
    assert state.outlets == ("Ledger", "Wire", "Herald")
    assert state.companies == ("Acme", "Beta")
    assert state.jobs == 450  # the latest stated figure
    assert state.plant == "Riverton mill" and state.country == "Norland"
    assert state.first_seen == DAY0
    assert state.updated_at == DAY0 + timedelta(days=3)
    assert state.headline == "Acme weighs Riverton mill closure"


def test_key_format_and_domain_story() -> None:
    state = _start()
    kind, company, day, digest = state.key.rsplit("-", 3)
    assert (kind, company, day) == ("plant_closure", "acme", "20260302")
    assert len(digest) == 6
    story = state.as_story(7)
    assert story is not None and story.id == 7 and story.outlet_count == 1


def test_untyped_story_takes_the_first_event_type() -> None:
    features = features_for("Acme mill news", "", [], DAY0)
    state = new_story(features, None, ArticleInfo("Acme mill news"))
    assert state.key.startswith("other-") and state.as_story(1) is None
    state, changed = _merge(state, Status.PLANNED)
    assert state.event_type == CLOSURE.value and state.status is Status.PLANNED
    assert not changed  # first status, not a change: the pipeline sends it as new
    assert state.as_story(1) is not None


def test_signature_round_trips_and_keeps_recent_members() -> None:
    state = _start()
    for day in range(MAX_MEMBERS + 3):
        state, _ = _merge(state, Status.PLANNED, days=day + 1)
    data = state.signature_json()
    restored = signature_from_json(state.key, data)
    assert restored == state.signature
    assert len(restored.members) == MAX_MEMBERS
    with pytest.raises(ValueError, match="version"):
        signature_from_json("k", {"v": 99})


@given(
    texts=st.lists(st.tuples(st.text(max_size=120), st.text(max_size=200)), min_size=1, max_size=4),
    offsets=st.lists(st.floats(min_value=0, max_value=400), min_size=4, max_size=4),
    dated=st.booleans(),
)
def test_a_written_signature_decodes_to_the_one_in_memory(
    texts: list[tuple[str, str]], offsets: list[float], dated: bool
) -> None:
    # the story book caches the in-memory signature of what it writes instead of decoding the
    # row again: both must be equal for any text, time and dated-ness
    event = _event(Status.PLANNED, jobs=120)
    state: StoryState | None = None
    for (title, lede), days in zip(texts, offsets, strict=False):
        features = features_for(title, lede, [event], DAY0 + timedelta(days=days), dated=dated)
        info = ArticleInfo(title or "untitled", "u", "Wire")
        state = (
            new_story(features, event, info)
            if state is None
            else merge_story(state, features, event, info)[0]
        )
    assert state is not None
    assert signature_from_json(state.key, state.signature_json()) == state.signature


def test_a_members_json_is_built_once_and_replacing_a_field_rebuilds_it() -> None:
    from dataclasses import replace

    member = _start().signature.members[0]
    first = member.to_json()
    assert member.to_json() is first  # kept, not rebuilt per story write
    changed = replace(member, jobs=4321)
    assert changed.to_json()["jobs"] == 4321 and first["jobs"] != 4321
    assert changed != member and replace(changed, jobs=member.jobs) == member
    assert type(member).from_json(first) == member
