"""Plain-text rendering of a :class:`handlers.api.Reply` for the CLI and the console.

Chat adapters build their own Block Kit / embeds from the same ``Reply``; this is the renderer
for terminals and logs, so it keeps to one story per three short lines and no markup.
"""

from __future__ import annotations

from bot.domain import EventType, Story
from handlers.api import Reply

_TYPE = {EventType.PLANT_CLOSURE: "plant closure", EventType.PARTNERSHIP: "partnership"}


def story_summary(story: Story) -> str:
    """``plant closure · confirmed · Nissan · Sunderland plant, GB · 1,200 jobs · 3 outlets``."""
    parts = [_TYPE.get(story.event_type, str(story.event_type)), story.status.value]
    if story.companies:
        parts.append(", ".join(story.companies))
    place = ", ".join(p for p in (story.plant, story.country) if p)
    if place:
        parts.append(place)
    if story.jobs is not None:
        parts.append(f"{story.jobs:,} jobs")
    outlets = story.outlet_count
    parts.append(f"{outlets} outlet{'' if outlets == 1 else 's'}")
    return " · ".join(parts)


def render_plain(reply: Reply) -> str:
    """The reply as text: title line, then each story (date, summary, headline, link), then
    the extra lines. No trailing newline."""
    out = [f"error: {reply.title}" if reply.error else reply.title]
    for story in reply.stories:
        out.append(f"- {story.first_seen_at:%Y-%m-%d}  {story_summary(story)}")
        out.append(f"    {story.headline}")
        out.append(f"    {story.url}")
    out.extend(f"  {line}" for line in reply.lines)
    return "\n".join(out)
