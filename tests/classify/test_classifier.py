"""Table-driven behaviour of the rule classifier, on sentences written for these tests."""

from __future__ import annotations

import pytest

from bot.classify import RuleClassifier, default_classifier
from bot.classify.orgs import find_orgs
from bot.domain import Event, EventType, Status

CLOSURE = EventType.PLANT_CLOSURE
PARTNER = EventType.PARTNERSHIP


def _events(title: str, lede: str = "") -> dict[EventType, Event]:
    return {e.type: e for e in default_classifier().classify(title, lede)}


@pytest.mark.parametrize(
    ("title", "status"),
    [
        ("Acme Motors will close its Leeds engine plant next year, cutting 1,200 jobs", "planned"),
        ("Borlund Steel shut its Ohio rolling mill on Friday after 80 years", "confirmed"),
        ("Vetrano Glass has closed its Bavaria factory for good", "confirmed"),
        ("Kestrel Chemicals is considering shutting its Antwerp cracker plant", "talks"),
        ("Kestrel Chemicals is weighing the closure of its refinery in Rotterdam", "talks"),
        ("Toyota denies it plans to close its Derby plant", "denied"),
        ("Honda says Swindon factory will not close", "denied"),
        ("Ford scraps plan to shut Cologne plant after union deal", "cancelled"),
        ("Unions win reprieve as Stellantis agrees to keep Luton van factory open", "cancelled"),
        ("Ford to end production at its Valencia plant as demand falls", "planned"),
        ("Borlund mothballs blast furnace at Scunthorpe indefinitely", "confirmed"),
        ("Dorrance Paper does not rule out closing its Maine pulp mill", "planned"),
        ("Acme Motors scraps plan to close Leeds plant after union deal", "cancelled"),
        ("Union deal saves Borlund's Ohio mill", "cancelled"),
    ],
)
def test_closures_and_their_status(title: str, status: str) -> None:
    events = _events(title)
    assert CLOSURE in events, title
    assert events[CLOSURE].status is Status(status)
    assert PARTNER not in events


@pytest.mark.parametrize(
    ("title", "status"),
    [
        ("BMW and Tata Steel form joint venture to make green steel", "confirmed"),
        ("Renault in talks with Geely over engine alliance", "talks"),
        ("Volvo Cars and Northvolt sign memorandum of understanding on battery cells", "planned"),
        ("Hyundai ends partnership with Rivian on electric pickups", "cancelled"),
        ("Daimler pulls out of fuel-cell venture with Ford", "cancelled"),
        ("Siemens denies report it is in talks to form alliance with Hitachi", "denied"),
        ("Ford and VW extend cooperation to electric vans", "confirmed"),
        ("Mitsubishi Motors and Nissan agree to jointly develop kei cars", "confirmed"),
        ("Panasonic teams up with Mazda on solid-state cells", "confirmed"),
        ("Magna signs long-term supply agreement with Rivian", "confirmed"),
        ("Posco and GM said to be exploring a cathode joint venture", "talks"),
    ],
)
def test_partnerships_and_their_status(title: str, status: str) -> None:
    events = _events(title)
    assert PARTNER in events, title
    assert events[PARTNER].status is Status(status)
    assert CLOSURE not in events


@pytest.mark.parametrize(
    "title",
    [
        # temporary halts: days or weeks, fires, strikes, shortages, holidays
        "GM to temporarily halt output at Fairfax plant for two weeks due to chip shortage",
        "Toyota suspends production at Kentucky plant after fire",
        "Strike shuts Ford's Louisville truck plant",
        "Nucor to close Utah mill for the holidays",
        # shops, branches, offices, warehouses
        "Retailer Marston to close 60 stores and two warehouses",
        "Bank of Wessex to shut 40 branches",
        "BASF to close its Paris head office",
        # closing a deal, markets, "close to"
        "Tesla closes $1 billion deal to buy battery maker",
        "Shares of Ford closed lower on Tuesday",
        "Intel close to deal with Mobileye",
        # openings and expansions
        "BYD opens new plant in Hungary",
        "Micron to expand its memory chip factory in Idaho",
        "Alcoa to restart idled smelter in Washington",
        # acquisitions, sponsorships, orders, lawsuits
        "Acme Motors completes acquisition of Borlund Steel",
        "Deere agrees to acquire the sprayer business of a former joint venture partner",
        "Volkswagen becomes official partner of the national football league",
        "Hitachi wins order for 40 trains from Italian operator",
        "Ford sues supplier over faulty airbags",
        # an existing venture with nothing changing
        "Renault's alliance with Nissan posts record sales",
        "Ford's China venture with Changan expects sales to recover",
        # a name that contains the word
        "Former minister joins Arden Investment Partnership as adviser",
    ],
)
def test_hard_negatives_fire_nothing(title: str) -> None:
    assert _events(title) == {}, title


