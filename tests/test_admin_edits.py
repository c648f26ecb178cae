"""Admin edits go through the services: an edited body is extracted again with reviews
kept; an edited claim has its version bumped and a history entry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from claims.models import Article, Claim, ExtractionJob, StatusChange
from claims.uploads import body_hash
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = """Port Strike Ends

VALMORA, March 14 (Coastal Wire) – Dockworkers returned to work on Thursday after an eight-day strike that left more than 340 container ships waiting offshore, the port authority said.

The union agreed to a 6.5 percent pay rise over two years.
"""
NEW_PARAGRAPH = "Officials said on Friday that 12,000 tonnes of cargo had been lost.\n\n"


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.user = admin
    return client


def form_data(response) -> dict:
    """What the admin's change page would post back unchanged, inlines included."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def extracted_article() -> Article:
    article = services.article_create(text=TEXT, enqueue=False)
    job = ExtractionJob.objects.create(article=article)
    assert services.jobs_run(job_ids=[job.pk])
    return article


def test_an_edited_body_is_rehashed_and_extracted_again_keeping_reviews(admin_client):
    article = extracted_article()
    pay = article.claims.get(text__contains="6.5 percent")
    services.claim_set_status(
        claim_id=pay.pk,
        user=admin_client.user,
        status=Claim.Status.VERIFIED,
        expected_version=pay.version,
        source_url="https://port.example/notice",
    )
    url = reverse("admin:claims_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    # A new paragraph after the dateline's: every later claim moves.
    first, rest = article.body.split("\n\n", 1)
    data["body"] = f"{first}\n\n{NEW_PARAGRAPH}{rest}"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    article.refresh_from_db()
    assert "Officials said on Friday" in article.body
    assert article.body_hash == body_hash(article.body)
    job = article.jobs.get(state=ExtractionJob.State.QUEUED)
    assert services.jobs_run(job_ids=[job.pk])

    pay.refresh_from_db()
    assert pay.status == Claim.Status.VERIFIED and not pay.is_orphaned
    assert pay.sources.count() == 1 and pay.history.count() == 1
    assert article.body[pay.start : pay.end] == pay.text  # its new place in the text
    cargo = article.claims.get(text__contains="12,000 tonnes")
    assert cargo.status == Claim.Status.UNREVIEWED


def test_a_body_another_article_has_is_refused(admin_client):
    other = ArticleFactory(body="Police said 40 people were hurt.")
    article = ArticleFactory()
    url = reverse("admin:claims_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    data["body"] = other.body
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "already stored as" in response.content.decode()
    article.refresh_from_db()
    assert article.body != other.body and not article.jobs.exists()


def test_other_article_edits_queue_nothing(admin_client):
    article = ArticleFactory()
    url = reverse("admin:claims_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    data["title"] = "A better headline"
    assert admin_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.title == "A better headline" and not article.jobs.exists()


def test_a_claim_edited_in_the_admin_leaves_history_and_bumps_its_version(admin_client):
    claim = ClaimFactory(summary="340 ships waited", status=Claim.Status.SOURCED)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = form_data(admin_client.get(url))
    data["summary"] = "340+ container ships waited offshore"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    claim.refresh_from_db()
    assert claim.summary == "340+ container ships waited offshore"
    assert claim.version == 2 and claim.status == Claim.Status.SOURCED
    [entry] = StatusChange.objects.filter(claim=claim)
    assert entry.changed_by == admin_client.user
    assert entry.from_status == entry.to_status == Claim.Status.SOURCED
    assert "summary" in entry.note and "340+ container ships" in entry.note


def test_a_reviewer_with_the_old_version_gets_a_conflict_after_an_admin_edit(admin_client):
    claim = ClaimFactory(summary="old")
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = form_data(admin_client.get(url))
    data["summary"] = "new"
    admin_client.post(url, data)
    with pytest.raises(services.ReviewConflict):
        services.claim_set_status(
            claim_id=claim.pk,
            user=admin_client.user,
            status=Claim.Status.DISPUTED,
            expected_version=1,
            note="stale panel",
        )
