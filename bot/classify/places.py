"""Countries, regions and plant names: where an event happens.

Owns a small gazetteer (countries with their adjectives, US states, Canadian provinces and the
industrial towns that recur in closure news) and the pattern that reads a plant's name from text
("its Oppama plant", "the plant in Swindon"). Country comes from an explicit mention first, then
from a named place the gazetteer knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.classify.trie import trie_pattern

# name or adjective -> country
_COUNTRIES: dict[str, str] = {}
for _line in """
United States|U.S.|US|USA|U.S.A.|America|American
United Kingdom|UK|U.K.|Britain|British|England|English|Scotland|Scottish|Wales|Welsh
Northern Ireland
Canada|Canadian
Mexico|Mexican
Brazil|Brazilian
Argentina|Argentine|Argentinian
Chile|Chilean
Venezuela|Venezuelan
Colombia|Colombian
Peru|Peruvian
Germany|German|West German|West Germany
France|French
Italy|Italian
Spain|Spanish
Portugal|Portuguese
Netherlands|Dutch|Holland
Belgium|Belgian
Luxembourg
Switzerland|Swiss
Austria|Austrian
Sweden|Swedish
Norway|Norwegian
Finland|Finnish
Denmark|Danish
Ireland|Irish
Poland|Polish
Czech Republic|Czech|Czechia
Slovakia|Slovak
Hungary|Hungarian
Romania|Romanian
Bulgaria|Bulgarian
Serbia|Serbian
Slovenia|Slovenian
Croatia|Croatian
Greece|Greek
Turkey|Turkish|Türkiye
Russia|Russian
Ukraine|Ukrainian
Belarus
China|Chinese
Taiwan|Taiwanese
Hong Kong
Japan|Japanese
South Korea|Korea|Korean|South Korean
North Korea|North Korean
India|Indian
Pakistan|Pakistani
Bangladesh|Bangladeshi
Sri Lanka
Indonesia|Indonesian
Malaysia|Malaysian
Singapore|Singaporean
Thailand|Thai
Vietnam|Vietnamese
Philippines|Philippine|Filipino
Australia|Australian
New Zealand
South Africa|South African
Nigeria|Nigerian
Egypt|Egyptian
Morocco|Moroccan
Algeria|Algerian
Tunisia|Tunisian
Kenya|Kenyan
Ethiopia|Ethiopian
Zambia|Zambian
Zimbabwe
Lesotho
Ghana|Ghanaian
Saudi Arabia|Saudi
United Arab Emirates|UAE|Emirati
Qatar|Qatari
Israel|Israeli
Iran|Iranian
Iraq|Iraqi
Kazakhstan
Uzbekistan
Surinam|Suriname
""".strip().splitlines():
    _names = _line.split("|")
    for _n in _names:
        _COUNTRIES[_n] = _names[0]
_COUNTRIES["U.S"] = "United States"

_REGIONS: dict[str, str] = {}
for _country, _block in {
    "United States": "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|"
    "Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|"
    "Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|"
    "New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|"
    "Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|"
    "West Virginia|Wisconsin|Wyoming|Detroit|Lordstown|Chicago|Pittsburgh|Cleveland|Toledo|"
    "Indianapolis|Louisville|Memphis|Nashville|Dearborn|Flint|Lansing|Fremont|Gary|Puerto Rico",
    "Canada": "Ontario|Quebec|Alberta|British Columbia|Manitoba|Saskatchewan|Nova Scotia|"
    "New Brunswick|Oshawa|Oakville|Windsor|Brampton|Ingersoll|Hamilton",
    "United Kingdom": "Swindon|Sunderland|Bridgend|Ellesmere Port|Luton|Oxford|Halewood|Redcar|"
    "Teesside|Port Talbot|Scunthorpe|Cardiff|Belfast|Birmingham|Coventry|Newport|Norwich|Glasgow|"
    "Longbridge|Dagenham|Derby|Appledore|Yorkshire|Midlands|Liverpool|Manchester|London",
    "Germany": "Bochum|Wolfsburg|Stuttgart|Munich|Ruesselsheim|Rüsselsheim|Saarlouis|Cologne|"
    "Eisenach|Zwickau|Emden|Dresden|Ludwigshafen|Berlin|Bavaria|Saxony|Leipzig|Duisburg",
    "France": "Paris|Bordeaux|Blanquefort|Flins|Sochaux|Mulhouse|Dunkirk|Lorraine",
    "Belgium": "Brussels|Genk|Antwerp|Ghent",
    "Spain": "Barcelona|Valencia|Madrid|Martorell|Catalonia",
    "Italy": "Turin|Mirafiori|Naples|Pomigliano|Termini Imerese|Melfi|Arese|Milan",
    "Japan": "Oppama|Tokyo|Osaka|Nagoya|Yokohama|Kyushu|Aichi|Tokushima",
    "China": "Shanghai|Beijing|Wuhan|Guangzhou|Shenzhen|Tianjin|Chongqing|Shandong|Hefei|"
    "Changchun|Nanjing|Sanshui|Zhejiang|Jiangsu|Guangdong",
    "India": "Chennai|Sanand|Gujarat|Pune|Mumbai|Maharashtra|Tamil Nadu|Tuticorin",
    "South Korea": "Gunsan|Ulsan|Seoul|Changwon|Bupyeong",
    "Australia": "Adelaide|Elizabeth|Altona|Geelong|Victoria|Melbourne",
    "Netherlands": "Born|Amsterdam|Rotterdam",
    "Brazil": "Sao Paulo|São Paulo|Camacari|Taubate",
    "Russia": "St Petersburg|Kaluga|Moscow",
    "Mexico": "Hermosillo|Salamanca|Monterrey|Puebla",
    "Hungary": "Gyor|Esztergom",
    "Sweden": "Gothenburg|Torslanda|Skelleftea",
}.items():
    for _name in _block.split("|"):
        _REGIONS[_name] = _country

_COUNTRY_RX = re.compile(r"(?<![\w.])" + trie_pattern(_COUNTRIES) + r"(?![\w]|\.\w)")
_REGION_RX = re.compile(r"\b" + trie_pattern(_REGIONS) + r"\b")
_SITE = (
    r"(?i:assembly\s+plant|car\s+plant|engine\s+plant|plant|factory|works|steelworks|mill|"
    r"smelter|refinery|foundry|shipyard|mine|fab|gigafactory|complex|site|facility)"
)
# "Oppama plant", "its Sunderland factory", "Granite City Works plant"
_SITE_WORD = re.compile(r"\b" + _SITE + r"s?\b")
# The name before a site noun: "Oppama", "its Sunderland", "Grangemouth oil", "Granite City Works"
# A preposition between them ends the name: "EVs at Oppama plant" names Oppama.
_NAMED_BEFORE = re.compile(
    r"\b((?:[A-Z][\w'.-]*\s+){0,2}[A-Z][\w'.-]*)\s+"
    r"(?:[A-Z][a-z]+\s+|EV\s+|(?!(?:at|in|of|for|to|near|on|from|with|by)\s)[a-z][\w-]*\s+){0,2}$"
)
# Capitalised common nouns of title-case headlines ("Jobs and Plant", "Future of Plant").
_HEADLINE_NOUNS = frozenset(
    [
        "Jobs",
        "Job",
        "Workers",
        "Staff",
        "Future",
        "Closure",
        "Closures",
        "Plans",
        "Plan",
        "Deal",
        "Talks",
        "Production",
        "Operations",
        "New",
        "Old",
        "Main",
        "Last",
        "Only",
        "Second",
        "Third",
        "Biggest",
        "Largest",
        "Oldest",
    ]
)
# In a title-case headline the word after "to" is a verb: "to Safeguard Oppama Plant".
_TO_BEFORE = re.compile(r"\bto\s+$", re.I)
# After a site noun: "plant in Swindon", "mill at Port Talbot, Wales"
_IN_PLACE = re.compile(r"\s+(?:in|at|near)\s+((?:[A-Z][\w'.-]+)(?:,?\s+[A-Z][\w'.-]+){0,2})")
_NOT_PLACE = frozenset(
    {
        "The",
        "A",
        "An",
        "Its",
        "Their",
        "This",
        "That",
        "Plant",
        "Factory",
        "New",
        "Old",
        "Car",
        "Auto",
        "Engine",
        "Assembly",
        "Steel",
        "Chip",
        "Battery",
        "EV",
        "Last",
        "Largest",
        "Biggest",
        "Main",
        "Second",
        "First",
        "Two",
        "Three",
        "Five",
        "Six",
        "Production",
        "Manufacturing",
        "Power",
        "Nuclear",
        "Paper",
        "Pork",
        "Meat",
        "Chemical",
        "Textile",
        "Tire",
        "Tyre",
        "Smartphone",
        "Phone",
        "Mobile",
        "Close",
        "Shut",
        "Closure",
        "Closes",
        "To",
        "Will",
        "Says",
        "US",
        "U.S.",
        "UK",
    }
)


@dataclass(frozen=True, slots=True)
class Place:
    """Where an event is: plant name, location (town/region) and country, each optional."""

    plant: str | None = None
    location: str | None = None
    country: str | None = None


def country_of(name: str) -> str | None:
    """The country a country name, adjective, US state or known industrial town belongs to."""
    return _COUNTRIES.get(name) or _REGIONS.get(name)


def find_place(text: str, exclude: frozenset[str] = frozenset()) -> Place:
    """Plant, location and country named in ``text``; ``exclude`` holds company names."""
    plant: str | None = None
    location: str | None = None
    sites = list(_SITE_WORD.finditer(text))
    for site in sites:
        m = _IN_PLACE.match(text, site.end())
        if m is None:
            continue
        words = m.group(1)
        first = words.split()[0].rstrip(",")
        if first in _NOT_PLACE or first in exclude:
            continue
        location = words.split(",")[0].strip()
        break
    for site in sites:
        # Read the name backwards from the site noun: far cheaper than scanning every
        # capitalised word for a name that might precede a site. The leftmost capitalised run
        # may be the company ("Nissan confirms Oppama plant"): then the next one is read.
        start = max(0, site.start() - 60)
        while (m := _NAMED_BEFORE.search(text, start, site.start())) is not None:
            words = [w for w in m.group(1).split() if w not in _NOT_PLACE and w not in exclude]
            if _TO_BEFORE.search(text, max(0, m.start() - 4), m.start()):
                words = words[1:]
            words = [w for w in words if w not in _HEADLINE_NOUNS]
            if words and words[-1][:1].isupper():
                break
            start = m.end(1)
        if m is None:
            continue
        name = " ".join(words)
        if _COUNTRIES.get(name):
            continue
        plant = text[m.start() : site.end()]
        plant = plant[plant.index(words[0]) :]
        location = location or name
        break
    country: str | None = None
    m2 = _COUNTRY_RX.search(text)
    if m2 is not None:
        country = _COUNTRIES[m2.group()]
    elif location is not None:
        country = country_of(location) or country_of(location.split()[0])
    if country is None:
        m3 = _REGION_RX.search(text)
        if m3 is not None:
            country = _REGIONS[m3.group()]
    if location is not None and location in _COUNTRIES:
        location = None
    return Place(plant, location, country)
