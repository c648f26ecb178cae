"""Claims, the sources attached to them and their review history."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from claims.models.article import Article


class Claim(models.Model):
    class Type(models.TextChoices):
        STATISTIC = "statistic", "Statistic"
        QUOTE = "quote", "Quote"
        ATTRIBUTION = "attribution", "Attribution"
        EVENT = "event", "Event"
        PREDICTION = "prediction", "Prediction"

    class SpeakerKind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    class Status(models.TextChoices):
        UNREVIEWED = "unreviewed", "Unreviewed"
        SOURCED = "sourced", "Sourced"
        DISPUTED = "disputed", "Disputed"
        VERIFIED = "verified", "Verified"

    class Origin(models.TextChoices):
        MACHINE = "machine", "Extraction"
        REVIEWER = "reviewer", "Reviewer"

    class Dismissal(models.TextChoices):
        OPINION = "opinion", "Opinion"
        NOT_CHECKABLE = "not_checkable", "Not checkable"
        DUPLICATE = "duplicate", "Duplicate"
        EXTRACTION_ERROR = "extraction_error", "Extraction error"

    # No index of its own: the unique (article, fingerprint) index starts with it.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="claims", db_index=False
    )
    # Where the claim sits in article.body: body[start:end] == text.
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    type = models.CharField(max_length=12, choices=Type, db_index=True)
    quantities = models.JSONField(default=list, blank=True)
    times = models.JSONField(default=list, blank=True)
    speaker = models.CharField(max_length=200, blank=True, db_index=True)
    # Who the speaker is, from the engine ("" when there is no speaker): ClaimReview
    # publishes the claim's author as a Person or an Organization.
    speaker_kind = models.CharField(max_length=12, choices=SpeakerKind, blank=True, default="")
    cue = models.CharField(max_length=100, blank=True)
    entities = models.JSONField(default=list, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    score = models.FloatField(default=0.0)
    score_reasons = models.JSONField(default=list, blank=True)
    # Stable across re-extraction (normalised text), so reviews survive a pipeline upgrade.
    fingerprint = models.CharField(max_length=64)
    # The claim was not found again by the latest extraction; kept for its history.
    is_orphaned = models.BooleanField(default=False)
    # Corrections (claims/services/corrections.py). A claim a reviewer added, not found by
    # the extraction; re-extraction never overwrites nor orphans it.
    origin = models.CharField(max_length=8, choices=Origin, default=Origin.MACHINE)
    # Why a reviewer said "not a claim"; blank while the claim stands. Dismissed claims
    # leave the queue, the counts and the exports, and stay dismissed across re-extraction.
    dismissed = models.CharField(max_length=16, choices=Dismissal, blank=True)
    # The extraction's own fields, kept when a reviewer first edits the claim: the
    # correction sits beside the original, and re-extraction leaves the claim alone.
    machine = models.JSONField(null=True, blank=True)

    # Searched through claim_status_counts_idx, which starts with it.
    status = models.CharField(max_length=10, choices=Status, default=Status.UNREVIEWED)
    # Optimistic locking: every review change must name the version it was made against.
    version = models.PositiveIntegerField(default=1)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_claims",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "fingerprint"], name="claim_unique_fingerprint_per_article"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="claim_span"
            ),
        ]
        indexes = [
            models.Index(fields=["-score", "-id"], name="claim_score_idx"),
            models.Index(fields=["-created_at", "-id"], name="claim_created_idx"),
            # Covers the dashboard's counts per status (live claims only, dismissed ones
            # left out) without reading the table (docs/benchmarks.md, "Dashboard").
            models.Index(
                fields=["status", "is_orphaned", "dismissed"], name="claim_status_counts_idx"
            ),
        ]
        permissions = [("assign_claim", "Can assign claims and run bulk actions")]

    def __str__(self) -> str:
        return self.summary or self.text[:80]

    def get_absolute_url(self) -> str:
        # ?claim= opens the claim's review panel; #claim- scrolls to its highlight.
        return f"{self.article.get_absolute_url()}?claim={self.pk}#claim-{self.pk}"

    @property
    def is_corrected(self) -> bool:
        """A reviewer changed or added it: re-extraction must leave it as it is."""
        return self.machine is not None or self.origin == self.Origin.REVIEWER


class Source(models.Model):
    """Evidence attached to a claim: a URL, a citation, or both."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True, help_text="Title or citation")
    # A counter-source contradicts the claim (enough to mark it disputed).
    is_counter = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="", title=""), name="source_has_url_or_citation"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.url


class StatusChange(models.Model):
    """One entry of a claim's review history: who moved it from what to what, and why.

    Corrections are history entries too (``action``), with the status unchanged.
    """

    class Action(models.TextChoices):
        STATUS = "status", "Status change"
        DISMISSED = "dismissed", "Dismissed"
        RESTORED = "restored", "Restored"
        EDITED = "edited", "Edited"
        ADDED = "added", "Added"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="history")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=10, choices=Claim.Status)
    to_status = models.CharField(max_length=10, choices=Claim.Status)
    note = models.TextField(blank=True)
    action = models.CharField(max_length=10, choices=Action, default=Action.STATUS)
    # What a correction changed: {"reason": ...} or {"changed": {field: [before, after]}}.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name_plural = "status changes"

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @property
    def reason_label(self) -> str:
        """A dismissal's reason as the desk reads it."""
        reason = self.detail.get("reason", "")
        return Claim.Dismissal(reason).label if reason in Claim.Dismissal.values else reason
