"""Prometheus metrics, one registry per process (served at ``/metrics``).

Names follow Prometheus conventions (``_total`` counters, ``_seconds`` histograms). Labels are
small closed sets (outcome, reason, platform, type) so cardinality stays bounded whatever the
feeds say.

Beside the bot's own metrics the registry carries the standard collectors a private registry
does not get by itself: the process (``process_*``: CPU, resident memory, open file
descriptors, start time; read from ``/proc``, absent elsewhere), the platform
(``python_info``) and the garbage collector (``python_gc_*``).
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        self.polls = Counter(
            "dealradar_polls_total", "Source polls by outcome", ["outcome"], registry=r
        )
        self.fetch_failures = Counter(
            "dealradar_fetch_failures_total",
            "Failed source fetches by reason",
            ["reason"],
            registry=r,
        )
        self.articles = Counter("dealradar_articles_total", "New articles stored", registry=r)
        self.stories = Counter("dealradar_stories_total", "New stories", ["type"], registry=r)
        self.events = Counter("dealradar_events_total", "Events classified", ["type"], registry=r)
        self.deliveries = Counter(
            "dealradar_deliveries_total",
            "Deliveries by platform and outcome",
            ["platform", "outcome"],
            registry=r,
        )
        self.latency = Histogram(
            "dealradar_delivery_latency_seconds",
            "From a story's first sighting to its alert being sent",
            buckets=(1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600),
            registry=r,
        )
        self.queue_depth = Gauge(
            "dealradar_queue_depth", "Deliveries due and not yet sent", registry=r
        )
        self.sources_disabled = Counter(
            "dealradar_sources_disabled_total",
            "Sources disabled after repeated failures",
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
