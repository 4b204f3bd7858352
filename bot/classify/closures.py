"""Cues for plant closures, and the senses of "close" and "shut" that are not one.

A closure needs a closing verb or noun ("to close", "shutter", "mothball", "closure", "end
production") bound to an industrial site ("plant", "smelter", "assembly line") a few words away,
with no nearer non-industrial noun ("stores", "offices", "branches"). Before that the sentence is
cleaned of the senses that are not closures: "close to", "closing a deal", markets closing, and
closures that are explicitly temporary (days or weeks, strikes, fires, shortages, holidays, the
pandemic) unless the text calls them indefinite or permanent. Saving a plant ("keep the plant
open", "saved from closure") is a closure event too, with status ``cancelled``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.classify.cue import Cue, first, last, mask

_CLOSE_TO = re.compile(r"\bclose(?:d|s|r)?\s+to\b")
# Verbs of completing a transaction: mask the verb only.
_DEAL_CLOSE = re.compile(
    r"\b(clos(?:e|es|ed|ing))\s+(?:(?:a|an|the|its|their|this|that|his|her)\s+)?"
    r"(?:(?!(?:plants?|factor(?:y|ies)|mills?|works|smelters?|refiner(?:y|ies)|mines?|sites?|"
    r"shipyards?|foundr(?:y|ies)|after|as|amid|following)\b)[\w$.,%-]+\s+){0,4}?(?:deal|acquisition|purchase|transaction|sale|merger|takeover|"
    r"buyout|offering|round|financing|gap|partnership|venture|loop|ranks|investment|bid|"
    r"agreement|contract|case|probe|investigation|books?|session|week|day)s?\b"
)
_MARKET = re.compile(
    r"\b(?:shares?|stocks?|index|indices|dow\s+jones|the\s+dow|nasdaq|s&p|markets?|ftse|nikkei|dax|trading|"
    r"futures|prices?|yields?|dollar|bonds?|treasur(?:y|ies)|currenc(?:y|ies)|the\s+(?:euro|yen|"
    r"pound))\b[^.;]{0,40}?\b(clos(?:e|ed|es|ing))\b"
    r"|\b(clos(?:ed|es|ing))\s+(?:up|down|higher|lower|at|flat|the\s+session)\b"
    r"|\b(?:at\s+the|market|before\s+the|after\s+the)\s+(close)\b"
    r"|\b(closing)\s+(?:price|bell|level|date|ceremony|arguments|remarks|stages)\b"
    r"|\b(closed)-door\b"
)
_CLOSE = re.compile(
    r"\b(?:clos(?:e|es|ed|ing|ings|ure|ures)(?:\s+(?:down|its\s+doors|doors))?"
    r"|shut(?:s|ting)?(?:\s+(?:down|off))?|shut-?downs?|shutter(?:s|ed|ing)?"
    r"|mothball(?:s|ed|ing)?|pull(?:s|ed|ing)?\s+(?:the\s+)?plug\s+on"
    r"|wind(?:s|ing)?\s+down|wound\s+down|phas(?:e|es|ed|ing)\s+out"
    r"|decommission(?:s|ed|ing)?|abandon(?:s|ed|ing)?|doomed|closure-threatened"
    r"|drop(?:s|ped|ping)?(?=\s+(?:\w+\s+){0,3}?(?:plants?|factor(?:y|ies))\b)"
    r"|(?:to\s+|will\s+)?(?:cease|end|stop)(?:s|ed|ing)?\s+(?:all\s+|its\s+|the\s+)?"
    r"(?:[a-z-]+\s+){0,2}?(?:production|manufacturing|output|assembly|making|steelmaking"
    r"|smelting|refining|car\s?making|operations)"
    r"|(?:production|manufacturing|assembly|output|steelmaking)\s+(?:\w+\s+){0,2}?"
    r"(?:to|will)\s+(?:end|cease|stop)"
    r"|end\s+of\s+(?:\w+\s+){0,2}(?:production|manufacturing|assembly|steelmaking|car\s?making)"
    r"|end\s+of\s+the\s+line|last\s+(?:\w+\s+)?(?:car|cars|vehicle|vehicles|truck|trucks|engine|"
    r"engines|coil|slab|tyre|tire)s?\s+(?:rolls?|rolled|rolling|comes?|came)\s+off"
    r"|(?:exit|exits|exiting|quit|quits|quitting|pull(?:s|ed|ing)?\s+out\s+of)\s+(?:\w+\s+){0,2}?"
    r"(?:manufacturing|production|car\s?making|steelmaking))\b"
)
# Industrial sites. Strong ones bind alone; weak ones also need an industrial word nearby.
_SITE = re.compile(
    r"\b(?:plants?|factor(?:y|ies)|mills?|smelters?|refiner(?:y|ies)|foundr(?:y|ies)|fabs?|"
    r"mines?|mine\s+shafts?|shipyards?|dockyards?|steel\s?works|ironworks|potlines?|"
    r"winer(?:y|ies)|brewer(?:y|ies)|distiller(?:y|ies)|collier(?:y|ies)|quarr(?:y|ies)|"
    r"canner(?:y|ies)|abattoirs?|slaughterhouses?|sawmills?|kilns?|(?:steam\s+)?crackers?|"
    r"(?:assembly|production|car|vehicle)\s+lines?|gigafactor(?:y|ies)|gigafab|"
    r"blast\s+furnaces?|coke\s+ovens?|(?:manufacturing|production|assembly)\s+"
    r"(?:sites?|facilit(?:y|ies)|operations?|plants?|hubs?|units?|centers?|centres?)|"
    r"production|manufacturing|assembly|steelmaking|car\s?making|works|site|facilit(?:y|ies)|"
    r"operations?|lines)\b"
)
_WEAK_SITES = frozenset(
    {
        "production",
        "manufacturing",
        "assembly",
        "steelmaking",
        "carmaking",
        "car making",
        "works",
        "site",
        "facility",
        "facilities",
        "operations",
        "operation",
        "lines",
    }
)
_NOT_A_PLANT = re.compile(
    r"\bplant-based\b|\bpower\s+plants?\b(?=.*\bholiday)|\bplant\s+(?:trees|seeds)\b"
)
_INDUSTRY = re.compile(
    r"\b(?:car|cars|auto\w*|vehicles?|engines?|steel|alumin\w+|chemicals?|chips?|semiconductor\w*|"
    r"batter(?:y|ies)|paper|pulp|textiles?|tyres?|tires?|cement|glass|plastics?|refin\w+|"
    r"pharmaceutical|drug|meat|pork|beef|poultry|food|brewery|appliances?|electronics?|"
    r"manufactur\w+|industrial|workers|jobs)\b"
)
# Places that are not production sites: closing these is not a plant closure.
_NOT_SITE = re.compile(
    r"\b(?:stores?|shops?|branch(?:es)?|offices?|headquarters|hq|dealerships?|dealers?|"
    r"warehouses?|distribution\s+(?:cent(?:re|er)s?|facilit(?:y|ies)|hubs?)|depots?|"
    r"restaurants?|outlets?|showrooms?|call\s+cent(?:re|er)s?|data\s+cent(?:re|er)s?|schools?|"
    r"hospitals?|banks?|bases?|units?|labs?|laborator(?:y|ies)|research\s+cent(?:re|er)s?|"
    r"accounts?|borders?|airports?|routes?|embass(?:y|ies)|stations?|malls?|cinemas?|hotels?|"
    r"casinos?|websites?|services?|apps?|gap|deal|venture|partnership|business(?:es)?|"
    r"division|trading|subsidiar(?:y|ies)|brand|arm|plans?\s+to\s+(?:build|open|construct))\b"
)
_TEMPORARY = re.compile(
    r"\btemporar\w*|\bfor\s+(?:about\s+|up\s+to\s+|at\s+least\s+|another\s+)?"
    r"(?:a|one|two|three|four|five|six|seven|several|a\s+few|few|\d+)\s+(?:more\s+)?"
    r"(?:days?|weeks?|months?|shifts?)\b|\b(?:one|two|three|four|five|six|\d+)-(?:day|week)\b"
    r"|\buntil\s+(?:at\s+least\s+)?(?:next|mid|early|late|the\s+end|jan|feb|mar|apr|may|jun|"
    r"jul|aug|sep|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|\d)"
    r"|\bthrough\s+(?:next|the\s+end)|\b(?:resum|restart|reopen|re-open)\w*|\bforce\s+majeure\b"
    r"|(?<!end\s)(?<!ending\s)(?<!ended\s)(?<!end\sthe\s)\b(?:strike|walkout|lockout)s?\b"
    r"|\b(?:fire|blaze|explosion|flood\w*|hurricane|storm|typhoon|earthquake|cyber\w*|"
    r"ransomware|hack\w*|shortages?|coronavirus|covid\w*|virus|outbreak|lockdown|maintenance|"
    r"repairs?|holidays?|outages?|burst|sabotag\w*|inventory|quarantine|during)\b|\bfor\s+work\b"
)
_SALE = re.compile(r"\b(?:sell(?:s|ing)?|sale|sold|divest\w*)\b")
# Pauses are closures only when called indefinite or permanent.
_PAUSE = re.compile(
    r"\b(?:suspend(?:s|ed|ing)?|halt(?:s|ed|ing)?|idl(?:e|es|ed|ing)|stop(?:s|ped|ping)?|"
    r"paus(?:e|es|ed|ing))\b"
)
# Substrings every _TEMPORARY match contains: a cheap test before the costly pattern.
_TEMPORARY_STEMS = re.compile(
    "temporar|day|week|month|shift|until|through|resum|restart|reopen|re-open|majeure|strike|"
    "walkout|lockout|fire|blaze|explos|flood|hurricane|storm|typhoon|earthquake|cyber|ransom|"
    "hack|shortage|coronavirus|covid|virus|outbreak|lockdown|maintenance|repair|holiday|outage|"
    "burst|sabotag|inventory|quarantine|during|for work"
)
_INDEFINITE = re.compile(r"\bindefinite\w*|\bpermanent\w*|\bfor\s+good\b|\bno\s+longer\b")
_AVERTED = re.compile(
    r"\bkeep(?:s|ing)?\s+(?:\w+\s+){0,4}?(?:plant|factory|mill|smelter|refinery|works|site|mine|"
    r"shipyard|yard)s?\s+(?:open|running|operating|alive|going)\b"
    r"|\b(?:plant|factory|mill|smelter|refinery|works|mine|shipyard)s?\s+(?:\w+\s+){0,3}?"
    r"(?:to|will|would)\s+(?:stay|remain)\s+open\b"
    r"|\bsav(?:e|es|ed|ing)\s+(?:\w+\s+){0,4}?from\s+closure"
    r"|\bsav(?:e|es|ed|ing)\s+(?:[\w'’-]+\s+){0,3}?(?:plant|factory|mill|smelter|works|"
    r"shipyard|refinery)s?\b"
    r"|\b(?:plant|factory|mill|smelter|works|shipyard|refinery)s?\s+(?:is\s+|was\s+|been\s+)?"
    r"(?:saved|spared|rescued)\b"
    r"|\b(?:avoid|avert|prevent|stave\s+off)\w*\s+(?:\w+\s+){0,3}?(?:closures?|shutdowns?)"
    r"|\bcloser?\s+(?:\w+\s+){0,2}averted"
    r"|\b(?:rescu\w+|safeguard\w*|secur\w+\s+(?:the\s+)?future\s+of)\s+(?:\w+\s+){0,4}?"
    r"(?:plant|factory|mill|smelter|works|shipyard|refinery)\b"
)


_PRODUCTION_WORDS = (
    "production",
    "manufactur",
    "assembly",
    "making",
    "output",
    "operations",
    "line",
    "off",
)


def _bind_site(low: str, start: int, end: int) -> re.Match[str] | None:
    """The site a closing word refers to: the nearest one after it (its object), else before
    it (its subject); ``None`` when a non-industrial noun on that side is nearer."""
    after = first(_SITE, low, end, min(len(low), end + 80))
    before = last(_SITE, low, max(0, start - 100), start)
    site = after if after is not None else before
    if site is None:
        return None
    if site is after:
        block = first(_NOT_SITE, low, end, site.start())
    else:
        block = first(_NOT_SITE, low, site.end(), start)
    return None if block is not None else site


# Cheap substring pre-filters: most sentences contain none of these and skip every regex.
_STEMS = (
    "clos|shut|mothball|wind|wound|phas|ceas|end|stop|drop|last|exit|quit|pull|abandon|doom|"
    "decommission|plug|keep|sav|avert|avoid|prevent|rescu|stave|suspend|halt|idl|paus|remain|stay|"
    "safeguard|secur"
)
_AVERTED_STEMS = (
    "keep",
    "sav",
    "avert",
    "avoid",
    "prevent",
    "rescu",
    "stave",
    "remain",
    "stay",
    "safeguard",
    "secur",
)
_INDEFINITE_STEMS = ("indefinite", "permanent", "for good", "no longer")
_ANY_STEM = re.compile(_STEMS)
_ANY_AVERTED = re.compile("|".join(_AVERTED_STEMS))
_ANY_INDEFINITE = re.compile("|".join(_INDEFINITE_STEMS))


def clean(low: str) -> str:
    """``low`` with the non-closure senses of "close" blanked out."""
    if "clos" not in low:
        return low
    low = mask(low, _CLOSE_TO)
    low = mask(low, _DEAL_CLOSE, 1)
    return _MARKET.sub(lambda m: " " * len(m.group(0)), low)


def closure_cues(low: str, industrial_context: Callable[[], bool]) -> list[Cue]:
    """Closure cues in one lower-cased sentence.

    ``industrial_context()`` says whether the article mentions industry at all (asked only
    when needed); weak sites ("operations", "site", "production") count only then.
    """
    cues: list[Cue] = []
    if _ANY_STEM.search(low) is None:
        return cues
    if _ANY_AVERTED.search(low):
        for m in _AVERTED.finditer(low):
            cues.append(Cue("averted", (m.group(0),), m.start(), 0.8, "cancelled"))
    cleaned = clean(low)
    indefinite = _ANY_INDEFINITE.search(low) is not None and bool(_INDEFINITE.search(low))
    if "plant" in cleaned and _NOT_A_PLANT.search(cleaned):
        cleaned = mask(cleaned, _NOT_A_PLANT)
    temporary: bool | None = None  # decided on the first candidate: the pattern is costly
    matches = list(_CLOSE.finditer(cleaned))
    if indefinite:
        matches += list(_PAUSE.finditer(cleaned))
    for m in matches:
        verb = m.group(0)
        production_end = any(w in verb for w in _PRODUCTION_WORDS)
        site = _bind_site(cleaned, m.start(), m.end())
        if site is None and not production_end:
            continue
        site_word = site.group(0) if site is not None else ""
        strong = site_word not in _WEAK_SITES if site_word else "operations" not in verb
        if not strong and (not industrial_context() or _SALE.search(low)):
            continue  # "wind down operations, sell the plant": a sale, not a closure
        if temporary is None:
            temporary = (
                not indefinite
                and _TEMPORARY_STEMS.search(low) is not None
                and _TEMPORARY.search(low) is not None
            )
        if temporary:
            continue
        words = (verb, site_word) if site_word and site_word not in verb else (verb,)
        cues.append(Cue("closure", words, m.start(), 0.85 if strong else 0.6))
    return cues
