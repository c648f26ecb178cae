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
from .times import FoundTime, resolve
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
    unit_future = any(t.lower_ in _FUTURE_WORDS for t in unit.tokens)
    out = []
    for found in hits:
        future = _looks_ahead(found, unit, index.text)
        if future is None:
            future = unit_future
        time_ref = resolve(found, index.reference, future=future)
        out.append(_relation_from_syntax(time_ref, found.start, unit))
    return out


# Verbs and adjectives that put what they govern ahead of the report: "expect winds to reach
# the coast on Friday", "talks are scheduled to resume on Friday", "due to begin next month".
_AHEAD_LEMMAS = frozenset(
    {"expect", "schedule", "due", "plan", "set", "forecast", "predict", "aim", "intend",
     "prepare", "promise", "pledge", "vow", "threaten", "hope", "want", "propose"}
)  # fmt: skip
_AHEAD_AUX = frozenset({"will", "'ll", "’ll", "shall", "wo", "would", "could", "might", "may"})


def _looks_ahead(found: FoundTime, unit: Unit, text: str) -> bool | None:
    """Whether the clause governing the date at `pos` looks ahead of the report: "said on
    Saturday" is the latest Saturday, "will meet on Saturday" the next one. None when the
    parse has no verb to tell."""
    last = found.end - 1  # the date's own word, not its preposition
    token = next((t for t in reversed(unit.tokens) if t.idx <= last), None)
    if token is None or token.idx < found.start:
        return None
    pos = found.start
    before = text[max(0, pos - 4) : pos].lower()
    if before.endswith("for ") and token.lower_ in _WEEKDAY_WORDS:
        return True  # "called a protest for Monday": the day of something arranged
    node = token
    for _ in range(6):
        if node.pos_ in ("VERB", "AUX") or node.lemma_ in _AHEAD_LEMMAS:
            break
        if node.head.i == node.i:
            return None
        node = node.head
    else:
        return None
    prep = found.prep or (token.head.lower_ if token.head.pos_ in ("ADP", "SCONJ") else None)
    if node.idx > token.idx:
        # "Schools will reopen … in January, the ministry said": the parser may hang a date
        # before a trailing speech frame on the speech verb; it belongs to the content.
        content = next((c for c in node.children if c.dep_ == "ccomp" and c.i < token.i), None)
        if content is not None:
            node = content
    for _ in range(3):
        for child in node.children:
            # "would have produced" looks back, not ahead.
            if (
                child.dep_ in ("aux", "auxpass")
                and child.lower_ in _AHEAD_AUX
                and not any(
                    c.dep_ == "aux" and c.lemma_ == "have" and c.i > child.i for c in node.children
                )
            ):
                return True
            if child.dep_ in ("aux", "auxpass") and child.lower_ == "going" and child.i < node.i:
                return True
        if node.lemma_ in _AHEAD_LEMMAS:
            return True
        if node.tag_ in ("VBZ", "VBP") and prep in ("until", "by"):
            return True  # "has until Tuesday to respond"
        # "expect winds to reach the coast on Friday": climb from the infinitive to its verb.
        if node.dep_ in ("xcomp", "ccomp", "acomp") and node.head.i != node.i:
            parent = node.head
            if parent.lemma_ in _AHEAD_LEMMAS or node.dep_ == "xcomp":
                node = parent
                continue
        break
    return False


_WEEKDAY_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)


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
