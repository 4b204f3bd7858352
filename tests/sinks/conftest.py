"""One harness per sink for the sink contract suite (test_contract.py).

A harness owns a sink and the local stand-in it talks to (a recording stream for the console,
:class:`tests.fakes.slack_api.FakeSlackApi`, :class:`tests.fakes.discord_api.FakeDiscordAPI`)
and answers the questions the contract asks in the platform's own terms: which messages the
channel shows at top level, which sit under a given first message, whether anything sent would
ping or carry live markup, whether anything breaks the platform's length limits, and how to
make the platform refuse the next post.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

import pytest
from pydantic import SecretStr

from bot.discordapp import render as discord_render
from bot.discordapp.rest import DiscordRest
from bot.discordapp.sink import DiscordSink
from bot.domain import ChannelRef, Delivery, Message, MessageRef
from bot.invisible import INVISIBLE
from bot.ports import Sink
from bot.sinks.console import MAX_FIELD, ConsoleSink
from bot.slackapp import limits as slack_limits
from bot.slackapp.client import make_web_client
from bot.slackapp.sink import SlackSink
from tests.discord_adapter.conftest import validate as discord_violations
from tests.fakes.discord_api import TOKEN, FakeDiscordAPI
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackApi, ServerError, SlackError
from tests.slack.conftest import violations as slack_violations


class SinkHarness(Protocol):
    platform: str
    channel: str

    @property
    def sink(self) -> Sink: ...

    def delivery(
        self, message: Message, key: str, *, parent: MessageRef | None = None, attempt: int = 0
    ) -> Delivery: ...

    def top_level(self) -> list[str]:
        """What the channel shows outside any thread, one text per message, oldest first."""
        ...

    def under(self, parent: MessageRef) -> list[str]:
        """The messages shown under (threaded on, or replying to) ``parent``."""
        ...

    def hazards(self, untrusted: list[str]) -> list[str]:
        """Live mentions, live markup or control sequences in anything sent so far."""
        ...

    def hazards_in(self, text: str) -> list[str]:
        """The same check on a raw text put straight into a message, unescaped."""
        ...

    def over_limits(self) -> list[str]:
        """Everything sent so far that breaks one of the platform's length limits."""
        ...

    def refuse_next_post(self, *, permanent: bool) -> None:
        """The platform turns the next post down: for good, or for now (a server error)."""
        ...


def _delivery(
    platform: str,
    channel: str,
    message: Message,
    key: str,
    parent: MessageRef | None,
    attempt: int,
) -> Delivery:
    return Delivery(
        id=abs(hash(key)) % 10_000,
        key=key,
        target=ChannelRef(platform, channel),
        message=message,
        parent=parent,
        attempt=attempt,
    )


def _strings(value: Any, key: str | None = None) -> Iterator[str]:
    """Every string inside a JSON-like value (block kit, embeds); with ``key``, only the
    strings stored under that key."""
    if isinstance(value, str):
        if key is None:
            yield value
    elif isinstance(value, dict):
        for name, item in value.items():
            if key is not None and name == key and isinstance(item, str):
                yield item
            else:
                yield from _strings(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)


# -- console ---------------------------------------------------------------------------------
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
CONSOLE_LINE_MAX = 4 * MAX_FIELD + 500  # a line holds a few cut fields and a cut link


