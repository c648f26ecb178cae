"""Webhooks: signed, retried, every attempt kept, only for subscribed events, and never
in the reviewer's request."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.utils import timezone
from werkzeug import Response

from claims import broker, services
from claims.models import (
    ExtractionJob,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from tests.factories import ClaimFactory, JobFactory, UserFactory

pytestmark = pytest.mark.django_db
SECRET = "receiver-shared-secret"


class Receiver:
    """A CMS endpoint: checks each delivery's signature as docs/api.md tells receivers to."""

    def __init__(self, web, statuses=(200,)):
        self.statuses = list(statuses)
        self.received: list[dict] = []
        web.expect_request("/hooks", method="POST").respond_with_handler(self.handle)
        self.url = web.url_for("/hooks")

    def handle(self, request):
        body = request.get_data()
        fields = dict(
            part.split("=", 1) for part in request.headers["X-NewsFacts-Signature"].split(",")
        )
        expected = hmac.new(
            SECRET.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256
        ).hexdigest()
        verified = (
            hmac.compare_digest(expected, fields["v1"])
            and abs(time.time() - int(fields["t"])) < 300
        )
        self.received.append(
            {
                "verified": verified,
                "event": request.headers["X-NewsFacts-Event"],
                "delivery": request.headers["X-NewsFacts-Delivery"],
                "json": json.loads(body),
            }
        )
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return Response("ok" if status < 300 else "busy", status=status if verified else 401)


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(broker, "send_web", lambda task, *, args: calls.append((task, *args)))
    return calls


def subscribe(url, *events):
    return WebhookSubscription.objects.create(
        name="CMS", url=url, secret=SECRET, events=list(events or WebhookEvent.values)
    )


def judge(claim, user, capture):
    with capture(execute=True):
        return services.claim_set_status(
            claim_id=claim.pk, user=user, status="disputed", expected_version=claim.version,
            note="The ministry's own figure is 60,000.",
        )  # fmt: skip


def deliver_all():
    for delivery in WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING):
        services.webhook_deliver(delivery_id=delivery.pk)


