"""Webhooks: the desk's events told to other systems, signed, retried, every attempt kept.

An event (a claim judged, an article extracted, a job failed) is recorded as one
WebhookDelivery per subscriber in the same transaction as the change that made it (an
outbox: sent if and only if the change commits), and handed to the broker after the
commit; the reviewer's request never waits on a receiver. A worker posts it
(``webhook_deliver``) through claims/fetching.py, bounded like any fetch, and retries with
growing pauses; the sweeper resends what the broker never got.

Each delivery is signed: ``X-NewsFacts-Signature: t=<unix time>,v1=<hex>`` where the hex
is HMAC-SHA256 with the subscription's secret over ``"<t>." + body`` (the timestamp lets a
receiver refuse an old delivery replayed). docs/api.md shows how to check it.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from claims import broker, fetching
from claims.models import (
    Article,
    Claim,
    ExtractionJob,
    StatusChange,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

logger = logging.getLogger(__name__)

DELIVER = "claims.web_tasks.deliver_webhook"
LEASE = datetime.timedelta(minutes=5)
SIGNATURE_HEADER = "X-NewsFacts-Signature"
# A receiver's answer is not read, only its status: nothing it sends can hold a worker.
MAX_PAUSE = 60 * 60


# --- events, recorded with the change that made them ---------------------------------------


def webhooks_announce(*, event: str, payloads: list[dict]) -> list[WebhookDelivery]:
    """Record a delivery of each payload to every active subscriber of ``event``; they are
    sent once the surrounding transaction commits. No subscriber: one query, nothing else."""
    subscribers = [
        subscription
        for subscription in WebhookSubscription.objects.filter(is_active=True)
        if event in subscription.events
    ]
    if not subscribers or not payloads:
        return []
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(subscription=subscription, event=event, payload=payload, sent_at=now)
            for subscription in subscribers
            for payload in payloads
        ]
    )
    for delivery in deliveries:
        transaction.on_commit(functools.partial(webhook_send, delivery_id=delivery.pk))
    return deliveries


def webhooks_claim_judged(*, change: StatusChange) -> None:
    """A reviewer (or a desk chief's bulk action) changed a claim's status."""
    if not _anyone_hears(WebhookEvent.CLAIM_JUDGED):
        return
    claim = Claim.objects.select_related("article", "reviewed_by").get(pk=change.claim_id)
    payload = {
        "claim": {
            **_claim_data(claim),
            "from_status": change.from_status,
            "note": change.note,
            "reviewed_by": claim.reviewed_by.get_username() if claim.reviewed_by else None,
            "reviewed_at": _iso(claim.reviewed_at),
        }
    }
    webhooks_announce(event=WebhookEvent.CLAIM_JUDGED, payloads=[payload])


def webhooks_articles_extracted(*, jobs: list[ExtractionJob]) -> None:
    """Extraction jobs completed: their articles' claims are in."""
    if not jobs or not _anyone_hears(WebhookEvent.ARTICLE_EXTRACTED):
        return
    articles = Article.objects.in_bulk([job.article_id for job in jobs])
    payloads = [
        {
            "article": _article_data(articles[job.article_id]),
            "job": {
                "id": job.pk,
                "claim_count": job.claim_count,
                "finished_at": _iso(job.finished_at),
            },
        }
        for job in jobs
    ]
    webhooks_announce(event=WebhookEvent.ARTICLE_EXTRACTED, payloads=payloads)


def webhooks_job_failed(*, job_id: int) -> None:
    if not _anyone_hears(WebhookEvent.JOB_FAILED):
        return
    job = ExtractionJob.objects.select_related("article").get(pk=job_id)
    payload = {
        "article": _article_data(job.article),
        "job": {"id": job.pk, "error": job.error, "attempts": job.attempts},
    }
    webhooks_announce(event=WebhookEvent.JOB_FAILED, payloads=[payload])


def _anyone_hears(event: str) -> bool:
    return any(
        event in events
        for events in WebhookSubscription.objects.filter(is_active=True).values_list(
            "events", flat=True
        )
    )


def _desk_url(path: str) -> str:
    return settings.NEWSFACTS_BASE_URL.rstrip("/") + path


def _article_data(article: Article) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "desk_url": _desk_url(article.get_absolute_url()),
    }


