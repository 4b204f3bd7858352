"""Plausible business-news feed items for benchmarks: mostly routine news, some events.

A feed a user watches (a trade outlet, a per-company news search) carries earnings, share
moves, appointments, product launches, store closures and plant openings, and now and then a
plant closure or a partnership. :func:`news_items` writes such items from templates (written for
this module; no corpus sentences), deterministically from ``(feed, index)``, with
``event_share`` of them closure or partnership reports. Benchmarks state the share they used.
"""

from __future__ import annotations

import random
from typing import Any

COMPANIES = [
    "Nissan", "Ford", "Stellantis", "Volkswagen", "Toyota", "Honda", "General Motors",
    "Foxconn", "Samsung", "LG Energy Solution", "Panasonic", "Bosch", "Siemens", "BASF",
    "ArcelorMittal", "Tata Steel", "Unilever", "Nestle", "Procter & Gamble", "Intel",
    "Micron", "Renault", "Hyundai", "Kia", "Mitsubishi", "Electrolux", "Whirlpool",
    "Caterpillar", "Boeing", "Airbus",
]  # fmt: skip
PLACES = [
    ("Sunderland", "UK"), ("Oppama", "Japan"), ("Ohio", "US"), ("Saarlouis", "Germany"),
    ("Valencia", "Spain"), ("Turin", "Italy"), ("Gliwice", "Poland"), ("Chennai", "India"),
    ("Ontario", "Canada"), ("Queretaro", "Mexico"), ("Kentucky", "US"), ("Zwickau", "Germany"),
]  # fmt: skip
PRODUCTS = ["electric SUV", "battery pack", "smartphone", "chip", "heat pump", "pickup truck",
            "washing machine", "solar inverter", "cloud service", "hybrid sedan"]  # fmt: skip
PEOPLE = ["Maria Lopez", "Kenji Sato", "Anna Becker", "David Chen", "Sofia Rossi", "James Okoro"]
QUARTERS = ["first", "second", "third", "fourth"]

ROUTINE = [
    "{c} reports {q}-quarter profit up {n}% on strong {p} sales",
    "{c} shares fall {n}% after weaker {q}-quarter outlook",
    "{c} names {person} as chief financial officer",
    "{c} unveils new {p} ahead of the trade show",
    "{c} raises full-year guidance as demand for its {p} holds up",
    "{c} to close {n} stores in {place} as shoppers move online",
    "{c} opens new {p} factory in {place}, adding {jobs} jobs",
    "{c} recalls {jobs} vehicles over faulty {p} software",
    "{c} issues {n} billion euro bond to refinance debt",
    "Analysts upgrade {c} to buy on {p} margin outlook",
    "{c} and unions agree pay rise of {n}% for {place} workers",
    "{c} expands {p} production line at its {place} site",
    "European stocks close higher as {c} leads gains",
    "{c} wins order for {jobs} units of its {p}",
    "{c} chief says supply of {p} parts is back to normal",
    "{c} plans share buyback of up to {n} billion dollars",
    "{c} to invest {n} billion in new {place} research centre",
    "{c} dividend unchanged as {q}-quarter sales stall",
]  # fmt: skip
EVENTS = [
    "{c} to close its {place} plant, cutting {jobs} jobs",
    "{c} will shut {place} factory by next year, union says",
    "{c} considers closing {place} assembly plant amid weak demand",
    "{c} denies report it plans to close {place} plant",
    "{c} and {c2} form joint venture to build {p} in {place}",
    "{c} in talks with {c2} on {p} partnership",
    "{c} signs supply agreement with {c2} for {p}",
    "{c} and {c2} call off planned {p} alliance",
]  # fmt: skip


def news_items(feed: int, count: int, *, event_share: float = 0.1) -> list[dict[str, Any]]:
    """``count`` items for feed number ``feed``: RSS fields as :func:`render_rss` takes them."""
    return [news_item(feed, j, event_share=event_share) for j in range(count)]


def news_item(feed: int, index: int, *, event_share: float = 0.1) -> dict[str, Any]:
    """Item ``index`` of feed ``feed`` (the same arguments give the same item)."""
    rng = random.Random(feed * 1_000_003 + index)
    company, other = rng.sample(COMPANIES, 2)
    place, country = rng.choice(PLACES)
    template = rng.choice(EVENTS if rng.random() < event_share else ROUTINE)
    title = template.format(
        c=company,
        c2=other,
        place=place,
        p=rng.choice(PRODUCTS),
        person=rng.choice(PEOPLE),
        q=rng.choice(QUARTERS),
        n=rng.randint(2, 40),
        jobs=rng.randint(2, 60) * 50,
    )
    return {
        "title": title,
        "link": f"https://news.test/{feed}/{index}",
        "guid": f"{feed}-{index}",
        "description": f"<p>{title}, the company said on Tuesday in {place}, {country}.</p>",
        "pub_date": "Tue, 24 Nov 2026 10:00:00 GMT",
    }
