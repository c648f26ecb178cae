"""Extraction jobs: real spaCy, real claims, idempotent, and kind to the desk's work."""

import pytest

from claims import services
from claims.extraction import extractor as extractor_module
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


def run(job: ExtractionJob) -> ExtractionJob | None:
    """One delivery of one job (a batch of one); the job if this delivery completed it."""
    finished = services.jobs_run(job_ids=[job.pk])
    return finished[0] if finished else None


def run_new_job(article):
    job = ExtractionJob.objects.create(article=article)
    return run(job), job


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


def test_stored_claims_hold_every_field_the_engine_found(article):
    from claims import extraction

    run_new_job(article)
    found = extraction.extract_claims(
        services.extractor().nlp, article.body, reference_date=article.reference_date
    )
    stored = {c.start: c for c in article.claims.all()}
    assert sorted(stored) == sorted(item.start for item in found)
    for item in found:
        engine_view, claim = item.as_dict(), stored[item.start]
        for name in ("quantities", "times", "entities"):
            assert getattr(claim, name) == engine_view[name]
        assert (claim.score_reasons, claim.speaker) == (item.reasons, item.speaker or "")
    assert any(c.quantities for c in stored.values()) and any(c.times for c in stored.values())


def test_a_finished_job_delivered_again_does_nothing(article):
    run_new_job(article)
    job = article.jobs.get()
    count = article.claims.count()
    assert run(job) is None
    assert article.claims.count() == count
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_delivery_overtaken_by_another_does_not_complete(article, monkeypatch):
    """Two deliveries at once: the first to start loses its right to write."""
    job = ExtractionJob.objects.create(article=article)
    real_extract = extractor_module.extract_claims_many

    def extract_while_redelivered(*args, **kwargs):
        # Another worker picks the same job up while this one is in the NLP.
        monkeypatch.setattr(extractor_module, "extract_claims_many", real_extract)
        assert run(job) is not None
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(extractor_module, "extract_claims_many", extract_while_redelivered)
    assert run(job) is None
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
    from claims.tasks import extract_articles

    def boom(*args, **kwargs):
        raise ValueError("tokenizer exploded")

    monkeypatch.setattr(extractor_module, "extract_claims_many", boom)
    monkeypatch.setattr(extractor_module, "extract_claims", boom)
    job = ExtractionJob.objects.create(article=article)
    extract_articles.apply(args=[[job.pk]])
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.FAILED
    assert "tokenizer exploded" in job.error
    assert article.claims.count() == 0


def test_retrying_reuses_an_active_job(article):
    first = services.job_retry_article(article=article)
    assert services.job_retry_article(article=article) == first
    run(first)
    assert services.job_retry_article(article=article) != first


def test_stuck_running_jobs_are_resent(article, monkeypatch, settings):
    import datetime

    from django.utils import timezone

    sent = []
    monkeypatch.setattr("claims.broker.send_extraction", lambda job_ids: sent.extend(job_ids))
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


def _wire(n: int) -> str:
    return (
        f"Story {n}\n\nLENORA, Sept. {n} (Meridian News) – At least {n * 1000:,} people "
        f"were evacuated on Tuesday, officials said.\n\n“We expect {n} more convoys by Friday,” "
        "Governor Aline Martel told reporters.\n"
    )


def test_bulk_imports_queue_batches_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    from claims.uploads import UploadedArticle

    sent = []
    monkeypatch.setattr("claims.broker.send_extraction", lambda job_ids: sent.append(job_ids))
    monkeypatch.setattr("claims.services.jobs.IMPORT_BATCH_SIZE", 2)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.articles_import(
            uploads=[UploadedArticle(text=_wire(n), name=f"{n}.txt") for n in range(1, 4)]
        )
    jobs = list(ExtractionJob.objects.order_by("pk"))
    assert len(report.created) == len(jobs) == 3
    assert sent == [[jobs[0].pk, jobs[1].pk], [jobs[2].pk]]
    assert all(job.enqueued_at for job in jobs)


def test_a_batch_gives_the_same_claims_as_single_jobs():
    articles = [services.article_create(text=_wire(n), enqueue=False) for n in range(1, 4)]
    jobs = [ExtractionJob.objects.create(article=article) for article in articles]
    finished = services.jobs_run(job_ids=[job.pk for job in jobs])
    assert [job.pk for job in finished] == [job.pk for job in jobs]
    batch_claims = {
        article.pk: list(article.claims.order_by("start").values_list("text", "type", "summary"))
        for article in articles
    }
    assert all(batch_claims.values())
    # A single run of the same article yields the same claims (re-extraction keeps them).
    for article in articles:
        run(ExtractionJob.objects.create(article=article))
        again = list(article.claims.order_by("start").values_list("text", "type", "summary"))
        assert again == batch_claims[article.pk]
        assert not article.claims.filter(is_orphaned=True).exists()
    # A second delivery of the whole batch finds nothing to do.
    assert services.jobs_run(job_ids=[job.pk for job in jobs]) == []


def test_an_article_that_breaks_the_batch_fails_alone(monkeypatch):
    articles = [services.article_create(text=_wire(n), enqueue=False) for n in range(1, 4)]
    jobs = [ExtractionJob.objects.create(article=article) for article in articles]
    poison = articles[1].body

    def many(nlp, items, **kwargs):
        for body, reference_date in items:
            if body == poison:
                raise ValueError("parser crashed")
            yield real_extract(nlp, body, reference_date=reference_date)

    real_extract = extractor_module.extract_claims

    def single(nlp, body, **kwargs):
        if body == poison:
            raise ValueError("parser crashed")
        return real_extract(nlp, body, **kwargs)

    monkeypatch.setattr(extractor_module, "extract_claims_many", many)
    monkeypatch.setattr(extractor_module, "extract_claims", single)
    pipeline_before = services.extractor().nlp
    finished = services.jobs_run(job_ids=[job.pk for job in jobs])
    # An exception that escaped the shared pass's memory zone may have left spaCy's
    # vocabulary broken: the rest ran on a freshly loaded pipeline.
    assert services.extractor().nlp is not pipeline_before
    assert {job.pk for job in finished} == {jobs[0].pk, jobs[2].pk}
    states = dict(ExtractionJob.objects.values_list("pk", "state"))
    assert states == {jobs[0].pk: "done", jobs[1].pk: "failed", jobs[2].pk: "done"}
    assert "parser crashed" in ExtractionJob.objects.get(pk=jobs[1].pk).error
