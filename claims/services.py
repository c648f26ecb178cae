"""Writes: every change to articles, jobs and claims goes through these functions.

Views, admin actions, management commands and Celery tasks all call them, so a rule
(duplicate detection, review rules, optimistic locking, idempotent jobs) lives in one place.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import re
import time
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from claims import extraction
from claims.models import Article, Claim, ExtractionJob, Source, StatusChange
from claims.uploads import UploadedArticle, UploadError

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = Article._meta.get_field("title").max_length


class DuplicateArticle(UploadError):
    def __init__(self, existing: Article):
        self.existing = existing
        super().__init__(f"Already stored as article {existing.pk}: “{existing.title}”.")


class ReviewConflict(Exception):
    """Someone else changed the claim since the reviewer loaded it."""

    def __init__(self, claim: Claim):
        self.claim = claim
        who = claim.reviewed_by.get_username() if claim.reviewed_by else "someone else"
        super().__init__(
            f"{who} changed this claim while you were working on it; "
            f"it is now {claim.get_status_display().lower()}. Review the fresh state and try again."
        )


class ReviewRuleError(ValueError):
    """A status change that the desk's rules do not allow (e.g. verified without a source)."""


# --- articles ---------------------------------------------------------------------------


def body_hash(body: str) -> str:
    """Hash of the body as a reader sees it: Unicode-normalised, whitespace collapsed."""
    normalised = " ".join(unicodedata.normalize("NFC", body).split())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _parse_date(value: str | datetime.date | None) -> datetime.date | None:
    if not value or isinstance(value, datetime.date):
        return value or None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _split_article(text: str, title: str) -> extraction.ArticleParts:
    # With an explicit title the whole text is body; a blank line keeps parse_article
    # from taking the first paragraph for a headline.
    return extraction.parse_article(f"{title.strip()}\n\n{text}" if title.strip() else text)


def article_duplicate_of(*, text: str, title: str = "") -> Article | None:
    """The stored article with the same normalised body, if any."""
    parts = _split_article(text.replace("\r\n", "\n"), title)
    return Article.objects.filter(body_hash=body_hash(parts.body)).first()


