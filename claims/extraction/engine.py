"""From a parsed spaCy Doc to typed claims with exact offsets.

One pass over the sentences of a Doc that has already been through the pipeline: regular
expressions for figures, dates and quotation marks run once over the whole text, the
dependency parse supplies speakers and clause boundaries. No second spaCy pass.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right

from spacy.tokens import Doc

from .article import find_dateline, is_boilerplate
from .claim import TRAILING_JUNK, make_claim, named_entities, times_in
from .classify import (
    has_finite_verb,
    is_exclamation,
    is_prediction,
    is_question,
    opinion_only,
    typed_claim,
)
from .clauses import split_clauses, statement_before_question
from .quotes import QuotePassage
from .scoring import CHECK_WORTHY, apply_scores, sentence_scores
from .speakers import (
    according_to,
    is_speech_verb,
    speaker_name,
    subject_of,
)
from .types import ClaimType, ExtractedClaim
from .units import DocIndex, Frame, Unit, main_verb, units_of, word_count

# A word of judgement ("worst", "great", "should") marks a sentence as opinion unless the
# model is sure it holds a checkable claim: "He inherited the worst financial crisis since
# the Great Depression" is one, "Silva is the best player in the league" is not. The bar is
# the lowest that adds no false positive to our gold; how it was chosen, with its F1 on
# ClaimBuster's held-out debates against the other bars: docs/checkworthiness.md.
OPINION_BAR = 0.7
_FRAME_WINDOW = 40  # tokens either side of a quotation searched for its speech verb


def claims_from_doc(
    doc: Doc, reference: datetime.date | None = None, text: str | None = None
) -> list[ExtractedClaim]:
    """Claims of a parsed Doc; pass `text` when the caller has it (Doc.text is rebuilt from
    every token on each access)."""
    if text is None:
        text = doc.text
    if not text.strip():
        return []
    dateline = find_dateline(text)
    story_start = dateline.end if dateline else 0
    if reference is None and dateline and dateline.year and dateline.date:
        reference = datetime.date.fromisoformat(dateline.date)
    index = DocIndex(doc, reference, text)
    index.story_start = story_start
    # Every sentence that holds a claim, or could, is scored in one model call: a claim's
    # check-worthiness is its sentence's, which is what the model was trained to judge.
    to_score: list[tuple[Unit, list[ExtractedClaim], float | None]] = []
    for sent in index.sents:
        for whole in units_of(sent, text, story_start):
            unit = statement_before_question(whole, text)
            found, bar = _claims_from_unit(unit, index)
            if found or bar is not None:
                to_score.append((unit, found, bar))
    results = sentence_scores([doc[u.tokens[0].i : u.tokens[-1].i + 1] for u, _, _ in to_score])
    claims: list[ExtractedClaim] = []
    for (unit, found, bar), result in zip(to_score, results, strict=True):
        if not found and bar is not None and result is not None and result[0] >= bar:
            # No figure, date or quotation, but a statement the model finds worth checking
            # ("We took away the individual mandate."): a checkable happening.
            model_claim = _model_found_claim(unit, index)
            found = [model_claim] if model_claim else []
        apply_scores(found, result)
        claims.extend(found)
    return claims


def _claims_from_unit(unit: Unit, index: DocIndex) -> tuple[list[ExtractedClaim], float | None]:
    """The unit's claims found by rule, and the score at which the model may still find
    one in it: None for boilerplate, questions, exclamations, verbless fragments and
    sentences made of quotations; OPINION_BAR for a sentence with words of judgement."""
    text = index.text
    para = index.paragraph_of(unit.start)
    para_start = index.paragraph_starts[para]
    para_end = text.find("\n", unit.start)
    # Boilerplate is short: never copy more of a paragraph than the check can use.
    para_end = min(para_end if para_end >= 0 else len(text), para_start + 401)
    para_text = text[para_start:para_end]
    if is_boilerplate(para_text.strip()) or is_boilerplate(text[unit.start : unit.end]):
        return [], None
    claims: list[ExtractedClaim] = []
    pieces = _quote_pieces(unit, index)
    if pieces:
        for start, end, passage in pieces:
            claim = _quote_claim(start, end, passage, unit, index)
            if claim:
                claims.append(claim)
        claims.extend(_reported_speech_beside_quotes(unit, index))
        return claims, None
    if is_question(text, unit.start, unit.end):
        return [], None
    claims = _statement_claims(unit, index)
    # Exclamations with nothing checkable stay out, whatever the model thinks, and so do
    # verbless fragments (captions, lists): only a statement can be checked. (An exclamation
    # with a figure is a claim by rule: "Sales rose 50%!") Opinions and feelings need the
    # model to be sure (OPINION_BAR).
    if (
        claims
        or is_exclamation(text, unit.start, unit.end)
        or not has_finite_verb(unit.tokens, unit.start, unit.end)
    ):
        return claims, None
    if opinion_only(unit.tokens, unit.start, unit.end):
        return claims, OPINION_BAR
    return claims, CHECK_WORTHY


def _quote_pieces(unit: Unit, index: DocIndex) -> list[tuple[int, int, QuotePassage]]:
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


def _quote_claim(start, end, passage, unit, index) -> ExtractedClaim | None:
    text = index.text
    if is_question(text, start, end):
        return None
    speaker, cue = _quote_speaker(passage, index)
    quantities = [q.quantity for q in index.quantities_in(start, end)]
    times = times_in(start, end, unit, index)
    entities = named_entities(start, end, index)
    if (
        not quantities
        and not times
        and not entities
        and opinion_only(unit.tokens, start, end)
        and word_count(text, start, end) < 12
    ):
        return None
    return make_claim(
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
    index.group_speakers[passage.group] = found
    return found


def _frame_for_span(start: int, end: int, index: DocIndex) -> tuple[str | None, str | None]:
    """A speech verb outside the quote in the sentences it touches (or the one after)."""
    doc = index.doc
    text = index.text
    first = doc.char_span(start, end, alignment_mode="expand")
    if first is None:
        return None, None
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
        if is_speech_verb(token):
            subj = subject_of(token)
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


def _reported_speech_beside_quotes(unit: Unit, index: DocIndex) -> list[ExtractedClaim]:
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


def _statement_claims(unit: Unit, index: DocIndex) -> list[ExtractedClaim]:
    frame = _speech_frame(unit, index)
    clauses = split_clauses(unit, index, frame)
    if clauses:
        shared_times = times_in(unit.start, unit.end, unit, index)
        out = []
        for start, end, head in clauses:
            # Each clause keeps the sentence's source: "…, the United Nations said."
            clause_frame = Frame(frame.speaker, frame.cue, head) if frame else None
            claim = typed_claim(unit, index, start, end, head, clause_frame, shared_times)
            if claim:
                out.append(claim)
        if out:
            return out
    claim = typed_claim(unit, index, unit.start, unit.end, None, frame, None)
    return [claim] if claim else []


def _speech_frame(unit: Unit, index: DocIndex) -> Frame | None:
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


def _model_found_claim(unit: Unit, index: DocIndex) -> ExtractedClaim | None:
    """A claim for a sentence the rules found nothing checkable in but the model rates
    check-worthy: reported speech if it has a source, a forecast if it looks ahead, else an
    event. (_claims_from_unit has checked it is a statement with a finite verb.)"""
    frame = _speech_frame(unit, index)
    head = frame.content_head if frame and frame.content_head is not None else main_verb(unit)
    if is_prediction(head, frame):
        kind = ClaimType.PREDICTION
    elif frame is not None:
        kind = ClaimType.ATTRIBUTION
    else:
        kind = ClaimType.EVENT
    return make_claim(
        index,
        unit.start,
        unit.end,
        kind,
        quantities=[q.quantity for q in index.quantities_in(unit.start, unit.end)],
        times=times_in(unit.start, unit.end, unit, index),
        speaker=frame.speaker if frame else None,
        cue=frame.cue if frame else None,
        entities=named_entities(unit.start, unit.end, index),
        head=head,
    )
