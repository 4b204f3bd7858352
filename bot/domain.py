"""The neutral language every layer of dealradar speaks.

Only stdlib types live here. Sources produce :class:`FeedEntry`, the store turns them into
:class:`Article`, the classifier yields :class:`Event`, clustering groups them into a
:class:`Story`, routing turns a story change into an :class:`Alert` addressed to a
:class:`ChannelRef`, and a :class:`Delivery` is what a platform sink sends. Platform-specific
shapes (Block Kit, Discord embeds, terminal colours) are built only in each adapter's renderer.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, Protocol


class EventType(StrEnum):
    """The two kinds of real-world event dealradar alerts on."""

    PLANT_CLOSURE = "plant_closure"
    PARTNERSHIP = "partnership"


class Status(StrEnum):
    """Where an event stands. Ordered by how far it has gone; see :data:`FINAL_STATUSES`."""

    TALKS = "talks"
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    DENIED = "denied"
    CANCELLED = "cancelled"


FINAL_STATUSES = frozenset({Status.CONFIRMED, Status.DENIED, Status.CANCELLED})


@dataclass(frozen=True, slots=True)
class Event:
    """One event the classifier found in one article."""

    type: EventType
    status: Status
    companies: tuple[str, ...] = ()
    plant: str | None = None
    location: str | None = None
    country: str | None = None
    jobs: int | None = None
    confidence: float = 0.0
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "status": self.status.value,
            "companies": list(self.companies),
            "plant": self.plant,
            "location": self.location,
            "country": self.country,
            "jobs": self.jobs,
            "confidence": round(self.confidence, 3),
            "evidence": list(self.evidence),
        }


class Classifier(Protocol):
    """Pure, synchronous, deterministic: text in, zero or more events out."""

    def classify(self, title: str, summary: str = "", body: str = "") -> list[Event]: ...


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item as a source kind delivers it, normalised but not yet stored."""

    title: str
    url: str
    guid: str | None = None
    summary: str = ""
    published: datetime | None = None
    outlet: str | None = None  # publisher where the feed names it (news-search <source>),
    # else the link's site once parsed (bot.sources.offload)
    canonical_url: str | None = None  # computed where the feed was parsed (a worker), if there

    @property
    def storable(self) -> bool:
        """Whether the pipeline stores this entry as an article: it needs a link and a title."""
        return bool(self.url and self.title)

    def __reduce__(self) -> tuple[type[FeedEntry], tuple[Any, ...]]:
        # Entries cross from the parse workers 20 a feed, unpickled on the event loop's
        # process: the constructor loads twice as fast as a slots dataclass's state protocol.
        return (FeedEntry, _feed_entry_values(self))


_feed_entry_values = operator.attrgetter(*(f.name for f in fields(FeedEntry)))


@dataclass(frozen=True, slots=True)
class Article:
    """A stored article: one per real article, whatever URL or feed it came through."""

    id: int
    url: str
    canonical_url: str
    title: str
    summary: str
    outlet: str
    first_seen_at: datetime
    guid: str | None = None
    published_at: datetime | None = None
    source_id: int | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """One real-world event, as reported by one or more articles."""

    id: int
    key: str
    event_type: EventType
    status: Status
    headline: str
    url: str
    first_seen_at: datetime
    updated_at: datetime
    companies: tuple[str, ...] = ()
    plant: str | None = None
    country: str | None = None
    jobs: int | None = None
    outlets: tuple[str, ...] = ()
    article_count: int = 1
    evidence: tuple[str, ...] = ()

    @property
    def outlet_count(self) -> int:
        return len(self.outlets)


class AlertKind(StrEnum):
    NEW = "new"  # the first alert of a story: a top-level message
    FOLLOW_UP = "follow_up"  # another article of the story: a thread reply, parent updated
    STATUS_CHANGE = "status_change"  # the story's status moved: thread reply, also shown in channel


DeliveryKind = Literal["new", "follow_up", "status_change", "digest", "notice", "facet"]
"""What an outbox row carries: an alert of that :class:`AlertKind`, an alert held for a digest
(quiet hours, a daily digest), an admin notice, or a facet (a story shown in another story's
message, never sent itself)."""

ALERT_DELIVERY: dict[AlertKind, DeliveryKind] = {
    AlertKind.NEW: "new",
    AlertKind.FOLLOW_UP: "follow_up",
    AlertKind.STATUS_CHANGE: "status_change",
}
"""The delivery kind of an alert sent as it is (not held for a digest)."""

DeliveryState = Literal["pending", "sent", "failed", "joined"]
"""Where an outbox row stands: waiting to be sent, sent, given up on, or (a facet) joined to
the message that shows it."""


@dataclass(frozen=True, slots=True)
class Alert:
    """What a channel is told about a story, independent of any platform."""

    kind: AlertKind
    story: Story  # the story as it stands after this article
    article_title: str  # the article that caused this alert
    article_url: str
    outlet: str
    why: str  # one line: the evidence that made it fire
    previous_status: Status | None = None
    # the other stories one message shows with this one: an article that reports two events
    # (talks on a partnership and a plant's closure) posts one message with both facets
    also: tuple[Story, ...] = ()

    @property
    def facets(self) -> tuple[Story, ...]:
        """Every story of the message, lead first: the lead is the oldest (smallest id), so a
        message reads the same whichever of its stories an update comes from."""
        return tuple(sorted((self.story, *self.also), key=lambda story: story.id))


@dataclass(frozen=True, slots=True)
class Digest:
    """Several alerts sent as one message: a daily digest, a catch-up or flood grouping."""

    title: str
    alerts: tuple[Alert, ...]


@dataclass(frozen=True, slots=True)
class Notice:
    """An operational one-liner for an admin channel (a source disabled or recovered)."""

    text: str


Message = Alert | Digest | Notice


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A destination: ``platform`` is ``console``, ``slack`` or ``discord``."""

    platform: str
    channel: str = ""


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message a sink posted: Slack ``ts`` or Discord message id, plus a Discord thread id."""

    platform: str
    channel: str
    message_id: str
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to send to one channel, taken from the outbox.

    ``key`` is stable across retries and restarts: sinks use it for idempotency (Discord nonce,
    Slack message metadata) so a retry after an ambiguous failure does not post twice.
    ``parent`` is the story's first message in this channel, for threading and updating.
    """

    id: int
    key: str
    target: ChannelRef
    message: Message
    parent: MessageRef | None = None
    attempt: int = 0


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a sink reports after a successful send."""

    message: MessageRef | None = None
    extra: dict[str, str] = field(default_factory=dict)
