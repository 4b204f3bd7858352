"""The rule classifier: normalise, find cues, attach facts, decide status, score.

The pipeline for one article:

1. :func:`bot.classify.sentences.read` folds the text and splits it into sentences;
2. per sentence, :mod:`closures` and :mod:`partnerships` return cues (company names that
   contain cue words, like "John Lewis Partnership", are blanked first);
3. at most one event per type is kept, from its strongest cue (headline cues first);
4. companies (table + :mod:`orgs`), plant/location/country (:mod:`places`) and jobs
   (:mod:`jobs`) are read from the whole article;
5. :mod:`status` reads the cue's sentence; confidence grows with cue strength, a headline cue
   and named companies.

Every event carries the evidence that produced it. Pure and deterministic: no I/O.
"""

from __future__ import annotations

import re
from functools import cache

from bot.classify.closures import closure_cues
from bot.classify.companies import CompanyMention, CompanyTable
from bot.classify.cue import Cue
from bot.classify.jobs import find_jobs
from bot.classify.multilingual import foreign_closure_cues, foreign_partnership_cues
from bot.classify.orgs import find_orgs
from bot.classify.partnerships import partnership_cues
from bot.classify.places import Place, find_place
from bot.classify.sentences import Document, Sentence, read
from bot.classify.status import decide_status
from bot.domain import Event, EventType, Status

_INDUSTRY = re.compile(
    r"\b(?:car|cars|auto\w*|vehicles?|engines?|steel\w*|alumin\w+|chemicals?|chips?|"
    r"semiconductor\w*|batter(?:y|ies)|paper|pulp|textiles?|tyres?|tires?|cement|glass|"
    r"plastics?|refin\w+|pharmaceutical|drugs?|meat|pork|beef|poultry|brewery|appliances?|"
    r"electronics?|manufactur\w+|industrial|plants?|factor(?:y|ies)|mills?|mines?|smelters?|"
    r"workers|jobs|coachbuilder|carmaker\w*)\b"
)
_CUE_WORDS = re.compile(r"partnership|alliance|venture|partners")
# A company named only as a comparison or background is not a party to the event:
# "clients like Apple", "to beat Tesla", "a former Tesla executive", "parent of Chrysler".
_BYSTANDER = re.compile(
    r"(?:\blike|such\s+as|\brivals|competitors|compete\s+with|competing\s+with|\bbeat|"
    r"\bthan|versus|\bvs\.?|\bformer|\bex-|parent\s+(?:company\s+)?of|clients?|"
    r"customers?)\s+(?:the\s+)?$"
)
# "invests $500m in <company>", "takes a 20% stake in <company>", "buys 5% of <company>"
_EQUITY_BEFORE = re.compile(
    r"(?:\binvest(?:s|ed|ing|ment)?\s+(?:of\s+)?(?:up\s+to\s+|about\s+|nearly\s+|some\s+|"
    r"another\s+)?[$€£]?\s?[\d.,]+\s?(?:bn|billion|mln|million|m|mn)?\s*(?:[a-z]+\s+){0,2}?"
    r"|\b(?:buy|buys|bought|buying|take|takes|took|taking|acquir(?:e|es|ed|ing)|tak(?:e|es)\s+up)"
    r"\s+(?:an?\s+)?(?:[\d.,]+\s?%|[\d.,]+\s+percent|minority)\s*(?:stake\s+|share\s+|"
    r"holding\s+)?)(?:in|of)\s+(?:the\s+|a\s+)?(?:[\w'()-]+\s+){0,5}$"
)
_CONTROL = re.compile(
    r"\b(?:majority|controlling|full|entire|remaining|rest\s+of|100\s?%|all\s+of|takeover|"
    r"cuts?|reduc\w+|lower\w*|trim\w*|sell\w*|sold|divest\w*)\b"
)
_RIVAL_AFTER = re.compile(r"(?:'s)?[\s-]+(?:rival|competitor|challenger|peer)s?\b")
# "Daimler-backed Volocopter": the backer is an investor, not a party.
_BACKER_AFTER = re.compile(r"-(?:backed|owned|controlled|funded|led)\b")
# "Ford's Lincoln": the owner only says whose company acts, unless the possessive names
# its deal ("Arden's Kestrel venture").
_OWNER_OF = re.compile(r"'s\s+")
_DEAL_AFTER = re.compile(r"\s+(?:JV|joint|venture|deal|alliance|tie-up|partnership|pact)\b", re.I)
_NOT_JOINT = re.compile(
    r"\b(?:to\s+(?:buy|purchase|acquire|sell|settle)|acquisition|merg(?:e|es|ed|er|ers|ing)|"
    r"takeover|lawsuit|"
    r"settlement|sue|sues)\b"
)
_JOINT_HINT = re.compile(
    r" (?:to|will|plans?|agrees?|set|signs?|inks?|seals?|strikes?|reach|talks|discussions|"
    r"explores?|considers?|weighs?|eyes|denies|production|manufacturing) "
)
# A rescue still being negotiated is talks, not cancelled: "in talks ... so the plant avoids
# closure"; "talks saved the plant" is done.
_TALKS_CONTEXT = re.compile(
    r"\b(?:in\s+(?:advanced\s+|early\s+|preliminary\s+)?(?:talks|discussions|negotiations)|"
    r"consider(?:s|ing)?|negotiating|explor(?:es|ing)|weigh(?:s|ing))\b"
)
# Two companies as the compound subject of a joint act: "GM, LG Chem to build ..."
_JOINT_ACT = re.compile(
    r"^\W*ORG(?:\s*,\s*ORG)*\s*(?:,|and|&)\s*ORG\s+(?:to|will|plan\w*\s+to|agree\w*\s+to|set\s+to)"
    r"\s+(?:jointly\s+)?(?:build|develop|make|produce|invest|erect|launch|create|open|supply|"
    r"share|work|cooperate|co-?develop|set\s+up)\b"
    r"|^\W*ORG(?:\s*,\s*ORG)*\s*(?:,|and|&)\s*ORG\s+(?:are\s+|said\s+to\s+be\s+|reportedly\s+)?"
    r"(?:in\s+)?(?:advanced\s+|early\s+|preliminary\s+)?(?:talks|discussions|negotiations)\b"
    r"|^\W*ORG(?:\s*,\s*ORG)*\s*(?:,|and|&)\s*ORG\s+(?:sign|ink|seal|strike|agree|reach)\w*\s+"
    r"(?:\S+\s+){0,5}?(?:deal|agreement|pact|contract|accord)s?\b",
    re.I,
)
# One company making products for another: "A explores B EV production", "A denies report on
# B production", "A to build cars for B".
_CONTRACT = re.compile(
    r"^\W*ORG\s+(?:explor\w+|consider\w*|weigh\w*|eye\w*|mull\w*|den(?:y|ies|ied)|"
    r"(?:in|enters?|opens?)\s+talks\s+(?:with|on|over))\s+(?:\S+\s+){0,3}?ORG[\w-]*\s+"
    r"(?:\S+\s+){0,2}?(?:production|manufacturing|assembly|output)\b"
    r"|^\W*ORG\s+(?:to|will|plans?\s+to|set\s+to)\s+(?:build|make|produce|assemble|manufacture)"
    r"\s+(?:\S+\s+){0,4}?for\s+ORG\b",
    re.I,
)


