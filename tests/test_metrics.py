"""The ``/metrics`` registry: the bot's own metrics beside the process, platform and
garbage-collector collectors, in each registry of its own."""

from __future__ import annotations

import os
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import Metrics


def samples(metrics: Metrics) -> dict[str, float]:
    text = metrics.render().decode()
    return {
        sample.name + str(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def names(metrics: Metrics) -> set[str]:
    text = metrics.render().decode()
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


def test_platform_and_gc_collectors_are_registered() -> None:
    found = names(Metrics())
    assert "python_info" in found
    assert "python_gc_objects_collected_total" in found
    assert "python_gc_collections_total" in found
    assert "dealradar_articles_total" in found


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="the process collector reads /proc")
def test_process_collector_reports_this_process() -> None:
    values = samples(Metrics())
    assert values["process_resident_memory_bytes[]"] > 1_000_000
    assert values["process_open_fds[]"] >= 3
    assert values["process_cpu_seconds_total[]"] > 0
    assert values["process_start_time_seconds[]"] > 0


def test_python_info_names_this_interpreter() -> None:
    text = Metrics().render().decode()
    (info,) = [
        s
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name == "python_info"
    ]
    assert info.labels["implementation"] == sys.implementation.name.capitalize().replace(
        "Cpython", "CPython"
    )
    assert info.labels["major"] == str(sys.version_info.major)
    assert info.labels["minor"] == str(sys.version_info.minor)


def test_each_metrics_object_has_a_registry_of_its_own() -> None:
    first, second = Metrics(), Metrics()  # no "Duplicated timeseries" between them
    first.articles.inc()
    assert samples(first)["dealradar_articles_total[]"] == 1
    assert samples(second)["dealradar_articles_total[]"] == 0
