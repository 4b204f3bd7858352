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
    r"|(?:share|shares|sharing)\s+(?:\w+\s+)?(?:technology|platforms?|batteries|engines)"
    r"|sever(?:s|ed|ing)?\s+(?:all\s+)?ties|cut(?:s|ting)?\s+(?:all\s+)?ties|"
    r"part(?:s|ed|ing)?\s+ways|call(?:s|ed|ing)?\s+it\s+quits"
    r"|(?:picks?|picked|selects?|selected|chooses|chose|taps?|tapped)\s+[\w\s.&'-]{1,40}?\s+as\s+"
    r"(?:its\s+|a\s+|an\s+)?(?:\w+\s+)?(?:partner|supplier)"
    r"|licen[cs](?:e|es|ed|ing)\s+(?:its\s+|the\s+)?(?:\w+\s+){0,2}?(?:technology|platform|"
    r"patents?|designs?)\s+to"
    r"|(?:talks|discussions|negotiations)\s+with\s+[\w\s.,&'-]{1,60}?\s+(?:to|on|over|about)\s+"
    r"(?:jointly\s+)?(?:build|make|develop|produce|supply|form|set\s+up|create|manufactur\w*|"
    r"co-?develop|cooperat\w*|collaborat\w*|partner\w*|repurpose|share|use|joint)"
    r"|sign(?:s|ed|ing)?\s+(?:an?\s+)?(?:[\w$.-]+\s+){0,3}?(?:deal|agreement|pact|accord)\s+"
    r"with\s+[\w\s.&'-]{1,40}?\s+to\s+(?!buy|acquire|sell|purchase|take|settle|end)\w+)\b"
)
_NOUN = re.compile(
    r"\b(?:joint[\s-]?ventures?|jointventures?|jvs?|ventures?|alliances?|partnerships?|"
    r"tie-?ups?|mou|memorandum\s+of\s+understanding|letters?\s+of\s+intent|consortium|"
    r"collaboration|co-?operation|partner|(?:sub)?licen[cs]es?|"
    # qualified agreements: "long-term supply agreement", "chip deal", "five-year contract"
    r"(?:supply|offtake|off-take|sourcing|licen[cs]ing|cooperation|co-operation|collaboration|"
    r"framework|strategic|technology|technical|development|manufacturing|production|battery|"
    r"chip|semiconductor|engine|platform|component|materials|nickel|lithium|cobalt|hydrogen|"
    r"partnership|venture|long-term|non-binding|[a-z]+-year)\s+(?:agreements?|deals?|pacts?|"
    r"contracts?|accords?|arrangements?)"
    # agreements for a joint purpose: "deal to develop", "contract to supply"
    r"|(?:agreements?|deals?|pacts?|accords?|contracts?)\s+(?:\w+\s+){0,4}?(?:to|for)\s+"
    r"(?:jointly\s+)?(?:develop|produce|build|supply|share|cooperate|collaborate|make|"
    r"manufacture|co-develop|secure|source|the\s+supply))\b"
)
_FORM = (
    r"form(?:s|ed|ing)?|set(?:s|ting)?\s+up|creat(?:e|es|ed|ing)|establish(?:es|ed|ing)?|"
    r"launch(?:es|ed|ing)?|sign(?:s|ed|ing)?|agree(?:s|d|ing)?|enter(?:s|ed|ing)?|"
    r"announc(?:e|es|ed|ing)|plan(?:s|ned|ning)?|seal(?:s|ed|ing)?|strik(?:e|es|ing)|struck|"
    r"ink(?:s|ed|ing)?|reach(?:es|ed|ing)?|finali[sz](?:e|es|ed|ing)|conclud(?:e|es|ed|ing)|"
    r"complet(?:e|es|ed|ing)|join(?:s|ed|ing)?|build(?:s|ing)?|forg(?:e|es|ed|ing)|"
    r"execut(?:e|es|ed|ing)|obtain(?:s|ed|ing)?|grant(?:s|ed|ing)?|"
    r"win(?:s|ning)?|won|secur(?:e|es|ed|ing)|confirm(?:s|ed|ing)?|approv(?:e|es|ed|al)|"
    r"land(?:s|ed)?|clinch(?:es|ed)?|bag(?:s|ged)?|"
    r"to\s+(?:form|create|build|develop|produce|make|supply)|will|clos(?:e|es|ed)"
)
_TALKS = (
    r"talks|negotiat\w+|discuss(?:es|ed|ing|ions?)?|explor(?:e|es|ed|ing)|"
    r"consider(?:s|ed|ing)?|mull(?:s|ed|ing)?|weigh(?:s|ed|ing)?|eye(?:s|d|ing)?|"
    r"seek(?:s|ing)?|stud(?:y|ies|ying)|propos(?:e|es|ed|al)|possible|potential|"
    r"near(?:s|ing)?|delay(?:s|ed)?|want(?:s|ed)?|aim(?:s|ed|ing)?|preliminary|"
    r"in\s+the\s+works|report(?:s|ed|edly)?|look(?:s|ing)?\s+(?:at|to|for)"
)
_CHANGE = (
    r"end(?:s|ed|ing)?|terminat(?:e|es|ed|ing|ion)|scrap(?:s|ped|ping)?|"
    r"quit(?:s|ting)?\s+(?:its|the|a|their)|exit(?:s|ed|ing)?\s+(?:from|its|the|a|their)|"
    r"pull(?:s|ed|ing)?\s+out|withdr[ae]w(?:s|n|ing)?|dissolv(?:e|es|ed|ing)|"
    r"drop(?:s|ped|ping)?|dump(?:s|ed|ing)?|call(?:s|ed|ing)?\s+off|break(?:s|ing)?\s+up|"
    r"split(?:s|ting)?|part(?:s|ed|ing)?\s+ways|parts\s+company|unwind(?:s|ing)?|"
    r"reject(?:s|ed|ing)?|block(?:s|ed|ing)?|abandon(?:s|ed|ing)?|sever(?:s|ed|ing)?|"
    r"cut(?:s|ting)?\s+ties|discontinu(?:e|es|ed|ing)|collaps(?:e|es|ed|ing)|call\w*\s+it\s+quits|"
    r"walk(?:s|ed|ing)?\s+away|wind(?:s|ing)?\s+down|extend(?:s|ed|ing)?|"
    r"expand(?:s|ed|ing)?|deepen(?:s|ed|ing)?|strengthen(?:s|ed|ing)?|intensif(?:y|ies|ied|ying)|"
    r"broaden(?:s|ed|ing)?|renew(?:s|ed|ing)?|cement(?:s|ed|ing)?|revive(?:s|d)?|"
    r"den(?:y|ies|ied|ying)|upgrad(?:e|es|ed|ing)"
)
_ACTION = re.compile(r"\b(?:" + _FORM + "|" + _TALKS + "|" + _CHANGE + r")\b")
_CHANGE_RX = re.compile(r"\b(?:" + _CHANGE + r")\b")
_POSSESSIVE = re.compile(r"(?:'s|\bits|\btheir|\bhis|\bher)\s+(?:[\w-]+\s+){0,3}$")
_ACQUISITION = re.compile(
    r"\b(?:acquir\w+|acquisition|takeover|take\s+over|buy(?:s|ing)?\s+out|buyout|merg(?:e|er|ers|"
    r"ing)|to\s+fully\s+own|sell(?:s|ing)?\s+(?:\w+\s+){0,3}stake|stake\s+sale|purchase\s+of|"
    r"(?:buy|buys|bought|buying|sell|sells|sold|selling)\s+(?:[\w.-]+\s+){0,4}"
    r"(?:business|division|unit|brands?|assets|operations|plant))\b"
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
    r"|\bpartners?\s+(?:group|capital|llp|lp|ltd)\b|\btrade\s+(?:pact|accord|deal|agreement)s?\b"
)
_FORM_BEFORE = re.compile(r"\b(?:" + _FORM + r")\s+(?:[\w'-]+\s+){0,4}$")
_PARTNER_SIGNAL = re.compile(r"\bwith\b|joint|partner|50-50|50/50|\band\b|&|,|\bits\b")
_NEW_BEFORE = re.compile(r"\bnew\s+(?:[\w-]+\s+){0,2}$")
_PARTNER_IN = re.compile(r"\s+(?:for|in|to)\b")
# A government's investment agreement for a new site is a plant opening, not a partnership.
_GOVERNMENT_SITE = re.compile(
    r"\b(?:govt|government|provincial|province|ministry|municipal\w*|state\s+of)\b"
    r"(?=.*\b(?:site|plant|factory|facility|complex|investment)\b)"
)
_FORMATION_NEAR = re.compile(
    r"\b(?:form\w*|set(?:s|ting)?\s+up|creat\w+|establish\w*|launch\w*|sign\w*|cement\w*|"
    r"into\s+a)\s+(?:[\w$%.:/-]+\s+){0,5}$"
)


