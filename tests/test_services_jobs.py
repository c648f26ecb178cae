"""Extraction jobs: real spaCy, real claims, idempotent, and kind to the desk's work."""

import pytest

from claims import services
from claims.models import Claim, ExtractionJob, StatusChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEXT = """Port Strike Ends

VALMORA, March 14 (Coastal Wire) – Dockworkers returned to work on Thursday after an eight-day strike that left more than 340 container ships waiting offshore, the port authority said.

The union agreed to a 6.5 percent pay rise over two years.

“This deal protects every job on the quay,” union leader Marta Ellison told reporters.

Leave a comment
"""


@pytest.fixture
def article():
    return services.article_create(text=TEXT, enqueue=False)


def run_new_job(article):
    job = ExtractionJob.objects.create(article=article)
    return services.job_run(job_id=job.pk), job


def test_a_job_extracts_claims_with_exact_offsets(article):
    done, job = run_new_job(article)
    assert done is not None
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.DONE
    assert job.attempts == 1
    assert job.started_at and job.finished_at
    claims = list(article.claims.all())
    assert job.claim_count == len(claims) > 0
    for claim in claims:
        assert article.body[claim.start : claim.end] == claim.text
        assert claim.summary
        assert 0 <= claim.score <= 1
    assert any(q.get("value") == 340 or q.get("low") == 340 for c in claims for q in c.quantities)
    assert not any("Leave a comment" in c.text for c in claims)


def test_a_finished_job_delivered_again_does_nothing(article):
    run_new_job(article)
    job = article.jobs.get()
    count = article.claims.count()
    assert services.job_run(job_id=job.pk) is None
    assert article.claims.count() == count
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_delivery_overtaken_by_another_does_not_complete(article, monkeypatch):
    """Two deliveries at once: the first to start loses its right to write."""
    job = ExtractionJob.objects.create(article=article)
    real_extract = services.extraction.extract_claims

    def extract_while_redelivered(*args, **kwargs):
        # Another worker picks the same job up while this one is in the NLP.
        monkeypatch.setattr(services.extraction, "extract_claims", real_extract)
        assert services.job_run(job_id=job.pk) is not None
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(services.extraction, "extract_claims", extract_while_redelivered)
    assert services.job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.DONE
    assert job.attempts == 2
    fingerprints = list(article.claims.values_list("fingerprint", flat=True))
    assert len(fingerprints) == len(set(fingerprints)) == job.claim_count


def test_re_extraction_keeps_reviews_and_orphans_vanished_claims(article):
    run_new_job(article)
    reviewer = UserFactory(role="reviewer")
    claim = article.claims.get(type=Claim.Type.QUOTE)
    old_start = claim.start
    services.claim_set_status(
        claim_id=claim.pk,
        user=reviewer,
        status=Claim.Status.VERIFIED,
        expected_version=claim.version,
        note="Checked with the port authority.",
        source_url="https://port.example.org/release",
    )
    before = set(article.claims.values_list("fingerprint", flat=True))

    # The article is edited: a paragraph above the reviewed quote goes, so its offsets move.
    article.body = article.body.replace(
        "The union agreed to a 6.5 percent pay rise over two years.\n\n", ""
    )
    article.save()
    run_new_job(article)

    claim.refresh_from_db()
    assert claim.status == Claim.Status.VERIFIED
    assert not claim.is_orphaned
    assert claim.start < old_start
    assert article.body[claim.start : claim.end] == claim.text
    assert claim.sources.count() == 1
    assert StatusChange.objects.filter(claim=claim).count() == 1
    orphaned = article.claims.filter(is_orphaned=True)
    assert orphaned.exists()
    assert all("6.5 percent" in c.text for c in orphaned)
    assert set(article.claims.values_list("fingerprint", flat=True)) >= before


def test_a_failing_article_marks_the_job_failed_with_its_error(article, monkeypatch):
    from claims.tasks import extract_article

    def boom(*args, **kwargs):
        raise ValueError("tokenizer exploded")

    monkeypatch.setattr(services.extraction, "extract_claims", boom)
    job = ExtractionJob.objects.create(article=article)
    extract_article.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.FAILED
    assert "tokenizer exploded" in job.error
    assert article.claims.count() == 0


def test_retrying_reuses_an_active_job(article):
    first = services.job_retry_article(article=article)
    assert services.job_retry_article(article=article) == first
    services.job_run(job_id=first.pk)
    assert services.job_retry_article(article=article) != first


def test_stuck_running_jobs_are_resent(article, monkeypatch, settings):
    import datetime

    from django.utils import timezone

    sent = []
    monkeypatch.setattr(
        "claims.tasks.extract_article.apply_async", lambda args: sent.append(args[0])
    )
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    stuck = ExtractionJob.objects.create(
        article=article,
        state=ExtractionJob.State.RUNNING,
        started_at=long_ago,
        enqueued_at=long_ago,
    )
    fresh = ExtractionJob.objects.create(
        article=article, state=ExtractionJob.State.RUNNING, started_at=timezone.now(),
        enqueued_at=timezone.now(),
    )  # fmt: skip
    assert services.jobs_requeue_stuck() == 1
    assert sent == [stuck.pk]
    assert fresh.pk not in sent


def test_time_limits_stay_below_the_visibility_timeout(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
