"""Articles from the web: the desk's feeds, and every page on its way to becoming an article."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from claims.models.article import Article


class Feed(models.Model):
    """An RSS or Atom feed the desk subscribes to; polled on its own interval."""

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2000, unique=True)
    outlet = models.CharField(
        max_length=200, blank=True, help_text="Outlet of its articles when a page names none."
    )
    interval_minutes = models.PositiveIntegerField(
        default=15, validators=[MinValueValidator(1)], help_text="Minutes between polls."
    )
    is_active = models.BooleanField(default=True)
    # Conditional GET: what the server said last time, sent back so an unchanged feed
    # costs a 304 and no parsing.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When a poll was last handed to the broker: not sent again while it may still be
    # waiting in the queue (services.feeds.LEASE).
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    # Polls failed in a row: the feed waits interval x 2^failures (capped) before the next.
    failures = models.PositiveIntegerField(default=0, editable=False)
    items_imported = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PageImport(models.Model):
    """One web page to import as an article: a feed's item or a URL an editor pasted.

    Recorded before anything is fetched, so a page that cannot be fetched keeps its error
    and is tried again later; it is never lost.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        FETCHING = "fetching", "Fetching"
        IMPORTED = "imported", "Imported"
        DUPLICATE = "duplicate", "Already stored"
        FAILED = "failed", "Failed"

    feed = models.ForeignKey(
        Feed, null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    # sha256 of the feed's id for the item (its guid, else its link): one import per item.
    item_key = models.CharField(max_length=64, blank=True, editable=False)
    # Blank for an uploaded HTML file: its page is ``html``, read by a worker, not fetched.
    url = models.URLField(max_length=2000, blank=True)
    upload_name = models.CharField(max_length=255, blank=True)
    html = models.TextField(blank=True, editable=False)
    # What the editor typed beside an uploaded file: wins over what the page says.
    given = models.JSONField(default=dict, blank=True, editable=False)
    title = models.CharField(max_length=500, blank=True)
    canonical_url = models.URLField(max_length=2000, blank=True)
    # sha256 of canonical_url, indexed: "is this story stored already?" without a scan.
    url_key = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # The page's byline; the article keeps what the spec lists (title, outlet, URL, date).
    author = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="page_imports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "item_key"],
                condition=models.Q(feed__isnull=False),
                name="page_import_one_per_feed_item",
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="page_import_due_idx")]

    def __str__(self) -> str:
        return self.title or self.url or self.upload_name
