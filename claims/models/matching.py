"""The desk's memory: the archive of verdicts, claim vectors, matches and BM25 statistics.

Read docs/matching.md ("The desk") for how these feed ``claims.matching.rank``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from claims.models.claim import Claim


class FactCheck(models.Model):
    """A verdict from elsewhere (or imported from our own past work): a claim as the
    fact-checker stated it, with their rating."""

    class Origin(models.TextChoices):
        CLAIMREVIEW = "claimreview", "ClaimReview JSON-LD"
        JSONL = "jsonl", "JSON Lines"
        CLEF = "clef", "CLEF TSV"
        ADMIN = "admin", "Entered in the admin"

    text = models.TextField(help_text="The claim as the fact-checker stated it.")
    title = models.CharField(max_length=500, blank=True, help_text="The fact-check's headline.")
    rating = models.CharField(max_length=200, blank=True, help_text="e.g. False, Mostly true")
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    date = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=12, choices=Origin, default=Origin.ADMIN)
    # The record's id in the file it came from (or its URL): re-importing a file updates
    # these rows instead of adding copies.
    external_id = models.CharField(max_length=500, unique=True)
    # Encoder vector of document_text(text, title): float32[DIMENSION], unit length.
    vector = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "fact-check"

    def __str__(self) -> str:
        return self.text[:80]


class ClaimVector(models.Model):
    """A claim's Encoder vector, apart from the claim so the queue never loads it."""

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, primary_key=True, related_name="match_vector"
    )
    vector = models.BinaryField()
    # The text the vector and the lexical statistics were computed from: a re-extraction
    # that changes the text re-encodes the claim.
    text = models.TextField()

    def __str__(self) -> str:
        return f"Vector of claim {self.claim_id}"


class ClaimMatch(models.Model):
    """One claim found to state what a fact-check or another article's claim states."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="matches")
    fact_check = models.ForeignKey(
        FactCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    other_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="matched_by"
    )
    score = models.FloatField()
    topic = models.FloatField(default=0.0)
    clashes = models.JSONField(default=list, blank=True)
    # Figures that cannot both be right: [{"ours": ..., "theirs": ..., "reason": ...}].
    conflicts = models.JSONField(default=list, blank=True)
    has_conflict = models.BooleanField(default=False, db_index=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(fact_check__isnull=False, other_claim__isnull=True)
                    | models.Q(fact_check__isnull=True, other_claim__isnull=False)
                ),
                name="claimmatch_one_target",
            ),
            models.UniqueConstraint(
                fields=["claim", "fact_check"], name="claimmatch_unique_fact_check"
            ),
            models.UniqueConstraint(
                fields=["claim", "other_claim"], name="claimmatch_unique_other_claim"
            ),
        ]
        verbose_name_plural = "claim matches"

    def __str__(self) -> str:
        target = (
            f"claim {self.other_claim_id}"
            if self.other_claim_id
            else f"fact-check {self.fact_check_id}"
        )
        return f"Claim {self.claim_id} ~ {target} ({self.score:.2f})"

    @property
    def is_rejected(self) -> bool:
        return self.rejected_at is not None


class LexicalTerm(models.Model):
    """BM25's document frequency of one term over everything matched against (fact-checks
    and claims). Two reserved rows hold the totals: TOTAL_DOCUMENTS and TOTAL_LENGTH
    (``terms()`` never yields a word starting with "#")."""

    TOTAL_DOCUMENTS = "#documents"
    TOTAL_LENGTH = "#length"

    term = models.CharField(max_length=100, primary_key=True)
    documents = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term}: {self.documents}"
