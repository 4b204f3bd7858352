"""Rows for console tests, written straight into the store: stories (some with hostile
headlines), their reports and events, deliveries in every state, feedback, a disabled and a
failing source, subscriptions, mutes and a quiet-hours channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import sessionmaker
from bot.store.models import (
    ArticleRow,
    ChannelSettingsRow,
    DeliveryRow,
    EventRow,
    FeedbackRow,
    MuteRow,
    SourceRow,
    StoryCompanyRow,
    StoryRow,
    SubscriptionRow,
)

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
SCRIPT = "<script>window.__pwned = 1</script> Acme Motors to close plant"
IMG = '"><img src=x onerror="window.__pwned=2"> Foxconn and Nissan sign deal'
JS_URL = "javascript:window.__pwned=3"
TOKEN = "test-console-token-0123456789"

# key, type, status, headline, companies, country, jobs, days ago, url
STORIES = [
    (
        "closure-acme-1",
        "plant_closure",
        "confirmed",
        "Acme Motors confirms Springfield plant closure",
        ["Acme Motors"],
        "United States",
        1200,
        2,
        "https://a.example/acme-1",
    ),
    (
        "partner-foxconn-1",
        "partnership",
        "talks",
        "Nissan explores Foxconn EV production",
        ["Nissan", "Foxconn"],
        "Japan",
        3900,
        5,
        "https://b.example/nissan-foxconn",
    ),
    (
        "closure-old-1",
        "plant_closure",
        "planned",
        "Brenlund to shut its Fenwick works",
        ["Brenlund"],
        "Germany",
        300,
        60,
        "https://c.example/brenlund",
    ),
    (
        "hostile-script",
        "plant_closure",
        "planned",
        SCRIPT,
        ["Acme Motors"],
        "United States",
        None,
        1,
        JS_URL,
    ),
    (
        "hostile-img",
        "partnership",
        "confirmed",
        IMG,
        ["Foxconn", "Nissan"],
        "Japan",
        None,
        3,
        "https://d.example/img",
    ),
]


async def seed(engine: AsyncEngine, now: datetime = T0) -> dict[str, int]:
    """Write the rows; returns story ids by key."""
    ids: dict[str, int] = {}
    async with sessionmaker(engine).begin() as session:
        for key, kind, status, headline, companies, country, jobs, ago, url in STORIES:
            seen = now - timedelta(days=ago)
            story = StoryRow(
                key=key,
                event_type=kind,
                status=status,
                headline=headline,
                url=url,
                companies=companies,
                plant="Springfield" if "acme" in key else None,
                country=country,
                jobs=jobs,
                outlets=["a.example", "b.example"],
                article_count=2,
                evidence=[f'{kind}: "{headline[:20]}"', "status: <b>bold</b> cue"],
                features={},
                alertable=True,
                first_seen_at=seen,
                updated_at=seen,
            )
            session.add(story)
            await session.flush()
            ids[key] = story.id
            for company in companies:
                session.add(StoryCompanyRow(story_id=story.id, company=company, first_seen_at=seen))
            for n, (outlet, report_status) in enumerate(
                [("a.example", "planned"), ("b.example", status)]
            ):
                article = ArticleRow(
                    url=f"https://{outlet}/{key}",
                    canonical_url=f"https://{outlet}/{key}",
                    title=headline if n == 0 else f"{headline} (update)",
                    outlet=outlet,
                    first_seen_at=seen + timedelta(hours=n),
                    classified=True,
                )
                session.add(article)
                await session.flush()
                session.add(
                    EventRow(
                        article_id=article.id,
                        story_id=story.id,
                        type=kind,
                        status=report_status,
                        companies=companies,
                        confidence=0.8,
                        created_at=seen + timedelta(hours=n),
                    )
                )
        acme = ids["closure-acme-1"]
        deliveries = [
            ("d-sent", acme, "slack", "C1", "new", "sent", None, now - timedelta(days=2)),
            (
                "d-failed",
                acme,
                "discord",
                "D1",
                "new",
                "failed",
                "403 Missing Access <channel>",
                now - timedelta(days=2),
            ),
            ("d-queue", ids["partner-foxconn-1"], "slack", "C1", "follow_up", "pending", None, now),
            (
                "d-held",
                ids["partner-foxconn-1"],
                "slack",
                "C2",
                "digest",
                "pending",
                None,
                now + timedelta(hours=8),
            ),
        ]
        for key, story_id, platform, channel, kind, state, error, due in deliveries:
            session.add(
                DeliveryRow(
                    key=key,
                    story_id=story_id,
                    platform=platform,
                    channel=channel,
                    kind=kind,
                    payload={},
                    state=state,
                    attempts=3 if state == "failed" else 1,
                    not_before=due,
                    last_error=error,
                    created_at=due,
                    sent_at=due if state == "sent" else None,
                )
            )
        for n in range(10):  # a flood: more new-story alerts due in one channel than 8
            session.add(
                DeliveryRow(
                    key=f"flood-{n}",
                    story_id=ids["closure-old-1"],
                    platform="slack",
                    channel="CFLOOD",
                    kind="new",
                    payload={},
                    state="pending",
                    attempts=0,
                    not_before=now - timedelta(minutes=1),
                    created_at=now,
                )
            )
        session.add_all(
            [
                FeedbackRow(
                    story_id=acme, platform="slack", user="U1", useful=True, created_at=now
                ),
                FeedbackRow(
                    story_id=acme, platform="slack", user="U2", useful=True, created_at=now
                ),
                FeedbackRow(
                    story_id=acme, platform="slack", user="U3", useful=False, created_at=now
                ),
                SubscriptionRow(
                    platform="slack",
                    channel="C1",
                    company="Foxconn",
                    events="all",
                    created_by="slack:U1",
                    created_at=now,
                ),
                SubscriptionRow(
                    platform="discord",
                    channel="D1",
                    company="*",
                    events="plant_closure",
                    created_at=now,
                ),
                MuteRow(
                    platform="slack",
                    channel="C1",
                    company="Nissan",
                    until=now + timedelta(days=7),
                    created_by="slack:U1",
                ),
                MuteRow(
                    platform="slack", channel="C1", company="Expired", until=now - timedelta(days=1)
                ),
                ChannelSettingsRow(
                    platform="slack",
                    channel="C2",
                    timezone="Europe/Paris",
                    quiet_start="22:00",
                    quiet_end="07:00",
                ),
            ]
        )
        await session.execute(
            update(SourceRow)
            .where(SourceRow.name == "Broken feed")
            .values(
                enabled=False,
                disabled_reason="410 Gone <b>",
                disabled_at=now,
                consecutive_failures=12,
                last_error="HTTP 410",
                last_error_at=now,
            )
        )
        await session.execute(
            update(SourceRow)
            .where(SourceRow.name == "Flaky feed")
            .values(
                consecutive_failures=3,
                recent_polls="cnnnneee",
                last_error="timeout",
                last_error_at=now,
                last_success_at=now - timedelta(hours=1),
            )
        )
    return ids
