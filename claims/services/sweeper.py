"""The sweeper: resend extraction jobs that the broker never got, lost, or a dead worker held.

Run by Celery beat (or cron, ``manage.py requeue_jobs``) every minute, exactly once per desk.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from claims import broker
from claims.models import Article, ExtractionJob
from claims.services.jobs import job_fail, jobs_enqueue, jobs_send

logger = logging.getLogger(__name__)


def jobs_requeue_stuck() -> int:
    """Resend stuck jobs; returns how many were sent.

    - queued, never accepted by the broker (it was down): sent;
    - running with a lease its worker stopped renewing (the worker died): queued again,
      marked as being retried, and sent (see jobs.job_lease);
    - running past the hard time limit (its worker died): sent once, or failed when it
      has used up its attempts (a poison article that kills every worker);
    - queued or resent long ago but still not started: sent again only when the broker's
      queue is empty, i.e. the message was lost. A long backlog is not a loss: resending
      it every minute would flood the queue and run jobs twice at once;
    - an article with no job at all: queued.
    """
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NEWSFACTS_STUCK_JOB_SECONDS)
    overdue = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    lease_expired = now - datetime.timedelta(seconds=settings.NEWSFACTS_JOB_LEASE_SECONDS)
    lost_worker = Q(state=ExtractionJob.State.RUNNING, heartbeat_at__lt=lease_expired)
    overdue_running = Q(state=ExtractionJob.State.RUNNING, started_at__lt=overdue)
    exhausted = ExtractionJob.objects.filter(
        overdue_running | lost_worker, attempts__gte=settings.NEWSFACTS_JOB_MAX_ATTEMPTS
    )
    for job_id in list(exhausted.values_list("pk", flat=True)):
        logger.error("Job %s failed: its worker was lost on every attempt", job_id)
        job_fail(
            job_id=job_id,
            error=f"Gave up after {settings.NEWSFACTS_JOB_MAX_ATTEMPTS} attempts: the worker "
            "was lost or timed out every time (is this article too large?).",
        )
    sent = _jobs_requeue_lost_workers(lost_worker)
    lost = Q(state=ExtractionJob.State.QUEUED, enqueued_at=None) | (
        overdue_running & (Q(enqueued_at=None) | Q(enqueued_at__lte=F("started_at")))
    )
    if _broker_queue_length() == 0:
        lost |= (Q(state=ExtractionJob.State.QUEUED) | overdue_running) & Q(enqueued_at__lt=stale)
    stuck = list(ExtractionJob.objects.filter(lost).values_list("pk", flat=True))
    sent += len(articles_without_job_enqueue())
    for job_id in stuck:
        # Resent jobs are safe even if the original is still somewhere in Redis: jobs_run
        # lets only one delivery complete. One task each: a job that killed its worker
        # must not take a batch down with it again.
        ExtractionJob.objects.filter(pk=job_id).update(enqueued_at=None)
        sent += jobs_send(job_ids=[job_id])
    return sent


def articles_without_job_enqueue() -> list[ExtractionJob]:
    """Queue extraction for stored articles that have no job at all.

    The services record an article and its job in one transaction, so this finds only
    articles stored some other way (an older release, a script, a restored backup).
    """
    orphans = list(Article.objects.filter(jobs__isnull=True).order_by("pk")[:500])
    if orphans:
        logger.warning("Queueing extraction for %d articles that had no job", len(orphans))
    return jobs_enqueue(articles=orphans)


LOST_WORKER_REASON = "the worker running it stopped answering"


def _jobs_requeue_lost_workers(lost_worker: Q) -> int:
    """Queue again and send the jobs whose worker stopped renewing their lease.

    Each is taken back with a conditional update, so two sweepers never both resend it,
    and a delivery still holding it (a worker that was only slow) can no longer write.
    """
    sent = 0
    for job_id in list(ExtractionJob.objects.filter(lost_worker).values_list("pk", flat=True)):
        taken = (
            ExtractionJob.objects.filter(lost_worker, pk=job_id)
            .filter(attempts__lt=settings.NEWSFACTS_JOB_MAX_ATTEMPTS)
            .update(
                state=ExtractionJob.State.QUEUED,
                retry_reason=LOST_WORKER_REASON,
                enqueued_at=None,
                heartbeat_at=None,
            )
        )
        if taken:
            logger.warning("Job %s lost its worker; sending it again", job_id)
            sent += jobs_send(job_ids=[job_id])
    return sent


def _broker_queue_length() -> int | None:
    """Messages waiting in the broker's queue; None when the broker is unreachable."""
    try:
        return broker.waiting_messages()
    except Exception as exc:  # any broker error means "don't know"
        logger.warning("Cannot read the broker's queue length: %s", exc)
        return None
