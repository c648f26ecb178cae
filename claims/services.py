"""Writes: every change to articles, jobs and claims goes through these functions.

Views, admin actions, management commands and Celery tasks all call them, so a rule
(duplicate detection, review rules, optimistic locking, idempotent jobs) lives in one place.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import hashlib
import logging
import re
import time
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from claims import extraction
from claims.models import Article, Claim, ExtractionJob, Source, StatusChange
from claims.uploads import UploadedArticle, UploadError, strip_controls

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = Article._meta.get_field("title").max_length
# The database or the network hiccuped, not the article: worth another try.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)
_WEB_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)


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
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    title, outlet = strip_controls(title), strip_controls(outlet)
    if not text.strip():
        raise UploadError("The article is empty.")
    parts = _split_article(text, title)
    body = parts.body
    if not body.strip():
        raise UploadError("The article has a headline but no text.")
    title = title.strip() or parts.title.strip() or body.strip().split("\n", 1)[0]
    title = title[:MAX_TITLE_LENGTH]
    url = url.strip()
    if url and not _WEB_URL.match(url):
        # Shown as a link on the desk: only web addresses, never javascript: or data:.
        raise UploadError(f"The article URL must start with http:// or https://, not {url[:40]!r}.")
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
                enqueue=False,
            )
        except DuplicateArticle as exc:
            report.duplicates.append((upload.name, exc.existing))
        except UploadError as exc:
            report.errors.append((upload.name, str(exc)))
        else:
            report.created.append(article)
        if on_progress:
            on_progress(upload)
    jobs_enqueue_batches(articles=report.created, requested_by=uploaded_by)
    return report


# --- extraction jobs --------------------------------------------------------------------


def nlp_pipeline():
    """The spaCy pipeline, loaded once per process (a worker loads it at start-up)."""
    return extraction.load_nlp(settings.NEWSFACTS_SPACY_MODEL)


def _discard_pipeline() -> None:
    """Load a fresh pipeline next time, after an exception escaped an NLP pass.

    In spaCy 3.8 an exception leaving ``memory_zone`` (extract_claims_many runs in one)
    leaves the vocabulary pointing at freed strings, and the next zone in the process reads
    garbage. A failed batch is rare; reloading (about 1.5 s) is the only safe state.
    """
    extraction.load_nlp.cache_clear()


def job_enqueue(*, article: Article, requested_by: AbstractBaseUser | None = None) -> ExtractionJob:
    """Record a queued job now; hand it to the broker only once the transaction commits."""
    job = ExtractionJob.objects.create(article=article, requested_by=requested_by)
    transaction.on_commit(functools.partial(job_send, job_id=job.pk))
    return job


# Articles per bulk-import task: enough for nlp.pipe to batch, few enough that several
# workers share an import and one task's time stays far below the time limit.
IMPORT_BATCH_SIZE = 16


def jobs_enqueue_batches(
    *, articles: list[Article], requested_by: AbstractBaseUser | None = None
) -> list[ExtractionJob]:
    """Queue extraction for many articles as a few batch tasks (one nlp.pipe pass each)."""
    with transaction.atomic():
        jobs = ExtractionJob.objects.bulk_create(
            [ExtractionJob(article=article, requested_by=requested_by) for article in articles]
        )
        ids = [job.pk for job in jobs]
        for start in range(0, len(ids), IMPORT_BATCH_SIZE):
            batch = ids[start : start + IMPORT_BATCH_SIZE]
            transaction.on_commit(functools.partial(jobs_send_batch, job_ids=batch))
    return jobs


def jobs_send_batch(*, job_ids: list[int]) -> bool:
    """Publish a batch task; a broker that is down leaves its jobs for the sweeper."""
    from claims.tasks import extract_articles

    try:
        extract_articles.apply_async(args=[job_ids])
    except Exception as exc:  # kombu/redis raise many types; every one means "not sent"
        logger.warning("Jobs %s stay queued: the broker refused them (%s)", job_ids, exc)
        return False
    ExtractionJob.objects.filter(pk__in=job_ids, enqueued_at=None).update(
        enqueued_at=timezone.now()
    )
    return True


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


def job_run(*, job_id: int, token: str = "") -> ExtractionJob | None:
    """Run one delivery of a job. Safe to call twice, at once or one after the other.

    Returns the job when this delivery completed it, None when there was nothing to do
    (already finished, a concurrent delivery took it over, or the job has used up its
    NEWSFACTS_JOB_MAX_ATTEMPTS: the sweeper fails it once its last delivery is overdue).
    ``token`` names this delivery, so that job_fail can tell if it still owns the job.
    """
    token = token or uuid.uuid4().hex
    job = _job_start(job_id=job_id, token=token)
    if job is None:
        return None
    clock = time.perf_counter()
    found = _extract_long(job.article.body, reference_date=job.article.reference_date)
    return _job_finish(job=job, token=token, found=found, nlp_seconds=time.perf_counter() - clock)


def jobs_run_batch(*, job_ids: list[int], token: str = "") -> list[ExtractionJob]:
    """Run several jobs through one ``nlp.pipe`` pass: how bulk imports are extracted.

    Each job is still started, finished and failed on its own terms, exactly as by
    job_run; an article that breaks the shared pass is retried alone, so it fails only
    itself. The database work is batched: one conditional update starts the jobs, and the
    claims of the whole pass are written in one transaction (_jobs_finish), not six
    queries and a commit per article, which cost a third of the NLP time.
    """
    token = token or uuid.uuid4().hex
    jobs = _jobs_start(job_ids=job_ids, token=token)
    nlp = nlp_pipeline()
    batchable = [job for job in jobs if len(job.article.body) <= nlp.max_length]
    finished: list[ExtractionJob] = []
    pending = {job.pk: job for job in jobs}
    ready = []  # (job, claims, NLP seconds) of the shared pass, written together below
    try:
        results = extraction.extract_claims_many(
            nlp, ((job.article.body, job.article.reference_date) for job in batchable)
        )
        pairs = zip(batchable, results, strict=True)
        while True:
            # Time spent waiting on the NLP only (nlp.pipe works a batch at a time, so the
            # first article of each batch carries most of it; the sum is right).
            clock = time.perf_counter()
            try:
                job, found = next(pairs)
            except StopIteration:
                break
            ready.append((job, found, time.perf_counter() - clock))
    except (*TRANSIENT_DATABASE_ERRORS, SoftTimeLimitExceeded):
        # The task retries the batch (finished jobs are skipped then), or, out of time,
        # hands its unfinished jobs back one by one (tasks.extract_articles).
        _discard_pipeline()
        raise
    except Exception:
        _discard_pipeline()
        logger.exception("Batch extraction failed; running its remaining jobs one by one")
    if ready:  # the whole pass, or the articles it got through before it failed
        try:
            finished += _jobs_finish(ready=ready, token=token)
        except (*TRANSIENT_DATABASE_ERRORS, SoftTimeLimitExceeded):
            raise
        except Exception:
            logger.exception("Writing the batch's claims failed; running its jobs one by one")
        else:
            for job, _, _ in ready:
                pending.pop(job.pk)
    for job in pending.values():  # too long for the shared pass, or left by a failure
        try:
            clock = time.perf_counter()
            found = _extract_long(job.article.body, reference_date=job.article.reference_date)
            done = _job_finish(
                job=job, token=token, found=found, nlp_seconds=time.perf_counter() - clock
            )
        except (*TRANSIENT_DATABASE_ERRORS, SoftTimeLimitExceeded):
            raise
        except Exception as exc:
            logger.exception("Extraction job %s failed", job.pk)
            job_fail(job_id=job.pk, token=token, error=f"{type(exc).__name__}: {exc}")
        else:
            if done:
                finished.append(done)
    return finished


def _job_start(*, job_id: int, token: str) -> ExtractionJob | None:
    """Claim the job for this delivery (conditional update: no lock, no double start)."""
    started = _jobs_start(job_ids=[job_id], token=token)
    return started[0] if started else None


def _jobs_start(*, job_ids: list[int], token: str) -> list[ExtractionJob]:
    """_job_start for several jobs: one conditional update, one read; in job_ids order."""
    ExtractionJob.objects.filter(
        pk__in=job_ids,
        state__in=[ExtractionJob.State.QUEUED, ExtractionJob.State.RUNNING],
        attempts__lt=settings.NEWSFACTS_JOB_MAX_ATTEMPTS,
    ).update(
        state=ExtractionJob.State.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        run_token=token,
        error="",
    )
    started = ExtractionJob.objects.select_related("article").filter(
        pk__in=job_ids, run_token=token, state=ExtractionJob.State.RUNNING
    )
    by_pk = {job.pk: job for job in started}
    return [by_pk[pk] for pk in dict.fromkeys(job_ids) if pk in by_pk]


def _jobs_finish(
    *, ready: list[tuple[ExtractionJob, list[extraction.ExtractedClaim], float]], token: str
) -> list[ExtractionJob]:
    """_job_finish for several jobs (job, claims, NLP seconds) in one transaction; jobs
    this delivery no longer owns are left alone. Returns the jobs it completed."""
    with transaction.atomic():
        locked = ExtractionJob.objects.select_for_update().filter(
            pk__in=[job.pk for job, _, _ in ready]
        )
        current = {job.pk: job for job in locked.order_by("pk")}
        owned = [
            (job, found, seconds, current[job.pk])
            for job, found, seconds in ready
            if job.pk in current
            and current[job.pk].run_token == token
            and current[job.pk].state == ExtractionJob.State.RUNNING
        ]
        existing: dict[int, list[Claim]] = {job.article_id: [] for job, *_ in owned}
        for claim in Claim.objects.filter(article_id__in=list(existing)):
            existing[claim.article_id].append(claim)
        _claims_write(
            [
                _claims_changes(article=job.article, found=found, stored=existing[job.article_id])
                for job, found, _, _ in owned
            ]
        )
        now = timezone.now()
        for _, found, seconds, job in owned:
            job.state = ExtractionJob.State.DONE
            job.finished_at = now
            job.claim_count = len(found)
            job.nlp_seconds = seconds
            job.pipeline = settings.NEWSFACTS_SPACY_MODEL
        ExtractionJob.objects.bulk_update(
            [job for *_, job in owned],
            ["state", "finished_at", "claim_count", "nlp_seconds", "pipeline"],
        )
    return [job for *_, job in owned]


def _job_finish(
    *, job: ExtractionJob, token: str, found: list[extraction.ExtractedClaim], nlp_seconds: float
) -> ExtractionJob | None:
    """Write the claims and complete the job, if this delivery still owns it."""
    with transaction.atomic():
        current = ExtractionJob.objects.select_for_update().get(pk=job.pk)
        if current.run_token != token or current.state != ExtractionJob.State.RUNNING:
            return None
        count = claims_replace_extraction(article=job.article, found=found)
        current.state = ExtractionJob.State.DONE
        current.finished_at = timezone.now()
        current.claim_count = count
        current.nlp_seconds = nlp_seconds
        current.pipeline = settings.NEWSFACTS_SPACY_MODEL
        current.save()
    return current


def _extract_long(body: str, *, reference_date) -> list[extraction.ExtractedClaim]:
    """extract_claims, also for bodies beyond spaCy's max_length (uploads may be 5 MB).

    A longer body is cut at paragraph breaks into pieces spaCy accepts; offsets are
    shifted back so that body[start:end] == text still holds.
    """
    nlp = nlp_pipeline()
    if len(body) <= nlp.max_length:
        return extraction.extract_claims(nlp, body, reference_date=reference_date)
    found = []
    for offset, piece in _body_pieces(body, max(1, nlp.max_length // 2)):
        for claim in extraction.extract_claims(nlp, piece, reference_date=reference_date):
            found.append(
                dataclasses.replace(claim, start=claim.start + offset, end=claim.end + offset)
            )
    return found


def _body_pieces(body: str, size: int):
    """(offset, piece) covering body, each piece at most `size` long, cut at a blank line,
    else a line break, else a space, where one falls in the second half of the piece."""
    start = 0
    while start < len(body):
        end = min(start + size, len(body))
        if end < len(body):
            for separator in ("\n\n", "\n", " "):
                cut = body.rfind(separator, start + size // 2, end)
                if cut != -1:
                    end = cut + len(separator)
                    break
        yield start, body[start:end]
        start = end


def jobs_held(*, job_ids: Iterable[int], token: str) -> list[int]:
    """The jobs among ``job_ids`` that the delivery ``token`` started and has not finished."""
    return list(
        ExtractionJob.objects.filter(
            pk__in=list(job_ids), state=ExtractionJob.State.RUNNING, run_token=token
        ).values_list("pk", flat=True)
    )


def job_fail(*, job_id: int, error: str, token: str = "") -> None:
    """Mark a job failed with its error, unless it is done or, given the failing
    delivery's ``token``, another delivery has taken the job over since."""
    jobs = ExtractionJob.objects.filter(pk=job_id).exclude(state=ExtractionJob.State.DONE)
    if token:
        jobs = jobs.filter(Q(run_token=token) | Q(run_token=""))
    jobs.update(state=ExtractionJob.State.FAILED, error=error[:5000], finished_at=timezone.now())


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
    """Resend jobs the broker never got, or lost (Redis restarted), or a dead worker held.

    - queued, never accepted by the broker (it was down): sent;
    - running past the hard time limit (its worker died): sent once, or failed when it
      has used up its attempts (a poison article that kills every worker);
    - queued or resent long ago but still not started: sent again only when the broker's
      queue is empty, i.e. the message was lost. A long backlog is not a loss: resending
      it every minute would flood the queue and run jobs twice at once.
    """
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NEWSFACTS_STUCK_JOB_SECONDS)
    overdue = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    overdue_running = Q(state=ExtractionJob.State.RUNNING, started_at__lt=overdue)
    exhausted = ExtractionJob.objects.filter(
        overdue_running, attempts__gte=settings.NEWSFACTS_JOB_MAX_ATTEMPTS
    )
    for job_id in list(exhausted.values_list("pk", flat=True)):
        logger.error("Job %s failed: its worker was lost on every attempt", job_id)
        job_fail(
            job_id=job_id,
            error=f"Gave up after {settings.NEWSFACTS_JOB_MAX_ATTEMPTS} attempts: the worker "
            "was lost or timed out every time (is this article too large?).",
        )
    lost = Q(state=ExtractionJob.State.QUEUED, enqueued_at=None) | (
        overdue_running & (Q(enqueued_at=None) | Q(enqueued_at__lte=F("started_at")))
    )
    if _broker_queue_length() == 0:
        lost |= (Q(state=ExtractionJob.State.QUEUED) | overdue_running) & Q(enqueued_at__lt=stale)
    stuck = ExtractionJob.objects.filter(lost).values_list("pk", flat=True)
    sent = 0
    for job_id in list(stuck):
        # Resent jobs are safe even if the original is still somewhere in Redis: job_run
        # lets only one delivery complete.
        ExtractionJob.objects.filter(pk=job_id).update(enqueued_at=None)
        sent += job_send(job_id=job_id)
    return sent


