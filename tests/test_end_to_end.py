"""The whole loop on real services: import → Celery worker on Redis → review → CSV export."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from claims.models import Article, Claim, ExtractionJob
from tests.conftest import wait_for
from tests.factories import UserFactory

pytestmark = pytest.mark.worker

ARTICLE = """Floods Displace Thousands in River Delta

LENORA, Sept. 3 (Meridian News) – Floods in the Sarro river delta have forced at least 48,000 people from their homes since heavy rains began, regional officials said on Tuesday.

The regional emergency office said 17 people had died and about 2,300 homes were destroyed.

“We have never seen the river rise this fast,” said Governor Aline Martel.
"""


def test_an_imported_article_is_extracted_by_a_worker_reviewed_and_exported(
    celery_worker, client, tmp_path
):
    path = tmp_path / "floods.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    call_command("import_articles", str(path), no_progress=True)
    article = Article.objects.get()
    job = article.jobs.get()

    def job_finished():
        job.refresh_from_db()
        return job.state in (ExtractionJob.State.DONE, ExtractionJob.State.FAILED)

    wait_for(job_finished, timeout=90, what=f"job {job.pk}\n{celery_worker.output()[-2000:]}")
    assert job.state == ExtractionJob.State.DONE, job.error
    assert job.attempts == 1
    assert job.claim_count == article.claims.count() > 0
    claim = article.claims.filter(text__contains="48,000").get()

    client.force_login(UserFactory(username="rita", role="reviewer"))
    response = client.post(
        reverse("claims-set-status", args=[claim.pk]),
        {
            "status": "verified",
            "version": claim.version,
            "source_url": "https://floods.example.org/situation-report-3",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "claimChanged" in response["HX-Trigger"]

    export = client.get(reverse("claims-export-csv"), {"status": "verified"})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [row["claim_id"] for row in rows] == [str(claim.pk)]
    assert rows[0]["status"] == Claim.Status.VERIFIED
    assert "48,000" in rows[0]["claim_text"]


def test_healthz_is_green_with_a_worker(celery_worker, client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True
    assert body["database"]["ok"] and body["broker"]["ok"] and body["worker"]["ok"]
    assert "answered" not in body["worker"]  # worker names are host names: staff only
    client.force_login(UserFactory(username="admin", is_staff=True))
    assert client.get("/healthz").json()["worker"]["answered"][0].startswith("celery@")
