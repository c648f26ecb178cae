"""One claim from a stretch of a unit: what it holds, and the claim itself.

The figures (each with the noun it counts), the dates (resolved for the tense of the unit),
the named entities, and the ExtractedClaim over the trimmed span with its one-line summary.
Every rule that finds a claim builds it here, so all claims are trimmed and capped alike.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.tokens import Token

from .quantities import FoundQuantity
from .summary import summarise
from .times import resolve
from .types import Entity, ExtractedClaim, Quantity, TimeRef
from .units import DocIndex, Unit

_FUTURE_WORDS = frozenset({"will", "'ll", "’ll", "shall"})
_MAX_CLAIM_CHARS = 1500
TRAILING_JUNK = " \t\r\n,;:–—-"
_LEADING_JUNK = " \t\r\n,;:–—-"


def make_claim(
    index: DocIndex,
    start: int,
    end: int,
    kind: str,
    *,
    quantities: list[Quantity],
    times: list[TimeRef],
    speaker: str | None,
    cue: str | None,
    entities: list[Entity],
    head: Token | None = None,
) -> ExtractedClaim | None:
    text = index.text
    while start < end and text[start] in _LEADING_JUNK:
        start += 1
    while end > start and text[end - 1] in TRAILING_JUNK:
        end -= 1
    if end - start > _MAX_CLAIM_CHARS:
        end = start + _MAX_CLAIM_CHARS
    if end <= start:
        return None
    _attach_units(index.quantities_in(start, end), index)
    claim = ExtractedClaim(
        text=text[start:end],
        start=start,
        end=end,
        type=kind,
        quantities=quantities,
        times=times,
        speaker=speaker,
        speaker_kind=index.speaker_kind(speaker),
        cue=cue,
        entities=entities,
    )
    claim.summary = summarise(claim, index.doc, head)
    return claim


def _attach_units(found: list[FoundQuantity], index: DocIndex) -> None:
    """A count's unit is the noun it counts: "80,000 people" -> people."""
    if not found:
        return
    doc = index.doc
    for fq in found:
        q = fq.quantity
        if q.unit:
            continue
        span = doc.char_span(fq.start, fq.end, alignment_mode="expand")
        if span is None:
            continue
        last = span[-1]
        head = last.head
        if head.pos_ == "NOUN" and head.i > last.i and head.i - last.i <= 3:
            q.unit = head.lower_
        elif last.i + 1 < len(doc) and doc[last.i + 1].pos_ == "NOUN":
            q.unit = doc[last.i + 1].lower_
        elif last.i + 2 < len(doc) and doc[last.i + 1].lower_ == "of":
            nxt = doc[last.i + 2]
            if nxt.pos_ == "NOUN":
                q.unit = nxt.lower_


def named_entities(start: int, end: int, index: DocIndex) -> list[Entity]:
    return [Entity(e.text, e.label_) for e in index.entities_in(start, end)]


def times_in(start: int, end: int, unit: Unit, index: DocIndex) -> list[TimeRef]:
    """Dates found once per Doc, resolved for the tense of this unit ("on Monday")."""
    lo = bisect_left(index.time_starts, start)
    hits = []
    for found in index.times[lo:]:
        if found.start >= end:
            break
        if found.end <= end:
            hits.append(found)
    if not hits:
        return []
    future = any(t.lower_ in _FUTURE_WORDS for t in unit.tokens)
    out = []
    for found in hits:
        time_ref = resolve(found, index.reference, future=future)
        out.append(_relation_from_syntax(time_ref, found.start, unit))
    return out


def _relation_from_syntax(time_ref: TimeRef, pos: int, unit: Unit) -> TimeRef:
    """'since fighting broke out … in March 2011': the clause's "since" governs the date."""
    if time_ref.relation != "at":
        return time_ref
    token = next((t for t in unit.tokens if t.idx >= pos), None)
    if token is None:
        return time_ref
    node = token
    for _ in range(4):
        node = node.head
        for child in node.children:
            if child.dep_ == "mark" and child.lower_ in ("since", "until", "till", "before"):
                time_ref.relation = "since" if child.lower_ == "since" else "until"
                return time_ref
        if node.pos_ in ("VERB", "AUX") or node.head is node:
            break
    return time_ref
