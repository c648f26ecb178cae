"""A compact reading of a claim for the review queue: "80,000+ people died since March 2011"."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from .quantities import compact
from .times import describe
from .types import ClaimType, ExtractedClaim

_MAX_SUMMARY = 140
_QUOTE_MAX = 90
_MAX_PREP_TOKENS = 5  # "into neighbouring countries" fits a summary; a long clause does not
_COMPLEMENT_DEPS = frozenset({"dobj", "xcomp", "ccomp", "attr", "acomp", "oprd", "dative"})


def shorten(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"


def summarise(claim: ExtractedClaim, doc: Doc, head: Token | None = None) -> str:
    if claim.type == ClaimType.QUOTE:
        who = claim.speaker or "Unattributed"
        return f"{who}: “{shorten(claim.text, _QUOTE_MAX)}”"
    if claim.type == ClaimType.STATISTIC:
        reading = _statistic_reading(claim, doc, head)
        if reading:
            return reading
    body = shorten(claim.text.rstrip("."), _MAX_SUMMARY)
    if (
        claim.speaker
        and claim.type in (ClaimType.ATTRIBUTION, ClaimType.PREDICTION)
        and claim.speaker.lower() not in body.lower()
    ):
        return shorten(f"{claim.speaker} ({claim.cue or 'says'}): {body}", _MAX_SUMMARY)
    return body or claim.text[:_MAX_SUMMARY] or "(empty)"


def _statistic_reading(claim: ExtractedClaim, doc: Doc, head: Token | None) -> str | None:
    """'<figure> <unit> <verb> <time>' when the figure is the subject of the clause."""
    first = claim.quantities[0]
    start = claim.start + claim.text.find(first.text)
    span = doc.char_span(start, start + len(first.text), alignment_mode="expand")
    if span is None:
        return None
    number = span[-1]
    noun = number.head if number.head.pos_ == "NOUN" and number.head.i > number.i else None
    subject = noun or number
    if subject.dep_ not in ("nsubj", "nsubjpass"):
        return None
    verb = subject.head
    if verb.pos_ not in ("VERB", "AUX") or verb.idx >= claim.end:
        return None
    # "80,000+ people died" is whole; "10 directors agreed" without "to pay $54m" is not.
    if any(c.dep_ in _COMPLEMENT_DEPS for c in verb.children):
        return None
    words = [compact(first)]
    if noun is not None:
        words.append(noun.text)
    elif first.unit and first.unit not in ("USD", "GBP", "EUR", "JPY", "percent"):
        words.append(first.unit)
    modal = [c.text for c in verb.children if c.dep_ == "aux" and c.lower_ in ("will", "would")]
    negation = [c.text for c in verb.children if c.dep_ == "neg"]
    words.extend(modal + negation + [verb.text])
    words.extend(c.text for c in verb.children if c.dep_ == "prt")
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.i > verb.i):
        phrase = doc[prep.left_edge.i : prep.right_edge.i + 1]
        if any(t.text in phrase.text for t in claim.times) or phrase.end_char > claim.end:
            continue  # the date is added below, in its normal form
        if len(phrase) > _MAX_PREP_TOKENS:
            return None  # too much to squeeze: the claim text reads better
        words.append(phrase.text)
    if claim.times:
        words.append(describe(claim.times[0]))
    return " ".join(w for w in words if w)
