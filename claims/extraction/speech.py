"""Who said it: quotations and their speakers, speech frames, and reported speech.

A quotation becomes a `quote` claim over the quoted words, its speaker taken from a speech
verb beside it or from the quotation it continues. Reported speech beside a quotation ("…,"
he said, adding that …) is an `attribution` claim of its own. A statement's speech frame
("X said (that) …", "according to X") gives any other claim its source.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from spacy.tokens import Token

from .claim import TRAILING_JUNK, make_claim, named_entities, times_in
from .classify import is_prediction, is_question, opinion_only
from .quotes import QuotePassage
from .scoring import NOTHING_CHECKABLE
from .speakers import according_to, is_quote_verb, is_speech_verb, speaker_name, subject_of
from .types import ClaimType, ExtractedClaim
from .units import DocIndex, Frame, Unit, word_count

_FRAME_WINDOW = 40  # tokens either side of a quotation searched for its speech verb
_ATTRIBUTION_DASHES = frozenset({"―", "—", "–", "-", "--"})


def quote_pieces(unit: Unit, index: DocIndex) -> list[tuple[int, int, QuotePassage]]:
    """The unit's quoted words, marks trimmed, in quotations long enough to be speech."""
    out = []
    # Passages do not overlap, so the first that can reach the unit is found by bisection.
    first = max(0, bisect_right(index.passage_starts, unit.start) - 1)
    for p in index.long_passages[first:]:
        if p.end <= unit.start:
            continue
        if p.start >= unit.end:
            break
        s, e = max(p.start, unit.start), min(p.end, unit.end)
        while s < e and index.text[s] in ' \t“"':
            s += 1
        while e > s and index.text[e - 1] in TRAILING_JUNK + '”"':
            e -= 1
        if word_count(index.text, s, e) >= 3:
            out.append((s, e, p))
    return out


def short_quote_claims(unit: Unit, index: DocIndex) -> list[ExtractedClaim]:
    """Quotations too short to be long passages that are still whole utterances: they open
    their sentence or paragraph (or follow a colon) and end in their own punctuation ("“I
    love you,” she said", "“What curfew?”", "“I would,” Melanie said"), unlike a phrase
    quoted inside a sentence ("called it “rigged”"). Quotes, so every quotation keeps its
    speaker; with no figure or date they assert nothing checkable and score low."""
    text = index.text
    out = []
    for p in index.passages:
        if p.end <= unit.start:
            continue
        if p.start >= unit.end:
            break
        if not p.closed or index.in_long_quote(p.start) or not (unit.start <= p.start < unit.end):
            continue
        if not (text[p.end - 1] in ".?!" or text[p.end : p.end + 1] == ","):
            continue
        before = text[max(0, p.start - 80) : max(0, p.start - 1)].rstrip(" \t")
        if before[-1:] in '”"':  # the quotation before this one ended its sentence
            before = before[:-1]
        if before and before[-1] not in ".?!:\n":
            continue
        speaker, cue = _frame_for_span(p.start, p.end, index)
        if not speaker:
            speaker, cue = _preceding_speaker(p, index)
        quantities = [q.quantity for q in index.quantities_in(p.start, p.end)]
        times = times_in(p.start, p.end, unit, index)
        claim = make_claim(
            index,
            p.start,
            p.end,
            ClaimType.QUOTE,
            quantities=quantities,
            times=times,
            speaker=speaker,
            cue=cue,
            entities=named_entities(p.start, p.end, index),
        )
        if claim is None:
            continue
        if is_question(text, p.start, p.end) or not (quantities or times):
            claim.reasons = [NOTHING_CHECKABLE]
        out.append(claim)
    return out


def quote_claim(
    start: int, end: int, passage: QuotePassage, unit: Unit, index: DocIndex
) -> ExtractedClaim | None:
    """A `quote` claim with its speaker. A quotation that asserts nothing checkable (a
    question, a short opinion, a feeling or an appeal) is still a quote, so every quotation
    keeps its speaker, but it is marked to score under CHECK_WORTHY (scoring.py)."""
    text = index.text
    speaker, cue = _quote_speaker(passage, index)
    quantities = [q.quantity for q in index.quantities_in(start, end)]
    times = times_in(start, end, unit, index)
    entities = named_entities(start, end, index)
    claim = make_claim(
        index,
        start,
        end,
        ClaimType.QUOTE,
        quantities=quantities,
        times=times,
        speaker=speaker,
        cue=cue,
        entities=entities,
    )
    if claim is not None and (
        is_question(text, start, end)
        or (
            not quantities
            and not times
            and not _proper_names(entities, start, end, index)
            and (
                (opinion_only(unit.tokens, start, end) and word_count(text, start, end) < 12)
                or feeling_or_appeal(unit.tokens, start, end)
            )
        )
    ):
        claim.reasons = [NOTHING_CHECKABLE]
    return claim


