"""Invisible format characters that untrusted text may not carry into a rendered message.

Bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) reorder
what a reader sees: a title with U+202E shows its tail reversed, so a link or a company name
can read as something else. Zero-width characters (U+200B–U+200D, U+2060–U+2064, U+FEFF,
U+180E) are invisible: inside ``@everyone`` or ``<!channel>`` they hide mention syntax from a
pattern while a client that drops them may still see it, and in a company name they make two
spellings that look identical compare different. Feed titles, summaries, outlets and echoed
command arguments are all strangers' text, so every renderer removes these characters first,
before its own mention and markup neutralising (the console in ``bot.sinks.console.clean``,
Slack in ``bot.slackapp.escape.plain``, Discord in ``bot.discordapp.markup.escape``); the
joiners those renderers insert themselves to break mentions come after and stay.

Removing U+200D also splits emoji sequences (family, flag-and-symbol) into their parts, and
U+200C no longer shapes Persian or Indic words as written; a headline stays readable either
way, which a reordered or hidden-mention one does not.
"""

from __future__ import annotations

INVISIBLE = frozenset(
    [chr(c) for c in range(0x200B, 0x2010)]  # zero-width space/non-joiner/joiner, LRM, RLM
    + [chr(c) for c in range(0x202A, 0x202F)]  # LRE, RLE, PDF, LRO, RLO
    + [chr(c) for c in range(0x2060, 0x2065)]  # word joiner, invisible operators
    + [chr(c) for c in range(0x2066, 0x206A)]  # LRI, RLI, FSI, PDI
    + ["\ufeff", "\u061c", "\u180e"]  # zero-width no-break space (BOM), ALM, Mongolian VS
)
_DROP = str.maketrans(dict.fromkeys(INVISIBLE))


def strip_invisible(text: str) -> str:
    """``text`` without bidi controls and zero-width characters."""
    return text.translate(_DROP)
