"""Articles and their extraction jobs."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse


class Article(models.Model):
    title = models.CharField(max_length=500)
    body = models.TextField(help_text="The article text after its headline; claims point into it.")
    outlet = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    dateline_place = models.CharField(max_length=200, blank=True)
    # ISO date or a part of one: "--05-28" when the dateline gives no year.
    dateline_date = models.CharField(max_length=10, blank=True)
    published_date = models.DateField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # sha256 of the normalised body: the same text uploaded twice is one article.
    body_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"Article {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("claims-article", args=[self.pk])

    @property
    def reference_date(self) -> datetime.date | None:
        """The date that relative times ("on Monday", "last year") are read against."""
        if self.published_date:
            return self.published_date
        try:
            return datetime.date.fromisoformat(self.dateline_date)
        except ValueError:
            return None


class ExtractionJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="jobs")
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    pipeline = models.CharField(max_length=100, blank=True)
    claim_count = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Null until the broker accepted the job: the sweeper resends those (Redis was down).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    nlp_seconds = models.FloatField(null=True, blank=True)
    # Set by each delivery that starts the job; only the delivery holding the current token
    # may write claims, so a job delivered twice completes once.
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    # The running delivery's lease: renewed by its worker while it works, so a job whose
    # lease ran out lost its worker (the sweeper resends it within a couple of minutes).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Why the job is being run again (its worker was lost), shown while it is retried.
    retry_reason = models.CharField(max_length=200, blank=True)
    # Claims the engine found beyond NEWSFACTS_MAX_CLAIMS_PER_ARTICLE, not kept.
    claims_dropped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"Job {self.pk} for article {self.article_id}: {self.state}"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def is_being_retried(self) -> bool:
        return self.is_active and bool(self.retry_reason)

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