# What a quotation of feeling or appeal is made of, when it holds no figure, date or name:
# all-or-nothing words ("We lost everything", "We have nowhere to go"), a simile ("It was
# like the end of the world"), relief ("Justice has finally been done"), a hyperbole of
# effort ("We are working day and night"), and a need or appeal of the speaker's own side
# ("We need to be patient"). A checker has nothing in these to look up.
_TOTALITY_WORDS = frozenset(
    "everything nothing nowhere nobody everyone everybody anything anywhere".split()  # noqa: SIM905
)
_FEELING_PHRASES = re.compile(
    r"\b(?:day and night|night and day|a?round the clock|at last|finally|as if|as though|"
    r"no one)\b",
    re.I,
)
_FIRST_PERSON = frozenset({"i", "we", "us", "our", "my", "me"})
_NEED_WORDS = frozenset({"need", "must", "should", "have", "got"})


def feeling_or_appeal(tokens: list[Token], start: int, end: int) -> bool:
    words = [t for t in tokens if start <= t.idx < end]
    if not words:
        return False
    for t in words:
        if t.lower_ in _TOTALITY_WORDS:
            return True
        if t.lower_ == "like" and t.pos_ in ("ADP", "SCONJ"):
            return True  # "like the end of the world", not "would like"
    if _FEELING_PHRASES.search(" ".join(t.text for t in words)):
        return True
    for t in words:
        # An imperative: a bare verb heading the sentence with no subject ("Wash your
        # hands", "Do not wait for the water", "Please, leave now").
        heads_quote = t.dep_ == "ROOT" or (
            t.dep_ in ("ccomp", "parataxis") and not (start <= t.head.idx < end)
        )
        if (
            heads_quote
            and t.tag_ == "VB"
            and not any(c.dep_ in ("nsubj", "nsubjpass", "aux", "expl") for c in t.children)
        ):
            return True
        # "We need to be patient", "We must stay strong": the speaker's side's own need.
        if t.lower_ in _NEED_WORDS and t.pos_ in ("VERB", "AUX"):
            subj = next((c for c in t.children if c.dep_ == "nsubj"), None)
            if subj is None and t.dep_ == "aux":
                subj = next((c for c in t.head.children if c.dep_ == "nsubj"), None)
            verb = t if t.dep_ != "aux" else t.head
            if (
                subj is not None
                and subj.lower_ in _FIRST_PERSON
                and (t.lower_ != "have" or any(c.dep_ == "xcomp" for c in verb.children))
                and not any(c.dep_ == "neg" for c in verb.children)
            ):
                return True
    return False


def _proper_names(entities, start: int, end: int, index: DocIndex) -> list:
    """The quote's entities that are names. The small model labels a capitalised word that
    opens a quotation an entity ("Justice has finally been done", "Households are
    hurting"): a one-word entity there that the tagger calls a common noun, or that the
    article never names again, is not counted."""
    out = []
    text = index.text
    for e in entities:
        at = text.find(e.text, start, end)
        if at == start and " " not in e.text:
            token = index.doc.char_span(at, at + len(e.text), alignment_mode="expand")
            common = token is not None and token.root.tag_ in ("NN", "NNS")
            rest = text[:at] + " " + text[at + len(e.text) :]
            again = re.search(rf"\b{re.escape(e.text)}\b", rest)
            if common or not again:
                continue
        out.append(e)
    return out


def _quote_speaker(passage: QuotePassage, index: DocIndex) -> tuple[str | None, str | None]:
    """The speaker of a quotation: the frame around it, else the quote it continues."""
    if passage.group in index.group_speakers:
        return index.group_speakers[passage.group]
    group = index.passage_groups[passage.group]
    found: tuple[str | None, str | None] = (None, None)
    for p in group:
        found = _frame_for_span(p.start, p.end, index)
        if found[0]:
            break
    if not found[0]:
        found = _previous_quote_speaker(group[0], index)
    if not found[0]:
        found = _preceding_speaker(group[0], index)
    index.group_speakers[passage.group] = found
    return found


