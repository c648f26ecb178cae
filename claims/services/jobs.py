"""Extraction jobs: queue them, hand them to the broker, run them, fail them.

A job is recorded in the database before the broker hears of it, so a broker that is
down loses nothing (the sweeper, sweeper.py, resends). Delivery is at least once; a job
takes effect once: a delivery first claims the job with a conditional update and writes
its claims only if it still owns the job. A single article is a batch of one: every job
runs through ``jobs_run``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import threading
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone

from claims import broker, extraction
from claims.bulk_writes import update_all
from claims.models import Article, Claim, ExtractionJob
from claims.services.reconciliation import claims_changes, claims_write
from claims.services.webhooks import webhooks_articles_extracted, webhooks_job_failed

logger = logging.getLogger(__name__)

# Worth another try: the database or the network hiccuped, not the article.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# Articles per bulk-import task: enough for nlp.pipe to batch, few enough that several
# workers share an import and one task's time stays far below the time limit.
IMPORT_BATCH_SIZE = 16


@functools.cache
def extractor() -> extraction.Extractor:
    """The engine as jobs run it: the configured pipeline, stopped by the job time limit."""
    return extraction.Extractor(settings.NEWSFACTS_SPACY_MODEL, abort_on=(SoftTimeLimitExceeded,))


# --- queueing ---------------------------------------------------------------------------


def job_enqueue(*, article: Article, requested_by: AbstractBaseUser | None = None) -> ExtractionJob:
    """Record a queued job now; hand it to the broker only once the transaction commits."""
    (job,) = jobs_enqueue(articles=[article], requested_by=requested_by)
    return job


def jobs_enqueue(
    *, articles: list[Article], requested_by: AbstractBaseUser | None = None
) -> list[ExtractionJob]:
    """Queue extraction for articles as a few batch tasks (one nlp.pipe pass each)."""
    with transaction.atomic():
        jobs = ExtractionJob.objects.bulk_create(
            [ExtractionJob(article=article, requested_by=requested_by) for article in articles]
        )
        jobs_send_on_commit(job_ids=[job.pk for job in jobs])
    return jobs


def jobs_send_on_commit(*, job_ids: list[int]) -> None:
    """Hand recorded jobs to the broker as batch tasks once the transaction commits; a
    long article's job goes alone, on the long articles' queue."""
    long_ids = set(_long_job_ids(job_ids))
    for job_id in sorted(long_ids):
        transaction.on_commit(functools.partial(jobs_send, job_ids=[job_id]))
    job_ids = [job_id for job_id in job_ids if job_id not in long_ids]
    for start in range(0, len(job_ids), IMPORT_BATCH_SIZE):
        batch = job_ids[start : start + IMPORT_BATCH_SIZE]
        transaction.on_commit(functools.partial(jobs_send, job_ids=batch))


def jobs_send(*, job_ids: list[int]) -> bool:
    """Publish jobs as one task; a broker that is down leaves them queued for the sweeper."""
    try:
        if _any_long(job_ids):
            broker.send_long_extraction(job_ids=job_ids)
        else:
            broker.send_extraction(job_ids=job_ids)
    except Exception as exc:  # kombu/redis raise many types; every one means "not sent"
        logger.warning("Jobs %s stay queued: the broker refused them (%s)", job_ids, exc)
        return False
    ExtractionJob.objects.filter(pk__in=job_ids, enqueued_at=None).update(
        enqueued_at=timezone.now()
    )
    return True


def _long_job_ids(job_ids: list[int]) -> list[int]:
    """Those of these jobs whose article belongs on the long articles' queue."""
    return list(
        ExtractionJob.objects.filter(pk__in=job_ids)
        .annotate(length=Length("article__body"))
        .filter(length__gt=settings.NEWSFACTS_LONG_ARTICLE_CHARS)
        .values_list("pk", flat=True)
    )


def _any_long(job_ids: list[int]) -> bool:
    """Whether one of these jobs' articles belongs on the long articles' queue."""
    return bool(_long_job_ids(job_ids))


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


# --- running ----------------------------------------------------------------------------


def jobs_run(*, job_ids: list[int], token: str = "") -> list[ExtractionJob]:
    """Run one delivery of these jobs through one NLP pass; returns the jobs it completed.

    Safe to call twice, at once or one after the other: a job already finished, taken
    over by a concurrent delivery, or out of NEWSFACTS_JOB_MAX_ATTEMPTS is skipped (the
    sweeper fails an exhausted job once its last delivery is overdue). ``token`` names
    this delivery, so that job_fail can tell whether it still owns a job. An article the
    engine cannot extract fails alone; the others' claims are written together.
    """
    token = token or uuid.uuid4().hex
    jobs = _jobs_start(job_ids=job_ids, token=token)
    if not jobs:
        return []
    with job_lease(job_ids=[job.pk for job in jobs], token=token):
        results = extractor().extract_many(
            (job.article.body, job.article.reference_date) for job in jobs
        )
        ready = []
        for job, result in zip(jobs, results, strict=True):
            if result.error:
                job_fail(job_id=job.pk, token=token, error=result.error)
            else:
                ready.append((job, _capped(result)))
        return _jobs_finish(ready=ready, token=token)


