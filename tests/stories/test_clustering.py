"""Same-story paraphrases join; follow-ups thread and move the status; distractors stay apart.

Every sentence here is written for these tests.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain import Status
from bot.stories.book import MemoryStoryBook as StoryBook
from tests.stories.conftest import PARTNERSHIP, post

KESTREL = ("Kestrel Motors",)


def test_paraphrases_across_outlets_form_one_story() -> None:
    book = StoryBook()
    first = post(
        book,
        "Kestrel Motors to close Dunmore assembly plant, 1,800 jobs at risk",
        "Kestrel Motors said on Monday it plans to shut its Dunmore car plant next year.",
        companies=KESTREL,
        outlet="Daily Ledger",
        jobs=1800,
    )
    second = post(
        book,
        "Kestrel plans Dunmore factory closure",
        "The carmaker Kestrel Motors will end production at Dunmore, putting 1,800 workers out.",
        companies=KESTREL,
        outlet="Wire One",
        day=0.2,
    )
    third = post(
        book,
        "Kestrel Motors schließt Werk in Dunmore",
        "Der Autobauer Kestrel Motors will sein Werk in Dunmore schließen; 1.800 Stellen fallen.",
        companies=KESTREL,
        outlet="Handelsblick",
        day=0.5,
    )
    assert first.created
    assert not second.created and not third.created
    assert second.story.key == third.story.key == first.story.key
    assert third.story.article_count == 3
    assert third.story.outlets == ("Daily Ledger", "Wire One", "Handelsblick")


def test_follow_ups_join_and_change_status() -> None:
    book = StoryBook()
    talks = post(
        book,
        "Orbis and Halden Steel in talks on a joint venture for green steel",
        "Orbis Energy and Halden Steel are exploring a joint venture to build a hydrogen plant.",
        kind=PARTNERSHIP,
        status=Status.TALKS,
        companies=("Orbis Energy", "Halden Steel"),
    )
    denied = post(
        book,
        "Halden Steel denies joint venture talks with Orbis",
        "Halden Steel said it is not in talks with Orbis Energy about a hydrogen joint venture.",
        kind=PARTNERSHIP,
        status=Status.DENIED,
        companies=("Halden Steel", "Orbis Energy"),
        day=2,
    )
    signed = post(
        book,
        "Orbis and Halden Steel sign green steel joint venture",
        "Orbis Energy and Halden Steel signed an agreement to form a hydrogen joint venture.",
        kind=PARTNERSHIP,
        status=Status.CONFIRMED,
        companies=("Orbis Energy", "Halden Steel"),
        day=20,
    )
    assert denied.story.key == talks.story.key == signed.story.key
    assert denied.status_changed and denied.story.status is Status.DENIED
    assert signed.status_changed and signed.story.status is Status.CONFIRMED


def test_job_number_follow_up_updates_the_story() -> None:
    book = StoryBook()
    post(
        book,
        "Kestrel Motors to close Dunmore plant",
        "Kestrel Motors will close its Dunmore assembly plant in County Arlen.",
        companies=KESTREL,
        jobs=1500,
    )
    update = post(
        book,
        "Dunmore plant closure: Kestrel confirms 1,850 job losses",
        "Kestrel Motors confirmed the Dunmore assembly plant will close, with 1,850 jobs lost.",
        status=Status.CONFIRMED,
        companies=KESTREL,
        jobs=1850,
        day=3,
    )
    assert not update.created
    assert update.story.jobs == 1850
    assert update.status_changed and update.story.status is Status.CONFIRMED


def test_same_company_other_plant_is_a_new_story() -> None:
    book = StoryBook()
    first = post(
        book,
        "Kestrel Motors to close Dunmore assembly plant",
        "Kestrel Motors will close its Dunmore car plant in the north, cutting 1,800 jobs.",
        companies=KESTREL,
    )
    other = post(
        book,
        "Kestrel Motors to shut Valtora engine factory",
        "Kestrel Motors plans to close the Valtora engine works in the south, where 640 work.",
        companies=KESTREL,
        day=40,
    )
    assert other.created and other.story.key != first.story.key


def test_same_company_other_event_type_is_a_new_story() -> None:
    book = StoryBook()
    closure = post(
        book,
        "Kestrel Motors to close Dunmore assembly plant",
        "Kestrel Motors will close its Dunmore car plant, cutting 1,800 jobs.",
        companies=KESTREL,
    )
    deal = post(
        book,
        "Kestrel Motors in talks with Lumen Cells on battery partnership",
        "Kestrel Motors is in talks with Lumen Cells about jointly building battery packs.",
        kind=PARTNERSHIP,
        status=Status.TALKS,
        companies=("Kestrel Motors", "Lumen Cells"),
        day=1,
    )
    assert deal.created and deal.story.key != closure.story.key


def test_same_type_same_country_other_companies_is_a_new_story() -> None:
    book = StoryBook()
    first = post(
        book,
        "Kestrel Motors to close car plant in Norland",
        "Kestrel Motors will close its car plant in Norland with the loss of 900 jobs.",
        companies=KESTREL,
    )
    other = post(
        book,
        "Brightwater Foods to close plant in Norland",
        "Brightwater Foods will close its snack plant in Norland with the loss of 300 jobs.",
        companies=("Brightwater Foods",),
        day=1,
    )
    assert other.created and other.story.key != first.story.key


def test_same_partners_years_later_is_a_new_story() -> None:
    book = StoryBook()
    first = post(
        book,
        "Orbis and Halden Steel form green steel venture",
        "Orbis Energy and Halden Steel formed a joint venture for hydrogen-based steel.",
        kind=PARTNERSHIP,
        status=Status.CONFIRMED,
        companies=("Orbis Energy", "Halden Steel"),
    )
    later = post(
        book,
        "Orbis and Halden Steel form green steel venture",
        "Orbis Energy and Halden Steel formed a joint venture for hydrogen-based steel.",
        kind=PARTNERSHIP,
        status=Status.CONFIRMED,
        companies=("Orbis Energy", "Halden Steel"),
        day=900,
    )
    assert later.created and later.story.key != first.story.key


def test_article_without_event_still_gets_a_story_and_can_join() -> None:
    book = StoryBook()
    first = post(
        book,
        "Kestrel Motors to close Dunmore assembly plant",
        "Kestrel Motors will close its Dunmore car plant next year, cutting 1,800 jobs.",
        companies=KESTREL,
    )
    reaction = post(
        book,
        "Dunmore reacts as Kestrel Motors plant closure looms",
        "Workers at the Kestrel Motors plant in Dunmore fear for 1,800 jobs after the closure.",
        kind=None,
        companies=KESTREL,
        day=0.5,
    )
    unrelated = post(book, "Quarterly weather outlook", "Rain is expected.", kind=None)
    assert reaction.story.key == first.story.key
    assert reaction.story.status is Status.PLANNED
    assert unrelated.created and unrelated.story.key.startswith("other-")


def test_undated_articles_match_within_a_bounded_time() -> None:
    book = StoryBook()
    first = post(
        book,
        "Kestrel Motors to close Dunmore assembly plant",
        "Kestrel Motors will close its Dunmore car plant next year, cutting 1,800 jobs.",
        companies=KESTREL,
    )
    text = (
        "Kestrel Motors confirms Dunmore plant closure",
        "Kestrel Motors confirmed it will close the Dunmore car plant, cutting 1,800 jobs.",
    )
    near = post(book, *text, companies=KESTREL, status=Status.CONFIRMED, day=20, dated=False)
    assert near.story.key == first.story.key
    assert any("undated" in reason for reason in near.match.reasons)
    far = post(book, *text, companies=KESTREL, status=Status.CONFIRMED, day=2000, dated=False)
    assert far.created  # first seen years later: never matched across unbounded time


def test_same_company_same_day_other_plant_is_a_new_story() -> None:
    book = StoryBook()
    saarlouis = post(
        book,
        "Ford to close Saarlouis plant",
        "Ford will end car production at Saarlouis, cutting 4,600 jobs.",
        companies=("Ford",),
        plant="Saarlouis plant",
        location="Saarlouis",
    )
    cologne = post(
        book,
        "Ford to close Cologne plant",
        "Ford will end car production at Cologne, cutting 2,300 jobs.",
        companies=("Ford",),
        plant="Cologne plant",
        location="Cologne",
        day=0.1,
    )
    assert cologne.created and cologne.story.key != saarlouis.story.key


def test_a_brand_and_its_parent_at_other_plants_are_separate_stories() -> None:
    book = StoryBook()
    parent = post(
        book,
        "Stellantis to close Belvidere plant",
        "Stellantis will idle its Belvidere assembly plant for good.",
        companies=("Stellantis",),
        plant="Belvidere plant",
        location="Belvidere",
    )
    brand = post(
        book,
        "Opel to close Eisenach plant",
        "Opel, owned by Stellantis, will shut its Eisenach factory.",
        companies=("Opel", "Stellantis"),
        plant="Eisenach plant",
        location="Eisenach",
        day=1,
    )
    assert brand.created and brand.story.key != parent.story.key


def test_aliases_of_one_site_join() -> None:
    book = StoryBook()
    first = post(
        book,
        "Tata Steel to shut blast furnaces at Port Talbot",
        "Tata Steel will close both blast furnaces at Port Talbot, with 2,800 jobs at risk.",
        companies=("Tata Steel",),
        plant="Port Talbot",
        location="Port Talbot",
    )
    second = post(
        book,
        "Tata Steel confirms closure plan for Welsh steelworks",
        "Tata Steel confirmed the blast furnaces at its Welsh steelworks will close, 2,800 jobs.",
        companies=("Tata Steel",),
        plant="Welsh steelworks",
        status=Status.CONFIRMED,
        day=1,
    )
    assert second.story.key == first.story.key
    gary = post(
        book,
        "U.S. Steel to idle Gary Works blast furnace",
        "U.S. Steel will idle a blast furnace at Gary Works for good, affecting 1,000 workers.",
        companies=("U.S. Steel",),
        plant="Gary Works",
        day=2,
    )
    indiana = post(
        book,
        "U.S. Steel to idle blast furnace at its Indiana mill",
        "U.S. Steel said a blast furnace at its Indiana mill will be idled, 1,000 workers.",
        companies=("U.S. Steel",),
        plant="Indiana mill",
        location="Indiana",
        day=2.2,
    )
    assert indiana.story.key == gary.story.key


def test_successive_units_at_one_site_are_separate_stories() -> None:
    book = StoryBook()
    july = post(
        book,
        "Tata Steel shuts blast furnace 5 at Port Talbot",
        "Tata Steel switched off blast furnace 5 at Port Talbot on Friday.",
        companies=("Tata Steel",),
        plant="Port Talbot",
        status=Status.CONFIRMED,
    )
    september = post(
        book,
        "Tata Steel shuts blast furnace 4 at Port Talbot",
        "Tata Steel switched off blast furnace 4 at Port Talbot, ending steelmaking there.",
        companies=("Tata Steel",),
        plant="Port Talbot",
        status=Status.CONFIRMED,
        day=75,
    )
    assert september.created and september.story.key != july.story.key


def test_a_site_named_in_only_one_report_is_no_reason_to_split() -> None:
    book = StoryBook()
    named = post(
        book,
        "Kestrel Motors to close Dunmore assembly plant, 1,800 jobs at risk",
        "Kestrel Motors will shut its Dunmore car plant next year.",
        companies=KESTREL,
        plant="Dunmore assembly plant",
        jobs=1800,
    )
    unnamed = post(
        book,
        "Kestrel Motors to shut a car plant, 1,800 jobs at risk",
        "The carmaker Kestrel Motors will close one of its car plants next year.",
        companies=KESTREL,
        jobs=1800,
        day=0.3,
    )
    assert unnamed.story.key == named.story.key


@given(st.text(max_size=300), st.text(max_size=300), st.booleans())
def test_features_and_placement_never_raise_on_any_text(title: str, lede: str, dated: bool) -> None:
    book = StoryBook()
    for day in (0, 1):
        placement = post(book, title, lede, companies=KESTREL, day=day, dated=dated)
        assert placement.story.key
