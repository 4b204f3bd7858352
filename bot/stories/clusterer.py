"""Deciding whether an article reports the same real-world event as a stored story.

Signals, and why each is there:

* **Event type** is a gate: a plant closure never joins a partnership story (Nissan closing a
  UK plant vs Nissan's Foxconn talks). An article without a recognised event (an acquisition,
  a plant opening) may join a story of any type; stories of such articles are type ``other``.
* **Entities** are the backbone: the article must share a resolved company or a name (place,
  plant, brand) with the story, and two disjoint non-empty company sets need near-identical
  text to merge (the same event type in the same country with other companies stays apart).
* **Text similarity**: content-word Jaccard, character-4-gram MinHash (language-light: it
  matches ``Barcelona``/``Barcelone`` and inflections), shared names beyond the companies
  (``Swindon``, ``Gravenchon``) and shared amounts (``677`` jobs, ``$16.5`` billion). These
  separate the same company's different events: another plant, another deal, a later
  development.
* **Site** is a gate (:mod:`bot.stories.sites`): two reports naming different plants, towns or
  unit numbers ("Saarlouis" / "Cologne", "blast furnace 4" / "5") are different events,
  whatever the company; a site named in only one of them is
  no reason to split, and aliases ("Port Talbot" / "the Welsh steelworks") agree.
* **Time**: the further the article lies from the story's most recent article, the more text
  evidence it needs; past :data:`MAX_GAP` it never joins. An undated item carries the time it
  was first seen (the stream's clock), is measured like any other and pays a small penalty.

An article is compared with each of the story's kept members (its most recent articles) and
the best pair counts, so follow-ups that drift in wording (talks → signed → called off) still
reach the story through the article closest to them. The story with the highest score at or
above :data:`THRESHOLD` wins; otherwise the article starts a new story. The scores are simple
weighted sums with thresholds tuned on half of the development clusters and checked on the
other half (see the report of ``dealradar eval-clusters``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.stories import similarity, sites
from bot.stories.features import StoryFeatures
from bot.stories.index import CandidateIndex, StoryCandidate

THRESHOLD = 0.45
MAX_GAP = timedelta(days=240)
# An undated item's time is when it was first seen, which can lie years from its event's dates
# (a feed without dates, an archive page, a replayed file): a wide bound, and a fixed penalty
# instead of a measured one (the bound's choice: docs/benchmarks.md, "Undated items").
UNDATED_MAX_GAP = timedelta(days=5 * 365)
_W_WORDS = 0.9
_W_SHINGLES = 0.6
_W_NAMES = 0.35
_W_AMOUNTS = 0.2
_W_COMPANY = 0.25
_UNDATED_PENALTY = 0.15
_GAP_PENALTY_PER_30D = 0.1
_HALF_TYPED_PENALTY = 0.1
_FREE_GAP = timedelta(days=4)
_FRESH_GAP = timedelta(days=3)
_FRESH_BONUS = 0.15
_DISJOINT_COMPANIES_MIN = 0.55
_PARTNER_CONFLICT_PENALTY = 0.2


@dataclass(frozen=True, slots=True)
class Match:
    """The clusterer's decision: ``story_key`` is ``None`` when the article starts a story."""

    story_key: str | None
    score: float
    reasons: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class PairScore:
    """A pair's score; its reasons are spelled out only for the pair that decides (a placement
    scores hundreds of pairs when a company has many stories)."""

    score: float
    article: StoryFeatures
    member: StoryFeatures

    @property
    def reasons(self) -> tuple[str, ...]:
        return pair_reasons(self.article, self.member)


def _types_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    return not a or not b or bool(a & b)


def score_pair(article: StoryFeatures, member: StoryFeatures) -> PairScore | None:
    """How strongly ``article`` and one stored ``member`` report the same event, or ``None``.

    ``None`` means a gate failed (incompatible types, no shared entity, too far apart).
    """
    score = _pair_score(article, member, None)
    return None if score is None else PairScore(score, article, member)


def _jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    # similarity.jaccard's value without building the union set
    shared = len(left & right)
    union = len(left) + len(right) - shared
    return shared / union if union else 0.0


