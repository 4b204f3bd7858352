"""The unit every detector returns: a cue, the words that fired it, and why."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cue:
    """One piece of evidence found in one sentence.

    ``rule`` names the rule ("closure", "averted", "venture+action", ...), ``words`` quotes the
    spans, ``strength`` (0-1) feeds the confidence, ``status_hint`` is set when the rule itself
    implies a status (a closure averted is ``cancelled`` whatever else the sentence says).
    """

    rule: str
    words: tuple[str, ...]
    start: int
    strength: float
    status_hint: str | None = None

    def evidence(self, label: str) -> str:
        quoted = " + ".join(f'"{w}"' for w in self.words)
        return f"{label}: {quoted} ({self.rule})"


def mask(low: str, pattern: re.Pattern[str], group: int = 0) -> str:
    """Blank out (same length) every match of ``pattern``'s ``group`` so later cues skip it."""

    def blank(m: re.Match[str]) -> str:
        s, e = m.span(group)
        whole_s = m.start()
        text = m.group(0)
        return text[: s - whole_s] + " " * (e - s) + text[e - whole_s :]

    return pattern.sub(blank, low)


def first(pattern: re.Pattern[str], low: str, lo: int, hi: int) -> re.Match[str] | None:
    """The first match of ``pattern`` inside ``low[lo:hi]``."""
    return pattern.search(low, lo, hi)


def last(pattern: re.Pattern[str], low: str, lo: int, hi: int) -> re.Match[str] | None:
    """The last match of ``pattern`` inside ``low[lo:hi]``."""
    found: re.Match[str] | None = None
    for m in pattern.finditer(low, lo, hi):
        found = m
    return found
