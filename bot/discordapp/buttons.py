"""The alert buttons' ``custom_id`` format.

A ``custom_id`` is at most 100 characters and carries everything a click needs (Discord keeps
no state for us); :mod:`bot.discordapp.dispatch` turns a parsed click into an action::

    dr:mute:<story id>:<company>      mute that company for 7 days in this channel
    dr:fb:<story id>:1 | dr:fb:<story id>:0    the alert was useful / not useful
"""

from __future__ import annotations

from dataclasses import dataclass

CUSTOM_ID_MAX = 100
_PREFIX = "dr"


@dataclass(frozen=True, slots=True)
class Click:
    """A parsed ``custom_id``: ``action`` is ``mute`` or ``feedback``."""

    action: str
    story_id: int
    company: str = ""
    useful: bool = False


def mute_id(story_id: int, company: str) -> str | None:
    """The mute button's ``custom_id``, or None when the company name does not fit."""
    value = f"{_PREFIX}:mute:{story_id}:{company}"
    return value if len(value) <= CUSTOM_ID_MAX else None


def feedback_id(story_id: int, useful: bool) -> str:
    return f"{_PREFIX}:fb:{story_id}:{int(useful)}"


def parse(custom_id: str) -> Click | None:
    """The click a ``custom_id`` describes, or None for ids that are not ours or malformed."""
    parts = custom_id.split(":", 3)
    if len(parts) != 4 or parts[0] != _PREFIX or not parts[2].isdigit():
        return None
    story_id = int(parts[2])
    if parts[1] == "mute" and parts[3].strip():
        return Click("mute", story_id, company=parts[3])
    if parts[1] == "fb" and parts[3] in ("0", "1"):
        return Click("feedback", story_id, useful=parts[3] == "1")
    return None
