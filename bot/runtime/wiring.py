"""How the composition root builds the use-case objects from settings.

The alert router and the ``/deal`` runner over the SQL store, and the company table both
read (config companies first, then the classifier's table, loaded on first use). The store
implements the ports; building the use cases on top of it is the composition root's job, so
``dealradar deal`` and ``dealradar backfill`` build theirs here too without importing
:mod:`bot.runtime.app` and everything it wires.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.alerts.routing import Router
from bot.config.defaults import DEFAULT_WATCHLIST
from bot.config.settings import Settings
from bot.ports import Backfills, CompanyTable
from bot.store.commands_repo import SqlCommandStore
from bot.store.db import sessionmaker, writer_sessions
from handlers.company_directory import MergedTable, StaticCompanyTable
from handlers.runner import DealCommands


class DeferredTable:
    """A company table loaded on first use: the classifier's shipped table (its package and
    patterns) costs about 0.1 s that a run which routes no alert and answers no command never
    needs."""

    def __init__(self, load: Callable[[], CompanyTable]) -> None:
        self._load = load
        self._table: CompanyTable | None = None

    def _get(self) -> CompanyTable:
        if self._table is None:
            self._table = self._load()
        return self._table

    def resolve(self, name: str) -> str | None:
        return self._get().resolve(name)

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        return self._get().suggest(name, limit)

    def names(self) -> Iterable[str]:
        return self._get().names()


def _shipped_table() -> CompanyTable:
    """The classifier's table, or the default watchlist when the classifier is not installed."""
    try:
        from bot.classify.companies import CompanyTable as ClassifierTable
    except ImportError:
        return StaticCompanyTable(dict.fromkeys(DEFAULT_WATCHLIST, ()))
    return ClassifierTable.default()


def company_table(settings: Settings) -> CompanyTable:
    """Config companies (aliases the operator added) first, then the classifier's table, or
    the default watchlist when the classifier's table is not installed."""
    configured = StaticCompanyTable({c.name: c.aliases for c in settings.companies})
    return MergedTable(configured, DeferredTable(_shipped_table))


def build_router(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    table: CompanyTable | None = None,
) -> Router:
    """The alert router over config routes, the SQL store and the company table."""
    names = table or company_table(settings)
    store = SqlCommandStore(sessions, settings.poll_interval)
    return Router(settings.routes, store, canonical=lambda name: names.resolve(name) or name)


def build_commands(
    settings: Settings,
    engine: AsyncEngine,
    now: Callable[[], datetime] | None = None,
    table: CompanyTable | None = None,
    backfill: Backfills | None = None,
) -> DealCommands:
    """The ``/deal`` runner (also the ``FeedbackRecorder``) over ``engine``'s database."""
    store = SqlCommandStore(
        sessionmaker(engine), settings.poll_interval, writers=writer_sessions(engine)
    )
    return DealCommands(
        store,
        table or company_table(settings),
        now or (lambda: datetime.now(UTC)),
        routes=settings.routes,
        admins=settings.admins,
        watch_adds_sources=settings.watch_adds_sources,
        limits=settings.limits,
        backfill=backfill,
    )
