"""Issue 14: an HTML upload's <h1> is its title, not body text; the dateline stays readable."""

import datetime

import pytest

from claims import services
from claims.uploads import html_to_text

PAGE = (
    "<html><head><title>Council Backs Plan | Harborview Post</title></head><body><article>"
    "<h1>Council Backs Light-Rail Plan</h1>"
    "<p>HARBORVIEW, March 14, 2025 — The city council voted 9-2 on Tuesday to approve a"
    " $310 million plan to expand the light-rail network.</p>"
    "<p>Construction is due to begin next month, transit director Helen Okafor told"
    " reporters on Wednesday.</p></article></body></html>"
)


def test_the_h1_is_the_title_and_not_in_the_body():
    page = html_to_text(PAGE, name="council.html")
    assert page.title == "Council Backs Light-Rail Plan"
    assert page.text.startswith("HARBORVIEW, March 14, 2025 —")
    assert "Council Backs Light-Rail Plan" not in page.text


@pytest.mark.django_db
def test_an_html_article_keeps_its_dateline_place_and_date():
    page = html_to_text(PAGE, name="council.html")
    article = services.article_create(text=page.text, title=page.title, enqueue=False)
    assert article.dateline_place == "Harborview"
    assert article.published_date == datetime.date(2025, 3, 14)
    assert not article.body.startswith("Council Backs")