def test_indefinite_stoppage_is_a_closure() -> None:
    events = _events("Smithfield shuts its Iowa pork plant indefinitely amid coronavirus outbreak")
    assert events[CLOSURE].status is Status.CONFIRMED


def test_motivating_story_carries_both_events() -> None:
    events = _events(
        "Nissan reportedly in talks with Hon Hai to build Foxconn-branded EVs at its idle "
        "Oppama plant so that it avoids closure, about 3,900 jobs"
    )
    assert set(events) == {CLOSURE, PARTNER}
    for event in events.values():
        assert event.status is Status.TALKS
        assert event.companies == ("Nissan", "Foxconn")
        assert event.jobs == 3900
    assert events[CLOSURE].plant == "Oppama plant"
    assert events[CLOSURE].country == "Japan"


def test_lede_supplies_the_event_when_the_headline_is_vague() -> None:
    events = _events(
        "A sad day for the town",
        "Borlund Steel said on Monday it will close its Gary, Indiana, mill, with the loss "
        "of about 900 jobs.",
    )
    assert events[CLOSURE].companies == ("Borlund Steel",)
    assert events[CLOSURE].jobs == 900
    assert events[CLOSURE].country == "United States"


def test_evidence_quotes_the_cue_and_the_status() -> None:
    event = _events("Whirlpool to close its Naples washing machine factory")[CLOSURE]
    assert event.evidence[0] == 'closure: "close" + "factory" (closure)'
    assert any(e.startswith("status planned") for e in event.evidence)
    assert 0.0 < event.confidence <= 1.0


def test_headline_cue_is_more_confident_than_lede_cue() -> None:
    headline = _events("Whirlpool to close its Naples factory")[CLOSURE]
    lede = _events("Whirlpool news", "Whirlpool will close its Naples factory next year.")[CLOSURE]
    assert headline.confidence > lede.confidence


def test_unknown_companies_are_recognised_from_the_text() -> None:
    events = _events("Hollins Brake Industries to close Dayton plant")
    assert events[CLOSURE].companies == ("Hollins Brake Industries",)
    events = _events("ZORBEX MINERALS <ZBX> TO CLOSE NORTH SHAFT MINE")
    assert events[CLOSURE].companies == ("Zorbex Minerals",)


@pytest.mark.parametrize(
    ("title", "companies"),
    [
        (
            "Kestrel Cruises, Arden Line team up on shore excursions",
            ("Kestrel Cruises", "Arden Line"),
        ),
        ("Brightwater, Kestrel and Vale form battery venture", ("Brightwater", "Kestrel", "Vale")),
        ("Walmart partners with Quillon to expand grocery delivery", ("Walmart", "Quillon")),
        ("Ford teams up with Brazil's Tamarind on electric vans", ("Ford", "Tamarind")),
        ("Siemens in talks with designer Orla Venn for a rail venture", ("Siemens", "Orla Venn")),
        ("Toyota, Qatar Airways sign strategic partnership", ("Toyota", "Qatar Airways")),
        (
            "Norwegian Cruise Line, Delta Air Lines team up",
            ("Norwegian Cruise Line", "Delta Air Lines"),
        ),
    ],
)
def test_unknown_partners_in_lists_and_after_with(title: str, companies: tuple[str, ...]) -> None:
    assert set(_events(title)[PARTNER].companies) == set(companies)


def test_owner_and_backer_are_not_parties() -> None:
    event = _events("Hyundai teams up with Volkswagen's Audi on hydrogen cars")[PARTNER]
    assert event.companies == ("Hyundai", "Audi")
    event = _events("Walmart, Daimler-backed Quillon end grocery partnership")[PARTNER]
    assert event.companies == ("Walmart", "Quillon")
    # the possessive names the deal, so the owner is a party
    event = _events("Thyssenkrupp's Tata joint venture to close Welsh steel plant")[CLOSURE]
    assert "Thyssenkrupp" in event.companies


def test_titles_and_countries_are_not_companies() -> None:
    found = [name for name, _ in find_orgs("Saudi Arabia to sign memorandum with Boeing", True)]
    assert found == ["Boeing"]
    event = _events("British PM says Honda plant closure is not about trade")[CLOSURE]
    assert event.companies == ("Honda",)


def test_ticker_and_lede_forms_of_one_company_are_merged() -> None:
    event = _events(
        "ZORBEX <ZBX> IN PACT WITH ALDERWOOD <ALD>",
        "Zorbex Laboratories Inc said it signed a supply agreement with Alderwood Corp.",
    )[PARTNER]
    assert {c.casefold() for c in event.companies} == {"zorbex laboratories", "alderwood"}


def test_nothing_to_say_without_a_company_place_or_number() -> None:
    assert _events("Plant closure: a checklist for managers") == {}


