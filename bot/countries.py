"""Country names as stories carry them, from an ISO 3166-1 alpha-2 code or a name.

Stories name their country the way the classifier's gazetteer (:mod:`bot.classify.places`)
spells it ("Japan", "United Kingdom"). A ``country:`` filter accepts that name in any case, an
alias or adjective the gazetteer knows ("Britain", "Japanese", "USA") or the ISO code ("JP",
"GB"), and stores the gazetteer's name, so routing compares like with like.
"""

from __future__ import annotations

ISO_CODES: dict[str, str] = {
    "US": "United States",
    "GB": "United Kingdom",
    "CA": "Canada",
    "MX": "Mexico",
    "BR": "Brazil",
    "AR": "Argentina",
    "CL": "Chile",
    "VE": "Venezuela",
    "CO": "Colombia",
    "PE": "Peru",
    "DE": "Germany",
    "FR": "France",
    "IT": "Italy",
    "ES": "Spain",
    "PT": "Portugal",
    "NL": "Netherlands",
    "BE": "Belgium",
    "LU": "Luxembourg",
    "CH": "Switzerland",
    "AT": "Austria",
    "SE": "Sweden",
    "NO": "Norway",
    "FI": "Finland",
    "DK": "Denmark",
    "IE": "Ireland",
    "PL": "Poland",
    "CZ": "Czech Republic",
    "SK": "Slovakia",
    "HU": "Hungary",
    "RO": "Romania",
    "BG": "Bulgaria",
    "RS": "Serbia",
    "SI": "Slovenia",
    "HR": "Croatia",
    "GR": "Greece",
    "TR": "Turkey",
    "RU": "Russia",
    "UA": "Ukraine",
    "BY": "Belarus",
    "CN": "China",
    "TW": "Taiwan",
    "HK": "Hong Kong",
    "JP": "Japan",
    "KR": "South Korea",
    "KP": "North Korea",
    "IN": "India",
    "PK": "Pakistan",
    "BD": "Bangladesh",
    "LK": "Sri Lanka",
    "ID": "Indonesia",
    "MY": "Malaysia",
    "SG": "Singapore",
    "TH": "Thailand",
    "VN": "Vietnam",
    "PH": "Philippines",
    "AU": "Australia",
    "NZ": "New Zealand",
    "ZA": "South Africa",
    "NG": "Nigeria",
    "EG": "Egypt",
    "MA": "Morocco",
    "DZ": "Algeria",
    "TN": "Tunisia",
    "KE": "Kenya",
    "ET": "Ethiopia",
    "ZM": "Zambia",
    "ZW": "Zimbabwe",
    "LS": "Lesotho",
    "GH": "Ghana",
    "SA": "Saudi Arabia",
    "AE": "United Arab Emirates",
    "QA": "Qatar",
    "IL": "Israel",
    "IR": "Iran",
    "IQ": "Iraq",
    "KZ": "Kazakhstan",
    "UZ": "Uzbekistan",
    "SR": "Surinam",
}
_BY_NAME = {name.casefold(): name for name in ISO_CODES.values()}
_CODE_OF = {name: code for code, name in ISO_CODES.items()}


def country_named(text: str) -> str | None:
    """The gazetteer's name for an ISO code or a country name/alias, or None."""
    value = " ".join(text.split())
    if len(value) == 2 and value.upper() in ISO_CODES:
        return ISO_CODES[value.upper()]
    if value.casefold() in _BY_NAME:
        return _BY_NAME[value.casefold()]
    from bot.classify.places import country_of  # the gazetteer loads on first use

    found = country_of(value) or country_of(value.title())
    return found if found in _CODE_OF else None


def code_of(country: str) -> str | None:
    """The ISO code of a gazetteer country name, or None."""
    return _CODE_OF.get(country)
