"""Compile many literal strings into one regex shaped like a trie.

Python's ``re`` tries alternatives one by one, so ``a|b|c|...`` over hundreds of company aliases
is slow; factoring common prefixes (``Nissan(?: Motor(?: Co)?)?``) lets it reject a position
after one or two characters. Owned here because both the company table and the cue lists use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""


def trie_pattern(words: Iterable[str]) -> str:
    """A regex source matching exactly ``words``, longest alternative first.

    Returns a pattern that never matches when ``words`` is empty.
    """
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        if not word:
            continue
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = {}
    if not root:
        return r"(?!x)x"
    return _emit(root)


def _emit(node: dict) -> str:  # type: ignore[type-arg]
    ends = _END in node
    branches = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
    return body
