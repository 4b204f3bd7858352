"""Normalising an article into the sentences every cue detector reads.

Owns the one pass over raw text: typographic quotes and odd spaces folded to ASCII, title, summary
and body joined, split into sentences, and a lower-cased copy of each sentence kept at the same
offsets (cue patterns are written in lower case; companies and places are read from the original).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2013": "-",
        "\u2014": " - ",
        "\u2011": "-",
    }
)
# A sentence ends at . ! ? ; followed by space, unless the word before the dot is an
# abbreviation ("Co.", "Corp.", "U.S.", "Ont.") or a single capital.
_SPLIT = re.compile(r"(?<=[!?;])\s+|(?<=[a-z0-9)\"']{3}[.])\s+(?=[A-Z\"'(])")
_ABBREV_WORDS = """co corp inc ltd jr sr st mr mrs ms dr no vs jan feb mar apr jun jul aug sep sept
oct nov dec mich ont calif fla ill ind ore pa ga bros gov sen rep dept est"""
_ABBREV = frozenset(_ABBREV_WORDS.split())
BODY_LIMIT = 4000  # characters of body text read: cues beyond the first paragraphs add noise


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: original text, lower-cased copy (same length) and where it came from."""

    text: str
    low: str
    headline: bool


@dataclass(frozen=True, slots=True)
class Document:
    """An article as the classifier reads it."""

    sentences: tuple[Sentence, ...]
    text: str  # all sentences joined by a space, for company and place scans

    @property
    def headline(self) -> Sentence:
        return self.sentences[0]


def fold(text: str) -> str:
    """Typographic quotes, dashes and spaces folded to ASCII; whitespace collapsed."""
    return " ".join(text.translate(_FOLD).split())


def _lower(text: str) -> str:
    low = text.lower()
    # A few characters change length when lower-cased (e.g. "İ"); keep offsets aligned.
    return low if len(low) == len(text) else "".join(c.lower()[:1] or c for c in text)


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences, keeping abbreviations like "Corp." intact."""
    parts: list[str] = []
    buf = ""
    for piece in _SPLIT.split(text):
        buf = f"{buf} {piece}" if buf else piece
        last = buf.rsplit(None, 1)[-1] if buf.strip() else ""
        if last.endswith(".") and last[:-1].lower().lstrip("(") in _ABBREV:
            continue
        parts.append(buf.strip())
        buf = ""
    if buf.strip():
        parts.append(buf.strip())
    return [p for p in parts if p]


def read(title: str, summary: str = "", body: str = "") -> Document:
    """Build the document: the title is always sentence one (even when empty)."""
    head = fold(title)
    sentences = [Sentence(head, _lower(head), True)]
    rest = fold(summary)
    if body:
        rest = f"{rest} {fold(body[:BODY_LIMIT])}".strip()
    for part in split_sentences(rest):
        sentences.append(Sentence(part, _lower(part), False))
    return Document(tuple(sentences), " . ".join(s.text for s in sentences))
