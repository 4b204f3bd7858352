"""Wall-clock rules of a channel's delivery mode: the next daily-digest time and quiet hours.

Times are "HH:MM" in the channel's IANA time zone; results are timezone-aware UTC. Pure
functions of ``now`` so tests can walk across midnight and DST changes without sleeping.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo:
    """The time zone ``name``, UTC when it is unknown (a stored name from an older tzdata)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _clock(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


def _at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, _clock(hhmm), tzinfo=tz).astimezone(UTC)


def next_daily(now: datetime, hhmm: str, tz_name: str) -> datetime:
    """The first ``hhmm`` in ``tz_name`` strictly after ``now``."""
    tz = zone(tz_name)
    today = now.astimezone(tz).date()
    candidate = _at(today, hhmm, tz)
    return candidate if candidate > now else _at(today + timedelta(days=1), hhmm, tz)


def quiet_until(now: datetime, start: str, end: str, tz_name: str) -> datetime | None:
    """When the quiet period around ``now`` ends, or None when ``now`` is not quiet.

    ``start`` > ``end`` means the period spans midnight (22:00-07:00).
    """
    tz = zone(tz_name)
    local = now.astimezone(tz)
    moment, begin, finish = local.time().replace(tzinfo=None), _clock(start), _clock(end)
    spans_midnight = begin > finish
    quiet = (moment >= begin or moment < finish) if spans_midnight else begin <= moment < finish
    if not quiet:
        return None
    return next_daily(now, end, tz_name)
