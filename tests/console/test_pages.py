"""Every console page and its JSON twin, over a seeded store: filters, a story's history,
sources, deliveries, channels, company pages with aliases, and the security headers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console.render import CSP
from tests.console.seed import IMG, SCRIPT

Client = TestClient[Any, Any]


async def page(client: Client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status == status, await response.text()
    assert response.headers["Content-Type"].startswith("text/html")
    return await response.text()


async def api(client: Client, path: str, status: int = 200) -> Any:
    response = await client.get(path)
    assert response.status == status, await response.text()
    assert response.headers["Content-Type"].startswith("application/json")
    return await response.json()


async def test_stories_page_lists_stories_with_chart_and_headers(client: Client) -> None:
    response = await client.get("/")
    body = await response.text()
    assert response.status == 200
    assert response.headers["Content-Security-Policy"] == CSP
    assert "script-src" not in CSP and "default-src 'none'" in CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Acme Motors confirms Springfield plant closure" in body
    assert "Nissan explores Foxconn EV production" in body
    assert "Brenlund" not in body  # 60 days ago: outside the default 30 days
    assert "<svg" in body and 'class="plant_closure"' in body
    assert "<script" not in body.replace("&lt;script", "")


async def test_stories_json(client: Client) -> None:
    data = await api(client, "/api/stories")
    keys = [s["key"] for s in data["stories"]]
    assert keys == [
        "hostile-script",
        "closure-acme-1",
        "hostile-img",
        "partner-foxconn-1",
    ]  # newest first
    assert data["filters"]["days"] == 30
    assert len(data["chart"]["weeks"]) == 13
    assert sum(w["plant_closure"] + w["partnership"] for w in data["chart"]["weeks"]) == 5
    assert "_chart" not in data


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=partnership", {"partner-foxconn-1", "hostile-img"}),
        ("status=confirmed", {"closure-acme-1", "hostile-img"}),
        ("country=germany&days=90", {"closure-old-1"}),
        ("company=Acme", {"closure-acme-1", "hostile-script"}),  # alias resolved
        ("company=hon+hai&type=partnership", {"partner-foxconn-1", "hostile-img"}),
        ("days=90&type=plant_closure&status=planned", {"closure-old-1", "hostile-script"}),
        ("days=1", {"hostile-script"}),  # exactly a day old: inside
    ],
)
async def test_filters(client: Client, query: str, expected: set[str]) -> None:
    data = await api(client, f"/api/stories?{query}")
    assert {s["key"] for s in data["stories"]} == expected
    html = await page(client, f"/?{query}")
    for story in data["stories"]:
        assert f'href="/stories/{story["key"]}"' in html


async def test_company_filter_shows_the_resolution(client: Client) -> None:
    html = await page(client, "/?company=hon+hai")
    assert "is Foxconn" in html
    data = await api(client, "/api/stories?company=hon+hai")
    assert data["resolution"]["company"] == "Foxconn"


@pytest.mark.parametrize(
    "query", ["type=merger", "status=rumour", "days=0", "days=abc", "days=99999"]
)
async def test_bad_filters_answer_400(client: Client, query: str) -> None:
    body = await page(client, f"/?{query}", status=400)
    assert "400" in body
    data = await api(client, f"/api/stories?{query}", status=400)
    assert data["error"]


async def test_story_page(client: Client) -> None:
    html = await page(client, "/stories/closure-acme-1")
    assert "Acme Motors confirms Springfield plant closure" in html
    assert 'href="https://a.example/acme-1"' in html
    # status timeline: planned (first report) then confirmed
    timeline = html.split('class="timeline"')[1].split("</ol>")[0]
    assert timeline.index("planned") < timeline.index("confirmed")
    assert "Reports (2)" in html
    assert "slack:C1" in html and "discord:D1" in html
    assert "403 Missing Access &lt;channel&gt;" in html  # the failure, escaped
    assert "2 useful · 1 not useful" in html
    assert "status: &lt;b&gt;bold&lt;/b&gt; cue" in html  # evidence, escaped


async def test_story_json(client: Client) -> None:
    data = await api(client, "/api/stories/closure-acme-1")
    assert data["story"]["status"] == "confirmed"
    assert [step["status"] for step in data["timeline"]] == ["planned", "confirmed"]
    assert len(data["reports"]) == 2
    assert data["feedback"] == {"useful": 2, "not_useful": 1}
    failed = data["deliveries"]["discord:D1"][0]
    assert failed["state"] == "failed" and failed["last_error"].startswith("403")
    assert data["deliveries"]["slack:C1"][0]["state"] == "sent"


async def test_unknown_story_is_404(client: Client) -> None:
    body = await page(client, "/stories/nope", status=404)
    assert "not found" in body
    await api(client, "/api/stories/nope", status=404)


async def test_sources_disabled_first(client: Client) -> None:
    data = await api(client, "/api/sources")
    names = [s["name"] for s in data["sources"]]
    assert names == ["Broken feed", "Flaky feed", "Good feed"]
    assert data["disabled"] == 1 and data["failing"] == 1
    assert data["poll_marks"] == {"c": "changed", "n": "not modified", "e": "error"}
    flaky = next(s for s in data["sources"] if s["name"] == "Flaky feed")
    assert flaky["recent_polls"] == "cnnnneee"
    html = await page(client, "/sources")
    assert html.index("Broken feed") < html.index("Flaky feed") < html.index("Good feed")
    assert "410 Gone &lt;b&gt;" in html
    row = html[html.index("Flaky feed") : html.index("Good feed")]
    marks = re.findall(r'<span class="poll (\w)" title="([a-z ]+)">', row)
    assert [m for m, _ in marks] == list("cnnnneee")
    assert marks[0][1] == "changed" and marks[-1][1] == "error"


async def test_deliveries(client: Client) -> None:
    data = await api(client, "/api/deliveries")
    assert data["counts"] == {"sent": 1, "failed": 1, "pending": 12}
    assert [d["channel"] for d in data["held"]] == ["C2"]
    assert "d-queue" not in str(data)  # keys are internal; rows carry the story key
    assert {d["story_key"] for d in data["failed"]} == {"closure-acme-1"}
    assert data["flood"] == [{"channel": "slack:CFLOOD", "due_new": 10}]
    html = await page(client, "/deliveries")
    assert "403 Missing Access &lt;channel&gt;" in html
    assert "slack:CFLOOD: 10 new-story alerts due" in html


async def test_channels(client: Client) -> None:
    data = await api(client, "/api/channels")
    c1 = data["channels"]["slack:C1"]
    assert [s["company"] for s in c1["subscriptions"]] == ["Foxconn"]
    assert [m["company"] for m in c1["mutes"]] == ["Nissan"]  # the expired mute is not shown
    assert data["channels"]["slack:C2"]["mode"]["quiet_start"] == "22:00"
    assert data["channels"]["console"]["routes"] == [
        {"companies": ["(all)"], "events": ["plant_closure", "partnership"]}
    ]
    html = await page(client, "/channels")
    assert "every company" in html and "until 2026-05-11" in html


async def test_company_page_resolves_aliases(client: Client) -> None:
    data = await api(client, "/api/company/hon%20hai?days=30")
    assert data["company"] == "Foxconn"
    assert {s["key"] for s in data["stories"]} == {"partner-foxconn-1", "hostile-img"}
    assert sum(w["partnership"] for w in data["chart"]["weeks"]) == 2
    html = await page(client, "/company/hon%20hai")
    assert "<h1>Foxconn</h1>" in html and "/deal Foxconn 30d" in html
    assert "<svg" in html


async def test_company_page_suggests_for_a_typo(client: Client) -> None:
    data = await api(client, "/api/company/Nisan")
    assert "Nissan" in data["resolution"]["suggestions"]
    assert data["stories"] == []


@pytest.mark.parametrize("path", ["/", "/stories/hostile-script", "/stories/hostile-img"])
async def test_hostile_headlines_are_text(client: Client, path: str) -> None:
    html = await page(client, path)
    assert "<script>window" not in html
    assert "<img" not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert 'href="javascript:' not in html
    if path != "/stories/hostile-img":
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    if path != "/stories/hostile-script":
        assert "&lt;img src=x onerror=" in html


async def test_hostile_headlines_in_json_are_data(client: Client) -> None:
    data = await api(client, "/api/stories/hostile-script")
    assert data["story"]["headline"] == SCRIPT
    data = await api(client, "/api/stories/hostile-img")
    assert data["story"]["headline"] == IMG


async def test_stylesheet(client: Client) -> None:
    response = await client.get("/console.css")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert "svg.weekly" in await response.text()
