"""The console sink: readable, coloured alerts in the terminal, the default with no chat platform.

A story's first alert is a block; follow-ups and status changes are printed indented under a
``↳`` so the terminal reads like a threaded channel. Feed text is stripped of control and escape
characters here, so a hostile title cannot move the cursor or recolour the terminal, and of bidi
and zero-width characters (:mod:`bot.invisible`), so it cannot reorder or hide what is shown.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

from bot.domain import (
    Alert,
    AlertKind,
    Delivery,
    Digest,
    Message,
    MessageRef,
    Notice,
    SendResult,
    Story,
)
from bot.invisible import strip_invisible

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_FIELD = 300  # characters of any one feed-provided field shown in the terminal

_LABELS = {"plant_closure": "PLANT CLOSURE", "partnership": "PARTNERSHIP"}
_COLOURS = {"plant_closure": "\033[31m", "partnership": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def clean(text: str, limit: int = MAX_FIELD) -> str:
    """One line of terminal-safe text: no control, bidi or zero-width characters, cut with "…"."""
    flat = " ".join(_CONTROL.sub(" ", strip_invisible(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class ConsoleSink:
    platform = "console"

    def __init__(self, stream: TextIO | None = None, *, colour: bool | None = None) -> None:
        self._stream = stream or sys.stdout
        self._colour = self._stream.isatty() if colour is None else colour
        self._count = 0

    def _c(self, code: str) -> str:
        return code if self._colour else ""

    async def send(self, delivery: Delivery) -> SendResult:
        self._stream.write(self.render(delivery.message) + "\n")
        self._stream.flush()
        self._count += 1
        ref = MessageRef("console", delivery.target.channel, f"console-{delivery.id}")
        return SendResult(message=ref)

    def render(self, message: Message) -> str:
        if isinstance(message, Notice):
            return f"{self._c(_DIM)}[notice]{self._c(_RESET)} {clean(message.text)}"
        if isinstance(message, Digest):
            lines = [f"{self._c(_BOLD)}{clean(message.title)}{self._c(_RESET)}"]
            lines += [f"  • {self._headline(a)}" for a in message.alerts]
            return "\n".join(lines)
        if message.kind is AlertKind.NEW:
            return self._render_new(message)
        return self._render_update(message)

    def _headline(self, alert: Alert) -> str:
        story = alert.story
        return (
            f"{_LABELS[story.event_type.value]} · {story.status.value} · "
            f"{clean(alert.article_title)} <{clean(alert.article_url, 500)}>"
        )

    def _render_new(self, alert: Alert) -> str:
        story, *others = alert.facets
        colour = self._c(_COLOURS[story.event_type.value])
        where = ", ".join(clean(p) for p in (story.plant, story.country) if p) or "—"
        outlets = ", ".join(clean(o, 60) for o in story.outlets) or clean(alert.outlet, 60)
        lines = [
            f"{colour}{self._c(_BOLD)}■ {_LABELS[story.event_type.value]} "
            f"[{story.status.value}]{self._c(_RESET)} {clean(alert.article_title)}",
            f"    who:     {', '.join(clean(c, 80) for c in story.companies) or '—'}",
            f"    where:   {where}",
            f"    jobs:    {story.jobs if story.jobs is not None else '—'}",
            f"    outlets: {outlets} ({story.outlet_count or 1})",
            f"    link:    {clean(alert.article_url, 500)}",
            f"    why:     {self._c(_DIM)}{clean(alert.why)}{self._c(_RESET)}",
            f"    story:   {story.key} · first seen {story.first_seen_at:%Y-%m-%d %H:%M} UTC",
        ]
        lines[1:1] = [f"    also:    {self._facet(other)}" for other in others]
        return "\n".join(lines)

    def _facet(self, story: Story) -> str:
        """Another event the same report carries, shown in the same block."""
        where = ", ".join(clean(p) for p in (story.plant, story.country) if p)
        jobs = f"{story.jobs} jobs" if story.jobs is not None else ""
        who = ", ".join(clean(c, 80) for c in story.companies)
        facts = " · ".join(f for f in (who, where, jobs) if f)
        colour = self._c(_COLOURS[story.event_type.value])
        label = f"{colour}{_LABELS[story.event_type.value]} [{story.status.value}]{self._c(_RESET)}"
        return f"{label} {facts}".rstrip()

    def _render_update(self, alert: Alert) -> str:
        story = alert.story
        if alert.kind is AlertKind.STATUS_CHANGE:
            before = alert.previous_status.value if alert.previous_status else "?"
            head = f"status {before} → {story.status.value}"
        else:
            head = "follow-up"
        jobs = f" · jobs {story.jobs}" if story.jobs is not None else ""
        return (
            f"    ↳ {self._c(_BOLD)}{head}{self._c(_RESET)} ({story.key}): "
            f"{clean(alert.article_title)} — {clean(alert.outlet, 60)} "
            f"[{story.outlet_count} outlets{jobs}] <{clean(alert.article_url, 500)}>"
        )
