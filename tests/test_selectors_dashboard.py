"""Dashboard selectors: keyset pages and highlighting segments."""

import pytest

from claims import selectors
from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def claim_at(article, text, occurrence=0, **kwargs):
    start = -1
    for _ in range(occurrence + 1):
        start = article.body.index(text, start + 1)
    return ClaimFactory(
        article=article, text=text, start=start, end=start + len(text),
        fingerprint=f"{text}-{occurrence}", **kwargs,
    )  # fmt: skip


def flatten(highlighted):
    return [
        [(s.text, s.claim.pk if s.claim else None) for s in paragraph]
        for paragraph in highlighted.paragraphs
    ]


def test_segments_cover_the_body_and_keep_paragraphs():
    article = ArticleFactory(body="First 1 claim.\n\nSecond has 2 claims.\nSame paragraph.\n")
    one = claim_at(article, "1 claim")
    two = claim_at(article, "2 claims.\nSame")
    result = selectors.article_highlight(article=article, claims=[two, one])
    assert flatten(result) == [
        [("First ", None), ("1 claim", one.pk), (".", None)],
        [("Second has ", None), ("2 claims.\nSame", two.pk), (" paragraph.\n", None)],
    ]
    assert result.unplaced == []


def test_overlaps_are_resolved_in_start_then_id_order():
    article = ArticleFactory(body="Alpha beta gamma delta.")
    outer = claim_at(article, "Alpha beta gamma")
    inner = claim_at(article, "beta")
    crossing = claim_at(article, "gamma delta")
    bad = ClaimFactory(article=article, text="x", start=10, end=999, fingerprint="bad")
    result = selectors.article_highlight(article=article, claims=[crossing, inner, bad, outer])
    assert flatten(result) == [[("Alpha beta gamma", outer.pk), (" delta.", None)]]
    assert [c.pk for c in result.unplaced] == [inner.pk, bad.pk, crossing.pk]


def test_a_paragraph_break_inside_a_claim_stays_in_one_highlight():
    article = ArticleFactory(body="A 1.\n\nB 2.")
    claim = claim_at(article, "1.\n\nB")
    assert flatten(selectors.article_highlight(article=article, claims=[claim])) == [
        [("A ", None), ("1.\n\nB", claim.pk), (" 2.", None)]
    ]


@pytest.mark.parametrize("sort", ["-score", "score", "-date", "date"])
def test_keyset_pages_match_offset_pages_for_every_sort(sort):
    article = ArticleFactory()
    for n in range(23):
        ClaimFactory(article=article, text=f"c{n}", score=[0.3, 0.5, 0.5, 0.9][n % 4])
    filters = selectors.ClaimFilters(sort=sort)
    expected = [c.pk for c in selectors.claim_list(filters=filters)]
    seen, after, pages = [], "", 0
    while True:
        page = selectors.claim_page(filters=filters, after=after, size=5)
        assert page.is_first == (after == "")
        seen += [c.pk for c in page.claims]
        pages += 1
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == expected and pages == 5


def test_keyset_respects_filters():
    ClaimFactory(text="a", status=Claim.Status.VERIFIED, score=0.9)
    ClaimFactory(text="b", score=0.8)
    ClaimFactory(text="c", status=Claim.Status.VERIFIED, score=0.7)
    filters = selectors.ClaimFilters(status="verified")
    first = selectors.claim_page(filters=filters, size=1)
    second = selectors.claim_page(filters=filters, after=first.next_cursor, size=1)
    assert [c.text for c in first.claims + second.claims] == ["a", "c"]
    assert second.next_cursor == ""