def _broker_queue_length() -> int | None:
    """Messages waiting in the broker's default queue; None when the broker is unreachable."""
    from newsfacts.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
            return connection.default_channel._size(app.conf.task_default_queue)
    except Exception as exc:  # any broker error means "don't know"
        logger.warning("Cannot read the broker's queue length: %s", exc)
        return None


# --- claims -----------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")
# A re-extracted claim whose words are this similar to a vanished one is the same claim
# after a small edit (a typo fixed, a word changed) and takes over its review work...
FUZZY_MATCH_RATIO = 0.9
# ...provided its figures and negations are the same: "340 ships" edited to "430 ships",
# or "did" to "did not", is a different claim, and a verified status must not follow it.
_CHECKABLE_WORD = re.compile(
    r"\d|^(?:no|not|never|t|nobody|none|nothing|without|zero|one|two|three|four|five|six|seven"
    r"|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|billions?|trillions?"
    r"|half|quarter|percent)$"
)
# Bound on the similarity comparisons of one re-extraction (only leftovers are compared).
FUZZY_MAX_PAIRS = 200_000


def _claim_words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


def _checkable(words: str) -> tuple[str, ...]:
    return tuple(word for word in words.split() if _CHECKABLE_WORD.search(word))


def claim_fingerprint(text: str, occurrence: int = 0) -> str:
    """Stable identity of a claim within its article: its words, not its offsets.

    Offsets move when a paragraph is added above; punctuation and case change with a
    pipeline upgrade. The words stay, so reviews follow the claim across re-extraction.
    """
    key = _claim_words(text) + (f"#{occurrence}" if occurrence else "")
    return hashlib.sha256(key.encode()).hexdigest()


