"""Celery tasks: thin wrappers that take ids and call services.

Delivery is at least once (acks_late, reject_on_worker_lost); services.jobs_run makes a
repeated delivery harmless. Tasks are published through ``claims.broker``, by name.
"""

from __future__ import annotations

import logging
import uuid

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init

from claims import selectors, services
from claims.services import matching, matching_index

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@worker_process_init.connect
def warm_up_worker(**kwargs) -> None:
    """Load the spaCy pipeline, the check-worthiness models and the matching encoder once
    per worker process, before the first job arrives."""
    services.extractor().warm_up()
    # The follow-on matching task's encoder too: loading it inside a task would spend
    # that task's time limit on the model, not the claims.
    matching_index.encoder()


def retry_countdown(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: 2, 4, 8..."""
    return 2 ** (retries + 1)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def extract_articles(self, job_ids: list[int]) -> int:
    """Extract the articles of these jobs in one NLP pass (a single upload is a batch of one).

    Returns how many jobs this delivery completed.
    """
    # This delivery's name: a failure is recorded only if no other delivery of the same
    # job (a duplicate, a redelivery) has taken it over meanwhile.
    token = uuid.uuid4().hex
    try:
        return len(services.jobs_run(job_ids=job_ids, token=token))
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
        _fail(job_ids, token, f"Gave up after {MAX_RETRIES} retries: {exc!r}")
    except SoftTimeLimitExceeded:
        # One slow article ran the shared pass out of time, and which one is unknown: the
        # unfinished jobs go back one by one, so the slow one fails alone and the others
        # finish. A single unfinished job is that article: it fails.
        held = selectors.jobs_held(job_ids=job_ids, token=token)
        if len(held) > 1:
            for job_id in held:
                services.jobs_send(job_ids=[job_id])
        else:
            limit = self.app.conf.task_soft_time_limit
            error = f"Extraction took longer than the time limit ({limit} s); not retried."
            _fail(held, token, error)
    except Exception as exc:
        # A bug, not the article (the engine fails a bad article alone): retrying won't
        # help, so record it where the desk sees it and let other jobs go on.
        logger.exception("Extraction jobs %s failed", job_ids)
        _fail(job_ids, token, f"{type(exc).__name__}: {exc}")
    return 0


def _fail(job_ids: list[int], token: str, error: str) -> None:
    for job_id in job_ids:
        services.job_fail(job_id=job_id, token=token, error=error)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def match_articles(self, article_ids: list[int]) -> int:
    """Match the claims of freshly extracted articles against the archive and each other
    (claims.services.matching); a second delivery rewrites the same matches."""
    try:
        return matching.articles_match(article_ids=article_ids)
    except services.TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task
def requeue_stuck_jobs() -> int:
    sent = services.jobs_requeue_stuck()
    matching.matching_send_pending()  # articles whose matching task never ran
    return sent
