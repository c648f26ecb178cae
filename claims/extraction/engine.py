"""From a parsed spaCy Doc to typed claims with exact offsets.

One pass over the sentences of a Doc that has already been through the pipeline: regular
expressions for figures, dates and quotation marks run once over the whole text, the
dependency parse supplies speakers and clause boundaries. No second spaCy pass.

This module holds the flow, sentence by sentence, and the scoring that decides which
sentences the model may still make claims of. The steps live beside it, each importing only
those listed before it: units.py (units of text and the index of the Doc), claim.py (one
claim built from a stretch), classify.py (its type; the question, opinion and forecast
tests), clauses.py (one sentence, two statements) and speech.py (quotations, speakers,
reported speech).
"""

from __future__ import annotations

import datetime

from spacy.tokens import Doc

from .article import find_dateline, is_boilerplate
from .claim import make_claim, named_entities, times_in
from .classify import (
    has_finite_verb,
    is_exclamation,
    is_prediction,
    is_question,
    opinion_only,
    typed_claim,
)
from .clauses import split_clauses, statement_before_question
from .scoring import CHECK_WORTHY, apply_scores, sentence_scores
from .speech import (
    quote_claim,
    quote_pieces,
    reported_speech_beside_quotes,
    short_quote_claims,
    speech_frame,
)
from .types import ClaimType, ExtractedClaim
from .units import DocIndex, Frame, Unit, main_verb, units_of

# A word of judgement ("worst", "great", "should") marks a sentence as opinion unless the
# model is sure it holds a checkable claim: "He inherited the worst financial crisis since
# the Great Depression" is one, "Silva is the best player in the league" is not. The bar is
# the lowest that adds no false positive to our gold; how it was chosen, with its F1 on
# ClaimBuster's held-out debates against the other bars: docs/checkworthiness.md.
# `evaluate_checkworthiness --opinion-bars` sweeps it by setting engine.OPINION_BAR, so it is
# read here, at call time, by _claims_from_unit. It was chosen as 0.7 on the score's older,
# piecewise-linear scale; 0.65 is the same bar on the calibrated scale (old 0.7 maps to 0.647).
OPINION_BAR = 0.65


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
    pieces = quote_pieces(unit, index)
    short = short_quote_claims(unit, index) if index.passages else []
    if pieces or short:
        for start, end, passage in pieces:
            claim = quote_claim(start, end, passage, unit, index)
            if claim:
                claims.append(claim)
        claims.extend(short)
        claims.sort(key=lambda c: c.start)
        claims.extend(reported_speech_beside_quotes(unit, index))
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


def _statement_claims(unit: Unit, index: DocIndex) -> list[ExtractedClaim]:
    frame = speech_frame(unit, index)
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


def _model_found_claim(unit: Unit, index: DocIndex) -> ExtractedClaim | None:
    """A claim for a sentence the rules found nothing checkable in but the model rates
    check-worthy: reported speech if it has a source, a forecast if it looks ahead, else an
    event. (_claims_from_unit has checked it is a statement with a finite verb.)"""
    frame = speech_frame(unit, index)
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
