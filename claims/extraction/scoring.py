"""Check-worthiness score and reasons for each claim.

A claim's score is the check-worthiness model's score of the sentence it sits in (the model
in checkworthiness.py was trained on sentences, and a sentence is what CheckThat judges).
The claim's own signals -- a checkable figure, a named speaker, a date -- are added to the
reasons, so a reviewer sees why it is on the desk. If the model cannot be loaded or fails,
those signals give a rule score instead: extraction never stops for the model. The last
step maps a model-based score through the engine's own calibration (calibration.py), so the
score a claim carries is a probability as the desk measures it, through the command.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from .calibration import get_calibration
from .types import ClaimType, ExtractedClaim

try:  # the model is optional: the engine must work before and without it
    from .checkworthiness import score_docs as _model_scores
except Exception:  # noqa: BLE001 - any failure to import means "no model"
    _model_scores = None

logger = logging.getLogger(__name__)

CHECK_WORTHY = 0.5
# Set by the engine, before scoring, on a quotation that asserts nothing a checker could
# verify (a question, a feeling, an appeal): it stays a `quote` claim, since a reader may
# want every quotation and who said it, but its score is kept under CHECK_WORTHY so it never
# reaches the desk's check-worthy queue.
NOTHING_CHECKABLE = "quotes a question, feeling or appeal: nothing checkable"
# A check-worthy score times this stays under CHECK_WORTHY, and the order among such quotes
# is kept.
_NOTHING_CHECKABLE_FACTOR = 0.45

SentenceScore = tuple[float, list[str]]


def sentence_scores(spans: Sequence[Any]) -> list[SentenceScore | None]:
    """The model's (score, reasons) for each sentence (a spaCy Span), in one call; ``None``
    for every sentence when there is no working model."""
    if not spans:
        return []
    if _model_scores is not None:
        try:
            return list(_model_scores(spans))
        except Exception:  # a broken model must not stop extraction
            logger.exception("check-worthiness model failed; falling back to rule scores")
    return [None] * len(spans)


def rule_score(claim: ExtractedClaim) -> SentenceScore:
    score = 0.2
    reasons = []
    if claim.quantities:
        score += 0.35
        reasons.append("has a quantity")
    if claim.speaker:
        score += 0.3
        reasons.append("attributed to a named speaker")
    if claim.times:
        score += 0.3
        reasons.append("has a date")
    if claim.entities:
        score += 0.1
        reasons.append("names a person, organisation or place")
    if claim.type == ClaimType.QUOTE:
        score += 0.05
        reasons.append("direct quotation")
    elif claim.type == ClaimType.PREDICTION:
        score -= 0.05
        reasons.append("about the future")
    return min(1.0, max(0.0, round(score, 3))), reasons


def apply_scores(claims: list[ExtractedClaim], sentence: SentenceScore | None) -> None:
    """Set score and reasons on the claims of one sentence."""
    for claim in claims:
        plain = NOTHING_CHECKABLE in claim.reasons
        rule, signals = rule_score(claim)
        if sentence is None:
            score, reasons = rule, signals
        else:
            score, model_reasons = sentence
            # "model: 0.83" first, then what the reviewer can check, without repeats.
            reasons = list(model_reasons) + [r for r in signals if r not in model_reasons]
        score = min(1.0, max(0.0, float(score)))
        if plain:
            score *= _NOTHING_CHECKABLE_FACTOR
            reasons = [NOTHING_CHECKABLE, *reasons]
        if sentence is not None and (calibration := get_calibration()) is not None:
            # Last, so it corrects the score the claim would otherwise carry: it was fitted
            # to exactly that (calibration.py). Rule scores are not the models' and keep
            # their own scale.
            score = calibration(score)
        claim.score = round(score, 3)
        claim.reasons = reasons
