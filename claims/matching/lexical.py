"""The lexical evidence: BM25 between one query and one candidate, given corpus statistics.

BM25 needs to know how rare each word is (document frequencies) and how long documents
are on average. Those statistics are an argument, ``LexicalStats``, never something the
scoring reads from an index of its own: ``match_claims`` computes them over the archive it
loads, and the desk can keep the same three numbers per word in its database (or use the
statistics shipped with the model, ``LexicalStats.load()``), and both then get the same score
for the same pair from ``bm25``, whichever way the candidate was found.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class LexicalStats:
    """How many documents there are, their mean length in terms, and each term's document
    frequency. A term never seen counts as seen in no document (the highest IDF)."""

    doc_count: int
    avg_length: float
    doc_freq: Mapping[str, int] = field(default_factory=dict)
    # Each term's IDF once computed: a query's words are weighed against every candidate.
    _idf: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_documents(cls, documents: Iterable[list[str]]) -> LexicalStats:
        """Statistics of documents given as their ``text.terms()``."""
        doc_freq: Counter[str] = Counter()
        count = length = 0
        for doc_terms in documents:
            count += 1
            length += len(doc_terms)
            doc_freq.update(set(doc_terms))
        return cls(count, length / count if count else 1.0, dict(doc_freq))

    def idf(self, term: str) -> float:
        value = self._idf.get(term)
        if value is None:
            n = self.doc_freq.get(term, 0)
            # Lucene's form: never negative, so a word in most documents adds little, not less.
            value = self._idf[term] = math.log(1.0 + (self.doc_count - n + 0.5) / (n + 0.5))
        return value

    def to_json(self) -> str:
        return json.dumps(
            {"doc_count": self.doc_count, "avg_length": self.avg_length, "doc_freq": self.doc_freq},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, data: str) -> LexicalStats:
        raw = json.loads(data)
        return cls(int(raw["doc_count"]), float(raw["avg_length"]), dict(raw["doc_freq"]))

    @classmethod
    def load(cls, path: Path | str) -> LexicalStats:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def bm25(query_terms: list[str], doc_terms: list[str], stats: LexicalStats) -> float:
    """Okapi BM25 of one document for one query (each query word counted once)."""
    if not query_terms or not doc_terms:
        return 0.0
    tf = Counter(doc_terms)
    norm = K1 * (1.0 - B + B * len(doc_terms) / max(stats.avg_length, 1e-9))
    score = 0.0
    for term in set(query_terms):
        f = tf.get(term)
        if f:
            score += stats.idf(term) * f * (K1 + 1.0) / (f + norm)
    return score


def bm25_ceiling(query_terms: list[str], stats: LexicalStats) -> float:
    """The most BM25 any document could score for this query (every word, endlessly often):
    dividing by it puts a pair's lexical score in 0..1 whatever the query's length."""
    return sum(stats.idf(term) for term in set(query_terms)) * (K1 + 1.0)


def weighted_overlap(terms_a: list[str], terms_b: list[str], stats: LexicalStats) -> float:
    """The share of ``terms_a``'s IDF weight that ``terms_b`` also contains, 0..1.

    Asymmetric on purpose: a candidate that covers the query's rare words but adds a rare
    word of its own (another country, another company) is a near-miss, and the reverse
    overlap is what shows it.
    """
    unique_a = set(terms_a)
    total = sum(stats.idf(t) for t in unique_a)
    if not total:
        return 0.0
    shared = unique_a.intersection(terms_b)
    return sum(stats.idf(t) for t in shared) / total
