"""The matching engine: which claims state the same thing. Plain Python, no Django.

Used by ``manage.py match_claims`` (an archive in memory) and by the desk (candidates from
the database); both rank with the same function, so a score means the same in both.

The interface
-------------
``MatchQuery(text, quantities=(), times=(), speaker="")``
    The claim to match; quantities and times are the extraction engine's dicts as stored
    on a claim (figures in the text are read even without them).
``Encoder().encode(texts) -> np.ndarray``
    Sentence vectors: float32, ``DIMENSION`` (384) per text, unit length, so a dot
    product is the cosine. Store one per claim, computed from ``document_text(text, title)``
    (``title`` only where the record has one, e.g. a fact-check's headline). ``Encoder``
    loads the shipped ONNX model once (24 MB, int8 weights); ``Encoder(threads=1)`` by default.
``Candidate(id, text, vector=None, terms=None, quantities=())``
    A claim that might match, with its stored vector. ``text`` is its ``document_text``.
``LexicalStats(doc_count, avg_length, doc_freq)``
    What BM25 needs to know of the archive: documents, mean length in terms, and each
    term's document frequency, over ``terms(document_text)`` of every archived claim.
    ``LexicalStats.from_documents(...)`` computes it; ``to_json``/``from_json`` store it.
``rank(query, query_vector, candidates, stats) -> list[Match]``
    The one scoring function. ``Match(id, score, features)``; ``score`` is in 0..1, the
    reranker's probability that the two state the same claim, a function of the pair and
    ``stats`` only (not of the other candidates).
``topic_ceiling(query, candidate, stats) -> float``
    The most ``rank`` could give the pair whatever the vectors (its words and figures with
    a perfect cosine): a claim none of whose candidates reach SUGGEST by it need not be
    encoded.
``SUGGEST``, ``CONFIRM``
    Thresholds on the score: at or above ``SUGGEST`` show the match to a reviewer; at or
    above ``CONFIRM`` treat it as the same claim. Precision and recall at each are in
    docs/matching.md.
``ArchiveIndex(ids, texts, vectors)``
    Candidate generation in memory (BM25 top 50 and nearest-vector top 50), then ``rank``.
``figures_conflict(a, b) -> list[Conflict]``
    For two matched claims: the pairs of their figures that cannot both be right.

Candidate generation is the caller's: the union of a lexical search and a nearest-vector
search finds the right claim far more often than either (docs/matching.md).
"""

from __future__ import annotations

from .conflicts import ClaimFigures, Conflict, figures_conflict
from .encoder import DIMENSION, Encoder
from .index import ArchiveIndex
from .lexical import LexicalStats
from .ranking import (
    CLASH_FACTOR,
    CONFIRM,
    SUGGEST,
    Candidate,
    Match,
    MatchQuery,
    clashes,
    rank,
    topic_ceiling,
)
from .text import document_text, terms

__all__ = [
    "CLASH_FACTOR",
    "CONFIRM",
    "DIMENSION",
    "SUGGEST",
    "ArchiveIndex",
    "Candidate",
    "ClaimFigures",
    "Conflict",
    "Encoder",
    "LexicalStats",
    "Match",
    "MatchQuery",
    "clashes",
    "document_text",
    "figures_conflict",
    "rank",
    "terms",
    "topic_ceiling",
]