def _pair_score(article: StoryFeatures, member: StoryFeatures, beat: float | None) -> float | None:
    """:func:`score_pair`'s score; ``None`` also when ``beat`` is given and the score cannot
    exceed it. The shingle similarity (a 64-value comparison, the dearest signal) is computed
    last, and only if the score with a perfect one would exceed ``beat``: floating-point
    addition and multiplication by a positive weight are monotonic, so that bound is never
    below the score."""
    if not _types_compatible(article.event_types, member.event_types):
        return None
    shared_companies = article.companies & member.companies
    shared_names = article.names & member.names
    if not shared_companies and not shared_names:
        return None
    gap = abs(article.seen_at - member.seen_at)
    both_dated = article.dated and member.dated
    if gap > (MAX_GAP if both_dated else UNDATED_MAX_GAP):
        return None
    word_sim = _jaccard(article.words, member.words)
    name_sim = similarity.overlap(article.names, member.names)
    amount_hit = 1.0 if article.amounts & member.amounts else 0.0
    company_sim = _jaccard(article.companies, member.companies)
    partner_conflict = (
        len(article.companies) >= 2
        and len(member.companies) >= 2
        and bool(article.companies - member.companies)
        and bool(member.companies - article.companies)
    )
    half_typed = bool(article.event_types) != bool(member.event_types)

    def total(shingle_sim: float) -> float:
        score = (
            _W_WORDS * word_sim
            + _W_SHINGLES * shingle_sim
            + _W_NAMES * name_sim
            + _W_AMOUNTS * amount_hit
            + _W_COMPANY * company_sim
        )
        if partner_conflict:
            score -= _PARTNER_CONFLICT_PENALTY
        if half_typed:
            score -= _HALF_TYPED_PENALTY
        if not both_dated:
            score -= _UNDATED_PENALTY
        elif gap <= _FRESH_GAP and shared_companies:
            score += _FRESH_BONUS
        elif gap > _FREE_GAP:
            score -= _GAP_PENALTY_PER_30D * (gap - _FREE_GAP) / timedelta(days=30)
        return score

    if beat is not None and total(1.0) <= beat:
        return None
    # the site gate after the bound: a pair that cannot win is not worth resolving places for
    if _different_sites(article, member):
        return None
    shingle_sim = similarity.minhash_similarity(article.minhash, member.minhash)
    disjoint = bool(article.companies and member.companies and not shared_companies)
    if disjoint and shingle_sim < _DISJOINT_COMPANIES_MIN:
        return None
    return total(shingle_sim)


def _different_sites(article: StoryFeatures, member: StoryFeatures) -> bool:
    if article.units and member.units and not article.units & member.units:
        return True
    if not (article.plant or article.location) or not (member.plant or member.location):
        return False
    return sites.different_sites(
        (article.plant, article.location),
        (member.plant, member.location),
        countries=(article.country, member.country),
    )


def pair_reasons(article: StoryFeatures, member: StoryFeatures) -> tuple[str, ...]:
    """What :func:`score_pair` saw, for the match's explanation."""
    gap = abs(article.seen_at - member.seen_at)
    return (
        f"companies={','.join(sorted(article.companies & member.companies)) or '-'}",
        f"names={','.join(sorted(article.names & member.names)[:4]) or '-'}",
        f"words={similarity.jaccard(article.words, member.words):.2f}",
        f"shingles={similarity.minhash_similarity(article.minhash, member.minhash):.2f}",
        f"amounts={','.join(sorted(article.amounts & member.amounts)[:3]) or '-'}",
        f"gap={gap.days}d" if article.dated and member.dated else "gap=undated",
    )


def _may_match(article: StoryFeatures, story: StoryCandidate) -> bool:
    """False when every member of ``story`` fails :func:`_pair_score`'s type gate (judged on
    the story's union of types: exact, and one check instead of one per member)."""
    types = article.event_types
    return not types or story.has_untyped or bool(types & story.event_types)


def score_story(article: StoryFeatures, story: StoryCandidate) -> PairScore | None:
    """The best :func:`score_pair` over the story's kept members."""
    best: PairScore | None = None
    for member in story.members:
        pair = score_pair(article, member)
        if pair is not None and (best is None or pair.score > best.score):
            best = pair
    return best


class StoryClusterer:
    """Picks the story an article belongs to among retrieved candidates. Pure and stateless."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold

    def assign(self, article: StoryFeatures, candidates: Sequence[StoryCandidate]) -> Match:
        """The best-scoring candidate at or above the threshold, else ``Match(None, ...)``.

        The best pair is the first highest-scoring one in candidate and member order, exactly
        as :func:`score_story` per story and a strict maximum across stories pick it. Stories
        and members that fail a gate are skipped whole, and pairs that cannot beat the best so
        far are not fully scored (see :func:`_pair_score`).
        """
        best_key: str | None = None
        best: tuple[float, StoryFeatures] | None = None
        for story in candidates:
            if not _may_match(article, story):
                continue
            # members sharing no company or name fail the entity gate: not even visited
            for member in story.members_sharing(article):
                score = _pair_score(article, member, None if best is None else best[0])
                if score is not None and (best is None or score > best[0]):
                    best, best_key = (score, member), story.key
        if best is None:
            return Match(None, 0.0, ("no candidate shares an entity",))
        pair = PairScore(best[0], article, best[1])
        if pair.score < self.threshold:
            return Match(None, pair.score, ("best candidate below threshold", *pair.reasons))
        return Match(best_key, pair.score, pair.reasons)

    def assign_from(self, article: StoryFeatures, index: CandidateIndex) -> Match:
        """:meth:`assign` over the candidates a synchronous ``index`` retrieves for ``article``."""
        return self.assign(article, index.candidates(article.index_keys(), window_center(article)))


def window_center(article: StoryFeatures) -> datetime | None:
    """The time candidates are retrieved around: the article's time, dated or first seen."""
    return article.seen_at