def test_config_extension_is_used_for_companies() -> None:
    from bot.classify.companies import CompanyTable

    table = CompanyTable.default().with_extra([{"name": "Qorvane", "aliases": ["QVN Holdings"]}])
    events = RuleClassifier(table).classify("QVN Holdings to shut its Lyon plant")
    assert events[0].companies == ("Qorvane",)


def test_classifier_is_deterministic_and_pure() -> None:
    title = "Toyota and Suzuki form capital alliance; Suzuki to close Gujarat plant"
    first = default_classifier().classify(title)
    assert first == default_classifier().classify(title)
    assert {e.type for e in first} == {CLOSURE, PARTNER}


def test_body_text_is_read() -> None:
    events = default_classifier().classify(
        "Quarterly update", "", "Separately, Vetrano Glass will shut its Ohio glass plant."
    )
    assert [e.type for e in events] == [CLOSURE]


@pytest.mark.parametrize(
    ("title", "kind", "companies"),
    [
        ("Dow schließt zwei Werke in Sachsen", CLOSURE, ("Dow",)),
        ("Michelin annonce la fermeture de son usine de Vannes", CLOSURE, ("Michelin",)),
        ("Renault vai fechar a fábrica de motores em Curitiba", CLOSURE, ("Renault",)),
        ("Volkswagen och Rivian inleder ett nytt partnerskap", PARTNER, ("Volkswagen", "Rivian")),
    ],
)
def test_other_languages(title: str, kind: EventType, companies: tuple[str, ...]) -> None:
    events = _events(title)
    assert kind in events, title
    assert events[kind].companies == companies


def test_foreign_temporary_stoppage_is_not_a_closure() -> None:
    assert _events("BMW schließt das Werk Leipzig vorübergehend") == {}


@pytest.mark.parametrize(
    ("title", "companies"),
    [
        ("Hyundai to invest $400m in Rivian for delivery vans", ("Hyundai", "Rivian")),
        ("Geely buys 8% stake in Renault", ("Geely", "Renault")),
        ("Audi will invest $2bn in Tesla challenger Lucid", ("Audi", "Lucid")),
    ],
)
def test_minority_stakes_are_equity_alliances(title: str, companies: tuple[str, ...]) -> None:
    event = _events(title)[PARTNER]
    assert event.companies == companies


@pytest.mark.parametrize(
    "title",
    [
        "Acme takes a majority stake in Borlund Steel",
        "Pension fund cuts its stake in Tesla",
        "GM to invest $300 million in Orion assembly plant",
    ],
)
def test_control_stakes_and_plant_investments_are_not_alliances(title: str) -> None:
    assert PARTNER not in _events(title)


def test_bystanders_are_not_parties() -> None:
    event = _events(
        "Mazda in talks with Foxconn to build electric vans",
        "Foxconn, whose clients include brands like Apple, builds phones.",
    )[PARTNER]
    assert event.companies == ("Mazda", "Foxconn")


def test_countries_signing_a_deal_are_not_a_partnership() -> None:
    assert _events("Spain and France sign deal to develop hydrogen trucks") == {}


@pytest.mark.parametrize(
    ("title", "status"),
    [
        ("Hyundai and Rivian sever all ties after software dispute", "cancelled"),
        ("Kia, LG Energy Solution sign $2 billion cell supply deal", "confirmed"),
    ],
)
def test_joint_subjects_and_broken_ties(title: str, status: str) -> None:
    assert _events(title)[PARTNER].status is Status(status)


def test_two_buyers_signing_a_purchase_are_not_partners() -> None:
    assert PARTNER not in _events("Ford, GM sign deal to buy parts from a supplier")


@pytest.mark.parametrize(
    ("title", "kind", "status"),
    [
        ("Workers at doomed Vauxhall van plant vote on redundancy terms", CLOSURE, "confirmed"),
        ("Alcoa to permanently close its Point Henry smelter", CLOSURE, "planned"),
        ("Union says talks saved Longbridge plant from closure", CLOSURE, "cancelled"),
        ("Nissan and Foxconn said to be in advanced talks over Oppama plant", PARTNER, "talks"),
        ("Dow to close Texas cracker permanently", CLOSURE, "planned"),
    ],
)
def test_more_phrasings(title: str, kind: EventType, status: str) -> None:
    assert _events(title)[kind].status is Status(status)


@pytest.mark.parametrize(
    "title",
    [
        "Kia and Mazda in merger talks",
        "Kia and Mazda in talks to merge",
        "The Dow closed higher on Friday",
    ],
)
def test_more_look_alikes(title: str) -> None:
    assert _events(title) == {}


def test_the_plant_is_the_one_named_after_the_company() -> None:
    events = _events(
        "Acme Motors confirms Leeds plant will close in 2028",
        "The carmaker said production would move to its Derby factory.",
    )
    assert events[CLOSURE].plant == "Leeds plant"
