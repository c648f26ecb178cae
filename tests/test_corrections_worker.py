"""Corrections survive a real re-extraction: a Celery worker on Redis runs the engine again."""

import pytest
from django.core.management import call_command

from claims import services
from claims.models import Article, Claim, ExtractionJob
from tests.conftest import wait_for
from tests.factories import UserFactory

pytestmark = pytest.mark.worker

ARTICLE = """Floods Displace Thousands in River Delta

LENORA, Sept. 3 (Meridian News) – Floods in the Sarro river delta have forced at least 48,000 people from their homes since heavy rains began, regional officials said on Tuesday.

The regional emergency office said 17 people had died and about 2,300 homes were destroyed.

“We have never seen the river rise this fast,” said Governor Aline Martel.
"""


def run_job(job, worker):
    def finished():
        job.refresh_from_db()
        return job.state in (ExtractionJob.State.DONE, ExtractionJob.State.FAILED)

    wait_for(finished, timeout=90, what=f"job {job.pk}\n{worker.output()[-2000:]}")
    assert job.state == ExtractionJob.State.DONE, job.error


def test_a_re_extraction_by_a_worker_keeps_every_correction(celery_worker, tmp_path):
    path = tmp_path / "floods.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    call_command("import_articles", str(path), no_progress=True)
    article = Article.objects.get()
    run_job(article.jobs.get(), celery_worker)
    rita = UserFactory(username="rita", role="reviewer")
    edited = article.claims.get(text__contains="48,000")
    dismissed = article.claims.get(text__contains="17 people")
    body = article.body
    words = "forced at least 48,000 people from their homes"
    start = body.index(words)
    services.claim_correct(
        claim_id=edited.pk,
        user=rita,
        expected_version=edited.version,
        span=(start, start + len(words), words),
        speaker="regional officials",
    )
    services.claim_dismiss(
        claim_id=dismissed.pk,
        user=rita,
        reason="extraction_error",
        expected_version=dismissed.version,
    )
    words = "We have never seen the river rise"
    added = services.claim_add(
        article_id=article.pk,
        user=rita,
        span=(None, None, words),
        type="quote",
        speaker="Aline Martel",
    )
    before = {c.pk: (c.text, c.speaker, c.dismissed, c.version) for c in article.claims.all()}

    services.job_retry_article(article=article, requested_by=rita)
    run_job(article.jobs.order_by("-pk").first(), celery_worker)

    after = {c.pk: (c.text, c.speaker, c.dismissed, c.version) for c in article.claims.all()}
    for claim in (edited, dismissed, added):
        assert after[claim.pk] == before[claim.pk]
    assert set(after) == set(before)  # nothing added twice
    assert not Claim.objects.filter(pk__in=[edited.pk, added.pk], is_orphaned=True).exists()
    assert article.claims.get(pk=dismissed.pk).dismissed == "extraction_error"
