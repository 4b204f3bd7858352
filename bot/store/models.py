"""SQLAlchemy table definitions: the whole schema, shared by SQLite and PostgreSQL.

Per-source fetch state, the outbox and leases are plain columns so that which source is due and
which delivery is pending is data in the store; the scheduler only ticks (see miniflux). Lists
(companies, outlets, evidence) are JSON columns; lookups by company go through the
``story_companies`` index table instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.domain import DeliveryKind, DeliveryState

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identities.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)
    query: Mapped[str | None] = mapped_column(Text)
    interval_s: Mapped[float] = mapped_column(Float)
    origin: Mapped[str] = mapped_column(String(32), default="config")  # config | chat | watch
    # "platform:user" for sources added from chat; counted against limits.* quotas
    created_by: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # conditional GET and change detection
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    # schedule and health
    next_poll_at: Mapped[datetime] = mapped_column(index=True)
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None]
    backlog_done: Mapped[bool] = mapped_column(Boolean, default=False)
    # the latest polls' outcomes, oldest first, one letter each (bot.ingest.poll_marks.POLL_MARKS)
    recent_polls: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # replica coordination
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    guid: Mapped[str | None] = mapped_column(String(512), index=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    outlet: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime] = mapped_column(index=True)
    classified: Mapped[bool] = mapped_column(Boolean, default=False)
    alertable: Mapped[bool] = mapped_column(Boolean, default=True)  # False for a source's backlog


class StoryRow(Base):
    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    event_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    headline: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    companies: Mapped[list[Any]] = mapped_column(JSON, default=list)
    plant: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(100))
    jobs: Mapped[int | None] = mapped_column(Integer)
    outlets: Mapped[list[Any]] = mapped_column(JSON, default=list)
    article_count: Mapped[int] = mapped_column(Integer, default=1)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    features: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # clustering signature
    alertable: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class StoryCompanyRow(Base):
    """Index table: which stories name which canonical company (``/deal nissan``, clustering)."""

    __tablename__ = "story_companies"

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    company: Mapped[str] = mapped_column(String(200), primary_key=True)
    first_seen_at: Mapped[datetime]

    __table_args__ = (Index("ix_story_companies_company_seen", "company", "first_seen_at"),)


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    companies: Mapped[list[Any]] = mapped_column(JSON, default=list)
    plant: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(100))
    jobs: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]


class DeliveryRow(Base):
    """The outbox. A row is committed before any send is attempted and marked sent after."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(100))
    # a facet's ``joined_to`` is the delivery of the message that shows it
    kind: Mapped[DeliveryKind] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[DeliveryState] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims, rate-limited ones too
    # claims the platform answered "rate limited": counted in ``attempts`` (so a sink knows an
    # earlier claim may have posted), left out of the ``delivery.max_attempts`` budget
    deferrals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    not_before: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(100))
    thread_id: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    joined_to: Mapped[int | None] = mapped_column(BigId)

    __table_args__ = (
        Index("ix_deliveries_due", "state", "not_before"),
        Index("ix_deliveries_story_channel", "story_id", "platform", "channel"),
    )


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(100))
    company: Mapped[str] = mapped_column(String(200))  # canonical name; "*" = every company
    # all | plant_closure | partnership
    events: Mapped[str] = mapped_column(String(32), default="all")
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    # bot.filters.Filters.to_json(); None = no filters
    filters: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (
        UniqueConstraint("platform", "channel", "company", name="uq_subscription"),
        Index("ix_subscriptions_company", "company"),
    )


class MuteRow(Base):
    __tablename__ = "mutes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(100))
    company: Mapped[str] = mapped_column(String(200))
    until: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("platform", "channel", "company", name="uq_mute"),)


class ChannelSettingsRow(Base):
    __tablename__ = "channel_settings"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(100), primary_key=True)
    digest_time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM"; None = instant alerts
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    last_digest_at: Mapped[datetime | None]


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    user: Mapped[str] = mapped_column(String(100))
    useful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("story_id", "platform", "user", name="uq_feedback"),)


class ProcessedRequestRow(Base):
    """Ids of chat requests already handled, so retried or replayed requests run once."""

    __tablename__ = "processed_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
