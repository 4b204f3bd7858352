"""Turning many due alerts into few messages: digests, flood grouping, admin notices.

Pure helpers the delivery worker calls on one channel's due deliveries at a time:

* :func:`group_flood` plans the sends: held deliveries (digest / quiet hours) always go out as
  one grouped message; new-story alerts are grouped when there are more than ``threshold`` of
  them (after an outage, say); everything else (follow-ups and status changes, which thread
  under their parent, notices) is sent one by one, in order.
* :func:`build_digest` makes the :class:`bot.domain.Digest` for a group: one entry per story
  (its latest alert, which carries the story as it stands now), newest stories first.
* :func:`admin_targets` and :func:`source_notice` address source-health one-liners.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.config.settings import Settings
from bot.domain import Alert, AlertKind, ChannelRef, Delivery, Digest, Message, Notice

T = TypeVar("T")


def build_digest(title: str, alerts: Sequence[Alert]) -> Digest:
    """One entry per story (the last alert given for it wins), newest first_seen first."""
    latest: dict[int, Alert] = {}
    for alert in alerts:
        latest[alert.story.id] = alert
    ordered = sorted(
        latest.values(), key=lambda a: (a.story.first_seen_at, a.story.id), reverse=True
    )
    return Digest(title=title, alerts=tuple(ordered))


def digest_title(count: int, hold: str | None) -> str:
    """``"Daily digest: 3 stories"``, ``"Catch-up after quiet hours: …"``, or a flood title."""
    stories = f"{count} {'story' if count == 1 else 'stories'}"
    if hold == "digest":
        return f"Daily digest: {stories}"
    if hold == "quiet":
        return f"Catch-up after quiet hours: {stories}"
    return f"{stories} at once, grouped into one message"


def group_flood(
    due: Sequence[T],
    threshold: int,
    message_of: Callable[[T], Message],
    held: Callable[[T], bool] = lambda _item: False,
) -> list[list[T]]:
    """Plan one channel's sends: a list of batches, each sent as one message.

    A batch of one is sent as is; a longer batch is sent as ``build_digest`` of its alerts.
    Held items form one batch (first); new-story alerts form one batch when there are more
    than ``threshold`` of them; the rest keep their order as batches of one.
    """
    held_items = [item for item in due if held(item) and isinstance(message_of(item), Alert)]
    rest = [item for item in due if not (held(item) and isinstance(message_of(item), Alert))]
    new = [item for item in rest if _is_new(message_of(item))]
    batches: list[list[T]] = [held_items] if held_items else []
    if len(new) > threshold:
        batches.append(new)
        batches.extend([item] for item in rest if not _is_new(message_of(item)))
    else:
        batches.extend([item] for item in rest)
    return batches


def group_deliveries(due: Sequence[Delivery], threshold: int) -> list[list[Delivery]]:
    """:func:`group_flood` for plain :class:`Delivery` values (nothing held)."""
    return group_flood(due, threshold, lambda d: d.message)


def _is_new(message: Message) -> bool:
    return isinstance(message, Alert) and message.kind is AlertKind.NEW


def admin_targets(settings: Settings) -> list[ChannelRef]:
    """Where source-health notices go: each enabled platform's ``admin_channel``, and the
    console when a console route exists (so a console-only install sees them too)."""
    out = []
    if settings.slack.enabled and settings.slack.admin_channel:
        out.append(ChannelRef("slack", settings.slack.admin_channel))
    if settings.discord.enabled and settings.discord.admin_channel:
        out.append(ChannelRef("discord", settings.discord.admin_channel))
    if any(route.platform == "console" for route in settings.routes):
        out.append(ChannelRef("console", ""))
    return out


def source_notice(name: str, *, disabled_reason: str | None) -> Notice:
    """One line for admins: a source was disabled (with why) or has recovered."""
    if disabled_reason:
        reason = " ".join(disabled_reason.split())[:200]
        return Notice(f"Source '{name}' is disabled: {reason}. /deal sources shows details.")
    return Notice(f"Source '{name}' is working again.")
