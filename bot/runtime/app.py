"""The composition root: the one place that reads settings and builds everything.

:func:`build` wires store, sources, classifier, stories, routing, sinks, the HTTP server and the
chat adapters from :class:`bot.config.settings.Settings`; :func:`run_once` and
:func:`run_forever` drive them. Nothing else in dealradar constructs collaborators from
settings, so tests and benchmarks build exactly what the bot runs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.alerts.delivery import DeliveryStats, DeliveryWorker
from bot.alerts.grouping import admin_targets
from bot.config.settings import Settings
from bot.domain import ChannelRef, Notice
from bot.ingest.analysis import Analyser, DeferredClassifier
from bot.ingest.backfill import Backfiller, BackfillJobs
from bot.ingest.pipeline import Pipeline
from bot.ingest.poller import Poller, PollStats
from bot.ingest.workers import WorkerPool, start_pool, start_workers, stop_pool, worker_count
from bot.metrics import Metrics
from bot.ports import Sink
from bot.readiness import StoreHealth
from bot.runtime.scheduling import Tick, Ticker
from bot.runtime.wiring import build_commands, build_router, company_table
from bot.sinks.console import ConsoleSink
from bot.sources.base import FetchLimits
from bot.sources.client import build_client
from bot.sources.registry import SOURCE_KINDS
from bot.store.db import create_engine, migration_state, sessionmaker, upgrade, writer_sessions
from bot.store.health import write_problem
from bot.store.ingest import IngestUnits
from bot.store.leader import GATEWAY_LOCK_ID, LeaderOnly
from bot.store.leases import release_orphaned
from bot.store.outbox import ClaimedDelivery, Outbox
from bot.store.processed_requests import ProcessedRequests
from bot.store.sources_repo import DesiredSource, SourcesRepo
from bot.store.storybook import SqlStoryBook
from handlers.runner import DealCommands

if TYPE_CHECKING:  # the HTTP server (aiohttp) is imported by run_forever only
    import httpcore

    from bot.web.routes import WebRoute
    from bot.web.server import WebServer

log = logging.getLogger("dealradar")

POLL_TICK_S = 1.0
DELIVERY_TICK_S = 1.0


def utcnow() -> datetime:
    return datetime.now(UTC)


def process_owner() -> str:
    """A lease owner id unique to this process (host, pid and a random suffix)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


def desired_sources(settings: Settings) -> list[DesiredSource]:
    return [
        DesiredSource(
            name=s.name,
            kind=s.resolved_kind,
            url=s.url,
            query=s.query,
            interval_s=s.interval or settings.poll_interval,
        )
        for s in settings.sources
    ]


def fetch_limits(settings: Settings) -> FetchLimits:
    f = settings.fetch
    return FetchLimits(
        total_timeout=f.timeout,
        connect_timeout=f.connect_timeout,
        read_timeout=min(f.timeout, 10.0),
        max_body_bytes=f.max_body_bytes,
        max_redirects=f.max_redirects,
        allow_private_networks=f.allow_private_networks,
    )


