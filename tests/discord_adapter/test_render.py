"""Embeds and limits: hostile feed text is inert, long text is cut with "…", limits hold."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.discordapp import buttons, render
from bot.discordapp.markup import escape, truncate
from bot.domain import Alert, AlertKind, Digest, EventType, Notice
from handlers.api import Reply
from tests.discord_adapter.conftest import SAMPLE_STORY, make_alert, validate

HOSTILE = [
    "@everyone the plant closes @here",
    "Plant <@123456789012345678> and <@&987654321098765432> and <@!42>",
    "**Bold** __under__ ~~gone~~ `code` ||spoiler|| \\ back",
    "[click me](https://evil.example/x) <https://evil.example/y> <#555> <t:1700000000>",
    "# Heading\n> quote\n- item\n1. numbered\n-# small",
]


def text_of(body: dict[str, Any]) -> list[str]:
    out = [body.get("content") or ""]
    for e in body.get("embeds", []):
        out += [e.get("title", ""), e.get("description", ""), e.get("footer", {}).get("text", "")]
        out += [f["name"] + f["value"] for f in e.get("fields", [])]
    return out


def embed_total(embed: dict[str, Any]) -> int:
    return render._embed_size(embed)


def capture(body: dict[str, Any], path: str = "/api/v10/channels/1/messages") -> dict[str, Any]:
    return {"platform": "discord", "method": "POST", "path": path, "json": body}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_headline_is_escaped_and_never_pings(hostile: str) -> None:
    alert = Alert(
        kind=AlertKind.NEW,
        story=dataclasses.replace(
            SAMPLE_STORY, headline=hostile, companies=(hostile,), plant=hostile
        ),
        article_title=hostile,
        article_url="https://news.example.org/a",
        outlet=hostile,
        why=hostile,
    )
    bodies = [
        render.render_alert(alert),
        render.render_follow_up(alert),
        render.render_notice(Notice(hostile)),
    ]
    for body in bodies:
        assert body["allowed_mentions"] == {"parse": []}
        for text in text_of(body):
            assert hostile not in text
            assert "@everyone" not in text
            assert "<@" not in text
    assert validate([capture(b) for b in bodies], untrusted=[hostile]) == []


def test_validator_harness_catches_unescaped_text() -> None:
    body = {"content": HOSTILE[0], "embeds": [{"title": HOSTILE[2]}]}
    found = validate([capture(body)], untrusted=[HOSTILE[2]])
    assert any("mention.mass" in line for line in found)
    assert any("untrusted.unescaped" in line for line in found)


def test_100kb_title_is_cut_with_ellipsis_within_every_limit() -> None:
    huge = "Carmaker closes plant " + "x" * 100_000
    alert = make_alert(headline=huge, companies=("C" * 5000,), plant="P" * 5000)
    alert = Alert(
        kind=alert.kind,
        story=alert.story,
        article_title=huge,
        article_url=alert.article_url,
        outlet="O" * 3000,
        why="w" * 5000,
    )
    body = render.render_alert(alert)
    embed = body["embeds"][0]
    assert len(embed["title"]) == render.EMBED_TITLE_MAX
    assert embed["title"].endswith("…")
    assert len(embed["description"]) <= render.EMBED_DESCRIPTION_MAX
    assert embed["description"].endswith("…")
    assert all(len(f["value"]) <= render.FIELD_VALUE_MAX for f in embed["fields"])
    assert len(embed["footer"]["text"]) <= render.FOOTER_MAX
    assert embed_total(embed) <= render.EMBED_TOTAL_MAX
    assert validate([capture(body)], untrusted=[huge]) == []


def test_colour_per_event_type() -> None:
    closure = render.alert_embed(make_alert())
    partner = render.alert_embed(make_alert(event_type=EventType.PARTNERSHIP))
    assert closure["color"] == render.COLOURS[EventType.PLANT_CLOSURE]
    assert partner["color"] == render.COLOURS[EventType.PARTNERSHIP]
    assert closure["color"] != partner["color"]


def test_buttons_carry_story_id_and_respect_custom_id_limit() -> None:
    row = render.alert_components(make_alert())[0]["components"]
    assert row[0] == {
        "type": 2,
        "style": 5,
        "label": "Open article",
        "url": "https://news.example.org/carmaker-plant-2",
    }
    assert buttons.parse(row[1]["custom_id"]) == buttons.Click("mute", 42, company="Nissan")
    assert buttons.parse(row[2]["custom_id"]) == buttons.Click("feedback", 42, useful=True)
    assert buttons.parse(row[3]["custom_id"]) == buttons.Click("feedback", 42, useful=False)
    long_name = make_alert(companies=("N" * 200,))
    ids = [b.get("custom_id") for b in render.alert_components(long_name)[0]["components"]]
    assert all(i is None or len(i) <= render.CUSTOM_ID_MAX for i in ids)
    assert not any(i and i.startswith("dr:mute") for i in ids)  # no mute button it cannot fit


def test_non_http_links_are_dropped() -> None:
    alert = make_alert(url="javascript:alert(1)")
    alert = Alert(alert.kind, alert.story, "t", "ftp://x/y", "o", "w")
    assert "url" not in render.alert_embed(alert)
    assert all(b.get("style") != 5 for b in render.alert_components(alert)[0]["components"])


@pytest.mark.parametrize("raw", ["", "a", "ab", "abc"])
def test_truncate_bounds(raw: str) -> None:
    for limit in range(5):
        cut = truncate(raw, limit)
        assert len(cut) <= limit
        assert cut == raw or cut.endswith("…") or limit == 0


def test_escape_is_idempotent_for_plain_text() -> None:
    assert escape("Nissan and Foxconn sign EV deal") == "Nissan and Foxconn sign EV deal"


def test_digest_fits_fields_and_total() -> None:
    digest = Digest(
        "Daily: " + "d" * 500, tuple(make_alert(headline="H" * 300, id=i) for i in range(60))
    )
    embed = render.render_digest(digest)["embeds"][0]
    assert len(embed["fields"]) < render.EMBED_FIELDS_MAX
    assert embed_total(embed) <= render.EMBED_TOTAL_MAX
    left = 60 - len(embed["fields"])
    assert embed["footer"]["text"] == f"… and {left} more"


def test_reply_is_ephemeral_by_default_and_fits_ten_embeds() -> None:
    stories = tuple(dataclasses.replace(SAMPLE_STORY, id=i, headline="S" * 300) for i in range(30))
    data = render.render_reply(
        Reply(title="30 stories @everyone", stories=stories, lines=("l" * 9000,))
    )
    assert data["flags"] == render.FLAG_EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    assert len(data["embeds"]) <= render.EMBEDS_MAX
    assert sum(embed_total(e) for e in data["embeds"]) <= render.EMBED_TOTAL_MAX
    assert "(showing" in data["content"]
    shared = render.render_reply(Reply(title="x", ephemeral=False))
    assert "flags" not in shared
    response = {
        "platform": "discord",
        "kind": "interaction_response",
        "method": "POST",
        "path": "/interactions",
        "json": {"type": 4, "data": data},
    }
    assert validate([response]) == []


def _two_facets(huge: str = "") -> Alert:
    partnership = dataclasses.replace(
        SAMPLE_STORY,
        id=43,
        event_type=EventType.PARTNERSHIP,
        companies=("ExampleCorp", "Globex" + huge),
        plant=huge or None,
    )
    return dataclasses.replace(make_alert(), also=(partnership,))


def test_a_message_with_two_facets_shows_both_lead_first() -> None:
    embed = render.alert_embed(_two_facets())
    assert embed["color"] == render.COLOURS[EventType.PLANT_CLOSURE]  # the lead's colour
    assert embed["description"].startswith("Plant closure + Partnership · latest:")
    facet = embed["fields"][-1]
    assert facet["name"].startswith("Also: Partnership")
    assert "Globex" in facet["value"]
    body = render.render_alert(_two_facets())
    assert buttons.feedback_id(42, True) in str(body["components"])  # the lead story


def test_a_facet_with_100kb_text_keeps_the_embed_within_every_limit() -> None:
    huge = "@everyone **x** " * 7000
    alert = _two_facets(huge)
    alert = dataclasses.replace(
        alert,
        story=dataclasses.replace(alert.story, headline=huge, companies=(huge,), plant=huge),
        article_title=huge,
        outlet=huge,
        why=huge,
    )
    body = render.render_alert(alert)
    embed = body["embeds"][0]
    assert len(embed["fields"]) == 6
    assert all(len(f["value"]) <= render.FIELD_VALUE_MAX for f in embed["fields"])
    assert embed_total(embed) <= render.EMBED_TOTAL_MAX
    assert validate([capture(body)], untrusted=[huge]) == []
