"""An archive held in memory, for ``match_claims``, benchmarks and training: it finds
candidates (BM25 over an inverted index, nearest vectors by one matrix product) and hands
them to ``ranking.rank``, the scoring the desk uses on candidates from its database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from .lexical import K1, B, LexicalStats
from .ranking import Candidate, Match, MatchQuery, rank
from .text import terms

# How many candidates each kind of evidence brings to the reranker. Measured on the tuning
# part of CLEF train: the right claim is in the union of both top-50s for nearly every
# query, and more candidates only cost time (docs/matching.md).
LEXICAL_CANDIDATES = 50
VECTOR_CANDIDATES = 50


class LexicalIndex:
    """BM25 over an inverted index: each term's documents and counts as numpy arrays."""

    def __init__(self, documents: Sequence[list[str]], stats: LexicalStats | None = None):
        self.stats = stats or LexicalStats.from_documents(documents)
        postings: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for doc, doc_terms in enumerate(documents):
            counts: dict[str, int] = defaultdict(int)
            for term in doc_terms:
                counts[term] += 1
            for term, count in counts.items():
                docs, tfs = postings[term]
                docs.append(doc)
                tfs.append(count)
        lengths = np.array([len(d) for d in documents], dtype=np.float32)
        self._norm = K1 * (1.0 - B + B * lengths / max(self.stats.avg_length, 1e-9))
        self._postings = {
            term: (np.array(docs, dtype=np.int32), np.array(tfs, dtype=np.float32))
            for term, (docs, tfs) in postings.items()
        }
        self.size = len(documents)

    def scores(self, query_terms: list[str]) -> np.ndarray:
        scores = np.zeros(self.size, dtype=np.float32)
        for term in set(query_terms):
            posting = self._postings.get(term)
            if posting is None:
                continue
            docs, tfs = posting
            scores[docs] += self.stats.idf(term) * tfs * (K1 + 1.0) / (tfs + self._norm[docs])
        return scores

    def top(self, query_terms: list[str], n: int) -> np.ndarray:
        return _top(self.scores(query_terms), n, positive_only=True)


def _top(scores: np.ndarray, n: int, positive_only: bool = False) -> np.ndarray:
    if positive_only:
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > n:
            candidates = candidates[np.argpartition(-scores[candidates], n - 1)[:n]]
    else:
        n = min(n, len(scores))
        candidates = np.argpartition(-scores, n - 1)[:n] if n else np.array([], dtype=np.int64)
    return candidates[np.argsort(-scores[candidates], kind="stable")]


class ArchiveIndex:
    """Claims in memory, each with its text, terms and vector; ``search`` ranks them."""

    def __init__(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: np.ndarray,
        stats: LexicalStats | None = None,
    ) -> None:
        if not (len(ids) == len(texts) == len(vectors)):
            raise ValueError("ids, texts and vectors must be as many")
        self.ids = list(ids)
        self.texts = list(texts)
        self.terms = [terms(t) for t in self.texts]
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.lexical = LexicalIndex(self.terms, stats)
        self.stats = self.lexical.stats

    def candidates(
        self,
        query: MatchQuery,
        query_vector: np.ndarray,
        lexical: int = LEXICAL_CANDIDATES,
        semantic: int = VECTOR_CANDIDATES,
    ) -> list[Candidate]:
        rows = list(self.lexical.top(terms(query.text), lexical))
        if semantic and len(self.vectors):
            seen = set(rows)
            near = _top(self.vectors @ query_vector.astype(np.float32), semantic)
            rows.extend(int(r) for r in near if r not in seen)
        return [
            Candidate(
                id=self.ids[r], text=self.texts[r], vector=self.vectors[r], terms=self.terms[r]
            )
            for r in rows
        ]

    def search(self, query: MatchQuery, query_vector: np.ndarray, top: int = 5) -> list[Match]:
        found = self.candidates(query, query_vector)
        return rank(query, query_vector, found, self.stats)[:top]
