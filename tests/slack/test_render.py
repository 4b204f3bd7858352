"""The renderer: Block Kit shape, escaping of hostile feed text, and Slack's limits."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from bot.domain import AlertKind, Digest, EventType, Notice, Status
from bot.slackapp import limits
from bot.slackapp.escape import mrkdwn, plain, safe_url
from bot.slackapp.render import render_alert, render_digest, render_notice
from bot.slackapp.replies import render_reply
from handlers.api import Reply
from tests.fakes.slack_api import Recorded
from tests.slack.conftest import SAMPLE_STORY, make_alert, violations

HOSTILE = [
    "Plant closes @everyone @channel @here",
    "Closure <!channel> <!here> <!everyone|all>",
    "Ping <@U123ABC> and <!subteam^S42|team>",
    "*bold* _italic_ ~strike~ `code` ```block```",
    "Read <http://evil.example|click here> & win",
    "> quoted\nsecond line",
]
LIVE_SYNTAX = re.compile(r"<[!@#]|<https?://evil")


def as_record(payload: dict[str, Any]) -> Recorded:
    return Recorded(
        "POST",
        "/api/chat.postMessage",
        "chat.postMessage",
        {"channel": "C1", **payload},
        "json",
        {},
        None,
    )


def all_text(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def test_alert_has_header_headline_fields_context_and_buttons() -> None:
    message = render_alert(make_alert(outlets=("A", "B")))
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["header", "section", "section", "context", "actions"]
    assert message.blocks[0]["text"]["text"] == "🏭 Plant closure · planned"
    headline = message.blocks[1]["text"]["text"]
    assert headline.startswith("*<https://news.example/examplecorp-springfield|ExampleCorp plans")
    fields = [f["text"] for f in message.blocks[2]["fields"]]
    assert fields == [
        "*Companies*\nExampleCorp",
        "*Plant / country*\nSpringfield assembly, US",
        "*Jobs*\n1,200",
        "*Outlets*\n2: A, B",
    ]
    context = [e["text"] for e in message.blocks[3]["elements"]]
    assert context[0].startswith("Why: ")
    assert context[1] == "First seen 2026-11-24 12:00 UTC"
    buttons = message.blocks[4]["elements"]
    assert [b["action_id"] for b in buttons] == [
        "dealradar_open_article",
        "dealradar_mute_company",
        "dealradar_feedback_useful",
        "dealradar_feedback_not_useful",
    ]
    assert buttons[0]["url"] == "https://news.example/examplecorp-springfield"
    assert buttons[1]["value"] == "ExampleCorp"
    assert buttons[2]["value"] == buttons[3]["value"] == "42"
    assert message.text.startswith("🏭 Plant closure · planned: ExampleCorp plans")


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_cannot_mention_link_or_format(title: str) -> None:
    alert = make_alert(headline=title, companies=(title,), outlets=(title,), plant=title)
    message = render_alert(alert)
    texts = [message.text, *all_text(message.blocks)]
    for text in texts:
        assert not LIVE_SYNTAX.search(text), text
        assert not re.search(r"(?<!\w)@(everyone|channel|here)\b", text), text
    mrkdwn_texts = [t["text"] for t in [message.blocks[1]["text"], *message.blocks[2]["fields"]]]
    for text in mrkdwn_texts:  # only our own two asterisks; no other formatting survives
        assert text.count("*") == 2, text
        assert not any(char in text for char in "_~`"), text
    body = {"text": message.text, "blocks": message.blocks}
    found = violations([as_record(body)], untrusted=[title])
    if found is not None:
        assert found == []


def test_escaping_keeps_text_readable() -> None:
    assert plain("AT&T <b> closes") == "AT&amp;T &lt;b&gt; closes"
    assert mrkdwn("*big* deal_now") == "∗big∗ deal＿now"
    assert plain("@channel hi") == "@\u2060channel hi"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://x.example/a|b>c") == "https://x.example/a%7Cb%3Ec"


def test_100kb_titles_are_truncated_with_an_ellipsis() -> None:
    huge = "Acme & Co <closes> " * 6000  # about 114 KB
    message = render_alert(make_alert(headline=huge, companies=(huge,), outlets=(huge,)))
    payload = json.dumps(message.blocks)
    assert len(payload) < 20_000
    headline = message.blocks[1]["text"]["text"]
    assert len(headline) <= limits.SECTION_TEXT_MAX
    assert "…" in headline
    assert "&amp" in headline and not re.search(r"&(a|am|amp|l|lt|g|gt)…", headline)
    for field in message.blocks[2]["fields"]:
        assert len(field["text"]) <= limits.FIELD_TEXT_MAX
    assert message.blocks[2]["fields"][0]["text"].endswith("…")
    assert len(message.text) <= limits.FALLBACK_TEXT_MAX and message.text.endswith("…")
    for button in message.blocks[4]["elements"]:
        assert len(button["text"]["text"]) <= limits.BUTTON_TEXT_MAX
        assert len(button.get("value", "")) <= limits.BUTTON_VALUE_MAX
    found = violations(
        [as_record({"text": message.text, "blocks": message.blocks})], untrusted=[huge]
    )
    if found is not None:
        assert found == []


def test_header_never_exceeds_150_characters() -> None:
    digest = Digest(title="D" * 500, alerts=(make_alert(),))
    header = render_digest(digest).blocks[0]["text"]["text"]
    assert len(header) == limits.HEADER_TEXT_MAX and header.endswith("…")


def test_status_change_header_shows_the_move() -> None:
    alert = make_alert(AlertKind.STATUS_CHANGE, status=Status.CONFIRMED)
    assert render_alert(alert).blocks[0]["text"]["text"] == "🏭 Plant closure · planned → confirmed"


def test_story_without_companies_or_url_has_no_mute_or_open_button() -> None:
    alert = make_alert(companies=(), url="not a url", jobs=None)
    alert = dataclasses.replace(alert, article_url="ftp://nope")
    message = render_alert(alert)
    ids = [b["action_id"] for b in message.blocks[4]["elements"]]
    assert ids == ["dealradar_feedback_useful", "dealradar_feedback_not_useful"]
    assert message.blocks[2]["fields"][2]["text"] == "*Jobs*\n—"
    assert "<" not in message.blocks[1]["text"]["text"]


def test_digest_fits_in_50_blocks() -> None:
    alerts = tuple(make_alert(id=n, headline=f"H{n} " + "x" * 3000) for n in range(200))
    message = render_digest(Digest(title="Catch-up", alerts=alerts))
    assert len(message.blocks) == limits.MESSAGE_BLOCKS_MAX
    assert all(len(t) <= limits.SECTION_TEXT_MAX for t in all_text(message.blocks))
    assert "and 152 more" in message.blocks[-1]["elements"][0]["text"]


def test_notice_is_escaped() -> None:
    message = render_notice(Notice(text="feed <!channel> failed"))
    assert message.blocks[0]["text"]["text"] == "feed &lt;!channel&gt; failed"


def test_reply_is_ephemeral_with_a_share_button() -> None:
    stories = tuple(
        dataclasses.replace(SAMPLE_STORY, id=n, headline=f"<!here> story {n}") for n in range(30)
    )
    lines = tuple(f"line {n} *x*" for n in range(2000))
    body = render_reply(
        Reply(title="Open stories", stories=stories, lines=lines), share_token="tok"
    )
    assert body["response_type"] == "ephemeral"
    assert len(body["blocks"]) <= limits.MESSAGE_BLOCKS_MAX
    assert body["blocks"][-1]["elements"][0]["action_id"] == "dealradar_share_reply"
    assert body["blocks"][-1]["elements"][0]["value"] == "tok"
    assert "<!here>" not in json.dumps(body)
    record = Recorded("POST", "/commands/x", None, body, "json", {}, None)
    found = violations([record], untrusted=["<!here> story 1"])
    if found is not None:
        assert found == []


def test_error_reply_has_no_share_button() -> None:
    body = render_reply(Reply(title="Unknown command", error=True), share_token="tok")
    assert all(b["type"] != "actions" for b in body["blocks"])
    assert body["blocks"][0]["text"]["text"].startswith(":warning:")


def test_the_validator_wiring_catches_an_unescaped_mention() -> None:
    found = violations(
        [as_record({"text": "x <!channel>", "blocks": []})], untrusted=["x <!channel>"]
    )
    if found is None:
        pytest.skip("shared/tools/validate_payloads.py is not available")
    assert any("mention.mass" in v for v in found)


def _two_facets(huge: str = "") -> Any:
    partnership = dataclasses.replace(
        SAMPLE_STORY,
        id=43,
        key="partnership:examplecorp:globex",
        event_type=EventType.PARTNERSHIP,
        status=Status.TALKS,
        companies=("ExampleCorp", "Globex" + huge),
        plant=None,
        jobs=None,
    )
    return dataclasses.replace(make_alert(), also=(partnership,))


def test_a_message_with_two_facets_shows_both_lead_first() -> None:
    message = render_alert(_two_facets())
    assert (
        message.blocks[0]["text"]["text"] == "🏭 Plant closure · planned + 🤝 Partnership · talks"
    )
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["header", "section", "section", "section", "context", "actions"]
    facet = message.blocks[3]["text"]["text"]
    assert facet.startswith("*Also: 🤝 Partnership · talks*\nExampleCorp, Globex")
    assert "Globex" in message.text  # the notification names both facets' companies
    assert message.blocks[5]["elements"][2]["value"] == "42"  # feedback is on the lead story


def test_a_thread_reply_shows_only_its_own_story() -> None:
    alert = dataclasses.replace(_two_facets(), kind=AlertKind.FOLLOW_UP)
    message = render_alert(alert)
    assert message.blocks[0]["text"]["text"] == "🏭 Plant closure · planned · new report"
    assert "Also:" not in json.dumps(message.blocks)


def test_a_facet_with_hostile_100kb_text_stays_inert_and_within_limits() -> None:
    huge = " <!channel> *x* " * 7000
    message = render_alert(_two_facets(huge))
    facet = message.blocks[3]["text"]["text"]
    assert len(facet) <= limits.SECTION_TEXT_MAX
    assert "<!channel>" not in facet
    assert len(message.text) <= limits.FALLBACK_TEXT_MAX
    found = violations(
        [as_record({"text": message.text, "blocks": message.blocks})], untrusted=[huge]
    )
    if found is not None:
        assert found == []