def _claim_data(claim: Claim) -> dict:
    return {
        "id": claim.pk,
        "status": claim.status,
        "version": claim.version,
        "type": claim.type,
        "text": claim.text,
        "summary": claim.summary,
        "score": claim.score,
        "article": _article_data(claim.article),
        "desk_url": _desk_url(claim.get_absolute_url()),
    }


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- delivering ------------------------------------------------------------------------------


def webhook_body(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Post one delivery if it is due and no other delivery of the task holds it; record
    the attempt, and either finish it or schedule the next try."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        state__in=[WebhookDelivery.State.PENDING, WebhookDelivery.State.SENDING],
        next_attempt_at__lte=now,
        attempts__lt=settings.NEWSFACTS_WEBHOOK_MAX_ATTEMPTS,
    ).update(
        state=WebhookDelivery.State.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + LEASE,
        sent_at=None,
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.is_active:
        return _delivery_end(delivery, error="The subscription was switched off.", status=None)
    body = webhook_body(delivery)
    headers = {
        "Content-Type": "application/json",
        "X-NewsFacts-Event": delivery.event,
        "X-NewsFacts-Delivery": str(delivery.uuid),
        SIGNATURE_HEADER: webhook_signature(
            secret=subscription.secret, timestamp=int(time.time()), body=body
        ),
    }
    started = time.monotonic()
    status, error, permanent = None, "", False
    try:
        answer = fetching.fetch(
            subscription.url,
            method="POST",
            headers=headers,
            body=body,
            follow_redirects=False,
            read_body=False,
        )
        status = answer.status
        if not 200 <= status < 300:
            error = f"The receiver answered HTTP {status}."
    except fetching.FetchError as exc:
        error = str(exc)
        permanent = isinstance(exc, fetching.RefusedAddress)
    WebhookAttempt.objects.create(
        delivery=delivery, status=status, error=error, seconds=time.monotonic() - started
    )
    if not error:
        return _delivery_end(delivery, error="", status=status)
    if permanent or delivery.attempts >= settings.NEWSFACTS_WEBHOOK_MAX_ATTEMPTS:
        return _delivery_end(delivery, error=error, status=status)
    # 30 s, 1 min, 2 min, ... at most an hour: a receiver that is down for a deploy gets
    # its deliveries minutes later, one down for a day gets them as failed, kept.
    pause = min(30 * 2 ** (delivery.attempts - 1), MAX_PAUSE)
    delivery.state = WebhookDelivery.State.PENDING
    delivery.next_attempt_at = timezone.now() + datetime.timedelta(seconds=pause)
    delivery.last_status, delivery.last_error = status, error
    delivery.save(update_fields=["state", "next_attempt_at", "last_status", "last_error"])
    return delivery


def _delivery_end(delivery: WebhookDelivery, *, error: str, status: int | None):
    delivery.state = WebhookDelivery.State.FAILED if error else WebhookDelivery.State.DELIVERED
    delivery.last_status, delivery.last_error = status, error
    delivery.delivered_at = None if error else timezone.now()
    delivery.save(update_fields=["state", "last_status", "last_error", "delivered_at"])
    return delivery


def webhook_send(*, delivery_id: int) -> bool:
    try:
        broker.send_web(DELIVER, args=[delivery_id])
    except Exception as exc:  # kombu/redis raise many types; every one means "not sent"
        logger.warning("Webhook delivery %s waits for the sweeper (%s)", delivery_id, exc)
        WebhookDelivery.objects.filter(pk=delivery_id).update(sent_at=None)
        return False
    return True


def webhook_deliveries_send_due() -> int:
    """Send the deliveries due for a try that are not already on their way."""
    now = timezone.now()
    WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.SENDING,
        next_attempt_at__lte=now,
        attempts__gte=settings.NEWSFACTS_WEBHOOK_MAX_ATTEMPTS,
    ).update(state=WebhookDelivery.State.FAILED, last_error="Gave up: the worker stopped.")
    due = list(
        WebhookDelivery.objects.filter(
            state__in=[WebhookDelivery.State.PENDING, WebhookDelivery.State.SENDING],
            next_attempt_at__lte=now,
        )
        .filter(Q(sent_at=None) | Q(sent_at__lte=now - LEASE))
        .values_list("pk", flat=True)[:1000]
    )
    sent = [pk for pk in due if webhook_send(delivery_id=pk)]
    WebhookDelivery.objects.filter(pk__in=sent).update(sent_at=now)
    return len(sent)
