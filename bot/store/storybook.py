"""Story placement against the database: the bot's :class:`bot.stories.placement.StoryBook`.

The same four steps as ``dealradar cluster`` (:mod:`bot.stories.replay`) — features, candidate
retrieval through the entity/time index, :class:`StoryClusterer` scoring, then
:func:`new_story` / :func:`merge_story` — with candidates read from ``story_companies`` and the
story written back to ``stories``, inside the fetch's transaction.

Each event of an article is placed on its own (features built from that event), so an article
reporting a partnership *and* a plant closure feeds a story of each type; for the usual
one-event article this is exactly the replay's code path.

Writes: a new story is inserted at once (its id is filed in the index); a merged story's row
is updated in memory and written at the transaction's next flush (a new story's, or the
commit), so a story that several reports of a batch join is written once, not per report.
Until then the index serves its signature from memory (:func:`unflushed_signatures`).

Concurrency: on PostgreSQL the transaction first takes an advisory lock per index key of the
article (sorted, transaction-scoped; a batch's keys all at once, before its first placement,
so two batches never wait for each other in a cycle). Two reports of one event share a key —
they could not match otherwise — so two replicas placing them at once take turns and the
second sees the first's story. SQLite transactions are ``BEGIN IMMEDIATE`` and already take turns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, text

from bot.domain import Article, Event, Status
from bot.store.ingest import IngestUnit
from bot.store.models import StoryRow
from bot.store.story_index import (
    SignatureCache,
    SqlStoryIndex,
    forget_on_rollback,
    unflushed_signatures,
)
from bot.stories.clusterer import StoryClusterer, window_center
from bot.stories.features import StoryFeatures
from bot.stories.index import StoryCandidate
from bot.stories.placement import CompanyFinder, Placement, story_features, text_of
from bot.stories.state import (
    ArticleInfo,
    StoryState,
    merge_story,
    new_story,
    signature_from_json,
)


def state_from_row(row: StoryRow, signature: StoryCandidate | None = None) -> StoryState:
    """The clustering state of a stored story (``signature``: its decoded signature, when the
    caller has it at hand, else decoded from the row).

    Raises:
        ValueError: the stored signature is unreadable (written by an incompatible version).
    """
    features = dict(row.features or {})
    status_at = features.get("status_at")
    return StoryState(
        key=row.key,
        event_type=row.event_type,
        status=Status(row.status),
        status_at=datetime.fromisoformat(status_at) if status_at else None,
        headline=row.headline,
        url=row.url,
        first_seen=row.first_seen_at,
        updated_at=row.updated_at,
        signature=signature or signature_from_json(row.key, features),
        companies=tuple(row.companies or ()),
        plant=row.plant,
        country=row.country,
        jobs=row.jobs,
        outlets=tuple(row.outlets or ()),
        article_count=row.article_count,
        evidence=tuple(row.evidence or ()),
    )


def _write(row: StoryRow, state: StoryState) -> None:
    assert state.status is not None
    row.key = state.key
    row.event_type = state.event_type
    row.status = state.status.value
    row.headline = state.headline
    row.url = state.url
    row.companies = list(state.companies)
    row.plant = state.plant
    row.country = state.country
    row.jobs = state.jobs
    row.outlets = list(state.outlets)
    row.article_count = state.article_count
    row.evidence = list(state.evidence)
    row.features = state.signature_json()
    row.first_seen_at = state.first_seen
    row.updated_at = state.updated_at


_KEY_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:k))")
_LOCKED = "dealradar.advisory_keys"  # session.info: keys this transaction has locked
_PLACED = "dealradar.placed_rows"  # session.info: story key -> row written by this transaction
_ROW_BY_KEY = select(StoryRow).where(StoryRow.key == bindparam("key"))
_ID_BY_KEY = select(StoryRow.id).where(StoryRow.key == bindparam("key"))


class SqlStoryBook:
    def __init__(
        self, find_companies: CompanyFinder, clusterer: StoryClusterer | None = None
    ) -> None:
        self._find = find_companies
        self._clusterer = clusterer or StoryClusterer()
        self._signatures = SignatureCache()

    def locks(self, unit: IngestUnit) -> bool:
        """Placements lock their keys on PostgreSQL only (SQLite has one writer at a time)."""
        return unit.session.get_bind().dialect.name == "postgresql"

    async def lock(self, unit: IngestUnit, keys: Iterable[str]) -> None:
        """Take the PostgreSQL advisory locks of ``keys`` this transaction does not hold yet,
        in sorted order. The pipeline locks a whole batch's keys up front: two batches
        locking article by article could each wait for a key the other holds."""
        if not self.locks(unit):
            return
        session = unit.session
        held: set[str] = session.info.setdefault(_LOCKED, set())
        for key in sorted(set(keys) - held):
            await session.execute(_KEY_LOCK, {"k": key})
            held.add(key)

    @staticmethod
    async def _key_taken(unit: IngestUnit, key: str) -> bool:
        with unit.session.no_autoflush:
            return bool(await unit.session.scalar(_ID_BY_KEY, {"key": key}))

    async def place(
        self,
        unit: IngestUnit,
        article: Article,
        event: Event,
        events: Sequence[Event],
        features: StoryFeatures | None = None,
    ) -> Placement:
        session = unit.session
        if features is None:  # not computed by the analysis workers: compute it here
            features = story_features(self._find, text_of(article), event, events)
        keys = features.index_keys()
        await self.lock(unit, keys)
        index = SqlStoryIndex(session, self._signatures)
        candidates = await index.candidates(keys, window_center(features))
        match = self._clusterer.assign(features, candidates)
        info = ArticleInfo(title=article.title, url=article.url, outlet=article.outlet)
        # A story this transaction wrote already is at hand (a batch places many reports of
        # one story); others are read once.
        placed: dict[str, StoryRow] = session.info.setdefault(_PLACED, {})
        row = None
        if match.story_key is not None:
            row = placed.get(match.story_key)
            if row is None:
                with session.no_autoflush:  # rows not flushed yet are all in ``placed``
                    row = (await session.scalars(_ROW_BY_KEY, {"key": match.story_key})).first()
        if row is not None:
            current = state_from_row(row, self._signatures.get(row.id, row.article_count))
            state, _changed = merge_story(current, features, event, info)
            previous = current.status
            created = False
        else:
            state = new_story(features, event, info)
            while state.key in placed or await self._key_taken(unit, state.key):
                state = new_story(features, event, info, key=state.key + "x")
            row = StoryRow(alertable=True)
            previous, created = None, True
        _write(row, state)
        session.add(row)
        if created:  # its id is needed now; merged stories are written at the next flush
            await session.flush()
        placed[state.key] = row
        unflushed_signatures(session)[row.id] = state.signature
        # the next report of this story in the batch finds it decoded: the signature just
        # written equals what decoding the row gives back (tests/stories/test_state.py), so
        # it is cached as is rather than decoded again (~0.3 ms a placement)
        self._signatures.put(row.id, state.article_count, state.signature)
        forget_on_rollback(session, self._signatures, row.id)
        await index.file(row.id, state.index_keys(), state.first_seen)
        return Placement(
            story=state, match=match, created=created, previous_status=previous, story_id=row.id
        )
