"""Block Kit for dealradar's neutral messages: :class:`Alert`, :class:`Digest`, :class:`Notice`.

This is the only place Slack message shapes are built from domain values, so it is also the
only place untrusted text is escaped (see :mod:`bot.slackapp.escape`) and sized to Slack's
limits (see :mod:`bot.slackapp.limits`). Every message carries a plain ``text`` fallback for
notifications and screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain import Alert, AlertKind, Digest, EventType, Notice, Story
from bot.slackapp import actions, escape
from bot.slackapp import limits as lim

Block = dict[str, Any]

EVENT_LABELS = {EventType.PLANT_CLOSURE: "Plant closure", EventType.PARTNERSHIP: "Partnership"}
EVENT_EMOJI = {EventType.PLANT_CLOSURE: "🏭", EventType.PARTNERSHIP: "🤝"}
DIGEST_ITEMS_MAX = lim.MESSAGE_BLOCKS_MAX - 2  # a header and a trailing "and N more" line


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """A rendered message: ``text`` (the notification fallback) and ``blocks``."""

    text: str
    blocks: list[Block]


def plain_text(raw: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": lim.fit(raw, limit, escape.plain), "emoji": True}


def mrkdwn_text(text: str) -> dict[str, Any]:
    """A mrkdwn object from text that is *already* escaped."""
    return {"type": "mrkdwn", "text": text}


def link(url: str, title: str, limit: int) -> str:
    """``<url|title>`` with the title escaped; just the escaped title when the URL is unusable."""
    safe = escape.safe_url(url)
    if safe is None or len(safe) > limit // 2:
        return lim.fit(escape.one_line(title), limit, escape.mrkdwn)
    href = safe.replace("&", "&amp;")
    label = lim.fit(escape.one_line(title) or safe, limit - len(href) - 3, escape.mrkdwn)
    return f"<{href}|{label}>"


def event_label(story: Story) -> str:
    return f"{EVENT_EMOJI[story.event_type]} {EVENT_LABELS[story.event_type]}"


def _header_text(alert: Alert, *, parent: bool) -> str:
    if parent:  # the story's message: every facet it shows, lead first
        return " + ".join(f"{event_label(s)} · {s.status.value}" for s in alert.facets)
    story = alert.story
    status = story.status.value
    if alert.kind is AlertKind.STATUS_CHANGE and alert.previous_status:
        status = f"{alert.previous_status.value} → {status}"
    suffix = " · new report" if alert.kind is AlertKind.FOLLOW_UP else ""
    return f"{event_label(story)} · {status}{suffix}"


def facet_text(story: Story) -> str:
    """A further facet of a message (another event the same reports carry), as mrkdwn."""
    facts = [
        ", ".join(story.companies),
        ", ".join(p for p in (story.plant, story.country) if p),
        f"{story.jobs:,} jobs" if story.jobs is not None else "",
    ]
    line = lim.fit(escape.one_line(" · ".join(f for f in facts if f)), 500, escape.mrkdwn)
    return f"*Also: {event_label(story)} · {story.status.value}*" + (f"\n{line}" if line else "")


def _field(label: str, raw: str | None) -> dict[str, Any]:
    value = lim.fit(escape.one_line(raw), lim.FIELD_VALUE_MAX, escape.mrkdwn) if raw else "—"
    return mrkdwn_text(f"*{label}*\n{value}")


def _fields(story: Story) -> list[dict[str, Any]]:
    where = ", ".join(p for p in (story.plant, story.country) if p)
    outlets = f"{story.outlet_count}: " + ", ".join(story.outlets) if story.outlets else ""
    return [
        _field("Companies", ", ".join(story.companies)),
        _field("Plant / country", where),
        _field("Jobs", f"{story.jobs:,}" if story.jobs is not None else None),
        _field("Outlets", outlets),
    ]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def alert_buttons(alert: Alert) -> Block:
    """Open article, mute the first company for 7 days, and 👍/👎 carrying the story id."""
    story = alert.story
    elements: list[Block] = []
    url = escape.safe_url(alert.article_url or story.url)
    if url and len(url) <= lim.BUTTON_URL_MAX:
        elements.append(
            {
                "type": "button",
                "action_id": actions.OPEN_ARTICLE,
                "text": plain_text("Open article", lim.BUTTON_TEXT_MAX),
                "url": url,
            }
        )
    if story.companies:
        company = escape.one_line(story.companies[0])[: lim.BUTTON_VALUE_MAX]
        elements.append(
            {
                "type": "button",
                "action_id": actions.MUTE_COMPANY,
                "text": plain_text(f"Mute {company} for 7 days", lim.BUTTON_TEXT_MAX),
                "value": company,
            }
        )
    for action_id, label in (
        (actions.FEEDBACK_USEFUL, "👍 Useful"),
        (actions.FEEDBACK_NOT_USEFUL, "👎 Not useful"),
    ):
        elements.append(
            {
                "type": "button",
                "action_id": action_id,
                "text": plain_text(label, lim.BUTTON_TEXT_MAX),
                "value": str(story.id),
            }
        )
    return {"type": "actions", "elements": elements}


def _alert_message(alert: Alert, *, parent: bool) -> SlackMessage:
    story = alert.facets[0] if parent else alert.story
    title, url = (story.headline, story.url) if parent else (alert.article_title, alert.article_url)
    outlet = lim.fit(escape.one_line(alert.outlet), lim.FIELD_VALUE_MAX, escape.mrkdwn)
    headline = f"*{link(url, title, lim.HEADLINE_MAX)}*" + (f"\n{outlet}" if outlet else "")
    context = [
        plain_text(f"Why: {escape.one_line(alert.why)}", lim.WHY_MAX),
        plain_text(f"First seen {_when(story.first_seen_at)}", lim.WHY_MAX),
    ]
    if parent and story.article_count > 1:
        context.append(
            plain_text(f"{story.article_count} reports, updated {_when(story.updated_at)}", 200)
        )
    blocks: list[Block] = [
        {
            "type": "header",
            "text": plain_text(_header_text(alert, parent=parent), lim.HEADER_TEXT_MAX),
        },
        {"type": "section", "text": mrkdwn_text(headline)},
        {"type": "section", "fields": _fields(story)},
        *(
            {"type": "section", "text": mrkdwn_text(facet_text(other))}
            for other in (alert.facets[1:] if parent else ())
        ),
        {"type": "context", "elements": context[: lim.CONTEXT_ELEMENTS_MAX]},
        alert_buttons(replace(alert, story=story)),
    ]
    shown = alert.facets if parent else (story,)
    companies = ", ".join(dict.fromkeys(c for s in shown for c in s.companies))
    raw = f"{_header_text(alert, parent=parent)}: {escape.one_line(title)}"
    if companies:
        raw += f" ({escape.one_line(companies)})"
    return SlackMessage(text=lim.fit(raw, lim.FALLBACK_TEXT_MAX, escape.plain), blocks=blocks)


def render_alert(alert: Alert) -> SlackMessage:
    """The message this alert posts: the story's top message for NEW, a thread reply else."""
    return _alert_message(alert, parent=alert.kind is AlertKind.NEW)


