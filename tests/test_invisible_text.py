"""Bidi and zero-width characters never reach an alert on any sink (issue 19, defect 11).

A right-to-left override reorders what a reader sees; zero-width characters inside
``@everyone`` or ``<!channel>`` hide the mention from pattern-based neutralising. Each renderer
removes them before neutralising, so the hostile titles below come out without them and still
cannot ping. The joiners the Slack and Discord renderers insert themselves after an ``@``
(U+2060, U+200B) are the only invisible characters left, and only there.
"""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

import pytest

from bot.discordapp import render as discord_render
from bot.domain import Alert, AlertKind, Notice
from bot.invisible import INVISIBLE, strip_invisible
from bot.sinks.console import ConsoleSink
from bot.slackapp import render as slack_render
from bot.slackapp.replies import render_reply as slack_reply
from handlers.api import Reply
from tests.slack.conftest import SAMPLE_STORY

RLO, ZWJ, ZWSP, ZWNJ, BOM, WJ, LRI, PDI, ALM, MVS = (
    "\u202e",
    "\u200d",
    "\u200b",
    "\u200c",
    "\ufeff",
    "\u2060",
    "\u2066",
    "\u2069",
    "\u061c",
    "\u180e",
)
HOSTILE = [
    f"Plant closes {RLO}lmth.exe{PDI} today",
    f"@{ZWJ}everyone the plant @{ZWSP}here closes @ever{ZWNJ}yone",
    f"<{ZWJ}!channel> <!{ZWSP}here> <!every{WJ}one|all> @{BOM}channel",
    f"Ping <{ZWSP}@U123ABC> and <@{ALM}123456789012345678> {LRI}@{MVS}everyone{PDI}",
    f"Acme{ZWJ} Motors \u200e\u200f\u202a\u202b\u202c\u202d\u2061\u2062\u2063\u2064\u2067\u2068",
]
# what our own renderers insert to break a mention: Slack a word joiner, Discord a ZWSP
OWN_JOINER = re.compile(r"@[\u2060\u200b](?=everyone|here|channel)|<\u200b(?=@)")


def make_alert(text: str) -> Alert:
    story = dataclasses.replace(
        SAMPLE_STORY, headline=text, companies=(text,), plant=text, outlets=(text,)
    )
    return Alert(
        kind=AlertKind.NEW,
        story=story,
        article_title=text,
        article_url="https://news.example/a",
        outlet=text,
        why=text,
    )


def leftover_invisible(text: str) -> set[str]:
    return set(OWN_JOINER.sub("", text)) & INVISIBLE


def slack_texts(node: Any) -> list[str]:
    """The text objects of Block Kit (what a reader sees; button values are not shown)."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") in ("plain_text", "mrkdwn") else []
        return own + [t for v in node.values() for t in slack_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in slack_texts(v)]
    return []


def discord_texts(body: dict[str, Any]) -> list[str]:
    out = [body.get("content") or ""]
    for e in body.get("embeds", []):
        out += [e.get("title", ""), e.get("description", ""), e.get("footer", {}).get("text", "")]
        out += [f["name"] + f["value"] for f in e.get("fields", [])]
    return out


def test_strip_invisible_removes_every_listed_character_and_nothing_else() -> None:
    listed = (
        [chr(c) for c in range(0x200B, 0x2010)]
        + [chr(c) for c in range(0x202A, 0x202F)]
        + [chr(c) for c in range(0x2066, 0x206A)]
        + [chr(c) for c in range(0x2060, 0x2065)]
        + ["\ufeff", "\u061c", "\u180e"]
    )
    assert strip_invisible("a".join(listed)) == "a" * (len(listed) - 1)
    visible = "Nissan–Foxconn · 日本 · مرحبا · Ünïcödé 👍 «ok»"
    assert strip_invisible(visible) == visible


@pytest.mark.parametrize("hostile", HOSTILE)
def test_console_alert_has_no_bidi_or_zero_width_characters(hostile: str) -> None:
    sink = ConsoleSink(io.StringIO(), colour=False)
    alert = make_alert(hostile)
    for kind in (AlertKind.NEW, AlertKind.FOLLOW_UP):
        out = sink.render(dataclasses.replace(alert, kind=kind))
        assert set(out) & INVISIBLE == set(), out
    assert set(sink.render(Notice(hostile))) & INVISIBLE == set()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_slack_alert_has_no_bidi_or_zero_width_characters_and_never_pings(hostile: str) -> None:
    message = slack_render.render_alert(make_alert(hostile))
    notice = slack_render.render_notice(Notice(hostile))
    reply = slack_reply(Reply(title=f"No stories match {hostile}", lines=(hostile,)))
    texts = [message.text, *slack_texts(message.blocks)]
    texts += [
        notice.text,
        *slack_texts(notice.blocks),
        *slack_texts(reply["blocks"]),
        reply["text"],
    ]
    for text in texts:
        assert leftover_invisible(text) == set(), ascii(text)
        assert not re.search(r"<[!@#]", text), text
        assert not re.search(r"(?<!\w)@(everyone|channel|here)\b", text), text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_discord_alert_has_no_bidi_or_zero_width_characters_and_never_pings(hostile: str) -> None:
    alert = make_alert(hostile)
    bodies = [
        discord_render.render_alert(alert),
        discord_render.render_follow_up(alert),
        discord_render.render_notice(Notice(hostile)),
        discord_render.render_reply(Reply(title=f"No stories match {hostile}", lines=(hostile,))),
    ]
    for body in bodies:
        assert body["allowed_mentions"] == {"parse": []}
        for text in discord_texts(body):
            assert leftover_invisible(text) == set(), ascii(text)
            assert "@everyone" not in text and "@here" not in text, text
            assert not re.search(r"<@[!&]?\d", text), text
    assert set(discord_render.thread_name(alert)) & INVISIBLE == set()