@contextlib.contextmanager
def job_lease(*, job_ids: list[int], token: str):
    """Renew the lease of this delivery's jobs while the block runs, from a thread of its
    own (the NLP pass holds the main one). A worker killed with SIGKILL stops renewing,
    and the sweeper resends its jobs once the lease has run out."""
    stop = threading.Event()
    interval = max(1.0, settings.NEWSFACTS_JOB_LEASE_SECONDS / 4)

    def renew() -> None:
        try:
            while not stop.wait(interval):
                try:
                    ExtractionJob.objects.filter(
                        pk__in=job_ids, run_token=token, state=ExtractionJob.State.RUNNING
                    ).update(heartbeat_at=timezone.now())
                except Exception as exc:  # a missed renewal is retried; the lease is long
                    logger.warning("Could not renew the lease of jobs %s: %s", job_ids, exc)
        finally:
            connection.close()

    renewer = threading.Thread(target=renew, name=f"job-lease-{token[:8]}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=30)


def _capped(result: extraction.ArticleResult) -> extraction.ArticleResult:
    """At most NEWSFACTS_MAX_CLAIMS_PER_ARTICLE claims, the first in the text; how many
    were cut is kept on the result (``dropped``) for the job to record."""
    limit = settings.NEWSFACTS_MAX_CLAIMS_PER_ARTICLE
    if len(result.claims) <= limit:
        return result
    kept = sorted(result.claims, key=lambda claim: (claim.start, claim.end))[:limit]
    return dataclasses.replace(result, claims=kept, dropped=len(result.claims) - limit)


def _jobs_start(*, job_ids: list[int], token: str) -> list[ExtractionJob]:
    """Claim the jobs for this delivery: one conditional update (no lock, no double
    start), one read; in job_ids order."""
    ExtractionJob.objects.filter(
        pk__in=job_ids,
        state__in=[ExtractionJob.State.QUEUED, ExtractionJob.State.RUNNING],
        attempts__lt=settings.NEWSFACTS_JOB_MAX_ATTEMPTS,
    ).update(
        state=ExtractionJob.State.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        run_token=token,
        heartbeat_at=timezone.now(),
        error="",
    )
    started = ExtractionJob.objects.select_related("article").filter(
        pk__in=job_ids, run_token=token, state=ExtractionJob.State.RUNNING
    )
    by_pk = {job.pk: job for job in started}
    return [by_pk[pk] for pk in dict.fromkeys(job_ids) if pk in by_pk]


def _jobs_finish(
    *, ready: list[tuple[ExtractionJob, extraction.ArticleResult]], token: str
) -> list[ExtractionJob]:
    """Write the claims and complete the jobs in one transaction. When that fails for a
    reason other than the database hiccuping, each job is written alone, so a bad one
    fails only itself."""
    if not ready:
        return []
    try:
        return _jobs_write(ready=ready, token=token)
    except (*TRANSIENT_ERRORS, SoftTimeLimitExceeded):
        raise
    except Exception as exc:
        if len(ready) == 1:
            job = ready[0][0]
            logger.exception("Writing the claims of job %s failed", job.pk)
            job_fail(job_id=job.pk, token=token, error=f"{type(exc).__name__}: {exc}")
            return []
        logger.exception("Writing a batch's claims failed; writing its jobs one by one")
        return [done for item in ready for done in _jobs_finish(ready=[item], token=token)]


def _jobs_write(
    *, ready: list[tuple[ExtractionJob, extraction.ArticleResult]], token: str
) -> list[ExtractionJob]:
    """The claims of many jobs in a few statements; jobs this delivery no longer owns
    (another delivery took them over) are left alone."""
    with transaction.atomic():
        locked = ExtractionJob.objects.select_for_update().filter(
            pk__in=[job.pk for job, _ in ready]
        )
        current = {job.pk: job for job in locked.order_by("pk")}
        owned = [
            (job, result, current[job.pk])
            for job, result in ready
            if job.pk in current
            and current[job.pk].run_token == token
            and current[job.pk].state == ExtractionJob.State.RUNNING
        ]
        stored: dict[int, list[Claim]] = {job.article_id: [] for job, *_ in owned}
        for claim in Claim.objects.filter(article_id__in=list(stored)):
            stored[claim.article_id].append(claim)
        claims_write(
            [
                claims_changes(
                    article=job.article, found=result.claims, stored=stored[job.article_id]
                )
                for job, result, _ in owned
            ]
        )
        now = timezone.now()
        for _, result, job in owned:
            job.state = ExtractionJob.State.DONE
            job.finished_at = now
            job.claim_count = len(result.claims)
            job.claims_dropped = result.dropped
            job.nlp_seconds = result.nlp_seconds
            job.pipeline = settings.NEWSFACTS_SPACY_MODEL
        update_all(
            [job for *_, job in owned],
            ["state", "finished_at", "claim_count", "claims_dropped", "nlp_seconds", "pipeline"],
        )
        webhooks_articles_extracted(jobs=[job for *_, job in owned])
        if owned:
            transaction.on_commit(
                functools.partial(_matching_send, article_ids=[job.article_id for *_, job in owned])
            )
    return [job for *_, job in owned]


def _matching_send(*, article_ids: list[int]) -> None:
    """Matching is a follow-on task, so extraction's throughput does not wait on it."""
    try:
        broker.send_matching(article_ids=article_ids)
    except Exception as exc:  # kombu/redis raise many types; every one means "not sent"
        logger.warning("Articles %s were not sent for matching (%s)", article_ids, exc)


def job_fail(*, job_id: int, error: str, token: str = "") -> None:
    """Mark a job failed with its error, unless it is done or, given the failing
    delivery's ``token``, another delivery has taken the job over since."""
    jobs = ExtractionJob.objects.filter(pk=job_id).exclude(state=ExtractionJob.State.DONE)
    if token:
        jobs = jobs.filter(Q(run_token=token) | Q(run_token=""))
    if jobs.update(
        state=ExtractionJob.State.FAILED, error=error[:5000], finished_at=timezone.now()
    ):
        webhooks_job_failed(job_id=job_id)