# Cheap substring pre-filter: a sentence with none of these has no partnership cue.
STEMS = (
    "partner|ventur|jv|allian|tie|team|joint|forces|hands|together|collab|operat|mou|memorandum|"
    "intent|consortium|agree|deal|pact|contract|accord|arrangement|licen|shar|pool|talks|"
    "discussions|negotiat|sign|develop|supplier"
)

_ANY_STEM = re.compile(STEMS)


def partnership_cues(low: str) -> list[Cue]:
    """Partnership cues in one lower-cased sentence (company names containing cue words
    already blanked by the caller)."""
    cues: list[Cue] = []
    if _ANY_STEM.search(low) is None:
        return cues
    if "partner" in low or "ventur" in low:
        low = _NAME_LIKE.sub(lambda m: " " * len(m.group(0)), low)
    verbs = list(_VERB.finditer(low))
    nouns = list(_NOUN.finditer(low))
    if not verbs and not nouns:
        return cues
    if _SPONSOR.search(low):
        return cues
    acquisition = _ACQUISITION.search(low) is not None
    dispute = _LAWSUIT.search(low) is not None or _ORDER.search(low) is not None
    for m in verbs:
        if acquisition and "jointly" not in m.group(0):
            continue
        cues.append(Cue("cooperation verb", (m.group(0),), m.start(), 0.85))
    for m in nouns:
        noun = m.group(0)
        if noun in ("venture", "ventures") and _PARTNER_SIGNAL.search(low) is None:
            continue  # "launches a new venture into space tourism": a business, not a JV
        if noun == "partner" and not (
            _PARTNER_IN.match(low, m.end())
            or _CHANGE_RX.search(low, max(0, m.start() - 50), m.start())
        ):
            continue
        lo, hi = max(0, m.start() - 50), min(len(low), m.end() + 45)
        actions = [
            a for a in _ACTION.finditer(low, lo, hi) if not (m.start() <= a.start() < m.end())
        ]
        if not actions and not _NEW_BEFORE.search(low, lo, m.start()):
            continue
        before = low[lo : m.start()]
        changes = [a.group(0) for a in actions if _CHANGE_RX.fullmatch(a.group(0))]
        if _NEW_BEFORE.search(before):
            changes.append("new")
        if _POSSESSIVE.search(before) and not changes and not _FORM_BEFORE.search(before):
            continue
        # A deal word alone does not survive an acquisition, order or lawsuit in the same
        # sentence; a venture formed right there ("signs a Nevada joint venture") does.
        if (acquisition or dispute) and not (
            _FORMATION_NEAR.search(before) or (dispute and changes)
        ):
            continue
        if _GOVERNMENT_SITE.search(low):
            continue
        action = (
            min(actions, key=lambda a: abs(a.start() - m.start())).group(0) if actions else "new"
        )
        cues.append(Cue("arrangement + action", (noun, action), m.start(), 0.8))
    return cues
