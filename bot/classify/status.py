"""Where an event stands: talks, planned, confirmed, denied or cancelled.

Read from the sentence that carried the event's cue (and, for a cue in the lede, the headline,
which usually states the news). The first matching class wins in the order denied, cancelled,
talks, planned; otherwise the event is confirmed. A cue that implies its own status (a closure
averted) overrides. Hedges that are not talks ("may close", "does not rule out") stay planned,
as the corpus labels them.
"""

from __future__ import annotations

import re

from bot.domain import EventType, Status

_NOT_RULED_OUT = re.compile(r"\b(?:not|n't|never)\s+rul\w+\s+out\b")
_DENIED = {
    EventType.PLANT_CLOSURE: re.compile(
        r"\b(?:den(?:y|ies|ied|ying)|dismiss\w*\s+(?:\w+\s+){0,2}(?:reports?|rumou?rs?)|"
        r"(?:just|only|merely)\s+(?:a\s+)?rumou?rs?|unfounded|no\s+plans?\s+(?:to|for)|"
        r"(?:not|never|n't)\s+(?:\w+\s+){0,2}?(?:clos\w*|shut\w*)|rul(?:e|es|ed)\s+out)\b"
    ),
    EventType.PARTNERSHIP: re.compile(
        r"\b(?:den(?:y|ies|ied|ying)|no\s+plans?\s+(?:to|for)|not\s+in\s+talks|no\s+talks|"
        r"rul(?:e|es|ed)\s+out|(?:just|only|merely)\s+(?:a\s+)?rumou?rs?)\b"
    ),
}
_CANCELLED = {
    EventType.PLANT_CLOSURE: re.compile(
        r"\b(?:keep\w*\s+(?:\w+\s+){0,4}?(?:open|running|operating|alive)|(?:stay|remain)s?\s+open|"
        r"sav(?:e|es|ed|ing)\s+(?:\w+\s+){0,4}?from|rescu\w+|avert\w*|avoid\w*|prevent\w*|"
        r"stave\w*\s+off|revers\w+|reprieve|u-turn|(?:drop|scrap|shelve|abandon|withdraw|"
        r"cancel|ditch)\w*\s+(?:\w+\s+){0,2}?plans?|call\w*\s+off|back\w*\s+(?:away|down)\s+from|"
        r"no\s+longer\s+(?:\w+\s+)?(?:clos|shut)\w*|spared|lifeline)\b"
    ),
    EventType.PARTNERSHIP: re.compile(
        r"\b(?:end(?:s|ed|ing)?|terminat\w+|scrap\w*|quit\w*|exit\w*|pull\w*\s+out|withdr[ae]w\w*|"
        r"dissolv\w+|drop\w*|dump\w*|call\w*\s+off|break\w*\s+up|split\w*|part\w*\s+ways|"
        r"parts\s+company|unwind\w*|reject\w*|block\w*|abandon\w*|sever\w*|cut\w*\s+ties|"
        r"discontinu\w+|collaps\w+|walk\w*\s+away|wind\w*\s+down|wound\s+down|call\w*\s+it\s+quits|"
        r"(?:venture|alliance|partnership|jv)\s+(?:\w+\s+){0,4}?(?:will|to)\s+close)\b"
    ),
}
_TALKS = {
    EventType.PLANT_CLOSURE: re.compile(
        r"\b(?:consider\w*|weigh\w*|mull\w*|stud(?:y|ies|ying)\s+(?:whether|options|a)|"
        r"review\w*\s+(?:options|the\s+future)|explor(?:e|es|ed|ing)\b|evaluat\w+|contemplat\w+|"
        r"at\s+risk\s+of|intention\s+to\s+restructure|could\s+(?:close|shut)|"
        r"(?:possible|potential)\s+(?:\w+\s+)?(?:closure|shutdown))\b"
    ),
    EventType.PARTNERSHIP: re.compile(
        r"\b(?:talks|negotiat\w+|discuss\w*|explor(?:e|es|ed|ing)\b|consider\w*|mull\w*|weigh\w*|eye\w*|"
        r"seek\w*|stud(?:y|ies|ying)|possible|potential(?:ly)?|near(?:s|ing)?\s+(?:a\s+)?deal|"
        r"close\s+to|delay\w*|want\w*|aim\w*\s+to|preliminary|in\s+the\s+works|"
        r"reportedly|rumou?r\w*|could|may|might|to\s+negotiate|advanced\s+stage|tentative\w*|"
        r"work(?:s|ing)?\s+together)\b|\?"
    ),
}
_PLANNED = {
    EventType.PLANT_CLOSURE: re.compile(
        r"\b(?:to\s+(?:be\s+)?(?:\w+ly\s+)?(?:close|shut|end|cease|idle|mothball|phase|wind|stop|exit|quit|"
        r"pull|halt|drop|shutter)|will|would|"
        r"plans?|planned|planning|proposed?|propos\w+|intends?|intention|expected\s+to|set\s+to|"
        r"due\s+to\s+(?:be\s+)?(?:close|shut)|may|might|decided?|decision|announce\w*|"
        r"by\s+(?:the\s+)?end\s+of|warn\w*|fears?|threat\w*)\b"
    ),
    EventType.PARTNERSHIP: re.compile(
        r"\b(?:to\s+(?:form|create|set\s+up|establish|launch|build|develop|join|sign)|will|"
        r"plans?|planned|planning|intends?|mou|memorandum|letter\s+of\s+intent|non-binding|"
        r"pending|set\s+to|expected\s+to)\b"
    ),
}


