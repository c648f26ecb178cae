"""Verdict ratings on the desk's scale, and the desk's comments on claims."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.models import Claim, ClaimComment, ClaimRating, RatingChange, VerdictRating
from claims.services.review import ReviewConflict, ReviewRuleError

EXPLANATION_MAX = 300
COMMENT_MAX = 5000


def claim_set_rating(
    *,
    claim_id: int,
    user: AbstractBaseUser,
    rating_id: int,
    explanation: str,
    expected_version: int,
) -> Claim:
    """Rate a claim on the desk's scale with a one-line explanation, version-checked.

    Like a status change, it applies only to the version the reviewer loaded (otherwise
    ReviewConflict), bumps the version and leaves an entry in the rating history.
    """
    explanation = " ".join(explanation.split())  # one line, whatever was pasted
    if not explanation:
        raise ReviewRuleError("A rating needs a one-line explanation.")
    if len(explanation) > EXPLANATION_MAX:
        raise ReviewRuleError(
            f"Keep the explanation to one line ({EXPLANATION_MAX} characters at most)."
        )
    rating = VerdictRating.objects.filter(pk=rating_id, is_active=True).first()
    if rating is None:
        raise ReviewRuleError("Choose a rating from the desk's scale.")
    with transaction.atomic():
        now = timezone.now()
        won = Claim.objects.filter(pk=claim_id, version=expected_version).update(
            version=F("version") + 1, updated_at=now
        )
        if not won:
            raise ReviewConflict(Claim.objects.select_related("reviewed_by").get(pk=claim_id))
        previous = ClaimRating.objects.filter(claim_id=claim_id).select_related("rating").first()
        ClaimRating.objects.update_or_create(
            claim_id=claim_id,
            defaults={
                "rating": rating,
                "explanation": explanation,
                "rated_by": user,
                "rated_at": now,
            },
        )
        RatingChange.objects.create(
            claim_id=claim_id,
            changed_by=user,
            from_rating=previous.rating.name if previous else "",
            to_rating=rating.name,
            explanation=explanation,
        )
    return Claim.objects.get(pk=claim_id)


def claim_add_comment(*, claim_id: int, user: AbstractBaseUser, body: str) -> ClaimComment:
    """A comment in the claim's discussion. Not a review change: the version stays, so a
    colleague's comment never sends a reviewer into a conflict."""
    body = body.strip()
    if not body:
        raise ReviewRuleError("Write a comment first.")
    if len(body) > COMMENT_MAX:
        raise ReviewRuleError(f"A comment holds at most {COMMENT_MAX} characters.")
    claim = Claim.objects.get(pk=claim_id)
    return ClaimComment.objects.create(claim=claim, author=user, body=body)
