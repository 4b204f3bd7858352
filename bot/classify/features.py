"""The features the learned model reads: words of the article plus what the rules saw.

One function builds them for training and for inference, so the two can never drift apart.
Feature names are short strings with a namespace prefix:

* ``w:`` a word anywhere (lower case; numbers folded to ``<n>``), ``h:`` a word of the headline,
  ``b:`` two adjacent words, ``s:`` the first five letters of a longer word (so "closes",
  "closing" and "closure" share ``s:closi``/``s:closu`` only where they should, and "shutters"
  meets "shuttering");
* ``r:`` rule signals: which closure/partnership cue fired and where, an averted closure, a
  temporary halt, an equity stake, two companies acting jointly, how many known companies the
  headline names, whether the article is about industry.

The rules were written against the development file; as features they are weighed by a model
trained on other, freshly labelled news, which learns how far each one is worth trusting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[$%&]")
_DIGIT = re.compile(r"\d")
STEM = 5


def _tokens(low: str) -> list[str]:
    return ["<n>" if _DIGIT.search(t) else t for t in _TOKEN.findall(low)]


_CACHE_LIMIT = 50_000
_word_cache: dict[str, tuple[str, ...]] = {}


def _per_word(token: str) -> tuple[str, ...]:
    """A word's own features (``w:``, and ``s:`` for a long word), built once per word."""
    found = _word_cache.get(token)
    if found is None:
        if len(_word_cache) >= _CACHE_LIMIT:
            _word_cache.clear()
        found = (f"w:{token}", f"s:{token[:STEM]}") if len(token) > STEM else (f"w:{token}",)
        _word_cache[token] = found
    return found


def word_features(headline_low: str, rest_low: str) -> list[str]:
    """Word, headline-word, bigram and stem features of one article (lower-cased parts)."""
    head = _tokens(headline_low)
    rest = _tokens(rest_low)
    feats = ["h:" + t for t in head]
    for part in (head, rest):
        for t in part:
            feats.extend(_per_word(t))
        feats.extend([f"b:{a}_{b}" for a, b in pairwise(part)])
    return feats


def rule_features(signals: Iterable[str]) -> list[str]:
    """Rule signals as features (``r:`` namespace)."""
    return [f"r:{s}" for s in signals]