class Reading:
    """One article as the rules read it: the sentences, the cues per event type, and the
    company mentions per sentence (scanned lazily: the table scan is the costly step)."""

    __slots__ = ("_industrial", "_mentions", "companies", "doc", "found")

    def __init__(
        self,
        doc: Document,
        found: dict[EventType, list[tuple[Cue, Sentence]]],
        companies: CompanyTable,
    ) -> None:
        self.doc = doc
        self.found = found
        self.companies = companies
        self._mentions: dict[int, list[CompanyMention]] = {}
        self._industrial: bool | None = None

    def mentions_in(self, i: int) -> list[CompanyMention]:
        """Known-company mentions in sentence ``i``."""
        found = self._mentions.get(i)
        if found is None:
            found = self._mentions[i] = self.companies.find(self.doc.sentences[i].text)
        return found

    def industrial(self) -> bool:
        """Whether the article is about industry at all (a word, or an industrial company)."""
        if self._industrial is None:
            self._industrial = any(_INDUSTRY.search(s.low) for s in self.doc.sentences) or any(
                self.companies.is_industrial(m.name)
                for i in range(len(self.doc.sentences))
                for m in self.mentions_in(i)
            )
        return self._industrial


class RuleClassifier:
    """Implements :class:`bot.domain.Classifier` with explainable rules."""

    def __init__(self, companies: CompanyTable | None = None) -> None:
        self.companies = companies if companies is not None else CompanyTable.default()

    def classify(self, title: str, summary: str = "", body: str = "") -> list[Event]:
        """Events found in one article (at most one per type), strongest evidence first."""
        reading = self.read(title, summary, body)
        if not reading.found:
            return []
        return self.events(reading, reading.found, gate=True)

    def read(self, title: str, summary: str = "", body: str = "") -> Reading:
        """Normalise the article and find every cue the rules know, per event type."""
        doc = read(title, summary, body)
        reading = Reading(doc, {}, self.companies)
        found = reading.found
        for i, sentence in enumerate(doc.sentences):
            low = sentence.low
            for cue in closure_cues(low, reading.industrial):
                found.setdefault(EventType.PLANT_CLOSURE, []).append((cue, sentence))
            if _CUE_WORDS.search(low):
                low = _blank_names(low, reading.mentions_in(i))
            for cue in partnership_cues(low):
                found.setdefault(EventType.PARTNERSHIP, []).append((cue, sentence))
        if EventType.PLANT_CLOSURE not in found:
            for sentence in doc.sentences:
                for cue in foreign_closure_cues(sentence.low):
                    found.setdefault(EventType.PLANT_CLOSURE, []).append((cue, sentence))
        if EventType.PARTNERSHIP not in found:
            for sentence in doc.sentences:
                for cue in foreign_partnership_cues(sentence.low):
                    found.setdefault(EventType.PARTNERSHIP, []).append((cue, sentence))
        if EventType.PARTNERSHIP not in found:
            for i, sentence in enumerate(doc.sentences):
                if "stake" in sentence.low or "invest" in sentence.low or "%" in sentence.low:
                    equity = _equity_stake(sentence, reading.mentions_in(i))
                    if equity is not None:
                        found.setdefault(EventType.PARTNERSHIP, []).append((equity, sentence))
        if EventType.PARTNERSHIP not in found and _JOINT_HINT.search(doc.headline.low):
            joint = _joint_act(doc.headline, reading.mentions_in(0))
            if joint is not None:
                found[EventType.PARTNERSHIP] = [(joint, doc.headline)]
        return reading

    def events(
        self,
        reading: Reading,
        kinds: dict[EventType, list[tuple[Cue, Sentence]]],
        *,
        gate: bool,
        extra_evidence: dict[EventType, list[str]] | None = None,
        confidence: dict[EventType, float] | None = None,
    ) -> list[Event]:
        """Build one event per kind from its cues (an empty cue list reads the headline).

        With ``gate`` the rules' own sanity checks apply: no event without anybody, anywhere
        or any number, and no partnership without a named party.
        """
        doc = reading.doc
        mentions = [reading.mentions_in(i) for i in range(len(doc.sentences))]
        companies = self._companies(doc, mentions)
        place = find_place(doc.text, frozenset(w for c in companies for w in c.split()))
        jobs = find_jobs(doc.text)
        found = dict(kinds)
        if gate:
            if not companies and jobs is None and place == Place():
                # Nobody, nowhere, no numbers: a how-to column or a trend piece, not an event.
                return []
            partnership = found.get(EventType.PARTNERSHIP, [])
            if not companies or (
                len(companies) < 2
                and all(c.rule.endswith("(multilingual)") for c, _ in partnership)
            ):
                # A partnership needs parties; countries signing a deal are not companies, and
                # a foreign-language noun alone needs two named companies.
                found.pop(EventType.PARTNERSHIP, None)
        events = [
            self._event(
                doc,
                kind,
                cues,
                companies,
                place,
                jobs,
                (extra_evidence or {}).get(kind, []),
                (confidence or {}).get(kind),
            )
            for kind, cues in found.items()
        ]
        events.sort(key=lambda e: -e.confidence)
        return events

    def _companies(self, doc: Document, mentions: list[list[CompanyMention]]) -> list[str]:
        names: dict[str, None] = {}
        owners: set[str] = set()
        for sentence, sent_mentions in zip(doc.sentences, mentions, strict=True):
            for k, mention in enumerate(sent_mentions):
                if _BYSTANDER.search(sentence.low, max(0, mention.start - 30), mention.start):
                    continue
                if _RIVAL_AFTER.match(sentence.low, mention.end):
                    continue  # "Tesla rival Rivian": Tesla only describes Rivian
                if _BACKER_AFTER.match(sentence.low, mention.end):
                    continue
                if _owner_only(sentence.text, mention, sent_mentions[k + 1 : k + 2]):
                    owners.add(mention.name)
                    continue
                names[mention.name] = None
            spans = [(m.start, m.end) for m in sent_mentions]
            for name, start in find_orgs(sentence.text, sentence.headline):
                if any(s <= start < e for s, e in spans):
                    continue
                known = self.companies.resolve(name)
                if known is None:
                    inside = [m for m in sent_mentions if m.text in name or m.name in name]
                    if inside:
                        # "Air France-KLM and China Eastern Airlines": the rest after the known
                        # name is a company of its own
                        rest = _rest_after(name, inside[-1].text)
                        if rest is None:
                            continue
                        name = rest
                        known = self.companies.resolve(name)
                names[known or name] = None
        kept = [n for n in names if n not in owners or n in _named_twice(n, mentions)]
        return self.companies.roll_up(_longest_forms(kept))

    def _event(
        self,
        doc: Document,
        kind: EventType,
        cues: list[tuple[Cue, Sentence]],
        companies: list[str],
        place: Place,
        jobs: tuple[int, str] | None,
        extra_evidence: list[str],
        model_confidence: float | None,
    ) -> Event:
        label = "closure" if kind is EventType.PLANT_CLOSURE else "partnership"
        context = doc.sentences[1].low if len(doc.sentences) > 1 else ""
        if cues:
            cue, sentence = max(cues, key=lambda cs: (cs[0].strength + 0.1 * cs[1].headline))
            hint = next((c.status_hint for c, _ in cues if c.status_hint), None)
            if hint == "cancelled" and _TALKS_CONTEXT.search(sentence.low):
                hint = Status.TALKS.value
            status, why = decide_status(
                kind,
                sentence.low,
                hint,
                position=cue.start,
                context=context if sentence.headline else "",
            )
            evidence = [cue.evidence(label)]
            evidence += [c.evidence(label) for c, _ in cues if c is not cue][:2]
            confidence = cue.strength * 0.8 + 0.08 * sentence.headline + 0.04 * min(len(cues), 3)
            confidence += 0.06 if companies else 0.0
        else:
            # No rule cue: the learned model decided. Status is read from the headline.
            status, why = decide_status(kind, doc.headline.low, None, context=context)
            evidence = []
            confidence = 0.0
        evidence += extra_evidence
        evidence.append(f'status {status.value}: "{why}"' if why else f"status {status.value}")
        if jobs is not None:
            evidence.append(f'jobs: "{jobs[1]}"')
        if model_confidence is not None:
            confidence = model_confidence
        return Event(
            type=kind,
            status=status,
            companies=tuple(companies),
            plant=place.plant,
            location=place.location,
            country=place.country,
            jobs=jobs[0] if jobs else None,
            confidence=round(min(confidence, 0.99), 3),
            evidence=tuple(evidence),
        )


