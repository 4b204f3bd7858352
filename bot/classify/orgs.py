"""Organisations that are not in the company table, recognised from the shape of the text.

Three shapes, each precise on its own:

* a Reuters-style ticker after a name ("LAC MINERALS <LAC>") or a name in angle brackets
  ("<Clevite Industries Inc>");
* capitalised words followed by a corporate word ("Hooker Furniture Co", "Liontown
  Resources", "Buckeye Steel Castings");
* the subject of a headline or of a lede's first clause: capitalised words right before a
  news verb ("Mattel will close", "Verso plans to", "Pininfarina will be ending").

Words that are capitalised for other reasons (sentence starts, titles, places, months, Title
Case headlines) are filtered by stop lists and the place gazetteer.
"""

from __future__ import annotations

import re

from bot.classify.places import country_of

_LEGAL = (
    r"Inc|Corp|Corporation|Co|Company|Ltd|Limited|LLC|Plc|PLC|plc|AG|SA|S\.A|GmbH|NV|N\.V|SE|SpA|"
    r"Cos|Bhd|Pty|KK|Pvt|Private|AB|Oy|Oyj|ASA|Pte|BV|B\.V|KGaA"
)
_CORPORATE = (
    r"Group|Holdings|Industries|Motors?|Steel|Chemicals?|Electric|Energy|Resources|Technologies|"
    r"Technology|Automotive|Semiconductors?|Materials|Manufacturing|Mining|Metals|Electronics|"
    r"Pharmaceuticals?|Airlines?|Foods|Furniture|International|Solutions|Services|Systems|"
    r"Engineering|Minerals|Castings|Brands|Packaging|Partnership|Products|Aerospace|Glass|"
    r"Paper|Cement|Textiles|Batteries|Petroleum|Petrochemicals?|Shipbuilding|Enterprises|"
    r"Laboratories|Labs|Robotics|Dynamics|Logistics|Refining|Polymers|Plastics|Airways|Cruises|"
    r"Pharma|Therapeutics|Biotech|Communications|Telecommunications|Entertainment|Networks|"
    r"Software"
)
_WORD = r"[A-Z][\w&'.-]*"
_TICKER = re.compile(
    r"((?:" + _WORD + r"\s+){0,3}" + _WORD + r")\s*<[A-Z][A-Z0-9.]{0,8}>"
    r"|<([A-Z][\w&'.-]*(?:\s+[\w&'.-]+){1,5})>"
)
_SUFFIXED = re.compile(
    r"\b((?:" + _WORD + r"\s+(?:&\s+|and\s+|of\s+)?){0,3}?" + _WORD + r")\s+"
    r"(?:((?:" + _CORPORATE + r")(?:\s+(?:" + _CORPORATE + r"))*(?:\s+(?:&|and)\s+[A-Z][\w-]*)?)\b"
    r"(?:\s+(?:" + _LEGAL + r")\b\.?)?"
    r"|(?:" + _LEGAL + r")\b\.?)"
    r"(?!\s+(?i:mill|plant|factory|works|smelter|refinery|mine|site|facility)s?\b)"
)
_CORPORATE_WORDS = frozenset(
    form
    for word in (_CORPORATE + "|" + _LEGAL).replace("\\", "").split("|")
    for form in ((word[:-2], word[:-1]) if word.endswith("s?") else (word,))
)
# Words a name never starts with, stripped from the front ("Exclusive: ...", "The ...").
_LEADING_WORDS = """The A An In On At For With By As After Before Its Their This That Exclusive
Update UPDATE Timeline Analysis Report Breaking According Why How What When Where Steelmaker
Carmaker Automaker Chipmaker Retailer Supplier Miner Startup Rival Giant Conglomerate Insurer
Brewer Lender Designer Drugmaker Partners Privately-held
State-owned State-run Unit Subsidiary based"""
_LEADING = frozenset(_LEADING_WORDS.split())
_QUALIFIED = ("-based", "-backed", "-owned", "-controlled", "-listed", "-run", "-winning", "-led")
# Function words that end a name read backwards from a ticker ("ENDS TALKS WITH GM <GM>").
_BREAK_WORDS = """to with in on at for and by from the a an says said sets plans ends talks venture
ventures joint unit buys sells sell buy close closes form forms agree agrees set see sees cuts
cut raises lowers"""
_BREAK = frozenset(_BREAK_WORDS.split())
_NEWS_VERB = (
    r"to|will|says?|said|plans?|planned|has|have|is|are|was|signs?|signed|teams?|partners?|"
    r"closes?|closing|shuts?|shutters?|cuts?|agrees?|agreed|announces?|announced|confirms?|"
    r"confirmed|forms?|formed|ends?|ended|quits?|drops?|scraps?|puts?|lays|launches|kicks|"
    r"begins|starts|gets|can|may|could|would|pulls|reaches|enters|joins|wants|seeks|"
    r"considers|inks|unveils|denies|denied|mothballs|idles|reported|announcing|parts|"
    r"teams|takes|makes|moves|shifts|opens|files|wins|picks|selects|taps|chooses|licenses|"
    r"licences|supplies|sells|buys|invests|settles|sues|partners|mulls?|eyes|explores?|weighs?|"
    r"extends?|expands?|broadens?|tie|ties|join|studies|study|launch|sets?|approves?|finali[sz]es?|"
    r"end|in\s+(?:talks|venture|joint|pact|deal|accord|alliance|partnership|tie-up)"
)
_NAME = r"(?:" + _WORD + r"\s+){0,2}" + _WORD
_SUBJECT = re.compile(
    r"^(" + _NAME + r")(?:'s)?\s+(?i:" + _NEWS_VERB + r")\b"
    r"|^(" + _NAME + r"(?:\s*(?:,|and|&)\s*" + _NAME + r"){1,3})\s+(?i:" + _NEWS_VERB + r")\b"
    r"|^(" + _NAME + r"),\s+(?:a|an|the)\s"
)
# Where a headline lists its subjects: "Kestrel, Arden and Vale form venture".
_LIST_SPLIT = re.compile(r"\s*,\s*|\s+(?:and|&)\s+|\s*&\s*")
# The other party of a cooperation: "partners with Arden", "teams up with Brazil's Vale",
# "in talks with designer Jo Bloggs and Arden" (up to three lower-case describing words).
_COOP_WITH = re.compile(
    r"\b(?:partner(?:s|ed|ing|ship|ships)?|team(?:s|ed|ing)?\s+up|ties?\s+up|tied\s+up|tie-ups?|"
    r"ventures?|JV|alliances?|pacts?|deals?|agreements?|accords?|cooperat\w*|co-operat\w*|"
    r"collaborat\w*|talks|join(?:s|ed)?\s+forces|MoU|memorandum)\s+with\s+"
    r"(?:(?:[a-z][\w-]*|[A-Z][a-z]+-based)\s+){0,3}?"
    r"(" + _NAME + r"(?:(?:\s*,\s*|\s+and\s+|\s*&\s*)" + _NAME + r"){0,3})"
)
_COOP_HINT = re.compile(r" with [A-Za-z]")
# A company named after its country: "Japan's Arden", "Britain's Kestrel Foods".
_COUNTRY_OWNED = re.compile(r"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)'s\s+(" + _NAME + r")")
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .'-]{2,}(?:,\s*[\w.]+(?:\s[\w.]+)?)?|[A-Z][a-z]{2}\.?\s+\d{1,2})?"
    r"\s*(?:\([^)]{1,40}\))?\s*(?:--|-|—|:)\s+"
)
_STOP_WORDS = """
    The A An In On At For With By As After Before Last Next This That These Those It Its Their
    Two Three Four Five Six One First Second Exclusive Update UPDATE Timeline Analysis Breaking
    Report Reports Sources Source Workers Worker Union Unions Minister President Government
    Officials Official Court Judge Jobs Job Strike Steel Industry Factory Plant Plants Shares
    Stocks Automaker Automakers Carmaker Carmakers Company Companies Firm Firms Chairman CEO
    Chief Staff Hundreds Thousands Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December Mr Mrs
    Ms Dr How Why What When Where Who Will Could Would Should New Old Former World North
    South East West Central European Europe Asia Asian Africa African Western Eastern State
    Federal City County Town Council Parliament Congress Senate Regulators Regulator
    Police Army Ministry Department Agency Authorities Authority Mayor Governor
    Secretary Trump Biden Obama Macron Merkel Brexit Covid COVID Coronavirus China's According
    Investors
    Analysts Employees Staffers Residents Locals Voters Bosses Managers Executives Management
    Sales Profit Profits Production Output Exports Imports Prices Price Demand Cars
    Our We You
    They He She I There Here Shares Stock Market Markets Wall Street Dow Nasdaq Japanese Chinese
    German French Korean Indian British American Italian Spanish Swedish Deal Deals Talks
    Venture Alliance Partnership Merger Layoffs Closure Closures Plan Plans Daily Weekly News
    Press Times Journal Post Herald Tribune Reuters Bloomberg CNBC BBC AP Exclusive: Watch Video
    Opinion Editorial Live Photos Inside Meet Why's Here's Says Said Due Hard Chance Calls
    John Staying Mobility Industrial Representatives Corporations Disruptions Protests PROTESTS
    Leave Part Rio Motor Paper High Belt Musk Soviet PM Prime Premier Chancellor King Queen
    Prince Partners Lawmakers
"""
_STOP = frozenset(_STOP_WORDS.split())
# Words that end a name when met after its first word.
_TRAILING_WORDS = """CEO CFO Chairman President Says Said May It Doesn't Reaches Strikes Have Has
Is Was To Calls Cost-Cutting Goodbye"""
_TRAILING = frozenset(_TRAILING_WORDS.split())
# Words that start names ("Electric Last Mile") but are never a name alone.
_LONE_WORDS = """Auto Car Battery Chip Oil Gas Green Clean Global National EV EVs Power AI
University College Institute"""
_LONE = frozenset(_LONE_WORDS.split())
# A name in apposition to a role noun: "its franchise partner Shangpin", "carmaker Zentro".
_APPOSITION = re.compile(
    r"\b(?:partner|rival|supplier|carmaker|automaker|steelmaker|chipmaker|maker|manufacturer|"
    r"producer|startup|start-up|giant|group|firm|company|subsidiary|unit|owner|buyer)\s+"
    r"((?:[A-Z][\w&'-]+\s?){1,3})"
)
# Cheap pre-filters for the costlier name patterns.
_SUFFIX_HINT = re.compile(r"\b(?:" + _CORPORATE + "|" + _LEGAL + r")\b")
_ROLE_HINT = re.compile(
    "partner|rival|supplier|maker|manufacturer|producer|start|giant|group|firm|company|"
    "subsidiary|unit|owner|buyer"
)
_LEGAL_TAIL = re.compile(r"(?:[\s,]+(?:" + _LEGAL + r")\b\.?)+$")


