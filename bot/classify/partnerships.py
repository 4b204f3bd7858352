"""Cues for partnerships, and the look-alikes that are not one.

Two kinds of cue:

* verbs that are an act of cooperating on their own: "team up", "join forces", "partners with",
  "tie up with", "collaborate", "jointly develop", "work together";
* nouns that only name an arrangement ("joint venture", "alliance", "partnership", "MoU",
  "supply agreement"): these fire only with an action word nearby (form, sign, agree, talks,
  end, extend, new, ...). Without one the story is about an existing venture with nothing
  changing ("X's venture with Y posts record sales"). A possessive ("its alliance", "Ford's JV")
  additionally needs an action that changes it (end, extend, new): talking *about* an existing
  partnership is not news.

Look-alikes suppressed in the sentence: acquisitions and mergers, sponsorships, ordinary orders,
lawsuits, and names that contain the word ("an investment partnership", "... Partnership Ltd").
"""

from __future__ import annotations

import re

from bot.classify.cue import Cue

_VERB = re.compile(
    r"\b(?:team(?:s|ed|ing)?\s+up|join(?:s|ed|ing)?\s+(?:forces|hands)"
    r"|partner(?:s|ed|ing)?\s+(?:up\s+)?(?:with|on|in|to)\b"
    r"|tie(?:s|d)?\s+up\s+with|tying\s+up\s+with"
    r"|collaborat(?:e|es|ed|ing)\s+(?:with|on)|co-?operat(?:e|es|ed|ing)\s+(?:with|on)"
    r"|jointly\s+(?:\w+\s+)?(?:develop|produce|build|make|manufactur|operate|own|design|run|"
    r"invest)\w*|work(?:s|ed|ing)?\s+together|co-?develop\w*|pool\s+resources"
    r"|agree(?:s|d)?\s+(?:with\s+[\w\s.&-]{1,40}?\s+)?to\s+(?:jointly\s+)?"
    r"(?:co-?develop|develop\s+\w+\s+together|share\s+(?:technology|platforms?))"
    r"|(?:share|shares|sharing)\s+(?:\w+\s+)?(?:technology|platforms?|batteries|engines))\b"
)
_NOUN = re.compile(
    r"\b(?:joint[\s-]?ventures?|jointventures?|jvs?|ventures?|alliances?|partnerships?|"
    r"tie-?ups?|mou|memorandum\s+of\s+understanding|letters?\s+of\s+intent|consortium|"
    r"collaboration|co-?operation|partner|"
    r"(?:(?:\w+\s+)?(?:supply|offtake|off-take|sourcing|licen[cs]ing|cooperation|co-operation|"
    r"collaboration|framework|strategic|technology|technical|development|manufacturing|"
    r"production|battery|partnership|venture|long-term)\s+(?:agreements?|deals?|pacts?|"
    r"contracts?|accords?|arrangements?))"
    r"|agreements?\s+(?:\w+\s+){0,4}?to\s+(?:jointly\s+)?(?:develop|produce|build|supply|share|"
    r"cooperate|collaborate|make|manufacture|co-develop))\b"
)
_FORM = (
    r"form\w*|set(?:s|ting)?\s+up|creat\w+|establish\w*|launch\w*|sign\w*|agree\w*|enter\w*|"
    r"announc\w+|plan\w*|seal\w*|strik\w+|struck|ink\w*|reach\w*|finali[sz]\w+|conclud\w+|"
    r"complet\w+|join\w*|build\w*|forg\w+|unveil\w*\s+(?:a\s+)?(?:new\s+)?(?:joint|alliance|"
    r"partnership)|win\w*|secur\w+|confirm\w*|approv\w+|to\s+(?:form|create|build|develop|"
    r"produce|make|supply)|will|deal|clos(?:e|es|ed)"
)
_TALKS = (
    r"talks?|negotiat\w+|discuss\w*|explor\w+|consider\w*|mull\w*|weigh\w*|eye\w*|seek\w*|"
    r"stud(?:y|ies|ying)|propos\w+|possible|potential|near(?:s|ing)?|delay\w*|want\w*|aim\w*|"
    r"preliminary|in\s+the\s+works|report\w*|look\w*\s+(?:at|to|for)"
)
_CHANGE = (
    r"end\w*|terminat\w+|scrap\w*|quit\w*|exit\w*|pull\w*\s+out|withdr[ae]w\w*|dissolv\w+|"
    r"drop\w*|dump\w*|call\w*\s+off|break\w*\s+up|split\w*|part\w*\s+ways|parts\s+company|"
    r"unwind\w*|reject\w*|block\w*|abandon\w*|sever\w*|cut\w*\s+ties|discontinu\w+|collaps\w+|"
    r"fail\w*|walk\w*\s+away|wind\w*\s+down|extend\w*|expand\w*|deepen\w*|strengthen\w*|"
    r"intensif\w+|broaden\w*|renew\w*|new|cement\w*|boost\w*|revive\w*|den(?:y|ies|ied)|"
    r"upgrad\w+"
)
_ACTION = re.compile(r"\b(?:" + _FORM + "|" + _TALKS + "|" + _CHANGE + r")\b")
_CHANGE_RX = re.compile(r"\b(?:" + _CHANGE + r")\b")
_POSSESSIVE = re.compile(r"(?:'s|\bits|\btheir|\bhis|\bher)\s+(?:[\w-]+\s+){0,3}$")
_ACQUISITION = re.compile(
    r"\b(?:acquir\w+|acquisition|takeover|take\s+over|buy(?:s|ing)?\s+out|buyout|merg(?:e|er|ers|"
    r"ing)|to\s+fully\s+own|sell(?:s|ing)?\s+(?:\w+\s+){0,3}stake|stake\s+sale|purchase\s+of|"
    r"(?:buy|buys|bought|buying)\s+(?:\w+\s+){0,3}(?:business|division|unit|brands?|assets))\b"
)
_SPONSOR = re.compile(
    r"\b(?:sponsor\w*|founding\s+partner|official\s+(?:\w+\s+)?partner|league|club|cycling|"
    r"football|soccer|olympic\w*|naming\s+rights|kit\s+deal|ambassador|tournament|"
    r"marketing\s+partner\w*|charit\w+)\b"
)
_ORDER = re.compile(
    r"\b(?:orders?|ordered|purchase\s+agreement|customer|wins?\s+(?:a\s+)?(?:\w+\s+){0,3}contract)\b"
)
_LAWSUIT = re.compile(
    r"\b(?:lawsuits?|sues?|sued|suing|suit|litigation|breach\s+of\s+contract|arbitration)\b"
)
_NAME_LIKE = re.compile(
    r"\b(?:investment|limited|general|private\s+equity)\s+partnerships?\b"
    r"|\bpartnerships?\s+(?:ltd|llp|lp|plc|inc)\b|\bventure\s+(?:capital|fund\s+investors)\b"
    r"|\bpartners?\s+(?:group|capital|llp|lp|ltd)\b"
)
_FORMATION_NEAR = re.compile(
    r"\b(?:form\w*|set(?:s|ting)?\s+up|creat\w+|establish\w*|launch\w*|sign\w*|cement\w*|"
    r"into\s+a)\s+(?:[\w$%.-]+\s+){0,5}$"
)


