"""Articles in: one pasted or uploaded article, or many from a bulk import."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from claims.models import Article, ExtractionJob
from claims.services.jobs import job_enqueue, jobs_send_on_commit
from claims.uploads import (
    UploadedArticle,
    UploadError,
    article_parts,
    body_hash,
    check_text_size,
    is_web_url,
    strip_controls,
)

MAX_TITLE_LENGTH = Article._meta.get_field("title").max_length


class DuplicateArticle(UploadError):
    def __init__(self, existing: Article):
        self.existing = existing
        super().__init__(f"Already stored as article {existing.pk}: “{existing.title}”.")


def _stored_with_hash(digest: str) -> Article | None:
    return Article.objects.filter(body_hash=digest).first()


def _parse_date(value: str | datetime.date | None) -> datetime.date | None:
    if not value or isinstance(value, datetime.date):
        return value or None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def article_create(
    *,
    text: str,
    title: str = "",
    outlet: str = "",
    url: str = "",
    published_date: str | datetime.date | None = None,
    uploaded_by: AbstractBaseUser | None = None,
    enqueue: bool = True,
    record_job: bool = False,
) -> Article:
    """Store an article and queue its extraction once the transaction commits.

    With ``enqueue=False`` no job is sent: ``record_job`` records it with the article for
    the caller to send (a bulk import sends in batches) or, failing that, the sweeper.

    Without a title, the first line of a plain-text article is its headline. The dateline
    ("PARIS, May 28 (RIA Novosti) –") gives place, date and, when none was given, outlet.
    """
    check_text_size(text, name="The article")
    title, outlet = strip_controls(title), strip_controls(outlet)
    if not strip_controls(text).strip():
        raise UploadError("The article is empty.")
    parts = article_parts(text, title)
    body = parts.body
    if not body.strip():
        raise UploadError("The article has a headline but no text.")
    title = title.strip() or parts.title.strip() or body.strip().split("\n", 1)[0]
    title = title[:MAX_TITLE_LENGTH]
    url = url.strip()
    if url and not is_web_url(url):
        raise UploadError(f"The article URL must start with http:// or https://, not {url[:40]!r}.")
    digest = body_hash(body)
    existing = _stored_with_hash(digest)
    if existing:
        raise DuplicateArticle(existing)
    try:
        # A savepoint: when another request stores the same text between the check above
        # and this insert, the unique body hash refuses ours and the caller's transaction
        # carries on. The job is recorded with the article, so no article is ever stored
        # without one (the broker hears of it on commit, or later from the sweeper).
        with transaction.atomic():
            article = Article.objects.create(
                title=title,
                body=body,
                outlet=(outlet or parts.outlet or "")[:200],
                url=url[:2000],
                dateline_place=(parts.dateline_place or "")[:200],
                dateline_date=(parts.dateline_date or "")[:10],
                # A pasted article's dateline ("HARBORVIEW, March 14, 2025 —") dates it when
                # no date was given, so the CSV's published_date is set.
                published_date=_parse_date(published_date) or _parse_date(parts.dateline_date),
                uploaded_by=uploaded_by,
                body_hash=digest,
            )
            if enqueue:
                job_enqueue(article=article, requested_by=uploaded_by)
            elif record_job:
                ExtractionJob.objects.create(article=article, requested_by=uploaded_by)
    except IntegrityError:
        existing = _stored_with_hash(digest)
        if existing is None:
            raise
        raise DuplicateArticle(existing) from None
    return article


@dataclass
class ImportReport:
    created: list[Article] = field(default_factory=list)
    duplicates: list[tuple[str, Article]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} imported, {len(self.duplicates)} duplicates skipped, "
            f"{len(self.errors)} refused"
        )


def articles_import(
    *,
    uploads: Iterable[UploadedArticle],
    uploaded_by: AbstractBaseUser | None = None,
    on_progress: Callable[[UploadedArticle], None] | None = None,
) -> ImportReport:
    """Import many articles; one bad or duplicate article never stops the others."""
    report = ImportReport()
    for upload in uploads:
        if upload.error:
            report.errors.append((upload.name, upload.error))
            if on_progress:
                on_progress(upload)
            continue
        try:
            article = article_create(
                text=upload.text,
                title=upload.title,
                outlet=upload.outlet,
                url=upload.url,
                published_date=upload.published_date,
                uploaded_by=uploaded_by,
                enqueue=False,
                record_job=True,
            )
        except DuplicateArticle as exc:
            report.duplicates.append((upload.name, exc.existing))
        except UploadError as exc:
            report.errors.append((upload.name, str(exc)))
        else:
            report.created.append(article)
        if on_progress:
            on_progress(upload)
    # Each article's job was recorded with it; hand them to the broker in batches (one
    # nlp.pipe pass each) once the caller's transaction commits.
    job_ids = list(
        ExtractionJob.objects.filter(
            article__in=report.created, state=ExtractionJob.State.QUEUED, enqueued_at=None
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    jobs_send_on_commit(job_ids=job_ids)
    return report