def article_create(
    *,
    text: str,
    title: str = "",
    outlet: str = "",
    url: str = "",
    published_date: str | datetime.date | None = None,
    uploaded_by: AbstractBaseUser | None = None,
    enqueue: bool = True,
) -> Article:
    """Store an article and queue its extraction once the transaction commits.

    Without a title, the first line of a plain-text article is its headline. The dateline
    ("PARIS, May 28 (RIA Novosti) –") gives place, date and, when none was given, outlet.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UploadError("The article is empty.")
    parts = _split_article(text, title)
    body = parts.body
    if not body.strip():
        raise UploadError("The article has a headline but no text.")
    title = title.strip() or parts.title.strip() or body.strip().split("\n", 1)[0]
    title = title[:MAX_TITLE_LENGTH]
    digest = body_hash(body)
    existing = Article.objects.filter(body_hash=digest).first()
    if existing:
        raise DuplicateArticle(existing)
    with transaction.atomic():
        article = Article.objects.create(
            title=title,
            body=body,
            outlet=(outlet or parts.outlet or "")[:200],
            url=url[:2000],
            dateline_place=(parts.dateline_place or "")[:200],
            dateline_date=(parts.dateline_date or "")[:10],
            published_date=_parse_date(published_date),
            uploaded_by=uploaded_by,
            body_hash=digest,
        )
        if enqueue:
            job_enqueue(article=article, requested_by=uploaded_by)
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
    on_progress=None,
) -> ImportReport:
    """Import many articles; one bad or duplicate article never stops the others."""
    report = ImportReport()
    for upload in uploads:
        try:
            article = article_create(
                text=upload.text,
                title=upload.title,
                outlet=upload.outlet,
                url=upload.url,
                published_date=upload.published_date,
                uploaded_by=uploaded_by,
            )
        except DuplicateArticle as exc:
            report.duplicates.append((upload.name, exc.existing))
        except UploadError as exc:
            report.errors.append((upload.name, str(exc)))
        else:
            report.created.append(article)
        if on_progress:
            on_progress(upload)
    return report


# --- extraction jobs --------------------------------------------------------------------


@functools.cache
def nlp_pipeline():
    """The spaCy pipeline, loaded once per process (a worker loads it at start-up)."""
    return extraction.load_nlp(settings.NEWSFACTS_SPACY_MODEL)


def job_enqueue(*, article: Article, requested_by: AbstractBaseUser | None = None) -> ExtractionJob:
    """Record a queued job now; hand it to the broker only once the transaction commits."""
    job = ExtractionJob.objects.create(article=article, requested_by=requested_by)
    transaction.on_commit(functools.partial(job_send, job_id=job.pk))
    return job


def job_send(*, job_id: int) -> bool:
    """Publish a job to the broker; a broker that is down leaves it queued for the sweeper."""
    from claims.tasks import extract_article

    try:
        extract_article.apply_async(args=[job_id])
    except Exception as exc:  # kombu/redis raise many types; every one means "not sent"
        logger.warning("Job %s stays queued: the broker refused it (%s)", job_id, exc)
        return False
    ExtractionJob.objects.filter(pk=job_id, enqueued_at=None).update(enqueued_at=timezone.now())
    return True


def job_run(*, job_id: int) -> ExtractionJob | None:
    """Run one delivery of a job. Safe to call twice, at once or one after the other.

    Returns the job when this delivery completed it, None when there was nothing to do
    (already finished, or a concurrent delivery took it over).
    """
    token = uuid.uuid4().hex
    started = ExtractionJob.objects.filter(
        pk=job_id, state__in=[ExtractionJob.State.QUEUED, ExtractionJob.State.RUNNING]
    ).update(
        state=ExtractionJob.State.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        run_token=token,
        error="",
    )
    if not started:
        return None
    job = ExtractionJob.objects.select_related("article").get(pk=job_id)
    article = job.article
    clock = time.perf_counter()
    found = extraction.extract_claims(
        nlp_pipeline(), article.body, reference_date=article.reference_date
    )
    nlp_seconds = time.perf_counter() - clock
    with transaction.atomic():
        current = ExtractionJob.objects.select_for_update().get(pk=job_id)
        if current.run_token != token or current.state != ExtractionJob.State.RUNNING:
            return None
        count = claims_replace_extraction(article=article, found=found)
        current.state = ExtractionJob.State.DONE
        current.finished_at = timezone.now()
        current.claim_count = count
        current.nlp_seconds = nlp_seconds
        current.pipeline = settings.NEWSFACTS_SPACY_MODEL
        current.save()
    return current


def job_fail(*, job_id: int, error: str) -> None:
    ExtractionJob.objects.filter(pk=job_id).exclude(state=ExtractionJob.State.DONE).update(
        state=ExtractionJob.State.FAILED, error=error[:5000], finished_at=timezone.now()
    )


def job_retry_article(
    *, article: Article, requested_by: AbstractBaseUser | None = None
) -> ExtractionJob:
    """Re-run extraction (a failed job, an edited body, or a pipeline upgrade).

    A job already queued or running for the article is reused, not doubled.
    """
    with transaction.atomic():
        active = article.jobs.filter(
            state__in=[ExtractionJob.State.QUEUED, ExtractionJob.State.RUNNING]
        ).first()
        return active or job_enqueue(article=article, requested_by=requested_by)


def jobs_requeue_stuck() -> int:
    """Resend jobs the broker never got, or lost (Redis restarted), or a dead worker held."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NEWSFACTS_STUCK_JOB_SECONDS)
    overdue = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    stuck = ExtractionJob.objects.filter(
        Q(state=ExtractionJob.State.QUEUED, enqueued_at=None)
        | Q(state=ExtractionJob.State.QUEUED, enqueued_at__lt=stale)
        | Q(state=ExtractionJob.State.RUNNING, started_at__lt=overdue)
    ).values_list("pk", flat=True)
    sent = 0
    for job_id in list(stuck):
        # Resent jobs are safe even if the original is still somewhere in Redis: job_run
        # lets only one delivery complete.
        ExtractionJob.objects.filter(pk=job_id).update(enqueued_at=None)
        sent += job_send(job_id=job_id)
    return sent


# --- claims -----------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")


def claim_fingerprint(text: str, occurrence: int = 0) -> str:
    """Stable identity of a claim within its article: its words, not its offsets.

    Offsets move when a paragraph is added above; punctuation and case change with a
    pipeline upgrade. The words stay, so reviews follow the claim across re-extraction.
    """
    words = _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split()
    key = " ".join(words) + (f"#{occurrence}" if occurrence else "")
    return hashlib.sha256(key.encode()).hexdigest()


def claims_replace_extraction(*, article: Article, found: list[extraction.ExtractedClaim]) -> int:
    """Make the article's claims match a fresh extraction without losing review work.

    Claims found again keep status, notes, sources, assignee and history; new claims are
    added; claims no longer found are marked orphaned, never deleted.
    """
    existing = {claim.fingerprint: claim for claim in article.claims.all()}
    seen: dict[str, int] = {}
    to_create, to_update, kept = [], [], set()
    for item in found:
        base = claim_fingerprint(item.text)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        fingerprint = claim_fingerprint(item.text, occurrence)
        values = _claim_fields(item)
        claim = existing.get(fingerprint)
        if claim is None:
            to_create.append(Claim(article=article, fingerprint=fingerprint, **values))
        else:
            for name, value in values.items():
                setattr(claim, name, value)
            claim.is_orphaned = False
            to_update.append(claim)
            kept.add(fingerprint)
    Claim.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Claim.objects.bulk_update(
            to_update, [*_claim_fields_names(), "is_orphaned"], batch_size=500
        )
    vanished = [claim.pk for fp, claim in existing.items() if fp not in kept]
    if vanished:
        Claim.objects.filter(pk__in=vanished).update(is_orphaned=True)
    return len(found)


