"""Durations as people write them in config and commands: "2s", "30s", "5m", "1h30m"."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_duration(text: str) -> float:
    """Seconds in ``text``.

    Raises:
        ValueError: the text is not one or more ``<number><unit>`` parts (units ms, s, m, h, d,
            w), or the total is not positive.
    """
    spec = text.strip().lower().replace(" ", "")
    if not spec:
        raise ValueError("empty duration")
    pos = 0
    total = 0.0
    for match in _PART.finditer(spec):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(spec):
        raise ValueError(f"{text!r} is not a duration like '30s', '5m', '1h' or '1h30m'")
    if total <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    return total


def format_duration(seconds: float) -> str:
    """The shortest exact spelling (``300.0`` → ``"5m"``), for messages and ``/deal list``."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    out = []
    rest = round(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"


def _coerce(value: object) -> object:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, bool):
        raise ValueError("a duration is written like '30s' or '5m'")
    if isinstance(value, int | float):
        if value <= 0:
            raise ValueError("must be longer than zero")
        return float(value)
    return value


Duration = Annotated[float, BeforeValidator(_coerce), PlainSerializer(format_duration)]
"""Seconds as a float; accepts ``"5m"``-style strings or plain numbers of seconds."""
