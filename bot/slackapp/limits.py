"""Slack's documented message limits, and the one function that cuts text to fit them.

The numbers come from Slack's Block Kit and ``chat.postMessage`` reference (the same values
``shared/tools/validate_payloads.py`` checks). Every renderer in this package sizes its output
with these constants; truncation is always marked with "…" so a reader sees text was cut.
"""

from __future__ import annotations

from collections.abc import Callable

MESSAGE_BLOCKS_MAX = 50
MESSAGE_TEXT_MAX = 40_000  # chat.postMessage truncates the top-level text beyond this
HEADER_TEXT_MAX = 150
SECTION_TEXT_MAX = 3_000
SECTION_FIELDS_MAX = 10
FIELD_TEXT_MAX = 2_000
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2_000
BUTTON_URL_MAX = 3_000
ACTION_ID_MAX = 255
BLOCK_ID_MAX = 255

# Our own budgets, well inside the limits above, so a message stays readable.
FALLBACK_TEXT_MAX = 3_000  # the notification text; Slack allows 40,000
HEADLINE_MAX = 500
FIELD_VALUE_MAX = 300
WHY_MAX = 600
DIGEST_ITEM_MAX = 700

ELLIPSIS = "…"


def fit(raw: str, limit: int, transform: Callable[[str], str] = lambda s: s) -> str:
    """``transform(raw)`` cut so that it is at most ``limit`` characters, ending in "…" if cut.

    The raw text is cut *before* the transform (escaping), so an entity such as ``&amp;`` is
    never split in half. Raises ``ValueError`` when ``limit`` is below 1.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    out = transform(raw)
    if len(out) <= limit:
        return out
    keep = min(len(raw), limit - 1)
    while keep > 0:
        out = transform(raw[:keep].rstrip()) + ELLIPSIS
        if len(out) <= limit:
            return out
        keep -= max(1, (len(out) - limit) // 2)
    return ELLIPSIS
