"""The contract between the poller and a source kind.

A source kind turns a :class:`SourceSpec` plus its last :class:`FetchState` into a
:class:`FetchOutcome`. It raises :class:`bot.errors.SourceError` on failure (with ``reason``,
``retryable`` and ``retry_after``). The poller (``bot/ingest/poller.py``) owns scheduling and
persistence; kinds own only the wire and the format.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

import httpx

from bot.domain import FeedEntry


@dataclass(frozen=True, slots=True)
class SourceSpec:
    name: str
    kind: str  # key of SOURCE_KINDS
    url: str | None = None
    query: str | None = None


@dataclass(frozen=True, slots=True)
class FetchState:
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    # Digests of the entries of the last document whose entries were stored
    # (:func:`bot.sources.offload.entry_digest`, 8 bytes each, concatenated); a parse leaves
    # entries with these out of its result. Held in memory by the poller, never in the database.
    seen: bytes = b""


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """``changed``: new body parsed; ``not_modified``: 304; ``unchanged``: 200, same body hash."""

    status: Literal["changed", "not_modified", "unchanged"]
    entries: list[FeedEntry] = field(default_factory=list)
    state: FetchState = FetchState()
    max_age: float | None = None  # seconds, from Cache-Control, to push the next poll out
    moved_to: str | None = None  # set when every redirect hop was permanent (301/308)


@dataclass(frozen=True, slots=True)
class FetchLimits:
    total_timeout: float = 20.0  # seconds for the whole fetch, trickling servers included
    connect_timeout: float = 5.0
    read_timeout: float = 10.0  # seconds without a byte before a read fails
    max_body_bytes: int = 5 * 1024 * 1024  # decoded size cap
    max_redirects: int = 5
    allow_private_networks: bool = False


SourceKind = Callable[
    [httpx.AsyncClient, SourceSpec, FetchState, FetchLimits], Awaitable[FetchOutcome]
]
