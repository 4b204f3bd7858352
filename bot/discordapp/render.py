"""Discord message bodies for alerts, digests, notices and command replies.

The only place dealradar builds Discord embeds and components. It owns Discord's documented
limits as the constants below; every piece of feed or user text is escaped
(:func:`bot.discordapp.markup.escape`) and cut to its limit with "…", and every body carries
``allowed_mentions: {"parse": []}`` so nothing a stranger wrote can ping anyone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.discordapp import buttons
from bot.discordapp.markup import escape, inert, truncate
from bot.domain import Alert, AlertKind, Digest, EventType, Notice, Story
from bot.invisible import strip_invisible
from handlers.api import Reply

# Documented Discord limits (characters are Unicode code points).
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
CUSTOM_ID_MAX = buttons.CUSTOM_ID_MAX
BUTTON_LABEL_MAX = 80
BUTTON_URL_MAX = 512
THREAD_NAME_MAX = 100

FLAG_EPHEMERAL = 1 << 6
NO_MENTIONS: dict[str, list[str]] = {"parse": []}

COLOURS = {EventType.PLANT_CLOSURE: 0xC0392B, EventType.PARTNERSHIP: 0x2E86C1}
ERROR_COLOUR = 0x7F8C8D
_TYPE_LABEL = {EventType.PLANT_CLOSURE: "Plant closure", EventType.PARTNERSHIP: "Partnership"}
_KIND_LABEL = {
    AlertKind.NEW: "New",
    AlertKind.FOLLOW_UP: "Update",
    AlertKind.STATUS_CHANGE: "Status change",
}
# Per-part budgets for an alert embed: 256 + 1500 + 5 * (32 + 600) + 512, plus two facet
# fields of 60 + 200, stays under 6000.
_ALERT_DESCRIPTION = 1500
_ALERT_FIELD_VALUE = 600
_ALERT_FOOTER = 512
_FACETS_SHOWN = 2
_FACET_NAME = 60
_FACET_VALUE = 200


def _http_url(url: str) -> str | None:
    """``url`` if Discord will accept it as an embed/button link, else None."""
    ok = url.startswith(("https://", "http://")) and len(url) <= BUTTON_URL_MAX
    return url if ok and not any(c.isspace() for c in url) else None


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _story_fields(story: Story) -> list[dict[str, Any]]:
    place = ", ".join(p for p in (story.plant, story.country) if p) or "—"
    companies = ", ".join(story.companies) or "—"
    fields = [
        ("Status", story.status.value),
        ("Companies", companies),
        ("Plant / country", place),
        ("Jobs", f"{story.jobs:,}" if story.jobs is not None else "—"),
        ("Outlets", str(story.outlet_count)),
    ]
    return [
        {"name": name, "value": inert(value, _ALERT_FIELD_VALUE), "inline": True}
        for name, value in fields
    ]


def _facet_field(story: Story) -> dict[str, Any]:
    """A further facet of the message: another event the same reports carry."""
    place = ", ".join(p for p in (story.plant, story.country) if p)
    jobs = f"{story.jobs:,} jobs" if story.jobs is not None else ""
    facts = " · ".join(f for f in (", ".join(story.companies), place, jobs) if f) or "—"
    name = f"Also: {_TYPE_LABEL[story.event_type]} · {story.status.value}"
    return {
        "name": inert(name, _FACET_NAME),
        "value": inert(facts, _FACET_VALUE),
        "inline": False,
    }


def alert_embed(alert: Alert) -> dict[str, Any]:
    """The story's embed: headline linked, colour per event type of its lead story, facts as
    fields, and a field per further facet (another event of the same reports)."""
    story, *others = alert.facets
    kinds = " + ".join(_TYPE_LABEL[s.event_type] for s in alert.facets)
    embed: dict[str, Any] = {
        "title": inert(story.headline, EMBED_TITLE_MAX),
        "description": inert(
            f"{kinds} · latest: {alert.article_title} ({alert.outlet})",
            _ALERT_DESCRIPTION,
        ),
        "color": COLOURS[story.event_type],
        "fields": _story_fields(story) + [_facet_field(o) for o in others[:_FACETS_SHOWN]],
        "footer": {
            "text": inert(f"{alert.why} · first seen {_when(story.first_seen_at)}", _ALERT_FOOTER)
        },
        "timestamp": story.updated_at.isoformat(),
    }
    url = _http_url(story.url)
    if url:
        embed["url"] = url
    return embed


def alert_components(alert: Alert) -> list[dict[str, Any]]:
    """One action row: open article, mute company 7 days, useful, not useful (for the lead
    story of the message)."""
    story = alert.facets[0]
    row: list[dict[str, Any]] = []
    url = _http_url(alert.article_url) or _http_url(story.url)
    if url:
        row.append({"type": 2, "style": 5, "label": "Open article", "url": url})
    if story.companies:
        mute = buttons.mute_id(story.id, story.companies[0])
        if mute:
            label = truncate(f"Mute {story.companies[0]} 7d", BUTTON_LABEL_MAX)
            row.append({"type": 2, "style": 2, "label": label, "custom_id": mute})
    row.append(
        {"type": 2, "style": 3, "label": "Useful", "custom_id": buttons.feedback_id(story.id, True)}
    )
    row.append(
        {
            "type": 2,
            "style": 4,
            "label": "Not useful",
            "custom_id": buttons.feedback_id(story.id, False),
        }
    )
    return [{"type": 1, "components": row}]


def render_alert(alert: Alert) -> dict[str, Any]:
    """The top-level alert message (also the body the original is edited to on updates)."""
    return {
        "embeds": [alert_embed(alert)],
        "components": alert_components(alert),
        "allowed_mentions": NO_MENTIONS,
    }


def render_follow_up(alert: Alert) -> dict[str, Any]:
    """The thread post for another article about the story."""
    embed: dict[str, Any] = {
        "title": inert(alert.article_title, EMBED_TITLE_MAX),
        "description": inert(
            f"{_KIND_LABEL[alert.kind]} from {alert.outlet} · status {alert.story.status.value}",
            _ALERT_DESCRIPTION,
        ),
        "color": COLOURS[alert.story.event_type],
        "footer": {"text": inert(alert.why, _ALERT_FOOTER)},
    }
    url = _http_url(alert.article_url)
    if url:
        embed["url"] = url
    return {"embeds": [embed], "allowed_mentions": NO_MENTIONS}


def render_status_line(alert: Alert) -> dict[str, Any]:
    """The short channel message announcing a status change."""
    before = alert.previous_status.value if alert.previous_status else "?"
    text = f"Status {before} → {alert.story.status.value}: {escape(alert.story.headline)}"
    return {"content": truncate(text, CONTENT_MAX), "allowed_mentions": NO_MENTIONS}


def thread_name(alert: Alert) -> str:
    name = strip_invisible(alert.story.headline).replace("\n", " ").strip()
    return truncate(name or "Updates", THREAD_NAME_MAX)


def render_digest(digest: Digest) -> dict[str, Any]:
    """One embed, one field per alert, as many as fit; the rest counted in the footer."""
    fields: list[dict[str, Any]] = []
    title = inert(digest.title, EMBED_TITLE_MAX)
    used = len(title) + 64  # the footer's worst case
    for alert in digest.alerts:
        story = alert.story
        name = inert(f"{_TYPE_LABEL[story.event_type]}: {story.headline}", 200)
        link = _http_url(story.url)
        value = inert(f"{story.status.value} · {', '.join(story.companies) or '—'}", 300)
        if link:
            value += f"\n{link}"
        if len(fields) == EMBED_FIELDS_MAX - 1 or used + len(name) + len(value) > EMBED_TOTAL_MAX:
            break
        fields.append({"name": name, "value": value})
        used += len(name) + len(value)
    embed: dict[str, Any] = {"title": title, "fields": fields, "color": ERROR_COLOUR}
    left = len(digest.alerts) - len(fields)
    if left:
        embed["footer"] = {"text": f"… and {left} more"}
    return {"embeds": [embed], "allowed_mentions": NO_MENTIONS}


def render_notice(notice: Notice) -> dict[str, Any]:
    return {"content": inert(notice.text, CONTENT_MAX), "allowed_mentions": NO_MENTIONS}


def _story_line_embed(story: Story) -> dict[str, Any]:
    place = ", ".join(p for p in (story.plant, story.country) if p)
    facts = [_TYPE_LABEL[story.event_type], story.status.value, place]
    if story.jobs is not None:
        facts.append(f"{story.jobs:,} jobs")
    facts += [f"{story.outlet_count} outlets", f"first seen {story.first_seen_at:%Y-%m-%d}"]
    embed: dict[str, Any] = {
        "title": inert(story.headline, EMBED_TITLE_MAX),
        "description": inert(" · ".join(f for f in facts if f), 300),
        "color": COLOURS[story.event_type],
    }
    url = _http_url(story.url)
    if url:
        embed["url"] = url
    return embed


def _embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", ""))
    return size + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))


def render_reply(reply: Reply) -> dict[str, Any]:
    """A command answer: title as content, lines as one embed, stories as compact embeds."""
    embeds: list[dict[str, Any]] = []
    if reply.lines:
        embeds.append(
            {
                "description": inert("\n".join(reply.lines), EMBED_DESCRIPTION_MAX),
                "color": ERROR_COLOUR if reply.error else 0x95A5A6,
            }
        )
    used = sum(_embed_size(e) for e in embeds)
    shown = 0
    for story in reply.stories:
        embed = _story_line_embed(story)
        if len(embeds) == EMBEDS_MAX or used + _embed_size(embed) > EMBED_TOTAL_MAX:
            break
        embeds.append(embed)
        used += _embed_size(embed)
        shown += 1
    content = escape(reply.title)
    if shown < len(reply.stories):
        content += f" (showing {shown} of {len(reply.stories)})"
    data: dict[str, Any] = {
        "content": truncate(content, CONTENT_MAX),
        "embeds": embeds,
        "allowed_mentions": NO_MENTIONS,
    }
    if reply.ephemeral:
        data["flags"] = FLAG_EPHEMERAL
    return data
