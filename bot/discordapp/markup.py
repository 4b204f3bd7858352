"""Making untrusted text inert in Discord, and cutting it to Discord's limits.

Headlines, outlets and company names come from strangers' feeds. Everything that reaches a
message body goes through :func:`escape` once, in the renderer: bidi and zero-width characters
are removed (:mod:`bot.invisible`), so none hides a mention from the patterns below; markdown
is backslash-escaped (``discord.utils.escape_markdown``), mention and link syntax gets a
zero-width space so it no longer parses, and line-start markup (headings, quotes, lists) is
escaped. ``allowed_mentions``
is set to none on every message as well, so a missed case still cannot ping anyone.
"""

from __future__ import annotations

import re

from discord.utils import escape_markdown

from bot.invisible import strip_invisible

ELLIPSIS = "…"
_ZWSP = "\u200b"
_MASS = re.compile(r"@(everyone|here)\b")
_ANGLE = re.compile(r"<(?=@|#|:|a:|t:|/|https?:)", re.IGNORECASE)
_LINE_START = re.compile(r"^(\s*)(#{1,3} |-# )", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)(\. )", re.MULTILINE)
# escape_markdown escapes the "[" of only the first "[text](url)" in a string; every bracket
# not yet escaped (after an even number of backslashes) is escaped here, so no masked link survives
_OPEN_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)\[")


def escape(text: str) -> str:
    """``text`` rendered inert: no markdown, no mentions, no masked links, no headings."""
    out = _OPEN_BRACKET.sub(r"\1\\[", escape_markdown(strip_invisible(text)))
    out = _MASS.sub(lambda m: f"@{_ZWSP}{m.group(1)}", out)
    out = _ANGLE.sub("<" + _ZWSP, out)
    out = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)
    return _NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), out)


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, the cut marked with "…"."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1] + ELLIPSIS


def inert(text: str, limit: int) -> str:
    """Escape, then truncate: the usual path for one piece of feed text."""
    return truncate(escape(text), limit)
