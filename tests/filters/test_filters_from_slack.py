"""Filters set over Slack's signed ``POST /slack/events`` with the real ``/deal`` handlers
(the slack-bolt app talking to the local Slack stand-in), then shown by ``/deal list``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from bot.slackapp.app import build_slack_runtime
from handlers.company_directory import StaticCompanyTable
from handlers.memory import MemoryStore
from handlers.runner import DealCommands
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.conftest import fake_slack, slack_settings
from tests.slack.test_endpoint import NOW, Endpoint

__all__ = ["fake_slack"]  # the stand-in fixture, shared with tests/slack
TABLE = StaticCompanyTable({"Nissan": ["Nissan Motor"]})


@pytest.fixture
async def endpoint(fake_slack: FakeSlackApi) -> AsyncIterator[Endpoint]:
    runner = DealCommands(MemoryStore(), TABLE, FakeClock(), watch_adds_sources=False)
    runtime = build_slack_runtime(slack_settings(fake_slack), runner, runner, clock=lambda: NOW)
    app = web.Application()
    for route in runtime.web_routes():
        app.router.add_route(route.method, route.path, route.handler)
    server = web.AppRunner(app, handle_signals=False)
    await server.setup()
    site = web.TCPSite(server, "127.0.0.1", 0)
    await site.start()
    port = server.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        yield Endpoint(f"http://127.0.0.1:{port}/slack/events", session, runtime)
    await runtime.stop()
    await server.cleanup()


def command(fake: FakeSlackApi, text: str, trigger: str) -> str:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/deal",
            "text": text,
            "api_app_id": "A1",
            "response_url": fake.response_url("r1"),
            "trigger_id": trigger,
        }
    )


async def answer(endpoint: Endpoint, fake: FakeSlackApi, text: str, trigger: str) -> str:
    before = len(fake.responses)
    status, _ = await endpoint.post(command(fake, text, trigger))
    assert status == 200
    await fake.wait_until(lambda: len(fake.responses) > before)
    return repr(fake.responses[-1])


async def test_watch_with_filters_then_list_over_slack(
    endpoint: Endpoint, fake_slack: FakeSlackApi
) -> None:
    # Slack turns typed quotes into curly ones; both work
    said = await answer(
        endpoint,
        fake_slack,
        "watch nissan closures country:JP status:confirmed,planned min-jobs:500 \u201cEV\u201d",
        "t1",
    )
    assert "is not a filter" in said  # a bare quoted word is neither company nor filter
    said = await answer(
        endpoint,
        fake_slack,
        "watch nissan closures country:JP status:confirmed,planned min-jobs:500 "
        "+\u201cEV\u201d -recall",
        "t2",
    )
    assert "now watches Nissan: plant closures" in said
    listed = await answer(endpoint, fake_slack, "list", "t3")
    filters = "country:JP status:confirmed,planned min-jobs:500 +EV -recall"
    assert f"watching Nissan: plant closures · {filters}" in listed
    bad = await answer(endpoint, fake_slack, "watch nissan min-jobs:many", "t4")
    assert "'min-jobs:many'" in bad