def _clean(name: str) -> str | None:
    name = name.strip(" ,.'").removesuffix("'s")
    if not name.strip():
        return None
    if name.rsplit(None, 1)[-1].strip(".,") in _CORPORATE_WORDS:
        name = _LEGAL_TAIL.sub("", name).strip(" ,.")
    if "'s " in name:  # "CNH Industrial's Iveco": the owner qualifies the company
        name = name.rsplit("'s ", 1)[1]
    # "Google-backed Deliv", "Texas-based Arden": the qualifier is not part of the name
    words = [w for w in name.split() if not w.endswith(_QUALIFIED)]
    for i, word in enumerate(words[1:], start=1):  # "Starbucks CEO", "GM Says Goodbye"
        if word.casefold() in _BREAK or word in _TRAILING:
            words = words[:i]
            break
    while words and words[0] in _LEADING:
        words.pop(0)
    while words and (country := _country_words(words)):
        # "Britain's Arden" and "China Arden" name Arden; "Qatar Airways" and "Norwegian Cruise
        # Line" are names themselves
        demonym = country == 1 and country_of(words[0]) != words[0]
        if not words[country - 1].endswith("'s") and (
            words[-1] in _CORPORATE_WORDS or (demonym and len(words) > 2)
        ):
            break
        del words[:country]
        while words and words[0] in _LEADING:
            words.pop(0)
    if not words or words[0] in _STOP or words[0].casefold() in _BREAK:
        return None
    name = " ".join(words)
    if name in _STOP or country_of(name) or len(name) < 2 or name in _CORPORATE_WORDS:
        return None
    if name in _LONE:
        return None
    if len(name.replace(".", "").replace(" ", "")) < 3 and not name.isupper():
        return None  # "U. S" from a tokenised "U. S. firms"
    if name.isupper() and len(name) > 5 and " " in name:
        name = name.title()  # "LAC MINERALS" -> "Lac Minerals": readable, resolvable later
    return name


