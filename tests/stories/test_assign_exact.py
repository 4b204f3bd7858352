"""The clusterer skips stories and pairs that cannot win; its decision must be exactly the one
scoring every pair gives (the first highest-scoring pair, in candidate and member order)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.stories.clusterer import Match, StoryClusterer, score_story
from bot.stories.features import StoryFeatures
from bot.stories.index import StoryCandidate

T0 = datetime(2026, 3, 1, tzinfo=UTC)
WORDS = [f"w{i}" for i in range(12)]


def reference(article: StoryFeatures, candidates: list[StoryCandidate]) -> Match:
    """Every member of every story scored, as the clusterer was first written."""
    clusterer = StoryClusterer()
    best_key, best = None, None
    for story in candidates:
        pair = score_story(article, story)
        if pair is not None and (best is None or pair.score > best.score):
            best, best_key = pair, story.key
    if best is None:
        return Match(None, 0.0, ("no candidate shares an entity",))
    if best.score < clusterer.threshold:
        return Match(None, best.score, ("best candidate below threshold", *best.reasons))
    return Match(best_key, best.score, best.reasons)


def small_set(pool: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(pool), max_size=3)


features = st.builds(
    StoryFeatures,
    event_types=small_set(["plant_closure", "partnership"]),
    companies=small_set(["Ford", "Nissan", "Foxconn", "Bosch"]),
    names=small_set(["Oppama", "Saarlouis", "Ohio"]),
    words=st.frozensets(st.sampled_from(WORDS), max_size=8),
    amounts=small_set(["1200", "3900"]),
    years=st.just(frozenset()),
    # few distinct values, so equal scores (ties) happen
    minhash=st.lists(st.sampled_from([1, 2]), min_size=8, max_size=8).map(tuple),
    seen_at=st.integers(0, 400).map(lambda days: T0 + timedelta(days=days)),
    dated=st.booleans(),
)


@st.composite
def stories(draw: st.DrawFn) -> list[StoryCandidate]:
    found = []
    for number in range(draw(st.integers(0, 6))):
        members = tuple(draw(st.lists(features, min_size=1, max_size=4)))
        at = [m.seen_at for m in members]
        found.append(StoryCandidate(f"s{number}", members, min(at), max(at)))
    return found


@settings(max_examples=400)
@given(features, stories())
def test_assign_decides_as_scoring_every_pair(
    article: StoryFeatures, candidates: list[StoryCandidate]
) -> None:
    assert StoryClusterer().assign(article, candidates) == reference(article, candidates)


def test_story_unions_are_its_members() -> None:
    a = StoryFeatures(
        frozenset({"partnership"}), frozenset({"Ford"}), frozenset({"Ohio"}), frozenset(),
        frozenset(), frozenset(), (1,), T0,
    )  # fmt: skip
    b = StoryFeatures(
        frozenset(), frozenset({"Bosch"}), frozenset(), frozenset(),
        frozenset(), frozenset(), (1,), T0,
    )  # fmt: skip
    story = StoryCandidate.start("s", a).with_member(b)
    assert story.companies == {"Ford", "Bosch"} and story.names == {"Ohio"}
    assert story.event_types == {"partnership"} and story.has_untyped
    assert story == StoryCandidate("s", (a, b), T0, T0)  # the unions take no part in equality