def claims_replace_extraction(*, article: Article, found: list[extraction.ExtractedClaim]) -> int:
    """Make the article's claims match a fresh extraction without losing review work.

    Claims found again keep status, notes, sources, assignee and history; new claims are
    added; claims no longer found are marked orphaned, never deleted.
    """
    _claims_write([_claims_changes(article=article, found=found, stored=article.claims.all())])
    return len(found)


@dataclass
class _ClaimChanges:
    create: list[Claim]
    update: list[Claim]
    orphan: list[int]


def _claims_changes(
    *, article: Article, found: list[extraction.ExtractedClaim], stored: Iterable[Claim]
) -> _ClaimChanges:
    """What claims_replace_extraction changes, given the article's ``stored`` claims."""
    existing = {claim.fingerprint: claim for claim in stored}
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
    leftovers = [claim for fp, claim in existing.items() if fp not in kept]
    revived = set()
    for new, old in _fuzzy_pairs(to_create, leftovers):
        # The vanished claim is this new one after a small edit: it keeps its review work
        # and takes the new fingerprint (unique: no existing claim had it).
        for name in [*_claim_fields_names(), "fingerprint"]:
            setattr(old, name, getattr(new, name))
        old.is_orphaned = False
        to_update.append(old)
        revived.add(old.pk)
        to_create.remove(new)
    vanished = [claim.pk for claim in leftovers if claim.pk not in revived]
    return _ClaimChanges(create=to_create, update=to_update, orphan=vanished)