# What a lede must say to turn an announced headline into talks.
_CONTEXT_TALKS = re.compile(
    r"\b(?:in\s+(?:advanced\s+)?(?:talks|discussions|negotiations)|negotiat(?:e|es|ed|ing)|"
    r"preliminary|exploring|considering|mulling|weighing|non-binding\s+(?:\w+\s+)?to\s+"
    r"(?:explore|study|consider)|advanced\s+stage)\b"
)
_CLAUSE = re.compile(r",\s+|;\s+|\s+-\s+|:\s+|\s+but\s+|\s+while\s+")
_HEDGE = re.compile(r"\b(?:could|may|might|would|if)\s+(?:\w+\s+){0,3}$")


def clause_at(low: str, position: int) -> str:
    """The clause of ``low`` around ``position`` (commas, dashes, colons, "but" split)."""
    start = 0
    for m in _CLAUSE.finditer(low):
        if m.start() >= position:
            return low[start : m.start()]
        start = m.end()
    return low[start:]


def _first(rx: re.Pattern[str], low: str) -> re.Match[str] | None:
    """The first match that is not hedged ("could spell the end" does not end anything)."""
    for m in rx.finditer(low):
        if not _HEDGE.search(low, max(0, m.start() - 40), m.start()):
            return m
    return None


def decide_status(
    kind: EventType, low: str, hint: str | None = None, *, position: int = 0, context: str = ""
) -> tuple[Status, str]:
    """The status of an event of ``kind`` from the lower-cased sentence around its cue.

    The clause holding the cue (at ``position``) decides first; the whole sentence is read
    when the clause says nothing. ``context`` (usually the lede when the cue is in the
    headline) can only turn a plain announcement into ``talks``.
    Returns the status and the phrase that decided it (empty when defaulted).
    """
    if hint is not None:
        return Status(hint), hint
    for text in (clause_at(low, position), low):
        if kind is EventType.PLANT_CLOSURE and _NOT_RULED_OUT.search(text):
            return Status.PLANNED, "not ruled out"
        for status, table in (
            (Status.DENIED, _DENIED),
            (Status.CANCELLED, _CANCELLED),
            (Status.TALKS, _TALKS),
            (Status.PLANNED, _PLANNED),
        ):
            m = _first(table[kind], text)
            if m is not None:
                if status in (Status.PLANNED,) and context:
                    t = _first(_CONTEXT_TALKS, context)
                    if t is not None:
                        return Status.TALKS, t.group(0)
                return status, m.group(0)
    if context:
        t = _first(_CONTEXT_TALKS, context)
        if t is not None:
            return Status.TALKS, t.group(0)
    return Status.CONFIRMED, ""


COARSE = {
    Status.TALKS: "talks",
    Status.PLANNED: "go",
    Status.CONFIRMED: "go",
    Status.DENIED: "off",
    Status.CANCELLED: "off",
}
