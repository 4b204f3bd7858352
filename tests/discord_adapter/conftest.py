"""Shared fixtures: the Discord REST stand-in, a sink pointed at it, sample alerts, a
validator for recorded request bodies, and a small fake command runner."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.discordapp.rest import DiscordRest
from bot.discordapp.sink import DiscordSink
from bot.domain import Alert, AlertKind, EventType, Status
from handlers.api import Caller, Reply
from tests.fakes.discord_api import TOKEN, FakeDiscordAPI
from tests.fakes.stories import make_story

CHANNEL = "1000000000000000001"
SHARED = Path(__file__).resolve().parents[2] / "../shared"
VALIDATOR = SHARED / "tools" / "validate_payloads.py"


SAMPLE_STORY = make_story(
    42,
    ("Nissan",),
    now=datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
    age_days=0,
    updated_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    event_type=EventType.PLANT_CLOSURE,
    status=Status.PLANNED,
    headline="Carmaker to shut its northern assembly plant",
    url="https://news.example.org/carmaker-plant",
    plant="Northfield",
    country="GB",
    jobs=1200,
)
"""The story these tests post; vary it with ``dataclasses.replace(SAMPLE_STORY, ...)``."""


def make_alert(kind: AlertKind = AlertKind.NEW, **story_changes: Any) -> Alert:
    return Alert(
        kind=kind,
        story=replace(SAMPLE_STORY, **story_changes),
        article_title="Carmaker confirms northern plant will close next year",
        article_url="https://news.example.org/carmaker-plant-2",
        outlet="Example Wire",
        why="closure verb near 'plant' and company Nissan",
        previous_status=Status.PLANNED if kind is AlertKind.STATUS_CHANGE else None,
    )


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscordAPI]:
    fake = await FakeDiscordAPI().start()
    fake.add_channel(CHANNEL)
    yield fake
    await fake.stop()


@pytest.fixture
async def sink(api: FakeDiscordAPI) -> AsyncIterator[DiscordSink]:
    s = DiscordSink(DiscordRest(api.api_url, SecretStr(TOKEN), timeout=2.0))
    yield s
    await s.close()


def validate(captures: list[dict[str, Any]], untrusted: list[str] | None = None) -> list[str]:
    """Violations reported by the shared validator (skips when /work/shared is absent)."""
    if not VALIDATOR.exists():
        pytest.skip("../shared/tools/validate_payloads.py not available")
    lines = [json.dumps({**c, "untrusted": untrusted or []}) for c in captures]
    done = subprocess.run(
        [sys.executable, str(VALIDATOR), "-"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return [line for line in done.stdout.splitlines() if line.strip()]


class FakeRunner:
    """Records what it was asked; answers with a canned reply per first word."""

    def __init__(self, companies: tuple[str, ...] = ("Nissan", "Nokia", "Foxconn")) -> None:
        self.calls: list[tuple[str, Caller]] = []
        self.companies = companies
        self.delay_event: Any = None

    async def run(self, text: str, caller: Caller) -> Reply:
        self.calls.append((text, caller))
        if self.delay_event is not None:
            await self.delay_event.wait()
        if text.startswith("nissan"):
            return Reply(title="1 story about Nissan", stories=(SAMPLE_STORY,))
        return Reply(title=f"ran: {text}")

    async def complete_company(self, prefix: str, limit: int = 25) -> list[str]:
        return [c for c in self.companies if c.lower().startswith(prefix.lower())][:limit]


class FakeFeedback:
    def __init__(self) -> None:
        self.votes: list[tuple[int, str, bool]] = []

    async def record_feedback(self, story_id: int, caller: Caller, useful: bool) -> None:
        self.votes.append((story_id, caller.user, useful))