def render_parent(alert: Alert) -> SlackMessage:
    """The story's top message as it should read after ``alert`` (for ``chat.update``)."""
    return _alert_message(alert, parent=True)


def story_line(story: Story, limit: int = lim.DIGEST_ITEM_MAX) -> str:
    """One compact mrkdwn entry for a story: linked headline, then type, status and counts."""
    facts = [f"{event_label(story)} · {story.status.value}"]
    if story.companies:
        facts.append(lim.fit(", ".join(story.companies), lim.FIELD_VALUE_MAX, escape.mrkdwn))
    if story.jobs is not None:
        facts.append(f"{story.jobs:,} jobs")
    facts.append(f"{story.outlet_count} outlet{'s' if story.outlet_count != 1 else ''}")
    facts_line = escape.one_line(" · ".join(facts))
    return f"*{link(story.url, story.headline, limit - len(facts_line) - 3)}*\n{facts_line}"


def render_digest(digest: Digest) -> SlackMessage:
    """A header and one compact section per alert; beyond the block limit, "and N more"."""
    shown = digest.alerts[:DIGEST_ITEMS_MAX]
    blocks: list[Block] = [
        {"type": "header", "text": plain_text(digest.title or "Digest", lim.HEADER_TEXT_MAX)}
    ]
    blocks += [{"type": "section", "text": mrkdwn_text(story_line(a.story))} for a in shown]
    hidden = len(digest.alerts) - len(shown)
    if hidden:
        more = f"{lim.ELLIPSIS} and {hidden} more"
        blocks.append({"type": "context", "elements": [plain_text(more, 200)]})
    if not shown:
        blocks.append({"type": "section", "text": mrkdwn_text("Nothing to report.")})
    heads = "; ".join(escape.one_line(a.story.headline) for a in digest.alerts[:5])
    raw = f"{digest.title}: {len(digest.alerts)} alert(s). {heads}"
    return SlackMessage(text=lim.fit(raw, lim.FALLBACK_TEXT_MAX, escape.plain), blocks=blocks)


def render_notice(notice: Notice) -> SlackMessage:
    """An operational one-liner; the text may carry a source name or error, so it is escaped."""
    text = lim.fit(notice.text.strip() or "(empty notice)", lim.SECTION_TEXT_MAX, escape.mrkdwn)
    fallback = lim.fit(notice.text.strip() or "(empty notice)", lim.FALLBACK_TEXT_MAX, escape.plain)
    return SlackMessage(text=fallback, blocks=[{"type": "section", "text": mrkdwn_text(text)}])


def render(message: Alert | Digest | Notice) -> SlackMessage:
    """Dispatch on the message type."""
    if isinstance(message, Alert):
        return render_alert(message)
    if isinstance(message, Digest):
        return render_digest(message)
    return render_notice(message)
