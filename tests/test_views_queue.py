"""The reviewer UI: queue, article page and the status endpoint, with and without htmx."""

import pytest
from django.urls import reverse

from claims.models import Claim, StatusChange
from tests.factories import ClaimFactory, JobFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def reviewer_client(client):
    client.force_login(UserFactory(username="rita", role="reviewer"))
    return client


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(username="ed", role="editor"))
    return client


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(reverse("claims-queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_refuses_users_without_a_role(client):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("claims-queue")).status_code == 403


def test_the_queue_lists_claims_with_counts(reviewer_client):
    ClaimFactory(summary="80,000+ people died since March 2011", status="verified")
    ClaimFactory(summary="Talks planned for mid-June")
    response = reviewer_client.get(reverse("claims-queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "80,000+ people died since March 2011" in html
    assert "Verified: 1" in html and "Unreviewed: 1" in html


def test_filters_return_only_the_table_for_htmx(reviewer_client):
    ClaimFactory(summary="Shown statistic", type=Claim.Type.STATISTIC)
    ClaimFactory(summary="Hidden quote", type=Claim.Type.QUOTE)
    response = reviewer_client.get(reverse("claims-queue"), {"type": "statistic"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="claim-table"' in html
    assert "Shown statistic" in html and "Hidden quote" not in html
    assert "HX-Request" in response["Vary"]


def test_reviewer_marks_a_claim_verified_through_htmx(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        reverse("claims-set-status", args=[claim.pk]),
        {"status": "verified", "version": 1, "source_url": "https://example.org/data"},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="claim-{claim.pk}"')
    assert "status-verified" in html
    assert "claimChanged" in response["HX-Trigger"]
    claim.refresh_from_db()
    assert claim.status == "verified"


def test_reviewer_marks_a_claim_verified_without_javascript(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        reverse("claims-set-status", args=[claim.pk]),
        {
            "status": "verified",
            "version": 1,
            "source_url": "https://example.org/d",
            "next": "/?type=quote",
        },
    )
    assert response.status_code == 302
    assert response.url == "/?type=quote"
    claim.refresh_from_db()
    assert claim.status == "verified"


def test_a_rule_violation_comes_back_in_the_row(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        reverse("claims-set-status", args=[claim.pk]),
        {"status": "verified", "version": 1},
        headers=HTMX,
    )
    assert "needs at least one source" in response.content.decode()
    assert "HX-Trigger" not in response
    claim.refresh_from_db()
    assert claim.status == "unreviewed"


def test_a_conflict_shows_the_fresh_state(reviewer_client):
    claim = ClaimFactory(status="disputed", version=3)
    response = reviewer_client.post(
        reverse("claims-set-status", args=[claim.pk]),
        {"status": "verified", "version": 2, "source_url": "https://example.org/x"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "changed this claim while you were working on it" in html
    assert 'name="version" value="3"' in html
    assert not StatusChange.objects.exists()


def test_a_conflict_without_javascript_redirects_with_a_message(reviewer_client):
    claim = ClaimFactory(status="disputed", version=3)
    response = reviewer_client.post(
        reverse("claims-set-status", args=[claim.pk]),
        {"status": "verified", "version": 2, "source_url": "https://example.org/x"},
        follow=True,
    )
    assert "changed this claim while you were working on it" in response.content.decode()


def test_editors_cannot_change_review_status(editor_client):
    claim = ClaimFactory()
    for headers in ({}, HTMX):
        response = editor_client.post(
            reverse("claims-set-status", args=[claim.pk]),
            {"status": "verified", "version": 1, "source_url": "https://example.org/d"},
            headers=headers,
        )
        assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "unreviewed"


def test_status_changes_need_post(reviewer_client):
    claim = ClaimFactory()
    assert reviewer_client.get(reverse("claims-set-status", args=[claim.pk])).status_code == 405


def test_the_article_page_lists_claims_and_job_state(reviewer_client):
    claim = ClaimFactory(summary="340 ships waited offshore")
    JobFactory(article=claim.article, state="done", claim_count=1)
    response = reviewer_client.get(reverse("claims-article", args=[claim.article.pk]))
    html = response.content.decode()
    assert "340 ships waited offshore" in html
    assert "Extraction: <strong>Done</strong>" in html
    assert 'hx-trigger="every 2s"' not in html


def test_an_active_job_polls_and_its_partial_needs_htmx(reviewer_client):
    job = JobFactory(state="running")
    url = reverse("claims-article-job", args=[job.article.pk])
    page = reviewer_client.get(reverse("claims-article", args=[job.article.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    partial = reviewer_client.get(url, headers=HTMX)
    assert partial.content.decode().lstrip().startswith('<div id="job-state"')
    assert "HX-Trigger" not in partial
    assert reviewer_client.get(url).status_code == 302


def test_a_finished_job_tells_the_page(reviewer_client):
    job = JobFactory(state="failed", error="ValueError: bad bytes")
    response = reviewer_client.get(
        reverse("claims-article-job", args=[job.article.pk]), headers=HTMX
    )
    assert "jobFinished" in response["HX-Trigger"]
    assert "ValueError: bad bytes" in response.content.decode()


def test_only_editors_may_retry_a_job(reviewer_client, client):
    job = JobFactory(state="failed")
    assert reviewer_client.post(reverse("claims-job-retry", args=[job.pk])).status_code == 403
    client.force_login(UserFactory(username="ed", role="editor"))
    response = client.post(reverse("claims-job-retry", args=[job.pk]))
    assert response.status_code == 302
    assert job.article.jobs.count() == 2