class RecordingStream(io.StringIO):
    """A terminal stand-in: one entry per write (the console sink writes once per send)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, s: str) -> int:
        self.writes.append(s)
        return super().write(s)


class ConsoleHarness:
    platform = "console"
    channel = "console"

    def __init__(self) -> None:
        self.stream = RecordingStream()
        self.sink = ConsoleSink(self.stream, colour=False)

    def delivery(
        self, message: Message, key: str, *, parent: MessageRef | None = None, attempt: int = 0
    ) -> Delivery:
        return _delivery(self.platform, self.channel, message, key, parent, attempt)

    def top_level(self) -> list[str]:
        return [w for w in self.stream.writes if not w.startswith("    ↳")]

    def under(self, parent: MessageRef) -> list[str]:
        # the terminal has one story thread at a time: a follow-up is the indented ↳ line
        return [w for w in self.stream.writes if w.startswith("    ↳")]

    def hazards(self, untrusted: list[str]) -> list[str]:
        return self.hazards_in("".join(self.stream.writes))

    def hazards_in(self, text: str) -> list[str]:
        found = [f"control {c!r}" for c in _TERMINAL_CONTROL.findall(text.replace("\n", ""))]
        return found + [f"invisible {c!r}" for c in text if c in INVISIBLE]

    def over_limits(self) -> list[str]:
        lines = "".join(self.stream.writes).splitlines()
        return [f"line of {len(line)} characters" for line in lines if len(line) > CONSOLE_LINE_MAX]

    def refuse_next_post(self, *, permanent: bool) -> None:
        pytest.skip("the console has no platform that could turn a message down")


# -- Slack -----------------------------------------------------------------------------------
_SLACK_LIVE = re.compile(r"<[!@#]|<https?://evil", re.IGNORECASE)


class SlackHarness:
    platform = "slack"
    channel = "C0ALERTS"

    def __init__(self, fake: FakeSlackApi) -> None:
        self.fake = fake
        self.sink = SlackSink(make_web_client(SecretStr(BOT_TOKEN), fake.api_url, timeout=5))

    def delivery(
        self, message: Message, key: str, *, parent: MessageRef | None = None, attempt: int = 0
    ) -> Delivery:
        return _delivery(self.platform, self.channel, message, key, parent, attempt)

    @staticmethod
    def _text(message: dict[str, Any]) -> str:
        """The text Slack shows: the fallback and every text object (not button values)."""
        return "\n".join([message["text"], *_strings(message["blocks"], key="text")])

    def top_level(self) -> list[str]:
        return [self._text(m) for m in self.fake.in_channel(self.channel) if not m["thread_ts"]]

    def under(self, parent: MessageRef) -> list[str]:
        return [
            self._text(m)
            for m in self.fake.in_channel(parent.channel)
            if m["thread_ts"] == parent.message_id
        ]

    def hazards(self, untrusted: list[str]) -> list[str]:
        found = [h for m in self.fake.messages for h in self.hazards_in(self._text(m))]
        return found + (slack_violations(self.fake.requests, untrusted) or [])

    def hazards_in(self, text: str) -> list[str]:
        return [f"live {m!r}" for m in _SLACK_LIVE.findall(text)]

    def over_limits(self) -> list[str]:
        found = []
        for m in self.fake.messages:
            if len(m["blocks"]) > slack_limits.MESSAGE_BLOCKS_MAX:
                found.append(f"{len(m['blocks'])} blocks")
            if len(m["text"]) > slack_limits.MESSAGE_TEXT_MAX:
                found.append(f"text of {len(m['text'])} characters")
            for block in m["blocks"]:
                text = (block.get("text") or {}).get("text", "")
                if len(text) > slack_limits.SECTION_TEXT_MAX:
                    found.append(f"{block['type']} text of {len(text)} characters")
        return found + (slack_violations(self.fake.requests) or [])

    def refuse_next_post(self, *, permanent: bool) -> None:
        refusal = SlackError("channel_not_found") if permanent else ServerError(500)
        self.fake.script("chat.postMessage", refusal)


# -- Discord ---------------------------------------------------------------------------------
_DISCORD_LIVE = re.compile(r"@(?:everyone|here)\b|<[@#]|(?<!\\)\[[^\[\]]*\]\(https?://evil")


def _embed_size(embed: dict[str, Any]) -> int:
    fields = embed.get("fields", [])
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [embed.get("footer", {}).get("text", ""), embed.get("author", {}).get("name", "")]
    parts += [f["name"] + f["value"] for f in fields]
    return sum(len(p) for p in parts)


class DiscordHarness:
    platform = "discord"
    channel = "1000000000000000001"

    def __init__(self, api: FakeDiscordAPI) -> None:
        self.api = api
        api.add_channel(self.channel)
        self.sink = DiscordSink(DiscordRest(api.api_url, SecretStr(TOKEN), timeout=2.0))

    def delivery(
        self, message: Message, key: str, *, parent: MessageRef | None = None, attempt: int = 0
    ) -> Delivery:
        return _delivery(self.platform, self.channel, message, key, parent, attempt)

    @staticmethod
    def _text(message: dict[str, Any]) -> str:
        """The text Discord parses for markdown and mentions: content and embeds (button
        labels and ids are shown or kept as plain strings)."""
        return "\n".join(_strings([message.get("content"), message.get("embeds")]))

    def top_level(self) -> list[str]:
        return [
            self._text(m)
            for m in self.api.in_channel(self.channel)
            if not m.get("message_reference")
        ]

    def under(self, parent: MessageRef) -> list[str]:
        return [
            self._text(m)
            for m in self.api.messages.values()
            if m["channel_id"] == (parent.thread_id or parent.message_id)
            or (m.get("message_reference") or {}).get("message_id") == parent.message_id
        ]

    def _bodies(self) -> list[dict[str, Any]]:
        return [r.json for r in self.api.requests if r.method in ("POST", "PATCH") and r.json]

    def hazards(self, untrusted: list[str]) -> list[str]:
        found = []
        for body in self._bodies():
            if "name" in body and "content" not in body and "embeds" not in body:
                continue  # a thread start: a thread name cannot mention anyone
            if body.get("allowed_mentions") != {"parse": []}:
                found.append(f"allowed_mentions {body.get('allowed_mentions')!r}")
            found += self.hazards_in(self._text(body))
        return found + discord_violations(self.api.captures(), untrusted)

    def hazards_in(self, text: str) -> list[str]:
        return [f"live {m!r}" for m in _DISCORD_LIVE.findall(text)]

    def over_limits(self) -> list[str]:
        found = []
        for body in self._bodies():
            if len(body.get("content") or "") > discord_render.CONTENT_MAX:
                found.append(f"content of {len(body['content'])} characters")
            embeds = body.get("embeds") or []
            if len(embeds) > discord_render.EMBEDS_MAX:
                found.append(f"{len(embeds)} embeds")
            if sum(_embed_size(e) for e in embeds) > discord_render.EMBED_TOTAL_MAX:
                found.append("embeds over the 6000-character total")
            for e in embeds:
                if len(e.get("title", "")) > discord_render.EMBED_TITLE_MAX:
                    found.append(f"embed title of {len(e['title'])} characters")
                if len(e.get("fields", [])) > discord_render.EMBED_FIELDS_MAX:
                    found.append(f"{len(e['fields'])} embed fields")
                for f in e.get("fields", []):
                    if len(f["value"]) > discord_render.FIELD_VALUE_MAX:
                        found.append(f"field value of {len(f['value'])} characters")
            if len(body.get("name") or "") > discord_render.THREAD_NAME_MAX:
                found.append(f"thread name of {len(body['name'])} characters")
        return found + discord_violations(self.api.captures())

    def refuse_next_post(self, *, permanent: bool) -> None:
        self.api.fail("POST", r"/messages$", status=403 if permanent else 500)


@pytest.fixture(params=["console", "slack", "discord"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[SinkHarness]:
    """Each contract test runs once per sink."""
    if request.param == "console":
        yield ConsoleHarness()
    elif request.param == "slack":
        fake = await FakeSlackApi().start()
        try:
            yield SlackHarness(fake)
        finally:
            await fake.close()
    else:
        api = await FakeDiscordAPI().start()
        harness = DiscordHarness(api)
        try:
            yield harness
        finally:
            await harness.sink.close()
            await api.stop()


def dumps(texts: list[str]) -> str:
    """Texts joined for an assertion message."""
    return json.dumps(texts, ensure_ascii=False)[:2000]