def partnership_cues(low: str) -> list[Cue]:
    """Partnership cues in one lower-cased sentence (company names containing cue words
    already blanked by the caller)."""
    cues: list[Cue] = []
    if _SPONSOR.search(low):
        return cues
    low = _NAME_LIKE.sub(lambda m: " " * len(m.group(0)), low)
    acquisition = _ACQUISITION.search(low) is not None
    dispute = _LAWSUIT.search(low) is not None or _ORDER.search(low) is not None
    for m in _VERB.finditer(low):
        if acquisition and "jointly" not in m.group(0):
            continue
        cues.append(Cue("cooperation verb", (m.group(0),), m.start(), 0.85))
    for m in _NOUN.finditer(low):
        noun = m.group(0)
        if noun == "partner" and not re.match(r"\s+(?:for|in|to)\b", low[m.end() :]):
            continue
        lo, hi = max(0, m.start() - 50), min(len(low), m.end() + 45)
        actions = [
            a for a in _ACTION.finditer(low, lo, hi) if not (m.start() <= a.start() < m.end())
        ]
        if not actions:
            continue
        changes = [a for a in actions if _CHANGE_RX.fullmatch(a.group(0))]
        before = low[lo : m.start()]
        if _POSSESSIVE.search(before) and not changes:
            continue
        # A deal word alone does not survive an acquisition, order or lawsuit in the same
        # sentence; a venture formed right there ("signs a Nevada joint venture") does.
        if (acquisition or dispute) and not (
            _FORMATION_NEAR.search(before) or (dispute and changes)
        ):
            continue
        action = min(actions, key=lambda a: abs(a.start() - m.start())).group(0)
        cues.append(Cue("arrangement + action", (noun, action), m.start(), 0.8))
    return cues
