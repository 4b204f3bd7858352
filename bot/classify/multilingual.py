"""Closure and partnership cues in the other languages industry news arrives in.

A compact lexicon, not a translation: German, French, Spanish, Portuguese, Italian, Dutch and
Swedish closing verbs and nouns bound to a production-site noun, the same way
:mod:`bot.classify.closures` binds English ones, plus the common words for a joint venture or
partnership. These cues are weaker than the English rules (no sense filtering beyond
"temporary"), so they carry a lower strength, and a foreign partnership cue needs two named
companies (the caller checks).
"""

from __future__ import annotations

import re

from bot.classify.cue import Cue

_CLOSE = re.compile(
    r"(?<!\w)(?:schlie(?:ß|ss)(?:t|en|ung)|stilleg\w*|stilllegung\w*|macht\s+dicht|dichtmach\w*|"
    r"ferme(?:r|ra|ront|ture|tures)?|fermé\w*|cierr(?:a|an|e|en|ará|arán)|cerrar\w*|"
    r"cierre|clausura\w*|fech(?:a|ar|ará|arão|am|ou|amento)|fechad\w+|encerr(?:a|ar|ará|arão|am|ou)|"
    r"chiud\w+|chiusur\w+|sluit(?:en|ing)?|sluiten|stäng(?:er|s|a|ning)\w*|nedläggning\w*)(?!\w)"
)
_SITE = re.compile(
    r"(?<!\w)(?:werk(?:e|s)?|fabrik(?:en)?|\w*standort(?:e|es)?|\w*anlagen?|usines?|sites?|"
    r"fábricas?|plantas?|fabbric\w*|stabiliment\w*|fabriek(?:en)?|fabrieken|vestiging\w*|"
    r"anläggning\w*|raffinerie|raffinería|refinaria|acciaieria|aciérie|mines?|minas?|"
    r"produktion|production|producción|produção|produzione|productie)(?!\w)"
)
_TEMPORARY = re.compile(
    r"(?<!\w)(?:vorübergehend\w*|temporaire\w*|temporal\w*|temporári\w*|temporane\w*|"
    r"tijdelijk\w*|tillfällig\w*)(?!\w)"
)
_PARTNER = re.compile(
    r"(?<!\w)(?:gemeinschaftsunternehmen|joint-venture|partnerschaft|kooperation|allianz|"
    r"partenariat|coentreprise|co-entreprise|empresa\s+conjunta|alianza|parceria|alian[çc]a|"
    r"samenwerking|alleanza|partnerskap|samarbete)(?!\w)|合弁|提携|合资|合作|합작|제휴"
)


_TALKS = re.compile(
    r"(?<!\w)(?:envisage\w*|erwäg\w*|überleg\w*|prüf\w*|considera\w*|overweeg\w*|pense|"
    r"estuda\w*|valuta\w*|överväg\w*)(?!\w)"
)
_CONFIRMED = re.compile(
    r"(?<!\w)(?:bestätig\w*|confirm\w*|bevestig\w*|bekräft\w*|geschlossen|fermée?s?|cerrad[ao]s?|"
    r"fechad[ao]s?|chius[aoie]|gesloten|stängd\w*)(?!\w)"
)
# Cheap pre-filter: a sentence without one of these stems has no foreign closure cue.
STEMS = re.compile(
    "schlie|stilleg|dicht|ferm|cierr|cerra|clausur|fech|encerr|chiud|chius|sluit|stäng|nedlägg"
)


def foreign_closure_cues(low: str) -> list[Cue]:
    """Closure cues written in another language, in one lower-cased sentence."""
    cues: list[Cue] = []
    if STEMS.search(low) is None or _TEMPORARY.search(low):
        return cues
    if _TALKS.search(low):
        hint = "talks"
    elif _CONFIRMED.search(low):
        hint = "confirmed"
    else:
        hint = "planned"
    for m in _CLOSE.finditer(low):
        site = _SITE.search(low, max(0, m.start() - 60), min(len(low), m.end() + 60))
        if site is not None:
            words = (m.group(0), site.group(0))
            cues.append(Cue("closure (multilingual)", words, m.start(), 0.6, hint))
    return cues


_PARTNER_STEMS = re.compile(
    "gemeinschaft|partner|kooperation|allian|coentreprise|co-entreprise|conjunta|parceria|samenwerking|samarbete|joint-venture"
)


def foreign_partnership_cues(low: str) -> list[Cue]:
    """Partnership nouns written in another language, in one lower-cased sentence."""
    if low.isascii() and _PARTNER_STEMS.search(low) is None:
        return []
    return [
        Cue("partnership (multilingual)", (m.group(0),), m.start(), 0.55)
        for m in _PARTNER.finditer(low)
    ]