def test_a_judged_claim_is_delivered_signed_to_its_subscriber(
    web, sent, django_capture_on_commit_callbacks
):
    receiver = Receiver(web)
    subscribe(receiver.url, WebhookEvent.CLAIM_JUDGED)
    claim = ClaimFactory()
    judge(claim, UserFactory(username="rita", role="reviewer"), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert sent == [(services.webhooks.DELIVER, delivery.pk)]  # handed to the broker on commit
    assert receiver.received == []  # ...and not posted during the reviewer's change
    deliver_all()
    (got,) = receiver.received
    assert got["verified"] and got["event"] == "claim.judged"
    assert got["delivery"] == str(delivery.uuid) == got["json"]["id"]
    data = got["json"]["data"]["claim"]
    assert (data["id"], data["status"], data["from_status"], data["version"]) == (
        claim.pk,
        "disputed",
        "unreviewed",
        2,
    )
    assert data["reviewed_by"] == "rita" and data["note"].startswith("The ministry")
    assert data["article"]["id"] == claim.article_id
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.last_status == 200
    assert [(a.status, a.error) for a in delivery.tries.all()] == [(200, "")]


def test_a_signature_made_with_another_secret_does_not_verify(
    web, sent, django_capture_on_commit_callbacks
):
    receiver = Receiver(web)
    subscription = subscribe(receiver.url)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(secret="not-the-receivers")
    judge(ClaimFactory(), UserFactory(role="reviewer"), django_capture_on_commit_callbacks)
    deliver_all()
    assert [r["verified"] for r in receiver.received] == [False]
    assert WebhookDelivery.objects.get().last_status == 401


def test_a_receiver_error_is_retried_with_back_off_and_every_attempt_is_kept(
    web, sent, django_capture_on_commit_callbacks
):
    receiver = Receiver(web, statuses=[500, 503, 200])
    subscribe(receiver.url, WebhookEvent.CLAIM_JUDGED)
    judge(ClaimFactory(), UserFactory(role="reviewer"), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    pauses = []
    for _ in range(3):
        before = timezone.now()
        services.webhook_deliver(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        pauses.append(round((delivery.next_attempt_at - before).total_seconds()))
        assert services.webhook_deliver(delivery_id=delivery.pk) is None  # not due yet
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert pauses[:2] == [30, 60]
    assert [a.status for a in delivery.tries.all()] == [500, 503, 200]
    assert "HTTP 500" in delivery.tries.first().error
    # Every try carried the same delivery id, so the receiver can drop a repeat.
    assert len({r["delivery"] for r in receiver.received}) == 1


def test_a_receiver_that_never_recovers_gets_a_failed_delivery_kept(
    web, sent, settings, django_capture_on_commit_callbacks
):
    settings.NEWSFACTS_WEBHOOK_MAX_ATTEMPTS = 2
    subscribe(Receiver(web, statuses=[500]).url)
    judge(ClaimFactory(), UserFactory(role="reviewer"), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    services.webhook_deliver(delivery_id=delivery.pk)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    services.webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED and delivery.tries.count() == 2


def test_no_delivery_for_an_event_nobody_subscribed_to(
    web, sent, django_capture_on_commit_callbacks
):
    receiver = Receiver(web)
    subscribe(receiver.url, WebhookEvent.JOB_FAILED)
    WebhookSubscription.objects.create(
        name="off", url=receiver.url, events=WebhookEvent.values, is_active=False
    )
    judge(ClaimFactory(), UserFactory(role="reviewer"), django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 0 and sent == []
    job = JobFactory()
    services.job_fail(job_id=job.pk, error="spaCy ran out of memory")
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.event == "job.failed"
    assert delivery.payload["job"] == {
        "id": job.pk,
        "error": "spaCy ran out of memory",
        "attempts": 0,
    }
    # A job that was done is not failed, and so not announced.
    done = JobFactory(state=ExtractionJob.State.DONE)
    services.job_fail(job_id=done.pk, error="late")
    assert WebhookDelivery.objects.count() == 1


def test_an_extracted_article_is_announced_with_its_claim_count(
    web, sent, django_capture_on_commit_callbacks
):
    subscribe(Receiver(web).url, WebhookEvent.ARTICLE_EXTRACTED)
    with django_capture_on_commit_callbacks(execute=False):
        article = services.article_create(
            text="Floods\n\nKARVEN, May 2 (Test Wire) – Officials said 4,000 people were moved on Monday.",
        )
    job = article.jobs.get()
    services.jobs_run(job_ids=[job.pk])
    (delivery,) = WebhookDelivery.objects.all()
    job.refresh_from_db()
    assert delivery.event == "article.extracted"
    assert delivery.payload["article"]["id"] == article.pk
    assert delivery.payload["job"]["claim_count"] == job.claim_count > 0


def test_a_receiver_on_a_private_address_is_refused_not_retried(
    settings, sent, django_capture_on_commit_callbacks
):
    settings.NEWSFACTS_FETCH_ALLOWED_NETWORKS = []
    subscribe("http://127.0.0.1:9/hooks")
    judge(ClaimFactory(), UserFactory(role="reviewer"), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    services.webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED and "private" in delivery.last_error


def test_a_receiver_redirect_is_not_followed(web, sent, django_capture_on_commit_callbacks):
    web.expect_request("/hooks").respond_with_data(
        "", status=307, headers={"Location": "http://10.0.0.1/"}
    )
    subscribe(web.url_for("/hooks"))
    judge(ClaimFactory(), UserFactory(role="reviewer"), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    services.webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.PENDING and delivery.last_status == 307


def test_the_reviewer_is_not_kept_waiting_by_a_slow_receiver_or_a_broker_that_is_down(
    web, monkeypatch, client, django_capture_on_commit_callbacks
):
    def stall(request):
        time.sleep(1)
        return Response("late")

    web.expect_request("/hooks").respond_with_handler(stall)
    subscribe(web.url_for("/hooks"))

    def broker_down(task, *, args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(broker, "send_web", broker_down)
    claim = ClaimFactory()
    client.force_login(UserFactory(role="reviewer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/claims/{claim.pk}/status/",
            {"status": "disputed", "version": claim.version, "note": "wrong year"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    # The receiver was never called from the request (a delivery in it would be logged
    # here); no clock, which a loaded machine makes flaky.
    assert web.log == []
    claim.refresh_from_db()
    assert claim.status == "disputed"
    delivery = WebhookDelivery.objects.get()  # kept for the sweeper
    assert delivery.state == WebhookDelivery.State.PENDING
    calls = []
    monkeypatch.setattr(broker, "send_web", lambda task, *, args: calls.append(args[0]))
    assert services.webhook_deliveries_send_due() == 1 and calls == [delivery.pk]