def _country_words(words: list[str]) -> int:
    """How many of the leading words name a country ("Saudi Arabia's" is two), else 0."""
    if len(words) > 1 and country_of(f"{words[0]} {words[1]}".removesuffix("'s")):
        return 2
    return 1 if country_of(words[0].removesuffix("'s")) else 0


def _ticker_name(raw: str) -> str:
    words = raw.split()
    kept: list[str] = []
    for word in reversed(words):
        if word.casefold() in _BREAK:
            break
        kept.append(word)
    return " ".join(reversed(kept))


def _title_case(text: str) -> bool:
    words = [w for w in text.split() if len(w) > 3 and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def find_orgs(sentence: str, headline: bool) -> list[tuple[str, int]]:
    """Organisation names (with their offset) recognised in one sentence of original text."""
    found: list[tuple[str, int]] = []
    shouty = sentence.isupper()
    tickers = _TICKER.finditer(sentence) if "<" in sentence else ()
    for m in tickers:
        name = _clean(_ticker_name(m.group(1)) if m.group(1) else m.group(2))
        if name:
            found.append((name, m.start()))
    if shouty:
        return found
    titled = headline and _title_case(sentence)
    suffixed = _SUFFIXED.finditer(sentence) if _SUFFIX_HINT.search(sentence) else ()
    for m in suffixed:
        corporate = m.group(2)
        if titled and corporate:
            continue
        name = _clean(m.group(1) + (" " + corporate if corporate else ""))
        if name and (corporate is None or len(name.split()) > 1):
            found.append((name, m.start()))
    appositions = _APPOSITION.finditer(sentence) if _ROLE_HINT.search(sentence) else ()
    for m in appositions:
        name = _clean(m.group(1))
        if name:
            found.append((name, m.start(1)))
    body = _DATELINE.sub("", sentence, count=1) if not headline else sentence
    offset = len(sentence) - len(body)
    m2 = _SUBJECT.match(body)
    if m2 is not None:
        for group in (1, 3):
            if m2.group(group):
                name = _clean(m2.group(group))
                if name:
                    found.append((name, offset + m2.start(group)))
        if m2.group(2):
            found += _listed(m2.group(2), offset + m2.start(2))
    if _COOP_HINT.search(sentence):
        for m in _COOP_WITH.finditer(sentence):
            found += _listed(m.group(1), m.start(1))
    if "'s " in sentence:
        for m in _COUNTRY_OWNED.finditer(sentence):
            if country_of(m.group(1)):
                name = _clean(m.group(2))
                if name:
                    found.append((name, m.start(2)))
    return found


def _listed(names: str, start: int) -> list[tuple[str, int]]:
    """Each name of a coordinated list ("Arden, Kestrel and Vale"), with its offset."""
    found: list[tuple[str, int]] = []
    at = 0
    for part in _LIST_SPLIT.split(names):
        at = names.find(part, at)
        name = _clean(part)
        if name:
            # the offset of the name itself, not of words dropped before it ("Arden-backed")
            found.append((name, start + at + max(0, part.find(name.split()[0]))))
        at += len(part)
    return found
