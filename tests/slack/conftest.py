"""Fixtures for the Slack adapter tests: the local Slack stand-in, sample alerts, a fake
command runner and feedback recorder, and the shared payload validator (when available)."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import SecretStr

from bot.config.settings import SlackSettings
from bot.domain import Alert, AlertKind, EventType, Status
from handlers.api import Caller, Reply
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackApi, Recorded
from tests.fakes.stories import make_story

SHARED = Path(__file__).resolve().parents[2] / "../shared"
VALIDATOR = SHARED / "tools" / "validate_payloads.py"
SIGNING_SECRET = "test-signing-secret-123"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


SAMPLE_STORY = make_story(
    42,
    ("ExampleCorp",),
    now=NOW,
    age_days=0,
    key="plant_closure:examplecorp:springfield",
    event_type=EventType.PLANT_CLOSURE,
    status=Status.PLANNED,
    headline="ExampleCorp plans to close its Springfield assembly plant",
    url="https://news.example/examplecorp-springfield",
    plant="Springfield assembly",
    country="US",
    jobs=1200,
    outlets=("Daily Example",),
)
"""The story these tests post; vary it with ``dataclasses.replace(SAMPLE_STORY, ...)``."""


def make_alert(kind: AlertKind = AlertKind.NEW, **story_changes: Any) -> Alert:
    story = replace(SAMPLE_STORY, **story_changes)
    return Alert(
        kind=kind,
        story=story,
        article_title=story.headline,
        article_url=story.url,
        outlet="Daily Example",
        why='"plans to close" near "plant"',
        previous_status=Status.PLANNED if kind is AlertKind.STATUS_CHANGE else None,
    )


class FakeRunner:
    """Records command lines; answers with a fixed reply or raises a scripted error."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Caller]] = []
        self.reply = Reply(title="3 open stories", lines=("ExampleCorp · planned",))
        self.error: Exception | None = None

    async def run(self, text: str, caller: Caller) -> Reply:
        self.calls.append((text, caller))
        if self.error is not None:
            raise self.error
        return self.reply

    async def complete_company(self, prefix: str, limit: int = 25) -> list[str]:
        return []


class FakeFeedback:
    def __init__(self) -> None:
        self.votes: list[tuple[int, Caller, bool]] = []

    async def record_feedback(self, story_id: int, caller: Caller, useful: bool) -> None:
        self.votes.append((story_id, caller, useful))


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackApi]:
    fake = await FakeSlackApi().start()
    yield fake
    await fake.close()


def slack_settings(fake: FakeSlackApi, **changes: Any) -> SlackSettings:
    values: dict[str, Any] = {
        "bot_token": SecretStr(BOT_TOKEN),
        "signing_secret": SecretStr(SIGNING_SECRET),
        "api_url": fake.api_url,
    }
    values.update(changes)
    return SlackSettings(**values)


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()


@pytest.fixture
def feedback() -> FakeFeedback:
    return FakeFeedback()


@cache
def _validator() -> tuple[ModuleType, Any] | None:
    if not VALIDATOR.is_file():
        return None
    spec = importlib.util.spec_from_file_location("validate_payloads", VALIDATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("validate_payloads", module)
    spec.loader.exec_module(module)
    opts = argparse.Namespace(ignore=[], allow_user_mentions=False)
    return module, module.Checker(SHARED / "specs", opts)


def violations(records: list[Recorded], untrusted: list[str] | None = None) -> list[str] | None:
    """Violations the shared validator finds in the recorded bodies; ``None`` without it.

    ``include_all_metadata`` on ``conversations.replies`` is documented by Slack but missing
    from the 2020 spec snapshot, so that one finding is dropped.
    """
    loaded = _validator()
    if loaded is None:
        return None
    module, checker = loaded
    found: list[str] = []
    for n, record in enumerate(records, 1):
        request = module.parse_line(n, record.for_validator(untrusted))
        if record.path.startswith("/commands/"):
            request.kind = "response_url"
        for v in checker.check(request):
            if record.api_method == "conversations.replies" and v.where == "$.include_all_metadata":
                continue
            found.append(f"{record.path} [{v.check}] {v.where}: {v.message}")
    return found


def assert_valid(records: list[Recorded], untrusted: list[str] | None = None) -> None:
    found = violations(records, untrusted)
    if found is not None:
        assert found == []