def _claim_fields(item: extraction.ExtractedClaim) -> dict:
    data = item.as_dict()
    return {
        "start": item.start,
        "end": item.end,
        "text": item.text,
        "type": item.type,
        "quantities": data["quantities"],
        "times": data["times"],
        "speaker": (item.speaker or "")[:200],
        "cue": (item.cue or "")[:100],
        "entities": data["entities"],
        "summary": (item.summary or "")[:500],
        "score": float(item.score),
        "score_reasons": list(item.reasons),
    }


def _claim_fields_names() -> list[str]:
    return [
        "start", "end", "text", "type", "quantities", "times", "speaker", "cue",
        "entities", "summary", "score", "score_reasons",
    ]  # fmt: skip


def claim_set_status(
    *,
    claim_id: int,
    user: AbstractBaseUser,
    status: str,
    expected_version: int,
    note: str = "",
    source_url: str = "",
    source_title: str = "",
    counter_source: bool = False,
) -> Claim:
    """Change a claim's review status, optionally adding a source and a note, atomically.

    Rules: sourced and verified need a supporting source; disputed needs a note or a
    counter-source. The change applies only if nobody changed the claim since the
    reviewer loaded ``expected_version``; otherwise ReviewConflict carries the fresh claim.
    """
    if status not in Claim.Status.values:
        raise ReviewRuleError(f"Unknown status {status!r}.")
    note = note.strip()
    with transaction.atomic():
        claim = Claim.objects.get(pk=claim_id)
        now = timezone.now()
        # The conditional update is the lock: of two reviewers saving version N, exactly
        # one matches; the other sees 0 rows and gets a conflict.
        won = Claim.objects.filter(pk=claim_id, version=expected_version).update(
            status=status,
            version=F("version") + 1,
            reviewed_by=user,
            reviewed_at=now,
            updated_at=now,
        )
        if not won:
            raise ReviewConflict(Claim.objects.select_related("reviewed_by").get(pk=claim_id))
        if source_url.strip() or source_title.strip():
            claim_add_source(
                claim=claim,
                user=user,
                url=source_url,
                title=source_title,
                is_counter=counter_source,
            )
        _check_review_rules(claim=claim, status=status, note=note)
        StatusChange.objects.create(
            claim=claim, changed_by=user, from_status=claim.status, to_status=status, note=note
        )
    return Claim.objects.select_related("article", "assignee", "reviewed_by").get(pk=claim_id)


def _check_review_rules(*, claim: Claim, status: str, note: str) -> None:
    sources = claim.sources.all()
    supporting = sources.filter(is_counter=False).exists()
    if status in (Claim.Status.SOURCED, Claim.Status.VERIFIED) and not supporting:
        label = Claim.Status(status).label.lower()
        raise ReviewRuleError(
            f"A claim marked {label} needs at least one source (URL or citation)."
        )
    if (
        status == Claim.Status.DISPUTED
        and not note
        and not sources.filter(is_counter=True).exists()
    ):
        raise ReviewRuleError("A disputed claim needs a note or a counter-source.")


def claim_add_source(
    *,
    claim: Claim,
    user: AbstractBaseUser,
    url: str = "",
    title: str = "",
    is_counter: bool = False,
) -> Source:
    url, title = url.strip(), title.strip()
    if not url and not title:
        raise ReviewRuleError("A source needs a URL or a citation.")
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        raise ReviewRuleError("A source URL must start with http:// or https://.")
    return Source.objects.create(
        claim=claim, url=url[:2000], title=title[:500], is_counter=is_counter, added_by=user
    )


# --- dashboard: assignment and bulk review ----------------------------------------------


def claims_assign(*, claim_ids: Iterable[int], assignee: AbstractBaseUser | None) -> int:
    """Give claims to a reviewer (or to nobody). Returns how many claims were assigned.

    Assignment is not a review change, so the version stays: a reviewer with the claim's
    panel open is not sent into a conflict because the desk chief reassigned it.
    """
    return Claim.objects.filter(pk__in=list(claim_ids)).update(
        assignee=assignee, updated_at=timezone.now()
    )


@dataclass
class BulkReviewReport:
    changed: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def claims_bulk_set_status(
    *, versions: dict[int, int], user: AbstractBaseUser, status: str, note: str = ""
) -> BulkReviewReport:
    """Set many claims' status, each with its own version check and review rules.

    Every claim is its own change (and its own history entry); one refused claim, by a
    rule or a conflict, leaves the others applied and is reported with its reason.
    """
    report = BulkReviewReport()
    for claim_id, version in versions.items():
        try:
            claim_set_status(
                claim_id=claim_id, user=user, status=status, expected_version=version, note=note
            )
        except (ReviewConflict, ReviewRuleError) as exc:
            report.refused.append((claim_id, str(exc)))
        except Claim.DoesNotExist:
            report.refused.append((claim_id, "This claim no longer exists."))
        else:
            report.changed.append(claim_id)
    return report