def _frame_for_span(start: int, end: int, index: DocIndex) -> tuple[str | None, str | None]:
    """A speech verb outside the quote in the sentences it touches (or the one after)."""
    doc = index.doc
    text = index.text
    first = doc.char_span(start, end, alignment_mode="expand")
    if first is None:
        return None, None
    named = _name_before_verb(first.end, index)
    if named[0]:
        return named
    sent_start = index.sent_of(first.start).start
    last_sent = index.sent_of(first.end - 1)
    stop = last_sent.end
    # "… the talks,” | he said." spaCy sometimes makes the frame its own sentence.
    if stop < len(doc) and text.find("\n", last_sent.end_char, doc[stop].idx + 1) < 0:
        stop = index.sent_of(stop).end
    # A frame sits next to its quote: a window keeps run-on "sentences" cheap.
    sent_start = max(sent_start, first.start - _FRAME_WINDOW)
    stop = min(stop, first.end + _FRAME_WINDOW)
    candidates = []
    for token in doc[sent_start:stop]:
        if token.idx >= start and token.idx < end:
            continue
        if index.in_long_quote(token.idx):
            continue
        if text.find("\n", min(token.idx, start), max(token.idx, end)) >= 0:
            continue
        if is_quote_verb(token):
            # "“If it doesn't…, it will…,” said James Acton": the parser may hang a subject
            # from inside the quotation on the frame's verb too; the speaker is outside.
            subj = next(
                (
                    c
                    for c in token.children
                    if c.dep_ in ("nsubj", "nsubjpass") and not index.in_long_quote(c.idx)
                ),
                None,
            ) or subject_of(token)
            if subj is not None and not index.in_long_quote(subj.idx):
                candidates.append((_distance(token.idx, start, end), subj, token.lemma_))
        elif token.lower_ == "according":
            src = according_to(token)
            if src is not None:
                candidates.append((_distance(token.idx, start, end), src, "according to"))
    for _, subj, cue in sorted(candidates, key=lambda c: c[0]):
        name = speaker_name(subj, index.memory)
        if name:
            return name, cue
    return None, None


def _name_before_verb(i: int, index: DocIndex) -> tuple[str | None, str | None]:
    """'“…,” Flynn, a top Trump surrogate, said Thursday on Fox News': the name right after
    the closing mark, then a speech verb. Read off the surface, because the parser often
    hangs a later noun on the verb as its subject when an apposition sits between them.
    Also '“…” ― Pamela Padilla': a quote signed with a dash."""
    doc = index.doc
    while i < len(doc) and doc[i].is_punct and len(doc[i]) == 1 and doc[i].text in ',”"':
        i += 1
    i = _skip_spaces(i, doc)
    dashed = i < len(doc) and doc[i].text in _ATTRIBUTION_DASHES
    if dashed:
        i = _skip_spaces(i + 1, doc)
    if i >= len(doc) or doc[i].pos_ != "PROPN" or index.in_long_quote(doc[i].idx):
        return None, None
    name = doc[i]
    while name.i + 1 < len(doc) and doc[name.i + 1].pos_ == "PROPN":
        name = doc[name.i + 1]
    if dashed:
        found = (speaker_name(name, index.memory) or "").lstrip("".join(_ATTRIBUTION_DASHES) + " ")
        return (found or None), None
    for token in doc[name.i + 1 : name.i + 16]:
        if "\n" in token.text or token.text in '“”"' or index.in_long_quote(token.idx):
            break
        if is_quote_verb(token):
            # "Tulsa police Chief Chuck Jordan said": the verb's own subject, when it sits
            # between the quote and the verb, names the speaker best.
            subj = next(
                (c for c in token.children if c.dep_ == "nsubj" and i <= c.i < token.i), name
            )
            found = speaker_name(subj, index.memory)
            return (found, token.lemma_) if found else (None, None)
        if token.pos_ in ("VERB", "AUX"):
            break
    return None, None


def _skip_spaces(i: int, doc) -> int:
    while i < len(doc) and (doc[i].is_space or doc[i].text == "\xa0") and "\n" not in doc[i].text:
        i += 1
    return i


