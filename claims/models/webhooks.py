"""Webhooks: who hears of the desk's events, and every delivery with each attempt."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone


class WebhookEvent(models.TextChoices):
    CLAIM_JUDGED = "claim.judged", "Claim judged (its review status changed)"
    ARTICLE_EXTRACTED = "article.extracted", "Article extracted (its claims are in)"
    JOB_FAILED = "job.failed", "Extraction job failed"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2000)
    # Signs every delivery (HMAC-SHA256); the receiver holds the same secret.
    secret = models.CharField(max_length=200, default=new_secret)
    events = models.JSONField(default=list, help_text="The events this receiver hears of.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one subscription, recorded in the transaction that made the event
    (so it is sent if and only if the change was committed), then sent by a worker."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Sent as X-NewsFacts-Delivery: a receiver that sees one twice can drop the second.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, choices=WebhookEvent)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} to {self.subscription}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.status or 'no answer'} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"
