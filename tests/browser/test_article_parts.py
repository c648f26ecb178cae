"""A long article's page in a real browser: later parts load as the reader scrolls."""

from __future__ import annotations

import contextlib

import pytest
from django.test import override_settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(NEWSFACTS_ARTICLE_PAGE_CHARS=600)
def test_scrolling_a_long_article_loads_its_next_parts(roles, new_page):
    UserFactory(username="rita", role="reviewer")
    paragraphs = [f"Paragraph {n}: officials said {1000 + n} people left." for n in range(60)]
    article = ArticleFactory(body="\n\n".join(paragraphs))
    for n, paragraph in enumerate(paragraphs):
        text = f"{1000 + n} people left"
        start = article.body.index(paragraph) + paragraph.index(text)
        ClaimFactory(article=article, text=text, start=start, end=start + len(text))
    page = new_page("rita")
    page.goto(f"/articles/{article.pk}/")
    first = page.locator("#article-text a.hl").count()
    assert 0 < first < 60
    # Scrolling to each "Continue reading" reveals it, and htmx swaps in the next part.
    for _ in range(60):
        more = page.locator(".article-more")
        if not more.count():
            break
        # htmx may swap it for the next part meanwhile: then look again.
        with contextlib.suppress(PlaywrightError):
            more.first.scroll_into_view_if_needed(timeout=5000)
        page.wait_for_timeout(100)
    expect(page.locator("#article-text a.hl")).to_have_count(60)
    expect(page.locator("#article-text")).to_contain_text("Paragraph 59:")
    # A claim in a lazily loaded part opens its panel like any other.
    page.click("text=1059 people left")
    expect(page.locator("#review-panel")).to_contain_text("1059 people left")