def _distance(pos: int, start: int, end: int) -> int:
    return start - pos if pos < start else pos - end


def _previous_quote_speaker(passage: QuotePassage, index: DocIndex):
    """A quote paragraph with no frame continues the previous quote's speaker."""
    para = index.paragraph_of(passage.start)
    before = bisect_left(index.passage_starts, passage.start)
    for p in reversed(index.long_passages[max(0, before - 20) : before]):
        if p.group == passage.group:
            continue
        if para - index.paragraph_of(p.start) > 2:
            break
        known = index.group_speakers.get(p.group)
        if known and known[0]:
            return known
    return None, None


def _preceding_speaker(passage: QuotePassage, index: DocIndex) -> tuple[str | None, None]:
    """A quotation with no frame and no earlier quote to continue: the person named last
    before it, in its own paragraph or the one just before ("Caddell continued:", then the
    quote; "“It's heartbreaking,” Ryan said. “And this country…”")."""
    memory = index.memory
    i = bisect_right(memory.positions, passage.start) - 1
    if i < 0:
        return None, None
    pos = memory.positions[i]
    if pos < index.story_start or index.in_long_quote(pos):
        return None, None
    between = index.text[pos : passage.start].split("\n")
    if any(line.strip() for line in between[1:-1]):
        return None, None  # a paragraph in between: too far to be the same speaker
    return memory.names[i], None


def reported_speech_beside_quotes(unit: Unit, index: DocIndex) -> list[ExtractedClaim]:
    """'…,” he said, adding that the government has agreed to send delegates.'"""
    claims = []
    for token in unit.tokens:
        if not is_speech_verb(token) or index.in_long_quote(token.idx):
            continue
        for child in token.children:
            if child.dep_ != "ccomp" or index.in_long_quote(child.idx):
                continue
            left = child.left_edge
            if left.lower_ == "that" and left.dep_ == "mark":
                left = left.nbor(1)
            start = max(left.idx, unit.start)
            right = child.right_edge
            end = min(right.idx + len(right), unit.end)
            if start < token.idx + len(token) or word_count(index.text, start, end) < 4:
                continue
            if any(index.in_long_quote(t.idx) for t in child.subtree):
                continue
            subj = subject_of(token)
            speaker = speaker_name(subj, index.memory) if subj is not None else None
            claim = make_claim(
                index,
                start,
                end,
                ClaimType.ATTRIBUTION,
                quantities=[q.quantity for q in index.quantities_in(start, end)],
                times=times_in(start, end, unit, index),
                speaker=speaker,
                cue=token.lemma_,
                entities=named_entities(start, end, index),
            )
            if claim:
                claims.append(claim)
    return claims


def speech_frame(unit: Unit, index: DocIndex) -> Frame | None:
    """The sourcing of a statement: "according to X", or "X said (that) ..."."""
    frames = []
    for token in unit.tokens:
        if token.lower_ == "according":
            src = according_to(token)
            if src is not None:
                root = token.head
                while root.dep_ != "ROOT" and root.head is not root:
                    root = root.head
                frames.append(Frame(speaker_name(src, index.memory), "according to", root))
            continue
        if not is_speech_verb(token):
            continue
        content = next((c for c in token.children if c.dep_ in ("ccomp", "xcomp")), None)
        if content is None and token.dep_ == "ROOT":
            # "…, Lavrov said." parsed with the clause hanging off the verb.
            content = next((c for c in token.children if c.dep_ in ("parataxis", "advcl")), None)
        if content is None and token.dep_ == "parataxis" and token.sent.root is not token:
            # "X took 146 seats, the interior ministry said, five short of…": a frame set
            # into the sentence reports the whole of it.
            content = token.sent.root
        if content is None:
            # "announced plans for the conference" reports an event, not speech.
            continue
        subj = subject_of(token)
        if subj is None or subj.idx < max(unit.start, index.story_start):
            continue
        frames.append(Frame(speaker_name(subj, index.memory), token.lemma_, content))
    if not frames:
        return None
    best = next((f for f in frames if f.speaker), frames[0])
    # "urged commuters to stay home and said the city would open…": any forecast counts.
    forward = next(
        (f for f in frames if f.content_head is not None and is_prediction(f.content_head, f)),
        None,
    )
    if forward is not None and forward is not best:
        best = Frame(best.speaker or forward.speaker, best.cue, forward.content_head)
    return best
