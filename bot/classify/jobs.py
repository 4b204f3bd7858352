"""Jobs at stake: the first head-count a story states ("about 3,900 jobs", "1.2k workers").

A number counts only when a jobs noun follows it within a few words, so money ("$2 billion"),
years ("in 2022") and capacities ("7,200 megawatts") are ignored.
"""

from __future__ import annotations

import re

_JOBS = re.compile(
    r"(?<![\w$£€.,])(\d{1,3}(?:,\d{3})+|\d{1,3}(?:[. ]\d{3})+(?![.,]?\d)|\d+(?:\.\d+)?)"
    r"\s*(k\b|thousand\b|million\b)?"
    r"(?:\s+(?!jobs?\b|workers?\b)[a-z][a-z-]*,?){0,4}?\s+"
    r"(jobs?|workers?|employees?|positions?|staff(?:ers)?|people|posts|roles|employment|"
    r"job\s+(?:cuts|losses)|redundancies|layoffs|lay-offs|"
    # other languages: de, fr, es, pt, it, nl, sv
    r"arbeitspl(?:ä|ae)tze|stellen|mitarbeiter(?:n|innen)?|besch(?:ä|ae)ftigte\w*|emplois|postes|"
    r"salari(?:é|e)s|empleos|trabajadores|empregos|trabalhadores|posti|lavoratori|banen|"
    r"werknemers|anst(?:ä|a)llda|jobb)\b",
    re.I,
)
_SCALE = {"k": 1_000, "thousand": 1_000, "million": 1_000_000}


def find_jobs(text: str) -> tuple[int, str] | None:
    """The first stated head-count in ``text`` and the phrase it came from, or ``None``."""
    for m in _JOBS.finditer(text):
        raw, scale = m.group(1), (m.group(2) or "").lower()
        digits = raw.replace(",", "")
        if re.fullmatch(r"\d{1,3}(?:[. ]\d{3})+", digits):  # "1.500 Jobs", "3 000 emplois"
            digits = digits.replace(".", "").replace(" ", "")
        try:
            value = float(digits)
        except ValueError:  # pragma: no cover - the pattern only admits numbers
            continue
        value *= _SCALE.get(scale, 1)
        if value < 2 or (1900 <= value <= 2100 and not scale and "," not in raw):
            continue
        return int(value), m.group(0)
    return None
