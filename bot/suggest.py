""" "Did you mean": which names are close to what someone typed. The one home of rapidfuzz.

Names are compared case- and punctuation-blind (rapidfuzz's ``default_process``) with the
token-sort ratio: the words of both sides sorted, then an edit similarity from 0 to 100. A
misspelt name scores as a plain edit similarity would ("Nisan" → Nissan), and the same words in
another order score as if in order ("motor toyota" → Toyota Motor).
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils


def close_names(typed: str, names: Sequence[str], *, limit: int, cutoff: float) -> list[str]:
    """At most ``limit`` of ``names`` scoring ``cutoff`` (0-100) or more against ``typed``,
    best first; equal scores keep the order of ``names``."""
    if limit <= 0:
        return []
    matches = process.extract(
        typed,
        names,
        scorer=fuzz.token_sort_ratio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=cutoff,
    )
    return [name for name, _score, _index in matches]


def may_reach(typed: str, name: str, cutoff: float) -> bool:
    """Whether ``name`` is of a length that can score ``cutoff`` against ``typed`` at all. A
    score is at most ``200 * shorter / (sum of lengths)`` of the compared forms, so a name this
    rejects could never have been suggested."""
    a, b = len(_compared(typed)), len(_compared(name))
    return 200 * min(a, b) >= cutoff * (a + b)


def _compared(name: str) -> str:
    """The form of ``name`` the scorer compares (its words sorted: same length)."""
    return " ".join(utils.default_process(name).split())
