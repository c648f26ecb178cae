"""Check-worthiness score and reasons for each claim.

The trained model lives in checkworthiness.py (owned separately); until it is importable,
or beside it, the signals a desk editor would name give a floor: a checkable figure, a
named speaker, a dated event.
"""

from __future__ import annotations

from .types import ClaimType, ExtractedClaim

try:  # the model is optional: the engine must work before and without it
    from .checkworthiness import score_sentences as _model_scores
except Exception:  # noqa: BLE001 - any failure to import means "no model"
    _model_scores = None

_CHECK_WORTHY = 0.5


def rule_score(claim: ExtractedClaim) -> tuple[float, list[str]]:
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


def _strong(reasons: list[str]) -> bool:
    return any(
        r in reasons for r in ("has a quantity", "attributed to a named speaker", "has a date")
    )


def score_claims(claims: list[ExtractedClaim]) -> None:
    """Set score and reasons on every claim, in one model call for the whole list."""
    if not claims:
        return
    model = None
    if _model_scores is not None:
        try:
            model = _model_scores([c.text for c in claims])
        except Exception:  # noqa: BLE001 - a broken model must not stop extraction
            model = None
    for i, claim in enumerate(claims):
        score, reasons = rule_score(claim)
        if model is not None:
            probability, model_reasons = model[i]
            blended = 0.5 * score + 0.5 * float(probability)
            # The model's own reasons start with "model: 0.83"; keep them, minus repeats.
            model_reasons = list(model_reasons or []) or [f"model: {float(probability):.2f}"]
            reasons = reasons + [r for r in model_reasons if r not in reasons]
            # A checkable figure, a named speaker or a date keeps a claim on the desk.
            score = max(blended, _CHECK_WORTHY) if _strong(reasons) else blended
        claim.score = round(min(1.0, max(0.0, score)), 3)
        claim.reasons = reasons
