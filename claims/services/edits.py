"""Edits made in the admin, through the same rules as the desk's own writes.

An article's body is what its claims point into: a new body gets a new hash (duplicates
refused) and a fresh extraction, which reconciliation turns into the same claims at
their new offsets with their reviews kept. A claim edited by hand is a change to review
work: it bumps the version (a reviewer with the old panel open gets a conflict) and
leaves a history entry saying what changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from claims.models import Article, Claim, ExtractionJob, StatusChange
from claims.services.articles import DuplicateArticle
from claims.services.jobs import job_enqueue
from claims.uploads import UploadError, body_hash, strip_controls

# Claim fields whose edit is recorded with its old and new value.
_SHOWN_VALUE_LENGTH = 80


def article_duplicate_body(*, article: Article, body: str) -> Article | None:
    """Another stored article with this body, which an edit must not make a second copy of."""
    return Article.objects.filter(body_hash=body_hash(body)).exclude(pk=article.pk).first()


def article_update(
    *, article_id: int, changes: dict[str, Any], edited_by: AbstractBaseUser | None = None
) -> Article:
    """Apply an edit; a changed body is re-hashed and re-extracted (reviews kept)."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        body_changed = False
        for name, value in changes.items():
            if name == "body":
                value = strip_controls(value)
                if not value.strip():
                    raise UploadError("The article's text cannot be empty.")
                body_changed = body_hash(value) != article.body_hash
                article.body_hash = body_hash(value)
            setattr(article, name, value)
        try:
            with transaction.atomic():
                article.save()
        except IntegrityError:
            existing = article_duplicate_body(article=article, body=article.body)
            if existing is None:
                raise
            raise DuplicateArticle(existing) from None
        if body_changed:
            _reextract(article=article, requested_by=edited_by)
    return article


def _reextract(*, article: Article, requested_by: AbstractBaseUser | None) -> ExtractionJob:
    # A queued job reads the body when it starts, so it will read the new one; a running
    # job has the old one in hand, so a new job follows it.
    queued = article.jobs.filter(state=ExtractionJob.State.QUEUED, started_at=None).first()
    return queued or job_enqueue(article=article, requested_by=requested_by)


def claim_edit(*, claim_id: int, changes: dict[str, Any], user: AbstractBaseUser) -> Claim:
    """Apply a hand edit to a claim: version bumped, history entry with what changed."""
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim_id)
        changed = {
            name: (getattr(claim, name), value)
            for name, value in changes.items()
            if getattr(claim, name) != value
        }
        if not changed:
            return claim
        for name, (_, value) in changed.items():
            setattr(claim, name, value)
        claim.updated_at = timezone.now()
        claim.save()
        Claim.objects.filter(pk=claim_id).update(version=F("version") + 1)
        StatusChange.objects.create(
            claim=claim,
            changed_by=user,
            from_status=claim.status,
            to_status=claim.status,
            note="Edited in the admin: "
            + "; ".join(
                f"{name} {_shown(old)} → {_shown(new)}" for name, (old, new) in changed.items()
            ),
        )
    claim.refresh_from_db()
    return claim


def _shown(value: Any) -> str:
    text = "—" if value is None else str(value)
    if len(text) > _SHOWN_VALUE_LENGTH:
        text = text[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return f"“{text}”"