def _claims_write(changes: list[_ClaimChanges]) -> None:
    """Apply the changes of one or more articles: a few statements whatever their number."""
    to_create = [claim for change in changes for claim in change.create]
    to_update = [claim for change in changes for claim in change.update]
    vanished = [pk for change in changes for pk in change.orphan]
    Claim.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Claim.objects.bulk_update(
            to_update, [*_claim_fields_names(), "fingerprint", "is_orphaned"], batch_size=500
        )
    if vanished:
        Claim.objects.filter(pk__in=vanished).update(is_orphaned=True)


def _fuzzy_pairs(new_claims: list[Claim], old_claims: list[Claim]) -> list[tuple[Claim, Claim]]:
    """Pairs (new, old) of unmatched claims that are one claim after a small edit: the
    same figures and negations, words at least FUZZY_MATCH_RATIO alike; best pairs first,
    each claim in one pair at most."""
    if not new_claims or not old_claims:
        return []
    buckets: dict[tuple[str, ...], list[tuple[Claim, str]]] = {}
    for old in old_claims:
        words = _claim_words(old.text)
        buckets.setdefault(_checkable(words), []).append((old, words))
    scored, compared = [], 0
    matcher = difflib.SequenceMatcher(autojunk=False)
    for i, new in enumerate(new_claims):
        words = _claim_words(new.text)
        candidates = buckets.get(_checkable(words), [])
        compared += len(candidates)
        if compared > FUZZY_MAX_PAIRS:
            logger.warning("Article %s: too many changed claims to match by similarity", new)
            break
        matcher.set_seq2(words)
        for old, old_words in candidates:
            total = len(words) + len(old_words)
            if not total or 2 * min(len(words), len(old_words)) / total < FUZZY_MATCH_RATIO:
                continue
            matcher.set_seq1(old_words)
            if matcher.quick_ratio() >= FUZZY_MATCH_RATIO:
                ratio = matcher.ratio()
                if ratio >= FUZZY_MATCH_RATIO:
                    scored.append((-ratio, i, old.pk, new, old))
    pairs, used_new, used_old = [], set(), set()
    for _, i, old_pk, new, old in sorted(scored, key=lambda s: s[:3]):
        if i not in used_new and old_pk not in used_old:
            used_new.add(i)
            used_old.add(old_pk)
            pairs.append((new, old))
    return pairs


def _claim_fields(item: extraction.ExtractedClaim) -> dict:
    # The parts are flat dataclasses of plain values, so a shallow copy of each is what
    # dataclasses.asdict gives, without its deep-copying walk: that walk made up half of
    # _claims_changes and a seventh of a batch's database work (0.12 s of 0.80 s for 160
    # BBC articles).
    return {
        "start": item.start,
        "end": item.end,
        "text": item.text,
        "type": item.type,
        "quantities": [dict(vars(q)) for q in item.quantities],
        "times": [dict(vars(t)) for t in item.times],
        "speaker": (item.speaker or "")[:200],
        "cue": (item.cue or "")[:100],
        "entities": [dict(vars(e)) for e in item.entities],
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
    if url and not _WEB_URL.match(url):
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
