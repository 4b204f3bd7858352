"""Messages to and from the outbox's JSON ``payload`` column.

A delivery stores the alert exactly as it was when routed, so a restart renders the same message
the crashed process would have sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain import (
    Alert,
    AlertKind,
    Digest,
    EventType,
    Message,
    Notice,
    Status,
    Story,
)


def _story_to_json(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "key": story.key,
        "event_type": story.event_type.value,
        "status": story.status.value,
        "headline": story.headline,
        "url": story.url,
        "first_seen_at": story.first_seen_at.isoformat(),
        "updated_at": story.updated_at.isoformat(),
        "companies": list(story.companies),
        "plant": story.plant,
        "country": story.country,
        "jobs": story.jobs,
        "outlets": list(story.outlets),
        "article_count": story.article_count,
        "evidence": list(story.evidence),
    }


def _story_from_json(data: dict[str, Any]) -> Story:
    return Story(
        id=int(data["id"]),
        key=str(data["key"]),
        event_type=EventType(data["event_type"]),
        status=Status(data["status"]),
        headline=str(data["headline"]),
        url=str(data["url"]),
        first_seen_at=datetime.fromisoformat(data["first_seen_at"]),
        updated_at=datetime.fromisoformat(data["updated_at"]),
        companies=tuple(data.get("companies", ())),
        plant=data.get("plant"),
        country=data.get("country"),
        jobs=data.get("jobs"),
        outlets=tuple(data.get("outlets", ())),
        article_count=int(data.get("article_count", 1)),
        evidence=tuple(data.get("evidence", ())),
    )


def _alert_to_json(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind.value,
        "story": _story_to_json(alert.story),
        "article_title": alert.article_title,
        "article_url": alert.article_url,
        "outlet": alert.outlet,
        "why": alert.why,
        "previous_status": alert.previous_status.value if alert.previous_status else None,
        "also": [_story_to_json(story) for story in alert.also],
    }


def _alert_from_json(data: dict[str, Any]) -> Alert:
    previous = data.get("previous_status")
    return Alert(
        kind=AlertKind(data["kind"]),
        story=_story_from_json(data["story"]),
        article_title=str(data["article_title"]),
        article_url=str(data["article_url"]),
        outlet=str(data["outlet"]),
        why=str(data["why"]),
        previous_status=Status(previous) if previous else None,
        also=tuple(_story_from_json(story) for story in data.get("also", ())),
    )


def message_to_json(message: Message) -> dict[str, Any]:
    if isinstance(message, Alert):
        return {"type": "alert", "alert": _alert_to_json(message)}
    if isinstance(message, Digest):
        return {
            "type": "digest",
            "title": message.title,
            "alerts": [_alert_to_json(a) for a in message.alerts],
        }
    return {"type": "notice", "text": message.text}


def message_from_json(data: dict[str, Any]) -> Message:
    """The message stored in a delivery payload.

    Raises:
        ValueError: the payload is not one this version wrote.
    """
    kind = data.get("type")
    if kind == "alert":
        return _alert_from_json(data["alert"])
    if kind == "digest":
        return Digest(
            title=str(data["title"]), alerts=tuple(_alert_from_json(a) for a in data["alerts"])
        )
    if kind == "notice":
        return Notice(text=str(data["text"]))
    raise ValueError(f"unknown delivery payload type {kind!r}")
