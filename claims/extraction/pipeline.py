"""The spaCy pipeline the engine runs, and the passes of it that turn text into claims.

The pipeline gets one component of ours: a dateline marker that keeps the dateline out of
the story's first sentence. Without it the parser reads "GLASGOW, Nov. 2 (Reuters) - More
than 100 countries pledged…" as one sentence rooted on GLASGOW, and the first sentence of
every wire story loses its real verb. Marking a sentence start where the story begins lets
the parser (which respects preset boundaries) parse the lead sentence on its own.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Iterator
from itertools import islice

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .article import find_dateline
from .engine import claims_from_doc
from .parse_model import note_pipeline
from .types import ExtractedClaim

DATELINE_COMPONENT = "newsfacts_dateline"

# Texts handed to nlp.pipe per memory zone: large enough to keep the pipe's batches full,
# small enough that the strings of one zone are freed long before RSS grows.
_ZONE_SIZE_IN_BATCHES = 8


@functools.cache
def load_nlp(model_name: str) -> Language:
    """The spaCy pipeline, loaded once per process; the engine needs every component."""
    nlp = spacy.load(model_name)
    add_dateline_component(nlp)
    note_pipeline(nlp)  # the check-worthiness parse model reads only its own pipeline's Docs
    return nlp


def extract_claims(
    nlp: Language, body: str, *, reference_date: datetime.date | None = None
) -> list[ExtractedClaim]:
    """Claims in `body` (at most ``nlp.max_length`` long), with offsets into `body`."""
    if not body or not body.strip():
        return []
    return claims_from_doc(nlp(body), reference_date, body)


def extract_claims_many(
    nlp: Language,
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


@Language.component(DATELINE_COMPONENT)
def mark_dateline(doc: Doc) -> Doc:
    # Doc.text joins every token; the dateline lives in the first few dozen.
    dateline = find_dateline("".join(t.text_with_ws for t in doc[:80]))
    if dateline is None:
        return doc
    for token in doc:
        if token.idx >= dateline.end:
            if token.i > 0:
                token.is_sent_start = True
            break
    return doc


def add_dateline_component(nlp: Language) -> None:
    if DATELINE_COMPONENT in nlp.pipe_names:
        return
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(DATELINE_COMPONENT, before="parser")
    else:
        nlp.add_pipe(DATELINE_COMPONENT, first=True)
