"""Celery tasks: thin wrappers that take ids and call services.

Delivery is at least once (acks_late, reject_on_worker_lost); services.job_run makes a
repeated delivery harmless.
"""

from __future__ import annotations

import logging
import uuid

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from claims import services

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the network hiccuped, not the article.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 3


def retry_countdown(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: 2, 4, 8..."""
    return 2 ** (retries + 1)


def _fail(job_ids: list[int], token: str, error: str) -> None:
    for job_id in job_ids:
        services.job_fail(job_id=job_id, token=token, error=error)


def _gave_up(exc: Exception) -> str:
    return f"Gave up after {MAX_RETRIES} retries: {exc!r}"


def _timed_out(task) -> str:
    limit = task.app.conf.task_soft_time_limit
    return f"Extraction took longer than the time limit ({limit} s); not retried."


@shared_task(bind=True, max_retries=MAX_RETRIES)
def extract_article(self, job_id: int) -> int | None:
    # This delivery's name: a failure is recorded only if no other delivery of the same
    # job (a duplicate, a redelivery) has taken it over meanwhile.
    token = uuid.uuid4().hex
    try:
        job = services.job_run(job_id=job_id, token=token)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= MAX_RETRIES:
            _fail([job_id], token, _gave_up(exc))
            return None
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    except SoftTimeLimitExceeded:
        _fail([job_id], token, _timed_out(self))
        return None
    except Exception as exc:
        # Anything else is about this article (a bug or a poison input): retrying won't
        # help, so record it where the desk sees it and let other jobs go on.
        logger.exception("Extraction job %s failed", job_id)
        services.job_fail(job_id=job_id, token=token, error=f"{type(exc).__name__}: {exc}")
        return None
    return job.claim_count if job else None


@shared_task(bind=True, max_retries=MAX_RETRIES)
def extract_articles(self, job_ids: list[int]) -> int:
    """A bulk import's batch: one nlp.pipe pass over several articles (services.jobs_run_batch)."""
    token = uuid.uuid4().hex
    try:
        return len(services.jobs_run_batch(job_ids=job_ids, token=token))
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= MAX_RETRIES:
            _fail(job_ids, token, _gave_up(exc))
            return 0
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    except SoftTimeLimitExceeded:
        # One slow article ran the shared pass out of time, and which one is unknown: the
        # batch's unfinished jobs go back one by one, so the slow one fails alone and the
        # others finish. A single unfinished job is that article: it fails.
        held = services.jobs_held(job_ids=job_ids, token=token)
        if len(held) > 1:
            for job_id in held:
                services.job_send(job_id=job_id)
            return 0
        _fail(held, token, _timed_out(self))
        return 0


@shared_task
def requeue_stuck_jobs() -> int:
    return services.jobs_requeue_stuck()
