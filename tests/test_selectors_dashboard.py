"""Dashboard selectors: keyset pages and highlighting segments."""

import pytest

from claims import selectors, selectors_article
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
    result = selectors_article.article_highlight(article=article, claims=[two, one])
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
    result = selectors_article.article_highlight(
        article=article, claims=[crossing, inner, bad, outer]
    )
    assert flatten(result) == [[("Alpha beta gamma", outer.pk), (" delta.", None)]]
    assert [c.pk for c in result.unplaced] == [inner.pk, bad.pk, crossing.pk]


def test_a_paragraph_break_inside_a_claim_stays_in_one_highlight():
    article = ArticleFactory(body="A 1.\n\nB 2.")
    claim = claim_at(article, "1.\n\nB")
    assert flatten(selectors_article.article_highlight(article=article, claims=[claim])) == [
        [("A ", None), ("1.\n\nB", claim.pk), (" 2.", None)]
    ]


@pytest.mark.parametrize("sort", ["-score", "score", "-date", "date", "-extracted", "extracted"])
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


# --- issue 15: dates are the article's published date; outlets match a part -------------


def test_date_sort_and_filters_use_the_articles_published_date():
    import datetime

    old = ArticleFactory(published_date=datetime.date(2020, 1, 5))
    new = ArticleFactory(published_date=datetime.date(2024, 6, 1))
    undated = ArticleFactory(published_date=None)
    # Extracted in the opposite order of publication: the old article's claim is newest.
    on_new = ClaimFactory(article=new, text="n")
    on_undated = ClaimFactory(article=undated, text="u")
    on_old = ClaimFactory(article=old, text="o")

    def ids(**kwargs):
        return [c.pk for c in selectors.claim_list(filters=selectors.ClaimFilters(**kwargs))]

    assert ids(sort="-date") == [on_new.pk, on_old.pk, on_undated.pk]
    assert ids(sort="date") == [on_old.pk, on_new.pk, on_undated.pk]
    assert ids(sort="-extracted") == [on_old.pk, on_undated.pk, on_new.pk]
    jan_2020 = {"date_from": datetime.date(2020, 1, 1), "date_to": datetime.date(2020, 12, 31)}
    assert ids(sort="date", **jan_2020) == [on_old.pk]
    today = datetime.date.today()
    assert ids(sort="date", date_from=today, date_basis="extracted") == [
        on_old.pk, on_new.pk, on_undated.pk
    ]  # fmt: skip


@pytest.mark.parametrize("sort", ["-date", "date"])
def test_keyset_pages_by_published_date_with_undated_articles(sort):
    import datetime

    articles = [
        ArticleFactory(published_date=datetime.date(2024, 1, 1 + n % 3) if n % 4 else None)
        for n in range(8)
    ]
    for n in range(17):
        ClaimFactory(article=articles[n % 8], text=f"p{n}")
    filters = selectors.ClaimFilters(sort=sort)
    expected = [c.pk for c in selectors.claim_list(filters=filters)]
    seen, after = [], ""
    while True:
        page = selectors.claim_page(filters=filters, after=after, size=4)
        seen += [c.pk for c in page.claims]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == expected


def test_the_outlet_filter_matches_a_part_of_the_name_in_any_case():
    coastal = ClaimFactory(article=ArticleFactory(outlet="Coastal Wire"))
    ClaimFactory(article=ArticleFactory(outlet="Meridian News"))
    found = selectors.claim_list(filters=selectors.ClaimFilters(outlet="coastal"))
    assert [c.pk for c in found] == [coastal.pk]