def http_connection_cap(configured: int) -> int:
    """``http.max_connections``, held to half the process's open-file limit: the other half is
    for feeds, the database and the workers, and ``accept()`` never runs out of descriptors
    because of HTTP clients."""
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or configured <= soft // 2:
        return configured
    cap = max(1, soft // 2)
    log.warning(
        "http.max_connections held to half the open-file limit",
        extra={"kv": {"configured": configured, "cap": cap, "open_file_limit": soft}},
    )
    return cap


class Service(Protocol):
    """A long-lived connection started by ``run`` (Slack Socket Mode, the Discord gateway)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    owner: str
    clock: Callable[[], datetime]
    metrics: Metrics
    sources: SourcesRepo
    outbox: Outbox
    units: IngestUnits
    poller: Poller
    delivery: DeliveryWorker
    client: httpx.AsyncClient
    sinks: dict[str, Sink]
    backfiller: Backfiller
    backfills: BackfillJobs
    commands: DealCommands | None = None
    web_routes: list[WebRoute] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)  # chat connections, long runs only
    closers: list[Callable[[], object]] = field(default_factory=list)
    workers: tuple[WorkerPool, int] | None = None  # parse/classify pool, its size
    store_health: StoreHealth = field(default_factory=StoreHealth)

    async def warm_up(self) -> None:
        """Start the worker processes now rather than inside the first poll."""
        if self.workers is not None:
            await start_workers(*self.workers)

    async def notify_admins(self, notice: Notice) -> None:
        """Queue a source-health notice for each platform's admin channel (console: the log)."""
        now = self.clock()
        targets: list[ChannelRef] = [
            t for t in admin_targets(self.settings) if t.platform in self.sinks
        ]
        async with self.units.begin() as unit:
            for target in targets:
                await unit.enqueue(
                    key=f"notice:{secrets.token_hex(8)}",
                    story_id=None,
                    platform=target.platform,
                    channel=target.channel,
                    kind="notice",
                    message=notice,
                    not_before=now,
                    now=now,
                )

    async def poll_once(self, horizon: timedelta = timedelta(0)) -> PollStats:
        try:
            stats = await self.poller.poll_due(horizon)
        except Exception as exc:  # claiming or releasing sources failed: the store is failing
            self.store_health.failed(
                "state", f"{type(exc).__name__}: {str(exc)[:200]}", self.clock()
            )
            raise
        for kind, error in stats.store_errors.items():
            self.store_health.failed(kind, error, self.clock())
        for kind in stats.stored - stats.store_errors.keys():
            self.store_health.succeeded(kind)
        m = self.metrics
        m.polls.labels("changed").inc(stats.changed)
        m.polls.labels("not_modified").inc(stats.not_modified)
        m.polls.labels("failed").inc(stats.failed)
        for reason, count in stats.failures_by_reason.items():
            m.fetch_failures.labels(reason).inc(count)
        m.sources_disabled.inc(len(stats.disabled))
        if stats.polled:
            log.info(
                "poll cycle",
                extra={
                    "kv": {
                        "polled": stats.polled,
                        "changed": stats.changed,
                        "not_modified": stats.not_modified,
                        "failed": stats.failed,
                        "new_articles": stats.new_articles,
                        "disabled": len(stats.disabled),
                    }
                },
            )
        return stats

    async def deliver_once(self, horizon: timedelta = timedelta(0)) -> DeliveryStats:
        stats = await self.delivery.run_once(horizon)
        for latency in stats.latencies:
            self.metrics.latency.observe(latency)
        self.metrics.queue_depth.set(await self.outbox.depth(self.clock()))
        if stats.sent or stats.failed or stats.retried:
            log.info(
                "delivery cycle",
                extra={
                    "kv": {"sent": stats.sent, "retried": stats.retried, "failed": stats.failed}
                },
            )
        return stats

    async def close(self) -> None:
        for closer in reversed(self.closers):
            result = closer()
            if asyncio.iscoroutine(result):
                await result


async def build(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    network: httpcore.AsyncNetworkBackend | None = None,
) -> Runtime:
    """Build the whole bot from settings: migrations applied, config sources synced.

    ``network`` replaces the network under the httpcore wire's address pinning (tests: a
    stand-in internet); the default is the real one.

    Raises:
        bot.errors.StoreError: the database cannot be reached or migrated.
    """
    from bot.errors import CorruptDatabaseError, StoreError

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    except CorruptDatabaseError:
        await engine.dispose()
        raise
    except Exception as exc:
        await engine.dispose()
        raise StoreError(
            f"cannot open or migrate the database: {type(exc).__name__}: {exc}"
        ) from exc
    sessions = sessionmaker(engine)
    writers = writer_sessions(engine)
    owner = process_owner()
    metrics = Metrics()
    sources = SourcesRepo(writers)
    try:
        await sources.sync_config(desired_sources(settings), clock())
        released = await release_orphaned(writers, owner)
    except BaseException:
        await engine.dispose()
        raise
    if released:
        log.info("released leases of dead processes", extra={"kv": {"leases": released}})
    seen = ProcessedRequests(writers, clock=clock)
    outbox = Outbox(writers)
    units = IngestUnits(writers)
    limits = fetch_limits(settings)
    client = build_client(
        limits,
        user_agent=settings.fetch.user_agent,
        max_connections=settings.fetch.concurrency,
        backend=settings.fetch.backend,
        network=network,
    )
    extra_companies = [c.model_dump() for c in settings.companies]
    workers = worker_count(settings.fetch.parse_workers)
    parse_pool = start_pool(workers, extra_companies)
    # config extends the shipped table; built when the first new article needs it
    classifier = DeferredClassifier(extra_companies)
    companies = company_table(settings)
    router = build_router(settings, sessions, companies)
    pipeline = Pipeline(
        units,
        classifier,
        SqlStoryBook(classifier.find_companies),
        router,
        owner=owner,
        group_wait=settings.group_wait,
        metrics=metrics,
        analyse_many=Analyser(classifier, parse_pool, workers).analyse_many,
    )
    backfiller = Backfiller(client, limits, pipeline.store_backlog, sources.all, clock=clock)
    backfills = BackfillJobs(backfiller)
    commands = build_commands(settings, engine, now=clock, table=companies, backfill=backfills)
    sinks: dict[str, Sink] = {"console": ConsoleSink()}

    def on_result(item: ClaimedDelivery, outcome: str, _latency: float | None) -> None:
        metrics.deliveries.labels(item.delivery.target.platform, outcome).inc()

    runtime_holder: list[Runtime] = []

    async def notify(notice: Notice) -> None:
        await runtime_holder[0].notify_admins(notice)

    poller = Poller(
        sources,
        client,
        SOURCE_KINDS,
        pipeline.ingest_many,
        finish_many=units.finish_polls,
        owner=owner,
        limits=limits,
        clock=clock,
        concurrency=settings.fetch.concurrency,
        notify=notify,
        lease_s=settings.fetch.lease,
        writers=1 if engine.dialect.name == "sqlite" else settings.fetch.store_writers,
        ingest_batch=settings.fetch.ingest_batch,
    )
    delivery = DeliveryWorker(
        outbox,
        sinks,
        owner=owner,
        clock=clock,
        max_attempts=settings.delivery.max_attempts,
        per_channel_interval=settings.delivery.per_channel_interval,
        flood_threshold=settings.delivery.flood_threshold,
        on_result=on_result,
        lease_s=settings.delivery.lease,
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        owner=owner,
        clock=clock,
        metrics=metrics,
        sources=sources,
        outbox=outbox,
        units=units,
        poller=poller,
        delivery=delivery,
        client=client,
        sinks=sinks,
        backfiller=backfiller,
        backfills=backfills,
    )
    runtime.commands = commands
    if settings.slack.enabled:
        from bot.slackapp.app import build_slack_runtime

        slack = build_slack_runtime(
            settings.slack, commands, commands, admin_ids=settings.admins, seen=seen
        )
        sinks["slack"] = slack.sink
        runtime.web_routes += slack.web_routes()
        runtime.services.append(slack)
    _wire_discord(runtime, engine, commands, seen)
    if settings.web.enabled:
        from bot.console import build_console
        from bot.store.commands_repo import SqlCommandStore
        from bot.store.console_reads import ConsoleReads

        reads, store = ConsoleReads(sessions), SqlCommandStore(sessions, settings.poll_interval)
        runtime.web_routes += build_console(settings, reads, store, companies, clock)
    runtime_holder.append(runtime)
    runtime.closers += [engine.dispose, client.aclose, backfills.close]
    if parse_pool is not None:
        runtime.workers = (parse_pool, workers)
        runtime.closers.append(lambda: stop_pool(parse_pool))
    return runtime


def _wire_discord(
    runtime: Runtime, engine: AsyncEngine, commands: DealCommands, seen: ProcessedRequests
) -> None:
    """REST sink and (one replica's) gateway with DISCORD_TOKEN; HTTP interactions with
    DISCORD_PUBLIC_KEY. Alerts never wait for the gateway."""
    settings = runtime.settings
    if settings.discord.enabled:
        from bot.discordapp.client import DiscordGateway
        from bot.discordapp.sink import DiscordSink

        async def tell_admins(text: str) -> None:
            await runtime.notify_admins(Notice(text))

        sink = DiscordSink.from_settings(settings.discord, notify=tell_admins)
        runtime.sinks["discord"] = sink
        runtime.closers.append(sink.close)
        gateway = DiscordGateway(
            settings.discord, commands, feedback=commands, admins=settings.admins
        )
        runtime.services.append(LeaderOnly(engine, gateway, GATEWAY_LOCK_ID, "discord-gateway"))
    if settings.discord.public_key:
        from bot.discordapp.interactions import InteractionsEndpoint

        endpoint = InteractionsEndpoint.from_settings(
            settings.discord, commands, feedback=commands, admins=settings.admins, seen=seen
        )
        runtime.web_routes += endpoint.routes()
        runtime.closers.append(endpoint.aclose)


async def run_once(runtime: Runtime, *, flush: bool = True) -> int:
    """One poll-and-deliver cycle. Returns the exit code: 0, or 1 when nothing could be done.

    ``flush`` also delivers alerts still inside ``group_wait`` (a cron-driven run must not wait).
    """
    # a cron-driven run also polls sources due within the interval's jitter (±10 %), so a
    # source is not skipped for a whole cron period because it came due a few seconds late
    stats = await runtime.poll_once(timedelta(seconds=0.1 * runtime.settings.poll_interval))
    horizon = timedelta(seconds=runtime.settings.group_wait + 1 if flush else 0)
    sent = await runtime.deliver_once(horizon)
    if stats.polled and stats.failed == stats.polled and not sent.sent:
        return 1
    return 0


async def run_forever(
    runtime: Runtime, stop: asyncio.Event, announce: Callable[[str], None] | None = None
) -> None:
    """Tick until ``stop`` is set, then shut down cleanly (in-flight work finishes).
    ``announce`` takes the console lines summarising the first poll
    (:mod:`bot.runtime.first_run`)."""
    settings = runtime.settings
    web: WebServer | None = None
    if settings.http.enabled:
        from bot.web.server import WebServer

        engine_ready = ready_check(runtime)
        web = WebServer(
            settings.http.host,
            settings.http.port,
            metrics=runtime.metrics,
            ready=engine_ready,
            routes=runtime.web_routes,
            read_timeout=settings.http.read_timeout,
            max_connections=http_connection_cap(settings.http.max_connections),
        )
        await web.start()
    ticker = Ticker(
        [
            Tick("poll", POLL_TICK_S, _first_poll_summary(runtime, announce)),
            Tick("deliver", DELIVERY_TICK_S, runtime.deliver_once),
        ]
    )
    started: list[Service] = []

    async def start(service: Service) -> None:
        try:
            await service.start()
            started.append(service)
        except Exception:  # a chat connection failing delays commands, never alerts
            log.exception(
                "service failed to start", extra={"kv": {"service": type(service).__name__}}
            )

    warming = asyncio.create_task(runtime.warm_up())  # workers ready before the first fetch
    ticker.start()  # before the chat connections: one that retries forever (a revoked
    # Socket Mode token) must hold up neither alerts nor shutdown
    starting = [asyncio.create_task(start(service)) for service in runtime.services]
    log.info(
        "dealradar running",
        extra={"kv": {"owner": runtime.owner, "sinks": ",".join(sorted(runtime.sinks))}},
    )
    try:
        await stop.wait()
    finally:
        log.info("shutting down")
        for task in starting:
            task.cancel()
        await asyncio.gather(*starting, return_exceptions=True)
        await asyncio.gather(warming, return_exceptions=True)
        await ticker.shutdown()
        for service in reversed(started):
            await service.stop()
        if web is not None:
            await web.stop()


def _first_poll_summary(
    runtime: Runtime, announce: Callable[[str], None] | None
) -> Callable[[], Awaitable[PollStats]]:
    if announce is None:
        return runtime.poll_once
    from bot.runtime.first_run import announcing
    from bot.store.summary import store_summary

    return announcing(runtime.poll_once, lambda: store_summary(runtime.engine), announce)


def ready_check(runtime: Runtime) -> Callable[[], Awaitable[str | None]]:
    """``/readyz``: the schema is current, the database takes a write now, and the bot's own
    writes (articles, sources' state) are not failing. None when ready, else the reason."""

    async def ready() -> str | None:
        current, head = await migration_state(runtime.engine)
        if current != head:
            return f"database at migration {current}, expected {head}"
        problem = await write_problem(runtime.engine, runtime.settings.database_url)
        return problem or runtime.store_health.problem()

    return ready
