"""The engine's working pieces: units of text, speech frames, and the index of one Doc.

A unit is a stretch of one sentence inside one paragraph (a claim never spans a paragraph
break). The index finds, once per Doc, everything the later steps look up by character
offset: quotations, figures, dates, named entities, paragraphs and sentences.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from .quantities import FoundQuantity, find_quantities
from .quotes import QuotePassage, find_quote_passages
from .speakers import SpeakerMemory, entity_labels, speaker_kind
from .times import find_times

_ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"}
)
_QUOTE_MIN_WORDS = 4
_WORD_RE = re.compile(r"\w+")


@dataclass
class Unit:
    """A stretch of one sentence inside one paragraph: the engine's working piece."""

    start: int
    end: int
    tokens: list[Token] = field(default_factory=list)
    root: Token | None = None  # the sentence's root, computed once per sentence


@dataclass
class Frame:
    """The sourcing of a statement ("X said ...", "according to X"), as speech.py finds it."""

    speaker: str | None
    cue: str
    content_head: Token | None


class DocIndex:
    """Lookups by character offset over one Doc, built once."""

    def __init__(self, doc: Doc, reference: datetime.date | None, text: str):
        self.doc = doc
        self.text = text
        self.reference = reference
        self.passages = [
            p for p in find_quote_passages(text) if word_count(text, p.start, p.end) >= 2
        ]
        self.long_passages = [
            p
            for p in self.passages
            if word_count(text, p.start, p.end) >= _QUOTE_MIN_WORDS and not _is_title_quote(text, p)
        ]
        self.passage_starts = [p.start for p in self.long_passages]
        self.passage_groups: dict[int, list[QuotePassage]] = {}
        for p in self.long_passages:
            self.passage_groups.setdefault(p.group, []).append(p)
        # "May 7" and "March 2011" hold digits, but they are dates, not figures.
        times = find_times(text)
        time_starts = [f.start for f in times]
        time_ends = [f.end for f in times]
        self.times = times
        self.time_starts = time_starts
        self.quantities = []
        for q in find_quantities(text):
            i = bisect_right(time_ends, q.start)
            if i < len(times) and time_starts[i] < q.end:
                continue
            self.quantities.append(q)
        self.quantity_starts = [q.start for q in self.quantities]
        self.entities = [e for e in doc.ents if e.label_ in _ENTITY_LABELS]
        self.entity_starts = [e.start_char for e in self.entities]
        self.memory = SpeakerMemory(doc)
        self.group_speakers: dict[int, tuple[str | None, str | None]] = {}
        self.paragraph_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.story_start = 0  # after the dateline: nothing before it can be a speaker
        self.sents = list(doc.sents)
        self.sent_starts = [sent.start for sent in self.sents]
        self._entity_labels: dict[str, set[str]] | None = None

    def speaker_kind(self, name: str | None) -> str | None:
        """ "person" or "organisation" for a speaker named in this Doc (speakers.speaker_kind)."""
        if not name:
            return None
        if self._entity_labels is None:
            self._entity_labels = entity_labels(self.doc)
        return speaker_kind(name, self._entity_labels)

    def sent_of(self, token_i: int) -> Span:
        """The sentence holding a token, without spaCy's walk back to the sentence start."""
        return self.sents[bisect_right(self.sent_starts, token_i) - 1]

    def in_long_quote(self, pos: int) -> QuotePassage | None:
        i = bisect_right(self.passage_starts, pos) - 1
        if i >= 0 and pos < self.long_passages[i].end:
            return self.long_passages[i]
        return None

    def quantities_in(self, start: int, end: int) -> list[FoundQuantity]:
        i = bisect_left(self.quantity_starts, start)
        out = []
        while i < len(self.quantities) and self.quantities[i].start < end:
            if self.quantities[i].end <= end:
                out.append(self.quantities[i])
            i += 1
        return out

    def entities_in(self, start: int, end: int) -> list[Span]:
        i = bisect_left(self.entity_starts, start)
        out = []
        while i < len(self.entities) and self.entities[i].start_char < end:
            if self.entities[i].end_char <= end:
                out.append(self.entities[i])
            i += 1
        return out

    def paragraph_of(self, pos: int) -> int:
        return bisect_right(self.paragraph_starts, pos) - 1


def word_count(text: str, start: int, end: int) -> int:
    return len(_WORD_RE.findall(text, start, end))


def _is_title_quote(text: str, p: QuotePassage) -> bool:
    # "the so-called “Geneva Accord for Peace Now”": a Title Cased name, not speech.
    words = text[p.start : p.end].split()
    return len(words) <= 6 and all(w[:1].isupper() for w in words)


def units_of(sent: Span, text: str, story_start: int):
    """Split a sentence at line breaks (paragraphs never share a claim) and trim it."""
    start = max(sent.start_char, story_start)
    end = sent.end_char
    if start >= end:
        return
    pieces = []
    cursor = start
    while cursor < end:
        nl = text.find("\n", cursor, end)
        stop = end if nl < 0 else nl
        pieces.append((cursor, stop))
        cursor = stop + 1
    tokens = list(sent)
    root = sent.root
    i = 0  # tokens and pieces are both in text order: one walk over the tokens
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        while i < len(tokens) and tokens[i].idx < s:
            i += 1
        j = i
        while j < len(tokens) and tokens[j].idx < e:
            j += 1
        if e - s >= 3 and j > i:
            yield Unit(s, e, tokens[i:j], root)
        i = j


def main_verb(unit: Unit) -> Token:
    """The sentence root, or the highest word of the unit when the root lies outside it."""
    root = unit.root if unit.root is not None else unit.tokens[0].sent.root
    if unit.start <= root.idx < unit.end:
        return root
    for token in unit.tokens:
        outside = token.head.idx < unit.start or token.head.idx >= unit.end
        if (outside or token.head is token) and token.pos_ in ("VERB", "AUX"):
            return token
    return unit.tokens[0]