def _longest_forms(names: list[str]) -> list[str]:
    """Drop a name that is the start of a longer one ("Electric Last Mile" beside "Electric
    Last Mile Solutions", "ARDEN" from a ticker beside "Arden Systems" or "Arden-Vale" in the
    lede): the same organisation written twice."""
    readable: dict[str, str] = {}  # one spelling per name, mixed case before capitals
    for n in names:
        if readable.setdefault(n.casefold(), n).isupper():
            readable[n.casefold()] = n
    return [
        n
        for f, n in readable.items()
        if not any(o != f and o.startswith((f + " ", f + "-")) for o in readable)
    ]


def _owner_only(text: str, mention: CompanyMention, following: list[CompanyMention]) -> bool:
    """Whether ``mention`` is only the owner of the company named right after it ("Ford's
    Lincoln")."""
    if not following:
        return False
    gap = _OWNER_OF.match(text, mention.end)
    return (
        gap is not None
        and gap.end() == following[0].start
        and _DEAL_AFTER.match(text, following[0].end) is None
    )


def _named_twice(name: str, mentions: list[list[CompanyMention]]) -> set[str]:
    """``{name}`` when the article names it more than once (then it is more than an owner)."""
    count = sum(m.name == name for sent in mentions for m in sent)
    return {name} if count > 1 else set()


