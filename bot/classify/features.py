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

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[$%&]")
_DIGIT = re.compile(r"\d")
STEM = 5


def _tokens(low: str) -> list[str]:
    return ["<n>" if _DIGIT.search(t) else t for t in _TOKEN.findall(low)]


def word_features(headline_low: str, rest_low: str) -> list[str]:
    """Word, headline-word, bigram and stem features of one article (lower-cased parts)."""
    head = _tokens(headline_low)
    rest = _tokens(rest_low)
    feats = [f"h:{t}" for t in head]
    words = [*head, "|", *rest] if rest else head
    for i, t in enumerate(words):
        if t == "|":
            continue
        feats.append(f"w:{t}")
        if len(t) > STEM:
            feats.append(f"s:{t[:STEM]}")
        if i + 1 < len(words) and words[i + 1] != "|":
            feats.append(f"b:{t}_{words[i + 1]}")
    return feats


def rule_features(signals: Iterable[str]) -> list[str]:
    """Rule signals as features (``r:`` namespace)."""
    return [f"r:{s}" for s in signals]
