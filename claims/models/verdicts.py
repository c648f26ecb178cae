"""The desk's rating scale for verdicts, the ratings given, and the desk's comments on claims."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from claims.models.claim import Claim

# The scale a new desk starts with (name, value, order, description); migration 0006 seeds it.
DEFAULT_SCALE = [
    ("True", 5, 1, "Accurate, with nothing significant missing."),
    ("Mostly true", 4, 2, "Accurate but needs clarification or context."),
    ("Half true", 3, 3, "Partly accurate; leaves out important details."),
    ("Misleading", 2, 4, "Contains some truth but gives a wrong impression."),
    ("False", 1, 5, "Not accurate."),
    ("Unproven", None, 6, "The evidence available can neither confirm nor refute it."),
]


class VerdictRating(models.Model):
    """One step of the desk's rating scale ("Mostly true"), edited in the admin by desk chiefs.

    ``value`` places the rating on the published scale (higher is truer); a rating with no
    value ("Unproven") is published by its name alone.
    """

    name = models.CharField(max_length=60, unique=True)
    value = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Place on the scale, higher is truer; empty for a rating off the scale "
        "(e.g. Unproven).",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the review panel.")
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True, help_text="Offered in the review panel.")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class ClaimRating(models.Model):
    """The rating a claim carries now, with the reviewer's one-line explanation."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="verdict")
    rating = models.ForeignKey(VerdictRating, on_delete=models.PROTECT, related_name="+")
    explanation = models.CharField(max_length=300)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    rated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.rating}: {self.explanation}"


class RatingChange(models.Model):
    """One entry of a claim's rating history. Names are copied so a renamed rating
    leaves the history as it was written."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="rating_history")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    from_rating = models.CharField(max_length=60, blank=True)
    to_rating = models.CharField(max_length=60)
    explanation = models.CharField(max_length=300)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_rating or '—'} → {self.to_rating}"


class ClaimComment(models.Model):
    """The desk's discussion of a claim; separate from the verdict and its note."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]