def _rest_after(name: str, known: str) -> str | None:
    """What follows a known company inside a longer candidate, without the joining word."""
    rest = name[name.find(known) + len(known) :].strip(" ,&")
    rest = rest.removeprefix("and ").strip()
    if not rest or rest[0].islower() or len(rest) < 2:
        return None
    return rest


def _blank_names(low: str, mentions: list[CompanyMention]) -> str:
    """Blank company names that contain cue words ("John Lewis Partnership")."""
    for m in mentions:
        if _CUE_WORDS.search(low, m.start, m.end):
            low = low[: m.start] + " " * (m.end - m.start) + low[m.end :]
    return low


def _joint_act(headline: Sentence, mentions: list[CompanyMention]) -> Cue | None:
    if len(mentions) < 2 or _NOT_JOINT.search(headline.low):
        return None
    shape = headline.text
    for m in reversed(mentions):
        shape = shape[: m.start] + "ORG" + shape[m.end :]
    hit = _JOINT_ACT.search(shape)
    if hit is not None:
        return Cue("companies acting jointly", (hit.group(0),), 0, 0.65)
    hit = _CONTRACT.search(shape)
    if hit is not None:
        return Cue("contract manufacturing", (hit.group(0),), 0, 0.65)
    return None


def _equity_stake(sentence: Sentence, mentions: list[CompanyMention]) -> Cue | None:
    """A minority stake or investment in a named company: an equity alliance."""
    low = sentence.low
    if _CONTROL.search(low):
        return None
    for m in mentions:
        hit = _EQUITY_BEFORE.search(low, max(0, m.start - 80), m.start)
        if hit is not None:
            return Cue("equity stake", (hit.group(0).strip(), m.text), hit.start(), 0.7)
    return None


@cache
def default_rule_classifier() -> RuleClassifier:
    """The rules alone over the shipped company table (built once): the baseline the learned
    classifier is measured against, and the reader it builds on."""
    return RuleClassifier()
