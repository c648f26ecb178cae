"""The one ranking function: ``rank(query, query_vector, candidates, stats)``.

Whoever found the candidates (``match_claims``'s index in memory, the desk's full-text
index in the database), this is where they are scored, so a score means the same
everywhere. A pair's score depends on the query, the candidate and the lexical statistics
only, never on which other candidates came along, so thresholds (``SUGGEST``,
``CONFIRM``) keep their meaning whatever the candidate set.

The score is the reranker's probability that the two state the same claim: a logistic
model over a few features of the pair (``FEATURES``), fitted on held-out CLEF train queries
by ``training/train_reranker.py`` and shipped as ``models/reranker.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .lexical import LexicalStats, bm25, bm25_ceiling, weighted_overlap
from .text import dates, figures, quantity_values, terms

MODEL_DIR = Path(__file__).resolve().parent / "models"

# Meedan Check's two thresholds, on the score (a probability of "same claim"):
# at or above SUGGEST the desk shows the match to the reviewer ("Previously checked?"),
# who decides; at or above CONFIRM it is treated as the same claim (grouped, its verdict
# offered first). docs/matching.md gives the precision and recall measured at each.
SUGGEST = 0.5
CONFIRM = 0.9

FEATURES = (
    "cosine",  # the sentence vectors' cosine
    "bm25",  # BM25 over its ceiling for the query, 0..1
    "query_coverage",  # IDF share of the query's words found in the candidate
    "candidate_coverage",  # IDF share of the candidate's words found in the query
    "figures_shared",  # share of the query's figures the candidate states too
)

# On news, a claim is its figures and dates: "70,000 dead since March 2011" is not the
# claim "80,000 dead since March 2011", however alike the words. When both claims state
# figures (or years, or months) and share none, the pair is the same *topic*, not the same
# claim: its score is the topic score times CLASH_FACTOR, which keeps it below SUGGEST
# whatever the words. This is the spec's rule (docs/product.md), not a fitted weight; the
# topic score stays on the match, for the conflicting-figures check.
CLASH_FACTOR = 0.4
CLASHES = ("figures", "years", "months")


@dataclass(frozen=True)
class MatchQuery:
    """A claim to match. ``quantities`` and ``times`` are the extraction engine's dicts (as
    stored on a claim: value, low, high, qualifier, unit / value, relation); figures in
    the text count even without them."""

    text: str
    quantities: Sequence[dict] = ()
    times: Sequence[dict] = ()
    speaker: str = ""


@dataclass(frozen=True)
class Candidate:
    """A claim that might state the same thing. ``vector`` is its stored ``Encoder`` vector
    (float32, unit length; None scores a cosine of 0); ``terms`` its ``text.terms(text)``
    when the caller has them already."""

    id: str
    text: str
    vector: np.ndarray | None = None
    terms: Sequence[str] | None = None
    quantities: Sequence[dict] = ()
    times: Sequence[dict] = ()


@dataclass(frozen=True)
class Match:
    """``score``: 0..1, how likely the candidate is the same claim (figures and dates
    agreeing). ``topic``: the same for the words alone, before the clash rule; two claims
    with a high topic score and a clash are the pairs to check for conflicting figures.
    ``clashes``: which of ``CLASHES`` disagree."""

    id: str
    score: float
    topic: float = 0.0
    clashes: tuple[str, ...] = ()
    features: dict[str, float] = field(default_factory=dict)

    @property
    def suggested(self) -> bool:
        return self.score >= SUGGEST

    @property
    def confirmed(self) -> bool:
        return self.score >= CONFIRM


@dataclass(frozen=True)
class Reranker:
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def load(cls, path: Path | str = MODEL_DIR / "reranker.json") -> Reranker:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(raw["features"]) != FEATURES:
            raise ValueError(f"{path} was fitted on other features: {raw['features']}")
        return cls(tuple(float(w) for w in raw["weights"]), float(raw["bias"]))

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * f for w, f in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


@lru_cache(maxsize=1)
def default_reranker() -> Reranker:
    return Reranker.load()


def pair_features(
    query: MatchQuery,
    query_vector: np.ndarray | None,
    candidate: Candidate,
    stats: LexicalStats,
    query_terms: list[str] | None = None,
) -> tuple[float, ...]:
    """The ``FEATURES`` of one pair, in that order."""
    cosine = 0.0
    if query_vector is not None and candidate.vector is not None:
        cosine = float(np.dot(query_vector, candidate.vector))
    return (cosine, *lexical_features(query, candidate, stats, query_terms))


def lexical_features(
    query: MatchQuery,
    candidate: Candidate,
    stats: LexicalStats,
    query_terms: list[str] | None = None,
) -> tuple[float, ...]:
    """The ``FEATURES`` after the cosine: what the words and figures say, no vector needed."""
    q_terms = query_terms if query_terms is not None else terms(query.text)
    c_terms = list(candidate.terms) if candidate.terms is not None else terms(candidate.text)
    ceiling = bm25_ceiling(q_terms, stats)
    lexical = bm25(q_terms, c_terms, stats) / ceiling if ceiling else 0.0
    q_figures, c_figures = _figures(query), _figures(candidate)
    shared = len(q_figures & c_figures)
    return (
        lexical,
        weighted_overlap(q_terms, c_terms, stats),
        weighted_overlap(c_terms, q_terms, stats),
        shared / len(q_figures) if q_figures else 0.0,
    )


# Float32 unit vectors can give a dot product a hair above 1.
_COSINE_MAX = 1.0 + 1e-4


def topic_ceiling(
    query: MatchQuery,
    candidate: Candidate,
    stats: LexicalStats,
    query_terms: list[str] | None = None,
    reranker: Reranker | None = None,
) -> float:
    """The highest ``topic`` (and so ``score``) this pair could get from ``rank`` whatever
    the two vectors are: its lexical features with the most favourable cosine.

    A bound, not a second ranker: the desk need not encode a claim (one MiniLM pass, most
    of a match's cost) when no candidate could reach SUGGEST even with identical vectors.
    """
    reranker = reranker or default_reranker()
    cosine = _COSINE_MAX if reranker.weights[0] >= 0 else -_COSINE_MAX
    return reranker.probability((cosine, *lexical_features(query, candidate, stats, query_terms)))


def _figures(claim: MatchQuery | Candidate) -> frozenset[float]:
    return figures(claim.text) | quantity_values(claim.quantities)


def clashes(query: MatchQuery, candidate: Candidate) -> tuple[str, ...]:
    """Which of figures, years and months both claims give and none of which they share."""
    found = []
    q_figures, c_figures = _figures(query), _figures(candidate)
    if q_figures and c_figures and not q_figures & c_figures:
        found.append("figures")
    (q_years, q_months), (c_years, c_months) = (
        dates(query.text, query.times),
        dates(candidate.text, candidate.times),
    )
    if q_years and c_years and not q_years & c_years:
        found.append("years")
    if q_months and c_months and not q_months & c_months:
        found.append("months")
    return tuple(found)


def rank(
    query: MatchQuery,
    query_vector: np.ndarray | None,
    candidates: Sequence[Candidate],
    stats: LexicalStats,
    reranker: Reranker | None = None,
) -> list[Match]:
    """Every candidate scored and sorted, best first (ties by id, so a run is repeatable).

    A candidate given twice (found by both the lexical and the vector search) counts once.
    """
    reranker = reranker or default_reranker()
    q_terms = terms(query.text)
    matches: dict[str, Match] = {}
    for candidate in candidates:
        if candidate.id in matches:
            continue
        features = pair_features(query, query_vector, candidate, stats, q_terms)
        topic = reranker.probability(features)
        clash = clashes(query, candidate)
        matches[candidate.id] = Match(
            candidate.id,
            topic * CLASH_FACTOR if clash else topic,
            topic,
            clash,
            dict(zip(FEATURES, features, strict=True)),
        )
    return sorted(matches.values(), key=lambda m: (-m.score, m.id))
